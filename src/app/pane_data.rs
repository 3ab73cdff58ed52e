//! The data thread's answers for the panes: a guest's history and its pages and logs, the
//! communication history's pages, the follow-up list, a phone confirmation, an erasure, and
//! the delivery health (whose arrival also means "the data changed": open panes reload).

use super::{App, Command, Notice, Overlay};
use crate::data::HISTORY_PAGE;
use crate::panes::comm_history::CommState;
use crate::panes::followup::FollowUpState;
use crate::panes::history::HistoryState;

impl App {
    /// A guest's history arrived (first page, or a reload after a change).
    pub(super) fn history_loaded(&mut self, history: crate::store::GuestHistory, more: bool) -> bool {
        let keep = (self.history_mut())
            .filter(|h| h.history.guest.id == history.guest.id)
            .map(|h| (h.selection.index(), h.log.take()));
        let mut state = HistoryState::new(history, self.clock);
        if let Some((selected, log)) = keep {
            // A reload after a change: same place, and the shown log read again (it
            // stays on screen until the new one comes).
            state.select(selected);
            state.log = log;
            if let Some(message_id) = state.shown_log().and(state.selected_email()).map(|e| e.id) {
                self.commands.push(Command::MessageLog { message_id });
            }
        }
        state.more = more;
        self.open(Overlay::History(state));
        self.history_needs();
        true
    }

    /// The next page of a guest's history.
    pub(super) fn history_page(&mut self, guest_id: i64, emails: Vec<crate::store::HistoryEmail>, more: bool) -> bool {
        let Some(h) = self.history_mut() else { return false };
        h.paging = false;
        if h.history.guest.id != guest_id {
            return false;
        }
        h.append_page(emails);
        h.more = more;
        self.history_needs();
        true
    }

    /// One email's log, for the history pane.
    pub(super) fn message_log(&mut self, message_id: i64, lines: Vec<crate::store::LogLine>) -> bool {
        match self.history_mut() {
            Some(h) => {
                h.set_log(message_id, lines);
                true
            }
            None => false,
        }
    }

    /// The follow-up list of `day`.
    pub(super) fn follow_up_loaded(&mut self, day: chrono::NaiveDate, rows: Vec<crate::store::FollowUp>) -> bool {
        if day != self.day {
            return false; // the user moved on to another day meanwhile
        }
        match self.follow_up_mut() {
            Some(f) if f.day == day => f.reload(rows),
            _ => self.open(Overlay::FollowUp(FollowUpState::new(day, rows, self.clock))),
        }
        true
    }

    /// A phone confirmation was recorded (or already was).
    pub(super) fn confirmed_by_phone(&mut self, reservation_id: i64, name: &str, changed: bool) -> bool {
        if let Some(f) = self.follow_up_mut() {
            let rows = f.rows.iter().filter(|r| r.reservation_id != reservation_id).cloned().collect();
            f.reload(rows);
        }
        let text = if changed { self.strings.confirmed_by_phone(name) } else { self.strings.already_by_phone(name) };
        self.set_notice(Notice::info(text))
    }

    /// A guest's personal data was erased.
    pub(super) fn forgotten(&mut self, guest_id: i64, report: &crate::store::ForgetReport) -> bool {
        if self.history().is_some_and(|h| h.history.guest.id == guest_id) {
            self.commands.push(Command::History { guest_id, limit: HISTORY_PAGE });
        }
        self.set_notice(Notice::info(self.strings.forgotten(report.messages)))
    }

    /// The delivery health, which also means "the data changed".
    pub(super) fn health_loaded(&mut self, health: crate::store::DeliveryHealth) -> bool {
        let changed = self.health != Some(health);
        self.health = Some(health);
        self.refresh_panes();
        changed
    }

    /// The data changed: the open follow-up list and history are read again.
    fn refresh_panes(&mut self) {
        if let Some(f) = self.follow_up() {
            self.commands.push(Command::FollowUp { day: f.day, now: self.venue_now() });
        }
        if let Some(h) = self.history() {
            let limit = h.history.emails.len().max(HISTORY_PAGE);
            self.commands.push(Command::History { guest_id: h.history.guest.id, limit });
        }
    }

    /// A page of the communication history: the first opens (or refills) the screen, a
    /// next page is added if it continues what is shown.
    pub(super) fn comm_page(
        &mut self,
        filter: crate::store::CommFilter,
        after: Option<crate::store::CommCursor>,
        rows: Vec<crate::store::CommRow>,
    ) -> bool {
        use crate::data::COMM_PAGE;
        if let Some(c) = self.comm_mut() {
            c.paging = false;
        }
        match (self.comm_mut(), after) {
            (Some(c), None) if c.filter == filter => {
                c.rows = rows;
                c.more = c.rows.len() >= COMM_PAGE;
                c.selection = crate::panes::Selection::default();
            }
            (None, None) => self.open(Overlay::Comm(CommState::new(filter, rows, COMM_PAGE, self.clock))),
            (Some(c), Some(after)) if c.filter == filter && c.next_page_after() == Some(after) => {
                c.append_page(rows, COMM_PAGE);
            }
            // An answer for a filter changed again since, or a page already taken.
            _ => return false,
        }
        self.comm_needs();
        true
    }
}
