//! The history panes as drawn inside the app (over the day's list, with the status line and
//! the hints of the pane), in English and French, from a real SQLite file written with fixed
//! times; and the no-panic guarantee of every pane from 1x1 to 300x100.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use crate::support;

use crate::support::screen::{draw, key, keys};
use crossterm::event::KeyCode;
use guestmail::domain::Language;
use guestmail::strings::names::Column;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::tonight::{app_on, pump, tonight};

#[test]
fn the_follow_up_list_in_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = tonight(&dir.path().join("g.db"));
    for (lang, name) in
        [(Language::En, "app_followup_en"), (Language::Fr, "app_followup_fr"), (Language::Nl, "app_followup_nl")]
    {
        let mut app = app_on(&store, lang);
        keys(&mut app, "F");
        pump(&mut app, &mut store);
        let t = draw(&mut app, 110, 16);
        insta::assert_snapshot!(name, t.backend());
    }
}

#[test]
fn a_guest_history_in_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = tonight(&dir.path().join("g.db"));
    for (lang, name) in
        [(Language::En, "app_history_en"), (Language::Fr, "app_history_fr"), (Language::Nl, "app_history_nl")]
    {
        let mut app = app_on(&store, lang);
        key(&mut app, KeyCode::Enter); // Anna, the first row
        pump(&mut app, &mut store);
        keys(&mut app, "j"); // onto her previous email: its log loads
        pump(&mut app, &mut store);
        let t = draw(&mut app, 120, 24);
        insta::assert_snapshot!(name, t.backend());
        // Issue 12: the columns are named and every date carries its year, the log's too.
        let screen = format!("{}", t.backend());
        let heads = guestmail::strings::HistoryStrings::of(lang);
        for c in [Column::Sent, Column::Kind, Column::Reservation, Column::State, Column::Opens] {
            assert!(screen.contains(heads.column(c)), "{name}: no {c:?} heading");
        }
        assert!(screen.contains("20/11/2037 17:00:00"), "{name}: the log's lines carry their date");
    }
}

#[test]
fn the_communication_history_in_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = tonight(&dir.path().join("g.db"));
    for (lang, name) in [(Language::En, "app_comm_en"), (Language::Fr, "app_comm_fr"), (Language::Nl, "app_comm_nl")] {
        let mut app = app_on(&store, lang);
        keys(&mut app, "H");
        pump(&mut app, &mut store);
        keys(&mut app, "S"); // state: queued
        keys(&mut app, "S"); // sending
        keys(&mut app, "S"); // sent
        pump(&mut app, &mut store);
        let t = draw(&mut app, 150, 16);
        insta::assert_snapshot!(name, t.backend());
    }
}

#[test]
fn every_pane_draws_at_every_size_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = tonight(&dir.path().join("g.db"));
    for typed in ["F", "\n", "\nj", "H", "H/an", "H<2037", "F\n"] {
        let mut app = app_on(&store, Language::Fr);
        for c in typed.chars() {
            key(&mut app, if c == '\n' { KeyCode::Enter } else { KeyCode::Char(c) });
            pump(&mut app, &mut store);
        }
        assert!(app.top_pane().is_some(), "{typed:?} opens a pane");
        draw(&mut app, 20, 5);
        draw(&mut app, 300, 100);
        for w in (1..=160).step_by(9) {
            for h in (1..=50).step_by(3) {
                draw(&mut app, w, h);
            }
        }
    }
}

#[test]
fn the_header_tells_the_delivery_health_and_warns_below_the_target() {
    use guestmail::action::Action;
    use guestmail::app::Outcome;
    use guestmail::store::DeliveryHealth;
    let dir = tempfile::tempdir().unwrap();
    let store = tonight(&dir.path().join("g.db"));
    let mut app = app_on(&store, Language::En);
    let header = |t: &Terminal<TestBackend>| {
        (0..t.backend().buffer().area.width)
            .map(|x| t.backend().buffer()[(x, 0)].symbol().to_owned())
            .collect::<String>()
    };
    let t = draw(&mut app, 140, 20);
    assert!(header(&t).contains("⚠ delivery 85.7% < 98.0%"), "{}", header(&t));
    let good = DeliveryHealth { since: 0, attempted: 200, delivered: 198, opened: 100 };
    app.update(Action::Done(Outcome::Health(good)));
    let t = draw(&mut app, 140, 20);
    assert!(header(&t).contains("30 days: 99.0% delivered · 50.0% opened"), "{}", header(&t));
    assert!(!header(&t).contains('⚠'));
    let t = draw(&mut app, 80, 20);
    assert!(header(&t).contains("8 reservations") || header(&t).contains("4 reservations"), "counts first");
}
