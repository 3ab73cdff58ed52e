//! The communication history's filters at the keyboard: `K` and `S` cycle the email kind and
//! state, `/` types the search text (applied as you type), `<` and `>` type the first and
//! last day (applied on Enter; an empty date clears it). Each change asks the data thread
//! for the first page again.

use chrono::{Days, NaiveDate};

use super::form::parse_date;
use super::{App, Command, Notice};
use crate::action::Action;
use crate::domain::{EmailKind, MessageState};
use crate::panes::comm_history::FilterField;
use crate::store::CommFilter;

impl App {
    /// `H`: asks for the first page, unfiltered; the screen opens when it arrives.
    pub(super) fn open_comm(&mut self) -> bool {
        self.commands.push(Command::Comm { filter: CommFilter::default(), after: None });
        false
    }

    /// `/`, `K`, `S`, `<`, `>` on the communication history.
    pub(super) fn comm_filter(&mut self, action: &Action) -> bool {
        let Some(c) = self.comm_mut() else { return false };
        match action {
            Action::FilterKind => c.filter.kind = next_of(c.filter.kind, EmailKind::ALL),
            Action::FilterState => c.filter.state = next_of(c.filter.state, MessageState::ALL),
            Action::StartFilter => {
                c.editing = Some(FilterField::Text);
                return true;
            }
            Action::FilterFrom | Action::FilterTo => {
                let (field, day) = if *action == Action::FilterFrom {
                    (FilterField::From, c.from_day)
                } else {
                    (FilterField::To, c.to_day)
                };
                c.editing = Some(field);
                c.draft = day.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default();
                return true;
            }
            _ => return false,
        }
        self.requery_comm();
        true
    }

    /// Keys while a filter field is being typed.
    pub(super) fn comm_typing(&mut self, action: &Action) -> bool {
        let Some(c) = self.comm_mut() else { return false };
        let Some(field) = c.editing else { return false };
        let text = field == FilterField::Text;
        match action {
            Action::FilterInput(ch) if text => c.filter.text.push(*ch),
            Action::FilterBackspace if text => {
                c.filter.text.pop();
            }
            Action::FilterInput(ch) => {
                c.draft.push(*ch);
                return true;
            }
            Action::FilterBackspace => return c.draft.pop().is_some(),
            Action::FilterAccept if text => {
                c.editing = None;
                return true;
            }
            Action::FilterAccept => return self.accept_date(field),
            Action::Cancel => {
                c.editing = None;
                c.draft.clear();
                return true;
            }
            _ => return false,
        }
        self.requery_comm();
        true
    }

    fn accept_date(&mut self, field: FilterField) -> bool {
        let clock = self.clock;
        let Some(c) = self.comm_mut() else { return false };
        let typed = c.draft.trim();
        let day = if typed.is_empty() {
            None
        } else if let Some(d) = parse_date(typed) {
            Some(d)
        } else {
            return self.set_notice(Notice::error(self.strings.field_problem(crate::strings::FieldProblem::Date)));
        };
        if field == FilterField::From {
            c.from_day = day;
        } else {
            c.to_day = day;
        }
        c.editing = None;
        c.draft.clear();
        let midnight = |d: NaiveDate| clock.ms_of(d.and_hms_opt(0, 0, 0).unwrap_or_default());
        c.filter.from = c.from_day.map(midnight);
        c.filter.to = c.to_day.and_then(|d| d.checked_add_days(Days::new(1))).map(midnight);
        self.requery_comm();
        true
    }

    /// The filter changed: the first page again, from the top.
    fn requery_comm(&mut self) {
        let Some(c) = self.comm_mut() else { return };
        c.selection = crate::panes::Selection::default();
        let filter = c.filter.clone();
        self.commands.push(Command::Comm { filter, after: None });
    }
}

/// The next value of a cycle that goes "all", then each value in order, then "all" again.
fn next_of<T: Copy + PartialEq>(current: Option<T>, all: &[T]) -> Option<T> {
    match current {
        None => all.first().copied(),
        Some(v) => all.iter().position(|x| *x == v).and_then(|i| all.get(i + 1)).copied(),
    }
}
