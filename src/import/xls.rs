//! Reading an Excel 97–2003 workbook (.xls): BIFF8 (or BIFF5) records in
//! the Workbook stream of a Compound File. Only the chosen sheet is read,
//! cell record by cell record, into `SheetCells`, so memory follows the
//! values present and the limits are checked as they come.
//!
//! calamine's reader is not used for .xls: on opening it builds every
//! sheet into a dense grid from its first to its last cell (one value at
//! IV65536 costs 16 million cells), writes out every formula as text (a
//! five-byte name reference becomes up to 255 characters) and copies a
//! shared string into every cell that shows it, all before anything can be
//! checked. Reading the values is simpler than bounding all of that.

// A file fails at most once, so a large error value costs nothing here.
#![allow(clippy::result_large_err)]

use std::io::{Cursor, Read};

use super::Problem;
use super::read::{Cell, Format, Grid, pick_sheet};
use super::sheet::{SheetCells, text_cell};

/// Record types (MS-XLS 2.3).
mod rt {
    pub const BOF: u16 = 0x0809;
    pub const EOF: u16 = 0x000A;
    pub const CONTINUE: u16 = 0x003C;
    pub const FILEPASS: u16 = 0x002F;
    pub const CODEPAGE: u16 = 0x0042;
    pub const BOUNDSHEET: u16 = 0x0085;
    pub const SST: u16 = 0x00FC;
    pub const NUMBER: u16 = 0x0203;
    pub const RK: u16 = 0x027E;
    pub const MULRK: u16 = 0x00BD;
    pub const LABELSST: u16 = 0x00FD;
    pub const LABEL: u16 = 0x0204;
    pub const RSTRING: u16 = 0x00D6;
    pub const BOOLERR: u16 = 0x0205;
    pub const FORMULA: u16 = 0x0006;
    pub const STRING: u16 = 0x0207;
}

/// Reads the first sheet, or `sheet`, of an .xls file.
pub fn read(file: &str, bytes: &[u8], sheet: Option<&str>) -> Result<Grid, Problem> {
    let bad = |e: String| {
        Problem::file(
            file,
            format!("không đọc được bảng tính: {e}"),
            "mở tệp bằng Excel hoặc LibreOffice rồi lưu lại dạng .xlsx",
        )
    };
    let stream = workbook_stream(file, bytes, &bad)?;
    read_stream(file, &stream, sheet, &bad)
}

/// Reads the first sheet, or `sheet`, of a Workbook stream.
fn read_stream(
    file: &str,
    stream: &[u8],
    sheet: Option<&str>,
    bad: &dyn Fn(String) -> Problem,
) -> Result<Grid, Problem> {
    let book = globals(file, stream, bad)?;
    let names: Vec<String> = book.sheets.iter().map(|s| s.0.clone()).collect();
    let name = pick_sheet(file, &names, sheet, bad)?;
    let at = book
        .sheets
        .iter()
        .find(|s| s.0 == name)
        .map_or(0, |s| s.1 as usize);
    let mut cells = SheetCells::new(file, &name);
    read_sheet(stream, at, &book, &mut cells).map_err(|e| match e {
        Failure::Refused(p) => p,
        Failure::Broken(why) => bad(format!("trang \"{name}\" hỏng ({why})")),
    })?;
    let (rows, first_col) = cells.finish();
    Ok(Grid {
        format: Format::Xls,
        sheet: Some(name),
        first_col,
        sheets: names,
        rows,
    })
}

/// The Workbook stream ("Book" in Excel 5–95), read whole: it is no
/// longer than the file.
fn workbook_stream(
    file: &str,
    bytes: &[u8],
    bad: &dyn Fn(String) -> Problem,
) -> Result<Vec<u8>, Problem> {
    let mut cf = cfb::CompoundFile::open(Cursor::new(bytes))
        .map_err(|e| bad(format!("tệp .xls hỏng ({e})")))?;
    let path = ["/Workbook", "/Book"].into_iter().find(|p| cf.is_stream(p));
    let Some(path) = path else {
        if cf.is_stream("/EncryptionInfo") {
            return Err(password(file));
        }
        return Err(bad(
            "tệp này không phải bảng tính Excel (không có phần Workbook)".into(),
        ));
    };
    let mut stream = Vec::new();
    cf.open_stream(path)
        .and_then(|s| s.take(bytes.len() as u64).read_to_end(&mut stream))
        .map_err(|e| bad(format!("tệp .xls hỏng ({e})")))?;
    Ok(stream)
}

fn password(file: &str) -> Problem {
    Problem::file(
        file,
        "bảng tính được đặt mật khẩu, chiso không mở được".into(),
        "mở tệp bằng Excel, bỏ mật khẩu (Tệp › Thông tin › Bảo vệ sổ làm việc) rồi lưu lại",
    )
}

/// What the workbook's globals say: its worksheets (name, where their
/// records start), the shared strings, how old strings are encoded.
struct Book {
    sheets: Vec<(String, u32)>,
    strings: Strings,
    biff8: bool,
    encoding: &'static encoding_rs::Encoding,
}

fn globals(file: &str, stream: &[u8], bad: &dyn Fn(String) -> Problem) -> Result<Book, Problem> {
    let mut book = Book {
        sheets: Vec::new(),
        strings: Strings::default(),
        biff8: true,
        encoding: encoding_rs::WINDOWS_1252,
    };
    let broken = |why: &str| bad(format!("tệp .xls hỏng ({why})"));
    let mut records = Records::new(stream, 0);
    match records.next() {
        Some(Ok(r)) if r.typ == rt::BOF && r.data.len() >= 2 => {
            book.biff8 = u16_at(r.data, 0) != 0x0500;
        }
        _ => return Err(broken("không bắt đầu bằng bản ghi BOF")),
    }
    for r in records {
        let r = r.map_err(&broken)?;
        match r.typ {
            rt::FILEPASS => return Err(password(file)),
            rt::CODEPAGE if r.data.len() >= 2 => {
                book.encoding = codepage(u16_at(r.data, 0));
            }
            rt::BOUNDSHEET if r.data.len() >= 8 => {
                let (pos, kind) = (u32_at(r.data, 0), r.data[5]);
                let mut p = Parts::new(&r);
                p.skip(6);
                let name = if book.biff8 {
                    p.u8().and_then(|n| p.string(n as usize))
                } else {
                    p.u8().and_then(|n| p.bytes(n as usize, book.encoding))
                };
                // Worksheets only: not charts, macros or modules.
                if kind == 0 {
                    book.sheets.push((name.unwrap_or_default(), pos));
                }
            }
            rt::SST => book.strings = Strings::read(&r),
            rt::EOF => break,
            _ => {}
        }
    }
    Ok(book)
}

enum Failure {
    Refused(Problem),
    Broken(String),
}

impl From<Problem> for Failure {
    fn from(p: Problem) -> Self {
        Failure::Refused(p)
    }
}

/// The cell records of the sheet starting at `at`; charts embedded in it
/// (BOF … EOF inside) are skipped.
fn read_sheet(
    stream: &[u8],
    at: usize,
    book: &Book,
    cells: &mut SheetCells,
) -> Result<(), Failure> {
    let broken = |why: &str| Failure::Broken(why.to_owned());
    if at >= stream.len() {
        return Err(broken("trang nằm ngoài tệp"));
    }
    let mut records = Records::new(stream, at);
    match records.next() {
        Some(Ok(r)) if r.typ == rt::BOF => {}
        _ => return Err(broken("trang không bắt đầu bằng bản ghi BOF")),
    }
    let mut depth = 0usize;
    // A formula whose text result follows in a STRING record.
    let mut text_result: Option<(u16, u16)> = None;
    for r in records {
        let r = r.map_err(broken)?;
        if depth > 0 {
            match r.typ {
                rt::BOF => depth += 1,
                rt::EOF => depth -= 1,
                _ => {}
            }
            continue;
        }
        let d = r.data;
        let pos = |d: &[u8]| (u16_at(d, 0), u16_at(d, 2));
        let mut put = |(row, col): (u16, u16), cell: Cell| cells.push(row as u64, col as u64, cell);
        match r.typ {
            rt::BOF => depth += 1,
            rt::EOF => break,
            rt::NUMBER if d.len() >= 14 => put(pos(d), number(f64_at(d, 6)))?,
            rt::RK if d.len() >= 10 => put(pos(d), number(rk(u32_at(d, 6))))?,
            rt::MULRK if d.len() >= 6 => {
                let (row, first) = pos(d);
                for (i, rec) in d[4..d.len() - 2].chunks_exact(6).enumerate() {
                    let col = first as u64 + i as u64;
                    cells.push(row as u64, col, number(rk(u32_at(rec, 2))))?;
                }
            }
            rt::LABELSST if d.len() >= 10 => {
                if let Some(s) = book.strings.get(u32_at(d, 6) as usize) {
                    put(pos(d), text_cell(s))?;
                }
            }
            rt::LABEL | rt::RSTRING if d.len() >= 8 => {
                let mut p = Parts::new(&r);
                p.skip(6);
                if let Some(s) = inline_string(&mut p, book) {
                    put(pos(d), text_cell(&s))?;
                }
            }
            rt::BOOLERR if d.len() >= 8 => {
                let v = d[6];
                let cell = if d[7] == 0 {
                    Cell::Text((v != 0).to_string())
                } else {
                    Cell::Text(error_text(v).into())
                };
                put(pos(d), cell)?;
            }
            rt::FORMULA if d.len() >= 20 => {
                text_result = None;
                if d[12..14] != [0xFF, 0xFF] {
                    put(pos(d), number(f64_at(d, 6)))?;
                } else {
                    match d[6] {
                        0 => text_result = Some(pos(d)),
                        1 => put(pos(d), Cell::Text((d[8] != 0).to_string()))?,
                        2 => put(pos(d), Cell::Text(error_text(d[8]).into()))?,
                        _ => {}
                    }
                }
            }
            rt::STRING => {
                if let Some(at) = text_result.take() {
                    let mut p = Parts::new(&r);
                    if let Some(s) = inline_string(&mut p, book) {
                        put(at, text_cell(&s))?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// A number as the grid keeps it; what is not a number shows as Excel's
/// error.
fn number(x: f64) -> Cell {
    if x.is_finite() {
        Cell::Num(x)
    } else {
        Cell::Text("#NUM!".into())
    }
}

/// An RK number: 30 bits of an integer or the top of a double, maybe in
/// hundredths (MS-XLS 2.5.218).
fn rk(v: u32) -> f64 {
    let x = if v & 2 != 0 {
        ((v as i32) >> 2) as f64
    } else {
        f64::from_bits(((v & 0xFFFF_FFFC) as u64) << 32)
    };
    if v & 1 != 0 { x / 100.0 } else { x }
}

fn error_text(code: u8) -> &'static str {
    match code {
        0x00 => "#NULL!",
        0x07 => "#DIV/0!",
        0x0F => "#VALUE!",
        0x17 => "#REF!",
        0x1D => "#NAME?",
        0x24 => "#NUM!",
        0x2A => "#N/A",
        _ => "#DATA!",
    }
}

/// The text of a LABEL, RSTRING or STRING record from its length on.
fn inline_string(p: &mut Parts, book: &Book) -> Option<String> {
    let n = p.u16()? as usize;
    if book.biff8 {
        p.string(n)
    } else {
        p.bytes(n, book.encoding)
    }
}

/// The encoding of Excel 5–95 text by its code page.
fn codepage(cp: u16) -> &'static encoding_rs::Encoding {
    use encoding_rs as e;
    match cp {
        874 => e::WINDOWS_874,
        932 => e::SHIFT_JIS,
        936 => e::GBK,
        949 => e::EUC_KR,
        950 => e::BIG5,
        1200 => e::UTF_16LE,
        1250..=1258 => {
            e::Encoding::for_label(format!("windows-{cp}").as_bytes()).unwrap_or(e::WINDOWS_1252)
        }
        10000 | 32768 => e::MACINTOSH,
        65001 => e::UTF_8,
        _ => e::WINDOWS_1252,
    }
}

/// The shared strings, all in one text: a string costs its bytes and
/// four more, however many there are.
#[derive(Default)]
struct Strings {
    text: String,
    ends: Vec<u32>,
}

impl Strings {
    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.get(start..end)
    }

    /// The SST record and its CONTINUEs: counts, then each string with
    /// its formatting runs and phonetic data skipped (MS-XLS 2.4.265). A
    /// string cut short ends the table.
    fn read(r: &Record) -> Strings {
        let mut out = Strings::default();
        let mut p = Parts::new(r);
        p.skip(8);
        while p.more() {
            let Some(cch) = p.u16() else { break };
            let Some(flags) = p.u8() else { break };
            let runs = if flags & 0x08 != 0 { p.u16() } else { Some(0) };
            let ext = if flags & 0x04 != 0 { p.u32() } else { Some(0) };
            let (Some(runs), Some(ext)) = (runs, ext) else {
                break;
            };
            if !p.chars(cch as usize, flags & 1 != 0, &mut out.text) {
                break;
            }
            out.ends.push(out.text.len() as u32);
            p.skip(4 * runs as usize + ext as usize);
        }
        out
    }
}

/// One record: its type, data and the data of the CONTINUE records after
/// it.
struct Record<'a> {
    typ: u16,
    data: &'a [u8],
    more: Vec<&'a [u8]>,
}

struct Records<'a> {
    stream: &'a [u8],
    at: usize,
}

impl<'a> Records<'a> {
    fn new(stream: &'a [u8], at: usize) -> Self {
        Records { stream, at }
    }

    fn raw(&mut self) -> Option<Result<(u16, &'a [u8]), &'static str>> {
        let rest = &self.stream[self.at.min(self.stream.len())..];
        if rest.len() < 4 {
            return None;
        }
        let (typ, len) = (u16_at(rest, 0), u16_at(rest, 2) as usize);
        if rest.len() < 4 + len {
            self.at = self.stream.len();
            return Some(Err("bản ghi bị cắt cụt"));
        }
        self.at += 4 + len;
        Some(Ok((typ, &rest[4..4 + len])))
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, &'static str>;

    fn next(&mut self) -> Option<Self::Item> {
        let (typ, data) = match self.raw()? {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        let mut more = Vec::new();
        while self.stream.len() >= self.at + 4 && u16_at(self.stream, self.at) == rt::CONTINUE {
            match self.raw() {
                Some(Ok((_, d))) => more.push(d),
                Some(Err(e)) => return Some(Err(e)),
                None => break,
            }
        }
        Some(Ok(Record { typ, data, more }))
    }
}

/// Reading across a record and its CONTINUEs.
struct Parts<'a, 'r> {
    cur: &'a [u8],
    rest: std::slice::Iter<'r, &'a [u8]>,
}

impl<'a, 'r> Parts<'a, 'r> {
    fn new(r: &'r Record<'a>) -> Self {
        Parts {
            cur: r.data,
            rest: r.more.iter(),
        }
    }

    /// Whether anything is left; moves to the next part when this one is
    /// used up.
    fn more(&mut self) -> bool {
        while self.cur.is_empty() {
            match self.rest.next() {
                Some(next) => self.cur = next,
                None => return false,
            }
        }
        true
    }

    fn u8(&mut self) -> Option<u8> {
        if !self.more() {
            return None;
        }
        let b = self.cur[0];
        self.cur = &self.cur[1..];
        Some(b)
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes([self.u8()?, self.u8()?]))
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes([
            self.u8()?,
            self.u8()?,
            self.u8()?,
            self.u8()?,
        ]))
    }

    fn skip(&mut self, mut n: usize) {
        while n > 0 && self.more() {
            let k = n.min(self.cur.len());
            self.cur = &self.cur[k..];
            n -= k;
        }
    }

    /// A BIFF8 string of `n` characters after its flags byte.
    fn string(&mut self, n: usize) -> Option<String> {
        let flags = self.u8()?;
        let mut s = String::new();
        self.chars(n, flags & 1 != 0, &mut s).then_some(s)
    }

    /// `n` characters, one byte each (Latin-1) or two (UTF-16LE), onto
    /// `out`. Characters going on in a CONTINUE record start it with a
    /// fresh flags byte saying which.
    fn chars(&mut self, mut n: usize, mut wide: bool, out: &mut String) -> bool {
        while n > 0 {
            if self.cur.is_empty() {
                match self.rest.next() {
                    Some(next) if !next.is_empty() => {
                        wide = next[0] & 1 != 0;
                        self.cur = &next[1..];
                    }
                    _ => return false,
                }
                continue;
            }
            if wide {
                let k = n.min(self.cur.len() / 2);
                if k == 0 {
                    // Half a character: the record is broken.
                    return false;
                }
                let units = self.cur[..2 * k]
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]));
                out.extend(char::decode_utf16(units).map(|c| c.unwrap_or('\u{FFFD}')));
                self.cur = &self.cur[2 * k..];
                n -= k;
            } else {
                let k = n.min(self.cur.len());
                out.extend(self.cur[..k].iter().map(|&b| b as char));
                self.cur = &self.cur[k..];
                n -= k;
            }
        }
        true
    }

    /// Excel 5–95 text: `n` bytes in the workbook's code page.
    fn bytes(&mut self, n: usize, encoding: &'static encoding_rs::Encoding) -> Option<String> {
        let mut raw = Vec::with_capacity(n.min(self.cur.len()));
        for _ in 0..n {
            raw.push(self.u8()?);
        }
        Some(encoding.decode_without_bom_handling(&raw).0.into_owned())
    }
}

fn u16_at(d: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([d[i], d[i + 1]])
}

fn u32_at(d: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([d[i], d[i + 1], d[i + 2], d[i + 3]])
}

fn f64_at(d: &[u8], i: usize) -> f64 {
    let mut b = [0; 8];
    b.copy_from_slice(&d[i..i + 8]);
    f64::from_le_bytes(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(typ: u16, parts: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, p) in parts.iter().enumerate() {
            let t = if i == 0 { typ } else { rt::CONTINUE };
            out.extend_from_slice(&t.to_le_bytes());
            out.extend_from_slice(&(p.len() as u16).to_le_bytes());
            out.extend_from_slice(p);
        }
        out
    }

    #[test]
    fn shared_strings_go_on_across_continue_records() {
        // "Hà" in UTF-16 whose second character starts the CONTINUE with
        // a Latin-1 flags byte; then a rich string with a phonetic block
        // split from its text; then "x".
        let sst = record(
            rt::SST,
            &[
                &[3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 1, b'H', 0],
                &[
                    0, 0xE0, 3, 0, 0x0C, 1, 0, 2, 0, 0, 0, b'a', b'b', b'c', 1, 0,
                ],
                &[0, 0, 9, 9, 1, 0, 0, b'x'],
            ],
        );
        let mut records = Records::new(&sst, 0);
        let r = records.next().unwrap().unwrap();
        assert_eq!(r.more.len(), 2);
        let s = Strings::read(&r);
        assert_eq!(s.get(0), Some("Hà"));
        assert_eq!(s.get(1), Some("abc"));
        assert_eq!(s.get(2), Some("x"));
        assert_eq!(s.get(3), None);
    }

    /// Excel 5–95 (BIFF5): text in the workbook's code page, no shared
    /// strings; a chart sheet is not offered.
    #[test]
    fn an_excel_95_workbook_reads_in_its_code_page() {
        let bof = |dt: u16| [0x0500u16.to_le_bytes(), dt.to_le_bytes()].concat();
        let sheet = [
            record(rt::BOF, &[&bof(0x10)]),
            record(
                rt::LABEL,
                &[&[1, 0, 0, 0, 0, 0, 4, 0, b'V', b'i', 0xEA, b't']],
            ),
            record(
                rt::NUMBER,
                &[&[&[1, 0, 1, 0, 0, 0][..], &12.5f64.to_le_bytes()].concat()],
            ),
            record(rt::EOF, &[]),
        ]
        .concat();
        let boundsheet = |at: u32, kind: u8, name: &[u8]| {
            let mut d = at.to_le_bytes().to_vec();
            d.extend_from_slice(&[0, kind, name.len() as u8]);
            d.extend_from_slice(name);
            record(rt::BOUNDSHEET, &[&d])
        };
        let head = |at: u32| {
            [
                record(rt::BOF, &[&bof(5)]),
                record(rt::CODEPAGE, &[&1258u16.to_le_bytes()]),
                boundsheet(0, 2, b"Chart1"),
                boundsheet(at, 0, b"Trang \xF0"),
                record(rt::EOF, &[]),
            ]
            .concat()
        };
        let at = head(0).len() as u32;
        let stream = [head(at), sheet].concat();
        let bad = |e: String| Problem::file("f", e, "");
        let grid = read_stream("f", &stream, None, &bad).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(grid.sheets, ["Trang đ"]);
        assert_eq!(grid.rows.len(), 1);
        assert_eq!(grid.rows[0].line, 2);
        assert_eq!(
            grid.rows[0].cells,
            [Cell::Text("Viêt".into()), Cell::Num(12.5)]
        );
    }

    #[test]
    fn rk_numbers() {
        assert_eq!(rk((80 << 2) | 2), 80.0);
        assert_eq!(rk(((-3i32) << 2) as u32 | 2), -3.0);
        assert_eq!(rk((9048 << 2) | 3), 90.48);
        let top = (12.5f64.to_bits() >> 32) as u32;
        assert_eq!(rk(top), 12.5);
        assert_eq!(rk(top | 1), 0.125);
    }

    /// A Workbook stream mutated at random (bytes changed, spans cut or
    /// repeated) is read or refused, never a panic.
    #[test]
    fn a_mutated_workbook_never_panics() {
        let file =
            include_bytes!("../../tests/fixtures/khoai-chau-2024-08-phu-luc-1-libreoffice.xls");
        let bad = |e: String| Problem::file("f", e, "");
        let stream = workbook_stream("f", file, &bad).unwrap_or_else(|_| panic!("fixture"));
        let grid = read_stream("f", &stream, None, &bad).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(grid.rows.len(), 26);
        assert_eq!(grid.rows[2].cells[1], Cell::Text("An Vỹ".into()));
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n.max(1) as u64) as usize
        };
        let (mut read, mut refused) = (0, 0);
        for _ in 0..3000 {
            let mut s = stream.clone();
            for _ in 0..1 + next(4) {
                let at = next(s.len());
                match next(4) {
                    0 => s.truncate(at),
                    1 => {
                        let span: Vec<u8> = s[at..(at + next(64)).min(s.len())].to_vec();
                        s.splice(at..at, span);
                    }
                    _ => s[at] = next(256) as u8,
                }
                if s.is_empty() {
                    break;
                }
            }
            match read_stream("f", &s, None, &bad) {
                Ok(_) => read += 1,
                Err(_) => refused += 1,
            }
        }
        assert!(
            read > 100 && refused > 100,
            "{read} read, {refused} refused"
        );
    }

    #[test]
    fn a_truncated_record_is_an_error_not_a_panic() {
        let mut r = record(rt::NUMBER, &[&[0; 14]]);
        r.truncate(10);
        assert!(Records::new(&r, 0).next().unwrap().is_err());
        assert!(Records::new(&r, 100).next().is_none());
    }
}
