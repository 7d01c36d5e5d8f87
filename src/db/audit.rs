//! The change log read back: who changed which value, when, from where and
//! how (`value_history` in schema.sql). `chiso log` and the TUI's `L` show it.

use rusqlite::Connection;
use rusqlite::types::ValueRef;

use crate::model::{Period, Value};

/// One changed value.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub at: String,
    pub user: String,
    /// The SSH client address, when the change came over SSH.
    pub ssh_client: Option<String>,
    /// import, set, edit, paste, undo, …
    pub source: String,
    pub command: String,
    pub file: Option<String>,
    pub sha256: Option<String>,
    pub period: String,
    pub unit: String,
    /// Empty for a change to the unit itself.
    pub metric: String,
    /// A change to the unit itself: add, alias, rename, kind, or its
    /// lineage: start, merge, split, end, unlink.
    pub unit_change: Option<String>,
    /// None: there was no value / the value was removed.
    pub old: Option<Value>,
    pub new: Option<Value>,
}

impl Entry {
    /// "vanthu@10.1.2.3": the user, and the SSH client when there was one.
    pub fn who(&self) -> String {
        match &self.ssh_client {
            Some(ip) => format!("{}@{ip}", self.user),
            None => self.user.clone(),
        }
    }

    /// "nhập tệp thang-8.xlsx", "sửa": the source in words, and the file
    /// if any.
    pub fn how(&self) -> String {
        let source = crate::names::source_label_vi(&self.source);
        match &self.file {
            Some(f) => format!("{source} {f}"),
            None => source.to_owned(),
        }
    }
}

/// What to show; every field narrows.
#[derive(Debug, Default, Clone, Copy)]
pub struct Query<'a> {
    pub period: Option<Period>,
    pub unit_id: Option<i64>,
    pub metric: Option<&'a str>,
}

fn value(v: ValueRef<'_>) -> Option<Value> {
    match v {
        ValueRef::Integer(i) => Some(Value::Num(i as f64)),
        ValueRef::Real(x) => Some(Value::Num(x)),
        ValueRef::Text(t) => Some(Value::Label(String::from_utf8_lossy(t).into_owned())),
        ValueRef::Null | ValueRef::Blob(_) => None,
    }
}

/// The changes `q` selects, oldest first: values, and (unless a month or
/// a metric narrows the query) the units' own changes, an added unit, an
/// alias or a rename, with the metric column saying which.
pub fn history(conn: &Connection, q: Query<'_>) -> rusqlite::Result<Vec<Entry>> {
    let values = value_history(conn, q)?;
    if q.period.is_some() || q.metric.is_some() {
        return Ok(values);
    }
    // Both are in time order; the stable sort keeps each one's order and,
    // within a second, puts a unit's creation or alias before its values.
    let mut out = unit_history(conn, q.unit_id)?;
    out.extend(values);
    out.sort_by(|a, b| a.at.cmp(&b.at));
    Ok(out)
}

fn unit_history(conn: &Connection, unit_id: Option<i64>) -> rusqlite::Result<Vec<Entry>> {
    let mut st = conn.prepare_cached(
        "SELECT s.at, s.os_user, s.ssh_client, s.source, s.command, u.name, c.action,
                c.old_text, c.new_text
         FROM unit_changes c JOIN changesets s ON s.id = c.changeset_id
         JOIN units u ON u.id = c.unit_id
         WHERE (?1 IS NULL OR c.unit_id = ?1)
         ORDER BY c.id",
    )?;
    let rows = st.query_map([unit_id], |r| {
        let action: String = r.get(6)?;
        let text = |i: usize| -> rusqlite::Result<Option<Value>> {
            Ok(r.get::<_, Option<String>>(i)?.map(Value::Label))
        };
        Ok(Entry {
            at: r.get(0)?,
            user: r.get(1)?,
            ssh_client: r.get(2)?,
            source: r.get(3)?,
            command: r.get(4)?,
            file: None,
            sha256: None,
            period: String::new(),
            unit: r.get(5)?,
            metric: String::new(),
            unit_change: Some(action),
            old: text(7)?,
            new: text(8)?,
        })
    })?;
    rows.collect()
}

fn value_history(conn: &Connection, q: Query<'_>) -> rusqlite::Result<Vec<Entry>> {
    let mut st = conn.prepare_cached(
        "SELECT at, os_user, ssh_client, source, command, file_name, sha256, period, unit,
                metric, old_value, new_value
         FROM value_history
         WHERE (?1 IS NULL OR period = ?1) AND (?2 IS NULL OR unit_id = ?2)
           AND (?3 IS NULL OR metric = ?3)
         ORDER BY id, metric",
    )?;
    let rows = st.query_map(
        rusqlite::params![q.period.map(|p| p.to_string()), q.unit_id, q.metric],
        |r| {
            Ok(Entry {
                at: r.get(0)?,
                user: r.get(1)?,
                ssh_client: r.get(2)?,
                source: r.get(3)?,
                command: r.get(4)?,
                file: r.get(5)?,
                sha256: r.get(6)?,
                period: r.get(7)?,
                unit: r.get(8)?,
                metric: r.get(9)?,
                unit_change: None,
                old: value(r.get_ref(10)?),
                new: value(r.get_ref(11)?),
            })
        },
    )?;
    rows.collect()
}

/// How the log prints a change to a unit itself.
pub fn unit_change_vi(action: &str) -> &'static str {
    match action {
        "add" => "(thêm đơn vị)",
        "alias" => "(bí danh)",
        "rename" => "(đổi tên)",
        "start" => "(thành lập từ tháng)",
        "merge" => "(sáp nhập)",
        "split" => "(chia tách)",
        "end" => "(không còn)",
        "unlink" => "(gỡ sắp xếp)",
        _ => "(loại đơn vị)",
    }
}
