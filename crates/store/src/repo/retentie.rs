//! Retention: student and praktijkopleider names, emails and student numbers are removed
//! `retention.days` after the survey of their bpvo closed, and at once when the bpvo is withdrawn
//! (by the withdrawal itself; the purge catches what arrives later, e.g. a praktijkopleider from
//! SBB's registration feed for a withdrawn bpvo).
//! The analysis keys (aanbieder, locatie, leerweg, crebo, dates) and the answers stay, so reports
//! do not change. Every purge is recorded per bpvo (`persoonsgegevens_verwijderd`) and per
//! instelling in the audit log.

use std::collections::{BTreeMap, HashMap};

use bpvo::BpvoStatus;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::max;
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::db::DbConnection;
use crate::error::StoreResult;
use crate::ids::new_id;
use crate::repo::CHUNK;
use crate::repo::audit::{self, Actor};
use crate::schema::{aanbieders, bpvos, deliveries, invitations, persoonsgegevens_verwijderd};

/// The personal columns of `bpvos` the purge clears.
pub const VELDEN: [&str; 5] =
    ["student_naam", "student_email", "studentcode", "praktijkopleider_naam", "praktijkopleider_email"];

/// Why a bpvo's personal data was removed.
pub const REDEN_TERMIJN: &str = "termijn";
/// The bpvo was withdrawn by the school.
pub const REDEN_INGETROKKEN: &str = "ingetrokken";

/// The mail-log rows of these bpvo's that still hold an address or an SMTP reply.
macro_rules! mail_log {
    ($bpvo_ids:expr) => {
        deliveries::table
            .filter(deliveries::invitation_id.eq_any(
                invitations::table.filter(invitations::bpvo_id.eq_any($bpvo_ids)).select(invitations::id.nullable()),
            ))
            .filter(deliveries::recipient.is_not_null().or(deliveries::last_reply.is_not_null()))
    };
}

/// What one purge removed (or, in a dry run, would remove).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PurgeReport {
    /// Bpvo's whose survey closed more than `retention.days` ago.
    pub na_termijn: u64,
    /// Withdrawn bpvo's.
    pub ingetrokken: u64,
    /// Mail records whose recipient address or SMTP reply was cleared.
    pub afleveringen: u64,
    /// Per instelling (BRIN): bpvo's purged.
    pub per_instelling: BTreeMap<String, u64>,
    /// Upload previews (whole student files) older than
    /// [`MAX_AGE`](crate::repo::upload_previews::MAX_AGE) removed.
    pub uploadvoorbeelden: u64,
    /// Begeleidingsdocumenten whose personal data was removed (a year after their end, or
    /// withdrawn).
    pub begeleidingsdocumenten: u64,
    /// Withdrawn praktijkverklaringen whose learner's name became initials.
    pub praktijkverklaringen: u64,
}

impl PurgeReport {
    /// Bpvo's purged in all.
    pub fn bpvos(&self) -> u64 {
        self.na_termijn + self.ingetrokken
    }
}

/// A bpvo that may be due: id, brin, status, planned end, actual end, and the personal fields it holds.
type Candidate = (String, String, BpvoStatus, NaiveDate, Option<NaiveDate>, [Option<String>; 5]);

/// The day a bpvo's survey closed: the last closing day of its invitations, and never before its
/// (planned or actual) end date, so a bpvo that was never surveyed is treated as closed at its end.
pub fn gesloten_op(
    einde: NaiveDate,
    werkelijk_einde: Option<NaiveDate>,
    laatste_sluiting: Option<NaiveDate>,
) -> NaiveDate {
    einde.max(werkelijk_einde.unwrap_or(einde)).max(laatste_sluiting.unwrap_or(einde))
}

/// The bpvo's that still hold personal data and may be due: withdrawn, or planned to end before
/// `cutoff` (the survey closes on or after the planned end date).
fn candidates(conn: &mut DbConnection, cutoff: NaiveDate) -> StoreResult<Vec<Candidate>> {
    let found: Vec<Candidate> = bpvos::table
        .inner_join(aanbieders::table)
        .filter(
            bpvos::student_naam
                .is_not_null()
                .or(bpvos::student_email.is_not_null())
                .or(bpvos::studentcode.is_not_null())
                .or(bpvos::praktijkopleider_naam.is_not_null())
                .or(bpvos::praktijkopleider_email.is_not_null()),
        )
        .filter(bpvos::status.eq(BpvoStatus::Ingetrokken).or(bpvos::geplande_einddatum.lt(cutoff)))
        .select((
            bpvos::id,
            aanbieders::brin,
            bpvos::status,
            bpvos::geplande_einddatum,
            bpvos::werkelijke_einddatum,
            (
                bpvos::student_naam,
                bpvos::student_email,
                bpvos::studentcode,
                bpvos::praktijkopleider_naam,
                bpvos::praktijkopleider_email,
            ),
        ))
        .order(bpvos::id)
        .load::<(
            String,
            String,
            BpvoStatus,
            NaiveDate,
            Option<NaiveDate>,
            (Option<String>, Option<String>, Option<String>, Option<String>, Option<String>),
        )>(conn)?
        .into_iter()
        .map(|(id, brin, status, einde, werkelijk, (a, b, c, d, e))| {
            (id, brin, status, einde, werkelijk, [a, b, c, d, e])
        })
        .collect();
    Ok(found)
}

/// Remove the personal data that is due on `today` (`days` after the survey closed; withdrawn at
/// once), in one transaction; `dry_run` only counts. `now` stamps the records.
pub fn purge(
    conn: &mut DbConnection,
    today: NaiveDate,
    days: u32,
    now: NaiveDateTime,
    dry_run: bool,
) -> StoreResult<PurgeReport> {
    crate::db::write_transaction(conn, |conn| {
        // The survey closes on or after the planned end date, so only bpvo's that ended before
        // the cut-off (or are withdrawn) can be due.
        let cutoff = today - chrono::Days::new(u64::from(days));
        let candidates = candidates(conn, cutoff)?;
        let mut report = PurgeReport::default();
        for chunk in candidates.chunks(CHUNK) {
            let ids: Vec<&str> = chunk.iter().map(|c| c.0.as_str()).collect();
            let closes: HashMap<String, Option<NaiveDate>> = invitations::table
                .filter(invitations::bpvo_id.eq_any(&ids))
                .group_by(invitations::bpvo_id)
                .select((invitations::bpvo_id, max(invitations::closes_on)))
                .load(conn)?
                .into_iter()
                .collect();
            let mut due: Vec<(&Candidate, &'static str)> = Vec::new();
            for c in chunk {
                if c.2 == BpvoStatus::Ingetrokken {
                    due.push((c, REDEN_INGETROKKEN));
                } else if gesloten_op(c.3, c.4, closes.get(&c.0).copied().flatten()) < cutoff {
                    due.push((c, REDEN_TERMIJN));
                }
            }
            if due.is_empty() {
                continue;
            }
            for (c, reden) in &due {
                if *reden == REDEN_INGETROKKEN {
                    report.ingetrokken += 1;
                } else {
                    report.na_termijn += 1;
                }
                *report.per_instelling.entry(c.1.clone()).or_default() += 1;
            }
            if dry_run {
                let due_ids: Vec<&str> = due.iter().map(|(c, _)| c.0.as_str()).collect();
                report.afleveringen += mail_log!(&due_ids).count().get_result::<i64>(conn)? as u64;
                continue;
            }
            let due: Vec<(&str, &[Option<String>; 5], &str)> =
                due.iter().map(|(c, reden)| (c.0.as_str(), &c.5, *reden)).collect();
            report.afleveringen += verwijder(conn, &due, now)?;
        }
        let oud = now - crate::repo::upload_previews::MAX_AGE;
        report.uploadvoorbeelden = if dry_run {
            crate::repo::upload_previews::count_older_than(conn, oud)?
        } else {
            crate::repo::upload_previews::purge_older_than(conn, oud)? as u64
        };
        if !dry_run {
            crate::repo::sessies::purge_expired(conn, now)?;
        }
        let (documenten, verklaringen) = praktijkloket(conn, today, now, dry_run)?;
        report.begeleidingsdocumenten = documenten;
        report.praktijkverklaringen = verklaringen;
        if !dry_run {
            for (brin, n) in &report.per_instelling {
                audit::append(
                    conn,
                    now,
                    Actor { kind: "systeem", id: "bpv-dispatcher purge" },
                    Some(brin),
                    "persoonsgegevens.verwijderd",
                    &json!({ "peildatum": today.to_string(), "termijnDagen": days, "velden": VELDEN }),
                    Some(*n as i64),
                )?;
            }
        }
        Ok(report)
    })
}

/// The Praktijkloket's part of the purge, audited per instelling; returns (documents,
/// withdrawn verklaringen).
fn praktijkloket(
    conn: &mut DbConnection,
    today: NaiveDate,
    now: NaiveDateTime,
    dry_run: bool,
) -> StoreResult<(u64, u64)> {
    let pl = crate::repo::praktijkloket::purge(conn, today, now, dry_run)?;
    if !dry_run {
        // Stored answers of Idempotency-Keys may name the learner: gone after a day.
        crate::repo::idempotentie::purge(conn, now)?;
        let brins: std::collections::BTreeSet<&String> = pl.documenten.keys().chain(pl.verklaringen.keys()).collect();
        for brin in brins {
            let detail = json!({
                "peildatum": today.to_string(),
                "begeleidingsdocumenten": pl.documenten.get(brin).copied().unwrap_or(0),
                "praktijkverklaringen": pl.verklaringen.get(brin).copied().unwrap_or(0),
            });
            let actor = Actor { kind: "systeem", id: "bpv-dispatcher purge" };
            audit::append(conn, now, actor, Some(brin), "praktijkloket.persoonsgegevens.verwijderd", &detail, None)?;
        }
    }
    Ok((pl.documenten.values().sum(), pl.verklaringen.values().sum()))
}

/// Remove the personal data of these bpvo's — `(id, the values of [`VELDEN`] it held, reden)` —
/// and their addresses in the mail log, and record per bpvo which columns held a value and why.
/// The one place personal data is removed: the purge and a withdrawal both come here. Returns
/// the mail-log rows cleared.
pub(crate) fn verwijder(
    conn: &mut DbConnection,
    due: &[(&str, &[Option<String>; 5], &str)],
    now: NaiveDateTime,
) -> StoreResult<u64> {
    let ids: Vec<&str> = due.iter().map(|(id, _, _)| *id).collect();
    let mails = diesel::update(mail_log!(&ids))
        .set((
            deliveries::recipient.eq(None::<String>),
            deliveries::last_reply.eq(None::<String>),
            deliveries::updated_at.eq(now),
        ))
        .execute(conn)?;
    verbeterpunten_weg(conn, &ids)?;
    diesel::update(bpvos::table.filter(bpvos::id.eq_any(&ids)))
        .set((
            bpvos::student_naam.eq(None::<String>),
            bpvos::student_email.eq(None::<String>),
            bpvos::studentcode.eq(None::<String>),
            bpvos::praktijkopleider_naam.eq(None::<String>),
            bpvos::praktijkopleider_email.eq(None::<String>),
            bpvos::updated_at.eq(now),
        ))
        .execute(conn)?;
    let records: Vec<_> = due
        .iter()
        .filter_map(|(id, values, reden)| {
            let velden: Vec<&str> =
                VELDEN.iter().zip(values.iter()).filter(|(_, v)| v.is_some()).map(|(name, _)| *name).collect();
            (!velden.is_empty()).then(|| {
                (
                    persoonsgegevens_verwijderd::id.eq(new_id()),
                    persoonsgegevens_verwijderd::bpvo_id.eq(*id),
                    persoonsgegevens_verwijderd::verwijderd_op.eq(now),
                    persoonsgegevens_verwijderd::reden.eq(*reden),
                    persoonsgegevens_verwijderd::velden.eq(velden.join(",")),
                )
            })
        })
        .collect();
    if !records.is_empty() {
        match conn {
            DbConnection::Postgresql(c) => {
                diesel::insert_into(persoonsgegevens_verwijderd::table).values(&records).execute(c)?
            }
            DbConnection::Sqlite(c) => {
                diesel::insert_into(persoonsgegevens_verwijderd::table).values(&records).execute(c)?
            }
        };
    }
    Ok(mails as u64)
}

/// The verbeterpunten of these bpvo's answers go with their personal data: free text may name
/// anyone. Removed from the column and from the stored answers JSON; the closed answers stay.
fn verbeterpunten_weg(conn: &mut DbConnection, bpvo_ids: &[&str]) -> StoreResult<()> {
    use crate::schema::responses;
    let invitation_ids = invitations::table.filter(invitations::bpvo_id.eq_any(bpvo_ids)).select(invitations::id);
    let rows: Vec<(String, String)> = responses::table
        .filter(responses::invitation_id.eq_any(invitation_ids))
        .filter(responses::verbeterpunten.is_not_null().or(responses::antwoorden.not_like("%\"verbeterpunten\":null}")))
        .select((responses::id, responses::antwoorden))
        .load(conn)?;
    for (id, json) in rows {
        let zonder = match bpv_aggregation::Answers::from_json(&json) {
            Ok(mut a) => {
                a.verbeterpunten = None;
                a.to_json()
            }
            // Not the current shape (an old or hand-made row): drop the key wherever it is.
            Err(_) => match serde_json::from_str::<serde_json::Value>(&json) {
                Ok(serde_json::Value::Object(mut o)) => {
                    o.remove("verbeterpunten");
                    serde_json::Value::Object(o).to_string()
                }
                _ => json,
            },
        };
        diesel::update(responses::table.find(&id))
            .set((responses::verbeterpunten.eq(None::<String>), responses::antwoorden.eq(zonder)))
            .execute(conn)?;
    }
    Ok(())
}

/// One purge record: which bpvo, when, why and which fields.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Verwijdering {
    pub bpvo_id: String,
    pub verwijderd_op: NaiveDateTime,
    pub reden: String,
    pub velden: String,
}

/// The purge records of one bpvo, oldest first.
pub fn verwijderingen(conn: &mut DbConnection, bpvo_id: &str) -> StoreResult<Vec<Verwijdering>> {
    Ok(persoonsgegevens_verwijderd::table
        .filter(persoonsgegevens_verwijderd::bpvo_id.eq(bpvo_id))
        .select((
            persoonsgegevens_verwijderd::bpvo_id,
            persoonsgegevens_verwijderd::verwijderd_op,
            persoonsgegevens_verwijderd::reden,
            persoonsgegevens_verwijderd::velden,
        ))
        .order(persoonsgegevens_verwijderd::verwijderd_op)
        .load(conn)?)
}
