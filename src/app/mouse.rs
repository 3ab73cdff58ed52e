//! The mouse: a left click selects the row under it (on the day's list or the pane on top;
//! on an error badge it also opens the last error), the wheel moves the selection.

use super::App;
use super::layout::{FIRST_ROW_Y, pane_area};
use super::panes::PaneKind;

impl App {
    /// A left click at terminal cell (`x`, `y`).
    pub(super) fn click(&mut self, x: u16, y: u16) -> bool {
        if self.form.is_some() || self.confirm.is_some() || self.help_open || self.last_error.is_some() {
            return false;
        }
        if let Some(top) = self.top_pane() {
            let area = pane_area(self.size);
            let at = match top {
                PaneKind::History => self.history.as_ref().and_then(|h| h.row_at(area, y)),
                PaneKind::Comm => self.comm.as_ref().and_then(|c| c.row_at(area, y)),
                PaneKind::FollowUp => self.follow_up.as_ref().and_then(|f| f.row_at(area, y)),
            };
            let Some(index) = at else { return false };
            return self.select_in_pane(index);
        }
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

    fn select_in_pane(&mut self, index: usize) -> bool {
        let current = match self.top_pane() {
            Some(PaneKind::History) => self.history.as_ref().map(|h| h.selected),
            Some(PaneKind::Comm) => self.comm.as_ref().map(|c| c.selected),
            Some(PaneKind::FollowUp) => self.follow_up.as_ref().map(|f| f.selected),
            None => None,
        };
        let Some(current) = current else { return false };
        self.move_in_pane(index as isize - current as isize)
    }
}
