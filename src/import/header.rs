//! Finding the header row of a grid and what each column holds, and the
//! month a file states in its title rows.

use crate::model::{Metric, MetricKind, Period};
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
    /// Per metric index: is it a percent metric.
    percent: Vec<bool>,
}

impl HeaderDictionary {
    pub fn new(metrics: &[Metric], extra: &[(String, i64)]) -> HeaderDictionary {
        let mut entries = Vec::new();
        let mut add = |key: String, i: usize| {
            if !entries.contains(&(key.clone(), i)) {
                entries.push((key, i));
            }
        };
        for (i, m) in metrics.iter().enumerate() {
            add(header_key(&m.label), i);
            add(header_key(&m.code), i);
        }
        for (header, metric_id) in extra {
            if let Some(i) = metrics.iter().position(|m| m.id == *metric_id) {
                add(header_key(header), i);
            }
        }
        HeaderDictionary {
            entries,
            percent: metrics
                .iter()
                .map(|m| m.kind == MetricKind::Percent)
                .collect(),
        }
    }

    /// The metric a header names. Keys ignore "%", so "Thanh toán trực
    /// tuyến (%)" (a rate) and "Thanh toán trực tuyến" (the 766 group's
    /// points) share one: a "%" in the header then picks the percent metric.
    /// Still ambiguous: None, and the column is reported, never guessed.
    fn metric(&self, key: &str, raw: &str) -> Option<usize> {
        let found: Vec<usize> = self
            .entries
            .iter()
            .filter(|(k, _)| k == key)
            .map(|&(_, i)| i)
            .collect();
        if found.len() <= 1 {
            return found.first().copied();
        }
        let pct = raw.contains('%');
        let fit: Vec<usize> = found
            .into_iter()
            .filter(|&i| self.percent[i] == pct)
            .collect();
        (fit.len() == 1).then(|| fit[0])
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
        match self.metric(&key, raw) {
            Some(i) => Column::Metric(i),
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

/// Rows a header row may be in, from the top.
pub const HEADER_ROWS: usize = 50;

/// The first row, among the first 50, with a unit column and at least one
/// metric column.
pub fn find_header(grid: &Grid, dict: &HeaderDictionary) -> Option<Header> {
    for (row, r) in grid.rows.iter().enumerate().take(HEADER_ROWS) {
        let columns: Vec<Column> = r.cells.iter().map(|c| dict.classify(c)).collect();
        let units = columns.iter().filter(|c| **c == Column::Unit).count();
        if units >= 1 && columns.iter().any(|c| matches!(c, Column::Metric(_))) {
            let mut columns = columns;
            let mut labels: Vec<String> =
                r.cells.iter().map(|c| text::clean(&cell_text(c))).collect();
            // A sheet's rows end at their last value: the table is as wide
            // as its widest row, under blank headers past the last label.
            if grid.sheet.is_some() {
                let width = grid.rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
                columns.resize(width.max(columns.len()), Column::Blank);
                labels.resize(columns.len(), String::new());
            }
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

/// Why no header row was found, from the rows a header may be in: the
/// first row with metric columns but no unit column, else the first with a
/// unit column but no metric, else the first row with any text.
#[derive(Debug, PartialEq)]
pub enum NoHeader {
    /// No row has a cell: the file or sheet is empty.
    Empty,
    /// (row's line, its headers as written): metrics, no unit column.
    NoUnitColumn(u64, Vec<String>),
    /// A unit column, no metric column.
    NoMetricColumn(u64, Vec<String>),
    /// Neither: the first row with text.
    Unrecognised(u64, Vec<String>),
}

/// What a grid without a header row has instead (see `NoHeader`).
pub fn no_header(grid: &Grid, dict: &HeaderDictionary) -> NoHeader {
    let rows = || grid.rows.iter().take(HEADER_ROWS);
    let texts = |r: &super::read::GridRow| -> Vec<String> {
        r.cells
            .iter()
            .map(|c| text::clean(&cell_text(c)))
            .filter(|t| !t.is_empty())
            .collect()
    };
    let kinds = |r: &super::read::GridRow| -> (bool, bool) {
        let cols: Vec<Column> = r.cells.iter().map(|c| dict.classify(c)).collect();
        (
            cols.contains(&Column::Unit),
            cols.iter().any(|c| matches!(c, Column::Metric(_))),
        )
    };
    if let Some(r) = rows().find(|r| kinds(r) == (false, true)) {
        return NoHeader::NoUnitColumn(r.line, texts(r));
    }
    if let Some(r) = rows().find(|r| kinds(r) == (true, false)) {
        return NoHeader::NoMetricColumn(r.line, texts(r));
    }
    match rows().find(|r| !texts(r).is_empty()) {
        Some(r) => NoHeader::Unrecognised(r.line, texts(r)),
        None => NoHeader::Empty,
    }
}

/// The unit column's headers chiso reads, as a person writes them.
pub const UNIT_HEADERS_SHOWN: &str = "Đơn vị, Tên đơn vị, Địa phương, Tên xã";

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
    fn headers_sharing_a_key_are_told_apart_by_percent() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::Db::create(&dir.path().join("h.db")).unwrap();
        let cat = crate::db::Catalog::load(db.conn()).unwrap();
        let extra = crate::db::load_metric_headers(db.conn()).unwrap();
        let dict = HeaderDictionary::new(&cat.metrics, &extra);
        let code = |h: &str| match dict.classify(&Cell::Text(h.into())) {
            Column::Metric(i) => cat.metrics[i].code.clone(),
            other => format!("{other:?}"),
        };
        assert_eq!(code("Thanh toán trực tuyến (%)"), "online_payment");
        assert_eq!(code("Thanh toán trực tuyến"), "g_online_payment");
        assert_eq!(code("Mức độ hài lòng (%)"), "satisfaction");
        assert_eq!(code("Mức độ hài lòng"), "g_satisfaction");
        assert_eq!(
            code("Tỷ lệ hồ sơ thanh toán trực tuyến (%)"),
            "online_payment"
        );
        assert_eq!(code("Điểm tổng hợp %"), "score");
        assert_eq!(code("Kết quả tỷ lệ số hoá %"), "digitization");
        assert_eq!(code("Xếp loại"), "rating");
        // Every seeded spelling is decidable: two metrics under one key
        // always differ in being a percent.
        for (k, i) in &dict.entries {
            for (k2, j) in &dict.entries {
                if k == k2 && i != j {
                    assert_ne!(dict.percent[*i], dict.percent[*j], "{k}: {i} vs {j}");
                }
            }
        }
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
