//! The beoordeling: per werkproces of a begeleidingsdocument, whether the learner masters it
//! (`beheerst`) or not yet (`nogNiet`), by whom and when.

use std::collections::HashSet;

use bpvo::{FieldError, Naam, ValidationErrors, ValueError, codes, parse_iso_date};
use chrono::NaiveDate;

use crate::document::Begeleidingsdocument;
use crate::dossier::WerkprocesCode;

/// The verdict on one werkproces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Oordeel {
    Beheerst,
    NogNiet,
}

impl Oordeel {
    /// As stored and sent: `beheerst`, `nogNiet`.
    pub fn as_str(self) -> &'static str {
        match self {
            Oordeel::Beheerst => "beheerst",
            Oordeel::NogNiet => "nogNiet",
        }
    }

    /// Parse the stored or sent form.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        match s.trim() {
            "beheerst" => Ok(Oordeel::Beheerst),
            "nogNiet" => Ok(Oordeel::NogNiet),
            _ => Err(ValueError::new(codes::PATTERN, "Kies beheerst of nogNiet", "One of beheerst, nogNiet")),
        }
    }
}

/// Who assessed: the praktijkopleider (through the link in the mail) or the school (through the
/// API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Beoordelaar {
    Praktijkopleider,
    School,
}

impl Beoordelaar {
    /// As stored: `praktijkopleider`, `school`.
    pub fn as_str(self) -> &'static str {
        match self {
            Beoordelaar::Praktijkopleider => "praktijkopleider",
            Beoordelaar::School => "school",
        }
    }

    /// Parse the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        [Beoordelaar::Praktijkopleider, Beoordelaar::School].into_iter().find(|b| b.as_str() == s)
    }
}

/// A beoordeling of a document: a verdict on every one of its werkprocessen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Beoordeling {
    /// The name of who assessed.
    pub door: Naam,
    pub rol: Beoordelaar,
    pub datum: NaiveDate,
    /// Every werkproces of the document with its verdict, in the document's order.
    pub oordelen: Vec<(WerkprocesCode, Oordeel)>,
}

impl Beoordeling {
    /// The werkprocessen judged `beheerst`, in order.
    pub fn beheerst(&self) -> Vec<WerkprocesCode> {
        self.oordelen.iter().filter(|(_, o)| *o == Oordeel::Beheerst).map(|(w, _)| w.clone()).collect()
    }
}

/// Een beoordeling zoals het SIS die stuurt.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BeoordelingRecord {
    /// Wie beoordeelde (de naam van de praktijkopleider, zoals de school die vastlegde).
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, required = true, min_length = 1, max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$")
    )]
    pub beoordeeld_door: Option<String>,
    /// `jjjj-mm-dd`: niet vóór de start van het document, niet in de toekomst.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, required = true, format = Date, pattern = "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", example = "2026-06-20")
    )]
    pub datum: Option<String>,
    /// Een oordeel voor elk werkproces van het document.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<OordeelRecord>, required = true, min_items = 1))]
    pub werkprocessen: Option<Vec<OordeelRecord>>,
}

/// Eén oordeel zoals verstuurd.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OordeelRecord {
    /// Een werkproces van het document, `B1-K1-W1`.
    #[cfg_attr(
        feature = "openapi",
        schema(
            value_type = String,
            required = true,
            pattern = "^[BPbp][0-9]{1,2}-[Kk][0-9]{1,2}-[Ww][0-9]{1,2}$",
            example = "B1-K1-W1"
        )
    )]
    pub code: Option<String>,
    /// `beheerst` of `nogNiet`.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, required = true, pattern = "^(beheerst|nogNiet)$", example = "beheerst")
    )]
    pub oordeel: Option<String>,
}

impl Beoordeling {
    /// Validate verdicts on `document`'s werkprocessen given by `rol` on `today` or before: a
    /// verdict for each of them, no other werkproces, each once; the date within the document's
    /// period start and today.
    pub fn from_parts(
        document: &Begeleidingsdocument,
        rol: Beoordelaar,
        door: Option<&str>,
        datum: Option<&str>,
        oordelen: &[(Option<&str>, Option<&str>)],
        today: NaiveDate,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = Vec::new();
        let door = required(&mut errors, "beoordeeldDoor", door, Naam::parse);
        let start = document.periode.startdatum();
        let datum = required(&mut errors, "datum", datum, |s| {
            let d = parse_iso_date(s)?;
            if d < start || d > today {
                return Err(ValueError::new(
                    codes::RANGE,
                    format!("De datum ligt tussen de startdatum ({start}) en vandaag"),
                    format!("The date lies between the start date ({start}) and today"),
                ));
            }
            Ok(d)
        });
        let oordelen = verdicts(document, oordelen, &mut errors);
        match (door, datum, oordelen) {
            (Some(door), Some(datum), Some(oordelen)) if errors.is_empty() => Ok(Self { door, rol, datum, oordelen }),
            _ => Err(ValidationErrors(errors)),
        }
    }

    /// [`Beoordeling::from_parts`] for a record from the SIS (`rol` school).
    pub fn from_record(
        document: &Begeleidingsdocument,
        r: &BeoordelingRecord,
        today: NaiveDate,
    ) -> Result<Self, ValidationErrors> {
        let list: Vec<(Option<&str>, Option<&str>)> = (r.werkprocessen.as_deref().unwrap_or_default().iter())
            .map(|o| (o.code.as_deref(), o.oordeel.as_deref()))
            .collect();
        Self::from_parts(document, Beoordelaar::School, r.beoordeeld_door.as_deref(), r.datum.as_deref(), &list, today)
    }
}

/// A required value at `path`: missing or blank is `required`, else `parse` decides.
pub(crate) fn required<T>(
    errors: &mut Vec<FieldError>,
    path: &str,
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, ValueError>,
) -> Option<T> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.push(FieldError::new(path, &ValueError::required()));
            None
        }
        Some(s) => parse(s).map_err(|e| errors.push(FieldError::new(path, &e))).ok(),
    }
}

/// One verdict for each of the document's werkprocessen, no other, each once.
fn verdicts(
    document: &Begeleidingsdocument,
    given: &[(Option<&str>, Option<&str>)],
    errors: &mut Vec<FieldError>,
) -> Option<Vec<(WerkprocesCode, Oordeel)>> {
    let before = errors.len();
    let mut found: Vec<(WerkprocesCode, Oordeel)> = Vec::new();
    let mut seen = HashSet::new();
    for (i, (code, oordeel)) in given.iter().enumerate() {
        let at = |f: &str| format!("werkprocessen[{i}].{f}");
        let code = required(errors, &at("code"), *code, WerkprocesCode::parse);
        let oordeel = required(errors, &at("oordeel"), *oordeel, Oordeel::parse);
        let Some(code) = code else { continue };
        if !document.werkprocessen.contains(&code) {
            errors.push(FieldError::new(
                at("code"),
                &ValueError::new(
                    codes::UNKNOWN_WERKPROCES,
                    format!("Werkproces {code} staat niet in dit begeleidingsdocument"),
                    format!("Werkproces {code} is not part of this begeleidingsdocument"),
                ),
            ));
        } else if !seen.insert(code.clone()) {
            errors.push(FieldError::new(at("code"), &bpvo::duplicate("Werkproces", "Werkproces", code.as_str())));
        } else if let Some(o) = oordeel {
            found.push((code, o));
        }
    }
    let missing: Vec<&str> =
        document.werkprocessen.iter().filter(|w| !seen.contains(*w)).map(WerkprocesCode::as_str).collect();
    if !missing.is_empty() {
        errors.push(FieldError::new(
            "werkprocessen",
            &ValueError::new(
                codes::REQUIRED,
                format!("Geef een oordeel over elk werkproces; ontbreekt: {}", missing.join(", ")),
                format!("Give a verdict on every werkproces; missing: {}", missing.join(", ")),
            ),
        ));
    }
    if errors.len() > before {
        return None;
    }
    found.sort_by_key(|(w, _)| document.werkprocessen.iter().position(|d| d == w));
    Some(found)
}
