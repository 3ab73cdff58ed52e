//! The messages table: one row per email, written before anything touches the network.

use crate::store::engine::{OptionalExtension as _, Tx, params};

use super::events::{self, NewEvent};
use super::rows::parsed;
use super::{Result, Store, StoreError, addresses, now_ms};
use crate::domain::{EmailKind, EventKind, MessageState};

/// An email to put in the outbox.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub reservation_id: Option<i64>,
    pub guest_id: i64,
    pub kind: EmailKind,
    pub recipient: &'a str,
    pub subject: &'a str,
    /// The message this one repeats (a resend), shown as linked in the history.
    pub resend_of: Option<i64>,
    pub actor: &'a str,
}

/// A whole messages row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    pub id: i64,
    pub reservation_id: Option<i64>,
    pub guest_id: i64,
    pub kind: EmailKind,
    pub recipient: String,
    pub subject: String,
    pub message_id: String,
    pub token: String,
    pub state: MessageState,
    pub attempts: u32,
    pub next_attempt_at: Option<i64>,
    pub created_at: i64,
    pub last_attempt_at: Option<i64>,
    pub sent_at: Option<i64>,
    pub server_reply: Option<String>,
    pub last_error: Option<String>,
    pub resend_of: Option<i64>,
    pub open_count: u32,
    /// Opens by a person (proxy opens included).
    pub human_open_count: u32,
    /// Of those, opens through a provider's image proxy, and the provider of the last one.
    pub proxy_open_count: u32,
    pub open_via: Option<String>,
    /// Opens counted past the cap of raw hits kept (`open_hits_kept`).
    pub open_hits_not_kept: u32,
    pub first_opened_at: Option<i64>,
    pub last_opened_at: Option<i64>,
    /// When it fell (or falls) due: a reminder or a thank-you is queued ahead of time.
    pub due_at: Option<i64>,
    /// Why it was withdrawn, when it was.
    pub withdrawn_reason: Option<crate::journey::Withdrawal>,
}

pub(crate) const MESSAGE_COLUMNS: &str = "id, reservation_id, guest_id, kind, recipient, subject, message_id, token,
     state, attempts, next_attempt_at, created_at, last_attempt_at, sent_at, server_reply, last_error,
     resend_of, open_count, human_open_count, first_opened_at, last_opened_at, due_at, withdrawn_reason,
     proxy_open_count, open_via, open_hits_not_kept";

pub(crate) fn message_from_row(row: &crate::store::engine::Row<'_>) -> crate::store::engine::Result<MessageRecord> {
    Ok(MessageRecord {
        id: row.get(0)?,
        reservation_id: row.get(1)?,
        guest_id: row.get(2)?,
        kind: parsed(row, 3)?,
        recipient: row.get(4)?,
        subject: row.get(5)?,
        message_id: row.get(6)?,
        token: row.get(7)?,
        state: parsed(row, 8)?,
        attempts: row.get(9)?,
        next_attempt_at: row.get(10)?,
        created_at: row.get(11)?,
        last_attempt_at: row.get(12)?,
        sent_at: row.get(13)?,
        server_reply: row.get(14)?,
        last_error: row.get(15)?,
        resend_of: row.get(16)?,
        open_count: row.get(17)?,
        human_open_count: row.get(18)?,
        proxy_open_count: row.get(23)?,
        open_via: row.get(24)?,
        open_hits_not_kept: row.get(25)?,
        first_opened_at: row.get(19)?,
        last_opened_at: row.get(20)?,
        due_at: row.get(21)?,
        withdrawn_reason: row.get::<_, Option<String>>(22)?.as_deref().and_then(crate::journey::Withdrawal::parse),
    })
}

/// 128 random bits as 32 lower-case hex characters: URL-safe, unguessable, never sequential.
pub fn new_token() -> String {
    let mut bytes = [0u8; 16];
    // The OS random source failing is not something guestmail can recover from.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    let mut out = String::with_capacity(32);
    for b in bytes {
        out.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        out.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
    }
    out
}

/// Puts one email in the outbox. A blocked address gets the row all the same, as
/// `suppressed`, so nothing is lost and it can be sent after a reset.
pub(crate) fn queue(tx: &Tx<'_>, m: &NewMessage<'_>, domain: &str, now: i64) -> Result<(i64, MessageState)> {
    queue_due(tx, m, now, domain, now)
}

/// [`queue`], for an email that falls due at `due` (UTC ms): the worker leaves it until then.
pub(crate) fn queue_due(
    tx: &Tx<'_>,
    m: &NewMessage<'_>,
    due: i64,
    domain: &str,
    now: i64,
) -> Result<(i64, MessageState)> {
    addresses::ensure(tx, m.recipient, now)?;
    let blocked = addresses::is_blocked(tx, m.recipient)?;
    let state = if blocked { MessageState::Suppressed } else { MessageState::Queued };
    let token = new_token();
    let message_id = format!("<{}@{domain}>", new_token());
    tx.prepare_cached(
        "INSERT INTO messages (reservation_id, guest_id, kind, recipient, subject, message_id, token, state,
                               next_attempt_at, due_at, created_at, resend_of)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?11, ?10)",
    )?
    .execute(params![
        m.reservation_id,
        m.guest_id,
        m.kind.as_str(),
        m.recipient,
        m.subject,
        message_id,
        token,
        state.as_str(),
        due,
        m.resend_of,
        now
    ])?;
    let id = tx.last_insert_rowid()?;
    let event =
        NewEvent { message_id: Some(id), reservation_id: m.reservation_id, actor: m.actor, ..NewEvent::default() };
    if let Some(original) = m.resend_of {
        let detail = format!("resend of message {original}");
        events::append(tx, EventKind::Resend, now, &NewEvent { detail: &detail, ..event.clone() })?;
    }
    events::append(tx, EventKind::Queued, now, &event)?;
    if blocked {
        events::append(
            tx,
            EventKind::Suppressed,
            now,
            &NewEvent { detail: "address blocked", address: Some(m.recipient), ..event },
        )?;
    }
    Ok((id, state))
}

impl Store {
    /// Puts one email in the outbox (see [`queue`]); returns its id and state.
    pub fn queue_message(&mut self, m: &NewMessage<'_>) -> Result<(i64, MessageState)> {
        let domain = self.message_domain.clone();
        self.write(|tx| queue(tx, m, &domain, now_ms()))
    }

    pub fn message(&self, id: i64) -> Result<MessageRecord> {
        self.conn
            .prepare_cached(&format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?1"))?
            .query_row([id], message_from_row)
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("message {id}")))
    }

    /// Every message of one reservation, oldest first.
    pub fn messages_for_reservation(&self, reservation_id: i64) -> Result<Vec<MessageRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE reservation_id = ?1 ORDER BY id"))?;
        let rows = stmt.query_map([reservation_id], message_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The latest message of one kind for one reservation: the one its marker shows.
    pub fn latest_message(&self, reservation_id: i64, kind: EmailKind) -> Result<Option<MessageRecord>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages WHERE reservation_id = ?1 AND kind = ?2 ORDER BY id DESC LIMIT 1"
            ))?
            .query_row(params![reservation_id, kind.as_str()], message_from_row)
            .optional()?)
    }

    /// How many messages are in each state, for summaries and tests.
    pub fn count_by_state(&self) -> Result<Vec<(MessageState, i64)>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT state, COUNT(*) FROM messages GROUP BY state ORDER BY state")?;
        let rows = stmt.query_map((), |r| Ok((parsed(r, 0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The message a tracking token belongs to, if any.
    pub fn message_id_for_token(&self, token: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM messages WHERE token = ?1")?
            .query_row([token], |r| r.get(0))
            .optional()?)
    }
}
