//! The answer's shapes: the selection beside the national figures, per theme and question, with
//! the response line and what was left out. The OpenAPI schemas of `/v1/resultaten`.

use std::collections::BTreeMap;

use bpv_aggregation::{Figure, ItemResult, Resultaat};
use serde::Serialize;
use utoipa::ToSchema;

/// The selection as understood.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SelectieDto {
    /// BRIN; absent for a national selection (SBB only).
    pub instelling: Option<String>,
    pub instelling_naam: Option<String>,
    /// First month (`jjjj-mm`), inclusive.
    pub van: Option<String>,
    /// Last month, inclusive.
    pub tot_en_met: Option<String>,
    pub aanbieders: Vec<String>,
    pub locaties: Vec<String>,
    pub leerweg: Option<String>,
    pub sector: Option<String>,
    /// The SBB name of `sector` (`Zorg, welzijn en sport`).
    pub sector_naam: Option<String>,
    pub crebo: Option<String>,
    /// `studenten` or `praktijkopleiders`.
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

/// One published number, or why it is withheld.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Cijfer {
    /// The value (two decimals); null when withheld.
    pub waarde: Option<f64>,
    /// The number of answers it rests on.
    pub n: u64,
    /// As shown: `7,4`, `62%`, or the reason it is withheld.
    pub tekst: String,
    /// `onvoldoende respons` (fewer than k answers) or `geen antwoorden`; null when shown.
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

/// How many answers have one value.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Aantal {
    pub waarde: u8,
    pub aantal: u64,
}

/// The figures of one question on one side.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemCijfers {
    /// Mean: grade 1–10 or scale 1–5.
    pub gemiddelde: Cijfer,
    /// % (zeer) eens (answers 4 or 5); scale questions only.
    pub eens: Option<Cijfer>,
    /// Answers per value; null when the mean is withheld.
    pub verdeling: Option<Vec<Aantal>>,
    /// "Niet van toepassing" answers (not in n).
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

/// A question, the selection beside the national figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemDto {
    pub code: String,
    /// The question as the group was asked it.
    pub tekst: String,
    /// `cijfer` (1–10) or `schaal` (1–5).
    pub soort: String,
    /// The selection; null for a national selection.
    pub instelling: Option<ItemCijfers>,
    pub landelijk: ItemCijfers,
}

/// A theme score on both sides.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScorePaar {
    pub instelling: Option<Cijfer>,
    pub landelijk: Cijfer,
}

/// A theme with its score and questions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ThemaDto {
    pub code: String,
    pub naam: String,
    /// The theme score: the mean over its shown questions' answers (docs/api.md).
    pub score: ScorePaar,
    pub items: Vec<ItemDto>,
}

/// Responded / invited.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Respons {
    pub beantwoord: u64,
    pub uitgenodigd: u64,
    /// 0–100, one decimal; null without invitations or with fewer than k answers counted.
    pub percentage: Option<f64>,
    /// `11% (3.631 van 32.537)`, or `onvoldoende respons` below k answers.
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

/// The response line on both sides.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResponsPaar {
    pub instelling: Option<Respons>,
    pub landelijk: Respons,
}

/// Answers left out because the small group they were merged into lies only partly inside the
/// selection (docs/privacy.md, "Which filters count"): whole groups of at least k answers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NietMeegeteld {
    /// Left out of the instelling's figures (absent for a national selection).
    pub instelling: Option<u64>,
    /// Left out of the national figures.
    pub landelijk: u64,
    /// Why, in Dutch, naming the filters that split the groups; null when nothing was left out.
    pub reden: Option<String>,
    /// The filters that split them, with the answers each left out (an answer split by two
    /// filters counts under both): `periode`, `onderwijslocatie`, `leerweg`, `sector`,
    /// `kwalificatie`.
    pub filters: BTreeMap<String, u64>,
    /// The nearest selection that counts more, in Dutch (e.g. "Kies de sector in plaats van de
    /// kwalificatie."); null when nothing was left out.
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

/// `GET /v1/resultaten`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Rapport {
    pub selectie: SelectieDto,
    /// When these figures were published (RFC 3339): they change only at the next publication
    /// moment. Null before the first load.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub gepubliceerd_op: Option<chrono::DateTime<chrono::Utc>>,
    /// No figure rests on fewer answers than this.
    pub k: u64,
    pub respons: ResponsPaar,
    pub niet_meegeteld: NietMeegeteld,
    pub themas: Vec<ThemaDto>,
}
