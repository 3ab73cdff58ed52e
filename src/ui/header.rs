//! The top line: venue, the date on screen (marked when it is today), and the day's counts.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::theme::Theme;
use crate::app::App;

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
    let counts_width = counts.chars().count() as u16;
    if left_width + 2 + counts_width <= area.width {
        Line::from(counts).right_aligned().render(area, buf);
    }
}
