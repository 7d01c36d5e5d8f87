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
        // A list names a town among communes "thị trấn Khoái Châu".
        let name = &stored_name(name);
        let id = units
            .iter()
            .find(|u| &u.1 == name)
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
        // The letter's label is the catalog's without "(%)", or the seed's
        // longer one ("Kết quả xử lý hồ sơ TTHC"); the figure has the "%".
        let Some((label, shown)) = t.split_once(": ") else {
            continue;
        };
        let Some(m) = cat
            .metrics
            .iter()
            .position(|m| label.starts_with(m.label.trim_end_matches(" (%)")))
        else {
            continue;
        };
        assert!(!label.contains('%'), "one percent sign: {t}");
        let shown = shown.split('/').next().unwrap();
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
        // More than max_named (10): the worst ten, and the list annex.
        let cut = s.count > 10;
        assert_eq!(
            head.ends_with("(danh sách tại Phụ lục III), trong đó giảm nhiều nhất là"),
            cut,
            "{t}"
        );
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
            named.push(stored_name(name));
        }
        if cut {
            // The ten largest falls, largest first, each a finding.
            assert_eq!(named.len(), 10, "{t}");
            let fall = |n: &str| value(n, m, aug.previous()) - value(n, m, aug);
            let named: Vec<String> = named.iter().map(|n| stored_name(n)).collect();
            assert!(named.iter().all(|n| s.units.contains(n)), "{t}");
            let least = named.iter().map(|n| fall(n)).fold(f64::MAX, f64::min);
            for n in s.units.iter().filter(|n| !named.contains(n)) {
                assert!(fall(n) <= least, "{n} fell more than a named unit: {t}");
            }
            assert!(named.windows(2).all(|w| fall(&w[0]) >= fall(&w[1])), "{t}");
        } else {
            // Exactly the rule's findings, in unit order, none missing.
            assert_eq!(named, s.units, "{}", rule.code);
        }
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

/// A unit as stored, from how a rule's list names it: the demo stores
/// "Thị trấn Khoái Châu", a list among communes says "thị trấn Khoái Châu".
fn stored_name(listed: &str) -> String {
    match listed.strip_prefix("thị trấn ") {
        Some(rest) => format!("Thị trấn {rest}"),
        None => listed.to_owned(),
    }
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
    let (paragraphs, tables) = docx_text(&bytes);
    // Header, signature, three annexes (the figures, and the list of
    // units needing directives).
    assert_eq!(tables.len(), 5);
    assert!(tables[0][0][0].contains("ỦY BAN NHÂN DÂN\nHUYỆN KHOÁI CHÂU"));
    assert!(tables[0][0][0].contains("Số: 884/UBND-VP"));
    // Spelt as the decree spells it (this test said "HOÀ" before issue 14).
    assert!(tables[0][0][1].contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
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
    // The seed's label, one percent sign (issue 14).
    assert!(
        body.contains("- Kết quả xử lý hồ sơ TTHC: 99,62%"),
        "{body}"
    );
    assert!(
        body.contains("5/25 xã, thị trấn có kết quả xử lý hồ sơ chưa đạt 100%: Bình Kiều 37,9%")
    );
    assert!(body.contains("PHỤ LỤC II"));

    // Layout: A4, the decree's margins, Times New Roman, annexes on new
    // pages with their header rows repeating.
    let xml = zip_part(&out, "word/document.xml");
    assert!(xml.contains(r#"<w:pgSz w:w="11906" w:h="16838""#), "A4");
    assert!(
        xml.contains(r#"w:top="1134""#)
            && xml.contains(r#"w:left="1701""#)
            && xml.contains(r#"w:right="850""#)
    );
    assert_eq!(xml.matches("<w:tblHeader />").count(), 3);
    // Each annex opens a section of its own (issue 14: its pages are
    // numbered from 1), which starts the new page: no pageBreakBefore.
    assert_eq!(xml.matches("<w:pgNumType w:start=\"1\" />").count(), 3);
    let styles = zip_part(&out, "word/styles.xml");
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
    // Numbered in Roman numerals (issue 14), with the list of units that
    // need directives as the third.
    assert!(r.stderr.contains("Phụ lục I, II và III"), "{}", r.stderr);
    let mut book: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["Phụ lục I", "Phụ lục II", "Phụ lục III"]
    );
    let p1 = book.worksheet_range("Phụ lục I").unwrap();
    // The title in capitals, as the DOCX annex writes it.
    assert_eq!(
        p1.get_value((0, 0)),
        Some(&Data::String("PHỤ LỤC I".into()))
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
    let p2 = book.worksheet_range("Phụ lục II").unwrap();
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

#[test]
fn figures_keep_every_digit_and_unusual_data_reads_right() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    // Three decimals: never rounded onto or past a threshold in the text.
    ok(
        &db,
        &[
            "set",
            "--period",
            "2024-08",
            "--unit",
            "Bình Minh",
            "processing=99.999",
            "digitization=39.996",
        ],
    );
    let md = ok(&db, &["report", "--period", "2024-08"]).stdout;
    assert!(md.contains("Bình Minh 99,999%"), "{md}");
    assert!(md.contains("Bình Minh 39,996%"), "{md}");
    assert!(md.contains("| Bình Minh | 99.999 |"), "{md}");
    // The reference of the below-parent rule is the parent's figure.
    assert!(
        md.contains("thấp hơn kết quả chung của huyện Khoái Châu (73,54%)"),
        "{md}"
    );

    // Another month: its own number and source letter, or a warning.
    let r = ok(&db, &["report", "--period", "2024-07"]);
    assert!(r.stdout.contains("Số: …/UBND-VP"), "{}", r.stdout);
    assert!(!r.stdout.contains("884"), "August's number is August's");
    assert!(r.stderr.contains("doc_number:2024-07"), "{}", r.stderr);
    assert!(r.stderr.contains("source_letter:2024-07"), "{}", r.stderr);
    let e = fails(&db, &["settings", "set", "doc_number", "885"]);
    assert!(e.contains("doc_number:KỲ"), "{e}");
    // Any spelling of the period is stored as the letter looks it up.
    let set = ok(&db, &["settings", "set", "doc_number:7/2024", "790"]);
    assert_eq!(set.stdout, "doc_number:2024-07 = 790\n");
    assert!(
        ok(&db, &["report", "--period", "2024-07"])
            .stdout
            .contains("Số: 790/UBND-VP")
    );

    // Markdown and XML special characters in settings and names.
    ok(
        &db,
        &["settings", "set", "signer_name", "Lê <B> *Nam* & Co"],
    );
    let md = ok(&db, &["report", "--period", "2024-08"]).stdout;
    assert!(md.contains(r"Lê &lt;B&gt; \*Nam\* & Co"), "{md}");
    ok(&db, &["settings", "set", "signer_name", "Lê \u{FFFE}Nam"]);
    let out = dir.path().join("x.docx");
    ok(
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
    let xml = zip_part(&out, "word/document.xml");
    assert!(!xml.contains('\u{FFFE}') && xml.contains("Lê Nam"));
    // Column widths in the grid (LibreOffice sizes columns from it).
    assert!(
        xml.contains(r#"<w:gridCol w:w="680" w:type="dxa" />"#),
        "12 mm STT column"
    );
    assert_eq!(
        xml.matches("<w:tblGrid><w:gridCol").count(),
        5,
        "every table"
    );
}

#[test]
fn a_province_a_month_with_gaps_and_missing_figures() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    ok(&db, &["init", "--parent", "Tỉnh Thử"]);
    ok(&db, &["units", "add", "Phường Một", "--kind", "phuong"]);
    ok(&db, &["units", "add", "Xã Hai"]);
    ok(&db, &["units", "add", "Đặc khu Ba", "--kind", "dac_khu"]);
    // Only Phụ lục 1's metrics, and not for every unit.
    ok(
        &db,
        &[
            "set",
            "--period",
            "2025-09",
            "--unit",
            "Phường Một",
            "processing=100",
            "satisfaction=95",
        ],
    );
    ok(
        &db,
        &[
            "set",
            "--period",
            "2025-09",
            "--unit",
            "Xã Hai",
            "processing=90",
        ],
    );
    let r = ok(&db, &["report", "--period", "2025-09"]);
    let md = r.stdout;
    assert!(md.contains("**ỦY BAN NHÂN DÂN**<br>**TỈNH THỬ**"), "{md}");
    assert!(md.contains("Văn phòng UBND tỉnh công bố"), "{md}");
    assert!(!md.contains("HĐND và UBND tỉnh"), "{md}");
    assert!(md.contains("của mình./."), "{md}");
    // The parent has no figures: said in the text and warned.
    assert!(
        md.contains("Kết quả xử lý hồ sơ TTHC: chưa có số liệu"),
        "{md}"
    );
    assert!(
        // The metric in words, its code in the command (issue 15, item 10).
        r.stderr.contains("tỉnh Thử chưa có số liệu kết quả xử lý hồ sơ tháng 9/2025: chiso set --period 2025-09 --unit \"Tỉnh Thử\" processing=…"),
        "{}",
        r.stderr
    );
    // Missing data: one group sentence, metrics in lower case.
    assert!(
        md.contains("đặc khu Ba (thiếu kết quả xử lý hồ sơ, tỷ lệ mức độ hài lòng), xã Hai (thiếu tỷ lệ mức độ hài lòng)"),
        "{md}"
    );
    assert!(
        md.contains("cập nhật đầy đủ số liệu còn thiếu tháng 9/2025"),
        "{md}"
    );
    assert_eq!(md.matches("cập nhật đầy đủ số liệu").count(), 1, "{md}");
    // Rules that could not be judged are not claimed as passed.
    assert!(!md.contains("không có xã"), "{md}");
}

#[test]
fn a_directive_rendered_alone_is_the_one_rendered_with_all() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo(dir.path());
    let db = Db::open(&path).unwrap();
    let aug = Period::parse("2024-08").unwrap();
    let full = chiso::rules::evaluate(db.conn(), aug).unwrap();
    let lean = chiso::rules::evaluate_lean(db.conn(), aug).unwrap();
    assert_eq!(full.findings.len(), lean.findings.len());
    assert!(lean.findings.iter().all(|f| f.directive.is_empty()));
    assert!(full.findings.iter().any(|f| f.escalated));
    for (i, f) in full.findings.iter().enumerate() {
        assert_eq!(
            chiso::rules::render::directive_for(&lean, i),
            f.directive,
            "{i}"
        );
    }
}

/// Issue 14, items 3 and 6: dates with the decree's leading zeros; the
/// text's language and the file's properties, which docx-rs cannot set.
#[test]
fn docx_language_properties_and_dates() {
    use chrono::NaiveDate;
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    assert_eq!(
        chiso::report::date_vi(d(2024, 9, 9)),
        "ngày 09 tháng 9 năm 2024"
    );
    assert_eq!(
        chiso::report::date_vi(d(2025, 1, 5)),
        "ngày 05 tháng 01 năm 2025"
    );
    assert_eq!(
        chiso::report::date_vi(d(2025, 2, 28)),
        "ngày 28 tháng 02 năm 2025"
    );
    assert_eq!(
        chiso::report::date_vi(d(2025, 12, 31)),
        "ngày 31 tháng 12 năm 2025"
    );
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let out = dir.path().join("cv.docx");
    ok(
        &db,
        &[
            "report",
            "--period",
            "2024-08",
            "--format",
            "docx",
            "--out",
            s(&out),
            "--date",
            "2024-09-09",
        ],
    );
    let styles = zip_part(&out, "word/styles.xml");
    assert!(styles.contains(r#"<w:lang w:val="vi-VN""#), "{styles}");
    let core = zip_part(&out, "docProps/core.xml");
    assert!(
        core.contains("<dc:title>V/v công bố kết quả đánh giá Bộ chỉ số phục vụ người dân, doanh nghiệp trong thực hiện TTHC, cung cấp dịch vụ công tháng 8/2024</dc:title>"),
        "{core}"
    );
    assert!(
        core.contains("<dc:creator>ỦY BAN NHÂN DÂN HUYỆN KHOÁI CHÂU</dc:creator>"),
        "{core}"
    );
    assert!(
        core.contains(">2024-09-09T00:00:00Z</dcterms:created>"),
        "{core}"
    );
    assert!(
        !core.contains("unknown") && !core.contains("1970"),
        "{core}"
    );
    let doc = zip_part(&out, "word/document.xml");
    assert!(doc.contains("ngày 09 tháng 9 năm 2024"));
    // No signer: said, as the missing number is.
    let other = tempfile::tempdir().unwrap();
    let bare = seeded_db(other.path());
    let r = ok(&bare, &["report", "--period", "2024-08"]);
    assert!(r.stderr.contains("chưa đặt tên người ký"), "{}", r.stderr);
}

/// Issue 14 item 14, first part: each annex sheet prints one page wide.
#[test]
fn annex_sheets_print_one_page_wide() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let out = dir.path().join("pl.xlsx");
    ok(
        &db,
        &[
            "export",
            "--period",
            "2024-08",
            "--format",
            "xlsx",
            "--annexes",
            "--out",
            s(&out),
        ],
    );
    for sheet in ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"] {
        let xml = zip_part(&out, sheet);
        assert!(
            xml.contains(r#"<pageSetUpPr fitToPage="1"/>"#),
            "{sheet}: {xml}"
        );
        assert!(xml.contains(r#"fitToHeight="0""#), "{sheet}");
    }
}
