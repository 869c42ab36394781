//! `bpv-reporting-api`: results per selection beside the national average, the CSV export, the
//! filter values and the results dashboard.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    bpv_web::telemetry::init("info");
    let settings = bpv_web::Settings::load()?;
    let app = bpv_reporting_api::Application::build(&settings).await?;
    tracing::info!(url = %app.url(), "bpv-reporting-api listening");
    app.run_until_stopped().await?;
    Ok(())
}
