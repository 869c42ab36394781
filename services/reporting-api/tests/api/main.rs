//! The reporting API and dashboard over real HTTP on a random port, with a fresh database per
//! test, on SQLite and PostgreSQL. Expected figures are computed by hand in `helpers::seed`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod access;
mod antwoorden;
mod conventions;
mod dashboard;
mod datakwaliteit;
mod historie;
mod instellingen;
mod lezers;
mod praktijkverklaringen;
mod replica;
mod respons;
mod resultaten;
mod signalen;
mod trend;
mod verbeterpunten;
mod xlsx;
