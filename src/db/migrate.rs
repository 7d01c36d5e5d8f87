//! Schema creation and upgrades, keyed by `PRAGMA user_version`.
//!
//! `schema.sql` creates a new file at the current version. An older file is
//! brought up by the steps in `UPGRADES`: step i takes version i+1 to i+2.
//! Adding a step means: append it here and change schema.sql to match.

use std::path::Path;

use rusqlite::Connection;

use super::DbError;

pub const SCHEMA: &str = include_str!("../../schema.sql");

/// Upgrade steps from version 1 on. A step that rebuilds a table (SQLite
/// cannot change a CHECK or drop a UNIQUE in place) runs with foreign keys
/// off, as SQLite's own procedure for it says, and checks them before it
/// commits.
const UPGRADES: &[&str] = &[
    // 2: findings streaks cache.
    "CREATE TABLE streak_cache (
        period_id   INTEGER PRIMARY KEY REFERENCES periods(id),
        stamp       TEXT NOT NULL,
        data        BLOB NOT NULL
    ) STRICT;",
    // 3: provincial agencies (co_quan), units that start, end, merge, split
    // and are renamed (valid_from/valid_until, unit_names, unit_lineage;
    // match_key no longer unique), rules per group of units.
    "DROP VIEW value_history;
    CREATE TABLE units_v3 (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('tinh', 'thanh_pho', 'huyen', 'thi_xa', 'quan',
                                                   'xa', 'phuong', 'thi_tran', 'dac_khu', 'co_quan')),
        is_parent   INTEGER NOT NULL DEFAULT 0 CHECK (is_parent IN (0, 1)),
        match_key   TEXT NOT NULL,
        sort_key    BLOB NOT NULL,
        created_at  TEXT NOT NULL,
        valid_from  INTEGER CHECK (valid_from BETWEEN 190001 AND 299912),
        valid_until INTEGER CHECK (valid_until BETWEEN 190001 AND 299912),
        CHECK (name <> '' AND name = trim(name)),
        CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_from < valid_until)
    ) STRICT;
    INSERT INTO units_v3 (id, name, kind, is_parent, match_key, sort_key, created_at)
        SELECT id, name, kind, is_parent, match_key, sort_key, created_at FROM units;
    DROP TABLE units;
    ALTER TABLE units_v3 RENAME TO units;
    CREATE UNIQUE INDEX units_one_parent ON units(is_parent) WHERE is_parent = 1;
    CREATE INDEX units_by_sort ON units(sort_key);
    CREATE INDEX units_by_key ON units(match_key);
    CREATE TABLE unit_changes_v3 (
        id            INTEGER PRIMARY KEY,
        changeset_id  INTEGER NOT NULL REFERENCES changesets(id),
        unit_id       INTEGER NOT NULL REFERENCES units(id),
        action        TEXT NOT NULL CHECK (action IN ('add', 'alias', 'rename', 'kind', 'start',
                                                      'merge', 'split', 'end', 'unlink')),
        old_text      TEXT,
        new_text      TEXT
    ) STRICT;
    INSERT INTO unit_changes_v3 SELECT * FROM unit_changes;
    DROP TABLE unit_changes;
    ALTER TABLE unit_changes_v3 RENAME TO unit_changes;
    CREATE TABLE unit_names (
        unit_id      INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
        until_period INTEGER NOT NULL CHECK (until_period BETWEEN 190001 AND 299912),
        name         TEXT NOT NULL CHECK (name <> '' AND name = trim(name)),
        match_key    TEXT NOT NULL,
        sort_key     BLOB NOT NULL,
        PRIMARY KEY (unit_id, until_period)
    ) STRICT;
    CREATE INDEX unit_names_by_key ON unit_names(match_key);
    CREATE TABLE unit_lineage (
        id           INTEGER PRIMARY KEY,
        from_unit    INTEGER NOT NULL REFERENCES units(id),
        to_unit      INTEGER REFERENCES units(id),
        period_id    INTEGER NOT NULL CHECK (period_id BETWEEN 190001 AND 299912 AND period_id % 100 BETWEEN 1 AND 12),
        scope        TEXT NOT NULL CHECK (scope IN ('whole', 'part')),
        changeset_id INTEGER NOT NULL REFERENCES changesets(id),
        CHECK (to_unit IS NULL OR to_unit <> from_unit)
    ) STRICT;
    CREATE UNIQUE INDEX unit_lineage_edge ON unit_lineage(from_unit, coalesce(to_unit, 0));
    CREATE INDEX unit_lineage_to ON unit_lineage(to_unit);
    ALTER TABLE rules ADD COLUMN unit_group TEXT NOT NULL DEFAULT 'all'
        CHECK (unit_group IN ('all', 'co_quan', 'huyen', 'xa'));
    DELETE FROM streak_cache;
    CREATE VIEW value_history AS
        SELECT c.id, s.at, s.os_user, s.ssh_client, s.source, s.command,
               i.file_name, i.sha256, p.period, c.unit_id, u.name AS unit,
               j.key AS metric, json_extract(c.old, '$.\"' || j.key || '\"') AS old_value,
               j.value AS new_value
        FROM value_changes c
        JOIN changesets s ON s.id = c.changeset_id
        LEFT JOIN imports i ON i.id = c.import_id
        JOIN units u ON u.id = c.unit_id
        JOIN periods p ON p.id = c.period_id,
        json_each(c.new) j;",
    // 4: quarters and years (periods keyed YYYY2n and YYYY00), drop rules
    // that compare with the same period a year before.
    "DROP VIEW metric_values;
    DROP VIEW value_history;
    CREATE TABLE periods_v4 (
        id          INTEGER PRIMARY KEY CHECK (id BETWEEN 190000 AND 299924
                        AND (id % 100 BETWEEN 0 AND 12 OR id % 100 BETWEEN 21 AND 24)),
        period      TEXT NOT NULL UNIQUE CHECK (period = CASE
                        WHEN id % 100 = 0 THEN printf('%04d', id / 100)
                        WHEN id % 100 > 20 THEN printf('%04d-Q%d', id / 100, id % 100 - 20)
                        ELSE printf('%04d-%02d', id / 100, id % 100) END)
    ) STRICT;
    INSERT INTO periods_v4 SELECT id, period FROM periods;
    DROP TABLE periods;
    ALTER TABLE periods_v4 RENAME TO periods;
    ALTER TABLE rules ADD COLUMN compare TEXT NOT NULL DEFAULT 'previous'
        CHECK (compare IN ('previous', 'last_year'));
    DELETE FROM streak_cache;
    CREATE VIEW metric_values AS
        SELECT p.period, v.unit_id, m.id AS metric_id, m.code AS metric, j.value AS value
        FROM unit_values v JOIN periods p ON p.id = v.period_id, json_each(v.vals) j
        JOIN metrics m ON m.code = j.key;
    CREATE VIEW value_history AS
        SELECT c.id, s.at, s.os_user, s.ssh_client, s.source, s.command,
               i.file_name, i.sha256, p.period, c.unit_id, u.name AS unit,
               j.key AS metric, json_extract(c.old, '$.\"' || j.key || '\"') AS old_value,
               j.value AS new_value
        FROM value_changes c
        JOIN changesets s ON s.id = c.changeset_id
        LEFT JOIN imports i ON i.id = c.import_id
        JOIN units u ON u.id = c.unit_id
        JOIN periods p ON p.id = c.period_id,
        json_each(c.new) j;",
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
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    // Off for the table rebuilds (a no-op inside a transaction, so here),
    // checked by foreign_key_check before each commit, on again after.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let result = (|| -> Result<(), DbError> {
        for (i, step) in UPGRADES.iter().enumerate().skip((version - 1) as usize) {
            let to = i as i64 + 2;
            conn.execute_batch("BEGIN IMMEDIATE")?;
            // Another process may have upgraded the file while this one
            // waited for the lock.
            let now: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            if now >= to {
                conn.execute_batch("COMMIT")?;
                continue;
            }
            conn.execute_batch(step)?;
            let broken: i64 =
                conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                    r.get(0)
                })?;
            if broken > 0 {
                conn.execute_batch("ROLLBACK")?;
                return Err(DbError::Broken(path.to_owned(), broken));
            }
            conn.execute_batch(&format!("PRAGMA user_version = {to};\nCOMMIT;"))?;
        }
        Ok(())
    })();
    if result.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    result
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

    /// A file the previous release wrote (`chiso demo`, schema 2) upgrades
    /// in place: every value, alias and audit row is still there, and the
    /// new tables and columns work.
    #[test]
    fn a_version_2_file_upgrades_keeping_everything() {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v2-demo.db");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.db");
        std::fs::copy(&fixture, &path).unwrap();
        let snapshot = |conn: &Connection| -> Vec<String> {
            [
                "SELECT group_concat(period_id || ':' || unit_id || ':' || vals, '|') FROM (SELECT * FROM unit_values ORDER BY 1, 2)",
                "SELECT group_concat(match_key || ':' || alias || ':' || unit_id, '|') FROM unit_aliases",
                "SELECT group_concat(id || ':' || old || ':' || new, '|') FROM value_changes",
                "SELECT group_concat(id || ':' || unit_id || ':' || action || ':' || coalesce(new_text, ''), '|') FROM unit_changes",
                "SELECT group_concat(id || ':' || name || ':' || kind || ':' || is_parent, '|') FROM units",
                "SELECT count(*) || ':' || group_concat(unit, '|') FROM value_history",
                "SELECT group_concat(code || ':' || threshold, '|') FROM rules",
            ]
            .iter()
            .map(|q| conn.query_row(q, [], |r| r.get::<_, String>(0)).unwrap())
            .collect()
        };
        let before = {
            let conn = Connection::open(&path).unwrap();
            let v: i64 = conn
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .unwrap();
            assert_eq!(v, 2, "the fixture is a version 2 file");
            snapshot(&conn)
        };
        let db = crate::db::Db::open(&path).unwrap();
        let conn = db.conn();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        assert_eq!(snapshot(conn), before);
        let fk: i64 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(fk, 0);
        let on: i64 = conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert_eq!(on, 1, "foreign keys are on again after the upgrade");
        // The new shape: an agency kind, open lives, rules for all groups.
        conn.execute(
            "INSERT INTO units (name, kind, match_key, sort_key, created_at, valid_from) VALUES ('Sở Tư pháp', 'co_quan', 'so tu phap', x'00', 'now', 202507)",
            [],
        )
        .unwrap();
        let groups: i64 = conn
            .query_row(
                "SELECT count(*) FROM rules WHERE unit_group = 'all'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(groups, 8);
        // Version 4: quarters and years sit beside the months; the
        // periods' CHECKs still refuse what is none of them.
        conn.execute(
            "INSERT INTO periods (id, period) VALUES (202523, '2025-Q3'), (202500, '2025')",
            [],
        )
        .unwrap();
        for (id, text) in [
            (202525, "2025-Q5"),
            (202513, "2025-13"),
            (202523, "2025-09"),
        ] {
            assert!(
                conn.execute(
                    "INSERT INTO periods (id, period) VALUES (?1, ?2)",
                    rusqlite::params![id + 100, text]
                )
                .is_err(),
                "{id} {text}"
            );
        }
        let compare: String = conn
            .query_row(
                "SELECT compare FROM rules WHERE code = 'digitization_drop'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(compare, "previous");
        drop(db);
        // Opening again changes nothing more.
        let db = crate::db::Db::open(&path).unwrap();
        assert_eq!(snapshot(db.conn()).len(), before.len());
    }

    /// A file someone broke by hand (a row pointing at a deleted unit) is
    /// said to be broken, and left as it was.
    #[test]
    fn a_broken_version_2_file_is_named_and_kept() {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v2-demo.db");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.db");
        std::fs::copy(&fixture, &path).unwrap();
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
            conn.execute(
                "INSERT INTO unit_aliases (match_key, alias, unit_id, created_at) VALUES ('x', 'X', 9999, 'now')",
                [],
            )
            .unwrap();
        }
        let err = crate::db::Db::open(&path).err().expect("refused");
        assert!(matches!(err, DbError::Broken(_, 1)), "{err}");
        assert!(err.to_string().contains("khoá ngoại hỏng"), "{err}");
        let conn = Connection::open(&path).unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, 2);
        let units: i64 = conn
            .query_row("SELECT count(*) FROM units", [], |r| r.get(0))
            .unwrap();
        assert_eq!(units, 26);
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
