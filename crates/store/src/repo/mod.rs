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
