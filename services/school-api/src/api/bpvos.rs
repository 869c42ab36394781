//! One bpvo addressed by its correlatieId: `PUT` (create or update), `GET` (as stored, with its
//! invitation plan), `DELETE` (withdraw: personal data removed at once). A school only ever sees
//! its own: another school's correlatieId is simply not found.

use actix_web::{HttpRequest, HttpResponse, web};
use bpv_store::UploadBron;
use bpv_store::models::BpvoRow;
use bpv_store::repo::{aanbieders, audit, bpvos, instellingen};
use bpv_web::auth::{ApiPrincipal, SCOPE_BPVO_WRITE};
use bpv_web::problem::internal_error;
use bpv_web::{InvalidParam, Problem};
use bpvo::BpvoRecord;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Reply;
use super::body::{media_type, read_limited};
use crate::state::AppState;
use crate::upload::{self, Incoming, Modus, Resultaat, Uitnodiging, UitnodigingStatus, UploadError, Uploader};
use actix_web::http::StatusCode;

/// Het antwoord op de upload van één bpvo.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnkelAntwoord {
    pub correlatie_id: String,
    pub aanbiedercode: String,
    pub resultaat: Resultaat,
    pub batch_id: String,
    pub uitnodiging: Option<Uitnodiging>,
}

/// Which bpvo, when a correlatieId is used under several of the school's aanbieders.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct Selectie {
    /// Aanbiedercode, alleen nodig als de correlatieId onder meer dan één van uw aanbieders bestaat.
    pub aanbiedercode: Option<String>,
}

/// Query of a single upload.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PutQuery {
    /// `true` haalt een ingetrokken bpvo terug (vastgelegd in het auditlog). Zonder dit wordt een PUT
    /// voor een ingetrokken bpvo geweigerd met code `ingetrokken`, zodat een volledige synchronisatie
    /// een intrekking nooit ongedaan maakt.
    pub herstellen: Option<bool>,
}

/// Een opgeslagen bpvo zoals de school die ziet.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BpvoWeergave {
    pub correlatie_id: String,
    pub aanbiedercode: String,
    pub leerbedrijf_code: String,
    pub crebo_code: String,
    pub leerweg_naam: String,
    /// Het keuzedeel waarvoor deze bpv het bpv-deel is (null: geen genoemd).
    pub keuzedeel_code: Option<String>,
    pub startdatum: NaiveDate,
    pub geplande_einddatum: NaiveDate,
    /// `actief`, `beeindigd` of `ingetrokken`.
    pub status: String,
    pub student: StudentWeergave,
    pub schoolnaam: Option<String>,
    pub locatiecode: Option<String>,
    pub ontvangen_op: chrono::DateTime<chrono::Utc>,
    pub bijgewerkt_op: chrono::DateTime<chrono::Utc>,
    pub uitnodiging: Uitnodiging,
}

/// Studentgegevens zoals opgeslagen (alle leeg na intrekking of na de bewaartermijn).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StudentWeergave {
    pub emailadres: Option<String>,
    pub studentcode: Option<String>,
    pub naam: Option<String>,
}

fn uploader(p: &ApiPrincipal, bron: UploadBron) -> Result<Uploader, Problem> {
    Ok(Uploader { brin: p.instelling()?.to_owned(), actor_kind: "client", actor_id: p.client_id.clone(), bron })
}

/// Upload errors as answers; store failures are logged with an incident id.
pub fn answer_error(e: UploadError) -> Problem {
    match e {
        UploadError::Problem(p) => *p,
        UploadError::Refused(a) => upload::refusal(&a),
        UploadError::Store(e) => internal_error(&e),
    }
}

/// Create or update one bpvo.
#[utoipa::path(put, path = "/v1/bpvos/{correlatieId}", operation_id = "zetBpvo", summary = "Maak of wijzig een bpvo", description = "Dezelfde gegevens nogmaals sturen is `unchanged` en schrijft niets.", tag = "bpvo",
    params(("correlatieId" = String, Path, description = "De correlatie-id van de school (1–64 zichtbare tekens)", pattern = "^[!-~]{1,64}$"), PutQuery),
    request_body = bpvo::BpvoRecord,
    security(("bearer" = ["bpvo:write"])),
    responses(
        (status = 201, body = EnkelAntwoord, description = "Aangemaakt"),
        (status = 200, body = EnkelAntwoord, description = "Bijgewerkt of ongewijzigd"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json", description = "Geen JSON (Content-Type: application/json)"),
    ))]
pub async fn put(
    req: HttpRequest,
    principal: ApiPrincipal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<PutQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, Problem> {
    principal.require_scope(SCOPE_BPVO_WRITE)?;
    let uploader = uploader(&principal, UploadBron::ApiEnkel)?;
    let herstellen = query.herstellen.unwrap_or(false);
    if media_type(&req) != "application/json" {
        return Err(Problem::unsupported_media_type("stuur het record als JSON (Content-Type: application/json)"));
    }
    let bytes = read_limited(&req, payload, state.limits.max_record_bytes).await?;
    let correlatie_id = path.into_inner();
    let mut record: BpvoRecord = serde_json::from_slice(&bytes).map_err(|e| bpv_web::problem::invalid_json(&e))?;
    match record.correlatie_id.as_deref().map(str::trim) {
        None | Some("") => record.correlatie_id = Some(correlatie_id.clone()),
        Some(body_id) if body_id != correlatie_id => {
            return Err(Problem::invalid_input(
                "de correlatieId in de body verschilt van die in het pad",
                vec![InvalidParam {
                    name: "correlatieId".into(),
                    code: "path_mismatch".into(),
                    reason: format!("in het pad staat {correlatie_id:?}, in de body {body_id:?}"),
                    reason_en: format!("path says {correlatie_id:?}, body says {body_id:?}"),
                }],
            ));
        }
        Some(_) => {}
    }
    let incoming = vec![Incoming::from_record(&record)];
    let st = state.clone();
    let instance = req.path().to_owned();
    super::blocking(move || {
        let mut conn = st.conn()?;
        let batch = upload::Batch { herstellen, ..upload::Batch::new(Modus::AllesOfNiets) };
        let batch_id = batch.id.clone();
        let antwoord = st.process(&mut conn, &uploader, incoming, &batch).map_err(|e| single_error(e, &instance))?;
        let r = antwoord.resultaten.into_iter().next().ok_or_else(|| Problem::internal("empty-batch"))?;
        let body = EnkelAntwoord {
            correlatie_id: r.correlatie_id.unwrap_or_default(),
            aanbiedercode: r.aanbiedercode.unwrap_or_default(),
            resultaat: r.resultaat,
            batch_id,
            uitnodiging: r.uitnodiging,
        };
        let status = if body.resultaat == Resultaat::Created { StatusCode::CREATED } else { StatusCode::OK };
        Ok(Reply::json(status, &body))
    })
    .await
    .map(Reply::into_response)
}

/// A single record's refusal speaks of the record at its own address, not of a batch and its
/// `?modus=gedeeltelijk` (which a PUT does not have).
fn single_error(e: UploadError, instance: &str) -> Problem {
    match e {
        UploadError::Refused(antwoord) => {
            let params = antwoord.resultaten.iter().flat_map(|r| r.fouten.iter().cloned()).collect();
            let mut p = Problem::invalid_input("het record is ongeldig; er is niets opgeslagen", params);
            p.instance = Some(instance.to_owned());
            strip_record_prefix(p)
        }
        other => strip_record_prefix(answer_error(other)),
    }
}

/// A single record's errors are named without the `records[0].` prefix of a batch.
fn strip_record_prefix(mut p: Problem) -> Problem {
    for ip in &mut p.invalid_params {
        if let Some(rest) = ip.name.strip_prefix("records[0].") {
            ip.name = rest.to_owned();
        }
    }
    p
}

/// The aanbiedercodes of the caller's instelling.
fn eigen_aanbieders(conn: &mut bpv_store::DbConnection, brin: &str) -> Result<Vec<String>, Problem> {
    Ok(aanbieders::list_for_brin(conn, brin)
        .map_err(|e| internal_error(&e))?
        .into_iter()
        .map(|a| a.aanbiedercode)
        .collect())
}

/// Find the caller's bpvo with this correlatieId (404 for anyone else's).
fn find_own(
    conn: &mut bpv_store::DbConnection,
    brin: &str,
    correlatie_id: &str,
    aanbiedercode: Option<&str>,
) -> Result<BpvoRow, Problem> {
    let mut eigen = eigen_aanbieders(conn, brin)?;
    eigen.retain(|c| aanbiedercode.is_none_or(|want| want == c));
    let mut rows = bpvos::find_by_correlatie_id(conn, &eigen, correlatie_id).map_err(|e| internal_error(&e))?;
    match rows.len() {
        0 => Err(Problem::not_found(format!("geen bpvo met correlatieId {correlatie_id:?} bij uw instelling"))),
        1 => Ok(rows.remove(0)),
        _ => Err(Problem::conflict(format!(
            "correlatieId {correlatie_id:?} bestaat onder meerdere van uw aanbieders ({}); geef ?aanbiedercode= mee",
            rows.iter().map(|r| r.aanbiedercode.as_str()).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// Read one bpvo with its invitation plan.
#[utoipa::path(get, path = "/v1/bpvos/{correlatieId}", operation_id = "leesBpvo", summary = "Lees een bpvo", description = "Zoals opgeslagen, met wanneer (of waarom niet) er wordt uitgenodigd.", tag = "bpvo",
    params(("correlatieId" = String, Path, description = "De correlatie-id van de school (1–64 zichtbare tekens)", pattern = "^[!-~]{1,64}$"), Selectie),
    security(("bearer" = ["bpvo:write"])),
    responses(
        (status = 200, body = BpvoWeergave),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Token zonder scope `bpvo:write`"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    principal: ApiPrincipal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<Selectie>,
) -> Result<HttpResponse, Problem> {
    principal.require_scope(SCOPE_BPVO_WRITE)?;
    let brin = principal.instelling()?.to_owned();
    let st = state.clone();
    super::blocking(move || {
        let mut conn = st.conn()?;
        let row = find_own(&mut conn, &brin, &path, query.aanbiedercode.as_deref())?;
        let instelling = instellingen::get(&mut conn, &brin).map_err(|e| internal_error(&e))?;
        let today = bpvo::vandaag();
        let stored = bpv_store::repo::invitations::for_bpvos(&mut conn, std::slice::from_ref(&row.id))
            .map_err(|e| internal_error(&e))?;
        let uitnodiging = if row.status == bpvo::BpvoStatus::Ingetrokken {
            Uitnodiging {
                status: UitnodigingStatus::Ingetrokken,
                datum: None,
                kanaal_student: None,
                reden: Some("de bpvo is ingetrokken; er wordt niemand uitgenodigd".into()),
            }
        } else if let Some(student) = stored.iter().find(|i| i.groep == bpvo::Groep::Student) {
            // The dispatcher made the invitation: report it — but never whether the student
            // answered (a school that knows who answered when could read that student's answers
            // off the results): sent is `uitgenodigd` until the survey closes, then `gesloten`.
            Uitnodiging {
                status: school_status(student.status, student.closes_on, today),
                datum: Some(student.sent_on.unwrap_or(student.scheduled_on)),
                kanaal_student: Some(upload::kanaal_naam(student.kanaal).into()),
                reden: student.cancel_reason.clone(),
            }
        } else {
            upload::plan_uitnodiging(
                &st.scheduling,
                row.geplande_einddatum,
                row.student_email.is_some(),
                instelling.neemt_deel_aan_directe_bevraging(),
                today,
            )
        };
        Ok(Reply::json(
            StatusCode::OK,
            &BpvoWeergave {
                correlatie_id: row.correlatie_id,
                aanbiedercode: row.aanbiedercode,
                leerbedrijf_code: row.leerbedrijf_id,
                crebo_code: row.crebo,
                leerweg_naam: row.leerweg,
                keuzedeel_code: row.keuzedeel_code,
                startdatum: row.startdatum,
                geplande_einddatum: row.geplande_einddatum,
                status: row.status.to_string(),
                student: StudentWeergave {
                    emailadres: row.student_email,
                    studentcode: row.studentcode,
                    naam: row.student_naam,
                },
                schoolnaam: row.schoolnaam,
                locatiecode: row.locatiecode,
                ontvangen_op: row.received_at.and_utc(),
                bijgewerkt_op: row.updated_at.and_utc(),
                uitnodiging,
            },
        ))
    })
    .await
    .map(Reply::into_response)
}

/// Withdraw a bpvo: status `ingetrokken`, personal data removed, no invitations.
#[utoipa::path(delete, path = "/v1/bpvos/{correlatieId}", operation_id = "trekBpvoIn", summary = "Trek een bpvo in", description = "Status `ingetrokken`, persoonsgegevens meteen verwijderd, niemand uitgenodigd.", tag = "bpvo",
    params(("correlatieId" = String, Path, description = "De correlatie-id van de school (1–64 zichtbare tekens)", pattern = "^[!-~]{1,64}$"), Selectie),
    security(("bearer" = ["bpvo:write"])),
    responses(
        (status = 204, description = "Ingetrokken"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Token zonder scope `bpvo:write`"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete(
    principal: ApiPrincipal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<Selectie>,
) -> Result<HttpResponse, Problem> {
    principal.require_scope(SCOPE_BPVO_WRITE)?;
    let brin = principal.instelling()?.to_owned();
    let client = principal.client_id.clone();
    let st = state.clone();
    super::blocking(move || {
        let mut conn = st.conn()?;
        let row = find_own(&mut conn, &brin, &path, query.aanbiedercode.as_deref())?;
        bpv_store::write_transaction(&mut conn, |conn| -> Result<(), bpv_store::StoreError> {
            if bpvos::withdraw(conn, &row.id, bpv_store::now_utc())? {
                audit::append(
                    conn,
                    bpv_store::now_utc(),
                    audit::Actor { kind: "client", id: &client },
                    Some(&brin),
                    "bpvo.withdraw",
                    &serde_json::json!({ "aanbiedercode": row.aanbiedercode, "correlatieId": row.correlatie_id }),
                    Some(1),
                )?;
            }
            Ok(())
        })
        .map_err(|e| internal_error(&e))?;
        Ok(Reply::empty(StatusCode::NO_CONTENT))
    })
    .await
    .map(Reply::into_response)
}

/// The invitation status a school may see: `gepland`, `uitgenodigd` (sent, survey open),
/// `gesloten` (survey closed) or `geannuleerd`; never whether the respondent answered.
fn school_status(
    status: bpv_scheduling::InvitationStatus,
    closes_on: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> UitnodigingStatus {
    match status {
        bpv_scheduling::InvitationStatus::Gepland => UitnodigingStatus::Gepland,
        bpv_scheduling::InvitationStatus::Geannuleerd => UitnodigingStatus::Geannuleerd,
        bpv_scheduling::InvitationStatus::Verstuurd | bpv_scheduling::InvitationStatus::Beantwoord
            if today < closes_on =>
        {
            UitnodigingStatus::Uitgenodigd
        }
        bpv_scheduling::InvitationStatus::Verstuurd | bpv_scheduling::InvitationStatus::Beantwoord => {
            UitnodigingStatus::Gesloten
        }
    }
}

#[cfg(test)]
mod tests {
    use super::school_status;
    use crate::upload::UitnodigingStatus as School;
    use bpv_scheduling::InvitationStatus::{Beantwoord, Geannuleerd, Gepland, Verstuurd};

    #[test]
    fn a_school_never_sees_whether_someone_answered() {
        let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        let (open, closes) = (d("2027-06-10"), d("2027-07-21"));
        assert_eq!(school_status(Verstuurd, closes, open), School::Uitgenodigd);
        assert_eq!(school_status(Beantwoord, closes, open), School::Uitgenodigd);
        assert_eq!(school_status(Verstuurd, closes, closes), School::Gesloten);
        assert_eq!(school_status(Beantwoord, closes, closes), School::Gesloten);
        assert_eq!(school_status(Gepland, closes, open), School::Gepland);
        assert_eq!(school_status(Geannuleerd, closes, open), School::Geannuleerd);
    }
}

/// Narrowing the list of the school's bpvo's; everything optional, every value checked (a 400
/// names each bad field).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct LijstQuery {
    /// Alleen deze status: `actief`, `beeindigd` of `ingetrokken`.
    pub status: Option<String>,
    /// Alleen bpvo's die op of na dit moment zijn aangemaakt of gewijzigd: een dag (`2026-11-01`,
    /// vanaf 00:00 Nederlandse tijd) of een moment (RFC 3339, `2026-11-01T06:00:00Z`).
    pub gewijzigd_vanaf: Option<String>,
    /// Alleen bpvo's met een geplande einddatum op of na deze dag (`jjjj-mm-dd`).
    pub einddatum_vanaf: Option<String>,
    /// Alleen bpvo's met een geplande einddatum op of voor deze dag (`jjjj-mm-dd`).
    pub einddatum_tot_en_met: Option<String>,
    /// Alleen deze aanbieder van uw instelling.
    pub aanbiedercode: Option<String>,
    /// Pagina, vanaf 1 (standaard 1).
    #[param(minimum = 1, maximum = 1_000_000)]
    pub pagina: Option<i64>,
    /// Bpvo's per pagina (standaard 50, hoogstens 200).
    #[param(minimum = 1, maximum = 200)]
    pub per_pagina: Option<i64>,
}

/// Eén bpvo in de lijst: wat een SIS nodig heeft om zijn records met de onze te vergelijken, zonder
/// persoonsgegevens (lees één bpvo voor de studentgegevens en de uitnodiging).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BpvoSamenvatting {
    pub correlatie_id: String,
    pub aanbiedercode: String,
    /// `actief`, `beeindigd` of `ingetrokken`.
    pub status: String,
    pub crebo_code: String,
    pub leerweg_naam: String,
    pub keuzedeel_code: Option<String>,
    pub startdatum: NaiveDate,
    pub geplande_einddatum: NaiveDate,
    pub bijgewerkt_op: chrono::DateTime<chrono::Utc>,
}

/// Een pagina met de bpvo's van de school.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BpvoLijst {
    /// Hoeveel bpvo's voldoen (over alle pagina's).
    pub totaal: i64,
    pub pagina: i64,
    pub per_pagina: i64,
    pub items: Vec<BpvoSamenvatting>,
}

fn bad(name: &str, reason: &str, reason_en: &str) -> InvalidParam {
    super::praktijkloket::param(name, "invalid", reason, reason_en)
}

fn parse_day(name: &str, value: Option<&str>, bad_params: &mut Vec<InvalidParam>) -> Option<NaiveDate> {
    let value = value?;
    match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            bad_params.push(bad(name, "geen datum (jjjj-mm-dd)", "not a date (yyyy-mm-dd)"));
            None
        }
    }
}

impl LijstQuery {
    /// The store's filter, or a 400 naming every bad field.
    fn filter(&self) -> Result<bpvos::ListFilter, Problem> {
        use chrono::TimeZone as _;
        let mut bad_params = Vec::new();
        let status = match self.status.as_deref() {
            None => None,
            Some(s) => match bpvo::BpvoStatus::ALL.into_iter().find(|st| st.as_str() == s) {
                Some(st) => Some(st),
                None => {
                    bad_params.push(bad(
                        "status",
                        "kies actief, beeindigd of ingetrokken",
                        "one of actief, beeindigd, ingetrokken",
                    ));
                    None
                }
            },
        };
        let changed_since = match self.gewijzigd_vanaf.as_deref() {
            None => None,
            Some(v) => {
                if let Ok(moment) = chrono::DateTime::parse_from_rfc3339(v) {
                    Some(moment.naive_utc())
                } else if let Ok(day) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
                    bpvo::TIJDZONE
                        .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
                        .earliest()
                        .map(|t| t.naive_utc())
                } else {
                    bad_params.push(bad(
                        "gewijzigdVanaf",
                        "geen dag (jjjj-mm-dd) of moment (RFC 3339)",
                        "neither a day (yyyy-mm-dd) nor a moment (RFC 3339)",
                    ));
                    None
                }
            }
        };
        let ending_from = parse_day("einddatumVanaf", self.einddatum_vanaf.as_deref(), &mut bad_params);
        let ending_until = parse_day("einddatumTotEnMet", self.einddatum_tot_en_met.as_deref(), &mut bad_params);
        if let (Some(from), Some(until)) = (ending_from, ending_until)
            && from > until
        {
            bad_params.push(bad("einddatumTotEnMet", "ligt voor einddatumVanaf", "is before einddatumVanaf"));
        }
        if bad_params.is_empty() {
            Ok(bpvos::ListFilter { status, changed_since, ending_from, ending_until })
        } else {
            Err(Problem::invalid_input("ongeldige selectie", bad_params))
        }
    }
}

/// The school's bpvo's, a page at a time, in a fixed order (aanbiedercode, correlatieId): to
/// compare what the SIS holds with what SBB holds, e.g. everything changed since the last sync.
#[utoipa::path(get, path = "/v1/bpvos", operation_id = "lijstBpvos", summary = "De bpvo's van uw instelling, per pagina", description = "In vaste volgorde (aanbiedercode, correlatieId), zonder persoonsgegevens: om wat het SIS heeft te vergelijken met wat SBB heeft, bijvoorbeeld alles wat sinds de vorige synchronisatie is gewijzigd.", tag = "bpvo",
    params(LijstQuery),
    security(("bearer" = ["bpvo:write"])),
    responses(
        (status = 200, body = BpvoLijst),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    principal: ApiPrincipal,
    state: web::Data<AppState>,
    query: web::Query<LijstQuery>,
) -> Result<HttpResponse, Problem> {
    principal.require_scope(SCOPE_BPVO_WRITE)?;
    let brin = principal.instelling()?.to_owned();
    let paging = super::praktijkloket::PaginaQuery { pagina: query.pagina, per_pagina: query.per_pagina };
    // Every bad field at once: the selection's and the paging's.
    let (filter, limits) = (query.filter(), paging.limits());
    let (filter, (pagina, per)) = match (filter, limits) {
        (Ok(f), Ok(l)) => (f, l),
        (Err(mut a), Err(b)) => {
            a.invalid_params.extend(b.invalid_params);
            return Err(a);
        }
        (Err(p), _) | (_, Err(p)) => return Err(p),
    };
    let st = state.clone();
    super::blocking(move || {
        let mut conn = st.conn()?;
        let mut eigen = eigen_aanbieders(&mut conn, &brin)?;
        if let Some(want) = query.aanbiedercode.as_deref() {
            if !eigen.iter().any(|c| c == want) {
                return Err(Problem::invalid_input(
                    "ongeldige selectie",
                    vec![bad(
                        "aanbiedercode",
                        "geen aanbieder van uw instelling",
                        "not an aanbieder of your instelling",
                    )],
                ));
            }
            eigen.retain(|c| c == want);
        }
        let (totaal, rows) =
            bpvos::list_page(&mut conn, &eigen, &filter, per, (pagina - 1) * per).map_err(|e| internal_error(&e))?;
        let items = rows
            .into_iter()
            .map(|r| BpvoSamenvatting {
                correlatie_id: r.correlatie_id,
                aanbiedercode: r.aanbiedercode,
                status: r.status.to_string(),
                crebo_code: r.crebo,
                leerweg_naam: r.leerweg,
                keuzedeel_code: r.keuzedeel_code,
                startdatum: r.startdatum,
                geplande_einddatum: r.geplande_einddatum,
                bijgewerkt_op: r.updated_at.and_utc(),
            })
            .collect();
        Ok(Reply::json(StatusCode::OK, &BpvoLijst { totaal, pagina, per_pagina: per, items }))
    })
    .await
    .map(Reply::into_response)
}
