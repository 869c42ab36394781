//! Answers: stored once per invitation in the same transaction that marks the invitation
//! answered (no more reminders), with the analysis keys copied from the bpvo at that moment.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::{DbConnection, write_transaction};
use crate::error::{StoreError, StoreResult};
use crate::models::{BpvoRow, InvitationRow, ResponseRow};
use crate::schema::{bpvos, invitations, kwalificaties, responses};
use crate::states::AntwoordBron;
use bpv_scheduling::InvitationStatus;

/// Why an answer was not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// This invitation was answered before.
    AlreadyAnswered,
    /// The survey closed on this day.
    Closed(NaiveDate),
    /// The invitation was cancelled (e.g. the bpvo was withdrawn).
    Cancelled,
}

/// The invitation and its bpvo, as the survey needs them.
pub fn invitation_with_bpvo(
    conn: &mut DbConnection,
    invitation_id: &str,
) -> StoreResult<Option<(InvitationRow, BpvoRow)>> {
    Ok(invitations::table
        .inner_join(bpvos::table)
        .filter(invitations::id.eq(invitation_id))
        .select((InvitationRow::as_select(), BpvoRow::as_select()))
        .first(conn)
        .optional()?)
}

/// What the answer consists of (the analysis keys are taken from the bpvo here).
#[derive(Debug, Clone)]
pub struct NewAnswer<'a> {
    pub bron: AntwoordBron,
    pub questionnaire_version: &'a str,
    pub cijfer: i32,
    pub antwoorden_json: &'a str,
    pub verbeterpunten: Option<&'a str>,
}

/// Store the answer and mark the invitation answered, in one transaction; refuses a second
/// answer, a cancelled invitation and — when `today` is given — a closed survey (answers
/// imported from a survey bureau were given while it was open, so imports pass `None`).
pub fn submit(
    conn: &mut DbConnection,
    invitation_id: &str,
    answer: &NewAnswer<'_>,
    today: Option<NaiveDate>,
    now: NaiveDateTime,
) -> StoreResult<Result<ResponseRow, Refusal>> {
    write_transaction(conn, |conn| {
        let (inv, bpvo) = invitation_with_bpvo(conn, invitation_id)?
            .ok_or_else(|| StoreError::NotFound(format!("uitnodiging {invitation_id} bestaat niet")))?;
        if inv.status == InvitationStatus::Beantwoord {
            return Ok(Err(Refusal::AlreadyAnswered));
        }
        if inv.status == InvitationStatus::Geannuleerd {
            return Ok(Err(Refusal::Cancelled));
        }
        if today.is_some_and(|t| t >= inv.closes_on) {
            return Ok(Err(Refusal::Closed(inv.closes_on)));
        }
        let sector: Option<String> =
            kwalificaties::table.find(&bpvo.crebo).select(kwalificaties::sector).first(conn).optional()?;
        let row = ResponseRow {
            id: crate::ids::new_id(),
            invitation_id: inv.id.clone(),
            submitted_at: now,
            bron: answer.bron,
            questionnaire_version: answer.questionnaire_version.to_owned(),
            groep: inv.groep,
            maand: bpvo.geplande_einddatum.format("%Y-%m").to_string(),
            aanbiedercode: bpvo.aanbiedercode.clone(),
            locatiecode: bpvo.locatiecode.clone(),
            leerweg: bpvo.leerweg.clone(),
            crebo: bpvo.crebo.clone(),
            sector,
            cijfer: answer.cijfer,
            antwoorden: answer.antwoorden_json.to_owned(),
            verbeterpunten: answer.verbeterpunten.map(str::to_owned),
            kanaal: inv.kanaal,
        };
        // The unique invitation_id makes a concurrent second submit fail here, not store twice.
        match diesel::insert_into(responses::table).values(&row).execute(conn) {
            Ok(_) => {}
            Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
                return Ok(Err(Refusal::AlreadyAnswered));
            }
            Err(e) => return Err(e.into()),
        }
        diesel::update(invitations::table.find(&inv.id))
            .set((
                invitations::status.eq(InvitationStatus::Beantwoord),
                invitations::answered_at.eq(Some(now)),
                invitations::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(Ok(row))
    })
}

/// Stop reminders for this invitation; returns whether it was still on.
pub fn opt_out(conn: &mut DbConnection, invitation_id: &str, now: NaiveDateTime) -> StoreResult<bool> {
    let n = diesel::update(invitations::table.find(invitation_id).filter(invitations::opted_out.eq(false)))
        .set((invitations::opted_out.eq(true), invitations::updated_at.eq(now)))
        .execute(conn)?;
    Ok(n > 0)
}

/// The answer to an invitation, if any.
pub fn for_invitation(conn: &mut DbConnection, invitation_id: &str) -> StoreResult<Option<ResponseRow>> {
    Ok(responses::table
        .filter(responses::invitation_id.eq(invitation_id))
        .select(ResponseRow::as_select())
        .first(conn)
        .optional()?)
}

/// How many answers are stored.
pub fn count(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(responses::table.count().get_result(conn)?)
}

/// Store answers that were validated elsewhere (history seeded by `bpv demo`, imports), with
/// their invitations already marked answered; returns how many were new.
pub fn insert_many(conn: &mut DbConnection, rows: &[ResponseRow]) -> StoreResult<usize> {
    let mut n = 0;
    match conn {
        DbConnection::Postgresql(c) => {
            for chunk in rows.chunks(crate::repo::CHUNK / 2) {
                n += diesel::insert_into(responses::table).values(chunk).on_conflict_do_nothing().execute(c)?;
            }
        }
        DbConnection::Sqlite(c) => {
            n += crate::repo::sqlite_kept_insert!(c, rows, |chunk| diesel::insert_into(responses::table)
                .values(chunk)
                .on_conflict_do_nothing());
        }
    }
    Ok(n)
}

/// One answer as the safety signal reads it: (respondent = invitation id, leerbedrijf, month,
/// sector, questionnaire version, stored answers JSON).
pub type SignaalRij = (String, String, String, Option<String>, String, String);

/// The answers of the months from `van_maand` (`jjjj-mm`) on, with the leerbedrijf of their bpvo
/// (the signal per leerbedrijf; never shown per answer).
pub fn signaal_rijen(conn: &mut DbConnection, van_maand: &str) -> StoreResult<Vec<SignaalRij>> {
    Ok(responses::table
        .inner_join(invitations::table.inner_join(bpvos::table))
        .filter(responses::maand.ge(van_maand))
        .select((
            responses::invitation_id,
            bpvos::leerbedrijf_id,
            responses::maand,
            responses::sector,
            responses::questionnaire_version,
            responses::antwoorden,
        ))
        .load(conn)?)
}

/// The verbeterpunten of these answers (those that still have one: the purge removes them).
pub fn verbeterpunten_of(conn: &mut DbConnection, ids: &[String]) -> StoreResult<Vec<String>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(crate::repo::CHUNK) {
        out.extend(
            responses::table
                .filter(responses::id.eq_any(chunk))
                .filter(responses::verbeterpunten.is_not_null())
                .select(responses::verbeterpunten.assume_not_null())
                .load::<String>(conn)?,
        );
    }
    Ok(out)
}
