//! SBB's manual upload module (*handmatige uploadmodule*) for gemachtigden.

use actix_governor::governor::middleware::NoOpMiddleware;
use actix_governor::{GovernorConfig, PeerIpKeyExtractor};
use actix_web::web;

/// Register the upload pages.
pub fn configure(_cfg: &mut web::ServiceConfig, _governor: &GovernorConfig<PeerIpKeyExtractor, NoOpMiddleware>) {}
