//! The help popup: every key from the keymap with what it does, the filter's keys, and the
//! legend of the email markers.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use super::centered;
use crate::action::Action;
use crate::app::App;
use crate::app::layout::{PHONE_MARK, REPLY_MARK};
use crate::domain::Marker;
use crate::panes::{fit_line, owned_line};
use crate::theme::Theme;

pub(super) fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let s = app.strings;
    let mut keys: Vec<(String, &str)> = Action::BINDABLE
        .iter()
        .map(|a| (s.keys(&app.keymap.label(a)), s.action(a)))
        .filter(|(label, _)| !label.is_empty())
        .collect();
    keys.push(("Ctrl-c".into(), s.ctrl_c));
    // The rest of the help takes 19 rows (with the borders); when the keys do not fit
    // above it one per line, they and the marker legend go in two columns and the blank
    // lines go (a 100x30 terminal shows the whole help).
    let two_columns = usize::from(area.height) < keys.len() + 19;
    let half = if two_columns { keys.len().div_ceil(2) } else { keys.len() };
    let desc_width = keys[..half].iter().map(|(_, d)| d.chars().count()).max().unwrap_or(0);
    // Each column is as wide as its own keys ("Suppr/D" on the right does not push the left).
    let width_of = |keys: &[(String, &str)]| keys.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0).max(6);
    let (left_keys, right_keys) = (width_of(&keys[..half]), width_of(&keys[half..]));
    let pad = |k: String, w: usize| format!("  {k:<w$}  ");
    let mut lines = vec![Line::from(Span::styled(s.help_keys, theme.heading()))];
    for i in 0..half {
        let (label, desc) = &keys[i];
        let mut spans = vec![Span::styled(pad(label.clone(), left_keys), theme.key()), Span::raw(*desc)];
        if let Some((label2, desc2)) = keys.get(i + half).filter(|_| two_columns) {
            spans.push(Span::raw(" ".repeat(desc_width.saturating_sub(desc.chars().count()))));
            spans.push(Span::styled(pad(label2.clone(), right_keys), theme.key()));
            spans.push(Span::raw(*desc2));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(vec![Span::raw("  "), Span::styled(s.filter_keys, theme.dim())]));
    if !two_columns {
        lines.push(Line::default());
    }
    let legend_at = lines.len();
    lines.push(Line::from(Span::styled(s.help_legend, theme.heading())));
    lines.push(Line::from(format!("  {}", s.help_markers_order)));
    let mut markers: Vec<Vec<Span<'_>>> = Marker::ALL
        .iter()
        .map(|&m| {
            let glyph = if m == Marker::None { "( )".to_owned() } else { format!(" {} ", theme.marker_glyph(m)) };
            vec![Span::raw("  "), Span::styled(glyph, theme.marker(m)), Span::raw(format!("  {}", s.marker(m)))]
        })
        .collect();
    // The reply mark after a guest's name goes with the markers (in two columns it takes
    // the place the odd number of markers leaves free).
    markers.push(vec![
        Span::raw("  "),
        Span::styled(format!(" {REPLY_MARK} "), theme.bold()),
        Span::raw(format!("  {}", s.help_reply)),
    ]);
    // On a short terminal the markers (short texts) go in two columns.
    let rows = if two_columns { markers.len().div_ceil(2) } else { markers.len() };
    let left_width = markers[..rows].iter().map(|l| Line::from(l.clone()).width()).max().unwrap_or(0) + 2;
    let mut right = markers.split_off(rows).into_iter();
    for mut spans in markers {
        if let Some(more) = right.next() {
            let pad = left_width.saturating_sub(Line::from(spans.clone()).width());
            spans.push(Span::raw(" ".repeat(pad)));
            spans.extend(more);
        }
        lines.push(Line::from(spans));
    }
    for (badge, style, text) in [
        ("⚠3".to_owned(), theme.badge_errors(), s.help_badges.errors),
        (s.blocked_badge.to_owned(), theme.badge_blocked(), s.help_badges.blocked),
        (PHONE_MARK.to_owned(), theme.bold(), s.help_phone),
    ] {
        lines.push(Line::from(vec![Span::raw("  "), Span::styled(badge, style), Span::raw(format!("  {text}"))]));
    }
    if !two_columns {
        lines.push(Line::default());
    }
    let close = Line::from(Span::styled(s.help_close, theme.dim()));

    // On a terminal too small for all of it (80x24), each line that does not fit ends in
    // `…` rather than wrapping into the next, and the last keys (the hint line shows the
    // common ones) give way to a line saying so: the marker legend, found nowhere else,
    // stays whole where it can. How to close the help always shows.
    let inner_width = usize::from(area.width.saturating_sub(2));
    let rows = usize::from(area.height.saturating_sub(2));
    if lines.len() + 1 > rows {
        let more = Line::from(Span::styled(s.help_more, theme.dim()));
        let legend = lines.split_off(legend_at);
        // The keys' heading and at least two of their rows, then the legend.
        let keys_room = rows.saturating_sub(legend.len() + 2);
        if keys_room >= 3 {
            lines.truncate(keys_room);
            lines.push(more);
            lines.extend(legend);
        } else {
            lines.extend(legend);
            lines.truncate(rows.saturating_sub(2));
            lines.push(more);
        }
    }
    lines.push(close);
    let lines: Vec<Line<'static>> = lines.into_iter().map(|l| fit_line(owned_line(l), inner_width)).collect();
    let width = lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 4;
    let popup = centered(area, width, lines.len() as u16 + 2);
    Clear.render(popup, buf);
    let block = Block::bordered().title(Line::from(format!(" {} ", s.help_title)).centered());
    Paragraph::new(lines).block(block).render(popup, buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Language;
    use crate::keymap::Keymap;

    #[test]
    fn on_80x24_the_help_cuts_its_lines_instead_of_wrapping_them() {
        let day = chrono::NaiveDate::from_ymd_opt(2037, 12, 1).expect("date");
        for lang in [Language::En, Language::Fr, Language::Nl] {
            let app = App::new("Bistro", lang, Keymap::default(), day, day);
            let s = app.strings;
            for (w, h) in [(80u16, 24u16), (40, 10), (100, 30), (140, 40)] {
                let area = Rect::new(0, 0, w, h);
                let mut buf = Buffer::empty(area);
                render(&app, Theme { color: false }, area, &mut buf);
                let lines: Vec<String> =
                    (0..h).map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_owned()).collect::<String>()).collect();
                let text = lines.join("\n");
                // Every key row starts with its key: a wrapped description would start a
                // row at the border with a word instead.
                let inner: Vec<&str> = lines.iter().filter_map(|l| l.trim().strip_prefix('│')).collect();
                let keys_row = inner.iter().skip(1).take_while(|l| l.starts_with("  ")).count();
                assert!(keys_row >= 3.min(inner.len().saturating_sub(3)), "{lang:?} {w}x{h}\n{text}");
                assert!(text.contains(s.help_close), "{lang:?} {w}x{h}: how to close\n{text}");
                let all_fits = h >= 30;
                assert_eq!(!text.contains(s.help_more), all_fits, "{lang:?} {w}x{h}\n{text}");
                // The marker legend (found nowhere else) stays whole on 80x24.
                if h >= 24 {
                    assert!(text.contains(s.help_legend) && text.contains(s.blocked_badge), "{lang:?} {w}x{h}\n{text}");
                    assert!(text.contains(REPLY_MARK), "{lang:?} {w}x{h}\n{text}");
                }
                for l in &inner {
                    let first = l.chars().next().unwrap_or(' ');
                    assert!(
                        first == ' '
                            || l.starts_with(s.help_keys)
                            || l.starts_with(s.help_legend)
                            || l.starts_with(s.help_close)
                            || l.starts_with(s.help_more),
                        "{lang:?} {w}x{h}: a wrapped line: {l}\n{text}"
                    );
                }
            }
        }
    }
}
