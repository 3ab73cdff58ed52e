//! Bulk writes for demo data: rows with any state and any time, in one transaction, with
//! prepared statements reused across a million rows. Only `demo` uses this; the app's own
//! writes go through the state-checked functions of the other store files.

use crate::store::engine::{Tx, params};

use super::rows::starts_at_text;
use super::{Result, Store, messages::new_token};
use crate::domain::{EmailKind, EventKind, Language, MessageState, ReservationStatus};
use crate::journey::Withdrawal;

/// One demo message with its whole history decided by the generator.
#[derive(Debug, Clone)]
pub struct DemoMessage<'a> {
    pub reservation_id: i64,
    pub guest_id: i64,
    pub kind: EmailKind,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub state: MessageState,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub server_reply: Option<&'a str>,
    pub last_error: Option<&'a str>,
    pub next_attempt_at: Option<i64>,
    /// Each open: (time, by a machine).
    pub opens: &'a [(i64, bool)],
}

/// The reply code, enhanced status and class of an SMTP error text such as
/// `550 5.1.1 <guest>: User unknown`, so an address record never shows one code beside
/// another's words.
fn error_parts(text: &str) -> (Option<&str>, Option<&str>, Option<&str>) {
    let mut words = text.split_whitespace();
    let code = words.next().filter(|w| w.len() == 3 && w.bytes().all(|b| b.is_ascii_digit()));
    let status = words.next().filter(|w| {
        code.is_some()
            && w.split('.').count() == 3
            && w.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    });
    let class = code.and_then(|c| match c.as_bytes().first() {
        Some(b'5') => Some("hard"),
        Some(b'4') => Some("soft"),
        _ => None,
    });
    (code, status, class)
}

/// Writes demo rows inside one transaction.
pub struct DemoWriter<'t> {
    tx: &'t Tx<'t>,
    /// The venue the demo's guests and reservations belong to (the store's).
    venue: i64,
}

impl Store {
    /// Runs a bulk demo write in one transaction: all of it commits or none. A bulk load
    /// keeps its pages in a large cache and skips the fsyncs (a demo interrupted half-way is
    /// simply run again); the durable settings are back before this returns.
    pub fn demo_bulk<T>(&mut self, f: impl FnOnce(&DemoWriter<'_>) -> Result<T>) -> Result<T> {
        self.bulk_settings(true)?;
        let venue = self.venue;
        let out = self.write_once(|tx| f(&DemoWriter { tx, venue }));
        self.bulk_settings(false)?;
        out
    }

    fn bulk_settings(&self, bulk: bool) -> Result<()> {
        match self.conn.as_sqlite() {
            Some(c) => {
                c.pragma_update(None, "synchronous", if bulk { "OFF" } else { "FULL" })?;
                c.pragma_update(None, "cache_size", if bulk { -262_144 } else { -2000 })?;
            }
            // The same trade for one session: commits do not wait for the WAL flush.
            None => self.conn.execute_batch(if bulk {
                "SET synchronous_commit = off"
            } else {
                "SET synchronous_commit = on"
            })?,
        }
        Ok(())
    }
}

impl DemoWriter<'_> {
    pub fn guest(&self, name: &str, email: &str, phone: &str, language: Language, at: i64) -> Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO guests (name, email, phone, language, created_at, venue_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![name, email, phone, language.as_str(), at, self.venue])?;
        // Taken before the address insert, which moves last_insert_rowid when it adds a row.
        let id = self.tx.last_insert_rowid()?;
        self.tx
            .prepare_cached("INSERT INTO addresses (email, updated_at) VALUES (?1, ?2) ON CONFLICT (email) DO NOTHING")?
            .execute(params![email, at])?;
        Ok(id)
    }

    /// Sets an address's counter as if `count` errors had come back, the last with `error`
    /// (its reply code, status and class read from those same words).
    pub fn address_errors(&self, email: &str, count: u32, blocked: bool, error: &str, at: i64) -> Result<()> {
        let (code, status, class) = error_parts(error);
        self.tx
            .prepare_cached(
                "UPDATE addresses SET error_count = ?2, blocked = ?3, last_error = ?4, last_error_status = ?5,
                        last_error_code = ?6, last_error_class = ?7, last_error_at = ?8, updated_at = ?8
                 WHERE email = ?1",
            )?
            .execute(params![email, count, blocked, error, status, code, class, at])?;
        Ok(())
    }

    pub fn reservation(
        &self,
        guest_id: i64,
        starts_at: chrono::NaiveDateTime,
        party_size: u32,
        status: ReservationStatus,
        notes: &str,
        at: i64,
    ) -> Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO reservations (guest_id, starts_at, party_size, status, notes, created_at, updated_at, venue_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
            )?
            .execute(params![guest_id, starts_at_text(starts_at), party_size, status.as_str(), notes, at, self.venue])?;
        Ok(self.tx.last_insert_rowid()?)
    }

    pub fn message(&self, m: &DemoMessage<'_>, domain: &str) -> Result<i64> {
        self.message_withdrawn(m, domain, None)
    }

    /// A message in the `withdrawn` state, with why and when (UTC ms) as its last event.
    pub fn withdrawn_message(&self, m: &DemoMessage<'_>, domain: &str, why: Withdrawal, at: i64) -> Result<i64> {
        self.message_withdrawn(m, domain, Some((why, at)))
    }

    fn message_withdrawn(
        &self,
        m: &DemoMessage<'_>,
        domain: &str,
        withdrawn: Option<(Withdrawal, i64)>,
    ) -> Result<i64> {
        let human = m.opens.iter().filter(|(_, machine)| !machine).count() as i64;
        let first = m.opens.iter().map(|(t, _)| *t).min();
        let last = m.opens.iter().map(|(t, _)| *t).max();
        self.tx
            .prepare_cached(
                "INSERT INTO messages (reservation_id, guest_id, kind, recipient, subject, message_id, token, state,
                     attempts, next_attempt_at, created_at, last_attempt_at, sent_at, server_reply, last_error,
                     open_count, human_open_count, first_opened_at, last_opened_at, due_at, withdrawn_reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                         COALESCE(CAST(?10 AS BIGINT), ?11), ?19)",
            )?
            .execute(params![
                m.reservation_id,
                m.guest_id,
                m.kind.as_str(),
                m.recipient,
                m.subject,
                format!("<{}@{domain}>", new_token()),
                new_token(),
                m.state.as_str(),
                i64::from(m.sent_at.is_some() || m.last_error.is_some()),
                m.next_attempt_at,
                m.created_at,
                m.sent_at,
                m.server_reply,
                m.last_error,
                m.opens.len() as i64,
                human,
                first,
                last,
                withdrawn.map(|(why, _)| why.as_str())
            ])?;
        let id = self.tx.last_insert_rowid()?;
        self.event(id, EventKind::Queued, m.created_at, "")?;
        match m.state {
            MessageState::Sent | MessageState::Bounced => {
                let at = m.sent_at.unwrap_or(m.created_at);
                self.event(id, EventKind::Sent, at, m.server_reply.unwrap_or(""))?;
            }
            _ => {}
        }
        if let Some(kind) = match m.state {
            MessageState::Bounced => Some(EventKind::Bounced),
            MessageState::Failed => Some(EventKind::Failed),
            MessageState::Deferred => Some(EventKind::Deferred),
            MessageState::Suppressed => Some(EventKind::Suppressed),
            MessageState::Uncertain => Some(EventKind::Uncertain),
            MessageState::Withdrawn => Some(EventKind::Withdrawn),
            _ => None,
        } {
            let (detail, at) = withdrawn.map_or_else(
                || (m.last_error.unwrap_or("").to_owned(), m.created_at + 60_000),
                |(why, at)| (format!("withdrawn: {why}"), at),
            );
            self.event(id, kind, at, &detail)?;
        }
        for (at, machine) in m.opens {
            self.tx
                .prepare_cached(
                    "INSERT INTO opens (message_id, at, ip, user_agent, seconds_after_send, machine, reason)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    id,
                    at,
                    if *machine { "17.58.63.1" } else { "192.0.2.44" },
                    if *machine { "Mozilla/5.0" } else { "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)" },
                    m.sent_at.map(|s| (at - s) / 1000),
                    machine,
                    if *machine { "demo: mail-privacy proxy" } else { "" }
                ])?;
        }
        Ok(id)
    }

    fn event(&self, message_id: i64, kind: EventKind, at: i64, detail: &str) -> Result<()> {
        self.tx
            .prepare_cached("INSERT INTO events (message_id, kind, at, detail, actor) VALUES (?1, ?2, ?3, ?4, 'demo')")?
            .execute(params![message_id, kind.as_str(), at, detail])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::error_parts;

    #[test]
    fn an_error_text_gives_its_own_code_status_and_class() {
        assert_eq!(error_parts("452 4.2.2 Mailbox full"), (Some("452"), Some("4.2.2"), Some("soft")));
        assert_eq!(error_parts("550 5.1.1 <guest>: User unknown"), (Some("550"), Some("5.1.1"), Some("hard")));
        assert_eq!(error_parts("550 user unknown"), (Some("550"), None, Some("hard")));
        assert_eq!(error_parts("address blocked"), (None, None, None));
    }
}
