//! The day's reservations: one row each with time, the three email markers beside it, guest
//! (and the error badge of their address: `⚠3`, or `BLOCKED`; their email when there is
//! room), party size, status and phone. Columns drop out right-to-left (phone, then status)
//! on narrow terminals; the markers always stay.

use chrono::Timelike as _;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Widget, Wrap};

use crate::action::Action;
use crate::app::App;
use crate::app::layout::{Columns, MARKER_WIDTH, REPLY_MARK, guest_cell};
use crate::domain::{ReservationRow, ReservationStatus};
use crate::panes::POINTER;
use crate::theme::Theme;

pub(super) fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let s = app.strings;
    let columns = Columns::for_width(area.width);
    let (show_status, show_phone) = (columns.status, columns.phone);
    let mut widths = vec![Constraint::Length(1), Constraint::Length(5)];
    let mut head = vec!["", s.col_time];
    let markers = &s.col_markers;
    for m in [markers.pending, markers.confirmed, markers.completed] {
        widths.push(Constraint::Length(MARKER_WIDTH));
        head.push(m);
    }
    widths.extend([Constraint::Fill(1), Constraint::Length(4)]);
    head.extend([s.col_guest, s.col_party]);
    if show_status {
        widths.push(Constraint::Length(10));
        head.push(s.col_status);
    }
    if show_phone {
        widths.push(Constraint::Length(17));
        head.push(s.col_phone);
    }
    let header = Row::new(head.into_iter().map(Cell::from)).style(theme.heading());

    if app.loading() || app.visible.is_empty() {
        Table::new(Vec::<Row<'_>>::new(), widths.clone()).header(header).render(area, buf);
        let [_, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(area);
        let message = if app.loading() {
            Line::from(s.loading)
        } else if app.rows.is_empty() {
            let label = |a: &Action| s.keys(&app.keymap.label(a));
            let keys = format!("{} {}", label(&Action::PreviousDay), label(&Action::NextDay));
            Line::from(vec![
                Span::raw(s.empty_day),
                Span::raw("  "),
                Span::styled(keys, theme.key()),
                Span::raw(format!(" {}", s.hint(crate::strings::Hint::Day))),
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
        let row = row(app, theme, r, pos == app.selected, columns);
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

fn row<'a>(app: &App, theme: Theme, r: &'a ReservationRow, selected: bool, columns: Columns) -> Row<'a> {
    let badge = app.badge(r);
    // The name leaves room for the badge and the reply mark `↩` (and ends in `…` if cut).
    let cell = guest_cell(r, badge.as_deref(), columns.guest);
    let mut guest = vec![Span::raw(cell.name)];
    if let Some(text) = badge {
        let style = if r.address.blocked { theme.badge_blocked() } else { theme.badge_errors() };
        guest.push(Span::raw(" "));
        guest.push(Span::styled(text, style));
    }
    if r.replied {
        guest.push(Span::raw(format!(" {REPLY_MARK}")));
    }
    // The guest's email, dimmed, when the column has room for it after the name and badge.
    let used: usize = guest.iter().map(Span::width).sum();
    if used + 3 + r.guest.email.chars().count() <= usize::from(columns.guest) && !r.guest.email.is_empty() {
        guest.push(Span::styled(format!("  {}", r.guest.email), theme.dim()));
    }
    let mut cells = vec![
        Cell::from(if selected { POINTER } else { " " }),
        // Not `format("%H:%M")`: that parses the pattern again for every row of every frame.
        Cell::from(format!("{:02}:{:02}", r.starts_at.hour(), r.starts_at.minute())),
    ];
    for m in r.markers {
        cells.push(Cell::from(Line::from(Span::styled(theme.marker_glyph(m), theme.marker(m))).centered()));
    }
    cells.extend([Cell::from(Line::from(guest)), Cell::from(Line::from(r.party_size.to_string()).right_aligned())]);
    if columns.status {
        cells.push(Cell::from(app.strings.status(r.status)));
    }
    if columns.phone {
        cells.push(Cell::from(r.guest.phone.as_str()));
    }
    Row::new(cells)
}
