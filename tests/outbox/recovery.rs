//! Crash safety and cooperation: interrupted rows become `uncertain` (never re-sent on their
//! own), live workers' rows are left alone, two workers never send the same row, and the
//! Maildir transport writes whole, readable files.

use crate::support;

use support::engines::Engine;
use support::outbox_env as env;
use support::smtp;

use std::collections::HashSet;

use env::{Env, booking, flush};
use guestmail::domain::{EventKind, Language, MessageState};
use guestmail::store::now_ms;
use smtp::TestSmtp;

fn a_row_left_in_sending_by_a_dead_worker_becomes_uncertain_and_is_not_resent(engine: Engine) {
    let server = TestSmtp::start();
    let env = Env::on(engine, Some(&server.url()));
    let mut store = env.store();
    let rid = store.create_reservation(&booking("U", "u@example.org", Language::En, "2037-11-28 19:30", 2)).expect("c");
    // A worker that claimed the row and died before recording anything (no lock file left).
    let claim = store.claim_next("w-1-deadbeef0000", now_ms()).expect("claim");
    let id = claim.messages[0].id;
    assert_eq!(store.message(id).expect("row").state, MessageState::Sending);

    let s = flush(&mut env.worker());
    assert_eq!((s.uncertain, s.sent), (1, 0));
    let m = store.message(id).expect("row");
    assert_eq!(m.state, MessageState::Uncertain);
    assert!(store.last_event(id, EventKind::Uncertain).expect("e").is_some());
    assert_eq!(flush(&mut env.worker()).sent, 0, "still not re-sent on a second start");
    assert_eq!(server.count(), 0);
    // Staff act on it (here: confirm); new messages go out, the uncertain one stays flagged.
    store.set_status(rid, guestmail::domain::ReservationStatus::Confirmed, "staff").expect("confirm");
    assert_eq!(flush(&mut env.worker()).sent, 1);
}

fn a_live_workers_row_is_left_alone_until_it_dies(engine: Engine) {
    let env = Env::on(engine, None);
    let mut store = env.store();
    store.create_reservation(&booking("L", "l@example.org", Language::En, "2037-11-28 19:30", 2)).expect("c");
    let busy = env.worker();
    let id = store.claim_next(busy.id(), now_ms()).expect("claim").messages[0].id;
    let mut other = env.worker();
    assert!(other.recover().expect("recover").is_empty(), "its owner is alive and may still be sending");
    assert_eq!(store.message(id).expect("row").state, MessageState::Sending);
    drop(busy);
    assert_eq!(other.recover().expect("recover"), vec![id]);
    assert_eq!(store.message(id).expect("row").state, MessageState::Uncertain);
}

fn two_workers_on_one_database_never_send_the_same_row(engine: Engine) {
    let server = TestSmtp::start();
    let env = Env::on(engine, Some(&server.url()));
    let mut store = env.store();
    let n = 300;
    for i in 0..n {
        store
            .create_reservation(&booking("T", &format!("t{i}@example.org"), Language::En, "2037-11-28 19:30", 2))
            .expect("c");
    }
    let sent: Vec<u64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2).map(|_| s.spawn(|| flush(&mut env.worker()).sent)).collect();
        handles.into_iter().map(|h| h.join().expect("worker thread")).collect()
    });
    assert_eq!(sent.iter().sum::<u64>(), n, "{sent:?}");
    let got = server.received();
    assert_eq!(got.len(), n as usize);
    let ids: HashSet<String> = got.iter().map(smtp::Received::message_id).collect();
    assert_eq!(ids.len(), n as usize, "each Message-ID arrived once");
    assert_eq!(store.count_by_state().expect("c"), vec![(MessageState::Sent, n as i64)]);
    for i in 1..=n as i64 {
        assert_eq!(store.message(i).expect("row").attempts, 1, "message {i} was claimed once");
    }
}

fn the_maildir_transport_writes_whole_readable_eml_files(engine: Engine) {
    let env = Env::on(engine, None);
    let mut store = env.store();
    let rid = store.create_reservation(&booking("M", "m@example.org", Language::Nl, "2037-11-28 19:30", 3)).expect("c");
    let row = store.messages_for_reservation(rid).expect("m").remove(0);
    assert_eq!(flush(&mut env.worker()).sent, 1);
    let new: Vec<_> =
        std::fs::read_dir(env.outbox.join("new")).expect("new/").map(|e| e.expect("entry").path()).collect();
    assert_eq!(new.len(), 1);
    assert!(new[0].extension().is_some_and(|e| e == "eml") && new[0].to_string_lossy().contains(&row.token));
    assert_eq!(std::fs::read_dir(env.outbox.join("tmp")).expect("tmp/").count(), 0, "nothing left half-written");
    let raw = std::fs::read(&new[0]).expect("read");
    let m = mail_parser::MessageParser::default().parse(&raw).expect("parse");
    assert_eq!(format!("<{}>", m.message_id().expect("id")), row.message_id);
    assert_eq!(m.return_address(), Some(format!("bounces+{}@mail.chez.example", row.token).as_str()));
    assert!(m.body_text(0).expect("text").contains("zaterdag 28 november 2037 om 19:30"));
    let state = store.message(row.id).expect("row");
    assert!(state.server_reply.as_deref().is_some_and(|r| r.contains(".eml")), "{:?}", state.server_reply);
}

crate::both_engines!(
    a_row_left_in_sending_by_a_dead_worker_becomes_uncertain_and_is_not_resent,
    a_live_workers_row_is_left_alone_until_it_dies,
    two_workers_on_one_database_never_send_the_same_row,
    the_maildir_transport_writes_whole_readable_eml_files,
);

/// PostgreSQL's leases: a worker whose lease expired (killed, or only stalled) has its rows
/// dealt with by its in-flight marks, and cannot send a row that was taken back from it.
#[test]
fn an_expired_lease_leaves_started_rows_uncertain_and_the_stalled_worker_cannot_send_the_rest() {
    if !support::engines::postgres_or_skip("an_expired_lease_leaves_started_rows_uncertain") {
        return;
    }
    let env = Env::on(Engine::Postgres, None);
    let mut store = env.store();
    for i in 0..4 {
        store
            .create_reservation(&booking("E", &format!("e{i}@example.org"), Language::En, "2037-11-28 19:30", 2))
            .expect("c");
    }
    let stalled = "w-1-stalledstall";
    store.renew_lease(stalled, "elsewhere", 1, 60_000).expect("lease");
    let ids: Vec<i64> = store.claim_batch(stalled, now_ms(), 3).expect("claim").messages.iter().map(|m| m.id).collect();
    assert_eq!(ids.len(), 3);
    assert!(store.mark_started(ids[0], stalled).expect("mark"));
    // The server took it: that is noted in the next email's mark (one statement for both).
    assert!(store.mark_started_noting(ids[1], stalled, Some(ids[0])).expect("mark"));
    assert!(!store.mark_started(ids[2], "w-1-someoneelse0").expect("mark"), "only the claimer marks a row");
    // Its heartbeat stops getting through: the lease runs out.
    env.execute("UPDATE worker_leases SET expires_at = 0 WHERE worker_id = 'w-1-stalledstall'", &[]);
    assert!(!store.live_workers().expect("live").contains(stalled));
    assert!(!store.mark_started(ids[2], stalled).expect("mark"), "no marking (so no sending) on an expired lease");

    let mut other = env.worker();
    assert_eq!(other.recover().expect("recover"), vec![ids[1]], "only the row on the wire is uncertain");
    assert_eq!(store.message(ids[0]).expect("row").state, MessageState::Sent, "its accepted mark says it arrived");
    assert_eq!(store.message(ids[1]).expect("row").state, MessageState::Uncertain);
    let back = store.message(ids[2]).expect("row");
    assert_eq!((back.state, back.attempts), (MessageState::Queued, 0), "never started: back as never tried");
    // The stalled worker wakes up: the row it had not started is no longer its to send.
    assert!(!store.mark_started(ids[2], stalled).expect("mark"));
    assert_eq!(other.recover().expect("again"), Vec::<i64>::new());
    // A live worker's rows are left alone while its heartbeat renews its lease.
    let busy = env.worker();
    let id = store.claim_next(busy.id(), now_ms()).expect("claim").messages[0].id;
    std::thread::sleep(guestmail::mail::liveness::HEARTBEAT * 2);
    assert!(other.recover().expect("recover").is_empty());
    assert_eq!(store.message(id).expect("row").state, MessageState::Sending);
}
