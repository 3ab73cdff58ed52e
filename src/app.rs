//! The screen's state and the only place it changes: [`App::action_for`] turns an event
//! into an [`Action`] according to the mode (list, filter typing, help, confirm popup), and
//! [`App::update`] applies it. Drawing (`crate::ui`) only reads an `&App`.

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent};

use crate::action::Action;
use crate::domain::{Language, ReservationRow};
use crate::event::Event;
use crate::keymap::{Key, Keymap};
use crate::strings::Strings;

/// Rows taken by everything but the list: header, table head, status line, key hints.
pub const CHROME_ROWS: u16 = 4;

/// A yes/no question; `yes` is applied when the user agrees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub question: String,
    pub yes: Box<Action>,
}

/// Its flags are independent of one another (colour, typing, help, running, redraw), so
/// they stay plain bools rather than one state machine.
#[derive(Debug)]
#[allow(clippy::struct_excessive_bools)]
pub struct App {
    pub venue: String,
    pub strings: &'static Strings,
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
    pub filter_typing: bool,
    pub help_open: bool,
    pub confirm: Option<Confirm>,
    /// One line of news for the user (errors, results of actions).
    pub status: Option<String>,
    pub size: (u16, u16),
    pub running: bool,
    needs_redraw: bool,
    load_request: Option<NaiveDate>,
}

impl App {
    pub fn new(venue: &str, language: Language, keymap: Keymap, today: NaiveDate, day: NaiveDate) -> Self {
        App {
            venue: venue.to_owned(),
            strings: Strings::of(language),
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
            filter_typing: false,
            help_open: false,
            confirm: None,
            status: None,
            size: (80, 24),
            running: true,
            needs_redraw: true,
            load_request: Some(day),
        }
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

    pub fn loading(&self) -> bool {
        self.loaded_day != Some(self.day)
    }

    /// The highlighted reservation.
    pub fn selected_row(&self) -> Option<&ReservationRow> {
        self.visible.get(self.selected).map(|&i| &self.rows[i])
    }

    /// How many list rows fit on screen.
    pub fn page_size(&self) -> usize {
        usize::from(self.size.1.saturating_sub(CHROME_ROWS)).max(1)
    }

    /// Translates an event into an action for the current mode; `None` when it means nothing.
    pub fn action_for(&self, event: Event) -> Option<Action> {
        match event {
            Event::Key(k) => self.action_for_key(&k),
            Event::Resize(w, h) => Some(Action::Resize(w, h)),
            Event::DayLoaded(d, rows) => Some(Action::DayLoaded(d, rows)),
            Event::LoadFailed(e) => Some(Action::LoadFailed(e)),
            Event::Tick => Some(Action::Tick(chrono::Local::now().date_naive())),
        }
    }

    fn action_for_key(&self, event: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(event);
        if key.is_ctrl_c() {
            return Some(Action::Quit);
        }
        if self.confirm.is_some() {
            return match key.code {
                KeyCode::Char('y' | 'Y' | 'o' | 'O') | KeyCode::Enter => Some(Action::ConfirmYes),
                KeyCode::Char('n' | 'N') | KeyCode::Esc => Some(Action::ConfirmNo),
                _ => None,
            };
        }
        if self.help_open {
            return match self.keymap.action_for(&key) {
                Some(a @ (Action::ToggleHelp | Action::Quit)) => Some(a),
                _ if key.code == KeyCode::Esc => Some(Action::Cancel),
                _ => None,
            };
        }
        if self.filter_typing {
            match key.code {
                KeyCode::Esc => return Some(Action::Cancel),
                KeyCode::Enter => return Some(Action::FilterAccept),
                KeyCode::Backspace => return Some(Action::FilterBackspace),
                KeyCode::Char(c) if !key.ctrl && !key.alt => return Some(Action::FilterInput(c)),
                _ => {}
            }
        }
        match self.keymap.action_for(&key) {
            Some(a) => Some(a),
            None if key.code == KeyCode::Esc && !self.filter.is_empty() => Some(Action::Cancel),
            None => None,
        }
    }

    /// Applies one action. Returns whether the screen changed (and records it for
    /// [`App::take_redraw`]).
    pub fn update(&mut self, action: Action) -> bool {
        let changed = self.apply(action);
        self.needs_redraw |= changed;
        changed
    }

    fn apply(&mut self, action: Action) -> bool {
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
            Action::StartFilter => !std::mem::replace(&mut self.filter_typing, true),
            Action::ToggleHelp => {
                self.help_open = !self.help_open;
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
            Action::FilterAccept => std::mem::take(&mut self.filter_typing),
            Action::Cancel => self.cancel(),
            Action::ConfirmYes => match self.confirm.take() {
                Some(c) => {
                    self.apply(*c.yes);
                    true
                }
                None => false,
            },
            Action::ConfirmNo => self.confirm.take().is_some(),
            Action::Resize(w, h) => {
                self.size = (w, h);
                self.scroll_into_view();
                true
            }
            Action::DayLoaded(day, rows) => self.loaded(day, rows),
            Action::LoadFailed(e) => {
                self.status = Some(format!("{}: {e}", self.strings.load_failed));
                true
            }
            Action::Tick(today) => std::mem::replace(&mut self.today, today) != today,
        }
    }

    /// Esc: close the help, else clear the filter and stop typing.
    fn cancel(&mut self) -> bool {
        if self.help_open {
            self.help_open = false;
            return true;
        }
        let had = self.filter_typing || !self.filter.is_empty();
        self.filter_typing = false;
        if !self.filter.is_empty() {
            self.filter.clear();
            self.refilter();
        }
        had
    }

    fn select(&mut self, position: usize) -> bool {
        let last = self.visible.len().saturating_sub(1);
        let before = (self.selected, self.offset);
        self.selected = position.min(last);
        self.scroll_into_view();
        before != (self.selected, self.offset)
    }

    fn scroll_into_view(&mut self) {
        let page = self.page_size();
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + page {
            self.offset = self.selected + 1 - page;
        }
        // Never leave blank rows at the bottom when the list could fill them.
        self.offset = self.offset.min(self.visible.len().saturating_sub(page));
    }

    fn go_to(&mut self, day: NaiveDate) -> bool {
        if day == self.day {
            return false;
        }
        self.day = day;
        self.load_request = Some(day);
        self.status = None;
        true
    }

    /// Takes a day's rows. A reload of the same day (another process committed) keeps the
    /// highlighted reservation where it is; a new day starts at the top.
    fn loaded(&mut self, day: NaiveDate, rows: Vec<ReservationRow>) -> bool {
        if day != self.day {
            return false; // an answer for a day the user already left
        }
        if self.loaded_day == Some(day) && self.rows == rows {
            return false;
        }
        let keep = if self.loaded_day == Some(day) { self.selected_row().map(|r| r.id) } else { None };
        self.loaded_day = Some(day);
        self.rows = rows;
        if keep.is_none() {
            self.selected = 0;
            self.offset = 0;
        }
        self.refilter();
        if let Some(pos) = keep.and_then(|id| self.visible.iter().position(|&i| self.rows[i].id == id)) {
            self.select(pos);
        }
        true
    }

    /// Recomputes `visible` from the filter: a case-blind match on name, email or phone
    /// (phone digits also match when typed without spaces).
    fn refilter(&mut self) {
        let needle = self.filter.trim().to_lowercase();
        let digits: String = needle.chars().filter(char::is_ascii_digit).collect();
        let matches = |r: &ReservationRow| {
            needle.is_empty()
                || r.guest.name.to_lowercase().contains(&needle)
                || r.guest.email.to_lowercase().contains(&needle)
                || r.guest.phone.contains(&needle)
                || (digits.len() == needle.len()
                    && r.guest.phone.chars().filter(char::is_ascii_digit).collect::<String>().contains(&digits))
        };
        self.visible = (0..self.rows.len()).filter(|&i| matches(&self.rows[i])).collect();
        self.select(self.selected);
    }
}
