//! Logging in and out. An unknown address and a wrong password get the same answer after the same
//! work (a password check against a stand-in hash), so the form does not reveal which addresses
//! have an account. Every attempt is audited.

use std::sync::LazyLock;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use bpv_store::repo::audit::{self, Actor};
use bpv_store::repo::gemachtigden;
use bpv_web::credentials::{hash_secret, verify_secret};
use bpv_web::problem::internal_error;
use serde::Deserialize;

use super::views::{self, Page};
use super::{connect, session, store_error};
use crate::api::blocking;
use crate::state::AppState;

/// The login form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    wachtwoord: String,
}

const ONJUIST: &str = "E-mailadres of wachtwoord onjuist";

/// Checked when the address is unknown, so that answer takes as long as a wrong password.
static STAND_IN_HASH: LazyLock<String> =
    LazyLock::new(|| hash_secret("stand-in for addresses without an account").unwrap_or_default());

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
            let email = email.trim().to_owned();
            let found = if email.is_empty() || email.len() > 254 {
                None
            } else {
                gemachtigden::find_active_by_email(&mut conn, &email).map_err(store_error)?
            };
            let ok = match &found {
                Some(g) => verify_secret(&wachtwoord, &g.password_hash),
                None => {
                    let _ = verify_secret(&wachtwoord, &STAND_IN_HASH);
                    false
                }
            };
            let now = bpv_store::now_utc();
            let detail = |reden: Option<&str>| match reden {
                Some(reden) => serde_json::json!({ "bron": "uploadmodule", "reden": reden }),
                None => serde_json::json!({ "bron": "uploadmodule" }),
            };
            match found {
                Some(g) if ok => {
                    let actor = Actor { kind: "gemachtigde", id: &g.id };
                    audit::append(&mut conn, now, actor, Some(&g.brin), "login", &detail(None), None)
                        .map_err(store_error)?;
                    let token =
                        session::issue(&st.keys, &g, now.and_utc().timestamp()).map_err(|e| internal_error(&e))?;
                    Ok(Page::see_other("/upload").with_cookie(session::set_cookie(&token, st.secure_cookies)))
                }
                other => {
                    // The address typed for an unknown account is not kept: it may well be a
                    // password typed in the wrong field.
                    let (id, brin, reden) = match &other {
                        Some(g) => (g.id.as_str(), Some(g.brin.as_str()), "wachtwoord-onjuist"),
                        None => ("onbekend", None, "onbekend-account"),
                    };
                    let actor = Actor { kind: "gemachtigde", id };
                    audit::append(&mut conn, now, actor, brin, "login.mislukt", &detail(Some(reden)), None)
                        .map_err(store_error)?;
                    Ok(views::login(StatusCode::UNAUTHORIZED, &email, Some(ONJUIST), None))
                }
            }
        })
        .await,
    )
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
            session::end(&mut conn, &s).map_err(store_error)
        })
        .await;
        if let Err(p) = ended {
            return p.to_response();
        }
    }
    Page::see_other("/upload").with_cookie(session::clear_cookie(state.secure_cookies)).into_response()
}
