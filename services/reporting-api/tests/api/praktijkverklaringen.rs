//! `GET /v1/praktijkverklaringen/aantallen`: valid verklaringen counted per year, sector,
//! qualification and doelgroep; a school sees its own, SBB national or one instelling.

use bpv_store::async_backend_tests;
use bpv_store::models::KwalificatieRow;
use bpv_store::repo::praktijkloket::{self as pl, BeoordelingRow, DocumentRow, VerklaringRow};
use bpv_store::repo::referentie;
use bpv_store::testing::TestDb;
use chrono::NaiveDate;
use praktijkleren::{
    Begeleidingsdocument, Beoordelaar, Beoordeling, DocumentRecord, LeerlingRecord, PraktijkopleiderRecord,
};
use serde_json::{Value, json};

use crate::helpers::{TestApp, WACHTWOORD, problem, spawn_app};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A verklaring of instelling `brin` for the first werkproces of crebo 25252, issued `op`.
fn verklaring(app: &TestApp, brin: &str, locatie: &str, id: &str, doelgroep: &str, op: &str) -> VerklaringRow {
    let mut conn = app.db.conn();
    let dossier = praktijkleren::builtin_dossiers().into_iter().find(|d| d.crebo.as_str() == "25252").unwrap();
    pl::replace_dossiers(&mut conn, std::slice::from_ref(&dossier)).unwrap();
    let werk = dossier.werkprocessen().next().unwrap().1.code.as_str().to_owned();
    let record = DocumentRecord {
        leerling: Some(LeerlingRecord {
            naam: Some("Zoë Çelik".into()),
            geboortedatum: Some("1990-01-01".into()),
            doelgroep: Some(doelgroep.into()),
        }),
        locatiecode: Some(locatie.into()),
        leerbedrijf_code: Some("100012345".into()),
        praktijkopleider: Some(PraktijkopleiderRecord {
            naam: Some("Piet".into()),
            emailadres: Some("p@b.example".into()),
        }),
        crebo_code: Some("25252".into()),
        werkprocessen: Some(vec![werk.clone()]),
        startdatum: Some("2026-01-05".into()),
        einddatum: Some("2026-06-30".into()),
        leerdoelen: None,
    };
    let doc =
        Begeleidingsdocument::from_record(&bpvo::Brin::parse(brin).unwrap(), id, &record, |_| Some(dossier.clone()))
            .unwrap();
    let now = bpv_store::now_utc();
    let (_, row) = pl::upsert_document(&mut conn, DocumentRow::new(&doc, now)).unwrap();
    let b = Beoordeling::from_parts(
        &doc,
        Beoordelaar::Praktijkopleider,
        Some("Piet"),
        Some("2026-06-20"),
        &[(Some(werk.as_str()), Some("beheerst"))],
        d("2026-06-30"),
    )
    .unwrap();
    pl::insert_beoordeling(&mut conn, &BeoordelingRow::new(&row.id, &b, now)).unwrap();
    let erkenning = bpvo::Erkenning {
        leerbedrijf_id: doc.leerbedrijf.clone(),
        crebo: doc.crebo.clone(),
        geldig_van: d("2020-01-01"),
        geldig_tot: None,
        aangevraagd_op: None,
        besloten_op: None,
    };
    let nummer = pl::next_nummer(&mut conn, chrono::Datelike::year(&d(op))).unwrap();
    let v = praktijkleren::issue(&doc, Some(&b), &[erkenning], &[], nummer, format!("CODE-{id}"), d(op)).unwrap();
    let stored = VerklaringRow::new(&v, &row, "Zoë Çelik", now);
    pl::insert_verklaring(&mut conn, &stored).unwrap();
    stored
}

async fn counted_per_year_sector_qualification_and_doelgroep(db: TestDb) {
    let app = spawn_app(db).await;
    referentie::upsert_kwalificaties(
        &mut app.db.conn(),
        &[KwalificatieRow {
            crebo: "25252".into(),
            naam: "Assistent logistiek".into(),
            niveau: 1,
            sector: "MTL".into(),
            domein: None,
        }],
    )
    .unwrap();
    verklaring(&app, "25AB", "123X456", "A", "vso", "2026-07-01");
    verklaring(&app, "25AB", "123X456", "B", "vso", "2026-08-01");
    verklaring(&app, "25AB", "123X456", "C", "llo", "2027-01-10");
    let withdrawn = verklaring(&app, "25AB", "123X456", "D", "llo", "2027-01-11");
    pl::withdraw_verklaring(&mut app.db.conn(), &withdrawn.id, d("2027-01-12"), "fout").unwrap();
    verklaring(&app, "26CD", "223X456", "E", "vsv", "2027-02-01");

    let own = app.json("/v1/praktijkverklaringen/aantallen", &app.school("25AB")).await;
    assert_eq!(own["instelling"], "25AB");
    assert_eq!(own["totaal"], 3, "the withdrawn one does not count: {own}");
    assert_eq!(
        own["aantallen"],
        json!([
            {"jaar": 2026, "sector": "MTL", "crebo": "25252", "kwalificatie": "Assistent logistiek", "doelgroep": "vso", "aantal": 2},
            {"jaar": 2027, "sector": "MTL", "crebo": "25252", "kwalificatie": "Assistent logistiek", "doelgroep": "llo", "aantal": 1},
        ])
    );
    let national: Value = app.json("/v1/praktijkverklaringen/aantallen", &app.sbb()).await;
    assert_eq!((national["instelling"].clone(), national["totaal"].clone()), (Value::Null, json!(4)));
    let other: Value = app.json("/v1/praktijkverklaringen/aantallen?instelling=26cd", &app.sbb()).await;
    assert_eq!(other["totaal"], 1);
    // A school sees only its own; unknown keys are named.
    problem(app.get("/v1/praktijkverklaringen/aantallen?instelling=26CD", &app.school("25AB")).await, 403).await;
    problem(app.get("/v1/praktijkverklaringen/aantallen?crebo=25252", &app.school("25AB")).await, 400).await;
    let text = app.get("/v1/praktijkverklaringen/aantallen", &app.sbb()).await.text().await.unwrap();
    assert!(!text.contains("Zoë") && !text.contains("Çelik"), "no names in counts");

    // The dashboard tab shows the same counts: a school its own, SBB national or one instelling.
    let tab = |email: &'static str, query: &'static str| {
        let (http, url) = (app.http.clone(), app.url.clone());
        async move {
            let login = http
                .post(format!("{url}/dashboard/inloggen"))
                .form(&[("email", email), ("wachtwoord", WACHTWOORD)])
                .send()
                .await
                .unwrap();
            let cookie = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
            let r =
                http.get(format!("{url}/dashboard/praktijkverklaringen{query}")).header("cookie", cookie).send().await;
            let r = r.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, html) = tab("gemachtigde@25ab.example", "").await;
    assert_eq!(status, 200);
    assert!(html.contains("Totaal: <strong>3</strong>"), "{html}");
    assert!(
        html.contains(
            "<td>2026</td><td>MTL</td><td>Assistent logistiek (25252)</td><td>vso</td><td class=\"num\">2</td>"
        ),
        "{html}"
    );
    assert!(!html.contains("Zoë"), "no names");
    let (status, _) = tab("gemachtigde@25ab.example", "?instelling=26CD").await;
    assert_eq!(status, 403, "a school sees only its own");
    let (_, html) = tab("analist@sbb.example", "").await;
    assert!(html.contains("Totaal: <strong>4</strong>"), "SBB: national");
    let (_, html) = tab("analist@sbb.example", "?instelling=26CD").await;
    assert!(html.contains("Totaal: <strong>1</strong>"), "SBB: one instelling");
}

async_backend_tests!(counted_per_year_sector_qualification_and_doelgroep);
