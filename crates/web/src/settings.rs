//! Layered configuration: built-in defaults, then `config/default.toml`, then
//! `config/{BPV_ENV}.toml`, then `BPV__SECTION__KEY` environment variables. Settings are passed
//! explicitly to whoever needs them; nothing reads a global.

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// Which kind of deployment this is; production is strict about secrets and mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// A developer's machine or `bpv demo`.
    Local,
    /// Test suites.
    Test,
    /// The real thing.
    Production,
}

impl Environment {
    /// The name used for `config/{name}.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Local => "local",
            Environment::Test => "test",
            Environment::Production => "production",
        }
    }
}

/// All settings of every binary; each binary reads the sections it needs.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub environment: Environment,
    pub database: DatabaseSettings,
    pub school_api: ListenSettings,
    pub survey: ListenSettings,
    pub reporting_api: ListenSettings,
    pub auth: AuthSettings,
}

/// `database.*`
#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    /// `sqlite://PATH` (embedded default) or `postgres://…` (production). Secret: it may hold a password.
    pub url: SecretString,
    /// Connections per process.
    pub pool_size: u32,
    /// Apply pending migrations when a service starts.
    pub migrate_on_start: bool,
}

/// `{service}.listen` and the public URL people reach it under.
#[derive(Debug, Clone, Deserialize)]
pub struct ListenSettings {
    /// `host:port` to bind, e.g. `127.0.0.1:8080` (port 0 picks a free one).
    pub listen: String,
    /// The URL the outside world uses (links in mails, OpenAPI servers); defaults to `http://{listen}`.
    pub public_url: Option<String>,
}

/// `auth.*`
#[derive(Debug, Clone, Deserialize)]
pub struct AuthSettings {
    /// HMAC key for the JWTs this system issues; at least 32 bytes in production.
    pub jwt_secret: SecretString,
    /// Lifetime of an access token, seconds.
    pub token_ttl_seconds: u64,
    /// `iss` of our tokens.
    pub issuer: String,
}

/// The JWT key used when none is configured outside production: fine on a laptop, refused in production.
pub const DEV_JWT_SECRET: &str = "bpv-monitor-dev-only-not-for-production-0000";

/// Why settings could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A file or variable could not be read or has the wrong type.
    #[error("configuration: {0}")]
    Config(#[from] config::ConfigError),
    /// The values were read but are not acceptable.
    #[error("configuration: {0}")]
    Invalid(String),
}

/// Where to read configuration from; tests and `bpv demo` override values without touching the
/// process environment.
#[derive(Debug, Clone, Default)]
pub struct SettingsSource {
    /// Folder with `default.toml` and `{env}.toml`; default `BPV_CONFIG_DIR` or `./config`.
    pub config_dir: Option<PathBuf>,
    /// Overrides applied last, as `("database.url", "sqlite://…")`.
    pub overrides: Vec<(String, String)>,
    /// Skip `BPV__…` environment variables (tests).
    pub ignore_env: bool,
}

impl Settings {
    /// Load settings from the usual places (see the module docs).
    pub fn load() -> Result<Self, SettingsError> {
        Self::load_from(&SettingsSource::default())
    }

    /// Load with an explicit source.
    pub fn load_from(source: &SettingsSource) -> Result<Self, SettingsError> {
        let env_name = std::env::var("BPV_ENV").unwrap_or_else(|_| "local".to_owned());
        let dir = source
            .config_dir
            .clone()
            .or_else(|| std::env::var_os("BPV_CONFIG_DIR").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("config"));
        let mut builder = config::Config::builder()
            .set_default("environment", env_name.clone())?
            .set_default("database.url", "sqlite://./data/bpv.sqlite")?
            .set_default("database.pool_size", 8)?
            .set_default("database.migrate_on_start", true)?
            .set_default("school_api.listen", "127.0.0.1:8080")?
            .set_default("survey.listen", "127.0.0.1:8081")?
            .set_default("reporting_api.listen", "127.0.0.1:8082")?
            .set_default("auth.jwt_secret", DEV_JWT_SECRET)?
            .set_default("auth.token_ttl_seconds", 900)?
            .set_default("auth.issuer", "bpv-monitor")?
            .add_source(file(&dir, "default"))
            .add_source(file(&dir, &env_name));
        if !source.ignore_env {
            builder =
                builder.add_source(config::Environment::with_prefix("BPV").prefix_separator("__").separator("__"));
        }
        for (k, v) in &source.overrides {
            builder = builder.set_override(k.as_str(), v.as_str())?;
        }
        let settings: Settings = builder.build()?.try_deserialize()?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        if self.environment == Environment::Production {
            let secret = self.auth.jwt_secret.expose_secret();
            if secret == DEV_JWT_SECRET || secret.len() < 32 {
                return Err(SettingsError::Invalid(
                    "auth.jwt_secret (BPV__AUTH__JWT_SECRET) must be set to at least 32 random bytes in production"
                        .into(),
                ));
            }
        }
        if self.auth.token_ttl_seconds == 0 || self.auth.token_ttl_seconds > 24 * 3600 {
            return Err(SettingsError::Invalid("auth.token_ttl_seconds must be between 1 and 86400".into()));
        }
        Ok(())
    }
}

impl ListenSettings {
    /// The public base URL without a trailing slash.
    pub fn base_url(&self) -> String {
        self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.listen)).trim_end_matches('/').to_owned()
    }
}

fn file(dir: &Path, name: &str) -> config::File<config::FileSourceFile, config::FileFormat> {
    config::File::from(dir.join(format!("{name}.toml"))).required(false)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn source(overrides: &[(&str, &str)]) -> SettingsSource {
        SettingsSource {
            config_dir: Some(PathBuf::from("/nonexistent")),
            overrides: overrides.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ignore_env: true,
        }
    }

    #[test]
    fn defaults_run_everything_on_embedded_sqlite() {
        let s = Settings::load_from(&source(&[])).unwrap();
        assert_eq!(s.database.url.expose_secret(), "sqlite://./data/bpv.sqlite");
        assert_eq!(s.school_api.listen, "127.0.0.1:8080");
        assert_eq!(s.school_api.base_url(), "http://127.0.0.1:8080");
    }

    #[test]
    fn overrides_win() {
        let s =
            Settings::load_from(&source(&[("database.url", "postgres://db/bpv"), ("survey.listen", "0.0.0.0:9000")]))
                .unwrap();
        assert_eq!(s.database.url.expose_secret(), "postgres://db/bpv");
        assert_eq!(s.survey.listen, "0.0.0.0:9000");
    }

    #[test]
    fn production_refuses_the_development_jwt_secret() {
        let err = Settings::load_from(&source(&[("environment", "production")])).unwrap_err();
        assert!(err.to_string().contains("BPV__AUTH__JWT_SECRET"), "{err}");
        let ok = Settings::load_from(&source(&[
            ("environment", "production"),
            ("auth.jwt_secret", "0123456789abcdef0123456789abcdef-prod"),
        ]));
        assert!(ok.is_ok());
    }
}
