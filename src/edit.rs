//! One cell at a time: the TUI's edits, undos and redos. Each is its own
//! transaction, written at once, and checked against the value the screen
//! showed: if someone else changed the cell meanwhile, nothing is written.

use crate::db::{self, Actor, Catalog, Db, values};
use crate::import;
use crate::model::{Period, Value};

/// One cell changed from `old` (what the screen showed) to `new`.
#[derive(Debug, Clone, PartialEq)]
pub struct CellEdit {
    pub period: Period,
    pub unit_id: i64,
    /// Catalog index of the metric.
    pub metric: usize,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

impl CellEdit {
    /// The edit that takes this one back.
    pub fn inverse(&self) -> CellEdit {
        CellEdit {
            old: self.new.clone(),
            new: self.old.clone(),
            ..self.clone()
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error(
        "không ghi: ô này vừa được thay đổi ở nơi khác (nay là {}); màn hình đã tải lại, hãy xem rồi nhập lại",
        shown(.0.as_ref())
    )]
    Conflict(Option<Value>),
    #[error("không ghi: {0}")]
    Unit(#[from] crate::db::units::UnitError),
    #[error(transparent)]
    Db(#[from] rusqlite::Error),
}

fn shown(v: Option<&Value>) -> String {
    v.map_or("trống".to_owned(), import::show_value)
}

/// Where an edit came from, for the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Edit,
    Undo,
    Redo,
}

impl Source {
    /// The changeset's `source` (schema: edit, undo) and a word for its command.
    fn codes(self) -> (&'static str, &'static str) {
        match self {
            Source::Edit => ("edit", "sửa"),
            Source::Undo => ("undo", "hoàn tác"),
            Source::Redo => ("edit", "làm lại"),
        }
    }
}

/// Writes one cell in its own transaction, with a changeset and the change
/// logged. Refuses with `Conflict` when the stored value is not `e.old`.
/// Writing what is already there is no change and logs nothing.
pub fn apply(
    db: &mut Db,
    cat: &Catalog,
    actor: &Actor,
    e: &CellEdit,
    source: Source,
    unit_name: &str,
) -> Result<bool, EditError> {
    let metric = &cat.metrics[e.metric];
    let command = format!(
        "tui: {} {} {} {}: {} → {}",
        source.codes().1,
        metric.code,
        e.period,
        crate::text::show(unit_name),
        shown(e.old.as_ref()),
        shown(e.new.as_ref())
    );
    Ok(apply_all(db, cat, actor, std::slice::from_ref(e), source, &command)? > 0)
}

/// Writes several cells (an undo of a paste, say) in one transaction:
/// all of them, or none if any stored value is not its `old`. Returns the
/// cells that changed.
pub fn apply_all(
    db: &mut Db,
    cat: &Catalog,
    actor: &Actor,
    edits: &[CellEdit],
    source: Source,
    command: &str,
) -> Result<usize, EditError> {
    db.write(|tx| {
        let mut changeset = None;
        let mut changed = 0;
        for e in edits {
            let row = values::load_one(tx, e.period, e.unit_id, cat)?
                .unwrap_or_else(|| vec![None; cat.metrics.len()]);
            if row[e.metric] != e.old {
                return Err(EditError::Conflict(row[e.metric].clone()));
            }
            if e.old == e.new {
                continue;
            }
            // A unit merged away meanwhile takes no new value (clearing one is fine).
            if e.new.is_some() {
                crate::db::lineage::require_exists(tx, e.unit_id, e.period)?;
            }
            let cs = match changeset {
                Some(cs) => cs,
                None => {
                    *changeset.insert(db::begin_changeset(tx, actor, source.codes().0, command)?)
                }
            };
            let write = db::begin_period_write(tx, e.period)?;
            let mut new_row = row.clone();
            new_row[e.metric] = e.new.clone();
            values::put(tx, write, e.unit_id, &new_row, cat)?;
            let (old, new) = values::diff_json(&[(e.metric, e.old.as_ref(), e.new.as_ref())], cat);
            values::log(tx, cs, None, e.period, e.unit_id, &old, &new)?;
            changed += 1;
        }
        Ok(changed)
    })
}

/// The session's changes in order, for undo and redo: each step is one
/// cell edit, or every cell of one paste or import.
#[derive(Debug, Default)]
pub struct History {
    done: Vec<Vec<CellEdit>>,
    undone: Vec<Vec<CellEdit>>,
}

impl History {
    /// A new step: what was undone can no longer be redone.
    pub fn record(&mut self, step: Vec<CellEdit>) {
        if step.is_empty() {
            return;
        }
        self.done.push(step);
        self.undone.clear();
    }

    /// The edits that undo the latest step, if any (not yet applied), in
    /// reverse order.
    pub fn next_undo(&self) -> Option<Vec<CellEdit>> {
        self.done
            .last()
            .map(|step| step.iter().rev().map(CellEdit::inverse).collect())
    }

    pub fn next_redo(&self) -> Option<Vec<CellEdit>> {
        self.undone.last().cloned()
    }

    /// The undo from `next_undo` was written.
    pub fn undone(&mut self) {
        if let Some(e) = self.done.pop() {
            self.undone.push(e);
        }
    }

    /// The redo from `next_redo` was written.
    pub fn redone(&mut self) {
        if let Some(e) = self.undone.pop() {
            self.done.push(e);
        }
    }

    pub fn counts(&self) -> (usize, usize) {
        (self.done.len(), self.undone.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::units;
    use crate::model::UnitKind;

    fn setup() -> (tempfile::TempDir, Db, Catalog, i64, Actor) {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Db::create(&dir.path().join("e.db")).unwrap();
        let actor = Actor {
            os_user: "op".into(),
            ssh_client: Some("10.0.0.7".into()),
        };
        let id = db
            .write(|tx| -> Result<i64, units::UnitError> {
                let cs = db::begin_changeset(tx, &actor, "init", "test")?;
                units::add(tx, cs, "Huyện Thử", UnitKind::Huyen, true)?;
                Ok(units::add(tx, cs, "Bình Kiều", UnitKind::Xa, false)?.id)
            })
            .unwrap();
        let cat = Catalog::load(db.conn()).unwrap();
        (dir, db, cat, id, actor)
    }

    /// An undo (or any edit) of a value for a unit merged away meanwhile by
    /// another operator is refused inside the write; clearing is allowed.
    #[test]
    fn no_value_for_a_unit_merged_away_meanwhile() {
        let (_d, mut db, cat, id, actor) = setup();
        let jun = Period::parse("2025-06").unwrap();
        let jul = Period::parse("2025-07").unwrap();
        let m = cat.index_of("processing").unwrap();
        let edit = |old: Option<f64>, new: Option<f64>, p: Period| CellEdit {
            period: p,
            unit_id: id,
            metric: m,
            old: old.map(Value::Num),
            new: new.map(Value::Num),
        };
        apply(
            &mut db,
            &cat,
            &actor,
            &edit(None, Some(90.0), jun),
            Source::Edit,
            "t",
        )
        .unwrap();
        db.write(|tx| -> Result<(), crate::db::units::UnitError> {
            let cs = db::begin_changeset(tx, &actor, "units", "merge")?;
            let olds = [("Bình Kiều".to_owned(), crate::db::lineage::Share::Whole)];
            let step = crate::db::lineage::Step {
                olds: &olds,
                into: Some("Xã Mới"),
                period: jul,
                new: false,
                must_be_new: false,
                kind: None,
            };
            let mut out = crate::db::lineage::Outcome::default();
            crate::db::lineage::apply(tx, cs, &step, false, &mut out)
        })
        .unwrap();
        let err = apply(
            &mut db,
            &cat,
            &actor,
            &edit(None, Some(95.0), jul),
            Source::Undo,
            "t",
        )
        .unwrap_err();
        assert!(err.to_string().contains("đã sáp nhập vào Xã Mới"), "{err}");
        assert!(
            values::load_one(db.conn(), jul, id, &cat)
                .unwrap()
                .is_none()
        );
        // June is still its own, and can be cleared.
        apply(
            &mut db,
            &cat,
            &actor,
            &edit(Some(90.0), None, jun),
            Source::Edit,
            "t",
        )
        .unwrap();
    }

    #[test]
    fn edits_undo_redo_and_conflicts() {
        let (_d, mut db, cat, id, actor) = setup();
        let p = Period::parse("2024-08").unwrap();
        let m = cat.index_of("processing").unwrap();
        let stored = |db: &Db| {
            values::load_one(db.conn(), p, id, &cat)
                .unwrap()
                .and_then(|r| r[m].clone())
        };
        let e = CellEdit {
            period: p,
            unit_id: id,
            metric: m,
            old: None,
            new: Some(Value::Num(93.45)),
        };
        let mut h = History::default();
        assert!(apply(&mut db, &cat, &actor, &e, Source::Edit, "Bình Kiều").unwrap());
        h.record(vec![e.clone()]);
        assert_eq!(stored(&db), Some(Value::Num(93.45)));

        // The screen showed a stale value: refused, nothing written.
        let stale = CellEdit {
            old: Some(Value::Num(50.0)),
            new: Some(Value::Num(1.0)),
            ..e.clone()
        };
        let err = apply(&mut db, &cat, &actor, &stale, Source::Edit, "Bình Kiều").unwrap_err();
        assert!(matches!(err, EditError::Conflict(Some(Value::Num(x))) if x == 93.45));
        assert!(err.to_string().contains("93,45"), "{err}");
        assert_eq!(stored(&db), Some(Value::Num(93.45)));

        let u = h.next_undo().unwrap();
        assert_eq!(
            apply_all(&mut db, &cat, &actor, &u, Source::Undo, "undo").unwrap(),
            1
        );
        h.undone();
        assert_eq!(stored(&db), None);
        assert_eq!(h.counts(), (0, 1));
        let r = h.next_redo().unwrap().pop().unwrap();
        assert!(apply(&mut db, &cat, &actor, &r, Source::Redo, "Bình Kiều").unwrap());
        h.redone();
        assert_eq!(stored(&db), Some(Value::Num(93.45)));

        // Three changes logged, with who and from where; the no-op none.
        let same = CellEdit {
            old: Some(Value::Num(93.45)),
            ..r.clone()
        };
        assert!(!apply(&mut db, &cat, &actor, &same, Source::Edit, "Bình Kiều").unwrap());
        let log: Vec<(String, String, Option<String>, Option<String>)> = db
            .conn()
            .prepare("SELECT source, os_user, ssh_client, new_value FROM value_history ORDER BY id")
            .unwrap()
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get::<_, Option<f64>>(3)?.map(|x| x.to_string()),
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            log,
            [
                (
                    "edit".into(),
                    "op".into(),
                    Some("10.0.0.7".into()),
                    Some("93.45".into())
                ),
                ("undo".into(), "op".into(), Some("10.0.0.7".into()), None),
                (
                    "edit".into(),
                    "op".into(),
                    Some("10.0.0.7".into()),
                    Some("93.45".into())
                ),
            ]
        );
    }

    #[test]
    fn several_cells_are_written_all_or_none() {
        let (_d, mut db, cat, id, actor) = setup();
        let p = Period::parse("2024-08").unwrap();
        let (m1, m2) = (
            cat.index_of("processing").unwrap(),
            cat.index_of("score").unwrap(),
        );
        let cell = |m, old: Option<f64>, new: f64| CellEdit {
            period: p,
            unit_id: id,
            metric: m,
            old: old.map(Value::Num),
            new: Some(Value::Num(new)),
        };
        let stored = |db: &Db, m: usize| {
            values::load_one(db.conn(), p, id, &cat)
                .unwrap()
                .and_then(|r| r[m].clone())
        };
        let both = [cell(m1, None, 90.0), cell(m2, None, 80.0)];
        assert_eq!(
            apply_all(&mut db, &cat, &actor, &both, Source::Edit, "t").unwrap(),
            2
        );
        // The second cell's old value is stale: the first is not written either.
        let stale = [cell(m1, Some(90.0), 91.0), cell(m2, Some(1.0), 81.0)];
        assert!(matches!(
            apply_all(&mut db, &cat, &actor, &stale, Source::Edit, "t"),
            Err(EditError::Conflict(_))
        ));
        assert_eq!(stored(&db, m1), Some(Value::Num(90.0)));
        assert_eq!(stored(&db, m2), Some(Value::Num(80.0)));
    }
}
