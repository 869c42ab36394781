//! One table test per scheduling rule of docs/architecture.md ("The rules, and where each lives"),
//! with concrete dates.
//!
//! With the default settings a bpvo ending on 2026-06-30 is invited on 2026-06-09, can still be invited
//! up to 2026-07-14, is reminded on 06-16 and 06-23 and closes on 2026-08-11.

use bpv_scheduling::{
    Action, BpvoFacts, InvitationState, InvitationStatus, SchedulingSettings, channel, not_invited_reason, plan,
    student_link_in,
};
use bpvo::{BpvoStatus, Groep, Kanaal};
use chrono::NaiveDate;

const PO: Groep = Groep::Praktijkopleider;
const ST: Groep = Groep::Student;

#[track_caller]
fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("bad test date {s}: {e}"))
}

/// Ends 2026-06-30; both addresses known; the instelling takes part.
fn facts() -> BpvoFacts {
    BpvoFacts {
        status: BpvoStatus::Actief,
        geplande_einddatum: d("2026-06-30"),
        has_praktijkopleider_email: true,
        has_student_email: true,
        instelling_neemt_deel: true,
    }
}

/// The student is reached through the praktijkopleider's mail.
fn facts_via() -> BpvoFacts {
    BpvoFacts { instelling_neemt_deel: false, has_student_email: false, ..facts() }
}

/// As stored for the default end date, not sent yet.
fn gepland(groep: Groep, kanaal: Kanaal) -> InvitationState {
    InvitationState {
        groep,
        kanaal,
        scheduled_on: d("2026-06-09"),
        closes_on: d("2026-08-11"),
        status: InvitationStatus::Gepland,
        sent_on: None,
        reminders_sent: 0,
        opted_out: false,
    }
}

/// Sent on the invite date.
fn verstuurd(groep: Groep, kanaal: Kanaal, reminders_sent: u32) -> InvitationState {
    InvitationState {
        status: InvitationStatus::Verstuurd,
        sent_on: Some(d("2026-06-09")),
        reminders_sent,
        ..gepland(groep, kanaal)
    }
}

fn with_status(inv: InvitationState, status: InvitationStatus) -> InvitationState {
    InvitationState { status, ..inv }
}

fn s() -> SchedulingSettings {
    SchedulingSettings::default()
}

fn create(groep: Groep, kanaal: Kanaal, scheduled_on: &str, closes_on: &str) -> Action {
    Action::Create { groep, kanaal, scheduled_on: d(scheduled_on), closes_on: d(closes_on) }
}

fn reden(actions: &[Action], groep: Groep) -> String {
    actions
        .iter()
        .find_map(|a| match a {
            Action::Cancel { groep: g, reden } if *g == groep => Some(reden.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no Cancel for {groep} in {actions:?}"))
}

#[test]
fn early_upload_is_planned_for_the_invite_date() {
    let actions = plan(&facts(), &[], &s(), d("2026-05-01"));
    assert_eq!(
        actions,
        [
            create(PO, Kanaal::Direct, "2026-06-09", "2026-08-11"),
            create(ST, Kanaal::Direct, "2026-06-09", "2026-08-11"),
        ]
    );
    assert_eq!(not_invited_reason(&facts(), &s(), d("2026-05-01")), None);
}

#[test]
fn invitation_is_sent_on_the_invite_date_and_not_before() {
    let existing = [gepland(PO, Kanaal::Direct), gepland(ST, Kanaal::Direct)];
    assert_eq!(plan(&facts(), &existing, &s(), d("2026-06-08")), []);
    assert_eq!(
        plan(&facts(), &existing, &s(), d("2026-06-09")),
        [Action::SendInvitation { groep: PO }, Action::SendInvitation { groep: ST }]
    );
}

#[test]
fn late_upload_is_invited_at_the_next_run() {
    for today in ["2026-06-10", "2026-06-30", "2026-07-14"] {
        let actions = plan(&facts(), &[], &s(), d(today));
        assert_eq!(
            actions,
            [
                create(PO, Kanaal::Direct, today, "2026-08-11"),
                create(ST, Kanaal::Direct, today, "2026-08-11"),
                Action::SendInvitation { groep: PO },
                Action::SendInvitation { groep: ST },
            ],
            "upload processed on {today}"
        );
        assert_eq!(not_invited_reason(&facts(), &s(), d(today)), None);
    }
}

#[test]
fn late_invitation_not_sent_yet_keeps_its_day_and_goes_next_run() {
    // Created on 06-20 (late upload), but the sending run did not happen.
    let late = |groep, kanaal| InvitationState { scheduled_on: d("2026-06-20"), ..gepland(groep, kanaal) };
    let existing = [late(PO, Kanaal::Direct), late(ST, Kanaal::ViaPraktijkopleider)];
    assert_eq!(plan(&facts_via(), &existing, &s(), d("2026-06-21")), [Action::SendInvitation { groep: PO }]);
}

#[test]
fn upload_after_grace_is_never_invited() {
    assert_eq!(plan(&facts(), &[], &s(), d("2026-07-15")), []);
    assert_eq!(plan(&facts(), &[], &s(), d("2026-09-01")), []);
    let reason = not_invited_reason(&facts(), &s(), d("2026-07-15")).unwrap();
    assert!(reason.starts_with("te laat aangeleverd"), "{reason}");
    assert!(
        reason.contains("2026-06-09") && reason.contains("2026-07-14") && reason.contains("2026-06-30"),
        "{reason}"
    );
}

#[test]
fn pending_invitation_not_sent_by_the_last_invite_date_is_cancelled() {
    let existing = [gepland(PO, Kanaal::Direct)];
    let actions = plan(&facts_via(), &existing, &s(), d("2026-07-15"));
    assert_eq!(actions.len(), 1);
    assert!(reden(&actions, PO).contains("uiterste uitnodigingsdatum 2026-07-14"));
}

#[test]
fn moved_end_date_before_sending_reschedules() {
    let existing = [gepland(PO, Kanaal::Direct), gepland(ST, Kanaal::Direct)];

    // Moved later: the new invite date is still ahead.
    let later = BpvoFacts { geplande_einddatum: d("2026-07-31"), ..facts() };
    assert_eq!(
        plan(&later, &existing, &s(), d("2026-06-05")),
        [
            Action::Reschedule { groep: PO, scheduled_on: d("2026-07-10"), closes_on: d("2026-09-11") },
            Action::Reschedule { groep: ST, scheduled_on: d("2026-07-10"), closes_on: d("2026-09-11") },
        ]
    );

    // Moved earlier: the new invite date has passed, so it goes today, with the new close date.
    let earlier = BpvoFacts { geplande_einddatum: d("2026-06-20"), ..facts() };
    assert_eq!(
        plan(&earlier, &existing, &s(), d("2026-06-05")),
        [
            Action::Reschedule { groep: PO, scheduled_on: d("2026-06-05"), closes_on: d("2026-08-01") },
            Action::Reschedule { groep: ST, scheduled_on: d("2026-06-05"), closes_on: d("2026-08-01") },
            Action::SendInvitation { groep: PO },
            Action::SendInvitation { groep: ST },
        ]
    );
}

#[test]
fn rescheduled_invitation_is_not_rescheduled_again() {
    let moved = BpvoFacts { geplande_einddatum: d("2026-06-20"), ..facts_via() };
    let after_move = |groep, kanaal| InvitationState {
        scheduled_on: d("2026-06-05"),
        closes_on: d("2026-08-01"),
        ..gepland(groep, kanaal)
    };
    let existing = [after_move(PO, Kanaal::Direct), after_move(ST, Kanaal::ViaPraktijkopleider)];
    // Same day (a second run) and the next day: nothing to move; it is due.
    for today in ["2026-06-05", "2026-06-06"] {
        assert_eq!(plan(&moved, &existing, &s(), d(today)), [Action::SendInvitation { groep: PO }]);
    }
}

#[test]
fn moved_end_date_too_far_back_cancels() {
    let existing = [gepland(PO, Kanaal::Direct), gepland(ST, Kanaal::ViaPraktijkopleider)];
    // New last invite date 2026-05-15 is before today.
    let moved = BpvoFacts { geplande_einddatum: d("2026-05-01"), ..facts_via() };
    let actions = plan(&moved, &existing, &s(), d("2026-06-05"));
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert!(reden(&actions, PO).starts_with("te laat na verplaatsen einddatum"));
    assert!(reden(&actions, ST).starts_with("te laat na verplaatsen einddatum"));
}

#[test]
fn moved_end_date_after_sending_resends_nothing() {
    let existing = [verstuurd(PO, Kanaal::Direct, 0), verstuurd(ST, Kanaal::Direct, 0)];
    for eind in ["2026-05-01", "2026-07-31", "2026-12-31"] {
        let moved = BpvoFacts { geplande_einddatum: d(eind), ..facts() };
        assert_eq!(plan(&moved, &existing, &s(), d("2026-06-10")), [], "end date moved to {eind}");
    }
    // The stored dates stand: reminders follow the original schedule, even though the moved end date
    // (2026-05-01) would have closed the survey on 2026-06-12.
    let moved = BpvoFacts { geplande_einddatum: d("2026-05-01"), ..facts() };
    assert_eq!(
        plan(&moved, &existing, &s(), d("2026-06-16")),
        [Action::SendReminder { groep: PO, nummer: 1 }, Action::SendReminder { groep: ST, nummer: 1 }]
    );
}

#[test]
fn withdrawn_cancels_pending_invitations() {
    let withdrawn = BpvoFacts { status: BpvoStatus::Ingetrokken, ..facts() };
    // Pending: cancelled. Already sent with a reminder due: left alone, and no reminder.
    let existing = [gepland(PO, Kanaal::Direct), verstuurd(ST, Kanaal::Direct, 0)];
    assert_eq!(
        plan(&withdrawn, &existing, &s(), d("2026-06-16")),
        [Action::Cancel { groep: PO, reden: "bpvo ingetrokken".to_owned() }]
    );
    // Nothing made for a withdrawn bpvo, even when it is due.
    assert_eq!(plan(&withdrawn, &[], &s(), d("2026-06-09")), []);
    assert!(not_invited_reason(&withdrawn, &s(), d("2026-05-01")).unwrap().contains("ingetrokken"));
}

#[test]
fn ended_bpvo_is_surveyed_like_an_active_one() {
    let ended = BpvoFacts { status: BpvoStatus::Beeindigd, ..facts() };
    assert_eq!(plan(&ended, &[], &s(), d("2026-06-09")), plan(&facts(), &[], &s(), d("2026-06-09")));
}

#[test]
fn reminders_only_to_non_responders() {
    let existing =
        [verstuurd(PO, Kanaal::Direct, 0), with_status(verstuurd(ST, Kanaal::Direct, 0), InvitationStatus::Beantwoord)];
    assert_eq!(plan(&facts(), &existing, &s(), d("2026-06-16")), [Action::SendReminder { groep: PO, nummer: 1 }]);
}

#[test]
fn reminders_follow_the_interval_and_stop_at_the_count() {
    let cases = [
        (0, "2026-06-15", None),
        (0, "2026-06-16", Some(1)),
        (0, "2026-06-22", Some(1)), // a missed run catches up
        (1, "2026-06-22", None),
        (1, "2026-06-23", Some(2)),
        (2, "2026-06-30", None),
        (2, "2026-08-01", None),
    ];
    for (reminders_sent, today, expected) in cases {
        let existing = [verstuurd(PO, Kanaal::Direct, reminders_sent)];
        let expected: Vec<Action> =
            expected.map(|nummer| Action::SendReminder { groep: PO, nummer }).into_iter().collect();
        assert_eq!(plan(&facts_via(), &existing, &s(), d(today)), expected, "{reminders_sent} sent, {today}");
    }
}

#[test]
fn opted_out_gets_no_reminder() {
    let existing = [
        InvitationState { opted_out: true, ..verstuurd(PO, Kanaal::Direct, 0) },
        InvitationState { opted_out: true, ..verstuurd(ST, Kanaal::Direct, 1) },
    ];
    assert_eq!(plan(&facts(), &existing, &s(), d("2026-06-16")), []);
}

#[test]
fn reminder_needs_the_address_still_known() {
    let existing =
        [with_status(verstuurd(PO, Kanaal::Direct, 0), InvitationStatus::Beantwoord), verstuurd(ST, Kanaal::Direct, 0)];
    let left = BpvoFacts { instelling_neemt_deel: false, ..facts() };
    let no_email = BpvoFacts { has_student_email: false, ..facts() };
    assert_eq!(plan(&left, &existing, &s(), d("2026-06-16")), []);
    assert_eq!(plan(&no_email, &existing, &s(), d("2026-06-16")), []);
}

#[test]
fn no_mail_on_or_after_close() {
    // Reminder 2 would be due 2026-08-10 with a 31-day interval: the day before closing it goes,
    // on the close date and after nothing does.
    let settings = SchedulingSettings { reminder_interval_days: 31, ..s() };
    let existing = [verstuurd(PO, Kanaal::Direct, 1)];
    assert_eq!(
        plan(&facts_via(), &existing, &settings, d("2026-08-10")),
        [Action::SendReminder { groep: PO, nummer: 2 }]
    );
    assert_eq!(plan(&facts_via(), &existing, &settings, d("2026-08-11")), []);
    assert_eq!(plan(&facts_via(), &existing, &settings, d("2026-09-01")), []);
    // A reminder that would only be due after the close is never sent.
    let settings = SchedulingSettings { reminder_interval_days: 32, ..s() };
    for today in ["2026-08-10", "2026-08-12", "2026-08-13"] {
        assert_eq!(plan(&facts_via(), &existing, &settings, d(today)), []);
    }
}

#[test]
fn close_date_before_last_invite_date_wins() {
    // Closes 2026-07-05, grace until 2026-07-14: the last day to invite is 2026-07-04.
    let settings = SchedulingSettings { close_after_days: 5, ..s() };
    assert_eq!(
        plan(&facts_via(), &[], &settings, d("2026-07-04")),
        [
            create(PO, Kanaal::Direct, "2026-07-04", "2026-07-05"),
            create(ST, Kanaal::ViaPraktijkopleider, "2026-07-04", "2026-07-05"),
            Action::SendInvitation { groep: PO },
        ]
    );
    assert_eq!(plan(&facts_via(), &[], &settings, d("2026-07-05")), []);
    assert!(not_invited_reason(&facts_via(), &settings, d("2026-07-05")).unwrap().contains("2026-07-04"));
}

#[test]
fn never_a_send_for_answered_or_cancelled_invitations() {
    for status in [InvitationStatus::Beantwoord, InvitationStatus::Geannuleerd] {
        let existing =
            [with_status(gepland(PO, Kanaal::Direct), status), with_status(verstuurd(ST, Kanaal::Direct, 0), status)];
        for today in ["2026-06-09", "2026-06-16", "2026-06-23"] {
            assert_eq!(plan(&facts(), &existing, &s(), d(today)), [], "{status} on {today}");
        }
    }
}

#[test]
fn student_direct_only_when_taking_part_and_email_known() {
    for neemt_deel in [false, true] {
        for student_email in [false, true] {
            for po_email in [false, true] {
                let f = BpvoFacts {
                    has_praktijkopleider_email: po_email,
                    has_student_email: student_email,
                    instelling_neemt_deel: neemt_deel,
                    ..facts()
                };
                let expected = match (neemt_deel && student_email, po_email) {
                    (true, _) => Some(Kanaal::Direct),
                    (false, true) => Some(Kanaal::ViaPraktijkopleider),
                    (false, false) => None,
                };
                assert_eq!(channel(&f, ST), expected, "{f:?}");
                assert_eq!(channel(&f, PO), po_email.then_some(Kanaal::Direct), "{f:?}");
            }
        }
    }
}

#[test]
fn student_link_goes_in_praktijkopleider_mail_otherwise() {
    // Taking part but no student address: the link rides along.
    let f = BpvoFacts { has_student_email: false, ..facts() };
    assert_eq!(
        plan(&f, &[], &s(), d("2026-05-01")),
        [
            create(PO, Kanaal::Direct, "2026-06-09", "2026-08-11"),
            create(ST, Kanaal::ViaPraktijkopleider, "2026-06-09", "2026-08-11"),
        ]
    );
    let existing = [gepland(PO, Kanaal::Direct), gepland(ST, Kanaal::ViaPraktijkopleider)];
    assert_eq!(plan(&f, &existing, &s(), d("2026-06-09")), [Action::SendInvitation { groep: PO }]);
    assert!(student_link_in(&existing));

    // The praktijkopleider's reminders carry it too while the student has not answered; the student
    // link itself never gets a reminder of its own.
    let sent = [verstuurd(PO, Kanaal::Direct, 0), verstuurd(ST, Kanaal::ViaPraktijkopleider, 0)];
    assert_eq!(plan(&f, &sent, &s(), d("2026-06-16")), [Action::SendReminder { groep: PO, nummer: 1 }]);
    assert!(student_link_in(&sent));
    let answered = [sent[0].clone(), with_status(sent[1].clone(), InvitationStatus::Beantwoord)];
    assert!(!student_link_in(&answered));
    let cancelled =
        [sent[0].clone(), with_status(gepland(ST, Kanaal::ViaPraktijkopleider), InvitationStatus::Geannuleerd)];
    assert!(!student_link_in(&cancelled));
    // A direct student invitation never rides along.
    assert!(!student_link_in(&[gepland(PO, Kanaal::Direct), gepland(ST, Kanaal::Direct)]));
}

#[test]
fn changes_come_before_sends() {
    assert_eq!(
        plan(&facts_via(), &[], &s(), d("2026-06-20")),
        [
            create(PO, Kanaal::Direct, "2026-06-20", "2026-08-11"),
            create(ST, Kanaal::ViaPraktijkopleider, "2026-06-20", "2026-08-11"),
            Action::SendInvitation { groep: PO },
        ]
    );
}

#[test]
fn nobody_is_surveyed_without_any_address() {
    let f = BpvoFacts { has_praktijkopleider_email: false, ..facts_via() };
    assert_eq!(plan(&f, &[], &s(), d("2026-06-09")), []);
    assert!(not_invited_reason(&f, &s(), d("2026-06-09")).unwrap().starts_with("niemand bereikbaar"));
}

#[test]
fn direct_student_is_invited_without_a_praktijkopleider() {
    let f = BpvoFacts { has_praktijkopleider_email: false, ..facts() };
    assert_eq!(
        plan(&f, &[], &s(), d("2026-06-09")),
        [create(ST, Kanaal::Direct, "2026-06-09", "2026-08-11"), Action::SendInvitation { groep: ST }]
    );
    assert_eq!(not_invited_reason(&f, &s(), d("2026-06-09")), None);
}

#[test]
fn removed_address_cancels_pending_invitation() {
    let existing = [gepland(PO, Kanaal::Direct), gepland(ST, Kanaal::ViaPraktijkopleider)];
    let f = BpvoFacts { has_praktijkopleider_email: false, ..facts_via() };
    let actions = plan(&f, &existing, &s(), d("2026-06-09"));
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert!(reden(&actions, PO).contains("geen e-mailadres van de praktijkopleider"));
    assert!(reden(&actions, ST).contains("praktijkopleider"));

    // A direct student invitation does not depend on the praktijkopleider.
    let existing = [gepland(PO, Kanaal::Direct), gepland(ST, Kanaal::Direct)];
    let f = BpvoFacts { has_praktijkopleider_email: false, ..facts() };
    let actions = plan(&f, &existing, &s(), d("2026-06-09"));
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert!(matches!(actions[0], Action::Cancel { groep: PO, .. }));
    assert_eq!(actions[1], Action::SendInvitation { groep: ST });
}

#[test]
fn channel_is_fixed_at_creation() {
    // A student address turns up after the student link was planned: it still rides along.
    let existing = [gepland(PO, Kanaal::Direct), gepland(ST, Kanaal::ViaPraktijkopleider)];
    assert_eq!(plan(&facts(), &existing, &s(), d("2026-06-09")), [Action::SendInvitation { groep: PO }]);

    // The instelling stops taking part before the direct mail went: the student is not mailed.
    let existing = [gepland(PO, Kanaal::Direct), gepland(ST, Kanaal::Direct)];
    let left = BpvoFacts { instelling_neemt_deel: false, ..facts() };
    let actions = plan(&left, &existing, &s(), d("2026-06-09"));
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert!(reden(&actions, ST).contains("neemt niet (meer) deel"));
    assert_eq!(actions[1], Action::SendInvitation { groep: PO });

    // The student address is removed.
    let no_email = BpvoFacts { has_student_email: false, ..facts() };
    assert!(reden(&plan(&no_email, &existing, &s(), d("2026-06-09")), ST).contains("e-mailadres van de student"));
}

#[test]
fn student_link_is_not_made_after_the_praktijkopleider_mail_went() {
    let existing = [verstuurd(PO, Kanaal::Direct, 0)];
    assert_eq!(plan(&facts_via(), &existing, &s(), d("2026-06-10")), []);
    // And a stray pending link whose carrier mail already went is cancelled rather than left hanging.
    let existing = [verstuurd(PO, Kanaal::Direct, 0), gepland(ST, Kanaal::ViaPraktijkopleider)];
    let actions = plan(&facts_via(), &existing, &s(), d("2026-06-10"));
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert!(reden(&actions, ST).contains("studentlink"));
}

#[test]
fn praktijkopleider_invitation_is_always_direct() {
    let existing = [gepland(PO, Kanaal::ViaPraktijkopleider)];
    let actions = plan(&facts(), &existing, &s(), d("2026-06-09"));
    assert!(reden(&actions, PO).contains("ongeldig kanaal"));
}

#[test]
fn invitation_status_round_trips() {
    for status in InvitationStatus::ALL {
        assert_eq!(InvitationStatus::parse(status.as_str()), Some(status));
        assert_eq!(status.to_string(), status.as_str());
    }
    assert_eq!(InvitationStatus::parse("verzonden"), None);
    assert_eq!(
        InvitationStatus::ALL.map(InvitationStatus::as_str),
        ["gepland", "verstuurd", "beantwoord", "geannuleerd"]
    );
}

#[test]
fn reminder_interval_of_zero_still_waits_a_day() {
    let settings = SchedulingSettings { reminder_interval_days: 0, ..s() };
    let existing = [verstuurd(PO, Kanaal::Direct, 0)];
    assert_eq!(plan(&facts_via(), &existing, &settings, d("2026-06-09")), []);
    assert_eq!(
        plan(&facts_via(), &existing, &settings, d("2026-06-10")),
        [Action::SendReminder { groep: PO, nummer: 1 }]
    );
}

#[test]
fn settings_without_an_invitation_window_invite_nobody() {
    // Closes on the end date, invites on the end date: no day is left to send on.
    let settings = SchedulingSettings { lead_days: 0, close_after_days: 0, ..s() };
    assert_eq!(plan(&facts(), &[], &settings, d("2026-05-01")), []);
    let reason = not_invited_reason(&facts(), &settings, d("2026-05-01")).unwrap();
    assert!(reason.starts_with("geen uitnodigingsperiode"), "{reason}");
}
