//! Building the HTTP server: routes, limits, headers and error shapes. `Application::build` binds
//! the listener (port 0 picks a free one) and reports the real address, so tests and `bpv demo`
//! run the very code the binary runs.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use bpv_store::DbPool;
use bpv_web::Settings;
use bpv_web::auth::TokenKeys;
use bpv_web::headers::api_headers;
use bpv_web::observe::{self, Metrics};
use bpv_web::problem::{json_error_handler, not_found_handler, path_error_handler, query_error_handler};

use crate::state::{AppState, Limits};
use crate::{api, openapi, pages};

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    host: String,
    server: Server,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application").field("host", &self.host).field("port", &self.port).finish()
    }
}

impl Application {
    /// Open the database (migrating if configured), bind `school_api.listen` and build the server.
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        let pool = bpv_web::service::open_database(settings)?;
        Self::build_with_pool(settings, pool, Limits::default())
    }

    /// Build on an existing pool (tests, `bpv demo`).
    pub fn build_with_pool(settings: &Settings, pool: DbPool, limits: Limits) -> anyhow::Result<Self> {
        settings.check_jwt_key(&[&settings.school_api.listen])?;
        let listener = TcpListener::bind(&settings.school_api.listen)
            .with_context(|| format!("cannot listen on {}", settings.school_api.listen))?;
        let addr = listener.local_addr()?;
        let revoked = bpv_web::service::revoked_clients(settings, &pool);
        let secure_cookies = settings.school_api.secure_cookies();
        let state = AppState {
            pool,
            keys: TokenKeys::new(&settings.auth),
            limits,
            scheduling: settings.scheduling,
            secure_cookies,
            trusted_proxies: settings.http.trusted(),
            public_url: settings.school_api.base_url(),
            revoked,
            uploads: bpv_web::observe::Counts::default(),
        };
        let server = run(listener, state, settings.school_api.https())?;
        Ok(Self { port: addr.port(), host: addr.ip().to_string(), server })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://host:port` of the bound listener.
    pub fn url(&self) -> String {
        format!("http://{}:{}", self.host, self.port)
    }

    /// Serve until the process is stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// The server future, for running several services in one process.
    pub fn into_server(self) -> Server {
        self.server
    }
}

fn run(listener: TcpListener, state: AppState, https: bool) -> anyhow::Result<Server> {
    let limits = state.limits;
    let auth_limit = bpv_web::ratelimit::RateLimit::new(
        bpv_web::ratelimit::ClientIp::new(state.trusted_proxies.clone()),
        std::time::Duration::from_secs(60 / u64::from(limits.auth_per_minute.clamp(1, 60))),
        limits.auth_per_minute.max(1),
    );
    let keys = web::Data::new(state.keys.clone());
    let revoked = web::Data::new(state.revoked.clone());
    let pool = web::Data::new(state.pool.clone());
    let metrics = web::Data::new(
        Metrics::builder()
            .pool(&state.pool)
            .counts("upload_records", "Records uploaded, by source (bron) and outcome (resultaat)", &state.uploads)
            .build(),
    );
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(api_headers(https))
            .wrap(actix_web::middleware::Compress::default())
            .wrap(from_fn(observe::requests))
            .app_data(metrics.clone())
            .app_data(data.clone())
            .app_data(keys.clone())
            .app_data(revoked.clone())
            .app_data(pool.clone())
            .app_data(web::JsonConfig::default().limit(limits.max_record_bytes).error_handler(json_error_handler))
            .app_data(web::QueryConfig::default().error_handler(query_error_handler))
            .app_data(web::PathConfig::default().error_handler(path_error_handler))
            .app_data(web::FormConfig::default().limit(16 * 1024))
            .route("/health", web::get().to(bpv_web::service::health))
            .route("/ready", web::get().to(bpv_web::service::ready))
            .route("/metrics", web::get().to(observe::serve))
            .route("/v1/openapi.json", web::get().to(openapi::serve))
            .service(web::resource("/oauth/token").wrap(auth_limit.clone()).route(web::post().to(api::token::token)))
            .configure(api::configure)
            .configure(|cfg| pages::configure(cfg, &auth_limit))
            .default_service(web::to(not_found_handler))
    })
    .listen(listener)?
    .run();
    Ok(server)
}
