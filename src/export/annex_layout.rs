//! How an annex sheet sits on an A4 page: its column widths, its
//! orientation, and how many lines a wrapped text takes. Lengths are in
//! millimetres, text measured with Times New Roman's letter widths
//! (LibreOffice's Liberation Serif has the same), so the sheet prints as
//! the DOCX annex does: one page wide, titles on as many lines as they need.

pub use crate::font::Style;
use crate::report::Annex;

pub const FONT: &str = "Times New Roman";
/// Table text, as the DOCX annex (12 pt).
pub const TABLE_PT: f64 = 12.0;
/// Annex title and name line, as the DOCX annex (14 pt).
pub const TITLE_PT: f64 = 14.0;

/// Margins in millimetres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Margins {
    pub top: f64,
    pub bottom: f64,
    pub left: f64,
    pub right: f64,
}

/// Nghị định 30/2020 on A4: top and bottom 20, left 30 (the bound edge),
/// right 15 (the decree's lower bounds).
pub const PORTRAIT: Margins = Margins {
    top: 20.0,
    bottom: 20.0,
    left: 30.0,
    right: 15.0,
};

/// The same edges of the sheet turned a quarter, as a landscape page bound
/// with portrait ones reads: the bound edge (30 mm) at the top, the
/// portrait's right edge (15 mm) at the bottom, its top and bottom (20 mm)
/// left and right.
pub const LANDSCAPE: Margins = Margins {
    top: 30.0,
    bottom: 15.0,
    left: 20.0,
    right: 20.0,
};

const A4_SHORT: f64 = 210.0;
const A4_LONG: f64 = 297.0;

/// The width between the margins: 165 mm portrait, 257 mm landscape.
pub fn printable_width(landscape: bool) -> f64 {
    if landscape {
        A4_LONG - LANDSCAPE.left - LANDSCAPE.right
    } else {
        A4_SHORT - PORTRAIT.left - PORTRAIT.right
    }
}

/// STT, as the DOCX annex.
const STT_MM: f64 = 12.0;
/// The unit column, as the DOCX annex's: a whole name on one line up to
/// 65 mm (agencies' names are long: "Ban Quản lý các khu công nghiệp
/// tỉnh"), longer ones wrap.
const NAME_MM: (f64, f64) = (45.0, 65.0);
/// A figure column never narrower than this (a wrapped header's words).
const MIN_COLUMN_MM: f64 = 20.0;
/// A column of labels (a rule's name) wraps past this.
const MAX_TEXT_MM: f64 = 60.0;
/// A cell's inner padding, both sides, with room to spare.
pub const PAD_MM: f64 = 3.0;

#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// STT, unit, then one per column of the annex.
    pub widths: Vec<f64>,
    pub landscape: bool,
}

impl Layout {
    /// Each column as wide as its content (figures on one line, a
    /// header's longest word), the unit and label columns within bounds.
    /// A table that fits the 165 mm of a portrait page prints portrait,
    /// a wider one landscape (257 mm); either way the figure columns
    /// widen to fill the width, as the DOCX table fills its page. A table
    /// wider still is scaled down by the page setup (one page wide).
    pub fn of(a: &Annex) -> Layout {
        let cells = |j: usize| a.rows.iter().filter_map(move |r| r.get(j));
        let widest = |j: usize| {
            cells(j)
                .map(|t| text_mm(t, TABLE_PT, Style::Regular))
                .fold(0.0, f64::max)
        };
        let names = a
            .values
            .iter()
            .map(|(n, _)| text_mm(n, TABLE_PT, Style::Regular));
        let name = (names.fold(widest(1), f64::max) + PAD_MM).clamp(NAME_MM.0, NAME_MM.1);
        let mut widths = vec![STT_MM, name];
        for (c, label) in a.columns.iter().enumerate() {
            let word = label
                .split_whitespace()
                .map(|w| text_mm(w, TABLE_PT, Style::Bold))
                .fold(0.0, f64::max);
            let content = (widest(c + 2) + PAD_MM).min(MAX_TEXT_MM);
            widths.push(MIN_COLUMN_MM.max(word + PAD_MM).max(content));
        }
        let natural: f64 = widths.iter().sum();
        let landscape = natural > printable_width(false);
        let spare = printable_width(landscape) - natural;
        if spare > 0.0 {
            // The figure columns take the spare width; a table of names
            // alone gives it to the names.
            let from = if a.columns.is_empty() { 1 } else { 2 };
            let each = spare / (widths.len() - from) as f64;
            for w in &mut widths[from..] {
                *w += each;
            }
        }
        Layout { widths, landscape }
    }

    pub fn width(&self) -> f64 {
        self.widths.iter().sum()
    }
}

/// Millimetres `text` takes on one line at `pt` points, 2% wider than
/// its letters' widths add up to (a printer's rounding, hinting).
pub fn text_mm(text: &str, pt: f64, style: Style) -> f64 {
    crate::font::text_mm(text, pt, style) * 1.02
}

/// Lines `text` takes wrapped at word boundaries in `width` millimetres
/// (a word longer than the line breaks where it must).
pub fn lines(text: &str, width: f64, pt: f64, style: Style) -> usize {
    let space = text_mm(" ", pt, style);
    let mut count = 1;
    let mut line = 0.0;
    for word in text.split_whitespace() {
        let w = text_mm(word, pt, style);
        if line > 0.0 && line + space + w <= width {
            line += space + w;
            continue;
        }
        if line > 0.0 {
            count += 1;
        }
        // A word wider than the line takes whole lines of its own.
        let whole = (w / width).ceil().max(1.0) as usize;
        count += whole - 1;
        line = w - (whole - 1) as f64 * width;
    }
    count
}

/// A row's height in points for `n` lines of `pt`-point text: Times New
/// Roman's line is 1.15 em (its ascent, descent and gap); a little more
/// for the cell's padding, so the last line is never cut.
pub fn row_points(n: usize, pt: f64) -> f64 {
    (n as f64 * pt * 1.17 + pt * 0.35).ceil()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn annex(columns: &[&str], rows: &[&[&str]]) -> Annex {
        Annex {
            title: "Phụ lục 1".into(),
            group: None,
            caption: String::new(),
            note: String::new(),
            columns: columns.iter().map(|s| s.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect())
                .collect(),
            values: Vec::new(),
        }
    }

    #[test]
    fn a_narrow_table_fills_a_portrait_page() {
        let a = annex(
            &["Điểm tổng hợp %", "Kết quả đánh giá"],
            &[&["1", "Thị trấn Khoái Châu", "81,56", "Tốt"]],
        );
        let l = Layout::of(&a);
        assert!(!l.landscape);
        assert!((l.width() - 165.0).abs() < 1e-9, "{l:?}");
        assert_eq!(l.widths[0], STT_MM);
        // The two figure columns share the spare width.
        assert_eq!(l.widths[2], l.widths[3]);
    }

    #[test]
    fn a_wide_table_turns_landscape_and_fills_it() {
        let rule = "Kết quả xử lý hồ sơ dưới 90% hai tháng liền";
        let a = annex(
            &[
                "Tiêu chí",
                "Giá trị",
                "Tháng trước",
                "Số tháng liên tiếp",
                "Nâng mức",
            ],
            &[&[
                "1",
                "Ban Quản lý các khu công nghiệp tỉnh",
                rule,
                "37,9",
                "40,2",
                "2",
                "Có",
            ]],
        );
        let l = Layout::of(&a);
        assert!(l.landscape, "{l:?}");
        assert!((l.width() - 257.0).abs() < 1e-9, "{l:?}");
        // The rule column is wider than a figure column.
        assert!(l.widths[2] > l.widths[3], "{l:?}");
    }

    #[test]
    fn text_wraps_at_words() {
        let r = Style::Regular;
        // 12 pt: an em is 4.23 mm; "nn" is one em wide, and 2% more.
        assert!((text_mm("nn", 12.0, r) - 4.233 * 1.02).abs() < 0.01);
        assert_eq!(lines("nn nn nn", 100.0, 12.0, r), 1);
        // Two words fit a line, the third goes to a second.
        assert_eq!(lines("nn nn nn", 10.0, 12.0, r), 2);
        assert_eq!(lines("nn nn nn", 4.5, 12.0, r), 3);
        // A word longer than the line takes the lines it needs.
        assert_eq!(lines("nnnnnnnn", 4.5, 12.0, r), 4);
        assert_eq!(lines("", 10.0, 12.0, r), 1);
        // Diacritics do not widen a letter; bold does.
        assert_eq!(text_mm("Việt", 14.0, r), text_mm("Viet", 14.0, r));
        assert!(text_mm("Viet", 14.0, Style::Bold) > text_mm("Viet", 14.0, r));
    }
}
