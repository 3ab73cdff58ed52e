//! End-to-end error counter: the real binary in a pseudo-terminal shows the badge next to a
//! guest with errors, opens the last error with `!` and with a mouse click on the badge, and
//! `Delete` + yes resets the counter: the badge goes and the reset is in the history.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use support::outbox_env as env;

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

/// A delivery-status report for `recipient`, returned to the email's VERP address.
fn dsn(token: &str, recipient: &str) -> String {
    format!(
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\nTo: bounces+{token}@mail.chez.example\r\n\
         Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\
         --b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n\
         Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n\
         Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected: User unknown\r\n\r\n--b1--\r\n"
    )
}

#[test]
fn the_screen_takes_in_bounces_when_it_runs_alone() {
    let env = Env::new(None);
    let mut store = env.store();
    let id = store
        .create_reservation(&booking("Anna Peeters", "anna@example.org", Language::En, &format!("{DAY} 19:30"), 2))
        .unwrap();
    let token = store.messages_for_reservation(id).unwrap().remove(0).token;
    let maildir = env.dir.path().join("bounces");
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    let config = env.config_file(None);
    let text = std::fs::read_to_string(&config).unwrap()
        + &format!("tracking_listen = \"127.0.0.1:0\"\nbounce_maildir = \"{}\"\n", maildir.display());
    std::fs::write(&config, text).unwrap();
    let home = env.dir.path().join("home");
    let home = home.to_str().unwrap();
    let args = ["--db", env.db.to_str().unwrap(), "--config", config.to_str().unwrap(), "--date", DAY];
    let mut pty =
        Pty::spawn(BIN, &args, &[("HOME", home), ("XDG_CONFIG_HOME", home), ("XDG_DATA_HOME", home)], 110, 26);
    let s = pty.wait_for_text("Anna Peeters", WAIT);
    assert!(!s.contains("Anna Peeters ⚠"), "{s}");

    // The mail system delivers the report into the Maildir: no serve runs, the screen takes it in.
    std::fs::write(maildir.join("tmp/1.bounce"), dsn(&token, "anna@example.org")).unwrap();
    std::fs::rename(maildir.join("tmp/1.bounce"), maildir.join("new/1.bounce")).unwrap();
    pty.wait_for_text("Anna Peeters ⚠1", WAIT);
    pty.send_keys("q");
    assert!(pty.wait_exit(WAIT).success());
    assert_eq!(store.address("anna@example.org").unwrap().unwrap().error_count, 1);
    assert_eq!(std::fs::read_dir(maildir.join("new")).unwrap().count(), 0, "taken out of new/");
}
