//! Stored answers of requests made under an `Idempotency-Key` (the Praktijkloket's POSTs): per
//! API client and key, the request's hash and the answer. Written in the transaction of the
//! effect, so an answer is stored exactly when its effect is; kept [`BEWAARUREN`] hours.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::StoreResult;
use crate::schema::idempotente_antwoorden;

/// How long a key is honoured (and its answer, which may name the learner, kept).
pub const BEWAARUREN: i64 = 24;

/// A stored answer.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotente_antwoorden)]
pub struct AntwoordRow {
    pub client_id: String,
    pub sleutel: String,
    pub verzoek_hash: String,
    pub status: i32,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// The answer stored under this client's key, if it is still honoured at `now`.
pub fn find(
    conn: &mut DbConnection,
    client_id: &str,
    sleutel: &str,
    now: NaiveDateTime,
) -> StoreResult<Option<AntwoordRow>> {
    Ok(idempotente_antwoorden::table
        .find((client_id, sleutel))
        .filter(idempotente_antwoorden::created_at.gt(now - chrono::Duration::hours(BEWAARUREN)))
        .select(AntwoordRow::as_select())
        .first(conn)
        .optional()?)
}

/// Store an answer (replacing an expired one under the same key).
pub fn store(conn: &mut DbConnection, row: &AntwoordRow) -> StoreResult<()> {
    diesel::delete(idempotente_antwoorden::table.find((&row.client_id, &row.sleutel))).execute(conn)?;
    diesel::insert_into(idempotente_antwoorden::table).values(row).execute(conn)?;
    Ok(())
}

/// Remove the answers older than [`BEWAARUREN`]; returns how many.
pub fn purge(conn: &mut DbConnection, now: NaiveDateTime) -> StoreResult<usize> {
    Ok(diesel::delete(
        idempotente_antwoorden::table
            .filter(idempotente_antwoorden::created_at.le(now - chrono::Duration::hours(BEWAARUREN))),
    )
    .execute(conn)?)
}
