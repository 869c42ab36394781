//! Recording outcomes: each message on its own transaction, and only under the dispatcher's own
//! lease (a late writer records nothing).

use bpv_mailing::SendOutcome;
use bpv_store::repo::{beoordelingsverzoeken, deliveries, invitations};
use bpv_store::{DbConnection, Soort, StoreError, now_utc, write_transaction};
use chrono::NaiveDate;

use super::prepare::Job;

/// How one job ended, for the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ended {
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

/// Backoff after `attempts` failed tries: 5 minutes, doubling, at most 6 hours.
pub(super) fn backoff(attempts: i32) -> chrono::Duration {
    let exp = u32::try_from(attempts.clamp(1, 8) - 1).unwrap_or(0);
    chrono::Duration::minutes((5_i64 << exp).min(360))
}

/// Record one message's outcome for each of its deliveries, in its own transaction, only while
/// the lease is still `owner`'s: a late writer records nothing and reports [`Ended::Late`].
pub(super) fn record(
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
            SendOutcome::Sent { reply } if job.verzoek_id.is_some() => {
                let mut late = false;
                for d in &job.deliveries {
                    late |= !deliveries::record_sent(conn, &d.id, owner, message_id, reply, now)?;
                }
                if let (false, Some(id)) = (late, &job.verzoek_id) {
                    beoordelingsverzoeken::mark_sent(conn, id, today, now)?;
                }
                Ok(if late { Ended::Late } else { Ended::Sent })
            }
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
}
