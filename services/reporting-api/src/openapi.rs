//! The reporting API's OpenAPI document, generated from the handlers (utoipa); served without
//! authentication at `/v1/openapi.json`.

use actix_web::HttpResponse;
use bpv_web::auth::BearerAuth;
use utoipa::OpenApi;

use crate::{
    antwoorden, api, datakwaliteit, instellingen, praktijkverklaringen, report, respons, trend, verbeterpunten,
};

/// The reporting API's OpenAPI document.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "BPV Monitor — Marktresponse API (resultaten)",
        version = "1.0.0",
        description = "Resultaten van de BPV Monitor per selectie naast het landelijk gemiddelde. Geen cijfer berust \
                       op minder dan k antwoorden. Tokens: OAuth2 client credentials van de school-API met scope \
                       resultaten:read. Alle fouten zijn application/problem+json (RFC 9457) met invalidParams. \
                       Niet-geaggregeerde antwoorden (/v1/resultaten/antwoorden) alleen op het mTLS-adres, met een \
                       PKIoverheid-clientcertificaat met het OIN van de instelling; op dit adres antwoordt dat pad 403.",
    ),
    paths(
        api::resultaten,
        api::export_csv,
        api::export_xlsx,
        trend::api,
        trend::api_xlsx,
        respons::api,
        respons::api_xlsx,
        instellingen::api,
        instellingen::api_csv,
        instellingen::api_xlsx,
        api::filters,
        praktijkverklaringen::aantallen,
        verbeterpunten::api,
        verbeterpunten::api_xlsx,
        antwoorden::json,
        antwoorden::csv,
        datakwaliteit::api,
        datakwaliteit::fotos,
        bpv_web::service::health,
        api::ready
    ),
    components(schemas(
        praktijkverklaringen::Aantallen,
        praktijkverklaringen::AantalRegel,
        verbeterpunten::Verbeterpunten,
        bpv_web::Problem,
        bpv_web::InvalidParam,
        report::Rapport,
        report::InstellingenOverzicht,
        report::InstellingRij,
        report::ThemaScore,
        report::Trend,
        report::TrendPunt,
        report::TrendThema,
        report::ResponsOverzicht,
        report::ResponsGroep,
        report::ResponsIndeling,
        report::ResponsRij,
        report::ResponsCel,
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
        bpv_web::service::Status,
        antwoorden::Antwoorden,
        antwoorden::AntwoordRij,
        antwoorden::Links,
        antwoorden::Href,
        datakwaliteit::Datakwaliteit,
        datakwaliteit::Periode,
        datakwaliteit::Landelijk,
        datakwaliteit::Fotos,
        datakwaliteit::Foto,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "resultaten", description = "Resultaten, export en filterwaarden; niet-geaggregeerd via mTLS"),
        (name = "datakwaliteit", description = "Datakwaliteit van de bpvo-registraties en de kwartaalfoto's"),
        (name = "beheer", description = "Of het proces draait en de dienst klaar is (`/health`, `/ready`)"),
    )
)]
pub struct ApiDoc;

/// `GET /v1/openapi.json`: the document as the NL GOV API Design Rules want it
/// ([`bpv_web::openapi::document`]).
pub async fn serve(req: actix_web::HttpRequest, state: actix_web::web::Data<crate::state::AppState>) -> HttpResponse {
    bpv_web::openapi::serve(&req, &ApiDoc::openapi(), Some(&state.token_url))
}

#[cfg(test)]
mod snapshot {
    /// The contract as served: any change to it shows up in review as a change to
    /// `src/snapshots/*openapi*.snap` (`cargo insta review` after an intended change).
    #[test]
    fn the_openapi_document_is_the_reviewed_one() {
        use utoipa::OpenApi as _;
        #[allow(clippy::unwrap_used)]
        let doc = serde_json::to_string_pretty(&bpv_web::openapi::document(
            &super::ApiDoc::openapi(),
            "https://resultaten.bpv-monitor.sbb.example",
            "https://api.bpv-monitor.sbb.example/oauth/token",
        ))
        .unwrap();
        insta::assert_snapshot!("openapi", doc);
    }
}
