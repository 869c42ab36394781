//! The trend against hand-computed figures: per quarter and per school year, gaps where the k
//! rule withholds a figure (never zeros), the span rules, and the dashboard's chart and tables.
//!
//! Besides the fixture of `helpers` (everything in March 2024), this adds in August 2024 ten
//! answers at 25AB / L1 / BOL / 25180 (grade 9) and ten at 26CD (grade 5), each ten invited.

use bpv_store::async_backend_tests;
use bpv_store::testing::TestDb;
use chrono::NaiveDate;
use serde_json::Value;

use crate::dashboard::{login, session_cookie};
use crate::helpers::{TestApp, WACHTWOORD, cell_at, param_names, problem, spawn_app};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub(crate) async fn with_august(db: TestDb) -> TestApp {
    let app = spawn_app(db).await;
    {
        let mut conn = app.db.conn();
        cell_at(&mut conn, date(2024, 8, 15), "123A456", Some("L1"), "BOL", "25180", "student", 10, 0, 9, 5);
        cell_at(&mut conn, date(2024, 8, 15), "223A456", None, "BOL", "25180", "student", 10, 0, 5, 1);
    }
    app.refresh();
    app
}

/// (periode, instelling grade text, landelijk grade text).
fn grades(points: &Value) -> Vec<(String, String, String)> {
    points
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["periode"].as_str().unwrap().to_owned(),
                p["cijfer"]["instelling"]["tekst"].as_str().unwrap_or("-").to_owned(),
                p["cijfer"]["landelijk"]["tekst"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn s(a: &str, b: &str, c: &str) -> (String, String, String) {
    (a.into(), b.into(), c.into())
}

async fn a_school_trend_per_quarter_and_school_year(db: TestDb) {
    let app = with_august(db).await;
    let t = app.json("/v1/resultaten/trend?van=2024-01&totEnMet=2024-12", &app.school("25AB")).await;
    assert_eq!((t["selectie"]["van"].as_str(), t["selectie"]["totEnMet"].as_str()), (Some("2024-01"), Some("2024-12")));
    // K1: the fixture (22 at 25AB, grade 7,09; national 42, 7,05). K3: 10 × 9 at 25AB; national
    // (10·9 + 10·5)/20 = 7,0. K2 and K4: nobody — a gap with its reason, not a zero.
    assert_eq!(
        grades(&t["kwartalen"]),
        [
            s("2024-K1", "7,1", "7,0"),
            s("2024-K2", "geen antwoorden", "geen antwoorden"),
            s("2024-K3", "9,0", "7,0"),
            s("2024-K4", "geen antwoorden", "geen antwoorden"),
        ]
    );
    let k2 = &t["kwartalen"][1];
    assert_eq!(k2["cijfer"]["instelling"]["waarde"], Value::Null);
    assert_eq!(k2["cijfer"]["instelling"]["reden"], "geen antwoorden");
    let k3 = &t["kwartalen"][2];
    assert_eq!((k3["van"].as_str(), k3["totEnMet"].as_str()), (Some("2024-07"), Some("2024-09")));
    assert_eq!(k3["cijfer"]["instelling"]["n"], 10);
    assert_eq!(k3["respons"]["instelling"]["tekst"], "100% (10 van 10)");
    assert_eq!(k3["respons"]["landelijk"]["tekst"], "100% (20 van 20)");
    assert_eq!(t["kwartalen"][0]["respons"]["instelling"]["tekst"], "55% (22 van 40)");
    // Every theme has a score per quarter; a scale theme at K3: 25AB answered 5 everywhere.
    let thema = k3["themas"].as_array().unwrap().iter().find(|x| x["code"] != "eindwaardering").unwrap();
    assert_eq!(thema["score"]["instelling"]["tekst"], "5,0");
    assert_eq!(thema["score"]["landelijk"]["tekst"], "3,0", "(10·5 + 10·1)/20");
    // The school years whose July lies in the span: only 2023/2024 (August 2024 starts the next).
    assert_eq!(grades(&t["schooljaren"]), [s("2023/2024", "7,1", "7,0")]);
    // The calendar year counts all: 25AB (22·7,09… + 10·9)/32 = 246/32; national 436/62.
    assert_eq!(grades(&t["jaren"]), [s("2024", "7,7", "7,0")]);
    assert_eq!(t["jaren"][0]["cijfer"]["instelling"]["n"], 32);
    // A quarter of the trend is the same figure /v1/resultaten gives for that quarter.
    let r = app.json("/v1/resultaten?van=2024-07&totEnMet=2024-09", &app.school("25AB")).await;
    let eind = r["themas"].as_array().unwrap().iter().find(|x| x["code"] == "eindwaardering").unwrap();
    assert_eq!(eind["score"]["instelling"], k3["cijfer"]["instelling"]);
    assert_eq!(r["respons"], k3["respons"]);
}

/// Four answers in November at the same cell as August's ten are fewer than k for their quarter,
/// so they merge with August over the year: both quarters then count nothing there — a gap with
/// "onvoldoende respons" — while the year counts all of them.
async fn quarters_the_k_rule_withholds_are_gaps(db: TestDb) {
    let app = with_august(db).await;
    cell_at(&mut app.db.conn(), date(2024, 11, 15), "123A456", Some("L1"), "BOL", "25180", "student", 4, 0, 8, 4);
    app.refresh();
    let t = app.json("/v1/resultaten/trend?van=2024-01&totEnMet=2024-12", &app.school("25AB")).await;
    assert_eq!(
        grades(&t["kwartalen"]),
        [
            s("2024-K1", "7,1", "7,0"),
            s("2024-K2", "geen antwoorden", "geen antwoorden"),
            s("2024-K3", "onvoldoende respons", "5,0"),
            s("2024-K4", "onvoldoende respons", "onvoldoende respons"),
        ]
    );
    let k3 = &t["kwartalen"][2];
    assert_eq!(k3["cijfer"]["instelling"]["waarde"], Value::Null);
    assert_eq!(k3["respons"]["instelling"]["tekst"], "onvoldoende respons");
    let jaar = app.json("/v1/resultaten?van=2024-01&totEnMet=2024-12", &app.school("25AB")).await;
    assert_eq!(jaar["respons"]["instelling"]["beantwoord"], 36, "22 + 10 + 4");
}

async fn the_span_defaults_and_is_bounded(db: TestDb) {
    let app = with_august(db).await;
    let sbb = app.sbb();
    // No period: the twenty quarters up to the last complete one; national for SBB.
    let t = app.json("/v1/resultaten/trend", &sbb).await;
    assert_eq!(t["kwartalen"].as_array().unwrap().len(), 20);
    assert_eq!(t["schooljaren"].as_array().unwrap().len(), 5);
    assert_eq!(t["selectie"]["instelling"], Value::Null);
    assert!(t["kwartalen"][0]["cijfer"]["instelling"].is_null(), "national: no instelling side");
    // Months widen to their quarters.
    let t = app.json("/v1/resultaten/trend?van=2024-02&totEnMet=2024-08&instelling=25ab", &sbb).await;
    assert_eq!((t["selectie"]["van"].as_str(), t["selectie"]["totEnMet"].as_str()), (Some("2024-01"), Some("2024-09")));
    assert_eq!(t["kwartalen"].as_array().unwrap().len(), 3);
    // Longer than five years, and the filters' own errors, are named.
    let p = problem(app.get("/v1/resultaten/trend?van=2019-01&totEnMet=2024-12", &sbb).await, 400).await;
    assert_eq!(param_names(&p), ["van"]);
    assert!(p["invalidParams"][0]["reason"].as_str().unwrap().contains("vijf jaar"));
    let p = problem(app.get("/v1/resultaten/trend?leerweg=HBO&crebo=1&jaar=2024", &sbb).await, 400).await;
    let mut names = param_names(&p);
    names.sort();
    assert_eq!(names, ["crebo", "jaar", "leerweg"]);
    // A school cannot ask for another's trend.
    problem(app.get("/v1/resultaten/trend?instelling=26CD", &app.school("25AB")).await, 403).await;
}

async fn the_dashboard_charts_the_trend_beside_its_tables(db: TestDb) {
    let app = with_august(db).await;
    let cookie = session_cookie(&login(&app, "gemachtigde@25ab.example", WACHTWOORD).await);
    let get = |q: &'static str| {
        let (app, cookie) = (&app, &cookie);
        async move {
            let r =
                app.http.get(format!("{}/dashboard/trend{q}", app.url)).header("cookie", cookie).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, html) = get("?van=2024-01&totEnMet=2024-12").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<svg class=\"grafiek\""), "an inline chart");
    assert!(!html.contains("<script"), "no script");
    assert!(html.contains("ROC 25AB, 2024-K3: 9,0"), "a point's title carries its value");
    assert!(html.contains("<tr data-periode=\"2024-K3\"><th scope=\"row\">2024-K3</th><td data-kant=\"instelling\">9,0</td><td data-kant=\"landelijk\">7,0</td>"));
    assert!(html.contains("<tr data-periode=\"2023&#x2f;2024\">"), "(minijinja escapes the slash)");
    // K2 has no figure: the line breaks there (two pieces) and the table says why.
    let path = html.split("<g class=\"lijn instelling\"><path d=\"").nth(1).unwrap().split('"').next().unwrap();
    assert_eq!(path.matches('M').count(), 2, "{path}");
    assert!(html.contains("<td data-kant=\"instelling\">geen antwoorden</td>"));
    // Another measure: a theme score; an unknown one is refused.
    let (status, html) = get("?van=2024-01&totEnMet=2024-12&maat=eindwaardering").await;
    assert_eq!(status, 200);
    assert!(html.contains("aria-current=\"page\">Eindwaardering"), "{html}");
    let (status, _) = get("?maat=onzin").await;
    assert_eq!(status, 400);
    // Quarters have figures here, so they are the default; calendar years on request.
    assert!(html.contains("aria-current=\"page\">Per kwartaal"));
    let (status, html) = get("?van=2024-01&totEnMet=2024-12&per=jaar").await;
    assert_eq!(status, 200);
    assert!(html.contains("<figure data-per=\"jaar\">") && html.contains("ROC 25AB, 2024: 7,7"), "{html}");
    let (status, _) = get("?per=maand").await;
    assert_eq!(status, 400);
    // Without a session: the login form.
    let r = app.http.get(format!("{}/dashboard/trend", app.url)).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("action=\"/dashboard/inloggen\""));
}

async_backend_tests!(
    a_school_trend_per_quarter_and_school_year,
    quarters_the_k_rule_withholds_are_gaps,
    the_span_defaults_and_is_bounded,
    the_dashboard_charts_the_trend_beside_its_tables,
);
