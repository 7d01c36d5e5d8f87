//! `chiso report` on the demo database (the seed's August 2024 and the
//! synthetic July): a golden Markdown letter, every figure of the text
//! against the database, each rule's units against its findings, and the
//! DOCX read back.

mod common;

use std::path::{Path, PathBuf};

use chiso::db::{Catalog, Db, values};
use chiso::model::{Period, Value};
use chiso::report::{self, Block};
use common::*;

fn demo(dir: &Path) -> PathBuf {
    let db = dir.join("demo.db");
    chiso::demo::build(&db).unwrap();
    db
}

#[test]
fn golden_markdown_letter_for_august_2024() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let r = ok(
        &db,
        &[
            "report",
            "--period",
            "2024-08",
            "--format",
            "md",
            "--date",
            "2024-09-09",
        ],
    );
    // Every rule could be judged (July is there): no warning.
    assert_eq!(r.stderr, "");
    insta::assert_snapshot!("report_2024_08_md", r.stdout);
    let txt = ok(&db, &["report", "--period", "2024-08", "--format", "txt"]).stdout;
    insta::assert_snapshot!("report_2024_08_txt", txt);
}

/// "99,62" → 99.62 (the text's decimal comma; "3.090" groups thousands).
fn vi_number(s: &str) -> f64 {
    s.trim_end_matches('%')
        .replace('.', "")
        .replace(',', ".")
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

#[test]
fn every_figure_in_the_text_is_the_database_value() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo(dir.path());
    let db = Db::open(&path).unwrap();
    let cat = Catalog::load(db.conn()).unwrap();
    let aug = Period::parse("2024-08").unwrap();
    let rep = report::build(db.conn(), aug, report::Options::default()).unwrap();
    let units: Vec<(i64, String, bool)> = db
        .conn()
        .prepare("SELECT id, name, is_parent FROM units")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let value = |name: &str, metric: usize, p: Period| -> f64 {
        let id = units
            .iter()
            .find(|u| u.1 == name)
            .unwrap_or_else(|| panic!("{name}"))
            .0;
        match values::load_one(db.conn(), p, id, &cat).unwrap().unwrap()[metric] {
            Some(Value::Num(x)) => x,
            ref v => panic!("{name}: {v:?}"),
        }
    };
    let parent = units.iter().find(|u| u.2).unwrap().1.clone();

    // Section 1: the parent's five figures, each "label: value".
    let mut checked = 0;
    for b in &rep.letter.body {
        let Block::Bullet(t) = b else { continue };
        let Some(m) = cat
            .metrics
            .iter()
            .position(|m| t.starts_with(&format!("{}: ", m.label)))
        else {
            continue;
        };
        let shown = t[cat.metrics[m].label.len() + 2..]
            .split('/')
            .next()
            .unwrap();
        assert_eq!(vi_number(shown), value(&parent, m, aug), "{t}");
        checked += 1;
    }
    assert_eq!(checked, 5);

    // Section of directives: one bullet per rule that fired, in order.
    let bullets: Vec<&String> = rep
        .letter
        .body
        .iter()
        .filter_map(|b| match b {
            Block::Bullet(t) if t.contains("/25 ") => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(bullets.len(), rep.findings.summary.len());
    for (t, s) in bullets.iter().zip(&rep.findings.summary) {
        let rule = rep
            .findings
            .context
            .rules
            .iter()
            .find(|r| r.code == s.rule)
            .unwrap();
        let m = cat.index_of(rule.metric.as_deref().unwrap()).unwrap();
        let (head, rest) = t.split_once(": ").unwrap();
        // "13/25 xã, thị trấn …": the count is the findings' count.
        assert!(head.starts_with(&format!("{}/25 ", s.count)), "{t}");
        let list = &rest[..rest.find(". ").unwrap()];
        let mut named = Vec::new();
        for item in list.split(", ") {
            // "Bình Minh 40,7% (tháng 7: 46,2%)"
            let (name_value, previous) = match item.split_once(" (tháng 7: ") {
                Some((a, b)) => (a, Some(b.trim_end_matches(')'))),
                None => (item, None),
            };
            let (name, v) = name_value.rsplit_once(' ').unwrap();
            assert_eq!(vi_number(v), value(name, m, aug), "{item}");
            if let Some(p) = previous {
                assert_eq!(vi_number(p), value(name, m, aug.previous()), "{item}");
            }
            named.push(name.to_owned());
        }
        // Exactly the rule's findings, none missing, none extra.
        assert_eq!(named, s.units, "{}", rule.code);
    }
    // The seed's August: 5 late, 3 under 40 %, 7 between 40 and 50 %, 13
    // falling against July, 2 below the district's online payment.
    let counts: Vec<(&str, usize)> = rep
        .findings
        .summary
        .iter()
        .map(|s| (s.rule.as_str(), s.count))
        .collect();
    assert_eq!(
        counts,
        [
            ("processing_late", 5),
            ("digitization_low", 3),
            ("digitization_weak", 7),
            ("digitization_drop", 13),
            ("online_payment_below_parent", 2),
        ]
    );

    // The annexes hold the same values (the demo prints them with a dot).
    let a1 = &rep.letter.annexes[0];
    let row = a1.rows.iter().find(|r| r[1] == "Bình Kiều").unwrap();
    assert_eq!(row[2], "37.9");
    assert_eq!(
        a1.rows[0][1], "Thị trấn Khoái Châu",
        "towns first, as the seed"
    );
    assert_eq!(rep.letter.annexes[1].rows.len(), 25);
}

#[test]
fn the_docx_opens_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let out = dir.path().join("cong-van.docx");
    let r = ok(
        &db,
        &[
            "report",
            "--period",
            "2024-08",
            "--format",
            "docx",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(r.stderr.contains("Đã ghi công văn"), "{}", r.stderr);
    let bytes = std::fs::read(&out).unwrap();
    let doc = docx_rs::read_docx(&bytes).expect("a well-formed DOCX");
    let mut paragraphs = Vec::new();
    let mut tables: Vec<Vec<Vec<String>>> = Vec::new();
    for c in &doc.document.children {
        match c {
            docx_rs::DocumentChild::Paragraph(p) => paragraphs.push(p.raw_text()),
            docx_rs::DocumentChild::Table(t) => {
                let mut rows = Vec::new();
                for docx_rs::TableChild::TableRow(r) in &t.rows {
                    let mut cells = Vec::new();
                    for docx_rs::TableRowChild::TableCell(c) in &r.cells {
                        let text: Vec<String> = c
                            .children
                            .iter()
                            .filter_map(|x| match x {
                                docx_rs::TableCellContent::Paragraph(p) => Some(p.raw_text()),
                                _ => None,
                            })
                            .collect();
                        cells.push(text.join("\n"));
                    }
                    rows.push(cells);
                }
                tables.push(rows);
            }
            _ => {}
        }
    }
    // Header, signature, two annexes.
    assert_eq!(tables.len(), 4);
    assert!(tables[0][0][0].contains("ỦY BAN NHÂN DÂN\nHUYỆN KHOÁI CHÂU"));
    assert!(tables[0][0][0].contains("Số: 884/UBND-VP"));
    assert!(tables[0][0][1].contains("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    assert!(tables[1][0][1].contains("Lê Hải Nam"));
    assert_eq!(tables[2].len(), 26, "header and 25 units");
    assert_eq!(
        tables[2][1],
        ["1", "Thị trấn Khoái Châu", "100", "100", "93.45"]
    );
    assert_eq!(
        tables[3][25],
        ["25", "Việt Hoà", "85.75", "67.7", "157", "Tốt"]
    );
    let body = paragraphs.join("\n");
    assert!(body.contains("- Kết quả xử lý hồ sơ (%): 99,62%"), "{body}");
    assert!(
        body.contains("5/25 xã, thị trấn có kết quả xử lý hồ sơ chưa đạt 100%: Bình Kiều 37,9%")
    );
    assert!(body.contains("Phụ lục 2"));

    // Layout: A4, the decree's margins, Times New Roman, annexes on new
    // pages with their header rows repeating.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    assert!(xml.contains(r#"<w:pgSz w:w="11906" w:h="16838""#), "A4");
    assert!(
        xml.contains(r#"w:top="1134""#)
            && xml.contains(r#"w:left="1701""#)
            && xml.contains(r#"w:right="850""#)
    );
    assert_eq!(xml.matches("<w:tblHeader />").count(), 2);
    assert_eq!(xml.matches("<w:pageBreakBefore />").count(), 2);
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/styles.xml").unwrap(), &mut styles)
        .unwrap();
    assert!(styles.contains("Times New Roman"));
    assert!(styles.contains(r#"<w:sz w:val="28" />"#), "14 pt body");
}

#[test]
fn report_errors_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let e = fails(&db, &["report", "--period", "2024-08", "--format", "docx"]);
    assert!(e.contains("--out"), "{e}");
    let e = fails(&db, &["report", "--period", "2023-01"]);
    assert!(e.contains("2024-07") && e.contains("2024-08"), "{e}");
    let r = run(
        &db,
        &["report", "--period", "2024-08", "--date", "9/9/2024"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("YYYY-MM-DD"), "{}", r.stderr);
    // July has no month before it: the fall rule is left out, with a warning.
    let r = ok(&db, &["report", "--period", "2024-07"]);
    assert!(r.stderr.contains("digitization_drop"), "{}", r.stderr);
    assert!(!r.stdout.contains("giảm so với"), "{}", r.stdout);
}

#[test]
fn the_annexes_as_a_workbook_numbers_as_numbers_text_never_a_formula() {
    use calamine::{Data, Reader, Xlsx};
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    // A name that a spreadsheet would run as a formula if written as one.
    ok(&db, &["units", "add", "=1+2", "--kind", "xa"]);
    ok(
        &db,
        &[
            "set",
            "--period",
            "2024-08",
            "--unit",
            "=1+2",
            "processing=50",
        ],
    );
    let out = dir.path().join("phu-luc.xlsx");
    let r = ok(
        &db,
        &[
            "export",
            "--period",
            "2024-08",
            "--format",
            "xlsx",
            "--annexes",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(r.stderr.contains("Phụ lục 1 và 2"), "{}", r.stderr);
    let mut book: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    assert_eq!(book.sheet_names(), ["Phụ lục 1", "Phụ lục 2"]);
    let p1 = book.worksheet_range("Phụ lục 1").unwrap();
    assert_eq!(
        p1.get_value((0, 0)),
        Some(&Data::String("Phụ lục 1".into()))
    );
    assert_eq!(
        p1.get_value((4, 2)),
        Some(&Data::String("Kết quả xử lý hồ sơ (%)".into()))
    );
    // The seed's order (towns first), numbers stored as numbers.
    assert_eq!(
        p1.get_value((5, 1)),
        Some(&Data::String("Thị trấn Khoái Châu".into()))
    );
    assert_eq!(p1.get_value((5, 0)), Some(&Data::Float(1.0)));
    assert_eq!(p1.get_value((5, 4)), Some(&Data::Float(93.45)));
    let p2 = book.worksheet_range("Phụ lục 2").unwrap();
    assert_eq!(p2.get_value((5, 4)), Some(&Data::Float(3090.0)));
    assert_eq!(p2.get_value((5, 5)), Some(&Data::String("Tốt".into())));
    // The formula-looking name is text, and no cell holds a formula.
    let rows: Vec<Vec<Data>> = p1.rows().map(|r| r.to_vec()).collect();
    assert!(
        rows.iter()
            .any(|r| r.get(1) == Some(&Data::String("=1+2".into())))
    );
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        if f.name().starts_with("xl/worksheets/") {
            let mut xml = String::new();
            std::io::Read::read_to_string(&mut f, &mut xml).unwrap();
            assert!(!xml.contains("<f>"), "{}", f.name());
        }
    }
    // Only for xlsx.
    let e = fails(
        &db,
        &[
            "export",
            "--period",
            "2024-08",
            "--format",
            "csv",
            "--annexes",
        ],
    );
    assert!(e.contains("--annexes"), "{e}");
}
