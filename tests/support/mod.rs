//! Helpers shared by every integration test (one `mod support;` each): a pseudo-terminal
//! driving the real binary, a database fixture with every email marker state on one day
//! (`tonight`), a private Dovecot (`dovecot`), a loopback SMTP server (`smtp`) and a
//! misbehaving one (`faulty_smtp`), an outbox set-up (`outbox_env`), a fresh schema on the
//! test Postgres server (`pg`), the tracker's world and HTTP client (`tracker`), and the screen
//! without a terminal (`screen`: keys, frames, rows).
#![allow(dead_code)]
// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use guestmail::domain::{EmailKind, Language, MessageState, NewReservation, ReservationStatus};
use guestmail::store::{NewMessage, Store};
use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub mod dovecot;
pub mod engines;
pub mod faulty_smtp;
pub mod outbox_env;
pub mod pg;
pub mod screen;
pub mod smtp;
pub mod tonight;
pub mod tracker;

/// Key sequences as a terminal sends them.
pub const UP: &str = "\x1b[A";
pub const DOWN: &str = "\x1b[B";
pub const RIGHT: &str = "\x1b[C";
pub const LEFT: &str = "\x1b[D";
pub const ESC: &str = "\x1b";
pub const ENTER: &str = "\r";
pub const CTRL_C: &str = "\x03";

/// Generous: a loaded CI machine may be slow, and a wait only fails when the text never comes.
pub const WAIT: Duration = Duration::from_secs(20);

/// The real binary running in a pseudo-terminal, with its screen parsed by vt100.
pub struct Pty {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn std::io::Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    parser: Arc<Mutex<vt100::Parser>>,
}

impl Pty {
    /// Starts `program args` in a `cols` x `rows` terminal with `env` added.
    pub fn spawn(program: &str, args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 })
            .expect("open a pseudo-terminal");
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        // portable-pty starts in $HOME unless told otherwise, and tests point HOME elsewhere.
        cmd.cwd(std::env::current_dir().expect("current dir"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn the binary");
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let sink = Arc::clone(&parser);
        thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().expect("parser lock").process(&buf[..n]);
            }
        });
        let writer = pair.master.take_writer().expect("pty writer");
        Pty { master: pair.master, writer, child, parser }
    }

    /// Types keys (text or the escape sequences above).
    pub fn send_keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write to the pty");
        self.writer.flush().expect("flush the pty");
    }

    /// The screen as text, one line per row.
    pub fn screen_text(&self) -> String {
        self.parser.lock().expect("parser lock").screen().contents()
    }

    /// Runs `f` on the parsed screen (for cursor, alternate-screen and attribute checks).
    pub fn with_screen<T>(&self, f: impl FnOnce(&vt100::Screen) -> T) -> T {
        f(self.parser.lock().expect("parser lock").screen())
    }

    /// Waits until `pred` holds on the screen text; panics with the screen after `timeout`.
    pub fn wait_until(&self, what: &str, timeout: Duration, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let text = self.screen_text();
            if pred(&text) {
                return text;
            }
            assert!(start.elapsed() < timeout, "gave up waiting for {what}; the screen shows:\n{text}");
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until `text` is on the screen.
    pub fn wait_for_text(&self, text: &str, timeout: Duration) -> String {
        self.wait_until(&format!("{text:?}"), timeout, |s| s.contains(text))
    }

    /// Waits until `text` is gone from the screen.
    pub fn wait_for_no_text(&self, text: &str, timeout: Duration) -> String {
        self.wait_until(&format!("{text:?} to go"), timeout, |s| !s.contains(text))
    }

    /// Tells the program its terminal changed size.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.parser.lock().expect("parser lock").screen_mut().set_size(rows, cols);
        self.master.resize(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }).expect("resize the pty");
    }

    /// Waits for the program to exit and returns its status; kills it after `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> portable_pty::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("poll the child") {
                // Let the reader thread take in the last bytes (the terminal restore).
                thread::sleep(Duration::from_millis(100));
                return status;
            }
            if start.elapsed() > timeout {
                let _ = self.child.kill();
                panic!("the program did not exit; the screen shows:\n{}", self.screen_text());
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
    }
}

/// The day the fixtures use: a Monday.
pub fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2037, 11, 23).expect("valid date")
}

fn at(d: NaiveDate, hm: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(&format!("{d} {hm}"), "%Y-%m-%d %H:%M").expect("valid time")
}

fn reservation(name: &str, d: NaiveDate, hm: &str, party: u32, status: ReservationStatus) -> NewReservation {
    let local = name.split(' ').next().unwrap_or(name).to_lowercase();
    NewReservation {
        name: name.to_owned(),
        email: format!("{local}@example.org"),
        phone: format!("+32 470 {:02} {:02} {:02}", party * 7 % 100, name.len(), hm.len() * 3),
        language: Language::En,
        starts_at: at(d, hm),
        party_size: party,
        status,
        notes: String::new(),
    }
}

/// (guest, time, party, status, [pending, confirmed, completed] messages as
/// (state, human opens, machine opens)).
type Spec = (&'static str, &'static str, u32, ReservationStatus, [Option<(MessageState, u32, u32)>; 3]);

/// One reservation per marker state on [`day`], plus two on the next day, written through
/// the store (messages queued, then put in their state by the test fixture).
pub fn marker_day(path: &Path) -> Store {
    marker_day_on(path, day())
}

/// The same reservations on another day (one still to come for the real binary, whose clock
/// cannot be fixed: the follow-up list leaves out the past).
pub fn marker_day_on(path: &Path, day: NaiveDate) -> Store {
    use MessageState::{Bounced, Queued, Sending, Sent, Suppressed, Uncertain};
    use ReservationStatus::{Cancelled, Completed, Confirmed, NoShow, Pending};
    let specs: [Spec; 8] = [
        ("Amélie Martin", "12:00", 2, Confirmed, [Some((Sent, 3, 1)), Some((Sent, 0, 0)), None]),
        ("Bram Peeters", "12:30", 4, Confirmed, [Some((Sent, 0, 2)), Some((Queued, 0, 0)), None]),
        ("Claire Dubois", "13:00", 3, Pending, [Some((Bounced, 0, 0)), None, None]),
        ("David Smith", "19:00", 2, Completed, [Some((Sent, 1, 0)), Some((Sent, 2, 0)), Some((Uncertain, 0, 0))]),
        ("Emma Janssens", "19:30", 6, Cancelled, [Some((Sent, 0, 0)), None, None]),
        ("François Leroy", "20:00", 2, Pending, [None, None, None]),
        ("Giulia Rossi", "20:30", 5, Confirmed, [Some((Sent, 1, 0)), Some((Suppressed, 0, 0)), None]),
        ("Hugo Van Damme", "21:00", 1, NoShow, [Some((Sending, 0, 0)), Some((Sent, 0, 0)), None]),
    ];
    // Booked the day before; the meals already over get their status afterwards.
    let booked = guestmail::clock::Clock::Local.ms_of(at(day.pred_opt().expect("day before"), "10:00"));
    let mut store = Store::open(path).expect("open the fixture database").frozen_at(booked);
    let next = day.succ_opt().expect("next day");
    let booked_as = |s: ReservationStatus| if s == Pending { Pending } else { Confirmed };
    let mut all: Vec<NewReservation> =
        specs.iter().map(|(n, t, p, s, _)| reservation(n, day, t, *p, booked_as(*s))).collect();
    all.push(reservation("Ines Next", next, "12:15", 2, Confirmed));
    all.push(reservation("Jules Later", next, "20:45", 4, Pending));
    let ids = store.create_reservations(&all, |_| false).expect("create the fixture reservations");
    for (spec, id) in specs.iter().zip(&ids) {
        if spec.3 != booked_as(spec.3) {
            store.fixture_set_status(*id, spec.3).expect("set the fixture status");
        }
        let row = store.reservation(*id).expect("fixture reservation");
        for (kind, msg) in EmailKind::MARKED.iter().zip(spec.4) {
            let Some((state, human, machine)) = msg else { continue };
            let m = NewMessage {
                reservation_id: Some(*id),
                guest_id: row.guest.id,
                kind: *kind,
                recipient: &row.guest.email,
                subject: "",
                resend_of: None,
                actor: "test",
            };
            let (mid, _) = store.queue_message(&m).expect("queue a fixture message");
            store.fixture_set_message(mid, state, human, machine).expect("set the fixture state");
        }
    }
    store
}
