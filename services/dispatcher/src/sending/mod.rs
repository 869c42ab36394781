//! Sending: claim due mails (committed before any SMTP), mint the link tokens (only hashes are
//! stored, before the mail leaves), render, send with bounded concurrency and a rate limit, and
//! record every message's outcome before its sender sends another: 2xx sent; 4xx or a lost
//! connection tried again later with exponential backoff, dead after the last attempt; 5xx failed
//! for good and the address suppressed. Outcomes that are ready together share one commit (see
//! `record`), so at most one mail per sender is ever out without its outcome written.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bpv_config::Settings;
use bpv_mailing::{Mailer, SendOutcome, Sender, Templates};
use bpv_store::repo::{aanbieders, deliveries, instellingen, invitations, referentie};
use bpv_store::{DbPool, PooledDb, StoreError, now_utc};
use chrono::NaiveDate;
use futures_util::StreamExt;
use secrecy::ExposeSecret;

use crate::summary::Summary;

mod prepare;
mod record;
mod verzoek;

use prepare::{Job, Namen, prepare};
use record::{Ended, Sent, record_all};

/// Tries of an outcome write before the run gives up on the database: the mail has gone out, so
/// waiting out a database restart (about 15 seconds in all) spares the recipient a second copy.
const RECORD_TRIES: u32 = 6;

/// New rows from planning after which the statistics of the invitations and the outbox are brought
/// up to date before sending (see `invitations::refresh_statistics`).
const REFRESH_AFTER: usize = 1_000;

/// At most this many outcomes share one commit.
const RECORD_GROUP: usize = 256;

/// An outcome handed to the recorder, and where its sender waits for it to be committed.
type ToRecord = (Sent, tokio::sync::oneshot::Sender<Result<Ended, DispatchError>>);

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
    /// An outcome could not be written (the database's reason).
    #[error("uitkomst niet vastgelegd: {0}")]
    Recording(String),
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
        let (sched, planners) = (self.settings.scheduling, self.settings.dispatcher.planners);
        let (as_of, dry) = (opts.as_of, opts.dry_run);
        let planned = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            let planned = crate::planning::plan_on(&mut conn, Some((&pool, planners)), &sched, as_of, now_utc(), dry)?;
            let verzoeken = crate::verzoeken::plan(&mut conn, &sched, as_of, now_utc(), dry)?;
            if planned.planned + planned.invitations_created + verzoeken.planned >= REFRESH_AFTER {
                invitations::refresh_statistics(&mut conn)?;
            }
            Ok::<_, DispatchError>((planned, verzoeken))
        })
        .await??;
        summary.planning_ms = started.elapsed().as_millis();
        let (planned, verzoeken) = planned;
        summary.beoordelingsverzoeken = verzoeken.planned;
        summary.planned = planned.planned + verzoeken.planned;
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
        self.send_due(opts, &mut summary).await?;
        summary.duration_ms = started.elapsed().as_millis();
        Ok(summary)
    }

    /// Claim and send due mails in batches until none are left (or `--limit` is reached), counting
    /// outcomes into `summary`. Stops sending once an outcome cannot be written.
    async fn send_due(&self, opts: &RunOptions, summary: &mut Summary) -> Result<(), DispatchError> {
        let progress = progress_bar(opts.progress);
        let limiter = opts
            .rate_per_second
            .filter(|r| *r > 0.0)
            .map(|r| Arc::new(tokio::sync::Mutex::new(tokio::time::interval(Duration::from_secs_f64(1.0 / r)))));
        let mut remaining = opts.limit.unwrap_or(usize::MAX);
        let namen = Arc::new(self.names().await?);
        // Once an outcome cannot be written, no new mail goes out: every mail sent while the
        // database is away would be sent again after its lease.
        let halted = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut failure: Option<DispatchError> = None;
        let (recorder, recorded) = self.start_recorder(opts.as_of);
        let batch_limit = |remaining: usize| {
            i64::try_from(remaining.min(usize::try_from(self.settings.dispatcher.batch_size).unwrap_or(500)))
                .unwrap_or(500)
        };
        // Without a rate limit the next batch is claimed while this one is sent (the database and
        // the SMTP server each get their turn), and when it waited for its turn longer than a tenth
        // of the lease its leases are renewed right before it goes out, so that a batch claimed
        // ahead always starts with at least nine tenths of its lease for sending. With a rate
        // limit a batch takes as long as the limit says: it is claimed only when its turn comes.
        let ahead = limiter.is_none();
        let mut next: Option<((Vec<Job>, usize), Instant)> = None;
        // Time spent claiming (and renewing), for the summary.
        let mut claiming = Duration::ZERO;
        while remaining > 0 && failure.is_none() {
            let (claimed_at, (jobs, skipped)) = match next.take() {
                Some((batch, at)) => (Some(at), batch),
                None => (
                    None,
                    timed(&mut claiming, self.claim_and_prepare(batch_limit(remaining), opts.as_of, namen.clone()))
                        .await?,
                ),
            };
            summary.skipped += skipped;
            if jobs.is_empty() && skipped == 0 {
                break;
            }
            let claimed: usize = jobs.iter().map(|j| j.deliveries.len()).sum::<usize>() + skipped;
            remaining = remaining.saturating_sub(claimed.max(1));
            // A batch claimed ahead that waited longer than a tenth of its lease is renewed; one
            // that waited less still has nine tenths of its lease, so the renewal is left out.
            let waited_long = claimed_at.is_some_and(|at| at.elapsed() > self.lease_std() / 10);
            let jobs = if waited_long { timed(&mut claiming, self.still_ours(jobs)).await? } else { jobs };
            if let Some(pb) = &progress {
                pb.inc_length(jobs.len() as u64);
            }
            let send = self.send_batch(jobs, opts.concurrency, limiter.as_ref(), &halted, &recorder, progress.as_ref());
            let (results, claimed_next) = if ahead && remaining > 0 {
                let claim_started = Instant::now();
                let claim =
                    timed(&mut claiming, self.claim_and_prepare(batch_limit(remaining), opts.as_of, namen.clone()));
                let (results, claimed_next) = tokio::join!(send, claim);
                (results, Some(claimed_next.map(|batch| (batch, claim_started))))
            } else {
                (send.await, None)
            };
            let mut held = tally(results, summary, &mut failure);
            match claimed_next {
                // Claimed but not to be sent by this run (the database failed): those mails keep
                // their lease, and the next run takes them once it has run out.
                Some(Ok(((jobs, _), _))) if failure.is_some() => held += jobs.len(),
                Some(Ok(batch)) => next = Some(batch),
                Some(Err(e)) => {
                    failure.get_or_insert(e);
                }
                None => {}
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
        drop(recorder);
        summary.recording_ms = recorded.await?.as_millis();
        summary.claiming_ms = claiming.as_millis();
        if let Some(pb) = progress {
            pb.finish_and_clear();
        }
        failure.map_or(Ok(()), Err)
    }

    /// Send one batch of jobs, `concurrency` at a time, each waiting for the rate limit and
    /// recorded before its sender takes the next; none once `halted`.
    async fn send_batch(
        &self,
        jobs: Vec<Job>,
        concurrency: usize,
        limiter: Option<&Arc<tokio::sync::Mutex<tokio::time::Interval>>>,
        halted: &Arc<std::sync::atomic::AtomicBool>,
        recorder: &tokio::sync::mpsc::UnboundedSender<ToRecord>,
        progress: Option<&indicatif::ProgressBar>,
    ) -> Vec<Result<Ended, DispatchError>> {
        futures_util::stream::iter(jobs)
            .map(|job| async move {
                use std::sync::atomic::Ordering;
                if let Some(l) = limiter {
                    l.lock().await.tick().await;
                }
                if halted.load(Ordering::SeqCst) {
                    return Ok(Ended::Held);
                }
                let ended = self.send_one(job, recorder).await;
                if ended.is_err() {
                    halted.store(true, Ordering::SeqCst);
                }
                ended
            })
            .buffer_unordered(concurrency.max(1))
            .inspect(|_| {
                if let Some(pb) = progress {
                    pb.inc(1);
                }
            })
            .collect()
            .await
    }

    /// The names mails show: qualifications and registered aanbieders.
    async fn names(&self) -> Result<Namen, DispatchError> {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || -> Result<Namen, DispatchError> {
            let mut conn = pool.get()?;
            Ok(Namen {
                kwalificaties: referentie::list_kwalificaties(&mut conn)?
                    .into_iter()
                    .map(|k| (k.crebo, k.naam))
                    .collect(),
                aanbieders: aanbieders::list(&mut conn)?.into_iter().map(|a| (a.aanbiedercode, a.naam)).collect(),
                instellingen: instellingen::list(&mut conn)?.into_iter().map(|i| (i.brin, i.naam)).collect(),
            })
        })
        .await?
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
        let lease = self.lease();
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

    /// How long a claimed (or renewed) mail is this run's (`dispatcher.lease_seconds`, at least 1).
    fn lease(&self) -> chrono::Duration {
        chrono::Duration::seconds(self.settings.dispatcher.lease_seconds.max(1))
    }

    /// [`lease`](Self::lease) as a `std` duration, to compare with the time a batch waited.
    fn lease_std(&self) -> Duration {
        self.lease().to_std().unwrap_or(Duration::from_secs(1))
    }

    /// Renew the leases of a batch claimed ahead, right before it is sent; a message any of whose
    /// mails another dispatcher has taken over in the meantime (its lease ran out) is left out:
    /// that dispatcher sends them, and mails of it still ours come back after their lease.
    async fn still_ours(&self, jobs: Vec<Job>) -> Result<Vec<Job>, DispatchError> {
        let pool = self.pool.clone();
        let owner = self.owner.clone();
        let lease = self.lease();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            let ids: Vec<&str> = jobs.iter().flat_map(|j| j.deliveries.iter().map(|d| d.id.as_str())).collect();
            let ours = deliveries::renew_leases(&mut conn, &ids, &owner, now_utc(), lease)?;
            let (kept, lost): (Vec<Job>, Vec<Job>) =
                jobs.into_iter().partition(|j| j.deliveries.iter().all(|d| ours.contains(&d.id)));
            if !lost.is_empty() {
                tracing::warn!(
                    berichten = lost.len(),
                    "lease verlopen voordat de mail aan de beurt was; een andere dispatcher nam (een deel) over"
                );
            }
            Ok(kept)
        })
        .await?
    }

    /// Render and send one message, then hand its outcome to the recorder and wait until it is
    /// committed.
    async fn send_one(
        &self,
        job: Job,
        recorder: &tokio::sync::mpsc::UnboundedSender<ToRecord>,
    ) -> Result<Ended, DispatchError> {
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
        let (done, committed) = tokio::sync::oneshot::channel();
        let sent = Sent { job, message_id, outcome };
        if recorder.send((sent, done)).is_err() {
            return Err(DispatchError::Recording("de recorder is gestopt".into()));
        }
        committed.await.map_err(|_| DispatchError::Recording("de recorder is gestopt".into()))?
    }

    /// The recorder: takes every outcome that is waiting (up to [`RECORD_GROUP`]), writes them in
    /// one transaction on a connection of its own, tried again while the database is away (about
    /// 15 seconds in all), and tells each sender how its message ended. Ends when every sender has
    /// gone, with the time it spent writing.
    fn start_recorder(
        &self,
        today: NaiveDate,
    ) -> (tokio::sync::mpsc::UnboundedSender<ToRecord>, tokio::task::JoinHandle<Duration>) {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<ToRecord>();
        let (pool, owner) = (self.pool.clone(), self.owner.clone());
        let max_attempts = self.settings.dispatcher.max_attempts;
        let task = tokio::spawn(async move {
            // One connection for the whole run, not one checked out (and pinged) per group.
            let mut conn: Option<PooledDb> = None;
            let mut writing = Duration::ZERO;
            while let Some(first) = rx.recv().await {
                let mut group = vec![first];
                while group.len() < RECORD_GROUP {
                    match rx.try_recv() {
                        Ok(next) => group.push(next),
                        Err(_) => break,
                    }
                }
                let (sent, waiting): (Vec<Sent>, Vec<_>) = group.into_iter().unzip();
                let sent = Arc::new(sent);
                let written =
                    timed(&mut writing, write_group(&pool, &mut conn, &owner, &sent, today, max_attempts)).await;
                match written {
                    Ok(ended) => {
                        for (w, e) in waiting.into_iter().zip(ended) {
                            let _ = w.send(Ok(e));
                        }
                    }
                    Err(e) => {
                        let reason = e.to_string();
                        for w in waiting {
                            let _ = w.send(Err(DispatchError::Recording(reason.clone())));
                        }
                    }
                }
            }
            writing
        });
        (tx, task)
    }
}

/// `work`'s output, with the time it took to finish added to `spent` (not the time its caller
/// waited for it, which may be longer).
async fn timed<T>(spent: &mut Duration, work: impl std::future::Future<Output = T>) -> T {
    let started = Instant::now();
    let out = work.await;
    *spent += started.elapsed();
    out
}

/// Count how each job ended into `summary`, keeping the first error; returns the mails held back.
fn tally(
    results: Vec<Result<Ended, DispatchError>>,
    summary: &mut Summary,
    failure: &mut Option<DispatchError>,
) -> usize {
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
    held
}

/// Write one group of outcomes on `held` (taken from the pool when there is none), tried again
/// while the database is away: the mails have gone out, so waiting out a database restart spares
/// the recipients a second copy. A connection that failed is let go; the next try takes a new one.
async fn write_group(
    pool: &DbPool,
    held: &mut Option<PooledDb>,
    owner: &str,
    sent: &Arc<Vec<Sent>>,
    today: NaiveDate,
    max_attempts: i32,
) -> Result<Vec<Ended>, DispatchError> {
    let mut wait = Duration::from_millis(500);
    let mut tries = 0;
    loop {
        tries += 1;
        let (pool, conn, owner, s) = (pool.clone(), held.take(), owner.to_owned(), Arc::clone(sent));
        let (conn, written) = tokio::task::spawn_blocking(move || {
            let mut conn = match conn {
                Some(c) => c,
                None => match pool.get() {
                    Ok(c) => c,
                    Err(e) => return (None, Err(DispatchError::from(e))),
                },
            };
            let written = record_all(&mut conn, &owner, &s, today, max_attempts).map_err(DispatchError::from);
            (written.is_ok().then_some(conn), written)
        })
        .await?;
        *held = conn;
        match written {
            Err(e) if tries < RECORD_TRIES => {
                tracing::warn!(error = %e, poging = tries, mails = sent.len(), "uitkomsten niet vastgelegd; opnieuw");
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            other => return other,
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
