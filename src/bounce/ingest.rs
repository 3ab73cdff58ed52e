//! Taking bounces in from a Maildir (the mailbox the Return-Path delivers to): each message
//! is parsed, recorded with its key in one transaction, then moved to `cur/` with the Seen
//! flag. The key in `processed_mail` is what guarantees "once": a crash between the commit
//! and the move only means the file is moved on the next pass, never counted twice.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::{Bounce, parse};
use crate::store::{BounceLinks, NewBounce, Store, StoreError};

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
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} message(s): {} report(s), {} not a bounce, {} already taken in, {} unreadable; \
             {} recipient(s): {} matched, {} unmatched; {} error(s) counted, {} address(es) newly blocked",
            self.messages,
            self.bounces,
            self.not_bounces,
            self.already_processed,
            self.unreadable,
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
pub fn ingest_maildir(store: &mut Store, dir: &Path, block_after: u32) -> Result<Summary, IngestError> {
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
        let raw = match std::fs::read(&pending.path) {
            Ok(raw) => raw,
            Err(e) => {
                tracing::warn!(path = %pending.path.display(), error = %e, "unreadable bounce message");
                summary.unreadable += 1;
                continue;
            }
        };
        let bounce = parse(&raw);
        let outcome = record(store, &pending.key, bounce.as_ref(), block_after)?;
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

fn record(
    store: &mut Store,
    key: &str,
    bounce: Option<&Bounce>,
    block_after: u32,
) -> Result<crate::store::BounceOutcome, IngestError> {
    let empty = Bounce::default();
    let bounce = bounce.unwrap_or(&empty);
    let verp = bounce.verp_token();
    let links = BounceLinks {
        verp_token: verp.as_deref(),
        original_token: bounce.original_token.as_deref(),
        original_message_id: bounce.original_message_id.as_deref(),
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
    Ok(store.record_bounce(Some(key), &format!("maildir:{key}"), &links, &recipients, block_after)?)
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

/// Polls the Maildir every [`POLL_INTERVAL`] until `stop` is set: the bounce watcher of
/// `guestmail serve` and the TUI, on its own thread with its own store connection.
pub fn watch_until(stop: &Arc<AtomicBool>, mut store: Store, dir: &Path, block_after: u32) {
    while !stop.load(Ordering::Relaxed) {
        match ingest_maildir(&mut store, dir, block_after) {
            Ok(summary) if summary.messages > 0 => tracing::info!(%summary, "bounces taken in"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "bounce Maildir pass failed"),
        }
        let mut waited = Duration::ZERO;
        while waited < POLL_INTERVAL && !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(100));
            waited += Duration::from_millis(100);
        }
    }
}
