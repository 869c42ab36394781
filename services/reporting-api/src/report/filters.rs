//! `GET /v1/filters`: what a viewer may pick.

use std::collections::{BTreeMap, BTreeSet};

use bpv_web::Problem;
use bpvo::Groep;
use serde::Serialize;
use utoipa::ToSchema;

use super::{Kijker, groep_naam, instelling_for};
use crate::data::ReportData;

/// Een code met zijn naam.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Keuze {
    pub code: String,
    pub naam: String,
}

/// Een locatie met haar naam en aanbieder.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LocatieKeuze {
    pub code: String,
    pub naam: String,
    pub aanbieder: String,
}

/// Een kwalificatie met haar naam en sector.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KwalificatieKeuze {
    pub crebo: String,
    pub naam: String,
    pub sector: Option<String>,
}

/// `GET /v1/filters`: waaruit een gebruiker mag kiezen.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Filters {
    /// De instelling waarvoor de waarden gelden; null voor SBB zonder `instelling`.
    pub instelling: Option<Keuze>,
    /// Elke instelling (alleen SBB; leeg voor een school).
    pub instellingen: Vec<Keuze>,
    pub aanbieders: Vec<Keuze>,
    pub locaties: Vec<LocatieKeuze>,
    pub leerwegen: Vec<String>,
    /// De waarden om als `sector` mee te sturen.
    pub sectoren: Vec<String>,
    /// Elke waarde van `sectoren` met de naam van de SBB-sector (`ZWS` → `Zorg, welzijn en sport`);
    /// een waarde die geen SBB-sectorcode of -sectornaam is, staat voor zichzelf.
    pub sector_namen: BTreeMap<String, String>,
    pub kwalificaties: Vec<KwalificatieKeuze>,
    pub groepen: Vec<String>,
    /// De eerste en de laatste maand met gegevens (`jjjj-mm`).
    pub eerste_maand: Option<String>,
    pub laatste_maand: Option<String>,
}

/// The SBB name of a sector value (`ZWS` → `Zorg, welzijn en sport`), or the value itself when
/// it is no SBB sector code or name.
pub fn sector_naam(value: &str) -> String {
    bpvo::Sector::parse(value).map_or_else(|_| value.to_owned(), |s| s.naam().to_owned())
}

/// The filter values for a viewer (and, for SBB, an optional instelling).
pub fn filters(data: &ReportData, kijker: &Kijker, instelling: Option<&str>) -> Result<Filters, Problem> {
    let names = data.names();
    let (brin, unknown) = instelling_for(kijker, instelling, names.as_ref())?;
    if let Some(bad) = unknown {
        return Err(Problem::invalid_input("de selectie is ongeldig", vec![bad]));
    }
    let values = data.key_values(brin.as_deref());
    // A lezer picks only from what it may read.
    let (mag_a, mag_l): (&[String], &[String]) = match kijker {
        Kijker::Lezer { aanbieders, locaties, .. } => (aanbieders.as_slice(), locaties.as_slice()),
        _ => (&[][..], &[][..]),
    };
    let aanbieders: Vec<Keuze> = names
        .aanbieders
        .iter()
        .filter(|(_, (owner, _))| brin.as_ref().is_some_and(|b| b == owner))
        .filter(|(code, _)| mag_a.is_empty() || mag_a.contains(code))
        .map(|(code, (_, naam))| Keuze { code: code.clone(), naam: naam.clone() })
        .collect();
    let own: BTreeSet<&str> = aanbieders.iter().map(|a| a.code.as_str()).collect();
    let locaties = names
        .locaties
        .iter()
        .filter(|(_, (aanbieder, _))| own.contains(aanbieder.as_str()))
        .filter(|(code, _)| mag_l.is_empty() || mag_l.contains(code))
        .map(|(code, (aanbieder, naam))| LocatieKeuze {
            code: code.clone(),
            naam: naam.clone(),
            aanbieder: aanbieder.clone(),
        })
        .collect();
    let kwalificaties = values
        .crebos
        .iter()
        .map(|c| {
            let known = names.kwalificaties.get(c);
            KwalificatieKeuze {
                crebo: c.clone(),
                naam: known.map(|(n, _)| n.clone()).unwrap_or_default(),
                sector: known.map(|(_, s)| s.clone()),
            }
        })
        .collect();
    Ok(Filters {
        instelling: brin
            .as_ref()
            .map(|b| Keuze { code: b.clone(), naam: names.instellingen.get(b).cloned().unwrap_or_default() }),
        instellingen: match kijker {
            Kijker::Sbb => {
                names.instellingen.iter().map(|(code, naam)| Keuze { code: code.clone(), naam: naam.clone() }).collect()
            }
            Kijker::School { .. } | Kijker::Lezer { .. } => Vec::new(),
        },
        aanbieders,
        locaties,
        leerwegen: values.leerwegen.into_iter().collect(),
        sector_namen: values.sectoren.iter().map(|s| (s.clone(), sector_naam(s))).collect(),
        sectoren: values.sectoren.into_iter().collect(),
        kwalificaties,
        groepen: vec![groep_naam(Groep::Student).into(), groep_naam(Groep::Praktijkopleider).into()],
        eerste_maand: values.eerste_maand.map(|m| m.to_string()),
        laatste_maand: values.laatste_maand.map(|m| m.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::sector_naam;

    #[test]
    fn sectors_are_named() {
        assert_eq!(sector_naam("ZWS"), "Zorg, welzijn en sport");
        assert_eq!(sector_naam("ict"), "ICT en creatieve industrie");
        assert_eq!(sector_naam("Handel"), "Handel");
        assert_eq!(sector_naam("Techniek"), "Techniek", "not an SBB sector: the value itself");
    }
}
