//! The reporting benchmark's tools (driven by `scripts/bench-reporting.sh`):
//!
//! * `gen DIR ANSWERS` — CSV files (instellingen, aanbieders, locaties, kwalificaties, bpvos,
//!   invitations, responses) for `COPY`: ~60 instellingen with 3 aanbieders and 2 locaties each,
//!   400 crebos in 8 sectors, 36 months, both groups, ~31 % response; 20,000 leerbedrijven
//!   with erkenningen for most pairs in use, registrations around the start date;
//! * `absorb DATABASE_URL N` — load the index from the database (timed), store `N` new answers,
//!   time absorbing them, and time cold evaluations (no cache) of typical selections, of the
//!   five-year trend and of the response table;
//! * `load URL TOKEN CONNECTIONS SECONDS` — `GET /v1/resultaten` for a mix of selections from
//!   `CONNECTIONS` concurrent connections; prints p50/p99 latency and requests/s;
//! * `sql DATABASE_URL` — the same selections as plain SQL `GROUP BY` over the stored answers;
//! * `token` — an SBB access token signed with the configured key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bpv_aggregation::Questionnaires;
use bpv_reporting_api::data::ReportData;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[path = "bench_data/mod.rs"]
mod bench_data;
use bench_data::*;

fn absorb(url: &str, n: usize) {
    let pool = bpv_store::build_pool(&bpv_store::DatabaseUrl::parse(url).unwrap(), 2).unwrap();
    let mut conn = pool.get().unwrap();
    let data = ReportData::new(Questionnaires::builtin().unwrap(), 10);
    let t = Instant::now();
    let r = data.absorb_new_answers(&mut conn).unwrap();
    let answers_s = t.elapsed().as_secs_f64();
    data.reread_invitations(&mut conn).unwrap();
    println!("full load: answers {answers_s:.1} s, invitation counts {:.1} s", t.elapsed().as_secs_f64() - answers_s);
    let stats = data.stats();
    println!(
        "full load: {} answers in {:.2} s ({} units, {} fine cells, {} atoms, {} answers in dropped remainders)",
        r.answers,
        t.elapsed().as_secs_f64(),
        stats.units,
        stats.fine_cells,
        stats.atoms,
        stats.answers_dropped
    );
    // Cold evaluations: a fresh index per kind would be slow to build; the cache is per
    // selection, so distinct selections are cold.
    let mut rng = StdRng::seed_from_u64(7);
    for (what, national) in [("school selections", false), ("national selections", true)] {
        let mut times = Vec::new();
        for (b, q) in selections(&mut rng, 400) {
            let b = if national { None } else { b.or_else(|| Some(brin(0))) };
            let s = selectie(&b, &q);
            let t = Instant::now();
            std::hint::black_box(data.evaluate(&s));
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "cold evaluate, {what}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            ms(times[times.len() / 2]),
            ms(times[times.len() * 99 / 100]),
            ms(times[times.len() - 1])
        );
    }
    trend_and_respons(&data);
    // N new answers, stored as the survey stores them, then absorbed.
    let qs = Questionnaires::builtin().unwrap();
    let mut rng = StdRng::seed_from_u64(99);
    let start = Instant::now();
    for k in 0..n {
        let i = rng.random_range(0..INSTELLINGEN);
        let (version, cijfer, json) = answers_json(&qs, month(35), &mut rng);
        let a = aanbieder(i, rng.random_range(0..3));
        let loc = locatie(i, 0, 0);
        let c = crebo((i * 37) % CREBOS);
        let s = bpv_store::testing::Surveyed {
            aanbiedercode: &a,
            locatiecode: Some(&loc).filter(|_| a.ends_with("000")).map(|s| s.as_str()),
            leerweg: "BOL",
            crebo: &c,
            geplande_einddatum: month(35) + chrono::Days::new((k % 10) as u64),
            groep: if k % 2 == 0 { "student" } else { "praktijkopleider" },
            answer: Some((&version, i32::from(cijfer), &json)),
        };
        bpv_store::testing::surveyed(&mut conn, &s, bpv_store::now_utc());
    }
    println!("stored {n} new answers in {:.1} s (bpvo, invitation, answer each)", start.elapsed().as_secs_f64());
    let t = Instant::now();
    let r = data.absorb_new_answers(&mut conn).unwrap();
    println!("absorb: {} new answers in {:.3} s", r.answers, t.elapsed().as_secs_f64());
    let t = Instant::now();
    let changed = data.reread_invitations(&mut conn).unwrap();
    println!(
        "re-read invitation counts (changed: {changed}) in {:.1} s (every reporting.invitations_refresh_seconds)",
        t.elapsed().as_secs_f64()
    );
}

/// p50 / p99 / max of some durations, as one line.
fn spread(times: &mut [Duration]) -> String {
    times.sort();
    format!(
        "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} selections)",
        ms(times[times.len() / 2]),
        ms(times[times.len() * 99 / 100]),
        ms(times[times.len() - 1]),
        times.len()
    )
}

/// The trend over five years and the response table, each for distinct school selections not
/// asked before (the national side is shared between selections with the same filters, as it is
/// in production).
fn trend_and_respons(data: &ReportData) {
    use bpv_reporting_api::report;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    let mut rng = StdRng::seed_from_u64(11);
    let mut seen = std::collections::HashSet::new();
    let (mut trend, mut respons) = (Vec::new(), Vec::new());
    let mut points = 0;
    for (b, q) in selections(&mut rng, 4000) {
        let s = selectie(&b.or_else(|| Some(brin(0))), &q);
        let whole = bpv_aggregation::Selectie { van: None, tot_en_met: None, ..s.clone() };
        if !seen.insert(whole.clone()) {
            continue;
        }
        let span = report::trend::periode(&whole, today).unwrap();
        let t = Instant::now();
        let r = std::hint::black_box(report::trend::trend(data, &whole, span));
        trend.push(t.elapsed());
        points += r.kwartalen.len() + r.jaren.len() + r.schooljaren.len();
        let t = Instant::now();
        std::hint::black_box(report::respons::respons(data, &s, true));
        respons.push(t.elapsed());
        if trend.len() == 300 {
            break;
        }
    }
    assert_eq!(points, trend.len() * 30, "every trend has 20 quarters, 5 calendar years and 5 school years");
    println!("cold trend, 20 quarters + 5 years + 5 school years, school beside national: {}", spread(&mut trend));
    println!("cold response table, both groups, 6 splits (students), school beside national: {}", spread(&mut respons));
    national_splits(data);
}

/// The two sides of a response table without the cache, for distinct selections: a school's own
/// splits (aanbieder, locatie, leerweg, sector, crebo, channel), and the national splits
/// (leerweg, sector, crebo, channel) summed over the atoms in numbers — what the API does —
/// beside the walk over every atom's texts (the reference), which must give the same counts.
fn national_splits(data: &ReportData) {
    use bpv_aggregation::Dimensie;
    let dims = [Dimensie::Leerweg, Dimensie::Sector, Dimensie::Kwalificatie, Dimensie::Kanaal];
    let mut rng = StdRng::seed_from_u64(13);
    let mut seen = std::collections::HashSet::new();
    let (mut own, mut compact, mut walked) = (Vec::new(), Vec::new(), Vec::new());
    for (b, q) in selections(&mut rng, 4000) {
        let s = selectie(&None, &q);
        if !seen.insert(s.clone()) {
            continue;
        }
        let school = selectie(&b.or_else(|| Some(brin(0))), &q);
        let (a, w) = data.with_index(|index| {
            let t = Instant::now();
            std::hint::black_box(index.respons_by_each(&school, &Dimensie::ALL));
            own.push(t.elapsed());
            let t = Instant::now();
            let a = std::hint::black_box(index.respons_by_each(&s, &dims));
            std::hint::black_box(index.respons_totaal(&s));
            compact.push(t.elapsed());
            let t = Instant::now();
            let w = std::hint::black_box(index.respons_by_each_walked(&s, &dims));
            walked.push(t.elapsed());
            (a, w)
        });
        assert_eq!(a, w, "the national split in numbers differs from the walk for {s:?}");
        if compact.len() == 300 {
            break;
        }
    }
    println!("  of which a school's own splits (6 keys, one group), no cache: {}", spread(&mut own));
    println!(
        "  of which the national total and splits (4 keys, one group), no cache, same counts as the walk: {} | reference, walking every atom's texts: {}",
        spread(&mut compact),
        spread(&mut walked)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn query_string(brin: &Option<String>, q: &[(&'static str, String)]) -> String {
    let mut pairs: Vec<(&str, String)> = q.to_vec();
    if let Some(b) = brin {
        pairs.push(("instelling", b.clone()));
    }
    serde_urlencoded::to_string(&pairs).unwrap()
}

async fn load(url: &str, token: &str, connections: usize, seconds: u64) {
    let mut rng = StdRng::seed_from_u64(11);
    let mix: Arc<Vec<String>> = Arc::new(
        selections(&mut rng, 2_000)
            .iter()
            .map(|(b, q)| format!("{url}/v1/resultaten?{}", query_string(b, q)))
            .collect(),
    );
    let client = reqwest::Client::builder().pool_max_idle_per_host(connections).build().unwrap();
    // Warm-up: every connection once.
    let r = client.get(&mix[0]).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..connections {
        let (client, mix, token) = (client.clone(), Arc::clone(&mix), token.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut k = c * 7919;
            let mut errors = 0;
            while Instant::now() < deadline {
                k = (k + 104_729) % mix.len();
                let t = Instant::now();
                match client.get(&mix[k]).bearer_auth(&token).send().await {
                    Ok(r) if r.status() == 200 => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    println!(
        "GET /v1/resultaten, {connections} connections, {seconds} s, {} distinct selections: {} requests, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, errors {errors}",
        mix.len(),
        all.len(),
        all.len() as f64 / elapsed,
        ms(all[all.len() / 2]),
        ms(all[all.len() * 99 / 100]),
    );
}

fn sql(url: &str) {
    use diesel::connection::SimpleConnection;
    let pool = bpv_store::build_pool(&bpv_store::DatabaseUrl::parse(url).unwrap(), 1).unwrap();
    let mut conn = pool.get().unwrap();
    let mut rng = StdRng::seed_from_u64(7);
    let mut times = Vec::new();
    for (b, q) in selections(&mut rng, 20) {
        let b = b.unwrap_or_else(|| brin(0));
        let get = |k: &str| q.iter().find(|(key, _)| *key == k).map(|(_, v)| v.clone());
        let mut filter = format!("a.brin = '{b}'");
        let groep = if get("groep").as_deref() == Some("studenten") { "student" } else { "praktijkopleider" };
        let _ = write!(filter, " AND r.groep = '{groep}'");
        if let Some(v) = get("van") {
            let _ = write!(filter, " AND r.maand >= '{v}'");
        }
        if let Some(v) = get("totEnMet") {
            let _ = write!(filter, " AND r.maand <= '{v}'");
        }
        if let Some(v) = get("aanbieder") {
            let _ = write!(filter, " AND r.aanbiedercode = '{v}'");
        }
        if let Some(v) = get("leerweg") {
            let _ = write!(filter, " AND r.leerweg = '{v}'");
        }
        if let Some(v) = get("crebo") {
            let _ = write!(filter, " AND r.crebo = '{v}'");
        }
        if let Some(v) = get("sector") {
            let _ = write!(filter, " AND r.sector = '{v}'");
        }
        // The selection and the national side, per item and value: what the index answers.
        let national = filter.replace(&format!("a.brin = '{b}'"), "TRUE");
        let one = |f: &str| {
            format!(
                "SELECT i.key, i.value, count(*) FROM responses r JOIN aanbieders a ON a.aanbiedercode = r.aanbiedercode, \
                 jsonb_each_text(r.antwoorden::jsonb -> 'items') i WHERE {f} GROUP BY i.key, i.value"
            )
        };
        let t = Instant::now();
        conn.batch_execute(&format!("{}; {}", one(&filter), one(&national))).unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "plain SQL GROUP BY (selection + national, per item and value), {} selections: p50 {:.0} ms, max {:.0} ms",
        times.len(),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("gen") => generate(&args[2], args[3].parse().unwrap(), 20261201),
        Some("absorb") => absorb(&args[2], args[3].parse().unwrap()),
        Some("sql") => sql(&args[2]),
        Some("token") => {
            // An SBB token signed with the configured key, as the school API would issue it.
            let settings = bpv_web::Settings::load().unwrap();
            let keys = bpv_web::auth::TokenKeys::new(&settings.auth);
            let spec = bpv_web::auth::TokenSpec {
                aud: bpv_web::auth::AUD_API,
                sub: "bench",
                scope: "resultaten:read",
                brin: None,
                rol: bpv_web::auth::TokenRol::Sbb,
                csrf: None,
                ttl_seconds: 3600,
            };
            println!("{}", keys.issue(&spec, chrono::Utc::now().timestamp()).unwrap());
        }
        Some("load") => {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
            rt.block_on(load(&args[2], &args[3], args[4].parse().unwrap(), args[5].parse().unwrap()));
        }
        _ => eprintln!(
            "usage: bench_reporting gen DIR N | absorb DATABASE_URL N | load URL TOKEN CONNS SECONDS | sql DATABASE_URL"
        ),
    }
}
