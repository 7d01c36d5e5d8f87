//! Rules and findings: which units need corrective directives, and why.
//!
//! Rules are rows of the `rules` table. `judge` applies one rule to one
//! month of plain data; `evaluate` runs every enabled rule on a month, walks
//! back through earlier months for streaks, and returns `Findings`, which
//! the CLI prints and later the TUI and the report reuse. No printing here.

pub mod cache;
mod definition;
#[cfg(test)]
pub(crate) mod fixture;
pub mod json;
pub mod month;
pub mod months_on_list;
pub mod render;
mod walk;

pub use definition::{
    CompareWith, Rule, RuleChange, RuleKind, Severity, add_like, load_rules, update_rule,
};
use walk::Open;

use std::borrow::Cow;

use rusqlite::Connection;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::db::{self, Catalog, values};
use crate::model::{Group, JsonValue, MetricKind, Period, Unit, Value};

#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("không có quy tắc \"{0}\"; xem `chiso rules list`")]
    Unknown(String),
    #[error("quy tắc {code}: {message}")]
    Invalid { code: String, message: String },
    #[error("không có số liệu {0}{1}")]
    NoData(String, String),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// What the engine sees of one month: each unit's row and the parent's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Month {
    /// Rows of the units loaded (all, or only those a streak still follows).
    pub units: values::Rows,
    pub parent: Option<values::Row>,
    /// Per catalog index: does any child unit have a value this month (all
    /// units, loaded or not).
    pub present: Vec<bool>,
}

impl Month {
    /// A month whose `units` are all the child units (tests build them).
    #[cfg(test)]
    pub fn complete(
        units: FxHashMap<i64, values::Row>,
        parent: Option<values::Row>,
        metrics: usize,
    ) -> Month {
        let present = (0..metrics)
            .map(|m| units.values().any(|r| r[m].is_some()))
            .collect();
        let mut rows = values::Rows::new(metrics);
        for (u, r) in &units {
            rows.insert(*u, r);
        }
        Month {
            units: rows,
            parent,
            present,
        }
    }

    pub fn is_empty(&self) -> bool {
        !self.present.iter().any(|p| *p) && self.parent.is_none()
    }

    fn has(&self, m: usize) -> bool {
        self.present.get(m).copied().unwrap_or(false)
    }
}

/// One unit that a rule caught in one month.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub unit_id: i64,
    /// Catalog index of the metric.
    pub metric: usize,
    pub value: Option<Value>,
    pub previous: Option<Value>,
    pub reference: Option<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Judgement {
    Hits(Vec<Hit>),
    NotEvaluated(String),
}

/// Applies one rule to one month. `children` are the units judged (the
/// parent never is); `prev` is the month before, if it has data.
pub fn judge(
    rule: &Rule,
    cat: &Catalog,
    children: &[i64],
    month: &Month,
    prev: Option<&Month>,
    label_of: impl Fn(Period) -> String,
    period: Period,
) -> Judgement {
    judge_all(&[rule], cat, children, month, prev, label_of, period)
        .pop()
        .expect("one rule, one judgement")
}

/// `judge` for several rules at once, in one pass over the units: each
/// unit's rows are looked up once for all the rules, not once per rule.
pub fn judge_all(
    rules: &[&Rule],
    cat: &Catalog,
    children: &[i64],
    month: &Month,
    prev: Option<&Month>,
    label_of: impl Fn(Period) -> String,
    period: Period,
) -> Vec<Judgement> {
    let prepared = prepare(rules, cat, month, prev, &label_of, period);
    // Per rule, per metric it looks at: missing_data reports metric by
    // metric, each in unit order.
    let mut hits: Vec<Vec<Vec<Hit>>> = prepared
        .iter()
        .map(|p| match p {
            Ok(Prepared::Missing(ms)) => vec![Vec::new(); ms.len()],
            _ => vec![Vec::new()],
        })
        .collect();
    each_unit(&prepared, children, month, prev, |r, u, seen| match seen {
        Seen::Lacks { slot, metric } => hits[r][slot].push(Hit {
            unit_id: u,
            metric,
            value: None,
            previous: None,
            reference: None,
        }),
        Seen::Rows(c, row, prow) => {
            if let Some(h) = c.hit(u, row, prow) {
                hits[r][0].push(h);
            }
        }
    });
    prepared
        .into_iter()
        .zip(hits)
        .map(|(p, h)| match p {
            Err(reason) => Judgement::NotEvaluated(reason),
            Ok(_) => Judgement::Hits(h.into_iter().flatten().collect()),
        })
        .collect()
}

/// `judge_all` naming only the units caught, not their values: what a
/// screen marks (a unit twice when missing_data catches several metrics).
pub fn judge_units(
    rules: &[&Rule],
    cat: &Catalog,
    children: &[i64],
    month: &Month,
    prev: Option<&Month>,
    label_of: impl Fn(Period) -> String,
    period: Period,
) -> Vec<Result<Vec<i64>, String>> {
    let prepared = prepare(rules, cat, month, prev, &label_of, period);
    let mut caught: Vec<Vec<i64>> = vec![Vec::new(); rules.len()];
    each_unit(&prepared, children, month, prev, |r, u, seen| match seen {
        Seen::Lacks { .. } => caught[r].push(u),
        Seen::Rows(c, row, prow) => {
            if c.fires(row, prow).is_some() {
                caught[r].push(u);
            }
        }
    });
    prepared
        .into_iter()
        .zip(caught)
        .map(|(p, units)| p.map(|_| units))
        .collect()
}

/// Judges `rules` over a month's `units` with `judge(rules, ids)`: a rule
/// for one group judges only that group's units, and a rule that compares
/// with the month before leaves out the units formed or changed this
/// month (`fresh`): they have no month before (a merged unit's percentages
/// are not its predecessors'). Results in the rules' order.
pub(crate) fn judge_scoped<T>(
    rules: &[&Rule],
    units: &[Unit],
    fresh: &FxHashSet<i64>,
    mut judge: impl FnMut(&[&Rule], &[i64]) -> Vec<T>,
) -> Vec<T> {
    let key = |r: &Rule| (r.group, r.kind == RuleKind::Drop && !fresh.is_empty());
    let mut keys: Vec<(Option<Group>, bool)> = Vec::new();
    for r in rules {
        if !keys.contains(&key(r)) {
            keys.push(key(r));
        }
    }
    let ids = |group: Option<Group>, settled: bool| -> Vec<i64> {
        units
            .iter()
            .filter(|u| group.is_none_or(|g| u.group() == g))
            .filter(|u| !settled || !fresh.contains(&u.id))
            .map(|u| u.id)
            .collect()
    };
    if let [(None, false)] = keys.as_slice() {
        return judge(rules, &ids(None, false));
    }
    let mut out: Vec<Option<T>> = (0..rules.len()).map(|_| None).collect();
    for (group, settled) in keys {
        let ix: Vec<usize> = (0..rules.len())
            .filter(|&i| key(rules[i]) == (group, settled))
            .collect();
        let these: Vec<&Rule> = ix.iter().map(|&i| rules[i]).collect();
        for (i, j) in ix.iter().zip(judge(&these, &ids(group, settled))) {
            out[*i] = Some(j);
        }
    }
    out.into_iter()
        .map(|j| j.expect("every rule judged"))
        .collect()
}

fn prepare<'a>(
    rules: &[&'a Rule],
    cat: &'a Catalog,
    month: &'a Month,
    prev: Option<&Month>,
    label_of: &impl Fn(Period) -> String,
    period: Period,
) -> Vec<Result<Prepared<'a>, String>> {
    rules
        .iter()
        .map(|r| Prepared::new(r, cat, month, prev, label_of, period))
        .collect()
}

/// What `each_unit` shows of a unit for one rule.
enum Seen<'c, 'r> {
    /// missing_data: the unit lacks the metric of this slot.
    Lacks { slot: usize, metric: usize },
    /// A comparing rule with the unit's rows, this month's and last.
    Rows(
        &'c Compare<'c>,
        Option<&'r [Option<Value>]>,
        Option<&'r [Option<Value>]>,
    ),
}

/// Visits each unit once, in order, for every rule that can be judged:
/// (rule index, unit id, what the rule sees).
fn each_unit<'r>(
    prepared: &[Result<Prepared, String>],
    children: &[i64],
    month: &'r Month,
    prev: Option<&'r Month>,
    mut visit: impl FnMut(usize, i64, Seen<'_, 'r>),
) {
    for &u in children {
        let row = month.units.get(&u);
        let prow = prev.and_then(|p| p.units.get(&u));
        for (r, p) in prepared.iter().enumerate() {
            match p {
                Err(_) => {}
                Ok(Prepared::Missing(ms)) => {
                    for (slot, &metric) in ms.iter().enumerate() {
                        if row.is_none_or(|row| row[metric].is_none()) {
                            visit(r, u, Seen::Lacks { slot, metric });
                        }
                    }
                }
                Ok(Prepared::Compare(c)) => visit(r, u, Seen::Rows(c, row, prow)),
            }
        }
    }
}

/// A rule with what does not depend on the unit worked out once a month.
enum Prepared<'a> {
    /// The metrics some unit has this month.
    Missing(Vec<usize>),
    Compare(Compare<'a>),
}

struct Compare<'a> {
    rule: &'a Rule,
    kind: RuleKind,
    metric: usize,
    parent_value: Option<&'a Value>,
    labels: &'a [String],
    /// LabelWorse: rank of the rule's label.
    limit: Option<usize>,
}

fn num(v: Option<&Value>) -> Option<f64> {
    match v {
        Some(Value::Num(x)) => Some(*x),
        _ => None,
    }
}

impl<'a> Prepared<'a> {
    /// The rule ready to apply, or why it cannot be judged this month.
    fn new(
        rule: &'a Rule,
        cat: &'a Catalog,
        month: &'a Month,
        prev: Option<&Month>,
        label_of: &impl Fn(Period) -> String,
        period: Period,
    ) -> Result<Prepared<'a>, String> {
        let metric = match &rule.metric {
            Some(code) => match cat.index_of(code) {
                Some(i) => Some(i),
                None => return Err(format!("không có chỉ số {code}")),
            },
            None => None,
        };
        let m = match (rule.kind, metric) {
            (RuleKind::Missing, Some(m)) => {
                return Ok(Prepared::Missing(
                    [m].into_iter().filter(|&m| month.has(m)).collect(),
                ));
            }
            (RuleKind::Missing, None) => {
                return Ok(Prepared::Missing(
                    (0..cat.metrics.len()).filter(|&m| month.has(m)).collect(),
                ));
            }
            (_, None) => return Err("quy tắc thiếu chỉ số".into()),
            (_, Some(m)) => m,
        };
        let kind = rule.kind;
        if !month.has(m) {
            return Err(format!(
                "không có số liệu \"{}\" {}",
                cat.metrics[m].label,
                label_of(period)
            ));
        }
        let parent_value = month.parent.as_ref().and_then(|r| r[m].as_ref());
        if kind == RuleKind::BelowParent && num(parent_value).is_none() {
            return Err(format!(
                "đơn vị cấp trên chưa có số liệu \"{}\" {}",
                cat.metrics[m].label,
                label_of(period)
            ));
        }
        if kind == RuleKind::Drop && !prev.is_some_and(|p| p.has(m)) {
            return Err(format!(
                "không có số liệu {}",
                label_of(rule.compared(period))
            ));
        }
        let labels = &cat.metrics[m].labels;
        let limit = rule
            .label
            .as_deref()
            .and_then(|l| labels.iter().position(|x| x == l));
        if kind == RuleKind::LabelWorse && limit.is_none() {
            return Err(format!(
                "mức \"{}\" không có trong danh sách của \"{}\"",
                rule.label.clone().unwrap_or_default(),
                cat.metrics[m].label
            ));
        }
        Ok(Prepared::Compare(Compare {
            rule,
            kind,
            metric: m,
            parent_value,
            labels,
            limit,
        }))
    }
}

impl Compare<'_> {
    /// Does the rule fire for this unit's rows? Its value, if so.
    fn fires<'r>(
        &self,
        row: Option<&'r [Option<Value>]>,
        prow: Option<&'r [Option<Value>]>,
    ) -> Option<(&'r Value, Option<&'r Value>)> {
        let (rule, m) = (self.rule, self.metric);
        let value = row.and_then(|r| r[m].as_ref())?;
        let previous = prow.and_then(|r| r[m].as_ref());
        let x = num(Some(value));
        let fires = match self.kind {
            RuleKind::Below => x.is_some_and(|x| x < rule.threshold.unwrap_or(0.0)),
            RuleKind::Band => {
                let (lo, hi) = (
                    rule.threshold.unwrap_or(0.0),
                    rule.upper.unwrap_or(f64::INFINITY),
                );
                x.is_some_and(|x| lo <= x && x < hi)
            }
            RuleKind::Drop => {
                let t = rule.threshold.unwrap_or(0.0);
                x.zip(num(previous)).is_some_and(|(x, p)| p - x > t)
            }
            RuleKind::BelowParent => x.zip(num(self.parent_value)).is_some_and(|(x, p)| x < p),
            RuleKind::LabelWorse => match (value, self.limit) {
                (Value::Label(l), Some(limit)) => self
                    .labels
                    .iter()
                    .position(|x| x == l)
                    .is_some_and(|r| r > limit),
                _ => false,
            },
            RuleKind::Missing => unreachable!("prepared apart"),
        };
        fires.then_some((value, previous))
    }

    /// The hit, if the rule fires for this unit's rows.
    fn hit(
        &self,
        u: i64,
        row: Option<&[Option<Value>]>,
        prow: Option<&[Option<Value>]>,
    ) -> Option<Hit> {
        // Borrowed until it fires: most units do not, and cloning every
        // label costs.
        let (value, previous) = self.fires(row, prow)?;
        let rule = self.rule;
        // What the value was compared against.
        let reference = match self.kind {
            RuleKind::Below | RuleKind::Band => Some(Value::Num(rule.threshold.unwrap_or(0.0))),
            RuleKind::Drop => previous.cloned(),
            RuleKind::BelowParent => self.parent_value.cloned(),
            RuleKind::LabelWorse => rule.label.clone().map(Value::Label),
            RuleKind::Missing => None,
        };
        Some(Hit {
            unit_id: u,
            metric: self.metric,
            value: Some(value.clone()),
            previous: previous.cloned(),
            reference,
        })
    }
}

/// Keeps the (unit, metric) keys for which `rule` fires in `month`: what
/// `judge` finds among them, without making hits (a streak walk asks this
/// of thousands of units in each of many months). A rule that cannot be
/// judged that month keeps none.
fn still_firing(
    rule: &Rule,
    cat: &Catalog,
    month: &Month,
    prev: Option<&Month>,
    period: Period,
    alive: &mut FxHashSet<(i64, usize)>,
) {
    // The reason a rule cannot be judged is not shown here.
    match Prepared::new(rule, cat, month, prev, &|_| String::new(), period) {
        Err(_) => alive.clear(),
        Ok(Prepared::Missing(ms)) => alive.retain(|&(u, m)| {
            ms.contains(&m) && month.units.get(&u).is_none_or(|r| r[m].is_none())
        }),
        Ok(Prepared::Compare(c)) => alive.retain(|&(u, m)| {
            let prow = prev.and_then(|p| p.units.get(&u));
            m == c.metric && c.fires(month.units.get(&u), prow).is_some()
        }),
    }
}

/// One unit that needs a directive this month.
#[derive(Debug, Clone)]
pub struct Finding {
    pub unit: String,
    pub group: Group,
    pub rule: String,
    pub metric: String,
    pub severity: Severity,
    pub streak: u32,
    pub escalated: bool,
    pub directive: String,
    pub unit_id: i64,
    /// The metric's kind: how the hit's values read in JSON.
    pub kind: MetricKind,
    /// The values: `value`, `previous` and `reference` of the JSON are
    /// these (held once; a national month has 20,000 findings).
    pub hit: Hit,
}

impl Finding {
    /// `value`, `previous` and `reference` as the JSON writes them.
    pub fn json_values(&self) -> [(&'static str, Option<JsonValue<'_>>); 3] {
        let kind = self.kind;
        fn j(v: &Option<Value>, kind: MetricKind) -> Option<JsonValue<'_>> {
            v.as_ref().map(|v| JsonValue(v, kind))
        }
        [
            ("value", j(&self.hit.value, kind)),
            ("previous", j(&self.hit.previous, kind)),
            ("reference", j(&self.hit.reference, kind)),
        ]
    }
}

/// The JSON contract's fields, in its order.
impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Finding", 11)?;
        st.serialize_field("unit", &self.unit)?;
        st.serialize_field("group", &self.group)?;
        st.serialize_field("rule", &self.rule)?;
        st.serialize_field("metric", &self.metric)?;
        st.serialize_field("severity", &self.severity)?;
        for (name, v) in self.json_values() {
            st.serialize_field(name, &v)?;
        }
        st.serialize_field("streak", &self.streak)?;
        st.serialize_field("escalated", &self.escalated)?;
        st.serialize_field("directive", &self.directive)?;
        st.end()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleSummary {
    pub rule: String,
    pub count: usize,
    pub units: Vec<String>,
    /// The period whose values the rule's findings hold as `previous`
    /// (a drop rule's comparison: the period before or a year before).
    pub compared_with: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotEvaluated {
    pub rule: String,
    /// A unit the rule could not judge (formed or changed this month);
    /// None: the whole rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub reason: String,
}

/// Everything `chiso findings` reports for a month.
#[derive(Debug, Clone, Serialize)]
pub struct Findings {
    pub period: String,
    pub previous_period: String,
    pub units_total: usize,
    pub findings: Vec<Finding>,
    pub summary: Vec<RuleSummary>,
    pub not_evaluated: Vec<NotEvaluated>,
    /// Context for rendering prose (not part of the JSON contract).
    #[serde(skip)]
    pub context: Context,
}

impl Findings {
    /// Only group `g`: its findings, its units (and their count), the
    /// rules it is judged by (`chiso findings --group`).
    pub fn keep_group(&mut self, g: Group) {
        let mine = self.context.units_of(g);
        let in_group = |name: &str| mine.iter().any(|u| u.name == name);
        self.findings.retain(|f| f.group == g);
        for s in &mut self.summary {
            s.units.retain(|u| in_group(u));
            s.count = s.units.len();
        }
        self.summary.retain(|s| s.count > 0);
        let ctx = &self.context;
        self.not_evaluated.retain(|n| ctx.concerns(n, g, &mine));
        self.units_total = mine.len();
        self.context.kinds_word = render::kinds_word(&mine);
        self.context.units = std::sync::Arc::new(mine);
    }
}

impl Context {
    /// The units of group `g` in the month.
    pub fn units_of(&self, g: Group) -> Vec<Unit> {
        self.units
            .iter()
            .filter(|u| u.group() == g)
            .cloned()
            .collect()
    }

    /// Does a rule that could not be judged concern group `g`: a unit of
    /// it (`mine`, from `units_of`), or a rule that judges that group?
    pub fn concerns(&self, n: &NotEvaluated, g: Group, mine: &[Unit]) -> bool {
        match &n.unit {
            Some(name) => mine.iter().any(|u| &u.name == name),
            None => self
                .rules
                .iter()
                .find(|r| r.code == n.rule)
                .is_none_or(|r| r.group.is_none_or(|rg| rg == g)),
        }
    }
}

/// What text rendering needs besides the findings.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub rules: Vec<Rule>,
    /// Shared with the scope they were read with (the TUI's, if lent).
    pub units: std::sync::Arc<Vec<Unit>>,
    pub parent: Option<Unit>,
    pub kinds_word: String,
    pub catalog: Option<Catalog>,
    /// The escalation sentence (setting `accountability`).
    pub accountability: String,
}

/// Runs every enabled rule on `period`, with streaks and escalation.
/// Reads in one transaction (one consistent view of the file); streaks it
/// counted are cached for the next call (`cache`).
pub fn evaluate(conn: &Connection, period: Period) -> Result<Findings, RuleError> {
    evaluate_with(conn, period, How::FULL, None)
}

/// `evaluate` comparing `period` with `compare` for every rule (`findings
/// --compare`): the drop rules fall against that period, and every
/// finding's previous value is that period's.
pub fn evaluate_compared(
    conn: &Connection,
    period: Period,
    compare: Option<CompareWith>,
    directives: bool,
) -> Result<Findings, RuleError> {
    let how = How {
        directives,
        compare,
        ..How::FULL
    };
    evaluate_with(conn, period, how, None)
}

/// Who is on `period`'s lists, rule by rule: `evaluate_lean` without
/// streaks (every streak 1, nothing escalated). What a quarter's or a
/// year's months on the list count, month after month, without walking
/// back from each.
pub fn evaluate_lists(conn: &Connection, period: Period) -> Result<Findings, RuleError> {
    let how = How {
        streaks: false,
        ..How::LEAN
    };
    evaluate_with(conn, period, how, None)
}

/// `evaluate` leaving every directive empty: a screen renders the one it
/// shows (`render::directive_for`) instead of holding 20,000 texts.
pub fn evaluate_lean(conn: &Connection, period: Period) -> Result<Findings, RuleError> {
    evaluate_with(conn, period, How::LEAN, None)
}

/// What a caller showing a month already holds, read on the same
/// connection when `PRAGMA data_version` said `data_version`: the units
/// and the month table. The TUI lends them so that the findings view does
/// not read and hold the two months a second time. Used only if the file
/// has not changed since; otherwise everything is read afresh.
pub struct Lent<'a> {
    pub scope: &'a month::Scope,
    pub table: &'a month::MonthTable,
    pub data_version: i64,
}

/// `evaluate_lean` with what the caller already holds.
pub fn evaluate_lean_lent(
    conn: &Connection,
    period: Period,
    lent: Option<Lent<'_>>,
) -> Result<Findings, RuleError> {
    evaluate_with(conn, period, How::LEAN, lent)
}

fn evaluate_with(
    conn: &Connection,
    period: Period,
    how: How,
    lent: Option<Lent<'_>>,
) -> Result<Findings, RuleError> {
    if !conn.is_autocommit() {
        // The caller's own uncommitted writes do not show in data_version.
        return evaluate_in(conn, period, false, how, None, None);
    }
    // No streaks cached for this month or the one before: the walk may go
    // back through every month. A second connection begins its read first;
    // `evaluate_in` uses it only if nothing was written before its own.
    // Only in WAL mode (a reader never holds up the commit of the cache)
    // and with no statement of the caller's still reading (its older read
    // would hide a write from data_version).
    let wal = || -> rusqlite::Result<bool> {
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
        Ok(mode.eq_ignore_ascii_case("wal"))
    };
    let helper = match conn.path().filter(|p| !p.is_empty()) {
        Some(path) if how.streaks && !conn.is_busy() && wal()? && !cache::near(conn, period)? => {
            let before = db::data_version(conn)?;
            walk::Helper::start(path).map(|h| (h, before))
        }
        _ => None,
    };
    conn.execute_batch("BEGIN")?;
    let result = evaluate_in(conn, period, true, how, lent, helper.as_ref());
    if conn.execute_batch("COMMIT").is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    result
}

/// What an evaluation makes besides the findings.
#[derive(Clone, Copy)]
struct How {
    /// Fill every directive.
    directives: bool,
    /// Compare every rule with this (else each drop rule with its own).
    compare: Option<CompareWith>,
    /// Count streaks (walking back through earlier periods); without,
    /// every streak is 1 and nothing is escalated: only who is on the list.
    streaks: bool,
}

impl How {
    const FULL: How = How {
        directives: true,
        compare: None,
        streaks: true,
    };
    const LEAN: How = How {
        directives: false,
        ..How::FULL
    };
}

fn evaluate_in(
    conn: &Connection,
    period: Period,
    may_cache: bool,
    how: How,
    lent: Option<Lent<'_>>,
    helper: Option<&(walk::Helper, i64)>,
) -> Result<Findings, RuleError> {
    let cat = Catalog::load(conn)?;
    let mut rules: Vec<Rule> = load_rules(conn)?;
    if let Some(c) = how.compare {
        for r in &mut rules {
            r.compare = c;
        }
    }
    // After a read: this transaction's view of the file. Unchanged since
    // before the helper began, the helper reads the same.
    let now = db::data_version(conn)?;
    let helper = helper.filter(|(_, before)| *before == now).map(|(h, _)| h);
    // After a read, so the version is this transaction's view of the file.
    let lent = match lent {
        Some(l)
            if l.table.period == period
                && l.scope.simple
                && std::sync::Arc::ptr_eq(&l.table.units, &l.scope.units)
                && [&l.table.current, &l.table.before]
                    .iter()
                    .all(|m| m.units.width() == cat.metrics.len()) =>
        {
            Some(l).filter(|l| l.data_version == now)
        }
        _ => None,
    };
    let own_scope;
    let scope = match &lent {
        Some(l) => l.scope,
        None => {
            own_scope = month::Scope::load(conn)?;
            &own_scope
        }
    };
    // The units of this month, named as they were then.
    let units_now = scope.at(period);
    let fresh = scope.fresh_in(period);
    let order: FxHashMap<i64, usize> = units_now
        .iter()
        .enumerate()
        .map(|(i, u)| (u.id, i))
        .collect();
    if !scope.have.contains(&period) {
        let list: Vec<String> = scope
            .have_of(period.kind())
            .map(|p| p.to_string())
            .collect();
        return Err(RuleError::NoData(
            period.label_vi(),
            if list.is_empty() {
                String::new()
            } else {
                format!(
                    "; các {} có số liệu: {}",
                    period.kind().word_vi(),
                    list.join(", ")
                )
            },
        ));
    }
    let earliest = scope.have_of(period.kind()).next().unwrap_or(period);
    let escalate_after: u32 = db::settings::get(conn, "escalate_after")?
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(2);
    let parent_id = scope.parent_id();

    // A month read from the database: every unit, or only those `keep`s.
    let read = |p: Period| scope.read(conn, &cat, p, &|_| true, None, None);
    let label = |p: Period| p.label_vi();
    let (current, before) = match &lent {
        Some(l) => (
            Cow::Borrowed(&l.table.current),
            Cow::Borrowed(&l.table.before),
        ),
        None => (
            Cow::Owned(read(period)?),
            Cow::Owned(read(period.previous())?),
        ),
    };

    let mut open: Vec<Open> = Vec::new();
    let mut not_evaluated = Vec::new();
    let enabled: Vec<usize> = (0..rules.len()).filter(|&i| rules[i].enabled).collect();
    let judged: Vec<&Rule> = enabled.iter().map(|&i| &rules[i]).collect();
    let prev = Some(&*before).filter(|m| !m.is_empty());
    // Drop rules that compare with the same period a year before are
    // judged apart: against that period, leaving out the units formed or
    // changed since.
    let yearly = Rule::compares_last_year;
    let year_before = period.year_before();
    let (fresh_yearly, last_year) = if judged.iter().any(|r| yearly(r)) {
        (scope.fresh_since(year_before, period), read(year_before)?)
    } else {
        Default::default()
    };
    let (by_year, by_previous): (Vec<usize>, Vec<usize>) =
        (0..judged.len()).partition(|&i| yearly(judged[i]));
    let mut all: Vec<Option<Judgement>> = (0..judged.len()).map(|_| None).collect();
    for (ix, prev, fresh) in [
        (by_previous, prev, &fresh),
        (
            by_year,
            Some(&last_year).filter(|m| !m.is_empty()),
            &fresh_yearly,
        ),
    ] {
        let these: Vec<&Rule> = ix.iter().map(|&i| judged[i]).collect();
        let js = judge_scoped(&these, &units_now, fresh, |rules, ids| {
            judge_all(rules, &cat, ids, &current, prev, label, period)
        });
        for (i, j) in ix.into_iter().zip(js) {
            all[i] = Some(j);
        }
    }
    let all: Vec<Judgement> = all
        .into_iter()
        .map(|j| j.expect("every rule judged"))
        .collect();
    drop(current);
    drop(last_year);
    // Units formed or changed since the period a rule compares with, once
    // per such rule, with what they were formed from.
    let name_of = |before: Period, id: i64| {
        scope
            .units
            .iter()
            .find(|u| u.id == id)
            .map_or_else(String::new, |u| scope.lineage.name_in(u, before).to_owned())
    };
    for (ri, j) in enabled.into_iter().zip(all) {
        if rules[ri].kind == RuleKind::Drop && matches!(j, Judgement::Hits(_)) {
            let group = rules[ri].group;
            let before = rules[ri].compared(period);
            let fresh = if yearly(&rules[ri]) {
                &fresh_yearly
            } else {
                &fresh
            };
            for u in units_now
                .iter()
                .filter(|u| fresh.contains(&u.id))
                .filter(|u| group.is_none_or(|g| u.group() == g))
            {
                not_evaluated.push(NotEvaluated {
                    rule: rules[ri].code.clone(),
                    unit: Some(u.name.clone()),
                    reason: scope
                        .lineage
                        .fresh_reason(u, before, period, &|id| name_of(before, id)),
                });
            }
        }
        match j {
            Judgement::NotEvaluated(reason) => not_evaluated.push(NotEvaluated {
                rule: rules[ri].code.clone(),
                unit: None,
                reason,
            }),
            Judgement::Hits(hits) => {
                let streak = hits.iter().map(|h| ((h.unit_id, h.metric), 1)).collect();
                // A unit formed or changed this month starts its streaks here.
                let alive = hits
                    .iter()
                    .map(|h| (h.unit_id, h.metric))
                    .filter(|(u, _)| !fresh.contains(u))
                    .collect();
                open.push(Open {
                    rule: ri,
                    hits,
                    streak,
                    alive,
                });
            }
        }
    }

    // Streaks counted before, for this month or the one before, end the
    // walk early; otherwise walk back a month at a time, every rule
    // together, judging only the units still on their list; a month
    // without data ends them.
    let stamp = cache::stamp(
        &rules,
        &cat,
        parent_id,
        &scope.ids(),
        &scope.lineage.digest(),
    );
    let cached_now = if !how.streaks {
        // Streaks of 1: the walk is not taken, nothing is cached.
        for o in &mut open {
            o.alive.clear();
        }
        None
    } else {
        cache::load(conn, period, &stamp)?
    };
    let cached_now = cached_now.filter(|c| {
        open.iter()
            .all(|o| o.alive.iter().all(|k| c.contains_key(&(o.rule, k.0, k.1))))
    });
    if let Some(c) = &cached_now {
        for o in &mut open {
            for k in o.alive.drain() {
                o.streak.insert(k, c[&(o.rule, k.0, k.1)]);
            }
        }
    }
    let w = walk::Walk {
        conn,
        scope,
        cat: &cat,
        rules: &rules,
        stamp: &stamp,
        earliest,
        range: None,
    };
    walk::walk_split(&w, &mut open, period.previous(), Some(before), helper)?;

    if may_cache && how.streaks && cached_now.is_none() {
        let streaks: cache::Streaks = open
            .iter()
            .flat_map(|o| o.streak.iter().map(|(k, s)| ((o.rule, k.0, k.1), *s)))
            .collect();
        cache::store(conn, period, &stamp, &streaks);
    }

    // Sized once: doubling a national month's 20,000 findings holds the
    // old and the new buffer at once.
    let mut findings = Vec::with_capacity(open.iter().map(|o| o.hits.len()).sum());
    // Severity, then rule order, then the units' order, then the metric's:
    // rules are put in order here, and each rule's hits already follow the
    // units (judged in that order) except missing_data's, which come metric
    // by metric. A stable sort of sorted hits is one pass.
    open.sort_by_key(|o| (rules[o.rule].severity, o.rule));
    for o in &mut open {
        o.hits.sort_by_key(|h| (order[&h.unit_id], h.metric));
    }
    for o in open {
        let rule = &rules[o.rule];
        for h in o.hits {
            let s = o.streak[&(h.unit_id, h.metric)];
            let kind = cat.metrics[h.metric].kind;
            let escalated = rule.severity == Severity::Critical && s >= escalate_after;
            let unit = &units_now[order[&h.unit_id]];
            findings.push(Finding {
                unit: unit.name.clone(),
                group: unit.group(),
                rule: rule.code.clone(),
                metric: cat.metrics[h.metric].code.clone(),
                severity: rule.severity,
                streak: s,
                escalated,
                directive: String::new(),
                unit_id: h.unit_id,
                kind,
                hit: h,
            });
        }
    }
    // Findings are sorted: a rule's findings are together, units in name
    // order (a unit twice only for missing_data's several metrics).
    let mut summary: Vec<RuleSummary> = Vec::new();
    for f in &findings {
        match summary.last_mut() {
            Some(s) if s.rule == f.rule => {
                if s.units.last() != Some(&f.unit) {
                    s.units.push(f.unit.clone());
                    s.count += 1;
                }
            }
            _ => summary.push(RuleSummary {
                rule: f.rule.clone(),
                count: 1,
                units: vec![f.unit.clone()],
                compared_with: rules
                    .iter()
                    .find(|r| r.code == f.rule)
                    .map_or(period.previous(), |r| r.compared(period))
                    .to_string(),
            }),
        }
    }
    let rule_pos: FxHashMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.code.as_str(), i))
        .collect();
    summary.sort_by_key(|s| rule_pos[s.rule.as_str()]);
    let context = Context {
        rules,
        kinds_word: render::kinds_word(&units_now),
        units: std::sync::Arc::clone(&units_now),
        parent: scope.parent.clone(),
        catalog: Some(cat),
        accountability: db::settings::get(conn, "accountability")?.unwrap_or_default(),
    };
    let mut out = Findings {
        period: period.to_string(),
        previous_period: how.compare.unwrap_or_default().period(period).to_string(),
        units_total: context.units.len(),
        findings,
        summary,
        not_evaluated,
        context,
    };
    if how.directives {
        render::fill_directives(&mut out);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::fixture::{Fixture, fixture};
    use super::*;
    use crate::db::{Actor, Db, units};
    use crate::model::UnitKind;

    fn rule(
        kind: RuleKind,
        metric: Option<&str>,
        threshold: Option<f64>,
        upper: Option<f64>,
    ) -> Rule {
        Rule {
            code: "r".into(),
            kind,
            metric: metric.map(str::to_owned),
            threshold,
            upper,
            label: (kind == RuleKind::LabelWorse).then(|| "Tốt".to_owned()),
            severity: Severity::Warning,
            enabled: true,
            sentence: String::new(),
            directive: String::new(),
            sort_order: 0,
            group: None,
            compare: Default::default(),
        }
    }

    impl Fixture {
        fn month(&self, period: &str) -> Month {
            let p = Period::parse(period).unwrap();
            let mut units = values::load_period(self.db.conn(), p, &self.cat).unwrap();
            let parent = db::units::list(self.db.conn())
                .unwrap()
                .into_iter()
                .find(|u| u.is_parent)
                .unwrap()
                .id;
            let parent_row = units.remove(&parent);
            Month::complete(units, parent_row, self.cat.metrics.len())
        }

        fn judge(&self, r: &Rule, period: &str, prev: Option<&str>) -> Judgement {
            let m = self.month(period);
            let pm = prev.map(|p| self.month(p));
            let p = Period::parse(period).unwrap();
            let j = judge(
                r,
                &self.cat,
                &self.ids,
                &m,
                pm.as_ref(),
                |p| p.label_vi(),
                p,
            );
            // Every case also checks the screen's lean form.
            let lean = judge_units(
                &[r],
                &self.cat,
                &self.ids,
                &m,
                pm.as_ref(),
                |p| p.label_vi(),
                p,
            );
            // missing_data's come unit by unit there, metric by metric here.
            let sorted = |mut v: Vec<i64>| {
                v.sort_unstable();
                v
            };
            let want = match &j {
                Judgement::Hits(h) => Ok(sorted(h.iter().map(|h| h.unit_id).collect())),
                Judgement::NotEvaluated(reason) => Err(reason.clone()),
            };
            let lean: Vec<_> = lean.into_iter().map(|j| j.map(sorted)).collect();
            assert_eq!(lean, [want]);
            j
        }
    }

    fn units_hit(j: &Judgement) -> Vec<i64> {
        match j {
            Judgement::Hits(h) => h.iter().map(|h| h.unit_id).collect(),
            Judgement::NotEvaluated(r) => panic!("not evaluated: {r}"),
        }
    }

    #[test]
    fn each_rule_kind_on_hand_made_data() {
        let mut f = fixture();
        let n = Value::Num;
        f.put(
            "2024-07",
            "digitization",
            &[(0, n(50.0)), (1, n(45.0)), (2, n(30.0))],
        );
        f.put(
            "2024-08",
            "digitization",
            &[(0, n(40.0)), (1, n(49.99)), (2, n(30.0))],
        );
        f.put(
            "2024-08",
            "online_payment",
            &[(0, n(70.0)), (1, n(80.0)), (2, n(75.0)), (9, n(75.0))],
        );
        f.put(
            "2024-08",
            "rating",
            &[
                (0, Value::Label("Tốt".into())),
                (1, Value::Label("Khá".into())),
            ],
        );
        let (a, b, c) = (f.ids[0], f.ids[1], f.ids[2]);

        let below = rule(RuleKind::Below, Some("digitization"), Some(40.0), None);
        assert_eq!(
            units_hit(&f.judge(&below, "2024-08", None)),
            [c],
            "40 is not below 40"
        );
        let band = rule(RuleKind::Band, Some("digitization"), Some(40.0), Some(50.0));
        assert_eq!(
            units_hit(&f.judge(&band, "2024-08", None)),
            [a, b],
            "[40, 50)"
        );
        let drop = rule(RuleKind::Drop, Some("digitization"), Some(0.0), None);
        assert_eq!(
            units_hit(&f.judge(&drop, "2024-08", Some("2024-07"))),
            [a],
            "equal is no fall"
        );
        let drop5 = rule(RuleKind::Drop, Some("digitization"), Some(5.0), None);
        assert_eq!(
            units_hit(&f.judge(&drop5, "2024-08", Some("2024-07"))),
            [a],
            "a fall of 10 > 5"
        );
        let drop20 = rule(RuleKind::Drop, Some("digitization"), Some(20.0), None);
        assert!(units_hit(&f.judge(&drop20, "2024-08", Some("2024-07"))).is_empty());
        match f.judge(&drop, "2024-08", None) {
            Judgement::NotEvaluated(r) => assert_eq!(r, "không có số liệu tháng 7/2024"),
            other => panic!("{other:?}"),
        }
        let parent = rule(RuleKind::BelowParent, Some("online_payment"), None, None);
        match f.judge(&parent, "2024-08", None) {
            Judgement::Hits(h) => {
                assert_eq!(
                    h.iter().map(|h| h.unit_id).collect::<Vec<_>>(),
                    [a],
                    "75 is not below 75"
                );
                assert_eq!(h[0].reference, Some(Value::Num(75.0)));
            }
            other => panic!("{other:?}"),
        }
        match f.judge(&parent, "2024-07", None) {
            // The metric by its name, as the letter's warnings show it.
            Judgement::NotEvaluated(r) => {
                assert!(r.contains("Tỷ lệ hồ sơ thanh toán trực tuyến"), "{r}")
            }
            other => panic!("{other:?}"),
        }
        let label = rule(RuleKind::LabelWorse, Some("rating"), None, None);
        assert_eq!(units_hit(&f.judge(&label, "2024-08", None)), [b]);
        // Missing: C has no rating and no online payment... it has the
        // latter; A and B have no... every unit lacks what others have.
        let missing = rule(RuleKind::Missing, None, None, None);
        match f.judge(&missing, "2024-08", None) {
            Judgement::Hits(h) => {
                let got: Vec<(i64, String)> = h
                    .iter()
                    .map(|h| (h.unit_id, f.cat.metrics[h.metric].code.clone()))
                    .collect();
                assert_eq!(got, [(c, "rating".to_string())]);
            }
            other => panic!("{other:?}"),
        }
        let none = rule(RuleKind::Below, Some("score"), Some(50.0), None);
        assert!(matches!(
            f.judge(&none, "2024-08", None),
            Judgement::NotEvaluated(_)
        ));
    }

    #[test]
    fn streaks_escalation_and_gaps() {
        let mut f = fixture();
        let n = Value::Num;
        // A late in Jan, Feb, no value in Mar, late in Apr: streak 1.
        // B late Feb, Mar, Apr: streak 3, escalated. C on time.
        f.put(
            "2024-01",
            "processing",
            &[(0, n(90.0)), (1, n(100.0)), (2, n(100.0))],
        );
        f.put(
            "2024-02",
            "processing",
            &[(0, n(90.0)), (1, n(95.0)), (2, n(100.0))],
        );
        f.put("2024-03", "processing", &[(1, n(95.0)), (2, n(100.0))]);
        f.put(
            "2024-04",
            "processing",
            &[(0, n(80.0)), (1, n(99.0)), (2, n(100.0))],
        );
        let apr = Period::parse("2024-04").unwrap();
        let out = evaluate(f.db.conn(), apr).unwrap();
        let late: Vec<(&str, u32, bool)> = out
            .findings
            .iter()
            .filter(|x| x.rule == "processing_late")
            .map(|x| (x.unit.as_str(), x.streak, x.escalated))
            .collect();
        assert_eq!(late, [("Xã A", 1, false), ("Xã B", 3, true)]);
        assert!(
            out.findings[1]
                .directive
                .contains("chịu trách nhiệm trước Chủ tịch UBND huyện Thử"),
            "{}",
            out.findings[1].directive
        );
        assert!(!out.findings[0].directive.contains("chịu trách nhiệm"));
        assert_eq!(out.previous_period, "2024-03");
        assert_eq!(out.units_total, 3);
        // A month with no data at all ends every streak.
        f.put("2024-06", "processing", &[(1, n(90.0))]);
        let jun = evaluate(f.db.conn(), Period::parse("2024-06").unwrap()).unwrap();
        assert_eq!(
            jun.findings
                .iter()
                .find(|x| x.rule == "processing_late")
                .unwrap()
                .streak,
            1
        );
        // The threshold for escalation is a setting.
        f.db.conn()
            .execute(
                "UPDATE settings SET value = '4' WHERE key = 'escalate_after'",
                [],
            )
            .unwrap();
        let again = evaluate(f.db.conn(), apr).unwrap();
        assert!(again.findings.iter().all(|x| !x.escalated));
        // Warnings never escalate.
        f.db.conn()
            .execute(
                "UPDATE settings SET value = '1' WHERE key = 'escalate_after'",
                [],
            )
            .unwrap();
        f.db.conn()
            .execute(
                "UPDATE rules SET severity = 'warning' WHERE code = 'processing_late'",
                [],
            )
            .unwrap();
        assert!(
            evaluate(f.db.conn(), apr)
                .unwrap()
                .findings
                .iter()
                .all(|x| !x.escalated)
        );
    }

    #[test]
    fn order_is_severity_rule_then_vietnamese_name() {
        let mut f = fixture();
        let n = Value::Num;
        f.put(
            "2024-08",
            "processing",
            &[(2, n(90.0)), (0, n(95.0)), (1, n(100.0))],
        );
        f.put(
            "2024-08",
            "satisfaction",
            &[(0, n(80.0)), (1, n(80.0)), (2, n(100.0))],
        );
        f.put(
            "2024-08",
            "digitization",
            &[(0, n(30.0)), (1, n(60.0)), (2, n(60.0))],
        );
        // rating_below_good is critical though listed after the warnings;
        // missing_data catches A and C twice (score, rating), found metric
        // by metric but listed unit by unit.
        f.put("2024-08", "rating", &[(1, Value::Label("Khá".into()))]);
        f.put("2024-08", "score", &[(1, n(80.0))]);
        let out = evaluate(f.db.conn(), Period::parse("2024-08").unwrap()).unwrap();
        let got: Vec<(&str, &str, &str)> = out
            .findings
            .iter()
            .map(|x| (x.rule.as_str(), x.unit.as_str(), x.metric.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("processing_late", "Xã A", "processing"),
                ("processing_late", "Xã C", "processing"),
                ("digitization_low", "Xã A", "digitization"),
                ("rating_below_good", "Xã B", "rating"),
                ("satisfaction_low", "Xã A", "satisfaction"),
                ("satisfaction_low", "Xã B", "satisfaction"),
                ("missing_data", "Xã A", "score"),
                ("missing_data", "Xã A", "rating"),
                ("missing_data", "Xã C", "score"),
                ("missing_data", "Xã C", "rating"),
            ]
        );
        assert_eq!(
            out.summary
                .iter()
                .map(|s| (s.rule.as_str(), s.count))
                .collect::<Vec<_>>(),
            [
                ("processing_late", 2),
                ("digitization_low", 1),
                ("satisfaction_low", 2),
                ("rating_below_good", 1),
                ("missing_data", 2),
            ],
            "the summary keeps the rules' order"
        );
        assert!(
            out.not_evaluated
                .iter()
                .any(|x| x.rule == "digitization_drop")
        );
        assert!(
            out.not_evaluated
                .iter()
                .any(|x| x.rule == "online_payment_below_parent")
        );
        assert!(
            evaluate(f.db.conn(), Period::parse("2024-09").unwrap()).is_err(),
            "no data that month"
        );
    }

    /// Streak keys of a month's findings, with the directive (which shows
    /// escalation) and the JSON form.
    fn digest(out: &Findings) -> Vec<(String, String, u32, bool, String)> {
        out.findings
            .iter()
            .map(|x| {
                (
                    x.rule.clone(),
                    x.unit.clone(),
                    x.streak,
                    x.escalated,
                    x.directive.clone(),
                )
            })
            .collect()
    }

    fn cached_months(f: &Fixture) -> Vec<i64> {
        let mut st =
            f.db.conn()
                .prepare("SELECT period_id FROM streak_cache ORDER BY period_id")
                .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    /// Adds `n` more units to the fixture.
    fn more_units(f: &mut Fixture, n: usize) {
        let actor = Actor {
            os_user: "t".into(),
            ssh_client: None,
        };
        let added =
            f.db.write(|tx| -> Result<Vec<i64>, units::UnitError> {
                let cs = db::begin_changeset(tx, &actor, "units", "test")?;
                (0..n)
                    .map(|i| {
                        Ok(units::add(tx, cs, &format!("Xã D{i:02}"), UnitKind::Xa, false)?.id)
                    })
                    .collect()
            })
            .unwrap();
        f.ids.extend(added);
    }

    /// Pseudo-random months for the fixture's units (some missing).
    fn random_months(f: &mut Fixture, months: usize) -> Vec<Period> {
        let mut x: u32 = 12345;
        let mut rnd = |m: u32| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 8) % m
        };
        let months: Vec<String> = (1..=months).map(|m| format!("2023-{m:02}")).collect();
        for p in &months {
            for metric in ["processing", "digitization", "online_payment"] {
                let mut vals = vec![(9, Value::Num(60.0))];
                for u in (0..f.ids.len()).filter(|&u| u != 9) {
                    if rnd(10) > 0 {
                        let v = if rnd(2) == 0 {
                            100.0
                        } else {
                            30.0 + rnd(40) as f64
                        };
                        vals.push((u, Value::Num(v)));
                    }
                }
                f.put(p, metric, &vals);
            }
        }
        months.iter().map(|m| Period::parse(m).unwrap()).collect()
    }

    #[test]
    fn a_walk_split_between_two_connections_counts_what_one_walk_counts() {
        let mut f = fixture();
        // Enough units that each half reads some months by key and
        // scans others.
        more_units(&mut f, 40);
        let periods = random_months(&mut f, 10);
        let clear = |f: &Fixture| {
            f.db.conn().execute("DELETE FROM streak_cache", []).unwrap();
        };
        let run = |f: &Fixture, split_at: usize| -> Vec<_> {
            walk::SPLIT_AT.set(split_at);
            let out = periods
                .iter()
                .map(|&p| {
                    clear(f);
                    digest(&evaluate(f.db.conn(), p).unwrap())
                })
                .collect();
            walk::SPLIT_AT.set(2_000);
            out
        };
        let splits = walk::SPLITS.get();
        let alone = run(&f, usize::MAX);
        assert_eq!(walk::SPLITS.get(), splits);
        assert!(
            alone.iter().flatten().any(|d| d.2 >= 3),
            "some long streaks"
        );
        assert_eq!(run(&f, 2), alone);
        assert!(walk::SPLITS.get() > splits + 5, "most walks were split");
    }

    #[test]
    fn no_helper_without_wal_where_its_read_would_hold_up_the_commit() {
        let mut f = fixture();
        let periods = random_months(&mut f, 4);
        f.db.conn()
            .pragma_update(None, "journal_mode", "DELETE")
            .unwrap();
        f.db.conn().execute("DELETE FROM streak_cache", []).unwrap();
        walk::SPLIT_AT.set(2);
        let splits = walk::SPLITS.get();
        let t = std::time::Instant::now();
        evaluate(f.db.conn(), periods[3]).unwrap();
        walk::SPLIT_AT.set(2_000);
        assert_eq!(walk::SPLITS.get(), splits, "one walk");
        // A reader left open would have made the commit wait 10 s, then fail.
        assert!(t.elapsed() < crate::db::BUSY_TIMEOUT / 2);
        let cached: i64 =
            f.db.conn()
                .query_row("SELECT count(*) FROM streak_cache", [], |r| r.get(0))
                .unwrap();
        assert_eq!(cached, 1);
    }

    #[test]
    fn a_helper_begun_before_another_write_is_not_used() {
        let mut f = fixture();
        let n = Value::Num;
        // Xã C (the highest id: the helper's half) is late Jan to Apr.
        for p in ["2024-01", "2024-02", "2024-03", "2024-04"] {
            f.put(p, "processing", &[(0, n(90.0)), (1, n(90.0)), (2, n(90.0))]);
        }
        let apr = Period::parse("2024-04").unwrap();
        let conn = f.db.conn();
        let path = conn.path().unwrap().to_owned();
        let streak_of_c = |out: &Findings| {
            out.findings
                .iter()
                .find(|x| x.unit == "Xã C" && x.rule == "processing_late")
                .map(|x| x.streak)
        };
        walk::SPLIT_AT.set(2);
        let evaluate_with_helper = |helper: Option<&(walk::Helper, i64)>| {
            conn.execute_batch("BEGIN").unwrap();
            let how = How::LEAN;
            let out = evaluate_in(conn, apr, false, how, None, helper).unwrap();
            conn.execute_batch("COMMIT").unwrap();
            out
        };
        let splits = walk::SPLITS.get();
        let before = db::data_version(conn).unwrap();
        let helper = walk::Helper::start(&path).unwrap();
        assert_eq!(
            streak_of_c(&evaluate_with_helper(Some(&(helper, before)))),
            Some(4)
        );
        assert_eq!(walk::SPLITS.get(), splits + 1, "the helper walked C");
        // The helper begins; then another process puts C on time in
        // February. Its view is older than this connection's.
        let before = db::data_version(conn).unwrap();
        let helper = walk::Helper::start(&path).unwrap();
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute(
                "UPDATE unit_values SET vals = json_set(vals, '$.processing', 100.0) \
                 WHERE period_id = 202402 AND unit_id = ?1",
                [f.ids[2]],
            )
            .unwrap();
        let out = evaluate_with_helper(Some(&(helper, before)));
        walk::SPLIT_AT.set(2_000);
        assert_eq!(
            streak_of_c(&out),
            Some(2),
            "March and April, as the file now says"
        );
        assert_eq!(walk::SPLITS.get(), splits + 1, "the helper was refused");
    }

    #[test]
    fn cached_streaks_equal_walked_ones_in_any_order() {
        let mut f = fixture();
        let periods = random_months(&mut f, 10);
        let clear = |f: &Fixture| {
            f.db.conn().execute("DELETE FROM streak_cache", []).unwrap();
        };
        // Walked with no cache at all.
        let walked: Vec<_> = periods
            .iter()
            .map(|&p| {
                clear(&f);
                digest(&evaluate(f.db.conn(), p).unwrap())
            })
            .collect();
        assert!(
            walked.iter().flatten().any(|d| d.2 >= 3),
            "some long streaks"
        );
        // Month by month (each uses the one before), then backwards, then
        // again (each reads its own cache).
        clear(&f);
        for order in [
            (0..periods.len()).collect::<Vec<_>>(),
            (0..periods.len()).rev().collect(),
            vec![7, 2, 9, 0, 5],
        ] {
            for i in order {
                assert_eq!(
                    digest(&evaluate(f.db.conn(), periods[i]).unwrap()),
                    walked[i],
                    "{}",
                    periods[i]
                );
            }
        }
        assert_eq!(cached_months(&f).len(), periods.len());

        // A write to a month drops its cache and every later one…
        f.put(
            "2023-05",
            "processing",
            &[(0, Value::Num(10.0)), (1, Value::Num(10.0))],
        );
        assert_eq!(cached_months(&f), [202301, 202302, 202303, 202304]);
        // …and a changed rule changes the stamp: nothing stale is used.
        f.db.conn()
            .execute(
                "UPDATE rules SET threshold = 50 WHERE code = 'digitization_low'",
                [],
            )
            .unwrap();
        let mut changed = 0;
        for (i, &p) in periods.iter().enumerate() {
            let got = digest(&evaluate(f.db.conn(), p).unwrap());
            clear(&f);
            let fresh = digest(&evaluate(f.db.conn(), p).unwrap());
            assert_eq!(got, fresh, "{p}");
            changed += usize::from(fresh != walked[i]);
        }
        assert!(changed >= 2, "the new data and rule changed findings");
    }

    #[test]
    fn lookups_by_key_read_what_a_scan_reads() {
        let mut f = fixture();
        f.put(
            "2024-01",
            "processing",
            &[(0, Value::Num(90.0)), (9, Value::Num(95.0))],
        );
        f.put("2024-01", "digitization", &[(1, Value::Num(30.0))]);
        f.put("2024-01", "rating", &[(2, Value::Label("Tốt".into()))]);
        // Only the parent has it: not present among the units.
        f.put("2024-01", "online_payment", &[(9, Value::Num(80.0))]);
        // Written by another tool: spaces, a null (no value), a value
        // after spaces (a value): present or not whoever is kept.
        f.db.conn()
            .execute(
                "UPDATE unit_values SET vals = '{ \"rating\" : \"Tốt\", \"satisfaction\": 70, \"score\": null }' \
                 WHERE period_id = 202401 AND unit_id = ?1",
                [f.ids[2]],
            )
            .unwrap();
        let p = Period::parse("2024-01").unwrap();
        let scope = month::Scope::load(f.db.conn()).unwrap();
        let parent = scope.parent_id();
        let n = f.cat.metrics.len();
        for ids in [vec![f.ids[0]], vec![f.ids[1], f.ids[2]], vec![]] {
            for w in [vec![true; n], (0..n).map(|i| i % 2 == 0).collect()] {
                let keep: FxHashSet<i64> = ids.iter().copied().collect();
                let mut look = ids.clone();
                look.extend(parent);
                let scan = values::scan_period(
                    f.db.conn(),
                    p,
                    &f.cat,
                    parent,
                    |u| keep.contains(&u) || Some(u) == parent,
                    None,
                    Some(&w),
                )
                .unwrap();
                let keyed = values::scan_units(f.db.conn(), p, &f.cat, parent, &look, &w).unwrap();
                assert_eq!(scan, keyed, "{ids:?} {w:?}");
            }
        }
    }

    #[test]
    fn a_neighbouring_month_lent_gives_the_table_read_afresh() {
        let mut f = fixture();
        for (p, v) in [
            ("2024-01", 50.0),
            ("2024-02", 40.0),
            ("2024-03", 45.0),
            ("2024-04", 30.0),
        ] {
            f.put(
                p,
                "digitization",
                &[(0, Value::Num(v)), (1, Value::Num(v + 20.0))],
            );
        }
        let (conn, cat) = (f.db.conn(), &f.cat);
        let rules = load_rules(conn).unwrap();
        let scope = month::Scope::load(conn).unwrap();
        let p = |s: &str| Period::parse(s).unwrap();
        let fresh = |s: &str| month::month_table_in(conn, cat, &rules, &scope, p(s), None).unwrap();
        let same = |a: &month::MonthTable, b: &month::MonthTable| {
            assert_eq!((a.period, a.previous), (b.period, b.previous));
            assert_eq!(a.current, b.current, "{}", a.period);
            assert_eq!(a.before, b.before, "{}", a.period);
            assert_eq!(a.hits, b.hits, "{}", a.period);
        };
        // Forward, back, and a jump (nothing to lend).
        for (from, to) in [
            ("2024-02", "2024-03"),
            ("2024-03", "2024-02"),
            ("2024-01", "2024-04"),
        ] {
            let lent = month::month_table_in(conn, cat, &rules, &scope, p(to), Some(fresh(from)));
            same(&lent.unwrap(), &fresh(to));
        }
    }

    #[test]
    fn lent_months_give_what_a_fresh_read_gives_and_stale_ones_are_refused() {
        let mut f = fixture();
        for (p, v) in [("2024-01", 45.0), ("2024-02", 35.0), ("2024-03", 30.0)] {
            f.put(
                p,
                "digitization",
                &[(0, Value::Num(v)), (1, Value::Num(v + 20.0))],
            );
        }
        let p = Period::parse("2024-03").unwrap();
        let conn = f.db.conn();
        let version = || db::data_version(conn).unwrap();
        let rules = load_rules(conn).unwrap();
        let at = version();
        let scope = month::Scope::load(conn).unwrap();
        let table = month::month_table_in(conn, &f.cat, &rules, &scope, p, None).unwrap();
        let lend = |v: i64| Lent {
            scope: &scope,
            table: &table,
            data_version: v,
        };
        let all = |out: &Findings| {
            let mut d = digest(out);
            d.extend(
                out.not_evaluated
                    .iter()
                    .map(|n| (n.rule.clone(), n.reason.clone(), 0, false, String::new())),
            );
            d
        };
        let fresh = evaluate_lean(conn, p).unwrap();
        assert!(!fresh.findings.is_empty());
        let lent = evaluate_lean_lent(conn, p, Some(lend(at))).unwrap();
        assert_eq!(all(&lent), all(&fresh));
        assert!(std::sync::Arc::ptr_eq(&lent.context.units, &scope.units));

        // Another process raises Xã A's figure: the lent table is stale.
        let other = rusqlite::Connection::open(f.db.path()).unwrap();
        other
            .execute(
                "UPDATE unit_values SET vals = json_set(vals, '$.digitization', 99.0) \
                 WHERE period_id = 202403 AND unit_id = ?1",
                [f.ids[0]],
            )
            .unwrap();
        let after = evaluate_lean(conn, p).unwrap();
        assert_ne!(all(&after), all(&fresh));
        let offered = evaluate_lean_lent(conn, p, Some(lend(at))).unwrap();
        assert_eq!(all(&offered), all(&after));
        assert!(!std::sync::Arc::ptr_eq(
            &offered.context.units,
            &scope.units
        ));
    }

    #[test]
    fn a_stale_cache_row_is_never_stored() {
        let mut f = fixture();
        f.put("2024-01", "processing", &[(0, Value::Num(90.0))]);
        let p = Period::parse("2024-01").unwrap();
        // Reader's snapshot starts; a writer changes the month meanwhile.
        let other = Db::open(f.db.path()).unwrap();
        f.db.conn().execute_batch("BEGIN").unwrap();
        let _ = values::load_period(f.db.conn(), p, &f.cat).unwrap();
        other
            .conn()
            .execute("INSERT INTO settings VALUES ('x_test', '1')", [])
            .unwrap();
        let mut streaks = cache::Streaks::default();
        streaks.insert((0, f.ids[0], 0), 1);
        cache::store(f.db.conn(), p, "stamp", &streaks);
        f.db.conn().execute_batch("COMMIT").unwrap();
        assert!(cached_months(&f).is_empty(), "stale write refused");
        // With nobody writing in between it is stored.
        f.db.conn().execute_batch("BEGIN").unwrap();
        let _ = values::load_period(f.db.conn(), p, &f.cat).unwrap();
        cache::store(f.db.conn(), p, "stamp", &streaks);
        f.db.conn().execute_batch("COMMIT").unwrap();
        assert_eq!(cached_months(&f), [202401]);
        assert_eq!(cache::load(f.db.conn(), p, "stamp").unwrap(), Some(streaks));
        assert_eq!(cache::load(f.db.conn(), p, "other").unwrap(), None);
    }

    #[test]
    fn direct_json_is_serde_json_pretty() {
        let mut f = fixture();
        let n = Value::Num;
        f.put(
            "2024-07",
            "digitization",
            &[(0, n(45.5)), (1, n(30.0)), (2, n(60.0))],
        );
        f.put(
            "2024-08",
            "digitization",
            &[(0, n(41.25)), (1, n(20.0)), (2, n(70.0))],
        );
        f.put("2024-08", "processing", &[(0, n(90.0)), (1, n(100.0))]);
        // Quotes and backslashes in a template, a unit's name and the
        // accountability sentence: escaped once or per finding, the same.
        f.db.conn()
            .execute_batch(
                r#"UPDATE rules SET directive = 'Đề nghị {unit} "khẩn" \ {metric}: {value} (trước {previous})'
                     WHERE code = 'digitization_low';
                   UPDATE units SET name = 'Xã "B" \ mới' WHERE name = 'Xã B';
                   INSERT OR REPLACE INTO settings (key, value)
                     VALUES ('accountability', 'Chủ tịch "{unit}" chịu trách nhiệm.');"#,
            )
            .unwrap();
        for p in ["2024-07", "2024-08"] {
            let out = evaluate(f.db.conn(), Period::parse(p).unwrap()).unwrap();
            let has = |t: &str| out.findings.iter().any(|x| x.directive.contains(t));
            assert!(has(r#"xã "B" \ mới "khẩn" \"#), "{:#?}", out.findings);
            // Escalated in August (a second month below 40%).
            assert_eq!(has(r#"Chủ tịch "xã "B" \ mới" chịu"#), p == "2024-08");
            let mut want = serde_json::to_vec_pretty(&out).unwrap();
            want.push(b'\n');
            assert_eq!(
                String::from_utf8(json::findings_json(&out)).unwrap(),
                String::from_utf8(want.clone()).unwrap()
            );
            // Lean findings get their directives rendered as written.
            let lean = evaluate_lean(f.db.conn(), Period::parse(p).unwrap()).unwrap();
            assert!(lean.findings.iter().all(|x| x.directive.is_empty()));
            assert_eq!(
                String::from_utf8(json::findings_json(&lean)).unwrap(),
                String::from_utf8(want).unwrap()
            );
        }
        let empty = Findings {
            period: "2024-09".into(),
            previous_period: "2024-08".into(),
            units_total: 0,
            findings: vec![],
            summary: vec![],
            not_evaluated: vec![],
            context: Context::default(),
        };
        let mut want = serde_json::to_vec_pretty(&empty).unwrap();
        want.push(b'\n');
        assert_eq!(json::findings_json(&empty), want);
    }

    /// A quarter is judged on its own figures against quarters: the
    /// quarter before, or the same quarter a year before; a month's
    /// values in it change nothing; streaks count quarters.
    #[test]
    fn quarters_compare_with_their_kind() {
        let mut f = fixture();
        let n = |x: f64| Value::Num(x);
        f.put(
            "2024-Q2",
            "digitization",
            &[(0, n(85.0)), (1, n(60.0)), (2, n(50.0))],
        );
        f.put(
            "2024-Q3",
            "digitization",
            &[(0, n(80.0)), (1, n(60.0)), (2, n(50.0))],
        );
        f.put(
            "2025-Q2",
            "digitization",
            &[(0, n(70.0)), (1, n(70.0)), (2, n(50.0))],
        );
        f.put(
            "2025-Q3",
            "digitization",
            &[(0, n(75.0)), (1, n(50.0)), (2, n(40.0))],
        );
        // A month inside the quarter, far lower: not the quarter's figure.
        f.put(
            "2025-09",
            "digitization",
            &[(0, n(1.0)), (1, n(1.0)), (2, n(1.0))],
        );
        let q3 = Period::parse("2025-Q3").unwrap();
        let drops = |out: &Findings| -> Vec<(String, u32, Option<Value>)> {
            out.findings
                .iter()
                .filter(|x| x.rule == "digitization_drop")
                .map(|x| (x.unit.clone(), x.streak, x.hit.previous.clone()))
                .collect()
        };
        let out = evaluate(f.db.conn(), q3).unwrap();
        assert_eq!(out.previous_period, "2025-Q2");
        assert_eq!(
            drops(&out),
            [
                ("Xã B".to_owned(), 1, Some(n(70.0))),
                ("Xã C".to_owned(), 1, Some(n(50.0)))
            ]
        );
        let out = evaluate_compared(f.db.conn(), q3, Some(CompareWith::LastYear), true).unwrap();
        assert_eq!(out.previous_period, "2024-Q3");
        // A fell against 2024-Q3 and, the quarter before, against 2024-Q2.
        assert_eq!(
            drops(&out),
            [
                ("Xã A".to_owned(), 2, Some(n(80.0))),
                ("Xã B".to_owned(), 1, Some(n(60.0))),
                ("Xã C".to_owned(), 1, Some(n(50.0)))
            ]
        );
        // The lists alone: the same units, no streak walked.
        let lists = evaluate_lists(f.db.conn(), q3).unwrap();
        let key = |out: &Findings| -> Vec<(String, String)> {
            out.findings
                .iter()
                .map(|x| (x.rule.clone(), x.unit.clone()))
                .collect()
        };
        assert_eq!(key(&lists), key(&evaluate(f.db.conn(), q3).unwrap()));
        assert!(lists.findings.iter().all(|x| x.streak == 1 && !x.escalated));
        // The rule set to compare with last year does the same by itself.
        f.db.conn()
            .execute(
                "UPDATE rules SET compare = 'last_year' WHERE code = 'digitization_drop'",
                [],
            )
            .unwrap();
        let out = evaluate(f.db.conn(), q3).unwrap();
        assert_eq!(drops(&out).len(), 3);
        // The month is judged against its own kind only.
        let sep = evaluate(f.db.conn(), Period::parse("2025-09").unwrap()).unwrap();
        assert!(drops(&sep).is_empty());
        assert!(
            sep.not_evaluated
                .iter()
                .any(|n| n.rule == "digitization_drop" && n.reason.contains("tháng 9/2024")),
            "{:?}",
            sep.not_evaluated
        );
    }
}
