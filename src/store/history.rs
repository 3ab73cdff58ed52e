//! The per-guest history: who the guest is, how their address is doing, every email ever
//! sent to them across all their reservations (newest first, a page at a time), the notes
//! staff need next to it (counter resets, complaints, address changes, phone confirmations),
//! and one email's own log with its opens and bounce reports merged in time order.

use crate::store::engine::{OptionalExtension as _, params};
use chrono::NaiveDateTime;

use super::rows::parsed;
use super::{Result, Store, StoreError};
use crate::domain::{AddressHealth, EmailKind, EventKind, Guest, MessageState};
use crate::journey::Withdrawal;

/// The email a resend repeats, as the history names it (never by its id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Original {
    pub kind: EmailKind,
    /// When it was sent, or queued when it never left (UTC ms).
    pub at: i64,
}

/// One email as the history shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEmail {
    pub id: i64,
    pub kind: EmailKind,
    pub reservation_id: Option<i64>,
    /// When the reservation it is about starts (venue wall-clock time).
    pub reservation_at: Option<NaiveDateTime>,
    pub recipient: String,
    pub state: MessageState,
    pub attempts: u32,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    /// For a deferred email: when the worker tries again.
    pub next_attempt_at: Option<i64>,
    pub last_error: Option<String>,
    /// The email this one repeats (a resend).
    pub resend_of: Option<i64>,
    /// What staff know that email by: its kind and when it was sent (or queued).
    pub original: Option<Original>,
    pub human_opens: u32,
    pub machine_opens: u32,
    /// Every person's open came through this provider's image proxy ("Gmail").
    pub open_via: Option<String>,
    pub first_opened_at: Option<i64>,
    pub last_opened_at: Option<i64>,
    /// Why a withdrawn email was withdrawn (`messages.withdrawn_reason`).
    pub withdrawn_reason: Option<Withdrawal>,
    /// When the sending provider reported the guest's server accepted it.
    pub delivered_at: Option<i64>,
    /// When the journey wants it sent (a reminder queued at booking for the day before).
    pub due_at: Option<i64>,
    /// The guest's own replies to it (not out-of-office ones); each also counts as a
    /// person's open in `human_opens`.
    pub replies: u32,
}

/// Something that happened to the guest's address or reservations rather than to one email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineNote {
    /// The event's id: orders notes of the same millisecond.
    pub id: i64,
    pub at: i64,
    pub kind: EventKind,
    pub reservation_id: Option<i64>,
    pub detail: String,
    pub actor: String,
}

/// Everything the history pane draws for one guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestHistory {
    pub guest: Guest,
    pub forgotten: bool,
    pub address: AddressHealth,
    pub last_error_at: Option<i64>,
    /// One page of emails, newest first.
    pub emails: Vec<HistoryEmail>,
    /// Counter resets, complaints, address changes and phone confirmations, oldest first.
    pub notes: Vec<TimelineNote>,
}

/// What one line of an email's log is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogEntry {
    /// From the event log: queued, each attempt with the server's reply, failures, resends.
    Event { kind: EventKind, detail: String, actor: String },
    /// One fetch of the tracking pixel. `ip` and `user_agent` are gone after the retention.
    Open { ip: Option<String>, user_agent: Option<String>, machine: bool, reason: String },
    /// A bounce report tied to this email.
    Bounce { class: String, status: Option<String>, reply_code: Option<String>, diagnostic: Option<String> },
    /// The guest's reply to this email (issue 13): its first lines; `auto` for an
    /// out-of-office.
    Reply { excerpt: String, auto: bool },
}

/// One line of an email's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub at: i64,
    pub entry: LogEntry,
}

/// The history's email page: the guest's emails by id, newest first, resumed below `before`.
pub const GUEST_EMAILS_QUERY: &str = "
SELECT m.id, m.kind, m.reservation_id, r.starts_at, m.recipient, m.state, m.attempts, m.created_at, m.sent_at,
       m.next_attempt_at, m.last_error, m.resend_of, m.human_open_count, m.open_count - m.human_open_count,
       m.first_opened_at, m.last_opened_at, m.withdrawn_reason,
       CASE WHEN m.human_open_count > 0 AND m.proxy_open_count >= m.human_open_count THEN m.open_via END,
       o.kind, COALESCE(o.sent_at, o.created_at), m.delivered_at, m.due_at,
       (SELECT COUNT(*) FROM replies rp WHERE rp.message_id = m.id AND rp.auto = 0)
FROM messages m LEFT JOIN reservations r ON r.id = m.reservation_id
     LEFT JOIN messages o ON o.id = m.resend_of
WHERE m.guest_id = ?1 AND m.id < ?2
ORDER BY m.id DESC LIMIT ?3";

/// The notes: events on any address the guest was mailed at, and on their reservations.
const NOTE_KINDS: &str = "('counter-reset', 'complaint', 'address-changed', 'confirmed-by-phone')";

pub(crate) fn email_from_row(r: &crate::store::engine::Row<'_>) -> crate::store::engine::Result<HistoryEmail> {
    Ok(HistoryEmail {
        id: r.get(0)?,
        kind: parsed(r, 1)?,
        reservation_id: r.get(2)?,
        reservation_at: r
            .get::<_, Option<String>>(3)?
            .and_then(|t| NaiveDateTime::parse_from_str(&t, super::rows::STARTS_AT_FORMAT).ok()),
        recipient: r.get(4)?,
        state: parsed(r, 5)?,
        attempts: r.get(6)?,
        created_at: r.get(7)?,
        sent_at: r.get(8)?,
        next_attempt_at: r.get(9)?,
        last_error: r.get(10)?,
        resend_of: r.get(11)?,
        original: match (r.get::<_, Option<String>>(18)?, r.get::<_, Option<i64>>(19)?) {
            (Some(kind), Some(at)) => kind.parse().ok().map(|kind| Original { kind, at }),
            _ => None,
        },
        human_opens: r.get(12)?,
        machine_opens: r.get(13)?,
        open_via: r.get(17)?,
        first_opened_at: r.get(14)?,
        last_opened_at: r.get(15)?,
        withdrawn_reason: r.get::<_, Option<String>>(16)?.as_deref().and_then(crate::journey::Withdrawal::parse),
        delivered_at: r.get(20)?,
        due_at: r.get(21)?,
        replies: r.get(22)?,
    })
}

impl Store {
    /// The guest's history: identity, address health, the first page of `limit` emails
    /// (newest first; pass the last id seen as `before` for the next page) and the notes.
    pub fn guest_history(&self, guest_id: i64, limit: usize, before: Option<i64>) -> Result<GuestHistory> {
        let (guest, forgotten): (Guest, bool) = self
            .conn
            .prepare_cached("SELECT id, name, email, phone, language, forgotten FROM guests WHERE id = ?1")?
            .query_row([guest_id], |r| {
                let g = Guest {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    email: r.get(2)?,
                    phone: r.get(3)?,
                    language: parsed(r, 4)?,
                };
                Ok((g, r.get(5)?))
            })
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("guest {guest_id}")))?;
        let record = super::addresses::fetch(&self.conn, &guest.email)?;
        let address = record.as_ref().map(super::AddressRecord::health).unwrap_or_default();
        let last_error_at = record.and_then(|a| a.last_error_at);
        let emails = self.guest_emails(guest_id, limit, before)?;
        let notes = self.guest_notes(&guest)?;
        Ok(GuestHistory { guest, forgotten, address, last_error_at, emails, notes })
    }

    /// One page of the guest's emails, newest first, below message id `before`.
    pub fn guest_emails(&self, guest_id: i64, limit: usize, before: Option<i64>) -> Result<Vec<HistoryEmail>> {
        let mut stmt = self.conn.prepare_cached(GUEST_EMAILS_QUERY)?;
        let rows = stmt.query_map(params![guest_id, before.unwrap_or(i64::MAX), limit as i64], email_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn guest_notes(&self, guest: &Guest) -> Result<Vec<TimelineNote>> {
        // Every address this guest was ever mailed at, plus the current one.
        let mut addresses: Vec<String> = self
            .conn
            .prepare_cached("SELECT DISTINCT recipient FROM messages WHERE guest_id = ?1")?
            .query_map([guest.id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        if !addresses.iter().any(|a| a.eq_ignore_ascii_case(&guest.email)) {
            addresses.push(guest.email.clone());
        }
        let note = |r: &crate::store::engine::Row<'_>| {
            Ok(TimelineNote {
                at: r.get(0)?,
                kind: parsed(r, 1)?,
                reservation_id: r.get(2)?,
                detail: r.get(3)?,
                actor: r.get(4)?,
                id: r.get(5)?,
            })
        };
        let mut notes: Vec<TimelineNote> = Vec::new();
        let mut by_address = self.conn.prepare_cached(&format!(
            "SELECT at, kind, reservation_id, detail, actor, id FROM events WHERE address = ?1 AND kind IN {NOTE_KINDS}"
        ))?;
        for a in &addresses {
            for n in by_address.query_map([a], note)? {
                notes.push(n?);
            }
        }
        let mut by_reservation = self.conn.prepare_cached(&format!(
            "SELECT e.at, e.kind, e.reservation_id, e.detail, e.actor, e.id
             FROM reservations r JOIN events e ON e.reservation_id = r.id
             WHERE r.guest_id = ?1 AND e.kind IN {NOTE_KINDS}"
        ))?;
        for n in by_reservation.query_map([guest.id], note)? {
            notes.push(n?);
        }
        notes.sort_by_key(|n| (n.at, n.id));
        notes.dedup();
        Ok(notes)
    }

    /// One email's log: its events, opens, bounce reports and replies, oldest first.
    pub fn message_log(&self, message_id: i64) -> Result<Vec<LogLine>> {
        let mut lines: Vec<(i64, u8, i64, LogEntry)> = Vec::new();
        let mut events = self
            .conn
            .prepare_cached("SELECT id, at, kind, detail, actor FROM events WHERE message_id = ?1 ORDER BY id")?;
        for e in events.query_map([message_id], |r| {
            let entry = LogEntry::Event { kind: parsed(r, 2)?, detail: r.get(3)?, actor: r.get(4)? };
            Ok((r.get(1)?, 0, r.get(0)?, entry))
        })? {
            lines.push(e?);
        }
        let mut opens = self.conn.prepare_cached(
            "SELECT id, at, ip, user_agent, machine, reason FROM opens WHERE message_id = ?1 ORDER BY at, id",
        )?;
        for o in opens.query_map([message_id], |r| {
            let entry = LogEntry::Open { ip: r.get(2)?, user_agent: r.get(3)?, machine: r.get(4)?, reason: r.get(5)? };
            Ok((r.get(1)?, 1, r.get(0)?, entry))
        })? {
            lines.push(o?);
        }
        let mut bounces = self.conn.prepare_cached(
            "SELECT id, received_at, class, status, reply_code, diagnostic FROM bounces WHERE message_id = ?1",
        )?;
        for b in bounces.query_map([message_id], |r| {
            let class: String = r.get(2)?;
            let entry = LogEntry::Bounce { class, status: r.get(3)?, reply_code: r.get(4)?, diagnostic: r.get(5)? };
            Ok((r.get(1)?, 2, r.get(0)?, entry))
        })? {
            lines.push(b?);
        }
        let mut replies =
            self.conn.prepare_cached("SELECT id, received_at, excerpt, auto FROM replies WHERE message_id = ?1")?;
        for p in replies.query_map([message_id], |r| {
            Ok((r.get(1)?, 3, r.get(0)?, LogEntry::Reply { excerpt: r.get(2)?, auto: r.get(3)? }))
        })? {
            lines.push(p?);
        }
        // Time order; at the same millisecond the event comes first (a bounce report and the
        // error it counted share their time), then by id.
        lines.sort_by_key(|(at, source, id, _)| (*at, *source, *id));
        Ok(lines.into_iter().map(|(at, _, _, entry)| LogLine { at, entry }).collect())
    }
}
