//! Findings in words: directive texts from the rules' templates, and the
//! Vietnamese prose, CSV and table forms of `chiso findings`.

use std::fmt::Write as _;

use super::{Finding, Findings, Rule, RuleKind};
use crate::model::{Group, MetricKind, Period, Unit, UnitKind, Value};
use crate::text;

/// "xã, thị trấn": the kinds of the units judged, in the usual order
/// (agencies, districts, communes).
pub fn kinds_word(units: &[Unit]) -> String {
    let order = [
        UnitKind::CoQuan,
        UnitKind::Huyen,
        UnitKind::ThiXa,
        UnitKind::ThanhPho,
        UnitKind::Quan,
        UnitKind::Xa,
        UnitKind::Phuong,
        UnitKind::ThiTran,
        UnitKind::DacKhu,
    ];
    let words: Vec<String> = order
        .iter()
        .filter(|k| units.iter().any(|u| !u.is_parent && u.kind == **k))
        .map(|k| k.prefix().to_lowercase())
        .collect();
    if words.is_empty() {
        "đơn vị".into()
    } else {
        words.join(", ")
    }
}

/// "xã An Vỹ", "thị trấn Khoái Châu", "huyện Khoái Châu": a unit as a
/// sentence names it.
pub fn unit_phrase(unit: &Unit) -> String {
    // An agency's name is its phrase: "Sở Tư pháp".
    if unit.kind == UnitKind::CoQuan {
        return unit.name.clone();
    }
    // The usual case, "Phường Giả Lập" of kind phường, without folding.
    let own = unit.kind.prefix();
    if let Some(rest) = unit
        .name
        .strip_prefix(own)
        .and_then(|r| r.strip_prefix(' '))
    {
        return format!("{} {rest}", own.to_lowercase());
    }
    match UnitKind::split_prefix(&unit.name) {
        (Some(kind), rest) => format!("{} {rest}", kind.prefix().to_lowercase()),
        (None, _) => format!("{} {}", unit.kind.prefix().to_lowercase(), unit.name),
    }
}

/// A value as Vietnamese prose writes it: "37,9%", "74,75", "3.090",
/// "Khá". Every stored digit is kept (99,999 never prints as 100): the
/// text must say what the annex says.
pub fn value_vi(v: &Value, kind: MetricKind) -> String {
    let mut out = String::new();
    push_value_vi(&mut out, v, kind);
    out
}

/// `value_vi` appended to `out`: a national month renders 20,000
/// directives, each with a few values.
pub fn push_value_vi(out: &mut String, v: &Value, kind: MetricKind) {
    match (v, kind) {
        (Value::Num(x), MetricKind::Percent) => {
            push_number_vi(out, *x);
            out.push('%');
        }
        (Value::Num(x), _) => push_number_vi(out, *x),
        (Value::Label(s), _) => out.push_str(s),
    }
}

/// The shortest decimal that reads back as `x`, with a decimal comma and
/// thousands grouped by dots: 99.999 → "99,999", 3090 → "3.090".
pub fn number_vi(x: f64) -> String {
    let mut out = String::new();
    push_number_vi(&mut out, x);
    out
}

/// `number_vi` appended to `out`.
pub fn push_number_vi(out: &mut String, x: f64) {
    if !x.is_finite() {
        out.push_str(&x.to_string());
        return;
    }
    // ryu's shortest digits are Rust's `{}` except for the exponent form
    // (outside 1e-5..1e16) and the ".0" it adds to whole numbers. From
    // 1e16 up `{}` prints every digit of the binary value, not the
    // shortest: that, and the exponent forms, take the general way.
    let mut buf = ryu::Buffer::new();
    let shortest = buf.format_finite(x);
    if shortest.contains(['e', 'E']) || x.abs() >= 1e16 {
        let plain = format!("{x}");
        let decimals = plain.split_once('.').map_or(0, |(_, f)| f.len());
        out.push_str(&text::format_vi(x, decimals));
        return;
    }
    let plain = shortest.strip_suffix(".0").unwrap_or(shortest);
    let (negative, digits) = match plain.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, plain),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    text::push_grouped(out, negative, int, frac);
}

/// Replaces `{name}` placeholders; unknown ones stay as written. One pass:
/// it runs for every finding of a national month.
pub fn fill(template: &str, vars: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (&after[..close], close)) {
            Some((name, close)) if vars.iter().any(|(k, _)| *k == name) => {
                let value = vars
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.as_str());
                out.push_str(value.unwrap_or_default());
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// What a rule's templates name the same in every finding of `period`:
/// `{month}` is the period ("tháng 8/2024", "quý III/2025", "năm 2025"),
/// `{next_month}` the one after it of its kind ("quý IV/2025"), and
/// `{previous_month}` the one the rule compares with (the same period a
/// year before for a rule comparing with it).
pub(crate) fn rule_vars(rule: &Rule, period: Period, parent: &str) -> Vec<(&'static str, String)> {
    let num = |x: Option<f64>| x.map(|x| text::format_vi(x, 2)).unwrap_or_default();
    vec![
        ("threshold", num(rule.threshold)),
        ("upper", num(rule.upper)),
        ("label", rule.label.clone().unwrap_or_default()),
        ("month", period.label_vi()),
        ("previous_month", rule.compared(period).label_vi()),
        ("next_month", period.next().label_vi()),
        ("parent", parent.to_owned()),
    ]
}

/// A template as a quarter's or a year's letter reads it: the months that
/// follow are quarters or years ("trong {next_month} và các quý tiếp
/// theo"). A month's template is left as written.
pub(crate) fn period_words(template: &str, period: Period) -> std::borrow::Cow<'_, str> {
    if period.is_month() || !template.contains("tháng tiếp theo") {
        return std::borrow::Cow::Borrowed(template);
    }
    std::borrow::Cow::Owned(template.replace(
        "tháng tiếp theo",
        &format!("{} tiếp theo", period.kind().word_vi()),
    ))
}

/// A placeholder whose text differs from finding to finding.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Slot {
    Unit,
    Value,
    Previous,
    Reference,
    Metric,
}

const SLOTS: [(&str, Slot); 5] = [
    ("unit", Slot::Unit),
    ("value", Slot::Value),
    ("previous", Slot::Previous),
    ("reference", Slot::Reference),
    ("metric", Slot::Metric),
];

#[derive(Debug, PartialEq)]
enum Part {
    Text(String),
    Slot(Slot),
}

/// A template split once into text and per-finding slots, with the
/// placeholders that are the same for every finding already filled in
/// (`fill` semantics: unknown placeholders stay as written).
fn compile(template: &str, fixed: &[(&str, String)]) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name = after.find('}').map(|close| &after[..close]);
        match name.and_then(|n| SLOTS.iter().find(|(k, _)| *k == n)) {
            Some((n, slot)) => {
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(Part::Slot(*slot));
                rest = &after[n.len() + 1..];
            }
            None => match name.and_then(|n| fixed.iter().find(|(k, _)| *k == n)) {
                Some((n, v)) => {
                    text.push_str(v);
                    rest = &after[n.len() + 1..];
                }
                None => {
                    text.push('{');
                    rest = after;
                }
            },
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    parts
}

/// A directive and its accountability tail, split into parts.
type Compiled = (Vec<Part>, Vec<Part>);

/// A directive template as an agency reads it: the templates speak to a
/// commune ("Chủ tịch UBND {unit}"); an agency's head is its Thủ trưởng.
pub(crate) fn for_agency(template: &str) -> String {
    template
        .replace("Chủ tịch UBND {unit}", "Thủ trưởng {unit}")
        .replace("UBND {unit}", "{unit}")
}

/// A rule's directive and accountability tail, compiled with what is the
/// same for every finding of the month; `agency`: worded for an agency.
fn compiled(
    rule: &Rule,
    period: Period,
    parent: &str,
    accountability: &str,
    agency: bool,
) -> Compiled {
    let fixed = rule_vars(rule, period, parent);
    let word = |t: &str| {
        let t = period_words(t, period);
        if agency {
            for_agency(&t)
        } else {
            t.into_owned()
        }
    };
    let accountable = if accountability.is_empty() {
        Vec::new()
    } else {
        let mut parts = vec![Part::Text(" ".into())];
        parts.extend(compile(&word(accountability), &fixed));
        parts
    };
    (compile(&word(&rule.directive), &fixed), accountable)
}

/// One finding's directive from its rule's compiled parts, appended to `d`;
/// with `json`, what varies is escaped for a JSON string (the parts and
/// the phrase are escaped already).
fn render_into(
    d: &mut String,
    (directive, accountable): &Compiled,
    f: &Finding,
    phrase: &str,
    metric: &crate::model::Metric,
    json: bool,
) {
    let tail: &[Part] = if f.escalated { accountable } else { &[] };
    let text = |d: &mut String, t: &str| {
        if json {
            d.push_str(&super::json::escaped(t));
        } else {
            d.push_str(t);
        }
    };
    let value = |d: &mut String, v: &Option<Value>| match v {
        // Numbers need no escaping.
        Some(Value::Label(l)) => text(d, l),
        Some(v) => push_value_vi(d, v, metric.kind),
        None => {}
    };
    for part in directive.iter().chain(tail) {
        match part {
            Part::Text(t) => d.push_str(t),
            Part::Slot(Slot::Unit) => d.push_str(phrase),
            Part::Slot(Slot::Value) => value(d, &f.hit.value),
            Part::Slot(Slot::Previous) => value(d, &f.hit.previous),
            Part::Slot(Slot::Reference) => value(d, &f.hit.reference),
            Part::Slot(Slot::Metric) => text(d, &metric.label),
        }
    }
}

/// Writes directives finding by finding, each rule's templates compiled
/// once and each unit's phrase made once; escalated findings gain the
/// accountability sentence (`context.accountability`). The JSON writer
/// uses it directly, so a national month's 20,000 texts are never all
/// held at once.
pub struct Directives<'a> {
    catalog: &'a crate::db::Catalog,
    /// Per rule: worded for a commune, and for an agency.
    compiled: rustc_hash::FxHashMap<&'a str, [Compiled; 2]>,
    units: rustc_hash::FxHashMap<i64, &'a Unit>,
    phrases: rustc_hash::FxHashMap<i64, String>,
    /// Writes the inside of a JSON string.
    json: bool,
}

impl<'a> Directives<'a> {
    /// None without a catalog or a valid month (findings made by hand).
    pub fn new(out: &'a Findings) -> Option<Directives<'a>> {
        Directives::make(out, false)
    }

    /// `new` writing each directive escaped for a JSON string: the fixed
    /// text is escaped once, not scanned again in every directive.
    pub fn json(out: &'a Findings) -> Option<Directives<'a>> {
        Directives::make(out, true)
    }

    fn make(out: &'a Findings, json: bool) -> Option<Directives<'a>> {
        let ctx = &out.context;
        let catalog = ctx.catalog.as_ref()?;
        let period = Period::parse(&out.period)?;
        let parent = ctx.parent.as_ref().map(unit_phrase).unwrap_or_default();
        let escape = |parts: Vec<Part>| -> Vec<Part> {
            if !json {
                return parts;
            }
            parts
                .into_iter()
                .map(|p| match p {
                    Part::Text(t) => Part::Text(super::json::escaped(&t)),
                    slot => slot,
                })
                .collect()
        };
        let compiled = ctx
            .rules
            .iter()
            .map(|r| {
                let both = [false, true].map(|agency| {
                    let (d, a) = compiled(r, period, &parent, &ctx.accountability, agency);
                    (escape(d), escape(a))
                });
                (r.code.as_str(), both)
            })
            .collect();
        Some(Directives {
            catalog,
            compiled,
            units: ctx.units.iter().map(|u| (u.id, u)).collect(),
            phrases: Default::default(),
            json,
        })
    }

    /// Appends `f`'s directive to `d` (nothing for an unknown rule or unit).
    pub fn render(&mut self, f: &Finding, d: &mut String) {
        let (Some(parts), Some(unit)) = (
            self.compiled.get(f.rule.as_str()),
            self.units.get(&f.unit_id),
        ) else {
            return;
        };
        let json = self.json;
        let phrase = self.phrases.entry(f.unit_id).or_insert_with(|| {
            let p = unit_phrase(unit);
            if json { super::json::escaped(&p) } else { p }
        });
        let metric = &self.catalog.metrics[f.hit.metric];
        let parts = &parts[usize::from(unit.kind == UnitKind::CoQuan)];
        render_into(d, parts, f, phrase, metric, json);
    }
}

/// Fills every finding's directive (see `Directives`).
pub fn fill_directives(out: &mut Findings) {
    let texts: Vec<String> = {
        let Some(mut r) = Directives::new(out) else {
            return;
        };
        out.findings
            .iter()
            .map(|f| {
                let mut d = String::with_capacity(256);
                r.render(f, &mut d);
                d
            })
            .collect()
    };
    for (f, d) in out.findings.iter_mut().zip(texts) {
        f.directive = d;
    }
}

/// The directive of finding `i`, as `fill_directives` writes it: for a
/// screen that shows one at a time and need not hold them all.
pub fn directive_for(out: &Findings, i: usize) -> String {
    let Some(f) = out.findings.get(i) else {
        return String::new();
    };
    if !f.directive.is_empty() {
        return f.directive.clone();
    }
    let (Some(cat), Some(period), Some(rule), Some(unit)) = (
        &out.context.catalog,
        Period::parse(&out.period),
        out.context.rules.iter().find(|r| r.code == f.rule),
        out.context.units.iter().find(|u| u.id == f.unit_id),
    ) else {
        return String::new();
    };
    let ctx = &out.context;
    let parent = ctx.parent.as_ref().map(unit_phrase).unwrap_or_default();
    let parts = compiled(
        rule,
        period,
        &parent,
        &ctx.accountability,
        unit.kind == UnitKind::CoQuan,
    );
    let mut d = String::new();
    render_into(
        &mut d,
        &parts,
        f,
        &unit_phrase(unit),
        &cat.metrics[f.hit.metric],
        false,
    );
    d
}

/// "Bình Minh 40,7% (tháng 7: 42,3%)" and the like, for one finding.
fn item(f: &Findings, finding: &Finding, rule: &Rule, period: Period) -> String {
    let Some(cat) = &f.context.catalog else {
        return finding.unit.clone();
    };
    let metric = &cat.metrics[finding.hit.metric];
    let show = |v: &Option<Value>| {
        v.as_ref()
            .map(|v| value_vi(v, metric.kind))
            .unwrap_or_default()
    };
    let mut s = match rule.kind {
        RuleKind::Missing => format!("{} (thiếu {})", finding.unit, metric.label),
        RuleKind::Drop => format!(
            "{} {} ({}: {})",
            finding.unit,
            show(&finding.hit.value),
            rule.compared(period).relative_vi(period),
            show(&finding.hit.previous)
        ),
        _ => format!("{} {}", finding.unit, show(&finding.hit.value)),
    };
    if finding.streak > 1 {
        // Streaks run over periods of the kind judged: "2 quý liên tiếp".
        let _ = write!(
            s,
            " [{} {} liên tiếp{}]",
            finding.streak,
            period.kind().word_vi(),
            if finding.escalated {
                ", nâng mức"
            } else {
                ""
            }
        );
    }
    s
}

/// A rule's sentence for the month: "13/25 xã, thị trấn có tỷ lệ số hoá
/// giảm so với tháng 7/2024".
pub fn sentence(f: &Findings, rule: &Rule, count: usize) -> String {
    let period = Period::parse(&f.period).unwrap_or(Period::FIRST);
    let parent = f
        .context
        .parent
        .as_ref()
        .map(unit_phrase)
        .unwrap_or_default();
    let mut vars = rule_vars(rule, period, &parent);
    let reference = f
        .findings
        .iter()
        .find(|x| x.rule == rule.code)
        .and_then(|x| {
            let cat = f.context.catalog.as_ref()?;
            Some(value_vi(
                x.hit.reference.as_ref()?,
                cat.metrics[x.hit.metric].kind,
            ))
        })
        .unwrap_or_default();
    // A rule for one group counts and names that group's units.
    let (total, units) = match rule.group {
        None => (f.units_total, f.context.kinds_word.clone()),
        Some(g) => {
            let mine = f.context.units_of(g);
            (mine.len(), kinds_word(&mine))
        }
    };
    vars.extend([
        ("count", count.to_string()),
        ("total", total.to_string()),
        ("units", units),
        ("reference", reference),
    ]);
    fill(&period_words(&rule.sentence, period), &vars)
}

/// The Vietnamese table form: one block per rule, in the seed's words.
pub fn table(f: &Findings) -> String {
    let period = Period::parse(&f.period).unwrap_or(Period::FIRST);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Đơn vị cần chỉ đạo khắc phục, {} ({} {}):",
        period.label_vi(),
        f.units_total,
        f.context.kinds_word
    );
    let groups: Vec<Group> = Group::ALL
        .into_iter()
        .filter(|g| f.context.units.iter().any(|u| u.group() == *g))
        .collect();
    if groups.len() < 2 {
        table_body(f, period, &mut out);
        return out;
    }
    // A province: one block per group, as its letter has one section each.
    for g in groups {
        let mut mine = f.clone();
        mine.keep_group(g);
        let _ = writeln!(
            out,
            "\n══ {} ({} {}) ══",
            g.label_vi(),
            mine.units_total,
            mine.context.kinds_word
        );
        table_body(&mine, period, &mut out);
    }
    out
}

fn table_body(f: &Findings, period: Period, out: &mut String) {
    if f.findings.is_empty() {
        out.push_str("Không có đơn vị nào vi phạm quy tắc đang bật.\n");
    }
    for s in &f.summary {
        let Some(rule) = f.context.rules.iter().find(|r| r.code == s.rule) else {
            continue;
        };
        let sentence = sentence(f, rule, s.count);
        let mark = match rule.severity {
            super::Severity::Critical => "[!!] nghiêm trọng",
            super::Severity::Warning => "[!] cảnh báo",
        };
        let items: Vec<String> = f
            .findings
            .iter()
            .filter(|x| x.rule == rule.code)
            .map(|x| item(f, x, rule, period))
            .collect();
        // The sentence names the rule; its code is for `rules set` only.
        let _ = writeln!(out, "\n{mark}\n{sentence}: {}.", items.join(", "));
        for x in f
            .findings
            .iter()
            .filter(|x| x.rule == rule.code && x.escalated)
        {
            let _ = writeln!(out, "  ⇒ {}: {}", x.unit, x.directive);
        }
    }
    for n in &f.not_evaluated {
        let name = f
            .context
            .rules
            .iter()
            .find(|r| r.code == n.rule)
            .map_or(n.rule.clone(), crate::names::rule_label_vi);
        match &n.unit {
            Some(u) => {
                let _ = writeln!(out, "\n[?] chưa so sánh được · {name} · {u}: {}", n.reason);
            }
            None => {
                let _ = writeln!(out, "\n[?] chưa đánh giá được · {name}: {}", n.reason);
            }
        }
    }
}

/// The findings CSV's headings.
pub const CSV_HEADER: [&str; 10] = [
    "Đơn vị",
    "Quy tắc",
    "Chỉ số",
    "Mức độ",
    "Giá trị",
    "Tháng trước",
    "Mức so sánh",
    "Số tháng liên tiếp",
    "Nâng mức",
    "Chỉ đạo",
];

/// One line per finding, for a person's spreadsheet: Vietnamese headings,
/// rules, metrics and severities by name (the codes are in the JSON);
/// numbers as they are stored; text cells as `output::text_cell` makes
/// them (escaped, never a formula).
pub fn csv(f: &Findings) -> anyhow::Result<Vec<u8>> {
    use crate::output::text_cell;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // A quarter's or a year's: "Quý trước", "Số quý liên tiếp".
    let period = Period::parse(&f.period).unwrap_or(Period::FIRST);
    let mut header: Vec<String> = CSV_HEADER
        .iter()
        .map(|h| {
            if period.is_month() {
                return (*h).to_owned();
            }
            let word = period.kind().word_vi();
            h.replace("Tháng", &text::capitalize(word))
                .replace("tháng", word)
        })
        .collect();
    // The "previous" column holds each finding's compared period: named
    // for it when every rule compares alike ("Cùng kỳ năm trước" under
    // `--compare last_year`); else a column says which, row by row.
    let compared = |code: &str| {
        f.context
            .rules
            .iter()
            .find(|r| r.code == code)
            .map_or(period.previous(), |r| r.compared(period))
    };
    let mut kinds: Vec<Period> = f.findings.iter().map(|x| compared(&x.rule)).collect();
    kinds.sort();
    kinds.dedup();
    let per_row = kinds.len() > 1;
    match kinds.as_slice() {
        [c] if *c != period.previous() => header[5] = "Cùng kỳ năm trước".to_owned(),
        [_] | [] => {}
        _ => {
            header[5] = "Giá trị kỳ so sánh".to_owned();
            header.insert(6, "Kỳ so sánh".to_owned());
        }
    }
    w.write_record(&header)?;
    let rule_names: rustc_hash::FxHashMap<&str, String> = f
        .context
        .rules
        .iter()
        .map(|r| (r.code.as_str(), crate::names::rule_label_vi(r)))
        .collect();
    let metric_name = |code: &str| -> String {
        f.context
            .catalog
            .as_ref()
            .and_then(|c| c.index_of(code).map(|i| c.metrics[i].label.clone()))
            .unwrap_or_else(|| code.to_owned())
    };
    let plain = |v: &Option<crate::model::JsonValue>| match v {
        None => String::new(),
        // JSON has no infinity and writes null (counts are whole numbers):
        // an empty field, as for null.
        Some(crate::model::JsonValue(Value::Num(x), k))
            if !x.is_finite() && *k != MetricKind::Count =>
        {
            String::new()
        }
        Some(crate::model::JsonValue(Value::Label(s), _)) => text_cell(s).into_owned(),
        // Numbers stay numbers: "-5" is not a formula.
        Some(n) => serde_json::to_string(n).unwrap_or_default(),
    };
    // Text cells escaped and kept from reading as formulas.
    let text = |s: &str| text_cell(s).into_owned();
    for x in &f.findings {
        let [(_, value), (_, previous), (_, reference)] = x.json_values();
        let mut record = vec![
            text(&x.unit),
            text(rule_names.get(x.rule.as_str()).unwrap_or(&x.rule)),
            text(&metric_name(&x.metric)),
            x.severity.label_vi().to_owned(),
            plain(&value),
            plain(&previous),
            plain(&reference),
            x.streak.to_string(),
            if x.escalated { "có" } else { "không" }.to_owned(),
            text(&x.directive),
        ];
        if per_row {
            record.insert(6, compared(&x.rule).label_vi());
        }
        w.write_record(&record)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(name: &str, kind: UnitKind) -> Unit {
        Unit {
            id: 1,
            name: name.into(),
            kind,
            is_parent: false,
            from: None,
            until: None,
        }
    }

    #[test]
    fn phrases() {
        assert_eq!(unit_phrase(&unit("An Vỹ", UnitKind::Xa)), "xã An Vỹ");
        assert_eq!(
            unit_phrase(&unit("Thị trấn Khoái Châu", UnitKind::ThiTran)),
            "thị trấn Khoái Châu"
        );
        assert_eq!(
            unit_phrase(&unit("Huyện Khoái Châu", UnitKind::Huyen)),
            "huyện Khoái Châu"
        );
        assert_eq!(
            kinds_word(&[unit("A", UnitKind::ThiTran), unit("B", UnitKind::Xa)]),
            "xã, thị trấn"
        );
        assert_eq!(value_vi(&Value::Num(40.7), MetricKind::Percent), "40,7%");
        assert_eq!(value_vi(&Value::Num(3090.0), MetricKind::Count), "3.090");
        assert_eq!(number_vi(-0.0), "0");
        assert_eq!(number_vi(1e21), "1.000.000.000.000.000.000.000");
        assert_eq!(number_vi(-1234.5), "-1.234,5");
        assert_eq!(number_vi(0.00001), "0,00001");
        assert_eq!(number_vi(-20000000000000008.0), "-20.000.000.000.000.008");
        assert_eq!(number_vi(9999999999999998.0), "9.999.999.999.999.998");
        assert_eq!(
            fill(
                "{unit} đạt {value}, {nope}",
                &[("unit", "xã A".into()), ("value", "1".into())]
            ),
            "xã A đạt 1, {nope}"
        );
    }

    #[test]
    fn number_vi_is_the_shortest_form_formatted_by_format_vi() {
        // The definition, two formats slower: Rust's shortest `{}` and
        // `text::format_vi` with as many decimals.
        let slow = |x: f64| {
            let plain = format!("{x}");
            let decimals = plain.split_once('.').map_or(0, |(_, f)| f.len());
            text::format_vi(x, decimals)
        };
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..100_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = match i % 5 {
                0 => (x % 1_000_000) as f64 / 100.0,
                1 => -((x % 100_000) as f64) / 1000.0,
                2 => f64::from_bits(x),
                3 => (x % 10_000) as f64 * 0.1,
                _ => (x % 100) as f64 * 1e-7,
            };
            assert_eq!(number_vi(v), slow(v), "{v:?}");
        }
    }

    #[test]
    fn compiled_templates_fill_like_fill() {
        let fixed = [("month", "tháng 8/2024".to_owned())];
        let template =
            "{unit} {month}: {value} ({previous}, {reference}) {metric} {nope} {unclosed";
        let parts = compile(template, &fixed);
        let filled: String = parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.clone(),
                Part::Slot(s) => format!("<{s:?}>"),
            })
            .collect();
        assert_eq!(
            filled,
            "<Unit> tháng 8/2024: <Value> (<Previous>, <Reference>) <Metric> {nope} {unclosed"
        );
        let vars: Vec<(&str, String)> = fixed
            .iter()
            .cloned()
            .chain(SLOTS.iter().map(|(k, s)| (*k, format!("<{s:?}>"))))
            .collect();
        assert_eq!(fill(template, &vars), filled);
    }
}
