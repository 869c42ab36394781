//! Batches: `POST /v1/bpvo-batches` with up to 50,000 records as JSON (`{"records": [...]}`) or as
//! CSV (`text/csv`, the same file a school would upload by hand), and `GET /v1/bpvo-batches/{id}`.
//! `Idempotency-Key` makes a retry safe: a replay gets the first answer, the same key with another
//! body 422, a key whose first request is still running 409.

use actix_web::{HttpRequest, HttpResponse, web};
use bpv_store::UploadBron;
use bpv_store::repo::upload_batches;
use bpv_web::Problem;
use bpv_web::auth::{ApiPrincipal, SCOPE_BPVO_WRITE};
use bpv_web::problem::internal_error;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use super::Reply;
use super::body::{media_type, read_limited};
use super::bpvos::answer_error;
use crate::state::AppState;
use crate::upload::{self, BatchAntwoord, Incoming, Modus, RecordResultaat, UploadError, Uploader};
use actix_web::http::StatusCode;

/// A reservation still `bezig` after this long belongs to a request that died (the largest batch
/// takes seconds): a retry with its Idempotency-Key takes it over instead of answering 409 forever.
pub const STALE_RESERVATION: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

/// Query of a batch upload.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BatchQuery {
    /// `allesOfNiets` (standaard: er wordt niets opgeslagen als er één record ongeldig is) of
    /// `gedeeltelijk` (de geldige records worden opgeslagen, de overige opgesomd).
    pub modus: Option<Modus>,
    /// `true` haalt ingetrokken bpvo's in deze batch terug (vastgelegd in het auditlog). Zonder dit
    /// wordt een record voor een ingetrokken bpvo geweigerd met code `ingetrokken`, zodat een
    /// volledige synchronisatie een intrekking nooit ongedaan maakt.
    pub herstellen: Option<bool>,
}

/// Een opgeslagen batch.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchStatus {
    pub id: String,
    /// `bezig` of `verwerkt`.
    pub status: String,
    /// `api`, `api-csv`, `api-enkel` of `uploadmodule`.
    pub bron: String,
    pub modus: String,
    pub ontvangen_op: chrono::DateTime<chrono::Utc>,
    pub verwerkt_op: Option<chrono::DateTime<chrono::Utc>>,
    /// `true` als er niets is opgeslagen omdat een record ongeldig was (alles of niets).
    pub geweigerd: bool,
    pub ontvangen: i64,
    pub aangemaakt: i64,
    pub bijgewerkt: i64,
    pub ongewijzigd: i64,
    pub afgewezen: i64,
    /// Deze pagina van de resultaten per record, in de volgorde van de batch (`pagina`, `perPagina`).
    pub resultaten: Vec<RecordResultaat>,
    /// Hoeveel resultaten per record de batch in totaal heeft.
    pub resultaten_totaal: usize,
    pub pagina: i64,
    pub per_pagina: i64,
}

/// The page of a batch's per-record results: a batch may hold 50,000 records, too many for one
/// answer.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ResultatenPagina {
    /// Pagina van de resultaten per record, vanaf 1 (standaard 1).
    #[param(minimum = 1, maximum = 1_000_000)]
    pub pagina: Option<i64>,
    /// Resultaten per pagina (standaard 1000, hoogstens 5000).
    #[param(minimum = 1, maximum = 5000)]
    pub per_pagina: Option<i64>,
}

/// Results per page of a batch's GET: the default and the most.
pub const RESULTATEN_PER_PAGINA: (i64, i64) = (1_000, 5_000);

/// The media type of an Excel workbook.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn parse_records(state: &AppState, media: &str, bytes: &[u8]) -> Result<Vec<Incoming>, Problem> {
    let max = state.limits.max_batch_records;
    match media {
        "application/json" => upload::read_json_batch(bytes, max),
        "text/csv" | XLSX => Ok(upload::read_upload(bytes, max)?.incoming),
        other => Err(Problem::unsupported_media_type(format!(
            "stuur application/json ({{\"records\": [...]}}), text/csv of een Excel-werkmap ({XLSX}) (gekregen: {other:?})"
        ))),
    }
}

/// What identifies a request for its Idempotency-Key: the same key with another hash is a 422.
fn request_hash(media: &str, modus: Modus, herstellen: bool, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(media.as_bytes());
    h.update([0]);
    h.update(modus.as_str().as_bytes());
    h.update([0]);
    if herstellen {
        h.update(b"herstellen\0");
    }
    h.update(body);
    hex::encode(h.finalize())
}

fn answer(antwoord: &BatchAntwoord, replay: bool) -> Reply {
    let reply = if upload::is_refused(antwoord) {
        Reply::problem(&upload::refusal(antwoord))
    } else {
        Reply::json(StatusCode::CREATED, antwoord).header("Location", format!("/v1/bpvo-batches/{}", antwoord.id))
    };
    if replay { reply.header("Idempotent-Replayed", "true") } else { reply }
}

/// Upload a batch of bpvo's.
#[utoipa::path(post, path = "/v1/bpvo-batches", operation_id = "stuurBpvoBatch", summary = "Lever een batch bpvo's aan", description = "JSON, CSV of een Excel-werkmap; alles of niets, tenzij `?modus=gedeeltelijk`. Met `Idempotency-Key` veilig opnieuw te sturen.", tag = "bpvo",
    params(BatchQuery, ("Idempotency-Key" = Option<String>, Header, description = "Maakt een herhaald verzoek veilig: dezelfde sleutel met dezelfde body geeft het eerste antwoord; 1–255 zichtbare ASCII-tekens, bijvoorbeeld een UUID", pattern = "^[!-~]{1,255}$")),
    request_body(
        content(
            (upload::BatchBody = "application/json"),
            (String = "text/csv", example = json!("correlatie_id;leerbedrijf_code;crebo_code;startdatum;geplande_einddatum;leerweg_naam;student_emailadres;studentcode;student_naam;schoolnaam;locatiecode;aanbiedercode\nEDU-1;100200300;25604;2026-09-01;2027-06-30;BOL;zoe.celik@student.roc.nl;1234567;Zoë Çelik;ROC;251X111;251A100")),
        ),
        description = "JSON (`application/json`), CSV (`text/csv`, kolommen als de handmatige upload, `;` of `,`) of een Excel-werkmap (`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`, eerste werkblad, dezelfde kolommen)"
    ),
    security(("bearer" = ["bpvo:write"])),
    responses(
        (status = 201, body = BatchAntwoord, description = "Verwerkt; per record created / updated / unchanged / rejected",
            headers(
                ("Location" = String, description = "Het adres van de batch (`/v1/bpvo-batches/{id}`)"),
                ("Idempotent-Replayed" = String, description = "`true` als dit het bewaarde antwoord op een eerder verzoek met dezelfde Idempotency-Key is"),
            )),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "Ongeldige records; niets opgeslagen (allesOfNiets)",
            headers(("Idempotent-Replayed" = String, description = "`true` als dit het bewaarde antwoord op een eerder verzoek met dezelfde Idempotency-Key is"))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Geen deelname, geen verwerkersovereenkomst of aanbieder van een ander"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Een verzoek met deze Idempotency-Key is nog bezig"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Idempotency-Key eerder gebruikt met een andere body"),
    ))]
pub async fn post(
    req: HttpRequest,
    principal: ApiPrincipal,
    state: web::Data<AppState>,
    query: web::Query<BatchQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, Problem> {
    principal.require_scope(SCOPE_BPVO_WRITE)?;
    let brin = principal.instelling()?.to_owned();
    let key = super::idempotentie::key(&req)?;
    let bytes = read_limited(&req, payload, state.limits.max_batch_bytes).await?;
    let modus = query.modus.unwrap_or_default();
    let herstellen = query.herstellen.unwrap_or(false);
    let csv = matches!(media_type(&req).as_str(), "text/csv" | XLSX);
    let uploader = Uploader {
        brin,
        actor_kind: "client",
        actor_id: principal.client_id.clone(),
        bron: if csv { UploadBron::ApiCsv } else { UploadBron::Api },
    };
    let hash = request_hash(&media_type(&req), modus, herstellen, &bytes);
    let st = state.clone();
    let media = media_type(&req);
    super::blocking(move || {
        let mut conn = st.conn()?;
        let batch_id = bpv_store::ids::new_id();
        let now = bpv_store::now_utc();
        if let Some(key) = &key {
            if let Some(earlier) = upload_batches::find_by_idempotency_key(&mut conn, &uploader.actor_id, key)
                .map_err(|e| internal_error(&e))?
            {
                if earlier.status == bpv_store::BatchStatus::Bezig && earlier.created_at < now - STALE_RESERVATION {
                    // Its request died between reserving and finishing (its work rolled back, so
                    // nothing was stored or promised): this request takes the key over.
                    tracing::warn!(batch = %earlier.id, "taking over a stale Idempotency-Key reservation");
                    upload_batches::delete_unfinished(&mut conn, &earlier.id).map_err(|e| internal_error(&e))?;
                } else {
                    return replay(&earlier, &hash);
                }
            }
            let row = upload::new_batch_row(&batch_id, &uploader, modus, Some(key), Some(&hash), now);
            match upload_batches::insert(&mut conn, &row) {
                Ok(()) => {}
                Err(e) if e.is_unique_violation() => {
                    return Err(Problem::conflict(
                        "een verzoek met deze Idempotency-Key is nog bezig; probeer het zo opnieuw",
                    ));
                }
                Err(e) => return Err(internal_error(&e)),
            }
        }
        let reserved = key.is_some();
        let release = |conn: &mut bpv_store::DbConnection| {
            if reserved {
                let _ = upload_batches::delete_unfinished(conn, &batch_id);
            }
        };
        let incoming = match parse_records(&st, &media, &bytes) {
            Ok(i) => i,
            Err(p) => {
                release(&mut conn);
                return Err(p);
            }
        };
        let batch = upload::Batch { id: batch_id.clone(), modus, reserved, herstellen };
        match st.process(&mut conn, &uploader, incoming, &batch) {
            Ok(antwoord) => Ok(answer(&antwoord, false)),
            Err(UploadError::Refused(antwoord)) => Ok(answer(&antwoord, false)),
            Err(e) => {
                release(&mut conn);
                Err(answer_error(e))
            }
        }
    })
    .await
    .map(Reply::into_response)
}

fn replay(earlier: &bpv_store::models::UploadBatchRow, hash: &str) -> Result<Reply, Problem> {
    // Still running: 409 whatever the body (nothing is known yet to replay or to compare with).
    if earlier.status == bpv_store::BatchStatus::Bezig {
        return Err(Problem::conflict(
            "het eerste verzoek met deze Idempotency-Key is nog bezig; probeer het zo opnieuw",
        ));
    }
    if earlier.request_hash.as_deref() != Some(hash) {
        return Err(Problem::unprocessable(
            "deze Idempotency-Key is al gebruikt voor een verzoek met een andere inhoud; gebruik een nieuwe sleutel",
        ));
    }
    let antwoord: BatchAntwoord =
        serde_json::from_str(earlier.resultaat.as_deref().unwrap_or("")).map_err(|e| internal_error(&e))?;
    Ok(answer(&antwoord, true))
}

/// Read a batch and its per-record results, a page at a time.
#[utoipa::path(get, path = "/v1/bpvo-batches/{id}", operation_id = "leesBpvoBatch", summary = "Lees een batch en de uitkomst per record", description = "Lees een batch en de uitkomst per record, per pagina (standaard 1000, hoogstens 5000 resultaten); de tellingen gelden voor de hele batch.", tag = "bpvo",
    params(("id" = String, Path, description = "Batch-id uit het antwoord op de upload"), ResultatenPagina),
    security(("bearer" = ["bpvo:write"])),
    responses(
        (status = 200, body = BatchStatus),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Token zonder scope `bpvo:write`"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    principal: ApiPrincipal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ResultatenPagina>,
) -> Result<HttpResponse, Problem> {
    principal.require_scope(SCOPE_BPVO_WRITE)?;
    let brin = principal.instelling()?.to_owned();
    let paging = super::praktijkloket::PaginaQuery { pagina: query.pagina, per_pagina: query.per_pagina };
    let (pagina, per) = paging.limits_with(RESULTATEN_PER_PAGINA.0, RESULTATEN_PER_PAGINA.1)?;
    let st = state.clone();
    super::blocking(move || {
        let mut conn = st.conn()?;
        let row = upload_batches::find(&mut conn, &brin, &path)
            .map_err(|e| internal_error(&e))?
            .ok_or_else(|| Problem::not_found(format!("geen batch {} bij uw instelling", path.as_str())))?;
        let antwoord: Option<BatchAntwoord> = row.resultaat.as_deref().and_then(|s| serde_json::from_str(s).ok());
        let alle = antwoord.as_ref().map(|a| a.resultaten.len()).unwrap_or(0);
        let skip = usize::try_from((pagina - 1).saturating_mul(per)).unwrap_or(usize::MAX);
        let take = usize::try_from(per).unwrap_or(0);
        Ok(Reply::json(
            StatusCode::OK,
            &BatchStatus {
                geweigerd: antwoord.as_ref().is_some_and(upload::is_refused),
                resultaten: antwoord
                    .map(|a| a.resultaten.into_iter().skip(skip).take(take).collect())
                    .unwrap_or_default(),
                resultaten_totaal: alle,
                pagina,
                per_pagina: per,
                id: row.id,
                status: row.status.as_str().to_owned(),
                bron: row.bron.as_str().to_owned(),
                modus: row.modus,
                ontvangen_op: row.created_at.and_utc(),
                verwerkt_op: row.finished_at.map(|t| t.and_utc()),
                ontvangen: row.ontvangen,
                aangemaakt: row.aangemaakt,
                bijgewerkt: row.bijgewerkt,
                ongewijzigd: row.ongewijzigd,
                afgewezen: row.afgewezen,
            },
        ))
    })
    .await
    .map(Reply::into_response)
}
