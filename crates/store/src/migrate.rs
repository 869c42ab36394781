//! Embedded migrations for both backends (same version names in `migrations/postgres` and
//! `migrations/sqlite`), run by `bpv migrate` and at every service start.

use diesel::connection::SimpleConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::db::DbConnection;
use crate::error::{StoreError, StoreResult};

const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// The PostgreSQL advisory-lock key migrations run under ("bpv_migr" in ASCII).
pub const MIGRATION_LOCK: i64 = 0x6270_765f_6d69_6772;

/// Apply every pending migration; returns the versions applied now (empty when up to date).
///
/// One process at a time: on PostgreSQL under a session advisory lock, so replicas that start
/// together wait for the first one and then find nothing left to do, instead of racing to create
/// the same tables. (On SQLite every migration takes the file's write lock.)
pub fn run_migrations(conn: &mut DbConnection) -> StoreResult<Vec<String>> {
    let applied = match conn {
        DbConnection::Postgresql(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
            let applied = c.run_pending_migrations(POSTGRES).map(|v| v.into_iter().map(|v| v.to_string()).collect());
            // Released on every path; a lost connection releases it too.
            let unlocked = c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"));
            let applied = applied.map_err(|e| StoreError::Migration(e.to_string()))?;
            unlocked?;
            applied
        }
        DbConnection::Sqlite(c) => c
            .run_pending_migrations(SQLITE)
            .map(|v| v.into_iter().map(|v| v.to_string()).collect())
            .map_err(|e| StoreError::Migration(e.to_string()))?,
    };
    Ok(applied)
}

/// Migrations not yet applied (for `/ready` and `bpv migrate --check`).
pub fn pending_migrations(conn: &mut DbConnection) -> StoreResult<Vec<String>> {
    match conn {
        DbConnection::Postgresql(c) => names(c.pending_migrations(POSTGRES)),
        DbConnection::Sqlite(c) => names(c.pending_migrations(SQLITE)),
    }
}

type Pending<DB> = Result<Vec<Box<dyn diesel::migration::Migration<DB>>>, Box<dyn std::error::Error + Send + Sync>>;

fn names<DB: diesel::backend::Backend>(pending: Pending<DB>) -> StoreResult<Vec<String>> {
    let list = pending.map_err(|e| StoreError::Migration(e.to_string()))?;
    Ok(list.iter().map(|m| m.name().version().to_string()).collect())
}
