//! The journey policy: which email a reservation gets, once, at the right time. Plain Rust,
//! no I/O and no SQL: given a reservation, its emails and the venue's wall-clock time, it
//! answers which emails to queue (and when they fall due), which to withdraw (and why),
//! and which actions to refuse or to ask about first. The screen, the CLI, the import, the
//! demo and the outbox worker all ask it; the store applies its answer in the same
//! transaction as the change that caused it. No other module decides these things.
//!
//! The rules, in a restaurant's words:
//! - an email that no longer fits is withdrawn, never sent: cancelling withdraws the
//!   request, confirmation and reminder still waiting; confirming withdraws a waiting
//!   request; a no-show withdraws the reminder;
//! - nothing about the past: a request, confirmation, reminder or cancellation whose
//!   reservation time has passed is withdrawn;
//! - the thank-you goes out `thank_you_after_hours` after the reservation time, never at
//!   once, and completing a meal that has not happened yet needs a yes;
//! - a reminder only when the reservation is confirmed more than `reminder_hours` ahead,
//!   due `reminder_hours` before, and never to a blocked address or after the confirmation
//!   bounced or failed;
//! - once, not twice: resending the same email within `resend_cooldown_seconds`, or one
//!   already opened, or one whose sending was interrupted, asks first; one still waiting in
//!   the outbox is not queued again.

use std::fmt;

use chrono::{Duration, NaiveDateTime};

use crate::domain::{EmailKind, MessageState, ReservationStatus, TransitionError};

/// The numbers a venue may change (the config's keys of the same names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// The reminder goes out this many hours before the reservation (0: no reminders).
    pub reminder_hours: u32,
    /// The thank-you goes out this many hours after the reservation time.
    pub thank_you_after_hours: u32,
    /// A second resend of the same email within this many seconds asks first.
    pub resend_cooldown_seconds: u32,
    /// The largest party the form, the CLI and the import accept.
    pub max_party_size: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { reminder_hours: 24, thank_you_after_hours: 3, resend_cooldown_seconds: 120, max_party_size: 99 }
    }
}

/// What the rules need of a reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Booking {
    pub status: ReservationStatus,
    /// The venue's wall-clock time of the reservation.
    pub starts_at: NaiveDateTime,
}

/// What the rules need of one email of the reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Email {
    pub id: i64,
    pub kind: EmailKind,
    pub state: MessageState,
    /// When it was queued and, if so, accepted by the server (UTC ms).
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub human_opens: u32,
    pub last_opened_at: Option<i64>,
}

/// When a queued email falls due, on the venue's wall clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    Now,
    At(NaiveDateTime),
}

/// Why an email was withdrawn (kept with the row, shown in the history).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Withdrawal {
    /// The reservation was cancelled.
    Cancelled,
    /// The reservation was confirmed: the confirmation says it all.
    Confirmed,
    /// The guest did not come.
    NoShow,
    /// The meal is over.
    Completed,
    /// The reservation time has passed.
    TimePassed,
    /// The confirmation bounced or failed: the follow-up list covers it, not a reminder.
    ConfirmationFailed,
    /// The address is blocked.
    AddressBlocked,
}

impl Withdrawal {
    pub const ALL: [Withdrawal; 7] = [
        Withdrawal::Cancelled,
        Withdrawal::Confirmed,
        Withdrawal::NoShow,
        Withdrawal::Completed,
        Withdrawal::TimePassed,
        Withdrawal::ConfirmationFailed,
        Withdrawal::AddressBlocked,
    ];

    /// The code kept in the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            Withdrawal::Cancelled => "cancelled",
            Withdrawal::Confirmed => "confirmed",
            Withdrawal::NoShow => "no-show",
            Withdrawal::Completed => "completed",
            Withdrawal::TimePassed => "time-passed",
            Withdrawal::ConfirmationFailed => "confirmation-failed",
            Withdrawal::AddressBlocked => "address-blocked",
        }
    }

    pub fn parse(code: &str) -> Option<Withdrawal> {
        Withdrawal::ALL.into_iter().find(|w| w.as_str() == code)
    }

    /// In plain English, for logs, the CLI and the event log ("withdrawn: {this}").
    pub const fn describe(self) -> &'static str {
        match self {
            Withdrawal::Cancelled => "reservation cancelled",
            Withdrawal::Confirmed => "reservation confirmed; the confirmation says it all",
            Withdrawal::NoShow => "the guest did not come",
            Withdrawal::Completed => "the meal is over",
            Withdrawal::TimePassed => "the reservation time has passed",
            Withdrawal::ConfirmationFailed => "the confirmation did not reach the guest",
            Withdrawal::AddressBlocked => "the address is blocked",
        }
    }

    /// The reason an email no longer fits a reservation that is now `status`.
    const fn for_status(status: ReservationStatus) -> Withdrawal {
        match status {
            ReservationStatus::Cancelled => Withdrawal::Cancelled,
            ReservationStatus::Confirmed | ReservationStatus::Pending => Withdrawal::Confirmed,
            ReservationStatus::NoShow => Withdrawal::NoShow,
            ReservationStatus::Completed => Withdrawal::Completed,
        }
    }
}

impl fmt::Display for Withdrawal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// An action the rules refuse, with the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// Completing (or marking a no-show) before the reservation time; `force` overrides.
    #[error("the meal is at {} on {}: it has not happened yet", .starts_at.format("%H:%M"), .starts_at.format("%Y-%m-%d"))]
    NotYet { to: ReservationStatus, starts_at: NaiveDateTime },
    /// A new reservation, or an email about one, whose time has passed.
    #[error("the reservation time ({}) has passed", .starts_at.format("%Y-%m-%d %H:%M"))]
    Past { starts_at: NaiveDateTime },
    /// A new reservation already completed or no-show although its time has not come.
    #[error("a reservation still to come ({}) cannot be {status}", .starts_at.format("%Y-%m-%d %H:%M"))]
    FutureOutcome { status: ReservationStatus, starts_at: NaiveDateTime },
    #[error("the party size must be from 1 to {max} (got {size})")]
    PartySize { size: u32, max: u32 },
    /// The email does not fit the reservation as it stands (a confirmation of a cancelled one).
    #[error("the reservation is {status}: it has no {kind} email to send")]
    WrongKind { kind: EmailKind, status: ReservationStatus },
    /// That email is still waiting in the outbox: queueing it again would send it twice.
    #[error("the {kind} email is still waiting in the outbox")]
    StillWaiting { kind: EmailKind },
    /// The address is blocked and that email is already held for it.
    #[error("the address is blocked: the {kind} email is already held until the error counter is reset")]
    Blocked { kind: EmailKind },
}

impl Refusal {
    /// Whether staff may override it (`--force`, or a yes at the screen).
    pub const fn can_force(&self) -> bool {
        matches!(self, Refusal::NotYet { .. })
    }
}

/// A question to put to staff before sending an email again; a yes means "again".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// The same email went out (or was queued) `seconds_ago`.
    Cooldown { kind: EmailKind, seconds_ago: i64 },
    /// Its sending was interrupted: it may already have arrived.
    Uncertain { kind: EmailKind },
    /// The guest already opened it.
    Opened { kind: EmailKind, opens: u32, last_opened: Option<i64> },
}

impl fmt::Display for Ask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ask::Cooldown { kind, seconds_ago } => {
                write!(f, "the {kind} email was sent {seconds_ago} s ago; pass --again to send it again")
            }
            Ask::Uncertain { kind } => write!(
                f,
                "sending the {kind} email was interrupted and it may already have arrived; pass --again to send it again"
            ),
            Ask::Opened { kind, opens, .. } => {
                write!(f, "the guest already opened the {kind} email ({opens} times); pass --again to send it again")
            }
        }
    }
}

/// What a change does to the outbox.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Emails to queue, with when they fall due.
    pub queue: Vec<(EmailKind, Due)>,
    /// Emails still waiting that no longer fit: withdrawn, with the reason.
    pub withdraw: Vec<(i64, EmailKind, Withdrawal)>,
    /// Emails that would be withdrawn but are being sent right now: they may still arrive.
    pub in_flight: Vec<(i64, EmailKind)>,
}

/// How a status change was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// Staff said yes to "the meal has not happened yet" (`--force`).
    pub force: bool,
    /// Whether the new status sends its email (false: confirmed by phone, nothing to send).
    pub send: bool,
}

impl Default for Change {
    fn default() -> Self {
        Change { force: false, send: true }
    }
}

/// Whether an email is still waiting to be sent (and so can be withdrawn).
const fn waiting(state: MessageState) -> bool {
    matches!(state, MessageState::Queued | MessageState::Deferred | MessageState::Suppressed)
}

/// The kinds of email that only make sense before the reservation time.
const fn before_the_meal(kind: EmailKind) -> bool {
    matches!(kind, EmailKind::Pending | EmailKind::Confirmed | EmailKind::Reminder | EmailKind::Cancelled)
}

impl Policy {
    /// The one party-size rule, for the form, the CLI and the import.
    pub fn check_party(&self, size: u32) -> Result<(), Refusal> {
        if (1..=self.max_party_size).contains(&size) {
            Ok(())
        } else {
            Err(Refusal::PartySize { size, max: self.max_party_size })
        }
    }

    /// A new reservation: refused when it makes no sense, else the emails it gets. A past
    /// reservation may only come in as completed, cancelled or no-show, and gets nothing.
    pub fn create(
        &self,
        status: ReservationStatus,
        starts_at: NaiveDateTime,
        party: u32,
        now: NaiveDateTime,
    ) -> Result<Plan, Refusal> {
        self.check_party(party)?;
        let mut plan = Plan::default();
        if starts_at <= now {
            return match status {
                ReservationStatus::Completed | ReservationStatus::Cancelled | ReservationStatus::NoShow => Ok(plan),
                ReservationStatus::Pending | ReservationStatus::Confirmed => Err(Refusal::Past { starts_at }),
            };
        }
        match status {
            ReservationStatus::Completed | ReservationStatus::NoShow => {
                return Err(Refusal::FutureOutcome { status, starts_at });
            }
            ReservationStatus::Pending => plan.queue.push((EmailKind::Pending, Due::Now)),
            ReservationStatus::Confirmed => {
                plan.queue.push((EmailKind::Confirmed, Due::Now));
                plan.queue.extend(self.reminder(starts_at, now).map(|due| (EmailKind::Reminder, due)));
            }
            // Nothing was promised, so there is nothing to take back.
            ReservationStatus::Cancelled => {}
        }
        Ok(plan)
    }

    /// A status change: refused when the rules forbid it, else what it does to the outbox.
    pub fn transition(
        &self,
        booking: Booking,
        to: ReservationStatus,
        emails: &[Email],
        now: NaiveDateTime,
        change: Change,
    ) -> Result<Plan, Refusal> {
        booking.status.transition(to)?;
        let future = now < booking.starts_at;
        if matches!(to, ReservationStatus::Completed | ReservationStatus::NoShow) && future && !change.force {
            return Err(Refusal::NotYet { to, starts_at: booking.starts_at });
        }
        let mut plan = Plan::default();
        let (superseded, reason): (&[EmailKind], Withdrawal) = match to {
            ReservationStatus::Confirmed => (&[EmailKind::Pending], Withdrawal::Confirmed),
            ReservationStatus::Cancelled => {
                (&[EmailKind::Pending, EmailKind::Confirmed, EmailKind::Reminder], Withdrawal::Cancelled)
            }
            ReservationStatus::NoShow => {
                (&[EmailKind::Pending, EmailKind::Confirmed, EmailKind::Reminder], Withdrawal::NoShow)
            }
            ReservationStatus::Completed => {
                (&[EmailKind::Pending, EmailKind::Confirmed, EmailKind::Reminder], Withdrawal::Completed)
            }
            ReservationStatus::Pending => (&[], Withdrawal::Confirmed),
        };
        for e in emails.iter().filter(|e| superseded.contains(&e.kind)) {
            if waiting(e.state) {
                plan.withdraw.push((e.id, e.kind, reason));
            } else if e.state == MessageState::Sending {
                plan.in_flight.push((e.id, e.kind));
            }
        }
        match to {
            ReservationStatus::Confirmed if future => {
                if change.send {
                    plan.queue.push((EmailKind::Confirmed, Due::Now));
                }
                plan.queue.extend(self.reminder(booking.starts_at, now).map(|due| (EmailKind::Reminder, due)));
            }
            ReservationStatus::Cancelled if future && change.send => plan.queue.push((EmailKind::Cancelled, Due::Now)),
            ReservationStatus::Completed if change.send => {
                plan.queue.push((EmailKind::Completed, self.thank_you(booking.starts_at, now)));
            }
            _ => {}
        }
        Ok(plan)
    }

    /// When the reminder of a reservation confirmed at `now` falls due, if it gets one.
    pub fn reminder(&self, starts_at: NaiveDateTime, now: NaiveDateTime) -> Option<Due> {
        let lead = Duration::hours(i64::from(self.reminder_hours));
        (self.reminder_hours > 0 && starts_at - now > lead).then_some(Due::At(starts_at - lead))
    }

    /// When the thank-you of a meal at `starts_at` falls due.
    pub fn thank_you(&self, starts_at: NaiveDateTime, now: NaiveDateTime) -> Due {
        let at = starts_at + Duration::hours(i64::from(self.thank_you_after_hours));
        if at > now { Due::At(at) } else { Due::Now }
    }

    /// Whether an email of `kind` still fits the reservation as it stands now; `Err` says
    /// why it is withdrawn instead.
    pub fn fits(&self, kind: EmailKind, booking: Booking, now: NaiveDateTime) -> Result<(), Withdrawal> {
        let wanted = match kind {
            EmailKind::Pending => ReservationStatus::Pending,
            EmailKind::Confirmed | EmailKind::Reminder => ReservationStatus::Confirmed,
            EmailKind::Cancelled => ReservationStatus::Cancelled,
            EmailKind::Completed => ReservationStatus::Completed,
            EmailKind::Manual => return Ok(()),
        };
        if booking.status != wanted {
            return Err(Withdrawal::for_status(booking.status));
        }
        if before_the_meal(kind) && now >= booking.starts_at {
            return Err(Withdrawal::TimePassed);
        }
        Ok(())
    }

    /// Asked by the outbox worker as it claims an email: send it, or withdraw it and why.
    /// `confirmation` is the state of the reservation's latest confirmation (or of its request when
    /// it was confirmed by phone), if any.
    pub fn still_due(
        &self,
        kind: EmailKind,
        booking: Booking,
        confirmation: Option<MessageState>,
        blocked: bool,
        now: NaiveDateTime,
    ) -> Result<(), Withdrawal> {
        self.fits(kind, booking, now)?;
        if kind == EmailKind::Reminder {
            if confirmation
                .is_some_and(|s| matches!(s, MessageState::Failed | MessageState::Bounced | MessageState::Suppressed))
            {
                return Err(Withdrawal::ConfirmationFailed);
            }
            if blocked {
                return Err(Withdrawal::AddressBlocked);
            }
        }
        Ok(())
    }

    /// A phone call in which the guest confirms: a pending reservation becomes confirmed
    /// (`Ok(true)`, with [`Change`] `send: false`: no confirmation email unless staff ask);
    /// a confirmed one only records the call (`Ok(false)`); a closed one is refused.
    pub fn phone_confirmation(status: ReservationStatus) -> Result<bool, Refusal> {
        match status {
            ReservationStatus::Pending => Ok(true),
            ReservationStatus::Confirmed => Ok(false),
            from => Err(Refusal::Transition(TransitionError { from, to: ReservationStatus::Confirmed })),
        }
    }

    /// The kind `resend` picks when none is named: the request while pending, else the
    /// confirmation.
    pub const fn default_resend(status: ReservationStatus) -> EmailKind {
        match status {
            ReservationStatus::Pending => EmailKind::Pending,
            _ => EmailKind::Confirmed,
        }
    }

    /// Staff ask to send an email of `kind` again. `latest` is the reservation's latest
    /// email of that kind; `blocked` whether the guest's address is blocked; `now_ms` the
    /// same moment as `now`, in UTC ms. `again` is the yes to any question.
    #[allow(clippy::too_many_arguments)]
    pub fn resend(
        &self,
        kind: EmailKind,
        booking: Booking,
        latest: Option<&Email>,
        blocked: bool,
        now: NaiveDateTime,
        now_ms: i64,
        again: bool,
    ) -> Result<Option<Ask>, Refusal> {
        if let Err(why) = self.fits(kind, booking, now) {
            return Err(match why {
                Withdrawal::TimePassed => Refusal::Past { starts_at: booking.starts_at },
                _ => Refusal::WrongKind { kind, status: booking.status },
            });
        }
        let Some(latest) = latest else { return Ok(None) };
        match latest.state {
            MessageState::Queued | MessageState::Deferred | MessageState::Sending => {
                return Err(Refusal::StillWaiting { kind });
            }
            MessageState::Suppressed if blocked => return Err(Refusal::Blocked { kind }),
            _ => {}
        }
        if again {
            return Ok(None);
        }
        let last = latest.sent_at.unwrap_or(latest.created_at);
        let seconds_ago = (now_ms - last).max(0) / 1000;
        if latest.state == MessageState::Uncertain {
            return Ok(Some(Ask::Uncertain { kind }));
        }
        // The cooldown guards against the guest getting the same email twice: one that
        // bounced, failed or was withdrawn never reached them.
        if seconds_ago < i64::from(self.resend_cooldown_seconds) && latest.state == MessageState::Sent {
            return Ok(Some(Ask::Cooldown { kind, seconds_ago }));
        }
        if latest.human_opens > 0 {
            return Ok(Some(Ask::Opened { kind, opens: latest.human_opens, last_opened: latest.last_opened_at }));
        }
        Ok(None)
    }

    /// After a counter reset: which of the emails held while the address was blocked are
    /// still worth sending (none about the past, none the reservation no longer wants).
    pub fn held_to_offer<'a>(
        &self,
        held: impl IntoIterator<Item = (&'a Email, Option<Booking>)>,
        now: NaiveDateTime,
    ) -> Vec<i64> {
        held.into_iter()
            .filter(|(e, _)| e.state == MessageState::Suppressed)
            .filter(|(e, b)| b.is_none_or(|b| self.fits(e.kind, b, now).is_ok()))
            .map(|(e, _)| e.id)
            .collect()
    }
}

#[cfg(test)]
#[path = "journey_tests.rs"]
mod tests;
