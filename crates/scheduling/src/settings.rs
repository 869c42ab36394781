//! The periods that drive scheduling, with the defaults of docs/architecture.md ("The rules"), and
//! the dates they give.

use chrono::{Days, NaiveDate};
use serde::Deserialize;

/// Configurable periods, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct SchedulingSettings {
    /// Invite this many days before the planned end date.
    pub lead_days: u32,
    /// A bpvo received after its invite date is still invited until this many days after the planned end date.
    pub late_grace_days: u32,
    /// Reminders to non-responders.
    pub reminder_count: u32,
    /// Days between invitation and reminder, and between reminders.
    pub reminder_interval_days: u32,
    /// The survey closes this many days after the planned end date.
    pub close_after_days: u32,
    /// One mail to a praktijkopleider with several students due the same day (see [`crate::group_digests`]);
    /// `false` sends one mail per bpvo.
    pub digest: bool,
    /// Praktijkloket: mail the praktijkopleider the assessment link this many days before a
    /// begeleidingsdocument's end date.
    pub beoordeling_lead_days: u32,
    /// Praktijkloket: the assessment link works until this many days after the end date (the
    /// school can record the beoordeling through the API at any time).
    pub beoordeling_close_after_days: u32,
}

impl Default for SchedulingSettings {
    fn default() -> Self {
        Self {
            lead_days: 21,
            late_grace_days: 14,
            reminder_count: 2,
            reminder_interval_days: 7,
            close_after_days: 42,
            digest: true,
            beoordeling_lead_days: 14,
            beoordeling_close_after_days: 42,
        }
    }
}

impl SchedulingSettings {
    /// The day the invitation is due: `geplande_einddatum − lead`.
    pub fn invite_date(&self, geplande_einddatum: NaiveDate) -> NaiveDate {
        geplande_einddatum.checked_sub_days(Days::new(u64::from(self.lead_days))).unwrap_or(NaiveDate::MIN)
    }

    /// The last day a late upload is still invited: `geplande_einddatum + late_grace`.
    pub fn last_invite_date(&self, geplande_einddatum: NaiveDate) -> NaiveDate {
        geplande_einddatum.checked_add_days(Days::new(u64::from(self.late_grace_days))).unwrap_or(NaiveDate::MAX)
    }

    /// The day the assessment request is due: `einddatum − beoordeling_lead`.
    pub fn beoordeling_date(&self, einddatum: NaiveDate) -> NaiveDate {
        einddatum.checked_sub_days(Days::new(u64::from(self.beoordeling_lead_days))).unwrap_or(NaiveDate::MIN)
    }

    /// The day the assessment link stops working: `einddatum + beoordeling_close_after`.
    pub fn beoordeling_close_date(&self, einddatum: NaiveDate) -> NaiveDate {
        einddatum.checked_add_days(Days::new(u64::from(self.beoordeling_close_after_days))).unwrap_or(NaiveDate::MAX)
    }

    /// The day the survey closes: `geplande_einddatum + close_after`.
    pub fn close_date(&self, geplande_einddatum: NaiveDate) -> NaiveDate {
        geplande_einddatum.checked_add_days(Days::new(u64::from(self.close_after_days))).unwrap_or(NaiveDate::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn default_dates_follow_the_design() {
        let s = SchedulingSettings::default();
        let eind = d("2026-06-30");
        assert_eq!(s.invite_date(eind), d("2026-06-09"));
        assert_eq!(s.last_invite_date(eind), d("2026-07-14"));
        assert_eq!(s.close_date(eind), d("2026-08-11"));
        assert_eq!(s.beoordeling_date(eind), d("2026-06-16"));
        assert_eq!(s.beoordeling_close_date(eind), d("2026-08-11"));
    }

    #[test]
    fn dates_near_the_calendar_edges_do_not_panic() {
        let s = SchedulingSettings { lead_days: u32::MAX, close_after_days: u32::MAX, ..Default::default() };
        assert_eq!(s.invite_date(d("2000-01-01")), NaiveDate::MIN);
        assert_eq!(s.close_date(NaiveDate::MAX), NaiveDate::MAX);
    }
}
