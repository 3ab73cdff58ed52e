//! The generic yes/no popup: an action (cancel, resend again, resend to a corrected address)
//! sets `App::confirm` and gets its answer through `Action::ConfirmYes` / `ConfirmNo`.

use ratatui::buffer::Buffer;
use ratatui::layout::{Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use super::centered;
use crate::app::{App, Confirm};
use crate::theme::Theme;

/// Longer questions wrap rather than stretch across a wide terminal.
const MAX_WIDTH: u16 = 64;

pub(super) fn render(app: &App, confirm: &Confirm, theme: Theme, area: Rect, buf: &mut Buffer) {
    let question = confirm.question.chars().count();
    let hint = app.strings.confirm_hint.chars().count();
    let width = ((question.max(hint) + 4) as u16).min(MAX_WIDTH).min(area.width);
    let inner = usize::from(width.saturating_sub(4)).max(1);
    let question_lines = wrapped_lines(&confirm.question, inner);
    let popup = centered(area, width, question_lines as u16 + 4);
    Clear.render(popup, buf);
    let inside = popup.inner(Margin::new(1, 1));
    let question_area = Rect { height: question_lines as u16, ..inside };
    let hint_line = Line::from(Span::styled(app.strings.confirm_hint, theme.key()));
    Block::bordered().render(popup, buf);
    Paragraph::new(Line::from(confirm.question.as_str())).wrap(Wrap { trim: true }).render(question_area, buf);
    let hint_area = Rect { y: popup.y + popup.height.saturating_sub(2), height: 1, ..inside };
    if hint_area.y > question_area.y {
        hint_line.render(hint_area, buf);
    }
}

/// How many lines greedy word wrapping at `width` columns takes (as the paragraph wraps).
fn wrapped_lines(text: &str, width: usize) -> usize {
    let mut lines = 1;
    let mut used = 0;
    for word in text.split_whitespace() {
        let w = word.chars().count();
        if used > 0 && used + 1 + w > width {
            lines += 1 + (w.saturating_sub(1)) / width;
            used = w % width;
        } else {
            used += w + usize::from(used > 0);
        }
    }
    lines
}
