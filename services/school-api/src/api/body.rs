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
            "de body is groter dan het maximum van {} voor dit endpoint (request body too large)",
            leesbare_grootte(limit)
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

/// A byte count as people say it: `64 KiB`, `48 MiB`, `1.5 MiB`, `500 bytes`.
pub fn leesbare_grootte(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB {
        if bytes.is_multiple_of(MIB) {
            format!("{} MiB", bytes / MIB)
        } else {
            format!("{:.1} MiB", bytes as f64 / MIB as f64)
        }
    } else if bytes >= KIB {
        if bytes.is_multiple_of(KIB) {
            format!("{} KiB", bytes / KIB)
        } else {
            format!("{:.1} KiB", bytes as f64 / KIB as f64)
        }
    } else {
        format!("{bytes} bytes")
    }
}

/// The media type of the request without parameters, lower-cased.
pub fn media_type(req: &HttpRequest) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn limits_are_named_in_the_unit_they_were_set_in() {
        assert_eq!(super::leesbare_grootte(64 * 1024), "64 KiB");
        assert_eq!(super::leesbare_grootte(48 * 1024 * 1024), "48 MiB");
        assert_eq!(super::leesbare_grootte(1536 * 1024), "1.5 MiB");
        assert_eq!(super::leesbare_grootte(500), "500 bytes");
    }
}
