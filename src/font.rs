//! Times New Roman's advance widths, to measure a line of Vietnamese text
//! before a word processor or a spreadsheet lays it out (the decree's
//! short rules, annex columns, title rows). Read from Liberation Serif 2,
//! which has Times New Roman's widths: its hmtx table, in font units, for
//! regular and bold; italic in thousandths of an em. A Vietnamese letter
//! is as wide as its base letter (Ộ as O: checked for every one in both
//! weights) but for the horned ơ, ư, Ư.

use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Regular,
    Bold,
    Italic,
}

/// Font units per em of the regular and bold tables.
const UNITS: f64 = 2048.0;

/// Advance widths of U+0020..=U+007E, in font units.
const REGULAR: [u16; 95] = [
    512, 682, 836, 1024, 1024, 1706, 1593, 369, 682, 682, 1024, 1155, 512, 682, 512, 569, 1024,
    1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 569, 569, 1155, 1155, 1155, 909, 1886,
    1479, 1366, 1366, 1479, 1251, 1139, 1479, 1479, 682, 797, 1479, 1251, 1821, 1479, 1479, 1139,
    1479, 1366, 1139, 1251, 1479, 1479, 1933, 1479, 1479, 1251, 682, 569, 682, 961, 1024, 682, 909,
    1024, 909, 1024, 909, 682, 1024, 1024, 569, 569, 1024, 569, 1593, 1024, 1024, 1024, 1024, 682,
    797, 569, 1024, 1024, 1479, 1024, 1024, 909, 983, 410, 983, 1108,
];
const BOLD: [u16; 95] = [
    512, 682, 1137, 1024, 1024, 2048, 1706, 569, 682, 682, 1024, 1167, 512, 682, 512, 569, 1024,
    1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 682, 682, 1167, 1167, 1167, 1024, 1905,
    1479, 1366, 1479, 1479, 1366, 1251, 1593, 1593, 797, 1024, 1593, 1366, 1933, 1479, 1593, 1251,
    1593, 1479, 1139, 1366, 1479, 1479, 2048, 1479, 1479, 1366, 682, 569, 682, 1190, 1024, 682,
    1024, 1139, 909, 1139, 909, 682, 1024, 1139, 569, 682, 1139, 569, 1706, 1139, 1024, 1139, 1139,
    909, 797, 682, 1139, 1024, 1479, 1024, 1024, 909, 807, 451, 807, 1065,
];

/// Thousandths of an em, for U+0020..=U+007E.
const ITALIC: [u16; 95] = [
    250, 333, 420, 500, 500, 833, 778, 214, 333, 333, 500, 675, 250, 333, 250, 278, //
    500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 333, 333, 675, 675, 675, 500, //
    920, 611, 611, 667, 722, 611, 611, 722, 722, 333, 444, 667, 556, 833, 667, 722, //
    611, 722, 611, 500, 556, 722, 611, 833, 611, 556, 556, 389, 278, 389, 422, 500, //
    333, 500, 500, 444, 500, 444, 278, 500, 500, 278, 278, 444, 278, 722, 500, 500, //
    500, 500, 389, 389, 278, 500, 444, 667, 444, 444, 389, 400, 275, 400, 541,
];

/// A character's width in ems. Tone marks keep the base letter's width;
/// the horn widens o, u and U (Ơ stays as wide as O); a character the
/// tables do not know counts as an average letter (half an em).
pub fn em(c: char, style: Style) -> f64 {
    let ascii = |b: char| -> f64 {
        let i = b as usize - 0x20;
        match style {
            Style::Regular => f64::from(REGULAR[i]) / UNITS,
            Style::Bold => f64::from(BOLD[i]) / UNITS,
            Style::Italic => f64::from(ITALIC[i]) / 1000.0,
        }
    };
    let mut parts = std::iter::once(c).nfd();
    let base = parts.next().unwrap_or(c);
    let horn = parts.any(|m| m == '\u{31b}');
    let units = |regular: u16, bold: u16, italic: u16| match style {
        Style::Regular => f64::from(regular) / UNITS,
        Style::Bold => f64::from(bold) / UNITS,
        Style::Italic => f64::from(italic) / 1000.0,
    };
    match (base, horn) {
        ('o', true) => units(1083, 1134, 534),
        ('u', true) => units(1110, 1229, 545),
        ('U', true) => units(1589, 1630, 754),
        ('Đ', _) => ascii('D'),
        ('đ', _) => ascii('d'),
        ('\u{a0}', _) => ascii(' '),
        ('–', _) => 0.5,
        ('…', _) => 1.0,
        (' '..='~', _) => ascii(base),
        _ => 0.5,
    }
}

/// The width in millimetres of `text` on one line at `pt` points
/// (composed first: a decomposed tone mark is no letter of its own).
pub fn text_mm(text: &str, pt: f64, style: Style) -> f64 {
    let ems: f64 = text.nfc().map(|c| em(c, style)).sum();
    ems * pt * 25.4 / 72.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_of_letters() {
        let close = |a: f64, b: f64| (a - b).abs() < 0.001;
        assert_eq!(em(' ', Style::Regular), 0.25);
        assert!(close(em('a', Style::Regular), 0.444));
        assert_eq!(em('W', Style::Bold), 1.0);
        // Tone marks keep the base's width; the horn widens it.
        assert_eq!(em('ệ', Style::Regular), em('e', Style::Regular));
        assert_eq!(em('Ấ', Style::Bold), em('A', Style::Bold));
        assert!(close(em('ờ', Style::Regular), 0.529));
        assert!(close(em('Ư', Style::Bold), 0.796));
        assert_eq!(em('Ơ', Style::Bold), em('O', Style::Bold));
        assert_eq!(em('đ', Style::Italic), em('d', Style::Italic));
        assert_eq!(em('中', Style::Regular), 0.5);
        // Composed or decomposed, the same width.
        let nfd: String = "Hưng Yên".nfd().collect();
        assert!(close(
            text_mm(&nfd, 12.0, Style::Regular),
            text_mm("Hưng Yên", 12.0, Style::Regular)
        ));
    }
}
