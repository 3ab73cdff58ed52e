//! The one thread that writes opens to SQLite, in batches.
//!
//! Connection threads never touch the database: they push each hit into a bounded channel
//! and answer. This thread takes the first waiting hit, lets the batch window run from that
//! hit's arrival, drains everything queued by then (up to `max_batch`) and stores it all in
//! one transaction. So a burst costs one commit per window instead of one per hit, and an
//! open is committed within the window plus one commit of its request.
//!
//! It stops when every sender is gone (the accept loop and all connection threads have
//! finished), after storing what is still queued: a clean shutdown loses nothing. A
//! SIGKILL loses what is queued or in the open transaction: at most one batch window.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::time::{Duration, Instant};

use crate::store::{OpenHit, OpenPolicy, RecentClients, Store, now_ms};

use super::classify::{Ranges, classify};

/// How a batch fails before the writer gives up on it at shutdown (while running it keeps
/// retrying, because losing opens is worse than holding them in memory).
const SHUTDOWN_ATTEMPTS: u32 = 20;
/// An open committed later than this after its request is logged (the aim is 100 ms).
const SLOW_MS: i64 = 100;
const RETRY_PAUSE: Duration = Duration::from_millis(100);

/// The writer's counters, readable while it runs.
#[derive(Debug, Default)]
pub struct WriterStats {
    /// Hits handed to the writer (counted by the connection threads).
    pub queued: AtomicU64,
    /// Hits answered but not queued because the queue was full (the writer far behind, e.g.
    /// the database locked by another process): answering never waits on SQLite.
    pub dropped: AtomicU64,
    pub recorded: AtomicU64,
    pub replays: AtomicU64,
    pub not_kept: AtomicU64,
    pub unknown: AtomicU64,
    pub batches: AtomicU64,
    pub failed_commits: AtomicU64,
    pub lost: AtomicU64,
    /// The longest time from a hit's request to its commit, in ms.
    pub max_delay_ms: AtomicU64,
}

/// The counters once the writer has stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriterReport {
    /// Hits handed to the writer; after shutdown, `recorded + replays + unknown + lost`.
    pub queued: u64,
    /// Hits answered and never queued: the queue was full.
    pub dropped: u64,
    /// Opens counted (replays aside).
    pub recorded: u64,
    /// Hits of a client already counted within the dedup window.
    pub replays: u64,
    /// Opens counted without keeping their raw hit (the message had its fill).
    pub not_kept: u64,
    /// Hits dropped because their token belongs to no message.
    pub unknown: u64,
    /// Transactions committed.
    pub batches: u64,
    /// Commits that failed and were retried.
    pub failed_commits: u64,
    /// Hits given up on at shutdown because the database kept refusing them.
    pub lost: u64,
    /// The longest time from a hit's request to its commit, in ms: what a SIGKILL could
    /// have lost at worst (answered, not yet committed).
    pub max_delay_ms: u64,
}

impl WriterStats {
    pub fn report(&self) -> WriterReport {
        WriterReport {
            queued: self.queued.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            recorded: self.recorded.load(Ordering::Relaxed),
            replays: self.replays.load(Ordering::Relaxed),
            not_kept: self.not_kept.load(Ordering::Relaxed),
            unknown: self.unknown.load(Ordering::Relaxed),
            batches: self.batches.load(Ordering::Relaxed),
            failed_commits: self.failed_commits.load(Ordering::Relaxed),
            lost: self.lost.load(Ordering::Relaxed),
            max_delay_ms: self.max_delay_ms.load(Ordering::Relaxed),
        }
    }
}

/// How the writer works: how long the first hit of a batch may wait, the most hits per
/// commit, how long an open keeps its client IP and User-Agent (`None`: forever), replays
/// and the raw hits kept, and the published ranges the classifier checks.
#[derive(Debug, Clone)]
pub struct WriterConfig {
    pub window: Duration,
    pub max_batch: usize,
    pub retention: Option<Duration>,
    pub policy: OpenPolicy,
    pub ranges: Arc<Ranges>,
}

/// How often the retention purge runs while the writer is up.
const PURGE_EVERY: Duration = Duration::from_hours(1);

/// Runs the writer until every sender is gone; call it on its own thread.
pub fn run(mut store: Store, hits: &Receiver<OpenHit>, config: &WriterConfig, stats: &Arc<WriterStats>) {
    // Checkpoints run on their own thread (see `checkpoint_loop`), not inside our commits.
    let done = Arc::new(AtomicBool::new(false));
    let checkpointer = match Store::open(store.path()) {
        Ok(other) => {
            let done = Arc::clone(&done);
            let spawned = std::thread::Builder::new()
                .name("tracker-checkpoint".into())
                .spawn(move || checkpoint_loop(&other, &done));
            spawned.map_err(|e| tracing::warn!(error = %e, "no checkpoint thread; the writer checkpoints")).ok()
        }
        Err(e) => {
            tracing::warn!(error = %e, "no checkpoint connection; the writer checkpoints");
            None
        }
    };
    // Opens arrive by the hundred thousand a second at peak, and a commit that waits for the
    // disk backs the queue up into the answers' latency. A SIGKILL still loses nothing that
    // was committed (WAL); only a power cut may roll back the last batches of opens — a count
    // off by a few — which is why this connection, and only this one, skips the fsync.
    if let Err(e) = store.set_fast_commits() {
        tracing::warn!(error = %e, "open commits stay fully synced");
    }
    if checkpointer.is_some()
        && let Err(e) = store.set_auto_checkpoint(0)
    {
        tracing::warn!(error = %e, "could not move WAL checkpoints off the open writer");
    }
    write_batches(&mut store, hits, config, stats);
    done.store(true, Ordering::SeqCst);
    if let Some(handle) = checkpointer {
        let _ = handle.join();
    }
}

fn write_batches(store: &mut Store, hits: &Receiver<OpenHit>, config: &WriterConfig, stats: &WriterStats) {
    let mut recent = RecentClients::default();
    let mut batch: Vec<OpenHit> = Vec::with_capacity(config.max_batch);
    let window_ms = i64::try_from(config.window.as_millis()).unwrap_or(i64::MAX);
    let mut next_purge = Instant::now();
    loop {
        let next = match config.retention {
            None => hits.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(keep) => {
                if Instant::now() >= next_purge {
                    purge(store, keep);
                    next_purge = Instant::now() + PURGE_EVERY;
                }
                hits.recv_timeout(next_purge.saturating_duration_since(Instant::now()))
            }
        };
        let first = match next {
            Ok(hit) => hit,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        // Let the window run from the first hit's arrival, not from now: a hit that waited
        // through the previous commit is not made to wait a second window.
        let wait_ms = first.at.saturating_add(window_ms).saturating_sub(now_ms());
        batch.push(first);
        if wait_ms > 0 {
            std::thread::sleep(Duration::from_millis(wait_ms as u64));
        }
        let mut disconnected = false;
        while batch.len() < config.max_batch {
            match hits.try_recv() {
                Ok(hit) => batch.push(hit),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    disconnected = true;
                    break;
                }
            }
        }
        store_batch(store, &mut batch, config, &mut recent, disconnected, stats);
    }
}

/// How often the checkpoint thread copies the WAL into the database file.
pub const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Checkpoints the WAL until `done` is set, then once more. On its own connection, so the
/// writer's commits only ever append to the WAL and sync it: under a burst a checkpoint
/// (writing and syncing the database file) took hundreds of milliseconds and would have
/// held every queued open that long.
pub fn checkpoint_loop(store: &Store, done: &AtomicBool) {
    loop {
        let finished = done.load(Ordering::SeqCst);
        if let Err(e) = store.checkpoint() {
            tracing::warn!(error = %e, "WAL checkpoint failed");
        }
        if finished {
            return;
        }
        let until = Instant::now() + CHECKPOINT_EVERY;
        while Instant::now() < until && !done.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Erases the IP and User-Agent of opens older than `keep` (the venue's privacy retention).
fn purge(store: &mut Store, keep: Duration) {
    let keep_ms = i64::try_from(keep.as_millis()).unwrap_or(i64::MAX);
    match store.erase_open_details_before(now_ms().saturating_sub(keep_ms)) {
        Ok(0) => {}
        Ok(erased) => tracing::info!(erased, "erased the IP and User-Agent of old opens"),
        Err(e) => tracing::warn!(error = %e, "could not erase old open details"),
    }
}

/// Stores one batch, retrying on failure; the batch is empty afterwards.
fn store_batch(
    store: &mut Store,
    batch: &mut Vec<OpenHit>,
    config: &WriterConfig,
    recent: &mut RecentClients,
    shutting_down: bool,
    stats: &WriterStats,
) {
    let mut attempts = 0;
    let ranges = Arc::clone(&config.ranges);
    let mut classify = |facts: &crate::store::OpenFacts<'_>| classify(&ranges, facts);
    loop {
        let started = Instant::now();
        match store.record_opens_with(batch, config.policy, recent, &mut classify) {
            Ok(done) => {
                stats.recorded.fetch_add(done.recorded as u64, Ordering::Relaxed);
                stats.replays.fetch_add(done.replays as u64, Ordering::Relaxed);
                stats.not_kept.fetch_add(done.not_kept as u64, Ordering::Relaxed);
                stats.unknown.fetch_add(done.unknown as u64, Ordering::Relaxed);
                stats.batches.fetch_add(1, Ordering::Relaxed);
                // Hits arrive in order: the first is the oldest of the batch.
                let delay = batch.first().map_or(0, |oldest| now_ms().saturating_sub(oldest.at));
                stats.max_delay_ms.fetch_max(delay.max(0) as u64, Ordering::Relaxed);
                if delay > SLOW_MS {
                    let took_ms = started.elapsed().as_millis();
                    tracing::warn!(hits = batch.len(), delay, took_ms, "opens committed late");
                }
                break;
            }
            Err(e) => {
                attempts += 1;
                stats.failed_commits.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(error = %e, hits = batch.len(), attempts, "could not store opens; retrying");
                if shutting_down && attempts >= SHUTDOWN_ATTEMPTS {
                    tracing::error!(hits = batch.len(), "giving up on opens at shutdown");
                    stats.lost.fetch_add(batch.len() as u64, Ordering::Relaxed);
                    break;
                }
                std::thread::sleep(RETRY_PAUSE);
            }
        }
    }
    batch.clear();
}
