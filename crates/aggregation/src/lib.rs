//! Results aggregation: from answers (with their analysis keys) and invitations to figures per
//! selection beside the national average, with small-cell suppression (docs/privacy.md, docs/architecture.md "Results").
//!
//! Module map: `format` (Dutch number formatting), `questionnaire` (themes, items, versions, as
//! data in `questionnaires/*.toml`), `answers` (validating and storing one response), `results`
//! (analysis keys, selections, figures and their definitions), `cells` (the reporting index of
//! atoms: small-cell suppression that subtraction cannot undo; see docs/privacy.md), `veiligheid`
//! (the unsafe side of the safety items and the k-safe signal per leerbedrijf).
//!
//! # Example
//!
//! ```
//! use std::collections::HashMap;
//!
//! use bpv_aggregation::{Antwoord, Answers, Questionnaires, validate_answers};
//! use bpvo::Groep;
//! use chrono::NaiveDate;
//!
//! let questionnaires = Questionnaires::builtin()?;
//! let q = questionnaires.for_date(NaiveDate::from_ymd_opt(2024, 9, 1).ok_or("date")?);
//! assert_eq!(q.version, "2024-07");
//! let cijfer = q.item("cijfer").ok_or("every version has the grade")?;
//! assert_eq!(cijfer.tekst(Groep::Student), "Welk cijfer geef je aan je bpv-periode?");
//!
//! // The form as posted: every item, plus the optional open question.
//! let mut form: HashMap<String, String> =
//!     q.items().map(|(_, item)| (item.code.clone(), "4".to_owned())).collect();
//! form.insert("cijfer".into(), "8".into());
//! form.insert("stagediscriminatie_2".into(), "nvt".into());
//! form.insert("verbeterpunten".into(), "Vaker contact met school.".into());
//!
//! let answers = validate_answers(q, &form).expect("complete");
//! assert_eq!(answers.cijfer, 8);
//! assert_eq!(answers.items["stagediscriminatie_2"], Antwoord::NietVanToepassing);
//! let json = answers.to_json();
//! assert_eq!(Answers::from_json(&json)?, answers);
//!
//! // A grade out of range is named, with a Dutch message for the form.
//! form.insert("cijfer".into(), "11".into());
//! let errors = validate_answers(q, &form).unwrap_err();
//! assert_eq!(errors[0].item, "cijfer");
//! assert_eq!(errors[0].melding, "Kies een cijfer van 1 tot en met 10.");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod answers;
pub mod cells;
pub mod datakwaliteit;
pub mod format;
pub mod questionnaire;
pub mod results;
pub mod veiligheid;
pub mod verbeterpunten;

pub use answers::{
    AnswerError, Answers, Antwoord, MELDING_CIJFER, MELDING_CIJFER_NVT, MELDING_ONBEKEND, MELDING_SCHAAL,
    MELDING_VERPLICHT, clean_text, validate_answers, validate_imported,
};
pub use cells::{DEFAULT_K, Dekking, Dimensie, Index, IndexStats, KeyValues, Telling, Voorkeur};
pub use format::{decimal_nl, response_line, round_half_up, thousands_nl};
pub use questionnaire::{
    CIJFER_CODE, CIJFER_MAX, CIJFER_MIN, EINDWAARDERING, Item, ItemKind, KNOWN_THEMES, NVT_LABEL, NVT_VALUE,
    OpenQuestion, Problem, Questionnaire, QuestionnaireError, Questionnaires, SCHAAL_LABELS, SCHAAL_MAX, SCHAAL_MIN,
    Theme,
};
pub use results::{
    AnswerKeys, Figure, Filter, InvitationCount, ItemResult, KeyedAnswer, REDEN_GEEN_ANTWOORDEN,
    REDEN_ONVOLDOENDE_RESPONS, Response, Resultaat, Selectie, ThemeResult, YearMonth, YearMonthError,
};
