//! The benchmark data set shared by the reporting examples: ~60 instellingen with 3 aanbieders
//! and 2 locaties each, 400 crebos in 8 sectors, 36 months, both groups, ~31 % response.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Write as _;

use bpv_aggregation::{Answers, Antwoord, ItemKind, Questionnaires, Selectie, YearMonth};
use bpvo::Groep;
use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub const INSTELLINGEN: usize = 60;
pub const CREBOS: usize = 400;
pub const SECTORS: [&str; 8] = [
    "Techniek en gebouwde omgeving",
    "Zorg, welzijn en sport",
    "Handel",
    "ICT en creatieve industrie",
    "Mobiliteit, transport, logistiek en maritiem",
    "Voedsel, groen en gastvrijheid",
    "Zakelijke dienstverlening en veiligheid",
    "Specialistisch vakmanschap",
];

pub fn brin(i: usize) -> String {
    format!("{:02}B{}", 10 + i, (b'A' + (i % 26) as u8) as char)
}
pub fn aanbieder(i: usize, a: usize) -> String {
    format!("{:03}A{:03}", i, a)
}
pub fn locatie(i: usize, a: usize, l: usize) -> String {
    format!("L{:03}{}{}", i, a, l)
}
pub fn crebo(c: usize) -> String {
    format!("{}", 25000 + c)
}
pub fn month(m: usize) -> NaiveDate {
    NaiveDate::from_ymd_opt(2023 + (m / 12) as i32, (m % 12) as u32 + 1, 15).unwrap()
}

pub fn answers_json(qs: &Questionnaires, date: NaiveDate, rng: &mut StdRng) -> (String, u8, String) {
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

pub fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

#[allow(
    clippy::too_many_lines,
    reason = "writes every table of the benchmark data set in one pass; splitting it would scatter the shared generator state"
)]
pub fn generate(dir: &str, answers: usize, seed: u64) {
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
    // The rest of what the six data-quality questions read, from a stream of its own so the
    // answers stay as they were: keuzedelen (15 %, mostly erkend), DUO's registrations (93 %, a
    // few only at DUO), erkenning decision dates, and a year of register deliveries.
    let mut dq = StdRng::seed_from_u64(seed ^ 0xda7a_c0de);
    let (mut fkd, mut fke, mut fd) = (open("bpvo_keuzedelen"), open("keuzedeel_erkenningen"), open("duo_meldingen"));
    let mut keuzedeel_erkend = std::collections::HashSet::new();
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
            let besloten = NaiveDate::from_ymd_opt(2014, 12, 1).unwrap() + chrono::Days::new(dq.random_range(0..3_000));
            let aangevraagd = besloten - chrono::Days::new(dq.random_range(10..120));
            writeln!(fe, "e{id},{leerbedrijf},{},2015-01-01,,{aangevraagd},{besloten}", crebo(c)).unwrap();
        }
        if dq.random_bool(0.15) {
            let k = dq.random_range(0..40);
            writeln!(fkd, "{bpvo},K{:04}", 100 + k).unwrap();
            if keuzedeel_erkend.insert((leerbedrijf, k)) && dq.random_bool(0.85) {
                writeln!(fke, "k{id},{leerbedrijf},K{:04},2015-01-01,,2014-10-01,2014-11-15", 100 + k).unwrap();
            }
        }
        if dq.random_bool(0.93) {
            let gemeld = start
                + chrono::Duration::days(if dq.random_bool(0.8) {
                    -dq.random_range(1..45)
                } else {
                    dq.random_range(0..40)
                });
            writeln!(fd, "{},c{id},{start},{gemeld},{now}", aanbieder(i, a)).unwrap();
        }
        if id % 200 == 7 {
            writeln!(fd, "{},duo{id},{start},{},{now}", aanbieder(i, a), start - chrono::Days::new(10)).unwrap();
        }
        let sent = end - chrono::Days::new(21);
        for (groep, rate) in [("praktijkopleider", 0.20), ("student", 0.42)] {
            let inv = format!("i{id}{}", &groep[..1]);
            let answered = rng.random_bool(rate);
            // Every fifth instelling does not survey its students directly: their link goes
            // through the praktijkopleider (the response table splits by channel).
            let kanaal = if groep == "student" && i % 5 == 4 { "via_praktijkopleider" } else { "direct" };
            writeln!(
                fi,
                "{inv},{bpvo},{groep},{kanaal},{},{sent},{},{sent},{now},{now}",
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
    let mut fl = open("referentie_leveringen");
    let mut dag = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    while dag < NaiveDate::from_ymd_opt(2026, 12, 1).unwrap() {
        if dq.random_bool(0.8) {
            writeln!(fl, "l{dag}e,erkenningen,{dag} 05:00:00").unwrap();
        }
        if chrono::Datelike::day(&dag) == 1 && chrono::Datelike::month(&dag) % 6 == 1 {
            writeln!(fl, "l{dag}k,kwalificaties,{dag} 06:00:00").unwrap();
        }
        dag = dag + chrono::Days::new(1);
    }
    println!("generated {n_answers} answers over {id} bpvos ({} invitations)", id * 2);
}

/// A mix of selections as dashboard users make them.
/// An instelling (none: national) and the query pairs.
pub type Selection = (Option<String>, Vec<(&'static str, String)>);

pub fn selections(rng: &mut StdRng, n: usize) -> Vec<Selection> {
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
            key_filters(rng, i, &mut q);
            (if national { None } else { Some(brin(i)) }, q)
        })
        .collect()
}

/// Some leerweg, crebo (one instelling `i` offers) or sector filters, and the group.
fn key_filters(rng: &mut StdRng, i: usize, q: &mut Vec<(&'static str, String)>) {
    if rng.random_bool(0.3) {
        q.push(("leerweg", if rng.random_bool(0.5) { "BOL" } else { "BBL" }.into()));
    }
    if rng.random_bool(0.2) {
        q.push(("crebo", crebo((i * 37 + rng.random_range(0..40)) % CREBOS)));
    } else if rng.random_bool(0.2) {
        q.push(("sector", SECTORS[rng.random_range(0..SECTORS.len())].into()));
    }
    q.push(("groep", if rng.random_bool(0.5) { "studenten" } else { "praktijkopleiders" }.into()));
}

pub fn selectie(brin: &Option<String>, q: &[(&'static str, String)]) -> Selectie {
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

/// `n` selections as a cold request meets them: each distinct, and each one's national side
/// (the same filters over every instelling, which the API evaluates beside it) not asked by an
/// earlier one either, so no request is helped by a cache another filled. 80 % one instelling,
/// 20 % national; random periods of one to twelve months, some with leerweg, crebo or sector;
/// only selections the API accepts. Fewer than `n` when the space runs out.
pub fn distinct_selections(rng: &mut StdRng, n: usize) -> Vec<Selection> {
    let mut national_seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(n);
    let mut tries = 0;
    while out.len() < n && tries < n * 50 {
        tries += 1;
        let i = rng.random_range(0..INSTELLINGEN);
        let national = rng.random_bool(0.2);
        let mut q: Vec<(&'static str, String)> = Vec::new();
        let from = rng.random_range(0..36);
        let to = (from + rng.random_range(0..12)).min(35);
        q.push(("van", month(from).format("%Y-%m").to_string()));
        q.push(("totEnMet", month(to).format("%Y-%m").to_string()));
        key_filters(rng, i, &mut q);
        // The national side carries the same filters without instelling and aanbieder.
        if !national_seen.insert(q.clone()) {
            continue;
        }
        if !national && rng.random_bool(0.3) {
            q.push(("aanbieder", aanbieder(i, rng.random_range(0..3))));
        }
        out.push((if national { None } else { Some(brin(i)) }, q));
    }
    out
}
