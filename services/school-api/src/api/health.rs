//! Liveness (`/health`: the process answers) and readiness (`/ready`: the database answers and
//! is migrated).

use actix_web::{HttpResponse, web};
use bpv_web::Problem;
use diesel::connection::SimpleConnection;
use serde::Serialize;

use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Status {
    /// `ok`
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/health", operation_id = "health", tag = "beheer", responses((status = 200, body = Status)))]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(Status { status: "ok" })
}

/// The database is reachable and fully migrated.
#[utoipa::path(get, path = "/ready", operation_id = "ready", tag = "beheer",
    responses((status = 200, body = Status), (status = 503, body = bpv_web::Problem, content_type = "application/problem+json")))]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, Problem> {
    let pool = state.pool.clone();
    super::blocking(move || {
        let mut conn = pool.get().map_err(|e| bpv_web::problem::no_connection(&e))?;
        conn.batch_execute("SELECT 1")
            .map_err(|e| bpv_web::problem::unavailable_logged("database antwoordt niet", &e))?;
        let pending = bpv_store::pending_migrations(&mut conn)
            .map_err(|e| bpv_web::problem::unavailable_logged("migratiestatus onbekend", &e))?;
        if !pending.is_empty() {
            return Err(bpv_web::problem::unavailable_logged(
                "database nog niet bijgewerkt",
                &format!("migraties nog niet toegepast: {}", pending.join(", ")),
            ));
        }
        Ok(super::Reply::json(actix_web::http::StatusCode::OK, &Status { status: "ok" }))
    })
    .await
    .map(super::Reply::into_response)
}
