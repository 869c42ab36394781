//! The results dashboard `/dashboard`: server-rendered (works without JavaScript), the filters of
//! SBB's results page, a tab per theme, a Praktijkopleiders/Studenten toggle, the selection beside
//! the Landelijk gemiddelde with the Respons line for both, and a bar per question. It renders the
//! very [`Rapport`] the API serves, so the two cannot disagree.
//!
//! Login: gemachtigden of an instelling (their own results), lezers of an instelling (its results,
//! perhaps of some aanbieders or locaties only; managed on `/dashboard/lezers`), SBB staff (`medewerkers`:
//! every instelling and national) and the inspectie and OCW (`toezichthouders`: the quarterly
//! data-quality photos of every instelling on `/dashboard/kwartaalfotos`, nothing else). The session is a JWT of the dashboard's own audience in an
//! HttpOnly, SameSite=Strict cookie scoped to `/dashboard`; every request re-reads the account,
//! so a removed account is locked out at once. Logins are audited.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use bpv_aggregation::YearMonth;
use bpv_store::repo::{gemachtigden, lezers, medewerkers, sessies, toezichthouders};
use bpv_store::{DbConnection, StoreResult};
use bpv_web::Problem;
use bpv_web::auth::{AUD_DASHBOARD_SESSION, TokenKeys, TokenRol};
use bpv_web::login::{Account, LoginForm, ONJUIST, Page, log_in, log_out};
use serde::Serialize;

use crate::report::{self, Filters, Kijker, Rapport, Vraag};
use crate::state::AppState;
use crate::views::page;

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "bpv_dashboard";
/// Lifetime of a session.
pub const TTL_SECONDS: i64 = 60 * 60;
const ROL_SCHOOL: TokenRol = TokenRol::Gemachtigde;
const ROL_SBB: TokenRol = TokenRol::Sbb;
const ROL_LEZER: TokenRol = TokenRol::Lezer;
const ROL_TOEZICHT: TokenRol = TokenRol::Toezicht;
/// Where a toezichthouder lands, the one page they may see.
const KWARTAALFOTOS: &str = "/dashboard/kwartaalfotos";

/// A verified session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Session {
    pub(crate) account_id: String,
    rol: TokenRol,
    brin: Option<String>,
    /// The anti-CSRF value the session's forms echo.
    pub(crate) csrf: String,
    /// The token's id and expiry (unix seconds): logging out records it as ended.
    jti: String,
    exp: i64,
}

fn session(req: &HttpRequest, keys: &TokenKeys) -> Option<Session> {
    let token = bpv_web::cookies::find(req, COOKIE_NAME)?;
    let claims = keys.verify(token, AUD_DASHBOARD_SESSION).ok()?;
    let brin = match claims.rol {
        ROL_SCHOOL | ROL_LEZER if claims.brin.is_some() => claims.brin,
        ROL_SBB | ROL_TOEZICHT => None,
        _ => return None,
    };
    Some(Session {
        account_id: claims.sub,
        rol: claims.rol,
        brin,
        csrf: claims.csrf.unwrap_or_default(),
        jti: claims.jti,
        exp: claims.exp,
    })
}

fn cookie(value: &str, max_age: i64, secure: bool) -> String {
    bpv_web::login::session_cookie(COOKIE_NAME, "/dashboard", value, max_age, secure)
}

/// Who the session is, while the account is still active and the session not logged out.
fn viewer(state: &AppState, s: &Session) -> Result<Option<(Kijker, String)>, Problem> {
    let mut conn = state.conn()?;
    let store = |e: bpv_store::StoreError| bpv_web::problem::internal_error(&e);
    if sessies::is_ended(&mut conn, &s.jti).map_err(store)? {
        return Ok(None);
    }
    Ok(match s.rol {
        // Photos only: every other page refuses, whether the account is active or not.
        ROL_TOEZICHT => {
            return Err(Problem::forbidden(format!(
                "als toezichthouder (inspectie of OCW) ziet u alleen de kwartaalfoto's van de datakwaliteit: {KWARTAALFOTOS}"
            )));
        }
        ROL_SBB => medewerkers::find_by_id(&mut conn, &s.account_id)
            .map_err(store)?
            .filter(|m| m.actief)
            .map(|m| (Kijker::Sbb, m.naam)),
        ROL_LEZER => lezers::find_by_id(&mut conn, &s.account_id)
            .map_err(store)?
            .filter(|l| l.actief && Some(&l.brin) == s.brin.as_ref())
            .map(|l| {
                let (aanbieders, locaties) = (l.aanbieder_codes(), l.locatie_codes());
                (Kijker::Lezer { brin: l.brin, aanbieders, locaties }, l.naam)
            }),
        _ => gemachtigden::find_by_id(&mut conn, &s.account_id)
            .map_err(store)?
            .filter(|g| g.actief && Some(&g.brin) == s.brin.as_ref())
            .map(|g| (Kijker::School { brin: g.brin }, g.naam)),
    })
}

/// The role a page shows its tabs for: `sbb`, `gemachtigde` or `lezer`.
pub(crate) fn rol(kijker: &Kijker) -> &'static str {
    match kijker {
        Kijker::Sbb => "sbb",
        Kijker::School { .. } => "gemachtigde",
        Kijker::Lezer { .. } => "lezer",
    }
}

/// The audit's actor kind of a viewer.
pub(crate) fn actor_kind(kijker: &Kijker) -> &'static str {
    match kijker {
        Kijker::Sbb => "medewerker",
        Kijker::School { .. } => "gemachtigde",
        Kijker::Lezer { .. } => "lezer",
    }
}

#[derive(Debug, Serialize)]
struct Tab {
    code: String,
    naam: String,
    href: String,
    actief: bool,
}

#[derive(Debug, Serialize)]
struct Fout {
    veld: String,
    melding: String,
}

/// `GET /dashboard`.
pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let Some(s) = session(&req, &state.keys) else {
        return login_page(&state, StatusCode::OK, "", None);
    };
    if s.rol == ROL_TOEZICHT {
        return HttpResponse::SeeOther().insert_header((header::LOCATION, KWARTAALFOTOS)).finish();
    }
    let st = state.clone();
    let who = match web::block(move || viewer(&st, &s)).await {
        Ok(Ok(Some(who))) => who,
        Ok(Ok(None)) => return login_page(&state, StatusCode::OK, "", Some("Uw account is niet meer actief.")),
        Ok(Err(p)) => return p.to_response(),
        Err(e) => return bpv_web::problem::internal_error(&e).to_response(),
    };
    if let Some(verder) = met_standaardperiode(&req) {
        return verder;
    }
    let (kijker, naam) = who;
    let (vraag, rest) = match Vraag::parse(req.query_string(), &["thema"]) {
        Ok(v) => v,
        Err(p) => {
            return results_page(&state, &kijker, &naam, &Vraag::default(), None, Some(&p), StatusCode::BAD_REQUEST);
        }
    };
    let thema = rest.iter().find(|(k, _)| k == "thema").map(|(_, v)| v.clone());
    match vraag.check(&kijker, &state.data.names()) {
        Ok(selectie) => {
            let r = report::rapport(&state.data, &selectie);
            results_page(&state, &kijker, &naam, &vraag, Some((&r, thema.as_deref())), None, StatusCode::OK)
        }
        Err(p) => {
            let status = p.status_code();
            results_page(&state, &kijker, &naam, &vraag, None, Some(&p), status)
        }
    }
}

/// A dashboard page behind the login: `work` runs off the async runtime with the viewer and
/// their name, `render` turns its outcome into the page; no session is the login page, an
/// account no longer active says so, a problem is answered as one.
pub(crate) async fn pagina<T: Send + 'static>(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    work: impl FnOnce(&AppState, &Kijker, String) -> Result<T, Problem> + Send + 'static,
    render: impl FnOnce(T) -> HttpResponse,
) -> HttpResponse {
    sessie_pagina(req, state, move |st, _, kijker, naam| work(st, kijker, naam), render).await
}

/// [`pagina`] for work that needs the session itself (its account id, its anti-CSRF value).
pub(crate) async fn sessie_pagina<T: Send + 'static>(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    work: impl FnOnce(&AppState, &Session, &Kijker, String) -> Result<T, Problem> + Send + 'static,
    render: impl FnOnce(T) -> HttpResponse,
) -> HttpResponse {
    let Some(s) = session(req, &state.keys) else {
        return login_page(state, StatusCode::OK, "", None);
    };
    let st = state.clone();
    let outcome = web::block(move || -> Result<Option<T>, Problem> {
        let Some((kijker, naam)) = viewer(&st, &s)? else {
            return Ok(None);
        };
        work(&st, &s, &kijker, naam).map(Some)
    })
    .await;
    match outcome {
        Ok(Ok(Some(t))) => render(t),
        Ok(Ok(None)) => login_page(state, StatusCode::OK, "", Some("Uw account is niet meer actief.")),
        Ok(Err(p)) => p.to_response(),
        Err(e) => bpv_web::problem::internal_error(&e).to_response(),
    }
}

fn login_page(state: &AppState, status: StatusCode, email: &str, fout: Option<&str>) -> HttpResponse {
    let k = state.data.k();
    state.views.render(status, "login.html", minijinja::context! { email => email, fout => fout, k => k })
}

/// The query string of the current selection with some keys replaced.
pub(crate) fn href(vraag: &Vraag, thema: Option<&str>, groep: Option<&str>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    let mut one = |k: &'static str, v: &Option<String>| {
        if let Some(v) = v {
            pairs.push((k, v.clone()));
        }
    };
    one("instelling", &vraag.instelling);
    // The period always, empty for "all months": a link never falls back to the default period.
    one("van", &Some(vraag.van.clone().unwrap_or_default()));
    one("totEnMet", &Some(vraag.tot_en_met.clone().unwrap_or_default()));
    one("leerweg", &vraag.leerweg);
    one("sector", &vraag.sector);
    one("crebo", &vraag.crebo);
    for a in &vraag.aanbieders {
        pairs.push(("aanbieder", a.clone()));
    }
    for l in &vraag.locaties {
        pairs.push(("locatie", l.clone()));
    }
    if let Some(g) = groep.map(str::to_owned).or_else(|| vraag.groep.clone()) {
        pairs.push(("groep", g));
    }
    if let Some(t) = thema {
        pairs.push(("thema", t.to_owned()));
    }
    format!("/dashboard?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
}

/// The period a dashboard page opens with: the calendar year that holds most of the last twelve
/// complete months before `vandaag` — the current year once at least six of its months are
/// complete (its later months hold no answers yet), else the year before. Not the twelve months
/// themselves: small cells merge per calendar year, so a window across the year boundary leaves
/// out every merged atom of both years (measured on the demo: 286 of some 9,500 students'
/// answers counted), while a whole calendar year counts all of them (docs/architecture.md).
pub(crate) fn standaardperiode(vandaag: chrono::NaiveDate) -> (YearMonth, YearMonth) {
    use chrono::Datelike;
    let laatste = if vandaag.month() == 1 { (vandaag.year() - 1, 12) } else { (vandaag.year(), vandaag.month() - 1) };
    let jaar = if laatste.1 >= 6 { laatste.0 } else { laatste.0 - 1 };
    (YearMonth { year: jaar, month: 1 }, YearMonth { year: jaar, month: 12 })
}

/// A dashboard page asked without any period — neither `van` nor `totEnMet` in its query, as when
/// it is first opened — is sent to the same query with the default period
/// ([`standaardperiode`]): the page then states them like a chosen period, its links keep them,
/// and clearing both fields (`van=&totEnMet=`) asks for all months. `None`: the query names a
/// period (or is no query at all, which the page itself answers).
pub(crate) fn met_standaardperiode(req: &HttpRequest) -> Option<HttpResponse> {
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string()).ok()?;
    if pairs.iter().any(|(k, _)| k == "van" || k == "totEnMet") {
        return None;
    }
    let (van, tot) = standaardperiode(bpvo::vandaag());
    pairs.push(("van".into(), van.to_string()));
    pairs.push(("totEnMet".into(), tot.to_string()));
    let location = format!("{}?{}", req.path(), serde_urlencoded::to_string(&pairs).ok()?);
    Some(HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish())
}

/// Whether the selection's period is the default one ([`standaardperiode`]).
fn is_standaard(vraag: &Vraag) -> bool {
    let (van, tot) = standaardperiode(bpvo::vandaag());
    vraag.van.as_deref() == Some(van.to_string().as_str())
        && vraag.tot_en_met.as_deref() == Some(tot.to_string().as_str())
}

fn results_page(
    state: &AppState,
    kijker: &Kijker,
    naam: &str,
    vraag: &Vraag,
    rapport: Option<(&Rapport, Option<&str>)>,
    problem: Option<&Problem>,
    status: StatusCode,
) -> HttpResponse {
    let filters: Option<Filters> = report::filters(&state.data, kijker, vraag.instelling.as_deref())
        .or_else(|_| report::filters(&state.data, kijker, None))
        .ok();
    let fouten: Vec<Fout> = problem
        .map(|p| {
            if p.invalid_params.is_empty() {
                vec![Fout { veld: String::new(), melding: p.detail.clone().unwrap_or_else(|| p.title.clone()) }]
            } else {
                p.invalid_params.iter().map(|i| Fout { veld: i.name.clone(), melding: i.reason.clone() }).collect()
            }
        })
        .unwrap_or_default();
    let groep = rapport.map(|(r, _)| r.selectie.groep.clone()).unwrap_or_else(|| "studenten".into());
    let (tabs, thema) = match rapport {
        Some((r, asked)) => {
            let actief = asked
                .filter(|a| r.themas.iter().any(|t| t.code == *a))
                .map(str::to_owned)
                .or_else(|| r.themas.first().map(|t| t.code.clone()));
            let tabs: Vec<Tab> = r
                .themas
                .iter()
                .map(|t| Tab {
                    code: t.code.clone(),
                    naam: t.naam.clone(),
                    href: href(vraag, Some(&t.code), None),
                    actief: Some(&t.code) == actief.as_ref(),
                })
                .collect();
            let thema = r.themas.iter().find(|t| Some(&t.code) == actief.as_ref()).cloned();
            (tabs, thema)
        }
        None => (Vec::new(), None),
    };
    let thema_code = thema.as_ref().map(|t| t.code.clone());
    let standaard = is_standaard(vraag);
    let trend_vraag = if standaard { Vraag { van: None, tot_en_met: None, ..vraag.clone() } } else { vraag.clone() };
    let ctx = minijinja::context! {
        naam => naam,
        rol => rol(kijker),
        v => minijinja::context! {
            instelling => vraag.instelling, van => vraag.van, tot_en_met => vraag.tot_en_met,
            aanbieders => vraag.aanbieders, locaties => vraag.locaties, leerweg => vraag.leerweg,
            sector => vraag.sector, crebo => vraag.crebo,
        },
        filters => filters,
        r => rapport.map(|(r, _)| r),
        tabs => tabs,
        thema => thema,
        groep => groep,
        href_studenten => href(vraag, thema_code.as_deref(), Some("studenten")),
        href_praktijkopleiders => href(vraag, thema_code.as_deref(), Some("praktijkopleiders")),
        csv_href => href(vraag, None, None).replacen("/dashboard", "/dashboard/export.csv", 1),
        xlsx_href => href(vraag, None, None).replacen("/dashboard", "/dashboard/export.xlsx", 1),
        verbeterpunten_href => href(vraag, None, None).replacen("/dashboard", "/dashboard/verbeterpunten", 1),
        // The trend spans five years unless a period was chosen: the default year is not carried
        // over to it.
        trend_href => href(&trend_vraag, None, None).replacen("/dashboard", "/dashboard/trend", 1),
        standaardperiode => standaard,
        respons_href => href(vraag, None, None).replacen("/dashboard", "/dashboard/respons", 1),
        fouten => fouten,
        k => state.data.k(),
        periode => rapport.map(|(r, _)| r.selectie.periode_tekst()),
        filters_tekst => rapport.map(|(r, _)| r.selectie.filters_tekst()),
        gepubliceerd => rapport.map(|(r, _)| report::gepubliceerd_nl(r.gepubliceerd_op)),
    };
    state.views.render(status, "dashboard.html", ctx)
}

/// `GET /dashboard/datakwaliteit`: the data-quality tab — the current indicators beside the
/// national ones, the school's own failing records, and the quarterly photos.
pub async fn kwaliteit(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let vraag = crate::datakwaliteit::Vraag::parse(req.query_string());
    let today = bpvo::vandaag();
    let views = state.clone();
    pagina(
        &req,
        &state,
        move |st, kijker, naam| {
            let vraag = vraag?;
            let d = crate::datakwaliteit::view(st, kijker, &vraag, today)?;
            let fotos = crate::datakwaliteit::fotos_for(st, kijker, vraag.instelling.as_deref())?;
            let fotos: Vec<serde_json::Value> = fotos
                .into_iter()
                .filter_map(|f| serde_json::from_str::<serde_json::Value>(f.indicatoren.get()).ok())
                .collect();
            // The photo history per question, for the one instelling shown.
            let grafieken = match d.instellingen.as_slice() {
                [one] => crate::datakwaliteit::fotografieken(&fotos, &one.brin),
                _ => Vec::new(),
            };
            let fotoscores: Vec<Vec<Option<f64>>> = fotos.iter().map(crate::datakwaliteit::foto_scores).collect();
            Ok((rol(kijker), naam, vraag, d, (fotos, fotoscores), grafieken, instelling_keuzes(st, kijker)))
        },
        move |(rol, naam, vraag, d, (fotos, fotoscores), grafieken, instellingen)| {
            let ctx = minijinja::context! {
                naam => naam,
                rol => rol,
                gekozen => vraag.instelling,
                keuzes => instellingen,
                d => d,
                fotos => fotos,
                fotoscores => fotoscores,
                grafieken => grafieken,
                k => views.data.k(),
            };
            views.views.render(StatusCode::OK, "datakwaliteit.html", ctx)
        },
    )
    .await
}

/// The instellingen an SBB viewer may pick (BRIN, naam); none for a school.
fn instelling_keuzes(st: &AppState, kijker: &Kijker) -> Vec<(String, String)> {
    if matches!(kijker, Kijker::Sbb) {
        st.data.names().instellingen.iter().map(|(b, n)| (b.clone(), n.clone())).collect()
    } else {
        Vec::new()
    }
}

/// `GET /dashboard/praktijkverklaringen`: the Praktijkloket's counts tab — valid
/// praktijkverklaringen per year, sector, qualification and doelgroep; a school its own, SBB
/// national or one instelling (the same counting as `/v1/praktijkverklaringen/aantallen`).
pub async fn praktijkverklaringen(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let vraag = match crate::api::alleen_instelling(&req, "/dashboard/praktijkverklaringen") {
        Ok(v) => v,
        Err(p) => return p.to_response(),
    };
    let views = state.clone();
    pagina(
        &req,
        &state,
        move |st, kijker, naam| {
            kijker.geen_lezer("het overzicht van praktijkverklaringen")?;
            let selectie =
                Vraag { instelling: vraag.instelling, ..Vraag::default() }.check(kijker, &st.data.names())?;
            let aantallen = crate::praktijkverklaringen::tellen(st, selectie.brin.clone())?;
            Ok((rol(kijker), naam, selectie.brin, aantallen, instelling_keuzes(st, kijker)))
        },
        move |(rol, naam, gekozen, a, keuzes)| {
            let ctx = minijinja::context! {
                naam => naam,
                rol => rol,
                gekozen => gekozen,
                keuzes => keuzes,
                a => a,
            };
            views.views.render(StatusCode::OK, "praktijkverklaringen.html", ctx)
        },
    )
    .await
}

/// `GET /dashboard/signalen`: SBB's "Signalen" tab — leerbedrijven flagged by the safety signal
/// for the window ending last month (or `?tot=jjjj-mm`). SBB staff only (a school gets a 403 page
/// and the tab is not in its menu); every read is audited.
pub async fn signalen(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let Some(s) = session(&req, &state.keys) else {
        return login_page(&state, StatusCode::OK, "", None);
    };
    let tot = match req.query_string() {
        "" => crate::signalen::standaard_tot(),
        q => match q.strip_prefix("tot=").and_then(|m| m.parse().ok()) {
            Some(m) => m,
            None => {
                return Problem::invalid_input(
                    "alleen ?tot=jjjj-mm",
                    vec![bpv_web::InvalidParam {
                        name: "tot".into(),
                        code: "pattern".into(),
                        reason: "een maand als jjjj-mm".into(),
                        reason_en: "a month as yyyy-mm".into(),
                    }],
                )
                .to_response();
            }
        },
    };
    let st = state.clone();
    let outcome = web::block(move || -> Result<_, Problem> {
        let Some((kijker, naam)) = viewer(&st, &s)? else {
            return Ok(None);
        };
        if !matches!(kijker, Kijker::Sbb) {
            return Err(Problem::forbidden("signalen zijn alleen voor SBB-medewerkers"));
        }
        let mut conn = st.conn()?;
        let store = |e: bpv_store::StoreError| bpv_web::problem::internal_error(&e);
        let lijst = crate::signalen::bereken(&mut conn, st.data.questionnaires(), &st.signaal, tot).map_err(store)?;
        let actor = bpv_store::repo::audit::Actor { kind: "medewerker", id: &s.account_id };
        crate::signalen::audit_read(&mut conn, actor, tot, lijst.len()).map_err(store)?;
        Ok(Some((naam, lijst)))
    })
    .await;
    match outcome {
        Ok(Ok(Some((naam, lijst)))) => {
            let ctx = minijinja::context! {
                naam => naam,
                rol => "sbb",
                tot => tot.to_string(),
                van => bpv_aggregation::veiligheid::venster_start(tot, state.signaal.venster_maanden).to_string(),
                signalen => lijst,
                min => state.signaal.min_respondenten,
                k => state.signaal.k,
                venster => state.signaal.venster_maanden,
            };
            state.views.render(StatusCode::OK, "signalen.html", ctx)
        }
        Ok(Ok(None)) => login_page(&state, StatusCode::OK, "", Some("Uw account is niet meer actief.")),
        Ok(Err(p)) => p.to_response(),
        Err(e) => bpv_web::problem::internal_error(&e).to_response(),
    }
}

/// `GET /dashboard/verbeterpunten` (and `.xlsx`, the same as a workbook): the verbeterpunten of the selection on the results page —
/// SBB staff always, a gemachtigde when the instelling opted in; at least k counted answers,
/// scrubbed and shuffled (`crate::verbeterpunten`); every read audited.
pub async fn verbeterpunten(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let Some(s) = session(&req, &state.keys) else {
        return login_page(&state, StatusCode::OK, "", None);
    };
    let vraag = match Vraag::parse(req.query_string(), &["thema"]) {
        Ok((v, _)) => v,
        Err(p) => return p.to_response(),
    };
    let terug = href(&vraag, None, None);
    let als_xlsx = req.path().ends_with(".xlsx");
    let xlsx_href = terug.replacen("/dashboard", "/dashboard/verbeterpunten.xlsx", 1);
    let st = state.clone();
    let outcome = web::block(move || -> Result<_, Problem> {
        let Some((kijker, naam)) = viewer(&st, &s)? else {
            return Ok(None);
        };
        let selectie = vraag.check(&kijker, &st.data.names())?;
        let inzage = crate::verbeterpunten::Inzage {
            actor: bpv_store::repo::audit::Actor { kind: actor_kind(&kijker), id: &s.account_id },
            bron: if als_xlsx { "dashboard-xlsx" } else { "dashboard" },
        };
        let v = crate::verbeterpunten::lees(&st, &kijker, &selectie, &inzage)?;
        Ok(Some((naam, report::SelectieDto::of(&selectie, &st.data.names()), v)))
    })
    .await;
    match outcome {
        Ok(Ok(Some((_, selectie, v)))) if als_xlsx => {
            crate::verbeterpunten::xlsx_response(&selectie, &v).unwrap_or_else(|p| p.to_response())
        }
        Ok(Ok(Some((naam, selectie, v)))) => {
            let ctx =
                minijinja::context! { naam => naam, s => selectie, v => v, terug => terug, xlsx_href => xlsx_href };
            state.views.render(StatusCode::OK, "verbeterpunten.html", ctx)
        }
        Ok(Ok(None)) => login_page(&state, StatusCode::OK, "", Some("Uw account is niet meer actief.")),
        Ok(Err(p)) => p.to_response(),
        Err(e) => bpv_web::problem::internal_error(&e).to_response(),
    }
}

/// `GET /dashboard/export.csv` and `.xlsx`: the export for the logged-in user (the workbook
/// with a sheet per group).
pub async fn export(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let Some(s) = session(&req, &state.keys) else {
        return Problem::unauthorized("log eerst in op /dashboard").to_response();
    };
    let st = state.clone();
    let (kijker, _) = match web::block(move || viewer(&st, &s)).await {
        Ok(Ok(Some(who))) => who,
        Ok(Ok(None)) => return Problem::unauthorized("uw account is niet meer actief").to_response(),
        Ok(Err(p)) => return p.to_response(),
        Err(e) => return bpv_web::problem::internal_error(&e).to_response(),
    };
    let als_xlsx = req.path().ends_with(".xlsx");
    let outcome = Vraag::parse(req.query_string(), &["thema"])
        .and_then(|(v, _)| v.check(&kijker, &state.data.names()))
        .and_then(|sel| {
            if als_xlsx {
                crate::api::resultaten_xlsx(&report::rapporten(&state.data, &sel))
            } else {
                let r = report::rapport(&state.data, &sel);
                let body = report::csv(&r).map_err(|e| bpv_web::problem::internal_error(&e))?;
                Ok(crate::api::bijlage("text/csv; charset=utf-8", "bpv-resultaten.csv", body))
            }
        });
    outcome.unwrap_or_else(|p| p.to_response())
}

/// `POST /dashboard/inloggen`: a gemachtigde, a lezer or an SBB staff member.
pub async fn login(req: HttpRequest, state: web::Data<AppState>, form: Option<web::Form<LoginForm>>) -> HttpResponse {
    if !bpv_web::cookies::same_origin(&req, state.secure_cookies) {
        return page(StatusCode::FORBIDDEN).body("Dit formulier kwam niet van deze site.");
    }
    let Some(form) = form else {
        return login_page(&state, StatusCode::BAD_REQUEST, "", Some("Vul uw e-mailadres en wachtwoord in."));
    };
    let LoginForm { email, wachtwoord } = form.into_inner();
    let st = state.clone();
    let email_shown = email.trim().to_owned();
    let outcome = bpv_web::service::blocking(move || {
        let mut conn = st.conn()?;
        let page = Page { bron: "dashboard", aud: AUD_DASHBOARD_SESSION, ttl_seconds: TTL_SECONDS };
        log_in(&mut conn, &st.keys, page, &email, &wachtwoord, account)
    })
    .await;
    match outcome {
        Ok(Some(token)) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/dashboard"))
            .insert_header((header::SET_COOKIE, cookie(&token, TTL_SECONDS, state.secure_cookies)))
            .finish(),
        Ok(None) => login_page(&state, StatusCode::UNAUTHORIZED, &email_shown, Some(ONJUIST)),
        Err(p) => p.to_response(),
    }
}

/// The active gemachtigde, lezer or SBB staff member with this address (the store keeps an
/// address to one active account).
fn account(conn: &mut DbConnection, email: &str) -> StoreResult<Option<Account>> {
    if let Some(g) = gemachtigden::find_active_by_email(conn, email)? {
        return Ok(Some(Account {
            kind: "gemachtigde",
            id: g.id,
            brin: Some(g.brin),
            rol: ROL_SCHOOL,
            password_hash: g.password_hash,
        }));
    }
    if let Some(l) = lezers::find_active_by_email(conn, email)? {
        return Ok(Some(Account {
            kind: "lezer",
            id: l.id,
            brin: Some(l.brin),
            rol: ROL_LEZER,
            password_hash: l.password_hash,
        }));
    }
    if let Some(m) = medewerkers::find_active_by_email(conn, email)? {
        return Ok(Some(Account {
            kind: "medewerker",
            id: m.id,
            brin: None,
            rol: ROL_SBB,
            password_hash: m.password_hash,
        }));
    }
    Ok(toezichthouders::find_active_by_email(conn, email)?.map(|t| Account {
        kind: "toezichthouder",
        id: t.id,
        brin: None,
        rol: ROL_TOEZICHT,
        password_hash: t.password_hash,
    }))
}

/// One instelling's photo of a quarter, as the photos page lists it.
#[derive(Debug, Serialize)]
struct FotoRij {
    brin: String,
    naam: String,
    aantal: serde_json::Value,
    /// The six questions' percentages (null: no score, or a photo taken before the question).
    scores: Vec<Option<f64>>,
    per_domein: serde_json::Value,
}

/// One domein summed over every instelling's photo of a quarter: the shares of questions 1, 2, 3
/// and 6 add up over instellingen (counts over disjoint sets of bpvo's); medians do not, and are
/// left out.
#[derive(Debug, Default, Serialize)]
struct DomeinSom {
    domein: String,
    aantal: u64,
    /// (teller, noemer) of erkend, keuzedeelErkend, tijdigBijDuoEnSbb, stagefonds.
    delen: [(u64, u64); 4],
    percentages: Vec<Option<f64>>,
}

const DOMEIN_VRAGEN: [&str; 4] = ["erkend", "keuzedeelErkend", "tijdigBijDuoEnSbb", "stagefonds"];

fn per_domein_som(rijen: &[FotoRij]) -> Vec<DomeinSom> {
    let mut som: std::collections::BTreeMap<String, DomeinSom> = std::collections::BTreeMap::new();
    for d in rijen.iter().filter_map(|r| r.per_domein.as_array()).flatten() {
        let Some(naam) = d["domein"].as_str() else { continue };
        let e =
            som.entry(naam.to_owned()).or_insert_with(|| DomeinSom { domein: naam.to_owned(), ..DomeinSom::default() });
        e.aantal += d["aantal"].as_u64().unwrap_or(0);
        for (i, key) in DOMEIN_VRAGEN.iter().enumerate() {
            e.delen[i].0 += d[key]["teller"].as_u64().unwrap_or(0);
            e.delen[i].1 += d[key]["noemer"].as_u64().unwrap_or(0);
        }
    }
    som.into_values()
        .map(|mut d| {
            d.percentages =
                d.delen.iter().map(|(t, n)| bpv_aggregation::datakwaliteit::Aandeel::new(*t, *n).percentage).collect();
            d
        })
        .collect()
}

/// `GET /dashboard/kwartaalfotos[?kwartaal=2026-K3]`: the quarterly data-quality photos of every
/// instelling, exactly as stored — for the inspectie and OCW (and SBB staff); each read audited.
/// Never the live view, records or survey results.
pub async fn kwartaalfotos(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let Some(s) = session(&req, &state.keys) else {
        return login_page(&state, StatusCode::OK, "", None);
    };
    let gevraagd = match alleen_kwartaal(req.query_string()) {
        Ok(k) => k,
        Err(p) => return p.to_response(),
    };
    let st = state.clone();
    let outcome = web::block(move || -> Result<Option<_>, Problem> {
        let mut conn = st.conn()?;
        let store = |e: bpv_store::StoreError| bpv_web::problem::internal_error(&e);
        let (naam, kind) = match s.rol {
            ROL_TOEZICHT => match toezichthouders::find_by_id(&mut conn, &s.account_id).map_err(store)? {
                Some(t) if t.actief && !sessies::is_ended(&mut conn, &s.jti).map_err(store)? => {
                    (format!("{} ({})", t.naam, t.organisatie), "toezichthouder")
                }
                _ => return Ok(None),
            },
            _ => match viewer(&st, &s)? {
                Some((Kijker::Sbb, naam)) => (naam, "medewerker"),
                Some(_) => {
                    return Err(Problem::forbidden(
                        "de kwartaalfoto's van alle instellingen zijn voor SBB en toezicht",
                    ));
                }
                None => return Ok(None),
            },
        };
        let fotos = bpv_store::repo::datakwaliteit::fotos(&mut conn, None).map_err(store)?;
        let mut kwartalen: Vec<String> = fotos.iter().map(|f| f.kwartaal.clone()).collect();
        kwartalen.dedup();
        let kwartaal = gevraagd.or_else(|| kwartalen.last().cloned());
        let rijen = foto_rijen(&fotos, kwartaal.as_deref(), &st.data.names());
        let actor = bpv_store::repo::audit::Actor { kind, id: &s.account_id };
        let detail = serde_json::json!({ "kwartaal": kwartaal });
        bpv_store::repo::audit::append(
            &mut conn,
            bpv_store::now_utc(),
            actor,
            None,
            "kwartaalfotos.bekeken",
            &detail,
            Some(rijen.len() as i64),
        )
        .map_err(store)?;
        let domeinen = per_domein_som(&rijen);
        Ok(Some((naam, s.rol, kwartalen, kwartaal, rijen, domeinen)))
    })
    .await;
    match outcome {
        Ok(Ok(Some((naam, rol, kwartalen, kwartaal, rijen, domeinen)))) => {
            let ctx = minijinja::context! {
                naam => naam,
                rol => if rol == ROL_TOEZICHT { "toezicht" } else { "sbb" },
                kwartalen => kwartalen,
                kwartaal => kwartaal,
                rijen => rijen,
                domeinen => domeinen,
                vragen => bpv_aggregation::datakwaliteit::VRAGEN,
                k => state.data.k(),
            };
            state.views.render(StatusCode::OK, "kwartaalfotos.html", ctx)
        }
        Ok(Ok(None)) => login_page(&state, StatusCode::OK, "", Some("Uw account is niet meer actief.")),
        Ok(Err(p)) => p.to_response(),
        Err(e) => bpv_web::problem::internal_error(&e).to_response(),
    }
}

/// The photos of one quarter as the photos page lists them.
fn foto_rijen(
    fotos: &[bpv_store::repo::datakwaliteit::Foto],
    kwartaal: Option<&str>,
    namen: &crate::data::Names,
) -> Vec<FotoRij> {
    fotos
        .iter()
        .filter(|f| Some(f.kwartaal.as_str()) == kwartaal)
        .filter_map(|f| serde_json::from_str::<serde_json::Value>(&f.indicatoren).ok().map(|v| (f, v)))
        .map(|(f, v)| FotoRij {
            naam: namen.instellingen.get(&f.brin).cloned().unwrap_or_default(),
            brin: f.brin.clone(),
            aantal: v["instelling"]["totaal"]["aantal"].clone(),
            scores: crate::datakwaliteit::foto_scores(&v),
            per_domein: v["instelling"]["perDomein"].clone(),
        })
        .collect()
}

/// The query of the photos page: `kwartaal` (`2026-K3`) at most, nothing else.
fn alleen_kwartaal(query: &str) -> Result<Option<String>, Problem> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let mut out = None;
    for (k, v) in pairs {
        let b = v.as_bytes();
        let geldig =
            b.len() == 7 && b[..4].iter().all(u8::is_ascii_digit) && &b[4..6] == b"-K" && (b'1'..=b'4').contains(&b[6]);
        match k.as_str() {
            "kwartaal" if geldig && out.is_none() => out = Some(v),
            "kwartaal" => {
                return Err(Problem::invalid_input(
                    "de vraag is ongeldig",
                    vec![crate::report::param(
                        "kwartaal",
                        "pattern",
                        "een kwartaal als 2026-K3, één keer",
                        "a quarter as 2026-K3, once",
                    )],
                ));
            }
            _ => {
                return Err(Problem::invalid_input(
                    "de vraag is ongeldig",
                    vec![crate::report::param(
                        &k,
                        "unknown",
                        "onbekende parameter; bekend is: kwartaal",
                        "unknown parameter; known: kwartaal",
                    )],
                ));
            }
        }
    }
    Ok(out)
}

/// `POST /dashboard/uitloggen`: ends the session on the server (a copy of the cookie stops
/// working too) and clears the cookie.
pub async fn logout(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if !bpv_web::cookies::same_origin(&req, state.secure_cookies) {
        return page(StatusCode::FORBIDDEN).body("Dit formulier kwam niet van deze site.");
    }
    if let Some(s) = session(&req, &state.keys) {
        let st = state.clone();
        let ended = bpv_web::service::blocking(move || {
            let mut conn = st.conn()?;
            log_out(&mut conn, &s.jti, s.exp).map_err(|e| bpv_web::problem::internal_error(&e))
        })
        .await;
        if let Err(p) = ended {
            return p.to_response();
        }
    }
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/dashboard"))
        .insert_header((header::SET_COOKIE, cookie("", 0, state.secure_cookies)))
        .finish()
}

/// `GET` of a form's target (a reload after logging in or out, a bookmarked URL): back to the
/// dashboard, which shows the login form or the results.
pub async fn back_to_dashboard() -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, "/dashboard")).finish()
}

/// `GET /dashboard.css`.
pub async fn css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(include_str!("../static/dashboard.css"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn session_cookie_is_http_only_strict_and_scoped_to_the_dashboard() {
        assert_eq!(
            cookie("t", TTL_SECONDS, false),
            "bpv_dashboard=t; HttpOnly; SameSite=Strict; Path=/dashboard; Max-Age=3600"
        );
        assert!(cookie("t", 1, true).ends_with("; Secure"));
    }

    #[test]
    fn links_keep_the_selection_and_change_one_thing() {
        let v = Vraag {
            van: Some("2024-01".into()),
            aanbieders: vec!["A1".into(), "A2".into()],
            groep: Some("studenten".into()),
            ..Vraag::default()
        };
        assert_eq!(
            href(&v, Some("begeleiding"), Some("praktijkopleiders")),
            "/dashboard?van=2024-01&totEnMet=&aanbieder=A1&aanbieder=A2&groep=praktijkopleiders&thema=begeleiding"
        );
        assert_eq!(href(&Vraag::default(), None, None), "/dashboard?van=&totEnMet=");
    }

    #[test]
    fn the_default_period_is_the_calendar_year_of_most_of_the_last_twelve_months() {
        let d = |y, m, dag| chrono::NaiveDate::from_ymd_opt(y, m, dag).unwrap();
        let p = |(a, b): (YearMonth, YearMonth)| format!("{a} {b}");
        // Eleven of the last twelve complete months lie in 2026.
        assert_eq!(p(standaardperiode(d(2026, 12, 4))), "2026-01 2026-12");
        // In January the last twelve complete months are exactly the year before.
        assert_eq!(p(standaardperiode(d(2026, 1, 1))), "2025-01 2025-12");
        assert_eq!(p(standaardperiode(d(2026, 2, 28))), "2025-01 2025-12");
        // Six complete months of this year against six of the last: this year.
        assert_eq!(p(standaardperiode(d(2026, 7, 1))), "2026-01 2026-12");
        assert_eq!(p(standaardperiode(d(2026, 6, 30))), "2025-01 2025-12");
    }
}
