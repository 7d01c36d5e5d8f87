//! The demo database: Khoái Châu's August 2024 results exactly as published
//! in công văn 884/UBND-VP (both annexes and the district's own figures),
//! plus a clearly synthetic July 2024 so month comparisons have something to
//! show. The files are embedded: the installed binary needs nothing else.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::db::units::{self, UnitIndex};
use crate::db::{self, Actor, Db, values};
use crate::import::{self, Input, Options};
use crate::model::{Period, UnitKind};

pub const PARENT: &str = "Huyện Khoái Châu";

/// (file name, contents, month). Order matters: Phụ lục 2 spells "Đồng
/// Tiến" as the body does, so it creates the units; Phụ lục 1's "Đông Tiến"
/// then arrives through an alias, as an operator would resolve it.
const FILES: &[(&str, &str, &str)] = &[
    (
        "khoai-chau-2024-08-phu-luc-2.tsv",
        include_str!("../examples/khoai-chau-2024-08-phu-luc-2.tsv"),
        "2024-08",
    ),
    (
        "khoai-chau-2024-08-phu-luc-1.tsv",
        include_str!("../examples/khoai-chau-2024-08-phu-luc-1.tsv"),
        "2024-08",
    ),
    (
        "khoai-chau-2024-08-huyen.tsv",
        include_str!("../examples/khoai-chau-2024-08-huyen.tsv"),
        "2024-08",
    ),
    (
        "khoai-chau-2024-07-synthetic.tsv",
        include_str!("../examples/khoai-chau-2024-07-synthetic.tsv"),
        "2024-07",
    ),
];

/// The province example (`chiso demo --province`): a few agencies, the
/// communes of two clauses of Nghị quyết 1666/NQ-UBTVQH15 with their real
/// lineage, a synthetic split and rename, months 5/2025–9/2025. Values
/// are synthetic, and the files say so in their title rows.
pub const PROVINCE: &str = "Tỉnh Hưng Yên";

const PROVINCE_BEFORE: &[(&str, &str)] = &[
    (
        "hung-yen-2025-05-synthetic.tsv",
        include_str!("../examples/hung-yen-2025-05-synthetic.tsv"),
    ),
    (
        "hung-yen-2025-06-synthetic.tsv",
        include_str!("../examples/hung-yen-2025-06-synthetic.tsv"),
    ),
];
const PROVINCE_LINEAGE: (&str, &str) = (
    "hung-yen-2025-lineage.tsv",
    include_str!("../examples/hung-yen-2025-lineage.tsv"),
);
const PROVINCE_AFTER: &[(&str, &str)] = &[
    (
        "hung-yen-2025-07-synthetic.tsv",
        include_str!("../examples/hung-yen-2025-07-synthetic.tsv"),
    ),
    (
        "hung-yen-2025-08-synthetic.tsv",
        include_str!("../examples/hung-yen-2025-08-synthetic.tsv"),
    ),
    (
        "hung-yen-2025-09-synthetic.tsv",
        include_str!("../examples/hung-yen-2025-09-synthetic.tsv"),
    ),
];

fn default_path(province: bool) -> anyhow::Result<PathBuf> {
    let dir =
        dirs::data_dir().context("không xác định được thư mục dữ liệu; hãy dùng --db PATH")?;
    Ok(dir.join("chiso").join(if province {
        "demo-province.db"
    } else {
        "demo.db"
    }))
}

/// Imports one embedded example file, as `chiso import` would.
fn import_text(
    db: &mut Db,
    actor: &Actor,
    (name, text): (&str, &str),
    period: Option<Period>,
    create_units: bool,
) -> anyhow::Result<()> {
    let opts = Options {
        period,
        create_units,
        replace: false,
        sheet: None,
        encoding: None,
        kind: None,
        cmd: "chiso".into(),
    };
    let input = [Input {
        name: name.to_owned(),
        bytes: text.as_bytes().to_vec(),
    }];
    let command = format!("chiso demo: import {name}");
    import::run(db, &input, &opts, actor, &command, false)
        .with_context(|| format!("dữ liệu mẫu {name} không nhập được"))?;
    Ok(())
}

/// Builds the province example at `path` (which must not exist), the way
/// the README tells an office to move in: the province, the months before
/// the reform, the resolution as a lineage table, the months after.
pub fn build_province(path: &Path) -> anyhow::Result<Db> {
    let actor = Actor {
        os_user: "demo".into(),
        ssh_client: None,
    };
    let mut db = Db::create(path)?;
    db.write(|tx| -> anyhow::Result<()> {
        let cs = db::begin_changeset(tx, &actor, "init", "chiso demo --province")?;
        units::add(tx, cs, PROVINCE, UnitKind::Tinh, true)?;
        Ok(())
    })?;
    for (i, file) in PROVINCE_BEFORE.iter().enumerate() {
        import_text(&mut db, &actor, *file, None, i == 0)?;
    }
    let (name, text) = PROVINCE_LINEAGE;
    let input = Input {
        name: name.to_owned(),
        bytes: text.as_bytes().to_vec(),
    };
    let rows = import::lineage::read_table(&input, None, None)
        .map_err(|p| anyhow::anyhow!("bảng mẫu {name} không đọc được: {p:?}"))?;
    let changes = import::lineage::changes(&rows);
    db.write(|tx| -> anyhow::Result<()> {
        let cs = db::begin_changeset(tx, &actor, "units", "chiso demo --province: lineage")?;
        import::lineage::apply(tx, cs, &changes, None, true)
            .map_err(|(place, e)| anyhow::anyhow!("bảng mẫu {name}, {place}: {e}"))?;
        Ok(())
    })?;
    for file in PROVINCE_AFTER {
        import_text(&mut db, &actor, *file, None, false)?;
    }
    db.write(|tx| -> anyhow::Result<()> {
        db::begin_changeset(tx, &actor, "settings", "chiso demo --province")?;
        db::settings::set(
            tx,
            "recipients",
            "Giám đốc các sở, Thủ trưởng các ban, ngành tỉnh|Chủ tịch UBND các xã, phường",
        )?;
        Ok(())
    })?;
    Ok(db)
}

/// Builds the demo database at `path` (which must not exist).
pub fn build(path: &Path) -> anyhow::Result<Db> {
    let actor = Actor {
        os_user: "demo".into(),
        ssh_client: None,
    };
    let mut db = Db::create(path)?;
    db.write(|tx| -> anyhow::Result<()> {
        let cs = db::begin_changeset(tx, &actor, "init", "chiso demo")?;
        units::add(tx, cs, PARENT, UnitKind::Huyen, true)?;
        Ok(())
    })?;
    for (i, (name, text, period)) in FILES.iter().enumerate() {
        if i == 1 {
            let index = UnitIndex::load(db.conn())?;
            let unit = index.require("Đồng Tiến")?.clone();
            db.write(|tx| -> anyhow::Result<()> {
                let cs = db::begin_changeset(tx, &actor, "units", "chiso demo")?;
                units::add_alias(tx, cs, "Đông Tiến", &unit)?;
                Ok(())
            })?;
        }
        import_text(&mut db, &actor, (name, text), Period::parse(period), i == 0)?;
    }
    // The seed letter's own settings: `chiso report` then writes công văn
    // 884/UBND-VP as the office would (number and date left to fill).
    db.write(|tx| -> anyhow::Result<()> {
        db::begin_changeset(tx, &actor, "settings", "chiso demo")?;
        for (k, v) in SEED_LETTER {
            db::settings::set(tx, k, v)?;
        }
        Ok(())
    })?;
    Ok(db)
}

/// Letter settings of công văn 884/UBND-VP (the seed).
const SEED_LETTER: &[(&str, &str)] = &[
    ("doc_number:2024-08", "884"),
    ("doc_symbol", "UBND-VP"),
    ("place", "Khoái Châu"),
    (
        "recipients",
        "Thủ trưởng các cơ quan, đơn vị|Chủ tịch UBND các xã, thị trấn",
    ),
    (
        "source_letter:2024-08",
        "Công văn số 303/VPUB-PVHCC&KSTT ngày 05/9/2024 của UBND tỉnh",
    ),
    ("publisher", "Văn phòng HĐND và UBND huyện"),
    (
        "publication",
        "Giao Phòng Văn hoá và Thông tin công khai kết quả trên Cổng thông tin điện tử huyện; chỉ đạo các xã, thị trấn công khai kết quả trên Cổng thông tin điện tử của xã./.",
    ),
    (
        "cc",
        "Như trên|Trung tâm PVHCC&KSTTHC tỉnh|Chủ tịch, các PCT UBND huyện|Lãnh đạo Vp HĐND và UBND huyện|Giám đốc Bảo hiểm xã hội huyện|Lưu: VT",
    ),
    (
        "signer_block",
        "TM. ỦY BAN NHÂN DÂN|KT. CHỦ TỊCH|PHÓ CHỦ TỊCH",
    ),
    ("signer_name", "Lê Hải Nam"),
    ("annex_decimal", "dot"),
    ("annex_order", "towns_first"),
];

/// Builds the demo database (the default file is rebuilt; a `--db` path
/// must not exist) and returns its path.
pub fn prepare(db_flag: Option<&Path>, province: bool) -> anyhow::Result<PathBuf> {
    let path = target(db_flag, province)?;
    let built = if province {
        build_province(&path)
    } else {
        build(&path)
    };
    built.map_err(|e| db::errors::explain(e, &path))?;
    Ok(path)
}

/// Builds the demo database and prints what it holds.
pub fn run(db_flag: Option<&Path>, province: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let path = target(db_flag, province)?;
    let explain = |e| db::errors::explain(e, &path);
    if province {
        let db = build_province(&path).map_err(explain)?;
        return print_province(&db, out);
    }
    let db = build(&path).map_err(explain)?;
    print_summary(&db, out)?;
    Ok(())
}

fn print_province(db: &Db, out: &mut dyn Write) -> anyhow::Result<()> {
    let periods = db::periods_with_data(db.conn())?;
    writeln!(out, "Cơ sở dữ liệu mẫu: {}", db.path().display())?;
    writeln!(
        out,
        "{PROVINCE} (số liệu GIẢ LẬP, tên và sắp xếp đơn vị theo Nghị quyết 1666/NQ-UBTVQH15): các tháng {}.",
        periods.join(", ")
    )?;
    let path = import::shell_quote(&db.path().display().to_string());
    writeln!(out, "Thử: chiso --db {path} units lineage")?;
    writeln!(
        out,
        "     chiso --db {path} findings --period 2025-07   (đơn vị mới sáp nhập: chưa so sánh được)"
    )?;
    Ok(())
}

fn target(db_flag: Option<&Path>, province: bool) -> anyhow::Result<PathBuf> {
    Ok(match db_flag {
        Some(p) => {
            if p.is_dir() {
                return Err(db::DbError::IsDir(p.to_owned()).into());
            }
            // An empty file counts as none (Db::create replaces it).
            if std::fs::metadata(p).is_ok_and(|m| m.len() > 0) {
                bail!(
                    "đã có tệp {}; demo không ghi đè dữ liệu\n  gợi ý: chọn đường dẫn khác, hoặc bỏ --db để dùng tệp demo mặc định",
                    p.display()
                );
            }
            p.to_owned()
        }
        None => {
            // The default demo file is chiso's own: rebuild it every time.
            let p = default_path(province)?;
            let unwritable = |what: &str, at: &Path, e: std::io::Error| {
                anyhow::anyhow!(
                    "không {what} {} cho cơ sở dữ liệu mẫu: {e}\n  gợi ý: kiểm tra quyền ghi thư mục dữ liệu (biến XDG_DATA_HOME hoặc HOME), hoặc ghi tệp mẫu nơi khác: chiso demo --db TỆP",
                    at.display()
                )
            };
            if let Some(dir) = p.parent() {
                std::fs::create_dir_all(dir).map_err(|e| unwritable("tạo được thư mục", dir, e))?;
            }
            for suffix in ["", "-wal", "-shm"] {
                let f = PathBuf::from(format!("{}{suffix}", p.display()));
                if f.exists() {
                    std::fs::remove_file(&f).map_err(|e| unwritable("xoá được tệp cũ", &f, e))?;
                }
            }
            p
        }
    })
}

fn print_summary(db: &Db, out: &mut dyn Write) -> anyhow::Result<()> {
    let periods = db::periods_with_data(db.conn())?;
    let children = units::list(db.conn())?
        .iter()
        .filter(|u| !u.is_parent)
        .count();
    writeln!(out, "Cơ sở dữ liệu mẫu: {}", db.path().display())?;
    writeln!(
        out,
        "{PARENT}: {children} xã, thị trấn; các tháng: {} (tháng 7/2024 là số liệu GIẢ LẬP để so sánh).",
        periods.join(", ")
    )?;
    let table = values::month_table(db.conn(), Period::month(2024, 8).expect("a month"))?;
    writeln!(
        out,
        "\nTháng 8/2024, đúng như công văn 884/UBND-VP và hai phụ lục:"
    )?;
    // Columns by their short Vietnamese titles, as the TUI heads them.
    let titles: Vec<String> = table
        .metrics
        .iter()
        .map(crate::tui::columns::title)
        .collect();
    let mut header = vec!["Đơn vị"];
    header.extend(titles.iter().map(String::as_str));
    let cells: Vec<Vec<String>> = table
        .parent
        .iter()
        .chain(&table.units)
        .map(|r| {
            let values = r
                .values
                .iter()
                .map(|x| x.as_ref().map_or("·".into(), import::show_value));
            std::iter::once(r.unit.name.clone()).chain(values).collect()
        })
        .collect();
    write!(out, "{}", crate::table::plain(&header, &cells, 1))?;
    writeln!(
        out,
        "\nThử: chiso --db {} export --period 2024-08 --format json",
        import::shell_quote(&db.path().display().to_string())
    )?;
    Ok(())
}
