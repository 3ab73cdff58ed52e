//! Tonight's follow-up list (the brief's advice: call the guests whose confirmation did not
//! get through), marking a reservation "confirmed by phone", and the 30-day delivery health.
//!
//! Who is on the list: every reservation of the day still to come (later than the venue's
//! now) that is pending or confirmed, not confirmed by phone, and whose latest email of its
//! status (the confirmation of a confirmed one, the request of a pending one, whose request
//! may not have reached the guest either) was not opened by a person: not sent yet,
//! deferred, sent but unopened (a machine fetch proves nothing), bounced, failed, suppressed
//! or uncertain. One with no such email at all (imported without sending, or withdrawn) is
//! on it too. Completed, cancelled, no-show and past reservations are never on it: there is
//! nobody to call about them before service.

use crate::store::engine::{OptionalExtension as _, params};
use chrono::{NaiveDate, NaiveDateTime};

use super::events::{self, NewEvent};
use super::rows::{parsed, parsed_opt, starts_at, starts_at_text};
use super::{Result, Store, StoreError, reservations};
use crate::domain::{EventKind, MessageState, ReservationStatus, day_bounds};
use crate::journey::Change;

/// Why a reservation is on the follow-up list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpReason {
    /// Confirmed, but no confirmation email exists.
    NoConfirmation,
    /// Queued or being sent right now.
    NotSentYet,
    /// The server said "later": the worker tries again at this time.
    Deferred {
        next_attempt_at: Option<i64>,
    },
    /// Sent, not opened by a person; `machine_opens` fetches by a proxy or scanner.
    NotOpened {
        machine_opens: u32,
    },
    Bounced,
    Failed,
    /// Not sent: the address is blocked.
    Suppressed,
    /// Sending was interrupted; it may or may not have left.
    Uncertain,
}

impl FollowUpReason {
    /// The reason given the latest confirmation's state and opens (`None`: no email), or
    /// `None` when the guest opened it and there is nothing to follow up.
    pub fn of(state: Option<MessageState>, human_opens: u32, machine_opens: u32, next: Option<i64>) -> Option<Self> {
        if human_opens > 0 {
            return None;
        }
        Some(match state {
            None | Some(MessageState::Withdrawn) => Self::NoConfirmation,
            Some(MessageState::Queued | MessageState::Sending) => Self::NotSentYet,
            Some(MessageState::Deferred) => Self::Deferred { next_attempt_at: next },
            Some(MessageState::Sent) => Self::NotOpened { machine_opens },
            Some(MessageState::Bounced) => Self::Bounced,
            Some(MessageState::Failed) => Self::Failed,
            Some(MessageState::Suppressed) => Self::Suppressed,
            Some(MessageState::Uncertain) => Self::Uncertain,
        })
    }
}

/// One guest to call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub reservation_id: i64,
    pub starts_at: NaiveDateTime,
    pub party_size: u32,
    pub status: ReservationStatus,
    pub guest_id: i64,
    pub guest_name: String,
    pub phone: String,
    pub email: String,
    /// The latest confirmation email (the latest request for a pending reservation), if any.
    pub message_id: Option<i64>,
    pub reason: FollowUpReason,
    /// The error the server or a bounce gave, if any.
    pub last_error: Option<String>,
    pub address_errors: u32,
    pub address_blocked: bool,
}

/// The day's candidates still to come: a range on `reservations_by_start` (the day's start
/// `?1`, its end `?2`, the venue's now `?3`, the venue `?4`), the latest email of the reservation's status
/// by one seek on `messages_by_reservation`.
pub const FOLLOW_UP_QUERY: &str = "
SELECT r.id, r.starts_at, r.party_size, r.status, g.id, g.name, g.phone, g.email,
       m.id, m.state, m.human_open_count, m.open_count - m.human_open_count, m.next_attempt_at, m.last_error,
       COALESCE(a.error_count, 0), COALESCE(a.blocked, 0)
FROM reservations r
JOIN guests g ON g.id = r.guest_id
LEFT JOIN addresses a ON a.email = g.email
LEFT JOIN messages m ON m.id = (SELECT id FROM messages WHERE reservation_id = r.id
    AND kind = CASE r.status WHEN 'pending' THEN 'pending' ELSE 'confirmed' END ORDER BY id DESC LIMIT 1)
WHERE r.starts_at >= ?1 AND r.starts_at < ?2 AND r.starts_at > ?3 AND r.venue_id = ?4
  AND r.status IN ('pending', 'confirmed') AND r.confirmed_by_phone_at IS NULL
  AND COALESCE(m.human_open_count, 0) = 0
ORDER BY r.starts_at, r.id";

/// Share of emails that must reach the guest: the brief's "supérieure à 98 %".
pub const DELIVERY_TARGET: f64 = 0.98;
/// The window of the delivery health.
pub const HEALTH_WINDOW_MS: i64 = 30 * 24 * 3_600_000;

/// Delivery over a window: of the emails that were sent or tried (`attempted`: now sent,
/// bounced or failed), how many arrived (`delivered`: sent and not bounced, or opened by a
/// person, which proves arrival) and how many a person opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryHealth {
    pub since: i64,
    pub attempted: u64,
    pub delivered: u64,
    pub opened: u64,
}

impl DeliveryHealth {
    /// `None` when nothing was sent in the window.
    pub fn delivery_rate(&self) -> Option<f64> {
        (self.attempted > 0).then(|| self.delivered as f64 / self.attempted as f64)
    }

    pub fn open_rate(&self) -> Option<f64> {
        (self.attempted > 0).then(|| self.opened as f64 / self.attempted as f64)
    }

    /// Whether delivery is below the 98% target (never with nothing sent).
    pub fn below_target(&self) -> bool {
        self.delivery_rate().is_some_and(|r| r < DELIVERY_TARGET)
    }
}

/// The health counts: three ranges on the covering index `messages_by_state_created` (migration 002).
/// (`SUM(CASE …)`, not `SUM(bool)`: PostgreSQL has no sum of booleans.)
pub const HEALTH_QUERY: &str = "
SELECT COUNT(*),
       COALESCE(SUM(CASE WHEN state = 'sent' OR human_open_count > 0 THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN human_open_count > 0 THEN 1 ELSE 0 END), 0)
FROM messages
WHERE created_at >= ?1 AND state IN ('sent', 'bounced', 'failed')";

impl Store {
    /// The follow-up list of one day, by time: the reservations still to come after `now`
    /// (the venue's wall-clock time), so those of today already seated drop out.
    pub fn follow_up(&self, day: NaiveDate, now: NaiveDateTime) -> Result<Vec<FollowUp>> {
        let (from, to) = day_bounds(day);
        let mut stmt = self.conn.prepare_cached(FOLLOW_UP_QUERY)?;
        let bounds = params![starts_at_text(from), starts_at_text(to), starts_at_text(now), self.venue];
        let rows = stmt.query_map(bounds, |r| {
            let state: Option<MessageState> = parsed_opt(r, 9)?;
            let human: Option<u32> = r.get(10)?;
            let machine: Option<u32> = r.get(11)?;
            let reason = FollowUpReason::of(state, human.unwrap_or(0), machine.unwrap_or(0), r.get(12)?);
            Ok(reason.map(|reason| -> crate::store::engine::Result<FollowUp> {
                Ok(FollowUp {
                    reservation_id: r.get(0)?,
                    starts_at: starts_at(r, 1)?,
                    party_size: r.get(2)?,
                    status: parsed(r, 3)?,
                    guest_id: r.get(4)?,
                    guest_name: r.get(5)?,
                    phone: r.get(6)?,
                    email: r.get(7)?,
                    message_id: r.get(8)?,
                    reason,
                    last_error: r.get(13)?,
                    address_errors: r.get(14)?,
                    address_blocked: r.get(15)?,
                })
            }))
        })?;
        let mut out = Vec::new();
        for row in rows {
            if let Some(f) = row? {
                out.push(f?);
            }
        }
        Ok(out)
    }

    /// `v`: staff called the guest, who confirmed. Sets the reservation's phone confirmation
    /// and logs it, in one transaction; a pending reservation becomes confirmed with it
    /// (logged as a status change), without a confirmation email. Returns `false` (and logs nothing) when it was
    /// already confirmed by phone.
    pub fn mark_confirmed_by_phone(&mut self, reservation_id: i64, actor: &str) -> Result<bool> {
        let (domain, rules, now, venue) = (self.message_domain.clone(), self.rules, self.now(), self.venue);
        self.write(|tx| {
            reservations::check_venue(tx, reservation_id, venue)?;
            let (status, already): (ReservationStatus, bool) = tx
                .prepare_cached("SELECT status, confirmed_by_phone_at IS NOT NULL FROM reservations WHERE id = ?1")?
                .query_row([reservation_id], |r| Ok((parsed(r, 0)?, r.get(1)?)))
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("reservation {reservation_id}")))?;
            let becomes_confirmed = crate::journey::Policy::phone_confirmation(status)?;
            if already {
                return Ok(false);
            }
            if becomes_confirmed {
                // The guest said yes on the phone: the reservation is confirmed (the waiting
                // request withdrawn, the reminder queued), and nothing is emailed unless staff
                // ask (`r`).
                let change = Change { force: false, send: false };
                reservations::change_status(
                    tx,
                    reservation_id,
                    ReservationStatus::Confirmed,
                    change,
                    &rules,
                    &domain,
                    now,
                    actor,
                )?;
            }
            tx.prepare_cached("UPDATE reservations SET confirmed_by_phone_at = ?2, updated_at = ?2 WHERE id = ?1")?
                .execute(params![reservation_id, now])?;
            let event = NewEvent { reservation_id: Some(reservation_id), actor, ..NewEvent::default() };
            events::append(tx, EventKind::ConfirmedByPhone, now, &event)?;
            Ok(true)
        })
    }

    /// Delivery over the 30 days before `now` (UTC Unix ms).
    pub fn delivery_health(&self, now: i64) -> Result<DeliveryHealth> {
        let since = now - HEALTH_WINDOW_MS;
        let (attempted, delivered, opened) = self
            .conn
            .prepare_cached(HEALTH_QUERY)?
            .query_row([since], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))?;
        Ok(DeliveryHealth { since, attempted: attempted as u64, delivered: delivered as u64, opened: opened as u64 })
    }
}
