//! `guestmail forget EMAIL` through the real binary: afterwards the guest's name, addresses,
//! phone, notes, open IPs and User-Agents are in no column of any table and not in the
//! database file's bytes either; the anonymous counts are unchanged; other guests untouched.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use chrono::NaiveDateTime;
use guestmail::domain::{BounceClass, EmailKind, Language, NewReservation, ReservationStatus};
use guestmail::store::{AddressErrorInput, BounceLinks, NewBounce, OpenHit, OpenVerdict, Store, now_ms};

const OLD: &str = "anna.old@example.be";
const NEW: &str = "anna.peeters@example.be";
const SECRETS: &[&str] =
    &["Anna Peeters", "Peeters", OLD, NEW, "+32 475 98 76 54", "203.0.113.77", "AnnaPhone/17", "nut allergy"];

fn guestmail(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guestmail"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("GUESTMAIL_DB")
        .output()
        .unwrap()
}

fn book(store: &mut Store, name: &str, email: &str, phone: &str, when: &str, notes: &str) -> i64 {
    store
        .create_reservation(&NewReservation {
            name: name.into(),
            email: email.into(),
            phone: phone.into(),
            language: Language::Fr,
            starts_at: NaiveDateTime::parse_from_str(when, "%Y-%m-%d %H:%M").unwrap(),
            party_size: 2,
            status: ReservationStatus::Confirmed,
            notes: notes.into(),
        })
        .unwrap()
}

/// Anna: two reservations, an address change, opens, a bounce naming her address, a
/// complaint and a counter reset. Bob: one reservation, opened.
fn fixture(db: &Path) {
    let mut store = Store::open(db).unwrap();
    let first = book(&mut store, "Anna Peeters", OLD, "+32 475 98 76 54", "2037-11-20 19:00", "nut allergy");
    let first_msg = store.latest_message(first, EmailKind::Confirmed).unwrap().unwrap();
    store.fixture_mark_sent(first_msg.id, now_ms() - 60_000).unwrap();
    let bounce = NewBounce {
        recipient: OLD,
        class: BounceClass::Hard,
        status: Some("5.1.1"),
        reply_code: Some("550"),
        action: Some("failed"),
        diagnostic: "550 5.1.1 <anna.old@example.be>: user unknown",
    };
    let links = BounceLinks { verp_token: Some(&first_msg.token), ..BounceLinks::default() };
    store.record_bounce(Some("maildir-key-1"), "test", &links, &[bounce], 12).unwrap();
    let guest = store.reservation(first).unwrap().guest.id;
    store.change_guest_email(guest, NEW, "staff").unwrap();
    let second = book(&mut store, "Anna Peeters", NEW, "", "2037-11-23 20:00", "");
    let msg = store.latest_message(second, EmailKind::Confirmed).unwrap().unwrap();
    store.fixture_mark_sent(msg.id, now_ms() - 60_000).unwrap();
    let verdict = |_: &guestmail::store::OpenFacts<'_>| OpenVerdict::person();
    let hit = OpenHit {
        token: msg.token.clone(),
        at: now_ms(),
        ip: Some("203.0.113.77".parse().unwrap()),
        user_agent: Some("AnnaPhone/17".into()),
    };
    store.record_opens(&[hit.clone(), hit], verdict).unwrap();
    let complaint = AddressErrorInput {
        class: Some(BounceClass::Complaint),
        diagnostic: "complaint from anna.peeters@example.be",
        ..Default::default()
    };
    store.record_address_error(NEW, &complaint, 12).unwrap();
    store.reset_address(NEW, "staff").unwrap();
    store.resend_confirmation(second, true, "staff").unwrap();

    let bob = book(&mut store, "Bob Martin", "bob@example.org", "+32 470 11 22 33", "2037-11-23 20:30", "window");
    let bob_msg = store.latest_message(bob, EmailKind::Confirmed).unwrap().unwrap();
    store.fixture_mark_sent(bob_msg.id, now_ms()).unwrap();
    let hit =
        OpenHit { token: bob_msg.token, at: now_ms(), ip: Some("198.51.100.5".parse().unwrap()), user_agent: None };
    store.record_opens(&[hit], verdict).unwrap();
}

/// How many cells of any column of any table contain `needle` (any case).
fn cells_containing(conn: &rusqlite::Connection, needle: &str) -> Vec<String> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut hits = Vec::new();
    for t in tables {
        let columns: Vec<String> = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{t}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for c in columns {
            let n: i64 = conn
                .query_row(
                    &format!("SELECT COUNT(*) FROM {t} WHERE CAST({c} AS TEXT) LIKE ?1"),
                    [format!("%{needle}%")],
                    |r| r.get(0),
                )
                .unwrap();
            if n > 0 {
                hits.push(format!("{t}.{c} ({n})"));
            }
        }
    }
    hits
}

/// Anonymous counts: reservations, emails by kind and state, opens, open counters.
fn counts(conn: &rusqlite::Connection) -> Vec<String> {
    let q = |sql: &str| -> Vec<String> {
        conn.prepare(sql).unwrap().query_map([], |r| r.get::<_, String>(0)).unwrap().collect::<Result<_, _>>().unwrap()
    };
    let mut out = q("SELECT status || ' ' || starts_at || ' ' || party_size FROM reservations ORDER BY id");
    // An email still queued for the guest is suppressed (never sent to a placeholder).
    out.extend(q("SELECT kind || ' ' || replace(state, 'queued', 'suppressed') || ' ' || open_count || ' '
                   || human_open_count FROM messages ORDER BY id"));
    out.extend(q("SELECT COUNT(*) || ' opens' FROM opens"));
    out.extend(q("SELECT COUNT(*) || ' messages' FROM messages"));
    out
}

#[test]
fn forget_erases_every_trace_of_the_guest_and_keeps_the_counts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    fixture(&db);
    let conn = rusqlite::Connection::open(&db).unwrap();
    for s in SECRETS {
        assert!(!cells_containing(&conn, s).is_empty(), "the fixture holds {s}");
    }
    let before = counts(&conn);
    drop(conn);

    let out = guestmail(&db, &["forget", "ANNA.PEETERS@example.be"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("guests anonymised:        1"), "{stdout}");
    assert!(stdout.contains("opens (IP, User-Agent):   2"), "{stdout}");

    let conn = rusqlite::Connection::open(&db).unwrap();
    for s in SECRETS {
        assert_eq!(cells_containing(&conn, s), Vec::<String>::new(), "{s} is still in the database");
    }
    // Not only hidden from queries: gone from the file's bytes (secure_delete + checkpoint).
    let mut bytes = std::fs::read(&db).unwrap();
    if let Ok(wal) = std::fs::read(db.with_extension("db-wal")) {
        bytes.extend(wal);
    }
    let lower = String::from_utf8_lossy(&bytes).to_lowercase();
    for s in SECRETS {
        assert!(!lower.contains(&s.to_lowercase()), "{s} is still in the file's bytes");
    }
    assert_eq!(counts(&conn), before, "reservations, emails (kind, state, opens) and opens are all still counted");
    let queued: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM messages WHERE state = 'queued' AND guest_id IN (SELECT id FROM guests WHERE forgotten = 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(queued, 0, "nothing left to send to the placeholder");
    assert!(!cells_containing(&conn, "Bob Martin").is_empty(), "other guests are untouched");
    assert!(!cells_containing(&conn, "198.51.100.5").is_empty());
    let forgotten: String = conn.query_row("SELECT name FROM guests WHERE forgotten = 1", [], |r| r.get(0)).unwrap();
    assert_eq!(forgotten, "(forgotten)");
    assert_eq!(conn.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0)).unwrap(), "ok");
}

#[test]
fn forgetting_an_unknown_address_says_so_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    fixture(&db);
    let out = guestmail(&db, &["forget", "nobody@example.be"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing erased"));
    let conn = rusqlite::Connection::open(&db).unwrap();
    assert!(!cells_containing(&conn, NEW).is_empty());
}
