//! The `/` prompt: a name to find without accents (from the start of a
//! word), conditions on metrics, a group of units,
//! and "!" for units that need directives, joined by `&`.
//!
//! "dong" finds Đông Kết and Đồng Tiến; "digitization<40" and
//! "so hoa<40" compare a metric (code or the start of its name);
//! "xu ly<100 & !" both. "nhóm=xã" (or "nhóm!=cơ quan") is a condition on
//! the unit's group, and "cơ quan", "cấp huyện", "cấp xã" alone say the
//! same; a single word ("xa", "huyen") stays a name to find. Parsing is
//! separate from matching, so a wrong condition is reported while the
//! last good filter stays on screen.

use crate::db::Catalog;
use crate::model::{Group, MetricKind, Value};
use crate::text;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Num(f64),
    /// Folded label, for kind-label metrics ("kha" for Khá).
    Label(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// Catalog index.
    pub metric: usize,
    pub op: Op,
    pub operand: Operand,
}

/// A parsed filter. Empty: everything passes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Folded pieces of name, each must occur.
    pub names: Vec<String>,
    pub conditions: Vec<Condition>,
    pub only_findings: bool,
    /// Groups asked for: (group, true for `=`, false for `!=`).
    pub groups: Vec<(Group, bool)>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
            && self.conditions.is_empty()
            && !self.only_findings
            && self.groups.is_empty()
    }

    /// Does a unit of group `g` pass the group conditions?
    pub fn matches_group(&self, g: Group) -> bool {
        self.groups.iter().all(|&(want, eq)| (g == want) == eq)
    }

    /// Does a unit pass? `folded` is its folded name, `value_of` its value
    /// of a metric this month, `has_findings` whether a rule caught it.
    pub fn matches<'v>(
        &self,
        folded: &str,
        value_of: impl Fn(usize) -> Option<&'v Value>,
        has_findings: bool,
    ) -> bool {
        if self.only_findings && !has_findings {
            return false;
        }
        if !self.names.iter().all(|n| starts_a_word(folded, n)) {
            return false;
        }
        self.conditions.iter().all(|c| {
            match (value_of(c.metric), &c.operand) {
                (Some(Value::Num(x)), Operand::Num(y)) => compare(c.op, x.partial_cmp(y)),
                (Some(Value::Label(l)), Operand::Label(want)) => {
                    let same = text::fold(l) == *want;
                    match c.op {
                        Op::Eq => same,
                        Op::Ne => !same,
                        _ => false,
                    }
                }
                // A missing value meets no condition.
                _ => false,
            }
        })
    }
}

/// "dong" in "dong ket", "hoa" in "viet hoa" but not in "khoai chau":
/// names are found from the start of a word, as people search them.
fn starts_a_word(name: &str, piece: &str) -> bool {
    name.match_indices(piece)
        .any(|(at, _)| at == 0 || name.as_bytes()[at - 1] == b' ')
}

fn compare(op: Op, ord: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering::*;
    match (op, ord) {
        (_, None) => false,
        (Op::Lt, Some(o)) => o == Less,
        (Op::Le, Some(o)) => o != Greater,
        (Op::Gt, Some(o)) => o == Greater,
        (Op::Ge, Some(o)) => o != Less,
        (Op::Eq, Some(o)) => o == Equal,
        (Op::Ne, Some(o)) => o != Equal,
    }
}

/// Words that mean "only units that need directives", folded, spaces
/// removed ("chỉ đạo", "cần chỉ đạo", "vi phạm").
const FINDINGS_WORDS: &[&str] = &["!", "chidao", "canchidao", "vipham"];

/// Is this part of a filter the "!" of units needing directives?
pub fn is_findings_word(part: &str) -> bool {
    FINDINGS_WORDS.contains(&text::fold(part).replace(' ', "").as_str())
}

/// Words that name a group on their own, folded: phrases no unit's name
/// is searched by. A bare "xa" or "huyen" stays a name ("Xã Phương Nam").
const GROUP_WORDS: &[&str] = &[
    "co quan",
    "co quan cap tinh",
    "cap huyen",
    "ubnd cap huyen",
    "cap xa",
    "ubnd cap xa",
];

/// The names of the group condition: "nhóm=xã".
const GROUP_NAMES: &[&str] = &["nhom", "group"];

/// Parses the prompt. `columns` are the metrics shown this month (searched
/// first when a name prefix could mean several); `short` gives a metric's
/// column title.
pub fn parse(
    input: &str,
    cat: &Catalog,
    columns: &[usize],
    short: impl Fn(usize) -> String,
) -> Result<Filter, String> {
    let mut f = Filter::default();
    for part in input.split('&') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let folded = text::fold(part);
        if is_findings_word(part) {
            f.only_findings = true;
            continue;
        }
        let words = folded.split_whitespace().collect::<Vec<_>>().join(" ");
        if GROUP_WORDS.contains(&words.as_str())
            && let Some(g) = Group::parse(&words)
        {
            f.groups.push((g, true));
            continue;
        }
        match find_op(part) {
            None => f.names.push(folded),
            Some((at, op, len)) => {
                let name = part[..at].trim();
                let rhs = part[at + len..].trim();
                if name.is_empty() {
                    return Err(format!(
                        "thiếu tên chỉ số trước \"{}\"",
                        &part[at..at + len]
                    ));
                }
                if GROUP_NAMES.contains(&text::fold(name).as_str()) {
                    f.groups
                        .push(group_condition(op, rhs, &part[at..at + len])?);
                    continue;
                }
                let metric = resolve(name, cat, columns, &short)?;
                let m = &cat.metrics[metric];
                let operand = if m.kind == MetricKind::Label {
                    let want = text::fold(rhs);
                    if !m.labels.iter().any(|l| text::fold(l) == want) {
                        return Err(format!(
                            "\"{}\" không phải mức của {} ({})",
                            text::show(rhs),
                            short(metric),
                            m.labels.join(", ")
                        ));
                    }
                    if !matches!(op, Op::Eq | Op::Ne) {
                        return Err(format!("{} chỉ so sánh bằng = hoặc !=", short(metric)));
                    }
                    Operand::Label(want)
                } else {
                    if rhs.is_empty() {
                        return Err(format!("thiếu số sau \"{}\"", &part[at..at + len]));
                    }
                    Operand::Num(
                        text::parse_decimal(rhs)
                            .map_err(|_| format!("\"{}\" không phải là số", text::show(rhs)))?,
                    )
                };
                f.conditions.push(Condition {
                    metric,
                    op,
                    operand,
                });
            }
        }
    }
    Ok(f)
}

/// "nhóm=xã", "nhóm != cơ quan": the group and whether it is wanted.
fn group_condition(op: Op, rhs: &str, written: &str) -> Result<(Group, bool), String> {
    let eq = match op {
        Op::Eq => true,
        Op::Ne => false,
        _ => return Err("nhóm chỉ so sánh bằng = hoặc !=".into()),
    };
    if rhs.is_empty() {
        return Err(format!(
            "thiếu tên nhóm sau \"{written}\" (cơ quan, huyện, xã)"
        ));
    }
    match Group::parse(rhs) {
        Some(g) => Ok((g, eq)),
        None => Err(format!(
            "\"{}\" không phải nhóm đơn vị (cơ quan, huyện, xã)",
            text::show(rhs)
        )),
    }
}

/// The first comparison operator: (byte offset, op, its length).
fn find_op(s: &str) -> Option<(usize, Op, usize)> {
    let at = s.find(['<', '>', '=', '!'])?;
    let rest = &s[at..];
    let (op, len) = if rest.starts_with("<=") {
        (Op::Le, 2)
    } else if rest.starts_with(">=") {
        (Op::Ge, 2)
    } else if rest.starts_with("!=") {
        (Op::Ne, 2)
    } else if rest.starts_with("==") {
        (Op::Eq, 2)
    } else if rest.starts_with('<') {
        (Op::Lt, 1)
    } else if rest.starts_with('>') {
        (Op::Gt, 1)
    } else if rest.starts_with('=') {
        (Op::Eq, 1)
    } else {
        // A lone "!" inside a name is part of the name.
        return None;
    };
    Some((at, op, len))
}

/// A metric by code, or by the start of its column title or its name,
/// ignoring accents and case.
fn resolve(
    name: &str,
    cat: &Catalog,
    columns: &[usize],
    short: &impl Fn(usize) -> String,
) -> Result<usize, String> {
    let want = text::fold(name);
    if let Some(i) = cat.index_of(&want.replace(' ', "_")) {
        return Ok(i);
    }
    let starts = |i: usize| {
        let title = text::fold(&short(i));
        let label = text::fold(&cat.metrics[i].label);
        // "Kết quả xử lý hồ sơ": "xu ly" is meant, not "ket qua".
        let bare = ["ket qua ty le ", "ket qua ", "ty le "]
            .iter()
            .find_map(|p| label.strip_prefix(p))
            .unwrap_or(&label)
            .to_owned();
        title.starts_with(&want) || label.starts_with(&want) || bare.starts_with(&want)
    };
    let shown: Vec<usize> = columns.iter().copied().filter(|&i| starts(i)).collect();
    let all: Vec<usize> = (0..cat.metrics.len()).filter(|&i| starts(i)).collect();
    let found = if shown.is_empty() { all } else { shown };
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!(
            "không có chỉ số \"{}\" (mã như digitization, hoặc đầu tên cột)",
            text::show(name)
        )),
        many => Err(format!(
            "\"{}\" khớp nhiều chỉ số: {}",
            text::show(name),
            many.iter()
                .map(|&i| short(i))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    fn cat() -> (tempfile::TempDir, Catalog) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::create(&dir.path().join("f.db")).unwrap();
        let cat = Catalog::load(db.conn()).unwrap();
        (dir, cat)
    }

    fn short(cat: &Catalog) -> impl Fn(usize) -> String + '_ {
        |i| crate::tui::columns::title(&cat.metrics[i])
    }

    #[test]
    fn names_fold_accents_and_case() {
        let (_d, cat) = cat();
        let cols: Vec<usize> = (0..7).collect();
        for q in ["dong", "đông", "ĐÔNG", "Dong "] {
            let f = parse(q, &cat, &cols, short(&cat)).unwrap();
            assert_eq!(f.names, ["dong"], "{q}");
            for name in ["Đông Kết", "Đông Ninh", "Đông Tảo", "Đồng Tiến"] {
                assert!(f.matches(&text::fold(name), |_| None, false), "{q} {name}");
            }
            assert!(!f.matches(&text::fold("Bình Minh"), |_| None, false));
        }
        let f = parse("hoa", &cat, &cols, short(&cat)).unwrap();
        assert!(f.matches(&text::fold("Việt Hoà"), |_| None, false));
        assert!(!f.matches(&text::fold("Thị trấn Khoái Châu"), |_| None, false));
        let f = parse("dong tien", &cat, &cols, short(&cat)).unwrap();
        assert!(f.matches(&text::fold("Đồng Tiến"), |_| None, false));
        assert!(!f.matches(&text::fold("Đông Kết"), |_| None, false));
    }

    #[test]
    fn conditions_by_code_or_title() {
        let (_d, cat) = cat();
        let cols: Vec<usize> = (0..7).collect();
        let dig = cat.index_of("digitization").unwrap();
        let pro = cat.index_of("processing").unwrap();
        let f = parse("digitization<40", &cat, &cols, short(&cat)).unwrap();
        assert_eq!(f.conditions[0].metric, dig);
        let f2 = parse("số hoá < 40", &cat, &cols, short(&cat)).unwrap();
        assert_eq!(f2.conditions, f.conditions);
        let f = parse(
            "processing<100 & online_payment<80",
            &cat,
            &cols,
            short(&cat),
        )
        .unwrap();
        assert_eq!(f.conditions.len(), 2);
        let f = parse("xu ly<100 & !", &cat, &cols, short(&cat)).unwrap();
        assert_eq!(f.conditions[0].metric, pro);
        assert!(f.only_findings);
        let (low, full) = (Value::Num(37.9), Value::Num(100.0));
        let f = parse("processing<100", &cat, &cols, short(&cat)).unwrap();
        assert!(f.matches("x", |m| (m == pro).then_some(&low), false));
        assert!(!f.matches("x", |m| (m == pro).then_some(&full), false));
        assert!(!f.matches("x", |_| None, false), "missing meets nothing");
        let f = parse("processing>=37,9", &cat, &cols, short(&cat)).unwrap();
        assert!(f.matches("x", |m| (m == pro).then_some(&low), false));
        let kha = Value::Label("Khá".into());
        let rating = cat.index_of("rating").unwrap();
        let f = parse("rating=kha", &cat, &cols, short(&cat)).unwrap();
        assert!(f.matches("x", |m| (m == rating).then_some(&kha), false));
        assert!(!f.matches("x", |m| (m == rating).then_some(&low), false));
    }

    #[test]
    fn groups_by_condition_or_phrase() {
        let (_d, cat) = cat();
        let cols: Vec<usize> = (0..7).collect();
        let groups = |q: &str| parse(q, &cat, &cols, short(&cat)).unwrap().groups;
        for q in [
            "nhóm=xã",
            "nhom = xa",
            "NHÓM=cấp xã",
            "nhóm=xa phuong",
            "cấp xã",
            "UBND cấp xã",
        ] {
            assert_eq!(groups(q), [(Group::Xa, true)], "{q}");
        }
        for q in ["nhóm=cơ quan", "co quan", "Cơ quan cấp tỉnh", "nhóm=sở"] {
            assert_eq!(groups(q), [(Group::CoQuan, true)], "{q}");
        }
        assert_eq!(groups("nhóm=huyện"), [(Group::Huyen, true)]);
        assert_eq!(groups("cap huyen"), [(Group::Huyen, true)]);
        assert_eq!(groups("nhóm!=xã"), [(Group::Xa, false)]);
        // A single word is still a name: every "Xã …" has the word "xa".
        let f = parse("xa & phuong", &cat, &cols, short(&cat)).unwrap();
        assert!(f.groups.is_empty());
        assert_eq!(f.names, ["xa", "phuong"]);
        let f = parse("nhóm=xã & dong", &cat, &cols, short(&cat)).unwrap();
        assert!(f.matches_group(Group::Xa) && !f.matches_group(Group::CoQuan));
        assert!(f.matches(&text::fold("Xã Đông Kết"), |_| None, false));
        let f = parse("nhóm!=xã", &cat, &cols, short(&cat)).unwrap();
        assert!(!f.matches_group(Group::Xa) && f.matches_group(Group::Huyen));
        assert!(Filter::default().matches_group(Group::Xa));
    }

    #[test]
    fn wrong_conditions_say_why() {
        let (_d, cat) = cat();
        let cols: Vec<usize> = (0..7).collect();
        let err = |q: &str| parse(q, &cat, &cols, short(&cat)).unwrap_err();
        assert!(err("digitization<abc").contains("không phải là số"));
        assert!(err("xyz<3").contains("không có chỉ số"));
        assert!(err("<3").contains("thiếu tên"));
        assert!(err("processing<").contains("thiếu số"));
        assert!(err("rating=Giỏi").contains("không phải mức"));
        assert!(err("rating<Tốt").contains("chỉ so sánh"));
        assert!(err("nhóm=trường").contains("không phải nhóm đơn vị"));
        assert!(err("nhóm<xa").contains("chỉ so sánh bằng"));
        assert!(err("nhóm=").contains("thiếu tên nhóm"));
    }
}
