//! The append-only event log: what happened to a message, a reservation or an address.

use crate::store::engine::{OptionalExtension as _, Tx, params};

use super::rows::parsed;
use super::{Result, Store};
use crate::domain::EventKind;

/// One event to append. `detail` is free text for staff (a server reply, a bounce's
/// diagnostic); `actor` says who did it ("staff", "worker", "bounce", "tracker").
#[derive(Debug, Clone, Default)]
pub struct NewEvent<'a> {
    pub message_id: Option<i64>,
    pub reservation_id: Option<i64>,
    pub address: Option<&'a str>,
    pub detail: &'a str,
    pub actor: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub id: i64,
    pub message_id: Option<i64>,
    pub reservation_id: Option<i64>,
    pub address: Option<String>,
    pub kind: EventKind,
    pub at: i64,
    pub detail: String,
    pub actor: String,
}

pub(crate) fn append(tx: &Tx<'_>, kind: EventKind, at: i64, e: &NewEvent<'_>) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO events (message_id, reservation_id, address, kind, at, detail, actor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![e.message_id, e.reservation_id, e.address, kind.as_str(), at, e.detail, e.actor])?;
    Ok(tx.last_insert_rowid()?)
}

const EVENT_COLUMNS: &str = "id, message_id, reservation_id, address, kind, at, detail, actor";

fn event_from_row(row: &crate::store::engine::Row<'_>) -> crate::store::engine::Result<EventRecord> {
    Ok(EventRecord {
        id: row.get(0)?,
        message_id: row.get(1)?,
        reservation_id: row.get(2)?,
        address: row.get(3)?,
        kind: parsed(row, 4)?,
        at: row.get(5)?,
        detail: row.get(6)?,
        actor: row.get(7)?,
    })
}

impl Store {
    /// Every event of one message, oldest first.
    pub fn events_for_message(&self, message_id: i64) -> Result<Vec<EventRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE message_id = ?1 ORDER BY id"))?;
        let rows = stmt.query_map([message_id], event_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every event of one reservation (status changes, phone confirmations), oldest first.
    pub fn events_for_reservation(&self, reservation_id: i64) -> Result<Vec<EventRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE reservation_id = ?1 ORDER BY id"))?;
        let rows = stmt.query_map([reservation_id], event_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every event of one address (errors, counter resets), oldest first.
    pub fn events_for_address(&self, address: &str) -> Result<Vec<EventRecord>> {
        let mut stmt =
            self.conn.prepare_cached(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE address = ?1 ORDER BY id"))?;
        let rows = stmt.query_map([address], event_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The newest event of a kind for a message, if any.
    pub fn last_event(&self, message_id: i64, kind: EventKind) -> Result<Option<EventRecord>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE message_id = ?1 AND kind = ?2 ORDER BY id DESC LIMIT 1"
            ))?
            .query_row(params![message_id, kind.as_str()], event_from_row)
            .optional()?)
    }
}
