//! The school-facing side of the Marktresponse API: OAuth2 client credentials, bpvo upload
//! (single, JSON batch, CSV batch), withdrawal, the participation gate, and SBB's manual upload
//! module for gemachtigden. A library so that tests and `bpv demo` start the same code as the
//! binary.

mod api;
mod app;
mod openapi;
mod pages;
mod pdf;
mod state;
mod upload;

/// A fresh praktijkverklaring verification code (the demo issues verklaringen with it too).
pub use api::praktijkloket::new_verificatiecode;
pub use app::Application;
pub use openapi::ApiDoc;
pub use state::Limits;
/// The upload readers, public for the fuzz targets (`services/bpv/tests/fuzz.rs`).
pub use upload::{CsvUpload, Incoming, read_csv_upload, read_json_batch, read_upload};
