//! Everything the screen can be asked to do, as one enum: keys translate into these, the
//! data thread's answers too, and only [`crate::app::App::update`] acts on them.

use chrono::NaiveDate;

use crate::domain::ReservationRow;

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
}

impl Action {
    /// The actions a user can bind to keys, in the order help lists them.
    pub const BINDABLE: [Action; 12] = [
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
        assert_eq!(Action::from_name("resend"), None);
        assert_eq!(Action::FilterBackspace.name(), None);
    }
}
