//! What staff do from the reservation list: resend the confirmation (`r`), correct an
//! address (`e`); and the reminder queued with the confirmation, due 24 h before.

use crate::support;

use support::engines::Engine;
use support::outbox_env as env;
use support::smtp;

use env::{Env, booking, flush};
use guestmail::domain::{BounceClass, EmailKind, EventKind, Language, MessageState, ReservationStatus};
use guestmail::journey::{Ask, Refusal};
use guestmail::store::{AddressErrorInput, ResendOutcome, StoreError};
use smtp::TestSmtp;

/// A day `days` from today at `hm`, as the fixtures write it (reservations must be ahead).
fn ahead(days: i64, hm: &str) -> String {
    format!("{} {hm}", (chrono::Local::now().date_naive() + chrono::Duration::days(days)).format("%Y-%m-%d"))
}

fn confirmed(env: &Env, email: &str) -> i64 {
    let mut store = env.store();
    let rid = store.create_reservation(&booking("R", email, Language::En, &ahead(5, "19:30"), 2)).expect("create");
    store.set_status(rid, ReservationStatus::Confirmed, "staff").expect("confirm");
    rid
}

/// The tracker's API is not on this branch: record a person's open the way it does.
fn simulate_human_open(env: &Env, message: i64) {
    env.execute(
        "UPDATE messages SET open_count = open_count + 1, human_open_count = human_open_count + 1,
                first_opened_at = 1, last_opened_at = 2 WHERE id = ?1",
        &[message],
    );
}

fn resend_queues_a_new_linked_message_that_arrives_with_its_own_message_id(engine: Engine) {
    let server = TestSmtp::start();
    let env = Env::on(engine, Some(&server.url()));
    let rid = confirmed(&env, "r@example.org");
    assert_eq!(flush(&mut env.worker()).sent, 1, "the confirmation; the request it superseded was withdrawn");
    let mut store = env.store();
    let first = store.latest_message(rid, guestmail::domain::EmailKind::Confirmed).expect("q").expect("first");
    let ResendOutcome::Queued { id, .. } = store.resend_confirmation(rid, true, "staff").expect("resend") else {
        panic!("expected a queued resend")
    };
    let again = store.message(id).expect("row");
    assert_eq!((again.resend_of, again.state), (Some(first.id), MessageState::Queued));
    assert!(store.last_event(id, EventKind::Resend).expect("e").is_some_and(|e| e.actor == "staff"));
    assert_eq!(flush(&mut env.worker()).sent, 1);
    let got = server.received();
    assert_eq!(got.len(), 2);
    assert_ne!(got[0].message_id(), got[1].message_id(), "a resend is a new message");
}

fn resend_after_an_open_asks_first_and_force_sends(engine: Engine) {
    let env = Env::on(engine, None);
    let rid = confirmed(&env, "o@example.org");
    flush(&mut env.worker());
    let mut store = env.store();
    let first = store.latest_message(rid, guestmail::domain::EmailKind::Confirmed).expect("q").expect("first");
    simulate_human_open(&env, first.id);
    let before = store.messages_for_reservation(rid).expect("m").len();
    // Just sent: the cooldown asks first; --again answers it.
    let out = store.resend_confirmation(rid, false, "staff").expect("resend");
    assert!(matches!(out, ResendOutcome::Ask { ask: Ask::Cooldown { kind: EmailKind::Confirmed, .. }, .. }), "{out:?}");
    // Past the cooldown, the open is what it asks about.
    env.execute("UPDATE messages SET created_at = created_at - 600000, sent_at = sent_at - 600000", &[]);
    assert_eq!(
        store.resend_confirmation(rid, false, "staff").expect("resend"),
        ResendOutcome::Ask {
            ask: Ask::Opened { kind: EmailKind::Confirmed, opens: 1, last_opened: Some(2) },
            recipient: "o@example.org".into()
        }
    );
    assert_eq!(store.messages_for_reservation(rid).expect("m").len(), before, "nothing queued without confirmation");
    assert!(matches!(
        store.resend_confirmation(rid, true, "staff").expect("force"),
        ResendOutcome::Queued { id: _, .. }
    ));
}

fn resend_to_a_blocked_address_sends_nothing_and_keeps_one_suppressed_row(engine: Engine) {
    let server = TestSmtp::start();
    let env = Env::on(engine, Some(&server.url()));
    let rid = confirmed(&env, "x@example.org");
    let mut store = env.store();
    let err = AddressErrorInput {
        diagnostic: "550 5.1.1 unknown",
        class: Some(BounceClass::Hard),
        actor: "t",
        ..Default::default()
    };
    for _ in 0..13 {
        store.record_address_error("x@example.org", &err, 12).expect("error");
    }
    // The confirmation itself still waits in the outbox: no second copy.
    let err = store.resend_confirmation(rid, false, "staff").expect_err("refused");
    assert!(matches!(err, StoreError::Refused(Refusal::StillWaiting { .. })), "{err}");
    flush(&mut env.worker());
    assert_eq!(server.count(), 0);
    let held = store.latest_message(rid, EmailKind::Confirmed).expect("q").expect("held");
    assert_eq!(held.state, MessageState::Suppressed, "held while blocked");
    let err = store.resend_confirmation(rid, true, "staff").expect_err("refused");
    assert!(matches!(err, StoreError::Refused(Refusal::Blocked { .. })), "no pile of copies: {err}");
    assert_eq!(store.messages_for_reservation(rid).expect("m").len(), 3, "request, confirmation, reminder");
}

fn a_corrected_address_is_validated_logged_and_used_by_the_resend(engine: Engine) {
    let server = TestSmtp::start();
    let env = Env::on(engine, Some(&server.url()));
    let rid = confirmed(&env, "typo@exmaple.org");
    let mut store = env.store();
    let guest = store.reservation(rid).expect("r").guest.id;
    let err = store.change_guest_email(guest, "not an address", "staff").expect_err("refused");
    assert!(matches!(err, StoreError::Address(_)), "{err}");
    assert!(err.to_string().contains("not an address"), "{err}");
    let email = store.change_guest_email(guest, "  Right@Example.ORG ", "staff").expect("change");
    assert_eq!(email, "Right@example.org");
    let events = store.events_for_address("Right@example.org").expect("events");
    assert!(events.iter().any(|e| e.kind == EventKind::AddressChanged && e.detail.contains("typo@exmaple.org")));
    flush(&mut env.worker());
    let out = store.resend_confirmation(rid, true, "staff").expect("resend");
    assert!(matches!(out, ResendOutcome::Queued { .. }), "{out:?}");
    flush(&mut env.worker());
    assert!(server.received().iter().any(|r| r.rcpt_to == ["Right@example.org"]));
}

fn resend_picks_the_email_that_fits_the_reservation(engine: Engine) {
    let env = Env::on(engine, None);
    let mut store = env.store();
    let rid = store.create_reservation(&booking("P", "p@example.org", Language::En, &ahead(5, "19:30"), 2)).expect("c");
    let err = store.resend_confirmation(rid, false, "staff").expect_err("refused");
    assert!(matches!(err, StoreError::Refused(Refusal::WrongKind { .. })), "{err}");
    assert!(err.to_string().contains("pending"), "{err}");
    flush(&mut env.worker());
    // While pending, `r` resends the request (after the cooldown question).
    let out = store.resend(rid, None, true, "staff").expect("resend the request");
    assert!(matches!(out, ResendOutcome::Queued { kind: EmailKind::Pending, .. }), "{out:?}");
    assert!(matches!(store.resend_confirmation(9999, false, "staff"), Err(StoreError::NotFound(_))));
}

fn the_reminder_is_queued_with_the_confirmation_due_a_day_before_and_only_when_far_enough(engine: Engine) {
    let env = Env::on(engine, None);
    let mut store = env.store();
    let rules = store.rules();
    let far = confirmed(&env, "far@example.org");
    let reminder = store.latest_message(far, EmailKind::Reminder).expect("q").expect("a reminder");
    let starts = store.reservation(far).expect("r").starts_at;
    let due = rules.clock.ms_of(starts - chrono::Duration::hours(24));
    assert_eq!((reminder.state, reminder.next_attempt_at), (MessageState::Queued, Some(due)));
    // Not due yet: a flush sends the confirmation only (the request was withdrawn by it).
    assert_eq!(flush(&mut env.worker()).sent, 1);
    // Confirmed on the day: no reminder a minute after the confirmation.
    let mut b = booking("Soon", "soon@example.org", Language::En, &ahead(0, "23:59"), 2);
    b.starts_at = chrono::Local::now().naive_local() + chrono::Duration::hours(3);
    let soon = store.create_reservation(&b).expect("create");
    store.set_status(soon, ReservationStatus::Confirmed, "staff").expect("confirm");
    assert!(store.latest_message(soon, EmailKind::Reminder).expect("q").is_none());
    // Cancelling withdraws the waiting reminder, with its reason in the log.
    store.set_status(far, ReservationStatus::Cancelled, "staff").expect("cancel");
    let reminder = store.message(reminder.id).expect("m");
    assert_eq!(reminder.state, MessageState::Withdrawn);
    let event = store.last_event(reminder.id, EventKind::Withdrawn).expect("e").expect("withdrawn event");
    assert!(event.detail.contains("reservation cancelled"), "{}", event.detail);
}

crate::both_engines!(
    resend_queues_a_new_linked_message_that_arrives_with_its_own_message_id,
    resend_after_an_open_asks_first_and_force_sends,
    resend_to_a_blocked_address_sends_nothing_and_keeps_one_suppressed_row,
    a_corrected_address_is_validated_logged_and_used_by_the_resend,
    resend_picks_the_email_that_fits_the_reservation,
    the_reminder_is_queued_with_the_confirmation_due_a_day_before_and_only_when_far_enough,
);
