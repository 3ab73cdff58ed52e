//! `guestmail forget EMAIL` through the real binary: afterwards the guest's name, addresses,
//! phone, notes, open IPs and User-Agents are in no column of any table and not in the
//! database file's bytes either; the anonymous counts are unchanged; other guests untouched.
//! The erasure runs on both engines; the file's bytes, its WAL and a reader holding old
//! pages are SQLite's alone.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use chrono::NaiveDateTime;
use guestmail::domain::{BounceClass, EmailKind, Language, NewReservation, ReservationStatus};
use guestmail::store::{AddressErrorInput, BounceLinks, NewBounce, OpenHit, OpenVerdict, Store, now_ms};

mod support;
use support::engines::{Db, Engine};

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

/// The database behind the store's back, through its engine's own client, for the checks
/// no store query should make (every column of every table).
enum Raw {
    Sqlite(rusqlite::Connection),
    Postgres(postgres::Client),
}

impl Raw {
    fn open(db: &Db) -> Raw {
        match db.schema.as_ref() {
            Some(schema) => Raw::Postgres(schema.connect()),
            None => Raw::Sqlite(rusqlite::Connection::open(&db.location).unwrap()),
        }
    }

    /// The first column of every row, as text (the SQL casts what is not text).
    fn strings(&mut self, sql: &str) -> Vec<String> {
        match self {
            Raw::Sqlite(c) => {
                c.prepare(sql).unwrap().query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
            }
            Raw::Postgres(c) => c.query(sql, &[]).unwrap().iter().map(|r| r.get::<_, String>(0)).collect(),
        }
    }

    fn count(&mut self, sql: &str) -> i64 {
        match self {
            Raw::Sqlite(c) => c.query_row(sql, [], |r| r.get(0)).unwrap(),
            Raw::Postgres(c) => c.query_one(sql, &[]).unwrap().get(0),
        }
    }

    /// Every (table, column) of the store.
    fn columns(&mut self) -> Vec<(String, String)> {
        let pairs = match self {
            Raw::Sqlite(_) => self.strings(
                "SELECT m.name || ' ' || p.name FROM sqlite_master m, pragma_table_info(m.name) p
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
            ),
            Raw::Postgres(_) => self.strings(
                "SELECT table_name || ' ' || column_name FROM information_schema.columns
                 WHERE table_schema = current_schema()",
            ),
        };
        pairs.into_iter().map(|p| p.split_once(' ').map(|(t, c)| (t.to_owned(), c.to_owned())).unwrap()).collect()
    }
}

/// How many cells of any column of any table contain `needle` (any case).
fn cells_containing(raw: &mut Raw, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    let pattern = needle.to_lowercase().replace('\'', "''");
    for (t, c) in raw.columns() {
        let n = raw.count(&format!("SELECT COUNT(*) FROM {t} WHERE lower(CAST({c} AS TEXT)) LIKE '%{pattern}%'"));
        if n > 0 {
            hits.push(format!("{t}.{c} ({n})"));
        }
    }
    hits
}

/// Anonymous counts: reservations, emails by kind and state, opens, open counters.
fn counts(raw: &mut Raw) -> Vec<String> {
    let mut out = raw.strings("SELECT status || ' ' || starts_at || ' ' || party_size FROM reservations ORDER BY id");
    // An email still queued for the guest is suppressed (never sent to a placeholder).
    out.extend(raw.strings(
        "SELECT kind || ' ' || replace(state, 'queued', 'suppressed') || ' ' || open_count || ' '
                   || human_open_count FROM messages ORDER BY id",
    ));
    out.extend(raw.strings("SELECT COUNT(*) || ' opens' FROM opens"));
    out.extend(raw.strings("SELECT COUNT(*) || ' messages' FROM messages"));
    out
}

fn forget_erases_every_trace_of_the_guest_and_keeps_the_counts(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    fixture(&db.location);
    let mut raw = Raw::open(db);
    for s in SECRETS {
        assert!(!cells_containing(&mut raw, s).is_empty(), "the fixture holds {s}");
    }
    let before = counts(&mut raw);
    drop(raw);

    let out = guestmail(&db.location, &["forget", "ANNA.PEETERS@example.be"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("guests anonymised:        1"), "{stdout}");
    assert!(stdout.contains("opens (IP, User-Agent):   2"), "{stdout}");

    let mut raw = Raw::open(db);
    for s in SECRETS {
        assert_eq!(cells_containing(&mut raw, s), Vec::<String>::new(), "{s} is still in the database");
    }
    if db.schema.is_none() {
        // Not only hidden from queries: gone from the file's bytes (secure_delete + checkpoint).
        let mut bytes = std::fs::read(&db.location).unwrap();
        if let Ok(wal) = std::fs::read(db.location.with_extension("db-wal")) {
            bytes.extend(wal);
        }
        let lower = String::from_utf8_lossy(&bytes).to_lowercase();
        for s in SECRETS {
            assert!(!lower.contains(&s.to_lowercase()), "{s} is still in the file's bytes");
        }
    }
    assert_eq!(counts(&mut raw), before, "reservations, emails (kind, state, opens) and opens are all still counted");
    let queued = raw.count(
        "SELECT COUNT(*) FROM messages WHERE state = 'queued' AND guest_id IN (SELECT id FROM guests WHERE forgotten = 1)",
    );
    assert_eq!(queued, 0, "nothing left to send to the placeholder");
    assert!(!cells_containing(&mut raw, "Bob Martin").is_empty(), "other guests are untouched");
    assert!(!cells_containing(&mut raw, "198.51.100.5").is_empty());
    let forgotten = raw.strings("SELECT name FROM guests WHERE forgotten = 1");
    assert_eq!(forgotten, ["(forgotten)"]);
    if let Raw::Sqlite(conn) = &raw {
        assert_eq!(conn.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0)).unwrap(), "ok");
    }
}

fn forgetting_an_unknown_address_says_so_and_changes_nothing(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    fixture(&db.location);
    let out = guestmail(&db.location, &["forget", "nobody@example.be"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing erased"));
    assert!(!cells_containing(&mut Raw::open(db), NEW).is_empty());
}

crate::both_engines!(
    forget_erases_every_trace_of_the_guest_and_keeps_the_counts,
    forgetting_an_unknown_address_says_so_and_changes_nothing
);

/// The raw bytes of the database file, its WAL and every file of the outbox, lower-cased.
fn raw_traces(db: &Path, outbox: &Path) -> Vec<(String, String)> {
    let mut files = vec![db.to_owned(), db.with_extension("db-wal")];
    for sub in ["tmp", "new", "cur"] {
        if let Ok(dir) = std::fs::read_dir(outbox.join(sub)) {
            files.extend(dir.map(|e| e.unwrap().path()));
        }
    }
    files
        .into_iter()
        .filter_map(|f| {
            let bytes = std::fs::read(&f).ok()?;
            Some((f.display().to_string(), String::from_utf8_lossy(&bytes).to_lowercase()))
        })
        .collect()
}

fn occurrences(traces: &[(String, String)], needle: &str) -> Vec<String> {
    let needle = needle.to_lowercase();
    traces
        .iter()
        .filter_map(|(f, text)| {
            let n = text.matches(&needle).count();
            (n > 0).then(|| format!("{f}: {n}"))
        })
        .collect()
}

/// With another connection reading during the erasure (another screen open), the WAL cannot
/// be truncated: `forget` says so, and the next start finishes it. The guest's emails in the
/// outbox go at once (by token, and a copy renamed by hand by its headers). Then the address
/// and the name occur 0 times in the raw bytes of the database, its WAL and the outbox.
#[test]
fn forget_with_another_reader_open_finishes_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let outbox = dir.path().join("outbox");
    fixture(&db);
    // The emails go out to the local Maildir outbox, as the demo's do.
    let out = guestmail(&db, &["send"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let sent = std::fs::read_dir(outbox.join("new")).unwrap().count();
    assert!(sent >= 1, "Anna's resent confirmation is in the outbox");
    let first = std::fs::read_dir(outbox.join("new")).unwrap().next().unwrap().unwrap().path();
    std::fs::copy(&first, outbox.join("cur").join("renamed-by-a-mail-program.eml")).unwrap();
    assert!(!occurrences(&raw_traces(&db, &outbox), NEW).is_empty());
    assert!(!occurrences(&raw_traces(&db, &outbox), "Anna Peeters").is_empty());

    // Another screen, in the middle of reading.
    let reader = rusqlite::Connection::open(&db).unwrap();
    reader.execute_batch("BEGIN").unwrap();
    let _: i64 = reader.query_row("SELECT COUNT(*) FROM guests", [], |r| r.get(0)).unwrap();

    let out = guestmail(&db, &["forget", NEW]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("outbox email files:       2"), "{stdout}");
    assert!(stdout.contains("not finished: another guestmail"), "{stdout}");
    let traces = raw_traces(&db, &outbox);
    let in_outbox = |t: &[(String, String)]| t.iter().filter(|(f, _)| f.contains("outbox")).count();
    assert_eq!(in_outbox(&traces), 0, "the guest's emails left the outbox at once");
    assert!(!occurrences(&traces, NEW).is_empty(), "while the reader holds old pages, the old text is still on disk");
    let pending: i64 = reader.query_row("SELECT COUNT(*) FROM pending_scrubs", [], |r| r.get(0)).unwrap_or_else(|_| {
        // The reader's snapshot predates the table: ask a fresh connection.
        rusqlite::Connection::open(&db)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM pending_scrubs", [], |r| r.get(0))
            .unwrap()
    });
    assert_eq!(pending, 1, "the unfinished erasure is recorded");

    // The other screen closes; the next start of any command finishes the erasure.
    reader.execute_batch("COMMIT").unwrap();
    drop(reader);
    let out = guestmail(&db, &["reservation", "show", "1"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let traces = raw_traces(&db, &outbox);
    for s in SECRETS {
        assert_eq!(occurrences(&traces, s), Vec::<String>::new(), "{s} is still in the raw bytes");
    }
    let wal = std::fs::metadata(db.with_extension("db-wal")).map_or(0, |m| m.len());
    assert_eq!(wal, 0, "the WAL was truncated");
    let mut raw = Raw::Sqlite(rusqlite::Connection::open(&db).unwrap());
    assert_eq!(raw.count("SELECT COUNT(*) FROM pending_scrubs"), 0);
    assert!(!cells_containing(&mut raw, "Bob Martin").is_empty(), "other guests are untouched");
}
