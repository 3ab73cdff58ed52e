//! One pass over a watched folder: take in each message not yet looked at under the folder's
//! UIDVALIDITY (bounces counted through the store, replies tied to our emails), then move or
//! flag the bounces; the reply mailbox is only read.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::connect::{Failure, Session};
use super::settings::MailboxSettings;
use crate::bounce::ingest::{HEAD_BYTES, with_parts};
use crate::store::{MailboxKind, MailboxUid, Store};

/// Messages fetched per command, and the bytes one fetch may bring at most.
const FETCH_COUNT: usize = 200;
const FETCH_BYTES: u64 = 16 * 1024 * 1024;

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    /// Messages looked at for the first time under this UIDVALIDITY.
    pub looked_at: usize,
    pub bounces: usize,
    pub not_bounces: usize,
    /// Bounces already taken in (by their Message-ID) before, e.g. under another UIDVALIDITY.
    pub already_processed: usize,
    pub errors_counted: usize,
    /// Bounces moved to the processed folder, or flagged.
    pub moved: usize,
    pub flagged: usize,
    /// Replies tied to one of our emails (the reply mailbox).
    pub replies: usize,
}

/// The Message-ID header of a raw message (its own, not the returned original's).
pub(super) fn own_message_id(raw: &[u8]) -> Option<String> {
    let mut lines = raw.split(|&b| b == b'\n');
    let mut found: Option<String> = None;
    for line in lines.by_ref() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if let Some(value) = found.as_mut() {
            if line.starts_with(b" ") || line.starts_with(b"\t") {
                value.push_str(String::from_utf8_lossy(line).trim());
                continue;
            }
            break;
        }
        if line.len() >= 11 && line[..11].eq_ignore_ascii_case(b"message-id:") {
            found = Some(String::from_utf8_lossy(&line[11..]).trim().to_owned());
        }
    }
    found.map(|v| v.trim_matches(['<', '>', ' ']).to_owned()).filter(|v| !v.is_empty())
}

/// A watched folder in one session.
pub(super) struct Folder<'a> {
    pub(super) settings: &'a MailboxSettings,
    pub(super) name: String,
    pub(super) uidvalidity: u32,
    pub(super) can_move: bool,
    pub(super) uidplus: bool,
    /// The processed folder exists (or was created).
    pub(super) processed_ok: bool,
}

impl Folder<'_> {
    /// Takes in every message not yet looked at, then moves the bounces out of the way.
    pub(super) fn pass(&self, session: &mut Session, store: &mut Store) -> Result<Pass, Failure> {
        let mut pass = Pass::default();
        let all: HashSet<u32> = session.uid_search("ALL")?;
        let seen = store.mailbox_seen(&self.name, self.uidvalidity).map_err(|e| Failure::Lost(e.to_string()))?;
        let mut new: Vec<u32> = all.iter().copied().filter(|uid| !seen.contains_key(uid)).collect();
        new.sort_unstable();
        let mut to_settle: Vec<u32> = seen
            .iter()
            .filter(|(uid, kind)| **kind == MailboxKind::Bounce { settled: false } && all.contains(uid))
            .map(|(uid, _)| *uid)
            .collect();
        for sizes in new.chunks(1000) {
            let fetched = session.uid_fetch(uid_set(sizes), "(UID RFC822.SIZE)")?;
            let mut sized: Vec<(u32, u64)> =
                fetched.iter().filter_map(|f| Some((f.uid?, u64::from(f.size.unwrap_or(0))))).collect();
            sized.sort_unstable();
            let mut batch: Vec<u32> = Vec::new();
            let mut bytes = 0;
            for (uid, size) in sized {
                if size > self.settings.limits.max_bytes {
                    // Only its head: a report's parts come first.
                    let head = session.uid_fetch(uid.to_string(), format!("(UID BODY.PEEK[]<0.{HEAD_BYTES}>)"))?;
                    for f in head.iter() {
                        self.take_in(store, uid, f.body().unwrap_or_default(), &mut pass, &mut to_settle)?;
                    }
                    continue;
                }
                if !batch.is_empty() && (batch.len() >= FETCH_COUNT || bytes + size > FETCH_BYTES) {
                    self.fetch_batch(session, store, &batch, &mut pass, &mut to_settle)?;
                    batch.clear();
                    bytes = 0;
                }
                batch.push(uid);
                bytes += size;
            }
            if !batch.is_empty() {
                self.fetch_batch(session, store, &batch, &mut pass, &mut to_settle)?;
            }
        }
        if !to_settle.is_empty() {
            to_settle.sort_unstable();
            self.settle(session, store, &to_settle, &mut pass)?;
        }
        Ok(pass)
    }

    fn fetch_batch(
        &self,
        session: &mut Session,
        store: &mut Store,
        uids: &[u32],
        pass: &mut Pass,
        to_settle: &mut Vec<u32>,
    ) -> Result<(), Failure> {
        let fetched = session.uid_fetch(uid_set(uids), "(UID BODY.PEEK[])")?;
        for f in fetched.iter() {
            if let Some(uid) = f.uid {
                self.take_in(store, uid, f.body().unwrap_or_default(), pass, to_settle)?;
            }
        }
        Ok(())
    }

    fn take_in(
        &self,
        store: &mut Store,
        uid: u32,
        raw: &[u8],
        pass: &mut Pass,
        to_settle: &mut Vec<u32>,
    ) -> Result<(), Failure> {
        let bounce = crate::bounce::parse(raw);
        let key = own_message_id(raw)
            .map_or_else(|| format!("imap:{}:{}:{uid}", self.name, self.uidvalidity), |id| format!("imap-mid:{id}"));
        let at = MailboxUid { mailbox: &self.name, uidvalidity: self.uidvalidity, uid };
        let block_after = self.settings.limits.block_after;
        let outcome = with_parts(bounce.as_ref(), |links, recipients| {
            store.record_mailbox_message(at, &key, links, recipients, bounce.is_some(), block_after)
        })
        .map_err(|e| Failure::Lost(e.to_string()))?;
        pass.looked_at += 1;
        pass.errors_counted += outcome.errors_counted;
        if bounce.is_some() {
            to_settle.push(uid);
            if outcome.already_processed {
                pass.already_processed += 1;
            } else {
                pass.bounces += 1;
            }
        } else {
            pass.not_bounces += 1;
        }
        Ok(())
    }

    /// Moves taken-in bounces to the processed folder, or flags them where that is refused.
    fn settle(&self, session: &mut Session, store: &mut Store, uids: &[u32], pass: &mut Pass) -> Result<(), Failure> {
        let folder = &self.settings.processed_folder;
        for chunk in uids.chunks(500) {
            let set = uid_set(chunk);
            let moved = if !self.processed_ok {
                false
            } else if self.can_move {
                match session.uid_mv(&set, folder) {
                    Ok(()) => true,
                    Err(imap::Error::No(no)) => {
                        tracing::warn!(folder, why = %no.information, "the mail server refused to move bounces; flagging them instead");
                        false
                    }
                    Err(e) => return Err(e.into()),
                }
            } else if self.uidplus {
                session.uid_copy(&set, folder)?;
                session.uid_store(&set, "+FLAGS.SILENT (\\Deleted)")?;
                session.uid_expunge(&set)?;
                true
            } else {
                false
            };
            if moved {
                pass.moved += chunk.len();
            } else {
                session.uid_store(&set, "+FLAGS.SILENT (\\Seen \\Flagged)")?;
                pass.flagged += chunk.len();
            }
            store
                .settle_mailbox_messages(&self.name, self.uidvalidity, chunk)
                .map_err(|e| Failure::Lost(e.to_string()))?;
        }
        Ok(())
    }

    /// The reply mailbox's pass: read only. Each message not looked at yet is read (PEEK),
    /// tied to our email if it answers one, and remembered; nothing in the mailbox changes.
    pub(super) fn reply_pass(&self, session: &mut Session, store: &mut Store) -> Result<Pass, Failure> {
        let mut pass = Pass::default();
        let all: HashSet<u32> = session.uid_search("ALL")?;
        let seen = store.mailbox_seen(&self.name, self.uidvalidity).map_err(|e| Failure::Lost(e.to_string()))?;
        let mut new: Vec<u32> = all.into_iter().filter(|uid| !seen.contains_key(uid)).collect();
        new.sort_unstable();
        for chunk in new.chunks(FETCH_COUNT) {
            // A reply's first lines are at its start: never more than the head of a big one.
            let fetched = session.uid_fetch(uid_set(chunk), format!("(UID BODY.PEEK[]<0.{HEAD_BYTES}>)"))?;
            for f in fetched.iter() {
                let Some(uid) = f.uid else { continue };
                let raw = f.body().unwrap_or_default();
                let reply = crate::replies::parse(raw);
                let at = MailboxUid { mailbox: &self.name, uidvalidity: self.uidvalidity, uid };
                let key = reply
                    .as_ref()
                    .and_then(|r| r.own_id.clone())
                    .map_or_else(|| format!("imap:{}:{}:{uid}", self.name, self.uidvalidity), |id| format!("mid:{id}"));
                let new_reply = reply.as_ref().map(|r| crate::store::NewReply {
                    key: &key,
                    at: r.at.unwrap_or_else(crate::store::now_ms),
                    from: &r.from,
                    answers: &r.answers,
                    excerpt: &r.excerpt,
                    auto: r.auto,
                });
                let outcome = store.record_reply(at, new_reply.as_ref()).map_err(|e| Failure::Lost(e.to_string()))?;
                pass.looked_at += 1;
                match outcome {
                    crate::store::ReplyOutcome::Linked { .. } => pass.replies += 1,
                    crate::store::ReplyOutcome::Again => pass.already_processed += 1,
                    crate::store::ReplyOutcome::Unlinked => pass.not_bounces += 1,
                }
            }
        }
        Ok(pass)
    }
}

/// `1,2,5:7` for a sorted list of UIDs.
pub(super) fn uid_set(uids: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < uids.len() {
        let start = uids[i];
        let mut end = start;
        while i + 1 < uids.len() && uids[i + 1] == end + 1 {
            i += 1;
            end = uids[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if end == start {
            out.push_str(&start.to_string());
        } else {
            let _ = write!(out, "{start}:{end}");
        }
        i += 1;
    }
    out
}
