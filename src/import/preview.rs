//! What a paste or a file would change, cell by cell, before anything is
//! written: new, changed (old → new), unchanged or invalid (and why), and
//! for a name that matches a unit only without accents, the suggestion to
//! accept. Then all of it in one transaction, checked against the values
//! the preview showed. The TUI's paste and `i` show it; the parsing and
//! matching are the import's own.

use rustc_hash::FxHashMap as HashMap;

use rusqlite::Connection;

use super::header::{self, HeaderDictionary};
use super::parse::{self, ParsedFile};
use super::read::{self, Cell, Format, Grid};
use super::{Input, Options, Problem, Problems, show_value};
use crate::db::units::{self, Resolution, UnitIndex};
use crate::db::{self, Actor, Catalog, Db, values};
use crate::model::{Period, Value};
use crate::text;

/// Where the rows came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    Paste,
    /// Files, with what the `imports` table records of each.
    Files(Vec<FileInfo>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct FileInfo {
    pub name: String,
    pub sha256: String,
    pub format: String,
    pub rows: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    New,
    Changed,
    Unchanged,
    Invalid(String),
}

/// One cell of the preview.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewCell {
    /// Catalog index of the metric.
    pub metric: usize,
    /// The text as given, safe to print.
    pub text: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
    pub status: Status,
    /// Index into the files of `Origin::Files` (0 for a paste).
    pub file: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RowUnit {
    Found(i64),
    /// Matches only without accents: the operator accepts (then the name
    /// is saved as an alias of the unit) or the row cannot be applied.
    Suggested {
        unit_id: i64,
        unit_name: String,
        accepted: bool,
    },
    Invalid(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct PreviewRow {
    /// "dòng 3", "ô B7 (trang Sheet1)".
    pub place: String,
    /// The name as given (safe to print), or the unit's for rows by position.
    pub name: String,
    pub unit: RowUnit,
    pub cells: Vec<PreviewCell>,
}

impl PreviewRow {
    /// The unit the row writes to, once resolved or accepted.
    pub fn unit_id(&self) -> Option<i64> {
        match &self.unit {
            RowUnit::Found(id) => Some(*id),
            RowUnit::Suggested {
                unit_id,
                accepted: true,
                ..
            } => Some(*unit_id),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    pub period: Period,
    pub origin: Origin,
    pub rows: Vec<PreviewRow>,
    /// What stops the whole input (no header in a file, another month …).
    pub problems: Vec<String>,
}

/// Totals shown above the preview.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub invalid: usize,
    /// Rows whose unit is not settled (unknown, or a suggestion not accepted).
    pub unresolved: usize,
}

impl Preview {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for r in &self.rows {
            if r.unit_id().is_none() {
                c.unresolved += 1;
            }
            // Cells of a row with no unit go nowhere: not counted.
            if matches!(r.unit, RowUnit::Invalid(_)) {
                continue;
            }
            for cell in &r.cells {
                match cell.status {
                    Status::New => c.new += 1,
                    Status::Changed => c.changed += 1,
                    Status::Unchanged => c.unchanged += 1,
                    Status::Invalid(_) => c.invalid += 1,
                }
            }
        }
        c
    }

    /// Can `apply` run: nothing invalid, every row's unit settled.
    pub fn ready(&self) -> bool {
        let c = self.counts();
        self.problems.is_empty() && c.invalid == 0 && c.unresolved == 0
    }

    /// Accepts a row's suggested unit; false if the row has none.
    pub fn accept(&mut self, row: usize) -> bool {
        match self.rows.get_mut(row).map(|r| &mut r.unit) {
            Some(RowUnit::Suggested { accepted, .. }) => {
                *accepted = true;
                true
            }
            _ => false,
        }
    }
}

/// Where a paste without a header row goes: the month's metric columns
/// from the cursor's column on, and the units of the rows from the
/// cursor's row on (used when the paste has no names).
pub struct Target<'a> {
    pub period: Period,
    pub columns: &'a [usize],
    pub rows: &'a [i64],
}

const PASTE: &str = "nội dung dán";

/// Problems a preview lists whole before counting the rest by kind.
pub const SHOWN_PROBLEMS: usize = 10;

/// A pasted text (tab-separated, as browsers and spreadsheets copy).
/// With a header row its columns map by header as in a file import;
/// without, to `target`'s columns, and rows by the names in the first
/// column (after an STT column, if any) or, with no names, by position.
pub fn from_paste(conn: &Connection, text: &str, target: &Target<'_>) -> rusqlite::Result<Preview> {
    let cat = Catalog::load(conn)?;
    let dict = HeaderDictionary::new(&cat.metrics, &db::load_metric_headers(conn)?);
    let grid = read::delimited(PASTE, text, Format::Tsv);
    let mut preview = Preview {
        period: target.period,
        origin: Origin::Paste,
        rows: Vec::new(),
        problems: Vec::new(),
    };
    let grid = match grid {
        Ok(g) => g,
        Err(p) => {
            preview.problems.push(p.to_string());
            return Ok(preview);
        }
    };
    if header::find_header(&grid, &dict).is_some() {
        let input = Input {
            name: PASTE.into(),
            bytes: text.as_bytes().to_vec(),
        };
        return files_preview(
            conn,
            &cat,
            &dict,
            &[input],
            Some(target.period),
            Origin::Paste,
            &ReadOptions::default(),
        );
    }
    let index = UnitIndex::load(conn)?;
    let stored = values::load_period(conn, target.period, &cat)?;
    preview.rows = headerless(&grid, &cat, &index, &stored, target);
    Ok(preview)
}

/// Rows of a paste without a header.
fn headerless(
    grid: &Grid,
    cat: &Catalog,
    index: &UnitIndex,
    stored: &HashMap<i64, values::Row>,
    target: &Target<'_>,
) -> Vec<PreviewRow> {
    let rows: Vec<&read::GridRow> = grid
        .rows
        .iter()
        .filter(|r| r.cells.iter().any(|c| *c != Cell::Empty))
        .collect();
    // A name is text that is not a value of the column it would fill
    // ("Khá" in a rating column, "95%" in a percent one).
    let is_text = |c: Option<&Cell>, col: usize| match c {
        Some(Cell::Text(t)) => {
            let t = t.trim();
            let value_here = target
                .columns
                .get(col)
                .is_some_and(|&m| super::value::parse_text(&cat.metrics[m], t).is_ok());
            !t.is_empty()
                && !value_here
                && t.parse::<f64>().is_err()
                && t.replace(',', ".").parse::<f64>().is_err()
        }
        _ => false,
    };
    let is_int = |c: Option<&Cell>| match c {
        Some(Cell::Text(t)) => t.trim().parse::<u32>().is_ok(),
        Some(Cell::Num(x)) => x.fract() == 0.0,
        _ => false,
    };
    // Names in the first column, or in the second after an STT column.
    let name_col = if rows.iter().any(|r| is_text(r.cells.first(), 0)) {
        Some(0)
    } else if rows.iter().all(|r| is_int(r.cells.first()))
        && rows.iter().any(|r| is_text(r.cells.get(1), 1))
    {
        Some(1)
    } else {
        None
    };
    let first_value = name_col.map_or(0, |c| c + 1);
    let mut seen: HashMap<i64, usize> = HashMap::default();
    let mut out = Vec::with_capacity(rows.len());
    // By position, a blank line is a unit left as it is: rows count from
    // the first line, not among the non-blank ones.
    let first_line = rows.first().map_or(0, |r| r.line);
    for (i, r) in rows.iter().enumerate() {
        let place = grid.place(r.line, None);
        let at = (r.line - first_line) as usize;
        let (name, unit) = match name_col {
            Some(c) => {
                let raw = match r.cells.get(c) {
                    Some(Cell::Text(t)) => t.clone(),
                    Some(Cell::Num(x)) => x.to_string(),
                    _ => String::new(),
                };
                (
                    text::show(&text::clean(&raw)),
                    resolve(index, &raw, target.period),
                )
            }
            None => match target.rows.get(at) {
                Some(&id) => (
                    index.get(id).map_or(String::new(), |u| u.name.clone()),
                    RowUnit::Found(id),
                ),
                None => (
                    String::new(),
                    RowUnit::Invalid("nhiều dòng hơn số đơn vị từ dòng đang chọn".into()),
                ),
            },
        };
        let unit = match unit {
            RowUnit::Found(id) | RowUnit::Suggested { unit_id: id, .. } => {
                if let Some(prev) = seen.insert(id, i) {
                    RowUnit::Invalid(format!(
                        "đơn vị đã có ở {}",
                        grid.place(rows[prev].line, None)
                    ))
                } else {
                    unit
                }
            }
            other => other,
        };
        let id = match &unit {
            RowUnit::Found(id) | RowUnit::Suggested { unit_id: id, .. } => Some(*id),
            RowUnit::Invalid(_) => None,
        };
        let mut cells = Vec::new();
        for (k, cell) in r.cells.iter().enumerate().skip(first_value) {
            if *cell == Cell::Empty {
                continue;
            }
            let Some(&metric) = target.columns.get(k - first_value) else {
                cells.push(PreviewCell {
                    metric: *target.columns.last().unwrap_or(&0),
                    text: text::show(&header::cell_text(cell)),
                    old: None,
                    new: None,
                    status: Status::Invalid("thừa cột: không còn cột chỉ số bên phải".into()),
                    file: 0,
                });
                continue;
            };
            let old = id
                .and_then(|id| stored.get(&id))
                .and_then(|r| r[metric].clone());
            cells.push(judge_cell(cat, metric, cell, old, 0));
        }
        out.push(PreviewRow {
            place,
            name,
            unit,
            cells,
        });
    }
    out
}

fn resolve(index: &UnitIndex, raw: &str, period: Period) -> RowUnit {
    if text::find_control(raw).is_some() {
        return RowUnit::Invalid("tên đơn vị chứa ký tự điều khiển".into());
    }
    match index.resolve_in(raw, Some(period)) {
        Resolution::Found(id) => RowUnit::Found(id),
        Resolution::NotInPeriod { why, .. } => RowUnit::Invalid(why),
        Resolution::Ambiguous(names) => RowUnit::Invalid(format!(
            "tên khớp nhiều đơn vị: {}",
            units::quote_list(&names)
        )),
        Resolution::Unknown { similar } => {
            let unit = similar
                .first()
                .and_then(|n| match index.resolve_in(n, Some(period)) {
                    Resolution::Found(id) => index.get(id),
                    _ => None,
                });
            match unit {
                Some(u) if similar.len() == 1 => RowUnit::Suggested {
                    unit_id: u.id,
                    unit_name: u.name.clone(),
                    accepted: false,
                },
                _ if similar.is_empty() => RowUnit::Invalid("không có đơn vị này".into()),
                _ => RowUnit::Invalid(format!(
                    "không có đơn vị này; có phải {}?",
                    units::quote_list(&similar)
                )),
            }
        }
    }
}

fn judge_cell(
    cat: &Catalog,
    metric: usize,
    cell: &Cell,
    old: Option<Value>,
    file: usize,
) -> PreviewCell {
    let text = text::show(&header::cell_text(cell));
    let (new, status) = match super::value::parse_cell(&cat.metrics[metric], cell) {
        Err(e) => (None, Status::Invalid(e)),
        // Empty cells are skipped before: "-" leaves the value as it is.
        Ok(None) => (None, Status::Unchanged),
        Ok(Some(v)) => {
            let status = match &old {
                None => Status::New,
                Some(o) if *o == v => Status::Unchanged,
                Some(_) => Status::Changed,
            };
            (Some(v), status)
        }
    };
    PreviewCell {
        metric,
        text,
        old,
        new,
        status,
        file,
    }
}

/// How to read the files, as `chiso import --sheet/--encoding`.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub sheet: Option<String>,
    pub encoding: Option<&'static encoding_rs::Encoding>,
}

/// Files to import, as `chiso import` reads them (several at once, title
/// rows, encodings), into the month shown.
pub fn from_files(
    conn: &Connection,
    inputs: &[Input],
    period: Period,
    read: &ReadOptions,
) -> rusqlite::Result<Preview> {
    let cat = Catalog::load(conn)?;
    let dict = HeaderDictionary::new(&cat.metrics, &db::load_metric_headers(conn)?);
    let origin = Origin::Files(Vec::new());
    files_preview(conn, &cat, &dict, inputs, Some(period), origin, read)
}

/// The months `inputs` state in their title rows, each once, in order
/// (the TUI's `i` asks for a month only when they state none).
pub fn stated_months(
    conn: &Connection,
    inputs: &[Input],
    read: &ReadOptions,
) -> rusqlite::Result<Vec<Period>> {
    let cat = Catalog::load(conn)?;
    let dict = HeaderDictionary::new(&cat.metrics, &db::load_metric_headers(conn)?);
    let opts = super::Options {
        period: None,
        create_units: false,
        replace: true,
        sheet: read.sheet.clone(),
        encoding: read.encoding,
        kind: None,
        cmd: "chiso".into(),
    };
    let files = super::parse::parse_all(
        inputs,
        &cat,
        &dict,
        &opts,
        &mut super::Problems::new(),
        &mut Vec::new(),
    );
    let mut months: Vec<Period> = files
        .iter()
        .filter_map(|f| f.stated.as_ref().map(|s| s.period))
        .collect();
    months.sort();
    months.dedup();
    Ok(months)
}

fn files_preview(
    conn: &Connection,
    cat: &Catalog,
    dict: &HeaderDictionary,
    inputs: &[Input],
    period: Option<Period>,
    origin: Origin,
    read: &ReadOptions,
) -> rusqlite::Result<Preview> {
    let opts = Options {
        period,
        create_units: false,
        replace: true,
        sheet: read.sheet.clone(),
        encoding: read.encoding,
        kind: None,
        cmd: "chiso".into(),
    };
    let mut found = Problems::new();
    let mut warnings = Vec::new();
    let files = parse::parse_all(inputs, cat, dict, &opts, &mut found, &mut warnings);
    let period = period.expect("the TUI always imports into the month shown");
    // The first few whole, then a count per kind: a broken file must not
    // fill the screen (nor memory) with one line per row.
    let mut problems: Vec<String> = found
        .iter()
        .take(SHOWN_PROBLEMS)
        .map(Problem::to_string)
        .collect();
    problems.extend(found.more_lines(SHOWN_PROBLEMS));
    for f in &files {
        let Some(s) = f.stated.as_ref().filter(|s| s.period != period) else {
            continue;
        };
        // The screen steps within a kind: another kind is the command's.
        let way = if s.period.kind() == period.kind() {
            format!(
                "chuyển sang {} đó ([ ]) rồi nhập lại",
                period.kind().word_vi()
            )
        } else {
            format!(
                "nhập bằng lệnh `chiso import {} --period {}`",
                super::shell_quote(&text::escape(&f.name)),
                s.period
            )
        };
        problems.push(format!(
            "{}, {}: tệp ghi {} nhưng đang xem {}; {way}",
            text::escape(&f.name),
            text::escape(&s.place),
            s.period.label_vi(),
            period.label_vi()
        ));
    }
    let index = UnitIndex::load(conn)?;
    let stored = values::load_period(conn, period, cat)?;
    let mut rows = Vec::new();
    for (fi, f) in files.iter().enumerate() {
        for rec in &f.records {
            rows.push(record_row(cat, &index, &stored, f, fi, rec, period));
        }
    }
    refuse_repeats(&mut rows, cat);
    let origin = match origin {
        Origin::Paste => Origin::Paste,
        Origin::Files(_) => Origin::Files(
            files
                .iter()
                .map(|f| FileInfo {
                    name: f.name.clone(),
                    sha256: f.sha256.clone(),
                    format: f.format.to_string(),
                    rows: f.records.len(),
                })
                .collect(),
        ),
    };
    Ok(Preview {
        period,
        origin,
        rows,
        problems,
    })
}

/// One unit in two files (Phụ lục 1 and 2) is fine; the same metric of
/// the same unit twice is not: the second is invalid.
fn refuse_repeats(rows: &mut [PreviewRow], cat: &Catalog) {
    let mut first: HashMap<(i64, usize), String> = HashMap::default();
    for r in rows.iter_mut() {
        let Some(id) = r.unit_id().or(match &r.unit {
            RowUnit::Suggested { unit_id, .. } => Some(*unit_id),
            _ => None,
        }) else {
            continue;
        };
        for c in &mut r.cells {
            if let Some(place) = first.get(&(id, c.metric)) {
                c.status = Status::Invalid(format!(
                    "đơn vị có hai giá trị {} (lần đầu: {place})",
                    cat.metrics[c.metric].label
                ));
            } else {
                first.insert((id, c.metric), r.place.clone());
            }
        }
    }
}

/// A file's row: the unit by name, each metric cell judged.
fn record_row(
    cat: &Catalog,
    index: &UnitIndex,
    stored: &HashMap<i64, values::Row>,
    f: &ParsedFile,
    fi: usize,
    rec: &parse::Record,
    period: Period,
) -> PreviewRow {
    // The file's name without its folder: the title lists the files.
    let short = std::path::Path::new(&f.name)
        .file_name()
        .map_or(f.name.clone(), |n| n.to_string_lossy().into_owned());
    let place = format!(
        "{} {}",
        text::escape(&short),
        text::escape(&f.place(rec, None))
    );
    let unit = resolve(index, &rec.unit_name, period);
    let id = match &unit {
        RowUnit::Found(id) | RowUnit::Suggested { unit_id: id, .. } => Some(*id),
        RowUnit::Invalid(_) => None,
    };
    let cells = rec
        .cells
        .iter()
        .filter(|(_, _, c)| *c != Cell::Empty)
        .map(|(m, _, cell)| {
            let old = id
                .and_then(|id| stored.get(&id))
                .and_then(|r| r[*m as usize].clone());
            judge_cell(cat, *m as usize, cell, old, fi)
        })
        .collect();
    PreviewRow {
        place,
        name: text::show(&text::clean(&rec.unit_name)),
        unit,
        cells,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("chưa ghi được: còn ô sai hoặc đơn vị chưa xác định")]
    NotReady,
    #[error(
        "không ghi gì: {unit}, {metric} vừa được thay đổi ở nơi khác (nay là {now}); xem lại bản xem trước"
    )]
    Changed {
        unit: String,
        metric: String,
        now: String,
    },
    #[error("{0}")]
    Unit(#[from] units::UnitError),
    #[error(transparent)]
    Db(#[from] rusqlite::Error),
}

/// Writes every new and changed cell, the accepted aliases and, for files,
/// their provenance, in one transaction. Refuses everything if a stored
/// value is no longer what the preview showed. Returns the cells written.
pub fn apply(
    db: &mut Db,
    preview: &Preview,
    actor: &Actor,
    command: &str,
) -> Result<usize, ApplyError> {
    if !preview.ready() {
        return Err(ApplyError::NotReady);
    }
    let period = preview.period;
    let aliases = preview
        .rows
        .iter()
        .any(|r| matches!(r.unit, RowUnit::Suggested { accepted: true, .. }));
    let writes = preview
        .rows
        .iter()
        .flat_map(|r| &r.cells)
        .any(|c| matches!(c.status, Status::New | Status::Changed));
    if !writes && !aliases {
        // Nothing would change: no changeset, no month touched.
        return Ok(0);
    }
    db.write(|tx| {
        let cat = Catalog::load(tx)?;
        let source = match preview.origin {
            Origin::Paste => "paste",
            Origin::Files(_) => "import",
        };
        let cs = db::begin_changeset(tx, actor, source, command)?;
        let index = UnitIndex::load(tx)?;
        for r in &preview.rows {
            if let RowUnit::Suggested {
                unit_id,
                accepted: true,
                ..
            } = &r.unit
                && let Some(u) = index.get(*unit_id)
            {
                units::add_alias(tx, cs, &r.name, u)?;
            }
        }
        let write = db::begin_period_write(tx, period)?;
        let mut import_ids = Vec::new();
        if let Origin::Files(files) = &preview.origin {
            let counts = |fi: usize| {
                let mut c = (0, 0, 0);
                for cell in preview
                    .rows
                    .iter()
                    .flat_map(|r| &r.cells)
                    .filter(|c| c.file == fi)
                {
                    match cell.status {
                        Status::New => c.0 += 1,
                        Status::Changed => c.1 += 1,
                        _ => c.2 += 1,
                    }
                }
                c
            };
            for (fi, f) in files.iter().enumerate() {
                let record = db::ImportedFile {
                    name: &f.name,
                    sha256: &f.sha256,
                    format: &f.format,
                    rows: f.rows,
                    counts: counts(fi),
                };
                import_ids.push(db::record_import(tx, cs, write, &record)?);
            }
        }
        // Per unit, the cells to write, in row order.
        let mut order: Vec<i64> = Vec::new();
        let mut by_unit: HashMap<i64, Vec<&PreviewCell>> = HashMap::default();
        for r in &preview.rows {
            let id = r.unit_id().expect("ready: every row settled");
            for c in r
                .cells
                .iter()
                .filter(|c| matches!(c.status, Status::New | Status::Changed))
            {
                by_unit
                    .entry(id)
                    .or_insert_with(|| {
                        order.push(id);
                        Vec::new()
                    })
                    .push(c);
            }
        }
        let mut written = 0;
        for id in order {
            let list = &by_unit[&id];
            // A unit merged away since the preview was made takes no value.
            db::lineage::require_exists(tx, id, period)?;
            let mut row = values::load_one(tx, period, id, &cat)?
                .unwrap_or_else(|| vec![None; cat.metrics.len()]);
            for c in list {
                if row[c.metric] != c.old {
                    return Err(ApplyError::Changed {
                        unit: index.get(id).map_or(String::new(), |u| u.name.clone()),
                        metric: cat.metrics[c.metric].label.clone(),
                        now: row[c.metric].as_ref().map_or("trống".into(), show_value),
                    });
                }
                row[c.metric] = c.new.clone();
            }
            values::put(tx, write, id, &row, &cat)?;
            // One log row per unit and file.
            let mut files: Vec<usize> = list.iter().map(|c| c.file).collect();
            files.dedup();
            for fi in files {
                let diffs: Vec<values::Diff<'_>> = list
                    .iter()
                    .filter(|c| c.file == fi)
                    .map(|c| (c.metric, c.old.as_ref(), c.new.as_ref()))
                    .collect();
                let (old, new) = values::diff_json(&diffs, &cat);
                values::log(tx, cs, import_ids.get(fi).copied(), period, id, &old, &new)?;
            }
            written += list.len();
        }
        Ok(written)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        crate::demo::build(&path).unwrap();
        let db = Db::open(&path).unwrap();
        (dir, db)
    }

    fn id(db: &Db, name: &str) -> i64 {
        db.conn()
            .query_row("SELECT id FROM units WHERE name = ?1", [name], |r| r.get(0))
            .unwrap()
    }

    fn aug() -> Period {
        Period::parse("2024-08").unwrap()
    }

    fn statuses(p: &Preview) -> Vec<Vec<Status>> {
        p.rows
            .iter()
            .map(|r| r.cells.iter().map(|c| c.status.clone()).collect())
            .collect()
    }

    #[test]
    fn a_paste_with_names_maps_to_the_columns_from_the_cursor() {
        let (_d, mut db) = demo();
        let cat = Catalog::load(db.conn()).unwrap();
        let cols: Vec<usize> = ["processing", "satisfaction", "online_payment"]
            .iter()
            .map(|c| cat.index_of(c).unwrap())
            .collect();
        let target = Target {
            period: aug(),
            columns: &cols,
            rows: &[],
        };
        // An Vỹ: processing 100 unchanged, satisfaction 100 → 95,5 changed.
        // "Binh Kieu" matches only without accents: a suggestion.
        // Dạ Trạch: a bad number. "Nowhere": no such unit.
        let text = "An Vỹ\t100\t95,5\nBinh Kieu\t40\nDạ Trạch\tabc\nNowhere\t1\n";
        let mut p = from_paste(db.conn(), text, &target).unwrap();
        assert_eq!(p.rows.len(), 4);
        assert_eq!(p.rows[0].unit, RowUnit::Found(id(&db, "An Vỹ")));
        assert_eq!(
            statuses(&p)[..2],
            [
                vec![Status::Unchanged, Status::Changed],
                vec![Status::Changed]
            ]
        );
        assert!(
            matches!(&p.rows[1].unit, RowUnit::Suggested { unit_name, accepted: false, .. } if unit_name == "Bình Kiều")
        );
        assert!(matches!(&p.rows[2].cells[0].status, Status::Invalid(_)));
        assert!(matches!(&p.rows[3].unit, RowUnit::Invalid(m) if m.contains("không có")));
        assert_eq!(
            p.counts(),
            Counts {
                new: 0,
                changed: 2,
                unchanged: 1,
                invalid: 1,
                unresolved: 2
            }
        );
        assert!(!p.ready());
        let actor = Actor {
            os_user: "op".into(),
            ssh_client: None,
        };
        assert!(matches!(
            apply(&mut db, &p, &actor, "t"),
            Err(ApplyError::NotReady)
        ));

        // Fixed: the bad rows dropped, the suggestion accepted.
        p.rows.truncate(2);
        assert!(p.accept(1));
        assert!(p.ready());
        assert_eq!(apply(&mut db, &p, &actor, "t").unwrap(), 2);
        let row = |name: &str| {
            values::load_one(db.conn(), aug(), id(&db, name), &cat)
                .unwrap()
                .unwrap()
        };
        assert_eq!(row("An Vỹ")[cols[1]], Some(Value::Num(95.5)));
        assert_eq!(row("Bình Kiều")[cols[0]], Some(Value::Num(40.0)));
        // The alias is saved: the next paste finds the unit at once.
        let again = from_paste(db.conn(), "Binh Kieu\t41\n", &target).unwrap();
        assert_eq!(again.rows[0].unit, RowUnit::Found(id(&db, "Bình Kiều")));
        let sources: Vec<String> = db
            .conn()
            .prepare("SELECT DISTINCT source FROM value_history WHERE source <> 'import'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(sources, ["paste"]);
    }

    #[test]
    fn a_paste_of_numbers_only_goes_down_the_rows_from_the_cursor() {
        let (_d, mut db) = demo();
        let cat = Catalog::load(db.conn()).unwrap();
        let cols = [cat.index_of("digitization").unwrap()];
        let rows = [id(&db, "Chí Tân"), id(&db, "Dạ Trạch")];
        let target = Target {
            period: Period::parse("2024-09").unwrap(),
            columns: &cols,
            rows: &rows,
        };
        let p = from_paste(db.conn(), "45,5\n50.25\n60\n", &target).unwrap();
        assert_eq!(p.rows[0].unit, RowUnit::Found(rows[0]));
        assert_eq!(p.rows[1].unit, RowUnit::Found(rows[1]));
        assert_eq!(p.rows[0].cells[0].new, Some(Value::Num(45.5)));
        assert_eq!(p.rows[1].cells[0].status, Status::New);
        assert!(
            matches!(&p.rows[2].unit, RowUnit::Invalid(_)),
            "a third row has no unit"
        );
        // An STT column before the names is skipped.
        let p = from_paste(db.conn(), "1\tChí Tân\t45\n2\tDạ Trạch\t46\n", &target).unwrap();
        assert_eq!(p.rows[1].unit, RowUnit::Found(rows[1]));
        assert_eq!(p.rows[1].cells[0].new, Some(Value::Num(46.0)));
        // Nothing new or changed: nothing written, not even a changeset.
        let changesets = |db: &Db| -> i64 {
            db.conn()
                .query_row("SELECT count(*) FROM changesets", [], |r| r.get(0))
                .unwrap()
        };
        let before = changesets(&db);
        let actor = Actor {
            os_user: "op".into(),
            ssh_client: None,
        };
        for text in ["\n\n", "Chí Tân\t77,6\n"] {
            let aug = Target {
                period: aug(),
                ..target
            };
            let p = from_paste(db.conn(), text, &aug).unwrap();
            assert_eq!(apply(&mut db, &p, &actor, "t").unwrap(), 0, "{text:?}");
        }
        assert_eq!(changesets(&db), before);
    }

    #[test]
    fn a_paste_with_a_header_maps_by_header_and_conflicts_refuse_all() {
        let (_d, mut db) = demo();
        let cat = Catalog::load(db.conn()).unwrap();
        let target = Target {
            period: aug(),
            columns: &[],
            rows: &[],
        };
        let text = "STT\tĐơn vị\tTỷ lệ số hóa hồ sơ\tXếp loại\n1\tAn Vỹ\t82\tKhá\n2\tAn Vỹ\t83\t\n";
        let p = from_paste(db.conn(), text, &target).unwrap();
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let dig = cat.index_of("digitization").unwrap();
        assert_eq!(p.rows[0].cells[0].metric, dig);
        assert_eq!(p.rows[0].cells[0].status, Status::Changed);
        assert_eq!(p.rows[0].cells[1].new, Some(Value::Label("Khá".into())));
        assert!(
            matches!(&p.rows[1].cells[0].status, Status::Invalid(m) if m.contains("hai giá trị"))
        );

        // Applied after someone else changed a cell it would write: nothing.
        let p = from_paste(
            db.conn(),
            // The conflicting unit second: Chí Tân's row would be written
            // first if apply were not one transaction.
            "STT\tĐơn vị\tTỷ lệ số hóa hồ sơ\n1\tChí Tân\t50\n2\tAn Vỹ\t82\n",
            &target,
        )
        .unwrap();
        let an = id(&db, "An Vỹ");
        db.conn()
            .execute(
                "UPDATE unit_values SET vals = json_set(vals, '$.digitization', 1) WHERE unit_id = ?1 AND period_id = 202408",
                [an],
            )
            .unwrap();
        let actor = Actor {
            os_user: "op".into(),
            ssh_client: None,
        };
        let err = apply(&mut db, &p, &actor, "t").unwrap_err();
        assert!(matches!(err, ApplyError::Changed { .. }), "{err}");
        let chi_tan = values::load_one(db.conn(), aug(), id(&db, "Chí Tân"), &cat)
            .unwrap()
            .unwrap();
        assert_ne!(chi_tan[dig], Some(Value::Num(50.0)), "nothing written");
    }

    #[test]
    fn a_file_with_thousands_of_broken_rows_lists_a_few_and_counts_the_rest() {
        let (_d, db) = demo();
        // Every row wider than the header: one problem per row.
        let mut text = String::from("Đơn vị\tĐiểm tổng hợp\n");
        for i in 0..5000 {
            text.push_str(&format!("Xã {i}\t80\tthừa\n"));
        }
        let input = Input {
            name: "rong.tsv".into(),
            bytes: text.into_bytes(),
        };
        let p = from_files(db.conn(), &[input], aug(), &ReadOptions::default()).unwrap();
        assert!(p.problems.len() <= SHOWN_PROBLEMS + 2, "{:?}", p.problems);
        assert!(
            p.problems
                .iter()
                .any(|l| l
                    .contains("… và 4.990 lỗi cùng loại: dòng có 3 ô nhưng dòng tiêu đề có 2 cột")),
            "{:?}",
            p.problems
        );
        assert!(!p.ready());
    }

    #[test]
    fn a_file_for_another_period_says_where_and_how_to_import_it() {
        let (_d, db) = demo();
        let input = |title: &str| Input {
            name: "q3.tsv".into(),
            bytes: format!("{title}\nĐơn vị\tĐiểm tổng hợp\nAn Vỹ\t80\n").into_bytes(),
        };
        let read = ReadOptions::default();
        let quarter = input("KẾT QUẢ QUÝ III NĂM 2024");
        assert_eq!(
            stated_months(db.conn(), std::slice::from_ref(&quarter), &read).unwrap(),
            [Period::parse("2024-Q3").unwrap()]
        );
        // Viewing a month: the screen cannot step to a quarter.
        let p = from_files(db.conn(), &[quarter], aug(), &read).unwrap();
        assert_eq!(
            p.problems,
            [
                "q3.tsv, dòng 1: tệp ghi quý III/2024 nhưng đang xem tháng 8/2024; nhập bằng lệnh `chiso import \"q3.tsv\" --period 2024-Q3`"
            ]
        );
        // Another month: step to it.
        let p = from_files(db.conn(), &[input("Kết quả tháng 7/2024")], aug(), &read).unwrap();
        assert_eq!(
            p.problems,
            [
                "q3.tsv, dòng 1: tệp ghi tháng 7/2024 nhưng đang xem tháng 8/2024; chuyển sang tháng đó ([ ]) rồi nhập lại"
            ]
        );
    }
}
