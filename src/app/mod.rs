//! The screen's state and the only place it changes: the day's list, and over it a stack of
//! [`Overlay`]s (`overlay.rs`: the filter prompt, the panes, the popups), the top one taking
//! the keys. [`App::action_for`] (`keys.rs`) turns an event into an [`Action`] for the top
//! overlay, and [`App::update`] applies it: list moves in `list.rs`, the panes in
//! `panes.rs`, what staff do to a reservation in `staff.rs`. Writes leave as [`Command`]s for the data thread
//! ([`App::take_commands`]). Drawing (`crate::ui`) only reads an `&App`.

mod comm;
mod errors;
pub mod form;
mod keys;
pub mod layout;
mod list;
mod mouse;
mod overlay;
mod pane_data;
mod panes;
mod staff;

use chrono::{NaiveDate, NaiveDateTime};

use crate::action::Action;
pub use crate::data::{Command, Outcome};
use crate::domain::{Language, ReservationRow, ReservationStatus};
use crate::journey::Policy;
use crate::keymap::Keymap;
use crate::panes::Clock;
use crate::store::DeliveryHealth;
use crate::strings::Strings;
pub use errors::LastError;
pub use form::Form;
pub use overlay::{Overlay, PaneKind};
pub use staff::mask_email;

/// Rows taken by everything but the list: header, table head, status line, key hints.
pub const CHROME_ROWS: u16 = 4;

/// Below this size the screen only says "Terminal too small" (and keys wait).
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = CHROME_ROWS + 4;

/// A yes/no question; `yes` is applied when the user agrees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub question: String,
    pub yes: Box<Action>,
}

/// One line of news for the user: the result of an action, or an error (drawn in red).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

impl Notice {
    pub fn info(text: impl Into<String>) -> Self {
        Notice { text: text.into(), error: false }
    }

    pub fn error(text: impl Into<String>) -> Self {
        Notice { text: text.into(), error: true }
    }
}

/// The day's list and what lies over it. Its flags are independent of one another (colour,
/// running, redraw); which pane or popup is open is the overlay stack's alone.
#[derive(Debug)]
pub struct App {
    pub venue: String,
    pub strings: &'static Strings,
    /// The venue's language: the default of a new guest's.
    pub language: Language,
    pub keymap: Keymap,
    /// `NO_COLOR`: draw with modifiers and glyphs only.
    pub no_color: bool,
    pub today: NaiveDate,
    /// The day on screen (its rows may still be loading).
    pub day: NaiveDate,
    /// The day `rows` belong to; differs from `day` while loading.
    pub loaded_day: Option<NaiveDate>,
    pub rows: Vec<ReservationRow>,
    /// Indices into `rows` that pass the filter, in display order.
    pub visible: Vec<usize>,
    /// Position in `visible` of the highlighted row.
    pub selected: usize,
    /// First visible position drawn (scrolling).
    pub offset: usize,
    pub filter: String,
    /// The panes and popups over the list, bottom first (see [`Overlay`]).
    overlays: Vec<Overlay>,
    /// One line of news for the user (errors, results of actions).
    pub status: Option<Notice>,
    pub size: (u16, u16),
    /// How stored times are shown (the venue's local time; a fixed offset in tests).
    pub clock: Clock,
    /// The venue's journey rules: which status changes ask first (see [`App::set_venue`]).
    pub policy: Policy,
    /// A fixed venue time instead of the clock's (tests and snapshots).
    pub fixed_now: Option<NaiveDateTime>,
    /// Delivery over the last 30 days, once the data thread has counted it.
    pub health: Option<DeliveryHealth>,
    /// Sending is paused on the venue's own problem (shown until solved).
    pub sending_paused: Option<crate::store::SendingPause>,
    /// The outbox cannot work at all, and why (shown until it works again).
    pub outbox_trouble: Option<String>,
    /// Background services that could not start, and why (for as long as the screen runs),
    /// and mailbox watchers in trouble (until they are watching again).
    pub services_off: Vec<(crate::event::Service, String)>,
    pub running: bool,
    needs_redraw: bool,
    load_request: Option<NaiveDate>,
    commands: Vec<Command>,
}

impl App {
    pub fn new(venue: &str, language: Language, keymap: Keymap, today: NaiveDate, day: NaiveDate) -> Self {
        App {
            venue: venue.to_owned(),
            strings: Strings::of(language),
            language,
            keymap,
            no_color: false,
            today,
            day,
            loaded_day: None,
            rows: Vec::new(),
            visible: Vec::new(),
            selected: 0,
            offset: 0,
            filter: String::new(),
            overlays: Vec::new(),
            status: None,
            size: (80, 24),
            clock: Clock::Local,
            policy: Policy::default(),
            fixed_now: None,
            health: None,
            sending_paused: None,
            outbox_trouble: None,
            services_off: Vec::new(),
            running: true,
            needs_redraw: true,
            load_request: Some(day),
            commands: Vec::new(),
        }
    }

    /// The venue's rules and clock, from the config (`Config::policy`, `Config::clock`).
    pub fn set_venue(&mut self, policy: Policy, clock: Clock) {
        self.policy = policy;
        self.clock = clock;
    }

    /// Now, on the venue's wall clock (or the fixed time of a test).
    pub fn venue_now(&self) -> NaiveDateTime {
        self.fixed_now.unwrap_or_else(|| self.clock.now())
    }

    /// Whether the last updates changed anything on screen; reading it resets it, so the
    /// runner draws exactly once per change and never when nothing changed.
    pub fn take_redraw(&mut self) -> bool {
        std::mem::take(&mut self.needs_redraw)
    }

    /// The day the data thread should load next, if the user moved to another one.
    pub fn take_load_request(&mut self) -> Option<NaiveDate> {
        self.load_request.take()
    }

    /// The writes to hand to the data thread, oldest first.
    pub fn take_commands(&mut self) -> Vec<Command> {
        std::mem::take(&mut self.commands)
    }

    pub fn loading(&self) -> bool {
        self.loaded_day != Some(self.day)
    }

    /// The highlighted reservation.
    pub fn selected_row(&self) -> Option<&ReservationRow> {
        self.visible.get(self.selected).map(|&i| &self.rows[i])
    }

    /// Whether a terminal of this size shows only "Terminal too small".
    pub fn too_small_for(&self, width: u16, height: u16) -> bool {
        width < MIN_WIDTH || height < MIN_HEIGHT
    }

    /// How many list rows fit on screen.
    pub fn page_size(&self) -> usize {
        usize::from(self.size.1.saturating_sub(CHROME_ROWS)).max(1)
    }

    /// Applies one action. Returns whether the screen changed (and records it for
    /// [`App::take_redraw`]).
    pub fn update(&mut self, action: Action) -> bool {
        let changed = self.apply(action);
        self.needs_redraw |= changed;
        changed
    }

    fn apply(&mut self, action: Action) -> bool {
        // An open pane gives the list's keys its own meaning first.
        if let Some(changed) = self.pane_action(&action) {
            return changed;
        }
        match action {
            Action::Quit => {
                self.running = false;
                false
            }
            Action::SelectNext => self.select(self.selected.saturating_add(1)),
            Action::SelectPrevious => self.select(self.selected.saturating_sub(1)),
            Action::PageDown => self.select(self.selected.saturating_add(self.page_size())),
            Action::PageUp => self.select(self.selected.saturating_sub(self.page_size())),
            Action::SelectFirst => self.select(0),
            Action::SelectLast => self.select(usize::MAX),
            Action::PreviousDay => self.go_to(self.day.pred_opt().unwrap_or(self.day)),
            Action::NextDay => self.go_to(self.day.succ_opt().unwrap_or(self.day)),
            Action::Today => self.go_to(self.today),
            Action::StartFilter => {
                let was = self.filter_typing();
                self.open(Overlay::Filter);
                !was
            }
            Action::ToggleHelp => {
                if !self.close(|o| matches!(o, Overlay::Help)) {
                    self.open(Overlay::Help);
                }
                true
            }
            Action::FilterInput(c) => {
                self.filter.push(c);
                self.refilter();
                true
            }
            Action::FilterBackspace => {
                self.filter.pop();
                self.refilter();
                true
            }
            Action::FilterAccept => self.close(|o| matches!(o, Overlay::Filter)),
            Action::Cancel => self.cancel(),
            Action::ConfirmYes => match self.take_confirm() {
                Some(c) => {
                    self.apply(*c.yes);
                    true
                }
                None => false,
            },
            Action::ConfirmNo => self.take_confirm().is_some(),
            Action::Resize(w, h) => {
                self.size = (w, h);
                self.scroll_into_view();
                true
            }
            Action::DayLoaded(day, rows) => self.loaded(day, rows),
            Action::LoadFailed(e) => {
                self.status = Some(Notice::error(format!("{}: {e}", self.strings.load_failed)));
                true
            }
            Action::Tick(today) => std::mem::replace(&mut self.today, today) != today,
            // What staff do to a reservation (`staff.rs`).
            Action::Confirm => self.change_status(ReservationStatus::Confirmed),
            Action::Complete => self.change_status(ReservationStatus::Completed),
            Action::CancelReservation => self.change_status(ReservationStatus::Cancelled),
            Action::NoShow => self.change_status(ReservationStatus::NoShow),
            Action::NewReservation => self.open_new_form(),
            Action::Resend => self.resend(),
            Action::EditEmail => self.open_email_form(),
            Action::FormInput(c) => self.with_form(|f| f.input(c)),
            Action::FormBackspace => self.with_form(Form::backspace),
            Action::FormNext => self.with_form(Form::next),
            Action::FormPrevious => self.with_form(Form::previous),
            Action::FormCancel => self.close(|o| matches!(o, Overlay::Form(_))),
            Action::FormSubmit => self.submit_form(),
            Action::Run(command) => {
                self.commands.push(command);
                false
            }
            Action::ShowLastError => self.show_last_error(),
            Action::ResetCounter => self.ask_reset(),
            Action::Click(x, y) => self.click(x, y),
            Action::Done(outcome) => self.outcome(outcome),
            Action::Mail(report) => self.mail_report(&report),
            Action::ServiceOff(service, why) => self.service_off(service, why),
            Action::Background(news) => self.background(news),
            Action::Mailbox(role, status) => self.mailbox(role, &status),
            Action::TrackingElsewhere => self.tracking_elsewhere(),
            // The panes' actions (`panes.rs`) reach here only while a popup, the help or a
            // form is on top of them: they do nothing then.
            Action::Scroll(_)
            | Action::OpenHistory
            | Action::CommHistory
            | Action::FollowUp
            | Action::ConfirmByPhone
            | Action::ForgetGuest
            | Action::FilterKind
            | Action::FilterState
            | Action::FilterFrom
            | Action::FilterTo => false,
        }
    }

    /// Esc: closes the overlay on top (a question or a form as "no"); on the list, or while
    /// typing its filter, clears the filter.
    fn cancel(&mut self) -> bool {
        match self.top() {
            Some(
                Overlay::LastError(_)
                | Overlay::Help
                | Overlay::History(_)
                | Overlay::Comm(_)
                | Overlay::FollowUp(_)
                | Overlay::Form(_)
                | Overlay::Confirm(_),
            ) => self.pop().is_some(),
            Some(Overlay::Filter) | None => self.clear_filter(),
        }
    }

    /// Stops typing the filter and clears it.
    fn clear_filter(&mut self) -> bool {
        let typing = self.close(|o| matches!(o, Overlay::Filter));
        let had = typing || !self.filter.is_empty();
        if !self.filter.is_empty() {
            // The guest the host was looking at stays selected (a `!` or `r` next acts on
            // them), now among the whole day.
            let kept = self.selected_row().map(|r| r.id);
            self.filter.clear();
            self.refilter();
            if let Some(pos) = kept.and_then(|id| self.visible.iter().position(|&i| self.rows[i].id == id)) {
                self.select(pos);
            }
        }
        had
    }
}
