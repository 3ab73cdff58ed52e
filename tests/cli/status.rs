//! `guestmail status` through the real binary: the health as one JSON object, the tracker
//! seen up only when a guestmail answers its health path (real HTTP), exit 1 when the
//! database is damaged.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use guestmail::domain::BounceClass;
use guestmail::store::{BounceLinks, NewBounce, Store};
use guestmail::tracker::{Tracker, TrackerOptions};

fn status(db: &Path, config: &Path) -> (Output, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_guestmail"))
        .arg("--db")
        .arg(db)
        .arg("--config")
        .arg(config)
        .arg("status")
        .env_remove("GUESTMAIL_DB")
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    (out, json)
}

#[test]
fn status_reports_the_emails_the_tracker_and_a_damaged_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut store = Store::open(&db).unwrap();
    guestmail::demo::fill(
        &mut store,
        &guestmail::demo::DemoOptions::week(chrono::NaiveDate::from_ymd_opt(2037, 11, 23).unwrap()),
    )
    .unwrap();
    drop(store);
    let tracker =
        Tracker::start("127.0.0.1:0", &db, TrackerOptions { workers: 1, ..TrackerOptions::default() }).unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(&config, format!("tracking_listen = \"{}\"\n", tracker.local_addr())).unwrap();

    let (out, json) = status(&db, &config);
    assert!(out.status.success(), "{json}");
    assert_eq!(json["healthy"], true, "{json}");
    assert_eq!(json["database"]["check"], "ok");
    assert!(json["emails"]["sent"].as_i64().unwrap() > 0, "{json}");
    assert_eq!(json["sending_paused"], serde_json::Value::Null);
    assert_eq!(json["tracker"]["up"], true, "a guestmail answers on tracking_listen: {json}");
    assert_eq!(json["last_bounce_at"], serde_json::Value::Null, "no bounce taken in yet: {json}");
    let bounce = NewBounce {
        recipient: "x@example.org",
        class: BounceClass::Hard,
        status: Some("5.1.1"),
        reply_code: Some("550"),
        action: Some("failed"),
        diagnostic: "550 5.1.1 user unknown",
    };
    Store::open(&db).unwrap().record_bounce(Some("key-1"), "test", &BounceLinks::default(), &[bounce], 12).unwrap();
    let (_, json) = status(&db, &config);
    assert!(json["last_bounce_at"].as_str().unwrap().starts_with("20"), "{json}");

    // Something else on the port (a plain listener that answers nothing like guestmail).
    let addr = tracker.local_addr();
    tracker.shutdown().unwrap();
    let other = std::net::TcpListener::bind(addr).unwrap();
    let (_, json) = status(&db, &config);
    assert_eq!(json["tracker"]["up"], false, "{json}");
    drop(other);
    let (_, json) = status(&db, &config);
    assert_eq!(json["tracker"]["up"], false, "nobody listens: {json}");

    // A damaged file: exit 1, and says why.
    let bytes = std::fs::read(&db).unwrap();
    let mut broken = bytes.clone();
    for b in &mut broken[4096..12288] {
        *b = 0x5a;
    }
    std::fs::write(&db, &broken).unwrap();
    let _ = std::fs::remove_file(db.with_extension("db-wal"));
    let (out, json) = status(&db, &config);
    assert_eq!(out.status.code(), Some(1), "{json}");
    assert_eq!(json["healthy"], false);
    assert!(!json["problems"].as_array().unwrap().is_empty(), "{json}");
}

#[test]
fn a_paused_outbox_makes_status_unhealthy_and_says_what_to_check() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut store = Store::open(&db).unwrap();
    store
        .pause_sending(guestmail::failure::Reason::Authentication, "535 5.7.8 Error: authentication failed", 1_000)
        .unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(&config, "tracking_listen = \"127.0.0.1:9\"\n").unwrap();
    let (out, json) = status(&db, &config);
    assert_eq!(out.status.code(), Some(1), "{json}");
    assert_eq!(json["healthy"], false);
    assert_eq!(
        json["sending_paused"]["line"],
        "The mail server refused our login (535 5.7.8): check smtp_url and the password file"
    );
    assert_eq!(json["database"]["ok"], true, "the database itself is fine: {json}");
    store.clear_sending_pause().unwrap();
    let (_, json) = status(&db, &config);
    assert_eq!(json["sending_paused"], serde_json::Value::Null, "{json}");
}

/// The mailboxes' watchers write their standing; `status` shows it and calls a refused login
/// a problem at once, a lost connection only after ten minutes (a server restarting is not).
#[test]
fn status_reports_each_mailbox_and_calls_a_refused_login_or_a_long_outage_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let config = dir.path().join("guestmail.toml");
    std::fs::write(&config, "").unwrap();
    let mut store = Store::open(&db).unwrap();
    store.record_mailbox_standing("bounce_mailbox", "b@imap.example.org/INBOX", "watching", "IDLE").unwrap();
    store.record_mailbox_standing("reply_mailbox", "hello@imap.example.org/INBOX", "lost", "connection reset").unwrap();
    let (out, json) = status(&db, &config);
    assert!(out.status.success(), "a connection lost a moment ago is not yet a problem: {json}");
    assert_eq!(json["mailboxes"][0]["role"], "bounce_mailbox");
    assert_eq!(json["mailboxes"][0]["state"], "watching");
    assert_eq!(json["mailboxes"][1]["state"], "lost");

    // Lost for eleven minutes: now a problem.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("UPDATE mailbox_status SET since = since - 11 * 60 * 1000 WHERE role = 'reply_mailbox'", []).unwrap();
    let (out, json) = status(&db, &config);
    assert_eq!(out.status.code(), Some(1), "{json}");
    let problems = json["problems"].to_string();
    assert!(problems.contains("reply_mailbox: unreachable since"), "{problems}");

    // Back on, then the bounce mailbox's login refused: a problem at once; `since` stays
    // the first refusal's however often it is refused again.
    store.record_mailbox_standing("reply_mailbox", "hello@imap.example.org/INBOX", "watching", "IDLE").unwrap();
    store
        .record_mailbox_standing("bounce_mailbox", "b@imap.example.org/INBOX", "refused", "AUTHENTICATIONFAILED")
        .unwrap();
    let first = store.mailbox_standings().unwrap()[0].since;
    std::thread::sleep(std::time::Duration::from_millis(5));
    store
        .record_mailbox_standing("bounce_mailbox", "b@imap.example.org/INBOX", "refused", "AUTHENTICATIONFAILED")
        .unwrap();
    assert_eq!(store.mailbox_standings().unwrap()[0].since, first);
    let (out, json) = status(&db, &config);
    assert_eq!(out.status.code(), Some(1), "{json}");
    let problems = json["problems"].to_string();
    assert!(problems.contains("bounce_mailbox: login refused since"), "{problems}");
    assert!(!problems.contains("reply_mailbox"), "{problems}");
    assert_eq!(json["mailboxes"][1]["state"], "watching");
}

#[test]
fn a_database_that_is_not_there_is_reported_missing_not_read_only_and_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("typo.db");
    let config = dir.path().join("c.toml");
    std::fs::write(&config, "tracking_listen = \"127.0.0.1:9\"\n").unwrap();
    let (out, json) = status(&db, &config);
    assert_eq!(out.status.code(), Some(1), "{json}");
    assert_eq!(json["healthy"], false, "{json}");
    assert_eq!(json["database"]["read_only"], false, "{json}");
    let problems = json["problems"].to_string();
    assert!(problems.contains("no database at") && problems.contains("typo.db"), "{json}");
    assert!(!db.exists(), "status created an empty database");
}
