//! The day's reservations: one row each with time, guest, party size, status, phone and the
//! three email markers. Columns drop out right-to-left (phone, then status) on narrow
//! terminals; the markers always stay.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Widget, Wrap};

use super::theme::Theme;
use crate::action::Action;
use crate::app::App;
use crate::domain::{ReservationRow, ReservationStatus};

const MARKER_WIDTH: u16 = 4;

pub(super) fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let s = app.strings;
    let show_status = area.width >= 55;
    let show_phone = area.width >= 70;
    let mut widths = vec![Constraint::Length(1), Constraint::Length(5), Constraint::Fill(1), Constraint::Length(4)];
    let mut head = vec!["", s.col_time, s.col_guest, s.col_party];
    if show_status {
        widths.push(Constraint::Length(10));
        head.push(s.col_status);
    }
    if show_phone {
        widths.push(Constraint::Length(17));
        head.push(s.col_phone);
    }
    for m in s.col_markers {
        widths.push(Constraint::Length(MARKER_WIDTH));
        head.push(m);
    }
    let header = Row::new(head.into_iter().map(Cell::from)).style(theme.heading());

    if app.loading() || app.visible.is_empty() {
        Table::new(Vec::<Row<'_>>::new(), widths.clone()).header(header).render(area, buf);
        let [_, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(area);
        let message = if app.loading() {
            Line::from(s.loading)
        } else if app.rows.is_empty() {
            let keys = format!("{} {}", app.keymap.label(&Action::PreviousDay), app.keymap.label(&Action::NextDay));
            Line::from(vec![
                Span::raw(s.empty_day),
                Span::raw("  "),
                Span::styled(keys, theme.key()),
                Span::raw(format!(" {}", s.hints[1])),
            ])
        } else {
            Line::from(s.no_match)
        };
        Paragraph::new(message.centered()).wrap(Wrap { trim: true }).render(body, buf);
        return;
    }

    let page = usize::from(area.height.saturating_sub(1));
    let first = app.offset.min(app.visible.len().saturating_sub(1));
    let rows = app.visible.iter().enumerate().skip(first).take(page).map(|(pos, &i)| {
        let r = &app.rows[i];
        let row = row(app, theme, r, pos == app.selected, show_status, show_phone);
        if pos == app.selected {
            row.style(theme.selected())
        } else if matches!(r.status, ReservationStatus::Cancelled | ReservationStatus::NoShow) {
            row.style(theme.dim())
        } else {
            row
        }
    });
    Table::new(rows, widths).header(header).column_spacing(1).render(area, buf);
}

/// The highlighted row's pointer: the reverse video says it too, this says it without any
/// styling at all (screen readers, captures, snapshots).
const POINTER: &str = "▸";

fn row<'a>(app: &App, theme: Theme, r: &'a ReservationRow, selected: bool, status: bool, phone: bool) -> Row<'a> {
    let mut cells = vec![
        Cell::from(if selected { POINTER } else { " " }),
        Cell::from(r.starts_at.format("%H:%M").to_string()),
        Cell::from(r.guest.name.as_str()),
        Cell::from(Line::from(r.party_size.to_string()).right_aligned()),
    ];
    if status {
        cells.push(Cell::from(app.strings.status(r.status)));
    }
    if phone {
        cells.push(Cell::from(r.guest.phone.as_str()));
    }
    for m in r.markers {
        cells.push(Cell::from(Line::from(Span::styled(theme.marker_glyph(m), theme.marker(m))).centered()));
    }
    Row::new(cells)
}
