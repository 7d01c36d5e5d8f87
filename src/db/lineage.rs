//! Units that start, end, merge, split and are renamed (the July 2025
//! reform): the lineage read back, the changes written, and what a month
//! means across them.
//!
//! A merge or split is a row of `unit_lineage` per (old unit, new unit):
//! from its month the old unit no longer exists (`units.valid_until`,
//! derived from these rows) and the new one takes the whole of it or a
//! part. A new unit starts at `units.valid_from`. A rename from a month
//! keeps the unit (its values, streaks and comparisons go on) and records
//! the name it had before in `unit_names`. Every change ends with `check`:
//! no stored value outside its unit's months, no two living units with one
//! name.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// What a key out of range reads as (the schema's CHECKs keep them in).
const FAR_PAST: Period = Period::FIRST;

use super::units::{self, UnitError};
use crate::model::{Period, Unit, UnitKind};
use crate::text;

/// How much of the old unit the new one takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Share {
    Whole,
    Part,
}

impl Share {
    pub fn code(self) -> &'static str {
        match self {
            Share::Whole => "whole",
            Share::Part => "part",
        }
    }

    /// "toàn bộ", "một phần" (any accents or case), or the codes.
    pub fn parse(s: &str) -> Option<Share> {
        match text::fold(s.trim()).as_str() {
            "toan bo" | "whole" | "toan phan" | "ca" | "" => Some(Share::Whole),
            "mot phan" | "part" | "1 phan" => Some(Share::Part),
            _ => None,
        }
    }

    fn words(self) -> &'static str {
        match self {
            Share::Whole => "toàn bộ",
            Share::Part => "một phần",
        }
    }
}

/// One row of `unit_lineage`.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub from_unit: i64,
    /// None: the unit ended with no successor.
    pub to_unit: Option<i64>,
    pub period: Period,
    pub share: Share,
}

/// Every lineage row and every name before a rename.
#[derive(Debug, Clone, Default)]
pub struct Lineage {
    pub edges: Vec<Edge>,
    /// (unit, first month of the next name, the name before), by unit and month.
    pub former: Vec<(i64, Period, String)>,
}

impl Lineage {
    pub fn load(conn: &Connection) -> rusqlite::Result<Lineage> {
        let mut st = conn.prepare_cached(
            "SELECT from_unit, to_unit, period_id, scope FROM unit_lineage ORDER BY period_id, id",
        )?;
        let edges = st
            .query_map([], |r| {
                Ok(Edge {
                    from_unit: r.get(0)?,
                    to_unit: r.get(1)?,
                    period: Period::from_key(r.get(2)?).unwrap_or(FAR_PAST),
                    share: if r.get_ref(3)?.as_str()? == "part" {
                        Share::Part
                    } else {
                        Share::Whole
                    },
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut st = conn.prepare_cached(
            "SELECT unit_id, until_period, name FROM unit_names ORDER BY unit_id, until_period",
        )?;
        let former = st
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    Period::from_key(r.get(1)?).unwrap_or(FAR_PAST),
                    r.get(2)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Lineage { edges, former })
    }

    pub fn is_empty(&self) -> bool {
        self.edges.is_empty() && self.former.is_empty()
    }

    pub fn successors(&self, unit: i64) -> impl Iterator<Item = &Edge> {
        self.edges.iter().filter(move |e| e.from_unit == unit)
    }

    pub fn predecessors(&self, unit: i64) -> impl Iterator<Item = &Edge> {
        self.edges.iter().filter(move |e| e.to_unit == Some(unit))
    }

    /// The unit's name in `p` (a quarter or a year: at its end).
    pub fn name_in<'a>(&'a self, unit: &'a Unit, p: Period) -> &'a str {
        let p = p.last_month();
        self.former
            .iter()
            .find(|(u, until, _)| *u == unit.id && p < *until)
            .map_or(unit.name.as_str(), |(_, _, n)| n.as_str())
    }

    /// The names a unit had before, with the month each stopped.
    pub fn former_names(&self, unit: i64) -> impl Iterator<Item = (Period, &str)> {
        self.former
            .iter()
            .filter(move |(u, _, _)| *u == unit)
            .map(|(_, p, n)| (*p, n.as_str()))
    }

    /// Units formed or changed after `before` up to the end of `p`: their
    /// figures in `p` do not compare with `before`'s (a commune formed in
    /// 7/2025 has no same month last year).
    pub fn fresh_since(&self, units: &[Unit], before: Period, p: Period) -> HashSet<i64> {
        let (after, upto) = (before.last_month(), p.last_month());
        let within = |m: Period| after < m && m <= upto;
        let mut out: HashSet<i64> = units
            .iter()
            .filter(|u| u.from.is_some_and(within))
            .map(|u| u.id)
            .collect();
        out.extend(
            self.edges
                .iter()
                .filter(|e| within(e.period))
                .filter_map(|e| e.to_unit),
        );
        out
    }

    /// Why a unit fresh since `before` has nothing to compare with there:
    /// "thành lập từ tháng 7/2025 trên cơ sở Thủ Sỹ, Phương Nam, Tân Hưng".
    pub fn fresh_reason(
        &self,
        unit: &Unit,
        before: Period,
        p: Period,
        name_of: &dyn Fn(i64) -> String,
    ) -> String {
        let (after, upto) = (before.last_month(), p.last_month());
        let within = |m: Period| after < m && m <= upto;
        let preds: Vec<&Edge> = self
            .predecessors(unit.id)
            .filter(|e| within(e.period))
            .collect();
        let when = preds
            .first()
            .map(|e| e.period)
            .or(unit.from)
            .unwrap_or(upto);
        let list = |edges: &[&Edge]| {
            edges
                .iter()
                .map(|e| match e.share {
                    Share::Whole => name_of(e.from_unit),
                    Share::Part => format!("một phần {}", name_of(e.from_unit)),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        if unit.from.is_some_and(within) {
            let from = unit.from.unwrap_or(when);
            if preds.is_empty() {
                format!("thành lập từ {}", from.label_vi())
            } else {
                format!(
                    "thành lập từ {} trên cơ sở {}",
                    from.label_vi(),
                    list(&preds)
                )
            }
        } else {
            format!(
                "nhận thêm {} từ {}, không so sánh được với {}",
                list(&preds),
                when.label_vi(),
                before.label_vi()
            )
        }
    }

    /// A text that changes whenever the lineage does (for the streak
    /// cache's stamp).
    pub fn digest(&self) -> String {
        let mut s = String::new();
        for e in &self.edges {
            s.push_str(&format!(
                "{}>{:?}@{}{};",
                e.from_unit,
                e.to_unit,
                e.period.key(),
                e.share.code()
            ));
        }
        for (u, p, n) in &self.former {
            s.push_str(&format!("{u}~{}{n};", p.key()));
        }
        s
    }
}

/// Why `unit` has no values in `p`: "đơn vị này đã sáp nhập vào Xã Tân
/// Hưng từ tháng 7/2025".
pub fn absence(
    lineage: &Lineage,
    by_id: &HashMap<i64, usize>,
    units: &[Unit],
    unit: &Unit,
    p: Period,
) -> String {
    let name = |id: i64| {
        by_id
            .get(&id)
            .map_or_else(String::new, |&i| units[i].name.clone())
    };
    if let Some(from) = unit.from.filter(|f| p.last_month() < *f) {
        let preds: Vec<String> = lineage
            .predecessors(unit.id)
            .map(|e| name(e.from_unit))
            .collect();
        return if preds.is_empty() {
            format!("đơn vị này thành lập từ {}", from.label_vi())
        } else {
            format!(
                "đơn vị này thành lập từ {} trên cơ sở {}; số liệu {} thuộc các đơn vị cũ",
                from.label_vi(),
                preds.join(", "),
                p.label_vi()
            )
        };
    }
    let until = unit.until.unwrap_or(p);
    let next: Vec<&Edge> = lineage.successors(unit.id).collect();
    let to: Vec<String> = next.iter().filter_map(|e| e.to_unit).map(name).collect();
    match (to.len(), next.first().map(|e| e.share)) {
        (0, _) => format!("đơn vị này không còn từ {}", until.label_vi()),
        (1, Some(Share::Whole)) => {
            format!(
                "đơn vị này đã sáp nhập vào {} từ {}",
                to[0],
                until.label_vi()
            )
        }
        _ => format!(
            "đơn vị này đã chia tách, sáp nhập vào {} từ {}",
            to.join(", "),
            until.label_vi()
        ),
    }
}

/// Refuses a value for `unit` in month `p` if the unit does not exist
/// then (read inside the write, so a merge entered meanwhile by another
/// operator counts), saying what happened to it.
pub fn require_exists(tx: &Connection, unit: i64, p: Period) -> Result<(), UnitError> {
    let index = units::UnitIndex::load(tx)?;
    match index.get(unit) {
        Some(u) if !u.exists_in(p) => {
            Err(UnitError::NotInPeriod(u.name.clone(), index.absence(u, p)))
        }
        _ => Ok(()),
    }
}

/// What a change did, for the command's summary.
#[derive(Debug, Default)]
pub struct Outcome {
    pub created: Vec<String>,
    pub lines: Vec<String>,
}

/// SQL: the last month (YYYYMM) of the period keyed by `period_id`: a
/// quarter's or a year's values belong to the units of its last month.
macro_rules! last_month_sql {
    () => {
        "(CASE WHEN period_id % 100 = 0 THEN period_id + 12
               WHEN period_id % 100 > 20 THEN period_id - period_id % 100 + (period_id % 100 - 20) * 3
               ELSE period_id END)"
    };
}

/// Does `unit` have values in a period that ends before month `p`?
pub(crate) fn has_values_before(tx: &Connection, unit: i64, p: Period) -> rusqlite::Result<bool> {
    tx.query_row(
        concat!(
            "SELECT EXISTS (SELECT 1 FROM unit_values WHERE unit_id = ?1 AND ",
            last_month_sql!(),
            " < ?2)"
        ),
        params![unit, p.key()],
        |r| r.get(0),
    )
}

/// The unit that `name` names in month `p`, or a new one formed then.
/// `new`: always a new unit (the 2025 resolutions' "thành xã mới có tên
/// gọi là …", even when an old unit has that name). Returns the unit and
/// whether it continues from before `p` (took in others, enlarged).
#[allow(clippy::too_many_arguments)]
fn target(
    tx: &Transaction<'_>,
    cs: i64,
    index: &units::UnitIndex,
    name: &str,
    p: Period,
    must_be_new: bool,
    kind: Option<UnitKind>,
    province: bool,
    out: &mut Outcome,
) -> Result<(Unit, bool), UnitError> {
    // Old units of the change have already ended: a living unit of this
    // name is another one (made by importing the new month first, or one
    // that takes the others in).
    {
        match index.resolve_in(name, Some(p)) {
            units::Resolution::Found(id) => {
                let u = index.get(id).expect("resolved").clone();
                if u.is_parent {
                    return Err(UnitError::Lineage(format!(
                        "\"{}\" là đơn vị cấp trên, không sáp nhập hay chia tách được",
                        u.name
                    )));
                }
                // Created before the change was entered (by importing the
                // new month first): it starts with the change.
                if u.from.is_none_or(|f| f == p) && !has_values_before(tx, id, p)? {
                    if u.from.is_none() {
                        tx.execute(
                            "UPDATE units SET valid_from = ?1 WHERE id = ?2",
                            params![p.key(), id],
                        )?;
                        units::log(tx, cs, id, "start", None, Some(&p.to_string()))?;
                        out.lines.push(format!(
                            "{}: đơn vị mới, tồn tại từ {} (chưa có số liệu tháng trước)",
                            u.name,
                            p.label_vi()
                        ));
                    }
                    return Ok((u, false));
                }
                if must_be_new {
                    return Err(UnitError::Lineage(format!(
                        "--new: đã có đơn vị \"{}\" tồn tại trước {}; đơn vị mới phải khác tên đơn vị đang có\n  gợi ý: bỏ --new để nhập các đơn vị cũ vào \"{}\"",
                        u.name,
                        p.label_vi(),
                        u.name
                    )));
                }
                let continues = u.from != Some(p);
                return Ok((u, continues));
            }
            units::Resolution::Ambiguous(names) => {
                return Err(UnitError::Ambiguous(
                    text::show(name),
                    units::quote_list(&names),
                ));
            }
            // A name that matches a unit only without accents is a
            // question, as in `import`: never a silent new unit.
            units::Resolution::Unknown { similar } if !similar.is_empty() => {
                return Err(UnitError::Lineage(format!(
                    "không có đơn vị \"{}\"; có phải {}?\n  gợi ý: sửa tên cho đúng; nếu đúng là đơn vị mới khác tên, tạo trước bằng `chiso units add \"{}\"` rồi chạy lại",
                    text::show(name),
                    units::quote_list(&similar),
                    text::show(name)
                )));
            }
            units::Resolution::NotInPeriod { .. } | units::Resolution::Unknown { .. } => {}
        }
    }
    let name = units::clean_name(name)?;
    let kind = units::kind_for_child(&name, kind, province).ok_or_else(|| {
        UnitError::Lineage(format!(
            "không biết \"{name}\" là loại đơn vị nào (xã, phường, cơ quan…)\n  gợi ý: ghi tên kèm \"Xã\", \"Phường\"… hoặc thêm --kind"
        ))
    })?;
    if let Some(why) = units::kind_refused(kind, province) {
        return Err(UnitError::Lineage(why));
    }
    let u = units::add_from(tx, cs, &name, kind, false, Some(p))?;
    out.created.push(name);
    Ok((u, false))
}

/// The unit `name` names in the month before `p`: it must exist then to
/// end in `p`.
fn source<'a>(index: &'a units::UnitIndex, name: &str, p: Period) -> Result<&'a Unit, UnitError> {
    let u = index.require_in(name, Some(p.previous()))?;
    if u.is_parent {
        return Err(UnitError::Lineage(format!(
            "\"{}\" là đơn vị cấp trên, không sáp nhập hay chia tách được",
            u.name
        )));
    }
    if let Some(t) = u.until.filter(|t| *t != p) {
        return Err(UnitError::Lineage(format!(
            "\"{}\" đã không còn từ {}; không đổi được thành {}\n  gợi ý: xem `chiso units lineage \"{}\"`, gỡ thay đổi cũ bằng `chiso units lineage remove`",
            u.name,
            t.label_vi(),
            p.label_vi(),
            u.name
        )));
    }
    Ok(u)
}

fn link(
    tx: &Transaction<'_>,
    cs: i64,
    from: &Unit,
    to: Option<&Unit>,
    p: Period,
    share: Share,
) -> Result<bool, UnitError> {
    let exists: Option<(i64, String)> = tx
        .query_row(
            "SELECT period_id, scope FROM unit_lineage WHERE from_unit = ?1 AND coalesce(to_unit, 0) = coalesce(?2, 0)",
            params![from.id, to.map(|u| u.id)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((period, scope)) = exists {
        if period == p.key() && scope == share.code() {
            return Ok(false);
        }
        return Err(UnitError::Lineage(format!(
            "đã ghi \"{}\" → \"{}\" từ {} ({}); gỡ dòng cũ trước bằng `chiso units lineage remove`",
            from.name,
            to.map_or("(không có)", |u| u.name.as_str()),
            Period::from_key(period).map_or_else(String::new, Period::label_vi),
            if scope == "part" {
                "một phần"
            } else {
                "toàn bộ"
            },
        )));
    }
    tx.execute(
        "INSERT INTO unit_lineage (from_unit, to_unit, period_id, scope, changeset_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![from.id, to.map(|u| u.id), p.key(), share.code(), cs],
    )?;
    refresh_until(tx, from.id)?;
    let (action, new_text) = match (to, share) {
        (None, _) => ("end", format!("không còn từ {}", p.label_vi())),
        (Some(t), Share::Whole) => ("merge", format!("{} từ {}", t.name, p.label_vi())),
        (Some(t), Share::Part) => (
            "split",
            format!("một phần vào {} từ {}", t.name, p.label_vi()),
        ),
    };
    units::log(tx, cs, from.id, action, Some(&from.name), Some(&new_text))?;
    Ok(true)
}

fn refresh_until(tx: &Connection, unit: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE units SET valid_until = (SELECT min(period_id) FROM unit_lineage WHERE from_unit = ?1) WHERE id = ?1",
        [unit],
    )?;
    Ok(())
}

/// One change of a resolution: `olds` (whole, or a part of each) go into
/// `into` from month `p`; `into` None: they end with no successor.
pub struct Step<'a> {
    /// Each old unit's name and how much of it goes in.
    pub olds: &'a [(String, Share)],
    pub into: Option<&'a str>,
    pub period: Period,
    /// `into` is a new unit even if an old one has its name.
    pub new: bool,
    /// `into` must be a new unit: not a unit that existed before (`--new`).
    pub must_be_new: bool,
    pub kind: Option<UnitKind>,
}

/// `chiso units merge`, `split` and each group of a lineage table's rows.
pub fn apply(
    tx: &Transaction<'_>,
    cs: i64,
    step: &Step<'_>,
    province: bool,
    out: &mut Outcome,
) -> Result<(), UnitError> {
    let index = units::UnitIndex::load(tx)?;
    let p = step.period;
    let mut olds: Vec<Unit> = Vec::new();
    let mut shares: HashMap<i64, Share> = HashMap::default();
    for (name, share) in step.olds {
        let u = source(&index, name, p)?.clone();
        shares.insert(u.id, *share);
        if !olds.iter().any(|o| o.id == u.id) {
            olds.push(u);
        }
    }
    let Some(into) = step.into else {
        for o in &olds {
            if link(tx, cs, o, None, p, Share::Whole)? {
                out.lines
                    .push(format!("{}: không còn từ {}", o.name, p.label_vi()));
            }
        }
        return check(tx);
    };
    // "nhập A, B vào C": C continues, enlarged, unless it is a new unit.
    let same = (!step.new)
        .then(|| {
            let key = text::match_key(into);
            olds.iter()
                .position(|o| text::match_key(&o.name) == key)
                .or_else(|| match index.resolve_in(into, Some(p.previous())) {
                    units::Resolution::Found(id) => olds.iter().position(|o| o.id == id),
                    _ => None,
                })
        })
        .flatten();
    let target = match same {
        Some(i) => olds.remove(i),
        None => {
            // Old units end before the new one is made: a new unit may
            // take the name of one of them.
            for o in &olds {
                tx.execute(
                    "UPDATE units SET valid_until = ?1 WHERE id = ?2",
                    params![p.key(), o.id],
                )?;
            }
            let index = units::UnitIndex::load(tx)?;
            let (t, _) = target(
                tx,
                cs,
                &index,
                into,
                p,
                step.must_be_new,
                step.kind,
                province,
                out,
            )?;
            if olds.iter().any(|o| o.id == t.id) {
                return Err(UnitError::Lineage(format!(
                    "\"{}\" vừa là đơn vị cũ vừa là đơn vị mới; bỏ --new nếu đơn vị này tiếp tục, hoặc bỏ nó khỏi danh sách đơn vị cũ",
                    t.name
                )));
            }
            t
        }
    };
    for o in &olds {
        let share = shares[&o.id];
        if link(tx, cs, o, Some(&target), p, share)? {
            out.lines.push(format!(
                "{} → {} ({}) từ {}",
                o.name,
                target.name,
                share.words(),
                p.label_vi()
            ));
        }
    }
    // A unit that kept its own id stays open: the rows above set the
    // others' ends.
    for o in &olds {
        refresh_until(tx, o.id)?;
    }
    check(tx)
}

/// `chiso units rename OLD --to NEW --from M`: the unit keeps its values
/// and comparisons; months before M show the old name.
pub fn rename_from(
    tx: &Transaction<'_>,
    cs: i64,
    unit: &Unit,
    new_name: &str,
    p: Period,
) -> Result<(), UnitError> {
    for m in [p.previous(), p] {
        if !unit.exists_in(m) {
            let index = units::UnitIndex::load(tx)?;
            return Err(UnitError::Lineage(format!(
                "không đổi tên \"{}\" từ {} được: {}; đổi tên từ một tháng chỉ dùng cho đơn vị có cả tháng trước và tháng đó",
                unit.name,
                p.label_vi(),
                index.absence(unit, m),
            )));
        }
    }
    let later: Option<i64> = tx
        .query_row(
            "SELECT max(until_period) FROM unit_names WHERE unit_id = ?1",
            [unit.id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    if let Some(l) = later.filter(|l| *l >= p.key()) {
        return Err(UnitError::Lineage(format!(
            "\"{}\" đã có lần đổi tên từ {}; đổi tên mới phải sau tháng đó",
            unit.name,
            Period::from_key(l).map_or_else(String::new, Period::label_vi)
        )));
    }
    let new_key = text::match_key(new_name);
    if new_key == text::match_key(&unit.name) {
        return Err(UnitError::Lineage(format!(
            "\"{}\" đã có tên này; để sửa cách viết cho mọi tháng, bỏ --from",
            unit.name
        )));
    }
    units::check_free_during(tx, new_name, Some(unit.id), Some(p), unit.until)?;
    tx.execute(
        "INSERT INTO unit_names (unit_id, until_period, name, match_key, sort_key) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            unit.id,
            p.key(),
            unit.name,
            text::match_key(&unit.name),
            text::collation_key(&unit.name)
        ],
    )?;
    tx.execute(
        "DELETE FROM unit_aliases WHERE match_key = ?1 AND unit_id = ?2",
        params![new_key, unit.id],
    )?;
    tx.execute(
        "UPDATE units SET name = ?1, match_key = ?2, sort_key = ?3 WHERE id = ?4",
        params![new_name, new_key, text::collation_key(new_name), unit.id],
    )?;
    units::log(
        tx,
        cs,
        unit.id,
        "rename",
        Some(&unit.name),
        Some(&format!("{new_name} (từ {})", p.label_vi())),
    )?;
    check(tx)
}

/// `chiso units lineage remove OLD [--into NEW]`: takes back a wrong
/// entry (a merge or split row, an end, or a rename from a month). The
/// old unit exists again from then on; refused if that leaves a stored
/// value outside its unit's months or two living units with one name.
pub fn remove(
    tx: &Transaction<'_>,
    cs: i64,
    old: &str,
    into: Option<&str>,
) -> Result<String, UnitError> {
    let index = units::UnitIndex::load(tx)?;
    // A name before a rename: the unit is the one now called `into`.
    if let Some(into) = into {
        let target = index.require(into)?;
        let key = text::match_key(old);
        let row: Option<(i64, String)> = index
            .lineage()
            .former_names(target.id)
            .find(|(_, n)| text::match_key(n) == key)
            .map(|(p, n)| (p.key(), n.to_owned()));
        if let Some((p, name)) = row {
            tx.execute(
                "DELETE FROM unit_names WHERE unit_id = ?1 AND until_period = ?2",
                params![target.id, p],
            )?;
            units::log(tx, cs, target.id, "unlink", Some(&name), Some(&target.name))?;
            check(tx)?;
            return Ok(format!(
                "đã gỡ việc đổi tên \"{name}\" → \"{}\"; mọi tháng mang tên \"{}\"",
                target.name, target.name
            ));
        }
    }
    let candidates: Vec<&Unit> = index
        .units()
        .iter()
        .filter(|u| {
            text::match_key(&u.name) == text::match_key(old)
                && index.lineage().successors(u.id).next().is_some()
        })
        .collect();
    let from = match candidates.as_slice() {
        [u] => (*u).clone(),
        [] => index.require(old)?.clone(),
        many => {
            return Err(UnitError::Ambiguous(
                text::show(old),
                units::quote_list(&many.iter().map(|u| u.name.clone()).collect::<Vec<_>>()),
            ));
        }
    };
    let to: Option<Unit> = match into {
        Some(n) => {
            let succ: Vec<i64> = index
                .lineage()
                .successors(from.id)
                .filter_map(|e| e.to_unit)
                .collect();
            let key = text::match_key(n);
            let hit = succ
                .iter()
                .filter_map(|id| index.get(*id))
                .find(|u| text::match_key(&u.name) == key)
                .cloned();
            Some(match hit {
                Some(u) => u,
                None => index.require(n)?.clone(),
            })
        }
        None => None,
    };
    let month: Option<i64> = tx
        .query_row(
            "SELECT period_id FROM unit_lineage WHERE from_unit = ?1 AND coalesce(to_unit, 0) = coalesce(?2, 0)",
            params![from.id, to.as_ref().map(|u| u.id)],
            |r| r.get(0),
        )
        .optional()?;
    let removed = tx.execute(
        "DELETE FROM unit_lineage WHERE from_unit = ?1 AND coalesce(to_unit, 0) = coalesce(?2, 0)",
        params![from.id, to.as_ref().map(|u| u.id)],
    )?;
    // A unit that a change made start in that month (it existed before the
    // change was entered) starts no more once nothing is formed into it.
    if let (Some(t), Some(m)) = (&to, month) {
        let started_by_change: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM unit_changes WHERE unit_id = ?1 AND action = 'start' AND new_text = ?2)
               AND NOT EXISTS (SELECT 1 FROM unit_lineage WHERE to_unit = ?1 AND period_id = ?3)
               AND (SELECT valid_from FROM units WHERE id = ?1) = ?3",
            params![t.id, Period::from_key(m).map(|p| p.to_string()), m],
            |r| r.get(0),
        )?;
        if started_by_change {
            tx.execute("UPDATE units SET valid_from = NULL WHERE id = ?1", [t.id])?;
        }
    }
    if removed == 0 {
        return Err(UnitError::Lineage(format!(
            "không có dòng \"{}\" → \"{}\" trong lịch sử sắp xếp\n  gợi ý: xem `chiso units lineage \"{}\"`",
            from.name,
            to.as_ref().map_or("(không có)", |u| u.name.as_str()),
            from.name
        )));
    }
    refresh_until(tx, from.id)?;
    units::log(
        tx,
        cs,
        from.id,
        "unlink",
        Some(&from.name),
        Some(to.as_ref().map_or("(không có)", |u| u.name.as_str())),
    )?;
    check(tx)?;
    Ok(format!(
        "đã gỡ \"{}\" → \"{}\"",
        from.name,
        to.as_ref().map_or("(không có)", |u| u.name.as_str())
    ))
}

/// What every lineage change must leave true: each stored value lies in
/// its unit's months, and no two units with one name live in one month.
pub fn check(tx: &Connection) -> Result<(), UnitError> {
    let mut st = tx.prepare_cached(concat!(
        "SELECT name, period_id, valid_from, valid_until FROM (
             SELECT u.name, u.sort_key, v.period_id, u.valid_from, u.valid_until, ",
        last_month_sql!(),
        " AS last_month
             FROM unit_values v JOIN units u ON u.id = v.unit_id)
         WHERE (valid_from IS NOT NULL AND last_month < valid_from)
            OR (valid_until IS NOT NULL AND last_month >= valid_until)
         ORDER BY sort_key, period_id LIMIT 20"
    ))?;
    let outside: Vec<(String, i64, Option<i64>, Option<i64>)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if let Some((name, period, _, _)) = outside.first() {
        let month = |k: i64| Period::from_key(k).map_or_else(String::new, |p| p.to_string());
        let list: Vec<String> = outside
            .iter()
            .map(|(n, p, _, _)| format!("\"{n}\" {}", month(*p)))
            .collect();
        return Err(UnitError::Lineage(format!(
            "thay đổi này để số liệu đã ghi nằm ngoài thời gian tồn tại của đơn vị: {}\n  gợi ý: kiểm tra lại tháng của thay đổi; nếu đúng, xoá số liệu đó trước, ví dụ\n    chiso set --period {} --unit \"{}\" processing=- …\n  rồi chạy lại lệnh này và nhập lại số liệu cho đúng đơn vị",
            list.join(", "),
            month(*period),
            name
        )));
    }
    let clash: Option<(String, i64)> = tx
        .query_row(
            "SELECT a.name, coalesce(max(a.valid_from, b.valid_from), a.valid_from, b.valid_from, 0)
             FROM units a JOIN units b ON a.match_key = b.match_key AND a.id < b.id
             WHERE (a.valid_from IS NULL OR b.valid_until IS NULL OR a.valid_from < b.valid_until)
               AND (b.valid_from IS NULL OR a.valid_until IS NULL OR b.valid_from < a.valid_until)
             LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((name, _)) = clash {
        return Err(UnitError::Lineage(format!(
            "thay đổi này để hai đơn vị cùng tên \"{name}\" cùng tồn tại trong một tháng\n  gợi ý: đơn vị cũ cùng tên phải kết thúc (sáp nhập) từ tháng đơn vị mới thành lập"
        )));
    }
    Ok(())
}
