//! The SQLite store: the only module with SQL in it.
//!
//! One [`Store`] wraps one connection; every thread (UI, outbox worker, tracker writer) opens
//! its own. The file runs in WAL mode with a busy timeout so the TUI and a `guestmail serve`
//! process can share it, `synchronous=FULL` so a commit survives a power cut, and foreign
//! keys on. Every state change is one transaction, so a crash leaves either the old state or
//! the new one.

mod addresses;
mod advisory;
mod bounces;
mod comm;
mod copy;
mod dedupe;
mod demo;
pub mod engine;
mod esp;
mod events;
#[cfg(any(test, feature = "test-support"))]
mod fixture;
mod followup;
mod forget;
mod health;
mod history;
mod location;
mod mailboxes;
mod messages;
mod migrate;
mod opens;
mod outbox;
mod pause;
mod pg_tls;
mod plans;
mod replies;
mod resend;
mod reservations;
mod rows;
mod venues;

use std::path::{Path, PathBuf};
use std::time::Duration;

use engine::Conn;
use rusqlite::OpenFlags;

pub use addresses::AddressErrorInput;
pub use addresses::AddressRecord;
pub use bounces::{
    BounceLinks, BounceOutcome, BounceRecord, Count, NewBounce, RECIPIENT_MATCH_WINDOW_MS, Tie, count_for,
};
pub use comm::{CommCursor, CommFilter, CommRow, comm_query};
pub use copy::{CopyReport, NOT_COPIED, TableCount};
pub use dedupe::{EXISTING_RESERVATION_QUERY, ImportReport};
pub use demo::{DemoMessage, DemoWriter};
pub use esp::{EspEffect, EspEvent, EspLinks, EspOutcome};
pub use events::{EventRecord, NewEvent};
pub use followup::{
    DELIVERY_TARGET, DeliveryHealth, FOLLOW_UP_QUERY, FollowUp, FollowUpReason, HEALTH_QUERY, HEALTH_WINDOW_MS,
};
pub use forget::{FORGOTTEN_NAME, ForgetReport, scrub};
pub use history::{GUEST_EMAILS_QUERY, GuestHistory, HistoryEmail, LogEntry, LogLine, Original, TimelineNote};
pub use location::{Location, PASSWORD_ENV, PASSWORD_FILE_ENV};
pub use mailboxes::{MailboxKind, MailboxStanding, MailboxUid};
pub use messages::{MessageRecord, NewMessage, new_token};
pub use migrate::SCHEMA_VERSION;
pub use opens::{OpenFacts, OpenHit, OpenKind, OpenPolicy, OpenRecord, OpenVerdict, RecentClients, RecordedBatch};
pub use outbox::{
    BACKOFF_MINUTES, Claim, Claimed, ClaimedVenue, Delivery, GIVE_UP_AFTER_MS, Started, WorkerMarks, backoff_ms,
    refusal_class,
};
pub use pause::{RETRY_MINUTES, SendingPause, retry_after_ms};
pub use plans::{Applied, QueuedEmail, Rules};
pub use replies::{NewReply, REPLY_ADDRESS_WINDOW_MS, ReplyOutcome, ReplyRecord};
pub use resend::ResendOutcome;
pub use reservations::DAY_QUERY;
pub use venues::VenueSelectError;

use crate::domain::{AddressError, TransitionError};

/// Message-ID domain when none is configured.
pub const DEFAULT_MESSAGE_DOMAIN: &str = "guestmail.localhost";

/// How long a writer waits for another process's transaction before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A store error's text says its cause; none is also given as a `source`, or `{:#}` (the
/// messages users see) would say it twice.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(engine::Error),
    #[error("could not prepare the database file {path}: {error}")]
    File { path: PathBuf, error: std::io::Error },
    #[error(
        "the database {path} has schema version {found}, newer than this guestmail ({supported}); update guestmail"
    )]
    TooNew { path: PathBuf, found: i64, supported: i64 },
    #[error("migration {version} failed: {error}")]
    Migration { version: i64, error: engine::Error },
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    Address(#[from] AddressError),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    /// The journey's rules refuse the action (see [`crate::journey::Refusal`]).
    #[error(transparent)]
    Refused(#[from] crate::journey::Refusal),
    /// The venues' rules refuse a new venue (see [`crate::venue::VenueRefusal`]).
    #[error(transparent)]
    Venue(#[from] crate::venue::VenueRefusal),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// One connection to the guestmail database.
pub struct Store {
    conn: Conn,
    /// The file, or the PostgreSQL URL without its password (for messages and logs).
    path: PathBuf,
    location: Location,
    /// The domain of the Message-IDs this store hands out (the sender's domain).
    message_domain: String,
    /// The venue's journey rules and clock, applied with every change.
    rules: Rules,
    /// A fixed "now" for the journey's decisions (tests and fixtures of a given day).
    frozen_now: Option<i64>,
    /// The venue this connection works on (see [`Store::with_venue`]).
    venue: i64,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens and migrates the store: a SQLite file (created if needed, readable by its owner
    /// only) or a PostgreSQL database named by a `postgres://` URL (see [`Location`]).
    pub fn open(location: impl Into<Location>) -> Result<Self> {
        let location = location.into();
        let conn = match &location {
            Location::File(path) => Self::open_sqlite(path)?,
            Location::Postgres(target) => Self::open_postgres(target)?,
        };
        let mut store = Store {
            conn,
            path: PathBuf::from(location.to_string()),
            location,
            message_domain: DEFAULT_MESSAGE_DOMAIN.to_owned(),
            rules: Rules::default(),
            frozen_now: None,
            venue: crate::venue::IMPLICIT_VENUE,
        };
        // An erasure (`forget`) that another connection kept from finishing: finish it now.
        match store.finish_pending_scrubs() {
            Ok(true) => {}
            Ok(false) => tracing::info!("an erasure's WAL checkpoint is still waiting for another connection"),
            Err(e) => tracing::warn!(error = %e, "could not finish a pending erasure"),
        }
        Ok(store)
    }

    fn open_sqlite(path: &Path) -> Result<Conn> {
        create_private_file(path)?;
        let mut conn = rusqlite::Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        retry_busy(|| conn.pragma_update(None, "journal_mode", "WAL"), is_busy_sqlite)?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.set_prepared_statement_cache_capacity(64);
        retry_busy(|| migrate::run(&mut conn, path), is_busy)?;
        Ok(Conn::sqlite(conn))
    }

    fn open_postgres(target: &location::PgTarget) -> Result<Conn> {
        if let Some(problem) = &target.problem {
            return Err(StoreError::Invalid(problem.clone()));
        }
        let config = target.config.as_ref().ok_or_else(|| StoreError::Invalid("no database URL".into()))?;
        let (mode, tls) = pg_tls::connector(&target.tls).map_err(StoreError::Invalid)?;
        let mut config = config.clone();
        config.ssl_mode(mode);
        let conn = engine::PgConn::connect(&config, tls).map_err(connect_error)?;
        let mut conn = Conn::postgres(conn);
        retry_busy(|| migrate::run_postgres(&mut conn, Path::new(&target.shown)), is_busy)?;
        Ok(conn)
    }

    /// Where this store lives (a SQLite file or a PostgreSQL database), to open another
    /// connection to it.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Which engine runs this store.
    pub fn engine(&self) -> engine::Engine {
        self.conn.engine()
    }

    /// Sets the domain of new Message-IDs (normally the transactional sender's domain).
    #[must_use]
    pub fn with_message_domain(mut self, domain: &str) -> Self {
        domain.clone_into(&mut self.message_domain);
        self
    }

    /// Sets the venue's journey rules and clock (normally from the config).
    #[must_use]
    pub fn with_rules(mut self, rules: Rules) -> Self {
        self.rules = rules;
        self
    }

    pub fn rules(&self) -> Rules {
        self.rules
    }

    /// Makes the journey's decisions on this connection as of `ms` (UTC) instead of the
    /// system time, so a test or fixture of a given day sees that day's rules.
    #[cfg(any(test, feature = "test-support"))]
    #[must_use]
    pub fn frozen_at(mut self, ms: i64) -> Self {
        self.frozen_now = Some(ms);
        self
    }

    /// Now for the journey: the system time unless frozen.
    pub(crate) fn now(&self) -> i64 {
        self.frozen_now.unwrap_or_else(now_ms)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A counter SQLite bumps whenever another connection commits: polling it tells the UI
    /// that something changed behind its back, at the cost of one cheap pragma.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self.conn.data_version()?)
    }

    /// Stops this connection from checkpointing the WAL at commit time (`0`), or sets how
    /// many WAL pages trigger it. A busy writer turns it off so a checkpoint (which writes
    /// and syncs the database file) never sits in its commit path; [`Store::checkpoint`] on
    /// another connection does the work instead.
    pub fn set_auto_checkpoint(&self, pages: u32) -> Result<()> {
        if let Some(c) = self.conn.as_sqlite() {
            c.pragma_update(None, "wal_autocheckpoint", pages).map_err(engine::Error::from)?;
        }
        Ok(())
    }

    /// Lets this connection's commits skip the fsync (`synchronous=NORMAL` in WAL mode): a
    /// commit still survives the process being killed, but a power cut can roll back the
    /// last ones. Only for data where that costs nothing that matters (see the tracker's
    /// writer); the outbox keeps FULL, because an email must never be sent twice.
    pub fn set_fast_commits(&self) -> Result<()> {
        match self.conn.as_sqlite() {
            Some(c) => c.pragma_update(None, "synchronous", "NORMAL").map_err(engine::Error::from)?,
            // The same trade on PostgreSQL: a commit returns before its WAL reaches the disk.
            None => self.conn.execute_batch("SET synchronous_commit = off")?,
        }
        Ok(())
    }

    /// A passive WAL checkpoint: copies what it can into the database file without waiting
    /// for readers or writers.
    pub fn checkpoint(&self) -> Result<()> {
        self.conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", (), |_| Ok(()))?;
        Ok(())
    }

    /// `PRAGMA integrity_check`: "ok" when the file is sound.
    pub fn integrity_check(&self) -> Result<String> {
        match self.conn.as_sqlite() {
            Some(c) => Ok(c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(engine::Error::from)?),
            // PostgreSQL checks its own pages; a connection that answers is sound.
            None => Ok(self.conn.query_row("SELECT 'ok'", (), |r| r.get(0))?),
        }
    }

    /// The query plan SQLite picks for one of the store's own statements, for tests that
    /// guard the indexes.
    pub fn explain(&self, sql: &str) -> Result<Vec<String>> {
        let Some(c) = self.conn.as_sqlite() else {
            let plan = self.conn.prepare(&format!("EXPLAIN {sql}"))?.query_map((), |r| r.get::<_, String>(0))?;
            return Ok(plan.collect::<Result<_, _>>()?);
        };
        let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).map_err(engine::Error::from)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(3)).map_err(engine::Error::from)?;
        Ok(rows.collect::<Result<_, _>>().map_err(engine::Error::from)?)
    }

    /// [`Store::write`] for a closure that can run only once (a bulk load that consumes its
    /// input): no retry.
    pub(crate) fn write_once<T>(&mut self, f: impl FnOnce(&engine::Tx<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.begin()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` in one immediate (write-locking) transaction: all of it commits or none.
    ///
    /// Writers wait their turn: SQLite's busy handler waits [`BUSY_TIMEOUT`] for the lock,
    /// and a race lost even so (`SQLITE_BUSY`/`SQLITE_LOCKED`, such as behind a long import)
    /// rolls back and runs the whole of `f` again after a short pause, for up to
    /// [`WRITE_PATIENCE`] in all: no caller sees "database is locked" while another writer
    /// is merely busy. `f` may run more than once, so it changes nothing outside `tx`.
    pub(crate) fn write<T>(&mut self, f: impl FnMut(&engine::Tx<'_>) -> Result<T>) -> Result<T> {
        self.transact(false, f)
    }

    /// [`Store::write`] in a READ COMMITTED transaction on PostgreSQL (the same one-writer
    /// transaction on SQLite): for writes whose rows are found and locked by their own
    /// statements (`FOR UPDATE`, an `UPDATE … WHERE state = …` re-checked after a wait), with
    /// nothing read and then written from what was read. SERIALIZABLE's read locks, kept by
    /// index page, would make concurrent workers abort each other for rows they never share.
    pub(crate) fn write_locking<T>(&mut self, f: impl FnMut(&engine::Tx<'_>) -> Result<T>) -> Result<T> {
        self.transact(true, f)
    }

    /// One write transaction (SERIALIZABLE, or READ COMMITTED when `locking`, on
    /// PostgreSQL; IMMEDIATE on SQLite either way), run again while it loses a race.
    fn transact<T>(&mut self, locking: bool, mut f: impl FnMut(&engine::Tx<'_>) -> Result<T>) -> Result<T> {
        retry_busy(
            || {
                let tx = if locking { self.conn.begin_locking()? } else { self.conn.begin()? };
                let out = f(&tx)?;
                tx.commit()?;
                Ok(out)
            },
            is_busy,
        )
    }
}

/// How long, in all, a write keeps retrying a transaction that lost the race for the lock.
pub const WRITE_PATIENCE: Duration = Duration::from_secs(30);

/// Whether an error is a lost race for the database lock (worth running the transaction
/// again), not a real failure.
pub fn is_busy(e: &StoreError) -> bool {
    match e {
        StoreError::Db(e) | StoreError::Migration { error: e, .. } => e.is_retryable(),
        _ => false,
    }
}

fn is_busy_sqlite(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
}

/// A failed connection to PostgreSQL; when TLS is the reason, with what to do about it.
fn connect_error(e: postgres::Error) -> StoreError {
    let e = engine::Error::from(e);
    let text = e.to_string();
    let hint = if text.contains("server does not support TLS") {
        "the server does not offer TLS: add sslmode=disable to the URL only if the network to it is trusted (guests' data would cross it in clear)"
    } else if text.contains("UnknownIssuer") {
        "the server's certificate is not signed by an authority guestmail knows: name its CA with sslrootcert=/path/to/ca.pem in the URL"
    } else if text.contains("NotValidForName") {
        "the server's certificate was issued for another name: connect with the host name on the certificate"
    } else {
        return StoreError::Db(e);
    };
    StoreError::Invalid(format!("{text}; {hint}"))
}

impl From<engine::Error> for StoreError {
    fn from(e: engine::Error) -> Self {
        StoreError::Db(e)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Db(engine::Error::Sqlite(e))
    }
}

/// Runs `attempt` again while it fails with a lost race (`busy`), pausing 5 ms, then
/// doubling up to 250 ms (with a little jitter so two losers do not collide again), for up
/// to [`WRITE_PATIENCE`].
pub(crate) fn retry_busy<T, E>(mut attempt: impl FnMut() -> Result<T, E>, busy: impl Fn(&E) -> bool) -> Result<T, E> {
    let started = std::time::Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        match attempt() {
            Err(e) if busy(&e) && started.elapsed() < WRITE_PATIENCE => {
                let jitter = Duration::from_micros(u64::from(std::process::id() % 7 + 1) * 700);
                std::thread::sleep(pause + jitter);
                pause = (pause * 2).min(Duration::from_millis(250));
            }
            other => return other,
        }
    }
}

/// Creates the database file with mode 0600 before SQLite does, so guests' personal data is
/// never readable by other users; SQLite gives its -wal and -shm files the same mode.
fn create_private_file(path: &Path) -> Result<()> {
    let err = |error| StoreError::File { path: path.to_owned(), error };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    if path.exists() {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(err(e)),
    }
}

/// Now, as the store keeps times: UTC Unix milliseconds.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
