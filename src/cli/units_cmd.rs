//! `chiso units …`: the units, their aliases and names, and their lineage.

use std::io::Write;

use anyhow::bail;
use clap::Subcommand;

use super::{Ctx, ListFormat, kind_arg, open};
use crate::db;
use crate::db::units::{self, UnitIndex};
use crate::model::UnitKind;

#[derive(Subcommand, Debug)]
pub enum UnitsCommand {
    /// Liệt kê đơn vị
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Thêm đơn vị
    Add {
        name: String,
        /// xa, phuong, thi_tran, dac_khu (mặc định: theo tên, nếu không thì xa)
        #[arg(long, value_parser = kind_arg)]
        kind: Option<UnitKind>,
    },
    /// Thêm cách viết khác cho tên một đơn vị
    Alias {
        alias: String,
        #[arg(long = "to", value_name = "NAME")]
        to: String,
    },
    /// Đổi tên đơn vị (tên cũ thành bí danh)
    Rename {
        old: String,
        #[arg(long = "to", value_name = "NEW")]
        to: String,
    },
}

pub fn units_cmd(ctx: &Ctx, command: UnitsCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut db = open(ctx)?;
    match command {
        UnitsCommand::List { format } => {
            let list = units::list(db.conn())?;
            let aliases = units::aliases(db.conn())?;
            let aliases_of = |id: i64| -> Vec<&str> {
                aliases
                    .iter()
                    .filter(|(u, _)| *u == id)
                    .map(|(_, a)| a.as_str())
                    .collect()
            };
            match format {
                ListFormat::Json => {
                    let items: Vec<serde_json::Value> = list
                        .iter()
                        .map(|u| {
                            serde_json::json!({
                                "name": u.name,
                                "kind": u.kind.code(),
                                "parent": u.is_parent,
                                "aliases": aliases_of(u.id),
                            })
                        })
                        .collect();
                    serde_json::to_writer_pretty(&mut *out, &items)?;
                    writeln!(out)?;
                }
                ListFormat::Table => {
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
                                u.name.clone(),
                                u.kind.code().to_owned(),
                                aliases_of(u.id).join(", "),
                            ]
                        })
                        .collect();
                    let header = ["STT", "Đơn vị", "Loại", "Bí danh"];
                    write!(out, "{}", crate::table::plain(&header, &rows, usize::MAX))?;
                    writeln!(
                        out,
                        "{} đơn vị trực thuộc.",
                        list.iter().filter(|u| !u.is_parent).count()
                    )?;
                }
            }
        }
        UnitsCommand::Add { name, kind } => {
            let name = units::clean_name(&name)?;
            let kind = units::kind_for(&name, kind, false);
            if kind.is_parent_level() {
                bail!(
                    "mỗi cơ sở dữ liệu chỉ có một đơn vị cấp trên; đơn vị trực thuộc là xa, phuong, thi_tran hoặc dac_khu"
                );
            }
            let similar = UnitIndex::load(db.conn())?.similar(&name);
            db.write(|tx| -> anyhow::Result<()> {
                let cs = db::begin_changeset(tx, &ctx.actor, "units", &ctx.command_line)?;
                units::add(tx, cs, &name, kind, false)?;
                Ok(())
            })?;
            writeln!(out, "Đã thêm đơn vị \"{name}\" ({kind}).")?;
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
        UnitsCommand::Rename { old, to } => {
            let new_name = units::clean_name(&to)?;
            let index = UnitIndex::load(db.conn())?;
            let unit = index.require(&old)?.clone();
            if unit.name == new_name {
                writeln!(out, "Tên đã là \"{new_name}\"; không có gì thay đổi.")?;
                return Ok(());
            }
            db.write(|tx| -> anyhow::Result<()> {
                let cs = db::begin_changeset(tx, &ctx.actor, "units", &ctx.command_line)?;
                units::rename(tx, cs, &unit, &new_name)?;
                Ok(())
            })?;
            writeln!(
                out,
                "Đã đổi tên \"{}\" thành \"{new_name}\"; tên cũ vẫn được nhận là bí danh.",
                unit.name
            )?;
        }
    }
    Ok(())
}
