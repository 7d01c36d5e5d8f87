//! The letter's head, Nghị định 30/2020 Phụ lục I: a borderless two-column
//! table. Left: the issuing body over its short rule, the number, the
//! trích yếu; right: the Quốc hiệu, the Tiêu ngữ over a rule as long as
//! itself, the place and date.

use docx_rs::{
    AlignmentType, LineSpacing, Paragraph, ParagraphBorder, ParagraphBorderPosition,
    ParagraphBorders, Table, TableCellMargins, TableLayoutType, TableRow, WidthType,
};

use super::metrics::text_mm;
use super::{BODY, SMALL, TEXT_MM, cell, centred, grid, mm, no_borders, run};
use crate::report::{Letter, QUOC_HIEU, TIEU_NGU};

/// The left column (issuing body, number, trích yếu); the right one, the
/// rest, holds the Quốc hiệu: 88.3 mm at 12 pt bold, on one line in 103 mm
/// (the cells have no side padding).
pub const LEFT_MM: f64 = 62.0;
pub const RIGHT_MM: f64 = TEXT_MM - LEFT_MM;
/// Issuing body and Tiêu ngữ: 13 pt (the decree: 12–13 and 13–14).
const HEAD_PT: usize = SMALL + 2;
/// The rule under the issuing body, as a share of its name's widest line
/// (the decree: from 1/3 to 1/2).
const ISSUER_RULE_SHARE: f64 = 0.4;

/// The lines of `issuer` that name a parent body, written above the
/// issuing body and not bold ("UBND TỈNH HƯNG YÊN" over "VĂN PHÒNG"). A
/// first line that only opens a name ("ỦY BAN NHÂN DÂN" over "HUYỆN KHOÁI
/// CHÂU") is the body's own name, not a parent.
pub fn parent_lines(issuer: &[String]) -> usize {
    let opens = |s: &str| {
        let s = s.trim().to_uppercase();
        let s = s.replace("UỶ", "ỦY");
        ["ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "UBND", "HĐND"].contains(&s.as_str())
    };
    // The body's name is the last line and any opening lines just above it.
    let mut own = issuer.len().saturating_sub(1);
    while own > 0 && opens(&issuer[own - 1]) {
        own -= 1;
    }
    own
}

/// An empty paragraph drawing a centred horizontal rule `width` mm long
/// across a `column` mm wide cell: a top border, narrowed by indents, 3 pt
/// below the line above. A border on the text's own paragraph would
/// narrow the text with it.
pub fn rule(width: f64, column: f64) -> Paragraph {
    let side = mm(((column - width) / 2.0).max(0.0));
    let mut p = Paragraph::new()
        .size(2)
        .indent(Some(side), None, Some(side), None)
        .line_spacing(LineSpacing::new().before(60).after(0));
    p.property = p.property.set_borders(
        ParagraphBorders::with_empty().set(
            ParagraphBorder::new(ParagraphBorderPosition::Top)
                .size(6)
                .space(1),
        ),
    );
    p
}

pub fn table(l: &Letter) -> Table {
    let parents = parent_lines(&l.issuer);
    let lines: Vec<(&str, bool)> = l
        .issuer
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i >= parents))
        .collect();
    let mut left = centred(&lines, HEAD_PT);
    let name_mm = l.issuer[parents.min(l.issuer.len())..]
        .iter()
        .map(|s| text_mm(s, HEAD_PT as f64 / 2.0, true))
        .fold(0.0, f64::max);
    if name_mm > 0.0 {
        left.push(rule(name_mm * ISSUER_RULE_SHARE, LEFT_MM));
    }
    left.extend(centred(&[("", false)], SMALL));
    left.extend(centred(&[(&l.number, false)], HEAD_PT));
    left.extend(centred(&[(&l.subject, false)], SMALL));

    // 12 pt (the decree allows 12–13): the Quốc hiệu on one line.
    let mut right = centred(&[(QUOC_HIEU, true)], SMALL);
    right.extend(centred(&[(TIEU_NGU, true)], HEAD_PT));
    right.push(rule(
        text_mm(TIEU_NGU, HEAD_PT as f64 / 2.0, true),
        RIGHT_MM,
    ));
    right.extend(centred(&[("", false)], SMALL));
    right.push(
        Paragraph::new()
            .add_run(run(&l.place_date, BODY).italic())
            .align(AlignmentType::Center),
    );
    Table::new(vec![TableRow::new(vec![
        cell(left, LEFT_MM),
        cell(right, RIGHT_MM),
    ])])
    .set_grid(grid(&[LEFT_MM, RIGHT_MM]))
    .set_borders(no_borders())
    // No side padding: the columns' whole width is the text's.
    .margins(TableCellMargins::new().margin(0, 0, 0, 0))
    .layout(TableLayoutType::Fixed)
    .width(mm(TEXT_MM) as usize, WidthType::Dxa)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<String> {
        s.split('|').map(str::to_owned).collect()
    }

    #[test]
    fn a_parent_line_is_told_from_the_opening_of_a_name() {
        assert_eq!(parent_lines(&lines("ỦY BAN NHÂN DÂN|HUYỆN KHOÁI CHÂU")), 0);
        assert_eq!(parent_lines(&lines("UỶ BAN NHÂN DÂN|TỈNH HƯNG YÊN")), 0);
        assert_eq!(parent_lines(&lines("UBND TỈNH HƯNG YÊN|VĂN PHÒNG")), 1);
        assert_eq!(
            parent_lines(&lines("UBND HUYỆN KHOÁI CHÂU|VĂN PHÒNG HĐND VÀ UBND")),
            1
        );
        assert_eq!(
            parent_lines(&lines("UBND TỈNH HƯNG YÊN|ỦY BAN NHÂN DÂN|XÃ TÂN HƯNG")),
            1
        );
        assert_eq!(parent_lines(&lines("SỞ NỘI VỤ")), 0);
        assert_eq!(parent_lines(&[]), 0);
    }
}
