//! The Praktijkloket's assessment by link, end to end on both backends: the dispatcher plans a
//! request 14 days before a begeleidingsdocument's end and mails the praktijkopleider a personal
//! link; the link opens a form of the document's werkprocessen; an incomplete form names every
//! missing choice; a complete one stores the beoordeling once (the link is then spent), and the
//! school sees it. Documents that are withdrawn, purged, already assessed or not yet due get no
//! mail; a praktijkopleider can decline.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Arc;

use bpv_mailing::MemoryMailer;
use bpv_store::async_backend_tests;
use bpv_store::models::ErkenningRow;
use bpv_store::repo::beoordelingsverzoeken as verzoeken;
use bpv_store::repo::praktijkloket::{self as loket, DocumentRow};
use bpv_store::repo::{audit, referentie};
use bpv_store::testing::TestDb;
use bpv_store::{VerzoekStatus, now_utc};
use bpv_web::Settings;
use chrono::{Days, NaiveDate};
use praktijkleren::{
    Begeleidingsdocument, Beoordelaar, Beoordeling, DocumentRecord, LeerlingRecord, PraktijkopleiderRecord,
};

const CREBO: &str = "25252";

struct App {
    url: String,
    http: reqwest::Client,
    db: TestDb,
    settings: Settings,
}

fn today() -> NaiveDate {
    bpvo::vandaag()
}

async fn spawn(db: TestDb) -> App {
    let mut settings = Settings::for_test(db.url(), &[("survey.listen", "127.0.0.1:0")]).unwrap();
    let app = bpv_survey::Application::build_with_pool(&settings, db.pool().clone()).unwrap();
    let url = app.url();
    settings.survey.public_url = Some(url.clone()); // the links in the mails point here
    tokio::spawn(app.into_server());
    let mut conn = db.conn();
    bpv_store::testing::instelling(&mut conn, "25AB", &["123A456"], true, true);
    loket::replace_dossiers(&mut conn, &praktijkleren::builtin_dossiers()).unwrap();
    referentie::insert_erkenningen(
        &mut conn,
        &[ErkenningRow {
            id: bpv_store::ids::new_id(),
            leerbedrijf_id: "200000001".into(),
            crebo: CREBO.into(),
            geldig_van: NaiveDate::from_ymd_opt(2018, 1, 1).unwrap(),
            geldig_tot: None,
            aangevraagd_op: None,
            besloten_op: None,
        }],
    )
    .unwrap();
    drop(conn);
    App { url, http: reqwest::Client::new(), db, settings }
}

/// A document `id` ending `dagen` days from today, with its praktijkopleider's address or not.
fn document(app: &App, id: &str, dagen: u64, email: Option<&str>) -> (Begeleidingsdocument, DocumentRow) {
    let dossier = loket::dossier(&mut app.db.conn(), CREBO).unwrap().unwrap();
    let werk: Vec<String> = dossier.werkprocessen().take(4).map(|(_, w)| w.code.to_string()).collect();
    let einde = today() + Days::new(dagen);
    let record = DocumentRecord {
        leerling: Some(LeerlingRecord {
            naam: Some("Zoë Çelik-de Vries".into()),
            geboortedatum: Some("2008-03-14".into()),
            doelgroep: Some("vso".into()),
        }),
        locatiecode: Some("123X001".into()),
        leerbedrijf_code: Some("200000001".into()),
        praktijkopleider: Some(PraktijkopleiderRecord {
            naam: Some("Petra Hoekstra".into()),
            emailadres: Some(email.unwrap_or("placeholder@leerbedrijf.example").into()),
        }),
        crebo_code: Some(CREBO.into()),
        werkprocessen: Some(werk),
        startdatum: Some((einde - Days::new(120)).to_string()),
        einddatum: Some(einde.to_string()),
        leerdoelen: None,
    };
    let brin = bpvo::Brin::parse("25AB").unwrap();
    let doc = Begeleidingsdocument::from_record(&brin, id, &record, |_| Some(dossier.clone())).unwrap();
    let mut row = DocumentRow::new(&doc, now_utc());
    if email.is_none() {
        row.praktijkopleider_email = None; // as after the purge
    }
    let (_, row) = loket::upsert_document(&mut app.db.conn(), row).unwrap();
    (doc, row)
}

async fn dispatch(app: &App, mailer: &Arc<MemoryMailer>) -> bpv_dispatcher::Summary {
    let d = bpv_dispatcher::Dispatcher::new(app.db.pool().clone(), app.settings.clone(), mailer.clone()).unwrap();
    let opts = bpv_dispatcher::RunOptions {
        as_of: today(),
        dry_run: false,
        limit: None,
        concurrency: 2,
        rate_per_second: None,
        progress: false,
    };
    d.run(&opts).await.unwrap()
}

/// The assessment link in a sent mail (text part), checked against the HTML part and headers.
fn link_in(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw).replace("=\r\n", "").replace("=3D", "=");
    let links: Vec<String> = text
        .match_indices("http")
        .map(|(i, _)| text[i..].chars().take_while(|c| c.is_ascii_alphanumeric() || ":/._-".contains(*c)).collect())
        .filter(|l: &String| l.contains("/b/"))
        .collect();
    let link = links.iter().find(|l| !l.ends_with("/afmelden")).expect("an assessment link in the mail").clone();
    assert!(text.contains(&format!("List-Unsubscribe: <{link}/afmelden>")), "one-click decline header in {text}");
    link
}

async fn form_fields(app: &App, link: &str) -> (String, Vec<String>) {
    let r = app.http.get(link).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let mut names: Vec<String> =
        html.split("<input type=\"radio\" name=\"").skip(1).map(|p| p.split('"').next().unwrap().to_owned()).collect();
    names.dedup();
    (html, names)
}

async fn the_praktijkopleider_assesses_once_by_the_mailed_link(db: TestDb) {
    let app = spawn(db).await;
    let (doc, row) = document(&app, "SIS-1", 10, Some("petra@leerbedrijf.example"));
    let _later = document(&app, "SIS-2", 30, Some("later@leerbedrijf.example")); // not due yet
    let mailer = Arc::new(MemoryMailer::new());

    let summary = dispatch(&app, &mailer).await;
    assert_eq!((summary.beoordelingsverzoeken, summary.sent, summary.failed), (1, 1, 0), "{summary:?}");
    let sent = mailer.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, ["petra@leerbedrijf.example"]);
    let link = link_in(&sent[0].raw);
    assert!(link.starts_with(&app.url), "{link} points at the survey service");
    let verzoek = verzoeken::for_document(&mut app.db.conn(), &row.id).unwrap().unwrap();
    assert_eq!((verzoek.status, verzoek.sent_on), (VerzoekStatus::Verstuurd, Some(today())));
    assert_eq!(verzoek.scheduled_on, row.einddatum - Days::new(14));

    // A second run plans and sends nothing more.
    let again = dispatch(&app, &mailer).await;
    assert_eq!((again.beoordelingsverzoeken, again.sent), (0, 0));

    // The form lists exactly the document's werkprocessen, under their kerntaak, prefilled name.
    let (html, fields) = form_fields(&app, &link).await;
    let expected: Vec<String> = doc.werkprocessen.iter().map(|w| format!("wp-{w}")).collect();
    assert_eq!(fields, expected);
    assert!(html.contains("Wat kan Zoë in de praktijk?"), "{html}");
    assert!(html.contains("value=\"Petra Hoekstra\""));
    assert!(!html.contains("<script"), "no script");

    // Incomplete: every missing choice is named, nothing stored.
    let mut form: HashMap<String, String> = HashMap::new();
    form.insert(expected[0].clone(), "beheerst".into());
    form.insert("beoordeeldDoor".into(), "Petra Hoekstra".into());
    let r = app.http.post(&link).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let html = r.text().await.unwrap();
    for w in &doc.werkprocessen[1..] {
        assert!(html.contains(&format!("href=\"#wp-{w}\"")), "error summary links to {w}");
    }
    assert!(html.contains("value=\"beheerst\" checked"), "the given choice is kept");
    assert!(loket::latest_beoordeling(&mut app.db.conn(), &row.id).unwrap().is_none());

    // A choice outside beheerst / nogNiet is refused the same way.
    for (i, f) in expected.iter().enumerate() {
        form.insert(f.clone(), if i == 1 { "nogNiet".into() } else { "beheerst".into() });
    }
    form.insert(expected[2].clone(), "misschien".into());
    assert_eq!(app.http.post(&link).form(&form).send().await.unwrap().status(), 400);

    // Complete: stored once, as the praktijkopleider's, with the date of today.
    form.insert(expected[2].clone(), "beheerst".into());
    let r = app.http.post(&link).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Bedankt voor uw beoordeling"), "{html}");
    assert!(html.contains(&format!("{} van de {} werkprocessen", expected.len() - 1, expected.len())));
    let stored_row = loket::latest_beoordeling(&mut app.db.conn(), &row.id).unwrap().unwrap();
    let stored = stored_row.to_domain().unwrap();
    assert_eq!(stored.rol, Beoordelaar::Praktijkopleider);
    assert_eq!(stored.datum, today());
    assert_eq!(stored.beheerst().len(), expected.len() - 1);
    assert_eq!(stored.door.as_str(), "Petra Hoekstra");
    let verzoek = verzoeken::for_document(&mut app.db.conn(), &row.id).unwrap().unwrap();
    assert_eq!(verzoek.status, VerzoekStatus::Ingevuld);
    let log = audit::list(&mut app.db.conn(), Some("25AB"), None, 10).unwrap();
    assert!(log.iter().any(|e| e.action == "beoordeling.vastgelegd" && e.actor_kind == "praktijkopleider"));

    // The link is spent: a second submission and a second look say so, nothing more is stored.
    let r = app.http.post(&link).form(&form).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("al ingevuld"));
    let r = app.http.get(&link).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("al ingevuld"));
    let newest = loket::latest_beoordeling(&mut app.db.conn(), &row.id).unwrap().unwrap();
    assert_eq!(newest.id, stored_row.id, "no second beoordeling");
}

async fn only_due_documents_without_a_beoordeling_get_a_mail(db: TestDb) {
    let app = spawn(db).await;
    let (_, ingetrokken) = document(&app, "SIS-INGETROKKEN", 10, Some("a@leerbedrijf.example"));
    loket::set_document_status(&mut app.db.conn(), &ingetrokken.id, loket::DOCUMENT_INGETROKKEN, now_utc()).unwrap();
    document(&app, "SIS-ZONDER-ADRES", 10, None);
    let (doc, beoordeeld) = document(&app, "SIS-BEOORDEELD", 10, Some("b@leerbedrijf.example"));
    let oordelen: Vec<(Option<&str>, Option<&str>)> =
        doc.werkprocessen.iter().map(|w| (Some(w.as_str()), Some("beheerst"))).collect();
    let b = Beoordeling::from_parts(
        &doc,
        Beoordelaar::School,
        Some("Mentor"),
        Some(&today().to_string()),
        &oordelen,
        today(),
    )
    .unwrap();
    loket::insert_beoordeling(&mut app.db.conn(), &loket::BeoordelingRow::new(&beoordeeld.id, &b, now_utc())).unwrap();
    document(&app, "SIS-VANDAAG", 0, Some("c@leerbedrijf.example")); // ends today: still due
    let (_, due) = document(&app, "SIS-OP-TIJD", 14, Some("d@leerbedrijf.example")); // exactly 14 days: due today
    document(&app, "SIS-TE-VROEG", 15, Some("e@leerbedrijf.example"));

    let mailer = Arc::new(MemoryMailer::new());
    let summary = dispatch(&app, &mailer).await;
    let mut to: Vec<String> = mailer.sent().into_iter().flat_map(|m| m.to).collect();
    to.sort();
    assert_eq!(to, ["c@leerbedrijf.example", "d@leerbedrijf.example"], "{summary:?}");
    assert!(verzoeken::for_document(&mut app.db.conn(), &due.id).unwrap().is_some());
    assert!(verzoeken::for_document(&mut app.db.conn(), &ingetrokken.id).unwrap().is_none());
}

async fn a_praktijkopleider_can_decline_and_a_withdrawn_document_closes_the_link(db: TestDb) {
    let app = spawn(db).await;
    let (_, row) = document(&app, "SIS-1", 10, Some("petra@leerbedrijf.example"));
    let (_, other) = document(&app, "SIS-2", 12, Some("jan@leerbedrijf.example"));
    let mailer = Arc::new(MemoryMailer::new());
    dispatch(&app, &mailer).await;
    let sent = mailer.sent();
    let link_of = |to: &str| link_in(&sent.iter().find(|m| m.to == [to]).unwrap().raw);
    let (petra, jan) = (link_of("petra@leerbedrijf.example"), link_of("jan@leerbedrijf.example"));

    // Declining: a GET only asks (mail scanners follow links), the POST records it.
    let r = app.http.get(format!("{petra}/afmelden")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(verzoeken::for_document(&mut app.db.conn(), &row.id).unwrap().unwrap().status, VerzoekStatus::Verstuurd);
    let r = app.http.post(format!("{petra}/afmelden")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(verzoeken::for_document(&mut app.db.conn(), &row.id).unwrap().unwrap().status, VerzoekStatus::Afgemeld);
    assert!(app.http.get(&petra).send().await.unwrap().text().await.unwrap().contains("niet via deze link"));

    // The school withdraws the other document: its link answers 410 and stores nothing.
    loket::set_document_status(&mut app.db.conn(), &other.id, loket::DOCUMENT_INGETROKKEN, now_utc()).unwrap();
    let r = app.http.get(&jan).send().await.unwrap();
    assert_eq!(r.status(), 410);
    let r = app.http.post(&jan).form(&[("beoordeeldDoor", "Jan")]).send().await.unwrap();
    assert_eq!(r.status(), 410);

    // Unknown and malformed tokens are a plain 404.
    for bad in ["AAAAAAAAAAAAAAAAAAAAAA", "x"] {
        let r = app.http.get(format!("{}/b/{bad}", app.url)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{bad}");
    }
}

/// A request planned but not yet sent follows its document's end date: moved later, its mail
/// waits for the new day (and the dispatcher's planning says it moved it).
async fn a_planned_request_follows_its_documents_end_date(db: TestDb) {
    let app = spawn(db).await;
    let (doc, row) = document(&app, "SIS-1", 10, Some("petra@leerbedrijf.example"));
    let mut conn = app.db.conn();
    let plan = |conn: &mut bpv_store::DbConnection| {
        bpv_dispatcher::plan_beoordelingsverzoeken(conn, &app.settings.scheduling, today(), now_utc(), false).unwrap()
    };
    assert_eq!(plan(&mut conn).planned, 1);
    let verzoek = verzoeken::for_document(&mut conn, &row.id).unwrap().unwrap();
    assert_eq!((verzoek.status, verzoek.scheduled_on), (VerzoekStatus::Gepland, row.einddatum - Days::new(14)));

    // The SIS moves the end date 30 days later before the mail went out.
    let mut later = DocumentRow::new(&doc, now_utc());
    later.einddatum = row.einddatum + Days::new(30);
    let (_, later) = loket::upsert_document(&mut conn, later).unwrap();
    let outcome = plan(&mut conn);
    assert_eq!((outcome.planned, outcome.rescheduled), (0, 1));
    let moved = verzoeken::for_document(&mut conn, &row.id).unwrap().unwrap();
    assert_eq!(moved.scheduled_on, later.einddatum - Days::new(14));
    assert_eq!(moved.closes_on, later.einddatum + Days::new(42));
    let mails: Vec<_> = bpv_store::repo::deliveries::for_verzoek(&mut conn, &moved.id).unwrap();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].next_attempt_at, moved.scheduled_on.and_time(chrono::NaiveTime::MIN));
    drop(conn);

    // So nothing goes out today.
    let mailer = Arc::new(MemoryMailer::new());
    let summary = dispatch(&app, &mailer).await;
    assert_eq!(summary.sent, 0, "{summary:?}");
}

async_backend_tests!(
    a_planned_request_follows_its_documents_end_date,
    the_praktijkopleider_assesses_once_by_the_mailed_link,
    only_due_documents_without_a_beoordeling_get_a_mail,
    a_praktijkopleider_can_decline_and_a_withdrawn_document_closes_the_link,
);
