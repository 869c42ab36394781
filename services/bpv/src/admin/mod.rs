//! `bpv admin …`: the operator's changes to instellingen, aanbieders, locaties, gemachtigden,
//! API clients and reference data. Every change is written to the audit log.

use bpv_store::models::{
    AanbiederRow, ApiClientRow, DuoMeldingRow, ErkenningRow, InstellingRow, KeuzedeelErkenningRow, KwalificatieRow,
    LocatieRow,
};
use bpv_store::repo::{aanbieders, api_clients, audit, gemachtigden, instellingen, lezers, medewerkers, referentie};
use bpv_store::{DbConnection, Rol, ids::new_id, now_utc};
use bpvo::{Aanbiedercode, Brin, Email, Locatiecode, Naam, Oin, Schoolnaam, ValueError};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use serde_json::json;

use crate::output::{gedaan, ja_nee, kv, lijst, opt_date, table};
use crate::shared::FileArg;
use crate::{CliError, bad};

mod accounts;
mod auditlog;
mod imports;
mod register;
mod signalen;

use accounts::{client, gemachtigde, lezer, medewerker, toezicht};
use auditlog::audit_log;
use imports::{
    import_antwoorden, import_crebo, import_dossiers, import_duo_meldingen, import_erkenningen, import_historie,
    import_registraties,
};
use register::{aanbieder_add, instelling, locatie_add};

/// Scopes a client may be given.
pub const KNOWN_SCOPES: &[&str] = &["bpvo:write", "resultaten:read", "praktijkloket:write"];

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Instellingen (school boards, by BRIN) and their participation.
    Instelling {
        #[command(subcommand)]
        command: InstellingCommand,
    },
    /// Onderwijsaanbieders of an instelling.
    Aanbieder {
        #[command(subcommand)]
        command: AanbiederCommand,
    },
    /// Onderwijslocaties of an aanbieder.
    Locatie {
        #[command(subcommand)]
        command: LocatieCommand,
    },
    /// People who may use the manual upload page (at most two active per BRIN).
    Gemachtigde {
        #[command(subcommand)]
        command: GemachtigdeCommand,
    },
    /// Lezers: quality staff and team leaders who read an instelling's results on the dashboard
    /// (no upload), any number per instelling, optionally limited to some aanbieders or locaties.
    Lezer {
        #[command(subcommand)]
        command: LezerCommand,
    },
    /// SBB staff who may read every instelling's results on the dashboard.
    Medewerker {
        #[command(subcommand)]
        command: MedewerkerCommand,
    },
    /// Inspectie and OCW: read the quarterly data-quality photos of every instelling on the
    /// dashboard, nothing else.
    Toezicht {
        #[command(subcommand)]
        command: ToezichtCommand,
    },
    /// API clients (OAuth2 client credentials).
    Client {
        #[command(subcommand)]
        command: ClientCommand,
    },
    /// Import the crebo register: CSV `crebo;naam;niveau;sector` and optionally `domein`.
    ImportCrebo(FileArg),
    /// Import erkenningen of leerbedrijven: CSV `leerbedrijf_id;crebo;geldig_van;geldig_tot` and
    /// optionally `keuzedeel_code` (a line for a keuzedeel leaves crebo empty), `aanvraagdatum`
    /// and `besluitdatum`.
    ImportErkenningen(FileArg),
    /// Import DUO's registration dates of bpvo's (data quality): CSV
    /// `aanbiedercode;correlatie_id;startdatum;meldingsdatum`, all or nothing.
    ImportDuoMeldingen(FileArg),
    /// Import kwalificatiedossiers (the werkprocessen of each qualification, for the
    /// Praktijkloket): CSV `crebo;kerntaak_code;kerntaak_naam;werkproces_code;werkproces_naam` or a
    /// JSON array of {crebo, kerntaakCode, kerntaakNaam, werkprocesCode, werkprocesNaam}. Replaces
    /// the dossiers of the crebo's in the file; all or nothing, every bad line named.
    ImportKwalificatiedossiers(FileArg),
    /// Merge SBB's bpvo registrations (praktijkopleider, leerbedrijf) by aanbiedercode + correlatieId:
    /// CSV `Aanbiedercode;Correlatie_id;Leerbedrijf_code;Crebo_code;Leerweg_naam;Startdatum;Geplande_einddatum;
    /// Werkelijke_einddatum;Praktijkopleider_naam;Praktijkopleider_emailadres` or a JSON array.
    ImportRegistraties(FileArg),
    /// Import answers collected by an external survey bureau (same item codes as the web form):
    /// CSV with `uitnodiging_id` or `aanbiedercode;correlatie_id;groep`, then `cijfer;voorbereiding_1;…;verbeterpunten`.
    ImportAntwoorden(FileArg),
    /// Import results of past years (earlier research bureaus): CSV lines `soort` = `antwoord`
    /// (`maand;aanbiedercode;locatiecode;leerweg;crebo;groep`, optional `vragenlijst`, then the
    /// item columns `cijfer;voorbereiding_1;…`) or `uitnodigingen` (the same keys and `aantal`,
    /// invitations sent in that cell). No personal data, no free text. All or nothing, every bad
    /// line named; the same file twice changes nothing. Counted in every figure and the trend from
    /// the next publication.
    ImportHistorie(FileArg),
    /// Read the audit log (append-only): who did what, when — uploads, logins, admin changes,
    /// non-aggregated reads, purges. Oldest first.
    Audit(AuditArgs),
    /// Leerbedrijven flagged by the safety signal (sociale veiligheid, stagediscriminatie): at
    /// least `veiligheid.min_respondenten` distinct respondents on the unsafe side among at least
    /// `reporting.k` answers in `veiligheid.venster_maanden` months; counts banded. For SBB
    /// advisers; every read is audited.
    Signalen(SignalenArgs),
}

#[derive(Debug, Args)]
pub struct SignalenArgs {
    /// The window's last month (jjjj-mm); default last month.
    #[arg(long)]
    pub tot: Option<String>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only entries about this instelling (BRIN).
    #[arg(long)]
    pub instelling: Option<String>,
    /// Only entries on or after this day (jjjj-mm-dd, UTC).
    #[arg(long)]
    pub since: Option<String>,
    /// At most this many (the most recent ones).
    #[arg(long, default_value_t = 200)]
    pub limit: i64,
}

#[derive(Debug, Subcommand)]
pub enum InstellingCommand {
    /// Register an instelling.
    Add {
        #[arg(long)]
        brin: String,
        #[arg(long)]
        naam: String,
        /// Organisatie-identificatienummer (20 digits), needed for non-aggregated results.
        #[arg(long)]
        oin: Option<String>,
    },
    /// Show an instelling with its participation, aanbieders, locaties, gemachtigden and clients.
    Show { brin: String },
    /// List all instellingen.
    List,
    /// Change how an instelling takes part; dates as jjjj-mm-dd, `geen` clears one.
    SetParticipation(ParticipationArgs),
    /// Where the instelling's students go for help (vertrouwenspersoon, klachtenprocedure):
    /// shown to a respondent who answered on the unsafe side of sociale veiligheid or
    /// stagediscriminatie. Without options the national text is used again.
    SetContact {
        brin: String,
        /// A short text, e.g. "De vertrouwenspersoon van het Amstelvliet College, 020 123 4567".
        #[arg(long)]
        tekst: Option<String>,
        /// An https address, e.g. the klachtenprocedure's page.
        #[arg(long)]
        url: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct ParticipationArgs {
    pub brin: String,
    /// Takes part in directe studentbevraging (students surveyed directly).
    #[arg(long)]
    pub directe_studentbevraging: Option<bool>,
    /// Date the intake was done (`geen` to clear).
    #[arg(long)]
    pub intake_op: Option<String>,
    /// Date the verwerkersovereenkomst was signed (`geen` to clear); no upload is accepted without it.
    #[arg(long)]
    pub verwerkersovereenkomst: Option<String>,
    /// Uses the results API.
    #[arg(long)]
    pub resultaten_api: Option<bool>,
    /// OIN (`geen` to clear).
    #[arg(long)]
    pub oin: Option<String>,
    /// The instelling reads the verbeterpunten of its own selections (k answers at least).
    #[arg(long)]
    pub verbeterpunten_delen: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum AanbiederCommand {
    /// Add an aanbieder (RIO code like 123A456) to an instelling.
    Add {
        #[arg(long)]
        brin: String,
        #[arg(long)]
        code: String,
        #[arg(long)]
        naam: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum LocatieCommand {
    /// Add or rename a locatie (code like 123X456) of an aanbieder.
    Add {
        #[arg(long)]
        aanbieder: String,
        #[arg(long)]
        code: String,
        #[arg(long)]
        naam: String,
        #[arg(long)]
        plaats: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ToezichtCommand {
    /// Add a toezichthouder; prints a generated password once unless `--password-stdin` is given.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        naam: String,
        /// `inspectie` or `ocw`.
        #[arg(long)]
        organisatie: String,
        /// Read the password (at least 12 characters) from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Deactivate a toezichthouder (their dashboard session ends at once).
    Remove {
        #[arg(long)]
        email: String,
    },
    /// List the toezicht accounts.
    List,
}

/// `bpv admin medewerker …`.
#[derive(Debug, Subcommand)]
pub enum MedewerkerCommand {
    /// Add an SBB staff member; prints a generated password once unless `--password-stdin` is given.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        naam: String,
        /// Read the password (at least 12 characters) from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Deactivate a staff member (their dashboard session ends at once).
    Remove {
        #[arg(long)]
        email: String,
    },
    /// List the staff accounts.
    List,
}

#[derive(Debug, Subcommand)]
pub enum GemachtigdeCommand {
    /// Add a gemachtigde; prints a generated password once unless `--password-stdin` is given.
    Add {
        #[arg(long)]
        brin: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        naam: String,
        /// Read the password (at least 12 characters) from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Deactivate a gemachtigde.
    Remove {
        #[arg(long)]
        brin: String,
        #[arg(long)]
        email: String,
    },
    /// List the gemachtigden of an instelling.
    List { brin: String },
}

#[derive(Debug, Subcommand)]
pub enum LezerCommand {
    /// Add a lezer; prints a generated password once unless `--password-stdin` is given.
    Add {
        #[arg(long)]
        brin: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        naam: String,
        /// Only the results of this aanbieder (aanbiedercode); repeat for several. Default: all.
        #[arg(long = "aanbieder")]
        aanbieders: Vec<String>,
        /// Only the results of this locatie (locatiecode); repeat for several. Default: all.
        #[arg(long = "locatie")]
        locaties: Vec<String>,
        /// Read the password (at least 12 characters) from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Deactivate a lezer (their dashboard session ends at once).
    Remove {
        #[arg(long)]
        brin: String,
        #[arg(long)]
        email: String,
    },
    /// List the lezers of an instelling with what each may read.
    List { brin: String },
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Create an API client; prints its secret once (only a hash is stored).
    Create {
        /// The instelling the client acts for (not for `--rol sbb`).
        #[arg(long)]
        brin: Option<String>,
        #[arg(long)]
        naam: String,
        /// Scope to grant; repeat for several (default: bpvo:write and resultaten:read).
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// `school` (bounded to its instelling) or `sbb` (SBB staff: national figures).
        #[arg(long, default_value = "school")]
        rol: String,
    },
    /// List clients.
    List {
        #[arg(long)]
        brin: Option<String>,
    },
    /// Revoke a client.
    Revoke { client_id: String },
}

fn invalid(flag: &str, e: &ValueError) -> CliError {
    bad(format!("{flag}: {} ({})", e.nl, e.en))
}

fn parse_brin(s: &str) -> Result<Brin, CliError> {
    Brin::parse(s).map_err(|e| invalid("--brin", &e))
}

/// `jjjj-mm-dd`, or `geen`/`none` for "no date".
fn parse_opt_date(flag: &str, s: &str) -> Result<Option<NaiveDate>, CliError> {
    match s.trim().to_lowercase().as_str() {
        "geen" | "none" | "" => Ok(None),
        _ => bpvo::parse_iso_date(s).map(Some).map_err(|e| invalid(flag, &e)),
    }
}

static DOOR: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Who runs this command, from `--door`/`BPV_DOOR` (for the audit log).
pub(crate) fn set_door(door: String) {
    let _ = DOOR.set(door);
}

/// The operator the audit log records: `--door`, else `$SUDO_USER`, else `$USER`.
fn operator() -> String {
    DOOR.get()
        .cloned()
        .or_else(|| std::env::var("SUDO_USER").ok())
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "onbekend".into())
}

pub(crate) fn audit_admin(
    conn: &mut DbConnection,
    brin: Option<&str>,
    action: &str,
    detail: serde_json::Value,
) -> Result<(), CliError> {
    let who = operator();
    audit::append(conn, now_utc(), audit::Actor { kind: "admin", id: &who }, brin, action, &detail, None)?;
    Ok(())
}

pub(crate) fn run(
    conn: &mut DbConnection,
    settings: &bpv_web::Settings,
    command: AdminCommand,
) -> Result<(), CliError> {
    match command {
        AdminCommand::Signalen(args) => signalen::signalen(conn, settings, &args),
        AdminCommand::Instelling { command } => instelling(conn, command),
        AdminCommand::Audit(args) => audit_log(conn, args),
        AdminCommand::Aanbieder { command: AanbiederCommand::Add { brin, code, naam } } => {
            aanbieder_add(conn, brin, code, naam)
        }
        AdminCommand::Locatie { command: LocatieCommand::Add { aanbieder, code, naam, plaats } } => {
            locatie_add(conn, aanbieder, code, naam, plaats)
        }
        AdminCommand::Gemachtigde { command } => gemachtigde(conn, command),
        AdminCommand::Lezer { command } => lezer(conn, command),
        AdminCommand::Medewerker { command } => medewerker(conn, command),
        AdminCommand::Toezicht { command } => toezicht(conn, command),
        AdminCommand::Client { command } => client(conn, command),
        AdminCommand::ImportCrebo(file) => import_crebo(conn, file),
        AdminCommand::ImportRegistraties(file) => import_registraties(conn, file),
        AdminCommand::ImportHistorie(file) => import_historie(conn, file),
        AdminCommand::ImportAntwoorden(file) => import_antwoorden(conn, file),
        AdminCommand::ImportErkenningen(file) => import_erkenningen(conn, file),
        AdminCommand::ImportDuoMeldingen(file) => import_duo_meldingen(conn, file),
        AdminCommand::ImportKwalificatiedossiers(file) => import_dossiers(conn, file),
    }
}

/// Run `f` in one transaction.
fn conn_tx<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, CliError>,
) -> Result<T, CliError> {
    bpv_store::write_transaction(conn, f)
}

impl From<diesel::result::Error> for CliError {
    fn from(e: diesel::result::Error) -> Self {
        CliError::from(bpv_store::StoreError::from(e))
    }
}
