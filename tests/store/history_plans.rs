//! Guards the indexes of the history queries: none of them may fall back to a full scan of
//! messages or reservations, nor sort a whole table to find the newest rows (seconds on a
//! million reservations instead of milliseconds).

#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use guestmail::demo::{DemoOptions, fill};
use guestmail::domain::{EmailKind, MessageState};
use guestmail::store::{CommCursor, CommFilter, FOLLOW_UP_QUERY, GUEST_EMAILS_QUERY, HEALTH_QUERY, Store, comm_query};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("g.db")).unwrap();
    fill(&mut store, &DemoOptions::week(NaiveDate::from_ymd_opt(2037, 11, 23).unwrap())).unwrap();
    (dir, store)
}

/// The plan, checked: no full scan of a big table, no sort of the whole result, and the
/// named index used.
fn assert_plan(store: &Store, sql: &str, index: &str) {
    let sql = sql.replace("?1", "1").replace("?2", "2").replace("?3", "3").replace("?4", "4");
    let plan = store.explain(&sql).unwrap();
    assert!(plan.iter().any(|l| l.contains(index)), "{index} not used:\n{sql}\n{plan:#?}");
    for line in &plan {
        let full_scan = line.starts_with("SCAN")
            && !line.contains("INDEX")
            && (line.contains("messages")
                || line.contains("reservations")
                || line.contains(" m")
                || line.contains(" r"));
        assert!(!full_scan, "full scan: {line}\n{sql}\n{plan:#?}");
        assert!(!line.contains("TEMP B-TREE FOR ORDER BY"), "sorts the whole result: {line}\n{sql}\n{plan:#?}");
    }
}

#[test]
fn the_guest_history_reads_the_guest_index() {
    let (_dir, store) = store();
    assert_plan(&store, GUEST_EMAILS_QUERY, "messages_by_guest");
}

#[test]
fn the_follow_up_list_reads_one_day_and_one_seek_per_reservation() {
    let (_dir, store) = store();
    let sql = FOLLOW_UP_QUERY
        .replace("?1", "'2037-11-23'")
        .replace("?2", "'2037-11-24'")
        .replace("?3", "'2037-11-23 18:00'")
        .replace("?4", "1");
    assert_plan(&store, &sql, "reservations_by_start");
    assert_plan(&store, &sql, "messages_by_reservation");
}

#[test]
fn the_delivery_health_reads_only_an_index() {
    let (_dir, store) = store();
    assert_plan(&store, HEALTH_QUERY, "COVERING INDEX messages_by_state_created");
}

#[test]
fn every_filter_of_the_communication_history_walks_an_index_in_time_order() {
    let (_dir, store) = store();
    let after = Some(CommCursor { created_at: 1_790_000_000_000, id: 1000 });
    let kind = CommFilter { kind: Some(EmailKind::Reminder), ..CommFilter::default() };
    let state = CommFilter { state: Some(MessageState::Suppressed), ..CommFilter::default() };
    let dates = CommFilter { from: Some(1), to: Some(1_800_000_000_000), ..CommFilter::default() };
    let text = CommFilter { text: "moreau".into(), ..CommFilter::default() };
    let cases = [
        (CommFilter::default(), None, "messages_by_created"),
        (kind, None, "messages_by_kind_created"),
        (state, None, "messages_by_state_created"),
        (dates, None, "messages_by_created"),
        // Many guests match the text: walk by time and filter.
        (text.clone(), None, "messages_by_created"),
    ];
    for (f, guests, index) in cases {
        for cursor in [None, after] {
            let (sql, values) = comm_query(&f, guests, 50, cursor);
            let mut sql = sql;
            for (i, v) in values.iter().enumerate().rev() {
                let literal = match v {
                    guestmail::store::engine::Value::Integer(n) => n.to_string(),
                    guestmail::store::engine::Value::Text(t) => format!("'{t}'"),
                    other => panic!("{other:?}"),
                };
                sql = sql.replace(&format!("?{}", i + 1), &literal);
            }
            assert_plan(&store, &sql, index);
        }
    }
    // Few guests match: their emails are read by guest, and that result is small enough to
    // sort (a few hundred rows at most), so only the index use is checked.
    let (sql, _) = comm_query(&CommFilter::default(), Some(&[1, 2, 3]), 50, None);
    let plan = store.explain(&sql).unwrap();
    assert!(plan.iter().any(|l| l.contains("messages_by_guest")), "{plan:#?}");
}
