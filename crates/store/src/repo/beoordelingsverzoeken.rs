//! The praktijkopleider's assessment requests: one per begeleidingsdocument, planned when the
//! document's end date nears, mailed through the survey's outbox (a delivery of soort
//! `beoordelingsverzoek`), answered once through a personal link whose token is stored only as a
//! hash.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::StoreResult;
use crate::models::DeliveryRow;
use crate::repo::CHUNK;
use crate::repo::praktijkloket::{BeoordelingRow, DOCUMENT_ACTIEF, DocumentRow};
use crate::schema::{begeleidingsdocumenten, beoordeling_tokens, beoordelingen, beoordelingsverzoeken, deliveries};
use crate::states::VerzoekStatus;

/// An assessment request as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = beoordelingsverzoeken)]
#[diesel(treat_none_as_default_value = false)]
pub struct VerzoekRow {
    pub id: String,
    pub document_id: String,
    pub status: VerzoekStatus,
    pub scheduled_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub sent_on: Option<NaiveDate>,
    pub ingevuld_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Active documents with a praktijkopleider's address and no request yet whose end date lies
/// within `[from, to]` (the caller derives the window from the settings).
pub fn candidates(conn: &mut DbConnection, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<DocumentRow>> {
    Ok(begeleidingsdocumenten::table
        .left_join(beoordelingsverzoeken::table)
        .filter(beoordelingsverzoeken::id.is_null())
        .filter(begeleidingsdocumenten::status.eq(DOCUMENT_ACTIEF))
        .filter(begeleidingsdocumenten::praktijkopleider_email.is_not_null())
        .filter(begeleidingsdocumenten::einddatum.between(from, to))
        .order(begeleidingsdocumenten::id)
        .select(DocumentRow::as_select())
        .load(conn)?)
}

/// Which of these documents already have a beoordeling (by the school, or an earlier one).
pub fn assessed_among(conn: &mut DbConnection, document_ids: &[String]) -> StoreResult<Vec<String>> {
    let mut out = Vec::new();
    for chunk in document_ids.chunks(CHUNK) {
        out.extend(
            beoordelingen::table
                .filter(beoordelingen::document_id.eq_any(chunk))
                .select(beoordelingen::document_id)
                .distinct()
                .load::<String>(conn)?,
        );
    }
    Ok(out)
}

/// Store a new request with its mail; `false` when the document already has one (a second
/// dispatcher planned it first).
pub fn insert(conn: &mut DbConnection, verzoek: &VerzoekRow, mail: &DeliveryRow) -> StoreResult<bool> {
    let n = match conn {
        DbConnection::Postgresql(c) => diesel::insert_into(beoordelingsverzoeken::table)
            .values(verzoek)
            .on_conflict(beoordelingsverzoeken::document_id)
            .do_nothing()
            .execute(c)?,
        DbConnection::Sqlite(c) => diesel::insert_into(beoordelingsverzoeken::table)
            .values(verzoek)
            .on_conflict(beoordelingsverzoeken::document_id)
            .do_nothing()
            .execute(c)?,
    };
    if n == 0 {
        return Ok(false);
    }
    diesel::insert_into(deliveries::table).values(mail).execute(conn)?;
    Ok(true)
}

/// Planned requests whose document's end date moved: (request, current document).
pub fn planned_with_documents(conn: &mut DbConnection) -> StoreResult<Vec<(VerzoekRow, DocumentRow)>> {
    Ok(beoordelingsverzoeken::table
        .inner_join(begeleidingsdocumenten::table)
        .filter(beoordelingsverzoeken::status.eq(VerzoekStatus::Gepland))
        .select((VerzoekRow::as_select(), DocumentRow::as_select()))
        .load(conn)?)
}

/// New dates for a planned request; its waiting mail moves with it.
pub fn reschedule(
    conn: &mut DbConnection,
    id: &str,
    scheduled_on: NaiveDate,
    closes_on: NaiveDate,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    let n = diesel::update(
        beoordelingsverzoeken::table.find(id).filter(beoordelingsverzoeken::status.eq(VerzoekStatus::Gepland)),
    )
    .set((
        beoordelingsverzoeken::scheduled_on.eq(scheduled_on),
        beoordelingsverzoeken::closes_on.eq(closes_on),
        beoordelingsverzoeken::updated_at.eq(now),
    ))
    .execute(conn)?;
    if n > 0 {
        let onderwerp = crate::models::Onderwerp::Beoordelingsverzoek(id.to_owned());
        crate::repo::deliveries::move_waiting(conn, &onderwerp, scheduled_on, now)?;
    }
    Ok(n > 0)
}

/// Requests with their documents, by request id.
pub fn with_documents(conn: &mut DbConnection, ids: &[String]) -> StoreResult<Vec<(VerzoekRow, DocumentRow)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        out.extend(
            beoordelingsverzoeken::table
                .inner_join(begeleidingsdocumenten::table)
                .filter(beoordelingsverzoeken::id.eq_any(chunk))
                .select((VerzoekRow::as_select(), DocumentRow::as_select()))
                .load(conn)?,
        );
    }
    Ok(out)
}

/// The request of a stored document, if any.
pub fn for_document(conn: &mut DbConnection, document_id: &str) -> StoreResult<Option<VerzoekRow>> {
    Ok(beoordelingsverzoeken::table
        .filter(beoordelingsverzoeken::document_id.eq(document_id))
        .select(VerzoekRow::as_select())
        .first(conn)
        .optional()?)
}

/// Store the hash of a link token for a request.
pub fn add_token(conn: &mut DbConnection, verzoek_id: &str, token_hash: &str, now: NaiveDateTime) -> StoreResult<()> {
    diesel::insert_into(beoordeling_tokens::table)
        .values((
            beoordeling_tokens::token_hash.eq(token_hash),
            beoordeling_tokens::verzoek_id.eq(verzoek_id),
            beoordeling_tokens::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The request and its document that a link token belongs to.
pub fn find_by_token_hash(conn: &mut DbConnection, token_hash: &str) -> StoreResult<Option<(VerzoekRow, DocumentRow)>> {
    Ok(beoordeling_tokens::table
        .inner_join(beoordelingsverzoeken::table.inner_join(begeleidingsdocumenten::table))
        .filter(beoordeling_tokens::token_hash.eq(token_hash))
        .select((VerzoekRow::as_select(), DocumentRow::as_select()))
        .first(conn)
        .optional()?)
}

/// The mail went out today.
pub fn mark_sent(conn: &mut DbConnection, id: &str, today: NaiveDate, now: NaiveDateTime) -> StoreResult<()> {
    diesel::update(
        beoordelingsverzoeken::table.find(id).filter(beoordelingsverzoeken::status.eq(VerzoekStatus::Gepland)),
    )
    .set((
        beoordelingsverzoeken::status.eq(VerzoekStatus::Verstuurd),
        beoordelingsverzoeken::sent_on.eq(Some(today)),
        beoordelingsverzoeken::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(())
}

/// Record the praktijkopleider's beoordeling and spend the link, in one transaction. `false`:
/// the link was already used or declined (nothing written).
pub fn submit(
    conn: &mut DbConnection,
    verzoek_id: &str,
    beoordeling: &BeoordelingRow,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    crate::db::write_transaction(conn, |conn| {
        let n = diesel::update(
            beoordelingsverzoeken::table
                .find(verzoek_id)
                .filter(beoordelingsverzoeken::status.eq_any([VerzoekStatus::Gepland, VerzoekStatus::Verstuurd])),
        )
        .set((
            beoordelingsverzoeken::status.eq(VerzoekStatus::Ingevuld),
            beoordelingsverzoeken::ingevuld_at.eq(Some(now)),
            beoordelingsverzoeken::updated_at.eq(now),
        ))
        .execute(conn)?;
        if n == 0 {
            return Ok(false);
        }
        crate::repo::praktijkloket::insert_beoordeling(conn, beoordeling)?;
        Ok(true)
    })
}

/// The praktijkopleider declines to assess through the link. `false`: already used or declined.
pub fn decline(conn: &mut DbConnection, verzoek_id: &str, now: NaiveDateTime) -> StoreResult<bool> {
    let n = diesel::update(
        beoordelingsverzoeken::table
            .find(verzoek_id)
            .filter(beoordelingsverzoeken::status.eq_any([VerzoekStatus::Gepland, VerzoekStatus::Verstuurd])),
    )
    .set((beoordelingsverzoeken::status.eq(VerzoekStatus::Afgemeld), beoordelingsverzoeken::updated_at.eq(now)))
    .execute(conn)?;
    Ok(n > 0)
}

/// Some requests whose mail went out and whose link is still open on `today` (the demo prints
/// fresh links to them).
pub fn open_sample(conn: &mut DbConnection, today: NaiveDate, n: i64) -> StoreResult<Vec<VerzoekRow>> {
    Ok(beoordelingsverzoeken::table
        .filter(beoordelingsverzoeken::status.eq(VerzoekStatus::Verstuurd))
        .filter(beoordelingsverzoeken::closes_on.gt(today))
        .order(beoordelingsverzoeken::id)
        .limit(n)
        .select(VerzoekRow::as_select())
        .load(conn)?)
}
