//! Reference data the survey is analysed by: SBB sectors, qualifications (crebo → name, level,
//! sector) and leerbedrijf recognitions (for the data-quality report). Read from CSV with the
//! same tolerant reader as uploads.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

use crate::csv_reader::{CsvError, CsvLineError, TableRow, read_table, read_table_optional};
use crate::dates::parse_school_date;
use crate::error::{FieldError, ValidationErrors, ValueError, codes, echo};
use crate::ids::{Aanbiedercode, CorrelatieId, Crebo, KeuzedeelCode, LeerbedrijfId, check_text};

/// The SBB sectors (*sectorkamers*) a qualification belongs to; results are reported per sector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sector {
    /// `ALG` Ambacht, laboratorium en gezondheidstechniek.
    Alg,
    /// `BIM` Bouw, infra en maritieme techniek.
    Bim,
    /// `HAN` Handel.
    Han,
    /// `ICT` ICT en creatieve industrie.
    Ict,
    /// `MTL` Mobiliteit, transport, logistiek en maritiem.
    Mtl,
    /// `SPV` Specialistisch vakmanschap.
    Spv,
    /// `TGO` Techniek en gebouwde omgeving.
    Tgo,
    /// `VGG` Voedsel, groen en gastvrijheid.
    Vgg,
    /// `ZDV` Zakelijke dienstverlening en veiligheid.
    Zdv,
    /// `ZWS` Zorg, welzijn en sport.
    Zws,
}

impl Sector {
    /// All sectors, in code order.
    pub const ALL: [Sector; 10] = [
        Sector::Alg,
        Sector::Bim,
        Sector::Han,
        Sector::Ict,
        Sector::Mtl,
        Sector::Spv,
        Sector::Tgo,
        Sector::Vgg,
        Sector::Zdv,
        Sector::Zws,
    ];

    /// Three-letter code, e.g. `"ZWS"`.
    pub fn code(self) -> &'static str {
        match self {
            Sector::Alg => "ALG",
            Sector::Bim => "BIM",
            Sector::Han => "HAN",
            Sector::Ict => "ICT",
            Sector::Mtl => "MTL",
            Sector::Spv => "SPV",
            Sector::Tgo => "TGO",
            Sector::Vgg => "VGG",
            Sector::Zdv => "ZDV",
            Sector::Zws => "ZWS",
        }
    }

    /// Dutch name, e.g. `"Zorg, welzijn en sport"`.
    pub fn naam(self) -> &'static str {
        match self {
            Sector::Alg => "Ambacht, laboratorium en gezondheidstechniek",
            Sector::Bim => "Bouw, infra en maritieme techniek",
            Sector::Han => "Handel",
            Sector::Ict => "ICT en creatieve industrie",
            Sector::Mtl => "Mobiliteit, transport, logistiek en maritiem",
            Sector::Spv => "Specialistisch vakmanschap",
            Sector::Tgo => "Techniek en gebouwde omgeving",
            Sector::Vgg => "Voedsel, groen en gastvrijheid",
            Sector::Zdv => "Zakelijke dienstverlening en veiligheid",
            Sector::Zws => "Zorg, welzijn en sport",
        }
    }

    /// Parses a code (`"zws"`) or a Dutch name (`"Zorg, welzijn en sport"`), ignoring case,
    /// spaces and punctuation.
    ///
    /// ```
    /// use bpvo::Sector;
    /// assert_eq!(Sector::parse("ict").unwrap(), Sector::Ict);
    /// assert_eq!(Sector::parse("handel").unwrap(), Sector::Han);
    /// assert_eq!(Sector::parse("zorg welzijn en sport").unwrap(), Sector::Zws);
    /// ```
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let norm = normalise(input);
        Sector::ALL.into_iter().find(|s| normalise(s.code()) == norm || normalise(s.naam()) == norm).ok_or_else(|| {
            let got = echo(input.trim());
            ValueError::new(
                codes::UNKNOWN_SECTOR,
                format!("Onbekende sector; verwacht een code zoals ZWS of een SBB-sectornaam (gekregen: {got})"),
                format!("Unknown sector; expected a code such as ZWS or an SBB sector name (got: {got})"),
            )
        })
    }
}

fn normalise(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

impl fmt::Display for Sector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Sector {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for Sector {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for Sector {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        Self::parse(&raw).map_err(|e| serde::de::Error::custom(e.en))
    }
}

/// A qualification (*kwalificatie*) of the MBO qualification structure.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Kwalificatie {
    /// Crebo code.
    pub crebo: Crebo,
    /// Name, e.g. "Software developer".
    pub naam: String,
    /// Level 1 (Entree) to 4.
    pub niveau: u8,
    /// SBB sector.
    pub sector: Sector,
    /// Domein of the qualification structure (e.g. "Zorg en welzijn"); `None` when the register
    /// file does not name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domein: Option<String>,
}

/// A recognition (*erkenning*) of a leerbedrijf for one qualification, for a period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Erkenning {
    /// The recognised training company.
    pub leerbedrijf_id: LeerbedrijfId,
    /// The qualification it may train for.
    pub crebo: Crebo,
    /// First day of validity.
    pub geldig_van: NaiveDate,
    /// Last day of validity; `None` while the recognition runs.
    pub geldig_tot: Option<NaiveDate>,
    /// The day the leerbedrijf applied, when SBB's file says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aangevraagd_op: Option<NaiveDate>,
    /// The day SBB decided on the application, when SBB's file says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub besloten_op: Option<NaiveDate>,
}

/// A recognition of a leerbedrijf for the bpv part of one keuzedeel, for a period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeuzedeelErkenning {
    pub leerbedrijf_id: LeerbedrijfId,
    pub keuzedeel_code: KeuzedeelCode,
    pub geldig_van: NaiveDate,
    pub geldig_tot: Option<NaiveDate>,
    pub aangevraagd_op: Option<NaiveDate>,
    pub besloten_op: Option<NaiveDate>,
}

/// An erkenningen file: recognitions for a qualification and for a keuzedeel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erkenningen {
    pub kwalificaties: Vec<Erkenning>,
    pub keuzedelen: Vec<KeuzedeelErkenning>,
}

impl Erkenning {
    /// True when the recognition is valid on `date` (both ends included).
    pub fn is_geldig_op(&self, date: NaiveDate) -> bool {
        self.geldig_van <= date && self.geldig_tot.is_none_or(|tot| date <= tot)
    }
}

/// What SBB's registers know about the codes a record carries: the qualifications (crebo) and
/// which aanbieder each onderwijslocatie belongs to (RIO). [`Registers::check`] is the rule every
/// upload passes: a crebo must be a registered qualification, and a locatie must be one of the
/// record's own aanbieder. A register that was never loaded checks nothing (an empty
/// qualification list; an aanbieder without any registered locatie): a fresh installation accepts
/// records until SBB imports its registers, and says so in the operations guide. A leerbedrijf
/// unknown to SBB is not refused here: it is stored and shows up in data quality.
///
/// ```
/// use bpvo::{Bpvo, BpvoRecord, Registers, codes};
/// let registers = Registers::new(["25604".to_owned()], [("123X456".to_owned(), "123A456".to_owned())]);
/// let record: BpvoRecord = serde_json::from_str(r#"{
///     "correlatieId": "BPV-1", "leerbedrijfCode": "100012345", "creboCode": "25999",
///     "startdatum": "2024-09-01", "geplandeEinddatum": "2025-01-31", "leerwegNaam": "BOL",
///     "student": {"emailadres": "zoe@voorbeeld.nl", "studentcode": "S123", "naam": "Zoë"},
///     "school": {"schoolnaam": "ROC Voorbeeld", "locatiecode": "999X999", "aanbiedercode": "123A456"}
/// }"#).unwrap();
/// let bpvo = Bpvo::try_from(&record).unwrap();
/// let errors = registers.check(&bpvo);
/// let found: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
/// assert_eq!(found, [("creboCode", codes::UNKNOWN_CREBO), ("school.locatiecode", codes::UNKNOWN_LOCATIE)]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Registers {
    /// Whether the qualification register holds anything at all (else crebo's are not checked).
    crebo_register: bool,
    crebos: HashSet<String>,
    /// locatiecode → aanbiedercode.
    locaties: std::collections::HashMap<String, String>,
    /// Aanbieders with at least one registered locatie.
    met_locaties: HashSet<String>,
}

impl Registers {
    /// The registered crebo codes and `(locatiecode, aanbiedercode)` pairs.
    pub fn new(crebos: impl IntoIterator<Item = String>, locaties: impl IntoIterator<Item = (String, String)>) -> Self {
        let crebos: HashSet<String> = crebos.into_iter().collect();
        Self::excerpt(!crebos.is_empty(), crebos, locaties)
    }

    /// Only the part of the registers some records need: the registered crebo's among theirs
    /// (`crebo_register` says whether the register holds anything at all), and the locaties
    /// registered under their locatiecodes or their aanbieders. Checking those records gives the
    /// same answer as checking them against the whole registers.
    pub fn excerpt(
        crebo_register: bool,
        crebos: impl IntoIterator<Item = String>,
        locaties: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        let locaties: std::collections::HashMap<String, String> = locaties.into_iter().collect();
        let met_locaties = locaties.values().cloned().collect();
        Self { crebo_register, crebos: crebos.into_iter().collect(), locaties, met_locaties }
    }

    /// Every code of `bpvo` the registers do not know, as field errors (empty when all is well).
    pub fn check(&self, bpvo: &crate::Bpvo) -> ValidationErrors {
        let mut errors = ValidationErrors::new();
        let crebo = bpvo.crebo.as_str();
        if self.crebo_register && !self.crebos.contains(crebo) {
            errors.push(FieldError::new(
                "creboCode",
                &ValueError::new(
                    codes::UNKNOWN_CREBO,
                    format!("Crebo {crebo} staat niet in het kwalificatieregister van SBB"),
                    format!("crebo {crebo} is not in SBB's register of qualifications"),
                ),
            ));
        }
        let locatie = bpvo.school.locatiecode.as_str();
        let aanbieder = bpvo.school.aanbiedercode.as_str();
        match self.locaties.get(locatie) {
            Some(eigenaar) if eigenaar != aanbieder => errors.push(FieldError::new(
                "school.locatiecode",
                &ValueError::new(
                    codes::LOCATIE_OF_OTHER_AANBIEDER,
                    format!("Locatie {locatie} hoort bij aanbieder {eigenaar}, niet bij {aanbieder}"),
                    format!("locatie {locatie} belongs to aanbieder {eigenaar}, not to {aanbieder}"),
                ),
            )),
            None if self.met_locaties.contains(aanbieder) => errors.push(FieldError::new(
                "school.locatiecode",
                &ValueError::new(
                    codes::UNKNOWN_LOCATIE,
                    format!("Locatie {locatie} is niet geregistreerd voor aanbieder {aanbieder}"),
                    format!("locatie {locatie} is not registered for aanbieder {aanbieder}"),
                ),
            )),
            _ => {}
        }
        errors
    }
}

/// Why a reference file could not be imported. Reference data is all or nothing: one bad line
/// fails the import, and every bad line is listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// The file as a whole could not be read.
    #[error(transparent)]
    File(#[from] CsvError),
    /// These lines are invalid.
    #[error("{} invalid line(s), first on line {}", .0.len(), .0.first().map_or(0, |e| e.line))]
    Lines(Vec<CsvLineError>),
}

impl ReferenceError {
    /// The message in Dutch.
    pub fn message_nl(&self) -> String {
        match self {
            ReferenceError::File(e) => e.message_nl(),
            ReferenceError::Lines(lines) => format!(
                "{} ongeldige regel(s), de eerste op regel {}",
                lines.len(),
                lines.first().map_or(0, |e| e.line)
            ),
        }
    }

    /// The message in English.
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}

/// Validates each row with `convert`, collecting every line's errors.
fn convert_rows<T>(
    rows: Vec<TableRow>,
    mut line_errors: Vec<CsvLineError>,
    mut convert: impl FnMut(&[Option<String>], &mut Vec<FieldError>) -> Option<T>,
) -> Result<Vec<T>, ReferenceError> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut errors = Vec::new();
        match convert(&row.cells, &mut errors) {
            Some(v) if errors.is_empty() => out.push(v),
            _ => line_errors.push(CsvLineError { line: row.line, errors: ValidationErrors(errors) }),
        }
    }
    if line_errors.is_empty() {
        Ok(out)
    } else {
        line_errors.sort_by_key(|e| e.line);
        Err(ReferenceError::Lines(line_errors))
    }
}

/// Read a reference file with the upload's CSV reader (`;`, `,` or tab; UTF-8, UTF-16 or
/// Windows-1252; columns in any order, extra ones ignored): the `columns` asked for, each line
/// turned into a `T` by `convert`, which records its field errors (see [`cell`]). All or
/// nothing: any bad line and the whole file is refused, every bad line named.
pub fn read_reference<T>(
    bytes: &[u8],
    columns: &[&'static str],
    convert: impl FnMut(&[Option<String>], &mut Vec<FieldError>) -> Option<T>,
) -> Result<Vec<T>, ReferenceError> {
    let table = read_table(bytes, columns, usize::MAX)?;
    convert_rows(table.rows, table.line_errors, convert)
}

/// Parses one cell, recording a `"required"` or parse error under the column name.
pub fn cell<T>(
    cells: &[Option<String>],
    index: usize,
    column: &str,
    errors: &mut Vec<FieldError>,
    parse: impl FnOnce(&str) -> Result<T, ValueError>,
) -> Option<T> {
    match cells.get(index).and_then(Option::as_deref) {
        None => {
            errors.push(FieldError::new(
                column,
                &ValueError::new(
                    codes::REQUIRED,
                    format!("Kolom {column} is verplicht"),
                    format!("Column {column} is required"),
                ),
            ));
            None
        }
        Some(v) => parse(v).map_err(|e| errors.push(FieldError::new(column, &e))).ok(),
    }
}

fn parse_niveau(s: &str) -> Result<u8, ValueError> {
    match s.parse::<u8>() {
        Ok(n @ 1..=4) => Ok(n),
        _ => {
            let got = echo(s);
            Err(ValueError::new(
                codes::RANGE,
                format!("Niveau moet 1, 2, 3 of 4 zijn (gekregen: {got})"),
                format!("Niveau must be 1, 2, 3 or 4 (got: {got})"),
            ))
        }
    }
}

/// A key that already occurred on an earlier line (code `"duplicate"`).
pub fn duplicate(what_nl: &str, what_en: &str, key: &str) -> ValueError {
    ValueError::new(
        codes::DUPLICATE,
        format!("{what_nl} {key} staat al op een eerdere regel"),
        format!("{what_en} {key} already occurs on an earlier line"),
    )
}

/// Reads qualifications from CSV with the columns `crebo;naam;niveau;sector` and optionally
/// `domein` (any order, extra columns ignored; sector as code or name). A crebo may occur only
/// once.
pub fn read_kwalificaties(bytes: &[u8]) -> Result<Vec<Kwalificatie>, ReferenceError> {
    let table = read_table_optional(bytes, &["crebo", "naam", "niveau", "sector", "domein"], 4, usize::MAX)?;
    let mut seen = HashSet::new();
    convert_rows(table.rows, table.line_errors, |cells, errors| {
        let crebo = cell(cells, 0, "crebo", errors, Crebo::parse);
        let naam = cell(cells, 1, "naam", errors, |s| check_text(s, "Naam van de kwalificatie", "Qualification name"));
        let niveau = cell(cells, 2, "niveau", errors, parse_niveau);
        let sector = cell(cells, 3, "sector", errors, Sector::parse);
        let domein = optional_cell(cells, 4, "domein", errors, |s| check_text(s, "Domein", "Domein"))?;
        let crebo = crebo.filter(|c| {
            let fresh = seen.insert(c.clone());
            if !fresh {
                errors.push(FieldError::new("crebo", &duplicate("Crebo", "Crebo", c.as_str())));
            }
            fresh
        });
        Some(Kwalificatie { crebo: crebo?, naam: naam?, niveau: niveau?, sector: sector?, domein })
    })
}

/// Reads recognitions from CSV with the columns `leerbedrijf_id;crebo;geldig_van;geldig_tot` and
/// optionally `keuzedeel_code;aanvraagdatum;besluitdatum` (dates as `jjjj-mm-dd` or `dd-mm-jjjj`;
/// `geldig_tot` may be empty). A line is for a crebo or for a keuzedeel, never both; the
/// application and decision dates come together or not at all, the decision not before the
/// application.
pub fn read_erkenningen(bytes: &[u8]) -> Result<Erkenningen, ReferenceError> {
    let columns =
        ["leerbedrijf_id", "crebo", "geldig_van", "geldig_tot", "keuzedeel_code", "aanvraagdatum", "besluitdatum"];
    let table = read_table_optional(bytes, &columns, 4, usize::MAX)?;
    let rows = convert_rows(table.rows, table.line_errors, |cells, errors| {
        let leerbedrijf_id = cell(cells, 0, "leerbedrijf_id", errors, LeerbedrijfId::parse);
        let keuzedeel = optional_cell(cells, 4, "keuzedeel_code", errors, KeuzedeelCode::parse);
        let crebo = match (cells.get(1).and_then(Option::as_deref), &keuzedeel) {
            (Some(_), Some(Some(_))) => {
                errors.push(FieldError::new(
                    "keuzedeel_code",
                    &ValueError::new(
                        codes::CONFLICT,
                        "een erkenning is voor een crebo óf voor een keuzedeel: laat één van beide leeg",
                        "an erkenning is for a crebo or for a keuzedeel: leave one of them empty",
                    ),
                ));
                None
            }
            (None, Some(Some(_))) => Some(None),
            _ => cell(cells, 1, "crebo", errors, Crebo::parse).map(Some),
        };
        let geldig_van = cell(cells, 2, "geldig_van", errors, parse_school_date);
        let geldig_tot = optional_cell(cells, 3, "geldig_tot", errors, parse_school_date);
        if let (Some(van), Some(Some(tot))) = (geldig_van, geldig_tot)
            && tot < van
        {
            errors.push(order_error("geldig_tot", tot, "geldig_van", van));
        }
        let aangevraagd = optional_cell(cells, 5, "aanvraagdatum", errors, parse_school_date);
        let besloten = optional_cell(cells, 6, "besluitdatum", errors, parse_school_date);
        match (aangevraagd, besloten) {
            (Some(Some(a)), Some(Some(b))) if b < a => errors.push(order_error("besluitdatum", b, "aanvraagdatum", a)),
            (Some(Some(_)), Some(None)) | (Some(None), Some(Some(_))) => {
                let missing = if matches!(besloten, Some(None)) { "besluitdatum" } else { "aanvraagdatum" };
                errors.push(FieldError::new(
                    missing,
                    &ValueError::new(
                        codes::REQUIRED,
                        format!("Kolom {missing} is verplicht als aanvraagdatum of besluitdatum gevuld is"),
                        format!("Column {missing} is required when aanvraagdatum or besluitdatum is filled"),
                    ),
                ));
            }
            _ => {}
        }
        let (leerbedrijf_id, crebo, keuzedeel) = (leerbedrijf_id?, crebo?, keuzedeel?);
        let (geldig_van, geldig_tot, aangevraagd_op, besloten_op) = (geldig_van?, geldig_tot?, aangevraagd?, besloten?);
        Some(match (crebo, keuzedeel) {
            (_, Some(keuzedeel_code)) => Err(KeuzedeelErkenning {
                leerbedrijf_id,
                keuzedeel_code,
                geldig_van,
                geldig_tot,
                aangevraagd_op,
                besloten_op,
            }),
            (Some(crebo), None) => {
                Ok(Erkenning { leerbedrijf_id, crebo, geldig_van, geldig_tot, aangevraagd_op, besloten_op })
            }
            (None, None) => return None,
        })
    })?;
    let mut out = Erkenningen::default();
    for r in rows {
        match r {
            Ok(e) => out.kwalificaties.push(e),
            Err(k) => out.keuzedelen.push(k),
        }
    }
    Ok(out)
}

/// DUO's registration of one bpvo (question 3 of data quality).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DuoMelding {
    pub aanbiedercode: Aanbiedercode,
    pub correlatie_id: CorrelatieId,
    /// The start date DUO holds.
    pub startdatum: NaiveDate,
    /// The day the bpvo was registered at DUO.
    pub gemeld_op: NaiveDate,
}

/// Reads DUO's registrations from CSV with the columns
/// `aanbiedercode;correlatie_id;startdatum;meldingsdatum` (dates as `jjjj-mm-dd` or
/// `dd-mm-jjjj`). A bpvo may occur once; its aanbieder must be one `known_aanbieder` knows.
pub fn read_duo_meldingen(
    bytes: &[u8],
    known_aanbieder: &dyn Fn(&str) -> bool,
) -> Result<Vec<DuoMelding>, ReferenceError> {
    let table = read_table(bytes, &["aanbiedercode", "correlatie_id", "startdatum", "meldingsdatum"], usize::MAX)?;
    let mut seen = HashSet::new();
    convert_rows(table.rows, table.line_errors, |cells, errors| {
        let aanbiedercode = cell(cells, 0, "aanbiedercode", errors, Aanbiedercode::parse).filter(|a| {
            let known = known_aanbieder(a.as_str());
            if !known {
                errors.push(FieldError::new(
                    "aanbiedercode",
                    &ValueError::new(
                        codes::UNKNOWN,
                        format!("aanbieder {a} is onbekend"),
                        format!("aanbieder {a} is not known"),
                    ),
                ));
            }
            known
        });
        let correlatie_id = cell(cells, 1, "correlatie_id", errors, CorrelatieId::parse);
        let startdatum = cell(cells, 2, "startdatum", errors, parse_school_date);
        let gemeld_op = cell(cells, 3, "meldingsdatum", errors, parse_school_date);
        let (aanbiedercode, correlatie_id) = (aanbiedercode?, correlatie_id?);
        let key = format!("{aanbiedercode}/{correlatie_id}");
        if !seen.insert(key.clone()) {
            errors.push(FieldError::new("correlatie_id", &duplicate("Bpvo", "Bpvo", &key)));
        }
        Some(DuoMelding { aanbiedercode, correlatie_id, startdatum: startdatum?, gemeld_op: gemeld_op? })
    })
}

/// An optional cell: `Some(None)` when empty, `None` (with the error recorded) when bad.
fn optional_cell<T>(
    cells: &[Option<String>],
    index: usize,
    column: &str,
    errors: &mut Vec<FieldError>,
    parse: impl FnOnce(&str) -> Result<T, ValueError>,
) -> Option<Option<T>> {
    match cells.get(index).and_then(Option::as_deref) {
        None => Some(None),
        Some(v) => parse(v).map(Some).map_err(|e| errors.push(FieldError::new(column, &e))).ok(),
    }
}

fn order_error(later: &str, later_date: NaiveDate, earlier: &str, earlier_date: NaiveDate) -> FieldError {
    FieldError::new(
        later,
        &ValueError::new(
            codes::DATE_ORDER,
            format!("{later} ({later_date}) ligt vóór {earlier} ({earlier_date})"),
            format!("{later} ({later_date}) is before {earlier} ({earlier_date})"),
        ),
    )
}

/// The qualification list shipped with this crate (`data/kwalificaties.csv`), for demos, tests
/// and a first import. The codes and names are illustrative; production imports SBB's current
/// list with `bpv admin import-crebo`.
pub fn builtin_kwalificaties() -> Vec<Kwalificatie> {
    // The file is checked by a unit test, so a failure here cannot reach a release.
    read_kwalificaties(include_bytes!("../data/kwalificaties.csv")).unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn registers_refuse_unknown_codes_and_foreign_locaties_but_check_nothing_unloaded() {
        let bpvo = crate::model::tests::sample(); // crebo 25604, locatie 123X456 of aanbieder 123A456
        let fields = |r: &Registers| r.check(&bpvo).iter().map(|e| e.code.clone()).collect::<Vec<_>>();
        let pair = |l: &str, a: &str| (l.to_owned(), a.to_owned());
        assert!(fields(&Registers::default()).is_empty(), "nothing loaded: nothing checked");
        let good = Registers::new(["25604".to_owned()], [pair("123X456", "123A456"), pair("124X000", "124A000")]);
        assert!(fields(&good).is_empty());
        let other_crebo = Registers::new(["25605".to_owned()], []);
        assert_eq!(fields(&other_crebo), [codes::UNKNOWN_CREBO]);
        let foreign = Registers::new([], [pair("123X456", "124A000")]);
        assert_eq!(fields(&foreign), [codes::LOCATIE_OF_OTHER_AANBIEDER]);
        let elsewhere = Registers::new([], [pair("123X999", "123A456")]);
        assert_eq!(fields(&elsewhere), [codes::UNKNOWN_LOCATIE]);
        let aanbieder_not_loaded = Registers::new([], [pair("124X000", "124A000")]);
        assert!(fields(&aanbieder_not_loaded).is_empty());
        // An excerpt for this record alone: the register holds qualifications, none of them this one.
        assert_eq!(fields(&Registers::excerpt(true, [], [])), [codes::UNKNOWN_CREBO]);
        assert!(fields(&Registers::excerpt(false, [], [])).is_empty());
    }

    #[test]
    fn sector_codes_and_names_parse_back() {
        for s in Sector::ALL {
            assert_eq!(Sector::parse(s.code()).unwrap(), s);
            assert_eq!(Sector::parse(&s.code().to_lowercase()).unwrap(), s);
            assert_eq!(Sector::parse(s.naam()).unwrap(), s);
            assert_eq!(Sector::parse(&s.naam().to_uppercase()).unwrap(), s);
            assert_eq!(s.to_string(), s.code());
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.code()));
            assert_eq!(serde_json::from_str::<Sector>(&json).unwrap(), s);
        }
        assert_eq!(Sector::parse("XYZ").unwrap_err().code, "unknown_sector");
        assert_eq!(Sector::parse("").unwrap_err().code, "unknown_sector");
    }

    #[test]
    fn builtin_kwalificaties_parse_and_cover_every_sector_and_level() {
        let list = read_kwalificaties(include_bytes!("../data/kwalificaties.csv")).unwrap();
        assert!(list.len() >= 60, "{}", list.len());
        assert_eq!(builtin_kwalificaties(), list);
        for s in Sector::ALL {
            assert!(list.iter().any(|k| k.sector == s), "no kwalificatie for {s}");
        }
        for n in 1..=4 {
            assert!(list.iter().any(|k| k.niveau == n), "no kwalificatie at niveau {n}");
        }
        let sd = list.iter().find(|k| k.crebo.as_str() == "25604").unwrap();
        assert_eq!((sd.naam.as_str(), sd.niveau, sd.sector), ("Software developer", 4, Sector::Ict));
    }

    #[test]
    fn bad_kwalificatie_lines_are_all_reported() {
        let text = "Crebo,Niveau,Naam,Sector\n\
                    25604,4,Software developer,ICT\n\
                    2560,5,,Ruimtevaart\n\
                    25604,4,Dubbel,ict\n";
        let Err(ReferenceError::Lines(lines)) = read_kwalificaties(text.as_bytes()) else {
            panic!("expected line errors");
        };
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].line, 3);
        assert_eq!(lines[0].errors.fields(), vec!["crebo", "naam", "niveau", "sector"]);
        assert_eq!(lines[1].line, 4);
        assert_eq!(lines[1].errors.0[0].code, "duplicate");
    }

    #[test]
    fn kwalificaties_need_their_columns() {
        let e = read_kwalificaties(b"crebo;naam\n25604;x\n").unwrap_err();
        assert_eq!(
            e,
            ReferenceError::File(CsvError::MissingColumns { missing: vec!["niveau".into(), "sector".into()] })
        );
        assert!(e.message_nl().contains("niveau, sector"));
    }

    #[test]
    fn erkenningen_read_with_open_and_closed_periods() {
        let text = "leerbedrijf_id;crebo;geldig_van;geldig_tot\r\n\
                    100012345;25604;01-01-2020;\r\n\
                    100012345;25180;2019-08-01;31-07-2023\r\n";
        let list = read_erkenningen(text.as_bytes()).unwrap().kwalificaties;
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].geldig_tot, None);
        let d = |s| parse_school_date(s).unwrap();
        assert!(list[0].is_geldig_op(d("2030-01-01")));
        assert!(!list[0].is_geldig_op(d("2019-12-31")));
        assert!(list[1].is_geldig_op(d("2023-07-31")));
        assert!(!list[1].is_geldig_op(d("2023-08-01")));
    }

    #[test]
    fn bad_erkenningen_are_reported_per_line() {
        let text = "leerbedrijf_id;crebo;geldig_van;geldig_tot\n\
                    012345678;25604;2020-01-01;2019-01-01\n\
                    100012345;25604;;x\n";
        let Err(ReferenceError::Lines(lines)) = read_erkenningen(text.as_bytes()) else {
            panic!("expected line errors");
        };
        assert_eq!(lines[0].line, 2);
        assert_eq!(lines[0].errors.iter().map(|e| e.code.as_str()).collect::<Vec<_>>(), vec!["range", "date_order"]);
        assert_eq!(lines[1].errors.fields(), vec!["geldig_van", "geldig_tot"]);
    }

    #[test]
    fn erkenningen_for_keuzedelen_and_with_decision_dates() {
        let text = "leerbedrijf_id;crebo;keuzedeel_code;geldig_van;geldig_tot;aanvraagdatum;besluitdatum\n\
                    100012345;25604;;2020-01-01;;2019-11-01;2019-12-20\n\
                    100012345;;k0125;2021-01-01;;;\n";
        let e = read_erkenningen(text.as_bytes()).unwrap();
        assert_eq!(e.kwalificaties.len(), 1);
        let d = |s| parse_school_date(s).unwrap();
        assert_eq!(e.kwalificaties[0].aangevraagd_op, Some(d("2019-11-01")));
        assert_eq!(e.kwalificaties[0].besloten_op, Some(d("2019-12-20")));
        assert_eq!(e.keuzedelen.len(), 1);
        assert_eq!(e.keuzedelen[0].keuzedeel_code.as_str(), "K0125");
        assert_eq!(e.keuzedelen[0].besloten_op, None);

        let bad = "leerbedrijf_id;crebo;keuzedeel_code;geldig_van;geldig_tot;aanvraagdatum;besluitdatum\n\
                   100012345;25604;K0125;2020-01-01;;;\n\
                   100012345;;;2020-01-01;;;\n\
                   100012345;25604;;2020-01-01;;2020-02-01;2020-01-01\n\
                   100012345;25604;;2020-01-01;;2020-02-01;\n\
                   100012345;;K125;2020-01-01;;;\n";
        let Err(ReferenceError::Lines(lines)) = read_erkenningen(bad.as_bytes()) else {
            panic!("expected line errors");
        };
        let found: Vec<(usize, Vec<&str>, Vec<&str>)> = lines
            .iter()
            .map(|l| (l.line, l.errors.fields(), l.errors.iter().map(|e| e.code.as_str()).collect()))
            .collect();
        assert_eq!(
            found,
            [
                (2, vec!["keuzedeel_code"], vec!["conflict"]),
                (3, vec!["crebo"], vec!["required"]),
                (4, vec!["besluitdatum"], vec!["date_order"]),
                (5, vec!["besluitdatum"], vec!["required"]),
                (6, vec!["keuzedeel_code", "crebo"], vec!["pattern", "required"]),
            ]
        );
    }

    #[test]
    fn duo_meldingen_are_read_with_line_errors() {
        let known = |a: &str| a == "123A456";
        let ok = read_duo_meldingen(
            b"aanbiedercode;correlatie_id;startdatum;meldingsdatum\n123a456;B-1;01-09-2026;2026-08-20\n",
            &known,
        )
        .unwrap();
        assert_eq!(ok[0].aanbiedercode.as_str(), "123A456");
        assert_eq!(ok[0].gemeld_op, parse_school_date("2026-08-20").unwrap());
        let bad = "aanbiedercode;correlatie_id;startdatum;meldingsdatum\n\
                   999A999;B-1;2026-09-01;2026-08-20\n\
                   123A456;B-1;2026-09-01;2026-08-20\n\
                   123A456;B-1;2026-09-01;2026-08-21\n\
                   123A456;B-2;x;\n";
        let Err(ReferenceError::Lines(lines)) = read_duo_meldingen(bad.as_bytes(), &known) else {
            panic!("expected line errors");
        };
        let found: Vec<(usize, Vec<&str>)> = lines.iter().map(|l| (l.line, l.errors.fields())).collect();
        assert_eq!(
            found,
            [(2, vec!["aanbiedercode"]), (4, vec!["correlatie_id"]), (5, vec!["startdatum", "meldingsdatum"])]
        );
    }

    #[test]
    fn kwalificaties_may_name_their_domein() {
        let with =
            read_kwalificaties(b"crebo;naam;niveau;sector;domein\n25604;Software developer;4;ICT;ICT\n").unwrap();
        assert_eq!(with[0].domein.as_deref(), Some("ICT"));
        let without = read_kwalificaties(b"crebo;naam;niveau;sector\n25604;Software developer;4;ICT\n").unwrap();
        assert_eq!(without[0].domein, None);
        assert!(builtin_kwalificaties().iter().all(|k| k.domein.is_some()));
    }
}
