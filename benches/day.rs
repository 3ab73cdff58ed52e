//! The host-stand screen's data path on the 1,000,000-reservation demo database:
//! the day query (p50/p99) against a plain indexed SQLite query of the same rows; switching
//! to another day (query + draw of a 120x40 frame); opening the store to the first frame.
//!
//! `cargo bench --bench day`. The database is built once with `guestmail::demo` at
//! `target/bench/demo-1m.db` (or `GUESTMAIL_BENCH_DB`); building it takes a few minutes.
//!
//! With `GUESTMAIL_BENCH_PG=postgres://…` naming a PostgreSQL database that holds the same
//! data (`guestmail migrate-store --from target/bench/demo-1m.db --to …`), the day query is
//! also timed there, on the same days, beside SQLite's (issue 14: within 2x).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{Local, NaiveDate};
use guestmail::action::Action;
use guestmail::app::App;
use guestmail::demo::{DemoOptions, fill};
use guestmail::domain::Language;
use guestmail::keymap::Keymap;
use guestmail::store::{DAY_QUERY, Store};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub fn bench_db() -> PathBuf {
    let path = std::env::var_os("GUESTMAIL_BENCH_DB")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench/demo-1m.db"), PathBuf::from);
    if !path.exists() {
        eprintln!("building the 1,000,000-reservation demo database at {} ...", path.display());
        let tmp = path.with_extension("partial");
        let _ = std::fs::remove_file(&tmp);
        let mut store = Store::open(&tmp).unwrap();
        let opts = DemoOptions { reservations: 1_000_000, ..DemoOptions::week(Local::now().date_naive()) };
        fill(&mut store, &opts).unwrap();
        drop(store);
        std::fs::rename(&tmp, &path).unwrap();
    }
    path
}

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize];
    (at(0.50), at(0.99))
}

fn main() {
    let path = bench_db();
    let store = Store::open(&path).unwrap();
    let today = Local::now().date_naive();
    // Past days, each with about 400 reservations.
    let days: Vec<NaiveDate> = (1..=200).map(|d| today - chrono::Duration::days(d * 7)).collect();
    let rows = store.day(days[0]).unwrap().len();

    // The plain indexed query: the same SQL, rows read as raw values, no domain types.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let plain = |day: NaiveDate| {
        let mut stmt = conn.prepare_cached(DAY_QUERY).unwrap();
        let from = format!("{day} 00:00");
        let to = format!("{} 00:00", day.succ_opt().unwrap());
        let mut rows = stmt.query(rusqlite::params![from, to, 1]).unwrap();
        let mut n = 0;
        while let Some(r) = rows.next().unwrap() {
            let _: i64 = r.get(0).unwrap();
            let _: Option<String> = r.get(14).unwrap();
            n += 1;
        }
        n
    };
    for d in &days {
        std::hint::black_box(plain(*d));
        std::hint::black_box(store.day(*d).unwrap());
    }
    let mut plain_t = Vec::new();
    let mut ours_t = Vec::new();
    for _ in 0..5 {
        for d in &days {
            let t = Instant::now();
            std::hint::black_box(plain(*d));
            plain_t.push(t.elapsed());
            let t = Instant::now();
            std::hint::black_box(store.day(*d).unwrap());
            ours_t.push(t.elapsed());
        }
    }
    let (pp50, pp99) = percentiles(plain_t);
    let (op50, op99) = percentiles(ours_t);
    println!("day query, {rows} reservations a day, {} days x 5 rounds:", days.len());
    println!("  plain indexed SQLite query: p50 {pp50:?}  p99 {pp99:?}");
    println!("  store.day() (guestmail):    p50 {op50:?}  p99 {op99:?}");
    println!(
        "  ratio p50 {:.2}x  p99 {:.2}x",
        op50.as_secs_f64() / pp50.as_secs_f64(),
        op99.as_secs_f64() / pp99.as_secs_f64()
    );

    if let Ok(url) = std::env::var("GUESTMAIL_BENCH_PG") {
        // migrate-store copied the file in as a venue of its own: work on that one.
        let pg = Store::open(url.as_str()).unwrap();
        let venue = std::env::var("GUESTMAIL_BENCH_PG_VENUE").unwrap_or_else(|_| "Le Petit Bistro".into());
        let id = pg.find_venue(&venue).unwrap().map_or(1, |v| v.id);
        let pg = pg.with_venue(id);
        let pg_rows = pg.day(days[0]).unwrap().len();
        assert_eq!(pg_rows, rows, "PostgreSQL holds the same reservations on {}", days[0]);
        for d in &days {
            std::hint::black_box(pg.day(*d).unwrap());
        }
        let mut pg_t = Vec::new();
        let mut sqlite_t = Vec::new();
        for _ in 0..5 {
            for d in &days {
                let t = Instant::now();
                std::hint::black_box(pg.day(*d).unwrap());
                pg_t.push(t.elapsed());
                let t = Instant::now();
                std::hint::black_box(store.day(*d).unwrap());
                sqlite_t.push(t.elapsed());
            }
        }
        let (q50, q99) = percentiles(pg_t);
        let (s50, s99) = percentiles(sqlite_t);
        println!("day query on PostgreSQL (same data, same days, loopback):");
        println!("  store.day() on SQLite:     p50 {s50:?}  p99 {s99:?}");
        println!("  store.day() on PostgreSQL: p50 {q50:?}  p99 {q99:?}");
        println!(
            "  ratio PostgreSQL/SQLite p50 {:.2}x  p99 {:.2}x (target <= 2)",
            q50.as_secs_f64() / s50.as_secs_f64(),
            q99.as_secs_f64() / s99.as_secs_f64()
        );
    }

    // Switching day as the screen does it: the query, then one frame drawn.
    let mut app = App::new("Le Petit Bistro", Language::En, Keymap::default(), today, today);
    app.update(Action::Resize(120, 40));
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let mut switch_t = Vec::new();
    for d in &days {
        let t = Instant::now();
        app.update(Action::DayLoaded(*d, store.day(*d).unwrap()));
        terminal.draw(|f| f.render_widget(&app, f.area())).unwrap();
        switch_t.push(t.elapsed());
    }
    let (s50, s99) = percentiles(switch_t);
    println!("switch day (query + draw 120x40): p50 {s50:?}  p99 {s99:?}");

    // Opening: the store (schema check), today's query and the first frame.
    let t = Instant::now();
    let s = Store::open(&path).unwrap();
    let mut app = App::new("Le Petit Bistro", Language::En, Keymap::default(), today, today);
    app.update(Action::Resize(120, 40));
    app.update(Action::DayLoaded(today, s.day(today).unwrap()));
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal.draw(|f| f.render_widget(&app, f.area())).unwrap();
    println!("open the store to the first frame: {:?}", t.elapsed());
}
