//! `bpv-reporting-api`: results per selection beside the national average, the CSV export, the
//! filter values and the results dashboard.

/// mimalloc rather than glibc's allocator: the results index, loaded at start and on every
/// publication, is millions of small allocations, and loads in half the time with it
/// (docs/architecture.md, "Performance, round two").
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _telemetry = bpv_web::telemetry::init("bpv-reporting-api", "info");
    let settings = bpv_web::Settings::load()?;
    let app = bpv_reporting_api::Application::build(&settings).await?;
    tracing::info!(url = %app.url(), "bpv-reporting-api listening");
    app.run_until_stopped().await?;
    Ok(())
}
