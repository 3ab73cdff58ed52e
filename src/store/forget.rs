//! Erasing a guest's personal data on request, keeping only anonymous counts.
//!
//! Given one email address, the guests who have it (or were mailed at it) lose their name
//! (`(forgotten)`), address (a placeholder that is not an address, so nothing can be sent to
//! it) and phone; their reservations lose their notes; their emails lose recipient and
//! subject, and any reply or error text has the name, addresses and phone cut out; their
//! opens lose client IP and User-Agent; bounce reports and the event log are scrubbed the
//! same way; the address rows with their counters go. What stays: how many reservations and
//! emails there were, their kinds, states, times and open counts.
//!
//! It runs with `secure_delete` on and checkpoints the WAL afterwards (truncating it), so the
//! old text is overwritten in the database file itself, not only hidden from queries. While
//! another connection reads (another screen open), the checkpoint cannot finish: the erasure
//! leaves a row in `pending_scrubs` (in its own transaction, so even a crash keeps it), the
//! caller says so, and the next [`Store::open`] finishes the checkpoint and removes the row.
//! The guest's emails in the local Maildir outbox are the caller's to delete (by the tokens
//! in the report: see `mail::transport::maildir::remove_guest_emails`).

use crate::store::engine::{Engine, Tx, params};

use super::events::{self, NewEvent};
use super::{Result, Store, StoreError, now_ms};
use crate::domain::EventKind;

/// What the name becomes.
pub const FORGOTTEN_NAME: &str = "(forgotten)";

/// How many rows of each table were anonymised.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForgetReport {
    pub guests: usize,
    pub reservations: usize,
    pub messages: usize,
    pub opens: usize,
    pub events: usize,
    pub bounces: usize,
    pub addresses: usize,
    /// Emails still waiting to be sent, now suppressed.
    pub unsent_suppressed: usize,
    /// The tracking tokens of the guest's emails (random, nothing personal): they name the
    /// emails' files in the Maildir outbox.
    pub tokens: Vec<String>,
    /// Whether the WAL was checkpointed and truncated now; false: another connection was
    /// reading, and the next start finishes it.
    pub wal_cleared: bool,
}

/// The table of erasures whose WAL checkpoint is still to finish. Created when first needed,
/// so it needs no migration of its own.
const PENDING_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS pending_scrubs (id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL)";

/// PostgreSQL keeps the old versions of changed rows until a vacuum reclaims them.
const VACUUM_AFTER_FORGET: &str = "VACUUM guests, reservations, messages, opens, events, bounces, addresses, replies";

/// Replaces every occurrence of each needle (any ASCII case) in `text` with `(forgotten)`.
pub fn scrub(text: &str, needles: &[String]) -> String {
    let mut out = text.to_owned();
    for n in needles.iter().filter(|n| n.trim().len() >= 3) {
        let lower = out.to_ascii_lowercase();
        let needle = n.to_ascii_lowercase();
        let mut result = String::with_capacity(out.len());
        let mut last = 0;
        for (at, _) in lower.match_indices(&needle) {
            result.push_str(&out[last..at]);
            result.push_str(FORGOTTEN_NAME);
            last = at + needle.len();
        }
        result.push_str(&out[last..]);
        out = result;
    }
    out
}

/// Reads `(id, text)` rows, scrubs the text and writes back the ones that changed.
fn scrub_column(tx: &Tx<'_>, select: &str, update: &str, needles: &[String]) -> Result<usize> {
    let rows: Vec<(i64, String)> = tx
        .prepare(select)?
        .query_map((), |r| Ok((r.get(0)?, r.get::<_, Option<String>>(1)?.unwrap_or_default())))?
        .collect::<Result<_, _>>()?;
    let mut stmt = tx.prepare(update)?;
    let mut changed = 0;
    for (id, text) in rows {
        let clean = scrub(&text, needles);
        if clean != text {
            stmt.execute(params![id, clean])?;
            changed += 1;
        }
    }
    Ok(changed)
}

fn forget(tx: &Tx<'_>, email: &str, actor: &str, now: i64) -> Result<ForgetReport> {
    // The guests: those with this address now, and those once mailed at it.
    tx.execute_batch(match tx.engine() {
        Engine::Sqlite => {
            "CREATE TEMP TABLE IF NOT EXISTS forget_guests (id INTEGER PRIMARY KEY);
             CREATE TEMP TABLE IF NOT EXISTS forget_messages (id INTEGER PRIMARY KEY);
             CREATE TEMP TABLE IF NOT EXISTS forget_addresses (email TEXT PRIMARY KEY COLLATE NOCASE);"
        }
        Engine::Postgres => {
            "CREATE TEMP TABLE IF NOT EXISTS forget_guests (id BIGINT PRIMARY KEY);
             CREATE TEMP TABLE IF NOT EXISTS forget_messages (id BIGINT PRIMARY KEY);
             CREATE TEMP TABLE IF NOT EXISTS forget_addresses (email CITEXT PRIMARY KEY);"
        }
    })?;
    tx.execute_batch("DELETE FROM forget_guests; DELETE FROM forget_messages; DELETE FROM forget_addresses;")?;
    tx.execute(
        "INSERT OR IGNORE INTO forget_guests SELECT id FROM guests WHERE email = ?1
         UNION SELECT guest_id FROM messages WHERE recipient = ?1",
        [email],
    )?;
    tx.execute(
        "INSERT INTO forget_messages SELECT id FROM messages WHERE guest_id IN (SELECT id FROM forget_guests)",
        (),
    )?;
    tx.execute(
        "INSERT OR IGNORE INTO forget_addresses SELECT ?1
         UNION SELECT email FROM guests WHERE id IN (SELECT id FROM forget_guests)
         UNION SELECT recipient FROM messages WHERE id IN (SELECT id FROM forget_messages)",
        [email],
    )?;
    // Everything that identifies them, to cut out of free text.
    let mut needles: Vec<String> = vec![email.to_owned()];
    for sql in [
        "SELECT name FROM guests WHERE id IN (SELECT id FROM forget_guests)",
        "SELECT phone FROM guests WHERE id IN (SELECT id FROM forget_guests)",
        "SELECT email FROM forget_addresses",
    ] {
        for v in tx.prepare(sql)?.query_map((), |r| r.get::<_, String>(0))? {
            needles.push(v?);
        }
    }
    needles.retain(|n| !n.trim().is_empty() && n != FORGOTTEN_NAME);
    needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
    needles.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let guests = tx.query_row("SELECT COUNT(*) FROM forget_guests", (), |r| r.get::<_, i64>(0))? as usize;
    if guests == 0 {
        return Err(StoreError::NotFound(format!("no guest with the address {email}")));
    }
    let tokens = tx
        .prepare("SELECT token FROM messages WHERE id IN (SELECT id FROM forget_messages)")?
        .query_map((), |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut report = ForgetReport { guests, tokens, ..ForgetReport::default() };
    // Text columns first, while the needles can still be found.
    report.events += scrub_column(
        tx,
        "SELECT id, detail FROM events WHERE message_id IN (SELECT id FROM forget_messages)
            OR reservation_id IN (SELECT id FROM reservations WHERE guest_id IN (SELECT id FROM forget_guests))
            OR address IN (SELECT email FROM forget_addresses)",
        "UPDATE events SET detail = ?2 WHERE id = ?1",
        &needles,
    )?;
    for column in ["server_reply", "last_error"] {
        scrub_column(
            tx,
            &format!("SELECT id, {column} FROM messages WHERE id IN (SELECT id FROM forget_messages)"),
            &format!("UPDATE messages SET {column} = ?2 WHERE id = ?1"),
            &needles,
        )?;
    }
    report.bounces += scrub_column(
        tx,
        "SELECT id, diagnostic FROM bounces WHERE message_id IN (SELECT id FROM forget_messages) OR recipient IN (SELECT email FROM forget_addresses)",
        "UPDATE bounces SET diagnostic = ?2 WHERE id = ?1",
        &needles,
    )?;
    // Address columns.
    report.events +=
        tx.execute("UPDATE events SET address = NULL WHERE address IN (SELECT email FROM forget_addresses)", ())?;
    report.bounces +=
        tx.execute("UPDATE bounces SET recipient = NULL WHERE recipient IN (SELECT email FROM forget_addresses)", ())?;
    // A guest's replies are their own words: gone whole (issue 13).
    tx.execute("DELETE FROM replies WHERE message_id IN (SELECT id FROM forget_messages) OR sender IN (SELECT email FROM forget_addresses)", ())?;
    report.addresses = tx.execute("DELETE FROM addresses WHERE email IN (SELECT email FROM forget_addresses)", ())?;
    report.unsent_suppressed = tx.execute(
        "UPDATE messages SET state = 'suppressed', next_attempt_at = NULL
         WHERE id IN (SELECT id FROM forget_messages) AND state IN ('queued', 'deferred')",
        (),
    )?;
    report.messages = tx.execute(
        "UPDATE messages SET recipient = 'forgotten-' || guest_id, subject = '' WHERE id IN (SELECT id FROM forget_messages)",
        (),
    )?;
    report.opens = tx.execute(
        "UPDATE opens SET ip = NULL, user_agent = NULL WHERE message_id IN (SELECT id FROM forget_messages)
           AND (ip IS NOT NULL OR user_agent IS NOT NULL)",
        (),
    )?;
    report.reservations =
        tx.execute("UPDATE reservations SET notes = '' WHERE guest_id IN (SELECT id FROM forget_guests)", ())?;
    tx.execute(
        "UPDATE guests SET name = ?1, email = 'forgotten-' || id, phone = '', forgotten = 1
         WHERE id IN (SELECT id FROM forget_guests)",
        [FORGOTTEN_NAME],
    )?;
    let detail = format!("{} guest(s), {} email(s)", report.guests, report.messages);
    events::append(tx, EventKind::Forgotten, now, &NewEvent { detail: &detail, actor, ..NewEvent::default() })?;
    tx.execute_batch("DELETE FROM forget_guests; DELETE FROM forget_messages; DELETE FROM forget_addresses;")?;
    // Until the checkpoint below finishes, the old text may live on in the file and its WAL.
    if tx.engine() == Engine::Sqlite {
        tx.execute_batch(PENDING_TABLE)?;
        tx.execute("INSERT INTO pending_scrubs (created_at) VALUES (?1)", [now])?;
    }
    Ok(report)
}

impl Store {
    /// Erases the personal data of the guest(s) with this address; see the module comment.
    pub fn forget_guest(&mut self, email: &str, actor: &str) -> Result<ForgetReport> {
        let email = email.trim().to_owned();
        let Some(sqlite) = self.conn.as_sqlite() else {
            let mut report = self.write(|tx| forget(tx, &email, actor, now_ms()))?;
            // The old row versions are dead tuples until a vacuum makes their space reusable.
            self.conn.execute_batch(VACUUM_AFTER_FORGET)?;
            report.wal_cleared = true;
            return Ok(report);
        };
        sqlite.pragma_update(None, "secure_delete", true)?;
        let out = self.write(|tx| forget(tx, &email, actor, now_ms()));
        if let Some(sqlite) = self.conn.as_sqlite() {
            sqlite.pragma_update(None, "secure_delete", false)?;
        }
        let mut report = out?;
        // Old pages live on in the WAL until a checkpoint copies the new ones over them.
        report.wal_cleared = self.finish_pending_scrubs()?;
        Ok(report)
    }

    /// Finishes the erasures still pending: checkpoints the WAL into the database file and
    /// truncates it, then removes their row. Returns true when nothing is pending any more;
    /// false when another connection's read still holds old pages (try again later). Runs
    /// at every [`Store::open`] (one look-up when nothing is pending).
    pub fn finish_pending_scrubs(&mut self) -> Result<bool> {
        let Some(sqlite) = self.conn.as_sqlite() else {
            return Ok(true);
        };
        let exists: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pending_scrubs')",
            (),
            |r| r.get(0),
        )?;
        if !exists {
            return Ok(true);
        }
        let pending: i64 = self.conn.query_row("SELECT COUNT(*) FROM pending_scrubs", (), |r| r.get(0))?;
        if pending == 0 {
            return Ok(true);
        }
        // A reader blocks the truncate: wait for it a moment, not the writers' 5 s.
        sqlite.busy_timeout(std::time::Duration::from_secs(1))?;
        let done = self.truncate_wal();
        if let Some(sqlite) = self.conn.as_sqlite() {
            sqlite.busy_timeout(super::BUSY_TIMEOUT)?;
        }
        if !done? {
            return Ok(false);
        }
        self.write(|tx| Ok(tx.execute("DELETE FROM pending_scrubs", ())?))?;
        // The delete above left a frame (no personal data in it): tidy it away if we can.
        let _ = self.truncate_wal();
        Ok(true)
    }

    /// `PRAGMA wal_checkpoint(TRUNCATE)`: true when every frame was copied and the WAL is empty.
    fn truncate_wal(&self) -> Result<bool> {
        let busy = self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", (), |r| r.get::<_, i64>(0));
        match busy {
            Ok(busy) => Ok(busy == 0),
            Err(e) => {
                let e = StoreError::Db(e);
                if super::is_busy(&e) { Ok(false) } else { Err(e) }
            }
        }
    }
}
