//! Persistence for the BPV Monitor: one diesel schema over SQLite (the embedded default) and
//! PostgreSQL (production), embedded migrations, and repositories that take `&mut DbConnection`
//! so callers can compose them in one transaction.
//!
//! ```no_run
//! use bpv_store::repo;
//! // Open with a pool of 4 connections, applying pending migrations first.
//! let (_url, pool) = bpv_store::open("sqlite://./data/bpv.sqlite", 4, true)?;
//! let mut conn = pool.get()?;
//! let instellingen = repo::instellingen::list(&mut conn)?;
//! # Ok::<(), bpv_store::StoreError>(())
//! ```

pub mod db;
pub mod error;
pub mod ids;
pub mod migrate;
pub mod models;
pub mod repo;
pub mod schema;
pub(crate) mod sqlite_text;
pub mod states;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

/// The invitation states the rows carry (defined by the scheduling rules).
pub use bpv_scheduling::InvitationStatus;
pub use db::{
    Backend, DatabaseUrl, DbConnection, DbPool, PooledDb, build_pool, open, with_bulk_cache, write_transaction,
};
pub use error::{StoreError, StoreResult};
pub use migrate::{pending_migrations, run_migrations};
pub use states::{AntwoordBron, BatchStatus, DeliveryStatus, Rol, Soort, UploadBron, VerzoekStatus};

/// Now, in UTC, to the microsecond: exactly what both backends store in a `Timestamp` column
/// (PostgreSQL keeps microseconds), so a value written and read back compares equal.
pub fn now_utc() -> chrono::NaiveDateTime {
    use chrono::{DurationRound, TimeDelta};
    let now = chrono::Utc::now().naive_utc();
    now.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(now)
}
