//! The two bottom lines: the status line (filter being typed, news, errors) and the key
//! hints, built from the keymap so they always say what the keys really do.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::theme::Theme;
use crate::action::Action;
use crate::app::App;
use crate::domain::Marker;

pub(super) fn render_status(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let s = app.strings;
    let line = if app.filter_typing || !app.filter.is_empty() {
        let cursor = if app.filter_typing { "▏" } else { "" };
        Line::from(vec![
            Span::styled(format!("{}: ", s.filter_prompt), theme.key()),
            Span::raw(format!("{}{cursor}", app.filter)),
            Span::styled(format!("  {}", s.matches(app.visible.len(), app.rows.len())), theme.dim()),
        ])
    } else if let Some(status) = &app.status {
        Line::from(Span::styled(status.as_str(), theme.error()))
    } else {
        Line::default()
    };
    line.render(area, buf);
}

/// Hints in priority order (the ones that do not fit are left out, whole); each is
/// described by the matching word of `Strings::hints`.
const HINTS: [&[Action]; 6] = [
    &[Action::SelectPrevious, Action::SelectNext],
    &[Action::PreviousDay, Action::NextDay],
    &[Action::Today],
    &[Action::StartFilter],
    &[Action::ToggleHelp],
    &[Action::Quit],
];

pub(super) fn render_hints(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let s = app.strings;
    let mut spans: Vec<Span<'_>> = Vec::new();
    let mut width = 0usize;
    let max = usize::from(area.width);
    for (actions, what) in HINTS.iter().zip(s.hints) {
        let keys: Vec<String> = actions.iter().map(|a| app.keymap.label(a)).filter(|l| !l.is_empty()).collect();
        if keys.is_empty() {
            continue;
        }
        let keys = keys.join(" ");
        let piece = format!("{keys} {what}  ");
        let w = piece.chars().count();
        if width + w > max {
            break;
        }
        width += w;
        spans.push(Span::styled(keys, theme.key()));
        spans.push(Span::raw(format!(" {what}  ")));
    }
    // A short legend when there is room: shapes with their colours.
    let legend: Vec<(Marker, &str)> =
        [Marker::Opened, Marker::Sent, Marker::Queued, Marker::Failed].into_iter().zip(s.legend_short).collect();
    let legend_width: usize = legend.iter().map(|(_, t)| t.chars().count() + 3).sum();
    if width + legend_width <= max {
        spans.push(Span::raw(" ".repeat(max - width - legend_width)));
        for (m, text) in legend {
            spans.push(Span::styled(theme.marker_glyph(m), theme.marker(m)));
            spans.push(Span::styled(format!(" {text} "), theme.dim()));
        }
    }
    Line::from(spans).render(area, buf);
}
