//! Errors as `application/problem+json` (RFC 9457) with an `invalidParams` list naming every bad
//! field (NL GOV API Design Rules), and the actix error handlers that turn extractor failures
//! (bad JSON, too large, bad query) into the same shape.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;

/// The media type of every error answer.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Eén ongeldig invoerveld.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvalidParam {
    /// Pad van het veld, bijv. `records[3].student.emailadres`, of de naam van de queryparameter.
    pub name: String,
    /// Machineleesbare reden, bijv. `required`, `pattern`, `date_order`.
    pub code: String,
    /// Wat er mis is en wat er wordt verwacht, in het Nederlands.
    pub reason: String,
    /// Hetzelfde in het Engels.
    pub reason_en: String,
}

/// Een foutantwoord (problem details, RFC 9457).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// Een URI-verwijzing die het soort probleem aanduidt.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Korte, voor mensen leesbare samenvatting van het soort probleem.
    pub title: String,
    /// De HTTP-statuscode.
    pub status: u16,
    /// Uitleg over dit specifieke geval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Het pad van het verzoek.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Elk ongeldig veld, als het probleem ongeldige invoer is.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub invalid_params: Vec<InvalidParam>,
    /// OAuth2-foutcode (RFC 6749 §5.2), alleen in antwoorden van het tokenadres.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Problem {
    /// A problem with a status, a slug for its type and a title.
    pub fn new(status: StatusCode, slug: &str, title: impl Into<String>) -> Self {
        Self {
            problem_type: format!("urn:bpv-monitor:problem:{slug}"),
            title: title.into(),
            status: status.as_u16(),
            detail: None,
            instance: None,
            invalid_params: Vec::new(),
            error: None,
        }
    }

    /// Add the OAuth2 error code (token endpoint).
    pub fn oauth_error(mut self, code: &str) -> Self {
        self.error = Some(code.to_owned());
        self
    }

    /// Add the specific explanation.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Add invalid fields.
    pub fn with_params(mut self, params: Vec<InvalidParam>) -> Self {
        self.invalid_params = params;
        self
    }

    /// 400: the input is invalid; `params` names each field.
    pub fn invalid_input(detail: impl Into<String>, params: Vec<InvalidParam>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "ongeldige-invoer", "Ongeldige invoer").detail(detail).with_params(params)
    }

    /// 401 (answered with `WWW-Authenticate: Bearer`).
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "niet-geauthenticeerd", "Niet geauthenticeerd").detail(detail)
    }

    /// 403.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "geen-toegang", "Geen toegang").detail(detail)
    }

    /// 404.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "niet-gevonden", "Niet gevonden").detail(detail)
    }

    /// 409.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", "Conflict").detail(detail)
    }

    /// 413.
    pub fn too_large(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "te-groot", "Verzoek te groot").detail(detail)
    }

    /// 415.
    pub fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "mediatype-niet-ondersteund", "Mediatype niet ondersteund")
            .detail(detail)
    }

    /// 422.
    pub fn unprocessable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "niet-verwerkbaar", "Niet verwerkbaar").detail(detail)
    }

    /// 429.
    pub fn too_many_requests(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, "te-veel-verzoeken", "Te veel verzoeken").detail(detail)
    }

    /// 500: says nothing of the cause (that goes to the log, with the id given here).
    pub fn internal(incident: &str) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "interne-fout", "Interne fout")
            .detail(format!("Er ging iets mis aan onze kant; meld dit met kenmerk {incident}"))
    }

    /// 503.
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "niet-beschikbaar", "Tijdelijk niet beschikbaar").detail(detail)
    }

    /// The status as an actix `StatusCode`.
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The HTTP response.
    pub fn to_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        if self.status == 401 {
            res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"bpv-monitor\"")));
        }
        res.body(serde_json::to_string(self).unwrap_or_default())
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.title)?;
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problem {}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        Problem::status_code(self)
    }

    fn error_response(&self) -> HttpResponse {
        self.to_response()
    }
}

impl From<&bpvo::FieldError> for InvalidParam {
    fn from(e: &bpvo::FieldError) -> Self {
        Self {
            name: e.field.clone(),
            code: e.code.clone(),
            reason: e.message_nl.clone(),
            reason_en: e.message_en.clone(),
        }
    }
}

/// The field errors of one record as invalid params, with a prefix such as `records[3].`.
pub fn params_from_validation(prefix: &str, errors: &bpvo::ValidationErrors) -> Vec<InvalidParam> {
    errors
        .0
        .iter()
        .map(|e| {
            let mut p = InvalidParam::from(e);
            p.name = format!("{prefix}{}", p.name);
            p
        })
        .collect()
}

/// Turn a store failure into a problem: details go to the log under an incident id.
/// The default service of every API: a problem+json 404 naming the path, and saying so when the
/// only thing wrong is a trailing slash.
pub async fn not_found_handler(req: HttpRequest) -> HttpResponse {
    let path = req.path();
    let detail = if path.len() > 1 && path.ends_with('/') {
        format!("{path} bestaat niet; paden eindigen niet op een slash (probeer {})", path.trim_end_matches('/'))
    } else {
        format!("{path} bestaat niet")
    };
    let mut p = Problem::not_found(detail);
    p.instance = Some(path.to_owned());
    p.to_response()
}

pub fn internal_error(err: &dyn std::fmt::Display) -> Problem {
    let incident = uuid::Uuid::new_v4().simple().to_string();
    tracing::error!(incident = %incident, error = %err, "request failed");
    Problem::internal(&incident[..12])
}

/// A database failure inside a write transaction is a 500 (logged with its incident id), so a
/// handler's transaction can return problems of its own beside the store's.
impl From<diesel::result::Error> for Problem {
    fn from(e: diesel::result::Error) -> Self {
        internal_error(&e)
    }
}

/// A 503 whose cause (a driver error, a host name, a migration's name) is logged with an incident
/// id and never shown: `/ready` and the connection helpers are open to unauthenticated callers.
pub fn unavailable_logged(what: &str, err: &dyn std::fmt::Display) -> Problem {
    let incident = uuid::Uuid::new_v4().simple().to_string();
    tracing::error!(incident = %incident, error = %err, "{what}");
    Problem::unavailable(format!("{what}; meld dit met kenmerk {}", &incident[..12]))
}

/// A request that cannot get a database connection (pool busy or database away): 503 in every
/// service, the cause logged, not shown.
pub fn no_connection(err: &dyn std::fmt::Display) -> Problem {
    unavailable_logged("database niet bereikbaar", err)
}

/// A body that is not JSON of the right shape, named by line and column.
pub fn invalid_json(e: &serde_json::Error) -> Problem {
    Problem::invalid_input(
        "de body is geen geldige JSON voor dit endpoint",
        vec![InvalidParam {
            name: format!("body (regel {}, kolom {})", e.line(), e.column()),
            code: "json".into(),
            reason: format!("ongeldige JSON: {e}"),
            reason_en: format!("invalid JSON: {e}"),
        }],
    )
}

/// JSON body errors (syntax, wrong type, too large, wrong content type) as problems.
pub fn json_error_handler(err: actix_web::error::JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    let problem = match &err {
        E::OverflowKnownLength { length, limit } => {
            Problem::too_large(format!("de body is {length} bytes; het maximum is {limit} bytes"))
        }
        E::Overflow { limit } => Problem::too_large(format!("de body is groter dan het maximum van {limit} bytes")),
        E::ContentType => Problem::unsupported_media_type("stuur JSON met Content-Type: application/json"),
        E::Deserialize(e) => invalid_json(e),
        E::Payload(actix_web::error::PayloadError::Overflow) => Problem::too_large("de body is groter dan toegestaan"),
        other => Problem::invalid_input(format!("de body kon niet worden gelezen: {other}"), vec![]),
    };
    actix_web::error::InternalError::from_response(err, problem.to_response()).into()
}

/// Query-string errors as problems naming the parameter.
/// An unknown key is named with code `unknown` and the keys the operation does know (as the
/// deserializer lists them, so the message cannot disagree with the code); anything else is
/// `query` with code `syntax`.
pub fn query_error_handler(err: actix_web::error::QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let msg = err.to_string();
    let param = match unknown_field(&msg) {
        Some((field, known)) => InvalidParam {
            name: field,
            code: "unknown".into(),
            reason: format!("onbekende parameter; bekend zijn: {known}"),
            reason_en: format!("unknown parameter; known: {known}"),
        },
        None => InvalidParam {
            name: "query".into(),
            code: "syntax".into(),
            reason: format!("de queryparameters kunnen niet worden gelezen: {msg}"),
            reason_en: msg,
        },
    };
    let problem = Problem::invalid_input("de queryparameters zijn ongeldig", vec![param]);
    actix_web::error::InternalError::from_response(err, problem.to_response()).into()
}

/// serde's "unknown field `x`, expected `a` or `b`" (or "expected one of `a`, `b`, `c`") as
/// (`x`, "a, b, c").
fn unknown_field(msg: &str) -> Option<(String, String)> {
    let rest = msg.split("unknown field `").nth(1)?;
    let (field, rest) = rest.split_once('`')?;
    let expected = rest.split("expected").nth(1).unwrap_or("");
    let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    let known = if known.is_empty() { "geen".to_owned() } else { known.join(", ") };
    Some((field.to_owned(), known))
}

/// Path-segment errors as problems.
pub fn path_error_handler(err: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    let msg = err.to_string();
    let problem = Problem::invalid_input(
        "het pad is ongeldig",
        vec![InvalidParam { name: "path".into(), code: "path".into(), reason: msg.clone(), reason_en: msg }],
    );
    actix_web::error::InternalError::from_response(err, problem.to_response()).into()
}

/// Raw body (`Bytes`/`String`) errors, e.g. a CSV body over the limit.
pub fn payload_error_handler(err: actix_web::error::PayloadError) -> Problem {
    match err {
        actix_web::error::PayloadError::Overflow => Problem::too_large("de body is groter dan toegestaan"),
        other => Problem::invalid_input(format!("de body kon niet worden gelezen: {other}"), vec![]),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_unknown_query_key_is_named_with_the_known_ones() {
        let two =
            super::unknown_field("Query deserialize error: unknown field `page`, expected `pagina` or `perPagina`");
        assert_eq!(two, Some(("page".into(), "pagina, perPagina".into())));
        let many = super::unknown_field("unknown field `x`, expected one of `a`, `b`, `c`");
        assert_eq!(many, Some(("x".into(), "a, b, c".into())));
        assert_eq!(super::unknown_field("invalid digit found in string"), None);
    }

    /// docs/api.md lists every problem type this module makes, with its status, and no other.
    #[test]
    fn every_problem_type_is_in_the_api_guide() {
        let source = include_str!("problem.rs");
        let guide = include_str!("../../../docs/api.md");
        let mut made = Vec::new();
        for line in source.lines().map(str::trim).filter(|l| l.starts_with("Self::new(StatusCode::")) {
            let status = line.split("StatusCode::").nth(1).and_then(|r| r.split(',').next()).unwrap_or("");
            let slug = line.split('"').nth(1).unwrap_or("");
            let code = status_by_name(status).unwrap_or_else(|| panic!("unknown status {status}"));
            made.push((slug.to_owned(), code.as_u16()));
        }
        assert!(made.len() >= 10, "{made:?}");
        // The one made elsewhere: actix's bare 405, turned into a problem by the observe middleware.
        let observe = include_str!("observe.rs");
        assert!(observe.contains("METHOD_NOT_ALLOWED") && observe.contains("\"methode-niet-toegestaan\""));
        made.push(("methode-niet-toegestaan".to_owned(), 405));
        let section = guide.split("### Problem types").nth(1).and_then(|r| r.split("### ").next()).unwrap();
        let rows: Vec<(String, u16)> = section
            .lines()
            .filter(|l| l.starts_with("| `"))
            .map(|l| {
                let cells: Vec<&str> = l.split('|').map(str::trim).collect();
                (cells[1].trim_matches('`').to_owned(), cells[2].parse().unwrap())
            })
            .collect();
        let mut made_sorted = made.clone();
        made_sorted.sort();
        let mut rows_sorted = rows.clone();
        rows_sorted.sort();
        assert_eq!(rows_sorted, made_sorted, "docs/api.md § Problem types against crates/web/src/problem.rs");
    }

    fn status_by_name(name: &str) -> Option<actix_web::http::StatusCode> {
        use actix_web::http::StatusCode as S;
        Some(match name {
            "BAD_REQUEST" => S::BAD_REQUEST,
            "UNAUTHORIZED" => S::UNAUTHORIZED,
            "FORBIDDEN" => S::FORBIDDEN,
            "NOT_FOUND" => S::NOT_FOUND,
            "CONFLICT" => S::CONFLICT,
            "PAYLOAD_TOO_LARGE" => S::PAYLOAD_TOO_LARGE,
            "UNSUPPORTED_MEDIA_TYPE" => S::UNSUPPORTED_MEDIA_TYPE,
            "UNPROCESSABLE_ENTITY" => S::UNPROCESSABLE_ENTITY,
            "TOO_MANY_REQUESTS" => S::TOO_MANY_REQUESTS,
            "INTERNAL_SERVER_ERROR" => S::INTERNAL_SERVER_ERROR,
            "SERVICE_UNAVAILABLE" => S::SERVICE_UNAVAILABLE,
            _ => return None,
        })
    }
}
