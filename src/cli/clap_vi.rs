//! clap's help screens and usage errors in Vietnamese. clap writes its
//! framing in English ("Usage:", "Options:", "Print help", "error: invalid
//! value …"); here every command gets a Vietnamese help template and help
//! and version flags of its own, and a usage error is rendered from its
//! kind and context instead of clap's text.

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, CommandFactory, FromArgMatches};

use super::{Cli, Command};

/// What to print instead of running a command: help, the version, or a
/// usage error, and the exit code (0 or 2, as clap's).
#[derive(Debug)]
pub struct Exit {
    pub text: String,
    pub stderr: bool,
    pub code: i32,
}

impl Exit {
    pub fn print(&self) {
        if self.stderr {
            eprint!("{}", self.text);
        } else {
            print!("{}", self.text);
        }
    }
}

/// chiso's command line, every level of it in Vietnamese.
pub fn command() -> clap::Command {
    localize(Cli::command())
}

/// Parses the command line; `chiso help X` answers as `chiso X --help`.
pub fn parse_from<I, T>(args: I) -> Result<Cli, Exit>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let mut cmd = command();
    let parsed = cmd
        .try_get_matches_from_mut(args.iter().cloned())
        .and_then(|mut m| Cli::from_arg_matches_mut(&mut m));
    match parsed {
        Ok(Cli {
            command: Some(Command::Help { command }),
            ..
        }) => Err(help_of(&command)),
        Ok(cli) => Ok(cli),
        Err(e) => Err(exit_for(&e, &args)),
    }
}

/// The help of a command named by its words ("units add"), as `--help`
/// prints it.
pub fn help_of(words: &[String]) -> Exit {
    let mut args = vec![OsString::from("chiso")];
    args.extend(words.iter().map(OsString::from));
    args.push("--help".into());
    match command().try_get_matches_from(&args) {
        Err(e) => exit_for(&e, &args),
        // Unreachable: --help always ends the parse; say something useful.
        Ok(_) => Exit {
            text: render_help(&mut command(), false),
            stderr: false,
            code: 0,
        },
    }
}

/// The top-level help, as printed when chiso runs without a terminal.
pub fn top_help() -> String {
    render_help(&mut command(), false)
}

fn render_help(cmd: &mut clap::Command, long: bool) -> String {
    let styled = if long {
        cmd.render_long_help()
    } else {
        cmd.render_help()
    };
    words_in_usage(&styled.to_string())
}

/// A help template with Vietnamese headings, and only the sections the
/// command has.
fn template(subcommands: bool, positionals: bool) -> String {
    let mut t = String::from("{before-help}{about-with-newline}\nCách dùng: {usage}\n");
    if subcommands {
        t.push_str("\nLệnh:\n{subcommands}\n");
    }
    if positionals {
        t.push_str("\nTham số:\n{positionals}\n");
    }
    t.push_str("\nTuỳ chọn:\n{options}{after-help}");
    t
}

/// One command and, recursively, its subcommands.
fn localize(cmd: clap::Command) -> clap::Command {
    let subcommands = cmd.get_subcommands().any(|s| !s.is_hide_set());
    let positionals = cmd.get_positionals().any(|a| !a.is_hide_set());
    let versioned = cmd.get_version().is_some();
    let mut cmd = cmd
        .help_template(template(subcommands, positionals))
        .subcommand_value_name("LỆNH")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .mut_args(choices_in_words)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("In hướng dẫn này"),
        );
    if versioned {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("In phiên bản"),
        );
    }
    cmd.mut_subcommands(localize)
}

/// clap's "[default: table] [possible values: table, json]" said in the
/// argument's own help: "(mặc định: table; một trong: table, json)".
fn choices_in_words(arg: Arg) -> Arg {
    if !arg.get_action().takes_values() {
        return arg;
    }
    let mut parts = Vec::new();
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && !arg.is_hide_default_value_set() {
        parts.push(format!("mặc định: {}", defaults.join(", ")));
    }
    let choices: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|p| !p.is_hide_set())
        .map(|p| p.get_name().to_owned())
        .collect();
    if !choices.is_empty() && !arg.is_hide_possible_values_set() {
        parts.push(format!("một trong: {}", choices.join(", ")));
    }
    if parts.is_empty() {
        return arg;
    }
    let note = format!("({})", parts.join("; "));
    let with = |h: Option<&clap::builder::StyledStr>| match h {
        Some(h) => format!("{h} {note}"),
        None => note.clone(),
    };
    let help = with(arg.get_help());
    let long = arg.get_long_help().map(|h| with(Some(h)));
    let arg = arg
        .hide_default_value(true)
        .hide_possible_values(true)
        .help(help);
    match long {
        Some(l) => arg.long_help(l),
        None => arg,
    }
}

/// The placeholders clap writes into a usage line, in Vietnamese.
fn words_in_usage(s: &str) -> String {
    s.replace("[OPTIONS]", "[TUỲ CHỌN]")
}

/// What a parse of `args` that stopped prints, and with which exit code.
fn exit_for(e: &clap::Error, args: &[OsString]) -> Exit {
    let printed = || {
        let mut text = words_in_usage(&e.render().to_string());
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text
    };
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => Exit {
            text: printed(),
            stderr: false,
            code: 0,
        },
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => Exit {
            text: printed(),
            stderr: true,
            code: 2,
        },
        _ => Exit {
            text: error_text(e, args),
            stderr: true,
            code: 2,
        },
    }
}

/// The subcommands `args` name, in order ("units", "add"): the words that
/// are a subcommand of the one before, up to a command that has none.
fn command_path(args: &[OsString]) -> Vec<String> {
    let mut cmd = command();
    cmd.build();
    let mut path = Vec::new();
    let mut at = &cmd;
    for a in args.iter().skip(1) {
        let Some(word) = a.to_str() else { continue };
        if at.get_subcommands().next().is_none() {
            break;
        }
        if let Some(sub) = at.find_subcommand(word) {
            path.push(sub.get_name().to_owned());
            at = sub;
        }
    }
    path
}

/// The usage line of the command `path` names, without clap's heading.
fn usage_of(path: &[String]) -> String {
    let mut cmd = command();
    cmd.build();
    let mut at = &cmd;
    for name in path {
        match at.find_subcommand(name) {
            Some(sub) => at = sub,
            None => break,
        }
    }
    // Built, so it keeps its full name ("chiso units add").
    let usage = at.clone().render_usage().to_string();
    let usage = usage.trim();
    usage
        .strip_prefix("Usage:")
        .unwrap_or(usage)
        .trim()
        .to_owned()
}

fn string(e: &clap::Error, kind: ContextKind) -> Option<&str> {
    match e.get(kind) {
        Some(ContextValue::String(s)) => Some(s),
        _ => None,
    }
}

fn strings(e: &clap::Error, kind: ContextKind) -> Vec<String> {
    match e.get(kind) {
        Some(ContextValue::Strings(v)) => v.clone(),
        Some(ContextValue::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn number(e: &clap::Error, kind: ContextKind) -> Option<isize> {
    match e.get(kind) {
        Some(ContextValue::Number(n)) => Some(*n),
        _ => None,
    }
}

/// "\"a\", \"b\"".
fn quoted(list: &[String]) -> String {
    list.iter()
        .map(|s| format!("\"{}\"", crate::text::show(s)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A usage error in Vietnamese: what is wrong, a suggestion if clap has
/// one, the command's usage line and where to read more.
fn error_text(e: &clap::Error, args: &[OsString]) -> String {
    let arg = string(e, ContextKind::InvalidArg).unwrap_or_default();
    let value = string(e, ContextKind::InvalidValue).unwrap_or_default();
    let shown = crate::text::show(value);
    let mut msg = match e.kind() {
        ErrorKind::InvalidValue if value.is_empty() => format!("{arg} cần một giá trị"),
        ErrorKind::InvalidValue => {
            let valid = strings(e, ContextKind::ValidValue);
            let mut m = format!("giá trị \"{shown}\" không hợp lệ cho {arg}");
            if !valid.is_empty() {
                m.push_str(&format!("; dùng một trong: {}", valid.join(", ")));
            }
            m
        }
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e)
                .map(|s| s.to_string())
                .unwrap_or_default();
            if why.contains(&shown) || why.contains(value) {
                format!("{arg}: {why}")
            } else {
                format!("{arg} \"{shown}\": {why}")
            }
        }
        ErrorKind::UnknownArgument => {
            format!("không có tuỳ chọn \"{}\" ở đây", crate::text::show(arg))
        }
        ErrorKind::InvalidSubcommand => format!(
            "không có lệnh \"{}\"",
            crate::text::show(string(e, ContextKind::InvalidSubcommand).unwrap_or_default())
        ),
        ErrorKind::MissingRequiredArgument => format!(
            "thiếu tham số bắt buộc: {}",
            strings(e, ContextKind::InvalidArg).join(", ")
        ),
        ErrorKind::MissingSubcommand => {
            let valid = strings(e, ContextKind::ValidSubcommand);
            format!(
                "lệnh \"{}\" cần thêm một lệnh con: {}",
                string(e, ContextKind::InvalidSubcommand).unwrap_or_default(),
                valid.join(", ")
            )
        }
        ErrorKind::ArgumentConflict => {
            let prior = strings(e, ContextKind::PriorArg);
            if prior.len() == 1 && prior[0] == arg {
                format!("{arg} chỉ được ghi một lần")
            } else if prior.is_empty() {
                format!("{arg} không dùng chung được với các tham số khác đã ghi")
            } else {
                format!("{arg} không dùng chung được với {}", prior.join(", "))
            }
        }
        ErrorKind::NoEquals => format!("{arg} cần dấu = khi gán giá trị ({arg}=…)"),
        ErrorKind::TooManyValues => format!("giá trị thừa \"{shown}\" cho {arg}"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => format!(
            "{arg} cần {} giá trị, nhưng có {}",
            number(e, ContextKind::MinValues)
                .or(number(e, ContextKind::ExpectedNumValues))
                .unwrap_or(1),
            number(e, ContextKind::ActualNumValues).unwrap_or(0)
        ),
        ErrorKind::InvalidUtf8 => "tham số dòng lệnh không phải UTF-8".to_owned(),
        _ => "dòng lệnh không hợp lệ".to_owned(),
    };
    for (kind, what) in [
        (ContextKind::SuggestedSubcommand, "lệnh"),
        (ContextKind::SuggestedArg, "tuỳ chọn"),
        (ContextKind::SuggestedValue, "giá trị"),
    ] {
        let similar = strings(e, kind);
        if !similar.is_empty() {
            msg.push_str(&format!(
                "\n  gợi ý: có {what} gần giống: {}",
                quoted(&similar)
            ));
        }
    }
    if let Some(ContextValue::StyledStrs(tips)) = e.get(ContextKind::Suggested) {
        for tip in tips {
            msg.push_str(&format!(
                "\n  gợi ý: {}",
                tip_in_words(&tip.to_string(), arg)
            ));
        }
    }
    let path = command_path(args);
    // clap's usage line names the arguments given; not every error has one.
    let usage = match e.get(ContextKind::Usage) {
        Some(ContextValue::StyledStr(u)) => {
            let u = u.to_string();
            let u = u.trim();
            u.strip_prefix("Usage:").unwrap_or(u).trim().to_owned()
        }
        _ => usage_of(&path),
    };
    let mut out = format!("lỗi: {msg}\n");
    if !usage.is_empty() {
        out.push_str(&format!("\nCách dùng: {}\n", words_in_usage(&usage)));
    }
    let mut words = vec!["chiso".to_owned()];
    words.extend(path);
    out.push_str(&format!("\nXem thêm: {} --help\n", words.join(" ")));
    out
}

/// clap's tips, which are English sentences around quoted words.
fn tip_in_words(tip: &str, arg: &str) -> String {
    let quoted: Vec<&str> = tip.split('\'').skip(1).step_by(2).collect();
    if tip.contains("as a value") {
        format!(
            "nếu \"{}\" là một giá trị, viết -- trước nó: {}",
            crate::text::show(quoted.first().copied().unwrap_or(arg)),
            quoted.get(1).copied().unwrap_or("-- …")
        )
    } else if tip.contains("remove the") {
        format!(
            "có lệnh \"{}\"; bỏ \"--\" trước nó",
            quoted.first().copied().unwrap_or_default()
        )
    } else if tip.ends_with("exists") {
        format!(
            "tuỳ chọn này có ở: {}",
            quoted.first().copied().unwrap_or_default()
        )
    } else {
        quoted.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(args: &[&str]) -> Exit {
        let mut all = vec!["chiso"];
        all.extend(args);
        parse_from(all).expect_err("a usage error")
    }

    #[test]
    fn help_has_no_english_framing() {
        let top = top_help();
        for word in [
            "Usage",
            "Commands:",
            "Options:",
            "Print",
            "[OPTIONS]",
            "COMMAND",
        ] {
            assert!(!top.contains(word), "{word}: {top}");
        }
        assert!(top.contains("Cách dùng: chiso [TUỲ CHỌN] [LỆNH]"), "{top}");
        assert!(top.contains("In hướng dẫn này"), "{top}");
        let import = help_of(&["import".into()]);
        assert_eq!(import.code, 0);
        assert!(
            import.text.contains("Tham số:\n  <FILE>..."),
            "{}",
            import.text
        );
        let findings = help_of(&["findings".into()]).text;
        let flat = findings.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("(mặc định: table; một trong: table, json, csv)"),
            "{findings}"
        );
    }

    #[test]
    fn usage_errors_are_vietnamese_and_exit_2() {
        let e = error(&["import", "x.tsv", "--period", "24-07"]);
        assert_eq!((e.code, e.stderr), (2, true));
        assert!(
            e.text
                .starts_with("lỗi: --period <KỲ>: kỳ không hợp lệ: \"24-07\""),
            "{}",
            e.text
        );
        assert!(
            e.text.contains("Xem thêm: chiso import --help"),
            "{}",
            e.text
        );
        let e = error(&["findings", "--period", "2024-08", "--format", "pdf"]);
        assert!(
            e.text.contains("giá trị \"pdf\" không hợp lệ cho --format <FORMAT>; dùng một trong: table, json, csv"),
            "{}",
            e.text
        );
        let e = error(&["improt"]);
        assert!(e.text.contains("không có lệnh \"improt\""), "{}", e.text);
        assert!(e.text.contains("\"import\""), "{}", e.text);
        let e = error(&["export"]);
        assert!(
            e.text.contains("thiếu tham số bắt buộc: --period <KỲ>"),
            "{}",
            e.text
        );
    }
}
