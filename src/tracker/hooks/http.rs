//! Reading a hook request's body off its connection, on a hook thread (blocking, with
//! timeouts), and answering it with `Connection: close`. The head was already parsed by the
//! event loop; its headers are parsed again here with `httparse` to keep the ones a hook
//! checks.

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use super::HookJob;
use crate::tracker::response::{self, HttpDate, Reply};

/// The whole body must arrive within this time.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// A hook request, read whole.
pub struct Request {
    /// Header names lower case, values as sent (non-UTF-8 values dropped).
    headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first value of a header, by its lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

type Failed = (TcpStream, Reply);

/// Reads the rest of the body (the event loop may have read its start).
pub fn read(job: HookJob) -> Result<(TcpStream, Request), Failed> {
    let HookJob { mut stream, bytes, head_len, length, .. } = job;
    let headers = headers(&bytes[..head_len]);
    let mut body = bytes[head_len..].to_vec();
    body.truncate(length);
    if stream.set_nonblocking(false).is_err() {
        return Err((stream, Reply::ServerError));
    }
    let deadline = Instant::now() + BODY_TIMEOUT;
    let expects_continue = headers.iter().any(|(n, v)| n == "expect" && v.eq_ignore_ascii_case("100-continue"));
    if expects_continue && body.len() < length {
        let _ = stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
    }
    let mut chunk = [0u8; 16 * 1024];
    while body.len() < length {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Err((stream, Reply::Timeout));
        }
        let want = (length - body.len()).min(chunk.len());
        match stream.read(&mut chunk[..want]) {
            // The client closed before the announced length: nothing to answer to.
            Ok(0) => return Err((stream, Reply::BadRequest)),
            Ok(n) => body.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Err((stream, Reply::Timeout)),
        }
    }
    Ok((stream, Request { headers, body }))
}

fn headers(head: &[u8]) -> Vec<(String, String)> {
    let mut raw = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut raw);
    if req.parse(head).is_err() {
        return Vec::new();
    }
    req.headers
        .iter()
        .filter_map(|h| Some((h.name.to_ascii_lowercase(), std::str::from_utf8(h.value).ok()?.trim().to_owned())))
        .collect()
}

/// Writes `reply` and closes.
pub fn write_reply(stream: &mut TcpStream, reply: Reply) {
    let mut out = Vec::with_capacity(256);
    response::write(&mut out, reply, false, false, &mut HttpDate::default());
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    let _ = stream.write_all(&out);
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
    // Whatever the client still sends (nothing, normally) is read briefly so the close does
    // not reset the answer away.
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let _ = std::io::copy(&mut (&*stream).take(64 * 1024), &mut std::io::sink());
}

/// Answers a connection that could not be read.
pub fn answer(mut stream: TcpStream, reply: Reply) {
    write_reply(&mut stream, reply);
}

/// Answers from an event-loop thread, never waiting: the short answer fits the socket's
/// buffer, and if it does not the client simply sees the connection close.
pub fn answer_now(stream: &TcpStream, reply: Reply) {
    let mut out = Vec::with_capacity(256);
    response::write(&mut out, reply, false, false, &mut HttpDate::default());
    let _ = stream.set_nonblocking(true);
    let _ = (&*stream).write(&out);
    let _ = stream.shutdown(Shutdown::Both);
}
