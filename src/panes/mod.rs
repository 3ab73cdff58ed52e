//! The history panes of issue 6, each a pure widget over a plain state struct defined in the
//! same file, so the app can own the state and draw them without these files knowing `App`:
//! the guest's history, the communication-history screen, tonight's follow-up list and the
//! delivery-health line. Texts come from `strings::history`, styles from `theme`; each pane's
//! state lives in its overlay on `App`'s stack, and `ui::panes` draws them bottom first. The
//! panes share one [`Selection`] type.

pub mod comm_history;
pub mod followup;
pub mod health;
pub mod history;

pub use crate::clock::Clock;

/// The first row shown in a list of `height` rows so that `selected` is visible. Pure, so the
/// app maps a mouse click on list row `y` to item `first_visible(..) + y` the same way.
pub fn first_visible(selected: usize, height: usize) -> usize {
    if height == 0 { selected } else { selected.saturating_sub(height - 1) }
}

/// The highlighted item of a pane's list, the one selection type every pane uses: it moves
/// clamped to the list's length and maps a screen row back to an item the way the pane
/// scrolls (see [`first_visible`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Selection {
    index: usize,
}

impl Selection {
    /// Position of the highlighted item.
    pub fn index(self) -> usize {
        self.index
    }

    /// Selects `index` in a list of `len` items (clamped to the last); whether it moved.
    pub fn set(&mut self, index: usize, len: usize) -> bool {
        let before = self.index;
        self.index = index.min(len.saturating_sub(1));
        self.index != before
    }

    /// Moves by `delta` within `len` items, clamped at both ends; whether it moved.
    pub fn move_by(&mut self, delta: isize, len: usize) -> bool {
        self.set(self.index.saturating_add_signed(delta), len)
    }

    /// The first item drawn in a list of `height` rows.
    pub fn first_visible(self, height: usize) -> usize {
        first_visible(self.index, height)
    }

    /// The item under screen row `y` of a list of `len` items whose first item row is
    /// `top` and which shows `height` items.
    pub fn item_at(self, y: u16, top: u16, height: u16, len: usize) -> Option<usize> {
        let row = y.checked_sub(top).filter(|r| *r < height)?;
        let index = self.first_visible(usize::from(height)) + usize::from(row);
        (index < len).then_some(index)
    }
}

/// The highlighted row's pointer, on the day's list and in the panes: the reverse video says
/// it too, this says it without any styling at all (screen readers, captures, snapshots).
pub const POINTER: &str = "▸";

/// Columns `text` takes on screen (wide characters count two).
pub fn text_width(text: &str) -> usize {
    ratatui::text::Span::raw(text).width()
}

/// `text` cut to `width` columns, ending in `…` when something was left out, so a cut
/// address or name never passes for a whole one.
pub fn cut(text: &str, width: usize) -> String {
    if text_width(text) <= width {
        return text.to_owned();
    }
    with_ellipsis(text, width)
}

/// The longest start of `text` that fits `width` columns with a `…` after it.
fn with_ellipsis(text: &str, width: usize) -> String {
    if width == 0 {
        return String::new();
    }
    let mut shown = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = text_width(c.encode_utf8(&mut [0; 4]));
        if used + w + 1 > width {
            break;
        }
        used += w;
        shown.push(c);
    }
    shown.push('…');
    shown
}

/// A line that owns its text (to be cut by `fit_line`).
pub fn owned_line(line: ratatui::text::Line<'_>) -> ratatui::text::Line<'static> {
    let spans = line
        .spans
        .into_iter()
        .map(|sp| ratatui::text::Span::styled(sp.content.into_owned(), sp.style))
        .collect::<Vec<_>>();
    ratatui::text::Line { spans, style: line.style, alignment: line.alignment }
}

/// A line of spans cut to `width` columns: the span that crosses the edge ends in `…` and
/// those after it are left out, each keeping its style.
pub fn fit_line(line: ratatui::text::Line<'static>, width: usize) -> ratatui::text::Line<'static> {
    if line.width() <= width {
        return line;
    }
    let (style, alignment) = (line.style, line.alignment);
    let mut left = width;
    let mut spans = Vec::new();
    for span in line.spans {
        let w = text_width(&span.content);
        if w < left {
            left -= w;
            spans.push(span);
        } else {
            // Something follows the edge, so this span ends in `…` even when it would fit.
            spans.push(ratatui::text::Span::styled(with_ellipsis(&span.content, left), span.style));
            break;
        }
    }
    ratatui::text::Line { spans, style, alignment }
}

#[cfg(test)]
mod tests {
    use super::cut;

    #[test]
    fn a_line_too_long_ends_in_an_ellipsis_at_its_edge() {
        use ratatui::text::{Line, Span};
        let line = || Line::from(vec![Span::raw("sent "), Span::raw("Opened (once)"), Span::raw(" · more")]);
        assert_eq!(super::fit_line(line(), 40).to_string(), "sent Opened (once) · more");
        assert_eq!(super::fit_line(line(), 12).to_string(), "sent Opened…");
        assert_eq!(super::fit_line(line(), 18).to_string(), "sent Opened (once…");
        assert_eq!(super::fit_line(line(), 12).width(), 12);
    }

    #[test]
    fn cut_text_ends_in_an_ellipsis_within_its_width() {
        let cases = [
            ("lotte.de-vries82@yahoo.fr", 30, "lotte.de-vries82@yahoo.fr"),
            ("lotte.de-vries82@yahoo.fr", 25, "lotte.de-vries82@yahoo.fr"),
            ("lotte.de-vries82@yahoo.fr", 24, "lotte.de-vries82@yahoo.…"),
            ("Élodie", 3, "Él…"),
            ("日本語", 4, "日…"),
            ("abc", 1, "…"),
            ("abc", 0, ""),
        ];
        for (text, width, want) in cases {
            assert_eq!(cut(text, width), want, "{text} in {width}");
            assert!(super::text_width(&cut(text, width)) <= width);
        }
    }
}
