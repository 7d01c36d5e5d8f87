//! National-scale import/export benchmark against the real release binary.
//!
//! Setup (timed, not measured): 13 synthetic months of 10,035 units; a
//! database holding the units and the first 12 months. Then, N times on a
//! fresh copy: import the 13th month, export it as CSV and JSON. For
//! reference, `sqlite3 .import` of the same CSV into a plain table.
//!
//!   cargo bench --bench import_export
//!   CHISO_BENCH_RUNS=15 cargo bench --bench import_export
//!   CHISO_BENCH_KEEP=1 …   keeps the work directory for inspection
//!
//! Prints wall time and peak RSS (wait4 ru_maxrss); never asserts on time.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

use chiso::model::Period;
use chiso::synthetic;
use common::{run_ok, runs};

const CHISO: &str = env!("CARGO_BIN_EXE_chiso");
const LAST: Period = match Period::month(2024, 8) {
    Some(p) => p,
    None => panic!("a month"),
};
const TARGET_IMPORT_MS: f64 = 150.0;
const TARGET_FINDINGS_MS: f64 = 100.0;
const TARGET_EXPORT_MS: f64 = 50.0;
const TARGET_PEAK_MB: f64 = 40.0;

/// One run of a child process.
#[derive(Clone, Copy)]
struct Sample {
    wall: Duration,
    maxrss_kib: i64,
}

/// Spawns the command, waits with wait4 for its rusage, and panics with the
/// child's own output (from a second, captured run) if it failed.
fn measure(make: &dyn Fn() -> Command) -> Sample {
    let mut cmd = make();
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let start = Instant::now();
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    // Reaped by wait4: std must not wait on it again.
    drop(child);
    assert_eq!(
        got,
        pid,
        "wait4 failed: {}",
        std::io::Error::last_os_error()
    );
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        let out = make().output().expect("rerun for diagnostics");
        panic!(
            "{cmd:?} failed (status {status:#x}); rerun said:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Sample {
        wall,
        maxrss_kib: usage.ru_maxrss,
    }
}

fn chiso(db: &Path) -> Command {
    let mut c = Command::new(CHISO);
    c.arg("--db").arg(db).env_remove("CHISO_DB");
    c
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median_ms(samples: &[Sample]) -> f64 {
    let mut v: Vec<f64> = samples.iter().map(|s| ms(s.wall)).collect();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn min_ms(samples: &[Sample]) -> f64 {
    samples
        .iter()
        .map(|s| ms(s.wall))
        .fold(f64::INFINITY, f64::min)
}

fn peak_mb(samples: &[Sample]) -> f64 {
    samples.iter().map(|s| s.maxrss_kib).max().unwrap_or(0) as f64 / 1024.0
}

/// Removes a database and its WAL side files.
fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(side(path, suffix));
    }
}

fn side(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Copies a database with its -wal/-shm, if any, so the copy is whole.
fn copy_db(from: &Path, to: &Path) {
    remove_db(to);
    for suffix in ["", "-wal", "-shm"] {
        let src = side(from, suffix);
        if src.exists() {
            std::fs::copy(&src, side(to, suffix)).expect("copy database");
        }
    }
}

fn have_sqlite3() -> bool {
    Command::new("sqlite3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The import must have written every value of the month, or a broken
/// import could look fast.
fn verify_import(db: &Path, period: &str, units: usize) {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open run.db");
    let count = |sql: &str| -> i64 { conn.query_row(sql, [period], |r| r.get(0)).expect(sql) };
    let values = count("SELECT count(*) FROM metric_values WHERE period = ?1");
    let changes = count("SELECT count(*) FROM value_history WHERE period = ?1");
    let want = ((units + 1) * 7) as i64;
    assert_eq!(
        values, want,
        "import of {period} stored {values} values, expected {want}"
    );
    assert_eq!(
        changes, want,
        "import of {period} logged {changes} changes, expected {want}"
    );
}

/// Line by line, so this process's peak RSS (which spawned children inherit
/// in ru_maxrss) stays small.
fn lines(path: &Path) -> impl Iterator<Item = String> {
    let file = std::fs::File::open(path).expect("open export");
    BufReader::new(file)
        .lines()
        .map(|l| l.expect("read export"))
}

fn verify_exports(csv: &Path, json: &Path, units: usize) {
    let lines_csv = lines(csv).count();
    assert_eq!(
        lines_csv,
        units + 2,
        "exported CSV has {lines_csv} lines, expected header + parent + {units}"
    );
    // Only units carry "kind"; the parent object doesn't.
    let listed = lines(json).filter(|l| l.contains("\"kind\":")).count();
    assert_eq!(
        listed, units,
        "exported JSON lists {listed} units, expected {units}"
    );
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` doesn't, and
    // then a small smoke run checks the pipeline without the long setup.
    let full = std::env::args().any(|a| a == "--bench");
    let (units, months, n_runs) = if full {
        (synthetic::NATIONAL_UNITS, 13, runs(7))
    } else {
        (200, 3, 1)
    };
    let keep = std::env::var_os("CHISO_BENCH_KEEP").is_some();
    let tmp = tempfile::Builder::new()
        .prefix("chiso-bench-")
        .tempdir()
        .expect("tempdir");
    let dir = tmp.path().to_owned();

    println!(
        "chiso import/export benchmark{}: {units} units, {months} months, runs: {n_runs}",
        if full {
            ""
        } else {
            " (smoke run; use cargo bench)"
        }
    );
    println!("binary: {CHISO}");
    println!(
        "work dir: {}{}",
        dir.display(),
        if keep { " (kept)" } else { "" }
    );

    // --- setup -----------------------------------------------------------
    let setup_start = Instant::now();
    let mut periods = vec![LAST];
    while periods.len() < months {
        periods.push(periods.last().unwrap().previous());
    }
    periods.reverse();
    let files: Vec<PathBuf> = {
        let names = synthetic::unit_names(units);
        periods
            .iter()
            .map(|p| {
                let path = dir.join(format!("national-{p}.csv"));
                let csv = synthetic::month_csv(&names, synthetic::PARENT, p.year_month(), 1);
                std::fs::write(&path, csv).expect("write month file");
                path
            })
            .collect()
    };
    let generated = setup_start.elapsed();
    let csv_bytes = std::fs::metadata(files.last().unwrap())
        .map(|m| m.len())
        .unwrap_or(0);

    let base = dir.join("base.db");
    let mut init = chiso(&base);
    init.args(["init", "--parent", synthetic::PARENT]);
    run_ok(init);
    let mut setup_imports = Vec::new();
    for (i, (p, f)) in periods.iter().zip(&files).take(months - 1).enumerate() {
        let t = Instant::now();
        let mut c = chiso(&base);
        c.arg("import").arg(f).arg("--period").arg(p.to_string());
        if i == 0 {
            c.arg("--create-units");
        }
        run_ok(c);
        setup_imports.push(ms(t.elapsed()));
    }
    println!(
        "setup: generated {months} files in {:.0} ms ({:.1} MB each); init + {} imports in {:.1} s",
        ms(generated),
        csv_bytes as f64 / 1e6,
        months - 1,
        (setup_start.elapsed() - generated).as_secs_f64()
    );
    println!(
        "  setup imports, ms: first (--create-units) {:.0}; then {}",
        setup_imports[0],
        setup_imports[1..]
            .iter()
            .map(|t| format!("{t:.0}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "  base.db {:.1} MB",
        std::fs::metadata(&base).map(|m| m.len()).unwrap_or(0) as f64 / 1e6
    );

    // --- measured runs ---------------------------------------------------
    let last = LAST.to_string();
    let month_file = files.last().unwrap().clone();
    let run_db = dir.join("run.db");
    let out_csv = dir.join("out.csv");
    let out_json = dir.join("out.json");
    let export = |format: &'static str, out: &Path| {
        let (db, out, period) = (run_db.clone(), out.to_owned(), last.clone());
        move || {
            let mut c = chiso(&db);
            // Each run writes the same file again: --force (chiso never
            // overwrites an --out without it).
            c.args(["export", "--period", &period, "--format", format])
                .arg("--out")
                .arg(&out)
                .arg("--force");
            c
        }
    };
    let export_csv = export("csv", &out_csv);
    let export_json = export("json", &out_json);
    let import = || {
        let mut c = chiso(&run_db);
        c.arg("import").arg(&month_file).args(["--period", &last]);
        c
    };

    let (mut imports, mut csvs, mut jsons) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..n_runs {
        copy_db(&base, &run_db);
        imports.push(measure(&import));
        if run == 0 {
            verify_import(&run_db, &last, units);
        }
        csvs.push(measure(&export_csv));
        jsons.push(measure(&export_json));
        if run == 0 {
            verify_exports(&out_csv, &out_json, units);
        }
    }

    let sqlite = if have_sqlite3() {
        let plain = dir.join("plain.db");
        let samples: Vec<Sample> = (0..n_runs)
            .map(|_| {
                remove_db(&plain);
                measure(&|| {
                    let mut c = Command::new("sqlite3");
                    c.arg("-csv")
                        .arg(&plain)
                        .arg(format!(".import '{}' t", month_file.display()));
                    c
                })
            })
            .collect();
        let rows: i64 = rusqlite::Connection::open(&plain)
            .and_then(|c| c.query_row("SELECT count(*) FROM t", [], |r| r.get(0)))
            .expect("count sqlite3 rows");
        assert_eq!(
            rows,
            (units + 1) as i64,
            "sqlite3 .import loaded {rows} rows"
        );
        let version = Command::new("sqlite3").arg("--version").output().ok();
        let version = version
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_owned()
            })
            .unwrap_or_default();
        Some((samples, version))
    } else {
        println!("sqlite3 is not on PATH: skipping the .import reference");
        None
    };

    // Findings (rules, streaks) for the last of 24 months: extend run.db
    // (13 months after the runs above) with 11 later months, then time.
    let total_months = if full { 24 } else { months + 2 };
    let extend_start = Instant::now();
    let names = synthetic::unit_names(units);
    let mut p = LAST;
    for _ in months..total_months {
        p = p.next();
        let path = dir.join(format!("national-{p}.csv"));
        std::fs::write(
            &path,
            synthetic::month_csv(&names, synthetic::PARENT, p.year_month(), 1),
        )
        .expect("write month file");
        let mut c = chiso(&run_db);
        c.arg("import")
            .arg(&path)
            .arg("--period")
            .arg(p.to_string());
        run_ok(c);
    }
    drop(names);
    println!(
        "findings setup: run.db extended to {total_months} months in {:.1} s",
        extend_start.elapsed().as_secs_f64()
    );
    let last_of_all = p.to_string();
    let month_before = p.previous().to_string();
    let findings_of = |period: &str| {
        let mut c = chiso(&run_db);
        c.args(["findings", "--period", period, "--format", "json"]);
        c
    };
    let findings_cmd = || findings_of(&last_of_all);
    let clear_cache = || {
        let conn = rusqlite::Connection::open(&run_db).expect("open run.db");
        conn.execute("DELETE FROM streak_cache", [])
            .expect("clear streak cache");
    };
    // Three cases (src/rules/cache.rs): nothing cached, every streak walked
    // back through 24 months; the month before was looked at (the office's
    // month after month), so streaks stop there; the same month again.
    let finds_cold: Vec<Sample> = (0..n_runs)
        .map(|_| {
            clear_cache();
            measure(&findings_cmd)
        })
        .collect();
    let finds_next: Vec<Sample> = (0..n_runs)
        .map(|_| {
            clear_cache();
            run_ok(findings_of(&month_before));
            measure(&findings_cmd)
        })
        .collect();
    let finds: Vec<Sample> = (0..n_runs).map(|_| measure(&findings_cmd)).collect();
    // The letter of that month as text: every unit in its annexes, every
    // finding in the list annex (a layout that reads all rows per cell
    // once took 85 s here).
    let letter_cmd = || {
        let mut c = chiso(&run_db);
        c.args(["report", "--period", &last_of_all, "--format", "txt"]);
        c
    };
    let letters: Vec<Sample> = (0..n_runs).map(|_| measure(&letter_cmd)).collect();
    {
        let out = findings_cmd().output().expect("run findings");
        assert!(
            out.status.success(),
            "findings failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("findings json");
        let n = doc["findings"].as_array().map_or(0, |a| a.len());
        let longest = doc["findings"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|f| f["streak"].as_u64())
                    .max()
                    .unwrap_or(0)
            })
            .unwrap_or(0);
        assert!(
            n > 0,
            "findings found nothing: the benchmark would measure nothing"
        );
        println!("findings for {last_of_all}: {n} findings, longest streak {longest} months");
    }

    // What a bare spawn costs, and the floor ru_maxrss can't go below: a
    // posix_spawn (vfork) child counts this process's peak until exec.
    let floor: Vec<Sample> = (0..n_runs)
        .map(|_| measure(&|| Command::new("true")))
        .collect();

    // --- report ----------------------------------------------------------
    println!();
    println!(
        "{:<22} {:>10} {:>9} {:>12}   targets",
        "", "median ms", "min ms", "peak RSS MB"
    );
    let verdict = |ok: bool| if ok { "PASS" } else { "MISS" };
    let line = |name: &str, s: &[Sample], target_ms: Option<f64>, check_mem: bool| {
        let (med, min, peak) = (median_ms(s), min_ms(s), peak_mb(s));
        let mut t = Vec::new();
        if let Some(limit) = target_ms {
            t.push(format!("time < {limit:.0} ms {}", verdict(med < limit)));
        }
        if check_mem {
            t.push(format!(
                "peak < {TARGET_PEAK_MB:.0} MB {}",
                verdict(peak < TARGET_PEAK_MB)
            ));
        }
        let row = format!(
            "{name:<22} {med:>10.1} {min:>9.1} {peak:>12.1}   {}",
            t.join(", ")
        );
        println!("{}", row.trim_end());
    };
    // Targets are for the national scale only, not the smoke run.
    line(
        "chiso import",
        &imports,
        full.then_some(TARGET_IMPORT_MS),
        full,
    );
    line(
        "chiso export csv",
        &csvs,
        full.then_some(TARGET_EXPORT_MS),
        full,
    );
    line(
        "chiso export json",
        &jsons,
        full.then_some(TARGET_EXPORT_MS),
        full,
    );
    line(
        "findings, cold",
        &finds_cold,
        full.then_some(TARGET_FINDINGS_MS),
        false,
    );
    line(
        "findings, after M-1",
        &finds_next,
        full.then_some(TARGET_FINDINGS_MS),
        false,
    );
    line(
        "findings, again",
        &finds,
        full.then_some(TARGET_FINDINGS_MS),
        false,
    );
    line("report txt", &letters, None, false);
    println!(
        "(findings, report: the {total_months}th month of {total_months}; cold = no streak cache)"
    );
    match &sqlite {
        Some((s, version)) => line(&format!("sqlite3 .import {version}"), s, None, false),
        None => println!("{:<22} {:>10}", "sqlite3 .import", "skipped"),
    }
    line("spawn floor (true)", &floor, None, false);
    if let Some((s, _)) = &sqlite {
        println!(
            "ratio chiso import / sqlite3 .import: {:.1}x median, {:.1}x min",
            median_ms(&imports) / median_ms(s),
            min_ms(&imports) / min_ms(s)
        );
    }
    println!(
        "(bundled SQLite {}; MB = MiB; peak RSS is the max over runs; medians decide PASS/MISS)",
        rusqlite::version()
    );

    if keep {
        let kept = tmp.keep();
        println!("kept {}", kept.display());
    }
}
