//! Shared glue for the web services: tokens and the bearer-token extractor, problem+json errors,
//! cookies, rate-limit keys, the headers every answer carries, and request ids, the access log and
//! metrics.

pub mod auth;
pub mod cookies;
pub mod export;
pub mod headers;
pub mod login;
pub mod observe;
pub mod openapi;
pub mod problem;
pub mod ratelimit;
pub mod service;

pub use problem::{InvalidParam, Problem};
// Settings, logging and credentials live in `bpv-config` (no web framework there); re-exported so
// a service names one crate.
pub use bpv_config::{Environment, Settings, SettingsError, SettingsSource, credentials, settings, telemetry};
