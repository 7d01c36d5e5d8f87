//! The month's công văn in the TUI: `r` shows its text (the report
//! module's plain layout), `w` writes the DOCX, by default next to the
//! database, after a prompt that shows the path.

use std::path::Path;

use super::app::{App, View};
use super::pasting::PathPrompt;
use crate::report;
use crate::text;

/// The letter as shown by `r`.
pub struct ReportView {
    pub lines: Vec<String>,
    /// Rules left out, missing figures … (as `chiso report` warns).
    pub warnings: Vec<String>,
}

impl App {
    fn shown_period(&self) -> Option<crate::model::Period> {
        self.month.as_ref().map(|m| m.table.period)
    }

    /// `r`: the letter of the month shown, as text.
    pub(super) fn show_report(&mut self) -> anyhow::Result<()> {
        let Some(p) = self.shown_period() else {
            self.message = Some("Chưa có tháng nào có số liệu.".into());
            return Ok(());
        };
        let r = report::build(self.db.conn(), p, report::Options::default())?;
        let text = report::plain::render(&r.letter, 80);
        self.report = Some(ReportView {
            lines: text.lines().map(str::to_owned).collect(),
            warnings: r.warnings,
        });
        self.scroll = 0;
        self.views.push(View::Report);
        Ok(())
    }

    /// `w`: asks where to write the DOCX, offering a file next to the database.
    pub(super) fn ask_docx_path(&mut self) {
        let Some(p) = self.shown_period() else {
            self.message = Some("Chưa có tháng nào có số liệu.".into());
            return;
        };
        let dir = self
            .db_path()
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let path = dir.join(format!("cong-van-{p}.docx"));
        self.prompt = Some(PathPrompt {
            write_docx: true,
            input: path.display().to_string().replace(' ', "\\ "),
            note: None,
        });
    }

    /// Enter in the `w` prompt.
    pub(super) fn write_docx(&mut self) {
        let (Some(prompt), Some(p)) = (self.prompt.as_ref(), self.shown_period()) else {
            return;
        };
        let words = super::pasting::split_words(&prompt.input);
        let note = |app: &mut App, n: String| {
            if let Some(prompt) = app.prompt.as_mut() {
                prompt.note = Some(n);
            }
        };
        let [path] = words.as_slice() else {
            note(self, "cần đúng một đường dẫn tệp .docx".into());
            return;
        };
        let path = Path::new(path).to_owned();
        let result = report::build(self.db.conn(), p, report::Options::default())
            .map_err(anyhow::Error::from)
            .and_then(|r| {
                let bytes = report::docx::render(&r.letter);
                // Written aside and renamed: a failed write leaves no half file.
                let tmp = path.with_extension("docx.tmp");
                std::fs::write(&tmp, &bytes)?;
                std::fs::rename(&tmp, &path)?;
                Ok(r.warnings.len())
            });
        match result {
            Ok(warnings) => {
                self.prompt = None;
                self.message = Some(format!(
                    "Đã ghi công văn {} vào {}{}",
                    p.label_vi(),
                    text::show(&path.display().to_string()),
                    if warnings > 0 {
                        format!(" ({warnings} cảnh báo: xem bằng r)")
                    } else {
                        String::new()
                    }
                ));
            }
            Err(e) => note(self, format!("không ghi được: {e}")),
        }
    }
}
