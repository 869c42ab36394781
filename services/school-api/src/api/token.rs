//! `POST /oauth/token`: OAuth2 client credentials (RFC 6749 §4.4). The client authenticates with
//! HTTP Basic or with `client_id`/`client_secret` in the form; the answer is a short-lived JWT
//! bounded to the client's instelling and scopes. Errors are problem+json that also carry the
//! RFC 6749 `error` code, so standard OAuth2 libraries understand them.

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use bpv_store::repo::{api_clients, audit};
use bpv_web::auth::{AUD_API, TokenSpec};
use bpv_web::{InvalidParam, Problem};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::state::AppState;

/// Het formulier van een tokenverzoek.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenForm {
    /// Moet `client_credentials` zijn.
    #[schema(value_type = String, required = true, pattern = "^client_credentials$", example = "client_credentials")]
    pub grant_type: Option<String>,
    /// Door spaties gescheiden deel van de scopes van de client; zonder dit veld alle scopes.
    #[schema(
        value_type = String,
        required = false,
        pattern = "^(bpvo:write|resultaten:read|praktijkloket:write)( (bpvo:write|resultaten:read|praktijkloket:write))*$",
        example = "bpvo:write"
    )]
    pub scope: Option<String>,
    /// De id van de client, als die niet met HTTP Basic is gestuurd.
    #[schema(value_type = String, required = false)]
    pub client_id: Option<String>,
    /// Het geheim van de client, als dat niet met HTTP Basic is gestuurd.
    #[schema(value_type = String, required = false)]
    pub client_secret: Option<String>,
}

/// Een tokenantwoord (RFC 6749 §5.1).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenAnswer {
    pub access_token: String,
    /// `Bearer`
    pub token_type: String,
    /// Aantal seconden tot het token verloopt.
    pub expires_in: i64,
    pub scope: String,
}

fn invalid_client() -> Problem {
    Problem::unauthorized("client_id of client_secret onjuist (invalid client credentials)")
        .oauth_error("invalid_client")
}

fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    use base64::Engine;
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// The token request's form, or a 400 in OAuth2 terms: not a form (`invalid_request`), or a
/// grant type other than `client_credentials`.
fn client_credentials_form(form: Result<web::Form<TokenForm>, actix_web::Error>) -> Result<TokenForm, Problem> {
    let form = form
        .map_err(|e| {
            Problem::invalid_input(
                "stuur een formulier (application/x-www-form-urlencoded) met grant_type=client_credentials",
                vec![InvalidParam {
                    name: "body".into(),
                    code: "form".into(),
                    reason: e.to_string(),
                    reason_en: e.to_string(),
                }],
            )
            .oauth_error("invalid_request")
        })?
        .into_inner();
    if form.grant_type.as_deref() != Some("client_credentials") {
        let got = form.grant_type.clone().unwrap_or_default();
        return Err(Problem::invalid_input(
            "alleen grant_type=client_credentials wordt ondersteund",
            vec![InvalidParam {
                name: "grant_type".into(),
                code: "unsupported_grant_type".into(),
                reason: format!("grant_type moet client_credentials zijn (gekregen: {got:?})"),
                reason_en: format!("grant_type must be client_credentials (got: {got:?})"),
            }],
        )
        .oauth_error(if got.is_empty() { "invalid_request" } else { "unsupported_grant_type" }));
    }
    Ok(form)
}

/// The scope of the token: what was asked, when all of it was granted (else 400
/// `invalid_scope`), or everything granted when nothing was asked.
fn granted_scope(granted: &[&str], requested: Option<&str>) -> Result<String, Problem> {
    let Some(asked) = requested.map(str::split_whitespace) else { return Ok(granted.join(" ")) };
    let asked: Vec<&str> = asked.collect();
    if let Some(bad) = asked.iter().find(|s| !granted.contains(s)) {
        return Err(Problem::invalid_input(
            format!("scope {bad} is niet aan deze client toegekend"),
            vec![InvalidParam {
                name: "scope".into(),
                code: "invalid_scope".into(),
                reason: format!("toegekende scopes: {}", granted.join(" ")),
                reason_en: format!("granted scopes: {}", granted.join(" ")),
            }],
        )
        .oauth_error("invalid_scope"));
    }
    Ok(asked.join(" "))
}

/// Exchange client credentials for an access token.
#[utoipa::path(post, path = "/oauth/token", operation_id = "vraagTokenAan", summary = "Vraag een toegangstoken aan", description = "OAuth2 client credentials (RFC 6749 §4.4): `client_id` en `client_secret` in, een JWT uit.", tag = "authenticatie",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, body = TokenAnswer, description = "Toegangstoken (JWT, Bearer)"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "Ongeldig verzoek, grant type of scope"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "Onjuiste client credentials"),
        (status = 429, description = "Te veel verzoeken"),
    ))]
pub async fn token(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: Result<web::Form<TokenForm>, actix_web::Error>,
) -> Result<HttpResponse, Problem> {
    let form = client_credentials_form(form)?;
    let (client_id, secret) = match (basic_credentials(&req), form.client_id, form.client_secret) {
        (Some(c), _, _) => c,
        (None, Some(id), Some(secret)) => (id, secret),
        _ => return Err(invalid_client()),
    };
    let pool = state.pool.clone();
    let keys = state.keys.clone();
    let requested = form.scope;
    super::blocking(move || {
        let mut conn = pool.get().map_err(|e| bpv_web::problem::no_connection(&e))?;
        let client =
            api_clients::find_active(&mut conn, &client_id).map_err(|e| bpv_web::problem::internal_error(&e))?;
        // Verify against a dummy hash when the client is unknown, so timing does not reveal which ids exist.
        let (hash, client) = match client {
            Some(c) => (c.secret_hash.clone(), Some(c)),
            None => (DUMMY_HASH.to_owned(), None),
        };
        let ok = bpv_web::credentials::verify_secret(&secret, &hash);
        let Some(client) = client.filter(|_| ok) else { return Err(invalid_client()) };
        let scope = granted_scope(&client.scope_list(), requested.as_deref())?;
        let now = chrono::Utc::now().timestamp();
        let ttl = keys.ttl_seconds();
        let token = keys
            .issue(
                &TokenSpec {
                    aud: AUD_API,
                    sub: &client.client_id,
                    scope: &scope,
                    brin: client.brin.as_deref(),
                    rol: match client.rol {
                        bpv_store::Rol::School => bpv_web::auth::TokenRol::School,
                        bpv_store::Rol::Sbb => bpv_web::auth::TokenRol::Sbb,
                    },
                    csrf: None,
                    ttl_seconds: ttl,
                },
                now,
            )
            .map_err(|e| bpv_web::problem::internal_error(&e))?;
        audit::append(
            &mut conn,
            bpv_store::now_utc(),
            audit::Actor { kind: "client", id: &client.client_id },
            client.brin.as_deref(),
            "login",
            &serde_json::json!({ "endpoint": "/oauth/token", "scope": scope }),
            None,
        )
        .map_err(|e| bpv_web::problem::internal_error(&e))?;
        Ok(super::Reply::json(
            actix_web::http::StatusCode::OK,
            &TokenAnswer { access_token: token, token_type: "Bearer".into(), expires_in: ttl, scope },
        )
        .header("Pragma", "no-cache"))
    })
    .await
    .map(super::Reply::into_response)
}

/// An argon2id hash of a random value nobody knows; checked against when the client id is unknown.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2mFmN3cX7GmzqsoVg6AIqSG6XxoSzCeOS8OBuHBtdQ0";
