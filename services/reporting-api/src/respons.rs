//! Response monitoring, as API (`GET /v1/respons`) and as the dashboard's "Respons" tab
//! (`/dashboard/respons`): the figures come from [`crate::report::respons`].

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use bpv_web::Problem;
use bpv_web::auth::ApiPrincipal;

use crate::report::{self, ResponsOverzicht, Vraag};
use crate::state::AppState;

fn overzicht(state: &AppState, kijker: &report::Kijker, vraag: &Vraag) -> Result<ResponsOverzicht, Problem> {
    let selectie = vraag.check(kijker, &state.data.names())?;
    Ok(report::respons::respons(&state.data, &selectie, vraag.groep.is_none()))
}

/// Where invitations go unanswered: each group's response in total and per aanbieder, locatie,
/// leerweg, sector and kwalificatie, the selection beside the national figures.
///
/// The same filters as `/v1/resultaten`; without `groep` both groups are listed. Aanbieder and
/// locatie rows need an instelling (a school's token always has one). Counts below k — answered
/// or invited — are null and shown as `< k` in `tekst`: every row is a union of whole groups of
/// at least k answers, and no row says whether one person answered.
#[utoipa::path(get, path = "/v1/respons", operation_id = "respons", summary = "Waar uitnodigingen onbeantwoord blijven", description = "De respons per groep, in totaal en per aanbieder, locatie, leerweg, sector en kwalificatie, de selectie naast het landelijke cijfer. Dezelfde filters als `/resultaten`.", tag = "resultaten",
    params(crate::report::SelectieParams),
    responses(
        (status = 200, body = ResponsOverzicht),
        (status = 400, body = bpv_web::Problem, content_type = "application/problem+json", description = "Ongeldige selectie; invalidParams noemt elke fout"),
        (status = 401, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 403, body = bpv_web::Problem, content_type = "application/problem+json", description = "Scope ontbreekt of andere instelling"),
    ),
    security(("bearer" = [])))]
pub async fn api(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: ApiPrincipal,
) -> Result<HttpResponse, Problem> {
    let (kijker, vraag) = crate::api::vraag(&req, &principal)?;
    Ok(HttpResponse::Ok().json(overzicht(&state, &kijker, &vraag)?))
}

/// The same as an Excel workbook: a sheet per group with the selection, the period and the
/// publication date on top, the total and each split; counts below k are the band as text.
#[utoipa::path(get, path = "/v1/respons/export.xlsx", operation_id = "responsXlsx", summary = "De respons als Excel-werkmap", description = "Een werkblad per groep met de selectie, de periode en de publicatiedatum bovenaan; aantallen onder k als band in tekst.", tag = "resultaten",
    params(crate::report::SelectieParams),
    responses(
        (status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>, description = "Een blad per groep: het totaal en elke indeling"),
        (status = 400, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 401, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 403, body = bpv_web::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn api_xlsx(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: ApiPrincipal,
) -> Result<HttpResponse, Problem> {
    let (kijker, vraag) = crate::api::vraag(&req, &principal)?;
    xlsx(&overzicht(&state, &kijker, &vraag)?)
}

fn xlsx(o: &ResponsOverzicht) -> Result<HttpResponse, Problem> {
    crate::api::werkmap(report::xlsx::respons(o), "respons", o.selectie.instelling.as_deref())
}

/// `GET /dashboard/respons`: the "Respons" tab — the same tables for the selection of the
/// results page (the school's own, or national for SBB, when none is given); with `.xlsx` the
/// same as a workbook.
pub async fn dashboard(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let als_xlsx = req.path().ends_with(".xlsx");
    if !als_xlsx && let Some(verder) = crate::dashboard::met_standaardperiode(&req) {
        return verder;
    }
    let (vraag, _) = match Vraag::parse(req.query_string(), &["thema"]) {
        Ok(v) => v,
        Err(p) => return p.to_response(),
    };
    let terug = crate::dashboard::href(&vraag, None, None);
    let xlsx_href = terug.replacen("/dashboard", "/dashboard/respons.xlsx", 1);
    let views = state.clone();
    crate::dashboard::pagina(
        &req,
        &state,
        move |st, kijker, naam| Ok((naam, crate::dashboard::rol(kijker), overzicht(st, kijker, &vraag)?)),
        move |(naam, rol, o)| {
            if als_xlsx {
                return xlsx(&o).unwrap_or_else(|p| p.to_response());
            }
            let gepubliceerd = report::gepubliceerd_nl(o.gepubliceerd_op);
            let ctx = minijinja::context! {
                naam => naam, rol => rol, o => o, s => &o.selectie, k => o.k, terug => terug,
                xlsx_href => xlsx_href, periode => o.selectie.periode_tekst(), gepubliceerd => gepubliceerd,
            };
            views.views.render(StatusCode::OK, "respons.html", ctx)
        },
    )
    .await
}
