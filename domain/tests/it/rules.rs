//! Example-based tests of the hall rules, one per thing a citizen, a window clerk or the hall manager
//! relies on. Spec references are to the tender: lines 2818–2826 (智能排队: ID-card ticketing, quotas,
//! window calling) and 2953–2988 (窗口呼叫终端: call, recall, void).

use crate::common::*;
use domain::config::PriorityReason;
use domain::decide::IdCardFacts;
use domain::estimate::{avg_service_secs, estimate};
use domain::routing::{Class, Strategy};
use domain::ticket::{TicketNumber, TicketStatus, TransferTarget};
use domain::time::Date;
use domain::{BusinessDay, Command, EventBody, HallState};

fn displays(sim: &mut Sim, window: &str, n: usize) -> Vec<String> {
    (0..n).map(|_| sim.call_and_finish(window)).collect()
}

// ---------------------------------------------------------------------------------------------------
// Numbering
// ---------------------------------------------------------------------------------------------------

/// Tender 2818–2826: tickets are numbered per queue, A001, A002 …, and numbering restarts every
/// business day at local midnight (+08:00), not at UTC midnight.
#[test]
fn numbers_count_up_per_queue_and_restart_at_local_midnight() {
    let mut sim = Sim::new(standard());
    let a: Vec<String> = (0..3)
        .map(|_| {
            let t = sim.issue(I_PLAIN);
            sim.display(&t)
        })
        .collect();
    assert_eq!(a, ["A001", "A002", "A003"]);
    let b = sim.issue_queue(QB);
    assert_eq!(sim.display(&b), "B001", "each queue has its own series");
    let a4 = sim.issue_as(I_ID, &[], Date::new(1990, 5, 17));
    assert_eq!(sim.display(&a4), "A004", "items of one queue share its series");

    // 23:59 Beijing time is still the same business day …
    sim.at(23 * 60 + 59);
    let late = sim.issue(I_PLAIN);
    assert_eq!(sim.display(&late), "A005");
    assert_eq!(sim.ticket(&late).day, day0());
    // … one minute later (16:00 UTC, the same UTC date) it is the next one, and numbering restarts.
    sim.advance(1);
    assert_eq!(sim.today(), BusinessDay(day0().0 + 1));
    let first = sim.issue(I_PLAIN);
    assert_eq!(sim.display(&first), "A001");
    assert_eq!(sim.ticket(&first).day, BusinessDay(day0().0 + 1));
    let second = sim.issue(I_PLAIN);
    assert_eq!(sim.display(&second), "A002");
    let b_again = sim.issue_queue(QB);
    assert_eq!(sim.display(&b_again), "B001");
}

/// A kiosk that lost its hall node numbers from its own letter series, A-K001 …; the same device number
/// twice in one day is refused as a duplicate (tender 2818–2826: numbers stay unique).
#[test]
fn device_series_numbers_show_their_letter_and_are_never_issued_twice() {
    let mut sim = Sim::new(standard());
    let mut req = sim.issue_req(I_PLAIN);
    req.number = Some(TicketNumber::Device { letter: 'K', seq: 1 });
    let t = sim.try_issue(req).expect("device number accepted");
    assert_eq!(sim.display(&t), "A-K001");

    let mut dup = sim.issue_req(I_PLAIN);
    dup.number = Some(TicketNumber::Device { letter: 'K', seq: 1 });
    let err = sim.refused(Command::Issue(dup));
    assert_eq!(err.code(), "duplicate");
    assert_eq!(err.field(), Some("number"));

    // Another letter, another queue or the hall series do not collide with it.
    let mut other = sim.issue_req(I_PLAIN);
    other.number = Some(TicketNumber::Device { letter: 'M', seq: 1 });
    let m = sim.try_issue(other).expect("another device");
    assert_eq!(sim.display(&m), "A-M001");
    let mut in_b = sim.issue_req(I_QUOTA);
    in_b.number = Some(TicketNumber::Device { letter: 'K', seq: 1 });
    let kb = sim.try_issue(in_b).expect("same device number, other queue");
    assert_eq!(sim.display(&kb), "B-K001");
    let hall = sim.issue(I_PLAIN);
    assert_eq!(
        sim.display(&hall),
        "A001",
        "the hall series is separate from device series"
    );

    // Only the hall node numbers from the hall series; a device needs a letter A–Z and a seq from 1.
    for bad in [
        TicketNumber::Hall { seq: 7 },
        TicketNumber::Device { letter: 'k', seq: 2 },
        TicketNumber::Device { letter: 'K', seq: 0 },
    ] {
        let mut req = sim.issue_req(I_PLAIN);
        req.number = Some(bad);
        assert_eq!(sim.refused(Command::Issue(req)).code(), "invalid");
    }

    // The next business day the device series starts over too.
    sim.next_day_at(8 * 60);
    let mut again = sim.issue_req(I_PLAIN);
    again.number = Some(TicketNumber::Device { letter: 'K', seq: 1 });
    let t2 = sim.try_issue(again).expect("a new day");
    assert_eq!(sim.display(&t2), "A-K001");
}

/// Regression: after a transfer to another queue the ticket's `queue_id` names the new queue, so a
/// restart from a snapshot could not tell which series had numbered it and issued A002 a second time.
#[test]
fn restart_from_a_snapshot_after_a_transfer_continues_the_numbering() {
    let mut sim = Sim::new(standard());
    let _a1 = sim.issue(I_PLAIN);
    let a2 = sim.issue(I_PLAIN);
    let mut req = sim.issue_req(I_PLAIN);
    req.number = Some(TicketNumber::Device { letter: 'K', seq: 1 });
    let k1 = sim.try_issue(req).expect("device number");
    for t in [&a2, &k1] {
        sim.exec(Command::Transfer {
            ticket: t.clone(),
            to: TransferTarget::Queue(q(QB)),
        });
    }
    let restored = HallState::restore(sim.state.snapshot());
    assert_eq!(restored, sim.state);
    sim.state = restored;
    let a3 = sim.issue(I_PLAIN);
    assert_eq!(sim.display(&a3), "A003");
    let b1 = sim.issue(I_QUOTA);
    assert_eq!(
        sim.display(&b1),
        "B001",
        "the transferred A002 did not use up B numbers"
    );
    let mut dup = sim.issue_req(I_PLAIN);
    dup.number = Some(TicketNumber::Device { letter: 'K', seq: 1 });
    assert_eq!(sim.refused(Command::Issue(dup)).code(), "duplicate");
}

// ---------------------------------------------------------------------------------------------------
// Window call terminal
// ---------------------------------------------------------------------------------------------------

/// Tender 2953–2988: the window terminal can call again (重呼) a citizen who has not come; that is a
/// recall counted on the ticket, never a second call (which would count as a new service).
#[test]
fn recall_counts_on_the_ticket_and_is_never_a_second_call() {
    let mut sim = Sim::new(standard());
    sim.open("W1", "S1");
    let t = sim.issue(I_PLAIN);
    let called = sim.call("W1");
    assert_eq!(called, t);
    let called_at = sim.ticket(&t).called_at;
    sim.advance(1);
    for n in 1..=2 {
        let ev = sim.exec(Command::Recall { window: w("W1") });
        assert!(
            matches!(ev.as_slice(), [e] if matches!(&e.body, EventBody::TicketRecalled { ticket, .. } if *ticket == t)),
            "{ev:?}"
        );
        assert_eq!(sim.ticket(&t).recall_count, n);
    }
    let calls = sim
        .log
        .iter()
        .filter(|e| matches!(&e.body, EventBody::TicketCalled { ticket, .. } if *ticket == t))
        .count();
    assert_eq!(calls, 1);
    assert_eq!(sim.ticket(&t).status, TicketStatus::Called);
    assert_eq!(
        sim.ticket(&t).called_at,
        called_at,
        "a recall does not restart the call"
    );

    // Once service has started there is nobody to call again.
    sim.exec(Command::Start { window: w("W1") });
    assert_eq!(
        sim.refused(Command::Recall { window: w("W1") }).code(),
        "bad_transition"
    );
    // With no current ticket there is nothing to recall.
    sim.exec(Command::Finish { window: w("W1") });
    assert_eq!(
        sim.refused(Command::Recall { window: w("W1") }).code(),
        "no_current_ticket"
    );
}

/// Tender 2953–2988: the terminal can void (作废) the current ticket; the window is free again and a
/// voided ticket cannot be voided or called again.
#[test]
fn voiding_the_called_ticket_frees_the_window() {
    let mut sim = Sim::new(standard());
    sim.open("W1", "S1");
    let t = sim.issue(I_PLAIN);
    let next = sim.issue(I_PLAIN);
    sim.call("W1");
    let ev = sim.exec(Command::Void {
        ticket: t.clone(),
        reason: "left".into(),
    });
    assert!(matches!(&ev[0].body, EventBody::TicketVoided { window: Some(x), .. } if *x == w("W1")));
    assert_eq!(sim.ticket(&t).status, TicketStatus::Voided);
    assert_eq!(sim.state.window(&w("W1")).current, None);
    assert_eq!(
        sim.refused(Command::Void {
            ticket: t.clone(),
            reason: "again".into()
        })
        .code(),
        "bad_transition"
    );
    assert_eq!(sim.call("W1"), next);
}

/// Tender 2953–2988 and 2818–2826: only an open window with a clerk signed in calls, and it finishes
/// (or marks no-show, parks, transfers) its current ticket before calling the next.
#[test]
fn calling_needs_an_open_window_with_a_clerk_signed_in_and_free() {
    let mut sim = Sim::new(standard());
    sim.issue(I_PLAIN);
    sim.issue(I_PLAIN);
    let w1 = || w("W1");

    assert_eq!(sim.refused(Command::CallNext { window: w1() }).code(), "not_signed_in");
    assert_eq!(
        sim.refused(Command::OpenWindow { window: w1() }).code(),
        "not_signed_in"
    );
    assert_eq!(
        sim.refused(Command::SignIn {
            window: w1(),
            staff: s("S9")
        })
        .code(),
        "not_allowed_at_window"
    );
    assert_eq!(
        sim.refused(Command::SignIn {
            window: w1(),
            staff: s("NOBODY")
        })
        .code(),
        "not_found"
    );
    assert_eq!(sim.refused(Command::CallNext { window: w("W99") }).code(), "not_found");

    sim.exec(Command::SignIn {
        window: w1(),
        staff: s("S1"),
    });
    assert_eq!(
        sim.refused(Command::CallNext { window: w1() }).code(),
        "window_not_open",
        "signed in, still closed"
    );
    sim.exec(Command::OpenWindow { window: w1() });
    sim.exec(Command::PauseWindow {
        window: w1(),
        reason: Some("break".into()),
    });
    assert_eq!(
        sim.refused(Command::CallNext { window: w1() }).code(),
        "window_not_open",
        "paused"
    );
    sim.exec(Command::OpenWindow { window: w1() });

    sim.call("W1");
    for cmd in [
        Command::CallNext { window: w1() },
        Command::CloseWindow { window: w1() },
        Command::SignOut { window: w1() },
    ] {
        assert_eq!(sim.refused(cmd).code(), "window_busy");
    }
    sim.exec(Command::NoShow { window: w1() });
    sim.call("W1");
    sim.exec(Command::Finish { window: w1() });
    assert_eq!(
        sim.refused(Command::CallNext { window: w1() }).code(),
        "nothing_waiting"
    );
    sim.exec(Command::SignOut { window: w1() });
    assert_eq!(sim.state.window(&w1()).status, domain::hall::WindowStatus::Closed);
    assert_eq!(sim.refused(Command::CallNext { window: w1() }).code(), "not_signed_in");
}

// ---------------------------------------------------------------------------------------------------
// Priority groups
// ---------------------------------------------------------------------------------------------------

/// Tender 2818–2826 (ID-card ticketing): the age read from the ID card's birth date makes a citizen of 60
/// or more an elderly priority, called before an earlier normal ticket; one day short of 60 is normal.
#[test]
fn citizens_aged_sixty_by_id_card_are_called_before_earlier_normal_tickets() {
    let mut sim = Sim::new(standard());
    sim.open("W1", "S1");
    let sixty = born_years_before(sim.today(), 60);
    let almost = Date::from_days(sixty.days() + 1);

    let normal = sim.issue(I_PLAIN);
    let young = sim.issue_as(I_PLAIN, &[], Some(almost));
    let old = sim.issue_as(I_PLAIN, &[], Some(sixty));
    assert_eq!(sim.ticket(&old).priority, Some(PriorityReason::Elderly));
    assert_eq!(sim.ticket(&old).class, Class::Priority);
    assert_eq!(
        sim.ticket(&young).priority,
        None,
        "59 years and 364 days is not elderly"
    );
    assert_eq!(sim.ticket(&young).class, Class::Normal);
    assert!(sim.ticket(&young).has_id_card);

    assert_eq!(sim.call_and_finish("W1"), sim.display(&old));
    assert_eq!(sim.call_and_finish("W1"), sim.display(&normal));
    assert_eq!(sim.call_and_finish("W1"), sim.display(&young));
}

/// Which groups are honoured is per hall; a claim outside them is ignored, and "elderly" only counts when
/// read from an ID card, never as a bare claim.
#[test]
fn a_priority_claim_the_hall_does_not_honour_is_ignored() {
    let mut data = city();
    data.halls[0].priority.groups = vec![PriorityReason::Elderly, PriorityReason::Pregnant];
    let mut sim = Sim::new(config(data));
    sim.open("W1", "S1");
    let first = sim.issue(I_PLAIN);
    let military = sim.issue_as(I_PLAIN, &[PriorityReason::Military], None);
    let claims_old = sim.issue_as(I_PLAIN, &[PriorityReason::Elderly], None);
    let pregnant = sim.issue_as(I_PLAIN, &[PriorityReason::Military, PriorityReason::Pregnant], None);
    for t in [&military, &claims_old] {
        assert_eq!(sim.ticket(t).priority, None);
        assert_eq!(sim.ticket(t).class, Class::Normal);
    }
    assert_eq!(sim.ticket(&pregnant).priority, Some(PriorityReason::Pregnant));
    let order = displays(&mut sim, "W1", 4);
    let expect: Vec<String> = [&pregnant, &first, &military, &claims_old]
        .iter()
        .map(|t| sim.display(t))
        .collect();
    assert_eq!(order, expect);

    // A hall that does not honour the elderly group ignores the birth date too.
    let mut data = city();
    data.halls[0].priority.groups = vec![PriorityReason::Disabled];
    let mut sim = Sim::new(config(data));
    let birth = born_years_before(sim.today(), 80);
    let t = sim.issue_as(I_PLAIN, &[], Some(birth));
    assert_eq!(sim.ticket(&t).class, Class::Normal);
}

// ---------------------------------------------------------------------------------------------------
// Appointments
// ---------------------------------------------------------------------------------------------------

fn appointment_hall() -> Sim {
    // One window serving only queue C, so the order is the class order.
    let mut data = city();
    set_windows(&mut data, vec![profile(&[QC], Strategy::StrictOrder)]);
    let mut sim = Sim::new(config(data));
    sim.open("W1", "S1");
    sim
}

/// Check-in opens `early_minutes` (30) before the slot; earlier is refused with `check_in_too_early`.
#[test]
fn checking_in_before_the_early_window_is_refused() {
    let mut sim = appointment_hall();
    let today = sim.today();
    let a = sim.book(I_APPT, today, 9 * 60, "citizen-1");
    sim.at(8 * 60 + 29);
    let (cmd, _) = sim.check_in_cmd(&a);
    let err = sim.refused(cmd);
    assert_eq!(err.code(), "check_in_too_early");
    assert!(
        matches!(
            err,
            domain::DomainError::CheckInTooEarly {
                opens_at_minute_of_day: 510,
                early: 30
            }
        ),
        "{err:?}"
    );
    sim.at(8 * 60 + 30);
    let t = sim.check_in(&a);
    assert_eq!(sim.ticket(&t).class, Class::Appointment);
    assert_eq!(sim.ticket(&t).appointment_id.as_ref(), Some(&a));
    assert_eq!(
        sim.state.appointments[&a].status,
        domain::appointment::AppointmentStatus::CheckedIn
    );
    let (again, _) = sim.check_in_cmd(&a);
    assert_eq!(sim.refused(again).code(), "invalid", "checked in once");
}

/// Arriving inside the early/late window keeps the appointment's precedence: called before walk-ins who
/// came earlier.
#[test]
fn an_on_time_appointment_is_called_before_earlier_walk_ins() {
    let mut sim = appointment_hall();
    let today = sim.today();
    let a = sim.book(I_APPT, today, 9 * 60, "citizen-1");
    sim.at(9 * 60);
    let walk_in = sim.issue(I_APPT);
    sim.at(9 * 60 + 15); // the last on-time minute: start + late_minutes
    let t = sim.check_in(&a);
    assert_eq!(sim.ticket(&t).class, Class::Appointment);
    assert!(
        sim.log
            .iter()
            .any(|e| matches!(&e.body, EventBody::AppointmentCheckedIn { on_time: true, .. }))
    );
    assert_eq!(sim.call("W1"), t);
    sim.exec(Command::Finish { window: w("W1") });
    assert_eq!(sim.call("W1"), walk_in);
}

/// Later than `late_minutes` (15) after the slot start the citizen joins the normal queue.
#[test]
fn a_late_appointment_joins_the_normal_queue() {
    let mut sim = appointment_hall();
    let today = sim.today();
    let a = sim.book(I_APPT, today, 9 * 60, "citizen-1");
    sim.at(9 * 60);
    let walk_in = sim.issue(I_APPT);
    sim.at(9 * 60 + 16);
    let t = sim.check_in(&a);
    assert_eq!(sim.ticket(&t).class, Class::Normal);
    assert!(
        sim.log
            .iter()
            .any(|e| matches!(&e.body, EventBody::AppointmentCheckedIn { on_time: false, .. }))
    );
    assert_eq!(sim.call("W1"), walk_in);
}

/// Regression: an appointment for an item that needs the ID card could never be checked in (the
/// check-in command carries no card, so it was refused with `id_card_required`). The booking is bound to
/// the citizen's ID (its `citizen_key`), so check-in no longer asks for the card again.
#[test]
fn an_appointment_for_an_id_card_item_can_be_checked_in() {
    let mut sim = Sim::new(standard());
    let today = sim.today();
    let a = sim.book(I_ID, today, 9 * 60, "citizen-1");
    sim.at(8 * 60 + 45);
    let t = sim.check_in(&a);
    assert_eq!(sim.ticket(&t).class, Class::Appointment);
    assert_eq!(sim.display(&t), "A001");
    // A walk-in ticket for the same item still needs the card.
    let req = sim.issue_req(I_ID);
    assert_eq!(sim.refused(Command::Issue(req)).code(), "id_card_required");
}

/// A slot takes `capacity` bookings (2 here); the next is refused with `slot_full`.
#[test]
fn booking_a_full_slot_is_refused() {
    let mut sim = Sim::new(standard());
    let today = sim.today();
    sim.book(I_APPT, today, 10 * 60, "c1");
    sim.book(I_APPT, today, 10 * 60, "c2");
    assert_eq!(sim.state.slot_booked(&item(I_APPT), today, 10 * 60), 2);
    let req = sim.book_req(I_APPT, today, 10 * 60, "c3");
    let err = sim.refused(Command::Book(req));
    assert_eq!(err.code(), "slot_full");
    assert_eq!(err.field(), Some("start_minute"));
    // Other slots, days and items are unaffected.
    sim.book(I_APPT, today, 10 * 60 + 30, "c3");
    sim.book(I_ID, today, 10 * 60, "c4");
    // Slots that do not exist, have started, or lie in the past are refused.
    for (day, minute) in [
        (today, 10 * 60 + 10),
        (today, 8 * 60),
        (BusinessDay(today.0 - 1), 10 * 60),
    ] {
        let req = sim.book_req(I_APPT, day, minute, "c5");
        assert_eq!(sim.refused(Command::Book(req)).code(), "invalid", "{day:?} {minute}");
    }
    sim.at(10 * 60);
    let req = sim.book_req(I_APPT, today, 10 * 60 + 30, "c6");
    sim.exec(Command::Book(req));
    let req = sim.book_req(I_APPT, today, 9 * 60 + 30, "c7");
    assert_eq!(
        sim.refused(Command::Book(req)).code(),
        "invalid",
        "the slot has started"
    );
}

/// One booking per person, item and day.
#[test]
fn a_person_cannot_book_the_same_item_twice_on_one_day() {
    let mut sim = Sim::new(standard());
    let today = sim.today();
    sim.book(I_APPT, today, 10 * 60, "c1");
    let req = sim.book_req(I_APPT, today, 14 * 60, "c1");
    let err = sim.refused(Command::Book(req));
    assert_eq!(err.code(), "duplicate");
    assert_eq!(err.field(), Some("day"));
    sim.book(I_APPT, BusinessDay(today.0 + 1), 10 * 60, "c1");
    sim.book(I_ID, today, 10 * 60, "c1");
    // The same appointment id or code again is a duplicate too.
    let mut req = sim.book_req(I_APPT, today, 11 * 60, "c2");
    let first = req.clone();
    sim.exec(Command::Book(first));
    req.citizen_key = "c3".into();
    assert_eq!(sim.refused(Command::Book(req)).code(), "duplicate");
}

/// Cancelling gives the place back; a cancelled booking no longer blocks the person either.
#[test]
fn cancelling_an_appointment_frees_its_place() {
    let mut sim = Sim::new(standard());
    let today = sim.today();
    let a = sim.book(I_APPT, today, 10 * 60, "c1");
    sim.book(I_APPT, today, 10 * 60, "c2");
    sim.exec(Command::CancelAppointment { appointment: a.clone() });
    assert_eq!(sim.state.slot_booked(&item(I_APPT), today, 10 * 60), 1);
    assert_eq!(
        sim.refused(Command::CancelAppointment { appointment: a.clone() })
            .code(),
        "invalid"
    );
    let (cmd, _) = sim.check_in_cmd(&a);
    assert_eq!(
        sim.refused(cmd).code(),
        "invalid",
        "a cancelled appointment cannot be checked in"
    );
    sim.book(I_APPT, today, 10 * 60, "c3");
    sim.book(I_APPT, today, 11 * 60, "c1");
    assert_eq!(sim.state.slot_booked(&item(I_APPT), today, 10 * 60), 2);
}

/// Rescheduling moves the booking: the old slot gets a place back, the new one uses one.
#[test]
fn rescheduling_moves_the_booking_to_the_new_slot() {
    let mut sim = Sim::new(standard());
    let today = sim.today();
    let tomorrow = BusinessDay(today.0 + 1);
    let a = sim.book(I_APPT, today, 10 * 60, "c1");
    sim.exec(Command::Reschedule {
        appointment: a.clone(),
        day: tomorrow,
        start_minute: 9 * 60 + 30,
    });
    assert_eq!(sim.state.slot_booked(&item(I_APPT), today, 10 * 60), 0);
    assert_eq!(sim.state.slot_booked(&item(I_APPT), tomorrow, 9 * 60 + 30), 1);
    let appt = &sim.state.appointments[&a];
    assert_eq!(
        (appt.day, appt.start_minute, appt.end_minute),
        (tomorrow, 9 * 60 + 30, 10 * 60)
    );

    let err = sim.refused(Command::Reschedule {
        appointment: a.clone(),
        day: tomorrow,
        start_minute: 9 * 60 + 30,
    });
    assert_eq!(err.code(), "invalid", "same slot");
    sim.book(I_APPT, today, 11 * 60, "c2");
    sim.book(I_APPT, today, 11 * 60, "c3");
    let err = sim.refused(Command::Reschedule {
        appointment: a.clone(),
        day: today,
        start_minute: 11 * 60,
    });
    assert_eq!(err.code(), "slot_full");
    assert_eq!(
        sim.state.slot_booked(&item(I_APPT), tomorrow, 9 * 60 + 30),
        1,
        "a refused move keeps the booking"
    );
}

// ---------------------------------------------------------------------------------------------------
// Quotas and ID cards
// ---------------------------------------------------------------------------------------------------

/// Tender 2818–2826: an item with a daily quota stops issuing when it is used up; the refusal names the
/// item field and changes nothing. The next business day the quota is fresh.
#[test]
fn a_used_up_daily_quota_refuses_further_tickets_and_changes_nothing() {
    let mut sim = Sim::new(standard());
    for _ in 0..QUOTA {
        sim.issue(I_QUOTA);
    }
    assert_eq!(sim.state.issued_today(&item(I_QUOTA)), QUOTA);
    let before = sim.state.clone();
    let req = sim.issue_req(I_QUOTA);
    let err = sim.refused(Command::Issue(req));
    assert_eq!(err.code(), "quota_exhausted");
    assert_eq!(err.field(), Some("item_id"));
    assert_eq!(sim.state, before);
    // A ticket for the whole queue (issued by a window) is not a ticket for the item.
    let t = sim.issue_queue(QB);
    assert_eq!(sim.display(&t), "B004");

    sim.next_day_at(8 * 60);
    let t = sim.issue(I_QUOTA);
    assert_eq!(sim.display(&t), "B001");
}

/// Design brief, "ownership decides conflicts": a ticket a kiosk printed from its own series while the
/// hall node was unreachable belongs to the device; when it arrives after the quota ran out the hall
/// honours it (the citizen holds it) and it counts toward the quota.
#[test]
fn a_ticket_printed_offline_is_honoured_even_past_the_quota() {
    let mut sim = Sim::new(standard());
    for _ in 0..QUOTA {
        sim.issue(I_QUOTA);
    }
    let mut req = sim.issue_req(I_QUOTA);
    req.number = Some(domain::ticket::TicketNumber::Device { letter: 'K', seq: 1 });
    let t = sim.try_issue(req).expect("an offline ticket is honoured");
    assert_eq!(sim.display(&t), "B-K001");
    assert_eq!(sim.state.issued_today(&item(I_QUOTA)), QUOTA + 1);
    // A hall-numbered ticket is still refused.
    let req = sim.issue_req(I_QUOTA);
    assert_eq!(sim.refused(Command::Issue(req)).code(), "quota_exhausted");
}

/// Tender 2818–2826: items that need the ID card are only ticketed with the card read.
#[test]
fn an_item_needing_the_id_card_is_refused_without_it() {
    let mut sim = Sim::new(standard());
    let req = sim.issue_req(I_ID);
    let err = sim.refused(Command::Issue(req));
    assert_eq!(err.code(), "id_card_required");
    assert_eq!(err.field(), Some("id_card"));
    let mut req = sim.issue_req(I_ID);
    req.id_card = Some(IdCardFacts {
        birth: Date::new(1990, 5, 17).expect("date"),
    });
    let t = sim.try_issue(req).expect("with the card");
    assert!(sim.ticket(&t).has_id_card);
    assert_eq!(sim.ticket(&t).class, Class::Normal);
}

// ---------------------------------------------------------------------------------------------------
// Work profiles
// ---------------------------------------------------------------------------------------------------

/// The same arrivals a1 b1 a2 b2 a3 b3 a4 at one window serving [A, B], under each strategy.
fn order_under(strategy: Strategy) -> Vec<String> {
    let mut data = city();
    set_windows(&mut data, vec![profile(&[QA, QB], strategy)]);
    let mut sim = Sim::new(config(data));
    sim.open("W1", "S1");
    for i in 0..7 {
        if i % 2 == 0 {
            sim.issue(I_PLAIN);
        } else {
            sim.issue_queue(QB);
        }
    }
    displays(&mut sim, "W1", 7)
}

/// Tender 2818–2826 (window calling by work profile): strict order empties the first queue first;
/// longest waiting follows arrival; weighted 2:1 takes two of A, then one of B.
#[test]
fn strict_longest_waiting_and_weighted_profiles_call_in_their_orders() {
    assert_eq!(
        order_under(Strategy::StrictOrder),
        ["A001", "A002", "A003", "A004", "B001", "B002", "B003"]
    );
    assert_eq!(
        order_under(Strategy::LongestWaiting),
        ["A001", "B001", "A002", "B002", "A003", "B003", "A004"]
    );
    assert_eq!(
        order_under(Strategy::Weighted { weights: vec![2, 1] }),
        ["A001", "A002", "B001", "A003", "A004", "B002", "B003"]
    );
}

/// A window with `max_wait_minutes` calls a ticket that has waited that long before newer priority
/// tickets; a window without it keeps calling priority first.
#[test]
fn a_ticket_waiting_past_max_wait_goes_before_newer_priority_tickets() {
    let mut data = city();
    let mut capped = profile(&[QA], Strategy::StrictOrder);
    capped.max_wait_minutes = Some(30);
    set_windows(&mut data, vec![capped, profile(&[QA], Strategy::StrictOrder)]);
    let mut sim = Sim::new(config(data));
    sim.open_all();
    let old = sim.issue(I_PLAIN);
    sim.advance(10);
    let p: Vec<_> = (0..3)
        .map(|_| sim.issue_as(I_PLAIN, &[PriorityReason::Pregnant], None))
        .collect();
    sim.advance(10); // 20 minutes: not overdue yet
    assert_eq!(sim.call("W1"), p[0]);
    sim.exec(Command::Finish { window: w("W1") });
    sim.advance(10); // 30 minutes
    assert_eq!(sim.call("W2"), p[1], "W2 has no maximum wait");
    sim.exec(Command::Finish { window: w("W2") });
    assert_eq!(sim.call("W1"), old);
    assert_eq!(sim.ticket(&old).overtaken, 2);
    sim.exec(Command::Finish { window: w("W1") });
    assert_eq!(sim.call("W1"), p[2]);
}

/// Whatever the classes, a ticket overtaken `max_overtakes` times is called next (no starvation).
#[test]
fn a_ticket_overtaken_max_overtakes_times_is_called_next() {
    let mut data = city();
    let mut p = profile(&[QA], Strategy::StrictOrder);
    p.max_overtakes = 2;
    set_windows(&mut data, vec![p]);
    let mut sim = Sim::new(config(data));
    sim.open("W1", "S1");
    let normal = sim.issue(I_PLAIN);
    let pri: Vec<_> = (0..3)
        .map(|_| sim.issue_as(I_PLAIN, &[PriorityReason::Disabled], None))
        .collect();
    let order: Vec<_> = (0..4)
        .map(|_| {
            let t = sim.call("W1");
            sim.exec(Command::Finish { window: w("W1") });
            t
        })
        .collect();
    assert_eq!(order, [pri[0].clone(), pri[1].clone(), normal, pri[2].clone()]);
}

/// An older ticket transferred in ahead of an overdue one delays it, but only until the newcomer has been
/// overtaken `max_overtakes` times itself (why the no-starvation bound in properties.rs weighs each
/// transfer by max_overtakes + 1).
#[test]
fn an_older_ticket_transferred_ahead_delays_an_overdue_ticket_only_briefly() {
    let mut data = city();
    let mut p = profile(&[QA], Strategy::StrictOrder);
    p.max_overtakes = 1;
    set_windows(&mut data, vec![p, profile(&[QB], Strategy::StrictOrder)]);
    let mut sim = Sim::new(config(data));
    sim.open_all();
    let older = sim.issue_queue(QB);
    assert_eq!(sim.call("W2"), older, "being served elsewhere when T arrives");
    let t = sim.issue(I_PLAIN);
    let pregnant = |sim: &mut Sim| sim.issue_as(I_PLAIN, &[PriorityReason::Pregnant], None);
    let p1 = pregnant(&mut sim);
    assert_eq!(sim.call_and_finish("W1"), sim.display(&p1));
    assert_eq!(sim.ticket(&t).overtaken, 1, "T is now overdue at W1");
    sim.exec(Command::Transfer {
        ticket: older.clone(),
        to: TransferTarget::Queue(q(QA)),
    });
    let p2 = pregnant(&mut sim);
    let _p3 = pregnant(&mut sim);
    // The transferred ticket heads queue A but is not overdue, so a later priority ticket still passes.
    assert_eq!(sim.call_and_finish("W1"), sim.display(&p2));
    assert_eq!(sim.call_and_finish("W1"), sim.display(&older));
    assert_eq!(
        sim.call_and_finish("W1"),
        sim.display(&t),
        "then T, before the waiting priority ticket"
    );
}

// ---------------------------------------------------------------------------------------------------
// Transfers
// ---------------------------------------------------------------------------------------------------

/// A ticket transferred to a window is called there first, ahead of older tickets, and by no other
/// window.
#[test]
fn a_ticket_transferred_to_a_window_is_called_first_there_and_only_there() {
    let mut sim = Sim::new(standard());
    sim.open("W1", "S1");
    sim.open("W2", "S2");
    let a1 = sim.issue(I_PLAIN);
    let a2 = sim.issue(I_PLAIN);
    let a3 = sim.issue(I_PLAIN);
    assert_eq!(sim.call("W1"), a1);
    let ev = sim.exec(Command::Transfer {
        ticket: a1.clone(),
        to: TransferTarget::Window(w("W2")),
    });
    assert!(matches!(&ev[0].body, EventBody::TicketTransferred { from_window: Some(x), .. } if *x == w("W1")));
    assert_eq!(sim.ticket(&a1).status, TicketStatus::Waiting);
    assert_eq!(
        sim.state.window(&w("W1")).current,
        None,
        "the transfer frees the window"
    );
    assert_eq!(sim.state.position(sim.ticket(&a1)), 0);

    assert_eq!(sim.call("W1"), a2, "W1 does not get the ticket sent to W2");
    assert_eq!(sim.call("W2"), a1);
    sim.exec(Command::Finish { window: w("W1") });
    assert_eq!(sim.call("W1"), a3);
    assert_eq!(sim.ticket(&a1).transfers, 1);

    // A transferred ticket cannot be called by another window by hand either.
    let a4 = sim.issue(I_PLAIN);
    sim.exec(Command::Transfer {
        ticket: a4.clone(),
        to: TransferTarget::Window(w("W2")),
    });
    sim.exec(Command::Finish { window: w("W1") });
    assert_eq!(
        sim.refused(Command::CallTicket {
            window: w("W1"),
            ticket: a4.clone()
        })
        .code(),
        "invalid"
    );
}

/// A ticket transferred to another queue keeps its original arrival: it does not go to the back.
#[test]
fn a_ticket_transferred_to_another_queue_keeps_its_place_in_line() {
    let mut sim = Sim::new(standard());
    sim.open("W1", "S1");
    sim.open("W2", "S2");
    let b1 = sim.issue_queue(QB);
    let a1 = sim.issue(I_PLAIN);
    let _a2 = sim.issue(I_PLAIN);
    // W2 (longest waiting over A and B) calls B001; the clerk sends the citizen to queue A.
    assert_eq!(sim.call("W2"), b1);
    let arrival = sim.ticket(&b1).arrival;
    sim.exec(Command::Transfer {
        ticket: b1.clone(),
        to: TransferTarget::Queue(q(QA)),
    });
    let t = sim.ticket(&b1);
    assert_eq!(
        (t.queue_id.as_str(), t.arrival, t.display.as_str()),
        (QA, arrival, "B001")
    );
    assert_eq!(sim.state.position(t), 0);
    assert_eq!(sim.state.waiting_in(&q(QA)), 3);
    assert_eq!(sim.call("W1"), b1, "older than A001, so first in queue A");
    sim.exec(Command::Finish { window: w("W1") });
    assert_eq!(sim.call("W1"), a1);
    // Unknown targets are refused.
    let err = sim.refused(Command::Transfer {
        ticket: a1.clone(),
        to: TransferTarget::Queue(q("QZ")),
    });
    assert_eq!(err.code(), "not_found");
}

// ---------------------------------------------------------------------------------------------------
// Wait estimate
// ---------------------------------------------------------------------------------------------------

/// Estimated wait = people ahead ÷ open windows serving the queue × average service time; no estimate
/// while no such window is open. The average starts from the planned times and then follows finished
/// services (exponential, weight 1/8; the first sample replaces the plan).
#[test]
fn wait_estimate_divides_the_line_by_open_windows_and_follows_service_times() {
    let mut sim = Sim::new(standard());
    // Queue A plans 300 s (I-PLAIN) and 600 s (I-ID): 450 s on average.
    assert_eq!(avg_service_secs(&sim.cfg, &sim.state, &q(QA)), 450);
    let ts: Vec<_> = (0..4).map(|_| sim.issue(I_PLAIN)).collect();
    let last = ts[3].clone();
    let est = |sim: &Sim| estimate(&sim.cfg, &sim.state, sim.ticket(&last));

    let e = est(&sim);
    assert_eq!(
        (
            e.people_ahead,
            e.windows_serving,
            e.avg_service_secs,
            e.estimated_wait_secs
        ),
        (3, 0, 450, None)
    );
    sim.open("W1", "S1");
    assert_eq!(est(&sim).estimated_wait_secs, Some(3 * 450));
    sim.open("W2", "S2");
    let e = est(&sim);
    assert_eq!((e.windows_serving, e.estimated_wait_secs), (2, Some(3 * 450 / 2)));
    sim.exec(Command::PauseWindow {
        window: w("W2"),
        reason: None,
    });
    assert_eq!(
        est(&sim).estimated_wait_secs,
        Some(1350),
        "a paused window does not count"
    );
    // Window W9 does not exist; W3 serves A too but is closed.
    assert_eq!(est(&sim).windows_serving, 1);

    // A 2-minute service: the average becomes 120 s.
    assert_eq!(sim.call("W1"), ts[0]);
    sim.exec(Command::Start { window: w("W1") });
    sim.advance(2);
    sim.exec(Command::Finish { window: w("W1") });
    let e = est(&sim);
    assert_eq!(
        (e.people_ahead, e.avg_service_secs, e.estimated_wait_secs),
        (2, 120, Some(240))
    );
    // Then a 10-minute one: (120 × 7 + 600) / 8 = 180 s.
    assert_eq!(sim.call("W1"), ts[1]);
    sim.exec(Command::Start { window: w("W1") });
    sim.advance(10);
    sim.exec(Command::Finish { window: w("W1") });
    let e = est(&sim);
    assert_eq!(
        (e.people_ahead, e.avg_service_secs, e.estimated_wait_secs),
        (1, 180, Some(180))
    );
    // Other queues keep their planned average.
    assert_eq!(avg_service_secs(&sim.cfg, &sim.state, &q(QB)), 240);

    // A ticket transferred to one window waits only for that window.
    sim.exec(Command::Transfer {
        ticket: last.clone(),
        to: TransferTarget::Window(w("W2")),
    });
    let e = est(&sim);
    assert_eq!(
        (e.people_ahead, e.windows_serving, e.estimated_wait_secs),
        (0, 1, Some(0))
    );
}

// ---------------------------------------------------------------------------------------------------
// End of day
// ---------------------------------------------------------------------------------------------------

/// Whatever is still open from an earlier business day is expired by CloseDay (waiting, called or
/// parked alike), the window it held is freed, and today's tickets are untouched.
#[test]
fn close_day_expires_tickets_left_from_an_earlier_day() {
    let mut sim = Sim::new(standard());
    sim.open("W1", "S1");
    sim.open("W2", "S2");
    let done = sim.issue(I_PLAIN);
    let called = sim.issue(I_PLAIN);
    let parked = sim.issue(I_PLAIN);
    let waiting = sim.issue(I_PLAIN);
    assert_eq!(sim.call("W1"), done);
    sim.exec(Command::Finish { window: w("W1") });
    assert_eq!(sim.call("W2"), called);
    assert_eq!(sim.call("W1"), parked);
    sim.exec(Command::Park { window: w("W1") });

    sim.next_day_at(8 * 60);
    let today = sim.issue(I_PLAIN);
    assert_eq!(sim.display(&today), "A001");
    assert!(
        sim.state.ticket(&done).is_none(),
        "finished tickets of earlier days are dropped at the day change"
    );
    let ev = sim.exec(Command::CloseDay);
    let expired: Vec<_> = ev
        .iter()
        .map(|e| match &e.body {
            EventBody::TicketExpired { ticket } => ticket.clone(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(expired, [called.clone(), parked.clone(), waiting.clone()]);
    for t in [&called, &parked, &waiting] {
        assert_eq!(sim.ticket(t).status, TicketStatus::Expired);
    }
    assert_eq!(sim.ticket(&today).status, TicketStatus::Waiting);
    assert_eq!(sim.state.window(&w("W2")).current, None);
    assert_eq!(sim.state.waiting_in(&q(QA)), 1);
    assert!(sim.exec(Command::CloseDay).is_empty(), "nothing left to expire");
    sim.state.check_indexes().expect("indexes");
}

fn rate(t: &domain::ids::TicketId, level: u8, reasons: &[&str], comment: Option<&str>) -> Command {
    Command::Rate {
        ticket: t.clone(),
        level,
        reasons: reasons.iter().map(|r| (*r).to_owned()).collect(),
        comment: comment.map(str::to_owned),
        photo: None,
    }
}

/// Tender 13(7) 好差评 and 13(9) "跟踪差评原因": a rating of 1 非常不满意 or 2 不满意 needs a reason from the
/// hall's list or a comment; a refused rating changes nothing, and the reasons travel in the event.
#[test]
fn a_negative_rating_needs_a_reason_or_a_comment() {
    let mut sim = Sim::new(standard());
    sim.open("W1", "S1");
    let t = sim.issue(I_PLAIN);
    sim.call("W1");
    sim.exec(Command::Finish { window: w("W1") });
    for level in [1, 2] {
        let e = sim.refused(rate(&t, level, &[], None));
        assert_eq!((e.code(), e.field()), ("invalid", Some("reasons")), "{e}");
        let e = sim.refused(rate(&t, level, &[], Some("   ")));
        assert_eq!(e.field(), Some("reasons"), "a blank comment is no comment");
    }
    let e = sim.refused(rate(&t, 1, &["没有这个理由"], None));
    assert_eq!(e.field(), Some("reasons"));
    assert!(
        e.to_string().contains("等候时间长"),
        "the error lists the hall's reasons: {e}"
    );
    let e = sim.refused(rate(&t, 1, &["其他", "其他"], None));
    assert_eq!(e.field(), Some("reasons"));
    let long = "长".repeat(domain::config::MAX_COMMENT_CHARS + 1);
    assert_eq!(sim.refused(rate(&t, 1, &[], Some(&long))).field(), Some("comment"));
    let mut bad_photo = rate(&t, 5, &[], None);
    if let Command::Rate { photo, .. } = &mut bad_photo {
        *photo = Some("ABC".into());
    }
    assert_eq!(sim.refused(bad_photo).field(), Some("photo"));
    assert_eq!(sim.refused(rate(&t, 0, &[], None)).field(), Some("level"));
    assert_eq!(sim.ticket(&t).rating, None, "refusals change nothing");

    let ev = sim.exec(rate(&t, 2, &["等候时间长", "办理效率低"], Some("  排了一小时  ")));
    match &ev[0].body {
        EventBody::TicketRated {
            level,
            reasons,
            comment,
            ..
        } => {
            assert_eq!(*level, 2);
            assert_eq!(reasons, &["等候时间长".to_owned(), "办理效率低".to_owned()]);
            assert_eq!(comment.as_deref(), Some("排了一小时"), "trimmed");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(sim.ticket(&t).rating, Some(2));
}

/// A comment alone explains a negative rating; positive ratings need neither; old logs without the
/// new fields still load.
#[test]
fn a_comment_alone_explains_a_negative_rating_and_old_rating_events_load() {
    let mut sim = Sim::new(standard());
    sim.open("W1", "S1");
    let a = sim.issue(I_PLAIN);
    sim.call("W1");
    sim.exec(Command::Finish { window: w("W1") });
    let b = sim.issue(I_PLAIN);
    sim.call("W1");
    sim.exec(Command::Finish { window: w("W1") });
    sim.exec(rate(&a, 1, &[], Some("材料清单和窗口说的不一样")));
    sim.exec(rate(&b, 5, &[], None));
    assert_eq!(sim.ticket(&b).rating, Some(5));

    let old = r#"{"kind":"ticket_rated","ticket":"T1","level":4}"#;
    let body: EventBody = serde_json::from_str(old).expect("an old rating event loads");
    assert!(
        matches!(body, EventBody::TicketRated { level: 4, ref reasons, comment: None, photo: None, .. } if reasons.is_empty())
    );
}

/// Tender 13(2) / 15(1) 读卡: an ID card read at the window is attached to an existing ticket; not to a
/// voided one.
#[test]
fn an_id_card_can_be_attached_to_a_live_ticket_only() {
    let mut sim = Sim::new(standard());
    sim.open("W1", "S1");
    let t = sim.issue(I_PLAIN);
    assert!(!sim.ticket(&t).has_id_card);
    sim.call("W1");
    sim.exec(Command::Identify { ticket: t.clone() });
    assert!(sim.ticket(&t).has_id_card);
    let v = sim.issue(I_PLAIN);
    sim.exec(Command::Void {
        ticket: v.clone(),
        reason: "left".into(),
    });
    assert_eq!(sim.refused(Command::Identify { ticket: v }).code(), "bad_transition");
}

/// Tender 21(2) "排队取号" at a kiosk: before issuing, the citizen is told what the ticket would say.
/// The preview is the issue's own estimate at the next arrival: after issuing, the ticket says the same.
#[test]
fn a_preview_tells_what_the_next_ticket_will_be_told() {
    use domain::estimate::estimate_new;
    let mut sim = Sim::new(standard());
    sim.open("W1", "S1");
    for _ in 0..3 {
        sim.issue(I_PLAIN);
    }
    let preview = estimate_new(&sim.cfg, &sim.state, &q(QA), Class::Normal);
    let t = sim.issue(I_PLAIN);
    assert_eq!(preview, estimate(&sim.cfg, &sim.state, sim.ticket(&t)));
    assert_eq!((preview.people_ahead, preview.windows_serving), (3, 1));
    // A priority ticket would stand ahead of the normal ones.
    assert_eq!(
        estimate_new(&sim.cfg, &sim.state, &q(QA), Class::Priority).people_ahead,
        0
    );
}

/// Tender 2818–2826 "预约数量限制": when the day's quota is gone the kiosk offers the earliest slot with
/// room left, from now on: started and full slots are skipped, later days follow.
#[test]
fn the_next_open_slot_skips_started_and_full_slots() {
    use domain::appointment::{BOOKING_HORIZON_DAYS, next_open_slot};
    let mut sim = Sim::new(standard());
    let today = sim.today();
    sim.at(9 * 60 + 10);
    sim.book(I_APPT, today, 9 * 60 + 30, "c1");
    sim.book(I_APPT, today, 9 * 60 + 30, "c2");
    let next = |sim: &Sim| {
        next_open_slot(
            &sim.cfg,
            Some(&sim.state),
            &hall_id(),
            &item(I_APPT),
            sim.now,
            BOOKING_HORIZON_DAYS,
        )
    };
    let s = next(&sim).expect("a slot");
    assert_eq!((s.day, s.start_minute, s.booked, s.capacity), (today, 10 * 60, 0, 2));
    sim.at(17 * 60);
    let s = next(&sim).expect("tomorrow");
    assert_eq!((s.day, s.start_minute), (BusinessDay(today.0 + 1), 9 * 60));
    assert_eq!(
        next_open_slot(
            &sim.cfg,
            Some(&sim.state),
            &hall_id(),
            &item(I_PLAIN),
            sim.now,
            BOOKING_HORIZON_DAYS
        ),
        None,
        "an item without slot templates has none"
    );
}
