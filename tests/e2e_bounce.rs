//! End-to-end error counter: the real binary in a pseudo-terminal shows the badge next to a
//! guest with errors, opens the last error with `!` and with a mouse click on the badge, and
//! `Delete` + yes resets the counter: the badge goes and the reset is in the history.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

#[path = "support/outbox_env.rs"]
mod env;
mod support;

use env::{Env, booking};
use guestmail::domain::{BounceClass, EventKind, Language, ReservationStatus};
use guestmail::store::AddressErrorInput;
use support::{ESC, Pty, WAIT};

const BIN: &str = env!("CARGO_BIN_EXE_guestmail");
const DAY: &str = "2030-12-05";
const DELETE: &str = "\x1b[3~";

fn spawn(env: &Env) -> Pty {
    let config = env.config_file(None);
    let text = std::fs::read_to_string(&config).unwrap() + "tracking_listen = \"127.0.0.1:0\"\n";
    std::fs::write(&config, text).unwrap();
    let home = env.dir.path().join("home");
    let home = home.to_str().unwrap();
    let args = ["--db", env.db.to_str().unwrap(), "--config", config.to_str().unwrap(), "--date", DAY];
    Pty::spawn(BIN, &args, &[("HOME", home), ("XDG_CONFIG_HOME", home), ("XDG_DATA_HOME", home)], 110, 26)
}

/// Where `text` starts on the screen: (column, row), 0-based.
fn position(screen: &str, text: &str) -> (usize, usize) {
    screen
        .lines()
        .enumerate()
        .find_map(|(y, line)| line.find(text).map(|byte| (line[..byte].chars().count(), y)))
        .unwrap_or_else(|| panic!("{text} is not on the screen:\n{screen}"))
}

#[test]
fn the_badge_opens_the_last_error_and_delete_resets_it() {
    let env = Env::new(None);
    let mut store = env.store();
    let mut anna = booking("Anna Peeters", "anna@example.org", Language::En, &format!("{DAY} 19:30"), 2);
    anna.status = ReservationStatus::Confirmed;
    let mut bob = booking("Bob Martin", "bob@example.org", Language::En, &format!("{DAY} 20:00"), 2);
    bob.status = ReservationStatus::Confirmed;
    store.create_reservations(&[anna, bob], |_| false).unwrap();
    let error = AddressErrorInput {
        class: Some(BounceClass::Hard),
        status: Some("5.1.1"),
        reply_code: Some("550"),
        diagnostic: "550 5.1.1 user unknown",
        message_id: None,
        actor: "test",
    };
    for _ in 0..3 {
        store.record_address_error("bob@example.org", &error, 12).unwrap();
    }

    let mut pty = spawn(&env);
    let s = pty.wait_for_text("Bob Martin ⚠3", WAIT);
    assert!(!s.contains("Anna Peeters ⚠"), "a clean address has no badge:\n{s}");

    // A click on the badge (SGR mouse report, 1-based) selects Bob and opens his last error.
    let (x, y) = position(&s, "⚠3");
    pty.send_keys(&format!("\x1b[<0;{};{}M\x1b[<0;{};{}m", x + 1, y + 1, x + 1, y + 1));
    let s = pty.wait_for_text("Last error", WAIT);
    assert!(s.contains("550 5.1.1 user unknown") && s.contains("The mailbox does not exist"), "{s}");
    pty.send_keys(ESC);
    pty.wait_for_no_text("Last error", WAIT);
    pty.send_keys("!");
    pty.wait_for_text("check the address with the guest", WAIT);
    pty.send_keys(ESC);
    pty.wait_for_no_text("Last error", WAIT);

    pty.send_keys(DELETE);
    pty.wait_for_text("Reset the error counter of bob@example.org (3 errors)?", WAIT);
    assert_eq!(store.address("bob@example.org").unwrap().unwrap().error_count, 3, "nothing before the yes");
    pty.send_keys("y");
    let s = pty.wait_for_no_text("⚠3", WAIT);
    assert!(s.contains("Bob Martin"), "{s}");
    pty.wait_for_text("Error counter reset for b…@example.org", WAIT);

    pty.send_keys("q");
    assert!(pty.wait_exit(WAIT).success());
    let address = store.address("bob@example.org").unwrap().unwrap();
    assert_eq!((address.error_count, address.blocked), (0, false));
    let reset = store.events_for_address("bob@example.org").unwrap().into_iter().last().unwrap();
    assert_eq!((reset.kind, reset.actor.as_str()), (EventKind::CounterReset, "staff"));
}
