//! Property tests: invariants of one `plan` call over arbitrary input, and a day-by-day simulation of
//! the dispatcher applying the plans while respondents answer, opt out and schools move end dates,
//! change addresses and withdraw bpvo's.

use std::collections::HashMap;

use bpv_scheduling::{
    Action, BpvoFacts, InvitationState, InvitationStatus, SchedulingSettings, channel, not_invited_reason, plan,
    student_link_in,
};
use bpvo::{BpvoStatus, Groep, Kanaal};
use chrono::{Days, NaiveDate};
use proptest::prelude::*;

const PO: Groep = Groep::Praktijkopleider;
const ST: Groep = Groep::Student;

fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or(NaiveDate::MIN)
}

fn day(offset: i64) -> NaiveDate {
    let magnitude = Days::new(offset.unsigned_abs());
    if offset >= 0 { base().checked_add_days(magnitude) } else { base().checked_sub_days(magnitude) }
        .unwrap_or(NaiveDate::MIN)
}

fn add(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days)).unwrap_or(NaiveDate::MAX)
}

fn settings() -> impl Strategy<Value = SchedulingSettings> {
    (0u32..40, 0u32..30, 0u32..4, 0u32..10, 0u32..60, any::<bool>()).prop_map(
        |(lead_days, late_grace_days, reminder_count, reminder_interval_days, close_after_days, digest)| {
            SchedulingSettings {
                lead_days,
                late_grace_days,
                reminder_count,
                reminder_interval_days,
                close_after_days,
                digest,
                ..SchedulingSettings::default()
            }
        },
    )
}

fn status() -> impl Strategy<Value = BpvoStatus> {
    prop_oneof![Just(BpvoStatus::Actief), Just(BpvoStatus::Beeindigd), Just(BpvoStatus::Ingetrokken)]
}

fn facts() -> impl Strategy<Value = BpvoFacts> {
    (status(), 0i64..150, any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(status, eind, po, st, deel)| {
        BpvoFacts {
            status,
            geplande_einddatum: day(eind),
            has_praktijkopleider_email: po,
            has_student_email: st,
            instelling_neemt_deel: deel,
        }
    })
}

fn invitation(groep: Groep) -> impl Strategy<Value = InvitationState> {
    (
        prop_oneof![Just(Kanaal::Direct), Just(Kanaal::ViaPraktijkopleider)],
        -30i64..200,
        -30i64..250,
        prop::sample::select(InvitationStatus::ALL.to_vec()),
        prop::option::of(-30i64..200),
        0u32..5,
        any::<bool>(),
    )
        .prop_map(move |(kanaal, scheduled, closes, status, sent, reminders_sent, opted_out)| InvitationState {
            groep,
            kanaal,
            scheduled_on: day(scheduled),
            closes_on: day(closes),
            status,
            sent_on: sent.map(day),
            reminders_sent,
            opted_out,
        })
}

/// Stored invitations: at most one per group, in either order.
fn existing() -> impl Strategy<Value = Vec<InvitationState>> {
    (prop::option::of(invitation(PO)), prop::option::of(invitation(ST)), any::<bool>()).prop_map(|(po, st, flip)| {
        let mut v: Vec<InvitationState> = po.into_iter().chain(st).collect();
        if flip {
            v.reverse();
        }
        v
    })
}

fn find(existing: &[InvitationState], groep: Groep) -> Option<&InvitationState> {
    existing.iter().find(|inv| inv.groep == groep)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Whatever the input, one plan keeps every rule that can be checked from that input alone.
    #[test]
    fn one_plan_keeps_the_rules(
        facts in facts(), existing in existing(), settings in settings(), today in -30i64..250
    ) {
        let today = day(today);
        let actions = plan(&facts, &existing, &settings, today);
        prop_assert_eq!(&actions, &plan(&facts, &existing, &settings, today), "deterministic");

        let eind = facts.geplande_einddatum;
        let invite = settings.invite_date(eind);
        let last = settings.last_invite_date(eind);
        let close = settings.close_date(eind);
        let withdrawn = facts.status == BpvoStatus::Ingetrokken;

        let first_send = actions.iter().position(Action::is_send).unwrap_or(actions.len());
        prop_assert!(actions[first_send..].iter().all(Action::is_send), "changes before sends: {:?}", actions);

        let mut changes: HashMap<Groep, u32> = HashMap::new();
        let mut sends: HashMap<Groep, u32> = HashMap::new();
        for action in &actions {
            let groep = action.groep();
            let stored = find(&existing, groep);
            if withdrawn {
                prop_assert!(matches!(action, Action::Cancel { .. }), "withdrawn: only cancels, got {:?}", action);
            }
            match action {
                Action::Create { kanaal, scheduled_on, closes_on, .. } => {
                    prop_assert!(stored.is_none(), "create over an existing invitation");
                    prop_assert_eq!(Some(*kanaal), channel(&facts, groep));
                    prop_assert_eq!(*scheduled_on, invite.max(today));
                    prop_assert_eq!(*closes_on, close);
                    prop_assert!(today <= last && today < close);
                }
                Action::Reschedule { scheduled_on, closes_on, .. } => {
                    prop_assert_eq!(stored.map(|s| s.status), Some(InvitationStatus::Gepland));
                    prop_assert_eq!(*scheduled_on, invite.max(today));
                    prop_assert_eq!(*closes_on, close);
                    prop_assert!(today <= last && today < close);
                }
                Action::Cancel { reden, .. } => {
                    prop_assert_eq!(stored.map(|s| s.status), Some(InvitationStatus::Gepland));
                    prop_assert!(!reden.is_empty());
                }
                Action::SendInvitation { .. } => {
                    // The dates the invitation has after this plan's changes.
                    let (kanaal, scheduled_on, closes_on) = actions
                        .iter()
                        .find_map(|a| match a {
                            Action::Create { groep: g, kanaal, scheduled_on, closes_on } if *g == groep => {
                                Some((*kanaal, *scheduled_on, *closes_on))
                            }
                            Action::Reschedule { groep: g, scheduled_on, closes_on } if *g == groep => {
                                stored.map(|s| (s.kanaal, *scheduled_on, *closes_on))
                            }
                            _ => None,
                        })
                        .or(stored.map(|s| (s.kanaal, s.scheduled_on, s.closes_on)))
                        .unwrap_or((Kanaal::ViaPraktijkopleider, today, today));
                    let status = stored.map_or(InvitationStatus::Gepland, |s| s.status);
                    prop_assert_eq!(status, InvitationStatus::Gepland);
                    prop_assert_eq!(kanaal, Kanaal::Direct, "a student link never gets a mail of its own");
                    prop_assert!(scheduled_on <= today && today < closes_on && today <= last && today >= invite);
                }
                Action::SendReminder { nummer, .. } => {
                    let Some(s) = stored else { return Err(TestCaseError::fail("reminder without invitation")) };
                    prop_assert_eq!(s.status, InvitationStatus::Verstuurd);
                    prop_assert_eq!(s.kanaal, Kanaal::Direct);
                    prop_assert!(!s.opted_out);
                    prop_assert_eq!(*nummer, s.reminders_sent + 1);
                    prop_assert!(*nummer <= settings.reminder_count);
                    prop_assert!(today < s.closes_on);
                    let sent_on = s.sent_on.unwrap_or(NaiveDate::MAX);
                    let wait = u64::from(settings.reminder_interval_days.max(1)) * u64::from(*nummer);
                    prop_assert!(today >= add(sent_on, wait));
                }
            }
            let counter = if action.is_send() { &mut sends } else { &mut changes };
            *counter.entry(groep).or_default() += 1;
        }
        prop_assert!(changes.values().all(|&n| n <= 1), "one change per group: {:?}", actions);
        prop_assert!(sends.values().all(|&n| n <= 1), "one mail per group: {:?}", actions);
    }

    /// For a new bpvo, the school API's answer and the plan agree.
    #[test]
    fn not_invited_reason_agrees_with_the_plan(facts in facts(), settings in settings(), today in -30i64..250) {
        let today = day(today);
        let creates = plan(&facts, &[], &settings, today).iter().any(|a| matches!(a, Action::Create { .. }));
        let reason = not_invited_reason(&facts, &settings, today);
        prop_assert_eq!(reason.is_none(), creates, "reason {:?}", reason);
    }

    /// A bpvo nobody touches after its upload: each reachable group is invited exactly once, on the
    /// right day, and reminded exactly on schedule.
    #[test]
    fn undisturbed_bpvo_is_invited_once_and_reminded_on_schedule(
        facts in facts().prop_filter("not withdrawn", |f| f.status != BpvoStatus::Ingetrokken),
        settings in settings(),
        upload in -30i64..200,
    ) {
        let eind = facts.geplande_einddatum;
        let close = settings.close_date(eind);
        let deadline = settings.last_invite_date(eind).min(close.pred_opt().unwrap_or(NaiveDate::MIN));
        let upload = day(upload);
        let mut state: Vec<InvitationState> = Vec::new();
        let mut log: Vec<(NaiveDate, Action)> = Vec::new();
        let mut today = upload;
        while today <= add(close, 1) {
            for action in plan(&facts, &state, &settings, today) {
                apply(&mut state, &action, today);
                log.push((today, action));
            }
            today = add(today, 1);
        }
        let send_day = settings.invite_date(eind).max(upload);
        let in_time = send_day <= deadline && send_day < close;
        for groep in [PO, ST] {
            let invitations: Vec<NaiveDate> = log
                .iter()
                .filter(|(_, a)| *a == Action::SendInvitation { groep })
                .map(|(day, _)| *day)
                .collect();
            let reminders: Vec<NaiveDate> = log
                .iter()
                .filter(|(_, a)| matches!(a, Action::SendReminder { groep: g, .. } if *g == groep))
                .map(|(day, _)| *day)
                .collect();
            match (in_time, channel(&facts, groep)) {
                (true, Some(Kanaal::Direct)) => {
                    prop_assert_eq!(&invitations, &vec![send_day]);
                    let interval = u64::from(settings.reminder_interval_days.max(1));
                    let expected: Vec<NaiveDate> = (1..=u64::from(settings.reminder_count))
                        .map(|k| add(send_day, interval * k))
                        .filter(|&d| d < close)
                        .collect();
                    prop_assert_eq!(&reminders, &expected);
                    prop_assert_eq!(find(&state, groep).map(|s| s.status), Some(InvitationStatus::Verstuurd));
                }
                (true, Some(Kanaal::ViaPraktijkopleider)) => {
                    prop_assert!(invitations.is_empty() && reminders.is_empty());
                    // Delivered in the praktijkopleider's mail.
                    let inv = find(&state, groep);
                    let delivered = Some((InvitationStatus::Verstuurd, Some(send_day)));
                    prop_assert_eq!(inv.map(|s| (s.status, s.sent_on)), delivered);
                }
                _ => {
                    prop_assert!(invitations.is_empty() && reminders.is_empty() && find(&state, groep).is_none());
                }
            }
        }
    }

    /// The dispatcher's life: plans applied day by day while the world changes.
    #[test]
    fn simulated_dispatcher_never_breaks_a_promise(
        start in facts().prop_filter("uploaded live", |f| f.status != BpvoStatus::Ingetrokken),
        settings in settings(),
        upload in 0u64..100,
        events in prop::collection::vec((0u64..130, event()), 0..16),
    ) {
        simulate(start, settings, upload, events)?;
    }
}

#[derive(Debug, Clone)]
enum Event {
    MoveEnd(i64),
    Withdraw,
    End,
    TogglePraktijkopleiderEmail,
    ToggleStudentEmail,
    ToggleDeelname,
    Answer(Groep),
    OptOut(Groep),
    /// The dispatcher did not run that day.
    Outage,
}

fn event() -> impl Strategy<Value = Event> {
    let groep = prop_oneof![Just(PO), Just(ST)];
    prop_oneof![
        3 => (-40i64..40).prop_map(Event::MoveEnd),
        1 => Just(Event::Withdraw),
        1 => Just(Event::End),
        1 => Just(Event::TogglePraktijkopleiderEmail),
        1 => Just(Event::ToggleStudentEmail),
        1 => Just(Event::ToggleDeelname),
        3 => groep.clone().prop_map(Event::Answer),
        2 => groep.prop_map(Event::OptOut),
        2 => Just(Event::Outage),
    ]
}

/// What the dispatcher does with an action (the simulation's store). Panics on an action that does
/// not fit the stored state: the plan must only ask for what is possible.
fn apply(state: &mut Vec<InvitationState>, action: &Action, today: NaiveDate) {
    let groep = action.groep();
    let index = state.iter().position(|inv| inv.groep == groep);
    match (action, index) {
        (Action::Create { kanaal, scheduled_on, closes_on, .. }, None) => state.push(InvitationState {
            groep,
            kanaal: *kanaal,
            scheduled_on: *scheduled_on,
            closes_on: *closes_on,
            status: InvitationStatus::Gepland,
            sent_on: None,
            reminders_sent: 0,
            opted_out: false,
        }),
        (Action::Reschedule { scheduled_on, closes_on, .. }, Some(i)) => {
            assert_eq!(state[i].status, InvitationStatus::Gepland, "reschedule of {:?}", state[i]);
            state[i].scheduled_on = *scheduled_on;
            state[i].closes_on = *closes_on;
        }
        (Action::Cancel { .. }, Some(i)) => {
            assert_eq!(state[i].status, InvitationStatus::Gepland, "cancel of {:?}", state[i]);
            state[i].status = InvitationStatus::Geannuleerd;
        }
        (Action::SendInvitation { .. }, Some(i)) => {
            let carries_link = groep == PO && student_link_in(state);
            let inv = &mut state[i];
            assert_eq!((inv.status, inv.kanaal), (InvitationStatus::Gepland, Kanaal::Direct), "send of {inv:?}");
            assert!(inv.scheduled_on <= today && today < inv.closes_on, "send of {inv:?} on {today}");
            inv.status = InvitationStatus::Verstuurd;
            inv.sent_on = Some(today);
            if carries_link {
                for link in state.iter_mut().filter(|inv| inv.groep == ST) {
                    assert_eq!(link.status, InvitationStatus::Gepland, "student link delivered twice");
                    link.status = InvitationStatus::Verstuurd;
                    link.sent_on = Some(today);
                }
            }
        }
        (Action::SendReminder { nummer, .. }, Some(i)) => {
            let inv = &mut state[i];
            assert_eq!((inv.status, inv.kanaal), (InvitationStatus::Verstuurd, Kanaal::Direct), "reminder of {inv:?}");
            assert!(!inv.opted_out && today < inv.closes_on, "reminder of {inv:?} on {today}");
            assert_eq!(*nummer, inv.reminders_sent + 1);
            inv.reminders_sent += 1;
        }
        (action, index) => panic!("{action:?} does not fit the stored invitation {index:?} in {state:?}"),
    }
}

#[allow(
    clippy::too_many_lines,
    reason = "one day-by-day loop over every event kind, read top to bottom beside the rules it checks"
)]
fn simulate(
    mut facts: BpvoFacts,
    settings: SchedulingSettings,
    upload: u64,
    events: Vec<(u64, Event)>,
) -> Result<(), TestCaseError> {
    let mut state: Vec<InvitationState> = Vec::new();
    let mut withdrawn = false;
    let mut invitation_mails: HashMap<Groep, u32> = HashMap::new();
    let mut reminders: HashMap<Groep, u32> = HashMap::new();
    let mut answered: HashMap<Groep, bool> = HashMap::new();
    let mut opted_out: HashMap<Groep, bool> = HashMap::new();

    for offset in upload..upload + 120 {
        let today = day(0) + Days::new(offset);
        let mut outage = false;
        for (_, event) in events.iter().filter(|(at, _)| *at == offset) {
            match event {
                Event::MoveEnd(delta) => {
                    let moved = facts.geplande_einddatum + chrono::Duration::days(*delta);
                    facts.geplande_einddatum = moved;
                }
                Event::Withdraw => {
                    facts.status = BpvoStatus::Ingetrokken;
                    withdrawn = true;
                }
                Event::End if !withdrawn => facts.status = BpvoStatus::Beeindigd,
                Event::End => {}
                Event::TogglePraktijkopleiderEmail => {
                    facts.has_praktijkopleider_email = !facts.has_praktijkopleider_email
                }
                Event::ToggleStudentEmail => facts.has_student_email = !facts.has_student_email,
                Event::ToggleDeelname => facts.instelling_neemt_deel = !facts.instelling_neemt_deel,
                Event::Answer(groep) => {
                    for inv in state.iter_mut().filter(|inv| inv.groep == *groep) {
                        if inv.status == InvitationStatus::Verstuurd && today < inv.closes_on {
                            inv.status = InvitationStatus::Beantwoord;
                            answered.insert(*groep, true);
                        }
                    }
                }
                Event::OptOut(groep) => {
                    for inv in state.iter_mut().filter(|inv| inv.groep == *groep) {
                        if inv.status != InvitationStatus::Gepland {
                            inv.opted_out = true;
                            opted_out.insert(*groep, true);
                        }
                    }
                }
                Event::Outage => outage = true,
            }
        }
        if outage {
            continue;
        }

        let actions = plan(&facts, &state, &settings, today);
        for action in &actions {
            let groep = action.groep();
            if action.is_send() {
                prop_assert!(!withdrawn, "mail for a withdrawn bpvo: {:?} on {}", action, today);
            }
            match action {
                Action::Create { .. } => {
                    prop_assert!(find(&state, groep).is_none(), "second invitation for {}", groep);
                }
                Action::SendInvitation { .. } => {
                    let n = invitation_mails.entry(groep).or_default();
                    *n += 1;
                    prop_assert!(*n <= 1, "invitation mail sent twice to {}", groep);
                    if groep == PO && student_link_in(&state) {
                        let n = invitation_mails.entry(ST).or_default();
                        *n += 1;
                        prop_assert!(*n <= 1, "student invited twice (link in the praktijkopleider's mail)");
                    }
                }
                Action::SendReminder { .. } => {
                    prop_assert!(!answered.get(&groep).copied().unwrap_or(false), "reminder after an answer");
                    prop_assert!(!opted_out.get(&groep).copied().unwrap_or(false), "reminder after opt-out");
                    let n = reminders.entry(groep).or_default();
                    *n += 1;
                    prop_assert!(*n <= settings.reminder_count, "more than {} reminders", settings.reminder_count);
                }
                Action::Reschedule { .. } | Action::Cancel { .. } => {}
            }
            // Changes come first, so by a send `state` holds the invitation as this plan leaves it.
            let closes_on = find(&state, groep).map(|inv| inv.closes_on);
            if action.is_send() {
                prop_assert!(closes_on.is_some_and(|c| today < c), "mail on or after close: {:?}", action);
            }
            apply(&mut state, action, today);
        }

        prop_assert!(state.iter().filter(|inv| inv.groep == PO).count() <= 1);
        prop_assert!(state.iter().filter(|inv| inv.groep == ST).count() <= 1);
        // A student link is never left waiting for a praktijkopleider mail that will not come.
        let po_pending = find(&state, PO).is_some_and(|inv| inv.status == InvitationStatus::Gepland);
        let link_pending = find(&state, ST)
            .is_some_and(|inv| inv.kanaal == Kanaal::ViaPraktijkopleider && inv.status == InvitationStatus::Gepland);
        prop_assert!(!link_pending || po_pending, "stranded student link: {:?}", state);

        // Running again the same day plans nothing new (reminders aside: see the crate docs).
        let again = plan(&facts, &state, &settings, today);
        prop_assert!(
            again.iter().all(|a| matches!(a, Action::SendReminder { .. })),
            "second run on {} planned {:?}",
            today,
            again
        );
    }
    Ok(())
}
