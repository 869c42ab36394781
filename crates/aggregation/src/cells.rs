//! The reporting index: sums per **atom**, built once and absorbed incrementally, from which every
//! selection is answered without looking at a single answer (docs/privacy.md, "Small cells and
//! the differencing attack"; docs/architecture.md, "Results").
//!
//! # The rule as implemented
//!
//! 1. **Fine cells.** Answers and invitations are summed per *unit* (groep × brin × aanbieder) and
//!    per fine key (month × locatie × leerweg × sector × crebo). A cell holds the count of answers
//!    (`responded`), of invitations, and per item the count per value (and of "n.v.t.") — from
//!    which `n`, the sum, the mean, % eens and the distribution follow.
//! 2. **Atoms** are formed per unit and calendar year, by merging what is small along the filters
//!    users choose, finest first ([`partition`]): a fine cell with `n ≥ k` answers is an atom;
//!    what is left is merged over time within the same locatie, leerweg, sector and crebo (month
//!    → quarter → year), then gives up one dimension at a time in the order of [`Voorkeur`]
//!    (crebo within its sector and locatie within its aanbieder first, then sector, then
//!    leerweg). At each step the leftovers of one group either reach `k` together and become an
//!    atom, or join an atom already formed inside that group (preferably one that already spans
//!    the favoured filter, else the smallest; never at the step that gives up the favoured
//!    filter), or move on to the next, coarser step. What is still below `k` for the whole unit and year is
//!    **dropped**: never counted in any selection.
//!
//!    So every atom is empty or has at least `k` answers, and the atoms partition the cells.
//! 3. **Counting.** An atom counts towards a selection only when *every* fine cell it was made of
//!    lies in the selection (groep, period, brin, aanbieders, locaties, leerweg, crebo, sector).
//!    An atom that is only partly inside is left out entirely, and its whole size is added to
//!    [`Resultaat::niet_meegeteld`](crate::Resultaat::niet_meegeteld), with the filters that split
//!    it. Reporting whole sizes (each at least `k`) keeps that number itself from telling how many
//!    of the atom's answers fall inside. Dropped answers are *not* reported per selection — their
//!    size is below `k` and a difference of two selections would reveal it;
//!    [`IndexStats::answers_dropped`] gives the total for monitoring.
//! 4. **Figures** are computed from the summed atoms only, and a figure with `n < k` is suppressed
//!    besides (which, with atoms of at least `k` answers, happens only for items answered
//!    "n.v.t." a lot, or items absent from the version used in the period).
//!
//! Consequence: the counted answers of any selection are a union of whole atoms. For two
//! selections `S₁ ⊇ S₂` the atoms counted in `S₂` are counted in `S₁` too, so `n(S₁) − n(S₂)` is
//! a sum of whole atoms: `0` or at least `k`; for any two selections, the answers counted in one
//! and not in the other are whole atoms. School-wide minus all-but-one-location, all BOL minus
//! BOL-in-sector-X, or a year minus one month yield nothing below `k` (tested below, also as a
//! property over nested selections along every filter).
//!
//! # Why this order
//!
//! The filters users need — a calendar year or quarter, leerweg, sector, and crebo or locatie —
//! should be unions of whole atoms as often as possible. Merging over time first keeps every
//! dimension filter whole for periods of whole calendar years (and mostly quarters); sector and
//! leerweg are given up last because they are the filters every user applies, nationally too;
//! crebo and locatie are the finest and cannot both be kept: a small crebo at a locatie merges
//! either across crebo's (the locatie stays whole) or across locaties (the crebo stays whole).
//! [`Voorkeur`] chooses (setting `reporting.voorkeur`). Joining leftovers to the smallest atom of
//! their group rather than pushing them up keeps coarser filters whole at the cost of making one
//! atom span two values of the finer one.
//!
//! ## Known limits
//!
//! * The guarantee is on respondents. For one item, the respondents of an atom may have answered
//!   "n.v.t." so often that the item's answers in the difference of two selections number fewer
//!   than `k` (they are still among at least `k` respondents of one atom).
//! * Periods that cut calendar years or quarters (a school year, the last twelve months) leave
//!   out the atoms that span the cut; whole quarters and years count fully.
//! * The index changes as answers arrive: comparing the same selection before and after an
//!   absorption differences the new answers. The reporting API should publish at fixed moments if
//!   that is to be excluded.
//!
//! # Speed
//!
//! A selection sums the atoms of the matching units (a dense array per atom with answers: items ×
//! 11 slots), so its cost grows with the number of atoms touched, not with answers or users; each
//! atom records the span of its cells (months, locaties, leerwegen, crebos, sectors), so whether it
//! lies wholly inside, outside or across a selection is mostly decided without visiting its cells.
//! Fine cells keep their counts sparse and packed (they hold a few answers each: 4 bytes per item
//! answered), and their keys are five small values pointing at texts stored once. The index is
//! immutable while evaluating (`&self`) and can be shared between threads. [`Index::add`] sums the
//! new answers into the fine cells and rebuilds only the unit-years they touch.
//!
//! The national side of a response table is asked for every new period and filter set and would
//! walk every atom of a groep; each rebuild therefore also lays the atoms out flat
//! (`national.rs`): an atom of one leerweg, one sector and one crebo becomes a few integers (its
//! year, a bit per month, counts, channel and the numbers of its values), so a national split is
//! decided with integer compares and summed per value number (an atom of several values by its
//! distinct cells, also in numbers). A property test checks it counts exactly what the walk
//! counts.
//!
//! A national *evaluation* (the other side of every school's report, for any period and filter
//! set) would otherwise add up the item arrays of every atom inside it, some tens of thousands.
//! The same rebuild therefore groups a groep's atoms by year, months, leerwegen and sectors (and
//! counted or dropped) and sums each group in advance: every atom of a group is covered alike by
//! any national selection without a crebo, so such a selection adds one sum per group instead of
//! one per atom; one with a crebo looks only at the atoms that hold the crebo. Where two keys split a group (a
//! period cutting it and a leerweg or sector it holds besides the one asked), its atoms are
//! decided one by one from their cells, as the walk does. A property test checks every national
//! evaluation against the walk ([`Index::evaluate_walked`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use bpvo::{Groep, Kanaal};

use crate::answers::{Answers, Antwoord};
use crate::questionnaire::{CIJFER_CODE, Questionnaires};
use crate::results::{
    AnswerKeys, Filter, FilterSet, InvitationCount, KeyedAnswer, Layout, Resultaat, SLOTS, Selectie, Totals,
    Weggelaten, YearMonth,
};

mod national;
mod partition;

use national::National;
pub use partition::Voorkeur;
use partition::{Part, partition};

/// The default suppression threshold.
pub const DEFAULT_K: u64 = 10;

/// Groep × instelling × aanbieder: atoms never span units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Unit {
    groep: Groep,
    brin: Tekst,
    aanbiedercode: Tekst,
}

/// A key's value, stored once for the whole process ([`Tekst::of`]): two million fine cells hold
/// a few thousand distinct texts, so a cell holds a pointer to each (8 bytes, `Copy`, no count to
/// keep) rather than a text or a shared, counted one. Compared, ordered and hashed by content, so
/// the order of cells and therefore the atoms do not depend on where a text happens to live.
///
/// The texts are never freed: they are register codes (brin, aanbieder, locatie, leerweg, crebo,
/// sector), a bounded set, and every index of the process shares them. Being stored once, two are
/// equal exactly when they are the same copy: equality is a pointer compare, and ordering
/// compares content only for different texts.
#[derive(Clone, Copy)]
// A reference to the box, not a `&'static str`: a thin pointer, 8 bytes instead of 16.
#[allow(clippy::borrowed_box)]
struct Tekst(&'static Box<str>);

/// By content, as `str` hashes (lookups by `&str` in the process's set of texts).
impl std::hash::Hash for Tekst {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialEq for Tekst {
    fn eq(&self, other: &Tekst) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for Tekst {}

impl Ord for Tekst {
    fn cmp(&self, other: &Tekst) -> std::cmp::Ordering {
        if self == other { std::cmp::Ordering::Equal } else { self.0.cmp(other.0) }
    }
}

impl PartialOrd for Tekst {
    fn partial_cmp(&self, other: &Tekst) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Every [`Tekst`] of the process.
static TEKSTEN: std::sync::LazyLock<std::sync::Mutex<HashSet<Tekst>>> = std::sync::LazyLock::new(Default::default);

impl Tekst {
    /// The one stored copy of `v`, from the process's texts (locked by the caller: a key's
    /// texts are looked up under one lock).
    fn of(alle: &mut HashSet<Tekst>, v: &str) -> Tekst {
        if let Some(t) = alle.get(v) {
            return *t;
        }
        let t = Tekst(Box::leak(Box::new(Box::from(v))));
        alle.insert(t);
        t
    }

    /// The text (stored for the life of the process).
    fn as_str(self) -> &'static str {
        self.0
    }
}

impl std::ops::Deref for Tekst {
    type Target = str;

    fn deref(&self) -> &str {
        self.0
    }
}

impl std::borrow::Borrow<str> for Tekst {
    fn borrow(&self) -> &str {
        self.0
    }
}

impl std::fmt::Debug for Tekst {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self.0, f)
    }
}

/// The finest grain within a unit: 40 bytes, copied into the atoms that hold it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct FineKey {
    maand: YearMonth,
    locatiecode: Option<Tekst>,
    leerweg: Tekst,
    crebo: Tekst,
    sector: Option<Tekst>,
}

/// A count as a fine cell keeps it (a cell never holds four billion of anything).
fn count32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The unit and fine key of these keys.
fn split(keys: &AnswerKeys) -> (Unit, FineKey) {
    let mut alle = TEKSTEN.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut of = |v: &str| Tekst::of(&mut alle, v);
    (
        Unit { groep: keys.groep, brin: of(&keys.brin), aanbiedercode: of(&keys.aanbiedercode) },
        FineKey {
            maand: keys.maand,
            locatiecode: keys.locatiecode.as_deref().map(&mut of),
            leerweg: of(&keys.leerweg),
            crebo: of(&keys.crebo),
            sector: keys.sector.as_deref().map(&mut of),
        },
    )
}

/// Counts of one atom: answered, invited, and per item the count per slot. `items` stays empty
/// while the atom has no answers (invitation-only cells are the majority and cost no item array).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Sums {
    responded: u64,
    invited: u64,
    /// Of `invited`, how many went through the praktijkopleider (the rest directly).
    invited_via: u64,
    /// Per item, count per slot (0 = n.v.t., 1–10 = value).
    items: Vec<[u32; SLOTS]>,
}

impl Totals {
    /// Add a whole atom's counts.
    fn add(&mut self, sums: &Sums) {
        self.responded += sums.responded;
        self.invited += sums.invited;
        // (an atom without answers has no item array: nothing to add)
        for (t, a) in self.items.iter_mut().zip(&sums.items) {
            for (t, a) in t.iter_mut().zip(a) {
                *t += u64::from(*a);
            }
        }
    }
}

impl Sums {
    fn absorb_cell(&mut self, cell: &Cell, items: usize) {
        self.responded += u64::from(cell.responded);
        self.invited += u64::from(cell.invited);
        self.invited_via += u64::from(cell.invited_via);
        if cell.counts.is_empty() {
            return;
        }
        if self.items.is_empty() {
            self.items = vec![[0; SLOTS]; items];
        }
        for &entry in &cell.counts {
            let (slot, count) = Cell::unpack(entry);
            let (item, value) = (usize::from(slot) / SLOTS, usize::from(slot) % SLOTS);
            if let Some(cell) = self.items.get_mut(item) {
                cell[value] = cell[value].saturating_add(count);
            }
        }
    }
}

/// Counts of one fine cell. A fine cell holds few answers, usually one or two, so its counts
/// are sparse and packed: 32 bytes and an exact-length array of 4 bytes per item answered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Cell {
    responded: u32,
    invited: u32,
    /// Of `invited`, how many through the praktijkopleider.
    invited_via: u32,
    /// Per slot answered (`item × 11 + value`, value 0 = n.v.t.) its count, as `slot << 16 |
    /// count`, sorted by slot. A count stops at 65,535 and the slot continues in a next entry
    /// (the readers add up every entry of a slot), so no count is ever capped.
    counts: Box<[u32]>,
}

impl Cell {
    const MAX: u32 = 0xFFFF;

    /// The slot and count of one entry of `counts`.
    fn unpack(entry: u32) -> (u16, u32) {
        ((entry >> 16) as u16, entry & Cell::MAX)
    }

    /// Count one answer: its slots (`scratch` is reused between calls, to spare an allocation).
    fn add_answers(&mut self, layout: &Layout, answers: &Answers, scratch: &mut Vec<u16>) {
        self.responded = self.responded.saturating_add(1);
        let grade =
            (!answers.items.contains_key(CIJFER_CODE)).then_some((CIJFER_CODE, Antwoord::Cijfer(answers.cijfer)));
        let all = answers.items.iter().map(|(code, a)| (code.as_str(), *a)).chain(grade);
        scratch.clear();
        for (code, antwoord) in all {
            let Some((idx, kind)) = layout.slot_of(code) else { continue };
            let value = match antwoord.waarde() {
                None if kind.allows_nvt() => 0,
                None => continue,
                Some(v) if kind.range().contains(&v) => usize::from(v),
                Some(_) => continue,
            };
            let Ok(slot) = u16::try_from(idx * SLOTS + value) else { continue };
            scratch.push(slot);
        }
        scratch.sort_unstable();
        // Merge the sorted slots into the sorted entries, one new array of the exact length.
        let mut merged: Vec<u32> = Vec::with_capacity(self.counts.len() + scratch.len());
        let mut old = self.counts.iter().copied().peekable();
        for &slot in scratch.iter() {
            while let Some(&e) = old.peek().filter(|&&e| Cell::unpack(e).0 <= slot) {
                merged.push(e);
                old.next();
            }
            match merged.last_mut() {
                Some(last) if Cell::unpack(*last).0 == slot && *last & Cell::MAX < Cell::MAX => *last += 1,
                _ => merged.push(u32::from(slot) << 16 | 1),
            }
        }
        merged.extend(old);
        self.counts = merged.into_boxed_slice();
    }
}

/// What an atom's cells span, to decide most coverage questions without visiting every cell:
/// per key its distinct values, sorted.
#[derive(Debug, Clone, Default)]
struct Span {
    months: Box<[YearMonth]>,
    locaties: Box<[Option<Tekst>]>,
    leerwegen: Box<[Tekst]>,
    crebos: Box<[Tekst]>,
    sectors: Box<[Option<Tekst>]>,
}

/// The distinct values, sorted.
fn distinct<T: Ord + Copy>(values: impl Iterator<Item = T>) -> Box<[T]> {
    let mut v: Vec<T> = values.collect();
    v.sort_unstable();
    v.dedup();
    v.into_boxed_slice()
}

/// The position of `v` in the sorted `values` (present by construction).
fn position<T: Ord>(values: &[T], v: &T) -> u16 {
    u16::try_from(values.binary_search(v).unwrap_or_default()).unwrap_or(u16::MAX)
}

impl Span {
    fn of(cells: &[FineKey]) -> Self {
        Span {
            months: distinct(cells.iter().map(|c| c.maand)),
            locaties: distinct(cells.iter().map(|c| c.locatiecode)),
            leerwegen: distinct(cells.iter().map(|c| c.leerweg)),
            crebos: distinct(cells.iter().map(|c| c.crebo)),
            sectors: distinct(cells.iter().map(|c| c.sector)),
        }
    }

    /// Whether a text is among `values` (sorted by content).
    fn holds(values: &[Tekst], v: &str) -> bool {
        values.binary_search_by(|t| (**t).cmp(v)).is_ok()
    }

    /// A cell of the atom as positions in the span: 10 bytes instead of a 40-byte key (an atom
    /// has fewer than 65,536 values of any key: it lies within one aanbieder and year).
    fn plek(&self, c: &FineKey) -> Plek {
        Plek {
            maand: position(&self.months, &c.maand),
            locatie: position(&self.locaties, &c.locatiecode),
            leerweg: position(&self.leerwegen, &c.leerweg),
            crebo: position(&self.crebos, &c.crebo),
            sector: position(&self.sectors, &c.sector),
        }
    }

    /// The key of a cell stored as [`Plek`].
    fn key(&self, p: &Plek) -> Option<FineKey> {
        Some(FineKey {
            maand: *self.months.get(usize::from(p.maand))?,
            locatiecode: *self.locaties.get(usize::from(p.locatie))?,
            leerweg: *self.leerwegen.get(usize::from(p.leerweg))?,
            crebo: *self.crebos.get(usize::from(p.crebo))?,
            sector: *self.sectors.get(usize::from(p.sector))?,
        })
    }
}

/// One cell of an atom, by the positions of its values in the atom's [`Span`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Plek {
    maand: u16,
    locatie: u16,
    leerweg: u16,
    crebo: u16,
    sector: u16,
}

/// A set of fine cells counted together or not at all.
#[derive(Debug, Clone)]
struct Atom {
    /// The cells, as positions in `span` ([`Atom::cells`] gives their keys).
    plekken: Box<[Plek]>,
    /// Shared with the national form of the atom ([`National`]), which sums it nationally.
    sums: Arc<Sums>,
    span: Span,
}

impl Atom {
    fn new(cells: &[FineKey], sums: Sums) -> Self {
        let span = Span::of(cells);
        Atom { plekken: cells.iter().map(|c| span.plek(c)).collect(), sums: Arc::new(sums), span }
    }

    /// The keys of the atom's cells.
    fn cells(&self) -> impl Iterator<Item = FineKey> + '_ {
        self.plekken.iter().filter_map(|p| self.span.key(p))
    }
}

/// The atoms of one calendar year of a unit, and what was dropped.
#[derive(Debug, Clone)]
struct YearAtoms {
    /// The calendar year.
    year: i32,
    atoms: Vec<Atom>,
    dropped: Option<Atom>,
    /// Per key ([`Dimensie::ALL`] order), per value of the year's atoms: the answered and invited
    /// of the atoms single-valued on it. What a response split adds for a selection that takes
    /// the whole year of the unit (see [`Index::respons_by_each`]); a value only multi-valued or
    /// dropped atoms hold is present with zero counts (touched, not empty).
    tally: Vec<HashMap<String, (u64, u64)>>,
}

impl YearAtoms {
    fn new(unit: &Unit, year: i32, atoms: Vec<Atom>, dropped: Option<Atom>) -> Self {
        let tally = Dimensie::ALL
            .iter()
            .map(|&d| {
                let mut m: HashMap<String, (u64, u64)> = HashMap::new();
                for atom in &atoms {
                    let single = d.single(atom);
                    let add = if single { (atom.sums.responded, atom.sums.invited) } else { (0, 0) };
                    d.each_value(unit, atom, |v| match m.get_mut(v) {
                        Some(e) => (e.0, e.1) = (e.0 + add.0, e.1 + add.1),
                        None => {
                            m.insert(v.to_owned(), add);
                        }
                    });
                }
                if let Some(atom) = &dropped {
                    d.each_value(unit, atom, |v| {
                        if !m.contains_key(v) {
                            m.insert(v.to_owned(), (0, 0));
                        }
                    });
                }
                m
            })
            .collect();
        YearAtoms { year, atoms, dropped, tally }
    }
}

#[derive(Debug, Clone, Default)]
struct UnitData {
    fine: BTreeMap<FineKey, Cell>,
    years: BTreeMap<i32, YearAtoms>,
}

impl UnitData {
    fn atoms(&self) -> impl Iterator<Item = &Atom> {
        self.years.values().flat_map(|y| &y.atoms)
    }

    fn dropped(&self) -> impl Iterator<Item = &Atom> {
        self.years.values().filter_map(|y| y.dropped.as_ref())
    }
}

/// Sizes of the index, for monitoring and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IndexStats {
    /// Groep × instelling × aanbieder units.
    pub units: usize,
    /// Fine cells.
    pub fine_cells: usize,
    /// Atoms (counted or not).
    pub atoms: usize,
    /// Answers held in atoms.
    pub answers_in_atoms: u64,
    /// Answers in dropped remainders (never counted).
    pub answers_dropped: u64,
}

/// How much of a selection's answers its figures count: for measuring the rule (the
/// `filterdekking` example), never for publishing — `in_selectie` is an exact count that may rest
/// on fewer than `k` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Dekking {
    /// Answers counted in the figures (whole atoms inside the selection).
    pub meegeteld: u64,
    /// Answers whose keys lie in the selection.
    pub in_selectie: u64,
}

impl Dekking {
    /// `meegeteld / in_selectie`; 1 for an empty selection.
    pub fn aandeel(&self) -> f64 {
        if self.in_selectie == 0 { 1.0 } else { self.meegeteld as f64 / self.in_selectie as f64 }
    }
}

/// The distinct key values in (part of) the index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyValues {
    pub aanbieders: BTreeSet<String>,
    pub locaties: BTreeSet<String>,
    pub leerwegen: BTreeSet<String>,
    pub crebos: BTreeSet<String>,
    pub sectoren: BTreeSet<String>,
    pub eerste_maand: Option<YearMonth>,
    pub laatste_maand: Option<YearMonth>,
}

/// The in-memory reporting index (see the module docs).
#[derive(Debug, Clone)]
pub struct Index {
    k: u64,
    voorkeur: Voorkeur,
    layout: Layout,
    units: BTreeMap<Unit, UnitData>,
    /// Years of units absorbed into but not yet rebuilt.
    dirty: BTreeMap<Unit, BTreeSet<i32>>,
    /// The atoms in compact form for national response splits, remade with every rebuild.
    national: National,
}

impl Index {
    /// An empty index with threshold `k` (at least 1) for these questionnaires, merging in the
    /// default order ([`Voorkeur::default`]).
    pub fn new(questionnaires: &Questionnaires, k: u64) -> Self {
        Index::with_voorkeur(questionnaires, k, Voorkeur::default())
    }

    /// An empty index that keeps the filter `voorkeur` whole rather than the other.
    pub fn with_voorkeur(questionnaires: &Questionnaires, k: u64, voorkeur: Voorkeur) -> Self {
        Index {
            k: k.max(1),
            voorkeur,
            layout: Layout::new(questionnaires),
            units: BTreeMap::new(),
            dirty: BTreeMap::new(),
            national: National::default(),
        }
    }

    /// The index of these answers and invitations.
    pub fn build(
        questionnaires: &Questionnaires,
        answers: &[KeyedAnswer],
        invitations: &[InvitationCount],
        k: u64,
    ) -> Self {
        let mut index = Index::new(questionnaires, k);
        index.add(answers, invitations);
        index
    }

    /// The suppression threshold.
    pub fn k(&self) -> u64 {
        self.k
    }

    /// The merge order in use.
    pub fn voorkeur(&self) -> Voorkeur {
        self.voorkeur
    }

    /// Absorb new answers and invitations: they are summed into their fine cells and the atoms of
    /// the unit-years they touch are rebuilt.
    pub fn add(&mut self, answers: &[KeyedAnswer], invitations: &[InvitationCount]) {
        self.absorb(answers, invitations);
        let _ = self.rebuild_dirty();
    }

    /// Sum new answers and invitations into their fine cells without rebuilding atoms yet:
    /// evaluations keep seeing the atoms as they were until [`Index::rebuild_dirty`]. For loading
    /// in pages, where rebuilding after each page would redo the same units many times.
    pub fn absorb(&mut self, answers: &[KeyedAnswer], invitations: &[InvitationCount]) {
        let mut scratch = Vec::new();
        for a in answers {
            let (unit, key) = split(&a.keys);
            let data = self.units.entry(unit).or_default();
            self.dirty.entry(unit).or_default().insert(key.maand.year);
            data.fine.entry(key).or_default().add_answers(&self.layout, &a.answers, &mut scratch);
        }
        for inv in invitations {
            let (unit, key) = split(&inv.keys);
            let data = self.units.entry(unit).or_default();
            self.dirty.entry(unit).or_default().insert(key.maand.year);
            let cell = data.fine.entry(key).or_default();
            cell.invited = cell.invited.saturating_add(count32(inv.count));
            cell.invited_via = cell.invited_via.saturating_add(count32(inv.via));
        }
    }

    /// Rebuild the atoms of the unit-years changed by [`Index::absorb`].
    /// Returns whether anything was (the atoms may have changed).
    pub fn rebuild_dirty(&mut self) -> bool {
        let items = self.layout.len();
        let changed = !self.dirty.is_empty();
        for (unit, years) in std::mem::take(&mut self.dirty) {
            match self.units.get_mut(&unit) {
                Some(data) if data.fine.is_empty() => {
                    self.units.remove(&unit);
                }
                Some(data) => {
                    // Cells inserted one by one leave the B-tree's nodes a third empty; built
                    // again from its sorted entries its nodes are full (at a million answers the
                    // load ended 86 MiB lower, the atoms below reusing what it frees).
                    data.fine = std::mem::take(&mut data.fine).into_iter().collect();
                    for year in years {
                        rebuild_year(&unit, data, year, self.k, self.voorkeur, items);
                    }
                }
                None => {}
            }
        }
        if changed {
            self.national = National::build(&self.units);
        }
        changed
    }

    /// Replace every invitation count by these: the denominator is re-read as a whole (an
    /// invitation's status changes, so it cannot be absorbed once like an answer). Only units whose
    /// counts changed are rebuilt.
    pub fn set_invitations(&mut self, invitations: &[InvitationCount]) {
        let _ = self.replace_invitations(invitations);
        let _ = self.rebuild_dirty();
    }

    /// [`Index::set_invitations`] without rebuilding yet (see [`Index::absorb`]).
    pub fn replace_invitations(&mut self, invitations: &[InvitationCount]) -> bool {
        let mut any = false;
        let mut wanted = Index::wanted(invitations);
        let units: BTreeSet<Unit> = self.units.keys().cloned().chain(wanted.keys().cloned()).collect();
        for unit in units {
            let want = wanted.remove(&unit).unwrap_or_default();
            let data = self.units.entry(unit).or_default();
            let now = |c: &Cell| (c.invited, c.invited_via);
            let changed = data.fine.iter().any(|(k, c)| now(c) != want.get(k).copied().unwrap_or_default())
                || want.keys().any(|k| !data.fine.contains_key(k));
            if !changed {
                continue;
            }
            let mut years: BTreeSet<i32> = BTreeSet::new();
            for (key, cell) in data.fine.iter_mut() {
                let (count, via) = want.get(key).copied().unwrap_or_default();
                if now(cell) != (count, via) {
                    years.insert(key.maand.year);
                    (cell.invited, cell.invited_via) = (count, via);
                }
            }
            for (key, (count, via)) in want {
                if !data.fine.contains_key(&key) {
                    years.insert(key.maand.year);
                    let cell = data.fine.entry(key).or_default();
                    (cell.invited, cell.invited_via) = (count, via);
                }
            }
            data.fine.retain(|_, s| s.responded > 0 || s.invited > 0);
            any = true;
            self.dirty.entry(unit).or_default().extend(years);
        }
        any
    }

    /// Invitation counts per unit and cell: (invited, of which via the praktijkopleider), keys
    /// listed twice summed.
    fn wanted(invitations: &[InvitationCount]) -> BTreeMap<Unit, BTreeMap<FineKey, (u32, u32)>> {
        let mut wanted: BTreeMap<Unit, BTreeMap<FineKey, (u32, u32)>> = BTreeMap::new();
        for inv in invitations {
            let (unit, key) = split(&inv.keys);
            let w = wanted.entry(unit).or_default().entry(key).or_default();
            w.0 = w.0.saturating_add(count32(inv.count));
            w.1 = w.1.saturating_add(count32(inv.via));
        }
        wanted
    }

    /// Set the invitation counts of the keys listed, leaving every other key's count as it is:
    /// what changed since the last read of counts kept per key (absolute counts, so a key read
    /// twice is harmless; a count of 0 removes the key's invitations). Keys listed twice are
    /// summed. Returns whether any count changed; the units that changed are rebuilt at the next
    /// [`Index::rebuild_dirty`].
    pub fn update_invitations(&mut self, invitations: &[InvitationCount]) -> bool {
        let mut changed = false;
        for (unit, want) in Index::wanted(invitations) {
            let data = self.units.entry(unit).or_default();
            let mut years: BTreeSet<i32> = BTreeSet::new();
            for (key, (count, via)) in want {
                match data.fine.get_mut(&key) {
                    Some(cell) if (cell.invited, cell.invited_via) != (count, via) => {
                        (cell.invited, cell.invited_via) = (count, via);
                        years.insert(key.maand.year);
                        if cell.responded == 0 && count == 0 {
                            data.fine.remove(&key);
                        }
                    }
                    Some(_) => {}
                    None if count > 0 || via > 0 => {
                        years.insert(key.maand.year);
                        data.fine.insert(key, Cell { invited: count, invited_via: via, ..Cell::default() });
                    }
                    None => {}
                }
            }
            if data.fine.is_empty() && years.is_empty() {
                self.units.remove(&unit);
            } else if !years.is_empty() {
                changed = true;
                self.dirty.entry(unit).or_default().extend(years);
            }
        }
        changed
    }

    /// The values present under an instelling (or everywhere): what a user may filter on.
    pub fn key_values(&self, brin: Option<&str>) -> KeyValues {
        let mut values = KeyValues::default();
        for (unit, data) in &self.units {
            if brin.is_some_and(|b| b != &*unit.brin) {
                continue;
            }
            values.aanbieders.insert(unit.aanbiedercode.to_string());
            for key in data.fine.keys() {
                if let Some(l) = &key.locatiecode {
                    values.locaties.insert(l.to_string());
                }
                values.leerwegen.insert(key.leerweg.to_string());
                values.crebos.insert(key.crebo.to_string());
                if let Some(s) = &key.sector {
                    values.sectoren.insert(s.to_string());
                }
                values.eerste_maand = Some(values.eerste_maand.map_or(key.maand, |m| m.min(key.maand)));
                values.laatste_maand = Some(values.laatste_maand.map_or(key.maand, |m| m.max(key.maand)));
            }
        }
        values
    }

    /// The figures for a selection. A national selection is summed from the atoms in numbers,
    /// mostly per group of atoms of the same months, leerwegen and sectors summed in advance
    /// ([`National::evaluate`]); a school's from its own atoms. Both count exactly what
    /// [`Index::evaluate_walked`] counts (a property test checks it).
    pub fn evaluate(&self, selectie: &Selectie) -> Resultaat {
        if National::evaluates(selectie) {
            let (totals, weggelaten, leeg) = self.national.evaluate(selectie, self.layout.len());
            return self.layout.result(selectie.groep, &totals, weggelaten, leeg, self.k);
        }
        self.evaluate_walked(selectie)
    }

    /// [`Index::evaluate`] by walking every atom of the selection's units, also nationally: the
    /// reference the national sums are checked against.
    pub fn evaluate_walked(&self, selectie: &Selectie) -> Resultaat {
        let mut totals = Totals { items: vec![[0; SLOTS]; self.layout.len()], ..Totals::default() };
        let mut weggelaten = Weggelaten::default();
        let mut leeg = true;
        for (_, year) in self.years_in(selectie) {
            leeg &= year.dropped.as_ref().is_none_or(|d| coverage(d, selectie) == Coverage::None);
            for atom in &year.atoms {
                match coverage(atom, selectie) {
                    Coverage::All => {
                        leeg = false;
                        totals.add(&atom.sums);
                    }
                    Coverage::Part(split_by) => {
                        leeg = false;
                        weggelaten.add(split_by, atom.sums.responded);
                    }
                    Coverage::None => {}
                }
            }
        }
        self.layout.result(selectie.groep, &totals, weggelaten, leeg, self.k)
    }

    /// The figures of one selection over several periods (a trend): entry `i` equals
    /// [`Index::evaluate`] of the selection with its period set to `periods[i]` (first and last
    /// month, inclusive), computed in one pass over the atoms of the whole span instead of one
    /// pass per period. Periods may overlap; an empty period (first after last) gives an empty
    /// result.
    pub fn evaluate_periods(&self, selectie: &Selectie, periods: &[(YearMonth, YearMonth)]) -> Vec<Resultaat> {
        let per: Vec<Selectie> = periods
            .iter()
            .map(|&(van, tot)| Selectie { van: Some(van), tot_en_met: Some(tot), ..selectie.clone() })
            .collect();
        let mut totals: Vec<Totals> =
            per.iter().map(|_| Totals { items: vec![[0; SLOTS]; self.layout.len()], ..Totals::default() }).collect();
        let mut weggelaten: Vec<Weggelaten> = per.iter().map(|_| Weggelaten::default()).collect();
        let mut leeg = vec![true; per.len()];
        let (Some(first), Some(last)) = (periods.iter().map(|p| p.0).min(), periods.iter().map(|p| p.1).max()) else {
            return Vec::new();
        };
        let span = Selectie { van: Some(first), tot_en_met: Some(last), ..selectie.clone() };
        // Which periods an atom's months may touch: its first and last month against each period.
        let touching = |months: &[YearMonth]| {
            let (lo, hi) = (months.first().copied(), months.last().copied());
            per.iter().enumerate().filter(move |(_, p)| {
                lo.zip(hi)
                    .is_some_and(|(lo, hi)| p.van.is_some_and(|v| v <= hi) && p.tot_en_met.is_some_and(|t| lo <= t))
            })
        };
        for (_, year) in self.years_in(&span) {
            if let Some(d) = &year.dropped {
                for (i, p) in touching(&d.span.months) {
                    leeg[i] &= coverage(d, p) == Coverage::None;
                }
            }
            for atom in &year.atoms {
                for (i, p) in touching(&atom.span.months) {
                    match coverage(atom, p) {
                        Coverage::All => {
                            leeg[i] = false;
                            totals[i].add(&atom.sums);
                        }
                        Coverage::Part(split_by) => {
                            leeg[i] = false;
                            weggelaten[i].add(split_by, atom.sums.responded);
                        }
                        Coverage::None => {}
                    }
                }
            }
        }
        totals
            .iter()
            .zip(weggelaten)
            .zip(leeg)
            .map(|((t, w), l)| self.layout.result(selectie.groep, t, w, l, self.k))
            .collect()
    }

    /// The figures of a selection split by one key (a response table): for each value of
    /// `dimensie` inside the selection, the result equals [`Index::evaluate`] of the selection
    /// narrowed to that value — computed in one pass over the selection's atoms. Values are
    /// those present in the index under the selection (and, where the selection already filters
    /// on the key, only those it allows).
    pub fn evaluate_by(&self, selectie: &Selectie, dimensie: Dimensie) -> BTreeMap<String, Resultaat> {
        self.evaluate_by_each(selectie, &[dimensie]).pop().unwrap_or_default()
    }

    /// [`Index::evaluate_by`] for several keys in one pass over the selection's atoms (a
    /// response table's splits): element `i` is the split by `dimensies[i]`. Each atom's
    /// coverage of the selection is decided once for all keys, and an atom's values are looked
    /// up without copying them.
    pub fn evaluate_by_each(&self, selectie: &Selectie, dimensies: &[Dimensie]) -> Vec<BTreeMap<String, Resultaat>> {
        self.split(selectie, dimensies, true, false)
            .into_iter()
            .map(|split| {
                split
                    .into_iter()
                    .map(|(v, (totals, weggelaten, leeg))| {
                        (v, self.layout.result(selectie.groep, &totals, weggelaten, leeg, self.k))
                    })
                    .collect()
            })
            .collect()
    }

    /// The response of each split of [`Index::evaluate_by_each`] — counted answers and their
    /// invitations over exactly the same atoms, and whether nothing touched the value — without
    /// summing any item (a response table shows no figure of a question).
    pub fn respons_by_each(&self, selectie: &Selectie, dimensies: &[Dimensie]) -> Vec<BTreeMap<String, Telling>> {
        self.respons_split(selectie, dimensies, true)
    }

    /// The response of a selection alone — the answered and invited [`Index::evaluate`] counts
    /// and whether anything touched it (a response table's total row). Nationally from the atoms
    /// in numbers, without summing any item of the questionnaire.
    pub fn respons_totaal(&self, selectie: &Selectie) -> Telling {
        if National::applies(selectie, &[]) {
            let (_, (responded, invited, touched)) = self.national.split(selectie, &[]);
            return Telling { responded, invited, leeg: !touched };
        }
        // Elsewhere (a school's own atoms) an evaluation is cheap: its counts are the same.
        let r = self.evaluate(selectie);
        Telling { responded: r.response.responded, invited: r.response.invited, leeg: r.leeg }
    }

    /// [`Index::respons_by_each`] by walking every atom, also where a national split takes the
    /// compact atoms: the reference the benchmark compares with (the same counts, slower).
    pub fn respons_by_each_walked(
        &self,
        selectie: &Selectie,
        dimensies: &[Dimensie],
    ) -> Vec<BTreeMap<String, Telling>> {
        self.respons_split(selectie, dimensies, false)
    }

    fn respons_split(
        &self,
        selectie: &Selectie,
        dimensies: &[Dimensie],
        compact: bool,
    ) -> Vec<BTreeMap<String, Telling>> {
        self.split(selectie, dimensies, false, compact)
            .into_iter()
            .map(|split| {
                split
                    .into_iter()
                    .map(|(v, (totals, _, leeg))| {
                        (v, Telling { responded: totals.responded, invited: totals.invited, leeg })
                    })
                    .collect()
            })
            .collect()
    }

    /// The one pass behind both: per key and value, the totals (item sums only `met_items`),
    /// what was left out and whether nothing touched the value. `compact`: a national response
    /// split may take the compact atoms ([`National`]).
    fn split(
        &self,
        selectie: &Selectie,
        dimensies: &[Dimensie],
        met_items: bool,
        compact: bool,
    ) -> Vec<BTreeMap<String, (Totals, Weggelaten, bool)>> {
        let items = self.layout.len();
        let mut accs: Vec<HashMap<String, Option<SplitAcc>>> = dimensies.iter().map(|_| HashMap::new()).collect();
        let new_acc = |dimensie: Dimensie, v: &str| {
            // A value the selection does not allow is remembered as `None`.
            dimensie.narrow(selectie, v).map(|narrowed| SplitAcc {
                selectie: narrowed,
                totals: Totals {
                    items: if met_items { vec![[0; SLOTS]; items] } else { Vec::new() },
                    ..Totals::default()
                },
                weggelaten: Weggelaten::default(),
                leeg: true,
            })
        };
        if !met_items && compact && National::applies(selectie, dimensies) {
            // Nationally: every atom in numbers.
            self.split_national(selectie, dimensies, &mut accs, &new_acc);
        } else {
            for (unit, year) in self.years_in(selectie) {
                if !met_items && takes_whole_year(selectie, year.year) {
                    add_tally(year, dimensies, &mut accs, &new_acc);
                    continue;
                }
                let all = year.dropped.iter().map(|d| (d, true)).chain(year.atoms.iter().map(|a| (a, false)));
                for (atom, dropped) in all {
                    split_atom(unit, atom, dropped, selectie, dimensies, &mut accs, &new_acc);
                }
            }
        }
        accs.into_iter()
            .map(|acc| acc.into_iter().filter_map(|(v, a)| a.map(|a| (v, (a.totals, a.weggelaten, a.leeg)))).collect())
            .collect()
    }

    /// The national part of [`Index::split`] ([`National::applies`]): every atom of the groep in
    /// numbers, decided exactly as the walk decides it.
    fn split_national(
        &self,
        selectie: &Selectie,
        dimensies: &[Dimensie],
        accs: &mut [HashMap<String, Option<SplitAcc>>],
        new_acc: &impl Fn(Dimensie, &str) -> Option<SplitAcc>,
    ) {
        let (found, _) = self.national.split(selectie, dimensies);
        for ((&dimensie, acc), values) in dimensies.iter().zip(accs.iter_mut()).zip(found) {
            for (v, responded, invited, touched) in values {
                if !acc.contains_key(&v) {
                    let fresh = new_acc(dimensie, &v);
                    acc.insert(v.clone(), fresh);
                }
                if let Some(Some(a)) = acc.get_mut(&v) {
                    a.leeg &= !touched;
                    a.totals.responded += responded;
                    a.totals.invited += invited;
                }
            }
        }
    }

    /// The keys of the answered fine cells a selection counts: exactly the cells of the atoms its
    /// figures add up (so a list of texts drawn from these cells follows the same k rule).
    pub fn counted_keys(&self, selectie: &Selectie) -> Vec<AnswerKeys> {
        let mut out = Vec::new();
        for (unit, year) in self.years_in(selectie) {
            for atom in year.atoms.iter().filter(|a| a.sums.responded > 0) {
                if coverage(atom, selectie) != Coverage::All {
                    continue;
                }
                out.extend(atom.cells().map(|c| AnswerKeys {
                    groep: unit.groep,
                    maand: c.maand,
                    brin: unit.brin.to_string(),
                    aanbiedercode: unit.aanbiedercode.to_string(),
                    locatiecode: c.locatiecode.as_deref().map(str::to_owned),
                    leerweg: c.leerweg.to_string(),
                    crebo: c.crebo.to_string(),
                    sector: c.sector.as_deref().map(str::to_owned),
                }));
            }
        }
        out
    }

    /// The calendar years of the units a selection may touch (its groep and instelling or
    /// aanbieders), within its period: atoms never span calendar years, so no other is looked at.
    fn years_in<'a>(&'a self, selectie: &'a Selectie) -> impl Iterator<Item = (&'a Unit, &'a YearAtoms)> + 'a {
        let years = selectie.van.map_or(i32::MIN, |m| m.year)..=selectie.tot_en_met.map_or(i32::MAX, |m| m.year);
        self.units
            .iter()
            .filter(move |(unit, _)| {
                unit.groep == selectie.groep && selectie.contains_unit(&unit.brin, &unit.aanbiedercode)
            })
            .flat_map(move |(unit, data)| {
                let range = if years.is_empty() { data.years.range(1..1) } else { data.years.range(years.clone()) };
                range.map(move |(_, year)| (unit, year))
            })
    }

    /// How many of a selection's answers its figures count (see [`Dekking`]: for measuring the
    /// rule, not for publishing).
    pub fn dekking(&self, selectie: &Selectie) -> Dekking {
        let meegeteld = self.evaluate(selectie).response.responded;
        let mut in_selectie = 0;
        for (unit, data) in &self.units {
            if unit.groep != selectie.groep || !selectie.contains_unit(&unit.brin, &unit.aanbiedercode) {
                continue;
            }
            for (key, cell) in &data.fine {
                if inside(key, selectie) {
                    in_selectie += u64::from(cell.responded);
                }
            }
        }
        Dekking { meegeteld, in_selectie }
    }

    /// Sizes of the index.
    pub fn stats(&self) -> IndexStats {
        let mut stats = IndexStats { units: self.units.len(), ..IndexStats::default() };
        for data in self.units.values() {
            stats.fine_cells += data.fine.len();
            stats.atoms += data.atoms().count();
            stats.answers_in_atoms += data.atoms().map(|a| a.sums.responded).sum::<u64>();
            stats.answers_dropped += data.dropped().map(|a| a.sums.responded).sum::<u64>();
        }
        stats
    }

    /// Roughly how many heap bytes each part of the index holds (the fine cells, their counts,
    /// the atoms, the national form): what the allocator is asked for, without its own overhead
    /// or the B-trees' unused slots. For the benchmark and monitoring; not exact.
    pub fn heap_estimate(&self) -> Vec<(&'static str, usize)> {
        use std::mem::size_of;
        let (mut cells, mut counts, mut atoms, mut atom_cells, mut sums, mut spans) = (0, 0, 0, 0, 0, 0);
        for data in self.units.values() {
            cells += data.fine.len() * (size_of::<FineKey>() + size_of::<Cell>());
            counts += data.fine.values().map(|c| c.counts.len() * size_of::<u32>()).sum::<usize>();
            for atom in data.atoms().chain(data.dropped()) {
                atoms += size_of::<Atom>();
                atom_cells += atom.plekken.len() * size_of::<Plek>();
                sums += size_of::<Sums>() + atom.sums.items.capacity() * size_of::<[u32; SLOTS]>();
                let s = &atom.span;
                spans += s.months.len() * size_of::<YearMonth>()
                    + (s.leerwegen.len() + s.crebos.len()) * size_of::<Tekst>()
                    + (s.locaties.len() + s.sectors.len()) * size_of::<Option<Tekst>>();
            }
        }
        vec![
            ("fine cells (key and counts, B-tree entries)", cells),
            ("fine cells' item counts", counts),
            ("atoms", atoms),
            ("atoms' cells (positions in their spans)", atom_cells),
            ("atoms' item sums", sums),
            ("atoms' spans", spans),
            ("national form", self.national.heap_estimate()),
        ]
    }

    /// The number of answers in each atom (for checking the invariant: 0 or at least `k`).
    pub fn atom_sizes(&self) -> Vec<u64> {
        self.units.values().flat_map(|d| d.atoms().map(|a| a.sums.responded)).collect()
    }
}

/// The response of one value of a split ([`Index::respons_by_each`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Telling {
    /// Answers counted (whole atoms, as every figure).
    pub responded: u64,
    /// Invitations of the same atoms.
    pub invited: u64,
    /// No answer or invitation touched the value at all.
    pub leeg: bool,
}

/// A key a selection can be split by ([`Index::evaluate_by`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimensie {
    /// Onderwijsaanbieder (needs an instelling in the selection, as the filter does).
    Aanbieder,
    /// Onderwijslocatie.
    Locatie,
    Leerweg,
    Sector,
    /// Crebo.
    Kwalificatie,
    /// How the invitations went: `direct` or `via_praktijkopleider` (no filter of its own; a
    /// response split only). An atom counts under a channel when all its invitations went that
    /// way; an atom of both channels counts under neither (left out, like an atom a filter
    /// splits), so every row is still a sum of whole atoms.
    Kanaal,
}

impl Dimensie {
    /// Every key, in the order of a year's tally.
    pub const ALL: [Dimensie; 6] = [
        Dimensie::Aanbieder,
        Dimensie::Locatie,
        Dimensie::Leerweg,
        Dimensie::Sector,
        Dimensie::Kwalificatie,
        Dimensie::Kanaal,
    ];

    fn index(self) -> usize {
        self as usize
    }

    /// The selection narrowed to one value, or `None` when the selection does not allow it.
    fn narrow(self, s: &Selectie, v: &str) -> Option<Selectie> {
        let allowed = |list: &[String]| list.is_empty() || list.iter().any(|x| x == v);
        let single = |cur: &Option<String>| cur.as_deref().is_none_or(|c| c == v);
        let mut t = s.clone();
        match self {
            Dimensie::Aanbieder if s.brin.is_some() && allowed(&s.aanbieders) => t.aanbieders = vec![v.to_owned()],
            Dimensie::Locatie if allowed(&s.locaties) => t.locaties = vec![v.to_owned()],
            Dimensie::Leerweg if single(&s.leerweg) => t.leerweg = Some(v.to_owned()),
            Dimensie::Sector if single(&s.sector) => t.sector = Some(v.to_owned()),
            Dimensie::Kwalificatie if single(&s.crebo) => t.crebo = Some(v.to_owned()),
            Dimensie::Kanaal => {}
            _ => return None,
        }
        Some(t)
    }

    /// Call `f` with each value of this key the atom's cells hold (a cell without a locatie or
    /// sector holds none), without copying them.
    fn each_value(self, unit: &Unit, atom: &Atom, mut f: impl FnMut(&str)) {
        let span = &atom.span;
        match self {
            Dimensie::Aanbieder => f(&unit.aanbiedercode),
            Dimensie::Locatie => span.locaties.iter().flatten().for_each(|v| f(v)),
            Dimensie::Leerweg => span.leerwegen.iter().for_each(|v| f(v)),
            Dimensie::Sector => span.sectors.iter().flatten().for_each(|v| f(v)),
            Dimensie::Kwalificatie => span.crebos.iter().for_each(|v| f(v)),
            Dimensie::Kanaal => match kanaal(atom) {
                Some(k) => f(k.as_str()),
                None => [Kanaal::Direct, Kanaal::ViaPraktijkopleider].iter().for_each(|k| f(k.as_str())),
            },
        }
    }

    /// This key's value in one cell of `unit` (none for a cell without a locatie or sector).
    fn of_cell(self, unit: &Unit, c: FineKey) -> Option<&'static str> {
        match self {
            Dimensie::Aanbieder => Some(unit.aanbiedercode.as_str()),
            Dimensie::Locatie => c.locatiecode.map(Tekst::as_str),
            Dimensie::Leerweg => Some(c.leerweg.as_str()),
            Dimensie::Sector => c.sector.map(Tekst::as_str),
            Dimensie::Kwalificatie => Some(c.crebo.as_str()),
            // Cells carry no channel of their own (their invitations may have gone both ways).
            Dimensie::Kanaal => None,
        }
    }

    /// Whether every cell of the atom holds the same value of this key.
    fn single(self, atom: &Atom) -> bool {
        let span = &atom.span;
        match self {
            Dimensie::Aanbieder => true,
            Dimensie::Locatie => span.locaties.len() == 1,
            Dimensie::Leerweg => span.leerwegen.len() == 1,
            Dimensie::Sector => span.sectors.len() == 1,
            Dimensie::Kwalificatie => span.crebos.len() == 1,
            Dimensie::Kanaal => kanaal(atom).is_some(),
        }
    }
}

/// The channel all of an atom's invitations went through, or `None` when both were used.
fn kanaal(atom: &Atom) -> Option<Kanaal> {
    match atom.sums.invited_via {
        0 => Some(Kanaal::Direct),
        n if n == atom.sums.invited => Some(Kanaal::ViaPraktijkopleider),
        _ => None,
    }
}

/// One value of a split being summed: the selection narrowed to it, and what it counts so far.
struct SplitAcc {
    selectie: Selectie,
    totals: Totals,
    weggelaten: Weggelaten,
    leeg: bool,
}

/// Add a unit's whole year to the counts of a response split: per key, the year's tally per
/// value (an atom several values share is left out of each, as the walk leaves it out).
fn add_tally(
    year: &YearAtoms,
    dimensies: &[Dimensie],
    accs: &mut [HashMap<String, Option<SplitAcc>>],
    new_acc: &impl Fn(Dimensie, &str) -> Option<SplitAcc>,
) {
    for (&dimensie, acc) in dimensies.iter().zip(accs.iter_mut()) {
        let Some(tally) = year.tally.get(dimensie.index()) else { continue };
        for (v, &(responded, invited)) in tally {
            if !acc.contains_key(v.as_str()) {
                acc.insert(v.clone(), new_acc(dimensie, v));
            }
            if let Some(Some(a)) = acc.get_mut(v.as_str()) {
                a.leeg = false;
                a.totals.responded += responded;
                a.totals.invited += invited;
            }
        }
    }
}

/// Add one atom of `unit` (its year's dropped atom when `dropped`) to the counts of a split.
fn split_atom(
    unit: &Unit,
    atom: &Atom,
    dropped: bool,
    selectie: &Selectie,
    dimensies: &[Dimensie],
    accs: &mut [HashMap<String, Option<SplitAcc>>],
    new_acc: &impl Fn(Dimensie, &str) -> Option<SplitAcc>,
) {
    let whole = coverage(atom, selectie);
    if whole == Coverage::None {
        return;
    }
    for (&dimensie, acc) in dimensies.iter().zip(accs.iter_mut()) {
        let single = dimensie.single(atom);
        // The key's values of the cells inside the selection, found in one walk of
        // the atom when a value needs it (instead of one walk per value).
        let mut binnen: Option<BTreeSet<Option<&str>>> = None;
        dimensie.each_value(unit, atom, |v| {
            if !acc.contains_key(v) {
                acc.insert(v.to_owned(), new_acc(dimensie, v));
            }
            let Some(Some(a)) = acc.get_mut(v) else { return };
            // Wholly inside and single-valued on the key: inside the narrowed
            // selection too. Anything else is decided exactly against it.
            let c = if whole == Coverage::All && single {
                whole
            } else if dimensie == Dimensie::Kanaal {
                // No filter narrows by channel: an atom of one channel is as covered
                // as by the selection; one of both channels is left out of each.
                match whole {
                    _ if single => whole,
                    Coverage::Part(by) => Coverage::Part(by),
                    _ => Coverage::Part(FilterSet::default()),
                }
            } else {
                // A cell is inside the narrowed selection when it is inside the
                // selection and holds `v`.
                coverage_or_walk(atom, &a.selectie, || {
                    binnen
                        .get_or_insert_with(|| {
                            atom.cells().filter(|c| inside(c, selectie)).map(|c| dimensie.of_cell(unit, c)).collect()
                        })
                        .contains(&Some(v))
                })
            };
            if dropped {
                a.leeg &= c == Coverage::None;
                return;
            }
            match c {
                Coverage::All => {
                    a.leeg = false;
                    // Without an item array the sums of the atom's items are skipped.
                    a.totals.add(&atom.sums);
                }
                Coverage::Part(split_by) => {
                    a.leeg = false;
                    a.weggelaten.add(split_by, atom.sums.responded);
                }
                Coverage::None => {}
            }
        });
    }
}

/// Whether a selection takes every cell of a unit's calendar year `year` (its unit being in the
/// selection): the period spans the whole year and no filter looks inside the unit.
fn takes_whole_year(s: &Selectie, year: i32) -> bool {
    s.van.is_none_or(|v| v <= YearMonth { year, month: 1 })
        && s.tot_en_met.is_none_or(|t| t >= YearMonth { year, month: 12 })
        && s.locaties.is_empty()
        && s.leerweg.is_none()
        && s.sector.is_none()
        && s.crebo.is_none()
}

fn inside(c: &FineKey, s: &Selectie) -> bool {
    s.contains_month(c.maand) && s.contains_detail(c.locatiecode.as_deref(), &c.leerweg, &c.crebo, c.sector.as_deref())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coverage {
    All,
    /// Partly inside: the filters that split the atom.
    Part(FilterSet),
    None,
}

fn coverage(atom: &Atom, s: &Selectie) -> Coverage {
    coverage_or_walk(atom, s, || atom.cells().any(|c| inside(&c, s)))
}

/// [`coverage`], with whether any cell lies inside asked of `any_inside` only when the set
/// lookups cannot decide (two keys split the atom).
fn coverage_or_walk(atom: &Atom, s: &Selectie, any_inside: impl FnOnce() -> bool) -> Coverage {
    let span = &atom.span;
    // Per key: do all of the atom's values lie inside the selection, none, or some? Decided with
    // set lookups, not by walking the values.
    let (mut none, mut mixed) = (false, FilterSet::default());
    let mut note = |filter: Filter, any_in: bool, any_out: bool| {
        none |= !any_in;
        if any_in && any_out {
            mixed.insert(filter);
        }
    };
    if s.van.is_some() || s.tot_en_met.is_some() {
        let lo = s.van.unwrap_or(YearMonth { year: i32::MIN, month: 1 });
        let hi = s.tot_en_met.unwrap_or(YearMonth { year: i32::MAX, month: 12 });
        let any_in = lo <= hi && span.months.get(span.months.partition_point(|m| *m < lo)).is_some_and(|m| *m <= hi);
        let any_out = span.months.first().is_some_and(|m| *m < lo) || span.months.last().is_some_and(|m| *m > hi);
        note(Filter::Periode, any_in, any_out);
    }
    if !s.locaties.is_empty() {
        let inside =
            span.locaties.iter().filter(|l| l.as_deref().is_some_and(|l| s.locaties.iter().any(|x| x == l))).count();
        note(Filter::Locatie, inside > 0, inside < span.locaties.len());
    }
    let mut single = |filter: Filter, values: &[Tekst], wanted: &Option<String>| {
        if let Some(w) = wanted {
            let any_in = Span::holds(values, w);
            note(filter, any_in, values.len() > usize::from(any_in));
        }
    };
    single(Filter::Leerweg, &span.leerwegen, &s.leerweg);
    single(Filter::Kwalificatie, &span.crebos, &s.crebo);
    if let Some(sec) = &s.sector {
        let any_in = span.sectors.iter().any(|s| s.as_deref() == Some(sec.as_str()));
        note(Filter::Sector, any_in, span.sectors.len() > usize::from(any_in));
    }
    if none {
        // Some key has no value inside: no cell is.
        return Coverage::None;
    }
    match mixed.len() {
        // Every value of every key is inside: every cell is.
        0 => return Coverage::All,
        // One key is split, every other wholly inside: the cells with an inside value of that
        // key are inside, the others not.
        1 => return Coverage::Part(mixed),
        _ => {}
    }
    // Two keys are split, so not every cell is inside; whether any is decides between left out
    // and not touched at all.
    if any_inside() { Coverage::Part(mixed) } else { Coverage::None }
}

/// The first fine key of a month (every key of the month sorts at or after it).
fn month_start(maand: YearMonth) -> FineKey {
    let leeg = Tekst::of(&mut TEKSTEN.lock().unwrap_or_else(std::sync::PoisonError::into_inner), "");
    FineKey { maand, locatiecode: None, leerweg: leeg, crebo: leeg, sector: None }
}

/// Rebuild one calendar year of a unit from its fine cells (rule 2 of the module docs).
fn rebuild_year(unit: &Unit, data: &mut UnitData, year: i32, k: u64, voorkeur: Voorkeur, items: usize) {
    let range = month_start(YearMonth { year, month: 1 })..month_start(YearMonth { year: year + 1, month: 1 });
    let cells: Vec<(&FineKey, &Cell)> = data.fine.range(range).collect();
    if cells.is_empty() {
        data.years.remove(&year);
        return;
    }
    let parts = partition(&cells, k, voorkeur);
    let atom = |part: &Part| {
        let mut sums = Sums::default();
        let mut members = Vec::with_capacity(part.cells.len());
        for &i in &part.cells {
            if let Some((key, cell)) = cells.get(i) {
                sums.absorb_cell(cell, items);
                members.push(**key);
            }
        }
        Atom::new(&members, sums)
    };
    let year_atoms =
        YearAtoms::new(unit, year, parts.atoms.iter().map(atom).collect(), parts.dropped.as_ref().map(atom));
    data.years.insert(year, year_atoms);
}

#[cfg(test)]
mod tests;
