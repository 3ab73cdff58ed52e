//! The top line: venue, the date on screen (marked when it is today), the delivery health
//! of the last 30 days when there is room (a red warning instead below the 98% target),
//! and the day's counts (covers without the cancelled and no-show reservations, whose
//! numbers follow; that tail goes first on a narrow terminal).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::App;
use crate::domain::{ReservationRow, ReservationStatus};
use crate::store::DELIVERY_TARGET;
use crate::theme::Theme;

pub(super) fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let s = app.strings;
    let mut date = s.date(app.day);
    if app.day == app.today {
        date = format!("{date} ({})", s.today);
    }
    let (counts, tail) = if app.loading() { (s.loading.to_owned(), Vec::new()) } else { counts(app) };
    let left = Line::from(vec![
        Span::styled(app.venue.as_str(), theme.title()),
        Span::raw(" · "),
        Span::styled(date, theme.bold()),
    ]);
    let left_width = left.width() as u16;
    left.render(area, buf);
    // The counts go right-aligned if they fit beside the title: with the tail of what the
    // covers leave out, else with less of it (its end goes first), else not at all.
    let counts = (0..=tail.len())
        .rev()
        .map(|n| format!("{counts}{}", tail[..n].concat()))
        .find(|c| left_width + 2 + Span::raw(c.as_str()).width() as u16 <= area.width);
    let counts_width = counts.as_ref().map_or(0, |c| Span::raw(c.as_str()).width() as u16);
    let counts_fit = counts.is_some();
    if let Some(counts) = counts {
        Line::from(counts).right_aligned().render(area, buf);
    }
    // The health goes between them when it fits; a stopped outbox says so instead.
    let room = area.width.saturating_sub(left_width + 2 + if counts_fit { counts_width + 2 } else { 0 });
    let stopped = (app.sending_paused.is_some() || app.outbox_trouble.is_some())
        .then(|| {
            Line::from(Span::styled(crate::strings::background::stopped_short(app.strings.language), theme.error()))
        })
        .filter(|l| l.width() <= usize::from(room));
    if let Some(line) = stopped.or_else(|| health(app, theme, room)) {
        line.render(Rect { x: area.x + left_width + 2, width: room, ..area }, buf);
    }
}

/// The day's counts ("39 reservations · 143 covers", of the rows the filter shows) and the
/// pieces of their tail (" · 3 cancelled", " · 1 no-show"): cancelled and no-show
/// reservations bring no covers.
fn counts(app: &App) -> (String, Vec<String>) {
    let s = app.strings;
    let shown = || app.visible.iter().map(|&i| &app.rows[i]);
    let expected = |r: &&ReservationRow| !matches!(r.status, ReservationStatus::Cancelled | ReservationStatus::NoShow);
    let covers: u32 = shown().filter(expected).map(|r| r.party_size).sum();
    let cancelled = shown().filter(|r| r.status == ReservationStatus::Cancelled).count();
    let no_shows = shown().filter(|r| r.status == ReservationStatus::NoShow).count();
    let counts = if app.filter.is_empty() {
        s.counts(app.rows.len(), covers)
    } else {
        format!("{} ({})", s.counts(app.visible.len(), covers), s.matches(app.visible.len(), app.rows.len()))
    };
    let mut tail = Vec::new();
    if cancelled > 0 {
        tail.push(format!(" · {}", s.cancelled_count(cancelled)));
    }
    if no_shows > 0 {
        tail.push(format!(" · {}", s.no_show_count(no_shows)));
    }
    (counts, tail)
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
