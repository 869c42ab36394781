//! Planning: turn today's scheduling rules into invitations and outbox rows. Idempotent — the
//! unique keys (bpvo, group) and (invitation, kind, number) make a second run, or a second
//! dispatcher planning at the same time, add nothing.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use bpv_scheduling::{Action, BpvoFacts, InvitationState, SchedulingSettings};
use bpv_store::models::{BpvoRow, DeliveryRow, InvitationRow, Onderwerp};
use bpv_store::repo::{aanbieders, bpvos, deliveries, instellingen, invitations};
use bpv_store::{DbConnection, DbPool, Soort, StoreError, StoreResult, write_transaction};
use bpvo::Groep;
use chrono::{Days, NaiveDate, NaiveDateTime};

/// What planning did (or, dry, would do).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanOutcome {
    pub invitations_created: usize,
    pub rescheduled: usize,
    pub cancelled: usize,
    /// New outbox rows.
    pub planned: usize,
}

/// Bpvo's handled per transaction.
const CHUNK: usize = 1_000;

/// Plan for `today`: create, reschedule and cancel invitations and put due mails in the outbox, on
/// `conn` alone (the dispatcher's run plans on several connections: [`plan_on`]).
pub fn plan(
    conn: &mut DbConnection,
    settings: &SchedulingSettings,
    today: NaiveDate,
    now: NaiveDateTime,
    dry_run: bool,
) -> StoreResult<PlanOutcome> {
    plan_on(conn, None, settings, today, now, dry_run)
}

/// [`plan`], and on PostgreSQL with `planners` connections at once (`conn` and more from the pool),
/// each planning its own share of the bpvo's in its own transactions: PostgreSQL does most of the
/// work of planning, and one connection keeps one core busy. Their writes never meet: each touches
/// only the invitations and outbox rows of its own bpvo's, and only planned invitations, which no
/// count includes (the count trigger writes nothing for them). SQLite has one writer, so it plans
/// on `conn` alone.
pub(crate) fn plan_on(
    conn: &mut DbConnection,
    planners: Option<(&DbPool, usize)>,
    settings: &SchedulingSettings,
    today: NaiveDate,
    now: NaiveDateTime,
    dry_run: bool,
) -> StoreResult<PlanOutcome> {
    let from = today.checked_sub_days(Days::new(u64::from(settings.close_after_days) + 1)).unwrap_or(today);
    let to = today.checked_add_days(Days::new(u64::from(settings.lead_days))).unwrap_or(today);
    let candidates = bpvos::scheduling_candidates(conn, from, to, today)?;
    let deelname = participation_by_aanbieder(conn)?;
    let chunks: Vec<&[BpvoRow]> = candidates.chunks(CHUNK).collect();
    let work = Work { deelname: &deelname, settings, today, now, dry_run, stop: &AtomicBool::new(false) };
    // Never more planners than chunks, nor than the pool holds (`conn` is one of its connections).
    let postgres = matches!(conn, DbConnection::Postgresql(_)) && !dry_run;
    let Some((pool, planners)) = planners
        .filter(|_| postgres)
        .map(|(pool, n)| (pool, n.min(chunks.len()).min(usize::try_from(pool.max_size()).unwrap_or(1))))
        .filter(|(_, n)| *n > 1)
    else {
        return work.plan_chunks(conn, &chunks);
    };
    // Planner `w` takes chunks w, w + planners, …
    let share = |w: usize| chunks.iter().skip(w).step_by(planners).copied().collect::<Vec<_>>();
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..planners)
            .map(|w| {
                let (mine, work) = (share(w), &work);
                scope.spawn(move || {
                    let mut conn = pool.get().map_err(|e| work.failed(e.into()))?;
                    work.plan_chunks(&mut conn, &mine)
                })
            })
            .collect();
        let mut outcome = work.plan_chunks(conn, &share(0));
        for helper in helpers {
            let part = helper.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            outcome = match (outcome, part) {
                (Ok(a), Ok(b)) => Ok(a + b),
                (Err(e), _) | (_, Err(e)) => Err(e),
            };
        }
        outcome
    })
}

/// What every planner shares; `stop` is set by the first that fails, and the others then take no
/// new chunk (what they committed stays: planning is idempotent, the next run finishes it).
struct Work<'a> {
    deelname: &'a HashMap<String, bool>,
    settings: &'a SchedulingSettings,
    today: NaiveDate,
    now: NaiveDateTime,
    dry_run: bool,
    stop: &'a AtomicBool,
}

impl Work<'_> {
    /// Plan `chunks` on `conn`, each chunk in a transaction of its own.
    fn plan_chunks(&self, conn: &mut DbConnection, chunks: &[&[BpvoRow]]) -> StoreResult<PlanOutcome> {
        let mut outcome = PlanOutcome::default();
        for chunk in chunks {
            if self.stop.load(Ordering::Relaxed) {
                break;
            }
            let (deelname, settings, today, now) = (self.deelname, self.settings, self.today, self.now);
            let part = if self.dry_run {
                plan_chunk(conn, chunk, deelname, settings, today, now, true)
            } else {
                write_transaction(conn, |conn| plan_chunk(conn, chunk, deelname, settings, today, now, false))
            };
            outcome = outcome + part.map_err(|e| self.failed(e))?;
        }
        Ok(outcome)
    }

    /// Tell the other planners to stop; returns `e`.
    fn failed(&self, e: StoreError) -> StoreError {
        self.stop.store(true, Ordering::Relaxed);
        e
    }
}

impl std::ops::Add for PlanOutcome {
    type Output = Self;

    fn add(self, other: Self) -> Self {
        Self {
            invitations_created: self.invitations_created + other.invitations_created,
            rescheduled: self.rescheduled + other.rescheduled,
            cancelled: self.cancelled + other.cancelled,
            planned: self.planned + other.planned,
        }
    }
}

/// aanbiedercode → whether its instelling takes part in directe studentbevraging.
fn participation_by_aanbieder(conn: &mut DbConnection) -> StoreResult<HashMap<String, bool>> {
    let by_brin: HashMap<String, bool> = instellingen::list(conn)?
        .into_iter()
        .map(|i| {
            let neemt_deel = i.neemt_deel_aan_directe_bevraging();
            (i.brin, neemt_deel)
        })
        .collect();
    Ok(aanbieders::list(conn)?
        .into_iter()
        .map(|a| {
            let d = by_brin.get(&a.brin).copied().unwrap_or(false);
            (a.aanbiedercode, d)
        })
        .collect())
}

pub(crate) fn facts(row: &BpvoRow, deelname: &HashMap<String, bool>) -> BpvoFacts {
    BpvoFacts {
        status: row.status,
        geplande_einddatum: row.geplande_einddatum,
        has_praktijkopleider_email: row.praktijkopleider_email.is_some(),
        has_student_email: row.student_email.is_some(),
        instelling_neemt_deel: deelname.get(&row.aanbiedercode).copied().unwrap_or(false),
    }
}

pub(crate) fn state(row: &InvitationRow) -> InvitationState {
    InvitationState {
        groep: row.groep,
        kanaal: row.kanaal,
        scheduled_on: row.scheduled_on,
        closes_on: row.closes_on,
        status: row.status,
        sent_on: row.sent_on,
        reminders_sent: u32::try_from(row.reminders_sent).unwrap_or(0),
        opted_out: row.opted_out,
    }
}

fn recipient(row: &BpvoRow, groep: Groep) -> Option<String> {
    match groep {
        Groep::Praktijkopleider => row.praktijkopleider_email.clone(),
        Groep::Student => row.student_email.clone(),
    }
    .map(|e| e.trim().to_lowercase())
}

/// The outbox rows for the mails the plan sends: each tied to its stored invitation (a concurrent
/// dispatcher may have created some of them first), and skipped at once when there is no address
/// or the address was refused before.
fn outbox_rows(
    conn: &mut DbConnection,
    sends: &[(&BpvoRow, Groep, Soort, i32)],
    today: NaiveDate,
    now: NaiveDateTime,
) -> StoreResult<Vec<DeliveryRow>> {
    let send_bpvos: Vec<String> =
        sends.iter().map(|(b, ..)| b.id.clone()).collect::<HashSet<_>>().into_iter().collect();
    let stored: HashMap<(String, Groep), String> =
        invitations::for_bpvos(conn, &send_bpvos)?.into_iter().map(|i| ((i.bpvo_id, i.groep), i.id)).collect();
    let recipients: Vec<String> = sends.iter().filter_map(|(b, g, ..)| recipient(b, *g)).collect();
    let suppressed = deliveries::suppressed_among(conn, &recipients)?;
    Ok(sends
        .iter()
        .filter_map(|(bpvo, groep, soort, nummer)| {
            let invitation_id = stored.get(&(bpvo.id.clone(), *groep))?.clone();
            let to = recipient(bpvo, *groep);
            let refused = to.as_ref().is_some_and(|t| suppressed.contains(t));
            Some(DeliveryRow::planned(Onderwerp::Uitnodiging(invitation_id), *soort, *nummer, to, refused, today, now))
        })
        .collect())
}

fn plan_chunk(
    conn: &mut DbConnection,
    chunk: &[BpvoRow],
    deelname: &HashMap<String, bool>,
    settings: &SchedulingSettings,
    today: NaiveDate,
    now: NaiveDateTime,
    dry_run: bool,
) -> StoreResult<PlanOutcome> {
    let ids: Vec<String> = chunk.iter().map(|b| b.id.clone()).collect();
    let mut existing: HashMap<(String, Groep), InvitationRow> = HashMap::new();
    for inv in invitations::for_bpvos(conn, &ids)? {
        existing.insert((inv.bpvo_id.clone(), inv.groep), inv);
    }
    let mut out = PlanOutcome::default();
    let mut creates = Vec::new();
    let mut sends: Vec<(&BpvoRow, Groep, Soort, i32)> = Vec::new();
    for bpvo in chunk {
        let states: Vec<InvitationState> =
            Groep::ALL.iter().filter_map(|g| existing.get(&(bpvo.id.clone(), *g))).map(state).collect();
        for action in bpv_scheduling::plan(&facts(bpvo, deelname), &states, settings, today) {
            match action {
                Action::Create { groep, kanaal, scheduled_on, closes_on } => {
                    creates.push(InvitationRow::planned(bpvo.id.clone(), groep, kanaal, scheduled_on, closes_on, now));
                }
                Action::Reschedule { groep, scheduled_on, closes_on } => {
                    if let Some(inv) = existing.get(&(bpvo.id.clone(), groep))
                        && (dry_run || invitations::reschedule(conn, &inv.id, scheduled_on, closes_on, now)?)
                    {
                        out.rescheduled += 1;
                    }
                }
                Action::Cancel { groep, reden } => {
                    if let Some(inv) = existing.get(&(bpvo.id.clone(), groep))
                        && (dry_run || invitations::cancel(conn, &inv.id, &reden, now)?)
                    {
                        out.cancelled += 1;
                    }
                }
                Action::SendInvitation { groep } => sends.push((bpvo, groep, Soort::Uitnodiging, 0)),
                Action::SendReminder { groep, nummer } => {
                    sends.push((bpvo, groep, Soort::Herinnering, i32::try_from(nummer).unwrap_or(i32::MAX)))
                }
            }
        }
    }
    if dry_run {
        out.invitations_created = creates.len();
        out.planned = sends.len();
        return Ok(out);
    }
    out.invitations_created = invitations::insert_new(conn, &creates)?;
    if sends.is_empty() {
        return Ok(out);
    }
    let rows = outbox_rows(conn, &sends, today, now)?;
    out.planned = deliveries::insert_new(conn, &rows)?;
    Ok(out)
}
