//! Typing values into the month table: the cell editor, clearing with a
//! confirmation, undo and redo, a new month, and a cell's history. Every
//! save goes through `edit::apply` (one transaction, checked against what
//! the screen showed); no SQL here.

use super::action::{EditKey, Move};
use super::app::{App, View};
use super::waiting::Retry;
use crate::db::{audit, errors};
use crate::edit::{self, CellEdit, EditError, Source};
use crate::import;
use crate::model::{Metric, MetricKind, Period, Value};
use crate::text;

/// A cell being typed into.
#[derive(Debug, Clone, PartialEq)]
pub struct Editor {
    pub period: Period,
    pub unit_id: i64,
    pub unit_name: String,
    /// Catalog index of the metric.
    pub metric: usize,
    pub input: String,
    /// Why the last save was refused; nothing was written.
    pub error: Option<String>,
    /// The value the screen showed: the save checks the file still has it.
    pub shown: Option<Value>,
    /// The input is the stored value, untouched: typing replaces it (as
    /// in a spreadsheet), Backspace edits it.
    pub fresh: bool,
}

/// The cell under the cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectedCell {
    pub period: Period,
    pub unit_id: i64,
    pub unit_name: String,
    /// Catalog index of the metric.
    pub metric: usize,
    pub value: Option<Value>,
}

/// A question waiting for y.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub question: String,
    pub answer: Answer,
}

/// What y does.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Clear a cell.
    Clear { edit: CellEdit, unit_name: String },
    /// Make the units a preview names that the file lacks.
    CreateUnits(Vec<String>),
}

/// The editor's text as a value of `metric`: the import's rules ("93,45",
/// "93.45", "93.45%"), and for a rating, the first letters of one label
/// ("k" is Khá, "tr" Trung bình).
pub fn parse_input(metric: &Metric, input: &str) -> Result<Option<Value>, String> {
    match import::value::parse_text(metric, input) {
        Ok(v) => Ok(v),
        Err(e) if metric.kind == MetricKind::Label => {
            let typed = text::fold(input.trim());
            let hits: Vec<&String> = metric
                .labels
                .iter()
                .filter(|l| text::fold(l).starts_with(&typed))
                .collect();
            match hits.as_slice() {
                [one] => Ok(Some(Value::Label((*one).clone()))),
                _ => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// What a cell shows while not being edited: "93,45", "Tốt", "" if empty.
fn input_of(v: Option<&Value>) -> String {
    v.map(import::show_value).unwrap_or_default()
}

impl App {
    /// The selected cell of the month table: a unit's row (or the
    /// parent's, above the first) and a metric column.
    pub fn selected_cell(&self) -> Option<SelectedCell> {
        let m = self.month.as_ref()?;
        let metric = *m.columns.get(self.col.checked_sub(1)?)?;
        let (unit, value) = if self.on_parent {
            let p = m.table.parent.as_ref()?;
            let v = m
                .table
                .current
                .parent
                .as_ref()
                .and_then(|r| r[metric].clone());
            (p, v)
        } else {
            let u = *m.visible.get(self.cursor)?;
            (&m.table.units[u], m.value(u, metric).cloned())
        };
        Some(SelectedCell {
            period: m.table.period,
            unit_id: unit.id,
            unit_name: unit.name.clone(),
            metric,
            value,
        })
    }

    /// Opens the editor on the selected cell, with its value or, when a
    /// digit started it, that digit.
    pub(super) fn start_edit(&mut self, first: Option<char>) {
        if self.refused_read_only() {
            return;
        }
        let Some(c) = self.selected_cell() else {
            self.message = Some("Chọn một ô số liệu (← →, ↑ ↓) để sửa.".into());
            return;
        };
        let shown = c.value;
        self.editor = Some(Editor {
            period: c.period,
            unit_id: c.unit_id,
            unit_name: c.unit_name,
            metric: c.metric,
            input: first.map_or_else(|| input_of(shown.as_ref()), String::from),
            error: None,
            fresh: first.is_none(),
            shown,
        });
    }

    /// One key in the editor.
    pub fn edit_key(&mut self, key: EditKey) {
        let Some(ed) = self.editor.as_mut() else {
            return;
        };
        let metric = &self.cat.metrics[ed.metric];
        match key {
            EditKey::Char(c) => {
                // Never keep a control character (it would reach the screen).
                if !c.is_control() {
                    if ed.fresh {
                        ed.input.clear();
                    }
                    ed.input.push(c);
                    ed.error = None;
                    ed.fresh = false;
                }
            }
            EditKey::Backspace => {
                ed.input.pop();
                ed.error = None;
                ed.fresh = false;
            }
            EditKey::Cancel => self.editor = None,
            EditKey::NextLabel | EditKey::PrevLabel => {
                if metric.kind == MetricKind::Label && !metric.labels.is_empty() {
                    let n = metric.labels.len();
                    let at = metric.labels.iter().position(|l| *l == ed.input);
                    let i = match (at, key) {
                        (None, EditKey::NextLabel) => 0,
                        (None, _) => n - 1,
                        (Some(i), EditKey::NextLabel) => (i + 1) % n,
                        (Some(i), _) => (i + n - 1) % n,
                    };
                    ed.input = metric.labels[i].clone();
                    ed.error = None;
                    ed.fresh = true;
                }
            }
            EditKey::Save(mv) => self.save(mv),
        }
    }

    fn save(&mut self, mv: Move) {
        let Some(ed) = self.editor.as_mut() else {
            return;
        };
        let metric = &self.cat.metrics[ed.metric];
        let new = match parse_input(metric, &ed.input) {
            Err(e) => {
                ed.error = Some(e);
                return;
            }
            Ok(None) if ed.shown.is_some() => {
                ed.error = Some("ô trống: muốn xoá giá trị thì Esc rồi bấm x".into());
                return;
            }
            Ok(v) => v,
        };
        let e = CellEdit {
            period: ed.period,
            unit_id: ed.unit_id,
            metric: ed.metric,
            old: ed.shown.clone(),
            new,
        };
        let name = ed.unit_name.clone();
        self.editor = None;
        let done = format!("Đã lưu {}", self.said_edit(&e, &name));
        // The unit below, by id: the saved value may move its own row out
        // of the filter or elsewhere in the sort.
        let below = self.month.as_ref().and_then(|m| {
            let at = if self.on_parent { 0 } else { self.cursor + 1 };
            m.visible.get(at).map(|&u| m.table.units[u].id)
        });
        self.save_cell(e, name, Some(done));
        match mv {
            Move::Down => {
                self.on_parent = false;
                match below.and_then(|id| self.visible_position(id)) {
                    Some(at) => self.cursor = at,
                    None => self.cursor_down(),
                }
            }
            Move::Right => self.col = (self.col + 1).min(self.column_count().saturating_sub(2)),
            Move::Left => self.col = self.col.saturating_sub(1).max(1),
        }
        self.after_move();
    }

    /// Writes one cell typed or cleared on screen, shows the file as it
    /// now is, and keeps the edit for undo; `done` is said after. Nothing
    /// is kept when the value was the same or someone else changed the
    /// cell first (the message says so). Another process writing: the
    /// save waits (`waiting`).
    pub(super) fn save_cell(&mut self, e: CellEdit, unit_name: String, done: Option<String>) {
        let result = edit::apply(
            &mut self.db,
            &self.cat,
            &self.actor,
            &e,
            Source::Edit,
            &unit_name,
        );
        let changed = match result {
            Ok(changed) => changed,
            Err(err) if errors::is_busy(&err) => {
                self.wait_for(Retry::Cell {
                    edit: e,
                    unit_name,
                    done,
                });
                return;
            }
            Err(err @ EditError::Conflict(_)) => {
                self.message = Some(err.to_string());
                false
            }
            Err(err) => {
                self.message = Some(self.write_error(&err));
                return;
            }
        };
        if let Err(err) = self.show_written(e.period, e.unit_id) {
            self.message = Some(format!("Lỗi đọc lại số liệu: {err:#}"));
        }
        if changed {
            self.history.record(vec![e]);
            if done.is_some() {
                self.message = done;
            }
        }
    }

    /// A file opened read-only: says so and refuses an edit.
    pub(super) fn refused_read_only(&mut self) -> bool {
        if self.read_only {
            self.message = Some(format!(
                "Tệp {} chỉ đọc: không sửa được. Xin quyền ghi tệp và thư mục của nó, hoặc chép tệp sang thư mục của bạn rồi mở bằng --db.",
                self.db_path().display()
            ));
        }
        self.read_only
    }

    /// Asks before removing the selected cell's value.
    pub(super) fn ask_clear(&mut self) {
        if self.refused_read_only() {
            return;
        }
        let Some(c) = self.selected_cell() else {
            self.message = Some("Chọn một ô số liệu (← →, ↑ ↓) để xoá.".into());
            return;
        };
        let Some(v) = c.value else {
            self.message = Some("Ô này chưa có số liệu.".into());
            return;
        };
        self.confirm = Some(Confirm {
            question: format!(
                "Xoá {} = {} của {}, {}? (y: xoá, phím khác: thôi)",
                super::columns::title(&self.cat.metrics[c.metric]),
                import::show_value(&v),
                c.unit_name,
                c.period.label_vi()
            ),
            answer: Answer::Clear {
                edit: CellEdit {
                    period: c.period,
                    unit_id: c.unit_id,
                    metric: c.metric,
                    old: Some(v),
                    new: None,
                },
                unit_name: c.unit_name,
            },
        });
    }

    /// The answer to the question on the footer.
    pub fn confirm_key(&mut self, yes: bool) {
        let Some(c) = self.confirm.take() else {
            return;
        };
        if !yes {
            return;
        }
        match c.answer {
            Answer::Clear { edit, unit_name } => {
                let what = self.said_edit(&edit, &unit_name);
                self.save_cell(edit, unit_name, Some(format!("Đã xoá {what}")));
            }
            Answer::CreateUnits(names) => self.create_units(names),
        }
    }

    pub(super) fn undo(&mut self, redo: bool) {
        if self.refused_read_only() {
            return;
        }
        let next = if redo {
            self.history.next_redo()
        } else {
            self.history.next_undo()
        };
        let Some(e) = next else {
            self.message = Some(if redo {
                "Không có gì để làm lại.".into()
            } else {
                "Không còn lần sửa nào của phiên này để hoàn tác.".into()
            });
            return;
        };
        let source = if redo { Source::Redo } else { Source::Undo };
        let word = if redo {
            "Đã làm lại"
        } else {
            "Đã hoàn tác"
        };
        let what = match e.as_slice() {
            [one] => self.said_edit(one, &self.unit_name(one.unit_id)),
            many => format!("{} ô (một lần dán/nhập)", many.len()),
        };
        let command = format!("tui: {} {what}", source_word(source));
        let result = edit::apply_all(&mut self.db, &self.cat, &self.actor, &e, source, &command);
        let shown = e.first().map(|x| (x.period, x.unit_id));
        match result {
            Ok(_) => {
                if redo {
                    self.history.redone();
                } else {
                    self.history.undone();
                }
                self.message = Some(format!("{word}: {what}"));
            }
            Err(err) if errors::is_busy(&err) => {
                self.wait_for(Retry::Undo { redo });
                return;
            }
            // Refused (changed elsewhere meanwhile): the history stays.
            Err(err @ EditError::Conflict(_)) => self.message = Some(err.to_string()),
            Err(err) => self.message = Some(self.write_error(&err)),
        }
        if let Some((period, unit)) = shown
            && let Err(err) = self.show_written(period, unit)
        {
            self.message = Some(format!("Lỗi đọc lại số liệu: {err:#}"));
        }
    }

    /// "Xử lý % An Vỹ, tháng 8/2024: 100 → 95,5": an edit in a message.
    fn said_edit(&self, e: &CellEdit, unit_name: &str) -> String {
        let show = |v: &Option<Value>| v.as_ref().map_or("trống".into(), import::show_value);
        format!(
            "{} {}, {}: {} → {}",
            super::columns::title(&self.cat.metrics[e.metric]),
            unit_name,
            e.period.label_vi(),
            show(&e.old),
            show(&e.new)
        )
    }

    fn unit_name(&self, id: i64) -> String {
        self.month
            .as_ref()
            .and_then(|m| {
                m.table
                    .units
                    .iter()
                    .chain(&m.table.parent)
                    .find(|u| u.id == id)
            })
            .map_or_else(|| id.to_string(), |u| u.name.clone())
    }

    /// Opens an empty period after the latest one of the kind shown (or
    /// the month before this one, in an empty file) to type its figures.
    pub(super) fn new_month(&mut self) -> anyhow::Result<()> {
        if self.refused_read_only() {
            return Ok(());
        }
        let p = match self.latest(self.kind()) {
            Some(last) => last.next(),
            None => Period::today().previous(),
        };
        self.pending = Some(p);
        self.load_month(p)?;
        self.message = Some(format!(
            "{}: {} mới, chưa có số liệu. Chọn cột rồi gõ số, Enter để lưu và xuống dòng.",
            crate::text::capitalize(&p.label_vi()),
            p.kind().word_vi()
        ));
        Ok(())
    }

    /// The history of the selected cell.
    pub(super) fn cell_log(&mut self) -> anyhow::Result<()> {
        let Some(c) = self.selected_cell() else {
            self.message = Some("Chọn một ô số liệu (← →, ↑ ↓) để xem lịch sử.".into());
            return Ok(());
        };
        let (metric, period) = (c.metric, c.period);
        let entries = audit::history(
            self.db.conn(),
            audit::Query {
                period: Some(period),
                unit_id: Some(c.unit_id),
                metric: Some(&self.cat.metrics[metric].code),
            },
        )?;
        self.log = Some(super::app::CellLog {
            title: format!(
                "Lịch sử {} · {} · {}",
                super::columns::title(&self.cat.metrics[metric]),
                c.unit_name,
                period.label_vi()
            ),
            kind: self.cat.metrics[metric].kind,
            entries,
            zone: crate::db::local_time::Zone::load(self.db.conn())?,
        });
        self.scroll = 0;
        self.views.push(View::Log);
        Ok(())
    }
}

fn source_word(s: Source) -> &'static str {
    match s {
        Source::Edit => "sửa",
        Source::Undo => "hoàn tác",
        Source::Redo => "làm lại",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(kind: MetricKind) -> Metric {
        Metric {
            id: 1,
            code: "m".into(),
            label: "M".into(),
            kind,
            min: (kind != MetricKind::Label).then_some(0.0),
            max: (kind == MetricKind::Percent).then_some(100.0),
            labels: if kind == MetricKind::Label {
                ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"]
                    .map(String::from)
                    .to_vec()
            } else {
                Vec::new()
            },
        }
    }

    #[test]
    fn the_editor_reads_what_operators_type() {
        let pct = metric(MetricKind::Percent);
        for t in ["93,45", "93.45", "93.45%", " 93,45 % "] {
            assert_eq!(parse_input(&pct, t), Ok(Some(Value::Num(93.45))), "{t}");
        }
        assert_eq!(parse_input(&pct, ""), Ok(None));
        assert!(parse_input(&pct, "120").unwrap_err().contains("100"));
        assert!(parse_input(&pct, "9x").is_err());
        let rating = metric(MetricKind::Label);
        let label = |s: &str| Ok(Some(Value::Label(s.into())));
        assert_eq!(parse_input(&rating, "k"), label("Khá"));
        assert_eq!(parse_input(&rating, "tr"), label("Trung bình"));
        assert_eq!(parse_input(&rating, "TỐT"), label("Tốt"));
        assert_eq!(parse_input(&rating, "xuat sac"), label("Xuất sắc"));
        assert!(parse_input(&rating, "t").is_err(), "Tốt or Trung bình");
        assert!(parse_input(&rating, "giỏi").is_err());
    }
}
