//! What several commands use: opening the configured database, and the file argument of the
//! imports. Kept apart from the command tree so no command module needs `cli`.

use std::path::PathBuf;

use bpv_store::{DatabaseUrl, DbPool, build_pool};
use bpv_web::Settings;
use clap::Args;
use secrecy::ExposeSecret;

use crate::CliError;

/// Open (and migrate) the configured database.
pub(crate) fn open_database(settings: &Settings) -> Result<(DatabaseUrl, DbPool), CliError> {
    let url = DatabaseUrl::parse(settings.database.url.expose_secret())?;
    let pool =
        build_pool(&url, settings.database.pool_size).map_err(|e| anyhow::anyhow!("{} ({})", e, url.redacted()))?;
    Ok((url, pool))
}

/// Arguments shared by commands that read a file.
#[derive(Debug, Args)]
pub struct FileArg {
    /// The file to read (`-` for standard input).
    pub file: PathBuf,
}

impl FileArg {
    /// The file's bytes.
    pub fn read(&self) -> Result<Vec<u8>, CliError> {
        if self.file.as_os_str() == "-" {
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).map_err(anyhow::Error::from)?;
            return Ok(buf);
        }
        std::fs::read(&self.file)
            .map_err(|e| crate::bad(format!("kan {} niet lezen (cannot read): {e}", self.file.display())))
    }
}
