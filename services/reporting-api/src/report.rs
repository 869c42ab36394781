//! One report, three faces: the query a user sends (API, CSV export and dashboard take the same
//! keys), the check of that query against who asks, and the answer — the selection beside the
//! national figures for the same period, leerweg, sector and kwalificatie.

use std::collections::{BTreeMap, BTreeSet};

use bpv_aggregation::{Figure, ItemKind, ItemResult, Questionnaires, Resultaat, Selectie, YearMonth};
use bpv_web::{InvalidParam, Problem};
use bpvo::Groep;
use serde::Serialize;
use utoipa::ToSchema;

use crate::data::{Names, ReportData};

/// At most this many values for one list filter.
pub const MAX_VALUES: usize = 50;

/// The query keys every report endpoint accepts.
pub const QUERY_KEYS: [&str; 9] =
    ["instelling", "van", "totEnMet", "aanbieder", "locatie", "leerweg", "sector", "crebo", "groep"];

/// Who is asking: a school (bounded to its instelling) or SBB staff (any instelling, national).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kijker {
    School { brin: String },
    Sbb,
}

/// The query as sent, before checking: every key may repeat (`aanbieder=A&aanbieder=B`) or hold
/// a comma-separated list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vraag {
    pub instelling: Option<String>,
    pub van: Option<String>,
    pub tot_en_met: Option<String>,
    pub aanbieders: Vec<String>,
    pub locaties: Vec<String>,
    pub leerweg: Option<String>,
    pub sector: Option<String>,
    pub crebo: Option<String>,
    pub groep: Option<String>,
    /// What was wrong with the query itself (unknown or repeated keys); reported by
    /// [`Vraag::check`] together with the bad values.
    pub fouten: Vec<InvalidParam>,
}

pub(crate) fn param(name: &str, code: &str, reason: impl Into<String>, reason_en: impl Into<String>) -> InvalidParam {
    InvalidParam { name: name.into(), code: code.into(), reason: reason.into(), reason_en: reason_en.into() }
}

impl Vraag {
    /// Parse a query string; unknown keys, repeated single-value keys and too many values are
    /// kept in `fouten` (only a query that is not a query at all fails here). `extra` keys are allowed besides [`QUERY_KEYS`] (the dashboard's `thema`).
    pub fn parse(query: &str, extra: &[&str]) -> Result<(Vraag, Vec<(String, String)>), Problem> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).map_err(|e| {
            Problem::invalid_input(
                "de query-string is ongeldig",
                vec![param("query", "syntax", format!("ongeldige query-string: {e}"), format!("invalid query: {e}"))],
            )
        })?;
        let mut v = Vraag::default();
        let mut bad = Vec::new();
        let mut rest = Vec::new();
        for (key, value) in pairs {
            let value = value.trim().to_owned();
            let single = |slot: &mut Option<String>, bad: &mut Vec<InvalidParam>| {
                if slot.is_some() {
                    bad.push(param(&key, "repeated", "deze parameter mag maar één keer voorkomen", "may occur once"));
                } else if !value.is_empty() {
                    *slot = Some(value.clone());
                }
            };
            match key.as_str() {
                "instelling" => single(&mut v.instelling, &mut bad),
                "van" => single(&mut v.van, &mut bad),
                "totEnMet" => single(&mut v.tot_en_met, &mut bad),
                "leerweg" => single(&mut v.leerweg, &mut bad),
                "sector" => single(&mut v.sector, &mut bad),
                "crebo" => single(&mut v.crebo, &mut bad),
                "groep" => single(&mut v.groep, &mut bad),
                "aanbieder" | "locatie" => {
                    let list = if key == "aanbieder" { &mut v.aanbieders } else { &mut v.locaties };
                    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                        if !list.iter().any(|x| x == part) {
                            list.push(part.to_owned());
                        }
                    }
                }
                k if extra.contains(&k) => rest.push((key.clone(), value.clone())),
                _ => bad.push(param(
                    &key,
                    "unknown",
                    format!("onbekende parameter; bekend zijn: {}", QUERY_KEYS.join(", ")),
                    format!("unknown parameter; known: {}", QUERY_KEYS.join(", ")),
                )),
            }
        }
        for (name, list) in [("aanbieder", &v.aanbieders), ("locatie", &v.locaties)] {
            if list.len() > MAX_VALUES {
                bad.push(param(
                    name,
                    "too_many",
                    format!("ten hoogste {MAX_VALUES} waarden"),
                    format!("at most {MAX_VALUES} values"),
                ));
            }
        }
        v.fouten = bad;
        Ok((v, rest))
    }

    /// Check the query against who asks and the known codes; every bad key is named.
    pub fn check(&self, kijker: &Kijker, names: &Names) -> Result<Selectie, Problem> {
        let mut bad = self.fouten.clone();
        let (brin, unknown) = instelling_for(kijker, self.instelling.as_deref(), names)?;
        bad.extend(unknown);
        let month = |name: &str, raw: &Option<String>, bad: &mut Vec<InvalidParam>| {
            raw.as_deref().and_then(|s| match s.parse::<YearMonth>() {
                Ok(m) => Some(m),
                Err(e) => {
                    bad.push(param(name, "pattern", e.to_string(), "expected yyyy-mm, e.g. 2024-07"));
                    None
                }
            })
        };
        let van = month("van", &self.van, &mut bad);
        let tot_en_met = month("totEnMet", &self.tot_en_met, &mut bad);
        if let (Some(v), Some(t)) = (van, tot_en_met)
            && v > t
        {
            bad.push(param("totEnMet", "date_order", "totEnMet ligt vóór van", "totEnMet is before van"));
        }
        let groep = match self.groep.as_deref() {
            None => Groep::Student,
            Some(g) => Groep::parse(g).unwrap_or_else(|| {
                bad.push(param(
                    "groep",
                    "enum",
                    "kies studenten of praktijkopleiders",
                    "studenten or praktijkopleiders",
                ));
                Groep::Student
            }),
        };
        let leerweg = self.leerweg.as_deref().map(str::to_uppercase);
        if leerweg.as_deref().is_some_and(|l| l != "BOL" && l != "BBL") {
            bad.push(param("leerweg", "enum", "kies BOL of BBL", "BOL or BBL"));
        }
        if self.crebo.as_deref().is_some_and(|c| c.len() != 5 || !c.bytes().all(|b| b.is_ascii_digit())) {
            bad.push(param("crebo", "pattern", "een crebocode heeft vijf cijfers", "five digits"));
        }
        if let Some(s) = &self.sector
            && !names.kwalificaties.values().any(|(_, sector)| sector == s)
        {
            bad.push(param(
                "sector",
                "unknown",
                "onbekende sector; zie /v1/filters",
                "unknown sector; see /v1/filters",
            ));
        }
        let mut aanbieders = Vec::new();
        for a in &self.aanbieders {
            let a = a.to_uppercase();
            match (names.aanbieders.get(&a), &brin) {
                (Some((owner, _)), Some(b)) if owner == b => aanbieders.push(a),
                (_, None) => bad.push(param(
                    "aanbieder",
                    "requires_instelling",
                    "kies eerst een instelling",
                    "select an instelling first",
                )),
                _ => bad.push(param(
                    "aanbieder",
                    "unknown",
                    format!("{a} is geen onderwijsaanbieder van deze instelling"),
                    format!("{a} is not an aanbieder of this instelling"),
                )),
            }
        }
        let mut locaties = Vec::new();
        for l in &self.locaties {
            let owner = names.locaties.get(l).and_then(|(aanbieder, _)| names.aanbieders.get(aanbieder));
            match (owner, &brin) {
                (Some((owner, _)), Some(b)) if owner == b => locaties.push(l.clone()),
                (_, None) => bad.push(param(
                    "locatie",
                    "requires_instelling",
                    "kies eerst een instelling",
                    "select an instelling first",
                )),
                _ => bad.push(param(
                    "locatie",
                    "unknown",
                    format!("{l} is geen onderwijslocatie van deze instelling"),
                    format!("{l} is not a locatie of this instelling"),
                )),
            }
        }
        if !bad.is_empty() {
            return Err(Problem::invalid_input("de selectie is ongeldig", bad));
        }
        Ok(Selectie {
            van,
            tot_en_met,
            brin,
            aanbieders,
            locaties,
            leerweg,
            sector: self.sector.clone(),
            crebo: self.crebo.clone(),
            groep,
        })
    }
}

/// The instelling a viewer's request is about: a school's own (asking for another is forbidden),
/// or for SBB the one asked for (upper-cased; the second value names it when it is unknown) or
/// none (national).
fn instelling_for(
    kijker: &Kijker,
    asked: Option<&str>,
    names: &Names,
) -> Result<(Option<String>, Option<InvalidParam>), Problem> {
    match (kijker, asked) {
        (Kijker::School { brin }, Some(asked)) if !asked.eq_ignore_ascii_case(brin) => {
            Err(Problem::forbidden(format!("dit token geeft alleen toegang tot de resultaten van instelling {brin}")))
        }
        (Kijker::School { brin }, _) => Ok((Some(brin.clone()), None)),
        (Kijker::Sbb, Some(asked)) => {
            let asked = asked.to_uppercase();
            let unknown = (!names.instellingen.contains_key(&asked))
                .then(|| param("instelling", "unknown", "onbekende instelling (BRIN)", "unknown instelling"));
            Ok((Some(asked), unknown))
        }
        (Kijker::Sbb, None) => Ok((None, None)),
    }
}

/// The plural the API speaks.
pub fn groep_naam(g: Groep) -> &'static str {
    match g {
        Groep::Student => "studenten",
        Groep::Praktijkopleider => "praktijkopleiders",
    }
}

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
    pub crebo: Option<String>,
    /// `studenten` or `praktijkopleiders`.
    #[schema(example = "studenten")]
    pub groep: String,
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
    fn of(f: &Figure, percent: bool) -> Self {
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
    fn of(i: &ItemResult) -> Self {
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
    fn of(r: &Resultaat) -> Self {
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
    fn of(own: Option<&Resultaat>, land: &Resultaat) -> Self {
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
    /// No figure rests on fewer answers than this.
    pub k: u64,
    pub respons: ResponsPaar,
    pub niet_meegeteld: NietMeegeteld,
    pub themas: Vec<ThemaDto>,
}

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
        selectie: SelectieDto {
            instelling: selectie.brin.clone(),
            instelling_naam: selectie.brin.as_ref().and_then(|b| names.instellingen.get(b).cloned()),
            van: selectie.van.map(|m| m.to_string()),
            tot_en_met: selectie.tot_en_met.map(|m| m.to_string()),
            aanbieders: selectie.aanbieders.clone(),
            locaties: selectie.locaties.clone(),
            leerweg: selectie.leerweg.clone(),
            sector: selectie.sector.clone(),
            crebo: selectie.crebo.clone(),
            groep: groep_naam(selectie.groep).into(),
        },
        k: land.k,
        respons: ResponsPaar { instelling: own.as_deref().map(Respons::of), landelijk: Respons::of(&land) },
        niet_meegeteld: NietMeegeteld::of(own.as_deref(), &land),
        themas,
    }
}

/// The wording of an item for a group, from the newest version that has it.
fn item_tekst(qs: &Questionnaires, code: &str, groep: Groep) -> String {
    qs.all().iter().rev().find_map(|q| q.item(code)).map(|i| i.tekst(groep).to_owned()).unwrap_or_default()
}

/// The CSV columns of the export.
pub const CSV_COLUMNS: [&str; 12] = [
    "groep",
    "thema",
    "code",
    "vraag",
    "soort",
    "instelling_gemiddelde",
    "instelling_pct_eens",
    "instelling_n",
    "landelijk_gemiddelde",
    "landelijk_pct_eens",
    "landelijk_n",
    "toelichting",
];

/// The report as CSV for Excel: `;`-separated, decimal commas, a UTF-8 BOM. One row per theme
/// score (`soort` = `thema`), per question, and one for the response (`soort` = `respons`:
/// the percentage in the `gemiddelde` columns, the number answered in `n`).
pub fn csv(r: &Rapport) -> Result<Vec<u8>, csv::Error> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(&mut out);
        w.write_record(bpv_web::export::csv_rij(CSV_COLUMNS))?;
        let value = |c: Option<&Cijfer>| {
            c.and_then(|c| c.waarde).map(|v| bpv_aggregation::decimal_nl(v, 2)).unwrap_or_default()
        };
        let n = |c: Option<&Cijfer>| c.map(|c| c.n.to_string()).unwrap_or_default();
        let why = |a: Option<&Cijfer>, b: &Cijfer| {
            let mut parts = Vec::new();
            if let Some(reden) = a.and_then(|a| a.reden.as_deref()) {
                parts.push(format!("instelling: {reden}"));
            }
            if let Some(reden) = b.reden.as_deref() {
                parts.push(format!("landelijk: {reden}"));
            }
            parts.join("; ")
        };
        let groep = r.selectie.groep.as_str();
        let pct = |x: Option<&Respons>| {
            x.and_then(|x| x.percentage).map(|p| bpv_aggregation::decimal_nl(p, 1)).unwrap_or_default()
        };
        let own = r.respons.instelling.as_ref();
        let land = &r.respons.landelijk;
        w.write_record(bpv_web::export::csv_rij([
            groep,
            "Respons",
            "respons",
            "Respons (beantwoord van uitgenodigd)",
            "respons",
            &pct(own),
            &own.map(|x| x.beantwoord.to_string()).unwrap_or_default(),
            &own.map(|x| x.uitgenodigd.to_string()).unwrap_or_default(),
            &pct(Some(land)),
            &land.beantwoord.to_string(),
            &land.uitgenodigd.to_string(),
            &match own {
                Some(o) => format!("instelling: {}; landelijk: {}", o.tekst, land.tekst),
                None => format!("landelijk: {}", land.tekst),
            },
        ]))?;
        for t in &r.themas {
            let (a, b) = (t.score.instelling.as_ref(), &t.score.landelijk);
            w.write_record(bpv_web::export::csv_rij([
                groep,
                &t.naam,
                &t.code,
                &t.naam,
                "thema",
                &value(a),
                "",
                &n(a),
                &value(Some(b)),
                "",
                &n(Some(b)),
                &why(a, b),
            ]))?;
            for i in &t.items {
                let a = i.instelling.as_ref();
                let b = &i.landelijk;
                w.write_record(bpv_web::export::csv_rij([
                    groep,
                    &t.naam,
                    &i.code,
                    &i.tekst,
                    &i.soort,
                    &value(a.map(|x| &x.gemiddelde)),
                    &value(a.and_then(|x| x.eens.as_ref())),
                    &n(a.map(|x| &x.gemiddelde)),
                    &value(Some(&b.gemiddelde)),
                    &value(b.eens.as_ref()),
                    &n(Some(&b.gemiddelde)),
                    &why(a.map(|x| &x.gemiddelde), &b.gemiddelde),
                ]))?;
            }
        }
        w.flush()?;
    }
    Ok(out)
}

/// A code with its name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Keuze {
    pub code: String,
    pub naam: String,
}

/// A locatie with its name and aanbieder.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LocatieKeuze {
    pub code: String,
    pub naam: String,
    pub aanbieder: String,
}

/// A kwalificatie with its name and sector.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KwalificatieKeuze {
    pub crebo: String,
    pub naam: String,
    pub sector: Option<String>,
}

/// `GET /v1/filters`: what a user may pick.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Filters {
    /// The instelling the values are for; null for SBB without `instelling`.
    pub instelling: Option<Keuze>,
    /// Every instelling (SBB only; empty for a school).
    pub instellingen: Vec<Keuze>,
    pub aanbieders: Vec<Keuze>,
    pub locaties: Vec<LocatieKeuze>,
    pub leerwegen: Vec<String>,
    pub sectoren: Vec<String>,
    pub kwalificaties: Vec<KwalificatieKeuze>,
    pub groepen: Vec<String>,
    /// The first and last month with data (`jjjj-mm`).
    pub eerste_maand: Option<String>,
    pub laatste_maand: Option<String>,
}

/// The filter values for a viewer (and, for SBB, an optional instelling).
pub fn filters(data: &ReportData, kijker: &Kijker, instelling: Option<&str>) -> Result<Filters, Problem> {
    let names = data.names();
    let (brin, unknown) = instelling_for(kijker, instelling, names.as_ref())?;
    if let Some(bad) = unknown {
        return Err(Problem::invalid_input("de selectie is ongeldig", vec![bad]));
    }
    let values = data.key_values(brin.as_deref());
    let aanbieders: Vec<Keuze> = names
        .aanbieders
        .iter()
        .filter(|(_, (owner, _))| brin.as_ref().is_some_and(|b| b == owner))
        .map(|(code, (_, naam))| Keuze { code: code.clone(), naam: naam.clone() })
        .collect();
    let own: BTreeSet<&str> = aanbieders.iter().map(|a| a.code.as_str()).collect();
    let locaties = names
        .locaties
        .iter()
        .filter(|(_, (aanbieder, _))| own.contains(aanbieder.as_str()))
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
            Kijker::School { .. } => Vec::new(),
        },
        aanbieders,
        locaties,
        leerwegen: values.leerwegen.into_iter().collect(),
        sectoren: values.sectoren.into_iter().collect(),
        kwalificaties,
        groepen: vec![groep_naam(Groep::Student).into(), groep_naam(Groep::Praktijkopleider).into()],
        eerste_maand: values.eerste_maand.map(|m| m.to_string()),
        laatste_maand: values.laatste_maand.map(|m| m.to_string()),
    })
}
