//! Finding the header row of a grid and what each column holds, and the
//! month a file states in its title rows.

use crate::model::{Metric, Period};
use crate::text;

use super::read::{Cell, Grid};

#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    Unit,
    Ordinal,
    /// Index into the metric catalog slice.
    Metric(usize),
    Unknown(String),
    Blank,
}

#[derive(Debug)]
pub struct Header {
    /// Index into `Grid::rows`.
    pub row: usize,
    pub columns: Vec<Column>,
    /// Header text per column, as written (for messages).
    pub labels: Vec<String>,
}

/// Header spellings compared after folding accents and case and dropping a
/// "%" or "(%)", so "Điểm tổng hợp %", "DIEM TONG HOP" and "diem tong hop (%)" agree.
pub fn header_key(s: &str) -> String {
    let folded = text::fold(s);
    let kept: String = folded
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                ' '
            }
        })
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

const UNIT_HEADERS: &[&str] = &[
    "don vi",
    "ten don vi",
    "unit",
    "dia phuong",
    "ten dia phuong",
    "ten xa",
    "xa phuong",
];
const ORDINAL_HEADERS: &[&str] = &["stt", "tt", "so thu tu", "no"];

/// Maps header keys to metric indexes: labels, codes and the extra spellings.
pub struct HeaderDictionary {
    entries: Vec<(String, usize)>,
}

impl HeaderDictionary {
    pub fn new(metrics: &[Metric], extra: &[(String, i64)]) -> HeaderDictionary {
        let mut entries = Vec::new();
        for (i, m) in metrics.iter().enumerate() {
            entries.push((header_key(&m.label), i));
            entries.push((header_key(&m.code), i));
        }
        for (header, metric_id) in extra {
            if let Some(i) = metrics.iter().position(|m| m.id == *metric_id) {
                entries.push((header_key(header), i));
            }
        }
        HeaderDictionary { entries }
    }

    fn classify(&self, cell: &Cell) -> Column {
        let raw = match cell {
            Cell::Text(s) => s.as_str(),
            Cell::Num(_) => return Column::Unknown(cell_text(cell)),
            Cell::Empty => return Column::Blank,
        };
        let key = header_key(raw);
        if key.is_empty() {
            return Column::Blank;
        }
        if UNIT_HEADERS.contains(&key.as_str()) {
            return Column::Unit;
        }
        if ORDINAL_HEADERS.contains(&key.as_str()) {
            return Column::Ordinal;
        }
        match self.entries.iter().find(|(k, _)| *k == key) {
            Some(&(_, i)) => Column::Metric(i),
            None => Column::Unknown(text::clean(raw)),
        }
    }
}

pub fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) => s.clone(),
        Cell::Num(x) => format!("{x}"),
    }
}

/// The first row, among the first 50, with a unit column and at least one
/// metric column.
pub fn find_header(grid: &Grid, dict: &HeaderDictionary) -> Option<Header> {
    for (row, r) in grid.rows.iter().enumerate().take(50) {
        let columns: Vec<Column> = r.cells.iter().map(|c| dict.classify(c)).collect();
        let units = columns.iter().filter(|c| **c == Column::Unit).count();
        if units >= 1 && columns.iter().any(|c| matches!(c, Column::Metric(_))) {
            let labels = r.cells.iter().map(|c| text::clean(&cell_text(c))).collect();
            return Some(Header {
                row,
                columns,
                labels,
            });
        }
    }
    None
}

/// A month stated in text: "tháng 8/2024", "tháng 08-2024", "tháng 8 năm
/// 2024", "THÁNG 8/2024" (any accents).
pub fn period_in_text(s: &str) -> Option<Period> {
    let folded = text::fold(s);
    let mut rest = folded.as_str();
    while let Some(at) = rest.find("thang") {
        rest = &rest[at + "thang".len()..];
        let t = rest.trim_start();
        let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
        if digits.is_empty() || digits.len() > 2 {
            continue;
        }
        let after = t[digits.len()..].trim_start();
        let after = after
            .strip_prefix('/')
            .or_else(|| after.strip_prefix('-'))
            .or_else(|| after.strip_prefix('.'))
            .or_else(|| after.strip_prefix("nam"))
            .map(str::trim_start);
        if let Some(after) = after {
            let year: String = after.chars().take_while(char::is_ascii_digit).collect();
            if year.len() == 4
                && let Some(p) = Period::parse(&format!("{year}-{digits}"))
            {
                return Some(p);
            }
        }
    }
    None
}

/// The month the title rows above the header state, if they agree on one.
pub fn stated_period(grid: &Grid, header_row: usize) -> Option<Period> {
    grid.rows[..header_row]
        .iter()
        .flat_map(|r| r.cells.iter())
        .find_map(|c| match c {
            Cell::Text(s) => period_in_text(s),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_keys_ignore_spelling() {
        let a = header_key("Kết quả tỷ lệ số hoá (%)");
        assert_eq!(a, "ket qua ty le so hoa");
        assert_eq!(header_key("Kết quả tỷ lệ số hóa %"), a);
        assert_eq!(
            header_key(
                "KE\u{302}\u{301}T QUA\u{309} TY\u{309} LE\u{323} SO\u{302}\u{301} HOA\u{300}"
            ),
            a
        );
        assert_eq!(header_key("  Điểm   tổng hợp % "), "diem tong hop");
        assert_eq!(header_key("online_payment"), "online_payment");
    }

    #[test]
    fn periods_in_titles() {
        let p = Period::parse("2024-08");
        assert_eq!(period_in_text("Phụ lục 1 ... tháng 8/2024"), p);
        assert_eq!(period_in_text("THÁNG 08-2024"), p);
        assert_eq!(period_in_text("kết quả tháng 8 năm 2024"), p);
        assert_eq!(period_in_text("tháng 13/2024"), None);
        assert_eq!(period_in_text("các tháng tiếp theo, tháng 8/2024"), p);
        assert_eq!(period_in_text("Phụ lục 1"), None);
    }
}
