//! Test fixtures: puts a message straight into a delivery state and open counts, so UI
//! tests and benchmarks can show every marker before the outbox, tracker and bounce code
//! reach those states through their own paths. Not for production code: compiled only for
//! unit tests and with the `test-support` feature, which the integration tests, benches and
//! examples turn on through the crate's dev-dependency on itself (Cargo.toml).

use crate::store::engine::params;

use super::{Result, Store, StoreError, now_ms};
use crate::domain::MessageState;

impl Store {
    /// Sets one message's state and open counts (`human` opens by a person, `machine`
    /// fetches by a proxy or scanner). For tests and benchmarks only.
    #[doc(hidden)]
    pub fn fixture_set_message(&mut self, id: i64, state: MessageState, human: u32, machine: u32) -> Result<()> {
        let now = now_ms();
        let opened = (human + machine > 0).then_some(now);
        let n = self.write(|tx| {
            Ok(tx
                .prepare_cached(
                    "UPDATE messages SET state = ?2, human_open_count = ?3, open_count = CAST(?3 AS BIGINT) + CAST(?4 AS BIGINT),
                        sent_at = CASE WHEN ?2 IN ('queued', 'sending') THEN NULL ELSE CAST(?5 AS BIGINT) END,
                        first_opened_at = ?6, last_opened_at = ?6
                     WHERE id = ?1",
                )?
                .execute(params![id, state.as_str(), human, machine, now, opened])?)
        })?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("message {id}")));
        }
        Ok(())
    }

    /// Marks a message sent at a chosen time (`at`, Unix ms), so tests of the tracker can
    /// place an open any number of seconds after the send. For tests and benchmarks only.
    #[doc(hidden)]
    pub fn fixture_mark_sent(&mut self, id: i64, at: i64) -> Result<()> {
        let n = self.write(|tx| {
            Ok(tx
                .prepare_cached("UPDATE messages SET state = 'sent', sent_at = ?2 WHERE id = ?1")?
                .execute(params![id, at])?)
        })?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("message {id}")));
        }
        Ok(())
    }

    /// Puts a reservation straight into a status, bypassing the journey (a fixture of a
    /// service in progress mixes meals already over with bookings still to come, which no
    /// single "now" allows). For tests and benchmarks only.
    #[doc(hidden)]
    pub fn fixture_set_status(&mut self, id: i64, status: crate::domain::ReservationStatus) -> Result<()> {
        let n = self.write(|tx| {
            Ok(tx
                .prepare_cached("UPDATE reservations SET status = ?2 WHERE id = ?1")?
                .execute(params![id, status.as_str()])?)
        })?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("reservation {id}")));
        }
        Ok(())
    }
}
