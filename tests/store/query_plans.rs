//! Guards the indexes: the screen's queries must never fall back to a full scan of the big
//! tables (1.4 s instead of 2 ms on a million reservations).

#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use guestmail::demo::{DemoOptions, fill};
use guestmail::store::{DAY_QUERY, EXISTING_RESERVATION_QUERY, Store};

#[test]
fn the_day_query_never_scans_reservations_or_messages() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("g.db")).unwrap();
    fill(&mut store, &DemoOptions::week(NaiveDate::from_ymd_opt(2037, 11, 23).unwrap())).unwrap();
    let sql = DAY_QUERY.replace("?1", "'2037-11-23'").replace("?2", "'2037-11-24'").replace("?3", "1");
    let plan = store.explain(&sql).unwrap();
    assert!(plan.iter().any(|l| l.contains("reservations_by_start")), "{plan:#?}");
    for line in &plan {
        let scans_big_table = line.starts_with("SCAN") && (line.contains("reservations") || line.contains("messages"));
        assert!(!scans_big_table, "full scan in the day query: {line}\n{plan:#?}");
    }
}

#[test]
fn the_import_look_up_seeks_one_time_slot() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("g.db")).unwrap();
    fill(&mut store, &DemoOptions::week(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap())).unwrap();
    let sql = EXISTING_RESERVATION_QUERY
        .replace("?1", "'2026-11-23 19:30'")
        .replace("?2", "'anna@example.be'")
        .replace("?3", "1");
    let plan = store.explain(&sql).unwrap();
    assert!(plan.iter().any(|l| l.contains("reservations_by_start")), "{plan:#?}");
    assert!(!plan.iter().any(|l| l.starts_with("SCAN")), "a full scan in the import look-up: {plan:#?}");
}
