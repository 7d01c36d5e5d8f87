//! The command line: clap definitions and one function per command. Each
//! function is a thin face over the domain modules; output is Vietnamese.
//! A family of commands that has grown has a file of its own (`units_cmd.rs`,
//! `rules_cmd.rs`).

mod clap_vi;
mod progress;
mod rules_cmd;
mod units_cmd;

pub use clap_vi::{Exit, parse_from};
use rules_cmd::{RulesCommand, rules_cmd};
use units_cmd::{UnitsCommand, units_cmd};

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand, ValueEnum};

use crate::db::units::{self, UnitIndex};
use crate::db::{self, Actor, Catalog, Db, values};
use crate::export::{self, ExportFormat};
use crate::import::{self, ImportError, Input, Options};
use crate::model::{Group, Period, UnitKind, Value};
use crate::rules::{self, Severity};
use crate::text;

#[derive(Parser, Debug)]
#[command(
    name = "chiso",
    version,
    about = "Theo dõi Bộ chỉ số phục vụ người dân, doanh nghiệp (766/QĐ-TTg) của các đơn vị trực thuộc. Không có lệnh: mở giao diện bảng (TUI)."
)]
pub struct Cli {
    /// Tệp cơ sở dữ liệu (mặc định: $CHISO_DB, nếu không thì chiso.db trong thư mục dữ liệu của người dùng)
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Tạo cơ sở dữ liệu mới và đơn vị cấp trên
    Init {
        /// Tên đơn vị cấp trên, ví dụ "Huyện Khoái Châu"
        #[arg(long)]
        parent: String,
        /// Loại: tinh, thanh_pho, huyen, thi_xa, quan (mặc định: theo tên)
        #[arg(long, value_parser = kind_arg)]
        kind: Option<UnitKind>,
    },
    /// Nhập số liệu một kỳ (tháng, quý, năm) từ tệp CSV, TSV, XLSX, XLS, ODS (nhiều tệp trong một lần)
    Import {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Tháng (2024-08, 8/2024), quý (2025-Q3, quý III/2025) hoặc năm (2025); bỏ qua được nếu dòng tiêu đề của tệp ghi rõ kỳ
        #[arg(long, value_name = "KỲ", value_parser = period_arg)]
        period: Option<Period>,
        /// Tạo đơn vị mới cho tên chưa có
        #[arg(long)]
        create_units: bool,
        /// Ghi đè giá trị khác với số liệu đã lưu
        #[arg(long)]
        replace: bool,
        /// Chỉ in những gì sẽ thay đổi, không ghi
        #[arg(long)]
        dry_run: bool,
        /// Trang bảng tính (mặc định: trang đầu)
        #[arg(long, value_name = "NAME")]
        sheet: Option<String>,
        /// Bảng mã cho tệp văn bản không phải UTF-8, ví dụ windows-1258
        #[arg(long, value_name = "LABEL", value_parser = encoding_arg)]
        encoding: Option<&'static encoding_rs::Encoding>,
        /// Loại của đơn vị --create-units tạo khi tên không cho biết (co_quan, xa, …)
        #[arg(long, value_parser = kind_arg)]
        kind: Option<UnitKind>,
        /// In mọi lỗi (mặc định: 50 lỗi đầu, rồi số lỗi theo loại)
        #[arg(long)]
        all_errors: bool,
        /// Ghi mọi lỗi ra tệp CSV này (ghi đè được tệp lỗi của lần trước)
        #[arg(long, value_name = "FILE")]
        errors: Option<PathBuf>,
    },
    /// Nhập tay giá trị cho một đơn vị: METRIC=VALUE (để trống hoặc "-" để xoá)
    Set {
        /// Tháng (2024-08, 8/2024), quý (2025-Q3, quý III/2025) hoặc năm (2025)
        #[arg(long, value_name = "KỲ", value_parser = period_arg)]
        period: Period,
        #[arg(long, value_name = "NAME")]
        unit: String,
        #[arg(required = true, value_name = "METRIC=VALUE")]
        values: Vec<String>,
    },
    /// Đơn vị và bí danh
    Units {
        #[command(subcommand)]
        command: UnitsCommand,
    },
    /// Xuất số liệu một kỳ (tháng, quý, năm)
    Export {
        /// Tháng (2024-08, 8/2024), quý (2025-Q3, quý III/2025) hoặc năm (2025)
        #[arg(long, value_name = "KỲ", value_parser = period_arg)]
        period: Period,
        /// csv, tsv, xlsx: cho người đọc (tiêu đề tiếng Việt, nhập lại được); json: cho máy (mã chỉ số)
        #[arg(long, value_enum, default_value_t = ExportArg::Csv)]
        format: ExportArg,
        /// Ghi ra tệp (mặc định: màn hình; xlsx bắt buộc có --out)
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// xlsx: Phụ lục 1 và Phụ lục 2 của công văn, mỗi phụ lục một trang
        #[arg(long)]
        annexes: bool,
        /// --annexes: ngày của công văn, dạng YYYY-MM-DD
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date_arg, requires = "annexes")]
        date: Option<chrono::NaiveDate>,
        /// Chỉ một nhóm đơn vị: co_quan, huyen, xa
        #[arg(long, value_parser = group_arg, conflicts_with = "annexes")]
        group: Option<GroupArg>,
        /// Ghi đè tệp --out đã có (không bao giờ ghi đè một cơ sở dữ liệu)
        #[arg(long, requires = "out")]
        force: bool,
    },
    /// Tạo cơ sở dữ liệu mẫu (huyện Khoái Châu, tháng 8/2024) và mở giao diện bảng (ngoài terminal: in nội dung)
    Demo {
        /// Mẫu cấp tỉnh sau sắp xếp 2025 (Hưng Yên, giả lập): cơ quan, xã sáp nhập, chia tách, đổi tên
        #[arg(long)]
        province: bool,
    },
    /// Quy tắc xác định đơn vị cần chỉ đạo khắc phục
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Đơn vị cần chỉ đạo khắc phục trong một kỳ (tháng, quý, năm), và lý do
    Findings {
        /// Tháng (2024-08, 8/2024), quý (2025-Q3, quý III/2025) hoặc năm (2025)
        #[arg(long, value_name = "KỲ", value_parser = period_arg)]
        period: Period,
        /// table, csv: cho người đọc (csv: tiêu đề, quy tắc, chỉ số bằng tiếng Việt); json: cho máy (mã quy tắc, mã chỉ số)
        #[arg(long, value_enum, default_value_t = FindingsFormat::Table)]
        format: FindingsFormat,
        /// Chỉ một nhóm đơn vị: co_quan, huyen, xa
        #[arg(long, value_parser = group_arg)]
        group: Option<GroupArg>,
        /// So sánh với: previous (kỳ trước cùng loại) hoặc last_year (cùng kỳ năm trước); mặc định: theo từng quy tắc
        #[arg(long, value_parser = rules_cmd::compare_arg)]
        compare: Option<rules::CompareWith>,
        /// Quý, năm: thêm số tháng mỗi đơn vị thuộc diện cần chỉ đạo khắc phục, theo kết quả từng tháng (table, json)
        #[arg(long)]
        months: bool,
    },
    /// Công văn công bố kết quả một kỳ (tháng, quý, năm), kèm các phụ lục (md, txt, docx)
    Report {
        /// Tháng (2024-08, 8/2024), quý (2025-Q3, quý III/2025) hoặc năm (2025)
        #[arg(long, value_name = "KỲ", value_parser = period_arg)]
        period: Period,
        #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
        format: ReportFormat,
        /// Ghi ra tệp (mặc định: màn hình; docx bắt buộc có --out)
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Ngày ký, dạng YYYY-MM-DD (mặc định: để trống "ngày … tháng …")
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date_arg)]
        date: Option<chrono::NaiveDate>,
        /// Ghi đè tệp --out đã có (không bao giờ ghi đè một cơ sở dữ liệu)
        #[arg(long, requires = "out")]
        force: bool,
    },
    /// Nhật ký thay đổi: ai sửa giá trị nào, khi nào, từ đâu
    Log {
        /// Chỉ một kỳ: tháng (2024-08), quý (2025-Q3) hoặc năm (2025)
        #[arg(long, value_name = "KỲ", value_parser = period_arg)]
        period: Option<Period>,
        #[arg(long, value_name = "NAME")]
        unit: Option<String>,
        /// table: cho người đọc (giờ địa phương); json: cho máy (mã, giờ UTC)
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Thiết lập của văn phòng (escalate_after, accountability, …)
    Settings {
        #[command(subcommand)]
        command: SettingsCommand,
    },
    /// In hướng dẫn của chiso, hoặc của một lệnh (chiso help import)
    Help {
        #[arg(value_name = "LỆNH")]
        command: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum SettingsCommand {
    /// Liệt kê thiết lập
    List,
    /// Đặt một thiết lập
    Set { key: String, value: String },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Md,
    Txt,
    Docx,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FindingsFormat {
    Table,
    Json,
    Csv,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportArg {
    Csv,
    Tsv,
    Json,
    Xlsx,
}

/// What every command needs besides its own arguments.
pub struct Ctx {
    pub db_path: PathBuf,
    /// "chiso" or "chiso --db PATH", for commands printed in hints.
    pub cmd: String,
    /// The command line as run, for the audit trail.
    pub command_line: String,
    pub actor: Actor,
}

/// `--db`, else `$CHISO_DB`, else `chiso.db` in the user's data directory.
pub fn resolve_db_path(flag: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(p) = flag {
        return Ok(p.to_owned());
    }
    if let Some(p) = std::env::var_os("CHISO_DB").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let dir = dirs::data_dir()
        .context("không xác định được thư mục dữ liệu của người dùng; hãy dùng --db PATH")?;
    Ok(dir.join("chiso").join("chiso.db"))
}

/// Whether a screen can be drawn: both ends of the terminal are there.
fn on_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

pub fn run(cli: Cli, command_line: String) -> anyhow::Result<()> {
    let Some(command) = cli.command else {
        if !on_terminal() {
            print!("{}", clap_vi::top_help());
            std::process::exit(2);
        }
        let db_path = resolve_db_path(cli.db.as_deref())?;
        if db_path.is_dir() {
            return Err(db::DbError::IsDir(db_path).into());
        }
        if std::fs::metadata(&db_path).map_or(true, |m| !m.is_file() || m.len() == 0) {
            bail!(
                "chưa có cơ sở dữ liệu {}\n  gợi ý: `chiso init --parent \"Huyện …\"` để tạo, hoặc `chiso demo` để xem thử",
                db_path.display()
            );
        }
        return crate::tui::run(&db_path).map_err(|e| db::errors::explain(e, &db_path));
    };
    let cmd = match &cli.db {
        Some(p) => format!(
            "chiso --db {}",
            import::shell_quote(&p.display().to_string())
        ),
        None => "chiso".to_owned(),
    };
    if let Command::Help { command } = &command {
        // Parsing answers `help` already; this is for a `Cli` built by hand.
        let exit = clap_vi::help_of(command);
        exit.print();
        return Ok(());
    }
    if let Command::Demo { province } = command {
        if on_terminal() {
            let path = crate::demo::prepare(cli.db.as_deref(), province)?;
            return crate::tui::run(&path).map_err(|e| db::errors::explain(e, &path));
        }
        return crate::demo::run(cli.db.as_deref(), province, &mut std::io::stdout().lock());
    }
    let db_path = resolve_db_path(cli.db.as_deref())?;
    let ctx = Ctx {
        db_path,
        cmd,
        command_line,
        actor: Actor::from_env(),
    };
    // Buffered: stdout alone is line-buffered, a write per line of JSON.
    let mut buffered = std::io::BufWriter::new(std::io::stdout().lock());
    let out: &mut dyn Write = &mut buffered;
    let result = match command {
        Command::Init { parent, kind } => init(&ctx, &parent, kind, cli.db.is_none(), out),
        Command::Import {
            files,
            period,
            create_units,
            replace,
            dry_run,
            sheet,
            encoding,
            kind,
            all_errors,
            errors,
        } => {
            let opts = Options {
                period,
                create_units,
                replace,
                sheet,
                encoding,
                kind,
                cmd: ctx.cmd.clone(),
            };
            let report = ErrorReport {
                all: all_errors,
                file: errors,
            };
            import_files(&ctx, &files, &opts, dry_run, &report, out)
        }
        Command::Set {
            period,
            unit,
            values,
        } => set(&ctx, &period, &unit, &values, out),
        Command::Units { command } => units_cmd(&ctx, command, out),
        Command::Export {
            period,
            format,
            out: file,
            annexes: true,
            date,
            force,
            ..
        } => annexes_cmd(&ctx, period, format, file.as_deref(), date, force),
        Command::Export {
            period,
            format,
            out: file,
            annexes: false,
            group,
            force,
            ..
        } => export_cmd(
            &ctx,
            &period,
            format,
            file.as_deref(),
            group.and_then(|g| g.0),
            force,
            out,
        ),
        Command::Demo { .. } | Command::Help { .. } => unreachable!("handled above"),
        Command::Rules { command } => rules_cmd(&ctx, command, out),
        Command::Findings {
            period,
            format,
            group,
            compare,
            months,
        } => {
            let how = FindingsHow {
                group: group.and_then(|g| g.0),
                compare,
                months,
            };
            findings_cmd(&ctx, period, format, how, out)
        }
        Command::Settings { command } => settings_cmd(&ctx, command, out),
        Command::Log {
            period,
            unit,
            format,
        } => log_cmd(&ctx, period, unit.as_deref(), format, out),
        Command::Report {
            period,
            format,
            out: file,
            date,
            force,
        } => report_cmd(&ctx, period, format, file.as_deref(), date, force, out),
    };
    // Flush what succeeded even if a later step failed; a failure wins.
    let flushed = buffered.flush();
    // SQLite's failures on the file, said in Vietnamese (full disk, …).
    result.map_err(|e| db::errors::explain(e, &ctx.db_path))?;
    Ok(flushed?)
}

/// clap parsers: a bad value is a usage error (exit 2), said in Vietnamese.
/// `--group`: a group, or `all`.
#[derive(Debug, Clone, Copy)]
pub struct GroupArg(pub Option<Group>);

pub(super) fn group_arg(s: &str) -> Result<GroupArg, String> {
    if matches!(text::fold(s.trim()).as_str(), "all" | "tat ca" | "moi nhom") {
        return Ok(GroupArg(None));
    }
    Group::parse(s).map(|g| GroupArg(Some(g))).ok_or_else(|| {
        format!(
            "nhóm \"{}\" không hợp lệ; dùng co_quan, huyen, xa hoặc all",
            text::show(s)
        )
    })
}

/// A month, a quarter or a year, in any spelling `Period::parse` reads.
pub(super) fn period_arg(s: &str) -> Result<Period, String> {
    Period::parse(s).ok_or_else(|| {
        format!(
            "kỳ không hợp lệ: \"{}\"{}; viết tháng 2024-08 (8/2024), quý 2025-Q3 (quý III/2025) hoặc năm 2025",
            text::show(s),
            crate::model::period_problem(s).map_or(String::new(), |w| format!(" ({w})"))
        )
    })
}

/// A month only: units start, end and change names from a month.
pub(super) fn month_arg(s: &str) -> Result<Period, String> {
    if let Some(p) = Period::parse_month(s) {
        return Ok(p);
    }
    match Period::parse(s) {
        Some(p) => Err(format!(
            "cần một tháng, không phải {}: đơn vị thành lập, sáp nhập, đổi tên từ một tháng; viết dạng YYYY-MM, ví dụ {}",
            p.label_vi(),
            p.first_month()
        )),
        None => Err(format!(
            "tháng không hợp lệ: \"{}\"{}; viết dạng YYYY-MM, ví dụ 2025-07",
            text::show(s),
            crate::model::period_problem(s).map_or(String::new(), |w| format!(" ({w})"))
        )),
    }
}

fn date_arg(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        format!(
            "ngày không hợp lệ: \"{}\"; viết dạng YYYY-MM-DD, ví dụ 2024-09-09",
            text::show(s)
        )
    })
}

pub(super) fn kind_arg(s: &str) -> Result<UnitKind, String> {
    UnitKind::parse(s).ok_or_else(|| {
        format!(
            "loại đơn vị \"{}\" không hợp lệ; dùng một trong: {}",
            text::show(s),
            UnitKind::ALL.map(|k| k.code()).join(", ")
        )
    })
}

pub(super) fn number_arg(s: &str) -> Result<f64, String> {
    text::parse_decimal(s)
        .map_err(|_| format!("\"{}\" không phải số; viết như 40 hoặc 40,5", text::show(s)))
}

pub(super) fn severity_arg(s: &str) -> Result<Severity, String> {
    Severity::parse(s)
        .ok_or_else(|| "mức độ là critical (nghiêm trọng) hoặc warning (cảnh báo)".to_string())
}

pub(super) fn bool_arg(s: &str) -> Result<bool, String> {
    match s {
        "true" | "1" | "yes" | "on" | "co" | "có" => Ok(true),
        "false" | "0" | "no" | "off" | "khong" | "không" => Ok(false),
        _ => Err("dùng true hoặc false".into()),
    }
}

pub(super) fn encoding_arg(s: &str) -> Result<&'static encoding_rs::Encoding, String> {
    encoding_rs::Encoding::for_label(s.trim().as_bytes()).ok_or_else(|| {
        format!(
            "không biết bảng mã \"{}\"; ví dụ: windows-1258, utf-16le, utf-8",
            text::show(s)
        )
    })
}

fn open(ctx: &Ctx) -> anyhow::Result<Db> {
    Ok(Db::open(&ctx.db_path)?)
}

fn init(
    ctx: &Ctx,
    parent: &str,
    kind: Option<UnitKind>,
    default_location: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let name = units::clean_name(parent)?;
    let kind = units::parent_kind(&name, kind);
    if !kind.is_parent_level() {
        bail!(
            "đơn vị cấp trên phải là tỉnh, thành phố, huyện, thị xã hoặc quận (không phải \"{}\")",
            kind.code()
        );
    }
    if default_location && let Some(dir) = ctx.db_path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("không tạo được thư mục {}", dir.display()))?;
    }
    // Built under a temporary name and moved into place: a killed or
    // failed init leaves no file at the path, so a retry just works.
    Db::create_with(&ctx.db_path, |db| {
        db.write(|tx| -> anyhow::Result<()> {
            let cs = db::begin_changeset(tx, &ctx.actor, "init", &ctx.command_line)?;
            units::add(tx, cs, &name, kind, true)?;
            Ok(())
        })
    })?;
    writeln!(
        out,
        "Đã tạo cơ sở dữ liệu {} cho \"{}\" ({}).",
        shown(&ctx.db_path),
        name,
        kind.prefix().to_lowercase()
    )?;
    writeln!(
        out,
        "Tiếp theo: {} import TỆP --period YYYY-MM --create-units",
        ctx.cmd
    )?;
    Ok(())
}

fn read_inputs(files: &[PathBuf]) -> anyhow::Result<Vec<Input>> {
    files
        .iter()
        .map(|f| {
            let bytes =
                std::fs::read(f).with_context(|| format!("không đọc được tệp {}", f.display()))?;
            Ok(Input {
                name: f.display().to_string(),
                bytes,
            })
        })
        .collect()
}

/// How an import's refusal is reported: `--all-errors`, `--errors FILE`.
struct ErrorReport {
    all: bool,
    file: Option<PathBuf>,
}

fn import_files(
    ctx: &Ctx,
    files: &[PathBuf],
    opts: &Options,
    dry_run: bool,
    report: &ErrorReport,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut db = open(ctx)?;
    let inputs = read_inputs(files)?;
    let mut line = progress::Line::stderr();
    let result = import::run_with(
        &mut db,
        &inputs,
        opts,
        &ctx.actor,
        &ctx.command_line,
        dry_run,
        &mut |stage| line.update(stage),
    );
    line.finish();
    let plan = match result {
        Ok(plan) => plan,
        Err(ImportError::Rejected {
            problems,
            conflicts,
            ..
        }) => {
            let note = report
                .file
                .as_deref()
                .map(|f| write_errors_file(f, files, &ctx.db_path, &problems, &conflicts));
            return Err(ImportError::Rejected {
                problems,
                conflicts,
                report: import::ReportOptions {
                    all: report.all,
                    note,
                },
            }
            .into());
        }
        Err(e) => return Err(e.into()),
    };
    let (new, changed, unchanged) = plan.totals();
    writeln!(out, "Số liệu {} ({})", plan.period.label_vi(), plan.period)?;
    for f in &plan.files {
        writeln!(
            out,
            "  {} [{}, sha256 {}…]: {} dòng, {} đơn vị; {} mới, {} thay đổi, {} không đổi",
            text::escape(&f.name),
            f.format,
            &f.sha256[..12],
            f.rows,
            f.units,
            f.new,
            f.changed,
            f.unchanged
        )?;
    }
    if !plan.new_units.is_empty() {
        // A first national import creates thousands: name the first few.
        const SHOWN: usize = 30;
        let names: Vec<&str> = plan
            .new_units
            .iter()
            .take(SHOWN)
            .map(|(n, _)| n.as_str())
            .collect();
        let more = plan.new_units.len().saturating_sub(SHOWN);
        let tail = if more > 0 {
            format!(" và {more} đơn vị khác")
        } else {
            String::new()
        };
        writeln!(
            out,
            "  {} đơn vị mới: {}{tail}",
            plan.new_units.len(),
            names.join(", ")
        )?;
    }
    for w in &plan.warnings {
        eprintln!("cảnh báo: {w}");
    }
    let warnings = plan.warnings.len();
    if dry_run {
        for c in &plan.changes {
            let old = plan.old(c).map_or("(trống)".to_owned(), import::show_value);
            writeln!(
                out,
                "  {} · {}: {} → {}",
                plan.unit_name(c.unit),
                plan.catalog.metrics[c.metric].label,
                old,
                import::show_value(&c.new)
            )?;
        }
        writeln!(
            out,
            "Chạy thử (--dry-run): {new} mới, {changed} thay đổi, {unchanged} không đổi, {warnings} cảnh báo; chưa ghi gì."
        )?;
    } else if plan.is_noop() {
        writeln!(
            out,
            "Không có gì thay đổi: cả {unchanged} giá trị đã có sẵn, giống hệt trong tệp."
        )?;
    } else {
        writeln!(
            out,
            "Tổng: {new} mới, {changed} thay đổi, {unchanged} không đổi, {warnings} cảnh báo. Đã ghi vào {}.",
            shown(&ctx.db_path)
        )?;
    }
    Ok(())
}

fn set(
    ctx: &Ctx,
    period: &Period,
    unit: &str,
    assignments: &[String],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut db = open(ctx)?;
    let cat = Catalog::load(db.conn())?;
    let index = UnitIndex::load(db.conn())?;
    let mut problems = Vec::new();
    let mut wanted: Vec<(usize, Option<Value>)> = Vec::new();
    for a in assignments {
        let Some((code, raw)) = a.split_once('=') else {
            problems.push(format!(
                "\"{}\": cần dạng METRIC=VALUE, ví dụ processing=99,62",
                text::show(a)
            ));
            continue;
        };
        let code = code.trim();
        let Some(m) = cat.index_of(code) else {
            problems.push(format!(
                "không có chỉ số \"{}\"; các mã: {}",
                text::show(code),
                cat.metrics
                    .iter()
                    .map(|m| m.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            continue;
        };
        if wanted.iter().any(|(i, _)| *i == m) {
            problems.push(format!(
                "chỉ số \"{}\" ({code}) được gán hai lần",
                cat.metrics[m].label
            ));
            continue;
        }
        match import::value::parse_text(&cat.metrics[m], raw) {
            Ok(v) => wanted.push((m, v)),
            Err(e) => problems.push(format!("{code}=\"{}\": {e}", text::show(raw))),
        }
    }
    if !problems.is_empty() {
        bail!("không ghi gì vì:\n  {}", problems.join("\n  "));
    }
    // A unit that does not exist that month takes no value; clearing one
    // left there (the hint a refused lineage change gives) is allowed.
    let unit = match index.resolve_in(unit, Some(*period)) {
        units::Resolution::NotInPeriod { id, .. } if wanted.iter().all(|(_, v)| v.is_none()) => {
            index.get(id).expect("resolved").clone()
        }
        _ => index.require_in(unit, Some(*period))?.clone(),
    };
    let show = |v: Option<&Value>| v.map_or("(trống)".to_owned(), import::show_value);
    // Read, compare and write in one transaction: the logged old value is
    // the one replaced, whoever else is writing.
    let lines = db.write(|tx| -> anyhow::Result<Vec<String>> {
        let old_row = values::load_one(tx, *period, unit.id, &cat)?
            .unwrap_or_else(|| vec![None; cat.metrics.len()]);
        let mut new_row = old_row.clone();
        let mut lines = Vec::new();
        let mut diffs = Vec::new();
        for (m, new) in &wanted {
            let old = old_row[*m].as_ref();
            if old == new.as_ref() {
                lines.push(format!(
                    "  {}: {} (không đổi)",
                    cat.metrics[*m].label,
                    show(old)
                ));
            } else {
                lines.push(format!(
                    "  {}: {} → {}",
                    cat.metrics[*m].label,
                    show(old),
                    show(new.as_ref())
                ));
                diffs.push((*m, old, new.as_ref()));
                new_row[*m] = new.clone();
            }
        }
        if !diffs.is_empty() {
            let cs = db::begin_changeset(tx, &ctx.actor, "set", &ctx.command_line)?;
            let write = db::begin_period_write(tx, *period)?;
            values::put(tx, write, unit.id, &new_row, &cat)?;
            let (old, new) = values::diff_json(&diffs, &cat);
            values::log(tx, cs, None, *period, unit.id, &old, &new)?;
        } else {
            lines.push("Không có gì thay đổi.".into());
        }
        Ok(lines)
    })?;
    writeln!(out, "{}, {}:", unit.name, period.label_vi())?;
    for l in lines {
        writeln!(out, "{l}")?;
    }
    Ok(())
}

/// Writes an output file whole or not at all (temporary file, then
/// rename): never over an existing file without `--force`, never over a
/// database; warns when the extension does not fit the format.
fn write_atomically(
    path: &Path,
    bytes: &[u8],
    db: &Path,
    force: bool,
    kind: crate::output::Kind,
) -> anyhow::Result<()> {
    if let Some(w) = crate::output::extension_warning(path, kind) {
        eprintln!("{w}");
    }
    Ok(crate::output::write(path, bytes, db, force)?)
}

/// A path as printed: control characters escaped.
fn shown(p: &Path) -> String {
    text::escape(&p.display().to_string())
}

fn export_cmd(
    ctx: &Ctx,
    period: &Period,
    format: ExportArg,
    file: Option<&Path>,
    group: Option<Group>,
    force: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let db = open(ctx)?;
    if let Some(path) = file {
        crate::output::may_write(path, &ctx.db_path, force)?;
    }
    let mut table = values::month_table(db.conn(), *period)?;
    if let Some(g) = group {
        table.units.retain(|r| r.unit.group() == g);
    }
    if table.parent.is_none() && table.units.is_empty() {
        bail!(
            "không có số liệu {}{}",
            period.label_vi(),
            periods_held(&db, *period)?
        );
    }
    let parent = db::parent_name(db.conn())?.unwrap_or_default();
    let format = match format {
        ExportArg::Csv => ExportFormat::Csv,
        ExportArg::Tsv => ExportFormat::Tsv,
        ExportArg::Json => ExportFormat::Json,
        ExportArg::Xlsx => ExportFormat::Xlsx,
    };
    if format == ExportFormat::Xlsx && file.is_none() {
        bail!("định dạng xlsx cần --out TỆP.xlsx (không in tệp nhị phân ra màn hình)");
    }
    let bytes = export::render(&table, &parent, format)?;
    let kind = match format {
        ExportFormat::Csv => crate::output::CSV,
        ExportFormat::Tsv => crate::output::TSV,
        ExportFormat::Json => crate::output::JSON,
        ExportFormat::Xlsx => crate::output::XLSX,
    };
    match file {
        Some(path) => {
            write_atomically(path, &bytes, &ctx.db_path, force, kind)?;
            eprintln!(
                "Đã xuất {} đơn vị, {} chỉ số của {} vào {}.",
                table.units.len(),
                table.metrics.len(),
                period.label_vi(),
                shown(path)
            );
        }
        None => out.write_all(&bytes)?,
    }
    Ok(())
}

/// What a refusal for want of data adds: the periods of the kind asked
/// for that have data ("; các quý có số liệu: 2025-Q2"), else every period
/// that has ("; chưa có quý nào có số liệu; các kỳ có số liệu: 2024-08").
fn periods_held(db: &Db, period: Period) -> anyhow::Result<String> {
    let have = db::periods_with_data(db.conn())?;
    let word = period.kind().word_vi();
    let same: Vec<&str> = have
        .iter()
        .map(String::as_str)
        .filter(|p| Period::parse(p).is_some_and(|p| p.kind() == period.kind()))
        .collect();
    Ok(if have.is_empty() {
        format!("; cơ sở dữ liệu chưa có {word} nào (nhập bằng `chiso import`)")
    } else if same.is_empty() {
        format!(
            "; chưa có {word} nào có số liệu; các kỳ có số liệu: {}",
            have.join(", ")
        )
    } else {
        format!("; các {word} có số liệu: {}", same.join(", "))
    })
}

/// Renders an import refusal: the first problems and conflicts whole, a
/// count per kind for the rest (all of them with `--all-errors`).
pub fn describe_import_error(e: &ImportError) -> Option<String> {
    let ImportError::Rejected {
        problems,
        conflicts,
        report,
    } = e
    else {
        return None;
    };
    Some(import::problems::report(problems, conflicts, report))
}

/// `--errors FILE`: every problem as CSV. Never over an input, a database
/// or any file but an earlier errors file. Returns the line that says
/// where the list went (or why it could not be written).
fn write_errors_file(
    file: &Path,
    inputs: &[PathBuf],
    db: &Path,
    problems: &import::Problems,
    conflicts: &import::Conflicts,
) -> String {
    let shown = file.display().to_string();
    let same = |a: &Path| {
        std::fs::canonicalize(a)
            .ok()
            .is_some_and(|a| std::fs::canonicalize(file).ok() == Some(a))
    };
    if inputs.iter().any(|i| same(i)) {
        return format!(
            "(không ghi danh sách lỗi: {} là một tệp đang nhập; chọn tên tệp khác cho --errors)",
            text::escape(&shown)
        );
    }
    let mut ours = false;
    if file.exists() {
        let mut head = [0u8; 64];
        let n = std::fs::File::open(file)
            .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
            .unwrap_or(0);
        ours = String::from_utf8_lossy(&head[..n])
            .trim_start_matches('\u{feff}')
            .starts_with(import::problems::CSV_HEADER);
        if !ours {
            return format!(
                "(không ghi danh sách lỗi: {} đã có và không phải tệp lỗi của chiso; chọn tên tệp khác cho --errors)",
                text::escape(&shown)
            );
        }
    }
    let bytes = import::problems::csv(problems, conflicts);
    // Whole or not at all, never over a database; only an earlier errors
    // file is replaced.
    match crate::output::write(file, &bytes, db, ours) {
        Ok(()) => format!(
            "(đã ghi {} lỗi và {} giá trị khác vào {})",
            import::problems::count(problems.kept().len()),
            import::problems::count(conflicts.kept().len()),
            text::escape(&shown)
        ),
        Err(e) => format!(
            "(không ghi được danh sách lỗi vào {}: {e})",
            text::escape(&shown)
        ),
    }
}

/// What `chiso findings` shows besides the period and the format.
struct FindingsHow {
    group: Option<Group>,
    compare: Option<rules::CompareWith>,
    /// A quarter's or a year's months on the list (`--months`).
    months: bool,
}

fn findings_cmd(
    ctx: &Ctx,
    period: Period,
    format: FindingsFormat,
    how: FindingsHow,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if how.months {
        let refuse = |why: &str| -> ! {
            eprintln!("lỗi: {why}\n\nXem thêm: chiso findings --help");
            std::process::exit(2)
        };
        if period.is_month() {
            refuse(&format!(
                "--months chỉ dùng cho quý hoặc năm ({} là một tháng); ví dụ --period {}",
                period.label_vi(),
                period.as_kind(crate::model::PeriodKind::Quarter)
            ));
        }
        if format == FindingsFormat::Csv {
            refuse("--months chưa dùng được với --format csv; dùng table hoặc json");
        }
    }
    let db = open(ctx)?;
    // JSON writes each directive as it renders it.
    let directives = format != FindingsFormat::Json;
    let conn = db.conn();
    // With the months: the period and its months from one read.
    let read = || -> anyhow::Result<_> {
        let f = rules::evaluate_compared(conn, period, how.compare, directives)?;
        let months = if how.months {
            Some(rules::months_on_list::months_on_list(conn, period)?)
        } else {
            None
        };
        Ok((f, months))
    };
    // Alone, findings reads in its own way (its streak cache and walk).
    let (mut f, mut months) = if how.months {
        db::in_one_read(conn, read)?
    } else {
        read()?
    };
    if let Some(g) = how.group {
        f.keep_group(g);
        if let Some(m) = &mut months {
            for r in &mut m.rules {
                r.units.retain(|u| u.unit.group() == g);
            }
            m.rules.retain(|r| !r.units.is_empty());
        }
    }
    match format {
        FindingsFormat::Json => rules::json::write_findings_with(&f, months.as_ref(), out)?,
        FindingsFormat::Csv => out.write_all(&rules::render::csv(&f)?)?,
        // Names and directives come from the database: escaped.
        FindingsFormat::Table => {
            let mut text = rules::render::table(&f);
            if let Some(m) = &months {
                text.push_str(&m.table());
            }
            write!(out, "{}", crate::output::terminal_text(&text))?
        }
    }
    // The process ends next: freeing 20,000 findings one by one would be
    // a tenth of the command's time on a national month.
    std::mem::forget(f);
    Ok(())
}

fn annexes_cmd(
    ctx: &Ctx,
    period: Period,
    format: ExportArg,
    file: Option<&Path>,
    date: Option<chrono::NaiveDate>,
    force: bool,
) -> anyhow::Result<()> {
    if format != ExportArg::Xlsx {
        bail!("--annexes chỉ dùng với --format xlsx");
    }
    let Some(path) = file else {
        bail!("định dạng xlsx cần --out TỆP.xlsx (không in tệp nhị phân ra màn hình)");
    };
    let db = open(ctx)?;
    crate::output::may_write(path, &ctx.db_path, force)?;
    let report = crate::report::build(db.conn(), period, crate::report::Options { date })?;
    let bytes = export::annexes_xlsx(&report.letter.annexes, period)?;
    write_atomically(path, &bytes, &ctx.db_path, force, crate::output::XLSX)?;
    eprintln!(
        "Đã xuất {} của {} ({} đơn vị) vào {}.",
        crate::report::annex_list(&report.letter.annexes),
        period.label_vi(),
        report.findings.units_total,
        shown(path)
    );
    Ok(())
}

fn report_cmd(
    ctx: &Ctx,
    period: Period,
    format: ReportFormat,
    file: Option<&Path>,
    date: Option<chrono::NaiveDate>,
    force: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if format == ReportFormat::Docx && file.is_none() {
        bail!("định dạng docx cần --out TỆP.docx (không in tệp nhị phân ra màn hình)");
    }
    let db = open(ctx)?;
    if let Some(path) = file {
        crate::output::may_write(path, &ctx.db_path, force)?;
    }
    let report = crate::report::build(db.conn(), period, crate::report::Options { date })?;
    for w in &report.warnings {
        // Warnings name units: escaped, as everything from the database.
        eprintln!("cảnh báo: {}", crate::output::terminal_text(w));
    }
    let bytes = match format {
        ReportFormat::Md => crate::report::markdown::render(&report.letter).into_bytes(),
        ReportFormat::Txt => crate::report::plain::render(&report.letter, 80).into_bytes(),
        ReportFormat::Docx => crate::report::docx::render(&report.letter),
    };
    let kind = match format {
        ReportFormat::Md => crate::output::MARKDOWN,
        ReportFormat::Txt => crate::output::TEXT,
        ReportFormat::Docx => crate::output::DOCX,
    };
    match file {
        Some(path) => {
            write_atomically(path, &bytes, &ctx.db_path, force, kind)?;
            eprintln!("Đã ghi công văn {} vào {}.", period.label_vi(), shown(path));
        }
        None => out.write_all(&bytes)?,
    }
    Ok(())
}

fn log_cmd(
    ctx: &Ctx,
    period: Option<Period>,
    unit: Option<&str>,
    format: ListFormat,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let db = open(ctx)?;
    let cat = Catalog::load(db.conn())?;
    let unit_id = match unit {
        Some(name) => Some(UnitIndex::load(db.conn())?.require(name)?.id),
        None => None,
    };
    let entries = db::audit::history(
        db.conn(),
        db::audit::Query {
            period,
            unit_id,
            metric: None,
        },
    )?;
    let kind = |code: &str| cat.index_of(code).map(|i| cat.metrics[i].kind);
    match format {
        ListFormat::Json => {
            let json = |v: &Option<Value>, code: &str| match (v, kind(code)) {
                (Some(v), Some(k)) => crate::model::JsonValue(v, k).to_value(),
                (Some(v), None) => serde_json::Value::String(v.plain()),
                (None, _) => serde_json::Value::Null,
            };
            let list: Vec<serde_json::Value> = entries
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "at": e.at,
                        "user": e.user,
                        "ssh_client": e.ssh_client,
                        "source": e.source,
                        "command": e.command,
                        "file": e.file,
                        "sha256": e.sha256,
                        "period": (!e.period.is_empty()).then_some(&e.period),
                        "unit": e.unit,
                        "metric": (!e.metric.is_empty()).then_some(&e.metric),
                        "unit_change": e.unit_change,
                        "old": json(&e.old, &e.metric),
                        "new": json(&e.new, &e.metric),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &list)?;
            writeln!(out)?;
        }
        ListFormat::Table => {
            if entries.is_empty() {
                writeln!(out, "Chưa có thay đổi nào khớp điều kiện.")?;
                return Ok(());
            }
            let show = |v: &Option<Value>| v.as_ref().map_or("·".to_owned(), import::show_value);
            let zone = db::local_time::Zone::load(db.conn())?;
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    // File names come from outside: escaped, never raw.
                    let (who, from) = (e.who(), text::escape(&e.how()));
                    vec![
                        db::local_time::shown_at(&e.at, &zone),
                        text::escape(&who),
                        from,
                        e.period.clone(),
                        text::escape(&e.unit),
                        match &e.unit_change {
                            Some(a) => db::audit::unit_change_vi(a).to_owned(),
                            // A metric since removed from the catalog keeps its code.
                            None => cat
                                .index_of(&e.metric)
                                .map_or(e.metric.clone(), |i| cat.metrics[i].label.clone()),
                        },
                        show(&e.old),
                        show(&e.new),
                    ]
                })
                .collect();
            let time = format!("Thời gian ({})", zone.label());
            let header = [
                time.as_str(),
                "Người sửa",
                "Nguồn",
                "Kỳ",
                "Đơn vị",
                "Chỉ số",
                "Cũ",
                "Mới",
            ];
            write!(out, "{}", crate::table::plain(&header, &rows, 6))?;
        }
    }
    Ok(())
}

fn settings_cmd(ctx: &Ctx, command: SettingsCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut db = open(ctx)?;
    match command {
        SettingsCommand::List => {
            let rows = db::settings::KNOWN
                .iter()
                .map(|(k, about)| {
                    let v = db::settings::get(db.conn(), k)?.unwrap_or_default();
                    Ok(vec![k.to_string(), text::escape(&v), about.to_string()])
                })
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut rows = rows;
            // Written by anyone with sqlite3: escaped, never raw.
            for (k, v) in db::settings::monthly(db.conn())? {
                rows.push(vec![text::escape(&k), text::escape(&v), String::new()]);
            }
            let header = ["Khoá", "Giá trị", "Ý nghĩa"];
            write!(out, "{}", crate::table::plain(&header, &rows, usize::MAX))?;
        }
        SettingsCommand::Set { key, value } => {
            let (key, stored) = db.write(|tx| -> anyhow::Result<(String, String)> {
                db::begin_changeset(tx, &ctx.actor, "settings", &ctx.command_line)?;
                Ok(db::settings::set(tx, &key, &value)?)
            })?;
            writeln!(out, "{key} = {stored}")?;
        }
    }
    Ok(())
}
