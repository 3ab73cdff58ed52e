//! The panes of issue 6 at the app level: keys -> actions -> commands for the data thread,
//! answers -> state, run against a real SQLite file (`support::tonight::pump` plays the
//! data thread with `data::execute`).

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use crate::support;

use crossterm::event::KeyCode;
use guestmail::action::Action;
use guestmail::app::form::FormKind;
use guestmail::app::layout::pane_area;
use guestmail::app::{App, Command, Outcome, PaneKind};
use guestmail::data::HISTORY_PAGE;
use guestmail::domain::{EventKind, Language};
use guestmail::event::Event;
use guestmail::keymap::Keymap;
use guestmail::store::{DeliveryHealth, FollowUpReason};
use support::day;
use support::screen::{key, keys};
use support::tonight::{app_on, evening, pump, setup, tonight};

fn follow_up_names(app: &App) -> Vec<String> {
    app.follow_up().unwrap().rows.iter().map(|r| r.guest_name.clone()).collect()
}

#[test]
fn enter_opens_the_guest_history_and_esc_closes_it() {
    let (mut app, mut store, _dir) = setup();
    key(&mut app, KeyCode::Enter);
    let anna = app.selected_row().unwrap().guest.id;
    assert_eq!(app.take_commands(), vec![Command::History { guest_id: anna, limit: HISTORY_PAGE }]);
    assert!(app.history().is_none(), "the pane opens with its data, not before");
    app.update(Action::Run(Command::History { guest_id: anna, limit: HISTORY_PAGE }));
    pump(&mut app, &mut store);
    let h = app.history().unwrap();
    assert_eq!(h.history.guest.name, "Anna Peeters");
    assert_eq!(h.history.emails.len(), 4, "every email of both her reservations");
    let newest = h.history.emails[0].id;
    assert_eq!(h.log.as_ref().map(|(id, _)| *id), Some(newest), "the selected email's log is loaded");
    assert_eq!(app.top_pane(), Some(PaneKind::History));

    key(&mut app, KeyCode::Down);
    let cmds = app.take_commands();
    let second = app.history().unwrap().selected_email().unwrap().id;
    assert_eq!(cmds, vec![Command::MessageLog { message_id: second }], "no page: the first one held all");
    // The list's own keys wait: `c` does not confirm anything under the pane.
    keys(&mut app, "c");
    assert!(app.take_commands().is_empty());
    key(&mut app, KeyCode::Esc);
    assert!(app.history().is_none());
    assert_eq!(app.top_pane(), None);
}

#[test]
fn the_history_asks_for_the_next_page_near_its_end() {
    let (mut app, mut store, _dir) = setup();
    let anna = app.selected_row().unwrap().guest.id;
    // A first page of two emails, as if the page size were two.
    let first = guestmail::data::execute(&mut store, Command::History { guest_id: anna, limit: 2 });
    app.update(Action::Done(first));
    assert!(app.history().unwrap().more);
    let h = app.history().unwrap();
    let (newest, second) = (h.history.emails[0].id, h.history.emails[1].id);
    assert_eq!(
        app.take_commands(),
        vec![Command::MessageLog { message_id: newest }, Command::HistoryPage { guest_id: anna, before: second }],
        "the selection is within reach of the end: the next page comes at once"
    );
    app.update(Action::Run(Command::HistoryPage { guest_id: anna, before: second }));
    pump(&mut app, &mut store);
    assert_eq!(app.history().unwrap().history.emails.len(), 4, "the rest came as a next page");
    assert!(!app.history().unwrap().more, "the last page was short");
    key(&mut app, KeyCode::End);
    assert!(
        !app.take_commands().iter().any(|c| matches!(c, Command::HistoryPage { .. })),
        "no page after the last one"
    );
}

#[test]
fn f_lists_who_to_call_and_v_takes_a_guest_off_the_list() {
    let (mut app, mut store, _dir) = setup();
    keys(&mut app, "F");
    assert_eq!(app.take_commands(), vec![Command::FollowUp { day: day(), now: evening() }]);
    app.update(Action::Run(Command::FollowUp { day: day(), now: evening() }));
    pump(&mut app, &mut store);
    // Dan's reservation is pending: his request may not have reached him either.
    assert_eq!(follow_up_names(&app), ["Anna Peeters", "Bob Smith", "Dan Brown"]);
    let f = app.follow_up().unwrap();
    assert_eq!(f.rows[1].reason, FollowUpReason::Bounced);

    keys(&mut app, "v");
    pump(&mut app, &mut store);
    assert_eq!(follow_up_names(&app), ["Bob Smith", "Dan Brown"], "Anna leaves the list");
    assert_eq!(app.status.as_ref().unwrap().text, "Anna Peeters: confirmed by phone");
    let anna = app.rows.iter().find(|r| r.guest.name == "Anna Peeters").unwrap();
    assert!(anna.confirmed_by_phone, "the day's list knows it too");

    // Enter on the follow-up row opens that guest's history, above the list.
    key(&mut app, KeyCode::Enter);
    pump(&mut app, &mut store);
    assert_eq!(app.top_pane(), Some(PaneKind::History));
    assert_eq!(app.history().unwrap().history.guest.name, "Bob Smith");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.top_pane(), Some(PaneKind::FollowUp), "Esc goes back to the follow-up list");

    // Anna's history shows the phone confirmation.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Home);
    key(&mut app, KeyCode::Enter);
    pump(&mut app, &mut store);
    let notes = &app.history().unwrap().history.notes;
    assert!(notes.iter().any(|n| n.kind == EventKind::ConfirmedByPhone), "{notes:?}");
    // And `v` again on the day's list says so rather than logging it twice.
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "v");
    assert!(app.take_commands().is_empty());
    assert_eq!(app.status.as_ref().unwrap().text, "Anna Peeters was already confirmed by phone");
}

#[test]
fn r_and_e_act_on_the_follow_up_row() {
    let (mut app, mut store, _dir) = setup();
    keys(&mut app, "F");
    pump(&mut app, &mut store);
    key(&mut app, KeyCode::Down); // Bob, whose confirmation bounced
    let bob = app.follow_up().unwrap().selected().unwrap().clone();
    keys(&mut app, "r");
    assert_eq!(app.take_commands(), vec![Command::Resend { id: bob.reservation_id, kind: None, again: false }]);
    keys(&mut app, "e");
    let form = app.form().expect("the address form");
    let edit = FormKind::EditEmail { reservation_id: bob.reservation_id, guest_id: bob.guest_id };
    assert_eq!(form.kind, edit);
    assert_eq!(form.fields[0].1, "bob@example.org");
    key(&mut app, KeyCode::Esc);
    assert!(app.form().is_none());
    assert_eq!(app.top_pane(), Some(PaneKind::FollowUp), "the list stays open behind the form");
}

#[test]
fn the_health_arrives_and_refreshes_the_open_panes() {
    let (mut app, mut store, _dir) = setup();
    assert_eq!(app.health.unwrap().attempted, 7);
    keys(&mut app, "F");
    pump(&mut app, &mut store);
    let better = DeliveryHealth { since: 0, attempted: 100, delivered: 99, opened: 50 };
    assert!(app.update(Action::Done(Outcome::Health(better))));
    assert_eq!(app.take_commands(), vec![Command::FollowUp { day: day(), now: evening() }], "the data changed: reload");
    assert!(!app.health.unwrap().below_target());

    // An open history reloads too, with the log on screen read again.
    key(&mut app, KeyCode::Enter);
    pump(&mut app, &mut store);
    let anna = app.history().unwrap().history.guest.id;
    let shown = app.history().unwrap().log.as_ref().unwrap().0;
    app.update(Action::Done(Outcome::Health(better)));
    let reload = app.take_commands();
    assert!(reload.contains(&Command::History { guest_id: anna, limit: HISTORY_PAGE }), "{reload:?}");
    for command in reload {
        app.update(Action::Done(guestmail::data::execute(&mut store, command)));
    }
    assert!(app.take_commands().contains(&Command::MessageLog { message_id: shown }));
}

#[test]
fn x_in_the_history_erases_the_guest_after_a_yes() {
    let (mut app, mut store, _dir) = setup();
    key(&mut app, KeyCode::Down); // Bob
    keys(&mut app, "X");
    assert!(app.confirm().is_none(), "X only means something in the history");
    key(&mut app, KeyCode::Enter);
    pump(&mut app, &mut store);
    keys(&mut app, "X");
    let question = app.confirm().unwrap().question.clone();
    assert!(question.contains("Bob Smith") && question.contains("bob@example.org"), "{question}");
    keys(&mut app, "n");
    assert!(app.take_commands().is_empty());
    keys(&mut app, "X");
    keys(&mut app, "y");
    pump(&mut app, &mut store);
    let h = &app.history().unwrap().history;
    assert!(h.forgotten, "the pane shows the erased guest");
    assert!(!h.guest.email.contains("bob"), "{:?}", h.guest);
    assert!(app.status.as_ref().unwrap().text.starts_with("Personal data erased"));
    assert!(app.rows.iter().all(|r| r.guest.name != "Bob Smith"), "the day's list no longer names him");
}

#[test]
fn clicks_select_rows_and_the_wheel_scrolls() {
    let (mut app, mut store, _dir) = setup();
    app.update(Action::Resize(100, 30));
    // The day's list: the third reservation's row.
    app.update(Action::Click(20, guestmail::app::layout::FIRST_ROW_Y + 2));
    assert_eq!(app.selected_row().unwrap().guest.name, "Chloé Girard");
    app.update(Action::Scroll(-3));
    assert_eq!(app.selected, 0);
    // The follow-up list: its second row is drawn at the pane's top + 5.
    keys(&mut app, "F");
    pump(&mut app, &mut store);
    let top = pane_area(app.size).y;
    assert!(app.update(Action::Click(10, top + 5)));
    assert_eq!(app.follow_up().unwrap().selection.index(), 1);
    assert!(!app.update(Action::Click(10, top + 12)), "below the rows: nothing");
    app.update(Action::Scroll(-3));
    assert_eq!(app.follow_up().unwrap().selection.index(), 0);
    assert_eq!(app.action_for(Event::Scroll(3)), Some(Action::Scroll(3)));
}

#[test]
fn the_new_keys_are_in_the_keymap_and_can_be_renamed() {
    let map = Keymap::with_overrides(&[("follow_up".to_owned(), "f".to_owned())].into()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = tonight(&dir.path().join("g.db"));
    let mut app = app_on(&store, Language::En);
    app.keymap = map;
    keys(&mut app, "F");
    assert!(app.take_commands().is_empty(), "F is no longer bound");
    keys(&mut app, "f");
    assert_eq!(app.take_commands(), vec![Command::FollowUp { day: day(), now: evening() }]);
    for name in ["history", "communications", "follow_up", "confirmed_by_phone", "forget", "filter_kind"] {
        assert!(Action::from_name(name).is_some(), "{name}");
    }
}
