//! The dispatcher against a real SMTP server (Postfix's smtp-sink, with its fault injection) on
//! SQLite and PostgreSQL: retries, permanent failures, two dispatchers at once, idempotent runs,
//! a kill -9 in the middle, and messages checked by an independent parser.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod amsterdam;
mod helpers;
mod housekeeping;
mod reliability;
