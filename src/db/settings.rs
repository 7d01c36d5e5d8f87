//! The office's settings (`settings` table): which keys chiso knows, what
//! their values must look like, reading and writing them.

use rusqlite::{Connection, OptionalExtension, Transaction};

use crate::text;

/// Settings chiso reads, with what each means (shown by `settings list`).
pub const KNOWN: &[(&str, &str)] = &[
    (
        "escalate_after",
        "số tháng liên tiếp (từ 1) để nâng mức một phát hiện nghiêm trọng",
    ),
    (
        "accountability",
        "câu trách nhiệm thêm vào chỉ đạo khi nâng mức ({unit}, {parent}, …)",
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum SettingError {
    #[error("không có thiết lập \"{0}\"; các khoá: {1}")]
    Unknown(String, String),
    #[error("giá trị chứa ký tự điều khiển")]
    Control,
    #[error("escalate_after cần một số nguyên từ 1 trở lên, không phải \"{0}\"")]
    NotACount(String),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

pub fn get(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
        r.get(0)
    })
    .optional()
}

/// Checks and stores a setting; returns the value as stored (cleaned).
pub fn set(tx: &Transaction<'_>, key: &str, value: &str) -> Result<String, SettingError> {
    if !KNOWN.iter().any(|(k, _)| *k == key) {
        let keys: Vec<&str> = KNOWN.iter().map(|(k, _)| *k).collect();
        return Err(SettingError::Unknown(text::show(key), keys.join(", ")));
    }
    if text::find_control(value).is_some() {
        return Err(SettingError::Control);
    }
    if key == "escalate_after" && !value.trim().parse::<u32>().is_ok_and(|n| n >= 1) {
        return Err(SettingError::NotACount(text::show(value)));
    }
    let value = text::clean(value);
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        rusqlite::params![key, value],
    )?;
    Ok(value)
}
