//! The store on both engines: the screen's queries, status changes, the address counter,
//! and two connections sharing one database; and, on SQLite only, what is about its file
//! (migrations by `user_version`, WAL, the file's mode).

#![allow(clippy::unwrap_used)]

use chrono::{NaiveDate, NaiveDateTime};
use guestmail::domain::{EmailKind, Language, Marker, MessageState, NewReservation, ReservationStatus};
use guestmail::store::{AddressErrorInput, SCHEMA_VERSION, Store, StoreError};

use crate::raw;
use crate::support::engines::{Db, Engine};

fn at(day: &str, time: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(&format!("{day} {time}"), "%Y-%m-%d %H:%M").unwrap()
}

fn booking(name: &str, email: &str, when: NaiveDateTime) -> NewReservation {
    NewReservation {
        name: name.into(),
        email: email.into(),
        phone: "+32 475 00 00 00".into(),
        language: Language::Fr,
        starts_at: when,
        party_size: 2,
        status: ReservationStatus::Pending,
        notes: String::new(),
    }
}

fn fresh() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("g.db")).unwrap();
    (dir, store)
}

#[test]
fn migrations_run_from_an_empty_file_and_reopen_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/dir/g.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.reservation_count().unwrap(), 0);
    let version: i64 =
        rusqlite::Connection::open(&path).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let mode: String =
        rusqlite::Connection::open(&path).unwrap().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

fn a_fresh_store_is_at_the_current_version_and_reopens_cleanly(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let store = Store::open(&db.location).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    drop(store);
    let store = Store::open(&db.location).unwrap();
    assert_eq!(store.reservation_count().unwrap(), 0);
    let version = if db.schema.is_some() {
        raw::query_i64(db, "SELECT MAX(version) FROM schema_version")
    } else {
        raw::query_i64(db, "PRAGMA user_version")
    };
    assert_eq!(version, SCHEMA_VERSION);
}

crate::both_engines!(a_fresh_store_is_at_the_current_version_and_reopens_cleanly);

#[cfg(unix)]
#[test]
fn the_database_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let (dir, _store) = fresh();
    let mode = std::fs::metadata(dir.path().join("g.db")).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "mode {mode:o}");
}

fn a_database_from_a_newer_guestmail_is_refused(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    drop(Store::open(&db.location).unwrap());
    let newer = SCHEMA_VERSION + 1;
    raw::execute(
        db,
        &if db.schema.is_some() {
            format!("UPDATE schema_version SET version = {newer}")
        } else {
            format!("PRAGMA user_version = {newer}")
        },
    );
    let err = Store::open(&db.location).unwrap_err();
    assert!(matches!(err, StoreError::TooNew { .. }), "{err}");
    assert!(err.to_string().contains("newer"), "{err}");
}

crate::both_engines!(a_database_from_a_newer_guestmail_is_refused);

fn the_day_lists_its_reservations_by_time_with_the_pending_email_queued(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut store = Store::open(&db.location).unwrap();
    let day = "2037-11-23";
    store.create_reservation(&booking("Late Guest", "late@example.org", at(day, "21:00"))).unwrap();
    store.create_reservation(&booking("Early Guest", "early@example.org", at(day, "12:00"))).unwrap();
    store.create_reservation(&booking("Tomorrow", "tomorrow@example.org", at("2037-11-24", "00:00"))).unwrap();
    store.create_reservation(&booking("Yesterday", "yday@example.org", at("2037-11-22", "23:59"))).unwrap();
    let rows = store.day(NaiveDate::from_ymd_opt(2037, 11, 23).unwrap()).unwrap();
    let names: Vec<_> = rows.iter().map(|r| r.guest.name.as_str()).collect();
    assert_eq!(names, ["Early Guest", "Late Guest"]);
    assert_eq!(rows[0].markers, [Marker::Queued, Marker::None, Marker::None]);
    assert_eq!(rows[0].guest.language, Language::Fr);
    assert_eq!(rows[0].address.error_count, 0);
}

crate::both_engines!(the_day_lists_its_reservations_by_time_with_the_pending_email_queued);

fn a_status_change_follows_the_rules_and_queues_its_email(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut store = Store::open(&db.location).unwrap();
    let id = store.create_reservation(&booking("Anna", "anna@example.org", at("2037-11-23", "19:00"))).unwrap();
    let err = store.set_status(id, ReservationStatus::Completed, "staff").unwrap_err();
    assert!(err.to_string().contains("pending reservation cannot become completed"), "{err}");
    assert!(store.messages_for_reservation(id).unwrap().len() == 1, "a refused change queues nothing");

    let queued = store.set_status(id, ReservationStatus::Confirmed, "staff").unwrap().unwrap();
    let m = store.message(queued).unwrap();
    assert_eq!(
        (m.kind, m.state, m.recipient.as_str()),
        (EmailKind::Confirmed, MessageState::Queued, "anna@example.org")
    );
    assert_eq!(m.token.len(), 32);
    assert!(m.message_id.starts_with('<') && m.message_id.ends_with('>'));
    let row = store.reservation(id).unwrap();
    assert_eq!(row.status, ReservationStatus::Confirmed);
    // The request was still waiting: the confirmation says it all, so it is withdrawn.
    assert_eq!(row.markers, [Marker::None, Marker::Queued, Marker::None]);
    let request = store.latest_message(id, EmailKind::Pending).unwrap().unwrap();
    assert_eq!(request.state, MessageState::Withdrawn);
    let log = store.events_for_reservation(id).unwrap();
    assert!(log.iter().any(|e| e.detail == "pending -> confirmed" && e.actor == "staff"), "{log:?}");

    // The meal has not happened: a no-show is refused until then.
    let err = store.set_status(id, ReservationStatus::NoShow, "staff").unwrap_err();
    assert!(matches!(err, guestmail::store::StoreError::Refused(_)), "{err}");
}

crate::both_engines!(a_status_change_follows_the_rules_and_queues_its_email);

fn a_bad_row_in_a_batch_leaves_nothing_behind(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut store = Store::open(&db.location).unwrap();
    let good = booking("Good", "good@example.org", at("2037-11-23", "19:00"));
    let bad = booking("Bad", "not-an-address", at("2037-11-23", "19:30"));
    let (index, err) = store.create_reservations(&[good.clone(), bad], |_| true).unwrap_err();
    assert_eq!(index, 1);
    assert!(err.to_string().contains("not-an-address"), "{err}");
    assert_eq!(store.reservation_count().unwrap(), 0);
    assert_eq!(store.create_reservations(&[good], |_| true).unwrap().len(), 1);
}

crate::both_engines!(a_bad_row_in_a_batch_leaves_nothing_behind);

fn errors_block_an_address_above_the_threshold_and_a_reset_frees_it(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut store = Store::open(&db.location).unwrap();
    let email = "full@example.org";
    let error = AddressErrorInput { diagnostic: "452 4.2.2 Mailbox full", actor: "test", ..Default::default() };
    for n in 1..=3 {
        let a = store.record_address_error(email, &error, 3).unwrap();
        assert_eq!((a.error_count, a.blocked), (n, false), "three errors are not above three");
    }
    let a = store.record_address_error(email, &error, 3).unwrap();
    assert_eq!((a.error_count, a.blocked), (4, true));
    assert_eq!(a.last_error.as_deref(), Some("452 4.2.2 Mailbox full"));

    // A blocked address still gets its row, kept as suppressed, so nothing is lost.
    let id = store.create_reservation(&booking("Full", email, at("2037-11-23", "19:00"))).unwrap();
    assert_eq!(store.messages_for_reservation(id).unwrap()[0].state, MessageState::Suppressed);
    assert_eq!(store.reservation(id).unwrap().markers[0], Marker::Failed);

    let a = store.reset_address(email, "host").unwrap();
    assert_eq!((a.error_count, a.blocked), (0, false));
    let log = store.events_for_address(email).unwrap();
    assert_eq!(log.iter().filter(|e| e.kind == guestmail::domain::EventKind::Bounced).count(), 4, "errors stay");
    assert!(log.iter().any(|e| e.kind == guestmail::domain::EventKind::CounterReset && e.actor == "host"));

    for _ in 0..4 {
        store.record_address_error(email, &error, 3).unwrap();
    }
    assert!(store.address(email).unwrap().unwrap().blocked, "errors coming back block it again");
}

crate::both_engines!(errors_block_an_address_above_the_threshold_and_a_reset_frees_it);

fn a_complaint_blocks_at_once(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut store = Store::open(&db.location).unwrap();
    let complaint = AddressErrorInput {
        class: Some(guestmail::domain::BounceClass::Complaint),
        diagnostic: "abuse report",
        actor: "bounce",
        ..Default::default()
    };
    let a = store.record_address_error("spam@example.org", &complaint, 12).unwrap();
    assert_eq!((a.error_count, a.blocked), (1, true));
}

crate::both_engines!(a_complaint_blocks_at_once);

fn two_connections_share_one_file(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut writer = Store::open(&db.location).unwrap();
    let reader = Store::open(&db.location).unwrap();
    let before = reader.data_version().unwrap();
    let id = writer.create_reservation(&booking("Bo", "bo@example.org", at("2037-11-23", "20:00"))).unwrap();
    // SQLite's counter moves at once; PostgreSQL's notification arrives a moment after the
    // commit, so the reader polls as the screen does (for at most five seconds).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while reader.data_version().unwrap() == before && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_ne!(reader.data_version().unwrap(), before, "the reader sees that another connection wrote");
    assert_eq!(reader.reservation(id).unwrap().guest.name, "Bo");

    // Writers on two threads, each with its own connection, all succeed thanks to the busy timeout.
    let path = db.location.clone();
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut s = Store::open(&path).unwrap();
                for i in 0..25 {
                    let email = format!("t{t}-{i}@example.org");
                    s.create_reservation(&booking("Thread", &email, at("2037-11-25", "19:00"))).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(reader.reservation_count().unwrap(), 101);
}

crate::both_engines!(two_connections_share_one_file);

fn a_returning_guest_is_found_by_address(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut store = Store::open(&db.location).unwrap();
    let a = store.create_reservation(&booking("Anna", "Anna@Example.org", at("2037-11-23", "19:00"))).unwrap();
    let b = store.create_reservation(&booking("Anna P.", "anna@example.org", at("2037-11-30", "19:00"))).unwrap();
    let (ra, rb) = (store.reservation(a).unwrap(), store.reservation(b).unwrap());
    assert_eq!(ra.guest.id, rb.guest.id);
    assert_eq!(rb.guest.name, "Anna P.");
}

crate::both_engines!(a_returning_guest_is_found_by_address);

/// Each marker shows the newest email of its kind (a resend replaces what the older copy
/// showed), with that email's own opens; other kinds (a reminder) mark nothing. The day
/// list and the one-reservation query agree row for row.
fn the_markers_show_the_newest_email_of_each_kind(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut store = Store::open(&db.location).unwrap();
    let day = "2037-11-23";
    let quiet = store.create_reservation(&booking("Quiet", "quiet@example.org", at(day, "12:00"))).unwrap();
    let busy = store.create_reservation(&booking("Busy", "Busy@Example.org", at(day, "20:00"))).unwrap();
    let guest = store.reservation(busy).unwrap().guest.id;
    let queue = |store: &mut Store, kind: EmailKind, resend_of: Option<i64>| {
        let m = guestmail::store::NewMessage {
            reservation_id: Some(busy),
            guest_id: guest,
            kind,
            recipient: "busy@example.org",
            subject: "s",
            resend_of,
            actor: "test",
        };
        store.queue_message(&m).unwrap().0
    };
    let pending = store.latest_message(busy, EmailKind::Pending).unwrap().unwrap().id;
    store.fixture_set_message(pending, MessageState::Sent, 2, 0).unwrap();
    let first = queue(&mut store, EmailKind::Confirmed, None);
    store.fixture_set_message(first, MessageState::Sent, 1, 0).unwrap();
    let again = queue(&mut store, EmailKind::Confirmed, Some(first));
    store.fixture_set_message(again, MessageState::Sent, 0, 3).unwrap();
    let reminder = queue(&mut store, EmailKind::Reminder, None);
    store.fixture_set_message(reminder, MessageState::Bounced, 0, 0).unwrap();
    let thanks = queue(&mut store, EmailKind::Completed, None);
    store.fixture_set_message(thanks, MessageState::Bounced, 0, 0).unwrap();

    let rows = store.day(NaiveDate::from_ymd_opt(2037, 11, 23).unwrap()).unwrap();
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), [quiet, busy]);
    assert_eq!(rows[0].markers, [Marker::Queued, Marker::None, Marker::None]);
    assert_eq!(rows[1].markers, [Marker::Opened, Marker::MachineOpened, Marker::Failed]);
    assert_eq!(store.reservation(busy).unwrap(), rows[1]);
    assert_eq!(store.reservation(quiet).unwrap(), rows[0]);
}

crate::both_engines!(the_markers_show_the_newest_email_of_each_kind);
