//! A quarter's or a year's letter on its months: the units that were on a
//! month's list of units needing directives in most of the period's months
//! (`rules::months_on_list`), rule by rule.

use super::Block;
use crate::rules::months_on_list::{MonthsOnList, months_phrase};
use crate::rules::render::unit_phrase;

/// On the list in more than half the months the rule judged it, of two
/// or more: a unit that existed for one month of the period is not "most
/// months".
pub fn most_months(on_list: u32, months: u32) -> bool {
    months >= 2 && 2 * on_list > months
}

/// Heading "3." and one bullet per rule with such units, worst first, at
/// most `max_named` named per rule; nothing when no unit was on a list in
/// most months.
pub(super) fn blocks(m: &MonthsOnList, max_named: usize) -> Vec<Block> {
    let mut bullets = Vec::new();
    for r in &m.rules {
        let units: Vec<String> = r
            .units
            .iter()
            .filter(|u| most_months(u.on_list, u.months))
            .map(|u| {
                format!(
                    "{} ({}/{} tháng)",
                    unit_phrase(&u.unit),
                    u.on_list,
                    u.months
                )
            })
            .collect();
        if units.is_empty() {
            continue;
        }
        let more = units.len().saturating_sub(max_named.max(1));
        let mut named = units[..units.len() - more].join(", ");
        if more > 0 {
            named.push_str(&format!(" và {more} đơn vị khác"));
        }
        bullets.push(Block::Bullet(format!("{}: {named}.", r.label)));
    }
    if bullets.is_empty() {
        return bullets;
    }
    let label = m.period.label_vi();
    let all: Vec<_> = m.period.months().collect();
    // Which months were judged, when some have no data.
    let which = if m.months == all {
        String::new()
    } else {
        format!(" (các tháng có số liệu: {})", months_phrase(&m.months))
    };
    let mut out = vec![
        Block::Heading(format!(
            "3. Các đơn vị nhiều tháng thuộc diện cần chỉ đạo khắc phục trong {label}."
        )),
        Block::Para(format!(
            "Theo kết quả đánh giá từng tháng của {label}{which}, các đơn vị sau thuộc diện cần chỉ đạo khắc phục trong quá nửa số tháng:"
        )),
    ];
    out.extend(bullets);
    out
}
