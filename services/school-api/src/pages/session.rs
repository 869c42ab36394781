//! The upload page's session. A gemachtigde who logs in gets a JWT of its own audience (so an API
//! token can never act as a session, nor the reverse) in an HttpOnly, SameSite=Strict cookie
//! scoped to `/upload`. The token carries a random anti-CSRF value that every form echoes, and a
//! POST that names a foreign origin is refused. The cookie proves who logged in, not that they
//! still may: every request re-reads the gemachtigde.

use actix_web::HttpRequest;
use bpv_store::DbConnection;
use bpv_store::StoreResult;
use bpv_store::models::GemachtigdeRow;
use bpv_store::repo::{gemachtigden, sessies};
use bpv_web::auth::{AUD_UPLOAD_SESSION, TokenKeys, TokenRol};

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "bpv_upload";
/// Lifetime of a session (token and cookie alike); a new login starts a new one.
pub const TTL_SECONDS: i64 = 30 * 60;
/// The role claim of upload sessions.
pub const ROL: TokenRol = TokenRol::Gemachtigde;

/// A verified session token (not yet checked against the database).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub gemachtigde_id: String,
    pub brin: String,
    /// The value every form of this session must echo.
    pub csrf: String,
    /// The token's id: logging out records it as ended ([`bpv_store::repo::sessies`]).
    pub jti: String,
    /// When the token expires (unix seconds).
    pub exp: i64,
}

/// What the request's cookie says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// No session cookie: show the login form.
    Absent,
    /// A cookie that does not verify (expired, tampered, another audience): log in again.
    Invalid,
    Valid(Session),
}

/// The session of a request, from its cookie.
pub fn from_request(req: &HttpRequest, keys: &TokenKeys) -> Lookup {
    let Some(token) = bpv_web::cookies::find(req, COOKIE_NAME) else { return Lookup::Absent };
    match keys.verify(token, AUD_UPLOAD_SESSION) {
        Ok(claims) if claims.rol == ROL => match (claims.brin, claims.csrf) {
            (Some(brin), Some(csrf)) if !csrf.is_empty() => {
                Lookup::Valid(Session { gemachtigde_id: claims.sub, brin, csrf, jti: claims.jti, exp: claims.exp })
            }
            _ => Lookup::Invalid,
        },
        _ => Lookup::Invalid,
    }
}

/// The gemachtigde behind a session while still active for the same instelling; `None` once SBB
/// removed them or the session was logged out, however valid the cookie.
pub fn active_gemachtigde(conn: &mut DbConnection, session: &Session) -> StoreResult<Option<GemachtigdeRow>> {
    if sessies::is_ended(conn, &session.jti)? {
        return Ok(None);
    }
    Ok(gemachtigden::find_by_id(conn, &session.gemachtigde_id)?.filter(|g| g.actief && g.brin == session.brin))
}

/// `Set-Cookie` value that starts a session.
pub fn set_cookie(token: &str, secure: bool) -> String {
    cookie(token, TTL_SECONDS, secure)
}

/// `Set-Cookie` value that ends a session.
pub fn clear_cookie(secure: bool) -> String {
    cookie("", 0, secure)
}

fn cookie(value: &str, max_age: i64, secure: bool) -> String {
    bpv_web::login::session_cookie(COOKIE_NAME, "/upload", value, max_age, secure)
}

/// Whether a POST comes from our own pages (see [`bpv_web::cookies::same_origin`]).
pub fn same_origin(req: &HttpRequest, secure: bool) -> bool {
    bpv_web::cookies::same_origin(req, secure)
}

pub use bpv_web::cookies::csrf_matches;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn session_cookie_is_http_only_strict_and_scoped_to_the_upload_pages() {
        assert_eq!(
            set_cookie("abc.def.ghi", false),
            "bpv_upload=abc.def.ghi; HttpOnly; SameSite=Strict; Path=/upload; Max-Age=1800"
        );
        assert!(set_cookie("t", true).ends_with("; Secure"));
        assert_eq!(clear_cookie(false), "bpv_upload=; HttpOnly; SameSite=Strict; Path=/upload; Max-Age=0");
    }

    #[test]
    fn csrf_must_match_exactly() {
        assert!(csrf_matches("s3cr3t-value", "s3cr3t-value"));
        assert!(!csrf_matches("s3cr3t-value", "s3cr3t-valuE"));
        assert!(!csrf_matches("s3cr3t-value", "s3cr3t"));
        assert!(!csrf_matches("s3cr3t-value", ""));
        assert!(!csrf_matches("", ""), "an empty expected value never matches");
    }
}
