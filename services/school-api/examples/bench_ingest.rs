//! The ingest benchmark's load generator (driven by `scripts/bench-ingest.sh`): uploads `N` valid
//! bpvo records over HTTP to `POST /v1/bpvo-batches` in batches, `CONCURRENCY` requests at a
//! time, then the same bodies again (all unchanged). Compiled, so that the client spends little of
//! the two cores the server needs; it prints its own CPU time beside each figure.
//!
//! It checks the outcome and exits non-zero when it is not what it must be: the first upload
//! creates every record, the second finds every record unchanged, nothing is rejected.
//!
//!   bench_ingest URL N BATCH CONCURRENCY [CSV_OUT]
//!
//! `CSV_OUT` also writes the same rows as CSV, for the PostgreSQL `COPY` reference.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::sync::Arc;
use std::time::Instant;

use serde_json::json;

const VOORNAMEN: [&str; 10] = ["Zoë", "Daan", "Noëlle", "Sem", "Chloë", "Luuk", "Daniël", "Fleur", "Renée", "Mohammed"];
const ACHTERNAMEN: [&str; 7] = ["Çelik-de Vries", "Jansen", "Bakker", "Öztürk", "El Amrani", "van der Berg", "Visser"];
const CREBOS: [&str; 4] = ["25604", "25480", "25180", "25255"];

struct Row {
    correlatie_id: String,
    leerbedrijf: String,
    crebo: &'static str,
    startdatum: String,
    einddatum: String,
    leerweg: &'static str,
    email: String,
    studentcode: String,
    naam: String,
    aanbieder: &'static str,
    locatie: &'static str,
}

fn row(i: usize, today: chrono::NaiveDate) -> Row {
    // The demo's registered locaties: each aanbieder's first (uploads are checked against RIO).
    let (aanbieder, locatie) = if i.is_multiple_of(2) { ("251A100", "251X111") } else { ("251A200", "251X121") };
    Row {
        correlatie_id: format!("BENCH-{i:07}"),
        leerbedrijf: (100_000_000 + (i * 7919) % 899_999_999).to_string(),
        crebo: CREBOS[i % 4],
        // Relative to today, so the records stay in the future whenever the benchmark runs.
        startdatum: (today + chrono::Days::new(30)).to_string(),
        einddatum: (today + chrono::Days::new(150 + (i % 270) as u64)).to_string(),
        leerweg: if i.is_multiple_of(3) { "BBL" } else { "BOL" },
        email: format!("student{i}@student.amstelvliet.nl"),
        studentcode: (2_000_000 + i).to_string(),
        naam: format!("{} {}", VOORNAMEN[i % VOORNAMEN.len()], ACHTERNAMEN[i % ACHTERNAMEN.len()]),
        aanbieder,
        locatie,
    }
}

fn record(r: &Row) -> serde_json::Value {
    json!({
        "correlatieId": r.correlatie_id,
        "leerbedrijfCode": r.leerbedrijf,
        "creboCode": r.crebo,
        "startdatum": r.startdatum,
        "geplandeEinddatum": r.einddatum,
        "leerwegNaam": r.leerweg,
        "student": { "emailadres": r.email, "studentcode": r.studentcode, "naam": r.naam },
        "school": { "schoolnaam": "ROC Amstelvliet", "locatiecode": r.locatie, "aanbiedercode": r.aanbieder },
    })
}

/// This process's CPU time (user + system) in seconds, from `/proc/self/stat`.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line: 12 and 13 after the name; 100 ticks/s.
    (ticks(11) + ticks(12)) / 100.0
}

#[derive(Default, Debug, Clone, Copy, PartialEq)]
struct Counts {
    aangemaakt: u64,
    bijgewerkt: u64,
    ongewijzigd: u64,
    afgewezen: u64,
}

async fn token(client: &reqwest::Client, base: &str) -> String {
    let r = client
        .post(format!("{base}/oauth/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&client_id=bpv_demo_25lx&client_secret=demo-geheim-alleen-voor-deze-demo")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "token: {}", r.text().await.unwrap());
    let v: serde_json::Value = r.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

async fn run(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    bodies: &Arc<Vec<bytes::Bytes>>,
    concurrency: usize,
) -> Counts {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, bodies, next) = (client.clone(), Arc::clone(bodies), Arc::clone(&next));
        let (url, token) = (format!("{base}/v1/bpvo-batches"), token.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut c = Counts::default();
            loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(body) = bodies.get(k) else { break };
                let r = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("Content-Type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                let status = r.status();
                let bytes = r.bytes().await.unwrap();
                assert!(status.is_success(), "batch {k}: {status} {}", String::from_utf8_lossy(&bytes));
                let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                let n = |key: &str| v[key].as_u64().unwrap_or_else(|| panic!("answer without {key}: {v}"));
                c.aangemaakt += n("aangemaakt");
                c.bijgewerkt += n("bijgewerkt");
                c.ongewijzigd += n("ongewijzigd");
                c.afgewezen += n("afgewezen");
            }
            c
        }));
    }
    let mut total = Counts::default();
    for t in tasks {
        let c = t.await.unwrap();
        total.aangemaakt += c.aangemaakt;
        total.bijgewerkt += c.bijgewerkt;
        total.ongewijzigd += c.ongewijzigd;
        total.afgewezen += c.afgewezen;
    }
    total
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!("usage: bench_ingest URL N BATCH CONCURRENCY [CSV_OUT]");
        std::process::exit(2);
    }
    let base = args[1].trim_end_matches('/').to_owned();
    let n: usize = args[2].parse().unwrap();
    let batch: usize = args[3].parse().unwrap();
    let concurrency: usize = args[4].parse().unwrap();
    let today = bpvo::vandaag();
    let rows: Vec<Row> = (0..n).map(|i| row(i, today)).collect();
    if let Some(path) = args.get(5) {
        let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
        for r in &rows {
            writeln!(
                f,
                "{},{},{},{},{},{},{},{},{},\"{}\",ROC Amstelvliet,{}",
                r.correlatie_id,
                r.aanbieder,
                r.leerbedrijf,
                r.crebo,
                r.leerweg,
                r.startdatum,
                r.einddatum,
                r.email,
                r.studentcode,
                r.naam,
                r.locatie
            )
            .unwrap();
        }
    }
    let bodies: Arc<Vec<bytes::Bytes>> = Arc::new(
        rows.chunks(batch)
            .map(|c| {
                let records: Vec<serde_json::Value> = c.iter().map(record).collect();
                bytes::Bytes::from(serde_json::to_vec(&json!({ "records": records })).unwrap())
            })
            .collect(),
    );
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let mut failed = false;
    rt.block_on(async {
        let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build().unwrap();
        let tok = token(&client, &base).await;
        for (label, expect_created) in [("first upload", true), ("re-upload (all unchanged)", false)] {
            let (cpu, t) = (cpu_seconds(), Instant::now());
            let c = run(&client, &base, &tok, &bodies, concurrency).await;
            let dt = t.elapsed().as_secs_f64();
            let client_cpu = cpu_seconds() - cpu;
            println!(
                "  {label:<28} {n} records in {dt:6.2} s = {:>9.0} records/s (created {}, updated {}, unchanged {}, rejected {}; client CPU {client_cpu:.2} s)",
                n as f64 / dt,
                c.aangemaakt,
                c.bijgewerkt,
                c.ongewijzigd,
                c.afgewezen
            );
            let want = if expect_created {
                Counts { aangemaakt: n as u64, ..Counts::default() }
            } else {
                Counts { ongewijzigd: n as u64, ..Counts::default() }
            };
            if c != want {
                eprintln!("bench-ingest: {label}: expected {want:?}, got {c:?}");
                failed = true;
            }
        }
    });
    if failed {
        std::process::exit(1);
    }
}
