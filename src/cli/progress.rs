//! A progress line on stderr for work that takes a while (a national
//! import): shown only on a terminal and only once the work has run for a
//! second, redrawn at most ten times a second, and cleared at the end, so
//! a quick command and a script see nothing.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::import::Stage;
use crate::text;

pub struct Line<W: Write> {
    out: W,
    enabled: bool,
    start: Instant,
    after: Duration,
    last: Option<Instant>,
    shown: bool,
}

impl Line<std::io::Stderr> {
    /// On stderr, if it is a terminal and `CHISO_PROGRESS` is not `0`;
    /// `CHISO_PROGRESS_AFTER_MS` sets when it first shows (default 1 s).
    pub fn stderr() -> Self {
        use std::io::IsTerminal;
        let enabled = std::io::stderr().is_terminal()
            && std::env::var("CHISO_PROGRESS").map_or(true, |v| v != "0");
        let after = std::env::var("CHISO_PROGRESS_AFTER_MS")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .map_or(Duration::from_secs(1), Duration::from_millis);
        Line::new(std::io::stderr(), enabled, after)
    }
}

impl<W: Write> Line<W> {
    pub fn new(out: W, enabled: bool, after: Duration) -> Self {
        Line {
            out,
            enabled,
            start: Instant::now(),
            after,
            last: None,
            shown: false,
        }
    }

    pub fn update(&mut self, stage: Stage) {
        let now = Instant::now();
        if !self.enabled
            || now.duration_since(self.start) < self.after
            || self
                .last
                .is_some_and(|l| now.duration_since(l) < Duration::from_millis(100))
        {
            return;
        }
        self.last = Some(now);
        self.shown = true;
        // Carriage return and erase-line: the line is redrawn in place.
        let _ = write!(self.out, "\r\x1b[K{}", words(stage));
        let _ = self.out.flush();
    }

    /// Erases the line, if one was drawn.
    pub fn finish(&mut self) {
        if self.shown {
            let _ = write!(self.out, "\r\x1b[K");
            let _ = self.out.flush();
            self.shown = false;
        }
    }

    #[cfg(test)]
    pub fn into_inner(self) -> W {
        self.out
    }
}

fn count(n: usize) -> String {
    text::format_vi(n as f64, 0)
}

/// The line for a stage, in Vietnamese.
pub fn words(stage: Stage) -> String {
    match stage {
        Stage::Reading { files } => format!("chiso: đang đọc {} tệp…", count(files)),
        Stage::Checking { rows, of } => {
            format!("chiso: đã kiểm tra {}/{} dòng…", count(rows), count(of))
        }
        Stage::Writing { units, of } => {
            format!("chiso: đang ghi {}/{} đơn vị…", count(units), count(of))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_after_the_delay_then_clears() {
        let mut line = Line::new(Vec::new(), true, Duration::ZERO);
        line.update(Stage::Checking {
            rows: 8192,
            of: 70252,
        });
        line.update(Stage::Writing { units: 1, of: 2 }); // within 100 ms: skipped
        line.finish();
        let out = String::from_utf8(line.into_inner()).unwrap();
        assert_eq!(out, "\r\x1b[Kchiso: đã kiểm tra 8.192/70.252 dòng…\r\x1b[K");
    }

    #[test]
    fn quick_work_and_pipes_see_nothing() {
        let mut quick = Line::new(Vec::new(), true, Duration::from_secs(60));
        quick.update(Stage::Reading { files: 2 });
        quick.finish();
        assert!(quick.into_inner().is_empty());
        let mut piped = Line::new(Vec::new(), false, Duration::ZERO);
        piped.update(Stage::Reading { files: 2 });
        piped.finish();
        assert!(piped.into_inner().is_empty());
    }
}
