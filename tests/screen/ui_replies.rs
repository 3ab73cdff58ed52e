//! The list's reply mark: a reservation whose guest answered one of its emails shows `↩`
//! after the name (issue 13); the others do not.

#![allow(clippy::unwrap_used)]

use crate::support;

use guestmail::action::Action;
use guestmail::app::App;
use guestmail::domain::Language;
use guestmail::keymap::Keymap;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::{day, marker_day};

fn line_with(t: &Terminal<TestBackend>, name: &str) -> String {
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .find(|l| l.contains(name))
        .unwrap_or_else(|| panic!("no row shows {name}"))
}

#[test]
fn a_replied_reservation_shows_the_reply_mark() {
    let dir = tempfile::tempdir().unwrap();
    let store = marker_day(&dir.path().join("g.db"));
    let mut rows = store.day(day()).unwrap();
    assert!(rows.iter().all(|r| !r.replied), "no replies in the fixture");
    rows[0].replied = true;
    let (replied, other) = (rows[0].guest.name.clone(), rows[1].guest.name.clone());
    let mut app = App::new("Le Petit Bistro", Language::En, Keymap::default(), day(), day());
    app.update(Action::DayLoaded(day(), rows));
    app.update(Action::Resize(100, 16));
    let mut t = Terminal::new(TestBackend::new(100, 16)).unwrap();
    t.draw(|f| f.render_widget(&app, f.area())).unwrap();
    assert!(line_with(&t, &replied).contains(&format!("{replied} ↩")), "{}", line_with(&t, &replied));
    assert!(!line_with(&t, &other).contains('↩'));
}
