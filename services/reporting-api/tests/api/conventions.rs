//! NL GOV API Design Rules: API-Version and security headers, problem+json 404s, OpenAPI
//! without auth, health and readiness.

use bpv_store::async_backend_tests;
use bpv_store::testing::TestDb;
use serde_json::Value;

use crate::helpers::{problem, spawn_app};

async fn headers_openapi_health_and_404s(db: TestDb) {
    let app = spawn_app(db).await;
    let t = app.school("25AB");
    for r in [
        app.http.get(format!("{}/health", app.url)).send().await.unwrap(),
        app.get("/v1/resultaten", &t).await,
        app.get("/v1/bestaat-niet", &t).await,
    ] {
        let h = r.headers();
        assert_eq!(h["api-version"], "1.0.0");
        assert_eq!(h["cache-control"], "no-store");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    }
    let p = problem(app.get("/v1/resultaten/", &t).await, 404).await;
    assert!(p["detail"].as_str().unwrap().contains("slash"));
    let doc: Value = app.http.get(format!("{}/v1/openapi.json", app.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(doc["servers"][0]["url"], format!("{}/v1", app.url));
    for path in ["/resultaten", "/resultaten/export.csv", "/filters", "/health", "/ready"] {
        assert!(doc["paths"][path].is_object(), "{path} missing from the OpenAPI document");
    }
    assert!(doc["components"]["schemas"]["Rapport"].is_object());
    let r = app.http.get(format!("{}/ready", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

async_backend_tests!(headers_openapi_health_and_404s);
