//! The terminal interface: `chiso` with no command, and `chiso demo`.
//!
//! keys → `keymap` → `Action` → `App::update` → `ui::draw`. `terminal`
//! owns the terminal; `app` holds the state and reads through the library
//! (db, rules), never SQL or rule logic of its own.

pub mod action;
pub mod app;
pub mod columns;
pub mod editing;
pub mod filter;
pub mod keymap;
pub mod pasting;
pub mod reporting;
pub mod terminal;
pub mod textfit;
pub mod theme;
pub mod ui;
pub mod views;
pub mod waiting;

use std::path::Path;

/// Opens the TUI on a database file.
pub fn run(db: &Path) -> anyhow::Result<()> {
    let app = app::App::open(db)?;
    terminal::run(app, theme::Theme::from_env())
}
