//! Snapshots of the error counter at the screen: the badge next to the guest's name (`⚠3`
//! and `BLOCKED`, also without colour) and the last-error popup, in English and French.
//! Errors are counted through the store's own `record_address_error`.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use crate::support;

use crate::support::screen::draw;
use guestmail::action::Action;
use guestmail::app::{App, Outcome};
use guestmail::domain::{BounceClass, Language};
use guestmail::keymap::Keymap;
use guestmail::store::{AddressErrorInput, Store};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};
use support::{day, marker_day};

/// The fixture day with 3 errors on Claire's address and 13 (blocked) on Giulia's.
fn with_errors(path: &std::path::Path) -> Store {
    let mut store = marker_day(path);
    let error = AddressErrorInput {
        class: Some(BounceClass::Hard),
        status: Some("5.1.1"),
        reply_code: Some("550"),
        diagnostic: "550 5.1.1 <giulia@example.org>: Recipient address rejected: User unknown",
        message_id: None,
        actor: "test",
    };
    for _ in 0..3 {
        store.record_address_error("claire@example.org", &error, 12).unwrap();
    }
    for _ in 0..13 {
        store.record_address_error("giulia@example.org", &error, 12).unwrap();
    }
    store
}

fn app_on(lang: Language) -> (App, Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = with_errors(&dir.path().join("g.db"));
    let mut app = App::new("Le Petit Bistro", lang, Keymap::default(), day(), day());
    app.update(Action::DayLoaded(day(), store.day(day()).unwrap()));
    (app, store, dir)
}

/// The cell where `text` starts on the screen.
fn find(t: &Terminal<TestBackend>, text: &str) -> (u16, u16) {
    let buf = t.backend().buffer();
    for y in 0..buf.area.height {
        let line: Vec<&str> = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        let joined = line.concat();
        if let Some(byte) = joined.find(text) {
            let x = line.iter().scan(0, |n, s| {
                *n += s.len();
                Some(*n)
            });
            let col = x.take_while(|&n| n <= byte).count() as u16;
            return (col, y);
        }
    }
    panic!("{text} is not on the screen");
}

#[test]
fn the_badge_shows_the_count_then_blocked() {
    let (mut app, _store, _dir) = app_on(Language::En);
    let t = draw(&mut app, 100, 14);
    insta::assert_snapshot!("badges_en", t.backend());
    let buf = t.backend().buffer();
    let (x, y) = find(&t, "⚠3");
    assert_eq!(buf[(x, y)].fg, Color::Yellow);
    let (x, y) = find(&t, "BLOCKED");
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
    // The click map agrees with the drawing: the badge's cells select its row.
    assert_eq!(app.badge_at(x, y).map(|p| app.rows[app.visible[p]].guest.name.clone()), Some("Giulia Rossi".into()));
    assert_eq!(app.badge_at(x - 2, y), None, "the name itself is not the badge");

    app.no_color = true;
    let t = draw(&mut app, 60, 12);
    insta::assert_snapshot!("badges_no_color_narrow", t.backend());
    let (x, y) = find(&t, "BLOCKED");
    assert_eq!(t.backend().buffer()[(x, y)].fg, Color::Reset);
    assert!(app.badge_at(x, y).is_some(), "the badge still fits on a narrow screen");

    let (mut app, _store, _dir) = app_on(Language::Fr);
    insta::assert_snapshot!("badges_fr", draw(&mut app, 100, 14).backend());
    let (mut app, _store, _dir) = app_on(Language::Nl);
    insta::assert_snapshot!("badges_nl", draw(&mut app, 100, 14).backend());
}

#[test]
fn the_last_error_popup_explains_and_says_what_to_do() {
    for (lang, name) in
        [(Language::En, "last_error_en"), (Language::Fr, "last_error_fr"), (Language::Nl, "last_error_nl")]
    {
        let (mut app, store, _dir) = app_on(lang);
        let record = store.address("giulia@example.org").unwrap().unwrap();
        app.update(Action::Done(Outcome::LastError { name: "Giulia Rossi".into(), record }));
        let popup = app.last_error_mut().unwrap();
        let at = popup.at.clone().unwrap();
        assert_eq!((at.len(), &at[2..3], &at[5..6]), (16, "/", "/"), "dd/mm/yyyy hh:mm: {at}");
        popup.at = Some("23/11/2037 19:02".into()); // the only moving part
        let t = draw(&mut app, 100, 24);
        insta::assert_snapshot!(name, t.backend());
        let text = format!("{}", t.backend());
        assert!(text.contains("550 5.1.1") && text.contains("User unknown"), "{text}");
    }
}
