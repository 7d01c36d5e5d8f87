//! The quarterly and annual công văn and `findings --months`, on a small
//! district built here through the binary: four communes, months 7/2024 to
//! 9/2025, quarters III/2024, II/2025 and III/2025, years 2024 and 2025,
//! each period with figures of its own (a quarter's are not its months').

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chiso::db::Db;
use chiso::model::Period;
use chiso::report::Block;
use chiso::rules::months_on_list::months_on_list;
use common::*;

const UNITS: [&str; 4] = ["An Vỹ", "Bình Kiều", "Đông Kết", "Tân Dân"];
const HEADER: &str = "STT\tĐơn vị\tKết quả xử lý hồ sơ (%)\tTỷ lệ mức độ hài lòng (%)\tTỷ lệ hồ sơ thanh toán trực tuyến (%)\tĐiểm tổng hợp\tKết quả tỷ lệ số hoá (%)\tKết quả cấp bản sao điện tử\tKết quả đánh giá";

/// The parent's five figures in `period`, or None.
fn parent_row(period: &str) -> Option<[f64; 5]> {
    Some(match period {
        "2025-Q3" => [98.5, 99.1, 73.54, 86.02, 61.2],
        "2024-Q3" => [97.3, 99.1, 71.0, 85.47, 62.0],
        "2025" => [98.9, 99.0, 72.0, 86.0, 61.0],
        "2024" => [98.0, 99.0, 70.0, 85.0, 59.0],
        // No figures of the district for quý II/2025.
        "2025-Q2" => return None,
        _ => [99.0, 99.0, 70.0, 85.0, 60.0],
    })
}

/// A unit's processing and digitization in `period` (the rest is the same
/// everywhere: on time with every other rule).
fn unit_row(period: &str, unit: &str) -> (f64, f64) {
    let processing = match (unit, period) {
        // Late in every month of quý III and in January; 4/9 in 2025.
        ("Bình Kiều", "2025-07") => 90.0,
        ("Bình Kiều", "2025-08") => 92.0,
        ("Bình Kiều", "2025-09") => 95.0,
        ("Bình Kiều", "2025-01") => 90.0,
        ("Bình Kiều", "2025-Q3") => 94.0,
        // Two quarters in a row.
        ("Bình Kiều", "2025-Q2") => 96.0,
        ("Bình Kiều", "2025") => 96.0,
        // Late one month of three.
        ("An Vỹ", "2025-08") => 97.0,
        // Late in the quarter's own figures only, never in a month.
        ("Đông Kết", "2025-Q3") => 97.0,
        _ => 100.0,
    };
    let digitization = match (unit, period) {
        // Under 40% two months of three; a fall in July only.
        ("Tân Dân", "2025-07") => 35.0,
        ("Tân Dân", "2025-08") => 38.0,
        ("Tân Dân", "2025-09") => 45.0,
        ("Tân Dân", "2025-Q3") => 39.5,
        ("Tân Dân", "2025-Q2") => 58.0,
        ("Tân Dân", "2024-Q3") => 50.0,
        _ => 60.0,
    };
    (processing, digitization)
}

fn tsv(period: &str) -> String {
    let mut s = format!("{HEADER}\n");
    if let Some([p, sat, pay, score, dig]) = parent_row(period) {
        s.push_str(&format!(
            "\t{PARENT}\t{p}\t{sat}\t{pay}\t{score}\t{dig}\t\t\n"
        ));
    }
    for (i, u) in UNITS.iter().enumerate() {
        let (p, dig) = unit_row(period, u);
        s.push_str(&format!(
            "{}\t{u}\t{p}\t100\t80\t88\t{dig}\t100\tTốt\n",
            i + 1
        ));
    }
    s
}

fn months() -> Vec<String> {
    let mut v: Vec<String> = (7..=12).map(|m| format!("2024-{m:02}")).collect();
    v.extend((1..=9).map(|m| format!("2025-{m:02}")));
    v
}

/// The district with every period imported.
fn district(dir: &Path) -> PathBuf {
    let db = new_db(dir);
    let mut periods = months();
    periods.extend(["2024-Q3", "2025-Q2", "2025-Q3", "2024", "2025"].map(String::from));
    for p in &periods {
        let f = write(dir, &format!("{p}.tsv"), tsv(p).as_bytes());
        ok(&db, &["import", s(&f), "--period", p, "--create-units"]);
    }
    db
}

/// Every text of a report: body, heads, annexes' captions and cells.
fn letter_text(r: &chiso::report::Report) -> String {
    let l = &r.letter;
    let mut out = vec![l.subject.clone(), l.place_date.clone()];
    for b in &l.body {
        out.push(match b {
            Block::Para(t) | Block::Heading(t) | Block::Subheading(t) | Block::Bullet(t) => {
                t.clone()
            }
        });
    }
    for a in &l.annexes {
        out.push(a.caption.clone());
        out.push(a.columns.join(" | "));
        for row in &a.rows {
            out.push(row.join(" | "));
        }
    }
    out.join("\n")
}

fn assert_no_month_as_period(text: &str) {
    for m in [
        "tháng 7/2025",
        "tháng 8/2025",
        "tháng 9/2025",
        "tháng 10/2025",
    ] {
        assert!(!text.contains(m), "{m} in:\n{text}");
    }
}

#[test]
fn the_quarter_letter_speaks_of_the_quarter() {
    let dir = tempfile::tempdir().unwrap();
    let db = district(dir.path());
    let r = report_of(&db, "2025-Q3", Some("2025-10-10"));
    let l = &r.letter;
    assert!(
        l.subject.ends_with("cung cấp dịch vụ công quý III/2025"),
        "{}",
        l.subject
    );
    let text = letter_text(&r);
    assert_no_month_as_period(&text);
    // The quarter's own findings: Đông Kết was late in the quarter's
    // figures (never in a month), Tân Dân under 40% in them.
    assert!(
        text.contains("2/4 xã có kết quả xử lý hồ sơ chưa đạt 100%: Bình Kiều 94%, Đông Kết 97%."),
        "{text}"
    );
    assert!(
        text.contains("bảo đảm đạt 100% trong quý IV/2025."),
        "{text}"
    );
    assert!(
        text.contains("trong quý IV/2025 và các quý tiếp theo."),
        "{text}"
    );
    assert!(
        text.contains("có tỷ lệ số hoá giảm so với quý II/2025: Tân Dân 39,5% (quý II: 58%)"),
        "{text}"
    );
    // The list annex counts quarters in a row.
    let list = l.annexes.last().unwrap();
    assert_eq!(
        list.columns,
        [
            "Tiêu chí cần khắc phục",
            "Quý III/2025",
            "Quý II/2025",
            "Số quý liên tiếp",
            "Nâng mức"
        ]
    );
    for a in &l.annexes {
        assert!(a.caption.ends_with("quý III/2025"), "{}", a.caption);
    }
    // Signed in October: no warning on the date; unsigned: the year of the
    // month after the quarter.
    assert!(
        !r.warnings.iter().any(|w| w.contains("ngày ký")),
        "{:?}",
        r.warnings
    );
    let unsigned = report_of(&db, "2025-Q3", None);
    assert!(
        unsigned
            .letter
            .place_date
            .ends_with("ngày … tháng … năm 2025"),
        "{}",
        unsigned.letter.place_date
    );
    let early = report_of(&db, "2025-Q3", Some("2025-09-30"));
    assert!(
        early.warnings.contains(
            &"ngày ký 2025-09-30 còn trong quý III/2025: kết quả một quý thường công bố từ quý sau"
                .to_owned()
        ),
        "{:?}",
        early.warnings
    );
}

#[test]
fn the_same_period_a_year_before_with_its_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let db = district(dir.path());
    let r = report_of(&db, "2025-Q3", Some("2025-10-10"));
    let paras: Vec<&String> = r
        .letter
        .body
        .iter()
        .filter_map(|b| match b {
            Block::Para(t) if t.starts_with("So với") => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(
        paras,
        [
            "So với cùng kỳ năm 2024, kết quả xử lý hồ sơ TTHC tăng 1,2 điểm % (từ 97,3% lên 98,5%); tỷ lệ mức độ hài lòng không đổi (99,1%); tỷ lệ hồ sơ thanh toán trực tuyến tăng 2,54 điểm % (từ 71% lên 73,54%); điểm tổng hợp tăng 0,55 điểm (từ 85,47 lên 86,02); kết quả tỷ lệ số hoá hồ sơ giảm 0,8 điểm % (từ 62% xuống 61,2%)."
        ]
    );
    // Right after the parent's figures.
    let at = r
        .letter
        .body
        .iter()
        .position(|b| matches!(b, Block::Para(t) if t.starts_with("So với")))
        .unwrap();
    assert!(
        matches!(&r.letter.body[at - 1], Block::Bullet(t) if t.starts_with("Kết quả tỷ lệ số hoá hồ sơ"))
    );

    // A year against the year before.
    let y = report_of(&db, "2025", Some("2026-01-10"));
    assert!(
        letter_text(&y).contains(
            "So với năm 2024, kết quả xử lý hồ sơ TTHC tăng 0,9 điểm % (từ 98% lên 98,9%);"
        ),
        "{}",
        letter_text(&y)
    );

    // Quý II/2025 has no figures of the district, quý II/2024 none at all:
    // no paragraph, and the operator is told.
    let q2 = report_of(&db, "2025-Q2", Some("2025-07-10"));
    assert!(!letter_text(&q2).contains("So với"));
    assert!(
        q2.warnings
            .iter()
            .any(|w| w.contains("không so sánh với cùng kỳ")),
        "{:?}",
        q2.warnings
    );
    // A month's letter compares with no year before (the seed's has none).
    let m = report_of(&db, "2025-09", Some("2025-10-10"));
    assert!(!letter_text(&m).contains("So với cùng kỳ"));
    assert!(m.months_on_list.is_none());
}

#[test]
fn the_year_letter_speaks_of_the_year() {
    let dir = tempfile::tempdir().unwrap();
    let db = district(dir.path());
    let r = report_of(&db, "2025", None);
    assert!(
        r.letter.subject.ends_with("dịch vụ công năm 2025"),
        "{}",
        r.letter.subject
    );
    // Published the year after.
    assert!(
        r.letter.place_date.ends_with("ngày … tháng … năm 2026"),
        "{}",
        r.letter.place_date
    );
    let text = letter_text(&r);
    assert_no_month_as_period(&text);
    assert!(
        text.contains("1/4 xã có kết quả xử lý hồ sơ chưa đạt 100%: Bình Kiều 96%."),
        "{text}"
    );
    assert!(text.contains("bảo đảm đạt 100% trong năm 2026."), "{text}");
    assert!(
        text.contains("Các chỉ tiêu chỉ phát sinh hoặc thống kê được của UBND các xã năm 2025"),
        "{text}"
    );
    // Bình Kiều late in 4 of the 9 months with data: not most months.
    assert!(!text.contains("nhiều tháng thuộc diện"), "{text}");
    let early = report_of(&db, "2025", Some("2025-12-20"));
    assert!(
        early.warnings.iter().any(|w| w
            == "ngày ký 2025-12-20 còn trong năm 2025: kết quả một năm thường công bố từ năm sau"),
        "{:?}",
        early.warnings
    );
}

/// (rule, unit) → months on that month's findings, from `chiso findings`
/// of each month.
fn monthly_findings(db: &Path, months: &[&str]) -> HashMap<(String, String), u32> {
    let mut on: HashMap<(String, String), u32> = HashMap::new();
    for m in months {
        let out = ok(db, &["findings", "--period", m, "--format", "json"]).stdout;
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let mut seen = std::collections::HashSet::new();
        for f in v["findings"].as_array().unwrap() {
            let key = (
                f["rule"].as_str().unwrap().to_owned(),
                f["unit"].as_str().unwrap().to_owned(),
            );
            if seen.insert(key.clone()) {
                *on.entry(key).or_default() += 1;
            }
        }
    }
    on
}

#[test]
fn months_on_the_list_are_counted_from_each_months_findings() {
    let dir = tempfile::tempdir().unwrap();
    let db = district(dir.path());
    let conn = Db::open(&db).unwrap();
    for (period, months) in [
        ("2025-Q3", vec!["2025-07", "2025-08", "2025-09"]),
        (
            "2025",
            vec![
                "2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06", "2025-07",
                "2025-08", "2025-09",
            ],
        ),
    ] {
        let want = monthly_findings(&db, &months);
        let got = months_on_list(conn.conn(), Period::parse(period).unwrap()).unwrap();
        assert_eq!(got.months.len(), months.len());
        let mut counted: HashMap<(String, String), u32> = HashMap::new();
        for r in &got.rules {
            for u in &r.units {
                // Every rule judged every unit in every month here.
                assert_eq!(u.months, months.len() as u32, "{} {}", r.rule, u.unit.name);
                counted.insert((r.rule.clone(), u.unit.name.clone()), u.on_list);
            }
        }
        assert_eq!(counted, want, "{period}");
    }
    let q3 = months_on_list(conn.conn(), Period::parse("2025-Q3").unwrap()).unwrap();
    let late = q3
        .rules
        .iter()
        .find(|r| r.rule == "processing_late")
        .unwrap();
    let names: Vec<(&str, u32)> = late
        .units
        .iter()
        .map(|u| (u.unit.name.as_str(), u.on_list))
        .collect();
    // Worst first; Đông Kết, late in the quarter's own figures, in no month.
    assert_eq!(names, [("Bình Kiều", 3), ("An Vỹ", 1)]);
}

#[test]
fn findings_months_prints_the_counts_after_the_periods_own() {
    let dir = tempfile::tempdir().unwrap();
    let db = district(dir.path());
    let out = ok(&db, &["findings", "--period", "2025-Q3", "--months"]).stdout;
    let (own, months) = out
        .split_once("══ Theo kết quả từng tháng của quý III/2025 (tháng 7–9/2025 có số liệu)")
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        own.starts_with("Đơn vị cần chỉ đạo khắc phục, quý III/2025"),
        "{own}"
    );
    assert!(own.contains("Đông Kết 97%"), "{own}");
    assert!(
        months.contains(
            "\n[!!] Kết quả xử lý hồ sơ chưa đạt 100%\n  Bình Kiều: 3/3 tháng có kết quả xử lý hồ sơ chưa đạt 100%\n  An Vỹ: 1/3 tháng có kết quả xử lý hồ sơ chưa đạt 100%\n"
        ),
        "{months}"
    );
    assert!(
        months.contains("  Tân Dân: 1/3 tháng có tỷ lệ số hoá giảm so với tháng trước\n"),
        "{months}"
    );
    assert!(!months.contains("Đông Kết"), "{months}");
    // Streaks of a quarter run over quarters.
    assert!(
        own.contains("Bình Kiều 94% [2 quý liên tiếp, nâng mức]"),
        "{own}"
    );
    let csv = ok(&db, &["findings", "--period", "2025-Q3", "--format", "csv"]).stdout;
    assert!(
        csv.starts_with("Đơn vị,Quy tắc,Chỉ số,Mức độ,Giá trị,Quý trước,Mức so sánh,Số quý liên tiếp,Nâng mức,Chỉ đạo\r\n"),
        "{csv}"
    );
    let year = ok(&db, &["findings", "--period", "2025", "--months"]).stdout;
    assert!(
        year.contains("  Bình Kiều: 4/9 tháng có kết quả xử lý hồ sơ chưa đạt 100%\n"),
        "{year}"
    );

    // JSON: the findings' object with the counts as a separate array.
    let json = ok(
        &db,
        &[
            "findings", "--period", "2025-Q3", "--months", "--format", "json",
        ],
    )
    .stdout;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["period"], "2025-Q3");
    assert!(!v["findings"].as_array().unwrap().is_empty());
    let list = v["months_on_list"].as_array().unwrap();
    assert_eq!(
        list[0],
        serde_json::json!({
            "rule": "processing_late",
            "unit": "Bình Kiều",
            "group": "xa",
            "on_list": 3,
            "months": 3
        })
    );
    // Without --months the JSON is as before.
    let plain = ok(
        &db,
        &["findings", "--period", "2025-Q3", "--format", "json"],
    )
    .stdout;
    let p: serde_json::Value = serde_json::from_str(&plain).unwrap();
    assert!(p.get("months_on_list").is_none());
    assert_eq!(p["findings"], v["findings"]);

    // A month has no months to count; CSV has no place for them.
    let r = run(&db, &["findings", "--period", "2025-09", "--months"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("lỗi: --months chỉ dùng cho quý hoặc năm"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stdout, "");
    let r = run(
        &db,
        &[
            "findings", "--period", "2025", "--months", "--format", "csv",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn the_quarter_letter_names_units_on_the_list_most_months() {
    let dir = tempfile::tempdir().unwrap();
    let db = district(dir.path());
    let r = report_of(&db, "2025-Q3", Some("2025-10-10"));
    let body = &r.letter.body;
    let at = body
        .iter()
        .position(|b| {
            matches!(b, Block::Heading(t) if t == "3. Các đơn vị nhiều tháng thuộc diện cần chỉ đạo khắc phục trong quý III/2025.")
        })
        .unwrap_or_else(|| panic!("{body:#?}"));
    assert_eq!(
        body[at + 1],
        Block::Para("Theo kết quả đánh giá từng tháng của quý III/2025, các đơn vị sau thuộc diện cần chỉ đạo khắc phục trong quá nửa số tháng:".into())
    );
    assert_eq!(
        body[at + 2],
        Block::Bullet("Kết quả xử lý hồ sơ chưa đạt 100%: xã Bình Kiều (3/3 tháng).".into())
    );
    assert_eq!(
        body[at + 3],
        Block::Bullet("Tỷ lệ số hoá hồ sơ dưới 40%: xã Tân Dân (2/3 tháng).".into())
    );
    // Then the directives; An Vỹ (1/3) is not named there.
    assert!(matches!(&body[at + 4], Block::Para(t) if t.starts_with("Căn cứ kết quả nêu trên")));
    // The section agrees with the counts.
    let m = r.months_on_list.as_ref().unwrap();
    for rule in &m.rules {
        for u in &rule.units {
            let named = body[at..at + 4].iter().any(|b| {
                matches!(b, Block::Bullet(t) if t.contains(&format!("xã {} ({}/{} tháng)", u.unit.name, u.on_list, u.months)))
            });
            assert_eq!(
                named,
                chiso::report::most_months(u.on_list, u.months),
                "{} {}",
                rule.rule,
                u.unit.name
            );
        }
    }
}

#[test]
fn a_fall_against_the_same_quarter_a_year_before_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = district(dir.path());
    ok(
        &db,
        &[
            "rules",
            "set",
            "digitization_drop",
            "--compare",
            "last_year",
        ],
    );
    let r = report_of(&db, "2025-Q3", Some("2025-10-10"));
    let text = letter_text(&r);
    assert!(
        text.contains(
            "1/4 xã có tỷ lệ số hoá giảm so với quý III/2024: Tân Dân 39,5% (quý III/2024: 50%)."
        ),
        "{text}"
    );
    assert!(!text.contains("giảm so với quý II/2025"), "{text}");
    // The list annex's column is quý II/2025's figure for every rule.
    let list = r.letter.annexes.last().unwrap();
    assert_eq!(list.columns[2], "Quý II/2025");
    let row = list
        .rows
        .iter()
        .find(|row| row[2] == "Tỷ lệ số hoá giảm so với quý III/2024")
        .unwrap_or_else(|| panic!("{:?}", list.rows));
    assert_eq!(
        row[1..],
        [
            "Tân Dân",
            "Tỷ lệ số hoá giảm so với quý III/2024",
            "39,5%",
            "58%",
            "1",
            ""
        ]
    );
}

#[test]
fn the_quarter_letter_as_docx_and_its_annex_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let db = district(dir.path());
    let out = dir.path().join("q3.docx");
    ok(
        &db,
        &[
            "report",
            "--period",
            "2025-Q3",
            "--format",
            "docx",
            "--out",
            s(&out),
            "--date",
            "2025-10-10",
        ],
    );
    let (paragraphs, tables) = docx_text(&std::fs::read(&out).unwrap());
    let mut all = paragraphs.join("\n");
    for t in &tables {
        for row in t {
            all.push('\n');
            all.push_str(&row.join(" | "));
        }
    }
    assert!(all.contains("dịch vụ công quý III/2025"), "{all}");
    assert!(
        all.contains("So với cùng kỳ năm 2024, kết quả xử lý hồ sơ TTHC tăng 1,2 điểm %"),
        "{all}"
    );
    assert!(all.contains("xã Bình Kiều (3/3 tháng)"), "{all}");
    assert!(all.contains("Số quý liên tiếp"), "{all}");
    assert_no_month_as_period(&all);

    let xlsx = dir.path().join("q3.xlsx");
    ok(
        &db,
        &[
            "export",
            "--period",
            "2025-Q3",
            "--annexes",
            "--format",
            "xlsx",
            "--out",
            s(&xlsx),
            "--date",
            "2025-10-10",
        ],
    );
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["Phụ lục I", "Phụ lục II", "Phụ lục III"]
    );
    let p1 = book.worksheet_range("Phụ lục I").unwrap();
    assert_eq!(
        p1.get_value((1, 0)),
        Some(&Data::String(
            "Một số tiêu chí thành phần trong bộ chỉ số phục vụ người dân, doanh nghiệp của UBND các xã quý III/2025".into()
        ))
    );
    // Bình Kiều's own quarter figure, not a month's.
    assert_eq!(
        p1.get_value((6, 1)),
        Some(&Data::String("Bình Kiều".into()))
    );
    assert_eq!(p1.get_value((6, 2)), Some(&Data::Float(94.0)));
    let p3 = book.worksheet_range("Phụ lục III").unwrap();
    assert_eq!(
        p3.get_value((1, 0)),
        Some(&Data::String(
            "Danh sách đơn vị cần chỉ đạo khắc phục quý III/2025".into()
        ))
    );
    assert_eq!(
        p3.get_value((4, 5)),
        Some(&Data::String("Số quý liên tiếp".into()))
    );
}
