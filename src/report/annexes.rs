//! The letter's annex tables: the month's figures per unit (two tables,
//! per group in a province's letter), and the list of every unit that
//! needs directives, one row per unit and rule.

use std::collections::HashMap;

use super::Annex;
use super::words::{annex_value, metric_words};
use crate::db::Catalog;
use crate::model::{Group, MetricKind, Unit, Value};
use crate::rules::month::MonthTable;
use crate::rules::{CompareWith, Finding, Findings, Rule, RuleKind};
use crate::text;

/// What every annex of one letter shares.
pub(super) struct Annexes<'a> {
    pub table: &'a MonthTable,
    pub cat: &'a Catalog,
    /// The units in the annexes' order.
    pub order: Vec<&'a Unit>,
    /// "(Kèm theo Công văn số …)"
    pub note: String,
    /// Decimal dot instead of comma (setting `annex_decimal`).
    pub dot: bool,
}

impl Annexes<'_> {
    /// A table of the month's figures `codes` for the units of `group`
    /// (all units: None).
    pub fn figures(
        &self,
        title: String,
        group: Option<Group>,
        caption: String,
        codes: &[&str],
    ) -> Annex {
        let cat = self.cat;
        let metrics: Vec<usize> = codes.iter().filter_map(|c| cat.index_of(c)).collect();
        let order: Vec<&Unit> = self
            .order
            .iter()
            .copied()
            .filter(|u| group.is_none_or(|g| u.group() == g))
            .collect();
        let current = &self.table.current.units;
        Annex {
            title,
            group,
            caption,
            note: self.note.clone(),
            columns: metrics
                .iter()
                .map(|&m| cat.metrics[m].label.clone())
                .collect(),
            rows: order
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    let row = current.get(&u.id);
                    let mut cells = vec![(i + 1).to_string(), u.name.clone()];
                    cells.extend(metrics.iter().map(|&m| {
                        row.and_then(|r| r[m].as_ref())
                            .map_or("-".into(), |v| annex_value(v, self.dot))
                    }));
                    cells
                })
                .collect(),
            values: order
                .iter()
                .map(|u| {
                    let row = current.get(&u.id);
                    let cells = metrics
                        .iter()
                        .map(|&m| row.and_then(|r| r[m].clone()))
                        .collect();
                    (u.name.clone(), cells)
                })
                .collect(),
        }
    }

    /// "Danh sách đơn vị cần chỉ đạo khắc phục": every finding, unit by
    /// unit in the annexes' order (a province's by group first), each
    /// unit's rules in rule order: the rule, the month's value and the
    /// month before's, the months in a row, and whether it is escalated.
    pub fn findings(&self, title: String, f: &Findings, grouped: bool) -> Annex {
        let period = self.table.period;
        let mut by_unit: HashMap<i64, Vec<&Finding>> = HashMap::new();
        for x in &f.findings {
            by_unit.entry(x.unit_id).or_default().push(x);
        }
        let mut order = self.order.clone();
        if grouped {
            // Stable: the annexes' order within each group.
            order.sort_by_key(|u| Group::ALL.iter().position(|g| *g == u.group()));
        }
        let mut rows = Vec::new();
        let mut values = Vec::new();
        // Worded once per rule: a national month has 20,000 findings and
        // a rule's sentence looks through them.
        let words: HashMap<&str, String> = f
            .context
            .rules
            .iter()
            .map(|r| (r.code.as_str(), rule_words(f, r)))
            .collect();
        for u in order {
            let Some(list) = by_unit.get(&u.id) else {
                continue;
            };
            for (i, x) in list.iter().enumerate() {
                let Some(rule) = f.context.rules.iter().find(|r| r.code == x.rule) else {
                    continue;
                };
                // A unit lacking several metrics: one row naming them all.
                let lacking: Vec<&Finding> = if rule.kind == RuleKind::Missing {
                    if list[..i].iter().any(|y| y.rule == x.rule) {
                        continue;
                    }
                    list.iter().filter(|y| y.rule == x.rule).copied().collect()
                } else {
                    Vec::new()
                };
                let cells = self.finding_cells(x, rule, &lacking);
                let mut row = vec![(rows.len() + 1).to_string(), x.unit.clone()];
                row.push(words[rule.code.as_str()].clone());
                // The value and the month before's in the metric's unit;
                // the streak and the mark as they are.
                row.extend(cells.iter().enumerate().map(|(i, c)| {
                    let kind = if i < 2 { x.kind } else { MetricKind::Count };
                    self.text(c, kind)
                }));
                rows.push(row);
                let mut v = vec![Some(Value::Label(words[rule.code.as_str()].clone()))];
                v.extend(cells);
                values.push((x.unit.clone(), v));
            }
        }
        Annex {
            title,
            group: None,
            caption: format!(
                "Danh sách đơn vị cần chỉ đạo khắc phục {}",
                period.label_vi()
            ),
            note: self.note.clone(),
            columns: vec![
                "Tiêu chí cần khắc phục".into(),
                crate::text::capitalize(&period.label_vi()),
                crate::text::capitalize(&period.previous().label_vi()),
                // Streaks run over periods of the kind: "Số quý liên tiếp".
                format!("Số {} liên tiếp", period.kind().word_vi()),
                "Nâng mức".into(),
            ],
            rows,
            values,
        }
    }

    /// A finding's value, the month before's, its streak and escalation;
    /// a missing_data finding's value names every metric in `lacking`.
    fn finding_cells(&self, x: &Finding, rule: &Rule, lacking: &[&Finding]) -> [Option<Value>; 4] {
        let before = self.table.before.units.get(&x.unit_id);
        let (value, previous) = if rule.kind == RuleKind::Missing {
            let lacks: Vec<String> = lacking
                .iter()
                .map(|y| metric_words(&self.cat.metrics[y.hit.metric].label))
                .collect();
            (
                Some(Value::Label(format!("thiếu {}", lacks.join(", ")))),
                None,
            )
        } else {
            // The column is the period before's: a fall against the same
            // period a year before shows that period's figure in the text,
            // not here.
            let before = before.and_then(|r| r[x.hit.metric].clone());
            let previous = match rule.compare {
                CompareWith::Previous => x.hit.previous.clone().or(before),
                CompareWith::LastYear => before,
            };
            (x.hit.value.clone(), previous)
        };
        [
            value,
            previous,
            Some(Value::Num(f64::from(x.streak))),
            x.escalated.then(|| Value::Label("Có".into())),
        ]
    }

    /// A cell of the findings list: a percentage with its sign (the column
    /// mixes metrics), a count without.
    fn text(&self, v: &Option<Value>, kind: MetricKind) -> String {
        match v {
            None => String::new(),
            Some(v @ Value::Num(_)) if kind == MetricKind::Percent => {
                format!("{}%", annex_value(v, self.dot))
            }
            Some(v) => annex_value(v, self.dot),
        }
    }
}

/// A rule as the findings list names it, from its sentence without the
/// count: "Kết quả xử lý hồ sơ chưa đạt 100%", "Chưa có đủ số liệu …".
fn rule_words(f: &Findings, rule: &Rule) -> String {
    let sentence = crate::rules::render::sentence(f, rule, 0);
    let head = crate::rules::render::sentence(
        f,
        &Rule {
            sentence: "{count}/{total} {units} ".into(),
            ..rule.clone()
        },
        0,
    );
    let rest = sentence.strip_prefix(&head).unwrap_or(&sentence);
    text::capitalize(rest.strip_prefix("có ").unwrap_or(rest))
}
