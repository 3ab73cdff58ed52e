//! The accept loop and one connection's request loop.
//!
//! One thread per connection, blocking I/O. On two cores with 64 keep-alive clients this is
//! the cheapest model std offers: a request costs one `read` and one `write` on a thread the
//! kernel wakes exactly when its bytes arrive, with no hand-off to a pool (a pool without
//! `epoll` would have to pin a worker per connection anyway, or add a queue hop per request).
//! Connections are capped, stacks are small, and every read has a timeout, so a slow or
//! idle client cannot hold a thread for long.

use std::io::{ErrorKind, Read as _, Write as _};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::SyncSender;
use std::time::{Duration, Instant};

use crate::store::{OpenHit, now_ms};

use super::request::{self, Method, Parsed, Route};
use super::response::{self, HttpDate, Reply};
use super::{TrackerOptions, WriterStats};

/// How often a waiting connection looks at the stop flag.
const STOP_POLL: Duration = Duration::from_millis(200);
/// How long, and how much, to read from a client after answering it with a close.
const LINGER: Duration = Duration::from_secs(1);
const LINGER_BYTES: usize = 256 * 1024;
/// Stack of a connection thread: it holds a small buffer and no recursion.
const CONNECTION_STACK: usize = 128 * 1024;

/// What the accept loop and every connection share.
pub struct Shared {
    pub options: TrackerOptions,
    pub stop: Arc<AtomicBool>,
    pub active: AtomicUsize,
    pub stats: Arc<WriterStats>,
}

/// Accepts until the stop flag is set (the caller then connects once to wake it).
pub fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>, hits: &SyncSender<OpenHit>) {
    for conn in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let stream = match conn {
            Ok(stream) => stream,
            Err(e) => {
                // Out of file descriptors and the like: pause rather than spin.
                tracing::warn!(error = %e, "tracker could not accept a connection");
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        if shared.active.fetch_add(1, Ordering::SeqCst) >= shared.options.max_connections {
            shared.active.fetch_sub(1, Ordering::SeqCst);
            continue; // dropping the stream closes it
        }
        let (shared2, hits2) = (Arc::clone(shared), hits.clone());
        let spawned =
            std::thread::Builder::new().name("tracker-conn".into()).stack_size(CONNECTION_STACK).spawn(move || {
                serve(stream, &shared2, &hits2);
                shared2.active.fetch_sub(1, Ordering::SeqCst);
            });
        if let Err(e) = spawned {
            shared.active.fetch_sub(1, Ordering::SeqCst);
            tracing::warn!(error = %e, "tracker could not start a connection thread");
        }
    }
}

/// Serves one connection until the client closes, a timeout, an error or the stop flag.
fn serve(stream: TcpStream, shared: &Shared, hits: &SyncSender<OpenHit>) {
    let peer = stream.peer_addr().ok();
    let mut conn = Connection {
        stream,
        buf: vec![0; shared.options.max_head],
        filled: 0,
        out: Vec::with_capacity(512),
        date: HttpDate::default(),
    };
    if conn.stream.set_nodelay(true).is_err()
        || conn.stream.set_read_timeout(Some(STOP_POLL)).is_err()
        || conn.stream.set_write_timeout(Some(shared.options.write_timeout)).is_err()
    {
        return;
    }
    let mut waiting_since = Instant::now();
    loop {
        match request::parse(&conn.buf[..conn.filled], conn.filled == conn.buf.len()) {
            Parsed::Reject(reply) => {
                if conn.answer(reply, false, false) {
                    conn.linger();
                }
                return;
            }
            Parsed::Request(head) => {
                let stopping = shared.stop.load(Ordering::Relaxed);
                let keep_alive = head.keep_alive && !head.has_body && !stopping;
                let head_only = head.method == Method::Head;
                let reply = match (head.method, head.route) {
                    (Method::Other, _) => Reply::MethodNotAllowed,
                    (_, Route::Other) => Reply::NotFound,
                    // A HEAD shows no image to anyone (link checkers send them): answer alike,
                    // record nothing.
                    (Method::Head, Route::Pixel(_)) | (_, Route::Pixel(None)) => Reply::Pixel,
                    (Method::Get, Route::Pixel(Some(token))) => {
                        let ip = client_ip(peer, head.forwarded_for, shared.options.trust_forwarded);
                        let hit = OpenHit {
                            token: token.to_owned(),
                            at: now_ms(),
                            ip,
                            user_agent: head.user_agent.map(str::to_owned),
                        };
                        // Answer only once the hit is queued: a 200 means it will be stored.
                        if hits.send(hit).is_ok() {
                            shared.stats.queued.fetch_add(1, Ordering::Relaxed);
                            Reply::Pixel
                        } else {
                            Reply::Unavailable
                        }
                    }
                };
                let len = head.len;
                let keep_alive = keep_alive && reply != Reply::Unavailable;
                if !conn.answer(reply, head_only, keep_alive) {
                    return;
                }
                if !keep_alive {
                    conn.linger();
                    return;
                }
                conn.consume(len);
                waiting_since = Instant::now();
            }
            Parsed::Partial => {
                if conn.filled > 0 && waiting_since.elapsed() > shared.options.head_timeout {
                    if conn.answer(Reply::Timeout, false, false) {
                        conn.linger();
                    }
                    return;
                }
                match conn.stream.read(&mut conn.buf[conn.filled..]) {
                    Ok(0) => return,
                    Ok(n) => {
                        if conn.filled == 0 {
                            waiting_since = Instant::now();
                        }
                        conn.filled += n;
                    }
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                        let idle = conn.filled == 0;
                        if shared.stop.load(Ordering::Relaxed)
                            || (idle && waiting_since.elapsed() > shared.options.idle_timeout)
                        {
                            return;
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(_) => return,
                }
            }
        }
    }
}

/// The address to record: the peer, or the client a loopback reverse proxy forwarded.
fn client_ip(peer: Option<SocketAddr>, forwarded: Option<IpAddr>, trust_forwarded: bool) -> Option<IpAddr> {
    let peer = peer.map(|p| p.ip());
    match (peer, forwarded) {
        (Some(p), Some(f)) if trust_forwarded && p.is_loopback() => Some(f),
        _ => peer,
    }
}

struct Connection {
    stream: TcpStream,
    /// Bytes read and not yet consumed; its length is the head limit.
    buf: Vec<u8>,
    filled: usize,
    out: Vec<u8>,
    date: HttpDate,
}

impl Connection {
    /// Writes one answer; false if the client is gone.
    fn answer(&mut self, reply: Reply, head_only: bool, keep_alive: bool) -> bool {
        self.out.clear();
        response::write(&mut self.out, reply, head_only, keep_alive, &mut self.date);
        self.stream.write_all(&self.out).is_ok()
    }

    /// Closes after an answer without losing it: closing a socket with unread input makes
    /// the kernel send a reset, which can destroy the answer before the client reads it. So
    /// send our FIN first and read (and drop) what the client still sends, briefly.
    fn linger(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Write);
        let deadline = Instant::now() + LINGER;
        let mut drained = 0;
        while drained < LINGER_BYTES && Instant::now() < deadline {
            match self.stream.read(&mut self.buf) {
                Ok(0) => return,
                Ok(n) => drained += n,
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted) => {}
                Err(_) => return,
            }
        }
    }

    /// Drops a handled head, keeping any pipelined bytes after it.
    fn consume(&mut self, len: usize) {
        self.buf.copy_within(len..self.filled, 0);
        self.filled -= len;
    }
}
