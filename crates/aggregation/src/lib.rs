//! Results aggregation: from answers (with their analysis keys) and invitations to figures per
//! selection beside the national average, with small-cell suppression (DESIGN.md §7).
//!
//! Module map: `format` (Dutch number formatting; here now), `questionnaire` (themes, items,
//! versions; with the survey issue), `cells`, `suppression`, `response` (with the reporting issue).

pub mod format;

pub use format::{decimal_nl, response_line, thousands_nl};
