//! The TUI without a terminal: key presses through the real keymap into the
//! app, screens drawn into ratatui's TestBackend and compared with insta
//! snapshots (tests/snapshots). Data: the demo database (the seed's August
//! 2024 and the synthetic July), built in a temporary directory.

use chiso::tui::app::{App, SortCol, View};
use chiso::tui::terminal::fit;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;

#[path = "common/screen.rs"]
mod screen_helpers;
use screen_helpers::{key, keys, screen};

fn demo() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    chiso::demo::build(&path).unwrap();
    let app = App::open(&path).unwrap();
    (dir, app)
}

/// Sizes the app for a w×h screen, as the event loop does.
fn sized(app: &mut App, w: u16, h: u16) {
    fit(app, Rect::new(0, 0, w, h));
}

/// Names in the visible rows, in order.
fn visible(app: &App) -> Vec<String> {
    let m = app.month.as_ref().unwrap();
    m.visible
        .iter()
        .map(|&u| m.table.units[u].name.clone())
        .collect()
}

#[test]
fn opens_on_the_latest_month() {
    let (_d, mut app) = demo();
    assert_eq!(
        app.month.as_ref().unwrap().table.period.to_string(),
        "2024-08"
    );
    assert_eq!(visible(&app).len(), 25);
    insta::assert_snapshot!("month_80x24", screen(&mut app, 80, 24));
    insta::assert_snapshot!("month_120x40", screen(&mut app, 120, 40));
}

#[test]
fn filter_dong_finds_the_four_dong_units() {
    let (_d, mut app) = demo();
    keys(&mut app, "/dong");
    assert!(app.filter_editing);
    assert_eq!(
        visible(&app),
        ["Đông Kết", "Đông Ninh", "Đông Tảo", "Đồng Tiến"]
    );
    insta::assert_snapshot!("filter_dong_80x24", screen(&mut app, 80, 24));
    key(&mut app, KeyCode::Enter);
    assert!(!app.filter_editing);
    // "đông" with accents and "hoa" for Việt Hoà.
    key(&mut app, KeyCode::Esc);
    assert_eq!(visible(&app).len(), 25, "Esc clears the filter");
    keys(&mut app, "/đông");
    assert_eq!(visible(&app).len(), 4);
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "/hoa");
    assert_eq!(visible(&app), ["Việt Hoà"]);
}

#[test]
fn filter_conditions_and_their_errors() {
    let (_d, mut app) = demo();
    keys(&mut app, "/digitization<40");
    assert_eq!(visible(&app), ["Đông Ninh", "Đồng Tiến", "Ông Đình"]);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "/processing<100 & online_payment<80");
    assert_eq!(visible(&app), ["Bình Kiều", "Việt Hoà"]);
    key(&mut app, KeyCode::Esc);
    // A wrong condition says why and keeps the last good result.
    keys(&mut app, "/so hoa<4x");
    let err = app.filter_error.clone().unwrap();
    assert!(err.contains("không phải là số"), "{err}");
    insta::assert_snapshot!("filter_error_80x24", screen(&mut app, 80, 24));
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "/!");
    let flagged = visible(&app);
    assert!(flagged.contains(&"Bình Kiều".to_string()));
    assert!(!flagged.contains(&"An Vỹ".to_string()));
}

#[test]
fn sort_by_digitization_and_back() {
    let (_d, mut app) = demo();
    // Columns: name, processing, satisfaction, online_payment, score,
    // digitization: five to the right.
    keys(&mut app, "lllll");
    keys(&mut app, "s");
    let dig = app.cat.index_of("digitization").unwrap();
    assert_eq!(app.sort, [(SortCol::Metric(dig), false)]);
    let v = visible(&app);
    assert_eq!(&v[..3], ["Đông Ninh", "Đồng Tiến", "Ông Đình"]);
    insta::assert_snapshot!("sort_digitization_80x24", screen(&mut app, 80, 24));
    insta::assert_snapshot!("sort_digitization_120x40", screen(&mut app, 120, 40));
    keys(&mut app, "s");
    assert_eq!(visible(&app)[0], "Tân Dân", "reversed: highest first");
    // Secondary key, then name order for ties.
    keys(&mut app, "hhhh");
    keys(&mut app, "s");
    let pro = app.cat.index_of("processing").unwrap();
    assert_eq!(app.sort, [(SortCol::Metric(pro), false)]);
    assert_eq!(&visible(&app)[..2], ["Bình Kiều", "Đông Kết"]);
    let v = visible(&app);
    let full: Vec<&String> = v.iter().skip(5).collect();
    assert_eq!(full[0], "An Vỹ", "ties keep name order");
}

#[test]
fn cursor_moves_and_stays_on_its_unit() {
    let (_d, mut app) = demo();
    sized(&mut app, 80, 24);
    key(&mut app, KeyCode::Down);
    keys(&mut app, "jj");
    assert_eq!(app.cursor, 3);
    key(&mut app, KeyCode::End);
    assert_eq!(app.cursor, 24);
    assert!(app.top > 0, "scrolled to keep the cursor on screen");
    key(&mut app, KeyCode::Home);
    assert_eq!((app.cursor, app.top), (0, 0));
    key(&mut app, KeyCode::PageDown);
    assert!(app.cursor >= 15);
    // The cursor follows its unit through a filter.
    key(&mut app, KeyCode::Home);
    keys(&mut app, "jj"); // Bình Minh
    keys(&mut app, "/binh");
    key(&mut app, KeyCode::Enter);
    assert_eq!(visible(&app)[app.cursor], "Bình Minh");
}

#[test]
fn months_step_with_brackets() {
    let (_d, mut app) = demo();
    keys(&mut app, "[");
    assert_eq!(
        app.month.as_ref().unwrap().table.period.to_string(),
        "2024-07"
    );
    keys(&mut app, "[");
    assert!(app.message.as_deref().unwrap().contains("tháng đầu tiên"));
    keys(&mut app, "]");
    assert_eq!(
        app.month.as_ref().unwrap().table.period.to_string(),
        "2024-08"
    );
    keys(&mut app, "d");
    assert_eq!(app.change, Some(chiso::rules::CompareWith::Previous));
    insta::assert_snapshot!("month_change_120x40", screen(&mut app, 120, 40));
}

#[test]
fn findings_view_and_why_binh_kieu() {
    let (_d, mut app) = demo();
    keys(&mut app, "f");
    assert_eq!(app.view(), View::Findings);
    insta::assert_snapshot!("findings_80x24", screen(&mut app, 80, 24));
    insta::assert_snapshot!("findings_120x40", screen(&mut app, 120, 40));
    // The first finding is Bình Kiều's late processing, escalated.
    let f = &app.findings.as_ref().unwrap().findings[0];
    assert_eq!(
        (f.unit.as_str(), f.rule.as_str()),
        ("Bình Kiều", "processing_late")
    );
    assert!(f.escalated);
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.view(), View::Unit(_)));
    insta::assert_snapshot!("unit_binh_kieu_80x24", screen(&mut app, 80, 24));
    insta::assert_snapshot!("unit_binh_kieu_120x40", screen(&mut app, 120, 40));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.view(), View::Findings);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.view(), View::Month);
}

#[test]
fn help_lists_every_key_of_the_keymap() {
    let (_d, mut app) = demo();
    keys(&mut app, "?");
    assert_eq!(app.view(), View::Help);
    let s = screen(&mut app, 120, 40);
    for b in chiso::tui::keymap::KEYMAP {
        assert!(s.contains(b.label), "help lacks {}", b.label);
    }
    insta::assert_snapshot!("help_120x40", s);
    insta::assert_snapshot!("help_80x24", screen(&mut app, 80, 24));
    keys(&mut app, "?");
    assert_eq!(app.view(), View::Month);
    keys(&mut app, "q");
    assert!(app.quit);
}

#[test]
fn a_district_has_one_group_and_g_says_so() {
    let (_d, mut app) = demo();
    let before = screen(&mut app, 80, 24);
    assert!(!before.contains("Nhóm"), "no group column:\n{before}");
    keys(&mut app, "g");
    assert_eq!(app.group, None);
    let msg = app.message.clone().unwrap();
    assert!(
        msg.contains("Chỉ có một nhóm đơn vị (UBND cấp xã)"),
        "{msg}"
    );
    assert_eq!(visible(&app).len(), 25);
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("Chỉ có một nhóm đơn vị"), "{s}");
    // The filter's group: every commune, or none.
    keys(&mut app, "/nhóm=xã");
    assert_eq!(visible(&app).len(), 25);
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "/cơ quan");
    assert!(visible(&app).is_empty());
}

#[test]
fn tiny_terminals_get_a_message_not_a_panic() {
    let (_d, mut app) = demo();
    for (w, h) in [(1, 1), (2, 1), (20, 5), (59, 30), (100, 11)] {
        let s = screen(&mut app, w, h);
        if w >= 20 {
            assert!(s.contains("Cửa sổ"), "{w}×{h}:\n{s}");
        }
    }
    let s = screen(&mut app, 60, 12);
    assert!(s.contains("Bảng kết quả"), "{s}");
}

#[test]
fn an_empty_database_says_how_to_get_data_in() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    chiso::db::Db::create(&path).unwrap();
    let mut app = App::open(&path).unwrap();
    let s = screen(&mut app, 100, 24);
    assert!(s.contains("Chưa có số liệu"), "{s}");
    assert!(s.contains("import"), "{s}");
    keys(&mut app, "jkf[]/x");
    key(&mut app, KeyCode::Enter);
    let _ = screen(&mut app, 100, 24);
}

#[test]
fn another_process_writing_shows_up_and_keeps_the_cursor() {
    let (dir, mut app) = demo();
    keys(&mut app, "/dong");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "jj"); // Đông Tảo
    assert!(!app.check_for_changes().unwrap(), "nothing changed yet");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_chiso"))
        .arg("--db")
        .arg(dir.path().join("demo.db"))
        .args([
            "set",
            "--period",
            "2024-08",
            "--unit",
            "Đông Tảo",
            "digitization=12",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(app.check_for_changes().unwrap());
    assert_eq!(visible(&app)[app.cursor], "Đông Tảo");
    assert_eq!(app.filter_input, "dong");
    let m = app.month.as_ref().unwrap();
    let u = m.visible[app.cursor];
    let dig = app.cat.index_of("digitization").unwrap();
    assert_eq!(m.value(u, dig), Some(&chiso::model::Value::Num(12.0)));
    assert!(!m.marks[u].rules.is_empty(), "now below 40%");
}
