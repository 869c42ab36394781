//! The JSON API: token endpoint, bpvo's, batches.

pub mod batches;
pub mod body;
pub mod bpvos;
pub mod idempotentie;
pub mod praktijkloket;
pub mod token;

use actix_web::web;

/// Register the `/v1` routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/v1/bpvos").route(web::get().to(bpvos::list)))
        .service(
            web::resource("/v1/bpvos/{correlatieId}")
                .route(web::put().to(bpvos::put))
                .route(web::get().to(bpvos::get))
                .route(web::delete().to(bpvos::delete)),
        )
        .service(
            web::resource("/v1/begeleidingsdocumenten/{documentId}")
                .route(web::put().to(praktijkloket::put_document))
                .route(web::get().to(praktijkloket::get_document))
                .route(web::delete().to(praktijkloket::delete_document)),
        )
        .service(web::resource("/v1/begeleidingsdocumenten").route(web::get().to(praktijkloket::list_documents)))
        .service(
            web::resource("/v1/begeleidingsdocumenten/{documentId}/beoordelingen")
                .route(web::post().to(praktijkloket::post_beoordeling)),
        )
        .service(
            web::resource("/v1/begeleidingsdocumenten/{documentId}/praktijkverklaring")
                .route(web::post().to(praktijkloket::post_verklaring)),
        )
        .service(web::resource("/v1/praktijkverklaringen").route(web::get().to(praktijkloket::list_verklaringen)))
        .service(web::resource("/v1/praktijkverklaringen/{nummer}").route(web::get().to(praktijkloket::get_verklaring)))
        .service(
            web::resource("/v1/praktijkverklaringen/{nummer}/pdf")
                .route(web::get().to(praktijkloket::get_verklaring_pdf)),
        )
        .service(
            web::resource("/v1/praktijkverklaringen/{nummer}/intrekking")
                .route(web::post().to(praktijkloket::withdraw_verklaring)),
        )
        .service(web::resource("/v1/bpvo-batches").route(web::post().to(batches::post)))
        .service(web::resource("/v1/bpvo-batches/{id}").route(web::get().to(batches::get)));
}

pub use bpv_web::service::blocking;

/// An answer built on the blocking pool (where `HttpResponse`, not being `Send`, cannot be made).
#[derive(Debug)]
pub struct Reply {
    pub(crate) status: actix_web::http::StatusCode,
    content_type: &'static str,
    headers: Vec<(&'static str, String)>,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    /// A JSON answer.
    pub fn json<T: serde::Serialize>(status: actix_web::http::StatusCode, value: &T) -> Self {
        Self {
            status,
            content_type: "application/json",
            headers: Vec::new(),
            body: serde_json::to_vec(value).unwrap_or_default(),
        }
    }

    /// A problem answer.
    pub fn problem(p: &bpv_web::Problem) -> Self {
        Self {
            status: p.status_code(),
            content_type: bpv_web::problem::PROBLEM_JSON,
            headers: Vec::new(),
            body: serde_json::to_vec(p).unwrap_or_default(),
        }
    }

    /// A binary answer (a PDF).
    pub fn bytes(status: actix_web::http::StatusCode, content_type: &'static str, body: Vec<u8>) -> Self {
        Self { status, content_type, headers: Vec::new(), body }
    }

    /// An answer without a body.
    pub fn empty(status: actix_web::http::StatusCode) -> Self {
        Self { status, content_type: "", headers: Vec::new(), body: Vec::new() }
    }

    /// Add a header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The HTTP response.
    pub fn into_response(self) -> actix_web::HttpResponse {
        let mut res = actix_web::HttpResponse::build(self.status);
        for (k, v) in self.headers {
            res.insert_header((k, v));
        }
        if self.content_type.is_empty() {
            return res.finish();
        }
        res.content_type(self.content_type).body(self.body)
    }
}
