//! The error counter of a guest's address at the screen: the badge next to the name, the
//! last-error popup (opened by a key or a click on the badge), and the reset (after a yes).

use super::layout::{Columns, FIRST_ROW_Y, GUEST_X, guest_cell};
use super::{App, Command, Confirm, Notice, Overlay, mask_email};
use crate::action::Action;
use crate::bounce::explain;
use crate::domain::{BounceClass, ReservationRow};
use crate::store::AddressRecord;

/// What the last-error popup shows, worked out when it opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastError {
    pub name: String,
    pub email: String,
    pub error_count: u32,
    pub blocked: bool,
    /// When it came, as the screen writes a moment.
    pub at: Option<String>,
    pub status: Option<String>,
    pub reply_code: Option<String>,
    pub diagnostic: Option<String>,
    pub explanation: &'static str,
    pub next_step: &'static str,
}

impl LastError {
    /// The popup for `record`, explained in the staff's language.
    pub fn new(
        name: String,
        record: AddressRecord,
        language: crate::domain::Language,
        clock: crate::clock::Clock,
    ) -> Self {
        let status = record.last_error_status.clone();
        let diagnostic = record.last_error.clone().unwrap_or_default();
        // Without a stored class, the one classifier of failures decides (src/failure.rs).
        let class: BounceClass = record.last_error_class.as_deref().and_then(|c| c.parse().ok()).unwrap_or_else(|| {
            crate::failure::of_report(record.last_error_code.as_deref(), status.as_deref(), &diagnostic).bounce_class()
        });
        let e = explain(class, status.as_deref(), &diagnostic, language.as_str());
        let at = record.last_error_at.map(|ms| clock.naive(ms).format(crate::strings::DATE_TIME).to_string());
        LastError {
            name,
            email: record.email,
            error_count: record.error_count,
            blocked: record.blocked,
            at,
            status,
            reply_code: record.last_error_code,
            diagnostic: record.last_error,
            explanation: e.explanation,
            next_step: e.next_step,
        }
    }
}

impl App {
    /// The badge next to a guest's name: `BLOCKED` past the threshold, `⚠3` with errors,
    /// nothing for a clean address.
    pub fn badge(&self, r: &ReservationRow) -> Option<String> {
        if r.address.blocked {
            Some(self.strings.blocked_badge.to_owned())
        } else if r.address.error_count > 0 {
            Some(format!("⚠{}", r.address.error_count))
        } else {
            None
        }
    }

    /// The list position whose badge is drawn at terminal cell (`x`, `y`), if any.
    pub fn badge_at(&self, x: u16, y: u16) -> Option<usize> {
        let pos = self.offset + usize::from(y.checked_sub(FIRST_ROW_Y)?);
        if y >= self.size.1.saturating_sub(2) || self.loading() {
            return None; // the status and hint lines
        }
        let r = self.visible.get(pos).map(|&i| &self.rows[i])?;
        let columns = Columns::for_width(self.size.0);
        let (at, width) = guest_cell(r, self.badge(r).as_deref(), columns.guest).badge?;
        let start = GUEST_X + at;
        (x >= start && x < start + width).then_some(pos)
    }

    /// `!` or a click on the badge: asks the data thread for the address's last error.
    pub(super) fn show_last_error(&mut self) -> bool {
        let Some(r) = self.selected_row() else {
            return self.set_notice(Notice::error(self.strings.no_selection));
        };
        if r.address.error_count == 0 && !r.address.blocked {
            return self.set_notice(Notice::info(self.strings.no_errors));
        }
        let command = Command::LastError { name: r.guest.name.clone(), email: r.guest.email.clone() };
        self.commands.push(command);
        false
    }

    /// `Delete` / `D`: asks, then resets the counter of the selected guest's address.
    pub(super) fn ask_reset(&mut self) -> bool {
        let Some(r) = self.selected_row() else {
            return self.set_notice(Notice::error(self.strings.no_selection));
        };
        if r.address.error_count == 0 && !r.address.blocked {
            return self.set_notice(Notice::info(self.strings.no_errors));
        }
        let question = self.strings.reset_question(&r.guest.email, r.address.error_count);
        let yes = Box::new(Action::Run(Command::ResetAddress { email: r.guest.email.clone() }));
        self.ask(Confirm { question, yes });
        true
    }

    /// The counter was reset: say so, and offer the emails held while it was blocked.
    pub(super) fn address_reset(&mut self, email: &str, held: usize) -> bool {
        self.close(|o| matches!(o, Overlay::LastError(_)));
        if held > 0 {
            let yes = Box::new(Action::Run(Command::ReleaseHeld { email: email.to_owned() }));
            self.ask(Confirm { question: self.strings.journey().held_question(held), yes });
        }
        self.set_notice(Notice::info(self.strings.counter_reset(&mask_email(email))))
    }
}
