//! The record of every upload: who sent what, when, with which outcome, and under which
//! Idempotency-Key, so a replay can be answered with the first answer.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::StoreResult;
use crate::models::UploadBatchRow;
use crate::schema::upload_batches::dsl;
use crate::states::BatchStatus;

/// Record a new upload (status `bezig`).
pub fn insert(conn: &mut DbConnection, row: &UploadBatchRow) -> StoreResult<()> {
    diesel::insert_into(dsl::upload_batches).values(row).execute(conn)?;
    Ok(())
}

/// Counts of one finished batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub ontvangen: i64,
    pub aangemaakt: i64,
    pub bijgewerkt: i64,
    pub ongewijzigd: i64,
    pub afgewezen: i64,
}

/// Mark a batch finished with its counts and answer.
pub fn finish(
    conn: &mut DbConnection,
    id: &str,
    counts: Counts,
    resultaat: &str,
    now: NaiveDateTime,
) -> StoreResult<()> {
    diesel::update(dsl::upload_batches.find(id))
        .set((
            dsl::status.eq(BatchStatus::Verwerkt),
            dsl::ontvangen.eq(counts.ontvangen),
            dsl::aangemaakt.eq(counts.aangemaakt),
            dsl::bijgewerkt.eq(counts.bijgewerkt),
            dsl::ongewijzigd.eq(counts.ongewijzigd),
            dsl::afgewezen.eq(counts.afgewezen),
            dsl::resultaat.eq(Some(resultaat)),
            dsl::finished_at.eq(Some(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Remove a batch that never finished (its request failed before an answer was stored), so the
/// same Idempotency-Key can be tried again.
pub fn delete_unfinished(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
    diesel::delete(dsl::upload_batches.find(id).filter(dsl::status.eq(BatchStatus::Bezig))).execute(conn)?;
    Ok(())
}

/// One batch of one instelling.
pub fn find(conn: &mut DbConnection, brin: &str, id: &str) -> StoreResult<Option<UploadBatchRow>> {
    Ok(dsl::upload_batches
        .find(id)
        .filter(dsl::brin.eq(brin))
        .select(UploadBatchRow::as_select())
        .first(conn)
        .optional()?)
}

/// The batch an actor sent earlier under this Idempotency-Key.
pub fn find_by_idempotency_key(
    conn: &mut DbConnection,
    actor_id: &str,
    key: &str,
) -> StoreResult<Option<UploadBatchRow>> {
    Ok(dsl::upload_batches
        .filter(dsl::actor_id.eq(actor_id))
        .filter(dsl::idempotency_key.eq(key))
        .select(UploadBatchRow::as_select())
        .first(conn)
        .optional()?)
}

/// The latest batches of an instelling, newest first.
pub fn list(conn: &mut DbConnection, brin: &str, limit: i64) -> StoreResult<Vec<UploadBatchRow>> {
    Ok(dsl::upload_batches
        .filter(dsl::brin.eq(brin))
        .order(dsl::created_at.desc())
        .limit(limit)
        .select(UploadBatchRow::as_select())
        .load(conn)?)
}
