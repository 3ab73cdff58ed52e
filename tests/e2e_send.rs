//! End-to-end sending: the real binary in a pseudo-terminal, its outbox worker pointed at a
//! real SMTP server on loopback. Pressing keys on the screen makes messages arrive at the
//! server, and the markers and the status line follow on their own (no timing assertions:
//! every wait polls with a generous timeout).

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use support::outbox_env as env;
use support::smtp;

mod support;

use env::{Env, booking};
use guestmail::domain::{EmailKind, Language, MessageState, ReservationStatus};
use smtp::TestSmtp;
use support::{Pty, WAIT};

const BIN: &str = env!("CARGO_BIN_EXE_guestmail");
/// More than a day after the machine's clock, so no reminder is due during the test.
const DAY: &str = "2030-12-05";

fn spawn(env: &Env, config: &std::path::Path) -> Pty {
    let home = env.dir.path().join("home");
    let home = home.to_str().unwrap();
    let args = ["--db", env.db.to_str().unwrap(), "--config", config.to_str().unwrap(), "--date", DAY];
    Pty::spawn(BIN, &args, &[("HOME", home), ("XDG_CONFIG_HOME", home), ("XDG_DATA_HOME", home)], 110, 24)
}

fn line_with(screen: &str, needle: &str) -> String {
    screen.lines().find(|l| l.contains(needle)).unwrap_or_default().to_owned()
}

#[test]
fn r_resends_a_bounced_confirmation_and_x_cancels_after_a_yes() {
    let server = TestSmtp::start();
    let env = Env::new(Some(&server.url()));
    let config = env.config_file(Some(&server.url()));
    // Any free port for the tracking endpoint, so parallel tests never compete for one.
    let text = std::fs::read_to_string(&config).unwrap() + "tracking_listen = \"127.0.0.1:0\"\n";
    std::fs::write(&config, text).unwrap();
    let mut store = env.store();
    let mut anna = booking("Anna Peeters", "anna@example.org", Language::En, &format!("{DAY} 19:30"), 2);
    anna.status = ReservationStatus::Confirmed;
    let id = store.create_reservation(&anna).unwrap();
    // Its confirmation bounced: the row shows a red ✗ in the confirmation column.
    let first = store.latest_message(id, EmailKind::Confirmed).unwrap().unwrap();
    store.fixture_set_message(first.id, MessageState::Bounced, 0, 0).unwrap();

    let mut pty = spawn(&env, &config);
    let s = pty.wait_for_text("Anna Peeters", WAIT);
    assert!(line_with(&s, "Anna Peeters").contains('✗'), "{s}");
    assert_eq!(server.count(), 0, "nothing is due before the key");

    pty.send_keys("r");
    let s = pty.wait_for_text("Confirmation sent to a…@example.org", WAIT);
    let s = if line_with(&s, "Anna Peeters").contains('●') {
        s
    } else {
        pty.wait_until("the sent marker", WAIT, |s| line_with(s, "Anna Peeters").contains('●'))
    };
    assert!(!line_with(&s, "Anna Peeters").contains('✗'), "the bounced marker is gone:\n{s}");
    assert_eq!(server.wait_for(1, WAIT), 1);
    let got = &server.received()[0];
    assert_eq!(got.rcpt_to, vec!["anna@example.org".to_owned()]);
    let resent = store.latest_message(id, EmailKind::Confirmed).unwrap().unwrap();
    assert_eq!((resent.state, resent.resend_of), (MessageState::Sent, Some(first.id)));
    assert_eq!(got.message_id(), resent.message_id.trim_matches(['<', '>']), "the arrived message is the resend");

    pty.send_keys("x");
    pty.wait_for_text("Cancel the reservation of Anna Peeters at 19:30?", WAIT);
    assert_eq!(store.reservation(id).unwrap().status, ReservationStatus::Confirmed, "nothing before the answer");
    pty.send_keys("y");
    pty.wait_for_text("Cancellation sent to a…@example.org", WAIT);
    assert_eq!(store.reservation(id).unwrap().status, ReservationStatus::Cancelled);
    assert_eq!(server.wait_for(2, WAIT), 2);

    // Cancelled is final: the rules refuse a confirmation, in words, and nothing is written.
    pty.send_keys("c");
    pty.wait_for_text("A cancelled reservation cannot become confirmed", WAIT);

    pty.send_keys("q");
    assert!(pty.wait_exit(WAIT).success(), "quitting stops the worker and exits cleanly");
    assert_eq!(server.count(), 2);
}

/// The issue's case: a reservation whose request and confirmation both still wait (the
/// server is down; a database from before the journey could hold both). `x`, `y` on it:
/// afterwards the outbox holds only the cancellation, and the request and the confirmation
/// are kept as withdrawn, with the reason.
#[test]
fn x_y_on_a_reservation_with_queued_emails_leaves_only_the_cancellation() {
    use guestmail::journey::Withdrawal;
    use guestmail::store::NewMessage;
    let env = Env::new(Some("smtp://127.0.0.1:9?tls=none"));
    let config = env.config_file(Some("smtp://127.0.0.1:9?tls=none"));
    let text = std::fs::read_to_string(&config).unwrap() + "tracking_listen = \"127.0.0.1:0\"\n";
    std::fs::write(&config, text).unwrap();
    let mut store = env.store();
    let id = store
        .create_reservation(&booking("Anna Peeters", "anna@example.org", Language::En, &format!("{DAY} 19:30"), 2))
        .unwrap();
    // The confirmation queued beside the request, as an older guestmail left them.
    store.fixture_set_status(id, ReservationStatus::Confirmed).unwrap();
    let row = store.reservation(id).unwrap();
    let m = NewMessage {
        reservation_id: Some(id),
        guest_id: row.guest.id,
        kind: EmailKind::Confirmed,
        recipient: &row.guest.email,
        subject: "",
        resend_of: None,
        actor: "test",
    };
    store.queue_message(&m).unwrap();

    let mut pty = spawn(&env, &config);
    pty.wait_for_text("Anna Peeters", WAIT);
    pty.send_keys("x");
    pty.wait_for_text("Cancel the reservation of Anna Peeters at 19:30?", WAIT);
    pty.send_keys("\r");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(store.reservation(id).unwrap().status, ReservationStatus::Confirmed, "Enter does not answer");
    pty.send_keys("y");
    pty.wait_for_text("Anna Peeters: cancelled", WAIT);
    // The worker keeps trying the (down) server; whatever it had in hand is withdrawn when
    // it next claims it. Wait until nothing but the cancellation waits.
    let waiting = |store: &guestmail::store::Store| -> Vec<(EmailKind, MessageState)> {
        store
            .messages_for_reservation(id)
            .unwrap()
            .into_iter()
            .filter(|m| !matches!(m.state, MessageState::Withdrawn))
            .map(|m| (m.kind, m.state))
            .collect()
    };
    let deadline = std::time::Instant::now() + WAIT;
    while waiting(&store).iter().any(|(k, _)| *k != EmailKind::Cancelled) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let left = waiting(&store);
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0].0, EmailKind::Cancelled);
    // The worker may have withdrawn the request on its own first (the confirmation said it
    // all); the confirmation goes because of the cancel.
    let request = store.latest_message(id, EmailKind::Pending).unwrap().unwrap();
    assert_eq!(request.state, MessageState::Withdrawn);
    assert!(matches!(request.withdrawn_reason, Some(Withdrawal::Cancelled | Withdrawal::Confirmed)), "{request:?}");
    let confirmation = store.latest_message(id, EmailKind::Confirmed).unwrap().unwrap();
    assert_eq!(
        (confirmation.state, confirmation.withdrawn_reason),
        (MessageState::Withdrawn, Some(Withdrawal::Cancelled))
    );
    pty.send_keys("q");
    assert!(pty.wait_exit(WAIT).success());
}
