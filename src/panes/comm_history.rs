//! The communication-history screen (the brief's "Guests > Communication history"): every
//! email sent from this guestmail, newest first, with its filter line (kind, state, dates,
//! text). More rows load a page at a time as the selection nears the end.

use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Row, Table, Widget};

use super::{Clock, POINTER, Selection};
use crate::domain::MessageState;
use crate::store::{CommCursor, CommFilter, CommRow};
use crate::strings::HistoryStrings;
use crate::strings::names::{Column, FilterLabel};
use crate::theme::Theme;

/// The filter field being edited, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterField {
    Kind,
    State,
    From,
    To,
    Text,
}

/// What the screen shows; the app owns it and pages it with `Store::communication_history`.
#[derive(Debug, Clone)]
pub struct CommState {
    pub filter: CommFilter,
    /// The filter's dates as typed (the store's filter holds them as UTC ms).
    pub from_day: Option<NaiveDate>,
    pub to_day: Option<NaiveDate>,
    pub editing: Option<FilterField>,
    /// A date as it is being typed (the dates apply on Enter).
    pub draft: String,
    pub rows: Vec<CommRow>,
    /// Whether the last page was full (so another may follow).
    pub more: bool,
    /// A next page is on its way.
    pub paging: bool,
    pub selection: Selection,
    pub clock: Clock,
}

impl CommState {
    pub fn new(filter: CommFilter, first_page: Vec<CommRow>, page_size: usize, clock: Clock) -> Self {
        let more = first_page.len() >= page_size;
        CommState {
            filter,
            from_day: None,
            to_day: None,
            editing: None,
            draft: String::new(),
            rows: first_page,
            more,
            paging: false,
            selection: Selection::default(),
            clock,
        }
    }

    /// The cursor for the next page, when there may be one.
    pub fn next_page_after(&self) -> Option<CommCursor> {
        self.rows.last().filter(|_| self.more).map(CommRow::cursor)
    }

    pub fn append_page(&mut self, page: Vec<CommRow>, page_size: usize) {
        self.more = page.len() >= page_size;
        self.rows.extend(page);
    }

    /// Whether the selection is close enough to the end to fetch the next page.
    pub fn wants_more(&self, lookahead: usize) -> bool {
        self.more && self.selection.index() + lookahead >= self.rows.len()
    }

    /// Selects row `index` (clamped); whether it moved.
    pub fn select(&mut self, index: usize) -> bool {
        self.selection.set(index, self.rows.len())
    }

    pub fn selected(&self) -> Option<&CommRow> {
        self.rows.get(self.selection.index())
    }

    /// The row drawn at screen row `y` when the pane fills `area` (for mouse clicks).
    pub fn row_at(&self, area: Rect, y: u16) -> Option<usize> {
        // Border, the filter's two lines, the table head; the bottom line says "more".
        let height = area.height.saturating_sub(2 + 2 + 1 + 1);
        self.selection.item_at(y, area.y + 4, height, self.rows.len())
    }
}

#[derive(Debug, Clone, Copy)]
pub struct CommPane<'a> {
    pub state: &'a CommState,
    pub strings: &'static HistoryStrings,
    pub theme: Theme,
}

impl CommPane<'_> {
    fn filter_line(&self) -> Line<'static> {
        let (s, t, st) = (self.strings, self.theme, self.state);
        let all = s.filter_label(FilterLabel::All);
        let day = |d: Option<NaiveDate>| d.map_or_else(|| "—".to_owned(), |d| d.format("%d/%m/%Y").to_string());
        let values = [
            (
                FilterField::Kind,
                s.filter_label(FilterLabel::Kind),
                st.filter.kind.map_or(all, |k| s.kind(k)).to_owned(),
            ),
            (
                FilterField::State,
                s.filter_label(FilterLabel::State),
                st.filter.state.map_or(all, |x| s.state(x)).to_owned(),
            ),
            (FilterField::From, s.filter_label(FilterLabel::From), day(st.from_day)),
            (FilterField::To, s.filter_label(FilterLabel::To), day(st.to_day)),
            (FilterField::Text, s.filter_label(FilterLabel::Search), st.filter.text.clone()),
        ];
        let mut spans = Vec::new();
        for (field, label, value) in values {
            let editing = st.editing == Some(field);
            spans.push(Span::styled(format!("{label}: "), t.bold()));
            let value =
                if editing && matches!(field, FilterField::From | FilterField::To) { st.draft.clone() } else { value };
            let shown = if editing { format!("{value}▏") } else { value };
            spans.push(Span::styled(shown, if editing { t.selected() } else { Style::new() }));
            spans.push(Span::raw("   "));
        }
        Line::from(spans)
    }

    fn row(&self, r: &CommRow, selected: bool) -> Row<'static> {
        let (s, t, c) = (self.strings, self.theme, self.state.clock);
        let mut state = s.state(r.state).to_owned();
        if let (MessageState::Deferred, Some(next)) = (r.state, r.next_attempt_at) {
            state = format!("{state}, {}", s.next_try(&c.short(next)));
        }
        let style = match r.state {
            MessageState::Failed | MessageState::Bounced | MessageState::Suppressed => t.error(),
            MessageState::Uncertain => t.key(),
            _ => Style::new(),
        };
        Row::new([
            Cell::from(if selected { POINTER } else { " " }),
            Cell::from(c.short(r.sent_at.unwrap_or(r.created_at))),
            Cell::from(r.guest_name.clone()),
            Cell::from(r.recipient.clone()),
            Cell::from(s.kind(r.kind)),
            Cell::from(r.reservation_at.map(|d| d.format("%d/%m %H:%M").to_string()).unwrap_or_default()),
            Cell::from(Span::styled(state, style)),
            Cell::from(s.opens(r.state, r.human_opens, r.machine_opens, r.open_via.as_deref())),
        ])
    }
}

impl Widget for CommPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (s, t, st) = (self.strings, self.theme, self.state);
        Clear.render(area, buf);
        let block = Block::new().borders(Borders::ALL).title(Span::styled(format!(" {} ", s.comm_title), t.title()));
        let inner = block.inner(area);
        block.render(area, buf);
        let [filter, list, foot] =
            Layout::vertical([Constraint::Length(2), Constraint::Min(1), Constraint::Length(1)]).areas(inner);
        self.filter_line().render(filter, buf);
        if st.rows.is_empty() {
            Line::from(s.no_match).render(list, buf);
            return;
        }
        let heads = [
            Column::When,
            Column::Guest,
            Column::Address,
            Column::Kind,
            Column::Reservation,
            Column::State,
            Column::Opens,
        ];
        let header = Row::new(std::iter::once("").chain(heads.map(|c| s.column(c)))).style(t.heading());
        let height = usize::from(list.height.saturating_sub(1));
        let (first, selected) = (st.selection.first_visible(height), st.selection.index());
        let rows = st.rows.iter().enumerate().skip(first).take(height).map(|(i, r)| {
            let row = self.row(r, i == selected);
            if i == selected { row.style(t.selected()) } else { row }
        });
        let widths = [
            Constraint::Length(1),
            Constraint::Length(11),
            Constraint::Length(18),
            Constraint::Length(24),
            Constraint::Length(15),
            Constraint::Length(11),
            Constraint::Length(34),
            Constraint::Fill(1),
        ];
        Table::new(rows, widths).header(header).column_spacing(1).render(list, buf);
        if st.more {
            Line::styled(s.more, t.dim()).right_aligned().render(foot, buf);
        }
    }
}
