//! The generic yes/no popup. Nothing asks yet; later actions (resend, reset a counter) set
//! `App::confirm` and get their answer through `Action::ConfirmYes` / `ConfirmNo`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use super::centered;
use super::theme::Theme;
use crate::app::{App, Confirm};

pub(super) fn render(app: &App, confirm: &Confirm, theme: Theme, area: Rect, buf: &mut Buffer) {
    let width = (confirm.question.chars().count().max(app.strings.confirm_hint.chars().count()) + 4) as u16;
    let popup = centered(area, width, 5);
    Clear.render(popup, buf);
    let lines = vec![
        Line::from(confirm.question.as_str()),
        Line::default(),
        Line::from(Span::styled(app.strings.confirm_hint, theme.key())),
    ];
    Paragraph::new(lines).block(Block::bordered()).wrap(Wrap { trim: true }).render(popup, buf);
}
