//! "Kính gửi" of a province's letter and how the text names each group.

use crate::model::{Group, Unit, UnitKind};
use crate::rules::render;
use crate::text;

/// A group as the text names it: "các cơ quan cấp tỉnh", "UBND các
/// huyện, thành phố", "UBND các xã, phường" (the kinds it has that month).
pub(super) fn group_noun(g: Group, units: &[Unit]) -> String {
    match g {
        Group::CoQuan => "các cơ quan cấp tỉnh".into(),
        Group::Huyen | Group::Xa => format!("UBND các {}", render::kinds_word(units)),
    }
}

/// A group's line of "Kính gửi" when the setting has none for it.
fn default_recipient(g: Group, units: &[Unit]) -> String {
    match g {
        Group::CoQuan => "Giám đốc các sở, Thủ trưởng các ban, ngành tỉnh".into(),
        Group::Huyen => "Chủ tịch UBND các huyện, thị xã, thành phố".into(),
        Group::Xa => {
            let mut s = "Chủ tịch UBND các xã, phường".to_owned();
            for (kind, word) in [
                (UnitKind::ThiTran, ", thị trấn"),
                (UnitKind::DacKhu, ", đặc khu"),
            ] {
                if units.iter().any(|u| u.kind == kind) {
                    s.push_str(word);
                }
            }
            s
        }
    }
}

/// The group a line of "Kính gửi" speaks to as a whole, by its words:
/// "… các sở …" agencies, "… các huyện …" districts, "… các xã, phường"
/// communes; None for any other, such as a line to one unit ("Giám đốc
/// Bảo hiểm xã hội tỉnh"), which is kept as it is.
fn recipient_group(line: &str) -> Option<Group> {
    let folded: String = text::fold(line)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let s = format!(
        " {} ",
        folded.split_whitespace().collect::<Vec<_>>().join(" ")
    )
    // An agency, whatever its name holds.
    .replace(" bao hiem xa hoi ", " bhxh ");
    let has = |w: &str| s.contains(&format!(" {w} "));
    if !has("cac") {
        None
    } else if has("huyen") || has("thi xa") || has("thanh pho") || (has("quan") && !has("co quan"))
    {
        Some(Group::Huyen)
    } else if has("xa") || has("phuong") || has("thi tran") || has("dac khu") {
        Some(Group::Xa)
    } else if ["so", "ban", "nganh", "co quan"].iter().any(|w| has(w)) {
        Some(Group::CoQuan)
    } else {
        None
    }
}

/// "Kính gửi" of a province's letter: one line per group of the month,
/// in the groups' order, the setting's own lines where it has some for
/// the group (lines for a group the month does not have are left out),
/// the default otherwise; then the setting's other lines.
pub(super) fn group_recipients(
    setting: &[String],
    groups: &[Group],
    units: &[Unit],
) -> Vec<String> {
    let mut out = Vec::new();
    for &g in groups {
        let mine: Vec<String> = setting
            .iter()
            .filter(|l| recipient_group(l) == Some(g))
            .cloned()
            .collect();
        if mine.is_empty() {
            let of_g: Vec<Unit> = units.iter().filter(|u| u.group() == g).cloned().collect();
            out.push(default_recipient(g, &of_g));
        } else {
            out.extend(mine);
        }
    }
    out.extend(
        setting
            .iter()
            .filter(|l| recipient_group(l).is_none())
            .cloned(),
    );
    out
}
