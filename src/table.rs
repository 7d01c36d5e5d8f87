//! Plain-text tables for terminal output (units list, demo summary).

/// Columns padded to their widest cell (NFC Vietnamese: one column per
/// char), two spaces apart; columns from `right_from` on are right-aligned
/// (numbers), the others left-aligned.
pub fn plain(header: &[&str], rows: &[Vec<String>], right_from: usize) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| -> String {
        let mut s = String::new();
        for (i, (c, w)) in cells.zip(&widths).enumerate() {
            let pad = " ".repeat(w - c.chars().count().min(*w));
            if i > 0 {
                s.push_str("  ");
            }
            if i >= right_from {
                s.push_str(&pad);
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&pad);
            }
        }
        s.trim_end().to_owned()
    };
    let mut out = line(&mut header.iter().copied());
    out.push('\n');
    for r in rows {
        out.push_str(&line(&mut r.iter().map(String::as_str)));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn aligns_vietnamese_by_chars() {
        let rows = vec![
            vec!["Đồng Tiến".to_string(), "36".to_string()],
            vec!["An Vỹ".to_string(), "81,5".to_string()],
        ];
        assert_eq!(
            super::plain(&["Đơn vị", "digitization"], &rows, 1),
            "Đơn vị     digitization\nĐồng Tiến            36\nAn Vỹ              81,5\n"
        );
    }
}
