//! The opens table: each fetch of a tracking pixel, and the open counters on its message.
//!
//! The tracker's single writer thread hands a whole batch of hits to [`Store::record_opens`],
//! which stores them in one transaction: one commit (one fsync) for hundreds of hits is what
//! lets the endpoint answer at full speed while still recording every open. No `events` row
//! is written per open: the history reads this table directly.

use std::borrow::Cow;
use std::collections::HashMap;
use std::net::IpAddr;

use crate::store::engine::{Engine, OptionalExtension as _, Tx, params};

use super::{Result, Store, StoreError};

mod batch_pg;

/// One pixel fetch, as the endpoint saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenHit {
    /// The token from the pixel's URL (unknown tokens are counted and dropped).
    pub token: String,
    /// When the request arrived, UTC Unix ms.
    pub at: i64,
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
}

/// What the classifier gets to decide human or machine.
#[derive(Debug, Clone, Copy)]
pub struct OpenFacts<'a> {
    pub user_agent: Option<&'a str>,
    pub ip: Option<IpAddr>,
    /// Whole seconds between the message's sending and this fetch; `None` if never sent.
    pub seconds_after_send: Option<i64>,
}

/// Who fetched the pixel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpenKind {
    /// A person, directly: their browser or mail client.
    Person,
    /// A person, through their provider's image proxy (Gmail, Yahoo): a real open.
    Proxy,
    /// A machine: privacy prefetch, scanner, preview, HTTP tool. Proves nothing.
    Machine,
}

impl OpenKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            OpenKind::Person => "person",
            OpenKind::Proxy => "proxy",
            OpenKind::Machine => "machine",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "person" => Some(OpenKind::Person),
            "proxy" => Some(OpenKind::Proxy),
            "machine" => Some(OpenKind::Machine),
            _ => None,
        }
    }

    /// A proxy open is a person's open for the marker, the follow-up list and the health.
    pub const fn is_person(self) -> bool {
        !matches!(self, OpenKind::Machine)
    }
}

/// The classifier's answer, stored with the open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenVerdict {
    pub kind: OpenKind,
    /// The id of the rule that decided ("gmail-proxy", "eop-range", "person").
    pub rule: Cow<'static, str>,
    /// Why, in a few words for the history ("Gmail image proxy", "browser or mail client").
    pub reason: Cow<'static, str>,
    /// For a proxy open, the provider ("Gmail").
    pub via: Option<Cow<'static, str>>,
}

impl OpenVerdict {
    /// A person's direct open (no rule matched).
    pub const fn person() -> Self {
        OpenVerdict {
            kind: OpenKind::Person,
            rule: Cow::Borrowed("person"),
            reason: Cow::Borrowed("browser or mail client"),
            via: None,
        }
    }

    pub const fn machine(&self) -> bool {
        matches!(self.kind, OpenKind::Machine)
    }
}

/// How hits become opens: replays counted once, and a cap on raw hits per message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenPolicy {
    /// Hits on one message from one client (address and User-Agent) within this many ms of
    /// the last counted one are replays: counted once.
    pub dedup_ms: i64,
    /// A message keeps at most this many raw hits; past it only its counters and last-open
    /// time move.
    pub hits_kept: u32,
}

impl Default for OpenPolicy {
    fn default() -> Self {
        OpenPolicy { dedup_ms: 60_000, hits_kept: 50 }
    }
}

/// One client of one message.
pub(crate) type ClientKey = (i64, Option<IpAddr>, Option<String>);

/// The last counted open of each recent client, kept by the writer across batches so a
/// replay is recognised even once the message keeps no more raw hits. Bounded: entries
/// older than the dedup window are dropped when it grows past [`RecentClients::CAP`].
#[derive(Debug, Default)]
pub struct RecentClients {
    last: HashMap<ClientKey, i64>,
    /// The message of each token recently stored (a token never changes message), so a
    /// replay is told from memory without a look-up.
    tokens: HashMap<String, i64>,
}

impl RecentClients {
    const CAP: usize = 100_000;

    fn last_counted(&self, key: &ClientKey) -> Option<i64> {
        self.last.get(key).copied()
    }

    /// Whether `hit` replays a client counted within `dedup_ms`, as far as memory tells.
    fn is_replay(&self, hit: &OpenHit, dedup_ms: i64) -> bool {
        let Some(&id) = self.tokens.get(&hit.token) else { return false };
        let key: ClientKey = (id, hit.ip, hit.user_agent.clone());
        self.last_counted(&key).is_some_and(|last| hit.at >= last && hit.at - last < dedup_ms)
    }

    fn learn_token(&mut self, token: &str, id: i64) {
        if self.tokens.len() >= Self::CAP {
            self.tokens.clear();
        }
        self.tokens.insert(token.to_owned(), id);
    }

    fn counted(&mut self, key: ClientKey, at: i64, dedup_ms: i64) {
        if self.last.len() >= Self::CAP {
            self.last.retain(|_, last| at - *last < dedup_ms);
            if self.last.len() >= Self::CAP {
                self.last.clear();
            }
        }
        self.last.insert(key, at);
    }

    pub fn len(&self) -> usize {
        self.last.len()
    }

    pub fn is_empty(&self) -> bool {
        self.last.is_empty()
    }
}

/// The clients the writer remembers, and those counted in the batch being written.
pub(crate) struct Clients<'a> {
    pub(crate) recent: &'a RecentClients,
    pub(crate) batch: &'a mut HashMap<ClientKey, i64>,
    /// The batch's tokens found with their message, for the writer to remember.
    pub(crate) tokens: &'a mut Vec<(String, i64)>,
}

/// What one batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordedBatch {
    /// Opens counted (hits whose token belongs to a message, replays aside).
    pub recorded: usize,
    /// Hits dropped because no message has their token.
    pub unknown: usize,
    /// Hits counted once already: the same client within the dedup window.
    pub replays: usize,
    /// Opens counted but not kept as a raw hit (the message had its fill).
    pub not_kept: usize,
}

/// One stored open, for the history pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenRecord {
    pub id: i64,
    pub message_id: i64,
    pub at: i64,
    /// `None` once erased by the retention purge.
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub seconds_after_send: Option<i64>,
    pub machine: bool,
    pub kind: OpenKind,
    /// The rule that decided.
    pub rule: String,
    pub reason: String,
}

/// Per message totals of one batch, applied with one UPDATE.
#[derive(Debug, Clone, Default)]
struct Totals {
    opens: u32,
    human: u32,
    proxy: u32,
    not_kept: u32,
    via: Option<String>,
    first_at: i64,
    last_at: i64,
}

/// A message as the batch knows it: its id, sending time and raw hits kept so far.
#[derive(Debug, Clone, Copy)]
struct Known {
    id: i64,
    sent_at: Option<i64>,
    kept: u32,
}

/// The messages of a batch's tokens (a JSON array), with their sending time and raw hits kept.
const FIND_MESSAGES: &str = "SELECT token, id, sent_at, (SELECT COUNT(*) FROM opens o WHERE o.message_id = m.id)
     FROM messages m WHERE token IN (SELECT value FROM json_each(?1))";

/// [`FIND_MESSAGES`] on PostgreSQL, whose `json_each` reads objects, not arrays.
const FIND_MESSAGES_PG: &str = "SELECT token, id, sent_at, (SELECT COUNT(*) FROM opens o WHERE o.message_id = m.id)
     FROM messages m WHERE token IN (SELECT value FROM json_array_elements_text(CAST(CAST(?1 AS TEXT) AS JSON)))";

/// Each distinct token of `hits`, with its message when one has it.
fn known_messages<'h>(tx: &Tx<'_>, hits: &'h [OpenHit]) -> Result<HashMap<&'h str, Option<Known>>> {
    let mut messages: HashMap<&str, Option<Known>> = hits.iter().map(|h| (h.token.as_str(), None)).collect();
    let tokens: Vec<&str> = messages.keys().copied().collect();
    let list = serde_json::to_string(&tokens).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let sql = match tx.engine() {
        Engine::Sqlite => FIND_MESSAGES,
        Engine::Postgres => FIND_MESSAGES_PG,
    };
    let rows = tx.prepare_cached(sql)?.query_map([list], |r| {
        Ok((r.get::<_, String>(0)?, Known { id: r.get(1)?, sent_at: r.get(2)?, kept: r.get(3)? }))
    })?;
    for row in rows {
        let (token, known) = row?;
        if let Some(slot) = messages.get_mut(token.as_str()) {
            *slot = Some(known);
        }
    }
    Ok(messages)
}

/// Stores a batch of hits in the caller's transaction; see [`Store::record_opens`].
pub(crate) fn record(
    tx: &Tx<'_>,
    hits: &[OpenHit],
    policy: OpenPolicy,
    clients: &mut Clients<'_>,
    classify: &mut dyn FnMut(&OpenFacts<'_>) -> OpenVerdict,
) -> Result<RecordedBatch> {
    // Only asked when the writer has no memory of the client (after a restart). `IS NOT
    // DISTINCT FROM` is SQLite's `IS` (the same operator there) in words PostgreSQL accepts.
    let mut last_from_client = tx.prepare_cached(
        "SELECT MAX(at) FROM opens
         WHERE message_id = ?1 AND at > ?2 AND ip IS NOT DISTINCT FROM ?3 AND user_agent IS NOT DISTINCT FROM ?4",
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO opens (message_id, at, ip, user_agent, seconds_after_send, machine, reason, kind, rule)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    // Every token of the batch looked up in one statement: on PostgreSQL a look-up per
    // token was a round trip each, and the writer fell behind a busy endpoint.
    let mut messages = known_messages(tx, hits)?;
    clients.tokens.extend(messages.iter().filter_map(|(token, k)| k.map(|k| ((*token).to_owned(), k.id))));
    // PostgreSQL: the batch's rows and totals go in one statement each (see [`batch_pg`]),
    // and so does the look-up of the clients the writer has no memory of.
    let pg = tx.engine() == Engine::Postgres;
    let mut new_opens = Vec::new();
    let stored_last = if pg && policy.dedup_ms > 0 {
        let mut since: HashMap<ClientKey, i64> = HashMap::new();
        for hit in hits {
            let Some(Some(known)) = messages.get(hit.token.as_str()) else { continue };
            let key: ClientKey = (known.id, hit.ip, hit.user_agent.clone());
            if clients.batch.contains_key(&key) || clients.recent.last_counted(&key).is_some() {
                continue;
            }
            let bound = hit.at - policy.dedup_ms;
            since.entry(key).and_modify(|b| *b = (*b).min(bound)).or_insert(bound);
        }
        batch_pg::last_from_clients(tx, &since)?
    } else {
        HashMap::new()
    };
    let mut totals: HashMap<i64, Totals> = HashMap::new();
    let mut out = RecordedBatch::default();
    for hit in hits {
        let found = messages.get(hit.token.as_str()).copied().flatten();
        let Some(known) = found else {
            out.unknown += 1;
            continue;
        };
        let key: ClientKey = (known.id, hit.ip, hit.user_agent.clone());
        let ip = hit.ip.map(|ip| ip.to_string());
        let last = match clients.batch.get(&key).copied().or_else(|| clients.recent.last_counted(&key)) {
            Some(at) => Some(at),
            None if pg => stored_last.get(&key).copied(),
            None if policy.dedup_ms > 0 => last_from_client
                .query_row(params![known.id, hit.at - policy.dedup_ms, ip, hit.user_agent], |r| r.get(0))
                .optional()?
                .flatten(),
            None => None,
        };
        if last.is_some_and(|last| hit.at >= last && hit.at - last < policy.dedup_ms) {
            out.replays += 1;
            continue;
        }
        clients.batch.insert(key, hit.at);
        let seconds_after_send = known.sent_at.map(|sent| (hit.at - sent).div_euclid(1000));
        let facts = OpenFacts { user_agent: hit.user_agent.as_deref(), ip: hit.ip, seconds_after_send };
        let verdict = classify(&facts);
        let keep = known.kept < policy.hits_kept;
        if keep {
            if pg {
                new_opens.push(batch_pg::NewOpen {
                    message_id: known.id,
                    at: hit.at,
                    ip,
                    user_agent: hit.user_agent.as_deref(),
                    seconds_after_send,
                    machine: verdict.machine(),
                    reason: verdict.reason.clone(),
                    kind: verdict.kind.as_str(),
                    rule: verdict.rule.clone(),
                });
            } else {
                insert.execute(params![
                    known.id,
                    hit.at,
                    ip,
                    hit.user_agent,
                    seconds_after_send,
                    verdict.machine(),
                    verdict.reason.as_ref(),
                    verdict.kind.as_str(),
                    verdict.rule.as_ref(),
                ])?;
            }
            if let Some(Some(k)) = messages.get_mut(hit.token.as_str()) {
                k.kept += 1;
            }
        } else {
            out.not_kept += 1;
        }
        let t = totals.entry(known.id).or_insert(Totals { first_at: hit.at, last_at: hit.at, ..Totals::default() });
        t.opens += 1;
        t.human += u32::from(verdict.kind.is_person());
        t.not_kept += u32::from(!keep);
        if verdict.kind == OpenKind::Proxy {
            t.proxy += 1;
            t.via = verdict.via.as_deref().map(str::to_owned);
        }
        t.first_at = t.first_at.min(hit.at);
        t.last_at = t.last_at.max(hit.at);
        out.recorded += 1;
    }
    if pg {
        batch_pg::insert_opens(tx, &new_opens)?;
        batch_pg::add_totals(tx, &totals)?;
        return Ok(out);
    }
    let mut update = tx.prepare_cached(
        "UPDATE messages SET open_count = open_count + ?2,
                             human_open_count = human_open_count + ?3,
                             proxy_open_count = proxy_open_count + ?6,
                             open_via = COALESCE(?7, open_via),
                             open_hits_not_kept = open_hits_not_kept + ?8,
                             first_opened_at = COALESCE(first_opened_at, ?4),
                             last_opened_at = MAX(COALESCE(last_opened_at, ?5), ?5)
         WHERE id = ?1",
    )?;
    for (id, t) in totals {
        update.execute(params![id, t.opens, t.human, t.first_at, t.last_at, t.proxy, t.via, t.not_kept])?;
    }
    Ok(out)
}

impl Store {
    /// Records a batch of pixel hits in one transaction: an `opens` row per hit of a known
    /// token, classified by `classify`, and per message the open counts, `first_opened_at`
    /// (set once, never changed) and `last_opened_at` (only moves forward). Hits of unknown
    /// tokens record nothing. All of the batch commits, or none of it.
    pub fn record_opens(
        &mut self,
        hits: &[OpenHit],
        mut classify: impl FnMut(&OpenFacts<'_>) -> OpenVerdict,
    ) -> Result<RecordedBatch> {
        self.record_opens_with(
            hits,
            OpenPolicy { dedup_ms: 0, hits_kept: u32::MAX },
            &mut RecentClients::default(),
            &mut classify,
        )
    }

    /// As [`Store::record_opens`], with the venue's policy: a replay (same client within
    /// `dedup_ms` of its last counted open) records nothing; past `hits_kept` raw hits a
    /// message only moves its counters and last-open time. `recent` remembers clients
    /// across batches. A proxy open counts as a person's (`human_open_count`) and also in
    /// `proxy_open_count`, with the provider in `open_via`.
    pub fn record_opens_with(
        &mut self,
        hits: &[OpenHit],
        policy: OpenPolicy,
        recent: &mut RecentClients,
        classify: &mut dyn FnMut(&OpenFacts<'_>) -> OpenVerdict,
    ) -> Result<RecordedBatch> {
        if hits.is_empty() {
            return Ok(RecordedBatch::default());
        }
        // Replays memory alone can tell (a known token, its client counted within the window)
        // need no database: under a flood of repeats the writer keeps up with the endpoint.
        let (replays, fresh): (Vec<&OpenHit>, Vec<&OpenHit>) =
            hits.iter().partition(|h| policy.dedup_ms > 0 && recent.is_replay(h, policy.dedup_ms));
        if fresh.is_empty() {
            return Ok(RecordedBatch { replays: replays.len(), ..RecordedBatch::default() });
        }
        let fresh: Vec<OpenHit> = fresh.into_iter().cloned().collect();
        // The batch is retried whole if the commit fails: remember its clients only once it
        // is in.
        let mut batch = HashMap::new();
        let mut tokens = Vec::new();
        let mut done = self.write(|tx| {
            batch.clear();
            tokens.clear();
            record(tx, &fresh, policy, &mut Clients { recent, batch: &mut batch, tokens: &mut tokens }, classify)
        })?;
        for (key, at) in batch {
            recent.counted(key, at, policy.dedup_ms);
        }
        for (token, id) in tokens {
            recent.learn_token(&token, id);
        }
        done.replays += replays.len();
        Ok(done)
    }

    /// The opens of one message, newest first.
    pub fn opens_for_message(&self, message_id: i64) -> Result<Vec<OpenRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, message_id, at, ip, user_agent, seconds_after_send, machine, reason, kind, rule
             FROM opens WHERE message_id = ?1 ORDER BY at DESC, id DESC",
        )?;
        let rows = stmt.query_map([message_id], |r| {
            Ok(OpenRecord {
                id: r.get(0)?,
                message_id: r.get(1)?,
                at: r.get(2)?,
                ip: r.get(3)?,
                user_agent: r.get(4)?,
                seconds_after_send: r.get(5)?,
                machine: r.get(6)?,
                reason: r.get(7)?,
                kind: OpenKind::parse(&r.get::<_, String>(8)?).unwrap_or(OpenKind::Machine),
                rule: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many opens are stored in all, for summaries and tests.
    pub fn open_total(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT COUNT(*) FROM opens", (), |r| r.get(0))?)
    }

    /// Privacy retention: erases the client IP and User-Agent of opens older than
    /// `before` (UTC Unix ms), keeping the time and the verdict. Returns how many opens
    /// were erased.
    pub fn erase_open_details_before(&mut self, before: i64) -> Result<usize> {
        self.write(|tx| {
            Ok(tx
                .prepare_cached(
                    "UPDATE opens SET ip = NULL, user_agent = NULL
                     WHERE at < ?1 AND (ip IS NOT NULL OR user_agent IS NOT NULL)",
                )?
                .execute([before])?)
        })
    }
}
