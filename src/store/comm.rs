//! The communication-history screen (the brief's "Guests > Communication history"): every
//! email this guestmail sent, newest first, filtered by kind, state, date range and text,
//! read a page at a time with a keyset cursor so any page costs what the first one does.
//!
//! Speed on a million reservations: the unfiltered walk and the kind/state filters read an
//! index in time order and stop after one page (`messages_by_created`, and migration 002's
//! `messages_by_kind_created` / `messages_by_state_created`). A text filter first looks the
//! text up among guests (name or current address) in the trigram index `guests_search` (FTS5
//! on SQLite; on PostgreSQL a GIN trigram index, asked with `ILIKE '%text%'`); when
//! few guests match, their emails are read by guest, otherwise the time-ordered walk filters
//! row by row and fills the page fast because matches are common.

use super::engine::{Engine, Value};
use chrono::NaiveDateTime;

use super::rows::{STARTS_AT_FORMAT, parsed};
use super::{Result, Store};
use crate::domain::{EmailKind, MessageState};

/// What the screen filters on; the default shows everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommFilter {
    pub kind: Option<EmailKind>,
    pub state: Option<MessageState>,
    /// Created at or after (UTC Unix ms).
    pub from: Option<i64>,
    /// Created before (UTC Unix ms).
    pub to: Option<i64>,
    /// Part of the guest's name or address, any case.
    pub text: String,
    /// Only this venue's emails (its guests'); `None`: every venue's.
    /// [`Store::communication_history`] sets it to the connection's venue.
    pub venue: Option<i64>,
}

/// Where the next page starts: the last row of the previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommCursor {
    pub created_at: i64,
    pub id: i64,
}

/// One row of the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommRow {
    pub id: i64,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub kind: EmailKind,
    pub state: MessageState,
    pub guest_id: i64,
    pub guest_name: String,
    pub recipient: String,
    pub reservation_at: Option<NaiveDateTime>,
    pub next_attempt_at: Option<i64>,
    pub human_opens: u32,
    pub machine_opens: u32,
    /// Every person's open came through this provider's image proxy ("Gmail").
    pub open_via: Option<String>,
    pub last_opened_at: Option<i64>,
    pub resend_of: Option<i64>,
}

impl CommRow {
    pub fn cursor(&self) -> CommCursor {
        CommCursor { created_at: self.created_at, id: self.id }
    }
}

/// Up to this many guests matching the text, their emails are read guest by guest.
const FEW_GUESTS: usize = 2_000;

const SELECT: &str = "
SELECT m.id, m.created_at, m.sent_at, m.kind, m.state, m.guest_id, g.name, m.recipient, r.starts_at,
       m.next_attempt_at, m.human_open_count, m.open_count - m.human_open_count, m.last_opened_at, m.resend_of,
       CASE WHEN m.human_open_count > 0 AND m.proxy_open_count >= m.human_open_count THEN m.open_via END
FROM messages m JOIN guests g ON g.id = m.guest_id LEFT JOIN reservations r ON r.id = m.reservation_id";

/// The statement for a filter, with its parameters. Only the clauses in use are written, so
/// SQLite can pick the index that fits (`x = ?` or-NULL tricks would hide it).
pub fn comm_query(
    f: &CommFilter,
    guests: Option<&[i64]>,
    limit: usize,
    after: Option<CommCursor>,
) -> (String, Vec<Value>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let mut push = |clause: &str, v: Value, values: &mut Vec<Value>| {
        values.push(v);
        clauses.push(clause.replace('?', &format!("?{}", values.len())));
    };
    if let Some(k) = f.kind {
        push("m.kind = ?", Value::Text(k.as_str().into()), &mut values);
    }
    if let Some(s) = f.state {
        push("m.state = ?", Value::Text(s.as_str().into()), &mut values);
    }
    if let Some(from) = f.from {
        push("m.created_at >= ?", Value::Integer(from), &mut values);
    }
    if let Some(to) = f.to {
        push("m.created_at < ?", Value::Integer(to), &mut values);
    }
    if let Some(v) = f.venue {
        push("g.venue_id = ?", Value::Integer(v), &mut values);
    }
    if let Some(c) = after {
        values.push(Value::Integer(c.created_at));
        values.push(Value::Integer(c.id));
        clauses.push(format!("(m.created_at, m.id) < (?{}, ?{})", values.len() - 1, values.len()));
    }
    match guests {
        // No guest matches: nothing does (PostgreSQL refuses SQLite's empty `IN ()`).
        Some([]) => clauses.push("1 = 0".to_owned()),
        Some(ids) => {
            let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            clauses.push(format!("m.guest_id IN ({list})"));
        }
        None if !f.text.trim().is_empty() => {
            values.push(Value::Text(like_pattern(&f.text)));
            let n = values.len();
            clauses.push(format!("(g.name LIKE ?{n} ESCAPE '\\' OR g.email LIKE ?{n} ESCAPE '\\')"));
        }
        None => {}
    }
    let filter = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
    (format!("{SELECT}{filter} ORDER BY m.created_at DESC, m.id DESC LIMIT {limit}"), values)
}

/// `%text%`, with LIKE's wildcards in the text taken literally (`\\` escapes them).
fn like_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.trim().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

fn row(r: &crate::store::engine::Row<'_>) -> crate::store::engine::Result<CommRow> {
    Ok(CommRow {
        id: r.get(0)?,
        created_at: r.get(1)?,
        sent_at: r.get(2)?,
        kind: parsed(r, 3)?,
        state: parsed(r, 4)?,
        guest_id: r.get(5)?,
        guest_name: r.get(6)?,
        recipient: r.get(7)?,
        reservation_at: r
            .get::<_, Option<String>>(8)?
            .and_then(|t| NaiveDateTime::parse_from_str(&t, STARTS_AT_FORMAT).ok()),
        next_attempt_at: r.get(9)?,
        human_opens: r.get(10)?,
        machine_opens: r.get(11)?,
        open_via: r.get(14)?,
        last_opened_at: r.get(12)?,
        resend_of: r.get(13)?,
    })
}

impl Store {
    /// One page of the communication history of this connection's venue, newest first,
    /// after `after` (the last row of the previous page).
    pub fn communication_history(
        &self,
        f: &CommFilter,
        limit: usize,
        after: Option<CommCursor>,
    ) -> Result<Vec<CommRow>> {
        let guests = if f.text.trim().is_empty() { None } else { self.guests_matching(&f.text)? };
        let f = CommFilter { venue: Some(self.venue), ..f.clone() };
        let (sql, values) = comm_query(&f, guests.as_deref(), limit, after);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(values, row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The ids of the guests whose name or address contains `text`, when there are few
    /// enough to read their emails guest by guest; `None` when there are more. Three
    /// characters or more go through the trigram index (migration 002); fewer scan guests.
    fn guests_matching(&self, text: &str) -> Result<Option<Vec<i64>>> {
        let text = text.trim();
        let limit = FEW_GUESTS as i64 + 1;
        let ids: Vec<i64> = if self.conn.engine() == Engine::Postgres {
            // guests_search is a GIN trigram index on PostgreSQL: ILIKE '%text%' walks it
            // (on email as text, which is how the index reads the citext column).
            let mut stmt = self.conn.prepare_cached(
                "SELECT id FROM guests WHERE name ILIKE ?1 ESCAPE '\\' OR email::text ILIKE ?1 ESCAPE '\\' LIMIT ?2",
            )?;
            stmt.query_map(crate::store::engine::params![like_pattern(text), limit], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        } else if text.chars().count() >= 3 {
            let phrase = format!("\"{}\"", text.replace('"', "\"\""));
            let mut stmt =
                self.conn.prepare_cached("SELECT rowid FROM guests_search WHERE guests_search MATCH ?1 LIMIT ?2")?;
            stmt.query_map(crate::store::engine::params![phrase, limit], |r| r.get(0))?.collect::<Result<_, _>>()?
        } else {
            let mut stmt = self.conn.prepare_cached(
                "SELECT id FROM guests WHERE name LIKE ?1 ESCAPE '\\' OR email LIKE ?1 ESCAPE '\\' LIMIT ?2",
            )?;
            stmt.query_map(crate::store::engine::params![like_pattern(text), limit], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        Ok((ids.len() <= FEW_GUESTS).then_some(ids))
    }
}
