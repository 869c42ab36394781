//! Hand-computed figures, suppression at k−1 / k, version-aware n, and the differencing attack.

use std::collections::BTreeMap;

use bpvo::Groep;
use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::answers::{Answers, Antwoord};
use crate::questionnaire::ItemKind;
use crate::results::{REDEN_GEEN_ANTWOORDEN, REDEN_ONVOLDOENDE_RESPONS};

const BRIN: &str = "25LX";

fn qs() -> Questionnaires {
    Questionnaires::builtin().unwrap()
}

fn ym(s: &str) -> YearMonth {
    s.parse().unwrap()
}

fn keys(maand: &str, locatie: &str, leerweg: &str, crebo: &str) -> AnswerKeys {
    AnswerKeys {
        groep: Groep::Student,
        maand: ym(maand),
        brin: BRIN.into(),
        aanbiedercode: "A1".into(),
        locatiecode: Some(locatie.into()),
        leerweg: leerweg.into(),
        crebo: crebo.into(),
        sector: Some("techniek".into()),
    }
}

/// An answer to the version in use in `maand`: every scale item `schaal`, the grade `cijfer`,
/// then the overrides.
fn answer(q: &Questionnaires, k: &AnswerKeys, cijfer: u8, schaal: u8, overrides: &[(&str, Antwoord)]) -> KeyedAnswer {
    let date = NaiveDate::from_ymd_opt(k.maand.year, u32::from(k.maand.month), 1).unwrap();
    let version = q.for_date(date);
    let mut items: BTreeMap<String, Antwoord> = version
        .items()
        .map(|(_, item)| {
            let a = match item.kind {
                ItemKind::Cijfer => Antwoord::Cijfer(cijfer),
                ItemKind::Schaal => Antwoord::Schaal(schaal),
            };
            (item.code.clone(), a)
        })
        .collect();
    for (code, a) in overrides {
        items.insert((*code).to_owned(), *a);
    }
    KeyedAnswer {
        keys: k.clone(),
        answers: Answers { version: version.version.clone(), cijfer, items, verbeterpunten: None },
    }
}

fn many(q: &Questionnaires, k: &AnswerKeys, n: usize, cijfer: u8) -> Vec<KeyedAnswer> {
    (0..n).map(|_| answer(q, k, cijfer, 3, &[])).collect()
}

fn school() -> Selectie {
    Selectie { brin: Some(BRIN.into()), ..Selectie::national(Groep::Student) }
}

fn n_and_sum(r: &Resultaat) -> (u64, f64) {
    let m = r.item("cijfer").unwrap().mean;
    (m.n, m.value.map_or(0.0, |v| v * m.n as f64))
}

#[test]
fn year_month_parses_orders_and_prints() {
    assert_eq!(ym("2024-07"), YearMonth { year: 2024, month: 7 });
    assert_eq!(ym("2024-07").to_string(), "2024-07");
    assert!(ym("2023-12") < ym("2024-01"));
    assert_eq!(ym("2024-07").quarter(), 3);
    for bad in ["2024-13", "2024-00", "24-07", "2024-7", "2024/07", "jjjj-mm", ""] {
        assert!(bad.parse::<YearMonth>().is_err(), "{bad}");
    }
}

#[test]
fn figures_hand_computed() {
    let q = qs();
    let k = keys("2023-03", "L1", "BOL", "25180");
    let grades = [6, 7, 7, 8, 8, 8, 9, 7, 6, 8]; // Σ 74, n 10 → 7,4
    let v1 = [5, 4, 4, 3, 2, 4, 5, 1, 4, 3]; // Σ 35 → 3,5; 4 or 5: 6 of 10 → 60%
    let answers: Vec<KeyedAnswer> = grades
        .iter()
        .zip(v1)
        .enumerate()
        .map(|(i, (&c, v))| {
            // voorbereiding_2: 3, twice n.v.t. (n 8 < k: suppressed); voorbereiding_3: 4.
            let v2 = if i < 2 { Antwoord::NietVanToepassing } else { Antwoord::Schaal(3) };
            answer(
                &q,
                &k,
                c,
                3,
                &[
                    ("voorbereiding_1", Antwoord::Schaal(v)),
                    ("voorbereiding_2", v2),
                    ("voorbereiding_3", Antwoord::Schaal(4)),
                ],
            )
        })
        .collect();
    let index = Index::build(&q, &answers, &[InvitationCount { keys: k.clone(), count: 40 }], 10);
    let r = index.evaluate(&school());

    let cijfer = r.item("cijfer").unwrap();
    assert_eq!(cijfer.mean.n, 10);
    assert!((cijfer.mean.value.unwrap() - 7.4).abs() < 1e-12);
    assert_eq!(cijfer.mean.nl(1), "7,4");
    assert_eq!(cijfer.eens, None);
    assert_eq!(
        cijfer.verdeling.as_deref().unwrap(),
        &[(1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 2), (7, 3), (8, 4), (9, 1), (10, 0)]
    );
    assert_eq!(r.theme("eindwaardering").unwrap().score.nl(1), "7,4");

    let v1 = r.item("voorbereiding_1").unwrap();
    assert_eq!(v1.mean.n, 10);
    assert_eq!(v1.mean.value, Some(3.5));
    assert_eq!(v1.mean.nl(1), "3,5");
    assert_eq!(v1.eens.unwrap().value, Some(60.0));
    assert_eq!(v1.eens.unwrap().nl(0), "60");
    assert_eq!(v1.verdeling.as_deref().unwrap(), &[(1, 1), (2, 1), (3, 2), (4, 4), (5, 2)]);
    assert_eq!(v1.nvt, 0);

    // n.v.t. leaves n: 8 answers < k = 10 → suppressed, distribution hidden.
    let v2 = r.item("voorbereiding_2").unwrap();
    assert_eq!((v2.mean.n, v2.nvt), (8, 2));
    assert_eq!(v2.mean.value, None);
    assert_eq!(v2.mean.suppressed, Some(REDEN_ONVOLDOENDE_RESPONS));
    assert_eq!(v2.mean.nl(1), "onvoldoende respons");
    assert_eq!(v2.eens.unwrap().value, None);
    assert_eq!(v2.verdeling, None);

    // Theme score: published items only, weighted by n: (35 + 40) / (10 + 10) = 3,75.
    let score = r.theme("voorbereiding").unwrap().score;
    assert_eq!((score.value, score.n), (Some(3.75), 20));
    assert_eq!(score.nl(2), "3,75");

    // Response: 10 of 40.
    assert_eq!(r.response.responded, 10);
    assert_eq!(r.response.invited, 40);
    assert_eq!(r.response.rate, Some(0.25));
    assert_eq!(r.response.line(), "25% (10 van 40)");
    assert_eq!(r.niet_meegeteld, 0);

    // The other group has nothing.
    let other = index.evaluate(&Selectie::national(Groep::Praktijkopleider));
    assert_eq!(other.response.line(), "—");
    assert_eq!(other.item("cijfer").unwrap().mean.suppressed, Some(REDEN_GEEN_ANTWOORDEN));
}

#[test]
fn response_line_the_dutch_way() {
    let q = qs();
    let k = keys("2023-03", "L1", "BOL", "25180");
    let answers = many(&q, &k, 3631, 7);
    let index = Index::build(&q, &answers, &[InvitationCount { keys: k, count: 32537 }], 10);
    let r = index.evaluate(&Selectie::national(Groep::Student));
    assert_eq!(r.response.line(), "11% (3.631 van 32.537)");
    assert_eq!(r.item("cijfer").unwrap().mean.nl(1), "7,0");
}

#[test]
fn themes_follow_the_newest_version() {
    let q = qs();
    let index = Index::new(&q, 10);
    let r = index.evaluate(&Selectie::national(Groep::Student));
    let codes: Vec<&str> = r.themes.iter().map(|t| t.code.as_str()).collect();
    let latest: Vec<&str> = q.latest().themes.iter().map(|t| t.code.as_str()).collect();
    assert_eq!(codes, latest);
    assert_eq!(r.item("sociale_veiligheid_1").unwrap().kind, ItemKind::Schaal);
}

#[test]
fn suppression_at_k_minus_one_and_k() {
    let q = qs();
    // L1 has exactly k = 10: an atom. L2 has k − 1 = 9, alone in its month, quarter and year:
    // dropped.
    let mut answers = many(&q, &keys("2023-03", "L1", "BOL", "25180"), 10, 8);
    answers.extend(many(&q, &keys("2023-03", "L2", "BOL", "25180"), 9, 4));
    let index = Index::build(&q, &answers, &[], 10);
    assert_eq!(index.atom_sizes(), vec![10]);
    assert_eq!(index.stats().answers_dropped, 9);

    let l1 = Selectie { locaties: vec!["L1".into()], ..school() };
    let r = index.evaluate(&l1);
    assert_eq!(r.item("cijfer").unwrap().mean.value, Some(8.0));
    assert_eq!(r.item("cijfer").unwrap().mean.n, 10);

    let l2 = Selectie { locaties: vec!["L2".into()], ..school() };
    let r = index.evaluate(&l2);
    assert_eq!(r.item("cijfer").unwrap().mean.n, 0);
    assert_eq!(r.item("cijfer").unwrap().mean.suppressed, Some(REDEN_GEEN_ANTWOORDEN));
    // The dropped answers are not even counted as "not counted": that number would be < k.
    assert_eq!(r.niet_meegeteld, 0);
    assert_eq!(index.evaluate(&school()).item("cijfer").unwrap().mean.n, 10);

    // One more answer at L2 makes it an atom of its own.
    let mut index = index;
    index.add(&many(&q, &keys("2023-03", "L2", "BOL", "25180"), 1, 4), &[]);
    assert_eq!(index.atom_sizes(), vec![10, 10]);
    assert_eq!(index.evaluate(&l2).item("cijfer").unwrap().mean.value, Some(4.0));
    assert_eq!(index.evaluate(&school()).item("cijfer").unwrap().mean.n, 20);
}

#[test]
fn small_remainders_merge_over_the_quarter_then_the_year() {
    let q = qs();
    let mut answers = Vec::new();
    // Jan and Mar 2023: 5 each at a small location → the quarter remainder has 10.
    answers.extend(many(&q, &keys("2023-01", "L9", "BOL", "25180"), 5, 6));
    answers.extend(many(&q, &keys("2023-03", "L9", "BOL", "25180"), 5, 8));
    // Q3 and Q4 2023: 4 + 6 → only the year remainder reaches 10.
    answers.extend(many(&q, &keys("2023-08", "L9", "BOL", "25180"), 4, 5));
    answers.extend(many(&q, &keys("2023-11", "L9", "BOL", "25180"), 6, 10));
    let index = Index::build(&q, &answers, &[], 10);
    let mut sizes = index.atom_sizes();
    sizes.sort_unstable();
    assert_eq!(sizes, vec![10, 10]);

    let period = |van: &str, tot: &str| Selectie { van: Some(ym(van)), tot_en_met: Some(ym(tot)), ..school() };
    let q1 = index.evaluate(&period("2023-01", "2023-03"));
    assert_eq!(q1.item("cijfer").unwrap().mean.value, Some(7.0)); // (5·6 + 5·8) / 10
    let jan = index.evaluate(&period("2023-01", "2023-01"));
    assert_eq!((jan.item("cijfer").unwrap().mean.n, jan.niet_meegeteld), (0, 10));
    let h2 = index.evaluate(&period("2023-07", "2023-12"));
    assert_eq!(h2.item("cijfer").unwrap().mean.value, Some(8.0)); // (4·5 + 6·10) / 10
    let all = index.evaluate(&period("2023-01", "2023-12"));
    assert_eq!(all.item("cijfer").unwrap().mean.value, Some(7.5));
}

#[test]
fn version_aware_n() {
    let q = qs();
    // 2024-06: version 2022-01 (no sociale_veiligheid_1); 2024-07: version 2024-07.
    let mut answers = many(&q, &keys("2024-06", "L1", "BOL", "25180"), 10, 6);
    answers.extend((0..12).map(|_| {
        answer(&q, &keys("2024-07", "L1", "BOL", "25180"), 8, 3, &[("sociale_veiligheid_1", Antwoord::Schaal(5))])
    }));
    assert_eq!(answers[0].answers.version, "2022-01");
    assert_eq!(answers[10].answers.version, "2024-07");
    let index = Index::build(&q, &answers, &[], 10);

    let both = Selectie { van: Some(ym("2024-06")), tot_en_met: Some(ym("2024-07")), ..school() };
    let r = index.evaluate(&both);
    let cijfer = r.item("cijfer").unwrap().mean;
    assert_eq!(cijfer.n, 22);
    assert!((cijfer.value.unwrap() - (60.0 + 96.0) / 22.0).abs() < 1e-12);
    assert_eq!(cijfer.nl(1), "7,1");
    let sv = r.item("sociale_veiligheid_1").unwrap();
    assert_eq!((sv.mean.n, sv.mean.value, sv.nvt), (12, Some(5.0), 0));
    assert_eq!(sv.eens.unwrap().value, Some(100.0));
    assert_eq!(r.item("voorbereiding_1").unwrap().mean.n, 22);
    assert_eq!(r.response.responded, 22);

    let june = Selectie { van: Some(ym("2024-06")), tot_en_met: Some(ym("2024-06")), ..school() };
    let r = index.evaluate(&june);
    assert_eq!(r.item("sociale_veiligheid_1").unwrap().mean.n, 0);
    assert_eq!(r.item("sociale_veiligheid_1").unwrap().mean.suppressed, Some(REDEN_GEEN_ANTWOORDEN));
    assert_eq!(r.theme("sociale_veiligheid").unwrap().score.suppressed, Some(REDEN_GEEN_ANTWOORDEN));
}

/// School-wide minus all-but-one-location.
#[test]
fn differencing_attack_by_location_is_refused() {
    let q = qs();
    let mut answers = Vec::new();
    answers.extend(many(&q, &keys("2023-03", "A", "BOL", "25180"), 12, 7)); // Σ 84
    answers.extend(many(&q, &keys("2023-03", "B", "BOL", "25180"), 12, 8)); // Σ 96
    answers.extend(many(&q, &keys("2023-03", "C", "BOL", "25180"), 3, 2)); // the target: Σ 6
    answers.extend(many(&q, &keys("2023-03", "D", "BOL", "25180"), 8, 9)); // Σ 72
    let index = Index::build(&q, &answers, &[], 10);
    let mut sizes = index.atom_sizes();
    sizes.sort_unstable();
    assert_eq!(sizes, vec![11, 12, 12]); // C and D share a remainder

    let whole = index.evaluate(&school());
    let but_c = index.evaluate(&Selectie { locaties: vec!["A".into(), "B".into(), "D".into()], ..school() });
    let (n1, s1) = n_and_sum(&whole);
    let (n2, s2) = n_and_sum(&but_c);
    assert_eq!((n1, n2), (35, 24));
    assert_eq!(but_c.niet_meegeteld, 11);
    // The difference is the whole remainder C + D: 11 answers, Σ 78 — not C's 3 answers, Σ 6.
    assert_eq!(n1 - n2, 11);
    assert!(((s1 - s2) - 78.0).abs() < 1e-9);

    // C alone, and all-but-D, give nothing more.
    let c = index.evaluate(&Selectie { locaties: vec!["C".into()], ..school() });
    assert_eq!((n_and_sum(&c).0, c.niet_meegeteld), (0, 11));
    let but_d = index.evaluate(&Selectie { locaties: vec!["A".into(), "B".into(), "C".into()], ..school() });
    assert_eq!(n_and_sum(&but_d).0, 24);

    // Without a partner, C is dropped: school-wide and all-but-C are equal.
    let without_d: Vec<KeyedAnswer> =
        answers.iter().filter(|a| a.keys.locatiecode.as_deref() != Some("D")).cloned().collect();
    let index = Index::build(&q, &without_d, &[], 10);
    let whole = index.evaluate(&school());
    let but_c = index.evaluate(&Selectie { locaties: vec!["A".into(), "B".into()], ..school() });
    assert_eq!(n_and_sum(&whole), n_and_sum(&but_c));
    assert_eq!(n_and_sum(&whole).0, 24);
    assert_eq!((whole.niet_meegeteld, but_c.niet_meegeteld), (0, 0));
}

/// Two filters: all BOL minus BOL-without-crebo-X, and crebo X minus crebo X in BBL.
#[test]
fn differencing_attack_with_two_filters_is_refused() {
    let q = qs();
    let mut answers = Vec::new();
    answers.extend(many(&q, &keys("2023-03", "A", "BBL", "X"), 15, 6));
    answers.extend(many(&q, &keys("2023-03", "A", "BOL", "X"), 4, 3)); // the target
    answers.extend(many(&q, &keys("2023-03", "A", "BOL", "Y"), 12, 8));
    answers.extend(many(&q, &keys("2023-03", "A", "BBL", "Z"), 7, 9));
    let index = Index::build(&q, &answers, &[], 10);
    let n = |s: Selectie| n_and_sum(&index.evaluate(&s)).0;
    let bol = || Selectie { leerweg: Some("BOL".into()), ..school() };

    let all_bol = n(bol());
    let bol_y = n(Selectie { crebo: Some("Y".into()), ..bol() }); // BOL without X
    let bol_x = n(Selectie { crebo: Some("X".into()), ..bol() });
    assert_eq!((all_bol, bol_y, bol_x), (12, 12, 0));
    assert_eq!(all_bol - bol_y, 0);

    let x = n(Selectie { crebo: Some("X".into()), ..school() });
    let x_bbl = n(Selectie { crebo: Some("X".into()), leerweg: Some("BBL".into()), ..school() });
    assert_eq!((x, x_bbl), (15, 15));

    // School-wide minus Y minus X: the remainder BOL X + BBL Z, 11 answers, mean (12 + 63) / 11.
    let whole = index.evaluate(&school());
    let (nw, sw) = n_and_sum(&whole);
    let y = index.evaluate(&Selectie { crebo: Some("Y".into()), ..school() });
    let xs = index.evaluate(&Selectie { crebo: Some("X".into()), ..school() });
    let rest_n = nw - n_and_sum(&y).0 - n_and_sum(&xs).0;
    let rest_sum = sw - n_and_sum(&y).1 - n_and_sum(&xs).1;
    assert_eq!(rest_n, 11);
    assert!((rest_sum - 75.0).abs() < 1e-9);
}

#[test]
fn add_matches_build() {
    let q = qs();
    let mut answers = many(&q, &keys("2023-03", "A", "BOL", "X"), 12, 6);
    answers.extend(many(&q, &keys("2023-04", "B", "BBL", "Y"), 4, 9));
    let later = many(&q, &keys("2023-04", "C", "BBL", "Y"), 7, 5);
    let inv = vec![InvitationCount { keys: keys("2023-04", "C", "BBL", "Y"), count: 30 }];
    let mut inc = Index::build(&q, &answers, &[], 10);
    inc.add(&later, &inv);
    answers.extend(later);
    let full = Index::build(&q, &answers, &inv, 10);
    for s in [school(), Selectie { leerweg: Some("BBL".into()), ..school() }] {
        assert_eq!(inc.evaluate(&s), full.evaluate(&s));
    }
    assert_eq!(full.evaluate(&school()).response.line(), "77% (23 van 30)");
}

#[test]
fn set_invitations_replaces_the_denominator() {
    let q = qs();
    let answers = many(&q, &keys("2023-03", "A", "BOL", "X"), 12, 6);
    let first = vec![
        InvitationCount { keys: keys("2023-03", "A", "BOL", "X"), count: 40 },
        InvitationCount { keys: keys("2023-05", "B", "BBL", "Y"), count: 8 },
    ];
    let mut index = Index::build(&q, &answers, &first, 10);
    assert_eq!(index.evaluate(&school()).response.line(), "25% (12 van 48)");
    // Read again: one count changed, one key gone, one new; the same as building afresh.
    let second = vec![
        InvitationCount { keys: keys("2023-03", "A", "BOL", "X"), count: 30 },
        InvitationCount { keys: keys("2023-06", "C", "BOL", "Z"), count: 10 },
    ];
    index.set_invitations(&second);
    assert_eq!(index.evaluate(&school()).response.line(), "30% (12 van 40)");
    let fresh = Index::build(&q, &answers, &second, 10);
    assert_eq!(index.evaluate(&school()), fresh.evaluate(&school()));
    assert_eq!(index.stats(), fresh.stats());
    // The same counts again change nothing; none at all leaves the answers.
    index.set_invitations(&second);
    assert_eq!(index.stats(), fresh.stats());
    index.set_invitations(&[]);
    assert_eq!(index.evaluate(&school()).response.line(), "—");
    assert_eq!(index.evaluate(&school()).response.responded, 12);
}

#[test]
fn key_values_per_instelling() {
    let q = qs();
    let mut answers = many(&q, &keys("2023-03", "A", "BOL", "X"), 3, 6);
    let mut other = keys("2024-07", "Q", "BBL", "Y");
    other.brin = "99ZZ".into();
    other.sector = None;
    answers.extend(many(&q, &other, 2, 6));
    let index = Index::build(&q, &answers, &[], 10);
    let own = index.key_values(Some(BRIN));
    assert_eq!(own.locaties.iter().collect::<Vec<_>>(), ["A"]);
    assert_eq!(own.crebos.iter().collect::<Vec<_>>(), ["X"]);
    assert_eq!(own.sectoren.iter().collect::<Vec<_>>(), ["techniek"]);
    assert_eq!((own.eerste_maand, own.laatste_maand), (Some(ym("2023-03")), Some(ym("2023-03"))));
    let all = index.key_values(None);
    assert_eq!(all.leerwegen.iter().collect::<Vec<_>>(), ["BBL", "BOL"]);
    assert_eq!(all.laatste_maand, Some(ym("2024-07")));
}

// ---- property: nested selections differ by 0 or at least k answers ----

const LOCS: [&str; 3] = ["L1", "L2", "L3"];
const LEERWEGEN: [&str; 2] = ["BOL", "BBL"];
const CREBOS: [&str; 3] = ["C1", "C2", "C3"];
const AANBIEDERS: [&str; 2] = ["A1", "A2"];

fn month(i: u8) -> YearMonth {
    YearMonth::new(2023 + i32::from(i / 12), i % 12 + 1).unwrap()
}

prop_compose! {
    fn cell()(a in 0..2usize, l in 0..4usize, w in 0..2usize, c in 0..3usize, m in 0..18u8, n in 1..8usize, g in 1..=10u8)
        -> (AnswerKeys, usize, u8) {
        let keys = AnswerKeys {
            groep: Groep::Student,
            maand: month(m),
            brin: BRIN.into(),
            aanbiedercode: AANBIEDERS[a].into(),
            locatiecode: LOCS.get(l).map(|s| (*s).to_owned()),
            leerweg: LEERWEGEN[w].into(),
            crebo: CREBOS[c].into(),
            sector: Some(if c == 2 { "zorg" } else { "techniek" }.into()),
        };
        (keys, n, g)
    }
}

/// A selection and a narrowing of it.
#[derive(Debug, Clone)]
struct Narrow {
    van: Option<u8>,
    tot: Option<u8>,
    aanbieder: Option<usize>,
    locs: Vec<usize>,
    leerweg: Option<usize>,
    crebo: Option<usize>,
    sector: bool,
}

fn narrow() -> impl Strategy<Value = Narrow> {
    (
        proptest::option::of(0..18u8),
        proptest::option::of(0..18u8),
        proptest::option::of(0..2usize),
        proptest::collection::vec(0..3usize, 0..3),
        proptest::option::of(0..2usize),
        proptest::option::of(0..3usize),
        any::<bool>(),
    )
        .prop_map(|(van, tot, aanbieder, locs, leerweg, crebo, sector)| Narrow {
            van,
            tot,
            aanbieder,
            locs,
            leerweg,
            crebo,
            sector,
        })
}

/// Apply a narrowing: each key is only ever made stricter, so the result is inside `s`.
fn apply(s: &Selectie, nw: &Narrow) -> Selectie {
    let mut t = s.clone();
    if let Some(v) = nw.van {
        t.van = Some(t.van.map_or(month(v), |x| x.max(month(v))));
    }
    if let Some(v) = nw.tot {
        t.tot_en_met = Some(t.tot_en_met.map_or(month(v), |x| x.min(month(v))));
    }
    if let Some(a) = nw.aanbieder {
        let a = AANBIEDERS[a].to_owned();
        if t.aanbieders.is_empty() || t.aanbieders.contains(&a) {
            t.aanbieders = vec![a];
        }
    }
    if !nw.locs.is_empty() {
        let wanted: Vec<String> = nw.locs.iter().map(|&l| LOCS[l].to_owned()).collect();
        if t.locaties.is_empty() {
            t.locaties = wanted;
        } else {
            let kept: Vec<String> = t.locaties.iter().filter(|l| wanted.contains(l)).cloned().collect();
            if !kept.is_empty() {
                t.locaties = kept;
            }
        }
    }
    if let Some(w) = nw.leerweg {
        t.leerweg = t.leerweg.or_else(|| Some(LEERWEGEN[w].to_owned()));
    }
    if let Some(c) = nw.crebo {
        t.crebo = t.crebo.or_else(|| Some(CREBOS[c].to_owned()));
    }
    if nw.sector {
        t.sector = t.sector.or_else(|| Some("techniek".to_owned()));
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn nested_selections_differ_by_zero_or_at_least_k(
        cells in proptest::collection::vec(cell(), 1..40),
        k in 2..8u64,
        first in narrow(),
        second in narrow(),
    ) {
        let q = qs();
        let answers: Vec<KeyedAnswer> =
            cells.iter().flat_map(|(keys, n, g)| many(&q, keys, *n, *g)).collect();
        let index = Index::build(&q, &answers, &[], k);
        prop_assert!(index.atom_sizes().iter().all(|&n| n == 0 || n >= k));
        let stats = index.stats();
        prop_assert_eq!(stats.answers_in_atoms + stats.answers_dropped, answers.len() as u64);

        let s1 = apply(&school(), &first);
        let s2 = apply(&s1, &second);
        let r1 = index.evaluate(&s1);
        let r2 = index.evaluate(&s2);
        let (n1, n2) = (r1.response.responded, r2.response.responded);
        prop_assert!(n1 >= n2);
        let d = n1 - n2;
        prop_assert!(d == 0 || d >= k, "difference {} with k {}", d, k);
        // Every item's n is a sum over the same atoms: its difference is too.
        prop_assert_eq!(r1.item("cijfer").map(|i| i.mean.n), Some(n1));
        // Never more than really lies in the selection.
        let truth = answers.iter().filter(|a| s1.contains(&a.keys)).count() as u64;
        prop_assert!(n1 <= truth);
    }
}
