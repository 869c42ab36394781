//! What every handler shares.

use std::sync::Arc;

use bpv_aggregation::Questionnaires;
use bpv_store::DbPool;

use crate::views::Views;

/// Shared by the handlers.
#[derive(Clone)]
pub(crate) struct State {
    pub pool: DbPool,
    /// `reporting.k`, named on the thank-you page: the national figures it shows were withheld
    /// by the results engine below this many answers (the survey computes no figure itself).
    pub k: u64,
    pub questionnaires: Arc<Questionnaires>,
    pub views: Arc<Views>,
    /// Where to go for help after an answer on the unsafe side (`veiligheid.*`).
    pub veiligheid: Arc<bpv_web::settings::VeiligheidSettings>,
}
