//! The công văn of the period shown in the TUI: `r` shows its text (the report
//! module's plain layout), `w` writes the DOCX, by default next to the
//! database, after a prompt that shows the path; it asks (y/n) before
//! replacing a file and never writes over a database (`output`).

use std::path::Path;

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::action::Action;
use super::app::{App, View};
use super::keymap::{self, KEYMAP};
use super::pasting::{PathPrompt, PromptKey};
use crate::report;
use crate::{output, text};

/// The letter as shown by `r`.
pub struct ReportView {
    /// Laid out as text when drawn, as wide as the screen allows.
    pub letter: report::Letter,
    /// Rules left out, missing figures … (as `chiso report` warns).
    pub warnings: Vec<String>,
}

impl App {
    fn shown_period(&self) -> Option<crate::model::Period> {
        self.month.as_ref().map(|m| m.table.period)
    }

    /// `r`: the letter of the period shown (a month, a quarter, a year),
    /// as text.
    pub(super) fn show_report(&mut self) -> anyhow::Result<()> {
        let Some(p) = self.shown_period() else {
            self.message = Some("Chưa có kỳ nào có số liệu.".into());
            return Ok(());
        };
        let r = report::build(self.db.conn(), p, report::Options::default())?;
        self.report = Some(ReportView {
            letter: r.letter,
            warnings: r.warnings,
        });
        self.scroll = 0;
        self.views.push(View::Report);
        Ok(())
    }

    /// `w`: asks where to write the DOCX, offering a file next to the database.
    pub(super) fn ask_docx_path(&mut self) {
        let Some(p) = self.shown_period() else {
            self.message = Some("Chưa có kỳ nào có số liệu.".into());
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
            ..PathPrompt::default()
        });
    }

    /// Enter in the `w` prompt: writes a new file, asks before replacing
    /// one (y/n, naming it), never writes over a database.
    pub(super) fn write_docx(&mut self) {
        self.write_docx_to(None);
    }

    /// The key that answers the question "replace the file?": the
    /// keymap's `y` (write) says yes, any other key no, keeping the path
    /// to edit.
    pub(super) fn answer_replace(&mut self, key: PromptKey) {
        let Some(asked) = self.prompt.as_mut().and_then(|p| {
            p.note = None;
            p.replace.take()
        }) else {
            return;
        };
        let yes = match key {
            PromptKey::Char(c) => {
                let k = KeyEvent::from(KeyCode::Char(c.to_ascii_lowercase()));
                keymap::action_for(k) == Some(Action::Apply)
            }
            _ => false,
        };
        if yes {
            self.write_docx_to(Some(&asked));
        }
    }

    /// Writes the letter to the prompt's path; an existing file only if it
    /// is `replace`, the one the user said yes to.
    fn write_docx_to(&mut self, replace: Option<&Path>) {
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
        let shown = text::show(&path.display().to_string());
        let db = self.db_path().to_owned();
        let replacing = replace == Some(path.as_path());
        match output::check(&path, &db) {
            Ok(output::Target::Existing) if !replacing => {
                let yes = KEYMAP
                    .iter()
                    .find(|b| b.action == Action::Apply)
                    .map_or("y", |b| b.label);
                // The file's name first: a long path is cut on a narrow screen.
                let name = path
                    .file_name()
                    .map(|n| text::show(&n.to_string_lossy()))
                    .unwrap_or_default();
                if let Some(prompt) = self.prompt.as_mut() {
                    prompt.note = Some(format!(
                        "Tệp {name} đã có: ghi đè? ({yes}: ghi đè, phím khác: thôi) · {shown}"
                    ));
                    prompt.replace = Some(path);
                }
                return;
            }
            Ok(_) => {}
            Err(e) => {
                note(self, refusal(&e, &shown));
                return;
            }
        }
        let result = report::build(self.db.conn(), p, report::Options::default())
            .map_err(anyhow::Error::from)
            .and_then(|r| {
                let bytes = report::docx::render(&r.letter);
                // Written aside and renamed: a failed write leaves no half file.
                output::write(&path, &bytes, &db, replacing)?;
                Ok(r.warnings.len())
            });
        match result {
            Ok(warnings) => {
                self.prompt = None;
                let odd = output::extension_warning(&path, output::DOCX)
                    .map(|w| format!(" ({w})"))
                    .unwrap_or_default();
                self.message = Some(format!(
                    "Đã ghi công văn {} vào {shown}{odd}{}",
                    p.label_vi(),
                    if warnings > 0 {
                        format!(" ({warnings} cảnh báo: xem bằng r)")
                    } else {
                        String::new()
                    }
                ));
            }
            Err(e) => match e.downcast_ref::<output::OutputError>() {
                Some(e) => note(self, refusal(e, &shown)),
                None => note(self, format!("không ghi được: {e}")),
            },
        }
    }
}

/// A refused write in the prompt's words (the CLI's speak of --out).
fn refusal(e: &output::OutputError, shown: &str) -> String {
    match e {
        output::OutputError::Database(_) => {
            format!("{shown} là tệp cơ sở dữ liệu; không ghi đè, chọn tên khác")
        }
        output::OutputError::Exists(_) => {
            format!("tệp {shown} vừa được tạo; bấm Enter để hỏi lại")
        }
        output::OutputError::Directory(_) => {
            format!("{shown} là một thư mục; thêm tên tệp .docx")
        }
        output::OutputError::Unreadable(_, e) => {
            format!("không đọc được {shown} để kiểm tra: {e}; không ghi đè")
        }
        output::OutputError::Io(_, e) => format!("không ghi được: {e}"),
    }
}
