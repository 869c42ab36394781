//! `spawn_app`: the real application on a free port over a fresh database with a few schools, and
//! a client that speaks to it.

use std::sync::LazyLock;

use bpv_school_api::{Application, Limits};
use bpv_store::models::{AanbiederRow, ApiClientRow, InstellingRow};
use bpv_store::now_utc;
use bpv_store::repo::{aanbieders, api_clients, instellingen};
use bpv_store::testing::TestDb;
use bpv_web::Settings;
use chrono::NaiveDate;
use serde_json::{Value, json};

/// Every test client's secret (hashed once: argon2 is slow on purpose).
pub const SECRET: &str = "test-geheim-0123456789";
static SECRET_HASH: LazyLock<String> = LazyLock::new(|| bpv_web::credentials::hash_secret(SECRET).unwrap());

/// A running app.
pub struct TestApp {
    pub url: String,
    pub http: reqwest::Client,
    pub db: TestDb,
    pub settings: Settings,
}

/// The schools every test starts with:
/// - 25AB takes part (aanbieders 123A456, 123A457); clients `c-25ab` (bpvo:write, resultaten:read),
///   `c-25ab-read` (resultaten:read) and `c-25ab-pl` (praktijkloket:write; also `c-26cd-pl` for 26CD)
/// - 26CD takes part (aanbieder 223A456); client `c-26cd`
/// - 27EF has no verwerkersovereenkomst (323A456); client `c-27ef`
/// - 28GH has one but does not take part in directe studentbevraging (423A456); client `c-28gh`
pub async fn spawn_app(db: TestDb) -> TestApp {
    spawn_app_with(db, Limits::default()).await
}

pub async fn spawn_app_with(db: TestDb, limits: Limits) -> TestApp {
    seed(&db);
    let settings =
        Settings::for_test(db.url(), &[("school_api.listen", "127.0.0.1:0"), ("auth.revocation_refresh_seconds", "1")])
            .unwrap();
    let app = Application::build_with_pool(&settings, db.pool().clone(), limits).unwrap();
    let url = app.url();
    tokio::spawn(app.into_server());
    TestApp { url, http: reqwest::Client::new(), db, settings }
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn seed(db: &TestDb) {
    let mut conn = db.conn();
    let now = now_utc();
    let schools = [
        ("25AB", true, true, &["123A456", "123A457"][..]),
        ("26CD", true, true, &["223A456"][..]),
        ("27EF", false, true, &["323A456"][..]),
        ("28GH", true, false, &["423A456"][..]),
    ];
    for (brin, vo, direct, codes) in schools {
        instellingen::insert(
            &mut conn,
            &InstellingRow {
                brin: brin.into(),
                naam: format!("ROC {brin}"),
                oin: None,
                directe_studentbevraging: direct,
                intake_op: direct.then(|| d("2024-01-10")),
                resultaten_api: true,
                verwerkersovereenkomst_getekend_op: vo.then(|| d("2024-01-15")),
                created_at: now,
                updated_at: now,
                vertrouwenspersoon_tekst: None,
                vertrouwenspersoon_url: None,
                verbeterpunten_delen: false,
            },
        )
        .unwrap();
        for code in codes {
            aanbieders::insert(
                &mut conn,
                &AanbiederRow {
                    aanbiedercode: (*code).into(),
                    brin: brin.into(),
                    naam: format!("Aanbieder {code}"),
                    created_at: now,
                },
            )
            .unwrap();
        }
        client(&mut conn, &format!("c-{}", brin.to_lowercase()), brin, "bpvo:write resultaten:read");
    }
    client(&mut conn, "c-25ab-read", "25AB", "resultaten:read");
    client(&mut conn, "c-25ab-pl", "25AB", "praktijkloket:write");
    client(&mut conn, "c-26cd-pl", "26CD", "praktijkloket:write");
}

fn client(conn: &mut bpv_store::DbConnection, id: &str, brin: &str, scopes: &str) {
    api_clients::insert(
        conn,
        &ApiClientRow {
            client_id: id.into(),
            brin: Some(brin.into()),
            naam: id.into(),
            rol: bpv_store::Rol::School,
            scopes: scopes.into(),
            secret_hash: SECRET_HASH.clone(),
            created_at: now_utc(),
            revoked_at: None,
        },
    )
    .unwrap();
}

impl TestApp {
    /// POST /oauth/token with HTTP Basic.
    pub async fn token_response(&self, client_id: &str, secret: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/oauth/token", self.url))
            .basic_auth(client_id, Some(secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap()
    }

    /// A valid access token for a client.
    pub async fn token(&self, client_id: &str) -> String {
        let r = self.token_response(client_id, SECRET).await;
        assert_eq!(r.status(), 200, "token for {client_id}");
        r.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned()
    }

    pub fn get(&self, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.http.get(format!("{}{path}", self.url)).bearer_auth(token)
    }

    pub fn put(&self, path: &str, token: &str, body: &Value) -> reqwest::RequestBuilder {
        self.http.put(format!("{}{path}", self.url)).bearer_auth(token).json(body)
    }

    pub fn delete(&self, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.http.delete(format!("{}{path}", self.url)).bearer_auth(token)
    }

    pub fn post_batch(&self, token: &str, records: &[Value]) -> reqwest::RequestBuilder {
        self.http.post(format!("{}/v1/bpvo-batches", self.url)).bearer_auth(token).json(&json!({ "records": records }))
    }

    /// A batch with `?modus=gedeeltelijk`: the valid records are stored, the rest listed.
    pub fn post_batch_partial(&self, token: &str, records: &[Value]) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}/v1/bpvo-batches?modus=gedeeltelijk", self.url))
            .bearer_auth(token)
            .json(&json!({ "records": records }))
    }

    pub fn count_bpvos(&self) -> i64 {
        bpv_store::repo::bpvos::count(&mut self.db.conn()).unwrap()
    }
}

/// The date `days` from today, ISO. Records that must lie in the future are built from it, so
/// no test expires when the calendar moves on (`scripts/time-travel.sh` checks that).
pub fn dag(days: i64) -> String {
    (bpvo::vandaag() + chrono::Duration::days(days)).to_string()
}

/// Start and planned end of [`record`], in days from today.
pub const START: i64 = 30;
pub const EINDE: i64 = 300;

/// A valid record for aanbieder `aanbieder`; `geplandeEinddatum` well in the future.
pub fn record(aanbieder: &str, correlatie_id: &str) -> Value {
    json!({
        "correlatieId": correlatie_id,
        "leerbedrijfCode": "100200300",
        "creboCode": "25604",
        "startdatum": dag(START),
        "geplandeEinddatum": dag(EINDE),
        "leerwegNaam": "BOL",
        "student": { "emailadres": "zoe.celik@student.roc.nl", "studentcode": "1234567", "naam": "Zoë Çelik-de Vries" },
        "school": { "schoolnaam": "ROC Test", "locatiecode": "123X001", "aanbiedercode": aanbieder }
    })
}

/// Assert a problem+json answer with this status; returns the problem.
pub async fn problem(r: reqwest::Response, status: u16) -> Value {
    assert_eq!(r.status().as_u16(), status, "status");
    assert_eq!(
        r.headers().get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/problem+json"),
        "content type"
    );
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["status"], status);
    assert!(p["title"].is_string() && p["type"].is_string(), "{p}");
    assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()), "{p}");
    for ip in p["invalidParams"].as_array().into_iter().flatten() {
        for key in ["name", "code", "reason", "reasonEn"] {
            assert!(ip[key].is_string(), "invalidParams entry lacks {key}: {ip}");
        }
    }
    p
}

/// The names of the invalid params of a problem.
pub fn param_names(p: &Value) -> Vec<String> {
    p["invalidParams"].as_array().into_iter().flatten().map(|ip| ip["name"].as_str().unwrap().to_owned()).collect()
}
