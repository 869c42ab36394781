//! Sending: claim due mails (committed before any SMTP), mint the link tokens (only hashes are
//! stored, before the mail leaves), render, send with bounded concurrency and a rate limit, and
//! record every message on its own: 2xx sent; 4xx or a lost connection tried again later with
//! exponential backoff, dead after the last attempt; 5xx failed for good and the address
//! suppressed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bpv_mailing::{MailItem, MailKind, MailRequest, Mailer, SendOutcome, Sender, SurveyToken, Templates};
use bpv_store::models::{BpvoRow, DeliveryRow, InvitationRow};
use bpv_store::repo::{aanbieders, bpvos, deliveries, invitations, referentie};
use bpv_store::{DbConnection, DbPool, Soort, StoreError, now_utc, write_transaction};
use bpv_web::Settings;
use bpvo::Groep;
use chrono::NaiveDate;
use futures_util::StreamExt;
use secrecy::ExposeSecret;

use crate::summary::Summary;

/// Options of one run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The day to plan for (default today).
    pub as_of: NaiveDate,
    /// Plan and count, change nothing, send nothing.
    pub dry_run: bool,
    /// Send at most this many mails.
    pub limit: Option<usize>,
    pub concurrency: usize,
    /// Mails per second at most (None = no limit).
    pub rate_per_second: Option<f64>,
    /// Show a progress bar (only on a terminal).
    pub progress: bool,
}

/// Why a run could not be carried out at all.
#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("database pool: {0}")]
    Pool(#[from] bpv_store::db::PoolError),
    #[error("mail: {0}")]
    Mail(#[from] bpv_mailing::MailError),
    #[error("background task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// The mail transport the settings ask for.
pub fn mailer_from_settings(settings: &Settings) -> Result<Arc<dyn Mailer>, bpv_mailing::MailError> {
    let m = &settings.mail;
    Ok(match m.transport.as_str() {
        "smtp" => Arc::new(bpv_mailing::SmtpMailer::new(&bpv_mailing::SmtpSettings {
            host: m.smtp.host.clone(),
            port: m.smtp.port,
            security: match m.smtp.security.as_str() {
                "none" => bpv_mailing::SmtpSecurity::None,
                "tls" => bpv_mailing::SmtpSecurity::Tls,
                _ => bpv_mailing::SmtpSecurity::StartTls,
            },
            username: m.smtp.username.clone(),
            password: m.smtp.password.as_ref().map(|p| p.expose_secret().to_owned()),
            pool_size: m.smtp.pool_size,
            timeout_seconds: m.smtp.timeout_seconds,
        })?),
        _ => Arc::new(bpv_mailing::FileMailer::new(&m.file_dir)?),
    })
}

/// Everything a run needs.
pub struct Dispatcher {
    pub pool: DbPool,
    pub settings: Settings,
    pub mailer: Arc<dyn Mailer>,
    /// Name of this dispatcher in leases (host + process).
    pub owner: String,
    templates: Arc<Templates>,
    sender: Arc<Sender>,
    survey_base: String,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher").field("owner", &self.owner).finish()
    }
}

/// One message to send: a single mail, or a digest of several invitation mails to one praktijkopleider.
struct Job {
    deliveries: Vec<DeliveryRow>,
    /// For each delivery: its invitation, and the student's invitation whose link rides along.
    invitations: Vec<(InvitationRow, Option<InvitationRow>)>,
    request: MailRequest,
    recipient: String,
}

/// How one job ended, for the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    Sent,
    Retried,
    Failed,
    Dead,
    /// The lease ran out before the outcome could be recorded; nothing was written (the
    /// dispatcher that took the mail over records its own).
    Late,
    /// Not sent: the run stopped after the database failed. The mail keeps its lease, and the
    /// next run takes it once the lease has run out.
    Held,
}

/// Tries of an outcome write before the run gives up on the database: the mail has gone out, so
/// waiting out a database restart (about 15 seconds in all) spares the recipient a second copy.
const RECORD_TRIES: u32 = 6;

impl Dispatcher {
    /// A dispatcher over `pool` sending through `mailer`.
    pub fn new(pool: DbPool, settings: Settings, mailer: Arc<dyn Mailer>) -> Result<Self, DispatchError> {
        let sender = Sender {
            from_name: settings.mail.from_name.clone(),
            from_email: settings.mail.from_email.clone(),
            reply_to: settings.mail.reply_to.clone(),
            message_id_domain: settings.mail.message_id_domain.clone(),
        };
        let survey_base = settings.survey.base_url();
        let owner = format!(
            "{}-{}-{}",
            std::env::var("HOSTNAME").unwrap_or_else(|_| "dispatcher".into()),
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        Ok(Self {
            pool,
            settings,
            mailer,
            owner,
            templates: Arc::new(Templates::new()?),
            sender: Arc::new(sender),
            survey_base,
        })
    }

    /// Plan and send. Refuses to claim anything when the SMTP server cannot be reached.
    pub async fn run(&self, opts: &RunOptions) -> Result<Summary, DispatchError> {
        let started = Instant::now();
        let mut summary = Summary { as_of: opts.as_of.to_string(), dry_run: opts.dry_run, ..Summary::default() };
        let pool = self.pool.clone();
        let sched = self.settings.scheduling;
        let (as_of, dry) = (opts.as_of, opts.dry_run);
        let planned = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            crate::planning::plan(&mut conn, &sched, as_of, now_utc(), dry).map_err(DispatchError::from)
        })
        .await??;
        summary.planned = planned.planned;
        summary.invitations_created = planned.invitations_created;
        summary.invitations_rescheduled = planned.rescheduled;
        summary.invitations_cancelled = planned.cancelled;
        if opts.dry_run {
            summary.duration_ms = started.elapsed().as_millis();
            return Ok(summary);
        }
        if let Err(e) = self.mailer.check_connection().await {
            tracing::error!(error = %e, "SMTP server unreachable; nothing claimed");
            summary.smtp_unreachable = true;
            summary.duration_ms = started.elapsed().as_millis();
            return Ok(summary);
        }
        let progress = progress_bar(opts.progress);
        let limiter = opts
            .rate_per_second
            .filter(|r| *r > 0.0)
            .map(|r| Arc::new(tokio::sync::Mutex::new(tokio::time::interval(Duration::from_secs_f64(1.0 / r)))));
        let mut remaining = opts.limit.unwrap_or(usize::MAX);
        let namen = {
            let pool = self.pool.clone();
            tokio::task::spawn_blocking(move || -> Result<Namen, DispatchError> {
                let mut conn = pool.get()?;
                Ok(Namen {
                    kwalificaties: referentie::list_kwalificaties(&mut conn)?
                        .into_iter()
                        .map(|k| (k.crebo, k.naam))
                        .collect(),
                    aanbieders: aanbieders::list(&mut conn)?.into_iter().map(|a| (a.aanbiedercode, a.naam)).collect(),
                })
            })
            .await??
        };
        let namen = Arc::new(namen);
        // Once an outcome cannot be written, no new mail goes out: every mail sent while the
        // database is away would be sent again after its lease.
        let halted = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut failure: Option<DispatchError> = None;
        while remaining > 0 && failure.is_none() {
            let batch =
                i64::try_from(remaining.min(usize::try_from(self.settings.dispatcher.batch_size).unwrap_or(500)))
                    .unwrap_or(500);
            let (jobs, skipped) = self.claim_and_prepare(batch, as_of, namen.clone()).await?;
            summary.skipped += skipped;
            if jobs.is_empty() && skipped == 0 {
                break;
            }
            let claimed: usize = jobs.iter().map(|j| j.deliveries.len()).sum::<usize>() + skipped;
            remaining = remaining.saturating_sub(claimed.max(1));
            if let Some(pb) = &progress {
                pb.inc_length(jobs.len() as u64);
            }
            let results: Vec<Result<Ended, DispatchError>> = futures_util::stream::iter(jobs)
                .map(|job| {
                    let limiter = limiter.clone();
                    let halted = Arc::clone(&halted);
                    async move {
                        use std::sync::atomic::Ordering;
                        if let Some(l) = limiter {
                            l.lock().await.tick().await;
                        }
                        if halted.load(Ordering::SeqCst) {
                            return Ok(Ended::Held);
                        }
                        let ended = self.send_one(job, as_of).await;
                        if ended.is_err() {
                            halted.store(true, Ordering::SeqCst);
                        }
                        ended
                    }
                })
                .buffer_unordered(opts.concurrency.max(1))
                .inspect(|_| {
                    if let Some(pb) = &progress {
                        pb.inc(1);
                    }
                })
                .collect()
                .await;
            let mut held = 0;
            for r in results {
                match r {
                    Ok(Ended::Sent) => summary.sent += 1,
                    Ok(Ended::Retried) => summary.retried += 1,
                    Ok(Ended::Failed) => summary.failed += 1,
                    Ok(Ended::Dead) => summary.dead += 1,
                    Ok(Ended::Late) => summary.late += 1,
                    Ok(Ended::Held) => held += 1,
                    Err(e) => {
                        failure.get_or_insert(e);
                    }
                }
            }
            if let Some(e) = &failure {
                tracing::error!(
                    error = %e,
                    verstuurd = summary.sent,
                    niet_verstuurd = held,
                    "database onbereikbaar: run gestopt; niet verstuurde mails gaan mee in de volgende run \
                     (na hun lease)"
                );
            }
        }
        if let Some(pb) = progress {
            pb.finish_and_clear();
        }
        if let Some(e) = failure {
            return Err(e);
        }
        summary.duration_ms = started.elapsed().as_millis();
        Ok(summary)
    }

    /// Claim a batch and turn it into jobs: tokens minted and committed, digests grouped.
    async fn claim_and_prepare(
        &self,
        limit: i64,
        today: NaiveDate,
        namen: Arc<Namen>,
    ) -> Result<(Vec<Job>, usize), DispatchError> {
        let pool = self.pool.clone();
        let owner = self.owner.clone();
        let lease = chrono::Duration::seconds(self.settings.dispatcher.lease_seconds.max(1));
        let survey_base = self.survey_base.clone();
        let digest = self.settings.scheduling.digest;
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            let claimed = deliveries::claim(&mut conn, &owner, now_utc(), lease, limit)?;
            if claimed.is_empty() {
                return Ok((Vec::new(), 0));
            }
            prepare(&mut conn, &owner, claimed, today, &namen, &survey_base, digest).map_err(DispatchError::from)
        })
        .await?
    }

    /// Render, send and record one message.
    async fn send_one(&self, job: Job, today: NaiveDate) -> Result<Ended, DispatchError> {
        let message_id = bpv_mailing::new_message_id();
        let outcome = match self
            .templates
            .render(&job.request)
            .and_then(|r| bpv_mailing::build_message(&self.sender, &job.request, &r, &message_id))
        {
            Ok(msg) => self.mailer.send(&msg).await,
            // A mail we cannot even build will not get better by retrying.
            Err(e) => SendOutcome::Permanent { reason: format!("bericht niet op te bouwen: {e}") },
        };
        let max_attempts = self.settings.dispatcher.max_attempts;
        let (job, message_id, outcome) = (Arc::new(job), Arc::new(message_id), Arc::new(outcome));
        let mut wait = Duration::from_millis(500);
        let mut tries = 0;
        loop {
            tries += 1;
            let (pool, owner) = (self.pool.clone(), self.owner.clone());
            let (j, m, o) = (Arc::clone(&job), Arc::clone(&message_id), Arc::clone(&outcome));
            let written = tokio::task::spawn_blocking(move || {
                let mut conn = pool.get()?;
                record(&mut conn, &owner, &j, &m, (*o).clone(), today, max_attempts).map_err(DispatchError::from)
            })
            .await?;
            match written {
                Err(e) if tries < RECORD_TRIES => {
                    tracing::warn!(error = %e, poging = tries, "uitkomst niet vastgelegd; opnieuw");
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
                other => return other,
            }
        }
    }
}

fn progress_bar(wanted: bool) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !wanted || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} mails {wide_bar} {per_sec} {eta}")
    {
        pb.set_style(style);
    }
    Some(pb)
}

/// Backoff after `attempts` failed tries: 5 minutes, doubling, at most 6 hours.
fn backoff(attempts: i32) -> chrono::Duration {
    let exp = u32::try_from(attempts.clamp(1, 8) - 1).unwrap_or(0);
    chrono::Duration::minutes((5_i64 << exp).min(360))
}

fn voornaam(naam: Option<&str>) -> String {
    naam.and_then(|n| n.split_whitespace().next()).map(str::to_owned).unwrap_or_else(|| "uw student".into())
}

/// Turn claimed deliveries into jobs; skip those that must not go out any more.
fn prepare(
    conn: &mut DbConnection,
    owner: &str,
    claimed: Vec<DeliveryRow>,
    today: NaiveDate,
    namen: &Namen,
    survey_base: &str,
    digest: bool,
) -> Result<(Vec<Job>, usize), StoreError> {
    let now = now_utc();
    let inv_ids: Vec<String> = claimed.iter().map(|d| d.invitation_id.clone()).collect();
    let invs: HashMap<String, InvitationRow> =
        invitations::by_ids(conn, &inv_ids)?.into_iter().map(|i| (i.id.clone(), i)).collect();
    let bpvo_ids: Vec<String> = invs.values().map(|i| i.bpvo_id.clone()).collect();
    let bpvo_map: HashMap<String, BpvoRow> =
        bpvos::by_ids(conn, &bpvo_ids)?.into_iter().map(|b| (b.id.clone(), b)).collect();
    // Student invitations that travel inside the praktijkopleider's mail (the scheduling rule).
    let indirect: HashMap<String, InvitationRow> = invitations::for_bpvos(conn, &bpvo_ids)?
        .into_iter()
        .filter(|i| bpv_scheduling::student_link_in(&[crate::planning::state(i)]))
        .map(|i| (i.bpvo_id.clone(), i))
        .collect();
    let recipients: Vec<String> = claimed.iter().filter_map(|d| d.recipient.clone()).collect();
    let suppressed = deliveries::suppressed_among(conn, &recipients)?;

    let mut skipped = 0;
    // (delivery, invitation, bpvo, student invitation riding along)
    let mut ready: Vec<(DeliveryRow, InvitationRow, BpvoRow, Option<InvitationRow>)> = Vec::new();
    for d in claimed {
        let inv = invs.get(&d.invitation_id);
        let bpvo = inv.and_then(|i| bpvo_map.get(&i.bpvo_id));
        let reason = match (inv, bpvo, &d.recipient) {
            (None, ..) | (_, None, _) => Some("uitnodiging niet gevonden"),
            (_, _, None) => Some("geen e-mailadres (meer)"),
            (Some(i), ..) if i.status == bpv_scheduling::InvitationStatus::Beantwoord => Some("al beantwoord"),
            (Some(i), ..) if i.status == bpv_scheduling::InvitationStatus::Geannuleerd => {
                Some("uitnodiging geannuleerd")
            }
            (Some(i), ..) if i.closes_on <= today => Some("bevraging gesloten"),
            (Some(i), ..) if d.soort == Soort::Herinnering && i.opted_out => Some("afgemeld voor herinneringen"),
            (_, _, Some(r)) if suppressed.contains(r) => Some("adres eerder geweigerd door de mailserver"),
            _ => None,
        };
        match (reason, inv, bpvo) {
            (None, Some(i), Some(b)) => {
                let along = (i.groep == Groep::Praktijkopleider).then(|| indirect.get(&b.id).cloned()).flatten();
                ready.push((d, i.clone(), b.clone(), along));
            }
            (reason, ..) => {
                deliveries::record_skipped(conn, &d.id, owner, reason.unwrap_or("overgeslagen"), now)?;
                skipped += 1;
            }
        }
    }

    // Mint the link tokens and commit their hashes before any mail leaves.
    let mut links: HashMap<String, SurveyToken> = HashMap::new();
    write_transaction(conn, |conn| -> Result<(), StoreError> {
        for (_, inv, _, along) in &ready {
            for i in std::iter::once(inv).chain(along.iter()) {
                if !links.contains_key(&i.id) {
                    let token = SurveyToken::generate();
                    invitations::add_token(conn, &i.id, &token.hash(), now)?;
                    links.insert(i.id.clone(), token);
                }
            }
        }
        Ok(())
    })?;
    let url = |inv: &InvitationRow, path: &str| -> String {
        links.get(&inv.id).map(|t| format!("{survey_base}/{path}/{}", t.as_str())).unwrap_or_default()
    };

    // One job per mail; praktijkopleider invitation mails to the same address become one digest
    // (grouped by the scheduling crate's rule).
    let mut single: Vec<Option<Job>> = Vec::with_capacity(ready.len());
    let mut digestible: Vec<(String, usize)> = Vec::new();
    for (d, inv, bpvo, along) in ready {
        let groep = inv.groep;
        let item = MailItem {
            student_voornaam: voornaam(bpvo.student_naam.as_deref()),
            opleiding: namen.kwalificaties.get(&bpvo.crebo).cloned().unwrap_or_else(|| format!("crebo {}", bpvo.crebo)),
            // The registered aanbieder's name, never the school's free text: mails go out in SBB's
            // name, and a school must not be able to write into them.
            organisatie: namen.aanbieders.get(&bpvo.aanbiedercode).cloned().unwrap_or_else(|| "de school".into()),
            geplande_einddatum: bpvo.geplande_einddatum,
            closes_on: inv.closes_on,
            survey_url: url(&inv, "s"),
            optout_url: url(&inv, "afmelden"),
            student_link: along.as_ref().map(|s| url(s, "s")),
        };
        let recipient = d.recipient.clone().unwrap_or_default();
        let kind = match d.soort {
            Soort::Herinnering => MailKind::Herinnering { nummer: u32::try_from(d.nummer).unwrap_or(1) },
            Soort::Uitnodiging => MailKind::Uitnodiging,
        };
        if digest && groep == Groep::Praktijkopleider && d.soort == Soort::Uitnodiging {
            digestible.push((recipient.clone(), single.len()));
        }
        let to_name = match groep {
            Groep::Praktijkopleider => bpvo.praktijkopleider_naam.clone(),
            Groep::Student => bpvo.student_naam.clone(),
        };
        single.push(Some(Job {
            request: MailRequest { to_email: recipient.clone(), to_name, groep, kind, items: vec![item] },
            deliveries: vec![d],
            invitations: vec![(inv, along)],
            recipient,
        }));
    }
    // Each digest takes the place of its first mail; the others join it.
    let mut joins: HashMap<usize, Vec<usize>> = HashMap::new();
    for group in bpv_scheduling::group_digests(&digestible) {
        if let Some((&first, rest)) = group.split_first() {
            joins.insert(first, rest.to_vec());
        }
    }
    let mut jobs: Vec<Job> = Vec::new();
    for i in 0..single.len() {
        let Some(mut job) = single[i].take() else { continue };
        for j in joins.remove(&i).unwrap_or_default() {
            if let Some(other) = single.get_mut(j).and_then(Option::take) {
                job.request.items.extend(other.request.items);
                job.deliveries.extend(other.deliveries);
                job.invitations.extend(other.invitations);
            }
        }
        jobs.push(job);
    }
    Ok((jobs, skipped))
}

/// Record one message's outcome for each of its deliveries, in its own transaction, only while
/// the lease is still `owner`'s: a late writer records nothing and reports [`Ended::Late`].
fn record(
    conn: &mut DbConnection,
    owner: &str,
    job: &Job,
    message_id: &str,
    outcome: SendOutcome,
    today: NaiveDate,
    max_attempts: i32,
) -> Result<Ended, StoreError> {
    let now = now_utc();
    let ended = write_transaction(conn, |conn| -> Result<Ended, StoreError> {
        match &outcome {
            SendOutcome::Sent { reply } => {
                let mut late = false;
                for (d, (inv, along)) in job.deliveries.iter().zip(&job.invitations) {
                    if !deliveries::record_sent(conn, &d.id, owner, message_id, reply, now)? {
                        late = true;
                        continue;
                    }
                    if d.soort == Soort::Herinnering {
                        invitations::mark_reminded(conn, &inv.id, d.nummer, now)?;
                    } else {
                        invitations::mark_sent(conn, &inv.id, today, now)?;
                        if let Some(student) = along {
                            invitations::mark_sent(conn, &student.id, today, now)?;
                        }
                    }
                }
                Ok(if late { Ended::Late } else { Ended::Sent })
            }
            SendOutcome::Transient { reason } => {
                let attempts = job.deliveries.iter().map(|d| d.attempts).max().unwrap_or(1);
                let give_up = attempts >= max_attempts;
                let mut late = false;
                for d in &job.deliveries {
                    late |= !deliveries::record_transient(
                        conn,
                        &d.id,
                        owner,
                        reason,
                        now + backoff(attempts),
                        give_up,
                        now,
                    )?;
                }
                Ok(if late {
                    Ended::Late
                } else if give_up {
                    Ended::Dead
                } else {
                    Ended::Retried
                })
            }
            SendOutcome::Permanent { reason } => {
                let mut late = false;
                for d in &job.deliveries {
                    late |= !deliveries::record_permanent(conn, &d.id, owner, &job.recipient, reason, now)?;
                }
                Ok(if late { Ended::Late } else { Ended::Failed })
            }
        }
    })?;
    if ended == Ended::Late {
        tracing::warn!(
            ontvanger_mails = job.deliveries.len(),
            "lease verlopen voordat de uitkomst werd vastgelegd; niets geschreven (een andere dispatcher nam de mail over)"
        );
    }
    Ok(ended)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), chrono::Duration::minutes(5));
        assert_eq!(backoff(2), chrono::Duration::minutes(10));
        assert_eq!(backoff(4), chrono::Duration::minutes(40));
        assert_eq!(backoff(8), chrono::Duration::minutes(360));
        assert_eq!(backoff(50), chrono::Duration::minutes(360));
    }

    #[test]
    fn first_name_is_shown_nothing_more() {
        assert_eq!(voornaam(Some("Zoë Çelik-de Vries")), "Zoë");
        assert_eq!(voornaam(None), "uw student");
    }
}

/// Names the mails show beside codes, read once per run: kwalificaties (crebo → naam) and the
/// registered aanbieders (aanbiedercode → naam).
#[derive(Debug, Default)]
pub(crate) struct Namen {
    kwalificaties: HashMap<String, String>,
    aanbieders: HashMap<String, String>,
}
