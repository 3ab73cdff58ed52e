//! Sending paused: the venue's own setup or server refused us (login, relay, sender, TLS,
//! size, rate limit, blocklist, a server silent or gone). One row at most, shared by every
//! sender on the database (the screen, `serve`, `send`), so they all see it and back off
//! together; the first email the server accepts deletes it (in [`super::outbox::record`]).

use crate::store::engine::{OptionalExtension as _, Tx, params};

use super::{Result, Store};
use crate::failure::Reason;

/// Waits before trying again while paused, by attempt; the last one repeats.
pub const RETRY_MINUTES: [i64; 4] = [1, 2, 5, 10];

/// Why sending is paused, since when, and when the next try is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendingPause {
    pub reason: Reason,
    /// The server's reply or the error (`535 5.7.8 Error: authentication failed`).
    pub detail: String,
    pub since: i64,
    pub last_at: i64,
    /// Refusals in a row since the pause began.
    pub attempts: u32,
    pub retry_at: i64,
}

/// The wait before the next try after `attempts` refusals in a row (at least 1).
pub fn retry_after_ms(attempts: u32) -> i64 {
    let i = (attempts.max(1) as usize - 1).min(RETRY_MINUTES.len() - 1);
    RETRY_MINUTES[i] * 60_000
}

/// Records one more venue refusal, in the caller's transaction.
pub(crate) fn pause(tx: &Tx<'_>, reason: Reason, detail: &str, now: i64) -> Result<()> {
    let attempts: u32 = tx
        .prepare_cached("SELECT attempts FROM sending_pause WHERE id = 1")?
        .query_row((), |r| r.get(0))
        .optional()?
        .map_or(1, |a: u32| a + 1);
    tx.prepare_cached(
        "INSERT INTO sending_pause (id, reason, detail, since, last_at, attempts, retry_at)
         VALUES (1, ?1, ?2, ?3, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET reason = ?1, detail = ?2, last_at = ?3, attempts = ?4, retry_at = ?5",
    )?
    .execute(params![reason.as_str(), detail, now, attempts, now + retry_after_ms(attempts)])?;
    Ok(())
}

/// An email was accepted: sending works again.
pub(crate) fn clear(tx: &Tx<'_>) -> Result<()> {
    tx.prepare_cached("DELETE FROM sending_pause")?.execute(())?;
    Ok(())
}

impl Store {
    /// Whether sending is paused, and why.
    pub fn sending_pause(&self) -> Result<Option<SendingPause>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT reason, detail, since, last_at, attempts, retry_at FROM sending_pause WHERE id = 1",
            )?
            .query_row((), |r| {
                let reason: String = r.get(0)?;
                Ok(SendingPause {
                    reason: Reason::parse(&reason).unwrap_or(Reason::Unclear),
                    detail: r.get(1)?,
                    since: r.get(2)?,
                    last_at: r.get(3)?,
                    attempts: r.get(4)?,
                    retry_at: r.get(5)?,
                })
            })
            .optional()?)
    }

    /// Records a venue refusal outside a flush (tests, tools); see [`pause`].
    pub fn pause_sending(&mut self, reason: Reason, detail: &str, now: i64) -> Result<()> {
        self.write(|tx| pause(tx, reason, detail, now))
    }

    /// Clears the pause (staff fixed the settings and want to try now).
    pub fn clear_sending_pause(&mut self) -> Result<()> {
        self.write(clear)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_one_two_five_then_ten_minutes() {
        let got: Vec<i64> = (1..=6).map(|a| retry_after_ms(a) / 60_000).collect();
        assert_eq!(got, vec![1, 2, 5, 10, 10, 10]);
        assert_eq!(retry_after_ms(0), 60_000);
    }
}
