//! `chiso rules …`: list the rules, change one, add one like another.

use std::io::Write;

use clap::{Args, Subcommand};

use super::{Ctx, GroupArg, ListFormat, bool_arg, group_arg, number_arg, open, severity_arg};
use crate::db;
use crate::model::Group;
use crate::rules::{self, RuleChange, Severity};
use crate::text;

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// Liệt kê quy tắc
    List {
        /// table: cho người đọc; json: cho máy (mã)
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Sửa một quy tắc
    Set {
        code: String,
        #[command(flatten)]
        change: ChangeArgs,
    },
    /// Thêm quy tắc mới chép từ một quy tắc có sẵn (ngưỡng, chỉ đạo, mức độ, nhóm riêng)
    Add {
        code: String,
        /// Quy tắc gốc để chép
        #[arg(long, value_name = "CODE")]
        like: String,
        #[command(flatten)]
        change: ChangeArgs,
    },
}

/// What `rules set` changes and `rules add` sets on its copy.
#[derive(Args, Debug)]
pub struct ChangeArgs {
    /// Ngưỡng (below, band: cận dưới; drop: mức giảm tối thiểu)
    #[arg(long, allow_negative_numbers = true, value_parser = number_arg)]
    threshold: Option<f64>,
    /// Cận trên (band)
    #[arg(long, value_parser = number_arg)]
    upper: Option<f64>,
    #[arg(long, value_parser = severity_arg)]
    severity: Option<Severity>,
    #[arg(long, value_parser = bool_arg)]
    enabled: Option<bool>,
    /// Nội dung chỉ đạo, với {unit} {value} {month} …
    #[arg(long)]
    directive: Option<String>,
    /// Nhóm đơn vị quy tắc áp dụng: co_quan, huyen, xa hoặc all
    #[arg(long, value_parser = group_arg)]
    group: Option<GroupArg>,
    /// Quy tắc giảm (drop) so với: previous (kỳ trước) hoặc last_year (cùng kỳ năm trước)
    #[arg(long, value_parser = compare_arg)]
    compare: Option<rules::CompareWith>,
}

pub(super) fn compare_arg(s: &str) -> Result<rules::CompareWith, String> {
    rules::CompareWith::parse(s).ok_or_else(|| {
        format!(
            "\"{}\" không phải cách so sánh; dùng previous (kỳ trước) hoặc last_year (cùng kỳ năm trước)",
            text::escape(s)
        )
    })
}

impl From<ChangeArgs> for RuleChange {
    fn from(a: ChangeArgs) -> RuleChange {
        RuleChange {
            threshold: a.threshold,
            upper: a.upper,
            severity: a.severity,
            enabled: a.enabled,
            directive: a.directive,
            group: a.group.map(|g| g.0),
            compare: a.compare,
        }
    }
}

fn group_words(g: Option<Group>) -> String {
    g.map_or("mọi nhóm đơn vị".into(), |g| {
        g.label_vi().to_lowercase()
    })
}

/// `rules list`: a block per rule, its code (what `rules set` takes),
/// its name, then what it compares, in words; fits 80 columns.
fn list_text(list: &[rules::Rule], cat: &db::Catalog) -> String {
    use std::fmt::Write as _;
    let num = |x: f64| text::format_vi(x, 2);
    let mut s = String::from("Quy tắc (sửa bằng `chiso rules set MÃ …`):\n");
    for r in list {
        let metric = match &r.metric {
            Some(code) => cat
                .index_of(code)
                .map_or(code.clone(), |i| cat.metrics[i].label.clone()),
            None => "mọi chỉ số".into(),
        };
        let mut what = vec![r.kind.label_vi().to_owned(), metric];
        if let Some(t) = r.threshold {
            what.push(format!("ngưỡng {}", num(t)));
        }
        if let Some(u) = r.upper {
            what.push(format!("cận trên {}", num(u)));
        }
        if let Some(l) = &r.label {
            what.push(format!("mức \"{}\"", text::escape(l)));
        }
        if r.kind == rules::RuleKind::Drop {
            what.push(format!("so với {}", r.compare.label_vi()));
        }
        let _ = writeln!(
            s,
            "\n{}\n  {}\n  {}\n  {}, {}, áp dụng cho {}",
            r.code,
            text::escape(&crate::names::rule_label_vi(r)),
            what.join(" · "),
            r.severity.label_vi(),
            if r.enabled {
                "đang bật"
            } else {
                "đang tắt"
            },
            group_words(r.group)
        );
    }
    s
}

pub fn rules_cmd(ctx: &Ctx, command: RulesCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut db = open(ctx)?;
    match command {
        RulesCommand::List { format } => {
            let list = rules::load_rules(db.conn())?;
            match format {
                ListFormat::Json => {
                    serde_json::to_writer_pretty(&mut *out, &list)?;
                    writeln!(out)?;
                }
                ListFormat::Table => {
                    let cat = db::Catalog::load(db.conn())?;
                    write!(
                        out,
                        "{}",
                        crate::output::terminal_text(&list_text(&list, &cat))
                    )?;
                }
            }
        }
        RulesCommand::Set { code, change } => {
            let change = RuleChange::from(change);
            let rule = db.write(|tx| -> anyhow::Result<rules::Rule> {
                db::begin_changeset(tx, &ctx.actor, "rules", &ctx.command_line)?;
                Ok(rules::update_rule(tx, &code, &change)?)
            })?;
            writeln!(
                out,
                "Đã cập nhật quy tắc {}: ngưỡng {}, cận trên {}, mức độ {}, {}.",
                rule.code,
                rule.threshold.map_or("-".into(), |x| text::format_vi(x, 2)),
                rule.upper.map_or("-".into(), |x| text::format_vi(x, 2)),
                rule.severity.label_vi(),
                if rule.enabled { "bật" } else { "tắt" }
            )?;
            writeln!(out, "  áp dụng cho: {}", group_words(rule.group))?;
        }
        RulesCommand::Add { code, like, change } => {
            let change = RuleChange::from(change);
            let rule = db.write(|tx| -> anyhow::Result<rules::Rule> {
                db::begin_changeset(tx, &ctx.actor, "rules", &ctx.command_line)?;
                Ok(rules::add_like(tx, &code, &like, &change)?)
            })?;
            writeln!(
                out,
                "Đã thêm quy tắc {} (chép từ {like}): ngưỡng {}, mức độ {}, áp dụng cho {}.",
                rule.code,
                rule.threshold.map_or("-".into(), |x| text::format_vi(x, 2)),
                rule.severity.label_vi(),
                group_words(rule.group)
            )?;
        }
    }
    Ok(())
}
