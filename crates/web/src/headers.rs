//! Response headers every service sends: the API version (NL GOV API Design Rules) and security
//! headers. API answers are never cached and never framed; HTML pages get a strict CSP that still
//! allows their own styles and forms.

use actix_web::middleware::DefaultHeaders;

/// The version of the API contract, sent as `API-Version` on every answer.
pub const API_VERSION: &str = "1.0.0";

/// Headers for JSON APIs.
pub fn api_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("API-Version", API_VERSION))
        .add(("Cache-Control", "no-store"))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"))
        .add(("Referrer-Policy", "no-referrer"))
}

/// The CSP for server-rendered pages: own resources only, forms post to ourselves, no framing.
pub const PAGE_CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";
