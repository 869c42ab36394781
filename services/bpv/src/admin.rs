//! `bpv admin …`: the operator's changes to instellingen, aanbieders, locaties, gemachtigden,
//! API clients and reference data. Every change is written to the audit log.

use bpv_store::models::{AanbiederRow, ApiClientRow, ErkenningRow, InstellingRow, KwalificatieRow, LocatieRow};
use bpv_store::repo::{aanbieders, api_clients, audit, gemachtigden, instellingen, medewerkers, referentie};
use bpv_store::{DbConnection, Rol, ids::new_id, now_utc};
use bpvo::{Aanbiedercode, Brin, Email, Locatiecode, Naam, Oin, Schoolnaam, ValueError};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use serde_json::json;

use crate::cli::FileArg;
use crate::output::{ja_nee, kv, opt_date, table};
use crate::{CliError, bad};

/// Scopes a client may be given.
pub const KNOWN_SCOPES: &[&str] = &["bpvo:write", "resultaten:read"];

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
    /// SBB staff who may read every instelling's results on the dashboard.
    Medewerker {
        #[command(subcommand)]
        command: MedewerkerCommand,
    },
    /// API clients (OAuth2 client credentials).
    Client {
        #[command(subcommand)]
        command: ClientCommand,
    },
    /// Import the crebo register: CSV `crebo;naam;niveau;sector`.
    ImportCrebo(FileArg),
    /// Import erkenningen of leerbedrijven: CSV `leerbedrijf_id;crebo;geldig_van;geldig_tot`.
    ImportErkenningen(FileArg),
    /// Merge SBB's bpvo registrations (praktijkopleider, leerbedrijf) by aanbiedercode + correlatieId:
    /// CSV `Aanbiedercode;Correlatie_id;Leerbedrijf_code;Crebo_code;Leerweg_naam;Startdatum;Geplande_einddatum;
    /// Werkelijke_einddatum;Praktijkopleider_naam;Praktijkopleider_emailadres` or a JSON array.
    ImportRegistraties(FileArg),
    /// Import answers collected by an external survey bureau (same item codes as the web form):
    /// CSV with `uitnodiging_id` or `aanbiedercode;correlatie_id;groep`, then `cijfer;voorbereiding_1;…;verbeterpunten`.
    ImportAntwoorden(FileArg),
    /// Read the audit log (append-only): who did what, when — uploads, logins, admin changes,
    /// non-aggregated reads, purges. Oldest first.
    Audit(AuditArgs),
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
    /// One JSON object per line instead of the table.
    #[arg(long)]
    pub json: bool,
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

fn audit_log(conn: &mut DbConnection, args: AuditArgs) -> Result<(), CliError> {
    let brin = args.instelling.as_deref().map(parse_brin).transpose()?;
    let since = args
        .since
        .as_deref()
        .map(|s| bpvo::parse_iso_date(s).map_err(|e| invalid("--since", &e)))
        .transpose()?
        .map(|d| d.and_time(chrono::NaiveTime::MIN));
    if !(1..=100_000).contains(&args.limit) {
        return Err(bad("--limit: tussen 1 en 100000"));
    }
    let mut rows = audit::list(conn, brin.as_ref().map(|b| b.as_str()), since, args.limit)?;
    rows.reverse();
    if args.json {
        for r in &rows {
            let detail: serde_json::Value =
                serde_json::from_str(&r.detail).unwrap_or(serde_json::Value::String(r.detail.clone()));
            println!(
                "{}",
                json!({
                    "tijd": r.at.and_utc().to_rfc3339(), "wie": { "soort": r.actor_kind, "id": r.actor_id },
                    "instelling": r.brin, "actie": r.action, "rijen": r.row_count, "detail": detail,
                })
            );
        }
        return Ok(());
    }
    if rows.is_empty() {
        println!("geen regels in het auditlog voor deze selectie");
        return Ok(());
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                format!("{}:{}", r.actor_kind, r.actor_id),
                r.brin.clone().unwrap_or_else(|| "—".into()),
                r.action.clone(),
                r.row_count.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
                r.detail.clone(),
            ]
        })
        .collect();
    table(&["tijd (UTC)", "wie", "instelling", "actie", "rijen", "detail"], &cells);
    if rows.len() as i64 == args.limit {
        println!("(de laatste {} regels; --limit of --since voor meer of minder)", args.limit);
    }
    Ok(())
}

fn operator() -> String {
    std::env::var("SUDO_USER").or_else(|_| std::env::var("USER")).unwrap_or_else(|_| "onbekend".into())
}

fn audit_admin(
    conn: &mut DbConnection,
    brin: Option<&str>,
    action: &str,
    detail: serde_json::Value,
) -> Result<(), CliError> {
    let who = operator();
    audit::append(conn, now_utc(), audit::Actor { kind: "admin", id: &who }, brin, action, &detail, None)?;
    Ok(())
}

pub(crate) fn run(conn: &mut DbConnection, command: AdminCommand) -> Result<(), CliError> {
    match command {
        AdminCommand::Instelling { command } => instelling(conn, command),
        AdminCommand::Audit(args) => audit_log(conn, args),
        AdminCommand::Aanbieder { command: AanbiederCommand::Add { brin, code, naam } } => {
            aanbieder_add(conn, brin, code, naam)
        }
        AdminCommand::Locatie { command: LocatieCommand::Add { aanbieder, code, naam, plaats } } => {
            locatie_add(conn, aanbieder, code, naam, plaats)
        }
        AdminCommand::Gemachtigde { command } => gemachtigde(conn, command),
        AdminCommand::Medewerker { command } => medewerker(conn, command),
        AdminCommand::Client { command } => client(conn, command),
        AdminCommand::ImportCrebo(file) => import_crebo(conn, file),
        AdminCommand::ImportRegistraties(file) => import_registraties(conn, file),
        AdminCommand::ImportAntwoorden(file) => import_antwoorden(conn, file),
        AdminCommand::ImportErkenningen(file) => import_erkenningen(conn, file),
    }
}

/// Add an aanbieder to an instelling.
fn aanbieder_add(conn: &mut DbConnection, brin: String, code: String, naam: String) -> Result<(), CliError> {
    let brin = parse_brin(&brin)?;
    let code = Aanbiedercode::parse(&code).map_err(|e| invalid("--code", &e))?;
    let naam = Schoolnaam::parse(&naam).map_err(|e| invalid("--naam", &e))?;
    instellingen::get(conn, brin.as_str())?;
    conn_tx(conn, |conn| {
        aanbieders::insert(
            conn,
            &AanbiederRow {
                aanbiedercode: code.as_str().into(),
                brin: brin.as_str().into(),
                naam: naam.as_str().into(),
                created_at: now_utc(),
            },
        )?;
        audit_admin(conn, Some(brin.as_str()), "aanbieder.add", json!({ "aanbiedercode": code.as_str() }))
    })?;
    println!("aanbieder {code} toegevoegd aan {brin}");
    Ok(())
}

/// Add (or rename) a locatie of an aanbieder.
fn locatie_add(
    conn: &mut DbConnection,
    aanbieder: String,
    code: String,
    naam: String,
    plaats: Option<String>,
) -> Result<(), CliError> {
    let aanbieder = Aanbiedercode::parse(&aanbieder).map_err(|e| invalid("--aanbieder", &e))?;
    let code = Locatiecode::parse(&code).map_err(|e| invalid("--code", &e))?;
    let naam = Schoolnaam::parse(&naam).map_err(|e| invalid("--naam", &e))?;
    let owner = aanbieders::find(conn, aanbieder.as_str())?
        .ok_or_else(|| bad(format!("aanbieder {aanbieder} bestaat niet (unknown aanbieder)")))?;
    conn_tx(conn, |conn| {
        aanbieders::upsert_locatie(
            conn,
            &LocatieRow {
                locatiecode: code.as_str().into(),
                aanbiedercode: aanbieder.as_str().into(),
                naam: naam.as_str().into(),
                plaats: plaats.clone(),
            },
        )?;
        audit_admin(conn, Some(&owner.brin), "locatie.add", json!({ "locatiecode": code.as_str() }))
    })?;
    println!("locatie {code} van {aanbieder} opgeslagen");
    Ok(())
}

/// Import SBB's register of qualifications (all or nothing).
fn import_crebo(conn: &mut DbConnection, file: FileArg) -> Result<(), CliError> {
    let bytes = file.read()?;
    let list = bpvo::read_kwalificaties(&bytes).map_err(|e| bad(format!("{}: {e}", file.file.display())))?;
    let rows: Vec<KwalificatieRow> = list
        .iter()
        .map(|k| KwalificatieRow {
            crebo: k.crebo.as_str().into(),
            naam: k.naam.clone(),
            niveau: i32::from(k.niveau),
            sector: k.sector.code().into(),
        })
        .collect();
    let n = conn_tx(conn, |conn| {
        let n = referentie::upsert_kwalificaties(conn, &rows)?;
        audit_admin(conn, None, "kwalificaties.import", json!({ "rows": n }))?;
        Ok(n)
    })?;
    println!("{n} kwalificaties geïmporteerd");
    Ok(())
}

/// Import SBB's own registrations of bpvo's (all or nothing; unknown aanbieders refuse the file).
fn import_registraties(conn: &mut DbConnection, file: FileArg) -> Result<(), CliError> {
    let bytes = file.read()?;
    let records = crate::registraties::read(&bytes).map_err(|e| bad(format!("{}: {e}", file.file.display())))?;
    let regs = crate::registraties::validate_all(&records).map_err(|problems| {
        let shown: Vec<&String> = problems.iter().take(50).collect();
        let more =
            if problems.len() > 50 { format!("\n… en nog {} fouten", problems.len() - 50) } else { String::new() };
        bad(format!(
            "{}: {} fout(en), niets geïmporteerd (nothing imported):\n  {}{more}",
            file.file.display(),
            problems.len(),
            shown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  ")
        ))
    })?;
    let known: std::collections::HashSet<String> =
        aanbieders::list(conn)?.into_iter().map(|a| a.aanbiedercode).collect();
    let unknown: std::collections::BTreeSet<&str> =
        regs.iter().map(|r| r.aanbiedercode.as_str()).filter(|c| !known.contains(*c)).collect();
    if !unknown.is_empty() {
        return Err(bad(format!(
            "onbekende aanbieder(s), niets geïmporteerd: {}",
            unknown.into_iter().collect::<Vec<_>>().join(", ")
        )));
    }
    let (added, updated) = conn_tx(conn, |conn| {
        let counts = bpv_store::repo::bpvos::merge_registraties(conn, &regs, now_utc())?;
        audit_admin(
            conn,
            None,
            "registraties.import",
            json!({ "rows": regs.len(), "nieuw": counts.0, "bijgewerkt": counts.1 }),
        )?;
        Ok(counts)
    })?;
    println!("{} registraties gelezen: {added} nieuwe bpvo's, {updated} aangevuld", regs.len());
    Ok(())
}

/// Import the answers of an external survey bureau.
fn import_antwoorden(conn: &mut DbConnection, file: FileArg) -> Result<(), CliError> {
    let bytes = file.read()?;
    let n = crate::antwoorden::import(conn, &bytes).map_err(|e| match e {
        CliError::BadInput(m) => bad(format!("{}: {m}", file.file.display())),
        other => other,
    })?;
    audit_admin(conn, None, "antwoorden.import", json!({ "rows": n }))?;
    println!("{n} antwoorden geïmporteerd");
    Ok(())
}

/// Import leerbedrijf recognitions (new ones only).
fn import_erkenningen(conn: &mut DbConnection, file: FileArg) -> Result<(), CliError> {
    let bytes = file.read()?;
    let list = bpvo::read_erkenningen(&bytes).map_err(|e| bad(format!("{}: {e}", file.file.display())))?;
    let rows: Vec<ErkenningRow> = list
        .iter()
        .map(|e| ErkenningRow {
            id: new_id(),
            leerbedrijf_id: e.leerbedrijf_id.as_str().into(),
            crebo: e.crebo.as_str().into(),
            geldig_van: e.geldig_van,
            geldig_tot: e.geldig_tot,
        })
        .collect();
    let n = conn_tx(conn, |conn| {
        let n = referentie::insert_erkenningen(conn, &rows)?;
        audit_admin(conn, None, "erkenningen.import", json!({ "rows": rows.len(), "new": n }))?;
        Ok(n)
    })?;
    println!("{} erkenningen gelezen, {n} nieuw", rows.len());
    Ok(())
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

fn instelling(conn: &mut DbConnection, command: InstellingCommand) -> Result<(), CliError> {
    match command {
        InstellingCommand::Add { brin, naam, oin } => {
            let brin = parse_brin(&brin)?;
            let naam = Schoolnaam::parse(&naam).map_err(|e| invalid("--naam", &e))?;
            let oin = oin.map(|o| Oin::parse(&o).map_err(|e| invalid("--oin", &e))).transpose()?;
            if instellingen::find(conn, brin.as_str())?.is_some() {
                return Err(bad(format!("instelling {brin} bestaat al (already exists)")));
            }
            let now = now_utc();
            conn_tx(conn, |conn| {
                instellingen::insert(
                    conn,
                    &InstellingRow {
                        brin: brin.as_str().into(),
                        naam: naam.as_str().into(),
                        oin: oin.as_ref().map(|o| o.as_str().into()),
                        directe_studentbevraging: false,
                        intake_op: None,
                        resultaten_api: false,
                        verwerkersovereenkomst_getekend_op: None,
                        created_at: now,
                        updated_at: now,
                    },
                )?;
                audit_admin(conn, Some(brin.as_str()), "instelling.add", json!({}))
            })?;
            println!("instelling {brin} ({naam}) toegevoegd");
            Ok(())
        }
        InstellingCommand::Show { brin } => {
            let brin = parse_brin(&brin)?;
            show_instelling(conn, &brin)
        }
        InstellingCommand::List => {
            let rows: Vec<Vec<String>> = instellingen::list(conn)?
                .into_iter()
                .map(|i| {
                    let direct = ja_nee(i.neemt_deel_aan_directe_bevraging());
                    vec![i.brin, i.naam, direct, opt_date(i.verwerkersovereenkomst_getekend_op)]
                })
                .collect();
            table(&["BRIN", "naam", "directe bevraging", "verwerkersovereenkomst"], &rows);
            Ok(())
        }
        InstellingCommand::SetParticipation(args) => {
            let brin = parse_brin(&args.brin)?;
            let change = instellingen::ParticipationChange {
                directe_studentbevraging: args.directe_studentbevraging,
                intake_op: args.intake_op.as_deref().map(|d| parse_opt_date("--intake-op", d)).transpose()?,
                resultaten_api: args.resultaten_api,
                verwerkersovereenkomst_getekend_op: args
                    .verwerkersovereenkomst
                    .as_deref()
                    .map(|d| parse_opt_date("--verwerkersovereenkomst", d))
                    .transpose()?,
                oin: args
                    .oin
                    .as_deref()
                    .map(|o| match o.trim().to_lowercase().as_str() {
                        "geen" | "none" => Ok(None),
                        _ => Oin::parse(o).map(|o| Some(o.into_inner())).map_err(|e| invalid("--oin", &e)),
                    })
                    .transpose()?,
                naam: None,
            };
            if change == instellingen::ParticipationChange::default() {
                return Err(bad(
                    "geef minstens één wijziging op, bv. --verwerkersovereenkomst 2024-01-15 (nothing to change)",
                ));
            }
            conn_tx(conn, |conn| {
                let row = instellingen::set_participation(conn, brin.as_str(), &change, now_utc())?;
                audit_admin(
                    conn,
                    Some(brin.as_str()),
                    "instelling.set-participation",
                    json!({
                        "directeStudentbevraging": row.directe_studentbevraging,
                        "intakeOp": row.intake_op,
                        "resultatenApi": row.resultaten_api,
                        "verwerkersovereenkomstGetekendOp": row.verwerkersovereenkomst_getekend_op,
                        "oinGezet": row.oin.is_some(),
                    }),
                )
            })?;
            show_instelling(conn, &brin)
        }
    }
}

fn show_instelling(conn: &mut DbConnection, brin: &Brin) -> Result<(), CliError> {
    let i = instellingen::get(conn, brin.as_str())?;
    println!("{} — {}", i.brin, i.naam);
    kv(&[
        ("OIN", i.oin.clone().unwrap_or_else(|| "—".into())),
        ("directe studentbevraging", ja_nee(i.directe_studentbevraging)),
        ("intake gedaan op", opt_date(i.intake_op)),
        ("verwerkersovereenkomst getekend op", opt_date(i.verwerkersovereenkomst_getekend_op)),
        ("resultaten-API", ja_nee(i.resultaten_api)),
        ("neemt deel (direct bevragen)", ja_nee(i.neemt_deel_aan_directe_bevraging())),
    ]);
    let aanb = aanbieders::list_for_brin(conn, brin.as_str())?;
    let codes: Vec<String> = aanb.iter().map(|a| a.aanbiedercode.clone()).collect();
    println!("aanbieders:");
    table(&["code", "naam"], &aanb.iter().map(|a| vec![a.aanbiedercode.clone(), a.naam.clone()]).collect::<Vec<_>>());
    let loc = aanbieders::locaties_for(conn, &codes)?;
    println!("locaties:");
    table(
        &["code", "aanbieder", "naam", "plaats"],
        &loc.iter()
            .map(|l| {
                vec![
                    l.locatiecode.clone(),
                    l.aanbiedercode.clone(),
                    l.naam.clone(),
                    l.plaats.clone().unwrap_or_default(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    println!("gemachtigden:");
    let gm = gemachtigden::list(conn, brin.as_str())?;
    table(
        &["e-mail", "naam", "actief"],
        &gm.iter().map(|g| vec![g.email.clone(), g.naam.clone(), ja_nee(g.actief)]).collect::<Vec<_>>(),
    );
    println!("API-clients:");
    let cl = api_clients::list(conn, Some(brin.as_str()))?;
    table(
        &["client_id", "naam", "scopes", "ingetrokken"],
        &cl.iter()
            .map(|c| vec![c.client_id.clone(), c.naam.clone(), c.scopes.clone(), ja_nee(c.revoked_at.is_some())])
            .collect::<Vec<_>>(),
    );
    Ok(())
}

/// A password from standard input (at least 12 characters) or generated; with its hash.
fn new_password(from_stdin: bool) -> Result<(String, String, bool), CliError> {
    let (password, generated) = if from_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map_err(anyhow::Error::from)?;
        let pw = line.trim_end_matches(['\r', '\n']).to_owned();
        if pw.chars().count() < 12 {
            return Err(bad("wachtwoord moet minstens 12 tekens hebben (password must be at least 12 characters)"));
        }
        (pw, false)
    } else {
        (bpv_web::credentials::generate_secret(), true)
    };
    let hash = bpv_web::credentials::hash_secret(&password).map_err(anyhow::Error::from)?;
    Ok((password, hash, generated))
}

fn medewerker(conn: &mut DbConnection, command: MedewerkerCommand) -> Result<(), CliError> {
    match command {
        MedewerkerCommand::Add { email, naam, password_stdin } => {
            let email = Email::parse(&email).map_err(|e| invalid("--email", &e))?;
            let naam = Naam::parse(&naam).map_err(|e| invalid("--naam", &e))?;
            let (password, hash, generated) = new_password(password_stdin)?;
            let row = conn_tx(conn, |conn| {
                let row = medewerkers::add(conn, email.as_str(), naam.as_str(), &hash, now_utc())?;
                audit_admin(conn, None, "medewerker.add", json!({ "medewerkerId": row.id }))?;
                Ok(row)
            })?;
            println!("SBB-medewerker {} toegevoegd", row.email);
            if generated {
                println!("wachtwoord (wordt niet nog eens getoond): {password}");
            }
            Ok(())
        }
        MedewerkerCommand::Remove { email } => {
            let removed = conn_tx(conn, |conn| {
                let removed = medewerkers::remove(conn, &email, now_utc())?;
                if removed {
                    audit_admin(conn, None, "medewerker.remove", json!({}))?;
                }
                Ok(removed)
            })?;
            if !removed {
                return Err(bad(format!("geen actieve SBB-medewerker {email} (no such active account)")));
            }
            println!("SBB-medewerker {email} gedeactiveerd");
            Ok(())
        }
        MedewerkerCommand::List => {
            let rows: Vec<Vec<String>> = medewerkers::list(conn)?
                .into_iter()
                .map(|m| vec![m.email, m.naam, ja_nee(m.actief), m.created_at.format("%Y-%m-%d").to_string()])
                .collect();
            table(&["e-mail", "naam", "actief", "sinds"], &rows);
            Ok(())
        }
    }
}

fn gemachtigde(conn: &mut DbConnection, command: GemachtigdeCommand) -> Result<(), CliError> {
    match command {
        GemachtigdeCommand::Add { brin, email, naam, password_stdin } => {
            let brin = parse_brin(&brin)?;
            let email = Email::parse(&email).map_err(|e| invalid("--email", &e))?;
            let naam = Naam::parse(&naam).map_err(|e| invalid("--naam", &e))?;
            let (password, hash, generated) = new_password(password_stdin)?;
            let row = conn_tx(conn, |conn| {
                let row = gemachtigden::add(
                    conn,
                    &gemachtigden::NewGemachtigde {
                        brin: brin.as_str(),
                        email: email.as_str(),
                        naam: naam.as_str(),
                        password_hash: &hash,
                    },
                    now_utc(),
                )?;
                audit_admin(conn, Some(brin.as_str()), "gemachtigde.add", json!({ "gemachtigdeId": row.id }))?;
                Ok(row)
            })?;
            println!("gemachtigde {} toegevoegd aan {brin}", row.email);
            if generated {
                println!("wachtwoord (wordt niet nog eens getoond): {password}");
            }
            Ok(())
        }
        GemachtigdeCommand::Remove { brin, email } => {
            let brin = parse_brin(&brin)?;
            let removed = conn_tx(conn, |conn| {
                let removed = gemachtigden::remove(conn, brin.as_str(), &email, now_utc())?;
                if removed {
                    audit_admin(conn, Some(brin.as_str()), "gemachtigde.remove", json!({}))?;
                }
                Ok(removed)
            })?;
            if !removed {
                return Err(bad(format!("geen actieve gemachtigde {email} bij {brin} (no such active gemachtigde)")));
            }
            println!("gemachtigde {email} van {brin} gedeactiveerd");
            Ok(())
        }
        GemachtigdeCommand::List { brin } => {
            let brin = parse_brin(&brin)?;
            instellingen::get(conn, brin.as_str())?;
            let rows: Vec<Vec<String>> = gemachtigden::list(conn, brin.as_str())?
                .into_iter()
                .map(|g| vec![g.email, g.naam, ja_nee(g.actief), g.created_at.format("%Y-%m-%d").to_string()])
                .collect();
            table(&["e-mail", "naam", "actief", "sinds"], &rows);
            Ok(())
        }
    }
}

fn client(conn: &mut DbConnection, command: ClientCommand) -> Result<(), CliError> {
    match command {
        ClientCommand::Create { brin, naam, scopes, rol } => {
            let brin = brin.as_deref().map(parse_brin).transpose()?;
            let Some(rol) = Rol::parse(&rol) else {
                return Err(bad(format!("--rol moet school of sbb zijn (gekregen: {rol:?})")));
            };
            match (rol, &brin) {
                (Rol::School, None) => {
                    return Err(bad("--brin is verplicht voor een school-client (required for rol school)"));
                }
                (Rol::Sbb, Some(_)) => return Err(bad("een sbb-client hoort bij geen instelling: laat --brin weg")),
                _ => {}
            }
            let scopes = if scopes.is_empty() { KNOWN_SCOPES.iter().map(|s| s.to_string()).collect() } else { scopes };
            for s in &scopes {
                if !KNOWN_SCOPES.contains(&s.as_str()) {
                    return Err(bad(format!("onbekende scope {s:?}; bekend: {}", KNOWN_SCOPES.join(", "))));
                }
            }
            if let Some(b) = &brin {
                instellingen::get(conn, b.as_str())?;
            }
            let client_id = new_client_id(brin.as_ref());
            let secret = bpv_web::credentials::generate_secret();
            let hash = bpv_web::credentials::hash_secret(&secret).map_err(anyhow::Error::from)?;
            let row = ApiClientRow {
                client_id: client_id.clone(),
                brin: brin.as_ref().map(|b| b.as_str().into()),
                naam,
                rol,
                scopes: scopes.join(" "),
                secret_hash: hash,
                created_at: now_utc(),
                revoked_at: None,
            };
            conn_tx(conn, |conn| {
                api_clients::insert(conn, &row)?;
                audit_admin(
                    conn,
                    row.brin.as_deref(),
                    "client.create",
                    json!({ "clientId": row.client_id, "scopes": row.scopes, "rol": row.rol.as_str() }),
                )
            })?;
            println!("client aangemaakt (het secret wordt niet nog eens getoond):");
            kv(&[("client_id", client_id), ("client_secret", secret), ("scopes", row.scopes)]);
            Ok(())
        }
        ClientCommand::List { brin } => {
            let brin = brin.as_deref().map(parse_brin).transpose()?;
            let rows: Vec<Vec<String>> = api_clients::list(conn, brin.as_ref().map(|b| b.as_str()))?
                .into_iter()
                .map(|c| {
                    vec![
                        c.client_id,
                        c.brin.unwrap_or_else(|| "—".into()),
                        c.rol.to_string(),
                        c.scopes,
                        ja_nee(c.revoked_at.is_some()),
                    ]
                })
                .collect();
            table(&["client_id", "BRIN", "rol", "scopes", "ingetrokken"], &rows);
            Ok(())
        }
        ClientCommand::Revoke { client_id } => {
            let revoked = conn_tx(conn, |conn| {
                let revoked = api_clients::revoke(conn, &client_id, now_utc())?;
                if revoked {
                    audit_admin(conn, None, "client.revoke", json!({ "clientId": client_id }))?;
                }
                Ok(revoked)
            })?;
            if !revoked {
                return Err(bad(format!("geen actieve client {client_id} (no such active client)")));
            }
            println!("client {client_id} ingetrokken");
            Ok(())
        }
    }
}

/// `bpv_25ab_x7k2…`: readable in logs, says whose it is, unguessable tail.
fn new_client_id(brin: Option<&Brin>) -> String {
    let owner = brin.map(|b| b.as_str().to_lowercase()).unwrap_or_else(|| "sbb".into());
    let tail: String =
        bpv_web::credentials::generate_secret().chars().filter(char::is_ascii_alphanumeric).take(12).collect();
    format!("bpv_{owner}_{}", tail.to_lowercase())
}
