//! Issue 15, the command line's words and import messages: names where
//! codes were (rules, metrics, sources, kinds, severities), clap's framing
//! in Vietnamese, times in local time, and import refusals that say what
//! is wrong and only what helps.

mod common;

use clap::CommandFactory;
use common::*;
use serde_json::Value as Json;

const RULE_CODES: [&str; 8] = [
    "processing_late",
    "digitization_low",
    "digitization_weak",
    "digitization_drop",
    "online_payment_below_parent",
    "satisfaction_low",
    "rating_below_good",
    "missing_data",
];

const METRIC_CODES: [&str; 7] = [
    "processing",
    "satisfaction",
    "online_payment",
    "score",
    "digitization",
    "e_copies",
    "rating",
];

/// Does `code` stand in `text` as a word of its own (not inside a longer
/// code, a path or a word)?
fn has_code(text: &str, code: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.';
    text.match_indices(code).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + code.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

fn no_codes(what: &str, text: &str, codes: &[&str]) {
    for code in codes {
        assert!(
            !has_code(text, code),
            "{what} shows the code {code}:\n{text}"
        );
    }
}

/// The seed's August (no July) with the district's figures.
fn august(dir: &std::path::Path) -> std::path::PathBuf {
    let db = seeded_db(dir);
    set_parent_figures(&db);
    db
}

#[test]
fn findings_name_rules_and_severities_in_words_json_keeps_codes() {
    let dir = tempfile::tempdir().unwrap();
    let db = august(dir.path());
    let table = ok(&db, &["findings", "--period", "2024-08"]).stdout;
    no_codes("findings", &table, &RULE_CODES);
    no_codes("findings", &table, &METRIC_CODES);
    assert!(
        table.contains(
            "[!!] nghiêm trọng\n5/25 xã, thị trấn có kết quả xử lý hồ sơ chưa đạt 100%: Bình Kiều 37,9%"
        ),
        "{table}"
    );
    // A rule left out for want of July, by its name.
    assert!(
        table.contains(
            "[?] chưa đánh giá được · Tỷ lệ số hoá giảm so với kỳ trước: không có số liệu tháng 7/2024"
        ),
        "{table}"
    );

    // The CSV is a person's: headings and names in words.
    let csv = ok(&db, &["findings", "--period", "2024-08", "--format", "csv"]).stdout;
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "Đơn vị,Quy tắc,Chỉ số,Mức độ,Giá trị,Tháng trước,Mức so sánh,Số tháng liên tiếp,Nâng mức,Chỉ đạo"
        )
    );
    no_codes("findings csv", &csv, &RULE_CODES);
    no_codes("findings csv", &csv, &METRIC_CODES);
    no_codes(
        "findings csv",
        &csv,
        &["critical", "warning", "true", "false"],
    );
    assert!(
        csv.contains("\r\nBình Kiều,Kết quả xử lý hồ sơ chưa đạt 100%,Kết quả xử lý hồ sơ (%),nghiêm trọng,37.9,,100.0,1,không,"),
        "{csv}"
    );

    // The JSON is a machine's: codes.
    let json: Json = serde_json::from_str(
        &ok(
            &db,
            &["findings", "--period", "2024-08", "--format", "json"],
        )
        .stdout,
    )
    .unwrap();
    let first = &json["findings"][0];
    assert_eq!(first["rule"], "processing_late");
    assert_eq!(first["metric"], "processing");
    assert_eq!(first["severity"], "critical");
}

#[test]
fn rules_list_says_kinds_metrics_and_severities_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    let list = ok(&db, &["rules", "list"]).stdout;
    no_codes("rules list", &list, &METRIC_CODES);
    no_codes(
        "rules list",
        &list,
        &[
            "critical",
            "warning",
            "below",
            "band",
            "drop",
            "below_parent",
            "label_worse",
            "missing",
            "all",
        ],
    );
    // The code stays: it is what `rules set` takes.
    assert!(
        list.contains(
            "\nprocessing_late\n  Kết quả xử lý hồ sơ chưa đạt 100%\n  dưới ngưỡng · Kết quả xử lý hồ sơ (%) · ngưỡng 100\n  nghiêm trọng, đang bật, áp dụng cho mọi nhóm đơn vị"
        ),
        "{list}"
    );
    assert!(
        list.contains("rating_below_good\n  Kết quả đánh giá dưới mức \"Tốt\"\n"),
        "{list}"
    );
    assert!(list.lines().all(|l| l.chars().count() <= 80), "{list}");
    // A severity may be given in words too; the answer says it in words.
    let r = ok(
        &db,
        &[
            "rules",
            "set",
            "satisfaction_low",
            "--severity",
            "nghiêm trọng",
        ],
    );
    assert!(r.stdout.contains("mức độ nghiêm trọng"), "{}", r.stdout);
    let json: Json =
        serde_json::from_str(&ok(&db, &["rules", "list", "--format", "json"]).stdout).unwrap();
    let sat = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "satisfaction_low")
        .unwrap();
    assert_eq!(sat["severity"], "critical");
    assert_eq!(sat["kind"], "below");
}

#[test]
fn log_names_sources_and_metrics_in_words_json_keeps_codes() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    ok(
        &db,
        &[
            "set",
            "--period",
            "2024-08",
            "--unit",
            "Bình Kiều",
            "processing=40",
        ],
    );
    let table = ok(&db, &["log", "--unit", "Bình Kiều"]).stdout;
    no_codes("log", &table, &METRIC_CODES);
    no_codes("log", &table, &["import", "set", "init", "edit", "units"]);
    assert!(
        table.contains("nhập tệp ") && table.contains("khoai-chau-2024-08-phu-luc-1.tsv"),
        "{table}"
    );
    let last = table.lines().last().unwrap();
    assert!(
        last.contains("nhập bằng lệnh") && last.contains("Kết quả xử lý hồ sơ (%)"),
        "{table}"
    );
    let json: Json =
        serde_json::from_str(&ok(&db, &["log", "--unit", "Bình Kiều", "--format", "json"]).stdout)
            .unwrap();
    let last = json.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["source"], "set");
    assert_eq!(last["metric"], "processing");
}

#[test]
fn import_and_set_messages_name_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let changed = std::fs::read_to_string(p1())
        .unwrap()
        .replace("Bình Kiều\t37.9", "Bình Kiều\t41.2");
    let f = write(dir.path(), "p1.tsv", changed.as_bytes());
    let err = fails(&db, &["import", s(&f), "--period", "2024-08"]);
    assert!(
        err.contains("Bình Kiều · Kết quả xử lý hồ sơ (%): đã lưu 37,9 → trong tệp 41,2"),
        "{err}"
    );
    no_codes("conflict", &err, &METRIC_CODES);
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
    // The errors file is a person's too.
    let errors = dir.path().join("errors.csv");
    fails(
        &db,
        &[
            "import",
            s(&f),
            "--period",
            "2024-08",
            "--errors",
            s(&errors),
        ],
    );
    let written = std::fs::read_to_string(&errors).unwrap();
    no_codes("errors csv", &written, &METRIC_CODES);
    assert!(written.contains(",Kết quả xử lý hồ sơ (%),"), "{written}");
    // `set` takes codes and answers with names.
    let r = ok(
        &db,
        &["set", "--period", "2024-08", "--unit", "An Vỹ", "score=90"],
    );
    assert!(r.stdout.contains("  Điểm tổng hợp: "), "{}", r.stdout);
    no_codes("set", &r.stdout, &METRIC_CODES);
    let list = ok(&db, &["units", "list"]).stdout;
    assert!(list.contains("Thị trấn Khoái Châu  Thị trấn"), "{list}");
    no_codes("units list", &list, &["xa", "thi_tran", "huyen"]);
}

/// What clap writes in English around our texts.
const ENGLISH: [&str; 17] = [
    "Usage",
    "Commands:",
    "Options:",
    "Arguments:",
    "Print help",
    "Print version",
    "Print this message",
    "[default:",
    "[possible values:",
    "[OPTIONS]",
    "<COMMAND>",
    "error:",
    "For more information",
    "tip:",
    "subcommand",
    "unexpected argument",
    "required",
];

fn no_english(what: &str, text: &str) {
    for w in ENGLISH {
        assert!(!text.contains(w), "{what}: {w:?} in\n{text}");
    }
}

/// Every command's path: ["import"], ["units", "add"], …
fn command_paths(cmd: &clap::Command, above: &[String], out: &mut Vec<Vec<String>>) {
    for sub in cmd.get_subcommands() {
        let mut path = above.to_vec();
        path.push(sub.get_name().to_owned());
        out.push(path.clone());
        command_paths(sub, &path, out);
    }
}

#[test]
fn every_help_screen_is_in_vietnamese() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.db");
    let mut paths = vec![Vec::new()];
    command_paths(&chiso::cli::Cli::command(), &[], &mut paths);
    assert!(paths.len() > 20, "{paths:?}");
    for path in &paths {
        let words: Vec<&str> = path.iter().map(String::as_str).collect();
        for flag in ["--help", "-h"] {
            let mut args = words.clone();
            args.push(flag);
            let r = run(&db, &args);
            assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
            assert!(
                r.stdout.contains("Cách dùng: chiso"),
                "{args:?}: {}",
                r.stdout
            );
            assert!(
                r.stdout.contains("In hướng dẫn này"),
                "{args:?}: {}",
                r.stdout
            );
            no_english(&format!("{args:?}"), &r.stdout);
        }
        // `chiso help X` is `chiso X --help`.
        let mut args = vec!["help"];
        args.extend(&words);
        let r = run(&db, &args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        no_english(&format!("{args:?}"), &r.stdout);
    }
    let r = run(&db, &["--version"]);
    assert_eq!((r.code, r.stdout.starts_with("chiso ")), (0, true));
    // A choice's default and values in words.
    let r = run(&db, &["findings", "--help"]);
    let flat = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("(mặc định: table; một trong: table, json, csv)"),
        "{}",
        r.stdout
    );
}

#[test]
fn usage_errors_are_in_vietnamese() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    for (args, said) in [
        (
            &["import", "x.tsv", "--period", "24-07"][..],
            "lỗi: --period <KỲ>: kỳ không hợp lệ: \"24-07\"",
        ),
        (&["frobnicate"], "lỗi: không có lệnh \"frobnicate\""),
        (&["improt", "x.tsv"], "gợi ý: có lệnh gần giống: \"import\""),
        (&["export"], "lỗi: thiếu tham số bắt buộc: --period <KỲ>"),
        (
            &["findings", "--period", "2024-08", "--format", "pdf"],
            "lỗi: giá trị \"pdf\" không hợp lệ cho --format <FORMAT>; dùng một trong: table, json, csv",
        ),
        (
            &["units", "add", "Xã Mới", "--kidn", "xa"],
            "lỗi: không có tuỳ chọn \"--kidn\" ở đây",
        ),
        (
            &["rules", "set", "x", "--enabled", "maybe"],
            "lỗi: --enabled <ENABLED> \"maybe\": dùng true hoặc false",
        ),
        (
            &[
                "export",
                "--period",
                "2024-08",
                "--annexes",
                "--group",
                "xa",
            ],
            "không dùng chung được với",
        ),
        (
            &["findings", "--period", "2024-08", "--period", "2024-09"],
            "--period <KỲ> chỉ được ghi một lần",
        ),
    ] {
        let r = run(&db, args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(said), "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("Xem thêm: chiso"),
            "{args:?}: {}",
            r.stderr
        );
        no_english(&format!("{args:?}"), &r.stderr);
    }
    // The help of the command that went wrong.
    let r = run(&db, &["units", "add", "X", "--kind", "lang"]);
    assert!(
        r.stderr.contains("Cách dùng: chiso units add")
            && r.stderr.contains("Xem thêm: chiso units add --help"),
        "{}",
        r.stderr
    );
    // A command that needs a subcommand shows its help, on stderr, exit 2.
    let r = run(&db, &["units"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("Lệnh:\n  list"), "{}", r.stderr);
    no_english("units", &r.stderr);
}

/// `chiso log` as run under a machine zone `tz`.
fn log_in(db: &std::path::Path, tz: &str) -> String {
    let out = chiso(db)
        .env("TZ", tz)
        .args(["log", "--unit", "An Vỹ"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_log_shows_local_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    let f = write(
        dir.path(),
        "a.csv",
        "Đơn vị,Điểm tổng hợp\nAn Vỹ,80\n".as_bytes(),
    );
    ok(
        &db,
        &["import", s(&f), "--period", "2024-08", "--create-units"],
    );
    let json: Json =
        serde_json::from_str(&ok(&db, &["log", "--unit", "An Vỹ", "--format", "json"]).stdout)
            .unwrap();
    // Stored and given to machines in UTC.
    let at = json[0]["at"].as_str().unwrap().to_owned();
    assert!(at.ends_with('Z'), "{at}");
    let utc = chrono::NaiveDateTime::parse_from_str(&at, "%Y-%m-%dT%H:%M:%SZ").unwrap();
    let shown = |hours: i64| {
        (utc + chrono::Duration::hours(hours))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    // A server on UTC: Việt Nam's time.
    let table = log_in(&db, "UTC");
    assert!(table.starts_with("Thời gian (+07:00)"), "{table}");
    assert!(table.contains(&shown(7)), "{table}");
    assert!(!table.contains("UTC"), "{table}");
    // A machine with a zone of its own: that zone.
    let table = log_in(&db, "EST5");
    assert!(table.starts_with("Thời gian (-05:00)"), "{table}");
    assert!(table.contains(&shown(-5)), "{table}");
    // The office's setting wins.
    let r = ok(&db, &["settings", "set", "timezone", "+8"]);
    assert!(r.stdout.contains("timezone = +08:00"), "{}", r.stdout);
    for tz in ["UTC", "EST5"] {
        let table = log_in(&db, tz);
        assert!(table.starts_with("Thời gian (+08:00)"), "{table}");
        assert!(table.contains(&shown(8)), "{table}");
    }
    let err = fails(&db, &["settings", "set", "timezone", "Hà Nội"]);
    assert!(err.contains("timezone cần dạng +07:00"), "{err}");
}

#[test]
fn new_units_in_capitals_are_warned_with_the_title_cased_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    let f = write(
        dir.path(),
        "july.csv",
        "Đơn vị,Điểm tổng hợp\nĐÔNG TẢO,80\nXÃ AN VỸ,81\nTân  Dân,82\nHàm Tử.,83\nBình Kiều,84\n"
            .as_bytes(),
    );
    let r = ok(
        &db,
        &["import", s(&f), "--period", "2024-07", "--create-units"],
    );
    let cmd = format!("chiso --db \"{}\"", s(&db));
    for line in [
        format!(
            "cảnh báo: tên đơn vị mới \"ĐÔNG TẢO\" viết toàn chữ hoa; nếu muốn viết \"Đông Tảo\": {cmd} units rename \"ĐÔNG TẢO\" --to \"Đông Tảo\""
        ),
        format!(
            "cảnh báo: tên đơn vị mới \"XÃ AN VỸ\" viết toàn chữ hoa; nếu muốn viết \"Xã An Vỹ\": {cmd} units rename \"XÃ AN VỸ\" --to \"Xã An Vỹ\""
        ),
        "cảnh báo: tên đơn vị mới \"Tân Dân\" có khoảng trắng thừa; đã lưu là \"Tân Dân\"".into(),
        format!(
            "cảnh báo: tên đơn vị mới \"Hàm Tử.\" có dấu chấm câu ở cuối; nếu muốn viết \"Hàm Tử\": {cmd} units rename \"Hàm Tử.\" --to \"Hàm Tử\""
        ),
    ] {
        assert!(r.stderr.contains(&line), "{line}\n{}", r.stderr);
    }
    assert!(!r.stderr.contains("Bình Kiều"), "{}", r.stderr);
    // The offered command is the fix, and the file's spelling still matches.
    ok(&db, &["units", "rename", "ĐÔNG TẢO", "--to", "Đông Tảo"]);
    let list = ok(&db, &["units", "list"]).stdout;
    assert!(
        list.contains("Đông Tảo") && !list.contains("ĐÔNG TẢO"),
        "{list}"
    );
    let again = ok(&db, &["import", s(&f), "--period", "2024-07"]);
    assert!(
        again.stdout.contains("Không có gì thay đổi"),
        "{}",
        again.stdout
    );
}

#[test]
fn import_refusals_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let refused = |name: &str, bytes: &[u8]| -> String {
        let f = write(dir.path(), name, bytes);
        let before = snapshot(&db);
        let err = fails(&db, &["import", s(&f), "--period", "2024-09"]);
        assert_eq!(snapshot(&db), before);
        err
    };

    for (name, bytes) in [
        ("empty.csv", &b""[..]),
        ("bom.csv", b"\xEF\xBB\xBF"),
        ("blank.csv", b"  \r\n\n"),
    ] {
        let err = refused(name, bytes);
        assert!(err.contains(&format!("{name}: tệp rỗng")), "{err}");
        assert!(!err.contains("tiêu đề"), "{err}");
    }

    // No unit column: the headers the file has, not the ones chiso reads.
    let err = refused(
        "nounit.csv",
        "STT,Tên,Kết quả xử lý hồ sơ (%)\n1,An Vỹ,100\n".as_bytes(),
    );
    assert!(err.contains("nounit.csv: không có cột Đơn vị"), "{err}");
    assert!(
        err.contains("dòng 1 có các cột: \"STT\", \"Tên\", \"Kết quả xử lý hồ sơ (%)\""),
        "{err}"
    );
    assert!(!err.contains("nhận được"), "{err}");

    // A file that is no text at all: no encoding hint.
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0..2000u32).map(|i| (i * 7919 % 251) as u8));
    let noise: Vec<u8> = (0..4000u32).map(|i| (i * 48271 % 256) as u8).collect();
    for (name, bytes) in [("photo.csv", &png), ("noise.csv", &noise)] {
        let err = refused(name, bytes);
        assert!(
            err.contains(&format!("{name}: tệp không phải văn bản hay bảng tính")),
            "{err}"
        );
        assert!(!err.contains("--encoding"), "{err}");
    }
    // Text in an old encoding still gets it.
    let err = refused(
        "cp1258.csv",
        b"\xD0\xF5n v\xF2,\xD0i\xEA\xF2m\nAn V\xFD,80\n",
    );
    assert!(err.contains("--encoding windows-1258"), "{err}");

    // An unknown unit's hint names it.
    let err = refused(
        "unknown.csv",
        "Đơn vị,Điểm tổng hợp\nXã Mê Linh,80\nXã Khác,81\n".as_bytes(),
    );
    let cmd = format!("chiso --db \"{}\"", s(&db));
    assert!(
        err.contains(&format!(
            "nếu là đơn vị mới: {cmd} units add \"Xã Mê Linh\""
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("{cmd} units alias \"Xã Mê Linh\" --to")),
        "{err}"
    );
    assert!(!err.contains("\"TÊN\""), "{err}");
    assert_eq!(err.matches("nếu là đơn vị mới").count(), 1, "{err}");

    // A repeated row: one problem naming both lines, whatever its values.
    let err = refused(
        "dup.csv",
        "Đơn vị,Kết quả xử lý hồ sơ (%),Điểm tổng hợp,Kết quả đánh giá\nAn Vỹ,100,80,Tốt\nBình Kiều,90,70,Khá\nAn Vỹ,99,81,Tốt\n"
            .as_bytes(),
    );
    assert!(err.starts_with("lỗi: 1 vấn đề"), "{err}");
    assert!(
        err.contains("dup.csv, dòng 4: hai dòng cho cùng một đơn vị \"An Vỹ\": dòng 2 và dòng 4"),
        "{err}"
    );
    assert!(!err.contains("giá trị \"An Vỹ\""), "{err}");
    no_codes("duplicate", &err, &METRIC_CODES);
    // Only some values repeated: those are named.
    let err = refused(
        "part.csv",
        "Đơn vị,Điểm tổng hợp,Kết quả đánh giá\nAn Vỹ,80,\nAn Vỹ,81,Tốt\n".as_bytes(),
    );
    assert!(
        err.contains("dòng 2 và dòng 3 (cùng có: Điểm tổng hợp)"),
        "{err}"
    );
}

#[test]
fn a_file_for_another_month_gets_only_the_month_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let july = write(
        dir.path(),
        "july.tsv",
        "Đơn vị\tKết quả xử lý hồ sơ (%)\nAn Vỹ\t90\nBình Kiều\t52,4\n".as_bytes(),
    );
    ok(&db, &["import", s(&july), "--period", "2024-07"]);
    let august = write(
        dir.path(),
        "august.tsv",
        "Kết quả tháng 8/2024\nĐơn vị\tKết quả xử lý hồ sơ (%)\nAn Vỹ\t100\nBình Kiều\t37,9\n"
            .as_bytes(),
    );
    let before = snapshot(&db);
    let err = fails(&db, &["import", s(&august), "--period", "2024-07"]);
    assert!(
        err.contains(
            "august.tsv, dòng 1: tệp ghi tháng 8/2024 nhưng đang nhập cho --period 2024-07"
        ),
        "{err}"
    );
    assert!(!err.contains("--replace"), "{err}");
    assert!(!err.contains("giá trị khác"), "{err}");
    assert!(err.starts_with("lỗi: 1 vấn đề"), "{err}");
    assert_eq!(snapshot(&db), before);
}

#[test]
fn the_demo_printed_outside_a_terminal_heads_its_table_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    // Not a terminal: the demo prints what it built instead of opening.
    let out = ok(&db, &["demo"]).stdout;
    assert!(out.contains("Đơn vị") && out.contains("Xử lý %"), "{out}");
    // The command it suggests keeps its code-free form; the table has none.
    let table = out.split("\nThử:").next().unwrap();
    no_codes("demo", table, &METRIC_CODES);
}
