//! Finding the header row of a grid and what each column holds, and the
//! period (month, quarter or year) a file states in its title rows.

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

/// The month or quarter a text states: "tháng 8/2024", "tháng 08-2024",
/// "tháng 8 năm 2024", "QUÝ 3/2025", "Quý III/2025", "quý III năm 2025"
/// (any case and accents), the first in the text. A date ("ngày 09 tháng
/// 9 năm 2024", when a letter was signed) is not a period.
pub fn month_or_quarter_in_text(s: &str) -> Option<Period> {
    let folded = text::fold(s);
    let f = folded.as_str();
    let mut best: Option<(usize, Period)> = None;
    for (word, read) in [
        ("thang", month_after as fn(&str) -> Option<Period>),
        ("quy", quarter_after),
    ] {
        for at in word_starts(f, word) {
            if best.is_some_and(|(b, _)| b < at) {
                break;
            }
            if word == "thang"
                && (is_date(&f[..at])
                    || last_word(&f[..at]).is_some_and(|w| MONTH_NOT_AFTER.contains(&w)))
            {
                continue;
            }
            if let Some(p) = read(&f[at + word.len()..]) {
                best = Some((at, p));
                break;
            }
        }
    }
    best.map(|(_, p)| p)
}

/// A year a title states: "năm 2025" after "Kết quả …" (or "Bộ chỉ số …",
/// "Đánh giá …"), or alone in its cell ("NĂM 2025"). Conservative: "năm"
/// also ends a date ("tháng 8 năm 2024"), a plan ("Kế hoạch năm 2025"), a
/// half-year ("6 tháng đầu năm 2025") or a comparison ("so với năm 2024"),
/// and none of these is read.
pub fn year_in_text(s: &str) -> Option<Period> {
    let folded = text::fold(s);
    let f = folded.as_str();
    for at in word_starts(f, "nam") {
        let after = f[at + "nam".len()..].trim_start();
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits != 4 || after[4..].starts_with(|c: char| c.is_alphanumeric()) {
            continue;
        }
        let Some(year) = after[..4].parse().ok().and_then(Period::whole_year) else {
            continue;
        };
        let before = &f[..at];
        if last_word(before).is_some_and(|w| {
            YEAR_NOT_AFTER.contains(&w)
                || w.bytes().all(|b| b.is_ascii_digit())
                || w.bytes().all(|b| matches!(b, b'i' | b'v' | b'x'))
        }) {
            continue;
        }
        let alone =
            !before.contains(char::is_alphanumeric) && !after[4..].contains(char::is_alphanumeric);
        let titled = YEAR_TITLES
            .iter()
            .any(|t| word_starts(before, t).next().is_some());
        if alone || titled {
            return Some(year);
        }
    }
    None
}

/// Words after which "năm 2025" is not the year of the results: part of a
/// date or a month (tháng, ngày), a span of it (đầu, cuối, giữa năm), a
/// plan or target (kế hoạch, chỉ tiêu, mục tiêu), a comparison or bound
/// (so với, cùng kỳ, từ, đến, trong, trước, sau).
const YEAR_NOT_AFTER: &[&str] = &[
    "thang", "quy", "ngay", "dau", "cuoi", "giua", "hoach", "tieu", "voi", "ky", "tu", "den",
    "trong", "truoc", "sau",
];

/// What a results title begins with, before its "năm 2025".
const YEAR_TITLES: &[&str] = &["ket qua", "chi so", "danh gia"];

/// A period in text, as the title rows state it: a month or a quarter
/// (`month_or_quarter_in_text`), else a year (`year_in_text`).
pub fn period_in_text(s: &str) -> Option<Period> {
    month_or_quarter_in_text(s).or_else(|| year_in_text(s))
}

/// Where `word` starts in folded `f` as a whole word (no letter or digit
/// either side).
fn word_starts<'a>(f: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    f.match_indices(word).map(|(at, _)| at).filter(move |&at| {
        let before = f[..at].chars().next_back();
        let after = f[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The last word of `s` (letters and digits), punctuation skipped.
fn last_word(s: &str) -> Option<&str> {
    s.split(|c: char| !c.is_alphanumeric())
        .rfind(|w| !w.is_empty())
}

/// Whether text ending here is "ngày 09 ", "ngày … " or a "ngày" whose
/// day is left blank to be written by hand ("ngày    ", "ngày ..."): the
/// "tháng" that follows is a date's.
fn is_date(before: &str) -> bool {
    let mut words = before
        .split(|c: char| !c.is_alphanumeric() && c != '…')
        .filter(|w| !w.is_empty())
        .rev();
    match words.next() {
        Some("ngay") => true,
        Some(d) if d == "…" || d.bytes().all(|b| b.is_ascii_digit()) => {
            words.next() == Some("ngay")
        }
        _ => false,
    }
}

/// Words after which "tháng 9/2025" bounds a span or is compared with
/// rather than being the period of the results: "tính đến tháng 11/2025",
/// "lũy kế đến hết tháng 9/2025", "từ tháng 01/2025 …", "so với tháng
/// 8/2024".
const MONTH_NOT_AFTER: &[&str] = &["den", "het", "tu", "voi"];

/// "8/2024", "08-2024", "8 năm 2024" after "tháng".
fn month_after(rest: &str) -> Option<Period> {
    let (n, rest) = number_then_year(rest)?;
    Period::month(rest, n.parse().ok()?)
}

/// "3/2025", "III/2025", "III năm 2025" after "quý".
fn quarter_after(rest: &str) -> Option<Period> {
    let (n, year) = number_then_year(rest)?;
    let q = match n.parse::<u8>() {
        Ok(q) => q,
        Err(_) => crate::model::quarter_numeral(n)?,
    };
    Period::quarter(year, q)
}

/// A number (1–2 digits, or a Roman numeral up to iv), then "/", "-", "."
/// or "năm", then a four-digit year that is not followed by more digits.
fn number_then_year(rest: &str) -> Option<(&str, u16)> {
    let t = rest.trim_start();
    let len = t
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(t.len());
    let n = &t[..len];
    let numeral = (1..=2).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit())
        || (1..=3).contains(&n.len()) && n.bytes().all(|b| matches!(b, b'i' | b'v'));
    if !numeral {
        return None;
    }
    let after = t[len..].trim_start();
    let after = ["/", "-", ".", "–", "nam "]
        .iter()
        .find_map(|sep| after.strip_prefix(sep))?
        .trim_start();
    if after.bytes().take_while(u8::is_ascii_digit).count() != 4 {
        return None;
    }
    Some((n, after[..4].parse().ok()?))
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

/// A period the title rows above the header state, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Stated {
    pub period: Period,
    /// Line (text) or row (sheet), and column, of the cell.
    pub line: u64,
    pub col: usize,
}

/// The period the title rows above the header state: the first month or
/// quarter in them, else the first year (a title that states a month
/// or a quarter is never read as its year).
pub fn stated_period(grid: &Grid, header_row: usize) -> Option<Stated> {
    let cells = || {
        grid.rows[..header_row].iter().flat_map(|r| {
            r.cells
                .iter()
                .enumerate()
                .filter_map(|(c, cell)| match cell {
                    Cell::Text(s) => Some((r.line, c, s.as_str())),
                    _ => None,
                })
        })
    };
    let read = |find: fn(&str) -> Option<Period>| {
        cells().find_map(|(line, col, s)| find(s).map(|period| Stated { period, line, col }))
    };
    read(month_or_quarter_in_text).or_else(|| read(year_in_text))
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

    fn p(s: &str) -> Option<Period> {
        Some(Period::parse(s).unwrap())
    }

    #[test]
    fn periods_in_titles() {
        let aug = p("2024-08");
        assert_eq!(period_in_text("Phụ lục 1 ... tháng 8/2024"), aug);
        assert_eq!(period_in_text("THÁNG 08-2024"), aug);
        assert_eq!(period_in_text("kết quả tháng 8 năm 2024"), aug);
        assert_eq!(period_in_text("tháng 13/2024"), None);
        assert_eq!(period_in_text("các tháng tiếp theo, tháng 8/2024"), aug);
        assert_eq!(period_in_text("Phụ lục 1"), None);
    }

    #[test]
    fn quarters_in_titles() {
        let q3 = p("2025-Q3");
        for t in [
            "KẾT QUẢ BỘ CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP QUÝ III NĂM 2025",
            "QUÝ 3/2025",
            "Quý III/2025",
            "quý iii - 2025",
            "Kết quả quý 03.2025 của các xã, phường",
            "KẾT QUẢ QUÝ III NĂM 2025 (SỐ LIỆU GIẢ LẬP, CHỈ ĐỂ THỬ)",
            // The first period stated is the title's; the months after it
            // spell out the quarter.
            "Kết quả quý III/2025 (từ tháng 7/2025 đến tháng 9/2025)",
            "Ke\u{302}\u{301}t qua\u{309} quy\u{301} III na\u{306}m 2025",
        ] {
            assert_eq!(period_in_text(t), q3, "{t}");
        }
        assert_eq!(period_in_text("Quý IV/2024"), p("2024-Q4"));
        assert_eq!(period_in_text("quý I năm 2026"), p("2026-Q1"));
        assert_eq!(
            period_in_text("Kết quả tháng 9/2025, lũy kế quý III/2025"),
            p("2025-09")
        );
        for t in [
            "quý V/2025",
            "quý 0/2025",
            "Quý III",
            "quyết định 2025",
            "Quy định số 12/2025",
            "quý III/25",
        ] {
            assert_eq!(period_in_text(t), None, "{t}");
        }
    }

    #[test]
    fn years_in_titles_only_where_clear() {
        let y = p("2025");
        for t in [
            "năm 2025",
            "NĂM 2025",
            "(Năm 2025)",
            "KẾT QUẢ BỘ CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP NĂM 2025",
            "Kết quả đánh giá năm 2025 của các cơ quan, đơn vị - Tỉnh Hưng Yên",
            "Kết quả Bộ chỉ số phục vụ người dân, doanh nghiệp năm 2025 - Huyện Khoái Châu",
            "Kết quả năm 2025 so với năm 2024",
        ] {
            assert_eq!(period_in_text(t), y, "{t}");
        }
        // "năm" in dates, plans, spans and comparisons is not the year of
        // the results; nor is a bare year in other words.
        for t in [
            "Kế hoạch năm 2025",
            "KẾT QUẢ THỰC HIỆN KẾ HOẠCH NĂM 2025",
            "Kết quả 6 tháng đầu năm 2025",
            "Kết quả 9 tháng năm 2025",
            "(Kèm theo Công văn số 884/UBND-VP ngày 09 tháng 9 năm 2024 của UBND huyện Khoái Châu)",
            "Khoái Châu, ngày … tháng … năm 2024",
            "Quyết định số 766/QĐ-TTg ngày 23 tháng 6 năm 2022",
            "Kết quả so với cùng kỳ năm 2024",
            "Kết quả từ năm 2024",
            "Kết quả quý V năm 2025",
            "Kết quả năm 20255",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Số liệu năm 2025 do các xã báo cáo",
            "2025",
            "Năm 1899",
        ] {
            assert_eq!(period_in_text(t), None, "{t}");
        }
        // A date is not a month: the month stated after it is.
        assert_eq!(
            period_in_text("Kèm theo văn bản ngày 09 tháng 9 năm 2024: kết quả tháng 8/2024"),
            p("2024-08")
        );
        // Nor is a date whose day is left blank to be written by hand, a
        // bound of a span, or a month compared with: they do not outrank a
        // quarter's or a year's title in another cell.
        for t in [
            "Khoái Châu, ngày    tháng 01 năm 2026",
            "Hưng Yên, ngày ... tháng 10 năm 2025",
            "(tính đến tháng 11/2025)",
            "lũy kế đến hết tháng 9/2025",
            "từ tháng 01/2025 đến tháng 06/2025",
            "so với tháng 8/2024",
        ] {
            assert_eq!(month_or_quarter_in_text(t), None, "{t}");
        }
        assert_eq!(
            period_in_text("Kết quả tháng 9/2025 (tính đến ngày 30/9/2025)"),
            p("2025-09")
        );
    }

    /// The titles chiso ships and writes read as their month, no more.
    #[test]
    fn seed_titles_read_as_their_month() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let mut seen = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.ends_with(".tsv") && !name.ends_with(".csv") {
                continue;
            }
            let first = std::fs::read_to_string(&path).unwrap();
            let title = first.lines().next().unwrap();
            // "khoai-chau-2024-08-…", "quy-3-2024-…": the period its name says.
            let stated = period_in_text(title);
            let month: Option<Period> = name
                .split('-')
                .collect::<Vec<_>>()
                .windows(2)
                .find_map(|w| Period::parse(&format!("{}-{}", w[0], w[1])));
            let quarter = name
                .strip_prefix("quy-")
                .and_then(|r| Period::parse(&format!("quý {}/{}", &r[..1], &r[2..6])));
            match (quarter, month) {
                (Some(q), _) => assert_eq!(stated, Some(q), "{name}: {title}"),
                (None, Some(m)) if title.to_lowercase().contains("tháng") => {
                    assert_eq!(stated, Some(m), "{name}: {title}")
                }
                _ => assert_eq!(stated, None, "{name}: {title}"),
            }
            seen += 1;
        }
        assert!(seen >= 9, "{seen}");
    }

    fn grid(rows: &[&[&str]]) -> Grid {
        Grid {
            format: super::super::read::Format::Xlsx,
            sheet: Some("Sheet1".into()),
            first_col: 0,
            sheets: vec!["Sheet1".into()],
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| super::super::read::GridRow {
                    line: i as u64 + 1,
                    cells: r.iter().map(|c| Cell::Text((*c).into())).collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn title_rows_state_a_month_or_quarter_before_a_year() {
        // A year only when no title row states a month or a quarter.
        let g = grid(&[
            &["UBND TỈNH HƯNG YÊN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
            &["", "KẾT QUẢ NĂM 2025"],
            &["(Kèm theo Công văn ngày 05 tháng 01 năm 2026)"],
            &["Đơn vị", "Điểm tổng hợp"],
        ]);
        let s = stated_period(&g, 3).unwrap();
        assert_eq!((s.period, s.line, s.col), (p("2025").unwrap(), 2, 1));
        let g = grid(&[
            &["Năm 2025"],
            &["Kết quả quý III/2025"],
            &["Đơn vị", "Điểm tổng hợp"],
        ]);
        let s = stated_period(&g, 2).unwrap();
        assert_eq!((s.period, s.line, s.col), (p("2025-Q3").unwrap(), 2, 0));
        // Below the header row nothing is a title.
        let g = grid(&[&["Đơn vị", "Điểm tổng hợp"], &["Quý III/2025", "80"]]);
        assert_eq!(stated_period(&g, 0), None);
    }
}
