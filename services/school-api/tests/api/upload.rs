//! Uploading: single records (create / update / unchanged / withdraw), batches all-or-nothing and
//! partial, CSV as schools export it, idempotency, and the limits.

use bpv_school_api::Limits;
use bpv_store::async_backend_tests;
use bpv_store::models::UploadBatchRow;
use bpv_store::repo::{audit, upload_batches};
use bpv_store::testing::TestDb;
use serde_json::{Value, json};

use crate::helpers::{EINDE, dag, param_names, problem, record, spawn_app, spawn_app_with};

async fn put_creates_then_unchanged_then_updated_then_withdrawn(db: TestDb) {
    let app = spawn_app(db).await;
    let t = app.token("c-25ab").await;
    let rec = record("123A456", "P-1");
    let r = app.put("/v1/bpvos/P-1", &t, &rec).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["resultaat"], "created");
    assert_eq!(a["uitnodiging"]["status"], "gepland");
    assert_eq!(a["uitnodiging"]["datum"], dag(EINDE - 21), "21 days before the planned end date");
    assert_eq!(a["uitnodiging"]["kanaalStudent"], "direct");

    let r = app.put("/v1/bpvos/P-1", &t, &rec).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["resultaat"], "unchanged");

    let mut moved = rec.clone();
    moved["geplandeEinddatum"] = json!(dag(EINDE + 31));
    moved["student"]["emailadres"] = Value::Null;
    let a: Value = app.put("/v1/bpvos/P-1", &t, &moved).send().await.unwrap().json().await.unwrap();
    assert_eq!(a["resultaat"], "updated");
    assert_eq!(a["uitnodiging"]["kanaalStudent"], "viaPraktijkopleider", "no student email: via the praktijkopleider");

    let got: Value = app.get("/v1/bpvos/P-1", &t).send().await.unwrap().json().await.unwrap();
    assert_eq!(got["geplandeEinddatum"], dag(EINDE + 31));
    assert_eq!(got["student"]["emailadres"], Value::Null);

    assert_eq!(app.delete("/v1/bpvos/P-1", &t).send().await.unwrap().status(), 204);
    let got: Value = app.get("/v1/bpvos/P-1", &t).send().await.unwrap().json().await.unwrap();
    assert_eq!(got["status"], "ingetrokken");
    assert_eq!(got["student"], json!({ "emailadres": null, "studentcode": null, "naam": null }));
    assert_eq!(got["uitnodiging"]["status"], "ingetrokken");
    // Withdrawing again changes nothing and still answers 204.
    assert_eq!(app.delete("/v1/bpvos/P-1", &t).send().await.unwrap().status(), 204);
    let actions: Vec<String> =
        audit::list(&mut app.db.conn(), Some("25AB"), None, 50).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions.iter().filter(|a| *a == "bpvo.upload").count(), 3);
    assert_eq!(actions.iter().filter(|a| *a == "bpvo.withdraw").count(), 1);
}

async fn a_late_upload_says_why_it_will_not_be_surveyed(db: TestDb) {
    let app = spawn_app(db).await;
    let t = app.token("c-25ab").await;
    let mut late = record("123A456", "LAAT-1");
    late["startdatum"] = json!("2024-01-08");
    late["geplandeEinddatum"] = json!("2024-06-30");
    let a: Value = app.put("/v1/bpvos/LAAT-1", &t, &late).send().await.unwrap().json().await.unwrap();
    assert_eq!(a["resultaat"], "created", "it is stored all the same");
    assert_eq!(a["uitnodiging"]["status"], "wordtNietUitgenodigd");
    assert!(a["uitnodiging"]["reden"].as_str().unwrap().contains("te laat"), "{a}");
    let got: Value = app.get("/v1/bpvos/LAAT-1", &t).send().await.unwrap().json().await.unwrap();
    assert_eq!(got["uitnodiging"]["status"], "wordtNietUitgenodigd");
}

async fn put_reports_every_bad_field(db: TestDb) {
    let app = spawn_app(db).await;
    let t = app.token("c-25ab").await;
    let mut bad = record("123A456", "B-1");
    bad["creboCode"] = json!("2560");
    bad["leerwegNaam"] = json!("HBO");
    bad["student"]["emailadres"] = json!("geen-mail");
    bad["geplandeEinddatum"] = json!("2026-01-01");
    bad["leerbedrijfCode"] = Value::Null;
    let p = problem(app.put("/v1/bpvos/B-1", &t, &bad).send().await.unwrap(), 400).await;
    let mut names = param_names(&p);
    names.sort();
    assert_eq!(names, ["creboCode", "geplandeEinddatum", "leerbedrijfCode", "leerwegNaam", "student.emailadres"]);
    // About this record at its own address, not about a batch (a PUT has no ?modus).
    assert_eq!(p["instance"], "/v1/bpvos/B-1", "{p}");
    assert!(!p["detail"].as_str().unwrap().contains("modus"), "{p}");
    // A correlatieId in the body that contradicts the path.
    let p = problem(app.put("/v1/bpvos/ANDERS", &t, &record("123A456", "B-1")).send().await.unwrap(), 400).await;
    assert_eq!(param_names(&p), ["correlatieId"]);
    // Not JSON.
    let r = app
        .http
        .put(format!("{}/v1/bpvos/B-1", app.url))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{ dit is geen json")
        .send()
        .await
        .unwrap();
    problem(r, 400).await;
    // An unknown field is named rather than ignored.
    let mut extra = record("123A456", "B-1");
    extra["onbekendVeld"] = json!(1);
    problem(app.put("/v1/bpvos/B-1", &t, &extra).send().await.unwrap(), 400).await;
    assert_eq!(app.count_bpvos(), 0);
}

async fn batch_is_all_or_nothing_by_default_and_partial_on_request(db: TestDb) {
    let app = spawn_app(db).await;
    let t = app.token("c-25ab").await;
    let mut bad = record("123A456", "K-2");
    bad["creboCode"] = json!("12");
    bad["student"]["naam"] = json!("");
    let mut dup = record("123A457", "K-1");
    dup["school"]["aanbiedercode"] = json!("123A456");
    let records = vec![record("123A456", "K-1"), bad, record("123A457", "K-3"), dup];

    let p = problem(app.post_batch(&t, &records).send().await.unwrap(), 400).await;
    let mut names = param_names(&p);
    names.sort();
    assert_eq!(names, ["records[1].creboCode", "records[1].student.naam", "records[3].correlatieId"]);
    assert_eq!(app.count_bpvos(), 0, "nothing stored");
    // The refused batch is on record and can be read back.
    let batch_path = p["instance"].as_str().unwrap().to_owned();
    let b: Value = app.get(&batch_path, &t).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        (b["geweigerd"].as_bool(), b["afgewezen"].as_i64(), b["aangemaakt"].as_i64()),
        (Some(true), Some(2), Some(0))
    );

    let r = app.post_batch_partial(&t, &records).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let a: Value = r.json().await.unwrap();
    assert_eq!(
        (a["ontvangen"].as_i64(), a["aangemaakt"].as_i64(), a["afgewezen"].as_i64()),
        (Some(4), Some(2), Some(2))
    );
    let res: Vec<&str> = a["resultaten"].as_array().unwrap().iter().map(|r| r["resultaat"].as_str().unwrap()).collect();
    assert_eq!(res, ["created", "rejected", "created", "rejected"]);
    assert_eq!(a["resultaten"][1]["fouten"].as_array().unwrap().len(), 2);
    assert_eq!(app.count_bpvos(), 2);
    // GET gives the same per-record results, a page at a time (the counts are the batch's).
    let b: Value = app.get(&location, &t).send().await.unwrap().json().await.unwrap();
    assert_eq!(b["resultaten"], a["resultaten"]);
    assert_eq!(
        (b["resultatenTotaal"].as_u64(), b["pagina"].as_i64(), b["perPagina"].as_i64()),
        (Some(4), Some(1), Some(1000))
    );
    assert_eq!(b["status"], "verwerkt");
    let page2: Value =
        app.get(&format!("{location}?pagina=2&perPagina=3"), &t).send().await.unwrap().json().await.unwrap();
    assert_eq!(page2["resultaten"].as_array().unwrap(), &a["resultaten"].as_array().unwrap()[3..]);
    assert_eq!((page2["ontvangen"].as_i64(), page2["resultatenTotaal"].as_u64()), (Some(4), Some(4)));
    let beyond: Value = app.get(&format!("{location}?pagina=9"), &t).send().await.unwrap().json().await.unwrap();
    assert!(beyond["resultaten"].as_array().unwrap().is_empty());
    let p = problem(app.get(&format!("{location}?perPagina=5001&pagina=0"), &t).send().await.unwrap(), 400).await;
    let mut names = param_names(&p);
    names.sort();
    assert_eq!(names, ["pagina", "perPagina"]);
    let p = problem(app.get(&format!("{location}?page=2"), &t).send().await.unwrap(), 400).await;
    let unknown = &p["invalidParams"][0];
    assert_eq!((unknown["name"].as_str(), unknown["code"].as_str()), (Some("page"), Some("unknown")));
    assert_eq!(unknown["reason"], "onbekende parameter; bekend zijn: pagina, perPagina");
    // Another school cannot read the batch.
    let cd = app.token("c-26cd").await;
    problem(app.get(&location, &cd).send().await.unwrap(), 404).await;
    // A record that is not even the right JSON shape is rejected on its own.
    let r = app.post_batch_partial(&t, &[record("123A456", "K-9"), json!({ "student": 5 })]).send().await.unwrap();
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["resultaten"][1]["resultaat"], "rejected");
    assert_eq!(a["aangemaakt"], 1);
}

async fn resending_a_batch_is_unchanged(db: TestDb) {
    let app = spawn_app(db).await;
    let t = app.token("c-25ab").await;
    let records: Vec<Value> = (0..30).map(|i| record("123A456", &format!("R-{i}"))).collect();
    let a: Value = app.post_batch(&t, &records).send().await.unwrap().json().await.unwrap();
    assert_eq!(a["aangemaakt"], 30);
    let a: Value = app.post_batch(&t, &records).send().await.unwrap().json().await.unwrap();
    assert_eq!((a["aangemaakt"].as_i64(), a["ongewijzigd"].as_i64()), (Some(0), Some(30)));
    assert_eq!(app.count_bpvos(), 30);
}

async fn idempotency_key_replays_refuses_other_body_and_running(db: TestDb) {
    let app = spawn_app(db).await;
    let t = app.token("c-25ab").await;
    let post = |key: &str, records: Vec<Value>| {
        app.http
            .post(format!("{}/v1/bpvo-batches", app.url))
            .bearer_auth(&t)
            .header("Idempotency-Key", key)
            .json(&json!({ "records": records }))
    };
    let first = post("sleutel-1", vec![record("123A456", "I-1")]).send().await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let replay = post("sleutel-1", vec![record("123A456", "I-1")]).send().await.unwrap();
    assert_eq!(replay.status(), 201);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    let replay: Value = replay.json().await.unwrap();
    assert_eq!(replay, first, "a replay returns the first answer (created, not unchanged)");
    // Same key, different body.
    problem(post("sleutel-1", vec![record("123A456", "I-2")]).send().await.unwrap(), 422).await;
    assert_eq!(app.count_bpvos(), 1);
    // A request still running under this key: 409.
    {
        let mut conn = app.db.conn();
        upload_batches::insert(&mut conn, &running_batch("lopend", "sleutel-2", None)).unwrap();
    }
    // Still running: 409, whatever the body; it is never processed twice.
    problem(post("sleutel-2", vec![record("123A456", "I-3")]).send().await.unwrap(), 409).await;
    assert_eq!(app.count_bpvos(), 1);
    // A refused (all-or-nothing) batch replays its 400.
    let mut bad = record("123A456", "I-4");
    bad["creboCode"] = json!("x");
    let p1 = problem(post("sleutel-3", vec![bad.clone()]).send().await.unwrap(), 400).await;
    let r = post("sleutel-3", vec![bad]).send().await.unwrap();
    assert_eq!(r.headers()["idempotent-replayed"], "true");
    assert_eq!(problem(r, 400).await, p1);
    // A key is the client's own: another client may use the same key.
    let cd = app.token("c-26cd").await;
    let r = app
        .http
        .post(format!("{}/v1/bpvo-batches", app.url))
        .bearer_auth(&cd)
        .header("Idempotency-Key", "sleutel-1")
        .json(&json!({ "records": [record("223A456", "I-1")] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

async fn running_request_with_same_body_is_409(db: TestDb) {
    let app = spawn_app(db).await;
    let t = app.token("c-25ab").await;
    let body = json!({ "records": [record("123A456", "L-1")] });
    // Reserve the key exactly as a first, still running request would.
    let hash = {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(b"application/json");
        h.update([0]);
        h.update(b"allesOfNiets");
        h.update([0]);
        h.update(serde_json::to_vec(&body).unwrap());
        hex::encode(h.finalize())
    };
    upload_batches::insert(&mut app.db.conn(), &running_batch("lopend-2", "sleutel-9", Some(hash))).unwrap();
    let r = app
        .http
        .post(format!("{}/v1/bpvo-batches", app.url))
        .bearer_auth(&t)
        .header("Idempotency-Key", "sleutel-9")
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&body).unwrap())
        .send()
        .await
        .unwrap();
    problem(r, 409).await;
    assert_eq!(app.count_bpvos(), 0);
}

async fn csv_batch_as_dutch_excel_saves_it(db: TestDb) {
    let app = spawn_app(db).await;
    let t = app.token("c-25ab").await;
    let csv = "\u{feff}Correlatie_id;Leerbedrijf_code;Crebo_code;Emailadres;Studentcode;Naam;Startdatum;Geplande_einddatum;Leerweg_naam;Schoolnaam;Locatiecode;Aanbiedercode\r\n\
               C-1;100200300;25604;zoe@student.roc.nl;111;Zoë Çelik-de Vries;01-09-2026;30-06-2027;BOL;ROC Test;123X001;123A456\r\n\
               C-2 ; 100200301 ;25480;;112;Daniël de Boer;1-9-2026;31-05-2027;bbl;ROC Test;123X001;123A457\r\n";
    let send = |body: String, query: &str| {
        app.http
            .post(format!("{}/v1/bpvo-batches{query}", app.url))
            .bearer_auth(&t)
            .header("content-type", "text/csv; charset=utf-8")
            .body(body)
            .send()
    };
    let r = send(csv.to_owned(), "").await.unwrap();
    assert_eq!(r.status(), 201);
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["aangemaakt"], 2);
    assert_eq!(a["resultaten"][0]["regel"], 2);
    assert_eq!(a["resultaten"][1]["regel"], 3);
    let got: Value = app.get("/v1/bpvos/C-2", &t).send().await.unwrap().json().await.unwrap();
    assert_eq!((got["startdatum"].as_str(), got["leerwegNaam"].as_str()), (Some("2026-09-01"), Some("BBL")));
    assert_eq!(got["student"]["naam"], "Daniël de Boer");
    // A bad line is named by its line number; nothing is stored.
    let bad = format!("{csv}C-3;100200300;2560;x@y.nl;113;Sem;01-09-2026;30-06-2027;BOL;ROC Test;123X001;123A456\r\n");
    let p = problem(send(bad, "").await.unwrap(), 400).await;
    assert_eq!(param_names(&p), ["regel 4: creboCode"]);
    assert_eq!(app.count_bpvos(), 2);
    // A file without the required columns says which are missing.
    let p = problem(send("Correlatie_id;Naam\nX;Y\n".into(), "").await.unwrap(), 400).await;
    assert!(p["detail"].as_str().unwrap().contains("Crebo_code"), "{p}");
}

/// The workbook a gemachtigde keeps in Excel, sent as it is: the same columns, dates as Excel
/// dates or as text, errors named by row; any other binary file is named with what to send.
async fn an_excel_workbook_is_read_like_the_csv(db: TestDb) {
    let app = spawn_app(db).await;
    let t = app.token("c-25ab").await;
    let werkmap = |crebo2: &str| {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        let kop = [
            "Correlatie_id",
            "Leerbedrijf_code",
            "Crebo_code",
            "Emailadres",
            "Studentcode",
            "Naam",
            "Startdatum",
            "Geplande_einddatum",
            "Leerweg_naam",
            "Schoolnaam",
            "Locatiecode",
            "Aanbiedercode",
        ];
        for (c, h) in kop.iter().enumerate() {
            ws.write_string(0, u16::try_from(c).unwrap(), *h).unwrap();
        }
        let datum = |y, m, d| rust_xlsxwriter::ExcelDateTime::from_ymd(y, m, d).unwrap();
        let fmt = rust_xlsxwriter::Format::new().set_num_format("dd-mm-yyyy");
        for (r, (id, crebo, naam)) in
            [("X-1", "25604", "Zoë Çelik"), ("X-2", crebo2, "Daniël de Boer")].iter().enumerate()
        {
            let r = u32::try_from(r + 1).unwrap();
            ws.write_string(r, 0, *id).unwrap();
            ws.write_number(r, 1, 100200300.0).unwrap();
            ws.write_number(r, 2, crebo.parse::<f64>().unwrap()).unwrap();
            ws.write_string(r, 3, "z@student.roc.nl").unwrap();
            ws.write_number(r, 4, 111.0).unwrap();
            ws.write_string(r, 5, *naam).unwrap();
            ws.write_datetime_with_format(r, 6, datum(2026, 9, 1), &fmt).unwrap();
            ws.write_string(r, 7, "30-06-2027").unwrap();
            ws.write_string(r, 8, "BOL").unwrap();
            ws.write_string(r, 9, "ROC Test").unwrap();
            ws.write_string(r, 10, "123X001").unwrap();
            ws.write_string(r, 11, "123A456").unwrap();
        }
        wb.save_to_buffer().unwrap()
    };
    let send = |body: Vec<u8>, media: &'static str| {
        app.http
            .post(format!("{}/v1/bpvo-batches", app.url))
            .bearer_auth(&t)
            .header("content-type", media)
            .body(body)
            .send()
    };
    const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    // A bad crebo in row 3: named by its row, nothing stored.
    let p = problem(send(werkmap("2560"), XLSX).await.unwrap(), 400).await;
    assert_eq!(param_names(&p), ["regel 3: creboCode"]);
    assert_eq!(app.count_bpvos(), 0);
    let r = send(werkmap("25480"), XLSX).await.unwrap();
    assert_eq!(r.status(), 201);
    let a: Value = r.json().await.unwrap();
    assert_eq!((a["aangemaakt"].as_i64(), a["resultaten"][1]["regel"].as_i64()), (Some(2), Some(3)));
    let got: Value = app.get("/v1/bpvos/X-1", &t).send().await.unwrap().json().await.unwrap();
    assert_eq!(got["startdatum"], "2026-09-01", "an Excel date");
    assert_eq!(got["geplandeEinddatum"], "2027-06-30", "a date typed as text");
    assert_eq!((got["creboCode"].as_str(), got["student"]["naam"].as_str()), (Some("25604"), Some("Zoë Çelik")));
    // The same workbook sent as text/csv (a client that does not know better) is read too.
    assert_eq!(send(werkmap("25480"), "text/csv").await.unwrap().status(), 201);
    // Another binary file: what it is, and what to send instead.
    let p = problem(send(b"%PDF-1.7\n...".to_vec(), "text/csv").await.unwrap(), 400).await;
    let detail = p["detail"].as_str().unwrap();
    assert!(detail.contains("PDF-document") && detail.contains("CSV UTF-8") && detail.contains(".xlsx"), "{p}");
}

async fn limits_are_explicit_413s(db: TestDb) {
    let limits = Limits { max_batch_records: 5, max_batch_bytes: 20_000, max_record_bytes: 2_000, ..Limits::default() };
    let app = spawn_app_with(db, limits).await;
    let t = app.token("c-25ab").await;
    let six: Vec<Value> = (0..6).map(|i| record("123A456", &format!("M-{i}"))).collect();
    let p = problem(app.post_batch(&t, &six).send().await.unwrap(), 413).await;
    assert!(p["detail"].as_str().unwrap().contains('5'), "{p}");
    let mut big = record("123A456", "M-9");
    big["student"]["naam"] = json!("x".repeat(30_000));
    problem(app.post_batch(&t, &[big.clone()]).send().await.unwrap(), 413).await;
    problem(app.put("/v1/bpvos/M-9", &t, &big).send().await.unwrap(), 413).await;
    assert_eq!(app.count_bpvos(), 0);
    // Wrong media type and an empty batch are clear 4xx problems.
    let r = app
        .http
        .post(format!("{}/v1/bpvo-batches", app.url))
        .bearer_auth(&t)
        .header("content-type", "application/xml")
        .body("<records/>")
        .send()
        .await
        .unwrap();
    problem(r, 415).await;
    problem(app.post_batch(&t, &[]).send().await.unwrap(), 400).await;
}

/// An upload batch of client c-25ab still running under `key`, as a first request leaves it.
/// A crash between reserving a key and finishing the batch stores nothing; a retry with the same
/// key must then work, not answer 409 forever.
async fn a_stale_reservation_is_taken_over_by_a_retry(db: TestDb) {
    let app = spawn_app(db).await;
    let t = app.token("c-25ab").await;
    let body = json!({ "records": [record("123A456", "S-1")] });
    let post = |key: &'static str| {
        app.http.post(format!("{}/v1/bpvo-batches", app.url)).bearer_auth(&t).header("Idempotency-Key", key).json(&body)
    };
    let mut stale = running_batch("gecrasht-1", "sleutel-oud", None);
    stale.created_at = bpv_store::now_utc() - chrono::TimeDelta::minutes(11);
    upload_batches::insert(&mut app.db.conn(), &stale).unwrap();
    let r = post("sleutel-oud").send().await.unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(app.count_bpvos(), 1);
    // The same key again now replays the finished batch.
    let r = post("sleutel-oud").send().await.unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["idempotent-replayed"], "true");
    // A reservation younger than the bound still answers 409: its request may still be running.
    let mut recent = running_batch("lopend-3", "sleutel-nieuw", None);
    recent.created_at = bpv_store::now_utc() - chrono::TimeDelta::minutes(9);
    upload_batches::insert(&mut app.db.conn(), &recent).unwrap();
    problem(post("sleutel-nieuw").send().await.unwrap(), 409).await;
}

/// Two identical POSTs with one Idempotency-Key at the same moment: one batch, never two. The
/// other answer is 409 (the first still running) or the first one's replay.
async fn two_identical_posts_at_once_make_one_batch(db: TestDb) {
    let app = spawn_app(db).await;
    let t = app.token("c-25ab").await;
    let records: Vec<Value> = (0..2_000).map(|i| record("123A456", &format!("GELIJK-{i}"))).collect();
    let post = || {
        app.http
            .post(format!("{}/v1/bpvo-batches", app.url))
            .bearer_auth(&t)
            .header("Idempotency-Key", "tegelijk-1")
            .json(&json!({ "records": records }))
            .send()
    };
    for round in 0..5 {
        let (a, b) = tokio::join!(post(), post());
        let (a, b) = (a.unwrap(), b.unwrap());
        let replayed = |r: &reqwest::Response| r.headers().contains_key("idempotent-replayed");
        let mut outcomes = vec![(a.status().as_u16(), replayed(&a)), (b.status().as_u16(), replayed(&b))];
        outcomes.sort();
        if round == 0 {
            assert!(
                outcomes == [(201, false), (409, false)] || outcomes == [(201, false), (201, true)],
                "one 201 and one 409 or replay: {outcomes:?}"
            );
        } else {
            assert_eq!(outcomes, [(201, true), (201, true)], "later rounds replay the first batch");
        }
        let _ = (a.bytes().await, b.bytes().await);
    }
    let batches: i64 = {
        use bpv_store::schema::upload_batches::dsl;
        use diesel::prelude::*;
        dsl::upload_batches
            .filter(dsl::idempotency_key.eq("tegelijk-1"))
            .count()
            .get_result(&mut app.db.conn())
            .unwrap()
    };
    assert_eq!(batches, 1);
    assert_eq!(app.count_bpvos(), 2_000);
}

/// The first large upload of a fresh database brings PostgreSQL's statistics of `bpvos` up to date
/// (the store's test says why); a small one leaves them alone. SQLite keeps none.
async fn a_large_first_upload_brings_the_statistics_up_to_date(db: TestDb) {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Known {
        #[diesel(sql_type = diesel::sql_types::Float)]
        reltuples: f32,
    }
    let app = spawn_app(db).await;
    let known = || match &mut app.db.connect() {
        bpv_store::DbConnection::Postgresql(c) => Some(
            diesel::sql_query("SELECT reltuples FROM pg_class WHERE oid = 'bpvos'::regclass")
                .get_result::<Known>(c)
                .unwrap()
                .reltuples,
        ),
        bpv_store::DbConnection::Sqlite(_) => None,
    };
    if let bpv_store::DbConnection::Postgresql(c) = &mut app.db.connect() {
        diesel::sql_query("ALTER TABLE bpvos SET (autovacuum_enabled = false)").execute(c).unwrap();
    }
    let t = app.token("c-25ab").await;
    let post = |records: Vec<Value>| {
        app.http
            .post(format!("{}/v1/bpvo-batches", app.url))
            .bearer_auth(&t)
            .json(&json!({ "records": records }))
            .send()
    };
    let small: Vec<Value> = (0..10).map(|i| record("123A456", &format!("KLEIN-{i}"))).collect();
    assert_eq!(post(small).await.unwrap().status(), 201);
    let before = known();
    assert!(before.is_none_or(|n| n < 10.0), "{before:?}");
    let large: Vec<Value> = (0..1_200).map(|i| record("123A456", &format!("GROOT-{i}"))).collect();
    assert_eq!(post(large).await.unwrap().status(), 201);
    assert_eq!(known(), before.map(|_| 1_210.0));
}

/// A school that knows who answered when could read one named student's answers off the
/// results: the stored invitation says `uitgenodigd` for both an answered and an unanswered
/// student, and `gesloten` after the survey closed.
async fn the_school_never_sees_whether_a_student_answered(db: TestDb) {
    use bpv_store::testing::{Surveyed, surveyed};
    let app = spawn_app(db).await;
    let t = app.token("c-25ab").await;
    let today = bpvo::vandaag();
    let mut ids = Vec::new();
    for (eind, answered) in [(10, true), (10, false), (-40, true)] {
        let s = Surveyed {
            aanbiedercode: "123A456",
            locatiecode: None,
            leerweg: "BOL",
            crebo: "25604",
            geplande_einddatum: today + chrono::TimeDelta::days(eind),
            groep: "student",
            answer: answered.then_some(("2024-07", 8, "{}")),
        };
        let inv = surveyed(&mut app.db.conn(), &s, bpv_store::now_utc());
        let correlatie: String = {
            use bpv_store::schema::{bpvos, invitations};
            use diesel::prelude::*;
            invitations::table
                .inner_join(bpvos::table)
                .filter(invitations::id.eq(&inv))
                .select(bpvos::correlatie_id)
                .first(&mut app.db.conn())
                .unwrap()
        };
        ids.push(correlatie);
    }
    let status = |id: &str| {
        let (app, t, id) = (&app, &t, id.to_owned());
        async move {
            let got: Value = app.get(&format!("/v1/bpvos/{id}"), t).send().await.unwrap().json().await.unwrap();
            got["uitnodiging"]["status"].as_str().unwrap().to_owned()
        }
    };
    assert_eq!(status(&ids[0]).await, "uitgenodigd", "answered");
    assert_eq!(status(&ids[1]).await, "uitgenodigd", "not answered");
    assert_eq!(status(&ids[2]).await, "gesloten", "answered, survey closed");
}

fn running_batch(id: &str, key: &str, request_hash: Option<String>) -> UploadBatchRow {
    UploadBatchRow {
        id: id.into(),
        brin: "25AB".into(),
        actor_kind: "client".into(),
        actor_id: "c-25ab".into(),
        bron: bpv_store::UploadBron::Api,
        modus: "allesOfNiets".into(),
        idempotency_key: Some(key.into()),
        request_hash,
        status: bpv_store::BatchStatus::Bezig,
        ontvangen: 0,
        aangemaakt: 0,
        bijgewerkt: 0,
        ongewijzigd: 0,
        afgewezen: 0,
        resultaat: None,
        created_at: bpv_store::now_utc(),
        finished_at: None,
    }
}

/// A nightly full sync from the SIS sends every record again, withdrawn ones too: that must not
/// bring back a bpvo whose student data was erased on request.
async fn a_withdrawn_bpvo_stays_withdrawn_unless_reinstated(db: TestDb) {
    let app = spawn_app(db).await;
    let t = app.token("c-25ab").await;
    let rec = record("123A456", "W-1");
    assert_eq!(app.put("/v1/bpvos/W-1", &t, &rec).send().await.unwrap().status(), 201);
    assert_eq!(app.delete("/v1/bpvos/W-1", &t).send().await.unwrap().status(), 204);
    let still_withdrawn = |got: &Value| {
        assert_eq!(got["status"], "ingetrokken", "{got}");
        assert_eq!(got["student"], json!({ "emailadres": null, "studentcode": null, "naam": null }));
        assert_eq!(got["uitnodiging"]["status"], "ingetrokken");
    };

    // PUT of the same record: refused, naming why and how to reinstate on purpose.
    let p = problem(app.put("/v1/bpvos/W-1", &t, &rec).send().await.unwrap(), 400).await;
    assert_eq!(param_names(&p), ["correlatieId"]);
    assert_eq!(p["invalidParams"][0]["code"], "ingetrokken");
    assert!(p["invalidParams"][0]["reason"].as_str().unwrap().contains("herstellen=true"), "{p}");
    still_withdrawn(&app.get("/v1/bpvos/W-1", &t).send().await.unwrap().json().await.unwrap());

    // In a batch: all-or-nothing stores nothing; partial stores the others only.
    let records = vec![rec.clone(), record("123A456", "W-2")];
    let p = problem(app.post_batch(&t, &records).send().await.unwrap(), 400).await;
    assert_eq!(param_names(&p), ["records[0].correlatieId"]);
    problem(app.get("/v1/bpvos/W-2", &t).send().await.unwrap(), 404).await;
    let a: Value = app.post_batch_partial(&t, &records).send().await.unwrap().json().await.unwrap();
    let res: Vec<&str> = a["resultaten"].as_array().unwrap().iter().map(|r| r["resultaat"].as_str().unwrap()).collect();
    assert_eq!(res, ["rejected", "created"]);
    assert_eq!(a["resultaten"][0]["fouten"][0]["code"], "ingetrokken");
    still_withdrawn(&app.get("/v1/bpvos/W-1", &t).send().await.unwrap().json().await.unwrap());

    // Reinstating on purpose brings it back, and the audit log says so.
    let r = app.put("/v1/bpvos/W-1?herstellen=true", &t, &rec).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["resultaat"], "updated");
    let got: Value = app.get("/v1/bpvos/W-1", &t).send().await.unwrap().json().await.unwrap();
    assert_eq!(got["status"], "actief");
    let uploads: Vec<String> = audit::list(&mut app.db.conn(), Some("25AB"), None, 50)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "bpvo.upload")
        .map(|e| e.detail)
        .collect();
    assert_eq!(uploads.iter().filter(|d| d.contains("\"hersteld\":1")).count(), 1, "{uploads:?}");
}

async fn codes_unknown_to_sbbs_registers_are_refused_by_field(db: TestDb) {
    use bpv_store::models::{KwalificatieRow, LocatieRow};
    use bpv_store::repo::{aanbieders, referentie};
    let app = spawn_app(db).await;
    {
        let mut conn = app.db.conn();
        let k = KwalificatieRow {
            crebo: "25604".into(),
            naam: "Kok".into(),
            niveau: 2,
            sector: "VGG".into(),
            domein: None,
        };
        referentie::upsert_kwalificaties(&mut conn, &[k]).unwrap();
        for (locatie, aanbieder) in [("123X001", "123A456"), ("223X001", "223A456")] {
            let row = LocatieRow {
                locatiecode: locatie.into(),
                aanbiedercode: aanbieder.into(),
                naam: format!("Locatie {locatie}"),
                plaats: None,
            };
            aanbieders::upsert_locatie(&mut conn, &row).unwrap();
        }
    }
    let t = app.token("c-25ab").await;
    let refused = |field: &str, value: &str| {
        let mut r = record("123A456", "R-1");
        if let Some((outer, inner)) = field.split_once('.') {
            r[outer][inner] = json!(value);
        } else {
            r[field] = json!(value);
        }
        r
    };
    for (field, value, code) in [
        ("creboCode", "99999", "unknown_crebo"),
        ("school.locatiecode", "999X999", "unknown_locatie"),
        ("school.locatiecode", "223X001", "locatie_other_aanbieder"),
    ] {
        let p = problem(app.put("/v1/bpvos/R-1", &t, &refused(field, value)).send().await.unwrap(), 400).await;
        assert_eq!(param_names(&p), [field], "{p}");
        assert_eq!(p["invalidParams"][0]["code"], code, "{p}");
    }
    assert_eq!(app.count_bpvos(), 0, "nothing stored");
    // In a partial batch the refused record is named and the good one stored.
    let r =
        app.post_batch_partial(&t, &[refused("creboCode", "99999"), record("123A456", "R-2")]).send().await.unwrap();
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["resultaten"][0]["resultaat"], "rejected", "{a}");
    assert_eq!(a["resultaten"][0]["fouten"][0]["name"], "records[0].creboCode", "{a}");
    assert_eq!(a["resultaten"][1]["resultaat"], "created", "{a}");
    assert_eq!(app.count_bpvos(), 1);
}

/// `GET /v1/bpvos`: a SIS reconciles what SBB holds, a page at a time, narrowed by status,
/// change moment, end date and aanbieder; no personal data in the list; bad values named.
async fn the_list_reconciles_a_schools_bpvos_page_by_page(db: TestDb) {
    let app = spawn_app(db).await;
    let t = app.token("c-25ab").await;
    for (aanbieder, id) in [("123A456", "L-3"), ("123A456", "L-1"), ("123A457", "L-2"), ("123A456", "L-4")] {
        let mut rec = record(aanbieder, id);
        if id == "L-4" {
            rec["geplandeEinddatum"] = json!(dag(EINDE + 100));
        }
        assert_eq!(app.put(&format!("/v1/bpvos/{id}"), &t, &rec).send().await.unwrap().status(), 201);
    }
    assert_eq!(app.delete("/v1/bpvos/L-3", &t).send().await.unwrap().status(), 204);
    // Another school's bpvo never shows.
    let t26 = app.token("c-26cd").await;
    assert_eq!(app.put("/v1/bpvos/X-1", &t26, &record("223A456", "X-1")).send().await.unwrap().status(), 201);

    let list = |q: &str| app.get(&format!("/v1/bpvos{q}"), &t).send();
    let all: Value = list("").await.unwrap().json().await.unwrap();
    assert_eq!(all["totaal"], 4);
    let ids: Vec<&str> = all["items"].as_array().unwrap().iter().map(|i| i["correlatieId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["L-1", "L-3", "L-4", "L-2"], "ordered by aanbieder, then correlatieId");
    let first = &all["items"][0];
    assert_eq!(first["status"], "actief");
    assert_eq!(first["geplandeEinddatum"], dag(EINDE));
    assert!(first.get("student").is_none() && !first.to_string().contains("celik"), "no personal data: {first}");

    let page: Value = list("?perPagina=3&pagina=2").await.unwrap().json().await.unwrap();
    assert_eq!(
        (page["totaal"].as_i64(), page["pagina"].as_i64(), page["perPagina"].as_i64()),
        (Some(4), Some(2), Some(3))
    );
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["correlatieId"], "L-2");

    let ingetrokken: Value = list("?status=ingetrokken").await.unwrap().json().await.unwrap();
    assert_eq!(ingetrokken["totaal"], 1);
    assert_eq!(ingetrokken["items"][0]["correlatieId"], "L-3");
    let later: Value = list(&format!("?einddatumVanaf={}", dag(EINDE + 1))).await.unwrap().json().await.unwrap();
    assert_eq!(later["items"][0]["correlatieId"], "L-4");
    assert_eq!(later["totaal"], 1);
    let one: Value = list("?aanbiedercode=123A457").await.unwrap().json().await.unwrap();
    assert_eq!(one["totaal"], 1);
    // Changed since: everything today; nothing after a moment in the future.
    let today: Value = list(&format!("?gewijzigdVanaf={}", dag(0))).await.unwrap().json().await.unwrap();
    assert_eq!(today["totaal"], 4);
    let future: Value = list("?gewijzigdVanaf=2999-01-01T00:00:00Z").await.unwrap().json().await.unwrap();
    assert_eq!(future["totaal"], 0);

    let p = problem(
        list("?status=weg&gewijzigdVanaf=gisteren&einddatumVanaf=2027-13-01&perPagina=0&aanbiedercode=223A456")
            .await
            .unwrap(),
        400,
    )
    .await;
    assert_eq!(param_names(&p), ["status", "gewijzigdVanaf", "einddatumVanaf", "perPagina"], "{p}");
    let p = problem(list("?aanbiedercode=223A456").await.unwrap(), 400).await;
    assert_eq!(param_names(&p), ["aanbiedercode"], "another school's aanbieder: {p}");
    let p = problem(list("?einddatumVanaf=2027-02-01&einddatumTotEnMet=2027-01-01").await.unwrap(), 400).await;
    assert_eq!(param_names(&p), ["einddatumTotEnMet"], "{p}");
}

/// A bpvo may name its keuzedeel: stored, shown, changed like any field (a change is `updated`,
/// the same again `unchanged`); a malformed code is a 400 naming `keuzedeelCode`; the CSV column
/// is optional and read when present.
async fn a_keuzedeel_is_stored_validated_and_optional_in_csv(db: TestDb) {
    let app = spawn_app(db).await;
    let t = app.token("c-25ab").await;
    let mut rec = record("123A456", "K-1");
    rec["keuzedeelCode"] = json!("k0125");
    let r = app.put("/v1/bpvos/K-1", &t, &rec).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let got: Value = app.get("/v1/bpvos/K-1", &t).send().await.unwrap().json().await.unwrap();
    assert_eq!(got["keuzedeelCode"], "K0125", "upper-cased");
    rec["keuzedeelCode"] = json!("K0125");
    assert_eq!(
        app.put("/v1/bpvos/K-1", &t, &rec).send().await.unwrap().json::<Value>().await.unwrap()["resultaat"],
        "unchanged"
    );
    rec["keuzedeelCode"] = Value::Null;
    assert_eq!(
        app.put("/v1/bpvos/K-1", &t, &rec).send().await.unwrap().json::<Value>().await.unwrap()["resultaat"],
        "updated"
    );
    let got: Value = app.get("/v1/bpvos/K-1", &t).send().await.unwrap().json().await.unwrap();
    assert_eq!(got["keuzedeelCode"], Value::Null);
    rec["keuzedeelCode"] = json!("K12");
    let p = problem(app.put("/v1/bpvos/K-1", &t, &rec).send().await.unwrap(), 400).await;
    assert_eq!(param_names(&p), ["keuzedeelCode"]);

    let csv = "Correlatie_id;Leerbedrijf_code;Crebo_code;Emailadres;Studentcode;Naam;Startdatum;Geplande_einddatum;Leerweg_naam;Schoolnaam;Locatiecode;Aanbiedercode;Keuzedeel_code\n\
               K-2;100200300;25604;;111;Zoë;01-09-2026;30-06-2027;BOL;ROC Test;123X001;123A456;K0540\n\
               K-3;100200300;25604;;112;Sem;01-09-2026;30-06-2027;BOL;ROC Test;123X001;123A456;\n";
    let send = |body: String| {
        app.http
            .post(format!("{}/v1/bpvo-batches", app.url))
            .bearer_auth(&t)
            .header("content-type", "text/csv")
            .body(body)
            .send()
    };
    assert_eq!(send(csv.to_owned()).await.unwrap().status(), 201);
    let got: Value = app.get("/v1/bpvos/K-2", &t).send().await.unwrap().json().await.unwrap();
    assert_eq!(got["keuzedeelCode"], "K0540");
    let bad = csv.replace("K0540", "X0540");
    let p = problem(send(bad).await.unwrap(), 400).await;
    assert_eq!(param_names(&p), ["regel 2: keuzedeelCode"]);
}

async_backend_tests!(
    a_large_first_upload_brings_the_statistics_up_to_date,
    a_keuzedeel_is_stored_validated_and_optional_in_csv,
    the_list_reconciles_a_schools_bpvos_page_by_page,
    an_excel_workbook_is_read_like_the_csv,
    codes_unknown_to_sbbs_registers_are_refused_by_field,
    the_school_never_sees_whether_a_student_answered,
    two_identical_posts_at_once_make_one_batch,
    a_stale_reservation_is_taken_over_by_a_retry,
    a_withdrawn_bpvo_stays_withdrawn_unless_reinstated,
    a_late_upload_says_why_it_will_not_be_surveyed,
    put_creates_then_unchanged_then_updated_then_withdrawn,
    put_reports_every_bad_field,
    batch_is_all_or_nothing_by_default_and_partial_on_request,
    resending_a_batch_is_unchanged,
    idempotency_key_replays_refuses_other_body_and_running,
    running_request_with_same_body_is_409,
    csv_batch_as_dutch_excel_saves_it,
    limits_are_explicit_413s,
);
