//! `bpv demo`: the whole system on one machine with no server to install — an SQLite file under
//! `./data`, migrated and filled with realistic synthetic data, and a report of what is there.

use std::time::Instant;

use bpv_store::repo::{bpvos, instellingen};
use bpv_store::{Backend, DbConnection};
use clap::Args;

use crate::cli::open_database;
use crate::output::kv;
use crate::seed::{SeedConfig, seed};
use crate::{CliError, bad};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many bpvo's to make.
    #[arg(long, default_value_t = 5_000)]
    pub bpvos: usize,
    /// Random seed (the same seed makes the same data).
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Start from an empty database: removes the SQLite file first (refused for PostgreSQL).
    #[arg(long)]
    pub reset: bool,
}

pub(crate) fn run(settings: &bpv_web::Settings, args: DemoArgs) -> Result<(), CliError> {
    let started = Instant::now();
    if args.bpvos > 1_000_000 {
        return Err(bad("--bpvos: at most 1000000"));
    }
    let (url, pool) = if args.reset {
        let (url, _) = open_database(settings)?;
        if url.backend() != Backend::Sqlite {
            return Err(bad(
                "--reset removes the database file and is only for SQLite; empty a PostgreSQL database yourself",
            ));
        }
        reset_sqlite(&url.redacted())?;
        open_database(settings)?
    } else {
        open_database(settings)?
    };
    println!("BPV Monitor demo — database {}", url.redacted());
    let mut conn = pool.get().map_err(anyhow::Error::from)?;
    let applied = bpv_store::run_migrations(&mut conn)?;
    if !applied.is_empty() {
        println!("migraties toegepast: {}", applied.join(", "));
    }
    let today = chrono::Local::now().date_naive();
    if instellingen::list(&mut conn)?.is_empty() {
        let t = Instant::now();
        let s = seed(&mut conn, &SeedConfig { bpvos: args.bpvos, seed: args.seed, today })?;
        println!("demodata aangemaakt in {:.1} s:", t.elapsed().as_secs_f64());
        kv(&[
            ("instellingen", s.instellingen.to_string()),
            ("aanbieders", s.aanbieders.to_string()),
            ("locaties", s.locaties.to_string()),
            ("kwalificaties (crebo)", s.kwalificaties.to_string()),
            ("leerbedrijven", s.leerbedrijven.to_string()),
            ("erkenningen", s.erkenningen.to_string()),
            ("bpvo's", s.bpvos.to_string()),
            ("  met e-mailadres student", s.bpvos_met_student_email.to_string()),
        ]);
    } else {
        println!("de database heeft al gegevens; niets toegevoegd (gebruik --reset om opnieuw te beginnen)");
    }
    report(&mut conn)?;
    println!("klaar in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn reset_sqlite(redacted: &str) -> Result<(), CliError> {
    let path = redacted.trim_start_matches("sqlite://");
    for suffix in ["", "-wal", "-shm"] {
        let p = format!("{path}{suffix}");
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(CliError::Failure(anyhow::anyhow!("cannot remove {p}: {e}"))),
        }
    }
    Ok(())
}

fn report(conn: &mut DbConnection) -> Result<(), CliError> {
    println!("in de database:");
    let list = instellingen::list(conn)?;
    let deelname = list.iter().filter(|i| i.neemt_deel_aan_directe_bevraging()).count();
    let mut rows = vec![
        ("instellingen", list.len().to_string()),
        ("  nemen deel aan directe studentbevraging", deelname.to_string()),
    ];
    for (status, n) in bpvos::count_by_status(conn)? {
        rows.push(("bpvo's", format!("{n} {status}")));
    }
    kv(&rows);
    println!("probeer: bpv admin instelling show {}", list.first().map(|i| i.brin.as_str()).unwrap_or("25LX"));
    Ok(())
}
