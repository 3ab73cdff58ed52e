//! The mouse: a left click selects the row under it (on the day's list or the pane on top;
//! on an error badge it also opens the last error), the wheel moves the selection.

use super::layout::{FIRST_ROW_Y, pane_area};
use super::{App, Overlay};

impl App {
    /// A left click at terminal cell (`x`, `y`).
    pub(super) fn click(&mut self, x: u16, y: u16) -> bool {
        let area = pane_area(self.size);
        let at = match self.top() {
            // A popup takes no clicks.
            Some(Overlay::Form(_) | Overlay::Confirm(_) | Overlay::Help | Overlay::LastError(_)) => return false,
            Some(Overlay::History(h)) => h.row_at(area, y),
            Some(Overlay::Comm(c)) => c.row_at(area, y),
            Some(Overlay::FollowUp(f)) => f.row_at(area, y),
            Some(Overlay::Filter) | None => return self.click_list(x, y),
        };
        let Some(index) = at else { return false };
        self.select_in_pane(index)
    }

    fn click_list(&mut self, x: u16, y: u16) -> bool {
        if let Some(pos) = self.badge_at(x, y) {
            let moved = self.select(pos);
            return self.show_last_error() || moved;
        }
        match self.row_at(y) {
            Some(pos) => self.select(pos),
            None => false,
        }
    }

    /// The list position drawn at screen row `y`, if a reservation is there.
    pub fn row_at(&self, y: u16) -> Option<usize> {
        if y >= self.size.1.saturating_sub(2) || self.loading() {
            return None; // the status and hint lines
        }
        let pos = self.offset + usize::from(y.checked_sub(FIRST_ROW_Y)?);
        (pos < self.visible.len()).then_some(pos)
    }

    /// Selects item `index` of the pane on top, and asks for what it needs.
    fn select_in_pane(&mut self, index: usize) -> bool {
        let Some(current) = self.top_pane_mut().and_then(|o| o.selection_mut()).map(|(s, _)| s.index()) else {
            return false;
        };
        self.move_in_pane(index as isize - current as isize)
    }
}
