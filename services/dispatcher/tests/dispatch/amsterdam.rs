//! "Today" is Dutch: the dispatcher's day is the date in Amsterdam, not the host's. Run as cron
//! at 00:30 on a host in UTC, it is still yesterday for the host but already today for the
//! schools; the quarter's data-quality photo, the due mail and the purge follow Amsterdam.

use std::path::Path;
use std::process::Command;

use bpv_store::testing::TestDb;

const LIBFAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

/// `bpv-dispatcher ARGS…` as its own process on a host in UTC whose clock reads `utc`
/// (libfaketime); its standard output.
fn at_utc(db: &TestDb, utc: &str, args: &[&str]) -> String {
    assert!(
        Path::new(LIBFAKETIME).exists(),
        "this test needs libfaketime at {LIBFAKETIME}: apt-get install faketime (scripts/test.sh installs it)"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_bpv-dispatcher"))
        .args(["--database-url", db.url(), "--config-dir", "/nonexistent"])
        .args(args)
        .env("TZ", "UTC")
        .env("LD_PRELOAD", LIBFAKETIME)
        .env("FAKETIME", format!("@{utc}"))
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{args:?} at {utc} UTC: {stdout}{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

/// The day does not depend on the backend: SQLite only.
#[test]
#[ignore = "needs libfaketime (apt-get install faketime): scripts/test.sh installs it and runs this"]
fn half_past_midnight_in_amsterdam_is_already_tomorrow() {
    let db = &TestDb::sqlite();
    let (voor, na) = (
        bpv_aggregation::datakwaliteit::kwartaal(chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()),
        bpv_aggregation::datakwaliteit::kwartaal(chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()),
    );
    assert_ne!(voor.0, na.0, "31 March and 1 April lie in different photo quarters");
    // 22:30 UTC on 31 March is 00:30 on 1 April in Amsterdam (summer time, UTC+2): the host's
    // date is still the 31st, the domain's the 1st.
    let host = Command::new("date")
        .arg("+%F")
        .env("TZ", "UTC")
        .env("LD_PRELOAD", LIBFAKETIME)
        .env("FAKETIME", "@2026-03-31 22:30:00")
        .output()
        .unwrap();
    let host = String::from_utf8(host.stdout).unwrap();
    assert_eq!(host.trim(), "2026-03-31", "the faked host clock");
    let report: serde_json::Value =
        serde_json::from_str(&at_utc(db, "2026-03-31 22:30:00", &["snapshot", "--json"])).unwrap();
    assert_eq!(report["peildatum"], na.1.to_string(), "{report}");
    assert_eq!(report["kwartaal"], na.0, "{report}");
    // And in winter (UTC+1): 23:30 UTC on 31 December is 00:30 on 1 January.
    let report: serde_json::Value =
        serde_json::from_str(&at_utc(db, "2026-12-31 23:30:00", &["snapshot", "--json"])).unwrap();
    assert_eq!(report["peildatum"], "2027-01-01", "{report}");
    // Half an hour earlier it is still the old day in Amsterdam too.
    let report: serde_json::Value =
        serde_json::from_str(&at_utc(db, "2026-12-31 22:30:00", &["snapshot", "--json"])).unwrap();
    assert_eq!(report["peildatum"], "2026-10-01", "{report}");
}
