//! What every web service does the same way: open its database at start, answer `/health`
//! (the process is up) and `/ready` (the database answers and is fully migrated), and run
//! blocking database work off the async threads with one answer for a busy pool (503) and for a
//! failed job (500, incident id only).

use actix_web::{HttpResponse, web};
use bpv_store::{DbConnection, DbPool, StoreResult};
use diesel::connection::SimpleConnection;
use secrecy::ExposeSecret;
use serde::Serialize;

use crate::{Problem, Settings, problem};

/// Transparent huge pages off for this whole process (Linux; elsewhere nothing). For a service
/// whose memory comes and goes per request, as the upload's does (a batch of 5,000 records is
/// some megabytes of body, records and answer): mimalloc asks for huge pages, and every fresh
/// 2 MiB region a batch touched was zeroed whole. Page faults were a fifth of the upload
/// service's CPU time in `perf`, most of them that zeroing (`clear_page_erms` under
/// `do_huge_pmd_anonymous_page`, 14.5 %). Not for the results service,
/// whose large index is read at random and may well gain from them. Call it first in `main`: it
/// holds for memory mapped before the call too.
pub fn without_transparent_huge_pages() -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    rustix::thread::disable_transparent_huge_pages(true)?;
    Ok(())
}

/// Open the configured database (`database.*`), migrating first when `database.migrate_on_start`.
pub fn open_database(settings: &Settings) -> StoreResult<DbPool> {
    let db = &settings.database;
    bpv_store::open(db.url.expose_secret(), db.pool_size, db.migrate_on_start).map(|(_, pool)| pool)
}

/// The API clients revoked lately, re-read every `auth.revocation_refresh_seconds` so a revoked
/// client stops within that time, not at its token's expiry. Must run inside a Tokio runtime.
pub fn revoked_clients(settings: &Settings, pool: &DbPool) -> crate::auth::Revoked {
    let revoked = crate::auth::Revoked::default();
    tokio::spawn(revoked.clone().keep_fresh(
        std::time::Duration::from_secs(settings.auth.revocation_refresh_seconds),
        bpv_store::repo::api_clients::revoked_loader(pool.clone(), settings.auth.token_ttl_seconds),
    ));
    revoked
}

/// Run blocking database work on actix's blocking pool; a failed job is a 500.
pub async fn blocking<T, F>(f: F) -> Result<T, Problem>
where
    F: FnOnce() -> Result<T, Problem> + Send + 'static,
    T: Send + 'static,
{
    // The request's span (its id) goes along, so what the job logs names the request.
    let span = tracing::Span::current();
    web::block(move || span.in_scope(f)).await.map_err(|e| problem::internal_error(&e))?
}

/// A connection from `pool`; a pool with none free in time is a 503 (try again), never a 500.
pub fn connection(pool: &DbPool) -> Result<bpv_store::PooledDb, Problem> {
    pool.get().map_err(|e| problem::no_connection(&e))
}

// The answer of `/health` and `/ready` (no doc comment: it would change the reviewed OpenAPI).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Status {
    /// `ok`
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/health", operation_id = "health", summary = "Het proces draait", description = "Het proces draait.", tag = "beheer", responses((status = 200, body = Status)))]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(Status { status: "ok" })
}

/// The database is reachable and fully migrated.
#[utoipa::path(get, path = "/ready", operation_id = "ready", summary = "De dienst is klaar", description = "De database antwoordt en is bijgewerkt (en bij de resultaten-API: de resultaten zijn geladen).", tag = "beheer",
    responses((status = 200, body = Status), (status = 503, body = crate::Problem, content_type = "application/problem+json")))]
pub async fn ready(pool: web::Data<DbPool>) -> Result<HttpResponse, Problem> {
    database_ready(pool.get_ref().clone()).await?;
    Ok(HttpResponse::Ok().json(Status { status: "ok" }))
}

/// Whether the database answers and has no pending migrations (a 503 naming neither the server
/// nor the migrations: those go to the log with the incident id).
pub async fn database_ready(pool: DbPool) -> Result<(), Problem> {
    blocking(move || check_database(&mut *connection(&pool)?)).await
}

fn check_database(conn: &mut DbConnection) -> Result<(), Problem> {
    conn.batch_execute("SELECT 1").map_err(|e| problem::unavailable_logged("database antwoordt niet", &e))?;
    let pending =
        bpv_store::pending_migrations(conn).map_err(|e| problem::unavailable_logged("migratiestatus onbekend", &e))?;
    if !pending.is_empty() {
        return Err(problem::unavailable_logged(
            "database nog niet bijgewerkt",
            &format!("migraties nog niet toegepast: {}", pending.join(", ")),
        ));
    }
    Ok(())
}
