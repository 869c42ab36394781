//! What every binary of bpv-monitor shares, the cron dispatcher and the `bpv` CLI included:
//! layered settings (defaults, `config/*.toml`, `BPV__…` environment), logging, and the hashing
//! of secrets and passwords (argon2). It pulls in no web framework and no database, so a cron
//! binary that needs its settings does not build a web server.

pub mod credentials;
pub mod settings;
pub mod telemetry;

pub use settings::{Environment, Settings, SettingsError, SettingsSource};
