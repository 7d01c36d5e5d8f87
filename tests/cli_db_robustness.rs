//! The database file under trouble (issue 13, items 4–8): a writer that
//! waits for another, SQLite's failures said in Vietnamese with the file
//! and what to do, a read-only file that can still be read, a killed
//! `init` that never blocks a retry, and `--db` on a folder.

mod common;
#[path = "common/read_only.rs"]
mod read_only;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use read_only::ReadOnly;

/// Another operator's long write: holds the write lock for `hold`.
fn hold_write_lock(db: &Path, hold: Duration) -> std::thread::JoinHandle<()> {
    let path = db.to_owned();
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("BEGIN IMMEDIATE; INSERT INTO settings VALUES ('holder', '1');")
            .unwrap();
        locked_tx.send(()).unwrap();
        std::thread::sleep(hold);
        c.execute_batch("ROLLBACK").unwrap();
    });
    locked_rx.recv().unwrap();
    holder
}

fn set_score(db: &Path, wait_ms: Option<u64>) -> std::process::Child {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("chiso"));
    cmd.arg("--db")
        .arg(db)
        .args(["set", "--period", "2024-08", "--unit", "An Vỹ", "score=90"])
        .env_remove("CHISO_DB")
        .env_remove("CHISO_BUSY_WAIT_MS")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    if let Some(ms) = wait_ms {
        cmd.env("CHISO_BUSY_WAIT_MS", ms.to_string());
    }
    cmd.spawn().unwrap()
}

#[test]
fn a_writer_waits_as_long_as_another_write_runs_and_says_so_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    // Longer than the old 10 s busy timeout.
    let holder = hold_write_lock(&db, Duration::from_secs(12));
    let t = Instant::now();
    let out = set_score(&db, None).wait_with_output().unwrap();
    holder.join().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(t.elapsed() >= Duration::from_secs(11), "it waited");
    assert_eq!(
        stderr.matches("đang chờ một lệnh ghi khác").count(),
        1,
        "said once: {stderr}"
    );
    assert!(stderr.contains(s(&db)), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Điểm tổng hợp: 89,01 → 90"));
}

#[test]
fn past_the_wait_limit_a_writer_stops_saying_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let before = snapshot(&db);
    let holder = hold_write_lock(&db, Duration::from_secs(4));
    let t = Instant::now();
    let out = set_score(&db, Some(1500)).wait_with_output().unwrap();
    let took = t.elapsed();
    holder.join().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        took < Duration::from_secs(4),
        "gave up at the limit: {took:?}"
    );
    assert!(stderr.contains("đang chờ một lệnh ghi khác"), "{stderr}");
    assert!(stderr.contains("đang bận"), "{stderr}");
    assert!(stderr.contains("1500 ms"), "{stderr}");
    assert!(stderr.contains(s(&db)), "{stderr}");
    assert!(stderr.contains("gợi ý: chạy lại khi lệnh kia"), "{stderr}");
    assert!(
        stderr.contains("mã lỗi SQLite: 5 (database is locked)"),
        "{stderr}"
    );
    assert!(!stderr.contains("Error code"), "{stderr}");
    assert_eq!(snapshot(&db), before);
}

/// A tmpfs of `kb` kilobytes mounted on `at` (root only), unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, kb: u32) -> Option<Tmpfs> {
        std::fs::create_dir_all(at).unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kb}k"), "tmpfs"])
            .arg(at)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!(
                "SKIPPED: cannot mount a small tmpfs here (not root?): full disk not tested end to end"
            );
            return None;
        }
        Some(Tmpfs(at.to_owned()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
    }
}

/// Fills the file system of `dir` with one file, up to the last byte.
fn fill(dir: &Path) -> PathBuf {
    fill_as(dir.join("filler"))
}

/// Fills again what was freed since `fill`.
fn fill_more(dir: &Path) -> PathBuf {
    fill_as(dir.join("filler2"))
}

fn fill_as(p: PathBuf) -> PathBuf {
    use std::io::Write;
    let mut f = std::fs::File::create(&p).unwrap();
    let block = vec![0u8; 4096];
    // Space freed a moment ago (a file unlinked by a closing connection)
    // may show up a little later: fill until a pause frees nothing more.
    for _ in 0..20 {
        let mut wrote = false;
        while f.write_all(&block).is_ok() {
            wrote = true;
        }
        while f.write_all(&[0]).is_ok() {
            wrote = true;
        }
        let _ = f.sync_all();
        std::thread::sleep(Duration::from_millis(100));
        if !wrote && f.write_all(&[0]).is_err() {
            break;
        }
    }
    p
}

#[test]
fn a_full_disk_names_the_file_and_says_to_free_space() {
    let dir = tempfile::tempdir().unwrap();
    let Some(_mnt) = Tmpfs::mount(&dir.path().join("mnt"), 1024) else {
        return;
    };
    let db = seeded_db(&dir.path().join("mnt"));
    let before = snapshot(&db);
    // Another reader keeps the write-ahead log's files open, as in an
    // office where someone has the TUI open.
    let other = rusqlite::Connection::open(&db).unwrap();
    other
        .query_row("SELECT count(*) FROM units", [], |r| r.get::<_, i64>(0))
        .unwrap();
    let filler = fill(&dir.path().join("mnt"));
    // A write that grows the log, with the disk full: refused, said.
    let big = example("khoai-chau-2024-07-synthetic.tsv");
    let err = fails(&db, &["import", s(&big), "--period", "2024-07"]);
    assert!(err.contains(s(&db)), "{err}");
    assert!(err.contains("đã đầy"), "{err}");
    assert!(err.contains("giải phóng dung lượng"), "{err}");
    assert!(
        err.contains("mã lỗi SQLite: 13 (database or disk is full)"),
        "{err}"
    );
    assert!(!err.contains("Error code"), "{err}");
    // Alone on a full disk, not even the log's index can be made.
    drop(other);
    let filler2 = fill_more(&dir.path().join("mnt"));
    let err = fails(&db, &["units", "list"]);
    assert!(err.contains(s(&db)), "{err}");
    assert!(err.contains("lỗi đọc/ghi đĩa"), "{err}");
    assert!(err.contains("df -h"), "{err}");
    assert!(
        err.contains("mã lỗi SQLite: 4874 (disk I/O error)"),
        "{err}"
    );
    // Space freed: the same command works, nothing was half-written.
    std::fs::remove_file(filler).unwrap();
    std::fs::remove_file(filler2).unwrap();
    assert_eq!(snapshot(&db), before);
    ok(&db, &["import", s(&big), "--period", "2024-07"]);
}

#[test]
fn the_full_disk_and_io_messages_are_in_vietnamese_even_where_no_disk_can_be_filled() {
    // The mapping itself, for the codes a full disk gives (13, and 4874
    // when the shared-memory file cannot grow), wherever the tests run.
    for code in [13, 4874] {
        let e = anyhow::Error::from(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(code),
            None,
        ));
        let text = format!(
            "{:#}",
            chiso::db::errors::explain(e, Path::new("/srv/x.db"))
        );
        assert!(
            text.contains("/srv/x.db") && text.contains("df -h"),
            "{text}"
        );
        assert!(text.contains(&format!("mã lỗi SQLite: {code}")), "{text}");
    }
}

#[test]
fn a_garbage_file_is_named_and_not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = write(dir.path(), "rac.db", &b"Phu luc 1\tBang diem\n".repeat(400));
    let err = fails(&db, &["units", "list"]);
    assert!(err.contains(s(&db)), "{err}");
    assert!(err.contains("không phải tệp cơ sở dữ liệu SQLite"), "{err}");
    assert!(err.contains("gợi ý: kiểm tra --db"), "{err}");
    assert!(err.contains("mã lỗi SQLite: 26"), "{err}");
}

#[test]
fn a_truncated_file_is_named_damaged_with_how_to_recover() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let len = std::fs::metadata(&db).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
    f.set_len(len / 3).unwrap();
    drop(f);
    let err = fails(&db, &["export", "--period", "2024-08"]);
    assert!(err.contains(s(&db)), "{err}");
    assert!(err.contains("bị hỏng"), "{err}");
    assert!(err.contains("bản sao lưu"), "{err}");
    assert!(err.contains("mã lỗi SQLite: 11"), "{err}");
}

#[test]
fn a_missing_folder_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("chua-co").join("t.db");
    let err = fails(&db, &["init", "--parent", PARENT]);
    assert!(err.contains(s(&db)), "{err}");
    assert!(
        err.contains(&format!(
            "thư mục {} không có",
            s(&dir.path().join("chua-co"))
        )),
        "{err}"
    );
    assert!(err.contains("mã lỗi SQLite: 14"), "{err}");
    assert!(!dir.path().join("chua-co").exists());
}

/// Every reading command on `db`, which must all work.
fn every_read_works(db: &Path) {
    let list = ok(db, &["units", "list"]);
    assert!(list.stdout.contains("Bình Kiều"), "{}", list.stdout);
    let f = ok(db, &["findings", "--period", "2024-08"]);
    assert!(f.stderr.is_empty(), "{}", f.stderr);
    assert!(!f.stdout.is_empty());
    let e = ok(db, &["export", "--period", "2024-08", "--format", "json"]);
    assert!(e.stdout.contains("Bình Kiều"), "{}", e.stdout);
    let l = ok(db, &["log", "--period", "2024-08", "--unit", "Bình Kiều"]);
    assert!(!l.stdout.is_empty());
    let r = ok(db, &["report", "--period", "2024-08", "--format", "md"]);
    assert!(r.stdout.contains("Bình Kiều"), "{}", r.stdout);
}

fn writes_are_refused_with_a_message(db: &Path) {
    let err = fails(
        db,
        &["set", "--period", "2024-08", "--unit", "An Vỹ", "score=90"],
    );
    assert!(err.contains(s(db)), "{err}");
    assert!(err.contains("chỉ cho đọc"), "{err}");
    assert!(err.contains("các lệnh chỉ đọc"), "{err}");
    assert!(err.contains("mã lỗi SQLite: 8"), "{err}");
}

#[test]
fn a_read_only_file_in_a_writable_folder_is_read_and_refuses_writes() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let before = snapshot(&db);
    {
        let Some(_ro) = ReadOnly::make(&[&db]) else {
            return;
        };
        every_read_works(&db);
        writes_are_refused_with_a_message(&db);
    }
    assert_eq!(snapshot(&db), before);
}

#[test]
fn a_read_only_file_in_a_read_only_folder_is_read_and_refuses_writes() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("chung");
    std::fs::create_dir(&folder).unwrap();
    let db = seeded_db(&folder);
    let before = snapshot(&db);
    {
        // Not even the write-ahead log's files can be made beside it.
        let Some(_ro) = ReadOnly::make(&[&db, &folder]) else {
            return;
        };
        every_read_works(&db);
        writes_are_refused_with_a_message(&db);
        let err = fails(&folder.join("moi.db"), &["init", "--parent", PARENT]);
        assert!(err.contains(s(&folder.join("moi.db"))), "{err}");
        assert!(err.contains("không có quyền ghi"), "{err}");
    }
    assert_eq!(snapshot(&db), before);
}

#[test]
fn demo_with_an_unwritable_data_directory_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let Some(_ro) = ReadOnly::make(&[&data]) else {
        return;
    };
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("chiso"))
        .arg("demo")
        .env("XDG_DATA_HOME", &data)
        .env_remove("CHISO_DB")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(s(&data.join("chiso"))), "{err}");
    assert!(err.contains("gợi ý: kiểm tra quyền ghi"), "{err}");
    assert!(err.contains("chiso demo --db TỆP"), "{err}");
}

#[test]
fn an_empty_file_counts_as_no_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = write(dir.path(), "t.db", b"");
    let err = fails(&db, &["units", "list"]);
    assert!(err.contains("tệp rỗng"), "{err}");
    assert!(err.contains("chiso init"), "{err}");
    assert!(!err.contains("không phải cơ sở dữ liệu chiso"), "{err}");
    ok(&db, &["init", "--parent", PARENT]);
    let list = ok(&db, &["units", "list"]);
    assert!(list.stdout.contains(PARENT), "{}", list.stdout);
    // A database is never replaced.
    let err = fails(&db, &["init", "--parent", PARENT]);
    assert!(err.contains("không ghi đè"), "{err}");
}

#[test]
fn a_killed_init_never_blocks_a_retry() {
    let dir = tempfile::tempdir().unwrap();
    for (i, delay_us) in [0u64, 500, 1_000, 2_000, 3_000, 5_000, 8_000, 13_000, 21_000]
        .into_iter()
        .enumerate()
    {
        let db = dir.path().join(format!("k{i}.db"));
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("chiso"))
            .arg("--db")
            .arg(&db)
            .args(["init", "--parent", PARENT])
            .env_remove("CHISO_DB")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(delay_us));
        let _ = child.kill();
        let _ = child.wait();
        // Whatever is at the path is a whole database, or nothing.
        if db.exists() {
            let list = ok(&db, &["units", "list"]);
            assert!(list.stdout.contains(PARENT), "{}", list.stdout);
        } else {
            ok(&db, &["init", "--parent", PARENT]);
        }
    }
    // What a killed run left behind, the retry removed.
    for e in std::fs::read_dir(dir.path()).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(name.starts_with('k') && name.ends_with(".db"), "{name}");
    }
}

#[test]
fn db_on_a_folder_says_so_once_for_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path();
    for args in [
        &["units", "list"][..],
        &["init", "--parent", PARENT],
        &["findings", "--period", "2024-08"],
        &["demo"],
    ] {
        let err = fails(folder, args);
        assert!(
            err.contains(&format!("{} là một thư mục", s(folder))),
            "{args:?}: {err}"
        );
        assert!(
            err.contains(&format!("--db {}", s(&folder.join("chiso.db")))),
            "{args:?}: {err}"
        );
        assert!(!err.contains("đã có"), "{args:?}: {err}");
        assert!(!err.contains("không có cơ sở dữ liệu"), "{args:?}: {err}");
    }
}
