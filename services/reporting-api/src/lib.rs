//! The results side of the Marktresponse API (`/v1/resultaten`, CSV export, `/v1/filters`) and
//! the results dashboard (`/dashboard`), answered from an in-memory index of the answers'
//! analysis keys that is refreshed incrementally (docs/architecture.md). A library so that tests,
//! the benchmark and `bpv demo` start the same code as the binary.

mod antwoorden;
mod api;
mod app;
pub mod dashboard;
pub mod data;
pub mod datakwaliteit;
mod grafiek;
mod instellingen;
mod lezers;
pub mod mtls;
mod openapi;
mod praktijkverklaringen;
pub mod report;
mod respons;
pub mod signalen;
mod state;
mod trend;
pub mod verbeterpunten;
mod views;

pub use antwoorden::{pseudoniem, pseudoniem_sleutel};
pub use app::Application;
pub use openapi::ApiDoc;
