//! The accept loop and the worker threads that serve connections.
//!
//! A small pool, not a thread per connection: two workers per core, each an event loop over
//! its own connections (`mio`, i.e. epoll). Under load a worker answers every ready
//! connection per wake-up, so a request costs a `read` and a `write` and no context switch;
//! with 64 keep-alive clients on two cores that is what keeps CPU per request near nginx's.
//! (Thread per connection measured about twice the CPU per request here: one sleep and one
//! wake-up per request.) A blocking accept thread hands new connections out in turn, so the
//! load is spread evenly; the database is never touched here (see `writer`).

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, Sender, SyncSender, TryRecvError};
use std::time::{Duration, Instant};

use mio::{Events, Interest, Poll, Token, Waker};

use crate::store::OpenHit;

use super::conn::{Conn, Ctx, Shared, Verdict};
use super::response::HttpDate;

/// How often a worker checks timeouts and the stop flag when nothing happens.
const TICK: Duration = Duration::from_millis(100);
/// How long a stopping worker waits for requests in flight before closing everything.
const STOP_GRACE: Duration = Duration::from_secs(2);
const WAKE: Token = Token(usize::MAX);

/// The accept loop's end of one worker.
pub struct WorkerHandle {
    incoming: Sender<Incoming>,
    waker: Arc<Waker>,
}

/// A new connection, and whether the worker must first close its connection idle longest
/// to make room (connections ran out: the newcomer is served, not refused).
pub type Incoming = (std::net::TcpStream, bool);

/// Creates a worker's poll and the handle the accept loop feeds it through.
pub fn new_worker() -> std::io::Result<(Poll, WorkerHandle, Receiver<Incoming>)> {
    let poll = Poll::new()?;
    let waker = Arc::new(Waker::new(poll.registry(), WAKE)?);
    let (incoming, rx) = std::sync::mpsc::channel();
    Ok((poll, WorkerHandle { incoming, waker }, rx))
}

/// Accepts until the stop flag is set (the caller then connects once to wake it), handing
/// connections to the workers in turn; then wakes every worker so it sees the flag.
pub fn accept_loop(listener: &TcpListener, shared: &Shared, workers: &[WorkerHandle]) {
    let mut next = 0;
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
        // Full: the worker that takes the newcomer closes its connection idle longest (an
        // idle or half-open client must not lock everyone else out).
        let evict = shared.active.fetch_add(1, Ordering::SeqCst) >= shared.options.max_connections;
        let Some(worker) = workers.get(next % workers.len().max(1)) else { break };
        next += 1;
        if worker.incoming.send((stream, evict)).is_err() || worker.waker.wake().is_err() {
            shared.active.fetch_sub(1, Ordering::SeqCst);
        }
    }
    for w in workers {
        let _ = w.waker.wake();
    }
}

/// One worker's event loop; returns once stopped and its connections are done.
pub fn worker_loop(mut poll: Poll, incoming: &Receiver<Incoming>, shared: &Shared, hits: &SyncSender<OpenHit>) {
    let mut conns: Vec<Option<Conn>> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    let mut events = Events::with_capacity(256);
    let mut date = HttpDate::default();
    let mut ctx = Ctx { shared, hits, date: &mut date };
    let mut last_tick = Instant::now();
    let mut stop_deadline: Option<Instant> = None;
    loop {
        if let Err(e) = poll.poll(&mut events, Some(TICK))
            && e.kind() != std::io::ErrorKind::Interrupted
        {
            tracing::error!(error = %e, "tracker worker cannot poll; closing its connections");
            break;
        }
        for event in &events {
            if event.token() == WAKE {
                take_new(&poll, incoming, shared, &mut conns, &mut free, stop_deadline.is_some());
                continue;
            }
            let slot = event.token().0;
            let verdict = conns.get_mut(slot).and_then(Option::as_mut).map(|conn| conn.on_event(&mut ctx));
            match verdict {
                Some(Verdict::Close) => close(&poll, shared, &mut conns, &mut free, slot),
                Some(Verdict::HandOff) => hand_off(&poll, shared, &mut conns, &mut free, slot),
                Some(Verdict::Keep) | None => {}
            }
        }
        let now = Instant::now();
        if shared.stop.load(Ordering::SeqCst) && stop_deadline.is_none() {
            stop_deadline = Some(now + STOP_GRACE);
            take_new(&poll, incoming, shared, &mut conns, &mut free, true);
        }
        if now.duration_since(last_tick) >= TICK || stop_deadline.is_some() {
            last_tick = now;
            for slot in 0..conns.len() {
                if let Some(conn) = conns[slot].as_mut()
                    && conn.on_tick(now, stop_deadline.is_some(), &mut ctx) != Verdict::Keep
                {
                    close(&poll, shared, &mut conns, &mut free, slot);
                }
            }
        }
        if let Some(deadline) = stop_deadline
            && (now >= deadline || conns.iter().all(Option::is_none))
        {
            break;
        }
    }
    for slot in 0..conns.len() {
        if conns[slot].is_some() {
            close(&poll, shared, &mut conns, &mut free, slot);
        }
    }
}

/// Registers the connections the accept loop handed over (or drops them when stopping).
fn take_new(
    poll: &Poll,
    incoming: &Receiver<Incoming>,
    shared: &Shared,
    conns: &mut Vec<Option<Conn>>,
    free: &mut Vec<usize>,
    stopping: bool,
) {
    loop {
        let (stream, evict) = match incoming.try_recv() {
            Ok(next) => next,
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => return,
        };
        if evict && let Some(oldest) = idle_longest(conns) {
            close(poll, shared, conns, free, oldest);
        }
        if stopping || stream.set_nonblocking(true).is_err() || stream.set_nodelay(true).is_err() {
            shared.active.fetch_sub(1, Ordering::SeqCst);
            continue;
        }
        let slot = free.pop().unwrap_or(conns.len());
        let mut conn = Conn::new(mio::net::TcpStream::from_std(stream), shared.options.max_head);
        if poll.registry().register(&mut conn.stream, Token(slot), Interest::READABLE | Interest::WRITABLE).is_err() {
            shared.active.fetch_sub(1, Ordering::SeqCst);
            free.push(slot);
            continue;
        }
        if slot == conns.len() {
            conns.push(Some(conn));
        } else {
            conns[slot] = Some(conn);
        }
    }
}

/// The connection whose bytes moved least recently.
fn idle_longest(conns: &[Option<Conn>]) -> Option<usize> {
    conns
        .iter()
        .enumerate()
        .filter_map(|(slot, c)| c.as_ref().map(|c| (slot, c.last_progress())))
        .min_by_key(|(_, at)| *at)
        .map(|(slot, _)| slot)
}

/// Gives a hook request's connection to the hook threads: out of this loop, never waited on
/// here (they read the body, verify and store). With their queue full, a short 503 is all
/// the client gets (providers retry).
fn hand_off(poll: &Poll, shared: &Shared, conns: &mut [Option<Conn>], free: &mut Vec<usize>, slot: usize) {
    let Some(mut conn) = conns.get_mut(slot).and_then(Option::take) else { return };
    let _ = poll.registry().deregister(&mut conn.stream);
    shared.active.fetch_sub(1, Ordering::SeqCst);
    free.push(slot);
    if let (Some(job), Some(hooks)) = (conn.into_hook_job(), shared.hooks.as_ref()) {
        hooks.send(job);
    }
}

fn close(poll: &Poll, shared: &Shared, conns: &mut [Option<Conn>], free: &mut Vec<usize>, slot: usize) {
    if let Some(mut conn) = conns.get_mut(slot).and_then(Option::take) {
        let _ = poll.registry().deregister(&mut conn.stream);
        shared.active.fetch_sub(1, Ordering::SeqCst);
        free.push(slot);
    }
}
