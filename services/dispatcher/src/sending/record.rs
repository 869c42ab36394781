//! Recording outcomes, each message exactly as it ended and only under the dispatcher's own lease
//! (a late writer records nothing). The outcomes that are ready together are written in one
//! transaction (a group commit): one commit for many messages instead of one each, while every
//! sender still waits for its own outcome to be committed before it sends its next mail.

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

/// One sent (or refused) message whose outcome is to be recorded.
pub(super) struct Sent {
    pub(super) job: Job,
    pub(super) message_id: String,
    pub(super) outcome: SendOutcome,
}

/// Record several messages' outcomes in one transaction, each for each of its deliveries and only
/// while the lease is still `owner`'s: a late writer records nothing for that message and it
/// reports [`Ended::Late`]. Returns each message's end, in order.
pub(super) fn record_all(
    conn: &mut DbConnection,
    owner: &str,
    sent: &[Sent],
    today: NaiveDate,
    max_attempts: i32,
) -> Result<Vec<Ended>, StoreError> {
    let now = now_utc();
    let ended = if sent.iter().all(bulk) {
        // The usual group: one atomic write, no transaction around it.
        record_invitations_sent(conn, owner, sent, today, now)?.into_iter().map(|e| e.unwrap_or(Ended::Late)).collect()
    } else {
        write_transaction(conn, |conn| -> Result<Vec<Ended>, StoreError> {
            let mut ended = record_invitations_sent(conn, owner, sent, today, now)?;
            for (s, e) in sent.iter().zip(ended.iter_mut()) {
                if e.is_none() {
                    *e = Some(record_one(conn, owner, s, today, max_attempts, now)?);
                }
            }
            Ok(ended.into_iter().map(|e| e.unwrap_or(Ended::Late)).collect())
        })?
    };
    for (s, e) in sent.iter().zip(&ended) {
        if *e == Ended::Late {
            tracing::warn!(
                ontvanger_mails = s.job.deliveries.len(),
                "lease verlopen voordat de uitkomst werd vastgelegd; niets geschreven (een andere dispatcher nam de mail over)"
            );
        }
    }
    Ok(ended)
}

/// An invitation mail (no reminder, no assessment request) the server accepted: the common case,
/// recorded in bulk.
fn bulk(s: &Sent) -> bool {
    matches!(s.outcome, SendOutcome::Sent { .. })
        && s.job.verzoek_id.is_none()
        && s.job.deliveries.iter().all(|d| d.soort != Soort::Herinnering)
}

/// The common case in bulk: invitation mails the server accepted — their deliveries and their
/// invitations (and the student invitations riding along) in one atomic write
/// (`deliveries::record_invitation_mails_sent`), exactly as [`record_one`] records each. Returns
/// each message's end where it was one of these, `None` for the rest.
fn record_invitations_sent(
    conn: &mut DbConnection,
    owner: &str,
    sent: &[Sent],
    today: NaiveDate,
    now: chrono::NaiveDateTime,
) -> Result<Vec<Option<Ended>>, StoreError> {
    let mut rows: Vec<(&str, &str, &str)> = Vec::new();
    let mut carried: Vec<(&str, &str)> = Vec::new();
    for s in sent.iter().filter(|s| bulk(s)) {
        if let SendOutcome::Sent { reply } = &s.outcome {
            for (d, (inv, along)) in s.job.deliveries.iter().zip(&s.job.invitations) {
                rows.push((d.id.as_str(), s.message_id.as_str(), reply.as_str()));
                carried.push((d.id.as_str(), inv.id.as_str()));
                carried.extend(along.iter().map(|a| (d.id.as_str(), a.id.as_str())));
            }
        }
    }
    if rows.is_empty() {
        return Ok(vec![None; sent.len()]);
    }
    let ours = deliveries::record_invitation_mails_sent(conn, &rows, &carried, owner, today, now)?;
    Ok(sent
        .iter()
        .map(|s| {
            bulk(s).then(
                || {
                    if s.job.deliveries.iter().all(|d| ours.contains(&d.id)) { Ended::Sent } else { Ended::Late }
                },
            )
        })
        .collect())
}

/// One message's outcome, inside the caller's transaction.
fn record_one(
    conn: &mut DbConnection,
    owner: &str,
    sent: &Sent,
    today: NaiveDate,
    max_attempts: i32,
    now: chrono::NaiveDateTime,
) -> Result<Ended, StoreError> {
    let (job, message_id) = (&sent.job, sent.message_id.as_str());
    match &sent.outcome {
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
                late |=
                    !deliveries::record_transient(conn, &d.id, owner, reason, now + backoff(attempts), give_up, now)?;
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
