//! The SQLite store: opening, schema, and the queries each topic needs.
//!
//! Every command that writes runs in one transaction (`Db::write`), so a
//! failed command leaves the file exactly as it was.

pub mod audit;
pub mod lineage;
mod migrate;
pub mod settings;
pub mod units;
pub mod values;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction};

use crate::model::{Metric, MetricKind, Period};

pub use migrate::SCHEMA_VERSION;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "không có cơ sở dữ liệu tại {0}\n  gợi ý: tạo mới bằng `chiso init --parent \"Huyện …\"` hoặc chỉ đúng tệp bằng --db / CHISO_DB"
    )]
    Missing(PathBuf),
    #[error("đã có cơ sở dữ liệu tại {0}; không ghi đè\n  gợi ý: chọn đường dẫn khác bằng --db")]
    Exists(PathBuf),
    #[error("{0} không phải cơ sở dữ liệu chiso (thiếu bảng hoặc phiên bản lược đồ {1})")]
    NotChiso(PathBuf, i64),
    #[error(
        "{0} được tạo bởi phiên bản chiso mới hơn (lược đồ {1}, bản này hiểu đến {2})\n  gợi ý: cập nhật chiso"
    )]
    TooNew(PathBuf, i64, i64),
    #[error(
        "không nâng cấp được {0}: {1} dòng trỏ tới dữ liệu không còn (khoá ngoại hỏng, có thể do sửa tay bằng sqlite3); tệp giữ nguyên\n  gợi ý: xem `sqlite3 TỆP \"PRAGMA foreign_key_check\"`, khôi phục bản sao lưu, hoặc dùng phiên bản chiso cũ để xuất số liệu"
    )]
    Broken(PathBuf, i64),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// Who and how, recorded with every write.
#[derive(Debug, Clone)]
pub struct Actor {
    pub os_user: String,
    pub ssh_client: Option<String>,
}

impl Actor {
    /// The operating-system user and, over SSH, the client address.
    pub fn from_env() -> Actor {
        let os_user = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "unknown".into());
        let ssh_client = std::env::var("SSH_CONNECTION")
            .ok()
            .and_then(|s| s.split_whitespace().next().map(str::to_owned));
        Actor {
            os_user,
            ssh_client,
        }
    }
}

/// How long a write waits for another process's write to finish.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Db {
    conn: Connection,
    path: PathBuf,
}

impl Db {
    /// Opens an existing chiso database; never creates one.
    pub fn open(path: &Path) -> Result<Db, DbError> {
        if !path.is_file() {
            return Err(DbError::Missing(path.to_owned()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let db = Db::configure(conn, path)?;
        migrate::upgrade(&db.conn, path)?;
        Ok(db)
    }

    /// Creates a new database file with the schema; refuses to overwrite.
    pub fn create(path: &Path) -> Result<Db, DbError> {
        if path.exists() {
            return Err(DbError::Exists(path.to_owned()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // WAL is stored in the file: every later opener gets it.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        let db = Db::configure(conn, path)?;
        migrate::create(&db.conn)?;
        Ok(db)
    }

    fn configure(conn: Connection, path: &Path) -> Result<Db, DbError> {
        // Two operators on one file: wait for the other's write, don't fail.
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Reads through the page cache of the OS instead of a read() per page.
        conn.pragma_update(None, "mmap_size", 256 * 1024 * 1024)?;
        conn.create_collation("vi", crate::text::compare_vi)?;
        Ok(Db {
            conn,
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one write transaction; commits only if it returns Ok.
    /// IMMEDIATE takes the write lock up front, so a concurrent writer waits
    /// on the busy timeout instead of failing half-way.
    pub fn write<T, E>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` in a write transaction and rolls it back: what a command
    /// would do (`--dry-run`), with the checks it would meet.
    pub fn dry_run<T, E>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        f(&tx)
    }

    pub fn metrics(&self) -> rusqlite::Result<Vec<Metric>> {
        load_metrics(&self.conn)
    }
}

/// The metric catalog with a lookup by code.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub metrics: Vec<Metric>,
    by_code: rustc_hash::FxHashMap<String, usize>,
}

impl Catalog {
    pub fn load(conn: &Connection) -> rusqlite::Result<Catalog> {
        let metrics = load_metrics(conn)?;
        let by_code = metrics
            .iter()
            .enumerate()
            .map(|(i, m)| (m.code.clone(), i))
            .collect();
        Ok(Catalog { metrics, by_code })
    }

    pub fn index_of(&self, code: &str) -> Option<usize> {
        self.by_code.get(code).copied()
    }

    /// `index_of` for a stored row's key, trying catalog index `from`
    /// first: chiso writes a row's codes in catalog order, so the next key
    /// is nearly always the one after the last.
    pub fn index_from(&self, key: &[u8], from: usize) -> Option<usize> {
        let n = self.metrics.len();
        (0..n)
            .map(|i| (from + i) % n)
            .find(|&i| self.metrics[i].code.as_bytes() == key)
    }
}

pub fn load_metrics(conn: &Connection) -> rusqlite::Result<Vec<Metric>> {
    let mut st = conn.prepare_cached(
        "SELECT id, code, label, kind, min_value, max_value, labels FROM metrics ORDER BY sort_order, id",
    )?;
    st.query_map([], |r| {
        let kind: String = r.get(3)?;
        let labels: Option<String> = r.get(6)?;
        Ok(Metric {
            id: r.get(0)?,
            code: r.get(1)?,
            label: r.get(2)?,
            kind: MetricKind::parse(&kind).unwrap_or(MetricKind::Points),
            min: r.get(4)?,
            max: r.get(5)?,
            labels: labels
                .map(|l| l.split('|').map(str::to_owned).collect())
                .unwrap_or_default(),
        })
    })?
    .collect()
}

/// Extra header spellings per metric id, from `metric_headers`.
pub fn load_metric_headers(conn: &Connection) -> rusqlite::Result<Vec<(String, i64)>> {
    let mut st = conn.prepare_cached("SELECT header, metric_id FROM metric_headers")?;
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect()
}

/// The parent unit's name ("Huyện Khoái Châu").
pub fn parent_name(conn: &Connection) -> rusqlite::Result<Option<String>> {
    use rusqlite::OptionalExtension;
    conn.query_row("SELECT name FROM units WHERE is_parent = 1", [], |r| {
        r.get(0)
    })
    .optional()
}

/// `PRAGMA data_version`: changes when another connection commits to the
/// file (not for this connection's own writes). Outside a transaction it
/// counts every commit up to now; inside one, after its first read, it is
/// that read's view of the file.
pub fn data_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "data_version", |r| r.get(0))
}

/// Opens a changeset row: every write command has exactly one.
pub fn begin_changeset(
    tx: &Transaction<'_>,
    actor: &Actor,
    source: &str,
    command: &str,
) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO changesets (at, os_user, ssh_client, source, command) VALUES (?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![now(), actor.os_user, actor.ssh_client, source, command],
    )?;
    Ok(tx.last_insert_rowid())
}

/// One imported file, as `imports` records it: name, checksum, format,
/// rows read and values new, changed and unchanged.
pub struct ImportedFile<'a> {
    pub name: &'a str,
    pub sha256: &'a str,
    pub format: &'a str,
    pub rows: usize,
    pub counts: (usize, usize, usize),
}

/// Records an imported file under changeset `cs`; returns its id (the
/// `value_changes` it brought refer to it).
pub fn record_import(
    tx: &Transaction<'_>,
    cs: i64,
    write: PeriodWrite,
    f: &ImportedFile<'_>,
) -> rusqlite::Result<i64> {
    let (new, changed, unchanged) = f.counts;
    tx.prepare_cached(
        "INSERT INTO imports (changeset_id, file_name, sha256, format, period, rows, values_new, values_changed, values_unchanged)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(rusqlite::params![
        cs,
        f.name,
        f.sha256,
        f.format,
        write.period().to_string(),
        f.rows as i64,
        new as i64,
        changed as i64,
        unchanged as i64
    ])?;
    Ok(tx.last_insert_rowid())
}

pub fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Permission to write one month's values, from `begin_period_write`.
/// `values::put` asks for it, so no write can skip what that does.
#[derive(Debug, Clone, Copy)]
pub struct PeriodWrite(Period);

impl PeriodWrite {
    pub fn period(self) -> Period {
        self.0
    }
}

/// Makes sure the month exists in `periods` and drops the findings streaks
/// cached for it and every later month: they count months up to this one.
pub fn begin_period_write(tx: &Connection, period: Period) -> rusqlite::Result<PeriodWrite> {
    tx.prepare_cached("INSERT OR IGNORE INTO periods (id, period) VALUES (?1, ?2)")?
        .execute(rusqlite::params![period.key(), period.to_string()])?;
    tx.prepare_cached("DELETE FROM streak_cache WHERE period_id >= ?1")?
        .execute([period.key()])?;
    Ok(PeriodWrite(period))
}

/// Months that hold at least one value, oldest first.
pub fn periods_with_data(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare_cached(
        "SELECT p.period FROM periods p WHERE EXISTS (SELECT 1 FROM unit_values v WHERE v.period_id = p.id) ORDER BY p.id",
    )?;
    st.query_map([], |r| r.get(0))?.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_collation_and_sort_key_agree_with_rust() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::create(&dir.path().join("c.db")).unwrap();
        let names = [
            "Ông Đình",
            "Ăn",
            "Anh",
            "Ân",
            "Ơn",
            "Ôn",
            "Ong",
            "Ưa",
            "Uy",
            "Đa",
            "Dz",
            "mà",
            "ma",
            "mã",
            "mả",
            "Đồng Tiến",
            "Đông Tiến",
            "Dông",
            "Việt Hoà",
        ];
        db.conn()
            .execute_batch("CREATE TEMP TABLE n (name TEXT, k BLOB)")
            .unwrap();
        for n in names {
            db.conn()
                .execute(
                    "INSERT INTO n VALUES (?1, ?2)",
                    rusqlite::params![n, crate::text::collation_key(n)],
                )
                .unwrap();
        }
        let by = |sql: &str| -> Vec<String> {
            let mut st = db.conn().prepare(sql).unwrap();
            st.query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let mut rust: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        rust.sort_by(|a, b| crate::text::compare_vi(a, b));
        assert_eq!(by("SELECT name FROM n ORDER BY name COLLATE vi"), rust);
        assert_eq!(by("SELECT name FROM n ORDER BY k"), rust);
        let pos = |n: &str| rust.iter().position(|x| x == n).unwrap();
        for (a, b) in [
            ("Anh", "Ăn"),
            ("Ăn", "Ân"),
            ("Ong", "Ôn"),
            ("Ôn", "Ơn"),
            ("Uy", "Ưa"),
            ("Dz", "Đa"),
            ("ma", "mà"),
            ("mả", "mã"),
        ] {
            assert!(pos(a) < pos(b), "{a} < {b}: {rust:?}");
        }
    }

    #[test]
    fn open_never_creates_and_writes_are_atomic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        assert!(matches!(Db::open(&path), Err(DbError::Missing(_))));
        assert!(!path.exists());
        let mut db = Db::create(&path).unwrap();
        assert!(matches!(Db::create(&path), Err(DbError::Exists(_))));
        let mode: String = db
            .conn()
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let r: Result<(), rusqlite::Error> = db.write(|tx| {
            begin_period_write(tx, Period::parse("2024-08").unwrap())?;
            tx.execute("INSERT INTO periods VALUES (202408, 'bad')", [])?;
            Ok(())
        });
        assert!(r.is_err());
        let n: i64 = db
            .conn()
            .query_row("SELECT count(*) FROM periods", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0, "the first insert was rolled back with the failed one");
    }
}
