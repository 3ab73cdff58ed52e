//! Reservations and guests: creating them, the day list with its markers, status changes.

use crate::store::engine::{OptionalExtension as _, Tx, params};
use chrono::{NaiveDate, NaiveDateTime};

use super::events::{self, NewEvent};
use super::plans::{self, Applied, Rules};
use super::rows::{parsed, parsed_opt, starts_at, starts_at_text};
use super::{Result, Store, StoreError, addresses};
use crate::domain::{
    AddressHealth, EmailKind, EventKind, Guest, MessageState, MessageSummary, NewReservation, ReservationRow,
    ReservationStatus, day_bounds, normalize_email,
};
use crate::journey::{Change, Refusal};

/// The day list: each reservation of one venue (`?3`) in a time range with its guest, the guest's address health
/// and, for each marked kind, the latest message of that kind (one index seek each).
pub const DAY_QUERY: &str = "
SELECT r.id, r.starts_at, r.party_size, r.status, r.notes, r.confirmed_by_phone_at IS NOT NULL,
       g.id, g.name, g.email, g.phone, g.language,
       COALESCE(a.error_count, 0), COALESCE(a.blocked, 0), a.last_error,
       mp.state, mp.human_open_count, mp.open_count - mp.human_open_count,
       mc.state, mc.human_open_count, mc.open_count - mc.human_open_count,
       md.state, md.human_open_count, md.open_count - md.human_open_count,
       EXISTS (SELECT 1 FROM messages rm JOIN replies rp ON rp.message_id = rm.id
               WHERE rm.reservation_id = r.id AND rp.auto = 0)
FROM reservations r
JOIN guests g ON g.id = r.guest_id
LEFT JOIN addresses a ON a.email = g.email
LEFT JOIN messages mp ON mp.id = (SELECT id FROM messages WHERE reservation_id = r.id AND kind = 'pending' ORDER BY id DESC LIMIT 1)
LEFT JOIN messages mc ON mc.id = (SELECT id FROM messages WHERE reservation_id = r.id AND kind = 'confirmed' ORDER BY id DESC LIMIT 1)
LEFT JOIN messages md ON md.id = (SELECT id FROM messages WHERE reservation_id = r.id AND kind = 'completed' ORDER BY id DESC LIMIT 1)
WHERE r.starts_at >= ?1 AND r.starts_at < ?2 AND r.venue_id = ?3
ORDER BY r.starts_at, r.id";

/// [`DAY_QUERY`] on PostgreSQL: the same columns, read in fewer index look-ups, since each
/// costs more there than in SQLite's process, and planned over four relations instead of
/// eight (the plan is made again for each day, so its cost counts at every run). One
/// `LATERAL` pass over a reservation's marked emails, newest first (`DISTINCT ON` keeps the
/// latest of each kind), is turned into the three markers' columns by `FILTER`ed
/// aggregates over those three rows; the address is found through its lower-cased form
/// (migration 011's `addresses_by_lower_email`), where the citext index compares
/// case-insensitively at every step of the descent. On the 1,000,000-reservation demo this
/// form takes 4.2 ms where three `LATERAL` look-ups of the latest ids took 5.3 (pgbench, 20 days).
const DAY_QUERY_PG: &str = "
SELECT r.id, r.starts_at, r.party_size, r.status, r.notes, r.confirmed_by_phone_at IS NOT NULL,
       g.id, g.name, g.email, g.phone, g.language,
       COALESCE(a.error_count, 0), COALESCE(a.blocked, 0), a.last_error,
       m.p_state, m.p_human, m.p_machine,
       m.c_state, m.c_human, m.c_machine,
       m.d_state, m.d_human, m.d_machine,
       EXISTS (SELECT 1 FROM messages rm JOIN replies rp ON rp.message_id = rm.id
               WHERE rm.reservation_id = r.id AND rp.auto = 0)
FROM reservations r
JOIN guests g ON g.id = r.guest_id
LEFT JOIN addresses a ON lower(a.email::text) = lower(g.email::text)
LEFT JOIN LATERAL (
    SELECT MAX(state) FILTER (WHERE kind = 'pending') AS p_state,
           MAX(human_open_count) FILTER (WHERE kind = 'pending') AS p_human,
           MAX(open_count - human_open_count) FILTER (WHERE kind = 'pending') AS p_machine,
           MAX(state) FILTER (WHERE kind = 'confirmed') AS c_state,
           MAX(human_open_count) FILTER (WHERE kind = 'confirmed') AS c_human,
           MAX(open_count - human_open_count) FILTER (WHERE kind = 'confirmed') AS c_machine,
           MAX(state) FILTER (WHERE kind = 'completed') AS d_state,
           MAX(human_open_count) FILTER (WHERE kind = 'completed') AS d_human,
           MAX(open_count - human_open_count) FILTER (WHERE kind = 'completed') AS d_machine
    FROM (SELECT DISTINCT ON (kind) kind, state, human_open_count, open_count
          FROM messages
          WHERE reservation_id = r.id AND kind IN ('pending', 'confirmed', 'completed')
          ORDER BY kind DESC, id DESC) latest) m ON TRUE
WHERE r.starts_at >= ?1 AND r.starts_at < ?2 AND r.venue_id = ?3
ORDER BY r.starts_at, r.id";

/// The day query in this engine's form.
fn day_query(engine: super::engine::Engine) -> &'static str {
    match engine {
        super::engine::Engine::Sqlite => DAY_QUERY,
        super::engine::Engine::Postgres => DAY_QUERY_PG,
    }
}

fn row_from(row: &crate::store::engine::Row<'_>) -> crate::store::engine::Result<ReservationRow> {
    let marker = |base: usize| -> crate::store::engine::Result<crate::domain::Marker> {
        let state: Option<MessageState> = parsed_opt(row, base)?;
        Ok(state.map_or(crate::domain::Marker::None, |state| {
            MessageSummary {
                state,
                human_opens: row.get(base + 1).unwrap_or(0),
                machine_opens: row.get(base + 2).unwrap_or(0),
            }
            .marker()
        }))
    };
    Ok(ReservationRow {
        id: row.get(0)?,
        starts_at: starts_at(row, 1)?,
        party_size: row.get(2)?,
        status: parsed(row, 3)?,
        notes: row.get(4)?,
        confirmed_by_phone: row.get(5)?,
        guest: Guest {
            id: row.get(6)?,
            name: row.get(7)?,
            email: row.get(8)?,
            phone: row.get(9)?,
            language: parsed(row, 10)?,
        },
        address: AddressHealth { error_count: row.get(11)?, blocked: row.get(12)?, last_error: row.get(13)? },
        markers: [marker(14)?, marker(17)?, marker(20)?],
        replied: row.get(23)?,
    })
}

/// Finds the guest with this address, or creates one; a guest found by address gets the
/// newer name, phone and language. Guests belong to one venue: another venue's guest with
/// the same address is another record.
pub(crate) fn upsert_guest(tx: &Tx<'_>, r: &NewReservation, email: &str, now: i64, venue: i64) -> Result<i64> {
    let existing: Option<i64> = tx
        .prepare_cached(
            "SELECT id FROM guests WHERE email = ?1 AND forgotten = 0 AND venue_id = ?2 ORDER BY id LIMIT 1",
        )?
        .query_row(params![email, venue], |row| row.get(0))
        .optional()?;
    addresses::ensure(tx, email, now)?;
    if let Some(id) = existing {
        tx.prepare_cached(
            "UPDATE guests SET name = ?2, phone = CASE WHEN ?3 = '' THEN phone ELSE ?3 END, language = ?4 WHERE id = ?1",
        )?
        .execute(params![id, r.name.trim(), r.phone.trim(), r.language.as_str()])?;
        return Ok(id);
    }
    tx.prepare_cached(
        "INSERT INTO guests (name, email, phone, language, created_at, venue_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![r.name.trim(), email, r.phone.trim(), r.language.as_str(), now, venue])?;
    Ok(tx.last_insert_rowid()?)
}

/// Inserts a reservation if the journey accepts it and, when `send` is set, queues the
/// emails the journey gives it (the request, or the confirmation and its reminder), in
/// `venue`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn create(
    tx: &Tx<'_>,
    r: &NewReservation,
    send: bool,
    rules: &Rules,
    domain: &str,
    now: i64,
    venue: i64,
) -> Result<Applied> {
    crate::domain::check_guest_name(&r.name).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let email = normalize_email(&r.email)?;
    let plan = rules.policy.create(r.status, r.starts_at, r.party_size, rules.local(now))?;
    let guest_id = upsert_guest(tx, r, &email, now, venue)?;
    tx.prepare_cached(
        "INSERT INTO reservations (guest_id, starts_at, party_size, status, notes, created_at, updated_at, venue_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
    )?
    .execute(params![
        guest_id,
        starts_at_text(r.starts_at),
        r.party_size,
        r.status.as_str(),
        r.notes,
        now,
        venue
    ])?;
    let id = tx.last_insert_rowid()?;
    if send {
        return plans::apply(tx, id, &plan, rules, domain, now, "staff");
    }
    Ok(Applied { id, status: r.status, queued: Vec::new(), withdrawn: Vec::new(), in_flight: Vec::new() })
}

/// [`Store::change_status`] in the caller's transaction (the phone confirmation shares one).
#[allow(clippy::too_many_arguments)]
pub(crate) fn change_status(
    tx: &Tx<'_>,
    id: i64,
    to: ReservationStatus,
    change: Change,
    rules: &Rules,
    domain: &str,
    now: i64,
    actor: &str,
) -> Result<Applied> {
    let facts = plans::facts(tx, id)?;
    let emails = plans::emails(tx, id)?;
    let plan = rules.policy.transition(facts.booking, to, &emails, rules.local(now), change).map_err(refused)?;
    tx.prepare_cached("UPDATE reservations SET status = ?2, updated_at = ?3 WHERE id = ?1")?.execute(params![
        id,
        to.as_str(),
        now
    ])?;
    let detail = format!("{} -> {to}", facts.booking.status);
    let event = NewEvent { reservation_id: Some(id), detail: &detail, actor, ..NewEvent::default() };
    events::append(tx, EventKind::StatusChanged, now, &event)?;
    plans::apply(tx, id, &plan, rules, domain, now, actor)
}

/// Refuses, as not found, a reservation of another venue than the connection's.
pub(crate) fn check_venue(tx: &Tx<'_>, id: i64, venue: i64) -> Result<()> {
    let here =
        tx.prepare_cached("SELECT 1 FROM reservations WHERE id = ?1 AND venue_id = ?2")?.exists(params![id, venue])?;
    if here { Ok(()) } else { Err(StoreError::NotFound(format!("reservation {id}"))) }
}

/// A refusal of a status change the statuses themselves forbid keeps its own error, so the
/// screen names both statuses.
fn refused(r: Refusal) -> StoreError {
    match r {
        Refusal::Transition(t) => StoreError::Transition(t),
        other => StoreError::Refused(other),
    }
}

impl Store {
    /// Creates one reservation (and its guest), queueing the emails the journey gives it.
    pub fn create_reservation(&mut self, r: &NewReservation) -> Result<i64> {
        self.add_reservation(r).map(|a| a.id)
    }

    /// [`Store::create_reservation`], saying what it queued.
    pub fn add_reservation(&mut self, r: &NewReservation) -> Result<Applied> {
        let (domain, rules, now, venue) = (self.message_domain.clone(), self.rules, self.now(), self.venue);
        self.write(|tx| create(tx, r, true, &rules, &domain, now, venue))
    }

    /// Creates many reservations in one transaction: all or none. `send` says which of them
    /// get the email of their status. On a bad one, the error carries its position (0-based)
    /// so the caller can name the line.
    pub fn create_reservations(
        &mut self,
        rs: &[NewReservation],
        send: impl Fn(&NewReservation) -> bool,
    ) -> Result<Vec<i64>, (usize, StoreError)> {
        // The import without its duplicate check: one transaction, all or none, retried
        // whole when it loses the race for the lock.
        let report = self.import_reservations(rs, true, send)?;
        Ok(report.rows.into_iter().map(|row| row.unwrap_or_else(|repeated| repeated)).collect())
    }

    /// The reservations of one day, by time, with their three markers.
    pub fn day(&self, day: NaiveDate) -> Result<Vec<ReservationRow>> {
        let (from, to) = day_bounds(day);
        self.reservations_between(from, to)
    }

    pub fn reservations_between(&self, from: NaiveDateTime, to: NaiveDateTime) -> Result<Vec<ReservationRow>> {
        let mut stmt = self.conn.prepare_cached(day_query(self.conn.engine()))?;
        let rows = stmt.query_map(params![starts_at_text(from), starts_at_text(to), self.venue], row_from)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One reservation as the list shows it.
    pub fn reservation(&self, id: i64) -> Result<ReservationRow> {
        let sql = day_query(self.conn.engine()).replace(
            "WHERE r.starts_at >= ?1 AND r.starts_at < ?2 AND r.venue_id = ?3",
            "WHERE r.id = ?1 AND r.venue_id = ?2",
        );
        self.conn
            .prepare_cached(&sql)?
            .query_row(params![id, self.venue], row_from)
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("reservation {id}")))
    }

    /// Moves a reservation to a new status if the journey allows it, logging the change,
    /// withdrawing the emails it makes pointless and queueing the ones it calls for, all in
    /// one transaction. Whatever a worker does meanwhile, an email is either claimed before
    /// this commits (then it is reported in flight) or withdrawn.
    pub fn change_status(&mut self, id: i64, to: ReservationStatus, change: Change, actor: &str) -> Result<Applied> {
        let (domain, rules, now, venue) = (self.message_domain.clone(), self.rules, self.now(), self.venue);
        self.write(|tx| {
            check_venue(tx, id, venue)?;
            change_status(tx, id, to, change, &rules, &domain, now, actor)
        })
    }

    /// [`Store::change_status`] without `--force`, returning the email of the new status it
    /// queued, if any.
    pub fn set_status(&mut self, id: i64, to: ReservationStatus, actor: &str) -> Result<Option<i64>> {
        let applied = self.change_status(id, to, Change::default(), actor)?;
        Ok(applied.queued.iter().find(|q| q.kind != EmailKind::Reminder).map(|q| q.id))
    }

    /// How many reservations there are in all venues (for the demo and the benchmarks).
    pub fn reservation_count(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT COUNT(*) FROM reservations", (), |r| r.get(0))?)
    }
}
