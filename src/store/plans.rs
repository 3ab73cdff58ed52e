//! Applying the journey's answers. The store reads what the rules need (the reservation,
//! its emails, the guest's address), asks [`crate::journey`], and writes the answer (emails
//! queued with their due time, emails withdrawn with their reason) in the same transaction
//! as the change that caused it. Nothing here decides: every "whether" is the journey's.

use crate::store::engine::{OptionalExtension as _, Tx, params};
use chrono::NaiveDateTime;

use super::events::{self, NewEvent};
use super::messages::{self, NewMessage};
use super::rows::{parsed, starts_at};
use super::{Result, StoreError, addresses};
use crate::clock::Clock;
use crate::domain::{EmailKind, EventKind, MessageState, ReservationStatus};
use crate::journey::{Booking, Due, Email, Plan, Policy, Withdrawal};

/// The venue's rules and clock, as a store applies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    pub policy: Policy,
    pub clock: Clock,
}

impl Default for Rules {
    fn default() -> Self {
        Rules { policy: Policy::default(), clock: Clock::Local }
    }
}

impl Rules {
    /// The venue's wall-clock time at UTC instant `now` (ms).
    pub fn local(&self, now: i64) -> NaiveDateTime {
        self.clock.naive(now)
    }

    /// When an email falls due, in UTC ms.
    pub fn due_ms(&self, due: Due, now: i64) -> i64 {
        match due {
            Due::Now => now,
            Due::At(t) => self.clock.ms_of(t).max(now),
        }
    }
}

/// One email a change queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct QueuedEmail {
    pub id: i64,
    pub kind: EmailKind,
    pub state: MessageState,
    /// When it falls due (UTC ms): now, or later for a reminder or a thank-you.
    pub due_at: i64,
}

/// What a change did to a reservation and its outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub id: i64,
    pub status: ReservationStatus,
    pub queued: Vec<QueuedEmail>,
    /// Emails withdrawn by this change, with the reason.
    pub withdrawn: Vec<(i64, EmailKind, Withdrawal)>,
    /// Emails that were being sent at that moment: they may still arrive.
    pub in_flight: Vec<(i64, EmailKind)>,
}

/// What the rules need of a reservation, and whom its emails go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Facts {
    pub booking: Booking,
    pub guest_id: i64,
    pub email: String,
    pub forgotten: bool,
}

pub(crate) fn facts(tx: &Tx<'_>, reservation_id: i64) -> Result<Facts> {
    tx.prepare_cached(
        "SELECT r.status, r.starts_at, g.id, g.email, g.forgotten
         FROM reservations r JOIN guests g ON g.id = r.guest_id WHERE r.id = ?1",
    )?
    .query_row([reservation_id], |r| {
        Ok(Facts {
            booking: Booking { status: parsed(r, 0)?, starts_at: starts_at(r, 1)? },
            guest_id: r.get(2)?,
            email: r.get(3)?,
            forgotten: r.get(4)?,
        })
    })
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("reservation {reservation_id}")))
}

/// An [`Email`] from the first columns of a row selected with [`EMAIL_COLUMNS`].
pub(crate) fn email_from(r: &crate::store::engine::Row<'_>) -> crate::store::engine::Result<Email> {
    Ok(Email {
        id: r.get(0)?,
        kind: parsed(r, 1)?,
        state: parsed(r, 2)?,
        created_at: r.get(3)?,
        sent_at: r.get(4)?,
        human_opens: r.get(5)?,
        last_opened_at: r.get(6)?,
    })
}

pub(crate) const EMAIL_COLUMNS: &str = "id, kind, state, created_at, sent_at, human_open_count, last_opened_at";

/// Every email of a reservation, oldest first.
pub(crate) fn emails(tx: &Tx<'_>, reservation_id: i64) -> Result<Vec<Email>> {
    let mut stmt =
        tx.prepare_cached(&format!("SELECT {EMAIL_COLUMNS} FROM messages WHERE reservation_id = ?1 ORDER BY id"))?;
    let rows = stmt.query_map([reservation_id], email_from)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The latest email of one kind of a reservation.
pub(crate) fn latest(tx: &Tx<'_>, reservation_id: i64, kind: EmailKind) -> Result<Option<Email>> {
    Ok(tx
        .prepare_cached(&format!(
            "SELECT {EMAIL_COLUMNS} FROM messages WHERE reservation_id = ?1 AND kind = ?2 ORDER BY id DESC LIMIT 1"
        ))?
        .query_row(params![reservation_id, kind.as_str()], email_from)
        .optional()?)
}

/// The state of the last confirmation, or of the request when there is no confirmation (a
/// reservation confirmed by phone): what a reminder would follow.
pub(crate) fn last_word(tx: &Tx<'_>, reservation_id: i64) -> Result<Option<MessageState>> {
    Ok(tx.prepare_cached(LAST_WORD)?.query_row([reservation_id], |r| parsed(r, 0)).optional()?)
}

/// See [`last_word`]; one seek on `messages_by_reservation` for each kind.
pub(crate) const LAST_WORD: &str =
    "SELECT state FROM messages WHERE reservation_id = ?1 AND kind IN ('confirmed', 'pending')
ORDER BY kind = 'confirmed' DESC, id DESC LIMIT 1";

/// Withdraws one email still waiting (queued, deferred or held): it will never be sent.
/// Returns false when it was no longer waiting (then nothing changed).
pub(crate) fn withdraw(
    tx: &Tx<'_>,
    id: i64,
    reservation_id: Option<i64>,
    why: Withdrawal,
    actor: &str,
    now: i64,
) -> Result<bool> {
    let changed = tx
        .prepare_cached(
            "UPDATE messages SET state = 'withdrawn', withdrawn_reason = ?2, next_attempt_at = NULL, claimed_by = NULL
             WHERE id = ?1 AND state IN ('queued', 'deferred', 'suppressed')",
        )?
        .execute(params![id, why.as_str()])?;
    if changed == 1 {
        let detail = format!("withdrawn: {why}");
        let event = NewEvent { message_id: Some(id), reservation_id, detail: &detail, actor, ..NewEvent::default() };
        events::append(tx, EventKind::Withdrawn, now, &event)?;
    }
    Ok(changed == 1)
}

/// Writes a plan for reservation `id`: withdraws what it withdraws, then queues what it
/// queues (each email checked once more against the reservation as it now stands, so a
/// reminder never goes to a blocked address). A forgotten guest gets nothing.
pub(crate) fn apply(
    tx: &Tx<'_>,
    id: i64,
    plan: &Plan,
    rules: &Rules,
    domain: &str,
    now: i64,
    actor: &str,
) -> Result<Applied> {
    let facts = facts(tx, id)?;
    let mut applied = Applied {
        id,
        status: facts.booking.status,
        queued: Vec::new(),
        withdrawn: Vec::new(),
        in_flight: plan.in_flight.clone(),
    };
    for &(message, kind, why) in &plan.withdraw {
        if withdraw(tx, message, Some(id), why, actor, now)? {
            applied.withdrawn.push((message, kind, why));
        }
    }
    if facts.forgotten {
        return Ok(applied);
    }
    let blocked = addresses::is_blocked(tx, &facts.email)?;
    let local = rules.local(now);
    for &(kind, due) in &plan.queue {
        // Never a reminder for a blocked address, nor after the last word we sent did not
        // arrive (the follow-up list covers those); the worker asks again when it falls due.
        if kind == EmailKind::Reminder {
            let last_word = last_word(tx, id)?;
            if rules.policy.still_due(kind, facts.booking, last_word, blocked, local).is_err() {
                continue;
            }
        }
        let m = NewMessage {
            reservation_id: Some(id),
            guest_id: facts.guest_id,
            kind,
            recipient: &facts.email,
            subject: "",
            resend_of: None,
            actor,
        };
        let due_at = rules.due_ms(due, now);
        let (message, state) = messages::queue_due(tx, &m, due_at, domain, now)?;
        applied.queued.push(QueuedEmail { id: message, kind, state, due_at });
    }
    Ok(applied)
}
