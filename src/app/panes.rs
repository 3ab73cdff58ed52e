//! The panes of issue 6 at the screen: the guest's history (Enter), the communication
//! history (`H`) and the follow-up list (`F`). One keymap serves them all, so the keys of
//! the list take the pane's meaning while one is open (↑/↓ move in it, Esc closes it, `r`
//! and `e` act on the follow-up row). Their data comes from the data thread (`pane_data.rs`).

use super::staff::ReservationTarget;
use super::{App, Command, Confirm, Notice, Overlay, PaneKind};
use crate::action::Action;
use crate::data::HISTORY_PAGE;

/// How close to the end of a pane's list the next page is asked for.
pub(super) const LOOKAHEAD: usize = 10;

impl App {
    /// The reservation `r`, `e` and `v` act on: the follow-up row when that list is on top,
    /// else the highlighted reservation.
    pub(super) fn target(&self) -> Option<ReservationTarget> {
        match self.top_pane() {
            Some(PaneKind::FollowUp) => self.follow_up()?.selected().map(ReservationTarget::from),
            Some(_) => None,
            None => self.selected_row().map(ReservationTarget::from),
        }
    }

    /// Applies `action` the way the overlay on top means it; `None` leaves it to the list
    /// (or to the popup on top, whose actions `App::apply` knows).
    pub(super) fn pane_action(&mut self, action: &Action) -> Option<bool> {
        let typing =
            matches!(action, Action::FilterInput(_) | Action::FilterBackspace | Action::FilterAccept | Action::Cancel);
        let top = match self.top() {
            Some(Overlay::Comm(c)) if typing && c.editing.is_some() => return Some(self.comm_typing(action)),
            Some(Overlay::History(_)) => PaneKind::History,
            Some(Overlay::Comm(_)) => PaneKind::Comm,
            Some(Overlay::FollowUp(_)) => PaneKind::FollowUp,
            None | Some(Overlay::Filter) => {
                return match action {
                    Action::OpenHistory => Some(self.open_history()),
                    Action::CommHistory => Some(self.open_comm()),
                    Action::FollowUp => Some(self.open_follow_up()),
                    Action::ConfirmByPhone => Some(self.confirm_by_phone()),
                    Action::Scroll(lines) => {
                        Some(self.select(self.selected.saturating_add_signed(isize::from(*lines))))
                    }
                    _ => None,
                };
            }
            Some(Overlay::Help | Overlay::Form(_) | Overlay::LastError(_) | Overlay::Confirm(_)) => return None,
        };
        let page = self.page_size() as isize;
        match action {
            Action::SelectNext => Some(self.move_in_pane(1)),
            Action::SelectPrevious => Some(self.move_in_pane(-1)),
            Action::PageDown => Some(self.move_in_pane(page)),
            Action::PageUp => Some(self.move_in_pane(-page)),
            Action::SelectFirst => Some(self.move_in_pane(isize::MIN / 2)),
            Action::SelectLast => Some(self.move_in_pane(isize::MAX / 2)),
            Action::Scroll(lines) => Some(self.move_in_pane(isize::from(*lines))),
            // Esc: `App::cancel` closes the pane.
            Action::CommHistory => {
                self.close_panes();
                Some(self.open_comm())
            }
            Action::FollowUp => {
                self.close_panes();
                Some(self.open_follow_up())
            }
            Action::OpenHistory => Some(top != PaneKind::History && self.open_history()),
            Action::ForgetGuest if top == PaneKind::History => Some(self.ask_forget()),
            Action::StartFilter | Action::FilterKind | Action::FilterState | Action::FilterFrom | Action::FilterTo
                if top == PaneKind::Comm =>
            {
                Some(self.comm_filter(action))
            }
            Action::ConfirmByPhone if top == PaneKind::FollowUp => Some(self.confirm_by_phone()),
            Action::PreviousDay | Action::NextDay | Action::Today if top == PaneKind::FollowUp => {
                let day = match action {
                    Action::PreviousDay => self.day.pred_opt().unwrap_or(self.day),
                    Action::NextDay => self.day.succ_opt().unwrap_or(self.day),
                    _ => self.today,
                };
                let moved = self.go_to(day);
                if moved {
                    self.commands.push(Command::FollowUp { day, now: self.venue_now() });
                }
                Some(moved)
            }
            // Resend and the address form act on the follow-up row (see `target`).
            Action::Resend | Action::EditEmail if top == PaneKind::FollowUp => None,
            // In a guest's history `r` sends the selected email again, whatever its kind.
            Action::Resend if top == PaneKind::History => Some(self.resend_selected_email()),
            // The list's own actions wait until the pane is closed.
            Action::Confirm
            | Action::Complete
            | Action::CancelReservation
            | Action::NoShow
            | Action::NewReservation
            | Action::Resend
            | Action::EditEmail
            | Action::ShowLastError
            | Action::ResetCounter
            | Action::ForgetGuest
            | Action::ConfirmByPhone
            | Action::StartFilter
            | Action::FilterKind
            | Action::FilterState
            | Action::FilterFrom
            | Action::FilterTo
            | Action::PreviousDay
            | Action::NextDay
            | Action::Today => Some(false),
            _ => None,
        }
    }

    /// `r` in a guest's history: the journey (in the store) decides whether the selected
    /// email can go again and whether to ask first.
    fn resend_selected_email(&mut self) -> bool {
        let selected = self.history().and_then(|h| h.selected_email()).map(|e| e.id);
        match selected {
            Some(message_id) => {
                self.commands.push(Command::ResendMessage { message_id, again: false });
                false
            }
            None => self.set_notice(Notice::error(self.strings.no_selection)),
        }
    }

    /// `H` or `F` over a pane: the panes give way to the new one.
    fn close_panes(&mut self) {
        self.close(|o| o.pane().is_some());
    }

    /// Enter: asks for the history of the guest of the selected row (list, follow-up or
    /// communication history); the pane opens when it arrives.
    fn open_history(&mut self) -> bool {
        let guest_id = match self.top_pane() {
            Some(PaneKind::Comm) => self.comm().and_then(|c| c.selected()).map(|r| r.guest_id),
            _ => self.target().map(|t| t.guest_id),
        };
        let Some(guest_id) = guest_id else {
            return self.set_notice(Notice::error(self.strings.no_selection));
        };
        self.commands.push(Command::History { guest_id, limit: HISTORY_PAGE });
        false
    }

    fn open_follow_up(&mut self) -> bool {
        self.commands.push(Command::FollowUp { day: self.day, now: self.venue_now() });
        false
    }

    /// `v`: the guest said yes on the phone.
    fn confirm_by_phone(&mut self) -> bool {
        let Some(t) = self.target() else {
            return self.set_notice(Notice::error(self.strings.no_selection));
        };
        if t.by_phone {
            return self.set_notice(Notice::info(self.strings.already_by_phone(&t.name)));
        }
        self.commands.push(Command::ConfirmByPhone { reservation_id: t.reservation_id, name: t.name });
        false
    }

    /// `X` in the history: asks before erasing the guest's personal data.
    fn ask_forget(&mut self) -> bool {
        let Some(h) = self.history().map(|h| &h.history) else { return false };
        if h.forgotten {
            return self.set_notice(Notice::info(self.strings.already_forgotten));
        }
        let question = self.strings.forget_question(&h.guest.name, &h.guest.email);
        let command = Command::Forget { guest_id: h.guest.id, email: h.guest.email.clone() };
        self.ask(Confirm { question, yes: Box::new(Action::Run(command)) });
        true
    }

    /// Moves the selection of the pane on top by `delta`, then asks for what the new
    /// position needs (the email's log, the next page).
    pub(super) fn move_in_pane(&mut self, delta: isize) -> bool {
        let Some(pane) = self.top_pane_mut() else { return false };
        let kind = pane.pane();
        let moved = pane.selection_mut().is_some_and(|(selection, len)| selection.move_by(delta, len));
        match kind {
            Some(PaneKind::History) => self.history_needs(),
            Some(PaneKind::Comm) => self.comm_needs(),
            Some(PaneKind::FollowUp) | None => {}
        }
        moved
    }

    /// The history's selection moved: load the selected email's log, and the next page of
    /// emails when the selection nears the end.
    pub(super) fn history_needs(&mut self) {
        let Some(h) = self.history_mut() else { return };
        let log = h.selected_email().filter(|e| h.log.as_ref().is_none_or(|(id, _)| *id != e.id)).map(|e| e.id);
        let page = if h.more && !h.paging && h.selection.index() + LOOKAHEAD >= h.entries.len() {
            h.next_page_after().map(|before| (h.history.guest.id, before))
        } else {
            None
        };
        if page.is_some() {
            h.paging = true;
        }
        if let Some(message_id) = log {
            self.commands.push(Command::MessageLog { message_id });
        }
        if let Some((guest_id, before)) = page {
            self.commands.push(Command::HistoryPage { guest_id, before });
        }
    }

    /// The communication history's selection moved: the next page when near the end.
    pub(super) fn comm_needs(&mut self) {
        let Some(c) = self.comm_mut() else { return };
        if !c.paging
            && c.wants_more(LOOKAHEAD)
            && let Some(after) = c.next_page_after()
        {
            c.paging = true;
            let filter = c.filter.clone();
            self.commands.push(Command::Comm { filter, after: Some(after) });
        }
    }
}
