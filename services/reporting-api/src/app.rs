//! Building the HTTP server. `Application::build` binds the listener (port 0 picks a free one),
//! loads the results index before serving and keeps it current in the background, so tests and
//! `bpv demo` run the very code the binary runs.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use bpv_aggregation::Questionnaires;
use bpv_store::DbPool;
use bpv_web::Settings;
use bpv_web::auth::TokenKeys;
use bpv_web::headers::api_headers;
use bpv_web::observe::{self, Metrics};
use bpv_web::problem::{json_error_handler, not_found_handler, path_error_handler, query_error_handler};
use secrecy::ExposeSecret;

use crate::data::{ReportData, publish_daily, refresh_loop};
use crate::state::AppState;
use crate::views::Views;
use crate::{antwoorden, api, datakwaliteit, mtls, openapi, praktijkverklaringen, verbeterpunten};
use crate::{dashboard, instellingen, lezers, respons, trend};

/// Login attempts per client IP per minute.
const LOGINS_PER_MINUTE: u32 = 30;

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    host: String,
    server: Server,
    data: Arc<ReportData>,
    /// The mutual-TLS listener's port, when `mtls` is configured (it runs in the background).
    mtls_port: Option<u16>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application").field("host", &self.host).field("port", &self.port).finish()
    }
}

impl Application {
    /// Open the database (migrating if configured), load the results and bind `reporting_api.listen`.
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        let pool = bpv_web::service::open_database(settings)?;
        Self::build_with_pool(settings, pool).await
    }

    /// Build on an existing pool (tests, `bpv demo`): loads every stored answer into the index
    /// first, then serves and refreshes every `reporting.refresh_seconds`. Must run inside a
    /// Tokio runtime.
    pub async fn build_with_pool(settings: &Settings, pool: DbPool) -> anyhow::Result<Self> {
        let mut listens = vec![settings.reporting_api.listen.as_str()];
        listens.extend(settings.mtls.as_ref().map(|m| m.listen.as_str()));
        settings.check_jwt_key(&listens)?;
        let questionnaires = Questionnaires::builtin()?;
        let data =
            Arc::new(ReportData::with_voorkeur(questionnaires, settings.reporting.k, settings.reporting.voorkeur));
        // The answers are read from the replica when there is one; writes go to the primary.
        let read_pool = match &settings.database.read_url {
            Some(url) => {
                let (url, read_pool) = bpv_store::open(url.expose_secret(), settings.database.pool_size, false)?;
                tracing::info!(database = %url.redacted(), "resultaten lezen van de leesreplica");
                read_pool
            }
            None => pool.clone(),
        };
        let pools = crate::data::Pools { read: read_pool, write: pool.clone() };
        let (d, p) = (Arc::clone(&data), pools.clone());
        let started = std::time::Instant::now();
        let report = tokio::task::spawn_blocking(move || p.publish(&d)).await??;
        let stats = data.stats();
        tracing::info!(
            antwoorden = report.answers,
            atomen = stats.atoms,
            ms = started.elapsed().as_millis() as u64,
            "resultaten geladen"
        );
        match settings.reporting.publish_at {
            Some(at) => {
                tracing::info!(om = %at.format("%H:%M"), "resultaten worden dagelijks gepubliceerd");
                tokio::spawn(publish_daily(Arc::clone(&data), pools, at));
            }
            None => {
                tokio::spawn(refresh_loop(
                    Arc::clone(&data),
                    pools,
                    Duration::from_secs(settings.reporting.refresh_seconds.max(1)),
                    Duration::from_secs(settings.reporting.invitations_refresh_seconds.max(1)),
                ));
            }
        }
        let listener = TcpListener::bind(&settings.reporting_api.listen)
            .with_context(|| format!("cannot listen on {}", settings.reporting_api.listen))?;
        let addr = listener.local_addr()?;
        let revoked = bpv_web::service::revoked_clients(settings, &pool);
        let secure_cookies = settings.reporting_api.secure_cookies();
        let state = AppState {
            pool,
            keys: TokenKeys::new(&settings.auth),
            data: Arc::clone(&data),
            views: Arc::new(Views::new()?),
            kwaliteit: Arc::new(datakwaliteit::cache::Cache::new(
                Duration::from_secs(settings.reporting.refresh_seconds.max(1)),
                settings.datakwaliteit,
            )),
            secure_cookies,
            trusted_proxies: settings.http.trusted(),
            revoked,
            pseudoniem_sleutel: Arc::new(crate::antwoorden::pseudoniem_sleutel(
                settings.auth.jwt_secret.expose_secret(),
            )),
            signaal: crate::signalen::instellingen(settings),
            token_url: format!("{}/oauth/token", settings.school_api.base_url()),
        };
        let metrics = web::Data::new(metrics(&state));
        let mtls_port = match &settings.mtls {
            Some(m) => Some(run_mtls(m, state.clone(), metrics.clone())?),
            None => None,
        };
        let server = run(listener, state, settings.reporting_api.https(), metrics)?;
        Ok(Self { port: addr.port(), host: addr.ip().to_string(), server, data, mtls_port })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://host:port` of the bound listener.
    pub fn url(&self) -> String {
        format!("http://{}:{}", self.host, self.port)
    }

    /// `https://host:port` of the mutual-TLS listener, when configured.
    pub fn mtls_url(&self) -> Option<String> {
        self.mtls_port.map(|p| format!("https://{}:{p}", self.host))
    }

    /// The results data (tests refresh it on demand instead of waiting for the timer).
    pub fn data(&self) -> Arc<ReportData> {
        Arc::clone(&self.data)
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

/// The pool and the results index beside the request metrics: how many answers the published
/// figures hold and how old the publication is.
fn metrics(state: &AppState) -> Metrics {
    let (answers, atoms, loaded, age) =
        (Arc::clone(&state.data), Arc::clone(&state.data), Arc::clone(&state.data), Arc::clone(&state.data));
    Metrics::builder()
        .pool(&state.pool)
        .reading("results_index_answers", "Answers the results index holds (published)", move || {
            answers.stats().answers_in_atoms as f64
        })
        .reading("results_index_atoms", "Atoms (smallest publishable groups) in the results index", move || {
            atoms.stats().atoms as f64
        })
        .reading("results_index_loaded", "1 once the first load of the results index finished", move || {
            if loaded.is_loaded() { 1.0 } else { 0.0 }
        })
        .reading(
            "results_published_age_seconds",
            "Seconds since the figures were last published (0 before the first publication)",
            move || age.gepubliceerd().map_or(0.0, |at| (chrono::Utc::now() - at).num_milliseconds() as f64 / 1000.0),
        )
        .build()
}

fn run(listener: TcpListener, state: AppState, https: bool, metrics: web::Data<Metrics>) -> anyhow::Result<Server> {
    let login_limit = bpv_web::ratelimit::RateLimit::new(
        bpv_web::ratelimit::ClientIp::new(state.trusted_proxies.clone()),
        Duration::from_secs(60 / u64::from(LOGINS_PER_MINUTE)),
        LOGINS_PER_MINUTE,
    );
    let keys = web::Data::new(state.keys.clone());
    let revoked = web::Data::new(state.revoked.clone());
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
            .app_data(web::JsonConfig::default().limit(16 * 1024).error_handler(json_error_handler))
            .app_data(web::QueryConfig::default().error_handler(query_error_handler))
            .app_data(web::PathConfig::default().error_handler(path_error_handler))
            .app_data(web::FormConfig::default().limit(16 * 1024))
            .route("/health", web::get().to(bpv_web::service::health))
            .route("/ready", web::get().to(api::ready))
            .route("/metrics", web::get().to(observe::serve))
            .route("/v1/openapi.json", web::get().to(openapi::serve))
            .route("/v1/resultaten", web::get().to(api::resultaten))
            .route("/v1/resultaten/verbeterpunten", web::get().to(verbeterpunten::api))
            .route("/v1/resultaten/verbeterpunten.xlsx", web::get().to(verbeterpunten::api_xlsx))
            .route("/v1/resultaten/export.csv", web::get().to(api::export_csv))
            .route("/v1/resultaten/export.xlsx", web::get().to(api::export_xlsx))
            .route("/v1/resultaten/instellingen", web::get().to(instellingen::api))
            .route("/v1/resultaten/instellingen/export.csv", web::get().to(instellingen::api_csv))
            .route("/v1/resultaten/instellingen/export.xlsx", web::get().to(instellingen::api_xlsx))
            .route("/v1/resultaten/trend", web::get().to(trend::api))
            .route("/v1/resultaten/trend/export.xlsx", web::get().to(trend::api_xlsx))
            .route("/v1/respons", web::get().to(respons::api))
            .route("/v1/respons/export.xlsx", web::get().to(respons::api_xlsx))
            .route("/v1/filters", web::get().to(api::filters))
            .route("/v1/praktijkverklaringen/aantallen", web::get().to(praktijkverklaringen::aantallen))
            .route("/v1/datakwaliteit", web::get().to(datakwaliteit::api))
            .route("/v1/datakwaliteit/fotos", web::get().to(datakwaliteit::fotos))
            .route("/v1/resultaten/antwoorden", web::get().to(antwoorden::alleen_mtls))
            .route("/v1/resultaten/antwoorden/export.csv", web::get().to(antwoorden::alleen_mtls))
            .route("/dashboard", web::get().to(dashboard::show))
            .route("/dashboard/export.csv", web::get().to(dashboard::export))
            .route("/dashboard/export.xlsx", web::get().to(dashboard::export))
            .route("/dashboard/datakwaliteit", web::get().to(dashboard::kwaliteit))
            .route("/dashboard/trend", web::get().to(trend::dashboard))
            .route("/dashboard/trend.xlsx", web::get().to(trend::dashboard_xlsx))
            .route("/dashboard/respons", web::get().to(respons::dashboard))
            .route("/dashboard/respons.xlsx", web::get().to(respons::dashboard))
            .route("/dashboard/praktijkverklaringen", web::get().to(dashboard::praktijkverklaringen))
            .route("/dashboard/signalen", web::get().to(dashboard::signalen))
            .route("/dashboard/kwartaalfotos", web::get().to(dashboard::kwartaalfotos))
            .route("/dashboard/instellingen", web::get().to(instellingen::dashboard))
            .route("/dashboard/instellingen.csv", web::get().to(instellingen::dashboard))
            .route("/dashboard/instellingen.xlsx", web::get().to(instellingen::dashboard))
            .route("/dashboard/verbeterpunten", web::get().to(dashboard::verbeterpunten))
            .route("/dashboard/verbeterpunten.xlsx", web::get().to(dashboard::verbeterpunten))
            .configure(lezers::routes)
            .route("/dashboard.css", web::get().to(dashboard::css))
            .service(
                web::resource("/dashboard/inloggen")
                    .wrap(login_limit.clone())
                    .route(web::post().to(dashboard::login))
                    .route(web::get().to(dashboard::back_to_dashboard)),
            )
            .service(
                web::resource("/dashboard/uitloggen")
                    .route(web::post().to(dashboard::logout))
                    .route(web::get().to(dashboard::back_to_dashboard)),
            )
            .default_service(web::to(not_found_handler))
    })
    .listen(listener)?
    .run();
    Ok(server)
}

/// The mutual-TLS listener: only the non-aggregated results, after the client certificate check
/// (`mtls::on_connect`). Spawned on the current runtime; returns the bound port.
fn run_mtls(
    settings: &bpv_web::settings::MtlsSettings,
    state: AppState,
    metrics: web::Data<Metrics>,
) -> anyhow::Result<u16> {
    let (config, checker) = mtls::load(settings)?;
    let listener =
        TcpListener::bind(&settings.listen).with_context(|| format!("cannot listen on {} (mtls)", settings.listen))?;
    let port = listener.local_addr()?.port();
    let keys = web::Data::new(state.keys.clone());
    let revoked = web::Data::new(state.revoked.clone());
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(api_headers(true))
            .wrap(actix_web::middleware::Compress::default())
            .wrap(from_fn(observe::requests))
            .app_data(metrics.clone())
            .app_data(data.clone())
            .app_data(keys.clone())
            .app_data(revoked.clone())
            .app_data(web::QueryConfig::default().error_handler(query_error_handler))
            .route("/v1/resultaten/antwoorden", web::get().to(antwoorden::json))
            .route("/v1/resultaten/antwoorden/export.csv", web::get().to(antwoorden::csv))
            .default_service(web::to(not_found_handler))
    })
    .on_connect(move |conn, ext| mtls::on_connect(&checker, conn, ext))
    .workers(2)
    .listen_rustls_0_23(listener, config)?
    .run();
    tokio::spawn(server);
    tracing::info!(port, "mTLS-listener voor niet-geaggregeerde resultaten");
    Ok(port)
}
