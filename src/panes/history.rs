//! The guest's history pane: who the guest is and how their address is doing, then one
//! timeline, newest first, of every email sent to them (kind, reservation, time, state,
//! opens, resend link) with the notes in between (counter resets, complaints, address
//! changes, phone confirmations); below it, the selected email's own log once loaded.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget};

use super::{Clock, POINTER, Selection, cut, fit_line, text_width};
use crate::domain::{EventKind, MessageState, MessageSummary};
use crate::store::{GuestHistory, HistoryEmail, LogEntry, LogLine, TimelineNote};
use crate::strings::HistoryStrings;
use crate::strings::names::Column;
use crate::theme::Theme;

/// One line of the timeline: an email or a note, by index into the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Email(usize),
    Note(usize),
}

/// What the pane shows; the app owns it and fills it from the store (off the UI thread).
#[derive(Debug, Clone)]
pub struct HistoryState {
    pub history: GuestHistory,
    /// The timeline, newest first.
    pub entries: Vec<Entry>,
    pub selection: Selection,
    /// Whether the last page was full (so more emails may follow).
    pub more: bool,
    /// A next page is on its way.
    pub paging: bool,
    /// The log of one email (its id and lines), shown when that email is selected.
    pub log: Option<(i64, Vec<LogLine>)>,
    pub clock: Clock,
}

impl HistoryState {
    pub fn new(history: GuestHistory, clock: Clock) -> Self {
        let mut state = HistoryState {
            history,
            entries: Vec::new(),
            selection: Selection::default(),
            more: false,
            paging: false,
            log: None,
            clock,
        };
        state.rebuild();
        state
    }

    /// Adds the next page of emails (from `Store::guest_emails(.., before = next_page_after())`).
    pub fn append_page(&mut self, emails: Vec<HistoryEmail>) {
        self.history.emails.extend(emails);
        self.rebuild();
    }

    /// The id to pass as `before` for the next page.
    pub fn next_page_after(&self) -> Option<i64> {
        self.history.emails.last().map(|e| e.id)
    }

    fn rebuild(&mut self) {
        // Each email at the time its row shows (when it left, else when it was queued), so
        // "newest first" reads true down the Sent column: a reminder queued at booking and
        // sent days later sits where it was sent, not where it was queued.
        let emails = (0..self.history.emails.len()).map(|i| (shown_at(&self.history.emails[i]), Entry::Email(i)));
        let notes = (0..self.history.notes.len()).map(|i| (self.history.notes[i].at, Entry::Note(i)));
        let mut all: Vec<(i64, Entry)> = emails.chain(notes).collect();
        // Newest first; the store's order (newest id first) is kept among emails of the same time.
        all.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
        self.entries = all.into_iter().map(|(_, e)| e).collect();
        self.selection.set(self.selection.index(), self.entries.len());
    }

    /// Selects timeline entry `index` (clamped); whether it moved.
    pub fn select(&mut self, index: usize) -> bool {
        self.selection.set(index, self.entries.len())
    }

    /// The selected email, if the selection is on one (the app then loads its log).
    pub fn selected_email(&self) -> Option<&HistoryEmail> {
        match self.entries.get(self.selection.index()) {
            Some(Entry::Email(i)) => self.history.emails.get(*i),
            _ => None,
        }
    }

    pub fn set_log(&mut self, message_id: i64, lines: Vec<LogLine>) {
        self.log = Some((message_id, lines));
    }

    /// The selected email's log, when it is loaded.
    pub fn shown_log(&self) -> Option<&[LogLine]> {
        let (id, lines) = self.log.as_ref()?;
        self.selected_email().is_some_and(|e| e.id == *id).then_some(lines.as_slice())
    }

    /// Rows the log takes at the bottom of a pane whose inside is `inner_height` rows.
    fn log_height(&self, inner_height: u16) -> u16 {
        self.shown_log().map_or(0, |l| (l.len() as u16 + 1).min(inner_height / 3))
    }

    /// The timeline entry drawn at screen row `y` when the pane fills `area` (mouse clicks).
    pub fn row_at(&self, area: Rect, y: u16) -> Option<usize> {
        let inner = area.height.saturating_sub(2);
        let height = inner.saturating_sub(3 + self.log_height(inner));
        self.selection.item_at(y, area.y + 4, height, self.entries.len())
    }
}

/// An event's stored detail as staff may read it: without the database's ids that older
/// versions wrote into it (`guest 93: old -> new` for an address change; a resend's
/// `resend of message 16` is worded from the email it repeats instead).
fn staff_detail(kind: EventKind, detail: &str) -> &str {
    match kind {
        EventKind::AddressChanged => detail
            .strip_prefix("guest ")
            .and_then(|rest| rest.split_once(": "))
            .filter(|(id, _)| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
            .map_or(detail, |(_, change)| change),
        EventKind::Resend if detail.starts_with("resend of message ") => "",
        _ => detail,
    }
}

/// Widths of the email columns (dates with their year: "23/11/2026 19:02").
const WHEN: usize = 16;
const KIND: usize = 15;
const BOOKING: usize = 18;
/// The state column is as wide as its widest text on screen, up to this many columns.
const STATE_MAX: usize = 34;

/// The pane: draw with `frame.render_widget(HistoryPane { .. }, area)`.
#[derive(Debug, Clone, Copy)]
pub struct HistoryPane<'a> {
    pub state: &'a HistoryState,
    pub strings: &'static HistoryStrings,
    pub theme: Theme,
}

impl HistoryPane<'_> {
    fn header(&self, state_width: usize) -> Vec<Line<'static>> {
        let (s, t, h) = (self.strings, self.theme, &self.state.history);
        let guest = &h.guest;
        let mut who = vec![Span::styled(guest.name.clone(), t.bold())];
        if h.forgotten {
            who.push(Span::styled(format!(" {}", s.forgotten), t.dim()));
        } else {
            who.push(Span::raw(format!(" · {} · {} · {}", guest.email, guest.phone, guest.language)));
        }
        let address = &h.address;
        let style = if address.blocked || address.error_count > 0 { t.error() } else { Style::new() };
        let mut health = vec![
            Span::raw(format!("{}{}", s.address, s.colon)),
            Span::styled(s.errors(address.error_count), style),
            Span::raw(" · "),
            Span::styled(if address.blocked { s.blocked } else { s.not_blocked }, style),
        ];
        if let Some(err) = &address.last_error {
            let when = h.last_error_at.map(|at| format!("{} ", self.state.clock.date_time(at))).unwrap_or_default();
            health.push(Span::raw(format!(" · {}{}{when}{err}", s.last_error, s.colon)));
        }
        let col = |c: Column, w: usize| format!("{:<w$}", s.column(c));
        let heads = Line::styled(
            format!(
                "    {}  {}{}{} {}",
                col(Column::Sent, WHEN),
                col(Column::Kind, KIND),
                col(Column::Reservation, BOOKING),
                col(Column::State, state_width),
                s.column(Column::Opens)
            ),
            t.heading(),
        );
        vec![Line::from(who), Line::from(health), heads]
    }

    /// The email's state as its row says it: why it was withdrawn, when it is tried next.
    fn state_text(&self, e: &HistoryEmail) -> String {
        let (s, c) = (self.strings, self.state.clock);
        let mut state = s.state(e.state).to_owned();
        if let (MessageState::Withdrawn, Some(why)) = (e.state, e.withdrawn_reason) {
            state = s.withdrawn(why);
        }
        if let (MessageState::Deferred, Some(next)) = (e.state, e.next_attempt_at) {
            state = format!("{state}, {}", s.next_try(&c.short(next)));
        }
        // Planned for later (a reminder queued at booking): say when it goes, so the row's
        // queue time is not read as a stuck email.
        if let (MessageState::Queued, Some(due)) = (e.state, e.due_at.filter(|d| *d > e.created_at + 60_000)) {
            state = format!("{state}, {}", s.due(&c.date_time(due)));
        }
        state
    }

    fn email_line(&self, e: &HistoryEmail, selected: bool, state_width: usize) -> Line<'static> {
        let (s, t, c) = (self.strings, self.theme, self.state.clock);
        let when = c.date_time(shown_at(e));
        let booking = e.reservation_at.map(|r| r.format(crate::strings::DATE_TIME).to_string()).unwrap_or_default();
        let state_style = match e.state {
            MessageState::Failed | MessageState::Bounced | MessageState::Suppressed => t.error(),
            MessageState::Uncertain => t.key(),
            MessageState::Queued | MessageState::Sending | MessageState::Deferred | MessageState::Withdrawn => t.dim(),
            MessageState::Sent => Style::new(),
        };
        let state = self.state_text(e);
        // A reply is a person's open too, but said as what it is: "Opened (once) · Replied",
        // or "Replied" alone when no person fetched the pixel (a machine's fetch beside a
        // reply would only contradict it: "Not opened yet · Replied").
        let pixel = e.human_opens.saturating_sub(e.replies);
        let mut opens = match e.replies {
            0 => s.opens(e.state, e.human_opens, e.machine_opens, e.open_via.as_deref()),
            replies if pixel == 0 => s.replied(replies),
            replies => {
                format!("{} · {}", s.opens(e.state, pixel, e.machine_opens, e.open_via.as_deref()), s.replied(replies))
            }
        };
        if let Some(last) = e.last_opened_at.filter(|_| e.human_opens > 0) {
            opens = format!("{opens} · {}", s.last_opened(&c.date_time(last)));
        }
        // The provider's word that the guest's server took it (ESP hooks): only while sent.
        if let Some(at) = e.delivered_at.filter(|_| e.state == MessageState::Sent) {
            opens = format!("{opens} · {}", s.accepted_at(&c.date_time(at)));
        }
        // A long state (why an email was withdrawn) takes the room the opens leave empty.
        let state = if opens.is_empty() { state } else { cut(&state, state_width) };
        let marker =
            MessageSummary { state: e.state, human_opens: e.human_opens, machine_opens: e.machine_opens }.marker();
        let mut spans = vec![
            Span::raw(format!("{} ", if selected { POINTER } else { " " })),
            Span::styled(t.marker_glyph(marker), t.marker(marker)),
            Span::raw(format!(" {when:<WHEN$}  ")),
            Span::styled(format!("{:<KIND$}", s.kind(e.kind)), t.bold()),
            Span::raw(format!("{booking:<BOOKING$}")),
            Span::styled(format!("{state:<state_width$}"), state_style),
            Span::raw(" "),
            Span::raw(opens),
        ];
        if e.resend_of.is_some() {
            let sep = if spans.last().is_some_and(|l| l.content.is_empty()) { "" } else { " · " };
            spans.push(Span::styled(format!("{sep}↻ {}", self.resend_of(e)), t.dim()));
        }
        Line::from(spans)
    }

    /// What a resend repeats, as a host says it: the email of that day and time (and its
    /// kind when it is another), never the database's number for it.
    fn resend_of(&self, e: &HistoryEmail) -> String {
        let s = self.strings;
        match e.original {
            Some(o) => {
                let kind = (o.kind != e.kind).then(|| s.kind(o.kind));
                s.resend_of(&self.state.clock.date_time(o.at), kind)
            }
            None => s.event(EventKind::Resend).to_owned(),
        }
    }

    fn note_line(&self, n: &TimelineNote, selected: bool) -> Line<'static> {
        let (s, t) = (self.strings, self.theme);
        let style = if n.kind == EventKind::Complaint { t.error() } else { t.dim() };
        let shown = staff_detail(n.kind, &n.detail);
        let detail =
            if shown.is_empty() { String::new() } else { format!("{}{}", s.colon, s.note_detail(n.kind, shown)) };
        let actor = if n.actor.is_empty() { String::new() } else { format!(" ({})", s.actor(&n.actor)) };
        Line::from(vec![
            Span::raw(format!(
                "{}   {:<WHEN$}  ",
                if selected { POINTER } else { " " },
                self.state.clock.date_time(n.at)
            )),
            Span::styled(format!("⚑ {}{detail}{actor}", s.event(n.kind)), style),
        ])
    }

    fn log_lines(&self, lines: &[LogLine]) -> Vec<Line<'static>> {
        let (s, t, c) = (self.strings, self.theme, self.state.clock);
        lines
            .iter()
            .map(|l| {
                let text = match &l.entry {
                    LogEntry::Event { kind: EventKind::Resend, .. } => match self.state.selected_email() {
                        Some(e) if e.resend_of.is_some() => format!("↻ {}", self.resend_of(e)),
                        _ => s.event(EventKind::Resend).to_owned(),
                    },
                    LogEntry::Event { kind, detail, .. } => match staff_detail(*kind, detail) {
                        "" => s.event(*kind).to_owned(),
                        detail => format!("{}{}{detail}", s.event(*kind), s.colon),
                    },
                    LogEntry::Open { ip, user_agent, machine, reason } => {
                        let who = if *machine { s.by_machine } else { s.by_person };
                        let client = match (ip, user_agent) {
                            (None, None) => s.ip_erased.to_owned(),
                            (ip, ua) => {
                                [ip.as_deref(), ua.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" · ")
                            }
                        };
                        let why = if reason.is_empty() { String::new() } else { format!(" ({reason})") };
                        format!("{} {who}{why} — {client}", s.open)
                    }
                    LogEntry::Bounce { class, status, reply_code, diagnostic } => {
                        let parts =
                            [Some(class.as_str()), reply_code.as_deref(), status.as_deref(), diagnostic.as_deref()];
                        format!(
                            "{}{}{}",
                            s.bounce_report,
                            s.colon,
                            parts.into_iter().flatten().collect::<Vec<_>>().join(" ")
                        )
                    }
                    LogEntry::Reply { excerpt, auto } => {
                        crate::strings::replies::reply_line(s.language, *auto, excerpt)
                    }
                };
                Line::from(vec![Span::styled(format!("  {}  ", c.date_time_seconds(l.at)), t.dim()), Span::raw(text)])
            })
            .collect()
    }
}

impl Widget for HistoryPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        Clear.render(area, buf);
        let title = format!(" {} — {} ", self.strings.history_title, self.state.history.guest.name);
        let block = Block::new().borders(Borders::ALL).title(Span::styled(title, self.theme.title()));
        let inner = block.inner(area);
        block.render(area, buf);
        let log = self.state.shown_log();
        let log_height = self.state.log_height(inner.height);
        let [head, list, bottom] =
            Layout::vertical([Constraint::Length(3), Constraint::Min(1), Constraint::Length(log_height)]).areas(inner);
        let st = self.state;
        let height = usize::from(list.height);
        let (first, selected) = (st.selection.first_visible(height), st.selection.index());
        // As wide as the widest state on screen (and its head), so the opens keep their room.
        let state_width = st
            .entries
            .iter()
            .skip(first)
            .take(height)
            .filter_map(|e| match e {
                Entry::Email(k) => Some(text_width(&self.state_text(&st.history.emails[*k]))),
                Entry::Note(_) => None,
            })
            .chain([text_width(self.strings.column(Column::State))])
            .max()
            .unwrap_or(0)
            .min(STATE_MAX);
        // Every line that does not fit ends in `…` (the address's last error, a note, a log
        // line with a browser's user agent or a reply's first lines).
        let fit = |l: Line<'static>| fit_line(l, usize::from(inner.width));
        Paragraph::new(self.header(state_width).into_iter().map(fit).collect::<Vec<_>>()).render(head, buf);
        if st.entries.is_empty() {
            Line::from(self.strings.no_emails).style(self.theme.dim()).render(list, buf);
        }
        let lines: Vec<Line<'_>> = st
            .entries
            .iter()
            .enumerate()
            .skip(first)
            .take(height)
            .map(|(i, e)| {
                let line = match e {
                    Entry::Email(k) => fit_line(
                        self.email_line(&st.history.emails[*k], i == selected, state_width),
                        usize::from(list.width),
                    ),
                    Entry::Note(k) => fit(self.note_line(&st.history.notes[*k], i == selected)),
                };
                if i == selected { line.style(self.theme.selected()) } else { line }
            })
            .collect();
        Paragraph::new(lines).render(list, buf);
        if let Some(lines) = log {
            let mut all = vec![Line::styled(self.strings.log_title, self.theme.heading())];
            all.extend(self.log_lines(lines).into_iter().map(fit));
            Paragraph::new(all).render(bottom, buf);
        }
    }
}

/// The time an email's row shows in the Sent column and is sorted by: when it was sent,
/// else when it was queued.
fn shown_at(e: &HistoryEmail) -> i64 {
    e.sent_at.unwrap_or(e.created_at)
}

#[cfg(test)]
mod tests {
    use super::{Entry, HistoryState, staff_detail};
    use crate::domain::{AddressHealth, EmailKind, EventKind, Guest, Language, MessageState};
    use crate::store::{GuestHistory, HistoryEmail};

    fn email(id: i64, kind: EmailKind, created_at: i64, sent_at: Option<i64>) -> HistoryEmail {
        HistoryEmail {
            id,
            kind,
            reservation_id: Some(1),
            reservation_at: None,
            recipient: "a@example.org".into(),
            state: if sent_at.is_some() { MessageState::Sent } else { MessageState::Queued },
            attempts: u32::from(sent_at.is_some()),
            created_at,
            sent_at,
            next_attempt_at: None,
            last_error: None,
            resend_of: None,
            original: None,
            human_opens: 0,
            machine_opens: 0,
            open_via: None,
            first_opened_at: None,
            last_opened_at: None,
            withdrawn_reason: None,
            delivered_at: None,
            due_at: None,
            replies: 0,
        }
    }

    /// Anna's history holding `emails`, no notes, a clean address.
    fn anna(emails: Vec<HistoryEmail>) -> GuestHistory {
        GuestHistory {
            guest: Guest {
                id: 1,
                name: "Anna".into(),
                email: "a@example.org".into(),
                phone: String::new(),
                language: Language::En,
            },
            forgotten: false,
            address: AddressHealth::default(),
            last_error_at: None,
            emails,
            notes: Vec::new(),
        }
    }

    #[test]
    fn a_queued_email_planned_for_later_says_when_it_goes() {
        use super::HistoryPane;
        use crate::clock::Clock;
        use crate::strings::HistoryStrings;
        const DAY: i64 = 86_400_000;
        let booked = 2_142_000_000_000; // 2037-11-16 in UTC ms
        let state = |due_at: Option<i64>| {
            let mut reminder = email(1, EmailKind::Reminder, booked, None);
            reminder.due_at = due_at;
            let pane = HistoryPane {
                state: &HistoryState::new(anna(vec![reminder.clone()]), Clock::utc()),
                strings: HistoryStrings::of(Language::En),
                theme: crate::theme::Theme { color: false },
            };
            pane.state_text(&reminder)
        };
        let due = booked + 5 * DAY;
        assert_eq!(state(Some(due)), format!("queued, due {}", Clock::utc().date_time(due)));
        assert_eq!(state(None), "queued", "queued to go now: nothing to add");
        assert_eq!(state(Some(booked)), "queued", "due when queued: nothing to add");
    }

    #[test]
    fn a_reply_is_said_as_a_reply_not_as_one_more_open() {
        use super::HistoryPane;
        use crate::clock::Clock;
        use crate::strings::HistoryStrings;
        let row = |lang: Language, human: u32, machine: u32, replies: u32| {
            let mut e = email(1, EmailKind::Confirmed, 0, Some(1));
            (e.human_opens, e.machine_opens, e.replies) = (human, machine, replies);
            let state = HistoryState::new(anna(vec![e.clone()]), Clock::utc());
            let pane = HistoryPane {
                state: &state,
                strings: HistoryStrings::of(lang),
                theme: crate::theme::Theme { color: false },
            };
            pane.email_line(&e, false, 10).to_string()
        };
        let cases = [
            (Language::En, 1, 0, 1, "Replied"),
            (Language::En, 2, 0, 1, "Opened (once) · Replied"),
            (Language::En, 2, 0, 2, "Replied 2 times"),
            (Language::En, 1, 1, 1, "sent       Replied"),
            (Language::En, 3, 0, 0, "Opened (3 times)"),
            (Language::Fr, 2, 0, 1, "Ouvert (1 fois) · A répondu"),
            (Language::Nl, 1, 0, 1, "Beantwoord"),
        ];
        for (lang, human, machine, replies, want) in cases {
            let line = row(lang, human, machine, replies);
            assert!(line.contains(want), "{lang:?} {human}/{machine}/{replies}: {line}");
        }
    }

    #[test]
    fn newest_first_follows_the_time_the_row_shows() {
        const DAY: i64 = 86_400_000;
        // Booked 20 days ahead: request and confirmation go at once, the reminder is queued
        // then and leaves the day before; a second booking in between; a resend still queued.
        let emails = vec![
            email(6, EmailKind::Confirmed, 12 * DAY, None),
            email(5, EmailKind::Confirmed, 10 * DAY, Some(10 * DAY + 1)),
            email(4, EmailKind::Pending, 10 * DAY, Some(10 * DAY)),
            email(3, EmailKind::Reminder, DAY, Some(19 * DAY)),
            email(2, EmailKind::Confirmed, DAY, Some(DAY + 1)),
            email(1, EmailKind::Pending, DAY, Some(DAY)),
        ];
        let state = HistoryState::new(anna(emails), crate::clock::Clock::utc());
        let order: Vec<i64> = state
            .entries
            .iter()
            .map(|e| match e {
                Entry::Email(i) => state.history.emails[*i].id,
                Entry::Note(_) => 0,
            })
            .collect();
        assert_eq!(order, [3, 6, 5, 4, 2, 1]);
    }

    #[test]
    fn stored_details_lose_their_database_ids() {
        let cases = [
            (EventKind::AddressChanged, "guest 93: a@example.org -> b@example.org", "a@example.org -> b@example.org"),
            (EventKind::AddressChanged, "a@example.org -> b@example.org", "a@example.org -> b@example.org"),
            (EventKind::AddressChanged, "guest list: kept", "guest list: kept"),
            (EventKind::Resend, "resend of message 16", ""),
            (EventKind::Complaint, "guest 93: spam", "guest 93: spam"),
        ];
        for (kind, stored, shown) in cases {
            assert_eq!(staff_detail(kind, stored), shown, "{stored}");
        }
    }

    #[test]
    fn a_line_too_long_for_the_pane_ends_in_an_ellipsis() {
        use ratatui::buffer::Buffer;
        use ratatui::layout::Rect;
        use ratatui::widgets::Widget as _;

        let error = "550 5.1.1 <guest>: Recipient address rejected: User unknown in virtual mailbox table";
        let guest = Guest {
            id: 1,
            name: "Fleur Jacobs".into(),
            email: "fleur.jacobs22@telenet.be".into(),
            phone: "+32 486 48 61 42".into(),
            language: Language::Nl,
        };
        let history = GuestHistory {
            guest,
            forgotten: false,
            address: AddressHealth { error_count: 3, blocked: false, last_error: Some(error.into()) },
            last_error_at: Some(2_143_300_000_000),
            emails: vec![email(1, EmailKind::Confirmed, 2_143_300_000_000, Some(2_143_300_000_000))],
            notes: Vec::new(),
        };
        let state = HistoryState::new(history, crate::clock::Clock::utc());
        for lang in [Language::En, Language::Fr, Language::Nl] {
            let area = Rect::new(0, 0, 80, 12);
            let mut buf = Buffer::empty(area);
            let strings = crate::strings::HistoryStrings::of(lang);
            super::HistoryPane { state: &state, strings, theme: crate::theme::Theme { color: false } }
                .render(area, &mut buf);
            let line = |y: u16| (0..area.width).map(|x| buf[(x, y)].symbol().to_owned()).collect::<String>();
            let health = line(2);
            assert!(health.contains("550 5."), "{lang:?}: {health}");
            assert!(health.trim_end_matches([' ', '│']).ends_with('…'), "{lang:?}: cut without …: {health}");
        }
    }
}
