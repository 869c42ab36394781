//! Store behaviour on both backends: each test body runs on a fresh SQLite file and on a fresh
//! PostgreSQL database (see `bpv_store::testing`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bpv_store::models::{AanbiederRow, ErkenningRow, InstellingRow, LocatieRow};
use bpv_store::repo::bpvos::UpsertOutcome;
use bpv_store::repo::{aanbieders, audit, bpvos, gemachtigden, instellingen, referentie};
use bpv_store::testing::TestDb;
use bpv_store::{StoreError, backend_tests, ids::new_id, now_utc};
use bpvo::{Bpvo, BpvoRecord, SchoolRecord, StudentRecord};
use chrono::NaiveDate;
use diesel::prelude::*;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn school(db: &TestDb, brin: &str, aanbieder: &str) {
    let mut conn = db.conn();
    let now = now_utc();
    if instellingen::find(&mut conn, brin).unwrap().is_none() {
        instellingen::insert(
            &mut conn,
            &InstellingRow {
                brin: brin.into(),
                naam: format!("ROC {brin}"),
                oin: None,
                directe_studentbevraging: false,
                intake_op: None,
                resultaten_api: false,
                verwerkersovereenkomst_getekend_op: None,
                created_at: now,
                updated_at: now,
                vertrouwenspersoon_tekst: None,
                vertrouwenspersoon_url: None,
                verbeterpunten_delen: false,
            },
        )
        .unwrap();
    }
    aanbieders::insert(
        &mut conn,
        &AanbiederRow { aanbiedercode: aanbieder.into(), brin: brin.into(), naam: "Aanbieder".into(), created_at: now },
    )
    .unwrap();
}

fn record(aanbieder: &str, correlatie: &str, email: Option<&str>) -> Bpvo {
    Bpvo::try_from(&BpvoRecord {
        correlatie_id: Some(correlatie.into()),
        leerbedrijf_code: Some("100200300".into()),
        crebo_code: Some("25604".into()),
        startdatum: Some("2025-09-01".into()),
        geplande_einddatum: Some("2026-01-31".into()),
        leerweg_naam: Some("BOL".into()),
        keuzedeel_code: None,
        student: Some(StudentRecord {
            emailadres: email.map(str::to_owned),
            studentcode: Some("123456".into()),
            naam: Some("Zoë Çelik-de Vries".into()),
        }),
        school: Some(SchoolRecord {
            schoolnaam: Some("ROC Amstelvliet".into()),
            locatiecode: Some("251X101".into()),
            aanbiedercode: Some(aanbieder.into()),
        }),
    })
    .unwrap()
}

fn migrations_are_idempotent(db: &TestDb) {
    let mut conn = db.conn();
    assert!(bpv_store::run_migrations(&mut conn).unwrap().is_empty(), "second run applies nothing");
    assert!(bpv_store::pending_migrations(&mut conn).unwrap().is_empty());
}

/// Replicas that start together migrate one at a time: each of four processes (here: threads with
/// their own connection) runs the migrations at once on an empty database; the first applies
/// them all, the others wait on the lock and find nothing left. Without the lock they race to
/// create the same tables and some fail.
#[test]
#[ignore = "needs PostgreSQL: scripts/test.sh runs it (or cargo test -- --ignored with BPV_TEST_POSTGRES_URL)"]
fn replicas_starting_together_migrate_once() {
    let db = TestDb::postgres_empty();
    let all = bpv_store::pending_migrations(&mut db.conn()).unwrap().len();
    assert!(all > 1);
    let start = std::sync::Arc::new(std::sync::Barrier::new(4));
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let (mut conn, start) = (db.connect(), std::sync::Arc::clone(&start));
            std::thread::spawn(move || {
                start.wait();
                bpv_store::run_migrations(&mut conn)
            })
        })
        .collect();
    let applied: Vec<usize> =
        runs.into_iter().map(|r| r.join().unwrap().expect("every replica starts").len()).collect();
    assert_eq!(applied.iter().filter(|n| **n == all).count(), 1, "exactly one applies them: {applied:?}");
    assert_eq!(applied.iter().sum::<usize>(), all, "the others apply nothing: {applied:?}");
    assert!(bpv_store::pending_migrations(&mut db.conn()).unwrap().is_empty());
}

/// The Praktijkloket's retention: a document's personal data goes a year after its end (at once
/// when withdrawn), also the assessor's name; a valid verklaring keeps the learner's name, a
/// withdrawn one keeps only the initials a year after its withdrawal. A dry run changes nothing.
fn praktijkloket_personal_data_is_purged_after_a_year(db: &TestDb) {
    use bpv_store::repo::praktijkloket::{self as pl, BeoordelingRow, VerklaringRow};
    let mut conn = db.conn();
    bpv_store::testing::instelling(&mut conn, "25AB", &["123A456"], true, true);
    let dossier = praktijkleren::builtin_dossiers().remove(0);
    let werk = dossier.werkprocessen().next().unwrap().1.code.as_str().to_owned();
    let today = date("2028-06-01");
    let now = now_utc();
    let (old, old_doc) = pl_document(db, &dossier, "OUD", "2027-05-31"); // ended a year and a day ago
    let (recent, _) = pl_document(db, &dossier, "RECENT", "2027-06-02");
    let b = praktijkleren::Beoordeling::from_parts(
        &old_doc,
        praktijkleren::Beoordelaar::Praktijkopleider,
        Some("Piet"),
        Some("2027-05-30"),
        &[(Some(werk.as_str()), Some("beheerst"))],
        today,
    )
    .unwrap();
    pl::insert_beoordeling(&mut conn, &BeoordelingRow::new(&old.id, &b, now)).unwrap();
    let erkenning = bpvo::Erkenning {
        leerbedrijf_id: bpvo::LeerbedrijfId::parse("100012345").unwrap(),
        crebo: dossier.crebo.clone(),
        geldig_van: date("2020-01-01"),
        geldig_tot: None,
        aangevraagd_op: None,
        besloten_op: None,
    };
    let v = praktijkleren::issue(
        &old_doc,
        Some(&b),
        std::slice::from_ref(&erkenning),
        &[],
        "PV-2027-000001".into(),
        "C1".into(),
        date("2027-06-01"),
    )
    .unwrap();
    pl::insert_verklaring(&mut conn, &VerklaringRow::new(&v, &old, "Zoë Çelik", now)).unwrap();
    let w = praktijkleren::issue(
        &old_doc,
        Some(&b),
        &[erkenning],
        &[],
        "PV-2027-000002".into(),
        "C2".into(),
        date("2027-06-01"),
    )
    .unwrap();
    let withdrawn_row = VerklaringRow::new(&w, &old, "Zoë Çelik", now);
    pl::insert_verklaring(&mut conn, &withdrawn_row).unwrap();
    assert!(pl::withdraw_verklaring(&mut conn, &withdrawn_row.id, date("2027-05-31"), "fout").unwrap());

    let dry = pl::purge(&mut conn, today, now, true).unwrap();
    assert_eq!((dry.documenten.get("25AB"), dry.verklaringen.get("25AB")), (Some(&1), Some(&1)));
    assert!(pl::find_document(&mut conn, "25AB", "OUD").unwrap().unwrap().leerling_naam.is_some(), "dry run");

    let report = bpv_store::repo::retentie::purge(&mut conn, today, 90, now, false).unwrap();
    assert_eq!((report.begeleidingsdocumenten, report.praktijkverklaringen), (1, 1));
    let purged = pl::find_document(&mut conn, "25AB", "OUD").unwrap().unwrap();
    assert_eq!(
        (purged.leerling_naam, purged.leerling_geboortedatum, purged.praktijkopleider_email, purged.leerdoelen),
        (None, None, None, None)
    );
    assert_eq!(pl::latest_beoordeling(&mut conn, &old.id).unwrap().unwrap().beoordeeld_door, None);
    assert!(pl::find_document(&mut conn, "25AB", "RECENT").unwrap().unwrap().leerling_naam.is_some(), "not yet due");
    assert_eq!(recent.document_id, "RECENT");
    assert_eq!(pl::find_verklaring(&mut conn, "25AB", "PV-2027-000001").unwrap().unwrap().leerling_naam, "Zoë Çelik");
    assert_eq!(pl::find_verklaring(&mut conn, "25AB", "PV-2027-000002").unwrap().unwrap().leerling_naam, "Z. Ç.");
    // Nothing left to do the next day.
    let again = pl::purge(&mut conn, today, now, false).unwrap();
    assert!(again.documenten.is_empty() && again.verklaringen.is_empty(), "{again:?}");
}

/// A stored begeleidingsdocument `id` of 25AB for the dossier's first werkproces, ending `eind`.
fn pl_document(
    db: &TestDb,
    dossier: &praktijkleren::Kwalificatiedossier,
    id: &str,
    eind: &str,
) -> (bpv_store::repo::praktijkloket::DocumentRow, praktijkleren::Begeleidingsdocument) {
    let werk = dossier.werkprocessen().next().unwrap().1.code.as_str().to_owned();
    let record = praktijkleren::DocumentRecord {
        leerling: Some(praktijkleren::LeerlingRecord {
            naam: Some("Zoë Çelik".into()),
            geboortedatum: Some("1990-01-01".into()),
            doelgroep: Some("llo".into()),
        }),
        locatiecode: Some("123X456".into()),
        leerbedrijf_code: Some("100012345".into()),
        praktijkopleider: Some(praktijkleren::PraktijkopleiderRecord {
            naam: Some("Piet".into()),
            emailadres: Some("piet@bedrijf.example".into()),
        }),
        crebo_code: Some(dossier.crebo.as_str().to_owned()),
        werkprocessen: Some(vec![werk]),
        startdatum: Some("2026-01-05".into()),
        einddatum: Some(eind.into()),
        leerdoelen: Some("doelen".into()),
    };
    let brin = bpvo::Brin::parse("25AB").unwrap();
    let d = praktijkleren::Begeleidingsdocument::from_record(&brin, id, &record, |_| Some(dossier.clone())).unwrap();
    let row = bpv_store::repo::praktijkloket::DocumentRow::new(&d, now_utc());
    (bpv_store::repo::praktijkloket::upsert_document(&mut db.conn(), row).unwrap().1, d)
}

fn foreign_keys_are_enforced(db: &TestDb) {
    let mut conn = db.conn();
    let err = aanbieders::insert(
        &mut conn,
        &AanbiederRow { aanbiedercode: "999A999".into(), brin: "99ZZ".into(), naam: "x".into(), created_at: now_utc() },
    )
    .unwrap_err();
    assert!(matches!(err, StoreError::Query(_)), "{err:?}");
}

fn participation_changes_are_stored(db: &TestDb) {
    school(db, "25AB", "123A456");
    let mut conn = db.conn();
    let before = instellingen::get(&mut conn, "25AB").unwrap();
    assert!(!before.neemt_deel_aan_directe_bevraging());
    let change = instellingen::ParticipationChange {
        directe_studentbevraging: Some(true),
        intake_op: Some(Some(date("2024-01-10"))),
        verwerkersovereenkomst_getekend_op: Some(Some(date("2024-01-15"))),
        ..Default::default()
    };
    let after = instellingen::set_participation(&mut conn, "25AB", &change, now_utc()).unwrap();
    assert!(after.neemt_deel_aan_directe_bevraging());
    assert_eq!(instellingen::get(&mut conn, "25AB").unwrap(), after);
    let cleared = instellingen::set_participation(
        &mut conn,
        "25AB",
        &instellingen::ParticipationChange { verwerkersovereenkomst_getekend_op: Some(None), ..Default::default() },
        now_utc(),
    )
    .unwrap();
    assert!(!cleared.neemt_deel_aan_directe_bevraging());
    assert!(matches!(instellingen::get(&mut conn, "99ZZ"), Err(StoreError::NotFound(_))));
}

fn third_active_gemachtigde_is_refused(db: &TestDb) {
    school(db, "25AB", "123A456");
    let mut conn = db.conn();
    let add = |conn: &mut bpv_store::DbConnection, email: &str| {
        gemachtigden::add(
            conn,
            &gemachtigden::NewGemachtigde { brin: "25AB", email, naam: "Gemachtigde", password_hash: "$argon2id$x" },
            now_utc(),
        )
    };
    add(&mut conn, "a@roc.nl").unwrap();
    add(&mut conn, "B@Roc.nl").unwrap();
    let err = add(&mut conn, "c@roc.nl").unwrap_err();
    assert!(matches!(&err, StoreError::Rule(m) if m.contains("2 actieve gemachtigden")), "{err}");
    // The refused one was not written.
    assert_eq!(gemachtigden::list(&mut conn, "25AB").unwrap().len(), 2);
    // Removing one makes room; the removed account stays for the audit trail.
    assert!(gemachtigden::remove(&mut conn, "25AB", "b@roc.nl", now_utc()).unwrap());
    add(&mut conn, "c@roc.nl").unwrap();
    assert_eq!(gemachtigden::list(&mut conn, "25AB").unwrap().len(), 3);
    assert!(gemachtigden::find_active_by_email(&mut conn, "b@roc.nl").unwrap().is_none());
    assert!(gemachtigden::find_active_by_email(&mut conn, "C@ROC.NL").unwrap().is_some());
}

fn same_email_cannot_be_active_twice(db: &TestDb) {
    school(db, "25AB", "123A456");
    school(db, "26CD", "223A456");
    let mut conn = db.conn();
    let new = |brin| gemachtigden::NewGemachtigde { brin, email: "x@roc.nl", naam: "X", password_hash: "h" };
    gemachtigden::add(&mut conn, &new("25AB"), now_utc()).unwrap();
    assert!(matches!(gemachtigden::add(&mut conn, &new("26CD"), now_utc()), Err(StoreError::Rule(_))));
}

fn upsert_reports_created_unchanged_updated(db: &TestDb) {
    school(db, "25AB", "123A456");
    let mut conn = db.conn();
    let a = record("123A456", "A-1", Some("zoe@student.roc.nl"));
    let b = record("123A456", "A-2", None);
    let first = bpvos::upsert_school_records(&mut conn, &[a.clone(), b.clone()], now_utc()).unwrap();
    assert_eq!(first.iter().map(|o| o.1).collect::<Vec<_>>(), [UpsertOutcome::Created, UpsertOutcome::Created]);
    let stored = bpvos::find(&mut conn, "123A456", "A-1").unwrap().unwrap();
    assert_eq!(stored.student_naam.as_deref(), Some("Zoë Çelik-de Vries"));
    assert_eq!(stored.student_email.as_deref(), Some("zoe@student.roc.nl"));
    assert_eq!(stored.status, bpvo::BpvoStatus::Actief);

    let again = bpvos::upsert_school_records(&mut conn, &[a.clone(), b.clone()], now_utc()).unwrap();
    assert_eq!(again.iter().map(|o| o.1).collect::<Vec<_>>(), [UpsertOutcome::Unchanged, UpsertOutcome::Unchanged]);
    assert_eq!(again[0].0, first[0].0, "same row");
    let untouched = bpvos::find(&mut conn, "123A456", "A-1").unwrap().unwrap();
    assert_eq!(untouched.updated_at, stored.updated_at, "unchanged writes nothing");

    let moved = record("123A456", "A-1", Some("zoe.nieuw@student.roc.nl"));
    let third = bpvos::upsert_school_records(&mut conn, &[moved], now_utc()).unwrap();
    assert_eq!(third[0].1, UpsertOutcome::Updated);
    let updated = bpvos::find(&mut conn, "123A456", "A-1").unwrap().unwrap();
    assert_eq!(updated.student_email.as_deref(), Some("zoe.nieuw@student.roc.nl"));
    assert_eq!(updated.received_at, stored.received_at, "first receipt is kept");
    assert_eq!(bpvos::count(&mut conn).unwrap(), 2);
}

fn large_upsert_crosses_chunks(db: &TestDb) {
    school(db, "25AB", "123A456");
    let mut conn = db.conn();
    let records: Vec<Bpvo> = (0..2_345).map(|i| record("123A456", &format!("K-{i}"), None)).collect();
    let out = bpvos::upsert_school_records(&mut conn, &records, now_utc()).unwrap();
    assert!(out.iter().all(|o| o.1 == UpsertOutcome::Created));
    assert_eq!(bpvos::count(&mut conn).unwrap(), 2_345);
    let out = bpvos::upsert_school_records(&mut conn, &records, now_utc()).unwrap();
    assert!(out.iter().all(|o| o.1 == UpsertOutcome::Unchanged));
    // Mixed: every seventh stored one changes, the rest stay, and 155 new ones (two kept
    // statements of 64 rows on SQLite and 27 one at a time) go in beside them.
    let mut mixed: Vec<Bpvo> = records.clone();
    for r in mixed.iter_mut().step_by(7) {
        r.crebo = bpvo::Crebo::parse("25655").unwrap();
    }
    mixed.extend((2_345..2_500).map(|i| record("123A456", &format!("K-{i}"), Some(&format!("k{i}@student.roc.nl")))));
    let out = bpvos::upsert_school_records(&mut conn, &mixed, now_utc()).unwrap();
    let tel = |o: UpsertOutcome| out.iter().filter(|r| r.1 == o).count();
    assert_eq!(
        (tel(UpsertOutcome::Updated), tel(UpsertOutcome::Unchanged), tel(UpsertOutcome::Created)),
        (335, 2_010, 155)
    );
    assert_eq!(bpvos::count(&mut conn).unwrap(), 2_500);
    for i in [0, 1, 7, 2_345, 2_408, 2_499] {
        let stored = bpvos::find(&mut conn, "123A456", &format!("K-{i}")).unwrap().unwrap();
        assert_eq!(stored.crebo, if i % 7 == 0 && i < 2_345 { "25655" } else { "25604" }, "K-{i}");
        let email = (i >= 2_345).then(|| format!("k{i}@student.roc.nl"));
        assert_eq!(stored.student_email, email, "K-{i}");
        assert_eq!(stored.startdatum, date("2025-09-01"));
        assert_eq!(stored.geplande_einddatum, date("2026-01-31"));
        assert_eq!(stored.student_naam.as_deref(), Some("Zoë Çelik-de Vries"));
        assert_eq!(stored.locatiecode.as_deref(), Some("251X101"));
        assert!(stored.school_received_at.is_some());
    }
    let again = bpvos::upsert_school_records(&mut conn, &mixed, now_utc()).unwrap();
    assert!(again.iter().all(|o| o.1 == UpsertOutcome::Unchanged));
    assert_eq!(again.iter().map(|o| &o.0).collect::<Vec<_>>(), out.iter().map(|o| &o.0).collect::<Vec<_>>());
}

fn duplicate_keys_in_one_call_write_nothing(db: &TestDb) {
    school(db, "25AB", "123A456");
    let mut conn = db.conn();
    let a = record("123A456", "D-1", None);
    let err = bpvos::upsert_school_records(&mut conn, &[a.clone(), record("123A456", "D-2", None), a], now_utc())
        .unwrap_err();
    assert!(matches!(err, StoreError::Rule(_)));
    assert_eq!(bpvos::count(&mut conn).unwrap(), 0);
}

fn failed_upsert_rolls_back_whole(db: &TestDb) {
    school(db, "25AB", "123A456");
    let mut conn = db.conn();
    // The second record names an aanbieder that does not exist: the foreign key fails, and the
    // first record must not stay behind.
    let err = bpvos::upsert_school_records(
        &mut conn,
        &[record("123A456", "R-1", None), record("999A999", "R-2", None)],
        now_utc(),
    );
    assert!(err.is_err());
    assert_eq!(bpvos::count(&mut conn).unwrap(), 0);
}

fn same_correlatie_id_under_two_aanbieders_are_two_bpvos(db: &TestDb) {
    school(db, "25AB", "123A456");
    school(db, "25AB", "123A457");
    let mut conn = db.conn();
    bpvos::upsert_school_records(
        &mut conn,
        &[record("123A456", "S-1", None), record("123A457", "S-1", None)],
        now_utc(),
    )
    .unwrap();
    let both = bpvos::find_by_correlatie_id(&mut conn, &["123A456".into(), "123A457".into()], "S-1").unwrap();
    assert_eq!(both.len(), 2);
    let one = bpvos::find_by_correlatie_id(&mut conn, &["123A456".into()], "S-1").unwrap();
    assert_eq!(one.len(), 1);
    // Uploaded again in one call over both aanbieders (each looked up under its own): one
    // unchanged, one changed, one new, and no bpvo of one aanbieder taken for the other's.
    let mut changed = record("123A457", "S-1", None);
    changed.crebo = bpvo::Crebo::parse("25655").unwrap();
    let again = bpvos::upsert_school_records(
        &mut conn,
        &[record("123A456", "S-1", None), changed, record("123A457", "S-2", None)],
        now_utc(),
    )
    .unwrap();
    let outcomes: Vec<UpsertOutcome> = again.iter().map(|(_, o)| *o).collect();
    assert_eq!(outcomes, [UpsertOutcome::Unchanged, UpsertOutcome::Updated, UpsertOutcome::Created]);
    assert_eq!(again[0].0, one[0].id);
    let crebos: Vec<(String, String)> =
        bpvos::find_by_correlatie_id(&mut conn, &["123A456".into(), "123A457".into()], "S-1")
            .unwrap()
            .into_iter()
            .map(|b| (b.aanbiedercode, b.crebo))
            .collect();
    assert_eq!(crebos[1], ("123A457".to_owned(), "25655".to_owned()));
    assert_ne!(crebos[0].1, "25655");
}

fn withdraw_removes_personal_data(db: &TestDb) {
    school(db, "25AB", "123A456");
    let mut conn = db.conn();
    let out = bpvos::upsert_school_records(&mut conn, &[record("123A456", "W-1", Some("w@x.nl"))], now_utc()).unwrap();
    assert!(bpvos::withdraw(&mut conn, &out[0].0, now_utc()).unwrap());
    let row = bpvos::find(&mut conn, "123A456", "W-1").unwrap().unwrap();
    assert_eq!(row.status, bpvo::BpvoStatus::Ingetrokken);
    assert_eq!((row.student_email, row.student_naam, row.studentcode), (None, None, None));
    assert!(!bpvos::withdraw(&mut conn, &out[0].0, now_utc()).unwrap(), "second withdraw is a no-op");
    // Sending it again does not bring it back (a SIS's nightly sync would undo every withdrawal),
    // and the whole call writes nothing.
    let again = bpvos::upsert_school_records(
        &mut conn,
        &[record("123A456", "W-2", None), record("123A456", "W-1", Some("w@x.nl"))],
        now_utc(),
    );
    assert!(matches!(again, Err(bpv_store::StoreError::Rule(ref m)) if m.contains("ingetrokken")), "{again:?}");
    assert_eq!(bpvos::find(&mut conn, "123A456", "W-1").unwrap().unwrap().status, bpvo::BpvoStatus::Ingetrokken);
    assert!(bpvos::find(&mut conn, "123A456", "W-2").unwrap().is_none());
    // An upload asks which of its keys are withdrawn: only W-1 of this aanbieder, not the same
    // correlatieId under another aanbieder of the school, nor a key that is not stored.
    drop(conn);
    school(db, "25AB", "123A457");
    let mut conn = db.conn();
    bpvos::upsert_school_records(&mut conn, &[record("123A457", "W-1", None)], now_utc()).unwrap();
    let asked = [record("123A457", "W-1", None), record("123A456", "W-2", None), record("123A456", "W-1", None)];
    let withdrawn = bpvos::withdrawn_among(&mut conn, &asked).unwrap();
    assert_eq!(withdrawn, [("123A456".to_owned(), "W-1".to_owned())].into_iter().collect());
    // Only an explicit reinstatement does (the school changed its mind).
    let again =
        bpvos::reinstate_school_records(&mut conn, &[record("123A456", "W-1", Some("w@x.nl"))], now_utc()).unwrap();
    assert_eq!(again[0].1, UpsertOutcome::Updated);
    assert_eq!(bpvos::find(&mut conn, "123A456", "W-1").unwrap().unwrap().status, bpvo::BpvoStatus::Actief);
    assert!(bpvos::withdrawn_among(&mut conn, &asked).unwrap().is_empty());
}

/// Verbeterpunten (free text that may name anyone) go with the bpvo's personal data: from the
/// column and from the stored answers JSON; the closed answers stay for the results.
fn verbeterpunten_go_with_the_personal_data(db: &TestDb) {
    use bpv_store::schema::responses::dsl;
    school(db, "25AB", "123A456");
    let mut conn = db.conn();
    let tekst = "Mijn begeleider Jan de Vries (06-12345678) was er nooit.";
    let qs = bpv_aggregation::Questionnaires::builtin().unwrap();
    let q = qs.by_version("2024-07").unwrap();
    let mut form: std::collections::HashMap<String, String> =
        q.items().map(|(_, i)| (i.code.clone(), "4".to_owned())).collect();
    form.insert("cijfer".into(), "6".into());
    form.insert("verbeterpunten".into(), tekst.into());
    let answers = bpv_aggregation::validate_answers(q, &form).unwrap();
    let json = answers.to_json();
    let s = bpv_store::testing::Surveyed {
        aanbiedercode: "123A456",
        locatiecode: None,
        leerweg: "BOL",
        crebo: "25604",
        geplande_einddatum: date("2026-06-30"),
        groep: "student",
        answer: Some(("2024-07", 6, json.as_str())),
    };
    let inv = bpv_store::testing::surveyed(&mut conn, &s, now_utc());
    diesel::update(dsl::responses.filter(dsl::invitation_id.eq(&inv)))
        .set(dsl::verbeterpunten.eq(tekst))
        .execute(&mut conn)
        .unwrap();
    let bpvo_id: String = bpv_store::schema::invitations::table
        .find(&inv)
        .select(bpv_store::schema::invitations::bpvo_id)
        .first(&mut conn)
        .unwrap();
    assert!(bpvos::withdraw(&mut conn, &bpvo_id, now_utc()).unwrap());
    let (kolom, opgeslagen, cijfer): (Option<String>, String, i32) = dsl::responses
        .filter(dsl::invitation_id.eq(&inv))
        .select((dsl::verbeterpunten, dsl::antwoorden, dsl::cijfer))
        .first(&mut conn)
        .unwrap();
    assert_eq!(kolom, None);
    assert!(!opgeslagen.contains("Jan de Vries"), "{opgeslagen}");
    let na = bpv_aggregation::Answers::from_json(&opgeslagen).unwrap();
    assert_eq!((na.verbeterpunten, na.cijfer, cijfer), (None, 6, 6), "the closed answers stay");
    assert_eq!(na.items, answers.items);
}

/// A planned invitation whose date moves takes its waiting mail along; a sent one stays put.
fn a_rescheduled_invitation_moves_its_waiting_mail(db: &TestDb) {
    use bpv_store::models::{DeliveryRow, InvitationRow, Onderwerp};
    use bpv_store::repo::{deliveries, invitations};
    school(db, "25AB", "123A456");
    let mut conn = db.conn();
    let out = bpvos::upsert_school_records(&mut conn, &[record("123A456", "R-1", Some("r@x.nl"))], now_utc()).unwrap();
    let today = date("2026-06-01");
    let inv = InvitationRow::planned(
        out[0].0.clone(),
        bpvo::Groep::Student,
        bpvo::Kanaal::Direct,
        today,
        date("2026-07-20"),
        now_utc(),
    );
    invitations::insert_new(&mut conn, std::slice::from_ref(&inv)).unwrap();
    let mail = DeliveryRow::planned(
        Onderwerp::Uitnodiging(inv.id.clone()),
        bpv_store::Soort::Uitnodiging,
        0,
        Some("r@x.nl".into()),
        false,
        today,
        now_utc(),
    );
    assert_eq!(mail.status, bpv_store::DeliveryStatus::Wachtend);
    deliveries::insert_new(&mut conn, std::slice::from_ref(&mail)).unwrap();
    let later = date("2026-06-15");
    assert!(invitations::reschedule(&mut conn, &inv.id, later, date("2026-08-03"), now_utc()).unwrap());
    let rows = deliveries::for_invitations(&mut conn, std::slice::from_ref(&inv.id)).unwrap();
    assert_eq!(rows[0].next_attempt_at, later.and_hms_opt(0, 0, 0).unwrap());
    // No address: planned as skipped at once, with the reason.
    let none = DeliveryRow::planned(
        Onderwerp::Uitnodiging(inv.id.clone()),
        bpv_store::Soort::Herinnering,
        1,
        None,
        false,
        today,
        now_utc(),
    );
    assert_eq!(none.status, bpv_store::DeliveryStatus::Overgeslagen);
}

/// A batch claimed ahead has its leases renewed before it is sent: mails still this owner's get a
/// new lease; a mail whose lease ran out and that another dispatcher claimed is not reported as
/// ours and keeps the other's lease.
fn renewed_leases_leave_taken_over_mail_alone(db: &TestDb) {
    use bpv_store::models::{DeliveryRow, InvitationRow, Onderwerp};
    use bpv_store::repo::{deliveries, invitations};
    school(db, "25AB", "123A456");
    let mut conn = db.conn();
    let recs = [record("123A456", "L-1", Some("a@x.nl")), record("123A456", "L-2", Some("b@x.nl"))];
    let out = bpvos::upsert_school_records(&mut conn, &recs, now_utc()).unwrap();
    let today = date("2026-06-01");
    let mut mails = Vec::new();
    for ((bpvo_id, _), email) in out.iter().zip(["a@x.nl", "b@x.nl"]) {
        let inv = InvitationRow::planned(
            bpvo_id.clone(),
            bpvo::Groep::Student,
            bpvo::Kanaal::Direct,
            today,
            date("2026-07-20"),
            now_utc(),
        );
        invitations::insert_new(&mut conn, std::slice::from_ref(&inv)).unwrap();
        mails.push(DeliveryRow::planned(
            Onderwerp::Uitnodiging(inv.id),
            bpv_store::Soort::Uitnodiging,
            0,
            Some(email.into()),
            false,
            today,
            now_utc(),
        ));
    }
    deliveries::insert_new(&mut conn, &mails).unwrap();
    let t0 = now_utc();
    let lease = chrono::Duration::seconds(60);
    let mine = deliveries::claim(&mut conn, "a", t0, lease, 10).unwrap();
    assert_eq!(mine.len(), 2);
    // Both leases run out; dispatcher b takes one of the two over.
    let later = t0 + chrono::Duration::seconds(120);
    let taken = deliveries::claim(&mut conn, "b", later, lease, 1).unwrap();
    assert_eq!(taken.len(), 1);
    let ids: Vec<&str> = mine.iter().map(|d| d.id.as_str()).collect();
    let ours = deliveries::renew_leases(&mut conn, &ids, "a", later, lease).unwrap();
    let kept: Vec<&str> = ids.iter().copied().filter(|id| *id != taken[0].id).collect();
    assert_eq!(ours.len(), 1);
    assert!(ours.contains(kept[0]), "the mail nobody took over is still a's");
    let rows = deliveries::for_invitations(
        &mut conn,
        &mine.iter().filter_map(|d| d.invitation_id.clone()).collect::<Vec<_>>(),
    )
    .unwrap();
    for row in rows {
        if row.id == taken[0].id {
            assert_eq!(row.lease_owner.as_deref(), Some("b"), "b's lease stays b's");
        } else {
            assert_eq!(row.lease_owner.as_deref(), Some("a"));
        }
        assert_eq!(row.lease_until, Some(later + lease), "renewed (a) or newly claimed (b) at the later time");
    }
    // Renewed, a's mail is not due for anyone else before its new lease runs out.
    assert!(deliveries::claim(&mut conn, "c", later + chrono::Duration::seconds(30), lease, 10).unwrap().is_empty());
}

fn recording_sent_mail_marks_only_our_mail_and_its_invitations(db: &TestDb) {
    use bpv_scheduling::InvitationStatus;
    use bpv_store::models::{DeliveryRow, InvitationRow, Onderwerp};
    use bpv_store::repo::{deliveries, invitations};
    school(db, "25AB", "123A456");
    let mut conn = db.conn();
    let recs = [record("123A456", "L-1", Some("a@x.nl")), record("123A456", "L-2", Some("b@x.nl"))];
    let out = bpvos::upsert_school_records(&mut conn, &recs, now_utc()).unwrap();
    let today = date("2026-06-01");
    // Each mail goes to the praktijkopleider and carries the student invitation along.
    let (mut mails, mut carried) = (Vec::new(), Vec::new());
    for ((bpvo_id, _), email) in out.iter().zip(["po1@x.nl", "po2@x.nl"]) {
        let planned = |groep| {
            InvitationRow::planned(bpvo_id.clone(), groep, bpvo::Kanaal::Direct, today, date("2026-07-20"), now_utc())
        };
        let (po, student) = (planned(bpvo::Groep::Praktijkopleider), planned(bpvo::Groep::Student));
        invitations::insert_new(&mut conn, &[po.clone(), student.clone()]).unwrap();
        let mail = DeliveryRow::planned(
            Onderwerp::Uitnodiging(po.id.clone()),
            bpv_store::Soort::Uitnodiging,
            0,
            Some(email.into()),
            false,
            today,
            now_utc(),
        );
        carried.push((mail.id.clone(), po.id, student.id));
        mails.push(mail);
    }
    assert_eq!(deliveries::insert_new(&mut conn, &mails).unwrap(), 2);
    let t0 = now_utc();
    let lease = chrono::Duration::seconds(60);
    assert_eq!(deliveries::claim(&mut conn, "a", t0, lease, 10).unwrap().len(), 2);
    // a's leases run out; b takes one of the two mails over before a records its outcome.
    let later = t0 + chrono::Duration::seconds(120);
    let taken = deliveries::claim(&mut conn, "b", later, lease, 1).unwrap();
    assert_eq!(taken.len(), 1);
    let sent: Vec<(&str, &str, &str)> = carried.iter().map(|(d, ..)| (d.as_str(), "<m@x>", "250 2.0.0 Ok")).collect();
    let pairs: Vec<(&str, &str)> =
        carried.iter().flat_map(|(d, po, st)| [(d.as_str(), po.as_str()), (d.as_str(), st.as_str())]).collect();
    let ours = deliveries::record_invitation_mails_sent(&mut conn, &sent, &pairs, "a", today, later).unwrap();
    assert_eq!(ours.len(), 1, "only the mail still a's is recorded");
    for (d, po, st) in &carried {
        let invs = invitations::by_ids(&mut conn, &[po.clone(), st.clone()]).unwrap();
        assert_eq!(invs.len(), 2);
        for inv in invs {
            if ours.contains(d) {
                assert_eq!(inv.status, InvitationStatus::Verstuurd, "the mail's invitation and the one it carried");
                assert_eq!(inv.sent_on, Some(today));
            } else {
                assert_eq!(d, &taken[0].id);
                assert_eq!(inv.status, InvitationStatus::Gepland, "b's mail: its invitations are b's to record");
            }
        }
    }
    let rows =
        deliveries::for_invitations(&mut conn, &carried.iter().map(|c| c.1.clone()).collect::<Vec<_>>()).unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        if row.id == taken[0].id {
            assert_eq!(row.status, bpv_store::DeliveryStatus::Bezig);
            assert_eq!(row.lease_owner.as_deref(), Some("b"));
        } else {
            assert_eq!(row.status, bpv_store::DeliveryStatus::Verstuurd);
            assert_eq!(row.message_id.as_deref(), Some("<m@x>"));
        }
    }
    // Nothing to record records nothing.
    assert!(deliveries::record_invitation_mails_sent(&mut conn, &[], &[], "a", today, later).unwrap().is_empty());
}

fn audit_log_is_append_only(db: &TestDb) {
    let mut conn = db.conn();
    let entry = audit::append(
        &mut conn,
        now_utc(),
        audit::Actor { kind: "admin", id: "tester" },
        Some("25AB"),
        "instelling.add",
        &serde_json::json!({ "x": 1 }),
        None,
    )
    .unwrap();
    use bpv_store::schema::audit_log::dsl;
    let upd = diesel::update(dsl::audit_log.find(&entry.id)).set(dsl::action.eq("tampered")).execute(&mut conn);
    assert!(upd.is_err(), "update must be refused");
    let del = diesel::delete(dsl::audit_log.find(&entry.id)).execute(&mut conn);
    assert!(del.is_err(), "delete must be refused");
    let list = audit::list(&mut conn, Some("25AB"), None, 10).unwrap();
    assert_eq!(list, vec![entry]);
}

fn erkenningen_are_not_duplicated(db: &TestDb) {
    let mut conn = db.conn();
    let row = |van| ErkenningRow {
        id: new_id(),
        leerbedrijf_id: "100200300".into(),
        crebo: "25604".into(),
        geldig_van: date(van),
        geldig_tot: None,
        aangevraagd_op: None,
        besloten_op: None,
    };
    assert_eq!(referentie::insert_erkenningen(&mut conn, &[row("2020-01-01"), row("2023-01-01")]).unwrap(), 2);
    assert_eq!(referentie::insert_erkenningen(&mut conn, &[row("2020-01-01")]).unwrap(), 0);
    assert_eq!(referentie::erkenningen_for(&mut conn, "100200300").unwrap().len(), 2);
    // A later file that ends one and gives its decision dates updates it, still not a new one.
    let ended = ErkenningRow {
        geldig_tot: Some(date("2024-12-31")),
        aangevraagd_op: Some(date("2019-10-01")),
        besloten_op: Some(date("2019-12-01")),
        ..row("2020-01-01")
    };
    assert_eq!(referentie::insert_erkenningen(&mut conn, std::slice::from_ref(&ended)).unwrap(), 0);
    let stored = referentie::erkenningen_for(&mut conn, "100200300").unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(
        (stored[0].geldig_tot, stored[0].aangevraagd_op, stored[0].besloten_op),
        (ended.geldig_tot, ended.aangevraagd_op, ended.besloten_op)
    );
}

fn locaties_upsert_renames(db: &TestDb) {
    school(db, "25AB", "123A456");
    let mut conn = db.conn();
    let mut loc =
        LocatieRow { locatiecode: "123X001".into(), aanbiedercode: "123A456".into(), naam: "Oud".into(), plaats: None };
    aanbieders::upsert_locatie(&mut conn, &loc).unwrap();
    loc.naam = "Nieuw".into();
    loc.plaats = Some("Utrecht".into());
    aanbieders::upsert_locatie(&mut conn, &loc).unwrap();
    assert_eq!(aanbieders::locaties_for(&mut conn, &["123A456".into()]).unwrap(), vec![loc]);
}

/// Several connections writing at once (two upload requests, two dispatchers) all succeed: on
/// SQLite each waits for the write lock instead of failing with "database is locked".
fn concurrent_writers_all_succeed(db: &TestDb) {
    school(db, "25AB", "123A456");
    std::thread::scope(|s| {
        for t in 0..4 {
            let pool = db.pool().clone();
            s.spawn(move || {
                let records: Vec<Bpvo> = (0..300).map(|i| record("123A456", &format!("T{t}-{i}"), None)).collect();
                for chunk in records.chunks(50) {
                    let mut conn = pool.get().unwrap();
                    bpvos::upsert_school_records(&mut conn, chunk, now_utc()).unwrap();
                }
            });
        }
    });
    assert_eq!(bpvos::count(&mut db.conn()).unwrap(), 1_200);
}

/// Two uploads of the same new bpvo at once (a SIS that retries a slow request without an
/// Idempotency-Key): the second looks the key up while the first has stored it but not yet
/// committed. Both must report the id that is stored. On PostgreSQL the second's insert waits for
/// the first, fails on the key, and the upsert tries once more; on SQLite the second waits for the
/// write lock before it looks anything up.
fn a_new_bpvo_stored_meanwhile_is_reported_with_its_stored_id(db: &TestDb) {
    use diesel::connection::{Connection, TransactionManager};
    school(db, "25AB", "123A456");
    let mut first = db.connect();
    <bpv_store::DbConnection as Connection>::TransactionManager::begin_transaction(&mut first).unwrap();
    let stored = bpvos::upsert_school_records(&mut first, &[record("123A456", "R-1", None)], now_utc()).unwrap();
    assert_eq!(stored[0].1, UpsertOutcome::Created);
    let second = std::thread::scope(|s| {
        let upload = s.spawn(|| {
            let mut conn = db.connect();
            let records = [record("123A456", "R-2", None), record("123A456", "R-1", None)];
            bpvos::upsert_school_records(&mut conn, &records, now_utc())
        });
        // Long enough for the second upload to look R-1 up and wait on it (PostgreSQL) or to wait
        // for the write lock (SQLite).
        std::thread::sleep(std::time::Duration::from_millis(400));
        <bpv_store::DbConnection as Connection>::TransactionManager::commit_transaction(&mut first).unwrap();
        upload.join().unwrap()
    });
    let second = second.unwrap();
    assert_eq!(second[1], (stored[0].0.clone(), UpsertOutcome::Unchanged), "{second:?}");
    assert_eq!(second[0].1, UpsertOutcome::Created);
    let mut conn = db.conn();
    assert_eq!(bpvos::find(&mut conn, "123A456", "R-1").unwrap().unwrap().id, stored[0].0);
    assert_eq!(bpvos::find(&mut conn, "123A456", "R-2").unwrap().unwrap().id, second[0].0);
    assert_eq!(bpvos::count(&mut conn).unwrap(), 2);
}

fn ended_sessions_stay_ended_until_their_token_expired(db: &TestDb) {
    use bpv_store::repo::sessies::{end, is_ended, purge_expired};
    let mut conn = db.conn();
    let t = |h| chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap().and_hms_opt(h, 0, 0).unwrap();
    assert!(!is_ended(&mut conn, "abc").unwrap());
    end(&mut conn, "abc", t(12)).unwrap();
    end(&mut conn, "abc", t(12)).unwrap();
    assert!(is_ended(&mut conn, "abc").unwrap());
    assert!(!is_ended(&mut conn, "abd").unwrap());
    assert!(is_ended(&mut conn, "").unwrap(), "a token without id never counts as live");
    assert_eq!(purge_expired(&mut conn, t(11)).unwrap(), 0);
    assert_eq!(purge_expired(&mut conn, t(13)).unwrap(), 1);
    assert!(!is_ended(&mut conn, "abc").unwrap());
}

/// An invitation count key as the reporting service reads it: groep, maand, brin, aanbieder,
/// locatie, leerweg, crebo, sector.
type CountKey = (String, String, String, String, Option<String>, String, String, Option<String>);

/// The counts the triggers keep, checked against the counts grouped afresh from every invitation
/// and the imported history (keys whose counts dropped to 0 left out); returns them.
fn kept_counts_are_grouped_counts(
    conn: &mut bpv_store::DbConnection,
    step: &str,
) -> std::collections::BTreeMap<CountKey, (i64, i64)> {
    use bpv_store::repo::reporting::{self, InvitationKeyCount};
    let summed = |rows: Vec<InvitationKeyCount>| {
        let mut m: std::collections::BTreeMap<CountKey, (i64, i64)> = std::collections::BTreeMap::new();
        for r in rows {
            let e = m
                .entry((r.groep, r.maand, r.brin, r.aanbiedercode, r.locatiecode, r.leerweg, r.crebo, r.sector))
                .or_default();
            (e.0, e.1) = (e.0 + r.aantal, e.1 + r.via);
        }
        m.retain(|_, v| *v != (0, 0));
        m
    };
    let kept = summed(reporting::invitation_counts(conn).unwrap());
    let grouped = summed(reporting::invitation_counts_grouped(conn).unwrap());
    assert_eq!(kept, grouped, "{step}");
    kept
}

/// The invitation counts the triggers keep equal the counts grouped afresh from every invitation
/// and the imported history, after each kind of change: invitations sent, answered, cancelled,
/// sent through the praktijkopleider, several in one statement, deleted; a bpvo's keys changed
/// (crebo, locatie, month of the planned end); history imported. And a reader that asks for the
/// rows changed since its last read finds every key that changed.
// One scenario whose steps build on each other; each step is short and checked on its own.
#[allow(clippy::too_many_lines)]
fn invitation_counts_follow_every_change(db: &TestDb) {
    use bpv_store::repo::reporting;
    use bpv_store::schema::{bpvos as b, invitations as i};
    use bpv_store::testing::{Surveyed, surveyed};

    let check = |step: &str| kept_counts_are_grouped_counts(&mut db.conn(), step);
    let key_names = || reporting::KeyNames::load(&mut db.conn()).unwrap();
    let latest = || {
        let rows = reporting::invitation_counts_page(&mut db.conn(), &key_names(), None, None, 10_000).unwrap();
        rows.iter().map(|r| r.gewijzigd_op).max()
    };
    let changed_since = |since| {
        let rows = reporting::invitation_counts_page(&mut db.conn(), &key_names(), since, None, 10_000).unwrap();
        rows.into_iter().map(|r| (r.count.maand, r.count.crebo, r.count.aantal)).collect::<Vec<_>>()
    };

    {
        let mut conn = db.conn();
        bpv_store::testing::instelling(&mut conn, "10AA", &["10AA01", "10AA02"], true, true);
    }
    assert!(check("empty").is_empty());
    let mut ids = Vec::new();
    for (n, (aanbieder, crebo, eind, groep, answered)) in [
        ("10AA01", "25604", "2026-03-15", "student", false),
        ("10AA01", "25604", "2026-03-20", "student", true),
        ("10AA01", "25604", "2026-03-20", "praktijkopleider", false),
        ("10AA02", "25180", "2026-04-02", "student", false),
        ("10AA02", "25180", "2026-05-02", "student", false),
    ]
    .into_iter()
    .enumerate()
    {
        let s = Surveyed {
            aanbiedercode: aanbieder,
            locatiecode: (n % 2 == 0).then_some("L1"),
            leerweg: "BOL",
            crebo,
            geplande_einddatum: date(eind),
            groep,
            answer: answered.then_some(("2024", 8, r#"{"items":{},"cijfer":8}"#)),
        };
        ids.push(surveyed(&mut db.conn(), &s, now_utc()));
    }
    let first = check("sent and answered");
    assert_eq!(first.values().map(|v| v.0).sum::<i64>(), 5);

    // Cancelled: counts no more.
    let before = latest();
    diesel::update(i::table.find(&ids[0])).set(i::status.eq("geannuleerd")).execute(&mut db.conn()).unwrap();
    check("cancelled");
    assert!(
        changed_since(before).iter().any(|(m, c, n)| m == "2026-03" && c == "25604" && *n == 0),
        "the change is seen"
    );

    // Back to planned, then sent through the praktijkopleider together with another, in one
    // statement.
    diesel::update(i::table.find(&ids[0])).set(i::status.eq("gepland")).execute(&mut db.conn()).unwrap();
    diesel::update(i::table.find(&ids[3])).set(i::status.eq("gepland")).execute(&mut db.conn()).unwrap();
    check("planned again");
    diesel::update(i::table.filter(i::id.eq_any([&ids[0], &ids[3]])))
        .set((i::status.eq("verstuurd"), i::kanaal.eq("via_praktijkopleider")))
        .execute(&mut db.conn())
        .unwrap();
    let via = check("sent via the praktijkopleider");
    assert_eq!(via.values().map(|v| v.1).sum::<i64>(), 2);

    // Answered: still counted, once.
    diesel::update(i::table.find(&ids[0])).set(i::status.eq("beantwoord")).execute(&mut db.conn()).unwrap();
    assert_eq!(check("answered"), via);

    // A bpvo's keys change: its counted invitations move (two bpvo's in one statement).
    let bpvo_of = |id: &str| -> String { i::table.find(id).select(i::bpvo_id).first(&mut db.conn()).unwrap() };
    let (b1, b4) = (bpvo_of(&ids[1]), bpvo_of(&ids[4]));
    let before = latest();
    diesel::update(b::table.filter(b::id.eq_any([&b1, &b4])))
        .set((b::crebo.eq("25999"), b::geplande_einddatum.eq(date("2026-06-30")), b::locatiecode.eq(Some("L9"))))
        .execute(&mut db.conn())
        .unwrap();
    let moved = check("keys changed");
    assert!(moved.keys().any(|k| k.6 == "25999" && k.1 == "2026-06"), "{moved:?}");
    let seen = changed_since(before);
    let arrived: i64 = seen.iter().filter(|(m, c, _)| m == "2026-06" && c == "25999").map(|r| r.2).sum();
    assert_eq!(arrived, 2, "{seen:?}");
    assert!(seen.iter().any(|(m, c, n)| m == "2026-05" && c == "25180" && *n == 0), "the old key is seen: {seen:?}");
    // A change that keeps every key (the day within the month, a name) moves nothing.
    diesel::update(b::table.find(&b1))
        .set((b::geplande_einddatum.eq(date("2026-06-01")), b::student_naam.eq(Some("Ander"))))
        .execute(&mut db.conn())
        .unwrap();
    assert_eq!(check("same keys"), moved);
    // One statement over every bpvo in which only one moves (its locatie), the others keep their
    // keys: only the moved one's count moves, and a statement that moves nothing again moves nothing.
    let b2 = bpvo_of(&ids[2]);
    diesel::update(b::table)
        .set((
            b::locatiecode.eq(diesel::dsl::case_when(b::id.eq(&b2), Some("L7")).otherwise(b::locatiecode)),
            b::student_naam.eq(Some("Iedereen")),
        ))
        .execute(&mut db.conn())
        .unwrap();
    let one_moved = check("one of all moved");
    assert!(one_moved.keys().any(|k| k.4.as_deref() == Some("L7")), "{one_moved:?}");
    assert_ne!(one_moved, moved);
    diesel::update(b::table).set(b::student_naam.eq(Some("Weer"))).execute(&mut db.conn()).unwrap();
    assert_eq!(check("none of all moved"), one_moved);
    let moved = one_moved;

    // Deleted (an invitation without answer, tokens or mails).
    diesel::delete(i::table.find(&ids[2])).execute(&mut db.conn()).unwrap();
    check("deleted");

    // History imported: its counts add to the same keys.
    diesel::sql_query(
        "INSERT INTO historie_bestanden (id, naam, geimporteerd_op, antwoorden, uitnodigingen) \
         VALUES ('h1', 'oud.csv', '2026-01-01 00:00:00', 0, 2)",
    )
    .execute(&mut db.conn())
    .unwrap();
    diesel::sql_query(
        "INSERT INTO historie_uitnodigingen (bestand_id, groep, maand, aanbiedercode, locatiecode, leerweg, crebo, aantal) \
         VALUES ('h1', 'student', '2026-06', '10AA01', 'L9', 'BOL', '25999', 7), \
                ('h1', 'student', '2022-01', '10AA02', NULL, 'BBL', '25180', 3)",
    )
    .execute(&mut db.conn())
    .unwrap();
    let history = check("history");
    assert_eq!(history.values().map(|v| v.0).sum::<i64>(), moved.values().map(|v| v.0).sum::<i64>() - 1 + 10);

    // Read in pages of one row, each after the key of the last: the same rows in the same order
    // (a key with a locatie and one without included), and brin and sector looked up per row.
    let all = reporting::invitation_counts_page(&mut db.conn(), &key_names(), None, None, 10_000).unwrap();
    assert!(all.len() >= 4, "{all:?}");
    assert!(all.iter().any(|r| r.count.locatiecode.is_none()) && all.iter().any(|r| r.count.locatiecode.is_some()));
    assert!(all.iter().all(|r| r.count.brin == "10AA"), "{all:?}");
    assert!(all.iter().any(|r| r.count.crebo == "25999" && r.count.sector.is_none()), "unknown crebo: no sector");
    let names = key_names();
    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = reporting::invitation_counts_page(&mut db.conn(), &names, None, after.as_ref(), 1).unwrap();
        let Some(last) = page.last() else { break };
        after = Some(reporting::TellingSleutel::of(last));
        paged.extend(page);
        assert!(paged.len() <= all.len(), "paging does not end");
    }
    assert_eq!(paged, all);
}

/// Planning reads a bpvo outside its date window only while it has an invitation still planned, or
/// sent and not yet closed (a reminder may follow); once the survey closed, never again.
fn scheduling_reads_closed_surveys_no_more(db: &TestDb) {
    use bpv_store::models::InvitationRow;
    use bpv_store::repo::invitations;
    school(db, "25AB", "123A456");
    let mut conn = db.conn();
    let records: Vec<Bpvo> =
        (1..=4).map(|n| record("123A456", &format!("R-{n}"), Some(&format!("r{n}@x.nl")))).collect();
    let out = bpvos::upsert_school_records(&mut conn, &records, now_utc()).unwrap();
    let today = date("2026-06-10");
    let invitation = |n: usize, closes: &str| {
        InvitationRow::planned(
            out[n].0.clone(),
            bpvo::Groep::Student,
            bpvo::Kanaal::Direct,
            date("2026-05-01"),
            date(closes),
            now_utc(),
        )
    };
    let (planned, open, closed) =
        (invitation(0, "2026-06-01"), invitation(1, "2026-06-11"), invitation(2, "2026-06-10"));
    invitations::insert_new(&mut conn, &[planned.clone(), open.clone(), closed.clone()]).unwrap();
    // Five ids or more, two of them unknown: only the planned invitations named are marked.
    invitations::mark_sent_many(&mut conn, &[&open.id, &closed.id, "x-1", "x-2", "x-3"], date("2026-05-01"), now_utc())
        .unwrap();
    let status: Vec<String> = invitations::by_ids(&mut conn, &[planned.id.clone(), open.id.clone(), closed.id.clone()])
        .unwrap()
        .into_iter()
        .map(|i| format!("{}:{}", i.id, i.status.as_str()))
        .collect();
    assert!(status.contains(&format!("{}:gepland", planned.id)), "{status:?}");
    assert!(status.contains(&format!("{}:verstuurd", open.id)), "{status:?}");
    assert!(status.contains(&format!("{}:verstuurd", closed.id)), "{status:?}");
    // All four end on 2026-01-31, outside the window; the fourth has no invitation.
    let candidates: Vec<String> =
        bpvos::scheduling_candidates(&mut conn, date("2026-06-01"), date("2026-07-01"), today)
            .unwrap()
            .into_iter()
            .map(|b| b.correlatie_id)
            .collect();
    assert_eq!(candidates.len(), 2, "{candidates:?}");
    assert!(candidates.contains(&"R-1".to_owned()) && candidates.contains(&"R-2".to_owned()), "{candidates:?}");
    // Inside the window every bpvo is read, whatever its invitations.
    let all = bpvos::scheduling_candidates(&mut conn, date("2026-01-01"), date("2026-02-01"), today).unwrap();
    assert_eq!(all.len(), 4);
}

/// A bulk insert of invitations (on SQLite in prepared statements of 64 rows, then one row at a
/// time for the rest) writes every new row exactly as given and skips, without error, the ones
/// whose bpvo already has an invitation of that groep; it answers how many it wrote.
fn bulk_invitation_insert_writes_each_new_row_once(db: &TestDb) {
    use bpv_store::models::InvitationRow;
    use bpv_store::repo::invitations;
    school(db, "25AB", "123A456");
    let mut conn = db.conn();
    let records: Vec<Bpvo> =
        (1..=150).map(|n| record("123A456", &format!("R-{n}"), Some(&format!("r{n}@x.nl")))).collect();
    let out = bpvos::upsert_school_records(&mut conn, &records, now_utc()).unwrap();
    let invitation = |n: usize, scheduled: &str| {
        InvitationRow::planned(
            out[n].0.clone(),
            bpvo::Groep::Student,
            bpvo::Kanaal::Direct,
            date(scheduled),
            date("2026-07-01"),
            now_utc(),
        )
    };
    let earlier: Vec<InvitationRow> = [3, 64, 65, 128, 149].iter().map(|&n| invitation(n, "2026-05-01")).collect();
    assert_eq!(invitations::insert_new(&mut conn, &earlier).unwrap(), 5);
    // 150 rows: two statements of 64 and 22 single rows, five of them already there.
    let all: Vec<InvitationRow> = (0..150).map(|n| invitation(n, "2026-06-01")).collect();
    assert_eq!(invitations::insert_new(&mut conn, &all).unwrap(), 145);
    let ids: Vec<String> = all.iter().chain(&earlier).map(|i| i.id.clone()).collect();
    let stored = invitations::by_ids(&mut conn, &ids).unwrap();
    assert_eq!(stored.len(), 150, "one invitation per bpvo");
    let key = |i: &InvitationRow| (i.id.clone(), i.bpvo_id.clone(), i.scheduled_on, i.closes_on, i.status.as_str());
    let mut got: Vec<_> = stored.iter().map(key).collect();
    let mut want: Vec<_> = earlier
        .iter()
        .chain(all.iter().enumerate().filter(|(n, _)| ![3, 64, 65, 128, 149].contains(n)).map(|(_, i)| i))
        .map(key)
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

/// Bpvo number `n` of [`a_bulk_load_of_invitations_counts_as_the_trigger_does`]: its keys vary
/// over months, aanbieders, crebo's, leerwegen and locaties (none for every fifth).
fn counted_bpvo(n: usize) -> bpv_store::models::BpvoRow {
    let locatie = (!n.is_multiple_of(5)).then(|| format!("L{}", n % 4));
    bpv_store::testing::bpvo_row(&bpv_store::testing::Surveyed {
        aanbiedercode: ["10AA01", "10AA02"][n % 2],
        locatiecode: locatie.as_deref(),
        leerweg: ["BOL", "BBL"][n / 2 % 2],
        crebo: ["25604", "25180", "25655"][n % 3],
        geplande_einddatum: date("2025-01-15") + chrono::Days::new(11 * n as u64 % 400),
        groep: "student",
        answer: None,
    })
}

/// A bulk load of sent and answered invitations (the demo's earlier surveys; on SQLite the count
/// trigger is set aside for it and the counts are added per key) counts exactly what the trigger
/// counts row by row: across months, locaties (and none), leerwegen, crebo's, aanbieders and
/// both groups, through the praktijkopleider or not, planned rows not counted, and a row whose
/// bpvo already had an invitation of that group neither stored nor counted. A bulk load that is
/// rolled back leaves the counts as they were, and afterwards the trigger counts again.
fn a_bulk_load_of_invitations_counts_as_the_trigger_does(db: &TestDb) {
    use bpv_scheduling::InvitationStatus;
    use bpv_store::models::{BpvoRow, InvitationRow};
    use bpv_store::repo::invitations;
    use bpv_store::schema::bpvos as b;
    use bpvo::{Groep, Kanaal};

    let mut conn = db.conn();
    bpv_store::testing::instelling(&mut conn, "10AA", &["10AA01", "10AA02"], true, true);
    let now = now_utc();
    let rows: Vec<BpvoRow> = (0..701).map(counted_bpvo).collect();
    bpv_store::write_transaction(&mut conn, |conn| {
        rows.iter().try_for_each(|r| diesel::insert_into(b::table).values(r).execute(conn).map(drop))
    })
    .unwrap();
    let invitation = |bpvo_id: &str, groep: Groep, kanaal: Kanaal, status: InvitationStatus| {
        let sent = date("2025-01-01");
        InvitationRow {
            id: new_id(),
            bpvo_id: bpvo_id.to_owned(),
            groep,
            kanaal,
            status,
            scheduled_on: sent,
            closes_on: sent + chrono::Days::new(35),
            sent_on: (status != InvitationStatus::Gepland).then_some(sent),
            reminders_sent: 0,
            opted_out: false,
            answered_at: (status == InvitationStatus::Beantwoord).then_some(now),
            cancel_reason: None,
            created_at: now,
            updated_at: now,
        }
    };
    let (student, opleider) = (Groep::Student, Groep::Praktijkopleider);
    let there = invitation(&rows[0].id, student, Kanaal::Direct, InvitationStatus::Verstuurd);
    assert_eq!(invitations::insert_new(&mut conn, std::slice::from_ref(&there)).unwrap(), 1);
    let aantal = |c: &std::collections::BTreeMap<CountKey, (i64, i64)>| {
        (c.values().map(|v| v.0).sum::<i64>(), c.values().map(|v| v.1).sum::<i64>())
    };
    assert_eq!(aantal(&kept_counts_are_grouped_counts(&mut conn, "one")), (1, 0));

    // 700 bpvo's, both groups: 1,400 rows, a tenth of the students still planned, a quarter
    // through the praktijkopleider; bpvo 0's student row is there already.
    let bulk: Vec<InvitationRow> = rows[..700]
        .iter()
        .enumerate()
        .flat_map(|(n, r)| {
            let answered = if n % 3 == 0 { InvitationStatus::Beantwoord } else { InvitationStatus::Verstuurd };
            let student_status = if n % 10 == 9 { InvitationStatus::Gepland } else { answered };
            let kanaal = if n % 4 == 0 { Kanaal::ViaPraktijkopleider } else { Kanaal::Direct };
            [invitation(&r.id, opleider, Kanaal::Direct, answered), invitation(&r.id, student, kanaal, student_status)]
        })
        .collect();
    let counted: Vec<&InvitationRow> = bulk.iter().skip(2).filter(|r| r.status != InvitationStatus::Gepland).collect();
    assert!(counted.len() >= 1_000, "large enough to be a bulk load");

    let undone = bpv_store::write_transaction(&mut conn, |conn| {
        invitations::insert_new(conn, &bulk)?;
        Err::<(), _>(StoreError::Rule("undone".into()))
    });
    assert!(matches!(undone, Err(StoreError::Rule(_))), "{undone:?}");
    assert_eq!(aantal(&kept_counts_are_grouped_counts(&mut conn, "rolled back")), (1, 0));

    assert_eq!(invitations::insert_new(&mut conn, &bulk).unwrap(), bulk.len() - 1);
    let kept = kept_counts_are_grouped_counts(&mut conn, "bulk load");
    let via_bulk = counted.iter().filter(|r| r.kanaal == Kanaal::ViaPraktijkopleider).count();
    // bpvo 0: the praktijkopleider's row counts, the student's is the one that was there.
    assert_eq!(aantal(&kept), (1 + 1 + counted.len() as i64, via_bulk as i64));
    assert!(kept.len() > 100, "many keys: {}", kept.len());

    // The trigger is back: one more row, counted by it.
    let one = invitation(&rows[700].id, student, Kanaal::ViaPraktijkopleider, InvitationStatus::Verstuurd);
    assert_eq!(invitations::insert_new(&mut conn, &[one]).unwrap(), 1);
    let after = kept_counts_are_grouped_counts(&mut conn, "after the bulk load");
    assert_eq!(aantal(&after), (aantal(&kept).0 + 1, aantal(&kept).1 + 1));
}

/// SBB's registrations fill in the praktijkopleider and the actual end date of known bpvo's (the
/// school's own fields stay), keep the first registration time, take the last of a key named
/// twice, and add unknown bpvo's.
fn registrations_complete_known_bpvos_and_add_unknown(db: &TestDb) {
    school(db, "25AB", "123A456");
    let mut conn = db.conn();
    let records = [record("123A456", "R-1", Some("r1@x.nl")), record("123A456", "R-2", None)];
    bpvos::upsert_school_records(&mut conn, &records, now_utc()).unwrap();
    let reg = |correlatie: &str, email: Option<&str>, eind: Option<&str>| bpvos::Registratie {
        aanbiedercode: "123A456".into(),
        correlatie_id: correlatie.into(),
        leerbedrijf_id: "100200300".into(),
        crebo: "25604".into(),
        leerweg: "BOL".into(),
        startdatum: date("2025-09-01"),
        geplande_einddatum: date("2026-01-31"),
        werkelijke_einddatum: eind.map(date),
        praktijkopleider_naam: email.map(|_| "Jan Jansen".to_owned()),
        praktijkopleider_email: email.map(str::to_owned),
    };
    let t1 = date("2026-02-01").and_hms_opt(6, 0, 0).unwrap();
    let t2 = date("2026-02-02").and_hms_opt(6, 0, 0).unwrap();
    let first = [
        reg("R-1", Some("jan@bedrijf.nl"), Some("2026-01-20")),
        reg("R-2", Some("eerst@bedrijf.nl"), None),
        reg("R-2", Some("laatst@bedrijf.nl"), None),
        reg("R-9", Some("nieuw@bedrijf.nl"), None),
    ];
    assert_eq!(bpvos::merge_registraties(&mut conn, &first, t1).unwrap(), (1, 3));
    let r1 = bpvos::find(&mut conn, "123A456", "R-1").unwrap().unwrap();
    assert_eq!(r1.praktijkopleider_email.as_deref(), Some("jan@bedrijf.nl"));
    assert_eq!(r1.praktijkopleider_naam.as_deref(), Some("Jan Jansen"));
    assert_eq!(r1.werkelijke_einddatum, Some(date("2026-01-20")));
    assert_eq!((r1.registratie_received_at, r1.updated_at), (Some(t1), t1));
    assert_eq!(r1.student_email.as_deref(), Some("r1@x.nl"), "the school's fields stay");
    let r2 = bpvos::find(&mut conn, "123A456", "R-2").unwrap().unwrap();
    assert_eq!(r2.praktijkopleider_email.as_deref(), Some("laatst@bedrijf.nl"));
    let r9 = bpvos::find(&mut conn, "123A456", "R-9").unwrap().unwrap();
    assert_eq!((r9.school_received_at, r9.student_email), (None, None));
    // The next day's feed: R-1's trainer left, the end date is gone; the first arrival stays.
    assert_eq!(bpvos::merge_registraties(&mut conn, &[reg("R-1", None, None)], t2).unwrap(), (0, 1));
    let r1 = bpvos::find(&mut conn, "123A456", "R-1").unwrap().unwrap();
    assert_eq!((r1.praktijkopleider_email, r1.praktijkopleider_naam, r1.werkelijke_einddatum), (None, None, None));
    assert_eq!((r1.registratie_received_at, r1.updated_at), (Some(t1), t2));
    let r2 = bpvos::find(&mut conn, "123A456", "R-2").unwrap().unwrap();
    assert_eq!((r2.praktijkopleider_email.as_deref(), r2.updated_at), (Some("laatst@bedrijf.nl"), t1));
    // A feed over two aanbieders (each looked up under its own): R-1 under the second aanbieder
    // is a new bpvo, not the first aanbieder's R-1.
    school(db, "25AB", "123A457");
    let t3 = date("2026-02-03").and_hms_opt(6, 0, 0).unwrap();
    let ander = bpvos::Registratie { aanbiedercode: "123A457".into(), ..reg("R-1", Some("ander@bedrijf.nl"), None) };
    let both = [reg("R-2", Some("laatst@bedrijf.nl"), None), ander];
    assert_eq!(bpvos::merge_registraties(&mut conn, &both, t3).unwrap(), (1, 1));
    let r1 = bpvos::find(&mut conn, "123A456", "R-1").unwrap().unwrap();
    assert_eq!((r1.praktijkopleider_email, r1.updated_at), (None, t2));
    let r1_ander = bpvos::find(&mut conn, "123A457", "R-1").unwrap().unwrap();
    assert_eq!(r1_ander.praktijkopleider_email.as_deref(), Some("ander@bedrijf.nl"));
    assert_eq!(bpvos::find(&mut conn, "123A456", "R-2").unwrap().unwrap().updated_at, t3);
}

/// A connection that wrote in bulk goes back with SQLite's default page cache (it may return to a
/// pool), also when the work failed, and the work's own error comes back unchanged; its temporary
/// data stays in memory throughout.
fn bulk_cache_is_put_back(db: &TestDb) {
    use bpv_store::DbConnection;
    #[derive(QueryableByName)]
    struct Cache {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        cache_size: i64,
    }
    #[derive(QueryableByName)]
    struct TempStore {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        temp_store: i64,
    }
    let cache = |conn: &mut DbConnection| match conn {
        DbConnection::Sqlite(c) => {
            // Every connection keeps its temporary data in memory (2), before and after bulk work.
            let temp = diesel::sql_query("PRAGMA temp_store").get_result::<TempStore>(c).unwrap();
            assert_eq!(temp.temp_store, 2, "temp_store = MEMORY");
            Some(diesel::sql_query("PRAGMA cache_size").get_result::<Cache>(c).unwrap().cache_size)
        }
        DbConnection::Postgresql(_) => None,
    };
    let mut conn = db.connect();
    let sqlite = cache(&mut conn).is_some();
    let inside = bpv_store::with_bulk_cache(&mut conn, |conn| Ok::<_, StoreError>(cache(conn))).unwrap();
    assert_eq!(inside, sqlite.then_some(-65_536));
    assert_eq!(cache(&mut conn), sqlite.then_some(-2_000));
    let failed = bpv_store::with_bulk_cache(&mut conn, |_| Err::<(), _>(StoreError::Rule("kapot".into())));
    assert!(matches!(&failed, Err(StoreError::Rule(m)) if m == "kapot"), "{failed:?}");
    assert_eq!(cache(&mut conn), sqlite.then_some(-2_000));
}

/// PostgreSQL's statistics of `bpvos` catch up with an upload that adds more rows than they know
/// (a fresh database, or one whose first uploads were small), and are left alone once they know
/// more rows than an upload adds. Without the refresh, a connection kept the lookup's plan from
/// the nearly empty table and scanned the whole table for every lookup.
fn statistics_catch_up_with_an_upload_larger_than_they_know(db: &TestDb) {
    use bpv_store::DbConnection;
    #[derive(QueryableByName)]
    struct Known {
        #[diesel(sql_type = diesel::sql_types::Float)]
        reltuples: f32,
    }
    school(db, "25AB", "123A456");
    let mut conn = db.connect();
    let known = |conn: &mut DbConnection| match conn {
        DbConnection::Postgresql(c) => Some(
            diesel::sql_query("SELECT reltuples FROM pg_class WHERE oid = 'bpvos'::regclass")
                .get_result::<Known>(c)
                .unwrap()
                .reltuples,
        ),
        DbConnection::Sqlite(_) => None,
    };
    if let DbConnection::Postgresql(c) = &mut conn {
        // Only the refresh may analyse the table during this test.
        diesel::sql_query("ALTER TABLE bpvos SET (autovacuum_enabled = false)").execute(c).unwrap();
    }
    let upload = |conn: &mut DbConnection, from: usize, n: usize| {
        let records: Vec<Bpvo> = (from..from + n).map(|i| record("123A456", &format!("S-{i}"), None)).collect();
        let stored = bpvos::upsert_school_records(conn, &records, now_utc()).unwrap();
        assert!(stored.iter().all(|(_, o)| *o == UpsertOutcome::Created));
        bpvos::refresh_statistics_if_behind(conn, n).unwrap();
    };
    for i in 0..20 {
        upload(&mut conn, i * 10, 10);
    }
    let before = known(&mut conn);
    upload(&mut conn, 200, 1_500);
    let sqlite = before.is_none();
    assert!(sqlite || before < Some(1_500.0), "{before:?}");
    assert_eq!(known(&mut conn), (!sqlite).then_some(1_700.0));
    upload(&mut conn, 1_700, 1_500);
    assert_eq!(known(&mut conn), (!sqlite).then_some(1_700.0), "known rows (1,700) are more than an upload adds");
    assert_eq!(bpvos::count(&mut conn).unwrap(), 3_200);
    // SBB's feed, in one transaction: the statistics are brought up to date as it grows the
    // table past twice what they know (after its first 2,000 new bpvo's here), and they count the
    // rows the feed's own transaction wrote.
    let date = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    let feed: Vec<bpvos::Registratie> = (0..3_000)
        .map(|i| bpvos::Registratie {
            aanbiedercode: "123A456".into(),
            correlatie_id: format!("F-{i}"),
            leerbedrijf_id: "100200300".into(),
            crebo: "25604".into(),
            leerweg: "BOL".into(),
            startdatum: date("2025-09-01"),
            geplande_einddatum: date("2026-01-31"),
            werkelijke_einddatum: None,
            praktijkopleider_naam: None,
            praktijkopleider_email: None,
        })
        .collect();
    assert_eq!(bpvos::merge_registraties(&mut conn, &feed, now_utc()).unwrap(), (3_000, 0));
    assert_eq!(known(&mut conn), (!sqlite).then_some(5_200.0));
}

backend_tests!(
    statistics_catch_up_with_an_upload_larger_than_they_know,
    bulk_invitation_insert_writes_each_new_row_once,
    a_bulk_load_of_invitations_counts_as_the_trigger_does,
    bulk_cache_is_put_back,
    registrations_complete_known_bpvos_and_add_unknown,
    scheduling_reads_closed_surveys_no_more,
    invitation_counts_follow_every_change,
    a_rescheduled_invitation_moves_its_waiting_mail,
    renewed_leases_leave_taken_over_mail_alone,
    recording_sent_mail_marks_only_our_mail_and_its_invitations,
    verbeterpunten_go_with_the_personal_data,
    praktijkloket_personal_data_is_purged_after_a_year,
    ended_sessions_stay_ended_until_their_token_expired,
    concurrent_writers_all_succeed,
    a_new_bpvo_stored_meanwhile_is_reported_with_its_stored_id,
    migrations_are_idempotent,
    foreign_keys_are_enforced,
    participation_changes_are_stored,
    third_active_gemachtigde_is_refused,
    same_email_cannot_be_active_twice,
    upsert_reports_created_unchanged_updated,
    large_upsert_crosses_chunks,
    duplicate_keys_in_one_call_write_nothing,
    failed_upsert_rolls_back_whole,
    same_correlatie_id_under_two_aanbieders_are_two_bpvos,
    withdraw_removes_personal_data,
    audit_log_is_append_only,
    erkenningen_are_not_duplicated,
    locaties_upsert_renames,
);

/// Both backends must carry the same migration versions, so a deployment can move between them.
#[test]
fn both_backends_have_the_same_migration_versions() {
    let versions = |dir: &str| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations").join(dir);
        let mut v: Vec<String> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        for name in &v {
            for f in ["up.sql", "down.sql"] {
                assert!(root.join(name).join(f).exists(), "{dir}/{name}/{f} missing");
            }
        }
        v
    };
    let pg = versions("postgres");
    assert!(!pg.is_empty());
    assert_eq!(pg, versions("sqlite"));
}
