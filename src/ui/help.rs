//! The help popup: every key from the keymap with what it does, the filter's keys, and the
//! legend of the email markers.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use super::centered;
use super::theme::Theme;
use crate::action::Action;
use crate::app::App;
use crate::domain::Marker;

pub(super) fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let s = app.strings;
    let key_width = Action::BINDABLE.iter().map(|a| app.keymap.label(a).chars().count()).max().unwrap_or(0).max(6);
    let pad = |k: String| format!("  {k:<key_width$}  ");
    let mut lines = vec![Line::from(Span::styled(s.help_keys, theme.heading()))];
    for a in Action::BINDABLE {
        let label = app.keymap.label(&a);
        if label.is_empty() {
            continue;
        }
        lines.push(Line::from(vec![Span::styled(pad(label), theme.key()), Span::raw(s.action(&a))]));
    }
    lines.push(Line::from(vec![Span::styled(pad("Ctrl-c".into()), theme.key()), Span::raw(s.ctrl_c)]));
    lines.push(Line::from(vec![Span::raw("  "), Span::styled(s.filter_keys, theme.dim())]));
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(s.help_legend, theme.heading())));
    lines.push(Line::from(format!("  {}", s.help_markers_order)));
    for m in Marker::ALL {
        let glyph = if m == Marker::None { "( )".to_owned() } else { format!(" {} ", theme.marker_glyph(m)) };
        lines.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(glyph, theme.marker(m)),
            Span::raw(format!("  {}", s.marker(m))),
        ]));
    }
    for (badge, style, text) in [
        ("⚠3".to_owned(), theme.badge_errors(), s.help_badges[0]),
        (s.blocked_badge.to_owned(), theme.badge_blocked(), s.help_badges[1]),
    ] {
        lines.push(Line::from(vec![Span::raw("  "), Span::styled(badge, style), Span::raw(format!("  {text}"))]));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(s.help_close, theme.dim())));

    let width = lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 4;
    let popup = centered(area, width, lines.len() as u16 + 2);
    Clear.render(popup, buf);
    let block = Block::bordered().title(Line::from(format!(" {} ", s.help_title)).centered());
    Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).render(popup, buf);
}
