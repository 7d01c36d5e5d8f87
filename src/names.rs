//! Short Vietnamese names for the codes chiso stores: what a screen or a
//! message shows instead of `processing_late` or `import`. The codes stay
//! in JSON, in the database and as accepted input.

use crate::rules::Rule;
use crate::text;

/// A rule's short name, from its own sentence: "kết quả xử lý hồ sơ chưa
/// đạt 100%" from "{count}/{total} {units} có kết quả xử lý hồ sơ chưa đạt
/// {threshold}%". A rule copied with `rules add` and given its own
/// threshold is named with it. What only a month can say (the month, the
/// parent's figure) is put in general words.
pub fn rule_label_vi(rule: &Rule) -> String {
    let num = |x: Option<f64>| x.map(|x| text::format_vi(x, 2)).unwrap_or_default();
    let body = rule
        .sentence
        .trim()
        .strip_prefix("{count}/{total} {units}")
        .unwrap_or(&rule.sentence)
        .trim_start();
    let body = body.strip_prefix("có ").unwrap_or(body);
    let vars = [
        ("threshold", num(rule.threshold)),
        ("upper", num(rule.upper)),
        ("label", rule.label.clone().unwrap_or_default()),
        ("previous_month", "tháng trước".to_owned()),
        ("next_month", "tháng sau".to_owned()),
        ("parent", "đơn vị cấp trên".to_owned()),
        ("month", String::new()),
        ("reference", String::new()),
        ("count", String::new()),
        ("total", String::new()),
        ("units", "đơn vị".to_owned()),
    ];
    let filled = crate::rules::render::fill(body, &vars).replace("()", "");
    let label = filled.split_whitespace().collect::<Vec<_>>().join(" ");
    if label.is_empty() {
        rule.code.clone()
    } else {
        label
    }
}

/// Where a change came from, as the log says it: "nhập tệp" for `import`.
pub fn source_label_vi(source: &str) -> &'static str {
    match source {
        "import" => "nhập tệp",
        "set" => "nhập tay",
        "edit" => "sửa",
        "paste" => "dán",
        "undo" => "hoàn tác",
        "redo" => "làm lại",
        "units" => "đơn vị",
        "init" => "khởi tạo",
        "rules" => "quy tắc",
        "settings" => "thiết lập",
        _ => "khác",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{RuleKind, Severity};

    fn rule(code: &str, sentence: &str, threshold: Option<f64>, upper: Option<f64>) -> Rule {
        Rule {
            code: code.into(),
            kind: RuleKind::Below,
            metric: None,
            threshold,
            upper,
            label: Some("Tốt".into()),
            severity: Severity::Warning,
            enabled: true,
            sentence: sentence.into(),
            directive: String::new(),
            group: None,
            sort_order: 0,
        }
    }

    #[test]
    fn a_rule_is_named_by_its_sentence() {
        for (sentence, t, u, want) in [
            (
                "{count}/{total} {units} có kết quả xử lý hồ sơ chưa đạt {threshold}%",
                Some(100.0),
                None,
                "kết quả xử lý hồ sơ chưa đạt 100%",
            ),
            (
                "{count}/{total} {units} có tỷ lệ số hoá hồ sơ chỉ từ {threshold}% đến dưới {upper}%",
                Some(40.0),
                Some(50.5),
                "tỷ lệ số hoá hồ sơ chỉ từ 40% đến dưới 50,5%",
            ),
            (
                "{count}/{total} {units} có tỷ lệ số hoá giảm so với {previous_month}",
                Some(0.0),
                None,
                "tỷ lệ số hoá giảm so với tháng trước",
            ),
            (
                "{count}/{total} {units} có tỷ lệ hồ sơ thanh toán trực tuyến thấp hơn kết quả chung của {parent} ({reference})",
                None,
                None,
                "tỷ lệ hồ sơ thanh toán trực tuyến thấp hơn kết quả chung của đơn vị cấp trên",
            ),
            (
                "{count}/{total} {units} có kết quả đánh giá dưới mức \"{label}\"",
                None,
                None,
                "kết quả đánh giá dưới mức \"Tốt\"",
            ),
            (
                "{count}/{total} {units} chưa có đủ số liệu {month}",
                None,
                None,
                "chưa có đủ số liệu",
            ),
        ] {
            assert_eq!(rule_label_vi(&rule("x", sentence, t, u)), want);
        }
        // A sentence written some other way is kept whole; an empty one
        // leaves the code.
        assert_eq!(
            rule_label_vi(&rule("x", "Đơn vị có điểm thấp", None, None)),
            "Đơn vị có điểm thấp"
        );
        assert_eq!(rule_label_vi(&rule("my_rule", " ", None, None)), "my_rule");
    }

    #[test]
    fn every_source_the_schema_allows_has_a_name() {
        let schema = include_str!("../schema.sql");
        let check = schema
            .lines()
            .find(|l| l.contains("source IN ("))
            .expect("the changesets' CHECK");
        let list = &check[check.find("IN (").unwrap() + 4..];
        let list = &list[..list.find(')').unwrap()];
        for code in list.split(',').map(|s| s.trim().trim_matches('\'')) {
            assert_ne!(source_label_vi(code), "khác", "{code}");
        }
        assert_eq!(source_label_vi("import"), "nhập tệp");
        assert_eq!(source_label_vi("something new"), "khác");
    }
}
