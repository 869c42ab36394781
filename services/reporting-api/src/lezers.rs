//! The gemachtigde's page for lezers, `/dashboard/lezers`: who reads the instelling's results,
//! adding one (optionally limited to some aanbieders or locaties; the generated password is shown
//! once, to be passed on) and removing one (their session ends at once, as the dashboard re-reads
//! the account on every request). Only a gemachtigde of the instelling may: SBB manages lezers with
//! `bpv admin lezer`, and a lezer cannot add readers. Every change is audited with the gemachtigde
//! as actor. Forms carry the session's anti-CSRF value and must come from this site.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use bpv_store::models::LezerRow;
use bpv_store::repo::{aanbieders, audit, lezers};
use bpv_store::{DbConnection, StoreError};
use bpv_web::Problem;
use bpvo::{Email, Naam};
use serde::Serialize;

use crate::dashboard::{Session, sessie_pagina};
use crate::report::Kijker;
use crate::state::AppState;
use crate::views::page;

/// The largest form body read (an address, a name and up to a hundred codes fit easily).
pub const MAX_FORM: usize = 16 * 1024;

/// Longest value of a form field read (an address, a name, a code); longer is not ours.
const MAX_VELD: usize = 254;

/// A lezer as listed.
#[derive(Debug, Serialize)]
struct LezerRegel {
    email: String,
    naam: String,
    leest: String,
    actief: bool,
    sinds: String,
}

/// An aanbieder of the instelling with its locaties, to limit a new lezer to.
#[derive(Debug, Serialize)]
struct AanbiederKeuze {
    code: String,
    naam: String,
    locaties: Vec<(String, String)>,
}

/// What the add form held, shown again after an error.
#[derive(Debug, Default, Serialize)]
struct Ingevuld {
    email: String,
    naam: String,
    aanbieders: Vec<String>,
    locaties: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Fout {
    veld: String,
    melding: String,
}

/// What happened on this request, for the page.
#[derive(Debug, Default, Serialize)]
struct Uitkomst {
    /// A new lezer: address and the password to pass on (shown once).
    toegevoegd: Option<(String, String)>,
    verwijderd: Option<String>,
    fouten: Vec<Fout>,
    ingevuld: Ingevuld,
}

fn store_err(e: StoreError) -> Problem {
    bpv_web::problem::internal_error(&e)
}

/// The page's routes: `/dashboard/lezers` and `/dashboard/lezers/verwijderen`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/dashboard/lezers")
            .app_data(web::PayloadConfig::new(MAX_FORM))
            .route(web::get().to(show))
            .route(web::post().to(post)),
    )
    .service(
        web::resource("/dashboard/lezers/verwijderen")
            .app_data(web::PayloadConfig::new(MAX_FORM))
            .route(web::get().to(terug))
            .route(web::post().to(post)),
    );
}

/// `GET /dashboard/lezers`.
pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    handle(req, state, None).await
}

/// `GET /dashboard/lezers/verwijderen` (a reload after removing): back to the page.
pub async fn terug() -> HttpResponse {
    HttpResponse::SeeOther().insert_header((actix_web::http::header::LOCATION, "/dashboard/lezers")).finish()
}

/// `POST /dashboard/lezers` (add) and `POST /dashboard/lezers/verwijderen`.
pub async fn post(req: HttpRequest, state: web::Data<AppState>, body: web::Bytes) -> HttpResponse {
    if !bpv_web::cookies::same_origin(&req, state.secure_cookies) {
        return page(StatusCode::FORBIDDEN).body("Dit formulier kwam niet van deze site.");
    }
    let velden: Vec<(String, String)> = match serde_urlencoded::from_bytes(&body) {
        Ok(v) => v,
        Err(_) => return Problem::invalid_input("het formulier is onleesbaar", Vec::new()).to_response(),
    };
    handle(req, state, Some(velden)).await
}

/// The page for the logged-in gemachtigde, after doing what the form (if any) asked.
async fn handle(req: HttpRequest, state: web::Data<AppState>, form: Option<Vec<(String, String)>>) -> HttpResponse {
    let verwijderen = req.path().ends_with("/verwijderen");
    let views = state.clone();
    sessie_pagina(
        &req,
        &state,
        move |st, s, kijker, naam| {
            let Kijker::School { brin } = kijker else {
                return Err(Problem::forbidden(
                    "alleen een gemachtigde van de instelling beheert haar lezers (SBB: bpv admin lezer)",
                ));
            };
            let mut conn = st.conn()?;
            let uitkomst = match form {
                None => Uitkomst::default(),
                Some(velden) => {
                    if !bpv_web::cookies::csrf_matches(&s.csrf, veld(&velden, "csrf")) {
                        return Err(Problem::forbidden("het formulier is verlopen; laad de pagina opnieuw"));
                    }
                    if verwijderen {
                        verwijder(&mut conn, s, brin, veld(&velden, "email"))?
                    } else {
                        voeg_toe(&mut conn, s, brin, &velden)?
                    }
                }
            };
            let status = if uitkomst.fouten.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
            let lijst: Vec<LezerRegel> = lezers::list(&mut conn, brin).map_err(store_err)?.iter().map(regel).collect();
            let keuzes = keuzes(&mut conn, brin)?;
            let ctx = minijinja::context! {
                naam => naam, rol => "gemachtigde", brin => brin, csrf => s.csrf, lezers => lijst,
                keuzes => keuzes, u => uitkomst, k => st.data.k(),
            };
            Ok((status, ctx))
        },
        move |(status, ctx)| views.views.render(status, "lezers.html", ctx),
    )
    .await
}

/// The first value of `name` in the form, bounded ("" when absent).
fn veld<'a>(velden: &'a [(String, String)], name: &str) -> &'a str {
    velden.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

/// Every non-empty value of `name` in the form.
fn alle(velden: &[(String, String)], name: &str) -> Vec<String> {
    velden.iter().filter(|(k, v)| k == name && !v.trim().is_empty()).map(|(_, v)| v.trim().to_owned()).collect()
}

fn voeg_toe(
    conn: &mut DbConnection,
    s: &Session,
    brin: &str,
    velden: &[(String, String)],
) -> Result<Uitkomst, Problem> {
    let ingevuld = Ingevuld {
        email: veld(velden, "email").trim().chars().take(MAX_VELD).collect(),
        naam: veld(velden, "naam").trim().chars().take(MAX_VELD).collect(),
        aanbieders: alle(velden, "aanbieder"),
        locaties: alle(velden, "locatie"),
    };
    let mut fouten = Vec::new();
    let fout = |veld: &str, melding: String| Fout { veld: veld.into(), melding };
    let email = Email::parse(&ingevuld.email).map_err(|e| fout("email", e.nl)).map_err(|f| fouten.push(f)).ok();
    let naam = Naam::parse(&ingevuld.naam).map_err(|e| fout("naam", e.nl)).map_err(|f| fouten.push(f)).ok();
    let (Some(email), Some(naam)) = (email, naam) else {
        return Ok(Uitkomst { fouten, ingevuld, ..Uitkomst::default() });
    };
    let password = bpv_web::credentials::generate_secret();
    let hash = bpv_web::credentials::hash_secret(&password).map_err(|e| bpv_web::problem::internal_error(&e))?;
    let new = lezers::NewLezer {
        brin,
        email: email.as_str(),
        naam: naam.as_str(),
        password_hash: &hash,
        aanbieders: &ingevuld.aanbieders,
        locaties: &ingevuld.locaties,
    };
    let added = bpv_store::write_transaction(conn, |conn| -> Result<_, StoreError> {
        let added = lezers::add(conn, &new, bpv_store::now_utc())?;
        if let Ok(row) = &added {
            let actor = audit::Actor { kind: "gemachtigde", id: &s.account_id };
            let detail = serde_json::json!({
                "lezerId": row.id, "aanbieders": row.aanbieders, "locaties": row.locaties, "bron": "dashboard",
            });
            audit::append(conn, bpv_store::now_utc(), actor, Some(brin), "lezer.add", &detail, None)?;
        }
        Ok(added)
    })
    .map_err(store_err)?;
    Ok(match added {
        Ok(row) => Uitkomst { toegevoegd: Some((row.email, password)), ..Uitkomst::default() },
        Err(bezwaren) => Uitkomst {
            fouten: bezwaren.into_iter().map(|b| fout(b.veld, b.melding)).collect(),
            ingevuld,
            ..Uitkomst::default()
        },
    })
}

fn verwijder(conn: &mut DbConnection, s: &Session, brin: &str, email: &str) -> Result<Uitkomst, Problem> {
    let email: String = email.trim().chars().take(MAX_VELD).collect();
    let removed = bpv_store::write_transaction(conn, |conn| -> Result<_, StoreError> {
        let removed = lezers::remove(conn, brin, &email, bpv_store::now_utc())?;
        if let Some(id) = &removed {
            let actor = audit::Actor { kind: "gemachtigde", id: &s.account_id };
            let detail = serde_json::json!({ "lezerId": id, "bron": "dashboard" });
            audit::append(conn, bpv_store::now_utc(), actor, Some(brin), "lezer.remove", &detail, None)?;
        }
        Ok(removed)
    })
    .map_err(store_err)?;
    Ok(match removed {
        Some(_) => Uitkomst { verwijderd: Some(email), ..Uitkomst::default() },
        None => Uitkomst {
            fouten: vec![Fout { veld: "email".into(), melding: format!("{email} is geen actieve lezer van {brin}") }],
            ..Uitkomst::default()
        },
    })
}

fn regel(l: &LezerRow) -> LezerRegel {
    LezerRegel {
        email: l.email.clone(),
        naam: l.naam.clone(),
        leest: l.leest(),
        actief: l.actief,
        sinds: l.created_at.format("%d-%m-%Y").to_string(),
    }
}

/// The instelling's aanbieders with their locaties (from the register, not the results index, so
/// a new locatie can be chosen at once).
fn keuzes(conn: &mut DbConnection, brin: &str) -> Result<Vec<AanbiederKeuze>, Problem> {
    let eigen = aanbieders::list_for_brin(conn, brin).map_err(store_err)?;
    let codes: Vec<String> = eigen.iter().map(|a| a.aanbiedercode.clone()).collect();
    let locaties = aanbieders::locaties_for(conn, &codes).map_err(store_err)?;
    Ok(eigen
        .into_iter()
        .map(|a| AanbiederKeuze {
            locaties: (locaties.iter())
                .filter(|l| l.aanbiedercode == a.aanbiedercode)
                .map(|l| (l.locatiecode.clone(), l.naam.clone()))
                .collect(),
            code: a.aanbiedercode,
            naam: a.naam,
        })
        .collect())
}
