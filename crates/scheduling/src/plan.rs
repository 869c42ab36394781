//! The invitation plan for one bpvo: from its facts, its stored invitations, the settings and today's
//! date to what must be created, moved, cancelled or sent today (docs/architecture.md, "The
//! rules, and where each lives").
//!
//! The rules, in the order [`plan`] applies them:
//!
//! 1. **Channels** ([`channel`]). The praktijkopleider is surveyed directly when an e-mail address is
//!    known, otherwise not at all. The student is surveyed directly when the instelling takes part in
//!    directe studentbevraging *and* a student e-mail address is known; otherwise through a second link
//!    in the praktijkopleider's mail when the praktijkopleider is surveyed; otherwise not at all.
//! 2. **Dates.** Invite date `eind − lead`, last invite date `eind + late_grace`, close date
//!    `eind + close_after`. An invitation can only be sent up to and including the last invite date and
//!    strictly before the close date (with the defaults the close date never bites).
//! 3. **Create.** A surveyed group without an invitation gets one, unless the bpvo is withdrawn or it is
//!    too late to send it (after the last invite date); it is scheduled for `max(invite date, today)`, so
//!    a late upload goes out at the next run. An invitation that could never be sent (settings that close
//!    the survey before the invite date) is not made. A student link that rides in the praktijkopleider's
//!    mail is only created while that mail is still to go.
//! 4. **Withdrawn** bpvo: every `Gepland` invitation is cancelled; nothing is created or sent.
//! 5. **Gepland** invitations are cancelled when it is now too late to send them, or when their group
//!    can no longer be reached through the channel they were made for; otherwise they are
//!    rescheduled when the planned end date (or the settings) moved before sending. **The channel is
//!    fixed at creation**: one invitation per bpvo and group, and [`Action::Reschedule`] only moves dates.
//! 6. **Send** a `Gepland`, direct invitation when `scheduled_on <= today < closes_on` and today is not
//!    after the last invite date, using the dates this plan gives it.
//! 7. **Sent** invitations are never moved, resent or cancelled; only reminders follow.
//! 8. **Reminders** go to `Verstuurd`, direct, not opted-out invitations that are still reachable,
//!    one per run, until `reminder_count`, when `today >= sent_on + interval × (reminders_sent + 1)`
//!    and `today < closes_on`.
//!
//! The plan lists the changes (create, reschedule, cancel) before the sends, so a dispatcher that
//! applies the actions in order has the full state when it builds a mail.

use std::fmt;

use bpvo::{BpvoStatus, Groep, Kanaal};
use chrono::{Days, NaiveDate};

use crate::SchedulingSettings;

/// What scheduling needs to know of a bpvo (no personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BpvoFacts {
    /// Life-cycle state; `Beeindigd` is surveyed like `Actief`, `Ingetrokken` is not surveyed.
    pub status: BpvoStatus,
    /// The planned end date all survey dates are counted from.
    pub geplande_einddatum: NaiveDate,
    /// An e-mail address of the praktijkopleider is known (from SBB's registration feed).
    pub has_praktijkopleider_email: bool,
    /// An e-mail address of the student is known (from the school's upload).
    pub has_student_email: bool,
    /// The instelling takes part in directe studentbevraging (intake done, verwerkersovereenkomst signed).
    pub instelling_neemt_deel: bool,
}

/// Life-cycle state of a stored invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "diesel", derive(diesel::AsExpression, diesel::FromSqlRow))]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
pub enum InvitationStatus {
    /// Made, not sent yet.
    Gepland,
    /// The invitation mail went out (for a student link: the praktijkopleider's mail carrying it).
    Verstuurd,
    /// The respondent answered.
    Beantwoord,
    /// Will never be sent.
    Geannuleerd,
}

impl InvitationStatus {
    /// All states.
    pub const ALL: [InvitationStatus; 4] = [
        InvitationStatus::Gepland,
        InvitationStatus::Verstuurd,
        InvitationStatus::Beantwoord,
        InvitationStatus::Geannuleerd,
    ];

    /// `"gepland"`, `"verstuurd"`, `"beantwoord"` or `"geannuleerd"` (as stored).
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationStatus::Gepland => "gepland",
            InvitationStatus::Verstuurd => "verstuurd",
            InvitationStatus::Beantwoord => "beantwoord",
            InvitationStatus::Geannuleerd => "geannuleerd",
        }
    }

    /// Parses the stored form (exactly as [`as_str`](Self::as_str) writes it).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }
}

#[cfg(feature = "diesel")]
bpvo::text_column!(InvitationStatus, InvitationStatus::parse);

impl fmt::Display for InvitationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An invitation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationState {
    /// Who is invited.
    pub groep: Groep,
    /// How; fixed when the invitation is made.
    pub kanaal: Kanaal,
    /// The day the invitation is due.
    pub scheduled_on: NaiveDate,
    /// The day the survey link closes (no mail on or after it).
    pub closes_on: NaiveDate,
    /// Where it is in its life.
    pub status: InvitationStatus,
    /// The day the invitation mail went out.
    pub sent_on: Option<NaiveDate>,
    /// Reminders sent so far.
    pub reminders_sent: u32,
    /// The respondent asked for no more mail.
    pub opted_out: bool,
}

/// One thing to do today for one bpvo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Make the invitation for this group (first time the bpvo is planned).
    Create { groep: Groep, kanaal: Kanaal, scheduled_on: NaiveDate, closes_on: NaiveDate },
    /// The planned end date moved before the invitation went out.
    Reschedule { groep: Groep, scheduled_on: NaiveDate, closes_on: NaiveDate },
    /// Do not send (withdrawn, too late after a move, no longer reachable). `reden` in Dutch.
    Cancel { groep: Groep, reden: String },
    /// Send the invitation mail today. For the praktijkopleider's mail: when the student's invitation is
    /// ViaPraktijkopleider, the student's link goes inside it (the dispatcher handles that; see `student_link_in`).
    SendInvitation { groep: Groep },
    /// Send reminder number `nummer` (1-based) today.
    SendReminder { groep: Groep, nummer: u32 },
}

impl Action {
    /// The group the action is about.
    pub fn groep(&self) -> Groep {
        match self {
            Action::Create { groep, .. }
            | Action::Reschedule { groep, .. }
            | Action::Cancel { groep, .. }
            | Action::SendInvitation { groep }
            | Action::SendReminder { groep, .. } => *groep,
        }
    }

    /// Whether the action sends a mail (invitation or reminder).
    pub fn is_send(&self) -> bool {
        matches!(self, Action::SendInvitation { .. } | Action::SendReminder { .. })
    }
}

/// The channel each group gets for these facts (None = that group is not surveyed).
///
/// - Praktijkopleider: [`Kanaal::Direct`] when an e-mail address is known, else not surveyed.
/// - Student: [`Kanaal::Direct`] when the instelling takes part *and* a student e-mail address is known;
///   else [`Kanaal::ViaPraktijkopleider`] when the praktijkopleider is surveyed; else not surveyed.
///
/// The status of the bpvo plays no part here (a withdrawn bpvo still has channels, it is just not invited).
pub fn channel(facts: &BpvoFacts, groep: Groep) -> Option<Kanaal> {
    match groep {
        Groep::Praktijkopleider => facts.has_praktijkopleider_email.then_some(Kanaal::Direct),
        Groep::Student if facts.instelling_neemt_deel && facts.has_student_email => Some(Kanaal::Direct),
        Groep::Student => channel(facts, Groep::Praktijkopleider).map(|_| Kanaal::ViaPraktijkopleider),
    }
}

/// Whether the praktijkopleider's mail (invitation or reminder) must carry the student's link: the student's
/// invitation exists, goes [`Kanaal::ViaPraktijkopleider`], and is `Gepland` or `Verstuurd` (not answered,
/// not cancelled).
///
/// Ask it of the state *after* the plan's changes are applied: a plan may create the student's invitation
/// and send the praktijkopleider's mail in one go.
pub fn student_link_in(existing: &[InvitationState]) -> bool {
    existing.iter().any(|inv| {
        inv.groep == Groep::Student
            && inv.kanaal == Kanaal::ViaPraktijkopleider
            && matches!(inv.status, InvitationStatus::Gepland | InvitationStatus::Verstuurd)
    })
}

/// Why a bpvo will not be invited at all (for the school API's answers), or None if it will be / was.
///
/// Judged from the facts alone, as at upload time, in this order: withdrawn; too late (today is past the
/// last day an invitation can go out); nobody reachable. A caller that already holds invitations for the
/// bpvo should report those instead: a bpvo invited in time is "te laat" by this function once the
/// grace period is over.
pub fn not_invited_reason(facts: &BpvoFacts, settings: &SchedulingSettings, today: NaiveDate) -> Option<String> {
    let dates = Dates::new(settings, facts.geplande_einddatum);
    if facts.status == BpvoStatus::Ingetrokken {
        return Some("bpvo is ingetrokken; er wordt niemand uitgenodigd".to_owned());
    }
    if !dates.has_window() {
        return Some(format!(
            "geen uitnodigingsperiode: de enquête sluit op {}, vóór of op de uitnodigingsdatum {} (instellingen)",
            dates.closes, dates.invite
        ));
    }
    if !dates.invitable(today) {
        return Some(format!(
            "te laat aangeleverd: uitnodigen kon van {} tot en met {} (geplande einddatum {})",
            dates.invite,
            dates.deadline_text(),
            facts.geplande_einddatum
        ));
    }
    if channel(facts, Groep::Praktijkopleider).is_none() && channel(facts, Groep::Student).is_none() {
        return Some(
            "niemand bereikbaar: geen e-mailadres van de praktijkopleider bekend en de student wordt niet direct \
             bevraagd (instelling neemt niet deel of geen e-mailadres van de student)"
                .to_owned(),
        );
    }
    None
}

/// Everything to do for one bpvo today, given its stored invitations (at most one per group).
///
/// See the module documentation for the rules. Changes (`Create`, `Reschedule`, `Cancel`) come first,
/// praktijkopleider before student, then the sends. If `existing` holds more than one invitation for a
/// group, only the first counts.
pub fn plan(
    facts: &BpvoFacts,
    existing: &[InvitationState],
    settings: &SchedulingSettings,
    today: NaiveDate,
) -> Vec<Action> {
    let mut planner =
        Planner { facts, settings, today, dates: Dates::new(settings, facts.geplande_einddatum), out: Out::default() };
    let stored = |groep: Groep| existing.iter().find(|inv| inv.groep == groep);

    if facts.status == BpvoStatus::Ingetrokken {
        for inv in Groep::ALL.into_iter().filter_map(stored) {
            if inv.status == InvitationStatus::Gepland {
                planner.out.changes.push(Action::Cancel { groep: inv.groep, reden: "bpvo ingetrokken".to_owned() });
            }
        }
        return planner.out.changes;
    }

    // The praktijkopleider first: whether their mail is still to go decides the student's link.
    let praktijkopleider_pending = planner.group(Groep::Praktijkopleider, stored(Groep::Praktijkopleider), false);
    planner.group(Groep::Student, stored(Groep::Student), praktijkopleider_pending);

    let Out { mut changes, sends } = planner.out;
    changes.extend(sends);
    changes
}

/// The dates the current planned end date gives.
#[derive(Debug, Clone, Copy)]
struct Dates {
    invite: NaiveDate,
    closes: NaiveDate,
    /// The last day an invitation can be sent: the last invite date, but never on or after the close
    /// date. None when no day qualifies (the close date is the first day of the calendar).
    deadline: Option<NaiveDate>,
}

impl Dates {
    fn new(settings: &SchedulingSettings, eind: NaiveDate) -> Self {
        let invite = settings.invite_date(eind);
        let last_invite = settings.last_invite_date(eind);
        let closes = settings.close_date(eind);
        let deadline = closes.pred_opt().map(|day_before_close| day_before_close.min(last_invite));
        Self { invite, closes, deadline }
    }

    /// An invitation made or moved today can still go out: its day is not after the deadline.
    fn invitable(&self, today: NaiveDate) -> bool {
        self.deadline.is_some_and(|deadline| self.scheduled_for(today) <= deadline)
    }

    /// Settings where the survey closes before the invite date leave no day to invite on.
    fn has_window(&self) -> bool {
        self.deadline.is_some_and(|deadline| self.invite <= deadline)
    }

    /// The day a new or moved invitation is due: a late one goes at the next run.
    fn scheduled_for(&self, today: NaiveDate) -> NaiveDate {
        self.invite.max(today)
    }

    fn deadline_text(&self) -> String {
        self.deadline.map_or_else(|| "(geen dag)".to_owned(), |d| d.to_string())
    }
}

#[derive(Debug, Default)]
struct Out {
    changes: Vec<Action>,
    sends: Vec<Action>,
}

#[derive(Debug)]
struct Planner<'a> {
    facts: &'a BpvoFacts,
    settings: &'a SchedulingSettings,
    today: NaiveDate,
    dates: Dates,
    out: Out,
}

impl Planner<'_> {
    /// Plans one group of a bpvo that is not withdrawn. Returns whether the group's invitation is still
    /// to be sent after this plan (it exists or is created, and stays `Gepland`).
    fn group(&mut self, groep: Groep, stored: Option<&InvitationState>, praktijkopleider_pending: bool) -> bool {
        let Some(inv) = stored else {
            return self.create(groep, praktijkopleider_pending);
        };
        match inv.status {
            InvitationStatus::Gepland => self.pending(inv, praktijkopleider_pending),
            InvitationStatus::Verstuurd => {
                self.remind(inv);
                false
            }
            InvitationStatus::Beantwoord | InvitationStatus::Geannuleerd => false,
        }
    }

    /// Rule 3: a surveyed group without an invitation.
    fn create(&mut self, groep: Groep, praktijkopleider_pending: bool) -> bool {
        let Some(kanaal) = channel(self.facts, groep) else { return false };
        // A student link is only useful while the praktijkopleider's mail that carries it is still to go.
        if kanaal == Kanaal::ViaPraktijkopleider && !praktijkopleider_pending {
            return false;
        }
        if !self.dates.invitable(self.today) {
            return false;
        }
        let scheduled_on = self.dates.scheduled_for(self.today);
        let closes_on = self.dates.closes;
        self.out.changes.push(Action::Create { groep, kanaal, scheduled_on, closes_on });
        self.send_if_due(groep, kanaal, scheduled_on, closes_on);
        true
    }

    /// Rules 5 and 6: an invitation that has not gone out yet.
    fn pending(&mut self, inv: &InvitationState, praktijkopleider_pending: bool) -> bool {
        let moved = inv.closes_on != self.dates.closes;
        if !self.dates.invitable(self.today) {
            let reden = if moved {
                format!(
                    "te laat na verplaatsen einddatum: uitnodigen kon tot en met {} (geplande einddatum {})",
                    self.dates.deadline_text(),
                    self.facts.geplande_einddatum
                )
            } else {
                format!("niet verstuurd vóór de uiterste uitnodigingsdatum {}", self.dates.deadline_text())
            };
            self.out.changes.push(Action::Cancel { groep: inv.groep, reden });
            return false;
        }
        if let Err(reden) = self.reachable(inv, praktijkopleider_pending) {
            self.out.changes.push(Action::Cancel { groep: inv.groep, reden });
            return false;
        }
        let (scheduled_on, closes_on) = if moved || !self.schedule_fits(inv.scheduled_on) {
            let scheduled_on = self.dates.scheduled_for(self.today);
            let closes_on = self.dates.closes;
            self.out.changes.push(Action::Reschedule { groep: inv.groep, scheduled_on, closes_on });
            (scheduled_on, closes_on)
        } else {
            (inv.scheduled_on, inv.closes_on)
        };
        self.send_if_due(inv.groep, inv.kanaal, scheduled_on, closes_on);
        true
    }

    /// A stored `scheduled_on` still fits the current end date: it is the invite date, or a later day
    /// that has come (a late upload created after the invite date and not sent yet). Stable from one run
    /// to the next, so an unmoved invitation is never rescheduled.
    fn schedule_fits(&self, scheduled_on: NaiveDate) -> bool {
        scheduled_on == self.dates.invite || (self.dates.invite < scheduled_on && scheduled_on <= self.today)
    }

    /// Can the channel this invitation was made for still reach its group? The channel is fixed at
    /// creation: a student link that goes via the praktijkopleider stays so when a student address
    /// turns up; a direct invitation whose address or participation is gone is cancelled.
    fn reachable(&self, inv: &InvitationState, praktijkopleider_pending: bool) -> Result<(), String> {
        match (inv.groep, inv.kanaal) {
            (_, Kanaal::Direct) if channel(self.facts, inv.groep) == Some(Kanaal::Direct) => Ok(()),
            (Groep::Praktijkopleider, Kanaal::Direct) => {
                Err("niet meer bereikbaar: geen e-mailadres van de praktijkopleider bekend".to_owned())
            }
            (Groep::Student, Kanaal::Direct) if !self.facts.instelling_neemt_deel => {
                Err("niet meer bereikbaar: instelling neemt niet (meer) deel aan directe studentbevraging".to_owned())
            }
            (Groep::Student, Kanaal::Direct) => {
                Err("niet meer bereikbaar: geen e-mailadres van de student bekend".to_owned())
            }
            (Groep::Student, Kanaal::ViaPraktijkopleider) if praktijkopleider_pending => Ok(()),
            (Groep::Student, Kanaal::ViaPraktijkopleider) => Err(
                "niet meer bereikbaar: er gaat geen uitnodiging meer naar de praktijkopleider om de studentlink in mee \
                 te sturen"
                    .to_owned(),
            ),
            (Groep::Praktijkopleider, Kanaal::ViaPraktijkopleider) => {
                Err("ongeldig kanaal: een praktijkopleider wordt alleen direct uitgenodigd".to_owned())
            }
        }
    }

    /// Rule 6, with the dates this plan gives the invitation.
    fn send_if_due(&mut self, groep: Groep, kanaal: Kanaal, scheduled_on: NaiveDate, closes_on: NaiveDate) {
        let today = self.today;
        if kanaal == Kanaal::Direct
            && scheduled_on <= today
            && today < closes_on
            // Not after the last invite date (nor on or after the current close date).
            && self.dates.invitable(today)
        {
            self.out.sends.push(Action::SendInvitation { groep });
        }
    }

    /// Rule 8. The stored dates of a sent invitation stand, whatever the end date does now. A reminder
    /// also needs the group to be reachable directly today (address still known, instelling still taking
    /// part). The interval counts as at least one day, so reminders never pile up on one day in normal
    /// daily running.
    fn remind(&mut self, inv: &InvitationState) {
        let today = self.today;
        let Some(sent_on) = inv.sent_on else { return };
        if inv.kanaal != Kanaal::Direct
            || channel(self.facts, inv.groep) != Some(Kanaal::Direct)
            || inv.opted_out
            || inv.reminders_sent >= self.settings.reminder_count
            || today >= inv.closes_on
        {
            return;
        }
        let nummer = inv.reminders_sent + 1;
        let wait = u64::from(self.settings.reminder_interval_days.max(1)) * u64::from(nummer);
        let due = sent_on.checked_add_days(Days::new(wait));
        if due.is_some_and(|due| today >= due) {
            self.out.sends.push(Action::SendReminder { groep: inv.groep, nummer });
        }
    }
}
