//! The results model: analysis keys of an answer, the selection a user makes, and the figures
//! reported per theme and per item (docs/api.md §5). Pure: no I/O.
//!
//! # Figures
//!
//! Every published number is a [`Figure`]: a value, the `n` it rests on, and — when `n < k` — no
//! value but a reason ([`REDEN_ONVOLDOENDE_RESPONS`], or [`REDEN_GEEN_ANTWOORDEN`] when `n = 0`
//! and no answer touches the selection; answers that are there but could not be counted — too few,
//! or split by the selection — say "onvoldoende respons", never that nobody answered).
//!
//! * **Item mean** — the grade item (`cijfer`, 1–10) and the scale items (1–5): the mean of the
//!   numeric answers. "Niet van toepassing" is not a number and is left out of `n` (it is counted
//!   separately in [`ItemResult::nvt`]).
//! * **% (zeer) eens** — scale items only: the share (as a percentage 0–100) of answers 4 or 5
//!   among the answers 1–5; same `n` as the mean.
//! * **Distribution** — the count per value (1–10 or 1–5); only shown when the mean is shown.
//! * **Theme score** — defined once, here: the mean of the theme's *published* item means, each
//!   weighted by its `n`; equivalently the sum of all numeric answers to those items divided by
//!   their number. Its `n` is that number of item answers (not of respondents). Items whose own
//!   figure is suppressed are left out of the score, so the score cannot be used to recover a
//!   suppressed item (score × n − the published items' sums). The score is suppressed when no item
//!   of the theme is published.
//! * **Response** — `responded / invited` over the same atoms as the figures (see
//!   [`crate::cells`]), formatted by [`crate::response_line`].
//!
//! # Questionnaire versions
//!
//! Items are counted by their code: an answer counts towards an item only when it has that item,
//! so an item that did not exist in part of the period rests on its own `n`. Themes and items are
//! listed in the order of the newest version; themes and items that only older versions have
//! follow, in their version's order.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

use bpvo::Groep;
use chrono::{Datelike, NaiveDate};

use crate::format::{decimal_nl, response_line};
use crate::questionnaire::{ItemKind, Questionnaires};

/// Reason for a suppressed figure based on fewer than `k` answers.
pub const REDEN_ONVOLDOENDE_RESPONS: &str = "onvoldoende respons";
/// Reason for a figure without any answer.
pub const REDEN_GEEN_ANTWOORDEN: &str = "geen antwoorden";

/// A calendar month; ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    /// The year, e.g. 2024.
    pub year: i32,
    /// The month, 1–12.
    pub month: u8,
}

/// A month that is not `jjjj-mm`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ongeldige maand {0:?}: verwacht jjjj-mm, bijvoorbeeld 2024-07")]
pub struct YearMonthError(pub String);

impl YearMonth {
    /// The month, or `None` when `month` is not 1–12.
    pub fn new(year: i32, month: u8) -> Option<Self> {
        (1..=12).contains(&month).then_some(YearMonth { year, month })
    }

    /// The month a date falls in.
    pub fn of(date: NaiveDate) -> Self {
        // `month()` is always 1–12.
        YearMonth { year: date.year(), month: date.month() as u8 }
    }

    /// The quarter, 1–4.
    pub fn quarter(self) -> u8 {
        (self.month - 1) / 3 + 1
    }
}

impl FromStr for YearMonth {
    type Err = YearMonthError;

    /// Parse `jjjj-mm`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || YearMonthError(s.to_owned());
        let (y, m) = s.trim().split_once('-').ok_or_else(err)?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let year: i32 = y.parse().map_err(|_| err())?;
        let month: u8 = m.parse().map_err(|_| err())?;
        YearMonth::new(year, month).ok_or_else(err)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The analysis keys of an answer (and of an invitation): who, where, what, when.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AnswerKeys {
    /// Praktijkopleider or student.
    pub groep: Groep,
    /// The month of the invitation.
    pub maand: YearMonth,
    /// The instelling's BRIN.
    pub brin: String,
    /// The onderwijsaanbieder.
    pub aanbiedercode: String,
    /// The onderwijslocatie, when known.
    pub locatiecode: Option<String>,
    /// BOL or BBL.
    pub leerweg: String,
    /// The kwalificatie.
    pub crebo: String,
    /// The sector of the kwalificatie, when known.
    pub sector: Option<String>,
}

/// One response with its keys; the questionnaire version is `answers.version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedAnswer {
    /// The analysis keys.
    pub keys: AnswerKeys,
    /// The validated answers.
    pub answers: crate::answers::Answers,
}

/// A number of invitations with the same keys (for the response rate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationCount {
    /// The analysis keys.
    pub keys: AnswerKeys,
    /// How many invitations.
    pub count: u64,
    /// Of `count`, how many went through the praktijkopleider (the rest directly).
    pub via: u64,
}

/// What a user selects. An empty list or `None` is no filter on that key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Selectie {
    /// First month, inclusive.
    pub van: Option<YearMonth>,
    /// Last month, inclusive.
    pub tot_en_met: Option<YearMonth>,
    /// The instelling; `None` is national.
    pub brin: Option<String>,
    /// Onderwijsaanbieders.
    pub aanbieders: Vec<String>,
    /// Onderwijslocaties.
    pub locaties: Vec<String>,
    /// Leerweg.
    pub leerweg: Option<String>,
    /// Sector.
    pub sector: Option<String>,
    /// Kwalificatie.
    pub crebo: Option<String>,
    /// The group (always one).
    pub groep: Groep,
}

impl Selectie {
    /// Everything for one group, nationally, over all time.
    pub fn national(groep: Groep) -> Self {
        Selectie {
            van: None,
            tot_en_met: None,
            brin: None,
            aanbieders: Vec::new(),
            locaties: Vec::new(),
            leerweg: None,
            sector: None,
            crebo: None,
            groep,
        }
    }

    /// Whether an answer (or invitation) with these keys lies in the selection.
    pub fn contains(&self, keys: &AnswerKeys) -> bool {
        keys.groep == self.groep
            && self.contains_unit(&keys.brin, &keys.aanbiedercode)
            && self.contains_month(keys.maand)
            && self.contains_detail(keys.locatiecode.as_deref(), &keys.leerweg, &keys.crebo, keys.sector.as_deref())
    }

    /// The instelling and aanbieder filters.
    pub(crate) fn contains_unit(&self, brin: &str, aanbiedercode: &str) -> bool {
        self.brin.as_deref().is_none_or(|b| b == brin)
            && (self.aanbieders.is_empty() || self.aanbieders.iter().any(|a| a == aanbiedercode))
    }

    /// The period filter.
    pub(crate) fn contains_month(&self, maand: YearMonth) -> bool {
        self.van.is_none_or(|v| v <= maand) && self.tot_en_met.is_none_or(|t| maand <= t)
    }

    /// The locatie, leerweg, crebo and sector filters.
    pub(crate) fn contains_detail(
        &self,
        locatie: Option<&str>,
        leerweg: &str,
        crebo: &str,
        sector: Option<&str>,
    ) -> bool {
        (self.locaties.is_empty() || locatie.is_some_and(|l| self.locaties.iter().any(|x| x == l)))
            && self.leerweg.as_deref().is_none_or(|x| x == leerweg)
            && self.crebo.as_deref().is_none_or(|x| x == crebo)
            && self.sector.as_deref().is_none_or(|x| sector == Some(x))
    }
}

/// One published number, or the reason it is withheld.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    /// The value; `None` when suppressed.
    pub value: Option<f64>,
    /// The number of answers it rests on.
    pub n: u64,
    /// Why the value is withheld.
    pub suppressed: Option<&'static str>,
}

impl Figure {
    /// A figure without answers because those there could not be counted: "onvoldoende respons".
    fn withheld(&mut self) {
        if self.suppressed == Some(REDEN_GEEN_ANTWOORDEN) {
            self.suppressed = Some(REDEN_ONVOLDOENDE_RESPONS);
        }
    }

    /// `total / n` (times `scale`), suppressed when `n < k`.
    pub(crate) fn ratio(total: f64, n: u64, k: u64, scale: f64) -> Self {
        if n == 0 {
            Figure { value: None, n, suppressed: Some(REDEN_GEEN_ANTWOORDEN) }
        } else if n < k {
            Figure { value: None, n, suppressed: Some(REDEN_ONVOLDOENDE_RESPONS) }
        } else {
            Figure { value: Some(total * scale / n as f64), n, suppressed: None }
        }
    }

    /// The value the Dutch way with `decimals` digits (`7,4`), or the reason it is withheld.
    pub fn nl(&self, decimals: usize) -> String {
        match (self.value, self.suppressed) {
            (Some(v), _) => decimal_nl(v, decimals),
            (None, Some(reason)) => reason.to_owned(),
            (None, None) => "—".to_owned(),
        }
    }
}

/// The figures of one item.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemResult {
    /// The item code.
    pub code: String,
    /// Grade or scale.
    pub kind: ItemKind,
    /// The mean of the numeric answers; its `n` is the item's `n`.
    pub mean: Figure,
    /// % (zeer) eens (4 or 5), 0–100; scale items only.
    pub eens: Option<Figure>,
    /// Count per value (ascending), `None` when the mean is suppressed.
    pub verdeling: Option<Vec<(u8, u64)>>,
    /// "Niet van toepassing" answers (not in `n`).
    pub nvt: u64,
}

/// The figures of one theme.
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeResult {
    /// The theme code.
    pub code: String,
    /// Its name.
    pub naam: String,
    /// The theme score (see the module docs).
    pub score: Figure,
    /// Its items.
    pub items: Vec<ItemResult>,
}

/// Responded / invited.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Response {
    /// Answers counted.
    pub responded: u64,
    /// Invitations counted (over the same atoms).
    pub invited: u64,
    /// `responded / invited` as a fraction; `None` without invitations.
    pub rate: Option<f64>,
}

impl Response {
    /// `11% (3.631 van 32.537)`.
    pub fn line(&self) -> String {
        response_line(self.responded, self.invited)
    }
}

/// The results for one selection.
#[derive(Debug, Clone, PartialEq)]
pub struct Resultaat {
    /// The group.
    pub groep: Groep,
    /// The suppression threshold used.
    pub k: u64,
    /// Per theme, in questionnaire order.
    pub themes: Vec<ThemeResult>,
    /// The response line.
    pub response: Response,
    /// Answers in atoms that touch the selection but are not wholly inside it, so are not counted
    /// (whole atoms; see [`crate::cells`]).
    pub niet_meegeteld: u64,
    /// The same answers per filter that split their atom (an atom split by two filters counts
    /// under both).
    pub niet_meegeteld_door: BTreeMap<Filter, u64>,
    /// No invitation or answer lies in the selection at all, counted or not: "—" rather than
    /// "onvoldoende respons". Says only whether anyone was invited, never how many answered.
    pub leeg: bool,
}

impl Resultaat {
    /// A theme by code.
    pub fn theme(&self, code: &str) -> Option<&ThemeResult> {
        self.themes.iter().find(|t| t.code == code)
    }

    /// An item by code.
    pub fn item(&self, code: &str) -> Option<&ItemResult> {
        self.themes.iter().flat_map(|t| &t.items).find(|i| i.code == code)
    }

    /// The filter that left out the most answers, if any were left out.
    pub fn splitsend_filter(&self) -> Option<Filter> {
        self.niet_meegeteld_door.iter().max_by_key(|&(f, n)| (*n, std::cmp::Reverse(*f))).map(|(f, _)| *f)
    }

    /// Why answers were left out, in Dutch, or `None` when none were.
    pub fn niet_meegeteld_reden(&self) -> Option<String> {
        if self.niet_meegeteld == 0 {
            return None;
        }
        let filters: Vec<&str> = self.niet_meegeteld_door.keys().map(|f| f.naam()).collect();
        Some(format!(
            "{} antwoorden zitten in groepen die maar voor een deel binnen deze selectie vallen \
             (gesplitst door: {}); kleine groepen tellen alleen als geheel mee, zodat niemand \
             herleidbaar is.",
            crate::format::thousands_nl(self.niet_meegeteld),
            filters.join(", ")
        ))
    }

    /// The nearest selection that counts more, in Dutch, or `None` when nothing was left out.
    pub fn suggestie(&self) -> Option<&'static str> {
        self.splitsend_filter().map(Filter::suggestie)
    }
}

/// A filter of a selection that can split an atom (see [`crate::cells`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Filter {
    /// `van` / `totEnMet`.
    Periode,
    /// Onderwijslocaties.
    Locatie,
    /// Leerweg.
    Leerweg,
    /// Sector.
    Sector,
    /// Kwalificatie (crebo).
    Kwalificatie,
}

impl Filter {
    const ALL: [Filter; 5] = [Filter::Periode, Filter::Locatie, Filter::Leerweg, Filter::Sector, Filter::Kwalificatie];

    /// The filter's name as the dashboard shows it.
    pub fn naam(self) -> &'static str {
        match self {
            Filter::Periode => "periode",
            Filter::Locatie => "onderwijslocatie",
            Filter::Leerweg => "leerweg",
            Filter::Sector => "sector",
            Filter::Kwalificatie => "kwalificatie",
        }
    }

    /// What to choose instead to count more answers.
    pub fn suggestie(self) -> &'static str {
        match self {
            Filter::Periode => "Kies hele kwartalen of een heel kalenderjaar als periode.",
            Filter::Locatie => "Kies de hele onderwijsaanbieder in plaats van losse locaties.",
            Filter::Kwalificatie => "Kies de sector in plaats van de kwalificatie.",
            Filter::Sector => "Kies alleen de leerweg, zonder sector.",
            Filter::Leerweg => "Kies geen leerweg, of een langere periode.",
        }
    }
}

/// A set of [`Filter`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct FilterSet(u8);

impl FilterSet {
    pub(crate) fn insert(&mut self, f: Filter) {
        self.0 |= 1 << (f as u8);
    }

    pub(crate) fn len(self) -> u32 {
        self.0.count_ones()
    }

    pub(crate) fn iter(self) -> impl Iterator<Item = Filter> {
        Filter::ALL.into_iter().filter(move |f| self.0 & (1 << (*f as u8)) != 0)
    }
}

/// Answers left out of a selection, in total and per splitting filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Weggelaten {
    pub totaal: u64,
    pub door: BTreeMap<Filter, u64>,
}

impl Weggelaten {
    pub(crate) fn add(&mut self, split_by: FilterSet, answers: u64) {
        if answers == 0 {
            return;
        }
        self.totaal += answers;
        for f in split_by.iter() {
            *self.door.entry(f).or_default() += answers;
        }
    }
}

/// Slots per item in the sums: index 0 is "niet van toepassing", 1–10 the values.
pub(crate) const SLOTS: usize = 11;

/// Linear sums over a set of answers: the only thing figures are computed from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    pub responded: u64,
    pub invited: u64,
    /// Per item (layout index), count per slot.
    pub items: Vec<[u64; SLOTS]>,
}

/// Themes and items in report order, with dense item indices.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    themes: Vec<(String, String, Vec<usize>)>,
    codes: Vec<String>,
    kinds: Vec<ItemKind>,
    by_code: HashMap<String, usize>,
}

impl Layout {
    /// The newest version's order first, then what only older versions have.
    pub(crate) fn new(questionnaires: &Questionnaires) -> Self {
        let mut layout = Layout { themes: Vec::new(), codes: Vec::new(), kinds: Vec::new(), by_code: HashMap::new() };
        for q in questionnaires.all().iter().rev() {
            for theme in &q.themes {
                let pos = match layout.themes.iter().position(|(code, _, _)| *code == theme.code) {
                    Some(pos) => pos,
                    None => {
                        layout.themes.push((theme.code.clone(), theme.naam.clone(), Vec::new()));
                        layout.themes.len() - 1
                    }
                };
                for item in &theme.items {
                    if layout.by_code.contains_key(&item.code) {
                        continue;
                    }
                    let idx = layout.codes.len();
                    layout.codes.push(item.code.clone());
                    layout.kinds.push(item.kind);
                    layout.by_code.insert(item.code.clone(), idx);
                    layout.themes[pos].2.push(idx);
                }
            }
        }
        layout
    }

    /// The number of items.
    pub(crate) fn len(&self) -> usize {
        self.codes.len()
    }

    /// The dense index and kind of an item code.
    pub(crate) fn slot_of(&self, code: &str) -> Option<(usize, ItemKind)> {
        self.by_code.get(code).map(|&i| (i, self.kinds[i]))
    }

    /// The figures from the sums.
    pub(crate) fn result(
        &self,
        groep: Groep,
        totals: &Totals,
        weggelaten: Weggelaten,
        leeg: bool,
        k: u64,
    ) -> Resultaat {
        let empty = [0u64; SLOTS];
        let themes = self
            .themes
            .iter()
            .map(|(code, naam, idxs)| {
                let items: Vec<ItemResult> = idxs
                    .iter()
                    .map(|&i| item_result(&self.codes[i], self.kinds[i], totals.items.get(i).unwrap_or(&empty), k))
                    .collect();
                let (mut sum, mut n) = (0.0, 0u64);
                let kind = items.first().map(|i| i.kind);
                for (item, &i) in items.iter().zip(idxs) {
                    if item.mean.value.is_some() && Some(item.kind) == kind {
                        let slots = totals.items.get(i).unwrap_or(&empty);
                        sum += value_sum(slots) as f64;
                        n += item.mean.n;
                    }
                }
                let score = if n == 0 && items.iter().any(|i| i.mean.n > 0) {
                    Figure { value: None, n: 0, suppressed: Some(REDEN_ONVOLDOENDE_RESPONS) }
                } else {
                    Figure::ratio(sum, n, k, 1.0)
                };
                ThemeResult { code: code.clone(), naam: naam.clone(), score, items }
            })
            .collect();
        // Answers touch the selection but none could be counted (they lie in groups too small, or
        // split by the selection): "geen antwoorden" would say nobody answered; the response line
        // already says "onvoldoende respons", and so does every figure.
        let mut themes: Vec<ThemeResult> = themes;
        if !leeg && totals.responded == 0 {
            for t in &mut themes {
                t.score.withheld();
                for i in &mut t.items {
                    i.mean.withheld();
                    if let Some(e) = i.eens.as_mut() {
                        e.withheld();
                    }
                }
            }
        }
        let rate = (totals.invited > 0).then(|| totals.responded as f64 / totals.invited as f64);
        Resultaat {
            groep,
            k,
            themes,
            response: Response { responded: totals.responded, invited: totals.invited, rate },
            niet_meegeteld: weggelaten.totaal,
            niet_meegeteld_door: weggelaten.door,
            leeg,
        }
    }
}

/// Σ value × count over the numeric slots.
fn value_sum(slots: &[u64; SLOTS]) -> u64 {
    slots.iter().enumerate().skip(1).map(|(v, &c)| v as u64 * c).sum()
}

fn item_result(code: &str, kind: ItemKind, slots: &[u64; SLOTS], k: u64) -> ItemResult {
    let range = kind.range();
    let n: u64 = range.clone().map(|v| slots[usize::from(v)]).sum();
    let sum: u64 = range.clone().map(|v| u64::from(v) * slots[usize::from(v)]).sum();
    let mean = Figure::ratio(sum as f64, n, k, 1.0);
    let eens = (kind == ItemKind::Schaal).then(|| Figure::ratio((slots[4] + slots[5]) as f64, n, k, 100.0));
    let verdeling = mean.value.is_some().then(|| range.map(|v| (v, slots[usize::from(v)])).collect());
    ItemResult { code: code.to_owned(), kind, mean, eens, verdeling, nvt: slots[0] }
}
