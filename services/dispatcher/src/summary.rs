//! What a run did, for the cron log at 7:00 (one line) or as JSON (`--json`).

use serde::Serialize;

/// Counts of one run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// The day the run planned for.
    pub as_of: String,
    /// New mails put in the outbox by this run's planning.
    pub planned: usize,
    /// Invitations created, rescheduled and cancelled by planning.
    pub invitations_created: usize,
    pub invitations_rescheduled: usize,
    pub invitations_cancelled: usize,
    /// Praktijkloket assessment requests planned (each with its mail, counted in `planned` too).
    pub beoordelingsverzoeken: usize,
    /// Messages accepted by the server (a digest counts once).
    pub sent: usize,
    /// Mails that failed temporarily and will be tried again.
    pub retried: usize,
    /// Mails refused for good (address suppressed).
    pub failed: usize,
    /// Mails given up after the maximum number of attempts.
    pub dead: usize,
    /// Claimed mails not sent on purpose (answered, cancelled, closed, suppressed address).
    pub skipped: usize,
    /// Messages whose lease ran out before their outcome was recorded (a slow SMTP session): this
    /// run wrote nothing for them; the dispatcher that took them over records its own.
    pub late: usize,
    /// True when no connection to the SMTP server could be made; nothing was claimed.
    pub smtp_unreachable: bool,
    pub dry_run: bool,
    pub duration_ms: u128,
    /// Of `duration_ms`, the part spent planning (before the first mail was claimed).
    pub planning_ms: u128,
    /// Time spent claiming mails and minting their links, summed over the run's batches. A batch
    /// is claimed while the one before it is sent, so this overlaps the sending.
    pub claiming_ms: u128,
    /// Time the recorder spent writing outcomes (including waiting out a database that was away).
    /// It writes one group at a time, and every sender waits for its own outcome: when this comes
    /// near the time spent sending, the recorder is what holds the run back.
    pub recording_ms: u128,
}

impl Summary {
    /// Mails attempted (sent, retried, failed or dead).
    pub fn attempted(&self) -> usize {
        self.sent + self.retried + self.failed + self.dead
    }

    /// Share of attempted mails that did not go out.
    pub fn failure_share(&self) -> f64 {
        match self.attempted() {
            0 => 0.0,
            n => (self.retried + self.failed + self.dead) as f64 / n as f64,
        }
    }

    /// The run as Prometheus gauges (`bpv_dispatch_last_run_*`), for node_exporter's textfile
    /// collector: mails by outcome, invitations planned, duration, when it finished and whether it
    /// succeeded (the exit code was 0). Alerting on the finish time catches a run that never
    /// came.
    pub fn metrics(&self, finished: chrono::DateTime<chrono::Utc>, success: bool) -> String {
        use prometheus_client::metrics::family::Family;
        use prometheus_client::metrics::gauge::Gauge;
        type FloatGauge = Gauge<f64, std::sync::atomic::AtomicU64>;
        let mut registry = prometheus_client::registry::Registry::with_prefix("bpv_dispatch_last_run");
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let mails = Family::<Vec<(&'static str, &'static str)>, Gauge>::default();
        for (outcome, n) in [
            ("planned", self.planned),
            ("sent", self.sent),
            ("retried", self.retried),
            ("failed", self.failed),
            ("dead", self.dead),
            ("skipped", self.skipped),
            ("late", self.late),
        ] {
            mails.get_or_create(&vec![("outcome", outcome)]).set(count(n));
        }
        registry.register("mails", "Mails of the last run, by outcome", mails);
        let invitations = Family::<Vec<(&'static str, &'static str)>, Gauge>::default();
        for (change, n) in [
            ("created", self.invitations_created),
            ("rescheduled", self.invitations_rescheduled),
            ("cancelled", self.invitations_cancelled),
        ] {
            invitations.get_or_create(&vec![("change", change)]).set(count(n));
        }
        registry.register("invitations", "Invitations planned by the last run, by change", invitations);
        let gauge = |registry: &mut prometheus_client::registry::Registry, name: &str, help: &str, value: f64| {
            let g = FloatGauge::default();
            g.set(value);
            registry.register(name, help, g);
        };
        gauge(&mut registry, "duration_seconds", "How long the last run took", self.duration_ms as f64 / 1000.0);
        gauge(
            &mut registry,
            "planning_seconds",
            "How long the last run's planning took (part of its duration)",
            self.planning_ms as f64 / 1000.0,
        );
        gauge(
            &mut registry,
            "claiming_seconds",
            "Time the last run spent claiming mails and minting their links (overlaps the sending)",
            self.claiming_ms as f64 / 1000.0,
        );
        gauge(
            &mut registry,
            "recording_seconds",
            "Time the last run spent writing outcomes (overlaps the sending)",
            self.recording_ms as f64 / 1000.0,
        );
        gauge(
            &mut registry,
            "finished_timestamp_seconds",
            "When the last run finished (Unix time)",
            finished.timestamp() as f64,
        );
        gauge(&mut registry, "success", "1 when the last run succeeded (exit code 0)", f64::from(u8::from(success)));
        gauge(
            &mut registry,
            "smtp_unreachable",
            "1 when the last run could not reach the SMTP server",
            f64::from(u8::from(self.smtp_unreachable)),
        );
        gauge(&mut registry, "dry_run", "1 when the last run was a dry run", f64::from(u8::from(self.dry_run)));
        let mut out = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
        out
    }

    /// One line for the log.
    pub fn line(&self) -> String {
        format!(
            "bpv-dispatcher {as_of}{dry}: gepland {planned}, verstuurd {sent}, opnieuw {retried}, mislukt {failed}, \
             opgegeven {dead}, overgeslagen {skipped}{late} ({secs:.1} s){smtp}",
            as_of = self.as_of,
            dry = if self.dry_run { " (proefdraai)" } else { "" },
            planned = self.planned,
            sent = self.sent,
            retried = self.retried,
            failed = self.failed,
            dead = self.dead,
            skipped = self.skipped,
            late = if self.late > 0 { format!(", te laat vastgelegd {}", self.late) } else { String::new() },
            secs = self.duration_ms as f64 / 1000.0,
            smtp = if self.smtp_unreachable { " — SMTP-server onbereikbaar" } else { "" },
        )
    }
}
