//! How wide a line prints in Times New Roman, to size the decree's short
//! rules and the annex columns. The widths are Liberation Serif 2's (its
//! hmtx table; the font was made with Times New Roman's advance widths).
//! A Vietnamese letter is as wide as its base letter (Ộ as O: checked for
//! every one in both weights) except the horned ơ, Ư, ư.

use unicode_normalization::UnicodeNormalization;

/// Font units per em.
const EM: f64 = 2048.0;

/// Advance widths of U+0020..=U+007E.
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

fn advance(c: char, bold: bool) -> u16 {
    let table = if bold { &BOLD } else { &REGULAR };
    let ascii = |c: char| table[c as usize - 0x20];
    let mut parts = c.nfd();
    let base = parts.next().unwrap_or(c);
    // ờ, Ừ …: as wide as ơ, Ư (the horn widens them; Ơ stays as O).
    let horn = parts.any(|m| m == '\u{31b}');
    match (base, horn, bold) {
        ('o', true, false) => 1083,
        ('o', true, true) => 1134,
        ('U', true, false) => 1589,
        ('U', true, true) => 1630,
        ('u', true, false) => 1110,
        ('u', true, true) => 1229,
        ('Đ', ..) => ascii('D'),
        ('đ', ..) => ascii('d'),
        ('\u{a0}', ..) => ascii(' '),
        ('–', ..) => 1024,
        ('…', ..) => 2048,
        (' '..='~', ..) => ascii(base),
        // Anything else: an average letter.
        _ => 1024,
    }
}

/// The width in millimetres of `text` on one line at `pt` points.
pub fn text_mm(text: &str, pt: f64, bold: bool) -> f64 {
    let units: u32 = text.nfc().map(|c| u32::from(advance(c, bold))).sum();
    f64::from(units) / EM * pt * 25.4 / 72.0
}

/// How many lines `text` takes in a column `width` mm wide, broken at
/// spaces as a word processor breaks it (a word wider than the column
/// takes a line of its own).
pub fn lines(text: &str, width: f64, pt: f64, bold: bool) -> usize {
    let space = text_mm(" ", pt, bold);
    let mut n = 0;
    let mut used = f64::INFINITY;
    for w in text.split_whitespace().map(|w| text_mm(w, pt, bold)) {
        if used + space + w <= width {
            used += space + w;
        } else {
            n += 1;
            used = w;
        }
    }
    n
}

/// The narrowest width (mm) at which `text` takes at most `n` lines.
pub fn width_for_lines(text: &str, n: usize, pt: f64, bold: bool) -> f64 {
    let longest = text
        .split_whitespace()
        .map(|w| text_mm(w, pt, bold))
        .fold(0.0, f64::max);
    let (mut lo, mut hi) = (longest, text_mm(text, pt, bold).max(longest));
    // Widths to a hundredth of a millimetre are plenty.
    while hi - lo > 0.01 {
        let mid = (lo + hi) / 2.0;
        if lines(text, mid, pt, bold) <= n {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_match_the_font() {
        // Measured from Liberation Serif 2.1.5's hmtx with every glyph's
        // own width (ttf cmap → hmtx), not through the base-letter rule.
        let close = |a: f64, b: f64| (a - b).abs() < 0.01;
        let q = text_mm("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12.0, true);
        assert!(close(q, 88.32), "{q}");
        let t = text_mm("Độc lập - Tự do - Hạnh phúc", 13.0, true);
        assert!(close(t, 56.14), "{t}");
        let h = text_mm("HUYỆN KHOÁI CHÂU", 13.0, true);
        assert!(close(h, 48.16), "{h}");
        assert!(text_mm("Ư", 12.0, true) > text_mm("U", 12.0, true));
        assert!(close(text_mm("ờ", 12.0, false), text_mm("ơ", 12.0, false)));
        let tan = text_mm("Trường Thương mại Dược Hưng", 12.0, false);
        assert!(close(tan, 55.87), "{tan}");
        // Composed or decomposed, the same width.
        let nfd: String = "Hưng Yên".nfd().collect();
        assert_eq!(text_mm(&nfd, 12.0, false), text_mm("Hưng Yên", 12.0, false));
    }

    #[test]
    fn lines_break_at_spaces() {
        let t = "Kết quả đánh giá";
        let one = text_mm(t, 12.0, true);
        assert_eq!(lines(t, one + 0.01, 12.0, true), 1);
        assert_eq!(lines(t, one - 0.01, 12.0, true), 2);
        assert_eq!(lines(t, 1.0, 12.0, true), 4);
        assert_eq!(lines("", 10.0, 12.0, true), 0);
        let two = width_for_lines(t, 2, 12.0, true);
        assert_eq!(lines(t, two, 12.0, true), 2);
        assert_eq!(lines(t, two - 0.05, 12.0, true), 3);
        // "Kết quả" over "đánh giá".
        let halves = text_mm("Kết quả", 12.0, true).max(text_mm("đánh giá", 12.0, true));
        assert!((two - halves).abs() < 0.02, "{two} {halves}");
    }
}
