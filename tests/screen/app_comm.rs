//! The communication-history screen at the app level: `H`, its filters (kind, state, text,
//! dates) and its keyset paging, against a real SQLite file (`support::tonight::pump` plays
//! the data thread).

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use crate::support;

use crossterm::event::KeyCode;
use guestmail::action::Action;
use guestmail::app::{Command, Outcome, PaneKind};
use guestmail::domain::{EmailKind, MessageState};
use guestmail::store::CommFilter;
use support::screen::{key, keys};
use support::tonight::{ms, pump, setup};

#[test]
fn h_opens_the_communication_history_and_the_filters_requery() {
    let (mut app, mut store, _dir) = setup();
    keys(&mut app, "H");
    assert_eq!(app.take_commands(), vec![Command::Comm { filter: CommFilter::default(), after: None }]);
    app.update(Action::Run(Command::Comm { filter: CommFilter::default(), after: None }));
    pump(&mut app, &mut store);
    assert_eq!(app.comm().unwrap().rows.len(), 7);

    keys(&mut app, "K");
    let kind = app.comm().unwrap().filter.kind;
    assert_eq!(kind, Some(EmailKind::ALL[0]));
    let cmds = app.take_commands();
    assert!(matches!(&cmds[..], [Command::Comm { filter, after: None }] if filter.kind == kind), "{cmds:?}");
    keys(&mut app, "KKKKKK"); // around the cycle, back to "all"
    app.take_commands();
    assert_eq!(app.comm().unwrap().filter.kind, None);

    keys(&mut app, "/bob");
    pump(&mut app, &mut store);
    let c = app.comm().unwrap();
    assert_eq!(c.filter.text, "bob");
    assert_eq!(c.rows.len(), 1);
    assert_eq!(c.rows[0].state, MessageState::Bounced);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.comm().unwrap().editing, None);
    // Typing is over: Enter on the row opens Bob's history, Esc closes it, then the screen.
    key(&mut app, KeyCode::Enter);
    pump(&mut app, &mut store);
    assert_eq!(app.history().unwrap().history.guest.name, "Bob Smith");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.top_pane(), Some(PaneKind::Comm));
    key(&mut app, KeyCode::Esc);
    assert!(app.comm().is_none(), "Esc closes the screen once the typing is done");
}

#[test]
fn dates_filter_the_communication_history_and_a_bad_date_is_refused() {
    let (mut app, mut store, _dir) = setup();
    keys(&mut app, "H");
    pump(&mut app, &mut store);
    keys(&mut app, "<22/11/2037");
    assert!(app.take_commands().is_empty(), "a date applies on Enter");
    key(&mut app, KeyCode::Enter);
    pump(&mut app, &mut store);
    let c = app.comm().unwrap();
    assert_eq!(c.filter.from, Some(ms("2037-11-22 00:00")));
    assert_eq!(c.rows.len(), 3, "Bob's, Chloé's and Dan's emails of the 22nd");
    keys(&mut app, ">22/11/2037");
    key(&mut app, KeyCode::Enter);
    pump(&mut app, &mut store);
    assert_eq!(app.comm().unwrap().filter.to, Some(ms("2037-11-23 00:00")));
    keys(&mut app, ">tomorrow");
    key(&mut app, KeyCode::Enter);
    assert!(app.status.as_ref().unwrap().error, "{:?}", app.status);
    assert!(app.take_commands().is_empty());
}

#[test]
fn the_communication_history_pages_as_the_selection_nears_the_end() {
    let (mut app, _store, _dir) = setup();
    let row = |id: i64| guestmail::store::CommRow {
        id,
        created_at: 1_000 - id,
        sent_at: None,
        kind: EmailKind::Confirmed,
        state: MessageState::Sent,
        guest_id: 1,
        guest_name: "G".into(),
        recipient: "g@example.org".into(),
        reservation_at: None,
        next_attempt_at: None,
        human_opens: 0,
        machine_opens: 0,
        open_via: None,
        last_opened_at: None,
        resend_of: None,
    };
    let page = guestmail::data::COMM_PAGE;
    let rows: Vec<_> = (0..page as i64).map(row).collect();
    let last = rows[page - 1].cursor();
    app.update(Action::Done(Outcome::Comm { filter: CommFilter::default(), after: None, rows }));
    assert!(app.take_commands().is_empty(), "the top of a full page needs nothing yet");
    key(&mut app, KeyCode::End);
    assert_eq!(app.take_commands(), vec![Command::Comm { filter: CommFilter::default(), after: Some(last) }]);
    key(&mut app, KeyCode::Up);
    assert!(app.take_commands().is_empty(), "one page request at a time");
    let more: Vec<_> = (page as i64..page as i64 + 3).map(row).collect();
    app.update(Action::Done(Outcome::Comm { filter: CommFilter::default(), after: Some(last), rows: more }));
    assert_eq!(app.comm().unwrap().rows.len(), page + 3);
    assert!(!app.comm().unwrap().more);
}
