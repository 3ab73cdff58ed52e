//! A writer that loses the race for the lock waits its turn: another connection holds the
//! write lock longer than SQLite's busy timeout (5 s), as a long import does, and a write
//! made meanwhile still succeeds once the lock is free, with no "database is locked".

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use guestmail::domain::{Language, NewReservation, ReservationStatus};
use guestmail::store::{BUSY_TIMEOUT, Store};

#[test]
fn a_write_behind_a_lock_longer_than_the_busy_timeout_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    drop(Store::open(&db).unwrap());
    let hold = BUSY_TIMEOUT + Duration::from_millis(1500);
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let db2 = db.clone();
    let holder = std::thread::spawn(move || {
        let conn = rusqlite::Connection::open(&db2).unwrap();
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        locked_tx.send(()).unwrap();
        std::thread::sleep(hold);
        conn.execute_batch("COMMIT").unwrap();
    });
    locked_rx.recv().unwrap();
    let started = Instant::now();
    let mut store = Store::open(&db).unwrap();
    let id = store
        .create_reservation(&NewReservation {
            name: "Anna".into(),
            email: "anna@example.org".into(),
            phone: String::new(),
            language: Language::En,
            starts_at: chrono::NaiveDate::from_ymd_opt(2037, 11, 28).unwrap().and_hms_opt(19, 30, 0).unwrap(),
            party_size: 2,
            status: ReservationStatus::Pending,
            notes: String::new(),
        })
        .unwrap();
    let waited = started.elapsed();
    holder.join().unwrap();
    assert!(id > 0);
    assert!(waited >= BUSY_TIMEOUT, "it really waited past the busy timeout: {waited:?}");
    assert!(waited < hold + Duration::from_secs(2), "and went ahead soon after the lock was free: {waited:?}");
}
