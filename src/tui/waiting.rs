//! A save that finds another process writing (a long import, another
//! operator's save) waits without freezing the screen.
//!
//! The TUI's connection waits only `ATTEMPT` for the write lock
//! (`db::Wait::Brief`). If the other writer still holds it, the write is
//! kept here and tried again from the event loop every `RETRY`, up to
//! `db::wait_limit()` (2 minutes) in all: the screen keeps redrawing and
//! the footer counts the seconds. Meanwhile other keys are ignored (a
//! second edit would race the first), Esc gives the write up and Ctrl-C
//! quits. Past the limit nothing is written and the footer says what to do.

use std::time::{Duration, Instant};

use super::app::App;
use crate::db::errors;
use crate::edit::CellEdit;

/// How long one try waits for the lock: short enough not to be felt.
pub const ATTEMPT: Duration = Duration::from_millis(150);

/// How often the event loop tries again while a write waits.
pub const RETRY: Duration = Duration::from_millis(250);

/// A write to try again.
#[derive(Debug, Clone)]
pub enum Retry {
    /// A cell typed or cleared; `done` is said once it is written.
    Cell {
        edit: CellEdit,
        unit_name: String,
        done: Option<String>,
    },
    Undo {
        redo: bool,
    },
    /// The preview on screen (`y`).
    Preview,
}

/// A write waiting for another process's write to end.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub retry: Retry,
    pub since: Instant,
}

impl App {
    /// Keeps `retry` to try again from the event loop.
    pub(super) fn wait_for(&mut self, retry: Retry) {
        // A retry that meets the lock again keeps its first start.
        let since = self.wait_started.unwrap_or_else(Instant::now);
        self.waiting = Some(Waiting { retry, since });
        self.say_waiting();
    }

    fn say_waiting(&mut self) {
        if let Some(w) = &self.waiting {
            self.message = Some(format!(
                "Đang chờ một lệnh ghi khác xong… {} giây (tối đa {}) · Esc: thôi, không ghi",
                w.since.elapsed().as_secs(),
                errors::duration_vi(self.wait_limit)
            ));
        }
    }

    /// Tries the waiting write again (the event loop calls it every
    /// `RETRY`). True when the screen changed.
    pub fn retry_write(&mut self) -> bool {
        let Some(w) = self.waiting.take() else {
            return false;
        };
        if w.since.elapsed() >= self.wait_limit {
            self.message = Some(format!(
                "Chưa ghi gì: {} bận quá {} (một lệnh ghi khác chưa xong). Thử lại sau; nếu không ai đang ghi, tìm tiến trình chiso hay sqlite3 còn mở tệp (fuser TỆP).",
                self.db_path().display(),
                errors::duration_vi(self.wait_limit)
            ));
            return true;
        }
        self.message = None;
        self.wait_started = Some(w.since);
        match w.retry {
            Retry::Cell {
                edit,
                unit_name,
                done,
            } => self.save_cell(edit, unit_name, done),
            Retry::Undo { redo } => self.undo(redo),
            Retry::Preview => self.apply_preview(),
        }
        self.wait_started = None;
        true
    }

    /// What the footer says of a write that failed: SQLite's failures on
    /// the file in Vietnamese (full disk, read-only, …).
    pub(super) fn write_error(&self, e: &(dyn std::error::Error + 'static)) -> String {
        match errors::sqlite_code(e).and_then(|c| errors::problem(self.db_path(), c)) {
            Some(p) => format!("Lỗi: {}", p.one_line()),
            None => format!("Lỗi: không ghi được: {e}"),
        }
    }

    /// Esc while waiting: the write is given up.
    pub fn cancel_wait(&mut self) {
        if self.waiting.take().is_some() {
            self.message = Some("Đã thôi: không ghi gì.".into());
        }
    }
}
