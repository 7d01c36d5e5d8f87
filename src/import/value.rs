//! One cell's text (or spreadsheet number) to a value of a metric, with the
//! catalog's kind and range. Shared by file import and `chiso set`.

use crate::model::{Metric, MetricKind, Value};
use crate::text;

use super::read::Cell;

/// `Ok(None)` for an empty cell or "-": no value, never 0.
pub fn parse_cell(metric: &Metric, cell: &Cell) -> Result<Option<Value>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Num(x) => {
            if metric.kind == MetricKind::Label {
                return Err(format!(
                    "cần một mức đánh giá ({}), không phải số",
                    metric.labels.join(", ")
                ));
            }
            check_number(metric, *x).map(Some)
        }
        Cell::Text(s) => parse_text(metric, s),
    }
}

pub fn parse_text(metric: &Metric, s: &str) -> Result<Option<Value>, String> {
    if text::find_control(s).is_some() {
        return Err("ô chứa ký tự điều khiển".into());
    }
    // Plain ASCII numbers (nearly every cell) need no Unicode work.
    if metric.kind != MetricKind::Label && s.is_ascii() {
        let t = s.trim();
        if t.is_empty() || t == "-" {
            return Ok(None);
        }
        // Digits with at most one '.', as the portal writes: std's parser.
        let plain = t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && t.bytes().filter(|&b| b == b'.').count() <= 1
            && !t.starts_with('.')
            && !t.ends_with('.');
        if plain
            && metric.kind != MetricKind::Count
            && let Ok(x) = t.parse::<f64>()
        {
            return check_number(metric, x).map(Some);
        }
        return parse_number(metric, t);
    }
    let t = text::clean(s);
    if t.is_empty() || matches!(t.as_str(), "-" | "–" | "—") {
        return Ok(None);
    }
    match metric.kind {
        MetricKind::Label => label(metric, &t),
        _ => parse_number(metric, &t),
    }
}

/// A rating label in any case, form or tone placement, stored as the
/// catalog spells it.
fn label(metric: &Metric, t: &str) -> Result<Option<Value>, String> {
    if let Some(l) = metric.labels.iter().find(|l| l.as_str() == t) {
        return Ok(Some(Value::Label(l.clone())));
    }
    let key = text::match_key(t);
    metric
        .labels
        .iter()
        .find(|l| text::match_key(l) == key)
        .map(|l| Some(Value::Label(l.clone())))
        .ok_or_else(|| {
            format!(
                "mức đánh giá không hợp lệ; dùng một trong: {}",
                metric.labels.join(", ")
            )
        })
}

/// The largest whole number a double holds exactly together with all the
/// numbers below it (2^53 − 1). 2^53 + 1 reads as 2^53, so 2^53 itself may
/// be a rounded neighbour: refused too.
pub const MAX_EXACT: f64 = 9_007_199_254_740_991.0;

fn too_large() -> String {
    "số quá lớn: số liệu chỉ giữ chính xác đến 9.007.199.254.740.991 (2^53 − 1)".into()
}

fn parse_number(metric: &Metric, t: &str) -> Result<Option<Value>, String> {
    let x = if metric.kind == MetricKind::Count {
        let n = text::parse_count(t).map_err(|e| match e {
            text::NumberError::TooLarge => too_large(),
            _ => "không phải số nguyên; viết như 3090, 3.090, 3,090 hoặc 3 090".to_string(),
        })?;
        // Checked on the integer: as a double 2^53 + 1 would already be 2^53.
        if n.unsigned_abs() > MAX_EXACT as u64 {
            return Err(too_large());
        }
        n as f64
    } else {
        text::parse_decimal(t)
            .map_err(|_| "không phải số; viết như 93,45 hoặc 93.45 (có thể kèm %)".to_string())?
    };
    check_number(metric, x).map(Some)
}

fn check_number(metric: &Metric, x: f64) -> Result<Value, String> {
    if !x.is_finite() {
        return Err("không phải số".into());
    }
    if metric.kind == MetricKind::Count && x.fract() != 0.0 {
        return Err("cần số nguyên".into());
    }
    // From 2^53 on, whole numbers are no longer exact as doubles: refuse,
    // don't round (whatever the metric; a spreadsheet's or JSON's number
    // is a double already, so 2^53 itself may be a rounded 2^53 + 1).
    if x.abs() > MAX_EXACT {
        return Err(too_large());
    }
    let below = metric.min.is_some_and(|m| x < m);
    let above = metric.max.is_some_and(|m| x > m);
    if below || above {
        let range = match (metric.min, metric.max) {
            (Some(a), Some(b)) => {
                format!("từ {} đến {}", text::format_vi(a, 2), text::format_vi(b, 2))
            }
            (Some(a), None) => format!("từ {} trở lên", text::format_vi(a, 2)),
            (None, Some(b)) => format!("không quá {}", text::format_vi(b, 2)),
            (None, None) => String::new(),
        };
        return Err(format!("ngoài khoảng cho phép ({range})"));
    }
    Ok(Value::Num(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(kind: MetricKind, min: Option<f64>, max: Option<f64>) -> Metric {
        Metric {
            id: 1,
            code: "m".into(),
            label: "M".into(),
            kind,
            min,
            max,
            labels: if kind == MetricKind::Label {
                ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"]
                    .map(String::from)
                    .to_vec()
            } else {
                vec![]
            },
        }
    }

    #[test]
    fn percent_forms() {
        let m = metric(MetricKind::Percent, Some(0.0), Some(100.0));
        for s in ["93.45", "93,45", "93.45%", " 93,45 % "] {
            assert_eq!(parse_text(&m, s), Ok(Some(Value::Num(93.45))), "{s}");
        }
        assert_eq!(parse_text(&m, "-"), Ok(None));
        assert_eq!(parse_text(&m, ""), Ok(None));
        assert!(
            parse_text(&m, "100.5")
                .unwrap_err()
                .contains("ngoài khoảng")
        );
        assert!(parse_text(&m, "abc").unwrap_err().contains("không phải số"));
        assert!(
            parse_text(&m, "9\u{7}3")
                .unwrap_err()
                .contains("điều khiển")
        );
        assert_eq!(parse_cell(&m, &Cell::Num(37.9)), Ok(Some(Value::Num(37.9))));
    }

    #[test]
    fn counts_and_labels() {
        let c = metric(MetricKind::Count, Some(0.0), None);
        for s in ["3090", "3.090", "3,090", "3 090"] {
            assert_eq!(parse_text(&c, s), Ok(Some(Value::Num(3090.0))), "{s}");
        }
        assert!(parse_text(&c, "-5").is_err());
        assert!(parse_text(&c, "12.5").is_err());
        assert!(parse_cell(&c, &Cell::Num(12.5)).is_err());
        assert!(
            parse_cell(&c, &Cell::Num(1e300))
                .unwrap_err()
                .contains("quá lớn")
        );
        assert!(
            parse_text(&c, "99999999999999999")
                .unwrap_err()
                .contains("quá lớn")
        );
        // 2^53 + 1 would be stored as 2^53: every count a double cannot
        // hold exactly is refused, by text or as a number.
        for s in [
            "9007199254740993",
            "9.007.199.254.740.993",
            "9007199254740992",
        ] {
            assert!(parse_text(&c, s).unwrap_err().contains("quá lớn"), "{s}");
        }
        assert!(
            parse_cell(&c, &Cell::Num(9007199254740992.0))
                .unwrap_err()
                .contains("quá lớn")
        );
        assert_eq!(
            parse_text(&c, "9007199254740991"),
            Ok(Some(Value::Num(9007199254740991.0)))
        );
        assert!(
            parse_text(&c, "99999999999999999999999")
                .unwrap_err()
                .contains("quá lớn")
        );
        let p = metric(MetricKind::Points, Some(0.0), None);
        assert!(
            parse_text(&p, "9007199254740993")
                .unwrap_err()
                .contains("quá lớn")
        );
        let l = metric(MetricKind::Label, None, None);
        assert_eq!(parse_text(&l, "tốt"), Ok(Some(Value::Label("Tốt".into()))));
        assert_eq!(
            parse_text(&l, "TRUNG BÌNH"),
            Ok(Some(Value::Label("Trung bình".into())))
        );
        assert!(parse_text(&l, "Rất tốt").unwrap_err().contains("Xuất sắc"));
        assert!(parse_cell(&l, &Cell::Num(1.0)).is_err());
    }
}
