//! A real SMTP sink per test, seeded due bpvo's, and settings that point the dispatcher at both.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use bpv_config::Settings;
use bpv_dispatcher::{Dispatcher, RunOptions, Summary};
use bpv_store::now_utc;
use bpv_store::repo::bpvos::{self, Registratie};
use bpv_store::testing::TestDb;
use bpvo::{Bpvo, BpvoRecord, SchoolRecord, StudentRecord};
use chrono::{Days, NaiveDate};

/// A running smtp-sink; killed on drop. Every accepted message is a file in `dir`.
pub struct Sink {
    pub port: u16,
    pub dir: tempfile::TempDir,
    child: Option<Child>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Sink {
    /// Start a sink; `faults` are smtp-sink options such as `["-r", "rcpt"]`.
    pub fn start(faults: &[&str]) -> Sink {
        Self::start_on(free_port(), faults)
    }

    pub fn start_on(port: u16, faults: &[&str]) -> Sink {
        let bin = ["/usr/sbin/smtp-sink", "/usr/bin/smtp-sink"].into_iter().find(|p| Path::new(p).exists());
        let bin = bin.expect("smtp-sink not installed: apt-get install postfix (scripts/test.sh does this)");
        let dir = tempfile::tempdir().unwrap();
        // smtp-sink runs as nobody and writes there.
        std::fs::set_permissions(dir.path(), std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
        let template = format!("{}/%M.", dir.path().display());
        let mut child = Command::new(bin)
            .args(["-u", "nobody", "-d", &template])
            .args(faults)
            .arg(format!("127.0.0.1:{port}"))
            .arg("100")
            .spawn()
            .unwrap();
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Sink { port, dir, child: Some(child) };
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("smtp-sink did not start on port {port}");
    }

    /// The files of the messages it accepted.
    pub fn messages(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in walk(self.dir.path()) {
            out.push(e);
        }
        out
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The day the tests plan for.
pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

/// Settings with SMTP at `port` (no TLS) and the given attempt limit.
pub fn settings(db: &TestDb, port: u16, extra: &[(&str, &str)]) -> Settings {
    let port = port.to_string();
    let mut overrides: Vec<(&str, &str)> = vec![
        ("mail.transport", "smtp"),
        ("mail.smtp.host", "127.0.0.1"),
        ("mail.smtp.port", &port),
        ("mail.smtp.security", "none"),
        ("mail.smtp.pool_size", "4"),
        ("mail.smtp.timeout_seconds", "10"),
        ("survey.public_url", "https://enquete.example.nl"),
        ("dispatcher.max_attempts", "3"),
    ];
    overrides.extend_from_slice(extra);
    Settings::for_test(db.url(), &overrides).unwrap()
}

pub fn dispatcher(db: &TestDb, settings: Settings) -> Dispatcher {
    let mailer = bpv_dispatcher::mailer_from_settings(&settings).unwrap();
    Dispatcher::new(db.pool().clone(), settings, mailer).unwrap()
}

pub fn opts() -> RunOptions {
    RunOptions { as_of: as_of(), dry_run: false, limit: None, concurrency: 4, rate_per_second: None, progress: false }
}

pub async fn run(db: &TestDb, port: u16) -> Summary {
    dispatcher(db, settings(db, port, &[])).run(&opts()).await.unwrap()
}

/// An instelling that takes part, and `n` bpvo's due on `as_of()` (planned end date 21 days later),
/// each with a student email; praktijkopleiders: `n / per_opleider` distinct addresses.
pub fn seed(db: &TestDb, n: usize, per_opleider: usize) {
    bpv_store::testing::instelling(&mut db.conn(), "25AB", &["123A456"], true, true);
    let due: Vec<Due> = (0..n)
        .map(|i| Due {
            correlatie: format!("D-{i}"),
            student_email: format!("student{i}@student.roc.nl"),
            student_naam: format!("Zoë{i} Çelik-de Vries"),
            studentcode: format!("{}", 1000 + i),
            opleider_naam: format!("Opleider {}", i / per_opleider),
            opleider_email: format!("opleider{}@leerbedrijf.nl", i / per_opleider),
        })
        .collect();
    store_due(db, &due);
}

/// One more bpvo of 25AB due on `as_of()`, with these addresses (after [`seed`]).
pub fn add_due_bpvo(db: &TestDb, correlatie: &str, student_email: &str, opleider_email: &str) {
    store_due(
        db,
        &[Due {
            correlatie: correlatie.into(),
            student_email: student_email.into(),
            student_naam: "Noor Bakker".into(),
            studentcode: "9999".into(),
            opleider_naam: "Opleider X".into(),
            opleider_email: opleider_email.into(),
        }],
    );
}

/// A bpvo of 123A456 due on `as_of()`: the school's record and SBB's registration.
struct Due {
    correlatie: String,
    student_email: String,
    student_naam: String,
    studentcode: String,
    opleider_naam: String,
    opleider_email: String,
}

fn store_due(db: &TestDb, due: &[Due]) {
    let mut conn = db.conn();
    let now = now_utc();
    let eind = as_of() + Days::new(21);
    let records: Vec<Bpvo> = due
        .iter()
        .map(|d| {
            Bpvo::try_from(&BpvoRecord {
                correlatie_id: Some(d.correlatie.clone()),
                leerbedrijf_code: Some("100200300".into()),
                crebo_code: Some("25604".into()),
                startdatum: Some("2025-09-01".into()),
                geplande_einddatum: Some(eind.to_string()),
                leerweg_naam: Some("BOL".into()),
                keuzedeel_code: None,
                student: Some(StudentRecord {
                    emailadres: Some(d.student_email.clone()),
                    studentcode: Some(d.studentcode.clone()),
                    naam: Some(d.student_naam.clone()),
                }),
                school: Some(SchoolRecord {
                    schoolnaam: Some("ROC Test".into()),
                    locatiecode: Some("123X001".into()),
                    aanbiedercode: Some("123A456".into()),
                }),
            })
            .unwrap()
        })
        .collect();
    bpvos::upsert_school_records(&mut conn, &records, now).unwrap();
    let regs: Vec<Registratie> = due
        .iter()
        .map(|d| Registratie {
            aanbiedercode: "123A456".into(),
            correlatie_id: d.correlatie.clone(),
            leerbedrijf_id: "100200300".into(),
            crebo: "25604".into(),
            leerweg: "BOL".into(),
            startdatum: NaiveDate::from_ymd_opt(2025, 9, 1).unwrap(),
            geplande_einddatum: eind,
            werkelijke_einddatum: None,
            praktijkopleider_naam: Some(d.opleider_naam.clone()),
            praktijkopleider_email: Some(d.opleider_email.clone()),
        })
        .collect();
    bpvos::merge_registraties(&mut conn, &regs, now).unwrap();
}

/// Pretend the retry time has come: every waiting mail is due now.
pub fn make_waiting_mail_due(db: &TestDb) {
    use bpv_store::schema::deliveries::dsl;
    use diesel::prelude::*;
    diesel::update(dsl::deliveries.filter(dsl::status.eq(bpv_store::DeliveryStatus::Wachtend)))
        .set(dsl::next_attempt_at.eq(now_utc() - chrono::Duration::seconds(1)))
        .execute(&mut db.conn())
        .unwrap();
}

/// Mails per status.
pub fn counts(db: &TestDb) -> std::collections::HashMap<String, i64> {
    bpv_store::repo::deliveries::status_counts(&mut db.conn()).unwrap().into_iter().collect()
}

/// A PostgreSQL server of one test's own (initdb in a temporary directory, a free port), so the
/// test can stop and start it without disturbing the others. Stopped on drop.
pub struct PrivatePostgres {
    pub port: u16,
    dir: tempfile::TempDir,
    pg_ctl: PathBuf,
}

impl PrivatePostgres {
    fn bin(name: &str) -> PathBuf {
        let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .map(|d| d.filter_map(Result::ok).map(|e| e.path().join("bin").join(name)).filter(|p| p.exists()).collect())
            .unwrap_or_default();
        found.sort();
        found.pop().unwrap_or_else(|| panic!("this test needs PostgreSQL's {name}: apt-get install postgresql"))
    }

    /// As root the server runs as `postgres` (PostgreSQL refuses root).
    fn command(program: &Path) -> Command {
        let root =
            std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0).unwrap_or(false);
        if root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }

    pub fn start() -> PrivatePostgres {
        let dir = tempfile::Builder::new().prefix("bpv-pg-restart").tempdir_in("/var/tmp").unwrap();
        std::fs::set_permissions(dir.path(), std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
        let data = dir.path().join("data");
        let out = Self::command(&Self::bin("initdb"))
            .args(["-D", &data.display().to_string(), "-U", "postgres", "--auth=trust"])
            .output()
            .unwrap();
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        let pg = PrivatePostgres { port: free_port(), dir, pg_ctl: Self::bin("pg_ctl") };
        pg.pg_ctl("start");
        pg
    }

    fn pg_ctl(&self, action: &str) {
        let data = self.dir.path().join("data");
        let log = self.dir.path().join("server.log");
        let options = format!("-p {} -k {} -c listen_addresses=127.0.0.1", self.port, self.dir.path().display());
        let out = Self::command(&self.pg_ctl)
            .args(["-D", &data.display().to_string(), "-l", &log.display().to_string(), "-o", &options])
            .args(["-m", "fast", "-w", action])
            .output()
            .unwrap();
        assert!(out.status.success(), "pg_ctl {action}: {}", String::from_utf8_lossy(&out.stderr));
    }

    pub fn stop(&self) {
        self.pg_ctl("stop");
    }

    pub fn start_again(&self) {
        self.pg_ctl("start");
    }

    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ =
            Self::command(&self.pg_ctl).args(["-D", &data.display().to_string(), "-m", "immediate", "stop"]).output();
    }
}
