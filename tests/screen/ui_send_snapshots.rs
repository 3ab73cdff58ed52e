//! Snapshots of what sending adds to the screen: the new-reservation form with a field in
//! error, the yes/no prompts, and the status line, in English and French. Rendered into
//! ratatui's `TestBackend` from the real SQLite fixture. Review with `cargo insta review`.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use crate::support;

use crate::support::screen::{draw, keys, press_all};
use crossterm::event::KeyCode;
use guestmail::action::Action;
use guestmail::app::{App, Outcome};
use guestmail::domain::{EmailKind, Language, MessageState};
use guestmail::keymap::Keymap;
use guestmail::mail::Report;
use ratatui::style::Color;
use support::{day, marker_day};

fn app_on(lang: Language) -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = marker_day(&dir.path().join("g.db"));
    let mut app = App::new("Le Petit Bistro", lang, Keymap::default(), day(), day());
    app.update(Action::DayLoaded(day(), store.day(day()).unwrap()));
    (app, dir)
}

/// Opens the form, types a name and a wrong address, and leaves the address field.
fn form_with_a_bad_address(lang: Language) -> (App, tempfile::TempDir) {
    let (mut app, dir) = app_on(lang);
    press_all(&mut app, &[KeyCode::Char('n')]);
    keys(&mut app, "Zoé Lambert");
    press_all(&mut app, &[KeyCode::Tab]);
    keys(&mut app, "zoe.example.org");
    press_all(&mut app, &[KeyCode::Tab]);
    (app, dir)
}

#[test]
fn the_new_reservation_form_names_the_wrong_field() {
    let (mut app, _dir) = form_with_a_bad_address(Language::En);
    let t = draw(&mut app, 100, 20);
    insta::assert_snapshot!("form_new_error_en", t.backend());
    let screen = format!("{}", t.backend());
    assert!(screen.contains("✗ 'zoe.example.org' has no @"), "{screen}");
    let (mut app, _dir) = form_with_a_bad_address(Language::Fr);
    let t = draw(&mut app, 100, 20);
    insta::assert_snapshot!("form_new_error_fr", t.backend());
    assert!(format!("{}", t.backend()).contains("« zoe.example.org » n'a pas de @"));
    let (mut app, _dir) = form_with_a_bad_address(Language::Nl);
    let t = draw(&mut app, 100, 20);
    insta::assert_snapshot!("form_new_error_nl", t.backend());
}

#[test]
fn the_email_form_is_one_field() {
    for (lang, name) in [
        (Language::En, "form_email_error_en"),
        (Language::Fr, "form_email_error_fr"),
        (Language::Nl, "form_email_error_nl"),
    ] {
        let (mut app, _dir) = app_on(lang);
        press_all(&mut app, &[KeyCode::Char('e'), KeyCode::Backspace, KeyCode::Backspace, KeyCode::Backspace]);
        press_all(&mut app, &[KeyCode::Enter]);
        let t = draw(&mut app, 80, 14);
        insta::assert_snapshot!(name, t.backend());
    }
}

#[test]
fn the_prompts_ask_in_the_staff_language() {
    let (mut app, _dir) = app_on(Language::En);
    press_all(&mut app, &[KeyCode::Char('x')]);
    insta::assert_snapshot!("prompt_cancel_en", draw(&mut app, 80, 14).backend());
    press_all(&mut app, &[KeyCode::Esc]);
    app.update(Action::Done(opened_ask()));
    insta::assert_snapshot!("prompt_resend_again_en", draw(&mut app, 80, 14).backend());
    let (mut app, _dir) = app_on(Language::Fr);
    press_all(&mut app, &[KeyCode::Char('x')]);
    insta::assert_snapshot!("prompt_cancel_fr", draw(&mut app, 80, 14).backend());
    press_all(&mut app, &[KeyCode::Esc]);
    app.update(Action::Done(opened_ask()));
    insta::assert_snapshot!("prompt_resend_again_fr", draw(&mut app, 80, 14).backend());
    let (mut app, _dir) = app_on(Language::Nl);
    press_all(&mut app, &[KeyCode::Char('x')]);
    insta::assert_snapshot!("prompt_cancel_nl", draw(&mut app, 80, 14).backend());
    press_all(&mut app, &[KeyCode::Esc]);
    app.update(Action::Done(opened_ask()));
    insta::assert_snapshot!("prompt_resend_again_nl", draw(&mut app, 80, 14).backend());
}

/// `d` and `N` ask first, naming the guest and the time; before the reservation time the
/// question says the meal has not happened yet (a yes then forces the change).
#[test]
fn the_status_prompts_ask_first_and_say_when_the_meal_is_still_to_come() {
    let at = |t: &str| chrono::NaiveDateTime::parse_from_str(&format!("2037-11-23 {t}"), "%Y-%m-%d %H:%M").unwrap();
    for (lang, suffix) in [(Language::En, "en"), (Language::Fr, "fr"), (Language::Nl, "nl")] {
        // Amélie Martin, confirmed, at 12:00: the first row.
        let (mut app, _dir) = app_on(lang);
        for (now, key, name) in [
            ("11:00", 'd', "complete_early"),
            ("11:00", 'N', "no_show_early"),
            ("12:30", 'd', "complete"),
            ("12:30", 'N', "no_show"),
        ] {
            app.fixed_now = Some(at(now));
            press_all(&mut app, &[KeyCode::Char(key)]);
            insta::assert_snapshot!(format!("prompt_{name}_{suffix}"), draw(&mut app, 80, 14).backend());
            press_all(&mut app, &[KeyCode::Esc]);
            assert!(app.confirm().is_none());
        }
    }
}

#[test]
fn the_status_line_says_what_the_worker_did() {
    let report = |state| Report {
        message: 1,
        kind: EmailKind::Confirmed,
        recipient: "amelie@example.org".into(),
        state,
        detail: "250 2.0.0 queued".into(),
    };
    for (lang, name) in
        [(Language::En, "status_sent_en"), (Language::Fr, "status_sent_fr"), (Language::Nl, "status_sent_nl")]
    {
        let (mut app, _dir) = app_on(lang);
        app.update(Action::Mail(report(MessageState::Sent)));
        let t = draw(&mut app, 80, 12);
        insta::assert_snapshot!(name, t.backend());
    }
    let (mut app, _dir) = app_on(Language::En);
    // David's reservation is completed: cancelling it is refused, in words.
    press_all(&mut app, &[KeyCode::Char('j'), KeyCode::Char('j'), KeyCode::Char('j'), KeyCode::Char('x')]);
    let t = draw(&mut app, 80, 12);
    insta::assert_snapshot!("status_refused_en", t.backend());
    for (lang, name) in [(Language::Fr, "status_refused_fr"), (Language::Nl, "status_refused_nl")] {
        let (mut app, _dir) = app_on(lang);
        press_all(&mut app, &[KeyCode::Char('j'), KeyCode::Char('j'), KeyCode::Char('j'), KeyCode::Char('x')]);
        insta::assert_snapshot!(name, draw(&mut app, 80, 12).backend());
    }
    let buf = t.backend().buffer();
    let y = buf.area.height - 2;
    assert_eq!(buf[(0, y)].fg, Color::Red, "a refusal is drawn as an error");
}

/// The journey's question before resending a confirmation the guest opened three times.
fn opened_ask() -> Outcome {
    let ask =
        guestmail::journey::Ask::Opened { kind: guestmail::domain::EmailKind::Confirmed, opens: 3, last_opened: None };
    let retry = Box::new(guestmail::app::Command::Resend { id: 1, kind: None, again: true });
    Outcome::ResendAsk { ask, recipient: "bram@example.org".into(), retry }
}
