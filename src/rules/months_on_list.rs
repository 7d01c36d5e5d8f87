//! Months on the list: over a quarter or a year, in how many of its months
//! each unit was on that month's findings, rule by rule. Only the months'
//! own findings count (a quarter's or a year's figures are the portal's
//! own, judged apart): "Bình Kiều: 4/12 tháng có kết quả xử lý hồ sơ chưa
//! đạt 100%".

use std::fmt::Write as _;
use std::io::{self, Write};

use rusqlite::Connection;
use rustc_hash::FxHashSet;

use super::{CompareWith, RuleError, RuleKind, Severity, evaluate_lists, load_rules, month};
use crate::model::{Period, Unit};

/// One unit's count under one rule.
#[derive(Debug, Clone)]
pub struct UnitMonths {
    /// As it exists at the period's end, named as it was then.
    pub unit: Unit,
    /// Months the unit was on the rule's list.
    pub on_list: u32,
    /// Months the rule judged the unit: the period's months with data in
    /// which the unit existed, less those the rule could not judge (a
    /// fall in the month a unit was formed, a month without the metric).
    pub months: u32,
}

/// One rule's units, worst first.
#[derive(Debug, Clone)]
pub struct RuleMonths {
    pub rule: String,
    pub severity: Severity,
    /// "Kết quả xử lý hồ sơ chưa đạt 100%"
    pub label: String,
    /// "có kết quả xử lý hồ sơ chưa đạt 100%": what follows "4/12 tháng".
    pub predicate: String,
    /// Only units on the list at least once.
    pub units: Vec<UnitMonths>,
}

/// The counts of a quarter or a year.
#[derive(Debug, Clone)]
pub struct MonthsOnList {
    pub period: Period,
    /// The period's months with data, in order.
    pub months: Vec<Period>,
    /// Rules that caught a unit in some month, in the findings' order
    /// (severity, then the rules' order).
    pub rules: Vec<RuleMonths>,
}

/// Counts, for each enabled rule and each unit that exists at the end of
/// `period`, the months of `period` in which the unit was on the rule's
/// findings (`evaluate_lists` of each month with data: who is on them,
/// no streaks). One read.
pub fn months_on_list(conn: &Connection, period: Period) -> Result<MonthsOnList, RuleError> {
    crate::db::in_one_read(conn, || count(conn, period))
}

fn count(conn: &Connection, period: Period) -> Result<MonthsOnList, RuleError> {
    let scope = month::Scope::load(conn)?;
    let units = scope.at(period);
    let rules: Vec<_> = load_rules(conn)?
        .into_iter()
        .filter(|r| r.enabled)
        .collect();
    let months: Vec<Period> = period.months().filter(|m| scope.have.contains(m)).collect();
    // (on the list, judged) per rule, per unit.
    let mut counts = vec![vec![(0u32, 0u32); units.len()]; rules.len()];
    for &m in &months {
        let f = evaluate_lists(conn, m)?;
        let skipped: FxHashSet<&str> = f
            .not_evaluated
            .iter()
            .filter(|n| n.unit.is_none())
            .map(|n| n.rule.as_str())
            .collect();
        // Units a rule could not judge this month are named as they were then.
        let unjudged: FxHashSet<(&str, i64)> = f
            .not_evaluated
            .iter()
            .filter_map(|n| {
                let name = n.unit.as_deref()?;
                let u = f.context.units.iter().find(|u| u.name == name)?;
                Some((n.rule.as_str(), u.id))
            })
            .collect();
        let on: FxHashSet<(&str, i64)> = f
            .findings
            .iter()
            .map(|x| (x.rule.as_str(), x.unit_id))
            .collect();
        for (r, rule) in rules.iter().enumerate() {
            let code = rule.code.as_str();
            if skipped.contains(code) {
                continue;
            }
            for (i, u) in units.iter().enumerate() {
                if !u.exists_in(m)
                    || rule.group.is_some_and(|g| g != u.group())
                    || unjudged.contains(&(code, u.id))
                {
                    continue;
                }
                let c = &mut counts[r][i];
                c.1 += 1;
                if on.contains(&(code, u.id)) {
                    c.0 += 1;
                }
            }
        }
    }
    let parent = scope
        .parent
        .as_ref()
        .map(super::render::unit_phrase)
        .unwrap_or_default();
    let mut out: Vec<(usize, RuleMonths)> = Vec::new();
    for (r, rule) in rules.iter().enumerate() {
        let mut list: Vec<(usize, UnitMonths)> = counts[r]
            .iter()
            .enumerate()
            .filter(|(_, c)| c.0 > 0)
            .map(|(i, &(on_list, months))| {
                (
                    i,
                    UnitMonths {
                        unit: units[i].clone(),
                        on_list,
                        months,
                    },
                )
            })
            .collect();
        if list.is_empty() {
            continue;
        }
        // Most months first; of equal counts, the fewer months judged
        // (the larger share); then the units' alphabetical order.
        list.sort_by_key(|(i, u)| (std::cmp::Reverse(u.on_list), u.months, *i));
        out.push((
            r,
            RuleMonths {
                rule: rule.code.clone(),
                severity: rule.severity,
                label: label(rule, &parent),
                predicate: predicate(rule, &parent),
                units: list.into_iter().map(|(_, u)| u).collect(),
            },
        ));
    }
    out.sort_by_key(|(r, x)| (x.severity, *r));
    Ok(MonthsOnList {
        period,
        months,
        rules: out.into_iter().map(|(_, x)| x).collect(),
    })
}

/// The rule's short name, a fall "so với tháng trước" (its months compare
/// with the month before), the parent named ("thấp hơn kết quả chung của
/// tỉnh Hưng Yên": each month's own).
fn phrase(rule: &super::Rule, parent: &str) -> Option<(bool, String)> {
    let previous = if rule.kind == RuleKind::Drop && rule.compare == CompareWith::Previous {
        "tháng trước"
    } else {
        rule.compare.label_vi()
    };
    let words = crate::names::Words {
        parent: Some(parent).filter(|p| !p.is_empty()),
        previous,
    };
    crate::names::rule_phrase(rule, &words)
}

fn label(rule: &super::Rule, parent: &str) -> String {
    phrase(rule, parent).map_or_else(|| rule.code.clone(), |(_, p)| crate::text::capitalize(&p))
}

/// What a unit "4/12 tháng …": "có kết quả xử lý hồ sơ chưa đạt 100%",
/// "chưa có đủ số liệu" (the sentence's own verb, "có" when it has it).
fn predicate(rule: &super::Rule, parent: &str) -> String {
    let Some((had_co, p)) = phrase(rule, parent) else {
        return format!("thuộc quy tắc {}", rule.code);
    };
    let mut c = p.chars();
    let lower: String = c
        .next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default();
    if had_co {
        format!("có {lower}")
    } else {
        lower
    }
}

/// "tháng 7, 8 và 9/2025", "tháng 1–9/2025", "tháng 1–3, 5 và 7–12/2025":
/// the months of one year, runs of three or more as a range.
pub fn months_phrase(months: &[Period]) -> String {
    let Some(first) = months.first() else {
        return String::new();
    };
    let numbers: Vec<u8> = months.iter().filter_map(|m| m.month_number()).collect();
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < numbers.len() {
        let mut j = i;
        while j + 1 < numbers.len() && numbers[j + 1] == numbers[j] + 1 {
            j += 1;
        }
        if j - i >= 2 {
            parts.push(format!("{}–{}", numbers[i], numbers[j]));
        } else {
            parts.extend(numbers[i..=j].iter().map(u8::to_string));
        }
        i = j + 1;
    }
    let list = match parts.as_slice() {
        [one] => one.clone(),
        [init @ .., last] => format!("{} và {last}", init.join(", ")),
        [] => String::new(),
    };
    format!("tháng {list}/{}", first.year())
}

impl MonthsOnList {
    /// "Bình Kiều: 4/12 tháng có kết quả xử lý hồ sơ chưa đạt 100%"
    pub fn line(rule: &RuleMonths, u: &UnitMonths) -> String {
        format!(
            "{}: {}/{} tháng {}",
            u.unit.name, u.on_list, u.months, rule.predicate
        )
    }

    /// The text `chiso findings --months` prints after the period's own
    /// findings, said to come from the months' findings.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let label = self.period.label_vi();
        if self.months.is_empty() {
            let _ = writeln!(
                out,
                "\n{} chưa có số liệu tháng nào: không đếm được số tháng thuộc diện cần chỉ đạo khắc phục.",
                crate::text::capitalize(&label)
            );
            return out;
        }
        let _ = writeln!(
            out,
            "\n══ Theo kết quả từng tháng của {label} ({} có số liệu): số tháng thuộc diện cần chỉ đạo khắc phục ══",
            months_phrase(&self.months)
        );
        if self.rules.is_empty() {
            out.push_str("Không có đơn vị nào thuộc diện cần chỉ đạo khắc phục trong tháng nào.\n");
        }
        for r in &self.rules {
            let mark = match r.severity {
                Severity::Critical => "[!!]",
                Severity::Warning => "[!]",
            };
            let _ = writeln!(out, "\n{mark} {}", r.label);
            for u in &r.units {
                let _ = writeln!(out, "  {}", MonthsOnList::line(r, u));
            }
        }
        out
    }

    /// The `months_on_list` array of the JSON: one object per rule and
    /// unit, in the table's order, at `depth` (two spaces each).
    pub fn write_json(&self, out: &mut dyn Write, depth: usize) -> io::Result<()> {
        #[derive(serde::Serialize)]
        struct Entry<'a> {
            rule: &'a str,
            unit: &'a str,
            group: crate::model::Group,
            on_list: u32,
            months: u32,
        }
        let entries: Vec<Entry> = self
            .rules
            .iter()
            .flat_map(|r| {
                r.units.iter().map(|u| Entry {
                    rule: &r.rule,
                    unit: &u.unit.name,
                    group: u.unit.group(),
                    on_list: u.on_list,
                    months: u.months,
                })
            })
            .collect();
        let text = serde_json::to_string_pretty(&entries)?;
        let pad = "  ".repeat(depth);
        for (i, line) in text.lines().enumerate() {
            if i > 0 {
                out.write_all(b"\n")?;
                out.write_all(pad.as_bytes())?;
            }
            out.write_all(line.as_bytes())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Value;
    use crate::rules::fixture::{Fixture, fixture};

    impl Fixture {
        /// `metric` of units A, B, C (None: no value) in `period`.
        fn put3(&mut self, period: &str, metric: &str, values: [Option<f64>; 3]) {
            let given: Vec<(usize, Value)> = values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (i, Value::Num(v))))
                .collect();
            self.put(period, metric, &given);
        }

        fn counts(&self, period: &str) -> MonthsOnList {
            months_on_list(self.db.conn(), Period::parse(period).unwrap()).unwrap()
        }
    }

    fn of<'a>(m: &'a MonthsOnList, rule: &str) -> Vec<(&'a str, u32, u32)> {
        m.rules
            .iter()
            .find(|r| r.rule == rule)
            .map(|r| {
                r.units
                    .iter()
                    .map(|u| (u.unit.name.as_str(), u.on_list, u.months))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn counts_the_months_of_a_quarter_from_their_own_findings() {
        let mut f = fixture();
        // The quarter's own figures say nothing of its months.
        f.put3(
            "2025-Q3",
            "processing",
            [Some(100.0), Some(100.0), Some(50.0)],
        );
        f.put3(
            "2025-07",
            "processing",
            [Some(90.0), Some(100.0), Some(100.0)],
        );
        f.put3(
            "2025-08",
            "processing",
            [Some(90.0), Some(95.0), Some(100.0)],
        );
        // B has no value in September: on missing_data, not on processing_late.
        f.put3("2025-09", "processing", [Some(99.0), None, Some(100.0)]);
        let m = f.counts("2025-Q3");
        assert_eq!(m.months.len(), 3);
        assert_eq!(
            of(&m, "processing_late"),
            [("Xã A", 3, 3), ("Xã B", 1, 3)],
            "worst first; C is late only in the quarter's own figures"
        );
        assert_eq!(of(&m, "missing_data"), [("Xã B", 1, 3)]);
        let r = m
            .rules
            .iter()
            .find(|r| r.rule == "processing_late")
            .unwrap();
        assert_eq!(
            MonthsOnList::line(r, &r.units[0]),
            "Xã A: 3/3 tháng có kết quả xử lý hồ sơ chưa đạt 100%"
        );
        let r = m.rules.iter().find(|r| r.rule == "missing_data").unwrap();
        assert_eq!(
            MonthsOnList::line(r, &r.units[0]),
            "Xã B: 1/3 tháng chưa có đủ số liệu"
        );
        // Critical rules before warnings, as the findings.
        let order: Vec<&str> = m.rules.iter().map(|r| r.rule.as_str()).collect();
        assert_eq!(order, ["processing_late", "missing_data"]);
    }

    #[test]
    fn a_month_without_data_and_a_rule_not_judged_are_not_counted() {
        let mut f = fixture();
        f.put3(
            "2025-01",
            "digitization",
            [Some(30.0), Some(60.0), Some(60.0)],
        );
        f.put3(
            "2025-03",
            "digitization",
            [Some(30.0), Some(50.0), Some(70.0)],
        );
        f.put3(
            "2025-04",
            "digitization",
            [Some(35.0), Some(45.0), Some(70.0)],
        );
        let m = f.counts("2025");
        let months: Vec<String> = m.months.iter().map(|p| p.to_string()).collect();
        assert_eq!(months, ["2025-01", "2025-03", "2025-04"]);
        assert_eq!(months_phrase(&m.months), "tháng 1, 3 và 4/2025");
        assert_eq!(of(&m, "digitization_low"), [("Xã A", 3, 3)]);
        // A fall needs the month before: judged in April only (January has
        // none before it, February has no data).
        assert_eq!(of(&m, "digitization_drop"), [("Xã B", 1, 1)]);
        let r = m
            .rules
            .iter()
            .find(|r| r.rule == "digitization_drop")
            .unwrap();
        assert_eq!(
            MonthsOnList::line(r, &r.units[0]),
            "Xã B: 1/1 tháng có tỷ lệ số hoá giảm so với tháng trước"
        );
    }

    #[test]
    fn a_unit_counts_only_the_months_it_existed() {
        let mut f = fixture();
        let c = f.ids[2];
        // C starts in August.
        f.db.conn()
            .execute("UPDATE units SET valid_from = 202508 WHERE id = ?1", [c])
            .unwrap();
        for p in ["2025-07", "2025-08", "2025-09"] {
            f.put3(p, "processing", [Some(90.0), Some(100.0), Some(80.0)]);
        }
        let m = f.counts("2025-Q3");
        assert_eq!(of(&m, "processing_late"), [("Xã A", 3, 3), ("Xã C", 2, 2)]);
    }

    #[test]
    fn months_phrase_shortens_runs() {
        let ms = |v: &[u8]| -> Vec<Period> {
            v.iter().map(|&m| Period::month(2025, m).unwrap()).collect()
        };
        assert_eq!(months_phrase(&ms(&[7, 8, 9])), "tháng 7–9/2025");
        assert_eq!(months_phrase(&ms(&[7, 8])), "tháng 7 và 8/2025");
        assert_eq!(months_phrase(&ms(&[9])), "tháng 9/2025");
        assert_eq!(
            months_phrase(&ms(&[1, 2, 3, 5, 7, 8, 9, 10, 11, 12])),
            "tháng 1–3, 5 và 7–12/2025"
        );
    }
}
