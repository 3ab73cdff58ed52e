//! The outbox side of the messages table: claiming rows to send (in batches, see [`batch`]),
//! recording what the server said, and finding rows a dead worker left in `sending`.
//!
//! Every function here is one IMMEDIATE transaction, so SQLite's single writer lock is what
//! makes a claim atomic: two workers (threads or processes) can never move the same row from
//! `queued` to `sending`.

mod batch;
mod lease;
mod sent_run;

use crate::store::engine::{Engine, OptionalExtension as _, Tx, params};
use chrono::NaiveDateTime;

use super::events::{self, NewEvent};
use super::rows::{parsed, parsed_opt};
use super::{Result, Store, addresses};
use crate::domain::{BounceClass, EmailKind, EventKind, Language, MessageState};
use crate::failure::{Failure, Fault, Reason};

/// Retry delays after a temporary failure, by attempt; the last one repeats.
pub const BACKOFF_MINUTES: [i64; 4] = [1, 5, 15, 60];
/// A message still not accepted this long after it was queued is given up as `failed`.
pub const GIVE_UP_AFTER_MS: i64 = 24 * 3_600_000;

/// A message claimed for sending, with what composing it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: i64,
    pub kind: EmailKind,
    pub recipient: String,
    pub message_id: String,
    pub token: String,
    /// Attempts so far, this one included.
    pub attempts: u32,
    pub created_at: i64,
    pub guest_name: String,
    pub language: Option<Language>,
    pub starts_at: Option<NaiveDateTime>,
    pub party_size: Option<u32>,
    /// The venue it is sent for (its guest's); empty for the implicit venue.
    pub venue: ClaimedVenue,
}

/// The venue an email is sent for (issue 14): From its sender, Reply-To its reply-to, its
/// name, phone and street address in the text. An empty sender (the implicit venue of a
/// single-venue store) means every field is the config's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimedVenue {
    pub name: String,
    pub sender: String,
    pub reply_to: String,
    pub phone: String,
    pub address: String,
}

/// What came of one sending attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The server accepted it; its reply is kept.
    Sent { reply: String, subject: String },
    /// A 4xx for this email (greylisting, a full mailbox for now): try again later.
    Transient { error: String },
    /// A permanent refusal of the guest's address (see [`crate::failure`]): failed, and one
    /// error on the address.
    Permanent { reply_code: Option<String>, status: Option<String>, text: String, failure: Failure },
    /// The venue's own setup or server refused us (login, relay, sender, TLS, size, rate,
    /// blocklist, a server gone or silent): the email goes back to the outbox untouched
    /// (its attempt not counted, nothing on the address) and sending pauses.
    Paused { failure: Failure, detail: String },
    /// Its DATA may have reached the server without a final reply (connection lost or
    /// silent after the message went): `uncertain`, never re-sent on its own; sending
    /// pauses as the server is in trouble.
    Uncertain { failure: Failure, detail: String },
    /// The message cannot be built or sent as is (not the address's fault): failed.
    Invalid { reason: String },
}

/// The outcome of one claim: the messages to send (oldest due first, possibly none) and the
/// due messages that were set aside as `suppressed` on the way because their address is
/// blocked.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Claim {
    pub messages: Vec<Claimed>,
    pub suppressed: Vec<i64>,
    /// Due messages the journey withdrew instead (superseded, or about the past).
    pub withdrawn: Vec<(i64, EmailKind, crate::journey::Withdrawal)>,
}

/// The delay before the next attempt, given the attempts made so far (at least 1).
pub fn backoff_ms(attempts: u32) -> i64 {
    let i = (attempts.max(1) as usize - 1).min(BACKOFF_MINUTES.len() - 1);
    BACKOFF_MINUTES[i] * 60_000
}

/// What composing needs, for a list of claimed rows (a JSON array of ids), in the order they
/// fell due. One query per batch, not one per message: SQLite re-prepares this join on every
/// use (its plan depends on the bound value), which cost more than the rest of the claim.
const DETAILS: &str = "SELECT m.id, m.kind, m.recipient, m.message_id, m.token, m.attempts, m.created_at,
       g.name, g.language, r.starts_at, r.party_size,
       COALESCE(v.name, ''), COALESCE(v.sender, ''), COALESCE(v.reply_to, ''), COALESCE(v.phone, ''),
       COALESCE(v.address, '')
FROM messages m JOIN guests g ON g.id = m.guest_id LEFT JOIN reservations r ON r.id = m.reservation_id
LEFT JOIN venues v ON v.id = g.venue_id
WHERE m.id IN (SELECT value FROM json_each(?1))
ORDER BY m.next_attempt_at, m.id";

/// [`DETAILS`] on PostgreSQL, whose `json_each` reads objects, not arrays: the same columns
/// (the guard test `pg_statements` prepares it; `details` reads both the same way).
const DETAILS_PG: &str = "SELECT m.id, m.kind, m.recipient, m.message_id, m.token, m.attempts, m.created_at,
       g.name, g.language, r.starts_at, r.party_size,
       COALESCE(v.name, ''), COALESCE(v.sender, ''), COALESCE(v.reply_to, ''), COALESCE(v.phone, ''),
       COALESCE(v.address, '')
FROM messages m JOIN guests g ON g.id = m.guest_id LEFT JOIN reservations r ON r.id = m.reservation_id
LEFT JOIN venues v ON v.id = g.venue_id
WHERE m.id IN (SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(CAST(?1 AS TEXT) AS JSON)))
ORDER BY m.next_attempt_at, m.id";

fn details(tx: &Tx<'_>, ids: &[i64]) -> Result<Vec<Claimed>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = batch::id_list(ids);
    let sql = match tx.engine() {
        super::engine::Engine::Sqlite => DETAILS,
        super::engine::Engine::Postgres => DETAILS_PG,
    };
    let mut stmt = tx.prepare_cached(sql)?;
    let rows = stmt.query_map([list], |r| {
        let starts_at: Option<String> = r.get(9)?;
        Ok(Claimed {
            id: r.get(0)?,
            kind: parsed(r, 1)?,
            recipient: r.get(2)?,
            message_id: r.get(3)?,
            token: r.get(4)?,
            attempts: r.get(5)?,
            created_at: r.get(6)?,
            guest_name: r.get(7)?,
            language: parsed_opt(r, 8)?,
            starts_at: starts_at.and_then(|s| NaiveDateTime::parse_from_str(&s, super::rows::STARTS_AT_FORMAT).ok()),
            party_size: r.get(10)?,
            venue: ClaimedVenue {
                name: r.get(11)?,
                sender: r.get(12)?,
                reply_to: r.get(13)?,
                phone: r.get(14)?,
                address: r.get(15)?,
            },
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The class an address's record keeps for a guest's refusal: a mailbox or domain that
/// does not exist is hard; a full or disabled mailbox, or an unclear refusal, soft.
pub fn refusal_class(failure: Failure) -> BounceClass {
    match failure.reason {
        Reason::UnknownUser | Reason::NoSuchDomain => BounceClass::Hard,
        _ => BounceClass::Soft,
    }
}

/// Records what came of sending message `id`, which `worker` claimed; returns its new state.
pub(crate) fn record(
    tx: &Tx<'_>,
    id: i64,
    worker: &str,
    delivery: &Delivery,
    block_after: u32,
    now: i64,
) -> Result<MessageState> {
    // A retry gives up 24 h after the email fell due (a reminder queued days ahead must not
    // fail on its first refusal).
    let (recipient, reservation_id, attempts, created_at): (String, Option<i64>, u32, i64) = tx
        .prepare_cached(
            "SELECT recipient, reservation_id, attempts, COALESCE(due_at, created_at) FROM messages WHERE id = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    let event = NewEvent { message_id: Some(id), reservation_id, actor: worker, ..NewEvent::default() };
    // The row is normally still ours in `sending`; if a start-up elsewhere wrongly flagged it
    // `uncertain`, the definite answer we now hold is better than that guess.
    let update = |state: MessageState, reply: Option<&str>, error: Option<&str>, next: Option<i64>, fault: Failure| {
        tx.prepare_cached(
            "UPDATE messages SET state = ?2, server_reply = COALESCE(?3, server_reply), last_error = ?4,
                    next_attempt_at = ?5, claimed_by = NULL, fault = ?6, fault_reason = ?7
             WHERE id = ?1 AND state IN ('sending', 'uncertain')",
        )?
        .execute(params![id, state.as_str(), reply, error, next, fault.fault.as_str(), fault.reason.as_str()])
    };
    let transient = Failure::new(Fault::Transient, Reason::Temporary);
    let state = match delivery {
        Delivery::Sent { reply, subject } => {
            tx.prepare_cached(
                "UPDATE messages SET state = 'sent', server_reply = ?2, sent_at = ?3, last_error = NULL,
                        next_attempt_at = NULL, claimed_by = NULL, fault = NULL, fault_reason = NULL,
                        subject = CASE WHEN subject = '' THEN ?4 ELSE subject END,
                        provider_id = ?5
                 WHERE id = ?1 AND state IN ('sending', 'uncertain')",
            )?
            .execute(params![id, reply, now, subject, crate::provider_id::from_reply(reply)])?;
            events::append(tx, EventKind::Sent, now, &NewEvent { detail: reply, ..event })?;
            // The server takes our email again: whatever paused sending is solved.
            super::pause::clear(tx)?;
            MessageState::Sent
        }
        Delivery::Transient { error } if now - created_at >= GIVE_UP_AFTER_MS => {
            update(MessageState::Failed, None, Some(error), None, transient)?;
            let detail = format!("gave up after {attempts} attempts in 24 h: {error}");
            events::append(tx, EventKind::Failed, now, &NewEvent { detail: &detail, ..event })?;
            MessageState::Failed
        }
        Delivery::Transient { error } => {
            let next = (now + backoff_ms(attempts)).min(created_at + GIVE_UP_AFTER_MS);
            update(MessageState::Deferred, None, Some(error), Some(next), transient)?;
            let detail = format!("attempt {attempts}: {error}; next attempt in {} min", (next - now + 59_999) / 60_000);
            events::append(tx, EventKind::Deferred, now, &NewEvent { detail: &detail, ..event })?;
            MessageState::Deferred
        }
        Delivery::Permanent { reply_code, status, text, failure } => {
            let reply = crate::failure::reply_line(reply_code.as_deref(), status.as_deref(), text);
            update(MessageState::Failed, Some(&reply), Some(&reply), None, *failure)?;
            events::append(tx, EventKind::Failed, now, &NewEvent { detail: &reply, ..event.clone() })?;
            if failure.counts_on_guest() {
                let error = addresses::AddressErrorInput {
                    class: Some(refusal_class(*failure)),
                    status: status.as_deref(),
                    reply_code: reply_code.as_deref(),
                    diagnostic: text,
                    message_id: Some(id),
                    actor: worker,
                };
                addresses::record_error(tx, &recipient, &error, block_after, now)?;
                addresses::set_reason(tx, &recipient, failure.reason)?;
            }
            MessageState::Failed
        }
        Delivery::Paused { failure, detail } => {
            // Back where it was, as if never claimed: the venue's problem is no attempt of
            // this email, and nothing is counted on the address.
            let state: MessageState = tx
                .prepare_cached(
                    "UPDATE messages SET state = CASE WHEN attempts > 1 THEN 'deferred' ELSE 'queued' END,
                            attempts = MAX(attempts - 1, 0), claimed_by = NULL, last_error = ?2,
                            fault = 'venue', fault_reason = ?3
                     WHERE id = ?1 AND state IN ('sending', 'uncertain')
                     RETURNING state",
                )?
                .query_row(params![id, detail, failure.reason.as_str()], |r| r.get::<_, String>(0))
                .optional()?
                .and_then(|s| s.parse().ok())
                .unwrap_or(MessageState::Queued);
            super::pause::pause(tx, failure.reason, detail, now)?;
            state
        }
        Delivery::Uncertain { failure, detail } => {
            update(MessageState::Uncertain, None, Some(detail), None, *failure)?;
            let detail = format!("{detail}: the server may or may not have it; check and resend");
            events::append(tx, EventKind::Uncertain, now, &NewEvent { detail: &detail, ..event })?;
            super::pause::pause(tx, failure.reason, &detail, now)?;
            MessageState::Uncertain
        }
        Delivery::Invalid { reason } => {
            update(MessageState::Failed, None, Some(reason), None, transient)?;
            events::append(tx, EventKind::Failed, now, &NewEvent { detail: reason, ..event })?;
            MessageState::Failed
        }
    };
    Ok(state)
}

/// Records a run of sent emails in one statement and ends any sending pause, as
/// [`record`] does for each; empties `run`.
fn record_run(tx: &Tx<'_>, run: &mut Vec<sent_run::Sent<'_>>, worker: &str, now: i64) -> Result<()> {
    if run.is_empty() {
        return Ok(());
    }
    sent_run::record_sent(tx, run, worker, now)?;
    super::pause::clear(tx)?;
    run.clear();
    Ok(())
}

/// What a dead worker's in-flight marker says (see [`crate::mail::liveness`]): the rows it
/// had started sending, and of those the ones the server had accepted (a `250` after DATA)
/// before the worker could record it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkerMarks {
    pub started: Vec<i64>,
    pub accepted: Vec<i64>,
}

/// What start-up knows of a dead worker, or `None` when it cannot tell.
pub type Started<'a> = &'a dyn Fn(&str) -> Option<WorkerMarks>;

/// Deals with the rows that a dead worker left in `sending`. A row the server had accepted
/// is recorded as sent (it arrived; only the record was missing). A row it had started but
/// not seen accepted (its bytes may have gone) becomes `uncertain`: the server may or may not
/// have it, so it is shown to staff and never re-sent on its own. A row it had claimed but
/// not started goes back to the outbox as if never claimed. Without a marker (`started`
/// says `None`) every row is uncertain. `alive` says whether the worker named in `claimed_by` still runs (then
/// its rows are left alone). Returns the rows made uncertain.
pub(crate) fn recover(
    tx: &Tx<'_>,
    alive: &dyn Fn(&str) -> bool,
    started: Started<'_>,
    actor: &str,
    now: i64,
) -> Result<Vec<i64>> {
    let rows: Vec<(i64, Option<i64>, Option<String>)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT id, reservation_id, claimed_by FROM messages WHERE state = 'sending' ORDER BY id",
        )?;
        stmt.query_map((), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?
    };
    let rows = rows.into_iter().filter(|(_, _, w)| !w.as_deref().is_some_and(alive)).collect();
    recover_rows(tx, rows, started, actor, now)
}

/// [`recover`] for rows already chosen (and, on PostgreSQL, locked): `(id, reservation,
/// claimed_by)` of rows in `sending` whose worker is gone.
pub(crate) fn recover_rows(
    tx: &Tx<'_>,
    rows: Vec<(i64, Option<i64>, Option<String>)>,
    started: Started<'_>,
    actor: &str,
    now: i64,
) -> Result<Vec<i64>> {
    let mut markers: std::collections::HashMap<String, Option<WorkerMarks>> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for (id, reservation_id, claimed_by) in rows {
        let marker = match &claimed_by {
            Some(w) => markers.entry(w.clone()).or_insert_with(|| started(w)).as_ref(),
            None => None,
        };
        if marker.is_some_and(|m| m.accepted.contains(&id)) {
            let detail = format!(
                "accepted by the server just before worker {} stopped; recorded at the next start",
                claimed_by.as_deref().unwrap_or("?")
            );
            tx.prepare_cached(
                "UPDATE messages SET state = 'sent', sent_at = ?2, claimed_by = NULL, next_attempt_at = NULL,
                        last_error = NULL WHERE id = ?1",
            )?
            .execute(params![id, now])?;
            let event =
                NewEvent { message_id: Some(id), reservation_id, detail: &detail, actor, ..NewEvent::default() };
            events::append(tx, EventKind::Sent, now, &event)?;
            continue;
        }
        if marker.is_some_and(|m| !m.started.contains(&id)) {
            batch::release_dead(tx, id)?;
            continue;
        }
        tx.prepare_cached("UPDATE messages SET state = 'uncertain', claimed_by = NULL WHERE id = ?1")?.execute([id])?;
        let detail = format!(
            "sending was interrupted (worker {}): the server may or may not have it; check and resend",
            claimed_by.as_deref().unwrap_or("?")
        );
        let event = NewEvent { message_id: Some(id), reservation_id, detail: &detail, actor, ..NewEvent::default() };
        events::append(tx, EventKind::Uncertain, now, &event)?;
        out.push(id);
    }
    Ok(out)
}

impl Store {
    /// Claims the next due message for `worker` (at most one); see [`batch::claim`].
    pub fn claim_next(&mut self, worker: &str, now: i64) -> Result<Claim> {
        self.claim_batch(worker, now, 1)
    }

    /// Claims up to `limit` due messages for `worker` in one transaction; see [`batch::claim`].
    /// On SQLite that is the one-writer transaction; on PostgreSQL a READ COMMITTED one whose
    /// row locks (`FOR UPDATE SKIP LOCKED`) keep concurrent claims apart without making them
    /// wait on or abort each other, as a SERIALIZABLE one would.
    pub fn claim_batch(&mut self, worker: &str, now: i64, limit: usize) -> Result<Claim> {
        let rules = self.rules;
        self.write_locking(|tx| batch::claim(tx, worker, &rules, now, limit))
    }

    /// Records the outcome of one attempt; see [`record`].
    pub fn record_delivery(
        &mut self,
        id: i64,
        worker: &str,
        delivery: &Delivery,
        block_after: u32,
        now: i64,
    ) -> Result<MessageState> {
        self.write(|tx| record(tx, id, worker, delivery, block_after, now))
    }

    /// The group commit: records the outcomes of `done` (in order), then claims up to `claim`
    /// more due messages, all in ONE transaction, so a flush costs one synced commit per batch
    /// instead of one per message. Returns the new state of each recorded message.
    pub fn record_and_claim(
        &mut self,
        done: &[(i64, &Delivery)],
        worker: &str,
        block_after: u32,
        now: i64,
        claim: usize,
    ) -> Result<(Vec<MessageState>, Claim)> {
        let rules = self.rules;
        if self.conn.engine() == Engine::Sqlite {
            return self.write(|tx| {
                let states = done
                    .iter()
                    .map(|(id, delivery)| record(tx, *id, worker, delivery, block_after, now))
                    .collect::<Result<Vec<_>>>()?;
                let claimed = if claim > 0 { batch::claim(tx, worker, &rules, now, claim)? } else { Claim::default() };
                Ok((states, claimed))
            });
        }
        // PostgreSQL: the results (and the end of their in-flight marks) in one transaction,
        // then the claim in its own locking one. Once the results are committed, a failed
        // claim must not send them to be recorded twice: it is logged and the next flush
        // claims again. Each run of sent emails goes in one statement (see [`sent_run`]);
        // the other outcomes, rare, one by one, in the batch's order.
        let record_all = |tx: &Tx<'_>| {
            let mut states = Vec::with_capacity(done.len());
            let mut run = Vec::new();
            for (id, delivery) in done {
                if let Delivery::Sent { reply, subject } = delivery {
                    run.push(sent_run::Sent { id: *id, reply, subject });
                    states.push(MessageState::Sent);
                    continue;
                }
                record_run(tx, &mut run, worker, now)?;
                states.push(record(tx, *id, worker, delivery, block_after, now)?);
            }
            record_run(tx, &mut run, worker, now)?;
            tx.execute("DELETE FROM worker_marks WHERE worker_id = ?1", [worker])?;
            Ok(states)
        };
        // Sent emails only (the common case): rows updated by id and guarded by their state,
        // events inserted, nothing counted on an address: READ COMMITTED keeps that meaning.
        // SERIALIZABLE is for the address records a refusal counts (read, then written).
        // Four workers' commits aborted each other ~100 times in 8,000 emails under it.
        let states = if done.iter().all(|(_, d)| matches!(d, Delivery::Sent { .. })) {
            self.write_locking(record_all)?
        } else {
            self.write(record_all)?
        };
        if claim == 0 {
            return Ok((states, Claim::default()));
        }
        match self.claim_batch(worker, now, claim) {
            Ok(claimed) => Ok((states, claimed)),
            Err(e) if !done.is_empty() => {
                tracing::warn!("results recorded, but the next claim failed: {e}");
                Ok((states, Claim::default()))
            }
            Err(e) => Err(e),
        }
    }

    /// Gives back claimed rows that `worker` never started sending; see [`batch::release`].
    pub fn release_claimed(&mut self, worker: &str, ids: &[i64]) -> Result<usize> {
        if ids.is_empty() {
            return Ok(0);
        }
        self.write(|tx| batch::release(tx, worker, ids))
    }

    /// Flags the rows dead workers left in `sending`, none of them known to be started
    /// (every one becomes `uncertain`); see [`recover`].
    pub fn recover_interrupted(&mut self, alive: &dyn Fn(&str) -> bool, actor: &str) -> Result<Vec<i64>> {
        self.write(|tx| recover(tx, alive, &|_| None, actor, super::now_ms()))
    }

    /// Deals with the rows dead workers left in `sending`, knowing which ones each had
    /// started; see [`recover`].
    pub fn recover_interrupted_with(
        &mut self,
        alive: &dyn Fn(&str) -> bool,
        started: Started<'_>,
        actor: &str,
    ) -> Result<Vec<i64>> {
        self.write(|tx| recover(tx, alive, started, actor, super::now_ms()))
    }

    /// How many messages are due now (the length of a flush's progress bar).
    pub fn due_count(&self, now: i64) -> Result<i64> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT COUNT(*) FROM messages WHERE state IN ('queued', 'deferred') AND next_attempt_at <= ?1",
            )?
            .query_row([now], |r| r.get(0))?)
    }

    /// When the next queued or deferred message falls due, if any.
    pub fn next_due_at(&self) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT MIN(next_attempt_at) FROM messages WHERE state IN ('queued', 'deferred')")?
            .query_row((), |r| r.get(0))?)
    }
}
