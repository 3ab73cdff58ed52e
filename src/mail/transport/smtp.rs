//! SMTP through lettre's public connection API, with a small pool of open connections.
//!
//! Why not `lettre::SmtpTransport`: lettre 0.11.23 never sets `TCP_NODELAY` and offers no
//! way to reach its socket, and its `SmtpConnection::message` writes the body and then the
//! five-byte `CRLF.CRLF` terminator as two separate writes. Nagle's algorithm holds that
//! second small write until the body is acknowledged, and the server delays its ACK (~40 ms
//! on Linux) because it is still waiting for the terminator: a steady 44 ms per message.
//! Here the whole DATA payload (dot-stuffed body and terminator) goes out in ONE write
//! through `SmtpConnection::command`, so every step is write-then-read and Nagle has nothing
//! to hold back, over plain TCP and TLS alike. Everything else (connect, TLS, STARTTLS,
//! EHLO, AUTH, reply parsing, error kinds) is lettre's.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lettre::Address;
use lettre::address::Envelope;
use lettre::transport::smtp::Error as SmtpError;
use lettre::transport::smtp::authentication::Mechanism;
use lettre::transport::smtp::client::SmtpConnection;
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};

use super::{Security, SendError, SmtpSettings};
use crate::failure::Stage;

/// Idle connections kept open, and for how long.
const MAX_IDLE: usize = 4;
const IDLE_FOR: Duration = Duration::from_mins(1);
/// An idle connection older than this is checked with NOOP before use.
const CHECK_AFTER: Duration = Duration::from_secs(10);

struct Idle {
    conn: SmtpConnection,
    since: Instant,
}

/// An SMTP sender; clones share one pool of connections.
#[derive(Clone)]
pub struct SmtpSender {
    settings: Arc<SmtpSettings>,
    hello: ClientId,
    idle: Arc<Mutex<Vec<Idle>>>,
}

impl fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSender").field("settings", &self.settings).finish_non_exhaustive()
    }
}

/// The DATA payload: the message with leading dots doubled (RFC 5321 §4.5.2) and the
/// terminating `.` line, written by lettre in a single write.
struct Payload(String);

impl Payload {
    /// Copies line by line (whole slices, not characters): this runs on every byte sent.
    fn new(message: &str) -> Self {
        let mut out = String::with_capacity(message.len() + message.len() / 64 + 8);
        for line in message.split_inclusive('\n') {
            if line.starts_with('.') {
                out.push('.');
            }
            out.push_str(line);
        }
        if !out.ends_with("\r\n") {
            out.push_str("\r\n");
        }
        out.push_str(".\r\n");
        Self(out)
    }
}

impl fmt::Display for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn reply_text(e: &SmtpError) -> String {
    std::error::Error::source(e).map(ToString::to_string).unwrap_or_default()
}

/// What went wrong at `stage`, as the outbox needs it: the server's reply, or no reply.
fn classify(e: &SmtpError, stage: Stage) -> SendError {
    if let Some(code) = e.status().filter(|_| e.is_transient() || e.is_permanent()) {
        let code = code.to_string().parse().unwrap_or(if e.is_permanent() { 550 } else { 450 });
        return SendError::Refused { stage, code, text: reply_text(e) };
    }
    if e.is_client() {
        return SendError::Invalid(e.to_string());
    }
    SendError::NoReply { stage, timed_out: timed_out(e), error: e.to_string() }
}

/// Whether a wait ran out: lettre only knows `TimedOut`, but a socket read timeout on Linux
/// reports `WouldBlock` (EAGAIN).
fn timed_out(e: &SmtpError) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return matches!(io.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock);
        }
        source = s.source();
    }
    e.is_timeout()
}

impl SmtpSender {
    pub fn new(settings: SmtpSettings) -> Self {
        Self { settings: Arc::new(settings), hello: ClientId::default(), idle: Arc::new(Mutex::new(Vec::new())) }
    }

    pub fn describe(&self) -> String {
        let s = &self.settings;
        format!("SMTP {}:{} ({})", s.host, s.port, s.security_name())
    }

    /// Opens, secures and logs in one connection, each step bounded by the timeout.
    fn connect(&self) -> Result<SmtpConnection, SendError> {
        let s = &self.settings;
        let implicit = match &s.security {
            Security::Tls(p) => Some(p),
            _ => None,
        };
        let mut conn = SmtpConnection::connect((s.host.as_str(), s.port), Some(s.timeout), &self.hello, implicit, None)
            .map_err(|e| classify(&e, if e.is_tls() { Stage::Tls } else { Stage::Connect }))?;
        if let Security::StartTls(p) = &s.security {
            conn.starttls(p, &self.hello).map_err(|e| classify(&e, Stage::Tls))?;
        }
        if let Some(c) = &s.credentials {
            // One attempt: a server locks an account after a few wrong passwords.
            conn.auth(&[Mechanism::Plain, Mechanism::Login], c).map_err(|e| classify(&e, Stage::Auth))?;
        }
        Ok(conn)
    }

    fn take_idle(&self) -> Option<SmtpConnection> {
        let mut idle = self.idle.lock().ok()?;
        while let Some(mut i) = idle.pop() {
            if i.since.elapsed() > IDLE_FOR || i.conn.has_broken() {
                i.conn.abort();
                continue;
            }
            if i.since.elapsed() > CHECK_AFTER && !i.conn.test_connected() {
                i.conn.abort();
                continue;
            }
            return Some(i.conn);
        }
        None
    }

    fn give_back(&self, mut conn: SmtpConnection) {
        match self.idle.lock() {
            Ok(mut idle) if idle.len() < MAX_IDLE && !conn.has_broken() => {
                idle.push(Idle { conn, since: Instant::now() });
            }
            _ => conn.abort(),
        }
    }

    /// Sends QUIT on every idle connection.
    pub fn close_idle(&self) {
        if let Ok(mut idle) = self.idle.lock() {
            for mut i in idle.drain(..) {
                let _ = i.conn.quit();
            }
        }
    }

    /// Sends one message; on success the server's reply (e.g. `250 2.0.0 Ok: queued as X`).
    pub fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<String, SendError> {
        if let Some(mut conn) = self.take_idle() {
            match transact(&mut conn, envelope, message) {
                // A pooled connection the server closed in the meantime fails at MAIL, before
                // anything was accepted: retry once on a fresh one.
                Err((Stage::MailFrom, e)) if !e.is_transient() && !e.is_permanent() => conn.abort(),
                result => return self.finish(conn, result),
            }
        }
        let mut conn = self.connect()?;
        let result = transact(&mut conn, envelope, message);
        self.finish(conn, result)
    }

    fn finish(
        &self,
        mut conn: SmtpConnection,
        result: Result<String, (Stage, SmtpError)>,
    ) -> Result<String, SendError> {
        match result {
            Ok(reply) => {
                self.give_back(conn);
                Ok(reply)
            }
            Err((stage, e)) => {
                // After a 4xx/5xx reply the session is still sound: reset it and keep it.
                if (e.is_transient() || e.is_permanent()) && conn.command(Rset).is_ok() {
                    self.give_back(conn);
                } else if e.is_transient() || e.is_permanent() {
                    conn.abort();
                }
                // Otherwise the server went silent or away: closing the socket (by dropping
                // it) is all; a polite QUIT would wait out the timeout once more.
                Err(classify(&e, stage))
            }
        }
    }
}

fn transact(conn: &mut SmtpConnection, envelope: &Envelope, message: &[u8]) -> Result<String, (Stage, SmtpError)> {
    let mut params = Vec::new();
    let info = conn.server_info();
    let non_ascii =
        envelope.from().into_iter().chain(envelope.to()).any(|a: &Address| !AsRef::<str>::as_ref(a).is_ascii());
    if non_ascii && info.supports_feature(Extension::SmtpUtfEight) {
        params.push(MailParameter::SmtpUtfEight);
    }
    if !message.is_ascii() && info.supports_feature(Extension::EightBitMime) {
        params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    conn.command(Mail::new(envelope.from().cloned(), params)).map_err(|e| (Stage::MailFrom, e))?;
    for to in envelope.to() {
        conn.command(Rcpt::new(Address::clone(to), vec![])).map_err(|e| (Stage::Rcpt, e))?;
    }
    conn.command(Data).map_err(|e| (Stage::Data, e))?;
    let response = match std::str::from_utf8(message) {
        Ok(text) => conn.command(Payload::new(text)),
        // Not UTF-8 (never the case for what compose builds): lettre's own two-write path.
        Err(_) => conn.message(message),
    }
    .map_err(|e| (Stage::AfterData, e))?;
    let code = response.code().to_string();
    Ok(std::iter::once(code.as_str()).chain(response.message()).collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_doubles_leading_dots_and_ends_with_the_terminator() {
        assert_eq!(Payload::new(".a\r\nb.\r\n..c\r\n").0, "..a\r\nb.\r\n...c\r\n.\r\n");
        assert_eq!(Payload::new("x").0, "x\r\n.\r\n");
        assert_eq!(Payload::new("x\r\n.\r\n").0, "x\r\n..\r\n.\r\n");
    }
}
