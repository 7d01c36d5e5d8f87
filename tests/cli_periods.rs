//! Periods of three kinds through the real binary (issue 16): every
//! spelling `--period` takes and the ones it refuses, files whose title
//! states a quarter or a year, round trips per kind, and comparisons with
//! the same period a year before that stay like for like across a merge.

mod common;

use common::*;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

fn json(db: &Path, args: &[&str]) -> Json {
    serde_json::from_str(&ok(db, args).stdout).expect("JSON output")
}

/// A file of the parent and two communes under `title`; `score` tells the
/// periods apart.
fn results(title: &str, score: f64) -> String {
    format!(
        "{title}\nSTT\tĐơn vị\tĐiểm tổng hợp\tKết quả tỷ lệ số hoá (%)\tKết quả đánh giá\n\
         \tHuyện Khoái Châu\t{score}\t60,5\t\n\
         1\tAn Vỹ\t{}\t70\tTốt\n\
         2\tBình Kiều\t{}\t38,2\tKhá\n",
        score + 1.5,
        score - 2.0
    )
}

/// (period, title row, parent's score) of the three files `three_kinds`
/// imports, each without `--period`: the title states it.
const KINDS: [(&str, &str, f64); 3] = [
    (
        "2024-08",
        "Kết quả Bộ chỉ số phục vụ người dân, doanh nghiệp tháng 8/2024",
        81.0,
    ),
    (
        "2025-Q3",
        "KẾT QUẢ BỘ CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP QUÝ III NĂM 2025",
        83.0,
    ),
    (
        "2025",
        "KẾT QUẢ BỘ CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP NĂM 2025",
        85.0,
    ),
];

/// A district holding a month, a quarter and a year, each from a file
/// whose title row states it.
fn three_kinds(dir: &Path) -> PathBuf {
    let db = new_db(dir);
    for (period, title, score) in KINDS {
        let f = write(
            dir,
            &format!("{period}.tsv"),
            results(title, score).as_bytes(),
        );
        let r = ok(&db, &["import", s(&f), "--create-units"]);
        let label = match period {
            "2024-08" => "tháng 8/2024",
            "2025-Q3" => "quý III/2025",
            _ => "năm 2025",
        };
        assert!(
            r.stdout
                .starts_with(&format!("Số liệu {label} ({period})\n")),
            "{}",
            r.stdout
        );
    }
    db
}

#[test]
fn every_spelling_of_a_period_names_its_own_figures() {
    let dir = tempfile::tempdir().unwrap();
    let db = three_kinds(dir.path());
    for (spelling, period, score) in [
        ("2024-08", "2024-08", 81.0),
        ("8/2024", "2024-08", 81.0),
        ("tháng 8/2024", "2024-08", 81.0),
        ("2025-Q3", "2025-Q3", 83.0),
        ("Q3/2025", "2025-Q3", 83.0),
        ("quý 3/2025", "2025-Q3", 83.0),
        ("quý III/2025", "2025-Q3", 83.0),
        ("2025", "2025", 85.0),
        ("năm 2025", "2025", 85.0),
    ] {
        let j = json(&db, &["export", "--period", spelling, "--format", "json"]);
        assert_eq!(j["period"], period, "{spelling}");
        assert_eq!(j["parent"]["values"]["score"], score, "{spelling}");
        let log = json(&db, &["log", "--period", spelling, "--format", "json"]);
        let log = log.as_array().unwrap();
        assert_eq!(log.len(), 8, "{spelling}: {log:?}");
        assert!(log.iter().all(|e| e["period"] == period), "{spelling}");
    }
}

#[test]
fn bad_periods_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = three_kinds(dir.path());
    let file = dir.path().join("2024-08.tsv");
    let out = dir.path().join("out.csv");
    let before = snapshot(&db);
    for (bad, why) in [
        ("2025-Q5", "quý chỉ từ 1 (I) đến 4 (IV)"),
        ("quý 0/2025", "quý chỉ từ 1 (I) đến 4 (IV)"),
        ("13/2025", "tháng chỉ từ 1 đến 12"),
    ] {
        let commands: [Vec<&str>; 6] = [
            vec!["import", s(&file), "--period", bad],
            vec!["set", "--period", bad, "--unit", "An Vỹ", "score=80"],
            vec!["export", "--period", bad, "--out", s(&out)],
            vec!["log", "--period", bad],
            vec!["findings", "--period", bad],
            vec!["report", "--period", bad],
        ];
        for args in commands {
            let r = run(&db, &args);
            assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
            assert!(
                r.stderr
                    .contains(&format!("kỳ không hợp lệ: \"{bad}\" ({why})")),
                "{args:?}: {}",
                r.stderr
            );
            assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
            assert!(!out.exists(), "{args:?}");
            assert_eq!(snapshot(&db), before, "{args:?}");
        }
    }
}

#[test]
fn quarter_and_year_files_give_findings_and_a_report_of_their_period() {
    let dir = tempfile::tempdir().unwrap();
    let db = three_kinds(dir.path());
    for (period, label) in [("2025-Q3", "quý III/2025"), ("2025", "năm 2025")] {
        let f = ok(&db, &["findings", "--period", period]);
        assert!(f.stdout.contains(label), "{period}: {}", f.stdout);
        let j = json(&db, &["findings", "--period", period, "--format", "json"]);
        assert_eq!(j["period"], period);
        // Bình Kiều's 38,2% is the period's own figure, judged as such.
        let weak: Vec<&str> = j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["rule"] == "digitization_low")
            .map(|x| x["unit"].as_str().unwrap())
            .collect();
        assert_eq!(weak, ["Bình Kiều"], "{period}");
        let r = run(&db, &["report", "--period", period]);
        assert_eq!(r.code, 0, "{period}: {}", r.stderr);
        assert!(r.stdout.contains(label), "{period}: {}", r.stdout);
    }
}

#[test]
fn the_example_quarter_imports_into_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    ok(&db, &["demo"]);
    let example = example("quy-3-2024-gia-lap.csv");
    let r = ok(&db, &["import", s(&example)]);
    assert!(
        r.stdout.starts_with("Số liệu quý III/2024 (2024-Q3)\n"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("đơn vị mới"), "{}", r.stdout);
    assert_eq!(count_values(&db, "2024-Q3"), 180);
    let f = ok(&db, &["findings", "--period", "2024-Q3"]);
    assert!(f.stdout.contains("quý III/2024"), "{}", f.stdout);
    // The demo's months are as they were.
    assert_eq!(count_values(&db, "2024-08"), 180);
}

#[test]
fn every_export_of_every_kind_imports_back_to_the_same_values() {
    let dir = tempfile::tempdir().unwrap();
    let db = three_kinds(dir.path());
    for (period, _, _) in KINDS {
        let want = ok(&db, &["export", "--period", period, "--format", "json"]).stdout;
        for format in ["csv", "tsv", "json", "xlsx"] {
            let out = dir.path().join(format!("{period}.out.{format}"));
            ok(
                &db,
                &[
                    "export",
                    "--period",
                    period,
                    "--format",
                    format,
                    "--out",
                    s(&out),
                ],
            );
            // Into the same database: nothing changes.
            let again = ok(&db, &["import", s(&out), "--period", period]);
            assert!(
                again.stdout.contains("Không có gì thay đổi"),
                "{period} {format}: {}",
                again.stdout
            );
            // Into a new one: the same values. JSON and XLSX state their
            // period; CSV and TSV have no title row and take --period.
            let fresh_dir = tempfile::tempdir().unwrap();
            let fresh = new_db(fresh_dir.path());
            let mut args = vec!["import", s(&out), "--create-units"];
            if matches!(format, "csv" | "tsv") {
                args.extend(["--period", period]);
            }
            let r = ok(&fresh, &args);
            assert!(
                r.stdout.contains(&format!("({period})")),
                "{period} {format}: {}",
                r.stdout
            );
            let got = ok(&fresh, &["export", "--period", period, "--format", "json"]).stdout;
            assert_eq!(got, want, "{period} {format}");
        }
    }
}

#[test]
fn a_month_never_changes_its_quarter_or_year() {
    let dir = tempfile::tempdir().unwrap();
    let db = three_kinds(dir.path());
    let export = |p: &str| ok(&db, &["export", "--period", p, "--format", "json"]).stdout;
    let (quarter, year) = (export("2025-Q3"), export("2025"));
    let aug = write(
        dir.path(),
        "aug.tsv",
        results("Kết quả tháng 8/2025", 50.0).as_bytes(),
    );
    ok(&db, &["import", s(&aug)]);
    ok(
        &db,
        &["set", "--period", "2025-09", "--unit", "An Vỹ", "score=10"],
    );
    assert_eq!(export("2025-Q3"), quarter);
    assert_eq!(export("2025"), year);
    // Nor the quarter its months.
    let month = export("2025-08");
    let r = ok(
        &db,
        &[
            "set",
            "--period",
            "quý III/2025",
            "--unit",
            "An Vỹ",
            "score=99",
        ],
    );
    assert_eq!(
        r.stdout,
        "An Vỹ, quý III/2025:\n  Điểm tổng hợp: 84,5 → 99\n"
    );
    assert_eq!(export("2025-08"), month);
    assert_eq!(export("2025"), year);
}

#[test]
fn the_log_names_each_period_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = three_kinds(dir.path());
    ok(
        &db,
        &[
            "set",
            "--period",
            "2025-Q3",
            "--unit",
            "Bình Kiều",
            "score=90",
        ],
    );
    let log = ok(&db, &["log", "--period", "2025-Q3"]).stdout;
    let mut lines = log.lines();
    let header = lines.next().unwrap();
    assert!(header.contains("  Kỳ  "), "{header}");
    assert!(!header.contains("Tháng"), "{header}");
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 9, "{log}");
    assert!(rows.iter().all(|l| l.contains("  2025-Q3  ")), "{log}");
    assert!(rows.last().unwrap().contains("Bình Kiều"), "{log}");
    let all = ok(&db, &["log"]).stdout;
    for period in ["2024-08", "2025-Q3", "2025"] {
        assert!(all.contains(&format!("  {period}  ")), "{all}");
    }
}

#[test]
fn a_title_stating_another_period_is_refused_naming_the_file_and_cell() {
    let dir = tempfile::tempdir().unwrap();
    let db = three_kinds(dir.path());
    let before = snapshot(&db);
    let q3 = dir.path().join("2025-Q3.tsv");
    for (period, against) in [
        ("2025-08", "--period 2025-08"),
        ("2025-Q2", "--period 2025-Q2"),
        ("2025", "--period 2025"),
    ] {
        let err = fails(&db, &["import", s(&q3), "--period", period]);
        assert!(
            err.contains(&format!(
                "2025-Q3.tsv, dòng 1: tệp ghi quý III/2025 nhưng đang nhập cho {against}"
            )),
            "{err}"
        );
        assert!(err.contains("nhập lại với --period 2025-Q3"), "{err}");
        assert!(!err.contains("--replace"), "{err}");
    }
    let year = dir.path().join("2025.tsv");
    let err = fails(&db, &["import", s(&year), "--period", "2025-Q3"]);
    assert!(
        err.contains("2025.tsv, dòng 1: tệp ghi năm 2025 nhưng đang nhập cho --period 2025-Q3"),
        "{err}"
    );
    // A workbook names the cell.
    let xlsx = dir.path().join("q3.xlsx");
    ok(
        &db,
        &[
            "export",
            "--period",
            "2025-Q3",
            "--format",
            "xlsx",
            "--out",
            s(&xlsx),
        ],
    );
    let err = fails(&db, &["import", s(&xlsx), "--period", "2025-08"]);
    assert!(
        err.contains("q3.xlsx, ô A1 (trang 2025-Q3): tệp ghi quý III/2025"),
        "{err}"
    );
    // Two files stating two periods: one period per import.
    let aug = dir.path().join("2024-08.tsv");
    let err = fails(&db, &["import", s(&aug), s(&q3)]);
    assert!(
        err.contains("tệp ghi quý III/2025 nhưng tệp") && err.contains("ghi tháng 8/2024"),
        "{err}"
    );
    assert_eq!(snapshot(&db), before);
}

#[test]
fn dates_plans_and_half_years_in_titles_state_no_period() {
    let dir = tempfile::tempdir().unwrap();
    let db = three_kinds(dir.path());
    // A letter's date above the table is not its month: August imports.
    let dated = write(
        dir.path(),
        "dated.tsv",
        results(
            "(Kèm theo Công văn số 884/UBND-VP ngày 09 tháng 9 năm 2024 của UBND huyện Khoái Châu)",
            81.0,
        )
        .as_bytes(),
    );
    let r = ok(&db, &["import", s(&dated), "--period", "2024-08"]);
    assert!(r.stdout.contains("Không có gì thay đổi"), "{}", r.stdout);
    // Nor is a plan's year or a half-year: the period must be given.
    for title in ["Kế hoạch năm 2025", "Kết quả 6 tháng đầu năm 2025"] {
        let f = write(dir.path(), "plan.tsv", results(title, 85.0).as_bytes());
        let err = fails(&db, &["import", s(&f)]);
        assert!(
            err.contains("không biết số liệu của kỳ nào"),
            "{title}: {err}"
        );
        let r = ok(&db, &["import", s(&f), "--period", "2025"]);
        assert!(r.stdout.contains("Không có gì thay đổi"), "{}", r.stdout);
    }
}

/// A province with two old communes and one that stays, a merge from
/// 7/2025 into a new Xã Tân Hưng, and a month and a quarter of 2024 and
/// 2025 each.
fn merged_province(dir: &Path) -> PathBuf {
    let db = dir.join("p.db");
    ok(&db, &["init", "--parent", "Tỉnh Hưng Yên"]);
    let file = |name: &str, title: &str, rows: &[(&str, f64)]| {
        let mut t = format!("{title}\nĐơn vị\tKết quả tỷ lệ số hoá (%)\n");
        for (u, v) in rows {
            t.push_str(&format!("{u}\t{v}\n"));
        }
        write(dir, name, t.as_bytes())
    };
    let before = [
        ("Xã Thủ Sỹ", 70.0),
        ("Xã Phương Nam", 65.0),
        ("Xã Tân Hưng", 72.0),
        ("Xã Nghĩa Dân", 60.0),
        ("Xã Ông Đình", 50.0),
    ];
    for (name, title) in [
        ("m24.tsv", "Kết quả tháng 8/2024"),
        ("q24.tsv", "Kết quả quý III/2024"),
    ] {
        ok(
            &db,
            &["import", s(&file(name, title, &before)), "--create-units"],
        );
    }
    ok(
        &db,
        &[
            "units",
            "merge",
            "Xã Thủ Sỹ",
            "Xã Phương Nam",
            "Xã Tân Hưng",
            "--into",
            "Xã Tân Hưng",
            "--from",
            "2025-07",
            "--new",
        ],
    );
    // The new Xã Tân Hưng is below each predecessor's figure of a year
    // before; Xã Nghĩa Dân, untouched by the merge, fell.
    let after = [
        ("Xã Tân Hưng", 40.0),
        ("Xã Nghĩa Dân", 45.0),
        ("Xã Ông Đình", 55.0),
    ];
    for (name, title) in [
        ("m25.tsv", "Kết quả tháng 8/2025"),
        ("q25.tsv", "KẾT QUẢ QUÝ III NĂM 2025"),
    ] {
        ok(&db, &["import", s(&file(name, title, &after))]);
    }
    db
}

/// (unit, previous value) of each digitization_drop finding.
type Found = Vec<(String, Json)>;
/// (unit, why) of each unit digitization_drop could not compare.
type NotCompared = Vec<(String, String)>;

/// What digitization_drop found and what it could not compare.
fn drops(f: &Json) -> (Found, NotCompared) {
    let found = f["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["rule"] == "digitization_drop")
        .map(|x| {
            (
                x["unit"].as_str().unwrap().to_owned(),
                x["previous"].clone(),
            )
        })
        .collect();
    let not = f["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["rule"] == "digitization_drop")
        .map(|x| {
            (
                x["unit"].as_str().unwrap_or_default().to_owned(),
                x["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (found, not)
}

const FORMED: &str = "thành lập từ tháng 7/2025 trên cơ sở Xã Thủ Sỹ, Xã Phương Nam, Xã Tân Hưng";

#[test]
fn last_year_compares_like_for_like_across_a_merge() {
    let dir = tempfile::tempdir().unwrap();
    let db = merged_province(dir.path());
    for (period, year_before) in [("2025-08", "2024-08"), ("2025-Q3", "2024-Q3")] {
        let f = json(
            &db,
            &[
                "findings",
                "--period",
                period,
                "--compare",
                "last_year",
                "--format",
                "json",
            ],
        );
        assert_eq!(f["previous_period"], year_before, "{period}");
        let (found, not) = drops(&f);
        assert_eq!(
            found,
            [("Xã Nghĩa Dân".to_owned(), serde_json::json!(60.0))],
            "{period}"
        );
        assert_eq!(
            not,
            [("Xã Tân Hưng".to_owned(), FORMED.to_owned())],
            "{period}"
        );
        let table = ok(
            &db,
            &["findings", "--period", period, "--compare", "last_year"],
        )
        .stdout;
        assert!(
            table.contains(&format!("Xã Tân Hưng: {FORMED}")),
            "{period}: {table}"
        );
    }
}

#[test]
fn a_drop_rule_set_to_last_year_is_what_plain_findings_uses() {
    let dir = tempfile::tempdir().unwrap();
    let db = merged_province(dir.path());
    // The quarter before (2025-Q2) has no figures: nothing to compare.
    let f = json(
        &db,
        &["findings", "--period", "2025-Q3", "--format", "json"],
    );
    assert_eq!(f["previous_period"], "2025-Q2");
    assert!(drops(&f).0.is_empty());

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
    // The CSV says which period a rule's "previous" value is from: one
    // heading when every rule compares alike, else a column row by row.
    let csv = |args: &[&str]| {
        let mut all = vec!["findings", "--period", "2025-08", "--format", "csv"];
        all.extend(args);
        ok(&db, &all).stdout
    };
    let same = csv(&["--compare", "last_year"]);
    assert!(
        same.starts_with("Đơn vị,Quy tắc,Chỉ số,Mức độ,Giá trị,Cùng kỳ năm trước,Mức so sánh,"),
        "{same}"
    );
    let mixed = csv(&[]);
    assert!(
        mixed.starts_with(
            "Đơn vị,Quy tắc,Chỉ số,Mức độ,Giá trị,Giá trị kỳ so sánh,Kỳ so sánh,Mức so sánh,"
        ),
        "{mixed}"
    );
    assert!(
        mixed.contains("Xã Nghĩa Dân,Tỷ lệ số hoá giảm so với cùng kỳ năm trước,Kết quả tỷ lệ số hoá (%),cảnh báo,45.0,60.0,tháng 8/2024,"),
        "{mixed}"
    );
    for period in ["2025-Q3", "2025-08"] {
        let f = json(&db, &["findings", "--period", period, "--format", "json"]);
        // Compared with the same period of 2024: its figure, 60%.
        let (found, not) = drops(&f);
        assert_eq!(
            found,
            [("Xã Nghĩa Dân".to_owned(), serde_json::json!(60.0))],
            "{period}"
        );
        assert_eq!(
            not,
            [("Xã Tân Hưng".to_owned(), FORMED.to_owned())],
            "{period}"
        );
    }

    // Only a drop rule compares with a period before: refused, unchanged.
    let before = snapshot(&db);
    let err = fails(
        &db,
        &["rules", "set", "processing_late", "--compare", "last_year"],
    );
    assert!(err.contains("processing_late"), "{err}");
    assert!(err.contains("--compare"), "{err}");
    assert_eq!(snapshot(&db), before);
}
