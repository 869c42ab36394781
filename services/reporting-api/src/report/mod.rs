//! One report, three faces: the query a user sends (API, CSV export and dashboard take the same
//! keys), the check of that query against who asks, and the answer — the selection beside the
//! national figures for the same period, leerweg, sector and kwalificatie.
//!
//! Split by job: [`vraag`] parses and checks the query, [`dto`] holds the answer's shapes,
//! [`rapport`] computes them from the results engine, [`export`] writes the CSV and
//! [`filters`] what may be picked.

mod dto;
mod export;
mod filters;
pub mod instellingen;
pub mod respons;
pub mod trend;
mod vraag;
pub mod xlsx;

pub use dto::*;
pub use export::{CSV_COLUMNS, csv};
pub use filters::*;
pub use instellingen::{InstellingRij, InstellingenOverzicht, ThemaScore};
pub use respons::{ResponsCel, ResponsGroep, ResponsIndeling, ResponsOverzicht, ResponsRij};
pub use trend::{Trend, TrendPunt, TrendThema};
pub use vraag::*;

use bpv_aggregation::{ItemKind, Questionnaires, Selectie};
use bpvo::Groep;

use crate::data::ReportData;

/// The national counterpart of a selection: the same period, leerweg, sector, kwalificatie and
/// group, every instelling.
pub fn landelijk(s: &Selectie) -> Selectie {
    Selectie { brin: None, aanbieders: Vec::new(), locaties: Vec::new(), ..s.clone() }
}

/// The report for a checked selection.
pub fn rapport(data: &ReportData, selectie: &Selectie) -> Rapport {
    let names = data.names();
    let land = data.evaluate(&landelijk(selectie));
    let own = selectie.brin.is_some().then(|| data.evaluate(selectie));
    let qs = data.questionnaires();
    let themas = land
        .themes
        .iter()
        .map(|t| {
            let own_t = own.as_ref().and_then(|o| o.theme(&t.code));
            ThemaDto {
                code: t.code.clone(),
                naam: t.naam.clone(),
                score: ScorePaar {
                    instelling: own_t.map(|o| Cijfer::of(&o.score, false)),
                    landelijk: Cijfer::of(&t.score, false),
                },
                items: t
                    .items
                    .iter()
                    .map(|i| ItemDto {
                        code: i.code.clone(),
                        tekst: item_tekst(qs, &i.code, selectie.groep),
                        soort: match i.kind {
                            ItemKind::Cijfer => "cijfer".into(),
                            ItemKind::Schaal => "schaal".into(),
                        },
                        instelling: own.as_ref().and_then(|o| o.item(&i.code)).map(ItemCijfers::of),
                        landelijk: ItemCijfers::of(i),
                    })
                    .collect(),
            }
        })
        .collect();
    Rapport {
        selectie: SelectieDto::of(selectie, &names),
        gepubliceerd_op: data.gepubliceerd(),
        k: land.k,
        respons: ResponsPaar { instelling: own.as_deref().map(Respons::of), landelijk: Respons::of(&land) },
        niet_meegeteld: NietMeegeteld::of(own.as_deref(), &land),
        themas,
    }
}

/// The reports of both groups for a checked selection, its own group first (a workbook's
/// sheets).
pub fn rapporten(data: &ReportData, selectie: &Selectie) -> Vec<Rapport> {
    let ander = match selectie.groep {
        Groep::Student => Groep::Praktijkopleider,
        Groep::Praktijkopleider => Groep::Student,
    };
    vec![rapport(data, selectie), rapport(data, &Selectie { groep: ander, ..selectie.clone() })]
}

/// The wording of an item for a group, from the newest version that has it.
fn item_tekst(qs: &Questionnaires, code: &str, groep: Groep) -> String {
    qs.all().iter().rev().find_map(|q| q.item(code)).map(|i| i.tekst(groep).to_owned()).unwrap_or_default()
}
