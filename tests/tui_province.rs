//! The TUI on a province's database (`chiso::demo::build_province`:
//! agencies and communes of Tỉnh Hưng Yên, 5/2025–9/2025, with the July
//! 2025 merges, a split, districts that end and an agency renamed from
//! 8/2025): groups on screen, the `g` key and the group filter, units
//! formed in a month, a unit's history across its merge, and the findings
//! by group. Screens are insta snapshots at 80×24 (tests/snapshots).

use chiso::model::Group;
use chiso::tui::app::{App, View};
use chiso::tui::terminal::fit;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;

#[path = "common/screen.rs"]
mod screen_helpers;
use screen_helpers::{key, keys, screen};

fn province() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("province.db");
    chiso::demo::build_province(&path).unwrap();
    let mut app = App::open(&path).unwrap();
    fit(&mut app, Rect::new(0, 0, 80, 24));
    (dir, app)
}

/// Names in the visible rows, in order.
fn visible(app: &App) -> Vec<String> {
    let m = app.month.as_ref().unwrap();
    m.visible
        .iter()
        .map(|&u| m.table.units[u].name.clone())
        .collect()
}

fn month(app: &App) -> String {
    app.month.as_ref().unwrap().table.period.to_string()
}

/// Goes to `period` with `[`.
fn go_to(app: &mut App, period: &str) {
    while month(app).as_str() > period {
        keys(app, "[");
    }
    assert_eq!(month(app), period);
}

const AGENCIES: [&str; 6] = [
    "Ban Quản lý các khu công nghiệp và khu kinh tế tỉnh",
    "Bảo hiểm xã hội tỉnh",
    "Công an tỉnh",
    "Sở Nông nghiệp và Môi trường",
    "Sở Tư pháp",
    "Sở Xây dựng",
];
const COMMUNES: [&str; 4] = [
    "Xã Giả Lập Bắc",
    "Xã Giả Lập Nam",
    "Xã Hoàng Hoa Thám",
    "Xã Tân Hưng",
];

/// Every line of a screen, for checks that nothing is cut.
fn lines(s: &str) -> Vec<&str> {
    s.lines().map(|l| l.trim_matches('"').trim_end()).collect()
}

#[test]
fn the_month_table_shows_groups_in_order_and_marks_new_units() {
    let (_d, mut app) = province();
    keys(&mut app, "[");
    assert_eq!(month(&app), "2025-08");
    let m = app.month.as_ref().unwrap();
    assert_eq!(m.groups, [Group::CoQuan, Group::Xa]);
    assert!(app.group_column());
    let mut want: Vec<&str> = AGENCIES.to_vec();
    want.extend(COMMUNES);
    assert_eq!(visible(&app), want, "agencies first, then communes");
    assert!(m.fresh.is_empty(), "nothing formed in August");
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("Nhóm") && s.contains("Cơ quan") && s.contains("Xã "));
    insta::assert_snapshot!("province_month_2025_08_80x24", s);

    // July: the four communes were formed then; they carry the mark, the
    // footer says what it means.
    keys(&mut app, "[");
    assert_eq!(month(&app), "2025-07");
    let m = app.month.as_ref().unwrap();
    assert_eq!(m.fresh.len(), 4);
    let s = screen(&mut app, 80, 24);
    for c in COMMUNES {
        assert!(s.contains(&format!("{c} *")), "{c} marked:\n{s}");
    }
    assert!(!s.contains("Sở Tư pháp *"), "{s}");
    assert!(s.contains("* mới, sáp nhập"), "{s}");
    insta::assert_snapshot!("province_month_2025_07_80x24", s);

    // June has the districts too: three groups.
    keys(&mut app, "[");
    let m = app.month.as_ref().unwrap();
    assert_eq!(m.groups, [Group::CoQuan, Group::Huyen, Group::Xa]);
    let v = visible(&app);
    assert_eq!(
        &v[6..9],
        ["Huyện Kim Động", "Huyện Tiên Lữ", "Thành phố Hưng Yên"]
    );

    // A sort applies within each group.
    keys(&mut app, "]]");
    keys(&mut app, "lllll");
    keys(&mut app, "s");
    let v = visible(&app);
    assert!(AGENCIES.contains(&v[0].as_str()) && COMMUNES.contains(&v[9].as_str()));
    assert_eq!(
        v[0], "Bảo hiểm xã hội tỉnh",
        "lowest digitization of the agencies"
    );
    assert_eq!(
        v[6], "Xã Hoàng Hoa Thám",
        "lowest digitization of the communes"
    );
}

#[test]
fn a_new_unit_shows_no_change_against_the_month_before() {
    let (_d, mut app) = province();
    go_to(&mut app, "2025-07");
    keys(&mut app, "d");
    let m = app.month.as_ref().unwrap();
    let pro = app.cat.index_of("processing").unwrap();
    let at = |name: &str| m.table.units.iter().position(|u| u.name == name).unwrap();
    // Formed in July: no row of its own in June, and its predecessors'
    // figures are other units'.
    for c in COMMUNES {
        assert!(m.value(at(c), pro).is_some(), "{c}");
        assert_eq!(m.before(at(c), pro), None, "{c}");
    }
    // An agency goes on: its change is shown.
    let ban = at("Ban Quản lý các khu công nghiệp tỉnh");
    assert!(m.before(ban, pro).is_some());
    let s = screen(&mut app, 80, 24);
    let tan_hung = lines(&s)
        .into_iter()
        .find(|l| l.contains("Xã Tân Hưng *"))
        .unwrap()
        .to_owned();
    assert!(!tan_hung.contains('▲') && !tan_hung.contains('▼') && !tan_hung.contains('='));
    assert!(s.contains("▼3,50"), "the agency's fall:\n{s}");
}

#[test]
fn g_cycles_the_groups_of_the_month() {
    let (_d, mut app) = province();
    keys(&mut app, "[");
    assert_eq!(app.group, None);
    keys(&mut app, "g");
    assert_eq!(app.group, Some(Group::CoQuan));
    assert_eq!(visible(&app), AGENCIES);
    keys(&mut app, "g");
    assert_eq!(app.group, Some(Group::Xa));
    assert_eq!(visible(&app), COMMUNES);
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("nhóm: UBND cấp xã · 4/10 đơn vị"), "{s}");
    insta::assert_snapshot!("province_group_xa_2025_08_80x24", s);
    keys(&mut app, "g");
    assert_eq!(app.group, None);
    assert_eq!(visible(&app).len(), 10);

    // June has districts; July has none: the group is dropped, and said so.
    go_to(&mut app, "2025-06");
    keys(&mut app, "gg");
    assert_eq!(app.group, Some(Group::Huyen));
    assert_eq!(
        visible(&app),
        ["Huyện Kim Động", "Huyện Tiên Lữ", "Thành phố Hưng Yên"]
    );
    keys(&mut app, "]");
    assert_eq!(app.group, None);
    assert!(
        app.message
            .as_deref()
            .unwrap()
            .contains("không có UBND cấp huyện"),
        "{:?}",
        app.message
    );
    assert_eq!(visible(&app).len(), 10);

    // A group stays while the months have it; Esc clears it with the filter.
    keys(&mut app, "g");
    keys(&mut app, "]");
    assert_eq!(app.group, Some(Group::CoQuan));
    assert_eq!(visible(&app), AGENCIES);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.group, None);

    // The findings open on the group shown.
    keys(&mut app, "gg");
    keys(&mut app, "f");
    let fs = app.findings.as_ref().unwrap();
    assert_eq!(fs.findings[app.findings_cursor].group, Group::Xa);
}

#[test]
fn the_filter_takes_a_group() {
    let (_d, mut app) = province();
    keys(&mut app, "[");
    for q in [
        "nhóm=xã",
        "nhom=xa",
        "nhóm = cấp xã",
        "cấp xã",
        "nhóm=xa phuong",
    ] {
        keys(&mut app, &format!("/{q}"));
        assert_eq!(app.filter_error, None, "{q}");
        assert_eq!(visible(&app), COMMUNES, "{q}");
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Esc);
    }
    for q in ["nhóm=cơ quan", "co quan", "nhóm!=xã"] {
        keys(&mut app, &format!("/{q}"));
        assert_eq!(visible(&app), AGENCIES, "{q}");
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Esc);
    }
    // With other conditions, and with the g key.
    keys(&mut app, "/nhóm=xã & so hoa<50");
    assert_eq!(visible(&app), ["Xã Hoàng Hoa Thám", "Xã Tân Hưng"]);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "g");
    assert!(visible(&app).is_empty(), "agencies and communes: none");
    key(&mut app, KeyCode::Esc);
    // A single word stays a name, found at the start of any word: "xa"
    // finds "Bảo hiểm xã hội" and "Sở Xây dựng" too, which is why a group
    // is asked for as "nhóm=xã" or "cấp xã".
    keys(&mut app, "/xa");
    let mut want = vec!["Bảo hiểm xã hội tỉnh", "Sở Xây dựng"];
    want.extend(COMMUNES);
    assert_eq!(visible(&app), want);
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "/tan");
    assert_eq!(visible(&app), ["Xã Tân Hưng"]);
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    // A wrong group says why at the prompt, like a wrong condition.
    keys(&mut app, "/nhóm=trường");
    let err = app.filter_error.clone().unwrap();
    assert!(err.contains("không phải nhóm đơn vị"), "{err}");
    let s = screen(&mut app, 80, 24);
    assert!(
        s.contains("\"trường\" không phải nhóm đơn vị (cơ quan, huyện, xã)"),
        "{s}"
    );
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "/nhóm<xã");
    assert!(
        app.filter_error
            .as_deref()
            .unwrap()
            .contains("chỉ so sánh bằng")
    );
}

#[test]
fn a_merged_units_history_shows_each_old_unit_apart() {
    let (_d, mut app) = province();
    keys(&mut app, "[");
    keys(&mut app, "/tan hung");
    key(&mut app, KeyCode::Enter);
    assert_eq!(visible(&app), ["Xã Tân Hưng"]);
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.view(), View::Unit(_)));
    let d = app.unit.as_ref().unwrap();
    let heads: Vec<&str> = d.stretches.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        heads,
        ["Xã Tân Hưng", "Xã Thủ Sỹ", "Xã Phương Nam", "Xã Tân Hưng"]
    );
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("Trước 7/2025: Xã Thủ Sỹ (toàn bộ)"), "{s}");
    insta::assert_snapshot!("province_unit_tan_hung_80x24", s);
    key(&mut app, KeyCode::PageDown);
    let s = screen(&mut app, 80, 24);
    for old in ["Xã Phương Nam", "Xã Tân Hưng"] {
        assert!(s.contains(&format!("Trước 7/2025: {old} (toàn bộ)")), "{s}");
    }
    insta::assert_snapshot!("province_unit_tan_hung_before_80x24", s);
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);

    // A renamed agency: one history, the months under its old name headed.
    keys(&mut app, "/ban");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    let d = app.unit.as_ref().unwrap();
    assert_eq!(d.stretches.len(), 1);
    assert_eq!(d.stretches[0].months.len(), 5);
    let s = screen(&mut app, 80, 24);
    assert!(
        s.contains("Tên cũ, đến 7/2025: Ban Quản lý các khu công nghiệp tỉnh"),
        "{s}"
    );
    assert!(
        s.contains("Từ 8/2025: Ban Quản lý các khu công nghiệp và khu kinh tế tỉnh"),
        "{s}"
    );
}

#[test]
fn findings_by_group_with_the_units_not_yet_comparable() {
    let (_d, mut app) = province();
    go_to(&mut app, "2025-07");
    keys(&mut app, "f");
    assert_eq!(app.view(), View::Findings);
    let groups: Vec<Group> = app.findings_groups.iter().map(|(g, _, _)| *g).collect();
    assert_eq!(groups, [Group::CoQuan, Group::Xa]);
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("══ Cơ quan cấp tỉnh (6 cơ quan) ══"), "{s}");
    insta::assert_snapshot!("province_findings_2025_07_80x24", s);
    // Down through every finding, in the order shown: the agencies' then
    // the communes'; past the last, the units not compared.
    let fs = app.findings.as_ref().unwrap();
    let n = fs.findings.len();
    let mut seen = vec![app.findings_cursor];
    for _ in 1..n {
        key(&mut app, KeyCode::Down);
        seen.push(app.findings_cursor);
    }
    let fs = app.findings.as_ref().unwrap();
    let order: Vec<Group> = seen.iter().map(|&i| fs.findings[i].group).collect();
    assert!(order.is_sorted(), "{order:?}");
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), n, "each finding once");
    for _ in 0..3 {
        key(&mut app, KeyCode::PageDown);
    }
    let s = screen(&mut app, 80, 24);
    assert!(
        s.contains("? Tỷ lệ số hoá giảm so với kỳ trước: chưa so sánh được"),
        "{s}"
    );
    assert!(
        s.contains("Xã Tân Hưng: thành lập từ tháng 7/2025 trên cơ sở Xã Thủ Sỹ"),
        "{s}"
    );
    insta::assert_snapshot!("province_findings_2025_07_end_80x24", s);
    let not = &app.findings.as_ref().unwrap().not_evaluated;
    let units: Vec<&str> = not.iter().filter_map(|n| n.unit.as_deref()).collect();
    assert_eq!(units, COMMUNES);
    // Back up to the findings.
    key(&mut app, KeyCode::Home);
    assert_eq!(app.scroll, 0);
}

#[test]
fn every_screen_reads_whole_at_80x24() {
    let (_d, mut app) = province();
    let mut screens = Vec::new();
    for p in ["2025-09", "2025-08", "2025-07", "2025-06", "2025-05"] {
        go_to(&mut app, p);
        screens.push((screen(&mut app, 80, 24), None));
        // The change against the month before, then a year before.
        keys(&mut app, "d");
        screens.push((screen(&mut app, 80, 24), None));
        keys(&mut app, "d");
        screens.push((screen(&mut app, 80, 24), None));
        keys(&mut app, "d");
        keys(&mut app, "f");
        for _ in 0..6 {
            let fs = app.findings.as_ref().unwrap();
            let d = (!fs.findings.is_empty())
                .then(|| chiso::rules::render::directive_for(fs, app.findings_cursor));
            screens.push((screen(&mut app, 80, 24), d));
            key(&mut app, KeyCode::PageDown);
        }
        key(&mut app, KeyCode::Esc);
    }
    for (s, directive) in &screens {
        let all = lines(s);
        // The directive below the list: every word of it on screen.
        let (list, detail) = match all.iter().position(|l| l.starts_with(" Chỉ đạo: ")) {
            Some(at) => (&all[..at], &all[at + 1..all.len() - 2]),
            None => (&all[..], &all[..0]),
        };
        if let Some(d) = directive {
            let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(words(&detail.join(" ")), words(d), "{s}");
        }
        for l in list {
            // A cut line would end in the middle of a word or number: the
            // last cell is used only by a box's border, by the mark of an
            // escalated finding with its streak in full before it, or by
            // the footer's keys, fitted whole.
            let full = l.chars().count() >= 80;
            let whole =
                l.ends_with('─') || l.ends_with(" tháng liền ⇑") || l.ends_with(" · q thoát");
            assert!(!full || whole, "cut at 80 columns:\n{l}\n\n{s}");
        }
    }
}
