//! The two bottom lines: the status line (filter being typed, news, errors) and the key
//! hints, built from the keymap so they always say what the keys really do.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::action::Action;
use crate::app::{App, Overlay};
use crate::domain::Marker;
use crate::panes::comm_history::FilterField;
use crate::panes::health::HealthLine;
use crate::strings::Hint;
use crate::theme::Theme;

pub(super) fn render_status(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let s = app.strings;
    let typing = app.filter_typing();
    let line = if typing || (!app.filter.is_empty() && app.status.is_none()) {
        let cursor = if typing { "▏" } else { "" };
        Line::from(vec![
            Span::styled(format!("{}{}", s.filter_prompt, s.history().colon), theme.key()),
            Span::raw(format!("{}{cursor}", app.filter)),
            Span::styled(format!("  {}", s.matches(app.visible.len(), app.rows.len())), theme.dim()),
        ])
    } else if let Some(status) = app.status.as_ref().filter(|_| !app.filter.is_empty()) {
        // A kept filter does not hide what an action just did: the news first, the filter
        // after it.
        let style = if status.error { theme.error() } else { theme.bold() };
        Line::from(vec![
            Span::styled(status.text.as_str(), style),
            Span::styled(
                format!(
                    "  · {}{}{}  {}",
                    s.filter_prompt,
                    s.history().colon,
                    app.filter,
                    s.matches(app.visible.len(), app.rows.len())
                ),
                theme.dim(),
            ),
        ])
    } else if let Some(status) = app.status.as_ref().filter(|s| s.error) {
        Line::from(Span::styled(status.text.as_str(), theme.error()))
    } else if let Some(line) = background_line(app) {
        // Until it is solved, a standing problem of the background stays on the line; only
        // an error about what staff just did goes before it.
        Line::from(Span::styled(line, theme.error()))
    } else if let Some(status) = &app.status {
        Line::from(Span::styled(status.text.as_str(), theme.bold()))
    } else if let Some(health) = &app.health {
        // Nothing to report: the line tells how delivery is doing (a warning below 98%).
        HealthLine { health, strings: app.strings.history(), theme }.line()
    } else {
        Line::default()
    };
    // A message longer than the line (a mailbox's problem with what to check) ends in `…`.
    crate::panes::fit_line(crate::panes::owned_line(line), usize::from(area.width)).render(area, buf);
}

/// A standing problem of the background: sending paused on the venue's problem, the outbox
/// stopped, a service that could not start, or a mailbox lost or refusing our login.
pub(super) fn background_line(app: &App) -> Option<String> {
    let (lang, s) = (app.strings.language, app.strings);
    let mut troubles = Vec::new();
    if let Some(p) = &app.sending_paused {
        troubles.push(crate::strings::pause::status(lang, p.reason, &p.detail));
    }
    if let Some(why) = &app.outbox_trouble {
        troubles.push(crate::strings::background::outbox_trouble(lang, why));
    }
    for (service, why) in &app.services_off {
        let what = match service {
            crate::event::Service::Sending => s.sending_off,
            crate::event::Service::Tracking => s.tracking_off,
            crate::event::Service::Bounces | crate::event::Service::BounceMailbox => s.bounces_off,
            crate::event::Service::ReplyMailbox => s.replies_off,
        };
        troubles.push(crate::strings::background::service_off(lang, what, why));
    }
    // The most pressing one, saying first that there are others (one line has room for one).
    let count = troubles.len();
    let first = troubles.into_iter().next()?;
    Some(if count > 1 { crate::strings::background::one_of(lang, count, &first) } else { first })
}

/// Hints in reading order (the ones that do not fit are left out, whole, and shorter ones
/// after them still get their chance, so help and quit stay on narrow terminals), each with
/// its word.
const HINTS: [(&[Action], Hint); 15] = [
    (&[Action::SelectPrevious, Action::SelectNext], Hint::Move),
    (&[Action::PreviousDay, Action::NextDay], Hint::Day),
    (&[Action::Today], Hint::Today),
    (&[Action::StartFilter], Hint::Filter),
    (&[Action::Confirm, Action::Complete, Action::CancelReservation, Action::NoShow], Hint::Status),
    (&[Action::Resend], Hint::Resend),
    (&[Action::FollowUp], Hint::FollowUp),
    (&[Action::OpenHistory], Hint::History),
    (&[Action::NewReservation], Hint::New),
    (&[Action::CommHistory], Hint::AllEmails),
    (&[Action::EditEmail], Hint::Email),
    (&[Action::ShowLastError], Hint::LastError),
    (&[Action::ResetCounter], Hint::Reset),
    (&[Action::ToggleHelp], Hint::Help),
    (&[Action::Quit], Hint::Quit),
];

/// The hints over a pane: actions (none for Esc, which always closes) and their word; help
/// and quit follow.
type PaneHint = (&'static [Action], Hint);
const HISTORY_HINTS: [PaneHint; 4] = [
    (&[Action::SelectPrevious, Action::SelectNext], Hint::Move),
    (&[Action::Resend], Hint::Resend),
    (&[Action::ForgetGuest], Hint::Erase),
    (&[], Hint::Close),
];
const COMM_HINTS: [PaneHint; 7] = [
    (&[Action::SelectPrevious, Action::SelectNext], Hint::Move),
    (&[Action::StartFilter], Hint::Search),
    (&[Action::FilterKind], Hint::Kind),
    (&[Action::FilterState], Hint::State),
    (&[Action::FilterFrom, Action::FilterTo], Hint::Dates),
    (&[Action::OpenHistory], Hint::History),
    (&[], Hint::Close),
];
const FOLLOW_UP_HINTS: [PaneHint; 3] = [
    (&[Action::SelectPrevious, Action::SelectNext], Hint::Move),
    (&[Action::PreviousDay, Action::NextDay], Hint::Day),
    (&[], Hint::Close),
];

/// One piece of the hint line: the keys, the word of what they do, and whether it is kept
/// whatever the width (help and quit, a pane's close).
struct Piece {
    keys: String,
    word: &'static str,
    essential: bool,
}

impl Piece {
    /// Columns it takes: the keys, a space, the word, two spaces.
    fn width(&self) -> usize {
        self.keys.chars().count() + self.word.chars().count() + 3
    }
}

/// The pieces of the hint line for what is on screen.
fn pieces(app: &App) -> Vec<Piece> {
    let s = app.strings;
    let keys_of = |actions: &[Action]| {
        let keys: Vec<String> =
            actions.iter().map(|a| s.keys(&app.keymap.label(a))).filter(|l| !l.is_empty()).collect();
        keys.join(" ")
    };
    // A popup on top takes the keys: its hints, not those of what lies under it (there
    // `q` or `c` would be typed, or do nothing).
    match app.top() {
        // The form and the question name their own keys.
        Some(Overlay::Form(_) | Overlay::Confirm(_)) => return Vec::new(),
        Some(Overlay::Filter) => {
            return [("Enter", Hint::KeepFilter), ("Esc", Hint::ClearFilter)]
                .into_iter()
                .map(|(key, hint)| Piece { keys: s.keys(key), word: s.hint(hint), essential: true })
                .collect();
        }
        // Typing in a field of all emails' filter: letters (K, S, <, >) are typed, Enter
        // keeps the text or applies the date, Esc drops a date being typed.
        Some(Overlay::Comm(c)) if c.editing.is_some() => {
            let date = matches!(c.editing, Some(FilterField::From | FilterField::To));
            let esc = date.then_some(("Esc", Hint::CancelTyping));
            return [Some(("Enter", Hint::KeepFilter)), esc]
                .into_iter()
                .flatten()
                .map(|(key, hint)| Piece { keys: s.keys(key), word: s.hint(hint), essential: true })
                .collect();
        }
        Some(Overlay::Help) => return popup_pieces(app, &[(&[], Hint::Close)], true),
        Some(Overlay::LastError(_)) => {
            return popup_pieces(app, &[(&[Action::ResetCounter], Hint::Reset), (&[], Hint::Close)], false);
        }
        Some(Overlay::History(_) | Overlay::Comm(_) | Overlay::FollowUp(_)) | None => {}
    }
    let hints = app.overlays().iter().rev().find_map(|overlay| match overlay {
        Overlay::History(_) => Some(&HISTORY_HINTS[..]),
        Overlay::Comm(_) => Some(&COMM_HINTS[..]),
        Overlay::FollowUp(_) => Some(&FOLLOW_UP_HINTS[..]),
        Overlay::Filter | Overlay::Help | Overlay::Form(_) | Overlay::LastError(_) | Overlay::Confirm(_) => None,
    });
    let pane: &[PaneHint] = match hints {
        Some(pane) => pane,
        None => {
            return HINTS
                .iter()
                .filter_map(|(actions, hint)| {
                    let essential = actions.iter().any(|a| matches!(a, Action::ToggleHelp | Action::Quit));
                    let keys = keys_of(actions);
                    (!keys.is_empty()).then_some(Piece { keys, word: s.hint(*hint), essential })
                })
                .collect();
        }
    };
    popup_pieces(app, pane, true)
}

/// The pieces of a pane's or popup's hints (Esc for those without an action), then help
/// (when `help` works there) and quit.
fn popup_pieces(app: &App, pane: &[PaneHint], help: bool) -> Vec<Piece> {
    let s = app.strings;
    let keys_of = |actions: &[Action]| {
        let keys: Vec<String> =
            actions.iter().map(|a| s.keys(&app.keymap.label(a))).filter(|l| !l.is_empty()).collect();
        keys.join(" ")
    };
    let mut out: Vec<Piece> = pane
        .iter()
        .map(|(actions, hint)| {
            let keys = if actions.is_empty() { s.keys("Esc") } else { keys_of(actions) };
            Piece { keys, word: s.hint(*hint), essential: actions.is_empty() }
        })
        .filter(|p| !p.keys.is_empty())
        .collect();
    let tail: &[(Action, Hint)] = if help {
        &[(Action::ToggleHelp, Hint::Help), (Action::Quit, Hint::Quit)]
    } else {
        &[(Action::Quit, Hint::Quit)]
    };
    for (action, hint) in tail {
        let keys = keys_of(std::slice::from_ref(action));
        if !keys.is_empty() {
            out.push(Piece { keys, word: s.hint(*hint), essential: true });
        }
    }
    out
}

pub(super) fn render_hints(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let s = app.strings;
    let max = usize::from(area.width);
    let pieces = pieces(app);
    // Help and quit are always kept (when they fit at all); the others fill the room left.
    let mut width: usize = pieces.iter().filter(|p| p.essential).map(Piece::width).sum();
    let mut spans: Vec<Span<'_>> = Vec::new();
    for piece in &pieces {
        let w = piece.width();
        if !piece.essential {
            if width + w > max {
                continue;
            }
            width += w;
        } else if w > max {
            continue;
        }
        spans.push(Span::styled(piece.keys.clone(), theme.key()));
        spans.push(Span::raw(format!(" {}  ", piece.word)));
    }
    // A short legend when there is room: shapes with their colours.
    let legend: Vec<(Marker, &str)> =
        [Marker::Opened, Marker::MachineOpened, Marker::Sent, Marker::Queued, Marker::Failed]
            .into_iter()
            .map(|m| (m, s.legend(m)))
            .collect();
    let legend_width: usize = legend.iter().map(|(_, t)| t.chars().count() + 3).sum();
    if width + legend_width <= max {
        spans.push(Span::raw(" ".repeat(max - width - legend_width)));
        for (m, text) in legend {
            spans.push(Span::styled(theme.marker_glyph(m), theme.marker(m)));
            spans.push(Span::styled(format!(" {text} "), theme.dim()));
        }
    }
    Line::from(spans).render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Language;
    use crate::keymap::Keymap;

    fn hint_line(app: &App) -> String {
        let area = Rect::new(0, 0, 160, 1);
        let mut buf = Buffer::empty(area);
        render_hints(app, Theme { color: false }, area, &mut buf);
        (0..area.width).map(|x| buf[(x, 0)].symbol().to_owned()).collect::<String>().trim_end().to_owned()
    }

    #[test]
    fn a_popup_on_top_shows_its_own_keys_not_the_list_s() {
        let day = chrono::NaiveDate::from_ymd_opt(2037, 12, 1).expect("date");
        for lang in [Language::En, Language::Fr, Language::Nl] {
            let mut app = App::new("Bistro", lang, Keymap::default(), day, day);
            let s = app.strings;
            let list = hint_line(&app);
            assert!(list.contains(&format!("q {}", s.hint(Hint::Quit))), "{lang:?}: {list}");
            // Typing the filter: q and c are letters of the filter.
            app.update(Action::StartFilter);
            let typing = hint_line(&app);
            assert!(typing.contains(&format!("{} {}", s.keys("Enter"), s.hint(Hint::KeepFilter))), "{typing}");
            assert!(typing.contains(&format!("{} {}", s.keys("Esc"), s.hint(Hint::ClearFilter))), "{typing}");
            assert!(!typing.contains(s.hint(Hint::Quit)) && !typing.contains(s.hint(Hint::Status)), "{typing}");
            app.update(Action::Cancel);
            // The help: Esc or ? close it, q quits; the list's keys do nothing there.
            app.update(Action::ToggleHelp);
            let help = hint_line(&app);
            assert!(help.contains(&format!("{} {}", s.keys("Esc"), s.hint(Hint::Close))), "{help}");
            assert!(help.contains(&format!("q {}", s.hint(Hint::Quit))), "{help}");
            assert!(!help.contains(s.hint(Hint::Status)) && !help.contains(s.hint(Hint::Filter)), "{help}");
            app.update(Action::ToggleHelp);
            // The new-reservation form: every letter is typed into a field.
            app.update(Action::NewReservation);
            let form = hint_line(&app);
            assert!(!form.contains(s.hint(Hint::Quit)) && !form.contains(s.hint(Hint::Status)), "{lang:?}: {form}");
        }
    }

    #[test]
    fn a_status_longer_than_the_line_ends_in_an_ellipsis() {
        let day = chrono::NaiveDate::from_ymd_opt(2037, 12, 1).expect("date");
        let mut app = App::new("Bistro", Language::Fr, Keymap::default(), day, day);
        let why = "connexion à la boîte des réponses perdue : reconnexion dans 5 s ; si cela dure, vérifier \
                   reply_mailbox, le mot de passe et le réseau de la machine";
        app.update(Action::ServiceOff(crate::event::Service::ReplyMailbox, why.into()));
        let area = Rect::new(0, 0, 80, 1);
        let mut buf = Buffer::empty(area);
        render_status(&app, Theme { color: false }, area, &mut buf);
        let line: String = (0..area.width).map(|x| buf[(x, 0)].symbol().to_owned()).collect();
        assert!(line.starts_with(app.strings.replies_off), "{line}");
        assert!(line.trim_end().ends_with('…'), "cut without …: {line}");
    }

    #[test]
    fn typing_in_all_emails_filter_names_enter_and_esc_not_the_letter_keys() {
        let day = chrono::NaiveDate::from_ymd_opt(2037, 12, 1).expect("date");
        for lang in [Language::En, Language::Fr, Language::Nl] {
            let mut app = App::new("Bistro", lang, Keymap::default(), day, day);
            let s = app.strings;
            let filter = crate::store::CommFilter::default();
            app.update(Action::Done(crate::data::Outcome::Comm { filter, after: None, rows: Vec::new() }));
            let pane = hint_line(&app);
            assert!(pane.contains(&format!("K {}", s.hint(Hint::Kind))), "{lang:?}: the pane's keys: {pane}");
            // The search text: K, S, < and > are letters of it; Enter keeps it.
            app.update(Action::StartFilter);
            let text = hint_line(&app);
            assert!(text.contains(&format!("{} {}", s.keys("Enter"), s.hint(Hint::KeepFilter))), "{text}");
            assert!(!text.contains(s.hint(Hint::Kind)) && !text.contains(s.hint(Hint::Close)), "{lang:?}: {text}");
            app.update(Action::FilterAccept);
            // A date: Esc drops what was typed.
            app.update(Action::FilterFrom);
            let date = hint_line(&app);
            assert!(date.contains(&format!("{} {}", s.keys("Esc"), s.hint(Hint::CancelTyping))), "{lang:?}: {date}");
            assert!(!date.contains(s.hint(Hint::State)), "{lang:?}: {date}");
        }
    }
}
