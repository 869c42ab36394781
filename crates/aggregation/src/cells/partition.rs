//! Forming the atoms of one unit and calendar year: small cells merge along the filters users
//! choose, finest first (rule 2 of the module docs of [`crate::cells`]).

use std::collections::BTreeMap;

use super::{Cell, FineKey};

/// Which of the two finest filters keeps its answers whole when small cells must merge: the other
/// one is merged away first (setting `reporting.voorkeur`; docs/privacy.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Voorkeur {
    /// Keep kwalificaties (crebo's) whole: small cells merge across the locaties of their
    /// aanbieder before they merge across crebo's.
    #[default]
    Kwalificatie,
    /// Keep onderwijslocaties whole: small cells merge across the crebo's of their sector before
    /// they merge across locaties.
    Locatie,
}

impl Voorkeur {
    /// The setting's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Voorkeur::Kwalificatie => "kwalificatie",
            Voorkeur::Locatie => "locatie",
        }
    }

    /// The dimensions in the order they are given up.
    fn order(self) -> [Dim; 4] {
        match self {
            Voorkeur::Kwalificatie => [Dim::Locatie, Dim::Crebo, Dim::Sector, Dim::Leerweg],
            Voorkeur::Locatie => [Dim::Crebo, Dim::Locatie, Dim::Sector, Dim::Leerweg],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dim {
    Locatie,
    Leerweg,
    Sector,
    Crebo,
}

/// Steps: 0 the fine cell (month), 1 the quarter, 2 the year, 3–6 the year with the first 1–4
/// dimensions of the order given up (6: the whole unit-year).
const LAST: usize = 6;

/// What a group of cells shares at a step; `None` where the step has merged the key away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct GroupKey<'a> {
    /// 1–12 month, 13–16 quarter, 0 the year.
    tijd: u8,
    locatie: Option<Option<&'a str>>,
    leerweg: Option<&'a str>,
    sector: Option<Option<&'a str>>,
    crebo: Option<&'a str>,
}

fn group_key<'a>(step: usize, order: &[Dim; 4], key: &'a FineKey) -> GroupKey<'a> {
    let given_up = order.get(..step.saturating_sub(2)).unwrap_or(order);
    let kept = |d: Dim| !given_up.contains(&d);
    GroupKey {
        tijd: match step {
            0 => key.maand.month,
            1 => 12 + key.maand.quarter(),
            _ => 0,
        },
        locatie: kept(Dim::Locatie).then_some(key.locatiecode.as_deref()),
        leerweg: kept(Dim::Leerweg).then_some(&*key.leerweg),
        sector: kept(Dim::Sector).then_some(key.sector.as_deref()),
        crebo: kept(Dim::Crebo).then_some(&*key.crebo),
    }
}

/// Cells (indices into the year's cells) counted together, with their totals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Part {
    pub cells: Vec<usize>,
    pub responded: u64,
    pub invited: u64,
}

impl Part {
    fn join(&mut self, other: Part) {
        self.cells.extend(other.cells);
        self.responded += other.responded;
        self.invited += other.invited;
    }
}

/// The atoms of a unit-year and what was dropped (`0 < n < k` with no atom to join).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Parts {
    pub atoms: Vec<Part>,
    pub dropped: Option<Part>,
}

/// Whether a part's cells hold more than one value of the favoured filter.
fn spans(cells: &[(&FineKey, &Cell)], part: &Part, voorkeur: Voorkeur) -> bool {
    let value = |i: &usize| {
        cells.get(*i).map(|(key, _)| match voorkeur {
            Voorkeur::Kwalificatie => &*key.crebo,
            Voorkeur::Locatie => key.locatiecode.as_deref().unwrap_or(""),
        })
    };
    let mut values = part.cells.iter().map(value);
    let first = values.next().flatten();
    values.any(|v| v != first)
}

/// Partition one unit-year's cells into atoms of `0` or at least `k` answers.
///
/// A cell with at least `k` answers is an atom. The rest moves through the steps (quarter, year,
/// then one dimension given up at a time); at each step the leftovers that share the step's key
/// are summed, and the sum
/// * with at least `k` answers becomes an atom;
/// * with `0 < n < k` joins an atom already inside the same group — one that already spans
///   several values of the favoured filter if there is one, else the smallest — or, without
///   one, moves on to the next step (after the last it is dropped). At the step that gives up the
///   favoured filter it never joins (that would spoil one of the favoured filter's atoms) but
///   moves on, where sector and leerweg have room to spare;
/// * with no answers (invitations only) joins such an atom only at the time steps (where it
///   costs no filter anything), moves on otherwise, and is an atom of its own after the last.
///
/// Deterministic: the same cells give the same atoms on every replica.
pub(super) fn partition(cells: &[(&FineKey, &Cell)], k: u64, voorkeur: Voorkeur) -> Parts {
    let order = voorkeur.order();
    let key_of = |step: usize, part: &Part| {
        part.cells.first().and_then(|&i| cells.get(i)).map(|(key, _)| group_key(step, &order, key))
    };
    let mut parts = Parts::default();
    let mut pending: Vec<Part> = Vec::new();
    for (i, (_, cell)) in cells.iter().enumerate() {
        let part = Part { cells: vec![i], responded: u64::from(cell.responded), invited: u64::from(cell.invited) };
        if part.responded >= k { parts.atoms.push(part) } else { pending.push(part) }
    }
    for step in 1..=LAST {
        if pending.is_empty() {
            break;
        }
        let mut groups: BTreeMap<GroupKey<'_>, Part> = BTreeMap::new();
        for part in pending.drain(..) {
            if let Some(key) = key_of(step, &part) {
                groups.entry(key).or_default().join(part);
            }
        }
        // The atom inside each group that leftovers join: one that already spans several values
        // of the favoured filter if there is one (joining it costs that filter nothing), else the
        // smallest (ties: the first formed).
        let mut target: BTreeMap<GroupKey<'_>, (bool, u64, usize)> = BTreeMap::new();
        for (i, atom) in parts.atoms.iter().enumerate() {
            let Some(key) = key_of(step, atom) else { continue };
            let rank = (!spans(cells, atom, voorkeur), atom.responded, i);
            let best = target.entry(key).or_insert(rank);
            if rank < *best {
                *best = rank;
            }
        }
        let time_step = step <= 2;
        // Joining at the step that gives up the favoured filter would spoil one of its atoms;
        // the leftovers move on instead, where sector and leerweg have room to spare.
        let may_join = step != 4;
        for (key, group) in groups {
            let sibling = target.get(&key).map(|&(_, _, i)| i);
            if group.responded >= k {
                parts.atoms.push(group);
            } else if let Some(atom) = sibling.filter(|_| may_join && (group.responded > 0 || time_step)) {
                if let Some(atom) = parts.atoms.get_mut(atom) {
                    atom.join(group);
                }
            } else if step < LAST {
                pending.push(group);
            } else if group.responded == 0 {
                parts.atoms.push(group);
            } else {
                parts.dropped = Some(group);
            }
        }
    }
    parts
}
