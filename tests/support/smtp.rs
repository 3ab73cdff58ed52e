//! A real SMTP server on loopback for tests (mailin-embedded), recording what it accepts and
//! answering with scripted refusals when asked.
#![allow(dead_code)]

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use mailin_embedded::{Handler, Response, Server};

/// One message the server accepted (after the final `.`).
#[derive(Debug, Clone)]
pub struct Received {
    /// The envelope sender (MAIL FROM), i.e. the Return-Path.
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    pub data: Vec<u8>,
}

impl Received {
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default().parse(&self.data).expect("the server received a parseable message")
    }

    pub fn message_id(&self) -> String {
        self.parsed().message_id().unwrap_or_default().to_owned()
    }
}

/// A scripted answer to RCPT TO for one address: `times` = how many times (None = always).
#[derive(Debug, Clone)]
struct Rule {
    recipient: String,
    code: u16,
    text: String,
    times: Option<usize>,
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    arrived: Condvar,
    rules: Mutex<Vec<Rule>>,
    rcpt_seen: Mutex<Vec<String>>,
    sessions: std::sync::atomic::AtomicUsize,
    /// When set to n, every message after the first n waits at its final `.` (unanswered)
    /// until the hold is lifted: a sender stuck mid-batch, to be killed there.
    hold: Mutex<Option<usize>>,
    unheld: Condvar,
}

#[derive(Clone)]
struct Recorder {
    shared: Arc<Shared>,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Recorder {
    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        self.shared.sessions.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        mailin_embedded::response::OK
    }

    fn mail(&mut self, _ip: IpAddr, _domain: &str, from: &str) -> Response {
        from.clone_into(&mut self.from);
        self.to.clear();
        mailin_embedded::response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        self.shared.rcpt_seen.lock().expect("lock").push(to.to_owned());
        let mut rules = self.shared.rules.lock().expect("lock");
        if let Some(rule) = rules.iter_mut().find(|r| r.recipient.eq_ignore_ascii_case(to) && r.times != Some(0)) {
            if let Some(n) = rule.times.as_mut() {
                *n -= 1;
            }
            return Response::custom(rule.code, rule.text.clone());
        }
        self.to.push(to.to_owned());
        mailin_embedded::response::OK
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, _to: &[String]) -> Response {
        self.data.clear();
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let mut hold = self.shared.hold.lock().expect("lock");
        while hold.is_some_and(|n| self.shared.received.lock().expect("lock").len() >= n) {
            hold = self.shared.unheld.wait(hold).expect("lock");
        }
        drop(hold);
        let r =
            Received { mail_from: self.from.clone(), rcpt_to: self.to.clone(), data: std::mem::take(&mut self.data) };
        self.shared.received.lock().expect("lock").push(r);
        self.shared.arrived.notify_all();
        mailin_embedded::response::OK
    }
}

/// A running test server. It lives until the test process ends.
pub struct TestSmtp {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl TestSmtp {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let shared = Arc::new(Shared::default());
        let handler = Recorder { shared: Arc::clone(&shared), from: String::new(), to: Vec::new(), data: Vec::new() };
        let mut server = Server::new(handler);
        server.with_name("test.smtp.localhost").with_num_threads(8).with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        TestSmtp { addr, shared }
    }

    /// `smtp_url` for this server (plain text, as loopback tests need).
    pub fn url(&self) -> String {
        format!("smtp://{}:{}?tls=none", self.addr.ip(), self.addr.port())
    }

    /// Answer RCPT TO `recipient` with `code text`, `times` times (None: always).
    pub fn refuse(&self, recipient: &str, code: u16, text: &str, times: Option<usize>) {
        self.shared.rules.lock().expect("lock").push(Rule {
            recipient: recipient.to_owned(),
            code,
            text: text.to_owned(),
            times,
        });
    }

    /// Accepts `n` more messages, then holds each further one unanswered at its final `.`
    /// until [`Self::release_hold`].
    pub fn hold_after(&self, n: usize) {
        *self.shared.hold.lock().expect("lock") = Some(self.count() + n);
    }

    pub fn release_hold(&self) {
        *self.shared.hold.lock().expect("lock") = None;
        self.shared.unheld.notify_all();
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().expect("lock").clone()
    }

    pub fn count(&self) -> usize {
        self.shared.received.lock().expect("lock").len()
    }

    /// How many SMTP sessions (EHLO/HELO) the server saw.
    pub fn sessions(&self) -> usize {
        self.shared.sessions.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Every RCPT TO the server saw, accepted or not.
    pub fn rcpt_seen(&self) -> Vec<String> {
        self.shared.rcpt_seen.lock().expect("lock").clone()
    }

    /// Waits until at least `n` messages arrived or `timeout` passes; returns the count.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> usize {
        let deadline = Instant::now() + timeout;
        let mut got = self.shared.received.lock().expect("lock");
        while got.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            got = self.shared.arrived.wait_timeout(got, left).expect("lock").0;
        }
        got.len()
    }
}

/// A loopback port with nothing listening (bound, then released).
pub fn dead_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}
