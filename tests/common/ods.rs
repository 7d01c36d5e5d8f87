//! A minimal .ods writer for tests: mimetype, manifest and content.xml
//! around tables written as XML text, with the repeat attributes
//! LibreOffice uses for runs of equal cells and rows.

use std::io::Write as _;

const MIMETYPE: &str = "application/vnd.oasis.opendocument.spreadsheet";

/// The package around `tables` (each a `<table:table>` element).
pub fn ods(tables: &[String]) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(MIMETYPE.as_bytes()).unwrap();
    zip.start_file("META-INF/manifest.xml", deflated).unwrap();
    write!(
        zip,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="{MIMETYPE}"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#
    )
    .unwrap();
    zip.start_file("content.xml", deflated).unwrap();
    zip.write_all(
        br#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" office:version="1.2"><office:body><office:spreadsheet>"#,
    )
    .unwrap();
    for t in tables {
        zip.write_all(t.as_bytes()).unwrap();
    }
    zip.write_all(b"</office:spreadsheet></office:body></office:document-content>")
        .unwrap();
    zip.finish().unwrap().into_inner()
}

/// A table of rows.
pub fn table(name: &str, rows: &[String]) -> String {
    format!(
        r#"<table:table table:name="{name}"><table:table-column table:number-columns-repeated="3"/>{}</table:table>"#,
        rows.concat()
    )
}

/// A row of cells, repeated `times` (1: no attribute).
pub fn row(times: u64, cells: &[String]) -> String {
    let repeat = if times == 1 {
        String::new()
    } else {
        format!(r#" table:number-rows-repeated="{times}""#)
    };
    format!(
        "<table:table-row{repeat}>{}</table:table-row>",
        cells.concat()
    )
}

/// `times` empty cells.
pub fn empty(times: u64) -> String {
    format!(r#"<table:table-cell table:number-columns-repeated="{times}"/>"#)
}

/// A text cell, as LibreOffice writes it: the text in a paragraph.
pub fn text(s: &str) -> String {
    format!(
        r#"<table:table-cell office:value-type="string"><text:p>{s}</text:p></table:table-cell>"#
    )
}

/// A number cell; its paragraph shows the number as formatted, which a
/// reader must not take for the value.
pub fn number(v: f64) -> String {
    format!(
        r#"<table:table-cell office:value-type="float" office:value="{v}"><text:p>{}</text:p></table:table-cell>"#,
        format!("{v}").replace('.', ",")
    )
}

/// A number cell repeated across `times` columns.
pub fn numbers(times: u64, v: f64) -> String {
    format!(
        r#"<table:table-cell table:number-columns-repeated="{times}" office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>"#
    )
}
