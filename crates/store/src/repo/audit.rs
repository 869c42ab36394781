//! The append-only audit log: who did what, when. The database refuses updates and deletes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::StoreResult;
use crate::ids::new_id;
use crate::models::AuditEntryRow;
use crate::schema::audit_log::dsl;

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor<'a> {
    /// `client`, `gemachtigde`, `admin`, `certificaat`, `systeem`.
    pub kind: &'a str,
    pub id: &'a str,
}

/// Append one entry; `detail` is a JSON value with the specifics (never personal data).
pub fn append(
    conn: &mut DbConnection,
    at: NaiveDateTime,
    actor: Actor<'_>,
    brin: Option<&str>,
    action: &str,
    detail: &serde_json::Value,
    row_count: Option<i64>,
) -> StoreResult<AuditEntryRow> {
    let row = AuditEntryRow {
        id: new_id(),
        at,
        actor_kind: actor.kind.to_owned(),
        actor_id: actor.id.to_owned(),
        brin: brin.map(str::to_owned),
        action: action.to_owned(),
        detail: detail.to_string(),
        row_count,
    };
    diesel::insert_into(dsl::audit_log).values(&row).execute(conn)?;
    Ok(row)
}

/// Entries, newest first, optionally for one instelling and/or since a moment.
pub fn list(
    conn: &mut DbConnection,
    brin: Option<&str>,
    since: Option<NaiveDateTime>,
    limit: i64,
) -> StoreResult<Vec<AuditEntryRow>> {
    let mut q = dsl::audit_log.select(AuditEntryRow::as_select()).into_boxed();
    if let Some(b) = brin {
        q = q.filter(dsl::brin.eq(b));
    }
    if let Some(s) = since {
        q = q.filter(dsl::at.ge(s));
    }
    Ok(q.order((dsl::at.desc(), dsl::id.desc())).limit(limit).load(conn)?)
}
