//! Monthly values: one row per (period, unit) holding a JSON object keyed by
//! metric code. This module is the only place that reads or writes it.

use rustc_hash::FxHashMap as HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::{Catalog, PeriodWrite};
use crate::model::{Metric, MetricKind, Period, Unit, UnitKind, Value};

/// A unit's values in one month, indexed like `Catalog::metrics`.
pub type Row = Vec<Option<Value>>;

/// The rows of many units in one month, held in one buffer: a national
/// month is 10,000 rows, and one allocation each cost more to make and
/// free than reading them.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    /// Cells per row (the catalog's length).
    width: usize,
    /// Unit id → where its row starts in `cells`, over `width`.
    slots: HashMap<i64, u32>,
    cells: Vec<Option<Value>>,
}

impl Rows {
    pub fn new(width: usize) -> Rows {
        Rows {
            width,
            ..Rows::default()
        }
    }

    fn reserve(&mut self, rows: usize) {
        self.slots.reserve(rows);
        self.cells.reserve(rows * self.width);
    }

    pub fn get(&self, unit: &i64) -> Option<&[Option<Value>]> {
        let at = *self.slots.get(unit)? as usize * self.width;
        Some(&self.cells[at..at + self.width])
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Cells per row: the length of the catalog they were read with.
    pub fn width(&self) -> usize {
        self.width
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// A new empty row for `unit` (replacing any), to fill in place.
    fn slot(&mut self, unit: i64) -> &mut [Option<Value>] {
        let at = self.cells.len();
        self.cells.resize(at + self.width, None);
        self.slots.insert(unit, (at / self.width.max(1)) as u32);
        &mut self.cells[at..]
    }

    /// A row copied in (months built by hand, in tests; reads decode into
    /// `slot`).
    #[cfg(test)]
    pub fn insert(&mut self, unit: i64, row: &[Option<Value>]) {
        let width = self.width;
        for (cell, v) in self
            .slot(unit)
            .iter_mut()
            .zip(row.iter().chain(std::iter::repeat(&None)).take(width))
        {
            *cell = v.clone();
        }
    }

    /// Takes a unit's row out (its cells stay, unused).
    pub fn remove(&mut self, unit: &i64) -> Option<Row> {
        let row = self.get(unit)?.to_vec();
        self.slots.remove(unit);
        Some(row)
    }

    /// (unit id, row), in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (i64, &[Option<Value>])> {
        self.slots.iter().map(|(&u, &at)| {
            let at = at as usize * self.width;
            (u, &self.cells[at..at + self.width])
        })
    }
}

/// The same units with the same values, however they were read.
impl PartialEq for Rows {
    fn eq(&self, other: &Rows) -> bool {
        self.len() == other.len() && self.iter().all(|(u, r)| other.get(&u) == Some(r))
    }
}

fn bad_json(e: impl std::fmt::Display) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("unit_values.vals: {e}").into(),
    )
}

/// Parses a stored object. chiso writes only catalog codes, so a key it does
/// not know (a row written by another tool) is an error, not a silent skip.
pub fn decode(json: &str, cat: &Catalog) -> rusqlite::Result<Row> {
    decode_only(json, cat, None)
}

/// `decode`, keeping only the metrics `wanted` marks (all if None).
pub fn decode_only(json: &str, cat: &Catalog, wanted: Option<&[bool]>) -> rusqlite::Result<Row> {
    decode_bytes(json.as_bytes(), cat, wanted)
}

/// `decode_only` on the stored bytes.
fn decode_bytes(json: &[u8], cat: &Catalog, wanted: Option<&[bool]>) -> rusqlite::Result<Row> {
    let mut row = vec![None; cat.metrics.len()];
    decode_into(json, cat, wanted, &mut row)?;
    Ok(row)
}

/// Decodes a stored object into `row` (all None, catalog-wide). What
/// chiso writes is checked for UTF-8 only where text is kept (labels),
/// not over every number.
fn decode_into(
    json: &[u8],
    cat: &Catalog,
    wanted: Option<&[bool]>,
    row: &mut [Option<Value>],
) -> rusqlite::Result<()> {
    if decode_flat(json, cat, wanted, row).is_some() {
        return Ok(());
    }
    row.fill(None);
    let json = std::str::from_utf8(json).map_err(bad_json)?;
    let general = decode_general(json, cat)?;
    for (i, (v, g)) in row.iter_mut().zip(general).enumerate() {
        if wanted.is_none_or(|w| w[i]) {
            *v = g;
        }
    }
    Ok(())
}

/// The objects chiso writes: `{"code":number,"code":"label",…}` with plain
/// codes and numbers. Read without building JSON values (a month's export
/// decodes 10,000 of them); anything else returns None for the general path.
fn decode_flat(
    b: &[u8],
    cat: &Catalog,
    wanted: Option<&[bool]>,
    row: &mut [Option<Value>],
) -> Option<()> {
    if b.len() < 2 || b[0] != b'{' || b[b.len() - 1] != b'}' {
        return None;
    }
    // Without the braces; every index below stays inside it.
    let body = &b[1..b.len() - 1];
    let mut next = 0;
    let mut i = 0;
    while i < body.len() {
        // "code": the code expected next (catalog order) is tried first.
        if body[i] != b'"' {
            return None;
        }
        let rest = &body[i + 1..];
        let expected = cat.metrics.get(next).map(|m| m.code.as_bytes());
        let (m, len) = match expected {
            Some(code) if rest.starts_with(code) && rest.get(code.len()) == Some(&b'"') => {
                (next, code.len())
            }
            _ => {
                let len = rest.iter().position(|&c| c == b'"')?;
                (cat.index_from(&rest[..len], next)?, len)
            }
        };
        next = m + 1;
        i += len + 2;
        if body.get(i) != Some(&b':') {
            return None;
        }
        i += 1;
        let want = wanted.is_none_or(|w| w[m]);
        match body.get(i)? {
            b'"' => {
                // A label: no escapes in what chiso writes, else the
                // general path.
                let v0 = i + 1;
                let v1 = v0 + body[v0..].iter().position(|&c| c == b'"' || c == b'\\')?;
                if body[v1] != b'"' {
                    return None;
                }
                if want {
                    let label = std::str::from_utf8(&body[v0..v1]).ok()?;
                    row[m] = Some(Value::Label(label.to_owned()));
                }
                i = v1 + 1;
            }
            _ => {
                let v0 = i;
                while i < body.len() && body[i] != b',' {
                    i += 1;
                }
                if i == v0 {
                    return None;
                }
                if want {
                    row[m] = Some(Value::Num(parse_number(&body[v0..i])?));
                }
            }
        }
        if i == body.len() {
            break;
        }
        // ',' then another key; a trailing comma is not JSON.
        if body[i] != b',' || i + 1 == body.len() {
            return None;
        }
        i += 1;
    }
    Some(())
}

/// A stored number as `str::parse::<f64>` reads it: `parse_plain` for the
/// usual form, the standard parser for the rest.
fn parse_number(b: &[u8]) -> Option<f64> {
    parse_plain(b).or_else(|| std::str::from_utf8(b).ok()?.parse::<f64>().ok())
}

/// An optional minus and at most 15 digits around at most one point, else
/// None. Such a number is an integer below 2^53 over a power of ten up to
/// 10^15: both exact, so one division rounds correctly (Clinger's fast
/// path), as the standard parser does.
fn parse_plain(b: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (neg, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    let (mut mantissa, mut count, mut decimals, mut point) = (0u64, 0usize, 0usize, false);
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(c - b'0');
                count += 1;
                decimals += usize::from(point);
            }
            b'.' if !point => point = true,
            _ => return None,
        }
        if count > 15 {
            return None;
        }
    }
    if count == 0 {
        return None;
    }
    let x = mantissa as f64 / POW10[decimals];
    Some(if neg { -x } else { x })
}

fn decode_general(json: &str, cat: &Catalog) -> rusqlite::Result<Row> {
    // Keys borrowed from the text: codes are [a-z0-9_], never escaped, and
    // a month's export decodes 10,000 of these objects.
    let map: Vec<(&str, serde_json::Value)> =
        serde_json::from_str::<std::collections::BTreeMap<&str, serde_json::Value>>(json)
            .map_err(bad_json)?
            .into_iter()
            .collect();
    let mut row = vec![None; cat.metrics.len()];
    for (code, v) in map {
        let i = cat
            .index_of(code)
            .ok_or_else(|| bad_json(format!("unknown metric {code}")))?;
        row[i] = match v {
            serde_json::Value::Number(n) => n.as_f64().map(Value::Num),
            serde_json::Value::String(s) => Some(Value::Label(s)),
            serde_json::Value::Null => None,
            other => return Err(bad_json(format!("{code}: {other}"))),
        };
    }
    Ok(row)
}

fn push_json(out: &mut String, v: Option<&Value>, kind: MetricKind) {
    match v {
        None => out.push_str("null"),
        // Counts are whole (validated), so they print as JSON integers.
        Some(Value::Num(x)) if kind == MetricKind::Count => {
            out.push_str(itoa::Buffer::new().format(*x as i64))
        }
        // The shortest text that reads back to the same f64 (ryu: several
        // times faster than fmt, and this runs 70,000 times a national month).
        Some(Value::Num(x)) => out.push_str(ryu::Buffer::new().format_finite(*x)),
        Some(Value::Label(s)) => {
            out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "null".into()))
        }
    }
}

fn push_key(out: &mut String, code: &str) {
    if out.len() > 1 {
        out.push(',');
    }
    out.push('"');
    out.push_str(code);
    out.push_str("\":");
}

/// The stored form of a row: present values only, in catalog order.
/// Metric codes are `[a-z0-9_]` (a schema CHECK), so they need no escaping.
pub fn encode(row: &[Option<Value>], cat: &Catalog) -> String {
    let mut out = String::with_capacity(16 * row.len());
    out.push('{');
    for (m, v) in cat.metrics.iter().zip(row) {
        if let Some(v) = v {
            push_key(&mut out, &m.code);
            push_json(&mut out, Some(v), m.kind);
        }
    }
    out.push('}');
    out
}

/// Every stored row of one month, keyed by unit id.
pub fn load_period(
    conn: &Connection,
    period: Period,
    cat: &Catalog,
) -> rusqlite::Result<HashMap<i64, Row>> {
    let mut st =
        conn.prepare_cached("SELECT unit_id, vals FROM unit_values WHERE period_id = ?1")?;
    let mut rows = st.query([period.key()])?;
    let mut out = HashMap::default();
    while let Some(r) = rows.next()? {
        out.insert(r.get(0)?, decode(r.get_ref(1)?.as_str()?, cat)?);
    }
    Ok(out)
}

/// One month's rows, decoded only for the units `keep` accepts, and which
/// metrics any unit but `skip_present` (the parent) has. Streaks walk back
/// through many months for few units: this reads each month once and
/// decodes only what is needed.
pub fn scan_period(
    conn: &Connection,
    period: Period,
    cat: &Catalog,
    skip_present: Option<i64>,
    keep: impl Fn(i64) -> bool,
    kept: Option<usize>,
    wanted: Option<&[bool]>,
) -> rusqlite::Result<(Rows, Vec<bool>)> {
    let mut st =
        conn.prepare_cached("SELECT unit_id, vals FROM unit_values WHERE period_id = ?1")?;
    let mut rows = st.query([period.key()])?;
    // Sized once: growing a national month's rows step by step rehashes
    // and copies them fourteen times. `kept` is how many `keep` accepts at
    // most; without it, every row of the month is counted.
    let mut out = Rows::new(cat.metrics.len());
    let kept = match kept {
        Some(n) => n,
        None => conn
            .prepare_cached("SELECT count(*) FROM unit_values WHERE period_id = ?1")?
            .query_row([period.key()], |r| r.get::<_, i64>(0))? as usize,
    };
    out.reserve(kept);
    let mut present = vec![false; cat.metrics.len()];
    // The metrics wanted that no unit has shown yet (the parent aside).
    let mut searching: Vec<bool> = (0..cat.metrics.len())
        .map(|i| wanted.is_none_or(|w| w[i]))
        .collect();
    let mut left = searching.iter().filter(|s| **s).count();
    let mut found = |row: &[Option<Value>], searching: &mut [bool], left: &mut usize| {
        for (i, v) in row.iter().enumerate() {
            if v.is_some() && searching[i] {
                present[i] = true;
                searching[i] = false;
                *left -= 1;
            }
        }
    };
    let mut scratch: Row = vec![None; cat.metrics.len()];
    while let Some(r) = rows.next()? {
        let unit: i64 = r.get(0)?;
        let bytes = r.get_ref(1)?.as_bytes()?;
        let counts = Some(unit) != skip_present && left > 0;
        if keep(unit) {
            let row = out.slot(unit);
            decode_into(bytes, cat, wanted, row)?;
            // A decoded row says what it has (a null is no value).
            if counts {
                found(row, &mut searching, &mut left);
            }
        } else if counts {
            // A unit not kept is decoded for the metrics still searched
            // for: read as a kept row is, so what counts as present does
            // not depend on who is kept.
            scratch.fill(None);
            decode_into(bytes, cat, Some(&searching), &mut scratch)?;
            found(&scratch, &mut searching, &mut left);
        }
    }
    Ok((out, present))
}

/// `scan_period` for a few units: each row looked up by key, and each
/// wanted metric's presence by a query that stops at the first unit having
/// it. Far cheaper than a scan when a streak follows a fifth of the units
/// or fewer.
pub fn scan_units(
    conn: &Connection,
    period: Period,
    cat: &Catalog,
    skip_present: Option<i64>,
    units: &[i64],
    wanted: &[bool],
) -> rusqlite::Result<(Rows, Vec<bool>)> {
    let mut one =
        conn.prepare_cached("SELECT vals FROM unit_values WHERE period_id = ?1 AND unit_id = ?2")?;
    let mut out = Rows::new(cat.metrics.len());
    out.reserve(units.len());
    for &u in units {
        let mut rows = one.query(params![period.key(), u])?;
        if let Some(r) = rows.next()? {
            decode_into(r.get_ref(0)?.as_bytes()?, cat, Some(wanted), out.slot(u))?;
        }
    }
    let mut any = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM unit_values WHERE period_id = ?1 AND unit_id IS NOT ?2 \
         AND coalesce(json_type(vals, ?3), 'null') <> 'null')",
    )?;
    let mut present = vec![false; cat.metrics.len()];
    for (i, m) in cat.metrics.iter().enumerate().filter(|(i, _)| wanted[*i]) {
        let path = format!("$.\"{}\"", m.code);
        present[i] = any.query_row(params![period.key(), skip_present, path], |r| r.get(0))?;
    }
    Ok((out, present))
}

/// The rows of the units `keep` accepts among those with ids in
/// `lo..=hi`, decoded for the metrics `wanted`: half a month's scan, for
/// a streak walk split in two (presence comes from `scan_units`).
pub fn scan_range(
    conn: &Connection,
    period: Period,
    cat: &Catalog,
    (lo, hi): (i64, i64),
    keep: impl Fn(i64) -> bool,
    kept: usize,
    wanted: &[bool],
) -> rusqlite::Result<Rows> {
    let mut st = conn.prepare_cached(
        "SELECT unit_id, vals FROM unit_values WHERE period_id = ?1 AND unit_id BETWEEN ?2 AND ?3",
    )?;
    let mut rows = st.query(params![period.key(), lo, hi])?;
    let mut out = Rows::new(cat.metrics.len());
    out.reserve(kept);
    while let Some(r) = rows.next()? {
        let unit: i64 = r.get(0)?;
        if keep(unit) {
            decode_into(r.get_ref(1)?.as_bytes()?, cat, Some(wanted), out.slot(unit))?;
        }
    }
    Ok(out)
}

/// One unit's row for one month, if it has any value.
pub fn load_one(
    conn: &Connection,
    period: Period,
    unit_id: i64,
    cat: &Catalog,
) -> rusqlite::Result<Option<Row>> {
    let json: Option<String> = conn
        .prepare_cached("SELECT vals FROM unit_values WHERE period_id = ?1 AND unit_id = ?2")?
        .query_row(params![period.key(), unit_id], |r| r.get(0))
        .optional()?;
    json.map(|j| decode(&j, cat)).transpose()
}

/// Stores a unit's whole row for a month; an empty row deletes it. The
/// caller logs the change with `log`.
pub fn put(
    conn: &Connection,
    period: PeriodWrite,
    unit_id: i64,
    row: &[Option<Value>],
    cat: &Catalog,
) -> rusqlite::Result<()> {
    if row.iter().all(Option::is_none) {
        conn.prepare_cached("DELETE FROM unit_values WHERE period_id = ?1 AND unit_id = ?2")?
            .execute(params![period.period().key(), unit_id])?;
        Ok(())
    } else {
        put_encoded(conn, period, unit_id, &encode(row, cat))
    }
}

/// `put` for a row already encoded (and not empty).
pub fn put_encoded(
    conn: &Connection,
    period: PeriodWrite,
    unit_id: i64,
    vals: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO unit_values (period_id, unit_id, vals) VALUES (?1, ?2, ?3)
         ON CONFLICT (period_id, unit_id) DO UPDATE SET vals = excluded.vals",
    )?
    .execute(params![period.period().key(), unit_id, vals])?;
    Ok(())
}

/// One changed value: catalog index, old, new (None = absent).
pub type Diff<'a> = (usize, Option<&'a Value>, Option<&'a Value>);

/// The log's two objects for a set of changes: `new` names every changed
/// metric (null = removed), `old` only those that had a value.
pub fn diff_json(diffs: &[Diff<'_>], cat: &Catalog) -> (String, String) {
    let mut old = String::from("{");
    let mut new = String::from("{");
    for (m, o, n) in diffs {
        let metric = &cat.metrics[*m];
        if o.is_some() {
            push_key(&mut old, &metric.code);
            push_json(&mut old, *o, metric.kind);
        }
        push_key(&mut new, &metric.code);
        push_json(&mut new, *n, metric.kind);
    }
    old.push('}');
    new.push('}');
    (old, new)
}

/// Records the changes to one unit's month under a changeset (and file):
/// `old` and `new` as made by `diff_json`.
pub fn log(
    conn: &Connection,
    changeset: i64,
    import_id: Option<i64>,
    period: Period,
    unit_id: i64,
    old: &str,
    new: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO value_changes (changeset_id, import_id, period_id, unit_id, old, new)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        changeset,
        import_id,
        period.key(),
        unit_id,
        old,
        new
    ])?;
    Ok(())
}

/// One month laid out as a table: the metrics that have data, the parent's
/// row, and a row per child unit in Vietnamese alphabetical order.
pub struct MonthTable {
    pub period: String,
    pub metrics: Vec<Metric>,
    pub parent: Option<MonthRow>,
    pub units: Vec<MonthRow>,
}

pub struct MonthRow {
    pub unit: Unit,
    /// One entry per `MonthTable::metrics`, None where absent.
    pub values: Vec<Option<Value>>,
}

/// Loads a month. A child unit appears if it has any value that month.
pub fn month_table(conn: &Connection, period: Period) -> rusqlite::Result<MonthTable> {
    let cat = Catalog::load(conn)?;
    let mut st = conn.prepare_cached(
        "SELECT u.id, u.name, u.kind, u.is_parent, v.vals, u.sort_key
         FROM unit_values v JOIN units u ON u.id = v.unit_id
         WHERE v.period_id = ?1",
    )?;
    let mut rows = st.query([period.key()])?;
    let mut parent = None;
    // Sorted here by the stored collation keys: cheaper than SQLite's sorter
    // for a national month.
    let mut units: Vec<(Vec<u8>, MonthRow)> = Vec::new();
    let mut used = vec![false; cat.metrics.len()];
    while let Some(r) = rows.next()? {
        let values = decode(r.get_ref(4)?.as_str()?, &cat)?;
        for (u, v) in used.iter_mut().zip(&values) {
            *u |= v.is_some();
        }
        let row = MonthRow {
            unit: Unit {
                id: r.get(0)?,
                name: r.get(1)?,
                kind: UnitKind::from_code(r.get_ref(2)?.as_str()?).unwrap_or(UnitKind::Xa),
                is_parent: r.get::<_, i64>(3)? == 1,
                from: None,
                until: None,
            },
            values,
        };
        if row.unit.is_parent {
            parent = Some(row);
        } else {
            units.push((r.get(5)?, row));
        }
    }
    // A unit renamed from a later month keeps, in this one, the name it had.
    let lineage = super::lineage::Lineage::load(conn)?;
    if !lineage.former.is_empty() {
        for (key, row) in &mut units {
            let name = lineage.name_in(&row.unit, period).to_owned();
            if name != row.unit.name {
                *key = crate::text::collation_key(&name);
                row.unit.name = name;
            }
        }
    }
    units.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.unit.id.cmp(&b.1.unit.id)));
    let mut units: Vec<MonthRow> = units.into_iter().map(|(_, row)| row).collect();
    // Keep only the columns that have data this month.
    let keep: Vec<usize> = (0..used.len()).filter(|&i| used[i]).collect();
    let compact = |row: &mut MonthRow| {
        row.values = keep.iter().map(|&i| row.values[i].take()).collect();
    };
    parent.iter_mut().for_each(compact);
    units.iter_mut().for_each(compact);
    let metrics = keep.iter().map(|&i| cat.metrics[i].clone()).collect();
    Ok(MonthTable {
        period: period.to_string(),
        metrics,
        parent,
        units,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_hold_each_unit_once_and_compare_by_content() {
        let n = |x: f64| Some(Value::Num(x));
        let mut a = Rows::new(3);
        a.insert(7, &[n(1.0), None, Some(Value::Label("Tốt".into()))]);
        a.insert(3, &[None, n(2.0)]);
        assert_eq!(a.get(&3), Some(&[None, n(2.0), None][..]), "short rows pad");
        assert_eq!(a.len(), 2);
        let mut b = Rows::new(3);
        b.insert(3, &[None, n(2.0), None]);
        b.insert(7, &[n(1.0), None, Some(Value::Label("Tốt".into()))]);
        assert_eq!(a, b, "order of reading does not matter");
        b.insert(3, &[None, n(2.5), None]);
        assert_ne!(a, b);
        assert_eq!(b.get(&3), Some(&[None, n(2.5), None][..]), "replaced");
        assert_eq!(
            b.remove(&7),
            Some(vec![n(1.0), None, Some(Value::Label("Tốt".into()))])
        );
        assert_eq!((b.get(&7), b.len()), (None, 1));
        assert_eq!(b.iter().map(|(u, _)| u).collect::<Vec<_>>(), [3]);
    }

    #[test]
    fn numbers_read_as_the_standard_parser_reads_them() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let same = |text: &str, got: Option<f64>| {
            let want = text.parse::<f64>().ok();
            assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "{text}");
        };
        // Plain forms of up to 15 digits: the fast path reads every one.
        for i in 0..300_000u64 {
            let r = next();
            let digits = 1 + (i % 15) as usize;
            let n = r % 10u64.pow(digits as u32);
            let mut text = format!("{n:0digits$}");
            let at = (r >> 50) as usize % (digits + 1);
            if at < digits {
                text.insert(at, '.');
            }
            if r >> 63 == 1 {
                text.insert(0, '-');
            }
            let got = parse_plain(text.as_bytes());
            assert!(got.is_some(), "{text}");
            same(&text, got);
        }
        for text in [
            "1.",
            ".5",
            "-.5",
            "-0",
            "007",
            "00.10",
            "100.0",
            "0.00000000000001",
        ] {
            same(text, parse_plain(text.as_bytes()));
        }
        // The rest goes the standard way.
        for text in [
            "1e5",
            "-2.5E-3",
            "1234567890123456",
            "0.000000000000001",
            "1e400",
        ] {
            assert_eq!(parse_plain(text.as_bytes()), None, "{text}");
            same(text, parse_number(text.as_bytes()));
        }
        for bad in ["", "-", ".", "null", "1.2.3", "--1", "1-"] {
            same(bad, parse_number(bad.as_bytes()));
        }
    }

    #[test]
    fn random_rows_read_back_as_written_and_as_serde_reads_them() {
        let dir = tempfile::tempdir().unwrap();
        let db = super::super::Db::create(&dir.path().join("v.db")).unwrap();
        let cat = Catalog::load(db.conn()).unwrap();
        let n = cat.metrics.len();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let labels = ["Tốt", "Trung bình", "a \"quoted\" one", "back\\slash", ""];
        for _ in 0..20_000 {
            let mut row: Row = vec![None; n];
            for (cell, metric) in row.iter_mut().zip(&cat.metrics) {
                let r = next();
                *cell = match r % 5 {
                    0 | 1 => None,
                    // Counts are whole numbers (stored as integers).
                    _ if metric.kind == MetricKind::Count => {
                        Some(Value::Num((r >> 8) as f64 % 1e9))
                    }
                    2 => Some(Value::Num((r >> 8) as f64 % 100_000.0 / 100.0)),
                    3 => Some(Value::Num(f64::from_bits(r >> 2) % 1e12)),
                    _ => Some(Value::Label(
                        labels[(r >> 8) as usize % labels.len()].into(),
                    )),
                };
            }
            if row.iter().all(Option::is_none) {
                continue;
            }
            let json = encode(&row, &cat);
            assert_eq!(decode(&json, &cat).unwrap(), row, "{json}");
            // The general path (serde) reads the same.
            assert_eq!(decode_general(&json, &cat).unwrap(), row, "{json}");
            // Only the wanted cells.
            let wanted: Vec<bool> = (0..n).map(|i| (i + json.len()).is_multiple_of(2)).collect();
            let only = decode_only(&json, &cat, Some(&wanted)).unwrap();
            for i in 0..n {
                assert_eq!(only[i], if wanted[i] { row[i].clone() } else { None });
            }
        }
    }

    #[test]
    fn rows_round_trip_through_json() {
        let dir = tempfile::tempdir().unwrap();
        let db = super::super::Db::create(&dir.path().join("v.db")).unwrap();
        let cat = Catalog::load(db.conn()).unwrap();
        let mut row: Row = vec![None; cat.metrics.len()];
        row[cat.index_of("processing").unwrap()] = Some(Value::Num(37.9));
        row[cat.index_of("online_payment").unwrap()] = Some(Value::Num(0.1 + 0.2));
        row[cat.index_of("e_copies").unwrap()] = Some(Value::Num(3090.0));
        row[cat.index_of("rating").unwrap()] = Some(Value::Label("Trung bình".into()));
        let json = encode(&row, &cat);
        assert_eq!(
            json,
            "{\"processing\":37.9,\"online_payment\":0.30000000000000004,\"e_copies\":3090,\"rating\":\"Trung bình\"}"
        );
        assert_eq!(decode(&json, &cat).unwrap(), row);
        let mut flat = vec![None; cat.metrics.len()];
        assert_eq!(
            decode_flat(json.as_bytes(), &cat, None, &mut flat),
            Some(())
        );
        assert_eq!(flat, row, "the fast path reads it");
        assert!(decode("{\"nope\":1}", &cat).is_err());
        // Written by another tool: spacing, escapes, nulls, exponents.
        let other =
            "{ \"processing\" : 3.79e1, \"rating\": \"Trung b\\u00ecnh\", \"score\": null }";
        let mut want: Row = vec![None; cat.metrics.len()];
        want[cat.index_of("processing").unwrap()] = Some(Value::Num(37.9));
        want[cat.index_of("rating").unwrap()] = Some(Value::Label("Trung bình".into()));
        assert_eq!(decode(other, &cat).unwrap(), want);
        for bad in [
            "{",
            "{\"processing\":}",
            "{\"processing\":1,}",
            "[]",
            "{\"processing\":\"x}",
        ] {
            assert!(decode(bad, &cat).is_err(), "{bad}");
        }
    }

    #[test]
    fn checks_enforce_the_stored_shape() {
        let dir = tempfile::tempdir().unwrap();
        let db = super::super::Db::create(&dir.path().join("t.db")).unwrap();
        db.conn()
            .execute_batch(
                "INSERT INTO units (id, name, kind, is_parent, match_key, sort_key, created_at)
                     VALUES (1, 'An Vỹ', 'xa', 0, 'an vy3', x'00', '');
                 INSERT INTO periods VALUES (202408, '2024-08');",
            )
            .unwrap();
        let put = |vals: &str| {
            db.conn().execute(
                "INSERT INTO unit_values VALUES (202408, 1, ?1)
                 ON CONFLICT DO UPDATE SET vals = excluded.vals",
                [vals],
            )
        };
        for ok in [
            r#"{"processing":99.5}"#,
            r#"{"processing":100,"e_copies":3090,"rating":"Tốt"}"#,
            r#"{"g_digitization":22}"#,
        ] {
            assert!(put(ok).is_ok(), "{ok}");
        }
        // Catalog ranges are chiso's to check (see schema.sql); the shape
        // is the database's.
        for bad in [r#"{}"#, r#"[1]"#, r#"not json"#] {
            assert!(put(bad).is_err(), "{bad} accepted");
        }
        assert!(
            db.conn()
                .execute("INSERT INTO periods VALUES (202413, '2024-13')", [])
                .is_err()
        );
    }
}
