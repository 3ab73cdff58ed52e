//! Tonight's follow-up list: the guests still to come to call before service, with their
//! reservation's status, their phone number and why (the confirmation, or the request of a
//! pending reservation, bounced, failed, was not sent, or was not opened by a person), and
//! the brief's advice as the workflow: `r` resends, `e` fixes the address, `v` marks the
//! reservation confirmed by phone (the row then leaves the list).

use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, Widget, Wrap};

use super::{Clock, POINTER, Selection, cut, text_width};
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
        // The advice wraps onto its two lines rather than stop mid-word on a narrow screen.
        Paragraph::new(Line::styled(s.followup_advice, t.dim())).wrap(Wrap { trim: true }).render(advice, buf);
        // Whole hints only: one that does not fit is left out (Esc's, the last, is kept).
        let pieces = self.keys.hints().map(|(key, hint)| (key, format!(" {}  ", self.day_strings.hint(hint))));
        let width = |(key, word): &(&str, String)| text_width(key) + text_width(word);
        let mut room = usize::from(hints.width).saturating_sub(pieces.last().map_or(0, width));
        let mut hint_spans = Vec::new();
        for (i, piece) in pieces.iter().enumerate() {
            let is_close = i + 1 == pieces.len();
            if !is_close {
                if width(piece) > room {
                    continue;
                }
                room -= width(piece);
            }
            hint_spans.push(Span::styled(piece.0, t.key()));
            hint_spans.push(Span::raw(piece.1.clone()));
        }
        Line::from(hint_spans).render(hints, buf);
        if st.rows.is_empty() {
            Line::from(s.followup_empty).render(list, buf);
            return;
        }
        let height = usize::from(list.height.saturating_sub(1));
        let (first, selected) = (st.selection.first_visible(height), st.selection.index());
        let phone = phone_width(&st.rows, s.column(Column::Phone));
        let w = Widths::fit(list.width, phone);
        let heads = [Column::Time, Column::Guest, Column::Party, Column::Status, Column::Phone, Column::WhyCall];
        let header = Row::new(std::iter::once(String::new()).chain(heads.map(|c| {
            let width = match c {
                Column::Guest => w.guest,
                Column::Status => w.status,
                Column::WhyCall => w.reason,
                _ => u16::MAX,
            };
            cut(s.column(c), usize::from(width))
        })))
        .style(t.heading());
        let rows = st.rows.iter().enumerate().skip(first).take(height).map(|(i, f)| {
            let reason_style = match f.reason {
                FollowUpReason::Bounced | FollowUpReason::Failed | FollowUpReason::Suppressed => t.error(),
                FollowUpReason::Uncertain => t.key(),
                _ => ratatui::style::Style::new(),
            };
            let row = Row::new([
                Cell::from(if i == selected { POINTER } else { " " }),
                Cell::from(f.starts_at.format("%H:%M").to_string()),
                Cell::from(cut(&f.guest_name, usize::from(w.guest))),
                Cell::from(Line::from(f.party_size.to_string()).right_aligned()),
                Cell::from(cut(self.day_strings.status(f.status), usize::from(w.status))),
                Cell::from(f.phone.clone()),
                Cell::from(Span::styled(cut(&self.reason(f), usize::from(w.reason)), reason_style)),
            ]);
            if i == selected { row.style(t.selected()) } else { row }
        });
        let widths = [
            Constraint::Length(1),
            Constraint::Length(5),
            Constraint::Length(w.guest),
            Constraint::Length(4),
            Constraint::Length(w.status),
            Constraint::Length(phone),
            Constraint::Fill(1),
        ];
        Table::new(rows, widths).header(header).column_spacing(1).render(list, buf);
    }
}

/// The widths of the columns that give way on a narrow screen; the time, party size and
/// phone number always show whole.
struct Widths {
    guest: u16,
    status: u16,
    reason: u16,
}

impl Widths {
    /// The reason takes what the other columns leave (one space between columns). When it
    /// would get less than 14 columns, the status goes; the name gives up to half the room
    /// left, between 12 and 22 columns. Longer texts end in `…`.
    fn fit(total: u16, phone: u16) -> Self {
        let fixed = 1 + 5 + 4 + phone + 6;
        let mut status = 10;
        let room = |status: u16| total.saturating_sub(fixed + status);
        if room(status).saturating_sub(22) < 14 && room(status) < 12 + 14 + 10 {
            status = 0;
        }
        let room = room(status);
        let guest = (room / 2).clamp(12, 22).min(room);
        Widths { guest, status, reason: room - guest }
    }
}

/// The phone column fits the longest number on the list (a UK `+44 (0)20 7946 0958` is 19
/// characters), with a blank after it so it never reads as part of the reason; at least its
/// heading, at most 25.
fn phone_width(rows: &[FollowUp], heading: &str) -> u16 {
    let longest = rows.iter().map(|f| f.phone.chars().count() + 1).max().unwrap_or(0);
    u16::try_from(longest.max(heading.chars().count()).clamp(10, 25)).unwrap_or(25)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Language, ReservationStatus};

    fn follow_up(id: i64, name: &str, phone: &str, reason: FollowUpReason, error: Option<&str>) -> FollowUp {
        FollowUp {
            reservation_id: id,
            starts_at: NaiveDate::from_ymd_opt(2037, 12, 1).and_then(|d| d.and_hms_opt(19, 30, 0)).expect("date"),
            party_size: 4,
            status: ReservationStatus::Confirmed,
            guest_id: id,
            guest_name: name.into(),
            phone: phone.into(),
            email: "guest@example.org".into(),
            message_id: Some(id),
            reason,
            last_error: error.map(str::to_owned),
            address_errors: 0,
            address_blocked: false,
        }
    }

    #[test]
    fn at_80_columns_reasons_and_names_end_in_an_ellipsis_and_hints_stay_whole() {
        let rows = vec![
            follow_up(1, "Léa Laurent", "+32 475 40 51 34", FollowUpReason::NotOpened { machine_opens: 1 }, None),
            follow_up(
                2,
                "Marie-Christine Vandenbroucke-Desmet",
                "+44 (0)20 7946 0958",
                FollowUpReason::Bounced,
                Some("550 5.1.1 <guest>: Recipient address rejected: User unknown in virtual mailbox table"),
            ),
        ];
        let state = FollowUpState::new(NaiveDate::from_ymd_opt(2037, 12, 1).expect("date"), rows, Clock::utc());
        let keys = FollowUpKeys { resend: "r", fix_address: "e", by_phone: "v", history: "Enter", close: "Esc" };
        for lang in [Language::En, Language::Fr, Language::Nl] {
            let (strings, day_strings) = (HistoryStrings::of(lang), Strings::of(lang));
            for width in [60u16, 80, 140] {
                let area = Rect::new(0, 0, width, 12);
                let mut buf = Buffer::empty(area);
                let pane = FollowUpPane { state: &state, strings, day_strings, keys, theme: Theme { color: false } };
                pane.render(area, &mut buf);
                let line = |y: u16| (0..width).map(|x| buf[(x, y)].symbol().to_owned()).collect::<String>();
                let text = (0..area.height).map(line).collect::<Vec<_>>().join("\n");
                for (i, f) in state.rows.iter().enumerate() {
                    let row = line(4 + i as u16);
                    let reason = pane.reason(f);
                    let start: String = reason.chars().take(6).collect();
                    assert!(row.contains(&start), "{lang:?} {width}: the reason shows\n{text}");
                    assert!(row.contains(&reason) || row.contains('…'), "{lang:?} {width}: reason cut short\n{text}");
                    let cut_name = f
                        .guest_name
                        .char_indices()
                        .skip(4)
                        .any(|(at, _)| row.contains(&format!("{}…", &f.guest_name[..at])));
                    assert!(row.contains(&f.guest_name) || cut_name, "{lang:?} {width}: the name\n{text}");
                    assert!(row.contains(&f.phone), "{lang:?} {width}: the whole number\n{text}");
                }
                // The hint line ends with whole hints; Esc's is always there.
                let hints = line(area.height - 2);
                let close = format!("Esc {}", day_strings.hint(Hint::Close));
                assert!(hints.contains(&close), "{lang:?} {width}: {hints}");
                // The advice is not cut mid-word at the border: it wraps.
                let advice_end: String = strings.followup_advice.split_whitespace().last().unwrap_or("").to_owned();
                if width >= 80 {
                    assert!(text.contains(&advice_end), "{lang:?} {width}: the advice's end\n{text}");
                }
            }
        }
    }
}
