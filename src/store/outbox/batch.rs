//! Group commit for the outbox: claiming a batch of due rows in one transaction, and giving
//! back the ones a stopping worker did not get to.
//!
//! Why batches: with `synchronous=FULL` every commit is an fsync, and a shared disk gives a
//! few hundred of those a second. One commit per message capped a flush at ~230 msg/s; one
//! commit per batch (record the previous batch's results and claim the next) lifts that cap
//! by the batch size while keeping every guarantee: a row is `sending` on disk before any of
//! its bytes leave, so a worker killed mid-batch leaves at most its own batch in `sending`,
//! which start-up turns into `uncertain` (never re-sent on its own, never lost).

use rusqlite::{Transaction, params};

use super::{Claim, details};
use crate::domain::EventKind;
use crate::store::events::{self, NewEvent};
use crate::store::{Result, addresses};

/// Claims up to `limit` due messages (oldest due first) for `worker`, in the caller's
/// transaction. A due message to a blocked address is moved to `suppressed` (with its event)
/// instead and does not count towards `limit`. The caller's IMMEDIATE transaction holds
/// SQLite's single writer lock from the first read, so selecting and then updating is
/// atomic: two workers (threads or processes) never move the same row to `sending`.
pub(crate) fn claim(tx: &Transaction<'_>, worker: &str, now: i64, limit: usize) -> Result<Claim> {
    let mut out = Claim::default();
    let mut claimed = Vec::with_capacity(limit);
    while claimed.len() < limit {
        let want = limit - claimed.len();
        let rows: Vec<(i64, String, Option<i64>)> = tx
            .prepare_cached(
                "SELECT id, recipient, reservation_id FROM messages
                 WHERE state IN ('queued', 'deferred') AND next_attempt_at <= ?1
                 ORDER BY next_attempt_at, id LIMIT ?2",
            )?
            .query_map(params![now, want as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let full = rows.len() == want;
        for (id, recipient, reservation_id) in rows {
            if addresses::is_blocked(tx, &recipient)? {
                suppress(tx, id, &recipient, reservation_id, worker, now)?;
                out.suppressed.push(id);
                continue;
            }
            tx.prepare_cached(
                "UPDATE messages SET state = 'sending', claimed_by = ?2, attempts = attempts + 1, last_attempt_at = ?3
                 WHERE id = ?1",
            )?
            .execute(params![id, worker, now])?;
            claimed.push(id);
        }
        if !full {
            break;
        }
    }
    out.messages = details(tx, &claimed)?;
    Ok(out)
}

fn suppress(
    tx: &Transaction<'_>,
    id: i64,
    recipient: &str,
    reservation_id: Option<i64>,
    worker: &str,
    now: i64,
) -> Result<()> {
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
pub(crate) fn release(tx: &Transaction<'_>, worker: &str, ids: &[i64]) -> Result<usize> {
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
