//! Files previewed in the manual upload module, waiting for confirmation.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::StoreResult;
use crate::models::UploadPreviewRow;
use crate::schema::upload_previews::dsl;

/// Previews kept per gemachtigde at most: a new one pushes out the oldest.
pub const MAX_PER_GEMACHTIGDE: usize = 3;
/// `bpv-dispatcher purge` removes previews older than this (they expire after an hour anyway;
/// they hold whole student files).
pub const MAX_AGE: chrono::TimeDelta = chrono::TimeDelta::hours(2);

/// Keep a previewed file, and at most [`MAX_PER_GEMACHTIGDE`] of its uploader's (the oldest go).
pub fn insert(conn: &mut DbConnection, row: &UploadPreviewRow) -> StoreResult<()> {
    diesel::insert_into(dsl::upload_previews).values(row).execute(conn)?;
    let keep: Vec<String> = dsl::upload_previews
        .filter(dsl::gemachtigde_id.eq(&row.gemachtigde_id))
        .order((dsl::created_at.desc(), dsl::id.desc()))
        .limit(i64::try_from(MAX_PER_GEMACHTIGDE).unwrap_or(i64::MAX))
        .select(dsl::id)
        .load(conn)?;
    diesel::delete(
        dsl::upload_previews.filter(dsl::gemachtigde_id.eq(&row.gemachtigde_id)).filter(dsl::id.ne_all(&keep)),
    )
    .execute(conn)?;
    Ok(())
}

/// How many previews are older than `before` (for a dry run).
pub fn count_older_than(conn: &mut DbConnection, before: NaiveDateTime) -> StoreResult<u64> {
    let n: i64 = dsl::upload_previews.filter(dsl::created_at.lt(before)).count().get_result(conn)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Take the preview out (one confirmation per preview): returns it only for its own uploader
/// and when it is newer than `not_before`.
pub fn take(
    conn: &mut DbConnection,
    id: &str,
    gemachtigde_id: &str,
    not_before: NaiveDateTime,
) -> StoreResult<Option<UploadPreviewRow>> {
    let row = dsl::upload_previews
        .find(id)
        .filter(dsl::gemachtigde_id.eq(gemachtigde_id))
        .filter(dsl::created_at.ge(not_before))
        .select(UploadPreviewRow::as_select())
        .first(conn)
        .optional()?;
    // Only the request whose delete removed the row may use it: two simultaneous confirmations
    // of one preview cannot both store it.
    match row {
        Some(row) if diesel::delete(dsl::upload_previews.find(id)).execute(conn)? == 1 => Ok(Some(row)),
        _ => Ok(None),
    }
}

/// Remove previews older than `before`; returns how many.
pub fn purge_older_than(conn: &mut DbConnection, before: NaiveDateTime) -> StoreResult<usize> {
    Ok(diesel::delete(dsl::upload_previews.filter(dsl::created_at.lt(before))).execute(conn)?)
}
