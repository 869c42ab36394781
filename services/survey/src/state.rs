//! What every handler shares.

use std::sync::Arc;

use bpv_aggregation::Questionnaires;
use bpv_store::DbPool;

use crate::views::Views;

/// Shared by the handlers.
#[derive(Clone)]
pub(crate) struct State {
    pub pool: DbPool,
    /// `reporting.k`: the thank-you page's national mean is shown only on at least this many
    /// answers, the same threshold as every published figure.
    pub k: u64,
    pub questionnaires: Arc<Questionnaires>,
    pub views: Arc<Views>,
    /// Where to go for help after an answer on the unsafe side (`veiligheid.*`).
    pub veiligheid: Arc<bpv_web::settings::VeiligheidSettings>,
}
