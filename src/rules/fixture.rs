//! The test database the rules' tests share: a parent and units A, B, C.

use crate::db::{self, Actor, Catalog, Db, units, values};
use crate::model::{Period, UnitKind, Value};

pub(crate) struct Fixture {
    pub _dir: tempfile::TempDir,
    pub db: Db,
    pub cat: Catalog,
    pub ids: Vec<i64>,
}

/// A parent and units A, B, C in a real database.
pub(crate) fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut db = Db::create(&dir.path().join("r.db")).unwrap();
    let actor = Actor {
        os_user: "t".into(),
        ssh_client: None,
    };
    let ids = db
        .write(|tx| -> Result<Vec<i64>, units::UnitError> {
            let cs = db::begin_changeset(tx, &actor, "init", "test")?;
            units::add(tx, cs, "Huyện Thử", UnitKind::Huyen, true)?;
            ["Xã A", "Xã B", "Xã C"]
                .iter()
                .map(|n| Ok(units::add(tx, cs, n, UnitKind::Xa, false)?.id))
                .collect()
        })
        .unwrap();
    let cat = Catalog::load(db.conn()).unwrap();
    Fixture {
        _dir: dir,
        db,
        cat,
        ids,
    }
}

impl Fixture {
    /// Stores `metric = value` for units (by index 0..3, or 9 for the parent).
    pub(crate) fn put(&mut self, period: &str, metric: &str, values: &[(usize, Value)]) {
        let p = Period::parse(period).unwrap();
        let cat = self.cat.clone();
        let m = cat.index_of(metric).unwrap();
        let parent = db::units::list(self.db.conn())
            .unwrap()
            .into_iter()
            .find(|u| u.is_parent)
            .unwrap()
            .id;
        let ids = self.ids.clone();
        self.db
            .write(|tx| -> rusqlite::Result<()> {
                let write = db::begin_period_write(tx, p)?;
                for (i, v) in values {
                    let id = if *i == 9 { parent } else { ids[*i] };
                    let mut row = values::load_one(tx, p, id, &cat)?
                        .unwrap_or_else(|| vec![None; cat.metrics.len()]);
                    row[m] = Some(v.clone());
                    values::put(tx, write, id, &row, &cat)?;
                }
                Ok(())
            })
            .unwrap();
    }
}
