//! The survey over real HTTP on both backends: answer once, second answer and closed survey
//! refused, unknown links, validation, analysis keys kept, questionnaire version by date,
//! opt-out stopping reminders (with the dispatcher's planning), the thank-you page's national
//! figures as the results engine published them (withheld below k).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use bpv_mailing::SurveyToken;
use bpv_store::async_backend_tests;
use bpv_store::models::{InvitationRow, KwalificatieRow};
use bpv_store::repo::{bpvos, invitations, referentie, responses};
use bpv_store::testing::TestDb;
use bpv_store::{ids::new_id, now_utc};
use bpv_web::Settings;
use bpvo::{Bpvo, BpvoRecord, SchoolRecord, StudentRecord};
use chrono::{Days, NaiveDate};

struct App {
    url: String,
    http: reqwest::Client,
    db: TestDb,
}

async fn spawn(db: TestDb) -> App {
    spawn_with(db, &[]).await
}

async fn spawn_with(db: TestDb, extra: &[(&str, &str)]) -> App {
    let mut overrides: Vec<(&str, &str)> = vec![("survey.listen", "127.0.0.1:0")];
    overrides.extend_from_slice(extra);
    let settings = Settings::for_test(db.url(), &overrides).unwrap();
    let app = bpv_survey::Application::build_with_pool(&settings, db.pool().clone()).unwrap();
    let url = app.url();
    tokio::spawn(app.into_server());
    let mut conn = db.conn();
    bpv_store::testing::instelling(&mut conn, "25AB", &["123A456"], true, true);
    referentie::upsert_kwalificaties(
        &mut conn,
        &[KwalificatieRow {
            crebo: "25604".into(),
            naam: "Software developer".into(),
            niveau: 4,
            sector: "ICT".into(),
            domein: None,
        }],
    )
    .unwrap();
    drop(conn);
    App { url, http: reqwest::Client::new(), db }
}

fn today() -> NaiveDate {
    bpvo::vandaag()
}

/// A bpvo ending `eind`, an invitation for `groep` sent on `sent`, closing on `closes`; returns the raw link token.
fn invitation(
    app: &App,
    correlatie: &str,
    groep: &str,
    eind: NaiveDate,
    sent: NaiveDate,
    closes: NaiveDate,
) -> (String, String) {
    invitation_via(app, correlatie, groep, "direct", eind, sent, closes)
}

#[allow(clippy::too_many_arguments)]
fn invitation_via(
    app: &App,
    correlatie: &str,
    groep: &str,
    kanaal: &str,
    eind: NaiveDate,
    sent: NaiveDate,
    closes: NaiveDate,
) -> (String, String) {
    let mut conn = app.db.conn();
    let record = BpvoRecord {
        correlatie_id: Some(correlatie.into()),
        leerbedrijf_code: Some("100200300".into()),
        crebo_code: Some("25604".into()),
        startdatum: Some((eind - Days::new(200)).to_string()),
        geplande_einddatum: Some(eind.to_string()),
        leerweg_naam: Some("BBL".into()),
        keuzedeel_code: None,
        student: Some(StudentRecord {
            emailadres: Some("s@x.nl".into()),
            studentcode: Some("1".into()),
            naam: Some("Zoë Çelik".into()),
        }),
        school: Some(SchoolRecord {
            schoolnaam: Some("ROC Test".into()),
            locatiecode: Some("123X001".into()),
            aanbiedercode: Some("123A456".into()),
        }),
    };
    let out = bpvos::upsert_school_records(&mut conn, &[Bpvo::try_from(&record).unwrap()], now_utc()).unwrap();
    let inv = InvitationRow {
        id: new_id(),
        bpvo_id: out[0].0.clone(),
        groep: bpvo::Groep::parse(groep).unwrap(),
        kanaal: bpvo::Kanaal::parse(kanaal).unwrap(),
        status: bpv_scheduling::InvitationStatus::Verstuurd,
        scheduled_on: sent,
        closes_on: closes,
        sent_on: Some(sent),
        reminders_sent: 0,
        opted_out: false,
        answered_at: None,
        cancel_reason: None,
        created_at: now_utc(),
        updated_at: now_utc(),
    };
    invitations::insert_new(&mut conn, std::slice::from_ref(&inv)).unwrap();
    let token = SurveyToken::generate();
    invitations::add_token(&mut conn, &inv.id, &token.hash(), now_utc()).unwrap();
    (token.as_str().to_owned(), inv.id)
}

fn open_invitation(app: &App, correlatie: &str, groep: &str) -> (String, String) {
    let t = today();
    invitation(app, correlatie, groep, t + Days::new(10), t - Days::new(11), t + Days::new(52))
}

/// Every item answered: `value` for the 1–5 items, `cijfer` for the grade.
async fn full_form(app: &App, token: &str, cijfer: u8) -> HashMap<String, String> {
    let html = app.http.get(format!("{}/s/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let mut form = HashMap::new();
    for part in html.split("<input type=\"radio\" name=\"").skip(1) {
        let name = part.split('"').next().unwrap().to_owned();
        if name == "verbeterpunten" {
            continue;
        }
        form.insert(name.clone(), if name == "cijfer" { cijfer.to_string() } else { "4".to_owned() });
    }
    form.insert("verbeterpunten".into(), "Meer tijd voor begeleiding.".into());
    form
}

async fn answer_once_and_keep_the_analysis_keys(db: TestDb) {
    let app = spawn(db).await;
    let (token, inv) = open_invitation(&app, "A-1", "student");
    let page = app.http.get(format!("{}/s/{token}", app.url)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Software developer") && html.contains("<fieldset"), "context and form shown");
    assert!(!html.contains("Çelik"), "nothing more personal than the first name");
    let form = full_form(&app, &token, 8).await;
    let r = app.http.post(format!("{}/s/{token}", app.url)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    assert!(body.contains("Bedankt") && body.contains("id=\"eigen-cijfer\">8<"), "{body}");
    assert!(body.contains("nog onvoldoende antwoorden"), "one answer is too few for an average");
    let stored = responses::for_invitation(&mut app.db.conn(), &inv).unwrap().unwrap();
    let eind = today() + Days::new(10);
    assert_eq!(stored.maand, eind.format("%Y-%m").to_string());
    assert_eq!(
        (stored.aanbiedercode.as_str(), stored.locatiecode.as_deref(), stored.leerweg.as_str()),
        ("123A456", Some("123X001"), "BBL")
    );
    assert_eq!(
        (stored.crebo.as_str(), stored.sector.as_deref(), stored.groep.as_str()),
        ("25604", Some("ICT"), "student")
    );
    assert_eq!(stored.cijfer, 8);
    assert!(!stored.antwoorden.contains("Zoë"));
    // The second answer is refused plainly, and nothing changes.
    let again =
        app.http.post(format!("{}/s/{token}", app.url)).form(&full_form(&app, &token, 3).await).send().await.unwrap();
    let text = again.text().await.unwrap();
    assert!(text.contains("al ingevuld"), "{text}");
    assert_eq!(responses::count(&mut app.db.conn()).unwrap(), 1);
    assert_eq!(responses::for_invitation(&mut app.db.conn(), &inv).unwrap().unwrap().cijfer, 8);
}

async fn closed_unknown_and_invalid_are_plain_pages(db: TestDb) {
    let app = spawn(db).await;
    let t = today();
    let (closed, _) =
        invitation(&app, "C-1", "praktijkopleider", t - Days::new(60), t - Days::new(81), t - Days::new(18));
    let r = app.http.get(format!("{}/s/{closed}", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 410);
    assert!(r.text().await.unwrap().contains("gesloten"));
    let r = app.http.post(format!("{}/s/{closed}", app.url)).form(&[("cijfer", "7")]).send().await.unwrap();
    assert_eq!(r.status(), 410);
    let head = app.http.head(format!("{}/s/{closed}", app.url)).send().await.unwrap();
    assert_eq!(head.status(), 410, "HEAD answers like GET");
    let unknown = SurveyToken::generate();
    let r = app.http.get(format!("{}/s/{}", app.url, unknown.as_str())).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("kennen we niet"));
    let r = app.http.get(format!("{}/s/niet-eens-een-token", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    // Validation: the missing grade and an out-of-range item are named; nothing stored.
    let (token, _) = open_invitation(&app, "V-1", "praktijkopleider");
    let mut form = full_form(&app, &token, 7).await;
    form.remove("cijfer");
    form.insert("begeleiding_1".into(), "9".into());
    let r = app.http.post(format!("{}/s/{token}", app.url)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("role=\"alert\"")
            && html.contains("href=\"#cijfer\"")
            && html.contains("href=\"#begeleiding_1\""),
        "{html}"
    );
    assert_eq!(responses::count(&mut app.db.conn()).unwrap(), 0);
}

async fn questionnaire_version_follows_the_invitation_date(db: TestDb) {
    let app = spawn(db).await;
    let t = today();
    let (old, _) = invitation(
        &app,
        "O-1",
        "student",
        t + Days::new(10),
        NaiveDate::from_ymd_opt(2024, 6, 30).unwrap(),
        t + Days::new(40),
    );
    let (new, _) = invitation(
        &app,
        "N-1",
        "student",
        t + Days::new(10),
        NaiveDate::from_ymd_opt(2024, 7, 1).unwrap(),
        t + Days::new(40),
    );
    let old_html = app.http.get(format!("{}/s/{old}", app.url)).send().await.unwrap().text().await.unwrap();
    let new_html = app.http.get(format!("{}/s/{new}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(!old_html.contains("Sociale veiligheid") && old_html.contains("versie 2022-01"));
    assert!(
        new_html.contains("Sociale veiligheid")
            && new_html.contains("Stagediscriminatie")
            && new_html.contains("versie 2024-07")
    );
}

async fn opt_out_stops_reminders(db: TestDb) {
    let app = spawn(db).await;
    let (token, inv) = open_invitation(&app, "R-1", "student");
    // GET never changes anything (mail scanners follow links).
    let r = app.http.get(format!("{}/afmelden/{token}", app.url)).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("<form method=\"post\""));
    assert!(!invitations::by_ids(&mut app.db.conn(), std::slice::from_ref(&inv)).unwrap()[0].opted_out);
    // RFC 8058 one-click.
    let r = app
        .http
        .post(format!("{}/afmelden/{token}", app.url))
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(invitations::by_ids(&mut app.db.conn(), std::slice::from_ref(&inv)).unwrap()[0].opted_out);
    // The dispatcher's planning makes no reminder for it, also when one is due.
    let mut conn = app.db.conn();
    let outcome = bpv_dispatcher::plan(
        &mut conn,
        &bpv_scheduling::SchedulingSettings::default(),
        today() + Days::new(3),
        now_utc(),
        false,
    )
    .unwrap();
    assert_eq!(outcome.planned, 0, "{outcome:?}");
    let mails = bpv_store::repo::deliveries::for_invitations(&mut conn, std::slice::from_ref(&inv)).unwrap();
    assert!(mails.iter().all(|m| m.soort != bpv_store::Soort::Herinnering), "{mails:?}");
    // A non-opted-out invitation does get its reminder from the same planning (the test can fail).
    let (_, other) = open_invitation(&app, "R-2", "student");
    let outcome = bpv_dispatcher::plan(
        &mut conn,
        &bpv_scheduling::SchedulingSettings::default(),
        today() + Days::new(3),
        now_utc(),
        false,
    )
    .unwrap();
    assert_eq!(outcome.planned, 1, "{outcome:?}");
    let mails = bpv_store::repo::deliveries::for_invitations(&mut conn, std::slice::from_ref(&other)).unwrap();
    assert_eq!(mails.len(), 1);
}

/// Publish the national figures as the reporting service does at each publication moment: the
/// results engine over the stored answers, with threshold `k`.
fn publish(app: &App, k: u64) {
    let data = bpv_reporting_api::data::ReportData::new(bpv_aggregation::Questionnaires::builtin().unwrap(), k);
    let mut conn = app.db.conn();
    data.refresh(&mut conn).unwrap();
    data.publiceer_landelijk(&mut conn, today()).unwrap();
}

/// `n` praktijkopleiders answer (grades 7 and 8 in turn, every scale item `schaal`); returns
/// the last thank-you page.
async fn praktijkopleiders_answer(app: &App, prefix: &str, n: usize, schaal: &str) -> String {
    let mut last = String::new();
    for i in 0..n {
        let (token, _) = open_invitation(app, &format!("{prefix}-{i}"), "praktijkopleider");
        let mut form = full_form(app, &token, if i % 2 == 0 { 7 } else { 8 }).await;
        for (name, value) in &mut form {
            if name != "cijfer" && name != "verbeterpunten" {
                *value = schaal.to_owned();
            }
        }
        last = app.http.post(format!("{}/s/{token}", app.url)).form(&form).send().await.unwrap().text().await.unwrap();
    }
    last
}

/// The thank-you page shows the national figures the results engine published — the grade and
/// each theme beside the respondent's own answers — and computes none itself: before a
/// publication there are none, and an answer does not move them until the next one.
async fn the_thank_you_page_shows_the_published_national_figures(db: TestDb) {
    let app = spawn(db).await;
    let last = praktijkopleiders_answer(&app, "G", 10, "3").await;
    assert!(last.contains("nog onvoldoende antwoorden"), "{last}");
    assert!(last.contains("Er zijn nog geen landelijke cijfers gepubliceerd"), "{last}");
    publish(&app, 10);
    // The eleventh sees the published figures of the ten: grade 7,5, every theme 3,0 — beside
    // its own 4,0; its own grade 10 is not in them.
    let (token, _) = open_invitation(&app, "G-10", "praktijkopleider");
    let form = full_form(&app, &token, 10).await;
    let page = app.http.post(format!("{}/s/{token}", app.url)).form(&form).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"landelijk-cijfer\">7,5<"), "{page}");
    let rows: Vec<&str> = page.split("<tr data-thema=\"").skip(1).collect();
    assert!(rows.len() >= 3, "a row per theme with own answers: {page}");
    for row in &rows {
        assert!(row.contains("<td data-kant=\"eigen\">4,0</td>"), "{row}");
        assert!(row.contains("<td data-kant=\"landelijk\">3,0</td>"), "{row}");
    }
    let sinds = bpvo::maand_nl(today().format("%Y").to_string().parse::<i32>().unwrap() - 1, 1);
    assert!(page.contains(&format!("sinds {sinds}, zoals gepubliceerd op ")), "{page}");
    assert!(page.contains("id=\"bewaar\""), "a plain way to keep the page");
}

/// Below the configured k (`reporting.k`, here 5) the engine withholds the national figures, and
/// the page says so; from k answers they show.
async fn the_national_figures_follow_reporting_k(db: TestDb) {
    let app = spawn_with(db, &[("reporting.k", "5")]).await;
    praktijkopleiders_answer(&app, "K", 4, "2").await;
    publish(&app, 5);
    let last = praktijkopleiders_answer(&app, "K4", 1, "2").await;
    assert!(last.contains("nog onvoldoende antwoorden"), "four answers are below k = 5: {last}");
    assert!(last.contains("op minder dan 5 antwoorden wordt niet getoond"), "{last}");
    publish(&app, 5);
    let last = praktijkopleiders_answer(&app, "K5", 1, "2").await;
    assert!(last.contains("id=\"landelijk-cijfer\">7,4<"), "(7+8+7+8+7)/5: {last}");
}

/// Behind the TLS proxy every request comes from the proxy's address: the limit must follow the
/// client the trusted proxy names, or one busy client locks the whole country out. A link has a
/// limit of its own too. Over a limit: problem+json 429 with Retry-After.
#[tokio::test]
async fn rate_limits_follow_the_client_behind_a_trusted_proxy_and_each_link() {
    let get = |app: &App, path: String, client: String| {
        app.http.get(format!("{}{path}", app.url)).header("X-Forwarded-For", client).send()
    };
    // Not trusted: the forwarding header is ignored; 70 "clients" are one address, limited.
    let plain = spawn(TestDb::sqlite()).await;
    let mut limited = 0;
    for i in 0..70 {
        let r = get(&plain, format!("/s/onbekend-{i}"), format!("198.51.100.{i}")).await.unwrap();
        if r.status() == 429 {
            limited += 1;
            assert_eq!(r.headers()["content-type"], "application/problem+json");
            assert!(r.headers().contains_key("retry-after"));
        }
    }
    assert!(limited > 0, "one address over the limit is limited");
    // Trusted: each client its own limit.
    let proxied = spawn_with(TestDb::sqlite(), &[("http.trusted_proxies", "127.0.0.1")]).await;
    for i in 0..70 {
        let r = get(&proxied, format!("/s/onbekend-{i}"), format!("198.51.100.{i}")).await.unwrap();
        assert_ne!(r.status(), 429, "client {i} has its own limit");
    }
    // One link hammered from many addresses: limited per link.
    let mut limited = 0;
    for i in 0..30 {
        let r = get(&proxied, "/s/een-link".into(), format!("203.0.113.{i}")).await.unwrap();
        limited += usize::from(r.status() == 429);
    }
    assert!(limited >= 5, "per link: {limited} of 30 limited");
}

/// The praktijkopleider holds the student's link on the via-praktijkopleider channel: each
/// answer records which link it came through, so reports can split by channel.
async fn each_answer_records_the_link_it_came_through(db: TestDb) {
    let app = spawn(db).await;
    let t = today();
    let mut stored = Vec::new();
    for (correlatie, kanaal) in [("C-1", "direct"), ("C-2", "via_praktijkopleider")] {
        let (token, inv) = invitation_via(
            &app,
            correlatie,
            "student",
            kanaal,
            t + Days::new(10),
            t - Days::new(11),
            t + Days::new(52),
        );
        let form = full_form(&app, &token, 7).await;
        let r = app.http.post(format!("{}/s/{token}", app.url)).form(&form).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let row = bpv_store::repo::responses::for_invitation(&mut app.db.conn(), &inv).unwrap().unwrap();
        stored.push(row.kanaal);
    }
    assert_eq!(stored, [bpvo::Kanaal::Direct, bpvo::Kanaal::ViaPraktijkopleider]);
}

/// Liveness and readiness, as the other services answer them (an orchestrator probes all alike).
async fn health_and_ready_answer(db: TestDb) {
    let app = spawn(db).await;
    for path in ["/health", "/ready"] {
        let r = app.http.get(format!("{}{path}", app.url)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.json::<serde_json::Value>().await.unwrap()["status"], "ok", "{path}");
    }
}

/// An answer on the unsafe side of sociale veiligheid or stagediscriminatie shows, on that
/// respondent's thank-you page only, where to go: the instelling's own contact (or the national
/// text) and the national reporting point. A safe answer shows none of it; nothing extra is stored.
async fn help_follows_an_unsafe_answer_only(db: TestDb) {
    let app = spawn(db).await;
    let (safe, _) = open_invitation(&app, "V-1", "student");
    let form = full_form(&app, &safe, 8).await;
    let html = app.http.post(format!("{}/s/{safe}", app.url)).form(&form).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Bedankt!") && !html.contains("hulp-kop"), "no help after safe answers: {html}");

    // The national text while the instelling set no contact of its own.
    let (unsafe_national, _) = open_invitation(&app, "V-2", "student");
    let mut form = full_form(&app, &unsafe_national, 6).await;
    form.insert("sociale_veiligheid_2".into(), "2".into());
    let html = app
        .http
        .post(format!("{}/s/{unsafe_national}", app.url))
        .form(&form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"hulp-kop\""), "{html}");
    assert!(html.contains("vertrouwenspersoon van je school") && html.contains("Meldpunt Stagediscriminatie"));
    assert!(html.contains("SBB geeft je naam niet door"));

    // The instelling's own contact once it set one.
    bpv_store::repo::instellingen::set_contact(
        &mut app.db.conn(),
        "25AB",
        Some("Mevrouw De Wit, vertrouwenspersoon ROC Test"),
        Some("https://roc-test.example/klachten"),
        now_utc(),
    )
    .unwrap();
    let (unsafe_own, inv) = open_invitation(&app, "V-3", "student");
    let mut form = full_form(&app, &unsafe_own, 6).await;
    form.insert("stagediscriminatie_1".into(), "1".into());
    let html =
        app.http.post(format!("{}/s/{unsafe_own}", app.url)).form(&form).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Mevrouw De Wit, vertrouwenspersoon ROC Test"), "{html}");
    // minijinja writes `/` as `&#x2f;` inside the attribute: the same address for a browser.
    assert!(html.contains("<a href=\"https:&#x2f;&#x2f;roc-test.example&#x2f;klachten\">"), "{html}");
    // The answer is stored as any other: the items, nothing about the help.
    let row = responses::for_invitation(&mut app.db.conn(), &inv).unwrap().unwrap();
    assert!(row.antwoorden.contains("\"stagediscriminatie_1\":1"));
    assert!(!row.antwoorden.contains("hulp"));
}

async_backend_tests!(
    help_follows_an_unsafe_answer_only,
    health_and_ready_answer,
    each_answer_records_the_link_it_came_through,
    the_national_figures_follow_reporting_k,
    answer_once_and_keep_the_analysis_keys,
    closed_unknown_and_invalid_are_plain_pages,
    questionnaire_version_follows_the_invitation_date,
    opt_out_stops_reminders,
    the_thank_you_page_shows_the_published_national_figures,
);
