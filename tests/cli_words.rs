//! Issue 15, the command line's words and import messages: names where
//! codes were (rules, metrics, sources, kinds, severities), clap's framing
//! in Vietnamese, times in local time, and import refusals that say what
//! is wrong and only what helps.

mod common;

use clap::CommandFactory;
use common::*;

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
            "lỗi: --period <YYYY-MM>: tháng không hợp lệ: \"24-07\"",
        ),
        (&["frobnicate"], "lỗi: không có lệnh \"frobnicate\""),
        (&["improt", "x.tsv"], "gợi ý: có lệnh gần giống: \"import\""),
        (
            &["export"],
            "lỗi: thiếu tham số bắt buộc: --period <YYYY-MM>",
        ),
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
            "--period <YYYY-MM> chỉ được ghi một lần",
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
