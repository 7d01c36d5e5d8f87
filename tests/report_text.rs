//! The letter's text at province scale (issue 14): a rule names at most
//! `max_named` units, the worst, and the list annex holds every finding;
//! units are named once per sentence; kind words are in lower case inside
//! a list; the office's standing directives and the directives' subject.
//!
//! The province is built here: 104 communes and wards with figures made
//! so that the rules fire for many of them.

mod common;

use std::path::{Path, PathBuf};

use chiso::db::Db;
use chiso::model::Period;
use chiso::report::{self, Block, Report};
use common::*;

const COMMUNES: usize = 104;

/// A province of 104 communes (every 8th a ward) for August and July
/// 2025: processing below 100 % for every 3rd, digitization under 40 %
/// for every 4th and falling for every 2nd, a rating of "Khá" for every
/// 5th and "Trung bình" for every 7th.
fn big_province(dir: &Path) -> PathBuf {
    let db = dir.join("p.db");
    ok(&db, &["init", "--parent", "Tỉnh Thử"]);
    for (month, shift) in [("2025-07", 3.0), ("2025-08", 0.0)] {
        let mut tsv = String::from(
            "STT\tĐơn vị\tKết quả xử lý hồ sơ (%)\tTỷ lệ mức độ hài lòng (%)\tTỷ lệ hồ sơ thanh toán trực tuyến (%)\tĐiểm tổng hợp\tKết quả tỷ lệ số hoá (%)\tKết quả cấp bản sao điện tử\tKết quả đánh giá\n\tTỉnh Thử\t99\t98\t60\t85\t50\t\t\n",
        );
        for i in 1..=COMMUNES {
            let name = unit_name(i);
            let processing = if i.is_multiple_of(3) {
                90.0 + (i % 10) as f64 / 2.0
            } else {
                100.0
            };
            let digitization = if i.is_multiple_of(4) {
                20.0 + (i % 19) as f64
            } else {
                60.0
            };
            // Every 2nd unit had more in July: a fall of a size of its own.
            let before = if i.is_multiple_of(2) {
                shift + (i % 13) as f64 / 4.0
            } else {
                0.0
            };
            let digitization = if month == "2025-07" {
                digitization + before
            } else {
                digitization
            };
            let rating = if i.is_multiple_of(7) {
                "Trung bình"
            } else if i.is_multiple_of(5) {
                "Khá"
            } else {
                "Tốt"
            };
            tsv.push_str(&format!(
                "{i}\t{name}\t{processing}\t99\t70\t80\t{digitization}\t100\t{rating}\n"
            ));
        }
        let file = dir.join(format!("{month}.tsv"));
        std::fs::write(&file, tsv).unwrap();
        ok(
            &db,
            &[
                "import",
                file.to_str().unwrap(),
                "--period",
                month,
                "--create-units",
            ],
        );
    }
    ok(&db, &["settings", "set", "signer_name", "Nguyễn Văn A"]);
    db
}

fn unit_name(i: usize) -> String {
    if i.is_multiple_of(8) {
        format!("Phường Số {i}")
    } else {
        format!("Xã Số {i}")
    }
}

fn build(db: &Path, month: &str) -> Report {
    let db = Db::open(db).unwrap();
    report::build(
        db.conn(),
        Period::parse(month).unwrap(),
        report::Options::default(),
    )
    .unwrap()
}

/// Section 2's bullets (after "… các nhiệm vụ sau").
fn bullets(r: &Report) -> Vec<&str> {
    let body = &r.letter.body;
    let start = body
        .iter()
        .position(|b| matches!(b, Block::Para(t) if t.contains("các nhiệm vụ sau")))
        .unwrap();
    body[start..]
        .iter()
        .filter_map(|b| match b {
            Block::Bullet(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

/// The units a rule's bullet names in its list (before the first ". ").
fn listed(bullet: &str) -> Vec<String> {
    let (_, rest) = bullet.split_once(": ").unwrap();
    let list = &rest[..rest.find(". ").unwrap()];
    list.split(", ")
        .map(|item| {
            // "Số 12 35%", "phường Số 16 (Khá)", "Số 2 20% (tháng 7: 23%)"
            let words: Vec<&str> = item.split_whitespace().collect();
            let at = words.iter().position(|w| *w == "Số").unwrap();
            format!("{} {}", words[at], words[at + 1])
        })
        .collect()
}

#[test]
fn at_province_scale_a_rule_names_the_worst_ten_and_the_annex_lists_every_finding() {
    let dir = tempfile::tempdir().unwrap();
    let db = big_province(dir.path());
    let r = build(&db, "2025-08");
    let f = &r.findings;
    assert!(
        f.summary.iter().filter(|s| s.count > 10).count() >= 3,
        "the data should make several long lists: {:?}",
        f.summary
            .iter()
            .map(|s| (&s.rule, s.count))
            .collect::<Vec<_>>()
    );
    let list = r.letter.annexes.last().unwrap();
    let title = list.title.clone();
    assert_eq!(title, "Phụ lục III");
    assert!(
        list.caption
            .starts_with("Danh sách đơn vị cần chỉ đạo khắc phục")
    );

    // Every rule's bullet names at most 10 units; a longer list refers to
    // the annex and names the worst by value.
    for s in &f.summary {
        let b = bullets(&r)
            .into_iter()
            .find(|b| {
                b.starts_with(&format!("{}/{COMMUNES} ", s.count)) && {
                    let rule = f.context.rules.iter().find(|x| x.code == s.rule).unwrap();
                    let head = chiso::rules::render::sentence(f, rule, s.count);
                    b.starts_with(&head)
                }
            })
            .unwrap_or_else(|| panic!("{}: no bullet", s.rule));
        let named = listed(b);
        assert!(named.len() <= 10, "{}: {} named: {b}", s.rule, named.len());
        if s.count > 10 {
            assert_eq!(named.len(), 10, "{b}");
            assert!(b.contains(&format!("(danh sách tại {title})")), "{b}");
        } else {
            assert_eq!(named.len(), s.count, "{b}");
        }
        // Each named unit is one of the rule's, and no unit is named twice
        // in the bullet (the accountability sentence says "các xã đó").
        for n in &named {
            assert!(s.units.iter().any(|u| u.ends_with(n.as_str())), "{n}: {b}");
            let pattern = format!("{n} ");
            assert_eq!(b.matches(&pattern).count(), 1, "{n} named twice: {b}");
        }
    }
    // The lowest processing figures are the ones named.
    let late = bullets(&r)
        .into_iter()
        .find(|b| b.contains("kết quả xử lý hồ sơ chưa đạt 100%"))
        .unwrap();
    assert!(late.contains("trong đó thấp nhất là: "), "{late}");
    let shown: Vec<f64> = late
        .split("thấp nhất là: ")
        .nth(1)
        .unwrap()
        .split(". ")
        .next()
        .unwrap()
        .split(", ")
        .map(|i| {
            i.rsplit(' ')
                .next()
                .unwrap()
                .trim_end_matches('%')
                .replace(',', ".")
        })
        .map(|v| v.parse().unwrap())
        .collect();
    assert!(shown.windows(2).all(|w| w[0] <= w[1]), "{shown:?}");
    let lowest: f64 = (1..=COMMUNES)
        .filter(|i| i.is_multiple_of(3))
        .map(|i| 90.0 + (i % 10) as f64 / 2.0)
        .fold(f64::MAX, f64::min);
    assert_eq!(shown[0], lowest);

    // The annex: one row per finding (a unit lacking several metrics would
    // be one row), each with its rule, value and months in a row.
    assert_eq!(list.rows.len(), f.findings.len());
    // Columns: STT, unit, rule, value, month before, months in a row, mark.
    for x in &f.findings {
        let mark = if x.escalated { "Có" } else { "" };
        assert!(
            list.rows
                .iter()
                .any(|row| row[1] == x.unit && row[5] == x.streak.to_string() && row[6] == mark),
            "{} {} not in the annex",
            x.unit,
            x.rule
        );
    }
    let numbers: Vec<String> = list.rows.iter().map(|r| r[0].clone()).collect();
    let expected: Vec<String> = (1..=list.rows.len()).map(|n| n.to_string()).collect();
    assert_eq!(numbers, expected);

    // Kind words inside a list are in lower case: the wards among the
    // communes are "phường Số 8", never "Phường Số 8" mid-sentence.
    for b in bullets(&r) {
        assert!(!b.contains(", Phường ") && !b.contains(", Xã "), "{b}");
    }
    let ratings = bullets(&r)
        .into_iter()
        .find(|b| b.contains("kết quả đánh giá dưới mức"))
        .unwrap();
    // One sentence per label, not per unit.
    assert_eq!(ratings.matches("kiểm điểm").count(), 2, "{ratings}");
}

#[test]
fn standing_directives_and_the_subject_come_from_settings() {
    let dir = tempfile::tempdir().unwrap();
    let db = big_province(dir.path());
    // The default: the seed's standing directive opens the list, and the
    // directives have the office's subject.
    let r = build(&db, "2025-08");
    let b = bullets(&r);
    assert_eq!(b[0], chiso::report::STANDING);
    assert!(b[1].contains(". Chủ tịch UBND tỉnh yêu cầu "), "{}", b[1]);

    ok(
        &db,
        &[
            "settings",
            "set",
            "standing_directives",
            "Một việc chung.|Việc chung thứ hai.",
        ],
    );
    ok(
        &db,
        &[
            "settings",
            "set",
            "directive_subject",
            "Chủ tịch UBND tỉnh Thử",
        ],
    );
    ok(&db, &["settings", "set", "max_named", "3"]);
    let r = build(&db, "2025-08");
    let b = bullets(&r);
    assert_eq!(b[..2], ["Một việc chung.", "Việc chung thứ hai."]);
    assert!(
        b[2].contains(". Chủ tịch UBND tỉnh Thử yêu cầu "),
        "{}",
        b[2]
    );
    assert!(listed(b[2]).len() <= 3, "{}", b[2]);

    // "-" leaves both out.
    ok(&db, &["settings", "set", "standing_directives", "-"]);
    ok(&db, &["settings", "set", "directive_subject", "-"]);
    let r = build(&db, "2025-08");
    let b = bullets(&r);
    assert!(b[0].starts_with(&format!("{}/{COMMUNES} ", r.findings.summary[0].count)));
    assert!(!b[0].contains(" yêu cầu "), "{}", b[0]);

    // max_named must be a count.
    let e = fails(&db, &["settings", "set", "max_named", "0"]);
    assert!(
        e.contains("max_named cần một số nguyên từ 1 trở lên"),
        "{e}"
    );
}

#[test]
fn a_month_where_no_rule_fires_has_no_list_annex() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    ok(&db, &["init", "--parent", "Tỉnh Thử"]);
    let file = dir.path().join("m.tsv");
    std::fs::write(
        &file,
        "STT\tĐơn vị\tKết quả xử lý hồ sơ (%)\tTỷ lệ mức độ hài lòng (%)\tTỷ lệ hồ sơ thanh toán trực tuyến (%)\tĐiểm tổng hợp\tKết quả tỷ lệ số hoá (%)\tKết quả cấp bản sao điện tử\tKết quả đánh giá\n\tTỉnh Thử\t99\t98\t60\t85\t50\t\t\n1\tXã Một\t100\t99\t70\t90\t80\t10\tTốt\n",
    )
    .unwrap();
    ok(
        &db,
        &[
            "import",
            file.to_str().unwrap(),
            "--period",
            "2025-08",
            "--create-units",
        ],
    );
    let r = build(&db, "2025-08");
    assert!(r.findings.findings.is_empty());
    let titles: Vec<&str> = r.letter.annexes.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles, ["Phụ lục I", "Phụ lục II"]);
    let text: String = r.letter.body.iter().map(|b| format!("{b:?}")).collect();
    assert!(!text.contains("Phụ lục III"), "{text}");
}
