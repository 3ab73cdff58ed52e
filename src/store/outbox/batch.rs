//! Group commit for the outbox: claiming a batch of due rows in one transaction, and giving
//! back the ones a stopping worker did not get to.
//!
//! Why batches: with `synchronous=FULL` every commit is an fsync, and a shared disk gives a
//! few hundred of those a second. One commit per message capped a flush at ~230 msg/s; one
//! commit per batch (record the previous batch's results and claim the next) lifts that cap
//! by the batch size while keeping every guarantee: a row is `sending` on disk before any of
//! its bytes leave, so a worker killed mid-batch leaves at most its own batch in `sending`,
//! which start-up turns into `uncertain` (never re-sent on its own, never lost).

use std::collections::HashMap;

use chrono::NaiveDateTime;

use crate::store::engine::{Engine, Tx, params};

use super::{Claim, details};
use crate::domain::{EmailKind, EventKind, MessageState};
use crate::journey::Booking;
use crate::store::events::{self, NewEvent};
use crate::store::plans::{self, Rules};
use crate::store::rows::{parsed, parsed_opt, starts_at};
use crate::store::{Result, addresses};

/// Claims up to `limit` due messages (oldest due first) for `worker`, in the caller's
/// transaction (on PostgreSQL a READ COMMITTED one: see [`DUE_PG`]). Each due message is first put to the journey ([`Policy::still_due`]): one
/// that no longer fits its reservation (cancelled, confirmed by another email, about the
/// past, a reminder after a failed confirmation) is withdrawn; one to a blocked address is
/// moved to `suppressed` (with its event). Neither counts towards `limit`. The caller's
/// IMMEDIATE transaction holds SQLite's single writer lock from the first read, so
/// selecting and then updating is atomic: two workers (threads or processes) never move the
/// same row to `sending`, and a host stand's change either commits before the claim (the
/// email is withdrawn) or after it (the email was already in flight).
pub(crate) fn claim(tx: &Tx<'_>, worker: &str, rules: &Rules, now: i64, limit: usize) -> Result<Claim> {
    let mut out = Claim::default();
    let mut claimed = Vec::with_capacity(limit);
    let local = rules.local(now);
    let mut zones = HashMap::new();
    while claimed.len() < limit {
        let want = limit - claimed.len();
        let sql = if tx.engine() == Engine::Postgres { DUE_PG } else { DUE };
        let rows: Vec<Due> = tx
            .prepare_cached(sql)?
            .query_map(params![now, want as i64], |r| {
                let status: Option<String> = r.get(4)?;
                let booking = match status {
                    Some(_) => Some(Booking { status: parsed(r, 4)?, starts_at: starts_at(r, 5)? }),
                    None => None,
                };
                Ok(Due {
                    id: r.get(0)?,
                    recipient: r.get(1)?,
                    reservation_id: r.get(2)?,
                    kind: parsed(r, 3)?,
                    booking,
                    confirmation: parsed_opt(r, 6)?,
                    blocked: r.get(7)?,
                    zone: r.get(8)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        let full = rows.len() == want;
        let mut taken = Vec::with_capacity(rows.len());
        for due in rows {
            let local = venue_local(&mut zones, due.zone.as_deref(), now).unwrap_or(local);
            if let Some(booking) = due.booking
                && let Err(why) = rules.policy.still_due(due.kind, booking, due.confirmation, due.blocked, local)
            {
                plans::withdraw(tx, due.id, due.reservation_id, why, worker, now)?;
                out.withdrawn.push((due.id, due.kind, why));
                continue;
            }
            if due.blocked {
                suppress(tx, due.id, &due.recipient, due.reservation_id, worker, now)?;
                out.suppressed.push(due.id);
                continue;
            }
            taken.push(due.id);
        }
        // The round's rows move to `sending` in one statement (one round trip on PostgreSQL).
        if !taken.is_empty() {
            let sql = if tx.engine() == Engine::Postgres { TAKE_PG } else { TAKE };
            tx.prepare_cached(sql)?.execute(params![id_list(&taken), worker, now])?;
            claimed.extend(taken);
        }
        if !full {
            break;
        }
    }
    out.messages = details(tx, &claimed)?;
    Ok(out)
}

/// The due rows, oldest due first, with what the journey needs.
const DUE: &str = "SELECT m.id, m.recipient, m.reservation_id, m.kind, r.status, r.starts_at,
        CASE WHEN m.kind = 'reminder' THEN
          (SELECT c.state FROM messages c WHERE c.reservation_id = m.reservation_id
             AND c.kind IN ('confirmed', 'pending')
           ORDER BY c.kind = 'confirmed' DESC, c.id DESC LIMIT 1) END,
        COALESCE((SELECT a.blocked FROM addresses a WHERE a.email = m.recipient), 0),
        (SELECT v.time_zone FROM venues v WHERE v.id = r.venue_id)
 FROM messages m LEFT JOIN reservations r ON r.id = m.reservation_id
 WHERE m.state IN ('queued', 'deferred') AND m.next_attempt_at <= ?1
 ORDER BY m.next_attempt_at, m.id LIMIT ?2";

/// [`DUE`] on PostgreSQL, where several workers claim at once: each locks the rows it takes
/// and passes over (never waits for) the rows another worker's claim holds, so no two
/// claims take one row and none waits on another. A row another claim just moved to
/// `sending` is re-checked once its lock is free and no longer matches.
const DUE_PG: &str = "SELECT m.id, m.recipient, m.reservation_id, m.kind, r.status, r.starts_at,
        CASE WHEN m.kind = 'reminder' THEN
          (SELECT c.state FROM messages c WHERE c.reservation_id = m.reservation_id
             AND c.kind IN ('confirmed', 'pending')
           ORDER BY c.kind = 'confirmed' DESC, c.id DESC LIMIT 1) END,
        COALESCE((SELECT a.blocked FROM addresses a WHERE a.email = m.recipient), 0),
        (SELECT v.time_zone FROM venues v WHERE v.id = r.venue_id)
 FROM messages m LEFT JOIN reservations r ON r.id = m.reservation_id
 WHERE m.state IN ('queued', 'deferred') AND m.next_attempt_at <= ?1
 ORDER BY m.next_attempt_at, m.id LIMIT ?2
 FOR UPDATE OF m SKIP LOCKED";

/// Moves the rows of a JSON list of ids to `sending` for worker `?2` at `?3`.
const TAKE: &str =
    "UPDATE messages SET state = 'sending', claimed_by = ?2, attempts = attempts + 1, last_attempt_at = ?3
 WHERE id IN (SELECT value FROM json_each(?1))";

/// [`TAKE`] on PostgreSQL, whose `json_each` reads objects, not arrays.
const TAKE_PG: &str =
    "UPDATE messages SET state = 'sending', claimed_by = ?2, attempts = attempts + 1, last_attempt_at = ?3
 WHERE id IN (SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(CAST(?1 AS TEXT) AS JSON)))";

/// `[1,2,3]`: ids as the JSON list [`TAKE`] and the claim's details read.
pub(super) fn id_list(ids: &[i64]) -> String {
    format!("[{}]", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
}

/// A due row, with what the journey needs to say whether it still goes out.
struct Due {
    id: i64,
    recipient: String,
    reservation_id: Option<i64>,
    kind: EmailKind,
    booking: Option<Booking>,
    confirmation: Option<MessageState>,
    /// The recipient's address is blocked.
    blocked: bool,
    /// The time zone of the reservation's venue (empty or unknown: the rules' clock).
    zone: Option<String>,
}

/// The wall-clock time at `now` in the venue time zone `zone` (each zone worked out once per
/// claim); `None` when the venue names none (or none the zone database knows).
fn venue_local(
    zones: &mut HashMap<String, Option<NaiveDateTime>>,
    zone: Option<&str>,
    now: i64,
) -> Option<NaiveDateTime> {
    let zone = zone.map(str::trim).filter(|z| !z.is_empty())?;
    *zones.entry(zone.to_owned()).or_insert_with(|| crate::clock::Clock::named(Some(zone)).ok().map(|c| c.naive(now)))
}

fn suppress(tx: &Tx<'_>, id: i64, recipient: &str, reservation_id: Option<i64>, worker: &str, now: i64) -> Result<()> {
    tx.prepare_cached("UPDATE messages SET state = 'suppressed', claimed_by = NULL WHERE id = ?1")?.execute([id])?;
    let detail = match addresses::fetch(tx, recipient)? {
        Some(a) => format!("not sent: address blocked after {} errors", a.error_count),
        None => "not sent: address blocked".to_owned(),
    };
    let event =
        NewEvent { message_id: Some(id), reservation_id, address: Some(recipient), detail: &detail, actor: worker };
    events::append(tx, EventKind::Suppressed, now, &event)?;
    Ok(())
}

/// Gives back rows `worker` claimed but never started sending (a stop mid-batch): each goes
/// back to where it was, `queued` on a first attempt, else `deferred` with its retry time
/// unchanged, and the attempt the claim counted is taken back. Only rows still `sending` and
/// still claimed by `worker` move. Returns how many did.
pub(crate) fn release(tx: &Tx<'_>, worker: &str, ids: &[i64]) -> Result<usize> {
    let mut stmt = tx.prepare_cached(
        "UPDATE messages SET state = CASE WHEN attempts > 1 THEN 'deferred' ELSE 'queued' END,
                attempts = attempts - 1, claimed_by = NULL
         WHERE id = ?1 AND state = 'sending' AND claimed_by = ?2",
    )?;
    let mut moved = 0;
    for id in ids {
        moved += stmt.execute(params![id, worker])?;
    }
    Ok(moved)
}

/// Gives back one row a dead worker claimed but never started sending: `queued` on a first
/// attempt, else `deferred` with its retry time unchanged; the claim's attempt taken back.
pub(crate) fn release_dead(tx: &Tx<'_>, id: i64) -> Result<()> {
    tx.prepare_cached(
        "UPDATE messages SET state = CASE WHEN attempts > 1 THEN 'deferred' ELSE 'queued' END,
                attempts = MAX(attempts - 1, 0), claimed_by = NULL
         WHERE id = ?1 AND state = 'sending'",
    )?
    .execute([id])?;
    Ok(())
}
