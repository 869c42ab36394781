//! The trend, as API (`GET /v1/resultaten/trend`) and as dashboard page (`/dashboard/trend`):
//! the figures come from [`crate::report::trend`], one engine evaluation per period.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use bpv_aggregation::{CIJFER_CODE, Questionnaires};
use bpv_web::Problem;
use bpv_web::auth::ApiPrincipal;
use serde::Serialize;

use crate::grafiek::{Lijn, lijngrafiek};
use crate::report::{self, Trend, TrendPunt, Vraag};
use crate::state::AppState;

/// The trend of a query for a viewer.
fn trend_for(state: &AppState, kijker: &report::Kijker, vraag: &Vraag) -> Result<Trend, Problem> {
    let selectie = vraag.check(kijker, &state.data.names())?;
    let span = report::trend::periode(&selectie, bpvo::vandaag())?;
    Ok(report::trend::trend(&state.data, &selectie, span))
}

/// The grade, each theme score and the response per quarter and per school year, the selection
/// beside the national figures.
///
/// The same filters as `/v1/resultaten`. `van` and `totEnMet` are widened to whole quarters; without them the trend covers
/// the twenty quarters up to the last complete one; more than twenty quarters is a 400. School
/// years (August–July) are those whose July lies inside the quarters, each counted whole. A
/// period whose figure the k rule withholds has `waarde: null` and a `reden` — a gap, not a
/// zero.
#[utoipa::path(get, path = "/v1/resultaten/trend", operation_id = "resultatenTrend", summary = "Het verloop per kwartaal en per schooljaar", description = "Rapportcijfer, themascores en respons, de selectie naast het landelijke cijfer; dezelfde filters als `/resultaten`.", tag = "resultaten",
    params(crate::report::SelectieParams),
    responses(
        (status = 200, body = Trend),
        (status = 400, body = bpv_web::Problem, content_type = "application/problem+json", description = "Ongeldige selectie of een periode langer dan vijf jaar; invalidParams noemt elke fout"),
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
    Ok(HttpResponse::Ok().json(trend_for(&state, &kijker, &vraag)?))
}

/// The same as an Excel workbook: a sheet per series (quarters, calendar years, school years),
/// a row per period with the grade, each theme score and the response, the selection beside
/// the national figure; a withheld figure is an empty cell (a gap, never a zero).
#[utoipa::path(get, path = "/v1/resultaten/trend/export.xlsx", operation_id = "resultatenTrendXlsx", summary = "Het verloop als Excel-werkmap", description = "Een werkblad per reeks (kwartalen, kalenderjaren, schooljaren); een achtergehouden cijfer is een lege cel, nooit een nul.", tag = "resultaten",
    params(crate::report::SelectieParams),
    responses(
        (status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>, description = "Bladen Kwartalen, Jaren en Schooljaren"),
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
    xlsx(&trend_for(&state, &kijker, &vraag)?)
}

fn xlsx(t: &Trend) -> Result<HttpResponse, Problem> {
    crate::api::werkmap(report::xlsx::trend(t), "trend", t.selectie.instelling.as_deref())
}

/// `GET /dashboard/trend.xlsx`: the trend of the page's selection as a workbook.
pub async fn dashboard_xlsx(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let (vraag, _) = match Vraag::parse(req.query_string(), &["thema", "maat", "per"]) {
        Ok(v) => v,
        Err(p) => return p.to_response(),
    };
    crate::dashboard::pagina(
        &req,
        &state,
        move |st, kijker, _| trend_for(st, kijker, &vraag),
        |t| xlsx(&t).unwrap_or_else(|p| p.to_response()),
    )
    .await
}

/// What the page can chart: the grade or a theme score.
#[derive(Debug, Clone, Serialize)]
struct Maat {
    code: String,
    naam: String,
    href: String,
    actief: bool,
}

/// One row of a table on the page.
#[derive(Debug, Clone, Serialize)]
struct Rij {
    periode: String,
    instelling: Option<String>,
    landelijk: String,
    respons_instelling: Option<String>,
    respons_landelijk: String,
}

fn waarde<'a>(p: &'a TrendPunt, maat: &str) -> Option<&'a report::ScorePaar> {
    if maat == CIJFER_CODE { Some(&p.cijfer) } else { p.themas.iter().find(|t| t.code == maat).map(|t| &t.score) }
}

fn rijen(punten: &[TrendPunt], maat: &str) -> Vec<Rij> {
    punten
        .iter()
        .filter_map(|p| {
            let s = waarde(p, maat)?;
            Some(Rij {
                periode: p.periode.clone(),
                instelling: s.instelling.as_ref().map(|c| c.tekst.clone()),
                landelijk: s.landelijk.tekst.clone(),
                respons_instelling: p.respons.instelling.as_ref().map(|r| r.tekst.clone()),
                respons_landelijk: p.respons.landelijk.tekst.clone(),
            })
        })
        .collect()
}

/// The scale of a measure: 1–10 for the grade and a theme holding it, else 1–5.
fn schaal(qs: &Questionnaires, maat: &str) -> (f64, f64) {
    let met_cijfer = maat == CIJFER_CODE
        || qs
            .all()
            .iter()
            .any(|q| q.themes.iter().any(|t| t.code == maat && t.items.iter().any(|i| i.code == CIJFER_CODE)));
    if met_cijfer { (1.0, 10.0) } else { (1.0, 5.0) }
}

/// The series the chart draws: `kwartaal`, `jaar` or `schooljaar`.
fn punten<'a>(t: &'a Trend, per: &str) -> &'a [TrendPunt] {
    match per {
        "jaar" => &t.jaren,
        "schooljaar" => &t.schooljaren,
        _ => &t.kwartalen,
    }
}

/// The chart's default series: quarters when any quarter has a national figure for the measure,
/// else calendar years (which count every answer).
fn standaard_per(t: &Trend, maat: &str) -> &'static str {
    let telt = t.kwartalen.iter().any(|p| waarde(p, maat).is_some_and(|s| s.landelijk.waarde.is_some()));
    if telt { "kwartaal" } else { "jaar" }
}

fn grafiek(t: &Trend, per: &str, maat: &str, naam: &str, schaal: (f64, f64)) -> String {
    let punten = punten(t, per);
    let labels: Vec<String> = punten.iter().map(|p| p.periode.clone()).collect();
    let reeks = |eigen: bool| -> Vec<Option<f64>> {
        punten
            .iter()
            .map(|p| {
                let s = waarde(p, maat)?;
                if eigen { s.instelling.as_ref()?.waarde } else { s.landelijk.waarde }
            })
            .collect()
    };
    let mut lijnen = Vec::new();
    if t.selectie.instelling.is_some() {
        let wie = t.selectie.instelling_naam.clone().or_else(|| t.selectie.instelling.clone()).unwrap_or_default();
        lijnen.push(Lijn { naam: wie, klasse: "instelling", waarden: reeks(true) });
    }
    lijnen.push(Lijn { naam: "Landelijk".into(), klasse: "landelijk", waarden: reeks(false) });
    let titel = format!("{naam} per {}", per_naam(per));
    lijngrafiek("trend-grafiek", &titel, &labels, &lijnen, schaal, |l| l.ends_with("K1"))
}

fn per_naam(per: &str) -> &'static str {
    match per {
        "jaar" => "kalenderjaar",
        "schooljaar" => "schooljaar",
        _ => "kwartaal",
    }
}

/// `GET /dashboard/trend`: the selection of the results page as a line chart (the grade, or the
/// theme in `maat`; per quarter, calendar year or school year in `per`, by default quarters when
/// any quarter has a national figure, else calendar years) with the figures in tables: per
/// quarter, calendar year and school year.
pub async fn dashboard(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let (vraag, rest) = match Vraag::parse(req.query_string(), &["thema", "maat", "per"]) {
        Ok(v) => v,
        Err(p) => return p.to_response(),
    };
    let maat = rest.iter().find(|(k, _)| k == "maat").map_or_else(|| CIJFER_CODE.to_owned(), |(_, v)| v.clone());
    let per = rest.iter().find(|(k, _)| k == "per").map(|(_, v)| v.clone());
    if per.as_deref().is_some_and(|p| !["kwartaal", "jaar", "schooljaar"].contains(&p)) {
        let bad = report::param("per", "enum", "kies kwartaal, jaar of schooljaar", "kwartaal, jaar or schooljaar");
        return Problem::invalid_input("onbekende indeling", vec![bad]).to_response();
    }
    let terug = crate::dashboard::href(&vraag, None, None);
    let views = state.clone();
    crate::dashboard::pagina(
        &req,
        &state,
        move |st, kijker, naam| {
            let t = trend_for(st, kijker, &vraag)?;
            let mut maten = vec![(CIJFER_CODE.to_owned(), "Eindcijfer".to_owned())];
            maten.extend(
                t.kwartalen.first().into_iter().flat_map(|p| &p.themas).map(|x| (x.code.clone(), x.naam.clone())),
            );
            let Some((code, maat_naam)) = maten.iter().find(|(c, _)| *c == maat).cloned() else {
                return Err(Problem::invalid_input(
                    "onbekende maat",
                    vec![report::param("maat", "unknown", "kies het eindcijfer of een thema", "grade or a theme")],
                ));
            };
            let per = per.unwrap_or_else(|| standaard_per(&t, &code).to_owned());
            let basis = terug.replacen("/dashboard", "/dashboard/trend", 1);
            let sep = if basis.contains('?') && !basis.ends_with('?') { "&" } else { "" };
            let maten: Vec<Maat> = maten
                .into_iter()
                .map(|(c, n)| Maat {
                    href: format!("{basis}{sep}maat={c}&per={per}"),
                    actief: c == code,
                    code: c,
                    naam: n,
                })
                .collect();
            let indelingen: Vec<Maat> = ["kwartaal", "jaar", "schooljaar"]
                .into_iter()
                .map(|p| Maat {
                    href: format!("{basis}{sep}maat={code}&per={p}"),
                    actief: p == per,
                    code: p.to_owned(),
                    naam: format!("Per {}", per_naam(p)),
                })
                .collect();
            let svg = grafiek(&t, &per, &code, &maat_naam, schaal(st.data.questionnaires(), &code));
            Ok((naam, t, (maten, indelingen), code, maat_naam, svg, terug))
        },
        move |(naam, t, (maten, indelingen), code, maat_naam, svg, terug)| {
            let xlsx_href = terug.replacen("/dashboard", "/dashboard/trend.xlsx", 1);
            let ctx = minijinja::context! {
                naam => naam,
                xlsx_href => xlsx_href,
                periode => t.selectie.periode_tekst(),
                gepubliceerd => report::gepubliceerd_nl(t.gepubliceerd_op),
                s => &t.selectie,
                k => t.k,
                maten => maten,
                indelingen => indelingen,
                maat => maat_naam,
                grafiek => minijinja::Value::from_safe_string(svg),
                kwartalen => rijen(&t.kwartalen, &code),
                jaren => rijen(&t.jaren, &code),
                schooljaren => rijen(&t.schooljaren, &code),
                terug => terug,
            };
            views.views.render(StatusCode::OK, "trend.html", ctx)
        },
    )
    .await
}
