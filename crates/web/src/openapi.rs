//! The OpenAPI documents as the NL GOV API Design Rules want them, from what utoipa generates out
//! of the handlers: the major version in the server URL (`servers: …/v1`, paths relative to it;
//! `/oauth/token`, `/health` and `/ready` keep their own server, the service's root), the
//! `API-Version` header declared on every answer, who to ask (`info.contact`) and the one version
//! number of the contract. Both services serve their document through [`serve`], readable
//! cross-origin (a developer portal may load it from elsewhere). Checked by Spectral with the
//! rules in `tests/api-rules/nlgov-adr.yaml`.

use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Map, Value, json};

use crate::headers::API_VERSION;

/// The path prefix that carries the major version.
pub const VERSION_PREFIX: &str = "/v1";

/// Who answers questions about the API (`info.contact`).
const CONTACT: (&str, &str, &str) =
    ("SBB, team BPV Monitor", "bpv-monitor@sbb.example", "https://bpv-monitor.sbb.example/ontwikkelaars");

/// The document for a service reached at `base` (scheme and host, no trailing slash), whose API
/// clients get their tokens at `token_url`.
pub fn document(doc: &utoipa::openapi::OpenApi, base: &str, token_url: &str) -> Value {
    let mut doc = serde_json::to_value(doc).unwrap_or(Value::Null);
    let Some(root) = doc.as_object_mut() else { return doc };
    root.insert(
        "servers".into(),
        json!([{ "url": format!("{base}{VERSION_PREFIX}"), "description": "Deze omgeving, versie 1 van de API" }]),
    );
    if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
        info.insert("version".into(), json!(API_VERSION));
        info.insert("contact".into(), json!({ "name": CONTACT.0, "email": CONTACT.1, "url": CONTACT.2 }));
    }
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        let old = std::mem::take(paths);
        for (path, mut item) in old {
            for op in item.as_object_mut().into_iter().flat_map(|i| i.values_mut()) {
                declare_response_headers(op);
                name_oauth2(op);
            }
            match path.strip_prefix(VERSION_PREFIX).filter(|rest| rest.starts_with('/')) {
                Some(rest) => {
                    paths.insert(rest.to_owned(), item);
                }
                None => {
                    if let Some(i) = item.as_object_mut() {
                        i.insert(
                            "servers".into(),
                            json!([{ "url": base, "description": "Buiten de versie: de wortel van de dienst" }]),
                        );
                    }
                    paths.insert(path, item);
                }
            }
        }
    }
    let components = root.entry("components").or_insert_with(|| json!({}));
    if let Some(c) = components.as_object_mut() {
        let schemes = c.entry("securitySchemes").or_insert_with(|| json!({}));
        if let Some(schemes) = schemes.as_object_mut() {
            schemes.remove("bearer");
            schemes.insert("oauth2".into(), oauth2_scheme(token_url));
        }
        let headers = c.entry("headers").or_insert_with(|| json!({}));
        if let Some(h) = headers.as_object_mut() {
            h.insert(
                "API-Version".into(),
                json!({
                    "description": "De volledige versie van de API (semver) die dit antwoord gaf; op elk antwoord",
                    "schema": { "type": "string", "example": API_VERSION },
                }),
            );
        }
    }
    doc
}

/// What the tokens are: OAuth2 client credentials at `token_url`, with the scopes there are.
fn oauth2_scheme(token_url: &str) -> Value {
    use crate::auth::{SCOPE_BPVO_WRITE, SCOPE_PRAKTIJKLOKET_WRITE, SCOPE_RESULTATEN_READ};
    json!({
        "type": "oauth2",
        "description": "OAuth2 client credentials (RFC 6749 §4.4): wissel client_id en client_secret bij het \
                        tokenadres in voor een toegangstoken (JWT, standaard 15 minuten) en stuur dat mee als \
                        `Authorization: Bearer …`.",
        "flows": { "clientCredentials": {
            "tokenUrl": token_url,
            "scopes": {
                SCOPE_BPVO_WRITE: "Bpvo's met studentgegevens aanleveren, lezen en intrekken",
                SCOPE_RESULTATEN_READ: "Resultaten, respons, filters en datakwaliteit lezen",
                SCOPE_PRAKTIJKLOKET_WRITE: "Begeleidingsdocumenten, beoordelingen en praktijkverklaringen",
            },
        }},
    })
}

/// utoipa names the scheme `bearer` (an HTTP scheme has no scopes); the document's is `oauth2`.
fn name_oauth2(operation: &mut Value) {
    let Some(requirements) = operation.get_mut("security").and_then(Value::as_array_mut) else { return };
    for requirement in requirements {
        if let Some(r) = requirement.as_object_mut()
            && let Some(scopes) = r.remove("bearer")
        {
            r.insert("oauth2".into(), scopes);
        }
    }
}

/// Every response of an operation declares `API-Version` (beside the headers it has); a 401
/// declares `WWW-Authenticate` and a 429 `Retry-After`, which the services send with them.
fn declare_response_headers(operation: &mut Value) {
    let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else { return };
    for (status, response) in responses.iter_mut() {
        let Some(r) = response.as_object_mut() else { continue };
        let headers = r.entry("headers").or_insert_with(|| Value::Object(Map::new()));
        if let Some(h) = headers.as_object_mut() {
            h.insert("API-Version".into(), json!({ "$ref": "#/components/headers/API-Version" }));
            match status.as_str() {
                "401" => {
                    h.insert(
                        "WWW-Authenticate".into(),
                        json!({
                            "description": "`Bearer realm=\"bpv-monitor\"` (RFC 6750): stuur een geldig toegangstoken mee",
                            "schema": { "type": "string" },
                        }),
                    );
                }
                "429" => {
                    h.insert(
                        "Retry-After".into(),
                        json!({ "description": "Na zoveel seconden mag het opnieuw", "schema": { "type": "integer" } }),
                    );
                }
                _ => {}
            }
        }
    }
}

/// `GET /v1/openapi.json`: the document with the server the caller reached (scheme and host as
/// the request, or a proxy's `Forwarded`/`X-Forwarded-*` headers, give them), readable from any
/// origin.
/// `token_url`: where the tokens come from when not from this service (`/oauth/token` here).
pub fn serve(req: &HttpRequest, doc: &utoipa::openapi::OpenApi, token_url: Option<&str>) -> HttpResponse {
    let info = req.connection_info();
    let base = format!("{}://{}", info.scheme(), info.host());
    let token_url = token_url.map_or_else(|| format!("{base}/oauth/token"), str::to_owned);
    HttpResponse::Ok().insert_header(("Access-Control-Allow-Origin", "*")).json(document(doc, &base, &token_url))
}

#[cfg(test)]
mod tests {
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem};
    use utoipa::openapi::{OpenApiBuilder, PathsBuilder, ResponseBuilder};

    use super::*;

    #[test]
    fn versioned_paths_move_under_the_server_and_the_rest_keep_the_root() {
        let op = || {
            OperationBuilder::new()
                .response("200", ResponseBuilder::new().description("ok"))
                .response("400", ResponseBuilder::new().description("fout"))
                .build()
        };
        let paths = PathsBuilder::new()
            .path("/v1/bpvos/{id}", PathItem::new(HttpMethod::Get, op()))
            .path("/health", PathItem::new(HttpMethod::Get, op()))
            .path("/v1x", PathItem::new(HttpMethod::Get, op()));
        let doc = document(
            &OpenApiBuilder::new().paths(paths).build(),
            "https://api.example",
            "https://api.example/oauth/token",
        );
        assert_eq!(doc["servers"][0]["url"], "https://api.example/v1");
        assert!(doc["paths"]["/bpvos/{id}"]["get"].is_object());
        assert!(doc["paths"]["/bpvos/{id}"]["servers"].is_null());
        assert_eq!(doc["paths"]["/health"]["servers"][0]["url"], "https://api.example");
        assert_eq!(doc["paths"]["/v1x"]["servers"][0]["url"], "https://api.example", "not the version prefix");
        for code in ["200", "400"] {
            assert_eq!(
                doc["paths"]["/bpvos/{id}"]["get"]["responses"][code]["headers"]["API-Version"]["$ref"],
                "#/components/headers/API-Version"
            );
        }
        assert_eq!(doc["components"]["headers"]["API-Version"]["schema"]["example"], API_VERSION);
        assert_eq!(doc["info"]["version"], API_VERSION);
        assert!(doc["info"]["contact"]["email"].is_string());
        let flow = &doc["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"];
        assert_eq!(flow["tokenUrl"], "https://api.example/oauth/token");
        assert!(flow["scopes"]["bpvo:write"].is_string());
    }
}
