//! Column titles and cell texts of the month table.

use crate::model::{Metric, MetricKind, Value};
use crate::text;

/// A short title for a metric's column (at most 10 wide); the catalog's
/// label is a whole printed header ("Kết quả xử lý hồ sơ (%)"), too wide
/// for a terminal. "TTTT": thanh toán trực tuyến, as offices abbreviate.
pub fn title(m: &Metric) -> String {
    let known = match m.code.as_str() {
        "processing" => "Xử lý %",
        "satisfaction" => "Hài lòng %",
        "online_payment" => "TTTT %",
        "score" => "Điểm",
        "digitization" => "Số hoá %",
        "e_copies" => "Bản sao",
        "rating" => "Đánh giá",
        "g_transparency" => "Công khai",
        "g_progress" => "Tiến độ",
        "g_online_service" => "DVCTT",
        "g_online_payment" => "Thanh toán",
        "g_satisfaction" => "Hài lòng đ",
        "g_digitization" => "Số hoá đ",
        _ => "",
    };
    if known.is_empty() {
        m.label.chars().take(10).collect()
    } else {
        known.to_owned()
    }
}

/// A value as the table shows it: a fixed number of decimals per kind so
/// that commas line up ("93,45", "100,00", "3.090").
pub fn cell(v: &Value, kind: MetricKind) -> String {
    match (v, kind) {
        (Value::Num(x), MetricKind::Count) => text::format_vi(*x, 0),
        (Value::Num(x), _) => fixed_vi(*x, 2),
        (Value::Label(l), _) => l.clone(),
    }
}

/// "▲1,20", "▼0,50", "=": the change from the month before, numbers only.
pub fn change(now: &Value, before: Option<&Value>, kind: MetricKind) -> String {
    match (now, before) {
        (Value::Num(a), Some(Value::Num(b))) => {
            let d = a - b;
            let decimals = if kind == MetricKind::Count { 0 } else { 2 };
            if d.abs() < 0.005 {
                "=".into()
            } else if d > 0.0 {
                format!("▲{}", fixed_vi(d, decimals))
            } else {
                format!("▼{}", fixed_vi(-d, decimals))
            }
        }
        _ => String::new(),
    }
}

/// `format_vi` with exactly `d` decimals.
pub fn fixed_vi(x: f64, d: usize) -> String {
    let s = text::format_vi(x, d);
    if d == 0 {
        return s;
    }
    let have = s.split_once(',').map_or(0, |(_, f)| f.len());
    let mut s = s;
    if have == 0 {
        s.push(',');
    }
    s.extend(std::iter::repeat_n('0', d - have));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_fit_a_column() {
        for code in [
            "processing",
            "satisfaction",
            "online_payment",
            "score",
            "digitization",
            "e_copies",
            "rating",
            "g_transparency",
            "g_progress",
            "g_online_service",
            "g_online_payment",
            "g_satisfaction",
            "g_digitization",
        ] {
            let m = Metric {
                id: 0,
                code: code.into(),
                label: String::new(),
                kind: MetricKind::Points,
                min: None,
                max: None,
                labels: vec![],
            };
            assert!(title(&m).chars().count() <= 10, "{code}");
        }
    }

    #[test]
    fn fixed_decimals_align() {
        assert_eq!(fixed_vi(93.45, 2), "93,45");
        assert_eq!(fixed_vi(100.0, 2), "100,00");
        assert_eq!(fixed_vi(40.7, 2), "40,70");
        assert_eq!(fixed_vi(3090.0, 0), "3.090");
        assert_eq!(cell(&Value::Label("Tốt".into()), MetricKind::Label), "Tốt");
        assert_eq!(
            change(
                &Value::Num(40.7),
                Some(&Value::Num(42.3)),
                MetricKind::Percent
            ),
            "▼1,60"
        );
        assert_eq!(
            change(
                &Value::Num(10.0),
                Some(&Value::Num(10.0)),
                MetricKind::Percent
            ),
            "="
        );
        assert_eq!(change(&Value::Num(10.0), None, MetricKind::Percent), "");
    }
}
