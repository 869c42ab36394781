//! Repositories: plain functions over `&mut DbConnection`, so callers compose several of them in
//! one transaction. One file per table (or close family of tables).

pub mod aanbieders;
pub mod api_clients;
pub mod audit;
pub mod beoordelingsverzoeken;
pub mod bpvos;
pub mod datakwaliteit;
pub mod deliveries;
pub mod gemachtigden;
pub mod historie;
pub mod idempotentie;
pub mod instellingen;
pub mod invitations;
pub mod landelijk;
pub mod lezers;
pub mod medewerkers;
pub mod praktijkloket;
pub mod referentie;
pub mod reporting;
pub mod responses;
pub mod retentie;
pub mod sessies;
pub mod toezichthouders;
pub mod upload_batches;
pub mod upload_previews;

/// Rows per multi-row statement: stays well under SQLite's 32,766 and PostgreSQL's 65,535 bind
/// parameters for our widest table (21 columns).
pub(crate) const CHUNK: usize = 1_000;

/// Rows per statement of [`sqlite_kept_insert!`].
pub(crate) const SQLITE_KEPT_ROWS: usize = 64;

/// Insert rows on SQLite in statements the connection keeps prepared: `$stmt` is a diesel insert
/// of `$chunk`, which is a `&[Row; 64]` (then a `&[Row; 1]` for each row left over). diesel parses
/// a multi-row insert of a slice anew for every statement (its SQL depends on the number of rows);
/// one of a fixed-size array has a query id of its own type and stays prepared, so a bulk insert
/// parses two statements once and afterwards only binds. Evaluates to the rows inserted.
macro_rules! sqlite_kept_insert {
    ($conn:expr, $rows:expr, |$chunk:ident| $stmt:expr) => {{
        let mut inserted = 0_usize;
        let mut chunks = $rows.chunks_exact($crate::repo::SQLITE_KEPT_ROWS);
        for chunk in &mut chunks {
            let $chunk: &[_; $crate::repo::SQLITE_KEPT_ROWS] =
                chunk.try_into().expect("chunks_exact gives chunks of its size");
            inserted += $stmt.execute($conn)?;
        }
        for row in chunks.remainder() {
            let $chunk: &[_; 1] = std::array::from_ref(row);
            inserted += $stmt.execute($conn)?;
        }
        inserted
    }};
}
pub(crate) use sqlite_kept_insert;

/// Rows for one SQLite statement that reads them with `json_each(?)` (`value ->> 0`, …): SQLite
/// has no array parameters, and a statement per row is parsed anew each time (diesel keeps no
/// `UPDATE` prepared). Dates and times go in the text form diesel itself writes to SQLite
/// ([`crate::sqlite_text`]).
pub(crate) fn sqlite_json_rows<T: serde::Serialize>(rows: &[T]) -> crate::error::StoreResult<String> {
    serde_json::to_string(rows).map_err(|e| crate::error::StoreError::Corrupt(format!("rows as JSON: {e}")))
}
