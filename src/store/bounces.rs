//! Bounce reports: tying one to the message it is about, recording it, counting the error on
//! the address, and remembering which Maildir messages were already taken in.

use rusqlite::{OptionalExtension as _, Transaction, params};

use super::addresses::{self, AddressError};
use super::{Result, Store, now_ms};
use crate::domain::BounceClass;

/// How far back "the latest message to this recipient" may be when nothing else ties a
/// bounce to its message: bounces come back within days, not months.
pub const RECIPIENT_MATCH_WINDOW_MS: i64 = 30 * 24 * 3600 * 1000;

/// One recipient of a received report, as the store records it.
#[derive(Debug, Clone)]
pub struct NewBounce<'a> {
    pub recipient: &'a str,
    pub class: BounceClass,
    pub status: Option<&'a str>,
    pub reply_code: Option<&'a str>,
    pub action: Option<&'a str>,
    pub diagnostic: &'a str,
}

/// What ties a report to the message we sent, strongest first.
#[derive(Debug, Clone, Default)]
pub struct BounceLinks<'a> {
    /// The token of a VERP envelope recipient `bounces+<token>@...`.
    pub verp_token: Option<&'a str>,
    /// Our `X-Guestmail-Token` header in the returned original.
    pub original_token: Option<&'a str>,
    /// The returned original's Message-ID, without angle brackets.
    pub original_message_id: Option<&'a str>,
}

/// One row of the `bounces` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BounceRecord {
    pub id: i64,
    pub received_at: i64,
    pub source: String,
    pub message_id: Option<i64>,
    pub recipient: Option<String>,
    pub class: String,
    pub status: Option<String>,
    pub reply_code: Option<String>,
    pub action: Option<String>,
    pub diagnostic: Option<String>,
}

/// What recording one report did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BounceOutcome {
    /// The report's key was already in `processed_mail`: nothing was done.
    pub already_processed: bool,
    pub recorded: usize,
    pub matched: usize,
    pub errors_counted: usize,
    /// Addresses that became blocked because of this report.
    pub newly_blocked: usize,
}

const BOUNCE_COLUMNS: &str =
    "id, received_at, source, message_id, recipient, class, status, reply_code, action, diagnostic";

fn bounce_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<BounceRecord> {
    Ok(BounceRecord {
        id: r.get(0)?,
        received_at: r.get(1)?,
        source: r.get(2)?,
        message_id: r.get(3)?,
        recipient: r.get(4)?,
        class: r.get(5)?,
        status: r.get(6)?,
        reply_code: r.get(7)?,
        action: r.get(8)?,
        diagnostic: r.get(9)?,
    })
}

/// The message a report is about, and its recipient: VERP token, then our header, then the
/// original Message-ID, then the latest message to the same recipient within the window.
fn find_message(
    tx: &Transaction<'_>,
    links: &BounceLinks<'_>,
    recipient: &str,
    now: i64,
) -> Result<Option<(i64, String)>> {
    let by_token = "SELECT id, recipient FROM messages WHERE token = ?1";
    for token in [links.verp_token, links.original_token].into_iter().flatten() {
        if let Some(found) =
            tx.prepare_cached(by_token)?.query_row([token], |r| Ok((r.get(0)?, r.get(1)?))).optional()?
        {
            return Ok(Some(found));
        }
    }
    if let Some(mid) = links.original_message_id {
        let found = tx
            .prepare_cached("SELECT id, recipient FROM messages WHERE message_id = '<' || ?1 || '>'")?
            .query_row([mid], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
    }
    if recipient.is_empty() {
        return Ok(None);
    }
    Ok(tx
        .prepare_cached(
            "SELECT id, recipient FROM messages
             WHERE recipient = ?1 AND created_at >= ?2 AND state NOT IN ('queued', 'suppressed')
             ORDER BY created_at DESC, id DESC LIMIT 1",
        )?
        .query_row(params![recipient, now - RECIPIENT_MATCH_WINDOW_MS], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

fn address_known(tx: &Transaction<'_>, email: &str) -> Result<bool> {
    Ok(tx.prepare_cached("SELECT 1 FROM addresses WHERE email = ?1")?.exists([email])?)
}

/// Records one report's recipients in `tx`; see [`Store::record_bounce`].
pub(crate) fn record(
    tx: &Transaction<'_>,
    key: Option<&str>,
    source: &str,
    links: &BounceLinks<'_>,
    recipients: &[NewBounce<'_>],
    block_after: u32,
    now: i64,
) -> Result<BounceOutcome> {
    let mut outcome = BounceOutcome::default();
    if let Some(key) = key {
        let inserted = tx
            .prepare_cached(
                "INSERT INTO processed_mail (key, processed_at) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
            )?
            .execute(params![key, now])?;
        if inserted == 0 {
            outcome.already_processed = true;
            return Ok(outcome);
        }
    }
    for b in recipients {
        let found = find_message(tx, links, b.recipient, now)?;
        let message_id = found.as_ref().map(|(id, _)| *id);
        tx.prepare_cached(
            "INSERT INTO bounces (received_at, source, message_id, recipient, class, status, reply_code, action, diagnostic)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            now,
            source,
            message_id,
            Some(b.recipient).filter(|r| !r.is_empty()),
            b.class.as_str(),
            b.status,
            b.reply_code,
            b.action,
            b.diagnostic
        ])?;
        outcome.recorded += 1;
        outcome.matched += usize::from(message_id.is_some());
        if !b.class.counts_as_error() {
            continue;
        }
        // A report about our relay, our sender or our reputation is the venue's problem, not
        // the guest's: kept, counted on nobody (one classifier: src/failure.rs).
        if b.class != BounceClass::Complaint
            && crate::failure::of_report(b.reply_code, b.status, b.diagnostic).fault == crate::failure::Fault::Venue
        {
            continue;
        }
        // The message's own recipient is the address we mailed, even when the report names
        // a forwarding target; an unmatched report counts only on an address we know.
        let address = match &found {
            Some((_, to)) => to.clone(),
            None if !b.recipient.is_empty() && address_known(tx, b.recipient)? => b.recipient.to_owned(),
            None => continue,
        };
        if let Some(id) = message_id {
            tx.prepare_cached(
                "UPDATE messages SET state = 'bounced', last_error = ?2 WHERE id = ?1 AND state <> 'suppressed'",
            )?
            .execute(params![id, b.diagnostic])?;
        }
        let was_blocked = addresses::is_blocked(tx, &address)?;
        let error = AddressError {
            class: Some(b.class),
            status: b.status,
            reply_code: b.reply_code,
            diagnostic: b.diagnostic,
            message_id,
            actor: "bounce",
        };
        let after = addresses::record_error(tx, &address, &error, block_after, now)?;
        outcome.errors_counted += 1;
        outcome.newly_blocked += usize::from(after.blocked && !was_blocked);
    }
    Ok(outcome)
}

impl Store {
    /// Records one received report in one transaction: its recipients in `bounces` (matched
    /// to their message or kept unmatched), the message marked `bounced` and one error counted
    /// per error recipient. With a `key`, the report is taken in at most once, ever.
    pub fn record_bounce(
        &mut self,
        key: Option<&str>,
        source: &str,
        links: &BounceLinks<'_>,
        recipients: &[NewBounce<'_>],
        block_after: u32,
    ) -> Result<BounceOutcome> {
        self.write(|tx| record(tx, key, source, links, recipients, block_after, now_ms()))
    }

    /// Whether a Maildir message with this key was already taken in.
    pub fn is_processed(&self, key: &str) -> Result<bool> {
        Ok(self.conn.prepare_cached("SELECT 1 FROM processed_mail WHERE key = ?1")?.exists([key])?)
    }

    /// Reports that matched no message, newest first: kept for staff to look at.
    pub fn unmatched_bounces(&self) -> Result<Vec<BounceRecord>> {
        let sql =
            format!("SELECT {BOUNCE_COLUMNS} FROM bounces WHERE message_id IS NULL ORDER BY received_at DESC, id DESC");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], bounce_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The reports received about one message, oldest first.
    pub fn bounces_for_message(&self, message_id: i64) -> Result<Vec<BounceRecord>> {
        let sql = format!("SELECT {BOUNCE_COLUMNS} FROM bounces WHERE message_id = ?1 ORDER BY id");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([message_id], bounce_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EmailKind, MessageState};
    use crate::store::NewMessage;

    fn store_with_message(dir: &tempfile::TempDir, state: &str, age_ms: i64) -> (Store, i64) {
        let mut store = Store::open(&dir.path().join("gm.db")).expect("store");
        let id = store
            .write(|tx| {
                tx.execute("INSERT INTO guests (name, email, created_at) VALUES ('Ada', 'ada@example.org', 0)", [])?;
                let guest = tx.last_insert_rowid();
                let m = NewMessage {
                    reservation_id: None,
                    guest_id: guest,
                    kind: EmailKind::Manual,
                    recipient: "ada@example.org",
                    subject: "Hello",
                    resend_of: None,
                    actor: "test",
                };
                let (id, _) = super::super::messages::queue(tx, &m, "bistro.example", now_ms() - age_ms)?;
                tx.execute("UPDATE messages SET state = ?2 WHERE id = ?1", params![id, state])?;
                Ok(id)
            })
            .expect("message");
        (store, id)
    }

    fn hard(recipient: &str) -> NewBounce<'_> {
        NewBounce {
            recipient,
            class: BounceClass::Hard,
            status: Some("5.1.1"),
            reply_code: Some("550"),
            action: Some("failed"),
            diagnostic: "550 5.1.1 user unknown",
        }
    }

    #[test]
    fn falls_back_to_the_latest_sent_message_to_the_recipient() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut store, id) = store_with_message(&dir, "sent", 3_600_000);
        let out =
            store.record_bounce(None, "test", &BounceLinks::default(), &[hard("ADA@example.org")], 12).expect("record");
        assert_eq!((out.matched, out.errors_counted), (1, 1));
        assert_eq!(store.message(id).expect("message").state, MessageState::Bounced);
        assert_eq!(store.address("ada@example.org").expect("address").map(|a| a.error_count), Some(1));
    }

    #[test]
    fn never_ties_a_bounce_to_a_message_not_sent_or_too_old() {
        for (state, age) in [("queued", 0), ("sent", RECIPIENT_MATCH_WINDOW_MS + 1000)] {
            let dir = tempfile::tempdir().expect("dir");
            let (mut store, id) = store_with_message(&dir, state, age);
            let out = store
                .record_bounce(None, "test", &BounceLinks::default(), &[hard("ada@example.org")], 12)
                .expect("record");
            assert_eq!(out.matched, 0, "{state}");
            assert_ne!(store.message(id).expect("message").state, MessageState::Bounced);
            // The address is known (we queued to it), so the error still counts on it.
            assert_eq!(out.errors_counted, 1);
            assert_eq!(store.unmatched_bounces().expect("unmatched").len(), 1);
        }
    }

    #[test]
    fn a_key_is_processed_once() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut store, _) = store_with_message(&dir, "sent", 0);
        let first = store
            .record_bounce(Some("k1"), "test", &BounceLinks::default(), &[hard("ada@example.org")], 12)
            .expect("first");
        let second = store
            .record_bounce(Some("k1"), "test", &BounceLinks::default(), &[hard("ada@example.org")], 12)
            .expect("second");
        assert!(!first.already_processed && second.already_processed);
        assert!(store.is_processed("k1").expect("processed"));
        assert_eq!(store.address("ada@example.org").expect("address").map(|a| a.error_count), Some(1));
    }
}
