//! What staff do to a reservation (confirm, complete, cancel, add, resend, correct the
//! address) and what comes back: the data thread's outcomes and the outbox worker's reports,
//! turned into prompts and status-line news. Checks that need no database (a status the
//! rules forbid, a blocked address) answer at once, without a round trip.

use super::errors::LastError;
use super::form::{Filled, Form};
use super::{App, Command, Confirm, Notice, Outcome, Overlay};
use crate::action::Action;
use crate::bounce::imap::{Role, Status};
use crate::domain::{MessageState, ReservationRow, ReservationStatus};
use crate::event::{Background, Service};
use crate::journey::{Ask, Booking, Change, Refusal};
use crate::mail::Report;
use crate::store::FollowUp;

/// The reservation a staff action is about, from the day's list or the follow-up list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ReservationTarget {
    pub reservation_id: i64,
    pub guest_id: i64,
    pub name: String,
    pub email: String,
    pub status: ReservationStatus,
    pub blocked: bool,
    pub errors: u32,
    pub by_phone: bool,
}

impl From<&ReservationRow> for ReservationTarget {
    fn from(r: &ReservationRow) -> Self {
        ReservationTarget {
            reservation_id: r.id,
            guest_id: r.guest.id,
            name: r.guest.name.clone(),
            email: r.guest.email.clone(),
            status: r.status,
            blocked: r.address.blocked,
            errors: r.address.error_count,
            by_phone: r.confirmed_by_phone,
        }
    }
}

impl From<&FollowUp> for ReservationTarget {
    fn from(f: &FollowUp) -> Self {
        ReservationTarget {
            reservation_id: f.reservation_id,
            guest_id: f.guest_id,
            name: f.guest_name.clone(),
            email: f.email.clone(),
            status: f.status,
            blocked: f.address_blocked,
            errors: f.address_errors,
            by_phone: false,
        }
    }
}

/// Moved down to [`crate::domain`] so the lower layers can mask without importing `app`.
pub use crate::domain::mask_email;

impl App {
    /// `n`: the form to add a reservation.
    pub(super) fn open_new_form(&mut self) -> bool {
        self.open(Overlay::Form(Form::new_reservation(self.day, self.language, self.policy)));
        true
    }

    /// `e`: the form to correct the address of the reservation `r` would act on.
    pub(super) fn open_email_form(&mut self) -> bool {
        match self.target() {
            Some(t) => {
                self.open(Overlay::Form(Form::edit_email(t.reservation_id, t.guest_id, &t.email)));
                true
            }
            None => self.notice(Notice::error(self.strings.no_selection)),
        }
    }

    /// A background service could not start: kept on screen for as long as it runs.
    pub(super) fn service_off(&mut self, service: Service, why: String) -> bool {
        self.services_off.retain(|(s, _)| *s != service);
        self.services_off.push((service, why));
        true
    }

    /// The outbox's standing changed.
    pub(super) fn background(&mut self, news: Background) -> bool {
        match news {
            Background::Paused(p) => self.sending_paused = p,
            Background::Trouble(t) => self.outbox_trouble = t,
        }
        true
    }

    /// A mailbox watcher's news: a lost connection or a refused login stays on the status
    /// line (what to check, when it tries again) until the watcher is back on, which clears
    /// it and says so once. Watching with nothing to clear (the first login) says nothing.
    pub(super) fn mailbox(&mut self, role: Role, status: &Status) -> bool {
        let (service, lang) = (Service::mailbox(role), self.strings.language);
        if let Some(why) = crate::strings::replies::mailbox_trouble(lang, role, status) {
            return self.service_off(service, why);
        }
        if !self.services_off.iter().any(|(s, _)| *s == service) {
            return false;
        }
        self.services_off.retain(|(s, _)| *s != service);
        self.notice(Notice::info(crate::strings::replies::mailbox_back(lang, role)))
    }

    /// Another guestmail records the opens: not a service that is off.
    pub(super) fn tracking_elsewhere(&mut self) -> bool {
        self.services_off.retain(|(s, _)| *s != Service::Tracking);
        self.notice(Notice::info(crate::strings::background::tracking_elsewhere(self.strings.language)))
    }

    pub(super) fn set_notice(&mut self, notice: Notice) -> bool {
        self.notice(notice)
    }

    fn notice(&mut self, notice: Notice) -> bool {
        self.status = Some(notice);
        true
    }

    pub(super) fn with_form(&mut self, f: impl FnOnce(&mut Form)) -> bool {
        match self.form_mut() {
            Some(form) => {
                f(form);
                true
            }
            None => false,
        }
    }

    /// `c`, `d`, `x`, `N`. A change the rules forbid is refused here, in the staff's
    /// language; completing, cancelling and a no-show ask first (default no). When the
    /// journey says the meal has not happened yet, the question says so and a yes forces it.
    pub(super) fn change_status(&mut self, to: ReservationStatus) -> bool {
        let Some(r) = self.selected_row() else {
            return self.notice(Notice::error(self.strings.no_selection));
        };
        let booking = Booking { status: r.status, starts_at: r.starts_at };
        // Only the domain's own refusal and "not yet" come from a status change; the store
        // checks again when it applies it.
        let early = match self.policy.transition(booking, to, &[], self.venue_now(), Change::default()) {
            Err(Refusal::Transition(e)) => return self.notice(Notice::error(self.strings.transition(e.from, e.to))),
            answer => matches!(answer, Err(Refusal::NotYet { .. })),
        };
        let command = Command::SetStatus { id: r.id, to, force: early };
        if to == ReservationStatus::Confirmed {
            self.commands.push(command);
            return false;
        }
        let time = r.starts_at.format("%H:%M").to_string();
        let question = self.strings.status_question(to, &r.guest.name, &time, early);
        self.ask(Confirm { question, yes: Box::new(Action::Run(command)) });
        true
    }

    /// `r`: a blocked address is refused here (nothing is sent); the store decides the rest
    /// and may ask back (an opened confirmation).
    pub(super) fn resend(&mut self) -> bool {
        let Some(t) = self.target() else {
            return self.notice(Notice::error(self.strings.no_selection));
        };
        if t.blocked {
            return self.notice(Notice::error(self.strings.blocked(Some(t.errors))));
        }
        // The journey (in the store) decides which email and whether to ask first.
        self.commands.push(Command::Resend { id: t.reservation_id, kind: None, again: false });
        false
    }

    pub(super) fn submit_form(&mut self) -> bool {
        let now = self.venue_now();
        let Some(form) = self.form_mut() else { return false };
        let command = match form.submit(now) {
            Some(Filled::Reservation(r)) => Command::Create(r),
            Some(Filled::Email { reservation_id, guest_id, email }) => {
                Command::ChangeEmail { reservation_id, guest_id, email }
            }
            None => return true,
        };
        self.close(|o| matches!(o, Overlay::Form(_)));
        self.commands.push(command);
        true
    }

    pub(super) fn outcome(&mut self, outcome: Outcome) -> bool {
        let s = self.strings;
        let notice = match outcome {
            Outcome::StatusChanged { name, to, queued, held, in_flight } => {
                let mut text = s.status_changed(&name, to, queued);
                if held {
                    let errors = self.rows.iter().find(|r| r.guest.name == name).map(|r| r.address.error_count);
                    text = format!("{text} · {}", s.blocked(errors));
                }
                for kind in in_flight {
                    text = format!("{text} · {}", s.journey().in_flight(kind));
                }
                Notice::info(text)
            }
            Outcome::Created { name, day } => {
                self.go_to(day);
                Notice::info(s.created(&name, day))
            }
            Outcome::ResendQueued { recipient, kind } => {
                Notice::info(s.journey().resend_queued(kind, &mask_email(&recipient)))
            }
            Outcome::ResendBlocked { error_count } => Notice::error(s.blocked(Some(error_count))),
            Outcome::ResendAsk { ask, recipient, retry } => {
                let last = match ask {
                    Ask::Opened { last_opened, .. } => last_opened.map(|at| self.clock.date_time(at)),
                    _ => None,
                };
                let question = s.journey().ask(&ask, &mask_email(&recipient), last.as_deref());
                self.ask(Confirm { question, yes: Box::new(Action::Run(*retry)) });
                return true;
            }
            Outcome::PolicyRefused(r) => Notice::error(s.journey().refusal(&r)),
            Outcome::HeldReleased { count } => Notice::info(s.journey().held_queued(count)),
            Outcome::EmailChanged { reservation_id, email, confirmed } => {
                if confirmed {
                    // The guest never saw the confirmation sent to the typo: send it again
                    // without asking a second time about earlier opens.
                    let retry = Command::Resend { id: reservation_id, kind: None, again: true };
                    let yes = Box::new(Action::Run(retry));
                    self.ask(Confirm { question: s.resend_to_new(&email), yes });
                }
                Notice::info(s.email_changed(&email))
            }
            Outcome::LastError { name, record } => {
                self.open(Overlay::LastError(LastError::new(name, record, self.language, self.clock)));
                return true;
            }
            Outcome::AddressReset { email, held } => return self.address_reset(&email, held),
            Outcome::Refused(e) => Notice::error(s.transition(e.from, e.to)),
            Outcome::Failed(why) => {
                self.stop_paging();
                Notice::error(format!("{}: {why}", s.command_failed))
            }
            Outcome::History { history, more } => return self.history_loaded(history, more),
            Outcome::HistoryPage { guest_id, emails, more } => return self.history_page(guest_id, emails, more),
            Outcome::MessageLog { message_id, lines } => return self.message_log(message_id, lines),
            Outcome::Comm { filter, after, rows } => return self.comm_page(filter, after, rows),
            Outcome::FollowUp { day, rows } => return self.follow_up_loaded(day, rows),
            Outcome::ConfirmedByPhone { reservation_id, name, changed } => {
                return self.confirmed_by_phone(reservation_id, &name, changed);
            }
            Outcome::Forgotten { guest_id, report } => return self.forgotten(guest_id, &report),
            Outcome::Health(health) => return self.health_loaded(health),
        };
        self.notice(notice)
    }

    /// One message the worker moved on. A blocked address is named with its error count,
    /// which the list already knows.
    pub(super) fn mail_report(&mut self, report: &Report) -> bool {
        let s = self.strings;
        let masked = mask_email(&report.recipient);
        let notice = match report.state {
            MessageState::Sent => Notice::info(s.mail_report(report.kind, report.state, &masked, &report.detail)),
            MessageState::Suppressed => {
                let count = self.guest_row(&report.recipient).map(|r| r.address.error_count);
                Notice::error(s.blocked(count))
            }
            _ => Notice::error(s.mail_report(report.kind, report.state, &masked, &report.detail)),
        };
        self.notice(notice)
    }

    fn guest_row(&self, email: &str) -> Option<&ReservationRow> {
        self.rows.iter().find(|r| r.guest.email.eq_ignore_ascii_case(email))
    }
}
