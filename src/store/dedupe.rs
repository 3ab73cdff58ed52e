//! Importing the same file twice adds nothing: a row is the same reservation as one already
//! in the database when its date and time and its guest's email match (the email
//! case-insensitively). The look-up and the inserts run in one write transaction, so two
//! imports racing each other cannot both add the same reservation, and rows of one file that
//! repeat each other count once.

use crate::store::engine::{OptionalExtension as _, Tx, params};

use super::reservations::create;
use super::rows::starts_at_text;
use super::{Result, Store, StoreError};
use crate::domain::{NewReservation, normalize_email};

/// The look-up: one seek on `reservations_by_start` (a time slot holds a few reservations),
/// then the guest by its primary key; `lower()` on both sides makes the email match
/// case-insensitive, local part included. Within one venue (`?3`).
pub const EXISTING_RESERVATION_QUERY: &str = "
SELECT r.id FROM reservations r JOIN guests g ON g.id = r.guest_id
WHERE r.starts_at = ?1 AND lower(g.email) = lower(?2) AND r.venue_id = ?3
ORDER BY r.id LIMIT 1";

/// What an import did, row by row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// For each row given, in order: the new reservation's id, or `Err` with the id of the
    /// reservation it repeats (already in the database, or earlier in the same file).
    pub rows: Vec<std::result::Result<i64, i64>>,
    /// How many emails the new reservations queued.
    pub emails_queued: u64,
}

impl ImportReport {
    /// How many rows were added.
    pub fn imported(&self) -> usize {
        self.rows.iter().filter(|r| r.is_ok()).count()
    }

    /// How many rows were already present.
    pub fn already_present(&self) -> usize {
        self.rows.iter().filter(|r| r.is_err()).count()
    }
}

fn existing(tx: &Tx<'_>, r: &NewReservation, venue: i64) -> Result<Option<i64>> {
    let email = normalize_email(&r.email)?;
    Ok(tx
        .prepare_cached(EXISTING_RESERVATION_QUERY)?
        .query_row(params![starts_at_text(r.starts_at), email, venue], |row| row.get(0))
        .optional()?)
}

impl Store {
    /// The reservation at `starts_at` for the guest with this email (case-insensitively), if
    /// there is one.
    pub fn existing_reservation(&self, starts_at: chrono::NaiveDateTime, email: &str) -> Result<Option<i64>> {
        let email = normalize_email(email)?;
        Ok(self
            .conn
            .prepare_cached(EXISTING_RESERVATION_QUERY)?
            .query_row(params![starts_at_text(starts_at), email, self.venue], |row| row.get(0))
            .optional()?)
    }

    /// Adds the rows that are not already there, all in one transaction: all of it commits
    /// or none. A row already in the database (or earlier in `rs`) is skipped unless
    /// `allow_duplicates`. `send` says which new rows get the emails of their status. On a
    /// bad row, the error carries its position (0-based) so the caller can name the line.
    pub fn import_reservations(
        &mut self,
        rs: &[NewReservation],
        allow_duplicates: bool,
        send: impl Fn(&NewReservation) -> bool,
    ) -> Result<ImportReport, (usize, StoreError)> {
        let (domain, rules, now, venue) = (self.message_domain.clone(), self.rules, self.now(), self.venue);
        // All or none, in one transaction; a lost race for the lock runs it all again.
        super::retry_busy(
            || {
                let tx = self.conn.begin().map_err(|e| (0, e.into()))?;
                let mut report = ImportReport { rows: Vec::with_capacity(rs.len()), emails_queued: 0 };
                for (i, r) in rs.iter().enumerate() {
                    let at = |e: StoreError| (i, e);
                    if !allow_duplicates && let Some(id) = existing(&tx, r, venue).map_err(at)? {
                        report.rows.push(Err(id));
                        continue;
                    }
                    // The one call into the reservation rules of the store: main's `create`
                    // applies the journey's plan; keep this the only place the import calls it.
                    let applied = create(&tx, r, send(r), &rules, &domain, now, venue).map_err(at)?;
                    report.emails_queued += applied.queued.len() as u64;
                    report.rows.push(Ok(applied.id));
                }
                tx.commit().map_err(|e| (rs.len(), e.into()))?;
                Ok(report)
            },
            |(_, e)| super::is_busy(e),
        )
    }
}
