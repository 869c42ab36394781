//! Survey scheduling: pure functions from a bpvo, its instelling's participation, the settings and
//! today's date to the invitation plan (DESIGN.md §4). No I/O: the dispatcher stores the plan.
//!
//! Module map: `settings` (the configurable periods; here now), `plan` (bpvo → invitations,
//! reminders, close date, channel; with the dispatcher issue), `digest` (one mail per
//! praktijkopleider per day; with the dispatcher issue).

pub mod settings;

pub use settings::SchedulingSettings;
