//! Section 2's directives: one bullet per rule that fired, naming its
//! units with their figures, what they must do and who answers for it;
//! and the sentence on units no rule could compare.

use super::Block;
use super::words::{group_phrase, join_and, metric_words, phrase_list};
use crate::model::{Group, Period, Unit, UnitKind, Value};
use crate::rules::render::{self, value_vi};
use crate::rules::{Finding, Findings, Rule, RuleKind};
use crate::text;

/// Placeholders whose value differs from unit to unit.
const PER_UNIT: [&str; 4] = ["{value}", "{previous}", "{reference}", "{metric}"];

/// How the letter words its directives (settings and the annexes).
pub(super) struct Wording<'a> {
    pub period: Period,
    /// "huyện Khoái Châu"
    pub parent: &'a str,
    /// The escalation sentence (setting `accountability`).
    pub accountability: &'a str,
    /// A rule names at most this many units (setting `max_named`); the
    /// rest are in the list annex.
    pub max_named: usize,
    /// "Phụ lục III": the annex listing every unit that needs directives.
    pub list: Option<&'a str>,
    /// "Chủ tịch UBND huyện": who asks (setting `directive_subject`).
    pub subject: Option<&'a str>,
}

/// A rule's directive addressed to all its units at once: the template
/// with `{unit}` as `group` (the first time; after that as `again`, "các
/// xã đó", so a sentence names them once) and any "(…)" holding a
/// per-unit value left out. None when a per-unit value is not in brackets
/// (then the units are addressed by what their own directives say).
fn group_directive(
    rule: &Rule,
    group: &str,
    again: &str,
    period: Period,
    parent: &str,
) -> Option<String> {
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
    // The same words as each finding's directive (`render::rule_vars`).
    let vars = render::rule_vars(rule, period, parent);
    let t = render::period_words(&t, period);
    Some(name_once(&render::fill(&t, &vars), "{unit}", group, again))
}

/// `text` with its first `slot` as `first` and every later one as `again`.
fn name_once(text: &str, slot: &str, first: &str, again: &str) -> String {
    match text.split_once(slot) {
        Some((head, tail)) => format!("{head}{first}{}", tail.replace(slot, again)),
        None => text.to_owned(),
    }
}

/// "xã đó", "các xã, thị trấn đó", "cơ quan đó": units named again later
/// in the sentence that named them.
fn again(units: &[&Unit]) -> String {
    let kinds = |u: &Unit| {
        if u.kind == crate::model::UnitKind::CoQuan {
            "cơ quan".to_owned()
        } else {
            u.kind.prefix().to_lowercase()
        }
    };
    match units {
        [one] => format!("{} đó", kinds(one)),
        _ => {
            let owned: Vec<Unit> = units.iter().map(|u| (*u).clone()).collect();
            format!("các {} đó", render::kinds_word(&owned))
        }
    }
}

/// A unit in a rule's list: bare when it is of the kind most of the list
/// is ("Bình Kiều", as the sentence already says "xã"), with its kind
/// word in lower case otherwise ("thị trấn Khoái Châu"); an agency by its
/// name.
fn list_name(name: &str, kind: UnitKind, common: Option<UnitKind>) -> String {
    let bare = UnitKind::split_prefix(name).1;
    if kind == UnitKind::CoQuan {
        name.to_owned()
    } else if Some(kind) == common {
        bare.to_owned()
    } else {
        format!("{} {bare}", kind.prefix().to_lowercase())
    }
}

/// The kind more than half of `units` are, if any: a tie names every
/// unit with its kind word.
fn common_kind(units: &[&Unit]) -> Option<UnitKind> {
    let mut counts: Vec<(UnitKind, usize)> = Vec::new();
    for u in units {
        match counts.iter_mut().find(|(k, _)| *k == u.kind) {
            Some((_, n)) => *n += 1,
            None => counts.push((u.kind, 1)),
        }
    }
    counts
        .into_iter()
        .find(|(_, n)| 2 * n > units.len())
        .map(|(k, _)| k)
}

/// "Bình Minh 40,7% (tháng 7: 42,3%)": a unit and its figure in a rule's list.
fn item(f: &Findings, x: &Finding, name: &str, rule: &Rule, period: Period) -> String {
    let Some(cat) = &f.context.catalog else {
        return name.to_owned();
    };
    let kind = cat.metrics[x.hit.metric].kind;
    let show = |v: &Option<Value>| v.as_ref().map(|v| value_vi(v, kind)).unwrap_or_default();
    match rule.kind {
        RuleKind::Drop => format!(
            "{name} {} ({}: {})",
            show(&x.hit.value),
            rule.compared(period).relative_vi(period),
            show(&x.hit.previous)
        ),
        RuleKind::Missing => name.to_owned(),
        // A rating after a name would read as part of it.
        RuleKind::LabelWorse => format!("{name} ({})", show(&x.hit.value)),
        _ => format!("{name} {}", show(&x.hit.value)),
    }
}

/// How bad a unit's finding is, lower first: its value (below a
/// threshold, below the parent), its fall (a drop), its label's rank
/// (worst first), the metrics it lacks (most first).
fn badness(f: &Findings, rule: &Rule, list: &[&Finding]) -> f64 {
    let num = |v: &Option<Value>| match v {
        Some(Value::Num(x)) => *x,
        _ => 0.0,
    };
    let first = list[0];
    match rule.kind {
        RuleKind::Drop => num(&first.hit.value) - num(&first.hit.previous),
        RuleKind::Missing => -(list.len() as f64),
        RuleKind::LabelWorse => {
            let rank = f.context.catalog.as_ref().and_then(|c| {
                let labels = &c.metrics[first.hit.metric].labels;
                match &first.hit.value {
                    Some(Value::Label(l)) => labels.iter().position(|x| x == l),
                    _ => None,
                }
            });
            -(rank.unwrap_or(0) as f64)
        }
        _ => num(&first.hit.value),
    }
}

/// One bullet per rule that fired, in rule order: the count and the units
/// with their figures (at most `max_named`, the worst, and the list annex
/// for the rest), what they must do, and who answers for it. With
/// `group`, only that group's units, counted against the group's units
/// of the month ("2/6 cơ quan …"), and agencies addressed as agencies.
pub(super) fn directives(f: &Findings, w: &Wording, group: Option<Group>) -> Vec<Block> {
    let period = w.period;
    let agency = group == Some(Group::CoQuan);
    let word = |t: &str| {
        if agency {
            render::for_agency(t)
        } else {
            t.to_owned()
        }
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
        // Each unit once, with its findings (a missing_data unit has one
        // per metric it lacks).
        let mut units: Vec<(&Unit, Vec<&Finding>)> = Vec::new();
        for x in &list {
            match units.iter_mut().find(|(u, _)| u.id == x.unit_id) {
                Some((_, mine)) => mine.push(x),
                None => {
                    if let Some(u) = f.context.units.iter().find(|u| u.id == x.unit_id) {
                        units.push((u, vec![x]));
                    }
                }
            }
        }
        let all: Vec<&Unit> = units.iter().map(|(u, _)| *u).collect();
        let common = common_kind(&all);
        // The worst `max_named` by value, worst first, when there are more.
        let cut = units.len() > w.max_named && w.list.is_some();
        let mut named: Vec<&(&Unit, Vec<&Finding>)> = units.iter().collect();
        if cut {
            named.sort_by(|a, b| badness(f, rule, &a.1).total_cmp(&badness(f, rule, &b.1)));
            named.truncate(w.max_named);
        }
        let items: Vec<String> = named
            .iter()
            .map(|(u, mine)| {
                let name = list_name(&mine[0].unit, u.kind, common);
                if rule.kind == RuleKind::Missing {
                    let lacks: Vec<String> = mine
                        .iter()
                        .filter_map(|x| {
                            f.context
                                .catalog
                                .as_ref()
                                .map(|c| metric_words(&c.metrics[x.hit.metric].label))
                        })
                        .collect();
                    format!("{name} (thiếu {})", lacks.join(", "))
                } else {
                    item(f, mine[0], &name, rule, period)
                }
            })
            .collect();
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
        let head = render::sentence(f, &counted, count);
        let mut text = match (cut, w.list) {
            (true, Some(list)) => {
                let worst = match rule.kind {
                    RuleKind::Drop => "giảm nhiều nhất",
                    RuleKind::Missing => "thiếu nhiều nhất",
                    _ => "thấp nhất",
                };
                format!(
                    "{head} (danh sách tại {list}), trong đó {worst} là: {}.",
                    items.join(", ")
                )
            }
            _ => format!("{head}: {}.", items.join(", ")),
        };
        let worded = Rule {
            directive: word(&rule.directive),
            ..rule.clone()
        };
        let ask = |d: &str, whom: &str| ask(w.subject, d, whom);
        let many = |units: &[&Unit], why: &str| -> String {
            match (units.len() > w.max_named, w.list) {
                (true, Some(list)) => {
                    let owned: Vec<Unit> = units.iter().map(|u| (*u).clone()).collect();
                    format!("các {} {why} tại {list}", render::kinds_word(&owned))
                }
                _ => phrase_list(units),
            }
        };
        let whom = group_phrase(&all);
        match group_directive(&worded, &whom, &again(&all), period, w.parent) {
            Some(d) => {
                text.push(' ');
                text.push_str(&ask(&d, &whom));
                let escalated: Vec<&Unit> = units
                    .iter()
                    .filter(|(_, mine)| mine.iter().any(|x| x.escalated))
                    .map(|(u, _)| *u)
                    .collect();
                if !escalated.is_empty() && !w.accountability.is_empty() {
                    let names = many(&escalated, "được đánh dấu nâng mức");
                    let as_rule = Rule {
                        directive: word(w.accountability),
                        ..rule.clone()
                    };
                    let tail =
                        group_directive(&as_rule, &names, &again(&escalated), period, w.parent);
                    if let Some(a) = tail {
                        text.push(' ');
                        text.push_str(&crate::text::capitalize(&a));
                    }
                }
            }
            // A per-unit figure outside brackets ("chỉ đạt mức {value}"):
            // one sentence per distinct directive, naming its units once.
            None => {
                let mut same: Vec<(String, Vec<&Unit>)> = Vec::new();
                for (u, mine) in &units {
                    let own = render::unit_phrase(u);
                    let key = mine[0].directive.replace(&own, "\u{1}");
                    match same.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, us)) => us.push(u),
                        None => same.push((key, vec![u])),
                    }
                }
                for (key, us) in &same {
                    let first = if us.len() == all.len() {
                        group_phrase(us)
                    } else {
                        many(us, "nêu")
                    };
                    let d = name_once(key, "\u{1}", &first, &again(us));
                    text.push(' ');
                    text.push_str(&ask(&d, &first));
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

/// A directive with the office's subject: "Chủ tịch UBND huyện yêu cầu
/// Chủ tịch UBND các xã nêu trên …". Only a directive that opens with
/// whom it addresses (`whom`, or a head's title) takes one ("Đề nghị …"
/// is left as it is).
fn ask(subject: Option<&str>, directive: &str, whom: &str) -> String {
    const ADDRESSED: [&str; 14] = [
        "Chủ tịch",
        "UBND",
        "Thủ trưởng",
        "Giám đốc",
        "Sở ",
        "các ",
        "xã ",
        "phường ",
        "thị trấn ",
        "đặc khu ",
        "huyện ",
        "quận ",
        "thị xã ",
        "thành phố ",
    ];
    match subject {
        Some(s)
            if directive.starts_with(whom)
                || ADDRESSED.iter().any(|a| directive.starts_with(a)) =>
        {
            format!("{s} yêu cầu {directive}")
        }
        _ => crate::text::capitalize(directive),
    }
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
    // "các xã A, B và phường C": kind words in lower case inside the
    // sentence, as a list of names is written.
    let parts: Vec<String> = clauses
        .iter()
        .map(|(c, names)| {
            let units: Vec<&Unit> = names
                .iter()
                .filter_map(|n| f.context.units.iter().find(|u| u.name == *n))
                .collect();
            let named = if units.len() == names.len() {
                phrase_list(&units)
            } else {
                join_and(names)
            };
            format!("{named} {c}")
        })
        .collect();
    let what = if metrics.is_empty() {
        String::new()
    } else {
        format!("{} ", join_and(&metrics))
    };
    // The periods the rules compare with: the one before, or the same
    // period a year before.
    let mut with: Vec<String> = Vec::new();
    for (_, _, rule) in &entries {
        let before = f
            .context
            .rules
            .iter()
            .find(|r| r.code == *rule)
            .map_or(period.previous(), |r| r.compared(period))
            .label_vi();
        if !with.contains(&before) {
            with.push(before);
        }
    }
    Some(text::capitalize(&format!(
        "{} nên chưa so sánh được {what}với {}.",
        parts.join("; "),
        join_and(&with)
    )))
}
