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

/// Rows for one SQLite statement that reads them with `json_each(?)` (`value ->> 0`, …): SQLite
/// has no array parameters, and a statement per row is parsed anew each time (diesel keeps no
/// `UPDATE` prepared). Dates and times go in the text form diesel itself writes to SQLite.
pub(crate) fn sqlite_json_rows<T: serde::Serialize>(rows: &[T]) -> crate::error::StoreResult<String> {
    serde_json::to_string(rows).map_err(|e| crate::error::StoreError::Corrupt(format!("rows as JSON: {e}")))
}

/// A date as diesel writes it to SQLite (`%F`).
pub(crate) fn sqlite_date(d: chrono::NaiveDate) -> String {
    d.format("%F").to_string()
}

/// A timestamp as diesel writes it to SQLite (`%F %T%.f`).
pub(crate) fn sqlite_timestamp(t: chrono::NaiveDateTime) -> String {
    t.format("%F %T%.f").to_string()
}
