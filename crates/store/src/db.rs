//! One connection type over both backends, picked from the URL scheme, and the r2d2 pool that
//! hands it out with the per-connection settings SQLite needs.

use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{CustomizeConnection, ManageConnection, Pool, PooledConnection, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};

use crate::error::{StoreError, StoreResult};

/// A connection to either backend. Ordinary queries go through the enum; the few statements
/// whose SQL differs (upsert, row locking) `match` on it.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// Production.
    Postgresql(PgConnection),
    /// The embedded default.
    Sqlite(SqliteConnection),
}

impl std::fmt::Debug for DbConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DbConnection::Postgresql(_) => "DbConnection::Postgresql",
            DbConnection::Sqlite(_) => "DbConnection::Sqlite",
        })
    }
}

/// Which backend a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `postgres://` or `postgresql://`
    Postgres,
    /// `sqlite://PATH`
    Sqlite,
}

/// A database URL, checked: the scheme is known and, for SQLite, the file path extracted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    backend: Backend,
    /// What the driver is given: the full URL for PostgreSQL, the file path for SQLite.
    target: String,
}

impl DatabaseUrl {
    /// Parse `sqlite://PATH`, `sqlite::memory:` or `postgres://…`/`postgresql://…`.
    pub fn parse(url: &str) -> StoreResult<Self> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self { backend: Backend::Postgres, target: url.to_owned() });
        }
        if url == "sqlite::memory:" {
            return Ok(Self { backend: Backend::Sqlite, target: ":memory:".to_owned() });
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(StoreError::UnsupportedUrl(url.to_owned()));
            }
            return Ok(Self { backend: Backend::Sqlite, target: path.to_owned() });
        }
        Err(StoreError::UnsupportedUrl(url.to_owned()))
    }

    /// The backend this URL selects.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL with any password masked, for logs and `bpv` output.
    pub fn redacted(&self) -> String {
        match self.backend {
            Backend::Sqlite => format!("sqlite://{}", self.target),
            Backend::Postgres => redact_password(&self.target),
        }
    }

    /// Open one connection (no pool), with the SQLite settings applied.
    pub fn connect(&self) -> StoreResult<DbConnection> {
        if self.backend == Backend::Sqlite {
            self.ensure_sqlite_dir()?;
        }
        let mut conn = self.establish()?;
        apply_connection_settings(&mut conn)?;
        if let DbConnection::Sqlite(c) = &mut conn {
            // WAL is a property of the database file: set here, once, never on every pooled
            // connection — switching (even to the mode in force) needs a lock another
            // connection's migration may hold, and fails with "database is locked".
            c.batch_execute("PRAGMA journal_mode = WAL;")?;
        }
        Ok(conn)
    }

    /// Open one connection with the backend the URL names, so that a failure carries that
    /// backend's own error (libpq's "connection refused", "certificate verify failed", …). The
    /// derived `MultiConnection::establish` would try every backend in turn and answer only
    /// "Invalid connection url for multiconnection".
    fn establish(&self) -> Result<DbConnection, diesel::ConnectionError> {
        match self.backend {
            Backend::Postgres => Ok(DbConnection::Postgresql(PgConnection::establish(&self.postgres_target())?)),
            Backend::Sqlite => Ok(DbConnection::Sqlite(SqliteConnection::establish(&self.target)?)),
        }
    }

    /// The PostgreSQL URL given to libpq: the configured one, plus `application_name` (the
    /// program's name, e.g. `bpv-reporting-api`) unless the URL sets one, so that
    /// `pg_stat_activity` and the server's log say which service holds a connection.
    fn postgres_target(&self) -> String {
        if self.target.contains("application_name=") {
            return self.target.clone();
        }
        let name = application_name();
        let separator = if self.target.contains('?') { '&' } else { '?' };
        format!("{}{separator}application_name={name}", self.target)
    }

    fn ensure_sqlite_dir(&self) -> StoreResult<()> {
        if self.target == ":memory:" {
            return Ok(());
        }
        if let Some(dir) = Path::new(&self.target).parent()
            && !dir.as_os_str().is_empty()
            && !dir.exists()
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Connection(diesel::ConnectionError::BadConnection(format!(
                    "cannot create directory {} for the SQLite database: {e}",
                    dir.display()
                )))
            })?;
        }
        Ok(())
    }
}

/// The running program's file name (`bpv`, `bpv-dispatcher`, …), reduced to the characters a URL
/// query value may carry unescaped.
fn application_name() -> String {
    let name = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let name: String = name.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).collect();
    if name.is_empty() { "bpv".to_owned() } else { name }
}

fn redact_password(url: &str) -> String {
    // postgres://user:secret@host/db → postgres://user:***@host/db
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let Some((userinfo, host)) = rest.split_once('@') else { return url.to_owned() };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// Settings every connection gets before first use.
/// SQLite: foreign keys are off by default and concurrent writers need a busy timeout (WAL, which
/// lets readers proceed while one writer writes, is set once per file by [`DatabaseUrl::connect`]
/// before a pool opens). Temporary data, above all the statement journal that a statement inside
/// a larger transaction keeps in case it has to be undone alone, stays in memory instead of a
/// file of its own: the dispatcher's run of the demo made 85,000 fewer `pwrite` calls (a third)
/// with it. PostgreSQL: timestamps are stored as UTC.
fn apply_connection_settings(conn: &mut DbConnection) -> StoreResult<()> {
    match conn {
        DbConnection::Sqlite(c) => c.batch_execute(
            "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; \
                 PRAGMA temp_store = MEMORY;",
        )?,
        DbConnection::Postgresql(c) => c.batch_execute("SET TIME ZONE 'UTC'")?,
    }
    Ok(())
}

#[derive(Debug, Clone, Copy)]
struct ConnectionSettings;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for ConnectionSettings {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        apply_connection_settings(conn).map_err(|e| match e {
            StoreError::Query(q) => diesel::r2d2::Error::QueryError(q),
            other => {
                diesel::r2d2::Error::QueryError(diesel::result::Error::QueryBuilderError(other.to_string().into()))
            }
        })
    }
}

/// Makes the pool's connections through [`DatabaseUrl::connect`]'s path, so that a database
/// that is down or refuses TLS is logged with its real reason, every time the pool retries.
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        self.url.establish().map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

/// Failure to get a pooled connection.
pub type PoolError = diesel::r2d2::PoolError;

/// A pool of connections to one database.
pub type DbPool = Pool<Manager>;
/// A connection checked out of [`DbPool`].
pub type PooledDb = PooledConnection<Manager>;

/// Build a pool for `url`; fails fast if the database cannot be reached.
pub fn build_pool(url: &DatabaseUrl, max_size: u32) -> StoreResult<DbPool> {
    let sqlite = url.backend == Backend::Sqlite;
    if sqlite {
        // Create the folder and switch a new database file to WAL once, on one connection,
        // before the pool opens any: pooled connections never touch the journal mode (see
        // `connect`), so a start that works logs no "database is locked" ERROR from r2d2.
        if url.target != ":memory:" {
            drop(url.connect()?);
        }
    }
    let manager = Manager { url: url.clone() };
    let builder = Pool::builder()
        .max_size(max_size.max(1))
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(ConnectionSettings));
    // SQLite: one connection up front, the others when asked for (not while migrations hold the
    // write lock).
    let builder = if sqlite { builder.min_idle(Some(1)) } else { builder };
    Ok(builder.build(manager)?)
}

/// Open the database at `url` as a pool of `pool_size` connections, applying pending migrations
/// first when `migrate` (under the migration lock, see [`crate::run_migrations`]). What every
/// service and command does at start; errors name the database with its password left out.
pub fn open(url: &str, pool_size: u32, migrate: bool) -> StoreResult<(DatabaseUrl, DbPool)> {
    let url = DatabaseUrl::parse(url)?;
    let named = |e: StoreError| StoreError::Open { database: url.redacted(), source: Box::new(e) };
    let pool = build_pool(&url, pool_size).map_err(named)?;
    if migrate {
        let mut conn = pool.get().map_err(|e| named(e.into()))?;
        crate::run_migrations(&mut conn).map_err(named)?;
    }
    Ok((url, pool))
}

/// SQLite's page cache for one connection while `f` writes in bulk (the demo's seed, an import
/// of a whole file): 64 MiB instead of SQLite's 2 MiB. With the small cache a transaction that
/// touches more pages than fit had to spill dirty pages to the write-ahead log midway and read
/// evicted index pages back (the demo's seed spent a fifth of its
/// time in `pread`/`pwrite` for that). Set for the bulk work only and put back afterwards, so the
/// pooled connections of the services keep the small default. PostgreSQL: nothing to change.
pub fn with_bulk_cache<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<StoreError>,
{
    let DbConnection::Sqlite(c) = conn else { return f(conn) };
    c.batch_execute("PRAGMA cache_size = -65536;").map_err(StoreError::from)?;
    let result = f(conn);
    let DbConnection::Sqlite(c) = conn else { return result };
    // Back to SQLite's default (this connection may go back to a pool).
    let reset = c.batch_execute("PRAGMA cache_size = -2000;");
    match (result, reset) {
        (Ok(_), Err(e)) => Err(StoreError::from(e).into()),
        (result, _) => result,
    }
}

/// Run `f` in a transaction that writes. On SQLite it begins with `BEGIN IMMEDIATE`, so it takes
/// the write lock up front and waits (busy_timeout) for other writers; a deferred transaction
/// that reads first and writes later would instead fail with "database is locked" when another
/// writer got in between. On PostgreSQL, and when already inside a transaction (a savepoint),
/// this is an ordinary transaction.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let nested = match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()?.is_some()
        }
        DbConnection::Postgresql(_) => true,
    };
    if nested {
        return conn.transaction(f);
    }
    if let DbConnection::Sqlite(c) = conn {
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
    }
    let result = f(conn);
    let DbConnection::Sqlite(c) = conn else { return result };
    match result {
        Ok(value) => match AnsiTransactionManager::commit_transaction(c) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = AnsiTransactionManager::rollback_transaction(c);
                Err(e.into())
            }
        },
        Err(e) => {
            let _ = AnsiTransactionManager::rollback_transaction(c);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_scheme_selects_backend() {
        let pg = DatabaseUrl::parse("postgres://bpv:geheim@db.example/bpv").unwrap();
        assert_eq!(pg.backend(), Backend::Postgres);
        assert_eq!(pg.redacted(), "postgres://bpv:***@db.example/bpv");
        let pg2 = DatabaseUrl::parse("postgresql://db/bpv").unwrap();
        assert_eq!(pg2.backend(), Backend::Postgres);
        let lite = DatabaseUrl::parse("sqlite://./data/bpv.sqlite").unwrap();
        assert_eq!(lite.backend(), Backend::Sqlite);
        assert_eq!(lite.target, "./data/bpv.sqlite");
        assert_eq!(DatabaseUrl::parse("sqlite:///var/lib/bpv.sqlite").unwrap().target, "/var/lib/bpv.sqlite");
    }

    #[test]
    fn postgres_connections_name_the_program_unless_the_url_does() {
        let plain = DatabaseUrl::parse("postgres://db/bpv").unwrap().postgres_target();
        assert!(plain.starts_with("postgres://db/bpv?application_name="), "{plain}");
        let name = plain.rsplit('=').next().unwrap();
        assert!(!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)), "{name}");
        let with_tls = DatabaseUrl::parse("postgres://db/bpv?sslmode=verify-full").unwrap().postgres_target();
        assert_eq!(with_tls, format!("postgres://db/bpv?sslmode=verify-full&application_name={name}"));
        let own = DatabaseUrl::parse("postgres://db/bpv?application_name=ops").unwrap().postgres_target();
        assert_eq!(own, "postgres://db/bpv?application_name=ops");
    }

    #[test]
    fn a_refused_postgres_connection_reports_libpq_not_the_multiconnection() {
        // Port 1 on the loopback: nothing listens, libpq answers at once.
        let url = DatabaseUrl::parse("postgres://nobody@127.0.0.1:1/none?connect_timeout=2").unwrap();
        let message = url.connect().unwrap_err().to_string();
        assert!(!message.contains("multiconnection"), "{message}");
        assert!(message.contains("127.0.0.1") && message.contains("refused"), "{message}");
    }

    #[test]
    fn unknown_or_typoed_scheme_is_refused() {
        for bad in ["./data/bpv.sqlite", "sqlit://x", "mysql://db/bpv", "sqlite://", "", "postgre://x"] {
            assert!(matches!(DatabaseUrl::parse(bad), Err(StoreError::UnsupportedUrl(_))), "{bad:?} must be refused");
        }
    }
}
