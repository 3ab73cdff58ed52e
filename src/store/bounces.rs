//! Bounce reports: tying one to the message it is about, recording it, counting the error on
//! the address, and remembering which Maildir messages were already taken in.

use crate::store::engine::{OptionalExtension as _, Tx, params};

use super::addresses::{self, AddressErrorInput};
use super::{Result, Store, now_ms};
use crate::domain::{BounceClass, MessageState};

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
    /// The email service provider's own id for the email (`messages.provider_id`), as an
    /// ESP event names it.
    pub provider_id: Option<&'a str>,
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

fn bounce_from_row(r: &crate::store::engine::Row<'_>) -> crate::store::engine::Result<BounceRecord> {
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

/// How one recipient of a report was tied to one of our emails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tie {
    /// By what the report itself names: the VERP token, our header, the original Message-ID.
    Named,
    /// By the latest email to the same recipient within [`RECIPIENT_MATCH_WINDOW_MS`]: only
    /// when the report names no token and no Message-ID at all.
    Recipient,
    /// The report names a token or a Message-ID that is none of our emails: someone else's
    /// mail (or one already erased). Kept unmatched, counted nowhere.
    Foreign,
    /// Nothing ties it: no token, no Message-ID, no recent email to that recipient.
    Loose,
}

/// What one error recipient of a report does to the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// Nothing is counted.
    Nothing,
    /// One error on the email's own recipient; `mark_bounced`: the email becomes `bounced`.
    OnEmail { mark_bounced: bool },
    /// One error on the report's recipient, when it is an address we know.
    OnKnownAddress,
}

/// The rule: what a report recipient counts, from how it was tied and the state its email is
/// in. Only the guest's own failures count, and each failure of an email once: an email that
/// already `failed` (refused at RCPT, counted then) counts nothing more, and a report about
/// someone else's mail counts nowhere.
pub fn count_for(tie: Tie, state: Option<MessageState>, is_error: bool) -> Count {
    match (is_error, tie, state) {
        (false, _, _) | (_, Tie::Foreign, _) | (_, _, Some(MessageState::Failed)) => Count::Nothing,
        (true, Tie::Loose, _) => Count::OnKnownAddress,
        (true, _, Some(MessageState::Suppressed)) => Count::OnEmail { mark_bounced: false },
        (true, Tie::Named | Tie::Recipient, _) => Count::OnEmail { mark_bounced: true },
    }
}

/// One of our emails a report is about: id, recipient, state.
pub(crate) type Found = (i64, String, Option<MessageState>);

fn found_row(r: &crate::store::engine::Row<'_>) -> crate::store::engine::Result<Found> {
    Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?.parse().ok()))
}

/// The email a report is about, and how it was tied: a VERP token names the email on its own
/// (an unknown one is [`Tie::Foreign`], never a guess); without one, our header, then the
/// original Message-ID, then the provider's id (any of them unknown: foreign); only a report naming neither falls back to
/// the latest email to the same recipient within the window.
pub(crate) fn find_message(
    tx: &Tx<'_>,
    links: &BounceLinks<'_>,
    recipient: &str,
    now: i64,
) -> Result<(Tie, Option<Found>)> {
    let by_token = "SELECT id, recipient, state FROM messages WHERE token = ?1";
    if let Some(token) = links.verp_token {
        let found = tx.prepare_cached(by_token)?.query_row([token], found_row).optional()?;
        return Ok(if found.is_some() { (Tie::Named, found) } else { (Tie::Foreign, None) });
    }
    if let Some(token) = links.original_token
        && let Some(found) = tx.prepare_cached(by_token)?.query_row([token], found_row).optional()?
    {
        return Ok((Tie::Named, Some(found)));
    }
    if let Some(mid) = links.original_message_id
        && let Some(found) = tx
            .prepare_cached("SELECT id, recipient, state FROM messages WHERE message_id = '<' || ?1 || '>'")?
            .query_row([mid], found_row)
            .optional()?
    {
        return Ok((Tie::Named, Some(found)));
    }
    if let Some(pid) = links.provider_id
        && let Some(found) = tx
            .prepare_cached("SELECT id, recipient, state FROM messages WHERE provider_id = ?1")?
            .query_row([pid], found_row)
            .optional()?
    {
        return Ok((Tie::Named, Some(found)));
    }
    if links.original_token.is_some() || links.original_message_id.is_some() || links.provider_id.is_some() {
        return Ok((Tie::Foreign, None));
    }
    if recipient.is_empty() {
        return Ok((Tie::Loose, None));
    }
    let found = tx
        .prepare_cached(
            "SELECT id, recipient, state FROM messages
             WHERE recipient = ?1 AND created_at >= ?2 AND state NOT IN ('queued', 'suppressed')
             ORDER BY created_at DESC, id DESC LIMIT 1",
        )?
        .query_row(params![recipient, now - RECIPIENT_MATCH_WINDOW_MS], found_row)
        .optional()?;
    Ok(if found.is_some() { (Tie::Recipient, found) } else { (Tie::Loose, None) })
}

fn address_known(tx: &Tx<'_>, email: &str) -> Result<bool> {
    Ok(tx.prepare_cached("SELECT 1 FROM addresses WHERE email = ?1")?.exists([email])?)
}

/// Records one report's recipients in `tx`; see [`Store::record_bounce`].
pub(crate) fn record(
    tx: &Tx<'_>,
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
        let (tie, found) = find_message(tx, links, b.recipient, now)?;
        let message_id = found.as_ref().map(|(id, _, _)| *id);
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
        // A report about our relay, our sender or our reputation is the venue's problem, not
        // the guest's: the email still did not arrive (it is marked bounced), but the report
        // counts on nobody (one classifier: src/failure.rs).
        let venue = b.class.counts_as_error()
            && b.class != BounceClass::Complaint
            && crate::failure::of_report(b.reply_code, b.status, b.diagnostic).fault == crate::failure::Fault::Venue;
        // The email's own recipient is the address we mailed, even when the report names a
        // forwarding target; a loose report counts only on an address we know.
        let address = match (count_for(tie, found.as_ref().and_then(|f| f.2), b.class.counts_as_error()), &found) {
            (Count::OnEmail { mark_bounced }, Some((id, to, _))) => {
                if mark_bounced {
                    tx.prepare_cached("UPDATE messages SET state = 'bounced', last_error = ?2 WHERE id = ?1")?
                        .execute(params![id, b.diagnostic])?;
                }
                to.clone()
            }
            (Count::OnKnownAddress, _) if !b.recipient.is_empty() && address_known(tx, b.recipient)? => {
                b.recipient.to_owned()
            }
            // Nothing to count, or nothing to count it on.
            _ => continue,
        };
        if venue {
            continue;
        }
        let was_blocked = addresses::is_blocked(tx, &address)?;
        let error = AddressErrorInput {
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
        let rows = stmt.query_map((), bounce_from_row)?;
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
        let mut store = Store::open(dir.path().join("gm.db")).expect("store");
        let id = store
            .write(|tx| {
                tx.execute("INSERT INTO guests (name, email, created_at) VALUES ('Ada', 'ada@example.org', 0)", ())?;
                let guest = tx.last_insert_rowid()?;
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
    fn what_a_report_counts() {
        use MessageState::{Bounced, Failed, Sent, Suppressed};
        let on_email = Count::OnEmail { mark_bounced: true };
        #[rustfmt::skip]
        let table = [
            // how it was tied, the email's state, an error?   -> what it counts
            (Tie::Named,     Some(Sent),       true,  on_email),
            (Tie::Named,     Some(Bounced),    true,  on_email),
            (Tie::Recipient, Some(Sent),       true,  on_email),
            (Tie::Named,     Some(Suppressed), true,  Count::OnEmail { mark_bounced: false }),
            // refused at RCPT: counted then, never again, and it stays failed
            (Tie::Named,     Some(Failed),     true,  Count::Nothing),
            (Tie::Recipient, Some(Failed),     true,  Count::Nothing),
            // a token or Message-ID that is none of ours: someone else's mail
            (Tie::Foreign,   None,             true,  Count::Nothing),
            (Tie::Loose,     None,             true,  Count::OnKnownAddress),
            // delays, auto-replies: nothing, whatever the tie
            (Tie::Named,     Some(Sent),       false, Count::Nothing),
            (Tie::Loose,     None,             false, Count::Nothing),
        ];
        for (tie, state, is_error, expected) in table {
            assert_eq!(count_for(tie, state, is_error), expected, "{tie:?} {state:?} {is_error}");
        }
    }

    #[test]
    fn an_unknown_verp_token_is_unmatched_and_counts_nothing() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut store, id) = store_with_message(&dir, "sent", 60_000);
        let foreign = BounceLinks { verp_token: Some("0123456789abcdef0123456789abcdef"), ..BounceLinks::default() };
        let out = store.record_bounce(None, "test", &foreign, &[hard("ada@example.org")], 12).expect("record");
        assert_eq!((out.recorded, out.matched, out.errors_counted), (1, 0, 0));
        assert_eq!(store.message(id).expect("message").state, MessageState::Sent, "never the latest email");
        assert_eq!(store.address("ada@example.org").expect("address").map(|a| a.error_count), Some(0));
        assert_eq!(store.unmatched_bounces().expect("unmatched").len(), 1, "kept");
        // The same with an unknown Message-ID and no token.
        let mid = BounceLinks { original_message_id: Some("someone-else@mx.example"), ..BounceLinks::default() };
        let out = store.record_bounce(None, "test", &mid, &[hard("ada@example.org")], 12).expect("record");
        assert_eq!((out.matched, out.errors_counted), (0, 0));
    }

    #[test]
    fn a_report_about_an_email_refused_at_rcpt_counts_nothing_more() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut store, id) = store_with_message(&dir, "failed", 60_000);
        let token = store.message(id).expect("message").token;
        let links = BounceLinks { verp_token: Some(&token), ..BounceLinks::default() };
        let out = store.record_bounce(None, "test", &links, &[hard("ada@example.org")], 12).expect("record");
        assert_eq!((out.matched, out.errors_counted), (1, 0));
        assert_eq!(store.message(id).expect("message").state, MessageState::Failed);
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
