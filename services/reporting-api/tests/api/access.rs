//! Who sees what: a school only its own instelling, SBB any and national; tokens without the
//! scope, of another audience or expired are refused.

use bpv_store::async_backend_tests;
use bpv_store::testing::TestDb;
use bpv_web::auth::{AUD_UPLOAD_SESSION, TokenSpec};

use crate::helpers::{cijfer, param_names, problem, spawn_app};

async fn a_school_sees_only_its_own_instelling(db: TestDb) {
    let app = spawn_app(db).await;
    let r = app.json("/v1/resultaten", &app.school("26CD")).await;
    assert_eq!(r["selectie"]["instelling"], "26CD");
    assert_eq!(cijfer(&r).0["n"], 20);
    let r = app.json("/v1/resultaten?instelling=25ab", &app.school("25AB")).await;
    assert_eq!(cijfer(&r).0["n"], 22, "its own BRIN in any case");
    for path in
        ["/v1/resultaten?instelling=26CD", "/v1/resultaten/export.csv?instelling=26CD", "/v1/filters?instelling=26CD"]
    {
        let p = problem(app.get(path, &app.school("25AB")).await, 403).await;
        assert!(p["detail"].as_str().unwrap().contains("25AB"), "{path}: {p}");
    }
    let f = app.json("/v1/filters", &app.school("25AB")).await;
    assert_eq!(f["instelling"]["code"], "25AB");
    assert_eq!(f["instellingen"], serde_json::json!([]), "a school is not shown the other instellingen");
    let codes: Vec<&str> = f["aanbieders"].as_array().unwrap().iter().map(|a| a["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["123A456", "123A457"]);
    let locs: Vec<&str> = f["locaties"].as_array().unwrap().iter().map(|a| a["naam"].as_str().unwrap()).collect();
    assert_eq!(locs, ["Locatie Noord", "Locatie Zuid"]);
    let kw: Vec<(&str, &str)> = f["kwalificaties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["crebo"].as_str().unwrap(), k["naam"].as_str().unwrap()))
        .collect();
    assert_eq!(kw, [("25180", "Monteur"), ("25655", "Verzorgende IG")]);
    assert_eq!(f["sectoren"], serde_json::json!(["Techniek", "Zorg en welzijn"]));
    assert_eq!(f["sectorNamen"], serde_json::json!({"Techniek": "Techniek", "Zorg en welzijn": "Zorg en welzijn"}));
    assert_eq!(f["leerwegen"], serde_json::json!(["BBL", "BOL"]));
    assert_eq!((f["eersteMaand"].as_str(), f["laatsteMaand"].as_str()), (Some("2024-03"), Some("2024-03")));
}

async fn sbb_sees_every_instelling_and_national(db: TestDb) {
    let app = spawn_app(db).await;
    let t = app.sbb();
    let r = app.json("/v1/resultaten", &t).await;
    assert_eq!(r["selectie"]["instelling"], serde_json::Value::Null);
    assert_eq!(cijfer(&r).0, &serde_json::Value::Null, "no instelling side for a national selection");
    assert_eq!(cijfer(&r).1["n"], 42);
    assert_eq!(r["respons"]["instelling"], serde_json::Value::Null);
    for (brin, n) in [("25AB", 22), ("26CD", 20)] {
        let r = app.json(&format!("/v1/resultaten?instelling={brin}"), &t).await;
        assert_eq!(cijfer(&r).0["n"], n);
        assert_eq!(r["selectie"]["instellingNaam"], format!("ROC {brin}"));
    }
    let r = app.json("/v1/resultaten?instelling=25AB&locatie=L2", &t).await;
    assert_eq!(cijfer(&r).0["n"], 10);
    let p = problem(app.get("/v1/resultaten?aanbieder=123A456", &t).await, 400).await;
    assert_eq!(p["invalidParams"][0]["code"], "requires_instelling");
    let p = problem(app.get("/v1/resultaten?instelling=99ZZ", &t).await, 400).await;
    assert_eq!(param_names(&p), ["instelling"]);
    let f = app.json("/v1/filters", &t).await;
    let all: Vec<&str> = f["instellingen"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap()).collect();
    assert_eq!(all, ["25AB", "26CD"]);
    assert_eq!(f["aanbieders"], serde_json::json!([]));
    let f = app.json("/v1/filters?instelling=26CD", &t).await;
    assert_eq!(f["aanbieders"][0]["code"], "223A456");
}

async fn tokens_without_the_right_scope_audience_or_time_are_refused(db: TestDb) {
    let app = spawn_app(db).await;
    let r = app.http.get(format!("{}/v1/resultaten", app.url)).send().await.unwrap();
    problem(r, 401).await;
    let write_only = app.token(Some("25AB"), bpv_web::auth::TokenRol::School, "bpvo:write");
    let p = problem(app.get("/v1/resultaten", &write_only).await, 403).await;
    assert!(p["detail"].as_str().unwrap().contains("resultaten:read"));
    let now = chrono::Utc::now().timestamp();
    let session = app
        .keys
        .issue(
            &TokenSpec {
                aud: AUD_UPLOAD_SESSION,
                sub: "x",
                scope: "resultaten:read",
                brin: Some("25AB"),
                rol: bpv_web::auth::TokenRol::School,
                csrf: None,
                ttl_seconds: 900,
            },
            now,
        )
        .unwrap();
    problem(app.get("/v1/resultaten", &session).await, 401).await;
    let spec = TokenSpec {
        aud: bpv_web::auth::AUD_API,
        sub: "x",
        scope: "resultaten:read",
        brin: Some("25AB"),
        rol: bpv_web::auth::TokenRol::School,
        csrf: None,
        ttl_seconds: 900,
    };
    let expired = app.keys.issue(&spec, now - 7200).unwrap();
    problem(app.get("/v1/filters", &expired).await, 401).await;
    let no_brin = app.token(None, bpv_web::auth::TokenRol::School, "resultaten:read");
    problem(app.get("/v1/resultaten", &no_brin).await, 403).await;
}

async_backend_tests!(
    a_school_sees_only_its_own_instelling,
    sbb_sees_every_instelling_and_national,
    tokens_without_the_right_scope_audience_or_time_are_refused,
);
