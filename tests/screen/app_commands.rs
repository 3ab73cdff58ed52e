//! The data thread's side of the screen's writes: `data::execute` on a real SQLite
//! file, checking what each command stores and what it answers.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use crate::support;

use guestmail::app::{Command, Outcome};
use guestmail::data::{ACTOR, execute};
use guestmail::domain::{EmailKind, EventKind, Language, MessageState, NewReservation, ReservationStatus};
use guestmail::journey::{Ask, Refusal};
use guestmail::store::Store;
use support::{day, marker_day};

fn id_of(store: &Store, name: &str) -> i64 {
    store.day(day()).unwrap().into_iter().find(|r| r.guest.name == name).unwrap().id
}

#[test]
fn create_stores_the_reservation_and_queues_its_pending_email() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = marker_day(&dir.path().join("g.db"));
    let r = NewReservation {
        name: " Zoé Lambert ".into(),
        email: "zoe@example.org".into(),
        phone: String::new(),
        language: Language::Fr,
        starts_at: day().and_hms_opt(21, 30, 0).unwrap(),
        party_size: 3,
        status: ReservationStatus::Pending,
        notes: String::new(),
    };
    let out = execute(&mut store, Command::Create(r));
    assert_eq!(out, Outcome::Created { name: "Zoé Lambert".into(), day: day() });
    let id = id_of(&store, "Zoé Lambert");
    let pending = store.latest_message(id, EmailKind::Pending).unwrap().unwrap();
    assert_eq!(pending.state, MessageState::Queued);
}

#[test]
fn status_changes_follow_the_rules_and_name_the_guest() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = marker_day(&dir.path().join("g.db"));
    let claire = id_of(&store, "Claire Dubois");
    let out = execute(&mut store, Command::SetStatus { id: claire, to: ReservationStatus::Confirmed, force: false });
    assert_eq!(
        out,
        Outcome::StatusChanged {
            name: "Claire Dubois".into(),
            to: ReservationStatus::Confirmed,
            queued: true,
            held: false,
            in_flight: vec![]
        }
    );
    let david = id_of(&store, "David Smith");
    let out = execute(&mut store, Command::SetStatus { id: david, to: ReservationStatus::Cancelled, force: false });
    assert!(matches!(out, Outcome::Refused(e) if e.from == ReservationStatus::Completed), "{out:?}");
    assert_eq!(store.reservation(david).unwrap().status, ReservationStatus::Completed, "nothing written");
}

#[test]
fn resend_asks_for_an_opened_confirmation_and_email_changes_are_logged() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = marker_day(&dir.path().join("g.db"));
    let david = id_of(&store, "David Smith");
    // David's reservation is completed: no confirmation to resend; the store says why.
    let out = execute(&mut store, Command::Resend { id: david, kind: None, again: false });
    assert!(matches!(out, Outcome::PolicyRefused(Refusal::WrongKind { .. })), "{out:?}");
    let amelie = store.day(day()).unwrap().into_iter().find(|r| r.guest.name == "Amélie Martin").unwrap();
    let m = store.latest_message(amelie.id, EmailKind::Confirmed).unwrap().unwrap();
    store.fixture_set_message(m.id, MessageState::Sent, 2, 0).unwrap();
    let out = execute(&mut store, Command::Resend { id: amelie.id, kind: None, again: false });
    assert!(matches!(out, Outcome::ResendAsk { ask: Ask::Opened { opens: 2, .. }, .. }), "{out:?}");
    let out = execute(&mut store, Command::Resend { id: amelie.id, kind: None, again: true });
    assert_eq!(out, Outcome::ResendQueued { recipient: amelie.guest.email.clone(), kind: EmailKind::Confirmed });

    let change = Command::ChangeEmail {
        reservation_id: amelie.id,
        guest_id: amelie.guest.id,
        email: "amelie.martin@example.org".into(),
    };
    let out = execute(&mut store, change);
    let expected =
        Outcome::EmailChanged { reservation_id: amelie.id, email: "amelie.martin@example.org".into(), confirmed: true };
    assert_eq!(out, expected);
    let event = store.events_for_address("amelie.martin@example.org").unwrap().into_iter().last().unwrap();
    assert_eq!((event.kind, event.actor.as_str()), (EventKind::AddressChanged, ACTOR));
}
