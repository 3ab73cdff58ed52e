//! Guests' replies: tied to the email they answer and stored, once each. A reply from a
//! person counts as proof the email was read (a person's open: the marker goes green, the
//! follow-up list drops it); an automatic reply is kept and shown as such, and proves nothing.

use crate::store::engine::{OptionalExtension as _, Tx, params};
use serde::Serialize;

use super::mailboxes::MailboxUid;
use super::{Result, Store, now_ms};

/// How far back "a recent email to this sender" may be when the reply names none of ours.
pub const REPLY_ADDRESS_WINDOW_MS: i64 = 30 * 24 * 3600 * 1000;

/// A reply to store.
#[derive(Debug, Clone, Copy)]
pub struct NewReply<'a> {
    /// Its key: its own Message-ID, else the mailbox's UIDVALIDITY and UID.
    pub key: &'a str,
    pub at: i64,
    pub from: &'a str,
    /// The Message-IDs it names (bare, without angle brackets).
    pub answers: &'a [String],
    pub excerpt: &'a str,
    pub auto: bool,
}

/// A stored reply, as `reservation show` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplyRecord {
    /// When it was written, UTC ms.
    pub at: i64,
    pub from: String,
    pub excerpt: String,
    pub auto: bool,
}

/// What recording a reply did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyOutcome {
    /// Tied to our email `message` (by its thread, or by address only).
    Linked { message: i64, by_thread: bool },
    /// Not ours to show: no email of ours named and none recent to that sender.
    Unlinked,
    /// Already taken in.
    Again,
}

fn link(tx: &Tx<'_>, reply: &NewReply<'_>, now: i64) -> Result<Option<(i64, bool)>> {
    let mut by_id = tx.prepare_cached("SELECT id FROM messages WHERE message_id = '<' || ?1 || '>'")?;
    for id in reply.answers {
        if let Some(found) = by_id.query_row([id], |r| r.get(0)).optional()? {
            return Ok(Some((found, true)));
        }
    }
    let found = tx
        .prepare_cached(
            "SELECT id FROM messages WHERE recipient = ?1 AND sent_at IS NOT NULL AND sent_at >= ?2
             ORDER BY sent_at DESC, id DESC LIMIT 1",
        )?
        .query_row(params![reply.from, now - REPLY_ADDRESS_WINDOW_MS], |r| r.get(0))
        .optional()?;
    Ok(found.map(|id| (id, false)))
}

impl Store {
    /// Records one message of the reply mailbox in one transaction: its UID (so it is read
    /// once), and, when it answers one of our emails, the reply; a person's reply also counts
    /// as a person's open of that email.
    pub fn record_reply(&mut self, at: MailboxUid<'_>, reply: Option<&NewReply<'_>>) -> Result<ReplyOutcome> {
        let now = now_ms();
        self.write(|tx| {
            let linked = match reply {
                Some(r) => link(tx, r, now)?,
                None => None,
            };
            tx.prepare_cached(
                "INSERT INTO mailbox_messages (mailbox, uidvalidity, uid, kind, settled, seen_at)
                 VALUES (?1, ?2, ?3, ?4, 1, ?5) ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                at.mailbox,
                at.uidvalidity,
                at.uid,
                if linked.is_some() { "reply" } else { "other" },
                now
            ])?;
            let (Some(r), Some((message, by_thread))) = (reply, linked) else { return Ok(ReplyOutcome::Unlinked) };
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO replies (message_id, key, received_at, sender, excerpt, auto, linked_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (key) DO NOTHING",
                )?
                .execute(params![
                    message,
                    r.key,
                    r.at,
                    r.from,
                    r.excerpt,
                    r.auto,
                    if by_thread { "thread" } else { "address" }
                ])?;
            if inserted == 0 {
                return Ok(ReplyOutcome::Again);
            }
            if !r.auto {
                // Counted on the email as a person's open (no pixel hit row: the history shows
                // the reply itself).
                tx.prepare_cached(
                    "UPDATE messages SET open_count = open_count + 1, human_open_count = human_open_count + 1,
                            first_opened_at = COALESCE(first_opened_at, ?2),
                            last_opened_at = MAX(COALESCE(last_opened_at, ?2), ?2)
                     WHERE id = ?1",
                )?
                .execute(params![message, r.at])?;
            }
            Ok(ReplyOutcome::Linked { message, by_thread })
        })
    }

    /// The replies to one email, oldest first.
    pub fn replies_for_message(&self, message: i64) -> Result<Vec<ReplyRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT received_at, sender, excerpt, auto FROM replies WHERE message_id = ?1 ORDER BY received_at, id",
        )?;
        let rows = stmt.query_map([message], |r| {
            Ok(ReplyRecord { at: r.get(0)?, from: r.get(1)?, excerpt: r.get(2)?, auto: r.get(3)? })
        })?;
        Ok(rows.collect::<crate::store::engine::Result<_>>()?)
    }
}
