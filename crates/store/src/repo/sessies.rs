//! Sessions ended before their token expired. A session token (upload page, dashboard) is a
//! signed cookie; logging out clears the cookie *and* records the token's `jti` here, so a copy of
//! the cookie (another tab, a shared computer, a stolen value) stops working at once. Rows are
//! only needed until the token would have expired anyway.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::StoreResult;
use crate::schema::beeindigde_sessies::dsl;

/// Record that the session with token id `jti` (valid until `verloopt_op`) has ended. Ending it
/// twice is harmless.
pub fn end(conn: &mut DbConnection, jti: &str, verloopt_op: NaiveDateTime) -> StoreResult<()> {
    if jti.is_empty() {
        return Ok(());
    }
    match diesel::insert_into(dsl::beeindigde_sessies)
        .values((dsl::jti.eq(jti), dsl::verloopt_op.eq(verloopt_op)))
        .execute(conn)
    {
        Ok(_) | Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// Whether the session with token id `jti` was ended (an empty id counts as ended: every token
/// we issue has one).
pub fn is_ended(conn: &mut DbConnection, jti: &str) -> StoreResult<bool> {
    if jti.is_empty() {
        return Ok(true);
    }
    let n: i64 = dsl::beeindigde_sessies.filter(dsl::jti.eq(jti)).count().get_result(conn)?;
    Ok(n > 0)
}

/// Forget ended sessions whose token has expired by `now`; returns how many.
pub fn purge_expired(conn: &mut DbConnection, now: NaiveDateTime) -> StoreResult<usize> {
    Ok(diesel::delete(dsl::beeindigde_sessies.filter(dsl::verloopt_op.lt(now))).execute(conn)?)
}
