//! End-to-end: the follow-up workflow in the real binary in a pseudo-terminal. Open tonight's
//! follow-up list with `F`, mark a guest confirmed by phone with `v`, see the row leave the
//! list and the `☎` on the day's list, then open that guest's history (Enter) and find the
//! phone confirmation in its timeline. Every wait polls with a generous timeout. The list only
//! holds reservations still to come and the binary runs on the real clock, so the fixture's
//! day is a few days ahead of today.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod support;

use guestmail::domain::EventKind;
use guestmail::store::Store;
use support::{ENTER, ESC, Pty, WAIT, marker_day_on};

const BIN: &str = env!("CARGO_BIN_EXE_guestmail");

/// The screen lines of the follow-up pane's rows (inside its border) that name `name`.
fn pane_rows_with(screen: &str, name: &str) -> Vec<String> {
    screen.lines().filter(|l| l.starts_with('│') && l.contains(name)).map(str::to_owned).collect()
}

#[test]
fn confirm_a_guest_by_phone_from_the_follow_up_list() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let day = chrono::Local::now().date_naive() + chrono::Days::new(3);
    drop(marker_day_on(&db, day));
    let home = dir.path().join("home");
    let (db_arg, home) = (db.to_str().unwrap(), home.to_str().unwrap());
    let env = [("HOME", home), ("XDG_CONFIG_HOME", home), ("XDG_DATA_HOME", home)];
    let date = day.format("%Y-%m-%d").to_string();
    // Wide enough for the header's counts with their tail and the delivery warning in full.
    let mut pty = Pty::spawn(BIN, &["--db", db_arg, "--date", &date], &env, 130, 30);
    pty.wait_for_text("8 reservations", WAIT);
    // The header tells how delivery went over 30 days (the fixture's bounce puts it below 98%).
    pty.wait_for_text("⚠ delivery ", WAIT);

    pty.send_keys("F");
    let s = pty.wait_for_text(&format!("Follow-up · {}", guestmail::strings::EN.date(day)), WAIT);
    let amelie = pane_rows_with(&s, "Amélie Martin");
    assert_eq!(amelie.len(), 1, "{s}");
    assert!(amelie[0].contains("12:00") && amelie[0].contains("Not opened yet"), "{s}");
    assert!(amelie[0].contains('▸'), "the first row is selected:\n{s}");
    assert!(!pane_rows_with(&s, "Giulia Rossi").is_empty(), "her confirmation was not sent:\n{s}");
    assert!(pane_rows_with(&s, "David Smith").is_empty(), "David's meal is completed:\n{s}");
    assert!(pane_rows_with(&s, "Claire Dubois")[0].contains("pending"), "a pending one, with its status:\n{s}");

    pty.send_keys("v");
    let s = pty.wait_until("Amélie to leave the list", WAIT, |s| {
        s.contains("Amélie Martin: confirmed by phone") && pane_rows_with(s, "Amélie Martin").is_empty()
    });
    assert!(!pane_rows_with(&s, "Bram Peeters").is_empty(), "the others stay:\n{s}");

    pty.send_keys(ESC);
    let s = pty
        .wait_until("the day's list with the phone mark", WAIT, |s| s.lines().any(|l| l.contains("☎ Amélie Martin")));
    assert!(s.lines().any(|l| l.starts_with('▸') && l.contains("Amélie Martin")), "still selected:\n{s}");

    pty.send_keys(ENTER);
    let s = pty.wait_for_text("History — Amélie Martin", WAIT);
    pty.wait_for_text("confirmed by phone (staff)", WAIT);
    assert!(s.contains("amélie@example.org"), "the guest's address heads the history:\n{s}");

    pty.send_keys(ESC);
    pty.wait_for_no_text("History — Amélie Martin", WAIT);
    pty.send_keys("q");
    assert!(pty.wait_exit(WAIT).success());

    // What the screen said is what the database holds.
    let store = Store::open(&db).unwrap();
    let row = store.day(day).unwrap().into_iter().find(|r| r.guest.name == "Amélie Martin").unwrap();
    assert!(row.confirmed_by_phone);
    let events = store.events_for_reservation(row.id).unwrap();
    assert_eq!(events.iter().filter(|e| e.kind == EventKind::ConfirmedByPhone).count(), 1);
}
