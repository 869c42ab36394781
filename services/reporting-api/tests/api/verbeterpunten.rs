//! Verbeterpunten that someone reads: SBB for any selection with at least k counted answers, a
//! school for its own only when its instelling opted in; exactly the texts of the answers the
//! figures count (whole atoms), scrubbed, never below k; every read audited.

use std::collections::BTreeMap;

use bpv_aggregation::{Answers, Antwoord, ItemKind, Questionnaires};
use bpv_store::async_backend_tests;
use bpv_store::repo::{audit, instellingen};
use bpv_store::testing::{Surveyed, TestDb};
use serde_json::Value;

use crate::helpers::{TestApp, WACHTWOORD, einde, problem, spawn_app};

/// `n` answered at `locatie` (crebo 25180, BOL) of 123A456, each with a verbeterpunt.
fn met_tekst(app: &TestApp, locatie: &str, n: usize, tekst: &str) {
    let qs = Questionnaires::builtin().unwrap();
    let q = qs.for_date(einde() - chrono::Days::new(21));
    let mut conn = app.db.conn();
    for i in 0..n {
        let items: BTreeMap<String, Antwoord> = q
            .items()
            .map(|(_, it)| {
                let a = match it.kind {
                    ItemKind::Cijfer => Antwoord::Cijfer(7),
                    ItemKind::Schaal => Antwoord::Schaal(4),
                };
                (it.code.clone(), a)
            })
            .collect();
        let text = format!("{tekst} {i}");
        let json = Answers { version: q.version.clone(), cijfer: 7, items, verbeterpunten: Some(text) }.to_json();
        let s = Surveyed {
            aanbiedercode: "123A456",
            locatiecode: Some(locatie),
            leerweg: "BOL",
            crebo: "25180",
            geplande_einddatum: einde(),
            groep: "student",
            answer: Some((q.version.as_str(), 7, json.as_str())),
        };
        bpv_store::testing::surveyed(&mut conn, &s, bpv_store::now_utc());
    }
}

async fn read_only_above_k_and_only_what_the_figures_count(db: TestDb) {
    let app = spawn_app(db).await;
    // Locatie L1 already holds 12 answers (helpers::seed); ten more with text, one with a phone
    // number in it. L2 holds 10 answers; four more there with text.
    met_tekst(&app, "L1", 9, "Meer begeleiding");
    met_tekst(&app, "L1", 1, "Bel mijn begeleider op 06-12345678 of mail b@x.nl");
    met_tekst(&app, "L2", 4, "Korter reizen");
    app.refresh();

    // SBB, the whole school: every counted answer's text, scrubbed.
    let school: Value = app.json("/v1/resultaten?instelling=25AB", &app.sbb()).await;
    let v: Value = app.json("/v1/resultaten/verbeterpunten?instelling=25AB", &app.sbb()).await;
    assert_eq!(v["reden"], Value::Null, "{v}");
    assert_eq!(v["antwoorden"], school["respons"]["instelling"]["beantwoord"], "the results' own count: {school}");
    let texts: Vec<&str> = v["verbeterpunten"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert_eq!(texts.len(), 14, "{texts:?}");
    assert!(texts.contains(&"Bel mijn begeleider op [nummer] of mail [e-mailadres] 0"), "{texts:?}");
    assert!(texts.iter().all(|t| !t.contains("12345678") && !t.contains("b@x.nl")));

    // A selection whose counted answers are fewer than k (aanbieder 123A457 has 3): nothing,
    // with the reason.
    let small: Value = app.json("/v1/resultaten/verbeterpunten?instelling=25AB&aanbieder=123A457", &app.sbb()).await;
    assert!(small["antwoorden"].as_u64().unwrap() < 10, "{small}");
    assert_eq!(small["verbeterpunten"], serde_json::json!([]));
    assert!(small["reden"].as_str().unwrap().contains("Minder dan 10 antwoorden"), "{small}");

    // Every text shown belongs to a counted answer: the texts of one locatie are exactly those
    // of the atoms the locatie's figures count (never more than the figures say).
    let l2: Value = app.json("/v1/resultaten/verbeterpunten?instelling=25AB&locatie=L2", &app.sbb()).await;
    let l2_texts = l2["verbeterpunten"].as_array().unwrap();
    assert!(l2_texts.len() as u64 <= l2["antwoorden"].as_u64().unwrap());
    assert!(l2_texts.iter().all(|t| t.as_str().unwrap().starts_with("Korter reizen")), "{l2}");

    // A school: refused until its instelling opts in, then its own only.
    let p = problem(app.get("/v1/resultaten/verbeterpunten", &app.school("25AB")).await, 403).await;
    assert!(p["detail"].as_str().unwrap().contains("verbeterpunten-delen"), "{p}");
    let change = instellingen::ParticipationChange { verbeterpunten_delen: Some(true), ..Default::default() };
    instellingen::set_participation(&mut app.db.conn(), "25AB", &change, bpv_store::now_utc()).unwrap();
    let own: Value = app.json("/v1/resultaten/verbeterpunten", &app.school("25AB")).await;
    assert_eq!(own["verbeterpunten"].as_array().unwrap().len(), 14);
    problem(app.get("/v1/resultaten/verbeterpunten?instelling=26CD", &app.school("25AB")).await, 403).await;

    // Every read is audited, with the selection and how many texts were shown.
    let log = audit::list(&mut app.db.conn(), Some("25AB"), None, 50).unwrap();
    let reads: Vec<_> = log.iter().filter(|e| e.action == "verbeterpunten.gelezen").collect();
    assert!(reads.len() >= 3, "{reads:?}");
    assert!(reads.iter().any(|e| e.actor_kind == "client" && e.row_count == Some(14)));

    // The dashboard page shows the same texts to SBB.
    let login = app
        .http
        .post(format!("{}/dashboard/inloggen", app.url))
        .form(&[("email", "analist@sbb.example"), ("wachtwoord", WACHTWOORD)])
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let r = app
        .http
        .get(format!("{}/dashboard/verbeterpunten?instelling=25AB", app.url))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert_eq!(html.matches("<li>").count(), 14, "{html}");
    assert!(html.contains("Korter reizen") && !html.contains("12345678"));
}

async_backend_tests!(read_only_above_k_and_only_what_the_figures_count);

/// The xlsx export holds exactly the texts the API gives, read back by a third-party reader
/// (openpyxl, in the venv `scripts/lib/python-tools.sh` makes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs openpyxl (scripts/test.sh installs it into $BPV_VENV and runs this)"]
async fn the_xlsx_reads_back_with_openpyxl() {
    let app = spawn_app(TestDb::sqlite()).await;
    met_tekst(&app, "L1", 9, "Meer begeleiding");
    met_tekst(&app, "L1", 1, "=HYPERLINK(\"https://x.example\") 06-12345678");
    app.refresh();
    let json: Value = app.json("/v1/resultaten/verbeterpunten?instelling=25AB", &app.sbb()).await;
    let mut expected: Vec<String> =
        json["verbeterpunten"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_owned()).collect();
    expected.sort();
    assert_eq!(expected.len(), 10);
    let r = app.get("/v1/resultaten/verbeterpunten.xlsx?instelling=25AB", &app.sbb()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.xlsx");
    std::fs::write(&path, r.bytes().await.unwrap()).unwrap();
    let venv = std::env::var("BPV_VENV").unwrap_or_else(|_| "/var/tmp/bpv-venv".into());
    let out = std::process::Command::new(format!("{venv}/bin/python"))
        .args([
            "-c",
            "import json, sys, openpyxl\n\
             ws = openpyxl.load_workbook(sys.argv[1]).active\n\
             rows = [r[0] for r in ws.iter_rows(values_only=True)]\n\
             print(json.dumps({'title': ws.title, 'top': rows[:3], 'head': rows[4], 'texts': rows[5:],\n\
                               'types': sorted({c.data_type for c in ws['A'][5:]})}))",
        ])
        .arg(&path)
        .output()
        .expect("python in the venv (scripts/lib/python-tools.sh)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let read: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(read["title"], "Verbeterpunten");
    assert!(read["top"][1].as_str().unwrap().starts_with("Selectie: "), "{read}");
    assert!(read["top"][2].as_str().unwrap().contains("met een verbeterpunt"), "{read}");
    assert_eq!(read["head"], "Verbeterpunt");
    let mut texts: Vec<String> =
        read["texts"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_owned()).collect();
    texts.sort();
    assert_eq!(texts, expected, "exactly the API's texts");
    assert_eq!(read["types"], serde_json::json!(["s"]), "every text a string cell, a leading = included");
    assert!(texts.iter().any(|t| t.starts_with("=HYPERLINK") && t.contains("[nummer]")));
}
