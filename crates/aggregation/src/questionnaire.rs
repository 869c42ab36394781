//! The questionnaire as data (docs/architecture.md, "Survey"): themes, items and the open question, per version.
//!
//! Each version is a TOML file in `crates/aggregation/questionnaires/`, embedded in the binary and
//! parsed and validated when loaded ([`Questionnaires::builtin`]). The file mirrors the types here:
//!
//! ```toml
//! version = "2024-07"
//! geldig_vanaf = 2024-07-01          # a TOML date: the first day this version is sent
//!
//! [[themes]]
//! code = "eindwaardering"            # one of KNOWN_THEMES, in that order
//! naam = "Eindwaardering"
//!
//! [[themes.items]]
//! code = "cijfer"                    # [a-z0-9_], unique within the version
//! kind = "cijfer"                    # "cijfer" (1–10) or "schaal" (1–5 or n.v.t.)
//! tekst_praktijkopleider = "Welk cijfer geeft u aan de bpv-periode van deze student?"
//! tekst_student = "Welk cijfer geef je aan je bpv-periode?"
//!
//! [open]
//! code = "verbeterpunten"
//! tekst_praktijkopleider = "Wat kan er beter aan de bpv?"
//! tekst_student = "Wat kan er volgens jou beter aan je bpv?"
//! max_len = 2000
//! ```
//!
//! Item codes are stored with every answer, so a question that stays keeps its code in a new
//! version and results compare across versions.

use std::collections::HashSet;

use bpvo::Groep;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The themes a questionnaire may have, as `(code, naam)`, in the order they are shown.
/// `sociale_veiligheid` and `stagediscriminatie` appear from version 2024-07.
pub const KNOWN_THEMES: [(&str, &str); 9] = [
    ("eindwaardering", "Eindwaardering"),
    ("voorbereiding", "Voorbereiding"),
    ("afspraken", "Afspraken"),
    ("begeleiding", "Begeleiding"),
    ("uitvoering", "Uitvoering"),
    ("beoordeling", "Beoordeling"),
    ("probleemoplossing", "Probleemoplossing"),
    ("sociale_veiligheid", "Sociale veiligheid"),
    ("stagediscriminatie", "Stagediscriminatie"),
];

/// The theme holding the grade.
pub const EINDWAARDERING: &str = "eindwaardering";

/// The code of the one [`ItemKind::Cijfer`] item, the same in every version (the stored answers
/// rely on it).
pub const CIJFER_CODE: &str = "cijfer";

/// The labels of the agreement scale, value 1 to 5 (`SCHAAL_LABELS[v - 1]`).
pub const SCHAAL_LABELS: [&str; 5] = ["helemaal oneens", "oneens", "neutraal", "eens", "helemaal eens"];

/// The label of the answer "niet van toepassing".
pub const NVT_LABEL: &str = "niet van toepassing";

/// The form value of "niet van toepassing" for a scale item.
pub const NVT_VALUE: &str = "nvt";

/// The lowest and highest grade.
pub const CIJFER_MIN: u8 = 1;
/// The highest grade.
pub const CIJFER_MAX: u8 = 10;
/// The lowest scale value (helemaal oneens).
pub const SCHAAL_MIN: u8 = 1;
/// The highest scale value (helemaal eens).
pub const SCHAAL_MAX: u8 = 5;

/// The questionnaire files in this repository, embedded: `(file name, contents)`, oldest first.
const BUILTIN: [(&str, &str); 2] = [
    ("questionnaires/2022-01.toml", include_str!("../questionnaires/2022-01.toml")),
    ("questionnaires/2024-07.toml", include_str!("../questionnaires/2024-07.toml")),
];

/// What kind of answer an item takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    /// A grade from 1 to 10; no "niet van toepassing".
    Cijfer,
    /// Agreement from 1 (helemaal oneens) to 5 (helemaal eens), or "niet van toepassing".
    Schaal,
}

impl ItemKind {
    /// The allowed numeric values, inclusive.
    pub fn range(self) -> std::ops::RangeInclusive<u8> {
        match self {
            ItemKind::Cijfer => CIJFER_MIN..=CIJFER_MAX,
            ItemKind::Schaal => SCHAAL_MIN..=SCHAAL_MAX,
        }
    }

    /// Whether "niet van toepassing" is an allowed answer.
    pub fn allows_nvt(self) -> bool {
        matches!(self, ItemKind::Schaal)
    }
}

/// One closed question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Stable code, e.g. `voorbereiding_1`; the form field name and the key in stored answers.
    pub code: String,
    /// The kind of answer.
    pub kind: ItemKind,
    /// The wording for the praktijkopleider (addressed with "u").
    pub tekst_praktijkopleider: String,
    /// The wording for the student (addressed with "je").
    pub tekst_student: String,
    /// Sociale veiligheid and stagediscriminatie: what the item asks about (see
    /// [`crate::veiligheid`]); `None` for every other item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub veiligheid: Option<crate::veiligheid::Veiligheid>,
}

impl Item {
    /// The wording for a respondent group.
    pub fn tekst(&self, groep: Groep) -> &str {
        match groep {
            Groep::Praktijkopleider => &self.tekst_praktijkopleider,
            Groep::Student => &self.tekst_student,
        }
    }
}

/// A theme: a group of items shown and reported together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    /// One of [`KNOWN_THEMES`], e.g. `begeleiding`.
    pub code: String,
    /// The name shown, e.g. `Begeleiding`.
    pub naam: String,
    /// The items, in the order shown.
    pub items: Vec<Item>,
}

/// The one open question (improvement points); optional to answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenQuestion {
    /// The form field name and key in stored answers, `verbeterpunten`.
    pub code: String,
    /// The wording for the praktijkopleider.
    pub tekst_praktijkopleider: String,
    /// The wording for the student.
    pub tekst_student: String,
    /// The longest answer accepted, in characters (Unicode scalar values).
    pub max_len: usize,
}

impl OpenQuestion {
    /// The wording for a respondent group.
    pub fn tekst(&self, groep: Groep) -> &str {
        match groep {
            Groep::Praktijkopleider => &self.tekst_praktijkopleider,
            Groep::Student => &self.tekst_student,
        }
    }
}

/// One validated version of the questionnaire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Questionnaire {
    /// The version, e.g. `2024-07`; stored with every answer.
    pub version: String,
    /// The first day on which this version is used.
    pub geldig_vanaf: NaiveDate,
    /// The themes, in the order shown.
    pub themes: Vec<Theme>,
    /// The open question.
    pub open: OpenQuestion,
}

impl Questionnaire {
    /// Every item with its theme, in the order shown.
    pub fn items(&self) -> impl Iterator<Item = (&Theme, &Item)> {
        self.themes.iter().flat_map(|t| t.items.iter().map(move |i| (t, i)))
    }

    /// The item with this code.
    pub fn item(&self, code: &str) -> Option<&Item> {
        self.items().find(|(_, i)| i.code == code).map(|(_, i)| i)
    }

    /// The theme an item belongs to.
    pub fn theme_of(&self, item_code: &str) -> Option<&Theme> {
        self.items().find(|(_, i)| i.code == item_code).map(|(t, _)| t)
    }

    /// The theme with this code.
    pub fn theme(&self, code: &str) -> Option<&Theme> {
        self.themes.iter().find(|t| t.code == code)
    }
}

/// All versions of the questionnaire, oldest first; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Questionnaires {
    versions: Vec<Questionnaire>,
}

impl Questionnaires {
    /// The versions embedded from `crates/aggregation/questionnaires/`, validated.
    pub fn builtin() -> Result<Self, QuestionnaireError> {
        Self::from_named_toml(&BUILTIN)
    }

    /// Versions from TOML texts, oldest first; errors name the source by its position
    /// (`bron 1`, `bron 2`, …) and, once read, by its version.
    pub fn from_toml(sources: &[&str]) -> Result<Self, QuestionnaireError> {
        let names: Vec<String> = (1..=sources.len()).map(|n| format!("bron {n}")).collect();
        let named: Vec<(&str, &str)> = names.iter().map(String::as_str).zip(sources.iter().copied()).collect();
        Self::from_named_toml(&named)
    }

    /// Versions from `(file name, TOML text)` pairs, oldest first; errors name the file.
    pub fn from_named_toml(sources: &[(&str, &str)]) -> Result<Self, QuestionnaireError> {
        if sources.is_empty() {
            return Err(QuestionnaireError::Empty);
        }
        let mut versions: Vec<Questionnaire> = Vec::with_capacity(sources.len());
        for (name, text) in sources {
            let q = parse_one(name, text)?;
            if versions.iter().any(|v| v.version == q.version) {
                return Err(invalid(name, Some(&q.version), Problem::DuplicateVersion(q.version.clone())));
            }
            if let Some(prev) = versions.last()
                && q.geldig_vanaf <= prev.geldig_vanaf
            {
                return Err(invalid(
                    name,
                    Some(&q.version),
                    Problem::NotIncreasing {
                        geldig_vanaf: q.geldig_vanaf,
                        previous_version: prev.version.clone(),
                        previous: prev.geldig_vanaf,
                    },
                ));
            }
            versions.push(q);
        }
        Ok(Questionnaires { versions })
    }

    /// The version in use on `date`: the latest with `geldig_vanaf <= date`; the oldest for a date
    /// before all of them.
    pub fn for_date(&self, date: NaiveDate) -> &Questionnaire {
        let oldest = &self.versions[0];
        self.versions.iter().rev().find(|q| q.geldig_vanaf <= date).unwrap_or(oldest)
    }

    /// The version with this name.
    pub fn by_version(&self, version: &str) -> Option<&Questionnaire> {
        self.versions.iter().find(|q| q.version == version)
    }

    /// All versions, oldest first.
    pub fn all(&self) -> &[Questionnaire] {
        &self.versions
    }

    /// The newest version.
    pub fn latest(&self) -> &Questionnaire {
        let last = self.versions.len() - 1;
        &self.versions[last]
    }
}

/// A questionnaire file that cannot be used. The message names the file (and version) and the
/// problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuestionnaireError {
    /// No questionnaire given at all.
    #[error("no questionnaire versions given")]
    Empty,
    /// Not TOML, or not shaped like a questionnaire (missing or unknown keys, wrong types).
    #[error("questionnaire {file}: cannot read: {message}")]
    Parse {
        /// The file (or `bron n`).
        file: String,
        /// What the TOML reader said.
        message: String,
    },
    /// Read, but breaks a rule.
    #[error("questionnaire {file}{}: {problem}", version_suffix(version.as_deref()))]
    Invalid {
        /// The file (or `bron n`).
        file: String,
        /// The version, when it could be read.
        version: Option<String>,
        /// What is wrong.
        problem: Problem,
    },
}

/// What is wrong with a questionnaire that could be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The version is empty or has characters other than letters, digits, `-`, `_` and `.`.
    #[error("version {0:?} is not a valid version name (letters, digits, '-', '_', '.')")]
    BadVersion(String),
    /// `geldig_vanaf` is not a plain date.
    #[error("geldig_vanaf {0} is not a plain date (write it as 2024-07-01, without quotes)")]
    BadDate(String),
    /// A theme code not in [`KNOWN_THEMES`].
    #[error("unknown theme code {0:?}")]
    UnknownTheme(String),
    /// A theme appears twice.
    #[error("theme {0:?} appears more than once")]
    DuplicateTheme(String),
    /// The themes are not in the order of [`KNOWN_THEMES`].
    #[error("theme {0:?} is out of order (themes follow the order of KNOWN_THEMES)")]
    ThemeOrder(String),
    /// A theme without a name or without items.
    #[error("theme {theme:?}: {what}")]
    BadTheme {
        /// The theme code.
        theme: String,
        /// What is missing.
        what: String,
    },
    /// An item (or the open question) code that is empty or not `[a-z0-9_]`.
    #[error("code {0:?} is not valid (lowercase letters, digits and '_' only)")]
    BadCode(String),
    /// An item code used twice (also against the open question).
    #[error("item code {0:?} appears more than once")]
    DuplicateItem(String),
    /// Not exactly one grade item, or it is not `cijfer` in `eindwaardering`, or `eindwaardering`
    /// holds anything else.
    #[error("grade item: {0}")]
    Cijfer(String),
    /// A wording that is empty for a group.
    #[error("{code:?} has no wording for the {groep}")]
    EmptyText {
        /// The item or open question code.
        code: String,
        /// The group without wording.
        groep: Groep,
    },
    /// The open question allows no text.
    #[error("open question {0:?}: max_len must be at least 1")]
    OpenMaxLen(String),
    /// Two files with the same version.
    #[error("version {0:?} is given twice")]
    DuplicateVersion(String),
    /// `geldig_vanaf` not after the previous version's.
    #[error("geldig_vanaf {geldig_vanaf} is not after {previous} of the previous version {previous_version}")]
    NotIncreasing {
        /// This version's date.
        geldig_vanaf: NaiveDate,
        /// The version before it.
        previous_version: String,
        /// Its date.
        previous: NaiveDate,
    },
}

/// ` (version 2024-07)`, or nothing when the version is unknown.
fn version_suffix(version: Option<&str>) -> String {
    version.map(|v| format!(" (version {v})")).unwrap_or_default()
}

fn invalid(file: &str, version: Option<&str>, problem: Problem) -> QuestionnaireError {
    QuestionnaireError::Invalid { file: file.to_owned(), version: version.map(str::to_owned), problem }
}

/// The file as written; turned into a [`Questionnaire`] by [`parse_one`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionnaireFile {
    version: String,
    geldig_vanaf: toml::value::Datetime,
    themes: Vec<Theme>,
    open: OpenQuestion,
}

fn parse_one(file: &str, text: &str) -> Result<Questionnaire, QuestionnaireError> {
    let raw: QuestionnaireFile = toml::from_str(text).map_err(|e| {
        let message = match e.span() {
            Some(span) => format!("line {}: {}", line_of(text, span.start), e.message()),
            None => e.message().to_owned(),
        };
        QuestionnaireError::Parse { file: file.to_owned(), message }
    })?;
    let version = raw.version.clone();
    let fail = |problem: Problem| invalid(file, Some(&version), problem);

    if raw.version.is_empty() || !raw.version.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(invalid(file, None, Problem::BadVersion(raw.version)));
    }
    let geldig_vanaf =
        plain_date(&raw.geldig_vanaf).ok_or_else(|| fail(Problem::BadDate(raw.geldig_vanaf.to_string())))?;

    check_themes(&raw.themes).map_err(&fail)?;
    check_items(&raw.themes, &raw.open).map_err(&fail)?;
    check_grade(&raw.themes).map_err(&fail)?;
    Ok(Questionnaire { version: raw.version, geldig_vanaf, themes: raw.themes, open: raw.open })
}

/// Themes: known, once each, in the canonical order, named, with items.
fn check_themes(themes: &[Theme]) -> Result<(), Problem> {
    let mut last_rank: Option<usize> = None;
    for theme in themes {
        let rank = KNOWN_THEMES
            .iter()
            .position(|(code, _)| *code == theme.code)
            .ok_or_else(|| Problem::UnknownTheme(theme.code.clone()))?;
        match last_rank {
            Some(prev) if prev == rank => return Err(Problem::DuplicateTheme(theme.code.clone())),
            Some(prev) if prev > rank => {
                let seen_before = themes.iter().take_while(|t| !std::ptr::eq(*t, theme)).any(|t| t.code == theme.code);
                let problem = if seen_before {
                    Problem::DuplicateTheme(theme.code.clone())
                } else {
                    Problem::ThemeOrder(theme.code.clone())
                };
                return Err(problem);
            }
            _ => {}
        }
        last_rank = Some(rank);
        if theme.naam.trim().is_empty() {
            return Err(Problem::BadTheme { theme: theme.code.clone(), what: "naam is empty".to_owned() });
        }
        if theme.items.is_empty() {
            return Err(Problem::BadTheme { theme: theme.code.clone(), what: "has no items".to_owned() });
        }
    }
    Ok(())
}

/// Items: valid codes, unique (also against the open question), worded for both groups.
fn check_items(themes: &[Theme], open: &OpenQuestion) -> Result<(), Problem> {
    let mut codes: HashSet<&str> = HashSet::new();
    for item in themes.iter().flat_map(|t| &t.items) {
        if !valid_code(&item.code) {
            return Err(Problem::BadCode(item.code.clone()));
        }
        if !codes.insert(&item.code) {
            return Err(Problem::DuplicateItem(item.code.clone()));
        }
        check_wording(&item.code, &item.tekst_praktijkopleider, &item.tekst_student)?;
    }
    if !valid_code(&open.code) {
        return Err(Problem::BadCode(open.code.clone()));
    }
    if codes.contains(open.code.as_str()) {
        return Err(Problem::DuplicateItem(open.code.clone()));
    }
    check_wording(&open.code, &open.tekst_praktijkopleider, &open.tekst_student)?;
    if open.max_len == 0 {
        return Err(Problem::OpenMaxLen(open.code.clone()));
    }
    Ok(())
}

/// The grade: exactly one, `cijfer`, the only item of `eindwaardering`.
fn check_grade(themes: &[Theme]) -> Result<(), Problem> {
    let grades: Vec<(&Theme, &Item)> = themes
        .iter()
        .flat_map(|t| t.items.iter().map(move |i| (t, i)))
        .filter(|(_, i)| i.kind == ItemKind::Cijfer)
        .collect();
    match grades.as_slice() {
        [] => return Err(Problem::Cijfer("there is none; exactly one is needed".to_owned())),
        [(theme, item)] => {
            if theme.code != EINDWAARDERING {
                return Err(Problem::Cijfer(format!(
                    "{:?} is in theme {:?}; it belongs in {EINDWAARDERING:?}",
                    item.code, theme.code
                )));
            }
            if item.code != CIJFER_CODE {
                return Err(Problem::Cijfer(format!("its code is {:?}; it must be {CIJFER_CODE:?}", item.code)));
            }
        }
        more => {
            let list: Vec<&str> = more.iter().map(|(_, i)| i.code.as_str()).collect();
            return Err(Problem::Cijfer(format!(
                "there are {} ({}); exactly one is allowed",
                more.len(),
                list.join(", ")
            )));
        }
    }
    if let Some(theme) = themes.iter().find(|t| t.code == EINDWAARDERING)
        && theme.items.len() != 1
    {
        return Err(Problem::Cijfer(format!("{EINDWAARDERING:?} must hold only the grade item")));
    }
    Ok(())
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let bytes = text.as_bytes();
    bytes[..offset.min(bytes.len())].iter().filter(|b| **b == b'\n').count() + 1
}

/// A TOML local date (no time, no offset) as a [`NaiveDate`].
fn plain_date(dt: &toml::value::Datetime) -> Option<NaiveDate> {
    if dt.time.is_some() || dt.offset.is_some() {
        return None;
    }
    let d = dt.date?;
    NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
}

/// Item and open question codes: `[a-z0-9_]+`, starting with a letter.
pub(crate) fn valid_code(code: &str) -> bool {
    code.starts_with(|c: char| c.is_ascii_lowercase())
        && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn check_wording(code: &str, praktijkopleider: &str, student: &str) -> Result<(), Problem> {
    for (groep, text) in [(Groep::Praktijkopleider, praktijkopleider), (Groep::Student, student)] {
        if text.trim().is_empty() {
            return Err(Problem::EmptyText { code: code.to_owned(), groep });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn builtin() -> Questionnaires {
        Questionnaires::builtin().unwrap()
    }

    const THEMES_2022: [&str; 7] = [
        "eindwaardering",
        "voorbereiding",
        "afspraken",
        "begeleiding",
        "uitvoering",
        "beoordeling",
        "probleemoplossing",
    ];

    #[test]
    fn both_builtin_versions_load() {
        let qs = builtin();
        let versions: Vec<&str> = qs.all().iter().map(|q| q.version.as_str()).collect();
        assert_eq!(versions, ["2022-01", "2024-07"]);
        assert_eq!(qs.all()[0].geldig_vanaf, date(2022, 1, 1));
        assert_eq!(qs.all()[1].geldig_vanaf, date(2024, 7, 1));
        assert_eq!(qs.latest().version, "2024-07");
    }

    #[test]
    fn themes_per_version() {
        let qs = builtin();
        let old = qs.by_version("2022-01").unwrap();
        let new = qs.by_version("2024-07").unwrap();
        let codes = |q: &Questionnaire| q.themes.iter().map(|t| t.code.clone()).collect::<Vec<_>>();
        assert_eq!(codes(old), THEMES_2022);
        let mut expected: Vec<&str> = THEMES_2022.to_vec();
        expected.extend(["sociale_veiligheid", "stagediscriminatie"]);
        assert_eq!(codes(new), expected);
        assert!(old.theme("sociale_veiligheid").is_none());
        assert!(old.theme("stagediscriminatie").is_none());
        assert_eq!(new.theme("sociale_veiligheid").unwrap().naam, "Sociale veiligheid");
        assert_eq!(new.theme("stagediscriminatie").unwrap().naam, "Stagediscriminatie");
        for q in qs.all() {
            for theme in &q.themes {
                let naam = KNOWN_THEMES.iter().find(|(c, _)| *c == theme.code).unwrap().1;
                assert_eq!(theme.naam, naam);
                if theme.code != EINDWAARDERING {
                    assert!((2..=4).contains(&theme.items.len()), "{}", theme.code);
                    assert!(theme.items.iter().all(|i| i.kind == ItemKind::Schaal));
                    assert!(theme.items.iter().all(|i| i.code.starts_with(&theme.code)));
                }
            }
            assert_eq!(q.open.code, "verbeterpunten");
            assert_eq!(q.open.max_len, 2000);
        }
        assert!(qs.by_version("2023-01").is_none());
    }

    #[test]
    fn items_that_stayed_keep_their_codes() {
        let qs = builtin();
        let old = qs.by_version("2022-01").unwrap();
        let new = qs.by_version("2024-07").unwrap();
        for (theme, item) in old.items() {
            let same = new.item(&item.code).unwrap();
            assert_eq!(same, item);
            assert_eq!(new.theme_of(&item.code).unwrap().code, theme.code);
        }
        let added: Vec<&str> =
            new.items().filter(|(_, i)| old.item(&i.code).is_none()).map(|(t, _)| t.code.as_str()).collect();
        assert!(added.iter().all(|t| *t == "sociale_veiligheid" || *t == "stagediscriminatie"));
        assert_eq!(added.len(), 6);
    }

    #[test]
    fn for_date_picks_by_geldig_vanaf() {
        let qs = builtin();
        assert_eq!(qs.for_date(date(2024, 6, 30)).version, "2022-01");
        assert_eq!(qs.for_date(date(2024, 7, 1)).version, "2024-07");
        assert_eq!(qs.for_date(date(2030, 1, 1)).version, "2024-07");
        assert_eq!(qs.for_date(date(2022, 1, 1)).version, "2022-01");
        // Before every version: the oldest.
        assert_eq!(qs.for_date(date(2019, 5, 5)).version, "2022-01");
    }

    #[test]
    fn wording_per_group() {
        let q = builtin().latest().clone();
        let cijfer = q.item("cijfer").unwrap();
        assert_eq!(cijfer.kind, ItemKind::Cijfer);
        assert_eq!(cijfer.tekst(Groep::Praktijkopleider), "Welk cijfer geeft u aan de bpv-periode van deze student?");
        assert_eq!(cijfer.tekst(Groep::Student), "Welk cijfer geef je aan je bpv-periode?");
        let v = q.item("voorbereiding_1").unwrap();
        assert_eq!(v.tekst(Groep::Praktijkopleider), "De school heeft de student goed voorbereid op de bpv.");
        assert_eq!(v.tekst(Groep::Student), "De school heeft mij goed voorbereid op mijn bpv.");
        assert_eq!(q.open.tekst(Groep::Praktijkopleider), "Wat kan er beter aan de bpv?");
        assert_eq!(q.open.tekst(Groep::Student), "Wat kan er volgens jou beter aan je bpv?");
        assert_eq!(q.theme_of("cijfer").unwrap().code, "eindwaardering");
        assert!(q.item("verbeterpunten").is_none());
        assert!(q.theme_of("nope").is_none());
    }

    // ---- bad files -------------------------------------------------------------------------

    const GOOD: &str = r#"
version = "9999-01"
geldig_vanaf = 2030-01-01

[[themes]]
code = "eindwaardering"
naam = "Eindwaardering"
[[themes.items]]
code = "cijfer"
kind = "cijfer"
tekst_praktijkopleider = "Welk cijfer geeft u?"
tekst_student = "Welk cijfer geef je?"

[[themes]]
code = "voorbereiding"
naam = "Voorbereiding"
[[themes.items]]
code = "voorbereiding_1"
kind = "schaal"
tekst_praktijkopleider = "Goed voorbereid."
tekst_student = "Ik was goed voorbereid."
[[themes.items]]
code = "voorbereiding_2"
kind = "schaal"
tekst_praktijkopleider = "Goed geïnformeerd."
tekst_student = "Ik was goed geïnformeerd."

[[themes]]
code = "afspraken"
naam = "Afspraken"
[[themes.items]]
code = "afspraken_1"
kind = "schaal"
tekst_praktijkopleider = "Duidelijke afspraken."
tekst_student = "Duidelijke afspraken voor mij."

[open]
code = "verbeterpunten"
tekst_praktijkopleider = "Wat kan beter?"
tekst_student = "Wat kan volgens jou beter?"
max_len = 2000
"#;

    fn problem(text: &str) -> Problem {
        match Questionnaires::from_toml(&[text]) {
            Err(QuestionnaireError::Invalid { problem, file, version }) => {
                assert_eq!(file, "bron 1");
                let _ = version;
                problem
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn the_good_test_file_loads() {
        let qs = Questionnaires::from_toml(&[GOOD]).unwrap();
        assert_eq!(qs.all().len(), 1);
        assert_eq!(qs.for_date(date(2000, 1, 1)).version, "9999-01");
    }

    #[test]
    fn refuses_no_sources_and_unreadable_files() {
        assert_eq!(Questionnaires::from_toml(&[]), Err(QuestionnaireError::Empty));
        for bad in [
            "this is not toml [",
            // a typo'd key
            &GOOD.replace("tekst_student = \"Ik was goed voorbereid.\"", "tekst_studnet = \"x\""),
            // an unknown kind
            &GOOD.replace("kind = \"schaal\"", "kind = \"ja_nee\""),
            // no open question
            &GOOD.replace("[open]", "[dicht]"),
        ] {
            let err = Questionnaires::from_toml(&[bad]).unwrap_err();
            assert!(matches!(err, QuestionnaireError::Parse { ref file, .. } if file == "bron 1"), "{err:?}");
            assert!(err.to_string().starts_with("questionnaire bron 1: cannot read:"), "{err}");
        }
    }

    #[test]
    fn refuses_duplicate_item_codes() {
        let bad = GOOD.replace("code = \"voorbereiding_2\"", "code = \"voorbereiding_1\"");
        assert_eq!(problem(&bad), Problem::DuplicateItem("voorbereiding_1".into()));
        let err = Questionnaires::from_toml(&[&bad]).unwrap_err().to_string();
        assert_eq!(err, "questionnaire bron 1 (version 9999-01): item code \"voorbereiding_1\" appears more than once");
        // the open question may not share a code with an item either
        let bad = GOOD.replace("code = \"verbeterpunten\"", "code = \"afspraken_1\"");
        assert_eq!(problem(&bad), Problem::DuplicateItem("afspraken_1".into()));
    }

    #[test]
    fn refuses_bad_codes() {
        let bad = GOOD.replace("code = \"afspraken_1\"", "code = \"Afspraken 1\"");
        assert_eq!(problem(&bad), Problem::BadCode("Afspraken 1".into()));
        let bad = GOOD.replace("code = \"verbeterpunten\"", "code = \"\"");
        assert_eq!(problem(&bad), Problem::BadCode(String::new()));
    }

    #[test]
    fn refuses_anything_but_exactly_one_grade_in_eindwaardering() {
        // none
        let bad = GOOD.replace("kind = \"cijfer\"", "kind = \"schaal\"");
        assert!(matches!(problem(&bad), Problem::Cijfer(m) if m.contains("none")));
        // two
        let bad = GOOD.replacen("kind = \"schaal\"", "kind = \"cijfer\"", 1);
        assert!(matches!(problem(&bad), Problem::Cijfer(m) if m.contains("there are 2")));
        // in the wrong theme
        let bad = GOOD.replace("kind = \"cijfer\"", "kind = \"schaal\"").replacen(
            "kind = \"schaal\"\ntekst_praktijkopleider = \"Goed voorbereid",
            "kind = \"cijfer\"\ntekst_praktijkopleider = \"Goed voorbereid",
            1,
        );
        assert!(matches!(problem(&bad), Problem::Cijfer(m) if m.contains("belongs in")), "{bad}");
        // with another code
        let bad = GOOD.replace("code = \"cijfer\"", "code = \"eindcijfer\"");
        assert!(matches!(problem(&bad), Problem::Cijfer(m) if m.contains("must be \"cijfer\"")));
        // eindwaardering holding a scale item too
        let extra = concat!(
            "[[themes.items]]\ncode = \"tevreden\"\nkind = \"schaal\"\n",
            "tekst_praktijkopleider = \"a\"\ntekst_student = \"b\"\n\n",
            "[[themes]]\ncode = \"voorbereiding\"",
        );
        let bad = GOOD.replacen("[[themes]]\ncode = \"voorbereiding\"", extra, 1);
        assert!(matches!(problem(&bad), Problem::Cijfer(m) if m.contains("only the grade")));
    }

    #[test]
    fn refuses_empty_wording() {
        let bad = GOOD.replace("tekst_student = \"Ik was goed voorbereid.\"", "tekst_student = \"  \"");
        assert_eq!(problem(&bad), Problem::EmptyText { code: "voorbereiding_1".into(), groep: Groep::Student });
        let bad = GOOD.replace("tekst_praktijkopleider = \"Wat kan beter?\"", "tekst_praktijkopleider = \"\"");
        assert_eq!(problem(&bad), Problem::EmptyText { code: "verbeterpunten".into(), groep: Groep::Praktijkopleider });
        let msg = Questionnaires::from_toml(&[&bad]).unwrap_err().to_string();
        assert!(msg.contains("\"verbeterpunten\" has no wording for the praktijkopleider"), "{msg}");
    }

    #[test]
    fn refuses_unknown_duplicate_and_misordered_themes() {
        let bad = GOOD.replace("code = \"afspraken\"", "code = \"kantine\"");
        assert_eq!(problem(&bad), Problem::UnknownTheme("kantine".into()));
        let bad = GOOD.replace("code = \"afspraken\"", "code = \"Voorbereiding\"");
        assert_eq!(problem(&bad), Problem::UnknownTheme("Voorbereiding".into()));
        let bad = GOOD.replace("code = \"afspraken\"", "code = \"voorbereiding\"");
        assert_eq!(problem(&bad), Problem::DuplicateTheme("voorbereiding".into()));
        let bad = GOOD.replace("code = \"afspraken\"", "code = \"eindwaardering\"");
        assert_eq!(problem(&bad), Problem::DuplicateTheme("eindwaardering".into()));
        let bad = GOOD.replace("code = \"voorbereiding\"", "code = \"uitvoering\"");
        assert_eq!(problem(&bad), Problem::ThemeOrder("afspraken".into()));
        let bad = GOOD.replace("naam = \"Afspraken\"", "naam = \"\"");
        assert!(matches!(problem(&bad), Problem::BadTheme { theme, .. } if theme == "afspraken"));
    }

    #[test]
    fn refuses_bad_versions_dates_and_lengths() {
        let bad = GOOD.replace("version = \"9999-01\"", "version = \"\"");
        assert_eq!(problem(&bad), Problem::BadVersion(String::new()));
        let bad = GOOD.replace("version = \"9999-01\"", "version = \"2024 juli\"");
        assert_eq!(problem(&bad), Problem::BadVersion("2024 juli".into()));
        let bad = GOOD.replace("geldig_vanaf = 2030-01-01", "geldig_vanaf = 2030-01-01T10:00:00");
        assert!(matches!(problem(&bad), Problem::BadDate(_)));
        // a quoted date is not a TOML date
        let bad = GOOD.replace("geldig_vanaf = 2030-01-01", "geldig_vanaf = \"2030-01-01\"");
        assert!(matches!(Questionnaires::from_toml(&[&bad]), Err(QuestionnaireError::Parse { .. })));
        let bad = GOOD.replace("max_len = 2000", "max_len = 0");
        assert_eq!(problem(&bad), Problem::OpenMaxLen("verbeterpunten".into()));
    }

    #[test]
    fn refuses_duplicate_versions_and_dates_not_increasing() {
        let later = GOOD.replace("geldig_vanaf = 2030-01-01", "geldig_vanaf = 2031-01-01");
        let err = Questionnaires::from_toml(&[GOOD, &later]).unwrap_err();
        assert_eq!(
            err,
            QuestionnaireError::Invalid {
                file: "bron 2".into(),
                version: Some("9999-01".into()),
                problem: Problem::DuplicateVersion("9999-01".into())
            }
        );
        let earlier = GOOD.replace("version = \"9999-01\"", "version = \"9999-02\"");
        let err = Questionnaires::from_toml(&[GOOD, &earlier]).unwrap_err();
        assert_eq!(
            err.to_string(),
            concat!(
                "questionnaire bron 2 (version 9999-02): ",
                "geldig_vanaf 2030-01-01 is not after 2030-01-01 of the previous version 9999-01"
            )
        );
        let later = later.replace("version = \"9999-01\"", "version = \"9999-02\"");
        assert!(Questionnaires::from_toml(&[GOOD, &later]).is_ok());
        // named files are named in the message
        let err = Questionnaires::from_named_toml(&[("questionnaires/x.toml", "nope")]).unwrap_err();
        assert!(err.to_string().starts_with("questionnaire questionnaires/x.toml: cannot read"), "{err}");
    }
}
