//! Every string a user reads on the screen, in English, French and Dutch. The French uses
//! the product brief's own words. Texts named by an enum (actions, statuses, markers, hint
//! words, email kinds and states...) are one `match` each in `names.rs`; the rest are the
//! fields of [`Strings`], so a missing translation is a compile error either way.

use chrono::NaiveDate;

use crate::action::Action;
use crate::domain::{AddressError, EmailKind, Language, Marker, MessageState, ReservationStatus};

/// How the screen writes a moment (the brief's "23/11/2026 19:02"), in both languages.
pub const DATE_TIME: &str = "%d/%m/%Y %H:%M";

/// The heads of the three email-marker columns, one per email of a reservation's journey.
#[derive(Debug)]
pub struct MarkerColumns {
    pub pending: &'static str,
    pub confirmed: &'static str,
    pub completed: &'static str,
}

/// One text per field of the forms (`app::form::Field` picks its own).
#[derive(Debug)]
pub struct FieldWords {
    pub name: &'static str,
    pub email: &'static str,
    pub phone: &'static str,
    pub party: &'static str,
    pub date: &'static str,
    pub time: &'static str,
    pub language: &'static str,
}

/// What the help says of the error badges.
#[derive(Debug)]
pub struct BadgeWords {
    /// `⚠3`: errors came back for the address.
    pub errors: &'static str,
    /// `BLOCKED`: past the threshold.
    pub blocked: &'static str,
}

/// One language's texts. Plain fields so a missing translation is a compile error.
#[derive(Debug)]
pub struct Strings {
    /// The language of these texts (dates are written from [`crate::locale`]).
    pub language: Language,
    pub today: &'static str,
    pub loading: &'static str,
    pub col_time: &'static str,
    pub col_guest: &'static str,
    pub col_party: &'static str,
    pub col_status: &'static str,
    pub col_phone: &'static str,
    /// Column heads of the email markers.
    pub col_markers: MarkerColumns,
    pub empty_day: &'static str,
    pub no_match: &'static str,
    pub filter_prompt: &'static str,
    pub too_small: &'static str,
    pub help_title: &'static str,
    pub help_keys: &'static str,
    pub help_legend: &'static str,
    pub help_markers_order: &'static str,
    pub help_close: &'static str,
    pub filter_keys: &'static str,
    pub ctrl_c: &'static str,
    pub confirm_hint: &'static str,
    pub load_failed: &'static str,
    pub not_opened_yet: &'static str,
    pub last_opened: &'static str,
    /// Help legend of the `☎` mark on a reservation.
    pub help_phone: &'static str,
    /// Help legend of the `↩` mark: the guest answered one of the emails.
    pub help_reply: &'static str,
    /// The help's last line when the terminal is too short for all of it.
    pub help_more: &'static str,
    pub already_forgotten: &'static str,
    confirmed_by_phone: fn(&str) -> String,
    already_by_phone: fn(&str) -> String,
    forget_question: fn(&str, &str) -> String,
    forgotten: fn(usize) -> String,
    pub form_new_title: &'static str,
    pub form_email_title: &'static str,
    /// The form fields' labels.
    pub form_labels: FieldWords,
    /// What each field expects, shown when it is empty and focused.
    pub form_examples: FieldWords,
    pub form_hint: &'static str,
    /// The keys of a form of one field (the guest's email address): no Tab to name.
    pub form_hint_one_field: &'static str,
    pub no_selection: &'static str,
    pub sending_off: &'static str,
    pub bounces_off: &'static str,
    /// The reply mailbox cannot be read (before what is wrong).
    pub replies_off: &'static str,
    /// The badge of an address past the error threshold.
    pub blocked_badge: &'static str,
    pub no_errors: &'static str,
    /// Help legend of the badges.
    pub help_badges: BadgeWords,
    pub last_error_title: &'static str,
    pub last_error_close: &'static str,
    reset_question: fn(&str, u32) -> String,
    counter_reset: fn(&str) -> String,
    pub tracking_off: &'static str,
    pub command_failed: &'static str,
    address_error: fn(&AddressError) -> String,
    transition: fn(&str, &str) -> String,
    cancel_question: fn(&str, &str) -> String,
    /// "Mark {name} ({time}) completed?" and the no-show one.
    complete_question: fn(&str, &str) -> String,
    no_show_question: fn(&str, &str) -> String,
    /// The same when the reservation time has not come yet (a yes forces it): the time.
    complete_early_question: fn(&str) -> String,
    no_show_early_question: fn(&str) -> String,
    resend_to_new: fn(&str) -> String,
    status_changed: fn(&str, &str, bool) -> String,
    created: fn(&str, &str) -> String,
    blocked: fn(Option<u32>) -> String,
    email_changed: fn(&str) -> String,
    mail_report: fn(EmailKind, MessageState, &str, &str) -> String,
    opened_times: fn(u32) -> String,
    counts: fn(usize, u32) -> String,
    /// The header's tail: how many cancelled and no-show reservations the covers leave out.
    cancelled_count: fn(usize) -> String,
    no_show_count: fn(usize) -> String,
    matches: fn(usize, usize) -> String,
}

pub mod background;
mod en;
mod fr;
pub mod history;
pub mod journey;
pub mod names;
mod nl;
pub mod pause;
pub mod replies;
pub mod venues;

pub use en::EN;
pub use fr::FR;
pub use history::HistoryStrings;
pub use names::{FieldProblem, Hint};
pub use nl::NL;

impl Strings {
    /// The texts of a language.
    pub fn of(lang: Language) -> &'static Strings {
        match lang {
            Language::En => &EN,
            Language::Fr => &FR,
            Language::Nl => &NL,
        }
    }

    /// The texts of the history panes in the same language.
    /// The journey's texts (refusals, questions, held emails, withdrawals) in this language.
    pub fn journey(&self) -> journey::JourneyText {
        journey::JourneyText(self.language)
    }

    pub fn history(&self) -> &'static HistoryStrings {
        HistoryStrings::of(self.language)
    }

    /// "Monday 23 November 2026" / "lundi 23 novembre 2026".
    pub fn date(&self, d: NaiveDate) -> String {
        crate::locale::long_date(&d, self.language)
    }

    /// "12 reservations · 40 covers".
    pub fn counts(&self, reservations: usize, covers: u32) -> String {
        (self.counts)(reservations, covers)
    }

    /// "3 of 12" for a filter.
    pub fn matches(&self, shown: usize, total: usize) -> String {
        (self.matches)(shown, total)
    }

    /// "Opened (3 times)" / "Ouvert (3 fois)", for the detail and history panes.
    pub fn opened_times(&self, n: u32) -> String {
        (self.opened_times)(n)
    }

    pub fn status(&self, s: ReservationStatus) -> &'static str {
        names::status(self.language, s)
    }

    /// What a marker means, for the legend.
    pub fn marker(&self, m: Marker) -> &'static str {
        names::marker(self.language, m)
    }

    /// A marker in one word, for the footer's short legend.
    pub fn legend(&self, m: Marker) -> &'static str {
        names::legend(self.language, m)
    }

    /// A label of the last-error popup.
    pub fn error_label(&self, l: names::ErrorLabel) -> &'static str {
        names::error_label(self.language, l)
    }

    /// A word of the key-hint lines.
    pub fn hint(&self, h: Hint) -> &'static str {
        names::hint(self.language, h)
    }

    /// What a form field (or a typed date) expects.
    pub fn field_problem(&self, p: FieldProblem) -> &'static str {
        names::field_problem(self.language, p)
    }

    /// A keymap label with its named keys as this language's keyboards label them.
    pub fn keys(&self, label: &str) -> String {
        names::key_label(self.language, label)
    }

    /// Why a typed address was refused.
    pub fn address_error(&self, e: &AddressError) -> String {
        (self.address_error)(e)
    }

    /// "A completed reservation cannot become confirmed".
    pub fn transition(&self, from: ReservationStatus, to: ReservationStatus) -> String {
        (self.transition)(self.status(from), self.status(to))
    }

    /// "Cancel the reservation of Anna at 19:30?"
    pub fn cancel_question(&self, name: &str, time: &str) -> String {
        (self.cancel_question)(name, time)
    }

    /// The question before `d` (completed) or `N` (no-show); `early` when the reservation
    /// time has not come yet, so that a yes forces the change.
    pub fn status_question(&self, to: ReservationStatus, name: &str, time: &str, early: bool) -> String {
        match (to, early) {
            (ReservationStatus::Completed, false) => (self.complete_question)(name, time),
            (ReservationStatus::Completed, true) => (self.complete_early_question)(time),
            (ReservationStatus::NoShow, false) => (self.no_show_question)(name, time),
            (ReservationStatus::NoShow, true) => (self.no_show_early_question)(time),
            _ => (self.cancel_question)(name, time),
        }
    }

    /// "3 cancelled", for the header's tail.
    pub fn cancelled_count(&self, n: usize) -> String {
        (self.cancelled_count)(n)
    }

    /// "1 no-show", for the header's tail.
    pub fn no_show_count(&self, n: usize) -> String {
        (self.no_show_count)(n)
    }

    /// The guest already opened the confirmation: send it again?
    /// After an address correction: resend the confirmation to it?
    pub fn resend_to_new(&self, email: &str) -> String {
        (self.resend_to_new)(email)
    }

    /// "Reset the error counter of anna@example.org (13 errors)? …"
    pub fn reset_question(&self, email: &str, errors: u32) -> String {
        (self.reset_question)(email, errors)
    }

    pub fn counter_reset(&self, masked: &str) -> String {
        (self.counter_reset)(masked)
    }

    /// "Anna: confirmed, email queued".
    pub fn status_changed(&self, name: &str, to: ReservationStatus, queued: bool) -> String {
        (self.status_changed)(name, self.status(to), queued)
    }

    /// "Reservation added for Anna on Monday 23 November 2026".
    pub fn created(&self, name: &str, day: NaiveDate) -> String {
        (self.created)(name, &self.date(day))
    }

    /// "Not sent: address blocked after 13 errors".
    pub fn blocked(&self, errors: Option<u32>) -> String {
        (self.blocked)(errors)
    }

    pub fn email_changed(&self, email: &str) -> String {
        (self.email_changed)(email)
    }

    /// The status line for one message the outbox worker moved on; `masked` is the
    /// recipient with its local part hidden, `detail` the server's words.
    pub fn mail_report(&self, kind: EmailKind, state: MessageState, masked: &str, detail: &str) -> String {
        (self.mail_report)(kind, state, masked, detail)
    }

    /// "Anna Peeters: confirmed by phone".
    pub fn confirmed_by_phone(&self, name: &str) -> String {
        (self.confirmed_by_phone)(name)
    }

    pub fn already_by_phone(&self, name: &str) -> String {
        (self.already_by_phone)(name)
    }

    /// The yes/no question before erasing a guest's personal data.
    pub fn forget_question(&self, name: &str, email: &str) -> String {
        (self.forget_question)(name, email)
    }

    /// After an erasure: how many emails were anonymised.
    pub fn forgotten(&self, emails: usize) -> String {
        (self.forgotten)(emails)
    }

    /// What a bindable action does, for the help.
    pub fn action(&self, a: &Action) -> &'static str {
        names::action(self.language, a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_naturally_in_both_languages() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(EN.date(d), "Monday 23 November 2026");
        assert_eq!(FR.date(d), "lundi 23 novembre 2026");
    }

    #[test]
    fn french_uses_the_brief_words() {
        assert_eq!(FR.marker(Marker::Sent), "Pas encore ouvert");
        assert_eq!(FR.opened_times(3), "Ouvert (3 fois)");
        assert_eq!(FR.last_opened, "Dernière ouverture");
        assert_eq!(FR.counts(2, 7), "2 réservations · 7 couverts");
        assert_eq!(EN.counts(1, 1), "1 reservation · 1 cover");
        assert_eq!(FR.status(ReservationStatus::NoShow), "absent");
        assert_eq!(EN.action(&Action::Quit), "quit");
        assert!(std::ptr::eq(Strings::of(Language::Nl), &raw const NL));
        assert_eq!(NL.status(ReservationStatus::Confirmed), "bevestigd");
        assert_eq!(FR.keys("Enter"), "Entrée");
        assert_eq!(FR.keys("↑/k"), "↑/k");
        assert_eq!(FR.keys("Del/D"), "Suppr/D");
    }
}
