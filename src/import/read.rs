//! Turning a file's bytes into a grid of cells: format detection, text
//! decoding, CSV/TSV and XLSX reading. No knowledge of metrics here.

// A file fails at most once, so a large error value costs nothing here.
#![allow(clippy::result_large_err)]

use std::borrow::Cow;
use std::fmt;
use std::io::Cursor;

use calamine::{Data, Reader};

use super::Problem;
use super::sheet::{limits, mb};

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

/// Spreadsheet column name: 0 → A, 25 → Z, 26 → AA; any column a
/// hostile file may name.
pub fn column_letters(c: impl Into<u64>) -> String {
    let mut c: u64 = c.into();
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

/// What a file holds once read. Text borrows the file's bytes when they
/// are UTF-8 already: a 10 MB file is not held twice.
pub enum Content<'a> {
    Grid(Grid),
    /// Delimited text: read it with `delimited`, trying `delimiters` in order.
    Text(Cow<'a, str>),
    Json(Cow<'a, str>),
}

/// Reads a file's bytes. `encoding` is an encoding_rs label for text files
/// that are neither UTF-8 nor UTF-16 with a BOM.
pub fn read<'a>(
    file: &str,
    bytes: &'a [u8],
    encoding: Option<&'static encoding_rs::Encoding>,
    sheet: Option<&str>,
) -> Result<Content<'a>, Problem> {
    if bytes.starts_with(b"PK\x03\x04") {
        return read_workbook(file, bytes, sheet);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return read_workbook(file, bytes, sheet);
    }
    let text = decode(file, bytes, encoding)?;
    if text
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .is_empty()
    {
        return Err(empty(file));
    }
    if text.trim_start().starts_with('{') {
        return Ok(Content::Json(text));
    }
    Ok(Content::Text(text))
}

fn decode<'a>(
    file: &str,
    bytes: &'a [u8],
    encoding: Option<&'static encoding_rs::Encoding>,
) -> Result<Cow<'a, str>, Problem> {
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
        return Ok(text);
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
        return Ok(text);
    }
    if let Some(kind) = binary_kind(bytes) {
        return Err(Problem::file(
            file,
            format!("tệp không phải văn bản hay bảng tính (có vẻ là {kind})"),
            "chiso nhập tệp CSV, TSV, XLSX (hoặc JSON của chiso export): kiểm tra đã chọn đúng tệp, \
             hoặc mở tệp bằng Excel rồi lưu dưới dạng XLSX hoặc CSV UTF-8",
        ));
    }
    let nuls = nul_parities(bytes);
    if nuls.0 + nuls.1 > 2 {
        return Err(Problem::file(
            file,
            "tệp có vẻ là UTF-16 nhưng không có dấu BOM".into(),
            "chạy lại với --encoding utf-16le (hoặc utf-16be)",
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Cow::Borrowed(s)),
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

/// An empty file (or one of spaces only): said as such, not as a file
/// without a header row.
pub fn empty(file: &str) -> Problem {
    Problem::file(
        file,
        "tệp rỗng".into(),
        "tệp không có nội dung: kiểm tra đã chọn đúng tệp và tệp đã được lưu",
    )
}

/// NUL bytes among the first 200, at even and at odd offsets.
fn nul_parities(bytes: &[u8]) -> (usize, usize) {
    bytes
        .iter()
        .take(200)
        .enumerate()
        .filter(|(_, b)| **b == 0)
        .fold((0, 0), |(even, odd), (i, _)| {
            if i % 2 == 0 {
                (even + 1, odd)
            } else {
                (even, odd + 1)
            }
        })
}

/// What a file that is no text at all seems to be: a known signature
/// (PDF, an image, an archive, a program), or bytes no text file has. Such
/// a file gets no `--encoding` hint: no encoding makes it a table. Text in
/// UTF-16 without a BOM has its NULs on one side (every other byte) and is
/// not called binary.
fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: [(&[u8], &str); 9] = [
        (b"%PDF", "tệp PDF"),
        (b"\x89PNG", "ảnh PNG"),
        (b"\xFF\xD8\xFF", "ảnh JPEG"),
        (b"GIF8", "ảnh GIF"),
        (b"\x1F\x8B", "tệp nén gzip"),
        (b"Rar!", "tệp nén RAR"),
        (b"7z\xBC\xAF", "tệp nén 7z"),
        (b"\x7FELF", "một chương trình"),
        (b"{\\rtf", "văn bản RTF"),
    ];
    if let Some((_, kind)) = SIGNATURES.iter().find(|(sig, _)| bytes.starts_with(sig)) {
        return Some(kind);
    }
    let (even, odd) = nul_parities(bytes);
    let utf16 = even + odd > 2 && even.max(odd) * 10 >= (even + odd) * 9;
    if utf16 || std::str::from_utf8(bytes).is_ok() {
        return None;
    }
    // Control bytes that no text encoding uses for letters: tab, line
    // breaks, form feed and escape are left out.
    let head = &bytes[..bytes.len().min(4096)];
    let controls = head
        .iter()
        .filter(|&&b| matches!(b, 0..=8 | 0x0E..=0x1A | 0x1C..=0x1F))
        .count();
    (controls > 2 && controls * 20 > head.len()).then_some("tệp nhị phân")
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
    Ok(Grid {
        format,
        sheet: None,
        first_col: 0,
        sheets: Vec::new(),
        rows: delimited_rows(file, text, format).collect::<Result<_, _>>()?,
    })
}

/// The first `rows` records only: enough to look for the header row.
pub fn delimited_head(
    file: &str,
    text: &str,
    format: Format,
    rows: usize,
) -> Result<Grid, Problem> {
    Ok(Grid {
        format,
        sheet: None,
        first_col: 0,
        sheets: Vec::new(),
        rows: delimited_rows(file, text, format)
            .take(rows)
            .collect::<Result<_, _>>()?,
    })
}

/// The rows of a delimited text one at a time, so a large file never
/// stands in memory as rows and as records at once.
pub fn delimited_rows<'a>(file: &'a str, text: &'a str, format: Format) -> DelimitedRows<'a> {
    let delimiter = match format {
        Format::Tsv => b'\t',
        Format::Csv(d) => d,
        _ => b',',
    };
    let records = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes())
        .into_records();
    DelimitedRows {
        file,
        text,
        records,
        seen: 0,
        line_no: 1,
        rows: 0,
        lines: memchr_count(text.as_bytes()) + 1,
        done: false,
    }
}

pub struct DelimitedRows<'a> {
    file: &'a str,
    text: &'a str,
    records: csv::StringRecordsIntoIter<&'a [u8]>,
    /// Bytes counted for line numbers so far, and the line they reach.
    seen: usize,
    line_no: u64,
    rows: usize,
    /// Lines in the text: at most one row each.
    lines: usize,
    done: bool,
}

impl DelimitedRows<'_> {
    /// The csv crate's own line numbers skip blank lines and miscount
    /// CRLF; count newlines up to each record's first byte instead.
    fn line_of(&mut self, byte: usize) -> u64 {
        let bytes = self.text.as_bytes();
        let mut start = byte.min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start >= self.seen {
            self.line_no += memchr_count(&bytes[self.seen..start]) as u64;
            self.seen = start;
        }
        self.line_no
    }
}

impl Iterator for DelimitedRows<'_> {
    type Item = Result<GridRow, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let record = match self.records.next()? {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| {
                    let at = (p.byte() as usize).min(self.text.len());
                    memchr_count(&self.text.as_bytes()[..at]) as u64 + 1
                });
                // One error ends the rows.
                self.done = true;
                return Some(Err(Problem {
                    file: self.file.to_owned(),
                    place: Some(format!("dòng {line}")),
                    column: None,
                    value: None,
                    message: format!("không đọc được dòng: {e}"),
                    hint: Some("kiểm tra dấu ngoặc kép chưa đóng".into()),
                }));
            }
        };
        self.rows += 1;
        let line = match record.position() {
            Some(p) => self.line_of(p.byte() as usize),
            None => self.rows as u64,
        };
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
        Some(Ok(GridRow { line, cells }))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.lines.saturating_sub(self.rows)))
    }
}

/// Unpacks every XML part of a zip (xlsx, xlsb, ods) into nothing,
/// counting, and refuses the workbook if a part or the whole expands past
/// the limits: the reader would hold it in memory, or spend minutes on it.
/// The sizes the zip declares may lie; the bytes are counted.
fn check_unpacked_size(file: &str, bytes: &[u8]) -> Result<(), Problem> {
    use std::io::Read;
    let Ok(mut zip) = zip9::ZipArchive::new(Cursor::new(bytes)) else {
        // Unmeasured, it would go to the reader unchecked.
        return Err(Problem::file(
            file,
            "không đọc được bảng tính: tệp nén (zip) hỏng hoặc không phải bảng tính".into(),
            "mở tệp bằng Excel hoặc LibreOffice rồi lưu lại dạng .xlsx, hoặc lưu dạng CSV UTF-8",
        ));
    };
    let too_big = |part: &str, limit: u64| {
        Problem::file(
            file,
            format!(
                "bảng tính giải nén ra quá lớn: phần \"{}\" hơn {} (tệp nén chỉ {} KB)",
                crate::text::show(part),
                mb(limit),
                bytes.len() / 1024
            ),
            "tệp có thể hỏng hoặc là \"bom nén\"; nếu là số liệu thật, hãy chia thành nhiều tệp hoặc lưu dạng CSV UTF-8",
        )
    };
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else {
            continue;
        };
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        let lower = name.to_ascii_lowercase();
        // Every part is measured, whatever its name: the workbook's
        // relations may point a sheet at any of them. Sheets and pictures
        // may be larger than the rest.
        let sheet = lower.starts_with("xl/worksheets/")
            || lower == "content.xml"
            || lower.starts_with("xl/media/");
        let limit = if sheet {
            limits::SHEET_XML
        } else {
            limits::PART_XML
        };
        if part.size() > limit {
            return Err(too_big(&name, limit));
        }
        let mut n = 0u64;
        loop {
            match part.read(&mut buf) {
                Ok(0) => break,
                Ok(k) => {
                    n += k as u64;
                    total += k as u64;
                    if n > limit {
                        return Err(too_big(&name, limit));
                    }
                    if total > limits::UNPACKED {
                        return Err(too_big("(tất cả)", limits::UNPACKED));
                    }
                }
                // A broken part: the workbook reader reports it.
                Err(_) => break,
            }
        }
    }
    Ok(())
}

/// Lines in a text (newline bytes).
fn memchr_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

fn read_workbook(
    file: &str,
    bytes: &[u8],
    sheet: Option<&str>,
) -> Result<Content<'static>, Problem> {
    // Every reader below keeps only the cells holding a value, checked
    // against the limits as they come: no dense grid from the first to
    // the last cell of a sheet.
    if !bytes.starts_with(b"PK\x03\x04") {
        return Ok(Content::Grid(super::xls::read(file, bytes, sheet)?));
    }
    check_unpacked_size(file, bytes)?;
    if super::ods::is_ods(bytes) {
        return Ok(Content::Grid(super::ods::read(file, bytes, sheet)?));
    }
    let bad = |e: String| {
        Problem::file(
            file,
            format!("không đọc được bảng tính: {e}"),
            "mở tệp bằng Excel/LibreOffice và lưu lại dạng .xlsx",
        )
    };
    // Xlsx and Xlsb have each their own cell reader type (no trait):
    // one body for both.
    macro_rules! stream {
        ($book:expr) => {{
            let mut book = $book;
            let names = book.sheet_names();
            let name = pick_sheet(file, &names, sheet, &bad)?;
            let mut reader = book
                .worksheet_cells_reader(&name)
                .map_err(|e| bad(e.to_string()))?;
            let cells = stream_cells(file, &name, &bad, || {
                reader
                    .next_cell()
                    .map(|c| c.map(|c| (c.get_position(), c.get_value().clone())))
            })?;
            (names, name, cells)
        }};
    }
    let (names, name, (rows, first_col)) =
        match calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(Cursor::new(bytes)) {
            Ok(book) => stream!(book),
            // Excel's binary workbook (.xlsb), read the same way.
            Err(xlsx) => stream!(
                calamine::open_workbook_from_rs::<calamine::Xlsb<_>, _>(Cursor::new(bytes))
                    .map_err(|_| bad(xlsx.to_string()))?
            ),
        };
    Ok(Content::Grid(Grid {
        format: Format::Xlsx,
        sheet: Some(name),
        first_col,
        sheets: names,
        rows,
    }))
}

/// Reads a worksheet cell by cell from calamine's cell reader (`next`)
/// into `SheetCells`. Returns the rows and the grid's first column.
fn stream_cells<'a, E: fmt::Display>(
    file: &str,
    sheet: &str,
    bad: &dyn Fn(String) -> Problem,
    mut next: impl FnMut() -> Result<Option<((u32, u32), calamine::DataRef<'a>)>, E>,
) -> Result<(Vec<GridRow>, u32), Problem> {
    let mut cells = super::sheet::SheetCells::new(file, sheet);
    while let Some(((row, col), value)) = next().map_err(|e| bad(e.to_string()))? {
        cells.push(row as u64, col as u64, cell_of(&Data::from(value)))?;
    }
    Ok(cells.finish())
}

fn cell_of(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::Float(x) => Cell::Num(*x),
        Data::Int(x) => Cell::Num(*x as f64),
        Data::String(s) => super::sheet::text_cell(s),
        Data::Bool(b) => Cell::Text(b.to_string()),
        other => Cell::Text(other.to_string()),
    }
}

/// The sheet to read: `--sheet` (typed over SSH, often without accents:
/// an exact key first, then a unique accent-insensitive match), else the
/// first.
pub(super) fn pick_sheet(
    file: &str,
    names: &[String],
    sheet: Option<&str>,
    bad: &dyn Fn(String) -> Problem,
) -> Result<String, Problem> {
    match sheet {
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
            }),
        None => names
            .first()
            .cloned()
            .ok_or_else(|| bad("không có trang nào".into())),
    }
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
        assert_eq!(column_letters(0u32), "A");
        assert_eq!(column_letters(25u32), "Z");
        assert_eq!(column_letters(26u32), "AA");
        assert_eq!(column_letters(701u32), "ZZ");
    }
}
