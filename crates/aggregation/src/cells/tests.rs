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
    let index = Index::build(&q, &answers, &[InvitationCount { keys: k.clone(), count: 40, via: 0 }], 10);
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
    let index = Index::build(&q, &answers, &[InvitationCount { keys: k, count: 32537, via: 0 }], 10);
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

fn in_aanbieder(mut k: AnswerKeys, aanbieder: &str) -> AnswerKeys {
    k.aanbiedercode = aanbieder.into();
    k
}

#[test]
fn suppression_at_k_minus_one_and_k() {
    let q = qs();
    // A1 has exactly k = 10: an atom. A2 has k − 1 = 9, alone in its unit and year: dropped.
    let mut answers = many(&q, &keys("2023-03", "L1", "BOL", "25180"), 10, 8);
    answers.extend(many(&q, &in_aanbieder(keys("2023-03", "L2", "BOL", "25180"), "A2"), 9, 4));
    let index = Index::build(&q, &answers, &[], 10);
    assert_eq!(index.atom_sizes(), vec![10]);
    assert_eq!(index.stats().answers_dropped, 9);

    let l1 = Selectie { locaties: vec!["L1".into()], ..school() };
    let r = index.evaluate(&l1);
    assert_eq!(r.item("cijfer").unwrap().mean.value, Some(8.0));
    assert_eq!(r.item("cijfer").unwrap().mean.n, 10);

    for l2 in
        [Selectie { locaties: vec!["L2".into()], ..school() }, Selectie { aanbieders: vec!["A2".into()], ..school() }]
    {
        let r = index.evaluate(&l2);
        assert_eq!(r.item("cijfer").unwrap().mean.n, 0);
        // Nine answered there: withheld, never "geen antwoorden" (nobody answered).
        assert_eq!(r.item("cijfer").unwrap().mean.suppressed, Some(REDEN_ONVOLDOENDE_RESPONS));
        // The dropped answers are not even counted as "not counted": that number would be < k.
        assert_eq!(r.niet_meegeteld, 0);
        // But the selection is not empty: "onvoldoende respons", not "—".
        assert!(!r.leeg);
    }
    let leeg = index.evaluate(&Selectie { crebo: Some("99999".into()), ..school() });
    assert!(leeg.leeg);
    assert_eq!(leeg.item("cijfer").unwrap().mean.suppressed, Some(REDEN_GEEN_ANTWOORDEN));
    assert_eq!(index.evaluate(&school()).item("cijfer").unwrap().mean.n, 10);

    // One more answer at L2 makes it an atom of its own.
    let mut index = index;
    index.add(&many(&q, &in_aanbieder(keys("2023-03", "L2", "BOL", "25180"), "A2"), 1, 4), &[]);
    assert_eq!(index.atom_sizes(), vec![10, 10]);
    let l2 = Selectie { locaties: vec!["L2".into()], ..school() };
    assert_eq!(index.evaluate(&l2).item("cijfer").unwrap().mean.value, Some(4.0));
    assert_eq!(index.evaluate(&school()).item("cijfer").unwrap().mean.n, 20);
}

/// A small cell joins the smallest atom of its group rather than being lost: with the default
/// order it merges across locaties first, so the crebo stays whole and the locatie does not.
#[test]
fn a_small_cell_joins_the_smallest_atom_of_its_group() {
    let q = qs();
    let mut answers = many(&q, &keys("2023-03", "L1", "BOL", "25180"), 10, 8);
    answers.extend(many(&q, &keys("2023-03", "L2", "BOL", "25180"), 9, 4));
    let index = Index::build(&q, &answers, &[], 10);
    assert_eq!(index.atom_sizes(), vec![19]);
    assert_eq!(index.stats().answers_dropped, 0);
    let crebo = index.evaluate(&Selectie { crebo: Some("25180".into()), ..school() });
    assert_eq!((crebo.response.responded, crebo.niet_meegeteld), (19, 0));
    let l1 = index.evaluate(&Selectie { locaties: vec!["L1".into()], ..school() });
    assert_eq!((l1.response.responded, l1.niet_meegeteld), (0, 19));
    assert_eq!(l1.niet_meegeteld_door.get(&Filter::Locatie), Some(&19));
    assert_eq!(l1.suggestie(), Some(Filter::Locatie.suggestie()));
    assert!(l1.niet_meegeteld_reden().unwrap().contains("onderwijslocatie"));

    // Keeping locaties whole instead: L2 is small alone in its locatie and year, and joins
    // nothing until the leerweg is given up… which is the same atom here, so try two crebo's.
    let mut answers = many(&q, &keys("2023-03", "L1", "BOL", "25180"), 10, 8);
    answers.extend(many(&q, &keys("2023-03", "L1", "BOL", "25999"), 4, 4));
    answers.extend(many(&q, &keys("2023-03", "L2", "BOL", "25999"), 12, 6));
    let mut by_locatie = Index::with_voorkeur(&q, 10, Voorkeur::Locatie);
    by_locatie.add(&answers, &[]);
    let mut sizes = by_locatie.atom_sizes();
    sizes.sort_unstable();
    // L1's 4 of 25999 join L1's atom (across crebo's): locatie L1 stays whole.
    assert_eq!(sizes, vec![12, 14]);
    let l1 = by_locatie.evaluate(&Selectie { locaties: vec!["L1".into()], ..school() });
    assert_eq!(l1.response.responded, 14);
    let c = by_locatie.evaluate(&Selectie { crebo: Some("25999".into()), ..school() });
    assert_eq!((c.response.responded, c.niet_meegeteld), (12, 14));
    // The default order keeps the crebo whole: the 4 join L2's atom of the same crebo.
    let by_crebo = Index::build(&q, &answers, &[], 10);
    let c = by_crebo.evaluate(&Selectie { crebo: Some("25999".into()), ..school() });
    assert_eq!((c.response.responded, c.niet_meegeteld), (16, 0));
    let l1 = by_crebo.evaluate(&Selectie { locaties: vec!["L1".into()], ..school() });
    assert_eq!((l1.response.responded, l1.niet_meegeteld), (10, 16));
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

    // Without a partner, C joins the smallest atom of its group (A, the first of two equal ones):
    // school-wide minus all-but-C is that whole atom, not C.
    let without_d: Vec<KeyedAnswer> =
        answers.iter().filter(|a| a.keys.locatiecode.as_deref() != Some("D")).cloned().collect();
    let index = Index::build(&q, &without_d, &[], 10);
    let whole = index.evaluate(&school());
    let but_c = index.evaluate(&Selectie { locaties: vec!["A".into(), "B".into()], ..school() });
    let (n1, s1) = n_and_sum(&whole);
    let (n2, s2) = n_and_sum(&but_c);
    assert_eq!((n1, n2), (27, 12));
    assert_eq!((n1 - n2, s1 - s2), (15, 90.0)); // A + C: 84 + 6
    assert_eq!((whole.niet_meegeteld, but_c.niet_meegeteld), (0, 15));
    assert_eq!(index.stats().answers_dropped, 0);
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
    // BOL X (4) is alone in its crebo within BOL, so it joins BOL Y within the sector; BBL Z joins
    // BBL X the same way.
    let mut sizes = index.atom_sizes();
    sizes.sort_unstable();
    assert_eq!(sizes, vec![16, 22]);
    let n = |s: Selectie| n_and_sum(&index.evaluate(&s)).0;
    let bol = || Selectie { leerweg: Some("BOL".into()), ..school() };

    let all_bol = n(bol());
    let bol_y = n(Selectie { crebo: Some("Y".into()), ..bol() }); // BOL without X
    let bol_x = n(Selectie { crebo: Some("X".into()), ..bol() });
    assert_eq!((all_bol, bol_y, bol_x), (16, 0, 0));

    let x = n(Selectie { crebo: Some("X".into()), ..school() });
    let x_bbl = n(Selectie { crebo: Some("X".into()), leerweg: Some("BBL".into()), ..school() });
    assert_eq!((x, x_bbl), (0, 0));

    // School-wide minus BBL: all of BOL, 16 answers, mean (12 + 96) / 16 — never BOL X alone.
    let whole = index.evaluate(&school());
    let bbl = index.evaluate(&Selectie { leerweg: Some("BBL".into()), ..school() });
    let (nw, sw) = n_and_sum(&whole);
    let (nb, sb) = n_and_sum(&bbl);
    assert_eq!(nw - nb, 16);
    assert!(((sw - sb) - 108.0).abs() < 1e-9);
}

/// All BOL minus BOL-in-sector-X: a small sector within BOL is never its own difference.
#[test]
fn differencing_attack_by_sector_within_a_leerweg_is_refused() {
    let q = qs();
    let in_sector = |mut k: AnswerKeys, s: &str| {
        k.sector = Some(s.into());
        k
    };
    let mut answers = many(&q, &in_sector(keys("2023-03", "A", "BOL", "C1"), "techniek"), 20, 7);
    answers.extend(many(&q, &in_sector(keys("2023-05", "A", "BOL", "C2"), "zorg"), 3, 2)); // the target
    answers.extend(many(&q, &in_sector(keys("2023-03", "A", "BBL", "C3"), "zorg"), 11, 9));
    let index = Index::build(&q, &answers, &[], 10);
    let n = |s: Selectie| n_and_sum(&index.evaluate(&s)).0;
    let bol = || Selectie { leerweg: Some("BOL".into()), ..school() };
    let all_bol = n(bol());
    let bol_techniek = n(Selectie { sector: Some("techniek".into()), ..bol() });
    let bol_zorg = n(Selectie { sector: Some("zorg".into()), ..bol() });
    for d in [all_bol - bol_techniek, all_bol - bol_zorg] {
        assert!(d == 0 || d >= 10, "difference {d}");
    }
    // The 3 joined BOL techniek (the smallest atom within BOL): BOL counts 23, either sector 0.
    assert_eq!((all_bol, bol_techniek, bol_zorg), (23, 0, 0));
    assert_eq!(n(Selectie { sector: Some("zorg".into()), ..school() }), 11);
}

/// A year minus one month: a small month is never its own difference.
#[test]
fn differencing_attack_by_month_is_refused() {
    let q = qs();
    let mut answers = Vec::new();
    for m in 1..=11 {
        answers.extend(many(&q, &keys(&format!("2023-{m:02}"), "A", "BOL", "X"), 12, 7));
    }
    answers.extend(many(&q, &keys("2023-12", "A", "BOL", "X"), 2, 1)); // the target
    let index = Index::build(&q, &answers, &[], 10);
    let period = |van: &str, tot: &str| Selectie { van: Some(ym(van)), tot_en_met: Some(ym(tot)), ..school() };
    let (ny, sy) = n_and_sum(&index.evaluate(&period("2023-01", "2023-12")));
    let (nm, sm) = n_and_sum(&index.evaluate(&period("2023-01", "2023-11")));
    assert_eq!(ny, 134);
    // December joined the smallest atom of its quarter (October, the first of three equal ones).
    assert_eq!((ny - nm, sy - sm), (14, 86.0));
    let dec = index.evaluate(&period("2023-12", "2023-12"));
    assert_eq!((dec.response.responded, dec.niet_meegeteld), (0, 14));
    assert_eq!(dec.suggestie(), Some(Filter::Periode.suggestie()));
    // The quarter counts it whole.
    assert_eq!(n_and_sum(&index.evaluate(&period("2023-10", "2023-12"))).0, 26);
}

#[test]
fn add_matches_build() {
    let q = qs();
    let mut answers = many(&q, &keys("2023-03", "A", "BOL", "X"), 12, 6);
    answers.extend(many(&q, &keys("2023-04", "B", "BBL", "Y"), 4, 9));
    let later = many(&q, &keys("2023-04", "C", "BBL", "Y"), 7, 5);
    let inv = vec![InvitationCount { keys: keys("2023-04", "C", "BBL", "Y"), count: 30, via: 0 }];
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
        InvitationCount { keys: keys("2023-03", "A", "BOL", "X"), count: 40, via: 0 },
        InvitationCount { keys: keys("2023-05", "B", "BBL", "Y"), count: 8, via: 0 },
    ];
    let mut index = Index::build(&q, &answers, &first, 10);
    assert_eq!(index.evaluate(&school()).response.line(), "25% (12 van 48)");
    // Read again: one count changed, one key gone, one new; the same as building afresh.
    let second = vec![
        InvitationCount { keys: keys("2023-03", "A", "BOL", "X"), count: 30, via: 0 },
        InvitationCount { keys: keys("2023-06", "C", "BOL", "Z"), count: 10, via: 0 },
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

// ---- property: selections differ by 0 or at least k answers, along every filter ----

const BRINS: [&str; 2] = [BRIN, "99ZZ"];
const LOCS: [&str; 3] = ["L1", "L2", "L3"];
const LEERWEGEN: [&str; 2] = ["BOL", "BBL"];
const CREBOS: [&str; 4] = ["C1", "C2", "C3", "C4"];
const SECTORS: [&str; 2] = ["techniek", "zorg"];
const AANBIEDERS: [&str; 2] = ["A1", "A2"];

fn month(i: u8) -> YearMonth {
    YearMonth::new(2023 + i32::from(i / 12), i % 12 + 1).unwrap()
}

prop_compose! {
    fn cell()(
        b in 0..2usize, a in 0..2usize, l in 0..4usize, w in 0..2usize, c in 0..4usize, m in 0..18u8,
        n in 1..8usize, g in 1..=10u8,
    ) -> (AnswerKeys, usize, u8) {
        let keys = AnswerKeys {
            groep: Groep::Student,
            maand: month(m),
            brin: BRINS[b].into(),
            aanbiedercode: format!("{}{}", BRINS[b], AANBIEDERS[a]),
            locatiecode: LOCS.get(l).map(|s| format!("{}{s}", AANBIEDERS[a])),
            leerweg: LEERWEGEN[w].into(),
            crebo: CREBOS[c].into(),
            sector: Some(SECTORS[c / 2].into()),
        };
        (keys, n, g)
    }
}

/// A narrowing of a selection, one optional step per filter.
#[derive(Debug, Clone)]
struct Narrow {
    brin: Option<usize>,
    van: Option<u8>,
    tot: Option<u8>,
    aanbieder: Option<usize>,
    locs: Vec<usize>,
    leerweg: Option<usize>,
    crebo: Option<usize>,
    sector: Option<usize>,
}

fn narrow() -> impl Strategy<Value = Narrow> {
    (
        proptest::option::of(0..2usize),
        proptest::option::of(0..18u8),
        proptest::option::of(0..18u8),
        proptest::option::of(0..2usize),
        proptest::collection::vec(0..3usize, 0..3),
        proptest::option::of(0..2usize),
        proptest::option::of(0..4usize),
        proptest::option::of(0..2usize),
    )
        .prop_map(|(brin, van, tot, aanbieder, locs, leerweg, crebo, sector)| Narrow {
            brin,
            van,
            tot,
            aanbieder,
            locs,
            leerweg,
            crebo,
            sector,
        })
}

/// Apply a narrowing: each key is only ever made stricter, so the result is inside `s`. Aanbieder
/// and locatie filters need an instelling, as the API requires.
fn apply(s: &Selectie, nw: &Narrow) -> Selectie {
    let mut t = s.clone();
    if let Some(b) = nw.brin {
        t.brin = t.brin.or_else(|| Some(BRINS[b].to_owned()));
    }
    if let Some(v) = nw.van {
        t.van = Some(t.van.map_or(month(v), |x| x.max(month(v))));
    }
    if let Some(v) = nw.tot {
        t.tot_en_met = Some(t.tot_en_met.map_or(month(v), |x| x.min(month(v))));
    }
    if let (Some(a), Some(b)) = (nw.aanbieder, &t.brin) {
        let a = format!("{b}{}", AANBIEDERS[a]);
        if t.aanbieders.is_empty() || t.aanbieders.contains(&a) {
            t.aanbieders = vec![a];
        }
    }
    if !nw.locs.is_empty() && t.brin.is_some() {
        let wanted: Vec<String> =
            nw.locs.iter().flat_map(|&l| AANBIEDERS.iter().map(move |a| format!("{a}{}", LOCS[l]))).collect();
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
    if let Some(x) = nw.sector {
        t.sector = t.sector.or_else(|| Some(SECTORS[x].to_owned()));
    }
    t
}

/// The atoms a selection counts, by unit and position, with their sizes; checks on the way that
/// the span shortcut agrees with looking at every cell.
fn counted(index: &Index, s: &Selectie) -> BTreeMap<(Unit, usize), u64> {
    let mut out = BTreeMap::new();
    for (unit, data) in &index.units {
        // The atoms and the dropped remainder hold every fine cell of the unit once (their cells
        // stored as positions in their spans give the keys back).
        let mut held: Vec<FineKey> = data.atoms().chain(data.dropped()).flat_map(Atom::cells).collect();
        held.sort_unstable();
        assert!(held.iter().copied().eq(data.fine.keys().copied()), "{unit:?}");
        if unit.groep != s.groep || !s.contains_unit(&unit.brin, &unit.aanbiedercode) {
            continue;
        }
        for (i, atom) in data.atoms().enumerate() {
            let inside = atom.cells().filter(|c| super::inside(c, s)).count();
            let c = coverage(atom, s);
            match c {
                Coverage::All => assert_eq!(inside, atom.plekken.len()),
                Coverage::Part(_) => assert!(inside > 0 && inside < atom.plekken.len()),
                Coverage::None => assert_eq!(inside, 0),
            }
            if c == Coverage::All {
                out.insert((*unit, i), atom.sums.responded);
            }
        }
    }
    out
}

fn voorkeur() -> impl Strategy<Value = Voorkeur> {
    prop_oneof![Just(Voorkeur::Kwalificatie), Just(Voorkeur::Locatie)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Nested selections, school or national, narrowed along every filter (singly and
    /// combined): the difference of their counted answers is 0 or at least k; for any two
    /// selections, the answers counted in one and not the other are 0 or at least k.
    #[test]
    fn selections_differ_by_zero_or_at_least_k(
        cells in proptest::collection::vec(cell(), 1..60),
        k in 2..8u64,
        order in voorkeur(),
        national in any::<bool>(),
        first in narrow(),
        second in narrow(),
        other in narrow(),
    ) {
        let q = qs();
        let answers: Vec<KeyedAnswer> =
            cells.iter().flat_map(|(keys, n, g)| many(&q, keys, *n, *g)).collect();
        let mut index = Index::with_voorkeur(&q, k, order);
        index.add(&answers, &[]);
        prop_assert!(index.atom_sizes().iter().all(|&n| n == 0 || n >= k));
        let stats = index.stats();
        prop_assert_eq!(stats.answers_in_atoms + stats.answers_dropped, answers.len() as u64);

        let base = if national { Selectie::national(Groep::Student) } else { school() };
        let s1 = apply(&base, &first);
        let s2 = apply(&s1, &second);
        let r1 = index.evaluate(&s1);
        let r2 = index.evaluate(&s2);
        let (n1, n2) = (r1.response.responded, r2.response.responded);
        prop_assert!(n1 >= n2);
        let d = n1 - n2;
        prop_assert!(d == 0 || d >= k, "difference {} with k {}", d, k);
        // Every item's n is a sum over the same atoms: its difference is too.
        prop_assert_eq!(r1.item("cijfer").map(|i| i.mean.n), Some(n1));
        // Never more than really lies in the selection, and the measure agrees.
        let truth = answers.iter().filter(|a| s1.contains(&a.keys)).count() as u64;
        prop_assert!(n1 <= truth);
        prop_assert_eq!(index.dekking(&s1), Dekking { meegeteld: n1, in_selectie: truth });
        // What is left out is whole atoms too.
        prop_assert!(r1.niet_meegeteld == 0 || r1.niet_meegeteld >= k);

        // Any two selections: the atoms counted in one and not the other.
        let s3 = apply(&base, &other);
        let (a, b) = (counted(&index, &s1), counted(&index, &s3));
        prop_assert_eq!(a.values().sum::<u64>(), n1);
        for (x, y) in [(&a, &b), (&b, &a)] {
            let only: u64 = x.iter().filter(|(key, _)| !y.contains_key(*key)).map(|(_, n)| n).sum();
            prop_assert!(only == 0 || only >= k, "{} answers counted in one selection only, k {}", only, k);
        }
    }

    /// Absorbing in two steps gives the same atoms as building at once, in either order.
    #[test]
    fn incremental_equals_whole(
        cells in proptest::collection::vec(cell(), 1..40),
        split in 0..40usize,
        order in voorkeur(),
    ) {
        let q = qs();
        let answers: Vec<KeyedAnswer> =
            cells.iter().flat_map(|(keys, n, g)| many(&q, keys, *n, *g)).collect();
        let split = split.min(answers.len());
        let mut whole = Index::with_voorkeur(&q, 5, order);
        whole.add(&answers, &[]);
        let mut steps = Index::with_voorkeur(&q, 5, order);
        steps.add(&answers[..split], &[]);
        steps.add(&answers[split..], &[]);
        prop_assert_eq!(whole.atom_sizes(), steps.atom_sizes());
        prop_assert_eq!(whole.evaluate(&school()), steps.evaluate(&school()));
    }
}

/// The generated cells' answers, and their index with `invited(n)` invitations per cell of `n`
/// answers.
fn with_invitations(
    cells: &[(AnswerKeys, usize, u8)],
    k: u64,
    invited: impl Fn(u64) -> u64,
) -> (Vec<KeyedAnswer>, Index) {
    let q = qs();
    let answers: Vec<KeyedAnswer> = cells.iter().flat_map(|(keys, n, g)| many(&q, keys, *n, *g)).collect();
    let invitations: Vec<InvitationCount> = cells
        .iter()
        .map(|(keys, n, _)| InvitationCount { keys: keys.clone(), count: invited(*n as u64), via: 0 })
        .collect();
    let index = Index::build(&q, &answers, &invitations, k);
    (answers, index)
}

/// What a response split or total says of an evaluation: its counts and whether it is empty.
fn telling_of(r: &Resultaat) -> Telling {
    Telling { responded: r.response.responded, invited: r.response.invited, leeg: r.leeg }
}

/// Quarters and school years (Aug–Jul) over the 18 months the generated cells span, with one
/// period before and one reversed: the series a trend asks for.
fn trend_periods() -> Vec<(YearMonth, YearMonth)> {
    let mut periods: Vec<(YearMonth, YearMonth)> = (0..6u8).map(|q| (month(q * 3), month(q * 3 + 2))).collect();
    periods.push((ym("2022-08"), ym("2023-07")));
    periods.push((ym("2023-08"), ym("2024-07")));
    periods.push((ym("2021-01"), ym("2021-03")));
    periods.push((ym("2023-05"), ym("2023-04")));
    periods
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A trend is exactly the selection evaluated once per period: the one-pass series equals
    /// `evaluate` per period, for any narrowing, with invitations too.
    #[test]
    fn a_series_equals_one_evaluation_per_period(
        cells in proptest::collection::vec(cell(), 1..60),
        k in 2..8u64,
        national in any::<bool>(),
        nw in narrow(),
    ) {
        let (_, index) = with_invitations(&cells, k, |n| n * 3);
        let base = if national { Selectie::national(Groep::Student) } else { school() };
        let s = apply(&base, &nw);
        let periods = trend_periods();
        let series = index.evaluate_periods(&s, &periods);
        prop_assert_eq!(series.len(), periods.len());
        for (r, &(van, tot)) in series.iter().zip(&periods) {
            let one = index.evaluate(&Selectie { van: Some(van), tot_en_met: Some(tot), ..s.clone() });
            prop_assert_eq!(r, &one, "period {}..{}", van, tot);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A response table is exactly the selection narrowed once per value: the one-pass split
    /// equals `evaluate` per value, for every key and any narrowing; and a value the index holds
    /// under the selection is never missing from the split.
    #[test]
    fn a_split_equals_one_evaluation_per_value(
        cells in proptest::collection::vec(cell(), 1..60),
        k in 2..8u64,
        national in any::<bool>(),
        nw in narrow(),
    ) {
        let (answers, index) = with_invitations(&cells, k, |n| n + 2);
        let base = if national { Selectie::national(Groep::Student) } else { school() };
        let s = apply(&base, &nw);
        let dims = [Dimensie::Aanbieder, Dimensie::Locatie, Dimensie::Leerweg, Dimensie::Sector, Dimensie::Kwalificatie];
        // Several keys in one pass give exactly the splits one key at a time gives.
        prop_assert_eq!(index.respons_totaal(&s), telling_of(&index.evaluate(&s)), "the total");
        let together = index.evaluate_by_each(&s, &dims);
        let tellingen = index.respons_by_each(&s, &dims);
        for ((dim, split), telling) in dims.iter().zip(&together).zip(&tellingen) {
            prop_assert_eq!(split, &index.evaluate_by(&s, *dim), "{:?} together", dim);
            // The response-only split counts exactly the same answers and invitations.
            let want: BTreeMap<&String, Telling> = split
                .iter()
                .map(|(v, r)| (v, telling_of(r)))
                .collect();
            prop_assert_eq!(telling.iter().map(|(v, t)| (v, *t)).collect::<BTreeMap<_, _>>(), want, "{:?} response", dim);
        }
        // Without filters inside the unit, whole calendar years take the per-year tallies: the
        // same counts as the walk.
        let ruim = Selectie { locaties: Vec::new(), leerweg: None, sector: None, crebo: None, ..s.clone() };
        let dims_all = Dimensie::ALL;
        for (dim, telling) in dims_all.iter().zip(index.respons_by_each(&ruim, &dims_all)) {
            let want: BTreeMap<String, Telling> = index
                .evaluate_by(&ruim, *dim)
                .into_iter()
                .map(|(v, r)| (v, telling_of(&r)))
                .collect();
            prop_assert_eq!(telling.into_iter().collect::<BTreeMap<_, _>>(), want, "{:?} whole years", dim);
        }
        for dim in dims {
            let split = index.evaluate_by(&s, dim);
            for (v, r) in &split {
                let narrowed = dim.narrow(&s, v).unwrap();
                prop_assert_eq!(r, &index.evaluate(&narrowed), "{:?} {}", dim, v);
            }
            // Every answered value inside the selection has its row.
            for a in answers.iter().filter(|a| s.contains(&a.keys)) {
                let v = match dim {
                    Dimensie::Aanbieder if s.brin.is_some() => Some(a.keys.aanbiedercode.clone()),
                    Dimensie::Aanbieder => None,
                    Dimensie::Locatie => a.keys.locatiecode.clone(),
                    Dimensie::Leerweg => Some(a.keys.leerweg.clone()),
                    Dimensie::Sector => a.keys.sector.clone(),
                    Dimensie::Kwalificatie => Some(a.keys.crebo.clone()),
                    // Answers carry no channel; the channel split has a test of its own.
                    Dimensie::Kanaal => None,
                };
                if let Some(v) = v {
                    prop_assert!(split.contains_key(&v), "{:?} {} missing", dim, v);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The channel split: each row is a sum of whole atoms whose invitations all went that way
    /// (0 or at least k answers), an atom of both channels is left out of both rows, so the rows
    /// and what was left out add up to the selection's counted answers.
    #[test]
    fn a_channel_row_sums_whole_atoms_of_one_channel(
        cells in proptest::collection::vec((cell(), 0..3u8), 1..60),
        k in 2..8u64,
        national in any::<bool>(),
        nw in narrow(),
    ) {
        let q = qs();
        let answers: Vec<KeyedAnswer> = cells.iter().flat_map(|((keys, n, g), _)| many(&q, keys, *n, *g)).collect();
        // Per cell: every invitation direct (0), every one via the praktijkopleider (1), or one of
        // each kind at least (2).
        let invitations: Vec<InvitationCount> = cells
            .iter()
            .map(|((keys, n, _), how)| {
                let count = *n as u64 + 2;
                let via = match how { 0 => 0, 1 => count, _ => 1 };
                InvitationCount { keys: keys.clone(), count, via }
            })
            .collect();
        let index = Index::build(&q, &answers, &invitations, k);
        let base = if national { Selectie::national(Groep::Student) } else { school() };
        let s = apply(&base, &nw);
        let total = index.evaluate(&s);
        let split = index.evaluate_by(&s, Dimensie::Kanaal);
        let tellingen = index.respons_by_each(&s, &[Dimensie::Kanaal]).pop().unwrap();
        let mut counted = 0;
        for (v, r) in &split {
            prop_assert!(v == "direct" || v == "via_praktijkopleider", "{}", v);
            prop_assert!(r.response.responded == 0 || r.response.responded >= k, "{} {}", v, r.response.responded);
            prop_assert_eq!(tellingen[v].responded, r.response.responded);
            counted += r.response.responded;
        }
        // Atoms of both channels count under neither: the rows never add up to more.
        prop_assert!(counted <= total.response.responded, "{} > {}", counted, total.response.responded);
        let row = |v: &str| split.get(v).map_or(0, |r| r.response.responded);
        if invitations.iter().all(|i| i.via == 0) {
            prop_assert_eq!(row("direct"), total.response.responded, "all direct");
            prop_assert_eq!(row("via_praktijkopleider"), 0);
        }
        if invitations.iter().all(|i| i.via == i.count) {
            prop_assert_eq!(row("via_praktijkopleider"), total.response.responded, "all via");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The national side of a response table, summed over the compact atoms (and the walk for
    /// atoms of several values), counts exactly what the walk counts: per key and value the same
    /// answered, invited and touched — with periods that cut atoms, filters, cells without a
    /// sector and invitations of both channels.
    #[test]
    fn a_national_split_equals_the_walk(
        cells in proptest::collection::vec((cell(), 0..3u8, any::<bool>()), 1..80),
        k in 2..8u64,
        nw in narrow(),
    ) {
        let q = qs();
        let keyed: Vec<(AnswerKeys, usize, u8, u8)> = cells
            .into_iter()
            .map(|((mut keys, n, g), how, sectorless)| {
                if sectorless && keys.crebo == CREBOS[0] {
                    keys.sector = None;
                }
                (keys, n, g, how)
            })
            .collect();
        let answers: Vec<KeyedAnswer> = keyed.iter().flat_map(|(keys, n, g, _)| many(&q, keys, *n, *g)).collect();
        let invitations: Vec<InvitationCount> = keyed
            .iter()
            .map(|(keys, n, _, how)| {
                let count = *n as u64 + 1;
                let via = match how { 0 => 0, 1 => count, _ => 1 };
                InvitationCount { keys: keys.clone(), count, via }
            })
            .collect();
        let index = Index::build(&q, &answers, &invitations, k);
        let s = apply(&Selectie::national(Groep::Student), &Narrow { brin: None, ..nw });
        let dims = [Dimensie::Leerweg, Dimensie::Sector, Dimensie::Kwalificatie, Dimensie::Kanaal];
        prop_assert_eq!(index.respons_totaal(&s), telling_of(&index.evaluate(&s)), "the total");
        let walked = index.respons_by_each_walked(&s, &dims);
        for ((dim, telling), walk) in dims.iter().zip(index.respons_by_each(&s, &dims)).zip(walked) {
            prop_assert_eq!(&telling, &walk, "{:?} walked", dim);
            let want: BTreeMap<String, Telling> = index
                .evaluate_by(&s, *dim)
                .into_iter()
                .map(|(v, r)| (v, telling_of(&r)))
                .collect();
            prop_assert_eq!(telling.into_iter().collect::<BTreeMap<_, _>>(), want, "{:?}", dim);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// A national evaluation, summed from the groups of alike atoms (or, with a crebo, from the
    /// atoms that hold it), equals the walk over every atom: the same figures, the same answers
    /// left out per filter and the same emptiness — with periods that cut atoms, every filter,
    /// cells without a sector, and both groups.
    #[test]
    fn a_national_evaluation_equals_the_walk(
        cells in proptest::collection::vec((cell(), any::<bool>(), 0..4u8), 1..80),
        k in 2..8u64,
        order in voorkeur(),
        nw in narrow(),
        praktijkopleider in any::<bool>(),
    ) {
        let q = qs();
        let keyed: Vec<(AnswerKeys, usize, u8)> = cells
            .into_iter()
            .map(|((mut keys, n, g), sectorless, groep)| {
                if sectorless && keys.crebo == CREBOS[0] {
                    keys.sector = None;
                }
                if groep == 0 {
                    keys.groep = Groep::Praktijkopleider;
                }
                (keys, n, g)
            })
            .collect();
        let answers: Vec<KeyedAnswer> = keyed.iter().flat_map(|(keys, n, g)| many(&q, keys, *n, *g)).collect();
        let invitations: Vec<InvitationCount> = keyed
            .iter()
            .map(|(keys, n, _)| InvitationCount { keys: keys.clone(), count: *n as u64 + 1, via: 0 })
            .collect();
        let mut index = Index::with_voorkeur(&q, k, order);
        index.add(&answers, &invitations);
        let groep = if praktijkopleider { Groep::Praktijkopleider } else { Groep::Student };
        let s = apply(&Selectie::national(groep), &Narrow { brin: None, ..nw });
        prop_assert_eq!(index.evaluate(&s), index.evaluate_walked(&s));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Invitation counts applied key by key as they change (absolute counts, 0 for a key whose
    /// invitations are gone, some keys read twice) give the same index as building it afresh
    /// from the final counts.
    #[test]
    fn invitation_counts_updated_per_key_equal_a_fresh_build(
        cells in proptest::collection::vec((cell(), 0..4u64, 0..4u64), 1..60),
        k in 2..6u64,
        nw in narrow(),
    ) {
        let q = qs();
        let answers: Vec<KeyedAnswer> = cells.iter().flat_map(|((keys, n, g), _, _)| many(&q, keys, *n, *g)).collect();
        let first: Vec<InvitationCount> = cells
            .iter()
            .filter(|(_, a, _)| *a > 0)
            .map(|((keys, _, _), a, _)| InvitationCount { keys: keys.clone(), count: *a, via: *a / 2 })
            .collect();
        // The final count per key (keys may repeat: the generator draws them independently);
        // every key of `first` is among them.
        let mut last: std::collections::HashMap<AnswerKeys, u64> = std::collections::HashMap::new();
        for ((keys, _, _), _, b) in &cells {
            *last.entry(keys.clone()).or_default() += b;
        }
        let changes: Vec<InvitationCount> = last
            .iter()
            .map(|(keys, &b)| InvitationCount { keys: keys.clone(), count: b, via: b / 3 })
            .collect();
        let mut index = Index::build(&q, &answers, &first, k);
        let _ = index.update_invitations(&changes);
        let _ = index.rebuild_dirty();
        // Read again: nothing changes.
        prop_assert!(!index.update_invitations(&changes));
        let fresh_counts: Vec<InvitationCount> = changes.iter().filter(|c| c.count > 0).cloned().collect();
        let fresh = Index::build(&q, &answers, &fresh_counts, k);
        prop_assert_eq!(index.stats(), fresh.stats());
        for s in [apply(&Selectie::national(Groep::Student), &Narrow { brin: None, ..nw.clone() }), apply(&school(), &nw)] {
            prop_assert_eq!(index.evaluate(&s), fresh.evaluate(&s));
        }
    }
}

/// A fine cell packs a count per slot into 16 bits; a count past 65,535 continues in a second
/// entry of the same slot, and every figure still counts each answer.
#[test]
fn a_cell_counts_past_sixteen_bits() {
    let q = qs();
    let layout = Layout::new(&q);
    let k = keys("2024-03", "L1", "BOL", "25180");
    let a = answer(&q, &k, 7, 4, &[]);
    let mut cell = Cell::default();
    let mut scratch = Vec::new();
    let n: u32 = 70_000;
    for _ in 0..n {
        cell.add_answers(&layout, &a.answers, &mut scratch);
    }
    let slots = scratch.len();
    assert!(slots > 1);
    // Every slot once full, once with the rest.
    assert_eq!(cell.counts.len(), 2 * slots);
    assert!(cell.counts.windows(2).all(|w| Cell::unpack(w[0]).0 <= Cell::unpack(w[1]).0));
    let mut sums = Sums::default();
    sums.absorb_cell(&cell, layout.len());
    assert_eq!(sums.responded, u64::from(n));
    let (idx, _) = layout.slot_of(CIJFER_CODE).unwrap();
    assert_eq!(sums.items[idx][7], n);
    assert_eq!(sums.items.iter().map(|i| u64::from(i.iter().sum::<u32>())).sum::<u64>(), u64::from(n) * slots as u64);

    // Through the index: 70,000 answers in one cell, with one other answer beside them.
    let mut answers = vec![a; n as usize];
    answers.push(answer(&q, &k, 3, 2, &[]));
    let index = Index::build(&q, &answers, &[], DEFAULT_K);
    let r = index.evaluate(&school());
    assert_eq!(r.response.responded, u64::from(n) + 1);
    let (count, sum) = n_and_sum(&r);
    assert_eq!((count, sum.round()), (u64::from(n) + 1, f64::from(n * 7 + 3)));
}
