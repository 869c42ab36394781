//! Token flow and every refusal: wrong secret, expired, forged, wrong audience, missing token,
//! missing scope; and isolation between instellingen.

use bpv_store::async_backend_tests;
use bpv_store::testing::TestDb;
use bpv_web::auth::{AUD_API, AUD_UPLOAD_SESSION, TokenKeys, TokenSpec};
use serde_json::Value;

use crate::helpers::{SECRET, param_names, problem, record, spawn_app};

async fn client_credentials_give_a_bounded_token(db: TestDb) {
    let app = spawn_app(db).await;
    // HTTP Basic.
    let r = app.token_response("c-25ab", SECRET).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let t: Value = r.json().await.unwrap();
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 900);
    assert_eq!(t["scope"], "bpvo:write resultaten:read");
    let claims = TokenKeys::new(&app.settings.auth).verify(t["access_token"].as_str().unwrap(), AUD_API).unwrap();
    assert_eq!(claims.brin.as_deref(), Some("25AB"));
    assert_eq!(claims.sub, "c-25ab");
    assert!(claims.exp - claims.iat <= 900);
    // Credentials in the form; a narrower scope.
    let r = app
        .http
        .post(format!("{}/oauth/token", app.url))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "c-25ab"),
            ("client_secret", SECRET),
            ("scope", "resultaten:read"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["scope"], "resultaten:read");
}

async fn bad_credentials_and_requests_are_refused(db: TestDb) {
    let app = spawn_app(db).await;
    let r = app.token_response("c-25ab", "verkeerd").await;
    assert!(r.headers().get("www-authenticate").is_some());
    let p = problem(r, 401).await;
    assert_eq!(p["error"], "invalid_client");
    let p = problem(app.token_response("bestaat-niet", SECRET).await, 401).await;
    assert_eq!(p["error"], "invalid_client");
    let wrong_grant = app
        .http
        .post(format!("{}/oauth/token", app.url))
        .basic_auth("c-25ab", Some(SECRET))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .unwrap();
    let p = problem(wrong_grant, 400).await;
    assert_eq!(p["error"], "unsupported_grant_type");
    assert_eq!(param_names(&p), ["grant_type"]);
    let bad_scope = app
        .http
        .post(format!("{}/oauth/token", app.url))
        .basic_auth("c-25ab-read", Some(SECRET))
        .form(&[("grant_type", "client_credentials"), ("scope", "bpvo:write")])
        .send()
        .await
        .unwrap();
    assert_eq!(problem(bad_scope, 400).await["error"], "invalid_scope");
}

async fn every_bad_token_is_refused_with_401(db: TestDb) {
    let app = spawn_app(db).await;
    let path = "/v1/bpvos/X-1";
    // Missing.
    let r = app.http.get(format!("{}{path}", app.url)).send().await.unwrap();
    assert!(r.headers()["www-authenticate"].to_str().unwrap().starts_with("Bearer"));
    problem(r, 401).await;
    // Not a bearer token.
    let r =
        app.http.get(format!("{}{path}", app.url)).header("Authorization", "Basic Zm9vOmJhcg==").send().await.unwrap();
    problem(r, 401).await;
    let keys = TokenKeys::new(&app.settings.auth);
    let now = chrono::Utc::now().timestamp();
    let spec = |aud| TokenSpec {
        aud,
        sub: "c-25ab",
        scope: "bpvo:write",
        brin: Some("25AB"),
        rol: bpv_web::auth::TokenRol::School,
        csrf: None,
        ttl_seconds: 900,
    };
    // Expired.
    let expired = keys.issue(&spec(AUD_API), now - 3600).unwrap();
    let p = problem(app.get(path, &expired).send().await.unwrap(), 401).await;
    assert!(p["detail"].as_str().unwrap().contains("verlopen"), "{p}");
    // Signed with another key.
    let mut other = app.settings.auth.clone();
    other.jwt_secret = secrecy::SecretString::from("een-heel-ander-geheim-van-32-tekens-lang".to_owned());
    let forged = TokenKeys::new(&other).issue(&spec(AUD_API), now).unwrap();
    problem(app.get(path, &forged).send().await.unwrap(), 401).await;
    // Minted for another purpose (the upload page's session).
    let wrong_aud = keys.issue(&spec(AUD_UPLOAD_SESSION), now).unwrap();
    let p = problem(app.get(path, &wrong_aud).send().await.unwrap(), 401).await;
    assert!(p["detail"].as_str().unwrap().contains("audience"), "{p}");
    // Garbage.
    problem(app.get(path, "dit.is.geen.token").send().await.unwrap(), 401).await;
}

async fn missing_scope_is_403(db: TestDb) {
    let app = spawn_app(db).await;
    let token = app.token("c-25ab-read").await;
    let p = problem(app.put("/v1/bpvos/X-1", &token, &record("123A456", "X-1")).send().await.unwrap(), 403).await;
    assert!(p["detail"].as_str().unwrap().contains("bpvo:write"));
    problem(app.post_batch(&token, &[record("123A456", "X-1")]).send().await.unwrap(), 403).await;
    assert_eq!(app.count_bpvos(), 0);
}

async fn schools_never_see_or_touch_each_others_bpvos(db: TestDb) {
    let app = spawn_app(db).await;
    let ab = app.token("c-25ab").await;
    let cd = app.token("c-26cd").await;
    let r = app.put("/v1/bpvos/GEDEELD-1", &ab, &record("123A456", "GEDEELD-1")).send().await.unwrap();
    assert_eq!(r.status(), 201);
    // Another school cannot read, withdraw, overwrite or batch-write it.
    problem(app.get("/v1/bpvos/GEDEELD-1", &cd).send().await.unwrap(), 404).await;
    problem(app.delete("/v1/bpvos/GEDEELD-1", &cd).send().await.unwrap(), 404).await;
    let p =
        problem(app.put("/v1/bpvos/GEDEELD-1", &cd, &record("123A456", "GEDEELD-1")).send().await.unwrap(), 403).await;
    assert_eq!(param_names(&p), ["school.aanbiedercode"]);
    let p = problem(
        app.post_batch(&cd, &[record("223A456", "EIGEN-1"), record("123A456", "GEDEELD-1")]).send().await.unwrap(),
        403,
    )
    .await;
    assert_eq!(param_names(&p), ["records[1].school.aanbiedercode"]);
    // Nothing of 26CD's batch was stored, and 25AB's record is as it was.
    assert_eq!(app.count_bpvos(), 1);
    let mine: Value = app.get("/v1/bpvos/GEDEELD-1", &ab).send().await.unwrap().json().await.unwrap();
    assert_eq!(mine["status"], "actief");
    assert_eq!(mine["student"]["naam"], "Zoë Çelik-de Vries");
    // The same correlatieId under 26CD's own aanbieder is 26CD's own, separate bpvo.
    assert_eq!(
        app.put("/v1/bpvos/GEDEELD-1", &cd, &record("223A456", "GEDEELD-1")).send().await.unwrap().status(),
        201
    );
    let theirs: Value = app.get("/v1/bpvos/GEDEELD-1", &cd).send().await.unwrap().json().await.unwrap();
    assert_eq!(theirs["aanbiedercode"], "223A456");
}

async fn participation_gate_refuses_uploads(db: TestDb) {
    let app = spawn_app(db).await;
    let ef = app.token("c-27ef").await;
    let p = problem(app.put("/v1/bpvos/A", &ef, &record("323A456", "A")).send().await.unwrap(), 403).await;
    assert!(p["detail"].as_str().unwrap().contains("verwerkersovereenkomst"), "{p}");
    let gh = app.token("c-28gh").await;
    let p = problem(app.post_batch(&gh, &[record("423A456", "A")]).send().await.unwrap(), 403).await;
    assert!(p["detail"].as_str().unwrap().contains("directe studentbevraging"), "{p}");
    assert_eq!(app.count_bpvos(), 0);
}

/// A client revoked with `bpv admin client revoke` stops working within the refresh interval
/// (here 1 s; at most 60 s by configuration), not only when its token expires.
async fn a_revoked_client_stops_working_before_its_token_expires(db: TestDb) {
    let app = spawn_app(db).await;
    let t = app.token("c-25ab").await;
    assert_eq!(app.get("/v1/bpvos/bestaat-niet", &t).send().await.unwrap().status(), 404, "the token works");
    assert!(bpv_store::repo::api_clients::revoke(&mut app.db.conn(), "c-25ab", bpv_store::now_utc()).unwrap());
    let mut refused = None;
    for _ in 0..40 {
        let r = app.get("/v1/bpvos/bestaat-niet", &t).send().await.unwrap();
        if r.status() == 401 {
            refused = Some(problem(r, 401).await);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let p = refused.expect("refused within 4 s");
    assert!(p["detail"].as_str().unwrap().contains("ingetrokken"), "{p}");
    // Another client is not affected.
    let cd = app.token("c-26cd").await;
    assert_eq!(app.get("/v1/bpvos/bestaat-niet", &cd).send().await.unwrap().status(), 404);
}

async_backend_tests!(
    a_revoked_client_stops_working_before_its_token_expires,
    client_credentials_give_a_bounded_token,
    bad_credentials_and_requests_are_refused,
    every_bad_token_is_refused_with_401,
    missing_scope_is_403,
    schools_never_see_or_touch_each_others_bpvos,
    participation_gate_refuses_uploads,
);
