//! Shared glue for the services: layered settings, credentials (argon2), logging, tokens and the
//! bearer-token extractor, problem+json errors and the headers every answer carries.

pub mod auth;
pub mod cookies;
pub mod credentials;
pub mod export;
pub mod headers;
pub mod problem;
pub mod ratelimit;
pub mod settings;
pub mod telemetry;

pub use problem::{InvalidParam, Problem};
pub use settings::{Environment, Settings, SettingsError, SettingsSource};
