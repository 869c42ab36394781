//! Lezers against the hand-computed fixture of `helpers`: the gemachtigde adds one on the
//! dashboard (limited to locatie L1), the lezer reads exactly L1's figures — the very figures the
//! gemachtigde gets by choosing L1 — and nothing else; removing the lezer ends its session; every
//! step is audited.

use bpv_store::async_backend_tests;
use bpv_store::repo::audit;
use bpv_store::testing::TestDb;

use crate::dashboard::{login, session_cookie};
use crate::helpers::{TestApp, WACHTWOORD, alle_maanden, spawn_app};

async fn get(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    let r = app.http.get(format!("{}{}", app.url, alle_maanden(path))).header("cookie", cookie).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn post(app: &TestApp, cookie: &str, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = app.http.post(format!("{}{path}", app.url)).header("cookie", cookie).form(form).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The value of the first `name="…" value="…"` field, or of the element with `id`.
fn between<'a>(html: &'a str, before: &str, after: &str) -> &'a str {
    let start = html.find(before).unwrap_or_else(|| panic!("{before} not in {html}")) + before.len();
    let len = html[start..].find(after).unwrap();
    &html[start..start + len]
}

#[allow(clippy::too_many_lines, reason = "one lezer's life, from the form to removal, in the order it happens")]
async fn gemachtigde_adds_a_lezer_who_reads_only_its_locatie(db: TestDb) {
    let app = spawn_app(db).await;
    let gem = session_cookie(&login(&app, "gemachtigde@25ab.example", WACHTWOORD).await);
    let (status, html) = get(&app, &gem, "/dashboard/lezers").await;
    assert_eq!(status, 200);
    assert!(html.contains("Nog geen lezers.") && html.contains("value=\"L1\""), "{html}");
    let csrf = between(&html, "name=\"csrf\" value=\"", "\"").to_owned();

    // Bad input: every reason named, nothing stored; without the form's CSRF value, nothing at all.
    let (status, html) = post(
        &app,
        &gem,
        "/dashboard/lezers",
        &[("csrf", &csrf), ("email", "gemachtigde@25ab.example"), ("naam", "Tea"), ("locatie", "L9")],
    )
    .await;
    assert_eq!(status, 400);
    assert!(html.contains("data-veld=\"email\"") && html.contains("data-veld=\"locatie\""), "{html}");
    assert!(html.contains("value=\"gemachtigde@25ab.example\""), "what was typed is kept: {html}");
    let (status, html) = post(&app, &gem, "/dashboard/lezers", &[("csrf", &csrf), ("email", "geen-adres")]).await;
    assert_eq!(status, 400);
    assert!(html.contains("data-veld=\"email\"") && html.contains("data-veld=\"naam\""), "{html}");
    let (status, _) =
        post(&app, &gem, "/dashboard/lezers", &[("csrf", "fout"), ("email", "x@y.nl"), ("naam", "X")]).await;
    assert_eq!(status, 403);

    let (status, html) = post(
        &app,
        &gem,
        "/dashboard/lezers",
        &[("csrf", &csrf), ("email", "Teamleider@25AB.example"), ("naam", "Tea Leider"), ("locatie", "l1")],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    let wachtwoord = between(&html, "<code id=\"wachtwoord\">", "</code>").to_owned();
    assert_eq!(wachtwoord.len(), 43);
    assert!(html.contains("<td>teamleider@25ab.example</td><td>Tea Leider</td><td>locatie L1</td>"), "{html}");

    let r = login(&app, "teamleider@25ab.example", &wachtwoord).await;
    assert_eq!(r.status(), 303);
    let lezer = session_cookie(&r);
    let (status, html) = get(&app, &lezer, "/dashboard").await;
    assert_eq!(status, 200);
    // L1's students: 12 of 30 answered, grade 8 — not the instelling's 22 of 40.
    assert!(html.contains("40% (12 van 30)") && !html.contains("22 van 40"), "{html}");
    assert!(!html.contains("id=\"tab-datakwaliteit\"") && !html.contains("id=\"tab-lezers\""), "{html}");
    assert!(!html.contains("verbeterpunten-link"), "{html}");
    // Exactly what the gemachtigde gets by choosing L1 (the export states the selection too).
    let (s1, own) = get(&app, &lezer, "/dashboard/export.csv").await;
    let (s2, chosen) = get(&app, &gem, "/dashboard/export.csv?locatie=L1").await;
    assert_eq!((s1, s2), (200, 200));
    assert_eq!(own, chosen);
    let (_, respons) = get(&app, &lezer, "/dashboard/respons").await;
    let l1 = "<tr data-code=\"L1\"><th scope=\"row\">Locatie Noord (L1)</th><td data-kant=\"instelling\">40% (12 van 30)</td>";
    assert!(respons.contains(l1) && !respons.contains("data-code=\"L2\""), "{respons}");
    // Outside the limit: forbidden, naming what the lezer may read.
    for path in [
        "/dashboard?locatie=L2",
        "/dashboard?aanbieder=123A457",
        "/dashboard?instelling=26CD",
        "/dashboard/trend?locatie=L2",
    ] {
        let (status, body) = get(&app, &lezer, path).await;
        assert_eq!(status, 403, "{path}: {body}");
    }
    let (_, body) = get(&app, &lezer, "/dashboard/export.csv?locatie=L2").await;
    assert!(body.contains("onderwijslocatie(s) L1"), "{body}");
    // Only the results: no record-level or other views, no managing lezers.
    for path in [
        "/dashboard/datakwaliteit",
        "/dashboard/praktijkverklaringen",
        "/dashboard/verbeterpunten",
        "/dashboard/lezers",
        "/dashboard/instellingen",
        "/dashboard/signalen",
    ] {
        let (status, body) = get(&app, &lezer, path).await;
        assert_eq!(status, 403, "{path}: {body}");
    }
    let (status, _) =
        post(&app, &lezer, "/dashboard/lezers", &[("csrf", &csrf), ("email", "x@y.nl"), ("naam", "X")]).await;
    assert_eq!(status, 403);

    // Removed: the open session stops at once.
    let (status, html) =
        post(&app, &gem, "/dashboard/lezers/verwijderen", &[("csrf", &csrf), ("email", "teamleider@25ab.example")])
            .await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"verwijderd\"") && html.contains("Eerdere lezers (1)"), "{html}");
    let (status, html) = get(&app, &lezer, "/dashboard").await;
    assert_eq!(status, 200);
    assert!(html.contains("niet meer actief"), "{html}");
    let (status, _) =
        post(&app, &gem, "/dashboard/lezers/verwijderen", &[("csrf", &csrf), ("email", "teamleider@25ab.example")])
            .await;
    assert_eq!(status, 400, "not twice");

    let mut conn = app.db.conn();
    let entries = audit::list(&mut conn, Some("25AB"), None, 100).unwrap();
    let by = |action: &str, kind: &str| entries.iter().filter(|e| e.action == action && e.actor_kind == kind).count();
    assert_eq!(by("lezer.add", "gemachtigde"), 1);
    assert_eq!(by("lezer.remove", "gemachtigde"), 1);
    assert_eq!(by("login", "lezer"), 1, "the lezer's login is audited like the others");
}

async fn a_lezer_limited_to_an_aanbieder_chooses_within_it(db: TestDb) {
    let app = spawn_app(db).await;
    {
        let mut conn = app.db.conn();
        let hash = bpv_web::credentials::hash_secret(WACHTWOORD).unwrap();
        let new = bpv_store::repo::lezers::NewLezer {
            brin: "25AB",
            email: "kwaliteit@25ab.example",
            naam: "Kwaliteit",
            password_hash: &hash,
            aanbieders: &["123A456".to_owned()],
            locaties: &[],
        };
        bpv_store::repo::lezers::add(&mut conn, &new, bpv_store::now_utc()).unwrap().unwrap();
    }
    let lezer = session_cookie(&login(&app, "kwaliteit@25ab.example", WACHTWOORD).await);
    // No choice: the whole aanbieder 123A456 (22 of 40), not 123A457's three answers.
    let (_, html) = get(&app, &lezer, "/dashboard").await;
    assert!(html.contains("55% (22 van 40)"), "{html}");
    assert!(html.contains("value=\"123A456\"") && !html.contains("value=\"123A457\""), "only its aanbieder: {html}");
    // A locatie of its aanbieder narrows further; another aanbieder is forbidden.
    let (status, html) = get(&app, &lezer, "/dashboard?locatie=L2").await;
    assert_eq!(status, 200);
    assert!(html.contains("100% (10 van 10)"), "{html}");
    let (status, _) = get(&app, &lezer, "/dashboard/respons?aanbieder=123A457").await;
    assert_eq!(status, 403);
    let (status, _) = get(&app, &lezer, "/dashboard/export.xlsx").await;
    assert_eq!(status, 200);
}

async_backend_tests!(
    gemachtigde_adds_a_lezer_who_reads_only_its_locatie,
    a_lezer_limited_to_an_aanbieder_chooses_within_it
);
