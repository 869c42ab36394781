//! SBB's overview across schools against the hand-computed fixture of `helpers` (March 2024):
//! 25AB counts 22 students (12 × grade 8 at L1, 10 × grade 6 at L2) of 40 invited, grade
//! 156/22 = 7,09; 26CD counts 20 × grade 7 of 25 invited; national 296/42 = 7,05 of 65. The
//! three answers at 123A457 lie in a group below k and count nowhere. Every row equals what
//! `/v1/resultaten?instelling=…` gives; sorting, SBB-only access, bad input, the CSV, the
//! workbook (openpyxl) and the dashboard tab.

use bpv_store::async_backend_tests;
use bpv_store::testing::TestDb;
use serde_json::Value;

use crate::dashboard::{login, session_cookie};
use crate::helpers::{TestApp, WACHTWOORD, alle_maanden, param_names, problem, spawn_app};

/// (code, grade waarde, grade n, respons tekst) per row, national first.
fn rows(o: &Value) -> Vec<(String, Option<f64>, u64, String)> {
    std::iter::once(&o["landelijk"])
        .chain(o["instellingen"].as_array().unwrap())
        .map(|r| {
            (
                r["code"].as_str().unwrap().to_owned(),
                r["cijfer"]["waarde"].as_f64(),
                r["cijfer"]["n"].as_u64().unwrap(),
                r["respons"]["tekst"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn row(code: &str, w: Option<f64>, n: u64, respons: &str) -> (String, Option<f64>, u64, String) {
    (code.into(), w, n, respons.into())
}

fn order(o: &Value) -> Vec<&str> {
    o["instellingen"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect()
}

/// Every row's grade and theme scores are the instelling's own report's.
async fn rows_equal_the_reports(app: &TestApp, o: &Value, query: &str) {
    for r in o["instellingen"].as_array().unwrap() {
        let code = r["code"].as_str().unwrap();
        let report = app.json(&format!("/v1/resultaten?instelling={code}&{query}"), &app.sbb()).await;
        let (own, _) = crate::helpers::cijfer(&report);
        assert_eq!(r["cijfer"], *own, "{code}: the grade of its own report");
        for t in report["themas"].as_array().unwrap() {
            let here = r["themas"].as_array().unwrap().iter().find(|x| x["code"] == t["code"]).unwrap();
            assert_eq!(here["score"], t["score"]["instelling"], "{code} {}", t["code"]);
        }
        assert_eq!(r["respons"], report["respons"]["instelling"], "{code}: response");
    }
}

async fn sbb_sees_every_instelling_beside_national(db: TestDb) {
    let app = spawn_app(db).await;
    let o = app.json("/v1/resultaten/instellingen?sorteer=cijfer", &app.sbb()).await;
    assert_eq!(
        (o["k"].as_u64(), o["sorteer"].as_str(), o["richting"].as_str()),
        (Some(10), Some("cijfer"), Some("af"))
    );
    assert!(o["selectie"]["instelling"].is_null());
    assert_eq!(
        rows(&o),
        [
            row("landelijk", Some(7.05), 42, "65% (42 van 65)"),
            row("25AB", Some(7.09), 22, "55% (22 van 40)"),
            row("26CD", Some(7.0), 20, "80% (20 van 25)"),
        ]
    );
    assert_eq!(o["instellingen"][0]["naam"], "ROC 25AB");
    assert!(o["themas"].as_array().unwrap().len() >= 3, "{}", o["themas"]);
    rows_equal_the_reports(&app, &o, "").await;
    // The other directions and columns.
    let op = app.json("/v1/resultaten/instellingen?sorteer=cijfer&richting=op", &app.sbb()).await;
    assert_eq!(order(&op), ["26CD", "25AB"]);
    let respons = app.json("/v1/resultaten/instellingen?sorteer=respons", &app.sbb()).await;
    assert_eq!(order(&respons), ["26CD", "25AB"], "80% before 55%");
    let naam = app.json("/v1/resultaten/instellingen?sorteer=naam&richting=af", &app.sbb()).await;
    assert_eq!(order(&naam), ["26CD", "25AB"]);

    // Praktijkopleiders: only 25AB has answers (10 × grade 7); 26CD has none and comes last
    // whichever way the grade is sorted.
    for richting in ["op", "af"] {
        let po = app
            .json(
                &format!("/v1/resultaten/instellingen?groep=praktijkopleiders&sorteer=cijfer&richting={richting}"),
                &app.sbb(),
            )
            .await;
        assert_eq!(
            rows(&po),
            [
                row("landelijk", Some(7.0), 10, "100% (10 van 10)"),
                row("25AB", Some(7.0), 10, "100% (10 van 10)"),
                row("26CD", None, 0, "—")
            ]
        );
        assert_eq!(po["instellingen"][1]["cijfer"]["reden"], "geen antwoorden");
    }
    // BBL: 25AB's ten at L2 (grade 6); 26CD has none.
    let bbl = app.json("/v1/resultaten/instellingen?leerweg=BBL", &app.sbb()).await;
    assert_eq!(order(&bbl), ["25AB", "26CD"], "by name by default");
    assert_eq!(bbl["instellingen"][0]["cijfer"]["waarde"], 6.0);
    assert_eq!(bbl["landelijk"]["cijfer"]["waarde"], 6.0);
    rows_equal_the_reports(&app, &bbl, "leerweg=BBL").await;
}

async fn only_sbb_and_only_national_selections(db: TestDb) {
    let app = spawn_app(db).await;
    for path in [
        "/v1/resultaten/instellingen",
        "/v1/resultaten/instellingen/export.csv",
        "/v1/resultaten/instellingen/export.xlsx",
    ] {
        let p = problem(app.get(path, &app.school("25AB")).await, 403).await;
        assert!(p["detail"].as_str().unwrap().contains("alleen voor SBB"), "{p}");
        let p = problem(app.get(&format!("{path}?instelling=25AB"), &app.sbb()).await, 400).await;
        assert_eq!(param_names(&p), ["instelling"], "{path}");
        let p = problem(app.get(&format!("{path}?aanbieder=123A456&locatie=L1"), &app.sbb()).await, 400).await;
        assert_eq!(param_names(&p), ["aanbieder", "locatie"], "{path}");
        let p = problem(app.get(&format!("{path}?sorteer=postcode&richting=omhoog"), &app.sbb()).await, 400).await;
        assert_eq!(param_names(&p), ["sorteer", "richting"], "{path}");
        let p = problem(app.get(&format!("{path}?van=2024-13"), &app.sbb()).await, 400).await;
        assert_eq!(param_names(&p), ["van"], "{path}");
        problem(app.get(&format!("{path}?onbekend=1"), &app.sbb()).await, 400).await;
    }
}

async fn the_csv_lists_national_first(db: TestDb) {
    let app = spawn_app(db).await;
    let r = app.get("/v1/resultaten/instellingen/export.csv?sorteer=cijfer", &app.sbb()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let body = r.text().await.unwrap();
    let lines: Vec<&str> = body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 4, "{body}");
    let kop: Vec<&str> = lines[0].split(';').collect();
    assert_eq!(&kop[..4], ["instelling", "naam", "cijfer", "cijfer_n"]);
    assert_eq!(&kop[kop.len() - 4..], ["respons_pct", "beantwoord", "uitgenodigd", "toelichting"]);
    assert!(lines[1].starts_with("landelijk;Landelijk;7,05;42;"), "{}", lines[1]);
    assert!(lines[1].contains(";64,6;42;65;"), "{}", lines[1]);
    assert!(lines[2].starts_with("25AB;ROC 25AB;7,09;22;"), "{}", lines[2]);
    assert!(lines[3].starts_with("26CD;ROC 26CD;7,00;20;"), "{}", lines[3]);
    // A withheld figure is empty with its reason.
    let po = app.get("/v1/resultaten/instellingen/export.csv?groep=praktijkopleiders", &app.sbb()).await;
    let body = po.text().await.unwrap();
    let cd = body.lines().find(|l| l.starts_with("26CD")).unwrap();
    assert!(cd.starts_with("26CD;ROC 26CD;;0;"), "{cd}");
    assert!(cd.contains("cijfer: geen antwoorden"), "{cd}");
}

async fn the_instellingen_tab(db: TestDb) {
    let app = spawn_app(db).await;
    let medewerker = session_cookie(&login(&app, "analist@sbb.example", WACHTWOORD).await);
    let get = |path: &'static str, cookie: String| {
        let http = app.http.clone();
        let url = format!("{}{}", app.url, alle_maanden(path));
        async move { http.get(url).header("cookie", cookie).send().await.unwrap() }
    };
    let r = get("/dashboard/instellingen?sorteer=cijfer", medewerker.clone()).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("<tr data-instelling=\"landelijk\" class=\"landelijk\">"), "{html}");
    let pos = |code: &str| html.find(&format!("data-instelling=\"{code}\"")).unwrap();
    assert!(pos("25AB") < pos("26CD"), "7,1 before 7,0");
    assert!(html.contains("aria-sort=\"descending\" data-kolom=\"cijfer\""), "the sorted column says so");
    assert!(html.contains(">7,1</td>") && html.contains(">55% (22 van 40)</td>"));
    assert!(html.contains("id=\"tab-signalen\""), "SBB's tabs");
    for (path, soort) in [
        ("/dashboard/instellingen.csv", "text/csv; charset=utf-8"),
        ("/dashboard/instellingen.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ] {
        let r = get(path, medewerker.clone()).await;
        assert_eq!((r.status().as_u16(), r.headers()["content-type"].to_str().unwrap()), (200, soort), "{path}");
    }
    // A gemachtigde has no such tab and gets a 403.
    let gemachtigde = session_cookie(&login(&app, "gemachtigde@25ab.example", WACHTWOORD).await);
    let r = get("/dashboard", gemachtigde.clone()).await;
    assert!(!r.text().await.unwrap().contains("tab-instellingen"));
    assert_eq!(get("/dashboard/instellingen", gemachtigde).await.status(), 403);
}

async_backend_tests!(
    sbb_sees_every_instelling_beside_national,
    only_sbb_and_only_national_selections,
    the_csv_lists_national_first,
    the_instellingen_tab
);

/// The workbook, read back with openpyxl, holds the API's rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs openpyxl (scripts/test.sh installs it into $BPV_VENV and runs this)"]
async fn the_overview_workbook_holds_the_api_figures() {
    let app = spawn_app(TestDb::sqlite()).await;
    let o = app.json("/v1/resultaten/instellingen?sorteer=cijfer", &app.sbb()).await;
    let r = app.get("/v1/resultaten/instellingen/export.xlsx?sorteer=cijfer", &app.sbb()).await;
    assert_eq!(r.status(), 200);
    let wb = crate::xlsx::dump(&r.bytes().await.unwrap());
    let sheet = &wb["sheets"][0];
    assert_eq!(sheet["name"], "Instellingen");
    let rows = sheet["rows"].as_array().unwrap();
    let data = &rows[crate::xlsx::KOP + 1..];
    let api: Vec<&Value> = std::iter::once(&o["landelijk"]).chain(o["instellingen"].as_array().unwrap()).collect();
    assert_eq!(data.len(), api.len());
    for (rij, a) in data.iter().zip(api) {
        assert_eq!(rij[0][0], a["code"]);
        assert_eq!(rij[2][0].as_f64(), a["cijfer"]["waarde"].as_f64(), "{rij}");
        assert_eq!(rij[2][1], "n");
        for (i, t) in a["themas"].as_array().unwrap().iter().enumerate() {
            assert_eq!(rij[4 + i][0].as_f64(), t["score"]["waarde"].as_f64(), "{rij} {}", t["code"]);
        }
    }
}
