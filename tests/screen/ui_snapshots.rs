//! Whole-screen snapshots of the host-stand screen, rendered into ratatui's `TestBackend`
//! from a real SQLite fixture (see `support::marker_day`). The date is fixed, so nothing in
//! them moves from run to run. Review changes with `cargo insta review`.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use crate::support;

use crate::support::screen::draw;
use guestmail::action::Action;
use guestmail::app::App;
use guestmail::domain::{Language, Marker};
use guestmail::keymap::Keymap;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use support::{day, marker_day};

const VENUE: &str = "Le Petit Bistro";

fn app_on(lang: Language, rows_day: chrono::NaiveDate) -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = marker_day(&dir.path().join("g.db"));
    let mut app = App::new(VENUE, lang, Keymap::default(), day(), rows_day);
    app.update(Action::DayLoaded(rows_day, store.day(rows_day).expect("day query")));
    (app, dir)
}

/// The cell holding the first `glyph` on the row that shows `name` (the markers sit beside the time).
fn marker_cell(t: &Terminal<TestBackend>, name: &str, glyph: &str) -> ratatui::buffer::Cell {
    let buf = t.backend().buffer();
    let y = (0..buf.area.height)
        .find(|&y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect::<String>().contains(name))
        .unwrap_or_else(|| panic!("no row shows {name}"));
    let x = (0..buf.area.width).find(|&x| buf[(x, y)].symbol() == glyph).unwrap_or_else(|| panic!("no {glyph}"));
    buf[(x, y)].clone()
}

#[test]
fn a_day_with_every_marker_state() {
    let (mut app, _dir) = app_on(Language::En, day());
    let t = draw(&mut app, 100, 16);
    insta::assert_snapshot!("every_marker", t.backend());
    // Colour backs up the shapes: opened green, sent red, uncertain yellow.
    assert_eq!(marker_cell(&t, "Amélie Martin", "●").fg, Color::Green, "pending email opened");
    assert_eq!(marker_cell(&t, "Emma Janssens", "●").fg, Color::Red, "sent, not opened");
    assert_eq!(marker_cell(&t, "Claire Dubois", "✗").fg, Color::Red);
    assert_eq!(marker_cell(&t, "David Smith", "?").fg, Color::Yellow);
    // A machine's fetch is not green: green means a person opened it (issue 11).
    assert_eq!(marker_cell(&t, "Bram Peeters", "◐").fg, Color::Magenta);
    // Issue 12: the markers sit beside the time, left of the guest, whose email shows when
    // the guest column has room for it.
    let screen = format!("{}", t.backend());
    let row = screen.lines().find(|l| l.contains("Claire Dubois")).unwrap();
    assert!(row.find('✗').unwrap() < row.find("Claire").unwrap(), "{row}");
    assert!(row.contains("claire@example.org"), "{row}");
    let narrow = format!("{}", draw(&mut app, 48, 12).backend());
    assert!(!narrow.contains("@example.org"), "no room, no email: {narrow}");
}

#[test]
fn no_color_keeps_every_marker_readable_without_colour() {
    let (mut app, _dir) = app_on(Language::En, day());
    app.no_color = true;
    let t = draw(&mut app, 100, 16);
    insta::assert_snapshot!("every_marker_no_color", t.backend());
    let buf = t.backend().buffer();
    for cell in &buf.content {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "a coloured cell: {cell:?}");
    }
    // Opened and sent no longer share a glyph once colour cannot tell them apart.
    marker_cell(&t, "Amélie Martin", "✓");
    marker_cell(&t, "Amélie Martin", "●");
}

#[test]
fn an_empty_day_says_so() {
    let (mut app, _dir) = app_on(Language::En, day().pred_opt().expect("previous day"));
    let t = draw(&mut app, 80, 12);
    insta::assert_snapshot!("empty_day", t.backend());
}

#[test]
fn the_filter_narrows_the_list_as_you_type() {
    let (mut app, _dir) = app_on(Language::En, day());
    app.update(Action::StartFilter);
    for c in "ma".chars() {
        app.update(Action::FilterInput(c));
    }
    let t = draw(&mut app, 100, 14);
    insta::assert_snapshot!("filter_active", t.backend());
    for (lang, name) in [(Language::Fr, "filter_active_fr"), (Language::Nl, "filter_active_nl")] {
        let (mut other, _dir) = app_on(lang, day());
        other.update(Action::StartFilter);
        for c in "ma".chars() {
            other.update(Action::FilterInput(c));
        }
        insta::assert_snapshot!(name, draw(&mut other, 100, 14).backend());
    }
    let text = format!("{}", t.backend());
    assert!(text.contains("Amélie Martin") && text.contains("Emma Janssens"), "name and email match");
    assert!(!text.contains("Bram Peeters"));
}

/// Issue 12: with a filter kept, the status line still says what an action did.
#[test]
fn a_kept_filter_does_not_hide_the_news_of_an_action() {
    let (mut app, _dir) = app_on(Language::En, day());
    app.update(Action::StartFilter);
    for c in "em".chars() {
        app.update(Action::FilterInput(c));
    }
    app.update(Action::FilterAccept);
    let before = format!("{}", draw(&mut app, 100, 16).backend());
    assert!(before.contains("Filter: em"), "{before}");
    app.status = Some(guestmail::app::Notice::info("Emma Janssens: confirmed, email queued"));
    let after = format!("{}", draw(&mut app, 100, 16).backend());
    let status = after.lines().rev().nth(1).unwrap_or_default();
    assert!(status.contains("Emma Janssens: confirmed, email queued") && status.contains("Filter: em"), "{status}");
}

#[test]
fn the_help_lists_every_key_and_the_legend() {
    let (mut app, _dir) = app_on(Language::En, day());
    app.update(Action::ToggleHelp);
    let t = draw(&mut app, 100, 46);
    insta::assert_snapshot!("help_open", t.backend());
    let text = format!("{}", t.backend());
    for a in Action::BINDABLE {
        assert!(text.contains(app.strings.action(&a)), "help misses {a:?}");
    }
    for m in Marker::ALL {
        assert!(text.contains(app.strings.marker(m)), "legend misses {m:?}");
    }
}

#[test]
fn french() {
    let (mut app, _dir) = app_on(Language::Fr, day());
    let t = draw(&mut app, 100, 16);
    insta::assert_snapshot!("french", t.backend());
    assert!(format!("{}", t.backend()).contains("lundi 23 novembre 2037"));
    app.update(Action::ToggleHelp);
    let t = draw(&mut app, 100, 46);
    insta::assert_snapshot!("french_help", t.backend());
    assert!(format!("{}", t.backend()).contains("Pas encore ouvert"));
}

#[test]
fn dutch() {
    let (mut app, _dir) = app_on(Language::Nl, day());
    let t = draw(&mut app, 100, 16);
    insta::assert_snapshot!("dutch", t.backend());
    let screen = format!("{}", t.backend());
    assert!(screen.contains("maandag 23 november 2037"), "{screen}");
    assert!(screen.contains("Gast") && screen.contains("afsluiten"), "{screen}");
    app.update(Action::ToggleHelp);
    let t = draw(&mut app, 100, 46);
    insta::assert_snapshot!("dutch_help", t.backend());
    let help = format!("{}", t.backend());
    assert!(help.contains("de bevestiging opnieuw sturen") && help.contains("Tekens van de e-mails"), "{help}");
}

#[test]
fn a_20x5_terminal_gets_a_clear_message() {
    let (mut app, _dir) = app_on(Language::En, day());
    let t = draw(&mut app, 20, 5);
    insta::assert_snapshot!("tiny_20x5", t.backend());
    app.update(Action::ToggleHelp);
    draw(&mut app, 20, 5);
}

#[test]
fn a_300x100_terminal_draws_everything() {
    let (mut app, _dir) = app_on(Language::En, day());
    let t = draw(&mut app, 300, 100);
    insta::assert_snapshot!("huge_300x100", t.backend());
    app.update(Action::ToggleHelp);
    draw(&mut app, 300, 100);
}

#[test]
fn narrow_terminals_drop_columns_not_markers() {
    let (mut app, _dir) = app_on(Language::En, day());
    let t = draw(&mut app, 48, 12);
    insta::assert_snapshot!("narrow_48x12", t.backend());
}

#[test]
fn every_size_in_between_draws_without_panicking() {
    let (mut app, _dir) = app_on(Language::Fr, day());
    app.update(Action::ToggleHelp);
    for w in (1..=130).step_by(7) {
        for h in 1..=40 {
            draw(&mut app, w, h);
        }
    }
}

#[test]
fn the_confirm_popup_asks_and_waits() {
    let (mut app, _dir) = app_on(Language::En, day());
    app.ask(guestmail::app::Confirm { question: "Resend the email?".into(), yes: Box::new(Action::SelectLast) });
    let t = draw(&mut app, 60, 12);
    insta::assert_snapshot!("confirm", t.backend());
}

#[test]
fn the_help_fits_a_100x30_terminal_in_two_columns() {
    let (mut app, _dir) = app_on(Language::En, day());
    app.update(Action::ToggleHelp);
    let t = draw(&mut app, 100, 30);
    insta::assert_snapshot!("help_two_columns", t.backend());
    let text = format!("{}", t.backend());
    for a in Action::BINDABLE {
        assert!(text.contains(app.strings.action(&a)), "help misses {a:?}:\n{text}");
    }
    assert!(text.contains(app.strings.help_close), "the whole help is on screen:\n{text}");
}
