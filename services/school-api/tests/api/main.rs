//! The school API over real HTTP on a random port, with a fresh database per test, on SQLite and
//! PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod auth;
mod conventions;
mod praktijkloket;
mod upload;
