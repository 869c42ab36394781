//! How much of a selection's answers the results count, per single filter, for a calendar year
//! (docs/architecture.md, "Filters that answer"; docs/privacy.md). For each merge order
//! (`reporting.voorkeur`) and group it prints the share of answers counted for: no filter, each
//! leerweg, each sector, the ten largest crebo's, every locatie of the largest school and every
//! aanbieder — nationally and for the largest school. Measuring tool: the counts it prints are
//! exact and never published.
//!
//! * `filterdekking db DATABASE_URL` — the answers and invitations stored in a database (e.g. the
//!   demo's SQLite file);
//! * `filterdekking bench ANSWERS` — the reporting benchmark's generated data set, in memory.
//!
//! `FILTERDEKKING_JAAR` and `FILTERDEKKING_SCHOOL` choose the year and the school instead.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};

use bpv_aggregation::{
    AnswerKeys, Answers, Index, InvitationCount, KeyedAnswer, Questionnaires, Selectie, Voorkeur, YearMonth,
};
use bpv_store::repo::reporting;
use bpvo::Groep;

#[path = "bench_data/mod.rs"]
mod bench_data;

fn from_database(url: &str) -> (Vec<KeyedAnswer>, Vec<InvitationCount>) {
    let pool = bpv_store::build_pool(&bpv_store::DatabaseUrl::parse(url).unwrap(), 1).unwrap();
    let mut conn = pool.get().unwrap();
    let mut answers = Vec::new();
    let mut after = None;
    loop {
        let rows = reporting::answers_after(&mut conn, after.as_ref(), 20_000).unwrap();
        let Some(last) = rows.last() else { break };
        after = Some((last.submitted_at, last.id.clone()));
        answers.extend(rows.iter().filter_map(bpv_reporting_api::data::keyed));
    }
    let invitations = reporting::invitation_counts(&mut conn)
        .unwrap()
        .iter()
        .filter_map(bpv_reporting_api::data::invitation)
        .collect();
    (answers, invitations)
}

fn from_bench(n: usize) -> (Vec<KeyedAnswer>, Vec<InvitationCount>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    bench_data::generate(path, n, 20261201);
    let read = |name: &str| {
        csv::ReaderBuilder::new().has_headers(false).from_path(format!("{path}/{name}.csv")).unwrap().into_records()
    };
    let brin_of: HashMap<String, String> =
        read("aanbieders").map(|r| r.unwrap()).map(|r| (r[0].to_owned(), r[1].to_owned())).collect();
    let sector_of: HashMap<String, String> =
        read("kwalificaties").map(|r| r.unwrap()).map(|r| (r[0].to_owned(), r[3].to_owned())).collect();
    let keys = |groep: &str, maand: &str, aanbieder: &str, locatie: &str, leerweg: &str, crebo: &str| AnswerKeys {
        groep: Groep::parse(groep).unwrap(),
        maand: maand.parse().unwrap(),
        brin: brin_of[aanbieder].clone(),
        aanbiedercode: aanbieder.to_owned(),
        locatiecode: Some(locatie.to_owned()).filter(|l| !l.is_empty()),
        leerweg: leerweg.to_owned(),
        crebo: crebo.to_owned(),
        sector: sector_of.get(crebo).cloned(),
    };
    // responses: id, invitation, submitted_at, bron, version, groep, maand, aanbieder, locatie,
    // leerweg, crebo, sector, cijfer, antwoorden
    let answers = read("responses")
        .map(|r| r.unwrap())
        .map(|r| KeyedAnswer {
            keys: keys(&r[5], &r[6], &r[7], &r[8], &r[9], &r[10]),
            answers: Answers::from_json(&r[13]).unwrap(),
        })
        .collect();
    // bpvos: id, aanbieder, correlatie, leerbedrijf, crebo, leerweg, start, end, status, locatie, …
    let bpvos: HashMap<String, (String, String, String, String, String)> = read("bpvos")
        .map(|r| r.unwrap())
        .map(|r| {
            (
                r[0].to_owned(),
                (r[1].to_owned(), r[4].to_owned(), r[5].to_owned(), r[7][..7].to_owned(), r[9].to_owned()),
            )
        })
        .collect();
    let mut counts: HashMap<AnswerKeys, u64> = HashMap::new();
    // invitations: id, bpvo, groep, …
    for r in read("invitations").map(|r| r.unwrap()) {
        let (aanbieder, crebo, leerweg, maand, locatie) = &bpvos[&r[1]];
        *counts.entry(keys(&r[2], maand, aanbieder, locatie, leerweg, crebo)).or_default() += 1;
    }
    (answers, counts.into_iter().map(|(keys, count)| InvitationCount { keys, count, via: 0 }).collect())
}

/// Σ counted / Σ in selection over a family of selections, and the lowest single share.
struct Row {
    meegeteld: u64,
    in_selectie: u64,
    laagste: Option<(f64, String)>,
}

fn family(index: &Index, selections: &[(String, Selectie)]) -> Row {
    let mut row = Row { meegeteld: 0, in_selectie: 0, laagste: None };
    for (label, s) in selections {
        let d = index.dekking(s);
        row.meegeteld += d.meegeteld;
        row.in_selectie += d.in_selectie;
        if d.in_selectie > 0 && row.laagste.as_ref().is_none_or(|(x, _)| d.aandeel() < *x) {
            row.laagste = Some((d.aandeel(), label.clone()));
        }
    }
    row
}

fn pct(part: u64, whole: u64) -> String {
    if whole == 0 { "—".into() } else { format!("{:.1} %", 100.0 * part as f64 / whole as f64) }
}

fn print(what: &str, row: &Row) {
    let lowest = row.laagste.as_ref().map(|(x, l)| format!("  (lowest {:.0} %: {l})", 100.0 * x)).unwrap_or_default();
    println!(
        "  {what:<38} {:>8} of {:>9}  {:>7}{lowest}",
        row.meegeteld,
        row.in_selectie,
        pct(row.meegeteld, row.in_selectie)
    );
}

/// One evaluation each of the reporting benchmark's mix of selections (no cache here), per kind.
fn cold_evaluations(index: &Index) {
    use rand::SeedableRng;
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for (what, national) in [("school", false), ("national", true)] {
        let mut times = Vec::new();
        for (b, q) in bench_data::selections(&mut rng, 2000) {
            let b = if national { None } else { b.or_else(|| Some(bench_data::brin(0))) };
            let s = bench_data::selectie(&b, &q);
            let t = std::time::Instant::now();
            std::hint::black_box(index.evaluate(&s));
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "  evaluate, {what} selections (2,000 of the benchmark's mix): p50 {:.3} ms, p99 {:.2} ms, max {:.2} ms",
            times[times.len() / 2],
            times[times.len() * 99 / 100],
            times[times.len() - 1]
        );
    }
}

#[allow(clippy::too_many_lines, reason = "the example reads as one report: load, measure each filter, print")]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bench = args.get(1).map(String::as_str) == Some("bench");
    let (answers, invitations) = match (args.get(1).map(String::as_str), args.get(2)) {
        (Some("db"), Some(url)) => from_database(url),
        (Some("bench"), Some(n)) => from_bench(n.parse().unwrap()),
        _ => {
            eprintln!("usage: filterdekking db DATABASE_URL | bench ANSWERS");
            std::process::exit(2);
        }
    };
    if answers.is_empty() {
        eprintln!("filterdekking: no answers in the data set");
        std::process::exit(1);
    }
    let qs = Questionnaires::builtin().unwrap();
    let k = std::env::var("BPV_K").ok().and_then(|k| k.parse().ok()).unwrap_or(bpv_aggregation::DEFAULT_K);
    // The calendar year with the most answers, and the school with the most answers in it.
    let mut per_year: BTreeMap<i32, u64> = BTreeMap::new();
    for a in &answers {
        *per_year.entry(a.keys.maand.year).or_default() += 1;
    }
    let year = std::env::var("FILTERDEKKING_JAAR")
        .ok()
        .and_then(|y| y.parse().ok())
        .unwrap_or_else(|| per_year.iter().max_by_key(|(y, n)| (**n, **y)).map(|(y, _)| *y).unwrap());
    let in_year: Vec<&KeyedAnswer> = answers.iter().filter(|a| a.keys.maand.year == year).collect();
    let mut per_brin: HashMap<&str, u64> = HashMap::new();
    for a in &in_year {
        *per_brin.entry(&a.keys.brin).or_default() += 1;
    }
    let school = std::env::var("FILTERDEKKING_SCHOOL").ok().unwrap_or_else(|| {
        per_brin.iter().max_by_key(|(b, n)| (**n, std::cmp::Reverse(**b))).map(|(b, _)| (*b).to_owned()).unwrap()
    });
    println!(
        "filterdekking: {} answers, {} invitation cells, k = {k}; calendar year {year} ({} answers); largest school {school}",
        answers.len(),
        invitations.len(),
        in_year.len()
    );
    for voorkeur in [Voorkeur::Kwalificatie, Voorkeur::Locatie] {
        let mut index = Index::with_voorkeur(&qs, k, voorkeur);
        index.add(&answers, &invitations);
        let stats = index.stats();
        if bench {
            cold_evaluations(&index);
        }
        println!(
            "\nreporting.voorkeur = \"{}\": {} atoms, {} answers dropped ({})",
            voorkeur.as_str(),
            stats.atoms,
            stats.answers_dropped,
            pct(stats.answers_dropped, answers.len() as u64)
        );
        for groep in [Groep::Student, Groep::Praktijkopleider] {
            let here: Vec<&&KeyedAnswer> = in_year.iter().filter(|a| a.keys.groep == groep).collect();
            let base = Selectie {
                van: YearMonth::new(year, 1),
                tot_en_met: YearMonth::new(year, 12),
                ..Selectie::national(groep)
            };
            let own = Selectie { brin: Some(school.clone()), ..base.clone() };
            let count_by = |f: &dyn Fn(&AnswerKeys) -> Option<String>, only_school: bool| {
                let mut m: BTreeMap<String, u64> = BTreeMap::new();
                for a in here.iter().filter(|a| !only_school || a.keys.brin == school) {
                    if let Some(v) = f(&a.keys) {
                        *m.entry(v).or_default() += 1;
                    }
                }
                m
            };
            let largest = |m: BTreeMap<String, u64>, n: usize| {
                let mut v: Vec<(String, u64)> = m.into_iter().collect();
                v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                v.into_iter().take(n).map(|(k, _)| k).collect::<Vec<_>>()
            };
            println!("{groep:?}, {year}:");
            for (side, sel, only_school) in [("landelijk", &base, false), ("school", &own, true)] {
                let with = |f: &dyn Fn(&str) -> Selectie, values: &[String]| {
                    values.iter().map(|v| (v.clone(), f(v))).collect::<Vec<_>>()
                };
                print(&format!("{side}: geen filter"), &family(&index, &[("—".into(), sel.clone())]));
                for lw in count_by(&|k| Some(k.leerweg.clone()), only_school).into_keys() {
                    let s = Selectie { leerweg: Some(lw.clone()), ..sel.clone() };
                    print(&format!("{side}: leerweg {lw}"), &family(&index, &[(lw.clone(), s)]));
                }
                let sectors: Vec<String> = count_by(&|k| k.sector.clone(), only_school).into_keys().collect();
                let sector_sel = with(&|v| Selectie { sector: Some(v.to_owned()), ..sel.clone() }, &sectors);
                print(&format!("{side}: each sector ({})", sectors.len()), &family(&index, &sector_sel));
                let crebos = largest(count_by(&|k| Some(k.crebo.clone()), only_school), 10);
                let crebo_sel = with(&|v| Selectie { crebo: Some(v.to_owned()), ..sel.clone() }, &crebos);
                print(&format!("{side}: ten largest crebo's"), &family(&index, &crebo_sel));
                if only_school {
                    let locaties: Vec<String> = count_by(&|k| k.locatiecode.clone(), true).into_keys().collect();
                    let loc_sel = with(&|v| Selectie { locaties: vec![v.to_owned()], ..sel.clone() }, &locaties);
                    print(&format!("{side}: each locatie ({})", locaties.len()), &family(&index, &loc_sel));
                }
                let pairs: Vec<(String, String)> = {
                    let mut m: BTreeMap<(String, String), u64> = BTreeMap::new();
                    for a in here.iter().filter(|a| !only_school || a.keys.brin == school) {
                        *m.entry((a.keys.brin.clone(), a.keys.aanbiedercode.clone())).or_default() += 1;
                    }
                    m.into_keys().collect()
                };
                let aanbieder_sel: Vec<(String, Selectie)> = pairs
                    .iter()
                    .map(|(b, a)| {
                        (a.clone(), Selectie { brin: Some(b.clone()), aanbieders: vec![a.clone()], ..sel.clone() })
                    })
                    .collect();
                print(&format!("{side}: each aanbieder ({})", pairs.len()), &family(&index, &aanbieder_sel));
            }
        }
    }
}
