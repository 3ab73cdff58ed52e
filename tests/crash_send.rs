//! Kills the real `guestmail send` with SIGKILL at random moments while it flushes to a
//! loopback SMTP server, many times over, then checks that nothing was lost or silently sent
//! twice: each kill leaves at most the one email on the wire `uncertain`, none arrives twice.
//! Short by default (10 kills); `GUESTMAIL_SOAK=N` runs N kills. On both engines.

mod support;

use support::engines::Engine;
use support::outbox_env as env;
use support::smtp;

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use env::{Env, booking};
use guestmail::domain::{Language, MessageState};
use guestmail::mail::worker::BATCH;
use smtp::TestSmtp;

fn random_below(n: u64) -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("random");
    u64::from_le_bytes(b) % n.max(1)
}

fn send_command(env: &Env, config: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_guestmail"));
    cmd.arg("--db").arg(&env.db).arg("--config").arg(config).arg("send").arg("--quiet");
    cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    cmd
}

fn sigkill_during_send_loses_nothing_and_duplicates_nothing_silently(engine: Engine) {
    let rounds: usize = std::env::var("GUESTMAIL_SOAK").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let server = TestSmtp::start();
    let env = Env::on(engine, Some(&server.url()));
    let config = env.config_file(Some(&server.url()));
    let mut store = env.store();
    let mut next: i64 = 0;
    let mut kills = 0;
    for _ in 0..rounds {
        // Keep work in the outbox so each kill lands mid-flush (a flush now takes 64 at a time).
        for _ in 0..150 {
            let b = booking("K", &format!("k{next}@example.org"), Language::En, "2037-11-28 19:30", 2);
            store.create_reservation(&b).expect("create");
            next += 1;
        }
        let mut child = send_command(&env, &config).spawn().expect("spawn guestmail send");
        std::thread::sleep(Duration::from_millis(5 + random_below(120)));
        if child.try_wait().expect("poll").is_none() {
            child.kill().expect("SIGKILL");
            kills += 1;
        }
        child.wait().expect("reap");
    }
    if engine == Engine::Postgres {
        // The killed runs are known dead once their leases expire (no lock files to ask).
        std::thread::sleep(guestmail::mail::liveness::LEASE_TTL + Duration::from_millis(500));
    }
    let status = send_command(&env, &config).status().expect("final run");
    assert!(status.code().is_some_and(|c| c == 0), "the final flush failed: {status}");

    assert_eq!(store.integrity_check().expect("check"), "ok");
    let rows: Vec<_> = (1..=next).map(|id| store.message(id).expect("row")).collect();
    let mut by_state: HashMap<MessageState, usize> = HashMap::new();
    for m in &rows {
        *by_state.entry(m.state).or_default() += 1;
        assert!(
            matches!(
                m.state,
                MessageState::Sent | MessageState::Uncertain | MessageState::Queued | MessageState::Deferred
            ),
            "message {} ended {}",
            m.id,
            m.state
        );
    }
    // A kill leaves `uncertain` only the email that was on the wire (one connection: at most
    // one a kill); the rest of the claimed batch goes back to the outbox at the next start.
    let uncertain = by_state.get(&MessageState::Uncertain).copied().unwrap_or(0);
    assert!(uncertain <= kills, "{uncertain} uncertain for {kills} kills (batch {BATCH})");

    let mut received: HashMap<String, usize> = HashMap::new();
    for r in server.received() {
        *received.entry(r.message_id()).or_default() += 1;
    }
    for m in rows.iter().filter(|m| m.state == MessageState::Sent) {
        let id = m.message_id.trim_matches(['<', '>']);
        assert!(received.contains_key(id), "message {} is marked sent but never arrived", m.id);
    }
    let state_of: HashMap<&str, MessageState> =
        rows.iter().map(|m| (m.message_id.trim_matches(['<', '>']), m.state)).collect();
    for id in received.keys() {
        let state = state_of.get(id.as_str()).copied();
        assert!(
            matches!(state, Some(MessageState::Sent | MessageState::Uncertain)),
            "{id} arrived but its row is {state:?}"
        );
    }
    // An uncertain email is never re-sent on its own, so nothing arrives twice.
    let duplicates: usize = received.values().map(|n| n - 1).sum();
    assert_eq!(duplicates, 0, "{duplicates} duplicates for {kills} kills");
    eprintln!(
        "crash test: {rounds} rounds, {kills} kills, {} messages, {by_state:?}, {duplicates} duplicates",
        rows.len()
    );
}

both_engines!(sigkill_during_send_loses_nothing_and_duplicates_nothing_silently,);
