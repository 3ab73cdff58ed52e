//! The pixel writer's batch on PostgreSQL: every new `opens` row in one statement and every
//! message's new totals in another, where SQLite takes a statement per row.
//!
//! Each statement is a round trip to the server. A burst of first opens (a reminder batch
//! fetched by a mail provider's image proxy, or the benchmark's 10,000 tokens) made the
//! writer spend seconds on a row each, its queue filled, and the endpoint had to drop hits,
//! new opens among them. Both go over as JSON arrays the server unpacks.

use std::borrow::Cow;

use serde_json::{Value, json};

use std::collections::HashMap;

use super::{ClientKey, Totals};
use crate::store::engine::{Tx, params};
use crate::store::{Result, StoreError};

/// One `opens` row to insert.
pub(super) struct NewOpen<'a> {
    pub message_id: i64,
    pub at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<&'a str>,
    pub seconds_after_send: Option<i64>,
    pub machine: bool,
    pub reason: Cow<'static, str>,
    pub kind: &'static str,
    pub rule: Cow<'static, str>,
}

const INSERT_OPENS_PG: &str =
    "INSERT INTO opens (message_id, at, ip, user_agent, seconds_after_send, machine, reason, kind, rule)
 SELECT o.message_id, o.at, o.ip, o.user_agent, o.seconds_after_send, o.machine, o.reason, o.kind, o.rule
 FROM json_to_recordset(CAST(CAST(?1 AS TEXT) AS JSON))
      AS o(n BIGINT, message_id BIGINT, at BIGINT, ip TEXT, user_agent TEXT, seconds_after_send BIGINT,
           machine BIGINT, reason TEXT, kind TEXT, rule TEXT)
 ORDER BY o.n";

const ADD_TOTALS_PG: &str = "UPDATE messages m SET open_count = m.open_count + t.opens,
        human_open_count = m.human_open_count + t.human,
        proxy_open_count = m.proxy_open_count + t.proxy,
        open_via = COALESCE(t.via, m.open_via),
        open_hits_not_kept = m.open_hits_not_kept + t.not_kept,
        first_opened_at = COALESCE(m.first_opened_at, t.first_at),
        last_opened_at = GREATEST(COALESCE(m.last_opened_at, t.last_at), t.last_at)
 FROM json_to_recordset(CAST(CAST(?1 AS TEXT) AS JSON))
      AS t(id BIGINT, opens BIGINT, human BIGINT, proxy BIGINT, via TEXT, not_kept BIGINT,
           first_at BIGINT, last_at BIGINT)
 WHERE m.id = t.id";

fn json_text(rows: Vec<Value>) -> Result<String> {
    serde_json::to_string(&Value::Array(rows)).map_err(|e| StoreError::Invalid(e.to_string()))
}

/// Inserts `opens` in their order, in one statement.
pub(super) fn insert_opens(tx: &Tx<'_>, opens: &[NewOpen<'_>]) -> Result<()> {
    if opens.is_empty() {
        return Ok(());
    }
    let rows = opens
        .iter()
        .enumerate()
        .map(|(n, o)| {
            json!({
                "n": n,
                "message_id": o.message_id,
                "at": o.at,
                "ip": o.ip,
                "user_agent": o.user_agent,
                "seconds_after_send": o.seconds_after_send,
                "machine": i64::from(o.machine),
                "reason": o.reason.as_ref(),
                "kind": o.kind,
                "rule": o.rule.as_ref(),
            })
        })
        .collect();
    tx.prepare_cached(INSERT_OPENS_PG)?.execute(params![json_text(rows)?])?;
    Ok(())
}

/// Adds each message's totals of the batch, in one statement.
pub(super) fn add_totals(tx: &Tx<'_>, totals: &HashMap<i64, Totals>) -> Result<()> {
    if totals.is_empty() {
        return Ok(());
    }
    let rows = totals
        .iter()
        .map(|(id, t)| {
            json!({
                "id": id,
                "opens": t.opens,
                "human": t.human,
                "proxy": t.proxy,
                "via": t.via,
                "not_kept": t.not_kept,
                "first_at": t.first_at,
                "last_at": t.last_at,
            })
        })
        .collect();
    tx.prepare_cached(ADD_TOTALS_PG)?.execute(params![json_text(rows)?])?;
    Ok(())
}

/// Each client's latest stored open of its message since its bound, for the clients the
/// writer has no memory of (after a restart): `(n, MAX(at))` by the client's place in the list.
const LAST_FROM_CLIENTS_PG: &str = "SELECT c.n, MAX(o.at)
 FROM json_to_recordset(CAST(CAST(?1 AS TEXT) AS JSON))
      AS c(n BIGINT, message_id BIGINT, since BIGINT, ip TEXT, user_agent TEXT)
 JOIN opens o ON o.message_id = c.message_id AND o.at > c.since
      AND o.ip IS NOT DISTINCT FROM c.ip AND o.user_agent IS NOT DISTINCT FROM c.user_agent
 GROUP BY c.n";

/// The latest stored open of each client in `since` (the client and the earliest bound of
/// its hits in the batch), in one statement. A client with none is absent from the answer.
///
/// One bound per client is enough: the writer checks the window again against each hit,
/// and a later open is found from an earlier bound as from its own.
pub(super) fn last_from_clients(tx: &Tx<'_>, since: &HashMap<ClientKey, i64>) -> Result<HashMap<ClientKey, i64>> {
    if since.is_empty() {
        return Ok(HashMap::new());
    }
    let keys: Vec<(&ClientKey, i64)> = since.iter().map(|(k, at)| (k, *at)).collect();
    let rows = keys
        .iter()
        .enumerate()
        .map(|(n, ((message_id, ip, user_agent), since))| {
            json!({
                "n": n,
                "message_id": message_id,
                "since": since,
                "ip": ip.map(|ip| ip.to_string()),
                "user_agent": user_agent,
            })
        })
        .collect();
    let mut stmt = tx.prepare_cached(LAST_FROM_CLIENTS_PG)?;
    let found =
        stmt.query_map(params![json_text(rows)?], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?)))?;
    let mut out = HashMap::new();
    for row in found {
        let (n, at) = row?;
        if let (Some((key, _)), Some(at)) = (usize::try_from(n).ok().and_then(|n| keys.get(n)), at) {
            out.insert((*key).clone(), at);
        }
    }
    Ok(out)
}
