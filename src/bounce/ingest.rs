//! Taking bounces in from a Maildir (the mailbox the Return-Path delivers to): each message
//! is parsed, recorded with its key in one transaction, then moved to `cur/` with the Seen
//! flag. The key in `processed_mail` is what guarantees "once": a crash between the commit
//! and the move only means the file is moved on the next pass, never counted twice.
//!
//! A message is never read whole past `bounce_max_bytes`: only its first [`HEAD_BYTES`] are
//! read (a report's explanation, its delivery-status part and the returned original's
//! headers come first; attachments come last) and parsed; when that head is not a report,
//! the file is set aside in the Maildir's `too-big/` folder.
//!
//! One watcher per database: the screen and `guestmail serve` both run [`watch_until`], and
//! only the one holding `<database>-bounces.lock` (for a PostgreSQL store, the Maildir's own
//! `guestmail-bounces.lock`) takes messages in; another stands by and takes over when that
//! lock is gone.

use std::fmt;
use std::fs::File;
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::{Bounce, parse};
use crate::config::Config;
use crate::lockfile::HeldLock;
use crate::store::{BounceLinks, NewBounce, Store, StoreError};

/// How much of a message over the size limit is read and parsed.
pub const HEAD_BYTES: u64 = 256 * 1024;

/// The folder of the Maildir where messages too big to read, and not reports, are set aside.
pub const TOO_BIG: &str = "too-big";

/// What ingestion needs from the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// An address is blocked when its error count goes above this.
    pub block_after: u32,
    /// A message larger than this is never read whole (`bounce_max_bytes`).
    pub max_bytes: u64,
}

impl From<&Config> for Limits {
    fn from(config: &Config) -> Self {
        Self { block_after: config.block_after, max_bytes: config.bounce_max_bytes }
    }
}

/// One message as read from disk: never more than the limit.
#[derive(Debug)]
pub enum Raw {
    Whole(Vec<u8>),
    /// The first bytes of a message over the limit, and its size on disk.
    Head {
        head: Vec<u8>,
        size: u64,
    },
}

/// Reads `path` whole when it is at most `max_bytes`, else only its head (at most
/// [`HEAD_BYTES`], cut after its last complete line). Memory stays bounded by the limit even
/// for a file that grows while it is read.
pub fn read_bounded(path: &Path, max_bytes: u64) -> io::Result<Raw> {
    let file = File::open(path)?;
    let size = file.metadata()?.len();
    let head_len = HEAD_BYTES.min(max_bytes);
    let mut raw = Vec::new();
    if size <= max_bytes {
        raw.reserve(size as usize);
        (&file).take(max_bytes + 1).read_to_end(&mut raw)?;
        if raw.len() as u64 <= max_bytes {
            return Ok(Raw::Whole(raw));
        }
        raw.truncate(head_len as usize);
        raw.shrink_to_fit();
    } else {
        raw.reserve(head_len as usize);
        (&file).take(head_len).read_to_end(&mut raw)?;
    }
    if let Some(end) = raw.iter().rposition(|&b| b == b'\n') {
        raw.truncate(end + 1);
    }
    Ok(Raw::Head { head: raw, size: size.max(max_bytes + 1) })
}

/// How often `guestmail serve` looks at the Maildir.
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);

/// What one pass over the Maildir did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub messages: usize,
    pub bounces: usize,
    pub not_bounces: usize,
    pub recipients: usize,
    pub matched: usize,
    pub unmatched: usize,
    pub errors_counted: usize,
    pub newly_blocked: usize,
    pub already_processed: usize,
    pub unreadable: usize,
    /// Over `bounce_max_bytes` and not a report in its head: moved to `too-big/`.
    pub set_aside: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} message(s): {} report(s), {} not a bounce, {} already taken in, {} unreadable, \
             {} set aside as too big; \
             {} recipient(s): {} matched, {} unmatched; {} error(s) counted, {} address(es) newly blocked",
            self.messages,
            self.bounces,
            self.not_bounces,
            self.already_processed,
            self.unreadable,
            self.set_aside,
            self.recipients,
            self.matched,
            self.unmatched,
            self.errors_counted,
            self.newly_blocked
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{path} is not a Maildir (no new/ or cur/ directory)")]
    NotMaildir { path: PathBuf },
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One message waiting in the Maildir: its unique key (the file name up to `:`).
struct Pending {
    path: PathBuf,
    key: String,
}

/// Takes in every unprocessed message of `dir` (new/, and cur/ without the Seen flag).
pub fn ingest_maildir(store: &mut Store, dir: &Path, limits: &Limits) -> Result<Summary, IngestError> {
    let (new, cur) = (dir.join("new"), dir.join("cur"));
    if !new.is_dir() && !cur.is_dir() {
        return Err(IngestError::NotMaildir { path: dir.to_owned() });
    }
    let mut summary = Summary::default();
    for pending in pending(&new, false)?.into_iter().chain(pending(&cur, true)?) {
        summary.messages += 1;
        if store.is_processed(&pending.key)? {
            summary.already_processed += 1;
            mark_seen(&pending.path, &cur, &pending.key);
            continue;
        }
        let (raw, oversize) = match read_bounded(&pending.path, limits.max_bytes) {
            Ok(Raw::Whole(raw)) => (raw, None),
            Ok(Raw::Head { head, size }) => (head, Some(size)),
            Err(e) => {
                tracing::warn!(path = %pending.path.display(), error = %e, "unreadable bounce message");
                summary.unreadable += 1;
                continue;
            }
        };
        let bounce = parse(&raw);
        drop(raw);
        if let Some(size) = oversize {
            if bounce.is_none() {
                // Taken in as "nothing" first, so a move that fails never has it read again.
                record(store, &pending.key, None, limits.block_after)?;
                set_aside(&pending.path, dir, size);
                summary.set_aside += 1;
                continue;
            }
            tracing::info!(
                path = %pending.path.display(),
                size,
                limit = limits.max_bytes,
                "bounce message over bounce_max_bytes: parsed from its first {HEAD_BYTES} bytes"
            );
        }
        let outcome = record(store, &pending.key, bounce.as_ref(), limits.block_after)?;
        if outcome.already_processed {
            summary.already_processed += 1;
        } else if bounce.is_some() {
            summary.bounces += 1;
        } else {
            summary.not_bounces += 1;
        }
        summary.recipients += outcome.recorded;
        summary.matched += outcome.matched;
        summary.unmatched += outcome.recorded - outcome.matched;
        summary.errors_counted += outcome.errors_counted;
        summary.newly_blocked += outcome.newly_blocked;
        mark_seen(&pending.path, &cur, &pending.key);
    }
    Ok(summary)
}

/// Moves a message too big to read, and not a report, to the Maildir's `too-big/` folder.
fn set_aside(path: &Path, dir: &Path, size: u64) {
    let folder = dir.join(TOO_BIG);
    let target = folder.join(path.file_name().unwrap_or_default());
    match std::fs::create_dir_all(&folder).and_then(|()| std::fs::rename(path, &target)) {
        Ok(()) => tracing::warn!(
            path = %target.display(),
            size,
            "a message over bounce_max_bytes that is not a bounce report was set aside, unread"
        ),
        Err(e) => tracing::warn!(
            path = %path.display(),
            size,
            error = %e,
            "a message over bounce_max_bytes could not be set aside; it is taken in as not a bounce"
        ),
    }
}

fn record(
    store: &mut Store,
    key: &str,
    bounce: Option<&Bounce>,
    block_after: u32,
) -> Result<crate::store::BounceOutcome, IngestError> {
    Ok(with_parts(bounce, |links, recipients| {
        store.record_bounce(Some(key), &format!("maildir:{key}"), links, recipients, block_after)
    })?)
}

/// Hands what ties a parsed report to its email, and its recipients, as the store takes
/// them (no report: nothing, recorded only so the message is never read again). The
/// Maildir and the IMAP mailbox both record through this, with the same matching rules.
pub(crate) fn with_parts<R>(bounce: Option<&Bounce>, f: impl FnOnce(&BounceLinks<'_>, &[NewBounce<'_>]) -> R) -> R {
    let empty = Bounce::default();
    let bounce = bounce.unwrap_or(&empty);
    let verp = bounce.verp_token();
    let links = BounceLinks {
        verp_token: verp.as_deref(),
        original_token: bounce.original_token.as_deref(),
        original_message_id: bounce.original_message_id.as_deref(),
        provider_id: None,
    };
    let recipients: Vec<NewBounce<'_>> = bounce
        .recipients
        .iter()
        .map(|r| NewBounce {
            recipient: &r.recipient,
            class: r.class,
            status: r.status.as_deref(),
            reply_code: r.reply_code.as_deref(),
            action: r.action.as_deref(),
            diagnostic: &r.diagnostic,
        })
        .collect();
    f(&links, &recipients)
}

/// The messages of one Maildir folder still to take in, in name (delivery) order.
fn pending(folder: &Path, skip_seen: bool) -> Result<Vec<Pending>, IngestError> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(IngestError::Io { path: folder.to_owned(), source }),
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let (key, flags) = name.split_once(":2,").unwrap_or((name.as_str(), ""));
        if skip_seen && flags.contains('S') {
            continue;
        }
        out.push(Pending { path: entry.path(), key: key.to_owned() });
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

/// Moves a processed message to `cur/` with the Seen flag (keeping its other flags).
fn mark_seen(path: &Path, cur: &Path, key: &str) {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut flags: Vec<char> = name.split_once(":2,").map(|(_, f)| f.chars().collect()).unwrap_or_default();
    if !flags.contains(&'S') {
        flags.push('S');
    }
    flags.sort_unstable();
    let target = cur.join(format!("{key}:2,{}", flags.into_iter().collect::<String>()));
    if let Err(e) = std::fs::create_dir_all(cur).and_then(|()| std::fs::rename(path, &target)) {
        // Already recorded as processed: it will not be counted again, only moved later.
        tracing::warn!(path = %path.display(), error = %e, "could not move a processed bounce to cur/");
    }
}

/// The lock file that makes one bounce watcher per database: `<database>-bounces.lock`.
pub fn watcher_lock_path(db: &Path) -> PathBuf {
    lock_path_named(db, "bounces")
}

/// The lock file of a Maildir watched for a PostgreSQL store, which has no file to put a
/// lock beside: `guestmail-bounces.lock` in the Maildir itself (its readers look in `new/`
/// and `cur/` only). The Maildir is a local folder, so one watcher per Maildir is what
/// keeps one watcher per database on this machine.
pub fn maildir_lock_path(maildir: &Path) -> PathBuf {
    maildir.join("guestmail-bounces.lock")
}

/// `<database>-<what>.lock`: one lock per watched source (the Maildir: `bounces`; the IMAP
/// bounce mailbox: `bounce-mailbox`), so each has one watcher per database.
pub fn lock_path_named(db: &Path, what: &str) -> PathBuf {
    let mut name = db.file_name().map(std::ffi::OsStr::to_os_string).unwrap_or_default();
    name.push(format!("-{what}.lock"));
    db.with_file_name(name)
}

/// What one watcher did, when it stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WatchReport {
    /// Passes over the Maildir it made (while holding the lock).
    pub passes: usize,
    /// Messages it took in (each file is taken in by one watcher only).
    pub taken_in: usize,
    /// Times it stood by because another watcher held the lock.
    pub stood_by: usize,
}

/// Polls the Maildir every [`POLL_INTERVAL`] until `stop` is set: the bounce watcher of
/// `guestmail serve` and of the screen, on its own thread with its own store connection.
/// Only the holder of the database's watcher lock ([`watcher_lock_path`]) takes messages in;
/// the other stands by and takes over once that lock is gone.
pub fn watch_until(stop: &Arc<AtomicBool>, mut store: Store, dir: &Path, limits: Limits) -> WatchReport {
    let lock_path = match store.location() {
        crate::store::Location::File(db) => watcher_lock_path(db),
        crate::store::Location::Postgres(_) => maildir_lock_path(dir),
    };
    let mut lock: Option<HeldLock> = None;
    let mut lock_failed = false;
    let mut report = WatchReport::default();
    while !stop.load(Ordering::Relaxed) {
        if lock.is_none() {
            match HeldLock::try_take(&lock_path) {
                Ok(Some(held)) => {
                    tracing::info!(maildir = %dir.display(), "this process takes in the bounces of this database");
                    lock = Some(held);
                }
                Ok(None) => {
                    if report.stood_by == 0 {
                        tracing::info!(
                            lock = %lock_path.display(),
                            "another guestmail takes in the bounces of this database; standing by"
                        );
                    }
                    report.stood_by += 1;
                }
                Err(e) => {
                    // Without a lock file (a read-only folder), still take bounces in: the
                    // processed-message keys alone keep each one counted once.
                    if !lock_failed {
                        tracing::warn!(lock = %lock_path.display(), error = %e, "cannot use the bounce watcher's lock");
                    }
                    lock_failed = true;
                }
            }
        }
        if lock.is_some() || lock_failed {
            report.passes += 1;
            match ingest_maildir(&mut store, dir, &limits) {
                Ok(summary) if summary.messages > 0 => {
                    report.taken_in += summary.messages - summary.already_processed - summary.unreadable;
                    tracing::info!(%summary, "bounces taken in");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "bounce Maildir pass failed"),
            }
        }
        let mut waited = Duration::ZERO;
        while waited < POLL_INTERVAL && !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(100));
            waited += Duration::from_millis(100);
        }
    }
    report
}
