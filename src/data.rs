//! The data thread's requests and answers, below `action` and `event` (which carry them):
//! the writes and the panes' look-ups the screen asks for. The UI thread only queues a
//! [`Command`]; the data thread, which owns a [`Store`] connection, runs it with [`execute`]
//! and sends the [`Outcome`] back through the event channel. No SQL ever runs on the UI thread.

use chrono::{NaiveDate, NaiveDateTime};

use crate::domain::{EmailKind, MessageState, NewReservation, ReservationStatus, TransitionError};
use crate::journey::{Ask, Refusal};
use crate::store::{
    AddressRecord, CommCursor, CommFilter, CommRow, DeliveryHealth, FollowUp, ForgetReport, GuestHistory, HistoryEmail,
    LogLine, ResendOutcome, Store, StoreError,
};

/// Who the store's event log names for what staff do at the screen.
pub const ACTOR: &str = "staff";

/// Emails per page of a guest's history.
pub const HISTORY_PAGE: usize = 50;
/// Rows per page of the communication history.
pub const COMM_PAGE: usize = 100;

/// One write (or one look-up a popup needs) for the data thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `c`, `d`, `x`, `N`: a status change (the store checks the rules again and queues the
    /// email). `force` after staff said yes to "the meal has not happened yet".
    SetStatus { id: i64, to: ReservationStatus, force: bool },
    /// The new-reservation form was saved.
    Create(NewReservation),
    /// `r` on the list: resend an email of a reservation (`kind: None`: the request while
    /// pending, else the confirmation); `again` after staff said yes to the journey's question.
    Resend { id: i64, kind: Option<EmailKind>, again: bool },
    /// `r` in a guest's history: resend the selected email, whatever its kind.
    ResendMessage { message_id: i64, again: bool },
    /// After a counter reset, staff said yes: send the emails held while it was blocked.
    ReleaseHeld { email: String },
    /// `e`: the corrected address (already validated by the form).
    ChangeEmail { reservation_id: i64, guest_id: i64, email: String },
    /// `!` or a click on the badge: the address's last error, for the popup.
    LastError { name: String, email: String },
    /// `Delete`, after a yes: reset the address's error counter (logged with who/when).
    ResetAddress { email: String },
    /// Enter: a guest's history, with up to `limit` of their emails.
    History { guest_id: i64, limit: usize },
    /// The history scrolled near its end: the next page of emails, below `before`.
    HistoryPage { guest_id: i64, before: i64 },
    /// The history's selection moved onto an email: its log.
    MessageLog { message_id: i64 },
    /// One page of the communication history (`after: None`: the first).
    Comm { filter: CommFilter, after: Option<CommCursor> },
    /// `F`: the follow-up list of a day: the reservations still to come after `now` (the
    /// venue's wall-clock time when it was asked).
    FollowUp { day: NaiveDate, now: NaiveDateTime },
    /// `v`: the guest confirmed on the phone.
    ConfirmByPhone { reservation_id: i64, name: String },
    /// `X`, after a yes: erase the personal data of the guest(s) with this address.
    Forget { guest_id: i64, email: String },
}

impl Command {
    /// Whether the command changes the database (the data thread then reloads the day);
    /// look-ups for the panes do not.
    pub fn writes(&self) -> bool {
        !matches!(
            self,
            Command::LastError { .. }
                | Command::History { .. }
                | Command::HistoryPage { .. }
                | Command::MessageLog { .. }
                | Command::Comm { .. }
                | Command::FollowUp { .. }
        )
    }
}

/// What a [`Command`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    StatusChanged {
        name: String,
        to: ReservationStatus,
        queued: bool,
        /// Its email is held, not sent: the guest's address is blocked.
        held: bool,
        /// Emails the change would have withdrawn but that were being sent at that moment.
        in_flight: Vec<EmailKind>,
    },
    Created {
        name: String,
        day: NaiveDate,
    },
    ResendQueued {
        recipient: String,
        kind: EmailKind,
    },
    /// The journey asks before sending again; `retry` is the same command with `again`.
    ResendAsk {
        ask: Ask,
        recipient: String,
        retry: Box<Command>,
    },
    /// The journey refused the action, with its reason.
    PolicyRefused(Refusal),
    /// The held emails went back to the outbox.
    HeldReleased {
        count: usize,
    },
    /// The address is blocked: nothing was sent.
    ResendBlocked {
        error_count: u32,
    },
    /// The address was corrected; `confirmed` says whether a confirmation can be resent.
    EmailChanged {
        reservation_id: i64,
        email: String,
        confirmed: bool,
    },
    /// The address's record, for the last-error popup of guest `name`.
    LastError {
        name: String,
        record: AddressRecord,
    },
    /// The counter was reset; `held` emails held while it was blocked can be sent now.
    AddressReset {
        email: String,
        held: usize,
    },
    History {
        history: GuestHistory,
        /// Whether the page was full (so more emails may follow).
        more: bool,
    },
    HistoryPage {
        guest_id: i64,
        emails: Vec<HistoryEmail>,
        more: bool,
    },
    MessageLog {
        message_id: i64,
        lines: Vec<LogLine>,
    },
    Comm {
        filter: CommFilter,
        after: Option<CommCursor>,
        rows: Vec<CommRow>,
    },
    FollowUp {
        day: NaiveDate,
        rows: Vec<FollowUp>,
    },
    /// `changed` is false when it was already confirmed by phone.
    ConfirmedByPhone {
        reservation_id: i64,
        name: String,
        changed: bool,
    },
    Forgotten {
        guest_id: i64,
        report: ForgetReport,
    },
    /// Delivery over the last 30 days; sent at start and whenever the data changed.
    Health(DeliveryHealth),
    /// The rules refused a status change (another screen may have changed it meanwhile).
    Refused(TransitionError),
    /// Anything else that went wrong, in the store's words.
    Failed(String),
}

/// A status change from the screen; `force` is staff's yes to "the meal has not happened
/// yet".
fn set_status(store: &mut Store, id: i64, to: ReservationStatus, force: bool) -> Result<Outcome, StoreError> {
    let applied = store.change_status(id, to, crate::journey::Change { force, send: true }, ACTOR)?;
    let name = store.reservation(id)?.guest.name;
    Ok(Outcome::StatusChanged {
        name,
        to,
        queued: applied.queued.iter().any(|q| q.kind != EmailKind::Reminder && q.state == MessageState::Queued),
        held: applied.queued.iter().any(|q| q.state == MessageState::Suppressed),
        in_flight: applied.in_flight.iter().map(|(_, kind)| *kind).collect(),
    })
}

/// Runs one command on the data thread's connection.
pub fn execute(store: &mut Store, command: Command) -> Outcome {
    let result = match command {
        Command::SetStatus { id, to, force } => set_status(store, id, to, force),
        Command::Create(r) => store
            .create_reservation(&r)
            .map(|_| Outcome::Created { name: r.name.trim().to_owned(), day: r.starts_at.date() }),
        Command::Resend { id, kind, again } => {
            let retry = Command::Resend { id, kind, again: true };
            store.resend(id, kind, again, ACTOR).map(|o| resent(o, retry))
        }
        Command::ResendMessage { message_id, again } => {
            let retry = Command::ResendMessage { message_id, again: true };
            store.resend_message(message_id, again, ACTOR).map(|o| resent(o, retry))
        }
        Command::ReleaseHeld { email } => {
            store.release_held(&email, ACTOR).map(|ids| Outcome::HeldReleased { count: ids.len() })
        }
        Command::ChangeEmail { reservation_id, guest_id, email } => {
            store.change_guest_email(guest_id, &email, ACTOR).and_then(|email| {
                // Offer the confirmation again only where the journey would send it now.
                let r = store.reservation(reservation_id)?;
                let rules = store.rules();
                let booking = crate::journey::Booking { status: r.status, starts_at: r.starts_at };
                let now = rules.local(crate::store::now_ms());
                let confirmed = rules.policy.fits(EmailKind::Confirmed, booking, now).is_ok();
                Ok(Outcome::EmailChanged { reservation_id, email, confirmed })
            })
        }
        Command::LastError { name, email } => store.address(&email).and_then(|record| {
            let record = record.ok_or_else(|| StoreError::NotFound(format!("address {email}")))?;
            Ok(Outcome::LastError { name, record })
        }),
        Command::ResetAddress { email } => store.reset_address(&email, ACTOR).and_then(|r| {
            let held = store.held_emails(&r.email)?.len();
            Ok(Outcome::AddressReset { email: r.email, held })
        }),
        Command::History { guest_id, limit } => store
            .guest_history(guest_id, limit, None)
            .map(|history| Outcome::History { more: history.emails.len() >= limit, history }),
        Command::HistoryPage { guest_id, before } => store
            .guest_emails(guest_id, HISTORY_PAGE, Some(before))
            .map(|emails| Outcome::HistoryPage { guest_id, more: emails.len() >= HISTORY_PAGE, emails }),
        Command::MessageLog { message_id } => {
            store.message_log(message_id).map(|lines| Outcome::MessageLog { message_id, lines })
        }
        Command::Comm { filter, after } => {
            store.communication_history(&filter, COMM_PAGE, after).map(|rows| Outcome::Comm { filter, after, rows })
        }
        Command::FollowUp { day, now } => store.follow_up(day, now).map(|rows| Outcome::FollowUp { day, rows }),
        Command::ConfirmByPhone { reservation_id, name } => store
            .mark_confirmed_by_phone(reservation_id, ACTOR)
            .map(|changed| Outcome::ConfirmedByPhone { reservation_id, name, changed }),
        Command::Forget { guest_id, email } => {
            store.forget_guest(&email, ACTOR).map(|report| {
                // The outbox beside the database holds their emails (name and address) too.
                let outbox = crate::config::Paths::resolve(Some(store.path().to_owned()), None).outbox;
                if let Err(e) = crate::mail::transport::remove_guest_emails(&outbox, &report.tokens, &email) {
                    tracing::warn!(error = %e, "could not delete a forgotten guest's emails from the outbox");
                }
                Outcome::Forgotten { guest_id, report }
            })
        }
    };
    result.unwrap_or_else(|e| match e {
        StoreError::Transition(t) => Outcome::Refused(t),
        StoreError::Refused(r) => Outcome::PolicyRefused(r),
        other => Outcome::Failed(other.to_string()),
    })
}

/// What a resend came to, for the screen.
fn resent(outcome: ResendOutcome, retry: Command) -> Outcome {
    match outcome {
        ResendOutcome::Queued { recipient, kind, .. } => Outcome::ResendQueued { recipient, kind },
        ResendOutcome::Blocked { error_count, .. } => Outcome::ResendBlocked { error_count },
        ResendOutcome::Ask { ask, recipient } => Outcome::ResendAsk { ask, recipient, retry: Box::new(retry) },
    }
}
