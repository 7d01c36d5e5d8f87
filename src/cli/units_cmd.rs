//! `chiso units …`: the units, their aliases and names, and their lineage.

use std::io::Write;

use anyhow::bail;
use clap::Subcommand;

use super::{Ctx, ListFormat, kind_arg, month_arg, open};
use crate::db;
use crate::db::lineage::{self, Lineage, Share, Step};
use crate::db::units::{self, UnitIndex};
use crate::import::{self, lineage as table};
use crate::model::{Period, Unit, UnitKind};
use crate::text;

#[derive(Subcommand, Debug)]
pub enum UnitsCommand {
    /// Liệt kê đơn vị (với --period: chỉ các đơn vị tồn tại trong tháng đó)
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
        #[arg(long, value_name = "YYYY-MM", value_parser = month_arg)]
        period: Option<Period>,
    },
    /// Thêm đơn vị
    Add {
        name: String,
        /// xa, phuong, thi_tran, dac_khu, co_quan; dưới tỉnh còn huyen, thi_xa, thanh_pho, quan (mặc định: theo tên)
        #[arg(long, value_parser = kind_arg)]
        kind: Option<UnitKind>,
    },
    /// Thêm cách viết khác cho tên một đơn vị
    Alias {
        alias: String,
        #[arg(long = "to", value_name = "NAME")]
        to: String,
    },
    /// Đổi tên đơn vị: sửa cách viết cho mọi tháng (tên cũ thành bí danh), hoặc với --from đổi tên từ một tháng
    Rename {
        old: String,
        #[arg(long = "to", value_name = "NEW")]
        to: String,
        /// Tháng đầu tiên mang tên mới; các tháng trước giữ tên cũ
        #[arg(long, value_name = "YYYY-MM", value_parser = month_arg)]
        from: Option<Period>,
    },
    /// Sáp nhập: từ tháng --from các đơn vị cũ không còn, đơn vị NEW thay thế (tạo nếu chưa có)
    Merge {
        #[arg(required = true, value_name = "OLD")]
        olds: Vec<String>,
        #[arg(long = "into", value_name = "NEW")]
        into: String,
        #[arg(long, value_name = "YYYY-MM", value_parser = month_arg)]
        from: Period,
        /// Loại của đơn vị mới khi tên không cho biết
        #[arg(long, value_parser = kind_arg)]
        kind: Option<UnitKind>,
        /// NEW là đơn vị mới dù trùng tên một đơn vị cũ ("thành xã mới có tên gọi là …")
        #[arg(long)]
        new: bool,
    },
    /// Chia tách: từ tháng --from đơn vị OLD không còn, mỗi đơn vị NEW nhận một phần
    Split {
        old: String,
        #[arg(long = "into", required = true, num_args = 1.., value_name = "NEW")]
        into: Vec<String>,
        #[arg(long, value_name = "YYYY-MM", value_parser = month_arg)]
        from: Period,
        #[arg(long, value_parser = kind_arg)]
        kind: Option<UnitKind>,
    },
    /// Lịch sử sắp xếp: đơn vị tiền thân, kế tiếp, tên cũ; `lineage import TỆP`, `lineage remove`
    #[command(args_conflicts_with_subcommands = true)]
    Lineage {
        #[command(subcommand)]
        command: Option<LineageCommand>,
        /// Một đơn vị (mặc định: mọi đơn vị có thay đổi)
        name: Option<String>,
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
}

#[derive(Subcommand, Debug)]
pub enum LineageCommand {
    /// Nhập bảng sắp xếp (Đơn vị cũ, Đơn vị mới, Từ tháng, Phạm vi) từ CSV, TSV, XLSX
    Import {
        file: std::path::PathBuf,
        /// Chỉ in những gì sẽ thay đổi, không ghi
        #[arg(long)]
        dry_run: bool,
        /// Loại của đơn vị mới khi tên không cho biết
        #[arg(long, value_parser = kind_arg)]
        kind: Option<UnitKind>,
        #[arg(long, value_name = "NAME")]
        sheet: Option<String>,
        #[arg(long, value_name = "LABEL", value_parser = super::encoding_arg)]
        encoding: Option<&'static encoding_rs::Encoding>,
    },
    /// Gỡ một dòng ghi sai: OLD → NEW (bỏ --into: việc kết thúc không có đơn vị kế tiếp), hoặc một lần đổi tên từ tháng
    Remove {
        old: String,
        #[arg(long = "into", value_name = "NEW")]
        into: Option<String>,
    },
}

pub fn units_cmd(ctx: &Ctx, command: UnitsCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut db = open(ctx)?;
    match command {
        UnitsCommand::List { format, period } => {
            let mut list = units::list(db.conn())?;
            let lineage = Lineage::load(db.conn())?;
            if let Some(p) = period {
                list.retain(|u| u.exists_in(p));
                for u in &mut list {
                    u.name = lineage.name_in(u, p).to_owned();
                }
                let parent = list
                    .iter()
                    .position(|u| u.is_parent)
                    .map(|i| list.remove(i));
                list.sort_by(|a, b| text::compare_vi(&a.name, &b.name));
                list.splice(0..0, parent);
            }
            let aliases = units::aliases(db.conn())?;
            let aliases_of = |id: i64| -> Vec<&str> {
                aliases
                    .iter()
                    .filter(|(u, _)| *u == id)
                    .map(|(_, a)| a.as_str())
                    .collect()
            };
            let month = |p: Option<Period>| p.map(|p| p.to_string());
            match format {
                ListFormat::Json => {
                    let items: Vec<serde_json::Value> = list
                        .iter()
                        .map(|u| {
                            serde_json::json!({
                                "name": u.name,
                                "kind": u.kind.code(),
                                "group": if u.is_parent { None } else { Some(u.group().code()) },
                                "parent": u.is_parent,
                                "from": month(u.from),
                                "until": month(u.until),
                                "aliases": aliases_of(u.id),
                            })
                        })
                        .collect();
                    serde_json::to_writer_pretty(&mut *out, &items)?;
                    writeln!(out)?;
                }
                ListFormat::Table => {
                    let life = |u: &Unit| match (u.from, u.until) {
                        (None, None) => String::new(),
                        (Some(f), None) => format!("từ {f}"),
                        (None, Some(t)) => format!("đến trước {t}"),
                        (Some(f), Some(t)) => format!("{f} – trước {t}"),
                    };
                    let rows: Vec<Vec<String>> = list
                        .iter()
                        .enumerate()
                        .map(|(i, u)| {
                            vec![
                                if u.is_parent {
                                    "-".into()
                                } else {
                                    i.to_string()
                                },
                                // Names come from the file: escaped, never raw.
                                text::escape(&u.name),
                                u.kind.prefix().to_owned(),
                                if u.is_parent {
                                    String::new()
                                } else {
                                    u.group().label_vi().to_owned()
                                },
                                life(u),
                                text::escape(&aliases_of(u.id).join(", ")),
                            ]
                        })
                        .collect();
                    let header = ["STT", "Đơn vị", "Loại", "Nhóm", "Thời gian", "Bí danh"];
                    write!(out, "{}", crate::table::plain(&header, &rows, usize::MAX))?;
                    let n = list.iter().filter(|u| !u.is_parent).count();
                    match period {
                        Some(p) => {
                            writeln!(out, "{n} đơn vị trực thuộc tồn tại trong {}.", p.label_vi())?
                        }
                        None => writeln!(out, "{n} đơn vị trực thuộc.")?,
                    }
                }
            }
        }
        UnitsCommand::Add { name, kind } => {
            let name = units::clean_name(&name)?;
            let province = province(&db)?;
            let Some(kind) = units::kind_for_child(&name, kind, province) else {
                bail!(
                    "không biết \"{name}\" là loại đơn vị nào; thêm --kind (xa, phuong, thi_tran, dac_khu, co_quan, huyen, thi_xa, thanh_pho, quan)"
                );
            };
            if let Some(why) = units::kind_refused(kind, province) {
                bail!("{why}; đơn vị trực thuộc huyện là xa, phuong, thi_tran hoặc dac_khu");
            }
            let similar = UnitIndex::load(db.conn())?.similar(&name);
            db.write(|tx| -> anyhow::Result<()> {
                let cs = db::begin_changeset(tx, &ctx.actor, "units", &ctx.command_line)?;
                units::add(tx, cs, &name, kind, false)?;
                Ok(())
            })?;
            writeln!(
                out,
                "Đã thêm đơn vị \"{name}\" ({}).",
                kind.prefix().to_lowercase()
            )?;
            if !similar.is_empty() {
                writeln!(
                    out,
                    "Lưu ý: tên gần giống đơn vị đã có {}; hai đơn vị được giữ riêng.",
                    units::quote_list(&similar)
                )?;
            }
        }
        UnitsCommand::Alias { alias, to } => {
            let alias = units::clean_name(&alias)?;
            let index = UnitIndex::load(db.conn())?;
            let unit = index.require(&to)?.clone();
            let added = db.write(|tx| -> anyhow::Result<bool> {
                let cs = db::begin_changeset(tx, &ctx.actor, "units", &ctx.command_line)?;
                Ok(units::add_alias(tx, cs, &alias, &unit)?)
            })?;
            if added {
                writeln!(out, "Từ nay \"{alias}\" được hiểu là \"{}\".", unit.name)?;
            } else {
                writeln!(
                    out,
                    "\"{alias}\" vốn đã được hiểu là \"{}\"; không có gì thay đổi.",
                    unit.name
                )?;
            }
        }
        UnitsCommand::Rename { old, to, from } => {
            let new_name = units::clean_name(&to)?;
            let index = UnitIndex::load(db.conn())?;
            let unit = match from {
                Some(p) => index.require_in(&old, Some(p.previous()))?.clone(),
                None => index.require(&old)?.clone(),
            };
            if unit.name == new_name {
                writeln!(out, "Tên đã là \"{new_name}\"; không có gì thay đổi.")?;
                return Ok(());
            }
            db.write(|tx| -> anyhow::Result<()> {
                let cs = db::begin_changeset(tx, &ctx.actor, "units", &ctx.command_line)?;
                match from {
                    Some(p) => lineage::rename_from(tx, cs, &unit, &new_name, p)?,
                    None => units::rename(tx, cs, &unit, &new_name)?,
                }
                Ok(())
            })?;
            match from {
                Some(p) => writeln!(
                    out,
                    "Từ {} \"{}\" mang tên \"{new_name}\"; các tháng trước vẫn mang tên cũ. Số liệu, so sánh và chuỗi tháng vẫn liền mạch.",
                    p.label_vi(),
                    unit.name
                )?,
                None => writeln!(
                    out,
                    "Đã đổi tên \"{}\" thành \"{new_name}\"; tên cũ vẫn được nhận là bí danh.",
                    unit.name
                )?,
            }
        }
        UnitsCommand::Merge {
            olds,
            into,
            from,
            kind,
            new,
        } => {
            let olds: Vec<(String, Share)> = olds.into_iter().map(|o| (o, Share::Whole)).collect();
            let step = Step {
                olds: &olds,
                into: Some(&into),
                period: from,
                new,
                must_be_new: new,
                kind,
            };
            let done = change(ctx, &mut db, &[step])?;
            report(out, &done)?;
        }
        UnitsCommand::Split {
            old,
            into,
            from,
            kind,
        } => {
            let olds = [(old, Share::Part)];
            let steps: Vec<Step> = into
                .iter()
                .map(|n| Step {
                    olds: &olds,
                    into: Some(n),
                    period: from,
                    // A part that keeps OLD's name is a new unit (the Hà
                    // Nội resolution's Phường Cửa Nam), not OLD going on.
                    new: true,
                    must_be_new: false,
                    kind,
                })
                .collect();
            let done = change(ctx, &mut db, &steps)?;
            report(out, &done)?;
        }
        UnitsCommand::Lineage {
            command:
                Some(LineageCommand::Import {
                    file,
                    dry_run,
                    kind,
                    sheet,
                    encoding,
                }),
            ..
        } => lineage_import(
            ctx,
            &mut db,
            &file,
            dry_run,
            kind,
            sheet.as_deref(),
            encoding,
            out,
        )?,
        UnitsCommand::Lineage {
            command: Some(LineageCommand::Remove { old, into }),
            ..
        } => {
            let said = db.write(|tx| -> anyhow::Result<String> {
                let cs = db::begin_changeset(tx, &ctx.actor, "units", &ctx.command_line)?;
                Ok(lineage::remove(tx, cs, &old, into.as_deref())?)
            })?;
            writeln!(out, "{}.", text::capitalize(&said))?;
        }
        UnitsCommand::Lineage {
            command: None,
            name,
            format,
        } => show_lineage(&db, name.as_deref(), format, out)?,
    }
    Ok(())
}

fn province(db: &db::Db) -> anyhow::Result<bool> {
    Ok(UnitIndex::load(db.conn())?
        .parent()
        .is_some_and(|p| p.is_province()))
}

/// Merges or splits, all in one transaction.
fn change(ctx: &Ctx, db: &mut db::Db, steps: &[Step<'_>]) -> anyhow::Result<lineage::Outcome> {
    let province = province(db)?;
    db.write(|tx| -> anyhow::Result<lineage::Outcome> {
        let cs = db::begin_changeset(tx, &ctx.actor, "units", &ctx.command_line)?;
        let mut done = lineage::Outcome::default();
        for s in steps {
            lineage::apply(tx, cs, s, province, &mut done)?;
        }
        forget_if_nothing(tx, cs, &done)?;
        Ok(done)
    })
}

/// A change that changed nothing leaves no changeset in the log.
fn forget_if_nothing(
    tx: &rusqlite::Transaction<'_>,
    cs: i64,
    done: &lineage::Outcome,
) -> rusqlite::Result<()> {
    if done.lines.is_empty() && done.created.is_empty() {
        tx.execute("DELETE FROM changesets WHERE id = ?1", [cs])?;
    }
    Ok(())
}

fn report(out: &mut dyn Write, done: &lineage::Outcome) -> anyhow::Result<()> {
    if !done.created.is_empty() {
        writeln!(out, "Đơn vị mới: {}", done.created.join(", "))?;
    }
    for l in &done.lines {
        writeln!(out, "  {l}")?;
    }
    if done.lines.is_empty() && done.created.is_empty() {
        writeln!(
            out,
            "Không có gì thay đổi: các dòng này đã được ghi trước đó."
        )?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn lineage_import(
    ctx: &Ctx,
    db: &mut db::Db,
    file: &std::path::Path,
    dry_run: bool,
    kind: Option<UnitKind>,
    sheet: Option<&str>,
    encoding: Option<&'static encoding_rs::Encoding>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    use anyhow::Context;
    let bytes =
        std::fs::read(file).with_context(|| format!("không đọc được tệp {}", file.display()))?;
    let input = import::Input {
        name: file.display().to_string(),
        bytes,
    };
    let rows = match table::read_table(&input, encoding, sheet) {
        Ok(rows) => rows,
        Err(problems) => {
            let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
            bail!(
                "bảng sắp xếp có lỗi; không ghi gì vào cơ sở dữ liệu\n{}",
                list.join("\n")
            );
        }
    };
    let changes = table::changes(&rows);
    let province = province(db)?;
    let file_name = text::escape(&input.name);
    let run = |tx: &rusqlite::Transaction<'_>| -> anyhow::Result<lineage::Outcome> {
        let cs = db::begin_changeset(tx, &ctx.actor, "units", &ctx.command_line)?;
        let done = table::apply(tx, cs, &changes, kind, province).map_err(|(place, e)| {
            anyhow::anyhow!(
                "bảng sắp xếp có lỗi; không ghi gì vào cơ sở dữ liệu\n  {file_name}, {place}: {e}"
            )
        })?;
        forget_if_nothing(tx, cs, &done)?;
        Ok(done)
    };
    let done = if dry_run {
        db.dry_run(run)?
    } else {
        db.write(run)?
    };
    writeln!(
        out,
        "Bảng sắp xếp {}: {} dòng, {} thay đổi.",
        file_name,
        rows.len(),
        changes.len()
    )?;
    report(out, &done)?;
    if dry_run {
        writeln!(out, "Chạy thử (--dry-run): chưa ghi gì.")?;
    }
    Ok(())
}

/// `chiso units lineage [NAME]`: predecessors, successors and former names.
fn show_lineage(
    db: &db::Db,
    name: Option<&str>,
    format: ListFormat,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let index = UnitIndex::load(db.conn())?;
    let lin = index.lineage();
    let chosen: Vec<Unit> = match name {
        Some(n) => vec![index.require(n)?.clone()],
        None => units::list(db.conn())?
            .into_iter()
            .filter(|u| {
                u.from.is_some()
                    || u.until.is_some()
                    || lin.predecessors(u.id).next().is_some()
                    || lin.former_names(u.id).next().is_some()
            })
            .collect(),
    };
    let name_of = |id: i64| index.get(id).map_or_else(String::new, |u| u.name.clone());
    // Names come from the database, which another program may have written.
    let shown = |id: i64| text::escape(&name_of(id));
    let month = |p: Option<Period>| p.map(|p| p.to_string());
    let link = |unit: i64, e: &lineage::Edge| {
        serde_json::json!({
            "unit": name_of(unit),
            "from": e.period.to_string(),
            "scope": e.share.code(),
        })
    };
    match format {
        ListFormat::Json => {
            let items: Vec<serde_json::Value> = chosen
                .iter()
                .map(|u| {
                    serde_json::json!({
                        "unit": u.name,
                        "kind": u.kind.code(),
                        "group": u.group().code(),
                        "from": month(u.from),
                        "until": month(u.until),
                        "predecessors": lin.predecessors(u.id).map(|e| link(e.from_unit, e)).collect::<Vec<_>>(),
                        "successors": lin.successors(u.id).filter_map(|e| e.to_unit.map(|t| link(t, e))).collect::<Vec<_>>(),
                        "former_names": lin.former_names(u.id).map(|(p, n)| serde_json::json!({"name": n, "until": p.to_string()})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            if name.is_some() {
                serde_json::to_writer_pretty(&mut *out, &items[0])?;
            } else {
                serde_json::to_writer_pretty(&mut *out, &items)?;
            }
            writeln!(out)?;
        }
        ListFormat::Table => {
            if chosen.is_empty() {
                writeln!(
                    out,
                    "Chưa có đơn vị nào sáp nhập, chia tách hay đổi tên từ một tháng.\n  gợi ý: chiso units lineage import BẢNG.tsv (cột Đơn vị cũ, Đơn vị mới, Từ tháng, Phạm vi)"
                )?;
            }
            let share = |s: Share| {
                if s == Share::Part {
                    " (một phần)"
                } else {
                    ""
                }
            };
            for u in &chosen {
                let life = match (u.from, u.until) {
                    (None, None) => String::new(),
                    (Some(f), None) => format!(", từ {}", f.label_vi()),
                    (None, Some(t)) => format!(", đến hết {}", t.previous().label_vi()),
                    (Some(f), Some(t)) => {
                        format!(", từ {} đến hết {}", f.label_vi(), t.previous().label_vi())
                    }
                };
                writeln!(
                    out,
                    "{} ({}{life})",
                    text::escape(&u.name),
                    u.group().label_vi()
                )?;
                for e in lin.predecessors(u.id) {
                    writeln!(
                        out,
                        "  ← {}{} từ {}",
                        shown(e.from_unit),
                        share(e.share),
                        e.period.label_vi()
                    )?;
                }
                for e in lin.successors(u.id) {
                    match e.to_unit {
                        Some(t) => writeln!(
                            out,
                            "  → {}{} từ {}",
                            shown(t),
                            share(e.share),
                            e.period.label_vi()
                        )?,
                        None => writeln!(out, "  ✕ không còn từ {}", e.period.label_vi())?,
                    }
                }
                for (p, n) in lin.former_names(u.id) {
                    writeln!(
                        out,
                        "  tên cũ \"{}\" đến hết {}",
                        text::escape(n),
                        p.previous().label_vi()
                    )?;
                }
            }
        }
    }
    Ok(())
}
