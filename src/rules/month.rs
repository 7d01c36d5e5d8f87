//! A month as the screen shows it: every unit's values, the month before
//! for the change, and which rules each unit breaks. The same `judge` as
//! `evaluate`, without streaks or directive texts, so that moving between
//! months stays quick on a national database.

use rusqlite::Connection;
use rustc_hash::FxHashMap;

use std::collections::BTreeSet;
use std::sync::Arc;

use super::{Judgement, Month, NotEvaluated, Rule, RuleError, Severity, judge, judge_units};
use crate::db::{self, Catalog, values};
use crate::model::{Period, PeriodKind, Unit};

/// One month, judged.
#[derive(Debug)]
pub struct MonthTable {
    pub period: Period,
    /// The calendar month before, whether or not it has data.
    pub previous: Period,
    pub parent: Option<Unit>,
    /// Child units in Vietnamese alphabetical order (shared with the
    /// `Scope` it was read with).
    pub units: Arc<Vec<Unit>>,
    pub current: Month,
    pub before: Month,
    /// (index into `rules`, unit id) of each hit, in rule order: what the
    /// screen marks (the values are in `current` and `before`).
    pub hits: Vec<(usize, i64)>,
    pub not_evaluated: Vec<NotEvaluated>,
}

impl MonthTable {
    /// The month itself; the rest is freed.
    fn into_current(self) -> Month {
        self.current
    }

    /// The month before; the rest is freed.
    fn into_before(self) -> Month {
        self.before
    }

    /// The rules each unit breaks: unit id → (rule index, severity).
    pub fn marks(&self, rules: &[Rule]) -> FxHashMap<i64, Vec<(usize, Severity)>> {
        let mut out: FxHashMap<i64, Vec<(usize, Severity)>> = FxHashMap::default();
        for &(ri, unit) in &self.hits {
            let list = out.entry(unit).or_default();
            if !list.iter().any(|(r, _)| *r == ri) {
                list.push((ri, rules[ri].severity));
            }
        }
        out
    }
}

/// What every reading of months starts from: the parent, the units judged
/// and the months that have data.
#[derive(Clone)]
pub struct Scope {
    pub parent: Option<Unit>,
    /// Child units in Vietnamese alphabetical order, every month's (`at`
    /// gives one month's).
    pub units: Arc<Vec<Unit>>,
    pub have: BTreeSet<Period>,
    /// Merges, splits, renames from a month.
    pub lineage: Arc<db::lineage::Lineage>,
    /// No unit starts, ends or changes its name: every month has `units`.
    pub simple: bool,
    /// Position in `units` by id (only when not `simple`: what `exists`
    /// looks up for each key of a streak walk).
    by_id: Arc<rustc_hash::FxHashMap<i64, usize>>,
}

impl Scope {
    pub fn load(conn: &Connection) -> rusqlite::Result<Scope> {
        let all = db::units::list(conn)?;
        let parent = all.iter().find(|u| u.is_parent).cloned();
        let units = Arc::new(all.into_iter().filter(|u| !u.is_parent).collect());
        let have = db::periods_with_data(conn)?
            .iter()
            .filter_map(|p| Period::parse(p))
            .collect();
        let lineage = db::lineage::Lineage::load(conn)?;
        let units: Arc<Vec<Unit>> = units;
        let simple =
            lineage.is_empty() && units.iter().all(|u| u.from.is_none() && u.until.is_none());
        let by_id = if simple {
            Default::default()
        } else {
            units.iter().enumerate().map(|(i, u)| (u.id, i)).collect()
        };
        Ok(Scope {
            parent,
            units,
            have,
            lineage: Arc::new(lineage),
            simple,
            by_id: Arc::new(by_id),
        })
    }

    /// The child units that exist in `p`, named as they were then, in
    /// alphabetical order of those names. The same `Arc` as `units` when
    /// no unit ever changed.
    pub fn at(&self, p: Period) -> Arc<Vec<Unit>> {
        if self.simple {
            return Arc::clone(&self.units);
        }
        let mut v: Vec<Unit> = self
            .units
            .iter()
            .filter(|u| u.exists_in(p))
            .cloned()
            .collect();
        let mut renamed = false;
        for u in &mut v {
            let name = self.lineage.name_in(u, p);
            if name != u.name {
                u.name = name.to_owned();
                renamed = true;
            }
        }
        if renamed {
            v.sort_by(|a, b| crate::text::compare_vi(&a.name, &b.name));
        }
        Arc::new(v)
    }

    /// Units formed or changed in `p`: nothing to compare with the period before.
    pub fn fresh_in(&self, p: Period) -> rustc_hash::FxHashSet<i64> {
        self.fresh_since(p.previous(), p)
    }

    /// Units formed or changed after `before` up to `p`: nothing to
    /// compare with in `before`.
    pub fn fresh_since(&self, before: Period, p: Period) -> rustc_hash::FxHashSet<i64> {
        if self.simple {
            return Default::default();
        }
        self.lineage.fresh_since(&self.units, before, p)
    }

    /// The periods of `kind` that have data, in order.
    pub fn have_of(&self, kind: crate::model::PeriodKind) -> impl Iterator<Item = Period> + '_ {
        self.have.iter().copied().filter(move |p| p.kind() == kind)
    }

    /// Does unit `id` exist in `p`?
    pub fn exists(&self, id: i64, p: Period) -> bool {
        self.simple
            || self
                .by_id
                .get(&id)
                .is_none_or(|&i| self.units[i].exists_in(p))
    }

    pub fn parent_id(&self) -> Option<i64> {
        self.parent.as_ref().map(|p| p.id)
    }

    pub fn ids(&self) -> Vec<i64> {
        self.units.iter().map(|u| u.id).collect()
    }

    /// Reads one month for every unit, or only those `keep` accepts (at
    /// most `kept` of them, if known), with the parent's row apart. A month
    /// without data is an empty `Month`.
    pub fn read(
        &self,
        conn: &Connection,
        cat: &Catalog,
        period: Period,
        keep: &dyn Fn(i64) -> bool,
        kept: Option<usize>,
        wanted: Option<&[bool]>,
    ) -> rusqlite::Result<Month> {
        if !self.have.contains(&period) {
            return Ok(Month {
                present: vec![false; cat.metrics.len()],
                ..Month::default()
            });
        }
        let parent_id = self.parent_id();
        let keep_unit = |u: i64| Some(u) == parent_id || keep(u);
        // The parent's row is read too.
        let kept = kept.map(|n| n + 1);
        let (mut rows, present) =
            values::scan_period(conn, period, cat, parent_id, keep_unit, kept, wanted)?;
        let parent = parent_id.and_then(|id| rows.remove(&id));
        Ok(Month {
            units: rows,
            parent,
            present,
        })
    }
}

impl Scope {
    /// `read` for the units a streak still follows, all with ids in
    /// `range` if given: by key when they are few, else by one scan of the
    /// month (of the range).
    pub fn read_some(
        &self,
        conn: &Connection,
        cat: &Catalog,
        period: Period,
        keep: &rustc_hash::FxHashSet<i64>,
        wanted: &[bool],
        range: Option<(i64, i64)>,
    ) -> rusqlite::Result<Month> {
        // A split walk's range holds about half the units.
        let among = self.units.len() / if range.is_some() { 2 } else { 1 };
        let keep_one = |u| keep.contains(&u);
        if !self.have.contains(&period) || (keep.len() * 5 > among && range.is_none()) {
            return self.read(conn, cat, period, &keep_one, Some(keep.len()), Some(wanted));
        }
        if let Some(range) = range.filter(|_| keep.len() * 5 > among) {
            // The range's rows; the parent's row and what the month has,
            // among all the units, by key.
            let parent_id = self.parent_id();
            let parent: Vec<i64> = parent_id.into_iter().collect();
            let (mut head, present) =
                values::scan_units(conn, period, cat, parent_id, &parent, wanted)?;
            let units = values::scan_range(conn, period, cat, range, keep_one, keep.len(), wanted)?;
            return Ok(Month {
                units,
                parent: parent_id.and_then(|id| head.remove(&id)),
                present,
            });
        }
        let parent_id = self.parent_id();
        // In key order: neighbouring lookups share the pages they read.
        let mut ids: Vec<i64> = keep.iter().copied().collect();
        ids.extend(parent_id);
        ids.sort_unstable();
        let (mut rows, present) = values::scan_units(conn, period, cat, parent_id, &ids, wanted)?;
        let parent = parent_id.and_then(|id| rows.remove(&id));
        Ok(Month {
            units: rows,
            parent,
            present,
        })
    }
}

/// Loads and judges one month (it must have data).
pub fn month_table(
    conn: &Connection,
    cat: &Catalog,
    rules: &[Rule],
    period: Period,
) -> Result<MonthTable, RuleError> {
    month_table_in(conn, cat, rules, &Scope::load(conn)?, period, None)
}

/// `month_table` with the scope already loaded. `old`, a neighbouring
/// month read with the same scope and nothing written since, lends the
/// month the two share: a step to the next or previous month reads one
/// month, not two.
pub fn month_table_in(
    conn: &Connection,
    cat: &Catalog,
    rules: &[Rule],
    scope: &Scope,
    period: Period,
    old: Option<MonthTable>,
) -> Result<MonthTable, RuleError> {
    let units = scope.at(period);
    let fresh = scope.fresh_in(period);
    let previous = period.previous();
    let read = |p| scope.read(conn, cat, p, &|_| true, None, None);
    // What is not reused goes before anything is read: two national
    // months at once are the peak of a session's memory.
    let (current, before) = match old {
        Some(o) if o.period == previous => {
            let kept = o.into_current();
            (read(period)?, kept)
        }
        Some(o) if o.previous == period => {
            let kept = o.into_before();
            (kept, read(previous)?)
        }
        old => {
            drop(old);
            (read(period)?, read(previous)?)
        }
    };
    let mut hits = Vec::new();
    let mut not_evaluated = Vec::new();
    let prev = Some(&before).filter(|m| !m.is_empty());
    let enabled: Vec<usize> = (0..rules.len()).filter(|&i| rules[i].enabled).collect();
    // A drop rule set to compare with the same period a year before is
    // judged against it, leaving out the units formed or changed since,
    // as `evaluate` does: the screen marks what the findings list.
    let yearly = |i: &usize| rules[*i].compares_last_year();
    let (by_year, by_previous): (Vec<usize>, Vec<usize>) = enabled.into_iter().partition(yearly);
    let mut all: Vec<(usize, Result<Vec<i64>, String>)> = Vec::new();
    let judged: Vec<&Rule> = by_previous.iter().map(|&i| &rules[i]).collect();
    let js = super::judge_scoped(&judged, &units, &fresh, |rules, ids| {
        judge_units(rules, cat, ids, &current, prev, |p| p.label_vi(), period)
    });
    all.extend(by_previous.into_iter().zip(js));
    if !by_year.is_empty() {
        let year_before = period.year_before();
        let last_year = read(year_before)?;
        let fresh = scope.fresh_since(year_before, period);
        let judged: Vec<&Rule> = by_year.iter().map(|&i| &rules[i]).collect();
        let prev = Some(&last_year).filter(|m| !m.is_empty());
        let js = super::judge_scoped(&judged, &units, &fresh, |rules, ids| {
            judge_units(rules, cat, ids, &current, prev, |p| p.label_vi(), period)
        });
        all.extend(by_year.into_iter().zip(js));
        all.sort_by_key(|(ri, _)| *ri);
    }
    hits.reserve_exact(
        all.iter()
            .map(|(_, j)| j.as_ref().map_or(0, Vec::len))
            .sum(),
    );
    for (ri, j) in all {
        match j {
            Ok(units) => hits.extend(units.into_iter().map(|u| (ri, u))),
            Err(reason) => not_evaluated.push(NotEvaluated {
                rule: rules[ri].code.clone(),
                unit: None,
                reason,
            }),
        }
    }
    Ok(MonthTable {
        period,
        previous,
        parent: scope.parent.clone(),
        units,
        current,
        before,
        hits,
        not_evaluated,
    })
}

/// One month of one unit's history.
#[derive(Debug, Clone)]
pub struct UnitMonth {
    pub period: Period,
    pub row: values::Row,
    /// Indices into the rules of the rules the unit broke that month.
    pub broken: Vec<usize>,
}

/// Every period of `kind` with data of one unit, oldest first, with the
/// rules it broke each time (judged like `month_table`: only the rules of
/// its group, and no fall in a period it was formed or took in another
/// unit). For the parent, no rules. Kinds stay apart: a quarter's figures
/// are the portal's own, not its months'.
pub fn unit_history(
    conn: &Connection,
    cat: &Catalog,
    rules: &[Rule],
    unit_id: i64,
    kind: PeriodKind,
) -> Result<Vec<UnitMonth>, RuleError> {
    let scope = Scope::load(conn)?;
    Ok(histories(conn, cat, rules, &scope, &[unit_id], kind)?
        .pop()
        .unwrap_or_default())
}

/// The periods of `kind` of several units (`unit_history` each), read in
/// one pass over those periods.
fn histories(
    conn: &Connection,
    cat: &Catalog,
    rules: &[Rule],
    scope: &Scope,
    ids: &[i64],
    kind: PeriodKind,
) -> Result<Vec<Vec<UnitMonth>>, RuleError> {
    let parent = scope.parent_id();
    let group_of = |id: i64| scope.units.iter().find(|u| u.id == id).map(Unit::group);
    let groups: Vec<Option<crate::model::Group>> = ids.iter().map(|&id| group_of(id)).collect();
    let keep: rustc_hash::FxHashSet<i64> = ids.iter().copied().collect();
    let mut out: Vec<Vec<UnitMonth>> = vec![Vec::new(); ids.len()];
    // The periods read within the last year (the kept units' rows only):
    // the one before, and the same a year before for a rule comparing
    // with it.
    let mut seen: FxHashMap<Period, Month> = FxHashMap::default();
    let yearly = Rule::compares_last_year;
    let any_yearly = rules.iter().any(|r| r.enabled && yearly(r));
    for p in scope.have_of(kind) {
        let month = scope.read(conn, cat, p, &|u| keep.contains(&u), Some(keep.len()), None)?;
        let fresh = scope.fresh_in(p);
        let year_before = p.year_before();
        let fresh_yearly = if any_yearly {
            scope.fresh_since(year_before, p)
        } else {
            Default::default()
        };
        let base = |q: Period| seen.get(&q).filter(|m| !m.is_empty());
        let (last, last_year) = (base(p.previous()), base(year_before));
        for (i, &id) in ids.iter().enumerate() {
            let is_parent = Some(id) == parent;
            let row = if is_parent {
                month.parent.clone()
            } else {
                month.units.get(&id).map(<[_]>::to_vec)
            };
            let Some(row) = row else { continue };
            // Formed or enlarged since: nothing to compare with.
            let prev = last.filter(|_| !fresh.contains(&id));
            let prev_yearly = last_year.filter(|_| !fresh_yearly.contains(&id));
            let broken = if is_parent {
                Vec::new()
            } else {
                rules
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.enabled)
                    .filter(|(_, r)| r.group.is_none_or(|g| Some(g) == groups[i]))
                    .filter(|(_, r)| {
                        let prev = if yearly(r) { prev_yearly } else { prev };
                        matches!(
                            judge(r, cat, &[id], &month, prev, |p| p.label_vi(), p),
                            Judgement::Hits(h) if !h.is_empty()
                        )
                    })
                    .map(|(i, _)| i)
                    .collect()
            };
            out[i].push(UnitMonth {
                period: p,
                row,
                broken,
            });
        }
        seen.insert(p, month);
        seen.retain(|q, _| *q >= year_before);
    }
    Ok(out)
}

/// How a unit went into the one a `Stretch` leads to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Handover {
    /// The first month of the unit it went into.
    pub period: Period,
    pub share: db::lineage::Share,
    /// The unit it went into (the one shown, or one of its predecessors).
    pub into: i64,
}

/// A stretch of the unit view: a unit's own months, or those of a unit it
/// was formed from or took in, before that change.
#[derive(Debug, Clone)]
pub struct Stretch {
    pub unit_id: i64,
    /// Its name in the last month of the stretch.
    pub name: String,
    /// None: the unit's own months.
    pub change: Option<Handover>,
    /// Oldest first, each with the name the unit had that month.
    pub months: Vec<(String, UnitMonth)>,
}

/// One unit's history across merges, splits and renames (the 2025
/// reform), in periods of `kind`: first its own (a rename keeps the unit,
/// so they run on under either name, each period with the name it had at
/// its end), then for each unit it was formed from or took in, that
/// unit's periods ending before the change, and so on back. Each stretch
/// is its own unit's figures: the portal's ratios of an old unit say
/// nothing of the new one, so nothing is added up or averaged (domain
/// notes §7).
pub fn history_across(
    conn: &Connection,
    cat: &Catalog,
    rules: &[Rule],
    unit_id: i64,
    kind: PeriodKind,
) -> Result<Vec<Stretch>, RuleError> {
    let scope = Scope::load(conn)?;
    // The unit, then its predecessors depth first, each once.
    let mut chain: Vec<(i64, Option<Handover>)> = vec![(unit_id, None)];
    let mut i = 0;
    while i < chain.len() {
        let (id, _) = chain[i];
        let mut next: Vec<(i64, Option<Handover>)> = scope
            .lineage
            .predecessors(id)
            .filter(|e| !chain.iter().any(|(c, _)| *c == e.from_unit))
            .map(|e| {
                let h = Handover {
                    period: e.period,
                    share: e.share,
                    into: id,
                };
                (e.from_unit, Some(h))
            })
            .collect();
        next.dedup_by_key(|(id, _)| *id);
        let at = i + 1;
        chain.splice(at..at, next);
        i += 1;
    }
    let ids: Vec<i64> = chain.iter().map(|(id, _)| *id).collect();
    let months = histories(conn, cat, rules, &scope, &ids, kind)?;
    let unit_of = |id: i64| scope.units.iter().chain(&scope.parent).find(|u| u.id == id);
    Ok(chain
        .into_iter()
        .zip(months)
        .map(|((id, change), months)| {
            let name_in = |p: Period| {
                unit_of(id).map_or_else(String::new, |u| scope.lineage.name_in(u, p).to_owned())
            };
            // The change is a month: a quarter or a year is before it if
            // it ends before it (kinds do not compare in time).
            let months: Vec<(String, UnitMonth)> = months
                .into_iter()
                .filter(|m| change.is_none_or(|c| m.period.last_month() < c.period))
                .map(|m| (name_in(m.period), m))
                .collect();
            let name = match (change, months.last()) {
                (Some(c), _) => name_in(c.period.previous()),
                (None, _) => unit_of(id).map_or_else(String::new, |u| u.name.clone()),
            };
            Stretch {
                unit_id: id,
                name,
                change,
                months,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn province() -> (tempfile::TempDir, db::Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::demo::build_province(&dir.path().join("p.db")).unwrap();
        (dir, db)
    }

    fn id_of(db: &db::Db, name: &str, alive: bool) -> i64 {
        let sql = if alive {
            "SELECT id FROM units WHERE name = ?1 AND valid_until IS NULL"
        } else {
            "SELECT id FROM units WHERE name = ?1 AND valid_until IS NOT NULL"
        };
        db.conn().query_row(sql, [name], |r| r.get(0)).unwrap()
    }

    /// Stores `from`'s rows as `to`'s, for the units that exist in `to`,
    /// each figure raised by `add`: a quarter or a year of the demo.
    fn copy_period(db: &mut db::Db, from: &str, to: &str, add: f64) {
        let (from, to) = (Period::parse(from).unwrap(), Period::parse(to).unwrap());
        let cat = Catalog::load(db.conn()).unwrap();
        let scope = Scope::load(db.conn()).unwrap();
        let rows = values::load_period(db.conn(), from, &cat).unwrap();
        let alive =
            |id: i64| Some(id) == scope.parent_id() || scope.at(to).iter().any(|u| u.id == id);
        db.write(|tx| -> rusqlite::Result<()> {
            let write = db::begin_period_write(tx, to)?;
            for (id, row) in rows.iter().filter(|(id, _)| alive(**id)) {
                let row: Vec<Option<crate::model::Value>> = row
                    .iter()
                    .map(|v| match v {
                        Some(crate::model::Value::Num(x)) => {
                            Some(crate::model::Value::Num((x + add).min(100.0)))
                        }
                        v => v.clone(),
                    })
                    .collect();
                values::put(tx, write, *id, &row, &cat)?;
            }
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn a_unit_history_keeps_to_the_kind_shown() {
        let (_d, mut db) = province();
        copy_period(&mut db, "2025-06", "2025-Q2", 0.0);
        copy_period(&mut db, "2025-09", "2025-Q3", 0.0);
        let cat = Catalog::load(db.conn()).unwrap();
        let rules = super::super::load_rules(db.conn()).unwrap();
        let id = id_of(&db, "Xã Tân Hưng", true);
        // Months: the quarters are not among them.
        let parts = history_across(db.conn(), &cat, &rules, id, PeriodKind::Month).unwrap();
        assert_eq!(months(&parts[0]), ["2025-07", "2025-08", "2025-09"]);
        assert_eq!(months(&parts[1]), ["2025-05", "2025-06"]);
        // Quarters: its own, then each old unit's quarter before July.
        let parts = history_across(db.conn(), &cat, &rules, id, PeriodKind::Quarter).unwrap();
        assert_eq!(parts.len(), 4);
        assert_eq!(months(&parts[0]), ["2025-Q3"]);
        for old in &parts[1..] {
            assert_eq!(months(old), ["2025-Q2"], "{}", old.name);
        }
        // Formed in the quarter: not compared with quý II, no fall judged.
        let q3 = Period::parse("2025-Q3").unwrap();
        assert!(Scope::load(db.conn()).unwrap().fresh_in(q3).contains(&id));
        let drop = rules
            .iter()
            .position(|r| r.code == "digitization_drop")
            .expect("the seeded drop rule");
        assert!(!parts[0].months[0].1.broken.contains(&drop));
        let police = id_of(&db, "Công an tỉnh", true);
        let years = unit_history(db.conn(), &cat, &rules, police, PeriodKind::Year).unwrap();
        assert!(years.is_empty());
    }

    #[test]
    fn the_screen_judges_a_rule_against_last_year_as_the_findings_do() {
        let (_d, mut db) = province();
        copy_period(&mut db, "2025-06", "2025-Q2", 0.0);
        copy_period(&mut db, "2025-09", "2025-Q3", 0.0);
        // A year before, every figure higher: each agency fell since.
        copy_period(&mut db, "2025-09", "2024-Q3", 5.0);
        db.conn()
            .execute(
                "UPDATE rules SET compare = 'last_year' WHERE code = 'digitization_drop'",
                [],
            )
            .unwrap();
        let cat = Catalog::load(db.conn()).unwrap();
        let rules = super::super::load_rules(db.conn()).unwrap();
        let q3 = Period::parse("2025-Q3").unwrap();
        let table = month_table(db.conn(), &cat, &rules, q3).unwrap();
        let drop = rules
            .iter()
            .position(|r| r.code == "digitization_drop")
            .unwrap();
        let name = |id: i64| {
            table
                .units
                .iter()
                .find(|u| u.id == id)
                .unwrap()
                .name
                .clone()
        };
        let mut marked: Vec<String> = table
            .hits
            .iter()
            .filter(|(r, _)| *r == drop)
            .map(|(_, u)| name(*u))
            .collect();
        marked.sort();
        let found = super::super::evaluate(db.conn(), q3).unwrap();
        let mut listed: Vec<String> = found
            .findings
            .iter()
            .filter(|f| f.rule == "digitization_drop")
            .map(|f| f.unit.clone())
            .collect();
        listed.sort();
        assert_eq!(marked, listed);
        // Every agency below 100 a year ago fell; no commune formed in July
        // is compared with a year before.
        assert!(marked.contains(&"Công an tỉnh".to_owned()), "{marked:?}");
        assert!(!marked.iter().any(|n| n.starts_with("Xã ")), "{marked:?}");
        // The unit view judges its quarters the same way.
        for name in ["Công an tỉnh", "Xã Tân Hưng"] {
            let id = id_of(&db, name, true);
            let history = unit_history(db.conn(), &cat, &rules, id, PeriodKind::Quarter).unwrap();
            let q3 = history.iter().find(|m| m.period == q3).unwrap();
            assert_eq!(
                q3.broken.contains(&drop),
                marked.contains(&name.to_owned()),
                "{name}"
            );
        }
    }

    fn months(s: &Stretch) -> Vec<String> {
        s.months.iter().map(|(_, m)| m.period.to_string()).collect()
    }

    #[test]
    fn a_merged_unit_shows_its_months_then_each_old_units_before_the_merge() {
        let (_d, db) = province();
        let cat = Catalog::load(db.conn()).unwrap();
        let rules = super::super::load_rules(db.conn()).unwrap();
        let id = id_of(&db, "Xã Tân Hưng", true);
        let parts = history_across(db.conn(), &cat, &rules, id, PeriodKind::Month).unwrap();
        let heads: Vec<(&str, Option<Period>)> = parts
            .iter()
            .map(|s| (s.name.as_str(), s.change.map(|c| c.period)))
            .collect();
        let july = Period::parse("2025-07");
        assert_eq!(
            heads,
            [
                ("Xã Tân Hưng", None),
                ("Xã Thủ Sỹ", july),
                ("Xã Phương Nam", july),
                ("Xã Tân Hưng", july),
            ]
        );
        assert_eq!(months(&parts[0]), ["2025-07", "2025-08", "2025-09"]);
        for old in &parts[1..] {
            assert_eq!(months(old), ["2025-05", "2025-06"], "{}", old.name);
            let c = old.change.unwrap();
            assert_eq!((c.into, c.share), (id, db::lineage::Share::Whole));
            assert_ne!(old.unit_id, id);
        }
        // The old Tân Hưng's figures are its own, not the new unit's.
        let dig = cat.index_of("digitization").unwrap();
        let june = &parts[3].months[1].1;
        assert_eq!(june.row[dig], Some(crate::model::Value::Num(55.4)));
        // July is the new unit's first month: no fall is judged.
        let drop = rules.iter().position(|r| r.code == "digitization_drop");
        let july_row = &parts[0].months[0].1;
        assert!(drop.is_none_or(|d| !july_row.broken.contains(&d)));
    }

    #[test]
    fn a_split_and_a_rename() {
        let (_d, db) = province();
        let cat = Catalog::load(db.conn()).unwrap();
        let rules = super::super::load_rules(db.conn()).unwrap();
        let bac = id_of(&db, "Xã Giả Lập Bắc", true);
        let parts = history_across(db.conn(), &cat, &rules, bac, PeriodKind::Month).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1].name, "Xã Giả Lập Đông");
        assert_eq!(parts[1].change.unwrap().share, db::lineage::Share::Part);
        // Renamed from 8/2025: one unit, one stretch, the old name before.
        let ban = id_of(
            &db,
            "Ban Quản lý các khu công nghiệp và khu kinh tế tỉnh",
            true,
        );
        let parts = history_across(db.conn(), &cat, &rules, ban, PeriodKind::Month).unwrap();
        assert_eq!(parts.len(), 1);
        let names: Vec<(String, &str)> = parts[0]
            .months
            .iter()
            .map(|(n, m)| (m.period.to_string(), n.as_str()))
            .collect();
        assert_eq!(names.len(), 5);
        assert_eq!(names[2].1, "Ban Quản lý các khu công nghiệp tỉnh");
        assert_eq!(
            names[3],
            (
                "2025-08".to_string(),
                "Ban Quản lý các khu công nghiệp và khu kinh tế tỉnh"
            )
        );
        // A unit with no history before it: its own months only.
        let police = id_of(&db, "Công an tỉnh", true);
        let parts = history_across(db.conn(), &cat, &rules, police, PeriodKind::Month).unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(
            unit_history(db.conn(), &cat, &rules, police, PeriodKind::Month)
                .unwrap()
                .len(),
            5
        );
    }
}
