//! `POST /upload/opslaan`: store a checked file through the upload pipeline (all or nothing) and
//! show what happened. A preview is taken out when used, so a second click (or a reload) finds
//! nothing and says so instead of storing twice.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use bpv_store::UploadBron;
use bpv_store::repo::upload_previews;
use bpv_web::InvalidParam;
use bpv_web::problem::internal_error;
use minijinja::Value;
use serde::{Deserialize, Serialize};

use super::session::{self, Lookup};
use super::views::{self, Gebruiker, Page};
use super::{connect, preview_ttl, store_error};
use crate::api::blocking;
use crate::state::AppState;
use crate::upload::{self, BatchAntwoord, Modus, UitnodigingStatus, UploadError, Uploader};

/// Errors or uninvited records listed on the result page; the rest is counted.
const MAX_LISTED: usize = 100;

/// The confirm form of the check page.
#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    voorbeeld: String,
    #[serde(default)]
    csrf: String,
}

/// What the result page shows.
#[derive(Debug, Default, Serialize)]
struct Outcome {
    bestand: String,
    batch: String,
    /// Why nothing was stored.
    geweigerd: Option<String>,
    fouten: Vec<Error>,
    fouten_niet_getoond: usize,
    ontvangen: usize,
    aangemaakt: usize,
    bijgewerkt: usize,
    ongewijzigd: usize,
    afgewezen: usize,
    niet_uitgenodigd: Vec<NotInvited>,
    niet_uitgenodigd_niet_getoond: usize,
}

#[derive(Debug, Serialize)]
struct Error {
    veld: String,
    melding: String,
}

#[derive(Debug, Serialize)]
struct NotInvited {
    regel: usize,
    correlatie_id: String,
    reden: String,
}

impl Outcome {
    fn stored(bestand: String, a: &BatchAntwoord) -> Self {
        let mut niet: Vec<NotInvited> = a
            .resultaten
            .iter()
            .filter_map(|r| {
                let u = r.uitnodiging.as_ref().filter(|u| u.status == UitnodigingStatus::WordtNietUitgenodigd)?;
                Some(NotInvited {
                    regel: r.regel.unwrap_or_default(),
                    correlatie_id: r.correlatie_id.clone().unwrap_or_default(),
                    reden: u.reden.clone().unwrap_or_default(),
                })
            })
            .collect();
        let niet_getoond = niet.len().saturating_sub(MAX_LISTED);
        niet.truncate(MAX_LISTED);
        Outcome {
            bestand,
            batch: a.id.clone(),
            ontvangen: a.ontvangen,
            aangemaakt: a.aangemaakt,
            bijgewerkt: a.bijgewerkt,
            ongewijzigd: a.ongewijzigd,
            afgewezen: a.afgewezen,
            niet_uitgenodigd: niet,
            niet_uitgenodigd_niet_getoond: niet_getoond,
            ..Outcome::default()
        }
    }

    fn refused(bestand: String, batch: String, reden: String, params: &[InvalidParam]) -> Self {
        let fouten: Vec<Error> = params.iter().take(MAX_LISTED).map(error).collect();
        Outcome {
            bestand,
            batch,
            geweigerd: Some(reden),
            fouten_niet_getoond: params.len() - fouten.len(),
            fouten,
            ..Outcome::default()
        }
    }
}

/// A pipeline error (`regel 3: creboCode`) as the page lists it: `Regel 3, Crebo_code`.
fn error(p: &InvalidParam) -> Error {
    let (regel, field) = match p.name.split_once(": ") {
        Some((regel, field)) => (Some(regel.replacen("regel", "Regel", 1)), field),
        None => (None, p.name.as_str()),
    };
    let (kolom, melding) = views::veldfout(field, &p.reason);
    let veld = match regel {
        Some(regel) => format!("{regel}, {kolom}"),
        None => kolom,
    };
    Error { veld, melding }
}

/// `POST /upload/opslaan`.
pub async fn store(req: HttpRequest, state: web::Data<AppState>, form: Option<web::Form<ConfirmForm>>) -> HttpResponse {
    let secure = state.secure_cookies;
    if !session::same_origin(&req, secure) {
        return views::form_refused().into_response();
    }
    let Lookup::Valid(session) = session::from_request(&req, &state.keys) else {
        return views::session_ended(StatusCode::UNAUTHORIZED, secure).into_response();
    };
    let Some(form) = form.map(web::Form::into_inner) else { return views::form_refused().into_response() };
    if !session::csrf_matches(&session.csrf, &form.csrf) {
        return views::form_refused().into_response();
    }
    let st = state.clone();
    views::respond(
        blocking(move || {
            let mut conn = connect(&st)?;
            let Some(g) = session::active_gemachtigde(&mut conn, &session).map_err(store_error)? else {
                return Ok(views::session_ended(StatusCode::UNAUTHORIZED, st.secure_cookies));
            };
            let gebruiker = Gebruiker::from(&g);
            let not_before = bpv_store::now_utc() - preview_ttl();
            let Some(preview) =
                upload_previews::take(&mut conn, &form.voorbeeld, &g.id, not_before).map_err(store_error)?
            else {
                return Ok(views::message(
                    StatusCode::CONFLICT,
                    Some(&gebruiker),
                    "Al verwerkt of verlopen",
                    "Deze upload is al verwerkt of verlopen. Op de uploadpagina staan de laatste uploads van uw \
                     instelling; upload het bestand zo nodig opnieuw.",
                    &[],
                ));
            };
            // The file was checked when kept; reading it again gives the same records.
            let incoming = upload::read_upload(&preview.inhoud, st.limits.max_batch_records)?.incoming;
            let uploader = Uploader {
                brin: g.brin.clone(),
                actor_kind: "gemachtigde",
                actor_id: g.id.clone(),
                bron: UploadBron::Uploadmodule,
            };
            let batch = upload::Batch::new(Modus::AllesOfNiets);
            let result = st.process(&mut conn, &uploader, incoming, &batch);
            let bestand = preview.bestandsnaam;
            let (status, outcome) = match result {
                Ok(a) => (StatusCode::OK, Outcome::stored(bestand, &a)),
                // Errors the line check cannot see (the same correlatie-id twice): nothing stored.
                Err(UploadError::Refused(a)) => {
                    let params: Vec<InvalidParam> = a.resultaten.iter().flat_map(|r| r.fouten.clone()).collect();
                    let zijn = if a.afgewezen == 1 { "is" } else { "zijn" };
                    let reden = format!(
                        "{} van de {} regels {zijn} afgewezen; er is niets opgeslagen.",
                        a.afgewezen, a.ontvangen
                    );
                    (StatusCode::UNPROCESSABLE_ENTITY, Outcome::refused(bestand, a.id.clone(), reden, &params))
                }
                // The participation gate, or aanbieders of another instelling.
                Err(UploadError::Problem(p)) => {
                    let reden = views::zin(p.detail.as_deref().unwrap_or(&p.title));
                    (p.status_code(), Outcome::refused(bestand, String::new(), reden, &p.invalid_params))
                }
                Err(UploadError::Store(e)) => return Err(internal_error(&e)),
            };
            Ok(Page::render("resultaat.html", status, Some(&gebruiker), Value::from_serialize(&outcome)))
        })
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(name: &str, reason: &str) -> InvalidParam {
        InvalidParam { name: name.into(), code: "x".into(), reason: reason.into(), reason_en: String::new() }
    }

    #[test]
    fn pipeline_errors_name_line_and_column() {
        let e = error(&param("regel 3: creboCode", "Crebo-code moet 5 cijfers zijn (kolom Crebo_code)"));
        assert_eq!((e.veld.as_str(), e.melding.as_str()), ("Regel 3, Crebo_code", "Crebo-code moet 5 cijfers zijn"));
        let e = error(&param("regel 4: school.aanbiedercode", "aanbieder 999A999 hoort niet bij instelling 25LX"));
        assert_eq!(e.veld, "Regel 4, Aanbiedercode");
        assert_eq!(error(&param("records", "leeg")).veld, "records");
    }

    #[test]
    fn refusal_lists_at_most_a_hundred_errors() {
        let params: Vec<InvalidParam> = (0..150).map(|i| param(&format!("regel {i}: creboCode"), "fout")).collect();
        let o = Outcome::refused("f.csv".into(), "b1".into(), "geweigerd".into(), &params);
        assert_eq!((o.fouten.len(), o.fouten_niet_getoond), (100, 50));
        let page = Page::render("resultaat.html", StatusCode::UNPROCESSABLE_ENTITY, None, Value::from_serialize(&o));
        assert!(page.html().contains("En nog 50 fouten"));
    }
}
