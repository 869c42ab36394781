//! Logging in and out of the upload page, with the routine the dashboard shares
//! ([`bpv_web::login`]): the same answer for an unknown address and a wrong password, every
//! attempt audited, logging out ends the session on the server.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use bpv_store::repo::gemachtigden;
use bpv_store::{DbConnection, StoreResult};
use bpv_web::auth::AUD_UPLOAD_SESSION;
use bpv_web::login::{Account, LoginForm, ONJUIST, Page, log_in, log_out};

use super::views;
use super::{connect, session, store_error};
use crate::api::blocking;
use crate::state::AppState;

/// `POST /upload/inloggen`.
pub async fn login(req: HttpRequest, state: web::Data<AppState>, form: Option<web::Form<LoginForm>>) -> HttpResponse {
    if !session::same_origin(&req, state.secure_cookies) {
        return views::form_refused().into_response();
    }
    let Some(form) = form else {
        return views::login(StatusCode::BAD_REQUEST, "", Some("Vul uw e-mailadres en wachtwoord in."), None)
            .into_response();
    };
    let LoginForm { email, wachtwoord } = form.into_inner();
    let st = state.clone();
    views::respond(
        blocking(move || {
            let mut conn = connect(&st)?;
            let page = Page { bron: "uploadmodule", aud: AUD_UPLOAD_SESSION, ttl_seconds: session::TTL_SECONDS };
            match log_in(&mut conn, &st.keys, page, &email, &wachtwoord, gemachtigde)? {
                Some(token) => {
                    Ok(views::Page::see_other("/upload").with_cookie(session::set_cookie(&token, st.secure_cookies)))
                }
                None => Ok(views::login(StatusCode::UNAUTHORIZED, email.trim(), Some(ONJUIST), None)),
            }
        })
        .await,
    )
}

/// The active gemachtigde with this address, as an account that may log in.
fn gemachtigde(conn: &mut DbConnection, email: &str) -> StoreResult<Option<Account>> {
    Ok(gemachtigden::find_active_by_email(conn, email)?.map(|g| Account {
        kind: "gemachtigde",
        id: g.id,
        brin: Some(g.brin),
        rol: session::ROL,
        password_hash: g.password_hash,
    }))
}

/// `POST /upload/uitloggen`: ends the session on the server (a copy of the cookie stops working
/// too) and clears the cookie. It needs no CSRF value: SameSite=Strict and the origin check keep
/// other sites out, and a forged logout could do no more than log someone out.
pub async fn logout(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if !session::same_origin(&req, state.secure_cookies) {
        return views::form_refused().into_response();
    }
    if let session::Lookup::Valid(s) = session::from_request(&req, &state.keys) {
        let st = state.clone();
        let ended = blocking(move || {
            let mut conn = connect(&st)?;
            log_out(&mut conn, &s.jti, s.exp).map_err(store_error)
        })
        .await;
        if let Err(p) = ended {
            return p.to_response();
        }
    }
    views::Page::see_other("/upload").with_cookie(session::clear_cookie(state.secure_cookies)).into_response()
}
