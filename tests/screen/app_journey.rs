//! The journey at the screen (issue 9): yes/no prompts answer only to y/n/Esc (never Enter),
//! `d`, `x` and `N` ask first, a change before the reservation time says so and a yes forces
//! it, `v` confirms a pending reservation by phone, and the header's covers leave out the
//! cancelled and no-show reservations. Against the real SQLite evening of `support::tonight`
//! (Anna 19:00 ×4, Bob 19:30 ×2, Chloé 20:00 ×3 confirmed; Dan 20:30 ×2 pending).

#![allow(clippy::unwrap_used)]

use crate::support;

use crossterm::event::KeyCode;
use guestmail::action::Action;
use guestmail::app::{App, Command};
use guestmail::domain::{EmailKind, Language, ReservationStatus};
use guestmail::store::Store;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::screen::{key, keys};
use support::tonight::{at, pump, setup};

/// Sets the venue's "now" for the screen and the store alike (the rules run in both).
fn set_now(app: &mut App, store: Store, t: &str) -> Store {
    app.fixed_now = Some(at(t));
    store.frozen_at(guestmail::clock::Clock::Local.ms_of(at(t)))
}

fn question(app: &App) -> Option<String> {
    app.confirm().map(|c| c.question.clone())
}

/// Moves the list's selection onto the reservation of `name`.
fn select(app: &mut App, name: &str) {
    key(app, KeyCode::Home);
    for _ in 0..app.rows.len() {
        if app.selected_row().is_some_and(|r| r.guest.name == name) {
            return;
        }
        key(app, KeyCode::Down);
    }
    panic!("no row for {name}");
}

fn status_of(app: &App, name: &str) -> ReservationStatus {
    app.rows.iter().find(|r| r.guest.name == name).unwrap().status
}

fn header(app: &mut App, width: u16) -> String {
    app.update(Action::Resize(width, 12));
    let mut terminal = Terminal::new(TestBackend::new(width, 12)).unwrap();
    terminal.draw(|f| f.render_widget(&*app, f.area())).unwrap();
    let buf = terminal.backend().buffer();
    (0..width).map(|x| buf[(x, 0)].symbol()).collect::<String>().trim_end().to_owned()
}

#[test]
fn a_prompt_answers_only_to_y_n_and_esc_and_enter_never_answers() {
    let (mut app, _store, _dir) = setup();
    select(&mut app, "Bob Smith");
    keys(&mut app, "x");
    assert_eq!(question(&app).as_deref(), Some("Cancel the reservation of Bob Smith at 19:30?"));
    // Enter is the history key: on a prompt it does nothing at all, and no history opens.
    key(&mut app, KeyCode::Enter);
    assert!(app.confirm().is_some(), "Enter does not answer");
    assert!(app.take_commands().is_empty(), "nothing is cancelled, no history asked");
    // Any other key is ignored while the prompt is open.
    keys(&mut app, "jcq");
    key(&mut app, KeyCode::Down);
    assert!(app.confirm().is_some() && app.running, "other keys wait");
    assert_eq!(app.selected_row().unwrap().guest.name, "Bob Smith");
    assert!(app.take_commands().is_empty());
    keys(&mut app, "n");
    assert!(app.confirm().is_none() && app.take_commands().is_empty(), "n means no");
    keys(&mut app, "x");
    key(&mut app, KeyCode::Esc);
    assert!(app.confirm().is_none() && app.take_commands().is_empty(), "Esc means no");
    keys(&mut app, "x");
    keys(&mut app, "y");
    assert_eq!(
        app.take_commands(),
        vec![Command::SetStatus { id: app.selected_row().unwrap().id, to: ReservationStatus::Cancelled, force: false }]
    );
    // `o` (oui) is a yes too.
    keys(&mut app, "x");
    keys(&mut app, "o");
    assert_eq!(app.take_commands().len(), 1);
}

#[test]
fn completing_a_meal_still_to_come_says_so_and_a_yes_forces_it() {
    let (mut app, mut store, _dir) = setup();
    store = set_now(&mut app, store, "2037-11-23 19:15");
    select(&mut app, "Bob Smith");
    let bob = app.selected_row().unwrap().id;
    keys(&mut app, "d");
    assert_eq!(question(&app).as_deref(), Some("The meal is at 19:30. Mark it completed now?"));
    assert!(app.take_commands().is_empty(), "it asks first");
    keys(&mut app, "y");
    assert_eq!(
        app.take_commands(),
        vec![Command::SetStatus { id: bob, to: ReservationStatus::Completed, force: true }]
    );

    // Anna's table sat down at 19:00: the plain question, and no force.
    select(&mut app, "Anna Peeters");
    let anna = app.selected_row().unwrap().id;
    keys(&mut app, "d");
    assert_eq!(question(&app).as_deref(), Some("Mark Anna Peeters (19:00) completed?"));
    keys(&mut app, "y");
    let command = Command::SetStatus { id: anna, to: ReservationStatus::Completed, force: false };
    assert_eq!(app.take_commands(), vec![command.clone()]);
    app.update(Action::Run(command));
    pump(&mut app, &mut store);
    assert_eq!(status_of(&app, "Anna Peeters"), ReservationStatus::Completed);
    assert_eq!(app.status.as_ref().unwrap().text, "Anna Peeters: completed, email queued");

    // A change the domain forbids is still refused at once, without a question.
    keys(&mut app, "d");
    assert!(app.confirm().is_none() && app.take_commands().is_empty());
    assert_eq!(app.status.as_ref().unwrap().text, "A completed reservation cannot become completed");
}

#[test]
fn n_marks_a_no_show_after_a_question_and_c_does_not_ask() {
    let (mut app, mut store, _dir) = setup();
    store = set_now(&mut app, store, "2037-11-23 19:45");
    select(&mut app, "Chloé Girard");
    let chloe = app.selected_row().unwrap().id;
    keys(&mut app, "N");
    assert_eq!(question(&app).as_deref(), Some("The reservation is at 20:00. Mark it a no-show now?"));
    keys(&mut app, "N");
    assert!(app.confirm().is_none() && app.take_commands().is_empty(), "N on the prompt is a no");

    store = set_now(&mut app, store, "2037-11-23 20:20");
    keys(&mut app, "N");
    assert_eq!(question(&app).as_deref(), Some("Mark Chloé Girard (20:00) as a no-show?"));
    keys(&mut app, "y");
    let command = Command::SetStatus { id: chloe, to: ReservationStatus::NoShow, force: false };
    assert_eq!(app.take_commands(), vec![command.clone()]);
    app.update(Action::Run(command));
    pump(&mut app, &mut store);
    assert_eq!(status_of(&app, "Chloé Girard"), ReservationStatus::NoShow);

    // `c` confirms at once.
    select(&mut app, "Dan Brown");
    let dan = app.selected_row().unwrap().id;
    keys(&mut app, "c");
    assert!(app.confirm().is_none());
    assert_eq!(
        app.take_commands(),
        vec![Command::SetStatus { id: dan, to: ReservationStatus::Confirmed, force: false }]
    );
}

#[test]
fn the_questions_are_in_french_too() {
    let dir = tempfile::tempdir().unwrap();
    let store = support::tonight::tonight(&dir.path().join("g.db"));
    let mut app = support::tonight::app_on(&store, Language::Fr);
    let store = set_now(&mut app, store, "2037-11-23 18:00");
    select(&mut app, "Anna Peeters");
    keys(&mut app, "d");
    assert_eq!(question(&app).as_deref(), Some("Le repas est à 19:00. Le marquer terminé maintenant ?"));
    key(&mut app, KeyCode::Esc);
    let _store = set_now(&mut app, store, "2037-11-23 19:10");
    keys(&mut app, "N");
    assert_eq!(question(&app).as_deref(), Some("Passer la réservation d'Anna Peeters (19:00) en « absent » ?"));
}

#[test]
fn v_on_a_pending_reservation_confirms_it_by_phone_without_an_email() {
    let (mut app, mut store, _dir) = setup();
    keys(&mut app, "F");
    pump(&mut app, &mut store);
    let f = app.follow_up().unwrap();
    let dan = f.rows.iter().find(|r| r.guest_name == "Dan Brown").unwrap().clone();
    assert_eq!(dan.status, ReservationStatus::Pending, "a pending reservation still to come is on the list");
    let emails_before = store.guest_history(dan.guest_id, 50, None).unwrap().emails.len();
    key(&mut app, KeyCode::End);
    keys(&mut app, "v");
    pump(&mut app, &mut store);
    assert_eq!(app.status.as_ref().unwrap().text, "Dan Brown: confirmed by phone");
    let names: Vec<&str> = app.follow_up().unwrap().rows.iter().map(|r| r.guest_name.as_str()).collect();
    assert!(!names.contains(&"Dan Brown"), "{names:?}");
    assert_eq!(status_of(&app, "Dan Brown"), ReservationStatus::Confirmed);
    let history = store.guest_history(dan.guest_id, 50, None).unwrap();
    assert!(history.emails.iter().all(|e| e.kind != EmailKind::Confirmed), "no confirmation unless staff ask");
    // What it did queue is the reminder, due 24 h before the reservation (it is days ahead).
    let new: Vec<EmailKind> =
        history.emails.iter().take(history.emails.len() - emails_before).map(|e| e.kind).collect();
    assert_eq!(new, [EmailKind::Reminder]);
}

#[test]
fn the_header_counts_covers_without_cancelled_and_no_show_and_says_how_many() {
    let (mut app, mut store, _dir) = setup();
    let line = header(&mut app, 110);
    assert!(line.ends_with("4 reservations · 11 covers"), "nothing left out yet: {line}");
    store = set_now(&mut app, store, "2037-11-23 21:00");
    select(&mut app, "Dan Brown");
    keys(&mut app, "xy");
    select(&mut app, "Chloé Girard");
    keys(&mut app, "Ny");
    pump(&mut app, &mut store);
    assert_eq!(status_of(&app, "Dan Brown"), ReservationStatus::Cancelled);
    assert_eq!(status_of(&app, "Chloé Girard"), ReservationStatus::NoShow);
    let full = "4 reservations · 6 covers · 1 cancelled · 1 no-show";
    let line = header(&mut app, 110);
    assert!(line.ends_with(full), "{line}");
    // A narrower terminal drops the tail first, then the counts.
    let title = "Le Petit Bistro · Monday 23 November 2037 (today)".chars().count();
    let short = "4 reservations · 6 covers";
    let line = header(&mut app, (title + 2 + short.chars().count() + 5) as u16);
    assert!(line.ends_with(short) && !line.contains("cancelled"), "{line}");
    let middle = "4 reservations · 6 covers · 1 cancelled";
    let line = header(&mut app, (title + 2 + middle.chars().count() + 3) as u16);
    assert!(line.ends_with(middle), "the tail's end goes first: {line}");
    let line = header(&mut app, (title + 4) as u16);
    assert!(!line.contains("covers"), "{line}");
}

#[test]
fn r_in_a_guest_history_resends_the_selected_email_whatever_its_kind() {
    let (mut app, store, _dir) = setup();
    let mut store = set_now(&mut app, store, "2037-11-23 18:00");
    select(&mut app, "Anna Peeters");
    key(&mut app, KeyCode::Enter);
    pump(&mut app, &mut store);
    // Walk the timeline (newest first) to tonight's request, then to its confirmation.
    let pick = |app: &mut App, kind: EmailKind| {
        for _ in 0..20 {
            let h = app.history().unwrap();
            if h.selected_email().is_some_and(|e| e.kind == kind && e.reservation_at == Some(at("2037-11-23 19:00"))) {
                return h.selected_email().unwrap().id;
            }
            key(app, KeyCode::Down);
        }
        panic!("no {kind} email of tonight in the history");
    };
    key(&mut app, KeyCode::Home);
    let request = pick(&mut app, EmailKind::Pending);
    pump(&mut app, &mut store);
    keys(&mut app, "r");
    assert_eq!(app.take_commands(), vec![Command::ResendMessage { message_id: request, again: false }]);
    app.update(Action::Run(Command::ResendMessage { message_id: request, again: false }));
    pump(&mut app, &mut store);
    let said = app.status.as_ref().unwrap();
    assert!(said.error && said.text.contains("does not fit a confirmed reservation"), "{said:?}");

    key(&mut app, KeyCode::Home);
    let confirmation = pick(&mut app, EmailKind::Confirmed);
    keys(&mut app, "r");
    pump(&mut app, &mut store);
    assert_eq!(app.status.as_ref().unwrap().text, "Confirmation queued for a…@example.be");
    let anna = app.rows.iter().find(|r| r.guest.name == "Anna Peeters").unwrap().id;
    let again = store.latest_message(anna, EmailKind::Confirmed).unwrap().unwrap();
    assert_eq!((again.resend_of, again.state), (Some(confirmation), guestmail::domain::MessageState::Queued));
}

#[test]
fn after_a_counter_reset_the_held_emails_are_offered_and_a_yes_sends_them() {
    use guestmail::app::Outcome;
    let (mut app, _store, _dir) = setup();
    app.update(Action::Done(Outcome::AddressReset { email: "bob@example.org".into(), held: 3 }));
    assert_eq!(question(&app).as_deref(), Some("3 emails were held while blocked. Send them now?"));
    key(&mut app, KeyCode::Enter);
    assert!(app.take_commands().is_empty(), "Enter does not answer");
    keys(&mut app, "y");
    assert_eq!(app.take_commands(), vec![Command::ReleaseHeld { email: "bob@example.org".into() }]);
    app.update(Action::Done(Outcome::HeldReleased { count: 3 }));
    assert_eq!(app.status.as_ref().unwrap().text, "3 held emails queued");
    // Nothing held: no question, only the reset's own news.
    app.update(Action::Done(Outcome::AddressReset { email: "bob@example.org".into(), held: 0 }));
    assert!(app.confirm().is_none());
}

#[test]
fn a_paused_or_stopped_outbox_stays_on_screen_until_it_works_again() {
    use guestmail::event::Background;
    use guestmail::failure::Reason;
    use guestmail::store::SendingPause;
    let (mut app, _store, _dir) = setup();
    let screen = |app: &mut App| {
        app.update(Action::Resize(140, 12));
        let mut terminal = Terminal::new(TestBackend::new(140, 12)).unwrap();
        terminal.draw(|f| f.render_widget(&*app, f.area())).unwrap();
        let buf = terminal.backend().buffer().clone();
        (0..12).map(|y| (0..140).map(|x| buf[(x, y)].symbol()).collect::<String>()).collect::<Vec<_>>().join("\n")
    };
    let pause = SendingPause {
        reason: Reason::Authentication,
        detail: "535 5.7.8 Error: authentication failed".into(),
        since: 0,
        last_at: 0,
        attempts: 1,
        retry_at: 60_000,
    };
    app.update(Action::Background(Background::Paused(Some(pause))));
    let s = screen(&mut app);
    assert!(s.contains("⚠ sending paused"), "{s}");
    assert!(s.contains("The mail server refused our login (535 5.7.8): check smtp_url and the password file"), "{s}");
    app.update(Action::Background(Background::Paused(None)));
    app.update(Action::Background(Background::Trouble(Some("attempt to write a readonly database".into()))));
    let s = screen(&mut app);
    assert!(s.contains("Sending stopped: attempt to write a readonly database"), "{s}");
    app.update(Action::Background(Background::Trouble(None)));
    let s = screen(&mut app);
    assert!(!s.contains("paused") && !s.contains("stopped"), "{s}");
}
