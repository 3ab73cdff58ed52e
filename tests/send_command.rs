//! `guestmail send` as a user runs it: the summary on stdout, and the exit status (2 when a
//! message failed for good, 0 otherwise).

mod support;

use support::outbox_env as env;
use support::smtp;

use std::process::Command;

use env::{Env, booking};
use guestmail::domain::Language;
use smtp::TestSmtp;

fn send(env: &Env, config: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_guestmail"))
        .arg("--db")
        .arg(&env.db)
        .arg("--config")
        .arg(config)
        .arg("send")
        .output()
        .expect("run guestmail send")
}

#[test]
fn send_prints_a_summary_and_exits_2_when_a_message_failed_for_good() {
    let server = TestSmtp::start();
    server.refuse("gone@example.org", 550, "5.1.1 user unknown", None);
    let env = Env::new(Some(&server.url()));
    let config = env.config_file(Some(&server.url()));
    let mut store = env.store();
    store.create_reservation(&booking("A", "a@example.org", Language::En, "2037-11-28 19:30", 2)).expect("c");
    store.create_reservation(&booking("G", "gone@example.org", Language::En, "2037-11-28 19:30", 2)).expect("c");
    let out = send(&env, &config);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "stdout: {stdout} stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout.trim(), "sent 1, deferred 0, failed 1, suppressed 0");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("5.1.1 user unknown"), "the failure is named on stderr: {stderr}");

    let again = send(&env, &config);
    assert_eq!(again.status.code(), Some(0), "nothing left to fail");
    assert_eq!(String::from_utf8_lossy(&again.stdout).trim(), "sent 0, deferred 0, failed 0, suppressed 0");
    assert_eq!(server.count(), 1);
}

#[test]
fn send_without_a_server_writes_the_maildir_outbox() {
    let env = Env::new(None);
    let config = env.config_file(None);
    env.store().create_reservation(&booking("A", "a@example.org", Language::En, "2037-11-28 19:30", 2)).expect("c");
    let out = send(&env, &config);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "sent 1, deferred 0, failed 0, suppressed 0");
    assert_eq!(std::fs::read_dir(env.outbox.join("new")).expect("new/").count(), 1);
}
