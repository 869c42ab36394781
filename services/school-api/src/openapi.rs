//! The OpenAPI 3 document, generated from the handlers' annotations (utoipa) so it cannot drift
//! from the code; served without authentication at `/v1/openapi.json`.

use actix_web::HttpResponse;
use bpv_web::auth::BearerAuth;
use utoipa::OpenApi;

use crate::api;

/// The school API's OpenAPI document.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "BPV Monitor — Marktresponse API (school → systeem)",
        version = "1.0.0",
        description = "Upload van bpvo's en studentgegevens voor directe studentbevraging. Alle fouten zijn \
                       application/problem+json (RFC 9457) met invalidParams per veld.",
    ),
    paths(
        api::token::token,
        api::bpvos::list,
        api::bpvos::put,
        api::bpvos::get,
        api::bpvos::delete,
        api::batches::post,
        api::batches::get,
        api::praktijkloket::put_document,
        api::praktijkloket::get_document,
        api::praktijkloket::list_documents,
        api::praktijkloket::delete_document,
        api::praktijkloket::post_beoordeling,
        api::praktijkloket::post_verklaring,
        api::praktijkloket::list_verklaringen,
        api::praktijkloket::get_verklaring,
        api::praktijkloket::get_verklaring_pdf,
        api::praktijkloket::withdraw_verklaring,
        bpv_web::service::health,
        bpv_web::service::ready,
    ),
    components(schemas(
        bpv_web::Problem,
        bpv_web::InvalidParam,
        bpvo::BpvoRecord,
        bpvo::StudentRecord,
        bpvo::SchoolRecord,
        crate::upload::Modus,
        crate::upload::Resultaat,
        crate::upload::Uitnodiging,
        crate::upload::UitnodigingStatus,
        crate::upload::RecordResultaat,
        crate::upload::BatchAntwoord,
        api::bpvos::BpvoLijst,
        api::bpvos::BpvoSamenvatting,
        praktijkleren::DocumentRecord,
        praktijkleren::LeerlingRecord,
        praktijkleren::PraktijkopleiderRecord,
        praktijkleren::BeoordelingRecord,
        praktijkleren::OordeelRecord,
        api::praktijkloket::DocumentWeergave,
        api::praktijkloket::BeoordelingWeergave,
        api::praktijkloket::VerzoekWeergave,
        api::praktijkloket::OordeelWeergave,
        api::praktijkloket::VerklaringWeergave,
        api::praktijkloket::Intrekking,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "authenticatie", description = "Toegangstokens aanvragen (OAuth2 client credentials)"),
        (name = "bpvo", description = "Bpvo's aanleveren, lezen en intrekken"),
        (name = "praktijkloket", description = "Begeleidingsdocumenten, beoordelingen en praktijkverklaringen (Praktijkloket-API)"),
        (name = "beheer", description = "Of het proces draait en de dienst klaar is (`/health`, `/ready`)"),
    )
)]
pub struct ApiDoc;

/// `GET /v1/openapi.json`: the document as the NL GOV API Design Rules want it
/// ([`bpv_web::openapi::document`]).
pub async fn serve(req: actix_web::HttpRequest) -> HttpResponse {
    bpv_web::openapi::serve(&req, &ApiDoc::openapi(), None)
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
            "https://api.bpv-monitor.sbb.example",
            "https://api.bpv-monitor.sbb.example/oauth/token",
        ))
        .unwrap();
        insta::assert_snapshot!("openapi", doc);
    }
}
