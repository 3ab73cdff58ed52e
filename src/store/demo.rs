//! Bulk writes for demo data: rows with any state and any time, in one transaction, with
//! prepared statements reused across a million rows. Only `demo` uses this; the app's own
//! writes go through the state-checked functions of the other store files.

use rusqlite::{Transaction, params};

use super::rows::starts_at_text;
use super::{Result, Store, messages::new_token};
use crate::domain::{EmailKind, EventKind, Language, MessageState, ReservationStatus};

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

/// Writes demo rows inside one transaction.
pub struct DemoWriter<'t> {
    tx: &'t Transaction<'t>,
}

impl Store {
    /// Runs a bulk demo write in one transaction: all of it commits or none. A bulk load
    /// keeps its pages in a large cache and skips the fsyncs (a demo interrupted half-way is
    /// simply run again); the durable settings are back before this returns.
    pub fn demo_bulk<T>(&mut self, f: impl FnOnce(&DemoWriter<'_>) -> Result<T>) -> Result<T> {
        self.conn.pragma_update(None, "synchronous", "OFF")?;
        self.conn.pragma_update(None, "cache_size", -262_144)?;
        let out = self.write(|tx| f(&DemoWriter { tx }));
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        self.conn.pragma_update(None, "cache_size", -2000)?;
        out
    }
}

impl DemoWriter<'_> {
    pub fn guest(&self, name: &str, email: &str, phone: &str, language: Language, at: i64) -> Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO guests (name, email, phone, language, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![name, email, phone, language.as_str(), at])?;
        // Taken before the address insert, which moves last_insert_rowid when it adds a row.
        let id = self.tx.last_insert_rowid();
        self.tx
            .prepare_cached("INSERT INTO addresses (email, updated_at) VALUES (?1, ?2) ON CONFLICT (email) DO NOTHING")?
            .execute(params![email, at])?;
        Ok(id)
    }

    /// Sets an address's counter as if `count` errors had come back, the last with `error`.
    pub fn address_errors(&self, email: &str, count: u32, blocked: bool, error: &str, at: i64) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE addresses SET error_count = ?2, blocked = ?3, last_error = ?4, last_error_status = '5.1.1',
                        last_error_code = '550', last_error_class = 'hard', last_error_at = ?5, updated_at = ?5
                 WHERE email = ?1",
            )?
            .execute(params![email, count, blocked, error, at])?;
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
                "INSERT INTO reservations (guest_id, starts_at, party_size, status, notes, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            )?
            .execute(params![guest_id, starts_at_text(starts_at), party_size, status.as_str(), notes, at])?;
        Ok(self.tx.last_insert_rowid())
    }

    pub fn message(&self, m: &DemoMessage<'_>, domain: &str) -> Result<i64> {
        let human = m.opens.iter().filter(|(_, machine)| !machine).count() as i64;
        let first = m.opens.iter().map(|(t, _)| *t).min();
        let last = m.opens.iter().map(|(t, _)| *t).max();
        self.tx
            .prepare_cached(
                "INSERT INTO messages (reservation_id, guest_id, kind, recipient, subject, message_id, token, state,
                     attempts, next_attempt_at, created_at, last_attempt_at, sent_at, server_reply, last_error,
                     open_count, human_open_count, first_opened_at, last_opened_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
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
                last
            ])?;
        let id = self.tx.last_insert_rowid();
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
            _ => None,
        } {
            self.event(id, kind, m.created_at + 60_000, m.last_error.unwrap_or(""))?;
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
