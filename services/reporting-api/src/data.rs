//! The reporting data: the in-memory results index ([`bpv_aggregation::Index`]) built from the
//! stored answers' analysis keys, kept current by absorbing what was stored since the last read,
//! and the names of aanbieders, locaties, kwalificaties and instellingen to show beside codes.
//!
//! Reading: answers are read in `(submitted_at, id)` order in pages. A transaction that commits
//! late can carry a `submitted_at` just before the last one read, so each refresh re-reads an
//! overlap window ([`OVERLAP`]) and skips the ids it already absorbed in that window. Invitation
//! counts (the response denominator) change with an invitation's status; the database keeps them
//! per key (`uitnodiging_tellingen`, maintained by triggers), and each refresh reads only the keys
//! changed since its last read (again with an overlap window: the counts are absolute, so a key
//! read twice does no harm) and rebuilds only the units whose counts changed. The whole table is
//! read at the first load, in pages, and again only when an aanbieder moved to another instelling
//! or a crebo to another sector (brin and sector are joined at read time).
//!
//! Serving: evaluations take a read lock; a refresh does its database work and parsing first and
//! holds the write lock only to add the new sums. Results are cached per selection until the
//! next change, so many users asking the same thing cost one evaluation.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use bpv_aggregation::{
    AnswerKeys, Answers, Dimensie, Index, IndexStats, InvitationCount, KeyValues, KeyedAnswer, Questionnaires,
    Resultaat, Selectie, Telling, Voorkeur, YearMonth,
};
use bpv_store::DbConnection;
use bpv_store::repo::reporting::{self, Cursor, InvitationKeyCount, KeyedResponse};
use bpv_store::repo::{aanbieders, instellingen, referentie};
use bpvo::Groep;
use chrono::NaiveDateTime;

/// Invitation counts read per database round trip.
const COUNTS_PAGE: i64 = 10_000;

/// Answers read per database round trip.
const PAGE: i64 = 5_000;
/// How far back each refresh re-reads, for transactions that committed late.
pub const OVERLAP: chrono::TimeDelta = chrono::TimeDelta::minutes(10);
/// Cached results kept at most (evaluations are cheap; this bounds memory, not work).
const CACHE_MAX: usize = 4_096;

/// Names to show beside codes.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// BRIN → naam.
    pub instellingen: BTreeMap<String, String>,
    /// Aanbiedercode → (BRIN, naam).
    pub aanbieders: BTreeMap<String, (String, String)>,
    /// Locatiecode → (aanbiedercode, naam).
    pub locaties: BTreeMap<String, (String, String)>,
    /// Crebo → (naam, sector).
    pub kwalificaties: BTreeMap<String, (String, String)>,
}

/// What one refresh did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RefreshReport {
    /// New answers absorbed.
    pub answers: usize,
    /// Stored answers that could not be read (logged, left out).
    pub unreadable: usize,
    /// Whether invitation counts changed.
    pub invitations_changed: bool,
}

struct Inner {
    index: Index,
    /// Bumped on every change; cache entries of older generations are dropped.
    generation: u64,
}

struct Progress {
    cursor: Option<Cursor>,
    /// Ids absorbed with `submitted_at` inside the overlap window.
    recent: HashMap<String, NaiveDateTime>,
    /// How far the invitation counts have been read; `None` before the first read.
    invitations: Option<Tellingen>,
    /// Imported history files already absorbed (by checksum).
    historie: HashSet<String>,
}

/// Read pages with `next` on a thread of its own, one page ahead of `consume` on this one, until
/// `next` has no more: the database, the reading and what is done with a page each get a core
/// instead of taking turns. The first error ends the reading and is returned.
fn one_page_ahead<P: Send>(
    mut next: impl FnMut() -> bpv_store::StoreResult<Option<P>> + Send,
    mut consume: impl FnMut(P),
) -> bpv_store::StoreResult<()> {
    std::thread::scope(|scope| {
        let (pages, received) = std::sync::mpsc::sync_channel(1);
        scope.spawn(move || {
            loop {
                let page = next();
                let last = !matches!(page, Ok(Some(_)));
                if pages.send(page).is_err() || last {
                    return;
                }
            }
        });
        for page in received {
            match page? {
                Some(p) => consume(p),
                None => break,
            }
        }
        Ok(())
    })
}

/// Where the reading of invitation counts stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tellingen {
    /// Fingerprint of the aanbieder → brin and crebo → sector mappings the counts were read with.
    mapping: u64,
    /// The latest change read (`gewijzigd_op`), if any row was read.
    tot: Option<NaiveDateTime>,
}

/// The response of a selection's splits by several keys: element `i` is the split by the
/// `i`-th key.
pub type Splits = Vec<BTreeMap<String, Telling>>;

/// Results of one index generation by what was asked: a lookup under another generation
/// misses, a store under a newer one drops the older entries, and a full cache is emptied.
struct GenCache<K, V> {
    generation: u64,
    entries: HashMap<K, Arc<V>>,
}

impl<K: std::hash::Hash + Eq, V> GenCache<K, V> {
    fn new() -> Self {
        GenCache { generation: 0, entries: HashMap::new() }
    }

    fn get(&self, generation: u64, key: &K) -> Option<Arc<V>> {
        (self.generation == generation).then(|| self.entries.get(key).cloned()).flatten()
    }

    fn put(&mut self, generation: u64, entries: Vec<(K, Arc<V>)>) {
        if self.generation != generation {
            *self = GenCache { generation, entries: HashMap::new() };
        }
        if self.entries.len() + entries.len() > CACHE_MAX {
            self.entries.clear();
        }
        self.entries.extend(entries);
    }
}

/// The shared reporting data (one per process).
pub struct ReportData {
    questionnaires: Questionnaires,
    inner: RwLock<Inner>,
    progress: Mutex<Progress>,
    names: RwLock<Arc<Names>>,
    cache: Mutex<GenCache<Selectie, Resultaat>>,
    splits: Mutex<GenCache<(Selectie, Vec<Dimensie>), Splits>>,
    loaded: Mutex<Option<Instant>>,
    /// The published answers that carry verbeterpunten, by their keys: the ids only (the text is
    /// read on demand, so a purge removes it everywhere). Absorbed with the answers, so the texts
    /// a reader sees follow the same publication moments as the figures.
    teksten: RwLock<HashMap<AnswerKeys, Vec<String>>>,
    /// When the figures were last published: the refresh that last changed them.
    gepubliceerd: RwLock<Option<chrono::DateTime<chrono::Utc>>>,
}

impl std::fmt::Debug for ReportData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportData").field("stats", &self.stats()).finish()
    }
}

impl ReportData {
    /// Empty data with threshold `k`; fill it with [`ReportData::refresh`].
    pub fn new(questionnaires: Questionnaires, k: u64) -> Self {
        Self::with_voorkeur(questionnaires, k, Voorkeur::default())
    }

    /// Empty data with threshold `k` whose atoms keep the filter `voorkeur` whole.
    pub fn with_voorkeur(questionnaires: Questionnaires, k: u64, voorkeur: Voorkeur) -> Self {
        let index = Index::with_voorkeur(&questionnaires, k, voorkeur);
        ReportData {
            questionnaires,
            inner: RwLock::new(Inner { index, generation: 0 }),
            progress: Mutex::new(Progress {
                cursor: None,
                recent: HashMap::new(),
                invitations: None,
                historie: HashSet::new(),
            }),
            names: RwLock::new(Arc::new(Names::default())),
            cache: Mutex::new(GenCache::new()),
            splits: Mutex::new(GenCache::new()),
            loaded: Mutex::new(None),
            teksten: RwLock::new(HashMap::new()),
            gepubliceerd: RwLock::new(None),
        }
    }

    /// The questionnaires (item texts).
    pub fn questionnaires(&self) -> &Questionnaires {
        &self.questionnaires
    }

    /// The suppression threshold.
    pub fn k(&self) -> u64 {
        self.read().index.k()
    }

    /// Whether the first load finished (readiness).
    pub fn is_loaded(&self) -> bool {
        self.loaded.lock().map(|l| l.is_some()).unwrap_or(false)
    }

    /// Sizes of the index.
    pub fn stats(&self) -> IndexStats {
        self.read().index.stats()
    }

    /// The names to show beside codes.
    pub fn names(&self) -> Arc<Names> {
        self.names.read().map(|n| Arc::clone(&n)).unwrap_or_default()
    }

    /// Read the index itself, with no cache in between: for benchmarks and diagnostics.
    pub fn with_index<R>(&self, f: impl FnOnce(&Index) -> R) -> R {
        f(&self.read().index)
    }

    /// Distinct key values under an instelling (or everywhere).
    pub fn key_values(&self, brin: Option<&str>) -> KeyValues {
        self.read().index.key_values(brin)
    }

    /// The figures for a selection (cached until the data changes).
    pub fn evaluate(&self, selectie: &Selectie) -> Arc<Resultaat> {
        let inner = self.read();
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(inner.generation, selectie)) {
            return hit;
        }
        let result = Arc::new(inner.index.evaluate(selectie));
        self.remember(inner.generation, vec![(selectie.clone(), Arc::clone(&result))]);
        result
    }

    /// Cache results of the index's `generation` (dropping older ones; emptied when full).
    fn remember(&self, generation: u64, entries: Vec<(Selectie, Arc<Resultaat>)>) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.put(generation, entries);
        }
    }

    /// The figures of one selection for several periods (a trend): the same as
    /// [`ReportData::evaluate`] per period (and cached under the same keys, so the trend's
    /// quarter and `/v1/resultaten` for that quarter are one entry), the missing ones computed
    /// in one pass over the index.
    pub fn evaluate_periods(&self, selectie: &Selectie, periods: &[(YearMonth, YearMonth)]) -> Vec<Arc<Resultaat>> {
        let per: Vec<Selectie> = periods
            .iter()
            .map(|&(van, tot)| Selectie { van: Some(van), tot_en_met: Some(tot), ..selectie.clone() })
            .collect();
        let inner = self.read();
        let mut out: Vec<Option<Arc<Resultaat>>> = match self.cache.lock() {
            Ok(cache) => per.iter().map(|s| cache.get(inner.generation, s)).collect(),
            Err(_) => vec![None; per.len()],
        };
        let missing: Vec<usize> = (0..per.len()).filter(|&i| out[i].is_none()).collect();
        if !missing.is_empty() {
            let asked: Vec<(YearMonth, YearMonth)> = missing.iter().map(|&i| periods[i]).collect();
            let fresh = inner.index.evaluate_periods(selectie, &asked);
            let mut entries = Vec::with_capacity(missing.len());
            for (&i, r) in missing.iter().zip(fresh) {
                let r = Arc::new(r);
                entries.push((per[i].clone(), Arc::clone(&r)));
                out[i] = Some(r);
            }
            self.remember(inner.generation, entries);
        }
        out.into_iter().flatten().collect()
    }

    /// The response of a selection's splits by several keys in one pass
    /// ([`Index::respons_by_each`]), cached per selection and keys until the next change: the
    /// national side of a response table is the same for every school asking with the same
    /// filters.
    pub fn respons_by_each(&self, selectie: &Selectie, dimensies: &[Dimensie]) -> Arc<Splits> {
        let inner = self.read();
        let key = (selectie.clone(), dimensies.to_vec());
        if let Some(hit) = self.splits.lock().ok().and_then(|c| c.get(inner.generation, &key)) {
            return hit;
        }
        let result = Arc::new(inner.index.respons_by_each(selectie, dimensies));
        let generation = inner.generation;
        drop(inner);
        if let Ok(mut cache) = self.splits.lock() {
            cache.put(generation, vec![(key, Arc::clone(&result))]);
        }
        result
    }

    /// The response of a selection alone, without its figures ([`Index::respons_totaal`]): a
    /// response table's total row. Not cached: nationally it is a pass over the atoms in
    /// numbers, for a school over its own atoms.
    pub fn respons_totaal(&self, selectie: &Selectie) -> Telling {
        self.read().index.respons_totaal(selectie)
    }

    /// For a selection: how many answers its figures count, and the ids of those of them that
    /// carry verbeterpunten (exactly the counted answers: whole atoms, as every figure).
    pub fn verbeterpunt_ids(&self, selectie: &Selectie) -> (u64, Vec<String>) {
        let inner = self.read();
        let counted = inner.index.evaluate(selectie).response.responded;
        let keys = inner.index.counted_keys(selectie);
        drop(inner);
        let teksten = self.teksten.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        let ids = keys.iter().filter_map(|k| teksten.get(k)).flatten().cloned().collect();
        (counted, ids)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        // A panic while holding the lock leaves sums that were fully added or not at all
        // (`Index::add` does not panic on data), so a poisoned lock is still usable.
        self.inner.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Absorb new answers, re-read invitation counts and names: the first load, and what tests
    /// call. Blocking: run it off the async executor.
    pub fn refresh(&self, conn: &mut DbConnection) -> bpv_store::StoreResult<RefreshReport> {
        let mut report = self.absorb_new_answers(conn)?;
        report.invitations_changed = self.reread_invitations(conn)?;
        Ok(report)
    }

    /// When the figures were last published: the refresh that last changed them (new answers or
    /// invitation counts). A refresh that finds nothing new leaves it, so the same figures keep
    /// the same date. `None` before the first change.
    pub fn gepubliceerd(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        *self.gepubliceerd.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Write the national figures per group to `landelijke_cijfers`, for the survey's thank-you
    /// page: the grade and every theme score from last year's January on (through next year's
    /// December, as answers carry the month of a planned end date) — whole calendar years, so
    /// every group of answers counts — exactly as the engine gives them (withheld below k).
    /// Blocking.
    pub fn publiceer_landelijk(
        &self,
        conn: &mut DbConnection,
        vandaag: chrono::NaiveDate,
    ) -> bpv_store::StoreResult<()> {
        use bpv_store::repo::landelijk::{self, LandelijkCijfer};
        use chrono::Datelike as _;
        let van = YearMonth { year: vandaag.year() - 1, month: 1 };
        let tot = YearMonth { year: vandaag.year() + 1, month: 12 };
        let op = self.gepubliceerd().unwrap_or_else(chrono::Utc::now).naive_utc();
        for groep in [Groep::Student, Groep::Praktijkopleider] {
            let selectie = Selectie { van: Some(van), tot_en_met: Some(tot), ..Selectie::national(groep) };
            let r = self.evaluate(&selectie);
            let rij = |code: &str, naam: &str, volgorde: usize, f: &bpv_aggregation::Figure| LandelijkCijfer {
                groep: groep.as_str().to_owned(),
                code: code.to_owned(),
                naam: naam.to_owned(),
                volgorde: i32::try_from(volgorde).unwrap_or(i32::MAX),
                waarde: f.value.map(|v| bpv_aggregation::round_half_up(v, 2)),
                n: i64::try_from(f.n).unwrap_or(i64::MAX),
                van: van.to_string(),
                tot_en_met: tot.to_string(),
                gepubliceerd_op: op,
            };
            let mut rijen: Vec<LandelijkCijfer> = r
                .item(bpv_aggregation::CIJFER_CODE)
                .map(|i| rij(bpv_aggregation::CIJFER_CODE, "Cijfer", 0, &i.mean))
                .into_iter()
                .collect();
            rijen.extend(r.themes.iter().enumerate().map(|(i, t)| rij(&t.code, &t.naam, i + 1, &t.score)));
            landelijk::vervang(conn, groep.as_str(), &rijen)?;
        }
        Ok(())
    }

    fn published_now(&self) {
        *self.gepubliceerd.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(chrono::Utc::now());
    }

    /// Absorb the answers stored since the last call (everything on the first) and rebuild the
    /// units they touch. Blocking.
    pub fn absorb_new_answers(&self, conn: &mut DbConnection) -> bpv_store::StoreResult<RefreshReport> {
        let mut progress = self.progress.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut report = RefreshReport::default();
        let mut after = progress.cursor.as_ref().map(|(at, _)| (*at - OVERLAP, String::new()));
        let mut done = false;
        let reader = &mut *conn;
        // Read on one thread, parse and sum on this one (parsing there too was slower: what one
        // thread allocates and another frees costs glibc's allocator more than it saves).
        one_page_ahead(
            move || {
                if done {
                    return Ok(None);
                }
                let rows = reporting::answers_after(reader, after.as_ref(), PAGE)?;
                done = (rows.len() as i64) < PAGE;
                let Some(last) = rows.last() else { return Ok(None) };
                after = Some((last.submitted_at, last.id.clone()));
                Ok(Some(rows))
            },
            |rows| self.absorb_page(rows, &mut progress, &mut report),
        )?;
        let nieuwe_historie = self.absorb_historie(conn, &mut progress, &mut report)?;
        // At the first load the invitation counts follow at once and rebuild the same units
        // again: the atoms are formed once, after them.
        if report.answers > 0 && progress.invitations.is_some() {
            let mut inner = self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner);
            let _ = inner.index.rebuild_dirty();
            inner.generation += 1;
            drop(inner);
            self.published_now();
        }
        if let Ok(mut loaded) = self.loaded.lock()
            && loaded.is_none()
            && progress.invitations.is_some()
        {
            *loaded = Some(Instant::now());
        }
        drop(progress);
        if nieuwe_historie {
            // A history file's invitation counts came with its answers: apply them now, not at
            // the next invitation re-read, so its response rates are right from the start.
            report.invitations_changed = self.reread_invitations(conn)?;
        }
        Ok(report)
    }

    /// One page of answers read by [`ReportData::absorb_new_answers`]: those not absorbed yet are
    /// parsed and summed into their fine cells (atoms are rebuilt after the last page).
    fn absorb_page(&self, rows: Vec<KeyedResponse>, progress: &mut Progress, report: &mut RefreshReport) {
        let Some(last) = rows.last() else { return };
        let after = Some((last.submitted_at, last.id.clone()));
        let mut answers = Vec::with_capacity(rows.len());
        let mut met_tekst = Vec::new();
        let mut fresh = Vec::with_capacity(rows.len());
        for r in rows {
            if progress.recent.contains_key(&r.id) {
                continue;
            }
            let answer = keyed(&r);
            let (id, at) = (r.id, r.submitted_at);
            match answer {
                Some(a) => {
                    if a.answers.verbeterpunten.is_some() {
                        met_tekst.push((a.keys.clone(), id.clone()));
                    }
                    answers.push(a);
                }
                None => {
                    report.unreadable += 1;
                    tracing::warn!(antwoord = %id, "stored answer cannot be read; left out of the results");
                }
            }
            fresh.push((id, at));
        }
        if !answers.is_empty() {
            let mut inner = self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner);
            inner.index.absorb(&answers, &[]);
            let mut teksten = self.teksten.write().unwrap_or_else(std::sync::PoisonError::into_inner);
            for (keys, id) in met_tekst {
                teksten.entry(keys).or_default().push(id);
            }
        }
        report.answers += answers.len();
        progress.recent.extend(fresh);
        if progress.cursor.as_ref().is_none_or(|c| after.as_ref().is_some_and(|a| a > c)) {
            progress.cursor.clone_from(&after);
        }
        // Only ids inside the overlap window can be read again (by the next refresh); forget
        // the rest page by page, so a first load does not hold every id at once.
        if let Some((at, _)) = &progress.cursor {
            let horizon = *at - OVERLAP;
            progress.recent.retain(|_, t| *t >= horizon);
        }
    }

    /// Absorb the answers of history files imported since the last call, each file whole
    /// (its answers committed together with its row). Returns whether there were any.
    fn absorb_historie(
        &self,
        conn: &mut DbConnection,
        progress: &mut Progress,
        report: &mut RefreshReport,
    ) -> bpv_store::StoreResult<bool> {
        let mut nieuw = false;
        for bestand in bpv_store::repo::historie::bestanden(conn)? {
            if progress.historie.contains(&bestand.id) {
                continue;
            }
            let mut after: Option<String> = None;
            loop {
                let rows = reporting::historie_answers(conn, &bestand.id, after.as_deref(), PAGE)?;
                let Some(last) = rows.last() else { break };
                after = Some(last.id.clone());
                let full = rows.len() as i64 == PAGE;
                let answers: Vec<KeyedAnswer> = rows
                    .iter()
                    .filter_map(|r| {
                        let a = keyed(r);
                        if a.is_none() {
                            report.unreadable += 1;
                            tracing::warn!(antwoord = %r.id, "history answer cannot be read; left out of the results");
                        }
                        a
                    })
                    .collect();
                if !answers.is_empty() {
                    self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner).index.absorb(&answers, &[]);
                }
                report.answers += answers.len();
                if !full {
                    break;
                }
            }
            progress.historie.insert(bestand.id);
            nieuw = true;
        }
        Ok(nieuw)
    }

    /// Read the invitation counts changed since the last read (all of them the first time, or
    /// when an aanbieder's instelling or a crebo's sector changed) and the names; rebuild the
    /// units whose counts changed. Returns whether any did. Blocking.
    pub fn reread_invitations(&self, conn: &mut DbConnection) -> bpv_store::StoreResult<bool> {
        let names = load_names(conn)?;
        let mapping = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            names.aanbieders.iter().for_each(|(code, (brin, _))| (code, brin).hash(&mut h));
            names.kwalificaties.iter().for_each(|(crebo, (_, sector))| (crebo, sector).hash(&mut h));
            h.finish()
        };
        // The counts' keys take brin and sector from the same names the fingerprint was made of.
        let key_names = reporting::KeyNames {
            brins: names.aanbieders.iter().map(|(code, (brin, _))| (code.clone(), brin.clone())).collect(),
            sectors: names.kwalificaties.iter().map(|(crebo, (_, sector))| (crebo.clone(), sector.clone())).collect(),
        };
        if let Ok(mut n) = self.names.write() {
            *n = Arc::new(names);
        }
        let mut progress = self.progress.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let previous = progress.invitations;
        // A moved aanbieder or crebo moves counts between keys of the index without any row
        // changing: read the whole table again and replace every count.
        let replace = previous.is_some_and(|p| p.mapping != mapping);
        let since = previous.filter(|_| !replace).and_then(|p| p.tot).map(|t| t - OVERLAP);
        let (mut changed, mut all) = (false, Vec::new());
        let (mut after, mut done) = (None, false);
        let mut latest = previous.and_then(|p| p.tot);
        let reader = &mut *conn;
        // Read on one thread, convert and apply on this one.
        one_page_ahead(
            move || {
                if done {
                    return Ok(None);
                }
                let rows = reporting::invitation_counts_page(reader, &key_names, since, after.as_ref(), COUNTS_PAGE)?;
                done = (rows.len() as i64) < COUNTS_PAGE;
                let Some(last) = rows.last() else { return Ok(None) };
                after = Some(reporting::TellingSleutel::of(last));
                Ok(Some(rows))
            },
            |rows: Vec<reporting::InvitationCountRow>| {
                latest = latest.max(rows.iter().map(|r| r.gewijzigd_op).max());
                // Each row's texts are freed as it is converted.
                let page: Vec<InvitationCount> = rows.into_iter().filter_map(|r| invitation(&r.count)).collect();
                if replace {
                    all.extend(page);
                } else if !page.is_empty() {
                    let mut inner = self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner);
                    changed |= inner.index.update_invitations(&page);
                }
            },
        )?;
        let mut inner = self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if replace {
            changed = inner.index.replace_invitations(&all);
        }
        // Also what the first load's answers left to rebuild (see `absorb_new_answers`).
        let rebuilt = inner.index.rebuild_dirty();
        if rebuilt {
            inner.generation += 1;
        }
        drop(inner);
        progress.invitations = Some(Tellingen { mapping, tot: latest });
        drop(progress);
        if rebuilt {
            self.published_now();
        }
        if let Ok(mut loaded) = self.loaded.lock() {
            loaded.get_or_insert_with(Instant::now);
        }
        Ok(changed)
    }
}

/// The analysis keys as stored (answers and invitation counts store them the same way).
#[allow(clippy::too_many_arguments)]
fn keys(
    groep: &str,
    maand: &str,
    brin: &str,
    aanbiedercode: &str,
    locatiecode: Option<&String>,
    leerweg: &str,
    crebo: &str,
    sector: Option<&String>,
) -> Option<AnswerKeys> {
    Some(AnswerKeys {
        groep: Groep::parse(groep)?,
        maand: maand.parse::<YearMonth>().ok()?,
        brin: brin.to_owned(),
        aanbiedercode: aanbiedercode.to_owned(),
        locatiecode: locatiecode.cloned(),
        leerweg: leerweg.to_owned(),
        crebo: crebo.to_owned(),
        sector: sector.cloned(),
    })
}

/// A stored answer with its keys, or `None` when it cannot be read.
pub fn keyed(r: &KeyedResponse) -> Option<KeyedAnswer> {
    let keys = keys(
        &r.groep,
        &r.maand,
        &r.brin,
        &r.aanbiedercode,
        r.locatiecode.as_ref(),
        &r.leerweg,
        &r.crebo,
        r.sector.as_ref(),
    )?;
    let answers = Answers::from_json(&r.antwoorden).ok()?;
    Some(KeyedAnswer { keys, answers })
}

/// A stored invitation count with its keys, or `None` when its keys cannot be read.
pub fn invitation(c: &InvitationKeyCount) -> Option<InvitationCount> {
    let keys = keys(
        &c.groep,
        &c.maand,
        &c.brin,
        &c.aanbiedercode,
        c.locatiecode.as_ref(),
        &c.leerweg,
        &c.crebo,
        c.sector.as_ref(),
    )?;
    Some(InvitationCount { keys, count: u64::try_from(c.aantal).unwrap_or(0), via: u64::try_from(c.via).unwrap_or(0) })
}

fn load_names(conn: &mut DbConnection) -> bpv_store::StoreResult<Names> {
    let mut names = Names::default();
    for i in instellingen::list(conn)? {
        names.instellingen.insert(i.brin, i.naam);
    }
    let all = aanbieders::list(conn)?;
    let codes: Vec<String> = all.iter().map(|a| a.aanbiedercode.clone()).collect();
    for a in all {
        names.aanbieders.insert(a.aanbiedercode, (a.brin, a.naam));
    }
    for l in aanbieders::locaties_for(conn, &codes)? {
        names.locaties.insert(l.locatiecode, (l.aanbiedercode, l.naam));
    }
    for k in referentie::list_kwalificaties(conn)? {
        names.kwalificaties.insert(k.crebo, (k.naam, k.sector));
    }
    Ok(names)
}

/// Where the results come from and where the national figures go: the read replica
/// (`database.read_url`) and the primary; the same pool twice without a replica.
#[derive(Debug, Clone)]
pub struct Pools {
    pub read: bpv_store::DbPool,
    pub write: bpv_store::DbPool,
}

impl Pools {
    /// One publication: absorb what is new from the read side, then write the national figures
    /// to the primary. Blocking.
    pub fn publish(&self, data: &ReportData) -> anyhow::Result<RefreshReport> {
        let report = data.refresh(&mut *self.read.get()?)?;
        data.publiceer_landelijk(&mut *self.write.get()?, bpvo::vandaag())?;
        Ok(report)
    }
}

/// The first publication moment after `now` at `at` each day: today's when it is still ahead,
/// else tomorrow's. Every replica computes the same moments, so all publish together.
pub fn next_publication(now: chrono::NaiveDateTime, at: chrono::NaiveTime) -> chrono::NaiveDateTime {
    let today = now.date().and_time(at);
    if today > now { today } else { today + chrono::TimeDelta::days(1) }
}

/// Publish new answers and invitation counts once a day at `at` (Dutch time), until the
/// process ends: between two moments the figures do not change, so a school cannot see them
/// move right after one student it knows answered. Errors are logged and retried next time.
pub async fn publish_daily(data: Arc<ReportData>, pools: Pools, at: chrono::NaiveTime) {
    loop {
        let now = bpvo::nu_in_nederland();
        let wait = (next_publication(now, at) - now).to_std().unwrap_or(Duration::from_secs(60));
        tokio::time::sleep(wait).await;
        let (d, p) = (Arc::clone(&data), pools.clone());
        let started = Instant::now();
        let outcome = tokio::task::spawn_blocking(move || p.publish(&d).map_err(|e| e.to_string())).await;
        match outcome {
            Ok(Ok(r)) => tracing::info!(
                antwoorden = r.answers,
                onleesbaar = r.unreadable,
                uitnodigingen_gewijzigd = r.invitations_changed,
                ms = started.elapsed().as_millis() as u64,
                "resultaten gepubliceerd"
            ),
            Ok(Err(e)) => tracing::error!(error = %e, "resultaten publiceren mislukt; volgende moment opnieuw"),
            Err(e) => tracing::error!(error = %e, "resultaten publiceren afgebroken"),
        }
    }
}

/// Absorb new answers every `answers_every` and re-read invitation counts every
/// `invitations_every`, until the process ends; errors are logged and retried next time. Only
/// with `reporting.publish_at` empty (development): figures then change continuously.
pub async fn refresh_loop(data: Arc<ReportData>, pools: Pools, answers_every: Duration, invitations_every: Duration) {
    let mut answers = tokio::time::interval(answers_every);
    let mut invitations = tokio::time::interval(invitations_every);
    answers.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    invitations.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    answers.tick().await;
    invitations.tick().await;
    loop {
        let also_invitations = tokio::select! {
            _ = answers.tick() => false,
            _ = invitations.tick() => true,
        };
        let (d, p) = (Arc::clone(&data), pools.clone());
        let started = Instant::now();
        let outcome = tokio::task::spawn_blocking(move || {
            let mut read = p.read.get().map_err(|e| e.to_string())?;
            let mut r = d.absorb_new_answers(&mut read).map_err(|e| e.to_string())?;
            if also_invitations {
                r.invitations_changed = d.reread_invitations(&mut read).map_err(|e| e.to_string())?;
            }
            drop(read);
            if r.answers > 0 || r.invitations_changed {
                d.publiceer_landelijk(&mut *p.write.get().map_err(|e| e.to_string())?, bpvo::vandaag())
                    .map_err(|e| e.to_string())?;
            }
            Ok::<_, String>(r)
        })
        .await;
        match outcome {
            Ok(Ok(r)) if r.answers > 0 || r.invitations_changed => tracing::info!(
                antwoorden = r.answers,
                onleesbaar = r.unreadable,
                uitnodigingen_gewijzigd = r.invitations_changed,
                ms = started.elapsed().as_millis() as u64,
                "resultaten bijgewerkt"
            ),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "resultaten bijwerken mislukt; volgende keer opnieuw"),
            Err(e) => tracing::error!(error = %e, "resultaten bijwerken afgebroken"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::next_publication;

    #[test]
    fn publication_moments_are_fixed_daily() {
        let t = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        let six = chrono::NaiveTime::from_hms_opt(6, 0, 0).unwrap();
        assert_eq!(next_publication(t("2026-12-02 05:59"), six), t("2026-12-02 06:00"));
        assert_eq!(next_publication(t("2026-12-02 06:00"), six), t("2026-12-03 06:00"));
        assert_eq!(next_publication(t("2026-12-02 23:30"), six), t("2026-12-03 06:00"));
        assert_eq!(next_publication(t("2026-12-31 07:00"), six), t("2027-01-01 06:00"));
    }
}
