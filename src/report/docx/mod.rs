//! The letter as DOCX, laid out per Nghị định 30/2020: A4, margins top and
//! bottom 20 mm, left 30 mm, right 15 mm; Times New Roman 14 pt (tables
//! 12 pt); the head as a borderless two-column table (`header`), the
//! signature in a row that never splits (`signature`), each annex in a
//! section of its own, numbered from 1 (`annex`).

mod annex;
mod header;
mod metrics;
mod signature;

use docx_rs::{
    AlignmentType, BorderType, Docx, Header, LineSpacing, PageMargin, PageNum, PageNumType,
    PageOrientationType, PageSize, Paragraph, Run, RunFonts, SectionProperty, SpecialIndentType,
    TableBorder, TableBorderPosition, TableBorders, TableCell, WidthType, create_header_rid,
};

use super::{Block, Letter};

/// Twentieths of a point per millimetre.
fn mm(x: f64) -> i32 {
    (x * 1440.0 / 25.4).round() as i32
}

const FONT: &str = "Times New Roman";
/// Half-points.
const BODY: usize = 28;
const SMALL: usize = 24;
/// A4 text width: 210 mm less 30 + 15 mm margins.
const TEXT_MM: f64 = 165.0;
/// A4 landscape: 297 mm less the same margins.
const LANDSCAPE_TEXT_MM: f64 = 252.0;
/// The annex header rows' least height, in twentieths of a point: also
/// what `pack` knows them by, to mark them as repeating header rows.
const HEADER_ROW_TWIPS: f32 = 454.0;

/// Text as XML 1.0 allows it: no C0 controls but tab and newline, no
/// U+FFFE/U+FFFF (Word refuses a file that has them).
fn xml_safe(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            !matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
        })
        .collect()
}

fn run(text: &str, size: usize) -> Run {
    Run::new().add_text(xml_safe(text)).size(size)
}

/// Column widths in twentieths of a point, for the table grid Word and
/// LibreOffice size columns from.
fn grid(widths_mm: &[f64]) -> Vec<usize> {
    widths_mm.iter().map(|&w| mm(w) as usize).collect()
}

fn para(text: &str) -> Paragraph {
    para_with(text, |r| r)
}

/// A body paragraph whose run is styled by `style` (bold, italic …).
fn para_with(text: &str, style: impl Fn(Run) -> Run) -> Paragraph {
    Paragraph::new()
        .add_run(style(run(text, BODY)))
        .align(AlignmentType::Both)
        .indent(
            None,
            Some(SpecialIndentType::FirstLine(mm(12.7))),
            None,
            None,
        )
        .line_spacing(LineSpacing::new().after(120))
}

fn centred(lines: &[(&str, bool)], size: usize) -> Vec<Paragraph> {
    lines
        .iter()
        .map(|(t, bold)| {
            let r = run(t, size);
            Paragraph::new()
                .add_run(if *bold { r.bold() } else { r })
                .align(AlignmentType::Center)
        })
        .collect()
}

fn cell(paragraphs: Vec<Paragraph>, width_mm: f64) -> TableCell {
    let mut c = TableCell::new().width(mm(width_mm) as usize, WidthType::Dxa);
    for p in paragraphs {
        c = c.add_paragraph(p);
    }
    c
}

fn no_borders() -> TableBorders {
    TableBorders::new().clear_all()
}

fn all_borders() -> TableBorders {
    let b = |p| TableBorder::new(p).border_type(BorderType::Single).size(4);
    TableBorders::new()
        .set(b(TableBorderPosition::Top))
        .set(b(TableBorderPosition::Bottom))
        .set(b(TableBorderPosition::Left))
        .set(b(TableBorderPosition::Right))
        .set(b(TableBorderPosition::InsideH))
        .set(b(TableBorderPosition::InsideV))
}

/// The page of every section: A4 (landscape for a wide annex), the
/// decree's margins, the page number in the top margin from the second
/// page on. `restart`: numbered from 1 (an annex).
fn section(landscape: bool, restart: bool) -> SectionProperty {
    let (w, h) = (mm(210.0) as u32, mm(297.0) as u32);
    let size = if landscape {
        PageSize::new()
            .size(h, w)
            .orient(PageOrientationType::Landscape)
    } else {
        PageSize::new().size(w, h)
    };
    // Every section shows the same two headers: `render` registers the
    // number's first, the empty first-page one second.
    let s = SectionProperty::new()
        .page_size(size)
        .page_margin(margins())
        .header(Header::new(), &create_header_rid(1))
        .first_header(Header::new(), &create_header_rid(2));
    if restart {
        s.page_num_type(PageNumType::new().start(1))
    } else {
        s
    }
}

/// The decree's margins; the header (the page number) 10 mm from the top
/// edge, so that it ends some 4 mm above the text at 20 mm.
fn margins() -> PageMargin {
    PageMargin::new()
        .top(mm(20.0))
        .bottom(mm(20.0))
        .left(mm(30.0))
        .right(mm(15.0))
        .header(mm(10.0))
        .footer(mm(10.0))
}

/// The paragraph closing a section: empty and exactly one point high, so
/// that it adds no line (and no page) after the table before it: a letter
/// whose signature ends at the foot of a page got a blank page before the
/// annexes when this paragraph had a single line's height.
fn section_end(s: SectionProperty) -> Paragraph {
    Paragraph::new()
        .size(2)
        .line_spacing(
            LineSpacing::new()
                .before(0)
                .after(0)
                .line(2)
                .line_rule(docx_rs::LineSpacingType::Exact),
        )
        .section_property(s)
}

/// The letter as a DOCX file's bytes.
pub fn render(l: &Letter) -> Vec<u8> {
    let mut doc = Docx::new()
        .page_size(mm(210.0) as u32, mm(297.0) as u32)
        .page_margin(margins())
        .default_fonts(
            RunFonts::new()
                .ascii(FONT)
                .hi_ansi(FONT)
                .east_asia(FONT)
                .cs(FONT),
        )
        .default_size(BODY)
        // The page number at the top centre (13–14 pt, the decree), from
        // the second page on; registered in this order for `section`.
        .header(
            Header::new().add_paragraph(
                Paragraph::new()
                    .add_page_num(PageNum::new())
                    .align(AlignmentType::Center)
                    .line_spacing(LineSpacing::new().before(0).after(0)),
            ),
        )
        .first_header(Header::new())
        .title_pg()
        .add_table(header::table(l))
        .add_paragraph(Paragraph::new());

    let mut kinh_gui =
        Paragraph::new()
            .add_run(run("Kính gửi:", BODY))
            .indent(Some(mm(25.0)), None, None, None);
    if l.recipients.len() == 1 {
        kinh_gui = kinh_gui.add_run(run(&format!(" {}.", l.recipients[0]), BODY));
        doc = doc.add_paragraph(kinh_gui);
    } else {
        doc = doc.add_paragraph(kinh_gui);
        for (i, r) in l.recipients.iter().enumerate() {
            let end = if i + 1 == l.recipients.len() {
                "."
            } else {
                ";"
            };
            doc = doc.add_paragraph(
                Paragraph::new()
                    .add_run(run(&format!("- {r}{end}"), BODY))
                    .indent(Some(mm(45.0)), None, None, None),
            );
        }
    }
    doc = doc.add_paragraph(Paragraph::new());
    let mut body: Vec<Paragraph> = l
        .body
        .iter()
        .map(|b| match b {
            Block::Para(t) => para(t),
            Block::Heading(t) => para(t),
            // A group's part of a province's letter, kept on the page of
            // its first bullet.
            Block::Subheading(t) => para_with(t, |r| r.bold().italic()).keep_next(true),
            Block::Bullet(t) => para(&format!("- {t}")),
        })
        .collect();
    // The signature never opens a page alone: the last paragraph goes
    // with it.
    if let Some(last) = body.pop() {
        body.push(last.keep_next(true));
    }
    for p in body {
        doc = doc.add_paragraph(p);
    }
    doc = doc
        .add_paragraph(Paragraph::new().keep_next(true))
        .add_table(signature::table(l));
    doc = annex::add_all(doc, &l.annexes);
    pack(doc, l)
}

/// Writes the package; the annexes' header rows (known by their height,
/// `HEADER_ROW_TWIPS`) also get w:tblHeader, which docx-rs does not
/// write, so Word and LibreOffice repeat them on each page. The signature
/// row, cantSplit too, stays an ordinary row.
///
/// It also writes what docx-rs has no setting for: the language of the
/// text, Vietnamese (`w:lang`; else Word marks every word misspelt), and
/// the core properties a file manager shows (title: the trích yếu;
/// author: the issuing body; created: the signing date).
fn pack(doc: Docx, l: &Letter) -> Vec<u8> {
    let mut xml = doc.build();
    let header_row = format!(
        "<w:trPr><w:cantSplit /><w:trHeight w:val=\"{HEADER_ROW_TWIPS}\" w:hRule=\"atLeast\" /></w:trPr>"
    );
    let doc_xml = String::from_utf8_lossy(&xml.document).replace(
        &header_row,
        &header_row.replace("</w:trPr>", "<w:tblHeader /></w:trPr>"),
    );
    xml.document = doc_xml.into_bytes();
    let styles = String::from_utf8_lossy(&xml.styles).replacen(
        "</w:rPr></w:rPrDefault>",
        "<w:lang w:val=\"vi-VN\" w:eastAsia=\"vi-VN\" w:bidi=\"ar-SA\" /></w:rPr></w:rPrDefault>",
        1,
    );
    xml.styles = styles.into_bytes();
    let esc = |s: &str| {
        xml_safe(s)
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let title = esc(&l.subject.split_whitespace().collect::<Vec<_>>().join(" "));
    let creator = esc(&l.issuer.join(" "));
    let created = match l.date {
        Some(d) => format!("{d}T00:00:00Z"),
        None => chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    };
    let core = String::from_utf8_lossy(&xml.doc_props.core)
        .replace(
            "<dc:creator>unknown</dc:creator>",
            &format!("<dc:title>{title}</dc:title><dc:creator>{creator}</dc:creator><dc:language>vi-VN</dc:language>"),
        )
        .replace(
            "<cp:lastModifiedBy>unknown</cp:lastModifiedBy>",
            &format!("<cp:lastModifiedBy>{creator}</cp:lastModifiedBy>"),
        )
        .replace("1970-01-01T00:00:00Z", &created);
    xml.doc_props.core = core.into_bytes();
    let mut out = std::io::Cursor::new(Vec::new());
    xml.pack(&mut out)
        .expect("writing a zip into memory cannot fail");
    out.into_inner()
}
