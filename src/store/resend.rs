//! What staff do to get an email to a guest again: resend any email of a reservation,
//! correct the guest's address, and send what was held while the address was blocked. The
//! journey decides whether (and whether to ask first); this file reads and writes.

use crate::store::engine::{OptionalExtension as _, Tx, params};

use super::events::{self, NewEvent};
use super::messages::{self, NewMessage};
use super::plans::{self, Rules};
use super::rows::{parsed, starts_at};
use super::{Result, Store, StoreError, addresses};
use crate::domain::{EmailKind, EventKind, MessageState, normalize_email};
use crate::journey::{Ask, Booking, Email, Policy};

/// What a resend did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResendOutcome {
    /// A new email is queued (linked to the one it repeats, if any).
    Queued { id: i64, kind: EmailKind, recipient: String },
    /// The address is blocked: nothing will be sent. The attempt is kept as a `suppressed`
    /// message (`message`), offered again after a reset.
    Blocked { error_count: u32, message: i64 },
    /// Nothing queued: staff must answer this first, then call again with `again`.
    Ask { ask: Ask, recipient: String },
}

/// Resends the email of `kind` (default: the request while pending, else the confirmation)
/// of a reservation; `repeats` names the email staff picked, when they picked one.
#[allow(clippy::too_many_arguments)]
fn resend(
    tx: &Tx<'_>,
    reservation_id: i64,
    kind: Option<EmailKind>,
    repeats: Option<i64>,
    again: bool,
    actor: &str,
    rules: &Rules,
    domain: &str,
    now: i64,
) -> Result<ResendOutcome> {
    let facts = plans::facts(tx, reservation_id)?;
    if facts.forgotten {
        return Err(StoreError::Invalid("the guest's personal data was erased: nothing can be sent".into()));
    }
    let kind = kind.unwrap_or(Policy::default_resend(facts.booking.status));
    let latest = plans::latest(tx, reservation_id, kind)?;
    addresses::ensure(tx, &facts.email, now)?;
    let blocked = addresses::is_blocked(tx, &facts.email)?;
    let ask = rules.policy.resend(kind, facts.booking, latest.as_ref(), blocked, rules.local(now), now, again)?;
    if let Some(ask) = ask {
        return Ok(ResendOutcome::Ask { ask, recipient: facts.email });
    }
    let m = NewMessage {
        reservation_id: Some(reservation_id),
        guest_id: facts.guest_id,
        kind,
        recipient: &facts.email,
        subject: "",
        resend_of: repeats.or(latest.map(|l| l.id)),
        actor,
    };
    match messages::queue(tx, &m, domain, now)? {
        (id, MessageState::Suppressed) => {
            let error_count = addresses::fetch(tx, &facts.email)?.map_or(0, |a| a.error_count);
            Ok(ResendOutcome::Blocked { error_count, message: id })
        }
        (id, _) => Ok(ResendOutcome::Queued { id, kind, recipient: facts.email }),
    }
}

/// The emails held (suppressed) for `email` while it was blocked that are still worth
/// sending, by the journey's rules: of several held copies of one email, the latest.
fn held(tx: &Tx<'_>, email: &str, rules: &Rules, now: i64) -> Result<Vec<i64>> {
    let rows: Vec<(Option<i64>, Email, Option<Booking>)> = {
        let columns = plans::EMAIL_COLUMNS.split(", ").map(|c| format!("m.{c}")).collect::<Vec<_>>().join(", ");
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT {columns}, m.reservation_id, r.status, r.starts_at
             FROM messages m LEFT JOIN reservations r ON r.id = m.reservation_id
             WHERE m.recipient = ?1 AND m.state = 'suppressed' ORDER BY m.id DESC"
        ))?;
        stmt.query_map([email], |r| {
            let status: Option<String> = r.get(8)?;
            let booking = match status {
                Some(_) => Some(Booking { status: parsed(r, 8)?, starts_at: starts_at(r, 9)? }),
                None => None,
            };
            Ok((r.get(7)?, plans::email_from(r)?, booking))
        })?
        .collect::<Result<_, _>>()?
    };
    let mut seen = std::collections::HashSet::new();
    let latest: Vec<(&Email, Option<Booking>)> = rows
        .iter()
        .filter(|(reservation, e, _)| reservation.is_none() || seen.insert((*reservation, e.kind)))
        .map(|(_, e, b)| (e, *b))
        .collect();
    let mut offered = rules.policy.held_to_offer(latest, rules.local(now));
    offered.sort_unstable();
    Ok(offered)
}

impl Store {
    /// `r`: queues the email of `kind` of a reservation again (default: the request while
    /// pending, else the confirmation), to the guest's current address, if the journey
    /// agrees. `again` is the yes to its question, if it asked one. In one transaction, so
    /// two host stands pressing `r` together make one email.
    pub fn resend(
        &mut self,
        reservation_id: i64,
        kind: Option<EmailKind>,
        again: bool,
        actor: &str,
    ) -> Result<ResendOutcome> {
        let (domain, rules, now, venue) = (self.message_domain.clone(), self.rules, self.now(), self.venue);
        self.write(|tx| {
            super::reservations::check_venue(tx, reservation_id, venue)?;
            resend(tx, reservation_id, kind, None, again, actor, &rules, &domain, now)
        })
    }

    /// `r` in a guest's history: sends the selected email again, whatever its kind.
    pub fn resend_message(&mut self, message_id: i64, again: bool, actor: &str) -> Result<ResendOutcome> {
        let (domain, rules, now, venue) = (self.message_domain.clone(), self.rules, self.now(), self.venue);
        self.write(|tx| {
            let (reservation_id, kind): (Option<i64>, EmailKind) = tx
                .prepare_cached("SELECT reservation_id, kind FROM messages WHERE id = ?1")?
                .query_row([message_id], |r| Ok((r.get(0)?, parsed(r, 1)?)))
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("message {message_id}")))?;
            let reservation_id =
                reservation_id.ok_or_else(|| StoreError::Invalid("this email is not about a reservation".into()))?;
            super::reservations::check_venue(tx, reservation_id, venue)?;
            resend(tx, reservation_id, Some(kind), Some(message_id), again, actor, &rules, &domain, now)
        })
    }

    /// `r` on the list, as before: the confirmation; `force` answers any question.
    pub fn resend_confirmation(&mut self, reservation_id: i64, force: bool, actor: &str) -> Result<ResendOutcome> {
        self.resend(reservation_id, Some(EmailKind::Confirmed), force, actor)
    }

    /// The emails held while `email` was blocked that are still worth sending (offered
    /// after a counter reset).
    pub fn held_emails(&mut self, email: &str) -> Result<Vec<i64>> {
        let (rules, now) = (self.rules, self.now());
        self.write(|tx| held(tx, email, &rules, now))
    }

    /// Staff said yes to "send the held emails now": each one still worth sending goes back
    /// to the outbox (unless the address is blocked again). Returns the ids queued.
    pub fn release_held(&mut self, email: &str, actor: &str) -> Result<Vec<i64>> {
        let (rules, now) = (self.rules, self.now());
        self.write(|tx| {
            if addresses::is_blocked(tx, email)? {
                return Ok(Vec::new());
            }
            let ids = held(tx, email, &rules, now)?;
            for id in &ids {
                tx.prepare_cached(
                    "UPDATE messages SET state = 'queued', next_attempt_at = ?2, due_at = ?2, claimed_by = NULL
                     WHERE id = ?1 AND state = 'suppressed'",
                )?
                .execute(params![id, now])?;
                let reservation_id: Option<i64> = tx
                    .prepare_cached("SELECT reservation_id FROM messages WHERE id = ?1")?
                    .query_row([id], |r| r.get(0))?;
                let event = NewEvent {
                    message_id: Some(*id),
                    reservation_id,
                    detail: "held while the address was blocked; sent after the counter reset",
                    actor,
                    ..NewEvent::default()
                };
                events::append(tx, EventKind::Queued, now, &event)?;
            }
            Ok(ids)
        })
    }

    /// `e`: corrects a guest's email address (validated and normalised), logging the change.
    /// Returns the address as stored, so the caller can offer to resend the confirmation.
    pub fn change_guest_email(&mut self, guest_id: i64, new: &str, actor: &str) -> Result<String> {
        let email = normalize_email(new)?;
        let now = self.now();
        self.write(|tx| {
            let old: String = tx
                .prepare_cached("SELECT email FROM guests WHERE id = ?1")?
                .query_row([guest_id], |r| r.get(0))
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("guest {guest_id}")))?;
            addresses::ensure(tx, &email, now)?;
            tx.prepare_cached("UPDATE guests SET email = ?2 WHERE id = ?1")?.execute(params![guest_id, email])?;
            // The guest is the one of the address; staff read this line (no database id).
            let detail = format!("{old} -> {email}");
            let event = NewEvent { address: Some(&email), detail: &detail, actor, ..NewEvent::default() };
            events::append(tx, EventKind::AddressChanged, now, &event)?;
            Ok(email.clone())
        })
    }
}
