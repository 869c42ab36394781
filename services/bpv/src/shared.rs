//! What several commands use: opening the configured database, and the file argument of the
//! imports. Kept apart from the command tree so no command module needs `cli`.

use std::path::PathBuf;

use bpv_store::{DatabaseUrl, DbPool};
use bpv_web::Settings;
use clap::Args;
use secrecy::ExposeSecret;

use crate::CliError;

/// Open the configured database (migrating is each command's own choice).
pub(crate) fn open_database(settings: &Settings) -> Result<(DatabaseUrl, DbPool), CliError> {
    Ok(bpv_store::open(settings.database.url.expose_secret(), settings.database.pool_size, false)?)
}

/// Argumenten van opdrachten die een bestand lezen.
#[derive(Debug, Args)]
pub struct FileArg {
    /// Het te lezen bestand (`-` voor standaardinvoer).
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

/// A reader of an operator's CSV file: `;` or `,`, whichever the header line uses more; ragged
/// lines allowed (each is checked on its own); fields trimmed.
pub(crate) fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() >= first.matches(',').count() { b';' } else { b',' };
    csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes())
}

/// The refusal of an all-or-nothing import: how many problems, the first 50, and how many more.
pub(crate) fn refusal(problems: &[String]) -> String {
    let shown: Vec<&str> = problems.iter().take(50).map(String::as_str).collect();
    let more = if problems.len() > 50 { format!("\n… en nog {} fouten", problems.len() - 50) } else { String::new() };
    format!("{} fout(en), niets geïmporteerd (nothing imported):\n  {}{more}", problems.len(), shown.join("\n  "))
}
