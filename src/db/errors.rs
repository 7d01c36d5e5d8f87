//! SQLite's failures said in Vietnamese: what happened, to which file,
//! what to do, and SQLite's own code for whoever gives support.
//!
//! Errors travel up wrapped in the modules' own types (`ImportError`,
//! `EditError`, …), all `#[error(transparent)]` over `rusqlite::Error`,
//! whose source is SQLite's code (`ffi::Error`): `sqlite_code` finds it
//! in any chain, and `explain` turns it into a `SqliteProblem` naming the
//! database file. Codes that are not about the file (a CHECK refused, a
//! bug in a query) are left as they are.

use std::error::Error as StdError;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::ffi;

/// A failure of SQLite on the database file, explained.
#[derive(Debug, thiserror::Error)]
#[error("{what}\n  gợi ý: {todo}\n  mã lỗi SQLite: {code} ({english})", code = self.code.extended_code, english = ffi::code_to_str(self.code.extended_code))]
pub struct SqliteProblem {
    pub path: PathBuf,
    pub code: ffi::Error,
    /// What happened, naming the file.
    pub what: String,
    /// What to do.
    pub todo: String,
}

impl SqliteProblem {
    /// One line, for the TUI's footer.
    pub fn one_line(&self) -> String {
        format!(
            "{} · {} (mã SQLite {})",
            self.what, self.todo, self.code.extended_code
        )
    }
}

/// SQLite's code in an error or any error it wraps.
pub fn sqlite_code(e: &(dyn StdError + 'static)) -> Option<ffi::Error> {
    let mut next = Some(e);
    while let Some(e) = next {
        if let Some(rusqlite::Error::SqliteFailure(code, _)) = e.downcast_ref::<rusqlite::Error>() {
            return Some(*code);
        }
        if let Some(code) = e.downcast_ref::<ffi::Error>() {
            return Some(*code);
        }
        next = e.source();
    }
    None
}

/// Another connection holds the lock (the wait for it ran out).
pub fn is_busy(e: &(dyn StdError + 'static)) -> bool {
    sqlite_code(e).is_some_and(|c| {
        matches!(
            c.code,
            ffi::ErrorCode::DatabaseBusy | ffi::ErrorCode::DatabaseLocked
        )
    })
}

/// The error SQLite gives a write on a read-only file, for a write refused
/// before SQLite is asked.
pub fn read_only_error() -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        ffi::Error::new(ffi::SQLITE_READONLY),
        Some("attempt to write a readonly database".into()),
    )
}

/// "2 phút", "90 giây", "1500 ms".
pub fn duration_vi(d: Duration) -> String {
    let ms = d.as_millis();
    if ms >= 60_000 && ms.is_multiple_of(60_000) {
        format!("{} phút", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{} giây", ms / 1000)
    } else {
        format!("{ms} ms")
    }
}

/// What a SQLite code on `path` means and what to do; None for codes that
/// are not about the file.
pub fn problem(path: &Path, code: ffi::Error) -> Option<SqliteProblem> {
    use ffi::ErrorCode as C;
    let file = path.display();
    let dir = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) => d.display().to_string(),
        None => ".".into(),
    };
    let (what, todo) = match code.code {
        C::DiskFull => (
            format!("ổ đĩa chứa {file} đã đầy: không ghi được, không có gì thay đổi"),
            "giải phóng dung lượng trên ổ đó (xoá tệp không cần, dọn thư mục tạm; xem `df -h`), rồi chạy lại lệnh".to_string(),
        ),
        C::SystemIoFailure => (
            format!(
                "lỗi đọc/ghi đĩa với {file} (thường do ổ đầy, ổ hỏng, hoặc ổ mạng mất kết nối); lệnh dừng, không có gì thay đổi"
            ),
            "kiểm tra dung lượng trống (`df -h`) và kết nối ổ mạng, rồi chạy lại; nếu vẫn lỗi, chép tệp sang ổ khác và dùng --db".to_string(),
        ),
        C::NotADatabase => (
            format!("{file} không phải tệp cơ sở dữ liệu SQLite (chọn nhầm tệp, hoặc tệp đã bị ghi đè)"),
            "kiểm tra --db / CHISO_DB chỉ đúng tệp; nếu đúng là tệp của chiso thì nó đã hỏng: khôi phục từ bản sao lưu".to_string(),
        ),
        C::DatabaseCorrupt => (
            format!("{file} bị hỏng (tệp bị cắt cụt hoặc ghi dở)"),
            "đừng ghi thêm vào tệp này; khôi phục từ bản sao lưu, hoặc chép tệp ra rồi thử cứu số liệu bằng `sqlite3 TỆP .recover`".to_string(),
        ),
        C::CannotOpen => (
            format!("không mở hoặc tạo được {file}: thư mục {dir} không có, hoặc không có quyền ghi vào đó"),
            format!("kiểm tra đường dẫn (--db / CHISO_DB) và quyền của thư mục {dir}; tạo thư mục trước nếu chưa có"),
        ),
        C::ReadOnly | C::PermissionDenied => (
            format!("không ghi được vào {file}: tệp hoặc thư mục {dir} chỉ cho đọc với người dùng này"),
            "các lệnh chỉ đọc (units list, findings, export, log, report) vẫn dùng được; để ghi, xin quyền ghi tệp và thư mục (chmod, chown), hoặc chép tệp sang thư mục của bạn và dùng --db".to_string(),
        ),
        C::DatabaseBusy | C::DatabaseLocked => (
            format!(
                "{file} đang bận: một lệnh ghi khác giữ tệp quá {}; lệnh này chưa ghi gì",
                duration_vi(super::wait_limit())
            ),
            "chạy lại khi lệnh kia (nhập tệp lớn, người khác đang sửa) xong; nếu không ai đang ghi, tìm tiến trình chiso hay sqlite3 còn mở tệp (`fuser TỆP`) và đóng nó".to_string(),
        ),
        C::OutOfMemory => (
            format!("hết bộ nhớ khi làm việc với {file}"),
            "đóng bớt chương trình khác rồi chạy lại".to_string(),
        ),
        C::FileLockingProtocolFailed | C::NoLargeFileSupport => (
            format!("không khoá được {file} (ổ mạng hoặc hệ thống tệp không hỗ trợ khoá của SQLite)"),
            "đặt tệp trên ổ của máy (không phải ổ mạng dùng chung) và cho mọi người dùng qua SSH".to_string(),
        ),
        _ => return None,
    };
    Some(SqliteProblem {
        path: path.to_owned(),
        code,
        what,
        todo,
    })
}

/// The error with SQLite's failure on `path` explained, if it has one.
pub fn explain(e: anyhow::Error, path: &Path) -> anyhow::Error {
    if e.chain()
        .any(|c| c.downcast_ref::<SqliteProblem>().is_some())
    {
        return e;
    }
    let found = e.chain().find_map(|c| {
        c.downcast_ref::<ffi::Error>().copied().or_else(|| {
            match c.downcast_ref::<rusqlite::Error>() {
                Some(rusqlite::Error::SqliteFailure(code, _)) => Some(*code),
                _ => None,
            }
        })
    });
    match found.and_then(|code| problem(path, code)) {
        Some(p) => p.into(),
        None => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(extended: i32) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(ffi::Error::new(extended), None)
    }

    #[test]
    fn every_file_failure_names_the_file_says_what_to_do_and_keeps_the_code() {
        let path = Path::new("/srv/vp/chiso.db");
        for (code, words) in [
            (ffi::SQLITE_FULL, "đầy"),
            (4874, "đọc/ghi đĩa"),
            (ffi::SQLITE_NOTADB, "không phải tệp cơ sở dữ liệu"),
            (ffi::SQLITE_CORRUPT, "hỏng"),
            (ffi::SQLITE_CANTOPEN, "thư mục /srv/vp"),
            (1544, "chỉ cho đọc"),
            (ffi::SQLITE_READONLY, "chỉ cho đọc"),
            (ffi::SQLITE_BUSY, "đang bận"),
        ] {
            // Wrapped the way the modules wrap it.
            let e = anyhow::Error::from(crate::edit::EditError::Db(failure(code)))
                .context("ghi số liệu");
            let text = format!("{:#}", explain(e, path));
            assert!(text.contains("/srv/vp/chiso.db"), "{code}: {text}");
            assert!(text.contains(words), "{code}: {text}");
            assert!(text.contains("gợi ý: "), "{code}: {text}");
            assert!(
                text.contains(&format!("mã lỗi SQLite: {code} (")),
                "{code}: {text}"
            );
        }
    }

    #[test]
    fn other_failures_are_left_alone() {
        let e = anyhow::Error::from(failure(ffi::SQLITE_CONSTRAINT_CHECK));
        let text = format!("{:#}", explain(e, Path::new("x.db")));
        assert!(!text.contains("gợi ý"), "{text}");
        assert!(is_busy(&failure(ffi::SQLITE_BUSY)));
        assert!(!is_busy(&failure(ffi::SQLITE_FULL)));
        assert_eq!(duration_vi(Duration::from_secs(120)), "2 phút");
        assert_eq!(duration_vi(Duration::from_secs(90)), "90 giây");
        assert_eq!(duration_vi(Duration::from_millis(1500)), "1500 ms");
    }
}
