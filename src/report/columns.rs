//! What an annex's column holds, judged from its cells as the letter
//! prints them: every layout (text, Markdown, DOCX, XLSX) aligns and sizes
//! the column by it.

use super::Annex;

/// The kind of an annex column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Figures: aligned right, so units line up.
    Number,
    /// Short words ("Tốt", "Có") and the STT.
    Label,
    /// Names and sentences (the list annex's rule).
    Text,
}

/// "-", "…": a cell with no figure, which says nothing about its column.
fn is_blank(s: &str) -> bool {
    matches!(s.trim(), "" | "-" | "–" | "—" | "…" | "x")
}

fn is_number(s: &str) -> bool {
    let s = s.trim();
    s.chars().any(|c| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '%' | '+' | '-' | '−' | ' '))
}

impl Annex {
    /// The kind of row column `j` (0: STT, 1: the unit's name, then one
    /// per `columns`). A column with no figure at all counts as figures.
    pub fn kind(&self, j: usize) -> ColumnKind {
        match j {
            0 => return ColumnKind::Label,
            1 => return ColumnKind::Text,
            _ => {}
        }
        let cells: Vec<&str> = self
            .rows
            .iter()
            .filter_map(|r| r.get(j).map(String::as_str))
            .filter(|s| !is_blank(s))
            .collect();
        if cells.iter().all(|s| is_number(s)) {
            ColumnKind::Number
        } else if cells.iter().all(|s| s.chars().count() <= 12) {
            ColumnKind::Label
        } else {
            ColumnKind::Text
        }
    }
}
