//! Issue 10: only the guest's own failures count against the guest; a venue problem pauses
//! sending. Each case against a real SMTP server on loopback that misbehaves in exactly one
//! scripted way (`support/faulty_smtp.rs`), the outbox worker and the real `guestmail send`.

mod support;

use support::faulty_smtp as faulty;
use support::outbox_env as env;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use env::{Env, booking, flush};
use faulty::{FaultySmtp, Script};
use guestmail::domain::{Language, MessageState};
use guestmail::failure::Reason;
use guestmail::mail::Worker;
use guestmail::store::Store;

/// `n` reservations, each queueing its request email, to guests at different domains.
fn queue(store: &mut Store, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let email = format!("guest{i}@domain{i}.example");
            store.create_reservation(&booking("G", &email, Language::En, "2037-11-28 19:30", 2)).expect("create");
            email
        })
        .collect()
}

fn worker(env: &Env, url: &str, timeout: u32) -> Worker {
    let mut config = env.config.clone();
    config.smtp_url = Some(url.to_owned());
    config.smtp_timeout_seconds = timeout;
    Worker::open(&config, &env.db, &env.outbox).expect("worker")
}

fn errors_on(store: &Store, email: &str) -> u32 {
    store.address(email).expect("address").map_or(0, |a| a.error_count)
}

/// A venue refusal: nobody counted, sending paused with `reason`, every email still queued.
fn assert_paused_on_nobody(env: &Env, url: &str, reason: Reason) -> FaultyRun {
    let mut store = env.store();
    let guests = queue(&mut store, 3);
    let s = flush(&mut worker(env, url, 60));
    assert_eq!(s.paused.as_ref().map(|p| p.0), Some(reason), "{s:?}");
    assert_eq!((s.sent, s.failed, s.deferred), (0, 0, 0), "{s:?}");
    for g in &guests {
        assert_eq!(errors_on(&store, g), 0, "{g} was counted for the venue's problem");
    }
    assert_eq!(store.count_by_state().expect("counts"), vec![(MessageState::Queued, 3)]);
    let pause = store.sending_pause().expect("pause").expect("sending is paused");
    assert_eq!(pause.reason, reason);
    FaultyRun { detail: pause.detail }
}

struct FaultyRun {
    detail: String,
}

#[test]
fn relay_access_denied_at_rcpt_pauses_sending_and_counts_on_nobody() {
    let server = FaultySmtp::start(Script::RcptReply("554 5.7.1 <guest0@domain0.example>: Relay access denied".into()));
    let env = Env::new(None);
    let run = assert_paused_on_nobody(&env, &server.url(None), Reason::RelayDenied);
    assert_eq!(server.rcpts(), 1, "the run stops at the first refusal");
    assert_eq!(run.detail.matches("5.7.1").count(), 1, "the status is written once: {}", run.detail);
}

#[test]
fn authentication_required_at_rcpt_pauses_sending() {
    let server = FaultySmtp::start(Script::RcptReply("530 5.7.0 Authentication required".into()));
    let env = Env::new(None);
    assert_paused_on_nobody(&env, &server.url(None), Reason::Authentication);
    assert_eq!(server.rcpts(), 1);
}

#[test]
fn message_too_big_after_data_pauses_sending() {
    let server = FaultySmtp::start(Script::DataEndReply("552 5.3.4 Error: message file too big".into()));
    let env = Env::new(None);
    assert_paused_on_nobody(&env, &server.url(None), Reason::TooBig);
}

#[test]
fn the_same_unclear_refusal_at_two_domains_is_the_venues() {
    let server = FaultySmtp::start(Script::RcptReply("550 Requested action not taken".into()));
    let env = Env::new(None);
    let mut store = env.store();
    let guests = queue(&mut store, 4);
    let s = flush(&mut worker(&env, &server.url(None), 60));
    assert!(s.paused.is_some(), "{s:?}");
    // The first refusal is recorded before the second domain says it is the same problem
    // only when a group commit fell between them; in one batch, nobody is counted.
    let counted: u32 = guests.iter().map(|g| errors_on(&store, g)).sum();
    assert!(counted <= 1, "{counted} guests counted");
    assert_eq!(server.rcpts(), 2, "the run stops at the second domain");
}

#[test]
fn a_guests_unknown_mailbox_counts_on_that_address_only() {
    let server = FaultySmtp::start(Script::RcptFor(
        "guest1@domain1.example".into(),
        "550 5.1.1 <guest1@domain1.example>: Recipient address rejected: User unknown".into(),
    ));
    let env = Env::new(None);
    let mut store = env.store();
    let guests = queue(&mut store, 3);
    let s = flush(&mut worker(&env, &server.url(None), 60));
    assert_eq!((s.sent, s.failed, s.paused.is_some()), (2, 1, false), "{s:?}");
    assert_eq!(guests.iter().map(|g| errors_on(&store, g)).collect::<Vec<_>>(), vec![0, 1, 0]);
    let a = store.address(&guests[1]).expect("a").expect("recorded");
    assert_eq!(a.last_error_status.as_deref(), Some("5.1.1"));
    assert!(store.sending_pause().expect("pause").is_none());
    let events = store.events_for_address(&guests[1]).expect("events");
    assert!(events.iter().all(|e| e.detail.matches("5.1.1").count() <= 1), "status written once: {events:?}");
}

#[test]
fn a_server_that_never_greets_pauses_within_the_timeout() {
    let server = FaultySmtp::start(Script::NeverGreet);
    let env = Env::new(None);
    let mut store = env.store();
    queue(&mut store, 2);
    let started = Instant::now();
    let s = flush(&mut worker(&env, &server.url(None), 2));
    let took = started.elapsed();
    eprintln!("never greets, smtp_timeout_seconds = 2: flush took {took:?}");
    assert!(took < Duration::from_secs(30), "took {took:?}");
    assert_eq!(s.paused.as_ref().map(|p| p.0), Some(Reason::Timeout), "{s:?}");
    assert_eq!(server.connections(), 1, "one connection, not one per email");
    assert_eq!(store.count_by_state().expect("counts"), vec![(MessageState::Queued, 2)]);
}

#[test]
fn a_server_silent_after_data_leaves_that_email_uncertain_and_pauses() {
    let server = FaultySmtp::start(Script::SilentAfterData);
    let env = Env::new(None);
    let mut store = env.store();
    queue(&mut store, 2);
    let started = Instant::now();
    let s = flush(&mut worker(&env, &server.url(None), 2));
    let took = started.elapsed();
    eprintln!("silent after DATA, smtp_timeout_seconds = 2: flush took {took:?}");
    assert!(took < Duration::from_secs(30), "took {took:?}");
    assert_eq!((s.uncertain, s.paused.as_ref().map(|p| p.0)), (1, Some(Reason::Timeout)), "{s:?}");
    let mut counts = store.count_by_state().expect("counts");
    counts.sort_by_key(|(s, _)| s.as_str());
    assert_eq!(counts, vec![(MessageState::Queued, 1), (MessageState::Uncertain, 1)]);
}

#[test]
fn a_connection_dropped_after_data_is_uncertain_and_never_sent_again() {
    let server = FaultySmtp::start(Script::DropAfterData);
    let env = Env::new(None);
    let mut store = env.store();
    queue(&mut store, 1);
    let s = flush(&mut worker(&env, &server.url(None), 60));
    assert_eq!(s.uncertain, 1, "{s:?}");
    // Later runs (the pause's retry time passed) do not send it again on their own.
    let later = guestmail::store::now_ms() + 3_600_000;
    let s = flush(&mut worker(&env, &server.url(None), 60).with_clock(move || later));
    assert_eq!((s.sent, s.deferred), (0, 0), "{s:?}");
    assert_eq!(store.count_by_state().expect("counts"), vec![(MessageState::Uncertain, 1)]);
    assert_eq!(server.stored().len(), 1, "delivered once");
}

fn send(env: &Env, url: &str, extra: &str) -> Command {
    let path = env.dir.path().join("send.toml");
    std::fs::write(&path, format!("{}{extra}", env::config_text(Some(url)))).expect("config");
    let mut c = Command::new(env!("CARGO_BIN_EXE_guestmail"));
    c.arg("--db").arg(&env.db).arg("--config").arg(&path).arg("send").arg("--quiet");
    c
}

#[test]
fn a_wrong_password_is_tried_once_for_300_emails_and_send_exits_4_with_the_line() {
    let server =
        FaultySmtp::start(Script::AuthReply("535 5.7.8 Error: authentication failed: authentication failure".into()));
    let env = Env::new(None);
    let mut store = env.store();
    queue(&mut store, 300);
    let out = send(&env, &server.url(Some("bistro")), "smtp_password_env = \"GM_FAULTS_PASSWORD\"\n")
        .env("GM_FAULTS_PASSWORD", "wrong")
        .output()
        .expect("run send");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "stderr: {stderr}");
    assert!(
        stderr.contains("The mail server refused our login (535 5.7.8): check smtp_url and the password file"),
        "{stderr}"
    );
    assert_eq!(server.logins(), 1, "one login attempt, not one per email");
    assert_eq!(store.count_by_state().expect("counts"), vec![(MessageState::Queued, 300)]);
}

#[test]
fn sigterm_ends_a_send_stuck_on_a_silent_server() {
    let server = FaultySmtp::start(Script::SilentAfterData);
    let env = Env::new(None);
    let mut store = env.store();
    queue(&mut store, 3);
    let mut child = send(&env, &server.url(None), "smtp_timeout_seconds = 60\n")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn send");
    // Wait until the message is on the wire and the server silent.
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.rcpts() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let signalled = Instant::now();
    // SAFETY-free: the libc-less way to send SIGTERM from a test is the `kill` command.
    let status = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().expect("kill");
    assert!(status.success());
    let exited = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break Some(s);
        }
        if signalled.elapsed() > Duration::from_secs(10) {
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = signalled.elapsed();
    if exited.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    eprintln!("SIGTERM to exit of a send stuck after DATA: {took:?}");
    assert!(exited.is_some(), "send still running {took:?} after SIGTERM");
    // The next start: the email on the wire is uncertain, the others go back to the outbox.
    let mut w = worker(&env, &server.url(None), 2);
    let recovered = w.recover().expect("recover");
    assert_eq!(recovered.len(), 1, "only the email on the wire is uncertain");
    let mut counts = store.count_by_state().expect("counts");
    counts.sort_by_key(|(s, _)| s.as_str());
    assert_eq!(counts, vec![(MessageState::Queued, 2), (MessageState::Uncertain, 1)]);
}
