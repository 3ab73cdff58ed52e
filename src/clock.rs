//! The venue's clock: reservations are stored in the venue's wall-clock time, events in UTC
//! milliseconds, and every rule of the journey runs on the venue's local time. A `serve` on a
//! server set to UTC must still send the reminder 24 h before 20:00 in Brussels, across
//! daylight-saving changes, so the zone is named in the config (`time_zone`), not taken
//! from the machine unless the venue leaves it out.
//!
//! No I/O beyond reading the system time; `chrono-tz` carries the zone rules, so a machine
//! without tzdata (a container, CI) still converts correctly.

use chrono::{DateTime, FixedOffset, Local, NaiveDateTime, Offset as _, TimeZone, Utc};
use chrono_tz::Tz;

/// How stored times (UTC Unix ms) map to the venue's wall clock and back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The machine's own zone (the default when the config names none).
    Local,
    /// A named zone, e.g. `Europe/Brussels`.
    Zone(Tz),
    /// A fixed offset (tests and snapshots, so they do not depend on the machine's zone).
    Fixed(FixedOffset),
}

/// A `time_zone` the zone database does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown time zone '{0}' (expected a name such as Europe/Brussels)")]
pub struct UnknownZone(pub String);

impl Clock {
    /// UTC, for tests.
    pub fn utc() -> Self {
        Clock::Fixed(Utc.fix())
    }

    /// The clock of a configured zone name; `None` means the machine's zone.
    pub fn named(zone: Option<&str>) -> Result<Self, UnknownZone> {
        match zone.map(str::trim).filter(|z| !z.is_empty()) {
            None => Ok(Clock::Local),
            Some(name) => name.parse::<Tz>().map(Clock::Zone).map_err(|_| UnknownZone(name.to_owned())),
        }
    }

    /// The venue's wall-clock time at UTC instant `ms`.
    pub fn naive(self, ms: i64) -> NaiveDateTime {
        let utc = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
        match self {
            Clock::Local => utc.with_timezone(&Local).naive_local(),
            Clock::Zone(tz) => utc.with_timezone(&tz).naive_local(),
            Clock::Fixed(offset) => utc.with_timezone(&offset).naive_local(),
        }
    }

    /// The UTC ms of a wall-clock time on this clock (the earlier one when the clock goes
    /// back; the moment after the gap when it jumps forward).
    pub fn ms_of(self, t: NaiveDateTime) -> i64 {
        fn resolve<Z: TimeZone>(zone: &Z, t: NaiveDateTime) -> Option<i64> {
            zone.from_local_datetime(&t).earliest().map(|d| d.timestamp_millis()).or_else(|| {
                // In a spring-forward gap (02:30 does not exist): the clock reads 03:30 then.
                zone.from_local_datetime(&(t + chrono::Duration::hours(1))).earliest().map(|d| d.timestamp_millis())
            })
        }
        let at = match self {
            Clock::Local => resolve(&Local, t),
            Clock::Zone(tz) => resolve(&tz, t),
            Clock::Fixed(offset) => resolve(&offset, t),
        };
        at.unwrap_or_else(|| t.and_utc().timestamp_millis())
    }

    /// Now, on the venue's wall clock.
    pub fn now(self) -> NaiveDateTime {
        self.naive(Utc::now().timestamp_millis())
    }

    /// "23/11/2026 19:02", as the brief writes "Dernière ouverture".
    pub fn date_time(self, ms: i64) -> String {
        self.naive(ms).format("%d/%m/%Y %H:%M").to_string()
    }

    /// "23/11 19:02", for list columns.
    pub fn short(self, ms: i64) -> String {
        self.naive(ms).format("%d/%m %H:%M").to_string()
    }

    /// "23/11/2026 19:02:11", for an email's log (its lines may span days).
    pub fn date_time_seconds(self, ms: i64) -> String {
        self.naive(ms).format("%d/%m/%Y %H:%M:%S").to_string()
    }

    /// "19:02:11", for an email's log.
    pub fn time(self, ms: i64) -> String {
        self.naive(ms).format("%H:%M:%S").to_string()
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, min, 0)).unwrap_or_default()
    }

    #[test]
    fn a_named_zone_converts_both_ways_across_daylight_saving() {
        let brussels = Clock::named(Some("Europe/Brussels")).unwrap();
        // Winter: UTC+1. Summer: UTC+2.
        let winter = at(2026, 12, 1, 20, 0);
        assert_eq!(brussels.ms_of(winter), Clock::utc().ms_of(at(2026, 12, 1, 19, 0)));
        let summer = at(2026, 7, 1, 20, 0);
        assert_eq!(brussels.ms_of(summer), Clock::utc().ms_of(at(2026, 7, 1, 18, 0)));
        assert_eq!(brussels.naive(brussels.ms_of(summer)), summer);
        // 29 March 2026, 02:30 does not exist in Brussels: the clocks read 03:30 then.
        let gap = at(2026, 3, 29, 2, 30);
        assert_eq!(brussels.ms_of(gap), Clock::utc().ms_of(at(2026, 3, 29, 1, 30)));
        // 25 October 2026, 02:30 happens twice: the earlier one.
        let twice = at(2026, 10, 25, 2, 30);
        assert_eq!(brussels.ms_of(twice), Clock::utc().ms_of(at(2026, 10, 25, 0, 30)));
    }

    #[test]
    fn no_zone_is_the_machine_and_a_bad_name_is_refused() {
        assert_eq!(Clock::named(None), Ok(Clock::Local));
        assert_eq!(Clock::named(Some("  ")), Ok(Clock::Local));
        assert_eq!(Clock::named(Some("Mars/Olympus")), Err(UnknownZone("Mars/Olympus".into())));
    }
}
