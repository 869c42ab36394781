//! Survey scheduling: pure functions from a bpvo, its instelling's participation, the settings and
//! today's date to the invitation plan (docs/architecture.md, "The rules, and where each lives").
//! No I/O and no clock: the dispatcher passes today's date in and stores the plan.
//!
//! Module map: `settings` (the configurable periods and the dates they give), `plan` (bpvo → create,
//! reschedule, cancel, send, remind; channels; why a bpvo is not invited), `digest` (one mail per
//! praktijkopleider per day).
//!
//! ```
//! use bpv_scheduling::{Action, BpvoFacts, InvitationState, InvitationStatus, SchedulingSettings, plan};
//! use bpvo::{BpvoStatus, Groep, Kanaal};
//! use chrono::NaiveDate;
//!
//! let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
//! let settings = SchedulingSettings::default(); // invite 21 days before the end, close 42 days after
//! let facts = BpvoFacts {
//!     status: BpvoStatus::Actief,
//!     geplande_einddatum: day(6, 30),
//!     has_praktijkopleider_email: true,
//!     has_student_email: false,
//!     instelling_neemt_deel: false,
//! };
//!
//! // First run after the upload: both invitations are made; the student's link will ride in the
//! // praktijkopleider's mail.
//! let actions = plan(&facts, &[], &settings, day(5, 1));
//! assert_eq!(actions, [
//!     Action::Create { groep: Groep::Praktijkopleider, kanaal: Kanaal::Direct,
//!                      scheduled_on: day(6, 9), closes_on: day(8, 11) },
//!     Action::Create { groep: Groep::Student, kanaal: Kanaal::ViaPraktijkopleider,
//!                      scheduled_on: day(6, 9), closes_on: day(8, 11) },
//! ]);
//!
//! // On the invite date the praktijkopleider's mail goes out.
//! let stored = |groep, kanaal| InvitationState {
//!     groep, kanaal, scheduled_on: day(6, 9), closes_on: day(8, 11),
//!     status: InvitationStatus::Gepland, sent_on: None, reminders_sent: 0, opted_out: false,
//! };
//! let existing = [
//!     stored(Groep::Praktijkopleider, Kanaal::Direct),
//!     stored(Groep::Student, Kanaal::ViaPraktijkopleider),
//! ];
//! assert_eq!(plan(&facts, &existing, &settings, day(6, 9)),
//!            [Action::SendInvitation { groep: Groep::Praktijkopleider }]);
//! assert!(bpv_scheduling::student_link_in(&existing));
//! ```

pub mod digest;
pub mod plan;
pub mod settings;

pub use digest::group_digests;
pub use plan::{
    Action, BpvoFacts, InvitationState, InvitationStatus, channel, not_invited_reason, plan, student_link_in,
};
pub use settings::SchedulingSettings;
