//! `database.read_url`: the results come from a read replica, the writes (the national figures
//! for the survey's thank-you page) go to the primary. Two separate databases stand in for the
//! primary and its replica, each with different answers, so the test sees where each side went.

use bpv_store::async_backend_tests;
use bpv_store::testing::TestDb;
use diesel::prelude::*;

use crate::helpers::{cell, spawn_app_with};

fn national_rows(db: &TestDb) -> i64 {
    bpv_store::schema::landelijke_cijfers::table.count().get_result(&mut db.conn()).unwrap()
}

async fn the_index_reads_the_replica_and_writes_go_to_the_primary(primary: TestDb) {
    let replica = if primary.is_postgres() { TestDb::postgres() } else { TestDb::sqlite() };
    {
        let mut conn = replica.conn();
        bpv_store::testing::instelling(&mut conn, "25AB", &["123A456"], true, true);
        cell(&mut conn, "123A456", None, "BOL", "25180", "student", 15, 0, 8, 4);
    }
    let app = spawn_app_with(primary, &[("database.read_url", replica.url().to_owned())]).await;
    let stats = app.data.stats();
    assert_eq!(
        stats.answers_in_atoms + stats.answers_dropped,
        15,
        "the index holds the replica's 15 answers, not the primary's 55"
    );
    assert!(national_rows(&app.db) > 0, "the national figures are written to the primary");
    assert_eq!(national_rows(&replica), 0, "nothing is written to the replica");
    // The API answers from what the replica held.
    let r = app.json("/v1/resultaten?groep=studenten", &app.school("25AB")).await;
    assert_eq!(r["respons"]["instelling"]["tekst"], "100% (15 van 15)", "{}", r["respons"]);
}

async_backend_tests!(the_index_reads_the_replica_and_writes_go_to_the_primary);
