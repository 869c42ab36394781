//! Embedded migrations for both backends (same version names in `migrations/postgres` and
//! `migrations/sqlite`), run by `bpv migrate` and at every service start.

use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::db::DbConnection;
use crate::error::{StoreError, StoreResult};

const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// Apply every pending migration; returns the versions applied now (empty when up to date).
pub fn run_migrations(conn: &mut DbConnection) -> StoreResult<Vec<String>> {
    let applied = match conn {
        DbConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES),
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE),
    }
    .map_err(|e| StoreError::Migration(e.to_string()))?;
    Ok(applied.into_iter().map(|v| v.to_string()).collect())
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
