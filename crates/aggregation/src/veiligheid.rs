//! Sociale veiligheid and stagediscriminatie: which answers are on the unsafe side, and the
//! k-safe signal per leerbedrijf for SBB advisers (docs/privacy.md, "Signalen").
//!
//! The items of both themes carry `veiligheid = "ervaring"` (what happened: felt safe, not
//! bullied, not treated differently, not turned down) or `veiligheid = "melden"` (knows where to
//! report) in the questionnaire. All are worded so that agreeing is the safe side; an answer of
//! 1 or 2 (helemaal oneens, oneens) is on the **unsafe side** ([`ONVEILIG_MAX`]); "n.v.t." never is.
//!
//! - [`onveilig`]: any item of either kind on the unsafe side — the respondent's thank-you page
//!   then shows where to go for help. Nothing is stored for this.
//! - [`signalen`]: a leerbedrijf is flagged when, within a window of months ending in the
//!   reference month, at least `min_respondenten` *distinct* respondents answered an
//!   **ervaring** item on the unsafe side, and the leerbedrijf had at least `k` distinct
//!   respondents in that window in all. Not knowing where to report says nothing about the
//!   leerbedrijf, so `melden` items do not count toward a flag. Counts are shown banded
//!   ([`band`]), never exact.
//!
//! ```
//! use bpv_aggregation::veiligheid::{SignaalAntwoord, SignaalInstellingen, signalen};
//! use bpv_aggregation::YearMonth;
//!
//! let maand = YearMonth::new(2026, 3).unwrap();
//! let mut antwoorden = Vec::new();
//! for i in 0..12 {
//!     let respondent = format!("r{i}");
//!     antwoorden.push(SignaalAntwoord { respondent, leerbedrijf: "100200300".into(), maand, sector: Some("ICT".into()), onveilig: i < 3 });
//! }
//! let s = SignaalInstellingen { venster_maanden: 24, min_respondenten: 3, k: 10 };
//! let flagged = signalen(&antwoorden, maand, &s);
//! assert_eq!(flagged.len(), 1);
//! assert_eq!(flagged[0].onveilig, "3–4");
//! assert_eq!(flagged[0].antwoorden, "10–19");
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::answers::{Answers, Antwoord};
use crate::questionnaire::Questionnaire;
use crate::results::YearMonth;

/// An answer at or below this (on the 1–5 scale) is on the unsafe side.
pub const ONVEILIG_MAX: u8 = 2;

/// What a safety item asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Veiligheid {
    /// What the respondent went through (the signal counts these).
    Ervaring,
    /// Whether the respondent knows where to report.
    Melden,
}

fn unsafe_on(q: &Questionnaire, a: &Answers, counts: impl Fn(Veiligheid) -> bool) -> bool {
    q.items().any(|(_, item)| {
        item.veiligheid.is_some_and(&counts)
            && matches!(a.items.get(&item.code), Some(Antwoord::Schaal(v)) if *v <= ONVEILIG_MAX)
    })
}

/// Whether any safety item (either kind) was answered on the unsafe side.
pub fn onveilig(q: &Questionnaire, a: &Answers) -> bool {
    unsafe_on(q, a, |_| true)
}

/// Whether an **ervaring** item was answered on the unsafe side (what the signal counts).
pub fn ervaring_onveilig(q: &Questionnaire, a: &Answers) -> bool {
    unsafe_on(q, a, |v| v == Veiligheid::Ervaring)
}

/// The signal's settings (`signalen.*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignaalInstellingen {
    /// The window in months, ending with the reference month (default 24).
    pub venster_maanden: u32,
    /// Distinct respondents on the unsafe side needed for a flag (default 3).
    pub min_respondenten: u32,
    /// Distinct respondents the leerbedrijf needs in the window at all (`reporting.k`).
    pub k: u64,
}

impl Default for SignaalInstellingen {
    fn default() -> Self {
        Self { venster_maanden: 24, min_respondenten: 3, k: crate::DEFAULT_K }
    }
}

/// One stored answer as the signal sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignaalAntwoord {
    /// Who answered: the invitation (one respondent may have more than one answer, e.g. an
    /// imported copy; they count once).
    pub respondent: String,
    pub leerbedrijf: String,
    pub maand: YearMonth,
    pub sector: Option<String>,
    /// An ervaring item on the unsafe side ([`ervaring_onveilig`]).
    pub onveilig: bool,
}

/// A flagged leerbedrijf. Counts are bands, never exact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Signaal {
    pub leerbedrijf: String,
    /// Distinct respondents on the unsafe side, banded.
    pub onveilig: String,
    /// Distinct respondents in the window, banded.
    pub antwoorden: String,
    /// The window, `jjjj-mm` to `jjjj-mm`.
    pub van: String,
    pub tot: String,
    /// The sectors of its answers in the window.
    pub sectoren: Vec<String>,
}

/// The first month of a window of `n` months ending with `tot`.
pub fn venster_start(tot: YearMonth, n: u32) -> YearMonth {
    let index = i64::from(tot.year) * 12 + i64::from(tot.month) - 1 - i64::from(n.max(1)) + 1;
    let year = i32::try_from(index.div_euclid(12)).unwrap_or(i32::MIN);
    let month = u8::try_from(index.rem_euclid(12) + 1).unwrap_or(1);
    YearMonth { year, month }
}

/// A count as a band: `3–4`, `5–9`, `10–19`, `20–49`, `50 of meer` (below 3: `< 3`).
pub fn band(n: u64) -> String {
    match n {
        0..=2 => "< 3".to_owned(),
        3..=4 => "3–4".to_owned(),
        5..=9 => "5–9".to_owned(),
        10..=19 => "10–19".to_owned(),
        20..=49 => "20–49".to_owned(),
        _ => "50 of meer".to_owned(),
    }
}

/// The flagged leerbedrijven for the window ending with `tot` (see the module docs), ordered by
/// leerbedrijf code.
pub fn signalen(antwoorden: &[SignaalAntwoord], tot: YearMonth, s: &SignaalInstellingen) -> Vec<Signaal> {
    let van = venster_start(tot, s.venster_maanden);
    #[derive(Default)]
    struct Telling<'a> {
        alle: BTreeSet<&'a str>,
        onveilig: BTreeSet<&'a str>,
        sectoren: BTreeSet<&'a str>,
    }
    let mut per: BTreeMap<&str, Telling<'_>> = BTreeMap::new();
    for a in antwoorden.iter().filter(|a| a.maand >= van && a.maand <= tot) {
        let t = per.entry(a.leerbedrijf.as_str()).or_default();
        t.alle.insert(&a.respondent);
        if a.onveilig {
            t.onveilig.insert(&a.respondent);
        }
        if let Some(sector) = &a.sector {
            t.sectoren.insert(sector);
        }
    }
    per.into_iter()
        .filter(|(_, t)| t.onveilig.len() as u64 >= u64::from(s.min_respondenten.max(1)) && t.alle.len() as u64 >= s.k)
        .map(|(leerbedrijf, t)| Signaal {
            leerbedrijf: leerbedrijf.to_owned(),
            onveilig: band(t.onveilig.len() as u64),
            antwoorden: band(t.alle.len() as u64),
            van: van.to_string(),
            tot: tot.to_string(),
            sectoren: t.sectoren.into_iter().map(str::to_owned).collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Questionnaires;

    fn ym(y: i32, m: u8) -> YearMonth {
        YearMonth::new(y, m).unwrap()
    }

    fn antwoord(r: &str, lb: &str, maand: YearMonth, onveilig: bool) -> SignaalAntwoord {
        SignaalAntwoord { respondent: r.into(), leerbedrijf: lb.into(), maand, sector: Some("ZW".into()), onveilig }
    }

    /// `n` respondents at `lb` in `maand`, the first `onveilig` of them on the unsafe side.
    fn bedrijf(lb: &str, maand: YearMonth, n: usize, onveilig: usize) -> Vec<SignaalAntwoord> {
        (0..n).map(|i| antwoord(&format!("{lb}-{maand}-{i}"), lb, maand, i < onveilig)).collect()
    }

    const S: SignaalInstellingen = SignaalInstellingen { venster_maanden: 24, min_respondenten: 3, k: 10 };

    #[test]
    fn three_distinct_respondents_among_enough_answers_flag() {
        let flagged = signalen(&bedrijf("A", ym(2026, 1), 10, 3), ym(2026, 6), &S);
        assert_eq!(flagged.len(), 1);
        assert_eq!(
            flagged[0],
            Signaal {
                leerbedrijf: "A".into(),
                onveilig: "3–4".into(),
                antwoorden: "10–19".into(),
                van: "2024-07".into(),
                tot: "2026-06".into(),
                sectoren: vec!["ZW".into()],
            }
        );
        assert!(signalen(&bedrijf("A", ym(2026, 1), 10, 2), ym(2026, 6), &S).is_empty(), "two are not enough");
    }

    #[test]
    fn two_answers_from_one_respondent_count_once() {
        let mut a = bedrijf("A", ym(2026, 1), 10, 2);
        // The second unsafe respondent answered twice (e.g. an imported copy): still two.
        a.push(antwoord("A-2026-01-1", "A", ym(2026, 2), true));
        assert!(signalen(&a, ym(2026, 6), &S).is_empty());
        // And the total counts respondents too: 9 distinct plus a duplicate is not 10.
        let mut small = bedrijf("B", ym(2026, 1), 9, 3);
        small.push(antwoord("B-2026-01-0", "B", ym(2026, 1), true));
        assert!(signalen(&small, ym(2026, 6), &S).is_empty());
    }

    #[test]
    fn small_leerbedrijven_are_never_flagged() {
        // Every one of its 9 respondents on the unsafe side: still below k.
        assert!(signalen(&bedrijf("A", ym(2026, 1), 9, 9), ym(2026, 6), &S).is_empty());
        let with_k = SignaalInstellingen { k: 5, ..S };
        assert_eq!(signalen(&bedrijf("A", ym(2026, 1), 9, 9), ym(2026, 6), &with_k).len(), 1);
    }

    #[test]
    fn a_flag_disappears_when_the_window_moves_on() {
        let a = bedrijf("A", ym(2024, 7), 10, 3);
        assert_eq!(signalen(&a, ym(2026, 6), &S).len(), 1, "2024-07 is the window's first month");
        assert!(signalen(&a, ym(2026, 7), &S).is_empty(), "a month later it is outside");
        assert!(signalen(&a, ym(2024, 6), &S).is_empty(), "answers after the reference month do not count");
    }

    #[test]
    fn answers_elsewhere_do_not_add_up() {
        let mut a = bedrijf("A", ym(2026, 1), 10, 2);
        a.extend(bedrijf("B", ym(2026, 1), 10, 2));
        assert!(signalen(&a, ym(2026, 6), &S).is_empty());
    }

    #[test]
    fn windows_cross_years_and_bands_are_coarse() {
        assert_eq!(venster_start(ym(2026, 6), 24), ym(2024, 7));
        assert_eq!(venster_start(ym(2026, 1), 1), ym(2026, 1));
        assert_eq!(venster_start(ym(2026, 1), 13), ym(2025, 1));
        let bands: Vec<String> = [0, 2, 3, 4, 5, 9, 10, 19, 20, 49, 50, 1000].into_iter().map(band).collect();
        assert_eq!(
            bands,
            ["< 3", "< 3", "3–4", "3–4", "5–9", "5–9", "10–19", "10–19", "20–49", "20–49", "50 of meer", "50 of meer"]
        );
    }

    #[test]
    fn the_unsafe_side_is_one_or_two_on_a_safety_item() {
        let qs = Questionnaires::builtin().unwrap();
        let q = qs.by_version("2024-07").unwrap();
        let mut form: std::collections::HashMap<String, String> =
            q.items().map(|(_, i)| (i.code.clone(), "4".to_owned())).collect();
        form.insert("cijfer".into(), "7".into());
        let safe = crate::validate_answers(q, &form).unwrap();
        assert!(!onveilig(q, &safe) && !ervaring_onveilig(q, &safe));
        // Disagreeing elsewhere is no safety answer.
        form.insert("begeleiding_1".into(), "1".into());
        assert!(!onveilig(q, &crate::validate_answers(q, &form).unwrap()));
        // Not knowing where to report: help on the page, no signal.
        form.insert("stagediscriminatie_3".into(), "2".into());
        let melden = crate::validate_answers(q, &form).unwrap();
        assert!(onveilig(q, &melden) && !ervaring_onveilig(q, &melden));
        // Treated differently: both. "n.v.t." and 3 are not the unsafe side.
        form.insert("stagediscriminatie_3".into(), "3".into());
        form.insert("stagediscriminatie_1".into(), "1".into());
        let ervaring = crate::validate_answers(q, &form).unwrap();
        assert!(onveilig(q, &ervaring) && ervaring_onveilig(q, &ervaring));
        form.insert("stagediscriminatie_1".into(), "nvt".into());
        assert!(!onveilig(q, &crate::validate_answers(q, &form).unwrap()));
        // The older version has no safety items: never.
        let old = qs.by_version("2022-01").unwrap();
        assert_eq!(old.items().filter(|(_, i)| i.veiligheid.is_some()).count(), 0);
        assert_eq!(q.items().filter(|(_, i)| i.veiligheid == Some(Veiligheid::Ervaring)).count(), 4);
    }
}
