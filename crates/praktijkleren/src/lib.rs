//! # praktijkleren — the Praktijkloket's domain
//!
//! A **praktijkverklaring** is SBB's nationally recognised certificate of what a learner can do
//! in practice: the werkprocessen of an MBO qualification that a praktijkopleider of an erkend
//! leerbedrijf has seen the learner master. It serves learners who will not (yet) get a diploma
//! (praktijkonderwijs, vso, vsv'ers, adults: [`Doelgroep`]). The **begeleidingsdocument** is the
//! plan at the start; the **beoordeling** judges each of its werkprocessen `beheerst` or
//! `nogNiet`; the verklaring lists the mastered ones.
//!
//! The rules, each in one place:
//! - werkprocessen belong to the document's qualification, each once
//!   ([`Begeleidingsdocument::from_record`], against the [`Kwalificatiedossier`]);
//! - a beoordeling judges every werkproces of its document and no other, dated between the
//!   start and today ([`Beoordeling::from_parts`]);
//! - a verklaring needs a beoordeling with at least one werkproces mastered, lists only those,
//!   and needs an erkenning of the leerbedrijf for the crebo on the assessment date ([`issue`]);
//! - an issued verklaring never changes: a correction is a withdrawal plus a new one
//!   ([`Praktijkverklaring::withdraw`]); a learner may collect several over time.
//!
//! Pure: no web framework, no database.
//!
//! ```
//! use praktijkleren::*;
//! use bpvo::{Brin, Erkenning, LeerbedrijfId, Crebo};
//! # let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
//! let dossier = read_dossiers_csv(b"crebo;kerntaak_code;kerntaak_naam;werkproces_code;werkproces_naam
//! 25998;B1-K1;Logistiek werk;B1-K1-W1;Ontvangt goederen
//! 25998;B1-K1;Logistiek werk;B1-K1-W2;Slaat goederen op
//! ").unwrap().remove(0);
//! let record: DocumentRecord = serde_json::from_str(r#"{
//!   "leerling": {"naam": "Zoë Çelik", "geboortedatum": "2009-03-14", "doelgroep": "praktijkonderwijs"},
//!   "locatiecode": "251X101", "leerbedrijfCode": "100012345",
//!   "praktijkopleider": {"naam": "Piet de Vries", "emailadres": "piet@bedrijf.example"},
//!   "creboCode": "25998", "werkprocessen": ["B1-K1-W1", "B1-K1-W2"],
//!   "startdatum": "2027-02-01", "einddatum": "2027-06-30"
//! }"#).unwrap();
//! let document = Begeleidingsdocument::from_record(&Brin::parse("25LX").unwrap(), "SIS-1", &record,
//!     |_| Some(dossier.clone())).unwrap();
//! let beoordeling = Beoordeling::from_parts(&document, Beoordelaar::Praktijkopleider, Some("Piet de Vries"),
//!     Some("2027-06-20"), &[(Some("B1-K1-W1"), Some("beheerst")), (Some("B1-K1-W2"), Some("nogNiet"))],
//!     d("2027-06-21")).unwrap();
//! let erkenning = Erkenning { leerbedrijf_id: LeerbedrijfId::parse("100012345").unwrap(),
//!     crebo: Crebo::parse("25998").unwrap(), geldig_van: d("2020-01-01"), geldig_tot: None,
//!     aangevraagd_op: None, besloten_op: None };
//! let verklaring = issue(&document, Some(&beoordeling), &[erkenning], &[], "PV-2027-000001".into(),
//!     "K7Q2-M9XD-4HPA".into(), d("2027-06-21")).unwrap();
//! assert_eq!(verklaring.werkprocessen.len(), 1, "only the mastered werkproces");
//! // Issuing again while it is valid is refused; after a withdrawal it may be re-issued.
//! assert!(matches!(issue(&document, Some(&beoordeling), &[], &[verklaring.clone()], "x".into(), "y".into(),
//!     d("2027-06-22")), Err(Weigering::AlAfgegeven(_))));
//! assert_eq!(verklaring.withdraw(d("2027-06-22"), "typefout").unwrap().status, VerklaringStatus::Ingetrokken);
//! ```

mod aantallen;
mod beoordeling;
mod document;
mod dossier;
#[cfg(test)]
mod testing;
mod verklaring;

pub use aantallen::{Aantal, tel};
pub use beoordeling::{Beoordelaar, Beoordeling, BeoordelingRecord, Oordeel, OordeelRecord};
pub use document::{
    Begeleidingsdocument, DocumentRecord, Doelgroep, Leerling, LeerlingRecord, MAX_DOCUMENT_ID_LEN, MAX_LEERDOELEN_LEN,
    PraktijkopleiderRecord, initialen, parse_document_id,
};
pub use dossier::{
    DOSSIER_COLUMNS, DossierJsonError, DossierRegel, Kerntaak, Kwalificatiedossier, Werkproces, WerkprocesCode,
    builtin_dossiers, read_dossiers_csv, read_dossiers_json,
};
pub use verklaring::{Praktijkverklaring, VerklaringStatus, Weigering, issue};
