//! The TUI on a file with months, quarters and years (issue 16): `K`
//! switches the kind shown, `[` `]` step within it, `d` compares with the
//! period before or the same period a year before (like for like across a
//! merge), and the findings, the unit view, the import prompt, a paste and
//! the letter work on a quarter. Data: the demo (months 7/2024 and
//! 8/2024) with quarters and a year imported through the binary, and the
//! province demo with two quarters. Screens are insta snapshots at 80×24.

use chiso::model::Value;
use chiso::rules::CompareWith;
use chiso::tui::app::{App, View};
use chiso::tui::terminal::fit;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use std::path::Path;

#[path = "common/screen.rs"]
mod screen_helpers;
use screen_helpers::{key, keys, screen};

fn examples(name: &str) -> String {
    format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// `chiso --db DB import FILES --period PERIOD`, which must succeed.
fn import(db: &Path, period: &str, files: &[&Path]) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_chiso"))
        .arg("--db")
        .arg(db)
        .arg("import")
        .args(files)
        .args(["--period", period])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "import {period}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A copy of `file` without its title row (it names a month).
fn untitled(dir: &Path, file: &str, name: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(examples(file)).unwrap();
    let body: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    path
}

/// The demo with quý III/2024 (August's annexes), quý II/2024 (July's
/// synthetic figures), quý III/2023 and năm 2023 (three communes).
fn with_quarters() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    chiso::demo::build(&db).unwrap();
    let annexes = [
        examples("khoai-chau-2024-08-phu-luc-1.tsv"),
        examples("khoai-chau-2024-08-phu-luc-2.tsv"),
    ];
    import(
        &db,
        "2024-Q3",
        &[Path::new(&annexes[0]), Path::new(&annexes[1])],
    );
    let july = untitled(dir.path(), "khoai-chau-2024-07-synthetic.tsv", "q2.tsv");
    import(&db, "2024-Q2", &[&july]);
    let few = dir.path().join("few.csv");
    std::fs::write(
        &few,
        "Đơn vị,Kết quả xử lý hồ sơ (%),Tỷ lệ hồ sơ thanh toán trực tuyến (%)\n\
         An Vỹ,95,80\nBình Kiều,50,70\nBình Minh,100,99\n",
    )
    .unwrap();
    import(&db, "2023-Q3", &[&few]);
    import(&db, "2023", &[&few]);
    let mut app = App::open(&db).unwrap();
    fit(&mut app, Rect::new(0, 0, 80, 24));
    (dir, app)
}

fn period(app: &App) -> String {
    app.month.as_ref().unwrap().table.period.to_string()
}

/// The unit's index in the period shown.
fn at(app: &App, name: &str) -> usize {
    let m = app.month.as_ref().unwrap();
    m.table.units.iter().position(|u| u.name == name).unwrap()
}

fn lines(s: &str) -> Vec<&str> {
    s.lines().map(|l| l.trim_matches('"')).collect()
}

/// The status line: the one above the footer's last.
fn status(s: &str) -> String {
    let l = lines(s);
    l[l.len() - 2].to_owned()
}

#[test]
fn opens_on_the_latest_month_though_quarters_sort_after_it() {
    let (_d, app) = with_quarters();
    // 2024-Q3's key (202423) sorts after 2024-08's (202408).
    assert_eq!(period(&app), "2024-08");
}

#[test]
fn k_shows_the_quarter_holding_the_month_and_brackets_step_by_quarter() {
    let (_d, mut app) = with_quarters();
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("K xem quý"), "the footer offers quarters:\n{s}");
    keys(&mut app, "K");
    assert_eq!(period(&app), "2024-Q3");
    assert_eq!(app.message, None);
    let s = screen(&mut app, 80, 24);
    assert!(
        lines(&s)[0].starts_with("chiso · Huyện Khoái Châu · Quý III/2024 · Bảng kết quả"),
        "{s}"
    );
    assert!(status(&s).starts_with("Quý III/2024 · "), "{s}");
    assert!(s.contains("K xem năm"), "{s}");
    insta::assert_snapshot!("quarter_2024_q3_80x24", s);
    // Quarters only: not the months of 2024, not the year 2023.
    keys(&mut app, "[");
    assert_eq!(period(&app), "2024-Q2");
    insta::assert_snapshot!("quarter_2024_q2_80x24", screen(&mut app, 80, 24));
    keys(&mut app, "[");
    assert_eq!(period(&app), "2023-Q3");
    keys(&mut app, "[");
    assert_eq!(period(&app), "2023-Q3");
    assert_eq!(
        app.message.as_deref(),
        Some("Đây là quý đầu tiên có số liệu.")
    );
    keys(&mut app, "]]");
    assert_eq!(period(&app), "2024-Q3");
    keys(&mut app, "]");
    assert_eq!(
        app.message.as_deref(),
        Some("Đây là quý mới nhất có số liệu.")
    );
    // Back to the months: `[` walks months again.
    keys(&mut app, "KK");
    assert_eq!(period(&app), "2024-08");
    keys(&mut app, "[");
    assert_eq!(period(&app), "2024-07");
    keys(&mut app, "[");
    assert!(app.message.as_deref().unwrap().contains("tháng đầu tiên"));
}

#[test]
fn k_goes_round_the_kinds_that_have_data() {
    let (_d, mut app) = with_quarters();
    keys(&mut app, "K");
    assert_eq!(period(&app), "2024-Q3");
    // No year 2024: the latest year with data, and said.
    keys(&mut app, "K");
    assert_eq!(period(&app), "2023");
    assert_eq!(
        app.message.as_deref(),
        Some("Năm 2024 chưa có số liệu: hiện năm mới nhất có số liệu, năm 2023.")
    );
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("Năm 2023 · Bảng kết quả"), "{s}");
    keys(&mut app, "[");
    assert_eq!(period(&app), "2023");
    assert_eq!(
        app.message.as_deref(),
        Some("Đây là năm đầu tiên có số liệu.")
    );
    // No December 2023: the latest month.
    keys(&mut app, "K");
    assert_eq!(period(&app), "2024-08");
    assert!(
        app.message
            .as_deref()
            .unwrap()
            .starts_with("Tháng 12/2023 chưa có số liệu"),
        "{:?}",
        app.message
    );
}

#[test]
fn k_in_a_file_of_months_only_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    chiso::demo::build(&db).unwrap();
    let mut app = App::open(&db).unwrap();
    let s = screen(&mut app, 80, 24);
    assert!(!s.contains("K xem"), "{s}");
    keys(&mut app, "K");
    assert_eq!(period(&app), "2024-08");
    let msg = app.message.clone().unwrap();
    assert!(
        msg.contains("Chỉ có số liệu theo tháng, chưa có quý hay năm nào"),
        "{msg}"
    );
}

#[test]
fn d_compares_with_the_quarter_before_then_the_same_quarter_a_year_before() {
    let (_d, mut app) = with_quarters();
    keys(&mut app, "K");
    let cat = app.cat.clone();
    let pro = cat.index_of("processing").unwrap();
    let (an_vy, dong_tao) = (at(&app, "An Vỹ"), at(&app, "Đông Tảo"));
    keys(&mut app, "d");
    assert_eq!(app.change, Some(CompareWith::Previous));
    let m = app.month.as_ref().unwrap();
    // Quý II/2024 holds July's figures.
    assert_eq!(
        m.compared(an_vy, pro, CompareWith::Previous),
        Some(&Value::Num(100.0))
    );
    let s = screen(&mut app, 80, 24);
    assert!(
        status(&s).contains("▲▼ so với kỳ trước (quý II/2024)"),
        "{s}"
    );
    keys(&mut app, "d");
    assert_eq!(app.change, Some(CompareWith::LastYear));
    let m = app.month.as_ref().unwrap();
    assert_eq!(
        m.compared(an_vy, pro, CompareWith::LastYear),
        Some(&Value::Num(95.0))
    );
    // Not among quý III/2023's communes: nothing to compare.
    assert_eq!(m.compared(dong_tao, pro, CompareWith::LastYear), None);
    let s = screen(&mut app, 80, 24);
    assert!(
        status(&s).contains("▲▼ so với cùng kỳ năm trước (quý III/2023)"),
        "{s}"
    );
    let row = |name: &str| {
        lines(&s)
            .into_iter()
            .find(|l| l.contains(name))
            .unwrap()
            .to_owned()
    };
    assert!(row("An Vỹ").contains("▲5,00"), "{s}");
    assert!(row("Bình Kiều").contains("▼12,10"), "{s}");
    assert!(!row("Đông Tảo").contains('▲') && !row("Đông Tảo").contains('='));
    insta::assert_snapshot!("quarter_change_last_year_80x24", s);
    // The mode stays on through a step: quý II/2023 has no figures.
    keys(&mut app, "[");
    assert_eq!(period(&app), "2024-Q2");
    let s = screen(&mut app, 80, 24);
    assert!(
        status(&s).contains("▲▼ so với cùng kỳ năm trước: quý II/2023 chưa có số liệu"),
        "{s}"
    );
    keys(&mut app, "d");
    assert_eq!(app.change, None);
    let s = screen(&mut app, 80, 24);
    assert!(!s.contains("▲▼"), "{s}");
}

#[test]
fn findings_unit_view_and_letter_of_a_quarter() {
    let (_d, mut app) = with_quarters();
    keys(&mut app, "K");
    keys(&mut app, "f");
    assert_eq!(app.view(), View::Findings);
    assert_eq!(app.findings.as_ref().unwrap().period, "2024-Q3");
    let s = screen(&mut app, 80, 24);
    assert!(
        s.contains("Quý III/2024 · Đơn vị cần chỉ đạo khắc phục"),
        "{s}"
    );
    // Streaks count quarters.
    assert!(s.contains("2 quý liền ⇑"), "{s}");
    key(&mut app, KeyCode::Esc);
    // Bình Kiều's quarters: its own, never its months.
    keys(&mut app, "/binh kieu");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.view(), View::Unit(_)));
    let d = app.unit.as_ref().unwrap();
    let shown: Vec<String> = d.stretches[0]
        .months
        .iter()
        .map(|(_, m)| m.period.to_string())
        .collect();
    assert_eq!(shown, ["2023-Q3", "2024-Q2", "2024-Q3"]);
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("Bình Kiều: mọi quý"), "{s}");
    assert!(
        s.contains("III/2023") && s.contains("Diễn biến qua các quý"),
        "{s}"
    );
    assert!(!s.contains("8/2024 "), "{s}");
    insta::assert_snapshot!("unit_binh_kieu_quarters_80x24", s);
    key(&mut app, KeyCode::Esc);
    // The letter of the quarter.
    keys(&mut app, "r");
    assert_eq!(app.view(), View::Report);
    let letter = &app.report.as_ref().unwrap().letter;
    assert!(
        letter.subject.contains("quý III/2024"),
        "{}",
        letter.subject
    );
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "w");
    let input = &app.prompt.as_ref().unwrap().input;
    assert!(input.ends_with("cong-van-2024-Q3.docx"), "{input}");
}

#[test]
fn a_paste_goes_into_the_quarter_shown() {
    let (d, mut app) = with_quarters();
    keys(&mut app, "K");
    let pro = app.cat.index_of("processing").unwrap();
    app.paste("An Vỹ\t97\n");
    assert_eq!(app.view(), View::Preview);
    assert_eq!(
        app.preview.as_ref().unwrap().preview.period.to_string(),
        "2024-Q3"
    );
    keys(&mut app, "y");
    assert_eq!(app.message.as_deref(), Some("Đã ghi 1 giá trị."));
    assert_eq!(period(&app), "2024-Q3");
    let m = app.month.as_ref().unwrap();
    assert_eq!(m.value(at(&app, "An Vỹ"), pro), Some(&Value::Num(97.0)));
    // August keeps its figure.
    let conn = chiso::db::Db::open(&d.path().join("demo.db")).unwrap();
    let cat = chiso::db::Catalog::load(conn.conn()).unwrap();
    let aug = chiso::rules::month::month_table(
        conn.conn(),
        &cat,
        &chiso::rules::load_rules(conn.conn()).unwrap(),
        chiso::model::Period::parse("2024-08").unwrap(),
    )
    .unwrap();
    let an_vy = aug.units.iter().find(|u| u.name == "An Vỹ").unwrap().id;
    assert_eq!(
        aug.current.units.get(&an_vy).unwrap()[pro],
        Some(Value::Num(100.0))
    );
}

#[test]
fn the_import_prompt_takes_a_quarter_in_any_spelling() {
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
        "STT\tĐơn vị\tKết quả xử lý hồ sơ (%)\n1\tXã Một\t99\n",
    )
    .unwrap();
    let mut app = App::open(&path).unwrap();
    keys(&mut app, "i");
    keys(&mut app, &format!("\"{}\"", file.display()));
    key(&mut app, KeyCode::Enter);
    assert!(app.prompt.as_ref().unwrap().asks_month);
    let s = screen(&mut app, 80, 24);
    assert!(
        s.contains("Tệp không ghi kỳ. Kỳ của số liệu (tháng, quý, năm):"),
        "{s}"
    );
    for _ in 0..12 {
        key(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "quý 5/2025");
    key(&mut app, KeyCode::Enter);
    let note = app.prompt.as_ref().unwrap().note.clone().unwrap();
    assert!(
        note.contains("không phải một kỳ (quý chỉ từ 1 (I) đến 4 (IV))"),
        "{note}"
    );
    for _ in 0..10 {
        key(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "quý III/2025");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.view(), View::Preview);
    let pv = &app.preview.as_ref().unwrap().preview;
    assert_eq!(pv.period.to_string(), "2025-Q3");
}

/// The province demo with quý II/2025 (June's figures, before the
/// merges), quý III/2025 and quý IV/2025 (September's, after them) and
/// quý IV/2024 (June's again, a year before).
fn province_quarters() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("province.db");
    chiso::demo::build_province(&db).unwrap();
    let june = untitled(dir.path(), "hung-yen-2025-06-synthetic.tsv", "june.tsv");
    let sept = untitled(dir.path(), "hung-yen-2025-09-synthetic.tsv", "sept.tsv");
    import(&db, "2025-Q2", &[&june]);
    import(&db, "2025-Q3", &[&sept]);
    import(&db, "2025-Q4", &[&sept]);
    import(&db, "2024-Q4", &[&june]);
    let mut app = App::open(&db).unwrap();
    fit(&mut app, Rect::new(0, 0, 80, 24));
    (dir, app)
}

/// The row of `name` on screen, the mark of a new unit included.
fn row_of(s: &str, name: &str) -> String {
    lines(s)
        .into_iter()
        .find(|l| l.contains(name))
        .unwrap()
        .to_owned()
}

#[test]
fn a_commune_formed_by_the_merge_is_compared_only_with_periods_after_it() {
    let (_d, mut app) = province_quarters();
    assert_eq!(period(&app), "2025-09");
    keys(&mut app, "K");
    assert_eq!(period(&app), "2025-Q3");
    let pro = app.cat.index_of("processing").unwrap();
    let (tan_hung, police) = (at(&app, "Xã Tân Hưng"), at(&app, "Công an tỉnh"));
    // Quý III: formed in 7/2025 from three communes, whose figures of
    // quý II are other units'.
    keys(&mut app, "d");
    let m = app.month.as_ref().unwrap();
    assert!(m.value(tan_hung, pro).is_some());
    assert_eq!(m.compared(tan_hung, pro, CompareWith::Previous), None);
    assert!(m.compared(police, pro, CompareWith::Previous).is_some());
    let s = screen(&mut app, 80, 24);
    let row = row_of(&s, "Xã Tân Hưng");
    assert!(row.contains("Xã Tân Hưng *"), "{s}");
    assert!(!row.contains('▲') && !row.contains('▼') && !row.contains('='));
    // Quý IV: compared with quý III, it has a change and no mark …
    keys(&mut app, "]");
    assert_eq!(period(&app), "2025-Q4");
    let (tan_hung, police) = (at(&app, "Xã Tân Hưng"), at(&app, "Công an tỉnh"));
    let m = app.month.as_ref().unwrap();
    assert!(m.compared(tan_hung, pro, CompareWith::Previous).is_some());
    let s = screen(&mut app, 80, 24);
    let row = row_of(&s, "Xã Tân Hưng");
    assert!(!row.contains("Xã Tân Hưng *") && row.contains('='), "{s}");
    // … with quý IV/2024, before it was formed, none, and the mark.
    keys(&mut app, "d");
    assert_eq!(app.change, Some(CompareWith::LastYear));
    let m = app.month.as_ref().unwrap();
    assert_eq!(m.compared(tan_hung, pro, CompareWith::LastYear), None);
    assert!(m.compared(police, pro, CompareWith::LastYear).is_some());
    let s = screen(&mut app, 80, 24);
    let row = row_of(&s, "Xã Tân Hưng");
    assert!(row.contains("Xã Tân Hưng *"), "{s}");
    assert!(!row.contains('▲') && !row.contains('▼') && !row.contains('='));
    assert!(row_of(&s, "Công an tỉnh").contains('='), "{s}");
    insta::assert_snapshot!("province_quarter_last_year_80x24", s);
    // Where the status line has room, the mark is explained.
    let wide = screen(&mut app, 120, 24);
    assert!(wide.contains("* mới, sáp nhập"), "{wide}");
}

/// `chiso --db DB ARGS…`, which must succeed.
fn chiso(db: &Path, args: &[&str]) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_chiso"))
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
}

#[test]
fn a_commune_that_took_in_another_is_not_compared_with_a_year_before() {
    // Xã An takes in Xã Bình from 2/2025: the same unit, larger.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("small.db");
    chiso(&db, &["init", "--parent", "Huyện Thử"]);
    let before = dir.path().join("before.csv");
    let after = dir.path().join("after.csv");
    std::fs::write(
        &before,
        "Đơn vị,Kết quả xử lý hồ sơ (%)\nXã An,90\nXã Bình,80\nXã Cầu,70\n",
    )
    .unwrap();
    std::fs::write(
        &after,
        "Đơn vị,Kết quả xử lý hồ sơ (%)\nXã An,95\nXã Cầu,75\n",
    )
    .unwrap();
    let file = before.to_str().unwrap();
    chiso(
        &db,
        &["import", file, "--period", "2024-Q4", "--create-units"],
    );
    chiso(
        &db,
        &[
            "units",
            "merge",
            "--into",
            "Xã An",
            "--from",
            "2025-02",
            "Xã Bình",
        ],
    );
    import(&db, "2025-Q3", &[&after]);
    import(&db, "2025-Q4", &[&after]);
    let mut app = App::open(&db).unwrap();
    assert_eq!(period(&app), "2025-Q4", "no month: the latest quarter");
    let pro = app.cat.index_of("processing").unwrap();
    let (an, cau) = (at(&app, "Xã An"), at(&app, "Xã Cầu"));
    // Against quý III/2025, after the merge: like for like.
    keys(&mut app, "d");
    let m = app.month.as_ref().unwrap();
    assert_eq!(
        m.compared(an, pro, CompareWith::Previous),
        Some(&Value::Num(95.0))
    );
    let s = screen(&mut app, 80, 24);
    assert!(!s.contains("Xã An *"), "{s}");
    // Against quý IV/2024, before it: Xã An's figure then was a smaller
    // unit's.
    keys(&mut app, "d");
    let m = app.month.as_ref().unwrap();
    assert_eq!(m.compared(an, pro, CompareWith::LastYear), None);
    assert_eq!(
        m.compared(cau, pro, CompareWith::LastYear),
        Some(&Value::Num(70.0))
    );
    let s = screen(&mut app, 80, 24);
    assert!(!row_of(&s, "Xã An").contains('▲'), "{s}");
    assert!(row_of(&s, "Xã Cầu").contains("▲5,00"), "{s}");
}

#[test]
fn the_help_says_kỳ_and_lists_k() {
    let (_d, mut app) = with_quarters();
    keys(&mut app, "?");
    for _ in 0..8 {
        key(&mut app, KeyCode::Down);
    }
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("  [       kỳ trước"), "{s}");
    assert!(s.contains("  K       xem theo tháng, quý hay năm"), "{s}");
    assert!(!s.contains("tháng trước"), "{s}");
    insta::assert_snapshot!("help_periods_80x24", s);
}

/// `i` on a file whose title states a quarter, with months on screen:
/// the preview goes into that quarter (a file of months only has no
/// quarter to switch to first), `y` writes it and shows it.
#[test]
fn i_imports_a_file_into_the_period_its_title_states() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    chiso::demo::build(&db).unwrap();
    let mut app = App::open(&db).unwrap();
    assert_eq!(
        app.month.as_ref().unwrap().table.period.to_string(),
        "2024-08"
    );
    keys(&mut app, "i");
    keys(
        &mut app,
        &format!("\"{}\"", examples("quy-3-2024-gia-lap.csv")),
    );
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.view(), View::Preview);
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("vào quý III/2024"), "{s}");
    assert!(!s.contains("đang xem"), "{s}");
    keys(&mut app, "y");
    let s = screen(&mut app, 80, 24);
    assert_eq!(
        app.month.as_ref().unwrap().table.period.to_string(),
        "2024-Q3"
    );
    assert!(s.contains("Quý III/2024"), "{s}");
    // August is as it was.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let aug =
        chiso::db::values::month_table(&conn, chiso::model::Period::parse("2024-08").unwrap())
            .unwrap();
    let binh_kieu = aug
        .units
        .iter()
        .find(|r| r.unit.name == "Bình Kiều")
        .unwrap();
    assert_eq!(binh_kieu.values[0], Some(Value::Num(37.9)));
}

/// At 60×20 what ▲▼ compare with is said whole: the status wraps rather
/// than losing "chưa có số liệu" off its end.
#[test]
fn the_compared_period_is_said_whole_at_60_columns() {
    let (_d, mut app) = with_quarters();
    keys(&mut app, "K[dd");
    assert_eq!(app.change, Some(CompareWith::LastYear));
    let s = screen(&mut app, 60, 20);
    let said = s
        .lines()
        .map(|l| l.trim_matches(|c| c == '"' || c == ' '))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        said.contains("so với cùng kỳ năm trước: quý II/2023 chưa có số liệu"),
        "{s}"
    );
}
