//! The letter's annexes as a workbook, one sheet each, printed as the
//! DOCX annexes are: Times New Roman, the decree's margins, the title rows
//! merged and wrapped over the table, one page wide (landscape when the
//! table is wider than a portrait page), the header row on every page,
//! page numbers from the second page, figures as numbers showing the
//! letter's decimals.

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
};

use super::annex_layout::{
    FONT, LANDSCAPE, Layout, Margins, PAD_MM, PORTRAIT, Style, TABLE_PT, TITLE_PT, lines,
    row_points, text_mm,
};
use super::{ORDINAL_HEADER, UNIT_HEADER};
use crate::model::{Period, Value};
use crate::report::{Annex, ColumnKind};

/// The rows above the table: title, name line, "(Kèm theo …)", a blank.
const TITLE_ROW: u32 = 0;
const CAPTION_ROW: u32 = 1;
const NOTE_ROW: u32 = 2;
const HEADER_ROW: u32 = 4;
/// The most decimals a cell shows (a double's precision).
const MAX_DECIMALS: usize = 15;
/// The page number, Arabic, 13 pt, centred in the top margin (the
/// decree's place for it).
const PAGE_NUMBER: &str = "&C&\"Times New Roman,Regular\"&13&P";

/// The letter's annexes as a workbook, one sheet each, named and ordered
/// as the letter numbers them (a district's "Phụ lục 1", "Phụ lục 2"; a
/// province's "Phụ lục I" … two per group), as the office sends them:
/// title, caption, a bold bordered header that repeats on each printed
/// page, numbers stored as numbers. Text cells are written as text,
/// never as formulas, whatever they start with ("=", "+", "@" …).
pub fn annexes_xlsx(annexes: &[Annex], period: Period) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(
        period.year(),
        period.first_month().month_number().unwrap_or(1),
        1,
    )?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    // Times New Roman 12 for every cell; Excel's default row and column
    // for it are 21 and 72 pixels (a digit 8 pixels wide).
    book.set_default_format(&text(TABLE_PT), 21, 72)?;
    let formats = Formats::new();
    for a in annexes {
        let sheet = book.add_worksheet();
        write_sheet(sheet, a, &formats)?;
    }
    number_from_second_page(book.save_to_buffer()?)
}

fn text(pt: f64) -> Format {
    Format::new()
        .set_font_name(FONT)
        .set_font_family(1)
        .set_font_size(pt)
}

struct Formats {
    /// Title and name line: wrapped, or on one line shrunk to fit.
    title: [Format; 2],
    /// "(Kèm theo …)": the same.
    note: [Format; 2],
    head: Format,
    ordinal: Format,
    name: Format,
    label: Format,
    /// A missing figure, "-", where the figure would stand (a missing
    /// label's is centred as the labels).
    dash: Format,
    /// A figure with 0, 1, 2 … decimals; then with a percent sign.
    number: [Vec<Format>; 2],
}

impl Formats {
    fn new() -> Formats {
        let centred = |f: Format| {
            f.set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
        };
        let cell = |f: Format| {
            f.set_border(FormatBorder::Thin)
                .set_align(FormatAlign::VerticalCenter)
        };
        let right = || cell(text(TABLE_PT)).set_align(FormatAlign::Right);
        let both = |f: Format| [centred(f.clone()).set_text_wrap(), centred(f).set_shrink()];
        Formats {
            title: both(text(TITLE_PT).set_bold()),
            note: both(text(TABLE_PT).set_italic()),
            head: cell(centred(text(TABLE_PT).set_bold()).set_text_wrap()),
            ordinal: cell(text(TABLE_PT).set_align(FormatAlign::Center)),
            name: cell(text(TABLE_PT).set_align(FormatAlign::Left).set_text_wrap()),
            label: cell(centred(text(TABLE_PT)).set_text_wrap()),
            dash: right(),
            // The sign quoted: a bare % would show the figure times 100.
            number: ["", "\"%\""].map(|sign| {
                (0..=MAX_DECIMALS)
                    .map(|d| right().set_num_format(number_format(d, sign)))
                    .collect()
            }),
        }
    }
}

/// "0", "0.0", "0.00" …, then `sign`.
fn number_format(decimals: usize, sign: &str) -> String {
    if decimals == 0 {
        format!("0{sign}")
    } else {
        format!("0.{}{sign}", "0".repeat(decimals))
    }
}

fn write_sheet(sheet: &mut Worksheet, a: &Annex, f: &Formats) -> anyhow::Result<()> {
    sheet.set_name(a.title.as_str())?;
    let layout = Layout::of(a);
    for (c, w) in layout.widths.iter().enumerate() {
        sheet.set_column_width_pixels(c as u16, (w / 25.4 * 96.0).round() as u32)?;
    }
    let last = (layout.widths.len() - 1) as u16;
    // The title rows span the table, each row as tall as its lines (a
    // merged cell does not grow by itself). A text that would fit on one
    // line a point smaller (13 pt for the titles, which the decree allows)
    // is written on one line, shrunk only as much as it must be, rather
    // than wrap its last word or two onto a line of their own.
    let inner = layout.width() - PAD_MM;
    let titles = [
        (
            TITLE_ROW,
            a.title.to_uppercase(),
            TITLE_PT,
            Style::Bold,
            &f.title,
        ),
        (
            CAPTION_ROW,
            a.caption.clone(),
            TITLE_PT,
            Style::Bold,
            &f.title,
        ),
        (NOTE_ROW, a.note.clone(), TABLE_PT, Style::Italic, &f.note),
    ];
    for (row, t, pt, style, [wrap, shrink]) in titles {
        let n = lines(&t, inner, pt, style);
        let one_line = text_mm(&t, pt - 1.0, style) <= inner;
        let (format, n) = if n > 1 && one_line {
            (shrink, 1)
        } else {
            (wrap, n)
        };
        sheet.merge_range(row, 0, row, last, &t, format)?;
        sheet.set_row_height(row, row_points(n, pt))?;
    }

    let heads = [ORDINAL_HEADER, UNIT_HEADER]
        .into_iter()
        .chain(a.columns.iter().map(String::as_str));
    let mut head_lines = 1;
    for (c, (h, w)) in heads.zip(&layout.widths).enumerate() {
        sheet.write_string_with_format(HEADER_ROW, c as u16, h, &f.head)?;
        head_lines = head_lines.max(lines(h, w - PAD_MM, TABLE_PT, Style::Bold));
    }
    sheet.set_row_height(HEADER_ROW, row_points(head_lines, TABLE_PT))?;

    // Columns by what they hold, as the DOCX judges them: a column of
    // labels ("Tốt", "Có") centres its dashes too; wording (a rule) is left.
    let kinds: Vec<ColumnKind> = (0..a.columns.len()).map(|c| a.kind(c + 2)).collect();
    // Rows as the letter prints them (`rows`) and as values (`values`):
    // either may be all an annex has.
    for i in 0..a.rows.len().max(a.values.len()) {
        let row = a.rows.get(i).map_or(&[][..], Vec::as_slice);
        let r = HEADER_ROW + 1 + i as u32;
        sheet.write_number_with_format(r, 0, (i + 1) as f64, &f.ordinal)?;
        let name = a.values.get(i).map(|(n, _)| n.as_str());
        // write_string never makes a formula: "=…" names stay text.
        let name = name.or(row.get(1).map(String::as_str)).unwrap_or("");
        sheet.write_string_with_format(r, 1, name, &f.name)?;
        // A long name or label wraps; the row is given the height of its
        // lines, as LibreOffice keeps a row's height as written.
        let mut row_lines = lines(name, layout.widths[1] - PAD_MM, TABLE_PT, Style::Regular);
        for (c, &kind) in kinds.iter().enumerate() {
            let value = a.values.get(i).and_then(|(_, v)| v.get(c)).cloned();
            let shown = row.get(c + 2).map(String::as_str);
            let col = c as u16 + 2;
            match cell(value.flatten(), shown) {
                Cell::Number {
                    x,
                    decimals,
                    percent,
                } => {
                    let format = &f.number[usize::from(percent)][decimals];
                    sheet.write_number_with_format(r, col, x, format)?;
                }
                Cell::Label(s) => {
                    let w = layout.widths[c + 2] - PAD_MM;
                    row_lines = row_lines.max(lines(&s, w, TABLE_PT, Style::Regular));
                    let format = if kind == ColumnKind::Text {
                        &f.name
                    } else {
                        &f.label
                    };
                    sheet.write_string_with_format(r, col, &s, format)?;
                }
                Cell::Dash => {
                    let format = if kind == ColumnKind::Number {
                        &f.dash
                    } else {
                        &f.label
                    };
                    sheet.write_string_with_format(r, col, "-", format)?;
                }
                Cell::Empty => {
                    sheet.write_blank(r, col, &f.label)?;
                }
            }
        }
        if row_lines > 1 {
            sheet.set_row_height(r, row_points(row_lines, TABLE_PT))?;
        }
    }

    sheet.set_freeze_panes(HEADER_ROW + 1, 2)?;
    sheet.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    sheet.set_paper_size(9); // A4
    let m = if layout.landscape {
        sheet.set_landscape();
        LANDSCAPE
    } else {
        sheet.set_portrait();
        PORTRAIT
    };
    set_margins(sheet, m);
    sheet.set_print_center_horizontally(true);
    // One page wide, as many long as it takes: a column never prints on a
    // page of its own.
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_header(PAGE_NUMBER);
    // Each annex numbered on its own (Excel otherwise counts on across
    // the sheets printed together).
    sheet.set_print_first_page_number(1);
    Ok(())
}

fn set_margins(sheet: &mut Worksheet, m: Margins) {
    let inch = |mm: f64| mm / 25.4;
    // The page number 10 mm from the top edge, inside the top margin; no
    // footer.
    sheet.set_margins(
        inch(m.left),
        inch(m.right),
        inch(m.top),
        inch(m.bottom),
        inch(10.0),
        inch(m.bottom / 2.0),
    );
}

#[derive(Debug, PartialEq)]
enum Cell {
    /// A figure, the decimals the letter shows it with, and whether the
    /// letter writes a percent sign after it ("37,9%", in a column that
    /// mixes percentages and counts).
    Number {
        x: f64,
        decimals: usize,
        percent: bool,
    },
    Label(String),
    /// A missing value the letter marks "-".
    Dash,
    /// A missing value the letter leaves empty.
    Empty,
}

/// A cell from its value and the text the letter's annex prints for it.
/// A figure keeps the decimals of that text ("37,9": one, "100": none)
/// and its percent sign, so the sheet shows what the letter shows;
/// without a text that is the figure, the shortest decimal. Without a
/// value, a text that is a plain number becomes one.
fn cell(value: Option<Value>, shown: Option<&str>) -> Cell {
    // "37,9%" → ("37,9", true)
    let split = |s: &str| {
        let s = s.trim();
        s.strip_suffix('%')
            .map_or((s.to_owned(), false), |b| (b.trim_end().to_owned(), true))
    };
    let plain_number = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '-' | '+'))
            .then(|| crate::text::parse_decimal(s).ok())
            .flatten()
    };
    let number = |x: f64, decimals: usize, percent: bool| Cell::Number {
        x,
        decimals: decimals.min(MAX_DECIMALS),
        percent,
    };
    match (value, shown) {
        (Some(Value::Num(x)), shown) => match shown.map(split) {
            Some((body, percent)) if plain_number(&body) == Some(x) => {
                number(x, decimals(&body), percent)
            }
            _ => number(x, decimals(&format!("{x}")), false),
        },
        (Some(Value::Label(s)), _) => Cell::Label(s),
        (None, Some(s)) => {
            let (body, percent) = split(s);
            match plain_number(&body) {
                Some(x) => number(x, decimals(&body), percent),
                None if s.trim() == "-" => Cell::Dash,
                None if s.trim().is_empty() => Cell::Empty,
                None => Cell::Label(s.to_owned()),
            }
        }
        (None, None) => Cell::Dash,
    }
}

/// Digits after the decimal comma or dot.
fn decimals(s: &str) -> usize {
    s.rfind([',', '.']).map_or(0, |i| s.len() - i - 1)
}

/// rust_xlsxwriter has no setting for a first page without the header;
/// Nghị định 30/2020 shows no number on an annex's first page. Marks each
/// sheet's header "different on the first page" (whose own header, absent,
/// is empty), copying every other part of the package as it is.
fn number_from_second_page(xlsx: Vec<u8>) -> anyhow::Result<Vec<u8>> {
    use std::io::{Cursor, Read, Write};
    let mut zin = zip9::ZipArchive::new(Cursor::new(xlsx))?;
    let mut zout = zip9::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut part = zin.by_index(i)?;
        let name = part.name()?.into_owned();
        if !name.starts_with("xl/worksheets/sheet") {
            zout.raw_copy_file(part)?;
            continue;
        }
        let options = zip9::write::SimpleFileOptions::default()
            .compression_method(part.compression())
            .last_modified_time(part.last_modified().unwrap_or_default());
        let mut xml = String::new();
        part.read_to_string(&mut xml)?;
        let xml = xml.replacen("<headerFooter", "<headerFooter differentFirst=\"1\"", 1);
        zout.start_file(name, options)?;
        zout.write_all(xml.as_bytes())?;
    }
    Ok(zout.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_keep_the_letters_decimals_and_percent_sign() {
        let n = |x| Some(Value::Num(x));
        let num = |x, decimals, percent| Cell::Number {
            x,
            decimals,
            percent,
        };
        assert_eq!(cell(n(37.9), Some("37,9")), num(37.9, 1, false));
        assert_eq!(cell(n(100.0), Some("100")), num(100.0, 0, false));
        assert_eq!(cell(n(93.45), Some("93.45")), num(93.45, 2, false));
        assert_eq!(cell(n(3090.0), Some("3090")), num(3090.0, 0, false));
        assert_eq!(cell(n(37.9), Some("37,9%")), num(37.9, 1, true));
        // A text that is not the figure (grouped, or another wording):
        // the shortest decimal.
        assert_eq!(cell(n(3090.5), Some("3.090,5")), num(3090.5, 1, false));
        assert_eq!(cell(n(99.999), None), num(99.999, 3, false));
        // Labels stay text; a missing value is a dash, or empty as the
        // letter leaves it.
        assert_eq!(
            cell(Some(Value::Label("Tốt".into())), Some("Tốt")),
            Cell::Label("Tốt".into())
        );
        assert_eq!(cell(None, Some("-")), Cell::Dash);
        assert_eq!(cell(None, Some("")), Cell::Empty);
        assert_eq!(cell(None, None), Cell::Dash);
        // Text only: a plain number becomes one, anything else stays text.
        assert_eq!(cell(None, Some("40,25")), num(40.25, 2, false));
        assert_eq!(cell(None, Some("2")), num(2.0, 0, false));
        assert_eq!(cell(None, Some("45,5%")), num(45.5, 1, true));
        assert_eq!(cell(None, Some("Có")), Cell::Label("Có".into()));
        assert_eq!(number_format(0, ""), "0");
        assert_eq!(number_format(2, "\"%\""), "0.00\"%\"");
    }
}
