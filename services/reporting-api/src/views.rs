//! The dashboard's HTML: templates loaded once, and every page answered with its CSP.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use minijinja::Environment;

/// The templates, loaded once.
pub struct Views {
    env: Environment<'static>,
}

impl std::fmt::Debug for Views {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Views").finish_non_exhaustive()
    }
}

impl Views {
    /// Load the embedded templates.
    pub fn new() -> Result<Self, minijinja::Error> {
        let mut env = Environment::new();
        env.add_template("base.html", include_str!("../templates/base.html"))?;
        env.add_template("onderdelen.html", include_str!("../templates/onderdelen.html"))?;
        env.add_template("instellingen.html", include_str!("../templates/instellingen.html"))?;
        env.add_template("login.html", include_str!("../templates/login.html"))?;
        env.add_template("dashboard.html", include_str!("../templates/dashboard.html"))?;
        env.add_template("datakwaliteit.html", include_str!("../templates/datakwaliteit.html"))?;
        env.add_template("praktijkverklaringen.html", include_str!("../templates/praktijkverklaringen.html"))?;
        env.add_template("signalen.html", include_str!("../templates/signalen.html"))?;
        env.add_template("kwartaalfotos.html", include_str!("../templates/kwartaalfotos.html"))?;
        env.add_template("verbeterpunten.html", include_str!("../templates/verbeterpunten.html"))?;
        env.add_template("trend.html", include_str!("../templates/trend.html"))?;
        env.add_template("respons.html", include_str!("../templates/respons.html"))?;
        env.add_template("lezers.html", include_str!("../templates/lezers.html"))?;
        Ok(Views { env })
    }

    pub(crate) fn render(&self, status: StatusCode, name: &str, ctx: minijinja::Value) -> HttpResponse {
        match self.env.get_template(name).and_then(|t| t.render(ctx)) {
            Ok(html) => page(status).body(html),
            Err(e) => {
                tracing::error!(error = %e, template = name, "template failed");
                page(StatusCode::INTERNAL_SERVER_ERROR).body("Er ging iets mis bij het tonen van deze pagina.")
            }
        }
    }
}

pub(crate) fn page(status: StatusCode) -> actix_web::HttpResponseBuilder {
    let mut b = HttpResponse::build(status);
    b.content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", bpv_web::headers::PAGE_CSP))
        .insert_header(("Referrer-Policy", "same-origin"));
    b
}
