//! `bpv-school-api`: the school-facing Marktresponse API and the manual upload page.

/// The same allocator in every binary: mimalloc rather than glibc's (docs/architecture.md,
/// "Performance, round two").
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _telemetry = bpv_web::telemetry::init("bpv-school-api", "info");
    let settings = bpv_web::Settings::load()?;
    let app = bpv_school_api::Application::build(&settings).await?;
    tracing::info!(url = %app.url(), "bpv-school-api listening");
    app.run_until_stopped().await?;
    Ok(())
}
