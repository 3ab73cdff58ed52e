//! Real bounces from a real Postfix: the harness of `../shared/harness/postfix` runs a private
//! Postfix on a loopback port; `guestmail send` (the real binary) mails guests at domains the
//! harness bounces, with its per-email VERP envelope; the Postfix DSNs that come back to the
//! bounce Maildir are taken in, classified and counted. Also against real DSNs: a report
//! returned to a token that is none of ours counts nothing, and a report about an email
//! already refused at RCPT does not count it twice.
//!
//! Needs root (the Postfix master starts as root), as tests and CI run; the harness installs
//! Postfix when it is missing (`.ci/run` does it up front). Without root the test says why and
//! does nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use support::outbox_env as env;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use env::{Env, booking};
use guestmail::bounce::ingest::{Limits, ingest_maildir};
use guestmail::config::Config;
use guestmail::domain::{BounceClass, Language, MessageState};
use guestmail::store::{MessageRecord, Store};

const HARNESS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/harness/postfix/postfix_e2e.sh");
const DOMAIN: &str = "guestmail.test";
/// How long the DSNs may take: the harness measures ~0.06 s each; this only guards a stall.
const DSN_WAIT: Duration = Duration::from_mins(1);

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A running private Postfix; stopped (by its own `stop`, never by name) when dropped.
struct Postfix {
    scratch: PathBuf,
    port: u16,
}

impl Postfix {
    fn start(scratch: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let out = Command::new("bash").arg(HARNESS).arg("start").arg(scratch).arg(port.to_string()).output().unwrap();
        assert!(
            out.status.success(),
            "the Postfix harness did not start:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        Postfix { scratch: scratch.to_owned(), port }
    }

    /// One plain message through the instance, with the given envelope sender.
    fn send(&self, from: &str, to: &str) {
        let out = Command::new("bash")
            .arg(HARNESS)
            .arg("send")
            .arg(&self.scratch)
            .arg(self.port.to_string())
            .args([from, to])
            .output()
            .unwrap();
        assert!(out.status.success(), "harness send failed: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn bounces(&self) -> PathBuf {
        self.scratch.join("bounces/Maildir")
    }

    fn waiting(&self) -> usize {
        std::fs::read_dir(self.bounces().join("new")).map_or(0, Iterator::count)
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        let _ = Command::new("bash").arg(HARNESS).arg("stop").arg(&self.scratch).status();
    }
}

fn email_to(store: &Store, id: i64) -> MessageRecord {
    store.messages_for_reservation(id).unwrap().remove(0)
}

fn errors(store: &Store, email: &str) -> u32 {
    store.address(email).unwrap().map_or(0, |a| a.error_count)
}

/// The one report received about an email: its class and status.
fn report(store: &Store, message: i64) -> (BounceClass, Option<String>) {
    let mut rows = store.bounces_for_message(message).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = rows.remove(0);
    (row.class.parse().unwrap(), row.status)
}

#[test]
fn real_postfix_dsns_are_classified_and_counted_once_on_the_right_email() {
    if !is_root() {
        eprintln!(
            "SKIPPED real_postfix_dsns_are_classified_and_counted_once_on_the_right_email: needs root \
             (the Postfix master of ../shared/harness/postfix starts as root; CI runs it as root)"
        );
        return;
    }
    assert!(Path::new(HARNESS).is_file(), "the Postfix harness is missing: {HARNESS}");
    // Under /tmp: the harness's mail uid (nobody) must reach the scratch directory.
    let scratch = tempfile::Builder::new().prefix("gm-postfix-").tempdir_in("/tmp").unwrap();
    let postfix = Postfix::start(scratch.path());

    let url = format!("smtp://127.0.0.1:{}?tls=none", postfix.port);
    let env = Env::new(Some(&url));
    let config = env.dir.path().join("postfix.toml");
    std::fs::write(&config, format!("{}bounce_domain = \"{DOMAIN}\"\n", env::config_text(Some(&url)))).unwrap();
    let mut store = env.store();
    let guests =
        ["x@user-unknown.example", "x@mailbox-full.example", "x@rejected.example", "nosuchuser@guestmail.test"];
    let ids: Vec<i64> = guests
        .iter()
        .map(|g| store.create_reservation(&booking("Guest", g, Language::En, "2037-05-01 19:30", 2)).unwrap())
        .collect();

    // The real binary sends, with its VERP envelope bounces+<token>@guestmail.test.
    let started = Instant::now();
    let sending = Command::new(env!("CARGO_BIN_EXE_guestmail"))
        .arg("--db")
        .arg(&env.db)
        .arg("--config")
        .arg(&config)
        .arg("send")
        .output()
        .unwrap();
    let sent: Vec<MessageRecord> = ids.iter().map(|id| email_to(&store, *id)).collect();
    let states: Vec<MessageState> = sent.iter().map(|m| m.state).collect();
    assert_eq!(
        states,
        [MessageState::Sent, MessageState::Sent, MessageState::Sent, MessageState::Failed],
        "{}",
        String::from_utf8_lossy(&sending.stderr)
    );
    // Refused at RCPT by Postfix itself (550 5.1.1): counted then.
    assert_eq!(errors(&store, guests[3]), 1);

    // Someone else's mail to one of our guests, returned to a token that is none of ours.
    postfix.send(&format!("bounces+0123456789abcdef0123456789abcdef@{DOMAIN}"), guests[0]);

    let deadline = Instant::now() + DSN_WAIT;
    while postfix.waiting() < 4 {
        assert!(Instant::now() < deadline, "the DSNs did not arrive: {} of 4", postfix.waiting());
        std::thread::sleep(Duration::from_millis(20));
    }
    eprintln!("postfix DSN round trip (send + 4 DSNs in the Maildir): {} ms", started.elapsed().as_millis());
    // Keep a real DSN about the first guest as the model of a late report (below).
    let model = std::fs::read_dir(postfix.bounces().join("new"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .find(|text| text.contains(&sent[0].token))
        .expect("the DSN about the first email");

    let limits = Limits::from(&Config::default());
    let summary = ingest_maildir(&mut store, &postfix.bounces(), &limits).unwrap();
    assert_eq!((summary.messages, summary.bounces, summary.recipients), (4, 4, 4), "{summary}");
    assert_eq!((summary.matched, summary.unmatched), (3, 1), "{summary}");

    assert_eq!(report(&store, sent[0].id), (BounceClass::Hard, Some("5.1.1".into())));
    assert_eq!(report(&store, sent[1].id), (BounceClass::Soft, Some("5.2.2".into())));
    let (rejected, rejected_status) = report(&store, sent[2].id);
    assert_eq!(rejected_status.as_deref(), Some("5.7.1"));
    for (i, guest) in guests[..3].iter().enumerate() {
        let bounced = store.message(sent[i].id).unwrap().state;
        assert_eq!(bounced, MessageState::Bounced, "{guest}");
    }
    // One error each for the guest's own failures; nothing for the foreign report, although it
    // names our first guest; nothing for the content filter's spam refusal, which is about our
    // message and reputation, not the guest's address (the email still shows as bounced).
    assert_eq!(errors(&store, guests[0]), 1, "the foreign report counted nothing");
    assert_eq!(errors(&store, guests[1]), 1);
    assert!(rejected.counts_as_error(), "a spam refusal is an error message");
    assert_eq!(errors(&store, guests[2]), 0, "but the venue's, not the guest's");
    let unmatched = store.unmatched_bounces().unwrap();
    assert_eq!(unmatched.len(), 1);
    assert_eq!(unmatched[0].recipient.as_deref(), Some(guests[0]));

    // A late report about the email Postfix refused at RCPT (the real DSN, readdressed to that
    // email's VERP token and recipient): kept, counted no second time, the email stays failed.
    let late = model.replace(&sent[0].token, &sent[3].token).replace(guests[0], guests[3]);
    std::fs::write(postfix.bounces().join("new/late.host"), late).unwrap();
    let summary = ingest_maildir(&mut store, &postfix.bounces(), &limits).unwrap();
    assert_eq!((summary.matched, summary.errors_counted), (1, 0), "{summary}");
    assert_eq!(errors(&store, guests[3]), 1);
    assert_eq!(store.message(sent[3].id).unwrap().state, MessageState::Failed);
    drop(postfix);
}
