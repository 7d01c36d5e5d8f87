//! Schema creation and upgrades, keyed by `PRAGMA user_version`.
//!
//! `schema.sql` creates a new file at the current version. An older file is
//! brought up by the steps in `UPGRADES`: step i takes version i+1 to i+2.
//! Adding a step means: append it here and change schema.sql to match.

use std::path::Path;

use rusqlite::Connection;

use super::DbError;

pub const SCHEMA: &str = include_str!("../../schema.sql");

/// Upgrade steps from version 1 on.
const UPGRADES: &[&str] = &[
    // 2: findings streaks cache.
    "CREATE TABLE streak_cache (
        period_id   INTEGER PRIMARY KEY REFERENCES periods(id),
        stamp       TEXT NOT NULL,
        data        BLOB NOT NULL
    ) STRICT;",
];

pub const SCHEMA_VERSION: i64 = 1 + UPGRADES.len() as i64;

pub fn create(conn: &Connection) -> Result<(), DbError> {
    conn.execute_batch(&format!(
        "BEGIN;\n{SCHEMA}\nPRAGMA user_version = {SCHEMA_VERSION};\nCOMMIT;"
    ))?;
    Ok(())
}

pub fn upgrade(conn: &Connection, path: &Path) -> Result<(), DbError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let has_units: bool = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'units'",
        [],
        |r| r.get::<_, i64>(0).map(|n| n > 0),
    )?;
    if version < 1 || !has_units {
        return Err(DbError::NotChiso(path.to_owned(), version));
    }
    if version > SCHEMA_VERSION {
        return Err(DbError::TooNew(path.to_owned(), version, SCHEMA_VERSION));
    }
    for (i, step) in UPGRADES.iter().enumerate().skip((version - 1) as usize) {
        let to = i as i64 + 2;
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE;\n{step}\nPRAGMA user_version = {to};\nCOMMIT;"
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_creates_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let conn = Connection::open(&path).unwrap();
        create(&conn).unwrap();
        upgrade(&conn, &path).unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        let n: i64 = conn
            .query_row("SELECT count(*) FROM metrics", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 13);
    }

    #[test]
    fn version_1_gains_the_streak_cache() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        let conn = Connection::open(&path).unwrap();
        create(&conn).unwrap();
        conn.execute_batch("DROP TABLE streak_cache; PRAGMA user_version = 1;")
            .unwrap();
        upgrade(&conn, &path).unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, 2);
        let n: i64 = conn
            .query_row("SELECT count(*) FROM streak_cache", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
    }

    #[test]
    fn foreign_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE x (a)").unwrap();
        assert!(matches!(upgrade(&conn, &path), Err(DbError::NotChiso(..))));
    }
}
