//! API clients (OAuth2 client credentials). Only an argon2 hash of the secret is stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::StoreResult;
use crate::models::ApiClientRow;
use crate::schema::api_clients::dsl;

/// Register a client.
pub fn insert(conn: &mut DbConnection, row: &ApiClientRow) -> StoreResult<()> {
    diesel::insert_into(dsl::api_clients).values(row).execute(conn)?;
    Ok(())
}

/// A client that has not been revoked.
pub fn find_active(conn: &mut DbConnection, client_id: &str) -> StoreResult<Option<ApiClientRow>> {
    Ok(dsl::api_clients
        .find(client_id)
        .filter(dsl::revoked_at.is_null())
        .select(ApiClientRow::as_select())
        .first(conn)
        .optional()?)
}

/// All clients, optionally of one instelling.
pub fn list(conn: &mut DbConnection, brin: Option<&str>) -> StoreResult<Vec<ApiClientRow>> {
    let mut q = dsl::api_clients.select(ApiClientRow::as_select()).order(dsl::created_at).into_boxed();
    if let Some(b) = brin {
        q = q.filter(dsl::brin.eq(b));
    }
    Ok(q.load(conn)?)
}

/// Clients revoked since `since` (tokens older than that have expired anyway).
pub fn revoked_since(conn: &mut DbConnection, since: NaiveDateTime) -> StoreResult<std::collections::HashSet<String>> {
    Ok(dsl::api_clients
        .filter(dsl::revoked_at.gt(since))
        .select(dsl::client_id)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

/// A loader for `bpv_web::auth::Revoked::keep_fresh`: the clients revoked within the last
/// `token_ttl_seconds` (older revocations have no unexpired token left).
pub fn revoked_loader(
    pool: crate::DbPool,
    token_ttl_seconds: u64,
) -> impl Fn() -> Result<std::collections::HashSet<String>, String> + Send + Sync + 'static {
    move || {
        let since = crate::now_utc() - chrono::TimeDelta::seconds(i64::try_from(token_ttl_seconds).unwrap_or(86_400));
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        revoked_since(&mut conn, since).map_err(|e| e.to_string())
    }
}

/// Revoke a client; returns whether it was active.
pub fn revoke(conn: &mut DbConnection, client_id: &str, now: NaiveDateTime) -> StoreResult<bool> {
    let n = diesel::update(dsl::api_clients.find(client_id).filter(dsl::revoked_at.is_null()))
        .set(dsl::revoked_at.eq(Some(now)))
        .execute(conn)?;
    Ok(n > 0)
}
