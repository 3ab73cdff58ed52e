//! One client connection as a small state machine driven by readiness events.
//!
//! A worker thread owns many of these; each event runs [`Conn::on_event`], which writes what
//! is pending, answers every whole request in the buffer and reads until the socket has
//! nothing more. Nothing here blocks: a slow client only keeps its own buffers.

use std::io::{ErrorKind, Read as _, Write as _};
use std::net::{IpAddr, Shutdown, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::time::{Duration, Instant};

use mio::net::TcpStream;

use crate::store::{OpenHit, now_ms};

use super::ranges::Net;
use super::request::{self, Method, Parsed, Route};
use super::response::{self, HttpDate, Reply};
use super::{TrackerOptions, WriterStats};

/// What the accept loop and every worker share.
pub struct Shared {
    pub options: TrackerOptions,
    /// Where requests to the providers' hooks go (their own threads); `None` when no hook
    /// is enabled.
    pub hooks: Option<super::hooks::Dispatch>,
    pub stop: Arc<AtomicBool>,
    pub active: AtomicUsize,
    pub stats: Arc<WriterStats>,
}

/// How long, and how much, to read from a client after answering it with a close.
const LINGER: Duration = Duration::from_secs(1);
const LINGER_BYTES: usize = 256 * 1024;

/// Whether the worker keeps the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Keep,
    Close,
    /// A hook request: the worker hands the connection to the hook threads
    /// ([`Conn::into_hook_job`]).
    HandOff,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Open,
    /// Answer what is pending, then close.
    Closing,
    /// Our side is shut; drop what the client still sends until it closes or `until`.
    Draining {
        until: Instant,
        drained: usize,
    },
}

/// What every connection of a worker shares.
pub struct Ctx<'a> {
    pub shared: &'a Shared,
    pub hits: &'a SyncSender<OpenHit>,
    pub date: &'a mut HttpDate,
}

pub struct Conn {
    pub stream: TcpStream,
    peer: Option<SocketAddr>,
    /// Bytes read and not yet handled; its length is the head limit.
    buf: Vec<u8>,
    filled: usize,
    out: Vec<u8>,
    written: usize,
    state: State,
    /// Last time bytes moved either way (idle and write timeouts).
    last_progress: Instant,
    /// When the first byte of the request being read arrived (head timeout).
    head_started: Instant,
    /// A hook request whose head is at the start of `buf`: (provider, head length, body
    /// length).
    hook: Option<(super::hooks::Provider, usize, usize)>,
}

impl Conn {
    pub fn new(stream: TcpStream, max_head: usize) -> Self {
        let now = Instant::now();
        Conn {
            peer: stream.peer_addr().ok(),
            stream,
            buf: vec![0; max_head],
            filled: 0,
            out: Vec::with_capacity(512),
            written: 0,
            state: State::Open,
            last_progress: now,
            head_started: now,
            hook: None,
        }
    }

    /// Runs after a readiness event: write, answer, read, until the socket would block.
    pub fn on_event(&mut self, ctx: &mut Ctx<'_>) -> Verdict {
        let mut may_have_more = true;
        loop {
            match self.flush() {
                Ok(true) => {}
                Ok(false) => return Verdict::Keep,
                Err(()) => return Verdict::Close,
            }
            match self.state {
                State::Closing => {
                    let _ = self.stream.shutdown(Shutdown::Write);
                    self.state = State::Draining { until: Instant::now() + LINGER, drained: 0 };
                    continue;
                }
                State::Draining { until, drained } => return self.drain(until, drained),
                State::Open => {}
            }
            match request::parse(&self.buf[..self.filled], self.filled == self.buf.len()) {
                Parsed::Reject(reply) => {
                    self.answer(reply, false, false, ctx.date);
                    continue;
                }
                Parsed::Request(head) if matches!(head.route, Route::Hook(_)) => {
                    let Route::Hook(provider) = head.route else { continue };
                    let enabled = ctx.shared.hooks.as_ref().is_some_and(|h| h.settings.enabled(provider));
                    match super::hooks::admit(head.method, enabled, head.content_length, head.chunked) {
                        Ok(length) => {
                            self.hook = Some((provider, head.len, length));
                            return Verdict::HandOff;
                        }
                        Err(reply) => {
                            let len = head.len;
                            self.consume(len);
                            self.answer(reply, false, false, ctx.date);
                            continue;
                        }
                    }
                }
                Parsed::Request(head) => {
                    let stopping = ctx.shared.stop.load(Ordering::Relaxed);
                    let keep_alive = head.keep_alive && !head.has_body && !stopping;
                    let head_only = head.method == Method::Head;
                    let reply = match (head.method, head.route) {
                        (Method::Post, Route::Other) => Reply::NotFound,
                        (Method::Other | Method::Post, _) => Reply::MethodNotAllowed,
                        (_, Route::Other | Route::Hook(_)) => Reply::NotFound,
                        (_, Route::Health) => Reply::Health,
                        // A HEAD shows no image to anyone (link checkers send them): answer
                        // alike, record nothing.
                        (Method::Head, Route::Pixel(_)) | (_, Route::Pixel(None)) => Reply::Pixel,
                        (Method::Get, Route::Pixel(Some(token))) => {
                            let ip = client_ip(self.peer, head.forwarded_for, &ctx.shared.options.trusted_proxies);
                            let hit = OpenHit {
                                token: token.to_owned(),
                                at: now_ms(),
                                ip,
                                user_agent: head.user_agent.map(str::to_owned),
                            };
                            // Never wait for the writer: a full queue (the database held by
                            // someone else for long) drops the hit, counted, and answers.
                            match ctx.hits.try_send(hit) {
                                Ok(()) => {
                                    ctx.shared.stats.queued.fetch_add(1, Ordering::Relaxed);
                                    Reply::Pixel
                                }
                                Err(TrySendError::Full(_)) => {
                                    ctx.shared.stats.dropped.fetch_add(1, Ordering::Relaxed);
                                    Reply::Pixel
                                }
                                Err(TrySendError::Disconnected(_)) => Reply::Unavailable,
                            }
                        }
                    };
                    let len = head.len;
                    let keep_alive = keep_alive && reply != Reply::Unavailable;
                    self.consume(len);
                    self.answer(reply, head_only, keep_alive, ctx.date);
                    continue;
                }
                Parsed::Partial if !may_have_more => return Verdict::Keep,
                Parsed::Partial => {}
            }
            let room = self.buf.len() - self.filled;
            match self.stream.read(&mut self.buf[self.filled..]) {
                Ok(0) => return Verdict::Close,
                Ok(n) => {
                    let now = Instant::now();
                    if self.filled == 0 {
                        self.head_started = now;
                    }
                    self.filled += n;
                    self.last_progress = now;
                    // A short read emptied the socket: the next bytes bring a new event.
                    may_have_more = n == room;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Verdict::Keep,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return Verdict::Close,
            }
        }
    }

    /// Timeouts, checked a few times a second: a head that takes too long gets a 408, an
    /// idle keep-alive connection (or any idle one once stopping) is closed, and so is a
    /// client that does not read its answer or linger.
    pub fn on_tick(&mut self, now: Instant, stopping: bool, ctx: &mut Ctx<'_>) -> Verdict {
        let options = &ctx.shared.options;
        let pending = self.written < self.out.len();
        match self.state {
            State::Draining { until, .. } if now >= until => return Verdict::Close,
            _ if pending && now.duration_since(self.last_progress) > options.write_timeout => return Verdict::Close,
            State::Open if self.filled > 0 && now.duration_since(self.head_started) > options.head_timeout => {
                self.answer(Reply::Timeout, false, false, ctx.date);
                return self.on_event(ctx);
            }
            State::Open
                if self.filled == 0
                    && !pending
                    && (stopping || now.duration_since(self.last_progress) > options.idle_timeout) =>
            {
                return Verdict::Close;
            }
            _ => {}
        }
        Verdict::Keep
    }

    fn answer(&mut self, reply: Reply, head_only: bool, keep_alive: bool, date: &mut HttpDate) {
        response::write(&mut self.out, reply, head_only, keep_alive, date);
        if !keep_alive {
            self.state = State::Closing;
        }
    }

    /// Writes what is pending: `Ok(true)` once all is written, `Ok(false)` if the socket is
    /// full (a writable event will come), `Err` if the client is gone.
    fn flush(&mut self) -> Result<bool, ()> {
        while self.written < self.out.len() {
            match self.stream.write(&self.out[self.written..]) {
                Ok(0) => return Err(()),
                Ok(n) => {
                    self.written += n;
                    self.last_progress = Instant::now();
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return Err(()),
            }
        }
        self.out.clear();
        self.written = 0;
        Ok(true)
    }

    /// Closing a socket with unread input makes the kernel send a reset, which can destroy
    /// the answer before the client reads it: so read and drop the rest, briefly.
    fn drain(&mut self, until: Instant, mut drained: usize) -> Verdict {
        loop {
            match self.stream.read(&mut self.buf) {
                Ok(0) => return Verdict::Close,
                Ok(n) => {
                    drained += n;
                    if drained > LINGER_BYTES {
                        return Verdict::Close;
                    }
                    self.state = State::Draining { until, drained };
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Verdict::Keep,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return Verdict::Close,
            }
        }
    }

    /// The connection and what was read of a hook request, for a hook thread; `None` if
    /// this is not one.
    pub fn into_hook_job(self) -> Option<super::hooks::HookJob> {
        let (provider, head_len, length) = self.hook?;
        let mut bytes = self.buf;
        bytes.truncate(self.filled);
        Some(super::hooks::HookJob {
            stream: std::net::TcpStream::from(self.stream),
            peer: self.peer,
            provider,
            bytes,
            head_len,
            length,
        })
    }

    /// When bytes last moved either way: the connection idle longest goes first when
    /// connections run out.
    pub fn last_progress(&self) -> Instant {
        self.last_progress
    }

    /// Drops a handled head, keeping any pipelined bytes after it.
    fn consume(&mut self, len: usize) {
        self.buf.copy_within(len..self.filled, 0);
        self.filled -= len;
        self.head_started = Instant::now();
    }
}

/// The address to record: the peer, or the client a trusted reverse proxy forwarded.
fn client_ip(peer: Option<SocketAddr>, forwarded: Option<IpAddr>, trusted: &[Net]) -> Option<IpAddr> {
    let peer = peer.map(|p| p.ip());
    match (peer, forwarded) {
        (Some(p), Some(f)) if trusted.iter().any(|net| net.contains(p)) => Some(f),
        _ => peer,
    }
}
