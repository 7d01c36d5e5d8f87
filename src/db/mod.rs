//! The SQLite store: opening, schema, and the queries each topic needs.
//!
//! Every command that writes runs in one transaction (`Db::write`), so a
//! failed command leaves the file exactly as it was.

pub mod audit;
pub mod errors;
pub mod lineage;
pub mod local_time;
mod migrate;
pub mod settings;
pub mod units;
pub mod values;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, Transaction};

use crate::model::{Metric, MetricKind, Period};

pub use errors::SqliteProblem;
pub use migrate::SCHEMA_VERSION;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "không có cơ sở dữ liệu tại {0}\n  gợi ý: tạo mới bằng `chiso init --parent \"Huyện …\"` hoặc chỉ đúng tệp bằng --db / CHISO_DB"
    )]
    Missing(PathBuf),
    #[error(
        "{0} là tệp rỗng (0 byte), chưa phải cơ sở dữ liệu (có thể một lệnh init đã bị ngắt)\n  gợi ý: tạo bằng `chiso init --parent \"Huyện …\"` (init dùng được ngay trên tệp rỗng) hoặc chỉ đúng tệp bằng --db / CHISO_DB"
    )]
    Empty(PathBuf),
    #[error(
        "không đọc được {0} ở chế độ chỉ đọc: tệp có thay đổi chưa gộp trong {0}-wal mà thư mục không cho tạo tệp {0}-shm để đọc chúng\n  gợi ý: nhờ người có quyền ghi thư mục mở chiso một lần (để gộp thay đổi), hoặc sao chép cả {0} và {0}-wal sang thư mục của bạn rồi mở bản sao"
    )]
    WalUnreadable(PathBuf),
    #[error(
        "{} là một thư mục, không phải tệp cơ sở dữ liệu\n  gợi ý: chỉ tới một tệp trong thư mục đó, ví dụ --db {}",
        .0.display(),
        .0.join("chiso.db").display()
    )]
    IsDir(PathBuf),
    #[error("đã có cơ sở dữ liệu tại {0}; không ghi đè\n  gợi ý: chọn đường dẫn khác bằng --db")]
    Exists(PathBuf),
    #[error("{0} không phải cơ sở dữ liệu chiso (thiếu bảng hoặc phiên bản lược đồ {1})")]
    NotChiso(PathBuf, i64),
    #[error(
        "{0} được tạo bởi phiên bản chiso mới hơn (lược đồ {1}, bản này hiểu đến {2})\n  gợi ý: cập nhật chiso"
    )]
    TooNew(PathBuf, i64, i64),
    #[error(
        "{0} là tệp của phiên bản chiso cũ (lược đồ {1}) và chỉ cho đọc: cần ghi một lần để nâng cấp lên lược đồ {2}\n  gợi ý: mở tệp một lần bằng tài khoản có quyền ghi tệp và thư mục, hoặc chép tệp sang thư mục của bạn và dùng --db"
    )]
    ReadOnlyOld(PathBuf, i64, i64),
    #[error(
        "không nâng cấp được {0}: {1} dòng trỏ tới dữ liệu không còn (khoá ngoại hỏng, có thể do sửa tay bằng sqlite3); tệp giữ nguyên\n  gợi ý: xem `sqlite3 TỆP \"PRAGMA foreign_key_check\"`, khôi phục bản sao lưu, hoặc dùng phiên bản chiso cũ để xuất số liệu"
    )]
    Broken(PathBuf, i64),
    #[error(transparent)]
    Problem(#[from] SqliteProblem),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

impl DbError {
    /// A SQLite failure on `path` said in Vietnamese (see `errors`).
    fn on(self, path: &Path) -> DbError {
        match self {
            DbError::Sqlite(e) => {
                match errors::sqlite_code(&e).and_then(|c| errors::problem(path, c)) {
                    Some(p) => DbError::Problem(p),
                    None => DbError::Sqlite(e),
                }
            }
            other => other,
        }
    }
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

/// How long a helper's read waits on the file (a reader waits only while
/// a crashed writer's journal is recovered). Writers wait `wait_limit()`.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a write waits for another process's write to finish: 2
/// minutes, or `CHISO_BUSY_WAIT_MS` milliseconds (for tests, and for an
/// office whose imports take longer).
pub fn wait_limit() -> Duration {
    static LIMIT: std::sync::OnceLock<Duration> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(|| {
        std::env::var("CHISO_BUSY_WAIT_MS")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map_or(Duration::from_secs(120), Duration::from_millis)
    })
}

/// A wait longer than this is said on stderr (once per process).
const ANNOUNCE_AFTER: Duration = Duration::from_secs(1);
static ANNOUNCED: AtomicBool = AtomicBool::new(false);

/// How a connection waits when another process holds the write lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Up to `wait_limit()`, saying once on stderr that it waits: the
    /// command line.
    Announced,
    /// At most this long and silently; the caller tries again later (the
    /// TUI, whose screen must keep answering).
    Brief(Duration),
}

/// SQLite's busy handler: sleeps as its own busy timeout does (short
/// steps first), up to `limit`.
fn waiter(
    path: PathBuf,
    limit: Duration,
    announce: bool,
) -> impl FnMut(i32) -> bool + Send + 'static {
    const STEPS_MS: [u64; 12] = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];
    let mut start = Instant::now();
    move |count| {
        if count == 0 {
            start = Instant::now();
        }
        let waited = start.elapsed();
        if waited >= limit {
            return false;
        }
        if announce && waited >= ANNOUNCE_AFTER && !ANNOUNCED.swap(true, Ordering::Relaxed) {
            eprintln!(
                "chiso: đang chờ một lệnh ghi khác trên {} xong (chờ tối đa {})…",
                path.display(),
                errors::duration_vi(limit)
            );
        }
        let step = STEPS_MS[(count.max(0) as usize).min(STEPS_MS.len() - 1)];
        std::thread::sleep(Duration::from_millis(step).min(limit - waited));
        true
    }
}

/// What is at a database path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Nothing,
    /// A 0-byte file (with no write-ahead log holding data): what a
    /// killed `init` of an older chiso left. Treated as nothing.
    Empty,
    Dir,
    File,
}

fn look(path: &Path) -> Found {
    match std::fs::metadata(path) {
        Err(_) => Found::Nothing,
        Ok(m) if m.is_dir() => Found::Dir,
        Ok(m) if m.len() == 0 => {
            let wal = std::fs::metadata(sibling(path, "-wal")).map_or(0, |m| m.len());
            if wal == 0 { Found::Empty } else { Found::File }
        }
        Ok(_) => Found::File,
    }
}

/// SQLite's answer when the file or its folder is not writable.
fn unwritable(e: &rusqlite::Error) -> bool {
    use rusqlite::ffi::ErrorCode as C;
    errors::sqlite_code(e)
        .is_some_and(|c| matches!(c.code, C::ReadOnly | C::CannotOpen | C::PermissionDenied))
}

/// Removes what a killed creation of `path` left: `.NAME.PID.tmp` (and
/// its -wal, -shm, -journal) of a process that no longer runs. Only where
/// /proc tells which do (Linux); elsewhere they stay, hidden and harmless.
fn remove_abandoned(path: &Path, name: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    for e in entries.flatten() {
        let file = e.file_name();
        let Some(rest) = file.to_str().and_then(|f| f.strip_prefix(&prefix)) else {
            continue;
        };
        let Some((pid, tail)) = rest.split_once(".tmp") else {
            continue;
        };
        let dead = pid.parse::<u32>().is_ok_and(|pid| {
            pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists()
        });
        if dead && FILES.contains(&tail) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Runs `read` in one read transaction (one consistent view of the file),
/// unless the caller is already in one.
pub fn in_one_read<T, E: From<rusqlite::Error>>(
    conn: &Connection,
    read: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    let own_tx = conn.is_autocommit();
    if own_tx {
        conn.execute_batch("BEGIN")?;
    }
    let result = read();
    if own_tx && conn.execute_batch("COMMIT").is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    result
}

/// A database's file and its companions, as suffixes of its name.
pub(crate) const FILES: [&str; 4] = ["", "-wal", "-shm", "-journal"];

/// `path` with `suffix` appended to its file name ("x.db" → "x.db-wal").
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// `file:` URI of a path, for SQLite's `immutable` parameter.
fn file_uri(path: &Path, query: &str) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut uri = String::from("file:");
    for b in abs.as_os_str().as_encoded_bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                uri.push(*b as char)
            }
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri.push('?');
    uri.push_str(query);
    uri
}

/// Moves a finished database from `tmp` to `path` without ever replacing
/// a database that appeared there meanwhile (a link fails if the name is
/// taken); an empty file there is replaced.
fn place(tmp: &Path, path: &Path) -> Result<(), DbError> {
    let io = |e: std::io::Error| {
        DbError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
            Some(e.to_string()),
        ))
        .on(path)
    };
    match std::fs::hard_link(tmp, path) {
        Ok(()) => std::fs::remove_file(tmp).map_err(io)?,
        Err(_) => match look(path) {
            Found::File => return Err(DbError::Exists(path.to_owned())),
            Found::Dir => return Err(DbError::IsDir(path.to_owned())),
            // Empty, or a file system without hard links.
            Found::Empty | Found::Nothing => std::fs::rename(tmp, path).map_err(io)?,
        },
    }
    // The new name on disk too (best effort: not every system syncs a folder).
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

pub struct Db {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
    /// Opened `immutable`: SQLite neither locks nor looks for changes.
    immutable: bool,
}

impl Db {
    /// Opens an existing chiso database; never creates one. A file this
    /// user may not write (or in a folder they may not write) opens read
    /// only: reading commands work, writes are refused with a message.
    pub fn open(path: &Path) -> Result<Db, DbError> {
        match look(path) {
            Found::Nothing => return Err(DbError::Missing(path.to_owned())),
            Found::Empty => return Err(DbError::Empty(path.to_owned())),
            Found::Dir => return Err(DbError::IsDir(path.to_owned())),
            Found::File => {}
        }
        let db = Db::open_any(path).map_err(|e| e.on(path))?;
        if db.read_only {
            let version: i64 = db
                .conn
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .map_err(|e| DbError::from(e).on(path))?;
            if (1..SCHEMA_VERSION).contains(&version) {
                return Err(DbError::ReadOnlyOld(
                    path.to_owned(),
                    version,
                    SCHEMA_VERSION,
                ));
            }
        }
        migrate::upgrade(&db.conn, path).map_err(|e| e.on(path))?;
        Ok(db)
    }

    /// Read-write if SQLite can; else read-only, and if even the
    /// write-ahead log's index (`-shm`) cannot be made beside the file,
    /// `immutable` (no locks, nothing written anywhere).
    fn open_any(path: &Path) -> Result<Db, DbError> {
        let first = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(DbError::from)
        .and_then(|conn| Db::configure(conn, path, false));
        let db = match first {
            Ok(mut db) => {
                // SQLite falls back to reading a file it may not write.
                db.read_only = db.conn.is_readonly(rusqlite::MAIN_DB)?;
                db
            }
            Err(e) if Db::unwritable(&e) => Db::configure(
                Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?,
                path,
                true,
            )?,
            Err(e) => return Err(e),
        };
        // The first read opens the write-ahead log: it fails when its
        // files cannot be made in a folder we may not write.
        let read = db
            .conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            });
        match read {
            Ok(_) => Ok(db),
            Err(e) if unwritable(&e) => {
                drop(db);
                // Immutable reads skip the write-ahead log: only safe when
                // there is none, i.e. nothing committed waits in it.
                let wal = PathBuf::from(format!("{}-wal", path.display()));
                if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
                    return Err(DbError::WalUnreadable(path.to_owned()));
                }
                let conn = Connection::open_with_flags(
                    file_uri(path, "immutable=1"),
                    OpenFlags::SQLITE_OPEN_READ_ONLY
                        | OpenFlags::SQLITE_OPEN_URI
                        | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                let mut db = Db::configure(conn, path, true)?;
                db.immutable = true;
                Ok(db)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A failure that says the file or its folder is not writable.
    fn unwritable(e: &DbError) -> bool {
        matches!(e, DbError::Sqlite(e) if unwritable(e))
    }

    /// Creates a new database file with the schema; refuses to overwrite.
    pub fn create(path: &Path) -> Result<Db, DbError> {
        Db::create_with(path, |_| Ok::<(), DbError>(()))
    }

    /// Creates a new database file with the schema and whatever `fill`
    /// writes, under a temporary name in the same folder, then moves it
    /// into place: a file at `path` is always complete, and a failed or
    /// killed creation leaves nothing there. Refuses to overwrite a
    /// database; an empty (0-byte) file at `path` counts as none.
    pub fn create_with<E: From<DbError>>(
        path: &Path,
        fill: impl FnOnce(&mut Db) -> Result<(), E>,
    ) -> Result<Db, E> {
        match look(path) {
            Found::File => return Err(DbError::Exists(path.to_owned()).into()),
            Found::Dir => return Err(DbError::IsDir(path.to_owned()).into()),
            Found::Nothing | Found::Empty => {}
        }
        let name = path
            .file_name()
            .map_or_else(|| "chiso.db".into(), |n| n.to_string_lossy());
        let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        remove_abandoned(path, &name);
        let remove_tmp = || {
            for suffix in FILES {
                let _ = std::fs::remove_file(sibling(&tmp, suffix));
            }
        };
        remove_tmp();
        let built = (|| -> Result<(), E> {
            let mut db = Db::create_at(&tmp).map_err(|e| e.on(path))?;
            fill(&mut db)?;
            // Closing the last connection folds the write-ahead log into
            // the file and removes it: the file alone is the database.
            db.conn
                .close()
                .map_err(|(_, e)| DbError::from(e).on(path))?;
            place(&tmp, path)?;
            Ok(())
        })();
        if let Err(e) = built {
            remove_tmp();
            return Err(e);
        }
        Ok(Db::open(path)?)
    }

    fn create_at(path: &Path) -> Result<Db, DbError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // WAL is stored in the file: every later opener gets it.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        let db = Db::configure(conn, path, false)?;
        migrate::create(&db.conn)?;
        Ok(db)
    }

    fn configure(mut conn: Connection, path: &Path, read_only: bool) -> Result<Db, DbError> {
        // Two operators on one file: wait for the other's write, don't fail.
        conn.busy_handler(Some(waiter(path.to_owned(), wait_limit(), true)))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        if !read_only {
            conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        // Reads through the page cache of the OS instead of a read() per page.
        conn.pragma_update(None, "mmap_size", 256 * 1024 * 1024)?;
        conn.create_collation("vi", crate::text::compare_vi)?;
        Ok(Db {
            conn,
            path: path.to_owned(),
            read_only,
            immutable: false,
        })
    }

    /// How this connection waits for another process's write (the
    /// command line's way unless changed).
    pub fn set_wait(&mut self, wait: Wait) -> rusqlite::Result<()> {
        let handler = match wait {
            Wait::Announced => waiter(self.path.clone(), wait_limit(), true),
            Wait::Brief(d) => waiter(self.path.clone(), d, false),
        };
        self.conn.busy_handler(Some(handler))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opened read-only: the file or its folder is not writable.
    pub fn read_only(&self) -> bool {
        self.read_only
    }

    /// Opened `immutable` and another program has since written beside it
    /// (a write-ahead log appeared): what this connection reads is stale.
    pub fn stale(&self) -> bool {
        self.immutable
            && std::fs::metadata(format!("{}-wal", self.path.display())).is_ok_and(|m| m.len() > 0)
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one write transaction; commits only if it returns Ok.
    /// IMMEDIATE takes the write lock up front, so a concurrent writer waits
    /// (`Wait`) instead of failing half-way.
    pub fn write<T, E>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        self.transaction(f, true)
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
        self.transaction(f, false)
    }

    fn transaction<T, E>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
        commit: bool,
    ) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        if self.read_only {
            return Err(errors::read_only_error().into());
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        if commit {
            tx.commit()?;
        }
        Ok(out)
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
    fn any_path_opens_through_its_uri() {
        // The read-only fallback opens `file:…?immutable=1`: spaces,
        // accents, `?`, `#` and `%` in a folder name must survive it.
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("Số liệu chung #1? 100%");
        std::fs::create_dir(&folder).unwrap();
        let path = folder.join("chiso.db");
        drop(Db::create(&path).unwrap());
        let conn = Connection::open_with_flags(
            file_uri(&path, "immutable=1"),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
        )
        .unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
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
