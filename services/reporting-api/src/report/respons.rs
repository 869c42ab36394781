//! Response monitoring: where invitations go unanswered. For a selection, each group's response
//! in total and split per aanbieder, locatie (a school's own), leerweg, sector, kwalificatie and
//! (students) channel — invited directly or through the praktijkopleider —
//! the selection beside the national figures. Every row is the results engine's figure for the
//! selection narrowed to that value ([`bpv_aggregation::Index::evaluate_by`]): counted answers
//! are whole groups of at least k, and every count below k — answered or invited — is shown as
//! a band ("< 10"), never exactly, so no row tells whether one student answered.

use std::collections::BTreeMap;

use bpv_aggregation::{Dimensie, Selectie, Telling};
use bpvo::Groep;
use serde::Serialize;
use utoipa::ToSchema;

use super::{SelectieDto, groep_naam, landelijk};
use crate::data::{Names, ReportData};

/// Eén kant van een rij.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ResponsCel {
    /// Getelde antwoorden; null bij minder dan k (zie `tekst`).
    pub beantwoord: Option<u64>,
    /// Uitnodigingen van de getelde groepen; null bij minder dan k.
    pub uitgenodigd: Option<u64>,
    /// 0–100, één decimaal; null als er minder dan k antwoorden zijn geteld.
    pub percentage: Option<f64>,
    /// `55% (22 van 40)`, `< 10 van 36`, `< 10 van < 10`, of `—` als niemand is uitgenodigd.
    pub tekst: String,
}

impl ResponsCel {
    /// Nobody invited (a value the school has that no national group counts).
    fn leeg() -> Self {
        ResponsCel { beantwoord: None, uitgenodigd: None, percentage: None, tekst: "—".to_owned() }
    }

    /// A response count as shown: exact from `k` on, banded below it, "—" when nothing touched it
    /// (from [`bpv_aggregation::Index::respons_by_each`] or [`bpv_aggregation::Index::respons_totaal`]).
    pub(super) fn of_telling(t: &Telling, k: u64) -> Self {
        let (b, u) = (t.responded, t.invited);
        let exact = |n: u64| (n >= k).then_some(n);
        let band = |n: u64| exact(n).map_or_else(|| format!("< {k}"), bpv_aggregation::thousands_nl);
        let percentage = (b >= k && u > 0).then(|| bpv_aggregation::round_half_up(b as f64 * 100.0 / u as f64, 1));
        let tekst = if t.leeg && b == 0 && u == 0 {
            "—".to_owned()
        } else if let Some(p) = percentage {
            format!("{}% ({} van {})", bpv_aggregation::round_half_up(p, 0), band(b), band(u))
        } else {
            format!("{} van {}", band(b), band(u))
        };
        ResponsCel { beantwoord: exact(b), uitgenodigd: exact(u), percentage, tekst }
    }
}

/// Eén waarde van een indeling.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResponsRij {
    pub code: String,
    pub naam: Option<String>,
    /// De selectie beperkt tot deze waarde; null bij een landelijke selectie.
    pub instelling: Option<ResponsCel>,
    /// Landelijk, beperkt tot deze waarde als de waarde landelijk bestaat (leerweg, sector,
    /// kwalificatie); bij aanbieder en locatie het landelijke totaal ernaast.
    pub landelijk: ResponsCel,
}

/// Eén indeling van de respons van een groep.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResponsIndeling {
    /// `aanbieder`, `locatie`, `leerweg`, `sector`, `kwalificatie` of `kanaal` (alleen studenten:
    /// `direct` of `via_praktijkopleider`; een groep antwoorden waarvan de uitnodigingen langs beide
    /// wegen gingen, telt onder geen van beide).
    pub indeling: String,
    pub rijen: Vec<ResponsRij>,
}

/// De respons van een groep, in totaal en per indeling.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResponsGroep {
    /// `studenten` of `praktijkopleiders`.
    pub groep: String,
    pub totaal: ResponsRij,
    pub per: Vec<ResponsIndeling>,
}

/// Het antwoord van `GET /v1/respons`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResponsOverzicht {
    /// De selectie zoals die is begrepen (`groep` is de eerstgenoemde groep).
    pub selectie: SelectieDto,
    /// Wanneer deze cijfers zijn gepubliceerd (RFC 3339): ze veranderen pas op het volgende
    /// publicatiemoment. Null voordat de cijfers voor het eerst zijn geladen.
    #[schema(value_type = Option<String>, format = DateTime)]
    #[serde(rename = "gepubliceerdOp")]
    pub gepubliceerd_op: Option<chrono::DateTime<chrono::Utc>>,
    /// Geen aantal onder dit getal wordt exact getoond.
    pub k: u64,
    pub groepen: Vec<ResponsGroep>,
}

const INDELINGEN: [(Dimensie, &str, bool); 6] = [
    (Dimensie::Aanbieder, "aanbieder", true),
    (Dimensie::Locatie, "locatie", true),
    (Dimensie::Leerweg, "leerweg", false),
    (Dimensie::Sector, "sector", false),
    (Dimensie::Kwalificatie, "kwalificatie", false),
    (Dimensie::Kanaal, "kanaal", false),
];

fn naam(names: &Names, dim: Dimensie, code: &str) -> Option<String> {
    match dim {
        Dimensie::Aanbieder => names.aanbieders.get(code).map(|(_, n)| n.clone()),
        Dimensie::Locatie => names.locaties.get(code).map(|(_, n)| n.clone()),
        Dimensie::Kwalificatie => names.kwalificaties.get(code).map(|(n, _)| n.clone()),
        Dimensie::Sector => Some(super::sector_naam(code)).filter(|n| n != code),
        Dimensie::Leerweg => None,
        Dimensie::Kanaal => Some(
            match code {
                "direct" => "Eigen uitnodiging (direct)",
                "via_praktijkopleider" => "Via de praktijkopleider",
                _ => code,
            }
            .to_owned(),
        ),
    }
}

fn groep(data: &ReportData, names: &Names, selectie: &Selectie) -> ResponsGroep {
    let land_sel = landelijk(selectie);
    let k = data.k();
    // Counts only: the total row needs no item of the questionnaire summed.
    let land = data.respons_totaal(&land_sel);
    let own = selectie.brin.is_some().then(|| data.respons_totaal(selectie));
    let totaal = ResponsRij {
        code: "totaal".into(),
        naam: None,
        instelling: own.as_ref().map(|t| ResponsCel::of_telling(t, k)),
        landelijk: ResponsCel::of_telling(&land, k),
    };
    // One pass over the selection's atoms for all its splits, one (cached, shared by every
    // school asking with the same filters) over the national atoms for the national ones.
    // The channel split is the students' alone: praktijkopleiders are always invited directly.
    let indelingen: Vec<(Dimensie, &str, bool)> = INDELINGEN
        .iter()
        .copied()
        .filter(|(_, _, eigen)| !eigen || selectie.brin.is_some())
        .filter(|(d, _, _)| *d != Dimensie::Kanaal || selectie.groep == Groep::Student)
        .collect();
    let dims: Vec<Dimensie> = indelingen.iter().map(|(d, _, _)| *d).collect();
    let land_dims: Vec<Dimensie> = indelingen.iter().filter(|(_, _, eigen)| !eigen).map(|(d, _, _)| *d).collect();
    let land_all = data.respons_by_each(&land_sel, &land_dims);
    let own_all = selectie.brin.as_ref().map(|_| data.respons_by_each(selectie, &dims));
    let leeg = BTreeMap::new();
    let per = indelingen
        .iter()
        .enumerate()
        .map(|(i, &(dim, indeling, eigen))| {
            let land_by = land_dims.iter().position(|d| *d == dim).and_then(|j| land_all.get(j)).unwrap_or(&leeg);
            let own_by = own_all.as_ref().and_then(|o| o.get(i));
            // The values: the selection's own (a school's) or the national ones.
            let codes: Vec<&String> = own_by.map_or_else(|| land_by.keys().collect(), |o| o.keys().collect());
            let rijen = codes
                .into_iter()
                .map(|code| ResponsRij {
                    code: code.clone(),
                    naam: naam(names, dim, code),
                    instelling: own_by.and_then(|o| o.get(code)).map(|t| ResponsCel::of_telling(t, k)),
                    landelijk: if eigen {
                        ResponsCel::of_telling(&land, k)
                    } else {
                        land_by.get(code).map_or_else(ResponsCel::leeg, |t| ResponsCel::of_telling(t, k))
                    },
                })
                .collect();
            ResponsIndeling { indeling: indeling.into(), rijen }
        })
        .collect();
    ResponsGroep { groep: groep_naam(selectie.groep).into(), totaal, per }
}

/// The response overview of a checked selection: the group asked for, or both when `beide`.
pub fn respons(data: &ReportData, selectie: &Selectie, beide: bool) -> ResponsOverzicht {
    let names = data.names();
    let groepen: Vec<Groep> = if beide { vec![Groep::Student, Groep::Praktijkopleider] } else { vec![selectie.groep] };
    ResponsOverzicht {
        selectie: SelectieDto::of(selectie, &names),
        gepubliceerd_op: data.gepubliceerd(),
        k: data.k(),
        groepen: groepen.into_iter().map(|g| groep(data, &names, &Selectie { groep: g, ..selectie.clone() })).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(responded: u64, invited: u64, leeg: bool) -> ResponsCel {
        ResponsCel::of_telling(&Telling { responded, invited, leeg }, 10)
    }

    #[test]
    fn counts_below_k_are_bands() {
        assert_eq!(r(22, 40, false).tekst, "55% (22 van 40)");
        assert_eq!(r(1234, 5000, false).tekst, "25% (1.234 van 5.000)");
        let c = r(0, 36, false);
        assert_eq!(
            (c.tekst.as_str(), c.beantwoord, c.uitgenodigd, c.percentage),
            ("< 10 van 36", None, Some(36), None)
        );
        let c = r(0, 3, false);
        assert_eq!((c.tekst.as_str(), c.uitgenodigd), ("< 10 van < 10", None));
        // k answers of fewer than k invitations cannot happen with whole groups; a band anyway.
        assert_eq!(r(10, 10, false).tekst, "100% (10 van 10)");
        assert_eq!(r(0, 0, true), ResponsCel::leeg());
    }
}
