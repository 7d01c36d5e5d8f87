//! Importing a period's results (a month, a quarter or a year) from the
//! files operators have: CSV, TSV, XLSX, XLS, ODS (and chiso's own JSON
//! export), several files in one go.
//!
//! `plan` reads and checks everything and computes what would change,
//! without writing; `apply` writes a plan in one transaction. All problems of
//! all files are collected, so one run shows every fix the operator needs.

pub mod header;
pub mod lineage;
mod ods;
pub mod parse;
pub mod preview;
pub mod problems;
pub mod read;
mod sheet;
pub mod value;
mod xls;

use rustc_hash::FxHashMap as HashMap;
use std::fmt;

use rusqlite::Connection;

use crate::db::units::{self, Resolution, UnitIndex};
use crate::db::{self, Actor, Catalog, Db, values};
use crate::model::{Period, UnitKind, Value};
use crate::text;

use header::HeaderDictionary;
use parse::ParsedFile;
pub use problems::{Conflicts, Problems, ReportOptions};
use read::Format;

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
        // File names and headers come from outside: escaped, never raw.
        write!(f, "{}", text::escape(&self.file))?;
        if let Some(p) = &self.place {
            write!(f, ", {}", text::escape(p))?;
        }
        if let Some(c) = &self.column {
            write!(f, ", cột \"{}\"", text::show(c))?;
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
    /// The metric's name, as messages show it.
    pub metric: String,
    pub stored: String,
    pub new: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("dữ liệu nhập có lỗi; không ghi gì vào cơ sở dữ liệu")]
    Rejected {
        /// Boxed: a refusal is rare, a result is returned on every run.
        problems: Box<Problems>,
        conflicts: Conflicts,
        /// How the CLI shows it (`--all-errors`, `--errors FILE`).
        report: ReportOptions,
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
    /// The kind of the units `create_units` makes, when their names do not
    /// say (`import --kind`).
    pub kind: Option<UnitKind>,
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
    /// Index into `Plan::catalog.metrics`.
    pub metric: usize,
    /// The value replaced is `Plan::old(change)`, read from the stored
    /// month rather than copied here: a national import plans 70,000 of
    /// these, a hostile file a million.
    pub new: Value,
}

/// What an import would do, computed without writing.
pub struct Plan {
    pub period: Period,
    pub catalog: Catalog,
    pub files: Vec<FileSummary>,
    pub new_units: Vec<(String, UnitKind)>,
    pub changes: Vec<PlannedChange>,
    pub warnings: Vec<String>,
    index: UnitIndex,
    stored: HashMap<i64, values::Row>,
}

impl Plan {
    pub fn is_noop(&self) -> bool {
        self.changes.is_empty() && self.new_units.is_empty()
    }

    pub fn unit_name(&self, unit: UnitRef) -> &str {
        match unit {
            UnitRef::Existing(id) => self.index.get(id).map_or("", |u| u.name.as_str()),
            UnitRef::New(i) => &self.new_units[i].0,
        }
    }

    /// The stored value a change replaces (None: there was none).
    pub fn old(&self, c: &PlannedChange) -> Option<&Value> {
        match c.unit {
            UnitRef::Existing(id) => self.stored.get(&id).and_then(|r| r[c.metric].as_ref()),
            UnitRef::New(_) => None,
        }
    }

    pub fn totals(&self) -> (usize, usize, usize) {
        self.files.iter().fold((0, 0, 0), |a, f| {
            (a.0 + f.new, a.1 + f.changed, a.2 + f.unchanged)
        })
    }
}

/// Short text of a value for messages: decimal comma, labels as they are.
pub fn show_value(v: &Value) -> String {
    match v {
        Value::Num(x) => format!("{x}").replace('.', ","),
        Value::Label(s) => s.clone(),
    }
}

/// Imports files: reads and checks them all, then, in one write
/// transaction, resolves units against the stored data and writes. With
/// `dry_run` nothing is written. Returns the plan for the summary.
pub fn run(
    db: &mut Db,
    inputs: &[Input],
    opts: &Options,
    actor: &Actor,
    command: &str,
    dry_run: bool,
) -> Result<Plan, ImportError> {
    run_with(db, inputs, opts, actor, command, dry_run, &mut |_| {})
}

/// Where a long import is: what a progress line says (`chiso import` on a
/// terminal). Counts are what is done so far and the whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Reading { files: usize },
    Checking { rows: usize, of: usize },
    Writing { units: usize, of: usize },
}

/// How often a stage is reported: often enough for a line that moves,
/// rarely enough to cost nothing.
const STEP: usize = 8192;

/// `run`, telling `progress` where it is.
pub fn run_with(
    db: &mut Db,
    inputs: &[Input],
    opts: &Options,
    actor: &Actor,
    command: &str,
    dry_run: bool,
    progress: &mut dyn FnMut(Stage),
) -> Result<Plan, ImportError> {
    let cat = Catalog::load(db.conn())?;
    let dict = HeaderDictionary::new(&cat.metrics, &db::load_metric_headers(db.conn())?);
    let mut problems = Problems::new();
    let mut warnings = Vec::new();
    progress(Stage::Reading {
        files: inputs.len(),
    });
    let files = parse::parse_all(inputs, &cat, &dict, opts, &mut problems, &mut warnings);
    let first_name = inputs.first().map(|i| i.name.as_str()).unwrap_or_default();
    if dry_run {
        return plan(
            db.conn(),
            files,
            cat,
            opts,
            problems,
            warnings,
            first_name,
            progress,
        );
    }
    // Planning inside the write transaction: the "old" values it logs are
    // the ones it replaces, even with another operator writing.
    db.write(|tx| {
        let plan = plan(
            tx, files, cat, opts, problems, warnings, first_name, progress,
        )?;
        if !plan.is_noop() {
            apply(tx, &plan, actor, command, progress)?;
        }
        Ok(plan)
    })
}

/// Resolves units and values of parsed files against the database.
#[allow(clippy::too_many_arguments)]
fn plan(
    conn: &Connection,
    mut files: Vec<ParsedFile>,
    catalog: Catalog,
    opts: &Options,
    mut problems: Problems,
    mut warnings: Vec<String>,
    first_name: &str,
    progress: &mut dyn FnMut(Stage),
) -> Result<Plan, ImportError> {
    let all_rows: usize = files.iter().map(|f| f.records.len()).sum();
    let mut rows_done = 0usize;
    // The period: --period, else what the files state; they must agree.
    // A title stating a quarter is no month's, nor another quarter's.
    let mut period = opts.period;
    // The file whose title gave the period, when --period did not.
    let mut stated_by: Option<&str> = None;
    let mut wrong_period = false;
    for f in &files {
        let Some(s) = &f.stated else { continue };
        match period {
            Some(p) if p != s.period => {
                wrong_period = true;
                let (against, hint) = match stated_by {
                    None => (
                        format!("đang nhập cho --period {p}"),
                        format!(
                            "nếu tệp đúng: nhập lại với --period {} (hoặc bỏ --period); nếu --period đúng: sửa ô này trong tệp",
                            s.period
                        ),
                    ),
                    Some(first) => (
                        format!("tệp {} ghi {}", text::escape(first), p.label_vi()),
                        "mỗi lần nhập một kỳ: nhập riêng từng tệp, hoặc sửa ô này nếu ghi nhầm"
                            .into(),
                    ),
                };
                problems.push(Problem {
                    file: f.name.clone(),
                    place: Some(s.place.clone()),
                    column: None,
                    value: None,
                    message: format!("tệp ghi {} nhưng {against}", s.period.label_vi()),
                    hint: Some(hint),
                });
            }
            Some(_) => {}
            None => {
                period = Some(s.period);
                stated_by = Some(&f.name);
            }
        }
    }
    // Compared with the wrong period, every value would look changed and
    // the refusal would suggest --replace: the period is the only fix.
    if wrong_period {
        return Err(ImportError::Rejected {
            problems: Box::new(problems),
            conflicts: Conflicts::default(),
            report: ReportOptions::default(),
        });
    }
    let Some(period) = period else {
        if problems.is_empty() || !files.is_empty() {
            problems.push(Problem::file(
                files.first().map_or(first_name, |f| f.name.as_str()),
                "không biết số liệu của kỳ nào: tệp không ghi tháng, quý hay năm".into(),
                "thêm --period: tháng YYYY-MM (--period 2024-08), quý YYYY-Qn (--period 2025-Q3) hoặc năm YYYY (--period 2025)",
            ));
        }
        return Err(ImportError::Rejected {
            problems: Box::new(problems),
            conflicts: Conflicts::default(),
            report: ReportOptions::default(),
        });
    };

    let index = UnitIndex::load(conn)?;
    let parent_id = index.parent().map(|u| u.id);
    let province = index.parent().is_some_and(|p| p.is_province());
    let stored = values::load_period(conn, period, &catalog)?;
    let mut new_units: Vec<(String, UnitKind)> = Vec::new();
    let mut new_by_key: HashMap<String, usize> = HashMap::default();
    let mut new_by_fold: HashMap<String, usize> = HashMap::default();
    // Per unit, per metric: (file, record) of its first value in this
    // import, to refuse a second one. One map lookup per row, not per cell.
    let mut seen_slot: HashMap<UnitRef, usize> = HashMap::default();
    let mut seen: Vec<Option<(u32, u32)>> = Vec::new();
    let mut changes = Vec::new();
    let mut conflicts = Conflicts::default();
    let mut summaries = Vec::with_capacity(files.len());
    let mut unknown_hinted = false;
    // New units whose names a letter should not print as written.
    let mut odd_names: Vec<(String, Vec<&'static str>, String)> = Vec::new();

    for fi in 0..files.len() {
        let f = &files[fi];
        let mut summary = FileSummary {
            name: f.name.clone(),
            sha256: f.sha256.clone(),
            format: f.format,
            rows: f.records.len(),
            units: 0,
            new: 0,
            changed: 0,
            unchanged: 0,
        };
        let mut units_in_file: rustc_hash::FxHashSet<UnitRef> = Default::default();
        for ri in 0..files[fi].records.len() {
            rows_done += 1;
            if rows_done.is_multiple_of(STEP) {
                progress(Stage::Checking {
                    rows: rows_done,
                    of: all_rows,
                });
            }
            // A record's name and cells are taken as it is read: their
            // memory serves the problems that follow, not a second copy.
            let (unit_name, cells) = {
                let r = &mut files[fi].records[ri];
                (
                    std::mem::take(&mut r.unit_name),
                    std::mem::take(&mut r.cells),
                )
            };
            let f = &files[fi];
            let rec = &f.records[ri];
            let problem =
                |col: usize, value: &str, message: String, hint: Option<String>| Problem {
                    file: f.name.clone(),
                    place: Some(f.place(rec, Some(col))),
                    column: Some(f.column(col)),
                    value: Some(text::show(value)),
                    message,
                    hint,
                };
            if text::find_control(&unit_name).is_some() {
                problems.push(problem(
                    rec.unit_col as usize,
                    &unit_name,
                    "tên đơn vị chứa ký tự điều khiển".into(),
                    Some("sửa ô này trong tệp rồi nhập lại".into()),
                ));
                continue;
            }
            // Blank once invisible characters go, or too long: the rule of
            // `units add` (`clean_name`). Only names that may break it pay
            // for the check: over 200 bytes, or without a letter or digit.
            if (unit_name.len() > 200 || !unit_name.chars().any(char::is_alphanumeric))
                && let Err(e) = units::clean_name(&unit_name)
            {
                problems.push(problem(
                    rec.unit_col as usize,
                    &unit_name,
                    e.to_string(),
                    Some("sửa ô này trong tệp rồi nhập lại".into()),
                ));
                continue;
            }
            // Cleaned (NFC, spaces) only when shown or stored: matching
            // ignores form and spacing anyway.
            let name = || text::clean(&unit_name);
            let unit = match index.resolve_in(&unit_name, Some(period)) {
                Resolution::Found(id) => UnitRef::Existing(id),
                Resolution::NotInPeriod { why, .. } => {
                    problems.push(problem(
                        rec.unit_col as usize,
                        &name(),
                        why,
                        Some(format!(
                            "nhập số liệu {} cho đơn vị tồn tại trong {} đó; xem `{} units lineage {}`",
                            period.label_vi(),
                            period.kind().word_vi(),
                            opts.cmd,
                            shell_quote(&name())
                        )),
                    ));
                    continue;
                }
                Resolution::Ambiguous(names) => {
                    problems.push(problem(
                        rec.unit_col as usize,
                        &name(),
                        format!("tên khớp nhiều đơn vị: {}", units::quote_list(&names)),
                        Some("ghi đầy đủ tên đơn vị (kèm \"Xã\", \"Thị trấn\"…) trong tệp".into()),
                    ));
                    continue;
                }
                Resolution::Unknown { similar } if !similar.is_empty() => {
                    let name = name();
                    problems.push(problem(
                        rec.unit_col as usize,
                        &name,
                        format!(
                            "không có đơn vị này; có phải {}?",
                            units::quote_list(&similar)
                        ),
                        Some(suggest_commands(&opts.cmd, &name, &similar[0])),
                    ));
                    continue;
                }
                Resolution::Unknown { .. } if opts.create_units && !rec.json_parent => {
                    let name = name();
                    let key = text::match_key(&name);
                    let folded = text::fold(&name);
                    if let Some(&i) = new_by_key.get(&key) {
                        UnitRef::New(i)
                    } else if let Some(&i) = new_by_fold.get(&folded) {
                        let other = new_units[i].0.clone();
                        problems.push(problem(
                            rec.unit_col as usize,
                            &name,
                            format!("tệp nhập viết cả \"{other}\" và \"{name}\": một đơn vị hay hai?"),
                            Some(format!(
                                "nếu là một: sửa tệp cho thống nhất, hoặc nhập tệp có \"{other}\" trước rồi chạy\n  {cmd} units alias {n} --to {o}\nnếu là hai: {cmd} units add {n}",
                                cmd = opts.cmd,
                                n = shell_quote(&name),
                                o = shell_quote(&other),
                            )),
                        ));
                        continue;
                    } else {
                        let Some(kind) =
                            units::kind_for_child(&name, rec.kind, province).or(opts.kind)
                        else {
                            problems.push(problem(
                                rec.unit_col as usize,
                                &name,
                                "không biết đơn vị mới này thuộc loại nào (xã, phường, cơ quan…)".into(),
                                Some(format!(
                                    "ghi tên kèm \"Xã\", \"Phường\", \"Sở\"… trong tệp, hoặc nhập lại với --kind (ví dụ --kind co_quan); hoặc thêm từng đơn vị: {} units add {} --kind LOẠI",
                                    opts.cmd,
                                    shell_quote(&name)
                                )),
                            ));
                            continue;
                        };
                        if let Some(why) = units::kind_refused(kind, province) {
                            problems.push(problem(
                                rec.unit_col as usize,
                                &name,
                                why,
                                Some(if province {
                                    "mỗi cơ sở dữ liệu có một đơn vị cấp trên (tạo bằng `chiso init`)".into()
                                } else {
                                    "mỗi cơ sở dữ liệu có một đơn vị cấp trên (tạo bằng `chiso init`); đơn vị trực thuộc huyện là xã, phường, thị trấn, đặc khu".into()
                                }),
                            ));
                            continue;
                        }
                        if let Some((why, offer)) = units::odd_name(&unit_name) {
                            odd_names.push((name.clone(), why, offer));
                        }
                        new_units.push((name.clone(), kind));
                        new_by_key.insert(key, new_units.len() - 1);
                        new_by_fold.insert(folded, new_units.len() - 1);
                        UnitRef::New(new_units.len() - 1)
                    }
                }
                Resolution::Unknown { .. } => {
                    // The hint, with the commands for the first unknown name,
                    // is printed once: 25 unknown names are not 25 paragraphs.
                    let hint = if rec.json_parent {
                        Some(
                            "tên đơn vị cấp trên trong tệp phải khớp tên đã tạo bằng `chiso init`"
                                .to_string(),
                        )
                    } else if !unknown_hinted {
                        unknown_hinted = true;
                        let n = shell_quote(&name());
                        Some(format!(
                            "nếu là đơn vị mới: {cmd} units add {n} (mỗi tên một lệnh), hoặc nhập lại với --create-units\nnếu là cách viết khác của đơn vị đã có: {cmd} units alias {n} --to \"TÊN ĐÃ CÓ\"",
                            cmd = opts.cmd
                        ))
                    } else {
                        None
                    };
                    problems.push(problem(
                        rec.unit_col as usize,
                        &name(),
                        "không có đơn vị này".into(),
                        hint,
                    ));
                    continue;
                }
            };
            if rec.json_parent && unit != UnitRef::Existing(parent_id.unwrap_or(-1)) {
                problems.push(problem(
                    rec.unit_col as usize,
                    &name(),
                    "đây không phải đơn vị cấp trên của cơ sở dữ liệu".into(),
                    None,
                ));
                continue;
            }
            units_in_file.insert(unit);
            let next_slot = seen_slot.len();
            let slot = *seen_slot.entry(unit).or_insert(next_slot);
            if slot == next_slot {
                seen.resize(seen.len() + catalog.metrics.len(), None);
            }
            let first_seen =
                &mut seen[slot * catalog.metrics.len()..(slot + 1) * catalog.metrics.len()];
            let stored_row = match unit {
                UnitRef::Existing(id) => stored.get(&id),
                UnitRef::New(_) => None,
            };
            // A second row for a unit with values the first had: one
            // problem for the row, naming both, not one per value.
            let mut duplicate: Option<(u32, u32)> = None;
            let mut repeated: Vec<usize> = Vec::new();
            let mut filled = 0usize;
            for (m, col, cell) in &cells {
                let (m, col) = (*m as usize, *col as usize);
                let metric = &catalog.metrics[m];
                let new = match value::parse_cell(metric, cell) {
                    Ok(Some(v)) => v,
                    Ok(None) => continue,
                    Err(message) => {
                        problems.push(problem(col, &header::cell_text(cell), message, None));
                        continue;
                    }
                };
                filled += 1;
                if let Some(first) = first_seen[m] {
                    duplicate.get_or_insert(first);
                    repeated.push(m);
                    continue;
                }
                first_seen[m] = Some((fi as u32, ri as u32));
                let old = stored_row.and_then(|r| r[m].as_ref());
                match old {
                    Some(old) if *old == new => {
                        summary.unchanged += 1;
                        continue;
                    }
                    Some(old) => {
                        summary.changed += 1;
                        if !opts.replace {
                            conflicts.push(Conflict {
                                file: f.name.clone(),
                                place: f.place(rec, Some(col)),
                                unit: name(),
                                metric: metric.label.clone(),
                                stored: show_value(old),
                                new: show_value(&new),
                            });
                        }
                    }
                    None => summary.new += 1,
                }
                changes.push(PlannedChange {
                    file: fi,
                    unit,
                    metric: m,
                    new,
                });
            }
            if let Some(first) = duplicate {
                let labels: Vec<&str> = repeated
                    .iter()
                    .map(|&m| catalog.metrics[m].label.as_str())
                    .collect();
                let partly = repeated.len() < filled;
                problems.push(duplicate_row(
                    &files,
                    first,
                    (fi, ri),
                    &name(),
                    &labels,
                    partly,
                ));
            }
        }
        summary.units = units_in_file.len();
        summaries.push(summary);
    }

    warnings.extend(odd_name_warnings(&odd_names, &opts.cmd));
    if !problems.is_empty() || !conflicts.is_empty() {
        return Err(ImportError::Rejected {
            problems: Box::new(problems),
            conflicts,
            report: ReportOptions::default(),
        });
    }
    Ok(Plan {
        period,
        catalog,
        files: summaries,
        new_units,
        changes,
        warnings,
        index,
        stored,
    })
}

/// A unit's second row holding values its first had (`first` and `this`
/// as (file, record)): one problem naming both lines, and the metrics both
/// have when the rows also differ.
fn duplicate_row(
    files: &[ParsedFile],
    first: (u32, u32),
    this: (usize, usize),
    name: &str,
    repeated: &[&str],
    partly: bool,
) -> Problem {
    let (f, rec) = (&files[this.0], &files[this.0].records[this.1]);
    let first_file = &files[first.0 as usize];
    // Places name sheets, which come from the file: escaped.
    let first_place = text::escape(&first_file.place(&first_file.records[first.1 as usize], None));
    let this_place = f.place(rec, None);
    let shown = text::escape(&this_place);
    let both = if first.0 as usize == this.0 {
        format!("{first_place} và {shown}")
    } else {
        format!(
            "{}, {first_place} và {}, {shown}",
            text::escape(&first_file.name),
            text::escape(&f.name)
        )
    };
    let which = if partly {
        format!(" (cùng có: {})", repeated.join(", "))
    } else {
        String::new()
    };
    Problem {
        file: f.name.clone(),
        place: Some(this_place),
        column: None,
        value: None,
        message: format!(
            "hai dòng cho cùng một đơn vị \"{}\": {both}{which}",
            text::show(name)
        ),
        hint: Some("bỏ dòng trùng rồi nhập lại".into()),
    }
}

/// Warnings for new units named as a letter should not print them (see
/// `units::odd_name`), each with the rename that fixes it: the first few
/// whole, a national import's thousands counted.
fn odd_name_warnings(odd: &[(String, Vec<&'static str>, String)], cmd: &str) -> Vec<String> {
    const SHOWN: usize = 5;
    let mut out: Vec<String> = odd
        .iter()
        .take(SHOWN)
        .map(|(name, why, offer)| {
            let fix = if offer != name {
                format!(
                    "nếu muốn viết \"{}\": {cmd} units rename {} --to {}",
                    text::show(offer),
                    shell_quote(name),
                    shell_quote(offer)
                )
            } else {
                format!("đã lưu là \"{}\"", text::show(name))
            };
            format!(
                "tên đơn vị mới \"{}\" {}; {fix}",
                text::show(name),
                why.join(", ")
            )
        })
        .collect();
    if odd.len() > SHOWN {
        out.push(format!(
            "và {} tên đơn vị mới khác viết như vậy; sửa bằng `{cmd} units rename`",
            odd.len() - SHOWN
        ));
    }
    out
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

/// Writes a plan: new units, the month, provenance of each file, each
/// unit's new row and the log of what changed. The caller owns the
/// transaction.
fn apply(
    tx: &rusqlite::Transaction<'_>,
    plan: &Plan,
    actor: &Actor,
    command: &str,
    progress: &mut dyn FnMut(Stage),
) -> Result<(), ImportError> {
    let cat = &plan.catalog;
    let cs = db::begin_changeset(tx, actor, "import", command)?;
    let mut new_ids = Vec::with_capacity(plan.new_units.len());
    for (name, kind) in &plan.new_units {
        new_ids.push(units::add(tx, cs, name, *kind, false)?.id);
    }
    let write = db::begin_period_write(tx, plan.period)?;
    let mut import_ids = Vec::with_capacity(plan.files.len());
    for f in &plan.files {
        let record = db::ImportedFile {
            name: &f.name,
            sha256: &f.sha256,
            format: &f.format.to_string(),
            rows: f.rows,
            counts: (f.new, f.changed, f.unchanged),
        };
        import_ids.push(db::record_import(tx, cs, write, &record)?);
    }
    // Group the changes by unit, in the order units first appear.
    let mut order: Vec<UnitRef> = Vec::new();
    let mut by_unit: HashMap<UnitRef, Vec<&PlannedChange>> = HashMap::default();
    for c in &plan.changes {
        by_unit
            .entry(c.unit)
            .or_insert_with(|| {
                order.push(c.unit);
                Vec::new()
            })
            .push(c);
    }
    let units_total = order.len();
    for (done, unit) in order.into_iter().enumerate() {
        if done.is_multiple_of(STEP) && done > 0 {
            progress(Stage::Writing {
                units: done,
                of: units_total,
            });
        }
        let list = &by_unit[&unit];
        let id = match unit {
            UnitRef::Existing(id) => id,
            UnitRef::New(i) => new_ids[i],
        };
        let stored = plan.stored.get(&id);
        let mut row = stored
            .cloned()
            .unwrap_or_else(|| vec![None; cat.metrics.len()]);
        for c in list {
            row[c.metric] = Some(c.new.clone());
        }
        let encoded = values::encode(&row, cat);
        values::put_encoded(tx, write, id, &encoded)?;
        // One log row per unit and file (Phụ lục 1 and 2 are two sources).
        // A unit's first values of the month from one file log exactly
        // what was stored: reuse the text instead of writing it twice.
        if stored.is_none() && list.iter().all(|c| c.file == list[0].file) {
            values::log(
                tx,
                cs,
                Some(import_ids[list[0].file]),
                plan.period,
                id,
                "{}",
                &encoded,
            )?;
            continue;
        }
        let mut start = 0;
        while start < list.len() {
            let file = list[start].file;
            let end = start + list[start..].iter().take_while(|c| c.file == file).count();
            let diffs: Vec<values::Diff<'_>> = list[start..end]
                .iter()
                .map(|c| (c.metric, plan.old(c), Some(&c.new)))
                .collect();
            let (old, new) = values::diff_json(&diffs, cat);
            values::log(tx, cs, Some(import_ids[file]), plan.period, id, &old, &new)?;
            start = end;
        }
    }
    Ok(())
}
