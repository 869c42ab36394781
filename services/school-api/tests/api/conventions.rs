//! NL GOV API Design Rules: API-Version and security headers on every answer, problem+json for
//! errors (also 404s), no trailing slashes, OpenAPI without auth, health and readiness.

use bpv_store::async_backend_tests;
use bpv_store::testing::TestDb;
use serde_json::Value;

use crate::helpers::{problem, spawn_app};

async fn every_answer_carries_version_and_security_headers(db: TestDb) {
    let app = spawn_app(db).await;
    let t = app.token("c-25ab").await;
    for r in [
        app.http.get(format!("{}/health", app.url)).send().await.unwrap(),
        app.http.get(format!("{}/v1/openapi.json", app.url)).send().await.unwrap(),
        app.get("/v1/bpvos/bestaat-niet", &t).send().await.unwrap(),
        app.http.get(format!("{}/v1/bpvos/x", app.url)).send().await.unwrap(),
    ] {
        let h = r.headers();
        assert_eq!(h["api-version"], "1.0.0");
        assert_eq!(h["cache-control"], "no-store");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    }
}

async fn unknown_paths_and_trailing_slashes_are_problem_404s(db: TestDb) {
    let app = spawn_app(db).await;
    let p = problem(app.http.get(format!("{}/v1/bestaat-niet", app.url)).send().await.unwrap(), 404).await;
    assert_eq!(p["instance"], "/v1/bestaat-niet");
    let p = problem(app.http.get(format!("{}/v1/openapi.json/", app.url)).send().await.unwrap(), 404).await;
    assert!(p["detail"].as_str().unwrap().contains("slash"), "{p}");
}

async fn openapi_is_served_without_auth_and_lists_the_endpoints(db: TestDb) {
    let app = spawn_app(db).await;
    let doc: Value = app.http.get(format!("{}/v1/openapi.json", app.url)).send().await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    // NL GOV API Design Rules: the version in the server URL, paths relative to it; the token
    // endpoint and the probes keep the service's root as their server.
    assert_eq!(doc["servers"][0]["url"], format!("{}/v1", app.url));
    for path in ["/bpvos/{correlatieId}", "/bpvo-batches", "/bpvo-batches/{id}"] {
        assert!(doc["paths"][path].is_object(), "{path} missing from the OpenAPI document");
        assert!(doc["paths"][path]["servers"].is_null(), "{path} is under /v1");
    }
    for path in ["/oauth/token", "/health", "/ready"] {
        assert_eq!(doc["paths"][path]["servers"][0]["url"], app.url.as_str(), "{path} is at the root");
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}

async fn health_and_ready_answer(db: TestDb) {
    let app = spawn_app(db).await;
    let r = app.http.get(format!("{}/health", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = app.http.get(format!("{}/ready", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "ok");
    // A migration not yet applied: 503, and nothing internal (no migration name, no driver
    // error) for an unauthenticated caller; the operator finds the cause in the log by its id.
    let newest: String = {
        use diesel::prelude::*;
        let mut conn = app.db.conn();
        let newest = diesel::sql_query("SELECT version FROM __diesel_schema_migrations ORDER BY version DESC LIMIT 1")
            .load::<Version>(&mut conn)
            .unwrap()
            .remove(0)
            .version;
        diesel::sql_query(format!("DELETE FROM __diesel_schema_migrations WHERE version = '{newest}'"))
            .execute(&mut conn)
            .unwrap();
        newest
    };
    let p = problem(app.http.get(format!("{}/ready", app.url)).send().await.unwrap(), 503).await;
    let detail = p["detail"].as_str().unwrap();
    assert!(detail.contains("kenmerk"), "{detail}");
    assert!(!detail.contains(&newest) && !detail.contains("migrat"), "{detail}");
}

#[derive(diesel::QueryableByName)]
struct Version {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}

async_backend_tests!(
    every_answer_carries_version_and_security_headers,
    unknown_paths_and_trailing_slashes_are_problem_404s,
    openapi_is_served_without_auth_and_lists_the_endpoints,
    health_and_ready_answer,
);
