//! The results API: `/v1/resultaten`, its CSV export and `/v1/filters`, for a school's token
//! (bounded to its instelling) or SBB's (any instelling, national); plus health and readiness.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use bpv_web::Problem;
use bpv_web::auth::{ApiPrincipal, SCOPE_RESULTATEN_READ};

use crate::report::{self, Filters, Kijker, Rapport, Vraag};
use crate::state::AppState;

/// Who a token speaks for.
pub(crate) fn kijker(p: &ApiPrincipal) -> Result<Kijker, Problem> {
    p.require_scope(SCOPE_RESULTATEN_READ)?;
    if p.is_sbb() { Ok(Kijker::Sbb) } else { Ok(Kijker::School { brin: p.instelling()?.to_owned() }) }
}

/// Who asks and what: the token's viewer and the query of a results endpoint.
pub(crate) fn vraag(req: &HttpRequest, principal: &ApiPrincipal) -> Result<(Kijker, Vraag), Problem> {
    let kijker = kijker(principal)?;
    let (vraag, _) = Vraag::parse(req.query_string(), &[])?;
    Ok((kijker, vraag))
}

fn rapport_for(req: &HttpRequest, state: &AppState, principal: &ApiPrincipal) -> Result<Rapport, Problem> {
    let (kijker, vraag) = vraag(req, principal)?;
    let selectie = vraag.check(&kijker, &state.data.names())?;
    Ok(report::rapport(&state.data, &selectie))
}

/// Results of a selection beside the national figures.
///
/// Every figure resting on fewer than `k` answers is null with a reason; answers whose cell lies
/// only partly inside the selection are left out and counted in `nietMeegeteld` (see
/// docs/privacy.md). List filters (`aanbieder`, `locatie`) may repeat or hold a comma-separated
/// list.
#[utoipa::path(get, path = "/v1/resultaten", operation_id = "resultaten", summary = "Resultaten van een selectie naast het landelijke cijfer", description = "Elk cijfer dat op minder dan `k` antwoorden rust is leeg, met de reden.", tag = "resultaten",
    params(crate::report::SelectieParams),
    responses(
        (status = 200, body = Rapport),
        (status = 400, body = bpv_web::Problem, content_type = "application/problem+json", description = "Ongeldige selectie; invalidParams noemt elke fout"),
        (status = 401, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 403, body = bpv_web::Problem, content_type = "application/problem+json", description = "Scope ontbreekt of andere instelling"),
    ),
    security(("bearer" = [])))]
pub async fn resultaten(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: ApiPrincipal,
) -> Result<HttpResponse, Problem> {
    let r = rapport_for(&req, &state, &principal)?;
    Ok(HttpResponse::Ok().json(r))
}

/// The same as CSV for Excel (`;`, decimal commas, UTF-8 BOM).
#[utoipa::path(get, path = "/v1/resultaten/export.csv", operation_id = "resultatenCsv", summary = "De resultaten als CSV voor Excel", description = "Puntkomma's, decimale komma's, UTF-8 met BOM.", tag = "resultaten",
    params(crate::report::SelectieParams),
    responses(
        (status = 200, content_type = "text/csv", body = String, description = "Kolommen: groep;thema;code;vraag;soort;instelling_gemiddelde;instelling_pct_eens;instelling_n;landelijk_gemiddelde;landelijk_pct_eens;landelijk_n;toelichting"),
        (status = 400, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 401, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 403, body = bpv_web::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn export_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: ApiPrincipal,
) -> Result<HttpResponse, Problem> {
    let r = rapport_for(&req, &state, &principal)?;
    let body = report::csv(&r).map_err(|e| bpv_web::problem::internal_error(&e))?;
    let name =
        format!("bpv-resultaten-{}-{}.csv", r.selectie.instelling.as_deref().unwrap_or("landelijk"), r.selectie.groep);
    Ok(bijlage("text/csv; charset=utf-8", &name, body))
}

/// The same as an Excel workbook: a sheet per group (the asked group first), each with the
/// selection, the period and the publication date on top, the response, and every theme score
/// and question with the selection's and the national figures as numbers; a withheld figure
/// holds its reason as text.
#[utoipa::path(get, path = "/v1/resultaten/export.xlsx", operation_id = "resultatenXlsx", summary = "De resultaten als Excel-werkmap", description = "Een werkblad per groep met de selectie, de periode en de publicatiedatum bovenaan, de respons en elk thema en elke vraag met het cijfer van de selectie en het landelijke; een achtergehouden cijfer draagt de reden als tekst.", tag = "resultaten",
    params(crate::report::SelectieParams),
    responses(
        (status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>, description = "Een blad per groep: bovenaan selectie, periode en publicatiedatum; dan de respons en per thema de score en elke vraag"),
        (status = 400, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 401, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 403, body = bpv_web::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn export_xlsx(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: ApiPrincipal,
) -> Result<HttpResponse, Problem> {
    let (kijker, vraag) = vraag(&req, &principal)?;
    let selectie = vraag.check(&kijker, &state.data.names())?;
    let rapporten = report::rapporten(&state.data, &selectie);
    resultaten_xlsx(&rapporten)
}

/// The results workbook as a download.
pub(crate) fn resultaten_xlsx(rapporten: &[Rapport]) -> Result<HttpResponse, Problem> {
    let instelling = rapporten.first().and_then(|r| r.selectie.instelling.as_deref());
    werkmap(report::xlsx::rapporten(rapporten), "resultaten", instelling)
}

/// A workbook as a download named `bpv-{soort}-{instelling or landelijk}.xlsx`.
pub(crate) fn werkmap(
    bytes: Result<Vec<u8>, rust_xlsxwriter::XlsxError>,
    soort: &str,
    instelling: Option<&str>,
) -> Result<HttpResponse, Problem> {
    let body = bytes.map_err(|e| bpv_web::problem::internal_error(&e))?;
    let naam = format!("bpv-{soort}-{}.xlsx", instelling.unwrap_or("landelijk"));
    Ok(bijlage(report::xlsx::XLSX, &naam, body))
}

/// A file to download: its media type, name and bytes.
pub(crate) fn bijlage(media_type: &str, naam: &str, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(media_type)
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{naam}\"")))
        .body(body)
}

/// The query of an endpoint that takes only `instelling` (`/v1/filters`, the counts): anything
/// else is a 400 naming the query.
pub(crate) fn alleen_instelling(req: &HttpRequest, endpoint: &str) -> Result<Vraag, Problem> {
    let (vraag, _) = Vraag::parse(req.query_string(), &[])?;
    if !vraag.fouten.is_empty() {
        return Err(Problem::invalid_input("de selectie is ongeldig", vraag.fouten));
    }
    if vraag != (Vraag { instelling: vraag.instelling.clone(), ..Vraag::default() }) {
        return Err(Problem::invalid_input(
            format!("{endpoint} kent alleen de parameter instelling"),
            vec![bpv_web::InvalidParam {
                name: "query".into(),
                code: "unknown".into(),
                reason: "alleen instelling is toegestaan".into(),
                reason_en: "only instelling is allowed".into(),
            }],
        ));
    }
    Ok(vraag)
}

/// The values a user may pick: their aanbieders, locaties, leerwegen, sectoren and
/// kwalificaties with names (SBB: every instelling, and those of `instelling` when given).
#[utoipa::path(get, path = "/v1/filters", operation_id = "filters", summary = "De waarden om uit te kiezen", description = "Aanbieders, locaties, leerwegen, sectoren en kwalificaties met namen (SBB: elke instelling, en die van `instelling` als die is meegegeven).", tag = "resultaten",
    params(("instelling" = Option<String>, Query, description = "BRIN; alleen voor SBB", pattern = "^[0-9]{2}[A-Za-z]{2}$")),
    responses(
        (status = 200, body = Filters),
        (status = 400, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 401, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 403, body = bpv_web::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn filters(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: ApiPrincipal,
) -> Result<HttpResponse, Problem> {
    let kijker = kijker(&principal)?;
    let vraag = alleen_instelling(&req, "/v1/filters")?;
    let f = report::filters(&state.data, &kijker, vraag.instelling.as_deref())?;
    Ok(HttpResponse::Ok().json(f))
}

/// The database answers and is migrated, and the results index has been loaded.
#[utoipa::path(get, path = "/ready", operation_id = "ready", summary = "De dienst is klaar", description = "De database antwoordt en is bijgewerkt (en bij de resultaten-API: de resultaten zijn geladen).", tag = "beheer",
    responses((status = 200, body = bpv_web::service::Status), (status = 503, body = bpv_web::Problem, content_type = "application/problem+json")))]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, Problem> {
    bpv_web::service::database_ready(state.pool.clone()).await?;
    if !state.data.is_loaded() {
        return Err(Problem::unavailable("de resultaten worden nog geladen"));
    }
    Ok(HttpResponse::Ok().json(bpv_web::service::Status { status: "ok" }))
}
