//! Drawing one frame of 200 visible reservation rows into a `TestBackend` (issue 2's
//! target: under 1.5 ms). Run: `cargo bench --bench draw`.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use chrono::{Duration, NaiveDate};
use criterion::{Criterion, criterion_group, criterion_main};
use guestmail::action::Action;
use guestmail::app::{App, CHROME_ROWS};
use guestmail::domain::{AddressHealth, Guest, Language, Marker, ReservationRow, ReservationStatus};
use guestmail::keymap::Keymap;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const ROWS: u16 = 200;

fn rows(day: NaiveDate) -> Vec<ReservationRow> {
    let start = day.and_hms_opt(11, 0, 0).unwrap();
    (0..i64::from(ROWS) + 20)
        .map(|i| ReservationRow {
            id: i,
            starts_at: start + Duration::minutes(i * 3),
            party_size: (i % 8 + 1) as u32,
            status: ReservationStatus::ALL[(i % 5) as usize],
            notes: String::new(),
            confirmed_by_phone: false,
            guest: Guest {
                id: i,
                name: format!("Guest Number {i} Lastname"),
                email: format!("guest{i}@example.org"),
                phone: format!("+32 470 {:02} {:02} {:02}", i % 97, i % 89, i % 83),
                language: Language::En,
            },
            address: AddressHealth::default(),
            markers: [0, 1, 2].map(|k| Marker::ALL[((i + k) % 7) as usize]),
        })
        .collect()
}

fn draw(c: &mut Criterion) {
    let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let (width, height) = (140, ROWS + CHROME_ROWS);
    let mut app = App::new("Le Petit Bistro", Language::En, Keymap::default(), day, day);
    app.update(Action::Resize(width, height));
    app.update(Action::DayLoaded(day, rows(day)));
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    // Moving the highlight each time makes every frame differ, as it does in use.
    let mut down = true;
    c.bench_function("draw 200 rows", |b| {
        b.iter(|| {
            app.update(if down { Action::SelectNext } else { Action::SelectPrevious });
            down = !down;
            terminal.draw(|f| f.render_widget(black_box(&app), f.area())).unwrap();
        });
    });
}

criterion_group!(benches, draw);
criterion_main!(benches);
