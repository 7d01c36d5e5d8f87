//! From a file's grid (or JSON) to records: a unit name and its metric
//! cells per row. Locations stay numbers until a message needs them.

// A file fails at most once, so a large error value costs nothing here.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;

use crate::db::Catalog;
use crate::model::{MetricKind, Period, UnitKind};
use crate::text;

use super::header::{self, Column, HeaderDictionary};
use super::read::{self, Cell, Content, Format, Grid};
use super::{Input, Options, Problem, Problems};

/// Where a file's rows and columns are, for messages.
pub enum Places {
    Text,
    Sheet { name: String, first_col: u32 },
    Json,
}

/// One data row, before units and values are resolved.
pub struct Record {
    /// Line (text), row (sheet) or index in "units" (JSON; parent = None).
    pub line: u64,
    pub json_parent: bool,
    pub unit_col: u32,
    /// Boxed, as `cells`: a record is held for every row of a file until
    /// it is checked, so its size is what a million-row file costs.
    pub unit_name: Box<str>,
    pub kind: Option<UnitKind>,
    /// (catalog index, column index, cell); 32-bit, as a file may hold
    /// a million rows.
    pub cells: Box<[(u32, u32, Cell)]>,
}

/// The period a file states (title rows, or JSON's "period"), where.
#[derive(Debug, Clone)]
pub struct StatedPeriod {
    pub period: Period,
    /// "dòng 1", "ô A1 (trang Sheet1)", "period".
    pub place: String,
}

pub struct ParsedFile {
    pub name: String,
    pub sha256: String,
    pub format: Format,
    pub stated: Option<StatedPeriod>,
    /// Column headers as written (JSON: the metric codes, by catalog index).
    pub labels: Vec<String>,
    pub places: Places,
    pub records: Vec<Record>,
}

impl ParsedFile {
    /// "dòng 12", "ô C12 (trang Sheet1)", "units[3].values.score" …
    pub fn place(&self, rec: &Record, col: Option<usize>) -> String {
        match &self.places {
            Places::Text => format!("dòng {}", rec.line),
            Places::Sheet { name, first_col } => match col {
                Some(c) => format!(
                    "ô {}{} (trang {name})",
                    read::column_letters(first_col + c as u32),
                    rec.line
                ),
                None => format!("dòng {} (trang {name})", rec.line),
            },
            Places::Json => {
                let base = if rec.json_parent {
                    "parent".to_owned()
                } else {
                    format!("units[{}]", rec.line)
                };
                match col {
                    Some(c) if c != rec.unit_col as usize => {
                        format!("{base}.values.{}", self.labels[c])
                    }
                    _ => format!("{base}.name"),
                }
            }
        }
    }

    pub fn column(&self, col: usize) -> String {
        self.labels.get(col).cloned().unwrap_or_default()
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Reads every input; problems and warnings of all files are collected.
pub fn parse_all(
    inputs: &[Input],
    cat: &Catalog,
    dict: &HeaderDictionary,
    opts: &Options,
    problems: &mut Problems,
    warnings: &mut Vec<String>,
) -> Vec<ParsedFile> {
    use sha2::{Digest, Sha256};
    let mut files = Vec::new();
    for input in inputs {
        let sha256 = hex(&Sha256::digest(&input.bytes));
        let parsed = match read::read(
            &input.name,
            &input.bytes,
            opts.encoding,
            opts.sheet.as_deref(),
        ) {
            Ok(Content::Grid(grid)) => from_grid(
                &input.name,
                grid,
                &mut std::iter::empty(),
                dict,
                cat,
                problems,
                warnings,
            ),
            Ok(Content::Text(text)) => {
                // The first delimiter under which a header row appears wins
                // (judged on the rows a header may be in, so the whole file
                // is read once); if none, the sniffed one reports what is
                // wrong.
                let formats = read::delimiters(&text);
                let has_header = |f: Format| {
                    read::delimited_head(&input.name, &text, f, header::HEADER_ROWS)
                        .is_ok_and(|g| header::find_header(&g, dict).is_some())
                };
                let format = formats
                    .iter()
                    .copied()
                    .find(|f| has_header(*f))
                    .unwrap_or(formats[0]);
                // The rows a header may be in, then the rest as a stream.
                let mut rows = read::delimited_rows(&input.name, &text, format);
                let head: Result<Vec<_>, Problem> =
                    rows.by_ref().take(header::HEADER_ROWS).collect();
                match head {
                    Ok(head) => {
                        let grid = Grid {
                            format,
                            sheet: None,
                            first_col: 0,
                            sheets: Vec::new(),
                            rows: head,
                        };
                        from_grid(&input.name, grid, &mut rows, dict, cat, problems, warnings)
                    }
                    Err(p) => {
                        problems.push(p);
                        None
                    }
                }
            }
            Ok(Content::Json(t)) => from_json(&input.name, &t, cat, problems),
            Err(p) => {
                problems.push(p);
                None
            }
        };
        if let Some(mut f) = parsed {
            f.sha256 = sha256;
            files.push(f);
        }
    }
    files
}

/// Why a file has no header row, with the headers it does have (never
/// the accepted ones as if they were received).
fn no_header_problem(file: &str, grid: &Grid, dict: &HeaderDictionary, cat: &Catalog) -> Problem {
    let found = |line: u64, labels: &[String]| {
        const SHOWN: usize = 12;
        let mut list: Vec<String> = labels
            .iter()
            .take(SHOWN)
            .map(|l| format!("\"{}\"", text::show(l)))
            .collect();
        if labels.len() > SHOWN {
            list.push("…".into());
        }
        format!("{} có các cột: {}", grid.place(line, None), list.join(", "))
    };
    let metrics: Vec<&str> = cat
        .metrics
        .iter()
        .take(7)
        .map(|m| m.label.as_str())
        .collect();
    let metric_headers = format!(
        "{} (hoặc mã: processing, satisfaction, …)",
        metrics.join(", ")
    );
    let sheets = match &grid.sheet {
        Some(sheet) if grid.sheets.len() > 1 => format!(
            "\nđã đọc trang \"{sheet}\"; các trang trong tệp: {}; chọn trang bằng --sheet",
            grid.sheets.join(", ")
        ),
        _ => String::new(),
    };
    let (message, hint) = match header::no_header(grid, dict) {
        header::NoHeader::Empty => match &grid.sheet {
            Some(sheet) => (
                format!("trang \"{sheet}\" rỗng"),
                "chọn trang có bảng số liệu bằng --sheet".to_owned(),
            ),
            None => return super::read::empty(file),
        },
        header::NoHeader::NoUnitColumn(line, labels) => (
            "không có cột Đơn vị".to_owned(),
            format!(
                "{}\ncột tên đơn vị cần tiêu đề là một trong: {}",
                found(line, &labels),
                header::UNIT_HEADERS_SHOWN
            ),
        ),
        header::NoHeader::NoMetricColumn(line, labels) => (
            "không có cột chỉ số nào nhận ra được".to_owned(),
            format!(
                "{}\ntiêu đề chỉ số dùng được: {metric_headers}",
                found(line, &labels)
            ),
        ),
        header::NoHeader::Unrecognised(line, labels) => (
            "không tìm thấy dòng tiêu đề (cần cột \"Đơn vị\" và ít nhất một cột chỉ số)".to_owned(),
            format!(
                "{}\ntiêu đề dùng được: Đơn vị, STT, {metric_headers}",
                found(line, &labels)
            ),
        ),
    };
    Problem::file(file, message, &format!("{hint}{sheets}"))
}

/// Records from a grid's rows and then the `rest` still to read (the rows
/// of a text file past the first 50).
fn from_grid(
    file: &str,
    mut grid: Grid,
    rest: &mut dyn Iterator<Item = Result<read::GridRow, Problem>>,
    dict: &HeaderDictionary,
    cat: &Catalog,
    problems: &mut Problems,
    warnings: &mut Vec<String>,
) -> Option<ParsedFile> {
    // A text cell that starts like a formula was written with a leading
    // `'` (chiso's own CSV/TSV, OWASP's rule): that one `'` comes off,
    // in the rows read and in those still to read. Only in delimited
    // text: a spreadsheet stores such a name as text, unquoted.
    let delimited = !matches!(grid.format, Format::Xlsx | Format::Xls | Format::Ods);
    fn unquote(row: &mut read::GridRow) {
        for cell in &mut row.cells {
            if let Cell::Text(s) = cell
                && let Some(rest) = crate::output::unquote_cell(s)
            {
                *s = rest.to_owned();
            }
        }
    }
    if delimited {
        grid.rows.iter_mut().for_each(unquote);
    }
    let rest = rest.map(|row| {
        row.map(|mut row| {
            if delimited {
                unquote(&mut row);
            }
            row
        })
    });
    let Some(head) = header::find_header(&grid, dict) else {
        problems.push(no_header_problem(file, &grid, dict, cat));
        return None;
    };
    let head_line = grid.rows[head.row].line;
    let stated = header::stated_period(&grid, head.row).map(|s| StatedPeriod {
        period: s.period,
        place: grid.place(s.line, Some(s.col)),
    });
    // The data rows are moved out, so their cells move into records
    // uncopied, and each row is freed once read.
    let data = std::mem::take(&mut grid.rows);
    let problem = |line: u64,
                   col: Option<usize>,
                   column: Option<String>,
                   value: Option<String>,
                   message: String,
                   hint: Option<&str>| Problem {
        file: file.to_owned(),
        place: Some(grid.place(line, col)),
        column,
        value,
        message,
        hint: hint.map(str::to_owned),
    };
    let unit_col = head
        .columns
        .iter()
        .position(|c| *c == Column::Unit)
        .unwrap_or(0);
    if head.columns.iter().filter(|c| **c == Column::Unit).count() > 1 {
        problems.push(problem(
            head_line,
            None,
            None,
            None,
            "có hơn một cột tên đơn vị".into(),
            Some("giữ một cột \"Đơn vị\""),
        ));
    }
    let mut first_of: HashMap<usize, usize> = HashMap::new();
    for (c, col) in head.columns.iter().enumerate() {
        if text::find_control(&head.labels[c]).is_some() {
            problems.push(problem(
                head_line,
                Some(c),
                None,
                Some(text::show(&head.labels[c])),
                "tiêu đề cột chứa ký tự điều khiển".into(),
                Some("sửa dòng tiêu đề trong tệp rồi nhập lại"),
            ));
        }
        if let Column::Metric(m) = col {
            if let Some(&other) = first_of.get(m) {
                problems.push(problem(
                    head_line,
                    Some(c),
                    Some(head.labels[c].clone()),
                    None,
                    format!(
                        "hai cột cùng là chỉ số \"{}\" (cột \"{}\" và cột này)",
                        cat.metrics[*m].label, head.labels[other]
                    ),
                    Some("bỏ bớt một cột"),
                ));
            } else {
                first_of.insert(*m, c);
            }
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
            "{}: bỏ qua các cột không nhận ra: {}",
            text::escape(file),
            unknown.join(", ")
        ));
    }
    let metric_cols: Vec<(usize, usize)> = head
        .columns
        .iter()
        .enumerate()
        .filter_map(|(c, col)| match col {
            Column::Metric(m) => Some((*m, c)),
            _ => None,
        })
        .collect();
    let width = head.columns.len();
    let mut records = Vec::with_capacity(
        data.len().saturating_sub(head.row + 1) + rest.size_hint().1.unwrap_or(0),
    );
    // The first five skipped rows named, the rest counted.
    let (mut skipped, mut skipped_count): (Vec<String>, usize) = (Vec::new(), 0);
    for row in data.into_iter().skip(head.row + 1).map(Ok).chain(rest) {
        let mut row = match row {
            Ok(row) => row,
            Err(p) => {
                problems.push(p);
                return None;
            }
        };
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
            let n = if used > width { used } else { row.cells.len() };
            problems.push(problem(
                row.line,
                None,
                None,
                None,
                format!("dòng có {n} ô nhưng dòng tiêu đề có {width} cột"),
                Some("kiểm tra dấu phân cách hoặc ô thừa/thiếu ở dòng này"),
            ));
            continue;
        }
        // Text outside the metric columns is not stored, but must be clean too.
        for (c, cell) in row.cells.iter().enumerate() {
            if let Cell::Text(s) = cell
                && c != unit_col
                && !matches!(head.columns[c], Column::Metric(_))
                && text::find_control(s).is_some()
            {
                problems.push(problem(
                    row.line,
                    Some(c),
                    Some(head.labels[c].clone()),
                    Some(text::show(s)),
                    "ô chứa ký tự điều khiển".into(),
                    None,
                ));
            }
        }
        // Moved out of its cell, not copied: one string per row, not two.
        let unit_name = match row.cells.get_mut(unit_col) {
            Some(Cell::Text(t)) => std::mem::take(t),
            Some(other) => header::cell_text(other),
            None => String::new(),
        };
        let cells: Vec<(u32, u32, Cell)> = metric_cols
            .iter()
            .map(|&(m, c)| {
                (
                    m as u32,
                    c as u32,
                    row.cells
                        .get_mut(c)
                        .map(std::mem::take)
                        .unwrap_or(Cell::Empty),
                )
            })
            .collect();
        // Blank, or only spaces and invisible characters (zero-width
        // space, BOM, soft hyphen): no name.
        if unit_name.trim().is_empty()
            || (!unit_name.chars().any(char::is_alphanumeric) && text::clean(&unit_name).is_empty())
        {
            if cells.iter().any(|c| c.2 != Cell::Empty) {
                problems.push(problem(
                    row.line,
                    Some(unit_col),
                    Some(head.labels[unit_col].clone()),
                    None,
                    "dòng có số liệu nhưng thiếu tên đơn vị".into(),
                    Some("điền tên đơn vị hoặc xoá dòng"),
                ));
            }
            continue;
        }
        // A named row without a single figure (a signature line, a note, a
        // unit with nothing this month) carries nothing to store: skipped
        // and said, so it neither creates a unit nor stops the import.
        if cells.iter().all(|c| c.2 == Cell::Empty) {
            skipped_count += 1;
            if skipped.len() < 5 {
                skipped.push(format!("dòng {} \"{}\"", row.line, text::show(&unit_name)));
            }
            continue;
        }
        records.push(Record {
            line: row.line,
            json_parent: false,
            unit_col: unit_col as u32,
            unit_name: unit_name.into_boxed_str(),
            kind: None,
            cells: cells.into_boxed_slice(),
        });
    }
    // Excel stores a cell shown as "93,45%" as 0.9345. A percent column
    // whose numbers all lie in [0, 1] is read that way: refused, not guessed.
    if grid.sheet.is_some() {
        for &(m, c) in &metric_cols {
            if cat.metrics[m].kind != MetricKind::Percent {
                continue;
            }
            let nums: Vec<f64> = records
                .iter()
                .filter_map(|r| r.cells.iter().find(|x| x.1 as usize == c))
                .filter_map(|x| match x.2 {
                    Cell::Num(v) => Some(v),
                    _ => None,
                })
                .collect();
            if !nums.is_empty()
                && nums.iter().all(|v| (0.0..=1.0).contains(v))
                && nums.iter().any(|v| *v > 0.0)
            {
                problems.push(problem(
                    head_line,
                    Some(c),
                    Some(head.labels[c].clone()),
                    None,
                    "mọi số trong cột đều từ 0 đến 1: có vẻ ô được định dạng phần trăm trong Excel (93,45% được lưu là 0,9345)".into(),
                    Some("trong Excel, đổi định dạng cột sang Number (số) để thấy 93,45 rồi lưu lại, sau đó nhập lại"),
                ));
            }
        }
    }
    if !skipped.is_empty() {
        let more = if skipped_count > 5 {
            format!(" và {} dòng khác", skipped_count - 5)
        } else {
            String::new()
        };
        warnings.push(format!(
            "{}: bỏ qua {} dòng không có số liệu: {}{more}",
            text::escape(file),
            skipped_count,
            skipped.join(", ")
        ));
    }
    if records.is_empty() {
        warnings.push(format!(
            "{}: không có dòng số liệu nào dưới dòng tiêu đề",
            text::escape(file)
        ));
    }
    Some(ParsedFile {
        name: file.to_owned(),
        sha256: String::new(),
        format: grid.format,
        stated,
        labels: head.labels,
        places: match &grid.sheet {
            Some(name) => Places::Sheet {
                name: name.clone(),
                first_col: grid.first_col,
            },
            None => Places::Text,
        },
        records,
    })
}

/// chiso's own JSON export read back (see `export::json`).
fn from_json(
    file: &str,
    text_in: &str,
    cat: &Catalog,
    problems: &mut Problems,
) -> Option<ParsedFile> {
    let bad = |place: String, message: String| Problem {
        file: file.to_owned(),
        place: Some(place),
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
            Some(period) => Some(StatedPeriod {
                period,
                place: "period".into(),
            }),
            None => {
                problems.push(bad(
                    "period".into(),
                    format!(
                        "kỳ không hợp lệ: \"{}\"{}; viết tháng 2024-08, quý 2025-Q3 hoặc năm 2025",
                        text::show(s),
                        crate::model::period_problem(s)
                            .map_or(String::new(), |w| format!(" ({w})"))
                    ),
                ));
                None
            }
        },
        _ => None,
    };
    // Columns: the catalog's codes, then one for the unit name.
    let mut labels: Vec<String> = cat.metrics.iter().map(|m| m.code.clone()).collect();
    let unit_col = labels.len();
    labels.push("name".into());
    let mut entries: Vec<(u64, &serde_json::Value, bool)> = Vec::new();
    if let Some(p) = doc.get("parent").filter(|p| !p.is_null()) {
        entries.push((0, p, true));
    }
    match doc.get("units") {
        Some(serde_json::Value::Array(list)) => {
            entries.extend(list.iter().enumerate().map(|(i, u)| (i as u64, u, false)))
        }
        _ => problems.push(bad("units".into(), "thiếu danh sách \"units\"".into())),
    }
    let mut records = Vec::new();
    for (line, entry, json_parent) in entries {
        let base = if json_parent {
            "parent".to_owned()
        } else {
            format!("units[{line}]")
        };
        let Some(name) = entry.get("name").and_then(|n| n.as_str()) else {
            problems.push(bad(format!("{base}.name"), "thiếu tên đơn vị".into()));
            continue;
        };
        let kind = entry
            .get("kind")
            .and_then(|k| k.as_str())
            .and_then(UnitKind::parse);
        let mut cells = Vec::new();
        let vals = match entry.get("values") {
            Some(serde_json::Value::Object(vals)) => Some(vals),
            None | Some(serde_json::Value::Null) => None,
            Some(_) => {
                problems.push(bad(
                    format!("{base}.values"),
                    "\"values\" phải là một đối tượng {\"mã\": giá trị}".into(),
                ));
                continue;
            }
        };
        if let Some(vals) = vals {
            for (code, v) in vals {
                let Some(m) = cat.index_of(code) else {
                    problems.push(bad(
                        format!("{base}.values.{}", text::show(code)),
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
                cells.push((m as u32, m as u32, cell));
            }
        }
        records.push(Record {
            line,
            json_parent,
            unit_col: unit_col as u32,
            unit_name: name.into(),
            kind,
            cells: cells.into_boxed_slice(),
        });
    }
    Some(ParsedFile {
        name: file.to_owned(),
        sha256: String::new(),
        format: Format::Json,
        stated,
        labels,
        places: Places::Json,
        records,
    })
}
