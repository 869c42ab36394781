//! Response headers every service sends: the API version (NL GOV API Design Rules) and security
//! headers. API answers are never cached and never framed; HTML pages get a strict CSP that still
//! allows their own styles and forms.

use actix_web::middleware::DefaultHeaders;

/// The version of the API contract, sent as `API-Version` on every answer.
pub const API_VERSION: &str = "1.0.0";

/// Headers for JSON APIs (and the pages, which set their own CSP on top). `https`: the service
/// is reached over https (its `public_url`, or a TLS listener), so browsers are told to keep to it
/// (`Strict-Transport-Security`, one year).
pub fn api_headers(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new();
    let headers = if https { headers.add(("Strict-Transport-Security", "max-age=31536000")) } else { headers };
    headers
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

#[cfg(test)]
mod tests {
    use actix_web::{App, HttpResponse, test, web};

    use super::*;

    #[actix_web::test]
    async fn hsts_only_over_https() {
        for https in [true, false] {
            let app = test::init_service(
                App::new().wrap(api_headers(https)).route("/", web::get().to(|| async { HttpResponse::Ok().finish() })),
            )
            .await;
            let res = test::call_service(&app, test::TestRequest::get().uri("/").to_request()).await;
            assert_eq!(res.headers().get("strict-transport-security").is_some(), https);
            assert_eq!(res.headers().get("api-version").and_then(|v| v.to_str().ok()), Some(API_VERSION));
        }
    }
}
