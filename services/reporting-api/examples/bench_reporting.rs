//! The reporting benchmark's tools (driven by `scripts/bench-reporting.sh`):
//!
//! * `gen DIR ANSWERS` — CSV files (instellingen, aanbieders, locaties, kwalificaties, bpvos,
//!   invitations, responses) for `COPY`: ~60 instellingen with 3 aanbieders and 2 locaties each,
//!   400 crebos in 8 sectors, 36 months, both groups, ~31 % response; 20,000 leerbedrijven
//!   with erkenningen for most pairs in use, registrations around the start date;
//! * `absorb DATABASE_URL N` — load the index from the database (timed), store `N` new answers,
//!   time absorbing them, and time cold evaluations (no cache) of typical selections;
//! * `load URL TOKEN CONNECTIONS SECONDS` — `GET /v1/resultaten` for a mix of selections from
//!   `CONNECTIONS` concurrent connections; prints p50/p99 latency and requests/s;
//! * `sql DATABASE_URL` — the same selections as plain SQL `GROUP BY` over the stored answers;
//! * `token` — an SBB access token signed with the configured key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bpv_aggregation::{Answers, Antwoord, ItemKind, Questionnaires, Selectie, YearMonth};
use bpv_reporting_api::data::ReportData;
use bpvo::Groep;
use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const INSTELLINGEN: usize = 60;
const CREBOS: usize = 400;
const SECTORS: [&str; 8] = [
    "Techniek en gebouwde omgeving",
    "Zorg, welzijn en sport",
    "Handel",
    "ICT en creatieve industrie",
    "Mobiliteit, transport, logistiek en maritiem",
    "Voedsel, groen en gastvrijheid",
    "Zakelijke dienstverlening en veiligheid",
    "Specialistisch vakmanschap",
];

fn brin(i: usize) -> String {
    format!("{:02}B{}", 10 + i, (b'A' + (i % 26) as u8) as char)
}
fn aanbieder(i: usize, a: usize) -> String {
    format!("{:03}A{:03}", i, a)
}
fn locatie(i: usize, a: usize, l: usize) -> String {
    format!("L{:03}{}{}", i, a, l)
}
fn crebo(c: usize) -> String {
    format!("{}", 25000 + c)
}
fn month(m: usize) -> NaiveDate {
    NaiveDate::from_ymd_opt(2023 + (m / 12) as i32, (m % 12) as u32 + 1, 15).unwrap()
}

fn answers_json(qs: &Questionnaires, date: NaiveDate, rng: &mut StdRng) -> (String, u8, String) {
    let q = qs.for_date(date);
    let cijfer: u8 = (7.5 + rng.random_range(-2.5..2.5f64)).round().clamp(1.0, 10.0) as u8;
    let items: BTreeMap<String, Antwoord> = q
        .items()
        .map(|(_, i)| {
            let a = match i.kind {
                ItemKind::Cijfer => Antwoord::Cijfer(cijfer),
                ItemKind::Schaal if rng.random_bool(0.05) => Antwoord::NietVanToepassing,
                ItemKind::Schaal => Antwoord::Schaal(rng.random_range(1..=5)),
            };
            (i.code.clone(), a)
        })
        .collect();
    let a = Answers { version: q.version.clone(), cijfer, items, verbeterpunten: None };
    (q.version.clone(), cijfer, a.to_json())
}

fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn generate(dir: &str, answers: usize, seed: u64) {
    let qs = Questionnaires::builtin().unwrap();
    let mut rng = StdRng::seed_from_u64(seed);
    let open = |name: &str| std::io::BufWriter::new(std::fs::File::create(format!("{dir}/{name}.csv")).unwrap());
    let now = "2026-12-01 00:00:00";
    let mut f = open("instellingen");
    for i in 0..INSTELLINGEN {
        writeln!(f, "{},ROC Bench {i},false,true,{now},{now}", brin(i)).unwrap();
    }
    let mut fa = open("aanbieders");
    let mut fl = open("locaties");
    for i in 0..INSTELLINGEN {
        for a in 0..3 {
            writeln!(fa, "{},{},Aanbieder {i}-{a},{now}", aanbieder(i, a), brin(i)).unwrap();
            for l in 0..2 {
                writeln!(fl, "{},{},Locatie {i}-{a}-{l}", locatie(i, a, l), aanbieder(i, a)).unwrap();
            }
        }
    }
    let mut fk = open("kwalificaties");
    for c in 0..CREBOS {
        writeln!(fk, "{},Kwalificatie {c},{},{}", crebo(c), 2 + c % 3, csv_field(SECTORS[c % SECTORS.len()])).unwrap();
    }
    let (mut fb, mut fi, mut fr) = (open("bpvos"), open("invitations"), open("responses"));
    // Erkenningen for data quality: most (leerbedrijf, crebo) pairs in use are recognised.
    let mut fe = open("erkenningen");
    let mut erkend = std::collections::HashSet::new();
    let mut n_answers = 0;
    let mut id = 0u64;
    // Instelling sizes differ (a few large ROCs); crebos cluster per instelling.
    let weights: Vec<f64> = (0..INSTELLINGEN).map(|i| 1.0 + 6.0 / (1.0 + i as f64 / 4.0)).collect();
    let total: f64 = weights.iter().sum();
    while n_answers < answers {
        let mut x = rng.random_range(0.0..total);
        let mut i = 0;
        while x > weights[i] && i + 1 < INSTELLINGEN {
            x -= weights[i];
            i += 1;
        }
        let a = rng.random_range(0..3);
        let l = rng.random_range(0..2);
        let c = (i * 37 + rng.random_range(0..40) + if rng.random_bool(0.2) { rng.random_range(0..CREBOS) } else { 0 })
            % CREBOS;
        let leerweg = if rng.random_bool(0.7) { "BOL" } else { "BBL" };
        let m = rng.random_range(0..36);
        let end = month(m);
        id += 1;
        let bpvo = format!("b{id}");
        let start = end - chrono::Days::new(180);
        let leerbedrijf = 100_000_000 + rng.random_range(0..20_000u32);
        // Registered mostly ahead of the start, a fair share late.
        let offset = if rng.random_bool(0.75) { -rng.random_range(1..60i64) } else { rng.random_range(0..75i64) };
        let received = (start + chrono::Duration::days(offset)).and_hms_opt(9, 0, 0).unwrap();
        writeln!(
            fb,
            "{bpvo},{},c{id},{leerbedrijf},{},{leerweg},{start},{end},actief,{},{received},{now}",
            aanbieder(i, a),
            crebo(c),
            locatie(i, a, l)
        )
        .unwrap();
        if erkend.insert((leerbedrijf, c)) && rng.random_bool(0.9) {
            writeln!(fe, "e{id},{leerbedrijf},{},2015-01-01,", crebo(c)).unwrap();
        }
        let sent = end - chrono::Days::new(21);
        for (groep, rate) in [("praktijkopleider", 0.20), ("student", 0.42)] {
            let inv = format!("i{id}{}", &groep[..1]);
            let answered = rng.random_bool(rate);
            writeln!(
                fi,
                "{inv},{bpvo},{groep},direct,{},{sent},{},{sent},{now},{now}",
                if answered { "beantwoord" } else { "verstuurd" },
                sent + chrono::Days::new(35)
            )
            .unwrap();
            if answered {
                let (version, cijfer, json) = answers_json(&qs, sent, &mut rng);
                // Answered within the survey's five weeks, at any time of day.
                let at = sent.and_hms_opt(0, 0, 0).unwrap()
                    + chrono::TimeDelta::seconds(rng.random_range(0..35 * 24 * 3600));
                writeln!(
                    fr,
                    "r{id}{},{inv},{at},web,{version},{groep},{},{},{},{leerweg},{},{},{cijfer},{}",
                    &groep[..1],
                    end.format("%Y-%m"),
                    aanbieder(i, a),
                    locatie(i, a, l),
                    crebo(c),
                    csv_field(SECTORS[c % SECTORS.len()]),
                    csv_field(&json)
                )
                .unwrap();
                n_answers += 1;
            }
        }
    }
    println!("generated {n_answers} answers over {id} bpvos ({} invitations)", id * 2);
}

/// A mix of selections as dashboard users make them.
/// An instelling (none: national) and the query pairs.
type Selection = (Option<String>, Vec<(&'static str, String)>);

fn selections(rng: &mut StdRng, n: usize) -> Vec<Selection> {
    (0..n)
        .map(|_| {
            let i = rng.random_range(0..INSTELLINGEN);
            let mut q: Vec<(&'static str, String)> = Vec::new();
            let national = rng.random_bool(0.1);
            if rng.random_bool(0.5) {
                let from = rng.random_range(0..30);
                q.push(("van", month(from).format("%Y-%m").to_string()));
                q.push(("totEnMet", month(from + rng.random_range(0..6)).format("%Y-%m").to_string()));
            }
            if !national && rng.random_bool(0.3) {
                q.push(("aanbieder", aanbieder(i, rng.random_range(0..3))));
            }
            if rng.random_bool(0.3) {
                q.push(("leerweg", if rng.random_bool(0.5) { "BOL" } else { "BBL" }.into()));
            }
            if rng.random_bool(0.2) {
                q.push(("crebo", crebo((i * 37 + rng.random_range(0..40)) % CREBOS)));
            } else if rng.random_bool(0.2) {
                q.push(("sector", SECTORS[rng.random_range(0..SECTORS.len())].into()));
            }
            q.push(("groep", if rng.random_bool(0.5) { "studenten" } else { "praktijkopleiders" }.into()));
            (if national { None } else { Some(brin(i)) }, q)
        })
        .collect()
}

fn selectie(brin: &Option<String>, q: &[(&'static str, String)]) -> Selectie {
    let get = |k: &str| q.iter().find(|(key, _)| *key == k).map(|(_, v)| v.clone());
    Selectie {
        van: get("van").map(|v| v.parse::<YearMonth>().unwrap()),
        tot_en_met: get("totEnMet").map(|v| v.parse::<YearMonth>().unwrap()),
        brin: brin.clone(),
        aanbieders: get("aanbieder").into_iter().collect(),
        locaties: Vec::new(),
        leerweg: get("leerweg"),
        sector: get("sector"),
        crebo: get("crebo"),
        groep: Groep::parse(&get("groep").unwrap()).unwrap(),
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
                rol: "sbb",
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
