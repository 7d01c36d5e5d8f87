//! Pasting a table and importing files from the TUI: both open the same
//! preview (import::preview), where suggestions are accepted one by one,
//! `y` writes everything in one transaction and Esc drops it. Nothing is
//! written before `y`.

use std::path::{Path, PathBuf};

use super::app::{App, View};
use super::editing::{Answer, Confirm};
use crate::import::Input;
use crate::import::preview::{self, ApplyError, Preview};
use crate::text;

/// The preview on screen.
pub struct PreviewState {
    pub preview: Preview,
    /// What was pasted or which files, for the title.
    pub title: String,
    pub cursor: usize,
    /// What it was read from: read again once `c` has made its units.
    pub source: Source,
    /// Names of rows that match no unit at all (`c` makes them).
    pub unknown: Vec<String>,
    /// Rows left out with `x`, by place: left out again when read again.
    pub dropped: Vec<String>,
}

/// What a preview was read from.
pub enum Source {
    Files {
        inputs: Vec<(String, Vec<u8>)>,
        read: preview::ReadOptions,
    },
    Paste {
        text: String,
        columns: Vec<usize>,
        rows: Vec<i64>,
    },
}

/// Files read at `i` that state no period: kept while it is asked.
pub struct PendingImport {
    pub inputs: Vec<(String, Vec<u8>)>,
    pub read: preview::ReadOptions,
    pub title: String,
}

impl PendingImport {
    /// The files as the importer takes them.
    fn inputs(&self) -> Vec<Input> {
        self.inputs
            .iter()
            .map(|(name, bytes)| Input {
                name: name.clone(),
                bytes: bytes.clone(),
            })
            .collect()
    }
}

/// The path prompt of `i` (files to import) and `w` (where the DOCX goes).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PathPrompt {
    /// True for `w`: the path is where to write the letter.
    pub write_docx: bool,
    pub input: String,
    /// Why the last Enter did not open anything, or the Tab choices.
    pub note: Option<String>,
    /// `w`: the existing file the note asks about replacing (y/n).
    pub replace: Option<PathBuf>,
    /// `i` on files that state no period: the input is the period (a
    /// month, a quarter or a year).
    pub asks_month: bool,
}

/// A key in the path prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKey {
    Char(char),
    Backspace,
    Complete,
    Accept,
    Cancel,
}

impl App {
    /// Bracketed paste: into the cell editor if one is open and the text
    /// is one value; else a preview of the pasted table.
    pub fn paste(&mut self, pasted: &str) {
        // Terminals send a pasted line break as CR (tmux, xterm …).
        let normalized = pasted.replace("\r\n", "\n").replace('\r', "\n");
        let pasted = normalized.as_str();
        if let Some(p) = self.prompt.as_mut() {
            p.input.push_str(&text::clean(pasted));
            return;
        }
        if self.filter_editing {
            self.filter_key(super::app::FilterKey::Paste(text::clean(pasted)));
            return;
        }
        // A question left open is answered no: its `y` must not be the
        // preview's.
        self.confirm = None;
        if let Some(ed) = self.editor.as_mut() {
            let one = pasted.trim_end_matches(['\r', '\n']);
            if !one.contains(['\t', '\n', '\r']) {
                if ed.fresh {
                    ed.input.clear();
                }
                ed.input.push_str(&text::clean(one));
                ed.error = None;
                ed.fresh = false;
                return;
            }
            self.editor = None;
        }
        if self.view() != View::Month {
            self.message = Some("Dán bảng số liệu ở bảng kết quả.".into());
            return;
        }
        let Some(m) = self.month.as_ref() else {
            self.message = Some("Chưa có đơn vị nào để dán số liệu vào.".into());
            return;
        };
        // From the selected metric column on (all columns from the name).
        let from = self.col.saturating_sub(1).min(m.columns.len());
        let columns = m.columns[from..].to_vec();
        // From the cursor's row down: the parent's row, then the units.
        let from_row = if self.on_parent {
            0
        } else {
            self.cursor.min(m.visible.len())
        };
        let rows: Vec<i64> = m
            .table
            .parent
            .as_ref()
            .filter(|_| self.on_parent)
            .map(|p| p.id)
            .into_iter()
            .chain(m.visible[from_row..].iter().map(|&u| m.table.units[u].id))
            .collect();
        let target = preview::Target {
            period: m.table.period,
            columns: &columns,
            rows: &rows,
        };
        let lines = pasted.lines().filter(|l| !l.trim().is_empty()).count();
        match preview::from_paste(self.db.conn(), pasted, &target) {
            Ok(p) => {
                let source = Source::Paste {
                    text: pasted.to_owned(),
                    columns,
                    rows,
                };
                self.open_preview(p, format!("Dán {lines} dòng"), source)
            }
            Err(e) => self.message = Some(format!("Lỗi đọc dữ liệu: {e}")),
        }
    }

    fn open_preview(&mut self, preview: Preview, title: String, source: Source) {
        let unknown = unknown_names(self.db.conn(), &preview);
        self.preview = Some(PreviewState {
            preview,
            title,
            cursor: 0,
            source,
            unknown,
            dropped: Vec::new(),
        });
        self.scroll = 0;
        self.views.push(View::Preview);
    }

    /// The names in the preview shown that match no unit at all, still
    /// among its rows; None without a preview.
    pub fn unknown_units(&self) -> Option<Vec<String>> {
        let s = self.preview.as_ref()?;
        Some(
            s.unknown
                .iter()
                .filter(|n| s.preview.rows.iter().any(|r| r.name == **n))
                .cloned()
                .collect(),
        )
    }

    /// `c` in a preview: asks before making the units it lacks.
    pub(super) fn ask_create_units(&mut self) {
        if self.refused_read_only() {
            return;
        }
        let names = self.unknown_units().unwrap_or_default();
        if names.is_empty() {
            self.message = Some("Mọi tên trong bản xem trước đã có trong danh sách đơn vị.".into());
            return;
        }
        let shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
        let more = if names.len() > 5 { ", …" } else { "" };
        self.confirm = Some(Confirm {
            question: format!(
                "Tạo {} đơn vị mới, tên như trong tệp: {}{more}? (y: tạo, phím khác: thôi)",
                names.len(),
                shown.join(", ")
            ),
            answer: Answer::CreateUnits(names),
        });
    }

    /// Makes the units (one changeset), then reads the preview again: its
    /// rows now find them. The values are still written only by `y`.
    pub(super) fn create_units(&mut self, names: Vec<String>) {
        let command = format!("tui: tạo {} đơn vị theo bản xem trước", names.len());
        let actor = self.actor.clone();
        let made = self.db.write(|tx| {
            let cs = crate::db::begin_changeset(tx, &actor, "units", &command)?;
            crate::db::units::add_named(tx, cs, &names)
        });
        match made {
            Ok(units) => {
                if let Err(e) = self.read_preview_again() {
                    self.message = Some(format!("Lỗi đọc dữ liệu: {e}"));
                    return;
                }
                // The month shown is read again: it has the new units.
                if let Some(p) = self.month.as_ref().map(|m| m.table.period)
                    && let Err(e) = self.show_written(p, -1)
                {
                    self.message = Some(format!("Lỗi đọc lại số liệu: {e:#}"));
                    return;
                }
                self.message = Some(format!(
                    "Đã tạo {} đơn vị. Xem lại rồi y để ghi số liệu, Esc để bỏ (các đơn vị vẫn còn).",
                    units.len()
                ));
            }
            Err(e) if crate::db::errors::is_busy(&e) => {
                self.message = Some(
                    "Tệp đang bận (một lệnh ghi khác chưa xong): chưa tạo gì; bấm c lại sau ít giây."
                        .into(),
                );
            }
            Err(e) => self.message = Some(format!("Chưa tạo đơn vị nào: {e}")),
        }
    }

    /// Reads the preview's input again, keeping the rows left out and the
    /// suggestions accepted.
    fn read_preview_again(&mut self) -> rusqlite::Result<()> {
        let Some(s) = self.preview.as_ref() else {
            return Ok(());
        };
        let period = s.preview.period;
        let mut fresh = match &s.source {
            Source::Files { inputs, read } => {
                let inputs: Vec<Input> = inputs
                    .iter()
                    .map(|(name, bytes)| Input {
                        name: name.clone(),
                        bytes: bytes.clone(),
                    })
                    .collect();
                preview::from_files(self.db.conn(), &inputs, period, read)?
            }
            Source::Paste {
                text,
                columns,
                rows,
            } => {
                let target = preview::Target {
                    period,
                    columns,
                    rows,
                };
                preview::from_paste(self.db.conn(), text, &target)?
            }
        };
        let accepted: Vec<&str> = s
            .preview
            .rows
            .iter()
            .filter(|r| matches!(r.unit, preview::RowUnit::Suggested { accepted: true, .. }))
            .map(|r| r.place.as_str())
            .collect();
        fresh.rows.retain(|r| !s.dropped.contains(&r.place));
        for i in 0..fresh.rows.len() {
            if accepted.contains(&fresh.rows[i].place.as_str()) {
                fresh.accept(i);
            }
        }
        let unknown = unknown_names(self.db.conn(), &fresh);
        if let Some(s) = self.preview.as_mut() {
            s.cursor = s.cursor.min(fresh.rows.len().saturating_sub(1));
            s.preview = fresh;
            s.unknown = unknown;
        }
        Ok(())
    }

    /// `i`: asks for the files to import.
    pub(super) fn ask_import(&mut self) {
        if self.refused_read_only() {
            return;
        }
        self.prompt = Some(PathPrompt::default());
    }

    /// One key in the path prompt.
    pub fn prompt_key(&mut self, key: PromptKey) {
        let Some(p) = self.prompt.as_mut() else {
            return;
        };
        if p.replace.is_some() {
            self.answer_replace(key);
            return;
        }
        match key {
            PromptKey::Char(c) => {
                if !c.is_control() {
                    p.input.push(c);
                    p.note = None;
                }
            }
            PromptKey::Backspace => {
                p.input.pop();
                p.note = None;
            }
            PromptKey::Complete if p.asks_month => {}
            PromptKey::Complete => complete(p),
            PromptKey::Cancel => {
                self.prompt = None;
                self.pending_import = None;
            }
            PromptKey::Accept if p.write_docx => self.write_docx(),
            PromptKey::Accept if p.asks_month => self.import_into_month_typed(),
            PromptKey::Accept => self.import_files(),
        }
    }

    fn import_files(&mut self) {
        let Some(p) = self.prompt.as_mut() else {
            return;
        };
        // Options as `chiso import` takes them, then the paths.
        let mut read = preview::ReadOptions::default();
        let mut paths = Vec::new();
        let mut words = split_words(&p.input).into_iter();
        while let Some(w) = words.next() {
            match w.as_str() {
                "--encoding" | "--sheet" => {
                    let Some(v) = words.next() else {
                        p.note = Some(format!("{w} cần một giá trị"));
                        return;
                    };
                    if w == "--sheet" {
                        read.sheet = Some(v);
                    } else {
                        match encoding_rs::Encoding::for_label(v.trim().as_bytes()) {
                            Some(e) => read.encoding = Some(e),
                            None => {
                                p.note = Some(format!(
                                    "không biết bảng mã \"{}\"; ví dụ: windows-1258, utf-16le",
                                    text::show(&v)
                                ));
                                return;
                            }
                        }
                    }
                }
                _ => paths.push(w),
            }
        }
        if paths.is_empty() {
            p.note = Some("gõ đường dẫn tệp (Tab để hoàn thành)".into());
            return;
        }
        let mut inputs = Vec::new();
        for path in &paths {
            match std::fs::read(path) {
                Ok(bytes) => inputs.push(Input {
                    name: path.clone(),
                    bytes,
                }),
                Err(e) => {
                    p.note = Some(format!("không đọc được {}: {e}", text::show(path)));
                    return;
                }
            }
        }
        let names: Vec<String> = paths
            .iter()
            .map(|p| {
                Path::new(p)
                    .file_name()
                    .map_or(p.clone(), |n| n.to_string_lossy().into_owned())
            })
            .collect();
        let pending = PendingImport {
            inputs: inputs.into_iter().map(|i| (i.name, i.bytes)).collect(),
            read,
            title: format!("Nhập {}", text::show(&names.join(", "))),
        };
        // The period the files state (a quarter's file goes to its quarter,
        // whatever is on screen: the first quarter of a file of months
        // could not be reached otherwise); else the one on screen if it
        // has data; else ask.
        let shown = self
            .month
            .as_ref()
            .map(|m| m.table.period)
            .filter(|p| self.periods.contains(p));
        let stated = match preview::stated_months(self.db.conn(), &pending.inputs(), &pending.read)
        {
            Ok(stated) => stated,
            Err(e) => {
                self.prompt = None;
                self.message = Some(format!("Lỗi đọc dữ liệu: {e}"));
                return;
            }
        };
        let period = match (stated.as_slice(), shown) {
            ([p], _) => *p,
            ([], Some(p)) => p,
            ([], None) => {
                let guess = self
                    .month
                    .as_ref()
                    .map_or(crate::model::Period::today().previous(), |m| m.table.period);
                self.pending_import = Some(pending);
                self.prompt = Some(PathPrompt {
                    input: guess.to_string(),
                    note: None,
                    asks_month: true,
                    ..PathPrompt::default()
                });
                return;
            }
            (many, _) => {
                let periods: Vec<String> = many.iter().map(|m| m.label_vi()).collect();
                if let Some(p) = self.prompt.as_mut() {
                    p.note = Some(format!(
                        "các tệp ghi những kỳ khác nhau ({}): nhập từng kỳ một",
                        periods.join(", ")
                    ));
                }
                return;
            }
        };
        self.prompt = None;
        self.preview_import(pending, period);
    }

    /// Enter on the period asked for files that state none: a month, a
    /// quarter or a year, in any spelling `Period::parse` reads.
    fn import_into_month_typed(&mut self) {
        let Some(p) = self.prompt.as_mut() else {
            return;
        };
        let Some(period) = crate::model::Period::parse(&p.input) else {
            let why = crate::model::period_problem(&p.input)
                .map(|w| format!(" ({w})"))
                .unwrap_or_default();
            p.note = Some(format!(
                "\"{}\" không phải một kỳ{why}; gõ như 8/2024, quý III/2025, 2025-Q3 hoặc năm 2025",
                text::show(&p.input)
            ));
            return;
        };
        self.prompt = None;
        if let Some(pending) = self.pending_import.take() {
            self.preview_import(pending, period);
        }
    }

    fn preview_import(&mut self, pending: PendingImport, period: crate::model::Period) {
        match preview::from_files(self.db.conn(), &pending.inputs(), period, &pending.read) {
            Ok(pv) => {
                let source = Source::Files {
                    inputs: pending.inputs,
                    read: pending.read,
                };
                self.open_preview(pv, pending.title, source);
            }
            Err(e) => self.message = Some(format!("Lỗi đọc dữ liệu: {e}")),
        }
    }

    /// `a` on a preview row: take the suggested unit (saved as an alias
    /// when the preview is applied).
    pub(super) fn accept_suggestion(&mut self) {
        if let Some(s) = self.preview.as_mut()
            && !s.preview.accept(s.cursor)
        {
            self.message = Some("Dòng này không có gợi ý để nhận.".into());
        }
    }

    /// `y`: writes the preview, or says why not.
    pub(super) fn apply_preview(&mut self) {
        let Some(s) = self.preview.as_ref() else {
            return;
        };
        if !s.preview.ready() {
            self.message = Some(
                "Chưa ghi: còn ô sai (✗) hoặc tên chưa xác định (a: nhận gợi ý). Esc để bỏ.".into(),
            );
            return;
        }
        let command = format!("tui: {}", s.title);
        let period = s.preview.period;
        // What `u` takes back: every cell written, as one step.
        let step: Vec<crate::edit::CellEdit> = s
            .preview
            .rows
            .iter()
            .flat_map(|r| {
                let id = r.unit_id();
                r.cells
                    .iter()
                    .filter(|c| matches!(c.status, preview::Status::New | preview::Status::Changed))
                    .map(move |c| crate::edit::CellEdit {
                        period,
                        unit_id: id.expect("ready: every row settled"),
                        metric: c.metric,
                        old: c.old.clone(),
                        new: c.new.clone(),
                    })
            })
            .collect();
        match preview::apply(&mut self.db, &s.preview, &self.actor, &command) {
            Ok(0) => {
                self.preview = None;
                self.views.pop();
                self.message = Some("Không có gì thay đổi: không ghi gì.".into());
            }
            Ok(n) => {
                self.history.record(step);
                self.preview = None;
                self.views.pop();
                let keep = self
                    .month
                    .as_ref()
                    .and_then(|m| m.visible.get(self.cursor).map(|&u| m.table.units[u].id));
                if let Err(e) = self.show_written(period, keep.unwrap_or(-1)) {
                    self.message = Some(format!("Lỗi đọc lại số liệu: {e:#}"));
                } else {
                    self.message = Some(format!("Đã ghi {n} giá trị."));
                }
            }
            Err(e) if crate::db::errors::is_busy(&e) => {
                self.wait_for(super::waiting::Retry::Preview)
            }
            Err(e @ ApplyError::Changed { .. }) => self.message = Some(e.to_string()),
            Err(e) => self.message = Some(self.write_error(&e)),
        }
    }

    /// `x` on a preview row: leave it out (a total line, a unit to skip).
    pub(super) fn drop_preview_row(&mut self) {
        if let Some(s) = self.preview.as_mut()
            && s.cursor < s.preview.rows.len()
        {
            let row = s.preview.rows.remove(s.cursor);
            s.dropped.push(row.place);
            s.cursor = s.cursor.min(s.preview.rows.len().saturating_sub(1));
        }
    }

    pub(super) fn preview_move(&mut self, delta: isize) {
        if let Some(s) = self.preview.as_mut() {
            let n = s.preview.rows.len();
            s.cursor = s
                .cursor
                .saturating_add_signed(delta)
                .min(n.saturating_sub(1));
        }
    }
}

/// Names of the rows that match no unit, not even without accents: the
/// units `c` would make, each once, in the order of the rows.
fn unknown_names(conn: &rusqlite::Connection, p: &Preview) -> Vec<String> {
    let Ok(index) = crate::db::units::UnitIndex::load(conn) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for r in &p.rows {
        if !matches!(r.unit, preview::RowUnit::Invalid(_)) || r.name.trim().is_empty() {
            continue;
        }
        // The name as shown: a long one is cut ("…"), a control character
        // escaped; never made into a unit's name.
        if r.name.contains('…') || r.name.contains("\\u{") {
            continue;
        }
        let unknown = matches!(
            index.resolve_in(&r.name, Some(p.period)),
            crate::db::units::Resolution::Unknown { ref similar } if similar.is_empty()
        );
        let key = text::match_key(&r.name);
        if unknown && !out.iter().any(|n| text::match_key(n) == key) {
            out.push(r.name.clone());
        }
    }
    out
}

/// Words of the prompt: spaces separate, quotes group, `\ ` is a space.
pub fn split_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                    any = true;
                }
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Tab: completes the last word to the longest common prefix of the
/// entries that start with it; lists them when there are several.
fn complete(p: &mut PathPrompt) {
    let words = split_words(&p.input);
    let ends_in_space = p.input.ends_with(' ') && !p.input.ends_with("\\ ");
    let last = if ends_in_space {
        String::new()
    } else {
        words.last().cloned().unwrap_or_default()
    };
    let (dir, stem) = match last.rfind('/') {
        Some(i) => (last[..=i].to_string(), last[i + 1..].to_string()),
        None => (String::new(), last.clone()),
    };
    let read_dir = if dir.is_empty() {
        PathBuf::from(".")
    } else {
        PathBuf::from(&dir)
    };
    let Ok(entries) = std::fs::read_dir(&read_dir) else {
        p.note = Some(format!("không mở được thư mục {}", text::show(&dir)));
        return;
    };
    let mut names: Vec<(String, bool)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            (name.starts_with(&stem) && (!name.starts_with('.') || stem.starts_with('.')))
                .then_some((name, is_dir))
        })
        .collect();
    names.sort();
    let Some(first) = names.first() else {
        p.note = Some("không có tệp nào khớp".into());
        return;
    };
    let mut common = first.0.clone();
    for (n, _) in &names[1..] {
        while !n.starts_with(&common) {
            common.pop();
        }
    }
    let mut done = format!("{dir}{common}");
    // A single file is finished: a space starts the next path.
    let mut finished = false;
    if names.len() == 1 {
        if first.1 {
            done.push('/');
        } else {
            finished = true;
        }
        p.note = None;
    } else {
        let shown: Vec<String> = names.iter().take(8).map(|(n, _)| text::show(n)).collect();
        p.note = Some(format!(
            "{}{}",
            shown.join("  "),
            if names.len() > 8 { "  …" } else { "" }
        ));
    }
    // The prompt keeps earlier words; the last is rewritten escaped.
    let keep = if ends_in_space {
        words.len()
    } else {
        words.len().saturating_sub(1)
    };
    let mut rebuilt: Vec<String> = words.iter().take(keep).map(|w| escape_word(w)).collect();
    rebuilt.push(escape_word(&done));
    p.input = rebuilt.join(" ");
    if finished {
        p.input.push(' ');
    }
}

fn escape_word(w: &str) -> String {
    w.replace('\\', "\\\\").replace(' ', "\\ ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_on_spaces_with_quotes_and_escapes() {
        assert_eq!(
            split_words(r#"a.xlsx "Phu luc 2.xlsx" c\ d.csv  'e f' "#),
            ["a.xlsx", "Phu luc 2.xlsx", "c d.csv", "e f"]
        );
        assert!(split_words("   ").is_empty());
    }

    #[test]
    fn tab_completes_a_file_and_lists_choices() {
        let dir = tempfile::tempdir().unwrap();
        for n in ["phu luc 1.xlsx", "phu luc 2.xlsx", "other.csv"] {
            std::fs::write(dir.path().join(n), "x").unwrap();
        }
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let base = escape_word(&format!("{}/", dir.path().display()));
        let mut p = PathPrompt {
            input: format!("{base}ph"),
            ..PathPrompt::default()
        };
        complete(&mut p);
        assert_eq!(p.input, format!("{base}phu\\ luc\\ "));
        assert!(p.note.as_ref().unwrap().contains("phu luc 2.xlsx"));
        p.input.push('2');
        complete(&mut p);
        assert_eq!(p.input, format!("{base}phu\\ luc\\ 2.xlsx "));
        assert_eq!(
            split_words(&p.input),
            [format!("{}/phu luc 2.xlsx", dir.path().display())]
        );
        p.input.push_str(&format!("{base}su"));
        complete(&mut p);
        assert!(p.input.ends_with("sub/"), "{}", p.input);
    }
}
