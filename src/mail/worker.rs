//! The outbox worker: claims due messages, composes, sends, records (in batches: see
//! [`flush`]).
//!
//! `flush_once` empties what is due and returns (`guestmail send`); `run_until` keeps going
//! on its own thread until a stop flag is set (the TUI and `guestmail serve`). Each worker
//! has its own connection, its own id, and a liveness lock on SQLite or a lease on PostgreSQL
//! (see [`super::liveness`]), so several workers, in one process or many (on PostgreSQL, on
//! many machines), share one database safely.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

mod flush;

pub use flush::{BATCH, RECORD_AFTER};

use super::compose::{ComposeError, Composer};
use super::liveness::{self, Lease, WorkerLock};
use super::transport::{SendError, Transport, TransportError};
use crate::config::Config;
use crate::domain::{EmailKind, MessageState};
use crate::failure::{self, Fault, Reason, Stage};
use crate::store::engine::Engine;
use crate::store::{Claimed, Delivery, Rules, SendingPause, Store, StoreError, now_ms};

/// How often a running worker looks for newly due messages.
pub const POLL: Duration = Duration::from_millis(500);
/// How often it flags rows of workers that died meanwhile (SQLite: dead workers are known at
/// once from their locks, and their rows wait for a start or this round).
pub const HOUSEKEEPING: Duration = Duration::from_mins(1);
/// The same on PostgreSQL, where a dead worker is only known once its lease expired: one
/// lease's length, so a killed `serve`'s rows are dealt with within two.
pub const LEASE_HOUSEKEEPING: Duration = liveness::LEASE_TTL;

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error(transparent)]
    Compose(#[from] ComposeError),
    #[error("cannot create the worker lock in {dir}: {source}")]
    Lock { dir: PathBuf, source: std::io::Error },
}

/// What one flush did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The run stopped because the venue's setup or server refused us: why, and the
    /// server's words. The emails not sent stay in the outbox, counted on nobody.
    pub paused: Option<(Reason, String)>,
    pub sent: u64,
    pub deferred: u64,
    pub failed: u64,
    pub suppressed: u64,
    /// Rows a dead worker left in `sending`, now `uncertain`.
    pub uncertain: u64,
    /// Due emails the journey withdrew as they were claimed (superseded or about the past).
    pub withdrawn: u64,
}

/// What happened to one message, for progress bars and the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub message: i64,
    pub kind: EmailKind,
    pub recipient: String,
    pub state: MessageState,
    /// The server's reply, the error, or why it was not sent.
    pub detail: String,
}

/// Progress of a flush.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlushEvent {
    /// The flush starts with this many messages due.
    Started { due: u64 },
    /// One message moved on.
    Done(Report),
    /// Sending is paused (venue problem, see [`crate::failure`]), or no longer (`None`).
    /// A running worker reports it when it changes, whoever caused it (the screen's worker
    /// also sees a pause recorded by `serve` on the same database).
    Paused(Option<SendingPause>),
    /// The outbox cannot work (the database is damaged, read-only or the disk is full), with
    /// the error; `None` once a flush works again.
    Trouble(Option<String>),
}

/// How a worker shows it is alive, by engine.
enum Live {
    /// SQLite: a lock file in the folder beside the database.
    File { lock: WorkerLock, dir: PathBuf },
    /// PostgreSQL: a lease in the database (boxed: it holds a connection).
    Lease(Box<Lease>),
}

impl Live {
    fn id(&self) -> &str {
        match self {
            Live::File { lock, .. } => lock.id(),
            Live::Lease(lease) => lease.id(),
        }
    }
}

pub struct Worker {
    store: Store,
    transport: Transport,
    composer: Composer,
    live: Live,
    block_after: u32,
    clock: Box<dyn Fn() -> i64 + Send>,
    inflight: flush::Inflight,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker").field("id", &self.id()).field("transport", &self.transport).finish_non_exhaustive()
    }
}

impl Worker {
    /// A worker on the database `db` with the transport the config asks for (SMTP, or the
    /// Maildir at `outbox`).
    pub fn open(config: &Config, db: &Path, outbox: &Path) -> Result<Self, WorkerError> {
        let transport = Transport::from_config(config, outbox)?;
        Self::with_transport(config, db, transport)
    }

    /// A worker with a given transport (shared pools, tests, benchmarks).
    pub fn with_transport(config: &Config, db: &Path, transport: Transport) -> Result<Self, WorkerError> {
        let rules = Rules { policy: config.policy(), clock: config.clock() };
        let store = Store::open(db)?.with_message_domain(config.sender_domain()).with_rules(rules);
        let live = if store.engine() == Engine::Postgres {
            Live::Lease(Box::new(Lease::acquire(store.location())?))
        } else {
            let dir = liveness::lock_dir(db);
            let lock = WorkerLock::acquire(&dir).map_err(|source| WorkerError::Lock { dir: dir.clone(), source })?;
            Live::File { lock, dir }
        };
        Ok(Self {
            store,
            transport,
            composer: Composer::new(config)?,
            live,
            block_after: config.block_after,
            clock: Box::new(now_ms),
            inflight: flush::Inflight::default(),
        })
    }

    /// Replaces the clock (UTC Unix ms), so tests can step past a retry delay.
    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> i64 + Send + 'static) -> Self {
        self.clock = Box::new(clock);
        self
    }

    pub fn id(&self) -> &str {
        self.live.id()
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Deals with the rows that dead workers left in `sending`: those a worker had started
    /// (its in-flight marker says so) become `uncertain`, the others go back to the outbox.
    /// On PostgreSQL the dead are the workers whose lease expired.
    pub fn recover(&mut self) -> Result<Vec<i64>, WorkerError> {
        let Live::File { dir, .. } = &self.live else {
            return Ok(self.store.recover_expired("worker")?);
        };
        let dir = dir.clone();
        let me = self.id().to_owned();
        let alive = |id: &str| id == me || liveness::is_alive(&dir, id);
        let started = |id: &str| liveness::started(&dir, id);
        let recovered = self.store.recover_interrupted_with(&alive, &started, "worker")?;
        liveness::sweep(&dir, &me);
        Ok(recovered)
    }

    /// Notes that message `id` is about to go on the wire (see [`liveness`]); `false` when
    /// it is no longer this worker's to send.
    fn mark_started(&mut self, id: i64) -> Result<bool, WorkerError> {
        match &mut self.live {
            Live::File { lock, dir } => {
                lock.mark_started(id).map_err(|source| WorkerError::Lock { dir: dir.clone(), source })?;
                Ok(true)
            }
            Live::Lease(lease) => Ok(lease.mark_started(id)?),
        }
    }

    fn mark_accepted(&mut self, id: i64) {
        let done = match &mut self.live {
            Live::File { lock, .. } => lock.mark_accepted(id).map_err(|e| e.to_string()),
            Live::Lease(lease) => lease.mark_accepted(id).map_err(|e| e.to_string()),
        };
        if let Err(e) = done {
            tracing::warn!("cannot note the accepted email in the in-flight marker: {e}");
        }
    }

    /// Forgets the in-flight marks once the results are on disk (on PostgreSQL the
    /// transaction recording them did).
    fn clear_marks(&mut self) {
        match &mut self.live {
            Live::File { lock, .. } => {
                if let Err(e) = lock.clear_started() {
                    tracing::warn!("cannot clear the in-flight marker: {e}");
                }
            }
            Live::Lease(lease) => lease.results_recorded(),
        }
    }

    /// Whether this worker may claim more: always on SQLite; on PostgreSQL while its lease
    /// is fresh (a worker cut off from the database long enough for others to think it
    /// dead claims nothing it could not mark).
    fn may_claim(&self) -> bool {
        match &self.live {
            Live::File { .. } => true,
            Live::Lease(lease) => lease.is_fresh(),
        }
    }

    fn housekeeping(&self) -> Duration {
        match self.live {
            Live::File { .. } => HOUSEKEEPING,
            Live::Lease(_) => LEASE_HOUSEKEEPING,
        }
    }

    /// One attempt at one claimed message, its failure classified by whose fault it is;
    /// `None` when the row turned out not to be this worker's any more (on PostgreSQL,
    /// another worker took it back after this one stalled past its lease): not sent.
    fn attempt(&mut self, m: &Claimed) -> Result<Option<Delivery>, WorkerError> {
        let composed = match self.composer.compose(m) {
            Ok(c) => c,
            Err(e) => return Ok(Some(Delivery::Invalid { reason: e.to_string() })),
        };
        // The in-flight marker goes down before the first byte: after a kill, only the
        // rows marked are `uncertain`, the rest of the batch goes back to the outbox.
        if !self.mark_started(m.id)? {
            tracing::warn!(message = m.id, "claim taken back while this worker stalled; not sending it");
            return Ok(None);
        }
        Ok(Some(match self.transport.send(&composed) {
            Ok(reply) => {
                // Accepted: a kill before the group commit records it as sent, not uncertain.
                self.mark_accepted(m.id);
                Delivery::Sent { reply, subject: composed.subject }
            }
            Err(SendError::Transient(error)) => Delivery::Transient { error },
            Err(SendError::Invalid(reason)) => Delivery::Invalid { reason },
            Err(SendError::NoReply { stage, timed_out, error }) => {
                let failure = failure::classify(None, None, &error, stage, timed_out);
                if stage == Stage::AfterData {
                    Delivery::Uncertain { failure, detail: error }
                } else {
                    Delivery::Paused { failure, detail: error }
                }
            }
            Err(SendError::Refused { stage, code, text }) => {
                let status = failure::enhanced_status(&text).map(str::to_owned);
                let failure = failure::classify(Some(code), status.as_deref(), &text, stage, false);
                let line = failure::reply_line(Some(&code.to_string()), None, &text);
                match failure.fault {
                    Fault::Guest => Delivery::Permanent { reply_code: Some(code.to_string()), status, text, failure },
                    Fault::Venue => Delivery::Paused { failure, detail: line },
                    Fault::Transient => Delivery::Transient { error: line },
                }
            }
        }))
    }

    /// Recovers interrupted rows, queues due reminders, then sends everything due now and
    /// returns. Messages deferred on the way wait for a later flush.
    pub fn flush_once(&mut self, on: &mut dyn FnMut(FlushEvent)) -> Result<Summary, WorkerError> {
        self.flush_once_until(&AtomicBool::new(false), on)
    }

    /// Like [`Worker::flush_once`], but stops early when `stop` is set (Ctrl-C, SIGTERM):
    /// what was sent is recorded and the rows not yet tried go back to the outbox, so an
    /// interrupted `guestmail send` leaves nothing `uncertain`.
    pub fn flush_once_until(
        &mut self,
        stop: &AtomicBool,
        on: &mut dyn FnMut(FlushEvent),
    ) -> Result<Summary, WorkerError> {
        let mut summary = Summary { uncertain: self.recover()?.len() as u64, ..Summary::default() };
        if let Err(e) = self.flush(stop, true, on, &mut summary) {
            self.settle();
            return Err(e);
        }
        Ok(summary)
    }

    /// Keeps sending until `stop` is set: recovers interrupted rows at start, then polls for
    /// due messages, queueing reminders and re-checking for dead workers' rows every minute.
    /// A database error is logged and retried after a pause, so the thread survives a busy
    /// or briefly unavailable file.
    /// It takes the `Arc` itself so a thread can own it: `spawn(move || w.run_until(stop))`.
    #[allow(clippy::needless_pass_by_value)]
    pub fn run_until(self, stop: Arc<AtomicBool>) -> Result<(), WorkerError> {
        self.run_until_with(&stop, |_| {})
    }

    /// [`Self::run_until`], reporting each message that moves on (for the status line).
    /// While sending is paused (see [`crate::store::SendingPause`]) it only tries again when
    /// the pause's retry time comes (1, 2, 5, then every 10 minutes).
    pub fn run_until_with(mut self, stop: &AtomicBool, mut on: impl FnMut(FlushEvent)) -> Result<(), WorkerError> {
        let mut last_housekeeping: Option<Instant> = None;
        let mut shown: Option<SendingPause> = None;
        let mut trouble = false;
        while !stop.load(Ordering::Relaxed) {
            if last_housekeeping.is_none_or(|t| t.elapsed() >= self.housekeeping()) {
                last_housekeeping = Some(Instant::now());
                if let Err(e) = self.recover() {
                    tracing::warn!("outbox housekeeping failed: {e}");
                }
            }
            let pause = self.store.sending_pause().unwrap_or_else(|e| {
                tracing::warn!("cannot read the sending pause: {e}");
                None
            });
            if pause != shown {
                shown.clone_from(&pause);
                on(FlushEvent::Paused(pause.clone()));
            }
            if pause.as_ref().is_some_and(|p| (self.clock)() < p.retry_at) {
                sleep_unless(stop, POLL);
                continue;
            }
            let mut summary = Summary::default();
            let pause = match self.flush(stop, false, &mut |e| on(e), &mut summary) {
                Ok(()) => {
                    if std::mem::take(&mut trouble) {
                        on(FlushEvent::Trouble(None));
                    }
                    POLL
                }
                Err(e) => {
                    tracing::warn!("outbox flush failed: {e}; retrying shortly");
                    trouble = true;
                    on(FlushEvent::Trouble(Some(e.to_string())));
                    Duration::from_secs(5)
                }
            };
            sleep_unless(stop, pause);
        }
        self.settle();
        self.transport.close();
        Ok(())
    }
}

fn sleep_unless(stop: &AtomicBool, total: Duration) {
    let until = Instant::now() + total;
    while !stop.load(Ordering::Relaxed) {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        std::thread::sleep(left.min(Duration::from_millis(100)));
    }
}

fn count(summary: &mut Summary, state: MessageState) {
    match state {
        MessageState::Sent => summary.sent += 1,
        MessageState::Deferred => summary.deferred += 1,
        MessageState::Failed | MessageState::Bounced => summary.failed += 1,
        MessageState::Suppressed => summary.suppressed += 1,
        MessageState::Uncertain => summary.uncertain += 1,
        MessageState::Queued | MessageState::Sending | MessageState::Withdrawn => {}
    }
}

fn detail(d: &Delivery) -> String {
    match d {
        Delivery::Sent { reply, .. } => reply.clone(),
        Delivery::Transient { error } => error.clone(),
        Delivery::Permanent { reply_code, status, text, .. } => {
            failure::reply_line(reply_code.as_deref(), status.as_deref(), text)
        }
        Delivery::Paused { detail, .. } | Delivery::Uncertain { detail, .. } => detail.clone(),
        Delivery::Invalid { reason } => reason.clone(),
    }
}
