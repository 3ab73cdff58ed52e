//! How soon a change made on one terminal shows on another: a write on one connection, then
//! the other terminal's data thread (`tui::serve_days`, the screen's own code) hearing of it
//! and handing the reloaded day to the screen. On PostgreSQL the news comes by
//! `LISTEN`/`NOTIFY`; on SQLite by `PRAGMA data_version`. Drawing the frame adds about 1 ms
//! (`cargo bench --bench draw`).
//!
//! `GUESTMAIL_BENCH_PG=postgres://… cargo bench --bench live_screens` (a database it may
//! write to: it adds a day of reservations); SQLite runs in a temporary file either way.
//! Target (issue 14): within 300 ms.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use guestmail::domain::{Language, NewReservation, ReservationStatus};
use guestmail::event::Event;
use guestmail::store::{Location, Store};
use guestmail::tui::{Request, serve_days};

const SAMPLES: usize = 40;

fn walk_in(day: NaiveDate, i: usize) -> NewReservation {
    NewReservation {
        name: format!("Walk-in {i}"),
        email: format!("walkin{i}@example.org"),
        phone: String::new(),
        language: Language::En,
        starts_at: NaiveDateTime::new(day, chrono::NaiveTime::from_hms_opt(18, 0, 0).unwrap()),
        party_size: 2,
        status: ReservationStatus::Pending,
        notes: String::new(),
    }
}

fn measure(location: &Location, label: &str) {
    let day = chrono::Local::now().date_naive() + chrono::Duration::days(400 + fastrand::i64(0..300));
    let mut writer = Store::open(location).unwrap();
    let mut watcher = Store::open(location).unwrap();
    let (req_tx, req_rx) = mpsc::channel();
    let (ev_tx, ev_rx) = mpsc::channel();
    let thread = std::thread::spawn(move || serve_days(&mut watcher, &req_rx, &ev_tx));
    req_tx.send(Request::Load(day)).unwrap();
    let mut seen = 0;
    let mut samples = Vec::with_capacity(SAMPLES);
    for i in 0..SAMPLES {
        // Let the watcher settle between changes, as a host's changes are spaced.
        std::thread::sleep(Duration::from_millis(150));
        while ev_rx.try_recv().is_ok() {}
        let t = Instant::now();
        writer.create_reservation(&walk_in(day, i)).unwrap();
        loop {
            match ev_rx.recv_timeout(Duration::from_secs(5)).expect("the watcher reloads the day") {
                Event::DayLoaded(d, rows) if d == day && rows.len() > seen => {
                    seen = rows.len();
                    samples.push(t.elapsed());
                    break;
                }
                _ => {}
            }
        }
    }
    drop(req_tx);
    drop(ev_rx);
    let _ = thread.join();
    samples.sort();
    let at = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "{label}: a change on one terminal on screen on the other: p50 {:?}  p99 {:?}  max {:?} ({SAMPLES} changes)",
        at(0.5),
        at(0.99),
        samples[samples.len() - 1]
    );
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    measure(&Location::from(dir.path().join("live.db")), "SQLite (data_version)");
    match std::env::var("GUESTMAIL_BENCH_PG") {
        Ok(url) => measure(&Location::parse(&url), "PostgreSQL (LISTEN/NOTIFY)"),
        Err(_) => println!("PostgreSQL: skipped (set GUESTMAIL_BENCH_PG)"),
    }
}
