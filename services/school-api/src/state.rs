//! What every request handler shares: the pool, the token keys, the limits and the schedule
//! settings (to tell a school when, or why not, a record will be surveyed).

use bpv_scheduling::SchedulingSettings;
use bpv_store::DbPool;
use bpv_web::auth::TokenKeys;

/// Explicit limits on what one request may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Records in one batch.
    pub max_batch_records: usize,
    /// Bytes of a batch body (JSON or CSV).
    pub max_batch_bytes: usize,
    /// Bytes of a single-record body.
    pub max_record_bytes: usize,
    /// Token requests per client IP per minute (and login attempts on the upload page).
    pub auth_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_batch_records: 50_000,
            max_batch_bytes: 48 * 1024 * 1024,
            max_record_bytes: 64 * 1024,
            auth_per_minute: 60,
        }
    }
}

/// Shared state behind `web::Data`.
#[derive(Debug, Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub keys: TokenKeys,
    pub limits: Limits,
    pub scheduling: SchedulingSettings,
    /// Set the `Secure` flag on the session cookie (when served over https).
    pub secure_cookies: bool,
    /// `http.trusted_proxies`: rate limits key on the client behind these.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The address people reach this service under (verification links), no trailing slash.
    pub public_url: String,
    /// API clients revoked recently (their tokens are refused).
    pub revoked: bpv_web::auth::Revoked,
    /// Records uploaded, by source and outcome (`bpv_upload_records_total` at `/metrics`).
    pub uploads: bpv_web::observe::Counts,
}

impl AppState {
    /// A pooled connection for this request, or a 503 (the cause logged, not shown).
    pub fn conn(&self) -> Result<bpv_store::PooledDb, bpv_web::Problem> {
        bpv_web::service::connection(&self.pool)
    }

    /// Store an upload (every channel comes through here: batch API, single record, upload page)
    /// with today's Dutch date, and count its records by outcome.
    pub fn process(
        &self,
        conn: &mut bpv_store::DbConnection,
        uploader: &crate::upload::Uploader,
        incoming: Vec<crate::upload::Incoming>,
        batch: &crate::upload::Batch,
    ) -> Result<crate::upload::BatchAntwoord, crate::upload::UploadError> {
        let result = crate::upload::process(conn, uploader, incoming, batch, &self.scheduling, bpvo::vandaag());
        let bron = uploader.bron.as_str();
        let antwoord = match &result {
            Ok(a) => a,
            Err(crate::upload::UploadError::Refused(a)) => &**a,
            Err(_) => return result,
        };
        // In a refused all-or-nothing batch the valid records are not stored either: `refused`.
        let refused = if result.is_err() { antwoord.ontvangen.saturating_sub(antwoord.afgewezen) } else { 0 };
        for (resultaat, n) in [
            ("created", antwoord.aangemaakt),
            ("updated", antwoord.bijgewerkt),
            ("unchanged", antwoord.ongewijzigd),
            ("rejected", antwoord.afgewezen),
            ("refused", refused),
        ] {
            let n = u64::try_from(n).unwrap_or(u64::MAX);
            self.uploads.add(&[("bron", bron), ("resultaat", resultaat)], n);
        }
        result
    }
}
