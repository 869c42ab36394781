//! The national data-quality overview per peildatum, computed once (single flight) and kept for
//! a while; at most [`MAX_AT_ONCE`] computations at a time.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bpv_aggregation::datakwaliteit::{
    self, DomeinIndicatoren, Indicatoren, InstellingKwaliteit, Normen, SbbKwaliteit, SectorIndicatoren, VraagScore,
};
use bpv_store::DbConnection;
use bpv_store::repo::datakwaliteit as store_dq;
use bpv_web::Problem;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

/// The national figures and every instelling's, for one peildatum; recomputed after
/// `reporting.invitations_refresh_seconds` (one pass over a year of bpvo's: seconds nationally).
#[derive(Debug)]
pub struct Overzicht {
    pub peildatum: NaiveDate,
    pub van: NaiveDate,
    pub tot_en_met: NaiveDate,
    pub instellingen: Vec<InstellingKwaliteit>,
    pub landelijk: Landelijk,
}

/// De landelijke indicatoren, in totaal, per sector en per domein; de eigen dienstverlening van SBB
/// (vragen 4 en 5) en de score van elk van de zes vragen.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Landelijk {
    #[schema(value_type = Object)]
    pub totaal: Indicatoren,
    #[schema(value_type = Vec<Object>)]
    pub per_sector: Vec<SectorIndicatoren>,
    #[schema(value_type = Vec<Object>)]
    pub per_domein: Vec<DomeinIndicatoren>,
    #[schema(value_type = Object)]
    pub sbb: SbbKwaliteit,
    #[schema(value_type = Vec<Object>)]
    pub vragen: Vec<VraagScore>,
}

/// National computations at once, at most: each reads a year of bpvo's (seconds, one pooled
/// connection); more would let a burst of requests take the whole pool.
pub const MAX_AT_ONCE: usize = 2;

/// Computed overviews, kept for a while; one computation per peildatum at a time (the others
/// asking for it wait for its result), and at most [`MAX_AT_ONCE`] computations at once.
#[derive(Debug)]
pub struct Cache {
    ttl: Duration,
    normen: Normen,
    entries: Mutex<Vec<(Instant, Arc<Overzicht>)>>,
    /// Per peildatum being computed: the lock its waiters queue on.
    in_flight: Mutex<std::collections::HashMap<NaiveDate, Arc<Mutex<()>>>>,
    /// Computations running now, and the condition to wait for a free slot.
    running: (Mutex<usize>, std::sync::Condvar),
    computed: std::sync::atomic::AtomicUsize,
}

impl Cache {
    pub fn new(ttl: Duration, normen: Normen) -> Self {
        Self {
            ttl,
            normen,
            entries: Mutex::new(Vec::new()),
            in_flight: Mutex::new(std::collections::HashMap::new()),
            running: (Mutex::new(0), std::sync::Condvar::new()),
            computed: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// How many overviews were computed (not served from the cache) so far.
    pub fn computed(&self) -> usize {
        self.computed.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn cached(&self, peildatum: NaiveDate) -> Option<Arc<Overzicht>> {
        let entries = self.entries.lock().ok()?;
        entries.iter().find(|(at, o)| o.peildatum == peildatum && at.elapsed() < self.ttl).map(|(_, o)| Arc::clone(o))
    }

    pub(crate) fn get(&self, conn: &mut DbConnection, peildatum: NaiveDate) -> Result<Arc<Overzicht>, Problem> {
        let normen = self.normen;
        self.get_or_compute(peildatum, || overzicht(conn, peildatum, &normen))
    }

    /// Blocking (run on the blocking pool): waits for a computation of the same peildatum, or for
    /// a free slot.
    fn get_or_compute(
        &self,
        peildatum: NaiveDate,
        compute: impl FnOnce() -> Result<Overzicht, Problem>,
    ) -> Result<Arc<Overzicht>, Problem> {
        if let Some(o) = self.cached(peildatum) {
            return Ok(o);
        }
        let flight = {
            let mut map = self.in_flight.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(map.entry(peildatum).or_default())
        };
        let _same_date = flight.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Whoever held the lock before may have computed it.
        if let Some(o) = self.cached(peildatum) {
            return Ok(o);
        }
        let (count, free) = &self.running;
        {
            let mut n = count.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            while *n >= MAX_AT_ONCE {
                n = free.wait(n).unwrap_or_else(std::sync::PoisonError::into_inner);
            }
            *n += 1;
        }
        let result = compute();
        {
            let mut n = count.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            *n -= 1;
            free.notify_one();
        }
        self.computed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let stored = result.map(|o| {
            let o = Arc::new(o);
            if let Ok(mut entries) = self.entries.lock() {
                entries.retain(|(at, o)| at.elapsed() < self.ttl && o.peildatum != peildatum);
                entries.truncate(7);
                entries.push((Instant::now(), Arc::clone(&o)));
            }
            o
        });
        // Waiters still hold the lock's Arc: they find the result in the cache (or try again).
        if let Ok(mut map) = self.in_flight.lock() {
            map.remove(&peildatum);
        }
        stored
    }
}

pub(crate) fn store_err(e: bpv_store::StoreError) -> Problem {
    bpv_web::problem::internal_error(&e)
}

fn overzicht(conn: &mut DbConnection, peildatum: NaiveDate, normen: &Normen) -> Result<Overzicht, Problem> {
    let (van, tot_en_met) = datakwaliteit::periode(peildatum);
    let meetset = store_dq::meetset(conn, van, tot_en_met, None).map_err(store_err)?;
    let deelnemers = store_dq::deelnemers(conn).map_err(store_err)?;
    let (instellingen, landelijk) = bereken(&meetset, &deelnemers, van, tot_en_met, normen);
    Ok(Overzicht { peildatum, van, tot_en_met, instellingen, landelijk })
}

/// Every instelling's indicators and the national ones over one meetset.
pub fn bereken(
    meetset: &datakwaliteit::Meetset,
    deelnemers: &[datakwaliteit::Deelnemer],
    van: NaiveDate,
    tot_en_met: NaiveDate,
    normen: &Normen,
) -> (Vec<InstellingKwaliteit>, Landelijk) {
    let telt: std::collections::HashSet<&str> =
        deelnemers.iter().filter(|d| d.directe_studentbevraging).map(|d| d.brin.as_str()).collect();
    let email_telt = |brin: &str| telt.contains(brin);
    let rows = &meetset.rijen;
    let sbb = datakwaliteit::sbb(meetset, van, tot_en_met, normen);
    let totaal = datakwaliteit::indicatoren(rows, meetset.alleen_bij_duo.len() as u64, &email_telt);
    let landelijk = Landelijk {
        vragen: datakwaliteit::scores(&totaal, &sbb),
        totaal,
        per_sector: datakwaliteit::per_sector(rows, &email_telt),
        per_domein: datakwaliteit::per_domein(rows, &email_telt),
        sbb,
    };
    (datakwaliteit::per_instelling(rows, &meetset.alleen_bij_duo, deelnemers), landelijk)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    fn empty(peildatum: NaiveDate) -> Overzicht {
        let meetset = datakwaliteit::Meetset::default();
        let (instellingen, landelijk) = bereken(&meetset, &[], peildatum, peildatum, &Normen::default());
        Overzicht { peildatum, van: peildatum, tot_en_met: peildatum, instellingen, landelijk }
    }

    #[test]
    fn one_computation_per_peildatum_and_at_most_two_at_once() {
        let cache = Arc::new(Cache::new(Duration::from_secs(60), Normen::default()));
        let (now, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let dates: Vec<NaiveDate> =
            ["2026-01-01", "2026-04-01", "2026-07-01", "2026-10-01"].iter().map(|d| d.parse().unwrap()).collect();
        let threads: Vec<_> = (0..16)
            .map(|i| {
                let (cache, now, peak, date) = (Arc::clone(&cache), Arc::clone(&now), Arc::clone(&peak), dates[i % 4]);
                std::thread::spawn(move || {
                    cache
                        .get_or_compute(date, || {
                            let running = now.fetch_add(1, Ordering::SeqCst) + 1;
                            peak.fetch_max(running, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(50));
                            now.fetch_sub(1, Ordering::SeqCst);
                            Ok(empty(date))
                        })
                        .unwrap()
                        .peildatum
                })
            })
            .collect();
        for (i, t) in threads.into_iter().enumerate() {
            assert_eq!(t.join().unwrap(), dates[i % 4]);
        }
        assert_eq!(cache.computed(), 4, "16 requests, 4 peildata: 4 computations");
        assert!(peak.load(Ordering::SeqCst) <= MAX_AT_ONCE, "at most {MAX_AT_ONCE} at once");
    }
}
