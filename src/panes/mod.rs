//! The history panes of issue 6, each a pure widget over a plain state struct defined in the
//! same file, so the app can own the state and draw them without these files knowing `App`:
//! the guest's history, the communication-history screen, tonight's follow-up list and the
//! delivery-health line. Texts come from `strings::history`, styles from `ui::theme`; `App`
//! owns the states and `ui::panes` draws the one on top.

pub mod comm_history;
pub mod followup;
pub mod health;
pub mod history;

use chrono::{DateTime, FixedOffset, Local, NaiveDateTime, Offset as _, TimeZone as _, Utc};

/// How stored times (UTC Unix ms) are shown: in the venue's local time, or at a fixed offset
/// (tests and snapshots, so they do not depend on the machine's time zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    Local,
    Fixed(FixedOffset),
}

impl Clock {
    /// UTC, for tests.
    pub fn utc() -> Self {
        Clock::Fixed(Utc.fix())
    }

    pub fn naive(self, ms: i64) -> NaiveDateTime {
        let utc = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
        match self {
            Clock::Local => utc.with_timezone(&Local).naive_local(),
            Clock::Fixed(offset) => utc.with_timezone(&offset).naive_local(),
        }
    }

    /// The UTC ms of a wall-clock time on this clock (the earlier one when the clock goes
    /// back; the moment after the gap when it jumps forward).
    pub fn ms_of(self, t: NaiveDateTime) -> i64 {
        let at = match self {
            Clock::Local => Local.from_local_datetime(&t).earliest().map(|d| d.timestamp_millis()),
            Clock::Fixed(offset) => offset.from_local_datetime(&t).earliest().map(|d| d.timestamp_millis()),
        };
        at.unwrap_or_else(|| t.and_utc().timestamp_millis())
    }

    /// "23/11/2026 19:02", as the brief writes "Dernière ouverture".
    pub fn date_time(self, ms: i64) -> String {
        self.naive(ms).format("%d/%m/%Y %H:%M").to_string()
    }

    /// "23/11 19:02", for list columns.
    pub fn short(self, ms: i64) -> String {
        self.naive(ms).format("%d/%m %H:%M").to_string()
    }

    /// "19:02:11", for an email's log.
    pub fn time(self, ms: i64) -> String {
        self.naive(ms).format("%H:%M:%S").to_string()
    }
}

/// The first row shown in a list of `height` rows so that `selected` is visible. Pure, so the
/// app maps a mouse click on list row `y` to item `first_visible(..) + y` the same way.
pub fn first_visible(selected: usize, height: usize) -> usize {
    if height == 0 { selected } else { selected.saturating_sub(height - 1) }
}

/// The item under screen row `y` of a list whose first item row is `top` and which shows
/// `height` items with `selected` kept visible (as [`first_visible`] scrolls it).
pub fn item_at(y: u16, top: u16, height: u16, selected: usize, len: usize) -> Option<usize> {
    let row = y.checked_sub(top).filter(|r| *r < height)?;
    let index = first_visible(selected, usize::from(height)) + usize::from(row);
    (index < len).then_some(index)
}

/// Moves a selection by `delta` within `len` items, clamped at both ends.
pub fn moved(selected: usize, delta: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    selected.saturating_add_signed(delta).min(len - 1)
}

/// The selection pointer, as on the reservation list.
pub const POINTER: &str = "▸";
