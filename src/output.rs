//! What chiso writes out, made safe: output files (export, annexes, the
//! letter) and text cells (CSV, TSV, terminal).
//!
//! A file is written whole or not at all (a temporary file, then a rename),
//! never over an existing file unless the caller was told it may replace
//! it (`--force`, or `y` in the TUI), and never, even then, over a SQLite
//! database: the open one, its `-wal`/`-shm`/`-journal` files, or any file
//! that starts with SQLite's header.
//!
//! A text cell of a spreadsheet file has its control characters escaped
//! (the file may be printed on a terminal) and, when it starts like a
//! formula (`=`, `+`, `-`, `@`, tab, CR), a leading `'` (OWASP's rule for
//! CSV injection), which import takes off again: the round trip is exact.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::text;

/// The first 16 bytes of every SQLite database file.
pub const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Why a file was not written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A database, whatever `--force` says.
    #[error(
        "{} là tệp cơ sở dữ liệu; không ghi đè, kể cả với --force\n  gợi ý: chọn tên khác cho --out",
        show(.0)
    )]
    Database(PathBuf),
    /// An existing file, and replacing it was not asked for.
    #[error(
        "tệp {} đã có; không ghi đè\n  gợi ý: thêm --force để ghi đè, hoặc chọn tên khác cho --out",
        show(.0)
    )]
    Exists(PathBuf),
    #[error("{} là một thư mục; --out cần tên tệp", show(.0))]
    Directory(PathBuf),
    /// An existing file that cannot be read, so not known not to be a database.
    #[error(
        "không đọc được tệp {} để kiểm tra trước khi ghi đè: {}; không ghi đè",
        show(.0),
        .1
    )]
    Unreadable(PathBuf, std::io::Error),
    #[error("không ghi được {}: {}", show(.0), .1)]
    Io(PathBuf, std::io::Error),
}

/// A path as printed: control characters escaped.
fn show(p: &Path) -> String {
    text::escape(&p.display().to_string())
}

/// What is at the path an output is going to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Nothing: the file will be new.
    New,
    /// A file that is not a database: replaced only when asked.
    Existing,
}

/// Checks where an output goes, before anything is written: refuses the
/// database `db` (and its companion files), any SQLite file and a folder;
/// says whether a file is there.
pub fn check(path: &Path, db: &Path) -> Result<Target, OutputError> {
    let target = resolved(path);
    // SQLite keeps its companion files beside the database's real path,
    // not beside a symlink to it.
    let real_db = db.canonicalize().unwrap_or_else(|_| db.to_owned());
    for base in [db, real_db.as_path()] {
        for suffix in crate::db::FILES {
            let guarded = PathBuf::from(format!("{}{suffix}", base.display()));
            if target.is_some() && resolved(&guarded) == target {
                return Err(OutputError::Database(path.to_owned()));
            }
        }
    }
    // symlink_metadata: a dangling link is something at the path too.
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(Target::New);
    };
    if path.is_dir() {
        return Err(OutputError::Directory(path.to_owned()));
    }
    if meta.file_type().is_symlink() && !path.exists() {
        return Ok(Target::Existing);
    }
    match is_sqlite(path) {
        Ok(true) => Err(OutputError::Database(path.to_owned())),
        Ok(false) => Ok(Target::Existing),
        Err(e) => Err(OutputError::Unreadable(path.to_owned(), e)),
    }
}

/// Would `write` take this path? For refusing before long work; `write`
/// checks again.
pub fn may_write(path: &Path, db: &Path, replace: bool) -> Result<(), OutputError> {
    match check(path, db)? {
        Target::Existing if !replace => Err(OutputError::Exists(path.to_owned())),
        _ => Ok(()),
    }
}

/// Is the file part of an SQLite database: the database itself (its
/// 16-byte header), a write-ahead log (magic 0x377f0682/3) or a rollback
/// journal (magic d9d505f920a163d7)? Another database's live log holds
/// committed data as surely as the file does.
pub fn is_sqlite(path: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    let mut head = Vec::with_capacity(16);
    std::fs::File::open(path)?.take(16).read_to_end(&mut head)?;
    let wal = head.len() >= 4 && matches!(head[..4], [0x37, 0x7f, 0x06, 0x82 | 0x83]);
    let journal = head.starts_with(&[0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]);
    Ok(head == SQLITE_HEADER || wal || journal)
}

/// Writes `bytes` to `path` whole or not at all. An existing file is
/// replaced only when `replace` is true; a database never is (see
/// `check`). Without `replace` the file is put in place with a hard link,
/// which fails if a file appeared meanwhile: nothing is ever replaced
/// that was not checked.
pub fn write(path: &Path, bytes: &[u8], db: &Path, replace: bool) -> Result<(), OutputError> {
    may_write(path, db, replace)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.chiso-{}.tmp", std::process::id()));
    let io = |e| OutputError::Io(path.to_owned(), e);
    if let Err(e) = std::fs::write(&tmp, bytes) {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    let placed = if replace {
        // Checked again just before: a database may have been put there.
        match check(path, db) {
            Ok(_) => std::fs::rename(&tmp, path).map_err(io),
            Err(e) => Err(e),
        }
    } else {
        match std::fs::hard_link(&tmp, path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(OutputError::Exists(path.to_owned()))
            }
            // A file system without hard links (FAT, some network shares).
            Err(_) => match check(path, db) {
                Ok(Target::New) => std::fs::rename(&tmp, path).map_err(io),
                Ok(Target::Existing) => Err(OutputError::Exists(path.to_owned())),
                Err(e) => Err(e),
            },
        }
    };
    // After a rename the temporary name is gone; after a link it remains.
    let _ = std::fs::remove_file(&tmp);
    placed
}

/// Where a path points, whether or not the file exists yet.
fn resolved(p: &Path) -> Option<PathBuf> {
    if let Ok(c) = p.canonicalize() {
        return Some(c);
    }
    let parent = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.canonicalize().ok()?,
        _ => std::env::current_dir().ok()?,
    };
    Some(parent.join(p.file_name()?))
}

/// A kind of output file: its name and usual extensions, the first one
/// the one to suggest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub name: &'static str,
    pub extensions: &'static [&'static str],
}

pub const CSV: Kind = Kind {
    name: "CSV",
    extensions: &["csv"],
};
pub const TSV: Kind = Kind {
    name: "TSV",
    extensions: &["tsv", "tab", "txt"],
};
pub const JSON: Kind = Kind {
    name: "JSON",
    extensions: &["json"],
};
pub const XLSX: Kind = Kind {
    name: "XLSX",
    extensions: &["xlsx"],
};
pub const MARKDOWN: Kind = Kind {
    name: "Markdown",
    extensions: &["md", "markdown"],
};
pub const TEXT: Kind = Kind {
    name: "văn bản thuần",
    extensions: &["txt", "text"],
};
pub const DOCX: Kind = Kind {
    name: "DOCX",
    extensions: &["docx"],
};

/// A warning when the file's extension is not one usual for `kind`:
/// `--format csv --out x.docx` writes a CSV that Word cannot open.
pub fn extension_warning(path: &Path, kind: Kind) -> Option<String> {
    let format = kind.name;
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase());
    if ext
        .as_deref()
        .is_some_and(|e| kind.extensions.iter().any(|x| x.eq_ignore_ascii_case(e)))
    {
        return None;
    }
    let wanted = kind.extensions.first().copied().unwrap_or_default();
    Some(match ext {
        Some(e) => format!(
            "cảnh báo: {} có đuôi .{} nhưng nội dung là {format} (đuôi thường dùng: .{wanted})",
            show(path),
            text::escape(&e)
        ),
        None => format!(
            "cảnh báo: {} không có đuôi tệp; nội dung là {format} (đuôi thường dùng: .{wanted})",
            show(path)
        ),
    })
}

/// Does a cell starting with `c` read as a formula in a spreadsheet?
fn starts_formula(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// A text cell (a name, a label, a header, a directive) as a CSV or TSV
/// file holds it: control characters escaped as `text::escape` does, and a
/// leading `'` when the text starts like a formula, or is already a run of
/// `'` before such a start (so `unquote_cell` can always take exactly one
/// off). Numbers are not text cells: `-5` stays `-5`.
pub fn text_cell(s: &str) -> Cow<'_, str> {
    let s: Cow<'_, str> = if text::find_control(s).is_some() {
        Cow::Owned(text::escape(s))
    } else {
        Cow::Borrowed(s)
    };
    if s.trim_start_matches('\'').starts_with(starts_formula) {
        Cow::Owned(format!("'{s}"))
    } else {
        s
    }
}

/// The inverse of `text_cell`'s quote, for import: a text cell made of a
/// `'`, then perhaps more `'`, then a formula start, loses its first `'`
/// ("'=SUM(A1)" → "=SUM(A1)"); any other text is left as it is.
pub fn unquote_cell(s: &str) -> Option<&str> {
    let rest = s.strip_prefix('\'')?;
    rest.trim_start_matches('\'')
        .starts_with(starts_formula)
        .then_some(rest)
}

/// Text for a terminal: control characters escaped as `text::escape`
/// does, except the line breaks that lay the text out.
pub fn terminal_text(s: &str) -> Cow<'_, str> {
    if !s
        .chars()
        .any(|c| c != '\n' && text::find_control(&c.to_string()).is_some())
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&text::escape(line));
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_get_one_quote_and_lose_it_again() {
        for (raw, cell) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1+2", "'+1+2"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("'=x", "''=x"),
            ("''+x", "'''+x"),
            ("An Vỹ", "An Vỹ"),
            ("'An Vỹ", "'An Vỹ"),
            ("'", "'"),
            ("", ""),
            ("Xã -2", "Xã -2"),
            // Control characters are escaped first: no tab or CR is left.
            ("\tX", "\\u{9}X"),
            ("\u{1b}[31m", "\\u{1b}[31m"),
        ] {
            assert_eq!(text_cell(raw), cell, "{raw:?}");
            if text::find_control(raw).is_none() {
                assert_eq!(unquote_cell(cell).unwrap_or(cell), raw, "{cell:?}");
            }
        }
        // What a person types into a CSV by hand.
        assert_eq!(unquote_cell("'\t1"), Some("\t1"));
        assert_eq!(unquote_cell("'\r"), Some("\r"));
        assert_eq!(unquote_cell("'Tốt"), None);
        assert_eq!(unquote_cell("''"), None);
    }

    #[test]
    fn terminal_text_keeps_line_breaks_only() {
        assert_eq!(terminal_text("a\nb"), "a\nb");
        assert_eq!(
            terminal_text("a\u{7}\nb\u{1b}c\r\n"),
            "a\\u{7}\nb\\u{1b}c\\u{d}\n"
        );
        assert_eq!(
            text::find_control(&terminal_text("\u{202e}\u{9b}").replace('\n', "")),
            None
        );
    }

    #[test]
    fn extension_must_fit_the_format() {
        assert_eq!(extension_warning(Path::new("a/x.csv"), CSV), None);
        assert_eq!(extension_warning(Path::new("X.CSV"), CSV), None);
        assert_eq!(extension_warning(Path::new("x.txt"), TSV), None);
        let w = extension_warning(Path::new("x.docx"), CSV).unwrap();
        assert!(w.contains("x.docx") && w.contains(".csv"), "{w}");
        let w = extension_warning(Path::new("thang-8"), CSV).unwrap();
        assert!(w.contains("không có đuôi"), "{w}");
        assert!(extension_warning(Path::new("cong-van.doc"), DOCX).is_some());
    }

    #[test]
    fn never_over_a_file_unless_asked_never_over_a_database() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("chiso.db");
        std::fs::write(&db, b"SQLite format 3\0rest of the page").unwrap();
        let out = dir.path().join("x.csv");
        write(&out, b"one", &db, false).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"one");
        assert!(matches!(
            write(&out, b"two", &db, false),
            Err(OutputError::Exists(_))
        ));
        assert_eq!(std::fs::read(&out).unwrap(), b"one");
        write(&out, b"two", &db, true).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"two");
        // The open database, its companions, and any other SQLite file.
        let other = dir.path().join("other.csv");
        std::fs::write(&other, b"SQLite format 3\0").unwrap();
        for p in [db.clone(), dir.path().join("chiso.db-wal"), other.clone()] {
            for replace in [false, true] {
                assert!(
                    matches!(write(&p, b"x", &db, replace), Err(OutputError::Database(_))),
                    "{p:?}"
                );
            }
        }
        assert_eq!(std::fs::read(&other).unwrap(), b"SQLite format 3\0");
        // Almost the header is not the header.
        std::fs::write(&other, b"SQLite format 3").unwrap();
        write(&other, b"x", &db, true).unwrap();
        assert!(matches!(
            write(dir.path(), b"x", &db, true),
            Err(OutputError::Directory(_))
        ));
        // Nothing left behind.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(names.is_empty(), "{names:?}");
    }
}
