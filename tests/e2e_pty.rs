//! End-to-end: the real binary in a pseudo-terminal on a prepared database. Keys go in as a
//! terminal sends them, the screen comes back through a vt100 parser, and every wait polls
//! with a generous timeout (no timing assertions).

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;
use std::process::Command;

use guestmail::domain::{Language, NewReservation, ReservationStatus};
use guestmail::store::Store;
use support::{DOWN, ENTER, ESC, LEFT, Pty, RIGHT, WAIT, marker_day};

const BIN: &str = env!("CARGO_BIN_EXE_guestmail");

/// Spawns the app on `dir/g.db` at the fixture's day, with config and data directories
/// inside `dir` so the user's own files never leak in.
fn spawn(dir: &Path, extra_env: &[(&str, &str)], cols: u16, rows: u16) -> Pty {
    let db = dir.join("g.db");
    let home = dir.join("home");
    let (db, home) = (db.to_str().unwrap(), home.to_str().unwrap());
    let mut env = vec![("HOME", home), ("XDG_CONFIG_HOME", home), ("XDG_DATA_HOME", home)];
    env.extend_from_slice(extra_env);
    Pty::spawn(BIN, &["--db", db, "--date", "2037-11-23"], &env, cols, rows)
}

/// The screen line that contains `needle`.
fn line_with(screen: &str, needle: &str) -> String {
    screen.lines().find(|l| l.contains(needle)).unwrap_or_default().to_owned()
}

#[test]
fn keys_move_change_day_filter_show_help_and_quit_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    drop(marker_day(&dir.path().join("g.db")));
    let mut pty = spawn(dir.path(), &[], 100, 30);

    let s = pty.wait_for_text("8 reservations · 18 covers · 1 cancelled · 1 no-show", WAIT);
    assert!(s.contains("Le Petit Bistro · Monday 23 November 2037"), "{s}");
    assert!(line_with(&s, "Amélie Martin").starts_with("▸ 12:00"), "{s}");
    pty.with_screen(|screen| assert!(screen.alternate_screen(), "the app uses the alternate screen"));

    pty.send_keys("j");
    let s = pty.wait_until("the highlight on the second row", WAIT, |s| line_with(s, "Bram Peeters").starts_with('▸'));
    assert!(!line_with(&s, "Amélie Martin").starts_with('▸'));
    pty.send_keys(DOWN);
    pty.wait_until("the highlight on the third row", WAIT, |s| line_with(s, "Claire Dubois").starts_with('▸'));

    pty.send_keys(RIGHT);
    let s = pty.wait_for_text("Ines Next", WAIT);
    assert!(s.contains("Tuesday 24 November 2037"), "{s}");
    assert!(!s.contains("Amélie Martin"), "the other day's rows are gone:\n{s}");
    assert!(s.contains("2 reservations · 6 covers"), "{s}");
    pty.send_keys(LEFT);
    pty.wait_for_text("Amélie Martin", WAIT);

    pty.send_keys("/");
    pty.wait_for_text("Filter: ", WAIT);
    pty.send_keys("dub");
    let s = pty.wait_until("the filter to apply", WAIT, |s| s.contains("Filter: dub") && !s.contains("Amélie"));
    assert!(s.contains("Claire Dubois") && s.contains("1 of 8"), "{s}");
    pty.send_keys(ESC);
    let s = pty.wait_for_text("Amélie Martin", WAIT);
    assert!(!s.contains("Filter:"), "{s}");

    pty.send_keys("?");
    let s = pty.wait_for_text("Email markers", WAIT);
    assert!(s.contains("previous day") && s.contains("sent, not opened yet"), "{s}");
    pty.send_keys("?");
    pty.wait_for_no_text("Email markers", WAIT);

    pty.resize(60, 20);
    pty.wait_until("the narrow layout", WAIT, |s| !s.contains("Phone") && s.contains("Amélie Martin"));
    pty.resize(20, 5);
    pty.wait_for_text("too small", WAIT);
    pty.resize(100, 30);
    pty.wait_for_text("Phone", WAIT);

    pty.send_keys("q");
    let status = pty.wait_exit(WAIT);
    assert!(status.success(), "exit status {status:?}");
    pty.with_screen(|screen| {
        assert!(!screen.alternate_screen(), "the alternate screen was left");
        assert!(!screen.hide_cursor(), "the cursor is visible again");
    });
}

#[test]
fn another_process_writing_shows_up_without_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    drop(marker_day(&path));
    let mut pty = spawn(dir.path(), &[], 100, 30);
    pty.wait_for_text("8 reservations", WAIT);

    let mut other = Store::open(&path).unwrap();
    other
        .create_reservation(&NewReservation {
            name: "Zoé Walk-in".into(),
            email: "zoe@example.org".into(),
            phone: String::new(),
            language: Language::Fr,
            starts_at: chrono::NaiveDateTime::parse_from_str("2037-11-23 22:00", "%Y-%m-%d %H:%M").unwrap(),
            party_size: 3,
            status: ReservationStatus::Pending,
            notes: String::new(),
        })
        .unwrap();
    let s = pty.wait_for_text("Zoé Walk-in", WAIT);
    assert!(s.contains("9 reservations · 21 covers"), "{s}");
    // Its pending email is queued, and the app's own outbox worker may have sent it already.
    let zoe = line_with(&s, "Zoé Walk-in");
    assert!(zoe.contains('○') || zoe.contains('●'), "its pending email has a marker:\n{s}");

    pty.send_keys("\x03");
    assert!(pty.wait_exit(WAIT).success(), "Ctrl-C quits cleanly");
}

#[test]
fn no_color_draws_without_colour_and_french_follows_lang() {
    let dir = tempfile::tempdir().unwrap();
    drop(marker_day(&dir.path().join("g.db")));
    let db = dir.path().join("g.db");
    let mut pty = Pty::spawn(
        BIN,
        &["--db", db.to_str().unwrap(), "--date", "2037-11-23", "--lang", "fr"],
        &[("NO_COLOR", "1"), ("HOME", dir.path().to_str().unwrap())],
        100,
        30,
    );
    let s = pty.wait_for_text("8 réservations · 18 couverts · 1 annulée · 1 absent", WAIT);
    assert!(s.contains("lundi 23 novembre 2037"), "{s}");
    assert!(line_with(&s, "Amélie Martin").contains('✓'), "opened has its own shape without colour:\n{s}");
    pty.with_screen(|screen| {
        let (rows, cols) = screen.size();
        for r in 0..rows {
            for c in 0..cols {
                let cell = screen.cell(r, c).unwrap();
                assert_eq!(cell.fgcolor(), vt100::Color::Default, "coloured text at {r},{c}: {:?}", cell.contents());
            }
        }
    });
    pty.send_keys("q");
    assert!(pty.wait_exit(WAIT).success());
}

#[test]
fn a_bad_key_in_the_config_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(&config, "[keys]\nlaunch = \"r\"\n").unwrap();
    let out = Command::new(BIN)
        .args(["--db", dir.path().join("g.db").to_str().unwrap(), "--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("c.toml") && err.contains("'launch'") && err.contains("known actions"), "{err}");
}

#[test]
fn demo_fills_an_empty_database_and_opens_on_today() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let home = dir.path().to_str().unwrap();
    let mut pty = Pty::spawn(BIN, &["--db", db.to_str().unwrap(), "--demo"], &[("HOME", home)], 120, 40);
    let s = pty.wait_until("today's demo reservations", WAIT, |s| s.contains(" reservations · ") && s.contains('▸'));
    assert!(s.contains("(today)"), "{s}");
    assert!(!s.contains(" 0 reservations"), "{s}");
    pty.send_keys("q");
    assert!(pty.wait_exit(WAIT).success());
    let count = Store::open(&db).unwrap().reservation_count().unwrap();
    assert!(count >= 200, "a demo week was written: {count}");
}

/// Issue 12: a filter's selection is the guest the host looks at. Moving within the filtered
/// rows, then Esc, keeps that guest highlighted among the whole day, and Enter opens that
/// guest's history (before, Esc kept the position and Enter acted on another guest).
#[test]
fn esc_on_a_filter_keeps_the_selected_guest_for_the_next_key() {
    let dir = tempfile::tempdir().unwrap();
    drop(marker_day(&dir.path().join("g.db")));
    let mut pty = spawn(dir.path(), &[], 100, 30);
    pty.wait_for_text("8 reservations", WAIT);

    pty.send_keys("/ma");
    let s = pty.wait_until("the filter to apply", WAIT, |s| s.contains("Filter: ma") && s.contains("2 of 8"));
    assert!(line_with(&s, "Amélie Martin").starts_with('▸') && s.contains("Emma Janssens"), "{s}");
    assert!(!s.contains("Bram Peeters"), "{s}");
    pty.send_keys(DOWN);
    pty.wait_until("Emma highlighted", WAIT, |s| line_with(s, "Emma Janssens").starts_with('▸'));
    pty.send_keys(ESC);
    let s = pty.wait_until("the whole day again", WAIT, |s| s.contains("Bram Peeters") && !s.contains("Filter:"));
    assert!(line_with(&s, "Emma Janssens").starts_with('▸'), "still Emma:\n{s}");
    assert!(!line_with(&s, "Bram Peeters").starts_with('▸'), "not the second row of the day:\n{s}");

    pty.send_keys(ENTER);
    let s = pty.wait_for_text("History — ", WAIT);
    assert!(s.contains("History — Emma Janssens"), "Enter opened the selected guest's history:\n{s}");
    pty.send_keys(ESC);
    pty.wait_for_no_text("History — ", WAIT);
    pty.send_keys("q");
    assert!(pty.wait_exit(WAIT).success());
}

/// Issue 12: a phone number typed as caller ID shows it finds the guest whose number is
/// stored nationally with spaces; a number that differs in one digit finds no one.
#[test]
fn the_filter_finds_a_phone_typed_as_caller_id_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let mut store = marker_day(&path);
    store
        .create_reservation(&NewReservation {
            name: "Zoé Caller".into(),
            email: "zoe@example.org".into(),
            phone: "0475 52 94 37".into(),
            language: Language::Fr,
            starts_at: chrono::NaiveDateTime::parse_from_str("2037-11-23 22:00", "%Y-%m-%d %H:%M").unwrap(),
            party_size: 2,
            status: ReservationStatus::Confirmed,
            notes: String::new(),
        })
        .unwrap();
    drop(store);
    let mut pty = spawn(dir.path(), &[], 100, 30);
    pty.wait_for_text("9 reservations", WAIT);

    pty.send_keys("/+32475529437");
    let s = pty.wait_until("the phone filter", WAIT, |s| s.contains("Filter: +32475529437") && s.contains("1 of 9"));
    assert!(line_with(&s, "Zoé Caller").starts_with('▸'), "{s}");
    assert!(!s.contains("Amélie Martin"), "{s}");
    pty.send_keys("\x7f8");
    let s = pty.wait_until("one digit changed", WAIT, |s| s.contains("Filter: +32475529438"));
    let s = if s.contains("0 of 9") { s } else { pty.wait_for_text("0 of 9", WAIT) };
    assert!(!s.contains("Zoé Caller"), "{s}");
    pty.send_keys(ESC);
    pty.wait_for_text("Zoé Caller", WAIT);
    pty.send_keys("q");
    assert!(pty.wait_exit(WAIT).success());
}
