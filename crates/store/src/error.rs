//! The store's one error type: what went wrong talking to the database, in words an operator can act on.

/// Everything the store can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL names no backend we know; we never guess (a typo must not create an empty database).
    #[error("unsupported database URL {0:?}: use sqlite://PATH (embedded) or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    /// The server or file could not be opened.
    #[error("cannot connect to the database: {0}")]
    Connection(#[from] diesel::ConnectionError),
    /// No pooled connection became available in time.
    #[error("database pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// A statement failed.
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    /// Applying the embedded migrations failed.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// Opening (or migrating) the named database failed.
    #[error("database {database}: {source}")]
    Open { database: String, source: Box<StoreError> },
    /// A row that must exist does not.
    #[error("{0}")]
    NotFound(String),
    /// A domain rule kept in the database was about to be broken (e.g. a third active gemachtigde).
    #[error("{0}")]
    Rule(String),
    /// Stored data that cannot be read back as a valid domain value (someone edited the database by hand).
    #[error("stored value is not valid: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// True when the error is a unique-constraint violation (a concurrent insert of the same key).
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            StoreError::Query(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            ))
        )
    }
}

/// Result alias for store calls.
pub type StoreResult<T> = Result<T, StoreError>;
