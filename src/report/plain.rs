//! The letter as plain text, for reading in a terminal or pasting into an
//! e-mail: the header in two columns, paragraphs wrapped at `width`, the
//! annexes as aligned tables.

use std::borrow::Cow;

use unicode_width::UnicodeWidthStr;

use super::{Block, Letter, QUOC_HIEU, TIEU_NGU};
use crate::text;

/// Every text the letter shows, for reading.
fn texts(l: &Letter) -> impl Iterator<Item = &String> {
    let blocks = l.body.iter().map(|b| match b {
        Block::Para(t) | Block::Heading(t) | Block::Subheading(t) | Block::Bullet(t) => t,
    });
    let annexes = l.annexes.iter().flat_map(|a| {
        [&a.title, &a.caption, &a.note]
            .into_iter()
            .chain(&a.columns)
            .chain(a.rows.iter().flatten())
    });
    l.issuer
        .iter()
        .chain([&l.number, &l.subject, &l.place_date, &l.signer_name])
        .chain(&l.recipients)
        .chain(blocks)
        .chain(&l.cc)
        .chain(&l.signer)
        .chain(annexes)
}

/// Every text the letter shows, for changing.
fn texts_mut(l: &mut Letter) -> impl Iterator<Item = &mut String> {
    let blocks = l.body.iter_mut().map(|b| match b {
        Block::Para(t) | Block::Heading(t) | Block::Subheading(t) | Block::Bullet(t) => t,
    });
    let annexes = l.annexes.iter_mut().flat_map(|a| {
        [&mut a.title, &mut a.caption, &mut a.note]
            .into_iter()
            .chain(&mut a.columns)
            .chain(a.rows.iter_mut().flatten())
    });
    l.issuer
        .iter_mut()
        .chain([
            &mut l.number,
            &mut l.subject,
            &mut l.place_date,
            &mut l.signer_name,
        ])
        .chain(&mut l.recipients)
        .chain(blocks)
        .chain(&mut l.cc)
        .chain(&mut l.signer)
        .chain(annexes)
}

/// The letter with the control characters of its texts escaped as
/// `text::escape` does: unit names and settings come from the database,
/// which any program can write, and the text and Markdown forms are
/// printed on terminals. Borrowed as it is when there are none.
pub fn escaped(l: &Letter) -> Cow<'_, Letter> {
    if texts(l).all(|s| text::find_control(s).is_none()) {
        return Cow::Borrowed(l);
    }
    let mut owned = l.clone();
    for s in texts_mut(&mut owned) {
        if text::find_control(s).is_some() {
            *s = text::escape(s);
        }
    }
    Cow::Owned(owned)
}

/// Words wrapped to `width` columns, each line after the first indented.
fn wrap(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = first.to_owned();
    let mut empty = true;
    for w in text.split_whitespace() {
        if !empty && line.width() + 1 + w.width() > width {
            out.push(std::mem::replace(&mut line, rest.to_owned()));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(w);
        empty = false;
    }
    out.push(line);
    out
}

/// `wrap` for centred text, its lines made as even as they can be in as
/// many lines: no word left alone on the last ("8/2024", "Châu)").
fn balanced(text: &str, width: usize) -> Vec<String> {
    let lines = wrap(text, width, "", "");
    if lines.len() < 2 {
        return lines;
    }
    // The narrowest width that needs no more lines.
    (width / 2..width)
        .map(|w| wrap(text, w, "", ""))
        .find(|l| l.len() == lines.len())
        .unwrap_or(lines)
}

fn centre(s: &str, width: usize) -> String {
    let pad = width.saturating_sub(s.width()) / 2;
    format!("{}{s}", " ".repeat(pad))
}

/// Two blocks side by side, each centred in its half.
fn two_columns(left: &[String], right: &[String], width: usize) -> Vec<String> {
    let half = width / 2;
    (0..left.len().max(right.len()))
        .map(|i| {
            let l = left.get(i).map_or(String::new(), |s| centre(s, half));
            let r = right.get(i).map_or(String::new(), |s| centre(s, half));
            let pad = half.saturating_sub(l.width());
            format!("{l}{}{r}", " ".repeat(pad)).trim_end().to_owned()
        })
        .collect()
}

/// The letter as text `width` columns wide; control characters escaped.
pub fn render(l: &Letter, width: usize) -> String {
    let l = &*escaped(l);
    let width = width.max(40);
    let half = width / 2 - 2;
    let mut left = l.issuer.clone();
    left.push(String::new());
    left.push(l.number.clone());
    left.extend(wrap(&l.subject, half, "", ""));
    let right = vec![
        QUOC_HIEU.to_owned(),
        TIEU_NGU.to_owned(),
        String::new(),
        String::new(),
        l.place_date.clone(),
    ];
    let mut out: Vec<String> = two_columns(&left, &right, width);
    out.push(String::new());
    out.push("Kính gửi:".into());
    for (i, r) in l.recipients.iter().enumerate() {
        let end = if i + 1 == l.recipients.len() {
            "."
        } else {
            ";"
        };
        out.extend(wrap(&format!("{r}{end}"), width, "  - ", "    "));
    }
    out.push(String::new());
    for b in &l.body {
        match b {
            Block::Para(t) | Block::Heading(t) | Block::Subheading(t) => {
                out.extend(wrap(t, width, "    ", ""))
            }
            Block::Bullet(t) => out.extend(wrap(t, width, "  - ", "    ")),
        }
        out.push(String::new());
    }
    let mut cc = vec!["Nơi nhận:".to_owned()];
    for (i, c) in l.cc.iter().enumerate() {
        let end = if i + 1 == l.cc.len() { "." } else { ";" };
        cc.push(format!("- {c}{end}"));
    }
    let mut sign = l.signer.clone();
    sign.extend([String::new(), String::new(), l.signer_name.clone()]);
    // Nơi nhận reads down the left margin; the signature is centred right.
    let half = width / 2;
    for i in 0..cc.len().max(sign.len()) {
        let left = cc.get(i).cloned().unwrap_or_default();
        let right = sign.get(i).map_or(String::new(), |s| centre(s, half));
        let pad = half.saturating_sub(left.width());
        out.push(
            format!("{left}{}{right}", " ".repeat(pad))
                .trim_end()
                .to_owned(),
        );
    }
    for a in &l.annexes {
        out.push(String::new());
        out.push(String::new());
        out.push(centre(&a.title.to_uppercase(), width));
        out.extend(balanced(&a.caption, width).iter().map(|s| centre(s, width)));
        out.extend(balanced(&a.note, width).iter().map(|s| centre(s, width)));
        out.push(String::new());
        let mut head = vec!["STT".to_owned(), "Đơn vị".to_owned()];
        head.extend(a.columns.iter().cloned());
        let mut widths: Vec<usize> = head.iter().map(|h| h.width()).collect();
        for r in &a.rows {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(c.width());
            }
        }
        // Judged once per column: it reads every row.
        let left: Vec<bool> = (0..head.len())
            .map(|i| i >= 1 && a.kind(i) != super::ColumnKind::Number)
            .collect();
        let line = |cells: &[String]| {
            cells
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(i, (c, w))| {
                    let pad = " ".repeat(w - c.width());
                    if left[i] {
                        format!("{c}{pad}")
                    } else {
                        format!("{pad}{c}")
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_owned()
        };
        out.push(line(&head));
        for r in &a.rows {
            out.push(line(r));
        }
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::balanced;

    /// A centred caption keeps its lines even: nothing left alone at the end.
    #[test]
    fn captions_leave_no_word_alone() {
        let caption =
            "(Kèm theo Công văn số 884/UBND-VP ngày … tháng … năm 2024 của UBND huyện Khoái Châu)";
        let lines = balanced(caption, 80);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines.iter().all(|l| l.split(' ').count() > 3), "{lines:?}");
        assert_eq!(lines.join(" "), caption);
        assert_eq!(balanced("Phụ lục", 80), ["Phụ lục"]);
    }
}
