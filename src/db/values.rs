//! Monthly values: reading a month, writing a value with its change record.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use crate::model::{Metric, Unit, Value};

/// Every stored value of one month, keyed by (unit id, metric id).
pub fn load_period(
    conn: &Connection,
    period: &str,
) -> rusqlite::Result<HashMap<(i64, i64), Value>> {
    let mut st = conn.prepare_cached(
        "SELECT unit_id, metric_id, num, label FROM metric_values WHERE period = ?1",
    )?;
    let mut out = HashMap::new();
    let mut rows = st.query([period])?;
    while let Some(r) = rows.next()? {
        let value = match r.get::<_, Option<f64>>(2)? {
            Some(x) => Value::Num(x),
            None => Value::Label(r.get(3)?),
        };
        out.insert((r.get(0)?, r.get(1)?), value);
    }
    Ok(out)
}

/// One cell changes from `old` to `new` (None = absent), with its audit row.
pub struct Change<'a> {
    pub period: &'a str,
    pub unit_id: i64,
    pub metric_id: i64,
    pub old: Option<&'a Value>,
    pub new: Option<&'a Value>,
}

fn split(v: Option<&Value>) -> (Option<f64>, Option<&str>) {
    match v {
        Some(Value::Num(x)) => (Some(*x), None),
        Some(Value::Label(s)) => (None, Some(s.as_str())),
        None => (None, None),
    }
}

/// Writes one change and logs it under the changeset (and import, if any).
/// The caller has ensured the period row exists.
pub fn apply(
    conn: &Connection,
    changeset: i64,
    import_id: Option<i64>,
    c: &Change<'_>,
) -> rusqlite::Result<()> {
    let (old_num, old_label) = split(c.old);
    let (new_num, new_label) = split(c.new);
    if c.new.is_some() {
        conn.prepare_cached(
            "INSERT INTO metric_values (period, unit_id, metric_id, num, label) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (period, unit_id, metric_id) DO UPDATE SET num = excluded.num, label = excluded.label",
        )?
        .execute(params![c.period, c.unit_id, c.metric_id, new_num, new_label])?;
    } else {
        conn.prepare_cached(
            "DELETE FROM metric_values WHERE period = ?1 AND unit_id = ?2 AND metric_id = ?3",
        )?
        .execute(params![c.period, c.unit_id, c.metric_id])?;
    }
    conn.prepare_cached(
        "INSERT INTO value_changes (changeset_id, import_id, period, unit_id, metric_id, old_num, old_label, new_num, new_label)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        changeset, import_id, c.period, c.unit_id, c.metric_id, old_num, old_label, new_num, new_label
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

/// Loads a month. Child units appear if they have any value that month.
pub fn month_table(conn: &Connection, period: &str) -> rusqlite::Result<MonthTable> {
    let catalog = super::load_metrics(conn)?;
    let used: Vec<i64> = {
        let mut st =
            conn.prepare_cached("SELECT DISTINCT metric_id FROM metric_values WHERE period = ?1")?;
        st.query_map([period], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    let metrics: Vec<Metric> = catalog
        .into_iter()
        .filter(|m| used.contains(&m.id))
        .collect();
    let column: HashMap<i64, usize> = metrics.iter().enumerate().map(|(i, m)| (m.id, i)).collect();

    // Rows arrive grouped by unit in display order; the join keeps it one query.
    let mut st = conn.prepare_cached(
        "SELECT u.id, u.name, u.kind, u.is_parent, v.metric_id, v.num, v.label
         FROM metric_values v JOIN units u ON u.id = v.unit_id
         WHERE v.period = ?1
         ORDER BY u.is_parent DESC, u.sort_key, u.name, u.id",
    )?;
    let mut rows = st.query([period])?;
    let mut parent = None;
    let mut units: Vec<MonthRow> = Vec::new();
    let mut current: Option<MonthRow> = None;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        if current.as_ref().is_none_or(|c| c.unit.id != id) {
            if let Some(done) = current.take() {
                if done.unit.is_parent {
                    parent = Some(done);
                } else {
                    units.push(done);
                }
            }
            let kind: String = r.get(2)?;
            current = Some(MonthRow {
                unit: Unit {
                    id,
                    name: r.get(1)?,
                    kind: crate::model::UnitKind::parse(&kind)
                        .unwrap_or(crate::model::UnitKind::Xa),
                    is_parent: r.get::<_, i64>(3)? == 1,
                },
                values: vec![None; metrics.len()],
            });
        }
        let metric_id: i64 = r.get(4)?;
        let value = match r.get::<_, Option<f64>>(5)? {
            Some(x) => Value::Num(x),
            None => Value::Label(r.get(6)?),
        };
        if let (Some(row), Some(&i)) = (current.as_mut(), column.get(&metric_id)) {
            row.values[i] = Some(value);
        }
    }
    if let Some(done) = current.take() {
        if done.unit.is_parent {
            parent = Some(done);
        } else {
            units.push(done);
        }
    }
    Ok(MonthTable {
        period: period.to_owned(),
        metrics,
        parent,
        units,
    })
}
