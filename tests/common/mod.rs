//! Helpers for the CLI tests: run the real binary on real files in a
//! temporary directory, and snapshot the whole database to prove a failed
//! command changed nothing.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub const PARENT: &str = "Huyện Khoái Châu";

pub fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

pub fn p1() -> PathBuf {
    example("khoai-chau-2024-08-phu-luc-1.tsv")
}

pub fn p2() -> PathBuf {
    example("khoai-chau-2024-08-phu-luc-2.tsv")
}

pub fn chiso(db: &Path) -> Command {
    let mut c = Command::cargo_bin("chiso").expect("binary built");
    c.arg("--db")
        .arg(db)
        .env_remove("CHISO_DB")
        .env("USER", "tester");
    c
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(db: &Path, args: &[&str]) -> Run {
    let out = chiso(db).args(args).output().expect("runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// Runs and requires success.
pub fn ok(db: &Path, args: &[&str]) -> Run {
    let r = run(db, args);
    assert_eq!(
        r.code, 0,
        "chiso {args:?} failed:\n{}\n{}",
        r.stdout, r.stderr
    );
    r
}

/// Runs and requires exit 1; returns stderr.
pub fn fails(db: &Path, args: &[&str]) -> String {
    let r = run(db, args);
    assert_eq!(
        r.code, 1,
        "chiso {args:?} should fail:\n{}\n{}",
        r.stdout, r.stderr
    );
    assert!(
        !r.stderr.contains('\u{1b}'),
        "raw escape echoed: {:?}",
        r.stderr
    );
    r.stderr
}

/// A new database with the seed's parent unit.
pub fn new_db(dir: &Path) -> PathBuf {
    let db = dir.join("t.db");
    ok(&db, &["init", "--parent", PARENT]);
    db
}

/// A database holding the seed's 25 units and both annexes of 2024-08.
pub fn seeded_db(dir: &Path) -> PathBuf {
    let db = new_db(dir);
    let p1 = p1();
    let p2 = p2();
    ok(
        &db,
        &[
            "import",
            p1.to_str().unwrap(),
            "--period",
            "2024-08",
            "--create-units",
        ],
    );
    ok(&db, &["units", "alias", "Đồng Tiến", "--to", "Đông Tiến"]);
    ok(
        &db,
        &["import", p2.to_str().unwrap(), "--period", "2024-08"],
    );
    db
}

/// Sets the district's five August 2024 figures from the seed's body.
pub fn set_parent_figures(db: &Path) {
    ok(
        db,
        &[
            "set",
            "--period",
            "2024-08",
            "--unit",
            PARENT,
            "processing=99.62",
            "satisfaction=100",
            "online_payment=73.54",
            "score=86.02",
            "digitization=61.2",
        ],
    );
}

/// Every row of every table, as text: equal snapshots mean an unchanged
/// database (the WAL is read through SQLite, so uncheckpointed writes count).
pub fn snapshot(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).expect("open db");
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables.retain(|t| !t.starts_with("sqlite_"));
    let mut out = String::new();
    for t in tables {
        out.push_str(&format!("== {t}\n"));
        let n = conn
            .prepare(&format!("SELECT * FROM \"{t}\""))
            .unwrap()
            .column_count();
        let order: Vec<String> = (1..=n).map(|i| i.to_string()).collect();
        let mut st = conn
            .prepare(&format!(
                "SELECT * FROM \"{t}\" ORDER BY {}",
                order.join(", ")
            ))
            .unwrap();
        let mut rows = st.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            let cells: Vec<String> = (0..n)
                .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                .collect();
            out.push_str(&cells.join("|"));
            out.push('\n');
        }
    }
    out
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Number of values stored for a month.
pub fn count_values(db: &Path, period: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT count(*) FROM metric_values WHERE period = ?1",
        [period],
        |r| r.get(0),
    )
    .unwrap()
}

/// One part of a zip package (a DOCX or XLSX) as text.
pub fn zip_part(path: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
    text
}

/// A DOCX read back with docx-rs: its body's paragraphs, and each table
/// as rows of cell texts (a cell's paragraphs joined by newlines).
pub fn docx_text(bytes: &[u8]) -> (Vec<String>, Vec<Vec<Vec<String>>>) {
    let doc = docx_rs::read_docx(bytes).expect("a well-formed DOCX");
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
    (paragraphs, tables)
}

/// Runs chiso with `args`, returning exit code, stderr and peak RSS (MB),
/// from wait4's rusage of the child.
pub fn measured(db: &Path, args: &[&str]) -> (i32, String, f64) {
    let err_path = db.with_extension(format!("stderr-{}", std::process::id()));
    let err_file = std::fs::File::create(&err_path).unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_chiso"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("CHISO_DB")
        .env("USER", "tester")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(err_file)
        .spawn()
        .expect("chiso starts");
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    // Reaped by wait4: std must not wait on it again.
    drop(child);
    assert_eq!(got, pid, "wait4: {}", std::io::Error::last_os_error());
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -libc::WTERMSIG(status)
    };
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let _ = std::fs::remove_file(&err_path);
    (code, stderr, usage.ru_maxrss as f64 / 1024.0)
}

/// The report of `period` (YYYY-MM) as the library builds it, signed on
/// `date` (YYYY-MM-DD) if given.
pub fn report_of(db: &Path, period: &str, date: Option<&str>) -> chiso::report::Report {
    let db = chiso::db::Db::open(db).unwrap();
    let opts = chiso::report::Options {
        date: date.map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()),
    };
    chiso::report::build(
        db.conn(),
        chiso::model::Period::parse(period).unwrap(),
        opts,
    )
    .unwrap()
}
