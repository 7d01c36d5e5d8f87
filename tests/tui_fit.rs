//! Every view at 80×24 and 60×20, as a clerk sees it over SSH: the rows a
//! filter finds are drawn, and no number, range, command or reason is cut
//! (shortened labels, wrapped messages, views that scroll sideways).
//! Screens are insta snapshots (tests/snapshots); data: the demo database
//! (and the province's) in a temporary directory.

use chiso::tui::app::{App, View};
use chiso::tui::terminal::fit;
use chiso::tui::theme::Theme;
use chiso::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::style::Style;

#[path = "common/screen.rs"]
mod screen_helpers;
use screen_helpers::{key, keys, screen};

fn demo() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    chiso::demo::build(&path).unwrap();
    let mut app = App::open(&path).unwrap();
    fit(&mut app, Rect::new(0, 0, 80, 24));
    (dir, app)
}

fn draw(app: &mut App, w: u16, h: u16, theme: Theme) -> Buffer {
    fit(app, Rect::new(0, 0, w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::draw(f, app, &theme)).unwrap();
    t.backend().buffer().clone()
}

/// The screen's lines without the quotes TestBackend puts around them.
fn lines(s: &str) -> Vec<&str> {
    s.lines().map(|l| l.trim_matches('"')).collect()
}

/// The screen's words in order, lines joined: a message wrapped over two
/// lines reads as one.
fn words(s: &str) -> String {
    lines(s)
        .iter()
        .flat_map(|l| l.split_whitespace())
        .collect::<Vec<_>>()
        .join(" ")
}

/// No line runs into the last column with a word or number that goes on
/// past it: a line that fills the width ends in a border, a key hint or a
/// mark known to be whole.
fn assert_nothing_cut(s: &str, width: usize) {
    for l in lines(s) {
        if l.chars().count() < width || l.ends_with(' ') {
            continue;
        }
        let whole = l.ends_with('─')
            || l.ends_with(" · q thoát")
            || l.ends_with(" tháng liền ⇑")
            || l.ends_with(" →");
        assert!(whole, "cut at {width} columns:\n{l}\n\n{s}");
    }
}

#[test]
fn after_end_a_filter_draws_every_match() {
    let (_d, mut app) = demo();
    key(&mut app, KeyCode::End);
    keys(&mut app, "/dong");
    key(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 80, 24);
    for name in ["Đông Kết", "Đông Ninh", "Đông Tảo", "Đồng Tiến"] {
        assert!(s.contains(name), "{name} drawn:\n{s}");
    }
    assert!(s.contains("4/25 đơn vị"), "{s}");
    insta::assert_snapshot!("filter_dong_after_end_80x24", s);
    // The same after a sort and another month: the screen fills.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::End);
    keys(&mut app, "/!");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "[");
    let n = app.month.as_ref().unwrap().visible.len();
    let s = screen(&mut app, 80, 24);
    let rows = lines(&s)
        .iter()
        .filter(|l| {
            l.trim_start()
                .split(' ')
                .next()
                .is_some_and(|w| w.parse::<usize>().is_ok())
        })
        .count();
    assert_eq!(rows, n.min(app.page), "{s}");
}

#[test]
fn the_editors_reason_is_whole_beside_a_long_name() {
    let (_d, mut app) = demo();
    // Thị trấn Khoái Châu, Hài lòng %: the longest label of the demo.
    keys(&mut app, "/thi tran");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "ll120");
    key(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 80, 24);
    assert!(
        s.contains("ngoài khoảng cho phép (từ 0 đến 100)"),
        "the range whole:\n{s}"
    );
    assert_nothing_cut(&s, 80);
    insta::assert_snapshot!("edit_error_long_name_80x24", s);
    let s = screen(&mut app, 60, 20);
    assert!(
        words(&s).contains("ngoài khoảng cho phép (từ 0 đến 100)"),
        "{s}"
    );
    assert_nothing_cut(&s, 60);
}

#[test]
fn a_save_says_so_and_the_history_shows_both_values() {
    let (_d, mut app) = demo();
    keys(&mut app, "jl45,5");
    key(&mut app, KeyCode::Enter);
    let msg = app.message.clone().unwrap();
    assert_eq!(msg, "Đã lưu Xử lý % Bình Kiều, tháng 8/2024: 37,9 → 45,5");
    let s = screen(&mut app, 80, 24);
    assert!(s.contains(&msg), "{s}");
    insta::assert_snapshot!("saved_80x24", s);
    keys(&mut app, "kL");
    assert_eq!(app.view(), View::Log);
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("37,9 → 45,5"), "{s}");
    // Where from, in Vietnamese.
    assert!(
        s.contains("nhập tệp khoai-chau-2024-08-phu-luc-1.tsv"),
        "{s}"
    );
    assert!(s.contains("sửa ô"), "{s}");
    assert!(!s.contains("Enter xem đơn vị"), "{s}");
    assert_nothing_cut(&s, 80);
}

/// Times in a screen as "YYYY-MM-DD hh:mm:ss": a snapshot of the change
/// log stays the same from run to run (same width, same layout).
fn mask_times(s: &str) -> String {
    let shape = "0000-00-00 00:00:00";
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let fits = chars.len() - i >= shape.len()
            && shape.chars().zip(&chars[i..]).all(|(p, c)| {
                if p == '0' {
                    c.is_ascii_digit()
                } else {
                    p == *c
                }
            });
        if fits {
            out.push_str("YYYY-MM-DD hh:mm:ss");
            i += shape.len();
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn the_history_at_60x20() {
    let (dir, mut app) = demo();
    // Another operator, named, changes Bình Kiều's processing.
    let path = dir.path().join("demo.db");
    let mut db = chiso::db::Db::open(&path).unwrap();
    let cat = chiso::db::Catalog::load(db.conn()).unwrap();
    let id: i64 = db
        .conn()
        .query_row(
            "SELECT id FROM units WHERE name = 'Bình Kiều'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let e = chiso::edit::CellEdit {
        period: chiso::model::Period::parse("2024-08").unwrap(),
        unit_id: id,
        metric: cat.index_of("processing").unwrap(),
        old: Some(chiso::model::Value::Num(37.9)),
        new: Some(chiso::model::Value::Num(45.5)),
    };
    let actor = chiso::db::Actor {
        os_user: "vanthu".into(),
        ssh_client: Some("10.1.2.3".into()),
    };
    chiso::edit::apply(
        &mut db,
        &cat,
        &actor,
        &e,
        chiso::edit::Source::Edit,
        "Bình Kiều",
    )
    .unwrap();
    assert!(app.check_for_changes().unwrap());
    keys(&mut app, "jlL");
    assert_eq!(app.view(), View::Log);
    let s = screen(&mut app, 60, 20);
    assert!(
        s.contains("37,9 → 45,5") && s.contains("sửa ô · vanthu@10.1.2.3"),
        "{s}"
    );
    assert_nothing_cut(&s, 60);
    // Times are shown in the office's zone (+07:00 on a machine on UTC,
    // else the machine's): the zone masked like the times.
    let s = mask_times(&s);
    let at = s.find("Giờ ").expect("the zone note") + "Giờ ".len();
    let zone: String = s[at..].chars().take(6).collect();
    assert!(
        zone.starts_with(['+', '-']) && zone.as_bytes()[3] == b':',
        "{zone}"
    );
    insta::assert_snapshot!("log_60x20", s.replacen(&zone, "±hh:mm", 1));
}

#[test]
fn the_findings_say_rules_in_vietnamese_and_keep_streaks_at_60() {
    let (_d, mut app) = demo();
    keys(&mut app, "f");
    let s = screen(&mut app, 80, 24);
    for code in ["processing_late", "digitization_low", "digitization_weak"] {
        assert!(!s.contains(code), "{code}:\n{s}");
    }
    assert_nothing_cut(&s, 80);
    let s = screen(&mut app, 60, 20);
    assert!(s.contains("Bình Kiều") && s.contains("2 tháng liền"), "{s}");
    assert!(s.contains('⇑'), "escalated: {s}");
    assert_nothing_cut(&s, 60);
    insta::assert_snapshot!("findings_60x20", s);
}

#[test]
fn the_unit_view_shows_every_metric_and_scrolls_sideways_when_narrow() {
    let (_d, mut app) = demo();
    keys(&mut app, "j");
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.view(), View::Unit(_)));
    let s = screen(&mut app, 80, 24);
    for title in [
        "Xử lý %",
        "Hài lòng %",
        "TTTT %",
        "Điểm",
        "Số hoá %",
        "Bản sao",
        "Đánh giá",
    ] {
        assert!(s.contains(title), "{title}:\n{s}");
    }
    assert!(s.contains("‼ Kết quả xử lý hồ sơ chưa đạt 100%"), "{s}");
    assert!(!s.contains("processing_late"), "{s}");
    // At 60 the last columns are to the right: → brings them, ← back.
    let s = screen(&mut app, 60, 20);
    let head = lines(&s)[1].trim_end().to_owned();
    assert!(!head.contains("Đánh giá") && head.ends_with(" →"), "{s}");
    insta::assert_snapshot!("unit_binh_kieu_60x20", s);
    for _ in 0..10 {
        key(&mut app, KeyCode::Right);
    }
    let s = screen(&mut app, 60, 20);
    let head = lines(&s)[1].trim_end().to_owned();
    assert!(
        head.ends_with("Đánh giá") && head.starts_with("← Tháng"),
        "{s}"
    );
    assert!(lines(&s)[2].trim_end().ends_with("Tốt"), "{s}");
    key(&mut app, KeyCode::Left);
    assert!(app.scroll_x < 10, "→ stops at the last column");
    assert_nothing_cut(&s, 60);
}

#[test]
fn sort_marks_leave_the_titles_readable() {
    let (_d, mut app) = demo();
    // Hài lòng % descending, then Xử lý % as a second key.
    keys(&mut app, "llss");
    keys(&mut app, "hS");
    let s = screen(&mut app, 80, 24);
    let head = lines(&s)[1].to_owned();
    assert!(head.contains("Hài lòng ▼"), "{head}");
    assert!(head.contains("Xử lý % ▲2"), "{head}");
    assert_nothing_cut(&s, 80);
}

#[test]
fn the_footer_fits_its_keys_at_60() {
    let (_d, mut app) = demo();
    let s = screen(&mut app, 60, 20);
    let footer = lines(&s).last().unwrap().trim_end().to_owned();
    assert!(footer.ends_with("q thoát"), "{footer}");
    assert!(footer.contains("? trợ giúp"), "{footer}");
    insta::assert_snapshot!("month_60x20", s);
}

#[test]
fn help_wraps_under_its_descriptions_and_offers_its_own_keys() {
    let (_d, mut app) = demo();
    keys(&mut app, "?");
    let s = screen(&mut app, 80, 24);
    for l in &lines(&s)[2..22] {
        // A key's line starts "  KEY"; its continuation under the text.
        assert!(
            l.starts_with("  ") && !l.starts_with("   ") || l.starts_with("          "),
            "{l}\n{s}"
        );
    }
    assert!(!s.contains("Enter xem đơn vị"), "{s}");
    assert!(s.contains("! "), "{s}");
    let s = screen(&mut app, 60, 20);
    assert_nothing_cut(&s, 60);
    insta::assert_snapshot!("help_60x20", s);
}

#[test]
fn the_letters_warnings_keep_their_commands_whole() {
    let (_d, mut app) = demo();
    // July has no number of its own: the letter warns, with the command.
    keys(&mut app, "[r");
    assert_eq!(app.view(), View::Report);
    let warnings = app.report.as_ref().unwrap().warnings.clone();
    assert!(!warnings.is_empty());
    for w in [80u16, 60] {
        let s = screen(&mut app, w, if w == 80 { 24 } else { 20 });
        // Each command that fits a line is on one, whole.
        for warning in &warnings {
            let Some(at) = warning.find("chiso ") else {
                continue;
            };
            let command = &warning[at..];
            if command.chars().count() < w as usize - 4 {
                assert!(s.contains(command), "{command} whole at {w}:\n{s}");
            }
        }
        assert!(
            s.contains("chiso settings set doc_number:2024-07 \"884\""),
            "{s}"
        );
    }
    insta::assert_snapshot!("report_warnings_60x20", screen(&mut app, 60, 20));
    // Written with warnings: the message says how many, whole.
    keys(&mut app, "w");
    let s = screen(&mut app, 80, 24);
    assert!(
        s.contains("Enter ghi tệp"),
        "the prompt says what Enter does:\n{s}"
    );
    key(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 80, 24);
    let said = format!("({} cảnh báo: xem bằng r)", warnings.len());
    assert!(words(&s).contains(&said), "{s}");
    assert_nothing_cut(&s, 80);
}

#[test]
fn a_conflict_message_is_whole() {
    let (dir, mut app) = demo();
    keys(&mut app, "l80");
    // Another operator saves the same cell first.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_chiso"))
        .arg("--db")
        .arg(dir.path().join("demo.db"))
        .args([
            "set",
            "--period",
            "2024-08",
            "--unit",
            "An Vỹ",
            "processing=66",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    key(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 80, 24);
    assert!(
        words(&s).contains("màn hình đã tải lại, hãy xem rồi nhập lại"),
        "{s}"
    );
    assert_nothing_cut(&s, 80);
}

/// The first cell of `text` on screen and its style.
fn style_of(buf: &Buffer, text: &str) -> Style {
    let area = buf.area;
    for y in 0..area.height {
        let mut row = String::new();
        let mut xs = Vec::new();
        for x in 0..area.width {
            xs.push((row.len(), x));
            row.push_str(buf[(x, y)].symbol());
        }
        if let Some(at) = row.find(text) {
            let x = xs.iter().find(|(b, _)| *b == at).unwrap().1;
            return buf[(x, y)].style();
        }
    }
    panic!("{text:?} not on screen");
}

#[test]
fn a_previews_cells_read_apart_with_and_without_colour() {
    let (_d, mut app) = demo();
    // An Vỹ's TTTT % emptied, so that the paste has a new cell.
    keys(&mut app, "lllx");
    keys(&mut app, "y");
    keys(&mut app, "hh");
    app.paste("An Vỹ\t99\t100\t80\nDạ Trạch\tabc\nChí Tân\t100\n");
    assert_eq!(app.view(), View::Preview);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    let s = screen(&mut app, 80, 24);
    // Each kind has its mark, and every reason is whole.
    for mark in ["100 → 99", "100 =", "80 (mới)", "\"abc\" ✗"] {
        assert!(s.contains(mark), "{mark}:\n{s}");
    }
    assert!(
        words(&s).contains("viết như 93,45 hoặc 93.45 (có thể kèm %)"),
        "{s}"
    );
    assert_nothing_cut(&s, 80);
    insta::assert_snapshot!("paste_preview_80x24", s);
    for color in [true, false] {
        let buf = draw(&mut app, 80, 24, Theme { color });
        let styles = [
            style_of(&buf, "100 → 99"),
            style_of(&buf, "100 ="),
            style_of(&buf, "80 (mới)"),
            style_of(&buf, "\"abc\" ✗"),
        ];
        for i in 0..styles.len() {
            for j in i + 1..styles.len() {
                assert_ne!(styles[i], styles[j], "colour {color}: {i} and {j}");
            }
        }
    }
    let s = screen(&mut app, 60, 20);
    assert!(
        words(&s).contains("viết như 93,45 hoặc 93.45 (có thể kèm %)"),
        "{s}"
    );
    assert_nothing_cut(&s, 60);
    insta::assert_snapshot!("paste_preview_60x20", s);
}

#[test]
fn every_view_at_60x20() {
    let (_d, mut app) = demo();
    keys(&mut app, "r");
    let s = screen(&mut app, 60, 20);
    insta::assert_snapshot!("report_60x20", s);
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "f");
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.view(), View::Unit(_)));
    let s = screen(&mut app, 60, 20);
    assert_nothing_cut(&s, 60);
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    let s = screen(&mut app, 60, 20);
    assert_nothing_cut(&s, 60);
}

#[test]
fn bang_shows_only_the_units_needing_directives() {
    let (_d, mut app) = demo();
    let all = app.month.as_ref().unwrap().visible.len();
    keys(&mut app, "!");
    let m = app.month.as_ref().unwrap();
    let flagged: Vec<usize> = m.visible.clone();
    assert!(!flagged.is_empty() && flagged.len() < all);
    assert!(flagged.iter().all(|&u| !m.marks[u].rules.is_empty()));
    assert_eq!(app.filter_input, "!");
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("lọc: !"), "{s}");
    // With a name: both hold; again: the name stays, the "!" goes.
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "/dong");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "!");
    assert_eq!(app.filter_input, "dong & !");
    keys(&mut app, "!");
    assert_eq!(app.filter_input, "dong");
    assert_eq!(app.month.as_ref().unwrap().visible.len(), 4);
}

#[test]
fn the_findings_follow_the_group_chosen_with_g() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("province.db");
    chiso::demo::build_province(&path).unwrap();
    let mut app = App::open(&path).unwrap();
    fit(&mut app, Rect::new(0, 0, 80, 24));
    keys(&mut app, "[");
    keys(&mut app, "gg");
    assert_eq!(app.group, Some(chiso::model::Group::Xa));
    keys(&mut app, "f");
    let fs = app.findings.as_ref().unwrap();
    let order = app.findings_order();
    assert!(!order.is_empty());
    assert!(
        order
            .iter()
            .all(|&i| fs.findings[i].group == chiso::model::Group::Xa)
    );
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("Chỉ nhóm UBND cấp xã"), "{s}");
    assert!(!s.contains("Cơ quan cấp tỉnh ("), "{s}");
    insta::assert_snapshot!("province_findings_xa_80x24", s);
    // Every unit again: every group's section.
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "g");
    keys(&mut app, "f");
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("══ Cơ quan cấp tỉnh"), "{s}");
}
