//! Reading request bodies with an explicit size limit, answered with a 413 problem (not a bare
//! status) when a client sends more.

use actix_web::web::{Bytes, BytesMut, Payload};
use actix_web::{HttpRequest, http::header};
use bpv_web::Problem;
use futures_util::StreamExt;

/// Read the whole body, refusing more than `limit` bytes (early, from Content-Length, when given).
pub async fn read_limited(req: &HttpRequest, mut payload: Payload, limit: usize) -> Result<Bytes, Problem> {
    let too_large = || {
        Problem::too_large(format!(
            "de body is groter dan het maximum van {} MiB voor dit endpoint (request body too large)",
            limit.div_ceil(1024 * 1024)
        ))
    };
    if let Some(len) = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
        && len > limit
    {
        return Err(too_large());
    }
    let mut buf = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(bpv_web::problem::payload_error_handler)?;
        if buf.len() + chunk.len() > limit {
            return Err(too_large());
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// The media type of the request without parameters, lower-cased.
pub fn media_type(req: &HttpRequest) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .unwrap_or_default()
}
