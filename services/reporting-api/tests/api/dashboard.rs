//! The dashboard over HTTP (the browser suite drives it in Chromium): login for gemachtigden and
//! SBB staff, the page shows the API's numbers, bad logins and selections are told plainly.

use bpv_store::async_backend_tests;
use bpv_store::testing::TestDb;

use crate::helpers::{TestApp, WACHTWOORD, alle_maanden, spawn_app};

pub(crate) async fn login(app: &TestApp, email: &str, wachtwoord: &str) -> reqwest::Response {
    app.http
        .post(format!("{}/dashboard/inloggen", app.url))
        .form(&[("email", email), ("wachtwoord", wachtwoord)])
        .send()
        .await
        .unwrap()
}

pub(crate) fn session_cookie(r: &reqwest::Response) -> String {
    let c = r.headers()["set-cookie"].to_str().unwrap();
    assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Path=/dashboard"), "{c}");
    c.split(';').next().unwrap().to_owned()
}

async fn page(app: &TestApp, cookie: &str, query: &str) -> (u16, String) {
    let path = alle_maanden(&format!("/dashboard{query}"));
    let r = app.http.get(format!("{}{path}", app.url)).header("cookie", cookie).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn gemachtigde_sees_own_results_beside_national(db: TestDb) {
    let app = spawn_app(db).await;
    let (status, html) = page(&app, "", "").await;
    assert_eq!(status, 200);
    assert!(html.contains("action=\"/dashboard/inloggen\""), "login form first");
    let r = login(&app, "gemachtigde@25ab.example", WACHTWOORD).await;
    assert_eq!(r.status(), 303);
    let cookie = session_cookie(&r);
    let (status, html) = page(&app, &cookie, "").await;
    assert_eq!(status, 200);
    assert!(html.contains("Resultaten ROC 25AB"), "{html}");
    assert!(html.contains("Landelijk gemiddelde"));
    assert!(html.contains("data-kant=\"instelling\">7,1<"), "the headline grade");
    assert!(html.contains("data-kant=\"landelijk\">7,0<"));
    assert!(html.contains("Respons: 55% (22 van 40)"));
    assert!(html.contains("minder dan 10 antwoorden"), "the page states the configured k");
    assert!(!html.contains("name=\"instelling\""), "a school user does not pick an instelling");
    let (_, html) = page(&app, &cookie, "?aanbieder=123A457").await;
    assert!(html.contains("onvoldoende respons"), "three answers, too few to count");
    let (_, html) = page(&app, &cookie, "?van=2025-01").await;
    assert!(html.contains("geen antwoorden"), "nobody in the period");
    let (status, html) = page(&app, &cookie, "?van=2024-13").await;
    assert_eq!(status, 400);
    assert!(html.contains("id=\"fouten\"") && html.contains("jjjj-mm"));
    let r = app.http.get(format!("{}/dashboard/export.csv", app.url)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().starts_with(b"\xEF\xBB\xBF"));
}

async fn sbb_staff_pick_an_instelling_and_bad_logins_are_refused(db: TestDb) {
    let app = spawn_app(db).await;
    let r = login(&app, "analist@sbb.example", "fout-wachtwoord").await;
    assert_eq!(r.status(), 401);
    assert!(r.text().await.unwrap().contains("E-mailadres of wachtwoord onjuist"));
    let r = login(&app, "niemand@sbb.example", WACHTWOORD).await;
    assert_eq!(r.status(), 401, "an unknown address gets the same answer");
    let r = login(&app, "analist@sbb.example", WACHTWOORD).await;
    assert_eq!(r.status(), 303);
    let cookie = session_cookie(&r);
    let (_, html) = page(&app, &cookie, "").await;
    assert!(html.contains("name=\"instelling\""));
    assert!(html.contains("Resultaten landelijk"));
    let (_, html) = page(&app, &cookie, "?instelling=26CD").await;
    assert!(html.contains("Respons: 80% (20 van 25)"), "{html}");
    // A login from another site's form is refused.
    let r = app
        .http
        .post(format!("{}/dashboard/inloggen", app.url))
        .header("origin", "https://evil.example")
        .form(&[("email", "analist@sbb.example"), ("wachtwoord", WACHTWOORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Removing the account ends the session at once.
    bpv_store::repo::medewerkers::remove(&mut app.db.conn(), "analist@sbb.example", bpv_store::now_utc()).unwrap();
    let (_, html) = page(&app, &cookie, "").await;
    assert!(html.contains("niet meer actief"));
    // Every attempt is in the audit log.
    let log = bpv_store::repo::audit::list(&mut app.db.conn(), None, None, 100).unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "login.mislukt").count(), 2, "{actions:?}");
    assert_eq!(actions.iter().filter(|a| **a == "login").count(), 1, "{actions:?}");
}

async fn logging_out_ends_the_session_on_the_server(db: TestDb) {
    let app = spawn_app(db).await;
    let r = login(&app, "analist@sbb.example", WACHTWOORD).await;
    assert_eq!(r.status(), 303);
    let cookie = session_cookie(&r);
    let (_, html) = page(&app, &cookie, "").await;
    assert!(html.contains("Uitloggen"), "logged in: {html}");
    let r = app.http.post(format!("{}/dashboard/uitloggen", app.url)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"), "the browser forgets the cookie");
    // A copy of the cookie (another tab, a shared computer) stops working too.
    let (status, html) = page(&app, &cookie, "").await;
    assert_eq!(status, 200);
    assert!(html.contains("action=\"/dashboard/inloggen\"") && !html.contains("Uitloggen"), "{html}");
    let r = app.http.get(format!("{}/dashboard/export.csv", app.url)).header("cookie", &cookie).send().await.unwrap();
    assert_ne!(r.status(), 200, "no export on an ended session");
    // Another session of the same account goes on.
    let r = login(&app, "analist@sbb.example", WACHTWOORD).await;
    let (_, html) = page(&app, &session_cookie(&r), "").await;
    assert!(html.contains("Uitloggen"));
}

/// The locatie list follows the chosen aanbieder (L1 and L2 are 123A456's; 123A457 has none).
async fn the_locatie_list_is_narrowed_to_the_chosen_aanbieder(db: TestDb) {
    let app = spawn_app(db).await;
    let cookie = session_cookie(&login(&app, "gemachtigde@25ab.example", WACHTWOORD).await);
    let locaties =
        |html: &str| ["L1", "L2"].into_iter().filter(|l| html.contains(&format!("<option value=\"{l}\""))).count();
    let (status, alle) = page(&app, &cookie, "").await;
    assert_eq!((status, locaties(&alle)), (200, 2));
    let (_, eigen) = page(&app, &cookie, "?aanbieder=123A456").await;
    assert_eq!(locaties(&eigen), 2);
    let (_, andere) = page(&app, &cookie, "?aanbieder=123A457").await;
    assert_eq!(locaties(&andere), 0, "no locatie of another aanbieder to pick");
}

/// The calendar year holding most of the last twelve complete months before today, as `jjjj-mm`
/// (the server's rule, computed here by hand).
fn standaardjaar(vandaag: chrono::NaiveDate) -> (String, String) {
    use chrono::Datelike;
    let (y, m) = (vandaag.year(), vandaag.month());
    // Complete months of this year: m - 1. At least six: this year; else the one before.
    let jaar = if m > 6 { y } else { y - 1 };
    (format!("{jaar:04}-01"), format!("{jaar:04}-12"))
}

async fn pages_open_on_a_default_calendar_year(db: TestDb) {
    let app = spawn_app(db).await;
    let cookie = session_cookie(&login(&app, "gemachtigde@25ab.example", WACHTWOORD).await);
    let get = |path: &str| app.http.get(format!("{}{path}", app.url)).header("cookie", &cookie).send();
    let vandaag = bpvo::vandaag();
    let (van, tot) = standaardjaar(vandaag);
    // Without any period: sent to the same selection with the default calendar year.
    let r = get("/dashboard?leerweg=BOL").await.unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location == format!("/dashboard?leerweg=BOL&van={van}&totEnMet={tot}") || bpvo::vandaag() != vandaag,
        "{location}"
    );
    let html = get(&location).await.unwrap().text().await.unwrap().replace("&#x2f;", "/");
    assert!(html.contains(&format!("id=\"f-van\" value=\"{van}\"")), "the field shows it: {html}");
    assert!(html.contains("id=\"standaardperiode\""), "the page says it is the default");
    // The fixture's answers lie in 2024, outside the default year.
    assert!(html.contains("geen antwoorden"), "{html}");
    // The trend is not narrowed to the default year; the other links keep it.
    assert!(html.contains("href=\"/dashboard/trend?van=&amp;totEnMet=&amp;leerweg=BOL"), "{html}");
    assert!(
        html.contains(&format!("href=\"/dashboard/respons?van={van}&amp;totEnMet={tot}&amp;leerweg=BOL")),
        "{html}"
    );
    // Both fields cleared: all months, and no hint.
    let html = get("/dashboard?van=&totEnMet=").await.unwrap().text().await.unwrap();
    assert!(html.contains("Respons: 55% (22 van 40)") && !html.contains("id=\"standaardperiode\""), "{html}");
    // A chosen period is kept as it is.
    assert_eq!(get("/dashboard?van=2024-01").await.unwrap().status(), 200);
    // The Respons tab too; a download is never redirected.
    let r = get("/dashboard/respons").await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/dashboard/respons?van="));
    assert_eq!(get("/dashboard/respons.xlsx").await.unwrap().status(), 200);
    assert_eq!(get("/dashboard/export.csv").await.unwrap().status(), 200);
}

async_backend_tests!(
    pages_open_on_a_default_calendar_year,
    the_locatie_list_is_narrowed_to_the_chosen_aanbieder,
    logging_out_ends_the_session_on_the_server,
    gemachtigde_sees_own_results_beside_national,
    sbb_staff_pick_an_instelling_and_bad_logins_are_refused
);
