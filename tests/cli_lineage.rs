//! The 2026 office: a province over agencies and new communes, units that
//! merge, split, end and are renamed (issue 12), through the real binary.

mod common;

use common::*;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

fn province(dir: &Path) -> PathBuf {
    let db = dir.join("p.db");
    ok(&db, &["demo", "--province"]);
    db
}

fn json(db: &Path, args: &[&str]) -> Json {
    serde_json::from_str(&ok(db, args).stdout).expect("JSON output")
}

fn findings(db: &Path, period: &str) -> Json {
    json(db, &["findings", "--period", period, "--format", "json"])
}

/// (unit, streak, escalated, previous) of one rule's findings.
fn of_rule(f: &Json, rule: &str) -> Vec<(String, u64, bool, Json)> {
    f["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["rule"] == rule)
        .map(|x| {
            (
                x["unit"].as_str().unwrap().to_owned(),
                x["streak"].as_u64().unwrap(),
                x["escalated"].as_bool().unwrap(),
                x["previous"].clone(),
            )
        })
        .collect()
}

const NEW_COMMUNES: [&str; 4] = [
    "Xã Giả Lập Bắc",
    "Xã Giả Lập Nam",
    "Xã Hoàng Hoa Thám",
    "Xã Tân Hưng",
];

#[test]
fn merged_units_are_not_compared_across_the_merge_then_judged_against_their_first_month() {
    let dir = tempfile::tempdir().unwrap();
    let db = province(dir.path());

    let july = findings(&db, "2025-07");
    assert_eq!(july["units_total"], 10, "6 agencies and 4 new communes");
    // Every new commune is listed as not comparable, with what it was formed from.
    let ne: Vec<(&str, &str)> = july["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["rule"] == "digitization_drop")
        .map(|n| (n["unit"].as_str().unwrap(), n["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(ne.iter().map(|(u, _)| *u).collect::<Vec<_>>(), NEW_COMMUNES);
    let tan_hung = ne.iter().find(|(u, _)| *u == "Xã Tân Hưng").unwrap().1;
    assert_eq!(
        tan_hung,
        "thành lập từ tháng 7/2025 trên cơ sở Xã Thủ Sỹ, Xã Phương Nam, Xã Tân Hưng"
    );
    let bac = ne.iter().find(|(u, _)| *u == "Xã Giả Lập Bắc").unwrap().1;
    assert!(bac.contains("một phần Xã Giả Lập Đông"), "{bac}");
    // Their July digitization is below every predecessor's June figure, yet
    // no fall is reported: the drop rule judged no one this month.
    assert!(of_rule(&july, "digitization_drop").is_empty());
    // The old units are gone from July: no missing_data for them either.
    let named: Vec<&str> = july["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["unit"].as_str().unwrap())
        .collect();
    assert!(!named.contains(&"Xã Thủ Sỹ") && !named.contains(&"Huyện Tiên Lữ"));

    // August compares them with July, like for like.
    let aug = findings(&db, "2025-08");
    assert!(
        aug["not_evaluated"].as_array().unwrap().is_empty(),
        "{}",
        aug["not_evaluated"]
    );
    let drops = of_rule(&aug, "digitization_drop");
    let units: Vec<&str> = drops.iter().map(|d| d.0.as_str()).collect();
    assert_eq!(units, ["Sở Tư pháp", "Xã Giả Lập Bắc", "Xã Hoàng Hoa Thám"]);
    let htt = drops.iter().find(|d| d.0 == "Xã Hoàng Hoa Thám").unwrap();
    assert_eq!(htt.3, serde_json::json!(52.6), "July's own figure");
    // Groups on every finding.
    for x in aug["findings"].as_array().unwrap() {
        let want = if x["unit"].as_str().unwrap().starts_with("Xã ") {
            "xa"
        } else {
            "co_quan"
        };
        assert_eq!(x["group"], want, "{x}");
    }
}

#[test]
fn a_rename_keeps_the_streak_a_merge_starts_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = province(dir.path());
    let july = findings(&db, "2025-07");
    let late = of_rule(&july, "processing_late");
    // July still names the agency as it was called then.
    assert_eq!(late[0].0, "Ban Quản lý các khu công nghiệp tỉnh");
    // Xã Thủ Sỹ was late in June too, but Xã Tân Hưng is a new unit.
    let th = late.iter().find(|l| l.0 == "Xã Tân Hưng").unwrap();
    assert_eq!((th.1, th.2), (1, false));

    let aug = findings(&db, "2025-08");
    let late = of_rule(&aug, "processing_late");
    let agency = late
        .iter()
        .find(|l| l.0 == "Ban Quản lý các khu công nghiệp và khu kinh tế tỉnh")
        .unwrap();
    assert_eq!(
        (agency.1, agency.2),
        (2, true),
        "the renamed agency's streak runs across the rename"
    );
    assert_eq!(agency.3, serde_json::json!(96.5));
    let th = late.iter().find(|l| l.0 == "Xã Tân Hưng").unwrap();
    assert_eq!((th.1, th.2), (2, true));
    // Exports of July keep the old name; August's the new one.
    let july_export = json(&db, &["export", "--period", "2025-07", "--format", "json"]);
    let names: Vec<&str> = july_export["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Ban Quản lý các khu công nghiệp tỉnh"));
    let aug_export = json(&db, &["export", "--period", "2025-08", "--format", "json"]);
    assert_eq!(
        aug_export["units"][0]["name"],
        "Ban Quản lý các khu công nghiệp và khu kinh tế tỉnh"
    );
    assert_eq!(aug_export["units"][0]["group"], "co_quan");
}

#[test]
fn lineage_of_a_unit_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = province(dir.path());
    let l = json(
        &db,
        &["units", "lineage", "Xã Tân Hưng", "--format", "json"],
    );
    assert_eq!(l["unit"], "Xã Tân Hưng");
    assert_eq!(l["kind"], "xa");
    assert_eq!(l["group"], "xa");
    assert_eq!(l["from"], "2025-07");
    assert_eq!(l["until"], Json::Null);
    let preds: Vec<(&str, &str, &str)> = l["predecessors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["unit"].as_str().unwrap(),
                p["from"].as_str().unwrap(),
                p["scope"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        preds,
        [
            ("Xã Thủ Sỹ", "2025-07", "whole"),
            ("Xã Phương Nam", "2025-07", "whole"),
            ("Xã Tân Hưng", "2025-07", "whole"),
        ]
    );
    // The old Tân Hưng, by a month it existed in, has the new one as successor.
    let old = json(
        &db,
        &["units", "lineage", "Xã Giả Lập Đông", "--format", "json"],
    );
    assert_eq!(old["until"], "2025-07");
    assert_eq!(old["successors"].as_array().unwrap().len(), 2);
    assert_eq!(old["successors"][0]["scope"], "part");
    let all = json(&db, &["units", "lineage", "--format", "json"]);
    // 4 new communes, 8 old ones, 3 districts, the renamed agency.
    assert_eq!(all.as_array().unwrap().len(), 16);
    let table = ok(&db, &["units", "lineage"]).stdout;
    assert!(table.contains("✕ không còn từ tháng 7/2025"), "{table}");
    assert!(table.contains("tên cũ \"Ban Quản lý các khu công nghiệp tỉnh\" đến hết tháng 7/2025"));
}

#[test]
fn values_for_a_unit_that_no_longer_exists_are_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = province(dir.path());
    let before = snapshot(&db);
    let f = write(
        dir.path(),
        "aug.tsv",
        "Đơn vị\tKết quả xử lý hồ sơ (%)\nSở Tư pháp\t99\nXã Thủ Sỹ\t100\n".as_bytes(),
    );
    let err = fails(&db, &["import", s(&f), "--period", "2025-08", "--replace"]);
    assert!(
        err.contains(
            "dòng 3, cột \"Đơn vị\", giá trị \"Xã Thủ Sỹ\": đơn vị này đã sáp nhập vào Xã Tân Hưng từ tháng 7/2025"
        ),
        "{err}"
    );
    let err = fails(
        &db,
        &[
            "set",
            "--period",
            "2025-09",
            "--unit",
            "Thủ Sỹ",
            "processing=100",
        ],
    );
    assert!(err.contains("đã sáp nhập vào Xã Tân Hưng"), "{err}");
    let err = fails(
        &db,
        &[
            "set",
            "--period",
            "2025-08",
            "--unit",
            "Huyện Tiên Lữ",
            "processing=100",
        ],
    );
    assert!(err.contains("không còn từ tháng 7/2025"), "{err}");
    // A unit formed in July has no June.
    let err = fails(
        &db,
        &[
            "set",
            "--period",
            "2025-06",
            "--unit",
            "Xã Hoàng Hoa Thám",
            "score=80",
        ],
    );
    assert!(err.contains("thành lập từ tháng 7/2025"), "{err}");
    assert_eq!(snapshot(&db), before, "nothing was written");
    // The same name in June is the old commune.
    let r = ok(
        &db,
        &[
            "set",
            "--period",
            "2025-06",
            "--unit",
            "Xã Tân Hưng",
            "score=80",
        ],
    );
    assert!(r.stdout.contains("Điểm tổng hợp"), "{}", r.stdout);
}

#[test]
fn units_list_by_month_and_groups() {
    let dir = tempfile::tempdir().unwrap();
    let db = province(dir.path());
    let june = json(
        &db,
        &["units", "list", "--period", "2025-06", "--format", "json"],
    );
    let june = june.as_array().unwrap();
    assert_eq!(june.len(), 1 + 6 + 3 + 8);
    let groups = |list: &[Json], g: &str| list.iter().filter(|u| u["group"] == g).count();
    assert_eq!(groups(june, "huyen"), 3);
    assert_eq!(groups(june, "co_quan"), 6);
    let aug = json(
        &db,
        &["units", "list", "--period", "2025-08", "--format", "json"],
    );
    let aug = aug.as_array().unwrap();
    assert_eq!(aug.len(), 1 + 6 + 4);
    assert_eq!(groups(aug, "huyen"), 0);
    let table = ok(&db, &["units", "list"]).stdout;
    assert!(table.contains("Nhóm"), "{table}");
    // Findings and export of one group.
    let xa = json(
        &db,
        &[
            "findings", "--period", "2025-08", "--format", "json", "--group", "xa",
        ],
    );
    assert_eq!(xa["units_total"], 4);
    assert!(
        xa["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["group"] == "xa")
    );
    let agencies = json(
        &db,
        &[
            "export", "--period", "2025-08", "--format", "json", "--group", "co_quan",
        ],
    );
    assert_eq!(agencies["units"].as_array().unwrap().len(), 6);
    // The table has one block per group.
    let t = ok(&db, &["findings", "--period", "2025-06"]).stdout;
    let ci = t.find("══ Cơ quan cấp tỉnh").unwrap();
    let hi = t.find("══ UBND cấp huyện").unwrap();
    let xi = t.find("══ UBND cấp xã").unwrap();
    assert!(ci < hi && hi < xi, "{t}");
    let bad = run(&db, &["findings", "--period", "2025-08", "--group", "tinh"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

#[test]
fn agencies_are_inferred_and_unknown_kinds_are_listed_not_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["init", "--parent", "Tỉnh Hưng Yên"]);
    let r = ok(&db, &["units", "add", "Kho bạc Nhà nước tỉnh"]);
    // The kind in words (issue 15, item 10); `--kind co_quan` takes the code.
    assert!(r.stdout.contains("(cơ quan)"), "{}", r.stdout);
    let err = fails(&db, &["units", "add", "Trung tâm Phục vụ hành chính công"]);
    assert!(err.contains("--kind"), "{err}");
    ok(
        &db,
        &[
            "units",
            "add",
            "Trung tâm Phục vụ hành chính công",
            "--kind",
            "co_quan",
        ],
    );
    let before = snapshot(&db);
    let f = write(
        dir.path(),
        "m.csv",
        "Đơn vị,Điểm tổng hợp\nSở Y tế,80\nĐài Phát thanh,81\nXã Mới,82\nTrường Chính trị,83\n"
            .as_bytes(),
    );
    let err = fails(
        &db,
        &["import", s(&f), "--period", "2025-08", "--create-units"],
    );
    assert!(
        err.contains("dòng 3") && err.contains("Đài Phát thanh"),
        "{err}"
    );
    assert!(
        err.contains("dòng 5") && err.contains("Trường Chính trị"),
        "{err}"
    );
    assert!(!err.contains("Sở Y tế\""), "{err}");
    assert_eq!(snapshot(&db), before);
    ok(
        &db,
        &[
            "import",
            s(&f),
            "--period",
            "2025-08",
            "--create-units",
            "--kind",
            "co_quan",
        ],
    );
    let list = json(&db, &["units", "list", "--format", "json"]);
    let kind = |n: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|u| u["name"] == n)
            .unwrap()["kind"]
            .clone()
    };
    assert_eq!(kind("Đài Phát thanh"), "co_quan");
    assert_eq!(kind("Xã Mới"), "xa");
    assert_eq!(kind("Sở Y tế"), "co_quan");
    // Under a district, every child is a commune, as before.
    std::fs::create_dir(dir.path().join("d")).unwrap();
    let d = new_db(&dir.path().join("d"));
    let err = fails(&d, &["units", "add", "Sở Tư pháp", "--kind", "co_quan"]);
    assert!(err.contains("không tạo được cơ quan cấp tỉnh"), "{err}");
}

#[test]
fn merge_split_and_their_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["init", "--parent", "Tỉnh Thử"]);
    let f = write(
        dir.path(),
        "jun.csv",
        "Đơn vị,Kết quả tỷ lệ số hoá (%)\nXã A,50\nXã B,60\nXã C,70\nXã D,80\n".as_bytes(),
    );
    ok(
        &db,
        &["import", s(&f), "--period", "2025-06", "--create-units"],
    );
    // "nhập A, B vào C": C goes on, enlarged; it cannot be compared in July.
    let r = ok(
        &db,
        &[
            "units", "merge", "Xã A", "Xã B", "Xã C", "--into", "Xã C", "--from", "2025-07",
        ],
    );
    assert!(r.stdout.contains("Xã A → Xã C"), "{}", r.stdout);
    let c = json(&db, &["units", "lineage", "Xã C", "--format", "json"]);
    assert_eq!(c["from"], Json::Null, "C continues");
    assert_eq!(c["predecessors"].as_array().unwrap().len(), 2);
    // D splits into two new communes.
    ok(
        &db,
        &[
            "units", "split", "Xã D", "--into", "Xã D1", "Xã D2", "--from", "2025-07",
        ],
    );
    let f = write(
        dir.path(),
        "jul.csv",
        "Đơn vị,Kết quả tỷ lệ số hoá (%)\nXã C,10\nXã D1,20\nXã D2,30\n".as_bytes(),
    );
    ok(&db, &["import", s(&f), "--period", "2025-07"]);
    let july = findings(&db, "2025-07");
    let ne: Vec<&str> = july["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["unit"].as_str())
        .collect();
    assert_eq!(ne, ["Xã C", "Xã D1", "Xã D2"]);
    let c_reason = july["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["unit"] == "Xã C")
        .unwrap()["reason"]
        .clone();
    assert_eq!(
        c_reason,
        "nhận thêm Xã A, Xã B từ tháng 7/2025, không so sánh được với tháng 6/2025"
    );
    assert!(
        of_rule(&july, "digitization_drop").is_empty(),
        "C fell 70 → 10 but is not comparable"
    );

    // Refusals leave the file as it was.
    let before = snapshot(&db);
    // C has July values: ending it in July would orphan them.
    let err = fails(
        &db,
        &[
            "units", "merge", "Xã C", "--into", "Xã E", "--from", "2025-07",
        ],
    );
    assert!(
        err.contains("không còn từ tháng 7/2025") || err.contains("ngoài thời gian"),
        "{err}"
    );
    let err = fails(
        &db,
        &[
            "units", "merge", "Xã C", "--into", "Xã E", "--from", "2025-06",
        ],
    );
    assert!(err.contains("ngoài thời gian tồn tại"), "{err}");
    assert!(err.contains("chiso set --period 2025-06"), "{err}");
    let err = fails(
        &db,
        &[
            "units",
            "merge",
            "Xã Không Có",
            "--into",
            "Xã E",
            "--from",
            "2025-08",
        ],
    );
    assert!(err.contains("không có đơn vị"), "{err}");
    // Removing A → C would bring A back beside... nothing clashes: allowed;
    // but removing D's split parts would not orphan values either. A wrong
    // merge month is corrected by removing the row and entering it again.
    assert_eq!(snapshot(&db), before);
    let r = ok(
        &db,
        &["units", "lineage", "remove", "Xã A", "--into", "Xã C"],
    );
    assert!(r.stdout.contains("Đã gỡ"), "{}", r.stdout);
    let a = json(&db, &["units", "lineage", "Xã A", "--format", "json"]);
    assert_eq!(a["until"], Json::Null, "A exists again");
    let log = json(&db, &["log", "--format", "json"]);
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["unit_change"].as_str())
        .collect();
    for a in ["merge", "split", "unlink", "add"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

#[test]
fn a_new_unit_may_take_an_old_ones_name_only_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["init", "--parent", "Tỉnh Thử"]);
    let f = write(
        dir.path(),
        "jun.csv",
        "Đơn vị,Điểm tổng hợp\nXã Tân Hưng,70\nXã Thủ Sỹ,71\n".as_bytes(),
    );
    ok(
        &db,
        &["import", s(&f), "--period", "2025-06", "--create-units"],
    );
    ok(
        &db,
        &[
            "units",
            "merge",
            "Xã Tân Hưng",
            "Xã Thủ Sỹ",
            "--into",
            "Xã Tân Hưng",
            "--from",
            "2025-07",
            "--new",
        ],
    );
    let l = json(
        &db,
        &["units", "lineage", "Xã Tân Hưng", "--format", "json"],
    );
    assert_eq!(l["from"], "2025-07");
    assert_eq!(l["predecessors"].as_array().unwrap().len(), 2);
    // Each month's file finds its own Tân Hưng.
    let f = write(
        dir.path(),
        "jul.csv",
        "Đơn vị,Điểm tổng hợp\nXã Tân Hưng,90\n".as_bytes(),
    );
    ok(&db, &["import", s(&f), "--period", "2025-07"]);
    let june = json(&db, &["export", "--period", "2025-06", "--format", "json"]);
    let july = json(&db, &["export", "--period", "2025-07", "--format", "json"]);
    assert_eq!(june["units"].as_array().unwrap().len(), 2);
    assert_eq!(july["units"][0]["values"]["score"], 90.0);
    assert_eq!(june["units"][0]["values"]["score"], 70.0);
    // Taking the merge back would make two living "Xã Tân Hưng": refused.
    let before = snapshot(&db);
    let err = fails(
        &db,
        &[
            "units",
            "lineage",
            "remove",
            "Xã Tân Hưng",
            "--into",
            "Xã Tân Hưng",
        ],
    );
    assert!(err.contains("hai đơn vị cùng tên"), "{err}");
    assert_eq!(snapshot(&db), before);
}

#[test]
fn lineage_table_errors_are_located_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["init", "--parent", "Tỉnh Thử"]);
    let f = write(
        dir.path(),
        "jun.csv",
        "Đơn vị,Điểm tổng hợp\nXã Bình Kiều,70\nXã An Vỹ,71\n".as_bytes(),
    );
    ok(
        &db,
        &["import", s(&f), "--period", "2025-06", "--create-units"],
    );
    let before = snapshot(&db);
    let t = write(
        dir.path(),
        "nq.csv",
        "Nghị quyết\nĐơn vị cũ;Đơn vị mới;Từ tháng;Phạm vi\nXã An Vỹ;Xã Mới;2025-13;toàn bộ\nXã Bình Kiều;Xã Mới;2025-07;nửa\n"
            .as_bytes(),
    );
    let err = fails(&db, &["units", "lineage", "import", s(&t)]);
    assert!(
        err.contains("nq.csv, dòng 3, cột \"Từ tháng\", giá trị \"2025-13\""),
        "{err}"
    );
    assert!(err.contains("dòng 4, cột \"Phạm vi\""), "{err}");
    // A name that matches only without accents is a question, as in import.
    let t = write(
        dir.path(),
        "nq2.tsv",
        "Đơn vị cũ\tĐơn vị mới\tTừ tháng\tPhạm vi\nXã Binh Kieu\tXã Mới\t2025-07\ttoàn bộ\nXã An Vỹ\tXã Mới\t2025-07\ttoàn bộ\n"
            .as_bytes(),
    );
    let err = fails(&db, &["units", "lineage", "import", s(&t)]);
    assert!(err.contains("nq2.tsv, dòng 2"), "{err}");
    assert!(err.contains("có phải \"Xã Bình Kiều\"?"), "{err}");
    assert_eq!(snapshot(&db), before);
    // A dry run says what it would do and writes nothing.
    let t = write(
        dir.path(),
        "nq3.tsv",
        "Đơn vị cũ\tĐơn vị mới\tTừ tháng\tPhạm vi\nXã Bình Kiều\tXã Mới\t2025-07\ttoàn bộ\nXã An Vỹ\tXã Mới\t7/2025\t\n"
            .as_bytes(),
    );
    let r = ok(&db, &["units", "lineage", "import", s(&t), "--dry-run"]);
    assert!(r.stdout.contains("Đơn vị mới: Xã Mới"), "{}", r.stdout);
    assert!(r.stdout.contains("chưa ghi gì"), "{}", r.stdout);
    assert_eq!(snapshot(&db), before);
    ok(&db, &["units", "lineage", "import", s(&t)]);
    // Again: nothing new.
    let r = ok(&db, &["units", "lineage", "import", s(&t)]);
    assert!(r.stdout.contains("Không có gì thay đổi"), "{}", r.stdout);
}

#[test]
fn rules_for_one_group() {
    let dir = tempfile::tempdir().unwrap();
    let db = province(dir.path());
    // Agencies' digitization floor at 80%, communes' stays 40%.
    ok(
        &db,
        &[
            "rules",
            "add",
            "digitization_low_agencies",
            "--like",
            "digitization_low",
            "--group",
            "co_quan",
            "--threshold",
            "80",
        ],
    );
    ok(&db, &["rules", "set", "digitization_low", "--group", "xa"]);
    let aug = findings(&db, "2025-08");
    let agencies: Vec<String> = of_rule(&aug, "digitization_low_agencies")
        .into_iter()
        .map(|x| x.0)
        .collect();
    let export = json(
        &db,
        &[
            "export", "--period", "2025-08", "--format", "json", "--group", "co_quan",
        ],
    );
    let under: Vec<String> = export["units"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["values"]["digitization"].as_f64().unwrap() < 80.0)
        .map(|u| u["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(agencies, under);
    assert_eq!(agencies.len(), 5, "{agencies:?}");
    assert!(
        of_rule(&aug, "digitization_low")
            .iter()
            .all(|x| x.0.starts_with("Xã "))
    );
    let t = ok(&db, &["findings", "--period", "2025-08"]).stdout;
    assert!(
        t.contains("5/6 cơ quan có tỷ lệ số hoá hồ sơ dưới 80%"),
        "{t}"
    );
    let list = json(&db, &["rules", "list", "--format", "json"]);
    let added = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "digitization_low_agencies")
        .unwrap();
    assert_eq!(added["group"], "co_quan");
    assert_eq!(added["threshold"], 80.0);
    let err = fails(
        &db,
        &[
            "rules",
            "add",
            "digitization_low",
            "--like",
            "digitization_low",
        ],
    );
    assert!(err.contains("đã có quy tắc"), "{err}");
    let err = fails(
        &db,
        &["rules", "add", "Bad-Code", "--like", "digitization_low"],
    );
    assert!(err.contains("mã quy tắc"), "{err}");
}

/// Found in review: each of these once chose the wrong unit or wrote what
/// it should have refused.
#[test]
fn names_across_time_never_pick_the_wrong_unit() {
    let dir = tempfile::tempdir().unwrap();
    let db = province(dir.path());
    let before = snapshot(&db);
    // "Hưng Yên" alone is not the province, even once Thành phố Hưng Yên ended.
    let f = write(
        dir.path(),
        "hy.tsv",
        "Đơn vị\tKết quả xử lý hồ sơ (%)\nHưng Yên\t12\n".as_bytes(),
    );
    let err = fails(&db, &["import", s(&f), "--period", "2025-10"]);
    assert!(err.contains("không có đơn vị này"), "{err}");
    // A name another unit had before a rename is not free.
    let err = fails(
        &db,
        &[
            "units",
            "alias",
            "Ban Quản lý các khu công nghiệp tỉnh",
            "--to",
            "Sở Tư pháp",
        ],
    );
    assert!(err.contains("tên cũ của đơn vị"), "{err}");
    let err = fails(
        &db,
        &["units", "add", "Ban Quản lý các khu công nghiệp tỉnh"],
    );
    assert!(err.contains("tên cũ của đơn vị"), "{err}");
    // A misspelt new unit is a question, not a near-duplicate.
    let err = fails(
        &db,
        &[
            "units",
            "merge",
            "Sở Tư pháp",
            "--into",
            "So Xay Dung",
            "--from",
            "2025-10",
        ],
    );
    assert!(err.contains("có phải \"Sở Xây dựng\"?"), "{err}");
    // --new when the unit already exists is refused, not ignored.
    let err = fails(
        &db,
        &[
            "units",
            "merge",
            "Sở Tư pháp",
            "--into",
            "Sở Xây dựng",
            "--from",
            "2025-10",
            "--new",
        ],
    );
    assert!(err.contains("--new: đã có đơn vị \"Sở Xây dựng\""), "{err}");
    // A rename from a month the unit did not reach says why.
    let err = fails(
        &db,
        &[
            "units",
            "rename",
            "Xã Thủ Sỹ",
            "--to",
            "Xã Thủ Sĩ",
            "--from",
            "2025-07",
        ],
    );
    assert!(err.contains("đã sáp nhập vào Xã Tân Hưng"), "{err}");
    assert_eq!(snapshot(&db), before);

    // A name is never reused by another unit while the one that bore it
    // could still be meant: not even a name given up by a rename.
    ok(
        &db,
        &[
            "units",
            "rename",
            "Xã Hoàng Hoa Thám",
            "--to",
            "Phường Hoàng Hoa Thám",
            "--from",
            "2025-09",
        ],
    );
    let err = fails(
        &db,
        &[
            "units",
            "rename",
            "Xã Giả Lập Bắc",
            "--to",
            "Xã Hoàng Hoa Thám",
            "--from",
            "2025-09",
        ],
    );
    assert!(
        err.contains("là tên cũ của đơn vị \"Phường Hoàng Hoa Thám\""),
        "{err}"
    );
    // The old name still finds the unit in the months it bore it.
    let f = write(
        dir.path(),
        "hht.tsv",
        "Đơn vị\tĐiểm tổng hợp\nXã Hoàng Hoa Thám\t77\n".as_bytes(),
    );
    let r = ok(&db, &["import", s(&f), "--period", "2025-08", "--replace"]);
    assert!(r.stdout.contains("1 thay đổi"), "{}", r.stdout);
}

#[test]
fn splits_and_tables_as_the_resolutions_write_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = province(dir.path());
    // A part keeps the old name (Hà Nội's Phường Cửa Nam): a new unit.
    let r = ok(
        &db,
        &[
            "units",
            "split",
            "Xã Hoàng Hoa Thám",
            "--into",
            "Xã Hoàng Hoa Thám Bắc",
            "Xã Hoàng Hoa Thám",
            "--from",
            "2025-10",
        ],
    );
    assert!(
        r.stdout
            .contains("Xã Hoàng Hoa Thám Bắc, Xã Hoàng Hoa Thám"),
        "{}",
        r.stdout
    );
    let new = json(
        &db,
        &["units", "lineage", "Xã Hoàng Hoa Thám", "--format", "json"],
    );
    assert_eq!(new["from"], "2025-10");
    assert_eq!(new["predecessors"][0]["scope"], "part");
    // One agency merged into another that goes on (Sở KH&ĐT → Sở Tài chính):
    // one whole row into a living unit is a merge, not a rename.
    let t = write(
        dir.path(),
        "so.tsv",
        "Đơn vị cũ\tĐơn vị mới\tTừ tháng\tPhạm vi\nSở Tư pháp\tSở Xây dựng\t2025-10\ttoàn bộ\n"
            .as_bytes(),
    );
    ok(&db, &["units", "lineage", "import", s(&t)]);
    let xd = json(
        &db,
        &["units", "lineage", "Sở Xây dựng", "--format", "json"],
    );
    assert_eq!(xd["from"], Json::Null, "it goes on, enlarged");
    assert_eq!(xd["predecessors"][0]["unit"], "Sở Tư pháp");
    // Importing it again writes nothing at all, not even a changeset.
    let before = snapshot(&db);
    let r = ok(&db, &["units", "lineage", "import", s(&t)]);
    assert!(r.stdout.contains("Không có gì thay đổi"), "{}", r.stdout);
    assert_eq!(snapshot(&db), before);
}

#[test]
fn a_merge_into_a_unit_made_by_importing_first_and_taking_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["init", "--parent", "Tỉnh Thử"]);
    let f = write(
        dir.path(),
        "jun.csv",
        "Đơn vị,Điểm tổng hợp\nXã A,70\nXã B,71\n".as_bytes(),
    );
    ok(
        &db,
        &["import", s(&f), "--period", "2025-06", "--create-units"],
    );
    // The clerk imported July first: Xã C exists, with no month before.
    let f = write(
        dir.path(),
        "jul.csv",
        "Đơn vị,Điểm tổng hợp\nXã C,80\n".as_bytes(),
    );
    ok(
        &db,
        &["import", s(&f), "--period", "2025-07", "--create-units"],
    );
    let r = ok(
        &db,
        &[
            "units", "merge", "Xã A", "Xã B", "--into", "Xã C", "--from", "2025-07",
        ],
    );
    assert!(
        r.stdout
            .contains("Xã C: đơn vị mới, tồn tại từ tháng 7/2025"),
        "{}",
        r.stdout
    );
    ok(
        &db,
        &["units", "lineage", "remove", "Xã A", "--into", "Xã C"],
    );
    let c = json(&db, &["units", "lineage", "Xã C", "--format", "json"]);
    assert_eq!(c["from"], "2025-07", "B still forms it");
    ok(
        &db,
        &["units", "lineage", "remove", "Xã B", "--into", "Xã C"],
    );
    let c = json(&db, &["units", "lineage", "Xã C", "--format", "json"]);
    assert_eq!(
        c["from"],
        Json::Null,
        "nothing forms it any more: as it was"
    );
    // A value left outside a unit's months can still be cleared with the
    // command the refusal names.
    ok(
        &db,
        &[
            "units", "merge", "Xã A", "--into", "Xã D", "--from", "2025-08",
        ],
    );
    let r = ok(
        &db,
        &["set", "--period", "2025-08", "--unit", "Xã A", "score=-"],
    );
    assert!(r.stdout.contains("Không có gì thay đổi"), "{}", r.stdout);
    let err = fails(
        &db,
        &["set", "--period", "2025-08", "--unit", "Xã A", "score=5"],
    );
    assert!(err.contains("đã sáp nhập vào Xã D"), "{err}");
}
