//! Response monitoring against the hand-computed fixture of `helpers`: per aanbieder, locatie,
//! leerweg, sector and kwalificatie, school beside national, small counts as bands.

use bpv_store::async_backend_tests;
use bpv_store::testing::TestDb;
use serde_json::Value;

use crate::dashboard::{login, session_cookie};
use crate::helpers::{WACHTWOORD, param_names, problem, spawn_app};

/// The rows of one split: (code, instelling tekst, landelijk tekst).
fn rijen(groep: &Value, indeling: &str) -> Vec<(String, String, String)> {
    let d = groep["per"].as_array().unwrap().iter().find(|d| d["indeling"] == indeling);
    d.map(|d| {
        d["rijen"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["code"].as_str().unwrap().to_owned(),
                    r["instelling"]["tekst"].as_str().unwrap_or("-").to_owned(),
                    r["landelijk"]["tekst"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    })
    .unwrap_or_default()
}

fn s(a: &str, b: &str, c: &str) -> (String, String, String) {
    (a.into(), b.into(), c.into())
}

async fn a_school_sees_where_invitations_go_unanswered(db: TestDb) {
    let app = spawn_app(db).await;
    let o = app.json("/v1/respons", &app.school("25AB")).await;
    assert_eq!(o["k"], 10);
    let groepen = o["groepen"].as_array().unwrap();
    assert_eq!(
        groepen.iter().map(|g| g["groep"].as_str().unwrap()).collect::<Vec<_>>(),
        ["studenten", "praktijkopleiders"]
    );
    let st = &groepen[0];
    assert_eq!(st["totaal"]["instelling"]["tekst"], "55% (22 van 40)");
    assert_eq!(st["totaal"]["landelijk"]["tekst"], "65% (42 van 65)");
    // 123A457: three answered of five — fewer than k, so a band, never "3 van 5".
    assert_eq!(
        rijen(st, "aanbieder"),
        [s("123A456", "55% (22 van 40)", "65% (42 van 65)"), s("123A457", "< 10 van < 10", "65% (42 van 65)"),]
    );
    let klein = &st["per"][0]["rijen"][1]["instelling"];
    assert_eq!((klein["beantwoord"].clone(), klein["uitgenodigd"].clone()), (Value::Null, Value::Null));
    assert_eq!(st["per"][0]["rijen"][0]["naam"], "Aanbieder 123A456", "{st}");
    assert_eq!(
        rijen(st, "locatie"),
        [s("L1", "40% (12 van 30)", "65% (42 van 65)"), s("L2", "100% (10 van 10)", "65% (42 van 65)"),]
    );
    // National per leerweg: BOL 12 + 20 of 30 + 25.
    assert_eq!(
        rijen(st, "leerweg"),
        [s("BBL", "100% (10 van 10)", "100% (10 van 10)"), s("BOL", "40% (12 van 30)", "58% (32 van 55)")]
    );
    assert_eq!(
        rijen(st, "sector"),
        [
            s("Techniek", "40% (12 van 30)", "58% (32 van 55)"),
            s("Zorg en welzijn", "100% (10 van 10)", "100% (10 van 10)"),
        ]
    );
    assert_eq!(
        rijen(st, "kwalificatie"),
        [s("25180", "40% (12 van 30)", "58% (32 van 55)"), s("25655", "100% (10 van 10)", "100% (10 van 10)"),]
    );
    let po = &groepen[1];
    assert_eq!(po["totaal"]["instelling"]["tekst"], "100% (10 van 10)");
    assert_eq!(rijen(po, "locatie"), [s("L1", "100% (10 van 10)", "100% (10 van 10)")]);
    // The same selection narrowed by hand gives the same row.
    let r = app.json("/v1/resultaten?locatie=L1", &app.school("25AB")).await;
    assert_eq!(r["respons"]["instelling"]["beantwoord"], st["per"][1]["rijen"][0]["instelling"]["beantwoord"]);
}

async fn national_and_narrowed_selections(db: TestDb) {
    let app = spawn_app(db).await;
    // SBB nationally: no aanbieder or locatie rows, and no instelling side.
    let o = app.json("/v1/respons?groep=studenten", &app.sbb()).await;
    let groepen = o["groepen"].as_array().unwrap();
    assert_eq!(groepen.len(), 1, "one group asked");
    let st = &groepen[0];
    assert!(st["totaal"]["instelling"].is_null());
    assert!(rijen(st, "aanbieder").is_empty() && rijen(st, "locatie").is_empty());
    assert_eq!(rijen(st, "leerweg"), [s("BBL", "-", "100% (10 van 10)"), s("BOL", "-", "58% (32 van 55)")]);
    // A filter narrows every row; the split of the filtered key has only the chosen value.
    let o = app.json("/v1/respons?leerweg=BOL&instelling=25AB", &app.sbb()).await;
    let st = &o["groepen"][0];
    assert_eq!(rijen(st, "leerweg"), [s("BOL", "40% (12 van 30)", "58% (32 van 55)")]);
    assert_eq!(rijen(st, "locatie"), [s("L1", "40% (12 van 30)", "58% (32 van 55)")]);
    // Nobody in the period: a dash, not zero.
    let o = app.json("/v1/respons?van=2025-01", &app.school("25AB")).await;
    assert_eq!(o["groepen"][0]["totaal"]["instelling"]["tekst"], "—");
    // Bad input is named; another school's figures are forbidden.
    let p = problem(app.get("/v1/respons?leerweg=HBO&groep=docenten", &app.school("25AB")).await, 400).await;
    let mut names = param_names(&p);
    names.sort();
    assert_eq!(names, ["groep", "leerweg"]);
    problem(app.get("/v1/respons?instelling=26CD", &app.school("25AB")).await, 403).await;
}

async fn the_respons_tab(db: TestDb) {
    let app = spawn_app(db).await;
    let cookie = session_cookie(&login(&app, "gemachtigde@25ab.example", WACHTWOORD).await);
    let r = app
        .http
        .get(format!("{}/dashboard/respons?van=&totEnMet=", app.url))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("<tr data-code=\"L1\"><th scope=\"row\">Locatie Noord (L1)</th><td data-kant=\"instelling\">40% (12 van 30)</td>"), "{html}");
    assert!(html.contains("&lt; 10 van &lt; 10"));
    assert!(html.contains("id=\"respons-praktijkopleiders\""));
    // The results page links to it with the selection.
    let r = app
        .http
        .get(format!("{}/dashboard?leerweg=BOL&van=&totEnMet=", app.url))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("respons?van=&amp;totEnMet=&amp;leerweg=BOL\" id=\"tab-respons\""), "{html}");
}

/// Invite some of the fixture's students through their praktijkopleider: `sql` selects the
/// invitations' ids.
fn via_praktijkopleider(app: &crate::helpers::TestApp, ids: &str) {
    use diesel::RunQueryDsl;
    let sql = format!("UPDATE invitations SET kanaal = 'via_praktijkopleider' WHERE id IN ({ids})");
    diesel::sql_query(sql).execute(&mut app.db.conn()).unwrap();
    app.refresh();
}

async fn students_per_channel(db: TestDb) {
    let app = spawn_app(db).await;
    // L2's ten students were invited through their praktijkopleider, everyone else directly.
    via_praktijkopleider(
        &app,
        "SELECT i.id FROM invitations i JOIN bpvos b ON b.id = i.bpvo_id WHERE b.locatiecode = 'L2'",
    );
    let o = app.json("/v1/respons", &app.school("25AB")).await;
    let st = &o["groepen"][0];
    // Directly: L1 12 of 30 (123A457's three stay uncounted); nationally with 26CD's 20 of 25.
    assert_eq!(
        rijen(st, "kanaal"),
        [
            s("direct", "40% (12 van 30)", "58% (32 van 55)"),
            s("via_praktijkopleider", "100% (10 van 10)", "100% (10 van 10)")
        ]
    );
    assert_eq!(st["per"].as_array().unwrap().last().unwrap()["rijen"][1]["naam"], "Via de praktijkopleider");
    assert!(rijen(&o["groepen"][1], "kanaal").is_empty(), "praktijkopleiders are always invited directly");

    // Five of L1's thirty through the praktijkopleider too: L1's group of answers went both ways,
    // so it counts under neither channel — no row can be told apart by one invitation's channel.
    via_praktijkopleider(
        &app,
        "SELECT i.id FROM invitations i JOIN bpvos b ON b.id = i.bpvo_id \
         WHERE b.locatiecode = 'L1' AND i.groep = 'student' ORDER BY i.id LIMIT 5",
    );
    let o = app.json("/v1/respons?groep=studenten", &app.school("25AB")).await;
    assert_eq!(
        rijen(&o["groepen"][0], "kanaal"),
        [
            s("direct", "< 10 van < 10", "80% (20 van 25)"),
            s("via_praktijkopleider", "100% (10 van 10)", "100% (10 van 10)")
        ]
    );
    assert_eq!(o["groepen"][0]["totaal"]["instelling"]["tekst"], "55% (22 van 40)", "the total is unchanged");
}

async_backend_tests!(
    a_school_sees_where_invitations_go_unanswered,
    national_and_narrowed_selections,
    the_respons_tab,
    students_per_channel
);
