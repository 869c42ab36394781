//! Test support: a fresh, migrated database per test on either backend, removed afterwards, and
//! a macro that runs one test body on both backends.
//!
//! PostgreSQL tests use `BPV_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`)
//! to create a database `t_<uuid>` per test. They are marked `#[ignore]` with the reason, so a
//! plain `cargo test` lists them as *ignored, needs PostgreSQL* instead of passing them quietly;
//! `scripts/test.sh` runs them (`--run-ignored all`), and there a missing server is a failure.
//! Tests that need Postfix's `smtp-sink` are marked the same way.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use diesel::connection::SimpleConnection;

use crate::db::{DatabaseUrl, DbConnection, DbPool, PooledDb, build_pool};
use crate::migrate::run_migrations;

const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

/// A database for one test. Dropping it removes it.
pub struct TestDb {
    url: String,
    pool: Option<DbPool>,
    cleanup: Cleanup,
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDb").field("url", &self.url).finish()
    }
}

/// The server URL the PostgreSQL tests use.
pub fn postgres_admin_url() -> String {
    std::env::var("BPV_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_PG.to_owned())
}

fn with_database(admin_url: &str, name: &str) -> String {
    let base = admin_url.split('?').next().unwrap_or(admin_url);
    match base.rfind('/') {
        Some(i) if i > "postgres://".len() => format!("{}/{name}", &base[..i]),
        _ => format!("{base}/{name}"),
    }
}

impl TestDb {
    /// A fresh SQLite database file in a temporary directory.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.sqlite").display());
        let pool = build_pool(&DatabaseUrl::parse(&url).unwrap(), 4).expect("sqlite pool");
        run_migrations(&mut pool.get().unwrap()).expect("migrations");
        Self { url, pool: Some(pool), cleanup: Cleanup::Sqlite(dir) }
    }

    /// A fresh PostgreSQL database. A test that asks for one needs it: an unreachable server is
    /// a failure, never a quiet pass (plain `cargo test` does not run these tests at all).
    pub fn postgres() -> Self {
        Self::postgres_at(&postgres_admin_url())
    }

    /// A fresh database on the PostgreSQL server at `admin_url` (a test's own server).
    pub fn postgres_at(admin_url: &str) -> Self {
        let db = Self::postgres_empty_at(admin_url);
        run_migrations(&mut db.conn()).expect("migrations");
        db
    }

    /// A fresh PostgreSQL database without any table (for tests of the migrations themselves).
    pub fn postgres_empty() -> Self {
        Self::postgres_empty_at(&postgres_admin_url())
    }

    fn postgres_empty_at(admin_url: &str) -> Self {
        let admin_url = admin_url.to_owned();
        let admin = DatabaseUrl::parse(&admin_url).expect("BPV_TEST_POSTGRES_URL must be postgres://…");
        let mut conn = match admin.connect() {
            Ok(c) => c,
            Err(e) => panic!(
                "this test needs PostgreSQL, unreachable at {admin_url}: {e} (scripts/test.sh finds or starts one; \
                 or set BPV_TEST_POSTGRES_URL)"
            ),
        };
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        conn.batch_execute(&format!("CREATE DATABASE {name}")).expect("create test database");
        let url = with_database(&admin_url, &name);
        let pool = build_pool(&DatabaseUrl::parse(&url).unwrap(), 4).expect("postgres pool");
        Self { url, pool: Some(pool), cleanup: Cleanup::Postgres { admin_url, name } }
    }

    /// The database URL (for services and CLI runs under test).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The pool.
    pub fn pool(&self) -> &DbPool {
        self.pool.as_ref().expect("pool lives as long as the TestDb")
    }

    /// A pooled connection.
    pub fn conn(&self) -> PooledDb {
        self.pool().get().expect("connection")
    }

    /// Which backend this is.
    pub fn is_postgres(&self) -> bool {
        matches!(self.cleanup, Cleanup::Postgres { .. })
    }

    /// A new unpooled connection (for tests that need two independent sessions).
    pub fn connect(&self) -> DbConnection {
        DatabaseUrl::parse(&self.url).unwrap().connect().expect("connect")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        drop(self.pool.take());
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup
            && let Ok(mut conn) = DatabaseUrl::parse(admin_url).and_then(|u| u.connect())
        {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// Run each named test function (`fn name(db: &TestDb)`) on SQLite and on PostgreSQL:
/// generates `sqlite::name` and `postgres::name` (the latter ignored unless asked for, see the
/// module doc).
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(&$crate::testing::TestDb::sqlite()) } )*
        }
        mod postgres {
            $( #[test]
               #[ignore = "needs PostgreSQL: scripts/test.sh runs it (or cargo test -- --ignored with BPV_TEST_POSTGRES_URL)"]
               fn $name() { super::$name(&$crate::testing::TestDb::postgres()) } )*
        }
    };
}

/// Like [`backend_tests!`] for async tests (`async fn name(db: TestDb)`), run on a multi-threaded
/// tokio runtime; the calling crate needs `tokio` with the `macros` and `rt-multi-thread` features.
/// `async_backend_tests!(smtp: a, b)` marks tests that also need Postfix's `smtp-sink`: ignored
/// on both backends unless asked for.
#[macro_export]
macro_rules! async_backend_tests {
    (smtp: $($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               #[ignore = "needs smtp-sink (apt-get install postfix): scripts/test.sh runs it"]
               async fn $name() { super::$name($crate::testing::TestDb::sqlite()).await } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               #[ignore = "needs PostgreSQL and smtp-sink: scripts/test.sh runs it"]
               async fn $name() { super::$name($crate::testing::TestDb::postgres()).await } )*
        }
    };
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::$name($crate::testing::TestDb::sqlite()).await } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               #[ignore = "needs PostgreSQL: scripts/test.sh runs it (or cargo test -- --ignored with BPV_TEST_POSTGRES_URL)"]
               async fn $name() { super::$name($crate::testing::TestDb::postgres()).await } )*
        }
    };
}

/// An instelling with aanbieders, taking part or not (test fixture shared by the suites).
/// `verwerkersovereenkomst` and `directe_studentbevraging` set the participation dates/flags.
pub fn instelling(
    conn: &mut DbConnection,
    brin: &str,
    aanbieders: &[&str],
    verwerkersovereenkomst: bool,
    directe_studentbevraging: bool,
) {
    use crate::models::{AanbiederRow, InstellingRow};
    use crate::repo::{aanbieders as repo_aanbieders, instellingen};
    let now = crate::now_utc();
    let sinds = chrono::NaiveDate::from_ymd_opt(2023, 1, 1);
    instellingen::insert(
        conn,
        &InstellingRow {
            brin: brin.into(),
            naam: format!("ROC {brin}"),
            oin: None,
            directe_studentbevraging,
            intake_op: sinds.filter(|_| directe_studentbevraging),
            resultaten_api: true,
            verwerkersovereenkomst_getekend_op: sinds.filter(|_| verwerkersovereenkomst),
            created_at: now,
            updated_at: now,
            vertrouwenspersoon_tekst: None,
            vertrouwenspersoon_url: None,
            verbeterpunten_delen: false,
        },
    )
    .expect("instelling");
    for code in aanbieders {
        repo_aanbieders::insert(
            conn,
            &AanbiederRow {
                aanbiedercode: (*code).into(),
                brin: brin.into(),
                naam: format!("Aanbieder {code}"),
                created_at: now,
            },
        )
        .expect("aanbieder");
    }
}

/// One surveyed bpvo for results tests: where it was, who was asked, and — when answered — the
/// answers (`antwoorden` as `bpv_aggregation::Answers` JSON).
#[derive(Debug, Clone)]
pub struct Surveyed<'a> {
    pub aanbiedercode: &'a str,
    pub locatiecode: Option<&'a str>,
    pub leerweg: &'a str,
    pub crebo: &'a str,
    pub geplande_einddatum: chrono::NaiveDate,
    pub groep: &'a str,
    /// `(version, cijfer, antwoorden JSON)` when answered; `None` when invited only.
    pub answer: Option<(&'a str, i32, &'a str)>,
}

/// The bpvo [`surveyed`] stores for `s`, not stored yet: its keys from `s` (`groep` and `answer`
/// play no part), the rest fixed, a new id.
pub fn bpvo_row(s: &Surveyed<'_>) -> crate::models::BpvoRow {
    let now = crate::now_utc();
    crate::models::BpvoRow {
        id: crate::ids::new_id(),
        aanbiedercode: s.aanbiedercode.into(),
        correlatie_id: crate::ids::new_id(),
        leerbedrijf_id: "100200300".into(),
        crebo: s.crebo.into(),
        leerweg: s.leerweg.into(),
        startdatum: s.geplande_einddatum - chrono::Days::new(180),
        geplande_einddatum: s.geplande_einddatum,
        werkelijke_einddatum: None,
        status: bpvo::BpvoStatus::Actief,
        student_email: Some("student@example.org".into()),
        studentcode: None,
        student_naam: Some("Student".into()),
        schoolnaam: None,
        locatiecode: s.locatiecode.map(str::to_owned),
        praktijkopleider_naam: Some("Opleider".into()),
        praktijkopleider_email: Some("opleider@example.org".into()),
        school_received_at: Some(now),
        registratie_received_at: None,
        received_at: now,
        updated_at: now,
        keuzedeel_code: None,
    }
}

/// Store a bpvo, its sent invitation and (when answered) the answer, as the survey would have;
/// returns the invitation id. Sector is taken from `kwalificaties` when the crebo is known.
pub fn surveyed(conn: &mut DbConnection, s: &Surveyed<'_>, submitted_at: chrono::NaiveDateTime) -> String {
    use diesel::prelude::*;

    use crate::models::{InvitationRow, ResponseRow};
    use crate::schema::{bpvos, invitations as inv_table, kwalificaties, responses};
    let now = crate::now_utc();
    let row = bpvo_row(s);
    let bpvo_id = row.id.clone();
    diesel::insert_into(bpvos::table).values(&row).execute(conn).expect("bpvo");
    let sent = s.geplande_einddatum - chrono::Days::new(21);
    let invitation_id = crate::ids::new_id();
    let inv = InvitationRow {
        id: invitation_id.clone(),
        bpvo_id,
        groep: bpvo::Groep::parse(s.groep).expect("groep: student or praktijkopleider"),
        kanaal: bpvo::Kanaal::Direct,
        status: if s.answer.is_some() {
            bpv_scheduling::InvitationStatus::Beantwoord
        } else {
            bpv_scheduling::InvitationStatus::Verstuurd
        },
        scheduled_on: sent,
        closes_on: sent + chrono::Days::new(35),
        sent_on: Some(sent),
        reminders_sent: 0,
        opted_out: false,
        answered_at: s.answer.map(|_| submitted_at),
        cancel_reason: None,
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(inv_table::table).values(&inv).execute(conn).expect("invitation");
    if let Some((version, cijfer, antwoorden)) = s.answer {
        let sector: Option<String> =
            kwalificaties::table.find(s.crebo).select(kwalificaties::sector).first(conn).optional().expect("sector");
        let response = ResponseRow {
            id: crate::ids::new_id(),
            invitation_id: invitation_id.clone(),
            submitted_at,
            bron: crate::AntwoordBron::Web,
            questionnaire_version: version.into(),
            groep: bpvo::Groep::parse(s.groep).expect("groep: student or praktijkopleider"),
            maand: s.geplande_einddatum.format("%Y-%m").to_string(),
            aanbiedercode: s.aanbiedercode.into(),
            locatiecode: s.locatiecode.map(str::to_owned),
            leerweg: s.leerweg.into(),
            crebo: s.crebo.into(),
            sector,
            cijfer,
            antwoorden: antwoorden.into(),
            // As the survey stores it: the open answer also in a column of its own.
            verbeterpunten: bpv_aggregation::Answers::from_json(antwoorden).ok().and_then(|a| a.verbeterpunten),
            kanaal: inv.kanaal,
        };
        diesel::insert_into(responses::table).values(&response).execute(conn).expect("response");
    }
    invitation_id
}

/// Move the bpvo of an invitation to another leerbedrijf (tests of the per-leerbedrijf signal).
pub fn set_leerbedrijf(conn: &mut DbConnection, invitation_id: &str, leerbedrijf: &str) {
    use diesel::prelude::*;

    use crate::schema::{bpvos, invitations};
    let bpvo_id: String =
        invitations::table.find(invitation_id).select(invitations::bpvo_id).first(conn).expect("invitation");
    diesel::update(bpvos::table.find(bpvo_id)).set(bpvos::leerbedrijf_id.eq(leerbedrijf)).execute(conn).expect("bpvo");
}
