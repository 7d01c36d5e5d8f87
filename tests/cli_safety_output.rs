//! What chiso writes out is safe (issue 13, items 1, 9, 10): `--out`
//! never replaces a file silently and never a database; CSV and TSV cells
//! never start a formula, and import takes the guard off again; text from
//! the database never reaches a terminal with its control characters.

mod common;

use common::*;
use std::path::{Path, PathBuf};

/// The demo database (Khoái Châu, 7 and 8/2024) in `dir`.
fn demo(dir: &Path) -> PathBuf {
    let db = dir.join("demo.db");
    ok(&db, &["demo"]);
    db
}

const EXPORT: [&str; 3] = ["export", "--period", "2024-08"];

fn with<'a>(base: &[&'a str], more: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(more).copied().collect()
}

// ---- 1. --out never replaces a file silently, never a database ----

#[test]
fn out_refuses_an_existing_file_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let signed = b"the letter the clerk edited and signed".to_vec();
    let cases: [(&str, Vec<&str>); 4] = [
        ("thang-8.csv", with(&EXPORT, &[])),
        ("thang-8.xlsx", with(&EXPORT, &["--format", "xlsx"])),
        (
            "phu-luc.xlsx",
            with(&EXPORT, &["--format", "xlsx", "--annexes"]),
        ),
        (
            "cong-van.docx",
            vec!["report", "--period", "2024-08", "--format", "docx"],
        ),
    ];
    for (name, args) in cases {
        let out = write(dir.path(), name, &signed);
        let mut argv = args.clone();
        argv.extend(["--out", s(&out)]);
        let err = fails(&db, &argv);
        assert!(
            err.contains(&format!("tệp {} đã có; không ghi đè", s(&out))),
            "{err}"
        );
        assert!(err.contains("--force"), "{err}");
        assert_eq!(std::fs::read(&out).unwrap(), signed, "{name} replaced");
        // --force replaces it, whole.
        argv.push("--force");
        ok(&db, &argv);
        assert_ne!(std::fs::read(&out).unwrap(), signed, "{name} not written");
    }
    // The Markdown letter too; a new file needs no --force.
    let md = write(dir.path(), "cong-van.md", &signed);
    let err = fails(&db, &["report", "--period", "2024-08", "--out", s(&md)]);
    assert!(err.contains("cong-van.md đã có"), "{err}");
    assert_eq!(std::fs::read(&md).unwrap(), signed);
    let fresh = dir.path().join("moi.md");
    ok(&db, &["report", "--period", "2024-08", "--out", s(&fresh)]);
    assert!(
        std::fs::read_to_string(&fresh)
            .unwrap()
            .contains("Kính gửi")
    );
    // No temporary file left behind by any of it.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn out_never_writes_over_a_sqlite_file_even_forced() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    // Another office's database, whatever its name says.
    let other_dir = dir.path().join("other");
    std::fs::create_dir(&other_dir).unwrap();
    let other = new_db(&other_dir);
    let disguised = other_dir.join("so-lieu.csv");
    std::fs::copy(&other, &disguised).unwrap();
    let before = std::fs::read(&disguised).unwrap();
    let other_before = snapshot(&other);
    for target in [&other, &disguised] {
        for force in [false, true] {
            for args in [
                with(&EXPORT, &[]),
                with(&EXPORT, &["--format", "xlsx", "--annexes"]),
                vec!["report", "--period", "2024-08"],
            ] {
                let mut argv = args.clone();
                argv.extend(["--out", s(target)]);
                if force {
                    argv.push("--force");
                }
                let err = fails(&db, &argv);
                assert!(err.contains("là tệp cơ sở dữ liệu; không ghi đè"), "{err}");
            }
        }
    }
    assert_eq!(std::fs::read(&disguised).unwrap(), before);
    assert_eq!(snapshot(&other), other_before);
    // The open database, forced, as before.
    let err = fails(&db, &with(&EXPORT, &["--out", s(&db), "--force"]));
    assert!(err.contains("là tệp cơ sở dữ liệu"), "{err}");
    ok(&db, &["units", "list"]);
}

#[test]
fn out_warns_when_the_extension_does_not_fit_the_format() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let out = dir.path().join("x.docx");
    let r = ok(&db, &with(&EXPORT, &["--format", "csv", "--out", s(&out)]));
    assert!(
        r.stderr.contains("cảnh báo:") && r.stderr.contains("x.docx") && r.stderr.contains(".csv"),
        "{}",
        r.stderr
    );
    // Written all the same.
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .starts_with("STT,Đơn vị,")
    );
    let out = dir.path().join("cong-van.txt");
    let r = ok(
        &db,
        &[
            "report",
            "--period",
            "2024-08",
            "--format",
            "docx",
            "--out",
            s(&out),
        ],
    );
    assert!(
        r.stderr.contains("cảnh báo:") && r.stderr.contains(".docx"),
        "{}",
        r.stderr
    );
    // A fitting extension says nothing.
    let out = dir.path().join("y.tsv");
    let r = ok(&db, &with(&EXPORT, &["--format", "tsv", "--out", s(&out)]));
    assert!(!r.stderr.contains("cảnh báo"), "{}", r.stderr);
}

// ---- 9. CSV/TSV formula injection ----

const FORMULA_NAMES: [(&str, &str); 4] = [
    ("An Vỹ", "=HYPERLINK(\"x\")"),
    ("Bình Kiều", "+1+2"),
    ("Chí Tân", "@SUM(A1)"),
    ("Dạ Trạch", "-2+3"),
];

/// The demo database with four units renamed as an attacker would.
fn formula_db(dir: &Path) -> PathBuf {
    let db = demo(dir);
    for (old, new) in FORMULA_NAMES {
        ok(&db, &["units", "rename", old, &format!("--to={new}")]);
    }
    db
}

#[test]
fn csv_and_tsv_text_cells_never_start_a_formula() {
    let dir = tempfile::tempdir().unwrap();
    let db = formula_db(dir.path());
    for (format, sep) in [("csv", ','), ("tsv", '\t')] {
        let out = ok(&db, &with(&EXPORT, &["--format", format])).stdout;
        for line in out.lines().skip(1) {
            for cell in line.split(sep) {
                let cell = cell.trim_start_matches('"');
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{format}: {cell:?} in {line:?}"
                );
            }
        }
        assert!(out.contains("'+1+2"), "{out}");
        assert!(out.contains("'@SUM(A1)"), "{out}");
        assert!(out.contains("'-2+3"), "{out}");
        assert!(out.contains("'=HYPERLINK("), "{out}");
        // Numbers stay numbers.
        assert!(out.contains("99.62"), "{out}");
    }
    let csv = ok(&db, &["findings", "--period", "2024-08", "--format", "csv"]).stdout;
    assert!(
        csv.contains("\r\n'+1+2,Kết quả xử lý hồ sơ chưa đạt 100%,"),
        "{csv}"
    );
    for line in csv.lines() {
        assert!(!line.starts_with(['=', '+', '-', '@']), "{line}");
    }
}

#[test]
fn a_negative_number_is_a_number_not_a_formula() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE metrics SET min_value = -100 WHERE code = 'score'",
        [],
    )
    .unwrap();
    drop(conn);
    ok(
        &db,
        &[
            "set",
            "--period",
            "2024-08",
            "--unit",
            "An Vỹ",
            "score=-2.5",
        ],
    );
    let out = ok(&db, &EXPORT).stdout;
    let line = out.lines().find(|l| l.contains(",An Vỹ,")).unwrap();
    assert!(line.contains(",-2.5,"), "{line}");
    assert!(!line.contains('\''), "{line}");
}

#[test]
fn export_import_export_is_identical_with_formula_names() {
    let dir = tempfile::tempdir().unwrap();
    let db = formula_db(dir.path());
    for format in ["csv", "tsv"] {
        let first = dir.path().join(format!("first.{format}"));
        let second = dir.path().join(format!("second.{format}"));
        ok(
            &db,
            &with(&EXPORT, &["--format", format, "--out", s(&first)]),
        );
        let fresh = dir.path().join(format!("fresh-{format}.db"));
        ok(&fresh, &["init", "--parent", PARENT]);
        ok(
            &fresh,
            &[
                "import",
                s(&first),
                "--create-units",
                "--kind",
                "xa",
                "--period",
                "2024-08",
            ],
        );
        // The names came back without their guard.
        let units = ok(&fresh, &["units", "list", "--format", "json"]).stdout;
        let units: serde_json::Value = serde_json::from_str(&units).unwrap();
        let names: Vec<&str> = units
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["name"].as_str().unwrap())
            .collect();
        for (_, name) in FORMULA_NAMES {
            assert!(names.contains(&name), "{format}: {name} not in {names:?}");
        }
        ok(
            &fresh,
            &with(&EXPORT, &["--format", format, "--out", s(&second)]),
        );
        assert_eq!(
            std::fs::read(&first).unwrap(),
            std::fs::read(&second).unwrap(),
            "{format} round trip differs"
        );
    }
}

#[test]
fn import_takes_one_guard_off_in_every_row_of_a_long_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    let mut csv = String::from("Đơn vị,Điểm tổng hợp\n");
    for i in 1..=70 {
        csv.push_str(&format!("Xã Số {i},80\n"));
    }
    csv.push_str("'=Cuối,81\n'@Tên,82\n''+x,83\n'Tốt,84\n");
    let f = write(dir.path(), "dai.csv", csv.as_bytes());
    ok(
        &db,
        &[
            "import",
            s(&f),
            "--period",
            "2024-08",
            "--create-units",
            "--kind",
            "xa",
        ],
    );
    let units = ok(&db, &["units", "list", "--format", "json"]).stdout;
    let units: serde_json::Value = serde_json::from_str(&units).unwrap();
    let names: Vec<&str> = units
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    for name in ["=Cuối", "@Tên", "'+x", "'Tốt"] {
        assert!(names.contains(&name), "{name} not in {names:?}");
    }
    // And out again as they came in.
    let out = ok(&db, &EXPORT).stdout;
    for cell in [",'=Cuối,", ",'@Tên,", ",''+x,", ",'Tốt,"] {
        assert!(out.contains(cell), "{cell} not in {out}");
    }
}

// ---- 10. Control characters from the database ----

/// The demo database after another program wrote ESC and BEL into a unit
/// name, an alias and settings with sqlite3.
fn hostile_db(dir: &Path) -> PathBuf {
    let db = demo(dir);
    ok(&db, &["units", "alias", "Bình Kìeu", "--to", "Bình Kiều"]);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "UPDATE units SET name = 'Bình Kiều' || char(27) || '[31m' || char(7) WHERE name = 'Bình Kiều';
         UPDATE unit_aliases SET alias = alias || char(27) || ']0;x' || char(7);
         INSERT OR REPLACE INTO settings (key, value) VALUES
             ('signer_name', 'Lê' || char(27) || '[2J' || char(7)),
             ('doc_number:2024-08', '12' || char(27) || '[5m');",
    )
    .unwrap();
    db
}

fn assert_clean(what: &str, out: &str) {
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{7}'),
        "{what}: raw control character in {out:?}"
    );
}

#[test]
fn control_characters_from_the_database_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile_db(dir.path());
    let runs: [(&str, Vec<&str>, Option<&str>); 10] = [
        (
            "units list",
            vec!["units", "list"],
            Some("Bình Kiều\\u{1b}[31m\\u{7}"),
        ),
        (
            "units list json",
            vec!["units", "list", "--format", "json"],
            None,
        ),
        (
            "findings",
            vec!["findings", "--period", "2024-08"],
            Some("Bình Kiều\\u{1b}[31m\\u{7}"),
        ),
        (
            "findings csv",
            vec!["findings", "--period", "2024-08", "--format", "csv"],
            Some("Bình Kiều\\u{1b}[31m\\u{7},Kết quả xử lý hồ sơ chưa đạt 100%"),
        ),
        (
            "report md",
            vec!["report", "--period", "2024-08"],
            Some("Lê\\\\u{1b}\\[2J\\\\u{7}"),
        ),
        (
            "report txt",
            vec!["report", "--period", "2024-08", "--format", "txt"],
            Some("Lê\\u{1b}[2J\\u{7}"),
        ),
        (
            "export csv",
            with(&EXPORT, &[]),
            Some(",Bình Kiều\\u{1b}[31m\\u{7},"),
        ),
        (
            "export tsv",
            with(&EXPORT, &["--format", "tsv"]),
            Some("\tBình Kiều\\u{1b}[31m\\u{7}\t"),
        ),
        ("export json", with(&EXPORT, &["--format", "json"]), None),
        (
            "settings list",
            vec!["settings", "list"],
            Some("12\\u{1b}[5m"),
        ),
    ];
    for (what, args, expected) in runs {
        let r = ok(&db, &args);
        assert_clean(what, &r.stdout);
        assert_clean(what, &r.stderr);
        if let Some(e) = expected {
            assert!(r.stdout.contains(e), "{what}: {e:?} not in\n{}", r.stdout);
        }
    }
    // The alias and the signer's name too.
    let units = ok(&db, &["units", "list"]).stdout;
    assert!(units.contains("Bình Kìeu\\u{1b}]0;x\\u{7}"), "{units}");
    let settings = ok(&db, &["settings", "list"]).stdout;
    assert!(settings.contains("Lê\\u{1b}[2J\\u{7}"), "{settings}");
}

#[test]
fn the_docx_letter_has_no_control_characters_from_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile_db(dir.path());
    let out = dir.path().join("cong-van.docx");
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
        ],
    );
    let xml = zip_part(&out, "word/document.xml");
    assert_clean("docx", &xml);
    // Stripped, as XML 1.0 wants: the name is still there.
    assert!(xml.contains("Bình Kiều[31m"), "name lost");
}

/// Found in review: a spreadsheet keeps a name such as `'=x` as it is
/// (only CSV/TSV carry the guard), and another database's write-ahead log
/// is a database file too.
#[test]
fn xlsx_names_keep_their_quote_and_wal_files_are_never_written_over() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    ok(&db, &["units", "rename", "An Vỹ", "--to", "'=x"]);
    let xlsx = dir.path().join("m.xlsx");
    ok(
        &db,
        &[
            "export",
            "--period",
            "2024-08",
            "--format",
            "xlsx",
            "--out",
            s(&xlsx),
        ],
    );
    let fresh = dir.path().join("fresh");
    std::fs::create_dir(&fresh).unwrap();
    let other = new_db(&fresh);
    ok(
        &other,
        &["import", s(&xlsx), "--period", "2024-08", "--create-units"],
    );
    let names = ok(&other, &["units", "list", "--format", "json"]).stdout;
    assert!(names.contains("\"'=x\""), "{names}");
    // A file that starts like SQLite's write-ahead log.
    let wal = write(
        dir.path(),
        "x.db-wal",
        &[0x37, 0x7f, 0x06, 0x82, 0, 0x2d, 0xe2, 0x18, 0, 0, 0x10, 0],
    );
    let r = run(
        &db,
        &["export", "--period", "2024-08", "--out", s(&wal), "--force"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("là tệp cơ sở dữ liệu"), "{}", r.stderr);
}
