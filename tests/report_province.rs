//! `chiso report` for a province (the province demo, Tỉnh Hưng Yên):
//! one part per group of the month (agencies, districts before 7/2025,
//! communes), each counting and naming only its own units, annexes per
//! group numbered I, II, III …, the one sentence on the units that cannot
//! be compared with the month before, and the DOCX and XLSX read back.
//!
//! What a month holds is read from the demo's own files (examples/), not
//! from the code under test.

mod common;

use std::path::{Path, PathBuf};

use chiso::model::Group;
use chiso::report::{self, Block, Report};
use common::*;

fn province(dir: &Path) -> PathBuf {
    let db = dir.join("province.db");
    chiso::demo::build_province(&db).unwrap();
    db
}

fn build(db: &Path, month: &str) -> Report {
    report_of(db, month, None)
}

/// The group a unit's name says it is in, as the demo's files name them.
fn group_of_name(name: &str) -> Group {
    let first_two: Vec<&str> = name.split_whitespace().take(2).collect();
    match first_two.as_slice() {
        ["Xã", ..] | ["Phường", ..] | ["Thị", "trấn"] | ["Đặc", "khu"] => Group::Xa,
        ["Huyện", ..] | ["Thành", "phố"] | ["Thị", "xã"] | ["Quận", ..] => Group::Huyen,
        _ => Group::CoQuan,
    }
}

/// The units of a month (not the province), as the demo's file for it
/// lists them: (name, group).
fn units_in(month: &str) -> Vec<(String, Group)> {
    let path = example(&format!("hung-yen-{month}-synthetic.tsv"));
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .skip(2)
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            // The province's own row has no STT.
            (!cells[0].trim().is_empty()).then(|| cells[1].trim().to_owned())
        })
        .map(|n| {
            let g = group_of_name(&n);
            (n, g)
        })
        .collect()
}

/// How a rule's list may name a unit: as stored, bare ("Tân Hưng"), or
/// with its kind word in lower case ("xã Tân Hưng").
fn listed_as(name: &str) -> [String; 3] {
    let bare = chiso::model::UnitKind::split_prefix(name).1.to_owned();
    let mut lower = name.to_owned();
    if let Some(first) = name.chars().next() {
        lower = first.to_lowercase().chain(name.chars().skip(1)).collect();
    }
    [name.to_owned(), bare, lower]
}

fn roman(n: usize) -> &'static str {
    ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"][n - 1]
}

/// The body cut into its parts: the text before the first group heading,
/// then each group heading with the blocks under it.
fn sections(body: &[Block]) -> (Vec<&Block>, Vec<(&str, Vec<&Block>)>) {
    let mut before = Vec::new();
    let mut parts: Vec<(&str, Vec<&Block>)> = Vec::new();
    for b in body {
        match b {
            Block::Subheading(t) => parts.push((t.as_str(), Vec::new())),
            // The closing paragraph (publication) ends the last part.
            Block::Para(t) if t.starts_with("Giao ") => break,
            _ => match parts.last_mut() {
                Some((_, blocks)) => blocks.push(b),
                None => before.push(b),
            },
        }
    }
    (before, parts)
}

fn text(b: &Block) -> &str {
    match b {
        Block::Para(t) | Block::Heading(t) | Block::Subheading(t) | Block::Bullet(t) => t,
    }
}

/// Checks a month's letter against its file and its findings.
fn check_month(db: &Path, month: &str, groups: &[Group]) {
    let rep = build(db, month);
    let units = units_in(month);
    let of = |g: Group| -> Vec<&str> {
        units
            .iter()
            .filter(|(_, ug)| *ug == g)
            .map(|(n, _)| n.as_str())
            .collect()
    };
    // The findings are of this month's units, each in its own group.
    for f in &rep.findings.findings {
        let (_, g) = units
            .iter()
            .find(|(n, _)| *n == f.unit)
            .unwrap_or_else(|| panic!("{month}: {} is not a unit of the month", f.unit));
        assert_eq!(f.group, *g, "{month}: {}", f.unit);
    }

    let (_, parts) = sections(&rep.letter.body);
    // One part per group of the month, in the letter's order, each
    // referring to its own two annexes.
    assert_eq!(parts.len(), groups.len(), "{month}: {parts:?}");
    for (i, ((head, _), g)) in parts.iter().zip(groups).enumerate() {
        let letter = char::from(b'a' + i as u8);
        assert_eq!(
            *head,
            format!(
                "{letter}) {} (Phụ lục {} và Phụ lục {})",
                g.label_vi(),
                roman(2 * i + 1),
                roman(2 * i + 2)
            ),
            "{month}"
        );
    }

    for ((_, blocks), &g) in parts.iter().zip(groups) {
        let mine = of(g);
        let total = mine.len();
        // The rules that fired for this group's units, in the letter's order.
        let expected: Vec<(&str, Vec<&str>)> = rep
            .findings
            .summary
            .iter()
            .filter_map(|s| {
                let mut named: Vec<&str> = Vec::new();
                for f in rep
                    .findings
                    .findings
                    .iter()
                    .filter(|f| f.rule == s.rule && f.group == g)
                {
                    if !named.contains(&f.unit.as_str()) {
                        named.push(f.unit.as_str());
                    }
                }
                (!named.is_empty()).then_some((s.rule.as_str(), named))
            })
            .collect();
        let bullets: Vec<&str> = blocks
            .iter()
            .filter(|b| matches!(b, Block::Bullet(_)))
            .map(|b| text(b))
            .collect();
        assert_eq!(
            bullets.len(),
            expected.len(),
            "{month} {g}: {bullets:#?} vs {expected:?}"
        );
        for (t, (rule, named)) in bullets.iter().zip(&expected) {
            // "2/6 cơ quan có …": this group's units in the rule's
            // findings, of this group's units in the month.
            let count = format!("{}/{total} ", named.len());
            assert!(t.starts_with(&count), "{month} {rule}: {count:?} in {t}");
            // The units listed are exactly the rule's, in its order.
            let (_, rest) = t.split_once(": ").unwrap();
            let list = &rest[..rest.find(". ").unwrap()];
            // A list names a unit bare when most of it is of the unit's
            // kind ("Tân Hưng"), else with its kind word in lower case.
            let listed: Vec<&str> = list
                .split(", ")
                .map(|item| {
                    *mine
                        .iter()
                        .filter(|n| listed_as(n).iter().any(|l| item.starts_with(l.as_str())))
                        .max_by_key(|n| n.len())
                        .unwrap_or_else(|| panic!("{month} {rule}: {item:?} not of group {g}"))
                })
                .collect();
            assert_eq!(&listed, named, "{month} {rule}");
        }
        // No unit of another group is named anywhere in the part (as
        // written, or as a sentence names it: "xã Tân Hưng").
        let all = blocks
            .iter()
            .map(|b| text(b))
            .collect::<Vec<_>>()
            .join("\n")
            .to_lowercase();
        for (name, other) in units.iter().filter(|(_, ug)| *ug != g) {
            assert!(
                !all.contains(&name.to_lowercase()),
                "{month}: {name} ({other}) named in the part of {g}:\n{all}"
            );
        }
        // And every unit of the group that fired a rule is named.
        for (_, named) in &expected {
            for n in named {
                let bare = listed_as(n)[1].to_lowercase();
                assert!(all.contains(&bare), "{month}: {n}");
            }
        }
    }

    // The annexes: two per group, I, II, III … in the groups' order, each
    // listing the group's units of the month, numbered from 1; then the
    // list of every finding (issue 14), when a rule fired.
    let (annexes, list) = rep.letter.annexes.split_at(2 * groups.len());
    assert_eq!(list.len(), 1, "{month}");
    let list = &list[0];
    assert_eq!(list.title, format!("Phụ lục {}", roman(annexes.len() + 1)));
    assert_eq!(list.group, None);
    assert_eq!(list.rows.len(), rep.findings.findings.len(), "{month}");
    for (i, a) in annexes.iter().enumerate() {
        let g = groups[i / 2];
        assert_eq!(a.title, format!("Phụ lục {}", roman(i + 1)), "{month}");
        assert_eq!(a.group, Some(g), "{month} {}", a.title);
        let names: Vec<&str> = a.rows.iter().map(|r| r[1].as_str()).collect();
        let mut expected = of(g);
        let mut got = names.clone();
        expected.sort();
        got.sort();
        assert_eq!(got, expected, "{month} {}", a.title);
        let numbers: Vec<String> = a.rows.iter().map(|r| r[0].clone()).collect();
        let one_to_n: Vec<String> = (1..=names.len()).map(|n| n.to_string()).collect();
        assert_eq!(numbers, one_to_n, "{month} {}: STT from 1", a.title);
        assert_eq!(a.columns.len(), if i % 2 == 0 { 3 } else { 4 });
    }
    // Section 2 refers to all of them.
    let last = roman(annexes.len());
    assert!(
        rep.letter.body.iter().any(|b| matches!(b,
            Block::Heading(t) if t.starts_with("2. ") && t.contains(&format!("(từ Phụ lục I đến Phụ lục {last} kèm theo)")))),
        "{month}: {:#?}",
        rep.letter.body
    );
    // Markdown: the annexes in that order, under their numbers.
    let md = report::markdown::render(&rep.letter);
    let mut at = 0;
    for i in 1..=annexes.len() + 1 {
        let head = format!("**PHỤ LỤC {}**", roman(i));
        let pos = md[at..]
            .find(&head)
            .unwrap_or_else(|| panic!("{month}: {head} after byte {at}"));
        at += pos + head.len();
    }
    assert!(!md.contains("PHỤ LỤC 1"), "{month}");
}

#[test]
fn each_group_has_its_part_its_counts_and_its_annexes() {
    let dir = tempfile::tempdir().unwrap();
    let db = province(dir.path());
    check_month(&db, "2025-08", &[Group::CoQuan, Group::Xa]);
    check_month(&db, "2025-07", &[Group::CoQuan, Group::Xa]);
    check_month(&db, "2025-06", &[Group::CoQuan, Group::Huyen, Group::Xa]);

    // The figures behind the counts, for August (the demo's file): one
    // agency and one commune below 100 % processing.
    let rep = build(&db, "2025-08");
    let (_, parts) = sections(&rep.letter.body);
    assert!(text(parts[0].1[0]).starts_with(
        "1/6 cơ quan có kết quả xử lý hồ sơ chưa đạt 100%: Ban Quản lý các khu công nghiệp và khu kinh tế tỉnh 97,2%. Chủ tịch UBND tỉnh yêu cầu Thủ trưởng Ban Quản lý"
    ), "{:?}", parts[0].1[0]);
    assert!(
        text(parts[1].1[0]).starts_with(
            "1/4 xã có kết quả xử lý hồ sơ chưa đạt 100%: Tân Hưng 99,1%. Chủ tịch UBND tỉnh yêu cầu Chủ tịch UBND xã Tân Hưng"
        ),
        "{:?}",
        parts[1].1[0]
    );
    // Agencies are spoken to as agencies, never as a People's Committee.
    let agencies: String = parts[0].1.iter().map(|b| text(b)).collect();
    assert!(!agencies.contains("UBND các cơ quan"), "{agencies}");
    assert!(!agencies.contains("Chủ tịch UBND Sở"), "{agencies}");
    assert!(
        agencies.contains("Chủ tịch UBND tỉnh yêu cầu các cơ quan nêu trên tuyên truyền"),
        "{agencies}"
    );
}

#[test]
fn kinh_gui_has_a_line_per_group_from_the_setting_or_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let db = province(dir.path());
    // The demo's setting has agencies and communes.
    assert_eq!(
        build(&db, "2025-08").letter.recipients,
        [
            "Giám đốc các sở, Thủ trưởng các ban, ngành tỉnh",
            "Chủ tịch UBND các xã, phường"
        ]
    );
    // June still has districts: their line is the default's.
    assert_eq!(
        build(&db, "2025-06").letter.recipients,
        [
            "Giám đốc các sở, Thủ trưởng các ban, ngành tỉnh",
            "Chủ tịch UBND các huyện, thị xã, thành phố",
            "Chủ tịch UBND các xã, phường"
        ]
    );
    // A line the setting has for districts is left out once they are gone;
    // a line to one unit, or to no group, is kept, after the groups'.
    ok(
        &db,
        &[
            "settings",
            "set",
            "recipients",
            "Giám đốc Kho bạc Nhà nước tỉnh|Chủ tịch UBND các xã, phường, đặc khu|Chủ tịch UBND các huyện, thành phố|Thủ trưởng các sở, ban, ngành|Giám đốc Bảo hiểm xã hội tỉnh",
        ],
    );
    assert_eq!(
        build(&db, "2025-08").letter.recipients,
        [
            "Thủ trưởng các sở, ban, ngành",
            "Chủ tịch UBND các xã, phường, đặc khu",
            "Giám đốc Kho bạc Nhà nước tỉnh",
            "Giám đốc Bảo hiểm xã hội tỉnh"
        ]
    );
    assert_eq!(
        build(&db, "2025-06").letter.recipients,
        [
            "Thủ trưởng các sở, ban, ngành",
            "Chủ tịch UBND các huyện, thành phố",
            "Chủ tịch UBND các xã, phường, đặc khu",
            "Giám đốc Kho bạc Nhà nước tỉnh",
            "Giám đốc Bảo hiểm xã hội tỉnh"
        ]
    );
    // Unset: the defaults, the communes' naming the kinds of the month.
    ok(&db, &["settings", "set", "recipients", "|"]);
    assert_eq!(
        build(&db, "2025-06").letter.recipients,
        [
            "Giám đốc các sở, Thủ trưởng các ban, ngành tỉnh",
            "Chủ tịch UBND các huyện, thị xã, thành phố",
            "Chủ tịch UBND các xã, phường, thị trấn"
        ]
    );
    let md = ok(&db, &["report", "--period", "2025-07"]).stdout;
    assert!(
        md.contains(
            "Kính gửi:\n\n- Giám đốc các sở, Thủ trưởng các ban, ngành tỉnh;\n- Chủ tịch UBND các xã, phường.\n"
        ),
        "{md}"
    );
}

/// The new communes of July 2025, as the demo's lineage file forms them.
fn formed_in_july() -> Vec<String> {
    let text = std::fs::read_to_string(example("hung-yen-2025-lineage.tsv")).unwrap();
    let mut out: Vec<String> = Vec::new();
    for l in text.lines().skip(2) {
        let c: Vec<&str> = l.split('\t').collect();
        if c[2] == "2025-07" && !c[1].is_empty() && !out.iter().any(|n| n == c[1]) {
            out.push(c[1].to_owned());
        }
    }
    out
}

#[test]
fn the_units_that_cannot_be_compared_are_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = province(dir.path());
    let new = formed_in_july();
    assert_eq!(new.len(), 4, "{new:?}");
    let r = ok(&db, &["report", "--period", "2025-07"]);
    let md = r.stdout;
    assert_eq!(md.matches("chưa so sánh được").count(), 1, "{md}");
    let sentence = md
        .split("\n\n")
        .find(|p| p.contains("chưa so sánh được"))
        .unwrap();
    for n in &new {
        let bare = chiso::model::UnitKind::split_prefix(n).1;
        assert!(sentence.contains(bare), "{n}: {sentence}");
    }
    assert_eq!(
        sentence,
        // Kind words in lower case inside the sentence (issue 14).
        "Các xã Giả Lập Bắc, Giả Lập Nam, Hoàng Hoa Thám, Tân Hưng mới thành lập từ tháng 7/2025 trên cơ sở sắp xếp các đơn vị cũ nên chưa so sánh được kết quả tỷ lệ số hoá với tháng 6/2025."
    );
    // It is in the text, so not a warning; July's falls of the agencies
    // (compared) are judged: no rule is left out.
    assert!(!r.stderr.contains("digitization_drop"), "{}", r.stderr);
    // The structured letter: one paragraph, before the directives.
    let rep = build(&db, "2025-07");
    let at = rep
        .letter
        .body
        .iter()
        .position(|b| text(b).contains("chưa so sánh được"))
        .unwrap();
    assert!(matches!(rep.letter.body[at], Block::Para(_)));
    assert!(text(&rep.letter.body[at + 1]).starts_with("Căn cứ kết quả nêu trên"));

    // August compares every unit with July; June every unit with May.
    for month in ["2025-08", "2025-06"] {
        let r = ok(&db, &["report", "--period", month]);
        assert!(!r.stdout.contains("so sánh được"), "{month}: {}", r.stdout);
        assert!(!r.stderr.contains("digitization_drop"), "{}", r.stderr);
    }
    // A rule that cannot be judged at all is still a warning: May has no
    // month before it.
    let r = ok(&db, &["report", "--period", "2025-05"]);
    assert!(
        r.stderr
            // By its Vietnamese name, the code kept for `rules set` (issue 15).
            .contains(
                "quy tắc \"Tỷ lệ số hoá giảm so với kỳ trước\" (digitization_drop) không xét được"
            ),
        "{}",
        r.stderr
    );
    assert!(!r.stdout.contains("so sánh được"), "{}", r.stdout);
    assert!(!r.stdout.contains("giảm so với"), "{}", r.stdout);
}

#[test]
fn the_province_docx_reads_back_with_its_parts_and_annexes() {
    let dir = tempfile::tempdir().unwrap();
    let db = province(dir.path());
    let out = dir.path().join("cong-van.docx");
    ok(
        &db,
        &[
            "report",
            "--period",
            "2025-06",
            "--format",
            "docx",
            "--out",
            out.to_str().unwrap(),
            "--date",
            "2025-07-09",
        ],
    );
    let bytes = std::fs::read(&out).unwrap();
    let (paragraphs, tables) = docx_text(&bytes);
    // Header, signature, then two tables per group: agencies, districts,
    // communes; then the list of units needing directives.
    assert_eq!(tables.len(), 2 + 6 + 1);
    assert!(tables[0][0][0].contains("ỦY BAN NHÂN DÂN\nTỈNH HƯNG YÊN"));
    let june = units_in("2025-06");
    for (i, g) in [Group::CoQuan, Group::Huyen, Group::Xa]
        .into_iter()
        .enumerate()
    {
        let mine: Vec<&str> = june
            .iter()
            .filter(|(_, ug)| *ug == g)
            .map(|(n, _)| n.as_str())
            .collect();
        for t in [&tables[2 + 2 * i], &tables[3 + 2 * i]] {
            assert_eq!(t[0][..2], ["STT", "Đơn vị"]);
            let names: Vec<&str> = t[1..].iter().map(|r| r[1].as_str()).collect();
            let mut sorted = names.clone();
            sorted.sort();
            let mut expected = mine.clone();
            expected.sort();
            assert_eq!(sorted, expected, "table {}", 2 + 2 * i);
        }
    }
    assert_eq!(tables[4][1], ["1", "Huyện Kim Động", "100", "98,1", "73,9"]);
    // The parts of the text, the annexes in order under Roman numerals.
    let body = paragraphs.join("\n");
    for line in [
        "a) Cơ quan cấp tỉnh (Phụ lục I và Phụ lục II)",
        "b) UBND cấp huyện (Phụ lục III và Phụ lục IV)",
        "c) UBND cấp xã (Phụ lục V và Phụ lục VI)",
        "- 1/3 huyện, thành phố có tỷ lệ hồ sơ thanh toán trực tuyến thấp hơn kết quả chung của tỉnh Hưng Yên (70,5%): Tiên Lữ 68%.",
        "- Chủ tịch UBND các huyện, thị xã, thành phố;",
    ] {
        assert!(body.contains(line), "{line}\n{body}");
    }
    let heads: Vec<&String> = paragraphs
        .iter()
        .filter(|p| p.starts_with("PHỤ LỤC "))
        .collect();
    assert_eq!(
        heads,
        [
            "PHỤ LỤC I",
            "PHỤ LỤC II",
            "PHỤ LỤC III",
            "PHỤ LỤC IV",
            "PHỤ LỤC V",
            "PHỤ LỤC VI",
            "PHỤ LỤC VII"
        ]
    );
    let xml = zip_part(&out, "word/document.xml");
    // Each annex on a new page, its header row repeating: a section of
    // its own numbered from 1 since issue 14 (was a pageBreakBefore).
    assert_eq!(xml.matches("<w:pgNumType w:start=\"1\" />").count(), 7);
    assert_eq!(xml.matches("<w:tblHeader />").count(), 7);
    // A group's heading stays with its first bullet (keepNext is now on
    // the signature's and the annex titles' paragraphs too).
    for heading in ["a) Cơ quan cấp tỉnh", "b) UBND cấp huyện", "c) UBND cấp xã"] {
        let p = xml
            .split("<w:p ")
            .find(|p| p.contains(heading))
            .expect(heading);
        assert!(p.contains("<w:keepNext />"), "{p}");
    }
}

#[test]
fn the_annexes_workbook_has_a_sheet_per_annex_numbered_as_the_letter() {
    use calamine::{Data, Reader, Xlsx};
    let dir = tempfile::tempdir().unwrap();
    let db = province(dir.path());
    let out = dir.path().join("phu-luc.xlsx");
    ok(
        &db,
        &[
            "export",
            "--period",
            "2025-08",
            "--format",
            "xlsx",
            "--annexes",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let mut book: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "Phụ lục I",
            "Phụ lục II",
            "Phụ lục III",
            "Phụ lục IV",
            "Phụ lục V"
        ]
    );
    let rep = build(&db, "2025-08");
    let august = units_in("2025-08");
    for (i, a) in rep
        .letter
        .annexes
        .iter()
        .enumerate()
        .filter(|(_, a)| a.group.is_some())
    {
        let sheet = book.worksheet_range(&a.title).unwrap();
        assert_eq!(
            sheet.get_value((0, 0)),
            Some(&Data::String(a.title.to_uppercase()))
        );
        assert_eq!(
            sheet.get_value((1, 0)),
            Some(&Data::String(a.caption.clone()))
        );
        let names: Vec<String> = sheet
            .rows()
            .skip(5)
            .filter_map(|r| match r.get(1) {
                Some(Data::String(s)) => Some(s.clone()),
                _ => None,
            })
            .collect();
        let g = if i < 2 { Group::CoQuan } else { Group::Xa };
        let expected: Vec<String> = august
            .iter()
            .filter(|(_, ug)| *ug == g)
            .map(|(n, _)| n.clone())
            .collect();
        assert_eq!(names, expected, "{}", a.title);
    }
    let p1 = book.worksheet_range("Phụ lục I").unwrap();
    assert!(
        matches!(p1.get_value((1, 0)), Some(Data::String(s)) if s.contains("các cơ quan cấp tỉnh tháng 8/2025"))
    );
    assert_eq!(p1.get_value((5, 2)), Some(&Data::Float(97.2)));
    let p4 = book.worksheet_range("Phụ lục IV").unwrap();
    assert!(
        matches!(p4.get_value((1, 0)), Some(Data::String(s)) if s.contains("UBND các xã tháng 8/2025"))
    );
    assert_eq!(
        p4.get_value((7, 5)),
        Some(&Data::String("Trung bình".into()))
    );
}

#[test]
fn roman_numerals() {
    let got: Vec<String> = [1, 2, 3, 4, 5, 6, 9, 14, 40, 1990]
        .into_iter()
        .map(report::roman)
        .collect();
    assert_eq!(
        got,
        [
            "I", "II", "III", "IV", "V", "VI", "IX", "XIV", "XL", "MCMXC"
        ]
    );
}
