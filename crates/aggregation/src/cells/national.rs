//! The national side of a response table in integers: the atoms of the index in a compact, flat
//! form per groep, laid out again with every rebuild.
//!
//! A response table asks, beside a school's own rows, the national response split by leerweg,
//! sector, crebo and channel, for the school's period and filters. The general walk
//! ([`super::Index::respons_by_each`]) decides each atom's coverage from its sets of texts and
//! looks every value up by its text, and an atom merged across crebo's walks its cells; nationally
//! that is every atom of the groep (some 28,000 at a million answers) for every new period. Here
//! every value is a number: an atom is its year, a bit per month, its counts and channel, its
//! numbers per key (leerweg, sector, crebo), and — when a key holds several values — its distinct
//! cells as `(month, leerweg, sector, crebo)` numbers. The decisions are exactly the walk's
//! (wholly inside, partly inside, outside; per value of a key the same against the selection
//! narrowed to it), taken with integer compares; a property test in `tests.rs` compares both.
//!
//! National evaluations (figures, not only response) use the same atoms grouped and summed in
//! advance ([`National::evaluate`]; see the module docs of [`crate::cells`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::sync::Arc;

use bpvo::{Groep, Kanaal};

use super::{Atom, Dimensie, Sums, Unit, UnitData, kanaal};
use crate::results::{Filter, FilterSet, SLOTS, Selectie, Totals, Weggelaten, YearMonth};

/// The keys a national response split may use here; any other (aanbieder, locatie) walks.
const KEYS: [Dimensie; 4] = [Dimensie::Leerweg, Dimensie::Sector, Dimensie::Kwalificatie, Dimensie::Kanaal];

/// The number of "no value" (a cell without a sector): a value of the key for coverage, but no
/// row of its own.
const GEEN: u32 = u32::MAX;

/// Leerweg, sector, crebo: the keys in the order of [`Compact::keys`] and [`Cel`].
const LEERWEG: usize = 0;
const SECTOR: usize = 1;
const CREBO: usize = 2;

/// A distinct cell of an atom without its locatie: month, then the three keys' numbers.
type Cel = (u8, [u32; 3]);

/// An atom in numbers.
#[derive(Debug, Clone)]
struct Compact {
    year: i32,
    /// Bit `m - 1` for each month `m` the atom's cells lie in.
    months: u16,
    responded: u64,
    invited: u64,
    /// Dropped atoms (below `k`) count nowhere but mark their values as touched.
    dropped: bool,
    /// `None` when the atom's invitations went both ways.
    kanaal: Option<Kanaal>,
    /// Per key, the atom's value numbers (sorted): a range of [`National::values`].
    keys: [Range<u32>; 3],
    /// The atom's distinct cells (a range of [`National::cells`]); empty when every key is
    /// single-valued (no walk is ever needed then).
    cells: Range<u32>,
    /// The atom's counts, shared with the index.
    sums: Arc<Sums>,
}

/// The atoms of one groep and year with the same months, leerwegen and sectors, all counted or
/// all dropped, summed in advance: a national selection without a crebo decides them together,
/// since its filters and period cover every atom of a group alike.
#[derive(Debug, Clone)]
struct Bak {
    year: i32,
    months: u16,
    dropped: bool,
    /// Leerweg and sector value numbers (ranges of [`National::values`]).
    keys: [Range<u32>; 2],
    responded: u64,
    invited: u64,
    /// Per item, count per slot, over the group's atoms.
    items: Vec<[u64; SLOTS]>,
    /// The group's atoms (positions in the groep's atoms), for the selections only their cells
    /// can decide (two keys split them).
    atoms: Vec<u32>,
}

/// What the atoms of one [`Bak`] share: year, months, dropped, leerweg and sector numbers.
type BakSleutel<'a> = (i32, u16, bool, &'a [u32], &'a [u32]);

/// How a selection covers an atom (or a group of alike atoms), from its sides per key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Beslissing {
    None,
    All,
    /// Partly inside: the filters that split it.
    Part(FilterSet),
    /// Two keys split it: partly inside when some cell lies inside, else outside.
    Walk(FilterSet),
}

/// What a national evaluation sums: the figures, what was left out, and whether nothing touched
/// the selection.
pub(super) type Som = (Totals, Weggelaten, bool);

/// Value texts of one key and their numbers.
#[derive(Debug, Clone, Default)]
struct Values {
    names: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Values {
    fn id(&mut self, v: &str) -> u32 {
        if let Some(&id) = self.ids.get(v) {
            return id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(GEEN - 1);
        self.names.push(v.to_owned());
        self.ids.insert(v.to_owned(), id);
        id
    }
}

/// The compact national form of an index's atoms (see the module docs).
#[derive(Debug, Clone, Default)]
pub(super) struct National {
    /// Per groep, sorted by year.
    groepen: BTreeMap<Groep, Vec<Compact>>,
    /// Per groep, the atoms grouped and summed by year, months, leerwegen and sectors; sorted by
    /// year.
    bakken: BTreeMap<Groep, Vec<Bak>>,
    /// Per groep and crebo number, the atoms that hold the crebo (positions, in year order).
    per_crebo: BTreeMap<Groep, HashMap<u32, Vec<u32>>>,
    /// Per key (leerweg, sector, crebo) the numbers of the values.
    names: [Values; 3],
    values: Vec<u32>,
    cells: Vec<Cel>,
}

/// What [`National::split`] found per key (in the order asked): per value text the walk would have
/// met, the answered and invited counted under it and whether anything touched it.
pub(super) type Found = Vec<Vec<(String, u64, u64, bool)>>;

/// Per value number: answered, invited, met, touched.
type Acc = Vec<(u64, u64, bool, bool)>;

/// A national selection in numbers.
struct Vraag {
    /// Per key the value filtered on: `None` no filter, `Some(None)` a value no atom holds.
    filter: [Option<Option<u32>>; 3],
    period: bool,
    lo: YearMonth,
    hi: YearMonth,
}

/// Per key, whether some value lies inside and whether some lies outside.
#[derive(Clone, Copy)]
struct Side {
    any_in: bool,
    any_out: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cover {
    All,
    Part,
    None,
}

impl National {
    /// Roughly the heap bytes held (see [`super::Index::heap_estimate`]).
    pub(super) fn heap_estimate(&self) -> usize {
        use std::mem::size_of;
        let compact: usize = self.groepen.values().map(|g| g.capacity() * size_of::<Compact>()).sum();
        let bakken: usize = self
            .bakken
            .values()
            .flatten()
            .map(|b| size_of::<Bak>() + b.items.capacity() * size_of::<[u64; SLOTS]>() + b.atoms.capacity() * 4)
            .sum();
        let per_crebo: usize = self.per_crebo.values().flat_map(|m| m.values()).map(|v| 16 + v.capacity() * 4).sum();
        compact + bakken + per_crebo + self.values.capacity() * 4 + self.cells.capacity() * size_of::<Cel>()
    }

    /// Whether a split can be answered here: a national selection (no instelling, aanbieder or
    /// locatie) split by leerweg, sector, crebo and channel only.
    pub(super) fn applies(selectie: &Selectie, dimensies: &[Dimensie]) -> bool {
        selectie.brin.is_none()
            && selectie.aanbieders.is_empty()
            && selectie.locaties.is_empty()
            && dimensies.iter().all(|d| KEYS.contains(d))
    }

    pub(super) fn build(units: &BTreeMap<Unit, UnitData>) -> Self {
        let mut n = National::default();
        for (unit, data) in units {
            for (&year, ya) in &data.years {
                for (atom, dropped) in ya.dropped.iter().map(|a| (a, true)).chain(ya.atoms.iter().map(|a| (a, false))) {
                    let c = n.compact(year, atom, dropped);
                    n.groepen.entry(unit.groep).or_default().push(c);
                }
            }
        }
        for g in n.groepen.values_mut() {
            g.sort_by_key(|c| c.year);
        }
        let grouped: Vec<_> = n.groepen.iter().map(|(&groep, atoms)| (groep, n.group(atoms))).collect();
        for (groep, (bakken, per_crebo)) in grouped {
            n.bakken.insert(groep, bakken);
            n.per_crebo.insert(groep, per_crebo);
        }
        n
    }

    /// The atoms of a groep grouped into [`Bak`]s, and per crebo the atoms that hold it.
    fn group(&self, atoms: &[Compact]) -> (Vec<Bak>, HashMap<u32, Vec<u32>>) {
        let mut bakken: Vec<Bak> = Vec::new();
        let mut found: HashMap<BakSleutel<'_>, usize> = HashMap::new();
        let mut per_crebo: HashMap<u32, Vec<u32>> = HashMap::new();
        for (i, c) in atoms.iter().enumerate() {
            let pos = u32::try_from(i).unwrap_or(u32::MAX);
            for &crebo in self.vals(&c.keys[CREBO]) {
                per_crebo.entry(crebo).or_default().push(pos);
            }
            let key = (c.year, c.months, c.dropped, self.vals(&c.keys[LEERWEG]), self.vals(&c.keys[SECTOR]));
            let b = *found.entry(key).or_insert_with(|| {
                bakken.push(Bak {
                    year: c.year,
                    months: c.months,
                    dropped: c.dropped,
                    keys: [c.keys[LEERWEG].clone(), c.keys[SECTOR].clone()],
                    responded: 0,
                    invited: 0,
                    items: Vec::new(),
                    atoms: Vec::new(),
                });
                bakken.len() - 1
            });
            let Some(bak) = bakken.get_mut(b) else { continue };
            bak.atoms.push(pos);
            bak.responded += c.sums.responded;
            bak.invited += c.sums.invited;
            if !c.sums.items.is_empty() && bak.items.is_empty() {
                bak.items = vec![[0; SLOTS]; c.sums.items.len()];
            }
            for (t, a) in bak.items.iter_mut().zip(&c.sums.items) {
                for (t, a) in t.iter_mut().zip(a) {
                    *t += u64::from(*a);
                }
            }
        }
        // Made in the atoms' order, so already by year.
        (bakken, per_crebo)
    }

    /// Whether [`National::evaluate`] answers the selection: a national one (no instelling,
    /// aanbieder or locatie).
    pub(super) fn evaluates(selectie: &Selectie) -> bool {
        selectie.brin.is_none() && selectie.aanbieders.is_empty() && selectie.locaties.is_empty()
    }

    /// The sums of a national selection ([`National::evaluates`]), exactly as the walk over every
    /// atom sums them: with a crebo, over the few atoms that hold it; without, over the groups of
    /// alike atoms, looking at single atoms only where two keys split a group.
    pub(super) fn evaluate(&self, selectie: &Selectie, items: usize) -> Som {
        let mut som = (Totals { items: vec![[0; SLOTS]; items], ..Totals::default() }, Weggelaten::default(), true);
        let vraag = self.vraag(selectie);
        let (Some(atoms), Some(bakken)) = (self.groepen.get(&selectie.groep), self.bakken.get(&selectie.groep)) else {
            return som;
        };
        match vraag.filter[CREBO] {
            // A crebo no atom holds: nothing is touched.
            Some(None) => {}
            Some(Some(crebo)) => {
                let holding = self.per_crebo.get(&selectie.groep).and_then(|m| m.get(&crebo));
                let holding = holding.map_or(&[][..], Vec::as_slice);
                let start = holding.partition_point(|&i| atoms.get(i as usize).is_some_and(|c| c.year < vraag.lo.year));
                let mut mask = (i32::MIN, 0u16);
                for c in holding[start..].iter().filter_map(|&i| atoms.get(i as usize)) {
                    if c.year > vraag.hi.year {
                        break;
                    }
                    if mask.0 != c.year {
                        mask = (c.year, months_inside(c.year, vraag.lo, vraag.hi));
                    }
                    let keys = [&c.keys[LEERWEG], &c.keys[SECTOR], &c.keys[CREBO]];
                    match self.beslis(c.months, mask.1, &vraag, keys) {
                        Beslissing::None => {}
                        Beslissing::All => {
                            som.2 = false;
                            if !c.dropped {
                                som.0.add(&c.sums);
                            }
                        }
                        Beslissing::Part(by) => self.part(&mut som, c, by),
                        Beslissing::Walk(by) => {
                            if self.walk(c, mask.1, &vraag) == Cover::Part {
                                self.part(&mut som, c, by);
                            }
                        }
                    }
                }
            }
            None => {
                let start = bakken.partition_point(|b| b.year < vraag.lo.year);
                let mut mask = (i32::MIN, 0u16);
                for b in bakken[start..].iter().take_while(|b| b.year <= vraag.hi.year) {
                    if mask.0 != b.year {
                        mask = (b.year, months_inside(b.year, vraag.lo, vraag.hi));
                    }
                    let empty = 0..0;
                    match self.beslis(b.months, mask.1, &vraag, [&b.keys[0], &b.keys[1], &empty]) {
                        Beslissing::None => {}
                        Beslissing::All => {
                            som.2 = false;
                            if !b.dropped {
                                add_bak(&mut som.0, b);
                            }
                        }
                        Beslissing::Part(by) => {
                            som.2 = false;
                            if !b.dropped {
                                som.1.add(by, b.responded);
                            }
                        }
                        Beslissing::Walk(by) => {
                            for c in b.atoms.iter().filter_map(|&i| atoms.get(i as usize)) {
                                if self.walk(c, mask.1, &vraag) == Cover::Part {
                                    self.part(&mut som, c, by);
                                }
                            }
                        }
                    }
                }
            }
        }
        som
    }

    /// An atom partly inside: touched, and (unless dropped) its answers left out.
    fn part(&self, som: &mut Som, c: &Compact, by: FilterSet) {
        som.2 = false;
        if !c.dropped {
            som.1.add(by, c.sums.responded);
        }
    }

    /// Coverage from the months and the leerweg, sector and crebo numbers (an empty range for a
    /// key the selection does not filter on), as [`super::coverage_or_walk`] decides it.
    fn beslis(&self, months: u16, pmask: u16, vraag: &Vraag, keys: [&Range<u32>; 3]) -> Beslissing {
        let (time, sides) = self.sides(months, pmask, vraag, keys);
        decide(time, &sides)
    }

    /// Per side of a selection — its period and each key it filters on — whether some of an
    /// atom's values lie inside and whether some lie outside.
    fn sides(&self, months: u16, pmask: u16, vraag: &Vraag, keys: [&Range<u32>; 3]) -> (Side, [Option<Side>; 3]) {
        let time = Side { any_in: months & pmask != 0, any_out: vraag.period && months & !pmask != 0 };
        let sides = std::array::from_fn(|k| {
            vraag.filter[k].map(|w| {
                let vals = self.vals(keys[k]);
                let any_in = w.is_some_and(|w| vals.binary_search(&w).is_ok());
                Side { any_in, any_out: vals.len() > usize::from(any_in) }
            })
        });
        (time, sides)
    }

    /// A selection in numbers.
    fn vraag(&self, selectie: &Selectie) -> Vraag {
        let filter = |k: usize, wanted: &Option<String>| wanted.as_ref().map(|w| self.names[k].ids.get(w).copied());
        Vraag {
            filter: [
                filter(LEERWEG, &selectie.leerweg),
                filter(SECTOR, &selectie.sector),
                filter(CREBO, &selectie.crebo),
            ],
            period: selectie.van.is_some() || selectie.tot_en_met.is_some(),
            lo: selectie.van.unwrap_or(YearMonth { year: i32::MIN, month: 1 }),
            hi: selectie.tot_en_met.unwrap_or(YearMonth { year: i32::MAX, month: 12 }),
        }
    }

    fn compact(&mut self, year: i32, atom: &Atom, dropped: bool) -> Compact {
        let span = &atom.span;
        let leerwegen: Vec<u32> = span.leerwegen.iter().map(|v| self.names[LEERWEG].id(v)).collect();
        let sectoren: Vec<u32> =
            span.sectors.iter().map(|v| v.as_deref().map_or(GEEN, |s| self.names[SECTOR].id(s))).collect();
        let crebos: Vec<u32> = span.crebos.iter().map(|v| self.names[CREBO].id(v)).collect();
        let single = leerwegen.len() == 1 && sectoren.len() == 1 && crebos.len() == 1;
        let keys = [self.push_values(leerwegen), self.push_values(sectoren), self.push_values(crebos)];
        let start = u32::try_from(self.cells.len()).unwrap_or(u32::MAX);
        if !single {
            let cells: BTreeSet<Cel> = atom
                .cells()
                .map(|c| {
                    let sector = c.sector.as_deref().map_or(GEEN, |s| self.names[SECTOR].id(s));
                    (c.maand.month, [self.names[LEERWEG].id(&c.leerweg), sector, self.names[CREBO].id(&c.crebo)])
                })
                .collect();
            self.cells.extend(cells);
        }
        Compact {
            year,
            months: span.months.iter().fold(0u16, |m, ym| m | 1 << (ym.month.clamp(1, 12) - 1)),
            responded: atom.sums.responded,
            invited: atom.sums.invited,
            dropped,
            kanaal: kanaal(atom),
            keys,
            cells: start..u32::try_from(self.cells.len()).unwrap_or(u32::MAX),
            sums: Arc::clone(&atom.sums),
        }
    }

    fn push_values(&mut self, mut vals: Vec<u32>) -> Range<u32> {
        vals.sort_unstable();
        vals.dedup();
        let start = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        self.values.extend(vals);
        start..u32::try_from(self.values.len()).unwrap_or(u32::MAX)
    }

    fn vals(&self, r: &Range<u32>) -> &[u32] {
        self.values.get(r.start as usize..r.end as usize).unwrap_or_default()
    }

    fn cells(&self, r: &Range<u32>) -> &[Cel] {
        self.cells.get(r.start as usize..r.end as usize).unwrap_or_default()
    }

    /// The split of a national selection ([`National::applies`]): per key asked, the values
    /// met with what counts under each — exactly what the walk finds — and the selection's own
    /// total (answered, invited, touched: exactly what an evaluation counts).
    pub(super) fn split(&self, selectie: &Selectie, dimensies: &[Dimensie]) -> (Found, (u64, u64, bool)) {
        let mut total = (0, 0, false, false);
        let Some(atoms) = self.groepen.get(&selectie.groep) else {
            return (dimensies.iter().map(|_| Vec::new()).collect(), (0, 0, false));
        };
        let vraag = self.vraag(selectie);
        let mut accs: Vec<Acc> = dimensies
            .iter()
            .map(|d| {
                let n = key_of(*d).map_or(2, |k| self.names[k].names.len());
                vec![(0, 0, false, false); n]
            })
            .collect();
        let start = atoms.partition_point(|c| c.year < vraag.lo.year);
        let mut mask = (i32::MIN, 0u16);
        for c in atoms[start..].iter().take_while(|c| c.year <= vraag.hi.year) {
            if mask.0 != c.year {
                mask = (c.year, months_inside(c.year, vraag.lo, vraag.hi));
            }
            self.add(c, mask.1, &vraag, dimensies, &mut accs, &mut total);
        }
        let found = dimensies
            .iter()
            .zip(accs)
            .map(|(d, acc)| {
                let name = |i: usize| -> Option<&str> {
                    match key_of(*d) {
                        Some(k) => self.names[k].names.get(i).map(String::as_str),
                        None => [Kanaal::Direct, Kanaal::ViaPraktijkopleider].get(i).map(|k| k.as_str()),
                    }
                };
                acc.into_iter()
                    .enumerate()
                    .filter(|(_, a)| a.2)
                    .filter_map(|(i, a)| name(i).map(|v| (v.to_owned(), a.0, a.1, a.3)))
                    .collect()
            })
            .collect();
        (found, (total.0, total.1, total.3))
    }

    /// One atom into the accumulators of each key asked.
    fn add(
        &self,
        c: &Compact,
        pmask: u16,
        vraag: &Vraag,
        dimensies: &[Dimensie],
        accs: &mut [Acc],
        total: &mut (u64, u64, bool, bool),
    ) {
        let (time, sides) = self.sides(c.months, pmask, vraag, [&c.keys[LEERWEG], &c.keys[SECTOR], &c.keys[CREBO]]);
        let whole = cover(time, &sides).unwrap_or_else(|| self.walk(c, pmask, vraag));
        if whole == Cover::None {
            return;
        }
        note(std::slice::from_mut(total), 0, whole, c);
        for (d, acc) in dimensies.iter().zip(accs.iter_mut()) {
            let Some(k) = key_of(*d) else {
                // The channel: no filter narrows by it, so an atom of one channel is as covered as
                // by the selection; one of both channels is left out of each.
                match c.kanaal {
                    Some(kanaal) => note(acc, kanaal_id(kanaal), whole, c),
                    None => acc.iter_mut().for_each(|a| (a.2, a.3) = (true, true)),
                }
                continue;
            };
            let vals = self.vals(&c.keys[k]);
            let single = vals.len() == 1;
            // This key's values of the cells inside the selection, found in one walk of the atom
            // when a value needs it (instead of one walk per value).
            let mut binnen: Option<Vec<u32>> = None;
            for &v in vals {
                // A value the selection does not allow has no row; a cell without one has none.
                if v == GEEN || vraag.filter[k].is_some_and(|w| w != Some(v)) {
                    continue;
                }
                let cover = if whole == Cover::All && single {
                    Cover::All
                } else {
                    // Against the selection narrowed to `v`: this key's values are `v` and, when
                    // the atom holds others, some outside.
                    let mut narrowed = sides;
                    narrowed[k] = Some(Side { any_in: true, any_out: !single });
                    cover(time, &narrowed).unwrap_or_else(|| {
                        let inside = binnen.get_or_insert_with(|| self.values_inside(c, pmask, vraag, k));
                        if inside.binary_search(&v).is_ok() { Cover::Part } else { Cover::None }
                    })
                };
                note(acc, v, cover, c);
            }
        }
    }

    /// Whether some cell of the atom lies inside the selection: partly inside, or outside.
    fn walk(&self, c: &Compact, pmask: u16, vraag: &Vraag) -> Cover {
        if self.cells(&c.cells).iter().any(|cel| inside(cel, pmask, vraag)) { Cover::Part } else { Cover::None }
    }

    /// The values of key `k` of the atom's cells inside the selection, sorted.
    fn values_inside(&self, c: &Compact, pmask: u16, vraag: &Vraag, k: usize) -> Vec<u32> {
        let mut v: Vec<u32> =
            self.cells(&c.cells).iter().filter(|cel| inside(cel, pmask, vraag)).map(|(_, keys)| keys[k]).collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// Coverage of an atom from its per-key sides, as the walk decides it: outside when some side has
/// no value inside, wholly inside when no side is split, partly inside when one is (with the
/// filter that splits it); when two are, only the cells can tell.
fn decide(time: Side, sides: &[Option<Side>; 3]) -> Beslissing {
    let filters = [Filter::Periode, Filter::Leerweg, Filter::Sector, Filter::Kwalificatie];
    let (mut none, mut mixed) = (false, FilterSet::default());
    for (filter, s) in filters.into_iter().zip(std::iter::once(Some(time)).chain(sides.iter().copied())) {
        let Some(s) = s else { continue };
        none |= !s.any_in;
        if s.any_in && s.any_out {
            mixed.insert(filter);
        }
    }
    if none {
        return Beslissing::None;
    }
    match mixed.len() {
        0 => Beslissing::All,
        1 => Beslissing::Part(mixed),
        _ => Beslissing::Walk(mixed),
    }
}

/// [`decide`] without the filters: `None` when only the cells can tell.
fn cover(time: Side, sides: &[Option<Side>; 3]) -> Option<Cover> {
    match decide(time, sides) {
        Beslissing::None => Some(Cover::None),
        Beslissing::All => Some(Cover::All),
        Beslissing::Part(_) => Some(Cover::Part),
        Beslissing::Walk(_) => None,
    }
}

/// Whether a cell lies inside the selection (its month and every filter).
fn inside(&(month, keys): &Cel, pmask: u16, vraag: &Vraag) -> bool {
    pmask & 1 << (month.clamp(1, 12) - 1) != 0 && (0..3).all(|k| vraag.filter[k].is_none_or(|w| w == Some(keys[k])))
}

/// A value of an atom that lies (partly) inside the selection: met, as the walk meets it; touched
/// unless the narrowed selection leaves the atom out; counted when wholly inside (and not dropped).
fn note(acc: &mut [(u64, u64, bool, bool)], v: u32, cover: Cover, c: &Compact) {
    let Some(a) = acc.get_mut(v as usize) else { return };
    a.2 = true;
    if cover == Cover::None {
        return;
    }
    a.3 = true;
    if cover == Cover::All && !c.dropped {
        a.0 += c.responded;
        a.1 += c.invited;
    }
}

/// A group's sums into the totals.
fn add_bak(totals: &mut Totals, b: &Bak) {
    totals.responded += b.responded;
    totals.invited += b.invited;
    for (t, a) in totals.items.iter_mut().zip(&b.items) {
        for (t, a) in t.iter_mut().zip(a) {
            *t += *a;
        }
    }
}

fn key_of(d: Dimensie) -> Option<usize> {
    match d {
        Dimensie::Leerweg => Some(LEERWEG),
        Dimensie::Sector => Some(SECTOR),
        Dimensie::Kwalificatie => Some(CREBO),
        _ => None,
    }
}

fn kanaal_id(k: Kanaal) -> u32 {
    match k {
        Kanaal::Direct => 0,
        Kanaal::ViaPraktijkopleider => 1,
    }
}

/// The months of `year` inside `lo..=hi`, a bit each.
fn months_inside(year: i32, lo: YearMonth, hi: YearMonth) -> u16 {
    let first = if lo.year < year {
        1
    } else if lo.year == year {
        lo.month
    } else {
        13
    };
    let last = if hi.year > year {
        12
    } else if hi.year == year {
        hi.month
    } else {
        0
    };
    (first.max(1)..=last.min(12)).fold(0, |m, month| m | 1 << (month - 1))
}
