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
use crate::model::{Period, Unit};

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
        Ok(Scope {
            parent,
            units,
            have,
            lineage: Arc::new(lineage),
            simple,
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

    /// Units formed or changed in `p`: nothing to compare with the month before.
    pub fn fresh_in(&self, p: Period) -> rustc_hash::FxHashSet<i64> {
        if self.simple {
            return Default::default();
        }
        self.lineage.fresh_in(&self.units, p)
    }

    /// Does unit `id` exist in `p`?
    pub fn exists(&self, id: i64, p: Period) -> bool {
        self.simple
            || self
                .units
                .iter()
                .find(|u| u.id == id)
                .is_none_or(|u| u.exists_in(p))
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
    let judged: Vec<&Rule> = enabled.iter().map(|&i| &rules[i]).collect();
    let all = super::judge_scoped(&judged, &units, &fresh, |rules, ids| {
        judge_units(rules, cat, ids, &current, prev, |p| p.label_vi(), period)
    });
    hits.reserve_exact(all.iter().map(|j| j.as_ref().map_or(0, Vec::len)).sum());
    for (ri, j) in enabled.into_iter().zip(all) {
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

/// Every month with data of one unit, oldest first, with the rules it broke
/// each month (judged like `month_table`). For the parent, no rules.
pub fn unit_history(
    conn: &Connection,
    cat: &Catalog,
    rules: &[Rule],
    unit_id: i64,
) -> Result<Vec<UnitMonth>, RuleError> {
    let scope = Scope::load(conn)?;
    let is_parent = Some(unit_id) == scope.parent_id();
    let mut out = Vec::new();
    let mut before: Option<(Period, Month)> = None;
    for &p in &scope.have {
        let month = scope.read(conn, cat, p, &|u| u == unit_id, Some(1), None)?;
        let row = if is_parent {
            month.parent.clone()
        } else {
            month.units.get(&unit_id).map(<[_]>::to_vec)
        };
        if let Some(row) = row {
            let prev = before
                .as_ref()
                .filter(|(bp, m)| *bp == p.previous() && !m.is_empty())
                .map(|(_, m)| m);
            let broken = if is_parent {
                Vec::new()
            } else {
                rules
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.enabled)
                    .filter(|(_, r)| {
                        matches!(
                            judge(r, cat, &[unit_id], &month, prev, |p| p.label_vi(), p),
                            Judgement::Hits(h) if !h.is_empty()
                        )
                    })
                    .map(|(i, _)| i)
                    .collect()
            };
            out.push(UnitMonth {
                period: p,
                row,
                broken,
            });
        }
        before = Some((p, month));
    }
    Ok(out)
}
