//! Every kind of bad input: a clear message naming file, place and column,
//! exit code 1, and a database exactly as it was.

mod common;

use common::*;

/// Imports `files` expecting refusal; checks the database did not change.
fn refused(db: &std::path::Path, args: &[&str]) -> String {
    let before = snapshot(db);
    let err = fails(db, args);
    assert!(
        err.contains("không ghi gì") || err.starts_with("lỗi:"),
        "{err}"
    );
    assert_eq!(
        snapshot(db),
        before,
        "database changed after a refused {args:?}"
    );
    err
}

#[test]
fn a_month_is_required_and_must_agree() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let err = refused(&db, &["import", s(&p1())]);
    assert!(
        err.contains("khoai-chau-2024-08-phu-luc-1.tsv: không biết số liệu của kỳ nào"),
        "{err}"
    );
    assert!(err.contains("tháng YYYY-MM (--period 2024-08)"), "{err}");
    assert!(err.contains("quý YYYY-Qn (--period 2025-Q3)"), "{err}");
    let f = write(
        dir.path(),
        "july.tsv",
        "Kết quả tháng 7/2024\nĐơn vị\tĐiểm tổng hợp\nAn Vỹ\t80\n".as_bytes(),
    );
    let err = refused(&db, &["import", s(&f), "--period", "2024-08"]);
    assert!(
        err.contains("july.tsv, dòng 1: tệp ghi tháng 7/2024 nhưng đang nhập cho --period 2024-08"),
        "{err}"
    );
}

#[test]
fn every_bad_value_of_every_file_is_reported_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let a = write(
        dir.path(),
        "a.tsv",
        "STT\tĐơn vị\tKết quả xử lý hồ sơ (%)\tKết quả cấp bản sao điện tử\tKết quả đánh giá\n\
         1\tAn Vỹ\t100,5\t12.5\tTốt\n\
         2\tBình Kiều\t9x\t3.090\tRất tốt\n\
         3\tChí Tân\t-1\t-\tkhá\n"
            .as_bytes(),
    );
    let b = write(
        dir.path(),
        "b.csv",
        "Đơn vị,Điểm tổng hợp\nDạ Trạch,abc\n".as_bytes(),
    );
    let err = refused(&db, &["import", s(&a), s(&b), "--period", "2024-09"]);
    for needle in [
        "a.tsv, dòng 2, cột \"Kết quả xử lý hồ sơ (%)\", giá trị \"100,5\": ngoài khoảng cho phép (từ 0 đến 100)",
        "a.tsv, dòng 2, cột \"Kết quả cấp bản sao điện tử\", giá trị \"12.5\": không phải số nguyên",
        "a.tsv, dòng 3, cột \"Kết quả xử lý hồ sơ (%)\", giá trị \"9x\": không phải số",
        "a.tsv, dòng 3, cột \"Kết quả đánh giá\", giá trị \"Rất tốt\": mức đánh giá không hợp lệ; dùng một trong: Xuất sắc, Tốt, Khá, Trung bình, Yếu",
        "a.tsv, dòng 4, cột \"Kết quả xử lý hồ sơ (%)\", giá trị \"-1\": ngoài khoảng",
        "b.csv, dòng 2, cột \"Điểm tổng hợp\", giá trị \"abc\": không phải số",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in\n{err}");
    }
    assert!(err.contains("6 vấn đề"), "{err}");
    assert_eq!(count_values(&db, "2024-09"), 0);
}

#[test]
fn duplicates_ragged_rows_and_missing_names() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let f = write(
        dir.path(),
        "dup.csv",
        "Đơn vị,Điểm tổng hợp,Kết quả đánh giá\r\nAn Vỹ,80,Tốt\r\nXã An Vỹ,81,Tốt\r\nBình Kiều,70\r\nChí Tân,70,Tốt,thừa\r\n,75,Khá\r\n"
            .as_bytes(),
    );
    let err = refused(&db, &["import", s(&f), "--period", "2024-09"]);
    // One problem for the row, naming both lines (issue 15, item 14).
    assert!(
        err.contains(
            "dup.csv, dòng 3: hai dòng cho cùng một đơn vị \"Xã An Vỹ\": dòng 2 và dòng 3"
        ),
        "{err}"
    );
    assert!(
        err.contains("dup.csv, dòng 4: dòng có 2 ô nhưng dòng tiêu đề có 3 cột"),
        "{err}"
    );
    assert!(
        err.contains("dup.csv, dòng 5: dòng có 4 ô nhưng dòng tiêu đề có 3 cột"),
        "{err}"
    );
    assert!(
        err.contains("dup.csv, dòng 6, cột \"Đơn vị\": dòng có số liệu nhưng thiếu tên đơn vị"),
        "{err}"
    );

    // The same unit and metric in two files of one import.
    let g = write(
        dir.path(),
        "again.tsv",
        "Đơn vị\tĐiểm tổng hợp\nAn Vỹ\t80\n".as_bytes(),
    );
    let h = write(
        dir.path(),
        "again2.tsv",
        "Đơn vị\tĐiểm tổng hợp\nan  vỹ\t80\n".as_bytes(),
    );
    let err = refused(&db, &["import", s(&g), s(&h), "--period", "2024-09"]);
    assert!(
        err.contains("again2.tsv, dòng 2: hai dòng cho cùng một đơn vị \"an vỹ\": "),
        "{err}"
    );
    assert!(
        err.contains("again.tsv, dòng 2 và ") && err.contains("again2.tsv, dòng 2\n"),
        "{err}"
    );
}

#[test]
fn control_characters_are_refused_and_never_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let f = write(
        dir.path(),
        "ctl.tsv",
        "Đơn vị\tĐiểm tổng hợp\tGhi chú\nAn\u{1b}[31m Vỹ\t80\t\nBình Kiều\t7\u{7}0\t\nChí Tân\t70\tx\u{1b}]0;title\u{7}\n".as_bytes(),
    );
    let err = refused(
        &db,
        &["import", s(&f), "--period", "2024-09", "--create-units"],
    );
    assert!(err.contains("ctl.tsv, dòng 2, cột \"Đơn vị\", giá trị \"An\\u{1b}[31m Vỹ\": tên đơn vị chứa ký tự điều khiển"), "{err}");
    assert!(
        err.contains(
            "ctl.tsv, dòng 3, cột \"Điểm tổng hợp\", giá trị \"7\\u{7}0\": ô chứa ký tự điều khiển"
        ),
        "{err}"
    );
    assert!(err.contains("ctl.tsv, dòng 4, cột \"Ghi chú\""), "{err}");
    assert!(!err.contains('\u{7}'), "{err:?}");
    let h = write(
        dir.path(),
        "head.tsv",
        "Đơn vị\tĐiểm tổng hợp\tGhi\u{1b}[5m\nAn Vỹ\t80\t\n".as_bytes(),
    );
    let err = refused(&db, &["import", s(&h), "--period", "2024-09"]);
    assert!(
        err.contains(
            "head.tsv, dòng 1, giá trị \"Ghi\\u{1b}[5m\": tiêu đề cột chứa ký tự điều khiển"
        ),
        "{err}"
    );
    // A unit name typed with a control character is refused too.
    let err = refused(&db, &["units", "add", "Xã\u{1b}[2J Mới"]);
    assert!(err.contains("\\u{1b}"), "{err}");
}

#[test]
fn unknown_ambiguous_and_lookalike_names() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let f = write(
        dir.path(),
        "names.tsv",
        "Đơn vị\tĐiểm tổng hợp\nXã Mới Tinh\t80\nKhoái Châu\t81\nThi tran Khoai Chau\t82\nTân Dan\t83\n".as_bytes(),
    );
    let err = refused(&db, &["import", s(&f), "--period", "2024-09"]);
    assert!(
        err.contains("dòng 2, cột \"Đơn vị\", giá trị \"Xã Mới Tinh\": không có đơn vị này"),
        "{err}"
    );
    assert!(err.contains("--create-units"), "{err}");
    assert!(
        err.contains("giá trị \"Khoái Châu\": tên khớp nhiều đơn vị: \"Huyện Khoái Châu\", \"Thị trấn Khoái Châu\""),
        "{err}"
    );
    assert!(
        err.contains(
            "giá trị \"Thi tran Khoai Chau\": không có đơn vị này; có phải \"Thị trấn Khoái Châu\"?"
        ),
        "{err}"
    );
    assert!(
        err.contains("giá trị \"Tân Dan\": không có đơn vị này; có phải \"Tân Dân\"?"),
        "{err}"
    );
    // --create-units still refuses a name that matches an existing unit
    // without accents: creating it would silently split one commune in two.
    let err = refused(
        &db,
        &["import", s(&f), "--period", "2024-09", "--create-units"],
    );
    assert!(err.contains("có phải \"Tân Dân\"?"), "{err}");
    assert!(
        !err.contains("Xã Mới Tinh"),
        "a new name is created with --create-units: {err}"
    );
}

#[test]
fn two_spellings_in_one_first_import_are_not_split() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    let err = refused(
        &db,
        &[
            "import",
            s(&p1()),
            s(&p2()),
            "--period",
            "2024-08",
            "--create-units",
        ],
    );
    assert!(
        err.contains("khoai-chau-2024-08-phu-luc-2.tsv, dòng 26"),
        "{err}"
    );
    assert!(
        err.contains("tệp nhập viết cả \"Đông Tiến\" và \"Đồng Tiến\": một đơn vị hay hai?"),
        "{err}"
    );
    assert_eq!(err.matches("vấn đề").count(), 1, "{err}");
}

#[test]
fn unreadable_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let nohead = write(dir.path(), "nohead.csv", b"a,b\n1,2\n");
    let err = refused(&db, &["import", s(&nohead), "--period", "2024-09"]);
    assert!(
        err.contains("nohead.csv: không tìm thấy dòng tiêu đề"),
        "{err}"
    );
    assert!(
        err.contains("Đơn vị, STT, Kết quả xử lý hồ sơ (%)"),
        "{err}"
    );

    let utf16 = write(
        dir.path(),
        "u16.txt",
        &"Đơn vị\tĐiểm\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect::<Vec<u8>>(),
    );
    let err = refused(&db, &["import", s(&utf16), "--period", "2024-09"]);
    assert!(
        err.contains("u16.txt: tệp có vẻ là UTF-16 nhưng không có dấu BOM"),
        "{err}"
    );
    assert!(err.contains("--encoding utf-16le"), "{err}");

    let zip = write(
        dir.path(),
        "broken.xlsx",
        b"PK\x03\x04 not really a workbook",
    );
    let err = refused(&db, &["import", s(&zip), "--period", "2024-09"]);
    assert!(
        err.contains("broken.xlsx: không đọc được bảng tính"),
        "{err}"
    );

    let json = write(
        dir.path(),
        "bad.json",
        b"{\"period\": \"2024-09\",\n \"units\": [ }",
    );
    let err = refused(&db, &["import", s(&json)]);
    assert!(err.contains("bad.json, dòng 2, cột "), "{err}");
    assert!(err.contains("JSON không hợp lệ"), "{err}");

    let json = write(dir.path(), "other.json", "{\"period\":\"2024-09\",\"parent\":{\"name\":\"Huyện Khác\",\"values\":{}},\"units\":[{\"name\":\"An Vỹ\",\"values\":{\"nope\":1,\"score\":\"80\"}}]}".as_bytes());
    let err = refused(&db, &["import", s(&json)]);
    assert!(
        err.contains("other.json, parent.name, cột \"name\", giá trị \"Huyện Khác\""),
        "{err}"
    );
    assert!(
        err.contains("other.json, units[0].values.nope: không có chỉ số mã \"nope\""),
        "{err}"
    );

    let missing = dir.path().join("missing.csv");
    let err = refused(&db, &["import", s(&missing), "--period", "2024-09"]);
    assert!(
        err.contains("không đọc được tệp") && err.contains("missing.csv"),
        "{err}"
    );
}

#[test]
fn databases_are_never_created_by_accident() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("chisso.db");
    let err = fails(&typo, &["units", "list"]);
    assert!(
        err.contains("không có cơ sở dữ liệu tại") && err.contains("chiso init --parent"),
        "{err}"
    );
    assert!(!typo.exists(), "a typo must not create a file");

    let db = new_db(dir.path());
    let before = snapshot(&db);
    let err = fails(&db, &["init", "--parent", "Huyện Khác"]);
    assert!(err.contains("đã có cơ sở dữ liệu"), "{err}");
    assert_eq!(snapshot(&db), before);

    let err = fails(&dir.path().join("x.db"), &["init", "--parent", "Xã Nhỏ"]);
    assert!(err.contains("đơn vị cấp trên phải là tỉnh"), "{err}");
    assert!(!dir.path().join("x.db").exists());

    let text = write(dir.path(), "notes.db", b"just some text, not sqlite");
    let err = fails(&text, &["units", "list"]);
    assert!(err.starts_with("lỗi:"), "{err}");

    let plain = dir.path().join("plain.db");
    rusqlite::Connection::open(&plain)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let err = fails(&plain, &["units", "list"]);
    assert!(err.contains("không phải cơ sở dữ liệu chiso"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    for args in [
        &["import"][..],
        &["export"],
        &["frobnicate"],
        &["export", "--period", "2024-08", "--format", "pdf"],
    ] {
        let r = run(&db, args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
    }
    // Bad option values are usage errors too, said in Vietnamese.
    let before = snapshot(&db);
    for (args, msg) in [
        (
            &["import", "x.tsv", "--period", "2024-13"][..],
            "kỳ không hợp lệ: \"2024-13\" (tháng chỉ từ 1 đến 12)",
        ),
        (
            &["import", "x.tsv", "--encoding", "klingon"],
            "không biết bảng mã \"klingon\"",
        ),
        (
            &["units", "add", "Xã Mới", "--kind", "lang"],
            "loại đơn vị \"lang\" không hợp lệ",
        ),
        (
            &["set", "--period", "8/24", "--unit", "x", "score=1"],
            "kỳ không hợp lệ",
        ),
    ] {
        let r = run(&db, args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(msg), "{args:?}: {}", r.stderr);
    }
    assert_eq!(snapshot(&db), before);
    let r = run(&db, &["export", "--period", "2024-08"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("không có số liệu tháng 8/2024"),
        "{}",
        r.stderr
    );
    let r = run(&db, &["export", "--period", "2024-08", "--format", "xlsx"]);
    assert_eq!(r.code, 1);
}

#[test]
fn lookalikes_never_become_new_units_or_the_parent() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    // On a fresh database a bare "Khoái Châu" is not silently the huyện.
    let f = write(
        dir.path(),
        "bare.csv",
        "Đơn vị,Kết quả xử lý hồ sơ (%)\nKhoái Châu,50\n".as_bytes(),
    );
    let err = refused(
        &db,
        &["import", s(&f), "--period", "2024-08", "--create-units"],
    );
    assert!(
        err.contains("giá trị \"Khoái Châu\": không có đơn vị này; có phải \"Huyện Khoái Châu\"?"),
        "{err}"
    );
    // "Huyện …" spelt out is the parent.
    let f = write(
        dir.path(),
        "huyen.csv",
        "Đơn vị,Kết quả xử lý hồ sơ (%)\nhuyện khoái châu,99.62\n".as_bytes(),
    );
    ok(&db, &["import", s(&f), "--period", "2024-08"]);

    let sub = dir.path().join("seeded");
    std::fs::create_dir(&sub).unwrap();
    let db = seeded_db(&sub);
    // A zero-width space copied from a web page is the same name.
    let f = write(
        dir.path(),
        "zw.csv",
        "Đơn vị,Điểm tổng hợp\nAn Vỹ\u{200B},80\n".as_bytes(),
    );
    let r = ok(
        &db,
        &["import", s(&f), "--period", "2024-09", "--create-units"],
    );
    assert!(!r.stdout.contains("đơn vị mới"), "{}", r.stdout);
    // A parent-level name cannot arrive as a new child unit.
    let f = write(
        dir.path(),
        "other.csv",
        "Đơn vị,Điểm tổng hợp\nHuyện Văn Giang,80\n".as_bytes(),
    );
    let err = refused(
        &db,
        &["import", s(&f), "--period", "2024-09", "--create-units"],
    );
    assert!(err.contains("không tạo được đơn vị cấp huyện"), "{err}");
}

#[test]
fn names_from_outside_are_escaped_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let f = write(
        dir.path(),
        "bad\u{1b}[31mname.csv",
        "Đơn vị,Điểm tổng hợp\u{7}\nAn Vỹ,800\n".as_bytes(),
    );
    let err = refused(&db, &["import", s(&f), "--period", "2024-09"]);
    assert!(err.contains("bad\\u{1b}[31mname.csv"), "{err}");
    assert!(!err.contains('\u{7}'), "{err:?}");
    let err = fails(
        &db,
        &[
            "export",
            "--period",
            "2024-08",
            "--out",
            s(&dir.path().join("x\u{1b}/y.csv")),
        ],
    );
    assert!(err.contains("\\u{1b}"), "{err}");
}

#[test]
fn export_never_overwrites_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let before = snapshot(&db);
    for target in [
        db.clone(),
        dir.path().join("t.db-wal"),
        dir.path().join(".").join("t.db"),
    ] {
        let err = fails(&db, &["export", "--period", "2024-08", "--out", s(&target)]);
        assert!(err.contains("là tệp cơ sở dữ liệu; không ghi đè"), "{err}");
    }
    assert_eq!(snapshot(&db), before);
    ok(&db, &["units", "list"]);
}

#[test]
fn odd_but_valid_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    // A ';' in a title does not make a comma file a ';' file; a signature
    // row without figures is skipped with a warning, not made a unit.
    let f = write(
        dir.path(),
        "title.csv",
        "Phụ lục 1; kèm theo công văn tháng 9/2024\nĐơn vị,Điểm tổng hợp\nAn Vỹ,\"80,5\"\nNgười lập biểu,\n".as_bytes(),
    );
    let r = ok(&db, &["import", s(&f), "--create-units"]);
    assert!(r.stdout.contains("tháng 9/2024"), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("bỏ qua 1 dòng không có số liệu: dòng 4 \"Người lập biểu\""),
        "{}",
        r.stderr
    );
    assert!(!r.stdout.contains("đơn vị mới"), "{}", r.stdout);
    assert_eq!(count_values(&db, "2024-09"), 1);
    // A header with no rows under it says so.
    let f = write(
        dir.path(),
        "empty.tsv",
        "Đơn vị\tĐiểm tổng hợp\n".as_bytes(),
    );
    let r = ok(&db, &["import", s(&f), "--period", "2024-09"]);
    assert!(
        r.stderr.contains("không có dòng số liệu nào"),
        "{}",
        r.stderr
    );
    // JSON whose values are not an object is refused, not half-read.
    let j = write(
        dir.path(),
        "v.json",
        b"{\"period\":\"2024-09\",\"units\":[{\"name\":\"An V\xe1\xbb\xb9\",\"values\":\"oops\"}]}",
    );
    let err = refused(&db, &["import", s(&j)]);
    assert!(
        err.contains("units[0].values: \"values\" phải là một đối tượng"),
        "{err}"
    );
    // A count too large to store exactly.
    let f = write(
        dir.path(),
        "big.tsv",
        "Đơn vị\tKết quả cấp bản sao điện tử\nAn Vỹ\t99999999999999999\n".as_bytes(),
    );
    let err = refused(&db, &["import", s(&f), "--period", "2024-09"]);
    assert!(err.contains("số quá lớn"), "{err}");
}
