//! The top line: venue, the date on screen (marked when it is today), the delivery health
//! of the last 30 days when there is room (a red warning instead below the 98% target),
//! and the day's counts.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::theme::Theme;
use crate::app::App;
use crate::store::DELIVERY_TARGET;

pub(super) fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let s = app.strings;
    let mut date = s.date(app.day);
    if app.day == app.today {
        date = format!("{date} ({})", s.today);
    }
    let covers: u32 = app.visible.iter().map(|&i| app.rows[i].party_size).sum();
    let counts = if app.loading() {
        s.loading.to_owned()
    } else if app.filter.is_empty() {
        s.counts(app.rows.len(), covers)
    } else {
        format!("{} ({})", s.counts(app.visible.len(), covers), s.matches(app.visible.len(), app.rows.len()))
    };
    let left = Line::from(vec![
        Span::styled(app.venue.as_str(), theme.title()),
        Span::raw(" · "),
        Span::styled(date, theme.bold()),
    ]);
    let left_width = left.width() as u16;
    left.render(area, buf);
    // The counts go right-aligned if they fit beside the title, and are dropped otherwise.
    let counts_width = Span::raw(counts.as_str()).width() as u16;
    let counts_fit = left_width + 2 + counts_width <= area.width;
    if counts_fit {
        Line::from(counts).right_aligned().render(area, buf);
    }
    // The health goes between them when it fits.
    let room = area.width.saturating_sub(left_width + 2 + if counts_fit { counts_width + 2 } else { 0 });
    if let Some(health) = health(app, theme, room) {
        health.render(Rect { x: area.x + left_width + 2, width: room, ..area }, buf);
    }
}

/// The health as it fits in `room` columns, if it does.
fn health(app: &App, theme: Theme, room: u16) -> Option<Line<'static>> {
    let h = app.health?;
    let (delivered, opened) = (h.delivery_rate()?, h.open_rate()?);
    let s = app.strings.history();
    // Below the target, the warning says it all (the status line has the details); on a
    // narrow line, the share alone after the sign.
    let lines = if h.below_target() {
        vec![
            Line::from(Span::styled(s.below_short(delivered, DELIVERY_TARGET), theme.error())),
            Line::from(Span::styled(format!("⚠ {}", s.percent(delivered)), theme.error())),
        ]
    } else {
        vec![Line::from(Span::styled(s.health_short(delivered, opened), theme.dim()))]
    };
    lines.into_iter().find(|l| l.width() <= usize::from(room))
}
