//! The reporting API's OpenAPI document, generated from the handlers (utoipa); served without
//! authentication at `/v1/openapi.json`.

use actix_web::HttpResponse;
use bpv_web::auth::BearerAuth;
use utoipa::OpenApi;

use crate::{api, report};

/// The reporting API's OpenAPI document.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "BPV Monitor — Marktresponse API (resultaten)",
        version = "1.0.0",
        description = "Resultaten van de BPV Monitor per selectie naast het landelijk gemiddelde. Geen cijfer berust \
                       op minder dan k antwoorden. Tokens: OAuth2 client credentials van de school-API met scope \
                       resultaten:read. Alle fouten zijn application/problem+json (RFC 9457) met invalidParams.",
    ),
    paths(api::resultaten, api::export_csv, api::filters, api::health, api::ready),
    components(schemas(
        bpv_web::Problem,
        bpv_web::InvalidParam,
        report::Rapport,
        report::SelectieDto,
        report::Cijfer,
        report::Aantal,
        report::ItemCijfers,
        report::ItemDto,
        report::ScorePaar,
        report::ThemaDto,
        report::Respons,
        report::ResponsPaar,
        report::NietMeegeteld,
        report::Filters,
        report::Keuze,
        report::LocatieKeuze,
        report::KwalificatieKeuze,
        api::Status,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "resultaten", description = "Resultaten, export en filterwaarden"),
        (name = "beheer", description = "Health en readiness"),
    )
)]
pub struct ApiDoc;

/// `GET /v1/openapi.json`.
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
