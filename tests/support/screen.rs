//! The screen without a terminal: keys as the terminal delivers them, a frame drawn into a
//! test backend, and a reservation row to load, shared by every test of `App` and `ui`.

use chrono::{NaiveDate, NaiveDateTime};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use guestmail::app::App;
use guestmail::domain::{AddressHealth, Guest, Language, Marker, ReservationRow, ReservationStatus};
use guestmail::event::Event;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Presses one key with modifiers; whether the screen changed.
pub fn key_with(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> bool {
    app.action_for(Event::Key(KeyEvent::new(code, modifiers))).is_some_and(|a| app.update(a))
}

/// Presses one key; whether the screen changed.
pub fn key(app: &mut App, code: KeyCode) -> bool {
    key_with(app, code, KeyModifiers::NONE)
}

/// Presses keys one after another.
pub fn press_all(app: &mut App, codes: &[KeyCode]) {
    for code in codes {
        key(app, *code);
    }
}

/// Types text, one key per character.
pub fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// Draws the whole screen at `width` x `height`, as the runner would after a resize.
pub fn draw(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    app.update(guestmail::action::Action::Resize(width, height));
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal.draw(|f| f.render_widget(&*app, f.area())).expect("draw");
    terminal
}

/// A confirmed reservation of two for `name` on `day` at `time` ("19:05"), with a sent
/// pending email; tests change the fields they are about.
pub fn row(id: i64, name: &str, day: NaiveDate, time: &str) -> ReservationRow {
    let starts_at = NaiveDateTime::parse_from_str(&format!("{day} {time}"), "%Y-%m-%d %H:%M").expect("a time");
    ReservationRow {
        id,
        starts_at,
        party_size: 2,
        status: ReservationStatus::Confirmed,
        notes: String::new(),
        confirmed_by_phone: false,
        guest: Guest {
            id,
            name: name.into(),
            email: format!("{}@example.org", name.to_lowercase()),
            phone: String::new(),
            language: Language::En,
        },
        address: AddressHealth::default(),
        markers: [Marker::Sent, Marker::None, Marker::None],
        replied: false,
    }
}
