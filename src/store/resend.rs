//! What staff do to get an email to a guest again: resend the confirmation, correct the
//! guest's address; and the reminders the worker queues on its own.

use chrono::NaiveDateTime;
use rusqlite::{OptionalExtension as _, Transaction, params};

use super::events::{self, NewEvent};
use super::messages::{self, NewMessage};
use super::outbox::wall_clock;
use super::rows::parsed;
use super::{Result, Store, StoreError, addresses, now_ms};
use crate::domain::{EmailKind, EventKind, MessageState, ReservationStatus, normalize_email};

/// What `r` (resend the confirmation) did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResendOutcome {
    /// A new confirmation is queued (linked to the one it repeats, if any).
    Queued(i64),
    /// The address is blocked: nothing will be sent. The attempt is kept as a `suppressed`
    /// message (`message`), so it can be sent after a reset.
    Blocked { error_count: u32, message: i64 },
    /// The previous confirmation was already opened by the guest: nothing queued; ask staff,
    /// then call again with `force`.
    NeedsConfirmation { opened: u32, last_opened: Option<i64> },
}

struct Latest {
    id: i64,
    state: MessageState,
    recipient: String,
    human_opens: u32,
    last_opened_at: Option<i64>,
}

fn latest_confirmation(tx: &Transaction<'_>, reservation_id: i64) -> Result<Option<Latest>> {
    Ok(tx
        .prepare_cached(
            "SELECT id, state, recipient, human_open_count, last_opened_at FROM messages
             WHERE reservation_id = ?1 AND kind = 'confirmed' ORDER BY id DESC LIMIT 1",
        )?
        .query_row([reservation_id], |r| {
            Ok(Latest {
                id: r.get(0)?,
                state: parsed(r, 1)?,
                recipient: r.get(2)?,
                human_opens: r.get(3)?,
                last_opened_at: r.get(4)?,
            })
        })
        .optional()?)
}

fn resend(
    tx: &Transaction<'_>,
    reservation_id: i64,
    force: bool,
    actor: &str,
    domain: &str,
    now: i64,
) -> Result<ResendOutcome> {
    let (status, guest_id, email): (ReservationStatus, i64, String) = tx
        .prepare_cached(
            "SELECT r.status, g.id, g.email FROM reservations r JOIN guests g ON g.id = r.guest_id WHERE r.id = ?1",
        )?
        .query_row([reservation_id], |r| Ok((parsed(r, 0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("reservation {reservation_id}")))?;
    if status != ReservationStatus::Confirmed {
        return Err(StoreError::Invalid(format!(
            "the reservation is {status}: only a confirmed one has a confirmation"
        )));
    }
    let previous = latest_confirmation(tx, reservation_id)?;
    addresses::ensure(tx, &email, now)?;
    if addresses::is_blocked(tx, &email)? {
        let error_count = addresses::fetch(tx, &email)?.map_or(0, |a| a.error_count);
        // Pressing `r` again on a blocked address does not pile up suppressed copies.
        if let Some(p) = previous.as_ref().filter(|p| p.state == MessageState::Suppressed && p.recipient == email) {
            return Ok(ResendOutcome::Blocked { error_count, message: p.id });
        }
    } else if let Some(p) = previous.as_ref().filter(|p| p.human_opens > 0 && !force) {
        return Ok(ResendOutcome::NeedsConfirmation { opened: p.human_opens, last_opened: p.last_opened_at });
    }
    let m = NewMessage {
        reservation_id: Some(reservation_id),
        guest_id,
        kind: EmailKind::Confirmed,
        recipient: &email,
        subject: "",
        resend_of: previous.as_ref().map(|p| p.id),
        actor,
    };
    match messages::queue(tx, &m, domain, now)? {
        (id, MessageState::Suppressed) => {
            let error_count = addresses::fetch(tx, &email)?.map_or(0, |a| a.error_count);
            Ok(ResendOutcome::Blocked { error_count, message: id })
        }
        (id, _) => Ok(ResendOutcome::Queued(id)),
    }
}

/// Queues the reminder of every confirmed reservation starting within `hours` from `now_local`
/// that has none yet. Safe to run from several workers: the check and the insert share one
/// transaction.
fn queue_reminders(
    tx: &Transaction<'_>,
    now_local: NaiveDateTime,
    hours: u32,
    domain: &str,
    now: i64,
) -> Result<Vec<i64>> {
    let until = now_local + chrono::Duration::hours(i64::from(hours));
    let due: Vec<(i64, i64, String)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT r.id, g.id, g.email FROM reservations r JOIN guests g ON g.id = r.guest_id
             WHERE r.starts_at > ?1 AND r.starts_at <= ?2 AND r.status = 'confirmed' AND g.forgotten = 0
               AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.reservation_id = r.id AND m.kind = 'reminder')
             ORDER BY r.starts_at, r.id",
        )?;
        stmt.query_map(params![wall_clock(now_local), wall_clock(until)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?
    };
    let mut ids = Vec::with_capacity(due.len());
    for (reservation_id, guest_id, email) in due {
        let m = NewMessage {
            reservation_id: Some(reservation_id),
            guest_id,
            kind: EmailKind::Reminder,
            recipient: &email,
            subject: "",
            resend_of: None,
            actor: "reminder",
        };
        ids.push(messages::queue(tx, &m, domain, now)?.0);
    }
    Ok(ids)
}

impl Store {
    /// `r`: queues the confirmation of a confirmed reservation again, to the guest's current
    /// address. See [`ResendOutcome`] for when it does not.
    pub fn resend_confirmation(&mut self, reservation_id: i64, force: bool, actor: &str) -> Result<ResendOutcome> {
        let domain = self.message_domain.clone();
        self.write(|tx| resend(tx, reservation_id, force, actor, &domain, now_ms()))
    }

    /// `e`: corrects a guest's email address (validated and normalised), logging the change.
    /// Returns the address as stored, so the caller can offer to resend the confirmation.
    pub fn change_guest_email(&mut self, guest_id: i64, new: &str, actor: &str) -> Result<String> {
        let email = normalize_email(new)?;
        self.write(|tx| {
            let now = now_ms();
            let old: String = tx
                .prepare_cached("SELECT email FROM guests WHERE id = ?1")?
                .query_row([guest_id], |r| r.get(0))
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("guest {guest_id}")))?;
            addresses::ensure(tx, &email, now)?;
            tx.prepare_cached("UPDATE guests SET email = ?2 WHERE id = ?1")?.execute(params![guest_id, email])?;
            let detail = format!("guest {guest_id}: {old} -> {email}");
            let event = NewEvent { address: Some(&email), detail: &detail, actor, ..NewEvent::default() };
            events::append(tx, EventKind::AddressChanged, now, &event)?;
            Ok(email.clone())
        })
    }

    /// Queues the reminders now due; see [`queue_reminders`]. `now_local` is the venue's
    /// wall-clock time (reservations are stored in it).
    pub fn queue_due_reminders(&mut self, now_local: NaiveDateTime, hours: u32) -> Result<Vec<i64>> {
        let domain = self.message_domain.clone();
        self.write(|tx| queue_reminders(tx, now_local, hours, &domain, now_ms()))
    }
}
