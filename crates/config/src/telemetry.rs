//! Logging set-up shared by all binaries: human-readable on a terminal, JSON lines otherwise
//! (`BPV_LOG_FORMAT=json|text`), level from `RUST_LOG` (default `info`); and, when an OTLP
//! collector is named (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`),
//! the spans exported to it over OTLP/HTTP (protobuf), in batches from a thread of their own.
//! The other `OTEL_*` variables of the OpenTelemetry specification apply as usual
//! (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_EXPORTER_OTLP_HEADERS`, `…_TIMEOUT`,
//! `OTEL_SDK_DISABLED=true`).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Whether spans are exported (see [`exporting`]).
static EXPORTING: AtomicBool = AtomicBool::new(false);

/// Where spans go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Otlp {
    /// Nowhere: logs only.
    Off,
    /// To the collector the `OTEL_EXPORTER_OTLP_*` variables name.
    FromEnvironment,
    /// To this traces URL (`http://collector:4318/v1/traces`); for tests and tools.
    To(String),
}

impl Otlp {
    /// What the environment asks: export when an OTLP endpoint is set and the SDK is not
    /// disabled.
    #[must_use]
    pub fn from_environment() -> Self {
        let set = |key: &str| std::env::var(key).is_ok_and(|v| !v.trim().is_empty());
        let disabled = std::env::var("OTEL_SDK_DISABLED").is_ok_and(|v| v.trim().eq_ignore_ascii_case("true"));
        if !disabled && (set("OTEL_EXPORTER_OTLP_ENDPOINT") || set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) {
            Self::FromEnvironment
        } else {
            Self::Off
        }
    }
}

/// What [`init`] set up. Keep it for the life of the process: dropping it sends the spans not
/// yet exported and stops the exporter.
#[must_use = "dropping the guard stops the span export"]
#[derive(Debug, Default)]
pub struct Telemetry {
    tracer: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Send every span ended so far (the exporter keeps running).
    pub fn flush(&self) {
        if let Some(provider) = &self.tracer
            && let Err(e) = provider.force_flush()
        {
            eprintln!("OTLP: spans not exported: {e}");
        }
    }
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Some(provider) = self.tracer.take() {
            EXPORTING.store(false, Ordering::Relaxed);
            if let Err(e) = provider.shutdown() {
                eprintln!("OTLP: spans not exported at shutdown: {e}");
            }
        }
    }
}

/// Whether spans are exported now; request spans then carry the OpenTelemetry HTTP attributes
/// (they are left out of the log lines otherwise).
#[must_use]
pub fn exporting() -> bool {
    EXPORTING.load(Ordering::Relaxed)
}

/// Install the global subscriber once, exporting spans when the environment names an OTLP
/// collector; later calls are ignored (tests start several apps). `service` is the OTLP
/// `service.name` unless `OTEL_SERVICE_NAME` says otherwise.
pub fn init(service: &str, default_level: &str) -> Telemetry {
    init_with(service, default_level, &Otlp::from_environment())
}

/// [`init`] with the export chosen by the caller.
pub fn init_with(service: &str, default_level: &str, otlp: &Otlp) -> Telemetry {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let json = match std::env::var("BPV_LOG_FORMAT").as_deref() {
        Ok("json") => true,
        Ok("text") => false,
        _ => !std::io::stderr().is_terminal(),
    };
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let fmt = if json { fmt.json().boxed() } else { fmt.boxed() };
    let provider = match tracer_provider(service, otlp) {
        Ok(provider) => provider,
        Err(e) => {
            eprintln!("OTLP: export not started ({e}); logging only");
            None
        }
    };
    let otel = provider.as_ref().map(|p| tracing_opentelemetry::layer().with_tracer(p.tracer("bpv-monitor")));
    let installed = tracing_subscriber::registry().with(filter).with(fmt).with(otel).try_init().is_ok();
    if !installed {
        // Another subscriber was installed first: nothing would reach this exporter.
        return Telemetry::default();
    }
    EXPORTING.store(provider.is_some(), Ordering::Relaxed);
    Telemetry { tracer: provider }
}

/// The tracer provider for `otlp`, `None` when off.
fn tracer_provider(service: &str, otlp: &Otlp) -> Result<Option<SdkTracerProvider>, String> {
    let builder = opentelemetry_otlp::SpanExporter::builder().with_http().with_protocol(Protocol::HttpBinary);
    let (named, builder) = match otlp {
        Otlp::Off => return Ok(None),
        Otlp::FromEnvironment => {
            let named = ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"]
                .iter()
                .find_map(|key| std::env::var(key).ok().filter(|v| !v.trim().is_empty()))
                .unwrap_or_default();
            (named, builder)
        }
        Otlp::To(url) => (url.clone(), builder.with_endpoint(url.clone())),
    };
    if named.trim_start().to_ascii_lowercase().starts_with("https:") {
        // The exporter's HTTP client is built without TLS: the collector runs beside the
        // service (sidecar or node agent) and forwards with TLS (docs/operations.md).
        return Err(format!("{named}: only http:// to a collector beside the service"));
    }
    let exporter = builder.build().map_err(|e| e.to_string())?;
    let mut resource =
        Resource::builder().with_attribute(opentelemetry::KeyValue::new("service.version", env!("CARGO_PKG_VERSION")));
    if std::env::var("OTEL_SERVICE_NAME").is_err() {
        resource = resource.with_service_name(service.to_owned());
    }
    let provider = SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource.build()).build();
    Ok(Some(provider))
}
