//! Section 2's directives: one bullet per rule that fired, naming its
//! units with their figures, what they must do and who answers for it;
//! and the sentence on units no rule could compare.

use super::Block;
use super::words::{group_phrase, join_and, metric_words, phrase_list};
use crate::model::{Group, Period, Unit, Value};
use crate::rules::render::{self, value_vi};
use crate::rules::{Finding, Findings, Rule, RuleKind};
use crate::text;

/// Placeholders whose value differs from unit to unit.
const PER_UNIT: [&str; 4] = ["{value}", "{previous}", "{reference}", "{metric}"];

/// A rule's directive addressed to all its units at once: the template
/// with `{unit}` as the group and any "(…)" holding a per-unit value left
/// out. None when a per-unit value is not in brackets (then each unit's
/// own directive is used).
fn group_directive(rule: &Rule, group: &str, period: Period, parent: &str) -> Option<String> {
    let mut t = String::new();
    let mut rest = rule.directive.as_str();
    while let Some(open) = rest.find(" (").or_else(|| rest.find('(')) {
        let close = rest[open..].find(')').map(|c| open + c)?;
        let inner = &rest[open..=close];
        t.push_str(&rest[..open]);
        if !PER_UNIT.iter().any(|p| inner.contains(p)) {
            t.push_str(inner);
        }
        rest = &rest[close + 1..];
    }
    t.push_str(rest);
    // missing_data names the metrics unit by unit; the group lacks "some".
    let t = t.replace("{metric}", "còn thiếu");
    if PER_UNIT.iter().any(|p| t.contains(p)) {
        return None;
    }
    let vars = [
        ("unit", group.to_owned()),
        ("month", period.label_vi()),
        ("previous_month", period.previous().label_vi()),
        ("next_month", period.next().label_vi()),
        ("parent", parent.to_owned()),
        (
            "threshold",
            rule.threshold
                .map(|x| text::format_vi(x, 2))
                .unwrap_or_default(),
        ),
        (
            "upper",
            rule.upper
                .map(|x| text::format_vi(x, 2))
                .unwrap_or_default(),
        ),
        ("label", rule.label.clone().unwrap_or_default()),
    ];
    Some(render::fill(&t, &vars))
}

/// "Bình Minh 40,7% (tháng 7: 42,3%)": a unit and its figure in a rule's list.
fn item(f: &Findings, x: &Finding, rule: &Rule, period: Period) -> String {
    let Some(cat) = &f.context.catalog else {
        return x.unit.clone();
    };
    let kind = cat.metrics[x.hit.metric].kind;
    let show = |v: &Option<Value>| v.as_ref().map(|v| value_vi(v, kind)).unwrap_or_default();
    match rule.kind {
        RuleKind::Drop => format!(
            "{} {} (tháng {}: {})",
            x.unit,
            show(&x.hit.value),
            period.previous().month,
            show(&x.hit.previous)
        ),
        RuleKind::Missing => x.unit.clone(),
        // A rating after a name would read as part of it.
        RuleKind::LabelWorse => format!("{} ({})", x.unit, show(&x.hit.value)),
        _ => format!("{} {}", x.unit, show(&x.hit.value)),
    }
}

/// One bullet per rule that fired, in rule order: the count and the units
/// with their figures, what they must do, and who answers for it. With
/// `group`, only that group's units, counted against the group's units
/// of the month ("2/6 cơ quan …"), and agencies addressed as agencies.
pub(super) fn directives(
    f: &Findings,
    period: Period,
    parent: &str,
    accountability: &str,
    group: Option<Group>,
) -> Vec<Block> {
    let agency = group == Some(Group::CoQuan);
    let word = |t: &str| {
        if agency { for_agency(t) } else { t.to_owned() }
    };
    let mut out = Vec::new();
    for s in &f.summary {
        let Some(rule) = f.context.rules.iter().find(|r| r.code == s.rule) else {
            continue;
        };
        let list: Vec<&Finding> = f
            .findings
            .iter()
            .filter(|x| x.rule == rule.code && group.is_none_or(|g| x.group == g))
            .collect();
        if list.is_empty() {
            continue;
        }
        let units: Vec<&Unit> = {
            let mut ids: Vec<i64> = Vec::new();
            for x in &list {
                if !ids.contains(&x.unit_id) {
                    ids.push(x.unit_id);
                }
            }
            ids.iter()
                .filter_map(|id| f.context.units.iter().find(|u| u.id == *id))
                .collect()
        };
        let items: Vec<String> = if rule.kind == RuleKind::Missing {
            // One unit, every metric it lacks.
            units
                .iter()
                .map(|u| {
                    let lacks: Vec<String> = list
                        .iter()
                        .filter(|x| x.unit_id == u.id)
                        .filter_map(|x| {
                            f.context
                                .catalog
                                .as_ref()
                                .map(|c| metric_words(&c.metrics[x.hit.metric].label))
                        })
                        .collect();
                    format!("{} (thiếu {})", u.name, lacks.join(", "))
                })
                .collect()
        } else {
            list.iter().map(|x| item(f, x, rule, period)).collect()
        };
        // A group's sentence counts that group: the rule as if for it.
        let (counted, count) = match group {
            Some(g) => (
                Rule {
                    group: Some(g),
                    ..rule.clone()
                },
                units.len(),
            ),
            None => (rule.clone(), s.count),
        };
        let mut text = format!(
            "{}: {}.",
            render::sentence(f, &counted, count),
            items.join(", ")
        );
        let worded = Rule {
            directive: word(&rule.directive),
            ..rule.clone()
        };
        // Each unit's own directive already ends with who answers for it.
        let mut answered = false;
        match group_directive(&worded, &group_phrase(&units), period, parent) {
            Some(d) => {
                text.push(' ');
                text.push_str(&crate::text::capitalize(&d));
            }
            None => {
                for x in &list {
                    text.push(' ');
                    text.push_str(&x.directive);
                }
                answered = true;
            }
        }
        let escalated: Vec<&Unit> = units
            .iter()
            .copied()
            .filter(|u| list.iter().any(|x| x.unit_id == u.id && x.escalated))
            .collect();
        if !answered && !escalated.is_empty() && !accountability.is_empty() {
            let names = phrase_list(&escalated);
            let as_rule = Rule {
                directive: word(accountability),
                ..rule.clone()
            };
            match group_directive(&as_rule, &names, period, parent) {
                Some(a) => {
                    text.push(' ');
                    text.push_str(&crate::text::capitalize(&a));
                }
                // A per-unit figure outside brackets: each unit's own.
                None => {
                    for x in list.iter().filter(|x| x.escalated) {
                        text.push(' ');
                        text.push_str(x.directive.rsplit(". ").next().unwrap_or_default());
                    }
                }
            }
        }
        out.push(Block::Bullet(text));
    }
    // Only when every rule judged every unit (of the group): a month where
    // some could not be judged never claims that none needs directives.
    let (none, kinds) = match group {
        None => (
            f.findings.is_empty() && f.not_evaluated.is_empty(),
            f.context.kinds_word.clone(),
        ),
        Some(g) => {
            let mine = f.context.units_of(g);
            let judged = !f
                .not_evaluated
                .iter()
                .any(|n| f.context.concerns(n, g, &mine));
            (out.is_empty() && judged, render::kinds_word(&mine))
        }
    };
    if none {
        out.push(Block::Bullet(format!(
            "Trong {}, không có {} nào thuộc diện phải chỉ đạo khắc phục theo các tiêu chí đang áp dụng.",
            period.label_vi(),
            kinds
        )));
    }
    out
}

/// The one sentence on the units formed or changed this month, which no
/// rule could compare with the month before: "Xã Giả Lập Bắc, … và Xã
/// Tân Hưng mới thành lập từ tháng 7/2025 trên cơ sở sắp xếp các đơn vị
/// cũ nên chưa so sánh được tỷ lệ số hoá với tháng 6/2025." None when
/// there are none.
pub(super) fn not_comparable(f: &Findings, period: Period) -> Option<String> {
    let entries: Vec<(&str, &str, &str)> = f
        .not_evaluated
        .iter()
        .filter_map(|n| Some((n.unit.as_deref()?, n.reason.as_str(), n.rule.as_str())))
        .collect();
    if entries.is_empty() {
        return None;
    }
    // Each unit once, in the groups' order, then the month's.
    let position = |name: &str| {
        f.context
            .units
            .iter()
            .position(|u| u.name == name)
            .map_or((Group::Xa, usize::MAX), |i| (f.context.units[i].group(), i))
    };
    let mut units: Vec<(&str, &str)> = Vec::new();
    for (name, reason, _) in &entries {
        if !units.iter().any(|(n, _)| n == name) {
            units.push((name, reason));
        }
    }
    units.sort_by_key(|(name, _)| position(name));
    // "thành lập từ tháng 7/2025 trên cơ sở Xã Thủ Sỹ, …" → "mới thành
    // lập từ tháng 7/2025 trên cơ sở sắp xếp các đơn vị cũ".
    let clause = |reason: &str| -> String {
        if let Some(rest) = reason.strip_prefix("thành lập từ ") {
            match rest.split_once(" trên cơ sở ") {
                Some((when, _)) => {
                    format!("mới thành lập từ {when} trên cơ sở sắp xếp các đơn vị cũ")
                }
                None => format!("mới thành lập từ {rest}"),
            }
        } else {
            reason
                .split(", không so sánh được")
                .next()
                .unwrap_or(reason)
                .to_owned()
        }
    };
    let mut clauses: Vec<(String, Vec<&str>)> = Vec::new();
    for (name, reason) in units {
        let c = clause(reason);
        match clauses.iter_mut().find(|(k, _)| *k == c) {
            Some((_, names)) => names.push(name),
            None => clauses.push((c, vec![name])),
        }
    }
    // What could not be compared: the rules' metrics.
    let mut metrics: Vec<String> = Vec::new();
    for (_, _, rule) in &entries {
        let label = f
            .context
            .rules
            .iter()
            .find(|r| r.code == *rule)
            .and_then(|r| r.metric.as_deref())
            .zip(f.context.catalog.as_ref())
            .and_then(|(code, cat)| cat.index_of(code).map(|m| cat.metrics[m].label.clone()));
        if let Some(words) = label.map(|l| metric_words(&l))
            && !metrics.contains(&words)
        {
            metrics.push(words);
        }
    }
    let parts: Vec<String> = clauses
        .iter()
        .map(|(c, names)| format!("{} {c}", join_and(names)))
        .collect();
    let what = if metrics.is_empty() {
        String::new()
    } else {
        format!("{} ", join_and(&metrics))
    };
    Some(format!(
        "{} nên chưa so sánh được {what}với {}.",
        parts.join("; "),
        period.previous().label_vi()
    ))
}

/// A directive template as an agency reads it (as `rules::render` words
/// an agency's own directive): its head is its Thủ trưởng, not a
/// People's Committee's chairman.
fn for_agency(template: &str) -> String {
    template
        .replace("Chủ tịch UBND {unit}", "Thủ trưởng {unit}")
        .replace("UBND {unit}", "{unit}")
}
