//! Moving through the day's list: selection, scrolling, changing day, taking a day's rows,
//! filtering.

use chrono::NaiveDate;

use super::App;
use crate::domain::ReservationRow;

impl App {
    pub(super) fn select(&mut self, position: usize) -> bool {
        let last = self.visible.len().saturating_sub(1);
        let before = (self.selected, self.offset);
        self.selected = position.min(last);
        self.scroll_into_view();
        before != (self.selected, self.offset)
    }

    pub(super) fn scroll_into_view(&mut self) {
        let page = self.page_size();
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + page {
            self.offset = self.selected + 1 - page;
        }
        // Never leave blank rows at the bottom when the list could fill them.
        self.offset = self.offset.min(self.visible.len().saturating_sub(page));
    }

    pub(super) fn go_to(&mut self, day: NaiveDate) -> bool {
        if day == self.day {
            return false;
        }
        self.day = day;
        self.load_request = Some(day);
        self.status = None;
        true
    }

    /// Takes a day's rows. A reload of the same day (another process committed) keeps the
    /// highlighted reservation where it is; a new day starts at the top.
    pub(super) fn loaded(&mut self, day: NaiveDate, rows: Vec<ReservationRow>) -> bool {
        if day != self.day {
            return false; // an answer for a day the user already left
        }
        if self.loaded_day == Some(day) && self.rows == rows {
            return false;
        }
        let keep = if self.loaded_day == Some(day) { self.selected_row().map(|r| r.id) } else { None };
        self.loaded_day = Some(day);
        self.rows = rows;
        if keep.is_none() {
            self.selected = 0;
            self.offset = 0;
        }
        self.refilter();
        if let Some(pos) = keep.and_then(|id| self.visible.iter().position(|&i| self.rows[i].id == id)) {
            self.select(pos);
        }
        true
    }

    /// Recomputes `visible` from the filter: a case-blind match on name, email or phone.
    /// A phone typed as caller ID shows it (`+32475529437`), with spaces, or nationally
    /// (`0475 52 94 37`) finds the same guest: only the digits count, without the leading
    /// `00` or `0`.
    pub(super) fn refilter(&mut self) {
        let needle = self.filter.trim().to_lowercase();
        let phone_like = needle.chars().any(|c| c.is_ascii_digit())
            && needle.chars().all(|c| c.is_ascii_digit() || " +-.()/".contains(c));
        let typed = significant_digits(&needle);
        let matches = |r: &ReservationRow| {
            needle.is_empty()
                || r.guest.name.to_lowercase().contains(&needle)
                || r.guest.email.to_lowercase().contains(&needle)
                || r.guest.phone.contains(&needle)
                || (phone_like && phone_matches(&significant_digits(&r.guest.phone), &typed))
        };
        self.visible = (0..self.rows.len()).filter(|&i| matches(&self.rows[i])).collect();
        self.select(self.selected);
    }
}

/// A number's digits without the international `00` or the national `0` in front.
fn significant_digits(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    digits.trim_start_matches('0').to_owned()
}

/// Whether typed digits find a stored number: part of it, or the whole of a national number
/// typed with its country code (`32475…` finds `0475…`).
fn phone_matches(stored: &str, typed: &str) -> bool {
    !typed.is_empty() && (stored.contains(typed) || (stored.len() >= 6 && typed.ends_with(stored)))
}

#[cfg(test)]
mod tests {
    use super::{phone_matches, significant_digits};

    #[test]
    fn a_phone_matches_however_it_is_typed() {
        let stored = significant_digits("+32 475 52 94 37");
        for typed in ["+32475529437", "0032 475 52 94 37", "0475 52 94 37", "475 52", "52 94 37"] {
            assert!(phone_matches(&stored, &significant_digits(typed)), "{typed}");
        }
        let national = significant_digits("0475 52 94 37");
        assert!(phone_matches(&national, &significant_digits("+32 475 52 94 37")));
        assert!(!phone_matches(&stored, &significant_digits("+32 475 52 94 38")));
    }
}
