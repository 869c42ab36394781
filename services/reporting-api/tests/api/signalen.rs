//! The safety signal on the dashboard: SBB staff see a leerbedrijf where three distinct
//! respondents among ten answered on the unsafe side, banded; a leerbedrijf with fewer than k
//! answers is never shown, however its answers read; a school never sees the tab; every read is
//! audited.

use std::collections::BTreeMap;

use bpv_aggregation::{Answers, Antwoord, ItemKind, Questionnaires};
use bpv_store::async_backend_tests;
use bpv_store::repo::audit;
use bpv_store::testing::{Surveyed, TestDb};

use crate::helpers::{TestApp, WACHTWOORD, einde, spawn_app};

/// A 2024-07 answer, every scale item 4, `sociale_veiligheid_1` set to `veilig`.
fn answer(veilig: u8) -> String {
    let qs = Questionnaires::builtin().unwrap();
    let q = qs.by_version("2024-07").unwrap();
    let mut items: BTreeMap<String, Antwoord> = q
        .items()
        .map(|(_, i)| {
            let a = match i.kind {
                ItemKind::Cijfer => Antwoord::Cijfer(7),
                ItemKind::Schaal => Antwoord::Schaal(4),
            };
            (i.code.clone(), a)
        })
        .collect();
    items.insert("sociale_veiligheid_1".into(), Antwoord::Schaal(veilig));
    Answers { version: q.version.clone(), cijfer: 7, items, verbeterpunten: None }.to_json()
}

/// `n` students answered about `leerbedrijf`, the first `onveilig` of them on the unsafe side.
fn bedrijf(app: &TestApp, leerbedrijf: &str, n: usize, onveilig: usize) {
    let mut conn = app.db.conn();
    for i in 0..n {
        let json = answer(if i < onveilig { 1 } else { 4 });
        let s = Surveyed {
            aanbiedercode: "223A456",
            locatiecode: None,
            leerweg: "BOL",
            crebo: "25655",
            geplande_einddatum: einde(),
            groep: "student",
            answer: Some(("2024-07", 7, json.as_str())),
        };
        let inv = bpv_store::testing::surveyed(&mut conn, &s, bpv_store::now_utc());
        bpv_store::testing::set_leerbedrijf(&mut conn, &inv, leerbedrijf);
    }
}

async fn page(app: &TestApp, email: &str, query: &str) -> (u16, String) {
    let login = app
        .http
        .post(format!("{}/dashboard/inloggen", app.url))
        .form(&[("email", email), ("wachtwoord", WACHTWOORD)])
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let r = app.http.get(format!("{}/dashboard{query}", app.url)).header("cookie", cookie).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn sbb_sees_flagged_leerbedrijven_banded_and_schools_never(db: TestDb) {
    let app = spawn_app(db).await;
    bedrijf(&app, "300400500", 10, 3); // flagged: 3 distinct of 10
    bedrijf(&app, "300400600", 9, 9); // every answer unsafe, but fewer than k = 10: never
    bedrijf(&app, "300400700", 12, 2); // two are not enough

    let (status, html) = page(&app, "analist@sbb.example", "/signalen?tot=2024-12").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("data-leerbedrijf=\"300400500\""), "{html}");
    assert!(!html.contains("300400600") && !html.contains("300400700"), "{html}");
    assert!(html.contains("<td class=\"num\">3–4</td><td class=\"num\">10–19</td>"), "banded: {html}");
    assert!(html.contains("2023-01 t/m 2024-12"));
    let log = audit::list(&mut app.db.conn(), None, None, 20).unwrap();
    let read = log.iter().find(|e| e.action == "signalen.gelezen").expect("the read is audited");
    assert_eq!((read.actor_kind.as_str(), read.row_count), ("medewerker", Some(1)));

    // The window moves on: answers of March 2024 are outside a window ending in 2026-06.
    let (_, html) = page(&app, "analist@sbb.example", "/signalen?tot=2026-06").await;
    assert!(html.contains("id=\"geen-signalen\""), "{html}");
    let (status, _) = page(&app, "analist@sbb.example", "/signalen?tot=2024-13").await;
    assert_eq!(status, 400);

    // A school: no tab in its menu, and the page itself is refused.
    let (_, html) = page(&app, "gemachtigde@25ab.example", "").await;
    assert!(!html.contains("/dashboard/signalen"), "{html}");
    let (status, html) = page(&app, "gemachtigde@25ab.example", "/signalen?tot=2024-12").await;
    assert_eq!(status, 403);
    assert!(!html.contains("300400500"));
}

async_backend_tests!(sbb_sees_flagged_leerbedrijven_banded_and_schools_never);
