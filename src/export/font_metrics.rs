//! Times New Roman's advance widths, to measure a line of Vietnamese text
//! before a spreadsheet lays it out (it does not grow a merged cell or a
//! row whose height is written). Read from Liberation Serif, which has
//! Times New Roman's widths so that documents keep their line breaks.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Regular,
    Bold,
    Italic,
}

/// Thousandths of an em, for ' ' (U+0020) to '~' (U+007E).
const REGULAR: [u16; 95] = [
    250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278, //
    500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444, //
    921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722, //
    556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500, //
    333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500, //
    500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541,
];
const BOLD: [u16; 95] = [
    250, 333, 555, 500, 500, 1000, 833, 278, 333, 333, 500, 570, 250, 333, 250, 278, //
    500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 333, 333, 570, 570, 570, 500, //
    930, 722, 667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667, 944, 722, 778, //
    611, 778, 722, 556, 667, 722, 722, 1000, 722, 722, 667, 333, 278, 333, 581, 500, //
    333, 500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556, 278, 833, 556, 500, //
    556, 556, 444, 389, 333, 556, 500, 722, 500, 500, 444, 394, 220, 394, 520,
];
const ITALIC: [u16; 95] = [
    250, 333, 420, 500, 500, 833, 778, 214, 333, 333, 500, 675, 250, 333, 250, 278, //
    500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 333, 333, 675, 675, 675, 500, //
    920, 611, 611, 667, 722, 611, 611, 722, 722, 333, 444, 667, 556, 833, 667, 722, //
    611, 722, 611, 500, 556, 722, 611, 833, 611, 556, 556, 389, 278, 389, 422, 500, //
    333, 500, 500, 444, 500, 444, 278, 500, 500, 278, 278, 444, 278, 722, 500, 500, //
    500, 500, 389, 389, 278, 500, 444, 667, 444, 444, 389, 400, 275, 400, 541,
];

/// ơ, ư, Ơ, Ư (with any tone mark): wider than o, u for the horn.
fn horned(base: char, style: Style) -> u16 {
    let [o, u, big_o, big_u] = match style {
        Style::Regular => [529, 542, 722, 776],
        Style::Bold => [554, 600, 778, 796],
        Style::Italic => [534, 545, 722, 754],
    };
    match base {
        'o' => o,
        'u' => u,
        'O' => big_o,
        _ => big_u,
    }
}

/// A character's width in ems. A Vietnamese letter is as wide as its
/// base letter (tone marks sit above or below it), but for the horn;
/// a character the table does not know counts a full em.
pub fn em(c: char, style: Style) -> f64 {
    use unicode_normalization::UnicodeNormalization;
    let table = match style {
        Style::Regular => &REGULAR,
        Style::Bold => &BOLD,
        Style::Italic => &ITALIC,
    };
    let ascii = |b: char| f64::from(table[b as usize - 0x20]) / 1000.0;
    let c = match c {
        'đ' => 'd',
        'Đ' => 'D',
        '…' => return 1.0,
        c => c,
    };
    if (' '..='~').contains(&c) {
        return ascii(c);
    }
    let mut parts = std::iter::once(c).nfd();
    let base = parts.next().unwrap_or(c);
    if !(' '..='~').contains(&base) {
        return 1.0;
    }
    if parts.any(|m| m == '\u{31b}') {
        return f64::from(horned(base, style)) / 1000.0;
    }
    ascii(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_of_letters() {
        assert_eq!(em(' ', Style::Regular), 0.25);
        assert_eq!(em('a', Style::Regular), 0.444);
        assert_eq!(em('W', Style::Bold), 1.0);
        // Tone marks keep the base's width; the horn widens it.
        assert_eq!(em('ệ', Style::Regular), em('e', Style::Regular));
        assert_eq!(em('Ấ', Style::Bold), em('A', Style::Bold));
        assert_eq!(em('ờ', Style::Regular), 0.529);
        assert_eq!(em('Ư', Style::Bold), 0.796);
        assert_eq!(em('đ', Style::Italic), em('d', Style::Italic));
        assert_eq!(em('中', Style::Regular), 1.0);
    }
}
