//! What the UI thread waits for: one `std::sync::mpsc` channel of [`Event`]s fed by the
//! terminal-input thread and the data thread, so the UI never blocks on I/O or SQL.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::time::Duration;

use chrono::NaiveDate;
use crossterm::event::{self as term, KeyEvent, KeyEventKind, MouseButton, MouseEventKind};

use crate::bounce::imap::{Role, Status};
use crate::data::Outcome;
use crate::domain::ReservationRow;
use crate::mail::Report;

/// Lines one notch of the mouse wheel moves the selection.
pub const WHEEL_LINES: i8 = 3;

/// How often the input thread wakes up when nothing is typed (it then sends a tick).
pub const TICK: Duration = Duration::from_millis(250);

#[derive(Debug)]
pub enum Event {
    /// A key press (releases and repeats-as-release are dropped).
    Key(KeyEvent),
    /// The terminal's new size in columns and rows.
    Resize(u16, u16),
    /// The data thread's answer: the reservations of one day.
    DayLoaded(NaiveDate, Vec<ReservationRow>),
    /// The data thread could not answer; the text says why.
    LoadFailed(String),
    /// A left click at terminal cell (column, row).
    Click(u16, u16),
    /// The mouse wheel: lines to move (negative: up).
    Scroll(i8),
    /// Nothing happened for [`TICK`].
    Tick,
    /// The data thread ran a write the screen asked for.
    Done(Outcome),
    /// The outbox worker moved one message on (sent, deferred, refused, blocked).
    Mail(Report),
    /// A background service could not start; the text says why.
    ServiceOff(Service, String),
    /// The tracking port is held by another guestmail that records opens.
    TrackingElsewhere,
    /// The outbox's standing: paused on a venue problem, or unable to work at all.
    Background(Background),
    /// An IMAP mailbox watcher's standing: watching (again), its connection lost, or its
    /// login refused (`bounce::imap::watch_until` says so on every change).
    Mailbox(Role, Status),
}

/// News of the outbox that stays on screen until it is solved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Background {
    /// Sending is paused on the venue's problem (`None`: resumed).
    Paused(Option<crate::store::SendingPause>),
    /// The outbox cannot work: the database is damaged or read-only, or the disk is full
    /// (`None`: it works again).
    Trouble(Option<String>),
}

/// The background services the screen runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// The outbox worker.
    Sending,
    /// The tracking-pixel endpoint.
    Tracking,
    /// The bounce watcher (when `bounce_maildir` is set).
    Bounces,
    /// The IMAP bounce mailbox's watcher (`bounce_mailbox`).
    BounceMailbox,
    /// The reply mailbox's watcher (`reply_mailbox`).
    ReplyMailbox,
}

impl Service {
    /// The watcher of a mailbox of this role.
    pub fn mailbox(role: Role) -> Self {
        match role {
            Role::Bounces => Self::BounceMailbox,
            Role::Replies => Self::ReplyMailbox,
        }
    }
}

/// Reads the terminal until `stop` is set or the UI hangs up. Runs on its own thread.
pub fn read_terminal(tx: &Sender<Event>, stop: &Arc<AtomicBool>) {
    while !stop.load(Ordering::Relaxed) {
        let event = match term::poll(TICK) {
            Ok(true) => match term::read() {
                Ok(term::Event::Key(k)) if k.kind != KeyEventKind::Release => Event::Key(k),
                Ok(term::Event::Resize(w, h)) => Event::Resize(w, h),
                Ok(term::Event::Mouse(m)) if m.kind == MouseEventKind::Down(MouseButton::Left) => {
                    Event::Click(m.column, m.row)
                }
                Ok(term::Event::Mouse(m)) if m.kind == MouseEventKind::ScrollDown => Event::Scroll(WHEEL_LINES),
                Ok(term::Event::Mouse(m)) if m.kind == MouseEventKind::ScrollUp => Event::Scroll(-WHEEL_LINES),
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!("terminal read failed: {e}");
                    return;
                }
            },
            Ok(false) => Event::Tick,
            Err(e) => {
                tracing::warn!("terminal poll failed: {e}");
                return;
            }
        };
        if tx.send(event).is_err() {
            return;
        }
    }
}
