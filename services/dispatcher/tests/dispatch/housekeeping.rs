//! Retention and the quarterly data-quality photo, driven by the clock (`--as-of`): personal data
//! stays until `retention.days` after the survey closed and is gone after it, withdrawn bpvo's lose
//! it at once, the reports' inputs do not change; a photo, once taken, stays as it was.

use bpv_store::models::BpvoRow;
use bpv_store::repo::{audit, bpvos, datakwaliteit, reporting, retentie};
use bpv_store::testing::{Surveyed, TestDb};
use bpv_store::{async_backend_tests, now_utc};
use chrono::{Days, NaiveDate};
use diesel::prelude::*;

use crate::helpers::{Sink, as_of, run, seed};

fn all_bpvos(db: &TestDb) -> Vec<BpvoRow> {
    let mut rows = bpvos::list_all(&mut db.conn()).unwrap();
    rows.sort_by(|a, b| a.correlatie_id.cmp(&b.correlatie_id));
    rows
}

fn has_personal_data(b: &BpvoRow) -> bool {
    b.student_naam.is_some()
        || b.student_email.is_some()
        || b.studentcode.is_some()
        || b.praktijkopleider_naam.is_some()
        || b.praktijkopleider_email.is_some()
}

/// Addresses left in the mail log for a bpvo.
fn recipients(db: &TestDb, bpvo_id: &str) -> Vec<String> {
    use bpv_store::schema::{deliveries, invitations};
    deliveries::table
        .inner_join(invitations::table)
        .filter(invitations::bpvo_id.eq(bpvo_id))
        .filter(deliveries::recipient.is_not_null())
        .select(deliveries::recipient.assume_not_null())
        .load(&mut db.conn())
        .unwrap()
}

/// What the reports are computed from: every answer with its keys, and the invitation counts.
fn report_inputs(db: &TestDb) -> (Vec<reporting::KeyedResponse>, Vec<reporting::InvitationKeyCount>) {
    let mut conn = db.conn();
    let answers = reporting::answers_after(&mut conn, None, 10_000).unwrap();
    let mut counts = reporting::invitation_counts(&mut conn).unwrap();
    counts.sort_by_key(|c| format!("{c:?}"));
    (answers, counts)
}

fn purge(db: &TestDb, today: NaiveDate, dry_run: bool) -> retentie::PurgeReport {
    retentie::purge(&mut db.conn(), today, 90, now_utc(), dry_run).unwrap()
}

async fn personal_data_is_gone_after_the_retention_window_and_reports_stay(db: TestDb) {
    // Four bpvo's surveyed for real (student and praktijkopleider mails through an SMTP server):
    // planned end as_of + 21, survey closes 42 days after it: as_of + 63.
    seed(&db, 4, 2);
    let sink = Sink::start(&[]);
    let s = run(&db, sink.port).await;
    assert_eq!(s.failed, 0, "{s:?}");
    // A fifth, answered, whose invitation closed earlier: as_of + 35.
    let answered = {
        let mut conn = db.conn();
        bpv_store::testing::surveyed(
            &mut conn,
            &Surveyed {
                aanbiedercode: "123A456",
                locatiecode: None,
                leerweg: "BOL",
                crebo: "25604",
                geplande_einddatum: as_of() + Days::new(21),
                groep: "student",
                answer: Some(("2024-07", 8, r#"{"cijfer":8,"items":{}}"#)),
            },
            now_utc(),
        );
        all_bpvos(&db).into_iter().find(|b| !b.correlatie_id.starts_with("D-")).unwrap()
    };
    let before = report_inputs(&db);
    assert_eq!(before.0.len(), 1);
    let rows = all_bpvos(&db);
    assert!(rows.iter().all(has_personal_data));
    let d0 = rows.iter().find(|b| b.correlatie_id == "D-0").unwrap();
    assert!(!recipients(&db, &d0.id).is_empty());

    // Withdrawn: gone at once, addresses in the mail log too, and recorded.
    assert!(bpvos::withdraw(&mut db.conn(), &d0.id, now_utc()).unwrap());
    let withdrawn = bpvos::by_ids(&mut db.conn(), std::slice::from_ref(&d0.id)).unwrap().remove(0);
    assert!(!has_personal_data(&withdrawn));
    assert!(recipients(&db, &withdrawn.id).is_empty());
    let rec = retentie::verwijderingen(&mut db.conn(), &withdrawn.id).unwrap();
    assert_eq!(rec.len(), 1);
    assert_eq!(rec[0].reden, "ingetrokken");
    assert_eq!(rec[0].velden, "student_naam,student_email,studentcode,praktijkopleider_naam,praktijkopleider_email");

    // SBB's registration feed brings the praktijkopleider back for the withdrawn bpvo: the next
    // purge removes it whatever the date.
    {
        use bpv_store::schema::bpvos::dsl;
        diesel::update(dsl::bpvos.find(&withdrawn.id))
            .set(dsl::praktijkopleider_email.eq("terug@leerbedrijf.nl"))
            .execute(&mut db.conn())
            .unwrap();
    }
    let r = purge(&db, as_of(), false);
    assert_eq!((r.ingetrokken, r.na_termijn), (1, 0), "{r:?}");
    assert!(!has_personal_data(&bpvos::by_ids(&mut db.conn(), std::slice::from_ref(&withdrawn.id)).unwrap()[0]));

    // The day the answered bpvo's window ends (closed as_of + 35, kept 90 days): still there.
    let last_day = as_of() + Days::new(35 + 90);
    assert_eq!(purge(&db, last_day, false).bpvos(), 0);
    assert!(has_personal_data(&bpvos::find(&mut db.conn(), "123A456", &answered.correlatie_id).unwrap().unwrap()));
    // The next day it goes; the others (closed as_of + 63) stay.
    let r = purge(&db, last_day + Days::new(1), false);
    assert_eq!((r.na_termijn, r.ingetrokken), (1, 0), "{r:?}");
    assert!(!has_personal_data(&bpvos::find(&mut db.conn(), "123A456", &answered.correlatie_id).unwrap().unwrap()));
    let still: Vec<BpvoRow> = all_bpvos(&db).into_iter().filter(has_personal_data).collect();
    assert_eq!(still.len(), 3);

    // A dry run counts and changes nothing.
    let end = as_of() + Days::new(63 + 90 + 1);
    let dry = purge(&db, end, true);
    assert_eq!(dry.na_termijn, 3);
    assert!(dry.afleveringen > 0);
    assert_eq!(all_bpvos(&db).into_iter().filter(has_personal_data).count(), 3);

    let r = purge(&db, end, false);
    assert_eq!((r.na_termijn, r.ingetrokken, r.afleveringen), (3, 0, dry.afleveringen), "{r:?}");
    assert_eq!(r.per_instelling.get("25AB"), Some(&3));
    for b in all_bpvos(&db) {
        assert!(!has_personal_data(&b), "{b:?}");
        assert!(recipients(&db, &b.id).is_empty());
        // the analysis keys stay
        assert_eq!((b.aanbiedercode.as_str(), b.crebo.as_str(), b.leerweg.as_str()), ("123A456", "25604", "BOL"));
        assert_eq!(b.locatiecode.as_deref(), if b.correlatie_id.starts_with("D-") { Some("123X001") } else { None });
    }
    assert_eq!(report_inputs(&db), before, "the reports' inputs changed");

    // Recorded: per bpvo and in the audit log; a second run finds nothing.
    let audit = audit::list(&mut db.conn(), Some("25AB"), None, 100).unwrap();
    let purges: Vec<_> = audit.iter().filter(|e| e.action == "persoonsgegevens.verwijderd").collect();
    assert_eq!(purges.iter().map(|e| e.row_count.unwrap()).sum::<i64>(), 5);
    assert!(purges.iter().all(|e| e.actor_kind == "systeem" && !e.detail.contains('@')));
    assert_eq!(purge(&db, end + Days::new(400), false), retentie::PurgeReport::default());
}

/// `bpv-dispatcher ARGS…` against the test database; the exit code.
fn cli(db: &TestDb, args: &[&str]) -> std::process::ExitCode {
    let mut all = vec!["bpv-dispatcher", "--database-url", db.url(), "--config-dir", "/nonexistent"];
    all.extend(args);
    bpv_dispatcher::cli::main(all)
}

fn photo(db: &TestDb, kwartaal: &str) -> Option<datakwaliteit::Foto> {
    datakwaliteit::fotos(&mut db.conn(), Some("25AB")).unwrap().into_iter().find(|f| f.kwartaal == kwartaal)
}

fn live_total(db: &TestDb, peildatum: NaiveDate) -> serde_json::Value {
    let (van, tot) = bpv_aggregation::datakwaliteit::periode(peildatum);
    let m = datakwaliteit::meetset(&mut db.conn(), van, tot, Some("25AB")).unwrap();
    let deelnemers = datakwaliteit::deelnemers(&mut db.conn()).unwrap();
    let list = bpv_aggregation::datakwaliteit::per_instelling(&m.rijen, &m.alleen_bij_duo, &deelnemers);
    serde_json::to_value(&list[0].totaal).unwrap()
}

fn a_snapshot_stays_as_it_was_after_the_data_changes(db: &TestDb) {
    // Four bpvo's that started 2025-09-01, registered today (late), at a leerbedrijf without erkenning.
    seed(db, 4, 2);
    let k2 = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
    assert_eq!(cli(db, &["snapshot", "--as-of", "2026-07-01"]), std::process::ExitCode::SUCCESS);
    let first = photo(db, "2026-K2").expect("photo of 2026-K2");
    assert_eq!(first.peildatum, k2);
    let v: serde_json::Value = serde_json::from_str(&first.indicatoren).unwrap();
    assert_eq!(v["instelling"]["totaal"], live_total(db, k2));
    assert_eq!(v["instelling"]["totaal"]["aantal"], 4);
    assert_eq!(v["instelling"]["totaal"]["erkend"]["teller"], 0);
    // The six scores and SBB's national service are in the photo too.
    assert_eq!(v["vragen"].as_array().unwrap().len(), 6);
    assert_eq!(v["vragen"][0]["score"], v["instelling"]["totaal"]["erkend"]);
    assert_eq!(v["sbb"]["referentiedata"]["totaal"]["aandeel"]["teller"], 0, "no register delivered yet");
    assert!(v["instelling"]["perDomein"].is_array());

    // The data changes: an erkenning arrives, and one bpvo's start date is corrected.
    bpv_store::repo::referentie::insert_erkenningen(
        &mut db.conn(),
        &[bpv_store::models::ErkenningRow {
            id: "e1".into(),
            leerbedrijf_id: "100200300".into(),
            crebo: "25604".into(),
            geldig_van: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            geldig_tot: None,
            aangevraagd_op: Some(NaiveDate::from_ymd_opt(2019, 11, 1).unwrap()),
            besloten_op: Some(NaiveDate::from_ymd_opt(2019, 12, 1).unwrap()),
        }],
    )
    .unwrap();
    {
        use bpv_store::schema::bpvos::dsl;
        diesel::update(dsl::bpvos.filter(dsl::correlatie_id.eq("D-0")))
            .set(dsl::startdatum.eq(NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()))
            .execute(&mut db.conn())
            .unwrap();
    }
    // … DUO's registrations and a delivery of SBB's register arrive too.
    bpv_store::repo::referentie::upsert_duo_meldingen(
        &mut db.conn(),
        &[bpv_store::models::DuoMeldingRow {
            aanbiedercode: "123A456".into(),
            correlatie_id: "D-1".into(),
            startdatum: NaiveDate::from_ymd_opt(2025, 9, 1).unwrap(),
            gemeld_op: NaiveDate::from_ymd_opt(2025, 8, 1).unwrap(),
            geimporteerd_op: bpv_store::now_utc(),
        }],
    )
    .unwrap();
    bpv_store::repo::referentie::record_levering(&mut db.conn(), "erkenningen", bpv_store::now_utc()).unwrap();
    let live = live_total(db, k2);
    assert_eq!(live["erkend"]["teller"], 4, "the live figures did change");
    assert_eq!(live["tijdigBijDuo"]["teller"], 1, "the live figures did change");

    // Later runs in the same quarter (a retry, a late cron) leave the photo byte for byte.
    for dag in ["2026-07-01", "2026-08-15", "2026-09-30"] {
        assert_eq!(cli(db, &["snapshot", "--as-of", dag]), std::process::ExitCode::SUCCESS);
        assert_eq!(photo(db, "2026-K2").unwrap(), first, "{dag}");
    }
    // The next quarter's photo shows the new data: its year (2025-10-01 … 2026-09-30) holds only
    // the corrected bpvo, now at an erkend leerbedrijf.
    assert_eq!(cli(db, &["snapshot", "--as-of", "2026-10-01"]), std::process::ExitCode::SUCCESS);
    let k3: serde_json::Value = serde_json::from_str(&photo(db, "2026-K3").unwrap().indicatoren).unwrap();
    assert_eq!(k3["instelling"]["totaal"]["aantal"], 1);
    assert_eq!(k3["instelling"]["totaal"]["erkend"]["teller"], 1);
    assert_eq!(datakwaliteit::fotos(&mut db.conn(), None).unwrap().len(), 2);
}

/// `--quiet` (cron mails any output): nothing on stdout when a command succeeds; without it the
/// usual line.
fn quiet_prints_nothing_when_it_succeeds(db: &TestDb) {
    seed(db, 2, 1);
    let out = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_bpv-dispatcher"))
            .env("BPV_CONFIG_DIR", "/nonexistent")
            .args(["--database-url", db.url()])
            .args(args)
            .output()
            .unwrap()
    };
    let loud = out(&["snapshot", "--as-of", "2026-07-01"]);
    assert!(loud.status.success(), "{}", String::from_utf8_lossy(&loud.stderr));
    assert!(String::from_utf8_lossy(&loud.stdout).contains("foto datakwaliteit"));
    for args in [&["--quiet", "snapshot", "--as-of", "2026-07-02"][..], &["purge", "--dry-run", "-q", "--json"][..]] {
        let quiet = out(args);
        assert!(quiet.status.success(), "{args:?}: {}", String::from_utf8_lossy(&quiet.stderr));
        assert!(quiet.stdout.is_empty(), "{args:?} printed {}", String::from_utf8_lossy(&quiet.stdout));
    }
}

/// Upload previews hold whole student files: at most three per gemachtigde, and gone two hours
/// after they were made, whenever the daily purge runs.
fn upload_previews_are_capped_and_purged(db: &TestDb) {
    use bpv_store::models::UploadPreviewRow;
    use bpv_store::repo::{gemachtigden, upload_previews};
    let mut conn = db.conn();
    let now = now_utc();
    bpv_store::testing::instelling(&mut conn, "25AB", &["123A456"], true, true);
    let g = gemachtigden::add(
        &mut conn,
        &gemachtigden::NewGemachtigde { brin: "25AB", email: "g@25ab.example", naam: "Gea", password_hash: "x" },
        now,
    )
    .unwrap();
    let preview = |id: &str, minutes_ago: i64| UploadPreviewRow {
        id: id.into(),
        brin: "25AB".into(),
        gemachtigde_id: g.id.clone(),
        bestandsnaam: "studenten.csv".into(),
        inhoud: b"Correlatie_id;Student_naam\r\nC-1;Zoe\r\n".to_vec(),
        created_at: now - chrono::TimeDelta::minutes(minutes_ago),
    };
    for (i, ago) in [(1, 200), (2, 150), (3, 10), (4, 5), (5, 1)] {
        upload_previews::insert(&mut conn, &preview(&format!("v{i}"), ago)).unwrap();
    }
    let ids = |conn: &mut bpv_store::DbConnection| -> Vec<String> {
        use bpv_store::schema::upload_previews::dsl;
        dsl::upload_previews.select(dsl::id).order(dsl::id).load(conn).unwrap()
    };
    assert_eq!(ids(&mut conn), ["v3", "v4", "v5"], "the newest three are kept");
    // Older than two hours: purged by the daily run (a dry run only counts).
    upload_previews::insert(&mut conn, &preview("v6", 130)).unwrap();
    assert_eq!(ids(&mut conn), ["v3", "v4", "v5"], "an old one does not push out newer ones");
    upload_previews::insert(&mut conn, &preview("v7", 0)).unwrap();
    assert_eq!(ids(&mut conn), ["v4", "v5", "v7"], "a new one pushes out the oldest");
    drop(conn);
    {
        use bpv_store::schema::upload_previews::dsl;
        diesel::update(dsl::upload_previews.filter(dsl::id.eq("v4")))
            .set(dsl::created_at.eq(now - chrono::TimeDelta::minutes(121)))
            .execute(&mut db.conn())
            .unwrap();
    }
    assert_eq!(purge(db, as_of(), true).uploadvoorbeelden, 1);
    assert_eq!(ids(&mut db.conn()), ["v4", "v5", "v7"]);
    assert_eq!(purge(db, as_of(), false).uploadvoorbeelden, 1);
    assert_eq!(ids(&mut db.conn()), ["v5", "v7"]);
}

async_backend_tests!(smtp: personal_data_is_gone_after_the_retention_window_and_reports_stay);
mod voorbeelden {
    use super::upload_previews_are_capped_and_purged;
    bpv_store::backend_tests!(upload_previews_are_capped_and_purged);
}
mod fotos {
    use super::a_snapshot_stays_as_it_was_after_the_data_changes;
    bpv_store::backend_tests!(a_snapshot_stays_as_it_was_after_the_data_changes);
}
mod stil {
    use super::quiet_prints_nothing_when_it_succeeds;
    bpv_store::backend_tests!(quiet_prints_nothing_when_it_succeeds);
}
