//! Regression guard for the Nagle/delayed-ACK stall (lettre 0.11.23 sends the body and the
//! final `.` in two writes without `TCP_NODELAY`: ~44 ms per message). 200 messages over one
//! pooled connection must reach the loopback server in well under 2 s; with the stall they
//! take about 9 s. The bound is loose on purpose: only a stall breaks it.

mod support;

use support::outbox_env as env;
use support::smtp;

use std::time::{Duration, Instant};

use guestmail::domain::{EmailKind, Language};
use guestmail::mail::compose::Composer;
use guestmail::mail::transport::{SmtpSender, SmtpSettings};
use guestmail::store::{Claimed, ClaimedVenue, new_token};
use smtp::TestSmtp;

#[test]
fn two_hundred_messages_over_one_connection_do_not_stall() {
    let server = TestSmtp::start();
    let env = env::Env::new(None);
    let composer = Composer::new(&env.config).expect("composer");
    let emails: Vec<_> = (0..200)
        .map(|i| {
            let m = Claimed {
                id: i,
                kind: EmailKind::Confirmed,
                recipient: format!("g{i}@example.org"),
                message_id: format!("<{}@mail.chez.example>", new_token()),
                token: new_token(),
                attempts: 1,
                created_at: 0,
                guest_name: "Léa".into(),
                language: Some(Language::Fr),
                starts_at: Some(env::at("2037-11-28 19:30")),
                party_size: Some(2),
                venue: ClaimedVenue::default(),
            };
            composer.compose(&m).expect("compose")
        })
        .collect();
    let sender = SmtpSender::new(SmtpSettings::plain(&server.addr.ip().to_string(), server.addr.port()));
    let started = Instant::now();
    for e in &emails {
        sender.send(&e.envelope, &e.bytes).expect("accepted");
    }
    let took = started.elapsed();
    assert_eq!(server.wait_for(200, Duration::from_secs(5)), 200);
    assert_eq!(server.sessions(), 1, "one pooled connection for all 200");
    assert!(took < Duration::from_secs(2), "200 messages took {took:?}: the Nagle stall is back");
}
