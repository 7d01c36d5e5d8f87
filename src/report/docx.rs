//! The letter as DOCX, laid out per Nghị định 30/2020: A4, margins top and
//! bottom 20 mm, left 30 mm, right 15 mm; Times New Roman 14 pt (tables
//! 12 pt); the header as a borderless two-column table; the annexes on new
//! pages as bordered tables whose header row repeats on every page.

use docx_rs::{
    AlignmentType, BorderType, Docx, LineSpacing, PageMargin, Paragraph, Run, RunFonts,
    SpecialIndentType, Table, TableBorder, TableBorderPosition, TableBorders, TableCell,
    TableLayoutType, TableRow, VAlignType, WidthType,
};

use super::{Block, Letter, QUOC_HIEU, TIEU_NGU};

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
/// The header's left column (issuing body, number, trích yếu); the right
/// one, the rest, holds the Quốc hiệu on one line.
const HEADER_LEFT_MM: f64 = 62.0;

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

/// The letter as a DOCX file's bytes.
pub fn render(l: &Letter) -> Vec<u8> {
    let half = TEXT_MM / 2.0;
    let issuer: Vec<(&str, bool)> = l.issuer.iter().map(|s| (s.as_str(), true)).collect();
    let mut left = centred(&issuer, SMALL + 2);
    left.push(centred(&[("", false)], SMALL)[0].clone());
    left.extend(centred(&[(&l.number, false)], SMALL + 2));
    left.extend(centred(&[(&l.subject, false)], SMALL));
    // 12 pt (the decree allows 12–13) in a 103 mm column: the Quốc hiệu
    // on one line, as the decree wants it.
    let mut right = centred(&[(QUOC_HIEU, true)], SMALL);
    // The Tiêu ngữ is underlined (the decree's line under it).
    right.push(
        Paragraph::new()
            .add_run(run(TIEU_NGU, SMALL + 2).bold().underline("single"))
            .align(AlignmentType::Center),
    );
    right.push(centred(&[("", false)], SMALL)[0].clone());
    right.push(
        Paragraph::new()
            .add_run(run(&l.place_date, BODY).italic())
            .align(AlignmentType::Center),
    );
    let header = Table::new(vec![TableRow::new(vec![
        cell(left, HEADER_LEFT_MM),
        cell(right, TEXT_MM - HEADER_LEFT_MM),
    ])])
    .set_grid(grid(&[HEADER_LEFT_MM, TEXT_MM - HEADER_LEFT_MM]))
    .set_borders(no_borders())
    .layout(TableLayoutType::Fixed)
    .width(mm(TEXT_MM) as usize, WidthType::Dxa);

    let mut doc = Docx::new()
        .page_size(mm(210.0) as u32, mm(297.0) as u32)
        .page_margin(
            PageMargin::new()
                .top(mm(20.0))
                .bottom(mm(20.0))
                .left(mm(30.0))
                .right(mm(15.0)),
        )
        .default_fonts(
            RunFonts::new()
                .ascii(FONT)
                .hi_ansi(FONT)
                .east_asia(FONT)
                .cs(FONT),
        )
        .default_size(BODY)
        // Page numbers at the top centre from the second page on.
        .header(
            docx_rs::Header::new().add_paragraph(
                Paragraph::new()
                    .add_page_num(docx_rs::PageNum::new())
                    .align(AlignmentType::Center),
            ),
        )
        .first_header(docx_rs::Header::new())
        .title_pg()
        .add_table(header)
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
    for b in &l.body {
        doc = doc.add_paragraph(match b {
            Block::Para(t) => para(t),
            Block::Heading(t) => para(t),
            // A group's part of a province's letter, kept on the page of
            // its first bullet.
            Block::Subheading(t) => para_with(t, |r| r.bold().italic()).keep_next(true),
            Block::Bullet(t) => para(&format!("- {t}")),
        });
    }

    // Nơi nhận on the left, the signature on the right.
    let mut cc = vec![Paragraph::new().add_run(run("Nơi nhận:", SMALL).bold().italic())];
    for (i, c) in l.cc.iter().enumerate() {
        let end = if i + 1 == l.cc.len() { "." } else { ";" };
        cc.push(Paragraph::new().add_run(run(&format!("- {c}{end}"), 22)));
    }
    let signer: Vec<(&str, bool)> = l.signer.iter().map(|s| (s.as_str(), true)).collect();
    let mut sign = centred(&signer, BODY);
    for _ in 0..4 {
        sign.push(Paragraph::new());
    }
    sign.extend(centred(&[(&l.signer_name, true)], BODY));
    doc = doc.add_paragraph(Paragraph::new()).add_table(
        Table::new(vec![TableRow::new(vec![cell(cc, half), cell(sign, half)])])
            .set_grid(grid(&[half, half]))
            .set_borders(no_borders())
            .layout(TableLayoutType::Fixed)
            .width(mm(TEXT_MM) as usize, WidthType::Dxa),
    );

    for a in &l.annexes {
        doc = doc
            .add_paragraph(
                Paragraph::new()
                    .add_run(run(&a.title.to_uppercase(), BODY).bold())
                    .align(AlignmentType::Center)
                    .page_break_before(true),
            )
            .add_paragraph(
                Paragraph::new()
                    .add_run(run(&a.caption, BODY).bold())
                    .align(AlignmentType::Center),
            )
            .add_paragraph(
                Paragraph::new()
                    .add_run(run(&a.note, SMALL).italic())
                    .align(AlignmentType::Center)
                    .line_spacing(LineSpacing::new().after(120)),
            );
        let n = a.columns.len();
        let stt = 12.0;
        // Wide enough for the longest name on about one line (agencies'
        // names are long: "Ban Quản lý các khu công nghiệp tỉnh"), within
        // 45 to 65 mm so the figures keep their room.
        let longest = a
            .rows
            .iter()
            .filter_map(|r| r.get(1))
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0);
        let name = (longest as f64 * 1.9 + 4.0).clamp(45.0, 65.0);
        let each = (TEXT_MM - stt - name) / n.max(1) as f64;
        let widths: Vec<f64> = [stt, name]
            .into_iter()
            .chain(std::iter::repeat_n(each, n))
            .collect();
        let head_texts: Vec<String> = ["STT".to_owned(), "Đơn vị".to_owned()]
            .into_iter()
            .chain(a.columns.iter().cloned())
            .collect();
        let head = TableRow::new(
            head_texts
                .iter()
                .zip(&widths)
                .map(|(t, w)| {
                    cell(centred(&[(t, true)], SMALL), *w).vertical_align(VAlignType::Center)
                })
                .collect(),
        )
        // Marks the header row: `pack` adds w:tblHeader to rows marked so.
        .cant_split();
        let mut rows = vec![head];
        for r in &a.rows {
            rows.push(TableRow::new(
                r.iter()
                    .zip(&widths)
                    .enumerate()
                    .map(|(i, (t, w))| {
                        let align = if i == 1 {
                            AlignmentType::Left
                        } else if i == 0 {
                            AlignmentType::Center
                        } else {
                            AlignmentType::Right
                        };
                        cell(
                            vec![Paragraph::new().add_run(run(t, SMALL)).align(align)],
                            *w,
                        )
                    })
                    .collect(),
            ));
        }
        doc = doc.add_table(
            Table::new(rows)
                .set_grid(grid(&widths))
                .set_borders(all_borders())
                .layout(TableLayoutType::Fixed)
                .width(mm(TEXT_MM) as usize, WidthType::Dxa),
        );
    }
    pack(doc, l)
}

/// Writes the package; the annexes' header rows (the only rows marked
/// cantSplit) also get w:tblHeader, which docx-rs does not write, so Word
/// and LibreOffice repeat them on each page.
///
/// It also writes what docx-rs has no setting for: the language of the
/// text, Vietnamese (`w:lang`; else Word marks every word misspelt), and
/// the core properties a file manager shows (title: the trích yếu;
/// author: the issuing body; created: the signing date).
fn pack(doc: Docx, l: &Letter) -> Vec<u8> {
    let mut xml = doc.build();
    let doc_xml = String::from_utf8_lossy(&xml.document).replace(
        "<w:trPr><w:cantSplit /></w:trPr>",
        "<w:trPr><w:cantSplit /><w:tblHeader /></w:trPr>",
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
