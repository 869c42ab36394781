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
    /// Instellingen (schoolbesturen, op BRIN) en hun deelname.
    Instelling {
        #[command(subcommand)]
        command: InstellingCommand,
    },
    /// Onderwijsaanbieders van een instelling.
    Aanbieder {
        #[command(subcommand)]
        command: AanbiederCommand,
    },
    /// Onderwijslocaties van een aanbieder.
    Locatie {
        #[command(subcommand)]
        command: LocatieCommand,
    },
    /// Personen die de handmatige uploadpagina mogen gebruiken (hoogstens twee actief per BRIN).
    Gemachtigde {
        #[command(subcommand)]
        command: GemachtigdeCommand,
    },
    /// Lezers: kwaliteitsmedewerkers en teamleiders die de resultaten van een instelling op het dashboard
    /// lezen (geen upload), onbeperkt per instelling, eventueel beperkt tot bepaalde aanbieders of locaties.
    Lezer {
        #[command(subcommand)]
        command: LezerCommand,
    },
    /// SBB-medewerkers die de resultaten van elke instelling op het dashboard mogen lezen.
    Medewerker {
        #[command(subcommand)]
        command: MedewerkerCommand,
    },
    /// Inspectie en OCW: lezen de kwartaalfoto's van de datakwaliteit van elke instelling op het
    /// dashboard, verder niets.
    Toezicht {
        #[command(subcommand)]
        command: ToezichtCommand,
    },
    /// API-clients (OAuth2 client credentials).
    Client {
        #[command(subcommand)]
        command: ClientCommand,
    },
    /// Importeer het crebo-register: CSV `crebo;naam;niveau;sector` en eventueel `domein`.
    ImportCrebo(FileArg),
    /// Importeer erkenningen van leerbedrijven: CSV `leerbedrijf_id;crebo;geldig_van;geldig_tot` en
    /// eventueel `keuzedeel_code` (bij een regel voor een keuzedeel blijft crebo leeg), `aanvraagdatum`
    /// en `besluitdatum`.
    ImportErkenningen(FileArg),
    /// Importeer de meldingsdata van bpvo's bij DUO (datakwaliteit): CSV
    /// `aanbiedercode;correlatie_id;startdatum;meldingsdatum`, alles of niets.
    ImportDuoMeldingen(FileArg),
    /// Importeer kwalificatiedossiers (de werkprocessen van elke kwalificatie, voor het
    /// Praktijkloket): CSV `crebo;kerntaak_code;kerntaak_naam;werkproces_code;werkproces_naam` of een
    /// JSON-array van {crebo, kerntaakCode, kerntaakNaam, werkprocesCode, werkprocesNaam}. Vervangt
    /// de dossiers van de crebo's in het bestand; alles of niets, met elke foute regel genoemd.
    ImportKwalificatiedossiers(FileArg),
    /// Voeg de bpvo-registraties van SBB (praktijkopleider, leerbedrijf) samen op aanbiedercode + correlatieId:
    /// CSV `Aanbiedercode;Correlatie_id;Leerbedrijf_code;Crebo_code;Leerweg_naam;Startdatum;Geplande_einddatum;
    /// Werkelijke_einddatum;Praktijkopleider_naam;Praktijkopleider_emailadres` of een JSON-array.
    ImportRegistraties(FileArg),
    /// Importeer antwoorden van een extern onderzoeksbureau (dezelfde itemcodes als het webformulier):
    /// CSV met `uitnodiging_id` of `aanbiedercode;correlatie_id;groep`, dan `cijfer;voorbereiding_1;…;verbeterpunten`.
    ImportAntwoorden(FileArg),
    /// Importeer resultaten van eerdere jaren (eerdere onderzoeksbureaus): CSV-regels `soort` = `antwoord`
    /// (`maand;aanbiedercode;locatiecode;leerweg;crebo;groep`, eventueel `vragenlijst`, dan de
    /// itemkolommen `cijfer;voorbereiding_1;…`) of `uitnodigingen` (dezelfde sleutels en `aantal`,
    /// verstuurde uitnodigingen in die cel). Geen persoonsgegevens, geen vrije tekst. Alles of niets,
    /// met elke foute regel genoemd; hetzelfde bestand twee keer verandert niets. Telt vanaf de
    /// volgende publicatie mee in elk cijfer en in de trend.
    ImportHistorie(FileArg),
    /// Lees het auditlog (alleen aanvullen): wie deed wat, wanneer — uploads, aanmeldingen, beheerwijzigingen,
    /// niet-geaggregeerde inzages, verwijderingen. Oudste eerst.
    Audit(AuditArgs),
    /// Leerbedrijven met een veiligheidssignaal (sociale veiligheid, stagediscriminatie): ten minste
    /// `veiligheid.min_respondenten` verschillende respondenten aan de onveilige kant onder ten minste
    /// `reporting.k` antwoorden in `veiligheid.venster_maanden` maanden; aantallen in klassen. Voor
    /// SBB-adviseurs; elke inzage komt in het auditlog.
    Signalen(SignalenArgs),
}

#[derive(Debug, Args)]
pub struct SignalenArgs {
    /// De laatste maand van het venster (jjjj-mm); standaard de vorige maand.
    #[arg(long)]
    pub tot: Option<String>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Alleen regels over deze instelling (BRIN).
    #[arg(long)]
    pub instelling: Option<String>,
    /// Alleen regels op of na deze dag (jjjj-mm-dd, UTC).
    #[arg(long)]
    pub since: Option<String>,
    /// Hoogstens dit aantal (de meest recente).
    #[arg(long, default_value_t = 200)]
    pub limit: i64,
}

#[derive(Debug, Subcommand)]
pub enum InstellingCommand {
    /// Registreer een instelling.
    Add {
        #[arg(long)]
        brin: String,
        #[arg(long)]
        naam: String,
        /// Organisatie-identificatienummer (20 cijfers), nodig voor niet-geaggregeerde resultaten.
        #[arg(long)]
        oin: Option<String>,
    },
    /// Toon een instelling met haar deelname, aanbieders, locaties, gemachtigden en clients.
    Show { brin: String },
    /// Toon alle instellingen.
    List,
    /// Wijzig hoe een instelling deelneemt; datums als jjjj-mm-dd, `geen` wist een datum.
    SetParticipation(ParticipationArgs),
    /// Waar de studenten van de instelling terechtkunnen voor hulp (vertrouwenspersoon, klachtenprocedure):
    /// getoond aan een respondent die aan de onveilige kant van sociale veiligheid of
    /// stagediscriminatie antwoordde. Zonder opties geldt weer de landelijke tekst.
    SetContact {
        brin: String,
        /// Een korte tekst, bijv. "De vertrouwenspersoon van het Amstelvliet College, 020 123 4567".
        #[arg(long)]
        tekst: Option<String>,
        /// Een https-adres, bijv. de pagina van de klachtenprocedure.
        #[arg(long)]
        url: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct ParticipationArgs {
    pub brin: String,
    /// Neemt deel aan directe studentbevraging (studenten worden rechtstreeks bevraagd).
    #[arg(long)]
    pub directe_studentbevraging: Option<bool>,
    /// Datum van de intake (`geen` om te wissen).
    #[arg(long)]
    pub intake_op: Option<String>,
    /// Datum waarop de verwerkersovereenkomst is getekend (`geen` om te wissen); zonder die datum geen upload.
    #[arg(long)]
    pub verwerkersovereenkomst: Option<String>,
    /// Gebruikt de resultaten-API.
    #[arg(long)]
    pub resultaten_api: Option<bool>,
    /// OIN (`geen` om te wissen).
    #[arg(long)]
    pub oin: Option<String>,
    /// De instelling leest de verbeterpunten van haar eigen selecties (ten minste k antwoorden).
    #[arg(long)]
    pub verbeterpunten_delen: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum AanbiederCommand {
    /// Voeg een aanbieder (RIO-code zoals 123A456) toe aan een instelling.
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
    /// Voeg een locatie (code zoals 123X456) van een aanbieder toe, of wijzig haar naam.
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
    /// Voeg een toezichthouder toe; toont eenmalig een gegenereerd wachtwoord, behalve met `--password-stdin`.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        naam: String,
        /// `inspectie` of `ocw`.
        #[arg(long)]
        organisatie: String,
        /// Lees het wachtwoord (ten minste 12 tekens) van standaardinvoer.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Deactiveer een toezichthouder (de dashboardsessie eindigt direct).
    Remove {
        #[arg(long)]
        email: String,
    },
    /// Toon de toezichtaccounts.
    List,
}

/// `bpv admin medewerker …`.
#[derive(Debug, Subcommand)]
pub enum MedewerkerCommand {
    /// Voeg een SBB-medewerker toe; toont eenmalig een gegenereerd wachtwoord, behalve met `--password-stdin`.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        naam: String,
        /// Lees het wachtwoord (ten minste 12 tekens) van standaardinvoer.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Deactiveer een medewerker (de dashboardsessie eindigt direct).
    Remove {
        #[arg(long)]
        email: String,
    },
    /// Toon de medewerkeraccounts.
    List,
}

#[derive(Debug, Subcommand)]
pub enum GemachtigdeCommand {
    /// Voeg een gemachtigde toe; toont eenmalig een gegenereerd wachtwoord, behalve met `--password-stdin`.
    Add {
        #[arg(long)]
        brin: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        naam: String,
        /// Lees het wachtwoord (ten minste 12 tekens) van standaardinvoer.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Deactiveer een gemachtigde.
    Remove {
        #[arg(long)]
        brin: String,
        #[arg(long)]
        email: String,
    },
    /// Toon de gemachtigden van een instelling.
    List { brin: String },
}

#[derive(Debug, Subcommand)]
pub enum LezerCommand {
    /// Voeg een lezer toe; toont eenmalig een gegenereerd wachtwoord, behalve met `--password-stdin`.
    Add {
        #[arg(long)]
        brin: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        naam: String,
        /// Alleen de resultaten van deze aanbieder (aanbiedercode); herhaal voor meer. Standaard: alle.
        #[arg(long = "aanbieder")]
        aanbieders: Vec<String>,
        /// Alleen de resultaten van deze locatie (locatiecode); herhaal voor meer. Standaard: alle.
        #[arg(long = "locatie")]
        locaties: Vec<String>,
        /// Lees het wachtwoord (ten minste 12 tekens) van standaardinvoer.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Deactiveer een lezer (de dashboardsessie eindigt direct).
    Remove {
        #[arg(long)]
        brin: String,
        #[arg(long)]
        email: String,
    },
    /// Toon de lezers van een instelling met wat ieder mag lezen.
    List { brin: String },
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Maak een API-client aan; toont het geheim eenmalig (alleen een hash wordt bewaard).
    Create {
        /// De instelling waarvoor de client optreedt (niet bij `--rol sbb`).
        #[arg(long)]
        brin: Option<String>,
        #[arg(long)]
        naam: String,
        /// Toe te kennen scope; herhaal voor meer (standaard: bpvo:write en resultaten:read).
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// `school` (beperkt tot de eigen instelling) of `sbb` (SBB-medewerkers: landelijke cijfers).
        #[arg(long, default_value = "school")]
        rol: String,
    },
    /// Toon de clients.
    List {
        #[arg(long)]
        brin: Option<String>,
    },
    /// Trek een client in.
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
