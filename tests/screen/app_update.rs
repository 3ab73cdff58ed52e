//! The App's state machine without a terminal: keys -> actions -> state, redraw bookkeeping,
//! loading, filtering and popups.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use crate::support::day;
use crate::support::screen::key;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use guestmail::action::Action;
use guestmail::app::{App, Confirm};
use guestmail::domain::{Language, Marker, ReservationRow};
use guestmail::event::Event;
use guestmail::keymap::Keymap;

/// A confirmed row at 12:mm with the guest's phone, whose pending email was opened.
fn row(id: i64, name: &str, phone: &str) -> ReservationRow {
    let mut row = crate::support::screen::row(id, name, day(), &format!("12:{:02}", id % 60));
    row.guest.email = format!("g{id}@example.org");
    row.guest.phone = phone.into();
    row.markers[0] = Marker::Opened;
    row
}

fn loaded(n: i64) -> App {
    let mut app = App::new("Bistro", Language::En, Keymap::default(), day(), day());
    assert_eq!(app.take_load_request(), Some(day()), "the first day is requested at start");
    app.update(Action::Resize(80, 14)); // 10 list rows
    let rows = (1..=n).map(|i| row(i, &format!("Guest {i}"), &format!("+32 470 00 00 {i:02}"))).collect();
    app.update(Action::DayLoaded(day(), rows));
    app.take_redraw();
    app
}

fn selected(app: &App) -> i64 {
    app.selected_row().map_or(-1, |r| r.id)
}

#[test]
fn nothing_changed_means_no_redraw() {
    let mut app = loaded(5);
    assert!(!app.take_redraw());
    // A tick on the same day, an unbound key, moving up from the top: no change.
    let tick = app.action_for(Event::Tick).unwrap();
    assert!(!app.update(Action::Tick(day())), "{tick:?}");
    assert!(!key(&mut app, KeyCode::Char('z')));
    assert!(!key(&mut app, KeyCode::Up));
    assert!(!app.take_redraw(), "no redraw after events that changed nothing");
    assert!(key(&mut app, KeyCode::Char('j')));
    assert!(app.take_redraw());
    assert!(!app.take_redraw(), "taking the flag resets it");
    // The same rows reloaded (another process committed elsewhere): nothing to redraw.
    let rows = app.rows.clone();
    assert!(!app.update(Action::DayLoaded(day(), rows)));
    assert!(app.update(Action::Resize(100, 30)), "a resize always redraws");
}

#[test]
fn moving_clamps_and_pages() {
    let mut app = loaded(25);
    key(&mut app, KeyCode::PageDown);
    assert_eq!(selected(&app), 11);
    assert_eq!(app.offset, 1, "the highlighted row stays in view");
    key(&mut app, KeyCode::End);
    assert_eq!(selected(&app), 25);
    assert_eq!(app.offset, 15);
    key(&mut app, KeyCode::Down);
    assert_eq!(selected(&app), 25);
    key(&mut app, KeyCode::Char('k'));
    assert_eq!(selected(&app), 24);
    key(&mut app, KeyCode::Home);
    assert_eq!((selected(&app), app.offset), (1, 0));
}

#[test]
fn changing_day_requests_it_and_ignores_stale_answers() {
    let mut app = loaded(3);
    key(&mut app, KeyCode::Right);
    let next = day().succ_opt().unwrap();
    assert_eq!(app.day, next);
    assert_eq!(app.take_load_request(), Some(next));
    assert!(app.loading());
    assert!(!app.update(Action::DayLoaded(day(), vec![row(9, "Late", "")])), "an answer for a day left behind");
    assert!(app.update(Action::DayLoaded(next, vec![])));
    assert!(!app.loading());
    key(&mut app, KeyCode::Char('h'));
    key(&mut app, KeyCode::Char('h'));
    assert_eq!(app.day, day().pred_opt().unwrap());
    app.take_load_request();
    key(&mut app, KeyCode::Char('t'));
    assert_eq!((app.day, app.take_load_request()), (day(), Some(day())));
}

#[test]
fn a_reload_keeps_the_highlighted_reservation() {
    let mut app = loaded(5);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    assert_eq!(selected(&app), 3);
    let mut rows: Vec<_> = app.rows.clone();
    rows.insert(0, row(42, "Walk-in", ""));
    app.update(Action::DayLoaded(day(), rows));
    assert_eq!(selected(&app), 3, "same reservation after a row appeared above it");
}

#[test]
fn the_filter_matches_name_email_and_phone_and_esc_clears_it() {
    let mut app = loaded(12);
    key(&mut app, KeyCode::Char('/'));
    assert!(app.filter_typing());
    for c in "guest 1".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    assert_eq!(app.visible.len(), 4, "Guest 1, 10, 11, 12");
    assert_eq!(app.filter, "guest 1", "typed letters go to the filter, not to the keymap");
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    for c in "g7@".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    assert_eq!(app.filter, "guestg7@");
    assert_eq!(app.visible.len(), 0);
    key(&mut app, KeyCode::Esc);
    assert!(app.filter.is_empty() && !app.filter_typing());
    assert_eq!(app.visible.len(), 12);
    // Phone digits match without the spaces; Enter keeps the filter and gives keys back.
    key(&mut app, KeyCode::Char('/'));
    for c in "000011".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.visible.len(), 1);
    assert!(!app.filter_typing());
    key(&mut app, KeyCode::Char('j'));
    assert_eq!(app.filter, "000011");
    key(&mut app, KeyCode::Esc);
    assert!(app.filter.is_empty());
    // e-mail
    key(&mut app, KeyCode::Char('/'));
    for c in "g12@".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    assert_eq!(app.visible.len(), 1);
}

#[test]
fn help_takes_the_keys_until_closed_and_q_quits() {
    let mut app = loaded(5);
    key(&mut app, KeyCode::Char('?'));
    assert!(app.help_open());
    key(&mut app, KeyCode::Char('j'));
    assert_eq!(selected(&app), 1, "keys under the help do nothing");
    key(&mut app, KeyCode::Esc);
    assert!(!app.help_open());
    key(&mut app, KeyCode::Char('q'));
    assert!(!app.running);
    let mut app = loaded(1);
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    app.update(app.action_for(Event::Key(ctrl_c)).unwrap());
    assert!(!app.running);
}

#[test]
fn the_confirm_popup_applies_its_action_only_on_yes() {
    let mut app = loaded(5);
    app.ask(Confirm { question: "Go to the end?".into(), yes: Box::new(Action::SelectLast) });
    key(&mut app, KeyCode::Char('j'));
    assert_eq!(selected(&app), 1);
    key(&mut app, KeyCode::Char('n'));
    assert!(app.confirm().is_none());
    assert_eq!(selected(&app), 1);
    app.ask(Confirm { question: "Go to the end?".into(), yes: Box::new(Action::SelectLast) });
    key(&mut app, KeyCode::Char('y'));
    assert_eq!(selected(&app), 5);
}

#[test]
fn a_rebound_key_works_and_the_old_one_does_not() {
    let keys = [("down".to_owned(), "m".to_owned())].into_iter().collect();
    let mut app = App::new("Bistro", Language::En, Keymap::with_overrides(&keys).unwrap(), day(), day());
    app.update(Action::DayLoaded(day(), vec![row(1, "A", ""), row(2, "B", "")]));
    key(&mut app, KeyCode::Char('j'));
    assert_eq!(selected(&app), 1);
    key(&mut app, KeyCode::Char('m'));
    assert_eq!(selected(&app), 2);
}

/// Issue 12, read with a host's eyes: the filter, the phone search and the small terminal.
#[test]
fn esc_on_a_filter_keeps_the_guest_the_host_was_looking_at() {
    let mut app = loaded(30);
    for c in "/guest 2".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Down); // Guest 20, the second match
    key(&mut app, KeyCode::Down);
    let looked_at = selected(&app);
    assert!((20..=29).contains(&looked_at), "{looked_at}");
    key(&mut app, KeyCode::Esc);
    assert!(app.filter.is_empty() && app.visible.len() == 30);
    assert_eq!(selected(&app), looked_at, "`!` or `r` next must act on the same guest");
}

#[test]
fn a_phone_typed_as_caller_id_shows_it_finds_the_guest() {
    let mut app = App::new("Bistro", Language::En, Keymap::default(), day(), day());
    app.update(Action::Resize(80, 14));
    let rows =
        vec![row(1, "Anna", "+32 470 11 22 33"), row(2, "Bram", "+32 475 52 94 37"), row(3, "Chloé", "0475 99 88 77")];
    app.update(Action::DayLoaded(day(), rows));
    for (typed, expected) in
        [("+32475529437", 2), ("0475 52 94 37", 2), ("475 52", 2), ("0032 475 52 94 37", 2), ("+32475998877", 3)]
    {
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Char('/'));
        for c in typed.chars() {
            key(&mut app, KeyCode::Char(c));
        }
        assert_eq!(app.visible.len(), 1, "{typed}");
        assert_eq!(selected(&app), expected, "{typed}");
    }
}

#[test]
fn keys_wait_while_the_terminal_is_too_small() {
    let mut app = loaded(5);
    app.update(Action::Resize(30, 6));
    assert!(!key(&mut app, KeyCode::Char('x')), "no cancel question behind 'Terminal too small'");
    assert!(app.confirm().is_none());
    assert_eq!(app.action_for(Event::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE))), None);
    assert_eq!(selected(&app), 1);
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(app.action_for(Event::Key(ctrl_c)), Some(Action::Quit), "Ctrl-C still quits");
    app.update(Action::Resize(80, 14));
    assert!(key(&mut app, KeyCode::Char('j')));
    assert_eq!(selected(&app), 2);
}

/// The overlay stack: a pane that arrives while a question waits opens under it (the keys
/// stay with the question), help opens over the pane, and Esc closes one overlay at a time.
#[test]
fn overlays_stack_by_kind_and_esc_closes_the_top_one() {
    use guestmail::app::{Outcome, Overlay, PaneKind};
    let mut app = loaded(5);
    let first = selected(&app);
    app.ask(Confirm { question: "Go to the end?".into(), yes: Box::new(Action::SelectLast) });
    app.update(Action::Done(Outcome::FollowUp { day: day(), rows: Vec::new() }));
    assert!(matches!(app.top(), Some(Overlay::Confirm(_))), "the question stays on top");
    assert_eq!(app.top_pane(), Some(PaneKind::FollowUp));
    key(&mut app, KeyCode::Char('j'));
    assert!(app.confirm().is_some(), "j does not answer");
    key(&mut app, KeyCode::Char('n'));
    assert!(matches!(app.top(), Some(Overlay::FollowUp(_))));
    app.update(Action::ToggleHelp);
    assert!(matches!(app.top(), Some(Overlay::Help)));
    key(&mut app, KeyCode::Esc);
    assert!(matches!(app.top(), Some(Overlay::FollowUp(_))), "Esc closed the help only");
    key(&mut app, KeyCode::Esc);
    assert!(app.top().is_none() && app.overlays().is_empty());
    assert_eq!(selected(&app), first, "nothing reached the list");
}
