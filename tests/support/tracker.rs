//! Helpers for the tracker tests: a database with sent messages, and a plain HTTP/1.1
//! client over `std::net::TcpStream` that reads answers with `httparse`.

#![allow(dead_code)] // each test binary uses its own part of the helpers

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDate;
use guestmail::domain::{Language, NewReservation, ReservationStatus};
use guestmail::store::{Store, now_ms};
use guestmail::tracker::{Tracker, TrackerOptions};

pub const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
pub const GMAIL: &str = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)";
pub const MPP: &str = "Mozilla/5.0";

/// Options that count every hit and keep every raw hit (the tests of the HTTP side that
/// send the same request many times on purpose).
pub fn counting_every_hit() -> TrackerOptions {
    TrackerOptions {
        policy: guestmail::store::OpenPolicy { dedup_ms: 0, hits_kept: u32::MAX },
        ..TrackerOptions::default()
    }
}

/// The classifier with the built-in ranges, for direct store calls.
pub fn by_rules(facts: &guestmail::store::OpenFacts<'_>) -> guestmail::store::OpenVerdict {
    guestmail::tracker::classify::classify(&guestmail::tracker::ranges::Ranges::embedded(), facts)
}

pub fn pixel(token: &str) -> String {
    format!("/o/{token}.gif")
}

/// A temporary database holding `n` messages, each sent an hour ago.
pub struct World {
    _db: super::engines::Db,
    /// The store: a file, or a `postgres://` URL.
    pub db: PathBuf,
    pub ids: Vec<i64>,
    pub tokens: Vec<String>,
    pub sent_at: i64,
}

impl World {
    pub fn new(n: usize) -> Self {
        Self::on(super::engines::Engine::Sqlite, n)
    }

    /// The same world with its store on `engine`.
    pub fn on(engine: super::engines::Engine, n: usize) -> Self {
        let fresh = super::engines::Db::fresh(engine).expect("a PostgreSQL server for this test");
        let db = fresh.location.clone();
        let mut store = Store::open(&db).expect("store");
        let sent_at = now_ms() - 3_600_000;
        let (mut ids, mut tokens) = (Vec::new(), Vec::new());
        for i in 0..n {
            let day = NaiveDate::from_ymd_opt(2037, 11, 23).expect("date");
            let r = NewReservation {
                name: format!("Guest {i}"),
                email: format!("guest{i}@example.org"),
                phone: String::new(),
                language: Language::En,
                starts_at: day.and_hms_opt(19, 0, 0).expect("time"),
                party_size: 2,
                status: ReservationStatus::Pending,
                notes: String::new(),
            };
            let rid = store.create_reservation(&r).expect("reservation");
            let message = store.messages_for_reservation(rid).expect("messages").remove(0);
            store.fixture_mark_sent(message.id, sent_at).expect("sent");
            ids.push(message.id);
            tokens.push(message.token);
        }
        World { _db: fresh, db, ids, tokens, sent_at }
    }

    pub fn start(&self, options: TrackerOptions) -> Tracker {
        Tracker::start("127.0.0.1:0", &self.db, options).expect("tracker starts")
    }

    pub fn store(&self) -> Store {
        Store::open(&self.db).expect("store")
    }
}

/// One answer as the client saw it.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn closes(&self) -> bool {
        self.header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close"))
    }
}

pub struct Client {
    pub stream: TcpStream,
    buf: Vec<u8>,
    closed: bool,
}

impl Client {
    pub fn connect(addr: SocketAddr) -> Self {
        Self::try_connect(addr).expect("connect to the tracker")
    }

    pub fn try_connect(addr: SocketAddr) -> Option<Self> {
        let stream = TcpStream::connect(addr).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
        Some(Client { stream, buf: Vec::new(), closed: false })
    }

    pub fn get(&mut self, path: &str, user_agent: Option<&str>) -> Answer {
        let ua = user_agent.map(|ua| format!("User-Agent: {ua}\r\n")).unwrap_or_default();
        self.request(&format!("GET {path} HTTP/1.1\r\nHost: tracker.test\r\n{ua}\r\n"), false)
    }

    pub fn request(&mut self, text: &str, head_only: bool) -> Answer {
        self.stream.write_all(text.as_bytes()).expect("send the request");
        self.read_answer(head_only).expect("an answer")
    }

    /// Sends raw bytes and reads the answer.
    pub fn raw(&mut self, bytes: &[u8]) -> Answer {
        // The server may answer and close before reading everything: ignore write errors.
        let _ = self.stream.write_all(bytes);
        self.read_answer(false).expect("an answer")
    }

    /// A GET that reports failure instead of panicking; `None` once the connection is over.
    pub fn try_get(&mut self, path: &str, user_agent: &str) -> Option<Answer> {
        if self.closed {
            return None;
        }
        let text = format!("GET {path} HTTP/1.1\r\nHost: tracker.test\r\nUser-Agent: {user_agent}\r\n\r\n");
        self.stream.write_all(text.as_bytes()).ok()?;
        let answer = self.read_answer(false)?;
        self.closed = answer.closes();
        Some(answer)
    }

    /// True when the server closes the connection without answering anything.
    pub fn closed_by_server(&mut self) -> bool {
        let mut byte = [0u8; 1];
        matches!(self.stream.read(&mut byte), Ok(0))
    }

    pub fn read_answer(&mut self, head_only: bool) -> Option<Answer> {
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut resp = httparse::Response::new(&mut headers);
            if let Ok(httparse::Status::Complete(len)) = resp.parse(&self.buf) {
                let status = resp.code?;
                let headers: Vec<(String, String)> = resp
                    .headers
                    .iter()
                    .map(|h| (h.name.to_owned(), String::from_utf8_lossy(h.value).into_owned()))
                    .collect();
                let mut answer = Answer { status, headers, body: Vec::new() };
                let body_len = if head_only {
                    0
                } else {
                    answer.header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0)
                };
                while self.buf.len() < len + body_len {
                    self.fill()?;
                }
                answer.body = self.buf[len..len + body_len].to_vec();
                self.buf.drain(..len + body_len);
                return Some(answer);
            }
            self.fill()?;
        }
    }

    fn fill(&mut self) -> Option<()> {
        let mut chunk = [0u8; 4096];
        match self.stream.read(&mut chunk) {
            Ok(0) | Err(_) => None,
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                Some(())
            }
        }
    }
}
