//! Data quality against a fixture computed by hand, the photos returned exactly as stored, and
//! the dashboard tab.
//!
//! Bpvo's started in the year before the peildatum 2026-07-01 (2025-07-01 ..= 2026-06-30):
//!
//! | bpvo | school | leerbedrijf/crebo | start      | registered | delay | erkend              | email |
//! |------|--------|-------------------|------------|------------|-------|---------------------|-------|
//! | B1   | 25AB   | LA / 25180 Tech.  | 2026-02-01 | 2026-01-20 |  −12  | yes (open)          | yes   |
//! | B2   | 25AB   | LA / 25655 Zorg   | 2026-03-01 | 2026-03-01 |    0  | no (none for crebo) | no    |
//! | B3   | 25AB   | LB / 25180 Tech.  | 2026-04-01 | 2026-04-11 |  +10  | no (ended 03-31)    | yes   |
//! | B4   | 25AB   | LC / 25180 Tech.  | 2026-05-01 | 2026-04-01 |  −30  | yes (from 05-01)    | no    |
//! | C1   | 26CD   | LA / 25180 Tech.  | 2026-02-01 | 2026-01-01 |  −31  | yes                 | no    |
//!
//! Left out: B5 (withdrawn), B6 (started 2025-06-30). The helpers' seed bpvo's started in 2023.
//! 26CD does not take part in the direct student survey, so its email share is not applicable.
//!
//! 25AB: n 4; erkend 2/4 = 50%; before start 2/4 = 50% (0 days is not before); delays −30, −12,
//! 0, 10 → median −6; email 2/4 = 50%. Techniek: erkend 2/3 = 66,7%, median −12. Zorg: 0/1.
//! National: n 5; erkend 3/5 = 60%; before start 3/5; delays −31 … 10 → median −12; email 2/4.

use bpv_store::async_backend_tests;
use bpv_store::models::{BpvoRow, ErkenningRow};
use bpv_store::repo::{datakwaliteit as store_dq, referentie};
use bpv_store::testing::TestDb;
use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{TestApp, WACHTWOORD, param_names, problem, spawn_app};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[allow(clippy::too_many_arguments)]
fn bpvo(
    app: &TestApp,
    id: &str,
    aanbieder: &str,
    lb: &str,
    crebo: &str,
    start: &str,
    registered: &str,
    email: bool,
    status: &str,
) {
    let at = d(registered).and_hms_opt(10, 0, 0).unwrap();
    let row = BpvoRow {
        id: format!("id-{id}"),
        aanbiedercode: aanbieder.into(),
        correlatie_id: id.into(),
        leerbedrijf_id: lb.into(),
        crebo: crebo.into(),
        leerweg: "BOL".into(),
        startdatum: d(start),
        geplande_einddatum: d(start) + chrono::Days::new(150),
        werkelijke_einddatum: None,
        status: bpvo::BpvoStatus::parse(status).unwrap(),
        student_email: email.then(|| format!("{id}@student.example")),
        studentcode: Some(format!("s-{id}")),
        student_naam: Some(format!("Student {id}")),
        schoolnaam: None,
        locatiecode: None,
        praktijkopleider_naam: None,
        praktijkopleider_email: None,
        school_received_at: Some(at),
        registratie_received_at: None,
        received_at: at,
        updated_at: at,
    };
    diesel::insert_into(bpv_store::schema::bpvos::table).values(&row).execute(&mut app.db.conn()).unwrap();
}

fn fixture(app: &TestApp) {
    bpvo(app, "B1", "123A456", "LA", "25180", "2026-02-01", "2026-01-20", true, "actief");
    bpvo(app, "B2", "123A456", "LA", "25655", "2026-03-01", "2026-03-01", false, "actief");
    bpvo(app, "B3", "123A457", "LB", "25180", "2026-04-01", "2026-04-11", true, "beeindigd");
    bpvo(app, "B4", "123A456", "LC", "25180", "2026-05-01", "2026-04-01", false, "actief");
    bpvo(app, "B5", "123A456", "LA", "25180", "2026-05-01", "2026-06-01", false, "ingetrokken");
    bpvo(app, "B6", "123A456", "LA", "25180", "2025-06-30", "2025-09-01", false, "actief");
    bpvo(app, "C1", "223A456", "LA", "25180", "2026-02-01", "2026-01-01", false, "actief");
    let e = |id: &str, lb: &str, crebo: &str, van: &str, tot: Option<&str>| ErkenningRow {
        id: id.into(),
        leerbedrijf_id: lb.into(),
        crebo: crebo.into(),
        geldig_van: d(van),
        geldig_tot: tot.map(d),
    };
    referentie::insert_erkenningen(
        &mut app.db.conn(),
        &[
            e("e1", "LA", "25180", "2020-01-01", None),
            e("e2", "LB", "25180", "2020-01-01", Some("2026-03-31")),
            e("e3", "LC", "25180", "2026-05-01", None),
            e("e4", "LA", "25604", "2020-01-01", None),
        ],
    )
    .unwrap();
    use bpv_store::schema::instellingen::dsl;
    diesel::update(dsl::instellingen.find("26CD"))
        .set(dsl::directe_studentbevraging.eq(false))
        .execute(&mut app.db.conn())
        .unwrap();
}

fn aandeel(t: u64, n: u64, p: f64) -> Value {
    json!({ "teller": t, "noemer": n, "percentage": p })
}

fn ids(list: &Value) -> Vec<&str> {
    let mut v: Vec<&str> = list.as_array().unwrap().iter().map(|a| a["correlatieId"].as_str().unwrap()).collect();
    v.sort_unstable();
    v
}

async fn indicators_match_the_hand_computed_fixture(db: TestDb) {
    let app = spawn_app(db).await;
    fixture(&app);
    let v = app.json("/v1/datakwaliteit?peildatum=2026-07-01", &app.school("25AB")).await;
    assert_eq!(v["periode"], json!({ "van": "2025-07-01", "totEnMet": "2026-06-30" }));
    let list = v["instellingen"].as_array().unwrap();
    assert_eq!(list.len(), 1, "a school sees only itself");
    let i = &list[0];
    assert_eq!(i["brin"], "25AB");
    let t = &i["totaal"];
    assert_eq!(t["aantal"], 4);
    assert_eq!(t["erkend"], aandeel(2, 4, 50.0));
    assert_eq!(t["tijdigGeregistreerd"], aandeel(2, 4, 50.0));
    assert_eq!(t["mediaanVertragingDagen"], -6.0);
    assert_eq!(t["studentEmail"], aandeel(2, 4, 50.0));
    let sectors = i["perSector"].as_array().unwrap();
    let tech = sectors.iter().find(|s| s["sector"] == "Techniek").unwrap();
    assert_eq!(tech["erkend"], aandeel(2, 3, 66.7));
    assert_eq!(tech["tijdigGeregistreerd"], aandeel(2, 3, 66.7));
    assert_eq!(tech["mediaanVertragingDagen"], -12.0);
    let zorg = sectors.iter().find(|s| s["sector"] == "Zorg en welzijn").unwrap();
    assert_eq!((zorg["aantal"].as_u64(), zorg["erkend"]["teller"].as_u64()), (Some(1), Some(0)));
    let l = &v["landelijk"]["totaal"];
    assert_eq!(l["aantal"], 5);
    assert_eq!(l["erkend"], aandeel(3, 5, 60.0));
    assert_eq!(l["tijdigGeregistreerd"], aandeel(3, 5, 60.0));
    assert_eq!(l["mediaanVertragingDagen"], -12.0);
    assert_eq!(l["studentEmail"], aandeel(2, 4, 50.0), "only instellingen that take part count");
    // The school's own failing records.
    let a = &v["afwijkingen"];
    assert_eq!(ids(&a["nietErkend"]), ["B2", "B3"]);
    assert_eq!(ids(&a["nietTijdigGeregistreerd"]), ["B2", "B3"]);
    assert_eq!(ids(&a["zonderStudentEmail"]), ["B2", "B4"]);
    let b3 = a["nietTijdigGeregistreerd"].as_array().unwrap().iter().find(|x| x["correlatieId"] == "B3").unwrap();
    assert_eq!((b3["vertragingDagen"].as_i64(), b3["geregistreerdOp"].as_str()), (Some(10), Some("2026-04-11")));
    assert!(!v.to_string().contains('@'), "no addresses, only whether there is one");

    // SBB: every instelling, no records; one instelling on request.
    let s = app.json("/v1/datakwaliteit?peildatum=2026-07-01", &app.sbb()).await;
    let brins: Vec<&str> = s["instellingen"].as_array().unwrap().iter().map(|i| i["brin"].as_str().unwrap()).collect();
    assert_eq!(brins, ["25AB", "26CD"]);
    assert!(s["afwijkingen"].is_null());
    let c = &s["instellingen"][1]["totaal"];
    assert_eq!((c["aantal"].as_u64(), c["mediaanVertragingDagen"].as_f64()), (Some(1), Some(-31.0)));
    assert!(c["studentEmail"].is_null(), "26CD does not take part");
    let one = app.json("/v1/datakwaliteit?peildatum=2026-07-01&instelling=26cd", &app.sbb()).await;
    assert_eq!(one["instellingen"].as_array().unwrap().len(), 1);
    assert!(one["afwijkingen"].is_null(), "record level only for the school itself");

    // Refusals.
    problem(app.get("/v1/datakwaliteit?instelling=26CD", &app.school("25AB")).await, 403).await;
    let p = problem(app.get("/v1/datakwaliteit?peildatum=2026-13-01&foo=1", &app.sbb()).await, 400).await;
    assert_eq!(param_names(&p), ["peildatum", "foo"]);
    let p = problem(app.get("/v1/datakwaliteit?peildatum=0000-09-01", &app.sbb()).await, 400).await;
    assert_eq!(param_names(&p), ["peildatum"], "a year outside 2000–2199 would give dates JSON cannot carry");
    let p = problem(app.get("/v1/datakwaliteit?instelling=99ZZ", &app.sbb()).await, 400).await;
    assert_eq!(param_names(&p), ["instelling"]);
    problem(app.get("/v1/datakwaliteit", "not-a-token").await, 401).await;
    problem(
        app.get("/v1/datakwaliteit", &app.token(Some("25AB"), bpv_web::auth::TokenRol::School, "bpvo:write")).await,
        403,
    )
    .await;
}

async fn photos_are_returned_exactly_as_taken(db: TestDb) {
    let app = spawn_app(db).await;
    // Stored with unusual spacing and key order: the API returns the bytes, not a re-encoding.
    let raw25 = r#"{"kwartaal":"2026-K2",  "instelling":{"brin":"25AB","totaal":{"aantal":4}}}"#;
    let raw26 = r#"{"kwartaal":"2026-K2","instelling":{"brin":"26CD"}}"#;
    {
        let mut conn = app.db.conn();
        let now = bpv_store::now_utc();
        assert!(store_dq::bewaar_foto(&mut conn, "2026-K2", d("2026-07-01"), "25AB", raw25, now).unwrap());
        assert!(store_dq::bewaar_foto(&mut conn, "2026-K2", d("2026-07-01"), "26CD", raw26, now).unwrap());
        // A second photo of the same quarter is not taken, and a photo cannot be changed.
        assert!(!store_dq::bewaar_foto(&mut conn, "2026-K2", d("2026-07-02"), "25AB", "{}", now).unwrap());
        use bpv_store::schema::datakwaliteit_fotos::dsl;
        assert!(diesel::update(dsl::datakwaliteit_fotos).set(dsl::indicatoren.eq("{}")).execute(&mut conn).is_err());
        assert!(diesel::delete(dsl::datakwaliteit_fotos).execute(&mut conn).is_err());
    }
    let r = app.get("/v1/datakwaliteit/fotos", &app.school("25AB")).await;
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    assert!(body.contains(&format!("\"indicatoren\":{raw25}")), "{body}");
    assert!(!body.contains("26CD"), "a school sees only its own photos");
    let all: Value = app.json("/v1/datakwaliteit/fotos", &app.sbb()).await;
    assert_eq!(all["fotos"].as_array().unwrap().len(), 2);
    assert_eq!(all["fotos"][0]["kwartaal"], "2026-K2");
    assert_eq!(all["fotos"][0]["peildatum"], "2026-07-01");
    problem(app.get("/v1/datakwaliteit/fotos?instelling=26CD", &app.school("25AB")).await, 403).await;
    let p = problem(app.get("/v1/datakwaliteit/fotos?peildatum=2026-07-01", &app.sbb()).await, 400).await;
    assert_eq!(param_names(&p), ["peildatum"]);
}

async fn the_dashboard_tab_shows_indicators_records_and_photos(db: TestDb) {
    let app = spawn_app(db).await;
    fixture(&app);
    let login = app
        .http
        .post(format!("{}/dashboard/inloggen", app.url))
        .form(&[("email", "gemachtigde@25ab.example"), ("wachtwoord", WACHTWOORD)])
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let get = |q: &'static str| {
        let (http, url, cookie) = (app.http.clone(), app.url.clone(), cookie.clone());
        async move {
            let r =
                http.get(format!("{url}/dashboard/datakwaliteit{q}")).header("cookie", cookie).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, html) = get("?peildatum=2026-07-01").await;
    assert_eq!(status, 200);
    assert!(html.contains("<tr data-rij=\"25AB\">"), "{html}");
    assert!(html.contains("data-kolom=\"erkend\">50,0%<"), "{html}");
    assert!(
        html.contains("data-kolom=\"vertraging\">-6,0<") || html.contains("data-kolom=\"vertraging\">-6<"),
        "{html}"
    );
    assert!(html.contains("<tr data-rij=\"landelijk\">"));
    assert!(html.contains("Niet vóór de startdatum geregistreerd: 2"));
    assert!(html.contains("<td>B3</td>"));
    assert!(html.contains("id=\"geen-fotos\""));
    assert!(!html.contains("26CD"), "a school sees no other school");
    // SBB staff: every instelling and the national row, a choice of instelling, no records.
    let login = app
        .http
        .post(format!("{}/dashboard/inloggen", app.url))
        .form(&[("email", "analist@sbb.example"), ("wachtwoord", WACHTWOORD)])
        .send()
        .await
        .unwrap();
    let sbb = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let r = app
        .http
        .get(format!("{}/dashboard/datakwaliteit?peildatum=2026-07-01", app.url))
        .header("cookie", &sbb)
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("<tr data-rij=\"25AB\">") && html.contains("<tr data-rij=\"26CD\">"), "{html}");
    assert!(html.contains("id=\"f-instelling\""));
    assert!(!html.contains("Uw records"), "no record lists for SBB");
    assert!(html.contains("Landelijk per sector"));
    // Not logged in: the login form.
    let r = app.http.get(format!("{}/dashboard/datakwaliteit", app.url)).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("action=\"/dashboard/inloggen\""));
}

async_backend_tests!(
    indicators_match_the_hand_computed_fixture,
    photos_are_returned_exactly_as_taken,
    the_dashboard_tab_shows_indicators_records_and_photos,
);
