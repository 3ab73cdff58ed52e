//! The overlay stack: everything drawn over the day's list, each owning its own state — the
//! filter prompt, the three panes (follow-up list, communication history, a guest's history)
//! and the popups (help, form, last error, yes/no question). The top one takes the keys,
//! Esc, clicks and the key hints (each one `match` on [`App::top`]); drawing paints the list
//! and then every overlay, bottom first.
//!
//! An overlay opens at the height of its kind (see [`Overlay::rank`]), not always on top:
//! panes and questions arrive from the data thread, and a guest's history that comes back
//! while a yes/no question waits must open under the question, never hide it.

use super::errors::LastError;
use super::form::Form;
use super::{App, Confirm};
use crate::panes::Selection;
use crate::panes::comm_history::CommState;
use crate::panes::followup::FollowUpState;
use crate::panes::history::HistoryState;

/// One thing drawn over the day's list.
#[derive(Debug, Clone)]
pub enum Overlay {
    /// The day list's filter being typed (the text itself is the list's `App::filter`).
    Filter,
    /// Tonight's follow-up list (`F`).
    FollowUp(FollowUpState),
    /// The communication history (`H`).
    Comm(CommState),
    /// A guest's history (Enter).
    History(HistoryState),
    /// The keys and the markers' legend (`?`).
    Help,
    /// A form being filled in (new reservation, address).
    Form(Form),
    /// The last error of a guest's address (`!`).
    LastError(LastError),
    /// A yes/no question.
    Confirm(Confirm),
}

/// Which pane an overlay is (the panes of issue 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneKind {
    History,
    Comm,
    FollowUp,
}

impl Overlay {
    /// The overlay's height in the stack: a higher rank always lies over a lower one; at
    /// most one overlay of each kind is open, so the rank also names the kind.
    fn rank(&self) -> u8 {
        match self {
            Overlay::Filter => 0,
            Overlay::FollowUp(_) => 1,
            Overlay::Comm(_) => 2,
            Overlay::History(_) => 3,
            Overlay::Help => 4,
            Overlay::Form(_) => 5,
            Overlay::LastError(_) => 6,
            Overlay::Confirm(_) => 7,
        }
    }

    /// The pane this overlay is, if it is one.
    pub fn pane(&self) -> Option<PaneKind> {
        match self {
            Overlay::History(_) => Some(PaneKind::History),
            Overlay::Comm(_) => Some(PaneKind::Comm),
            Overlay::FollowUp(_) => Some(PaneKind::FollowUp),
            Overlay::Filter | Overlay::Help | Overlay::Form(_) | Overlay::LastError(_) | Overlay::Confirm(_) => None,
        }
    }

    /// A pane's selection and the number of its items.
    pub(super) fn selection_mut(&mut self) -> Option<(&mut Selection, usize)> {
        match self {
            Overlay::History(h) => Some((&mut h.selection, h.entries.len())),
            Overlay::Comm(c) => Some((&mut c.selection, c.rows.len())),
            Overlay::FollowUp(f) => Some((&mut f.selection, f.rows.len())),
            Overlay::Filter | Overlay::Help | Overlay::Form(_) | Overlay::LastError(_) | Overlay::Confirm(_) => None,
        }
    }
}

/// The state of the one overlay of a kind in the stack (from `iter()` or `iter_mut()`).
macro_rules! find {
    ($iter:expr, $variant:ident) => {
        $iter.find_map(|o| match o {
            Overlay::$variant(state) => Some(state),
            _ => None,
        })
    };
}

impl App {
    /// Everything over the day's list, bottom first.
    pub fn overlays(&self) -> &[Overlay] {
        &self.overlays
    }

    /// The overlay on top (it takes the keys), if any.
    pub fn top(&self) -> Option<&Overlay> {
        self.overlays.last()
    }

    /// Opens `overlay` at the height of its kind, in place of one of the same kind.
    pub fn open(&mut self, overlay: Overlay) {
        let rank = overlay.rank();
        if let Some(at) = self.overlays.iter().position(|o| o.rank() == rank) {
            self.overlays[at] = overlay;
            return;
        }
        let at = self.overlays.iter().position(|o| o.rank() > rank).unwrap_or(self.overlays.len());
        self.overlays.insert(at, overlay);
    }

    /// Asks a yes/no question (over everything else).
    pub fn ask(&mut self, confirm: Confirm) {
        self.open(Overlay::Confirm(confirm));
    }

    /// Closes the overlays `which` picks; whether one was open.
    pub(super) fn close(&mut self, which: impl Fn(&Overlay) -> bool) -> bool {
        let before = self.overlays.len();
        self.overlays.retain(|o| !which(o));
        self.overlays.len() != before
    }

    /// Closes the top overlay and returns it.
    pub(super) fn pop(&mut self) -> Option<Overlay> {
        self.overlays.pop()
    }

    /// The pane nearest the top (popups may lie over it): the one the list's keys act on.
    pub fn top_pane(&self) -> Option<PaneKind> {
        self.overlays.iter().rev().find_map(Overlay::pane)
    }

    /// The top pane's overlay, mutably.
    pub(super) fn top_pane_mut(&mut self) -> Option<&mut Overlay> {
        self.overlays.iter_mut().rev().find(|o| o.pane().is_some())
    }

    /// Whether the day list's filter is being typed.
    pub fn filter_typing(&self) -> bool {
        self.overlays.iter().any(|o| matches!(o, Overlay::Filter))
    }

    pub fn help_open(&self) -> bool {
        self.overlays.iter().any(|o| matches!(o, Overlay::Help))
    }

    pub fn history(&self) -> Option<&HistoryState> {
        find!(self.overlays.iter(), History)
    }

    pub fn comm(&self) -> Option<&CommState> {
        find!(self.overlays.iter(), Comm)
    }

    pub fn follow_up(&self) -> Option<&FollowUpState> {
        find!(self.overlays.iter(), FollowUp)
    }

    pub fn form(&self) -> Option<&Form> {
        find!(self.overlays.iter(), Form)
    }

    pub fn last_error(&self) -> Option<&LastError> {
        find!(self.overlays.iter(), LastError)
    }

    /// The open last-error popup, to change (tests fix its moving parts).
    pub fn last_error_mut(&mut self) -> Option<&mut LastError> {
        find!(self.overlays.iter_mut(), LastError)
    }

    pub fn confirm(&self) -> Option<&Confirm> {
        find!(self.overlays.iter(), Confirm)
    }

    pub(super) fn history_mut(&mut self) -> Option<&mut HistoryState> {
        find!(self.overlays.iter_mut(), History)
    }

    pub(super) fn comm_mut(&mut self) -> Option<&mut CommState> {
        find!(self.overlays.iter_mut(), Comm)
    }

    pub(super) fn follow_up_mut(&mut self) -> Option<&mut FollowUpState> {
        find!(self.overlays.iter_mut(), FollowUp)
    }

    pub(super) fn form_mut(&mut self) -> Option<&mut Form> {
        find!(self.overlays.iter_mut(), Form)
    }

    /// Takes the open question away (answered).
    pub(super) fn take_confirm(&mut self) -> Option<Confirm> {
        let at = self.overlays.iter().position(|o| matches!(o, Overlay::Confirm(_)))?;
        match self.overlays.remove(at) {
            Overlay::Confirm(c) => Some(c),
            _ => None,
        }
    }

    /// No next page is on its way any more (a failed request).
    pub(super) fn stop_paging(&mut self) {
        for o in &mut self.overlays {
            match o {
                Overlay::History(h) => h.paging = false,
                Overlay::Comm(c) => c.paging = false,
                Overlay::Filter
                | Overlay::FollowUp(_)
                | Overlay::Help
                | Overlay::Form(_)
                | Overlay::LastError(_)
                | Overlay::Confirm(_) => {}
            }
        }
    }
}
