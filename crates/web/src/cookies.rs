//! Cookies and same-origin checks for the server-rendered pages (upload module, dashboard).

use actix_web::HttpRequest;
use actix_web::http::header;

/// The value of cookie `name` on a request.
pub fn find<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    find_cookie(req.headers().get_all(header::COOKIE).filter_map(|v| v.to_str().ok()), name)
}

/// The value of cookie `name` in `Cookie` header values (`a=1; b=2`).
pub fn find_cookie<'a>(headers: impl Iterator<Item = &'a str>, name: &str) -> Option<&'a str> {
    headers
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, v)| *k == name && !v.is_empty())
        .map(|(_, v)| v.trim_matches('"'))
}

/// Whether a POST comes from our own pages, as far as the browser says: without an `Origin`
/// header (older browsers, non-browser clients) the CSRF value and SameSite=Strict carry the
/// check alone. The pages send `Referrer-Policy: same-origin`, because under `no-referrer`
/// browsers send `Origin: null` even for a same-origin form.
pub fn same_origin(req: &HttpRequest, secure: bool) -> bool {
    let Some(origin) = req.headers().get(header::ORIGIN) else { return true };
    let Ok(origin) = origin.to_str() else { return false };
    let info = req.connection_info();
    origin_allowed(origin, info.scheme(), info.host(), secure)
}

/// `origin` is the request's own scheme and host. Behind a TLS-terminating proxy that does not
/// forward the scheme the request looks like http while the browser says https; a site
/// configured for https (`secure`) accepts that too. `null` (opaque origin) never matches.
pub fn origin_allowed(origin: &str, scheme: &str, host: &str, secure: bool) -> bool {
    let same = |scheme: &str| {
        origin.split_once("://").is_some_and(|(s, h)| s.eq_ignore_ascii_case(scheme) && h.eq_ignore_ascii_case(host))
    };
    same(scheme) || (secure && same("https"))
}

/// Whether a form's CSRF value is the session's. The comparison takes the same time wherever the
/// first difference is, so the value cannot be guessed piece by piece.
pub fn csrf_matches(expected: &str, given: &str) -> bool {
    !expected.is_empty()
        && expected.len() == given.len()
        && expected.bytes().zip(given.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const COOKIE_NAME: &str = "bpv_upload";

    #[test]
    fn cookie_is_found_among_others_and_across_headers() {
        let find = |hs: &[&'static str]| find_cookie(hs.iter().copied(), COOKIE_NAME);
        assert_eq!(find(&["a=1; bpv_upload=tok; b=2"]), Some("tok"));
        assert_eq!(find(&["a=1", "bpv_upload=tok"]), Some("tok"));
        assert_eq!(find(&["xbpv_upload=no; bpv_uploadx=no"]), None);
        assert_eq!(find(&["bpv_upload="]), None, "a cleared cookie is no session");
        assert_eq!(find(&[]), None);
    }

    #[test]
    fn origin_must_be_our_own() {
        assert!(origin_allowed("http://127.0.0.1:8080", "http", "127.0.0.1:8080", false));
        assert!(origin_allowed("HTTPS://Upload.Example", "https", "upload.example", false));
        assert!(!origin_allowed("http://127.0.0.1:9999", "http", "127.0.0.1:8080", false), "other port");
        assert!(!origin_allowed("https://evil.example", "https", "upload.example", true));
        assert!(!origin_allowed("null", "http", "127.0.0.1:8080", false), "opaque origin");
        assert!(!origin_allowed("https://upload.example", "http", "upload.example", false));
        assert!(origin_allowed("https://upload.example", "http", "upload.example", true), "TLS proxy");
        assert!(!origin_allowed("http://upload.example.evil", "http", "upload.example", false));
    }
}
