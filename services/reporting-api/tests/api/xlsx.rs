//! The Excel exports of the results, the response table and the trend: read back with a
//! third-party reader (openpyxl, through `scripts/lib/xlsx-dump.py`), each holds exactly the
//! figures the JSON API gives for the same selection — numbers as numbers, withheld figures as
//! their reason (results), bands (response) or empty cells (trend). The plain HTTP rules
//! (media type, 400/401/403, the dashboard's login) run on both backends without Python.

use bpv_store::async_backend_tests;
use bpv_store::testing::TestDb;
use serde_json::Value;

use crate::dashboard::{login, session_cookie};
use crate::helpers::{TestApp, WACHTWOORD, param_names, problem, spawn_app};
use crate::trend::with_august;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// The first row of the figures' header (`report::xlsx::KOP_RIJEN`).
pub(crate) const KOP: usize = 6;

/// The workbook as openpyxl reads it: `{sheets: [{name, rows: [[[value, type, format] | null]]}]}`.
pub(crate) fn dump(bytes: &[u8]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.xlsx");
    std::fs::write(&path, bytes).unwrap();
    let venv = std::env::var("BPV_VENV").unwrap_or_else(|_| "/var/tmp/bpv-venv".into());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/lib/xlsx-dump.py");
    let out = std::process::Command::new(format!("{venv}/bin/python"))
        .arg(script)
        .arg(&path)
        .output()
        .expect("python in the venv (scripts/lib/python-tools.sh)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

async fn workbook(app: &TestApp, path: &str, token: &str) -> Value {
    let r = app.get(path, token).await;
    assert_eq!(r.status(), 200, "{path}");
    assert_eq!(r.headers()["content-type"], XLSX);
    let cd = r.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(cd.starts_with("attachment; filename=\"bpv-") && cd.ends_with(".xlsx\""), "{cd}");
    dump(&r.bytes().await.unwrap())
}

fn names(wb: &Value) -> Vec<&str> {
    wb["sheets"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect()
}

fn rows<'a>(wb: &'a Value, sheet: &str) -> &'a [Value] {
    let s = wb["sheets"].as_array().unwrap().iter().find(|s| s["name"] == sheet).unwrap();
    s["rows"].as_array().unwrap()
}

/// A cell's value (null when empty).
fn v(row: &Value, col: usize) -> &Value {
    row.get(col).and_then(|c| c.get(0)).unwrap_or(&Value::Null)
}

/// A number cell: its value, after checking openpyxl reads it as a number in `format`.
fn num(row: &Value, col: usize, format: &str) -> f64 {
    let c = &row[col];
    assert_eq!((c[1].as_str(), c[2].as_str()), (Some("n"), Some(format)), "cell {col} of {row}");
    c[0].as_f64().unwrap()
}

/// The top block every sheet has.
fn top(rows: &[Value], periode: &str) {
    assert!(v(&rows[1], 0).as_str().unwrap().starts_with("Selectie: "), "{}", rows[1]);
    assert_eq!(v(&rows[2], 0), &Value::String(format!("Periode: {periode}")));
    assert!(v(&rows[3], 0).as_str().unwrap().starts_with("Cijfers gepubliceerd op "), "{}", rows[3]);
    assert!(!v(&rows[3], 0).as_str().unwrap().contains("nog niet"), "published by the refresh");
}

/// A figure cell holds the API's `waarde` as a number, or its reason as text.
fn same_figure(row: &Value, col: usize, cijfer: &Value) {
    if cijfer.is_null() {
        assert!(v(row, col).is_null(), "no figure expected in {col} of {row}");
    } else if let Some(w) = cijfer["waarde"].as_f64() {
        assert_eq!(num(row, col, "0.0"), w, "cell {col} of {row}");
    } else {
        assert_eq!(v(row, col), &cijfer["reden"], "cell {col} of {row}");
    }
}

fn count(row: &Value, col: usize, n: &Value) {
    assert_eq!(num(row, col, "#,##0"), n.as_f64().unwrap(), "cell {col} of {row}");
}

/// One results sheet against the API's report of the same selection and group.
fn results_sheet(rows: &[Value], api: &Value) {
    top(rows, "maart 2024 t/m maart 2024");
    let respons = rows.iter().find(|r| v(r, 0) == "Respons (beantwoord van uitgenodigd)").unwrap();
    for (kant, col) in [("instelling", 4), ("landelijk", 7)] {
        let r = &api["respons"][kant];
        assert_eq!(num(respons, col, "0.0"), r["percentage"].as_f64().unwrap(), "{kant}");
        count(respons, col + 1, &r["beantwoord"]);
        count(respons, col + 2, &r["uitgenodigd"]);
    }
    let mut items = 0;
    for t in api["themas"].as_array().unwrap() {
        let rij = rows.iter().find(|r| v(r, 1) == &t["code"] && v(r, 3) == "thema").unwrap();
        same_figure(rij, 4, &t["score"]["instelling"]);
        same_figure(rij, 7, &t["score"]["landelijk"]);
        for i in t["items"].as_array().unwrap() {
            items += 1;
            let rij = rows.iter().find(|r| v(r, 1) == &i["code"] && v(r, 3) != "thema").unwrap();
            assert_eq!(v(rij, 2), &i["tekst"]);
            for (kant, col) in [("instelling", 4), ("landelijk", 7)] {
                let zijde = &i[kant];
                same_figure(rij, col, &zijde["gemiddelde"]);
                same_figure(rij, col + 1, zijde.get("eens").unwrap_or(&Value::Null));
                count(rij, col + 2, &zijde["gemiddelde"]["n"]);
            }
        }
    }
    let shown = rows.iter().skip(KOP + 4).filter(|r| !v(r, 1).is_null()).count();
    assert_eq!(shown, items + api["themas"].as_array().unwrap().len(), "one row per theme and question, no more");
}

/// The results workbook: a sheet per group, the asked group first, each exactly the API's report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs openpyxl (scripts/test.sh installs it into $BPV_VENV and runs this)"]
async fn the_results_workbook_holds_the_api_figures() {
    let app = spawn_app(TestDb::sqlite()).await;
    let school = app.school("25AB");
    let q = "van=2024-03&totEnMet=2024-03";
    let wb = workbook(&app, &format!("/v1/resultaten/export.xlsx?{q}&groep=praktijkopleiders"), &school).await;
    assert_eq!(names(&wb), ["Praktijkopleiders", "Studenten"]);
    for (sheet, groep) in [("Studenten", "studenten"), ("Praktijkopleiders", "praktijkopleiders")] {
        let api = app.json(&format!("/v1/resultaten?{q}&groep={groep}"), &school).await;
        results_sheet(rows(&wb, sheet), &api);
    }
    // The praktijkopleiders of 25AB: ten answers, so figures; national the same ten.
    let po = rows(&wb, "Praktijkopleiders");
    let cijfer = po.iter().find(|r| v(r, 1) == "cijfer").unwrap();
    assert_eq!((num(cijfer, 4, "0.0"), num(cijfer, 7, "0.0")), (7.0, 7.0));
}

/// One split of a response sheet against the API's rows.
fn response_rows(rows: &[Value], groep: &Value) {
    let totaal = rows.iter().find(|r| v(r, 0) == "totaal").unwrap();
    response_cells(totaal, &groep["totaal"]);
    for d in groep["per"].as_array().unwrap() {
        let kop = format!("Per {}", d["indeling"].as_str().unwrap());
        let start = rows.iter().position(|r| v(r, 0) == kop.as_str()).unwrap();
        let api_rows = d["rijen"].as_array().unwrap();
        for (rij, api) in rows[start + 1..].iter().zip(api_rows) {
            assert_eq!(v(rij, 0), &api["code"]);
            response_cells(rij, api);
        }
        assert!(rows.get(start + 1 + api_rows.len()).is_none_or(|r| v(r, 0).is_null()), "no extra rows after {kop}");
    }
}

fn response_cells(rij: &Value, api: &Value) {
    for (kant, col) in [("instelling", 2), ("landelijk", 5)] {
        let c = &api[kant];
        match c["percentage"].as_f64() {
            Some(p) => assert_eq!(num(rij, col, "0.0"), p),
            None => assert!(v(rij, col).is_null(), "no percentage below k: {rij}"),
        }
        for (i, veld) in ["beantwoord", "uitgenodigd"].into_iter().enumerate() {
            if c[veld].is_null() {
                let band = v(rij, col + 1 + i).as_str().unwrap();
                assert!(band.starts_with("< ") || band == "—", "a band, never the count: {band}");
            } else {
                count(rij, col + 1 + i, &c[veld]);
            }
        }
    }
}

/// The response workbook: a sheet per group; exact counts as numbers, small counts as bands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs openpyxl (scripts/test.sh installs it into $BPV_VENV and runs this)"]
async fn the_response_workbook_holds_the_api_figures_and_bands() {
    let app = spawn_app(TestDb::sqlite()).await;
    let school = app.school("25AB");
    let wb = workbook(&app, "/v1/respons/export.xlsx", &school).await;
    assert_eq!(names(&wb), ["Studenten", "Praktijkopleiders"]);
    let api = app.json("/v1/respons", &school).await;
    for (sheet, groep) in names(&wb).into_iter().zip(api["groepen"].as_array().unwrap()) {
        let r = rows(&wb, sheet);
        top(r, "alle maanden");
        response_rows(r, groep);
    }
    // 123A457: three answered of five at 25AB — the band, in both count cells.
    let st = rows(&wb, "Studenten");
    let klein = st.iter().find(|r| v(r, 0) == "123A457").unwrap();
    assert_eq!((v(klein, 3).as_str(), v(klein, 4).as_str()), (Some("< 10"), Some("< 10")));
}

/// The trend workbook: a sheet per series, a row per period; a withheld figure an empty cell.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs openpyxl (scripts/test.sh installs it into $BPV_VENV and runs this)"]
async fn the_trend_workbook_holds_the_api_figures_with_gaps() {
    let app = with_august(TestDb::sqlite()).await;
    let school = app.school("25AB");
    let q = "van=2024-01&totEnMet=2024-12";
    let wb = workbook(&app, &format!("/v1/resultaten/trend/export.xlsx?{q}"), &school).await;
    assert_eq!(names(&wb), ["Kwartalen", "Jaren", "Schooljaren"]);
    let api = app.json(&format!("/v1/resultaten/trend?{q}"), &school).await;
    let mut figures = 0;
    for (sheet, key) in [("Kwartalen", "kwartalen"), ("Jaren", "jaren"), ("Schooljaren", "schooljaren")] {
        let r = rows(&wb, sheet);
        top(r, "januari 2024 t/m december 2024");
        let kop: Vec<&Value> = (0..r[KOP].as_array().unwrap().len()).map(|c| v(&r[KOP], c)).collect();
        let punten = api[key].as_array().unwrap();
        assert_eq!(r.len(), KOP + 1 + punten.len(), "{sheet}: one row per period");
        for (rij, p) in r[KOP + 1..].iter().zip(punten) {
            assert_eq!(v(rij, 0), &p["periode"]);
            let mut check = |col: usize, c: &Value| match c["waarde"].as_f64() {
                Some(w) => {
                    figures += 1;
                    assert_eq!(num(rij, col, "0.0"), w, "{sheet} {} col {col}", p["periode"]);
                }
                None => assert!(v(rij, col).is_null(), "a gap, never a zero: {sheet} {} col {col}", p["periode"]),
            };
            check(3, &p["cijfer"]["instelling"]);
            check(4, &p["cijfer"]["landelijk"]);
            for t in p["themas"].as_array().unwrap() {
                let naam = t["naam"].as_str().unwrap();
                let col = kop.iter().position(|k| k.as_str() == Some(&format!("{naam} selectie"))).unwrap();
                check(col, &t["score"]["instelling"]);
                check(col + 1, &t["score"]["landelijk"]);
            }
        }
    }
    assert!(figures > 10, "the fixture has figures in K1, K3 and 2024: {figures}");
    // K2 has no answers: the grade cells are empty.
    let k2 = rows(&wb, "Kwartalen").iter().find(|r| v(r, 0) == "2024-K2").unwrap();
    assert!(v(k2, 3).is_null() && v(k2, 4).is_null());
}

async fn the_exports_follow_the_api_rules(db: TestDb) {
    let app = spawn_app(db).await;
    let school = app.school("25AB");
    for path in ["/v1/resultaten/export.xlsx", "/v1/respons/export.xlsx", "/v1/resultaten/trend/export.xlsx"] {
        let r = app.get(path, &school).await;
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], XLSX, "{path}");
        let bytes = r.bytes().await.unwrap();
        assert!(bytes.starts_with(b"PK\x03\x04"), "{path}: a zip container");
        // Bad input names the field; another school's instelling is refused; no token is 401.
        let p = problem(app.get(&format!("{path}?leerweg=XYZ&van=2024-13"), &school).await, 400).await;
        let mut bad = param_names(&p);
        bad.sort();
        assert_eq!(bad, ["leerweg", "van"], "{path}");
        problem(app.get(&format!("{path}?instelling=26CD"), &school).await, 403).await;
        let r = app.http.get(format!("{}{path}", app.url)).send().await.unwrap();
        problem(r, 401).await;
    }
    // The dashboard's downloads need a login and give the same workbooks.
    for path in ["/dashboard/export.xlsx", "/dashboard/respons.xlsx", "/dashboard/trend.xlsx"] {
        let r = app.http.get(format!("{}{path}", app.url)).send().await.unwrap();
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        assert!(status == 401 || body.contains("Inloggen"), "{path}: {status}");
    }
    let cookie = session_cookie(&login(&app, "gemachtigde@25ab.example", WACHTWOORD).await);
    for path in ["/dashboard/export.xlsx", "/dashboard/respons.xlsx", "/dashboard/trend.xlsx"] {
        let r = app.http.get(format!("{}{path}?leerweg=BOL", app.url)).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], XLSX, "{path}");
    }
    let r = app.http.get(format!("{}/dashboard/export.xlsx?van=2024-13", app.url)).header("cookie", &cookie).send();
    problem(r.await.unwrap(), 400).await;
}

/// Every result states its period and when its figures were published.
async fn results_state_their_publication(db: TestDb) {
    let app = spawn_app(db).await;
    let school = app.school("25AB");
    // The first load published the national figures for the survey's thank-you page: whole
    // calendar years from last January (the fixture's March 2024 lies before them).
    let landelijk = bpv_store::repo::landelijk::voor_groep(&mut app.db.conn(), "student").unwrap();
    assert_eq!(landelijk[0].code, "cijfer");
    let year: i32 = chrono::Datelike::year(&bpvo::vandaag());
    assert_eq!(
        (landelijk[0].van.clone(), landelijk[0].tot_en_met.clone()),
        (format!("{}-01", year - 1), format!("{}-12", year + 1))
    );
    assert!(landelijk.iter().all(|c| c.waarde.is_none() && c.n == 0), "{landelijk:?}");
    assert!(landelijk.len() > 3, "the grade and every theme");
    let first = app.json("/v1/resultaten", &school).await["gepubliceerdOp"].clone();
    // Nothing new: the same figures keep their date. A new answer publishes anew.
    app.refresh();
    assert_eq!(app.json("/v1/resultaten", &school).await["gepubliceerdOp"], first);
    let before = chrono::Utc::now();
    crate::helpers::cell(&mut app.db.conn(), "223A456", None, "BOL", "25180", "student", 1, 0, 7, 3);
    app.refresh();
    for path in ["/v1/resultaten", "/v1/respons", "/v1/resultaten/trend"] {
        let j = app.json(path, &school).await;
        let at: chrono::DateTime<chrono::Utc> = j["gepubliceerdOp"].as_str().unwrap().parse().unwrap();
        assert!(at >= before && at <= chrono::Utc::now(), "{path}: {at}");
    }
    let cookie = session_cookie(&login(&app, "gemachtigde@25ab.example", WACHTWOORD).await);
    for (path, periode) in [
        ("/dashboard?van=2024-01&totEnMet=2024-06", "januari 2024 t/m juni 2024"),
        ("/dashboard/respons?van=&totEnMet=", "alle maanden"),
        ("/dashboard/trend?van=2024-01&totEnMet=2024-12", "januari 2024 t/m december 2024"),
    ] {
        let r = app.http.get(format!("{}{path}", app.url)).header("cookie", &cookie).send().await.unwrap();
        let html = r.text().await.unwrap().replace("&#x2f;", "/");
        assert!(html.contains(&format!("<span id=\"periode\">{periode}</span>")), "{path}");
        assert!(html.contains("Cijfers gepubliceerd op <span id=\"gepubliceerd\">"), "{path}");
        assert!(!html.contains("nog niet gepubliceerd"), "{path}");
    }
}
async_backend_tests!(the_exports_follow_the_api_rules, results_state_their_publication);
