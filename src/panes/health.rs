//! The delivery-health line: over the last 30 days, the share of sent emails that arrived
//! without a bounce and the share a person opened, with a warning when delivery falls below
//! the brief's 98% target. One line, for the header or a small panel.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::store::{DELIVERY_TARGET, DeliveryHealth};
use crate::strings::HistoryStrings;
use crate::theme::Theme;

/// Draw with `frame.render_widget(HealthLine { .. }, area)`; the app refreshes the numbers
/// with `Store::delivery_health(now_ms())` now and then (a few ms on a million reservations).
#[derive(Debug, Clone, Copy)]
pub struct HealthLine<'a> {
    pub health: &'a DeliveryHealth,
    pub strings: &'static HistoryStrings,
    pub theme: Theme,
}

impl HealthLine<'_> {
    pub fn line(&self) -> Line<'static> {
        let (s, t, h) = (self.strings, self.theme, self.health);
        let (Some(delivered), Some(opened)) = (h.delivery_rate(), h.open_rate()) else {
            return Line::styled(s.health_none, t.dim());
        };
        let mut spans = vec![Span::raw(s.health(delivered, opened))];
        if h.below_target() {
            spans.push(Span::styled(format!("  ⚠ {}", s.below_target(DELIVERY_TARGET)), t.error()));
        }
        Line::from(spans)
    }
}

impl Widget for HealthLine<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        self.line().render(area, buf);
    }
}
