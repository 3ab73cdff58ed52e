//! End-to-end open tracking: the real binary in a pseudo-terminal runs the tracking endpoint
//! on a background thread; a real HTTP request for a sent message's pixel turns its marker
//! green on screen with no key pressed. A taken port leaves the app running and says so.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use support::outbox_env as env;
use support::smtp;

mod support;

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};

use env::{Env, SENDER};
use guestmail::domain::{EmailKind, Language, MessageState, ReservationStatus};
use guestmail::store::DemoMessage;
use support::{Pty, WAIT};

const BIN: &str = env!("CARGO_BIN_EXE_guestmail");
const DAY: &str = "2030-12-05";

/// A config whose endpoint listens on `listen` and that sends nowhere (Maildir outbox).
fn config(env: &Env, listen: &str) -> std::path::PathBuf {
    let path = env.config_file(None);
    let mut text = std::fs::read_to_string(&path).unwrap();
    text = text + "tracking_listen = \"" + listen + "\"\n";
    std::fs::write(&path, text).unwrap();
    path
}

fn spawn(env: &Env, config: &std::path::Path) -> Pty {
    let home = env.dir.path().join("home");
    let home = home.to_str().unwrap();
    let args = ["--db", env.db.to_str().unwrap(), "--config", config.to_str().unwrap(), "--date", DAY];
    Pty::spawn(BIN, &args, &[("HOME", home), ("XDG_CONFIG_HOME", home), ("XDG_DATA_HOME", home)], 110, 24)
}

/// A confirmed reservation whose confirmation was sent an hour ago (so an open now is not a
/// delivery-time prefetch); returns the message's tracking token.
fn sent_an_hour_ago(env: &Env) -> String {
    let mut store = env.store();
    let now = guestmail::store::now_ms();
    let starts = chrono::NaiveDateTime::parse_from_str(&format!("{DAY} 19:30"), "%Y-%m-%d %H:%M").unwrap();
    let id = store
        .demo_bulk(|w| {
            let guest = w.guest("Anna Peeters", "anna@example.org", "", Language::En, now)?;
            let r = w.reservation(guest, starts, 2, ReservationStatus::Confirmed, "", now)?;
            let m = DemoMessage {
                reservation_id: r,
                guest_id: guest,
                kind: EmailKind::Confirmed,
                recipient: "anna@example.org",
                subject: "Your table",
                state: MessageState::Sent,
                created_at: now - 3_600_000,
                sent_at: Some(now - 3_600_000),
                server_reply: Some("250 OK"),
                last_error: None,
                next_attempt_at: None,
                opens: &[],
            };
            w.message(&m, SENDER.split('@').nth(1).unwrap())
        })
        .unwrap();
    store.message(id).unwrap().token
}

fn get(addr: &str, path: &str, agent: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: t\r\nUser-Agent: {agent}\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

/// The colour of the first `glyph` on the row showing `name`.
fn glyph_colour(pty: &Pty, name: &str, glyph: &str) -> Option<vt100::Color> {
    pty.with_screen(|screen| {
        let (rows, cols) = screen.size();
        let row = (0..rows).find(|&r| screen.contents_between(r, 0, r, cols).contains(name))?;
        (0..cols).filter_map(|c| screen.cell(row, c)).find(|cell| cell.contents() == glyph).map(vt100::Cell::fgcolor)
    })
}

const RED: vt100::Color = vt100::Color::Idx(1);
const GREEN: vt100::Color = vt100::Color::Idx(2);

#[test]
fn an_open_turns_the_marker_green_without_a_key() {
    let env = Env::new(None);
    let port = smtp::dead_port();
    let addr = format!("127.0.0.1:{port}");
    let config = config(&env, &addr);
    let token = sent_an_hour_ago(&env);
    let mut pty = spawn(&env, &config);
    pty.wait_for_text("Anna Peeters", WAIT);
    assert_eq!(glyph_colour(&pty, "Anna Peeters", "●"), Some(RED), "sent, not opened:\n{}", pty.screen_text());

    let agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0";
    let answer = get(&addr, &format!("/o/{token}.gif"), agent);
    assert!(answer.starts_with("HTTP/1.1 200") && answer.contains("image/gif"), "{answer}");
    pty.wait_until("the marker to turn green", WAIT, |_| glyph_colour(&pty, "Anna Peeters", "●") == Some(GREEN));

    pty.send_keys("q");
    assert!(pty.wait_exit(WAIT).success());
    let m = env.store().latest_message(1, EmailKind::Confirmed).unwrap().unwrap();
    assert_eq!((m.open_count, m.human_open_count), (1, 1), "the open was stored once");
}

#[test]
fn a_taken_port_turns_tracking_off_but_the_app_runs() {
    let env = Env::new(None);
    let holder = TcpListener::bind("127.0.0.1:0").unwrap();
    let config = config(&env, &holder.local_addr().unwrap().to_string());
    sent_an_hour_ago(&env);
    let mut pty = spawn(&env, &config);
    let s = pty.wait_for_text("Tracking is off", WAIT);
    assert!(s.contains("Anna Peeters") && s.contains("cannot listen on"), "{s}");
    pty.send_keys("j");
    pty.send_keys("q");
    assert!(pty.wait_exit(WAIT).success());
}

/// A `guestmail serve` on the same machine holds the pixel port: the screen says the opens
/// are recorded by it (it answers our health path), not that tracking is off.
#[test]
fn a_port_held_by_another_guestmail_is_named_not_called_off() {
    let env = Env::new(None);
    let options = guestmail::tracker::TrackerOptions::from_config(&env.config).unwrap();
    let serve = guestmail::tracker::Tracker::start("127.0.0.1:0", &env.db, options).unwrap();
    let config = config(&env, &serve.local_addr().to_string());
    sent_an_hour_ago(&env);
    let mut pty = spawn(&env, &config);
    let s = pty.wait_for_text("Opens are recorded by the guestmail serve running here", WAIT);
    assert!(!s.contains("Tracking is off"), "{s}");
    pty.send_keys("q");
    assert!(pty.wait_exit(WAIT).success());
    serve.shutdown().unwrap();
}
