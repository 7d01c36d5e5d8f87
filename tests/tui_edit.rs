//! Typing values in the TUI: the editor's keys through the real keymap
//! into the app, what lands in the database file, undo and redo, clearing,
//! a new month, conflicts with another writer, and screen snapshots of the
//! editor. Data: the demo database in a temporary directory.

use chiso::db::{Actor, Catalog, Db, values};
use chiso::edit::{self, CellEdit, Source};
use chiso::model::{Period, Value};
use chiso::tui::app::{App, View};
use chiso::tui::terminal::{fit, handle_key};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use std::path::{Path, PathBuf};

#[path = "common/screen.rs"]
mod screen_helpers;
use screen_helpers::{key, keys, screen};

#[path = "common/read_only.rs"]
mod read_only;

fn demo() -> (tempfile::TempDir, PathBuf, App) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    chiso::demo::build(&path).unwrap();
    let mut app = App::open(&path).unwrap();
    fit(&mut app, Rect::new(0, 0, 80, 24));
    (dir, path, app)
}

/// What the file holds for a unit (by name), metric and month.
fn stored(db: &Path, unit: &str, metric: &str, period: &str) -> Option<Value> {
    let db = Db::open(db).unwrap();
    let cat = Catalog::load(db.conn()).unwrap();
    let id: i64 = db
        .conn()
        .query_row("SELECT id FROM units WHERE name = ?1", [unit], |r| r.get(0))
        .unwrap();
    values::load_one(db.conn(), Period::parse(period).unwrap(), id, &cat)
        .unwrap()
        .and_then(|r| r[cat.index_of(metric).unwrap()].clone())
}

fn num(x: f64) -> Option<Value> {
    Some(Value::Num(x))
}

/// Another operator, on their own connection, saves `unit`'s `metric` of
/// `period` from `old` to `new`. Returns the metric's catalog index.
fn saved_elsewhere(
    db: &Path,
    unit: &str,
    metric: &str,
    period: &str,
    old: Option<Value>,
    new: Option<Value>,
) -> usize {
    let mut other = Db::open(db).unwrap();
    let cat = Catalog::load(other.conn()).unwrap();
    let id: i64 = other
        .conn()
        .query_row("SELECT id FROM units WHERE name = ?1", [unit], |r| r.get(0))
        .unwrap();
    let e = CellEdit {
        period: Period::parse(period).unwrap(),
        unit_id: id,
        metric: cat.index_of(metric).unwrap(),
        old,
        new,
    };
    let actor = Actor {
        os_user: "other".into(),
        ssh_client: None,
    };
    edit::apply(&mut other, &cat, &actor, &e, Source::Edit, unit).unwrap();
    e.metric
}

/// A third connection takes the write lock and keeps it for `ms`; returns
/// once it holds it.
fn hold_write_lock(db: &Path, ms: u64) -> std::thread::JoinHandle<()> {
    let path = db.to_owned();
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("BEGIN IMMEDIATE").unwrap();
        locked_tx.send(()).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(ms));
        c.execute_batch("COMMIT").unwrap();
    });
    locked_rx.recv().unwrap();
    holder
}

/// What the event loop does while a save waits for another writer: tries
/// it again every `RETRY` until it is written or given up.
fn settle(app: &mut App) {
    let t = std::time::Instant::now();
    while app.waiting.is_some() {
        assert!(
            t.elapsed() < std::time::Duration::from_secs(60),
            "still waiting"
        );
        std::thread::sleep(chiso::tui::waiting::RETRY);
        app.retry_write();
    }
}

/// The footer says a save was written, naming the cell.
fn assert_saved(app: &App, what: &str) {
    let msg = app.message.clone().unwrap_or_default();
    assert!(msg.starts_with("Đã lưu ") && msg.contains(what), "{msg}");
}

/// Unit names of the first visible rows.
fn cursor_name(app: &App) -> String {
    let m = app.month.as_ref().unwrap();
    m.table.units[m.visible[app.cursor]].name.clone()
}

#[test]
fn a_column_typed_top_to_bottom_is_saved_cell_by_cell() {
    let (_d, db, mut app) = demo();
    // Column 1 is processing (Xử lý %); rows are in name order.
    keys(&mut app, "l");
    keys(&mut app, "95,5");
    assert_eq!(app.editor.as_ref().unwrap().input, "95,5");
    key(&mut app, KeyCode::Enter);
    assert!(app.editor.is_none());
    assert_eq!(cursor_name(&app), "Bình Kiều");
    keys(&mut app, "93.45");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "88%");
    key(&mut app, KeyCode::Enter);
    assert_eq!(cursor_name(&app), "Chí Tân");
    assert_eq!(stored(&db, "An Vỹ", "processing", "2024-08"), num(95.5));
    assert_eq!(
        stored(&db, "Bình Kiều", "processing", "2024-08"),
        num(93.45)
    );
    assert_eq!(stored(&db, "Bình Minh", "processing", "2024-08"), num(88.0));
    // The screen shows what the file holds, and the findings follow it.
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("93,45"), "{s}");
    let m = app.month.as_ref().unwrap();
    let an_vy = m
        .table
        .units
        .iter()
        .position(|u| u.name == "An Vỹ")
        .unwrap();
    assert_eq!(m.marks[an_vy].rules.len(), 1, "95,5 < 100: processing_late");
}

#[test]
fn tab_saves_and_moves_right_and_esc_saves_nothing() {
    let (_d, db, mut app) = demo();
    keys(&mut app, "l");
    keys(&mut app, "99");
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.col, 2);
    keys(&mut app, "97");
    key(&mut app, KeyCode::BackTab);
    assert_eq!(app.col, 1);
    keys(&mut app, "12");
    key(&mut app, KeyCode::Esc);
    assert!(app.editor.is_none());
    assert_eq!(stored(&db, "An Vỹ", "processing", "2024-08"), num(99.0));
    assert_eq!(stored(&db, "An Vỹ", "satisfaction", "2024-08"), num(97.0));
}

#[test]
fn a_bad_value_is_refused_on_the_spot_and_nothing_is_saved() {
    let (_d, db, mut app) = demo();
    let before = stored(&db, "An Vỹ", "processing", "2024-08");
    keys(&mut app, "l");
    keys(&mut app, "120");
    insta::assert_snapshot!("edit_open_80x24", screen(&mut app, 80, 24));
    key(&mut app, KeyCode::Enter);
    let err = app.editor.as_ref().unwrap().error.clone().unwrap();
    assert!(err.contains("từ 0 đến 100"), "{err}");
    insta::assert_snapshot!("edit_invalid_80x24", screen(&mut app, 80, 24));
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    keys(&mut app, "x");
    key(&mut app, KeyCode::Enter);
    assert!(app.editor.as_ref().unwrap().error.is_some(), "\"1x\"");
    key(&mut app, KeyCode::Esc);
    assert_eq!(stored(&db, "An Vỹ", "processing", "2024-08"), before);
    // Emptying a stored value is not how to clear it.
    key(&mut app, KeyCode::Char('e'));
    for _ in 0..6 {
        key(&mut app, KeyCode::Backspace);
    }
    key(&mut app, KeyCode::Enter);
    assert!(
        app.editor
            .as_ref()
            .unwrap()
            .error
            .as_ref()
            .unwrap()
            .contains('x')
    );
}

#[test]
fn a_rating_takes_its_first_letters_or_the_arrows() {
    let (_d, db, mut app) = demo();
    // The rating is the last metric column.
    let n = app.month.as_ref().unwrap().columns.len();
    for _ in 0..n {
        keys(&mut app, "l");
    }
    keys(&mut app, "e");
    assert_eq!(app.editor.as_ref().unwrap().input, "Tốt");
    // Typing replaces the value shown.
    keys(&mut app, "k");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        stored(&db, "An Vỹ", "rating", "2024-08"),
        Some(Value::Label("Khá".into()))
    );
    keys(&mut app, "e");
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    assert_eq!(app.editor.as_ref().unwrap().input, "Trung bình");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        stored(&db, "Bình Kiều", "rating", "2024-08"),
        Some(Value::Label("Trung bình".into()))
    );
    // "t" could be Tốt or Trung bình: refused.
    keys(&mut app, "et");
    key(&mut app, KeyCode::Enter);
    assert!(app.editor.as_ref().unwrap().error.is_some());
}

#[test]
fn clearing_asks_first_and_undo_redo_walk_the_session() {
    let (_d, db, mut app) = demo();
    keys(&mut app, "l");
    let was = stored(&db, "An Vỹ", "processing", "2024-08");
    assert_eq!(was, num(100.0));
    keys(&mut app, "x");
    assert!(app.confirm.is_some());
    keys(&mut app, "n");
    assert!(app.confirm.is_none());
    assert_eq!(stored(&db, "An Vỹ", "processing", "2024-08"), was);
    key(&mut app, KeyCode::Delete);
    keys(&mut app, "y");
    assert_eq!(stored(&db, "An Vỹ", "processing", "2024-08"), None);
    assert_eq!(cursor_name(&app), "An Vỹ", "clearing stays on the cell");
    keys(&mut app, "j50");
    key(&mut app, KeyCode::Enter);
    assert_eq!(stored(&db, "Bình Kiều", "processing", "2024-08"), num(50.0));

    keys(&mut app, "u");
    assert_eq!(stored(&db, "Bình Kiều", "processing", "2024-08"), num(37.9));
    keys(&mut app, "u");
    assert_eq!(stored(&db, "An Vỹ", "processing", "2024-08"), was);
    keys(&mut app, "u");
    assert!(app.message.as_ref().unwrap().contains("Không còn"));
    handle_key(
        &mut app,
        KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL),
    );
    assert_eq!(stored(&db, "An Vỹ", "processing", "2024-08"), None);
    // A new edit forgets what could be redone.
    keys(&mut app, "7");
    key(&mut app, KeyCode::Enter);
    handle_key(
        &mut app,
        KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL),
    );
    assert!(app.message.as_ref().unwrap().contains("Không có gì"));

    // Every change is in the log, undos as undos; L shows one cell's.
    let log = chiso::db::audit::history(
        Db::open(&db).unwrap().conn(),
        chiso::db::audit::Query {
            period: Period::parse("2024-08"),
            unit_id: None,
            metric: Some("processing"),
        },
    )
    .unwrap();
    let sources: Vec<&str> = log
        .iter()
        .filter(|e| e.source != "import")
        .map(|e| e.source.as_str())
        .collect();
    assert_eq!(sources, ["edit", "edit", "undo", "undo", "edit", "edit"]);
    key(&mut app, KeyCode::Home);
    keys(&mut app, "L");
    assert_eq!(app.view(), View::Log);
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("Lịch sử Xử lý % · An Vỹ"), "{s}");
    // Sources in Vietnamese, not the log's codes.
    assert!(s.contains("hoàn tác") && s.contains("sửa ô"), "{s}");
    assert!(!s.contains("undo") && !s.contains(" edit"), "{s}");
}

#[test]
fn a_new_month_opens_empty_and_fills_as_typed() {
    let (_d, db, mut app) = demo();
    keys(&mut app, "n");
    let m = app.month.as_ref().unwrap();
    assert_eq!(m.table.period.to_string(), "2024-09");
    assert_eq!(m.complete, 0);
    assert!(m.columns.len() >= 7, "last month's columns, empty");
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("0/25 đủ số liệu"), "{s}");
    keys(&mut app, "l99");
    key(&mut app, KeyCode::Enter);
    assert_eq!(stored(&db, "An Vỹ", "processing", "2024-09"), num(99.0));
    assert!(app.periods.iter().any(|p| p.to_string() == "2024-09"));
    // Still on the new month, and [ ] step through it.
    keys(&mut app, "[");
    assert_eq!(
        app.month.as_ref().unwrap().table.period.to_string(),
        "2024-08"
    );
    keys(&mut app, "]");
    assert_eq!(
        app.month.as_ref().unwrap().table.period.to_string(),
        "2024-09"
    );
}

#[test]
fn a_cell_changed_elsewhere_meanwhile_is_not_overwritten() {
    let (_d, db, mut app) = demo();
    keys(&mut app, "l");
    keys(&mut app, "80");
    // Another operator saves the same cell first.
    let metric = saved_elsewhere(&db, "An Vỹ", "processing", "2024-08", num(100.0), num(66.0));
    key(&mut app, KeyCode::Enter);
    assert_eq!(stored(&db, "An Vỹ", "processing", "2024-08"), num(66.0));
    let msg = app.message.clone().unwrap();
    assert!(msg.contains("66"), "{msg}");
    // The screen was read again: it shows the other operator's value.
    let m = app.month.as_ref().unwrap();
    let u = m
        .table
        .units
        .iter()
        .position(|u| u.name == "An Vỹ")
        .unwrap();
    assert_eq!(m.value(u, metric), Some(&Value::Num(66.0)));
}

#[test]
fn a_pasted_table_opens_a_preview_and_only_y_writes_it() {
    let (_d, db, mut app) = demo();
    keys(&mut app, "l");
    let was = stored(&db, "An Vỹ", "satisfaction", "2024-08");
    // Terminals send line breaks in a paste as CR.
    app.paste("An Vỹ\t99\t95,5\rBinh Kieu\t40\rDạ Trạch\tabc\r");
    assert_eq!(app.view(), View::Preview);
    insta::assert_snapshot!("paste_preview_120x30", screen(&mut app, 120, 30));
    keys(&mut app, "y");
    assert_eq!(app.view(), View::Preview, "invalid rows: not written");
    assert_eq!(stored(&db, "An Vỹ", "satisfaction", "2024-08"), was);
    // Accept the suggestion, leave out the bad row, write.
    key(&mut app, KeyCode::Down);
    keys(&mut app, "a");
    key(&mut app, KeyCode::Down);
    keys(&mut app, "x");
    keys(&mut app, "y");
    assert_eq!(app.view(), View::Month);
    assert_eq!(stored(&db, "An Vỹ", "satisfaction", "2024-08"), num(95.5));
    assert_eq!(stored(&db, "Bình Kiều", "processing", "2024-08"), num(40.0));
    assert!(app.message.as_ref().unwrap().contains("Đã ghi 3"));
    // The whole paste is one step for u and Ctrl-r.
    keys(&mut app, "u");
    assert_eq!(stored(&db, "An Vỹ", "satisfaction", "2024-08"), was);
    assert_eq!(stored(&db, "Bình Kiều", "processing", "2024-08"), num(37.9));
    handle_key(
        &mut app,
        KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL),
    );
    assert_eq!(stored(&db, "An Vỹ", "satisfaction", "2024-08"), num(95.5));
    assert_eq!(stored(&db, "Bình Kiều", "processing", "2024-08"), num(40.0));

    // Esc drops a preview; a one-value paste goes into the open editor.
    app.paste("Chí Tân\t12\n");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.view(), View::Month);
    assert_eq!(stored(&db, "Chí Tân", "processing", "2024-08"), num(100.0));
    keys(&mut app, "e");
    app.paste("77,7");
    assert_eq!(app.editor.as_ref().unwrap().input, "77,7");
}

#[test]
fn i_imports_files_through_the_same_preview() {
    let (dir, db, mut app) = demo();
    let file = dir.path().join("thang 8.tsv");
    std::fs::write(
        &file,
        "STT\tĐơn vị\tKết quả tỷ lệ số hoá (%)\n1\tAn Vỹ\t82,5\n2\tĐông Tiến\t40\n",
    )
    .unwrap();
    keys(&mut app, "i");
    assert!(app.prompt.is_some());
    let quoted = format!("\"{}\"", file.display());
    keys(&mut app, &quoted);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.view(), View::Preview);
    insta::assert_snapshot!("import_preview_120x30", screen(&mut app, 120, 30));
    // The demo knows "Đông Tiến" (the seed's own spelling) as an alias.
    keys(&mut app, "y");
    assert_eq!(stored(&db, "An Vỹ", "digitization", "2024-08"), num(82.5));
    assert_eq!(
        stored(&db, "Đồng Tiến", "digitization", "2024-08"),
        num(40.0)
    );
    // Recorded as an import of that file, with its checksum.
    let conn = Db::open(&db).unwrap();
    let (name, sha): (String, String) = conn
        .conn()
        .query_row(
            "SELECT file_name, sha256 FROM imports ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(name.ends_with("thang 8.tsv"), "{name}");
    assert_eq!(sha.len(), 64);
    // A file in the old Vietnamese code page, read as the CLI would.
    let old = dir.path().join("cp1258.tsv");
    let mut bytes = b"\xD0\xF5n vi\xF2\tdigitization\n".to_vec();
    bytes.extend_from_slice(b"Ch\xED T\xE2n\t55\n");
    std::fs::write(&old, bytes).unwrap();
    keys(&mut app, &format!("i{}", old.display()));
    key(&mut app, KeyCode::Enter);
    assert!(app.preview.as_ref().unwrap().preview.problems[0].contains("--encoding"));
    key(&mut app, KeyCode::Esc);
    keys(
        &mut app,
        &format!("i--encoding windows-1258 {}", old.display()),
    );
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "y");
    assert_eq!(stored(&db, "Chí Tân", "digitization", "2024-08"), num(55.0));
    // A missing file says so at the prompt.
    keys(&mut app, "inope.csv");
    key(&mut app, KeyCode::Enter);
    assert!(
        app.prompt
            .as_ref()
            .unwrap()
            .note
            .as_ref()
            .unwrap()
            .contains("nope.csv")
    );
}

#[test]
fn edits_wait_for_another_writer_and_a_command_line_import_alongside() {
    let (_d, db, mut app) = demo();
    // Another connection holds the write lock for a moment, as a long
    // import would: the save waits (tried again from the event loop)
    // instead of failing.
    let holder = hold_write_lock(&db, 400);
    keys(&mut app, "l42");
    key(&mut app, KeyCode::Enter);
    holder.join().unwrap();
    settle(&mut app);
    assert_saved(&app, "Xử lý % An Vỹ, tháng 8/2024: 100 → 42");
    assert_eq!(stored(&db, "An Vỹ", "processing", "2024-08"), num(42.0));

    // A real `chiso import` into another month while the TUI keeps saving:
    // a third connection holds the write lock while both start, so they
    // meet when it lets go.
    let holder = hold_write_lock(&db, 500);
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/khoai-chau-2024-08-phu-luc-1.tsv");
    let import = std::process::Command::new(env!("CARGO_BIN_EXE_chiso"))
        .arg("--db")
        .arg(&db)
        .args(["import", "--period", "2024-10"])
        .arg(&file)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    key(&mut app, KeyCode::Home);
    for i in 0..20 {
        keys(&mut app, &format!("{}", 50 + i));
        key(&mut app, KeyCode::Enter);
        settle(&mut app);
        assert!(
            app.message.as_ref().unwrap().starts_with("Đã lưu "),
            "edit {i}"
        );
    }
    holder.join().unwrap();
    let import = import.wait_with_output().unwrap();
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    assert_eq!(stored(&db, "An Vỹ", "processing", "2024-10"), num(100.0));
    assert_eq!(stored(&db, "An Vỹ", "processing", "2024-08"), num(50.0));
}

#[test]
fn the_parents_own_figures_are_typed_on_its_row_above_the_units() {
    let (_d, db, mut app) = demo();
    keys(&mut app, "n");
    key(&mut app, KeyCode::Up);
    assert!(app.on_parent);
    keys(&mut app, "l99,62");
    insta::assert_snapshot!("edit_parent_80x24", screen(&mut app, 80, 24));
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        stored(&db, "Huyện Khoái Châu", "processing", "2024-09"),
        num(99.62)
    );
    // Enter went down to the first unit.
    assert!(!app.on_parent);
    assert_eq!(cursor_name(&app), "An Vỹ");
    keys(&mut app, "100");
    key(&mut app, KeyCode::Enter);
    assert_eq!(stored(&db, "An Vỹ", "processing", "2024-09"), num(100.0));
    // Back up twice: the parent's row again; Enter there opens its history.
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Up);
    assert!(app.on_parent);
    keys(&mut app, "h");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.view(), View::Unit(app.unit.as_ref().unwrap().unit.id));
    assert_eq!(app.unit.as_ref().unwrap().unit.name, "Huyện Khoái Châu");
}

#[test]
fn review_cases_a_paste_never_answers_a_question_and_parent_rows_paste_to_the_parent() {
    let (_d, db, mut app) = demo();
    // x asks; a paste drops the question (no), and y then is the preview's.
    keys(&mut app, "lx");
    assert!(app.confirm.is_some());
    app.paste("Chí Tân\t97\n");
    assert!(app.confirm.is_none());
    keys(&mut app, "y");
    assert_eq!(stored(&db, "An Vỹ", "processing", "2024-08"), num(100.0));
    assert_eq!(stored(&db, "Chí Tân", "processing", "2024-08"), num(97.0));
    // Esc and y arriving together (Alt-y) answer no, then y does nothing.
    keys(&mut app, "x");
    handle_key(
        &mut app,
        KeyEvent::new(KeyCode::Char('y'), KeyModifiers::ALT),
    );
    assert!(app.confirm.is_none());
    assert_eq!(stored(&db, "An Vỹ", "processing", "2024-08"), num(100.0));
    // A paste while filtering goes into the filter.
    keys(&mut app, "/");
    app.paste("dong\n");
    assert_eq!(app.filter_input, "dong");
    key(&mut app, KeyCode::Esc);
    // A paste without names on the parent's row starts at the parent.
    keys(&mut app, "n");
    key(&mut app, KeyCode::Home);
    key(&mut app, KeyCode::Up);
    assert!(app.on_parent);
    app.paste("99,62\n100\n");
    keys(&mut app, "y");
    assert_eq!(
        stored(&db, "Huyện Khoái Châu", "processing", "2024-09"),
        num(99.62)
    );
    assert_eq!(stored(&db, "An Vỹ", "processing", "2024-09"), num(100.0));
}

#[test]
fn review_cases_the_cursor_follows_the_units_and_a_new_month_stays() {
    let (_d, db, mut app) = demo();
    // Filtered to late units; a save that takes Bình Kiều out of the
    // filter moves on to the next late unit, not past it.
    keys(&mut app, "/processing<100");
    key(&mut app, KeyCode::Enter);
    let names = |app: &App| {
        let m = app.month.as_ref().unwrap();
        m.visible
            .iter()
            .map(|&u| m.table.units[u].name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&app)[..2], ["Bình Kiều", "Đông Kết"]);
    keys(&mut app, "l100");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        stored(&db, "Bình Kiều", "processing", "2024-08"),
        num(100.0)
    );
    assert_eq!(cursor_name(&app), "Đông Kết");
    key(&mut app, KeyCode::Esc);

    // A new month stays on screen when another process writes.
    keys(&mut app, "n");
    let old = stored(&db, "Chí Tân", "score", "2024-07");
    saved_elsewhere(&db, "Chí Tân", "score", "2024-07", old, num(1.0));
    assert!(app.check_for_changes().unwrap());
    assert_eq!(
        app.month.as_ref().unwrap().table.period.to_string(),
        "2024-09"
    );
}

#[test]
fn review_cases_the_first_month_of_a_file_keeps_its_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let bin = env!("CARGO_BIN_EXE_chiso");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(bin)
            .arg("--db")
            .arg(&path)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["init", "--parent", "Huyện Thử"]);
    run(&["units", "add", "Xã Một"]);
    run(&["units", "add", "Xã Hai"]);
    let mut app = App::open(&path).unwrap();
    fit(&mut app, Rect::new(0, 0, 120, 30));
    keys(&mut app, "n");
    let before = app.month.as_ref().unwrap().columns.clone();
    assert_eq!(before.len(), 7, "the annexes' metrics");
    keys(&mut app, "lll50");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.month.as_ref().unwrap().columns, before);
    keys(&mut app, "60");
    key(&mut app, KeyCode::Enter);
    assert_saved(&app, "TTTT % Xã Một");
    let period = app.month.as_ref().unwrap().table.period.to_string();
    assert_eq!(
        stored(&path, "Xã Hai", "online_payment", &period),
        num(50.0)
    );
    assert_eq!(
        stored(&path, "Xã Một", "online_payment", &period),
        num(60.0)
    );
}

#[test]
fn r_shows_the_letter_and_w_writes_the_docx_next_to_the_database() {
    let (dir, _db, mut app) = demo();
    keys(&mut app, "r");
    assert_eq!(app.view(), View::Report);
    insta::assert_snapshot!("report_view_100x30", screen(&mut app, 100, 30));
    // Scrolls down to the directives.
    for _ in 0..40 {
        key(&mut app, KeyCode::Down);
    }
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("5/25 xã, thị trấn"), "{s}");
    // The annexes are wider than the screen: → scrolls sideways.
    key(&mut app, KeyCode::End);
    for _ in 0..200 {
        key(&mut app, KeyCode::PageDown);
    }
    for _ in 0..3 {
        key(&mut app, KeyCode::Right);
    }
    assert_eq!(app.scroll_x, 24);
    key(&mut app, KeyCode::Home);
    assert_eq!((app.scroll, app.scroll_x), (0, 0));
    keys(&mut app, "w");
    let expected = dir.path().join("cong-van-2024-08.docx");
    let prompt = app.prompt.clone().unwrap();
    assert!(prompt.write_docx);
    assert_eq!(
        chiso::tui::pasting::split_words(&prompt.input),
        [expected.display().to_string()]
    );
    key(&mut app, KeyCode::Enter);
    assert!(app.prompt.is_none());
    let msg = app.message.clone().unwrap();
    assert!(msg.contains("Đã ghi công văn tháng 8/2024"), "{msg}");
    let bytes = std::fs::read(&expected).unwrap();
    assert!(docx_rs::read_docx(&bytes).is_ok());
    // Back to the table; w works there too, and a bad folder is said.
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.view(), View::Month);
    keys(&mut app, "w");
    for _ in 0..200 {
        key(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "/nonexistent/dir/x.docx");
    key(&mut app, KeyCode::Enter);
    let note = app.prompt.as_ref().unwrap().note.clone().unwrap();
    assert!(note.contains("không ghi được"), "{note}");
}

#[test]
fn findings_never_use_a_month_another_process_changed_since() {
    let (_d, path, mut app) = demo();
    let previous = |app: &App| {
        app.findings
            .as_ref()
            .unwrap()
            .findings
            .iter()
            .find(|f| f.unit == "Bình Kiều" && f.rule == "processing_late")
            .and_then(|f| f.hit.previous.clone())
    };
    let july = stored(&path, "Bình Kiều", "processing", "2024-07");
    // Another operator corrects Bình Kiều's July; this screen has not
    // noticed yet (it checks about once a second).
    saved_elsewhere(
        &path,
        "Bình Kiều",
        "processing",
        "2024-07",
        july.clone(),
        num(61.5),
    );
    // Back and forth: August is read again, July comes from the month
    // held before the change. The findings do not borrow it.
    keys(&mut app, "[]");
    assert_eq!(
        app.month.as_ref().unwrap().table.period.to_string(),
        "2024-08"
    );
    keys(&mut app, "f");
    assert_eq!(previous(&app), num(61.5), "July read afresh, not {july:?}");
    // Once noticed, everything is read again and lent again.
    key(&mut app, KeyCode::Esc);
    assert!(app.check_for_changes().unwrap());
    keys(&mut app, "f");
    assert_eq!(previous(&app), num(61.5));
}

#[test]
fn w_asks_before_replacing_a_file_and_never_writes_over_a_database() {
    let (dir, db, mut app) = demo();
    let target = dir.path().join("cong-van-2024-08.docx");
    let signed = b"the letter as signed".to_vec();
    std::fs::write(&target, &signed).unwrap();
    keys(&mut app, "w");
    key(&mut app, KeyCode::Enter);
    // Asked, naming the file; nothing written yet.
    let prompt = app.prompt.clone().unwrap();
    assert_eq!(prompt.replace.as_deref(), Some(target.as_path()));
    let note = prompt.note.unwrap();
    assert_eq!(
        note,
        format!(
            "Tệp cong-van-2024-08.docx đã có: ghi đè? (y: ghi đè, phím khác: thôi) · {}",
            target.display()
        )
    );
    // The question alone on the footer: it fits 80 columns.
    let s = screen(&mut app, 80, 24);
    assert!(
        s.contains("Tệp cong-van-2024-08.docx đã có: ghi đè? (y: ghi đè, phím khác: thôi)"),
        "{s}"
    );
    assert_eq!(std::fs::read(&target).unwrap(), signed);
    // Any other key: kept, and the path stays to edit; nothing typed.
    keys(&mut app, "n");
    let prompt = app.prompt.clone().unwrap();
    assert_eq!((prompt.replace, prompt.note), (None, None));
    assert_eq!(
        chiso::tui::pasting::split_words(&prompt.input),
        [target.display().to_string()]
    );
    assert_eq!(std::fs::read(&target).unwrap(), signed);
    // Asked again; y replaces it.
    key(&mut app, KeyCode::Enter);
    assert!(app.prompt.as_ref().unwrap().replace.is_some());
    keys(&mut app, "y");
    assert!(app.prompt.is_none());
    let msg = app.message.clone().unwrap();
    assert!(msg.contains("Đã ghi công văn tháng 8/2024"), "{msg}");
    assert!(docx_rs::read_docx(&std::fs::read(&target).unwrap()).is_ok());
    // A database, the open one or any other, is refused without a question.
    let other = dir.path().join("khac.docx");
    std::fs::copy(&db, &other).unwrap();
    let before = std::fs::read(&other).unwrap();
    for path in [&db, &other] {
        keys(&mut app, "w");
        for _ in 0..300 {
            key(&mut app, KeyCode::Backspace);
        }
        keys(&mut app, &path.display().to_string());
        key(&mut app, KeyCode::Enter);
        let prompt = app.prompt.clone().unwrap();
        assert_eq!(prompt.replace, None);
        let note = prompt.note.unwrap();
        assert!(
            note.contains("là tệp cơ sở dữ liệu; không ghi đè"),
            "{note}"
        );
        keys(&mut app, "y");
        key(&mut app, KeyCode::Esc);
        assert!(app.prompt.is_none());
    }
    assert_eq!(std::fs::read(&other).unwrap(), before);
    assert!(App::open(&db).is_ok());
}

#[test]
fn a_save_waits_for_another_writer_and_the_screen_keeps_answering() {
    let (_d, db, mut app) = demo();
    let holder = hold_write_lock(&db, 1_500);
    keys(&mut app, "l42");
    let t = std::time::Instant::now();
    key(&mut app, KeyCode::Enter);
    // The key came back at once: the save waits on the footer.
    assert!(t.elapsed() < std::time::Duration::from_millis(600));
    assert!(app.waiting.is_some());
    assert!(screen(&mut app, 80, 24).contains("Đang chờ một lệnh ghi khác"));
    // Other keys wait too: no second edit races the first.
    keys(&mut app, "7");
    assert!(app.editor.is_none());
    // The loop's tries each return quickly, and the save lands.
    let mut longest = std::time::Duration::ZERO;
    while app.waiting.is_some() {
        std::thread::sleep(chiso::tui::waiting::RETRY);
        let t = std::time::Instant::now();
        app.retry_write();
        longest = longest.max(t.elapsed());
    }
    holder.join().unwrap();
    assert!(
        longest < std::time::Duration::from_millis(600),
        "{longest:?}"
    );
    assert_saved(&app, "Xử lý % An Vỹ, tháng 8/2024: 100 → 42");
    assert_eq!(stored(&db, "An Vỹ", "processing", "2024-08"), num(42.0));
    // The edit is in the session's history like any other.
    keys(&mut app, "u");
    assert_eq!(stored(&db, "An Vỹ", "processing", "2024-08"), num(100.0));
}

#[test]
fn a_save_waiting_too_long_or_given_up_writes_nothing_and_says_so() {
    let (_d, db, mut app) = demo();
    app.wait_limit = std::time::Duration::from_millis(700);
    let binh_kieu = stored(&db, "Bình Kiều", "processing", "2024-08");
    let holder = hold_write_lock(&db, 2_500);
    keys(&mut app, "l42");
    key(&mut app, KeyCode::Enter);
    assert!(app.waiting.is_some());
    settle(&mut app);
    let msg = app.message.clone().unwrap();
    assert!(msg.contains("Chưa ghi gì"), "{msg}");
    assert!(msg.contains(db.to_str().unwrap()), "{msg}");
    assert!(msg.contains("700 ms"), "{msg}");
    // Esc gives a waiting save up.
    keys(&mut app, "43");
    key(&mut app, KeyCode::Enter);
    assert!(app.waiting.is_some());
    key(&mut app, KeyCode::Esc);
    assert!(app.waiting.is_none());
    assert_eq!(app.message.as_deref(), Some("Đã thôi: không ghi gì."));
    holder.join().unwrap();
    assert_eq!(stored(&db, "An Vỹ", "processing", "2024-08"), num(100.0));
    assert_eq!(stored(&db, "Bình Kiều", "processing", "2024-08"), binh_kieu);
}

#[test]
fn a_read_only_file_opens_read_only_says_so_and_refuses_edits() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("chung");
    std::fs::create_dir(&folder).unwrap();
    let db = folder.join("demo.db");
    chiso::demo::build(&db).unwrap();
    let Some(_ro) = read_only::ReadOnly::make(&[&db, &folder]) else {
        return;
    };
    let mut app = App::open(&db).unwrap();
    assert!(app.read_only);
    let shown = screen(&mut app, 80, 24);
    assert!(shown.contains("CHỈ ĐỌC"), "{shown}");
    assert!(shown.contains("An Vỹ"), "{shown}");
    for k in ["l4", "x", "u", "n"] {
        app.message = None;
        keys(&mut app, k);
        assert!(app.editor.is_none() && app.confirm.is_none(), "{k}");
        let msg = app.message.clone().unwrap_or_default();
        assert!(msg.contains("chỉ đọc: không sửa được"), "{k}: {msg}");
    }
    // Reading goes on: the findings, another month.
    keys(&mut app, "f");
    assert_eq!(app.view(), View::Findings);
    assert_eq!(stored(&db, "An Vỹ", "processing", "2024-08"), num(100.0));
}

#[test]
fn an_empty_database_imports_a_file_without_a_month_and_makes_its_units() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_chiso"))
        .arg("--db")
        .arg(&path)
        .args(["init", "--parent", "Huyện Thử"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let file = dir.path().join("ket-qua.tsv");
    std::fs::write(
        &file,
        "STT\tĐơn vị\tKết quả xử lý hồ sơ (%)\n1\tXã Một\t99\n2\tXã Hai\t100\n",
    )
    .unwrap();
    let mut app = App::open(&path).unwrap();
    // The first screen says what to do here, not in another window.
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("Bấm i để nhập tệp"), "{s}");
    assert!(!s.contains("cửa sổ khác):"), "{s}");
    insta::assert_snapshot!("empty_80x24", s);
    keys(&mut app, "i");
    keys(&mut app, &format!("\"{}\"", file.display()));
    key(&mut app, KeyCode::Enter);
    // The file states no period: asked, with a month offered.
    let prompt = app.prompt.clone().unwrap();
    assert!(prompt.asks_month, "{prompt:?}");
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("Tệp không ghi kỳ. Kỳ của số liệu"), "{s}");
    for _ in 0..10 {
        key(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "8/2O24");
    key(&mut app, KeyCode::Enter);
    let note = app.prompt.as_ref().unwrap().note.clone().unwrap();
    assert!(note.contains("không phải một kỳ"), "{note}");
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    keys(&mut app, "024");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.view(), View::Preview);
    let pv = &app.preview.as_ref().unwrap().preview;
    assert_eq!(pv.period.to_string(), "2024-08");
    assert_eq!(app.unknown_units().unwrap(), ["Xã Một", "Xã Hai"]);
    // The preview says how to make the units.
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("c tạo các đơn vị này"), "{s}");
    insta::assert_snapshot!("empty_import_preview_80x24", s);
    keys(&mut app, "c");
    assert!(app.confirm.is_some());
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("Tạo 2 đơn vị mới"), "{s}");
    keys(&mut app, "y");
    assert!(
        app.message
            .as_deref()
            .unwrap()
            .starts_with("Đã tạo 2 đơn vị"),
        "{:?}",
        app.message
    );
    let pv = &app.preview.as_ref().unwrap().preview;
    assert!(pv.ready(), "{pv:?}");
    assert_eq!(stored(&path, "Xã Một", "processing", "2024-08"), None);
    keys(&mut app, "y");
    assert_eq!(app.view(), View::Month);
    assert_eq!(stored(&path, "Xã Một", "processing", "2024-08"), num(99.0));
    assert_eq!(stored(&path, "Xã Hai", "processing", "2024-08"), num(100.0));
    assert_eq!(
        app.month.as_ref().unwrap().table.period.to_string(),
        "2024-08"
    );
}
