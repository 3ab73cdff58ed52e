//! The form popup: one line per field (label, text with a cursor on the focused one, and the
//! field's error right under it), then the keys. Used for a new reservation and for the guest's
//! email address.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use super::centered;
use crate::app::App;
use crate::app::form::{FieldError, Form, FormKind};
use crate::strings::{FieldProblem, Strings};
use crate::theme::Theme;

/// Width of the text part of each field.
const INPUT_WIDTH: usize = 24;

/// How a field's error reads.
pub fn error_text(s: &Strings, e: &FieldError) -> String {
    match e {
        FieldError::Required => s.field_problem(FieldProblem::Required).to_owned(),
        FieldError::Address(a) => s.address_error(a),
        FieldError::Phone => s.field_problem(FieldProblem::Phone).to_owned(),
        FieldError::Party => s.field_problem(FieldProblem::Party).to_owned(),
        FieldError::Date => s.field_problem(FieldProblem::Date).to_owned(),
        FieldError::Time => s.field_problem(FieldProblem::Time).to_owned(),
        FieldError::Language => s.field_problem(FieldProblem::Language).to_owned(),
        FieldError::Refused(r) => s.journey().refusal(r),
    }
}

pub(super) fn render(app: &App, form: &Form, theme: Theme, area: Rect, buf: &mut Buffer) {
    let s = app.strings;
    let title = match form.kind {
        FormKind::NewReservation => s.form_new_title,
        FormKind::EditEmail { .. } => s.form_email_title,
    };
    let label_width = form.fields.iter().map(|(f, _)| f.words(&s.form_labels).chars().count()).max().unwrap_or(0);
    let mut lines = Vec::with_capacity(form.fields.len() * 2 + 2);
    for (i, ((field, text), error)) in form.fields.iter().zip(&form.errors).enumerate() {
        let focused = i == form.focus;
        let label = format!("{:<label_width$}  ", field.words(&s.form_labels));
        let label_style = if focused { theme.key() } else { theme.bold() };
        let mut spans = vec![Span::styled(label, label_style)];
        if text.is_empty() && focused {
            spans.push(Span::styled("▏", theme.key()));
            spans
                .push(Span::styled(format!("{:<w$}", field.words(&s.form_examples), w = INPUT_WIDTH - 1), theme.dim()));
        } else {
            let cursor = if focused { "▏" } else { " " };
            let shown = format!("{text}{cursor}");
            let pad = INPUT_WIDTH.saturating_sub(shown.chars().count());
            spans.push(Span::styled(shown, if focused { theme.selected() } else { ratatui::style::Style::new() }));
            spans.push(Span::raw(" ".repeat(pad)));
        }
        lines.push(Line::from(spans));
        // The reason goes right under its field, where the eye already is, whatever its length.
        if let Some(e) = error {
            let indent = " ".repeat(label_width + 2);
            lines.push(Line::from(Span::styled(format!("{indent}✗ {}", error_text(s, e)), theme.error())));
        }
    }
    lines.push(Line::default());
    let hint = if form.fields.len() > 1 { s.form_hint } else { s.form_hint_one_field };
    lines.push(Line::from(Span::styled(hint, theme.dim())));

    let width = (lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 4).max(label_width as u16 + 30);
    let popup = centered(area, width, lines.len() as u16 + 2);
    Clear.render(popup, buf);
    let block = Block::bordered().title(Line::from(format!(" {title} ")).centered());
    Paragraph::new(lines).block(block).render(popup, buf);
}
