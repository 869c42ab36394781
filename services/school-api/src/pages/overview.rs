//! `GET /upload`: the login form, or for a logged-in gemachtigde the upload form, what the file
//! should look like, and the instelling's latest uploads.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use bpv_store::models::UploadBatchRow;
use bpv_store::repo::{instellingen, upload_batches};
use bpv_store::{BatchStatus, UploadBron};
use minijinja::context;
use serde::Serialize;

use super::session::{self, Lookup};
use super::views::{self, Gebruiker, Page};
use super::{connect, store_error};
use crate::api::blocking;
use crate::state::AppState;
use crate::upload;

/// How many recent uploads the page lists.
const RECENT: i64 = 5;

/// One recent upload as the page lists it.
#[derive(Debug, Serialize)]
struct RecentUpload {
    ontvangen_op: String,
    bron: &'static str,
    ontvangen: i64,
    resultaat: String,
}

impl From<&UploadBatchRow> for RecentUpload {
    fn from(b: &UploadBatchRow) -> Self {
        let resultaat = if b.status == BatchStatus::Bezig {
            "wordt verwerkt".to_owned()
        } else if b.modus == upload::Modus::AllesOfNiets.as_str() && b.afgewezen > 0 {
            format!("geweigerd: {} met fouten, niets opgeslagen", regels(b.afgewezen))
        } else {
            let mut s = format!("{} nieuw, {} bijgewerkt, {} ongewijzigd", b.aangemaakt, b.bijgewerkt, b.ongewijzigd);
            if b.afgewezen > 0 {
                s.push_str(&format!(", {} afgewezen", b.afgewezen));
            }
            s
        };
        Self {
            ontvangen_op: views::tijdstip(b.created_at),
            bron: if b.bron == UploadBron::Uploadmodule { "uploadpagina" } else { "API" },
            ontvangen: b.ontvangen,
            resultaat,
        }
    }
}

fn regels(n: i64) -> String {
    if n == 1 { "1 regel".to_owned() } else { format!("{n} regels") }
}

/// `GET /upload`.
pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let session = match session::from_request(&req, &state.keys) {
        Lookup::Absent => return views::login(StatusCode::OK, "", None, None).into_response(),
        Lookup::Invalid => return views::session_ended(StatusCode::OK, state.secure_cookies).into_response(),
        Lookup::Valid(s) => s,
    };
    let st = state.clone();
    views::respond(
        blocking(move || {
            let mut conn = connect(&st)?;
            let Some(g) = session::active_gemachtigde(&mut conn, &session).map_err(store_error)? else {
                return Ok(views::session_ended(StatusCode::OK, st.secure_cookies));
            };
            let instelling = instellingen::get(&mut conn, &g.brin).map_err(store_error)?;
            let geblokkeerd =
                upload::check_participation(&instelling).err().and_then(|p| p.detail).map(|d| views::zin(&d));
            let batches = upload_batches::list(&mut conn, &g.brin, RECENT).map_err(store_error)?;
            let ctx = context! {
                instelling => context! { naam => instelling.naam, brin => instelling.brin },
                geblokkeerd,
                csrf => session.csrf,
                batches => batches.iter().map(RecentUpload::from).collect::<Vec<_>>(),
                max_regels => views::getal(st.limits.max_batch_records),
                max_mb => st.limits.max_batch_bytes / (1024 * 1024),
            };
            Ok(Page::render("overzicht.html", StatusCode::OK, Some(&Gebruiker::from(&g)), ctx))
        })
        .await,
    )
}
