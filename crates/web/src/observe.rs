//! What an operations team sees of a running service: a request id on every answer and in every
//! log line of the request, one access-log line per request, and Prometheus metrics at
//! `/metrics` (OpenMetrics text: requests by route and status, latency histograms, the
//! database pool, and what each service adds, e.g. the results index or upload counts).
//!
//! The access log and the metrics name the **route pattern** (`/s/{token}`), never the path a
//! client sent: survey links carry a respondent's token in the path, and paths are unbounded
//! label values.

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use tracing::Instrument;

/// The header that carries the request id, both ways.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served, in the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: String,
}

fn latency_histogram() -> Histogram {
    // 0.5 ms … ~4 s
    Histogram::new(exponential_buckets(0.0005, 2.0, 14))
}

type Reading = Box<dyn Fn() -> f64 + Send + Sync>;

/// Gauges read when scraped (pool state, index size and age): no background task keeps them.
struct Readings(Vec<(&'static str, &'static str, Reading)>);

impl std::fmt::Debug for Readings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.iter().map(|(name, _, _)| name)).finish()
    }
}

impl Collector for Readings {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        for (name, help, read) in &self.0 {
            let gauge = ConstGauge::new(read());
            let metric = encoder.encode_descriptor(name, help, None, gauge.metric_type())?;
            gauge.encode(metric)?;
        }
        Ok(())
    }
}

/// The metrics of one service, shared by its workers (`web::Data<Metrics>`).
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

/// A counter family a service keeps for itself (uploads by outcome, say), labelled by name.
#[derive(Debug, Clone, Default)]
pub struct Counts(Family<Vec<(&'static str, String)>, Counter>);

impl Counts {
    /// Add `n` under these labels.
    pub fn add(&self, labels: &[(&'static str, &str)], n: u64) {
        if n > 0 {
            let key: Vec<(&'static str, String)> = labels.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
            self.0.get_or_create(&key).inc_by(n);
        }
    }
}

/// Collects what a service registers before it starts serving.
#[allow(missing_debug_implementations)]
pub struct MetricsBuilder {
    registry: Registry,
    readings: Vec<(&'static str, &'static str, Reading)>,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
}

impl Metrics {
    /// Start a service's metrics with the HTTP families (names under `bpv_`).
    pub fn builder() -> MetricsBuilder {
        let mut registry = Registry::with_prefix("bpv");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        registry.register("http_requests", "Requests answered, by route pattern, method and status", requests.clone());
        registry.register_with_unit(
            "http_request_duration",
            "Time from request to answer headers, by route pattern and method",
            prometheus_client::registry::Unit::Seconds,
            latency.clone(),
        );
        MetricsBuilder { registry, readings: Vec::new(), requests, latency }
    }

    fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels { route: route.to_owned(), method: method.to_owned(), status })
            .inc();
        self.latency
            .get_or_create(&RouteLabels { route: route.to_owned(), method: method.to_owned() })
            .observe(seconds);
    }

    /// The OpenMetrics text of every registered metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

impl MetricsBuilder {
    /// Register a service's own counters, named `bpv_{name}_total`.
    pub fn counts(mut self, name: &str, help: &str, counts: &Counts) -> Self {
        self.registry.register(name, help, counts.0.clone());
        self
    }

    /// A gauge read at every scrape (`name` without the `bpv_` prefix).
    pub fn reading(
        mut self,
        name: &'static str,
        help: &'static str,
        read: impl Fn() -> f64 + Send + Sync + 'static,
    ) -> Self {
        self.readings.push((name, help, Box::new(read)));
        self
    }

    /// The database pool: connections open, idle, and the most it may open.
    pub fn pool(self, pool: &bpv_store::DbPool) -> Self {
        let (open, idle, max) = (pool.clone(), pool.clone(), pool.clone());
        self.reading("db_pool_connections", "Database connections open", move || f64::from(open.state().connections))
            .reading("db_pool_idle_connections", "Database connections open and idle", move || {
                f64::from(idle.state().idle_connections)
            })
            .reading("db_pool_max_connections", "Most database connections the pool opens", move || {
                f64::from(max.max_size())
            })
    }

    /// Done registering.
    pub fn build(mut self) -> Metrics {
        let readings = std::mem::take(&mut self.readings);
        if !readings.is_empty() {
            self.registry.register_collector(Box::new(Readings(readings)));
        }
        Metrics { registry: Arc::new(self.registry), requests: self.requests, latency: self.latency }
    }
}

/// `GET /metrics`: the service's metrics for Prometheus (no personal data; keep it off the
/// public ingress).
pub async fn serve(metrics: web::Data<Metrics>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8"))
        .body(metrics.render())
}

/// The request id a client sent (`X-Request-Id`, 1–64 of `A-Z a-z 0-9 - _ .`), else a new one.
fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        })
        .map_or_else(|| uuid::Uuid::new_v4().simple().to_string(), str::to_owned)
}

/// actix answers a method a route does not have with a bare 405; every error here is
/// problem+json, so it becomes one (the other headers, `API-Version` among them, kept).
fn method_not_allowed_as_problem(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    if res.status() != actix_web::http::StatusCode::METHOD_NOT_ALLOWED || res.headers().contains_key(CONTENT_TYPE) {
        return res;
    }
    let (req, old) = res.into_parts();
    let mut problem = crate::Problem::new(
        actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
        "methode-niet-toegestaan",
        "Methode niet toegestaan",
    )
    .detail(format!("{} kan niet op {}", req.method(), req.path()));
    problem.instance = Some(req.path().to_owned());
    let mut answer = problem.to_response();
    for (name, value) in old.headers() {
        if name != CONTENT_TYPE && name != actix_web::http::header::CONTENT_LENGTH {
            answer.headers_mut().insert(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(req, answer)
}

/// Every problem names the request it answers: a problem+json answer without `instance` gets the
/// request's path (handlers that know a better one, such as a batch's, set it themselves).
/// Only error answers are read back, and they are small.
async fn with_instance(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let is_problem =
        res.headers().get(CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !is_problem {
        return res;
    }
    let (req, response) = res.into_parts();
    let (mut head, body) = response.into_parts();
    let bytes = actix_web::body::to_bytes(body).await.unwrap_or_default();
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut problem))
            if problem.get("instance").is_none_or(serde_json::Value::is_null) =>
        {
            problem.insert("instance".into(), serde_json::Value::String(req.path().to_owned()));
            head.headers_mut().remove(actix_web::http::header::CONTENT_LENGTH);
            serde_json::to_vec(&problem).map_or(bytes, actix_web::web::Bytes::from)
        }
        _ => bytes,
    };
    ServiceResponse::new(req, head.set_body(BoxBody::new(body)))
}

/// Middleware (`.wrap(from_fn(observe::requests))`, outermost): gives the request its id (in
/// the extensions, the `X-Request-Id` answer header and a tracing span around everything the
/// request logs), writes the access-log line and counts the request in [`Metrics`] when the
/// app has them.
pub async fn requests(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = request_id(&req);
    req.extensions_mut().insert(RequestId(id.clone()));
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let method = req.method().to_string();
    // The pattern comes from the app's resource map, so it is known before routing.
    let route = req.match_pattern().unwrap_or_else(|| "(geen route)".to_owned());
    let started = Instant::now();
    let exporting = crate::telemetry::exporting();
    let span = if exporting {
        // For the OTLP collector: a server span named by method and route pattern, with the
        // HTTP attributes of the OpenTelemetry conventions (the status once the answer is known).
        tracing::info_span!(
            "request",
            id = %id,
            otel.name = %format_args!("{method} {route}"),
            otel.kind = "server",
            otel.status_code = tracing::field::Empty,
            http.request.method = %method,
            http.route = %route,
            http.response.status_code = tracing::field::Empty,
        )
    } else {
        tracing::info_span!("request", id = %id)
    };
    let res = next.call(req).instrument(span.clone()).await?.map_into_boxed_body();
    let mut res = with_instance(method_not_allowed_as_problem(res)).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = res.status().as_u16();
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    if exporting {
        span.record("http.response.status_code", status);
        if status >= 500 {
            span.record("otel.status_code", "ERROR");
        }
    }
    span.in_scope(|| {
        tracing::info!(target: "bpv::access", method = %method, route = %route, status, ms = seconds * 1000.0, "request");
    });
    if let Some(metrics) = metrics {
        metrics.observe(&route, &method, status, seconds);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{App, test};

    use super::*;

    #[actix_web::test]
    async fn requests_get_an_id_and_are_counted_by_route_pattern() {
        let uploads = Counts::default();
        let metrics =
            Metrics::builder().reading("answer", "The answer", || 42.0).counts("uploads", "Uploads", &uploads).build();
        uploads.add(&[("bron", "api"), ("resultaat", "created")], 3);
        let app = test::init_service(
            App::new()
                .wrap(from_fn(requests))
                .app_data(web::Data::new(metrics.clone()))
                .route("/metrics", web::get().to(serve))
                .service(web::resource("/s/{token}").route(web::get().to(|| async { HttpResponse::Ok().finish() })))
                .route("/fout", web::get().to(|| async { crate::Problem::not_found("niets").to_response() }))
                .route(
                    "/eigen",
                    web::get().to(|| async {
                        let mut p = crate::Problem::conflict("bezig");
                        p.instance = Some("/v1/bpvo-batches/42".into());
                        p.to_response()
                    }),
                ),
        )
        .await;
        let res = test::call_service(&app, test::TestRequest::get().uri("/s/geheim-token").to_request()).await;
        let id = res.headers().get("x-request-id").unwrap().to_str().unwrap().to_owned();
        assert_eq!(id.len(), 32, "{id}");
        let res = test::call_service(
            &app,
            test::TestRequest::get().uri("/s/ander").insert_header(("X-Request-Id", "sis-42.a_b")).to_request(),
        )
        .await;
        assert_eq!(res.headers().get("x-request-id").unwrap(), "sis-42.a_b", "a well-formed id is kept");
        let res = test::call_service(
            &app,
            test::TestRequest::get()
                .uri("/nergens")
                .insert_header(("X-Request-Id", "kwaad/id met spatie"))
                .to_request(),
        )
        .await;
        assert_eq!(res.status(), 404);
        assert_ne!(res.headers().get("x-request-id").unwrap(), "kwaad/id met spatie");
        // A method the route lacks: problem+json, not a bare 405.
        let res = test::call_service(&app, test::TestRequest::delete().uri("/s/x").to_request()).await;
        assert_eq!(res.status(), 405);
        assert_eq!(res.headers().get("content-type").unwrap(), "application/problem+json");
        assert!(res.headers().get("x-request-id").is_some());
        let body: serde_json::Value = test::read_body_json(res).await;
        assert_eq!(body["instance"], "/s/x");
        // Every problem names its request; one that names another instance keeps it.
        let res = test::call_service(&app, test::TestRequest::get().uri("/fout?x=1").to_request()).await;
        assert_eq!(res.status(), 404);
        let body: serde_json::Value = test::read_body_json(res).await;
        assert_eq!((body["instance"].as_str(), body["detail"].as_str()), (Some("/fout"), Some("niets")));
        let res = test::call_service(&app, test::TestRequest::get().uri("/eigen").to_request()).await;
        let body: serde_json::Value = test::read_body_json(res).await;
        assert_eq!(body["instance"], "/v1/bpvo-batches/42");

        let text = metrics.render();
        assert!(text.contains(r#"bpv_http_requests_total{route="/s/{token}",method="GET",status="200"} 2"#), "{text}");
        assert!(text.contains(r#"route="(geen route)",method="GET",status="404"} 1"#), "{text}");
        assert!(text.contains(r#"route="/fout",method="GET",status="404"} 1"#), "{text}");
        assert!(!text.contains("geheim-token"), "paths never become labels");
        assert!(text.contains("bpv_http_request_duration_seconds_bucket"), "{text}");
        assert!(text.contains("bpv_answer 42"), "{text}");
        assert!(text.contains(r#"bpv_uploads_total{bron="api",resultaat="created"} 3"#), "{text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
