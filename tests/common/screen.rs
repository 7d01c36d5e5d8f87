//! Driving the TUI in tests: keys into the App, the screen drawn on
//! ratatui's TestBackend at a given size, as text.
#![allow(dead_code)]

use chiso::tui::app::App;
use chiso::tui::terminal::{fit, handle_key};
use chiso::tui::theme::Theme;
use chiso::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;

/// The screen at `w`×`h`, laid out for that size first (as a resize does).
pub fn screen(app: &mut App, w: u16, h: u16) -> String {
    fit(app, Rect::new(0, 0, w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::draw(f, app, &Theme { color: true }))
        .unwrap();
    t.backend().to_string()
}

/// Each character typed as a key.
pub fn keys(app: &mut App, keys: &str) {
    for c in keys.chars() {
        handle_key(app, KeyEvent::from(KeyCode::Char(c)));
    }
}

pub fn key(app: &mut App, k: KeyCode) {
    handle_key(app, KeyEvent::from(k));
}
