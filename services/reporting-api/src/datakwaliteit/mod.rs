//! `GET /v1/datakwaliteit` and `GET /v1/datakwaliteit/fotos`, and what the dashboard's
//! data-quality tab shows: the indicators of `bpv_aggregation::datakwaliteit` per instelling
//! beside the national figures, the records behind each failing indicator for the school itself
//! (never for SBB or another school), and the quarterly photos exactly as they were stored.

use actix_web::{HttpRequest, HttpResponse, web};
use bpv_aggregation::datakwaliteit::{self, Aandeel, Afwijkingen, InstellingKwaliteit};
use bpv_store::repo::datakwaliteit as store_dq;
use bpv_web::Problem;
use bpv_web::auth::ApiPrincipal;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::value::RawValue;
use utoipa::ToSchema;

use crate::api::kijker;
use crate::report::{Kijker, niet_voor_lezers, param};
use crate::state::AppState;

pub mod cache;

pub use cache::Landelijk;
use cache::store_err;

/// De periode die wordt bestreken.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Periode {
    pub van: NaiveDate,
    pub tot_en_met: NaiveDate,
}

/// Het antwoord van `/v1/datakwaliteit`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Datakwaliteit {
    pub peildatum: NaiveDate,
    /// Bpvo's die in deze periode zijn begonnen (zonder de ingetrokken bpvo's).
    pub periode: Periode,
    /// Een school: de eigen; SBB: elke instelling, of de gevraagde.
    #[schema(value_type = Vec<Object>)]
    pub instellingen: Vec<InstellingKwaliteit>,
    pub landelijk: Landelijk,
    /// De zes vragen met hun score: voor de ene getoonde instelling (null als er meerdere worden
    /// getoond) naast de landelijke.
    pub vragen: Vec<VraagRij>,
    /// Voor een school: haar records achter elke indicator die niet voldoet. Null voor SBB.
    #[schema(value_type = Option<Object>)]
    pub afwijkingen: Option<Afwijkingen>,
}

/// Eén van de zes vragen met de score.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VraagRij {
    pub nummer: u8,
    pub vraag: String,
    /// De score van de instelling (null als de weergave meerdere instellingen bevat).
    #[schema(value_type = Option<Object>)]
    pub instelling: Option<Aandeel>,
    #[schema(value_type = Object)]
    pub landelijk: Aandeel,
}

/// What was asked: `instelling` (SBB) and `peildatum`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vraag {
    pub instelling: Option<String>,
    pub peildatum: Option<NaiveDate>,
}

impl Vraag {
    /// Parse the query; every bad key is named.
    pub fn parse(query: &str) -> Result<Vraag, Problem> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).map_err(|e| {
            Problem::invalid_input(
                "de query-string is ongeldig",
                vec![param("query", "syntax", e.to_string(), "invalid query")],
            )
        })?;
        let mut v = Vraag::default();
        let mut bad = Vec::new();
        for (k, value) in pairs {
            let value = value.trim();
            match k.as_str() {
                "instelling" if v.instelling.is_some() => {
                    bad.push(param(&k, "repeated", "mag maar één keer voorkomen", "may occur once"))
                }
                "instelling" if !value.is_empty() => v.instelling = Some(value.to_uppercase()),
                "peildatum" if v.peildatum.is_some() => {
                    bad.push(param(&k, "repeated", "mag maar één keer voorkomen", "may occur once"))
                }
                "peildatum" if !value.is_empty() => match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
                    Ok(d) if (2000..=2199).contains(&chrono::Datelike::year(&d)) => v.peildatum = Some(d),
                    Ok(_) => bad.push(param(&k, "range", "een datum van 2000 tot 2200", "a date from 2000 to 2200")),
                    Err(_) => bad.push(param(&k, "pattern", "een datum als jjjj-mm-dd", "a date as yyyy-mm-dd")),
                },
                "instelling" | "peildatum" => {}
                _ => bad.push(param(
                    &k,
                    "unknown",
                    "onbekende parameter; bekend zijn: instelling, peildatum",
                    "unknown parameter; known: instelling, peildatum",
                )),
            }
        }
        if bad.is_empty() { Ok(v) } else { Err(Problem::invalid_input("de vraag is ongeldig", bad)) }
    }
}

/// The instelling a viewer may see: a school its own (asking for another is forbidden), SBB any;
/// never a lezer (the record-level view is not for them).
fn scope(kijker: &Kijker, asked: Option<&str>) -> Result<Option<String>, Problem> {
    match (kijker, asked) {
        (Kijker::Lezer { .. }, _) => Err(niet_voor_lezers("de datakwaliteit")),
        (Kijker::School { brin }, Some(a)) if !a.eq_ignore_ascii_case(brin) => Err(Problem::forbidden(format!(
            "dit token geeft alleen toegang tot de datakwaliteit van instelling {brin}"
        ))),
        (Kijker::School { brin }, _) => Ok(Some(brin.clone())),
        (Kijker::Sbb, a) => Ok(a.map(str::to_uppercase)),
    }
}

/// Peildata worth a national computation: today, and the first day of a quarter (the photos'
/// peildata) up to today. Any other date would miss the cache and cost a national scan.
pub fn meaningful(peildatum: NaiveDate, today: NaiveDate) -> bool {
    use chrono::Datelike;
    peildatum == today || (peildatum < today && peildatum.day() == 1 && [1, 4, 7, 10].contains(&peildatum.month()))
}

/// The data-quality view for a viewer (blocking: reads the database).
pub fn view(state: &AppState, kijker: &Kijker, vraag: &Vraag, today: NaiveDate) -> Result<Datakwaliteit, Problem> {
    let brin = scope(kijker, vraag.instelling.as_deref())?;
    let peildatum = vraag.peildatum.unwrap_or(today);
    if !meaningful(peildatum, today) {
        return Err(Problem::invalid_input(
            "de vraag is ongeldig",
            vec![param(
                "peildatum",
                "peildatum",
                "kies vandaag of het begin van een kwartaal tot en met vandaag (1 januari, 1 april, 1 juli of \
                 1 oktober), de peildata van de kwartaalfoto's",
                "choose today or the first day of a quarter up to today",
            )],
        ));
    }
    let mut conn = state.conn()?;
    let o = state.kwaliteit.get(&mut conn, peildatum)?;
    let instellingen: Vec<InstellingKwaliteit> = match &brin {
        Some(b) => {
            let list: Vec<_> = o.instellingen.iter().filter(|i| &i.brin == b).cloned().collect();
            if list.is_empty() {
                return Err(Problem::invalid_input(
                    "de vraag is ongeldig",
                    vec![param("instelling", "unknown", "onbekende instelling (BRIN)", "unknown instelling")],
                ));
            }
            list
        }
        None => o.instellingen.clone(),
    };
    let afwijkingen = match kijker {
        // The school's own records, read fresh.
        Kijker::School { brin } => {
            let rows = store_dq::rijen(&mut conn, o.van, o.tot_en_met, Some(brin)).map_err(store_err)?;
            let duo = store_dq::alleen_bij_duo(&mut conn, o.van, o.tot_en_met, Some(brin)).map_err(store_err)?;
            let deelname = instellingen.first().is_some_and(|i| i.directe_studentbevraging);
            Some(datakwaliteit::afwijkingen(&rows, &duo, deelname))
        }
        Kijker::Sbb | Kijker::Lezer { .. } => None,
    };
    let eigen = match instellingen.as_slice() {
        [one] => Some(datakwaliteit::scores(&one.totaal, &o.landelijk.sbb)),
        _ => None,
    };
    let vragen = o
        .landelijk
        .vragen
        .iter()
        .enumerate()
        .map(|(n, v)| VraagRij {
            nummer: v.nummer,
            vraag: v.vraag.to_owned(),
            instelling: eigen.as_ref().and_then(|e| e.get(n)).map(|e| e.score.clone()),
            landelijk: v.score.clone(),
        })
        .collect();
    Ok(Datakwaliteit {
        peildatum,
        periode: Periode { van: o.van, tot_en_met: o.tot_en_met },
        instellingen,
        landelijk: o.landelijk.clone(),
        vragen,
        afwijkingen,
    })
}

/// Data quality of the bpvo registrations: the six questions of SBB's dashboard.
///
/// Per instelling (SBB: every instelling or `instelling`; a school: its own) beside the national
/// figures, in all, per sector and per domein: erkend leerbedrijf; keuzedeel erkend; on time at
/// DUO and at SBB (with median delays and the disagreements); SBB's reference data available
/// (national); erkenning decided in time (national, and bpvo's that started before it); fit for
/// the Stagefonds; and the student-email share. A school also gets its records behind each
/// failing indicator. Covers the bpvo's that started in the year before `peildatum` (default
/// today).
#[utoipa::path(get, path = "/v1/datakwaliteit", operation_id = "datakwaliteit", summary = "Datakwaliteit van de bpvo-registratie", description = "De zes vragen van het dashboard datakwaliteit (erkend leerbedrijf, keuzedeel, tijdig bij DUO en SBB, White Label beschikbaar, erkenning op tijd, geschikt voor het Stagefonds) per instelling (SBB: elke instelling of `instelling`; een school: de eigen), sector en domein, naast landelijk; een school krijgt ook haar meldingen per vraag.", tag = "datakwaliteit",
    params(
        ("instelling" = Option<String>, Query, description = "BRIN; alleen voor SBB (het token van een school is beperkt tot de eigen instelling)", pattern = "^[0-9]{2}[A-Za-z]{2}$"),
        ("peildatum" = Option<String>, Query, description = "jjjj-mm-dd (2000–2199); standaard vandaag", pattern = "^(20[0-9]{2}|21[0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"),
    ),
    responses(
        (status = 200, body = Datakwaliteit),
        (status = 400, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 401, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 403, body = bpv_web::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn api(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: ApiPrincipal,
) -> Result<HttpResponse, Problem> {
    let kijker = kijker(&principal)?;
    let vraag = Vraag::parse(req.query_string())?;
    let today = bpvo::vandaag();
    let d = web::block(move || view(&state, &kijker, &vraag, today))
        .await
        .map_err(|e| bpv_web::problem::internal_error(&e))??;
    Ok(HttpResponse::Ok().json(d))
}

/// Eén kwartaalfoto, met de indicatoren precies zoals ze zijn opgeslagen toen de foto werd genomen.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Foto {
    pub kwartaal: String,
    pub peildatum: NaiveDate,
    pub instelling: String,
    /// Wanneer de foto is genomen (UTC).
    pub genomen_op: String,
    #[schema(value_type = Object)]
    pub indicatoren: Box<RawValue>,
}

/// The photos a viewer may see, oldest quarter first (blocking).
pub fn fotos_for(state: &AppState, kijker: &Kijker, instelling: Option<&str>) -> Result<Vec<Foto>, Problem> {
    let brin = scope(kijker, instelling)?;
    let mut conn = state.conn()?;
    store_dq::fotos(&mut conn, brin.as_deref())
        .map_err(store_err)?
        .into_iter()
        .map(|f| {
            Ok(Foto {
                kwartaal: f.kwartaal,
                peildatum: f.peildatum,
                instelling: f.brin,
                genomen_op: f.created_at.and_utc().to_rfc3339(),
                indicatoren: RawValue::from_string(f.indicatoren).map_err(|e| bpv_web::problem::internal_error(&e))?,
            })
        })
        .collect()
}

/// A stored photo's score of question `n` (0-based): from its `vragen`, or for a photo taken
/// before the six questions, question 1 from its `erkend` and nothing for the others.
pub fn foto_score(foto: &serde_json::Value, n: usize) -> Option<f64> {
    match &foto["vragen"] {
        serde_json::Value::Array(list) => list.get(n).and_then(|v| v["score"]["percentage"].as_f64()),
        _ if n == 0 => foto["instelling"]["totaal"]["erkend"]["percentage"].as_f64(),
        _ => None,
    }
}

/// The six scores of a stored photo ([`foto_score`]).
pub fn foto_scores(foto: &serde_json::Value) -> Vec<Option<f64>> {
    (0..datakwaliteit::VRAGEN.len()).map(|n| foto_score(foto, n)).collect()
}

/// Per question, the chart of one instelling's quarterly scores (server-rendered SVG, 0–100%),
/// from its photos oldest first; `None` for a question no photo has a score for. A photo taken
/// before a question existed has a gap there (older photos keep only question 1's `erkend`).
pub fn fotografieken(fotos: &[serde_json::Value], brin: &str) -> Vec<Option<String>> {
    let mut eigen: Vec<&serde_json::Value> =
        fotos.iter().filter(|f| f["instelling"]["brin"].as_str() == Some(brin)).collect();
    eigen.sort_by(|a, b| a["kwartaal"].as_str().cmp(&b["kwartaal"].as_str()));
    let labels: Vec<String> = eigen.iter().map(|f| f["kwartaal"].as_str().unwrap_or("").to_owned()).collect();
    datakwaliteit::VRAGEN
        .iter()
        .enumerate()
        .map(|(n, vraag)| {
            let waarden: Vec<Option<f64>> = eigen.iter().map(|f| foto_score(f, n)).collect();
            waarden.iter().any(Option::is_some).then(|| {
                let lijn = crate::grafiek::Lijn { naam: brin.to_owned(), klasse: "instelling", waarden };
                crate::grafiek::lijngrafiek(
                    &format!("grafiek-vraag-{}", n + 1),
                    vraag,
                    &labels,
                    &[lijn],
                    (0.0, 100.0),
                    |_| true,
                )
            })
        })
        .collect()
}

/// De foto's.
#[derive(Debug, Serialize, ToSchema)]
pub struct Fotos {
    pub fotos: Vec<Foto>,
}

/// Quarterly data-quality photos.
///
/// Taken by `bpv-dispatcher snapshot` four times a year and never changed afterwards: each holds
/// the indicators of one instelling (in all and per sector) as they were on its peildatum.
#[utoipa::path(get, path = "/v1/datakwaliteit/fotos", operation_id = "datakwaliteitFotos", summary = "De kwartaalfoto's van de datakwaliteit", description = "Vier keer per jaar gemaakt door `bpv-dispatcher snapshot` en daarna nooit meer gewijzigd.", tag = "datakwaliteit",
    params(("instelling" = Option<String>, Query, description = "BRIN; alleen voor SBB", pattern = "^[0-9]{2}[A-Za-z]{2}$")),
    responses(
        (status = 200, body = Fotos),
        (status = 400, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 401, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 403, body = bpv_web::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn fotos(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: ApiPrincipal,
) -> Result<HttpResponse, Problem> {
    let kijker = kijker(&principal)?;
    let vraag = Vraag::parse(req.query_string())?;
    if vraag.peildatum.is_some() {
        return Err(Problem::invalid_input(
            "de vraag is ongeldig",
            vec![param("peildatum", "unknown", "/v1/datakwaliteit/fotos kent alleen instelling", "only instelling")],
        ));
    }
    let fotos = web::block(move || fotos_for(&state, &kijker, vraag.instelling.as_deref()))
        .await
        .map_err(|e| bpv_web::problem::internal_error(&e))??;
    Ok(HttpResponse::Ok().json(Fotos { fotos }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_today_and_quarter_starts_are_computed() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let today = d("2026-12-02");
        for ok in ["2026-12-02", "2026-10-01", "2026-07-01", "2020-01-01"] {
            assert!(meaningful(d(ok), today), "{ok}");
        }
        for bad in ["2026-12-01", "2026-07-02", "2027-01-01", "2199-04-01", "2026-03-31"] {
            assert!(!meaningful(d(bad), today), "{bad}");
        }
    }
}
