//! `spawn_app`: the real application on a free port over a fresh database with two schools and
//! hand-countable answers, and tokens minted with the configured key (the school API issues the
//! same tokens; its own suite tests that).
//!
//! Students, all planned to end in March 2024 (k = 10):
//! - 25AB / 123A456 / locatie L1 / BOL / 25180 (Techniek): 12 answers, grade 8, every scale item 4;
//!   30 invited.
//! - 25AB / 123A456 / locatie L2 / BBL / 25655 (Zorg en welzijn): 10 answers, grade 6, scale 2;
//!   10 invited.
//! - 25AB / 123A457 / no locatie / BOL / 25180: 3 answers, grade 9; 5 invited. Fewer than k even
//!   over the year: never counted.
//! - 26CD / 223A456 / BOL / 25180: 20 answers, grade 7, scale 3; 25 invited.
//!
//! So 25AB: n = 22, grade (12·8 + 10·6)/22 = 7,09…; response 22 of 40 = 55%.
//! National: n = 42, grade (156 + 140)/42 = 7,047…; response 42 of 65 = 65%.
//! Praktijkopleiders: 25AB / L1: 10 answers, grade 7; 10 invited.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use bpv_aggregation::{Answers, Antwoord, ItemKind, Questionnaires};
use bpv_reporting_api::Application;
use bpv_reporting_api::data::ReportData;
use bpv_store::models::{KwalificatieRow, LocatieRow};
use bpv_store::repo::{aanbieders, gemachtigden, medewerkers, referentie, toezichthouders};
use bpv_store::testing::{Surveyed, TestDb};
use bpv_web::Settings;
use bpv_web::auth::{AUD_API, TokenKeys, TokenRol, TokenSpec};
use chrono::NaiveDate;
use serde_json::Value;

/// The password of every dashboard account.
pub const WACHTWOORD: &str = "test-wachtwoord-2026";
static HASH: LazyLock<String> = LazyLock::new(|| bpv_web::credentials::hash_secret(WACHTWOORD).unwrap());

pub struct TestApp {
    pub url: String,
    pub http: reqwest::Client,
    pub db: TestDb,
    pub keys: TokenKeys,
    pub data: std::sync::Arc<ReportData>,
    /// `https://…` of the mutual-TLS listener, when configured.
    pub mtls_url: Option<String>,
}

pub fn einde() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, 15).unwrap()
}

/// Answers to the questionnaire of March 2024: grade `cijfer`, every scale item `schaal`.
pub fn answers(cijfer: u8, schaal: u8) -> (String, String) {
    let qs = Questionnaires::builtin().unwrap();
    let q = qs.for_date(einde() - chrono::Days::new(21));
    let items: BTreeMap<String, Antwoord> = q
        .items()
        .map(|(_, i)| {
            let a = match i.kind {
                ItemKind::Cijfer => Antwoord::Cijfer(cijfer),
                ItemKind::Schaal => Antwoord::Schaal(schaal),
            };
            (i.code.clone(), a)
        })
        .collect();
    let a = Answers { version: q.version.clone(), cijfer, items, verbeterpunten: None };
    (q.version.clone(), a.to_json())
}

/// `n` answered and `extra` invited-only for one cell.
#[allow(clippy::too_many_arguments)]
pub fn cell(
    conn: &mut bpv_store::DbConnection,
    aanbieder: &str,
    locatie: Option<&str>,
    leerweg: &str,
    crebo: &str,
    groep: &str,
    n: usize,
    extra: usize,
    cijfer: u8,
    schaal: u8,
) {
    cell_at(conn, einde(), aanbieder, locatie, leerweg, crebo, groep, n, extra, cijfer, schaal);
}

/// [`cell`] for bpvo's planned to end on `einde` (the answers' month is that month).
#[allow(clippy::too_many_arguments)]
pub fn cell_at(
    conn: &mut bpv_store::DbConnection,
    einde: NaiveDate,
    aanbieder: &str,
    locatie: Option<&str>,
    leerweg: &str,
    crebo: &str,
    groep: &str,
    n: usize,
    extra: usize,
    cijfer: u8,
    schaal: u8,
) {
    let (version, json) = answers(cijfer, schaal);
    for i in 0..n + extra {
        let s = Surveyed {
            aanbiedercode: aanbieder,
            locatiecode: locatie,
            leerweg,
            crebo,
            geplande_einddatum: einde,
            groep,
            answer: (i < n).then_some((version.as_str(), i32::from(cijfer), json.as_str())),
        };
        bpv_store::testing::surveyed(conn, &s, bpv_store::now_utc());
    }
}

fn seed(db: &TestDb) {
    let mut conn = db.conn();
    bpv_store::testing::instelling(&mut conn, "25AB", &["123A456", "123A457"], true, true);
    bpv_store::testing::instelling(&mut conn, "26CD", &["223A456"], true, true);
    referentie::upsert_kwalificaties(
        &mut conn,
        &[
            KwalificatieRow {
                crebo: "25180".into(),
                naam: "Monteur".into(),
                niveau: 2,
                sector: "Techniek".into(),
                domein: None,
            },
            KwalificatieRow {
                crebo: "25655".into(),
                naam: "Verzorgende IG".into(),
                niveau: 3,
                sector: "Zorg en welzijn".into(),
                domein: None,
            },
        ],
    )
    .unwrap();
    for (code, naam) in [("L1", "Locatie Noord"), ("L2", "Locatie Zuid")] {
        aanbieders::upsert_locatie(
            &mut conn,
            &LocatieRow { locatiecode: code.into(), aanbiedercode: "123A456".into(), naam: naam.into(), plaats: None },
        )
        .unwrap();
    }
    cell(&mut conn, "123A456", Some("L1"), "BOL", "25180", "student", 12, 18, 8, 4);
    cell(&mut conn, "123A456", Some("L2"), "BBL", "25655", "student", 10, 0, 6, 2);
    cell(&mut conn, "123A457", None, "BOL", "25180", "student", 3, 2, 9, 5);
    cell(&mut conn, "223A456", None, "BOL", "25180", "student", 20, 5, 7, 3);
    cell(&mut conn, "123A456", Some("L1"), "BOL", "25180", "praktijkopleider", 10, 0, 7, 3);
    let now = bpv_store::now_utc();
    gemachtigden::add(
        &mut conn,
        &gemachtigden::NewGemachtigde {
            brin: "25AB",
            email: "gemachtigde@25ab.example",
            naam: "Gea Machtig",
            password_hash: &HASH,
        },
        now,
    )
    .unwrap();
    medewerkers::add(&mut conn, "analist@sbb.example", "Sam Analist", &HASH, now).unwrap();
    toezichthouders::add(&mut conn, "inspecteur@inspectie.example", "Ina Spectie", "inspectie", &HASH, now).unwrap();
}

/// A dashboard page's path for all months: a page asked without any period is sent to the last
/// twelve complete months (tested in `dashboard.rs`), and the fixture's answers lie in 2024.
/// Other paths, and paths that name a period, are returned as they are.
pub fn alle_maanden(path: &str) -> String {
    let (route, query) = path.split_once('?').unwrap_or((path, ""));
    let page = ["/dashboard", "/dashboard/respons", "/dashboard/instellingen"].contains(&route);
    if !page || query.split('&').any(|kv| kv.starts_with("van=") || kv.starts_with("totEnMet=")) {
        return path.to_owned();
    }
    if query.is_empty() { format!("{route}?van=&totEnMet=") } else { format!("{route}?{query}&van=&totEnMet=") }
}

pub async fn spawn_app(db: TestDb) -> TestApp {
    spawn_app_with(db, &[]).await
}

/// [`spawn_app`] with extra settings (e.g. the `mtls.*` listener).
pub async fn spawn_app_with(db: TestDb, extra: &[(&str, String)]) -> TestApp {
    seed(&db);
    let mut overrides: Vec<(&str, &str)> =
        vec![("reporting_api.listen", "127.0.0.1:0"), ("reporting.refresh_seconds", "3600")];
    overrides.extend(extra.iter().map(|(k, v)| (*k, v.as_str())));
    let settings = Settings::for_test(db.url(), &overrides).unwrap();
    let app = Application::build_with_pool(&settings, db.pool().clone()).await.unwrap();
    let url = app.url();
    let mtls_url = app.mtls_url();
    let data = app.data();
    tokio::spawn(app.into_server());
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    TestApp { url, http, db, keys: TokenKeys::new(&settings.auth), data, mtls_url }
}

impl TestApp {
    /// An API token as the school API would issue it.
    pub fn token(&self, brin: Option<&str>, rol: TokenRol, scope: &str) -> String {
        let spec = TokenSpec { aud: AUD_API, sub: "test-client", scope, brin, rol, csrf: None, ttl_seconds: 900 };
        self.keys.issue(&spec, chrono::Utc::now().timestamp()).unwrap()
    }

    pub fn school(&self, brin: &str) -> String {
        self.token(Some(brin), TokenRol::School, "resultaten:read")
    }

    pub fn sbb(&self) -> String {
        self.token(None, TokenRol::Sbb, "resultaten:read")
    }

    pub async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.http.get(format!("{}{path}", self.url)).bearer_auth(token).send().await.unwrap()
    }

    /// `GET path` that must answer 200 JSON.
    pub async fn json(&self, path: &str, token: &str) -> Value {
        let r = self.get(path, token).await;
        assert_eq!(r.status(), 200, "{path}");
        r.json().await.unwrap()
    }

    /// Absorb what was stored since the last refresh (instead of waiting for the timer).
    pub fn refresh(&self) {
        let mut conn = self.db.conn();
        self.data.refresh(&mut conn).unwrap();
    }
}

/// The grade item of a report: (instelling, landelijk).
pub fn cijfer(r: &Value) -> (&Value, &Value) {
    let item = r["themas"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["items"].as_array().unwrap())
        .find(|i| i["code"] == "cijfer")
        .unwrap();
    (&item["instelling"]["gemiddelde"], &item["landelijk"]["gemiddelde"])
}

/// Assert a problem+json answer with this status; returns the problem.
pub async fn problem(r: reqwest::Response, status: u16) -> Value {
    assert_eq!(r.status().as_u16(), status, "status");
    assert_eq!(r.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("application/problem+json"));
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["status"], status);
    assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()), "{p}");
    p
}

/// The names of the invalid params of a problem.
pub fn param_names(p: &Value) -> Vec<String> {
    p["invalidParams"].as_array().into_iter().flatten().map(|ip| ip["name"].as_str().unwrap().to_owned()).collect()
}

/// A key of 32+ bytes: the services refuse the development key on PostgreSQL.
pub use bpv_web::settings::TEST_JWT_SECRET;
