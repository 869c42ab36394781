//! `bpv demo`: the whole system on one machine with no server to install — an SQLite file under
//! `./data`, migrated and filled with realistic synthetic data, and a report of what is there.

use std::time::Instant;

use bpv_store::repo::{bpvos, instellingen};
use bpv_store::{Backend, DbConnection};
use clap::Args;

use crate::output::kv;
use crate::seed::{SeedConfig, seed};
use crate::shared::open_database;
use crate::{CliError, bad};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Hoeveel bpvo's er worden aangemaakt.
    #[arg(long, default_value_t = 5_000)]
    pub bpvos: usize,
    /// Startwaarde voor het toeval (dezelfde waarde geeft dezelfde gegevens).
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Begin met een lege database: verwijdert eerst het SQLite-bestand (geweigerd bij PostgreSQL).
    #[arg(long)]
    pub reset: bool,
    /// Alleen migreren en vullen; de diensten niet starten.
    #[arg(long)]
    pub no_serve: bool,
    /// Schrijf de mail van vandaag niet naar `.eml`-bestanden (bijv. om die met `bpv-dispatcher` te versturen).
    #[arg(long)]
    pub no_mail: bool,
}

/// The demo's API client (local demo only; production clients get random secrets).
pub const DEMO_CLIENT_ID: &str = "bpv_demo_25lx";
/// Its secret.
pub const DEMO_CLIENT_SECRET: &str = "demo-geheim-alleen-voor-deze-demo";
/// The demo's SBB staff member for the results dashboard (same password as the gemachtigde).
pub const DEMO_MEDEWERKER: &str = "analist@sbb.example";

/// The demo's lezer: reads the results of 25LX's first aanbieder only (same password).
pub const DEMO_LEZER: &str = "kwaliteit@amstelvliet.example";

/// The demo's gemachtigde for the manual upload page.
pub const DEMO_GEMACHTIGDE: &str = "gemachtigde@amstelvliet.example";
/// Her password.
pub const DEMO_WACHTWOORD: &str = "demo-wachtwoord-2026";
/// The instelling the demo logins belong to.
pub const DEMO_BRIN: &str = "25LX";

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
    // The demo logins' password hashes (argon2, deliberately slow) are made on a thread of their
    // own while the seed writes on this one.
    let hashes = std::thread::spawn(DemoHashes::make);
    let today = bpvo::vandaag();
    if instellingen::list(&mut conn)?.is_empty() {
        bpv_store::with_bulk_cache(&mut conn, |conn| seed_all(conn, settings, &args, today))?;
    } else {
        println!("de database heeft al gegevens; niets toegevoegd (gebruik --reset om opnieuw te beginnen)");
    }
    let hashes = hashes.join().map_err(|_| anyhow::anyhow!("hashing the demo passwords panicked"))??;
    ensure_demo_logins(&mut conn, hashes)?;
    report(&mut conn)?;
    drop(conn);
    if !args.no_mail {
        dispatch_mail(settings, pool.clone())?;
    }
    println!("klaar in {:.1} s", started.elapsed().as_secs_f64());
    if args.no_serve {
        return Ok(());
    }
    serve(settings, pool)
}

/// The demo's data, its earlier surveys, retention and the data-quality photo, on one connection.
fn seed_all(
    conn: &mut DbConnection,
    settings: &bpv_web::Settings,
    args: &DemoArgs,
    today: chrono::NaiveDate,
) -> Result<(), CliError> {
    let t = Instant::now();
    let s = seed(conn, &SeedConfig { bpvos: args.bpvos, seed: args.seed, today })?;
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
        ("  met praktijkopleider (SBB-registratie)", s.bpvos_met_praktijkopleider.to_string()),
    ]);
    seed_history(conn, settings, args.seed, today)?;
    seed_praktijkloket(conn, args.seed, today)?;
    seed_contact(conn)?;
    // The daily purge, as cron runs it: the demo's older bpvo's lose their personal data just
    // as a real deployment's would, so the demo tells the truth about retention.
    let t = Instant::now();
    let purged = bpv_store::repo::retentie::purge(conn, today, settings.retention.days, bpv_store::now_utc(), false)?;
    println!(
        "bewaartermijn: persoonsgegevens van {} bpvo's verwijderd ({} dagen na afloop van de bevraging), in {:.1} s",
        purged.bpvos(),
        settings.retention.days,
        t.elapsed().as_secs_f64()
    );
    // The quarterly data-quality photo, as the cron run on the quarter's first day takes it.
    let t = Instant::now();
    let foto = bpv_dispatcher::housekeeping::snapshot(conn, today, bpv_store::now_utc(), &settings.datakwaliteit)?;
    println!(
        "kwartaalfoto datakwaliteit {}: {} instellingen, in {:.1} s",
        foto.kwartaal,
        foto.vastgelegd,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Earlier surveys of the bpvo's whose survey closed: invitations and answers (with one
/// leerbedrijf whose students more often answer on the unsafe side, for the Signalen tab).
fn seed_history(
    conn: &mut DbConnection,
    settings: &bpv_web::Settings,
    seed: u64,
    today: chrono::NaiveDate,
) -> Result<(), CliError> {
    let t = Instant::now();
    let rows = crate::history::bpvos(conn)?;
    let h = bpv_store::write_transaction(conn, |conn| {
        crate::history::seed_history(conn, &rows, seed, today, &settings.scheduling)
    })?;
    println!("eerdere bevragingen (afgesloten), in {:.1} s:", t.elapsed().as_secs_f64());
    kv(&[
        ("uitnodigingen", h.invitations.to_string()),
        ("antwoorden praktijkopleiders", h.answers_praktijkopleider.to_string()),
        ("antwoorden studenten", h.answers_student.to_string()),
        (
            "signaal veiligheid",
            crate::history::signaal_leerbedrijf(&rows).map_or_else(
                || "—".into(),
                |lb| format!("leerbedrijf {lb} (zie bpv admin signalen, of als SBB het dashboard → Signalen)"),
            ),
        ),
    ]);
    Ok(())
}

/// Where the demo school's students go for help after an unsafe answer (thank-you page).
fn seed_contact(conn: &mut DbConnection) -> Result<(), CliError> {
    if instellingen::find(conn, DEMO_BRIN)?.is_some() {
        instellingen::set_contact(
            conn,
            DEMO_BRIN,
            Some("Mevrouw S. de Wit, vertrouwenspersoon studenten, 020 555 0142"),
            Some("https://www.amstelvliet.example/vertrouwenspersoon"),
            bpv_store::now_utc(),
        )?;
    }
    Ok(())
}

/// The demo school's Praktijkloket: dossiers, documents, beoordelingen and verklaringen.
fn seed_praktijkloket(conn: &mut DbConnection, seed: u64, today: chrono::NaiveDate) -> Result<(), CliError> {
    let t = Instant::now();
    let eigen: Vec<String> =
        bpv_store::repo::aanbieders::list_for_brin(conn, DEMO_BRIN)?.into_iter().map(|a| a.aanbiedercode).collect();
    let Some(locatie) = bpv_store::repo::aanbieders::locaties_for(conn, &eigen)?.into_iter().next() else {
        return Ok(());
    };
    let p = crate::praktijkloket::seed(conn, DEMO_BRIN, &locatie.locatiecode, 60, seed, today)?;
    println!("praktijkloket ({DEMO_BRIN}), in {:.1} s:", t.elapsed().as_secs_f64());
    kv(&[
        ("kwalificatiedossiers", p.dossiers.to_string()),
        ("begeleidingsdocumenten", p.documenten.to_string()),
        ("beoordelingen", p.beoordelingen.to_string()),
        ("praktijkverklaringen", p.verklaringen.to_string()),
    ]);
    Ok(())
}

/// The password hashes of the demo logins, each with its own salt.
struct DemoHashes {
    client: String,
    gemachtigde: String,
    medewerker: String,
    lezer: String,
}

impl DemoHashes {
    fn make() -> Result<Self, CliError> {
        let hash = |s: &str| bpv_web::credentials::hash_secret(s).map_err(anyhow::Error::from);
        Ok(Self {
            client: hash(DEMO_CLIENT_SECRET)?,
            gemachtigde: hash(DEMO_WACHTWOORD)?,
            medewerker: hash(DEMO_WACHTWOORD)?,
            lezer: hash(DEMO_WACHTWOORD)?,
        })
    }
}

/// The demo client and gemachtigde, with the fixed credentials printed below; made once.
fn ensure_demo_logins(conn: &mut DbConnection, hashes: DemoHashes) -> Result<(), CliError> {
    use bpv_store::models::ApiClientRow;
    use bpv_store::repo::{api_clients, gemachtigden, medewerkers};
    if instellingen::find(conn, DEMO_BRIN)?.is_none() {
        return Ok(());
    }
    if api_clients::find_active(conn, DEMO_CLIENT_ID)?.is_none() {
        api_clients::insert(
            conn,
            &ApiClientRow {
                client_id: DEMO_CLIENT_ID.into(),
                brin: Some(DEMO_BRIN.into()),
                naam: "Demo SIS-koppeling".into(),
                rol: bpv_store::Rol::School,
                scopes: "bpvo:write resultaten:read praktijkloket:write".into(),
                secret_hash: hashes.client,
                created_at: bpv_store::now_utc(),
                revoked_at: None,
            },
        )?;
    }
    if gemachtigden::find_active_by_email(conn, DEMO_GEMACHTIGDE)?.is_none() {
        gemachtigden::add(
            conn,
            &gemachtigden::NewGemachtigde {
                brin: DEMO_BRIN,
                email: DEMO_GEMACHTIGDE,
                naam: "Anouk de Vries",
                password_hash: &hashes.gemachtigde,
            },
            bpv_store::now_utc(),
        )?;
    }
    if medewerkers::find_active_by_email(conn, DEMO_MEDEWERKER)?.is_none() {
        medewerkers::add(conn, DEMO_MEDEWERKER, "Sam Analist (SBB)", &hashes.medewerker, bpv_store::now_utc())?;
    }
    let eerste = bpv_store::repo::aanbieders::list_for_brin(conn, DEMO_BRIN)?.into_iter().next();
    if let Some(aanbieder) = eerste
        && bpv_store::repo::lezers::find_active_by_email(conn, DEMO_LEZER)?.is_none()
    {
        let new = bpv_store::repo::lezers::NewLezer {
            brin: DEMO_BRIN,
            email: DEMO_LEZER,
            naam: "Kees Kwaliteitszorg",
            password_hash: &hashes.lezer,
            aanbieders: &[aanbieder.aanbiedercode],
            locaties: &[],
        };
        if let Err(bezwaren) = bpv_store::repo::lezers::add(conn, &new, bpv_store::now_utc())? {
            tracing::warn!(?bezwaren, "demo lezer not added");
        }
    }
    Ok(())
}

/// Send today's due invitations and reminders the way cron would, into `.eml` files.
fn dispatch_mail(settings: &bpv_web::Settings, pool: bpv_store::DbPool) -> Result<(), CliError> {
    let t = Instant::now();
    let dir = settings.mail.file_dir.clone();
    let mailer = std::sync::Arc::new(bpv_mailing::FileMailer::new(&dir).map_err(anyhow::Error::from)?);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(anyhow::Error::from)?;
    let summary = runtime.block_on(async {
        let dispatcher = bpv_dispatcher::Dispatcher::new(pool, settings.clone(), mailer)?;
        let opts = bpv_dispatcher::RunOptions {
            as_of: bpvo::vandaag(),
            dry_run: false,
            limit: None,
            // Files, not an SMTP relay: with more mails in flight the recorder's groups grow
            // (SQLite commits 674 times instead of 2,115 for the demo's 6,298 mails).
            concurrency: 32,
            rate_per_second: None,
            progress: false,
        };
        dispatcher.run(&opts).await
    });
    let summary = summary.map_err(anyhow::Error::from)?;
    println!("mail (zoals de dagelijkse cron-run), in {:.1} s:", t.elapsed().as_secs_f64());
    kv(&[
        ("uitnodigingen aangemaakt", summary.invitations_created.to_string()),
        ("mails ingepland", summary.planned.to_string()),
        ("  beoordelingsverzoeken", summary.beoordelingsverzoeken.to_string()),
        ("berichten verstuurd", format!("{} (als .eml in {dir})", summary.sent)),
    ]);
    Ok(())
}

/// Fresh links to a few open invitations and one open assessment request (a new token each; only
/// its hash is stored), so the demo can be tried without opening the `.eml` files.
fn survey_links(pool: &bpv_store::DbPool, _settings: &bpv_web::Settings) -> Result<Vec<(String, String)>, CliError> {
    use bpv_store::repo::invitations;
    let mut conn = pool.get().map_err(anyhow::Error::from)?;
    let today = bpvo::vandaag();
    let mut out = Vec::new();
    for (groep, wie) in [("praktijkopleider", "  als praktijkopleider"), ("student", "  als student")] {
        for inv in invitations::open_sample(&mut conn, today, groep, 2)? {
            let token = bpv_mailing::SurveyToken::generate();
            invitations::add_token(&mut conn, &inv.id, &token.hash(), bpv_store::now_utc())?;
            out.push((wie.to_owned(), format!("s/{}", token.as_str())));
        }
    }
    // The Praktijkloket: a praktijkopleider's assessment link.
    for verzoek in bpv_store::repo::beoordelingsverzoeken::open_sample(&mut conn, today, 1)? {
        let token = bpv_mailing::SurveyToken::generate();
        bpv_store::repo::beoordelingsverzoeken::add_token(&mut conn, &verzoek.id, &token.hash(), bpv_store::now_utc())?;
        out.push(("  beoordeling (praktijkloket)".to_owned(), format!("b/{}", token.as_str())));
    }
    Ok(out)
}

/// Start the services on the configured addresses and run until interrupted.
fn serve(settings: &bpv_web::Settings, pool: bpv_store::DbPool) -> Result<(), CliError> {
    actix_web::rt::System::new().block_on(async move {
        let links = survey_links(&pool, settings)?;
        let verificatie = {
            let mut conn = pool.get()?;
            bpv_store::repo::praktijkloket::list_verklaringen(&mut conn, DEMO_BRIN, 1, 0)?.1.into_iter().next()
        };
        let school =
            bpv_school_api::Application::build_with_pool(settings, pool.clone(), bpv_school_api::Limits::default())?;
        let survey = bpv_survey::Application::build_with_pool(settings, pool.clone())?;
        let reporting = bpv_reporting_api::Application::build_with_pool(settings, pool).await?;
        let url = school.url();
        let survey_url = survey.url();
        let reporting_url = reporting.url();
        let mtls = reporting.mtls_url().map_or_else(
            || "uit: zet [mtls] met certificaten aan (docs/operations.md)".to_owned(),
            |u| format!("{u}/v1/resultaten/antwoorden (clientcertificaat + token)"),
        );
        println!();
        println!("diensten (stop met Ctrl-C):");
        kv(&[
            ("school-API", url.clone()),
            ("  OpenAPI", format!("{url}/v1/openapi.json")),
            ("  token", format!("curl -s -u {DEMO_CLIENT_ID}:{DEMO_CLIENT_SECRET} -d grant_type=client_credentials {url}/oauth/token")),
            ("praktijkloket-API", format!("{url}/v1/praktijkverklaringen (Bearer-token van hierboven)")),
            (
                "  voorbeeld",
                format!(
                    "curl -s -X PUT -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' \
                     {url}/v1/begeleidingsdocumenten/SIS-1 -d @document.json (docs/api.md)"
                ),
            ),
            (
                "  verificatie",
                verificatie.map_or_else(|| "(nog geen verklaring)".into(), |v| format!("{url}/verificatie/{}", v.verificatiecode)),
            ),
            ("uploadpagina", format!("{url}/upload")),
            ("  inloggen", format!("{DEMO_GEMACHTIGDE} / {DEMO_WACHTWOORD}")),
            ("resultaten-API", reporting_url.clone()),
            ("  OpenAPI", format!("{reporting_url}/v1/openapi.json")),
            ("  voorbeeld", format!("{reporting_url}/v1/resultaten?groep=studenten (Bearer-token van hierboven)")),
            ("  datakwaliteit", format!("{reporting_url}/v1/datakwaliteit")),
            ("  antwoorden (mTLS)", mtls),
            ("dashboard", format!("{reporting_url}/dashboard")),
            ("  inloggen school", format!("{DEMO_GEMACHTIGDE} / {DEMO_WACHTWOORD}")),
            ("  inloggen lezer", format!("{DEMO_LEZER} / {DEMO_WACHTWOORD} (één aanbieder)")),
            ("  inloggen SBB", format!("{DEMO_MEDEWERKER} / {DEMO_WACHTWOORD}")),
            ("vragenlijst", survey_url.clone()),
            ("metrics (Prometheus)", format!("{url}/metrics  {reporting_url}/metrics  {survey_url}/metrics")),
        ]);
        for (wie, token) in &links {
            println!("  {wie:<26}{survey_url}/{token}");
        }
        use std::io::Write;
        let _ = std::io::stdout().flush();
        let (a, b, c) = tokio::join!(school.into_server(), survey.into_server(), reporting.into_server());
        a?;
        b?;
        c?;
        Ok::<(), anyhow::Error>(())
    })?;
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
