//! Drawing: a pure function of `&App`, one file per pane or popup. Nothing here changes
//! state, so drawing the same `App` twice gives the same screen.

mod confirm;
mod footer;
pub mod form;
mod header;
mod help;
mod last_error;
mod panes;
mod reservations;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::app::{App, Overlay};
use crate::theme::Theme;

/// Below this size the screen shows one clear sentence instead of a broken layout.
pub use crate::app::{MIN_HEIGHT, MIN_WIDTH};

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = Theme::new(self.no_color);
        if self.too_small_for(area.width, area.height) {
            let [_, middle] = Layout::vertical([Constraint::Percentage(30), Constraint::Min(0)]).areas(area);
            Paragraph::new(Line::from(self.strings.too_small).style(theme.error()).centered())
                .wrap(Wrap { trim: true })
                .render(middle, buf);
            return;
        }
        let [top, list, status, hints] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(1), Constraint::Length(1)])
                .areas(area);
        header::render(self, theme, top, buf);
        reservations::render(self, theme, list, buf);
        footer::render_status(self, theme, status, buf);
        footer::render_hints(self, theme, hints, buf);
        // Then what lies over the list, bottom first (a pane leaves the two bottom lines).
        for overlay in self.overlays() {
            match overlay {
                // The prompt is the status line's.
                Overlay::Filter => {}
                Overlay::FollowUp(_) | Overlay::Comm(_) | Overlay::History(_) => {
                    panes::render(self, overlay, theme, buf);
                }
                Overlay::Help => help::render(self, theme, area, buf),
                Overlay::Form(f) => form::render(self, f, theme, area, buf),
                Overlay::LastError(e) => last_error::render(self, e, theme, area, buf),
                Overlay::Confirm(c) => confirm::render(self, c, theme, area, buf),
            }
        }
    }
}

/// A rectangle of at most `width` x `height` centred in `area`.
pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}
