//! `bpv-dispatcher run | status | retry --dead | purge | snapshot`, for cron. Exit codes: 0 done; 1 the run failed
//! (SMTP unreachable, more than `dispatcher.max_failure_share` of the mails failed, database
//! trouble); 2 bad usage or configuration.

use std::ffi::OsString;
use std::process::ExitCode;

use anyhow::Context;
use bpv_config::{Settings, SettingsSource};
use bpv_store::repo::{deliveries, invitations};
use bpv_store::{DbPool, now_utc};
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use secrecy::ExposeSecret;

use crate::{Dispatcher, RunOptions, mailer_from_settings};

/// Maildispatcher van de BPV Monitor, gestart door cron.
#[derive(Debug, Parser)]
#[command(
    name = "bpv-dispatcher",
    version,
    about,
    after_help = "Afsluitcodes: 0 gelukt; 1 mislukt (database of SMTP-server onbereikbaar, te veel mails \
                  niet verstuurd: dispatcher.max_failure_share); 2 verkeerde aanroep of instellingen."
)]
pub struct Cli {
    /// Database-URL; gaat voor `database.url` / `BPV__DATABASE__URL`.
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    /// Map met `default.toml` en `{BPV_ENV}.toml`.
    #[arg(long, global = true)]
    pub config_dir: Option<std::path::PathBuf>,
    /// Toon niets als `run`, `purge` of `snapshot` slaagt (voor cron, dat alle uitvoer
    /// mailt); fouten gaan nog steeds naar stderr met afsluitcode 1.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Plan de uitnodigingen en herinneringen van vandaag en verstuur elke mail die klaarstaat.
    Run {
        /// Plan voor deze dag in plaats van vandaag (jjjj-mm-dd).
        #[arg(long)]
        as_of: Option<NaiveDate>,
        /// Alleen plannen en tellen; niets wijzigen, niets versturen.
        #[arg(long)]
        dry_run: bool,
        /// Verstuur hoogstens dit aantal mails.
        #[arg(long)]
        limit: Option<usize>,
        /// Aantal mails tegelijk onderweg (standaard `dispatcher.concurrency`).
        #[arg(long)]
        concurrency: Option<usize>,
        /// Hoogstens dit aantal mails per seconde (standaard `dispatcher.rate_per_second`; 0 = geen grens).
        #[arg(long)]
        rate: Option<f64>,
        /// Toon één JSON-samenvatting in plaats van de regel.
        #[arg(long)]
        json: bool,
        /// Schrijf de samenvatting van de run ook als Prometheus-metrics naar dit bestand (geheel
        /// vervangen), bijv. in de textfile-map van node_exporter.
        #[arg(long, value_name = "PATH")]
        metrics_file: Option<std::path::PathBuf>,
    },
    /// Mails per status, de oudste die klaarstaat, en uitnodigingen per groep en status.
    Status {
        /// Toon één JSON-object in plaats van de tabel.
        #[arg(long)]
        json: bool,
    },
    /// Verwijder de persoonsgegevens waarvan de bewaartermijn voorbij is: namen, e-mailadressen en
    /// studentnummers `retention.days` na het sluiten van de bevraging, direct bij ingetrokken bpvo's. Dagelijks.
    Purge {
        /// Beoordeel als op deze dag in plaats van vandaag (jjjj-mm-dd).
        #[arg(long)]
        as_of: Option<NaiveDate>,
        /// Alleen tellen; niets verwijderen.
        #[arg(long)]
        dry_run: bool,
        /// Toon één JSON-rapport in plaats van de regels.
        #[arg(long)]
        json: bool,
    },
    /// Maak de kwartaalfoto van de datakwaliteit van elke instelling (cron op 1 januari, april, juli
    /// en oktober); een kwartaal dat al een foto heeft, blijft ongewijzigd.
    Snapshot {
        /// Draai als op deze dag in plaats van vandaag (jjjj-mm-dd); de foto is van het laatste kwartaal
        /// dat daarvoor eindigde.
        #[arg(long)]
        as_of: Option<NaiveDate>,
        /// Toon één JSON-rapport in plaats van de regel.
        #[arg(long)]
        json: bool,
    },
    /// Zet mails terug in de wachtrij.
    Retry {
        /// De mails die na het maximale aantal pogingen zijn opgegeven.
        #[arg(long, required = true)]
        dead: bool,
    },
}

/// Parse arguments, run, and give the exit code.
pub fn main<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let _telemetry = bpv_config::telemetry::init("bpv-dispatcher", "warn");
    let mut source = SettingsSource { config_dir: cli.config_dir.clone(), ..SettingsSource::default() };
    if let Some(url) = &cli.database_url {
        source.overrides.push(("database.url".into(), url.clone()));
    }
    let settings = match Settings::load_from(&source) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("fout: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mislukt: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli.command, settings, cli.quiet)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mislukt: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(command: Command, settings: Settings, quiet: bool) -> anyhow::Result<ExitCode> {
    // `status` only reads: it never changes the schema, whatever `database.migrate_on_start` says.
    let migrate = settings.database.migrate_on_start && !matches!(command, Command::Status { .. });
    let db = &settings.database;
    let (_, pool) = bpv_store::open(db.url.expose_secret(), db.pool_size.max(4), migrate)?;
    match command {
        Command::Run { as_of, dry_run, limit, concurrency, rate, json, metrics_file } => {
            let opts = RunOptions {
                as_of: as_of.unwrap_or_else(bpvo::vandaag),
                dry_run,
                limit,
                concurrency: concurrency.unwrap_or(settings.dispatcher.concurrency).max(1),
                rate_per_second: Some(rate.unwrap_or(settings.dispatcher.rate_per_second)).filter(|r| *r > 0.0),
                progress: !json && !quiet,
            };
            run_mails(pool, settings, &opts, Uitvoer { json, quiet }, metrics_file.as_deref()).await
        }
        Command::Status { json } => status(pool, json),
        Command::Purge { as_of, dry_run, json } => purge(pool, settings, as_of, dry_run, Uitvoer { json, quiet }),
        Command::Snapshot { as_of, json } => snapshot(pool, &settings, as_of, Uitvoer { json, quiet }),
        Command::Retry { dead } => retry(pool, dead),
    }
}

/// How a command reports: a line, JSON, or (`--quiet`) nothing when it succeeds.
#[derive(Debug, Clone, Copy)]
struct Uitvoer {
    json: bool,
    quiet: bool,
}

/// `run`: plan and send; exit 1 when SMTP is unreachable or too many mails failed.
async fn run_mails(
    pool: DbPool,
    settings: Settings,
    opts: &RunOptions,
    uitvoer: Uitvoer,
    metrics_file: Option<&std::path::Path>,
) -> anyhow::Result<ExitCode> {
    let max_share = settings.dispatcher.max_failure_share;
    let mailer = mailer_from_settings(&settings)?;
    let dispatcher = Dispatcher::new(pool, settings, mailer)?;
    let summary = dispatcher.run(opts).await?;
    let failed_share = summary.failure_share();
    let success = !summary.smtp_unreachable && failed_share <= max_share;
    if !(uitvoer.quiet && success) {
        if uitvoer.json {
            println!("{}", serde_json::to_string(&summary)?);
        } else {
            println!("{}", summary.line());
        }
    }
    if let Some(path) = metrics_file {
        write_replacing(path, &summary.metrics(chrono::Utc::now(), success))
            .with_context(|| format!("cannot write the metrics to {}", path.display()))?;
    }
    if summary.smtp_unreachable {
        eprintln!("mislukt: de SMTP-server is niet bereikbaar; er is niets verstuurd");
        return Ok(ExitCode::FAILURE);
    }
    if failed_share > max_share {
        eprintln!(
            "mislukt: {:.0}% van de mails is niet verstuurd (grens {:.0}%)",
            failed_share * 100.0,
            max_share * 100.0
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Write `content` to `path` through a temporary file beside it and a rename, so a collector
/// reading at the same moment sees the old file or the new one, never half of one.
fn write_replacing(path: &std::path::Path, content: &str) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = std::path::PathBuf::from(tmp);
    std::fs::write(&tmp, content)?;
    std::fs::rename(&tmp, path)
}

/// `status`: the outbox and the invitations, counted.
fn status(pool: DbPool, json: bool) -> anyhow::Result<ExitCode> {
    let mut conn = pool.get()?;
    let now = now_utc();
    let states = deliveries::status_counts(&mut conn)?;
    let oldest = deliveries::oldest_due(&mut conn, now)?;
    let invs = invitations::counts(&mut conn)?;
    if json {
        let value = serde_json::json!({
            "mails": states.iter().map(|(s, n)| (s.clone(), *n)).collect::<std::collections::BTreeMap<_, _>>(),
            "oudsteWachtendSinds": oldest.map(|t| t.and_utc().to_rfc3339()),
            "uitnodigingen": invs.iter().map(|(g, s, n)| serde_json::json!({"groep": g, "status": s, "aantal": n})).collect::<Vec<_>>(),
        });
        println!("{value}");
    } else {
        println!("mails:");
        for (s, n) in &states {
            println!("  {s:<14} {n}");
        }
        match oldest {
            Some(t) => println!("oudste wachtende mail sinds {} UTC", t.format("%Y-%m-%d %H:%M")),
            None => println!("geen wachtende mails"),
        }
        println!("uitnodigingen:");
        for (g, s, n) in &invs {
            println!("  {g:<17} {s:<12} {n}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `purge`: remove the personal data that is due (retention).
fn purge(
    pool: DbPool,
    settings: Settings,
    as_of: Option<NaiveDate>,
    dry_run: bool,
    uitvoer: Uitvoer,
) -> anyhow::Result<ExitCode> {
    let today = as_of.unwrap_or_else(bpvo::vandaag);
    let days = settings.retention.days;
    let mut conn = pool.get()?;
    let report = bpv_store::repo::retentie::purge(&mut conn, today, days, now_utc(), dry_run)?;
    if uitvoer.quiet {
        return Ok(ExitCode::SUCCESS);
    }
    if uitvoer.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        let verb = if dry_run { "zou verwijderen" } else { "verwijderd" };
        println!(
            "persoonsgegevens {verb}: {} bpvo's ({} na de bewaartermijn van {days} dagen, {} ingetrokken), {} verzendregels geschoond, {} uploadvoorbeelden, {} begeleidingsdocumenten, {} ingetrokken praktijkverklaringen",
            report.bpvos(),
            report.na_termijn,
            report.ingetrokken,
            report.afleveringen,
            report.uploadvoorbeelden,
            report.begeleidingsdocumenten,
            report.praktijkverklaringen
        );
        for (brin, n) in &report.per_instelling {
            println!("  {brin} {n}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `snapshot`: the quarter's data-quality photo.
fn snapshot(pool: DbPool, settings: &Settings, as_of: Option<NaiveDate>, uitvoer: Uitvoer) -> anyhow::Result<ExitCode> {
    let dag = as_of.unwrap_or_else(bpvo::vandaag);
    let mut conn = pool.get()?;
    let report = crate::housekeeping::snapshot(&mut conn, dag, now_utc(), &settings.datakwaliteit)?;
    if uitvoer.quiet {
        return Ok(ExitCode::SUCCESS);
    }
    if uitvoer.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "foto datakwaliteit {} (peildatum {}): {} instellingen vastgelegd, {} hadden er al een",
            report.kwartaal, report.peildatum, report.vastgelegd, report.al_aanwezig
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `retry --dead`: put given-up mails back in the queue.
fn retry(pool: DbPool, dead: bool) -> anyhow::Result<ExitCode> {
    debug_assert!(dead);
    let mut conn = pool.get()?;
    let n = deliveries::retry_dead(&mut conn, now_utc())?;
    println!("{n} opgegeven mails staan weer in de wachtrij");
    Ok(ExitCode::SUCCESS)
}
