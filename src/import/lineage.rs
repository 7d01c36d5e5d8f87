//! A resolution typed up as a table (`chiso units lineage import`): columns
//! Đơn vị cũ, Đơn vị mới, Từ tháng, Phạm vi, read by the same reader as a
//! month's file (CSV, TSV, XLSX; encodings), every problem located.

use rusqlite::Transaction;

use super::header::{cell_text, header_key};
use super::read::{self, Cell, Content, Grid};
use super::{Input, Problem};
use crate::db::lineage::Share;
use crate::db::lineage::{self, Outcome, Step};
use crate::db::units::{self, UnitError, UnitIndex};
use crate::model::Period;
use crate::model::UnitKind;
use crate::text;

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// "dòng 5" or "ô B5 (trang Sheet1)".
    pub place: String,
    pub old: String,
    /// None: the old unit ends with no successor (an empty cell).
    pub new: Option<String>,
    pub period: Period,
    pub share: Share,
}

const OLD: &[&str] = &[
    "don vi cu",
    "ten don vi cu",
    "don vi truoc sap xep",
    "don vi hanh chinh cu",
    "old unit",
    "old",
    "tu don vi",
];
const NEW: &[&str] = &[
    "don vi moi",
    "ten don vi moi",
    "don vi sau sap xep",
    "don vi hanh chinh moi",
    "new unit",
    "new",
    "vao don vi",
];
const MONTH: &[&str] = &[
    "tu thang",
    "thang",
    "hieu luc tu",
    "hieu luc tu thang",
    "tu ky",
    "from",
    "period",
];
const SCOPE: &[&str] = &["pham vi", "scope", "toan bo mot phan", "muc do"];

/// Column positions of a header row.
struct Columns {
    row: usize,
    old: usize,
    new: usize,
    month: usize,
    scope: Option<usize>,
}

fn find_columns(grid: &Grid) -> Option<Columns> {
    for (ri, r) in grid.rows.iter().enumerate().take(50) {
        let keys: Vec<String> = r.cells.iter().map(|c| header_key(&cell_text(c))).collect();
        let find = |names: &[&str]| keys.iter().position(|k| names.contains(&k.as_str()));
        if let (Some(old), Some(new), Some(month)) = (find(OLD), find(NEW), find(MONTH)) {
            return Some(Columns {
                row: ri,
                old,
                new,
                month,
                scope: find(SCOPE),
            });
        }
    }
    None
}

/// Reads the table; every problem of the file is returned at once.
pub fn read_table(
    input: &Input,
    encoding: Option<&'static encoding_rs::Encoding>,
    sheet: Option<&str>,
) -> Result<Vec<Row>, Vec<Problem>> {
    let file = input.name.as_str();
    let grid = match read::read(file, &input.bytes, encoding, sheet) {
        Ok(Content::Grid(g)) => g,
        Ok(Content::Text(t)) => {
            // The first delimiter under which the header appears; else the
            // sniffed one, whose grid says what is wrong.
            let mut first = None;
            let mut found = None;
            for f in read::delimiters(&t) {
                match read::delimited(file, &t, f) {
                    Ok(g) if find_columns(&g).is_some() => {
                        found = Some(g);
                        break;
                    }
                    other => {
                        if first.is_none() {
                            first = Some(other);
                        }
                    }
                }
            }
            match (found, first) {
                (Some(g), _) | (None, Some(Ok(g))) => g,
                (None, Some(Err(p))) => return Err(vec![p]),
                (None, None) => return Err(vec![]),
            }
        }
        Ok(Content::Json(_)) => {
            return Err(vec![Problem::file(
                file,
                "bảng sắp xếp đơn vị phải là CSV, TSV hoặc XLSX, không phải JSON".into(),
                "lưu bảng với các cột Đơn vị cũ, Đơn vị mới, Từ tháng, Phạm vi",
            )]);
        }
        Err(p) => return Err(vec![p]),
    };
    let Some(cols) = find_columns(&grid) else {
        return Err(vec![Problem::file(
            file,
            "không tìm thấy dòng tiêu đề có các cột Đơn vị cũ, Đơn vị mới, Từ tháng".into(),
            "thêm dòng tiêu đề: Đơn vị cũ | Đơn vị mới | Từ tháng | Phạm vi (toàn bộ / một phần)",
        )]);
    };
    let header = &grid.rows[cols.row];
    let column = |c: usize| header.cells.get(c).map(cell_text).unwrap_or_default();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for r in &grid.rows[cols.row + 1..] {
        let cell = |c: usize| -> String {
            match r.cells.get(c) {
                Some(Cell::Num(x)) => format!("{x}"),
                Some(c) => text::clean(&cell_text(c)),
                None => String::new(),
            }
        };
        let problem = |c: usize, value: &str, message: String, hint: &str| Problem {
            file: file.to_owned(),
            place: Some(grid.place(r.line, Some(c))),
            column: Some(column(c)),
            value: Some(text::show(value)),
            message,
            hint: Some(hint.to_owned()),
        };
        let (old, new, month) = (cell(cols.old), cell(cols.new), cell(cols.month));
        let scope = cols.scope.map(cell).unwrap_or_default();
        if old.is_empty() && new.is_empty() && month.is_empty() {
            continue;
        }
        let mut bad = false;
        for (c, v) in [(cols.old, &old), (cols.new, &new), (cols.month, &month)] {
            if text::find_control(v).is_some() {
                problems.push(problem(
                    c,
                    v,
                    "ô chứa ký tự điều khiển".into(),
                    "sửa ô này trong tệp rồi nhập lại",
                ));
                bad = true;
            }
        }
        if bad {
            continue;
        }
        if old.is_empty() {
            problems.push(problem(
                cols.old,
                &old,
                "thiếu tên đơn vị cũ".into(),
                "ghi tên đơn vị cũ, hoặc xoá dòng này",
            ));
            continue;
        }
        // Units merge, split and are renamed from a month, never a
        // quarter or a year.
        let Some(period) = Period::parse_month(&month).or_else(|| {
            super::header::period_in_text(&format!("tháng {month}")).filter(|p| p.is_month())
        }) else {
            let why = match Period::parse(&month) {
                Some(p) => format!("cần một tháng, không phải {}", p.label_vi()),
                None => "tháng không hợp lệ".into(),
            };
            problems.push(problem(
                cols.month,
                &month,
                why,
                "viết dạng YYYY-MM (2025-07) hoặc 7/2025",
            ));
            continue;
        };
        let Some(share) = Share::parse(&scope) else {
            problems.push(problem(
                cols.scope.unwrap_or(0),
                &scope,
                "phạm vi phải là \"toàn bộ\" hoặc \"một phần\"".into(),
                "ghi \"toàn bộ\" khi đơn vị cũ nhập cả vào đơn vị mới, \"một phần\" khi chỉ một phần",
            ));
            continue;
        };
        rows.push(Row {
            place: grid.place(r.line, None),
            old,
            new: (!new.is_empty()).then_some(new),
            period,
            share,
        });
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(Problem::file(
            file,
            "bảng không có dòng nào dưới dòng tiêu đề".into(),
            "mỗi dòng: Đơn vị cũ, Đơn vị mới, Từ tháng, Phạm vi",
        ));
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

/// What the rows mean, in the order to apply them: per month, per new unit,
/// its old units; a lone old unit going whole into a new name that no other
/// row names is a rename (the unit goes on under its new name).
#[derive(Debug, PartialEq)]
pub enum Change {
    Rename {
        place: String,
        old: String,
        new: String,
        period: Period,
    },
    Merge {
        place: String,
        olds: Vec<(String, Share)>,
        /// None: the old units end.
        new: Option<String>,
        period: Period,
    },
}

pub fn changes(rows: &[Row]) -> Vec<Change> {
    let key = |s: &str| text::match_key(s);
    let mut groups: Vec<(Period, Option<String>, Vec<&Row>)> = Vec::new();
    for r in rows {
        let k = r.new.as_deref().map(key);
        match groups
            .iter_mut()
            .find(|(p, n, _)| *p == r.period && *n == k)
        {
            Some(g) => g.2.push(r),
            None => groups.push((r.period, k, vec![r])),
        }
    }
    groups.sort_by_key(|(p, _, _)| *p);
    groups
        .into_iter()
        .map(|(period, _, members)| {
            let first = members[0];
            let lone_old = members.len() == 1
                && first.share == Share::Whole
                && rows
                    .iter()
                    .filter(|r| r.period == period && key(&r.old) == key(&first.old))
                    .count()
                    == 1;
            match &first.new {
                Some(new) if lone_old && key(new) != key(&first.old) => Change::Rename {
                    place: first.place.clone(),
                    old: first.old.clone(),
                    new: new.clone(),
                    period,
                },
                new => Change::Merge {
                    place: first.place.clone(),
                    olds: members.iter().map(|r| (r.old.clone(), r.share)).collect(),
                    new: new.clone(),
                    period,
                },
            }
        })
        .collect()
}

/// Applies a table's changes in order inside the caller's transaction;
/// the first that cannot be made is returned with the row's place (later
/// rows may depend on it).
pub fn apply(
    tx: &Transaction<'_>,
    cs: i64,
    changes: &[Change],
    kind: Option<UnitKind>,
    province: bool,
) -> Result<Outcome, (String, UnitError)> {
    let mut done = Outcome::default();
    for c in changes {
        let (place, result) = match c {
            Change::Rename {
                place,
                old,
                new,
                period,
            } => (
                place,
                rename(tx, cs, old, new, *period, kind, province, &mut done),
            ),
            Change::Merge {
                place,
                olds,
                new,
                period,
            } => {
                let step = Step {
                    olds,
                    into: new.as_deref(),
                    period: *period,
                    // The resolutions form new units, even under an old
                    // unit's name ("thành xã mới có tên gọi là …").
                    new: true,
                    must_be_new: false,
                    kind,
                };
                (place, lineage::apply(tx, cs, &step, province, &mut done))
            }
        };
        result.map_err(|e| (place.clone(), e))?;
    }
    Ok(done)
}

/// A lone old unit going whole to a new name: a rename, unless that name
/// is a living unit already (an agency merged into another: Sở Kế hoạch
/// và Đầu tư → Sở Tài chính), which then takes it in.
#[allow(clippy::too_many_arguments)]
fn rename(
    tx: &Transaction<'_>,
    cs: i64,
    old: &str,
    new: &str,
    period: Period,
    kind: Option<UnitKind>,
    province: bool,
    done: &mut Outcome,
) -> Result<(), UnitError> {
    let index = UnitIndex::load(tx)?;
    let old_unit = index.resolve_in(old, Some(period.previous()));
    if let units::Resolution::Found(id) = index.resolve_in(new, Some(period))
        && old_unit != units::Resolution::Found(id)
        && lineage::has_values_before(tx, id, period)?
    {
        let olds = [(old.to_owned(), lineage::Share::Whole)];
        let step = Step {
            olds: &olds,
            into: Some(new),
            period,
            new: true,
            must_be_new: false,
            kind,
        };
        return lineage::apply(tx, cs, &step, province, done);
    }
    // Entered before: the unit already has the new name from that month.
    if let Ok(u) = index.require_in(new, Some(period))
        && index
            .lineage()
            .former_names(u.id)
            .any(|(p, n)| p == period && text::match_key(n) == text::match_key(old))
    {
        return Ok(());
    }
    let unit = index.require_in(old, Some(period.previous()))?.clone();
    let new = units::clean_name(new)?;
    lineage::rename_from(tx, cs, &unit, &new, period)?;
    done.lines.push(format!(
        "{} → {} (đổi tên) từ {}",
        unit.name,
        new,
        period.label_vi()
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(text: &str) -> Input {
        Input {
            name: "sap-xep.tsv".into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn reads_a_resolution_and_groups_it() {
        let t = "Nghị quyết 1666\nĐơn vị cũ\tĐơn vị mới\tTừ tháng\tPhạm vi\n\
                 Xã Thủ Sỹ\tXã Tân Hưng\t2025-07\ttoàn bộ\n\
                 Xã Tân Hưng\tXã Tân Hưng\t7/2025\tToàn bộ\n\
                 Xã Giả Lập Đông\tXã Giả Lập Bắc\t2025-07\tmột phần\n\
                 Xã Giả Lập Đông\tXã Giả Lập Nam\t2025-07\tmot phan\n\
                 Huyện Tiên Lữ\t\t2025-07\t\n\
                 Ban A\tBan B\t2025-08\ttoàn bộ\n";
        let rows = read_table(&input(t), None, None).unwrap();
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[2].share, Share::Part);
        assert_eq!(rows[4].new, None);
        let ch = changes(&rows);
        assert_eq!(ch.len(), 5);
        assert!(
            matches!(&ch[0], Change::Merge { olds, new: Some(n), .. } if olds.len() == 2 && n == "Xã Tân Hưng")
        );
        // A part of one unit into a new name is not a rename.
        assert!(matches!(&ch[1], Change::Merge { olds, .. } if olds[0].1 == Share::Part));
        assert!(matches!(&ch[3], Change::Merge { new: None, .. }));
        assert!(
            matches!(&ch[4], Change::Rename { old, new, .. } if old == "Ban A" && new == "Ban B")
        );
    }

    #[test]
    fn every_bad_cell_is_located() {
        let t = "Đơn vị cũ;Đơn vị mới;Từ tháng;Phạm vi\n\
                 Xã A;Xã B;2025-13;toàn bộ\n\
                 Xã C;Xã B;2025-07;nửa\n\
                 ;Xã B;2025-07;toàn bộ\n\
                 Xã D;Xã E;quý III/2025;toàn bộ\n\
                 Xã F;Xã G;2025;toàn bộ\n";
        let problems = read_table(&input(t), None, None).unwrap_err();
        assert_eq!(problems.len(), 5, "{problems:?}");
        // A change of units takes effect from a month, never a quarter or
        // a year (a quarter's key would sort after the year's months).
        assert!(
            problems[3]
                .message
                .contains("cần một tháng, không phải quý III/2025")
        );
        assert!(
            problems[4]
                .message
                .contains("cần một tháng, không phải năm 2025")
        );
        assert_eq!(problems[0].place.as_deref(), Some("dòng 2"));
        assert_eq!(problems[0].column.as_deref(), Some("Từ tháng"));
        assert!(problems[1].message.contains("phạm vi"));
        assert!(problems[2].message.contains("thiếu tên"));
        let none = read_table(&input("a\tb\n1\t2\n"), None, None).unwrap_err();
        assert!(none[0].message.contains("dòng tiêu đề"));
    }
}
