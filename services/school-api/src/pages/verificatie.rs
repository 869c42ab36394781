//! `GET /verificatie/{code}`: anyone (an employer, a school, the learner) may check a
//! praktijkverklaring by the code printed on it, without logging in. The page says whether it is
//! `geldig` or `ingetrokken`, with the qualification, the mastered werkprocessen and the date —
//! and of the learner only the initials. Codes are 80 random bits; the route is rate limited per
//! client, so trying codes gets nowhere. `Accept: application/json` gets the same as JSON.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use bpv_store::repo::praktijkloket;
use minijinja::context;
use serde::Serialize;

use super::views::Page;
use crate::state::AppState;

/// What the check shows.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verificatie {
    pub nummer: String,
    /// `geldig` or `ingetrokken`.
    pub status: String,
    /// Whether it counts (`status` is `geldig`).
    pub geldig: bool,
    pub ingetrokken_op: Option<chrono::NaiveDate>,
    pub initialen: String,
    pub crebo: String,
    pub kwalificatie: String,
    pub afgegeven_op: chrono::NaiveDate,
    pub werkprocessen: Vec<WerkprocesNaam>,
}

/// A werkproces with its name.
#[derive(Debug, Serialize)]
pub struct WerkprocesNaam {
    pub code: String,
    pub naam: String,
}

/// A code as printed: four groups of four of Crockford's base32, case and spaces ignored.
fn normalise(code: &str) -> Option<String> {
    let plain: String = code.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_uppercase();
    let ok = plain.len() == 16
        && plain.bytes().all(|b| b.is_ascii_digit() || (b.is_ascii_uppercase() && !b"ILOU".contains(&b)));
    ok.then(|| {
        plain.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
    })
}

fn lookup(state: &AppState, code: &str) -> Result<Option<Verificatie>, bpv_web::Problem> {
    let Some(code) = normalise(code) else { return Ok(None) };
    let mut conn = state.conn()?;
    let store = |e: bpv_store::StoreError| bpv_web::problem::internal_error(&e);
    let Some(v) = praktijkloket::find_by_code(&mut conn, &code).map_err(store)? else { return Ok(None) };
    let praktijkloket::Beschrijving { kwalificatie, werkprocessen } =
        praktijkloket::beschrijving(&mut conn, &v).map_err(store)?;
    let werkprocessen = werkprocessen.into_iter().map(|(_, code, naam)| WerkprocesNaam { code, naam }).collect();
    let geldig = v.status == praktijkleren::VerklaringStatus::Geldig.as_str();
    Ok(Some(Verificatie {
        nummer: v.nummer,
        status: v.status,
        geldig,
        ingetrokken_op: v.ingetrokken_op,
        initialen: praktijkleren::initialen(&v.leerling_naam),
        crebo: v.crebo,
        kwalificatie,
        afgegeven_op: v.afgegeven_op,
        werkprocessen,
    }))
}

/// `GET /verificatie/{code}`.
pub async fn show(req: HttpRequest, state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json") && !v.contains("text/html"));
    let st = state.clone();
    let found = bpv_web::service::blocking(move || lookup(&st, &path)).await;
    match (found, wants_json) {
        (Err(p), true) => p.to_response(),
        (Err(p), false) => super::views::respond(Err(p)),
        (Ok(Some(v)), true) => HttpResponse::Ok().json(v),
        (Ok(None), true) => bpv_web::Problem::not_found("geen praktijkverklaring met deze code").to_response(),
        (Ok(found), false) => {
            let status = if found.is_some() { StatusCode::OK } else { StatusCode::NOT_FOUND };
            let titel = if found.is_some() { "Praktijkverklaring gevonden" } else { "Onbekende code" };
            Page::render("verificatie.html", status, None, context! { titel => titel, verklaring => found })
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn codes_are_read_as_printed() {
        assert_eq!(normalise("k7q2-m9xd-4hpa-w3ne").as_deref(), Some("K7Q2-M9XD-4HPA-W3NE"));
        assert_eq!(normalise(" K7Q2 M9XD 4HPA W3NE ").as_deref(), Some("K7Q2-M9XD-4HPA-W3NE"));
        for bad in ["", "K7Q2-M9XD-4HPA", "K7Q2-M9XD-4HPA-W3NI", "../../etc/passwd", "K7Q2-M9XD-4HPA-W3NE-0000"] {
            assert_eq!(normalise(bad), None, "{bad}");
        }
    }
}
