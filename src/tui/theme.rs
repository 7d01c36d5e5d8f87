//! Colours and marks. The 16 basic colours only (old terminals, SSH), and
//! with NO_COLOR none at all: severity then reads from symbols and bold.

use ratatui::style::{Color, Modifier, Style};

use crate::rules::Severity;

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colour unless NO_COLOR is set to anything non-empty (no-color.org).
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Critical => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Severity::Warning if self.color => self.fg(Color::Yellow),
            Severity::Warning => Style::new().add_modifier(Modifier::UNDERLINED),
        }
    }

    pub fn symbol(s: Severity) -> &'static str {
        match s {
            Severity::Critical => "‼",
            Severity::Warning => "!",
        }
    }

    pub fn title(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn header(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn selected_column(&self) -> Style {
        self.header().add_modifier(Modifier::UNDERLINED)
    }

    pub fn parent(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn cursor(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// The selected cell of the cursor's row.
    pub fn selected_cell(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    /// The cell being typed into: stands out of the reversed cursor row.
    pub fn editing(&self) -> Style {
        Style::new()
            .remove_modifier(Modifier::REVERSED)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// A preview's cell with no value before: green (underlined without
    /// colour); its mark "(mới)".
    pub fn preview_new(&self) -> Style {
        if self.color {
            self.fg(Color::Green)
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED)
        }
    }

    /// A preview's changed cell ("37,9 → 40"): yellow, and bold so that it
    /// reads apart without colour too.
    pub fn preview_changed(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// A preview's cell that stays as it is ("100 =").
    pub fn preview_unchanged(&self) -> Style {
        self.dim()
    }

    /// A preview's invalid cell or name ("✗ …"): red and bold; without
    /// colour, reversed as well, unlike a changed cell.
    pub fn preview_invalid(&self) -> Style {
        if self.color {
            self.error()
        } else {
            self.error().add_modifier(Modifier::REVERSED)
        }
    }

    /// A message saying what was done ("Đã lưu …").
    pub fn notice(&self) -> Style {
        self.fg(Color::Green).add_modifier(Modifier::BOLD)
    }

    pub fn up(&self) -> Style {
        self.fg(Color::Green)
    }

    pub fn down(&self) -> Style {
        self.fg(Color::Red)
    }
}
