//! The upload record exactly as a school sends it (JSON, or a CSV line) and its conversion into
//! a [`Bpvo`] that reports every bad field at once, so a school fixes its file in one go.

use std::collections::HashMap;

use validator::Validate;

use crate::dates::{Periode, check_year_range, parse_iso_date};
use crate::email::{Email, MAX_EMAIL_LEN};
use crate::error::{FieldError, ValidationErrors, ValueError, codes};
use crate::ids::{
    Aanbiedercode, CorrelatieId, Crebo, KeuzedeelCode, LeerbedrijfId, Locatiecode, MAX_CORRELATIE_ID_LEN, MAX_NAAM_LEN,
    MAX_STUDENTCODE_LEN, Naam, Schoolnaam, Studentcode,
};
use crate::leerweg::Leerweg;
use crate::model::{Bpvo, School, Student};

/// One bpvo as uploaded, before validation.
///
/// Every field is an optional string, so that a missing, empty or mistyped value becomes a
/// [`FieldError`] for that field instead of a serde error that hides all the others. The
/// published schema (OpenAPI) states what a client must send — which fields are required, their
/// patterns, lengths and the accepted years (2000–2100); the optional strings only let each
/// missing one be reported. Unknown fields are refused: a misspelt `geplandeEindDatum` must not
/// silently become "missing".
/// Dates are ISO `jjjj-mm-dd` in the API; a record read from CSV holds them as the school typed
/// them, and [`crate::CsvFile::parse`] reads them with the school-date parser.
///
/// ```
/// use bpvo::{Bpvo, BpvoRecord};
///
/// let record: BpvoRecord = serde_json::from_str(r#"{
///     "correlatieId": "BPV-2024-0001", "leerbedrijfCode": "100012345", "creboCode": "25604",
///     "startdatum": "2024-09-01", "geplandeEinddatum": "2025-01-31", "leerwegNaam": "BOL",
///     "student": {"emailadres": "zoe@voorbeeld.nl", "studentcode": "S123", "naam": "Zoë Çelik-de Vries"},
///     "school": {"schoolnaam": "ROC Voorbeeld", "locatiecode": "123X456", "aanbiedercode": "123A456"}
/// }"#).unwrap();
/// let bpvo = Bpvo::try_from(&record).unwrap();
/// assert_eq!(bpvo.crebo.as_str(), "25604");
///
/// let mut bad = record.clone();
/// bad.crebo_code = Some("2560".into());
/// bad.geplande_einddatum = Some("2024-08-01".into());
/// let errors = Bpvo::try_from(&bad).unwrap_err();
/// let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
/// assert_eq!(fields, ["creboCode", "geplandeEinddatum"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, Validate)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "openapi",
    schema(
        description = "Eén bpvo zoals aangeleverd, vóór de validatie. Elk veld wordt gecontroleerd en elk onjuist \
                          veld wordt in het antwoord genoemd; onbekende velden worden geweigerd. Datums zijn ISO \
                          `jjjj-mm-dd`."
    )
)]
pub struct BpvoRecord {
    /// De eigen sleutel van de school voor deze bpvo.
    #[validate(length(max = 64))]
    #[serde(default, deserialize_with = "text_or_number")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            value_type = String,
            required = true,
            min_length = 1,
            max_length = 64,
            pattern = "^[!-~]{1,64}$",
            example = "EDU-2026-000123"
        )
    )]
    pub correlatie_id: Option<String>,
    /// Id van het leerbedrijf bij SBB (9 cijfers).
    #[serde(default, deserialize_with = "text_or_number")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = true, pattern = "^[1-9][0-9]{8}$", example = "100200300"))]
    pub leerbedrijf_code: Option<String>,
    /// Crebo-code (5 cijfers).
    #[serde(default, deserialize_with = "text_or_number")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = true, pattern = "^[0-9]{5}$", example = "25604"))]
    pub crebo_code: Option<String>,
    /// `jjjj-mm-dd`.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, required = true, format = Date, pattern = "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", example = "2026-09-01")
    )]
    pub startdatum: Option<String>,
    /// `jjjj-mm-dd`, op of na de startdatum.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, required = true, format = Date, pattern = "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", example = "2027-06-30")
    )]
    pub geplande_einddatum: Option<String>,
    /// `BOL` of `BBL`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = true, pattern = "^(BOL|BBL|bol|bbl)$", example = "BOL"))]
    pub leerweg_naam: Option<String>,
    /// Optioneel: het keuzedeel waarvoor deze bpv het bpv-deel is, `K` en 4 cijfers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^[Kk][0-9]{4}$", example = "K0125"))]
    pub keuzedeel_code: Option<String>,
    /// De student.
    #[validate(nested)]
    #[cfg_attr(feature = "openapi", schema(value_type = StudentRecord, required = true))]
    pub student: Option<StudentRecord>,
    /// De school.
    #[validate(nested)]
    #[cfg_attr(feature = "openapi", schema(value_type = SchoolRecord, required = true))]
    pub school: Option<SchoolRecord>,
}

/// Het studentdeel van een [`BpvoRecord`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, Validate)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StudentRecord {
    /// Optioneel: zonder e-mailadres wordt de student via de praktijkopleider bevraagd.
    #[validate(length(max = 254))]
    #[cfg_attr(feature = "openapi", schema(format = Email, max_length = 254, example = "zoe.celik@student.roc.nl"))]
    pub emailadres: Option<String>,
    /// Verplicht.
    #[validate(length(max = 32))]
    #[serde(default, deserialize_with = "text_or_number")]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, required = true, pattern = "^[A-Za-z0-9._-]{1,32}$", example = "1234567")
    )]
    pub studentcode: Option<String>,
    /// Verplicht.
    #[validate(length(max = 200))]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, required = true, min_length = 1, max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$")
    )]
    pub naam: Option<String>,
}

/// Het schooldeel van een [`BpvoRecord`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, Validate)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchoolRecord {
    /// Verplicht.
    #[validate(length(max = 200))]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, required = true, min_length = 1, max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$")
    )]
    pub schoolnaam: Option<String>,
    /// Verplicht, `123X456`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = true, pattern = "^[0-9]{3}X[0-9]{3}$", example = "251X111"))]
    pub locatiecode: Option<String>,
    /// Verplicht, `123A456`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = true, pattern = "^[0-9]{3}A[0-9]{3}$", example = "251A100"))]
    pub aanbiedercode: Option<String>,
}

/// Accepts a JSON string, or an integer as its decimal text. SIS software often sends numeric
/// codes (crebo, leerbedrijf, student number) as JSON numbers; taking them as text lets the
/// domain check report e.g. a 4-digit crebo as a field error instead of failing the whole
/// record on a type mismatch.
fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum TextOrNumber {
        Text(String),
        Unsigned(u64),
        Signed(i64),
    }
    let v = <Option<TextOrNumber> as serde::Deserialize>::deserialize(d)?;
    Ok(v.map(|v| match v {
        TextOrNumber::Text(s) => s,
        TextOrNumber::Unsigned(n) => n.to_string(),
        TextOrNumber::Signed(n) => n.to_string(),
    }))
}

// The validator attributes above must agree with the domain types' limits.
const _: () =
    assert!(MAX_CORRELATIE_ID_LEN == 64 && MAX_EMAIL_LEN == 254 && MAX_STUDENTCODE_LEN == 32 && MAX_NAAM_LEN == 200);

/// Dutch and English label of each field path, for "… is verplicht" messages.
pub(crate) const FIELD_LABELS: [(&str, &str, &str); 12] = [
    ("correlatieId", "Correlatie-id", "Correlatie id"),
    ("leerbedrijfCode", "Leerbedrijf-code", "Leerbedrijf code"),
    ("creboCode", "Crebo-code", "Crebo code"),
    ("startdatum", "Startdatum", "Start date"),
    ("geplandeEinddatum", "Geplande einddatum", "Planned end date"),
    ("leerwegNaam", "Leerweg", "Leerweg"),
    ("student.emailadres", "E-mailadres van de student", "Student email address"),
    ("student.studentcode", "Studentcode", "Studentcode"),
    ("student.naam", "Naam van de student", "Student name"),
    ("school.schoolnaam", "Schoolnaam", "School name"),
    ("school.locatiecode", "Locatiecode", "Locatiecode"),
    ("school.aanbiedercode", "Aanbiedercode", "Aanbiedercode"),
];

fn required_error(path: &str) -> FieldError {
    let (nl, en) =
        FIELD_LABELS.iter().find(|(p, _, _)| *p == path).map_or(("Dit veld", "This field"), |(_, nl, en)| (*nl, *en));
    FieldError::new(path, &ValueError::new(codes::REQUIRED, format!("{nl} is verplicht"), format!("{en} is required")))
}

/// Turns `validator`'s nested error map into field errors keyed by JSON path.
fn flatten_validator_errors(errors: &validator::ValidationErrors, prefix: &str, out: &mut HashMap<String, FieldError>) {
    for (name, kind) in errors.errors() {
        let path = format!("{prefix}{}", snake_to_camel(name));
        match kind {
            validator::ValidationErrorsKind::Field(list) => {
                if let Some(first) = list.first() {
                    let err = convert_validator_error(first);
                    out.insert(path.clone(), FieldError::new(path, &err));
                }
            }
            validator::ValidationErrorsKind::Struct(inner) => {
                flatten_validator_errors(inner, &format!("{path}."), out);
            }
            // No list-valued fields in these records.
            validator::ValidationErrorsKind::List(_) => {}
        }
    }
}

fn convert_validator_error(e: &validator::ValidationError) -> ValueError {
    if e.code == "length" {
        let max = e.params.get("max").and_then(serde_json::Value::as_u64);
        let got = e.params.get("value").and_then(serde_json::Value::as_str).map(|v| v.chars().count());
        if let (Some(max), Some(got)) = (max, got) {
            return ValueError::too_long(usize::try_from(max).unwrap_or(usize::MAX), got);
        }
    }
    ValueError::new(codes::PATTERN, format!("Ongeldige waarde ({})", e.code), format!("Invalid value ({})", e.code))
}

fn snake_to_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Collects field errors in field order, each field at most once.
struct Checker {
    errors: Vec<FieldError>,
    /// Errors `validator` already found, by path; they take the place of the domain parse.
    flagged: HashMap<String, FieldError>,
}

impl Checker {
    fn take_flagged(&mut self, path: &str) -> bool {
        match self.flagged.remove(path) {
            Some(e) => {
                self.errors.push(e);
                true
            }
            None => false,
        }
    }

    /// A required value: missing or blank gives `"required"`, otherwise `parse` decides.
    fn required<T>(
        &mut self,
        path: &'static str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, ValueError>,
    ) -> Option<T> {
        if self.take_flagged(path) {
            return None;
        }
        match raw.map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                self.errors.push(required_error(path));
                None
            }
            Some(s) => match parse(s) {
                Ok(v) => Some(v),
                Err(e) => {
                    self.errors.push(FieldError::new(path, &e));
                    None
                }
            },
        }
    }

    /// An optional value: missing or blank is `Some(None)`; an invalid value is `None`.
    fn optional<T>(
        &mut self,
        path: &'static str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, ValueError>,
    ) -> Option<Option<T>> {
        if self.take_flagged(path) {
            return None;
        }
        match raw.map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(None),
            Some(s) => match parse(s) {
                Ok(v) => Some(Some(v)),
                Err(e) => {
                    self.errors.push(FieldError::new(path, &e));
                    None
                }
            },
        }
    }
}

/// The API's dates: ISO `jjjj-mm-dd`, within the accepted years.
fn parse_upload_date(s: &str) -> Result<chrono::NaiveDate, ValueError> {
    parse_iso_date(s).and_then(check_year_range)
}

impl TryFrom<&BpvoRecord> for Bpvo {
    type Error = ValidationErrors;

    /// Validates every field and returns either the bpvo or all field errors, in field order.
    /// Dates are ISO `jjjj-mm-dd` (the API's form).
    fn try_from(r: &BpvoRecord) -> Result<Self, Self::Error> {
        Bpvo::from_record(r, parse_upload_date)
    }
}

impl Bpvo {
    /// Validate `r` as [`TryFrom`] does, reading its two dates with `parse_date` — each value is
    /// parsed once, by the parser of the form it arrived in (the CSV reader passes the lenient
    /// school-date parser, so a date's error message describes the formats the file may use).
    pub fn from_record(
        r: &BpvoRecord,
        parse_date: fn(&str) -> Result<chrono::NaiveDate, ValueError>,
    ) -> Result<Self, ValidationErrors> {
        let mut flagged = HashMap::new();
        if let Err(e) = r.validate() {
            flatten_validator_errors(&e, "", &mut flagged);
        }
        let mut c = Checker { errors: Vec::new(), flagged };
        let st = r.student.as_ref();
        let sc = r.school.as_ref();

        let correlatie_id = c.required("correlatieId", r.correlatie_id.as_deref(), CorrelatieId::parse);
        let leerbedrijf_id = c.required("leerbedrijfCode", r.leerbedrijf_code.as_deref(), LeerbedrijfId::parse);
        let crebo = c.required("creboCode", r.crebo_code.as_deref(), Crebo::parse);
        let start = c.required("startdatum", r.startdatum.as_deref(), parse_date);
        let eind = c.required("geplandeEinddatum", r.geplande_einddatum.as_deref(), parse_date);
        // Only the order is left to check here; the end date is what a school gets wrong.
        let periode = match (start, eind) {
            (Some(s), Some(e)) => match Periode::new(s, e) {
                Ok(p) => Some(p),
                Err(err) => {
                    c.errors.push(FieldError::new("geplandeEinddatum", &err));
                    None
                }
            },
            _ => None,
        };
        let leerweg = c.required("leerwegNaam", r.leerweg_naam.as_deref(), Leerweg::parse);
        let keuzedeel_code = c.optional("keuzedeelCode", r.keuzedeel_code.as_deref(), KeuzedeelCode::parse);
        let emailadres = c.optional("student.emailadres", st.and_then(|s| s.emailadres.as_deref()), Email::parse);
        let studentcode =
            c.required("student.studentcode", st.and_then(|s| s.studentcode.as_deref()), Studentcode::parse);
        let naam = c.required("student.naam", st.and_then(|s| s.naam.as_deref()), Naam::parse);
        let schoolnaam = c.required("school.schoolnaam", sc.and_then(|s| s.schoolnaam.as_deref()), Schoolnaam::parse);
        let locatiecode =
            c.required("school.locatiecode", sc.and_then(|s| s.locatiecode.as_deref()), Locatiecode::parse);
        let aanbiedercode =
            c.required("school.aanbiedercode", sc.and_then(|s| s.aanbiedercode.as_deref()), Aanbiedercode::parse);

        match (
            correlatie_id,
            leerbedrijf_id,
            crebo,
            (leerweg, keuzedeel_code),
            periode,
            emailadres,
            studentcode,
            naam,
            schoolnaam,
            locatiecode,
            aanbiedercode,
        ) {
            (
                Some(correlatie_id),
                Some(leerbedrijf_id),
                Some(crebo),
                (Some(leerweg), Some(keuzedeel_code)),
                Some(periode),
                Some(emailadres),
                Some(studentcode),
                Some(naam),
                Some(schoolnaam),
                Some(locatiecode),
                Some(aanbiedercode),
            ) if c.errors.is_empty() => Ok(Bpvo {
                correlatie_id,
                leerbedrijf_id,
                crebo,
                leerweg,
                keuzedeel_code,
                periode,
                student: Student { emailadres, studentcode, naam },
                school: School { schoolnaam, locatiecode, aanbiedercode },
            }),
            _ => Err(ValidationErrors(c.errors)),
        }
    }
}

impl TryFrom<BpvoRecord> for Bpvo {
    type Error = ValidationErrors;
    fn try_from(r: BpvoRecord) -> Result<Self, Self::Error> {
        Bpvo::try_from(&r)
    }
}

impl From<&Bpvo> for BpvoRecord {
    /// The record a school would send for this bpvo (dates in ISO form).
    fn from(b: &Bpvo) -> Self {
        BpvoRecord {
            correlatie_id: Some(b.correlatie_id.to_string()),
            leerbedrijf_code: Some(b.leerbedrijf_id.to_string()),
            crebo_code: Some(b.crebo.to_string()),
            startdatum: Some(b.periode.startdatum().format("%Y-%m-%d").to_string()),
            geplande_einddatum: Some(b.periode.geplande_einddatum().format("%Y-%m-%d").to_string()),
            leerweg_naam: Some(b.leerweg.as_str().to_owned()),
            keuzedeel_code: b.keuzedeel_code.as_ref().map(ToString::to_string),
            student: Some(StudentRecord {
                emailadres: b.student.emailadres.as_ref().map(ToString::to_string),
                studentcode: Some(b.student.studentcode.to_string()),
                naam: Some(b.student.naam.to_string()),
            }),
            school: Some(SchoolRecord {
                schoolnaam: Some(b.school.schoolnaam.to_string()),
                locatiecode: Some(b.school.locatiecode.to_string()),
                aanbiedercode: Some(b.school.aanbiedercode.to_string()),
            }),
        }
    }
}

impl From<Bpvo> for BpvoRecord {
    fn from(b: Bpvo) -> Self {
        BpvoRecord::from(&b)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    pub(crate) fn good() -> BpvoRecord {
        BpvoRecord {
            correlatie_id: Some("BPV-2024-0001".into()),
            leerbedrijf_code: Some("100012345".into()),
            crebo_code: Some("25604".into()),
            startdatum: Some("2024-09-01".into()),
            geplande_einddatum: Some("2025-01-31".into()),
            leerweg_naam: Some("bol".into()),
            keuzedeel_code: None,
            student: Some(StudentRecord {
                emailadres: Some("Zoe@Voorbeeld.NL".into()),
                studentcode: Some("S123".into()),
                naam: Some(" Zoë Çelik-de Vries ".into()),
            }),
            school: Some(SchoolRecord {
                schoolnaam: Some("ROC Voorbeeld".into()),
                locatiecode: Some("123x456".into()),
                aanbiedercode: Some("123A456".into()),
            }),
        }
    }

    fn fields(e: &ValidationErrors) -> Vec<(&str, &str)> {
        e.iter().map(|f| (f.field.as_str(), f.code.as_str())).collect()
    }

    #[test]
    fn a_good_record_becomes_a_normalised_bpvo() {
        let b = Bpvo::try_from(good()).unwrap();
        assert_eq!(b.leerweg, Leerweg::Bol);
        assert_eq!(b.student.naam.as_str(), "Zoë Çelik-de Vries");
        assert_eq!(b.student.emailadres.as_ref().map(Email::as_str), Some("Zoe@voorbeeld.nl"));
        assert_eq!(b.school.locatiecode.as_str(), "123X456");
        assert_eq!(b.periode.startdatum().to_string(), "2024-09-01");
    }

    #[test]
    fn five_bad_fields_give_exactly_five_errors_with_their_paths() {
        let mut r = good();
        r.crebo_code = Some("2560".into());
        r.leerweg_naam = Some("Duaal".into());
        r.leerbedrijf_code = Some("099999999".into());
        if let Some(s) = r.student.as_mut() {
            s.emailadres = Some("zoe@voorbeeld".into());
        }
        if let Some(s) = r.school.as_mut() {
            s.aanbiedercode = Some("123X456".into());
        }
        let e = Bpvo::try_from(&r).unwrap_err();
        assert_eq!(
            fields(&e),
            vec![
                ("leerbedrijfCode", "range"),
                ("creboCode", "pattern"),
                ("leerwegNaam", "unknown_leerweg"),
                ("student.emailadres", "invalid_email"),
                ("school.aanbiedercode", "pattern"),
            ]
        );
    }

    #[test]
    fn missing_fields_are_required_and_email_is_optional() {
        let e = Bpvo::try_from(&BpvoRecord::default()).unwrap_err();
        assert_eq!(
            fields(&e),
            vec![
                ("correlatieId", "required"),
                ("leerbedrijfCode", "required"),
                ("creboCode", "required"),
                ("startdatum", "required"),
                ("geplandeEinddatum", "required"),
                ("leerwegNaam", "required"),
                ("student.studentcode", "required"),
                ("student.naam", "required"),
                ("school.schoolnaam", "required"),
                ("school.locatiecode", "required"),
                ("school.aanbiedercode", "required"),
            ]
        );
        let crebo = e.get("creboCode").unwrap();
        assert_eq!(crebo.message_nl, "Crebo-code is verplicht");
        assert_eq!(crebo.message_en, "Crebo code is required");
    }

    #[test]
    fn blank_values_count_as_missing() {
        let mut r = good();
        r.correlatie_id = Some("   ".into());
        if let Some(s) = r.student.as_mut() {
            s.emailadres = Some(" ".into());
        }
        let e = Bpvo::try_from(&r).unwrap_err();
        assert_eq!(fields(&e), vec![("correlatieId", "required")]);
        r.correlatie_id = Some("x".into());
        let b = Bpvo::try_from(&r).unwrap();
        assert_eq!(b.student.emailadres, None);
    }

    #[test]
    fn student_without_email_is_valid() {
        let mut r = good();
        if let Some(s) = r.student.as_mut() {
            s.emailadres = None;
        }
        assert_eq!(Bpvo::try_from(&r).unwrap().student.emailadres, None);
    }

    #[test]
    fn date_order_is_reported_on_the_end_date() {
        let mut r = good();
        r.geplande_einddatum = Some("2024-08-31".into());
        let e = Bpvo::try_from(&r).unwrap_err();
        assert_eq!(fields(&e), vec![("geplandeEinddatum", "date_order")]);
        r.geplande_einddatum = Some("2024-09-01".into());
        assert!(Bpvo::try_from(&r).is_ok(), "same day is allowed");
    }

    #[test]
    fn each_bad_date_is_reported_on_its_own_field() {
        let mut r = good();
        r.startdatum = Some("01-09-2024".into());
        r.geplande_einddatum = Some("2123-02-01".into());
        let e = Bpvo::try_from(&r).unwrap_err();
        assert_eq!(fields(&e), vec![("startdatum", "invalid_date"), ("geplandeEinddatum", "range")]);
        r.startdatum = Some("2023-02-29".into());
        r.geplande_einddatum = Some("2024-02-29".into());
        let e = Bpvo::try_from(&r).unwrap_err();
        assert_eq!(fields(&e), vec![("startdatum", "invalid_date")]);
    }

    #[test]
    fn too_long_values_are_reported_once_by_validator() {
        let mut r = good();
        r.correlatie_id = Some("a b".repeat(30));
        if let Some(s) = r.student.as_mut() {
            s.naam = Some("n".repeat(201));
            s.emailadres = Some(format!("{}@x.nl", "a".repeat(260)));
        }
        if let Some(s) = r.school.as_mut() {
            s.schoolnaam = Some("s".repeat(300));
        }
        let e = Bpvo::try_from(&r).unwrap_err();
        assert_eq!(
            fields(&e),
            vec![
                ("correlatieId", "too_long"),
                ("student.emailadres", "too_long"),
                ("student.naam", "too_long"),
                ("school.schoolnaam", "too_long"),
            ]
        );
        let naam = e.get("student.naam").unwrap();
        assert_eq!(naam.message_nl, "Mag maximaal 200 tekens lang zijn (gekregen: 201 tekens)");
    }

    #[test]
    fn missing_student_and_school_report_their_required_fields() {
        let mut r = good();
        r.student = None;
        r.school = None;
        let e = Bpvo::try_from(&r).unwrap_err();
        assert_eq!(
            e.fields(),
            vec![
                "student.studentcode",
                "student.naam",
                "school.schoolnaam",
                "school.locatiecode",
                "school.aanbiedercode"
            ]
        );
    }

    #[test]
    fn json_with_unknown_or_misspelt_fields_is_refused() {
        let err = serde_json::from_str::<BpvoRecord>(r#"{"geplandeEindDatum": "2024-01-01"}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
        let err = serde_json::from_str::<BpvoRecord>(r#"{"student": {"email": "a@b.nl"}}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
    }

    #[test]
    fn json_numbers_are_taken_as_text_for_numeric_codes() {
        let r: BpvoRecord = serde_json::from_str(
            r#"{"correlatieId": 17, "leerbedrijfCode": 100012345, "creboCode": 1234,
                "student": {"studentcode": 20240017}}"#,
        )
        .unwrap();
        assert_eq!(r.correlatie_id.as_deref(), Some("17"));
        assert_eq!(r.leerbedrijf_code.as_deref(), Some("100012345"));
        assert_eq!(r.crebo_code.as_deref(), Some("1234"));
        let e = Bpvo::try_from(&r).unwrap_err();
        assert_eq!(e.get("creboCode").unwrap().code, "pattern");
        assert!(e.get("student.studentcode").is_none(), "{e}");
        assert_eq!(r.student.and_then(|s| s.studentcode).as_deref(), Some("20240017"));
        assert!(serde_json::from_str::<BpvoRecord>(r#"{"creboCode": true}"#).is_err());
        assert!(serde_json::from_str::<BpvoRecord>(r#"{"creboCode": null}"#).is_ok());
    }

    #[test]
    fn json_with_missing_fields_parses_and_reports_them() {
        let r: BpvoRecord = serde_json::from_str(r#"{"correlatieId": "x", "student": {}}"#).unwrap();
        let e = Bpvo::try_from(&r).unwrap_err();
        assert_eq!(e.len(), 10);
        assert!(e.get("correlatieId").is_none());
    }

    #[test]
    fn bpvo_round_trips_through_record() {
        let b = Bpvo::try_from(good()).unwrap();
        let r = BpvoRecord::from(&b);
        assert_eq!(r.leerweg_naam.as_deref(), Some("BOL"));
        assert_eq!(Bpvo::try_from(&r).unwrap(), b);
        let json = serde_json::to_string(&r).unwrap();
        let back: BpvoRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn snake_to_camel_converts_field_names() {
        assert_eq!(snake_to_camel("geplande_einddatum"), "geplandeEinddatum");
        assert_eq!(snake_to_camel("naam"), "naam");
    }
}
