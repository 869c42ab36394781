//! The query a user sends (API, CSV export and dashboard take the same keys) and its check
//! against who asks.

use bpv_aggregation::{Selectie, YearMonth};
use bpv_web::{InvalidParam, Problem};
use bpvo::Groep;

use crate::data::Names;

/// At most this many values for one list filter.
pub const MAX_VALUES: usize = 50;

/// The query keys every report endpoint accepts.
pub const QUERY_KEYS: [&str; 9] =
    ["instelling", "van", "totEnMet", "aanbieder", "locatie", "leerweg", "sector", "crebo", "groep"];

/// The query keys of a selection, for the OpenAPI document of every endpoint that takes one
/// (`/v1/resultaten`, its exports, the trend and the response table); [`Vraag::parse`] reads them.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SelectieParams {
    /// BRIN; alleen voor SBB (het token van een school is beperkt tot de eigen instelling)
    #[param(pattern = "^[0-9]{2}[A-Za-z]{2}$")]
    instelling: Option<String>,
    /// Eerste maand, jjjj-mm
    #[param(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    van: Option<String>,
    /// Laatste maand, jjjj-mm
    #[param(rename = "totEnMet", pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    tot_en_met: Option<String>,
    /// Onderwijsaanbieder(s)
    #[param(explode)]
    aanbieder: Option<Vec<String>>,
    /// Onderwijslocatie(s)
    #[param(explode)]
    locatie: Option<Vec<String>>,
    /// BOL of BBL
    #[param(pattern = "^[Bb][BbOo][Ll]$")]
    leerweg: Option<String>,
    /// Sector, zoals /v1/filters die noemt
    sector: Option<String>,
    /// Kwalificatie
    #[param(pattern = "^[0-9]{5}$")]
    crebo: Option<String>,
    /// studenten (standaard) of praktijkopleiders
    #[param(pattern = "^(studenten?|praktijkopleiders?)$")]
    groep: Option<String>,
}

/// Who is asking: a school (bounded to its instelling), a lezer of a school (bounded to its
/// instelling and, when limited, to some of its aanbieders and/or locaties; results only) or SBB
/// staff (any instelling, national).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kijker {
    School {
        brin: String,
    },
    Lezer {
        brin: String,
        /// Aanbiedercodes the lezer may read (empty: all of the instelling's).
        aanbieders: Vec<String>,
        /// Locatiecodes the lezer may read (empty: all of the permitted aanbieders').
        locaties: Vec<String>,
    },
    Sbb,
}

impl Kijker {
    /// Refuse a lezer what is not the results (record-level views, verbeterpunten, counts of
    /// other registers): `wat` names it in the answer.
    pub fn geen_lezer(&self, wat: &str) -> Result<(), Problem> {
        match self {
            Kijker::Lezer { .. } => Err(niet_voor_lezers(wat)),
            _ => Ok(()),
        }
    }
}

/// The 403 of what a lezer may not see (`wat`, e.g. "de datakwaliteit").
pub fn niet_voor_lezers(wat: &str) -> Problem {
    Problem::forbidden(format!(
        "{wat} is niet voor lezers: een lezer ziet alleen de resultaten, de trend en de respons"
    ))
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
        let (van, tot_en_met) = self.period(&mut bad);
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
        match self.crebo.as_deref() {
            Some(c) if c.len() != 5 || !c.bytes().all(|b| b.is_ascii_digit()) => {
                bad.push(param("crebo", "pattern", "een crebocode heeft vijf cijfers", "five digits"));
            }
            // Like a sector: a code nobody knows is a mistake to name, not an empty answer.
            Some(c) if !names.kwalificaties.contains_key(c) => bad.push(param(
                "crebo",
                "unknown",
                "onbekende kwalificatie; zie /v1/filters",
                "unknown kwalificatie; see /v1/filters",
            )),
            _ => {}
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
        let (aanbieders, locaties) = self.units(names, brin.as_ref(), &mut bad);
        if !bad.is_empty() {
            return Err(Problem::invalid_input("de selectie is ongeldig", bad));
        }
        let (aanbieders, locaties) = binnen_beperking(kijker, aanbieders, locaties, names)?;
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

    /// `van` and `totEnMet` as months, in order.
    fn period(&self, bad: &mut Vec<InvalidParam>) -> (Option<YearMonth>, Option<YearMonth>) {
        let mut month = |name: &str, raw: &Option<String>| {
            raw.as_deref().and_then(|s| match s.parse::<YearMonth>() {
                Ok(m) => Some(m),
                Err(e) => {
                    bad.push(param(name, "pattern", e.to_string(), "expected yyyy-mm, e.g. 2024-07"));
                    None
                }
            })
        };
        let van = month("van", &self.van);
        let tot_en_met = month("totEnMet", &self.tot_en_met);
        if let (Some(v), Some(t)) = (van, tot_en_met)
            && v > t
        {
            bad.push(param("totEnMet", "date_order", "totEnMet ligt vóór van", "totEnMet is before van"));
        }
        (van, tot_en_met)
    }

    /// The aanbieders and locaties asked for (upper-cased aanbiedercodes), each of them one of
    /// the instelling's own; asking for one without an instelling is an error of its own.
    fn units(&self, names: &Names, brin: Option<&String>, bad: &mut Vec<InvalidParam>) -> (Vec<String>, Vec<String>) {
        let mut own = |key: &str, wat: &str, what: &str, code: String, owner: Option<&String>| match (owner, brin) {
            (Some(owner), Some(b)) if owner == b => Some(code),
            (_, None) => {
                bad.push(param(key, "requires_instelling", "kies eerst een instelling", "select an instelling first"));
                None
            }
            _ => {
                bad.push(param(
                    key,
                    "unknown",
                    format!("{code} is geen {wat} van deze instelling"),
                    format!("{code} is not {what} of this instelling"),
                ));
                None
            }
        };
        let aanbieders = (self.aanbieders.iter())
            .filter_map(|a| {
                let a = a.to_uppercase();
                let owner = names.aanbieders.get(&a).map(|(owner, _)| owner);
                own("aanbieder", "onderwijsaanbieder", "an aanbieder", a, owner)
            })
            .collect();
        let locaties = (self.locaties.iter())
            .filter_map(|l| {
                let aanbieder = names.locaties.get(l).and_then(|(aanbieder, _)| names.aanbieders.get(aanbieder));
                own("locatie", "onderwijslocatie", "a locatie", l.clone(), aanbieder.map(|(owner, _)| owner))
            })
            .collect();
        (aanbieders, locaties)
    }
}

/// A lezer's selection kept inside the lezer's limit: without a choice, every permitted aanbieder
/// and locatie; a choice outside it is forbidden (403, naming what the lezer may read). Others
/// keep their selection.
fn binnen_beperking(
    kijker: &Kijker,
    aanbieders: Vec<String>,
    locaties: Vec<String>,
    names: &Names,
) -> Result<(Vec<String>, Vec<String>), Problem> {
    let Kijker::Lezer { aanbieders: mag_a, locaties: mag_l, .. } = kijker else {
        return Ok((aanbieders, locaties));
    };
    let verboden = |wat: &str, mag: &[String]| {
        Problem::forbidden(format!("u leest alleen de resultaten van {wat} {}", mag.join(", ")))
    };
    if !mag_a.is_empty() {
        if aanbieders.iter().any(|a| !mag_a.contains(a)) {
            return Err(verboden("onderwijsaanbieder(s)", mag_a));
        }
        let aanbieder_van = |l: &String| names.locaties.get(l).map(|(a, _)| a);
        if locaties.iter().any(|l| aanbieder_van(l).is_none_or(|a| !mag_a.contains(a))) {
            return Err(verboden("onderwijsaanbieder(s)", mag_a));
        }
    }
    if !mag_l.is_empty() {
        // Only permitted locaties, and only aanbieders that hold one of them.
        let houdt_er_een =
            |a: &String| mag_l.iter().any(|l| names.locaties.get(l).is_some_and(|(eigen, _)| eigen == a));
        if locaties.iter().any(|l| !mag_l.contains(l)) || aanbieders.iter().any(|a| !houdt_er_een(a)) {
            return Err(verboden("onderwijslocatie(s)", mag_l));
        }
    }
    let aanbieders = if aanbieders.is_empty() { mag_a.clone() } else { aanbieders };
    let locaties = if locaties.is_empty() { mag_l.clone() } else { locaties };
    Ok((aanbieders, locaties))
}

/// The instelling a viewer's request is about: a school's own (asking for another is forbidden),
/// or for SBB the one asked for (upper-cased; the second value names it when it is unknown) or
/// none (national).
pub(super) fn instelling_for(
    kijker: &Kijker,
    asked: Option<&str>,
    names: &Names,
) -> Result<(Option<String>, Option<InvalidParam>), Problem> {
    match (kijker, asked) {
        (Kijker::School { brin } | Kijker::Lezer { brin, .. }, Some(asked)) if !asked.eq_ignore_ascii_case(brin) => {
            Err(Problem::forbidden(format!("dit token geeft alleen toegang tot de resultaten van instelling {brin}")))
        }
        (Kijker::School { brin } | Kijker::Lezer { brin, .. }, _) => Ok((Some(brin.clone()), None)),
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
