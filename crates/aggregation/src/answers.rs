//! Answers to one questionnaire: validated from the form (or an import) and stored as JSON.
//!
//! # Stored shape
//!
//! [`Answers::to_json`] writes, and [`Answers::from_json`] reads, one JSON object:
//!
//! ```json
//! {"version":"2024-07","cijfer":8,
//!  "items":{"afspraken_1":4,"cijfer":8,"sociale_veiligheid_1":null,"voorbereiding_1":5},
//!  "verbeterpunten":"Meer contact met school."}
//! ```
//!
//! - `version`: the questionnaire version answered.
//! - `cijfer`: the grade 1–10, also under `items` (so every item of the questionnaire is there).
//! - `items`: every item code of that version, keys in code order; a scale answer is a number
//!   1–5, the grade a number 1–10, "niet van toepassing" is `null`.
//! - `verbeterpunten`: the open answer, cleaned, or `null` when left empty.
//!
//! Reading checks the shape and ranges; whether the item codes are those of the version is checked
//! against the questionnaire with [`Answers::check_against`].

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

use crate::format::thousands_nl;
use crate::questionnaire::{CIJFER_CODE, ItemKind, NVT_VALUE, Questionnaire, valid_code};

/// The answer to one closed item.
///
/// Serialized as a JSON number (the grade or the scale value) or `null` for "niet van toepassing";
/// which of the two numeric kinds it is follows from the item (see [`Answers`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Antwoord {
    /// A grade, 1–10.
    Cijfer(u8),
    /// Agreement, 1 (helemaal oneens) – 5 (helemaal eens).
    Schaal(u8),
    /// Niet van toepassing (scale items only).
    NietVanToepassing,
}

impl Antwoord {
    /// The number given, `None` for "niet van toepassing".
    pub fn waarde(self) -> Option<u8> {
        match self {
            Antwoord::Cijfer(v) | Antwoord::Schaal(v) => Some(v),
            Antwoord::NietVanToepassing => None,
        }
    }

    /// The value as the form sends it: `"7"`, `"4"` or `"nvt"`.
    pub fn form_value(self) -> String {
        match self.waarde() {
            Some(v) => v.to_string(),
            None => NVT_VALUE.to_owned(),
        }
    }
}

impl Serialize for Antwoord {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.waarde() {
            Some(v) => serializer.serialize_u8(v),
            None => serializer.serialize_none(),
        }
    }
}

/// A validated, complete answer to one questionnaire.
///
/// `items` holds every item of the version, the grade included (as [`Antwoord::Cijfer`] under
/// `cijfer`, equal to the field `cijfer`). See the module docs for the stored JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StoredAnswers")]
pub struct Answers {
    /// The questionnaire version answered.
    pub version: String,
    /// The grade, 1–10.
    pub cijfer: u8,
    /// Item code → answer, for every item of the version.
    pub items: BTreeMap<String, Antwoord>,
    /// The open answer, cleaned; `None` when left empty.
    pub verbeterpunten: Option<String>,
}

impl Answers {
    /// The stored JSON (see the module docs); the same text as `serde_json::to_string`.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(64 + self.items.len() * 24);
        out.push_str("{\"version\":");
        out.push_str(&json_string(&self.version));
        out.push_str(",\"cijfer\":");
        out.push_str(&self.cijfer.to_string());
        out.push_str(",\"items\":{");
        for (n, (code, antwoord)) in self.items.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            out.push_str(&json_string(code));
            out.push(':');
            match antwoord.waarde() {
                Some(v) => out.push_str(&v.to_string()),
                None => out.push_str("null"),
            }
        }
        out.push_str("},\"verbeterpunten\":");
        match &self.verbeterpunten {
            Some(text) => out.push_str(&json_string(text)),
            None => out.push_str("null"),
        }
        out.push('}');
        out
    }

    /// Read the stored JSON, checking its shape and ranges (not the item codes: see
    /// [`Answers::check_against`]).
    pub fn from_json(s: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(s)
    }

    /// Check these answers against the questionnaire they claim to answer: the same version,
    /// every item present with an answer of its kind, no other items, the text within bounds.
    pub fn check_against(&self, q: &Questionnaire) -> Result<(), Vec<AnswerError>> {
        let mut errors = Vec::new();
        if self.version != q.version {
            errors.push(AnswerError::new(
                "version",
                format!("Deze antwoorden horen bij vragenlijst {}, niet bij {}.", self.version, q.version),
            ));
        }
        let mut fields: BTreeMap<&str, String> =
            self.items.iter().map(|(code, a)| (code.as_str(), a.form_value())).collect();
        if let Some(text) = &self.verbeterpunten {
            fields.insert(q.open.code.as_str(), text.clone());
        }
        if let Err(more) = validate(q, fields.iter().map(|(k, v)| (*k, v.as_str()))) {
            errors.extend(more);
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// A JSON string literal (escaped as serde_json does).
fn json_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// The stored JSON as read, before its checks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredAnswers {
    version: String,
    cijfer: u8,
    items: BTreeMap<String, Option<u8>>,
    #[serde(default)]
    verbeterpunten: Option<String>,
}

impl TryFrom<StoredAnswers> for Answers {
    type Error = String;

    fn try_from(raw: StoredAnswers) -> Result<Self, String> {
        if raw.version.is_empty() {
            return Err("version is empty".to_owned());
        }
        if !ItemKind::Cijfer.range().contains(&raw.cijfer) {
            return Err(format!("cijfer {} is not 1-10", raw.cijfer));
        }
        match raw.items.get(CIJFER_CODE) {
            Some(Some(v)) if *v == raw.cijfer => {}
            _ => return Err(format!("items.{CIJFER_CODE} must equal cijfer {}", raw.cijfer)),
        }
        // Collected from the sorted entries: the map is built in one go, its nodes full.
        let items = raw
            .items
            .into_iter()
            .map(|(code, value)| {
                if !valid_code(&code) {
                    return Err(format!("item code {code:?} is not valid"));
                }
                let antwoord = if code == CIJFER_CODE {
                    Antwoord::Cijfer(raw.cijfer)
                } else {
                    match value {
                        None => Antwoord::NietVanToepassing,
                        Some(v) if ItemKind::Schaal.range().contains(&v) => Antwoord::Schaal(v),
                        Some(v) => return Err(format!("item {code}: {v} is not 1-5 or null")),
                    }
                };
                Ok((code, antwoord))
            })
            .collect::<Result<BTreeMap<_, _>, String>>()?;
        if raw.verbeterpunten.as_deref().is_some_and(|t| t.trim().is_empty()) {
            return Err("verbeterpunten is empty; write null".to_owned());
        }
        Ok(Answers { version: raw.version, cijfer: raw.cijfer, items, verbeterpunten: raw.verbeterpunten })
    }
}

/// One problem with submitted answers: which item (its code, or the unknown field's name) and
/// what is wrong, in Dutch, to show beside the question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerError {
    /// The item code (or open question code, or the unknown field as submitted, shortened).
    pub item: String,
    /// What is wrong, in Dutch, without "u" or "je" (one text for both groups).
    pub melding: String,
}

impl AnswerError {
    fn new(item: impl Into<String>, melding: impl Into<String>) -> Self {
        AnswerError { item: item.into(), melding: melding.into() }
    }
}

impl fmt::Display for AnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.item, self.melding)
    }
}

impl std::error::Error for AnswerError {}

/// Melding: a required item left empty.
pub const MELDING_VERPLICHT: &str = "Beantwoord deze vraag.";
/// Melding: the grade out of range or not a number.
pub const MELDING_CIJFER: &str = "Kies een cijfer van 1 tot en met 10.";
/// Melding: "n.v.t." given for the grade.
pub const MELDING_CIJFER_NVT: &str = "Bij deze vraag is ‘n.v.t.’ niet mogelijk: kies een cijfer van 1 tot en met 10.";
/// Melding: a scale answer out of range or not a number.
pub const MELDING_SCHAAL: &str = "Kies een antwoord van 1 (helemaal oneens) tot en met 5 (helemaal eens), of ‘n.v.t.’.";
/// Melding: a field that is not part of the questionnaire.
pub const MELDING_ONBEKEND: &str = "Dit veld hoort niet bij de vragenlijst.";

/// The longest unknown field name echoed in an [`AnswerError`], in characters.
const MAX_ECHO: usize = 64;

/// Validate form fields as submitted: `item_code` → `"1"`…`"5"` or `"nvt"` for scale items,
/// `"1"`…`"10"` for the grade, the open question's code (`verbeterpunten`) → text.
///
/// Every item must be present and in range (values are trimmed; `nvt` may also be written `NVT`
/// or `n.v.t.`); unknown fields are refused, so the caller removes its own fields (buttons, CSRF
/// tokens) first. The text is cleaned with [`clean_text`] and may have at most `max_len`
/// characters; empty text is `None`. All problems are returned, in the order of the questionnaire,
/// unknown fields last.
pub fn validate_answers(q: &Questionnaire, form: &HashMap<String, String>) -> Result<Answers, Vec<AnswerError>> {
    validate(q, form.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// Validate answers delivered by an external survey bureau, as item code → value text; the same
/// rules as [`validate_answers`].
pub fn validate_imported(q: &Questionnaire, values: &BTreeMap<String, String>) -> Result<Answers, Vec<AnswerError>> {
    validate(q, values.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

fn validate<'a>(
    q: &Questionnaire,
    fields: impl Iterator<Item = (&'a str, &'a str)>,
) -> Result<Answers, Vec<AnswerError>> {
    let fields: BTreeMap<&str, &str> = fields.collect();
    let mut errors = Vec::new();
    let mut items = BTreeMap::new();
    let mut cijfer = None;

    for (_, item) in q.items() {
        let value = fields.get(item.code.as_str()).map(|v| v.trim()).unwrap_or("");
        match parse_value(item.kind, value) {
            Ok(antwoord) => {
                if let Antwoord::Cijfer(v) = antwoord {
                    cijfer = Some(v);
                }
                items.insert(item.code.clone(), antwoord);
            }
            Err(melding) => errors.push(AnswerError::new(item.code.as_str(), melding)),
        }
    }

    let mut verbeterpunten = None;
    if let Some(raw) = fields.get(q.open.code.as_str()) {
        let text = clean_text(raw);
        let len = text.chars().count();
        if len > q.open.max_len {
            errors.push(AnswerError::new(
                q.open.code.as_str(),
                format!(
                    "De tekst is te lang: maximaal {} tekens, nu {}.",
                    thousands_nl(q.open.max_len as u64),
                    thousands_nl(len as u64)
                ),
            ));
        } else if !text.is_empty() {
            verbeterpunten = Some(text);
        }
    }

    for key in fields.keys() {
        if q.item(key).is_none() && *key != q.open.code {
            errors.push(AnswerError::new(echo(key), MELDING_ONBEKEND));
        }
    }

    match cijfer {
        Some(cijfer) if errors.is_empty() => Ok(Answers { version: q.version.clone(), cijfer, items, verbeterpunten }),
        _ => {
            if errors.is_empty() {
                // A validated questionnaire always has its grade item; refuse rather than invent one.
                errors.push(AnswerError::new(CIJFER_CODE, MELDING_CIJFER));
            }
            Err(errors)
        }
    }
}

/// One value for an item of `kind`, trimmed; `Err` is the melding.
fn parse_value(kind: ItemKind, value: &str) -> Result<Antwoord, &'static str> {
    if value.is_empty() {
        return Err(MELDING_VERPLICHT);
    }
    let out_of_range = match kind {
        ItemKind::Cijfer => MELDING_CIJFER,
        ItemKind::Schaal => MELDING_SCHAAL,
    };
    if is_nvt(value) {
        return if kind.allows_nvt() { Ok(Antwoord::NietVanToepassing) } else { Err(MELDING_CIJFER_NVT) };
    }
    // Plain digits only: no sign, no decimals, no spaces inside.
    if value.len() > 3 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(out_of_range);
    }
    let n: u8 = value.parse().map_err(|_| out_of_range)?;
    if !kind.range().contains(&n) {
        return Err(out_of_range);
    }
    Ok(match kind {
        ItemKind::Cijfer => Antwoord::Cijfer(n),
        ItemKind::Schaal => Antwoord::Schaal(n),
    })
}

fn is_nvt(value: &str) -> bool {
    ["nvt", "n.v.t.", "n.v.t", "niet van toepassing"].iter().any(|v| value.eq_ignore_ascii_case(v))
}

/// Clean free text: line ends become `\n`, other control characters (and the bidirectional
/// overrides U+202A–U+202E, U+2066–U+2069) are removed, and the result is trimmed.
pub fn clean_text(raw: &str) -> String {
    let unified = raw.replace("\r\n", "\n").replace('\r', "\n");
    let kept: String = unified
        .chars()
        .filter(|c| *c == '\n' || !(c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')))
        .collect();
    kept.trim().to_owned()
}

/// An unknown field name, safe to show: control characters removed, shortened.
fn echo(key: &str) -> String {
    let clean: String = key.chars().filter(|c| !c.is_control()).collect();
    if clean.chars().count() > MAX_ECHO {
        let mut short: String = clean.chars().take(MAX_ECHO).collect();
        short.push('…');
        short
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::questionnaire::Questionnaires;
    use proptest::prelude::*;

    fn qs() -> Questionnaires {
        Questionnaires::builtin().unwrap()
    }

    /// A complete, valid form for `q`: grade 8, every scale item 4, the first one n.v.t.
    fn full_form(q: &Questionnaire) -> HashMap<String, String> {
        let mut form = HashMap::new();
        for (n, (_, item)) in q.items().enumerate() {
            let v = match item.kind {
                ItemKind::Cijfer => "8",
                ItemKind::Schaal if n == 1 => "nvt",
                ItemKind::Schaal => "4",
            };
            form.insert(item.code.clone(), v.to_owned());
        }
        form
    }

    fn errors_for(q: &Questionnaire, form: &HashMap<String, String>) -> Vec<AnswerError> {
        validate_answers(q, form).unwrap_err()
    }

    fn one_error(q: &Questionnaire, form: &HashMap<String, String>) -> AnswerError {
        let errors = errors_for(q, form);
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    #[test]
    fn a_complete_form_is_accepted() {
        let qs = qs();
        for q in qs.all() {
            let mut form = full_form(q);
            form.insert("verbeterpunten".into(), "  Meer contact\r\nmet school.\u{7}  ".into());
            let a = validate_answers(q, &form).unwrap();
            assert_eq!(a.version, q.version);
            assert_eq!(a.cijfer, 8);
            assert_eq!(a.items.len(), q.items().count());
            assert_eq!(a.items["cijfer"], Antwoord::Cijfer(8));
            assert_eq!(a.items["voorbereiding_1"], Antwoord::NietVanToepassing);
            assert_eq!(a.items["voorbereiding_2"], Antwoord::Schaal(4));
            assert_eq!(a.verbeterpunten.as_deref(), Some("Meer contact\nmet school."));
            assert_eq!(a.check_against(q), Ok(()));
        }
    }

    #[test]
    fn spellings_of_values() {
        let q = qs().latest().clone();
        let mut form = full_form(&q);
        form.insert("cijfer".into(), " 10 ".into());
        form.insert("afspraken_1".into(), "N.V.T.".into());
        form.insert("afspraken_2".into(), "NVT".into());
        form.insert("afspraken_3".into(), "05".into());
        form.insert("verbeterpunten".into(), "   ".into());
        let a = validate_answers(&q, &form).unwrap();
        assert_eq!(a.cijfer, 10);
        assert_eq!(a.items["afspraken_1"], Antwoord::NietVanToepassing);
        assert_eq!(a.items["afspraken_2"], Antwoord::NietVanToepassing);
        assert_eq!(a.items["afspraken_3"], Antwoord::Schaal(5));
        assert_eq!(a.verbeterpunten, None);
    }

    #[test]
    fn a_missing_item_is_named() {
        let q = qs().latest().clone();
        let mut form = full_form(&q);
        form.remove("begeleiding_2");
        assert_eq!(one_error(&q, &form), AnswerError::new("begeleiding_2", MELDING_VERPLICHT));
        form = full_form(&q);
        form.insert("stagediscriminatie_3".into(), "  ".into());
        assert_eq!(one_error(&q, &form), AnswerError::new("stagediscriminatie_3", MELDING_VERPLICHT));
        form = full_form(&q);
        form.remove("cijfer");
        assert_eq!(one_error(&q, &form), AnswerError::new("cijfer", MELDING_VERPLICHT));
        // An empty form: every item, in questionnaire order.
        let errors = errors_for(&q, &HashMap::new());
        let named: Vec<&str> = errors.iter().map(|e| e.item.as_str()).collect();
        let codes: Vec<&str> = q.items().map(|(_, i)| i.code.as_str()).collect();
        assert_eq!(named, codes);
    }

    #[test]
    fn out_of_range_values_are_named() {
        let q = qs().latest().clone();
        for (code, value, melding) in [
            ("cijfer", "0", MELDING_CIJFER),
            ("cijfer", "11", MELDING_CIJFER),
            ("cijfer", "-1", MELDING_CIJFER),
            ("cijfer", "7.5", MELDING_CIJFER),
            ("cijfer", "acht", MELDING_CIJFER),
            ("cijfer", "256", MELDING_CIJFER),
            ("cijfer", "99999999999", MELDING_CIJFER),
            ("cijfer", "nvt", MELDING_CIJFER_NVT),
            ("cijfer", "n.v.t.", MELDING_CIJFER_NVT),
            ("uitvoering_1", "0", MELDING_SCHAAL),
            ("uitvoering_1", "6", MELDING_SCHAAL),
            ("uitvoering_1", "+3", MELDING_SCHAAL),
            ("uitvoering_1", "3 4", MELDING_SCHAAL),
            ("uitvoering_1", "eens", MELDING_SCHAAL),
        ] {
            let mut form = full_form(&q);
            form.insert(code.into(), value.into());
            assert_eq!(one_error(&q, &form), AnswerError::new(code, melding), "{code} = {value:?}");
        }
    }

    #[test]
    fn unknown_fields_are_refused_and_named() {
        let qs = qs();
        let q = qs.latest();
        let mut form = full_form(q);
        form.insert("csrf".into(), "abc".into());
        assert_eq!(one_error(q, &form), AnswerError::new("csrf", MELDING_ONBEKEND));
        // A 2024-07 item is unknown in 2022-01.
        let old = qs.by_version("2022-01").unwrap();
        let mut form = full_form(old);
        form.insert("sociale_veiligheid_1".into(), "4".into());
        assert_eq!(one_error(old, &form), AnswerError::new("sociale_veiligheid_1", MELDING_ONBEKEND));
        // A long, odd name is shortened and cleaned for display.
        let mut form = full_form(q);
        form.insert(format!("x\u{0}{}", "y".repeat(500)), String::new());
        let e = one_error(q, &form);
        assert_eq!(e.item.chars().count(), MAX_ECHO + 1);
        assert!(e.item.starts_with("xyyy") && e.item.ends_with('…'));
    }

    #[test]
    fn too_long_text_is_named() {
        let q = qs().latest().clone();
        let mut form = full_form(&q);
        form.insert("verbeterpunten".into(), "é".repeat(2000));
        assert_eq!(validate_answers(&q, &form).unwrap().verbeterpunten.unwrap().chars().count(), 2000);
        form.insert("verbeterpunten".into(), "é".repeat(2345));
        assert_eq!(
            one_error(&q, &form),
            AnswerError::new("verbeterpunten", "De tekst is te lang: maximaal 2.000 tekens, nu 2.345.")
        );
        // Counted after cleaning: control characters and surrounding space do not count.
        form.insert("verbeterpunten".into(), format!("  {}\u{0}\u{1b}\u{202e}  ", "a".repeat(2000)));
        assert_eq!(validate_answers(&q, &form).unwrap().verbeterpunten.unwrap(), "a".repeat(2000));
    }

    #[test]
    fn all_problems_are_reported_together() {
        let q = qs().latest().clone();
        let mut form = full_form(&q);
        form.insert("cijfer".into(), "nvt".into());
        form.remove("afspraken_2");
        form.insert("beoordeling_1".into(), "6".into());
        form.insert("verbeterpunten".into(), "x".repeat(2001));
        form.insert("zzz".into(), "1".into());
        let errors = errors_for(&q, &form);
        let named: Vec<&str> = errors.iter().map(|e| e.item.as_str()).collect();
        assert_eq!(named, ["cijfer", "afspraken_2", "beoordeling_1", "verbeterpunten", "zzz"]);
        assert_eq!(errors[0].to_string(), format!("cijfer: {MELDING_CIJFER_NVT}"));
    }

    #[test]
    fn imported_values_follow_the_same_rules() {
        let q = qs().latest().clone();
        let form = full_form(&q);
        let values: BTreeMap<String, String> = form.clone().into_iter().collect();
        assert_eq!(validate_imported(&q, &values).unwrap(), validate_answers(&q, &form).unwrap());
        let mut values = values;
        values.insert("cijfer".into(), "11".into());
        assert_eq!(validate_imported(&q, &values).unwrap_err(), vec![AnswerError::new("cijfer", MELDING_CIJFER)]);
    }

    #[test]
    fn clean_text_rules() {
        assert_eq!(clean_text("a\r\nb\rc\nd"), "a\nb\nc\nd");
        assert_eq!(clean_text("\t tab\u{0}nul\u{7f}del\u{85}nel \u{2067}bidi "), "tabnuldelnel bidi");
        assert_eq!(clean_text("  \n "), "");
        assert_eq!(clean_text("Één café — prima."), "Één café — prima.");
    }

    #[test]
    fn stored_json_shape() {
        let q = qs().by_version("2022-01").unwrap().clone();
        let mut form = full_form(&q);
        form.insert("verbeterpunten".into(), "Meer \"contact\"\nmet school.".into());
        let a = validate_answers(&q, &form).unwrap();
        let json = a.to_json();
        assert!(json.starts_with(r#"{"version":"2022-01","cijfer":8,"items":{"afspraken_1":4,"#), "{json}");
        assert!(json.contains(r#""voorbereiding_1":null"#));
        assert!(json.ends_with(r#"},"verbeterpunten":"Meer \"contact\"\nmet school."}"#), "{json}");
        assert_eq!(json, serde_json::to_string(&a).unwrap());
        assert_eq!(Answers::from_json(&json).unwrap(), a);
        let none = Answers { verbeterpunten: None, ..a.clone() };
        assert!(none.to_json().ends_with(r#""verbeterpunten":null}"#));
        assert_eq!(Answers::from_json(&none.to_json()).unwrap(), none);
    }

    #[test]
    fn from_json_refuses_bad_shapes() {
        let ok = r#"{"version":"2022-01","cijfer":7,"items":{"cijfer":7,"a_1":5,"a_2":null},"verbeterpunten":null}"#;
        let a = Answers::from_json(ok).unwrap();
        assert_eq!(a.items["a_2"], Antwoord::NietVanToepassing);
        // verbeterpunten may be absent
        assert!(Answers::from_json(r#"{"version":"2022-01","cijfer":7,"items":{"cijfer":7}}"#).is_ok());
        for bad in [
            r#"{"version":"","cijfer":7,"items":{"cijfer":7}}"#,
            r#"{"version":"2022-01","cijfer":11,"items":{"cijfer":11}}"#,
            r#"{"version":"2022-01","cijfer":0,"items":{"cijfer":0}}"#,
            r#"{"version":"2022-01","cijfer":7,"items":{}}"#,
            r#"{"version":"2022-01","cijfer":7,"items":{"cijfer":8}}"#,
            r#"{"version":"2022-01","cijfer":7,"items":{"cijfer":null}}"#,
            r#"{"version":"2022-01","cijfer":7,"items":{"cijfer":7,"a_1":6}}"#,
            r#"{"version":"2022-01","cijfer":7,"items":{"cijfer":7,"a_1":0}}"#,
            r#"{"version":"2022-01","cijfer":7,"items":{"cijfer":7,"a_1":"4"}}"#,
            r#"{"version":"2022-01","cijfer":7,"items":{"cijfer":7,"a_1":4.5}}"#,
            r#"{"version":"2022-01","cijfer":7,"items":{"cijfer":7,"A 1":4}}"#,
            r#"{"version":"2022-01","cijfer":7,"items":{"cijfer":7},"verbeterpunten":" "}"#,
            r#"{"version":"2022-01","cijfer":7,"items":{"cijfer":7},"extra":1}"#,
            r#"{"version":"2022-01","cijfer":7}"#,
            "not json",
        ] {
            assert!(Answers::from_json(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn check_against_the_questionnaire() {
        let qs = qs();
        let old = qs.by_version("2022-01").unwrap();
        let new = qs.by_version("2024-07").unwrap();
        let a = validate_answers(old, &full_form(old)).unwrap();
        assert_eq!(a.check_against(old), Ok(()));
        let errors = a.check_against(new).unwrap_err();
        assert_eq!(errors[0].item, "version");
        assert!(errors.iter().any(|e| e.item == "sociale_veiligheid_1" && e.melding == MELDING_VERPLICHT));
        let mut b = a.clone();
        b.items.insert("voorbereiding_1".into(), Antwoord::Cijfer(9));
        assert_eq!(b.check_against(old).unwrap_err(), vec![AnswerError::new("voorbereiding_1", MELDING_SCHAAL)]);
    }

    #[test]
    fn antwoord_helpers() {
        assert_eq!(Antwoord::Cijfer(7).waarde(), Some(7));
        assert_eq!(Antwoord::Schaal(2).form_value(), "2");
        assert_eq!(Antwoord::NietVanToepassing.form_value(), "nvt");
        assert_eq!(serde_json::to_string(&Antwoord::NietVanToepassing).unwrap(), "null");
        assert_eq!(serde_json::to_string(&Antwoord::Schaal(3)).unwrap(), "3");
    }

    // ---- properties ------------------------------------------------------------------------

    /// Field names: real codes, near misses and arbitrary text.
    fn any_key() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::sample::select(vec![
                "cijfer",
                "voorbereiding_1",
                "afspraken_3",
                "sociale_veiligheid_2",
                "stagediscriminatie_1",
                "verbeterpunten",
                "Cijfer",
                "",
            ])
            .prop_map(str::to_owned),
            any::<String>(),
        ]
    }

    /// Values: every valid spelling, edge numbers and arbitrary text.
    fn any_value() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::sample::select(vec![
                "0", "1", "3", "5", "6", "10", "11", "255", "256", "nvt", "N.V.T.", " 4 ", "", "-1", "1e1",
            ])
            .prop_map(str::to_owned),
            any::<String>(),
            "[0-9 ]{0,5}",
        ]
    }

    /// A valid answer for every item of a version, and a text of at most 2,000 characters.
    fn valid_form() -> impl Strategy<Value = (usize, HashMap<String, String>)> {
        (0usize..2, proptest::collection::vec(0u8..=10, 32), proptest::option::of(".{0,2000}")).prop_map(
            |(version, picks, text)| {
                let qs = Questionnaires::builtin().unwrap();
                let q = &qs.all()[version];
                let mut form = HashMap::new();
                for (n, (_, item)) in q.items().enumerate() {
                    let pick = picks[n % picks.len()];
                    let value = match item.kind {
                        ItemKind::Cijfer => pick.clamp(1, 10).to_string(),
                        ItemKind::Schaal if pick == 0 || pick > 5 => "nvt".to_owned(),
                        ItemKind::Schaal => pick.to_string(),
                    };
                    form.insert(item.code.clone(), value);
                }
                if let Some(text) = text {
                    form.insert("verbeterpunten".to_owned(), text);
                }
                (version, form)
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn validate_never_panics(
            form in proptest::collection::hash_map(any_key(), any_value(), 0..40),
            base in any::<bool>(),
        ) {
            let qs = Questionnaires::builtin().unwrap();
            for q in qs.all() {
                let mut input = if base { full_form(q) } else { HashMap::new() };
                input.extend(form.clone());
                match validate_answers(q, &input) {
                    Ok(a) => {
                        prop_assert_eq!(a.check_against(q), Ok(()));
                        prop_assert_eq!(Answers::from_json(&a.to_json()).unwrap(), a);
                    }
                    Err(errors) => prop_assert!(!errors.is_empty()),
                }
            }
        }

        #[test]
        fn valid_answers_round_trip((version, form) in valid_form()) {
            let qs = Questionnaires::builtin().unwrap();
            let q = &qs.all()[version];
            let a = validate_answers(q, &form).unwrap();
            prop_assert_eq!(a.items.len(), q.items().count());
            let json = a.to_json();
            prop_assert_eq!(&json, &serde_json::to_string(&a).unwrap());
            let back = Answers::from_json(&json).unwrap();
            prop_assert_eq!(&back, &a);
            prop_assert_eq!(back.check_against(q), Ok(()));
        }
    }
}
