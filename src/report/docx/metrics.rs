//! How a line of the letter breaks in Times New Roman (the widths:
//! `crate::font`), to size the decree's short rules and the annex columns.

use crate::font::{self, Style};

/// The width in millimetres of `text` on one line at `pt` points.
pub fn text_mm(text: &str, pt: f64, bold: bool) -> f64 {
    let style = if bold { Style::Bold } else { Style::Regular };
    font::text_mm(text, pt, style)
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
        let nfd: String = unicode_normalization::UnicodeNormalization::nfd("Hưng Yên").collect();
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
