//! SBB's overview across schools, as API (`GET /v1/resultaten/instellingen` with CSV and xlsx)
//! and as the dashboard's "Instellingen" tab (SBB staff only): the figures come from
//! [`crate::report::instellingen`], one engine evaluation per instelling.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use bpv_web::Problem;
use bpv_web::auth::ApiPrincipal;
use serde::Serialize;

use crate::report::instellingen::{Sortering, overzicht, themas};
use crate::report::{self, InstellingenOverzicht, Kijker, Vraag, landelijk, param};
use crate::state::AppState;

/// The query keys of the overview, for the OpenAPI document; [`Vraag::parse`] reads them.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct OverzichtParams {
    /// Eerste maand, jjjj-mm
    #[param(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    van: Option<String>,
    /// Laatste maand, jjjj-mm
    #[param(rename = "totEnMet", pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    tot_en_met: Option<String>,
    /// BOL of BBL
    leerweg: Option<String>,
    /// Sector, zoals /v1/filters die noemt
    sector: Option<String>,
    /// Kwalificatie
    #[param(pattern = "^[0-9]{5}$")]
    crebo: Option<String>,
    /// studenten (standaard) of praktijkopleiders
    groep: Option<String>,
    /// naam (standaard), cijfer, respons of een themacode
    sorteer: Option<String>,
    /// op of af (standaard: op bij naam, af bij een cijfer)
    #[param(pattern = "^(op|af)$")]
    richting: Option<String>,
}

/// The query keys besides the selection's.
const SORTERING: [&str; 2] = ["sorteer", "richting"];

/// The overview for a viewer and a query: SBB only; a national selection (no instelling,
/// aanbieder or locatie); the sorting checked against the themes.
fn overzicht_for(
    state: &AppState,
    kijker: &Kijker,
    query: &str,
    extra: &[&str],
) -> Result<InstellingenOverzicht, Problem> {
    if !matches!(kijker, Kijker::Sbb) {
        return Err(Problem::forbidden("het overzicht van alle instellingen is alleen voor SBB"));
    }
    let toegestaan: Vec<&str> = SORTERING.iter().chain(extra).copied().collect();
    let (vraag, rest) = Vraag::parse(query, &toegestaan)?;
    let mut bad = Vec::new();
    for (naam, gezet) in [
        ("instelling", vraag.instelling.is_some()),
        ("aanbieder", !vraag.aanbieders.is_empty()),
        ("locatie", !vraag.locaties.is_empty()),
    ] {
        if gezet {
            bad.push(param(
                naam,
                "unknown",
                "het overzicht toont elke instelling; kies voor één instelling /v1/resultaten",
                "the overview lists every instelling; use /v1/resultaten for one",
            ));
        }
    }
    if !bad.is_empty() {
        return Err(Problem::invalid_input("het overzicht kent geen instelling, aanbieder of locatie", bad));
    }
    let selectie = vraag.check(kijker, &state.data.names())?;
    let get = |k: &str| rest.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let kolommen = themas(&state.data.evaluate(&landelijk(&selectie)));
    let sortering = Sortering::parse(get("sorteer"), get("richting"), &kolommen)?;
    Ok(overzicht(&state.data, &selectie, &sortering))
}

/// Every instelling's grade, theme scores and response for a national selection, beside the
/// national figures (SBB only).
///
/// The same period, leerweg, sector, kwalificatie and groep filters as `/v1/resultaten`, no
/// instelling, aanbieder or locatie. Each row is the engine's figure for that instelling — what
/// `/v1/resultaten?instelling=…` gives — so every figure rests on at least k answers or is
/// withheld with its reason. `sorteer` (`naam`, `cijfer`, `respons` or a theme code) and
/// `richting` (`op`, `af`) order the rows; rows without a figure come last.
#[utoipa::path(get, path = "/v1/resultaten/instellingen", operation_id = "resultatenPerInstelling", summary = "Cijfers per instelling naast het landelijke cijfer (alleen SBB)", description = "Rapportcijfer, themascores en respons van elke instelling voor een landelijke selectie.", tag = "resultaten",
    params(OverzichtParams),
    responses(
        (status = 200, body = InstellingenOverzicht),
        (status = 400, body = bpv_web::Problem, content_type = "application/problem+json", description = "Ongeldige selectie of sortering; invalidParams noemt elke fout"),
        (status = 401, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 403, body = bpv_web::Problem, content_type = "application/problem+json", description = "Alleen voor SBB"),
    ),
    security(("bearer" = [])))]
pub async fn api(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: ApiPrincipal,
) -> Result<HttpResponse, Problem> {
    let kijker = crate::api::kijker(&principal)?;
    Ok(HttpResponse::Ok().json(overzicht_for(&state, &kijker, req.query_string(), &[])?))
}

/// The same as CSV for Excel (`;`, decimal commas, UTF-8 BOM): the national row first, a column
/// per theme, withheld figures empty and named in `toelichting`.
#[utoipa::path(get, path = "/v1/resultaten/instellingen/export.csv", operation_id = "resultatenPerInstellingCsv", summary = "Cijfers per instelling als CSV voor Excel", description = "De landelijke rij eerst, een kolom per thema; achtergehouden cijfers leeg en genoemd in `toelichting`.", tag = "resultaten",
    params(OverzichtParams),
    responses(
        (status = 200, content_type = "text/csv", body = String, description = "Kolommen: instelling;naam;cijfer;cijfer_n;<thema's>;respons_pct;beantwoord;uitgenodigd;toelichting"),
        (status = 400, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 401, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 403, body = bpv_web::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn api_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: ApiPrincipal,
) -> Result<HttpResponse, Problem> {
    let kijker = crate::api::kijker(&principal)?;
    csv(&overzicht_for(&state, &kijker, req.query_string(), &[])?)
}

/// The same as an Excel workbook: one sheet, the selection on top, the national row first.
#[utoipa::path(get, path = "/v1/resultaten/instellingen/export.xlsx", operation_id = "resultatenPerInstellingXlsx", summary = "Cijfers per instelling als Excel-werkmap", description = "Eén werkblad, de selectie bovenaan, de landelijke rij eerst.", tag = "resultaten",
    params(OverzichtParams),
    responses(
        (status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>, description = "Eén blad Instellingen"),
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
    let kijker = crate::api::kijker(&principal)?;
    xlsx(&overzicht_for(&state, &kijker, req.query_string(), &[])?)
}

fn csv(o: &InstellingenOverzicht) -> Result<HttpResponse, Problem> {
    let body = report::instellingen::csv(o).map_err(|e| bpv_web::problem::internal_error(&e))?;
    Ok(crate::api::bijlage("text/csv; charset=utf-8", &format!("bpv-instellingen-{}.csv", o.selectie.groep), body))
}

fn xlsx(o: &InstellingenOverzicht) -> Result<HttpResponse, Problem> {
    crate::api::werkmap(report::xlsx::instellingen(o), "instellingen", Some(&o.selectie.groep))
}

/// A column header of the page: its sort link and state.
#[derive(Debug, Serialize)]
struct Kolom {
    code: String,
    naam: String,
    href: String,
    /// `ascending`, `descending` or none (aria-sort).
    aria: Option<&'static str>,
}

/// `GET /dashboard/instellingen` (and `.csv`, `.xlsx`): the "Instellingen" tab for SBB staff —
/// the overview of the page's selection with sortable columns and downloads.
pub async fn dashboard(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let path = req.path().to_owned();
    if path == "/dashboard/instellingen"
        && let Some(verder) = crate::dashboard::met_standaardperiode(&req)
    {
        return verder;
    }
    let query = req.query_string().to_owned();
    let views = state.clone();
    crate::dashboard::pagina(
        &req,
        &state,
        move |st, kijker, naam| {
            let o = overzicht_for(st, kijker, &query, &["thema"])?;
            let filters = report::filters(&st.data, kijker, None)?;
            Ok((naam, o, filters, query))
        },
        move |(naam, o, filters, query)| {
            if path.ends_with(".xlsx") {
                return xlsx(&o).unwrap_or_else(|p| p.to_response());
            }
            if path.ends_with(".csv") {
                return csv(&o).unwrap_or_else(|p| p.to_response());
            }
            let basis: Vec<(String, String)> = serde_urlencoded::from_str::<Vec<(String, String)>>(&query)
                .unwrap_or_default()
                .into_iter()
                .filter(|(k, _)| !["sorteer", "richting", "thema"].contains(&k.as_str()))
                .collect();
            let link = |pad: &str, extra: &[(&str, &str)]| {
                let mut pairs: Vec<(&str, &str)> = basis.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                pairs.extend_from_slice(extra);
                format!("{pad}?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
            };
            let mut kolommen = vec![("naam".to_owned(), "Instelling".to_owned()), ("cijfer".into(), "Cijfer".into())];
            kolommen.extend(o.themas.iter().map(|t| (t.code.clone(), t.naam.clone())));
            kolommen.push(("respons".into(), "Respons".into()));
            let kolommen: Vec<Kolom> = kolommen
                .into_iter()
                .map(|(code, naam)| {
                    let actief = code == o.sorteer;
                    let af = o.richting == "af";
                    // A click on the active column turns it around; another column starts at its default.
                    let richting = if actief {
                        if af { "op" } else { "af" }
                    } else if code == "naam" {
                        "op"
                    } else {
                        "af"
                    };
                    Kolom {
                        href: link("/dashboard/instellingen", &[("sorteer", &code), ("richting", richting)]),
                        aria: actief.then_some(if af { "descending" } else { "ascending" }),
                        code,
                        naam,
                    }
                })
                .collect();
            let huidig = [("sorteer", o.sorteer.as_str()), ("richting", o.richting.as_str())];
            let ctx = minijinja::context! {
                naam => naam, rol => "sbb", o => &o, s => &o.selectie, k => o.k, filters => filters,
                kolommen => kolommen,
                csv_href => link("/dashboard/instellingen.csv", &huidig),
                xlsx_href => link("/dashboard/instellingen.xlsx", &huidig),
                periode => o.selectie.periode_tekst(),
                gepubliceerd => report::gepubliceerd_nl(o.gepubliceerd_op),
            };
            views.views.render(StatusCode::OK, "instellingen.html", ctx)
        },
    )
    .await
}
