//! Venues (issue 14): several restaurants in one database, each with its own sender.
//! The rules (what a new venue must satisfy, which venue a command works on) are in
//! [`crate::venue`]; this file reads and writes the `venues` table and scopes a [`Store`]
//! to one venue.

use crate::store::engine::{OptionalExtension as _, Row, Tx, params};

use super::rows::parsed;
use super::{Result, Store, StoreError};
use crate::venue::{NewVenue, Venue, VenueChoiceError, check_new, choose};

const VENUE_COLUMNS: &str = "id, name, sender, reply_to, phone, address, language, time_zone";

fn venue_from(row: &Row<'_>) -> crate::store::engine::Result<Venue> {
    Ok(Venue {
        id: row.get(0)?,
        name: row.get(1)?,
        sender: row.get(2)?,
        reply_to: row.get(3)?,
        phone: row.get(4)?,
        address: row.get(5)?,
        language: parsed(row, 6)?,
        time_zone: row.get(7)?,
    })
}

/// Why a command could not settle on a venue.
#[derive(Debug, thiserror::Error)]
pub enum VenueSelectError {
    #[error(transparent)]
    Choice(#[from] VenueChoiceError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Every venue's name and the sender it sends from. The implicit venue's empty sender
/// stands for the config's (`default_sender`) once it holds guests; an empty implicit venue
/// sends nothing, so its sender is free for a new venue.
pub(crate) fn existing_senders(tx: &Tx<'_>, default_sender: &str) -> Result<Vec<(String, String)>> {
    let rows = tx
        .prepare_cached(
            "SELECT v.name, v.sender, EXISTS (SELECT 1 FROM guests g WHERE g.venue_id = v.id) FROM venues v ORDER BY v.id",
        )?
        .query_map((), |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (name, sender, used) = row?;
        match (sender.is_empty(), used) {
            (false, _) => out.push((name, sender)),
            (true, true) if !default_sender.trim().is_empty() => out.push((name, default_sender.to_owned())),
            (true, _) => {}
        }
    }
    Ok(out)
}

/// Inserts a venue [`check_new`] accepted; returns its id.
pub(crate) fn insert(tx: &Tx<'_>, v: &NewVenue, now: i64) -> Result<i64> {
    Ok(tx
        .prepare_cached(
            "INSERT INTO venues (name, sender, reply_to, phone, address, language, time_zone, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
        )?
        .query_row(
            params![v.name, v.sender, v.reply_to, v.phone, v.address, v.language.as_str(), v.time_zone, now],
            |r| r.get::<_, i64>(0),
        )?)
}

impl Store {
    /// Every venue, by id (the implicit venue first).
    pub fn venues(&self) -> Result<Vec<Venue>> {
        let sql = format!("SELECT {VENUE_COLUMNS} FROM venues ORDER BY id");
        let rows = self.conn.prepare_cached(&sql)?.query_map((), venue_from)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The venue with this id.
    pub fn venue(&self, id: i64) -> Result<Venue> {
        let sql = format!("SELECT {VENUE_COLUMNS} FROM venues WHERE id = ?1");
        self.conn
            .prepare_cached(&sql)?
            .query_row([id], venue_from)
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("venue {id}")))
    }

    /// The venue with this name (compared without case).
    pub fn find_venue(&self, name: &str) -> Result<Option<Venue>> {
        let sql = format!("SELECT {VENUE_COLUMNS} FROM venues WHERE name = ?1 COLLATE NOCASE");
        Ok(self.conn.prepare_cached(&sql)?.query_row([name.trim()], venue_from).optional()?)
    }

    /// Adds a venue if [`crate::venue::check_new`] accepts it against the venues already
    /// there (in the same transaction, so two terminals cannot both add one sender).
    /// `default_sender` is the config's (see [`existing_senders`]).
    pub fn add_venue(&mut self, new: &NewVenue, default_sender: &str) -> Result<Venue> {
        let now = self.now();
        let id = self.write(|tx| {
            let v = check_new(new, &existing_senders(tx, default_sender)?)?;
            insert(tx, &v, now)
        })?;
        self.venue(id)
    }

    /// The id of the venue a command works on: the one named (`--venue` or the config's
    /// `venue`), else the only one; several venues and no name is an error listing them.
    pub fn choose_venue(&self, wanted: Option<&str>) -> Result<i64, VenueSelectError> {
        let venues: Vec<(i64, String)> = self.venues()?.into_iter().map(|v| (v.id, v.name)).collect();
        Ok(choose(&venues, wanted)?)
    }

    /// Scopes this connection to one venue: the day list, new reservations (and their
    /// guests), the look-up of a reservation by id and the changes made through it. The
    /// journey's clock becomes the venue's time zone when it has one (a group's venues may
    /// stand in several): the reservation times are its wall-clock times. Without one (a
    /// single-venue store's implicit venue), the clock stays the one set before (the config's).
    #[must_use]
    pub fn with_venue(mut self, id: i64) -> Self {
        self.venue = id;
        let zone = self.venue(id).map(|v| v.time_zone).unwrap_or_default();
        if !zone.trim().is_empty()
            && let Ok(clock) = crate::clock::Clock::named(Some(&zone))
        {
            self.rules.clock = clock;
        }
        self
    }

    /// The venue this connection works on.
    pub fn venue_id(&self) -> i64 {
        self.venue
    }
}
