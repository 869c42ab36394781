//! # bpvo — the BPV Monitor's domain model
//!
//! Validated types for *beroepspraktijkvormingsovereenkomsten* (bpvo's: the work placements of
//! Dutch MBO students), the upload records schools send (JSON and CSV) and the reference data
//! (sectors, qualifications, recognitions) results are analysed by.
//!
//! The crate follows one rule: **parse, don't validate**. Every identifier is a newtype with a
//! private field that can only be built through `parse` ([`Brin`], [`Crebo`], [`Email`], …),
//! so holding a [`Bpvo`] proves every value in it is well-formed. Conversion from the raw
//! upload record reports *every* bad field at once, with a JSON path and a message in Dutch and
//! English, so that a school can fix its file in one go.
//!
//! It knows nothing of web frameworks or databases.
//!
//! ```
//! use bpvo::{Bpvo, BpvoRecord, Brin, read_csv};
//!
//! // One identifier.
//! assert_eq!(Brin::parse("25ab").unwrap().as_str(), "25AB");
//!
//! // A JSON upload record: all field errors at once, by JSON path.
//! let record: BpvoRecord = serde_json::from_str(r#"{
//!     "correlatieId": "BPV-1", "leerbedrijfCode": "012345678", "creboCode": "25604",
//!     "startdatum": "2024-09-01", "geplandeEinddatum": "2024-06-30", "leerwegNaam": "BOL-VT",
//!     "student": {"studentcode": "S1", "naam": "Zoë Çelik-de Vries"},
//!     "school": {"schoolnaam": "ROC Voorbeeld", "locatiecode": "123X456", "aanbiedercode": "123A456"}
//! }"#).unwrap();
//! let errors = Bpvo::try_from(&record).unwrap_err();
//! assert_eq!(errors.fields(), ["leerbedrijfCode", "geplandeEinddatum", "leerwegNaam"]);
//! assert_eq!(errors.get("leerwegNaam").unwrap().message_nl,
//!            "Leerweg moet BOL of BBL zijn (gekregen: \"BOL-VT\")");
//!
//! // A CSV file as Dutch Excel saves it.
//! let file = "Correlatie_id;Leerbedrijf_code;Crebo_code;Emailadres;Studentcode;Naam;Startdatum;\
//!             Geplande_einddatum;Leerweg_naam;Schoolnaam;Locatiecode;Aanbiedercode\r\n\
//!             BPV-1;100012345;25604;;S1;Zoë Çelik-de Vries;1-9-2024;30-6-2025;BOL;\
//!             ROC Voorbeeld;123X456;123A456\r\n";
//! let csv = read_csv(file.as_bytes()).unwrap();
//! for (line, result) in csv.parse() {
//!     let bpvo = result.unwrap();
//!     assert_eq!(line, 2);
//!     assert_eq!(bpvo.periode.startdatum().to_string(), "2024-09-01");
//!     assert!(bpvo.student.emailadres.is_none()); // surveyed through the praktijkopleider
//! }
//! ```

mod csv_reader;
mod dates;
mod email;
mod error;
mod ids;
mod leerweg;
mod model;
mod reference;
mod survey;
#[cfg(feature = "diesel")]
mod text_column;
mod upload;

pub mod spreadsheet;

pub use csv_reader::{
    BPVO_COLUMNS, CsvError, CsvFile, CsvLineError, CsvRow, DEFAULT_MAX_ROWS, read_csv, read_csv_with_limit,
};
pub use dates::{
    MAANDEN, MAX_YEAR, MIN_YEAR, Periode, TIJDZONE, check_year_range, datum_nl, maand_nl, nu_in_nederland,
    parse_iso_date, parse_school_date, vandaag, vandaag_op,
};
pub use email::{Email, MAX_EMAIL_LEN};
pub use error::{FieldError, ValidationErrors, ValueError, codes};
pub use ids::check_text;
pub use ids::{
    Aanbiedercode, Brin, CorrelatieId, Crebo, KeuzedeelCode, LeerbedrijfId, Locatiecode, MAX_CORRELATIE_ID_LEN,
    MAX_NAAM_LEN, MAX_STUDENTCODE_LEN, Naam, Oin, Schoolnaam, Studentcode,
};
pub use leerweg::Leerweg;
pub use model::{Bpvo, BpvoStatus, Praktijkopleider, School, Student};
pub use reference::{
    DuoMelding, Erkenning, Erkenningen, KeuzedeelErkenning, Kwalificatie, ReferenceError, Registers, Sector,
    builtin_kwalificaties, cell, duplicate, read_duo_meldingen, read_erkenningen, read_kwalificaties, read_reference,
};
pub use survey::{Groep, Kanaal};
pub use upload::{BpvoRecord, SchoolRecord, StudentRecord};
