//! The foundation's workflows end to end, on the real binary and real files.

mod common;

use common::*;
use serde_json::Value as Json;

/// Reads an annex TSV independently of chiso: (name, cells by header).
fn annex(path: &std::path::Path) -> Vec<(String, Vec<(String, String)>)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            let pairs = header[2..]
                .iter()
                .zip(&cells[2..])
                .map(|(h, c)| (h.to_string(), c.to_string()))
                .collect();
            (cells[1].to_string(), pairs)
        })
        .collect()
}

fn code_of(header: &str) -> &'static str {
    match header {
        "Kết quả xử lý hồ sơ (%)" => "processing",
        "Tỷ lệ mức độ hài lòng (%)" => "satisfaction",
        "Tỷ lệ hồ sơ thanh toán trực tuyến (%)" => "online_payment",
        "Điểm tổng hợp %" => "score",
        "Kết quả tỷ lệ số hoá %" => "digitization",
        "Kết quả cấp bản sao điện tử" => "e_copies",
        "Kết quả đánh giá" => "rating",
        other => panic!("unexpected header {other}"),
    }
}

#[test]
fn seed_annexes_import_with_a_spelling_stop_and_export_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    let (p1, p2) = (p1(), p2());
    let r = ok(
        &db,
        &["import", s(&p1), "--period", "2024-08", "--create-units"],
    );
    assert!(r.stdout.contains("25 đơn vị mới"), "{}", r.stdout);
    assert!(r.stdout.contains("75 mới"), "{}", r.stdout);

    // Phụ lục 2 spells "Đồng Tiến": a stop with a suggestion, nothing written.
    let before = snapshot(&db);
    let err = fails(&db, &["import", s(&p2), "--period", "2024-08"]);
    assert!(err.contains("dòng 26"), "{err}");
    assert!(err.contains("cột \"Đơn vị\""), "{err}");
    assert!(err.contains("giá trị \"Đồng Tiến\""), "{err}");
    assert!(err.contains("có phải \"Đông Tiến\"?"), "{err}");
    assert!(
        err.contains("units alias \"Đồng Tiến\" --to \"Đông Tiến\""),
        "{err}"
    );
    assert!(
        err.contains("units rename \"Đông Tiến\" --to \"Đồng Tiến\""),
        "{err}"
    );
    assert_eq!(
        err.matches("không có đơn vị").count(),
        1,
        "only Đồng Tiến is unknown: {err}"
    );
    assert_eq!(snapshot(&db), before, "a refused import must not write");

    // The suggested command, then both annexes go in.
    ok(&db, &["units", "rename", "Đông Tiến", "--to", "Đồng Tiến"]);
    let r = ok(&db, &["import", s(&p2), "--period", "2024-08"]);
    assert!(r.stdout.contains("100 mới"), "{}", r.stdout);
    // Phụ lục 1 again: its old spelling is now an alias, and nothing changes.
    let r = ok(&db, &["import", s(&p1), "--period", "2024-08"]);
    assert!(r.stdout.contains("Không có gì thay đổi"), "{}", r.stdout);

    ok(
        &db,
        &[
            "set",
            "--period",
            "2024-08",
            "--unit",
            PARENT,
            "processing=99.62",
            "satisfaction=100",
            "online_payment=73,54",
            "score=86.02",
            "digitization=61.2%",
        ],
    );

    let out = ok(&db, &["export", "--period", "2024-08", "--format", "json"]).stdout;
    let doc: Json = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["period"], "2024-08");
    assert_eq!(doc["parent"]["name"], PARENT);
    let pv = &doc["parent"]["values"];
    assert_eq!(pv["processing"], 99.62);
    assert_eq!(pv["satisfaction"], 100.0);
    assert_eq!(pv["online_payment"], 73.54);
    assert_eq!(pv["score"], 86.02);
    assert_eq!(pv["digitization"], 61.2);
    assert_eq!(pv.as_object().unwrap().len(), 5);

    let units = doc["units"].as_array().unwrap();
    assert_eq!(units.len(), 25);
    let names: Vec<&str> = units.iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(
        &names[..9],
        [
            "An Vỹ",
            "Bình Kiều",
            "Bình Minh",
            "Chí Tân",
            "Dạ Trạch",
            "Dân Tiến",
            "Đại Hưng",
            "Đại Tập",
            "Đông Kết"
        ],
        "Vietnamese alphabetical order"
    );
    let mut checked = 0;
    for file in [&p1, &p2] {
        for (name, cells) in annex(file) {
            let name = if name == "Đông Tiến" {
                "Đồng Tiến".to_string()
            } else {
                name
            };
            let unit = units
                .iter()
                .find(|u| u["name"] == name.as_str())
                .unwrap_or_else(|| panic!("{name}"));
            for (header, cell) in cells {
                let code = code_of(&header);
                let got = &unit["values"][code];
                match code {
                    "rating" => assert_eq!(got, cell.as_str(), "{name} {code}"),
                    "e_copies" => {
                        assert!(got.is_i64(), "e_copies is an integer");
                        assert_eq!(
                            got.as_i64().unwrap(),
                            cell.parse::<i64>().unwrap(),
                            "{name}"
                        )
                    }
                    _ => assert_eq!(
                        got.as_f64().unwrap(),
                        cell.parse::<f64>().unwrap(),
                        "{name} {code}"
                    ),
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 25 * 7);
    assert_eq!(units[0]["kind"], "xa");
    let tt = units
        .iter()
        .find(|u| u["name"] == "Thị trấn Khoái Châu")
        .unwrap();
    assert_eq!(tt["kind"], "thi_tran");
}

#[test]
fn export_import_export_is_identical_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo.db");
    let r = ok(&demo, &["demo"]);
    assert!(r.stdout.contains("Đồng Tiến"), "{}", r.stdout);
    for (format, ext, needs_period) in [
        ("csv", "csv", true),
        ("tsv", "tsv", true),
        ("json", "json", false),
        ("xlsx", "xlsx", false),
    ] {
        let first = dir.path().join(format!("first.{ext}"));
        let second = dir.path().join(format!("second.{ext}"));
        ok(
            &demo,
            &[
                "export",
                "--period",
                "2024-08",
                "--format",
                format,
                "--out",
                s(&first),
            ],
        );
        let fresh = dir.path().join(format!("fresh-{format}.db"));
        ok(&fresh, &["init", "--parent", PARENT]);
        let mut args = vec!["import", s(&first), "--create-units"];
        if needs_period {
            args.extend(["--period", "2024-08"]);
        }
        let r = ok(&fresh, &args);
        assert!(
            r.stdout.contains("180 mới"),
            "{format}: 25×7 + 5 parent values: {}",
            r.stdout
        );
        ok(
            &fresh,
            &[
                "export",
                "--period",
                "2024-08",
                "--format",
                format,
                "--out",
                s(&second),
            ],
        );
        assert_eq!(
            std::fs::read(&first).unwrap(),
            std::fs::read(&second).unwrap(),
            "{format} round trip differs"
        );
    }
    // And the values themselves survived, not just the bytes of one format.
    let a = ok(
        &demo,
        &["export", "--period", "2024-08", "--format", "json"],
    )
    .stdout;
    let b = ok(
        &dir.path().join("fresh-xlsx.db"),
        &["export", "--period", "2024-08", "--format", "json"],
    )
    .stdout;
    assert_eq!(a, b);
}

#[test]
fn reimport_changes_nothing_and_replace_is_explicit() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let before = snapshot(&db);
    let r = ok(&db, &["import", s(&p1()), s(&p2()), "--period", "2024-08"]);
    assert!(r.stdout.contains("Không có gì thay đổi"), "{}", r.stdout);
    assert_eq!(snapshot(&db), before);

    // Two figures differ from what is stored: refused, listed, nothing written.
    let text = std::fs::read_to_string(p1()).unwrap();
    let changed = text
        .replace("Bình Kiều\t37.9", "Bình Kiều\t41.2")
        .replace("Việt Hoà\t98.1", "Việt Hoà\t98.6");
    let f = write(dir.path(), "p1-corrected.tsv", changed.as_bytes());
    let err = fails(&db, &["import", s(&f), "--period", "2024-08"]);
    assert!(err.contains("2 giá trị khác với số liệu đã lưu"), "{err}");
    assert!(
        err.contains("Bình Kiều · Kết quả xử lý hồ sơ (%): đã lưu 37,9 → trong tệp 41,2"),
        "{err}"
    );
    assert!(
        err.contains("Việt Hoà · Kết quả xử lý hồ sơ (%): đã lưu 98,1 → trong tệp 98,6"),
        "{err}"
    );
    assert!(err.contains("--replace"), "{err}");
    assert_eq!(snapshot(&db), before);

    // --dry-run shows the same and writes nothing.
    let r = ok(
        &db,
        &[
            "import",
            s(&f),
            "--period",
            "2024-08",
            "--replace",
            "--dry-run",
        ],
    );
    assert!(
        r.stdout
            .contains("Bình Kiều · Kết quả xử lý hồ sơ (%): 37,9 → 41,2"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("chưa ghi gì"), "{}", r.stdout);
    assert_eq!(snapshot(&db), before);

    // --replace writes both, and the change log keeps old and new.
    let r = ok(&db, &["import", s(&f), "--period", "2024-08", "--replace"]);
    assert!(r.stdout.contains("2 thay đổi"), "{}", r.stdout);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let history = |sql: &str| -> Vec<(Option<f64>, f64, String, String)> {
        let mut st = conn.prepare(sql).unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let log = history(
        "SELECT old_value, new_value, os_user, file_name FROM value_history
         WHERE unit = 'Bình Kiều' AND metric = 'processing' ORDER BY id",
    );
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(
        (log[0].0, log[0].1, log[0].2.as_str()),
        (None, 37.9, "tester"),
        "first import: absent → 37.9"
    );
    assert!(log[0].3.ends_with("khoai-chau-2024-08-phu-luc-1.tsv"));
    assert_eq!(
        (log[1].0, log[1].1, log[1].2.as_str()),
        (Some(37.9), 41.2, "tester")
    );
    assert!(log[1].3.ends_with("p1-corrected.tsv"));
    // Every stored value has its entry in the log.
    let logged: i64 = conn
        .query_row(
            "SELECT count(*) FROM value_history WHERE period = '2024-08'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(logged, 25 * 7 + 2);
    let sha: String = conn
        .query_row(
            "SELECT sha256 FROM imports ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(sha.len(), 64);
}

#[test]
fn set_validates_logs_and_clears() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let r = ok(
        &db,
        &[
            "set",
            "--period",
            "2024-08",
            "--unit",
            "việt hòa",
            "online_payment=31,5",
        ],
    );
    assert!(
        r.stdout
            .contains("Tỷ lệ hồ sơ thanh toán trực tuyến (%): 30 → 31,5"),
        "{}",
        r.stdout
    );
    let before = snapshot(&db);
    for (arg, msg) in [
        ("processing=101", "ngoài khoảng"),
        ("rating=Rất tốt", "Xuất sắc, Tốt, Khá, Trung bình, Yếu"),
        ("e_copies=1.5", "số nguyên"),
        ("nope=1", "không có chỉ số \"nope\""),
        ("processing", "METRIC=VALUE"),
    ] {
        let err = fails(
            &db,
            &[
                "set",
                "--period",
                "2024-08",
                "--unit",
                "Việt Hoà",
                "score=80",
                arg,
            ],
        );
        assert!(err.contains(msg), "{arg}: {err}");
        assert_eq!(snapshot(&db), before, "{arg}");
    }
    let err = fails(
        &db,
        &[
            "set",
            "--period",
            "2024-08",
            "--unit",
            "Việt Hòa Xưa",
            "score=80",
        ],
    );
    assert!(err.contains("không có đơn vị"), "{err}");
    // Accents are not ignored when naming a unit: a suggestion, never a guess.
    let err = fails(
        &db,
        &[
            "set", "--period", "2024-08", "--unit", "viet hoa", "score=80",
        ],
    );
    assert!(err.contains("có phải \"Việt Hoà\"?"), "{err}");
    assert_eq!(snapshot(&db), before);
    let r = ok(
        &db,
        &[
            "set",
            "--period",
            "2024-08",
            "--unit",
            "Việt Hòa",
            "rating=-",
        ],
    );
    assert!(
        r.stdout.contains("Kết quả đánh giá: Tốt → (trống)"),
        "{}",
        r.stdout
    );
    let json = ok(&db, &["export", "--period", "2024-08", "--format", "json"]).stdout;
    let doc: Json = serde_json::from_str(&json).unwrap();
    let vh = doc["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "Việt Hoà")
        .unwrap();
    assert!(
        vh["values"].get("rating").is_none(),
        "absent, never 0 or empty"
    );
    assert_eq!(vh["values"]["online_payment"], 31.5);
}

#[test]
fn units_list_add_alias_rename() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let r = ok(&db, &["units", "list"]);
    assert!(
        r.stdout.lines().nth(1).unwrap().contains(PARENT),
        "parent first: {}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Đông Tiến") && r.stdout.contains("25 đơn vị trực thuộc"),
        "{}",
        r.stdout
    );
    ok(&db, &["units", "add", "Phường Mới", "--kind", "phuong"]);
    let err = fails(&db, &["units", "add", "phường  mới"]);
    assert!(err.contains("đã có đơn vị \"Phường Mới\""), "{err}");
    ok(
        &db,
        &["units", "rename", "Phường Mới", "--to", "Phường Hoà Bình"],
    );
    let json = ok(&db, &["units", "list", "--format", "json"]).stdout;
    let list: Json = serde_json::from_str(&json).unwrap();
    let u = list
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "Phường Hoà Bình")
        .unwrap();
    assert_eq!(u["kind"], "phuong");
    assert_eq!(u["aliases"][0], "Phường Mới");
    // The old name and another tone placement still find it.
    ok(
        &db,
        &[
            "set",
            "--period",
            "2024-08",
            "--unit",
            "Phường Mới",
            "score=70",
        ],
    );
    ok(
        &db,
        &[
            "set",
            "--period",
            "2024-08",
            "--unit",
            "phường  hòa bình",
            "score=71",
        ],
    );
    let r = ok(
        &db,
        &["units", "alias", "Phường Mới", "--to", "Phường Hòa Bình"],
    );
    assert!(r.stdout.contains("không có gì thay đổi"), "{}", r.stdout);
    let err = fails(&db, &["units", "alias", "An Vỹ", "--to", "Bình Kiều"]);
    assert!(err.contains("đã có đơn vị \"An Vỹ\""), "{err}");
}

#[test]
fn files_as_operators_have_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let before_period = count_values(&db, "2024-07");
    assert_eq!(before_period, 0);

    // Excel under a Vietnamese locale: ';' and decimal commas, CRLF, a title
    // row stating the month, NFD names, the other tone placement, "Xã" prefix,
    // grouped thousands, an unknown column (warned), STT ignored.
    let nfd = "Vi\u{ea}\u{323}t Ho\u{300}a";
    let csv = format!(
        "KẾT QUẢ THÁNG 7/2024;;;\r\nSTT;Tên đơn vị;ket qua xu ly ho so;Kết quả cấp bản sao điện tử;Ghi chú\r\n1;{nfd};97,5;3.090;x\r\n2;Xã An Vỹ;100;2 636;\r\n3;Đông Tiến;-;;\r\n"
    );
    let f = write(dir.path(), "excel.csv", csv.as_bytes());
    let r = ok(&db, &["import", s(&f)]);
    assert!(r.stdout.contains("tháng 7/2024"), "{}", r.stdout);
    assert!(
        r.stderr.contains("\"Ghi chú\""),
        "unknown column warned: {}",
        r.stderr
    );
    assert_eq!(
        count_values(&db, "2024-07"),
        4,
        "'-' and empty mean no value"
    );
    let json = ok(&db, &["export", "--period", "2024-07", "--format", "json"]).stdout;
    let doc: Json = serde_json::from_str(&json).unwrap();
    let vh = doc["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "Việt Hoà")
        .unwrap();
    assert_eq!(vh["values"]["processing"], 97.5);
    assert_eq!(vh["values"]["e_copies"], 3090);

    // "Unicode text" from Excel: UTF-16 LE with BOM and tabs.
    let tsv = "Đơn vị\tĐiểm tổng hợp\nAn Vỹ\t88.5\n";
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(tsv.encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    let f = write(dir.path(), "unicode.txt", &utf16);
    ok(&db, &["import", s(&f), "--period", "2024-07"]);
    assert_eq!(count_values(&db, "2024-07"), 5);

    // An old Windows-1258 file: refused without --encoding, clean with it.
    let f = write(
        dir.path(),
        "old.csv",
        b"\xd0\xf4n vi,Diem tong hop\r\nChi\xcc Ta\xe2n,77,5\r\n",
    );
    let before = snapshot(&db);
    let err = fails(&db, &["import", s(&f), "--period", "2024-07"]);
    assert!(err.contains("old.csv, dòng 1, byte 1"), "{err}");
    assert!(err.contains("--encoding windows-1258"), "{err}");
    assert_eq!(snapshot(&db), before);
    let f = write(
        dir.path(),
        "old.csv",
        b"\xd0\xf4n vi;Diem tong hop\r\nChi\xec T\xe2n;77,5\r\n",
    );
    ok(
        &db,
        &[
            "import",
            s(&f),
            "--period",
            "2024-07",
            "--encoding",
            "windows-1258",
        ],
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM metric_values v JOIN units u ON u.id = v.unit_id WHERE u.name = 'Chí Tân' AND v.period = '2024-07'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1, "decoded, NFC, matched");
}

#[test]
fn xlsx_with_title_rows_and_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let mut book = rust_xlsxwriter::Workbook::new();
    let other = book.add_worksheet();
    other.set_name("Ghi chú").unwrap();
    other.write_string(0, 0, "không phải số liệu").unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("Phụ lục 2").unwrap();
    sheet.write_string(0, 1, "Phụ lục 2").unwrap();
    sheet
        .write_string(1, 1, "Các chỉ tiêu … tháng 6/2024")
        .unwrap();
    for (c, h) in [
        "STT",
        "Đơn vị",
        "Điểm tổng hợp %",
        "Kết quả tỷ lệ số hoá %",
        "Kết quả cấp bản sao điện tử",
        "Kết quả đánh giá",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(3, c as u16 + 1, *h).unwrap();
    }
    sheet.write_number(4, 1, 1.0).unwrap();
    sheet.write_string(4, 2, "An Vỹ").unwrap();
    sheet.write_number(4, 3, 89.01).unwrap();
    sheet.write_number(4, 4, 81.5).unwrap();
    sheet.write_number(4, 5, 2636.0).unwrap();
    sheet.write_string(4, 6, "Tốt").unwrap();
    sheet.write_number(5, 1, 2.0).unwrap();
    sheet.write_string(5, 2, "Bình Kiều").unwrap();
    sheet.write_number(5, 3, 101.0).unwrap();
    sheet.write_string(5, 6, "tốt lắm").unwrap();
    let f = dir.path().join("book.xlsx");
    book.save(&f).unwrap();

    let before = snapshot(&db);
    let err = fails(&db, &["import", s(&f)]);
    assert!(
        err.contains("không tìm thấy dòng tiêu đề"),
        "first sheet has no table: {err}"
    );
    assert!(
        err.contains("các trang trong tệp: Ghi chú, Phụ lục 2; chọn trang bằng --sheet"),
        "{err}"
    );
    let err = fails(&db, &["import", s(&f), "--sheet", "Phu luc 2"]);
    assert!(err.contains("book.xlsx, ô D6 (trang Phụ lục 2), cột \"Điểm tổng hợp %\", giá trị \"101\": ngoài khoảng"), "{err}");
    assert!(
        err.contains("ô G6 (trang Phụ lục 2), cột \"Kết quả đánh giá\", giá trị \"tốt lắm\""),
        "{err}"
    );
    let err2 = fails(&db, &["import", s(&f), "--sheet", "Trang 9"]);
    assert!(
        err2.contains("không có trang \"Trang 9\"") && err2.contains("Ghi chú, Phụ lục 2"),
        "{err2}"
    );
    assert_eq!(snapshot(&db), before);

    // Once the bad cells are fixed the sheet imports, its month read from
    // the title row, numbers taken as numbers.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .write_string(0, 0, "Các chỉ tiêu … tháng 6/2024")
        .unwrap();
    for (c, h) in [
        "STT",
        "Đơn vị",
        "Điểm tổng hợp %",
        "Kết quả cấp bản sao điện tử",
        "Kết quả đánh giá",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    sheet.write_number(3, 0, 1.0).unwrap();
    sheet.write_string(3, 1, "Bình Kiều").unwrap();
    sheet.write_number(3, 2, 74.91).unwrap();
    sheet.write_number(3, 3, 690.0).unwrap();
    sheet.write_string(3, 4, "Khá").unwrap();
    let good = dir.path().join("good.xlsx");
    book.save(&good).unwrap();
    // The same sheet with the score column as Excel percent cells.
    let mut pct = rust_xlsxwriter::Workbook::new();
    let sh = pct.add_worksheet();
    sh.write_string(0, 0, "Đơn vị").unwrap();
    sh.write_string(0, 1, "Kết quả xử lý hồ sơ (%)").unwrap();
    sh.write_string(1, 0, "Bình Kiều").unwrap();
    sh.write_number(1, 1, 0.379).unwrap();
    sh.write_string(2, 0, "An Vỹ").unwrap();
    sh.write_number(2, 1, 1.0).unwrap();
    let pct_file = dir.path().join("pct.xlsx");
    pct.save(&pct_file).unwrap();
    let err = fails(&db, &["import", s(&pct_file), "--period", "2024-06"]);
    assert!(
        err.contains(
            "ô B1 (trang Sheet1), cột \"Kết quả xử lý hồ sơ (%)\": mọi số trong cột đều từ 0 đến 1"
        ),
        "{err}"
    );
    assert_eq!(snapshot(&db), before);

    let r = ok(&db, &["import", s(&good)]);
    assert!(
        r.stdout.contains("tháng 6/2024 (2024-06)") && r.stdout.contains("3 mới"),
        "{}",
        r.stdout
    );
    let json = ok(&db, &["export", "--period", "2024-06", "--format", "json"]).stdout;
    let doc: Json = serde_json::from_str(&json).unwrap();
    let bk = &doc["units"][0];
    assert_eq!(bk["name"], "Bình Kiều");
    assert_eq!(
        bk["values"],
        serde_json::json!({"score": 74.91, "e_copies": 690, "rating": "Khá"})
    );
}

#[test]
fn demo_prints_the_seed_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let r = ok(&db, &["demo"]);
    assert!(r.stdout.contains("2024-07, 2024-08"), "{}", r.stdout);
    assert!(r.stdout.contains("GIẢ LẬP"), "{}", r.stdout);
    assert!(r.stdout.contains("Bình Kiều"), "{}", r.stdout);
    let err = fails(&db, &["demo"]);
    assert!(err.contains("không ghi đè"), "{err}");
    let out = ok(&db, &["export", "--period", "2024-08"]).stdout;
    assert!(out.starts_with("STT,Đơn vị,"), "{out}");
    assert!(
        out.contains(",Huyện Khoái Châu,99.62,100,73.54,86.02,61.2,,\r\n"),
        "{out}"
    );
    assert!(
        out.contains("25,Việt Hoà,98.1,100,30,85.75,67.7,157,Tốt\r\n"),
        "{out}"
    );
}

#[test]
fn a_second_writer_waits_instead_of_failing() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    // Another operator holds the write lock for a moment.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE; INSERT INTO periods VALUES (202410, '2024-10');")
        .unwrap();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("chiso"));
    cmd.arg("--db")
        .arg(&db)
        .args(["set", "--period", "2024-08", "--unit", "An Vỹ", "score=90"]);
    let handle = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    conn.execute_batch("COMMIT").unwrap();
    let out = handle.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Điểm tổng hợp: 89,01 → 90"));
}

#[test]
fn log_shows_who_changed_what_from_where() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::seeded_db(dir.path());
    common::chiso(&db)
        .args([
            "set",
            "--period",
            "2024-08",
            "--unit",
            "Bình Kiều",
            "processing=40",
        ])
        .env("SSH_CONNECTION", "10.1.2.3 5555 10.0.0.1 22")
        .assert()
        .success();
    ok(
        &db,
        &[
            "set",
            "--period",
            "2024-08",
            "--unit",
            "Bình Kiều",
            "processing=41",
        ],
    );

    let table = ok(&db, &["log", "--unit", "Bình Kiều"]).stdout;
    let lines: Vec<&str> = table.lines().collect();
    // Local time, its offset in the heading (issue 15, item 12).
    assert!(lines[0].starts_with("Thời gian (+"), "{table}");
    // The unit's creation, its imported values, then the two sets.
    assert!(lines[1].contains("(thêm đơn vị)"), "{table}");
    let last = lines[lines.len() - 2..].join("\n");
    assert!(
        last.contains("tester@10.1.2.3") && last.contains("37,9") && last.contains("40"),
        "{table}"
    );
    assert!(
        lines.last().unwrap().contains("tester ") && lines.last().unwrap().ends_with("41"),
        "{table}"
    );
    assert!(
        table.contains("khoai-chau-2024-08-phu-luc-1.tsv"),
        "{table}"
    );

    let json: serde_json::Value = serde_json::from_str(
        &ok(
            &db,
            &[
                "log",
                "--period",
                "2024-08",
                "--unit",
                "Bình Kiều",
                "--format",
                "json",
            ],
        )
        .stdout,
    )
    .unwrap();
    let list = json.as_array().unwrap();
    let last = list.last().unwrap();
    assert_eq!(last["metric"], "processing");
    assert_eq!(last["old"], 40.0);
    assert_eq!(last["new"], 41.0);
    assert_eq!(last["source"], "set");
    assert_eq!(last["user"], "tester");
    let first = &list[0];
    assert_eq!(first["source"], "import");
    assert_eq!(first["sha256"].as_str().unwrap().len(), 64);
    assert!(list.iter().all(|e| e["period"] == "2024-08"));
    // An unknown unit is an error that names it.
    let err = common::fails(&db, &["log", "--unit", "Nowhere"]);
    assert!(err.contains("Nowhere"), "{err}");
    assert!(
        ok(&db, &["log", "--period", "2023-01"])
            .stdout
            .contains("Chưa có thay đổi")
    );
}

/// A progress line is for a person at a terminal: a script reading stderr
/// never gets one, however long the work.
#[test]
fn no_progress_line_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    let out = chiso(&db)
        .env("CHISO_PROGRESS_AFTER_MS", "0")
        .args(["import", s(&p1()), "--period", "2024-08", "--create-units"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains("đang đọc") && !err.contains('\r'), "{err:?}");
}
