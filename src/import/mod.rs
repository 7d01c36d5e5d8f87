//! Importing monthly results from the files operators have: CSV, TSV, XLSX
//! (and chiso's own JSON export), several files in one go.
//!
//! `plan` reads and checks everything and computes what would change,
//! without writing; `apply` writes a plan in one transaction. All problems of
//! all files are collected, so one run shows every fix the operator needs.

pub mod header;
pub mod read;
pub mod value;

use std::collections::HashMap;
use std::fmt;

use rusqlite::Connection;
use sha2::{Digest, Sha256};

use crate::db::units::{self, Resolution, UnitIndex};
use crate::db::{self, Actor, Db, values};
use crate::model::{Metric, Period, UnitKind, Value};
use crate::text;

use header::{Column, HeaderDictionary};
use read::{Cell, Content, Format, Grid};

/// One thing wrong with the input, located as precisely as possible.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub file: String,
    /// "dòng 12", "ô C12 (trang Sheet1)", "units[3].name" …
    pub place: Option<String>,
    pub column: Option<String>,
    /// The offending text, already made safe to print.
    pub value: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

impl Problem {
    pub fn file(file: &str, message: String, hint: &str) -> Problem {
        Problem {
            file: file.to_owned(),
            place: None,
            column: None,
            value: None,
            message,
            hint: Some(hint.to_owned()),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(p) = &self.place {
            write!(f, ", {p}")?;
        }
        if let Some(c) = &self.column {
            write!(f, ", cột \"{c}\"")?;
        }
        if let Some(v) = &self.value {
            write!(f, ", giá trị \"{v}\"")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(h) = &self.hint {
            for line in h.lines() {
                write!(f, "\n    {line}")?;
            }
        }
        Ok(())
    }
}

/// A value in the file that differs from the stored one (refused without
/// `--replace`).
#[derive(Debug, Clone)]
pub struct Conflict {
    pub file: String,
    pub place: String,
    pub unit: String,
    pub metric: String,
    pub stored: String,
    pub new: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("dữ liệu nhập có lỗi; không ghi gì vào cơ sở dữ liệu")]
    Rejected {
        problems: Vec<Problem>,
        conflicts: Vec<Conflict>,
    },
    #[error(transparent)]
    Db(#[from] rusqlite::Error),
    #[error(transparent)]
    Unit(#[from] units::UnitError),
}

pub struct Options {
    pub period: Option<Period>,
    pub create_units: bool,
    pub replace: bool,
    pub sheet: Option<String>,
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// How to call chiso in the hints ("chiso" or "chiso --db x.db").
    pub cmd: String,
}

/// A file to import: its name as given, and its bytes.
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct FileSummary {
    pub name: String,
    pub sha256: String,
    pub format: Format,
    pub rows: usize,
    pub units: usize,
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnitRef {
    Existing(i64),
    /// Index into `Plan::new_units`.
    New(usize),
}

#[derive(Debug, Clone)]
pub struct PlannedChange {
    pub file: usize,
    pub unit: UnitRef,
    pub unit_name: String,
    /// Index into `Plan::metrics`.
    pub metric: usize,
    pub old: Option<Value>,
    pub new: Value,
}

pub struct Plan {
    pub period: Period,
    pub metrics: Vec<Metric>,
    pub files: Vec<FileSummary>,
    pub new_units: Vec<(String, UnitKind)>,
    pub changes: Vec<PlannedChange>,
    pub warnings: Vec<String>,
}

impl Plan {
    pub fn is_noop(&self) -> bool {
        self.changes.is_empty() && self.new_units.is_empty()
    }
}

/// One data row of any format, before units and values are resolved.
struct Record {
    place: String,
    unit_column: String,
    unit_name: String,
    kind: Option<UnitKind>,
    /// JSON "parent" object: must be the database's parent.
    must_be_parent: bool,
    cells: Vec<RecordCell>,
}

struct RecordCell {
    metric: usize,
    column: String,
    place: String,
    cell: Cell,
}

struct FileRows {
    format: Format,
    stated: Option<Period>,
    records: Vec<Record>,
}

/// Short text of a value for messages: decimal comma, labels as they are.
pub fn show_value(v: &Value) -> String {
    match v {
        Value::Num(x) => format!("{x}").replace('.', ","),
        Value::Label(s) => s.clone(),
    }
}

/// Reads and checks every input and works out what would change.
pub fn plan(conn: &Connection, inputs: &[Input], opts: &Options) -> Result<Plan, ImportError> {
    let metrics = db::load_metrics(conn)?;
    let dict = HeaderDictionary::new(&metrics, &db::load_metric_headers(conn)?);
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut files: Vec<(FileSummary, FileRows)> = Vec::new();

    for input in inputs {
        let sha256 = hex(&Sha256::digest(&input.bytes));
        let rows = match read::read(
            &input.name,
            &input.bytes,
            opts.encoding,
            opts.sheet.as_deref(),
        ) {
            Ok(Content::Grid(grid)) => rows_from_grid(
                &input.name,
                &grid,
                &dict,
                &metrics,
                &mut problems,
                &mut warnings,
            ),
            Ok(Content::Json(text)) => rows_from_json(&input.name, &text, &metrics, &mut problems),
            Err(p) => {
                problems.push(p);
                None
            }
        };
        if let Some(rows) = rows {
            let summary = FileSummary {
                name: input.name.clone(),
                sha256,
                format: rows.format,
                rows: rows.records.len(),
                units: 0,
                new: 0,
                changed: 0,
                unchanged: 0,
            };
            files.push((summary, rows));
        }
    }

    // The month: --period, else what the files state; they must agree.
    let mut period = opts.period;
    for (summary, rows) in &files {
        match (period, rows.stated) {
            (Some(p), Some(s)) if p != s => problems.push(Problem::file(
                &summary.name,
                format!(
                    "tệp ghi {} nhưng đang nhập cho {}",
                    s.label_vi(),
                    if opts.period.is_some() {
                        format!("--period {p}")
                    } else {
                        p.label_vi()
                    }
                ),
                "kiểm tra lại tệp hoặc --period",
            )),
            (None, Some(s)) => period = Some(s),
            _ => {}
        }
    }
    let Some(period) = period else {
        if problems.is_empty() || !files.is_empty() {
            problems.push(Problem {
                file: files.first().map_or_else(
                    || inputs.first().map(|i| i.name.clone()).unwrap_or_default(),
                    |f| f.0.name.clone(),
                ),
                place: None,
                column: None,
                value: None,
                message: "không biết số liệu của tháng nào: tệp không ghi tháng".into(),
                hint: Some("thêm --period YYYY-MM, ví dụ --period 2024-08".into()),
            });
        }
        return Err(ImportError::Rejected {
            problems,
            conflicts: vec![],
        });
    };

    let index = UnitIndex::load(conn)?;
    let parent_id = index.parent().map(|u| u.id);
    let stored = values::load_period(conn, &period.to_string())?;
    let mut new_units: Vec<(String, UnitKind)> = Vec::new();
    let mut new_by_key: HashMap<String, usize> = HashMap::new();
    let mut new_by_fold: HashMap<String, usize> = HashMap::new();
    let mut seen: HashMap<(UnitRef, usize), (String, String)> = HashMap::new();
    let mut changes = Vec::new();
    let mut conflicts = Vec::new();
    let mut summaries = Vec::new();

    for (file_index, (mut summary, rows)) in files.into_iter().enumerate() {
        let mut units_in_file: HashMap<UnitRef, ()> = HashMap::new();
        for record in rows.records {
            let problem =
                |place: &str, column: &str, value: &str, message: String, hint: Option<String>| {
                    Problem {
                        file: summary.name.clone(),
                        place: Some(place.to_owned()),
                        column: Some(column.to_owned()),
                        value: Some(text::show(value)),
                        message,
                        hint,
                    }
                };
            if text::find_control(&record.unit_name).is_some() {
                problems.push(problem(
                    &record.place,
                    &record.unit_column,
                    &record.unit_name,
                    "tên đơn vị chứa ký tự điều khiển".into(),
                    Some("sửa ô này trong tệp rồi nhập lại".into()),
                ));
                continue;
            }
            let name = text::clean(&record.unit_name);
            let unit = match index.resolve(&name) {
                Resolution::Found(id) => UnitRef::Existing(id),
                Resolution::Ambiguous(names) => {
                    problems.push(problem(
                        &record.place,
                        &record.unit_column,
                        &name,
                        format!("tên khớp nhiều đơn vị: {}", units::quote_list(&names)),
                        Some("ghi đầy đủ tên đơn vị (kèm \"Xã\", \"Thị trấn\"…) trong tệp".into()),
                    ));
                    continue;
                }
                Resolution::Unknown { similar } if !similar.is_empty() => {
                    problems.push(problem(
                        &record.place,
                        &record.unit_column,
                        &name,
                        format!(
                            "không có đơn vị này; có phải {}?",
                            units::quote_list(&similar)
                        ),
                        Some(suggest_commands(&opts.cmd, &name, &similar[0])),
                    ));
                    continue;
                }
                Resolution::Unknown { .. } if opts.create_units && !record.must_be_parent => {
                    let key = text::match_key(&name);
                    let folded = text::fold(&name);
                    if let Some(&i) = new_by_key.get(&key) {
                        UnitRef::New(i)
                    } else if let Some(&i) = new_by_fold.get(&folded) {
                        let other = new_units[i].0.clone();
                        problems.push(problem(
                            &record.place,
                            &record.unit_column,
                            &name,
                            format!(
                                "tệp nhập viết cả \"{other}\" và \"{name}\": một đơn vị hay hai?"
                            ),
                            Some(format!(
                                "nếu là một: sửa tệp cho thống nhất, hoặc nhập tệp có \"{other}\" trước rồi chạy\n  {} units alias {} --to {}\nnếu là hai: {} units add {}",
                                opts.cmd,
                                shell_quote(&name),
                                shell_quote(&other),
                                opts.cmd,
                                shell_quote(&name)
                            )),
                        ));
                        continue;
                    } else {
                        let kind = units::kind_for(&name, record.kind, false);
                        new_units.push((name.clone(), kind));
                        new_by_key.insert(key, new_units.len() - 1);
                        new_by_fold.insert(folded, new_units.len() - 1);
                        UnitRef::New(new_units.len() - 1)
                    }
                }
                Resolution::Unknown { .. } => {
                    // One wording for all unknown names: printed once, not per row.
                    let hint = if record.must_be_parent {
                        "tên đơn vị cấp trên trong tệp phải khớp tên đã tạo bằng `chiso init`"
                            .to_string()
                    } else {
                        format!(
                            "nếu là đơn vị mới: {cmd} units add \"TÊN\", hoặc nhập lại với --create-units\nnếu là cách viết khác của đơn vị đã có: {cmd} units alias \"TÊN\" --to \"TÊN ĐÃ CÓ\"",
                            cmd = opts.cmd
                        )
                    };
                    problems.push(problem(
                        &record.place,
                        &record.unit_column,
                        &name,
                        "không có đơn vị này".into(),
                        Some(hint),
                    ));
                    continue;
                }
            };
            if record.must_be_parent && unit != UnitRef::Existing(parent_id.unwrap_or(-1)) {
                problems.push(problem(
                    &record.place,
                    &record.unit_column,
                    &name,
                    "đây không phải đơn vị cấp trên của cơ sở dữ liệu".into(),
                    None,
                ));
                continue;
            }
            units_in_file.insert(unit, ());
            for rc in record.cells {
                let metric = &metrics[rc.metric];
                let new = match value::parse_cell(metric, &rc.cell) {
                    Ok(Some(v)) => v,
                    Ok(None) => continue,
                    Err(message) => {
                        problems.push(problem(
                            &rc.place,
                            &rc.column,
                            &header::cell_text(&rc.cell),
                            message,
                            None,
                        ));
                        continue;
                    }
                };
                let here = (summary.name.clone(), rc.place.clone());
                if let Some((f, p)) = seen.get(&(unit, rc.metric)) {
                    problems.push(problem(
                        &rc.place,
                        &rc.column,
                        &name,
                        format!(
                            "đơn vị có hai giá trị {} trong cùng lần nhập (lần đầu: {f}, {p})",
                            metric.code
                        ),
                        Some("bỏ dòng trùng rồi nhập lại".into()),
                    ));
                    continue;
                }
                seen.insert((unit, rc.metric), here);
                let old = match unit {
                    UnitRef::Existing(id) => stored.get(&(id, metric.id)),
                    UnitRef::New(_) => None,
                };
                match old {
                    Some(old) if same(old, &new) => summary.unchanged += 1,
                    Some(old) => {
                        summary.changed += 1;
                        if !opts.replace {
                            conflicts.push(Conflict {
                                file: summary.name.clone(),
                                place: rc.place.clone(),
                                unit: unit_name(&index, &new_units, unit),
                                metric: metric.code.clone(),
                                stored: show_value(old),
                                new: show_value(&new),
                            });
                        }
                        changes.push(PlannedChange {
                            file: file_index,
                            unit,
                            unit_name: unit_name(&index, &new_units, unit),
                            metric: rc.metric,
                            old: Some(old.clone()),
                            new,
                        });
                    }
                    None => {
                        summary.new += 1;
                        changes.push(PlannedChange {
                            file: file_index,
                            unit,
                            unit_name: unit_name(&index, &new_units, unit),
                            metric: rc.metric,
                            old: None,
                            new,
                        });
                    }
                }
            }
        }
        summary.units = units_in_file.len();
        summaries.push(summary);
    }

    if !problems.is_empty() || !conflicts.is_empty() {
        return Err(ImportError::Rejected {
            problems,
            conflicts,
        });
    }
    Ok(Plan {
        period,
        metrics,
        files: summaries,
        new_units,
        changes,
        warnings,
    })
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => x == y,
        (Value::Label(x), Value::Label(y)) => x == y,
        _ => false,
    }
}

fn unit_name(index: &UnitIndex, new_units: &[(String, UnitKind)], unit: UnitRef) -> String {
    match unit {
        UnitRef::Existing(id) => index.get(id).map(|u| u.name.clone()).unwrap_or_default(),
        UnitRef::New(i) => new_units[i].0.clone(),
    }
}

/// The two ways out when a name matches a unit only without accents.
fn suggest_commands(cmd: &str, name: &str, existing: &str) -> String {
    format!(
        "nếu là cùng một đơn vị, chạy một trong hai lệnh rồi nhập lại:\n  {cmd} units alias {n} --to {e}    (giữ tên \"{existing}\", nhận thêm cách viết này)\n  {cmd} units rename {e} --to {n}    (đổi tên thành \"{name}\", tên cũ thành bí danh)\nnếu là đơn vị khác: {cmd} units add {n}",
        n = shell_quote(name),
        e = shell_quote(existing),
    )
}

/// Quotes a name for a POSIX shell command the user can paste.
pub fn shell_quote(s: &str) -> String {
    if s.chars().any(|c| matches!(c, '"' | '$' | '`' | '\\' | '!')) {
        format!("'{}'", s.replace('\'', "'\\''"))
    } else {
        format!("\"{s}\"")
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn rows_from_grid(
    file: &str,
    grid: &Grid,
    dict: &HeaderDictionary,
    metrics: &[Metric],
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<String>,
) -> Option<FileRows> {
    let Some(head) = header::find_header(grid, dict) else {
        let wanted: Vec<&str> = metrics.iter().take(7).map(|m| m.label.as_str()).collect();
        problems.push(Problem::file(
            file,
            "không tìm thấy dòng tiêu đề (cần cột \"Đơn vị\" và ít nhất một cột chỉ số)".into(),
            &format!(
                "tiêu đề nhận được: Đơn vị, STT, {} (hoặc mã: processing, satisfaction, …)",
                wanted.join(", ")
            ),
        ));
        return None;
    };
    let unit_col = head
        .columns
        .iter()
        .position(|c| *c == Column::Unit)
        .unwrap_or(0);
    if head.columns.iter().filter(|c| **c == Column::Unit).count() > 1 {
        problems.push(Problem {
            file: file.to_owned(),
            place: Some(grid.place(grid.rows[head.row].line, None)),
            column: None,
            value: None,
            message: "có hơn một cột tên đơn vị".into(),
            hint: Some("giữ một cột \"Đơn vị\"".into()),
        });
    }
    let mut first_of: HashMap<usize, usize> = HashMap::new();
    for (c, col) in head.columns.iter().enumerate() {
        if let Column::Metric(m) = col
            && let Some(&other) = first_of.get(m)
        {
            problems.push(Problem {
                file: file.to_owned(),
                place: Some(grid.place(grid.rows[head.row].line, Some(c))),
                column: Some(head.labels[c].clone()),
                value: None,
                message: format!(
                    "hai cột cùng là chỉ số {} (cột \"{}\" và cột này)",
                    metrics[*m].code, head.labels[other]
                ),
                hint: Some("bỏ bớt một cột".into()),
            });
        } else if let Column::Metric(m) = col {
            first_of.insert(*m, c);
        }
    }
    for (c, label) in head.labels.iter().enumerate() {
        if text::find_control(label).is_some() {
            problems.push(Problem {
                file: file.to_owned(),
                place: Some(grid.place(grid.rows[head.row].line, Some(c))),
                column: None,
                value: Some(text::show(label)),
                message: "tiêu đề cột chứa ký tự điều khiển".into(),
                hint: Some("sửa dòng tiêu đề trong tệp rồi nhập lại".into()),
            });
        }
    }
    let unknown: Vec<String> = head
        .columns
        .iter()
        .filter_map(|c| match c {
            Column::Unknown(s) => Some(format!("\"{}\"", text::show(s))),
            _ => None,
        })
        .collect();
    if !unknown.is_empty() {
        warnings.push(format!(
            "{file}: bỏ qua các cột không nhận ra: {}",
            unknown.join(", ")
        ));
    }
    let width = head.columns.len();
    let mut records = Vec::new();
    for row in &grid.rows[head.row + 1..] {
        if row.cells.iter().all(|c| *c == Cell::Empty) {
            continue;
        }
        // Trailing empty fields beyond the header are harmless (Excel adds them).
        let used = row
            .cells
            .iter()
            .rposition(|c| *c != Cell::Empty)
            .map_or(0, |i| i + 1);
        if used > width || (grid.sheet.is_none() && row.cells.len() < width) {
            problems.push(Problem {
                file: file.to_owned(),
                place: Some(grid.place(row.line, None)),
                column: None,
                value: None,
                message: format!(
                    "dòng có {} ô nhưng dòng tiêu đề có {width} cột",
                    if used > width { used } else { row.cells.len() }
                ),
                hint: Some("kiểm tra dấu phân cách hoặc ô thừa/thiếu ở dòng này".into()),
            });
            continue;
        }
        let unit_cell = row.cells.get(unit_col).cloned().unwrap_or(Cell::Empty);
        let unit_name = header::cell_text(&unit_cell);
        let mut cells = Vec::new();
        for (c, col) in head.columns.iter().enumerate() {
            let cell = row.cells.get(c).cloned().unwrap_or(Cell::Empty);
            match col {
                Column::Metric(m) => cells.push(RecordCell {
                    metric: *m,
                    column: head.labels[c].clone(),
                    place: grid.place(row.line, Some(c)),
                    cell,
                }),
                Column::Unknown(_) | Column::Blank | Column::Ordinal => {
                    if let Cell::Text(s) = &cell
                        && text::find_control(s).is_some()
                    {
                        problems.push(Problem {
                            file: file.to_owned(),
                            place: Some(grid.place(row.line, Some(c))),
                            column: Some(head.labels[c].clone()),
                            value: Some(text::show(s)),
                            message: "ô chứa ký tự điều khiển".into(),
                            hint: None,
                        });
                    }
                }
                Column::Unit => {}
            }
        }
        if unit_name.trim().is_empty() {
            if cells.iter().any(|c| c.cell != Cell::Empty) {
                problems.push(Problem {
                    file: file.to_owned(),
                    place: Some(grid.place(row.line, Some(unit_col))),
                    column: Some(head.labels[unit_col].clone()),
                    value: None,
                    message: "dòng có số liệu nhưng thiếu tên đơn vị".into(),
                    hint: Some("điền tên đơn vị hoặc xoá dòng".into()),
                });
            }
            continue;
        }
        records.push(Record {
            place: grid.place(row.line, Some(unit_col)),
            unit_column: head.labels[unit_col].clone(),
            unit_name,
            kind: None,
            must_be_parent: false,
            cells,
        });
    }
    Some(FileRows {
        format: grid.format,
        stated: header::stated_period(grid, head.row),
        records,
    })
}

/// chiso's own JSON export read back (see `export::json`).
fn rows_from_json(
    file: &str,
    text_in: &str,
    metrics: &[Metric],
    problems: &mut Vec<Problem>,
) -> Option<FileRows> {
    let bad = |place: &str, message: String| Problem {
        file: file.to_owned(),
        place: Some(place.to_owned()),
        column: None,
        value: None,
        message,
        hint: None,
    };
    let doc: serde_json::Value = match serde_json::from_str(text_in) {
        Ok(v) => v,
        Err(e) => {
            problems.push(Problem {
                file: file.to_owned(),
                place: Some(format!("dòng {}, cột {}", e.line(), e.column())),
                column: None,
                value: None,
                message: format!("JSON không hợp lệ: {e}"),
                hint: Some("tệp JSON phải có dạng của `chiso export --format json`".into()),
            });
            return None;
        }
    };
    let stated = match doc.get("period") {
        Some(serde_json::Value::String(s)) => match Period::parse(s) {
            Some(p) => Some(p),
            None => {
                problems.push(bad(
                    "period",
                    format!("tháng không hợp lệ: \"{}\"", text::show(s)),
                ));
                None
            }
        },
        _ => None,
    };
    let mut records = Vec::new();
    let mut entries: Vec<(String, &serde_json::Value, bool)> = Vec::new();
    if let Some(p) = doc.get("parent").filter(|p| !p.is_null()) {
        entries.push(("parent".into(), p, true));
    }
    match doc.get("units") {
        Some(serde_json::Value::Array(list)) => {
            for (i, u) in list.iter().enumerate() {
                entries.push((format!("units[{i}]"), u, false));
            }
        }
        _ => problems.push(bad("units", "thiếu danh sách \"units\"".into())),
    }
    for (place, entry, is_parent) in entries {
        let Some(name) = entry.get("name").and_then(|n| n.as_str()) else {
            problems.push(bad(&format!("{place}.name"), "thiếu tên đơn vị".into()));
            continue;
        };
        let kind = entry
            .get("kind")
            .and_then(|k| k.as_str())
            .and_then(UnitKind::parse);
        let mut cells = Vec::new();
        if let Some(serde_json::Value::Object(vals)) = entry.get("values") {
            for (code, v) in vals {
                let here = format!("{place}.values.{code}");
                let Some(m) = metrics.iter().position(|m| m.code == *code) else {
                    problems.push(bad(
                        &here,
                        format!("không có chỉ số mã \"{}\"", text::show(code)),
                    ));
                    continue;
                };
                let cell = match v {
                    serde_json::Value::Number(n) => Cell::Num(n.as_f64().unwrap_or(f64::NAN)),
                    serde_json::Value::String(s) => Cell::Text(s.clone()),
                    serde_json::Value::Null => Cell::Empty,
                    other => Cell::Text(other.to_string()),
                };
                cells.push(RecordCell {
                    metric: m,
                    column: code.clone(),
                    place: here,
                    cell,
                });
            }
        }
        records.push(Record {
            place: format!("{place}.name"),
            unit_column: "name".into(),
            unit_name: name.to_owned(),
            kind,
            must_be_parent: is_parent,
            cells,
        });
    }
    Some(FileRows {
        format: Format::Json,
        stated,
        records,
    })
}

/// Writes a plan in one transaction: new units, the month, provenance of
/// each file and every changed value with its audit row.
pub fn apply(db: &mut Db, plan: &Plan, actor: &Actor, command: &str) -> Result<(), ImportError> {
    if plan.is_noop() {
        return Ok(());
    }
    let period = plan.period.to_string();
    db.write(|tx| {
        let cs = db::begin_changeset(tx, actor, "import", command)?;
        let mut new_ids = Vec::with_capacity(plan.new_units.len());
        for (name, kind) in &plan.new_units {
            new_ids.push(units::add(tx, cs, name, *kind, false)?.id);
        }
        db::ensure_period(tx, &period)?;
        let mut import_ids = Vec::with_capacity(plan.files.len());
        for f in &plan.files {
            tx.prepare_cached(
                "INSERT INTO imports (changeset_id, file_name, sha256, format, period, rows, values_new, values_changed, values_unchanged)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(rusqlite::params![
                cs,
                f.name,
                f.sha256,
                f.format.to_string(),
                period,
                f.rows as i64,
                f.new as i64,
                f.changed as i64,
                f.unchanged as i64
            ])?;
            import_ids.push(tx.last_insert_rowid());
        }
        for c in &plan.changes {
            let unit_id = match c.unit {
                UnitRef::Existing(id) => id,
                UnitRef::New(i) => new_ids[i],
            };
            values::apply(
                tx,
                cs,
                Some(import_ids[c.file]),
                &values::Change {
                    period: &period,
                    unit_id,
                    metric_id: plan.metrics[c.metric].id,
                    old: c.old.as_ref(),
                    new: Some(&c.new),
                },
            )?;
        }
        Ok(())
    })
}
