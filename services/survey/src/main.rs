//! `bpv-survey`: the respondent's questionnaire, reached through the link in the invitation mail.

/// The same allocator in every binary: mimalloc rather than glibc's (docs/architecture.md,
/// "Performance, round two").
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _telemetry = bpv_web::telemetry::init("bpv-survey", "info");
    let settings = bpv_web::Settings::load()?;
    let app = bpv_survey::Application::build(&settings).await?;
    tracing::info!(url = %app.url(), "bpv-survey listening");
    app.run_until_stopped().await?;
    Ok(())
}
