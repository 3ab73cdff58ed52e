//! What staff do from the reservation list: resend the confirmation (`r`), correct an
//! address (`e`); and the reminders queued on their own.

#[path = "support/outbox_env.rs"]
mod env;
#[path = "support/smtp.rs"]
mod smtp;

use env::{Env, booking, flush};
use guestmail::domain::{BounceClass, EventKind, Language, MessageState, ReservationStatus};
use guestmail::store::{AddressErrorInput, ResendOutcome, StoreError};
use smtp::TestSmtp;

fn confirmed(env: &Env, email: &str) -> i64 {
    let mut store = env.store();
    let rid = store.create_reservation(&booking("R", email, Language::En, "2026-11-28 19:30", 2)).expect("create");
    store.set_status(rid, ReservationStatus::Confirmed, "staff").expect("confirm");
    rid
}

/// The tracker's API is not on this branch: record a person's open the way it does.
fn simulate_human_open(env: &Env, message: i64) {
    let conn = rusqlite::Connection::open(&env.db).expect("open");
    conn.execute(
        "UPDATE messages SET open_count = open_count + 1, human_open_count = human_open_count + 1,
                first_opened_at = 1, last_opened_at = 2 WHERE id = ?1",
        [message],
    )
    .expect("update");
}

#[test]
fn resend_queues_a_new_linked_message_that_arrives_with_its_own_message_id() {
    let server = TestSmtp::start();
    let env = Env::new(Some(&server.url()));
    let rid = confirmed(&env, "r@example.org");
    assert_eq!(flush(&mut env.worker()).sent, 2, "pending and confirmed");
    let mut store = env.store();
    let first = store.latest_message(rid, guestmail::domain::EmailKind::Confirmed).expect("q").expect("first");
    let ResendOutcome::Queued(id) = store.resend_confirmation(rid, false, "staff").expect("resend") else {
        panic!("expected a queued resend")
    };
    let again = store.message(id).expect("row");
    assert_eq!((again.resend_of, again.state), (Some(first.id), MessageState::Queued));
    assert!(store.last_event(id, EventKind::Resend).expect("e").is_some_and(|e| e.actor == "staff"));
    assert_eq!(flush(&mut env.worker()).sent, 1);
    let got = server.received();
    assert_eq!(got.len(), 3);
    assert_ne!(got[1].message_id(), got[2].message_id(), "a resend is a new message");
}

#[test]
fn resend_after_an_open_asks_first_and_force_sends() {
    let env = Env::new(None);
    let rid = confirmed(&env, "o@example.org");
    flush(&mut env.worker());
    let mut store = env.store();
    let first = store.latest_message(rid, guestmail::domain::EmailKind::Confirmed).expect("q").expect("first");
    simulate_human_open(&env, first.id);
    let before = store.messages_for_reservation(rid).expect("m").len();
    assert_eq!(
        store.resend_confirmation(rid, false, "staff").expect("resend"),
        ResendOutcome::NeedsConfirmation { opened: 1, last_opened: Some(2) }
    );
    assert_eq!(store.messages_for_reservation(rid).expect("m").len(), before, "nothing queued without confirmation");
    assert!(matches!(store.resend_confirmation(rid, true, "staff").expect("force"), ResendOutcome::Queued(_)));
}

#[test]
fn resend_to_a_blocked_address_sends_nothing_and_keeps_one_suppressed_row() {
    let server = TestSmtp::start();
    let env = Env::new(Some(&server.url()));
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
    let first = store.resend_confirmation(rid, false, "staff").expect("resend");
    let ResendOutcome::Blocked { error_count: 13, message } = first else { panic!("expected Blocked, got {first:?}") };
    assert_eq!(store.message(message).expect("row").state, MessageState::Suppressed);
    assert_eq!(store.resend_confirmation(rid, false, "staff").expect("again"), first, "no pile of copies");
    flush(&mut env.worker());
    assert_eq!(server.count(), 0);
}

#[test]
fn a_corrected_address_is_validated_logged_and_used_by_the_resend() {
    let server = TestSmtp::start();
    let env = Env::new(Some(&server.url()));
    let rid = confirmed(&env, "typo@exmaple.org");
    let mut store = env.store();
    let guest = store.reservation(rid).expect("r").guest.id;
    let err = store.change_guest_email(guest, "not an address", "staff").unwrap_err();
    assert!(matches!(err, StoreError::Address(_)), "{err}");
    assert!(err.to_string().contains("not an address"), "{err}");
    let email = store.change_guest_email(guest, "  Right@Example.ORG ", "staff").expect("change");
    assert_eq!(email, "Right@example.org");
    let events = store.events_for_address("Right@example.org").expect("events");
    assert!(events.iter().any(|e| e.kind == EventKind::AddressChanged && e.detail.contains("typo@exmaple.org")));
    assert!(matches!(store.resend_confirmation(rid, false, "staff").expect("resend"), ResendOutcome::Queued(_)));
    flush(&mut env.worker());
    assert!(server.received().iter().any(|r| r.rcpt_to == ["Right@example.org"]));
}

#[test]
fn resend_needs_a_confirmed_reservation() {
    let env = Env::new(None);
    let mut store = env.store();
    let rid = store.create_reservation(&booking("P", "p@example.org", Language::En, "2026-11-28 19:30", 2)).expect("c");
    let err = store.resend_confirmation(rid, false, "staff").unwrap_err();
    assert!(err.to_string().contains("pending"), "{err}");
    assert!(matches!(store.resend_confirmation(9999, false, "staff"), Err(StoreError::NotFound(_))));
}

#[test]
fn reminders_are_queued_once_for_confirmed_reservations_inside_the_window() {
    let env = Env::new(None);
    let mut store = env.store();
    let now = env::at("2026-11-27 20:00");
    let soon = confirmed(&env, "soon@example.org");
    let mut new = |email: &str, when: &str, confirm: bool| {
        let mut b = booking("W", email, Language::En, when, 2);
        b.status = if confirm { ReservationStatus::Confirmed } else { ReservationStatus::Pending };
        store.create_reservation(&b).expect("create")
    };
    let later = new("later@example.org", "2026-11-28 21:00", true);
    let pending = new("pending@example.org", "2026-11-28 10:00", false);
    let past = new("past@example.org", "2026-11-27 19:00", true);
    let mut store = env.store();
    let queued = store.queue_due_reminders(now, 24).expect("reminders");
    let reminded: Vec<i64> =
        queued.iter().map(|id| store.message(*id).expect("m").reservation_id.expect("r")).collect();
    assert_eq!(reminded, vec![soon], "only the confirmed one within 24 h (19:30 tomorrow)");
    assert!(!reminded.contains(&later) && !reminded.contains(&pending) && !reminded.contains(&past));
    assert!(store.queue_due_reminders(now, 24).expect("again").is_empty(), "idempotent");
}
