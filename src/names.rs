//! Vietnamese names for the codes kept in the database: a rule's short
//! name and a change's source. Screens and messages show these; the codes
//! stay in JSON, in CSV meant for machines, and as accepted input.

use crate::rules::Rule;
use crate::text;

/// Placeholders whose text differs from unit to unit or month to month:
/// left out of a name, with the brackets around them ("({reference})").
const PER_FINDING: &[&str] = &["{value}", "{previous}", "{reference}", "{metric}", "{unit}"];

/// A rule's short name, from its sentence without the count, the units'
/// kind, the month and the figures that differ per unit:
/// "Kết quả xử lý hồ sơ chưa đạt 100%" for processing_late. The code when
/// the sentence leaves nothing.
pub fn rule_label_vi(rule: &Rule) -> String {
    let words = Words {
        parent: None,
        previous: rule.compare.label_vi(),
    };
    match rule_phrase(rule, &words) {
        Some((_, phrase)) => text::capitalize(&phrase),
        None => rule.code.clone(),
    }
}

/// What a rule's short name says for the parent and the period compared
/// with: "cấp trên" and "kỳ trước" on screens; a count of months names
/// the parent and "tháng trước".
pub struct Words<'a> {
    /// The parent as the letter names it (None: "cấp trên", and "của
    /// {parent}" left out).
    pub parent: Option<&'a str>,
    pub previous: &'a str,
}

/// The words of a rule's short name, not capitalised, and whether its
/// sentence said "có" before them ("{count}/{total} {units} có …"); None
/// when the sentence leaves nothing.
pub fn rule_phrase(rule: &Rule, words: &Words<'_>) -> Option<(bool, String)> {
    let num = |x: Option<f64>| x.map(|x| text::format_vi(x, 2)).unwrap_or_default();
    let mut s = rule.sentence.trim().to_owned();
    // "{count}/{total} {units} có …": what the units have.
    for lead in ["{count}/{total}", "{count}", "{units}"] {
        if let Some(rest) = s.trim_start().strip_prefix(lead) {
            s = rest.to_owned();
        }
    }
    let trimmed = s.trim_start();
    let had_co = trimmed.starts_with("có ");
    s = trimmed.strip_prefix("có ").unwrap_or(trimmed).to_owned();
    // "(hiện đạt {value})", "({reference})": the whole bracket goes.
    while let Some(open) = s.find('(') {
        let Some(len) = s[open..].find(')') else {
            break;
        };
        let inside = &s[open..open + len + 1];
        if !PER_FINDING.iter().any(|p| inside.contains(p)) {
            break;
        }
        s.replace_range(open..open + len + 1, "");
    }
    let parent = [
        (" của {parent}", String::new()),
        ("{parent}", "cấp trên".to_owned()),
    ];
    let named = words.parent.map(|p| [("{parent}", p.to_owned())]);
    let parent: &[(&str, String)] = match &named {
        Some(n) => n,
        None => &parent,
    };
    let words = [
        ("{previous_month}", words.previous.to_owned()),
        ("{next_month}", "kỳ sau".to_owned()),
        ("{month}", String::new()),
        ("{count}", String::new()),
        ("{total}", String::new()),
        ("{units}", String::new()),
        ("{threshold}", num(rule.threshold)),
        ("{upper}", num(rule.upper)),
        ("{label}", rule.label.clone().unwrap_or_default()),
    ];
    for (from, to) in parent.iter().chain(words.iter()) {
        s = s.replace(from, to);
    }
    for p in PER_FINDING {
        s = s.replace(p, "");
    }
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let s = s.trim_end_matches([',', ':', ';']).trim();
    (!s.is_empty()).then(|| (had_co, s.to_owned()))
}

/// Where a change came from, as the change log's `source` holds it:
/// "nhập tệp" for import, "sửa ô" for an edit on screen …
pub fn source_label_vi(source: &str) -> &'static str {
    match source {
        "import" => "nhập tệp",
        "paste" => "dán bảng",
        "edit" => "sửa ô",
        "undo" => "hoàn tác",
        "set" => "nhập bằng lệnh",
        "units" => "sửa đơn vị",
        "init" => "khởi tạo",
        "rules" => "sửa quy tắc",
        "settings" => "cài đặt",
        _ => "khác",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{RuleKind, Severity};

    fn rule(code: &str, sentence: &str) -> Rule {
        Rule {
            code: code.into(),
            kind: RuleKind::Below,
            metric: None,
            threshold: Some(100.0),
            upper: Some(50.0),
            label: Some("Tốt".into()),
            severity: Severity::Warning,
            enabled: true,
            sentence: sentence.into(),
            directive: String::new(),
            group: None,
            compare: Default::default(),
            sort_order: 0,
        }
    }

    #[test]
    fn the_seeds_rules_read_as_vietnamese_names() {
        let cases = [
            (
                "{count}/{total} {units} có kết quả xử lý hồ sơ chưa đạt {threshold}%",
                "Kết quả xử lý hồ sơ chưa đạt 100%",
            ),
            (
                "{count}/{total} {units} có tỷ lệ số hoá giảm so với {previous_month}",
                "Tỷ lệ số hoá giảm so với kỳ trước",
            ),
            (
                "{count}/{total} {units} có tỷ lệ hồ sơ thanh toán trực tuyến thấp hơn kết quả chung của {parent} ({reference})",
                "Tỷ lệ hồ sơ thanh toán trực tuyến thấp hơn kết quả chung",
            ),
            (
                "{count}/{total} {units} có kết quả đánh giá dưới mức \"{label}\"",
                "Kết quả đánh giá dưới mức \"Tốt\"",
            ),
            (
                "{count}/{total} {units} chưa có đủ số liệu {month}",
                "Chưa có đủ số liệu",
            ),
            (
                "{count}/{total} {units} có tỷ lệ số hoá hồ sơ chỉ từ {threshold}% đến dưới {upper}%",
                "Tỷ lệ số hoá hồ sơ chỉ từ 100% đến dưới 50%",
            ),
        ];
        for (sentence, want) in cases {
            assert_eq!(rule_label_vi(&rule("x", sentence)), want, "{sentence}");
        }
        assert_eq!(
            rule_label_vi(&rule("my_rule", "{count}/{total}")),
            "my_rule"
        );
    }

    #[test]
    fn the_seeds_eight_rules() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::Db::create(&dir.path().join("x.db")).unwrap();
        let rules = crate::rules::load_rules(db.conn()).unwrap();
        let got: Vec<(String, String)> = rules
            .iter()
            .map(|r| (r.code.clone(), rule_label_vi(r)))
            .collect();
        let want = [
            ("processing_late", "Kết quả xử lý hồ sơ chưa đạt 100%"),
            ("digitization_low", "Tỷ lệ số hoá hồ sơ dưới 40%"),
            (
                "digitization_weak",
                "Tỷ lệ số hoá hồ sơ chỉ từ 40% đến dưới 50%",
            ),
            ("digitization_drop", "Tỷ lệ số hoá giảm so với kỳ trước"),
            (
                "online_payment_below_parent",
                "Tỷ lệ hồ sơ thanh toán trực tuyến thấp hơn kết quả chung",
            ),
            ("satisfaction_low", "Tỷ lệ mức độ hài lòng dưới 90%"),
            ("rating_below_good", "Kết quả đánh giá dưới mức \"Tốt\""),
            ("missing_data", "Chưa có đủ số liệu"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(c, l)| (c.to_string(), l.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn every_source_has_a_name() {
        for s in [
            "import", "set", "units", "init", "edit", "paste", "undo", "rules", "settings",
        ] {
            assert_ne!(source_label_vi(s), "khác", "{s}");
        }
        assert_eq!(source_label_vi("import"), "nhập tệp");
        assert_eq!(source_label_vi("?"), "khác");
    }
}
