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

    /// Recomputes `visible` from the filter: a case-blind match on name, email or phone
    /// (phone digits also match when typed without spaces).
    pub(super) fn refilter(&mut self) {
        let needle = self.filter.trim().to_lowercase();
        let digits: String = needle.chars().filter(char::is_ascii_digit).collect();
        let matches = |r: &ReservationRow| {
            needle.is_empty()
                || r.guest.name.to_lowercase().contains(&needle)
                || r.guest.email.to_lowercase().contains(&needle)
                || r.guest.phone.contains(&needle)
                || (digits.len() == needle.len()
                    && r.guest.phone.chars().filter(char::is_ascii_digit).collect::<String>().contains(&digits))
        };
        self.visible = (0..self.rows.len()).filter(|&i| matches(&self.rows[i])).collect();
        self.select(self.selected);
    }
}
