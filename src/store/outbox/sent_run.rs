//! The group commit's common case on PostgreSQL: a run of emails the server took, recorded
//! in one statement instead of three round trips each.
//!
//! On SQLite a statement costs microseconds in the process, so [`super::record`] takes one
//! message at a time. On PostgreSQL each statement is a round trip to the server (its
//! wake-ups are most of the server's work when workers flush), and a worker's transaction
//! stays open across all of them: a batch of 64 took ~200 round trips. Here the run goes
//! over as one JSON array: the rows move to `sent` and each gets its `sent` event, in the
//! run's order, exactly as [`super::record`] would write them one by one.

use crate::domain::EventKind;
use crate::store::Result;
use crate::store::engine::{Tx, params};

/// One email of the run: its id, the server's reply and the subject it went with.
pub(crate) struct Sent<'a> {
    pub id: i64,
    pub reply: &'a str,
    pub subject: &'a str,
}

/// The run as a JSON array of records (the engine binds no arrays; the server unpacks it).
const RECORD_SENT_PG: &str = "WITH run AS (
    SELECT x.n, x.id, x.reply, x.subject, x.provider_id
    FROM json_to_recordset(CAST(CAST(?1 AS TEXT) AS JSON))
         AS x(n BIGINT, id BIGINT, reply TEXT, subject TEXT, provider_id TEXT)),
moved AS (
    UPDATE messages m SET state = 'sent', server_reply = run.reply, sent_at = ?2, last_error = NULL,
           next_attempt_at = NULL, claimed_by = NULL, fault = NULL, fault_reason = NULL,
           subject = CASE WHEN m.subject = '' THEN run.subject ELSE m.subject END,
           provider_id = run.provider_id
    FROM run WHERE m.id = run.id AND m.state IN ('sending', 'uncertain'))
INSERT INTO events (message_id, reservation_id, address, kind, at, detail, actor)
SELECT run.id, m.reservation_id, NULL, CAST(?3 AS TEXT), ?2, run.reply, CAST(?4 AS TEXT)
FROM run JOIN messages m ON m.id = run.id
ORDER BY run.n";

/// Records the run (in the caller's transaction) as sent at `now` by `worker`. An email
/// that is no longer `sending` or `uncertain` keeps its state and still gets its event, as
/// one at a time. The caller ends any sending pause, as for one sent email.
pub(crate) fn record_sent(tx: &Tx<'_>, run: &[Sent<'_>], worker: &str, now: i64) -> Result<()> {
    if run.is_empty() {
        return Ok(());
    }
    let records: Vec<serde_json::Value> = run
        .iter()
        .enumerate()
        .map(|(n, s)| {
            serde_json::json!({
                "n": n,
                "id": s.id,
                "reply": s.reply,
                "subject": s.subject,
                "provider_id": crate::provider_id::from_reply(s.reply),
            })
        })
        .collect();
    let json = serde_json::Value::Array(records).to_string();
    tx.prepare_cached(RECORD_SENT_PG)?.execute(params![json, now, EventKind::Sent.as_str(), worker])?;
    Ok(())
}
