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

/// The same allocator as the service binaries.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "bench_data/mod.rs"]
mod bench_data;
use bench_data::*;

/// This process's resident memory now and at its peak, from `/proc/self/status`.
fn resident() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = |field: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
    };
    match (kib("VmRSS:"), kib("VmHWM:")) {
        (Some(now), Some(peak)) => format!("{} MiB (peak {} MiB)", now / 1024, peak / 1024),
        _ => "unknown".to_owned(),
    }
}

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
    println!("full load: resident {}", resident());
    data.with_index(|index| {
        for (part, bytes) in index.heap_estimate() {
            println!("  index heap: {part}: {} MiB", bytes >> 20);
        }
    });
    // Cold evaluations, with the cache off: what one request for a selection computes (the
    // selection and its national side), for distinct selections.
    let mut rng = StdRng::seed_from_u64(7);
    for (what, national) in [("school selections", false), ("national selections", true)] {
        let mut times = Vec::new();
        for (b, q) in distinct_selections(&mut rng, 2_000).into_iter().filter(|(b, _)| b.is_none() == national) {
            let s = selectie(&b, &q);
            let t = Instant::now();
            data.with_index(|index| {
                std::hint::black_box(index.evaluate(&bpv_reporting_api::report::landelijk(&s)));
                if s.brin.is_some() {
                    std::hint::black_box(index.evaluate(&s));
                }
            });
            times.push(t.elapsed());
        }
        println!("one evaluation, cache off, {what} (selection + national side): {}", spread(&mut times));
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

/// Latency spread and rate of one HTTP run.
fn http_line(what: &str, mut all: Vec<Duration>, elapsed: f64, errors: usize) -> String {
    all.sort();
    format!(
        "{what}: {} requests, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, errors {errors}",
        all.len(),
        all.len() as f64 / elapsed,
        ms(all[all.len() / 2]),
        ms(all[all.len() * 99 / 100]),
    )
}

/// Ask `urls` over `connections` connections: each once in order (`repeat: false`), or round
/// and round until `seconds` have passed. Returns the latencies, the wall time and the errors.
async fn ask(
    client: &reqwest::Client,
    token: &str,
    urls: Arc<Vec<String>>,
    connections: usize,
    repeat: Option<Duration>,
) -> (Vec<Duration>, f64, usize) {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (client, urls, token, next) = (client.clone(), Arc::clone(&urls), token.to_owned(), Arc::clone(&next));
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut errors) = (Vec::new(), 0);
            loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let url = match repeat {
                    None if k >= urls.len() => break,
                    None => &urls[k],
                    Some(d) if started.elapsed() >= d => break,
                    // A stride through the mix, so that connections ask different selections.
                    Some(_) => &urls[(k * 104_729) % urls.len()],
                };
                let t = Instant::now();
                match client.get(url).bearer_auth(&token).send().await {
                    Ok(r) if r.status() == 200 => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed());
                    }
                    Ok(r) => {
                        errors += 1;
                        if errors == 1 {
                            eprintln!("{url}: {} {}", r.status(), r.text().await.unwrap_or_default());
                        }
                    }
                    Err(e) => {
                        errors += 1;
                        eprintln!("{url}: {e}");
                    }
                }
            }
            (lat, errors)
        }));
    }
    let (mut all, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    (all, started.elapsed().as_secs_f64(), errors)
}

/// `GET /v1/resultaten` over HTTP: first cold — distinct selections whose national sides are
/// distinct too, each asked once, so no cache helps — at `connections` and at one connection;
/// then warm, a mix of 2,000 selections asked again and again for `seconds`. Fails on any error.
async fn load(url: &str, token: &str, connections: usize, seconds: u64, cold: usize) {
    let client = reqwest::Client::builder().pool_max_idle_per_host(connections).build().unwrap();
    let to_url = |(b, q): &Selection| format!("{url}/v1/resultaten?{}", query_string(b, q));
    // One request to open a connection; its selection is not among the cold ones.
    let r = client.get(format!("{url}/v1/resultaten?groep=studenten")).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let mut rng = StdRng::seed_from_u64(21);
    let distinct: Vec<String> = distinct_selections(&mut rng, cold + 200).iter().map(to_url).collect();
    assert!(distinct.len() == cold + 200, "only {} distinct selections", distinct.len());
    let (many, one) = distinct.split_at(cold);
    let (lat, t, e1) = ask(&client, token, Arc::new(many.to_vec()), connections, None).await;
    println!(
        "{}",
        http_line(
            &format!("GET /v1/resultaten COLD, {connections} connections, each selection distinct and asked once"),
            lat,
            t,
            e1
        )
    );
    let (lat, t, e2) = ask(&client, token, Arc::new(one.to_vec()), 1, None).await;
    println!(
        "{}",
        http_line("GET /v1/resultaten COLD, 1 connection, each selection distinct and asked once", lat, t, e2)
    );
    let mut rng = StdRng::seed_from_u64(11);
    let mix: Vec<String> = selections(&mut rng, 2_000).iter().map(to_url).collect();
    let distinct_in_mix = mix.iter().collect::<std::collections::HashSet<_>>().len();
    let (lat, t, e3) = ask(&client, token, Arc::new(mix), connections, Some(Duration::from_secs(seconds))).await;
    println!(
        "{}",
        http_line(
            &format!(
                "GET /v1/resultaten WARM (repeats allowed: {distinct_in_mix} distinct selections asked again and again), {connections} connections, {seconds} s"
            ),
            lat,
            t,
            e3
        )
    );
    assert_eq!(e1 + e2 + e3, 0, "the API refused or failed requests: the benchmark's selections must all be valid");
}

/// The fair plain-SQL design: the answers pre-aggregated per (month, group, unit keys, item,
/// value), with a national roll-up per (month, group, leerweg, sector, crebo, item, value) and
/// one per (month, group, leerweg, sector, item, value), each with an index fitting its queries.
/// Built in bulk here (timed by the caller); in production a trigger on `responses` would add to
/// the counts (not measured).
const SQL_BUILD: &str = "
DROP TABLE IF EXISTS sql_eenheid, sql_land, sql_land_sector;
CREATE TABLE sql_eenheid AS
  SELECT r.maand, r.groep, a.brin, r.aanbiedercode, r.leerweg, r.sector, r.crebo,
         i.key AS item, i.value::smallint AS waarde, count(*)::int AS n
  FROM responses r JOIN aanbieders a ON a.aanbiedercode = r.aanbiedercode,
       jsonb_each_text(r.antwoorden::jsonb -> 'items') i
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;
CREATE INDEX ON sql_eenheid (brin, groep, maand);
CREATE TABLE sql_land AS
  SELECT maand, groep, leerweg, sector, crebo, item, waarde, sum(n)::int AS n
  FROM sql_eenheid GROUP BY 1, 2, 3, 4, 5, 6, 7;
CREATE INDEX ON sql_land (groep, crebo, maand);
CREATE TABLE sql_land_sector AS
  SELECT maand, groep, leerweg, sector, item, waarde, sum(n)::int AS n
  FROM sql_land GROUP BY 1, 2, 3, 4, 5, 6;
CREATE INDEX ON sql_land_sector (groep, maand);
ANALYZE sql_eenheid, sql_land, sql_land_sector;
";

/// The counts per (item, value; `None` = n.v.t.) of a selection's side, by the fair SQL design.
type Counts = std::collections::BTreeMap<(String, Option<i16>), i64>;

#[derive(diesel::QueryableByName)]
struct CountRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    item: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::SmallInt>)]
    waarde: Option<i16>,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The SQL of one side: the school's own (with `brin`) or the national one.
fn side_sql(brin: Option<&str>, q: &[(&'static str, String)]) -> String {
    let get = |k: &str| q.iter().find(|(key, _)| *key == k).map(|(_, v)| v.replace('\'', "''"));
    let groep = if get("groep").as_deref() == Some("studenten") { "student" } else { "praktijkopleider" };
    let table = match (brin, get("crebo")) {
        (Some(_), _) => "sql_eenheid",
        (None, Some(_)) => "sql_land",
        (None, None) => "sql_land_sector",
    };
    let mut f = format!("groep = '{groep}'");
    if let Some(b) = brin {
        let _ = write!(f, " AND brin = '{b}'");
        if let Some(v) = get("aanbieder") {
            let _ = write!(f, " AND aanbiedercode = '{v}'");
        }
    }
    if let Some(v) = get("van") {
        let _ = write!(f, " AND maand >= '{v}'");
    }
    if let Some(v) = get("totEnMet") {
        let _ = write!(f, " AND maand <= '{v}'");
    }
    for (key, col) in [("leerweg", "leerweg"), ("crebo", "crebo"), ("sector", "sector")] {
        if let Some(v) = get(key) {
            let _ = write!(f, " AND {col} = '{v}'");
        }
    }
    format!("SELECT item, waarde, sum(n)::bigint AS n FROM {table} WHERE {f} GROUP BY item, waarde")
}

fn side_counts(conn: &mut bpv_store::DbConnection, sql: &str) -> Counts {
    use diesel::RunQueryDsl;
    let rows: Vec<CountRow> = match conn {
        bpv_store::DbConnection::Postgresql(c) => diesel::sql_query(sql).load(c).unwrap(),
        bpv_store::DbConnection::Sqlite(_) => panic!("the SQL baseline runs on PostgreSQL"),
    };
    rows.into_iter().map(|r| ((r.item, r.waarde), r.n)).collect()
}

/// The API's published counts of one side (`instelling` or `landelijk`) per item and value.
fn api_counts(rapport: &serde_json::Value, side: &str) -> Option<Counts> {
    let mut out = Counts::new();
    for item in rapport["themas"].as_array()?.iter().flat_map(|t| t["items"].as_array().into_iter().flatten()) {
        let code = item["code"].as_str()?.to_owned();
        let cijfers = &item[side];
        let nvt = cijfers["nvt"].as_i64()?;
        if nvt > 0 {
            out.insert((code.clone(), None), nvt);
        }
        // No answers (an item of another questionnaire version): no distribution, nothing to add.
        if cijfers["gemiddelde"]["n"].as_u64()? == 0 {
            continue;
        }
        // A withheld figure publishes no distribution: nothing to compare.
        let verdeling = cijfers["verdeling"].as_array()?;
        for a in verdeling {
            let aantal = a["aantal"].as_i64()?;
            if aantal > 0 {
                out.insert((code.clone(), Some(a["waarde"].as_i64()? as i16)), aantal);
            }
        }
    }
    Some(out)
}

/// The fair SQL design beside the API: the same cold distinct selections as plain SQL (the
/// selection and its national side, two queries on one connection), p50/p99; and on a sample,
/// the same counts as the API publishes wherever the API counted every answer (no atom left out,
/// nothing withheld). Fails when a count differs or nothing could be compared.
async fn sql(db: &str, url: &str, token: &str, n: usize) {
    use diesel::connection::SimpleConnection;
    let pool = bpv_store::build_pool(&bpv_store::DatabaseUrl::parse(db).unwrap(), 1).unwrap();
    let mut conn = pool.get().unwrap();
    let t = Instant::now();
    conn.batch_execute(SQL_BUILD).unwrap();
    let build = t.elapsed().as_secs_f64();
    let sizes: Vec<String> = ["sql_eenheid", "sql_land", "sql_land_sector"]
        .iter()
        .map(|t| {
            #[derive(diesel::QueryableByName)]
            struct C {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                c: i64,
            }
            let c: Vec<C> = match &mut *conn {
                bpv_store::DbConnection::Postgresql(c) => {
                    diesel::RunQueryDsl::load(diesel::sql_query(format!("SELECT count(*) AS c FROM {t}")), c).unwrap()
                }
                bpv_store::DbConnection::Sqlite(_) => unreachable!(),
            };
            format!("{t} {} rows", c[0].c)
        })
        .collect();
    println!("fair SQL design built in {build:.1} s ({})", sizes.join(", "));
    let mut rng = StdRng::seed_from_u64(21);
    let selections = distinct_selections(&mut rng, n);
    let mut times = Vec::new();
    for (b, q) in &selections {
        let t = Instant::now();
        std::hint::black_box(side_counts(&mut conn, &side_sql(None, q)));
        if let Some(b) = b {
            std::hint::black_box(side_counts(&mut conn, &side_sql(Some(b), q)));
        }
        times.push(t.elapsed());
    }
    println!("fair SQL, COLD distinct selections (selection + national side, one connection): {}", spread(&mut times));
    compare_with_api(&mut conn, url, token, &selections).await;
}

/// The fair SQL's counts beside the API's on a sample: whole calendar years and the first 200
/// cold selections, every side the API counted whole. Fails on a difference or when nothing could
/// be compared.
async fn compare_with_api(conn: &mut bpv_store::DbConnection, url: &str, token: &str, selections: &[Selection]) {
    let client = reqwest::Client::new();
    let (mut compared, mut skipped) = (0, 0);
    // Whole calendar years count every atom they touch: the comparison always has those, beside
    // the cold selections that can be compared.
    let mut sample: Vec<Selection> = Vec::new();
    for year in 2023..=2025 {
        for groep in ["studenten", "praktijkopleiders"] {
            for leerweg in [None, Some("BOL"), Some("BBL")] {
                let mut q =
                    vec![("van", format!("{year}-01")), ("totEnMet", format!("{year}-12")), ("groep", groep.into())];
                q.extend(leerweg.map(|l| ("leerweg", l.to_owned())));
                sample.push((None, q.clone()));
                sample.push((Some(brin(0)), q));
            }
        }
    }
    sample.extend(selections.iter().take(200).cloned());
    for (b, q) in &sample {
        let r: serde_json::Value = client
            .get(format!("{url}/v1/resultaten?{}", query_string(b, q)))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut sides = vec![("landelijk", None)];
        if let Some(b) = b {
            sides.push(("instelling", Some(b.as_str())));
        }
        for (side, brin) in sides {
            let left_out = r["nietMeegeteld"][side].as_u64().unwrap_or(0);
            match api_counts(&r, side) {
                Some(api) if left_out == 0 => {
                    let sql = side_counts(conn, &side_sql(brin, q));
                    assert_eq!(api, sql, "the fair SQL counts differ from the API's for {side} of {b:?} {q:?}");
                    compared += 1;
                }
                _ => skipped += 1,
            }
        }
    }
    assert!(compared > 0, "no selection could be compared with the API");
    println!(
        "fair SQL gives the API's counts per item and value: {compared} sides compared, equal ({skipped} skipped: atoms left out or figures withheld)"
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("gen") => generate(&args[2], args[3].parse().unwrap(), 20261201),
        Some("absorb") => absorb(&args[2], args[3].parse().unwrap()),
        Some("sql") => {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(sql(&args[2], &args[3], &args[4], args[5].parse().unwrap()));
        }
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
            rt.block_on(load(
                &args[2],
                &args[3],
                args[4].parse().unwrap(),
                args[5].parse().unwrap(),
                args[6].parse().unwrap(),
            ));
        }
        _ => eprintln!(
            "usage: bench_reporting gen DIR N | absorb DATABASE_URL N | load URL TOKEN CONNS SECONDS COLD | sql DATABASE_URL URL TOKEN N"
        ),
    }
}
