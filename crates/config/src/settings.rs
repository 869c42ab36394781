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
    #[serde(default)]
    pub reporting: ReportingSettings,
    #[serde(default)]
    pub retention: RetentionSettings,
    /// The mutual-TLS listener for non-aggregated results; absent = not served.
    #[serde(default)]
    pub mtls: Option<MtlsSettings>,
    pub auth: AuthSettings,
    pub mail: MailSettings,
    pub dispatcher: DispatcherSettings,
    #[serde(default)]
    pub scheduling: bpv_scheduling::SchedulingSettings,
    #[serde(default)]
    pub http: HttpSettings,
    #[serde(default)]
    pub veiligheid: VeiligheidSettings,
    /// `datakwaliteit.*`: the norms of the data-quality questions 4 and 5.
    #[serde(default)]
    pub datakwaliteit: bpv_aggregation::datakwaliteit::Normen,
}

/// `veiligheid.*`: help for a respondent who answered on the unsafe side of sociale veiligheid or
/// stagediscriminatie, and the signal per leerbedrijf for SBB (docs/privacy.md, "Signalen").
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct VeiligheidSettings {
    /// The national reporting point shown on the thank-you page.
    pub meldpunt_naam: String,
    pub meldpunt_url: String,
    /// Shown when the instelling set no contact of its own (`bpv admin instelling set-contact`).
    pub standaard_hulp: String,
    /// The signal's rolling window in months.
    pub venster_maanden: u32,
    /// Distinct respondents on the unsafe side before a leerbedrijf is flagged.
    pub min_respondenten: u32,
}

impl Default for VeiligheidSettings {
    fn default() -> Self {
        Self {
            meldpunt_naam: "Meldpunt Stagediscriminatie".into(),
            meldpunt_url: "https://www.discriminatie.nl".into(),
            standaard_hulp: "Praat erover met de vertrouwenspersoon van je school of gebruik de klachtenregeling van \
                             je school. Je bpv-begeleider of mentor weet waar je die vindt."
                .into(),
            venster_maanden: 24,
            min_respondenten: 3,
        }
    }
}

/// `http.*`: how the services sit behind a proxy.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct HttpSettings {
    /// IP addresses of the reverse proxies (comma-separated, no ranges) whose `Forwarded` /
    /// `X-Forwarded-For` name the client; from anyone else those headers are ignored. Rate limits
    /// key on the client so found.
    pub trusted_proxies: String,
}

impl HttpSettings {
    /// The proxies as addresses (checked when the settings are loaded).
    pub fn trusted(&self) -> Vec<std::net::IpAddr> {
        parse_trusted(&self.trusted_proxies).unwrap_or_default()
    }
}

/// Parse `http.trusted_proxies`: IP addresses separated by commas (no ranges).
pub fn parse_trusted(list: &str) -> Result<Vec<std::net::IpAddr>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<std::net::IpAddr>().map_err(|_| format!("{s:?} is geen IP-adres")))
        .collect()
}

/// `mail.*`: how invitation mails leave the system.
#[derive(Debug, Clone, Deserialize)]
pub struct MailSettings {
    /// `smtp` (required in production), `file` (`.eml` files in `file_dir`, for development and the demo).
    pub transport: String,
    /// Folder for the `file` transport.
    pub file_dir: String,
    pub from_name: String,
    pub from_email: String,
    pub reply_to: Option<String>,
    /// Right-hand side of our Message-IDs.
    pub message_id_domain: String,
    pub smtp: SmtpConfig,
}

/// `mail.smtp.*`
#[derive(Debug, Clone, Deserialize)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// `none`, `starttls` or `tls`.
    pub security: String,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    /// Connections kept open to the server.
    pub pool_size: u32,
    pub timeout_seconds: u64,
}

/// `dispatcher.*`: how the cron dispatcher sends.
#[derive(Debug, Clone, Deserialize)]
pub struct DispatcherSettings {
    /// How long a claimed mail is ours; after that another run may take it over (at-least-once).
    pub lease_seconds: i64,
    /// Attempts before a mail that keeps failing temporarily is marked dead.
    pub max_attempts: i32,
    /// Mails in flight at once.
    pub concurrency: usize,
    /// Mails per second at most (0 = no limit).
    pub rate_per_second: f64,
    /// Exit non-zero when more than this share of the attempted mails failed (0.0–1.0).
    pub max_failure_share: f64,
    /// Mails claimed per round.
    pub batch_size: i64,
    /// Connections that plan at once on PostgreSQL, each for its own bpvo's (SQLite plans on one).
    pub planners: usize,
}
#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    /// `sqlite://PATH` (embedded default) or `postgres://…` (production). Secret: it may hold a password.
    pub url: SecretString,
    /// Connections per process.
    pub pool_size: u32,
    /// Apply pending migrations when a service starts.
    pub migrate_on_start: bool,
    /// A read replica for the results service's big reads (loading and absorbing answers); its
    /// writes (audit, sessions, national figures) still go to `url`. Never migrated.
    #[serde(default)]
    pub read_url: Option<SecretString>,
}

/// `{service}.listen` and the public URL people reach it under.
#[derive(Debug, Clone, Deserialize)]
pub struct ListenSettings {
    /// `host:port` to bind, e.g. `127.0.0.1:8080` (port 0 picks a free one).
    pub listen: String,
    /// The URL the outside world uses (links in mails, OpenAPI servers); defaults to `http://{listen}`.
    pub public_url: Option<String>,
}

/// `reporting.*`: the results index behind the reporting API and dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ReportingSettings {
    /// Small-cell threshold: no figure rests on fewer answers (docs/privacy.md).
    pub k: u64,
    /// Seconds between absorbing new answers.
    pub refresh_seconds: u64,
    /// Seconds between re-reading invitation counts (the response denominator; one `GROUP BY`
    /// over all invitations, which change when the daily dispatcher runs).
    pub invitations_refresh_seconds: u64,
    /// Which fine filter keeps its answers when small cells merge: `kwalificatie` (default) or
    /// `locatie` (docs/privacy.md, "Which filters count").
    pub voorkeur: bpv_aggregation::Voorkeur,
    /// `HH:MM` (Dutch time): the one moment a day new answers and invitation counts are
    /// published, so that figures never change right after one known person answered
    /// (docs/privacy.md). Empty: absorb continuously every `refresh_seconds` (development only).
    #[serde(deserialize_with = "publish_at")]
    pub publish_at: Option<chrono::NaiveTime>,
}

/// `"06:00"` → 06:00; `""` → none.
fn publish_at<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<chrono::NaiveTime>, D::Error> {
    let s = String::deserialize(d)?;
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    chrono::NaiveTime::parse_from_str(s, "%H:%M")
        .map(Some)
        .map_err(|_| serde::de::Error::custom(format!("reporting.publish_at: {s:?} is geen tijd als HH:MM")))
}

impl Default for ReportingSettings {
    fn default() -> Self {
        Self {
            k: 10,
            refresh_seconds: 60,
            invitations_refresh_seconds: 900,
            voorkeur: bpv_aggregation::Voorkeur::default(),
            publish_at: chrono::NaiveTime::from_hms_opt(6, 0, 0),
        }
    }
}

/// `retention.*`: how long personal data is kept (docs/privacy.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct RetentionSettings {
    /// Days after a bpvo's survey closed before `bpv-dispatcher purge` removes the student's and
    /// praktijkopleider's names, emails and the student number.
    pub days: u32,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self { days: 90 }
    }
}

/// `mtls.*`: the listener of its own that serves `/v1/resultaten/antwoorden` over mutual TLS.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MtlsSettings {
    /// `host:port` to bind (port 0 picks a free one).
    pub listen: String,
    /// PEM: the server certificate chain.
    pub cert: PathBuf,
    /// PEM: the server's private key.
    pub key: PathBuf,
    /// PEM: the trust anchors client certificates must chain to (PKIoverheid in production).
    pub client_ca: PathBuf,
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
    /// How often each service re-reads the revoked API clients, seconds (a revoked client's
    /// tokens stop working within this time).
    #[serde(default = "revocation_refresh_seconds")]
    pub revocation_refresh_seconds: u64,
}

fn revocation_refresh_seconds() -> u64 {
    20
}

/// The JWT key used when none is configured outside production: fine on a laptop, refused in production.
pub const DEV_JWT_SECRET: &str = "bpv-monitor-dev-only-not-for-production-0000";

/// Whether a listen address (`host:port`) is on loopback only.
fn is_loopback(listen: &str) -> bool {
    match listen.parse::<std::net::SocketAddr>() {
        Ok(addr) => addr.ip().is_loopback(),
        Err(_) => listen.rsplit_once(':').is_some_and(|(host, _)| host.eq_ignore_ascii_case("localhost")),
    }
}

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

/// Settings whose value is in a file: `BPV__AUTH__JWT_SECRET_FILE=/run/secrets/jwt` sets
/// `auth.jwt_secret` to that file's content without its final line break (how container
/// platforms hand out secrets). Any setting may be given this way; giving both the variable and
/// its `_FILE` twin is refused, as is a file that cannot be read.
fn values_from_files(vars: impl Iterator<Item = (String, String)>) -> Result<Vec<(String, String)>, SettingsError> {
    let vars: Vec<(String, String)> = vars.collect();
    let mut values = Vec::new();
    for (name, path) in &vars {
        let Some(setting) = name.strip_prefix("BPV__").and_then(|n| n.strip_suffix("_FILE")) else { continue };
        if setting.is_empty() {
            continue;
        }
        let twin = format!("BPV__{setting}");
        if vars.iter().any(|(n, _)| *n == twin) {
            return Err(SettingsError::Invalid(format!("{twin} and {name} are both set; give one")));
        }
        let content = std::fs::read_to_string(path)
            .map_err(|e| SettingsError::Invalid(format!("{name}: cannot read {path}: {e}")))?;
        let value = content.strip_suffix('\n').map_or(content.as_str(), |v| v.strip_suffix('\r').unwrap_or(v));
        let key = setting.split("__").map(str::to_lowercase).collect::<Vec<_>>().join(".");
        values.push((key, value.to_owned()));
    }
    Ok(values)
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

/// The signing key of test settings ([`Settings::for_test`]): 32 bytes or more, so the services
/// accept it on PostgreSQL and beyond loopback too. Never a production key.
pub const TEST_JWT_SECRET: &str = "test-sleutel-van-minstens-32-bytes-lang-0001";

impl Settings {
    /// Settings for a test harness: no config files, no environment variables,
    /// `environment = test`, [`TEST_JWT_SECRET`], the given database, then `overrides` (later wins,
    /// e.g. `("school_api.listen", "127.0.0.1:0")`). One place, so the harnesses cannot drift apart.
    pub fn for_test(database_url: &str, overrides: &[(&str, &str)]) -> Result<Self, SettingsError> {
        let mut all: Vec<(String, String)> = vec![
            ("database.url".into(), database_url.into()),
            ("environment".into(), "test".into()),
            ("auth.jwt_secret".into(), TEST_JWT_SECRET.into()),
        ];
        all.extend(overrides.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        Self::load_from(&SettingsSource { config_dir: Some("/nonexistent".into()), overrides: all, ignore_env: true })
    }

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
            .set_default("mail.transport", "file")?
            .set_default("mail.file_dir", "./data/outbox")?
            .set_default("mail.from_name", "BPV Monitor (SBB)")?
            .set_default("mail.from_email", "bpv-monitor@sbb.example")?
            .set_default("mail.message_id_domain", "bpv-monitor.sbb.example")?
            .set_default("mail.smtp.host", "127.0.0.1")?
            .set_default("mail.smtp.port", 25)?
            .set_default("mail.smtp.security", "starttls")?
            .set_default("mail.smtp.pool_size", 8)?
            .set_default("mail.smtp.timeout_seconds", 30)?
            .set_default("dispatcher.lease_seconds", 600)?
            .set_default("dispatcher.max_attempts", 8)?
            .set_default("dispatcher.concurrency", 8)?
            .set_default("dispatcher.rate_per_second", 0.0)?
            .set_default("dispatcher.max_failure_share", 0.2)?
            .set_default("dispatcher.batch_size", 500)?
            .set_default("dispatcher.planners", 2)?
            .add_source(file(&dir, "default"))
            .add_source(file(&dir, &env_name));
        if !source.ignore_env {
            builder =
                builder.add_source(config::Environment::with_prefix("BPV").prefix_separator("__").separator("__"));
            for (key, value) in values_from_files(std::env::vars())? {
                builder = builder.set_override(key, value)?;
            }
        }
        for (k, v) in &source.overrides {
            builder = builder.set_override(k.as_str(), v.as_str())?;
        }
        let settings: Settings = builder.build()?.try_deserialize()?;
        settings.validate()?;
        Ok(settings)
    }

    /// Whether the JWT key is the development key built into the code.
    pub fn development_key_in_use(&self) -> bool {
        self.auth.jwt_secret.expose_secret() == DEV_JWT_SECRET
    }

    /// The development key, or any key under 32 bytes.
    fn weak_jwt_key(&self) -> bool {
        self.development_key_in_use() || self.auth.jwt_secret.expose_secret().len() < 32
    }

    /// Fail closed for a service that signs or checks JWTs: listening on anything but loopback
    /// (`listen` and the other addresses it serves), or on PostgreSQL, it refuses the development
    /// key and any key under 32 bytes, whatever `BPV_ENV` says. Logs a warning whenever the
    /// development key is in use.
    pub fn check_jwt_key(&self, listen: &[&str]) -> Result<(), SettingsError> {
        let exposed = listen.iter().find(|l| !is_loopback(l));
        let postgres = self.database.url.expose_secret().starts_with("postgres");
        if self.weak_jwt_key() && (exposed.is_some() || postgres) {
            let why = match exposed {
                Some(addr) => format!("the service listens on {addr}, beyond loopback"),
                None => "the service uses PostgreSQL".to_owned(),
            };
            return Err(SettingsError::Invalid(format!(
                "{why}: set BPV__AUTH__JWT_SECRET (auth.jwt_secret) to at least 32 random bytes; the development key \
                 and shorter keys are only accepted on loopback with SQLite"
            )));
        }
        if self.development_key_in_use() {
            tracing::warn!(
                "the development JWT key is in use (set BPV__AUTH__JWT_SECRET): fine on a laptop, never in production"
            );
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), SettingsError> {
        if let Err(e) = parse_trusted(&self.http.trusted_proxies) {
            return Err(SettingsError::Invalid(format!("http.trusted_proxies (BPV__HTTP__TRUSTED_PROXIES): {e}")));
        }
        if self.environment == Environment::Production && self.reporting.k < 5 {
            return Err(SettingsError::Invalid(format!(
                "reporting.k (BPV__REPORTING__K) must be at least 5 outside local and test (got {})",
                self.reporting.k
            )));
        }
        if self.environment == Environment::Production && self.weak_jwt_key() {
            return Err(SettingsError::Invalid(
                "auth.jwt_secret (BPV__AUTH__JWT_SECRET) must be set to at least 32 random bytes in production".into(),
            ));
        }
        if self.environment == Environment::Production && self.mail.transport != "smtp" {
            return Err(SettingsError::Invalid(
                "mail.transport (BPV__MAIL__TRANSPORT) must be smtp in production; configure mail.smtp.*".into(),
            ));
        }
        if !["smtp", "file"].contains(&self.mail.transport.as_str()) {
            return Err(SettingsError::Invalid(format!(
                "mail.transport must be smtp or file (got {:?})",
                self.mail.transport
            )));
        }
        if !["none", "starttls", "tls"].contains(&self.mail.smtp.security.as_str()) {
            return Err(SettingsError::Invalid("mail.smtp.security must be none, starttls or tls".into()));
        }
        if !(0.0..=1.0).contains(&self.dispatcher.max_failure_share) || self.dispatcher.max_attempts < 1 {
            return Err(SettingsError::Invalid(
                "dispatcher.max_failure_share must be 0.0–1.0 and dispatcher.max_attempts at least 1".into(),
            ));
        }
        if self.auth.token_ttl_seconds == 0 || self.auth.token_ttl_seconds > 24 * 3600 {
            return Err(SettingsError::Invalid("auth.token_ttl_seconds must be between 1 and 86400".into()));
        }
        if !(1..=60).contains(&self.auth.revocation_refresh_seconds) {
            return Err(SettingsError::Invalid(
                "auth.revocation_refresh_seconds must be between 1 and 60 (a revoked client must stop within a minute)"
                    .into(),
            ));
        }
        if self.environment == Environment::Production {
            for (key, l) in
                [("school_api", &self.school_api), ("survey", &self.survey), ("reporting_api", &self.reporting_api)]
            {
                if !l.https() {
                    return Err(SettingsError::Invalid(format!(
                        "{key}.public_url (BPV__{}__PUBLIC_URL) must be the https address people reach the service \
                         under in production",
                        key.to_uppercase()
                    )));
                }
            }
        }
        Ok(())
    }
}

impl ListenSettings {
    /// The public base URL without a trailing slash.
    pub fn base_url(&self) -> String {
        self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.listen)).trim_end_matches('/').to_owned()
    }

    /// Reached over https (its `public_url` says so).
    pub fn https(&self) -> bool {
        self.base_url().starts_with("https://")
    }

    /// Session cookies get `Secure` whenever the service is reached over https or listens beyond
    /// loopback (behind a proxy the listener looks like plain http; guessing "not secure" there
    /// would send a session over the network in the clear).
    pub fn secure_cookies(&self) -> bool {
        self.https() || !is_loopback(&self.listen)
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
    fn the_development_key_is_refused_beyond_loopback_or_on_postgres_whatever_the_environment() {
        let strong = "een-willekeurig-geheim-van-ruim-32-bytes!";
        let s = Settings::load_from(&source(&[])).unwrap();
        assert!(s.development_key_in_use());
        for ok in [&["127.0.0.1:8080"][..], &["[::1]:0", "localhost:8082"]] {
            s.check_jwt_key(ok).unwrap();
        }
        for exposed in ["0.0.0.0:8080", "10.0.0.5:443", "[::]:8080", "bpv.example:8080"] {
            let e = s.check_jwt_key(&["127.0.0.1:1", exposed]).unwrap_err().to_string();
            assert!(e.contains("BPV__AUTH__JWT_SECRET") && e.contains(exposed), "{e}");
        }
        let pg = Settings::load_from(&source(&[("database.url", "postgres://postgres@127.0.0.1/bpv")])).unwrap();
        let e = pg.check_jwt_key(&["127.0.0.1:0"]).unwrap_err().to_string();
        assert!(e.contains("PostgreSQL") && e.contains("BPV__AUTH__JWT_SECRET"), "{e}");
        let short = Settings::load_from(&source(&[
            ("database.url", "postgres://postgres@127.0.0.1/bpv"),
            ("auth.jwt_secret", "te-kort-geheim"),
        ]))
        .unwrap();
        assert!(short.check_jwt_key(&["127.0.0.1:0"]).is_err());
        let good = Settings::load_from(&source(&[
            ("database.url", "postgres://postgres@127.0.0.1/bpv"),
            ("auth.jwt_secret", strong),
        ]))
        .unwrap();
        good.check_jwt_key(&["0.0.0.0:8080"]).unwrap();
    }

    const PUBLIC: [(&str, &str); 3] = [
        ("school_api.public_url", "https://bpv.example/api"),
        ("survey.public_url", "https://enquete.bpv.example"),
        ("reporting_api.public_url", "https://resultaten.bpv.example"),
    ];

    #[test]
    fn production_needs_https_public_urls_and_cookies_are_secure_beyond_loopback() {
        let prod = |extra: &[(&str, &str)]| {
            let mut o = vec![
                ("environment", "production"),
                ("mail.transport", "smtp"),
                ("auth.jwt_secret", "een-willekeurig-geheim-van-ruim-32-bytes!"),
            ];
            o.extend_from_slice(extra);
            Settings::load_from(&source(&o))
        };
        let e = prod(&[]).unwrap_err().to_string();
        assert!(e.contains("BPV__SCHOOL_API__PUBLIC_URL"), "{e}");
        let e = prod(&[PUBLIC[0], PUBLIC[1], ("reporting_api.public_url", "http://resultaten.bpv.example")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("reporting_api.public_url"), "{e}");
        let s = prod(&PUBLIC).unwrap();
        assert!(s.school_api.https() && s.school_api.secure_cookies());

        let l = |listen: &str, public: Option<&str>| ListenSettings {
            listen: listen.into(),
            public_url: public.map(str::to_owned),
        };
        assert!(!l("127.0.0.1:8080", None).secure_cookies(), "a laptop over plain http");
        assert!(l("0.0.0.0:8080", None).secure_cookies(), "beyond loopback: Secure, whatever the scheme looks like");
        assert!(l("127.0.0.1:8080", Some("https://bpv.example")).secure_cookies());
    }

    #[test]
    fn results_publish_once_a_day_unless_told_otherwise() {
        let at = |v: Option<&str>| {
            let o: Vec<(&str, &str)> = v.map(|v| vec![("reporting.publish_at", v)]).unwrap_or_default();
            Settings::load_from(&source(&o)).map(|s| s.reporting.publish_at)
        };
        assert_eq!(at(None).unwrap(), chrono::NaiveTime::from_hms_opt(6, 0, 0));
        assert_eq!(at(Some("07:30")).unwrap(), chrono::NaiveTime::from_hms_opt(7, 30, 0));
        assert_eq!(at(Some("")).unwrap(), None, "empty: continuously (development)");
        let e = at(Some("25:00")).unwrap_err().to_string();
        assert!(e.contains("publish_at"), "{e}");
    }

    #[test]
    fn production_refuses_a_small_k() {
        let prod = |k: &str| {
            let mut o = vec![
                ("environment", "production"),
                ("mail.transport", "smtp"),
                ("auth.jwt_secret", "een-willekeurig-geheim-van-ruim-32-bytes!"),
                ("reporting.k", k),
            ];
            o.extend_from_slice(&PUBLIC);
            Settings::load_from(&source(&o))
        };
        let e = prod("4").unwrap_err().to_string();
        assert!(e.contains("reporting.k"), "{e}");
        prod("5").unwrap();
        // Local and test may use a small k (fixtures with few answers).
        Settings::load_from(&source(&[("reporting.k", "2")])).unwrap();
    }

    #[test]
    fn production_refuses_the_development_jwt_secret() {
        let err =
            Settings::load_from(&source(&[("environment", "production"), ("mail.transport", "smtp")])).unwrap_err();
        assert!(err.to_string().contains("BPV__AUTH__JWT_SECRET"), "{err}");
        let mut good = vec![
            ("environment", "production"),
            ("mail.transport", "smtp"),
            ("auth.jwt_secret", "0123456789abcdef0123456789abcdef-prod"),
        ];
        good.extend_from_slice(&PUBLIC);
        let ok = Settings::load_from(&source(&good));
        assert!(ok.is_ok(), "{ok:?}");
    }

    #[test]
    fn production_refuses_to_start_without_smtp() {
        let err = Settings::load_from(&source(&[
            ("environment", "production"),
            ("auth.jwt_secret", "0123456789abcdef0123456789abcdef-prod"),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("smtp"), "{err}");
    }

    #[test]
    fn a_setting_may_come_from_a_file() {
        let dir = std::env::temp_dir().join(format!("bpv-config-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let secret = dir.join("jwt");
        std::fs::write(&secret, "0123456789abcdef0123456789abcdef-uit-bestand\n").unwrap();
        let path = secret.display().to_string();
        let var = |n: &str, v: &str| (n.to_owned(), v.to_owned());

        let values = values_from_files(
            [var("BPV__AUTH__JWT_SECRET_FILE", &path), var("BPV__DATABASE__POOL_SIZE", "4"), var("HOME_FILE", "/x")]
                .into_iter(),
        )
        .unwrap();
        assert_eq!(
            values,
            vec![("auth.jwt_secret".to_owned(), "0123456789abcdef0123456789abcdef-uit-bestand".to_owned())]
        );

        let both = values_from_files(
            [var("BPV__AUTH__JWT_SECRET_FILE", &path), var("BPV__AUTH__JWT_SECRET", "x")].into_iter(),
        )
        .unwrap_err();
        assert!(both.to_string().contains("both set"), "{both}");

        let missing =
            values_from_files([var("BPV__DATABASE__URL_FILE", "/nonexistent/db-url")].into_iter()).unwrap_err();
        assert!(
            missing.to_string().contains("BPV__DATABASE__URL_FILE")
                && missing.to_string().contains("/nonexistent/db-url"),
            "{missing}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
