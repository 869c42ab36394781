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
use bpv_store::models::{BpvoRow, DuoMeldingRow, ErkenningRow, KeuzedeelErkenningRow, KwalificatieRow};
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
        keuzedeel_code: None,
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
        aangevraagd_op: None,
        besloten_op: None,
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
    assert!(html.contains("Niet vóór de startdatum bij SBB geregistreerd: 2"));
    assert!(html.contains("<tr data-vraag=\"1\">"), "the six questions with their scores");
    assert!(html.contains("id=\"domeinen\""), "the indicators per domein");
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
    assert!(!html.contains("id=\"afw-"), "no record lists for SBB");
    assert!(html.contains("Landelijk per sector"));
    // Not logged in: the login form.
    let r = app.http.get(format!("{}/dashboard/datakwaliteit", app.url)).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("action=\"/dashboard/inloggen\""));
}

/// The six questions over the fixture above plus (25AB's) B7, keuzedelen, DUO's registrations,
/// erkenning decisions and register deliveries, each figure computed by hand:
///
/// | bpvo | keuzedeel        | DUO          | DUO delay | covering erkenning decided | Stagefonds lacks        |
/// |------|------------------|--------------|-----------|----------------------------|-------------------------|
/// | B1   | K0125 (erkend)   | 2026-01-25   |   −7      | 2019-12-01 (before start)  | –                       |
/// | B2   | –                | 2026-03-10   |   +9      | –                          | erkenning               |
/// | B3   | –                | –            |   –       | –                          | erkenning               |
/// | B4   | K0200 (not)      | 2026-04-20   |  −11      | 2026-05-20 (after start)   | –                       |
/// | B7   | –                | –            |   –       | – (e4, no dates)           | crebo, registratiedatum |
/// | C1   | –                | 2026-01-31   |   −1      | 2019-12-01                 | –                       |
///
/// B7: LA / 25604 (erkend by e4, crebo not in the register), started 2025-08-01, registered
/// 2026-08-15 (after 31 July 2026). D9: only at DUO (123A456, started 2026-03-15); D8 only at
/// DUO too but started before the period; B5 (withdrawn) has a DUO registration and is held.
///
/// 25AB (B1 B2 B3 B4 B7): erkend 3/5; keuzedeel 1/2; DUO on time B1 B4 = 2/5, delays −11 −7 +9
/// → median −7; on time at both B1 B4 = 2/5; unknown at DUO B3 B7; only at DUO D9; started before
/// the decision B4 = 1/5; Stagefonds B1 B4 = 2/5. National (+ C1): erkend 4/6; DUO 3/6, delays
/// −11 −7 −1 +9 → median −4; both 3/6; before decision 1/6; Stagefonds 3/6.
///
/// Question 5 nationally: decisions in 2025-07-01 ..= 2026-06-30: e3 (80 days, 2026-K2) and the
/// keuzedeel erkenning (30 days, 2025-K4) → median 55, within 56 days 1/2. Question 4: the
/// kwalificaties delivered 2025-06-01 (current all year, norm 400), the erkenningen on 2026-06-01
/// and 2026-06-20 (norm 7: 06-01 … 06-08 and 06-20 … 06-27) → 16 of 365 days; 2026-K2 16/91.
async fn six_questions_match_the_hand_computed_fixture(db: TestDb) {
    let app = spawn_app(db).await;
    fixture(&app);
    fixture_six_questions(&app);
    let v = app.json("/v1/datakwaliteit?peildatum=2026-07-01", &app.school("25AB")).await;
    check_instelling_and_national(&v);
    check_sbb_service(&v["landelijk"]["sbb"]);
    // The scores: the school's beside the national ones.
    let vragen = v["vragen"].as_array().unwrap();
    let pct = |n: usize, side: &str| vragen[n][side]["percentage"].as_f64();
    let ours: Vec<Option<f64>> = (0..6).map(|n| pct(n, "instelling")).collect();
    assert_eq!(ours, [Some(60.0), Some(50.0), Some(40.0), Some(4.4), Some(50.0), Some(40.0)]);
    let national: Vec<Option<f64>> = (0..6).map(|n| pct(n, "landelijk")).collect();
    assert_eq!(national, [Some(66.7), Some(50.0), Some(50.0), Some(4.4), Some(50.0), Some(50.0)]);
    // The school's meldingen per question.
    let a = &v["afwijkingen"];
    assert_eq!(ids(&a["keuzedeelNietErkend"]), ["B4"]);
    assert_eq!(ids(&a["nietTijdigBijDuo"]), ["B2"]);
    assert_eq!(ids(&a["onbekendBijDuo"]), ["B3", "B7"]);
    assert_eq!(ids(&a["alleenBijDuo"]), ["D9"]);
    assert_eq!(ids(&a["gestartVoorErkenningsbesluit"]), ["B4"]);
    assert_eq!(ids(&a["nietGeschiktVoorStagefonds"]), ["B2", "B3", "B7"]);
    let b7 = a["nietGeschiktVoorStagefonds"].as_array().unwrap().iter().find(|x| x["correlatieId"] == "B7").unwrap();
    assert_eq!(b7["ontbreekt"], json!(["crebo", "registratiedatum"]));
    // SBB sees the same figures for 25AB, without records.
    let s = app.json("/v1/datakwaliteit?peildatum=2026-07-01&instelling=25AB", &app.sbb()).await;
    assert_eq!(s["instellingen"][0]["totaal"], v["instellingen"][0]["totaal"]);
    assert!(s["afwijkingen"].is_null());
}

fn fixture_six_questions(app: &TestApp) {
    bpvo(app, "B7", "123A456", "LA", "25604", "2025-08-01", "2026-08-15", true, "actief");
    let mut conn = app.db.conn();
    {
        use bpv_store::schema::bpvos::dsl;
        for (id, kd) in [("B1", "K0125"), ("B4", "K0200")] {
            diesel::update(dsl::bpvos.filter(dsl::correlatie_id.eq(id)))
                .set(dsl::keuzedeel_code.eq(kd))
                .execute(&mut conn)
                .unwrap();
        }
    }
    referentie::upsert_kwalificaties(
        &mut conn,
        &[KwalificatieRow {
            crebo: "25180".into(),
            naam: "Monteur".into(),
            niveau: 2,
            sector: "Techniek".into(),
            domein: Some("Techniek en procesindustrie".into()),
        }],
    )
    .unwrap();
    let erk = |id: &str, lb: &str, van: &str, a: Option<&str>, b: Option<&str>| ErkenningRow {
        id: id.into(),
        leerbedrijf_id: lb.into(),
        crebo: "25180".into(),
        geldig_van: d(van),
        geldig_tot: None,
        aangevraagd_op: a.map(d),
        besloten_op: b.map(d),
    };
    // The file again, now with decision dates: the known erkenningen take them.
    referentie::insert_erkenningen(
        &mut conn,
        &[
            erk("x1", "LA", "2020-01-01", Some("2019-10-01"), Some("2019-12-01")),
            erk("x3", "LC", "2026-05-01", Some("2026-03-01"), Some("2026-05-20")),
        ],
    )
    .unwrap();
    referentie::insert_keuzedeel_erkenningen(
        &mut conn,
        &[KeuzedeelErkenningRow {
            id: "k1".into(),
            leerbedrijf_id: "LA".into(),
            keuzedeel_code: "K0125".into(),
            geldig_van: d("2025-01-01"),
            geldig_tot: None,
            aangevraagd_op: Some(d("2025-11-01")),
            besloten_op: Some(d("2025-12-01")),
        }],
    )
    .unwrap();
    let now = bpv_store::now_utc();
    let duo = |aanbieder: &str, id: &str, start: &str, gemeld: &str| DuoMeldingRow {
        aanbiedercode: aanbieder.into(),
        correlatie_id: id.into(),
        startdatum: d(start),
        gemeld_op: d(gemeld),
        geimporteerd_op: now,
    };
    referentie::upsert_duo_meldingen(
        &mut conn,
        &[
            duo("123A456", "B1", "2026-02-01", "2026-01-25"),
            duo("123A456", "B2", "2026-03-01", "2026-03-10"),
            duo("123A456", "B4", "2026-05-01", "2026-04-20"),
            duo("223A456", "C1", "2026-02-01", "2026-01-31"),
            duo("123A456", "B5", "2026-05-01", "2026-04-01"),
            duo("123A456", "D9", "2026-03-15", "2026-03-01"),
            duo("123A456", "D8", "2025-01-15", "2025-01-01"),
        ],
    )
    .unwrap();
    deliveries(&mut conn);
}

/// The register deliveries of question 4 (one after the period, which must not count).
fn deliveries(conn: &mut bpv_store::DbConnection) {
    let t = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    for (register, at) in [
        ("kwalificaties", "2025-06-01 08:00"),
        ("erkenningen", "2026-06-01 10:00"),
        ("erkenningen", "2026-06-20 05:00"),
        ("erkenningen", "2026-07-05 05:00"),
    ] {
        referentie::record_levering(conn, register, t(at)).unwrap();
    }
}

fn check_instelling_and_national(v: &Value) {
    let i = &v["instellingen"][0]["totaal"];
    assert_eq!(i["aantal"], 5);
    assert_eq!(i["erkend"], aandeel(3, 5, 60.0));
    assert_eq!(i["keuzedeelErkend"], aandeel(1, 2, 50.0));
    assert_eq!(i["tijdigBijDuo"], aandeel(2, 5, 40.0));
    assert_eq!(i["mediaanVertragingDuoDagen"], -7.0);
    assert_eq!(i["tijdigBijDuoEnSbb"], aandeel(2, 5, 40.0));
    assert_eq!((i["onbekendBijDuo"].as_u64(), i["alleenBijDuo"].as_u64()), (Some(2), Some(1)));
    assert_eq!(i["gestartVoorErkenningsbesluit"], aandeel(1, 5, 20.0));
    assert_eq!(i["stagefonds"], aandeel(2, 5, 40.0));
    let l = &v["landelijk"]["totaal"];
    assert_eq!(l["erkend"], aandeel(4, 6, 66.7));
    assert_eq!(l["tijdigBijDuo"], aandeel(3, 6, 50.0));
    assert_eq!(l["mediaanVertragingDuoDagen"], -4.0);
    assert_eq!(l["tijdigBijDuoEnSbb"], aandeel(3, 6, 50.0));
    assert_eq!(l["gestartVoorErkenningsbesluit"], aandeel(1, 6, 16.7));
    assert_eq!(l["stagefonds"], aandeel(3, 6, 50.0));
    // Per domein: 25180 is in "Techniek en procesindustrie"; 25655 names none, 25604 is unknown.
    let dom = v["instellingen"][0]["perDomein"].as_array().unwrap();
    let names: Vec<&str> = dom.iter().map(|g| g["domein"].as_str().unwrap()).collect();
    assert_eq!(names, ["Techniek en procesindustrie", "onbekend"]);
    assert_eq!(dom[0]["erkend"], aandeel(2, 3, 66.7));
    assert_eq!(dom[1]["erkend"], aandeel(1, 2, 50.0));
    assert_eq!(v["landelijk"]["perDomein"][0]["aantal"], 4, "B1 B3 B4 C1");
}

/// Questions 4 and 5 nationally.
fn check_sbb_service(sbb: &Value) {
    let r = &sbb["referentiedata"];
    assert_eq!(r["totaal"]["aandeel"], aandeel(16, 365, 4.4));
    let k2 = r["perKwartaal"].as_array().unwrap().iter().find(|k| k["kwartaal"] == "2026-K2").unwrap();
    assert_eq!(k2["aandeel"], aandeel(16, 91, 17.6));
    assert_eq!(
        r["laatsteLevering"]["erkenningen"], "2026-06-20T05:00:00",
        "a delivery after the period is not counted"
    );
    let e = &sbb["erkenningsbesluiten"];
    assert_eq!((e["totaal"]["mediaanDagen"].as_f64(), e["normDagen"].as_u64()), (Some(55.0), Some(56)));
    assert_eq!(e["totaal"]["aandeel"], aandeel(1, 2, 50.0));
    let kwartalen: Vec<(&str, f64)> = e["perKwartaal"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["kwartaal"].as_str().unwrap(), k["mediaanDagen"].as_f64().unwrap()))
        .collect();
    assert_eq!(kwartalen, [("2025-K4", 30.0), ("2026-K2", 80.0)]);
}

/// Toezicht (inspectie, OCW): the quarterly photos of every instelling, audited, and nothing else.
async fn toezicht_sees_only_the_photos(db: TestDb) {
    let app = spawn_app(db).await;
    fixture(&app);
    {
        let mut conn = app.db.conn();
        let now = bpv_store::now_utc();
        let foto = |brin: &str, erkend: f64| {
            json!({
                "kwartaal": "2026-K2",
                "instelling": { "brin": brin, "totaal": { "aantal": 4 }, "perDomein": [
                    { "domein": "Zorg en welzijn", "aantal": 2, "erkend": { "teller": 1, "noemer": 2 },
                      "keuzedeelErkend": { "teller": 0, "noemer": 0 }, "tijdigBijDuoEnSbb": { "teller": 2, "noemer": 2 },
                      "stagefonds": { "teller": 1, "noemer": 2 } }
                ] },
                "vragen": (1..=6).map(|n| json!({ "nummer": n, "score": { "percentage": if n == 1 { erkend } else { 10.0 * n as f64 } } })).collect::<Vec<_>>(),
            })
            .to_string()
        };
        store_dq::bewaar_foto(&mut conn, "2026-K2", d("2026-07-01"), "25AB", &foto("25AB", 75.0), now).unwrap();
        store_dq::bewaar_foto(&mut conn, "2026-K2", d("2026-07-01"), "26CD", &foto("26CD", 12.5), now).unwrap();
    }
    let login = |email: &'static str| {
        let (http, url) = (app.http.clone(), app.url.clone());
        async move {
            let r = http
                .post(format!("{url}/dashboard/inloggen"))
                .form(&[("email", email), ("wachtwoord", WACHTWOORD)])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 303, "{email} logs in");
            r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned()
        }
    };
    let toezicht = login("inspecteur@inspectie.example").await;
    let get = |path: &str, cookie: &str| {
        let (http, url, path, cookie) = (app.http.clone(), app.url.clone(), path.to_owned(), cookie.to_owned());
        async move {
            let r = http.get(format!("{url}{path}")).header("cookie", cookie).send().await.unwrap();
            let location = r.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
            (r.status().as_u16(), location, r.text().await.unwrap())
        }
    };
    let (status, location, _) = get("/dashboard", &toezicht).await;
    assert_eq!((status, location.as_deref()), (303, Some("/dashboard/kwartaalfotos")));
    let (status, _, html) = get("/dashboard/kwartaalfotos", &toezicht).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<tr data-instelling=\"25AB\">") && html.contains("<tr data-instelling=\"26CD\">"), "{html}");
    assert!(html.contains("data-vraag=\"1\">75,0%<") && html.contains("data-vraag=\"1\">12,5%<"), "{html}");
    assert!(html.contains("<tr data-domein=\"Zorg en welzijn\">"), "summed per domein: {html}");
    let som = "<td class=\"num\">4</td><td class=\"num\">50,0%</td><td class=\"num\">–</td><td class=\"num\">100,0%</td><td class=\"num\">50,0%</td>";
    assert!(
        html.contains(som),
        "per domein over both photos: 2 of 4 erkend, no keuzedelen, 4 of 4 on time, 2 of 4: {html}"
    );
    assert!(!html.contains("tab-resultaten") && !html.contains("tab-datakwaliteit"), "no other tabs");
    for path in [
        "/dashboard/datakwaliteit",
        "/dashboard/respons?van=2020-01&totEnMet=2026-12",
        "/dashboard/signalen",
        "/dashboard/trend",
        "/dashboard/export.csv",
    ] {
        let (status, _, body) = get(path, &toezicht).await;
        assert_eq!(status, 403, "{path}: {body}");
    }
    let (status, _, _) = get("/dashboard/kwartaalfotos?kwartaal=2026-K9", &toezicht).await;
    assert_eq!(status, 400);
    let audit = bpv_store::repo::audit::list(&mut app.db.conn(), None, None, 50).unwrap();
    let reads: Vec<_> = audit.iter().filter(|e| e.action == "kwartaalfotos.bekeken").collect();
    assert_eq!(reads.len(), 1, "the one page read is audited");
    assert_eq!((reads[0].actor_kind.as_str(), reads[0].row_count), ("toezichthouder", Some(2)));
    // A school's gemachtigde sees its own photos on its own tab, not this page.
    let school = login("gemachtigde@25ab.example").await;
    assert_eq!(get("/dashboard/kwartaalfotos", &school).await.0, 403);
    let sbb = login("analist@sbb.example").await;
    assert_eq!(get("/dashboard/kwartaalfotos", &sbb).await.0, 200);
}

async_backend_tests!(
    indicators_match_the_hand_computed_fixture,
    six_questions_match_the_hand_computed_fixture,
    toezicht_sees_only_the_photos,
    photos_are_returned_exactly_as_taken,
    the_dashboard_tab_shows_indicators_records_and_photos,
);
