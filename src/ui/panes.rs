//! The panes (a guest's history, the communication history, the follow-up list), drawn over
//! the day's list with the widgets of `crate::panes`, from the state their overlay owns.

use ratatui::buffer::Buffer;
use ratatui::widgets::Widget;

use crate::action::Action;
use crate::app::layout::pane_area;
use crate::app::{App, Overlay};
use crate::panes::comm_history::CommPane;
use crate::panes::followup::{FollowUpKeys, FollowUpPane};
use crate::panes::history::HistoryPane;
use crate::theme::Theme;

/// Draws `overlay` if it is a pane (the popups have their own files).
pub(super) fn render(app: &App, overlay: &Overlay, theme: Theme, buf: &mut Buffer) {
    let area = pane_area((buf.area.width, buf.area.height)).intersection(buf.area);
    let strings = app.strings.history();
    match overlay {
        Overlay::History(state) => HistoryPane { state, strings, theme }.render(area, buf),
        Overlay::Comm(state) => CommPane { state, strings, theme }.render(area, buf),
        Overlay::FollowUp(state) => {
            let label = |a: &Action| app.strings.keys(&app.keymap.label(a));
            let (resend, fix_address, by_phone, history, close) = (
                label(&Action::Resend),
                label(&Action::EditEmail),
                label(&Action::ConfirmByPhone),
                label(&Action::OpenHistory),
                app.strings.keys("Esc"),
            );
            let keys = FollowUpKeys {
                resend: &resend,
                fix_address: &fix_address,
                by_phone: &by_phone,
                history: &history,
                close: &close,
            };
            FollowUpPane { state, strings, day_strings: app.strings, keys, theme }.render(area, buf);
        }
        Overlay::Filter | Overlay::Help | Overlay::Form(_) | Overlay::LastError(_) | Overlay::Confirm(_) => {}
    }
}
