//! `bpv-school-api`: the school-facing Marktresponse API and the manual upload page.

/// The same allocator in every binary: mimalloc rather than glibc's (docs/architecture.md,
/// "Performance, round two").
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Its memory comes and goes per batch: see the function's reason.
    let thp = bpv_web::service::without_transparent_huge_pages();
    let _telemetry = bpv_web::telemetry::init("bpv-school-api", "info");
    if let Err(e) = thp {
        tracing::warn!(error = %e, "transparent huge pages not switched off");
    }
    let settings = bpv_web::Settings::load()?;
    let app = bpv_school_api::Application::build(&settings).await?;
    tracing::info!(url = %app.url(), "bpv-school-api listening");
    app.run_until_stopped().await?;
    Ok(())
}
