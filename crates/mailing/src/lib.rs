//! Invitation mailing: templates, message building, transports and what an SMTP reply means for
//! the delivery (DESIGN.md §5).
//!
//! Module map: `reply` (SMTP reply classes; here now), `templates` (minijinja, Dutch, HTML + text),
//! `message` (lettre `Message` with Message-ID and List-Unsubscribe), `transport` (SMTP pool,
//! `.eml` files, in-memory) — the latter three with the dispatcher issue.

pub mod reply;

pub use reply::{DeliveryClass, classify_reply};
