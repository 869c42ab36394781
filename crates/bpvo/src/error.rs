//! Bilingual validation errors shared by every type in this crate, so that an upload answer can
//! list every bad field at once, in Dutch for the school and in English for the SIS vendor.

use std::fmt;

/// Why one value is invalid, in Dutch and English.
///
/// There is no field name inside: the same type (say a [`crate::Naam`]) is used in several
/// places, so the caller attaches the path with [`FieldError::new`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{en}")]
pub struct ValueError {
    /// Stable machine-readable code, e.g. `"pattern"`, `"required"`, `"date_order"`.
    pub code: &'static str,
    /// Message for the school, in Dutch.
    pub nl: String,
    /// Message for developers and SIS vendors, in English.
    pub en: String,
}

impl ValueError {
    /// A value error with the given code and messages.
    pub fn new(code: &'static str, nl: impl Into<String>, en: impl Into<String>) -> Self {
        Self { code, nl: nl.into(), en: en.into() }
    }

    /// A missing or empty value where one is needed.
    pub fn required() -> Self {
        Self::new(codes::REQUIRED, "Dit veld is verplicht", "This field is required")
    }

    /// A value longer than `max` characters (`got` is the actual length).
    pub fn too_long(max: usize, got: usize) -> Self {
        Self::new(
            codes::TOO_LONG,
            format!("Mag maximaal {max} tekens lang zijn (gekregen: {got} tekens)"),
            format!("Must be at most {max} characters long (got: {got} characters)"),
        )
    }
}

/// The stable error codes used in [`ValueError::code`] and [`FieldError::code`].
///
/// Clients switch on these, so they never change meaning; new ones may be added.
pub mod codes {
    /// A required value is missing or empty.
    pub const REQUIRED: &str = "required";
    /// The value does not have the expected shape (digits, letters, separators).
    pub const PATTERN: &str = "pattern";
    /// A number or year is outside the allowed range.
    pub const RANGE: &str = "range";
    /// The value is longer than allowed.
    pub const TOO_LONG: &str = "too_long";
    /// The planned end date lies before the start date.
    pub const DATE_ORDER: &str = "date_order";
    /// Not a date in an accepted format, or a day that does not exist (2023-02-29).
    pub const INVALID_DATE: &str = "invalid_date";
    /// A leerweg other than BOL or BBL.
    pub const UNKNOWN_LEERWEG: &str = "unknown_leerweg";
    /// Not a usable email address.
    pub const INVALID_EMAIL: &str = "invalid_email";
    /// A value contains control characters such as tabs or line breaks.
    pub const CONTROL_CHARACTER: &str = "control_character";
    /// A bpvo status other than actief, beeindigd or ingetrokken.
    pub const UNKNOWN_STATUS: &str = "unknown_status";
    /// A sector code or name that is not one of the SBB sectors.
    pub const UNKNOWN_SECTOR: &str = "unknown_sector";
    /// A CSV line with a different number of fields than the header.
    pub const FIELD_COUNT: &str = "field_count";
    /// A value that must be unique in a file occurs twice.
    pub const DUPLICATE: &str = "duplicate";
    /// A code the registers do not know (e.g. an aanbieder in DUO's file).
    pub const UNKNOWN: &str = "unknown";
    /// Two values that exclude each other (e.g. a crebo and a keuzedeel on one erkenning).
    pub const CONFLICT: &str = "conflict";
    /// A crebo code that is not in SBB's register of qualifications.
    pub const UNKNOWN_CREBO: &str = "unknown_crebo";
    /// A locatiecode that is not registered for the record's aanbieder.
    pub const UNKNOWN_LOCATIE: &str = "unknown_locatie";
    /// A locatiecode registered for another aanbieder than the record's.
    pub const LOCATIE_OF_OTHER_AANBIEDER: &str = "locatie_other_aanbieder";
    /// A werkproces that is not part of the qualification's dossier (praktijkleren).
    pub const UNKNOWN_WERKPROCES: &str = "unknown_werkproces";
}

/// One invalid field of a record.
///
/// `field` is the JSON camelCase path, e.g. `"student.emailadres"` or `"geplandeEinddatum"`,
/// so that a UI can put the message beside the right input. It is empty for an error about a
/// whole CSV line (such as a wrong number of fields).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// JSON path of the field, e.g. `"student.naam"`.
    pub field: String,
    /// Stable machine-readable code, see [`codes`].
    pub code: String,
    /// Message in Dutch.
    pub message_nl: String,
    /// Message in English.
    pub message_en: String,
}

impl FieldError {
    /// Attaches a field path to a value error.
    pub fn new(field: impl Into<String>, error: &ValueError) -> Self {
        Self {
            field: field.into(),
            code: error.code.to_owned(),
            message_nl: error.nl.clone(),
            message_en: error.en.clone(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message_en)
        } else {
            write!(f, "{}: {}", self.field, self.message_en)
        }
    }
}

/// Every field error of one record at once, in field order.
#[derive(Debug, Clone, PartialEq, Eq, Default, thiserror::Error, serde::Serialize)]
#[error("{} invalid field(s): {}", .0.len(), field_list(&.0))]
pub struct ValidationErrors(pub Vec<FieldError>);

fn field_list(errors: &[FieldError]) -> String {
    errors.iter().map(|e| if e.field.is_empty() { "(line)" } else { e.field.as_str() }).collect::<Vec<_>>().join(", ")
}

impl ValidationErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// True when the record is valid.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of field errors.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The field errors in order.
    pub fn iter(&self) -> std::slice::Iter<'_, FieldError> {
        self.0.iter()
    }

    /// Adds one field error.
    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// The first error for the given field path, if any.
    pub fn get(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }

    /// The field paths that have errors, in order.
    pub fn fields(&self) -> Vec<&str> {
        self.0.iter().map(|e| e.field.as_str()).collect()
    }
}

impl From<Vec<FieldError>> for ValidationErrors {
    fn from(errors: Vec<FieldError>) -> Self {
        Self(errors)
    }
}

impl FromIterator<FieldError> for ValidationErrors {
    fn from_iter<I: IntoIterator<Item = FieldError>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl Extend<FieldError> for ValidationErrors {
    fn extend<I: IntoIterator<Item = FieldError>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}

impl IntoIterator for ValidationErrors {
    type Item = FieldError;
    type IntoIter = std::vec::IntoIter<FieldError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a ValidationErrors {
    type Item = &'a FieldError;
    type IntoIter = std::slice::Iter<'a, FieldError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Shortens user input for echoing in a message, so a pasted paragraph does not flood the
/// error list (and a message never carries more personal data than needed).
pub(crate) fn echo(input: &str) -> String {
    const MAX: usize = 40;
    let mut out: String = input.chars().take(MAX).map(|c| if c.is_control() { '\u{FFFD}' } else { c }).collect();
    if input.chars().count() > MAX {
        out.push('…');
    }
    format!("{out:?}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// docs/api.md lists every code of [`codes`], and no other.
    #[test]
    fn every_code_is_in_the_api_guide() {
        let source = include_str!("error.rs");
        let module = source.split("pub mod codes").nth(1).and_then(|r| r.split("\n}").next()).unwrap();
        let mut ours: Vec<&str> = module
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("pub const "))
            .filter_map(|l| l.split('"').nth(1))
            .collect();
        ours.sort_unstable();
        let guide = include_str!("../../../docs/api.md");
        let section = guide.split("### Field error codes").nth(1).and_then(|r| r.split("### ").next()).unwrap();
        let mut documented: Vec<&str> =
            section.lines().filter(|l| l.starts_with("| `")).filter_map(|l| l.split('`').nth(1)).collect();
        documented.sort_unstable();
        assert_eq!(documented, ours, "docs/api.md § Field error codes against bpvo::codes");
    }

    #[test]
    fn field_error_takes_code_and_messages_from_value_error() {
        let fe = FieldError::new("student.naam", &ValueError::required());
        assert_eq!(fe.field, "student.naam");
        assert_eq!(fe.code, "required");
        assert_eq!(fe.message_nl, "Dit veld is verplicht");
        assert_eq!(fe.to_string(), "student.naam: This field is required");
    }

    #[test]
    fn validation_errors_display_lists_the_fields() {
        let mut errs = ValidationErrors::new();
        assert!(errs.is_empty());
        errs.push(FieldError::new("a", &ValueError::required()));
        errs.push(FieldError::new("b", &ValueError::too_long(3, 4)));
        assert_eq!(errs.len(), 2);
        assert_eq!(errs.to_string(), "2 invalid field(s): a, b");
        assert_eq!(errs.get("b").map(|e| e.code.as_str()), Some("too_long"));
        assert_eq!(errs.fields(), vec!["a", "b"]);
    }

    #[test]
    fn validation_errors_serialize_as_a_list_in_camel_case() {
        let errs = ValidationErrors(vec![FieldError::new("x", &ValueError::required())]);
        let json = serde_json::to_value(&errs).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!([{
                "field": "x", "code": "required",
                "messageNl": "Dit veld is verplicht", "messageEn": "This field is required"
            }])
        );
    }

    #[test]
    fn echo_truncates_long_input_and_hides_control_characters() {
        assert_eq!(echo("2AB"), "\"2AB\"");
        let long = "x".repeat(100);
        let e = echo(&long);
        assert!(e.chars().count() < 50, "{e}");
        assert!(e.contains('…'));
        assert_eq!(echo("a\nb"), "\"a\u{FFFD}b\"");
    }
}
