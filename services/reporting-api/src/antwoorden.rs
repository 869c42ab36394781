//! `GET /v1/resultaten/antwoorden` (JSON) and `/v1/resultaten/antwoorden/export.csv`: one row per
//! answer of the school's own bpvo's — no names, addresses or free text — served only on the
//! mutual-TLS listener, to a client certificate whose OIN is the instelling's registered OIN
//! *and* a token of that instelling with `resultaten:read`. Every read is audited.

use std::collections::BTreeMap;

use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use bpv_store::now_utc;
use bpv_store::repo::reporting::{AnswerFilter, AnswerRow, Page};
use bpv_store::repo::{audit, instellingen, reporting};
use bpv_web::Problem;
use bpv_web::auth::{ApiPrincipal, SCOPE_RESULTATEN_READ};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::mtls::ClientCert;
use crate::report::{Kijker, Vraag, groep_naam, param};
use crate::state::AppState;

/// Eén antwoord.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AntwoordRij {
    /// Een pseudoniem van het antwoord: stabiel (hetzelfde antwoord, hetzelfde pseudoniem), maar geen
    /// waarde die de school kent — niet de correlatieId, studentcode, naam of adres — zodat een rij niet
    /// naar een student te herleiden is ("niet direct herleidbaar").
    pub pseudoniem: String,
    pub aanbieder: String,
    pub locatie: Option<String>,
    pub leerweg: String,
    pub crebo: String,
    pub sector: Option<String>,
    /// `studenten` of `praktijkopleiders`.
    pub groep: String,
    pub vragenlijstversie: String,
    /// De maand van de geplande einddatum, jjjj-mm.
    pub maand: String,
    pub cijfer: i32,
    /// Itemcode → antwoord (1–5; null = niet van toepassing).
    #[schema(value_type = Object)]
    pub items: BTreeMap<String, Option<u8>>,
}

/// Eén pagina met rijen.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Antwoorden {
    pub instelling: String,
    /// Deze pagina (vanaf 1).
    pub pagina: i64,
    pub paginagrootte: i64,
    /// Rijen die aan de filters voldoen, over alle pagina's.
    pub totaal: i64,
    /// Rijen op deze pagina.
    pub aantal: usize,
    pub antwoorden: Vec<AntwoordRij>,
    #[serde(rename = "_links")]
    pub links: Links,
}

/// Links naar deze pagina en de volgende (in HAL-stijl, zoals de NL API Design Rules aanraden).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Links {
    #[serde(rename = "self")]
    pub zelf: Href,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<Href>,
}

/// Een link.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Href {
    pub href: String,
}

/// Rows per page unless `paginagrootte` says otherwise, and at most.
pub const PAGINAGROOTTE: i64 = 1_000;
/// The largest page.
pub const MAX_PAGINAGROOTTE: i64 = 5_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Formaat {
    Json,
    Csv,
}

impl Formaat {
    fn as_str(self) -> &'static str {
        match self {
            Formaat::Json => "json",
            Formaat::Csv => "csv",
        }
    }
}

/// One row per answer of the instelling's own bpvo's (mutual TLS + token).
///
/// Served only on the mutual-TLS listener (`mtls.listen`). The client certificate must chain to
/// a configured trust anchor (PKIoverheid) and carry the instelling's registered OIN in
/// `Subject.serialNumber`; the token must belong to that instelling and hold `resultaten:read`.
/// Filters as `/v1/resultaten`; `groep` defaults to studenten. Paged: `pagina` (from 1) and
/// `paginagrootte` (default 1,000, at most 5,000); `_links.next` is there while more follow.
#[utoipa::path(get, path = "/v1/resultaten/antwoorden", operation_id = "antwoorden", summary = "Eén rij per antwoord op de eigen bpvo's van de instelling", description = "Alleen op het adres met wederzijdse TLS (`mtls.listen`), met token.", tag = "resultaten",
    params(
        ("pagina" = Option<i64>, Query, description = "Pagina, vanaf 1", minimum = 1),
        ("paginagrootte" = Option<i64>, Query, description = "Rijen per pagina (standaard 1000, hoogstens 5000)", minimum = 1, maximum = 5000),
        ("van" = Option<String>, Query, description = "Eerste maand, jjjj-mm", pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$"),
        ("totEnMet" = Option<String>, Query, description = "Laatste maand, jjjj-mm", pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$"),
        ("aanbieder" = Option<Vec<String>>, Query, description = "Onderwijsaanbieder(s)", explode = true),
        ("locatie" = Option<Vec<String>>, Query, description = "Onderwijslocatie(s)", explode = true),
        ("leerweg" = Option<String>, Query, description = "BOL of BBL", pattern = "^[Bb][BbOo][Ll]$"),
        ("sector" = Option<String>, Query, description = "Sector, zoals /v1/filters die noemt"),
        ("crebo" = Option<String>, Query, description = "Kwalificatie", pattern = "^[0-9]{5}$"),
        ("groep" = Option<String>, Query, description = "studenten (standaard) of praktijkopleiders", pattern = "^(studenten?|praktijkopleiders?)$"),
    ),
    responses(
        (status = 200, body = Antwoorden),
        (status = 400, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 401, body = bpv_web::Problem, content_type = "application/problem+json", description = "Geen of ongeldig token"),
        (status = 403, body = bpv_web::Problem, content_type = "application/problem+json", description = "Geen, verlopen of onbekend clientcertificaat; OIN hoort niet bij de instelling van het token; geen scope"),
    ),
    security(("bearer" = [])))]
pub async fn json(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, Problem> {
    let (brin, totaal, page, rows) = read(&req, &state, Formaat::Json).await?;
    let page = page.unwrap_or(Page { offset: 0, limit: PAGINAGROOTTE });
    let pagina = page.offset / page.limit + 1;
    let antwoorden: Vec<AntwoordRij> = rows.into_iter().map(|r| rij(r, &state.pseudoniem_sleutel)).collect();
    let link = |p: i64| {
        let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
            .unwrap_or_default()
            .into_iter()
            .filter(|(k, _)| k != "pagina")
            .collect();
        pairs.push(("pagina".into(), p.to_string()));
        Href { href: format!("{}?{}", req.path(), serde_urlencoded::to_string(&pairs).unwrap_or_default()) }
    };
    let links = Links { zelf: link(pagina), next: (page.offset + page.limit < totaal).then(|| link(pagina + 1)) };
    Ok(HttpResponse::Ok().json(Antwoorden {
        instelling: brin,
        pagina,
        paginagrootte: page.limit,
        totaal,
        aantal: antwoorden.len(),
        antwoorden,
        links,
    }))
}

/// All matching rows as CSV (RFC 4180 commas, UTF-8), one column per item in questionnaire order;
/// not paged.
#[utoipa::path(get, path = "/v1/resultaten/antwoorden/export.csv", operation_id = "antwoordenCsv", summary = "Alle rijen als CSV", description = "RFC 4180 (komma's, UTF-8), één kolom per vraag in de volgorde van de vragenlijst; niet gepagineerd.", tag = "resultaten",
    responses(
        (status = 200, content_type = "text/csv", body = String),
        (status = 401, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 403, body = bpv_web::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn csv(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, Problem> {
    let (brin, _, _, rows) = read(&req, &state, Formaat::Csv).await?;
    let rows: Vec<AntwoordRij> = rows.into_iter().map(|r| rij(r, &state.pseudoniem_sleutel)).collect();
    // Item columns: every item of the versions present, in questionnaire order.
    let mut codes: Vec<String> = Vec::new();
    let mut versions: Vec<&str> = rows.iter().map(|r| r.vragenlijstversie.as_str()).collect();
    versions.sort_unstable();
    versions.dedup();
    for v in versions {
        if let Some(q) = state.data.questionnaires().by_version(v) {
            for (_, item) in q.items() {
                if item.code != "cijfer" && !codes.contains(&item.code) {
                    codes.push(item.code.clone());
                }
            }
        }
    }
    let internal = |e: &dyn std::fmt::Display| bpv_web::problem::internal_error(e);
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let mut head: Vec<&str> = vec![
        "pseudoniem",
        "aanbieder",
        "locatie",
        "leerweg",
        "crebo",
        "sector",
        "groep",
        "vragenlijstversie",
        "maand",
        "cijfer",
    ];
    head.extend(codes.iter().map(String::as_str));
    w.write_record(bpv_web::export::csv_rij(head.iter().copied())).map_err(|e| internal(&e))?;
    for r in &rows {
        let mut rec = vec![
            r.pseudoniem.clone(),
            r.aanbieder.clone(),
            r.locatie.clone().unwrap_or_default(),
            r.leerweg.clone(),
            r.crebo.clone(),
            r.sector.clone().unwrap_or_default(),
            r.groep.clone(),
            r.vragenlijstversie.clone(),
            r.maand.clone(),
            r.cijfer.to_string(),
        ];
        for c in &codes {
            rec.push(match r.items.get(c) {
                Some(Some(v)) => v.to_string(),
                Some(None) => "nvt".into(),
                None => String::new(),
            });
        }
        w.write_record(bpv_web::export::csv_rij(rec.iter().map(String::as_str))).map_err(|e| internal(&e))?;
    }
    let body = w.into_inner().map_err(|e| internal(&e))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"bpv-antwoorden-{brin}.csv\"")))
        .body(body))
}

/// The pseudonym of an answer: HMAC-SHA256 of its id under a key derived from the server's
/// secret (`auth.jwt_secret`), 32 hex digits. The school cannot reverse it or compute it; it
/// changes only when the secret does.
pub fn pseudoniem(key: &[u8], answer_id: &str) -> String {
    use hmac::{Hmac, Mac};
    // HMAC accepts a key of any length, so this always succeeds.
    let Ok(mut mac) = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key) else { return String::new() };
    mac.update(b"bpv-antwoord:");
    mac.update(answer_id.as_bytes());
    let mut hex = hex::encode(mac.finalize().into_bytes());
    hex.truncate(32);
    hex
}

/// The pseudonym key, derived from the server's secret (never the secret itself).
pub fn pseudoniem_sleutel(secret: &str) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::new().chain_update(b"bpv-pseudoniem-sleutel:").chain_update(secret.as_bytes()).finalize().to_vec()
}

fn rij(r: AnswerRow, key: &[u8]) -> AntwoordRij {
    // Only the items: the stored JSON also holds the free text, which stays out.
    let items = serde_json::from_str::<serde_json::Value>(&r.antwoorden)
        .ok()
        .and_then(|v| v.get("items").cloned())
        .and_then(|v| serde_json::from_value::<BTreeMap<String, Option<u8>>>(v).ok())
        .unwrap_or_default()
        .into_iter()
        .filter(|(code, _)| code != "cijfer")
        .collect();
    AntwoordRij {
        pseudoniem: pseudoniem(key, &r.id),
        aanbieder: r.aanbiedercode,
        locatie: r.locatiecode,
        leerweg: r.leerweg,
        crebo: r.crebo,
        sector: r.sector,
        groep: bpvo::Groep::parse(&r.groep).map(groep_naam).unwrap_or("onbekend").to_owned(),
        vragenlijstversie: r.questionnaire_version,
        maand: r.maand,
        cijfer: r.cijfer,
        items,
    }
}

/// Check certificate, token and OIN in that order, then read and audit.
type Gelezen = (String, i64, Option<Page>, Vec<AnswerRow>);

/// `pagina` and `paginagrootte` from the query's extra pairs; errors go with the other bad keys.
fn page_of(extra: &[(String, String)], fouten: &mut Vec<bpv_web::InvalidParam>) -> Page {
    let mut get = |name: &str, min: i64, max: i64, default: i64| -> i64 {
        let values: Vec<&String> = extra.iter().filter(|(k, _)| k == name).map(|(_, v)| v).collect();
        match values.as_slice() {
            [] => default,
            [v] => match v.parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => n,
                _ => {
                    fouten.push(param(
                        name,
                        "range",
                        format!("een geheel getal van {min} tot en met {max}"),
                        format!("a whole number from {min} to {max}"),
                    ));
                    default
                }
            },
            _ => {
                fouten.push(param(name, "repeated", "deze parameter mag maar één keer voorkomen", "may occur once"));
                default
            }
        }
    };
    let limit = get("paginagrootte", 1, MAX_PAGINAGROOTTE, PAGINAGROOTTE);
    let pagina = get("pagina", 1, 1_000_000, 1);
    Page { offset: (pagina - 1) * limit, limit }
}

async fn read(req: &HttpRequest, state: &AppState, formaat: Formaat) -> Result<Gelezen, Problem> {
    let oin = ClientCert::oin(req.conn_data::<ClientCert>())?.to_owned();
    let principal = ApiPrincipal::extract(req).await?;
    principal.require_scope(SCOPE_RESULTATEN_READ)?;
    if principal.is_sbb() {
        return Err(Problem::forbidden(
            "niet-geaggregeerde resultaten zijn alleen voor de instelling zelf; gebruik een token van de instelling",
        ));
    }
    let brin = principal.instelling()?.to_owned();
    let paged: &[&str] = if formaat == Formaat::Json { &["pagina", "paginagrootte"] } else { &[] };
    let (mut vraag, extra) = Vraag::parse(req.query_string(), paged)?;
    let page = (formaat == Formaat::Json).then(|| page_of(&extra, &mut vraag.fouten));
    let selectie = vraag.check(&Kijker::School { brin: brin.clone() }, &state.data.names())?;
    let filter = AnswerFilter {
        brin: brin.clone(),
        van: selectie.van.map(|m| m.to_string()),
        tot_en_met: selectie.tot_en_met.map(|m| m.to_string()),
        aanbieders: selectie.aanbieders.clone(),
        locaties: selectie.locaties.clone(),
        leerweg: selectie.leerweg.clone(),
        sector: selectie.sector.clone(),
        crebo: selectie.crebo.clone(),
        groep: selectie.groep.as_str().to_owned(),
    };
    let mut filters: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string()).unwrap_or_default() {
        filters.entry(k).or_default().push(v);
    }
    let st = state.clone();
    let client_id = principal.client_id.clone();
    let store = |e: bpv_store::StoreError| bpv_web::problem::internal_error(&e);
    web::block(move || -> Result<Gelezen, Problem> {
        let mut conn = st.conn()?;
        let registered = instellingen::find(&mut conn, &brin).map_err(store)?.and_then(|i| i.oin);
        match registered {
            None => {
                return Err(oin_problem(format!(
                    "instelling {brin} heeft geen OIN geregistreerd; SBB legt het vast (bpv admin instelling set-participation --oin)"
                )));
            }
            Some(r) if r != oin => {
                return Err(oin_problem(format!(
                    "het clientcertificaat (OIN {oin}) hoort niet bij instelling {brin} van dit token"
                )));
            }
            Some(_) => {}
        }
        let (totaal, rows) = reporting::answers_of_school(&mut conn, &filter, page).map_err(store)?;
        audit::append(
            &mut conn,
            now_utc(),
            audit::Actor { kind: "certificaat", id: &oin },
            Some(&brin),
            "resultaten.antwoorden",
            &json!({ "clientId": client_id, "endpoint": "/v1/resultaten/antwoorden", "formaat": formaat.as_str(), "filters": filters }),
            Some(rows.len() as i64),
        )
        .map_err(store)?;
        Ok((brin, totaal, page, rows))
    })
    .await
    .map_err(|e| bpv_web::problem::internal_error(&e))?
}

fn oin_problem(detail: String) -> Problem {
    Problem::new(StatusCode::FORBIDDEN, "oin-hoort-niet-bij-instelling", "Certificaat hoort niet bij de instelling")
        .detail(detail)
}

/// On the plain listener: point to the mutual-TLS one.
pub async fn alleen_mtls() -> HttpResponse {
    Problem::new(StatusCode::FORBIDDEN, "mutual-tls-vereist", "Alleen via mutual TLS").detail(
        "niet-geaggregeerde resultaten worden alleen geserveerd op het mTLS-adres van de resultaten-API, met een PKIoverheid-clientcertificaat (docs/api.md)",
    )
    .to_response()
}
