//! Two host-stand terminals on one PostgreSQL database: a change made on one shows on the
//! other by itself, carried by `LISTEN`/`NOTIFY` (the screens never poll the database).
//! PostgreSQL only: skipped, saying why, when `GUESTMAIL_TEST_PG` names no server. How fast
//! it shows is measured by `benches/live_screens.rs`, not asserted here.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;

use support::{Pty, WAIT, marker_day};

const BIN: &str = env!("CARGO_BIN_EXE_guestmail");

fn terminal(db: &str, home: &Path) -> Pty {
    let home = home.to_str().unwrap();
    let env = [("HOME", home), ("XDG_CONFIG_HOME", home), ("XDG_DATA_HOME", home)];
    Pty::spawn(BIN, &["--db", db, "--date", "2037-11-23"], &env, 110, 30)
}

fn line_with(screen: &str, needle: &str) -> String {
    screen.lines().find(|l| l.contains(needle)).unwrap_or_default().to_owned()
}

#[test]
fn a_cancellation_on_one_terminal_shows_on_the_other_without_a_key() {
    let Some(pg) = support::pg::fresh() else {
        eprintln!("skip: GUESTMAIL_TEST_PG names no PostgreSQL server");
        return;
    };
    drop(marker_day(Path::new(pg.url())));
    let dir = tempfile::tempdir().unwrap();
    let (home_a, home_b) = (dir.path().join("a"), dir.path().join("b"));
    let mut host_stand = terminal(pg.url(), &home_a);
    let mut bar = terminal(pg.url(), &home_b);
    let before = host_stand.wait_for_text("8 reservations", WAIT);
    assert!(!line_with(&before, "Amélie Martin").contains("cancelled"), "{before}");
    bar.wait_for_text("8 reservations", WAIT);

    // At the bar: cancel the first reservation of the day (Amélie Martin, 12:00).
    bar.send_keys("x");
    bar.wait_for_text("Cancel the reservation of Amélie Martin at 12:00?", WAIT);
    bar.send_keys("y");
    bar.wait_until("the bar's own list shows it", WAIT, |s| line_with(s, "Amélie Martin").contains("cancelled"));

    // The host stand was not touched: its list follows by itself.
    let after = host_stand.wait_until("the host stand shows the cancellation", WAIT, |s| {
        line_with(s, "Amélie Martin").contains("cancelled")
    });
    assert!(after.contains("8 reservations"), "{after}");

    for pty in [&mut host_stand, &mut bar] {
        pty.send_keys("q");
        assert!(pty.wait_exit(WAIT).success(), "quits cleanly");
    }
}
