//! The long-running worker (`run_until`), as the TUI and `guestmail serve` use it: it sends
//! what gets queued while it runs, reports each message, and stops when the flag is set.

mod support;

use support::outbox_env as env;
use support::smtp;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use env::{Env, booking};
use guestmail::domain::{Language, MessageState};
use guestmail::mail::FlushEvent;
use smtp::TestSmtp;

#[test]
fn run_until_sends_what_is_queued_while_it_runs_and_stops_on_the_flag() {
    let server = TestSmtp::start();
    let env = Env::new(Some(&server.url()));
    let worker = env.worker();
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    let flag = Arc::clone(&stop);
    let thread = std::thread::spawn(move || {
        worker.run_until_with(&flag, |e| {
            if let FlushEvent::Done(report) = e {
                let _ = tx.send(report);
            }
        })
    });
    let rid =
        env.store().create_reservation(&booking("A", "a@example.org", Language::En, "2037-11-28 19:30", 2)).expect("c");
    let report = rx.recv_timeout(Duration::from_secs(30)).expect("a report from the worker");
    assert_eq!((report.state, report.recipient.as_str()), (MessageState::Sent, "a@example.org"));
    assert_eq!(server.count(), 1);
    assert_eq!(env.store().messages_for_reservation(rid).expect("m")[0].state, MessageState::Sent);
    stop.store(true, Ordering::Relaxed);
    thread.join().expect("thread").expect("worker ended cleanly");
}
