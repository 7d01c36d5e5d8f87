//! Reading an OpenDocument spreadsheet (.ods) as a stream of its
//! content.xml. Runs of equal cells and rows are written once with a
//! repeat count; empty runs are skipped by arithmetic and a run holding a
//! value is expanded cell by cell through `SheetCells`, which counts it
//! against the limits first. (calamine's reader expands every run of
//! every sheet into a dense grid before anything can be checked.)

// A file fails at most once, so a large error value costs nothing here.
#![allow(clippy::result_large_err)]

use std::io::{BufRead, BufReader, Cursor, Read};

use quick_xml::Reader as XmlReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;

use super::Problem;
use super::read::{Cell, Format, Grid, pick_sheet};
use super::sheet::{SheetCells, text_cell};

const MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";

type Zip<'b> = zip9::ZipArchive<Cursor<&'b [u8]>>;
type Part<'z, 'b> = BufReader<zip9::read::ZipFile<'z, Cursor<&'b [u8]>>>;

/// Whether a zip package is an OpenDocument document (it has content.xml
/// and no workbook of Excel's).
pub fn is_ods(bytes: &[u8]) -> bool {
    let Ok(zip) = zip9::ZipArchive::new(Cursor::new(bytes)) else {
        return false;
    };
    let names: Vec<_> = zip.file_names().filter_map(Result::ok).collect();
    names.iter().any(|n| n == "content.xml")
        && !names
            .iter()
            .any(|n| n.eq_ignore_ascii_case("xl/workbook.xml"))
}

/// Reads the first sheet, or `sheet`, of an .ods file whose parts were
/// measured already (`check_unpacked_size`).
pub fn read(file: &str, bytes: &[u8], sheet: Option<&str>) -> Result<Grid, Problem> {
    let bad = |e: String| {
        Problem::file(
            file,
            format!("không đọc được bảng tính: {e}"),
            "mở tệp bằng LibreOffice hoặc Excel rồi lưu lại dạng .ods hoặc .xlsx",
        )
    };
    let mut zip = zip9::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(e.to_string()))?;
    check_package(file, &mut zip, &bad)?;
    let names = content(&mut zip)
        .and_then(|mut xml| sheet_names(&mut xml))
        .map_err(|e| bad(e.to_string()))?;
    let name = pick_sheet(file, &names, sheet, &bad)?;
    let index = names.iter().position(|n| *n == name).unwrap_or(0);
    let mut cells = SheetCells::new(file, &name);
    let mut xml = content(&mut zip).map_err(|e| bad(e.to_string()))?;
    read_table(&mut xml, index, &mut cells).map_err(|e| match e {
        Failure::Refused(p) => p,
        Failure::Xml(e) => bad(format!("content.xml hỏng ({e})")),
    })?;
    let (rows, first_col) = cells.finish();
    Ok(Grid {
        format: Format::Ods,
        sheet: Some(name),
        first_col,
        sheets: names,
        rows,
    })
}

/// A document of another kind, or one with a password, is refused with
/// what to do.
fn check_package(
    file: &str,
    zip: &mut Zip,
    bad: &dyn Fn(String) -> Problem,
) -> Result<(), Problem> {
    if let Ok(mut m) = zip.by_name("mimetype") {
        let mut kind = Vec::new();
        let _ = m.by_ref().take(200).read_to_end(&mut kind);
        if kind.trim_ascii() != MIMETYPE {
            return Err(bad(format!(
                "tệp OpenDocument này không phải bảng tính ({})",
                crate::text::show(&String::from_utf8_lossy(&kind))
            )));
        }
    }
    if let Ok(mut m) = zip.by_name("META-INF/manifest.xml") {
        let mut manifest = Vec::new();
        let _ = m.read_to_end(&mut manifest);
        if manifest
            .windows(b"encryption-data".len())
            .any(|w| w == b"encryption-data")
        {
            return Err(Problem::file(
                file,
                "bảng tính được đặt mật khẩu, chiso không mở được".into(),
                "mở tệp bằng LibreOffice, bỏ mật khẩu (Tệp › Thuộc tính › Bảo mật) rồi lưu lại",
            ));
        }
    }
    Ok(())
}

enum Failure {
    Refused(Problem),
    Xml(String),
}

impl From<quick_xml::Error> for Failure {
    fn from(e: quick_xml::Error) -> Self {
        Failure::Xml(e.to_string())
    }
}

impl From<quick_xml::events::attributes::AttrError> for Failure {
    fn from(e: quick_xml::events::attributes::AttrError) -> Self {
        Failure::Xml(e.to_string())
    }
}

impl From<Problem> for Failure {
    fn from(p: Problem) -> Self {
        Failure::Refused(p)
    }
}

/// A reader of content.xml.
fn content<'z, 'b>(zip: &'z mut Zip<'b>) -> Result<XmlReader<Part<'z, 'b>>, quick_xml::Error> {
    let part = zip
        .by_name("content.xml")
        .map_err(|e| quick_xml::Error::Io(std::sync::Arc::new(std::io::Error::other(e))))?;
    Ok(configured(XmlReader::from_reader(BufReader::new(part))))
}

fn configured<R>(mut xml: XmlReader<R>) -> XmlReader<R> {
    let config = xml.config_mut();
    // No stack of open names: nesting costs nothing.
    config.check_end_names = false;
    config.expand_empty_elements = true;
    xml
}

/// An attribute's value with its references resolved.
fn value_of(a: &quick_xml::events::attributes::Attribute) -> Result<String, quick_xml::Error> {
    Ok(a.normalized_value(quick_xml::XmlVersion::Implicit1_0)?
        .into_owned())
}

fn is(e: &BytesStart, name: &str) -> bool {
    e.name() == QName(name)
}

/// The sheets' names, in order: the tables directly in the spreadsheet
/// (a table inside a cell is no sheet).
fn sheet_names<R: BufRead>(xml: &mut XmlReader<R>) -> Result<Vec<String>, quick_xml::Error> {
    let mut names = Vec::new();
    let mut buf = Vec::new();
    let mut skip = Vec::new();
    loop {
        match xml.read_event_into(&mut buf)? {
            Event::Start(e) if is(&e, "table:table") => {
                let name = e
                    .try_get_attribute("table:name")?
                    .map(|a| value_of(&a))
                    .transpose()?
                    .unwrap_or_default();
                names.push(name);
                xml.read_to_end_into(QName("table:table"), &mut skip)?;
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(names)
}

/// Reads the `index`th table's values into `cells`.
fn read_table<R: BufRead>(
    xml: &mut XmlReader<R>,
    index: usize,
    cells: &mut SheetCells,
) -> Result<(), Failure> {
    let mut buf = Vec::new();
    let mut skip = Vec::new();
    let mut seen = 0;
    // Find the table.
    loop {
        match xml.read_event_into(&mut buf)? {
            Event::Start(e) if is(&e, "table:table") => {
                if seen == index {
                    break;
                }
                seen += 1;
                xml.read_to_end_into(QName("table:table"), &mut skip)?;
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
    // Its rows, wherever they sit (header rows, row groups).
    let mut row: u64 = 0;
    let mut values: Vec<(u64, u64, Cell)> = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf)? {
            Event::Start(e) if is(&e, "table:table-row") => {
                let repeat = number_attr(&e, "table:number-rows-repeated")?;
                values.clear();
                read_row(xml, row, cells, &mut values)?;
                if !values.is_empty() {
                    // A run of rows holding values: each counted as it is
                    // added, so ten million copies stop at the limit.
                    for r in 0..repeat {
                        for (col, times, cell) in &values {
                            for c in 0..*times {
                                cells.push(row + r, col + c, cell.clone())?;
                            }
                        }
                    }
                }
                row = row.saturating_add(repeat);
            }
            Event::Start(e) if is(&e, "table:table") => {
                xml.read_to_end_into(QName("table:table"), &mut skip)?;
            }
            Event::End(e) if e.name() == QName("table:table") => return Ok(()),
            Event::Eof => return Err(Failure::Xml("bảng chưa đóng".into())),
            _ => {}
        }
    }
}

/// A repeat count; absent or unreadable counts once.
fn number_attr(e: &BytesStart, name: &str) -> Result<u64, Failure> {
    Ok(match e.try_get_attribute(name)? {
        Some(a) => a.value.trim().parse::<u64>().unwrap_or(1).max(1),
        None => 1,
    })
}

/// One row's cells: the values, each with its column and repeat count, go
/// into `values`; empty runs only move the column on.
fn read_row<R: BufRead>(
    xml: &mut XmlReader<R>,
    row: u64,
    cells: &SheetCells,
    values: &mut Vec<(u64, u64, Cell)>,
) -> Result<(), Failure> {
    let mut buf = Vec::new();
    let mut col: u64 = 0;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf)? {
            Event::Start(e) if is(&e, "table:table-cell") || is(&e, "table:covered-table-cell") => {
                let times = number_attr(&e, "table:number-columns-repeated")?;
                let cell = read_cell(xml, &e, row, col, cells)?;
                if cell != Cell::Empty {
                    values.push((col, times, cell));
                }
                col = col.saturating_add(times);
            }
            Event::Start(e) => {
                xml.read_to_end_into(e.name(), &mut Vec::new())?;
            }
            Event::End(e) if e.name() == QName("table:table-row") => return Ok(()),
            Event::Eof => return Err(Failure::Xml("dòng chưa đóng".into())),
            _ => {}
        }
    }
}

/// A cell's value from its attributes (numbers, dates, booleans) or its
/// text; reads up to the cell's end.
fn read_cell<R: BufRead>(
    xml: &mut XmlReader<R>,
    e: &BytesStart,
    row: u64,
    col: u64,
    cells: &SheetCells,
) -> Result<Cell, Failure> {
    let (mut kind, mut value, mut string, mut error) = (None, None, None, false);
    for a in e.attributes() {
        let a = a?;
        let v = || value_of(&a);
        match a.key.as_ref() {
            "office:value-type" => kind = Some(v()?),
            "office:value" | "office:date-value" | "office:time-value" | "office:boolean-value" => {
                value = Some(v()?);
            }
            "office:string-value" => string = Some(v()?),
            "calcext:value-type" => error = a.value == "error",
            _ => {}
        }
    }
    let from_attrs = match kind.as_deref() {
        _ if error => None,
        Some("float" | "percentage" | "currency") => value.map(|v| match v.trim().parse::<f64>() {
            Ok(x) if x.is_finite() => Cell::Num(x),
            // Named by its cell when checked, not a failure of the file.
            _ => text_cell(&v),
        }),
        Some("date" | "time") => value.map(|v: String| text_cell(&v)),
        Some("boolean") => {
            value.map(|v| Cell::Text((v.trim() == "true" || v.trim() == "TRUE").to_string()))
        }
        Some("string") => string.map(|s: String| text_cell(&s)),
        _ => None,
    };
    match from_attrs {
        Some(cell) => {
            xml.read_to_end_into(e.name(), &mut Vec::new())?;
            Ok(cell)
        }
        None => {
            let room = cells.text_room();
            match read_text(xml, room)? {
                Some(t) => Ok(text_cell(&t)),
                None => Err(cells.too_big(row, col).into()),
            }
        }
    }
}

/// The text of a cell up to its end: paragraphs on lines of their own,
/// spaces and tabs written as elements, comments left out. None when it
/// would pass `room` bytes.
fn read_text<R: BufRead>(xml: &mut XmlReader<R>, room: usize) -> Result<Option<String>, Failure> {
    let mut s = String::new();
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut paragraphs = 0usize;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf)? {
            Event::Text(t) => s.push_str(&t.xml10_content()),
            Event::CData(t) => s.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => match r.resolve_char_ref()? {
                Some(c) => s.push(c),
                None => s.push_str(match &*r {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "apos" => "'",
                    "quot" => "\"",
                    _ => "",
                }),
            },
            Event::Start(e) if is(&e, "office:annotation") => {
                xml.read_to_end_into(QName("office:annotation"), &mut Vec::new())?;
            }
            Event::Start(e) => {
                depth += 1;
                if is(&e, "text:p") || is(&e, "text:h") {
                    if paragraphs > 0 {
                        s.push('\n');
                    }
                    paragraphs += 1;
                } else if is(&e, "text:s") {
                    let n = number_attr(&e, "text:c")?;
                    if n > room.saturating_sub(s.len()) as u64 {
                        return Ok(None);
                    }
                    s.extend(std::iter::repeat_n(' ', n as usize));
                } else if is(&e, "text:tab") {
                    s.push('\t');
                } else if is(&e, "text:line-break") {
                    s.push('\n');
                }
            }
            Event::End(_) => {
                if depth == 0 {
                    return Ok(Some(s));
                }
                depth -= 1;
            }
            Event::Eof => return Err(Failure::Xml("ô chưa đóng".into())),
            _ => {}
        }
        if s.len() > room {
            return Ok(None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture_content() -> Vec<u8> {
        let file =
            include_bytes!("../../tests/fixtures/khoai-chau-2024-08-phu-luc-1-libreoffice.ods");
        let mut zip = zip9::ZipArchive::new(Cursor::new(&file[..])).unwrap();
        let mut xml = Vec::new();
        zip.by_name("content.xml")
            .unwrap()
            .read_to_end(&mut xml)
            .unwrap();
        xml
    }

    /// Reads the first table of a content.xml.
    fn first_table(xml: &[u8]) -> Result<(Vec<String>, usize), String> {
        let names =
            sheet_names(&mut configured(XmlReader::from_reader(xml))).map_err(|e| e.to_string())?;
        let mut cells = SheetCells::new("f", "S");
        read_table(&mut configured(XmlReader::from_reader(xml)), 0, &mut cells).map_err(
            |e| match e {
                Failure::Refused(p) => p.message,
                Failure::Xml(e) => e,
            },
        )?;
        Ok((names, cells.finish().0.len()))
    }

    /// content.xml mutated at random (bytes changed, spans cut or
    /// repeated, huge repeat counts put in) is read or refused, never a
    /// panic.
    #[test]
    fn a_mutated_content_never_panics() {
        let xml = fixture_content();
        assert_eq!(first_table(&xml), Ok((vec!["p1".to_owned()], 26)));
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n.max(1) as u64) as usize
        };
        let inserts: [&[u8]; 5] = [
            b" table:number-columns-repeated=\"300\"",
            b" table:number-rows-repeated=\"4000000000\"",
            b" table:number-columns-repeated=\"-5\"",
            b"<text:s text:c=\"99999999999\"/>",
            b"&#xD800;&bogus;",
        ];
        let (mut read, mut refused) = (0, 0);
        for _ in 0..400 {
            let mut s = xml.clone();
            for _ in 0..1 + next(3) {
                let at = next(s.len());
                match next(5) {
                    0 => s.truncate(at),
                    1 => {
                        let span: Vec<u8> = s[at..(at + next(200)).min(s.len())].to_vec();
                        s.splice(at..at, span);
                    }
                    2 => {
                        let text = inserts[next(inserts.len())];
                        s.splice(at..at, text.iter().copied());
                    }
                    _ => s[at] = next(256) as u8,
                }
                if s.is_empty() {
                    break;
                }
            }
            match first_table(&s) {
                Ok(_) => read += 1,
                Err(_) => refused += 1,
            }
        }
        assert!(read > 40 && refused > 40, "{read} read, {refused} refused");
    }
}
