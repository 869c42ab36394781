//! The cron mail dispatcher: plans due invitations and reminders (pure rules from
//! `bpv-scheduling`) and the Praktijkloket's assessment requests, claims due mails with a lease, sends them through a pooled SMTP transport
//! with bounded concurrency and a rate limit, and records each outcome on its own. Several
//! dispatchers may run at once against one database; a crash loses no mail (at-least-once).

pub mod cli;
pub mod housekeeping;
mod planning;
mod sending;
mod summary;
mod verzoeken;

pub use planning::{PlanOutcome, plan};
pub use sending::{Dispatcher, RunOptions, mailer_from_settings};
pub use summary::Summary;
pub use verzoeken::{VerzoekOutcome, plan as plan_beoordelingsverzoeken};
