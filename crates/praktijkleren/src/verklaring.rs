//! The praktijkverklaring: SBB's certificate of the werkprocessen a learner masters in practice,
//! issued from a begeleidingsdocument and its beoordeling. Once issued it never changes: a
//! correction is a withdrawal (kept, with its reason) plus a new verklaring.

use bpvo::{Erkenning, LeerbedrijfId};
use chrono::NaiveDate;

use crate::beoordeling::Beoordeling;
use crate::document::Begeleidingsdocument;
use crate::dossier::WerkprocesCode;

/// Whether a verklaring counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum VerklaringStatus {
    Geldig,
    Ingetrokken,
}

impl VerklaringStatus {
    /// As stored and sent: `geldig`, `ingetrokken`.
    pub fn as_str(self) -> &'static str {
        match self {
            VerklaringStatus::Geldig => "geldig",
            VerklaringStatus::Ingetrokken => "ingetrokken",
        }
    }

    /// Parse the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        [VerklaringStatus::Geldig, VerklaringStatus::Ingetrokken].into_iter().find(|v| v.as_str() == s)
    }
}

/// An issued praktijkverklaring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Praktijkverklaring {
    /// `PV-2027-000123`: the number printed on it.
    pub nummer: String,
    /// The unguessable code anyone may check it by.
    pub verificatiecode: String,
    /// The mastered werkprocessen (at least one), in the document's order.
    pub werkprocessen: Vec<WerkprocesCode>,
    pub leerbedrijf: LeerbedrijfId,
    pub afgegeven_op: NaiveDate,
    pub status: VerklaringStatus,
    /// Why and when it was withdrawn.
    pub intrekking: Option<(NaiveDate, String)>,
}

/// Why a verklaring cannot be issued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Weigering {
    /// No beoordeling was recorded yet.
    #[error("no beoordeling has been recorded for this document")]
    GeenBeoordeling,
    /// The beoordeling found no werkproces mastered.
    #[error("the beoordeling has no werkproces judged beheerst")]
    NietsBeheerst,
    /// The leerbedrijf held no erkenning for the crebo on the assessment date.
    #[error("leerbedrijf {leerbedrijf} held no erkenning for crebo {crebo} on {datum}")]
    GeenErkenning { leerbedrijf: String, crebo: String, datum: NaiveDate },
    /// A valid verklaring of this document exists; withdraw it first to correct it.
    #[error("praktijkverklaring {0} of this document is still valid; withdraw it first")]
    AlAfgegeven(String),
}

impl Weigering {
    /// In Dutch, for the school.
    pub fn nl(&self) -> String {
        match self {
            Weigering::GeenBeoordeling => "Er is nog geen beoordeling vastgelegd voor dit begeleidingsdocument".into(),
            Weigering::NietsBeheerst => "De beoordeling noemt geen enkel werkproces beheerst".into(),
            Weigering::GeenErkenning { leerbedrijf, crebo, datum } => {
                format!("Leerbedrijf {leerbedrijf} was op {datum} niet erkend voor kwalificatie {crebo}")
            }
            Weigering::AlAfgegeven(nummer) => {
                format!("Praktijkverklaring {nummer} van dit document is nog geldig; trek die eerst in")
            }
        }
    }
}

/// Issue a praktijkverklaring for `document` from its latest `beoordeling` on `today`, as
/// `nummer` with `verificatiecode`. The rules: a beoordeling exists and masters at least one
/// werkproces (only those are listed); the leerbedrijf held an erkenning for the document's
/// crebo on the assessment date; no other verklaring of the document is still valid.
pub fn issue(
    document: &Begeleidingsdocument,
    beoordeling: Option<&Beoordeling>,
    erkenningen: &[Erkenning],
    eerdere: &[Praktijkverklaring],
    nummer: String,
    verificatiecode: String,
    today: NaiveDate,
) -> Result<Praktijkverklaring, Weigering> {
    if let Some(geldig) = eerdere.iter().find(|v| v.status == VerklaringStatus::Geldig) {
        return Err(Weigering::AlAfgegeven(geldig.nummer.clone()));
    }
    let beoordeling = beoordeling.ok_or(Weigering::GeenBeoordeling)?;
    let werkprocessen = beoordeling.beheerst();
    if werkprocessen.is_empty() {
        return Err(Weigering::NietsBeheerst);
    }
    let erkend = erkenningen.iter().any(|e| {
        e.leerbedrijf_id == document.leerbedrijf && e.crebo == document.crebo && e.is_geldig_op(beoordeling.datum)
    });
    if !erkend {
        return Err(Weigering::GeenErkenning {
            leerbedrijf: document.leerbedrijf.as_str().to_owned(),
            crebo: document.crebo.as_str().to_owned(),
            datum: beoordeling.datum,
        });
    }
    Ok(Praktijkverklaring {
        nummer,
        verificatiecode,
        werkprocessen,
        leerbedrijf: document.leerbedrijf.clone(),
        afgegeven_op: today,
        status: VerklaringStatus::Geldig,
        intrekking: None,
    })
}

impl Praktijkverklaring {
    /// Withdraw it on `datum` for `reden`: the only change a verklaring ever sees. A withdrawn one
    /// stays withdrawn (`None`).
    pub fn withdraw(&self, datum: NaiveDate, reden: &str) -> Option<Praktijkverklaring> {
        (self.status == VerklaringStatus::Geldig).then(|| Praktijkverklaring {
            status: VerklaringStatus::Ingetrokken,
            intrekking: Some((datum, reden.trim().to_owned())),
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use bpvo::{Brin, Crebo};

    use super::*;
    use crate::beoordeling::{Beoordelaar, BeoordelingRecord, OordeelRecord};
    use crate::testing::{dossier, record};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn document() -> Begeleidingsdocument {
        Begeleidingsdocument::from_record(&Brin::parse("25LX").unwrap(), "SIS-1", &record(), |_| Some(dossier()))
            .unwrap()
    }

    fn beoordeling(oordelen: [&str; 3], datum: &str) -> Beoordeling {
        let codes = ["B1-K1-W1", "B1-K1-W2", "B1-K2-W1"];
        let list: Vec<(Option<&str>, Option<&str>)> =
            codes.iter().zip(oordelen).map(|(c, o)| (Some(*c), Some(o))).collect();
        Beoordeling::from_parts(
            &document(),
            Beoordelaar::Praktijkopleider,
            Some("Piet"),
            Some(datum),
            &list,
            d("2027-06-30"),
        )
        .unwrap()
    }

    fn erkenning(van: &str, tot: Option<&str>) -> Erkenning {
        Erkenning {
            leerbedrijf_id: LeerbedrijfId::parse("100012345").unwrap(),
            crebo: Crebo::parse("25998").unwrap(),
            geldig_van: d(van),
            geldig_tot: tot.map(d),
            aangevraagd_op: None,
            besloten_op: None,
        }
    }

    fn issue_now(
        b: Option<&Beoordeling>,
        e: &[Erkenning],
        eerdere: &[Praktijkverklaring],
    ) -> Result<Praktijkverklaring, Weigering> {
        issue(&document(), b, e, eerdere, "PV-2027-000001".into(), "CODE".into(), d("2027-06-30"))
    }

    #[test]
    fn only_mastered_werkprocessen_are_listed_and_at_least_one_is_needed() {
        let b = beoordeling(["nogNiet", "beheerst", "beheerst"], "2027-06-20");
        let v = issue_now(Some(&b), &[erkenning("2020-01-01", None)], &[]).unwrap();
        let listed: Vec<&str> = v.werkprocessen.iter().map(WerkprocesCode::as_str).collect();
        assert_eq!(listed, ["B1-K1-W2", "B1-K2-W1"]);
        assert_eq!(v.status, VerklaringStatus::Geldig);
        let none = beoordeling(["nogNiet", "nogNiet", "nogNiet"], "2027-06-20");
        assert_eq!(issue_now(Some(&none), &[erkenning("2020-01-01", None)], &[]), Err(Weigering::NietsBeheerst));
        assert_eq!(issue_now(None, &[erkenning("2020-01-01", None)], &[]), Err(Weigering::GeenBeoordeling));
    }

    #[test]
    fn the_leerbedrijf_must_be_erkend_for_the_crebo_on_the_assessment_date() {
        let b = beoordeling(["beheerst", "beheerst", "beheerst"], "2027-06-20");
        // Expired the day before the assessment; another crebo; another leerbedrijf: refused.
        let expired = erkenning("2020-01-01", Some("2027-06-19"));
        let mut other_crebo = erkenning("2020-01-01", None);
        other_crebo.crebo = Crebo::parse("25604").unwrap();
        let mut other_bedrijf = erkenning("2020-01-01", None);
        other_bedrijf.leerbedrijf_id = LeerbedrijfId::parse("100099999").unwrap();
        let refused = issue_now(Some(&b), &[expired, other_crebo, other_bedrijf], &[]);
        assert!(matches!(refused, Err(Weigering::GeenErkenning { datum, .. }) if datum == d("2027-06-20")));
        // Valid on the day itself (both ends included).
        assert!(issue_now(Some(&b), &[erkenning("2027-06-20", Some("2027-06-20"))], &[]).is_ok());
    }

    #[test]
    fn an_issued_verklaring_never_changes_a_correction_is_withdraw_and_reissue() {
        let b = beoordeling(["beheerst", "nogNiet", "beheerst"], "2027-06-20");
        let e = [erkenning("2020-01-01", None)];
        let first = issue_now(Some(&b), &e, &[]).unwrap();
        assert_eq!(
            issue_now(Some(&b), &e, std::slice::from_ref(&first)),
            Err(Weigering::AlAfgegeven(first.nummer.clone()))
        );
        let withdrawn = first.withdraw(d("2027-07-01"), " verkeerde naam ").unwrap();
        assert_eq!(withdrawn.intrekking, Some((d("2027-07-01"), "verkeerde naam".into())));
        assert_eq!(
            (withdrawn.werkprocessen.clone(), withdrawn.nummer.clone()),
            (first.werkprocessen.clone(), first.nummer.clone())
        );
        assert_eq!(withdrawn.withdraw(d("2027-07-02"), "nog eens"), None, "withdrawn stays withdrawn");
        // Both kept: the withdrawn one does not block a new one.
        let second =
            issue(&document(), Some(&b), &e, &[withdrawn], "PV-2027-000002".into(), "CODE2".into(), d("2027-07-01"));
        assert_eq!(second.unwrap().nummer, "PV-2027-000002");
    }

    #[test]
    fn a_beoordeling_judges_every_werkproces_of_the_document_and_no_other() {
        let doc = document();
        let r = BeoordelingRecord {
            beoordeeld_door: Some("Piet de Vries".into()),
            datum: Some("2027-07-01".into()),
            werkprocessen: Some(vec![
                OordeelRecord { code: Some("B1-K1-W1".into()), oordeel: Some("beheerst".into()) },
                OordeelRecord { code: Some("B1-K1-W1".into()), oordeel: Some("nogNiet".into()) },
                OordeelRecord { code: Some("B2-K1-W1".into()), oordeel: Some("misschien".into()) },
            ]),
        };
        let e = Beoordeling::from_record(&doc, &r, d("2027-06-30")).unwrap_err();
        let found: Vec<(&str, &str)> = e.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(
            found,
            [
                ("datum", bpvo::codes::RANGE),
                ("werkprocessen[1].code", bpvo::codes::DUPLICATE),
                ("werkprocessen[2].oordeel", bpvo::codes::PATTERN),
                ("werkprocessen[2].code", bpvo::codes::UNKNOWN_WERKPROCES),
                ("werkprocessen", bpvo::codes::REQUIRED),
            ]
        );
        let missing = BeoordelingRecord { beoordeeld_door: None, datum: None, werkprocessen: None };
        assert_eq!(
            Beoordeling::from_record(&doc, &missing, d("2027-06-30")).unwrap_err().fields(),
            ["beoordeeldDoor", "datum", "werkprocessen"]
        );
    }
}
