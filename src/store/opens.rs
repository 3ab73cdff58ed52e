//! The opens table: each fetch of a tracking pixel, and the open counters on its message.
//!
//! The tracker's single writer thread hands a whole batch of hits to [`Store::record_opens`],
//! which stores them in one transaction: one commit (one fsync) for hundreds of hits is what
//! lets the endpoint answer at full speed while still recording every open. No `events` row
//! is written per open: the history reads this table directly.

use std::borrow::Cow;
use std::collections::HashMap;
use std::net::IpAddr;

use rusqlite::{OptionalExtension as _, Transaction, params};

use super::{Result, Store};

/// One pixel fetch, as the endpoint saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenHit {
    /// The token from the pixel's URL (unknown tokens are counted and dropped).
    pub token: String,
    /// When the request arrived, UTC Unix ms.
    pub at: i64,
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
}

/// What the classifier gets to decide human or machine.
#[derive(Debug, Clone, Copy)]
pub struct OpenFacts<'a> {
    pub user_agent: Option<&'a str>,
    pub ip: Option<IpAddr>,
    /// Whole seconds between the message's sending and this fetch; `None` if never sent.
    pub seconds_after_send: Option<i64>,
}

/// The classifier's answer, stored with the open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenVerdict {
    pub machine: bool,
    /// Why, in a few words for the history ("Gmail image proxy", "browser or mail client").
    pub reason: Cow<'static, str>,
}

/// What one batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordedBatch {
    /// Opens stored (hits whose token belongs to a message).
    pub recorded: usize,
    /// Hits dropped because no message has their token.
    pub unknown: usize,
}

/// One stored open, for the history pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenRecord {
    pub id: i64,
    pub message_id: i64,
    pub at: i64,
    /// `None` once erased by the retention purge.
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub seconds_after_send: Option<i64>,
    pub machine: bool,
    pub reason: String,
}

/// Per message totals of one batch, applied with one UPDATE.
#[derive(Debug, Clone, Copy)]
struct Totals {
    opens: u32,
    human: u32,
    first_at: i64,
    last_at: i64,
}

/// Stores a batch of hits in the caller's transaction; see [`Store::record_opens`].
pub(crate) fn record(
    tx: &Transaction<'_>,
    hits: &[OpenHit],
    classify: &mut dyn FnMut(&OpenFacts<'_>) -> OpenVerdict,
) -> Result<RecordedBatch> {
    let mut find = tx.prepare_cached("SELECT id, sent_at FROM messages WHERE token = ?1")?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO opens (message_id, at, ip, user_agent, seconds_after_send, machine, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    // A burst usually repeats a few tokens: look each one up once per batch.
    let mut messages: HashMap<&str, Option<(i64, Option<i64>)>> = HashMap::new();
    let mut totals: HashMap<i64, Totals> = HashMap::new();
    let mut out = RecordedBatch::default();
    for hit in hits {
        let found = if let Some(found) = messages.get(hit.token.as_str()) {
            *found
        } else {
            let found = find.query_row([&hit.token], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
            messages.insert(&hit.token, found);
            found
        };
        let Some((message_id, sent_at)) = found else {
            out.unknown += 1;
            continue;
        };
        let seconds_after_send = sent_at.map(|sent| (hit.at - sent).div_euclid(1000));
        let facts = OpenFacts { user_agent: hit.user_agent.as_deref(), ip: hit.ip, seconds_after_send };
        let verdict = classify(&facts);
        let ip = hit.ip.map(|ip| ip.to_string());
        insert.execute(params![
            message_id,
            hit.at,
            ip,
            hit.user_agent,
            seconds_after_send,
            verdict.machine,
            verdict.reason.as_ref()
        ])?;
        let human = u32::from(!verdict.machine);
        totals
            .entry(message_id)
            .and_modify(|t| {
                t.opens += 1;
                t.human += human;
                t.first_at = t.first_at.min(hit.at);
                t.last_at = t.last_at.max(hit.at);
            })
            .or_insert(Totals { opens: 1, human, first_at: hit.at, last_at: hit.at });
        out.recorded += 1;
    }
    let mut update = tx.prepare_cached(
        "UPDATE messages SET open_count = open_count + ?2,
                             human_open_count = human_open_count + ?3,
                             first_opened_at = COALESCE(first_opened_at, ?4),
                             last_opened_at = MAX(COALESCE(last_opened_at, ?5), ?5)
         WHERE id = ?1",
    )?;
    for (id, t) in totals {
        update.execute(params![id, t.opens, t.human, t.first_at, t.last_at])?;
    }
    Ok(out)
}

impl Store {
    /// Records a batch of pixel hits in one transaction: an `opens` row per hit of a known
    /// token, classified by `classify`, and per message the open counts, `first_opened_at`
    /// (set once, never changed) and `last_opened_at` (only moves forward). Hits of unknown
    /// tokens record nothing. All of the batch commits, or none of it.
    pub fn record_opens(
        &mut self,
        hits: &[OpenHit],
        mut classify: impl FnMut(&OpenFacts<'_>) -> OpenVerdict,
    ) -> Result<RecordedBatch> {
        if hits.is_empty() {
            return Ok(RecordedBatch::default());
        }
        self.write(|tx| record(tx, hits, &mut classify))
    }

    /// The opens of one message, newest first.
    pub fn opens_for_message(&self, message_id: i64) -> Result<Vec<OpenRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, message_id, at, ip, user_agent, seconds_after_send, machine, reason
             FROM opens WHERE message_id = ?1 ORDER BY at DESC, id DESC",
        )?;
        let rows = stmt.query_map([message_id], |r| {
            Ok(OpenRecord {
                id: r.get(0)?,
                message_id: r.get(1)?,
                at: r.get(2)?,
                ip: r.get(3)?,
                user_agent: r.get(4)?,
                seconds_after_send: r.get(5)?,
                machine: r.get(6)?,
                reason: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many opens are stored in all, for summaries and tests.
    pub fn open_total(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT COUNT(*) FROM opens", [], |r| r.get(0))?)
    }

    /// Privacy retention: erases the client IP and User-Agent of opens older than
    /// `before` (UTC Unix ms), keeping the time and the verdict. Returns how many opens
    /// were erased.
    pub fn erase_open_details_before(&mut self, before: i64) -> Result<usize> {
        self.write(|tx| {
            Ok(tx
                .prepare_cached(
                    "UPDATE opens SET ip = NULL, user_agent = NULL
                     WHERE at < ?1 AND (ip IS NOT NULL OR user_agent IS NOT NULL)",
                )?
                .execute([before])?)
        })
    }

    /// Marks a message sent at `at`, for tests of the tracker only: the real transition
    /// belongs to the outbox (`store/outbox.rs`), which is not on this branch yet.
    #[doc(hidden)]
    pub fn mark_sent_for_tests(&mut self, message_id: i64, at: i64) -> Result<()> {
        self.write(|tx| {
            tx.prepare_cached("UPDATE messages SET state = 'sent', sent_at = ?2 WHERE id = ?1")?
                .execute(params![message_id, at])?;
            Ok(())
        })
    }
}
