//! Figures against the hand-computed fixture (see `helpers`), every filter, the CSV export and
//! absorbing new answers.

use bpv_store::async_backend_tests;
use bpv_store::testing::TestDb;

use crate::helpers::{cell, cijfer, param_names, problem, spawn_app};

async fn school_selection_beside_the_national_figures(db: TestDb) {
    let app = spawn_app(db).await;
    let r = app.json("/v1/resultaten", &app.school("25AB")).await;
    assert_eq!(r["selectie"]["instelling"], "25AB");
    assert_eq!(r["selectie"]["groep"], "studenten");
    assert_eq!(r["k"], 10);
    let (own, land) = cijfer(&r);
    assert_eq!((own["n"].as_u64(), own["tekst"].as_str(), own["waarde"].as_f64()), (Some(22), Some("7,1"), Some(7.09)));
    assert_eq!(
        (land["n"].as_u64(), land["tekst"].as_str(), land["waarde"].as_f64()),
        (Some(42), Some("7,0"), Some(7.05))
    );
    assert_eq!(r["respons"]["instelling"]["tekst"], "55% (22 van 40)");
    assert_eq!(r["respons"]["instelling"]["percentage"], 55.0);
    assert_eq!(r["respons"]["landelijk"]["tekst"], "65% (42 van 65)");
    // The three answers of 123A457 are fewer than k even over the year: not counted anywhere.
    assert_eq!(r["nietMeegeteld"]["instelling"], 0);
    // A scale item: 12 × 4 and 10 × 2 → mean 3,09; % (zeer) eens 12/22 = 55%; distribution.
    let item = r["themas"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["items"].as_array().unwrap())
        .find(|i| i["soort"] == "schaal")
        .unwrap();
    let own = &item["instelling"];
    assert_eq!(own["gemiddelde"]["tekst"], "3,1");
    assert_eq!(own["eens"]["tekst"], "55%");
    assert_eq!(own["verdeling"][1], serde_json::json!({ "waarde": 2, "aantal": 10 }));
    assert_eq!(own["verdeling"][3], serde_json::json!({ "waarde": 4, "aantal": 12 }));
    assert!(item["tekst"].as_str().unwrap().len() > 10, "the question as students were asked it");
    // Theme score of Eindwaardering is the grade.
    let eind = r["themas"].as_array().unwrap().iter().find(|t| t["code"] == "eindwaardering").unwrap();
    assert_eq!(eind["score"]["instelling"]["tekst"], "7,1");
    assert_eq!(eind["score"]["landelijk"]["tekst"], "7,0");
}

async fn every_filter_narrows_as_computed(db: TestDb) {
    let app = spawn_app(db).await;
    let t = app.school("25AB");
    let grade = |r: &serde_json::Value| {
        let (own, land) = cijfer(r);
        (own["n"].as_u64().unwrap(), own["tekst"].as_str().unwrap().to_owned(), land["n"].as_u64().unwrap())
    };
    let r = app.json("/v1/resultaten?locatie=L1", &t).await;
    assert_eq!(grade(&r), (12, "8,0".into(), 42), "national ignores locatie");
    let r = app.json("/v1/resultaten?aanbieder=123A456", &t).await;
    assert_eq!(grade(&r).0, 22);
    // Three students answered at 123A457, too few to count: withheld, not "geen antwoorden".
    let r = app.json("/v1/resultaten?aanbieder=123A457", &t).await;
    assert_eq!(grade(&r), (0, "onvoldoende respons".into(), 42));
    assert_eq!(cijfer(&r).0["reden"], "onvoldoende respons");
    assert_eq!(cijfer(&r).0["waarde"], serde_json::Value::Null);
    for q in ["leerweg=BBL", "leerweg=bbl", "crebo=25655", "sector=Zorg%20en%20welzijn"] {
        let r = app.json(&format!("/v1/resultaten?{q}"), &t).await;
        assert_eq!(grade(&r), (10, "6,0".into(), 10), "{q}: national has the same filter");
    }
    let r = app.json("/v1/resultaten?van=2024-03&totEnMet=2024-03", &t).await;
    assert_eq!(grade(&r).0, 22);
    let r = app.json("/v1/resultaten?van=2024-04", &t).await;
    assert_eq!(grade(&r), (0, "geen antwoorden".into(), 0));
    let r = app.json("/v1/resultaten?totEnMet=2024-02", &t).await;
    assert_eq!(grade(&r).0, 0);
    let r = app.json("/v1/resultaten?groep=praktijkopleiders", &t).await;
    assert_eq!(r["selectie"]["groep"], "praktijkopleiders");
    assert_eq!(grade(&r), (10, "7,0".into(), 10));
    assert_eq!(r["respons"]["instelling"]["tekst"], "100% (10 van 10)");
    // Two aanbieders, repeated or comma-separated, are the same selection.
    let a = app.json("/v1/resultaten?aanbieder=123A456&aanbieder=123A457", &t).await;
    let b = app.json("/v1/resultaten?aanbieder=123A456,123A457", &t).await;
    assert_eq!(a, b);
    // BBL at locatie L1: nothing, so suppressed with its reason.
    let r = app.json("/v1/resultaten?locatie=L1&leerweg=BBL", &t).await;
    assert_eq!(cijfer(&r).0["reden"], "geen antwoorden");
}

async fn bad_selections_name_every_bad_key(db: TestDb) {
    let app = spawn_app(db).await;
    let t = app.school("25AB");
    let p = problem(
        app.get("/v1/resultaten?van=2024-13&totEnMet=24-01&groep=docenten&leerweg=HBO&crebo=12&tot_en_met=x", &t).await,
        400,
    )
    .await;
    let mut names = param_names(&p);
    names.sort();
    assert_eq!(names, ["crebo", "groep", "leerweg", "totEnMet", "tot_en_met", "van"]);
    let p = problem(app.get("/v1/resultaten?van=2024-05&totEnMet=2024-01", &t).await, 400).await;
    assert_eq!(p["invalidParams"][0]["code"], "date_order");
    let p = problem(app.get("/v1/resultaten?aanbieder=223A456&locatie=L9&sector=Ruimtevaart", &t).await, 400).await;
    assert_eq!(param_names(&p), ["sector", "aanbieder", "locatie"], "another school's aanbieder is not ours");
    // A well-formed crebo nobody knows is named like an unknown sector, not answered empty.
    let p = problem(app.get("/v1/resultaten?crebo=99999&sector=Ruimtevaart", &t).await, 400).await;
    assert_eq!(param_names(&p), ["crebo", "sector"], "{p}");
    assert_eq!(p["invalidParams"][0]["code"], "unknown");
    let p = problem(app.get("/v1/resultaten?groep=studenten&groep=studenten", &t).await, 400).await;
    assert_eq!(p["invalidParams"][0]["code"], "repeated");
    let many: Vec<String> = (0..51).map(|i| format!("aanbieder=X{i}")).collect();
    let p = problem(app.get(&format!("/v1/resultaten?{}", many.join("&")), &t).await, 400).await;
    assert!(param_names(&p).contains(&"aanbieder".to_owned()));
    let p = problem(app.get("/v1/filters?van=2024-01", &t).await, 400).await;
    assert!(p["detail"].as_str().unwrap().contains("instelling"));
}

async fn csv_export_opens_in_excel_with_the_right_columns(db: TestDb) {
    let app = spawn_app(db).await;
    let r = app.get("/v1/resultaten/export.csv?leerweg=BOL", &app.school("25AB")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("bpv-resultaten-25AB-studenten.csv"));
    let body = r.bytes().await.unwrap();
    assert_eq!(&body[..3], b"\xEF\xBB\xBF", "UTF-8 BOM for Excel");
    let text = std::str::from_utf8(&body[3..]).unwrap();
    let mut rows = csv::ReaderBuilder::new().delimiter(b';').from_reader(text.as_bytes());
    let header: Vec<String> = rows.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, bpv_reporting_api::report::CSV_COLUMNS);
    let records: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    let respons = &records[0];
    assert_eq!(&respons[4], "respons");
    assert_eq!((&respons[5], &respons[6], &respons[7]), ("40,0", "12", "30"), "BOL at 25AB: 12 of 30");
    let grade = records.iter().find(|r| &r[2] == "cijfer").unwrap();
    assert_eq!((&grade[5], &grade[7], &grade[8], &grade[10]), ("8,00", "12", "7,38", "32"));
    // (12·8 + 20·7)/32 = 7,375 → 7,38
    let theme = records.iter().find(|r| &r[4] == "thema").unwrap();
    assert_eq!(&theme[0], "studenten");
    assert!(records.len() > 20, "a row per theme and per question");
}

async fn new_answers_are_absorbed(db: TestDb) {
    let app = spawn_app(db).await;
    let t = app.school("25AB");
    let before = app.json("/v1/resultaten?aanbieder=123A457", &t).await;
    assert_eq!(cijfer(&before).0["n"], 0);
    // Two invited in May at 123A457, nobody answered. The three answers in March are too few for
    // the whole year, and the year's invitations go with them: nothing is counted, and the
    // response says so instead of "0%" or "—".
    for _ in 0..2 {
        let s = bpv_store::testing::Surveyed {
            aanbiedercode: "123A457",
            locatiecode: None,
            leerweg: "BBL",
            crebo: "25655",
            geplande_einddatum: chrono::NaiveDate::from_ymd_opt(2024, 5, 15).unwrap(),
            groep: "student",
            answer: None,
        };
        bpv_store::testing::surveyed(&mut app.db.conn(), &s, bpv_store::now_utc());
    }
    app.refresh();
    let r = app.json("/v1/resultaten?aanbieder=123A457", &t).await;
    assert_eq!(r["respons"]["instelling"]["tekst"], "onvoldoende respons");
    assert_eq!(r["respons"]["instelling"]["percentage"], serde_json::Value::Null);
    assert_eq!(
        (r["respons"]["instelling"]["beantwoord"].as_u64(), r["respons"]["instelling"]["uitgenodigd"].as_u64()),
        (Some(0), Some(0))
    );
    // Seven more at 123A457 make ten there: now a cell of its own.
    cell(&mut app.db.conn(), "123A457", None, "BOL", "25180", "student", 7, 0, 9, 5);
    app.refresh();
    let after = app.json("/v1/resultaten?aanbieder=123A457", &t).await;
    assert_eq!((cijfer(&after).0["n"].as_u64(), cijfer(&after).0["tekst"].as_str()), (Some(10), Some("9,0")));
    assert_eq!(after["respons"]["instelling"]["tekst"], "71% (10 van 14)");
    let school = app.json("/v1/resultaten", &t).await;
    assert_eq!(cijfer(&school).0["n"], 32);
    // A second refresh with nothing new changes nothing.
    app.refresh();
    assert_eq!(app.json("/v1/resultaten", &t).await, school);
}

async_backend_tests!(
    a_purge_changes_no_report,
    school_selection_beside_the_national_figures,
    every_filter_narrows_as_computed,
    bad_selections_name_every_bad_key,
    csv_export_opens_in_excel_with_the_right_columns,
    new_answers_are_absorbed,
);

/// The retention purge removes names and addresses but no report changes: a fresh index built
/// from the purged database gives the very reports the running service gave before.
async fn a_purge_changes_no_report(db: TestDb) {
    use bpv_aggregation::Questionnaires;
    use bpv_reporting_api::data::ReportData;
    use bpv_reporting_api::report::{self, Kijker, Vraag};

    let app = spawn_app(db).await;
    let asks: [(Kijker, &str); 4] = [
        (Kijker::School { brin: "25AB".into() }, ""),
        (Kijker::School { brin: "25AB".into() }, "groep=praktijkopleiders"),
        (Kijker::School { brin: "25AB".into() }, "leerweg=BBL&locatie=L2"),
        (Kijker::Sbb, "sector=Techniek"),
    ];
    let mut before = Vec::new();
    for (kijker, q) in &asks {
        let token = match kijker {
            Kijker::School { brin } | Kijker::Lezer { brin, .. } => app.school(brin),
            Kijker::Sbb => app.sbb(),
        };
        before.push(app.json(&format!("/v1/resultaten?{q}"), &token).await);
    }
    let far = chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
    let purged = bpv_store::repo::retentie::purge(&mut app.db.conn(), far, 90, bpv_store::now_utc(), false).unwrap();
    // Every seeded bpvo: 30 + 10 + 5 + 25 students and 10 praktijkopleiders (see helpers).
    assert_eq!(purged.na_termijn, 80, "{purged:?}");
    let left = bpv_store::repo::bpvos::list_all(&mut app.db.conn()).unwrap();
    assert!(
        left.iter()
            .all(|b| b.student_email.is_none() && b.student_naam.is_none() && b.praktijkopleider_email.is_none())
    );

    let fresh = ReportData::new(Questionnaires::builtin().unwrap(), 10);
    fresh.refresh(&mut app.db.conn()).unwrap();
    for ((kijker, q), was) in asks.iter().zip(&before) {
        let (vraag, _) = Vraag::parse(q, &[]).unwrap();
        let selectie = vraag.check(kijker, &fresh.names()).unwrap();
        let mut now = serde_json::to_value(report::rapport(&fresh, &selectie)).unwrap();
        // A fresh load publishes at its own moment; the figures are what must not change.
        now["gepubliceerdOp"] = was["gepubliceerdOp"].clone();
        assert_eq!(&now, was, "{q}");
    }
}
