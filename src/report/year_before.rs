//! "So với cùng kỳ năm 2024, …": the parent's own figures of a quarter or
//! a year against the same period a year before. Only the parent's own
//! (the portal's ratios for the whole body): like for like across any
//! change of the units under it, where a unit's own comparison is not.

use super::words::{letter_label, metric_words};
use crate::db::Catalog;
use crate::model::{MetricKind, Period, PeriodKind, Value};
use crate::rules::render::value_vi;
use crate::text;

/// Decimals of the shortest form of `x` ("97,35" has 2).
fn decimals(x: f64) -> usize {
    let s = format!("{x}");
    s.split_once('.').map_or(0, |(_, f)| f.len())
}

/// "kết quả xử lý hồ sơ TTHC tăng 1,2 điểm % (từ 97,3% lên 98,5%)": one
/// figure against its own a year before; None unless both are numbers.
fn change(
    metric: &crate::model::Metric,
    now: Option<&Value>,
    then: Option<&Value>,
) -> Option<String> {
    let (Some(Value::Num(x)), Some(Value::Num(y))) = (now, then) else {
        return None;
    };
    let what = metric_words(&letter_label(&metric.label));
    let show = |v: f64| value_vi(&Value::Num(v), metric.kind);
    // The difference to the figures' own decimals: 98.5 − 97.3 is 1,2,
    // not 1,2000000000000028.
    let places = decimals(*x).max(decimals(*y)).min(6);
    let scale = 10f64.powi(places as i32);
    let d = ((x - y) * scale).round() / scale;
    let unit = match metric.kind {
        MetricKind::Percent => " điểm %",
        MetricKind::Points => " điểm",
        _ => "",
    };
    let amount = text::format_vi(d.abs(), places);
    Some(if d > 0.0 {
        format!(
            "{what} tăng {amount}{unit} (từ {} lên {})",
            show(*y),
            show(*x)
        )
    } else if d < 0.0 {
        format!(
            "{what} giảm {amount}{unit} (từ {} xuống {})",
            show(*y),
            show(*x)
        )
    } else {
        format!("{what} không đổi ({})", show(*x))
    })
}

/// The paragraph comparing the parent's `codes` in `period` (`now`) with
/// the same period a year before (`then`); None when no figure has both.
pub(super) fn paragraph(
    cat: &Catalog,
    codes: &[&str],
    period: Period,
    now: Option<&[Option<Value>]>,
    then: Option<&[Option<Value>]>,
) -> Option<String> {
    let (now, then) = (now?, then?);
    let parts: Vec<String> = codes
        .iter()
        .filter_map(|code| cat.index_of(code))
        .filter_map(|m| change(&cat.metrics[m], now[m].as_ref(), then[m].as_ref()))
        .collect();
    if parts.is_empty() {
        return None;
    }
    let before = period.year_before();
    // A year's "cùng kỳ" is the year before itself.
    let head = match period.kind() {
        PeriodKind::Year => format!("So với {}", before.label_vi()),
        _ => format!("So với cùng kỳ năm {}", before.year()),
    };
    Some(format!("{head}, {}.", parts.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(label: &str, kind: MetricKind) -> crate::model::Metric {
        crate::model::Metric {
            id: 1,
            code: "x".into(),
            label: label.into(),
            kind,
            min: None,
            max: None,
            labels: Vec::new(),
        }
    }

    #[test]
    fn changes_in_points_and_percentage_points() {
        let n = |x: f64| Some(Value::Num(x));
        let p = metric("Kết quả xử lý hồ sơ (%)", MetricKind::Percent);
        assert_eq!(
            change(&p, n(98.5).as_ref(), n(97.3).as_ref()).unwrap(),
            "kết quả xử lý hồ sơ TTHC tăng 1,2 điểm % (từ 97,3% lên 98,5%)"
        );
        assert_eq!(
            change(&p, n(100.0).as_ref(), n(100.0).as_ref()).unwrap(),
            "kết quả xử lý hồ sơ TTHC không đổi (100%)"
        );
        let s = metric("Điểm tổng hợp", MetricKind::Points);
        assert_eq!(
            change(&s, n(85.47).as_ref(), n(86.02).as_ref()).unwrap(),
            "điểm tổng hợp giảm 0,55 điểm (từ 86,02 xuống 85,47)"
        );
        assert_eq!(change(&s, n(85.0).as_ref(), None), None);
    }
}
