//! Text made to fit a width of terminal cells: a name cut with "…", a
//! sentence wrapped at spaces, a status line that drops what does not fit.
//! Numbers and messages are never cut in the middle.

use unicode_width::UnicodeWidthStr;

/// Terminal cells `s` takes.
pub fn width(s: &str) -> usize {
    s.width()
}

/// `s`, cut to `w` cells with "…" at the end if it is wider.
pub fn cut(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_owned();
    }
    if w == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + cw > w - 1 {
            break;
        }
        out.push(c);
        used += cw;
    }
    // "Ban Quản lý các khu …": no space before the ellipsis.
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('…');
    out
}

/// The end of `s` in `w` cells, "…" first if it is wider: a path typed
/// at a prompt shows its file's name.
pub fn tail(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_owned();
    }
    let mut out: Vec<char> = Vec::new();
    let mut used = 1;
    for c in s.chars().rev() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + cw > w {
            break;
        }
        out.push(c);
        used += cw;
    }
    std::iter::once('…').chain(out.into_iter().rev()).collect()
}

/// `name` then `mark`, the name cut so that the mark always shows.
pub fn cut_with_mark(name: &str, mark: &str, w: usize) -> String {
    let room = w.saturating_sub(width(mark));
    format!("{}{mark}", cut(name, room))
}

/// `s` padded with spaces to `w` cells (left-aligned), cut if wider.
pub fn pad(s: &str, w: usize) -> String {
    let s = cut(s, w);
    let n = w.saturating_sub(width(&s));
    format!("{s}{}", " ".repeat(n))
}

/// `s` right-aligned in `w` cells (never cut: a number stays whole).
pub fn right(s: &str, w: usize) -> String {
    let n = w.saturating_sub(width(s));
    format!("{}{s}", " ".repeat(n))
}

/// Lines of at most `w` cells, broken at spaces; the first line starts
/// with `first`, the others with `rest` (both counted in the width). A
/// word wider than a line is cut into pieces.
pub fn wrap(s: &str, w: usize, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_owned();
    let mut empty = true;
    for word in s.split_whitespace() {
        let lead = if empty { "" } else { " " };
        if width(&line) + width(lead) + width(word) <= w {
            line.push_str(lead);
            line.push_str(word);
            empty = false;
            continue;
        }
        if !empty {
            lines.push(std::mem::replace(&mut line, rest.to_owned()));
        }
        // A word longer than a whole line: in pieces.
        let mut word = word;
        while width(&line) + width(word) > w && !word.is_empty() {
            let room = w.saturating_sub(width(&line)).max(1);
            let mut at = 0;
            let mut used = 0;
            for (i, c) in word.char_indices() {
                let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                if used + cw > room {
                    break;
                }
                used += cw;
                at = i + c.len_utf8();
            }
            if at == 0 {
                at = word.chars().next().map_or(0, char::len_utf8);
            }
            line.push_str(&word[..at]);
            lines.push(std::mem::replace(&mut line, rest.to_owned()));
            word = &word[at..];
        }
        line.push_str(word);
        empty = word.is_empty();
    }
    if !empty || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Parts joined by " · ", leaving out those that would pass `w` cells:
/// each part comes with its rank, lower ranks kept first.
pub fn join_fitting(parts: &[(u8, String)], w: usize) -> String {
    let mut keep: Vec<bool> = vec![true; parts.len()];
    let total = |keep: &[bool]| {
        let shown: Vec<&str> = parts
            .iter()
            .zip(keep)
            .filter(|(_, k)| **k)
            .map(|((_, s), _)| s.as_str())
            .collect();
        width(&shown.join(" · "))
    };
    let mut ranks: Vec<u8> = parts.iter().map(|(r, _)| *r).collect();
    ranks.sort_unstable();
    ranks.dedup();
    // The highest ranks go first, the last of them first.
    for rank in ranks.into_iter().rev() {
        for i in (0..parts.len()).rev() {
            if total(&keep) <= w {
                break;
            }
            if parts[i].0 == rank && rank > 0 {
                keep[i] = false;
            }
        }
    }
    parts
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|((_, s), _)| s.as_str())
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_with_an_ellipsis_and_keeps_the_mark() {
        assert_eq!(cut("Xã Tân Hưng", 20), "Xã Tân Hưng");
        assert_eq!(cut("Ban Quản lý các khu công nghiệp", 12), "Ban Quản lý…");
        assert_eq!(width(&cut("Ban Quản lý các khu công nghiệp", 12)), 12);
        assert_eq!(cut_with_mark("Xã Tân Hưng", " *", 24), "Xã Tân Hưng *");
        assert_eq!(
            cut_with_mark("Ban Quản lý các khu công nghiệp", " *", 14),
            "Ban Quản lý… *"
        );
        assert_eq!(pad("Xã", 4), "Xã  ");
        assert_eq!(right("99,1%", 7), "  99,1%");
        assert_eq!(tail("/home/vanthu/thang-8.xlsx", 14), "…/thang-8.xlsx");
        assert_eq!(tail("a.xlsx", 14), "a.xlsx");
    }

    #[test]
    fn wraps_at_spaces_with_an_indent() {
        let s = "thành lập từ tháng 7/2025 trên cơ sở Xã Thủ Sỹ, Xã Phương Nam, Xã Tân Hưng";
        let lines = wrap(s, 30, "? ", "  ");
        assert!(lines.iter().all(|l| width(l) <= 30), "{lines:?}");
        assert!(lines[0].starts_with("? thành"));
        assert!(lines[1].starts_with("  "));
        assert_eq!(
            lines
                .iter()
                .map(|l| l[2..].to_owned())
                .collect::<Vec<_>>()
                .join(" "),
            s
        );
        assert_eq!(wrap("", 10, "", ""), [""]);
        let long = wrap("abcdefghij", 4, "", "");
        assert_eq!(long, ["abcd", "efgh", "ij"]);
    }

    #[test]
    fn drops_the_least_wanted_parts_first() {
        let parts = [
            (0, "Tháng 8/2025".to_string()),
            (2, "10/10 đủ số liệu".to_string()),
            (1, "4/10 đơn vị".to_string()),
        ];
        assert_eq!(
            join_fitting(&parts, 80),
            "Tháng 8/2025 · 10/10 đủ số liệu · 4/10 đơn vị"
        );
        assert_eq!(join_fitting(&parts, 30), "Tháng 8/2025 · 4/10 đơn vị");
        assert_eq!(join_fitting(&parts, 5), "Tháng 8/2025");
    }
}
