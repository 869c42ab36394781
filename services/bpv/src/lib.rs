//! The `bpv` command: everything an operator does by hand (migrations, instellingen, aanbieders,
//! gemachtigden, API clients, reference data) and `bpv demo`, the whole system in one process.
//!
//! Exit codes: 0 ok, 2 bad input (usage, invalid values, refused by a rule), 1 failure
//! (database unreachable, I/O).

mod admin;
mod antwoorden;
mod cli;
mod demo;
mod historie;
mod history;
mod output;
mod praktijkloket;
mod registraties;
pub mod seed;
mod shared;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

pub use cli::Cli;

/// What went wrong, sorted by exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The user gave something invalid: exit 2.
    #[error("{0}")]
    BadInput(String),
    /// Anything else: exit 1.
    #[error(transparent)]
    Failure(#[from] anyhow::Error),
}

impl From<bpv_store::StoreError> for CliError {
    fn from(e: bpv_store::StoreError) -> Self {
        match e {
            bpv_store::StoreError::Rule(msg) | bpv_store::StoreError::NotFound(msg) => CliError::BadInput(msg),
            bpv_store::StoreError::UnsupportedUrl(_) => CliError::BadInput(e.to_string()),
            other if other.is_unique_violation() => CliError::BadInput(format!("bestaat al (already exists): {other}")),
            other => CliError::Failure(other.into()),
        }
    }
}

/// Shorthand for a bad-input error.
pub(crate) fn bad(msg: impl Into<String>) -> CliError {
    CliError::BadInput(msg.into())
}

/// Parse arguments and run; the returned code is the process exit code.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let _telemetry = bpv_web::telemetry::init("bpv", "warn");
    match cli::dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::BadInput(msg)) => {
            eprintln!("fout: {msg}");
            ExitCode::from(2)
        }
        Err(CliError::Failure(e)) => {
            eprintln!("mislukt: {e:#}");
            ExitCode::from(1)
        }
    }
}
