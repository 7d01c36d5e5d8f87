//! Issue 14, the DOCX layout: the facts of word/document.xml that make the
//! letter one a clerk can sign as it comes out (Nghị định 30/2020): the
//! head's columns, the rules under the issuing body and the Tiêu ngữ, the
//! signature that never splits, each annex a section numbered from 1, the
//! page number clear of the text, figures aligned right.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// Twentieths of a point.
fn twips(mm: f64) -> i64 {
    (mm * 1440.0 / 25.4).round() as i64
}

fn mm(twips: i64) -> f64 {
    twips as f64 * 25.4 / 1440.0
}

fn demo(dir: &Path) -> PathBuf {
    let db = dir.join("demo.db");
    chiso::demo::build(&db).unwrap();
    db
}

fn province(dir: &Path) -> PathBuf {
    let db = dir.join("province.db");
    chiso::demo::build_province(&db).unwrap();
    db
}

/// The letter as the library builds it, to expect what the text says
/// (the titles, the last paragraph) without restating it here.
#[allow(clippy::needless_update)] // the options the letter may gain
fn built(db: &Path, period: &str, date: &str) -> chiso::report::Letter {
    let db = chiso::db::Db::open(db).unwrap();
    let opts = chiso::report::Options {
        date: chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok(),
        ..Default::default()
    };
    chiso::report::build(
        db.conn(),
        chiso::model::Period::parse(period).unwrap(),
        opts,
    )
    .unwrap()
    .letter
}

/// The letter of `period` as DOCX, and its word/document.xml.
fn letter(db: &Path, period: &str, date: &str) -> (PathBuf, String) {
    let out = db.with_file_name(format!("cv-{period}.docx"));
    ok(
        db,
        &[
            "report",
            "--period",
            period,
            "--format",
            "docx",
            "--out",
            s(&out),
            "--date",
            date,
            "--force",
        ],
    );
    let xml = zip_part(&out, "word/document.xml");
    (out, xml)
}

/// Every piece of `s` from `open` to the matching `close` (not nested).
fn pieces<'a>(s: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(open) {
        let from = &rest[i..];
        let Some(j) = from.find(close) else { break };
        out.push(&from[..j + close.len()]);
        rest = &from[j + close.len()..];
    }
    out
}

/// Tables are never nested in the letter: each `<w:tbl>…</w:tbl>`.
fn tables(xml: &str) -> Vec<&str> {
    pieces(xml, "<w:tbl>", "</w:tbl>")
}

/// A piece's paragraphs, each `<w:p …>…</w:p>`.
fn paragraphs(xml: &str) -> Vec<&str> {
    pieces(xml, "<w:p ", "</w:p>")
}

/// The text of a piece of XML: its `w:t` runs joined.
fn text(xml: &str) -> String {
    pieces(xml, "<w:t xml:space=\"preserve\">", "</w:t>")
        .iter()
        .map(|t| &t["<w:t xml:space=\"preserve\">".len()..t.len() - "</w:t>".len()])
        .collect()
}

/// The number in `attr="…"` inside `xml`.
fn attr(xml: &str, attr: &str) -> Option<i64> {
    let i = xml.find(&format!("{attr}=\""))? + attr.len() + 2;
    xml[i..].split('"').next()?.parse().ok()
}

/// A rule drawn by an empty paragraph's top border, narrowed by indents:
/// its length in mm across a cell `cell_mm` wide.
fn rule_mm(p: &str, cell_mm: f64) -> f64 {
    assert!(
        p.contains("<w:pBdr><w:top w:val=\"single\""),
        "not a rule: {p}"
    );
    assert_eq!(text(p), "", "a rule holds no text");
    let left = attr(p, "w:left").unwrap();
    let right = attr(p, "w:right").unwrap();
    assert_eq!(left, right, "centred");
    cell_mm - 2.0 * mm(left)
}

/// The head: 62 + 103 mm, no side padding. The Quốc hiệu at 12 pt bold
/// is 88.32 mm wide: the sum of its glyphs' advance widths in Liberation
/// Serif 2.1.5 Bold (its hmtx table, 2048 units per em; the font has
/// Times New Roman's widths; /usr/share/fonts/truetype/liberation2, the
/// 1.07 copy in …/liberation has no Ộ, Ủ, Ệ), read with a short cmap →
/// hmtx script: 88.32 × 13/12 = 95.67 mm at 13 pt, which the issue
/// measured too. It fits the right column's 103 mm with room to spare.
const QUOC_HIEU_12PT_MM: f64 = 88.32;

#[test]
fn the_head_fits_the_quoc_hieu_and_draws_the_decrees_rules() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let (_, xml) = letter(&db, "2024-08", "2024-09-09");
    let head = tables(&xml)[0];
    assert!(
        head.contains(&format!(
            "<w:tblGrid><w:gridCol w:w=\"{}\" w:type=\"dxa\" /><w:gridCol w:w=\"{}\" w:type=\"dxa\" /></w:tblGrid>",
            twips(62.0),
            twips(103.0)
        )),
        "{head}"
    );
    let margins = pieces(head, "<w:tblCellMar>", "</w:tblCellMar>");
    assert_eq!(margins.len(), 1, "{head}");
    for side in ["top", "left", "bottom", "right"] {
        assert!(
            margins[0].contains(&format!("<w:{side} w:w=\"0\" w:type=\"dxa\" />")),
            "{side}: {}",
            margins[0]
        );
    }
    let cells = pieces(head, "<w:tc>", "</w:tc>");
    assert_eq!(cells.len(), 2);
    // The right cell's width for text: its grid column, less no padding.
    let right_col = pieces(head, "<w:gridCol ", "/>")[1];
    let room = mm(attr(right_col, "w:w").unwrap());
    assert!(room > QUOC_HIEU_12PT_MM + 5.0, "{room} mm");
    let right = paragraphs(cells[1]);
    assert_eq!(text(right[0]), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    assert!(right[0].contains("<w:sz w:val=\"24\" />") && right[0].contains("<w:b />"));

    // The issuing body, bold, then its short rule: 1/3 to 1/2 of
    // "HUYỆN KHOÁI CHÂU", 48.16 mm at 13 pt bold (hmtx as above).
    let left = paragraphs(cells[0]);
    assert_eq!(text(left[0]), "ỦY BAN NHÂN DÂN");
    assert_eq!(text(left[1]), "HUYỆN KHOÁI CHÂU");
    assert!(left[0].contains("<w:b />") && left[1].contains("<w:b />"));
    let rule = rule_mm(left[2], 62.0);
    assert!(
        (48.16 / 3.0..=48.16 / 2.0).contains(&rule),
        "rule {rule} mm"
    );
    assert_eq!(text(left[4]), "Số: 884/UBND-VP");

    // The Tiêu ngữ, not underlined, over a rule as long as itself:
    // 56.14 mm at 13 pt bold.
    assert_eq!(text(right[1]), "Độc lập - Tự do - Hạnh phúc");
    assert!(!right[1].contains("w:u "), "{}", right[1]);
    let rule = rule_mm(right[2], 103.0);
    assert!((rule - 56.14).abs() < 0.1, "rule {rule} mm");
}

/// "UBND TỈNH HƯNG YÊN|VĂN PHÒNG": the parent's line is not bold, the
/// office's own name is, and the rule is the office's.
#[test]
fn a_parent_line_above_the_issuing_body_is_not_bold() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    ok(
        &db,
        &["settings", "set", "issuer", "UBND TỈNH HƯNG YÊN|VĂN PHÒNG"],
    );
    let (_, xml) = letter(&db, "2024-08", "2024-09-09");
    let head = tables(&xml)[0];
    let left = paragraphs(pieces(head, "<w:tc>", "</w:tc>")[0]);
    assert_eq!(text(left[0]), "UBND TỈNH HƯNG YÊN");
    assert!(!left[0].contains("<w:b />"), "{}", left[0]);
    assert_eq!(text(left[1]), "VĂN PHÒNG");
    assert!(left[1].contains("<w:b />"), "{}", left[1]);
    // "VĂN PHÒNG" at 13 pt bold: 27.90 mm.
    let rule = rule_mm(left[2], 62.0);
    assert!(
        (27.90 / 3.0..=27.90 / 2.0).contains(&rule),
        "rule {rule} mm"
    );
}

/// The signature row never splits and is no header row; the paragraphs
/// before it keep with it.
#[test]
fn the_signature_stays_on_one_page() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let (_, xml) = letter(&db, "2024-08", "2024-09-09");
    let all = tables(&xml);
    let sign = all
        .iter()
        .find(|t| t.contains("Nơi nhận:"))
        .expect("the signature table");
    assert!(sign.contains("Lê Hải Nam"));
    let rows = pieces(sign, "<w:trPr", "</w:tr>");
    assert_eq!(rows.len(), 1, "one row");
    let tr_pr = rows[0].split("</w:trPr>").next().unwrap();
    assert!(tr_pr.contains("<w:cantSplit />"), "{tr_pr}");
    assert!(!tr_pr.contains("tblHeader"), "{tr_pr}");
    // The two paragraphs before it: the blank line and the letter's last.
    let l = built(&db, "2024-08", "2024-09-09");
    let last = match l.body.last().unwrap() {
        chiso::report::Block::Para(t)
        | chiso::report::Block::Heading(t)
        | chiso::report::Block::Subheading(t) => t.clone(),
        chiso::report::Block::Bullet(t) => format!("- {t}"),
    };
    let before = &xml[..xml.find(*sign).unwrap()];
    let ps = paragraphs(before);
    let last_two = &ps[ps.len() - 2..];
    assert_eq!(text(last_two[0]), last);
    assert_eq!(text(last_two[1]), "");
    for p in last_two {
        assert!(p.contains("<w:keepNext />"), "{p}");
    }
    // Header rows are the annexes', one each.
    let headers: Vec<&&str> = all
        .iter()
        .filter(|t| t.contains("<w:tblHeader />"))
        .collect();
    assert_eq!(headers.len(), l.annexes.len());
    for t in headers {
        assert_eq!(t.matches("<w:tblHeader />").count(), 1);
        let first = pieces(t, "<w:tr>", "</w:tr>")[0];
        assert!(first.contains("<w:tblHeader />") && text(first).starts_with("STTĐơn vị"));
    }
}

/// Each annex opens a section whose pages count from 1, portrait or
/// landscape; the letter's own section shows no number on its first page
/// and every section uses the same two headers.
fn assert_sections(out: &Path, xml: &str, l: &chiso::report::Letter) {
    let titles: Vec<String> = l.annexes.iter().map(|a| a.title.to_uppercase()).collect();
    let sections = pieces(xml, "<w:sectPr>", "</w:sectPr>");
    assert_eq!(sections.len(), titles.len() + 1);
    let rels = zip_part(out, "word/_rels/document.xml.rels");
    for (i, s) in sections.iter().enumerate() {
        assert!(s.contains("<w:titlePg />"), "{s}");
        for kind in ["default", "first"] {
            let r = pieces(s, &format!("<w:headerReference w:type=\"{kind}\""), "/>");
            assert_eq!(r.len(), 1, "{s}");
            let id = r[0]
                .split("r:id=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            assert!(rels.contains(&format!("Id=\"{id}\"")), "{id}");
        }
        let restart = s.contains("<w:pgNumType w:start=\"1\" />");
        assert_eq!(restart, i > 0, "section {i}: {s}");
        // The page number 10 mm from the edge, the text from 20 mm.
        assert_eq!(attr(s, "w:header"), Some(twips(10.0)), "{s}");
        assert_eq!(attr(s, "w:top"), Some(twips(20.0)), "{s}");
    }
    // The paragraph that closes each section is a tenth of a point high:
    // with a line's height, a letter whose signature ended at the foot of
    // page 2 printed a blank page 3 (seen in LibreOffice).
    let ends: Vec<&str> = paragraphs(xml)
        .into_iter()
        .filter(|p| p.contains("<w:sectPr>"))
        .collect();
    assert_eq!(
        ends.len(),
        titles.len(),
        "a paragraph ends each but the last"
    );
    for p in ends {
        assert!(text(p).is_empty(), "{p}");
        assert!(
            p.contains(r#"w:line="2" w:lineRule="exact""#),
            "section end not collapsed: {p}"
        );
    }
    // Section k + 1 holds annex k, title first.
    let mut rest = xml;
    for (k, title) in titles.iter().enumerate() {
        let end = rest.find("</w:sectPr>").unwrap() + "</w:sectPr>".len();
        rest = &rest[end..];
        let next = rest.find("<w:sectPr>").unwrap();
        let ps = paragraphs(&rest[..next]);
        assert_eq!(&text(ps[0]), title, "annex {k}");
        assert!(
            !ps[0].contains("pageBreakBefore"),
            "the section breaks the page"
        );
    }
    // The page number: centred, clear of the text (no space after), in
    // the default header; the first page's header is empty.
    let number = zip_part(out, "word/header1.xml");
    assert!(
        number.contains("<w:instrText>PAGE</w:instrText>"),
        "{number}"
    );
    assert!(number.contains("<w:jc w:val=\"center\" />"));
    assert!(number.contains("<w:spacing w:before=\"0\" w:after=\"0\" />"));
    let first = zip_part(out, "word/header2.xml");
    assert!(!first.contains("PAGE"), "{first}");
}

#[test]
fn each_annex_is_a_section_numbered_from_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let (out, xml) = letter(&db, "2024-08", "2024-09-09");
    let l = built(&db, "2024-08", "2024-09-09");
    assert!(l.annexes.len() >= 2);
    assert_sections(&out, &xml, &l);

    let db = province(dir.path());
    let (out, xml) = letter(&db, "2025-08", "2025-09-09");
    let l = built(&db, "2025-08", "2025-09-09");
    assert!(l.annexes.len() >= 4, "two a group, agencies and communes");
    assert_sections(&out, &xml, &l);
}

/// Figures right, labels ("Tốt") centred, names left; the caption's end
/// held together so that no word stands alone on its last line.
#[test]
fn annex_cells_align_by_kind_and_the_caption_keeps_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let (_, xml) = letter(&db, "2024-08", "2024-09-09");
    let all = tables(&xml);
    let annex_2 = all
        .iter()
        .find(|t| t.contains("Kết quả đánh giá"))
        .expect("Phụ lục 2");
    let rows = pieces(annex_2, "<w:tr>", "</w:tr>");
    assert_eq!(rows.len(), 26);
    for row in &rows[1..] {
        let cells = pieces(row, "<w:tc>", "</w:tc>");
        let jc: Vec<&str> = cells
            .iter()
            .map(|c| {
                c.split("<w:jc w:val=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
            })
            .collect();
        assert_eq!(
            jc,
            ["center", "left", "right", "right", "right", "center"],
            "{}",
            text(row)
        );
    }
    assert_eq!(
        text(pieces(rows[25], "<w:tc>", "</w:tc>")[5]),
        "Tốt",
        "the rating column"
    );
    // The header row is centred whatever its column holds.
    for c in pieces(rows[0], "<w:tc>", "</w:tc>") {
        assert!(c.contains("<w:jc w:val=\"center\" />"), "{c}");
    }
    let l = built(&db, "2024-08", "2024-09-09");
    for a in &l.annexes {
        // "… ngày 09 tháng 9 năm 2024 của UBND huyện Khoái Châu)": from
        // "của" on, no line break.
        let i = a.note.rfind(" của ").unwrap() + 1;
        let note = format!("{}{}", &a.note[..i], a.note[i..].replace(' ', "\u{a0}"));
        assert!(note.ends_with("của\u{a0}UBND\u{a0}huyện\u{a0}Khoái\u{a0}Châu)"));
        assert!(xml.contains(&note), "{note}");
    }
}
