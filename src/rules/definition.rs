//! What a rule is: the rows of the `rules` table, read and changed.

use rusqlite::{Connection, Transaction, params};
use serde::Serialize;

use super::RuleError;
use crate::model::Group;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    Warning,
}

impl Severity {
    pub fn code(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
        }
    }

    /// As screens and messages say it.
    pub fn label_vi(self) -> &'static str {
        match self {
            Severity::Critical => "nghiêm trọng",
            Severity::Warning => "cảnh báo",
        }
    }

    /// A code, or the Vietnamese word (any accents or case).
    pub fn parse(s: &str) -> Option<Severity> {
        match crate::text::fold(s.trim()).as_str() {
            "nghiem trong" => return Some(Severity::Critical),
            "canh bao" => return Some(Severity::Warning),
            _ => {}
        }
        match s {
            "critical" => Some(Severity::Critical),
            "warning" => Some(Severity::Warning),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    Below,
    Band,
    Drop,
    BelowParent,
    LabelWorse,
    Missing,
}

impl RuleKind {
    pub fn code(self) -> &'static str {
        match self {
            RuleKind::Below => "below",
            RuleKind::Band => "band",
            RuleKind::Drop => "drop",
            RuleKind::BelowParent => "below_parent",
            RuleKind::LabelWorse => "label_worse",
            RuleKind::Missing => "missing",
        }
    }

    /// What the kind compares, as screens say it.
    pub fn label_vi(self) -> &'static str {
        match self {
            RuleKind::Below => "dưới ngưỡng",
            RuleKind::Band => "trong khoảng",
            RuleKind::Drop => "giảm",
            RuleKind::BelowParent => "thấp hơn cấp trên",
            RuleKind::LabelWorse => "xếp loại kém hơn",
            RuleKind::Missing => "thiếu số liệu",
        }
    }

    fn parse(s: &str) -> Option<RuleKind> {
        [
            RuleKind::Below,
            RuleKind::Band,
            RuleKind::Drop,
            RuleKind::BelowParent,
            RuleKind::LabelWorse,
            RuleKind::Missing,
        ]
        .into_iter()
        .find(|k| k.code() == s)
    }
}

/// What a drop rule compares a period with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CompareWith {
    /// The period before, of the same kind (tháng 7 before tháng 8, quý II
    /// before quý III, 2024 before 2025).
    #[default]
    Previous,
    /// The same period a year before (cùng kỳ năm trước).
    LastYear,
}

impl CompareWith {
    pub fn code(self) -> &'static str {
        match self {
            CompareWith::Previous => "previous",
            CompareWith::LastYear => "last_year",
        }
    }

    pub fn parse(s: &str) -> Option<CompareWith> {
        match crate::text::fold(s.trim()).as_str() {
            "previous" | "ky truoc" => Some(CompareWith::Previous),
            "last_year" | "cung ky" | "cung ky nam truoc" => Some(CompareWith::LastYear),
            _ => None,
        }
    }

    /// The period `p` is compared with.
    pub fn period(self, p: crate::model::Period) -> crate::model::Period {
        match self {
            CompareWith::Previous => p.previous(),
            CompareWith::LastYear => p.year_before(),
        }
    }

    /// "kỳ trước", "cùng kỳ năm trước".
    pub fn label_vi(self) -> &'static str {
        match self {
            CompareWith::Previous => "kỳ trước",
            CompareWith::LastYear => "cùng kỳ năm trước",
        }
    }
}

/// One row of the `rules` table.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub code: String,
    pub kind: RuleKind,
    pub metric: Option<String>,
    pub threshold: Option<f64>,
    pub upper: Option<f64>,
    pub label: Option<String>,
    pub severity: Severity,
    pub enabled: bool,
    pub sentence: String,
    pub directive: String,
    /// The group of units the rule judges (None: all).
    #[serde(serialize_with = "group_code")]
    pub group: Option<Group>,
    /// A drop rule: what it compares with.
    pub compare: CompareWith,
    #[serde(skip)]
    pub sort_order: i64,
}

impl Rule {
    /// The period this rule compares `p` with (a drop rule's; the period
    /// before for the others, which compare with none).
    pub fn compared(&self, p: crate::model::Period) -> crate::model::Period {
        self.compare.period(p)
    }

    /// Compares with the same period a year before: judged against that
    /// period's values, apart from the rules comparing with the one before.
    pub fn compares_last_year(&self) -> bool {
        self.compare == CompareWith::LastYear
    }
}

fn group_code<S: serde::Serializer>(g: &Option<Group>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(g.map_or("all", Group::code))
}

/// "all" or a group's code, as the `unit_group` column holds it.
pub fn group_from_code(s: &str) -> Option<Group> {
    Group::ALL.into_iter().find(|g| g.code() == s)
}

pub fn load_rules(conn: &Connection) -> rusqlite::Result<Vec<Rule>> {
    let mut st = conn.prepare_cached(
        "SELECT code, kind, metric, threshold, upper, label, severity, enabled, sentence, directive, sort_order, unit_group, compare
         FROM rules ORDER BY sort_order, code",
    )?;
    st.query_map([], |r| {
        Ok(Rule {
            code: r.get(0)?,
            kind: RuleKind::parse(r.get_ref(1)?.as_str()?).unwrap_or(RuleKind::Below),
            metric: r.get(2)?,
            threshold: r.get(3)?,
            upper: r.get(4)?,
            label: r.get(5)?,
            severity: Severity::parse(r.get_ref(6)?.as_str()?).unwrap_or(Severity::Warning),
            enabled: r.get::<_, i64>(7)? == 1,
            sentence: r.get(8)?,
            directive: r.get(9)?,
            sort_order: r.get(10)?,
            group: group_from_code(r.get_ref(11)?.as_str()?),
            compare: CompareWith::parse(r.get_ref(12)?.as_str()?).unwrap_or_default(),
        })
    })?
    .collect()
}

/// What `chiso rules set` may change.
#[derive(Debug, Default, Clone)]
pub struct RuleChange {
    pub threshold: Option<f64>,
    pub upper: Option<f64>,
    pub severity: Option<Severity>,
    pub enabled: Option<bool>,
    pub directive: Option<String>,
    /// Some(None): every group.
    pub group: Option<Option<Group>>,
    pub compare: Option<CompareWith>,
}

/// Applies a change to one rule after checking it makes sense for its kind.
pub fn update_rule(tx: &Transaction<'_>, code: &str, ch: &RuleChange) -> Result<Rule, RuleError> {
    let rules = load_rules(tx)?;
    let mut rule = rules
        .into_iter()
        .find(|r| r.code == code)
        .ok_or_else(|| RuleError::Unknown(crate::text::show(code)))?;
    let invalid = |message: &str| RuleError::Invalid {
        code: crate::text::show(code),
        message: message.to_owned(),
    };
    if ch.upper.is_some() && rule.kind != RuleKind::Band {
        return Err(invalid("--upper chỉ dùng cho quy tắc kiểu khoảng (band)"));
    }
    if ch.threshold.is_some()
        && matches!(
            rule.kind,
            RuleKind::BelowParent | RuleKind::LabelWorse | RuleKind::Missing
        )
    {
        return Err(invalid("quy tắc này không có ngưỡng (--threshold)"));
    }
    if let Some(t) = ch.threshold {
        rule.threshold = Some(t);
    }
    if let Some(u) = ch.upper {
        rule.upper = Some(u);
    }
    if rule.kind == RuleKind::Band && rule.upper.zip(rule.threshold).is_some_and(|(u, t)| u <= t) {
        return Err(invalid(
            "cận trên (--upper) phải lớn hơn ngưỡng (--threshold)",
        ));
    }
    if let Some(t) = ch.threshold
        && !t.is_finite()
    {
        return Err(invalid("ngưỡng phải là một số"));
    }
    if let Some(d) = &ch.directive {
        if crate::text::find_control(d).is_some() {
            return Err(invalid("nội dung chỉ đạo chứa ký tự điều khiển"));
        }
        if d.trim().is_empty() {
            return Err(invalid("nội dung chỉ đạo trống"));
        }
        rule.directive = crate::text::clean(d);
    }
    if let Some(s) = ch.severity {
        rule.severity = s;
    }
    if let Some(e) = ch.enabled {
        rule.enabled = e;
    }
    if let Some(g) = ch.group {
        rule.group = g;
    }
    if let Some(c) = ch.compare {
        if rule.kind != RuleKind::Drop {
            return Err(invalid(
                "--compare chỉ dùng cho quy tắc so sánh với kỳ trước (drop)",
            ));
        }
        rule.compare = c;
    }
    tx.execute(
        "UPDATE rules SET threshold = ?1, upper = ?2, severity = ?3, enabled = ?4, directive = ?5, unit_group = ?6, compare = ?7 WHERE code = ?8",
        params![rule.threshold, rule.upper, rule.severity.code(), rule.enabled as i64, rule.directive, rule.group.map_or("all", Group::code), rule.compare.code(), rule.code],
    )?;
    Ok(rule)
}

/// `chiso rules add NEW --like CODE …`: a copy of a rule under a new code,
/// placed right after it, with the changes asked (its own threshold,
/// directive, severity, group), checked as `update_rule` checks them.
pub fn add_like(
    tx: &Transaction<'_>,
    code: &str,
    like: &str,
    ch: &RuleChange,
) -> Result<Rule, RuleError> {
    let rules = load_rules(tx)?;
    let invalid = |message: String| RuleError::Invalid {
        code: crate::text::show(code),
        message,
    };
    if code.is_empty()
        || !code.starts_with(|c: char| c.is_ascii_lowercase())
        || !code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(invalid(
            "mã quy tắc gồm chữ thường không dấu, chữ số và \"_\", bắt đầu bằng chữ (ví dụ digitization_low_agencies)".into(),
        ));
    }
    if rules.iter().any(|r| r.code == code) {
        return Err(invalid(
            "đã có quy tắc mã này; sửa nó bằng `chiso rules set`".into(),
        ));
    }
    let base = rules
        .iter()
        .find(|r| r.code == like)
        .ok_or_else(|| RuleError::Unknown(crate::text::show(like)))?;
    tx.execute(
        "INSERT INTO rules (code, kind, metric, threshold, upper, label, severity, enabled, sentence, directive, sort_order, unit_group, compare)
         SELECT ?1, kind, metric, threshold, upper, label, severity, enabled, sentence, directive, sort_order, unit_group, compare
         FROM rules WHERE code = ?2",
        params![code, base.code],
    )?;
    update_rule(tx, code, ch)
}
