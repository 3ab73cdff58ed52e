//! Colours and glyphs in one place. With `NO_COLOR` every style drops its colour and keeps
//! its modifier, and the one marker pair that differs only by colour (opened / sent, both
//! `●`) gets a different shape, so the screen stays fully readable.

use ratatui::style::{Color, Modifier, Style};

use crate::domain::Marker;

/// The glyph for "opened" when colour cannot tell it from "sent".
pub const OPENED_NO_COLOR: &str = "✓";

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub const fn new(no_color: bool) -> Self {
        Theme { color: !no_color }
    }

    fn fg(self, c: Color) -> Style {
        if self.color { Style::new().fg(c) } else { Style::new() }
    }

    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn heading(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn bold(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn dim(self) -> Style {
        self.fg(Color::DarkGray).add_modifier(Modifier::DIM)
    }

    pub fn key(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// The error count next to a guest's name: the `⚠` glyph says it without colour.
    pub fn badge_errors(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// `BLOCKED`: reversed, so it stands out in any terminal.
    pub fn badge_blocked(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }

    pub fn marker_glyph(self, m: Marker) -> &'static str {
        if !self.color && m == Marker::Opened { OPENED_NO_COLOR } else { m.glyph() }
    }

    pub fn marker(self, m: Marker) -> Style {
        match m {
            // Green means a person opened it; a machine's fetch proves nothing, so it has
            // its own colour (and its own shape, `◐`, without colour).
            Marker::Opened => self.fg(Color::Green),
            Marker::MachineOpened => self.fg(Color::Magenta),
            Marker::Sent | Marker::Failed => self.fg(Color::Red),
            Marker::Queued => self.dim(),
            Marker::Uncertain => self.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            Marker::None => Style::new(),
        }
    }
}
