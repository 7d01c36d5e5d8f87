//! Turning a file's bytes into a grid of cells: format detection, text
//! decoding, CSV/TSV and XLSX reading. No knowledge of metrics here.

// A file fails at most once, so a large error value costs nothing here.
#![allow(clippy::result_large_err)]

use std::fmt;
use std::io::Cursor;

use calamine::{Data, Reader};

use super::Problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv(u8),
    Tsv,
    Xlsx,
    Xls,
    Ods,
    Json,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Format::Csv(b';') => f.write_str("CSV (;)"),
            Format::Csv(_) => f.write_str("CSV (,)"),
            Format::Tsv => f.write_str("TSV"),
            Format::Xlsx => f.write_str("XLSX"),
            Format::Xls => f.write_str("XLS"),
            Format::Ods => f.write_str("ODS"),
            Format::Json => f.write_str("JSON"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell {
    #[default]
    Empty,
    Text(String),
    /// A number stored as a number (spreadsheets).
    Num(f64),
}

/// One row of a grid, with where it came from.
#[derive(Debug)]
pub struct GridRow {
    /// 1-based line (text) or row (spreadsheet) number.
    pub line: u64,
    pub cells: Vec<Cell>,
}

#[derive(Debug)]
pub struct Grid {
    pub format: Format,
    /// Spreadsheet sheet name, for cell references.
    pub sheet: Option<String>,
    /// Spreadsheet: column index of the grid's first column (calamine ranges
    /// may start right of A).
    pub first_col: u32,
    /// Spreadsheet: every sheet's name, for the hint when this one has no table.
    pub sheets: Vec<String>,
    pub rows: Vec<GridRow>,
}

impl Grid {
    /// "dòng 12" for text, "ô C12 (trang Sheet1)" for spreadsheets.
    pub fn place(&self, line: u64, col: Option<usize>) -> String {
        match (&self.sheet, col) {
            (Some(sheet), Some(c)) => {
                format!(
                    "ô {}{} (trang {})",
                    column_letters(self.first_col + c as u32),
                    line,
                    sheet
                )
            }
            (Some(sheet), None) => format!("dòng {line} (trang {sheet})"),
            (None, _) => format!("dòng {line}"),
        }
    }
}

/// Spreadsheet column name: 0 → A, 25 → Z, 26 → AA.
pub fn column_letters(mut c: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// What a file holds once read.
pub enum Content {
    Grid(Grid),
    /// Delimited text: read it with `delimited`, trying `delimiters` in order.
    Text(String),
    Json(String),
}

/// Reads a file's bytes. `encoding` is an encoding_rs label for text files
/// that are neither UTF-8 nor UTF-16 with a BOM.
pub fn read(
    file: &str,
    bytes: &[u8],
    encoding: Option<&'static encoding_rs::Encoding>,
    sheet: Option<&str>,
) -> Result<Content, Problem> {
    if bytes.starts_with(b"PK\x03\x04") {
        return read_workbook(file, bytes, sheet);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return read_workbook(file, bytes, sheet);
    }
    let text = decode(file, bytes, encoding)?;
    if text.trim_start().starts_with('{') {
        return Ok(Content::Json(text));
    }
    Ok(Content::Text(text))
}

fn decode(
    file: &str,
    bytes: &[u8],
    encoding: Option<&'static encoding_rs::Encoding>,
) -> Result<String, Problem> {
    // A BOM is proof of the encoding, stronger than --encoding.
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            return Err(Problem::file(
                file,
                format!("tệp có dấu BOM {} nhưng chứa byte không hợp lệ", enc.name()),
                "lưu lại tệp từ Excel hoặc trình soạn thảo rồi nhập lại",
            ));
        }
        return Ok(text.into_owned());
    }
    if let Some(enc) = encoding {
        let (text, had_errors) = enc.decode_without_bom_handling(bytes);
        if had_errors {
            return Err(Problem::file(
                file,
                format!("tệp chứa byte không hợp lệ theo bảng mã {}", enc.name()),
                "kiểm tra lại bảng mã (--encoding)",
            ));
        }
        return Ok(text.into_owned());
    }
    if bytes.len() >= 4 && bytes.iter().take(200).filter(|&&b| b == 0).count() > 2 {
        return Err(Problem::file(
            file,
            "tệp có vẻ là UTF-16 nhưng không có dấu BOM".into(),
            "chạy lại với --encoding utf-16le (hoặc utf-16be)",
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => {
            let at = e.valid_up_to();
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            let col = at
                - bytes[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |p| p + 1)
                + 1;
            Err(Problem {
                file: file.to_owned(),
                place: Some(format!("dòng {line}, byte {col}")),
                column: None,
                value: None,
                message: format!(
                    "tệp không phải UTF-8 (byte 0x{:02X} không hợp lệ)",
                    bytes[at]
                ),
                hint: Some(
                    "nếu tệp lưu bằng bảng mã cũ, chạy lại với --encoding windows-1258 \
                     (hoặc nhãn bảng mã khác); hoặc lưu lại tệp dưới dạng CSV UTF-8"
                        .into(),
                ),
            })
        }
    }
}

/// Tab if any early line has one; else ';' if the header-ish lines use it
/// (Excel under a Vietnamese locale); else ','.
/// The delimited formats to try, most likely first: the sniffed one, then
/// the others (a lone ';' or tab in a title row must not hide the table).
pub fn delimiters(text: &str) -> Vec<Format> {
    let first = sniff_delimiter(text);
    let mut all = vec![first];
    all.extend(
        [Format::Tsv, Format::Csv(b';'), Format::Csv(b',')]
            .into_iter()
            .filter(|f| *f != first),
    );
    all
}

fn sniff_delimiter(text: &str) -> Format {
    let head: Vec<&str> = text.lines().take(40).collect();
    if head.iter().any(|l| l.contains('\t')) {
        return Format::Tsv;
    }
    let count = |c: char| head.iter().map(|l| l.matches(c).count()).max().unwrap_or(0);
    if count(';') > 0 && count(';') >= count(',').min(1) {
        // Commas may be decimal commas inside ';' files; semicolons never are data.
        return Format::Csv(b';');
    }
    Format::Csv(b',')
}

pub fn delimited(file: &str, text: &str, format: Format) -> Result<Grid, Problem> {
    let delimiter = match format {
        Format::Tsv => b'\t',
        Format::Csv(d) => d,
        _ => b',',
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // The csv crate's own line numbers skip blank lines and miscount CRLF;
    // count newlines up to each record's first byte instead.
    let bytes = text.as_bytes();
    let (mut seen, mut line_no) = (0usize, 1u64);
    let mut line_of = |byte: usize| -> u64 {
        let mut start = byte.min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start >= seen {
            line_no += bytes[seen..start].iter().filter(|&&b| b == b'\n').count() as u64;
            seen = start;
        }
        line_no
    };
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| {
                let at = (p.byte() as usize).min(text.len());
                text.as_bytes()[..at]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count() as u64
                    + 1
            });
            Problem {
                file: file.to_owned(),
                place: Some(format!("dòng {line}")),
                column: None,
                value: None,
                message: format!("không đọc được dòng: {e}"),
                hint: Some("kiểm tra dấu ngoặc kép chưa đóng".into()),
            }
        })?;
        let line = record
            .position()
            .map_or(rows.len() as u64 + 1, |p| line_of(p.byte() as usize));
        let cells = record
            .iter()
            .map(|s| {
                let s = s.trim_matches(|c: char| c == ' ' || c == '\u{a0}' || c == '\r');
                if s.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(s.to_owned())
                }
            })
            .collect();
        rows.push(GridRow { line, cells });
    }
    Ok(Grid {
        format,
        sheet: None,
        first_col: 0,
        sheets: Vec::new(),
        rows,
    })
}

fn read_workbook(file: &str, bytes: &[u8], sheet: Option<&str>) -> Result<Content, Problem> {
    let bad = |e: String| {
        Problem::file(
            file,
            format!("không đọc được bảng tính: {e}"),
            "mở tệp bằng Excel/LibreOffice và lưu lại dạng .xlsx",
        )
    };
    let mut book =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| bad(e.to_string()))?;
    let format = match &book {
        calamine::Sheets::Xlsx(_) | calamine::Sheets::Xlsb(_) => Format::Xlsx,
        calamine::Sheets::Xls(_) => Format::Xls,
        calamine::Sheets::Ods(_) => Format::Ods,
    };
    let names = book.sheet_names();
    let name = match sheet {
        // Sheet names are typed over SSH, often without accents: an exact
        // key first, then a unique accent-insensitive match.
        Some(wanted) => names
            .iter()
            .find(|n| crate::text::match_key(n) == crate::text::match_key(wanted))
            .or_else(|| {
                let folded: Vec<&String> = names
                    .iter()
                    .filter(|n| crate::text::fold(n) == crate::text::fold(wanted))
                    .collect();
                (folded.len() == 1).then(|| folded[0])
            })
            .cloned()
            .ok_or_else(|| {
                Problem::file(
                    file,
                    format!("không có trang \"{}\"", crate::text::show(wanted)),
                    &format!("các trang có trong tệp: {}", names.join(", ")),
                )
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| bad("không có trang nào".into()))?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| bad(e.to_string()))?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let cells = row
            .iter()
            .map(|d| match d {
                Data::Empty => Cell::Empty,
                Data::Float(x) => Cell::Num(*x),
                Data::Int(x) => Cell::Num(*x as f64),
                Data::String(s) => {
                    let t = s.trim();
                    if t.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(t.to_owned())
                    }
                }
                Data::Bool(b) => Cell::Text(b.to_string()),
                other => Cell::Text(other.to_string()),
            })
            .collect();
        rows.push(GridRow {
            line: first_row as u64 + i as u64 + 1,
            cells,
        });
    }
    Ok(Content::Grid(Grid {
        format,
        sheet: Some(name),
        first_col,
        sheets: names,
        rows,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(text: &[u8]) -> Grid {
        match read("t", text, None, None).unwrap() {
            Content::Text(t) => delimited("t", &t, delimiters(&t)[0]).unwrap(),
            _ => panic!("not text"),
        }
    }

    #[test]
    fn delimiters_are_sniffed() {
        assert_eq!(grid(b"a\tb\n1\t2\n").format, Format::Tsv);
        assert_eq!(grid(b"a;b\n1,5;2\n").format, Format::Csv(b';'));
        assert_eq!(grid(b"a,b\n1.5,2\n").format, Format::Csv(b','));
        assert_eq!(
            grid(b"Title\r\na,b\r\n").rows[1].cells[1],
            Cell::Text("b".into())
        );
    }

    #[test]
    fn line_numbers_count_blank_lines_and_crlf() {
        let lines = |t: &[u8]| grid(t).rows.iter().map(|r| r.line).collect::<Vec<_>>();
        assert_eq!(lines(b"h,a\nx,1\n\n\nz,3\n"), [1, 2, 5]);
        assert_eq!(lines(b"h,a\r\nx,1\r\n\r\ny,2\r\n"), [1, 2, 4]);
        assert_eq!(lines(b"\"multi\nline\",a\nx,1\n"), [1, 3]);
    }

    #[test]
    fn encodings() {
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Đơn vị\tx\n".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(grid(&utf16).rows[0].cells[0], Cell::Text("Đơn vị".into()));
        let bom = [b"\xEF\xBB\xBF".as_slice(), "Đơn vị,x".as_bytes()].concat();
        assert_eq!(grid(&bom).rows[0].cells[0], Cell::Text("Đơn vị".into()));
        let err = match read("f.csv", b"ok\nT\xEAn,1\n", None, None) {
            Err(e) => e,
            Ok(_) => panic!("latin bytes accepted"),
        };
        assert_eq!(err.place.as_deref(), Some("dòng 2, byte 2"));
        assert!(err.hint.unwrap().contains("--encoding"));
        // Windows-1258 "Hoà" is H o a + combining grave (0xCC).
        let enc = encoding_rs::Encoding::for_label(b"windows-1258");
        match read("f", b"Vi\xEAt Hoa\xCC,1\n", enc, None).unwrap() {
            Content::Text(t) => assert!(t.starts_with("Viêt Hoa\u{300}")),
            _ => panic!(),
        }
    }

    #[test]
    fn columns() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
    }
}
