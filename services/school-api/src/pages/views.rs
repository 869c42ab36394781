//! Rendering the upload pages: the templates (compiled into the binary, parsed once), the headers
//! every page carries, the pages several handlers share (login, message, failure) and the way
//! values are written for Dutch readers.

use std::sync::LazyLock;

use actix_web::HttpResponse;
use actix_web::dev::ServiceResponse;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::ErrorHandlerResponse;
use bpv_store::models::GemachtigdeRow;
use bpv_web::Problem;
use bpv_web::headers::PAGE_CSP;
use bpv_web::problem::internal_error;
use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value, context};
use serde::Serialize;

const TEMPLATES: [(&str, &str); 7] = [
    ("base.html", include_str!("../../templates/base.html")),
    ("inloggen.html", include_str!("../../templates/inloggen.html")),
    ("overzicht.html", include_str!("../../templates/overzicht.html")),
    ("controle.html", include_str!("../../templates/controle.html")),
    ("resultaat.html", include_str!("../../templates/resultaat.html")),
    ("melding.html", include_str!("../../templates/melding.html")),
    ("verificatie.html", include_str!("../../templates/verificatie.html")),
];

const STYLESHEET: &str = include_str!("../../static/stijl.css");

/// Shown when even the failure page cannot be rendered (a broken template; the unit tests render
/// every template, so this is a last resort).
const BARE_FAILURE: &str = "<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>Er ging iets mis\
     </title></head><body><main><h1>Er ging iets mis</h1><p>Probeer het later opnieuw.</p></main></body></html>";

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    // Block tags leave no blank lines behind in the HTML.
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    // A misspelt variable is an error, not silently empty text.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    for (name, source) in TEMPLATES {
        if let Err(e) = env.add_template(name, source) {
            tracing::error!(template = name, error = %e, "upload page template does not compile");
        }
    }
    env
});

/// The logged-in gemachtigde as the page header shows them.
#[derive(Debug, Clone, Serialize)]
pub struct Gebruiker {
    pub naam: String,
    pub brin: String,
}

impl From<&GemachtigdeRow> for Gebruiker {
    fn from(g: &GemachtigdeRow) -> Self {
        Self { naam: g.naam.clone(), brin: g.brin.clone() }
    }
}

/// A page to answer with. Plain data, so it can be built on the blocking pool, where an
/// `HttpResponse` (not `Send`) cannot be.
#[derive(Debug)]
pub struct Page {
    status: StatusCode,
    html: String,
    location: Option<&'static str>,
    cookie: Option<String>,
}

impl Page {
    /// Render `template` with `ctx` and the page header's `gebruiker`.
    pub fn render(template: &str, status: StatusCode, gebruiker: Option<&Gebruiker>, ctx: Value) -> Page {
        match render_html(template, gebruiker, ctx) {
            Ok(html) => Page { status, html, location: None, cookie: None },
            Err(e) => failure(&internal_error(&format!("template {template}: {e:#}"))),
        }
    }

    /// 303 to `location` (after a form post, so that reloading does not post again).
    pub fn see_other(location: &'static str) -> Page {
        Page { status: StatusCode::SEE_OTHER, html: String::new(), location: Some(location), cookie: None }
    }

    /// Also send this `Set-Cookie` value.
    pub fn with_cookie(mut self, cookie: String) -> Page {
        self.cookie = Some(cookie);
        self
    }

    /// The rendered HTML (for tests of the pages' content).
    #[cfg(test)]
    pub fn html(&self) -> &str {
        &self.html
    }

    /// The HTTP response. Pages set their own CSP (the API default forbids even their stylesheet)
    /// and a referrer policy under which browsers send the real `Origin` on our own forms.
    pub fn into_response(self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        res.insert_header((header::CONTENT_SECURITY_POLICY, PAGE_CSP))
            .insert_header((header::REFERRER_POLICY, "same-origin"));
        if let Some(cookie) = self.cookie {
            res.insert_header((header::SET_COOKIE, cookie));
        }
        if let Some(location) = self.location {
            res.insert_header((header::LOCATION, location));
            return res.finish();
        }
        res.content_type("text/html; charset=utf-8").body(self.html)
    }
}

fn render_html(template: &str, gebruiker: Option<&Gebruiker>, ctx: Value) -> Result<String, minijinja::Error> {
    ENV.get_template(template)?.render(context! { gebruiker => gebruiker, ..ctx })
}

/// The answer of a handler whose work ran on the blocking pool: its page, or the problem it
/// ran into as a page (never a stack trace; a 500 shows only its incident id).
pub fn respond(result: Result<Page, Problem>) -> HttpResponse {
    match result {
        Ok(page) => page.into_response(),
        Err(p) if p.status >= 500 => failure(&p).into_response(),
        Err(p) => {
            let details: Vec<String> = p.invalid_params.iter().map(|ip| ip.reason.clone()).collect();
            message(p.status_code(), None, &p.title, p.detail.as_deref().unwrap_or(""), &details).into_response()
        }
    }
}

/// The login form.
pub fn login(status: StatusCode, email: &str, fout: Option<&str>, info: Option<&str>) -> Page {
    Page::render("inloggen.html", status, None, context! { email, fout, info })
}

/// The login form again, after a session that expired or no longer counts; the cookie goes.
pub fn session_ended(status: StatusCode, secure_cookies: bool) -> Page {
    login(status, "", None, Some("Uw sessie is verlopen of niet meer geldig. Log opnieuw in om verder te gaan."))
        .with_cookie(super::session::clear_cookie(secure_cookies))
}

/// A page with one message (and optionally a list of details); shown as an error from 400 up.
pub fn message(
    status: StatusCode,
    gebruiker: Option<&Gebruiker>,
    titel: &str,
    tekst: &str,
    details: &[String],
) -> Page {
    let fout = status.is_client_error() || status.is_server_error();
    Page::render("melding.html", status, gebruiker, context! { titel, tekst, details, fout })
}

/// 403 for a form that did not come from our own pages or session.
pub fn form_refused() -> Page {
    message(
        StatusCode::FORBIDDEN,
        None,
        "Formulier geweigerd",
        "Dit formulier is verlopen of niet vanaf de uploadpagina verstuurd. Ga naar de uploadpagina en probeer het \
         opnieuw.",
        &[],
    )
}

/// The 500 page: the cause went to the log under the incident id shown here.
pub fn failure(problem: &Problem) -> Page {
    let kenmerk = incident_id(problem);
    let tekst = format!("Er ging iets mis; probeer het later opnieuw (kenmerk {kenmerk}).");
    let ctx = context! { titel => "Er ging iets mis", tekst, details => Vec::<String>::new(), fout => true };
    let html = render_html("melding.html", None, ctx).unwrap_or_else(|_| BARE_FAILURE.to_owned());
    Page { status: StatusCode::INTERNAL_SERVER_ERROR, html, location: None, cookie: None }
}

/// The incident id `internal_error` put at the end of its detail.
fn incident_id(problem: &Problem) -> &str {
    problem.detail.as_deref().and_then(|d| d.rsplit_once("kenmerk ")).map_or("onbekend", |(_, id)| id.trim())
}

/// The rate limiter's bare 429 on the login form, replaced by the login form saying so.
pub fn too_many_logins<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let retry_after = res.response().headers().get(header::RETRY_AFTER).cloned();
    let fout = "U heeft te vaak geprobeerd in te loggen. Wacht een minuut en probeer het dan opnieuw.";
    let mut response = login(StatusCode::TOO_MANY_REQUESTS, "", Some(fout), None).into_response();
    if let Some(v) = retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    let (req, _) = res.into_parts();
    Ok(ErrorHandlerResponse::Response(ServiceResponse::new(req, response).map_into_right_body()))
}

/// `GET /upload/stijl.css`.
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .content_type("text/css; charset=utf-8")
        .body(STYLESHEET)
}

/// A `GET` of a form's target (a bookmark, a reload after the session ended): back to the start.
pub async fn back_to_upload() -> HttpResponse {
    Page::see_other("/upload").into_response()
}

/// A message of the API (which starts in lower case, mid-sentence) as a sentence of its own.
pub fn zin(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A date as Dutch readers write it: `31-01-2026`.
pub fn datum(d: NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

/// A count with Dutch thousands separators: `50.000` (the aggregation crate's rule, one home).
pub fn getal(n: usize) -> String {
    bpv_aggregation::thousands_nl(u64::try_from(n).unwrap_or(u64::MAX))
}

/// A stored UTC moment in Dutch time: `31-01-2026 14:05`.
pub fn tijdstip(utc: NaiveDateTime) -> String {
    bpvo::TIJDZONE.from_utc_datetime(&utc).format("%d-%m-%Y %H:%M").to_string()
}

/// The separator the CSV reader found, named.
pub fn scheidingsteken(delimiter: u8) -> String {
    match delimiter {
        b';' => "puntkomma (;)".to_owned(),
        b',' => "komma (,)".to_owned(),
        b'\t' => "tab".to_owned(),
        other => format!("{:?}", char::from(other)),
    }
}

/// The CSV column of a record field (`creboCode` → `Crebo_code`); other names as given.
pub fn kolom(field: &str) -> &str {
    bpvo::BPVO_COLUMNS.iter().find(|(_, path)| *path == field).map_or(field, |(column, _)| column)
}

/// A field error as the pages list it: the column, and the message without the `(kolom …)` the
/// CSV reader appends for readers that see no column name beside it.
pub fn veldfout(field: &str, message: &str) -> (String, String) {
    let column = if field.is_empty() { "Regel" } else { kolom(field) };
    let message = message.strip_suffix(&format!(" (kolom {column})")).unwrap_or(message);
    (column.to_owned(), message.to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn gebruiker() -> Gebruiker {
        Gebruiker { naam: "Anouk <de> Vries".into(), brin: "25LX".into() }
    }

    #[test]
    fn every_template_compiles() {
        for (name, _) in TEMPLATES {
            ENV.get_template(name).unwrap();
        }
    }

    #[test]
    fn login_page_is_complete_and_escapes_what_was_typed() {
        let html = render_html(
            "inloggen.html",
            None,
            context! { email => "<script>x</script>", fout => Some("E-mailadres of wachtwoord onjuist"), info => None::<&str> },
        )
        .unwrap();
        assert!(html.contains("<html lang=\"nl\">"));
        assert!(html.contains("<title>Inloggen · BPV Monitor uploadmodule</title>"));
        assert!(html.contains("role=\"alert\""));
        assert!(html.contains("value=\"&lt;script&gt;x"));
        assert!(!html.contains("<script>"));
        assert!(!html.contains("Uitloggen"), "no logout button without a user");
    }

    #[test]
    fn message_page_shows_the_user_and_details() {
        let html = render_html(
            "melding.html",
            Some(&gebruiker()),
            context! { titel => "Let op", tekst => "Tekst", details => vec!["een", "twee"], fout => true },
        )
        .unwrap();
        assert!(html.contains("Anouk &lt;de&gt; Vries · 25LX"));
        assert!(html.contains("<li>twee</li>"));
        assert!(html.contains("Uitloggen"));
    }

    #[test]
    fn failure_page_shows_only_the_incident_id() {
        let page = failure(&Problem::internal("abc123def456"));
        assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(page.html.contains("Er ging iets mis; probeer het later opnieuw (kenmerk abc123def456)."));
    }

    #[test]
    fn values_are_written_the_dutch_way() {
        assert_eq!(datum(NaiveDate::from_ymd_opt(2026, 1, 31).unwrap()), "31-01-2026");
        assert_eq!(scheidingsteken(b';'), "puntkomma (;)");
        assert_eq!(
            (getal(0), getal(999), getal(1000), getal(50_000), getal(1_234_567)),
            ("0".into(), "999".into(), "1.000".into(), "50.000".into(), "1.234.567".into())
        );
        assert_eq!(zin("instelling 30RC neemt niet deel"), "Instelling 30RC neemt niet deel");
        assert_eq!(zin(""), "");
        assert_eq!(kolom("creboCode"), "Crebo_code");
        assert_eq!(kolom("student.naam"), "Naam");
        assert_eq!(kolom("iets"), "iets");
        assert_eq!(
            veldfout("creboCode", "Crebo-code moet bestaan uit precies 5 cijfers (kolom Crebo_code)"),
            ("Crebo_code".to_owned(), "Crebo-code moet bestaan uit precies 5 cijfers".to_owned())
        );
        assert_eq!(veldfout("", "Regel 3 heeft 4 velden").0, "Regel");
    }
}
