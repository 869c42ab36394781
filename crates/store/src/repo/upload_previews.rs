//! Files previewed in the manual upload module, waiting for confirmation.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::StoreResult;
use crate::models::UploadPreviewRow;
use crate::schema::upload_previews::dsl;

/// Keep a previewed file.
pub fn insert(conn: &mut DbConnection, row: &UploadPreviewRow) -> StoreResult<()> {
    diesel::insert_into(dsl::upload_previews).values(row).execute(conn)?;
    Ok(())
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
