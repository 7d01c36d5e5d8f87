//! The letter as Markdown: the header as a two-column table, the body as
//! paragraphs and bullets, each annex as a table.

use std::fmt::Write as _;

use super::{Block, Letter, QUOC_HIEU, TIEU_NGU};

/// Text from the database or settings as Markdown shows it literally:
/// `*`, `_`, `<`, `&`, `|` … escaped (a unit named "<B>" stays "<B>").
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        match c {
            // Only where it would start an entity ("&copy;"): "PVHCC&KSTT"
            // stays as the office writes it.
            '&' if is_entity(&s[i + 1..]) => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// "copy;…", "#39;…": what after a `&` makes an HTML entity.
fn is_entity(rest: &str) -> bool {
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '#')
        .collect();
    !name.is_empty() && rest[name.len()..].starts_with(';')
}

fn cell(s: &str) -> String {
    esc(s)
}

/// The letter as Markdown; control characters escaped (`plain::escaped`).
pub fn render(l: &Letter) -> String {
    let l = &*super::plain::escaped(l);
    let mut out = String::new();
    let bold_lines = |v: &[String]| {
        v.iter()
            .map(|s| format!("**{}**", cell(s)))
            .collect::<Vec<_>>()
            .join("<br>")
    };
    // A parent body's line above the issuing body is not bold (the decree).
    let parents = super::words::parent_lines(&l.issuer);
    let mut issuer: Vec<String> = l.issuer[..parents].iter().map(|s| cell(s)).collect();
    issuer.push(bold_lines(&l.issuer[parents..]));
    let _ = writeln!(
        out,
        "| {} | **{QUOC_HIEU}**<br>**{TIEU_NGU}** |",
        issuer.join("<br>")
    );
    out.push_str("|:---:|:---:|\n");
    let _ = writeln!(
        out,
        "| {}<br>{} | *{}* |\n",
        cell(&l.number),
        cell(&l.subject),
        cell(&l.place_date)
    );
    out.push_str("Kính gửi:\n\n");
    for (i, r) in l.recipients.iter().enumerate() {
        let end = if i + 1 == l.recipients.len() {
            "."
        } else {
            ";"
        };
        let _ = writeln!(out, "- {r}{end}");
    }
    out.push('\n');
    for b in &l.body {
        match b {
            Block::Para(t) => {
                let _ = writeln!(out, "{}\n", esc(t));
            }
            Block::Heading(t) => {
                let _ = writeln!(out, "**{}**\n", esc(t));
            }
            Block::Subheading(t) => {
                let _ = writeln!(out, "***{}***\n", esc(t));
            }
            Block::Bullet(t) => {
                let _ = writeln!(out, "- {}\n", esc(t));
            }
        }
    }
    out.push_str("| **Nơi nhận:** | ");
    out.push_str(&bold_lines(&l.signer));
    out.push_str(" |\n|:---|:---:|\n| ");
    let cc: Vec<String> =
        l.cc.iter()
            .enumerate()
            .map(|(i, c)| {
                let end = if i + 1 == l.cc.len() { "." } else { ";" };
                format!("- {}{end}", cell(c))
            })
            .collect();
    out.push_str(&cc.join("<br>"));
    if l.signer_name.is_empty() {
        out.push_str(" | <br><br><br> |\n\n");
    } else {
        let _ = writeln!(out, " | <br><br><br>**{}** |\n", cell(&l.signer_name));
    }
    for a in &l.annexes {
        let _ = writeln!(out, "\n---\n\n**{}**\n", esc(&a.title.to_uppercase()));
        let _ = writeln!(out, "**{}**\n", esc(&a.caption));
        let _ = writeln!(out, "*{}*\n", esc(&a.note));
        let _ = writeln!(
            out,
            "| STT | Đơn vị | {} |",
            a.columns
                .iter()
                .map(|c| cell(c))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let aligns: String = (0..a.columns.len())
            .map(|i| {
                if a.kind(i + 2) == super::ColumnKind::Number {
                    "---:|"
                } else {
                    ":---|"
                }
            })
            .collect();
        let _ = writeln!(out, "|---:|:---|{aligns}");
        for r in &a.rows {
            let _ = writeln!(
                out,
                "| {} |",
                r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
            );
        }
    }
    out
}
