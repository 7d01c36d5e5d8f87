//! The letter as Markdown: the header as a two-column table, the body as
//! paragraphs and bullets, each annex as a table.

use std::fmt::Write as _;

use super::{Block, Letter, QUOC_HIEU, TIEU_NGU};

/// Table cells cannot hold a raw `|`.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

pub fn render(l: &Letter) -> String {
    let mut out = String::new();
    let bold_lines = |v: &[String]| {
        v.iter()
            .map(|s| format!("**{}**", cell(s)))
            .collect::<Vec<_>>()
            .join("<br>")
    };
    let _ = writeln!(
        out,
        "| {} | **{QUOC_HIEU}**<br>**{TIEU_NGU}** |",
        bold_lines(&l.issuer)
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
                let _ = writeln!(out, "{t}\n");
            }
            Block::Heading(t) => {
                let _ = writeln!(out, "**{t}**\n");
            }
            Block::Bullet(t) => {
                let _ = writeln!(out, "- {t}\n");
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
    let _ = writeln!(out, " | <br><br><br>**{}** |\n", cell(&l.signer_name));
    for a in &l.annexes {
        let _ = writeln!(out, "\n---\n\n**{}**\n", a.title);
        let _ = writeln!(out, "**{}**\n", a.caption);
        let _ = writeln!(out, "*{}*\n", a.note);
        let _ = writeln!(
            out,
            "| STT | Đơn vị | {} |",
            a.columns
                .iter()
                .map(|c| cell(c))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let _ = writeln!(out, "|---:|:---|{}", "---:|".repeat(a.columns.len()));
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
