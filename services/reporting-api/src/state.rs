//! What every request handler shares.

use std::sync::Arc;

use bpv_store::DbPool;
use bpv_web::auth::TokenKeys;

use crate::data::ReportData;
use crate::views::Views;

/// Shared state behind `web::Data`.
#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub keys: TokenKeys,
    pub data: Arc<ReportData>,
    pub views: Arc<Views>,
    /// Data-quality overviews, recomputed after `reporting.refresh_seconds`.
    pub kwaliteit: Arc<crate::datakwaliteit::cache::Cache>,
    /// Set the `Secure` flag on the session cookie (when served over https).
    pub secure_cookies: bool,
    /// `http.trusted_proxies`: rate limits key on the client behind these.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// API clients revoked recently (their tokens are refused).
    pub revoked: bpv_web::auth::Revoked,
    /// Key of the answers' pseudonyms in non-aggregated rows (derived from `auth.jwt_secret`).
    pub pseudoniem_sleutel: Arc<Vec<u8>>,
    /// The safety signal's window and thresholds (`veiligheid.*`, `reporting.k`).
    pub signaal: bpv_aggregation::veiligheid::SignaalInstellingen,
    /// Where API clients get their tokens: the school API's `/oauth/token` (the OpenAPI
    /// document's security scheme names it).
    pub token_url: String,
}

impl AppState {
    /// A database connection, or the 503 that says there is none.
    pub fn conn(&self) -> Result<bpv_store::PooledDb, bpv_web::Problem> {
        bpv_web::service::connection(&self.pool)
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").field("data", &self.data).finish()
    }
}
