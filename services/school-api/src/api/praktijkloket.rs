//! The Praktijkloket-API: a school's SIS creates begeleidingsdocumenten (keyed by its own id),
//! records a beoordeling, issues a praktijkverklaring from a document and withdraws one. Scope
//! `praktijkloket:write`, bounded to the token's instelling: another school's document or
//! verklaring is simply not found. The rules live in the `praktijkleren` crate; this module reads
//! and answers.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use bpv_store::DbConnection;
use bpv_store::repo::audit::{self, Actor};
use bpv_store::repo::praktijkloket::{self as repo, DocumentRow, Stored, VerklaringRow};
use bpv_store::repo::referentie;
use bpv_web::auth::{ApiPrincipal, SCOPE_PRAKTIJKLOKET_WRITE};
use bpv_web::problem::{internal_error, params_from_validation};
use bpv_web::{InvalidParam, Problem};
use chrono::NaiveDate;
use praktijkleren::{Begeleidingsdocument, Beoordeling, BeoordelingRecord, DocumentRecord, Weigering};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::{media_type, read_limited};
use super::{Reply, idempotentie};
use crate::state::AppState;

/// At most this many items per page.
pub const MAX_PER_PAGINA: i64 = 200;

/// Een opgeslagen begeleidingsdocument zoals de school het ziet.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentWeergave {
    pub document_id: String,
    /// `actief` of `ingetrokken`.
    pub status: String,
    pub locatiecode: String,
    pub leerbedrijf_code: String,
    pub crebo_code: String,
    pub werkprocessen: Vec<String>,
    pub startdatum: NaiveDate,
    pub einddatum: NaiveDate,
    pub doelgroep: String,
    /// De naam van de leerling (leeg zodra de persoonsgegevens zijn verwijderd).
    pub leerling_naam: Option<String>,
    pub praktijkopleider_naam: Option<String>,
    pub leerdoelen: Option<String>,
    /// De nieuwste beoordeling, als die er is.
    pub beoordeling: Option<BeoordelingWeergave>,
    /// Het beoordelingsverzoek per mail aan de praktijkopleider, zodra dat is gepland (14 dagen vóór de
    /// einddatum, als het document nog geen beoordeling heeft).
    pub beoordelingsverzoek: Option<VerzoekWeergave>,
    /// Nummers van de verklaringen die erop zijn afgegeven, oudste eerst.
    pub praktijkverklaringen: Vec<String>,
}

/// Een beoordeling zoals opgeslagen.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BeoordelingWeergave {
    /// `praktijkopleider` (via de link in de mail) of `school` (via deze API).
    pub door: String,
    pub beoordeeld_door: Option<String>,
    pub datum: NaiveDate,
    pub werkprocessen: Vec<OordeelWeergave>,
}

/// Hoe het beoordelingsverzoek aan de praktijkopleider ervoor staat.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerzoekWeergave {
    /// `gepland` (de mail wacht op zijn dag), `verstuurd`, `ingevuld` (de beoordeling hierboven
    /// kwam via de link binnen) of `afgemeld` (de praktijkopleider zag ervan af: leg de
    /// beoordeling via deze API vast).
    #[schema(example = "verstuurd")]
    pub status: String,
    /// De dag waarop de mail moet (of moest) worden verstuurd.
    pub gepland_op: NaiveDate,
    /// De dag waarop de mail is verstuurd.
    pub verstuurd_op: Option<NaiveDate>,
    /// De laatste dag waarop de link werkt.
    pub open_tot: NaiveDate,
}

/// Eén oordeel.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OordeelWeergave {
    pub code: String,
    /// `beheerst` of `nogNiet`.
    pub oordeel: String,
}

/// Een praktijkverklaring.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerklaringWeergave {
    /// `PV-2027-000001`.
    pub nummer: String,
    pub verificatiecode: String,
    /// Waar iedereen haar kan controleren.
    pub verificatie_url: String,
    pub document_id: String,
    pub crebo_code: String,
    pub leerbedrijf_code: String,
    pub leerling_naam: String,
    pub doelgroep: String,
    /// De beheerste werkprocessen.
    pub werkprocessen: Vec<String>,
    pub afgegeven_op: NaiveDate,
    /// `geldig` of `ingetrokken`.
    pub status: String,
    pub ingetrokken_op: Option<NaiveDate>,
    pub reden_intrekking: Option<String>,
}

/// Een pagina van een lijst.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pagina<T> {
    pub totaal: i64,
    pub pagina: i64,
    pub per_pagina: i64,
    pub items: Vec<T>,
}

/// Paging of a list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PaginaQuery {
    /// Vanaf 1 (standaard 1).
    #[param(minimum = 1, maximum = 1_000_000)]
    pub pagina: Option<i64>,
    /// Items per pagina (standaard 50, hoogstens 200).
    #[param(minimum = 1, maximum = 200)]
    pub per_pagina: Option<i64>,
}

/// The highest page number asked for (beyond it the offset would mean nothing).
pub const MAX_PAGINA: i64 = 1_000_000;

impl PaginaQuery {
    /// Page number and size, each checked (400 naming the field otherwise).
    pub(crate) fn limits(&self) -> Result<(i64, i64), Problem> {
        self.limits_with(50, MAX_PER_PAGINA)
    }

    /// [`Self::limits`] with another default and largest page size.
    pub(crate) fn limits_with(&self, default_per: i64, max_per: i64) -> Result<(i64, i64), Problem> {
        let pagina = self.pagina.unwrap_or(1);
        let per = self.per_pagina.unwrap_or(default_per);
        let mut bad = Vec::new();
        if !(1..=MAX_PAGINA).contains(&pagina) {
            bad.push(param(
                "pagina",
                "range",
                &format!("pagina ligt tussen 1 en {MAX_PAGINA}"),
                &format!("pagina is between 1 and {MAX_PAGINA}"),
            ));
        }
        if !(1..=max_per).contains(&per) {
            bad.push(param(
                "perPagina",
                "range",
                &format!("perPagina ligt tussen 1 en {max_per}"),
                &format!("perPagina is between 1 and {max_per}"),
            ));
        }
        if bad.is_empty() { Ok((pagina, per)) } else { Err(Problem::invalid_input("ongeldige paginering", bad)) }
    }
}

/// Het intrekken van een verklaring.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Intrekking {
    /// Waarom (1–500 tekens, zonder regeleinden), bijv. "naam verkeerd gespeld".
    #[schema(
        value_type = String,
        required = true,
        min_length = 1,
        max_length = 500,
        example = "naam verkeerd gespeld",
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub reden: Option<String>,
}

pub(crate) fn param(name: &str, code: &str, reason: &str, reason_en: &str) -> InvalidParam {
    InvalidParam { name: name.into(), code: code.into(), reason: reason.into(), reason_en: reason_en.into() }
}

fn today() -> NaiveDate {
    bpvo::vandaag()
}

/// The principal's instelling, with the scope checked.
fn instelling(p: &ApiPrincipal) -> Result<String, Problem> {
    p.require_scope(SCOPE_PRAKTIJKLOKET_WRITE)?;
    Ok(p.instelling()?.to_owned())
}

async fn json_body<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
) -> Result<T, Problem> {
    Ok(json_body_bytes(req, payload, state).await?.0)
}

/// The JSON body parsed, and as sent (an Idempotency-Key's request hash covers the bytes).
async fn json_body_bytes<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
) -> Result<(T, web::Bytes), Problem> {
    if media_type(req) != "application/json" {
        return Err(Problem::unsupported_media_type("stuur JSON (Content-Type: application/json)"));
    }
    let bytes = read_limited(req, payload, state.limits.max_record_bytes).await?;
    let value = serde_json::from_slice(&bytes).map_err(|e| bpv_web::problem::invalid_json(&e))?;
    Ok((value, bytes))
}

fn store(e: bpv_store::StoreError) -> Problem {
    internal_error(&e)
}

fn own_document(conn: &mut DbConnection, brin: &str, document_id: &str) -> Result<DocumentRow, Problem> {
    repo::find_document(conn, brin, document_id)
        .map_err(store)?
        .ok_or_else(|| Problem::not_found(format!("geen begeleidingsdocument {document_id:?} bij uw instelling")))
}

fn own_verklaring(conn: &mut DbConnection, brin: &str, nummer: &str) -> Result<VerklaringRow, Problem> {
    repo::find_verklaring(conn, brin, nummer)
        .map_err(store)?
        .ok_or_else(|| Problem::not_found(format!("geen praktijkverklaring {nummer:?} bij uw instelling")))
}

/// A document that can still be assessed and issued from: not withdrawn, and its personal data
/// not yet purged (a year after its end; the SIS may send it again to start over).
fn usable(row: &DocumentRow) -> Result<Begeleidingsdocument, Problem> {
    if row.status == repo::DOCUMENT_INGETROKKEN {
        return Err(Problem::conflict(format!("begeleidingsdocument {:?} is ingetrokken", row.document_id)));
    }
    if row.leerling_naam.is_none() {
        return Err(Problem::conflict(format!(
            "de persoonsgegevens van begeleidingsdocument {:?} zijn verwijderd (bewaartermijn); stuur het opnieuw",
            row.document_id
        )));
    }
    row.to_domain().map_err(store)
}

fn client_actor(p: &ApiPrincipal) -> (&'static str, String) {
    ("client", p.client_id.clone())
}

fn document_weergave(conn: &mut DbConnection, row: &DocumentRow) -> Result<DocumentWeergave, Problem> {
    let beoordeling = match repo::latest_beoordeling(conn, &row.id).map_err(store)? {
        None => None,
        Some(b) => Some(BeoordelingWeergave {
            werkprocessen: (b.to_domain().map_err(store)?.oordelen.iter())
                .map(|(c, o)| OordeelWeergave { code: c.to_string(), oordeel: o.as_str().to_owned() })
                .collect(),
            door: b.rol,
            beoordeeld_door: b.beoordeeld_door,
            datum: b.datum,
        }),
    };
    let verklaringen = repo::verklaringen_of_document(conn, &row.id).map_err(store)?;
    let verzoek = bpv_store::repo::beoordelingsverzoeken::for_document(conn, &row.id).map_err(store)?;
    Ok(DocumentWeergave {
        document_id: row.document_id.clone(),
        status: row.status.clone(),
        locatiecode: row.locatiecode.clone(),
        leerbedrijf_code: row.leerbedrijf_id.clone(),
        crebo_code: row.crebo.clone(),
        werkprocessen: repo::codes(&row.werkprocessen).map(str::to_owned).collect(),
        startdatum: row.startdatum,
        einddatum: row.einddatum,
        doelgroep: row.doelgroep.clone(),
        leerling_naam: row.leerling_naam.clone(),
        praktijkopleider_naam: row.praktijkopleider_naam.clone(),
        leerdoelen: row.leerdoelen.clone(),
        beoordeling,
        beoordelingsverzoek: verzoek.map(|v| VerzoekWeergave {
            status: v.status.as_str().to_owned(),
            gepland_op: v.scheduled_on,
            verstuurd_op: v.sent_on,
            open_tot: v.closes_on,
        }),
        praktijkverklaringen: verklaringen.into_iter().map(|v| v.nummer).collect(),
    })
}

/// The public address of a verification code.
pub fn verificatie_url(state: &AppState, code: &str) -> String {
    format!("{}/verificatie/{code}", state.public_url.trim_end_matches('/'))
}

fn verklaring_weergave(state: &AppState, v: VerklaringRow, document_id: String) -> VerklaringWeergave {
    VerklaringWeergave {
        verificatie_url: verificatie_url(state, &v.verificatiecode),
        nummer: v.nummer,
        verificatiecode: v.verificatiecode,
        document_id,
        crebo_code: v.crebo,
        leerbedrijf_code: v.leerbedrijf_id,
        leerling_naam: v.leerling_naam,
        doelgroep: v.doelgroep,
        werkprocessen: repo::codes(&v.werkprocessen).map(str::to_owned).collect(),
        afgegeven_op: v.afgegeven_op,
        status: v.status,
        ingetrokken_op: v.ingetrokken_op,
        reden_intrekking: v.reden_intrekking,
    }
}

/// Create or update a begeleidingsdocument under the SIS's own id.
#[utoipa::path(put, path = "/v1/begeleidingsdocumenten/{documentId}", operation_id = "zetBegeleidingsdocument", summary = "Maak of wijzig een begeleidingsdocument", description = "Onder de eigen id van het SIS; nogmaals dezelfde gegevens sturen verandert niets.",
    tag = "praktijkloket",
    params(("documentId" = String, Path, description = "Het eigen id van het SIS (1–64 zichtbare tekens, zonder / ? #)", pattern = "^[!\"$-.0->@-~]{1,64}$")),
    request_body = praktijkleren::DocumentRecord,
    security(("bearer" = ["praktijkloket:write"])),
    responses(
        (status = 201, body = DocumentWeergave, description = "Aangemaakt"),
        (status = 200, body = DocumentWeergave, description = "Bijgewerkt of ongewijzigd"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "Elk ongeldig veld genoemd"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Het document is ingetrokken"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_document(
    req: HttpRequest,
    principal: ApiPrincipal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, Problem> {
    let brin = instelling(&principal)?;
    let record: DocumentRecord = json_body(&req, payload, &state).await?;
    let document_id = path.into_inner();
    let (kind, actor_id) = client_actor(&principal);
    let st = state.clone();
    super::blocking(move || {
        let mut conn = st.conn()?;
        let brin_typed = bpvo::Brin::parse(&brin).map_err(|e| Problem::forbidden(e.nl))?;
        let mut lookup_error = None;
        let document = Begeleidingsdocument::from_record(&brin_typed, &document_id, &record, |c| {
            repo::dossier(&mut conn, c.as_str()).map_err(|e| lookup_error = Some(e)).ok().flatten()
        });
        if let Some(e) = lookup_error {
            return Err(store(e));
        }
        let document = document.map_err(|e| {
            Problem::invalid_input("het begeleidingsdocument is ongeldig", params_from_validation("", &e))
        })?;
        bpv_store::write_transaction(&mut conn, |conn| {
            if let Some(old) = repo::find_document(conn, &brin, &document_id).map_err(store)?
                && old.status == repo::DOCUMENT_INGETROKKEN
            {
                return Err(Problem::conflict(format!("begeleidingsdocument {document_id:?} is ingetrokken")));
            }
            let now = bpv_store::now_utc();
            let (stored, row) = repo::upsert_document(conn, DocumentRow::new(&document, now)).map_err(store)?;
            let status = match stored {
                Stored::Created => StatusCode::CREATED,
                Stored::Updated | Stored::Unchanged => StatusCode::OK,
            };
            if stored != Stored::Unchanged {
                let action = if stored == Stored::Created {
                    "begeleidingsdocument.aangemaakt"
                } else {
                    "begeleidingsdocument.gewijzigd"
                };
                let detail = serde_json::json!({ "documentId": document_id, "crebo": row.crebo });
                audit::append(conn, now, Actor { kind, id: &actor_id }, Some(&brin), action, &detail, None)
                    .map_err(store)?;
            }
            Ok(Reply::json(status, &document_weergave(conn, &row)?))
        })
    })
    .await
    .map(Reply::into_response)
}

/// Read a begeleidingsdocument with its newest beoordeling and its verklaringen.
#[utoipa::path(get, path = "/v1/begeleidingsdocumenten/{documentId}", operation_id = "leesBegeleidingsdocument", summary = "Lees een begeleidingsdocument", description = "Met de nieuwste beoordeling en de praktijkverklaringen die erop zijn afgegeven.",
    tag = "praktijkloket",
    params(("documentId" = String, Path, description = "Het eigen id van het SIS (1–64 zichtbare tekens, zonder / ? #)", pattern = "^[!\"$-.0->@-~]{1,64}$")),
    security(("bearer" = ["praktijkloket:write"])),
    responses(
        (status = 200, body = DocumentWeergave),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "Niet bij uw instelling"),
    ))]
pub async fn get_document(
    principal: ApiPrincipal,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let brin = instelling(&principal)?;
    let st = state.clone();
    super::blocking(move || {
        let mut conn = st.conn()?;
        let row = own_document(&mut conn, &brin, &path)?;
        Ok(Reply::json(StatusCode::OK, &document_weergave(&mut conn, &row)?))
    })
    .await
    .map(Reply::into_response)
}

/// The instelling's begeleidingsdocumenten, newest first.
#[utoipa::path(get, path = "/v1/begeleidingsdocumenten", operation_id = "lijstBegeleidingsdocumenten", summary = "De begeleidingsdocumenten van uw instelling", description = "Nieuwste eerst, per pagina.",
    tag = "praktijkloket",
    params(PaginaQuery),
    security(("bearer" = ["praktijkloket:write"])),
    responses(
        (status = 200, body = Pagina<DocumentWeergave>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_documents(
    principal: ApiPrincipal,
    state: web::Data<AppState>,
    query: web::Query<PaginaQuery>,
) -> Result<HttpResponse, Problem> {
    let brin = instelling(&principal)?;
    let (pagina, per) = query.limits()?;
    let st = state.clone();
    super::blocking(move || {
        let mut conn = st.conn()?;
        let (totaal, rows) = repo::list_documents(&mut conn, &brin, per, (pagina - 1) * per).map_err(store)?;
        let items = rows.iter().map(|r| document_weergave(&mut conn, r)).collect::<Result<Vec<_>, _>>()?;
        Ok(Reply::json(StatusCode::OK, &Pagina { totaal, pagina, per_pagina: per, items }))
    })
    .await
    .map(Reply::into_response)
}

/// Withdraw a begeleidingsdocument: no assessment, no verklaring from it any more (verklaringen
/// already issued stay as they are; withdraw those on their own).
#[utoipa::path(delete, path = "/v1/begeleidingsdocumenten/{documentId}", operation_id = "trekBegeleidingsdocumentIn", summary = "Trek een begeleidingsdocument in", description = "Daarna geen beoordeling en geen praktijkverklaring meer op dit document; al afgegeven verklaringen blijven zoals ze zijn (trek die apart in).",
    tag = "praktijkloket",
    params(("documentId" = String, Path, description = "Het eigen id van het SIS (1–64 zichtbare tekens, zonder / ? #)", pattern = "^[!\"$-.0->@-~]{1,64}$")),
    security(("bearer" = ["praktijkloket:write"])),
    responses(
        (status = 204, description = "Ingetrokken (ook als het dat al was)"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_document(
    principal: ApiPrincipal,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let brin = instelling(&principal)?;
    let (kind, actor_id) = client_actor(&principal);
    let st = state.clone();
    super::blocking(move || {
        let mut conn = st.conn()?;
        bpv_store::write_transaction(&mut conn, |conn| {
            let row = own_document(conn, &brin, &path)?;
            if row.status != repo::DOCUMENT_INGETROKKEN {
                let now = bpv_store::now_utc();
                repo::set_document_status(conn, &row.id, repo::DOCUMENT_INGETROKKEN, now).map_err(store)?;
                let detail = serde_json::json!({ "documentId": row.document_id });
                audit::append(
                    conn,
                    now,
                    Actor { kind, id: &actor_id },
                    Some(&brin),
                    "begeleidingsdocument.ingetrokken",
                    &detail,
                    None,
                )
                .map_err(store)?;
            }
            Ok(Reply::empty(StatusCode::NO_CONTENT))
        })
    })
    .await
    .map(Reply::into_response)
}

/// Record the school's beoordeling of a document: a verdict on each of its werkprocessen.
#[utoipa::path(post, path = "/v1/begeleidingsdocumenten/{documentId}/beoordelingen", operation_id = "legBeoordelingVast", summary = "Leg de beoordeling van een document vast", description = "Het oordeel van de school per werkproces van het document.",
    tag = "praktijkloket",
    params(("documentId" = String, Path, description = "Het eigen id van het SIS (1–64 zichtbare tekens, zonder / ? #)", pattern = "^[!\"$-.0->@-~]{1,64}$"), ("Idempotency-Key" = Option<String>, Header, description = "Maakt een herhaald verzoek veilig: dezelfde sleutel met hetzelfde verzoek geeft binnen 24 uur het eerste antwoord (Idempotent-Replayed: true) en doet niets nog eens; 1–255 zichtbare ASCII-tekens, bijvoorbeeld een UUID", pattern = "^[!-~]{1,255}$")),
    request_body = praktijkleren::BeoordelingRecord,
    security(("bearer" = ["praktijkloket:write"])),
    responses(
        (status = 201, body = DocumentWeergave, description = "Vastgelegd; het document met deze beoordeling"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "Elk ongeldig veld genoemd"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Het document is ingetrokken, of zijn persoonsgegevens zijn na de bewaartermijn verwijderd (stuur het document opnieuw)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Idempotency-Key eerder gebruikt voor een ander verzoek"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn post_beoordeling(
    req: HttpRequest,
    principal: ApiPrincipal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, Problem> {
    let brin = instelling(&principal)?;
    let (record, bytes): (BeoordelingRecord, _) = json_body_bytes(&req, payload, &state).await?;
    let (kind, actor_id) = client_actor(&principal);
    let sleutel = idempotentie::sleutel(&req, &actor_id, &bytes)?;
    let st = state.clone();
    super::blocking(move || {
        let mut conn = st.conn()?;
        bpv_store::write_transaction(&mut conn, |conn| {
            idempotentie::eenmalig(conn, sleutel.as_ref(), |conn| {
                let row = own_document(conn, &brin, &path)?;
                let document = usable(&row)?;
                let beoordeling = Beoordeling::from_record(&document, &record, today()).map_err(|e| {
                    Problem::invalid_input("de beoordeling is ongeldig", params_from_validation("", &e))
                })?;
                let now = bpv_store::now_utc();
                repo::insert_beoordeling(conn, &repo::BeoordelingRow::new(&row.id, &beoordeling, now))
                    .map_err(store)?;
                let detail =
                    serde_json::json!({ "documentId": row.document_id, "beheerst": beoordeling.beheerst().len() });
                audit::append(
                    conn,
                    now,
                    Actor { kind, id: &actor_id },
                    Some(&brin),
                    "beoordeling.vastgelegd",
                    &detail,
                    None,
                )
                .map_err(store)?;
                Ok(Reply::json(StatusCode::CREATED, &document_weergave(conn, &row)?))
            })
        })
    })
    .await
    .map(Reply::into_response)
}

/// An unguessable verification code: 16 characters of Crockford's base32 (80 bits), in groups of
/// four (`K7Q2-M9XD-4HPA-W3NE`), without the letters people confuse (I, L, O, U).
pub fn new_verificatiecode() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..16).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// Issue a praktijkverklaring from a document and its newest beoordeling.
#[utoipa::path(post, path = "/v1/begeleidingsdocumenten/{documentId}/praktijkverklaring", operation_id = "geefPraktijkverklaringAf", summary = "Geef een praktijkverklaring af", description = "Uit een document en zijn nieuwste beoordeling.",
    tag = "praktijkloket",
    params(("documentId" = String, Path, description = "Het eigen id van het SIS (1–64 zichtbare tekens, zonder / ? #)", pattern = "^[!\"$-.0->@-~]{1,64}$"), ("Idempotency-Key" = Option<String>, Header, description = "Maakt een herhaald verzoek veilig: dezelfde sleutel met hetzelfde verzoek geeft binnen 24 uur het eerste antwoord (Idempotent-Replayed: true) en doet niets nog eens; 1–255 zichtbare ASCII-tekens, bijvoorbeeld een UUID", pattern = "^[!-~]{1,255}$")),
    security(("bearer" = ["praktijkloket:write"])),
    responses(
        (status = 201, body = VerklaringWeergave, description = "Afgegeven"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Er is al een geldige verklaring van dit document, of het document is ingetrokken"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Geen beoordeling, niets beheerst, het leerbedrijf was niet erkend, of de Idempotency-Key hoorde bij een ander verzoek"),
    ))]
pub async fn post_verklaring(
    req: HttpRequest,
    principal: ApiPrincipal,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let brin = instelling(&principal)?;
    let (kind, actor_id) = client_actor(&principal);
    let sleutel = idempotentie::sleutel(&req, &actor_id, b"")?;
    let st = state.clone();
    super::blocking(move || {
        let mut conn = st.conn()?;
        bpv_store::write_transaction(&mut conn, |conn| {
            idempotentie::eenmalig(conn, sleutel.as_ref(), |conn| {
                let row = own_document(conn, &brin, &path)?;
                let document = usable(&row)?;
                let beoordeling = repo::latest_beoordeling(conn, &row.id)
                    .map_err(store)?
                    .map(|b| b.to_domain())
                    .transpose()
                    .map_err(store)?;
                let erkenningen = referentie::erkenningen_for(conn, &row.leerbedrijf_id)
                    .map_err(store)?
                    .into_iter()
                    .filter_map(|e| erkenning(&e))
                    .collect::<Vec<_>>();
                let eerdere = repo::verklaringen_of_document(conn, &row.id)
                    .map_err(store)?
                    .iter()
                    .map(VerklaringRow::to_domain)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(store)?;
                let day = today();
                let nummer = repo::next_nummer(conn, chrono::Datelike::year(&day)).map_err(store)?;
                let verklaring = praktijkleren::issue(
                    &document,
                    beoordeling.as_ref(),
                    &erkenningen,
                    &eerdere,
                    nummer,
                    new_verificatiecode(),
                    day,
                )
                .map_err(|w| weigering(&w))?;
                let now = bpv_store::now_utc();
                let stored = VerklaringRow::new(&verklaring, &row, document.leerling.naam.as_str(), now);
                repo::insert_verklaring(conn, &stored).map_err(store)?;
                let detail = serde_json::json!({ "documentId": row.document_id, "nummer": stored.nummer });
                audit::append(
                    conn,
                    now,
                    Actor { kind, id: &actor_id },
                    Some(&brin),
                    "praktijkverklaring.afgegeven",
                    &detail,
                    None,
                )
                .map_err(store)?;
                Ok(Reply::json(StatusCode::CREATED, &verklaring_weergave(&st, stored, row.document_id.clone())))
            })
        })
    })
    .await
    .map(Reply::into_response)
}

fn erkenning(e: &bpv_store::models::ErkenningRow) -> Option<bpvo::Erkenning> {
    Some(bpvo::Erkenning {
        leerbedrijf_id: bpvo::LeerbedrijfId::parse(&e.leerbedrijf_id).ok()?,
        crebo: bpvo::Crebo::parse(&e.crebo).ok()?,
        geldig_van: e.geldig_van,
        geldig_tot: e.geldig_tot,
        aangevraagd_op: None,
        besloten_op: None,
    })
}

fn weigering(w: &Weigering) -> Problem {
    let slug = match w {
        Weigering::AlAfgegeven(_) => return Problem::conflict(w.nl()),
        Weigering::GeenBeoordeling => "geen-beoordeling",
        Weigering::NietsBeheerst => "niets-beheerst",
        Weigering::GeenErkenning { .. } => "geen-erkenning",
    };
    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, slug, "Geen praktijkverklaring mogelijk").detail(w.nl())
}

/// The instelling's praktijkverklaringen, newest first.
#[utoipa::path(get, path = "/v1/praktijkverklaringen", operation_id = "lijstPraktijkverklaringen", summary = "De praktijkverklaringen van uw instelling", description = "Nieuwste eerst, per pagina.",
    tag = "praktijkloket",
    params(PaginaQuery),
    security(("bearer" = ["praktijkloket:write"])),
    responses(
        (status = 200, body = Pagina<VerklaringWeergave>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_verklaringen(
    principal: ApiPrincipal,
    state: web::Data<AppState>,
    query: web::Query<PaginaQuery>,
) -> Result<HttpResponse, Problem> {
    let brin = instelling(&principal)?;
    let (pagina, per) = query.limits()?;
    let st = state.clone();
    super::blocking(move || {
        let mut conn = st.conn()?;
        let (totaal, rows) = repo::list_verklaringen(&mut conn, &brin, per, (pagina - 1) * per).map_err(store)?;
        let items = rows
            .into_iter()
            .map(|v| {
                let doc = document_key(&mut conn, &v.document_id)?;
                Ok(verklaring_weergave(&st, v, doc))
            })
            .collect::<Result<Vec<_>, Problem>>()?;
        Ok(Reply::json(StatusCode::OK, &Pagina { totaal, pagina, per_pagina: per, items }))
    })
    .await
    .map(Reply::into_response)
}

fn document_key(conn: &mut DbConnection, id: &str) -> Result<String, Problem> {
    use bpv_store::schema::begeleidingsdocumenten as t;
    use diesel::prelude::*;
    t::table.find(id).select(t::document_id).first(conn).map_err(|e| internal_error(&e))
}

/// Read one praktijkverklaring.
#[utoipa::path(get, path = "/v1/praktijkverklaringen/{nummer}", operation_id = "leesPraktijkverklaring", summary = "Lees een praktijkverklaring", description = "Lees een praktijkverklaring.",
    tag = "praktijkloket",
    params(("nummer" = String, Path, description = "PV-jjjj-nnnnnn", pattern = "^PV-[0-9]{4}-[0-9]{6}$")),
    security(("bearer" = ["praktijkloket:write"])),
    responses(
        (status = 200, body = VerklaringWeergave),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "Niet bij uw instelling"),
    ))]
pub async fn get_verklaring(
    principal: ApiPrincipal,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let brin = instelling(&principal)?;
    let st = state.clone();
    super::blocking(move || {
        let mut conn = st.conn()?;
        let v = own_verklaring(&mut conn, &brin, &path)?;
        let doc = document_key(&mut conn, &v.document_id)?;
        Ok(Reply::json(StatusCode::OK, &verklaring_weergave(&st, v, doc)))
    })
    .await
    .map(Reply::into_response)
}

/// Withdraw a praktijkverklaring with a reason. It stays on record (and the verification says
/// `ingetrokken`); a corrected one is a new verklaring from the document.
#[utoipa::path(post, path = "/v1/praktijkverklaringen/{nummer}/intrekking", operation_id = "trekPraktijkverklaringIn", summary = "Trek een praktijkverklaring in", description = "Met een reden. Ze blijft bewaard (de verificatie zegt `ingetrokken`); een verbeterde verklaring is een nieuwe, uit het document.",
    tag = "praktijkloket",
    params(("nummer" = String, Path, description = "PV-jjjj-nnnnnn", pattern = "^PV-[0-9]{4}-[0-9]{6}$"), ("Idempotency-Key" = Option<String>, Header, description = "Maakt een herhaald verzoek veilig: dezelfde sleutel met hetzelfde verzoek geeft binnen 24 uur het eerste antwoord (Idempotent-Replayed: true) en doet niets nog eens; 1–255 zichtbare ASCII-tekens, bijvoorbeeld een UUID", pattern = "^[!-~]{1,255}$")),
    request_body = Intrekking,
    security(("bearer" = ["praktijkloket:write"])),
    responses(
        (status = 200, body = VerklaringWeergave, description = "Ingetrokken"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "Geen of een te lange reden"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Was al ingetrokken"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Idempotency-Key eerder gebruikt voor een ander verzoek"),
    ))]
pub async fn withdraw_verklaring(
    req: HttpRequest,
    principal: ApiPrincipal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, Problem> {
    let brin = instelling(&principal)?;
    let (body, bytes): (Intrekking, _) = json_body_bytes(&req, payload, &state).await?;
    let reden = body.reden.as_deref().map(str::trim).unwrap_or_default().to_owned();
    if reden.is_empty() || reden.chars().count() > 500 || reden.chars().any(char::is_control) {
        return Err(Problem::invalid_input(
            "geef een reden",
            vec![param(
                "reden",
                "required",
                "een reden van 1 tot 500 tekens, zonder regeleinden",
                "a reason of 1 to 500 characters, no line breaks",
            )],
        ));
    }
    let (kind, actor_id) = client_actor(&principal);
    let sleutel = idempotentie::sleutel(&req, &actor_id, &bytes)?;
    let st = state.clone();
    super::blocking(move || {
        let mut conn = st.conn()?;
        bpv_store::write_transaction(&mut conn, |conn| {
            idempotentie::eenmalig(conn, sleutel.as_ref(), |conn| {
                let v = own_verklaring(conn, &brin, &path)?;
                if !repo::withdraw_verklaring(conn, &v.id, today(), &reden).map_err(store)? {
                    return Err(Problem::conflict(format!("praktijkverklaring {} was al ingetrokken", v.nummer)));
                }
                let now = bpv_store::now_utc();
                let detail = serde_json::json!({ "nummer": v.nummer });
                audit::append(
                    conn,
                    now,
                    Actor { kind, id: &actor_id },
                    Some(&brin),
                    "praktijkverklaring.ingetrokken",
                    &detail,
                    None,
                )
                .map_err(store)?;
                let v = own_verklaring(conn, &brin, &path)?;
                let doc = document_key(conn, &v.document_id)?;
                Ok(Reply::json(StatusCode::OK, &verklaring_weergave(&st, v, doc)))
            })
        })
    })
    .await
    .map(Reply::into_response)
}

/// A praktijkverklaring as PDF (A4), for printing or handing to the learner.
#[utoipa::path(get, path = "/v1/praktijkverklaringen/{nummer}/pdf", operation_id = "praktijkverklaringAlsPdf", summary = "Een praktijkverklaring als PDF", description = "A4, om af te drukken of aan de leerling te geven.",
    tag = "praktijkloket",
    params(("nummer" = String, Path, description = "PV-jjjj-nnnnnn", pattern = "^PV-[0-9]{4}-[0-9]{6}$")),
    security(("bearer" = ["praktijkloket:write"])),
    responses(
        (status = 200, content_type = "application/pdf", body = String, description = "De verklaring als PDF (A4, lettertype ingebed)"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "Niet bij uw instelling"),
    ))]
pub async fn get_verklaring_pdf(
    principal: ApiPrincipal,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let brin = instelling(&principal)?;
    let (kind, actor_id) = client_actor(&principal);
    let st = state.clone();
    super::blocking(move || {
        let mut conn = st.conn()?;
        let v = own_verklaring(&mut conn, &brin, &path)?;
        let pdf = crate::pdf::render(&pdf_content(&mut conn, &st, &v)?).map_err(|e| internal_error(&e))?;
        let detail = serde_json::json!({ "nummer": v.nummer });
        audit::append(
            &mut conn,
            bpv_store::now_utc(),
            Actor { kind, id: &actor_id },
            Some(&brin),
            "praktijkverklaring.pdf",
            &detail,
            None,
        )
        .map_err(store)?;
        Ok(Reply::bytes(StatusCode::OK, "application/pdf", pdf)
            .header("Content-Disposition", format!("inline; filename=\"{}.pdf\"", v.nummer)))
    })
    .await
    .map(Reply::into_response)
}

/// What the PDF of `v` shows: the names of its qualification, kerntaken and werkprocessen.
fn pdf_content(
    conn: &mut DbConnection,
    state: &AppState,
    v: &VerklaringRow,
) -> Result<crate::pdf::VerklaringPdf, Problem> {
    let repo::Beschrijving { kwalificatie, werkprocessen } = repo::beschrijving(conn, v).map_err(store)?;
    Ok(crate::pdf::VerklaringPdf {
        nummer: v.nummer.clone(),
        leerling_naam: v.leerling_naam.clone(),
        kwalificatie,
        crebo: v.crebo.clone(),
        werkprocessen,
        leerbedrijf: v.leerbedrijf_id.clone(),
        afgegeven_op: v.afgegeven_op,
        verificatiecode: v.verificatiecode.clone(),
        verificatie_url: verificatie_url(state, &v.verificatiecode),
        ingetrokken: v.status == praktijkleren::VerklaringStatus::Ingetrokken.as_str(),
    })
}
