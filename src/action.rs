//! Everything the screen can be asked to do, as one enum: keys translate into these, the
//! data thread's answers too, and only [`crate::app::App::update`] acts on them.

use chrono::NaiveDate;

use crate::data::{Command, Outcome};
use crate::domain::ReservationRow;
use crate::event::Service;
use crate::mail::Report;

/// One intention. The first group can be bound to keys (see [`Action::BINDABLE`]); the rest
/// come from text input, popups and background threads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Quit,
    SelectNext,
    SelectPrevious,
    PageDown,
    PageUp,
    SelectFirst,
    SelectLast,
    PreviousDay,
    NextDay,
    Today,
    StartFilter,
    ToggleHelp,
    /// `c`: the selected reservation becomes confirmed (queues the confirmation).
    Confirm,
    /// `d`: the meal is over (queues the thank-you), after a yes/no prompt.
    Complete,
    /// `x`: cancel the reservation, after a yes/no prompt.
    CancelReservation,
    /// `N`: the guest did not come (a no-show), after a yes/no prompt.
    NoShow,
    /// `n`: the form to add a reservation.
    NewReservation,
    /// `r`: resend the confirmation.
    Resend,
    /// `e`: correct the guest's email address.
    EditEmail,
    /// `!`: the last error received for the guest's address.
    ShowLastError,
    /// `Delete` / `D`: reset the address's error counter, after a yes/no prompt.
    ResetCounter,
    /// Enter: the guest's history (of the reservation, follow-up or email selected).
    OpenHistory,
    /// `H`: the communication-history screen (every email sent).
    CommHistory,
    /// `F`: the follow-up list of the day on screen (who to call before service).
    FollowUp,
    /// `v`: the guest confirmed on the phone (recorded; the row leaves the follow-up list).
    ConfirmByPhone,
    /// `X` in the history pane: erase the guest's personal data, after a yes/no prompt.
    ForgetGuest,
    /// `K` on the communication history: the next email kind to filter on.
    FilterKind,
    /// `S` on the communication history: the next email state to filter on.
    FilterState,
    /// `<` / `>` on the communication history: type the first / last day shown.
    FilterFrom,
    FilterTo,

    /// A character typed into the filter.
    FilterInput(char),
    FilterBackspace,
    /// Enter in the filter: keep the filter, leave typing.
    FilterAccept,
    /// Esc: clear the filter (or close whatever is open).
    Cancel,
    /// The answer to the yes/no popup.
    ConfirmYes,
    ConfirmNo,
    /// The terminal changed size.
    Resize(u16, u16),
    /// The data thread's answer for one day.
    DayLoaded(NaiveDate, Vec<ReservationRow>),
    /// The data thread could not load a day.
    LoadFailed(String),
    /// Time passed; only changes state when the calendar day rolls over.
    Tick(NaiveDate),

    /// Form editing: a character, Backspace, Tab / Shift-Tab, Enter, Esc.
    FormInput(char),
    FormBackspace,
    FormNext,
    FormPrevious,
    FormSubmit,
    FormCancel,
    /// A left click at terminal cell (column, row).
    Click(u16, u16),
    /// The mouse wheel over the screen: lines to move (negative: up).
    Scroll(i8),
    /// Hand a write to the data thread (the yes of a prompt, a saved form).
    Run(Command),
    /// The data thread's answer to a [`Command`].
    Done(Outcome),
    /// The outbox worker moved one message on.
    Mail(Report),
    /// A background service could not start; the text says why.
    ServiceOff(Service, String),
    /// Another guestmail on this machine records the opens (it holds the tracking port).
    TrackingElsewhere,
    /// The outbox's standing changed (paused, stopped, or working again).
    Background(crate::event::Background),
    /// A mailbox watcher's standing changed (watching again, lost, refused).
    Mailbox(crate::bounce::imap::Role, crate::bounce::imap::Status),
}

impl Action {
    /// The actions a user can bind to keys, in the order help lists them.
    pub const BINDABLE: [Action; 30] = [
        Action::SelectPrevious,
        Action::SelectNext,
        Action::PageUp,
        Action::PageDown,
        Action::SelectFirst,
        Action::SelectLast,
        Action::PreviousDay,
        Action::NextDay,
        Action::Today,
        Action::StartFilter,
        Action::Confirm,
        Action::Complete,
        Action::CancelReservation,
        Action::NoShow,
        Action::NewReservation,
        Action::Resend,
        Action::EditEmail,
        Action::ShowLastError,
        Action::ResetCounter,
        Action::OpenHistory,
        Action::CommHistory,
        Action::FollowUp,
        Action::ConfirmByPhone,
        Action::ForgetGuest,
        Action::FilterKind,
        Action::FilterState,
        Action::FilterFrom,
        Action::FilterTo,
        Action::ToggleHelp,
        Action::Quit,
    ];

    /// The name used in the config's `[keys]` table; `None` for actions keys cannot trigger.
    pub const fn name(&self) -> Option<&'static str> {
        Some(match self {
            Action::Quit => "quit",
            Action::SelectNext => "down",
            Action::SelectPrevious => "up",
            Action::PageDown => "page_down",
            Action::PageUp => "page_up",
            Action::SelectFirst => "first",
            Action::SelectLast => "last",
            Action::PreviousDay => "previous_day",
            Action::NextDay => "next_day",
            Action::Today => "today",
            Action::StartFilter => "filter",
            Action::ToggleHelp => "help",
            Action::Confirm => "confirm",
            Action::Complete => "complete",
            Action::CancelReservation => "cancel",
            Action::NoShow => "no_show",
            Action::NewReservation => "new",
            Action::Resend => "resend",
            Action::EditEmail => "edit_email",
            Action::ShowLastError => "last_error",
            Action::ResetCounter => "reset_counter",
            Action::OpenHistory => "history",
            Action::CommHistory => "communications",
            Action::FollowUp => "follow_up",
            Action::ConfirmByPhone => "confirmed_by_phone",
            Action::ForgetGuest => "forget",
            Action::FilterKind => "filter_kind",
            Action::FilterState => "filter_state",
            Action::FilterFrom => "filter_from",
            Action::FilterTo => "filter_to",
            _ => return None,
        })
    }

    /// The bindable action with this config name.
    pub fn from_name(name: &str) -> Option<Action> {
        Self::BINDABLE.into_iter().find(|a| a.name() == Some(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bindable_action_has_a_unique_name_that_round_trips() {
        let mut names: Vec<&str> = Action::BINDABLE.iter().filter_map(Action::name).collect();
        assert_eq!(names.len(), Action::BINDABLE.len());
        for n in &names {
            assert_eq!(Action::from_name(n).and_then(|a| a.name()), Some(*n));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Action::BINDABLE.len());
        assert_eq!(Action::from_name("resend"), Some(Action::Resend));
        assert_eq!(Action::from_name("launch"), None);
        assert_eq!(Action::FilterBackspace.name(), None);
    }
}
