//! The last-error popup of a guest's address: when the error came, the remote server's code
//! and words, and what it means with the next step, in the staff's language.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use super::centered;
use crate::app::{App, LastError};
use crate::strings::names::ErrorLabel;
use crate::theme::Theme;

/// Wide enough for a typical diagnostic on two lines, narrow enough to read at a glance.
const MAX_WIDTH: u16 = 76;

pub(super) fn render(app: &App, e: &LastError, theme: Theme, area: Rect, buf: &mut Buffer) {
    let s = app.strings;
    let label_width = ErrorLabel::ALL.iter().map(|l| s.error_label(*l).chars().count()).max().unwrap_or(0);
    let line = |label: ErrorLabel, value: Span<'static>| {
        Line::from(vec![Span::styled(format!("{:<label_width$}  ", s.error_label(label)), theme.bold()), value])
    };
    // The badge as on the list, with the count beside BLOCKED (the ⚠ badge is the count).
    let badge =
        if e.blocked { format!("{} ({})", s.blocked_badge, e.error_count) } else { format!("⚠{}", e.error_count) };
    let badge_style = if e.blocked { theme.badge_blocked() } else { theme.badge_errors() };
    let code = [e.reply_code.as_deref(), e.status.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    let dash = || "—".to_owned();
    let lines = vec![
        line(ErrorLabel::Address, Span::raw(format!("{} ({})", e.email, e.name))),
        line(ErrorLabel::Errors, Span::styled(badge, badge_style)),
        line(ErrorLabel::Received, Span::raw(e.at.clone().unwrap_or_else(dash))),
        line(ErrorLabel::Code, Span::raw(if code.is_empty() { dash() } else { code })),
        line(ErrorLabel::ServerSaid, Span::styled(e.diagnostic.clone().unwrap_or_else(dash), theme.dim())),
        line(ErrorLabel::Meaning, Span::raw(e.explanation)),
        line(ErrorLabel::NextStep, Span::styled(e.next_step, theme.key())),
        Line::default(),
        Line::from(Span::styled(s.last_error_close, theme.dim())),
    ];
    let widest = lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 4;
    let width = widest.min(MAX_WIDTH).min(area.width);
    let inner = usize::from(width.saturating_sub(2)).max(1);
    // Wrapped lines take more rows: count them so nothing is cut.
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner) + usize::from(l.width() > inner)).sum();
    let popup = centered(area, width, rows as u16 + 2);
    Clear.render(popup, buf);
    let block = Block::bordered().title(Line::from(format!(" {} ", s.last_error_title)).centered());
    Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).render(popup, buf);
}
