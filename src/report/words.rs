//! Words and numbers as the letter writes them: dates, figures, lists of
//! names, annex numbers.

use super::Annex;
use crate::model::{MetricKind, Unit, UnitKind, Value};
use crate::rules::render::{self, unit_phrase, value_vi};
use crate::text;

/// "ngày 09 tháng 9 năm 2024", "ngày 05 tháng 01 năm 2025": Nghị định
/// 30/2020 writes a day below 10 and the months 1 and 2 with a leading zero.
pub fn date_vi(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let month = if d.month() <= 2 {
        format!("{:02}", d.month())
    } else {
        d.month().to_string()
    };
    format!("ngày {:02} tháng {month} năm {}", d.day(), d.year())
}

/// A parent figure in the text: "99,62%", "86,02/100", "3.090", "Tốt".
pub(super) fn figure(v: &Value, metric: &crate::model::Metric) -> String {
    match (v, metric.kind, metric.max) {
        (Value::Num(x), MetricKind::Points, Some(max)) => {
            format!("{}/{}", text::format_vi(*x, 2), text::format_vi(max, 2))
        }
        _ => value_vi(v, metric.kind),
    }
}

/// An annex cell: the shortest decimal, with a comma or (as the portal
/// prints) a dot; whole counts without grouping ("3090"), labels as stored.
pub fn annex_value(v: &Value, dot: bool) -> String {
    match v {
        Value::Num(x) => {
            let s = format!("{x}");
            if dot { s } else { s.replace('.', ",") }
        }
        Value::Label(l) => l.clone(),
    }
}

/// "xã Bình Kiều", "các xã Bình Kiều, Đông Kết và thị trấn Khoái Châu":
/// units named by kind, as a letter names several.
pub(super) fn phrase_list(units: &[&Unit]) -> String {
    let mut groups: Vec<(UnitKind, Vec<&str>)> = Vec::new();
    for u in units {
        // An agency's name is its phrase: "Sở Xây dựng".
        let bare = if u.kind == UnitKind::CoQuan {
            u.name.as_str()
        } else {
            UnitKind::split_prefix(&u.name).1
        };
        match groups.iter_mut().find(|(k, _)| *k == u.kind) {
            Some((_, names)) => names.push(bare),
            None => groups.push((u.kind, vec![bare])),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(k, names)| {
            if *k == UnitKind::CoQuan {
                return names.join(", ");
            }
            let kind = k.prefix().to_lowercase();
            match names.as_slice() {
                [one] => format!("{kind} {one}"),
                many => format!("các {kind} {}", many.join(", ")),
            }
        })
        .collect();
    match parts.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} và {last}", init.join(", ")),
    }
}

/// "các xã nêu trên", "các xã, thị trấn nêu trên", or the one unit.
pub(super) fn group_phrase(units: &[&Unit]) -> String {
    if let [one] = units {
        return unit_phrase(one);
    }
    let owned: Vec<Unit> = units.iter().map(|u| (*u).clone()).collect();
    format!("các {} nêu trên", render::kinds_word(&owned))
}

/// A metric's label in section 1, where the figure carries its own "%"
/// and the seed's longer names are used: "Kết quả xử lý hồ sơ TTHC",
/// "Kết quả tỷ lệ số hoá hồ sơ".
pub(super) fn letter_label(label: &str) -> String {
    let bare = label.trim_end_matches(" (%)").trim_end_matches(" %").trim();
    match bare {
        "Kết quả xử lý hồ sơ" => "Kết quả xử lý hồ sơ TTHC".into(),
        "Kết quả tỷ lệ số hoá" => "Kết quả tỷ lệ số hoá hồ sơ".into(),
        _ => bare.to_owned(),
    }
}

/// "tỷ lệ mức độ hài lòng": a metric's label inside a sentence.
pub(super) fn metric_words(label: &str) -> String {
    let bare = label.trim_end_matches(" (%)").trim_end_matches('%').trim();
    let mut c = bare.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

/// "I", "IV", "XII": an annex's number when a letter has several.
pub fn roman(mut n: usize) -> String {
    const DIGITS: [(usize, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, digits) in DIGITS {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

/// "A", "A và B", "A, B và C".
pub(super) fn join_and<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => format!(
            "{} và {}",
            init.iter()
                .map(|s| s.as_ref())
                .collect::<Vec<_>>()
                .join(", "),
            last.as_ref()
        ),
    }
}

/// Annexes as the text refers to them: "Phụ lục I", "Phụ lục I và Phụ
/// lục II", "từ Phụ lục I đến Phụ lục IV".
pub(super) fn refs(titles: &[&str]) -> String {
    match titles {
        [first, _, _, ..] => format!("từ {first} đến {}", titles[titles.len() - 1]),
        _ => join_and(titles),
    }
}

/// The annexes of a letter as a message names them: "Phụ lục 1 và 2",
/// "Phụ lục I, II, III và IV".
pub fn annex_list(annexes: &[Annex]) -> String {
    let numbers: Vec<&str> = annexes
        .iter()
        .map(|a| a.title.strip_prefix("Phụ lục ").unwrap_or(&a.title))
        .collect();
    format!("Phụ lục {}", join_and(&numbers))
}
