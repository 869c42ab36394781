//! The reporting index: sums per **atom**, built once and absorbed incrementally, from which every
//! selection is answered without looking at a single answer (DESIGN.md §7, §9; docs/privacy.md,
//! "Small cells and the differencing attack").
//!
//! # The rule as implemented
//!
//! 1. **Fine cells.** Answers and invitations are summed per *unit* (groep × brin × aanbieder) and
//!    per fine key (month × locatie × leerweg × crebo × sector). A cell holds the count of answers
//!    (`responded`), of invitations, and per item the count per value (and of "n.v.t.") — from
//!    which `n`, the sum, the mean, % eens and the distribution follow.
//! 2. **Atoms.** Within each unit (always rebuilt as a whole):
//!    * a fine cell with `n ≥ k` is an atom by itself;
//!    * the other cells of one month (`n < k`, including cells with invitations only) are merged
//!      into that month's *remainder* (across locatie, leerweg, crebo, sector); if it has `n = 0`
//!      or `n ≥ k` it is an atom;
//!    * the month remainders with `0 < n < k` are merged per quarter; those still so per calendar
//!      year; a year remainder still `0 < n < k` is **dropped**: never counted in any selection
//!      (its invitations with it, so the response rate stays over the same atoms).
//!
//!    So every atom is empty or has at least `k` answers.
//! 3. **Counting.** An atom counts towards a selection only when *every* fine cell it was made of
//!    lies in the selection (groep, period, brin, aanbieders, locaties, leerweg, crebo, sector).
//!    An atom that is only partly inside is left out entirely, and its whole size is added to
//!    [`Resultaat::niet_meegeteld`](crate::Resultaat::niet_meegeteld). Reporting whole sizes
//!    (each at least `k`) keeps that number itself from telling how many of the atom's answers
//!    fall inside. Dropped remainders are *not* reported per selection — their size is below `k`
//!    and a difference of two selections would reveal it; [`IndexStats::answers_dropped`] gives
//!    the total for monitoring.
//! 4. **Figures** are computed from the summed atoms only, and a figure with `n < k` is suppressed
//!    besides (which, with atoms of at least `k` answers, happens only for items answered
//!    "n.v.t." a lot, or items absent from the version used in the period).
//!
//! Consequence: the counted answers of any selection are a union of whole atoms, and for two
//! selections `S₁ ⊇ S₂` the atoms counted in `S₂` are counted in `S₁` too, so
//! `n(S₁) − n(S₂)` is a sum of whole atoms: `0` or at least `k`, and the sums recovered by
//! subtraction are those of whole atoms. School-wide minus all-but-one-location, or all BOL minus
//! BOL-with-crebo-X, yields nothing below `k` (tested below).
//!
//! ## Known limits
//!
//! * The guarantee is on respondents. For one item, the respondents of an atom may have answered
//!   "n.v.t." so often that the item's answers in the difference of two selections number fewer
//!   than `k` (they are still among at least `k` respondents of one atom).
//! * The index changes as answers arrive: comparing the same selection before and after an
//!   absorption differences the new answers. The reporting API should serve closed months (or
//!   refresh at fixed moments) if that is to be excluded.
//!
//! # Speed
//!
//! A selection sums the atoms of the matching units (a dense array per atom with answers: items ×
//! 11 slots), so its cost grows with the number of atoms touched, not with answers or users; each
//! atom records the span of its cells (months, locaties, leerwegen, crebos, sectors), so whether it
//! lies wholly inside, outside or across a selection is mostly decided without visiting its cells.
//! Fine cells keep their counts sparse (they hold a few answers each). The index is immutable while
//! evaluating (`&self`) and can be shared between threads. [`Index::add`] sums the new answers into
//! the fine cells and rebuilds only the units they touch.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use bpvo::Groep;

use crate::answers::{Answers, Antwoord};
use crate::questionnaire::{CIJFER_CODE, Questionnaires};
use crate::results::{AnswerKeys, InvitationCount, KeyedAnswer, Layout, Resultaat, SLOTS, Selectie, Totals, YearMonth};

/// The default suppression threshold.
pub const DEFAULT_K: u64 = 10;

/// Groep × instelling × aanbieder: atoms never span units.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Unit {
    groep: Groep,
    brin: String,
    aanbiedercode: String,
}

/// The finest grain within a unit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct FineKey {
    maand: YearMonth,
    locatiecode: Option<String>,
    leerweg: String,
    crebo: String,
    sector: Option<String>,
}

/// Counts of one atom: answered, invited, and per item the count per slot. `items` stays empty
/// while the atom has no answers (invitation-only cells are the majority and cost no item array).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Sums {
    responded: u64,
    invited: u64,
    /// Per item, count per slot (0 = n.v.t., 1–10 = value).
    items: Vec<[u32; SLOTS]>,
}

impl Sums {
    fn absorb_cell(&mut self, cell: &Cell, items: usize) {
        self.responded += cell.responded;
        self.invited += cell.invited;
        if cell.counts.is_empty() {
            return;
        }
        if self.items.is_empty() {
            self.items = vec![[0; SLOTS]; items];
        }
        for &(slot, count) in &cell.counts {
            let (item, value) = (usize::from(slot) / SLOTS, usize::from(slot) % SLOTS);
            if let Some(cell) = self.items.get_mut(item) {
                cell[value] = cell[value].saturating_add(count);
            }
        }
    }

    fn absorb(&mut self, other: &Sums) {
        self.responded += other.responded;
        self.invited += other.invited;
        if other.items.is_empty() {
            return;
        }
        if self.items.is_empty() {
            self.items.clone_from(&other.items);
            return;
        }
        for (mine, theirs) in self.items.iter_mut().zip(&other.items) {
            for (m, t) in mine.iter_mut().zip(theirs) {
                *m = m.saturating_add(*t);
            }
        }
    }
}

/// Counts of one fine cell, sparse: `(item × 11 + slot, count)` sorted by slot. A fine cell holds
/// few answers, usually one or two, so this is a fraction of a dense array.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Cell {
    responded: u64,
    invited: u64,
    counts: Vec<(u16, u32)>,
}

impl Cell {
    fn add_answers(&mut self, layout: &Layout, answers: &Answers) {
        self.responded += 1;
        let grade =
            (!answers.items.contains_key(CIJFER_CODE)).then_some((CIJFER_CODE, Antwoord::Cijfer(answers.cijfer)));
        let all = answers.items.iter().map(|(code, a)| (code.as_str(), *a)).chain(grade);
        for (code, antwoord) in all {
            let Some((idx, kind)) = layout.slot_of(code) else { continue };
            let value = match antwoord.waarde() {
                None if kind.allows_nvt() => 0,
                None => continue,
                Some(v) if kind.range().contains(&v) => usize::from(v),
                Some(_) => continue,
            };
            let Ok(slot) = u16::try_from(idx * SLOTS + value) else { continue };
            match self.counts.binary_search_by_key(&slot, |&(s, _)| s) {
                Ok(pos) => self.counts[pos].1 = self.counts[pos].1.saturating_add(1),
                Err(pos) => self.counts.insert(pos, (slot, 1)),
            }
        }
    }
}

/// What an atom's cells span, to decide most coverage questions without visiting every cell.
#[derive(Debug, Clone, Default)]
struct Span {
    months: BTreeSet<YearMonth>,
    locaties: BTreeSet<Option<String>>,
    leerwegen: BTreeSet<String>,
    crebos: BTreeSet<String>,
    sectors: BTreeSet<Option<String>>,
}

impl Span {
    fn of(cells: &[Arc<FineKey>]) -> Self {
        let mut span = Span::default();
        for c in cells {
            span.months.insert(c.maand);
            if !span.locaties.contains(&c.locatiecode) {
                span.locaties.insert(c.locatiecode.clone());
            }
            if !span.leerwegen.contains(&c.leerweg) {
                span.leerwegen.insert(c.leerweg.clone());
            }
            if !span.crebos.contains(&c.crebo) {
                span.crebos.insert(c.crebo.clone());
            }
            if !span.sectors.contains(&c.sector) {
                span.sectors.insert(c.sector.clone());
            }
        }
        span
    }
}

/// A set of fine cells counted together or not at all.
#[derive(Debug, Clone)]
struct Atom {
    cells: Vec<Arc<FineKey>>,
    sums: Sums,
    span: Span,
}

impl Atom {
    fn merge(into: &mut Option<Atom>, other: Atom) {
        match into {
            Some(atom) => {
                atom.cells.extend(other.cells);
                atom.sums.absorb(&other.sums);
            }
            None => *into = Some(other),
        }
    }

    /// Done merging: record what the cells span.
    fn sealed(mut self) -> Self {
        self.span = Span::of(&self.cells);
        self
    }
}

/// The atoms of one month of a unit: its big cells and, when publishable, its remainder; a
/// remainder with `0 < n < k` waits in `remainder` to be merged per quarter and year.
#[derive(Debug, Clone, Default)]
struct MonthAtoms {
    atoms: Vec<Atom>,
    remainder: Option<Atom>,
}

#[derive(Debug, Clone, Default)]
struct UnitData {
    fine: BTreeMap<Arc<FineKey>, Cell>,
    months: BTreeMap<YearMonth, MonthAtoms>,
    /// Per year: quarter and year remainders that are atoms, and the dropped ones.
    upper: BTreeMap<i32, (Vec<Atom>, Vec<Atom>)>,
}

impl UnitData {
    fn atoms(&self) -> impl Iterator<Item = &Atom> {
        self.months.values().flat_map(|m| &m.atoms).chain(self.upper.values().flat_map(|(a, _)| a))
    }

    fn dropped(&self) -> impl Iterator<Item = &Atom> {
        self.upper.values().flat_map(|(_, d)| d)
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
    layout: Layout,
    units: BTreeMap<Unit, UnitData>,
    /// Months of units absorbed into but not yet rebuilt.
    dirty: BTreeMap<Unit, BTreeSet<YearMonth>>,
}

impl Index {
    /// An empty index with threshold `k` (at least 1) for these questionnaires.
    pub fn new(questionnaires: &Questionnaires, k: u64) -> Self {
        Index { k: k.max(1), layout: Layout::new(questionnaires), units: BTreeMap::new(), dirty: BTreeMap::new() }
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

    /// Absorb new answers and invitations: they are summed into their fine cells and the atoms of
    /// the units they touch are rebuilt.
    pub fn add(&mut self, answers: &[KeyedAnswer], invitations: &[InvitationCount]) {
        self.absorb(answers, invitations);
        self.rebuild_dirty();
    }

    /// Sum new answers and invitations into their fine cells without rebuilding atoms yet:
    /// evaluations keep seeing the atoms as they were until [`Index::rebuild_dirty`]. For loading
    /// in pages, where rebuilding after each page would redo the same units many times.
    pub fn absorb(&mut self, answers: &[KeyedAnswer], invitations: &[InvitationCount]) {
        for a in answers {
            let (unit, key) = split(&a.keys);
            let data = self.units.entry(unit.clone()).or_default();
            self.dirty.entry(unit).or_default().insert(key.maand);
            data.fine.entry(Arc::new(key)).or_default().add_answers(&self.layout, &a.answers);
        }
        for inv in invitations {
            let (unit, key) = split(&inv.keys);
            let data = self.units.entry(unit.clone()).or_default();
            self.dirty.entry(unit).or_default().insert(key.maand);
            data.fine.entry(Arc::new(key)).or_default().invited += inv.count;
        }
    }

    /// Rebuild the atoms of the units changed by [`Index::absorb`].
    pub fn rebuild_dirty(&mut self) {
        let items = self.layout.len();
        for (unit, months) in std::mem::take(&mut self.dirty) {
            match self.units.get_mut(&unit) {
                Some(data) if data.fine.is_empty() => {
                    self.units.remove(&unit);
                }
                Some(data) => {
                    for &m in &months {
                        rebuild_month(data, m, self.k, items);
                    }
                    for year in months.iter().map(|m| m.year).collect::<BTreeSet<_>>() {
                        rebuild_year(data, year, self.k);
                    }
                }
                None => {}
            }
        }
    }

    /// Replace every invitation count by these: the denominator is re-read as a whole (an
    /// invitation's status changes, so it cannot be absorbed once like an answer). Only units whose
    /// counts changed are rebuilt.
    pub fn set_invitations(&mut self, invitations: &[InvitationCount]) {
        self.replace_invitations(invitations);
        self.rebuild_dirty();
    }

    /// [`Index::set_invitations`] without rebuilding yet (see [`Index::absorb`]).
    pub fn replace_invitations(&mut self, invitations: &[InvitationCount]) {
        let mut wanted: BTreeMap<Unit, BTreeMap<FineKey, u64>> = BTreeMap::new();
        for inv in invitations {
            let (unit, key) = split(&inv.keys);
            *wanted.entry(unit).or_default().entry(key).or_default() += inv.count;
        }
        let units: BTreeSet<Unit> = self.units.keys().cloned().chain(wanted.keys().cloned()).collect();
        for unit in units {
            let want = wanted.remove(&unit).unwrap_or_default();
            let data = self.units.entry(unit.clone()).or_default();
            let changed = data.fine.iter().any(|(k, s)| s.invited != want.get(k).copied().unwrap_or(0))
                || want.keys().any(|k| !data.fine.contains_key(k));
            if !changed {
                continue;
            }
            let mut months: BTreeSet<YearMonth> = BTreeSet::new();
            for (key, cell) in data.fine.iter_mut() {
                let count = want.get(key.as_ref()).copied().unwrap_or(0);
                if cell.invited != count {
                    months.insert(key.maand);
                    cell.invited = count;
                }
            }
            for (key, count) in want {
                if !data.fine.contains_key(&key) {
                    months.insert(key.maand);
                    data.fine.entry(Arc::new(key)).or_default().invited = count;
                }
            }
            data.fine.retain(|_, s| s.responded > 0 || s.invited > 0);
            self.dirty.entry(unit).or_default().extend(months);
        }
    }

    /// The values present under an instelling (or everywhere): what a user may filter on.
    pub fn key_values(&self, brin: Option<&str>) -> KeyValues {
        let mut values = KeyValues::default();
        for (unit, data) in &self.units {
            if brin.is_some_and(|b| b != unit.brin) {
                continue;
            }
            values.aanbieders.insert(unit.aanbiedercode.clone());
            for key in data.fine.keys() {
                if let Some(l) = &key.locatiecode {
                    values.locaties.insert(l.clone());
                }
                values.leerwegen.insert(key.leerweg.clone());
                values.crebos.insert(key.crebo.clone());
                if let Some(s) = &key.sector {
                    values.sectoren.insert(s.clone());
                }
                values.eerste_maand = Some(values.eerste_maand.map_or(key.maand, |m| m.min(key.maand)));
                values.laatste_maand = Some(values.laatste_maand.map_or(key.maand, |m| m.max(key.maand)));
            }
        }
        values
    }

    /// The figures for a selection.
    pub fn evaluate(&self, selectie: &Selectie) -> Resultaat {
        let mut totals = Totals { items: vec![[0; SLOTS]; self.layout.len()], ..Totals::default() };
        let mut niet_meegeteld = 0;
        for (unit, data) in &self.units {
            if unit.groep != selectie.groep || !selectie.contains_unit(&unit.brin, &unit.aanbiedercode) {
                continue;
            }
            for atom in data.atoms() {
                match coverage(atom, selectie) {
                    Coverage::All => {
                        totals.responded += atom.sums.responded;
                        // (an atom without answers has no item array: nothing to add)
                        totals.invited += atom.sums.invited;
                        for (t, a) in totals.items.iter_mut().zip(&atom.sums.items) {
                            for (t, a) in t.iter_mut().zip(a) {
                                *t += u64::from(*a);
                            }
                        }
                    }
                    Coverage::Part => niet_meegeteld += atom.sums.responded,
                    Coverage::None => {}
                }
            }
        }
        self.layout.result(selectie.groep, &totals, niet_meegeteld, self.k)
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

    /// The number of answers in each atom (for checking the invariant: 0 or at least `k`).
    pub fn atom_sizes(&self) -> Vec<u64> {
        self.units.values().flat_map(|d| d.atoms().map(|a| a.sums.responded)).collect()
    }
}

fn split(keys: &AnswerKeys) -> (Unit, FineKey) {
    (
        Unit { groep: keys.groep, brin: keys.brin.clone(), aanbiedercode: keys.aanbiedercode.clone() },
        FineKey {
            maand: keys.maand,
            locatiecode: keys.locatiecode.clone(),
            leerweg: keys.leerweg.clone(),
            crebo: keys.crebo.clone(),
            sector: keys.sector.clone(),
        },
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coverage {
    All,
    Part,
    None,
}

fn coverage(atom: &Atom, s: &Selectie) -> Coverage {
    let span = &atom.span;
    // Per key: do all of the atom's values lie inside the selection, none, or some? Decided with
    // set lookups, not by walking the values.
    let (mut none, mut mixed) = (false, 0usize);
    let mut note = |any_in: bool, any_out: bool| {
        none |= !any_in;
        mixed += usize::from(any_in && any_out);
    };
    if s.van.is_some() || s.tot_en_met.is_some() {
        let lo = s.van.unwrap_or(YearMonth { year: i32::MIN, month: 1 });
        let hi = s.tot_en_met.unwrap_or(YearMonth { year: i32::MAX, month: 12 });
        let any_in = lo <= hi && span.months.range(lo..=hi).next().is_some();
        let any_out = span.months.first().is_some_and(|m| *m < lo) || span.months.last().is_some_and(|m| *m > hi);
        note(any_in, any_out);
    }
    if !s.locaties.is_empty() {
        let inside = span.locaties.iter().filter(|l| l.as_ref().is_some_and(|l| s.locaties.contains(l))).count();
        note(inside > 0, inside < span.locaties.len());
    }
    let mut single = |values: &BTreeSet<String>, wanted: &Option<String>| {
        if let Some(w) = wanted {
            let any_in = values.contains(w);
            note(any_in, values.len() > usize::from(any_in));
        }
    };
    single(&span.leerwegen, &s.leerweg);
    single(&span.crebos, &s.crebo);
    if let Some(sec) = &s.sector {
        let any_in = span.sectors.contains(&Some(sec.clone()));
        note(any_in, span.sectors.len() > usize::from(any_in));
    }
    if none {
        // Some key has no value inside: no cell is.
        return Coverage::None;
    }
    match mixed {
        // Every value of every key is inside: every cell is.
        0 => return Coverage::All,
        // One key is split, every other wholly inside: the cells with an inside value of that
        // key are inside, the others not.
        1 => return Coverage::Part,
        _ => {}
    }
    // Two keys are split, so not every cell is inside; whether any is decides between left out
    // and not touched at all.
    let inside = |c: &FineKey| {
        s.contains_month(c.maand)
            && s.contains_detail(c.locatiecode.as_deref(), &c.leerweg, &c.crebo, c.sector.as_deref())
    };
    if atom.cells.iter().any(|c| inside(c.as_ref())) { Coverage::Part } else { Coverage::None }
}

/// An atom may hold no answers (safe) or at least `k`.
fn publishable(a: &Atom, k: u64) -> bool {
    a.sums.responded == 0 || a.sums.responded >= k
}

/// The first fine key of a month (every key of the month sorts at or after it).
fn month_start(maand: YearMonth) -> FineKey {
    FineKey { maand, locatiecode: None, leerweg: String::new(), crebo: String::new(), sector: None }
}

/// Rebuild one month of a unit from its fine cells (rule 2 of the module docs): cells with at
/// least `k` answers are atoms; the others are summed straight into the month's remainder (only
/// atoms get a dense item array).
fn rebuild_month(data: &mut UnitData, maand: YearMonth, k: u64, items: usize) {
    let next = if maand.month == 12 {
        YearMonth { year: maand.year + 1, month: 1 }
    } else {
        YearMonth { month: maand.month + 1, ..maand }
    };
    let cells = month_start(maand)..month_start(next);
    let mut atoms: Vec<Atom> = Vec::new();
    let mut rest = Atom { cells: Vec::new(), sums: Sums::default(), span: Span::default() };
    for (key, cell) in data.fine.range::<FineKey, _>(cells) {
        let atom = if cell.responded >= k {
            atoms.push(Atom { cells: Vec::new(), sums: Sums::default(), span: Span::default() });
            match atoms.last_mut() {
                Some(a) => a,
                None => continue,
            }
        } else {
            &mut rest
        };
        atom.cells.push(Arc::clone(key));
        atom.sums.absorb_cell(cell, items);
    }
    if atoms.is_empty() && rest.cells.is_empty() {
        data.months.remove(&maand);
        return;
    }
    let mut atoms: Vec<Atom> = atoms.into_iter().map(Atom::sealed).collect();
    let remainder = if rest.cells.is_empty() {
        None
    } else if publishable(&rest, k) {
        atoms.push(rest.sealed());
        None
    } else {
        Some(rest)
    };
    data.months.insert(maand, MonthAtoms { atoms, remainder });
}

/// Merge one year's month remainders per quarter, then the year (rule 2); what is still below
/// `k` is dropped.
fn rebuild_year(data: &mut UnitData, year: i32, k: u64) {
    let (first, last) = (YearMonth { year, month: 1 }, YearMonth { year, month: 12 });
    let mut quarters: BTreeMap<u8, Option<Atom>> = BTreeMap::new();
    for (maand, m) in data.months.range(first..=last) {
        if let Some(r) = &m.remainder {
            Atom::merge(quarters.entry(maand.quarter()).or_default(), r.clone());
        }
    }
    let (mut atoms, mut dropped) = (Vec::new(), Vec::new());
    let mut whole_year: Option<Atom> = None;
    for atom in quarters.into_values().flatten() {
        if publishable(&atom, k) {
            atoms.push(atom.sealed());
        } else {
            Atom::merge(&mut whole_year, atom);
        }
    }
    if let Some(atom) = whole_year {
        if publishable(&atom, k) {
            atoms.push(atom.sealed());
        } else {
            dropped.push(atom.sealed());
        }
    }
    if atoms.is_empty() && dropped.is_empty() {
        data.upper.remove(&year);
    } else {
        data.upper.insert(year, (atoms, dropped));
    }
}

#[cfg(test)]
mod tests;
