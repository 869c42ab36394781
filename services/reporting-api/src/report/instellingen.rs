//! SBB's overview across schools: for a national selection (period, leerweg, sector,
//! kwalificatie, group), every instelling's grade, theme scores and response beside the national
//! figures. Each row is the results engine's own figure for that instelling — the same as
//! `/v1/resultaten?instelling=…` gives — so every figure is k-safe per instelling, and a row
//! says "onvoldoende respons" where the school's own report would.

use std::cmp::Ordering;

use bpv_aggregation::{CIJFER_CODE, Resultaat, Selectie};
use bpv_web::Problem;
use serde::Serialize;
use utoipa::ToSchema;

use super::{Cijfer, Keuze, Respons, SelectieDto, landelijk, param};
use crate::data::ReportData;

/// Een themascore van één rij.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ThemaScore {
    pub code: String,
    pub score: Cijfer,
}

/// Eén instelling (of de landelijke rij).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InstellingRij {
    /// BRIN; `landelijk` voor de landelijke rij.
    pub code: String,
    pub naam: String,
    /// Het rapportcijfer (1–10).
    pub cijfer: Cijfer,
    /// De score van elk thema, in de volgorde van `themas` van het overzicht.
    pub themas: Vec<ThemaScore>,
    pub respons: Respons,
}

/// Het antwoord van `GET /v1/resultaten/instellingen`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstellingenOverzicht {
    /// De selectie (landelijk: geen instelling, aanbieder of locatie).
    pub selectie: SelectieDto,
    /// Wanneer deze cijfers zijn gepubliceerd (RFC 3339).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub gepubliceerd_op: Option<chrono::DateTime<chrono::Utc>>,
    /// Geen cijfer berust op minder antwoorden dan dit.
    pub k: u64,
    /// De thema's, in de volgorde van de vragenlijst (de kolommen).
    pub themas: Vec<Keuze>,
    /// De kolom waarop de rijen zijn gesorteerd: `naam`, `cijfer`, `respons` of een themacode.
    pub sorteer: String,
    /// `op` (oplopend) of `af` (aflopend); rijen zonder cijfer komen in beide gevallen als laatste.
    pub richting: String,
    pub landelijk: InstellingRij,
    pub instellingen: Vec<InstellingRij>,
}

/// How the rows are sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sortering {
    pub kolom: String,
    pub af: bool,
}

impl Sortering {
    /// From the query's `sorteer` and `richting` (defaults: by name ascending; a figure
    /// descending). Unknown values are a 400 naming the key; `themas` are the valid theme codes.
    pub fn parse(sorteer: Option<&str>, richting: Option<&str>, themas: &[Keuze]) -> Result<Self, Problem> {
        let kolom = sorteer.unwrap_or("naam");
        let mut bad = Vec::new();
        if !["naam", "cijfer", "respons"].contains(&kolom) && !themas.iter().any(|t| t.code == kolom) {
            bad.push(param(
                "sorteer",
                "enum",
                "sorteer op naam, cijfer, respons of een themacode",
                "sort by naam, cijfer, respons or a theme code",
            ));
        }
        let af = match richting {
            None => kolom != "naam",
            Some("op") => false,
            Some("af") => true,
            Some(_) => {
                bad.push(param("richting", "enum", "op of af", "op or af"));
                false
            }
        };
        if bad.is_empty() {
            Ok(Sortering { kolom: kolom.to_owned(), af })
        } else {
            Err(Problem::invalid_input("onbekende sortering", bad))
        }
    }
}

fn leeg() -> Cijfer {
    let geen = bpv_aggregation::REDEN_GEEN_ANTWOORDEN;
    Cijfer { waarde: None, n: 0, tekst: geen.into(), reden: Some(geen.into()) }
}

fn rij(code: String, naam: String, r: &Resultaat, themas: &[Keuze]) -> InstellingRij {
    InstellingRij {
        code,
        naam,
        cijfer: r.item(CIJFER_CODE).map_or_else(leeg, |i| Cijfer::of(&i.mean, false)),
        themas: themas
            .iter()
            .map(|t| ThemaScore {
                code: t.code.clone(),
                score: r.theme(&t.code).map_or_else(leeg, |x| Cijfer::of(&x.score, false)),
            })
            .collect(),
        respons: Respons::of(r),
    }
}

impl InstellingRij {
    fn sleutel(&self, kolom: &str) -> Option<f64> {
        match kolom {
            "cijfer" => self.cijfer.waarde,
            "respons" => self.respons.percentage,
            code => self.themas.iter().find(|t| t.code == code).and_then(|t| t.score.waarde),
        }
    }
}

/// The themes of a national result, as columns.
pub fn themas(land: &Resultaat) -> Vec<Keuze> {
    land.themes.iter().map(|t| Keuze { code: t.code.clone(), naam: t.naam.clone() }).collect()
}

/// The overview of a checked national selection, sorted. Every instelling known to the system
/// has a row (without answers: "geen antwoorden").
pub fn overzicht(data: &ReportData, selectie: &Selectie, sortering: &Sortering) -> InstellingenOverzicht {
    let names = data.names();
    let land_sel = landelijk(selectie);
    let land = data.evaluate(&land_sel);
    let themas = themas(&land);
    let mut instellingen: Vec<InstellingRij> = names
        .instellingen
        .iter()
        .map(|(brin, naam)| {
            let r = data.evaluate(&Selectie { brin: Some(brin.clone()), ..land_sel.clone() });
            rij(brin.clone(), naam.clone(), &r, &themas)
        })
        .collect();
    sorteer(&mut instellingen, sortering);
    InstellingenOverzicht {
        selectie: SelectieDto::of(&land_sel, &names),
        gepubliceerd_op: data.gepubliceerd(),
        k: data.k(),
        landelijk: rij("landelijk".into(), "Landelijk".into(), &land, &themas),
        themas,
        sorteer: sortering.kolom.clone(),
        richting: if sortering.af { "af" } else { "op" }.into(),
        instellingen,
    }
}

/// Sort by the column; rows without a figure last, ties by name.
fn sorteer(rijen: &mut [InstellingRij], s: &Sortering) {
    let naam = |a: &InstellingRij, b: &InstellingRij| a.naam.to_lowercase().cmp(&b.naam.to_lowercase());
    rijen.sort_by(|a, b| {
        if s.kolom == "naam" {
            let o = naam(a, b);
            return if s.af { o.reverse() } else { o };
        }
        match (a.sleutel(&s.kolom), b.sleutel(&s.kolom)) {
            (Some(x), Some(y)) => {
                let o = x.partial_cmp(&y).unwrap_or(Ordering::Equal);
                (if s.af { o.reverse() } else { o }).then_with(|| naam(a, b))
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => naam(a, b),
        }
    });
}

/// The CSV columns before the themes.
const CSV_BEGIN: [&str; 4] = ["instelling", "naam", "cijfer", "cijfer_n"];
/// The CSV columns after the themes.
const CSV_EIND: [&str; 4] = ["respons_pct", "beantwoord", "uitgenodigd", "toelichting"];

/// The overview as CSV for Excel (`;`, decimal commas, a UTF-8 BOM): the national row first,
/// a column per theme; a withheld figure is empty and named in `toelichting`.
pub fn csv(o: &InstellingenOverzicht) -> Result<Vec<u8>, csv::Error> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(&mut out);
        let mut kop: Vec<&str> = CSV_BEGIN.to_vec();
        kop.extend(o.themas.iter().map(|t| t.code.as_str()));
        kop.extend(CSV_EIND);
        w.write_record(bpv_web::export::csv_rij(kop))?;
        for r in std::iter::once(&o.landelijk).chain(&o.instellingen) {
            let waarde = |c: &Cijfer| c.waarde.map(|v| bpv_aggregation::decimal_nl(v, 2)).unwrap_or_default();
            let mut velden = vec![r.code.clone(), r.naam.clone(), waarde(&r.cijfer), r.cijfer.n.to_string()];
            velden.extend(r.themas.iter().map(|t| waarde(&t.score)));
            velden.push(r.respons.percentage.map(|p| bpv_aggregation::decimal_nl(p, 1)).unwrap_or_default());
            velden.push(r.respons.beantwoord.to_string());
            velden.push(r.respons.uitgenodigd.to_string());
            let mut weg: Vec<String> = Vec::new();
            if let Some(reden) = &r.cijfer.reden {
                weg.push(format!("cijfer: {reden}"));
            }
            for t in &r.themas {
                if let Some(reden) = &t.score.reden {
                    weg.push(format!("{}: {reden}", t.code));
                }
            }
            velden.push(weg.join("; "));
            w.write_record(bpv_web::export::csv_rij(velden.iter().map(String::as_str)))?;
        }
        w.flush()?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(naam: &str, cijfer: Option<f64>) -> InstellingRij {
        let c = Cijfer { waarde: cijfer, n: 0, tekst: String::new(), reden: None };
        let respons = Respons { beantwoord: 0, uitgenodigd: 0, percentage: None, tekst: String::new() };
        InstellingRij { code: naam.into(), naam: naam.into(), cijfer: c, themas: Vec::new(), respons }
    }

    #[test]
    fn rows_without_a_figure_come_last_in_either_direction() {
        let mut rows = vec![r("b", Some(7.0)), r("a", None), r("c", Some(8.0)), r("d", Some(7.0))];
        let order = |rows: &[InstellingRij]| rows.iter().map(|r| r.naam.clone()).collect::<Vec<_>>();
        sorteer(&mut rows, &Sortering { kolom: "cijfer".into(), af: true });
        assert_eq!(order(&rows), ["c", "b", "d", "a"]);
        sorteer(&mut rows, &Sortering { kolom: "cijfer".into(), af: false });
        assert_eq!(order(&rows), ["b", "d", "c", "a"]);
        sorteer(&mut rows, &Sortering { kolom: "naam".into(), af: true });
        assert_eq!(order(&rows), ["d", "c", "b", "a"]);
    }

    #[test]
    fn sorting_is_checked() {
        let themas = [Keuze { code: "begeleiding".into(), naam: "Begeleiding".into() }];
        assert_eq!(Sortering::parse(None, None, &themas).unwrap(), Sortering { kolom: "naam".into(), af: false });
        assert_eq!(
            Sortering::parse(Some("begeleiding"), None, &themas).unwrap(),
            Sortering { kolom: "begeleiding".into(), af: true }
        );
        let p = Sortering::parse(Some("x"), Some("omhoog"), &themas).unwrap_err();
        let names: Vec<&str> = p.invalid_params.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["sorteer", "richting"]);
    }
}
