//! The communication-history screen (the brief's "Guests > Communication history"): every
//! email sent from this guestmail, newest first, with its filter line (kind, state, dates,
//! text). More rows load a page at a time as the selection nears the end.

use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Row, Table, Widget};

use super::{Clock, POINTER, Selection, cut, text_width};
use crate::domain::{MessageState, MessageSummary};
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
            spans.push(Span::styled(format!("{label}{}", s.colon), t.bold()));
            let value =
                if editing && matches!(field, FilterField::From | FilterField::To) { st.draft.clone() } else { value };
            let shown = if editing { format!("{value}▏") } else { value };
            spans.push(Span::styled(shown, if editing { t.selected() } else { Style::new() }));
            spans.push(Span::raw("   "));
        }
        Line::from(spans)
    }

    /// The texts of one row, before they are fitted to their columns.
    fn texts(&self, r: &CommRow) -> RowTexts {
        let (s, c) = (self.strings, self.state.clock);
        let mut state = s.state(r.state).to_owned();
        if let (MessageState::Deferred, Some(next)) = (r.state, r.next_attempt_at) {
            state = format!("{state}, {}", s.next_try(&c.short(next)));
        }
        RowTexts {
            when: c.date_time(r.sent_at.unwrap_or(r.created_at)),
            guest: r.guest_name.clone(),
            address: r.recipient.clone(),
            kind: s.kind(r.kind).to_owned(),
            reservation: r.reservation_at.map(|d| d.format(crate::strings::DATE_TIME).to_string()).unwrap_or_default(),
            state,
            opens: s.opens(r.state, r.human_opens, r.machine_opens, r.open_via.as_deref()),
        }
    }

    fn row(&self, r: &CommRow, texts: RowTexts, w: &Widths, selected: bool) -> Row<'static> {
        let t = self.theme;
        let style = match r.state {
            MessageState::Failed | MessageState::Bounced | MessageState::Suppressed => t.error(),
            MessageState::Uncertain => t.key(),
            _ => Style::new(),
        };
        let marker =
            MessageSummary { state: r.state, human_opens: r.human_opens, machine_opens: r.machine_opens }.marker();
        Row::new([
            Cell::from(if selected { POINTER } else { " " }),
            Cell::from(Span::styled(t.marker_glyph(marker), t.marker(marker))),
            Cell::from(texts.when),
            Cell::from(cut(&texts.guest, w.guest)),
            Cell::from(cut(&texts.address, w.address)),
            Cell::from(cut(&texts.kind, w.kind)),
            Cell::from(texts.reservation),
            Cell::from(Span::styled(cut(&texts.state, w.state), style)),
            Cell::from(cut(&texts.opens, w.opens)),
        ])
    }
}

/// One row's texts, as wide as they are.
struct RowTexts {
    when: String,
    guest: String,
    address: String,
    kind: String,
    reservation: String,
    state: String,
    opens: String,
}

/// The widths of the columns whose content varies: each as wide as its widest text on
/// screen (or its head), and, when the line is too short for all of them, a long opens text
/// or state cut first, then the address, the name, the opens (every cut ends in `…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Widths {
    guest: usize,
    address: usize,
    kind: usize,
    state: usize,
    opens: usize,
}

/// "23/11/2026 19:02": the two date columns.
const DATE_TIME_WIDTH: usize = 16;
/// Pointer and marker, one column each.
const MARKS_WIDTH: usize = 2;
/// Nine columns, one space between each two.
const GAPS: usize = 8;

impl Widths {
    fn fit(heads: &RowTexts, rows: &[RowTexts], total: usize) -> Self {
        let widest = |f: fn(&RowTexts) -> &str| {
            rows.iter().map(|r| text_width(f(r))).chain([text_width(f(heads))]).max().unwrap_or(0)
        };
        let mut w = Widths {
            guest: widest(|r| &r.guest),
            address: widest(|r| &r.address),
            kind: widest(|r| &r.kind),
            state: widest(|r| &r.state),
            opens: widest(|r| &r.opens),
        };
        let (full_guest, full_address, full_state) = (w.guest, w.address, w.state);
        let fixed = MARKS_WIDTH + 2 * DATE_TIME_WIDTH + GAPS;
        let used = |w: &Widths| fixed + w.guest + w.address + w.kind + w.state + w.opens;
        let mut over = used(&w).saturating_sub(total);
        let shrink = |width: &mut usize, least: usize, over: &mut usize| {
            let give = (*over).min(width.saturating_sub(least));
            *width -= give;
            *over -= give;
        };
        // First the long columns down to a useful width: a long opens text or state (a
        // deferral's next try) and an unusually long name before the address (the marker
        // already tells opened or not; the address is what staff check).
        shrink(&mut w.opens, 24, &mut over);
        shrink(&mut w.state, 16, &mut over);
        shrink(&mut w.guest, 16, &mut over);
        shrink(&mut w.address, 16, &mut over);
        shrink(&mut w.guest, 12, &mut over);
        shrink(&mut w.opens, 10, &mut over);
        shrink(&mut w.state, 8, &mut over);
        // Still too narrow (an 80-column terminal): the opens go (the guest's history has
        // them), then the rest down to a few letters each, the address last of all.
        if over > 0 {
            w.opens = 0;
            over = used(&w).saturating_sub(total);
        }
        shrink(&mut w.address, 10, &mut over);
        shrink(&mut w.kind, 9, &mut over);
        shrink(&mut w.guest, 10, &mut over);
        shrink(&mut w.state, 6, &mut over);
        shrink(&mut w.address, 0, &mut over);
        // Room to spare goes back to the address, the name and the state, then to the opens,
        // the last column.
        let mut spare = total.saturating_sub(used(&w));
        for (width, full) in [(&mut w.address, full_address), (&mut w.guest, full_guest), (&mut w.state, full_state)] {
            let give = spare.min(full.saturating_sub(*width));
            *width += give;
            spare -= give;
        }
        w.opens += spare;
        // A few letters of the opens would only read as noise.
        if w.opens < 6 {
            w.opens = 0;
        }
        w
    }

    fn constraints(&self) -> [Constraint; 9] {
        let len = |w: usize| Constraint::Length(u16::try_from(w).unwrap_or(u16::MAX));
        [
            Constraint::Length(1),
            Constraint::Length(1),
            len(DATE_TIME_WIDTH),
            len(self.guest),
            len(self.address),
            len(self.kind),
            len(DATE_TIME_WIDTH),
            len(self.state),
            Constraint::Fill(1),
        ]
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
        let col = |c: Column| s.column(c).to_owned();
        let heads = RowTexts {
            when: col(Column::When),
            guest: col(Column::Guest),
            address: col(Column::Address),
            kind: col(Column::Kind),
            reservation: col(Column::Reservation),
            state: col(Column::State),
            opens: col(Column::Opens),
        };
        let height = usize::from(list.height.saturating_sub(1));
        let (first, selected) = (st.selection.first_visible(height), st.selection.index());
        let shown: Vec<(usize, &CommRow)> = st.rows.iter().enumerate().skip(first).take(height).collect();
        let texts: Vec<RowTexts> = shown.iter().map(|(_, r)| self.texts(r)).collect();
        let w = Widths::fit(&heads, &texts, usize::from(list.width));
        let header = Row::new([
            String::new(),
            String::new(),
            heads.when,
            cut(&heads.guest, w.guest),
            cut(&heads.address, w.address),
            cut(&heads.kind, w.kind),
            heads.reservation,
            cut(&heads.state, w.state),
            cut(&heads.opens, w.opens),
        ])
        .style(t.heading());
        let rows = shown.into_iter().zip(texts).map(|((i, r), texts)| {
            let row = self.row(r, texts, &w, i == selected);
            if i == selected { row.style(t.selected()) } else { row }
        });
        Table::new(rows, w.constraints()).header(header).column_spacing(1).render(list, buf);
        if st.more {
            Line::styled(s.more, t.dim()).right_aligned().render(foot, buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EmailKind, Language};

    fn row(id: i64, name: &str, address: &str, kind: EmailKind, human_opens: u32) -> CommRow {
        let at = chrono::NaiveDate::from_ymd_opt(2037, 12, 1).and_then(|d| d.and_hms_opt(19, 30, 0)).expect("date");
        CommRow {
            id,
            created_at: 2_143_300_000_000 + id,
            sent_at: Some(2_143_300_000_000 + id),
            kind,
            state: MessageState::Sent,
            guest_id: id,
            guest_name: name.into(),
            recipient: address.into(),
            reservation_at: Some(at),
            next_attempt_at: None,
            human_opens,
            machine_opens: 0,
            open_via: None,
            last_opened_at: None,
            resend_of: None,
        }
    }

    /// Each word of `full` shows whole on `line`, or its start does, ending in `…`.
    fn whole_or_ellipsis(line: &str, full: &str) -> bool {
        line.contains(full) || full.char_indices().skip(1).any(|(i, _)| line.contains(&format!("{}…", &full[..i])))
    }

    #[test]
    fn on_a_narrow_terminal_every_cut_text_ends_in_an_ellipsis() {
        let rows = vec![
            row(1, "Bram Van Damme-Vercauteren", "bram.van-damme-vercauteren@telenet.be", EmailKind::Completed, 3),
            row(2, "Hugo Mercier", "hugo.mercier2@proximus.be", EmailKind::Confirmed, 0),
            CommRow { machine_opens: 2, ..row(3, "Léa Dubois", "lea.dubois58@icloud.com", EmailKind::Pending, 0) },
        ];
        let mut state = CommState::new(CommFilter::default(), rows.clone(), 50, Clock::utc());
        state.more = false;
        for lang in [Language::En, Language::Fr, Language::Nl] {
            let strings = HistoryStrings::of(lang);
            for width in [80u16, 100, 140, 150, 200] {
                let area = Rect::new(0, 0, width, 10);
                let mut buf = Buffer::empty(area);
                CommPane { state: &state, strings, theme: Theme { color: false } }.render(area, &mut buf);
                let lines: Vec<String> = (0..area.height)
                    .map(|y| (0..width).map(|x| buf[(x, y)].symbol().to_owned()).collect::<String>())
                    .collect();
                for (r, line) in rows.iter().zip(&lines[4..]) {
                    let when = Clock::utc().date_time(r.sent_at.unwrap_or(r.created_at));
                    assert!(line.contains(&when), "{lang:?} {width}: the whole date and time\n{line}");
                    for text in [r.guest_name.as_str(), r.recipient.as_str(), strings.kind(r.kind)] {
                        // A column may go whole on a narrow screen, never show a start without `…`.
                        let start: String = text.chars().take(4).collect();
                        if line.contains(&start) {
                            assert!(whole_or_ellipsis(line, text), "{lang:?} {width}: {text:?} cut short\n{line}");
                        }
                    }
                    // A long opens text gives way to the address first.
                    if width >= 200 || (width >= 140 && r.recipient.len() < 30) {
                        assert!(line.contains(r.recipient.as_str()), "{lang:?} {width}: room for the address\n{line}");
                    }
                }
            }
        }
    }
}
