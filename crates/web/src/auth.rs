//! Tokens this system issues, one audience per purpose so a token minted for one thing can never
//! do another: API access tokens (OAuth2 client credentials → JWT) and session tokens for the
//! upload page and the dashboard. HS256 with the configured key; short lifetimes.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use crate::problem::Problem;
use crate::settings::AuthSettings;

/// Audience of access tokens for the Marktresponse API.
pub const AUD_API: &str = "bpv-marktresponse-api";
/// Audience of session tokens of the manual upload page.
pub const AUD_UPLOAD_SESSION: &str = "bpv-uploadmodule-sessie";
/// Audience of session tokens of the results dashboard.
pub const AUD_DASHBOARD_SESSION: &str = "bpv-dashboard-sessie";

/// Scope to upload bpvo's.
pub const SCOPE_BPVO_WRITE: &str = "bpvo:write";
/// Scope to read results.
pub const SCOPE_RESULTATEN_READ: &str = "resultaten:read";
/// Create begeleidingsdocumenten and praktijkverklaringen (the Praktijkloket-API).
pub const SCOPE_PRAKTIJKLOKET_WRITE: &str = "praktijkloket:write";

/// Who a token speaks for: a school's API client, SBB (API client or medewerker session), a
/// gemachtigde's session, a lezer's or a toezichthouder's (dashboard only). A token whose `rol` is anything else does
/// not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenRol {
    /// A school's API client, bounded to its instelling.
    School,
    /// SBB: every instelling.
    Sbb,
    /// A gemachtigde of one instelling, logged into the upload page or the dashboard.
    Gemachtigde,
    /// A lezer of one instelling, logged into the dashboard (results only).
    Lezer,
    /// The inspectie or OCW, logged into the dashboard: the quarterly data-quality photos only.
    Toezicht,
}

/// Claims of every token we issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// Client id or gemachtigde id.
    pub sub: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    /// Space-separated scopes.
    #[serde(default)]
    pub scope: String,
    /// The instelling the token is bounded to (absent for SBB staff).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brin: Option<String>,
    /// `school`, `sbb`, `gemachtigde`, `lezer` or `toezicht`.
    pub rol: TokenRol,
    /// Anti-CSRF value for session tokens (forms must echo it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csrf: Option<String>,
}

/// What a new token says.
#[derive(Debug, Clone, Copy)]
pub struct TokenSpec<'a> {
    /// Purpose: [`AUD_API`], [`AUD_UPLOAD_SESSION`] or [`AUD_DASHBOARD_SESSION`].
    pub aud: &'a str,
    pub sub: &'a str,
    pub scope: &'a str,
    pub brin: Option<&'a str>,
    pub rol: TokenRol,
    pub csrf: Option<&'a str>,
    pub ttl_seconds: i64,
}

/// Signs and checks tokens. Cheap to clone (keys are reference-counted inside).
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    ttl_seconds: i64,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys").field("issuer", &self.issuer).field("ttl_seconds", &self.ttl_seconds).finish()
    }
}

/// Why a token was refused (the message is safe to show).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("het token is verlopen (token expired)")]
    Expired,
    #[error("het token is niet voor deze API bedoeld (wrong audience)")]
    WrongAudience,
    #[error("het token is ongeldig (invalid token)")]
    Invalid,
}

impl TokenKeys {
    /// Keys from the settings.
    pub fn new(settings: &AuthSettings) -> Self {
        let secret = settings.jwt_secret.expose_secret().as_bytes();
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            issuer: settings.issuer.clone(),
            ttl_seconds: i64::try_from(settings.token_ttl_seconds).unwrap_or(900),
        }
    }

    /// Access-token lifetime in seconds.
    pub fn ttl_seconds(&self) -> i64 {
        self.ttl_seconds
    }

    /// Issue a token as described by `spec`, valid from `now` (unix seconds).
    pub fn issue(&self, spec: &TokenSpec<'_>, now: i64) -> Result<String, TokenError> {
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: spec.aud.to_owned(),
            sub: spec.sub.to_owned(),
            iat: now,
            nbf: now,
            exp: now + spec.ttl_seconds,
            jti: uuid::Uuid::new_v4().simple().to_string(),
            scope: spec.scope.to_owned(),
            brin: spec.brin.map(str::to_owned),
            rol: spec.rol,
            csrf: spec.csrf.map(str::to_owned),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|_| TokenError::Invalid)
    }

    /// Check signature, issuer, audience and lifetime (no leeway beyond 30 s of clock skew).
    pub fn verify(&self, token: &str, aud: &str) -> Result<Claims, TokenError> {
        let mut v = Validation::new(Algorithm::HS256);
        v.set_audience(&[aud]);
        v.set_issuer(&[&self.issuer]);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub", "nbf"]);
        v.validate_nbf = true;
        v.leeway = 30;
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &v).map(|d| d.claims).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            match e.kind() {
                K::ExpiredSignature => TokenError::Expired,
                K::InvalidAudience => TokenError::WrongAudience,
                _ => TokenError::Invalid,
            }
        })
    }
}

/// Who is calling the API: a verified access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiPrincipal {
    pub client_id: String,
    pub brin: Option<String>,
    pub rol: TokenRol,
    pub scopes: Vec<String>,
}

impl ApiPrincipal {
    /// 403 unless the token carries `scope`.
    pub fn require_scope(&self, scope: &str) -> Result<(), Problem> {
        if self.scopes.iter().any(|s| s == scope) {
            Ok(())
        } else {
            Err(Problem::forbidden(format!("het token mist scope {scope} (missing scope)")))
        }
    }

    /// The instelling a school client is bounded to; 403 for tokens without one.
    pub fn instelling(&self) -> Result<&str, Problem> {
        self.brin.as_deref().ok_or_else(|| Problem::forbidden("dit token hoort bij geen instelling"))
    }

    /// True for SBB staff.
    pub fn is_sbb(&self) -> bool {
        self.rol == TokenRol::Sbb
    }
}

/// OpenAPI modifier: declares the `bearer` (JWT) security scheme the operations refer to.
#[derive(Debug, Clone, Copy)]
pub struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// API clients revoked recently enough that their tokens may still be unexpired. Each service
/// reloads it from the database every `auth.revocation_refresh_seconds` (20), and [`ApiPrincipal`] refuses their
/// tokens: a revoked client stops working within that time, not only when its token expires.
#[derive(Debug, Clone, Default)]
pub struct Revoked(std::sync::Arc<std::sync::RwLock<std::collections::HashSet<String>>>);

impl Revoked {
    /// Replace the set.
    pub fn replace(&self, ids: std::collections::HashSet<String>) {
        if let Ok(mut set) = self.0.write() {
            *set = ids;
        }
    }

    /// Whether this client is revoked.
    pub fn contains(&self, client_id: &str) -> bool {
        self.0.read().map(|s| s.contains(client_id)).unwrap_or(false)
    }

    /// Reload the set with `load` (blocking: it reads the database) every `every`, until the
    /// process ends; a failed load keeps the last set and is logged.
    pub async fn keep_fresh<F>(self, every: std::time::Duration, load: F)
    where
        F: Fn() -> Result<std::collections::HashSet<String>, String> + Send + Sync + 'static,
    {
        let load = std::sync::Arc::new(load);
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let l = std::sync::Arc::clone(&load);
            match tokio::task::spawn_blocking(move || l()).await {
                Ok(Ok(ids)) => self.replace(ids),
                Ok(Err(e)) => tracing::error!(error = %e, "ingetrokken clients niet gelezen; de vorige lijst blijft"),
                Err(e) => tracing::error!(error = %e, "ingetrokken clients lezen afgebroken"),
            }
        }
    }
}

fn bearer(req: &HttpRequest) -> Result<&str, Problem> {
    let value = req.headers().get(header::AUTHORIZATION).ok_or_else(|| {
        Problem::unauthorized("stuur een access token: Authorization: Bearer <token> (missing token)")
    })?;
    let value = value.to_str().map_err(|_| Problem::unauthorized("de Authorization-header is ongeldig"))?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => Ok(token.trim()),
        _ => Err(Problem::unauthorized("gebruik het Bearer-schema: Authorization: Bearer <token>")),
    }
}

impl FromRequest for ApiPrincipal {
    type Error = Problem;
    type Future = Ready<Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready((|| {
            let keys = req.app_data::<web::Data<TokenKeys>>().ok_or_else(|| Problem::internal("token-keys-missing"))?;
            let token = bearer(req)?;
            let claims = keys.verify(token, AUD_API).map_err(|e| Problem::unauthorized(e.to_string()))?;
            if req.app_data::<web::Data<Revoked>>().is_some_and(|r| r.contains(&claims.sub)) {
                return Err(Problem::unauthorized("deze client is ingetrokken; vraag SBB om een nieuwe"));
            }
            Ok(ApiPrincipal {
                client_id: claims.sub,
                brin: claims.brin,
                rol: claims.rol,
                scopes: claims.scope.split_whitespace().map(str::to_owned).collect(),
            })
        })())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use secrecy::SecretString;

    fn keys(secret: &str) -> TokenKeys {
        TokenKeys::new(&AuthSettings {
            jwt_secret: SecretString::from(secret.to_owned()),
            token_ttl_seconds: 900,
            issuer: "bpv-monitor".into(),
            revocation_refresh_seconds: 20,
        })
    }

    fn spec<'a>(sub: &'a str, scope: &'a str, brin: Option<&'a str>, ttl: i64) -> TokenSpec<'a> {
        TokenSpec { aud: AUD_API, sub, scope, brin, rol: TokenRol::School, csrf: None, ttl_seconds: ttl }
    }

    #[test]
    fn token_roundtrips_for_its_own_audience_only() {
        let k = keys("0123456789abcdef0123456789abcdef");
        let now = chrono::Utc::now().timestamp();
        let t = k.issue(&spec("client-1", "bpvo:write", Some("25AB"), 900), now).unwrap();
        let c = k.verify(&t, AUD_API).unwrap();
        assert_eq!((c.sub.as_str(), c.brin.as_deref()), ("client-1", Some("25AB")));
        assert_eq!(k.verify(&t, AUD_UPLOAD_SESSION), Err(TokenError::WrongAudience));
    }

    #[test]
    fn a_token_with_an_unknown_role_does_not_verify() {
        let secret = "0123456789abcdef0123456789abcdef";
        let now = chrono::Utc::now().timestamp();
        let claims = serde_json::json!({
            "iss": "bpv-monitor", "aud": AUD_API, "sub": "x", "iat": now, "nbf": now, "exp": now + 60,
            "jti": "j", "scope": "resultaten:read", "rol": "admin",
        });
        let forged =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(secret.as_bytes()))
                .unwrap();
        assert!(keys(secret).verify(&forged, AUD_API).is_err(), "signed, but with a role we never issue");
    }

    #[test]
    fn expired_and_forged_tokens_are_refused() {
        let k = keys("0123456789abcdef0123456789abcdef");
        let now = chrono::Utc::now().timestamp();
        let old = k.issue(&spec("c", "", None, 900), now - 4000).unwrap();
        assert_eq!(k.verify(&old, AUD_API), Err(TokenError::Expired));
        let other = keys("another-key-another-key-another-key");
        let forged = other.issue(&spec("c", "bpvo:write", Some("25AB"), 900), now).unwrap();
        assert_eq!(k.verify(&forged, AUD_API), Err(TokenError::Invalid));
        assert_eq!(k.verify("not.a.token", AUD_API), Err(TokenError::Invalid));
    }
}
