//! The authorization matrix: every route of the school API and the reporting API (every operation
//! of their served OpenAPI documents, plus the pages) × every kind of caller, against the table of
//! expected answers in `docs/authorization.md`. An operation missing from the table fails the
//! test, and so does any answer that differs from it.
//!
//! Callers (columns of the table):
//! - `anoniem`: no token, no cookie;
//! - `school_a`, `school_b`: API tokens of instelling 25AB and 26CD (`bpvo:write resultaten:read`);
//! - `sbb`: an API token of SBB (`rol` sbb, `resultaten:read`);
//! - `zonder_scope`: an API token of 25AB without any scope;
//! - `andere_aud`: tokens of the wrong audience — 25AB's upload session as a Bearer token, and
//!   25AB's API token as the session cookies;
//! - `gemachtigde`: the upload-page and dashboard sessions of 25AB's gemachtigde (cookies);
//! - `lezer`: the dashboard session of a lezer of 25AB limited to one aanbieder, plus an
//!   upload-page session minted for it (the upload login would never give one);
//! - `medewerker`: the dashboard session of an SBB medewerker (cookie);
//! - `toezicht`: the dashboard session of a toezichthouder of the inspectie, plus an upload-page
//!   session minted for it.
//!
//! A cell is the expected status; `200 inlog` means "200, and the page is the login form" (the
//! caller is not logged in), a plain `200` for a page means the page itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use bpv_store::models::{KwalificatieRow, LocatieRow};
use bpv_store::repo::{aanbieders, gemachtigden, lezers, medewerkers, referentie, toezichthouders};
use bpv_store::testing::TestDb;
use bpv_web::Settings;
use bpv_web::auth::{AUD_API, AUD_DASHBOARD_SESSION, AUD_UPLOAD_SESSION, TokenKeys, TokenRol, TokenSpec};
use serde_json::{Value, json};

const TABLE: &str = include_str!("../../../docs/authorization.md");
const CALLERS: [&str; 10] = [
    "anoniem",
    "school_a",
    "school_b",
    "sbb",
    "zonder_scope",
    "andere_aud",
    "gemachtigde",
    "lezer",
    "medewerker",
    "toezicht",
];

/// One row of the table.
#[derive(Debug)]
struct Row {
    dienst: String,
    methode: String,
    pad: String,
    verwacht: Vec<String>,
}

fn table() -> Vec<Row> {
    TABLE
        .lines()
        .filter(|l| l.starts_with("| school-api") || l.starts_with("| reporting-api"))
        .map(|l| {
            let cells: Vec<String> = l.trim().trim_matches('|').split('|').map(|c| c.trim().replace('`', "")).collect();
            assert_eq!(cells.len(), 3 + CALLERS.len(), "row with a missing cell: {l}");
            Row {
                dienst: cells[0].clone(),
                methode: cells[1].clone(),
                pad: cells[2].clone(),
                verwacht: cells[3..].to_vec(),
            }
        })
        .collect()
}

/// What a caller sends.
#[derive(Debug, Default, Clone)]
struct Caller {
    bearer: Option<String>,
    cookies: Vec<String>,
}

struct World {
    school_api: String,
    reporting_api: String,
    http: reqwest::Client,
    callers: BTreeMap<&'static str, Caller>,
    batch: String,
    _db: TestDb,
}

fn seed(db: &TestDb) -> (String, String, String, String) {
    let mut conn = db.conn();
    bpv_store::testing::instelling(&mut conn, "25AB", &["123A456"], true, true);
    bpv_store::testing::instelling(&mut conn, "26CD", &["223A456"], true, true);
    let k =
        KwalificatieRow { crebo: "25604".into(), naam: "Kok".into(), niveau: 2, sector: "VGG".into(), domein: None };
    referentie::upsert_kwalificaties(&mut conn, &[k]).unwrap();
    let loc =
        LocatieRow { locatiecode: "123X001".into(), aanbiedercode: "123A456".into(), naam: "L".into(), plaats: None };
    aanbieders::upsert_locatie(&mut conn, &loc).unwrap();
    let now = bpv_store::now_utc();
    // No one logs in with a password here: sessions are minted below, as the login forms would.
    let g = gemachtigden::add(
        &mut conn,
        &gemachtigden::NewGemachtigde {
            brin: "25AB",
            email: "gemachtigde@25ab.example",
            naam: "Gea Machtig",
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c3RhbmQtaW4$c3RhbmQtaW4",
        },
        now,
    )
    .unwrap();
    let m = medewerkers::add(&mut conn, "analist@sbb.example", "Sam Analist", "x", now).unwrap();
    let lezer = lezers::NewLezer {
        brin: "25AB",
        email: "teamleider@25ab.example",
        naam: "Tea Leider",
        password_hash: "x",
        aanbieders: &["123A456".to_owned()],
        locaties: &[],
    };
    let l = lezers::add(&mut conn, &lezer, now).unwrap().unwrap();
    let t =
        toezichthouders::add(&mut conn, "toezicht@inspectie.example", "Ina Spectie", "inspectie", "x", now).unwrap();
    (g.id, l.id, m.id, t.id)
}

#[allow(
    clippy::too_many_lines,
    reason = "builds every credential of the matrix in one place, so a reader sees the whole cast"
)]
async fn world(db: TestDb) -> World {
    let (gemachtigde_id, lezer_id, medewerker_id, toezicht_id) = seed(&db);
    let settings = Settings::for_test(
        db.url(),
        &[
            ("school_api.listen", "127.0.0.1:0"),
            ("reporting_api.listen", "127.0.0.1:0"),
            ("reporting.refresh_seconds", "3600"),
        ],
    )
    .unwrap();
    let school =
        bpv_school_api::Application::build_with_pool(&settings, db.pool().clone(), Default::default()).unwrap();
    let school_api = school.url();
    tokio::spawn(school.into_server());
    let reporting = bpv_reporting_api::Application::build_with_pool(&settings, db.pool().clone()).await.unwrap();
    let reporting_api = reporting.url();
    tokio::spawn(reporting.into_server());

    let keys = TokenKeys::new(&settings.auth);
    let now = chrono::Utc::now().timestamp();
    let api = |brin: Option<&str>, rol: TokenRol, scope: &str| {
        let spec = TokenSpec { aud: AUD_API, sub: "client", scope, brin, rol, csrf: None, ttl_seconds: 900 };
        keys.issue(&spec, now).unwrap()
    };
    let session = |aud: &str, sub: &str, brin: Option<&str>, rol: TokenRol| {
        let spec = TokenSpec { aud, sub, scope: "", brin, rol, csrf: Some("csrf-waarde"), ttl_seconds: 900 };
        keys.issue(&spec, now).unwrap()
    };
    let scopes = "bpvo:write resultaten:read";
    let school_a = api(Some("25AB"), TokenRol::School, scopes);
    let upload_a = session(AUD_UPLOAD_SESSION, &gemachtigde_id, Some("25AB"), TokenRol::Gemachtigde);
    let dashboard_a = session(AUD_DASHBOARD_SESSION, &gemachtigde_id, Some("25AB"), TokenRol::Gemachtigde);
    let dashboard_sbb = session(AUD_DASHBOARD_SESSION, &medewerker_id, None, TokenRol::Sbb);
    let dashboard_lezer = session(AUD_DASHBOARD_SESSION, &lezer_id, Some("25AB"), TokenRol::Lezer);
    let upload_lezer = session(AUD_UPLOAD_SESSION, &lezer_id, Some("25AB"), TokenRol::Lezer);
    let dashboard_toezicht = session(AUD_DASHBOARD_SESSION, &toezicht_id, None, TokenRol::Toezicht);
    let upload_toezicht = session(AUD_UPLOAD_SESSION, &toezicht_id, None, TokenRol::Toezicht);
    let bearer = |t: &str| Caller { bearer: Some(t.to_owned()), cookies: vec![] };
    let callers = BTreeMap::from([
        ("anoniem", Caller::default()),
        ("school_a", bearer(&school_a)),
        ("school_b", bearer(&api(Some("26CD"), TokenRol::School, scopes))),
        ("sbb", bearer(&api(None, TokenRol::Sbb, "resultaten:read"))),
        ("zonder_scope", bearer(&api(Some("25AB"), TokenRol::School, ""))),
        (
            "andere_aud",
            Caller {
                bearer: Some(upload_a.clone()),
                cookies: vec![format!("bpv_upload={school_a}"), format!("bpv_dashboard={school_a}")],
            },
        ),
        (
            "gemachtigde",
            Caller {
                bearer: None,
                cookies: vec![format!("bpv_upload={upload_a}"), format!("bpv_dashboard={dashboard_a}")],
            },
        ),
        (
            "lezer",
            Caller {
                bearer: None,
                cookies: vec![format!("bpv_upload={upload_lezer}"), format!("bpv_dashboard={dashboard_lezer}")],
            },
        ),
        ("medewerker", Caller { bearer: None, cookies: vec![format!("bpv_dashboard={dashboard_sbb}")] }),
        (
            "toezicht",
            Caller {
                bearer: None,
                cookies: vec![format!("bpv_upload={upload_toezicht}"), format!("bpv_dashboard={dashboard_toezicht}")],
            },
        ),
    ]);
    // A fresh connection per request: a pooled one the server just closed (keep-alive) would
    // fail a request for a reason that has nothing to do with authorization.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    // School A's bpvo A-1 and one batch, for the routes that name them.
    let r = http
        .put(format!("{school_api}/v1/bpvos/A-1"))
        .bearer_auth(&school_a)
        .json(&record("A-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let r = http
        .post(format!("{school_api}/v1/bpvo-batches"))
        .bearer_auth(&school_a)
        .json(&json!({ "records": [record("A-2")] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let location = r.headers()["location"].to_str().unwrap();
    let batch = location.rsplit('/').next().unwrap().to_owned();
    World { school_api, reporting_api, http, callers, batch, _db: db }
}

/// A record of 25AB, starting in a month and ending in ten (relative, so it never expires).
fn record(correlatie_id: &str) -> Value {
    let dag = |days| (bpvo::vandaag() + chrono::Duration::days(days)).to_string();
    json!({
        "correlatieId": correlatie_id, "leerbedrijfCode": "100200300", "creboCode": "25604",
        "startdatum": dag(30), "geplandeEinddatum": dag(300), "leerwegNaam": "BOL",
        "student": { "emailadres": "zoe@student.example", "studentcode": "1234567", "naam": "Zoë" },
        "school": { "schoolnaam": "ROC Test", "locatiecode": "123X001", "aanbiedercode": "123A456" }
    })
}

impl World {
    /// The answer `caller` gets for one row: its status, and whether it is a login form.
    async fn answer(&self, row: &Row, caller: &Caller) -> String {
        let base = if row.dienst == "school-api" { &self.school_api } else { &self.reporting_api };
        let pad = row.pad.replace("{correlatieId}", "A-1").replace("{id}", &self.batch);
        // The dashboard pages that open on a default period send every caller there first (303,
        // tested in the reporting suite); the table is about who may read them, so they are asked
        // with a period (all months).
        let pagina = ["/dashboard", "/dashboard/respons", "/dashboard/instellingen"].contains(&pad.as_str());
        let url =
            if row.methode == "GET" && pagina { format!("{base}{pad}?van=&totEnMet=") } else { format!("{base}{pad}") };
        let method = reqwest::Method::from_bytes(row.methode.as_bytes()).unwrap();
        let mut req = self.http.request(method.clone(), &url);
        if let Some(t) = &caller.bearer {
            req = req.bearer_auth(t);
        }
        if !caller.cookies.is_empty() {
            req = req.header("cookie", caller.cookies.join("; "));
        }
        req = match (row.methode.as_str(), pad.as_str()) {
            ("PUT", p) if p.starts_with("/v1/bpvos/") => req.json(&record("A-1")),
            ("POST", "/v1/bpvo-batches") => req.json(&json!({ "records": [record("A-3")] })),
            ("POST", "/oauth/token") => req.form(&[("grant_type", "client_credentials")]),
            ("POST", _) => req.form(&[("csrf", "csrf-waarde")]),
            _ => req,
        };
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let body = r.text().await.unwrap_or_default();
        if status == 200 && body.contains("/inloggen\"") && !body.contains("Uitloggen") {
            format!("{status} inlog")
        } else {
            status.to_string()
        }
    }

    /// Every operation `METHOD path` of a service's served OpenAPI document.
    async fn operations(&self, base: &str) -> BTreeSet<(String, String)> {
        let doc: Value = self.http.get(format!("{base}/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
        // A path is relative to its server: the document's (`…/v1`) or its own (the root).
        let server_path = |servers: &Value| -> String {
            let url = servers[0]["url"].as_str().unwrap();
            url.strip_prefix(base).unwrap_or_else(|| panic!("server {url} is not {base}")).to_owned()
        };
        let root = server_path(&doc["servers"]);
        let mut ops = BTreeSet::new();
        for (pad, item) in doc["paths"].as_object().unwrap() {
            let prefix = if item["servers"].is_null() { root.clone() } else { server_path(&item["servers"]) };
            for methode in item.as_object().unwrap().keys() {
                if ["get", "put", "post", "delete", "patch", "head"].contains(&methode.as_str()) {
                    ops.insert((methode.to_uppercase(), format!("{prefix}{pad}")));
                }
            }
        }
        ops
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_caller_as_the_table_says() {
    let world = world(TestDb::sqlite()).await;
    let rows = table();
    assert!(rows.len() > 20, "the table in docs/authorization.md was not read: {} rows", rows.len());
    for (dienst, base) in [("school-api", &world.school_api), ("reporting-api", &world.reporting_api)] {
        let listed: BTreeSet<(String, String)> =
            rows.iter().filter(|r| r.dienst == dienst).map(|r| (r.methode.clone(), r.pad.clone())).collect();
        let missing: Vec<_> = world.operations(base).await.difference(&listed).cloned().collect();
        assert!(missing.is_empty(), "{dienst}: operations missing from docs/authorization.md: {missing:?}");
    }
    let mut wrong = Vec::new();
    let mut actual_table = String::new();
    for row in &rows {
        let mut cells = Vec::new();
        for (caller, expected) in CALLERS.iter().zip(&row.verwacht) {
            let got = world.answer(row, &world.callers[caller]).await;
            if &got != expected {
                wrong.push(format!(
                    "{} {} {} as {caller}: expected {expected}, got {got}",
                    row.dienst, row.methode, row.pad
                ));
            }
            cells.push(got);
        }
        actual_table.push_str(&format!(
            "| {} | {} | `{}` | {} |\n",
            row.dienst,
            row.methode,
            row.pad,
            cells.join(" | ")
        ));
    }
    assert!(
        wrong.is_empty(),
        "{} answers differ from docs/authorization.md:\n{}\n\nactual:\n{actual_table}",
        wrong.len(),
        wrong.join("\n")
    );
}
