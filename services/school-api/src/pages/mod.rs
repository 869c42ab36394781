//! SBB's manual upload module (*handmatige uploadmodule*): server-rendered pages where a
//! gemachtigde logs in, has a CSV file checked line by line without storing it, and then stores it
//! through the same pipeline as the API. Plain HTML forms; no JavaScript needed.

mod confirm;
mod form;
mod login;
mod overview;
mod preview;
mod session;
mod verificatie;
mod views;

use actix_web::http::StatusCode;
use actix_web::middleware::ErrorHandlers;
use actix_web::web;
use bpv_store::{PooledDb, StoreError};
use bpv_web::Problem;
use bpv_web::problem::internal_error;
use bpv_web::ratelimit::{ClientIp, RateLimit};

use crate::state::AppState;

/// Register the upload pages. Login attempts share the token endpoint's rate limit per client IP.
pub fn configure(cfg: &mut web::ServiceConfig, limit: &RateLimit<ClientIp>) {
    cfg.service(web::resource("/upload").route(web::get().to(overview::show)))
        .service(web::resource("/upload/stijl.css").route(web::get().to(views::stylesheet)))
        .service(
            web::resource("/upload/inloggen")
                .wrap(limit.clone())
                .wrap(ErrorHandlers::new().handler(StatusCode::TOO_MANY_REQUESTS, views::too_many_logins))
                .route(web::post().to(login::login))
                .route(web::get().to(views::back_to_upload)),
        )
        .service(
            web::resource("/upload/uitloggen")
                .route(web::post().to(login::logout))
                .route(web::get().to(views::back_to_upload)),
        )
        .service(
            web::resource("/upload/controleren")
                .route(web::post().to(preview::check))
                .route(web::get().to(views::back_to_upload)),
        )
        .service(
            web::resource("/upload/opslaan")
                .route(web::post().to(confirm::store))
                .route(web::get().to(views::back_to_upload)),
        )
        // Public (no login): rate limited per client like the login, so codes cannot be tried.
        .service(web::resource("/verificatie/{code}").wrap(limit.clone()).route(web::get().to(verificatie::show)));
}

/// How long a checked file waits for its confirmation; older ones are gone (they hold personal
/// data that was never stored as bpvo's).
fn preview_ttl() -> chrono::TimeDelta {
    chrono::TimeDelta::hours(1)
}

/// A database connection, or the 500 that says there is none.
fn connect(state: &AppState) -> Result<PooledDb, Problem> {
    state.conn()
}

/// A store failure as a 500 (logged with its incident id).
fn store_error(e: StoreError) -> Problem {
    internal_error(&e)
}
