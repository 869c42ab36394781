//! The validated bpvo and the people in it. Every field is a checked type, so code that holds a
//! [`Bpvo`] (scheduling, mailing, store) can rely on it without re-validating.

use std::fmt;
use std::str::FromStr;

use crate::dates::Periode;
use crate::email::Email;
use crate::error::{ValueError, codes, echo};
use crate::ids::{
    Aanbiedercode, CorrelatieId, Crebo, KeuzedeelCode, LeerbedrijfId, Locatiecode, Naam, Schoolnaam, Studentcode,
};
use crate::leerweg::Leerweg;

/// The student of a bpvo, as uploaded by the school.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Student {
    /// Only known when the school takes part in direct student surveying; without it the
    /// student is reached through the praktijkopleider's mail.
    pub emailadres: Option<Email>,
    /// The school's own student number.
    pub studentcode: Studentcode,
    /// Full name, used in the praktijkopleider's invitation.
    pub naam: Naam,
}

/// The school side of a bpvo: which provider and location, under what name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct School {
    /// Name shown to respondents.
    pub schoolnaam: Schoolnaam,
    /// RIO onderwijslocatiecode.
    pub locatiecode: Locatiecode,
    /// RIO onderwijsaanbiedercode; results are aggregated per aanbieder.
    pub aanbiedercode: Aanbiedercode,
}

/// The workplace trainer of a bpvo, from SBB's own registration feed (not the school upload).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Praktijkopleider {
    /// Full name, used in the salutation of the invitation.
    pub naam: Naam,
    /// Where the invitation (and, indirectly, the student's link) goes.
    pub emailadres: Email,
}

/// A validated *beroepspraktijkvormingsovereenkomst*: one student's placement at one leerbedrijf.
///
/// Serialised in camelCase with the period flattened, e.g. `{"correlatieId": …,
/// "leerbedrijfId": …, "crebo": …, "leerweg": "BOL", "startdatum": …, "geplandeEinddatum": …,
/// "student": {…}, "school": {…}}`. The upload wire format is [`crate::BpvoRecord`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bpvo {
    /// The school's own key; unique per aanbiedercode.
    pub correlatie_id: CorrelatieId,
    /// SBB number of the training company.
    pub leerbedrijf_id: LeerbedrijfId,
    /// Qualification the student is trained for.
    pub crebo: Crebo,
    /// BOL or BBL.
    pub leerweg: Leerweg,
    /// The keuzedeel whose bpv part this placement serves, if the school names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keuzedeel_code: Option<KeuzedeelCode>,
    /// Start and planned end of the placement.
    #[serde(flatten)]
    pub periode: Periode,
    /// The student.
    pub student: Student,
    /// The school (provider and location).
    pub school: School,
}

/// Life-cycle state of a stored bpvo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "diesel", derive(diesel::AsExpression, diesel::FromSqlRow))]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
pub enum BpvoStatus {
    /// Running or planned; will be surveyed.
    Actief,
    /// Ended (possibly early); surveyed according to its end date.
    Beeindigd,
    /// Withdrawn by the school; pending invitations are cancelled.
    Ingetrokken,
}

impl BpvoStatus {
    /// All states.
    pub const ALL: [BpvoStatus; 3] = [BpvoStatus::Actief, BpvoStatus::Beeindigd, BpvoStatus::Ingetrokken];

    /// `"actief"`, `"beeindigd"` or `"ingetrokken"` (ASCII, as stored in the database).
    pub fn as_str(self) -> &'static str {
        match self {
            BpvoStatus::Actief => "actief",
            BpvoStatus::Beeindigd => "beeindigd",
            BpvoStatus::Ingetrokken => "ingetrokken",
        }
    }

    /// Parses a status, ignoring case and surrounding whitespace; `beëindigd` (with the
    /// diaeresis, as people write it) is accepted too.
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let s = input.trim().to_lowercase();
        match s.as_str() {
            "actief" => Ok(BpvoStatus::Actief),
            "beeindigd" | "beëindigd" => Ok(BpvoStatus::Beeindigd),
            "ingetrokken" => Ok(BpvoStatus::Ingetrokken),
            _ => {
                let got = echo(input.trim());
                Err(ValueError::new(
                    codes::UNKNOWN_STATUS,
                    format!("Status moet actief, beeindigd of ingetrokken zijn (gekregen: {got})"),
                    format!("Status must be actief, beeindigd or ingetrokken (got: {got})"),
                ))
            }
        }
    }
}

impl fmt::Display for BpvoStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BpvoStatus {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for BpvoStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for BpvoStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        Self::parse(&raw).map_err(|e| serde::de::Error::custom(e.en))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests {
    use super::*;
    use crate::dates::parse_iso_date;

    pub(crate) fn sample() -> Bpvo {
        Bpvo {
            correlatie_id: CorrelatieId::parse("BPV-2024-0001").unwrap(),
            leerbedrijf_id: LeerbedrijfId::parse("100012345").unwrap(),
            crebo: Crebo::parse("25604").unwrap(),
            leerweg: Leerweg::Bol,
            keuzedeel_code: None,
            periode: Periode::new(parse_iso_date("2024-09-01").unwrap(), parse_iso_date("2025-01-31").unwrap())
                .unwrap(),
            student: Student {
                emailadres: Some(Email::parse("zoe@voorbeeld.nl").unwrap()),
                studentcode: Studentcode::parse("S123").unwrap(),
                naam: Naam::parse("Zoë Çelik-de Vries").unwrap(),
            },
            school: School {
                schoolnaam: Schoolnaam::parse("ROC Voorbeeld").unwrap(),
                locatiecode: Locatiecode::parse("123X456").unwrap(),
                aanbiedercode: Aanbiedercode::parse("123A456").unwrap(),
            },
        }
    }

    #[test]
    fn status_parses_and_prints() {
        for s in BpvoStatus::ALL {
            assert_eq!(BpvoStatus::parse(s.as_str()).unwrap(), s);
            assert_eq!(s.to_string().parse::<BpvoStatus>().unwrap(), s);
        }
        assert_eq!(BpvoStatus::parse(" Beëindigd ").unwrap(), BpvoStatus::Beeindigd);
        assert_eq!(BpvoStatus::parse("ACTIEF").unwrap(), BpvoStatus::Actief);
        assert_eq!(BpvoStatus::parse("gestopt").unwrap_err().code, "unknown_status");
        assert_eq!(serde_json::to_string(&BpvoStatus::Ingetrokken).unwrap(), "\"ingetrokken\"");
    }

    #[test]
    fn bpvo_serialises_in_camel_case_with_flat_period() {
        let json = serde_json::to_value(sample()).unwrap();
        assert_eq!(json["correlatieId"], "BPV-2024-0001");
        assert_eq!(json["leerbedrijfId"], "100012345");
        assert_eq!(json["leerweg"], "BOL");
        assert_eq!(json["startdatum"], "2024-09-01");
        assert_eq!(json["geplandeEinddatum"], "2025-01-31");
        assert_eq!(json["student"]["naam"], "Zoë Çelik-de Vries");
        assert_eq!(json["school"]["aanbiedercode"], "123A456");
        let back: Bpvo = serde_json::from_value(json).unwrap();
        assert_eq!(back, sample());
    }

    #[test]
    fn bpvo_deserialisation_validates_every_value() {
        let mut json = serde_json::to_value(sample()).unwrap();
        json["geplandeEinddatum"] = "2020-01-01".into();
        assert!(serde_json::from_value::<Bpvo>(json).is_err());
        let mut json = serde_json::to_value(sample()).unwrap();
        json["crebo"] = "2560".into();
        assert!(serde_json::from_value::<Bpvo>(json).is_err());
    }

    #[test]
    fn praktijkopleider_holds_name_and_email() {
        let p = Praktijkopleider {
            naam: Naam::parse("Piet de Boer").unwrap(),
            emailadres: Email::parse("piet@bedrijf.nl").unwrap(),
        };
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json, serde_json::json!({"naam": "Piet de Boer", "emailadres": "piet@bedrijf.nl"}));
    }
}
