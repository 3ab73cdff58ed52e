//! What staff do to a reservation, through the App's state machine without a terminal:
//! keys -> actions -> commands for the data thread, prompts, forms, and the status line fed
//! by outcomes and the outbox worker's reports.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use crate::support::day;
use crate::support::screen::{key, keys};
use crossterm::event::KeyCode;
use guestmail::action::Action;
use guestmail::app::{App, Command, Outcome};
use guestmail::domain::{AddressHealth, EmailKind, Language, MessageState, ReservationRow, ReservationStatus};
use guestmail::event::{Event, Service};
use guestmail::journey::Ask;
use guestmail::keymap::Keymap;
use guestmail::mail::Report;

/// Guest `name` (guest id `id` x 10) at 19:(id x 5) with `status`.
fn row(id: i64, name: &str, status: ReservationStatus) -> ReservationRow {
    let mut row = crate::support::screen::row(id, name, day(), &format!("19:{:02}", id * 5));
    row.status = status;
    row.guest.id = id * 10;
    row
}

/// Rows: 1 Anna pending, 2 Bram confirmed, 3 Chloé confirmed with a blocked address.
fn app(lang: Language) -> App {
    let mut app = App::new("Bistro", lang, Keymap::default(), day(), day());
    app.update(Action::Resize(100, 20));
    let mut blocked = row(3, "Chloe", ReservationStatus::Confirmed);
    blocked.address = AddressHealth { error_count: 13, blocked: true, last_error: Some("550 5.1.1".into()) };
    let rows = vec![row(1, "Anna", ReservationStatus::Pending), row(2, "Bram", ReservationStatus::Confirmed), blocked];
    app.update(Action::DayLoaded(day(), rows));
    app
}

fn status(app: &App) -> (String, bool) {
    app.status.as_ref().map(|n| (n.text.clone(), n.error)).unwrap_or_default()
}

#[test]
fn c_and_d_hand_status_changes_to_the_data_thread_and_illegal_ones_are_refused_here() {
    let mut app = app(Language::En);
    key(&mut app, KeyCode::Char('c'));
    assert_eq!(app.take_commands(), vec![Command::SetStatus { id: 1, to: ReservationStatus::Confirmed, force: false }]);
    key(&mut app, KeyCode::Char('d'));
    assert!(app.take_commands().is_empty(), "a pending reservation cannot be completed");
    assert_eq!(status(&app), ("A pending reservation cannot become completed".into(), true));
    app.update(Action::Done(Outcome::StatusChanged {
        name: "Anna".into(),
        to: ReservationStatus::Confirmed,
        queued: true,
        held: false,
        in_flight: vec![],
    }));
    assert_eq!(status(&app), ("Anna: confirmed, email queued".into(), false));
    // A cancel that came while the confirmation was leaving says it may still arrive.
    app.update(Action::Done(Outcome::StatusChanged {
        name: "Anna".into(),
        to: ReservationStatus::Cancelled,
        queued: true,
        held: false,
        in_flight: vec![guestmail::domain::EmailKind::Confirmed],
    }));
    let said = status(&app).0;
    assert!(said.ends_with("Confirmation was already being sent: it may still arrive"), "{said}");
}

#[test]
fn x_cancels_only_after_yes() {
    let mut app = app(Language::En);
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('x'));
    assert_eq!(app.confirm().unwrap().question, "Cancel the reservation of Bram at 19:10?");
    assert!(app.take_commands().is_empty());
    key(&mut app, KeyCode::Char('n'));
    assert!(app.confirm().is_none() && app.take_commands().is_empty(), "no means nothing is written");
    key(&mut app, KeyCode::Char('x'));
    key(&mut app, KeyCode::Char('y'));
    assert_eq!(app.take_commands(), vec![Command::SetStatus { id: 2, to: ReservationStatus::Cancelled, force: false }]);
}

#[test]
fn r_refuses_a_blocked_address_and_asks_before_resending_an_opened_confirmation() {
    let mut app = app(Language::En);
    // On a pending reservation the journey (in the store) resends the request.
    key(&mut app, KeyCode::Char('r'));
    assert_eq!(app.take_commands(), vec![Command::Resend { id: 1, kind: None, again: false }]);
    key(&mut app, KeyCode::End);
    key(&mut app, KeyCode::Char('r'));
    assert_eq!(status(&app), ("Not sent: address blocked after 13 errors".into(), true));
    assert!(app.take_commands().is_empty(), "nothing is sent to a blocked address");

    key(&mut app, KeyCode::Char('k'));
    key(&mut app, KeyCode::Char('r'));
    assert_eq!(app.take_commands(), vec![Command::Resend { id: 2, kind: None, again: false }]);
    let ask = Ask::Opened { kind: EmailKind::Confirmed, opens: 3, last_opened: None };
    let retry = Box::new(Command::Resend { id: 2, kind: None, again: true });
    app.update(Action::Done(Outcome::ResendAsk { ask, recipient: "bram@example.org".into(), retry }));
    let q = &app.confirm().unwrap().question;
    assert_eq!(q, "The guest already opened the confirmation (3 times). Send it again?");
    // Enter used to mean yes; it never answers a prompt now (it is the history key).
    key(&mut app, KeyCode::Enter);
    assert!(app.confirm().is_some() && app.take_commands().is_empty(), "Enter does not answer");
    key(&mut app, KeyCode::Char('y'));
    assert_eq!(app.take_commands(), vec![Command::Resend { id: 2, kind: None, again: true }]);
    app.update(Action::Done(Outcome::ResendQueued {
        recipient: "bram@example.org".into(),
        kind: EmailKind::Confirmed,
    }));
    assert_eq!(status(&app), ("Confirmation queued for b…@example.org".into(), false));
}

#[test]
fn the_new_reservation_form_takes_the_keys_checks_each_field_and_saves() {
    let mut app = app(Language::En);
    key(&mut app, KeyCode::Char('n'));
    assert!(app.form().is_some());
    key(&mut app, KeyCode::Enter);
    let form = app.form().unwrap();
    assert!(form.errors[0].is_some() && form.errors[1].is_some(), "name and email are required: {form:?}");
    assert!(app.take_commands().is_empty());
    keys(&mut app, "Zoé q"); // `q` is text here, not quit
    assert!(app.running);
    key(&mut app, KeyCode::Tab);
    keys(&mut app, "zoe@example");
    key(&mut app, KeyCode::Tab);
    let form = app.form().unwrap();
    assert!(form.errors[0].is_none(), "the name is fixed");
    assert!(form.errors[1].is_some(), "the email is checked on leaving it");
    key(&mut app, KeyCode::BackTab);
    keys(&mut app, ".org");
    for _ in 0..4 {
        key(&mut app, KeyCode::Tab); // phone, party, date, time
    }
    keys(&mut app, "20h15");
    key(&mut app, KeyCode::Enter);
    assert!(app.form().is_none(), "saved");
    let Command::Create(r) = app.take_commands().pop().unwrap() else { panic!("not a create") };
    assert_eq!((r.name.as_str(), r.email.as_str(), r.party_size), ("Zoé q", "zoe@example.org", 2));
    assert_eq!(r.starts_at.to_string(), "2037-11-23 20:15:00");
    assert_eq!((r.language, r.status), (Language::En, ReservationStatus::Pending));

    key(&mut app, KeyCode::Char('n'));
    key(&mut app, KeyCode::Esc);
    assert!(app.form().is_none() && app.take_commands().is_empty(), "Esc cancels");
}

#[test]
fn e_corrects_the_address_then_offers_to_resend_the_confirmation() {
    let mut app = app(Language::Fr);
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('e'));
    assert_eq!(app.form().unwrap().fields[0].1, "bram@example.org");
    for _ in 0.."example.org".len() {
        key(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "gmail");
    key(&mut app, KeyCode::Enter);
    assert!(app.form().unwrap().errors[0].is_some(), "bram@gmail has no dot: refused");
    keys(&mut app, ".com");
    key(&mut app, KeyCode::Enter);
    let change = Command::ChangeEmail { reservation_id: 2, guest_id: 20, email: "bram@gmail.com".into() };
    assert_eq!(app.take_commands(), vec![change]);
    app.update(Action::Done(Outcome::EmailChanged {
        reservation_id: 2,
        email: "bram@gmail.com".into(),
        confirmed: true,
    }));
    assert_eq!(status(&app).0, "Adresse e-mail changée en bram@gmail.com");
    assert_eq!(app.confirm().unwrap().question, "Adresse changée en bram@gmail.com. Lui renvoyer la confirmation ?");
    key(&mut app, KeyCode::Char('o'));
    assert_eq!(app.take_commands(), vec![Command::Resend { id: 2, kind: None, again: true }]);
}

#[test]
fn worker_reports_reach_the_status_line_with_the_address_masked() {
    let mut app = app(Language::En);
    let report = |state, recipient: &str| Report {
        message: 7,
        kind: EmailKind::Confirmed,
        recipient: recipient.into(),
        state,
        detail: "250 OK".into(),
    };
    let sent = app.action_for(Event::Mail(report(MessageState::Sent, "anna@example.org"))).unwrap();
    app.update(sent);
    assert_eq!(status(&app), ("Confirmation sent to a…@example.org".into(), false));
    app.update(Action::Mail(report(MessageState::Suppressed, "chloe@example.org")));
    assert_eq!(status(&app), ("Not sent: address blocked after 13 errors".into(), true));
    app.update(Action::Mail(Report {
        detail: "550 5.1.1 no such user".into(),
        ..report(MessageState::Failed, "x@y.be")
    }));
    assert_eq!(status(&app).0, "Confirmation to x…@y.be refused: 550 5.1.1 no such user");
    // A service that could not start is a standing problem, kept for as long as the screen
    // runs (the status line shows it ahead of routine news), not one notice among others.
    let off = app.action_for(Event::ServiceOff(Service::Sending, "smtp_url: bad scheme".into())).unwrap();
    app.update(off);
    assert_eq!(app.services_off, vec![(Service::Sending, "smtp_url: bad scheme".to_owned())]);
}
