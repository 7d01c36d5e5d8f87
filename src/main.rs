use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let command_line = args
        .iter()
        .map(|a| chiso::import::shell_quote(a))
        .collect::<Vec<_>>()
        .join(" ");
    // Help and version exit 0, a usage error 2, as clap's own; all of it
    // in Vietnamese.
    let cli = match chiso::cli::parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err(exit) => {
            exit.print();
            return ExitCode::from(exit.code as u8);
        }
    };
    match chiso::cli::run(cli, command_line) {
        Ok(()) => ExitCode::SUCCESS,
        // `chiso export … | head`: the reader left; not an error of ours.
        Err(e)
            if e.chain().any(|c| {
                let pipe = Some(std::io::ErrorKind::BrokenPipe);
                c.downcast_ref::<std::io::Error>().map(|io| io.kind()) == pipe
                    || c.downcast_ref::<serde_json::Error>()
                        .and_then(|j| j.io_error_kind())
                        == pipe
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            match e
                .downcast_ref::<chiso::import::ImportError>()
                .and_then(chiso::cli::describe_import_error)
            {
                Some(report) => eprint!("{}", printable(&report)),
                None => {
                    let msg = format!("{e:#}");
                    eprintln!("lỗi: {}", printable(&msg));
                }
            }
            ExitCode::FAILURE
        }
    }
}

/// Error text with any control character (from a file name, say) escaped;
/// newlines stay, they are ours.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c != '\n' && chiso::text::find_control(&c.to_string()).is_some() {
                format!("\\u{{{:x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}
