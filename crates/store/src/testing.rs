//! Test support: a fresh, migrated database per test on either backend, removed afterwards, and
//! a macro that runs one test body on both backends.
//!
//! PostgreSQL tests use `BPV_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`)
//! to create a database `t_<uuid>` per test. When the server is unreachable they are skipped with
//! a message, unless `BPV_REQUIRE_POSTGRES=1` (set by `scripts/test.sh` and CI), where they fail.
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

/// Whether PostgreSQL tests must run (and fail when the server is missing).
pub fn postgres_required() -> bool {
    std::env::var("BPV_REQUIRE_POSTGRES").is_ok_and(|v| v == "1" || v == "true")
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

    /// A fresh PostgreSQL database, or `None` (with a message) when the server is unreachable and
    /// PostgreSQL is not required.
    pub fn postgres() -> Option<Self> {
        let admin_url = postgres_admin_url();
        let admin = DatabaseUrl::parse(&admin_url).expect("BPV_TEST_POSTGRES_URL must be postgres://…");
        let mut conn = match admin.connect() {
            Ok(c) => c,
            Err(e) if !postgres_required() => {
                eprintln!("skipping PostgreSQL test: {e} (set BPV_REQUIRE_POSTGRES=1 to fail instead)");
                return None;
            }
            Err(e) => panic!("PostgreSQL required (BPV_REQUIRE_POSTGRES=1) but unreachable at {admin_url}: {e}"),
        };
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        conn.batch_execute(&format!("CREATE DATABASE {name}")).expect("create test database");
        let url = with_database(&admin_url, &name);
        let pool = build_pool(&DatabaseUrl::parse(&url).unwrap(), 4).expect("postgres pool");
        run_migrations(&mut pool.get().unwrap()).expect("migrations");
        Some(Self { url, pool: Some(pool), cleanup: Cleanup::Postgres { admin_url, name } })
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
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            if let Ok(mut conn) = DatabaseUrl::parse(admin_url).and_then(|u| u.connect()) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// Run each named test function (`fn name(db: &TestDb)`) on SQLite and on PostgreSQL:
/// generates `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(&$crate::testing::TestDb::sqlite()) } )*
        }
        mod postgres {
            $( #[test] fn $name() {
                if let Some(db) = $crate::testing::TestDb::postgres() { super::$name(&db) }
            } )*
        }
    };
}

/// Like [`backend_tests!`] for async tests (`async fn name(db: TestDb)`), run on a multi-threaded
/// tokio runtime; the calling crate needs `tokio` with the `macros` and `rt-multi-thread` features.
#[macro_export]
macro_rules! async_backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::$name($crate::testing::TestDb::sqlite()).await } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() {
                   if let Some(db) = $crate::testing::TestDb::postgres() { super::$name(db).await }
               } )*
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
