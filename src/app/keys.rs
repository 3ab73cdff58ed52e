//! Which action an event means for the overlay on top: a confirm popup, the last error, a
//! form, the help, typing a filter (the list's or the communication history's), or the
//! keymap (whose actions an open pane interprets, see `panes.rs`).

use crossterm::event::{KeyCode, KeyEvent};

use super::{App, Overlay};
use crate::action::Action;
use crate::event::Event;
use crate::keymap::Key;

impl App {
    /// Translates an event into an action for the current mode; `None` when it means nothing.
    pub fn action_for(&self, event: Event) -> Option<Action> {
        match event {
            Event::Key(k) => self.action_for_key(&k),
            Event::Resize(w, h) => Some(Action::Resize(w, h)),
            Event::DayLoaded(d, rows) => Some(Action::DayLoaded(d, rows)),
            Event::LoadFailed(e) => Some(Action::LoadFailed(e)),
            // The venue's day, whatever the zone of the machine running the screen.
            Event::Tick => Some(Action::Tick(self.venue_now().date())),
            Event::Click(x, y) => Some(Action::Click(x, y)),
            Event::Scroll(lines) => Some(Action::Scroll(lines)),
            Event::Done(outcome) => Some(Action::Done(outcome)),
            Event::Mail(report) => Some(Action::Mail(report)),
            Event::ServiceOff(service, why) => Some(Action::ServiceOff(service, why)),
            Event::TrackingElsewhere => Some(Action::TrackingElsewhere),
            Event::Background(news) => Some(Action::Background(news)),
            Event::Mailbox(role, status) => Some(Action::Mailbox(role, status)),
        }
    }

    fn action_for_key(&self, event: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(event);
        if key.is_ctrl_c() {
            return Some(Action::Quit);
        }
        if self.too_small_for(self.size.0, self.size.1) {
            // Nothing but "Terminal too small" is on screen: a key would act unseen.
            return None;
        }
        match self.top() {
            // Only y (o for "oui") answers yes; not j for "ja", which is the down key. Enter
            // never answers: it is the history key, and a habit of pressing it must never
            // cancel a booking. Any other key waits.
            Some(Overlay::Confirm(_)) => match key.code {
                KeyCode::Char('y' | 'Y' | 'o' | 'O') if !key.ctrl && !key.alt => Some(Action::ConfirmYes),
                KeyCode::Char('n' | 'N') | KeyCode::Esc => Some(Action::ConfirmNo),
                _ => None,
            },
            // The popup reads, it does not act: any of these closes it; reset stays available.
            Some(Overlay::LastError(_)) => match self.keymap.action_for(&key) {
                Some(a @ (Action::ResetCounter | Action::Quit)) => Some(a),
                _ if matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('!')) => Some(Action::Cancel),
                _ => None,
            },
            Some(Overlay::Form(_)) => match key.code {
                KeyCode::Esc => Some(Action::FormCancel),
                KeyCode::Enter => Some(Action::FormSubmit),
                KeyCode::Tab | KeyCode::Down => Some(Action::FormNext),
                KeyCode::BackTab | KeyCode::Up => Some(Action::FormPrevious),
                KeyCode::Backspace => Some(Action::FormBackspace),
                KeyCode::Char(c) if !key.ctrl && !key.alt => Some(Action::FormInput(c)),
                _ => None,
            },
            Some(Overlay::Help) => match self.keymap.action_for(&key) {
                Some(a @ (Action::ToggleHelp | Action::Quit)) => Some(a),
                _ if key.code == KeyCode::Esc => Some(Action::Cancel),
                _ => None,
            },
            // Typing a filter (the list's, or one of the communication history's fields):
            // the other keys keep their meaning.
            Some(Overlay::Filter) => typing(&key).or_else(|| self.keymap.action_for(&key)),
            Some(Overlay::Comm(c)) if c.editing.is_some() => typing(&key).or_else(|| self.keymap.action_for(&key)),
            Some(Overlay::History(_) | Overlay::Comm(_) | Overlay::FollowUp(_)) => {
                self.keymap.action_for(&key).or((key.code == KeyCode::Esc).then_some(Action::Cancel))
            }
            None => self
                .keymap
                .action_for(&key)
                .or((key.code == KeyCode::Esc && !self.filter.is_empty()).then_some(Action::Cancel)),
        }
    }
}

/// The keys of a text being typed.
fn typing(key: &Key) -> Option<Action> {
    match key.code {
        KeyCode::Esc => Some(Action::Cancel),
        KeyCode::Enter => Some(Action::FilterAccept),
        KeyCode::Backspace => Some(Action::FilterBackspace),
        KeyCode::Char(c) if !key.ctrl && !key.alt => Some(Action::FilterInput(c)),
        _ => None,
    }
}
