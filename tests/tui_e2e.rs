//! The real binary in a real terminal: tmux runs `chiso`, sends keys, and
//! reads the screen back; afterwards `stty` in the same terminal shows that
//! raw mode is off again. Needs tmux (`.ci/run` installs it).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const CHISO: &str = env!("CARGO_BIN_EXE_chiso");

/// A tmux server of our own, killed when the test ends.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(name: &str, cmd: &str) -> Tmux {
        Tmux::start_sized(name, cmd, 100, 30)
    }

    fn start_sized(name: &str, cmd: &str, w: u16, h: u16) -> Tmux {
        let socket = format!("chiso-test-{}-{name}", std::process::id());
        let t = Tmux { socket };
        let (w, h) = (w.to_string(), h.to_string());
        let status = Command::new("tmux")
            .args(["-L", &t.socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-x", &w, "-y", &h, "-s", "t"])
            .arg(cmd)
            .env("TERM", "xterm-256color")
            .status()
            .expect("tmux must be installed to run the terminal tests (apt-get install tmux)");
        assert!(status.success());
        t
    }

    fn send(&self, keys: &[&str]) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "t"])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", "t"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows `text` (a terminal settles in its own
    /// time; polling beats a fixed sleep).
    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!("screen never showed {text:?}; it shows:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

fn demo_db(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("demo.db");
    let out = Command::new(CHISO)
        .arg("--db")
        .arg(&db)
        .arg("demo")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    db
}

/// Runs chiso, then reports its exit status and the terminal's mode.
fn session_cmd(db: &Path) -> String {
    format!(
        "{CHISO} --db '{}'; echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo; echo STTY-DONE; sleep 60",
        db.display()
    )
}

#[test]
fn start_filter_sort_findings_help_quit() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let t = Tmux::start("main", &session_cmd(&db));
    // The footer is drawn last: once it shows, the frame is whole.
    let s = t.wait_for("25/25 đủ số liệu");
    assert!(s.contains("Bảng kết quả"), "{s}");
    assert!(s.contains("Huyện Khoái Châu"), "{s}");

    t.send(&["/", "dong", "Enter"]);
    let s = t.wait_for("4/25 đơn vị");
    assert!(s.contains("Đồng Tiến") && !s.contains("An Vỹ"), "{s}");
    t.send(&["Escape"]);
    t.wait_for("25/25 đơn vị");

    t.send(&["l", "l", "l", "l", "l", "s"]);
    let s = t.wait_for("sắp xếp: Số hoá % ▲");
    let first = s.lines().nth(3).unwrap_or_default();
    assert!(
        first.contains("Đông Ninh"),
        "lowest digitization first:\n{s}"
    );

    t.send(&["f"]);
    // Frames arrive top to bottom: wait for what is drawn last.
    let s = t.wait_for("chịu trách nhiệm");
    assert!(s.contains("Đơn vị cần chỉ đạo khắc phục"), "{s}");
    assert!(s.contains("Bình Kiều") && s.contains("nâng mức"), "{s}");
    assert!(
        s.contains("chịu trách nhiệm"),
        "the escalated directive:\n{s}"
    );
    t.send(&["Enter"]);
    t.wait_for("Bình Kiều: mọi tháng");
    t.send(&["Escape", "Escape", "?"]);
    let s = t.wait_for("thoát, cả khi đang nhập");
    assert!(s.contains("Phím tắt"), "{s}");
    assert!(s.contains("sắp xếp theo cột đang chọn"), "{s}");
    t.send(&["?", "q"]);
    // stty has printed once its marker shows.
    let s = t.wait_for("STTY-DONE");
    assert!(s.contains("EXIT=0"), "{s}");
    assert!(
        s.contains(" icanon") || s.starts_with("icanon") || s.contains("\nicanon"),
        "canonical mode back:\n{s}"
    );
    assert!(
        !s.contains("-icanon") && !s.contains("-echo"),
        "raw mode left on:\n{s}"
    );
    assert!(!s.contains("Bảng kết quả"), "alternate screen left:\n{s}");
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    for (i, sig) in ["TERM", "HUP"].iter().enumerate() {
        let t = Tmux::start(&format!("sig{i}"), &session_cmd(&db));
        t.wait_for("Bảng kết quả");
        let status = Command::new("pkill")
            .arg(format!("-{sig}"))
            .arg("-f")
            .arg(format!("^{CHISO} --db {}$", db.display()))
            .status()
            .unwrap();
        assert!(status.success(), "pkill found chiso");
        let s = t.wait_for("STTY-DONE");
        let want = if *sig == "TERM" {
            "EXIT=143"
        } else {
            "EXIT=129"
        };
        assert!(s.contains(want), "{sig}: {s}");
        assert!(
            !s.contains("-icanon") && !s.contains("-echo"),
            "{sig}: raw mode left on:\n{s}"
        );
    }
}

/// Runs a chiso command on the database and returns its stdout.
fn chiso_out(db: &Path, args: &[&str]) -> String {
    let out = Command::new(CHISO)
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn type_a_column_paste_a_table_undo_and_quit() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let t = Tmux::start("edit", &session_cmd(&db));
    t.wait_for("25/25 đủ số liệu");
    // A new month, then its processing column typed top to bottom.
    t.send(&["n"]);
    t.wait_for("tháng mới, chưa có số liệu");
    t.send(&["l", "9", "9", ",", "5", "Enter"]);
    t.send(&["8", "8", ".", "2", "5", "Enter"]);
    t.send(&["1", "0", "0", "Enter"]);
    let s = t.wait_for("100,00");
    assert!(s.contains("99,50") && s.contains("88,25"), "{s}");
    // A table copied from a spreadsheet, pasted as one bracketed paste.
    let tsv = dir.path().join("paste.tsv");
    std::fs::write(&tsv, "Chí Tân\t97\t91,5\nDạ Trạch\t96\t90\n").unwrap();
    let status = Command::new("tmux")
        .args(["-L", &t.socket, "load-buffer", "-b", "p"])
        .arg(&tsv)
        .status()
        .unwrap();
    assert!(status.success());
    let status = Command::new("tmux")
        .args(["-L", &t.socket, "paste-buffer", "-p", "-b", "p", "-t", "t"])
        .status()
        .unwrap();
    assert!(status.success());
    let s = t.wait_for("Xem trước khi ghi");
    let s = if s.contains("4 mới") {
        s
    } else {
        t.wait_for("4 mới")
    };
    assert!(s.contains("Dán 2 dòng"), "{s}");
    t.send(&["y"]);
    t.wait_for("Đã ghi 4 giá trị");
    // Undo takes back the paste, then the last typed cell.
    t.send(&["u"]);
    t.wait_for("Đã hoàn tác: 4 ô");
    t.send(&["u"]);
    t.wait_for("Đã hoàn tác: Xử lý % Bình Minh");
    t.send(&["q"]);
    let s = t.wait_for("STTY-DONE");
    assert!(s.contains("EXIT=0"), "{s}");

    let json: serde_json::Value = serde_json::from_str(&chiso_out(
        &db,
        &["export", "--period", "2024-09", "--format", "json"],
    ))
    .unwrap();
    let units = json["units"].as_array().unwrap();
    let got: Vec<(String, serde_json::Value)> = units
        .iter()
        .map(|u| (u["name"].as_str().unwrap().to_owned(), u["values"].clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("An Vỹ".to_owned(), serde_json::json!({"processing": 99.5})),
            (
                "Bình Kiều".to_owned(),
                serde_json::json!({"processing": 88.25})
            ),
        ],
        "{json}"
    );
    let log = chiso_out(&db, &["log", "--period", "2024-09", "--format", "json"]);
    let log: Vec<serde_json::Value> = serde_json::from_str(&log).unwrap();
    let sources: Vec<&str> = log.iter().map(|e| e["source"].as_str().unwrap()).collect();
    assert_eq!(
        sources,
        [
            "edit", "edit", "edit", "paste", "paste", "paste", "paste", "undo", "undo", "undo",
            "undo", "undo"
        ],
        "{log:#?}"
    );
}

#[test]
fn a_province_by_group_and_a_merged_units_history() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("province.db");
    chiso_out(&db, &["demo", "--province"]);
    let t = Tmux::start("province", &session_cmd(&db));
    let s = t.wait_for("10/10 đủ số liệu");
    assert!(s.contains("Tỉnh Hưng Yên") && s.contains("Nhóm"), "{s}");
    t.send(&["g"]);
    let s = t.wait_for("nhóm: Cơ quan cấp tỉnh");
    assert!(
        s.contains("Công an tỉnh") && !s.contains("Xã Tân Hưng"),
        "{s}"
    );
    // Esc alone: Esc then "[" at once would read as a terminal sequence.
    t.send(&["Escape"]);
    t.wait_for("· 10/10 đơn vị");
    t.send(&["[", "["]);
    let s = t.wait_for("* mới, sáp nhập");
    assert!(s.contains("Xã Tân Hưng *"), "formed in 7/2025:\n{s}");
    t.send(&["/", "tan hung", "Enter", "Enter"]);
    let s = t.wait_for("Trước 7/2025: Xã Thủ Sỹ (toàn bộ)");
    assert!(s.contains("Xã Tân Hưng: mọi tháng"), "{s}");
    t.send(&["q"]);
    let s = t.wait_for("STTY-DONE");
    assert!(s.contains("EXIT=0"), "{s}");
}

#[test]
fn a_save_waiting_for_another_writer_keeps_the_screen_alive_then_lands() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let t = Tmux::start("wait", &session_cmd(&db));
    t.wait_for("25/25 đủ số liệu");
    // Another process's long write holds the lock for 3 s.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE; INSERT INTO settings VALUES ('holder', '1');")
        .unwrap();
    t.send(&["l", "4", "2", "Enter"]);
    t.wait_for("Đang chờ một lệnh ghi khác xong… 0 giây");
    // The event loop redraws while it waits: the seconds count up.
    t.wait_for("Đang chờ một lệnh ghi khác xong… 2 giây");
    conn.execute_batch("ROLLBACK").unwrap();
    let s = t.wait_for("42,00");
    assert!(!s.contains("Đang chờ"), "{s}");
    let row = s.lines().find(|l| l.contains("An Vỹ")).unwrap_or_default();
    assert!(row.contains("42,00"), "{s}");
    t.send(&["q"]);
    t.wait_for("STTY-DONE");
}

/// A long import on a real terminal shows where it is on stderr, then
/// erases the line: what is left on the screen is the summary alone.
#[test]
fn a_long_import_shows_progress_on_a_terminal_then_erases_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let out = Command::new(CHISO)
        .arg("--db")
        .arg(&db)
        .args(["init", "--parent", chiso::synthetic::PARENT])
        .output()
        .unwrap();
    assert!(out.status.success());
    let names = chiso::synthetic::unit_names(60_000);
    let csv = chiso::synthetic::month_csv(&names, chiso::synthetic::PARENT, (2024, 8), 3);
    let file = dir.path().join("month.csv");
    std::fs::write(&file, csv).unwrap();
    // stdout to a file, stderr to the terminal; progress from the start.
    let cmd = format!(
        "CHISO_PROGRESS_AFTER_MS=0 {CHISO} --db '{}' import '{}' --period 2024-08 --create-units > '{}'; echo KẾT-THÚC; sleep 30",
        db.display(),
        file.display(),
        dir.path().join("out.txt").display()
    );
    let t = Tmux::start("progress", &format!("bash --norc -c \"{cmd}\""));
    let start = Instant::now();
    let mut seen = false;
    loop {
        let s = t.screen();
        seen |= s.contains("chiso: đ");
        if s.contains("KẾT-THÚC") {
            assert!(!s.contains("chiso: đ"), "the progress line was left:\n{s}");
            assert!(
                s.lines().next().unwrap_or_default().starts_with("KẾT-THÚC"),
                "{s}"
            );
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "{s}");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(seen, "no progress line was ever shown");
    let summary = std::fs::read_to_string(dir.path().join("out.txt")).unwrap();
    assert!(
        summary.contains("60000 đơn vị mới") || summary.contains("60.000"),
        "{summary}"
    );
}

/// No line of a real terminal's screen runs into its last column, where a
/// word or number would be cut (tmux measures characters as it does, not
/// as the program thought): a full line ends in a border or a key hint.
fn assert_whole(s: &str, width: usize) {
    for l in s.lines() {
        let l = l.trim_end();
        let full = unicode_width::UnicodeWidthStr::width(l) >= width;
        let whole = l.ends_with('─') || l.ends_with(" · q thoát");
        assert!(!full || whole, "cut at {width} columns:\n{l}\n\n{s}");
    }
}

#[test]
fn at_80x24_a_filter_after_end_shows_its_rows_and_a_pasted_reason_is_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let t = Tmux::start_sized("fit", &session_cmd(&db), 80, 24);
    let s = t.wait_for("25/25 đủ số liệu");
    assert_whole(&s, 80);
    // The clerk's case: the last row, then a filter: every match drawn.
    t.send(&["End"]);
    t.send(&["/", "dong", "Enter"]);
    let s = t.wait_for("4/25 đơn vị");
    for name in ["Đông Kết", "Đông Ninh", "Đông Tảo", "Đồng Tiến"] {
        assert!(s.contains(name), "{name}:\n{s}");
    }
    t.send(&["Escape"]);
    t.wait_for("25/25 đơn vị");
    t.send(&["f"]);
    let s = t.wait_for("chịu trách nhiệm");
    assert_whole(&s, 80);
    t.send(&["Escape"]);
    t.wait_for("Bảng kết quả");
    // A pasted cell that is not a number: its reason whole on screen.
    t.send(&["Home", "l"]);
    let tsv = dir.path().join("paste.tsv");
    std::fs::write(&tsv, "Dạ Trạch\tabc\n").unwrap();
    for args in [
        vec!["load-buffer", "-b", "p", tsv.to_str().unwrap()],
        vec!["paste-buffer", "-p", "-b", "p", "-t", "t"],
    ] {
        let status = Command::new("tmux")
            .args(["-L", &t.socket])
            .args(&args)
            .status()
            .unwrap();
        assert!(status.success());
    }
    let s = t.wait_for("(có thể kèm %)");
    assert!(
        s.contains("viết như 93,45 hoặc 93.45 (có thể kèm %)"),
        "{s}"
    );
    assert_whole(&s, 80);
    t.send(&["Escape"]);
    t.wait_for("Đã bỏ, không ghi gì");
    t.send(&["q"]);
    let s = t.wait_for("STTY-DONE");
    assert!(s.contains("EXIT=0"), "{s}");
}
