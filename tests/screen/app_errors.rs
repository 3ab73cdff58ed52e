//! The error counter through the App's state machine: `!` and clicks on the badge ask for
//! the last error, the popup opens and closes, and `Delete` / `D` resets after a yes.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use crate::support::day;
use crate::support::screen::key_with;
use crossterm::event::{KeyCode, KeyModifiers};
use guestmail::action::Action;
use guestmail::app::layout::{FIRST_ROW_Y, GUEST_X};
use guestmail::app::{App, Command, Outcome};
use guestmail::domain::{AddressHealth, Language, ReservationRow};
use guestmail::event::Event;
use guestmail::keymap::Keymap;
use guestmail::store::AddressRecord;

/// Guest `name` at 19:00, with `errors` on the address.
fn row(id: i64, name: &str, errors: u32, blocked: bool) -> ReservationRow {
    let mut row = crate::support::screen::row(id, name, day(), "19:00");
    row.address = AddressHealth { error_count: errors, blocked, last_error: None };
    row
}

fn app() -> App {
    let mut app = App::new("Bistro", Language::En, Keymap::default(), day(), day());
    app.update(Action::Resize(100, 20));
    app.update(Action::DayLoaded(
        day(),
        vec![row(1, "Anna", 0, false), row(2, "Bram", 3, false), row(3, "Chloe", 13, true)],
    ));
    app
}

fn record(email: &str) -> AddressRecord {
    AddressRecord {
        email: email.into(),
        error_count: 3,
        blocked: false,
        last_error: Some("552 5.2.2 mailbox full".into()),
        last_error_status: Some("5.2.2".into()),
        last_error_code: Some("552".into()),
        last_error_class: Some("soft".into()),
        last_error_at: Some(1_795_000_000_000),
    }
}

#[test]
fn bang_asks_for_the_last_error_and_the_popup_explains_it() {
    let mut app = app();
    key_with(&mut app, KeyCode::Char('!'), KeyModifiers::NONE);
    assert!(app.take_commands().is_empty(), "a clean address has no last error");
    assert_eq!(app.status.as_ref().unwrap().text, "No error recorded for this address");
    key_with(&mut app, KeyCode::Char('j'), KeyModifiers::NONE);
    key_with(&mut app, KeyCode::Char('!'), KeyModifiers::NONE);
    let ask = Command::LastError { name: "Bram".into(), email: "bram@example.org".into() };
    assert_eq!(app.take_commands(), vec![ask]);
    app.update(Action::Done(Outcome::LastError { name: "Bram".into(), record: record("bram@example.org") }));
    let popup = app.last_error().unwrap();
    assert_eq!((popup.status.as_deref(), popup.error_count), (Some("5.2.2"), 3));
    assert!(popup.explanation.to_lowercase().contains("full"), "{popup:?}");
    key_with(&mut app, KeyCode::Char('j'), KeyModifiers::NONE);
    assert_eq!(app.selected_row().unwrap().id, 2, "the list does not move under the popup");
    key_with(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(app.last_error().is_none());
}

#[test]
fn delete_and_shift_d_reset_only_after_yes() {
    let mut app = app();
    key_with(&mut app, KeyCode::End, KeyModifiers::NONE);
    key_with(&mut app, KeyCode::Delete, KeyModifiers::NONE);
    let q = app.confirm().unwrap().question.clone();
    assert!(q.contains("chloe@example.org") && q.contains("13 errors"), "{q}");
    key_with(&mut app, KeyCode::Char('n'), KeyModifiers::NONE);
    assert!(app.take_commands().is_empty());
    key_with(&mut app, KeyCode::Char('D'), KeyModifiers::SHIFT);
    key_with(&mut app, KeyCode::Char('y'), KeyModifiers::NONE);
    assert_eq!(app.take_commands(), vec![Command::ResetAddress { email: "chloe@example.org".into() }]);
    app.update(Action::Done(Outcome::AddressReset { email: "chloe@example.org".into(), held: 0 }));
    assert_eq!(app.status.as_ref().unwrap().text, "Error counter reset for c…@example.org: the address is free again");
    key_with(&mut app, KeyCode::Home, KeyModifiers::NONE);
    key_with(&mut app, KeyCode::Delete, KeyModifiers::NONE);
    assert!(app.confirm().is_none(), "nothing to reset on a clean address");
}

#[test]
fn a_click_on_the_badge_selects_the_row_and_opens_its_last_error() {
    let mut app = app();
    let bram_y = FIRST_ROW_Y + 1;
    let badge_x = GUEST_X + "Bram".len() as u16 + 1;
    // A click on the name selects the row, and only that: the name is not the badge.
    assert!(app.update(app.action_for(Event::Click(GUEST_X, bram_y)).unwrap()));
    assert_eq!(app.selected_row().unwrap().id, 2);
    assert!(app.take_commands().is_empty());
    app.update(Action::Click(GUEST_X, FIRST_ROW_Y));
    assert_eq!(app.selected_row().unwrap().id, 1);
    app.update(app.action_for(Event::Click(badge_x + 1, bram_y)).unwrap());
    assert_eq!(app.selected_row().unwrap().id, 2);
    assert_eq!(app.take_commands(), vec![Command::LastError { name: "Bram".into(), email: "bram@example.org".into() }]);
    app.update(Action::Click(badge_x, bram_y + 5));
    assert!(app.take_commands().is_empty(), "below the list: nothing");
}
