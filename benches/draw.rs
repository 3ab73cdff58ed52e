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
            replied: false,
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

/// The same terminal and row count drawn by a bare ratatui `Table` of plain strings (what
/// ratatui's own table example does), so the figure above can be read against the machine's
/// load: guestmail's own overhead is the difference.
fn baseline(c: &mut Criterion) {
    use ratatui::layout::Constraint;
    use ratatui::widgets::{Row, Table, TableState};
    let (width, height) = (140, ROWS + CHROME_ROWS);
    let data: Vec<[String; 8]> = (0..ROWS)
        .map(|i| {
            [
                format!("{:02}:{:02}", 11 + i / 20, i % 60),
                format!("Guest Number {i} Lastname"),
                (i % 8 + 1).to_string(),
                "confirmed".to_owned(),
                format!("+32 470 {:02} {:02} {:02}", i % 97, i % 89, i % 83),
                "●".to_owned(),
                "○".to_owned(),
                "✗".to_owned(),
            ]
        })
        .collect();
    let widths = [5, 0, 4, 10, 17, 4, 4, 4].map(|w| if w == 0 { Constraint::Fill(1) } else { Constraint::Length(w) });
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut state = TableState::default().with_selected(Some(0));
    c.bench_function("baseline: bare ratatui table, 200 rows", |b| {
        b.iter(|| {
            state.select(Some(usize::from(state.selected() == Some(0))));
            let rows = data.iter().map(|r| Row::new(r.iter().map(String::as_str)));
            let table =
                Table::new(rows, widths).header(Row::new(["Time", "Guest", "Pers", "Status", "Phone", "P", "C", "D"]));
            terminal.draw(|f| f.render_stateful_widget(black_box(table), f.area(), &mut state)).unwrap();
        });
    });
}

/// The widget alone: rendering the App into a fresh buffer, without the terminal's diff and
/// flush (what a frame costs guestmail; the rest is the backend's).
fn render_only(c: &mut Criterion) {
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::widgets::Widget as _;
    let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let (width, height) = (140, ROWS + CHROME_ROWS);
    let mut app = App::new("Le Petit Bistro", Language::En, Keymap::default(), day, day);
    app.update(Action::Resize(width, height));
    app.update(Action::DayLoaded(day, rows(day)));
    let area = Rect::new(0, 0, width, height);
    let mut buf = Buffer::empty(area);
    c.bench_function("render 200 rows into a buffer", |b| {
        b.iter(|| {
            buf.reset();
            black_box(&app).render(area, &mut buf);
        });
    });
}

criterion_group!(benches, draw, baseline, render_only);
criterion_main!(benches);
