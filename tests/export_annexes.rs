//! `chiso export --annexes`: the workbook prints as the letter's annexes
//! do (Nghị định 30/2020): A4, the decree's margins, Times New Roman,
//! title rows merged and wrapped over the table, one page wide (landscape
//! when the table is wider than a portrait page), page numbers, figures
//! stored as numbers showing the letter's decimals. Read from the XML of
//! the written file, and the values back with calamine.

mod common;

use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};
use chiso::db::Db;
use chiso::model::{Period, Value};
use chiso::report;
use common::*;

fn demo(dir: &Path) -> PathBuf {
    let db = dir.join("demo.db");
    chiso::demo::build(&db).unwrap();
    db
}

fn export(db: &Path, period: &str, out: &Path) {
    ok(
        db,
        &[
            "export",
            "--period",
            period,
            "--format",
            "xlsx",
            "--annexes",
            "--out",
            s(out),
        ],
    );
}

/// The value of `name="…"` in the first `<tag …>` of `xml`.
fn attr(xml: &str, tag: &str, name: &str) -> Option<String> {
    let start = xml.find(&format!("<{tag} "))?;
    let element = &xml[start..start + xml[start..].find('>')?];
    let key = format!(" {name}=\"");
    let at = element.find(&key)? + key.len();
    Some(element[at..at + element[at..].find('"')?].to_owned())
}

/// The `<c r="E6" …>…</c>` element of a cell (`<c …/>` when blank).
fn cell<'a>(sheet: &'a str, r: &str) -> &'a str {
    let start = sheet
        .find(&format!("<c r=\"{r}\""))
        .unwrap_or_else(|| panic!("no cell {r}"));
    let rest = &sheet[start..];
    let tag = rest.find('>').unwrap();
    let end = if rest[..tag].ends_with('/') {
        tag + 1
    } else {
        rest.find("</c>").unwrap() + 4
    };
    &rest[..end]
}

/// The parts of styles.xml a cell's look is made of.
struct Styles {
    xfs: Vec<String>,
    fonts: Vec<String>,
    xml: String,
}

impl Styles {
    fn read(path: &Path) -> Styles {
        let xml = zip_part(path, "xl/styles.xml");
        let section = |name: &str| {
            let start = xml.find(&format!("<{name} ")).unwrap();
            let end = xml.find(&format!("</{name}>")).unwrap();
            xml[start..end].to_owned()
        };
        let split = |s: String, tag: &str| -> Vec<String> {
            s.split(tag).skip(1).map(|p| format!("{tag}{p}")).collect()
        };
        Styles {
            xfs: split(section("cellXfs"), "<xf "),
            fonts: split(section("fonts"), "<font>"),
            xml,
        }
    }

    /// The format of a cell (its `s`, 0 when absent).
    fn xf(&self, cell: &str) -> &str {
        let s = attr(cell, "c", "s").map_or(0, |s| s.parse::<usize>().unwrap());
        &self.xfs[s]
    }

    fn font(&self, cell: &str) -> &str {
        let id: usize = attr(self.xf(cell), "xf", "fontId")
            .unwrap()
            .parse()
            .unwrap();
        &self.fonts[id]
    }

    /// The number format's code ("0", "0.00" …); built-in ids 0–2 too.
    fn num_format(&self, cell: &str) -> String {
        let id = attr(self.xf(cell), "xf", "numFmtId").unwrap();
        match id.as_str() {
            "0" => "General".into(),
            "1" => "0".into(),
            "2" => "0.00".into(),
            _ => {
                let key = format!("<numFmt numFmtId=\"{id}\"");
                let at = self.xml.find(&key).unwrap();
                attr(&self.xml[at..], "numFmt", "formatCode")
                    .unwrap()
                    .replace("&quot;", "\"")
            }
        }
    }
}

fn align(xf: &str, name: &str) -> Option<String> {
    attr(xf, "alignment", name)
}

/// A column letter from its index (0 = A), for the narrow sheets here.
fn col(c: usize) -> char {
    (b'A' + c as u8) as char
}

/// Margins in inches, as pageMargins writes them.
fn margins(sheet: &str) -> [f64; 4] {
    ["top", "bottom", "left", "right"]
        .map(|m| attr(sheet, "pageMargins", m).unwrap().parse().unwrap())
}

/// The printed width of the columns in millimetres: Excel's stored
/// width counts digits of the default font (Times New Roman 12, a digit
/// 8 pixels at 96 per inch), its padding included.
fn columns_mm(sheet: &str) -> f64 {
    let mut total = 0.0;
    for c in sheet.split("<col ").skip(1) {
        let c = format!("<col {c}");
        let w: f64 = attr(&c, "col", "width").unwrap().parse().unwrap();
        let min: u32 = attr(&c, "col", "min").unwrap().parse().unwrap();
        let max: u32 = attr(&c, "col", "max").unwrap().parse().unwrap();
        total += f64::from(max - min + 1) * w * 8.0 * 25.4 / 96.0;
    }
    total
}

/// A number cell's stored value.
fn stored(cell: &str) -> f64 {
    let v = &cell[cell.find("<v>").unwrap() + 3..];
    v[..v.find('<').unwrap()].parse().unwrap()
}

fn close(a: f64, b: f64, within: f64) -> bool {
    (a - b).abs() <= within
}

fn build(db: &Path, month: &str) -> report::Report {
    let db = Db::open(db).unwrap();
    report::build(
        db.conn(),
        Period::parse(month).unwrap(),
        report::Options::default(),
    )
    .unwrap()
}

#[test]
fn district_annexes_print_as_the_decree_lays_out_a_page() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let out = dir.path().join("pl.xlsx");
    export(&db, "2024-08", &out);
    let styles = Styles::read(&out);

    // Times New Roman in every font of the workbook, the default first.
    assert!(!styles.fonts.is_empty());
    for f in &styles.fonts {
        assert!(f.contains(r#"<name val="Times New Roman"/>"#), "{f}");
    }
    assert!(
        styles.fonts[0].contains(r#"<sz val="12"/>"#),
        "{}",
        styles.fonts[0]
    );
    assert!(!styles.xml.contains("Calibri"));

    let rep = build(&db, "2024-08");
    // Phụ lục I and II (figures), III (the units to direct).
    assert_eq!(rep.letter.annexes.len(), 3);
    for (i, a) in rep.letter.annexes.iter().enumerate() {
        let sheet = zip_part(&out, &format!("xl/worksheets/sheet{}.xml", i + 1));
        let last = col(a.columns.len() + 1);
        // The three title rows merged over the table's columns.
        for row in 1..=3 {
            let merged = format!(r#"<mergeCell ref="A{row}:{last}{row}"/>"#);
            assert!(sheet.contains(&merged), "{}: {merged}", a.title);
            let title = cell(&sheet, &format!("A{row}"));
            let xf = styles.xf(title);
            assert_eq!(align(xf, "horizontal").as_deref(), Some("center"), "{xf}");
            // Wrapped, or (a line that fits a point smaller) shrunk to fit.
            assert!(
                align(xf, "wrapText").is_some() || align(xf, "shrinkToFit").is_some(),
                "{xf}"
            );
        }
        // The title and name line bold 14 pt, the "(Kèm theo …)" italic.
        for r in ["A1", "A2"] {
            let font = styles.font(cell(&sheet, r));
            assert!(
                font.contains("<b/>") && font.contains(r#"<sz val="14"/>"#),
                "{font}"
            );
        }
        assert!(styles.font(cell(&sheet, "A3")).contains("<i/>"));
        // The figures' name line takes two lines on a portrait page: it
        // wraps, in a row two lines tall (a merged cell does not grow by
        // itself).
        let caption = styles.xf(cell(&sheet, "A2"));
        assert_eq!(
            align(caption, "wrapText").as_deref(),
            Some("1"),
            "{caption}"
        );
        let row2 = &sheet[sheet.find(r#"<row r="2""#).unwrap()..];
        let height: f64 = attr(row2, "row", "ht").unwrap().parse().unwrap();
        if i < 2 {
            assert!(height >= 2.0 * 14.0 * 1.15, "{}: {height}", a.title);
        }

        // A4, centred. The figures fit the 165 mm of a portrait page,
        // with the decree's margins: top and bottom 20 mm, left 30, right
        // 15. The list of units to direct (a rule's wording, four more
        // columns) does not: landscape, the same margins turned with the
        // sheet (the bound edge, 30 mm, at the top), 257 mm wide.
        assert_eq!(attr(&sheet, "pageSetup", "paperSize").as_deref(), Some("9"));
        let (orientation, edges, width) = if i < 2 {
            ("portrait", [20.0, 20.0, 30.0, 15.0], 165.0)
        } else {
            ("landscape", [30.0, 15.0, 20.0, 20.0], 257.0)
        };
        assert_eq!(
            attr(&sheet, "pageSetup", "orientation").as_deref(),
            Some(orientation),
            "{}",
            a.title
        );
        let m = margins(&sheet);
        for (got, mm) in m.iter().zip(edges) {
            assert!(close(*got, mm / 25.4, 1e-9), "{}: {m:?}", a.title);
        }
        assert_eq!(
            attr(&sheet, "printOptions", "horizontalCentered").as_deref(),
            Some("1")
        );
        // The table fills the width between the margins.
        let got = columns_mm(&sheet);
        assert!(close(got, width, 1.5), "{}: {got} mm", a.title);
        // One page wide (fitToWidth absent is 1), as many long as needed.
        assert!(sheet.contains(r#"<pageSetUpPr fitToPage="1"/>"#));
        assert_eq!(
            attr(&sheet, "pageSetup", "fitToWidth").unwrap_or("1".into()),
            "1"
        );
        assert_eq!(
            attr(&sheet, "pageSetup", "fitToHeight").as_deref(),
            Some("0")
        );
        // Page numbers at the top centre, not on the first page, each
        // annex from 1.
        assert_eq!(
            attr(&sheet, "headerFooter", "differentFirst").as_deref(),
            Some("1")
        );
        assert!(
            sheet.contains(
                "<oddHeader>&amp;C&amp;\"Times New Roman,Regular\"&amp;13&amp;P</oddHeader>"
            ),
            "{sheet}"
        );
        assert!(!sheet.contains("<firstHeader>"));
        assert_eq!(
            attr(&sheet, "pageSetup", "useFirstPageNumber").as_deref(),
            Some("1")
        );

        // Every figure a number (no t="s"), right-aligned, showing the
        // decimals the letter's annex prints it with ("37.9": one) and
        // its percent sign, if any ("37.9%"; the sign quoted, not a
        // percent format, which would multiply by 100); labels text,
        // centred; "-" or empty where there is none, as in the letter.
        for (r, row) in a.rows.iter().enumerate() {
            for (c, shown) in row.iter().enumerate().skip(2) {
                let at = format!("{}{}", col(c), r + 6);
                let x = cell(&sheet, &at);
                let xf = styles.xf(x);
                match a.values[r].1[c - 2] {
                    Some(Value::Num(v)) => {
                        assert!(!x.contains(" t=\""), "{at}: {x}");
                        assert_eq!(stored(x), v, "{at}");
                        let (digits, sign) = match shown.strip_suffix('%') {
                            Some(d) => (d, "\"%\""),
                            None => (shown.as_str(), ""),
                        };
                        let decimals = digits.rfind('.').map_or(0, |p| digits.len() - p - 1);
                        let code = styles.num_format(x);
                        let expected = if decimals == 0 {
                            format!("0{sign}")
                        } else {
                            format!("0.{}{sign}", "0".repeat(decimals))
                        };
                        assert_eq!(code, expected, "{at}: {shown}");
                        assert_eq!(align(xf, "horizontal").as_deref(), Some("right"));
                    }
                    Some(Value::Label(ref l)) => {
                        assert!(x.contains(r#" t="s""#), "{at}: {x}");
                        // A word centred, wording (a rule) left, as the DOCX.
                        let side = if l.chars().count() > 12 {
                            "left"
                        } else {
                            "center"
                        };
                        assert_eq!(align(xf, "horizontal").as_deref(), Some(side), "{at}: {l}");
                    }
                    None if shown.is_empty() => {
                        assert!(!x.contains("<v>"), "{at}: {x}");
                    }
                    None => {
                        assert_eq!(shown, "-");
                        assert!(x.contains(r#" t="s""#), "{at}: {x}");
                    }
                }
            }
        }
    }
    // The demo's figures have 0, 1 and 2 decimals: three formats.
    let p1 = zip_part(&out, "xl/worksheets/sheet1.xml");
    assert_eq!(styles.num_format(cell(&p1, "E6")), "0.00"); // 93.45
    assert_eq!(styles.num_format(cell(&p1, "C8")), "0.0"); // 37.9
    assert_eq!(styles.num_format(cell(&p1, "C6")), "0"); // 100

    // Read back: the same values, numbers as numbers.
    let mut book: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let a = &rep.letter.annexes;
    for (i, annex) in a.iter().enumerate() {
        let range = book.worksheet_range(&annex.title).unwrap();
        assert_eq!(
            range.get_value((0, 0)),
            Some(&Data::String(annex.title.to_uppercase()))
        );
        assert_eq!(
            range.get_value((2, 0)),
            Some(&Data::String(annex.note.clone()))
        );
        for (r, (name, values)) in annex.values.iter().enumerate() {
            let row = 5 + r as u32;
            assert_eq!(
                range.get_value((row, 0)),
                Some(&Data::Float((r + 1) as f64))
            );
            assert_eq!(range.get_value((row, 1)), Some(&Data::String(name.clone())));
            for (c, v) in values.iter().enumerate() {
                let expected = match v {
                    Some(Value::Num(x)) => Data::Float(*x),
                    Some(Value::Label(l)) => Data::String(l.clone()),
                    None if annex.rows[r][c + 2].is_empty() => Data::Empty,
                    None => Data::String("-".into()),
                };
                let got = range.get_value((row, 2 + c as u32));
                assert_eq!(got, Some(&expected), "sheet {i} row {r} col {c}");
            }
        }
    }
}

/// A table wider than a portrait page (the letter's list of units to
/// direct has a rule's wording as a column): landscape, the same margins
/// turned with the sheet (the bound edge, 30 mm, at the top), filling
/// the 257 mm between them.
#[test]
fn a_wide_annex_prints_landscape_with_the_margins_turned() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let rep = build(&db, "2024-08");
    let mut wide = rep.letter.annexes[1].clone();
    let rule = "Kết quả tỷ lệ số hoá dưới 50% hai tháng liên tiếp";
    wide.columns.push("Tiêu chí cần khắc phục".into());
    for row in &mut wide.rows {
        row.push(rule.into());
    }
    for (_, values) in &mut wide.values {
        values.push(Some(Value::Label(rule.into())));
    }
    // A missing label (first row) and a missing figure (second row).
    *wide.rows[0].last_mut().unwrap() = "-".into();
    *wide.values[0].1.last_mut().unwrap() = None;
    wide.rows[1][2] = "-".into();
    wide.values[1].1[0] = None;
    let narrow = rep.letter.annexes[0].clone();
    let bytes =
        chiso::export::annexes_xlsx(&[narrow, wide.clone()], Period::parse("2024-08").unwrap())
            .unwrap();
    let out = write(dir.path(), "wide.xlsx", &bytes);

    let first = zip_part(&out, "xl/worksheets/sheet1.xml");
    assert_eq!(
        attr(&first, "pageSetup", "orientation").as_deref(),
        Some("portrait")
    );
    let sheet = zip_part(&out, "xl/worksheets/sheet2.xml");
    assert_eq!(
        attr(&sheet, "pageSetup", "orientation").as_deref(),
        Some("landscape")
    );
    let m = margins(&sheet);
    for (got, mm) in m.iter().zip([30.0, 15.0, 20.0, 20.0]) {
        assert!(close(*got, mm / 25.4, 1e-9), "{m:?}");
    }
    let width = columns_mm(&sheet);
    assert!(close(width, 257.0, 1.5), "{width} mm");
    for row in 1..=3 {
        let merged = format!(r#"<mergeCell ref="A{row}:G{row}"/>"#);
        assert!(sheet.contains(&merged), "{merged}");
    }
    // The rule's wording wraps in its cell, in a row tall enough for it.
    let styles = Styles::read(&out);
    let g7 = cell(&sheet, "G7");
    assert!(g7.contains(r#" t="s""#));
    assert_eq!(align(styles.xf(g7), "wrapText").as_deref(), Some("1"));
    let row7 = &sheet[sheet.find(r#"<row r="7""#).unwrap()..];
    let height: f64 = attr(row7, "row", "ht").unwrap().parse().unwrap();
    assert!(height >= 2.0 * 12.0 * 1.15, "{height}");
    // A missing label's dash is centred as the labels, a missing figure's
    // right-aligned as the figures.
    let dash = |at: &str| {
        let x = cell(&sheet, at);
        assert!(x.contains(r#" t="s""#), "{at}: {x}");
        align(styles.xf(x), "horizontal")
    };
    assert_eq!(dash("G6").as_deref(), Some("center"));
    assert_eq!(dash("C7").as_deref(), Some("right"));
    let mut book: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let range = book.worksheet_range(&wide.title).unwrap();
    assert_eq!(range.get_value((6, 6)), Some(&Data::String(rule.into())));
    assert_eq!(range.get_value((5, 6)), Some(&Data::String("-".into())));
    assert_eq!(range.get_value((6, 2)), Some(&Data::String("-".into())));
    assert_eq!(
        range.get_value((4, 6)),
        Some(&Data::String("Tiêu chí cần khắc phục".into()))
    );
}
