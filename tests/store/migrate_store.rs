//! `migrate-store` (issue 14): a real SQLite store full of demo data copied into a real
//! PostgreSQL schema that already holds another venue's rows, so every id must move: the
//! counts match table by table, the copied venue's day lists equal the file's, the file's
//! bytes are unchanged, and a second copy with the same sender is refused with nothing
//! written. Skipped, saying why, without `GUESTMAIL_TEST_PG`.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use chrono::{Duration, NaiveDate};
use guestmail::demo::{DemoOptions, fill};
use guestmail::domain::ReservationRow;
use guestmail::store::{Location, NOT_COPIED, Store, StoreError};
use guestmail::venue::VenueRefusal;

use crate::support::pg;
use crate::venues::{booking, new_venue};

fn sha256(path: &Path) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, &std::fs::read(path).unwrap()))
}

/// A day's rows without their ids (the copy gives them new ones; checked apart).
fn without_ids(rows: &[ReservationRow]) -> Vec<ReservationRow> {
    rows.iter()
        .cloned()
        .map(|mut r| {
            r.id = 0;
            r.guest.id = 0;
            r
        })
        .collect()
}

#[test]
fn migrate_store_copies_a_demo_store_as_a_new_venue() {
    let Some(schema) = pg::fresh() else {
        eprintln!("skip migrate_store_copies_a_demo_store_as_a_new_venue: {} is not set", pg::ENV);
        return;
    };
    let today = NaiveDate::from_ymd_opt(2037, 11, 23).unwrap();
    let days: Vec<NaiveDate> = (-10..=4).map(|d| today + Duration::days(d)).collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("venue.db");
    let (file_days, healthy_email) = {
        let mut sqlite = Store::open(&file).unwrap();
        fill(&mut sqlite, &DemoOptions::week(today)).unwrap();
        let file_days: Vec<Vec<ReservationRow>> = days.iter().map(|d| sqlite.day(*d).unwrap()).collect();
        let healthy = file_days
            .iter()
            .flatten()
            .find(|r| r.address.error_count == 0 && !r.address.blocked)
            .map(|r| r.guest.email.clone())
            .unwrap();
        (file_days, healthy)
    };
    let total: usize = file_days.iter().map(Vec::len).sum();
    assert!(total > 100, "the demo fills these days ({total} reservations)");
    let before = sha256(&file);

    // The target already holds the implicit venue's rows, one guest sharing an address.
    let url = Location::parse(schema.url());
    let mut target = Store::open(&url).unwrap();
    for (i, email) in ["someone@else.example", healthy_email.as_str(), "third@else.example"].iter().enumerate() {
        target.create_reservation(&booking(email, today, (18, i as u32 * 15))).unwrap();
    }
    let implicit_before = target.day(today).unwrap();

    let report = target
        .copy_sqlite_venue(&file, &new_venue("Bistro", "bistro@mail.group.example"), "reservations@group.example")
        .unwrap();
    assert_eq!(sha256(&file), before, "the SQLite file must be left untouched");

    // Counts: read = written + merged everywhere; the shared address merged; ids moved.
    let count = |t: &str| report.tables.iter().find(|c| c.table == t).unwrap_or_else(|| panic!("no count for {t}"));
    for c in &report.tables {
        assert_eq!(c.read, c.written + c.merged, "{c:?}");
    }
    assert_eq!(count("reservations").read as usize, {
        let src = rusqlite::Connection::open_with_flags(&file, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        src.query_row("SELECT COUNT(*) FROM reservations", [], |r| r.get::<_, i64>(0)).unwrap() as usize
    });
    assert_eq!(count("addresses").merged, 1, "{:?}", count("addresses"));
    assert_eq!(count("guests").merged, 0);
    assert!(count("messages").written > 0 && count("events").written > 0);
    assert!(count("reservations").id_offset >= 3 && count("guests").id_offset >= 3, "{:?}", report.tables);

    // The copied venue's day lists are the file's, each id moved by its table's offset.
    let copied = Store::open(&url).unwrap().with_venue(report.venue.id);
    for (d, from_file) in days.iter().zip(&file_days) {
        let there = copied.day(*d).unwrap();
        assert_eq!(without_ids(&there), without_ids(from_file), "day {d}");
        let moved: Vec<(i64, i64)> = from_file
            .iter()
            .map(|r| (r.id + count("reservations").id_offset, r.guest.id + count("guests").id_offset))
            .collect();
        assert_eq!(there.iter().map(|r| (r.id, r.guest.id)).collect::<Vec<_>>(), moved, "day {d}");
    }
    // The implicit venue is as it was, and new rows get ids past the copied ones.
    assert_eq!(Store::open(&url).unwrap().day(today).unwrap(), implicit_before);
    let next = target.create_reservation(&booking("late@else.example", today, (22, 0))).unwrap();
    let highest = file_days.iter().flatten().map(|r| r.id).max().unwrap() + count("reservations").id_offset;
    assert!(next > highest, "{next} must be past the copied ids (up to {highest})");

    // The same sender again: refused, and nothing of it written.
    let venues_before = target.venues().unwrap().len();
    let err = target
        .copy_sqlite_venue(&file, &new_venue("Brasserie", "Bistro@Mail.Group.Example"), "reservations@group.example")
        .unwrap_err();
    assert!(matches!(err, StoreError::Venue(VenueRefusal::SenderTaken { .. })), "{err}");
    assert_eq!(target.venues().unwrap().len(), venues_before);
    assert_eq!(sha256(&file), before);
}

#[test]
fn migrate_store_refuses_a_sqlite_target_and_names_what_it_leaves_out() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.db");
    drop(Store::open(&file).unwrap());
    let mut sqlite = Store::open(dir.path().join("b.db")).unwrap();
    let err = sqlite.copy_sqlite_venue(&file, &new_venue("Bistro", "bistro@mail.group.example"), "").unwrap_err();
    assert!(err.to_string().contains("PostgreSQL"), "{err}");
    // Each table left out says why.
    assert!(NOT_COPIED.iter().all(|(_, why)| !why.is_empty()));
}
