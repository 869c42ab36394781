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
