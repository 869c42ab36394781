//! The answer's shapes: the selection beside the national figures, per theme and question, with
//! the response line and what was left out. The OpenAPI schemas of `/v1/resultaten`.

use std::collections::BTreeMap;

use bpv_aggregation::{Figure, ItemResult, Resultaat};
use serde::Serialize;
use utoipa::ToSchema;

/// De selectie zoals die is begrepen.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SelectieDto {
    /// BRIN; ontbreekt bij een landelijke selectie (alleen SBB).
    pub instelling: Option<String>,
    pub instelling_naam: Option<String>,
    /// Eerste maand (`jjjj-mm`), inclusief.
    pub van: Option<String>,
    /// Laatste maand, inclusief.
    pub tot_en_met: Option<String>,
    pub aanbieders: Vec<String>,
    pub locaties: Vec<String>,
    pub leerweg: Option<String>,
    pub sector: Option<String>,
    /// De SBB-naam van `sector` (`Zorg, welzijn en sport`).
    pub sector_naam: Option<String>,
    pub crebo: Option<String>,
    /// `studenten` of `praktijkopleiders`.
    #[schema(example = "studenten")]
    pub groep: String,
}

impl SelectieDto {
    /// The selection as understood, with the instelling's name.
    pub fn of(selectie: &bpv_aggregation::Selectie, names: &crate::data::Names) -> Self {
        SelectieDto {
            instelling: selectie.brin.clone(),
            instelling_naam: selectie.brin.as_ref().and_then(|b| names.instellingen.get(b).cloned()),
            van: selectie.van.map(|m| m.to_string()),
            tot_en_met: selectie.tot_en_met.map(|m| m.to_string()),
            aanbieders: selectie.aanbieders.clone(),
            locaties: selectie.locaties.clone(),
            leerweg: selectie.leerweg.clone(),
            sector: selectie.sector.clone(),
            sector_naam: selectie.sector.as_deref().map(super::sector_naam),
            crebo: selectie.crebo.clone(),
            groep: super::groep_naam(selectie.groep).into(),
        }
    }

    /// Who the figures are of: the instelling's name (or BRIN), or "Landelijk".
    pub fn wie(&self) -> String {
        self.instelling_naam.clone().or_else(|| self.instelling.clone()).unwrap_or_else(|| "Landelijk".into())
    }

    /// The period in words: `januari 2025 t/m december 2025`, or `alle maanden`.
    pub fn periode_tekst(&self) -> String {
        let maand = |m: &Option<String>, anders: &str| {
            m.as_deref()
                .and_then(|m| m.parse::<bpv_aggregation::YearMonth>().ok())
                .map_or_else(|| anders.to_owned(), |m| bpvo::maand_nl(m.year, u32::from(m.month)))
        };
        match (&self.van, &self.tot_en_met) {
            (None, None) => "alle maanden".into(),
            (van, tot) => format!("{} t/m {}", maand(van, "het begin"), maand(tot, "nu")),
        }
    }

    /// The filters besides instelling and period in words (`leerweg BBL; sector techniek`), or
    /// `geen verdere filters`.
    pub fn filters_tekst(&self) -> String {
        let delen = self.filter_delen();
        if delen.is_empty() { "geen verdere filters".into() } else { delen.join("; ") }
    }

    /// Each filter besides instelling and period in words (`leerweg BBL`).
    fn filter_delen(&self) -> Vec<String> {
        let mut delen = Vec::new();
        let sector = self.sector_naam.as_ref().or(self.sector.as_ref());
        for (naam, waarde) in [("leerweg", self.leerweg.as_ref()), ("sector", sector), ("crebo", self.crebo.as_ref())] {
            if let Some(w) = waarde {
                delen.push(format!("{naam} {w}"));
            }
        }
        if !self.aanbieders.is_empty() {
            delen.push(format!("aanbieder {}", self.aanbieders.join(", ")));
        }
        if !self.locaties.is_empty() {
            delen.push(format!("locatie {}", self.locaties.join(", ")));
        }
        delen
    }

    /// The selection in one line, for the top of an export: `Selectie: ROC …; januari 2025 t/m
    /// december 2025; leerweg BBL`.
    pub fn omschrijving(&self) -> String {
        let mut delen = vec![self.wie()];
        if self.van.is_some() || self.tot_en_met.is_some() {
            delen.push(self.periode_tekst());
        }
        delen.extend(self.filter_delen());
        format!("Selectie: {}", delen.join("; "))
    }
}

/// A publication moment in Dutch, in Dutch time: `3 december 2026 om 06:00`, or `nog
/// niet gepubliceerd`.
pub fn gepubliceerd_nl(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    match t {
        Some(t) => {
            let t = t.with_timezone(&bpvo::TIJDZONE);
            format!("{} om {}", bpvo::datum_nl(t.date_naive()), t.format("%H:%M"))
        }
        None => "nog niet gepubliceerd".into(),
    }
}

/// Eén gepubliceerd cijfer, of waarom het wordt achtergehouden.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Cijfer {
    /// De waarde (twee decimalen); null als het cijfer wordt achtergehouden.
    pub waarde: Option<f64>,
    /// Het aantal antwoorden waarop het cijfer berust.
    pub n: u64,
    /// Zoals getoond: `7,4`, `62%`, of de reden waarom het wordt achtergehouden.
    pub tekst: String,
    /// `onvoldoende respons` (minder dan k antwoorden) of `geen antwoorden`; null als het cijfer wordt getoond.
    pub reden: Option<String>,
}

impl Cijfer {
    pub(super) fn of(f: &Figure, percent: bool) -> Self {
        let tekst = match (f.value, percent) {
            (Some(v), true) => format!("{}%", bpv_aggregation::round_half_up(v, 0)),
            _ => f.nl(1),
        };
        Cijfer {
            waarde: f.value.map(|v| bpv_aggregation::round_half_up(v, 2)),
            n: f.n,
            tekst,
            reden: f.suppressed.map(str::to_owned),
        }
    }
}

/// Hoeveel antwoorden één bepaalde waarde hebben.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Aantal {
    pub waarde: u8,
    pub aantal: u64,
}

/// De cijfers van één vraag aan één kant.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemCijfers {
    /// Gemiddelde: cijfer 1–10 of schaal 1–5.
    pub gemiddelde: Cijfer,
    /// % (zeer) eens (antwoorden 4 of 5); alleen bij schaalvragen.
    pub eens: Option<Cijfer>,
    /// Antwoorden per waarde; null als het gemiddelde wordt achtergehouden.
    pub verdeling: Option<Vec<Aantal>>,
    /// Antwoorden "niet van toepassing" (niet in n).
    pub nvt: u64,
}

impl ItemCijfers {
    pub(super) fn of(i: &ItemResult) -> Self {
        ItemCijfers {
            gemiddelde: Cijfer::of(&i.mean, false),
            eens: i.eens.as_ref().map(|e| Cijfer::of(e, true)),
            verdeling: i
                .verdeling
                .as_ref()
                .map(|v| v.iter().map(|&(waarde, aantal)| Aantal { waarde, aantal }).collect()),
            nvt: i.nvt,
        }
    }
}

/// Een vraag, de selectie naast de landelijke cijfers.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemDto {
    pub code: String,
    /// De vraag zoals die aan de groep is gesteld.
    pub tekst: String,
    /// `cijfer` (1–10) of `schaal` (1–5).
    pub soort: String,
    /// De selectie; null bij een landelijke selectie.
    pub instelling: Option<ItemCijfers>,
    pub landelijk: ItemCijfers,
}

/// Een themascore aan beide kanten.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScorePaar {
    pub instelling: Option<Cijfer>,
    pub landelijk: Cijfer,
}

/// Een thema met zijn score en vragen.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ThemaDto {
    pub code: String,
    pub naam: String,
    /// De themascore: het gemiddelde over de antwoorden op de getoonde vragen van het thema (docs/api.md).
    pub score: ScorePaar,
    pub items: Vec<ItemDto>,
}

/// Beantwoord / uitgenodigd.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Respons {
    pub beantwoord: u64,
    pub uitgenodigd: u64,
    /// 0–100, één decimaal; null zonder uitnodigingen of met minder dan k getelde antwoorden.
    pub percentage: Option<f64>,
    /// `11% (3.631 van 32.537)`, of `onvoldoende respons` onder k antwoorden.
    pub tekst: String,
}

impl Respons {
    /// Fewer than `k` counted answers (with whole atoms: none) says "onvoldoende respons" rather
    /// than "0%" or "—": the answers may be there, in groups too small to count (with their
    /// invitations). "—" only when nobody in the selection was invited at all.
    pub(super) fn of(r: &Resultaat) -> Self {
        let enough = r.response.responded >= r.k;
        Respons {
            beantwoord: r.response.responded,
            uitgenodigd: r.response.invited,
            percentage: r.response.rate.filter(|_| enough).map(|x| bpv_aggregation::round_half_up(x * 100.0, 1)),
            tekst: if enough || r.leeg {
                r.response.line()
            } else {
                bpv_aggregation::REDEN_ONVOLDOENDE_RESPONS.to_owned()
            },
        }
    }
}

/// De responsregel aan beide kanten.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResponsPaar {
    pub instelling: Option<Respons>,
    pub landelijk: Respons,
}

/// Antwoorden die niet zijn meegeteld omdat de kleine groep waarin ze zijn samengevoegd maar voor
/// een deel binnen de selectie valt (docs/privacy.md, over de filters die meetellen): hele groepen
/// van minstens k antwoorden.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NietMeegeteld {
    /// Niet meegeteld in de cijfers van de instelling (ontbreekt bij een landelijke selectie).
    pub instelling: Option<u64>,
    /// Niet meegeteld in de landelijke cijfers.
    pub landelijk: u64,
    /// Waarom, in het Nederlands, met de filters die de groepen splitsen; null als alles is meegeteld.
    pub reden: Option<String>,
    /// De filters die ze splitsen, met het aantal antwoorden dat elk filter niet liet meetellen (een antwoord
    /// dat door twee filters wordt gesplitst, telt onder beide): `periode`, `onderwijslocatie`, `leerweg`,
    /// `sector`, `kwalificatie`.
    pub filters: BTreeMap<String, u64>,
    /// De dichtstbijzijnde selectie die meer meetelt, in het Nederlands (bijv. "Kies de sector in plaats
    /// van de kwalificatie."); null als alles is meegeteld.
    pub suggestie: Option<String>,
}

impl NietMeegeteld {
    /// The instelling's side speaks for a school selection, the national side otherwise.
    pub(super) fn of(own: Option<&Resultaat>, land: &Resultaat) -> Self {
        let main = own.unwrap_or(land);
        let mut filters: BTreeMap<String, u64> = BTreeMap::new();
        for r in own.into_iter().chain(std::iter::once(land)) {
            for (f, n) in &r.niet_meegeteld_door {
                *filters.entry(f.naam().to_owned()).or_default() += n;
            }
        }
        let reden =
            main.niet_meegeteld_reden().or_else(|| land.niet_meegeteld_reden().map(|r| format!("Landelijk: {r}")));
        let suggestie = main.suggestie().or_else(|| land.suggestie()).map(str::to_owned);
        NietMeegeteld {
            instelling: own.map(|o| o.niet_meegeteld),
            landelijk: land.niet_meegeteld,
            reden,
            filters,
            suggestie,
        }
    }
}

/// Het antwoord van `GET /v1/resultaten`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Rapport {
    pub selectie: SelectieDto,
    /// Wanneer deze cijfers zijn gepubliceerd (RFC 3339): ze veranderen pas op het volgende
    /// publicatiemoment. Null voordat de cijfers voor het eerst zijn geladen.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub gepubliceerd_op: Option<chrono::DateTime<chrono::Utc>>,
    /// Geen cijfer berust op minder antwoorden dan dit.
    pub k: u64,
    pub respons: ResponsPaar,
    pub niet_meegeteld: NietMeegeteld,
    pub themas: Vec<ThemaDto>,
}
