//! Building the survey server: routes, a per-IP rate limit on the token pages (guessing a
//! 128-bit token is hopeless anyway; this keeps scanners from costing us anything), headers.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use bpv_aggregation::Questionnaires;
use bpv_store::DbPool;
use bpv_web::Settings;

use crate::state::State;
use crate::{beoordeling, pages, views::Views};

/// A bound, not yet running server.
pub struct Application {
    host: String,
    port: u16,
    server: Server,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application").field("host", &self.host).field("port", &self.port).finish()
    }
}

impl Application {
    /// Open the database (migrating if configured) and bind `survey.listen`.
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        let pool = bpv_web::service::open_database(settings)?;
        Self::build_with_pool(settings, pool)
    }

    /// Build on an existing pool (tests, `bpv demo`).
    pub fn build_with_pool(settings: &Settings, pool: DbPool) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&settings.survey.listen)
            .with_context(|| format!("cannot listen on {}", settings.survey.listen))?;
        let addr = listener.local_addr()?;
        let state = State {
            pool,
            k: settings.reporting.k,
            questionnaires: Arc::new(Questionnaires::builtin().context("questionnaires")?),
            views: Arc::new(Views::new().context("templates")?),
            veiligheid: Arc::new(settings.veiligheid.clone()),
        };
        // Per client address (behind a trusted proxy: the real client's) …
        let per_address = bpv_web::ratelimit::RateLimit::new(
            bpv_web::ratelimit::ClientIp::new(settings.http.trusted()),
            std::time::Duration::from_millis(500),
            60,
        );
        // … and per link: a respondent needs a few pages, not hundreds from many addresses.
        let per_token =
            bpv_web::ratelimit::RateLimit::new(bpv_web::ratelimit::PathToken, std::time::Duration::from_secs(3), 20);
        let pool = web::Data::new(state.pool.clone());
        let metrics = web::Data::new(bpv_web::observe::Metrics::builder().pool(&state.pool).build());
        let data = web::Data::new(state);
        let https = settings.survey.https();
        let server = HttpServer::new(move || {
            App::new()
                .wrap(bpv_web::headers::api_headers(https))
                .wrap(actix_web::middleware::from_fn(bpv_web::observe::requests))
                .app_data(metrics.clone())
                .app_data(data.clone())
                .app_data(pool.clone())
                .app_data(web::FormConfig::default().limit(64 * 1024))
                .route("/health", web::get().to(bpv_web::service::health))
                .route("/ready", web::get().to(bpv_web::service::ready))
                .route("/metrics", web::get().to(bpv_web::observe::serve))
                .route("/enquete.css", web::get().to(pages::stylesheet))
                .service(
                    web::scope("")
                        .wrap(per_token.clone())
                        .wrap(per_address.clone())
                        .route("/s/{token}", web::get().to(pages::show))
                        // Link checkers and mail scanners ask with HEAD; answer as GET would (no body).
                        .route("/s/{token}", web::head().to(pages::show))
                        .route("/s/{token}", web::post().to(pages::submit))
                        .route("/afmelden/{token}", web::get().to(pages::optout_page))
                        .route("/afmelden/{token}", web::post().to(pages::optout))
                        // The Praktijkloket's assessment by link.
                        .route("/b/{token}", web::get().to(beoordeling::show))
                        .route("/b/{token}", web::head().to(beoordeling::show))
                        .route("/b/{token}", web::post().to(beoordeling::submit))
                        .route("/b/{token}/afmelden", web::get().to(beoordeling::decline_page))
                        .route("/b/{token}/afmelden", web::post().to(beoordeling::decline)),
                )
        })
        .listen(listener)?
        .run();
        Ok(Self { host: addr.ip().to_string(), port: addr.port(), server })
    }

    /// `http://host:port` of the bound listener.
    pub fn url(&self) -> String {
        format!("http://{}:{}", self.host, self.port)
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serve until stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// The server future, for running several services in one process.
    pub fn into_server(self) -> Server {
        self.server
    }
}
