//! The command tree (clap) and the dispatch from a parsed command to its handler.

use std::path::PathBuf;

use bpv_web::{Settings, SettingsSource};
use clap::{Parser, Subcommand};

use crate::shared::open_database;
use crate::{CliError, admin, demo};

/// BPV Monitor — doorlopende bevraging over de beroepspraktijkvorming in het mbo.
#[derive(Debug, Parser)]
#[command(
    name = "bpv",
    version,
    about,
    long_about = None,
    after_help = "Afsluitcodes: 0 gelukt; 1 mislukt (database onbereikbaar, migraties open bij \
                  `migrate --check`); 2 verkeerde aanroep of invoer (een bestand of waarde met fouten: niets \
                  opgeslagen)."
)]
pub struct Cli {
    /// Database-URL (`sqlite://PATH` of `postgres://…`); gaat voor `database.url` / `BPV__DATABASE__URL`.
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    /// Map met `default.toml` en `{BPV_ENV}.toml` (standaard `./config`).
    #[arg(long, global = true)]
    pub config_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Pas openstaande databasemigraties toe (gebeurt ook bij elke start van een dienst).
    Migrate {
        /// Meld alleen openstaande migraties; afsluitcode 1 als die er zijn.
        #[arg(long)]
        check: bool,
    },
    /// Draai het hele systeem op deze machine: migreren, realistische gegevens aanmaken, melden wat er is gemaakt.
    Demo(demo::DemoArgs),
    /// Beheer: instellingen, aanbieders, gemachtigden, API-clients, referentiegegevens.
    Admin {
        /// Overzichten, `instelling show`, `client create` en de imports als JSON (camelCase-sleutels,
        /// getypeerde waarden) in plaats van tekst, voor scripts; `audit` geeft dan één JSON-object per regel.
        #[arg(long, global = true)]
        json: bool,
        /// Wie de opdracht uitvoert, zoals het auditlog dat vastlegt; standaard `$SUDO_USER` of `$USER`.
        /// Geef het op (of `BPV_DOOR`) waar die niets zeggen, bijv. in een container.
        #[arg(long, global = true, env = "BPV_DOOR", value_name = "NAAM")]
        door: Option<String>,
        #[command(subcommand)]
        command: admin::AdminCommand,
    },
}

/// Settings with the command-line overrides applied.
pub(crate) fn load_settings(database_url: Option<&str>, config_dir: Option<PathBuf>) -> Result<Settings, CliError> {
    let mut source = SettingsSource { config_dir, ..SettingsSource::default() };
    if let Some(url) = database_url {
        source.overrides.push(("database.url".into(), url.into()));
    }
    Settings::load_from(&source).map_err(|e| crate::bad(e.to_string()))
}

pub(crate) fn dispatch(cli: Cli) -> Result<(), CliError> {
    let settings = load_settings(cli.database_url.as_deref(), cli.config_dir.clone())?;
    match cli.command {
        Command::Migrate { check } => migrate(&settings, check),
        Command::Demo(args) => demo::run(&settings, args),
        Command::Admin { json, door, command } => {
            crate::output::set_json(json);
            if let Some(door) = door.map(|d| d.trim().to_owned()) {
                if door.is_empty() || door.len() > 100 || door.chars().any(char::is_control) {
                    return Err(crate::bad("--door: een naam van 1 tot 100 tekens (a name of 1 to 100 characters)"));
                }
                admin::set_door(door);
            }
            let (_, pool) = open_database(&settings)?;
            let mut conn = pool.get().map_err(anyhow::Error::from)?;
            if settings.database.migrate_on_start {
                bpv_store::run_migrations(&mut conn)?;
            }
            admin::run(&mut conn, &settings, command)
        }
    }
}

fn migrate(settings: &Settings, check: bool) -> Result<(), CliError> {
    let (url, pool) = open_database(settings)?;
    let mut conn = pool.get().map_err(anyhow::Error::from)?;
    if check {
        let pending = bpv_store::pending_migrations(&mut conn)?;
        if pending.is_empty() {
            println!("{}: up to date", url.redacted());
            return Ok(());
        }
        println!("{}: {} pending: {}", url.redacted(), pending.len(), pending.join(", "));
        return Err(CliError::Failure(anyhow::anyhow!("migrations pending")));
    }
    let applied = bpv_store::run_migrations(&mut conn)?;
    if applied.is_empty() {
        println!("{}: up to date", url.redacted());
    } else {
        println!("{}: applied {}", url.redacted(), applied.join(", "));
    }
    Ok(())
}
