//! Writes the screen asks for, and their answers. The UI thread only queues a [`Command`];
//! the data thread, which owns a [`Store`] connection, runs it with [`execute`] and sends the
//! [`Outcome`] back through the event channel. No SQL ever runs on the UI thread.

use chrono::NaiveDate;

use crate::domain::{NewReservation, ReservationStatus, TransitionError};
use crate::store::{AddressRecord, ResendOutcome, Store, StoreError};

/// Who the store's event log names for what staff do at the screen.
pub const ACTOR: &str = "staff";

/// One write (or one look-up a popup needs) for the data thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `c`, `d`, `x`: a status change (the store checks the rules again and queues the email).
    SetStatus { id: i64, to: ReservationStatus },
    /// The new-reservation form was saved.
    Create(NewReservation),
    /// `r`: resend the confirmation; `force` after staff agreed to send an opened one again.
    Resend { id: i64, force: bool },
    /// `e`: the corrected address (already validated by the form).
    ChangeEmail { reservation_id: i64, guest_id: i64, email: String },
    /// `!` or a click on the badge: the address's last error, for the popup.
    LastError { name: String, email: String },
    /// `Delete`, after a yes: reset the address's error counter (logged with who/when).
    ResetAddress { email: String },
}

/// What a [`Command`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    StatusChanged {
        name: String,
        to: ReservationStatus,
        queued: bool,
    },
    Created {
        name: String,
        day: NaiveDate,
    },
    ResendQueued {
        recipient: String,
    },
    /// The address is blocked: nothing was sent.
    ResendBlocked {
        error_count: u32,
    },
    /// The guest already opened the previous confirmation: ask before sending again.
    ResendNeedsConfirmation {
        id: i64,
        opened: u32,
        last_opened: Option<i64>,
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
    AddressReset {
        email: String,
    },
    /// The rules refused a status change (another screen may have changed it meanwhile).
    Refused(TransitionError),
    /// Anything else that went wrong, in the store's words.
    Failed(String),
}

/// Runs one command on the data thread's connection.
pub fn execute(store: &mut Store, command: Command) -> Outcome {
    let result = match command {
        Command::SetStatus { id, to } => store.set_status(id, to, ACTOR).and_then(|queued| {
            let name = store.reservation(id)?.guest.name;
            Ok(Outcome::StatusChanged { name, to, queued: queued.is_some() })
        }),
        Command::Create(r) => store
            .create_reservation(&r)
            .map(|_| Outcome::Created { name: r.name.trim().to_owned(), day: r.starts_at.date() }),
        Command::Resend { id, force } => store.resend_confirmation(id, force, ACTOR).and_then(|o| {
            Ok(match o {
                ResendOutcome::Queued(_) => Outcome::ResendQueued { recipient: store.reservation(id)?.guest.email },
                ResendOutcome::Blocked { error_count, .. } => Outcome::ResendBlocked { error_count },
                ResendOutcome::NeedsConfirmation { opened, last_opened } => {
                    Outcome::ResendNeedsConfirmation { id, opened, last_opened }
                }
            })
        }),
        Command::ChangeEmail { reservation_id, guest_id, email } => {
            store.change_guest_email(guest_id, &email, ACTOR).and_then(|email| {
                let confirmed = store.reservation(reservation_id)?.status == ReservationStatus::Confirmed;
                Ok(Outcome::EmailChanged { reservation_id, email, confirmed })
            })
        }
        Command::LastError { name, email } => store.address(&email).and_then(|record| {
            let record = record.ok_or_else(|| StoreError::NotFound(format!("address {email}")))?;
            Ok(Outcome::LastError { name, record })
        }),
        Command::ResetAddress { email } => {
            store.reset_address(&email, ACTOR).map(|r| Outcome::AddressReset { email: r.email })
        }
    };
    result.unwrap_or_else(|e| match e {
        StoreError::Transition(t) => Outcome::Refused(t),
        other => Outcome::Failed(other.to_string()),
    })
}
