//! The Praktijkloket-API: document → beoordeling → praktijkverklaring → withdrawal, the rules on
//! every step, other schools kept out, and the public verification.

use bpv_store::async_backend_tests;
use bpv_store::models::ErkenningRow;
use bpv_store::repo::{audit, praktijkloket, referentie};
use bpv_store::testing::TestDb;
use serde_json::{Value, json};

use crate::helpers::{TestApp, dag, param_names, problem, spawn_app};

const LEERBEDRIJF: &str = "100012345";

fn prepare(app: &TestApp, erkend_tot: Option<&str>) {
    let mut conn = app.db.conn();
    praktijkloket::replace_dossiers(&mut conn, &praktijkleren::builtin_dossiers()).unwrap();
    referentie::insert_erkenningen(
        &mut conn,
        &[ErkenningRow {
            id: bpv_store::ids::new_id(),
            leerbedrijf_id: LEERBEDRIJF.into(),
            crebo: "25252".into(),
            geldig_van: "2020-01-01".parse().unwrap(),
            geldig_tot: erkend_tot.map(|d| d.parse().unwrap()),
            aangevraagd_op: None,
            besloten_op: None,
        }],
    )
    .unwrap();
}

fn document(crebo: &str, werkprocessen: &[&str]) -> Value {
    json!({
        "leerling": { "naam": "Zoë Çelik-de Vries", "geboortedatum": "2009-03-14", "doelgroep": "praktijkonderwijs" },
        "locatiecode": "123X001",
        "leerbedrijfCode": LEERBEDRIJF,
        "praktijkopleider": { "naam": "Piet Özdemir", "emailadres": "piet@leerbedrijf.example" },
        "creboCode": crebo,
        "werkprocessen": werkprocessen,
        "startdatum": dag(-60),
        "einddatum": dag(10),
        "leerdoelen": "Zelfstandig orders verzamelen"
    })
}

fn beoordeling(oordelen: &[(&str, &str)]) -> Value {
    json!({
        "beoordeeldDoor": "Piet Özdemir",
        "datum": dag(-1),
        "werkprocessen": oordelen.iter().map(|(c, o)| json!({"code": c, "oordeel": o})).collect::<Vec<_>>()
    })
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> reqwest::Response {
    let mut r = app.http.request(method, format!("{}{path}", app.url)).bearer_auth(token);
    if let Some(b) = body {
        r = r.json(b);
    }
    r.send().await.unwrap()
}

#[allow(clippy::too_many_lines, reason = "the flow a SIS vendor follows, step by step, read top to bottom")]
async fn the_whole_flow_from_document_to_verification(db: TestDb) {
    let app = spawn_app(db).await;
    prepare(&app, None);
    let t = app.token("c-25ab-pl").await;
    let doc = document("25252", &["B1-K1-W2", "B1-K1-W1", "B1-K2-W1"]);
    let r = send(&app, reqwest::Method::PUT, "/v1/begeleidingsdocumenten/SIS-77", &t, Some(&doc)).await;
    assert_eq!(r.status(), 201);
    let got: Value = r.json().await.unwrap();
    assert_eq!(got["werkprocessen"], json!(["B1-K1-W1", "B1-K1-W2", "B1-K2-W1"]), "dossier order");
    // The same PUT again: unchanged, 200.
    let r = send(&app, reqwest::Method::PUT, "/v1/begeleidingsdocumenten/SIS-77", &t, Some(&doc)).await;
    assert_eq!(r.status(), 200);

    // No beoordeling yet: no verklaring.
    let r = send(&app, reqwest::Method::POST, "/v1/begeleidingsdocumenten/SIS-77/praktijkverklaring", &t, None).await;
    let p = problem(r, 422).await;
    assert!(p["type"].as_str().unwrap().ends_with("geen-beoordeling"), "{p}");

    let b = beoordeling(&[("B1-K1-W1", "beheerst"), ("B1-K1-W2", "nogNiet"), ("B1-K2-W1", "beheerst")]);
    let r = send(&app, reqwest::Method::POST, "/v1/begeleidingsdocumenten/SIS-77/beoordelingen", &t, Some(&b)).await;
    assert_eq!(r.status(), 201);
    let got: Value = r.json().await.unwrap();
    assert_eq!(got["beoordeling"]["door"], "school");

    let r = send(&app, reqwest::Method::POST, "/v1/begeleidingsdocumenten/SIS-77/praktijkverklaring", &t, None).await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["werkprocessen"], json!(["B1-K1-W1", "B1-K2-W1"]), "only the mastered ones");
    assert_eq!(v["status"], "geldig");
    let nummer = v["nummer"].as_str().unwrap().to_owned();
    assert!(nummer.starts_with("PV-") && nummer.ends_with("-000001"), "{nummer}");
    let code = v["verificatiecode"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 19, "{code}");

    // Issuing twice is refused while the first is valid.
    let r = send(&app, reqwest::Method::POST, "/v1/begeleidingsdocumenten/SIS-77/praktijkverklaring", &t, None).await;
    problem(r, 409).await;

    // Public verification: valid, initials only.
    let page = app.http.get(format!("{}/verificatie/{}", app.url, code.to_lowercase())).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("geldig") && html.contains("Z. Ç.-d. V.") && html.contains("Ontvangt en controleert goederen"),
        "{html}"
    );
    assert!(!html.contains("Zoë") && !html.contains("Çelik"), "no full name on the public page");

    // Withdraw with a reason, then re-issue: both kept.
    let r = send(
        &app,
        reqwest::Method::POST,
        &format!("/v1/praktijkverklaringen/{nummer}/intrekking"),
        &t,
        Some(&json!({})),
    )
    .await;
    assert_eq!(param_names(&problem(r, 400).await), ["reden"]);
    let reden = json!({ "reden": "naam verkeerd gespeld" });
    let r =
        send(&app, reqwest::Method::POST, &format!("/v1/praktijkverklaringen/{nummer}/intrekking"), &t, Some(&reden))
            .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "ingetrokken");
    let r =
        send(&app, reqwest::Method::POST, &format!("/v1/praktijkverklaringen/{nummer}/intrekking"), &t, Some(&reden))
            .await;
    problem(r, 409).await;
    let json_check = app
        .http
        .get(format!("{}/verificatie/{code}", app.url))
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(json_check.json::<Value>().await.unwrap()["status"], "ingetrokken");
    let r = send(&app, reqwest::Method::POST, "/v1/begeleidingsdocumenten/SIS-77/praktijkverklaring", &t, None).await;
    assert_eq!(r.status(), 201);
    assert!(r.json::<Value>().await.unwrap()["nummer"].as_str().unwrap().ends_with("-000002"));
    let list: Value =
        send(&app, reqwest::Method::GET, "/v1/praktijkverklaringen", &t, None).await.json().await.unwrap();
    assert_eq!(list["totaal"], 2);

    // An unknown code: a plain 404 page.
    let r = app.http.get(format!("{}/verificatie/AAAA-BBBB-CCCC-DDDD", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 404);

    // Everything that issued or withdrew is in the audit log.
    let actions: Vec<String> =
        audit::list(&mut app.db.conn(), Some("25AB"), None, 100).unwrap().into_iter().map(|e| e.action).collect();
    for want in [
        "begeleidingsdocument.aangemaakt",
        "beoordeling.vastgelegd",
        "praktijkverklaring.afgegeven",
        "praktijkverklaring.ingetrokken",
    ] {
        assert!(actions.iter().any(|a| a == want), "{want} in {actions:?}");
    }
}

async fn every_rule_is_a_clear_refusal(db: TestDb) {
    let app = spawn_app(db).await;
    prepare(&app, None);
    let t = app.token("c-25ab-pl").await;
    // A werkproces of another qualification, a duplicate, bad fields: each named.
    let mut doc = document("25252", &["B1-K1-W1", "B1-K3-W1", "B1-K1-W1"]);
    doc["leerling"]["doelgroep"] = json!("mbo");
    doc["praktijkopleider"]["emailadres"] = json!("geen-adres");
    let r = send(&app, reqwest::Method::PUT, "/v1/begeleidingsdocumenten/SIS-1", &t, Some(&doc)).await;
    let p = problem(r, 400).await;
    assert_eq!(
        param_names(&p),
        ["leerling.doelgroep", "praktijkopleider.emailadres", "werkprocessen[1]", "werkprocessen[2]"]
    );
    assert_eq!(praktijkloket::list_documents(&mut app.db.conn(), "25AB", 10, 0).unwrap().0, 0, "nothing stored");
    // An unknown crebo.
    let r = send(
        &app,
        reqwest::Method::PUT,
        "/v1/begeleidingsdocumenten/SIS-1",
        &t,
        Some(&document("11111", &["B1-K1-W1"])),
    )
    .await;
    assert_eq!(param_names(&problem(r, 400).await), ["creboCode"]);

    // Nothing mastered.
    let doc = document("25252", &["B1-K1-W1"]);
    assert_eq!(
        send(&app, reqwest::Method::PUT, "/v1/begeleidingsdocumenten/SIS-2", &t, Some(&doc)).await.status(),
        201
    );
    let b = beoordeling(&[("B1-K1-W1", "nogNiet")]);
    assert_eq!(
        send(&app, reqwest::Method::POST, "/v1/begeleidingsdocumenten/SIS-2/beoordelingen", &t, Some(&b))
            .await
            .status(),
        201
    );
    let r = send(&app, reqwest::Method::POST, "/v1/begeleidingsdocumenten/SIS-2/praktijkverklaring", &t, None).await;
    assert!(problem(r, 422).await["type"].as_str().unwrap().ends_with("niets-beheerst"));
    // Paging out of range is a 400 naming the parameter, never an overflow.
    for (query, name) in
        [("pagina=9223372036854775807", "pagina"), ("perPagina=0", "perPagina"), ("pagina=0", "pagina")]
    {
        for list in ["/v1/praktijkverklaringen", "/v1/begeleidingsdocumenten"] {
            let r = send(&app, reqwest::Method::GET, &format!("{list}?{query}"), &t, None).await;
            assert_eq!(param_names(&problem(r, 400).await), [name], "{list}?{query}");
        }
    }
    // A beoordeling of a werkproces not in the document, and one missing.
    let b = beoordeling(&[("B1-K2-W1", "beheerst")]);
    let r = send(&app, reqwest::Method::POST, "/v1/begeleidingsdocumenten/SIS-2/beoordelingen", &t, Some(&b)).await;
    assert_eq!(param_names(&problem(r, 400).await), ["werkprocessen[0].code", "werkprocessen"]);

    // A year after its end the purge removed the personal data: no beoordeling or verklaring
    // from it any more (409 saying why), until the SIS sends it again.
    let later = bpvo::vandaag() + chrono::Days::new(400);
    praktijkloket::purge(&mut app.db.conn(), later, bpv_store::now_utc(), false).unwrap();
    let b = beoordeling(&[("B1-K1-W1", "beheerst")]);
    let r = send(&app, reqwest::Method::POST, "/v1/begeleidingsdocumenten/SIS-2/beoordelingen", &t, Some(&b)).await;
    assert!(problem(r, 409).await["detail"].as_str().unwrap().contains("verwijderd"));
    let doc = document("25252", &["B1-K1-W1"]);
    assert_eq!(
        send(&app, reqwest::Method::PUT, "/v1/begeleidingsdocumenten/SIS-2", &t, Some(&doc)).await.status(),
        200
    );
    let r = send(&app, reqwest::Method::POST, "/v1/begeleidingsdocumenten/SIS-2/beoordelingen", &t, Some(&b)).await;
    assert_eq!(r.status(), 201, "sent again: usable again");
}

async fn a_leerbedrijf_without_erkenning_on_the_day_gets_no_verklaring(db: TestDb) {
    let app = spawn_app(db).await;
    // The erkenning ended before the assessment (yesterday).
    prepare(&app, Some(&dag(-30)));
    let t = app.token("c-25ab-pl").await;
    let doc = document("25252", &["B1-K1-W1"]);
    send(&app, reqwest::Method::PUT, "/v1/begeleidingsdocumenten/SIS-3", &t, Some(&doc)).await;
    let b = beoordeling(&[("B1-K1-W1", "beheerst")]);
    send(&app, reqwest::Method::POST, "/v1/begeleidingsdocumenten/SIS-3/beoordelingen", &t, Some(&b)).await;
    let r = send(&app, reqwest::Method::POST, "/v1/begeleidingsdocumenten/SIS-3/praktijkverklaring", &t, None).await;
    let p = problem(r, 422).await;
    assert!(p["type"].as_str().unwrap().ends_with("geen-erkenning"), "{p}");
    assert!(p["detail"].as_str().unwrap().contains(LEERBEDRIJF));
}

async fn another_school_sees_nothing_and_scopes_count(db: TestDb) {
    let app = spawn_app(db).await;
    prepare(&app, None);
    let t = app.token("c-25ab-pl").await;
    let doc = document("25252", &["B1-K1-W1"]);
    send(&app, reqwest::Method::PUT, "/v1/begeleidingsdocumenten/SIS-9", &t, Some(&doc)).await;
    send(
        &app,
        reqwest::Method::POST,
        "/v1/begeleidingsdocumenten/SIS-9/beoordelingen",
        &t,
        Some(&beoordeling(&[("B1-K1-W1", "beheerst")])),
    )
    .await;
    let v: Value = send(&app, reqwest::Method::POST, "/v1/begeleidingsdocumenten/SIS-9/praktijkverklaring", &t, None)
        .await
        .json()
        .await
        .unwrap();
    let nummer = v["nummer"].as_str().unwrap();

    let other = app.token("c-26cd-pl").await;
    for path in ["/v1/begeleidingsdocumenten/SIS-9".to_owned(), format!("/v1/praktijkverklaringen/{nummer}")] {
        problem(send(&app, reqwest::Method::GET, &path, &other, None).await, 404).await;
    }
    let r =
        send(&app, reqwest::Method::POST, "/v1/begeleidingsdocumenten/SIS-9/praktijkverklaring", &other, None).await;
    problem(r, 404).await;
    let r = send(
        &app,
        reqwest::Method::POST,
        &format!("/v1/praktijkverklaringen/{nummer}/intrekking"),
        &other,
        Some(&json!({"reden": "x"})),
    )
    .await;
    problem(r, 404).await;
    let list: Value =
        send(&app, reqwest::Method::GET, "/v1/praktijkverklaringen", &other, None).await.json().await.unwrap();
    assert_eq!(list["totaal"], 0);
    // A token without the scope.
    let read = app.token("c-25ab").await;
    problem(send(&app, reqwest::Method::GET, "/v1/praktijkverklaringen", &read, None).await, 403).await;
}

/// A retried POST under the same Idempotency-Key gets the first answer and does nothing twice: no
/// second beoordeling, no second verklaring (where a plain retry is a 409), no second
/// withdrawal; the same key for another request is a 422; another client's same key is its own.
async fn an_idempotency_key_makes_a_retried_post_safe(db: TestDb) {
    let app = spawn_app(db).await;
    prepare(&app, None);
    let t = app.token("c-25ab-pl").await;
    let doc = document("25252", &["B1-K1-W1", "B1-K1-W2"]);
    assert_eq!(
        send(&app, reqwest::Method::PUT, "/v1/begeleidingsdocumenten/SIS-9", &t, Some(&doc)).await.status(),
        201
    );
    let post = |path: &str, key: &'static str, body: Option<Value>| {
        let (http, url, t) = (app.http.clone(), format!("{}{path}", app.url), t.clone());
        async move {
            let mut r = http.post(url).bearer_auth(t).header("Idempotency-Key", key);
            if let Some(b) = body {
                r = r.json(&b);
            }
            r.send().await.unwrap()
        }
    };
    let b = beoordeling(&[("B1-K1-W1", "beheerst"), ("B1-K1-W2", "nogNiet")]);
    let first = post("/v1/begeleidingsdocumenten/SIS-9/beoordelingen", "k-1", Some(b.clone())).await;
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();
    let again = post("/v1/begeleidingsdocumenten/SIS-9/beoordelingen", "k-1", Some(b.clone())).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first, "the first answer, again");
    let log = audit::list(&mut app.db.conn(), Some("25AB"), None, 50).unwrap();
    assert_eq!(log.iter().filter(|e| e.action == "beoordeling.vastgelegd").count(), 1, "recorded once");
    // The same key with another body, or on another path: 422, nothing done.
    let other = beoordeling(&[("B1-K1-W1", "nogNiet"), ("B1-K1-W2", "nogNiet")]);
    problem(post("/v1/begeleidingsdocumenten/SIS-9/beoordelingen", "k-1", Some(other)).await, 422).await;
    problem(post("/v1/begeleidingsdocumenten/SIS-9/praktijkverklaring", "k-1", None).await, 422).await;

    // Issuing: a plain retry is refused (409), a keyed retry answers the same verklaring.
    let v1 = post("/v1/begeleidingsdocumenten/SIS-9/praktijkverklaring", "k-2", None).await;
    assert_eq!(v1.status(), 201);
    let v1: Value = v1.json().await.unwrap();
    let v2 = post("/v1/begeleidingsdocumenten/SIS-9/praktijkverklaring", "k-2", None).await;
    assert_eq!(v2.status(), 201);
    assert_eq!(v2.json::<Value>().await.unwrap()["nummer"], v1["nummer"]);
    let list: Value =
        send(&app, reqwest::Method::GET, "/v1/praktijkverklaringen", &t, None).await.json().await.unwrap();
    assert_eq!(list["totaal"], 1, "one verklaring: {list}");

    // Withdrawing twice under one key: the first answer; without a key the second is a 409.
    let path = format!("/v1/praktijkverklaringen/{}/intrekking", v1["nummer"].as_str().unwrap());
    let reden = json!({"reden": "naam verkeerd gespeld"});
    assert_eq!(post(&path, "k-3", Some(reden.clone())).await.status(), 200);
    let r = post(&path, "k-3", Some(reden.clone())).await;
    assert_eq!((r.status().as_u16(), r.headers()["idempotent-replayed"].to_str().unwrap()), (200, "true"));
    problem(send(&app, reqwest::Method::POST, &path, &t, Some(&reden)).await, 409).await;

    // A malformed key is named.
    let r = app
        .http
        .post(format!("{}/v1/begeleidingsdocumenten/SIS-9/praktijkverklaring", app.url))
        .bearer_auth(&t)
        .header("Idempotency-Key", "")
        .send()
        .await
        .unwrap();
    assert_eq!(param_names(&problem(r, 400).await), ["Idempotency-Key"]);
}

async_backend_tests!(
    an_idempotency_key_makes_a_retried_post_safe,
    the_whole_flow_from_document_to_verification,
    every_rule_is_a_clear_refusal,
    a_leerbedrijf_without_erkenning_on_the_day_gets_no_verklaring,
    another_school_sees_nothing_and_scopes_count,
);

/// The PDF, read back by a third-party tool (`pdftotext`): the learner's name with its
/// diacritics, the qualification's werkprocessen, the number and the verification code; a
/// withdrawn one says so. Another school gets a 404, and every download is audited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs pdftotext (poppler-utils): scripts/test.sh installs and runs it"]
async fn the_pdf_reads_back_with_every_diacritic() {
    let app = spawn_app(TestDb::sqlite()).await;
    prepare(&app, None);
    let t = app.token("c-25ab-pl").await;
    let doc = document("25252", &["B1-K1-W1", "B1-K2-W3"]);
    send(&app, reqwest::Method::PUT, "/v1/begeleidingsdocumenten/SIS-PDF", &t, Some(&doc)).await;
    let b = beoordeling(&[("B1-K1-W1", "beheerst"), ("B1-K2-W3", "beheerst")]);
    send(&app, reqwest::Method::POST, "/v1/begeleidingsdocumenten/SIS-PDF/beoordelingen", &t, Some(&b)).await;
    let v: Value = send(&app, reqwest::Method::POST, "/v1/begeleidingsdocumenten/SIS-PDF/praktijkverklaring", &t, None)
        .await
        .json()
        .await
        .unwrap();
    let (nummer, code) = (v["nummer"].as_str().unwrap(), v["verificatiecode"].as_str().unwrap());
    let text = pdf_text(&app, &t, nummer).await;
    for want in [
        "Praktijkverklaring",
        "Zoë Çelik-de Vries",
        "Ontvangt en controleert goederen",
        "Werkt samen met collega's",
        "B1-K2 Werkt veilig en houdt de werkplek op orde",
        nummer,
        code,
    ] {
        assert!(text.contains(want), "{want:?} not in the PDF's text:\n{text}");
    }
    assert!(!text.contains("Slaat goederen op"), "a werkproces not mastered is not listed");
    assert!(!text.contains("INGETROKKEN"));
    let reden = json!({ "reden": "naam verkeerd" });
    send(&app, reqwest::Method::POST, &format!("/v1/praktijkverklaringen/{nummer}/intrekking"), &t, Some(&reden)).await;
    assert!(pdf_text(&app, &t, nummer).await.contains("INGETROKKEN"));

    let other = app.token("c-26cd-pl").await;
    problem(
        send(&app, reqwest::Method::GET, &format!("/v1/praktijkverklaringen/{nummer}/pdf"), &other, None).await,
        404,
    )
    .await;
    let downloads = audit::list(&mut app.db.conn(), Some("25AB"), None, 100)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "praktijkverklaring.pdf")
        .count();
    assert_eq!(downloads, 2);
}

async fn pdf_text(app: &TestApp, token: &str, nummer: &str) -> String {
    let r = send(app, reqwest::Method::GET, &format!("/v1/praktijkverklaringen/{nummer}/pdf"), token, None).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("verklaring.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed: scripts/test.sh installs it");
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}
