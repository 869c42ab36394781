//! `Idempotency-Key` on the Praktijkloket's POSTs (beoordeling, praktijkverklaring, intrekking):
//! a retry with the same key and the same request gets the first answer again, marked
//! `Idempotent-Replayed: true`, and does nothing twice; the same key with another request is a
//! 422. The answer is stored in the transaction of its effect (only successful answers; a refusal
//! changes nothing, so a retry is simply checked again). Keys are per API client and honoured 24
//! hours (`bpv_store::repo::idempotentie`).

use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use bpv_store::DbConnection;
use bpv_store::repo::idempotentie::{self as repo, AntwoordRow};
use bpv_web::{InvalidParam, Problem};
use sha2::{Digest, Sha256};

use super::Reply;

/// A request made under a key: who, which key, and what (method, path and body, hashed).
#[derive(Debug, Clone)]
pub struct Sleutel {
    client_id: String,
    sleutel: String,
    hash: String,
}

/// The request's `Idempotency-Key` (1–255 visible ASCII characters), if it has one.
pub fn key(req: &HttpRequest) -> Result<Option<String>, Problem> {
    let Some(v) = req.headers().get("Idempotency-Key") else { return Ok(None) };
    let key = v.to_str().unwrap_or("").trim().to_owned();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(Problem::invalid_input(
            "de Idempotency-Key is ongeldig",
            vec![InvalidParam {
                name: "Idempotency-Key".into(),
                code: "pattern".into(),
                reason: "1–255 zichtbare ASCII-tekens, bijvoorbeeld een UUID".into(),
                reason_en: "1–255 visible ASCII characters, e.g. a UUID".into(),
            }],
        ));
    }
    Ok(Some(key))
}

/// The key of this request by `client_id` with `body`, if it carries one.
pub fn sleutel(req: &HttpRequest, client_id: &str, body: &[u8]) -> Result<Option<Sleutel>, Problem> {
    let Some(sleutel) = key(req)? else { return Ok(None) };
    let mut h = Sha256::new();
    h.update(req.method().as_str().as_bytes());
    h.update([0]);
    h.update(req.path().as_bytes());
    h.update([0]);
    h.update(body);
    Ok(Some(Sleutel { client_id: client_id.to_owned(), sleutel, hash: hex::encode(h.finalize()) }))
}

/// Inside the effect's transaction: the stored answer for a repeated key, else `effect`'s answer
/// (stored when it succeeded).
pub fn eenmalig(
    conn: &mut DbConnection,
    sleutel: Option<&Sleutel>,
    effect: impl FnOnce(&mut DbConnection) -> Result<Reply, Problem>,
) -> Result<Reply, Problem> {
    let Some(s) = sleutel else { return effect(conn) };
    let now = bpv_store::now_utc();
    let store = |e: bpv_store::StoreError| bpv_web::problem::internal_error(&e);
    if let Some(earlier) = repo::find(conn, &s.client_id, &s.sleutel, now).map_err(store)? {
        if earlier.verzoek_hash != s.hash {
            return Err(Problem::unprocessable(
                "deze Idempotency-Key is al gebruikt voor een ander verzoek (ander pad of andere inhoud); gebruik een \
                 nieuwe sleutel",
            ));
        }
        let status = StatusCode::from_u16(u16::try_from(earlier.status).unwrap_or(200)).unwrap_or(StatusCode::OK);
        return Ok(
            Reply::bytes(status, "application/json", earlier.body.into_bytes()).header("Idempotent-Replayed", "true")
        );
    }
    let reply = effect(conn)?;
    if reply.status.is_success() {
        let row = AntwoordRow {
            client_id: s.client_id.clone(),
            sleutel: s.sleutel.clone(),
            verzoek_hash: s.hash.clone(),
            status: i32::from(reply.status.as_u16()),
            body: String::from_utf8_lossy(&reply.body).into_owned(),
            created_at: now,
        };
        repo::store(conn, &row).map_err(store)?;
    }
    Ok(reply)
}
