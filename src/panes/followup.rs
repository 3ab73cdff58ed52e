//! Tonight's follow-up list: the guests still to come to call before service, with their
//! reservation's status, their phone number and why (the confirmation, or the request of a
//! pending reservation, bounced, failed, was not sent, or was not opened by a person), and
//! the brief's advice as the workflow: `r` resends, `e` fixes the address, `v` marks the
//! reservation confirmed by phone (the row then leaves the list).

use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Row, Table, Widget};

use super::{Clock, POINTER, Selection};
use crate::store::{FollowUp, FollowUpReason};
use crate::strings::Strings;
use crate::strings::names::Column;
use crate::strings::{Hint, HistoryStrings};
use crate::theme::Theme;

/// What the list shows; the app owns it and reloads it with `Store::follow_up(day)`.
#[derive(Debug, Clone)]
pub struct FollowUpState {
    pub day: NaiveDate,
    pub rows: Vec<FollowUp>,
    pub selection: Selection,
    pub clock: Clock,
}

impl FollowUpState {
    pub fn new(day: NaiveDate, rows: Vec<FollowUp>, clock: Clock) -> Self {
        FollowUpState { day, rows, selection: Selection::default(), clock }
    }

    /// New rows for the same day, keeping the selection on the same reservation if it is
    /// still there (else on the row that took its place).
    pub fn reload(&mut self, rows: Vec<FollowUp>) {
        let keep = self.selected().map(|f| f.reservation_id);
        self.rows = rows;
        let at =
            keep.and_then(|id| self.rows.iter().position(|f| f.reservation_id == id)).unwrap_or(self.selection.index());
        self.selection.set(at, self.rows.len());
    }

    pub fn selected(&self) -> Option<&FollowUp> {
        self.rows.get(self.selection.index())
    }

    /// Selects row `index` (clamped); whether it moved.
    pub fn select(&mut self, index: usize) -> bool {
        self.selection.set(index, self.rows.len())
    }

    /// The row drawn at screen row `y` when the pane fills `area` (for mouse clicks).
    pub fn row_at(&self, area: Rect, y: u16) -> Option<usize> {
        // Border, the advice's two lines, the table head; the hints take the last line.
        let height = area.height.saturating_sub(2 + 2 + 1 + 1);
        self.selection.item_at(y, area.y + 4, height, self.rows.len())
    }
}

/// The labels of the keys on the pane's hint line, from the app's keymap (by default r, e,
/// v, Enter, Esc).
#[derive(Debug, Clone, Copy)]
pub struct FollowUpKeys<'a> {
    pub resend: &'a str,
    pub fix_address: &'a str,
    pub by_phone: &'a str,
    pub history: &'a str,
    pub close: &'a str,
}

impl<'a> FollowUpKeys<'a> {
    /// Each key with the word of what it does, in the order of the hint line.
    fn hints(self) -> [(&'a str, Hint); 5] {
        [
            (self.resend, Hint::Resend),
            (self.fix_address, Hint::FixAddress),
            (self.by_phone, Hint::ByPhone),
            (self.history, Hint::History),
            (self.close, Hint::Close),
        ]
    }
}

/// The pane.
#[derive(Debug, Clone, Copy)]
pub struct FollowUpPane<'a> {
    pub state: &'a FollowUpState,
    pub strings: &'static HistoryStrings,
    pub day_strings: &'static Strings,
    pub keys: FollowUpKeys<'a>,
    pub theme: Theme,
}

impl FollowUpPane<'_> {
    /// The reason in words, with the detail that helps on the phone.
    pub fn reason(&self, f: &FollowUp) -> String {
        let s = self.strings;
        let base = match f.reason {
            FollowUpReason::Deferred { next_attempt_at: Some(next) } => {
                format!("{}, {}", s.reason(f.reason), s.next_try(&self.state.clock.short(next)))
            }
            reason => s.reason(reason).to_owned(),
        };
        match &f.last_error {
            // A suppressed email's error only repeats "address blocked".
            Some(e)
                if !e.is_empty()
                    && !matches!(f.reason, FollowUpReason::NotOpened { .. } | FollowUpReason::Suppressed) =>
            {
                format!("{base} — {e}")
            }
            _ => base,
        }
    }
}

impl Widget for FollowUpPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (s, t, st) = (self.strings, self.theme, self.state);
        Clear.render(area, buf);
        let title = format!(" {} · {} ", s.followup_title, self.day_strings.date(st.day));
        let block = Block::new().borders(Borders::ALL).title(Span::styled(title, t.title()));
        let inner = block.inner(area);
        block.render(area, buf);
        let [advice, list, hints] =
            Layout::vertical([Constraint::Length(2), Constraint::Min(1), Constraint::Length(1)]).areas(inner);
        Line::styled(s.followup_advice, t.dim()).render(advice, buf);
        let mut hint_spans = Vec::new();
        for (key, hint) in self.keys.hints() {
            hint_spans.push(Span::styled(key, t.key()));
            hint_spans.push(Span::raw(format!(" {}  ", self.day_strings.hint(hint))));
        }
        Line::from(hint_spans).render(hints, buf);
        if st.rows.is_empty() {
            Line::from(s.followup_empty).render(list, buf);
            return;
        }
        let heads = [Column::Time, Column::Guest, Column::Party, Column::Status, Column::Phone, Column::WhyCall];
        let header = Row::new(std::iter::once("").chain(heads.map(|c| s.column(c)))).style(t.heading());
        let height = usize::from(list.height.saturating_sub(1));
        let (first, selected) = (st.selection.first_visible(height), st.selection.index());
        let rows = st.rows.iter().enumerate().skip(first).take(height).map(|(i, f)| {
            let reason_style = match f.reason {
                FollowUpReason::Bounced | FollowUpReason::Failed | FollowUpReason::Suppressed => t.error(),
                FollowUpReason::Uncertain => t.key(),
                _ => ratatui::style::Style::new(),
            };
            let row = Row::new([
                Cell::from(if i == selected { POINTER } else { " " }),
                Cell::from(f.starts_at.format("%H:%M").to_string()),
                Cell::from(f.guest_name.clone()),
                Cell::from(Line::from(f.party_size.to_string()).right_aligned()),
                Cell::from(self.day_strings.status(f.status)),
                Cell::from(f.phone.clone()),
                Cell::from(Span::styled(self.reason(f), reason_style)),
            ]);
            if i == selected { row.style(t.selected()) } else { row }
        });
        let widths = [
            Constraint::Length(1),
            Constraint::Length(5),
            Constraint::Length(22),
            Constraint::Length(4),
            Constraint::Length(10),
            Constraint::Length(phone_width(&st.rows, s.column(Column::Phone))),
            Constraint::Fill(1),
        ];
        Table::new(rows, widths).header(header).column_spacing(1).render(list, buf);
    }
}

/// The phone column fits the longest number on the list (a UK `+44 (0)20 7946 0958` is 19
/// characters), with a blank after it so it never reads as part of the reason; at least its
/// heading, at most 25.
fn phone_width(rows: &[FollowUp], heading: &str) -> u16 {
    let longest = rows.iter().map(|f| f.phone.chars().count() + 1).max().unwrap_or(0);
    u16::try_from(longest.max(heading.chars().count()).clamp(10, 25)).unwrap_or(25)
}
