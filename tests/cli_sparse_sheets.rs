//! .xls and .ods workbooks: a normal table imports its values, and a
//! small hostile one (a value at the sheet's far corner, a million rows
//! down, a row repeated ten million times, one long text shared by many
//! cells, a broken sheet offset) is refused by name, or read, within
//! 200 MB, leaving the database as it was. Peaks are measured on the real
//! binary.

mod common;
#[path = "common/ods.rs"]
mod ods;
#[path = "common/xls.rs"]
mod xls;

use std::path::Path;

use common::*;
use serde_json::Value as Json;

/// No input file under 10 MB may take more than this.
const PEAK_LIMIT_MB: f64 = 200.0;

const HEADERS: [&str; 5] = [
    "Đơn vị",
    "Kết quả xử lý hồ sơ (%)",
    "Tỷ lệ mức độ hài lòng (%)",
    "Tỷ lệ hồ sơ thanh toán trực tuyến (%)",
    "Điểm tổng hợp",
];

/// Imports `file` with `extra` arguments, measuring; asserts the file is
/// small and the peak under the limit. Returns exit code and stderr.
fn import_within_memory(db: &Path, file: &Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["import", s(file), "--period", "2024-08"];
    args.extend_from_slice(extra);
    let size = std::fs::metadata(file).unwrap().len();
    assert!(size < 10 << 20, "{} is {size} bytes", file.display());
    let (code, stderr, peak) = measured(db, &args);
    eprintln!(
        "{}: {} KB, exit {code}, peak {peak:.1} MB",
        file.file_name().unwrap().to_string_lossy(),
        size / 1024
    );
    assert!(
        peak < PEAK_LIMIT_MB,
        "peak {peak:.0} MB for a {} KB file",
        size / 1024
    );
    (code, stderr)
}

/// Imports `file` expecting a refusal within memory and no change to the
/// database; returns stderr.
fn refused_within_memory(db: &Path, file: &Path) -> String {
    let before = snapshot(db);
    let (code, stderr) = import_within_memory(db, file, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(snapshot(db), before, "database changed");
    stderr
}

/// The values of a month's units, by unit name, from `export`.
fn exported(db: &Path, period: &str) -> Json {
    let out = ok(db, &["export", "--period", period, "--format", "json"]).stdout;
    let doc: Json = serde_json::from_str(&out).unwrap();
    let mut by_name = serde_json::Map::new();
    for u in doc["units"].as_array().unwrap() {
        by_name.insert(u["name"].as_str().unwrap().to_owned(), u["values"].clone());
    }
    Json::Object(by_name)
}

// ---------------------------------------------------------------- .xls

/// The header row and An Vỹ's row, as the hostile workbooks start.
fn xls_table_start(book: &mut xls::Xls, sheet: usize) {
    book.text(sheet, 0, 0, "Đơn vị");
    book.text(sheet, 0, 1, "Điểm tổng hợp");
    book.text(sheet, 1, 0, "An Vỹ");
    book.rk(sheet, 1, 1, 80);
}

#[test]
fn an_xls_table_imports_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let mut book = xls::Xls::new();
    // A first sheet of notes whose long Vietnamese texts push the shared
    // strings past one record: the unit names after them are read across
    // CONTINUE records, some split inside a string.
    let notes = book.sheet("Ghi chú");
    for i in 0..300u16 {
        let note = format!("Ghi chú số {i}: số liệu tổng hợp từ Cổng dịch vụ công quốc gia");
        book.text(notes, i, 0, &note);
    }
    let annex = book.sheet("Phụ lục 1");
    book.label(annex, 0, 0, "Số liệu tháng 9/2024"); // a title, inline text
    for (c, h) in HEADERS.iter().enumerate() {
        book.text(annex, 2, c as u16, h);
    }
    // Each value in another record kind.
    book.text(annex, 3, 0, "An Vỹ");
    book.number(annex, 3, 1, 98.25);
    book.rk(annex, 3, 2, 100);
    book.mulrk(annex, 3, 3, &[90.48, 85.5]);
    book.formula_text(annex, 4, 0, "Bình Kiều");
    book.formula_number(annex, 4, 1, 37.9);
    book.label(annex, 4, 4, "  71,25 ");
    // A value far right, inside A:IV, on its own row: read, not a unit.
    book.number(annex, 60, 200, 1.0);
    let bytes = book.bytes();
    // The writer's file is what another reader sees too.
    {
        use calamine::{Data, Reader};
        let mut other =
            calamine::open_workbook_auto_from_rs(std::io::Cursor::new(&bytes[..])).unwrap();
        assert_eq!(other.sheet_names(), ["Ghi chú", "Phụ lục 1"]);
        let range = other.worksheet_range("Phụ lục 1").unwrap();
        assert_eq!(
            range.get_value((4, 0)),
            Some(&Data::String("Bình Kiều".into()))
        );
        assert_eq!(range.get_value((3, 4)), Some(&Data::Float(85.5)));
        let notes = other.worksheet_range("Ghi chú").unwrap();
        assert_eq!(
            notes.get_value((299, 0)),
            Some(&Data::String(
                "Ghi chú số 299: số liệu tổng hợp từ Cổng dịch vụ công quốc gia".into()
            ))
        );
    }
    let file = write(dir.path(), "thang9.xls", &bytes);
    // Accents need not be typed.
    ok(
        &db,
        &[
            "import",
            s(&file),
            "--period",
            "2024-09",
            "--sheet",
            "phu luc 1",
        ],
    );
    let got = exported(&db, "2024-09");
    assert_eq!(
        got["An Vỹ"],
        serde_json::json!({
            "processing": 98.25, "satisfaction": 100.0,
            "online_payment": 90.48, "score": 85.5
        })
    );
    assert_eq!(
        got["Bình Kiều"],
        serde_json::json!({"processing": 37.9, "score": 71.25})
    );
    // The first sheet is the default.
    let err = fails(&db, &["import", s(&file), "--period", "2024-10"]);
    assert!(err.contains("Ghi chú"), "{err}");
}

#[test]
fn an_xls_value_at_the_last_cell_of_column_iv_costs_one_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let mut book = xls::Xls::new();
    let sheet = book.sheet("Sheet1");
    xls_table_start(&mut book, sheet);
    book.number(sheet, 65535, 255, 1.0);
    let file = write(dir.path(), "iv.xls", &book.bytes());
    let (code, err) = import_within_memory(&db, &file, &["--replace", "--dry-run"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn an_xls_value_right_of_column_iv_is_refused_by_name_within_memory() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let mut book = xls::Xls::new();
    let sheet = book.sheet("Sheet1");
    xls_table_start(&mut book, sheet);
    // Column XFD: the format's 16-bit column allows it, Excel never writes it.
    book.number(sheet, 65535, 16383, 1.0);
    let file = write(dir.path(), "xfd.xls", &book.bytes());
    let err = refused_within_memory(&db, &file);
    assert!(
        err.contains("trang tính có ô ở XFD65536, ngoài vùng dữ liệu; hãy xoá các ô thừa"),
        "{err}"
    );
    assert!(err.contains("xfd.xls, ô XFD65536 (trang Sheet1)"), "{err}");
}

#[test]
fn one_long_xls_text_shared_by_many_cells_is_refused_within_memory() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let mut book = xls::Xls::new();
    let sheet = book.sheet("Sheet1");
    xls_table_start(&mut book, sheet);
    // 8,000 characters stored once, shown in 100,000 cells: 800 MB of text.
    let long = book.shared(&"x".repeat(8000));
    for i in 0..100_000u32 {
        book.text_ref(sheet, 2 + (i / 8) as u16, (i % 8) as u16, long);
    }
    let file = write(dir.path(), "shared.xls", &book.bytes());
    let err = refused_within_memory(&db, &file);
    assert!(
        err.contains("trang tính quá lớn để nhập một lần (hơn 2.000.000 ô hoặc 64 MB chữ)"),
        "{err}"
    );
    assert!(err.contains("shared.xls, ô "), "{err}");
}

#[test]
fn an_xls_whose_sheet_lies_outside_the_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let mut book = xls::Xls::new();
    let sheet = book.sheet("Sheet1");
    xls_table_start(&mut book, sheet);
    let mut stream = book.stream();
    // BOF (20 bytes) and CODEPAGE (6), then BOUNDSHEET's offset.
    assert_eq!(&stream[26..28], &[0x85, 0x00]);
    stream[30..34].copy_from_slice(&0x00FF_FFFFu32.to_le_bytes());
    let file = write(dir.path(), "offset.xls", &xls::cfb_file(&stream));
    let err = refused_within_memory(&db, &file);
    assert!(err.contains("offset.xls: "), "{err}");
    assert!(err.contains("không đọc được bảng tính"), "{err}");
    // Not a compound file at all past its signature.
    let mut junk = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    junk.extend(std::iter::repeat_n(0xAB, 4000));
    let file = write(dir.path(), "junk.xls", &junk);
    let err = refused_within_memory(&db, &file);
    assert!(err.contains("junk.xls: không đọc được bảng tính"), "{err}");
}

// ---------------------------------------------------------------- .ods

/// The header row and An Vỹ's row.
fn ods_table_start() -> Vec<String> {
    vec![
        ods::row(1, &[ods::text("Đơn vị"), ods::text("Điểm tổng hợp")]),
        ods::row(1, &[ods::text("An Vỹ"), ods::number(80.0)]),
    ]
}

/// A one-table workbook: the table's start, then `rows`.
fn ods_file(dir: &Path, name: &str, rows: &[String]) -> std::path::PathBuf {
    let mut all = ods_table_start();
    all.extend_from_slice(rows);
    write(dir, name, &ods::ods(&[ods::table("Sheet1", &all)]))
}

/// Two tables: notes first, then the annex (with a last row whose value
/// is no number when `bad`).
fn ods_annex(bad: bool) -> Vec<u8> {
    let notes = ods::table(
        "Ghi chú",
        &[ods::row(1, &[ods::text("Số liệu từ Cổng dịch vụ công")])],
    );
    let mut header: Vec<String> = HEADERS.iter().map(|h| ods::text(h)).collect();
    // A character reference in a header.
    header[1] = ods::text("Kết quả xử lý hồ sơ &#40;%)");
    let mut rows = vec![
        ods::row(1, &[ods::text("Số liệu tháng 9/2024")]),
        ods::row(1, &[]),
        ods::row(1, &header),
        ods::row(
            1,
            &[
                ods::text("An Vỹ"),
                ods::number(98.25),
                // Two equal values in one repeated cell.
                ods::numbers(2, 100.0),
                ods::number(85.5),
            ],
        ),
        // Empty rows between, written as one repeated row.
        ods::row(3, &[ods::empty(5)]),
        ods::row(
            1,
            &[
                // A name split by markup, with a comment that is not text.
                r#"<table:table-cell office:value-type="string"><text:p>Bình <text:span>Kiều</text:span></text:p><office:annotation><text:p>ghi chú</text:p></office:annotation></table:table-cell>"#.into(),
                ods::number(37.9),
                ods::empty(2),
                r#"<table:table-cell office:value-type="percentage" office:value="71.25"><text:p>7125%</text:p></table:table-cell>"#.into(),
            ],
        ),
    ];
    if bad {
        rows.push(ods::row(
            1,
            &[
                ods::text("Chí Tân"),
                r#"<table:table-cell office:value-type="float" office:value="nope"><text:p>?</text:p></table:table-cell>"#.into(),
            ],
        ));
    }
    ods::ods(&[notes, ods::table("Phụ lục 1", &rows)])
}

#[test]
fn an_ods_table_imports_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    // A value that is not a number is named by its cell.
    let file = write(dir.path(), "bad.ods", &ods_annex(true));
    let err = fails(
        &db,
        &[
            "import",
            s(&file),
            "--period",
            "2024-09",
            "--sheet",
            "phu luc 1",
        ],
    );
    assert!(err.contains("ô B9 (trang Phụ lục 1)"), "{err}");
    let file = write(dir.path(), "thang9.ods", &ods_annex(false));
    // Accents need not be typed.
    ok(
        &db,
        &[
            "import",
            s(&file),
            "--period",
            "2024-09",
            "--sheet",
            "phu luc 1",
        ],
    );
    let got = exported(&db, "2024-09");
    assert_eq!(
        got["An Vỹ"],
        serde_json::json!({
            "processing": 98.25, "satisfaction": 100.0,
            "online_payment": 100.0, "score": 85.5
        })
    );
    assert_eq!(
        got["Bình Kiều"],
        serde_json::json!({"processing": 37.9, "score": 71.25})
    );
    // The first sheet is the default.
    let err = fails(&db, &["import", s(&file), "--period", "2024-10"]);
    assert!(err.contains("Ghi chú"), "{err}");
}

#[test]
fn an_ods_cell_at_the_far_corner_is_refused_by_name_within_memory() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let file = ods_file(
        dir.path(),
        "xfd.ods",
        &[
            ods::row(1_048_573, &[ods::empty(16384)]),
            ods::row(1, &[ods::empty(16383), ods::number(1.0)]),
        ],
    );
    let err = refused_within_memory(&db, &file);
    assert!(
        err.contains("trang tính có ô ở XFD1048576, ngoài vùng dữ liệu; hãy xoá các ô thừa"),
        "{err}"
    );
    assert!(
        err.contains("xfd.ods, ô XFD1048576 (trang Sheet1)"),
        "{err}"
    );
    // A value repeated across every column is refused at the first
    // column past IV.
    let file = ods_file(
        dir.path(),
        "wide.ods",
        &[ods::row(1, &[ods::numbers(16384, 1.0)])],
    );
    let err = refused_within_memory(&db, &file);
    assert!(
        err.contains("trang tính có ô ở IW3, ngoài vùng dữ liệu"),
        "{err}"
    );
}

#[test]
fn an_ods_value_a_million_rows_down_costs_one_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let file = ods_file(
        dir.path(),
        "down.ods",
        &[
            ods::row(1_048_573, &[]),
            ods::row(1, &[ods::empty(1), ods::number(1.0)]),
        ],
    );
    let err = refused_within_memory(&db, &file);
    assert!(
        err.contains(
            "ô A1048576 (trang Sheet1), cột \"Đơn vị\": dòng có số liệu nhưng thiếu tên đơn vị"
        ),
        "{err}"
    );
    // Right of the table but inside A:IV: read, and the table imports.
    let file = ods_file(
        dir.path(),
        "cv.ods",
        &[
            ods::row(1_048_573, &[ods::empty(100)]),
            ods::row(1, &[ods::empty(99), ods::number(1.0)]),
        ],
    );
    let (code, err) = import_within_memory(&db, &file, &["--replace", "--dry-run"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_repeated_ods_row_is_counted_before_it_is_expanded() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let file = ods_file(
        dir.path(),
        "repeat.ods",
        &[ods::row(
            10_000_000,
            &[ods::text("Bình Kiều"), ods::number(70.0)],
        )],
    );
    let err = refused_within_memory(&db, &file);
    assert!(
        err.contains("trang tính quá lớn để nhập một lần (hơn 2.000.000 ô hoặc 64 MB chữ)"),
        "{err}"
    );
    assert!(err.contains("repeat.ods, ô "), "{err}");
}

// ------------------------------------------------------- real writers

/// The seed's annex 1 as LibreOffice 7.4 saves it (soffice --headless
/// --convert-to xls / ods from the example TSV): every record and element
/// a real spreadsheet program writes, styles and all.
fn libreoffice(ext: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("khoai-chau-2024-08-phu-luc-1-libreoffice.{ext}"))
}

#[test]
fn workbooks_saved_by_libreoffice_import_like_the_text_they_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let month = |file: &Path, name: &str| {
        let db = dir.path().join(name);
        ok(&db, &["init", "--parent", PARENT]);
        ok(
            &db,
            &["import", s(file), "--period", "2024-08", "--create-units"],
        );
        ok(&db, &["export", "--period", "2024-08", "--format", "json"]).stdout
    };
    let tsv = month(&p1(), "tsv.db");
    assert!(tsv.contains("\"Bình Kiều\""), "{tsv}");
    for ext in ["xls", "ods"] {
        assert_eq!(month(&libreoffice(ext), &format!("{ext}.db")), tsv, "{ext}");
    }
}
