//! Units, their aliases, and matching a name as it arrives to a unit.

use rustc_hash::FxHashMap as HashMap;
use std::cell::OnceCell;

use rusqlite::{Connection, Transaction, params};

use crate::model::{Unit, UnitKind};
use crate::text;

#[derive(Debug, thiserror::Error)]
pub enum UnitError {
    #[error("tên đơn vị trống")]
    Empty,
    #[error("tên đơn vị {0} chứa ký tự điều khiển; hãy gõ lại tên")]
    Control(String),
    #[error("đã có đơn vị \"{0}\" (trùng với tên \"{1}\")")]
    Taken(String, String),
    #[error("tên \"{0}\" đã là bí danh của đơn vị \"{1}\"")]
    AliasTaken(String, String),
    #[error("không có đơn vị \"{name}\"{hint}")]
    Unknown { name: String, hint: String },
    #[error("tên \"{0}\" khớp nhiều đơn vị: {1}; hãy ghi đầy đủ tên")]
    Ambiguous(String, String),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// How a name resolved against the units and aliases.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolution {
    Found(i64),
    /// Matches nothing; `similar` are units whose names match once all
    /// accents are ignored (a likely spelling variant, never merged silently).
    Unknown {
        similar: Vec<String>,
    },
    Ambiguous(Vec<String>),
}

/// All units and aliases in memory, for matching many names quickly.
pub struct UnitIndex {
    units: Vec<Unit>,
    by_id: HashMap<i64, usize>,
    by_key: HashMap<String, usize>,
    by_alias: HashMap<String, usize>,
    /// Names and aliases exactly as stored: the usual case of a file spelt
    /// like last month's skips computing a matching key.
    by_name: HashMap<String, usize>,
    aliases: Vec<(String, usize)>,
    /// Built on the first name that misses the exact keys: a national
    /// import that matches everything never pays for it.
    fuzzy: OnceCell<Fuzzy>,
}

struct Fuzzy {
    /// Key of the name without its kind word ("khoai chau" for "Thị trấn Khoái Châu").
    by_bare_key: HashMap<String, Vec<usize>>,
    /// Accent-folded names and aliases, for suggestions.
    by_fold: HashMap<String, Vec<usize>>,
}

impl UnitIndex {
    pub fn load(conn: &Connection) -> rusqlite::Result<UnitIndex> {
        let mut index = UnitIndex {
            units: Vec::new(),
            by_id: HashMap::default(),
            by_key: HashMap::default(),
            by_alias: HashMap::default(),
            by_name: HashMap::default(),
            aliases: Vec::new(),
            fuzzy: OnceCell::new(),
        };
        let mut st =
            conn.prepare_cached("SELECT id, name, kind, is_parent, match_key FROM units")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let unit = row_to_unit(r)?;
            let i = index.units.len();
            index.by_id.insert(unit.id, i);
            index.by_key.insert(r.get(4)?, i);
            index.by_name.insert(unit.name.clone(), i);
            index.units.push(unit);
        }
        let mut st = conn.prepare_cached("SELECT match_key, alias, unit_id FROM unit_aliases")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            if let Some(&i) = index.by_id.get(&r.get::<_, i64>(2)?) {
                index.by_alias.insert(r.get(0)?, i);
                let alias: String = r.get(1)?;
                index.by_name.insert(alias.clone(), i);
                index.aliases.push((alias, i));
            }
        }
        Ok(index)
    }

    fn fuzzy(&self) -> &Fuzzy {
        self.fuzzy.get_or_init(|| {
            let mut f = Fuzzy {
                by_bare_key: HashMap::default(),
                by_fold: HashMap::default(),
            };
            for (i, u) in self.units.iter().enumerate() {
                let (_, bare) = UnitKind::split_prefix(&u.name);
                f.by_bare_key
                    .entry(text::match_key(bare))
                    .or_default()
                    .push(i);
                f.by_fold.entry(text::fold(&u.name)).or_default().push(i);
            }
            for (alias, i) in &self.aliases {
                let folded = f.by_fold.entry(text::fold(alias)).or_default();
                if !folded.contains(i) {
                    folded.push(*i);
                }
            }
            f
        })
    }

    pub fn get(&self, id: i64) -> Option<&Unit> {
        self.by_id.get(&id).map(|&i| &self.units[i])
    }

    pub fn parent(&self) -> Option<&Unit> {
        self.units.iter().find(|u| u.is_parent)
    }

    /// Exact key, then alias, then the name without its kind word when that
    /// is unique and the kinds agree ("Xã An Vỹ" finds "An Vỹ").
    pub fn resolve(&self, name: &str) -> Resolution {
        if let Some(&i) = self.by_name.get(name) {
            return Resolution::Found(self.units[i].id);
        }
        let key = text::match_key(name);
        if let Some(&i) = self.by_key.get(&key).or_else(|| self.by_alias.get(&key)) {
            return Resolution::Found(self.units[i].id);
        }
        let (kind, bare) = UnitKind::split_prefix(name);
        if let Some(candidates) = self.fuzzy().by_bare_key.get(&text::match_key(bare)) {
            let fits: Vec<usize> = candidates
                .iter()
                .copied()
                .filter(|&i| kind.is_none_or(|k| self.units[i].kind == k))
                .collect();
            // A bare name never lands on the parent by itself: "Khoái Châu"
            // in a commune table is more likely the thị trấn than the huyện.
            // It needs the kind word ("Huyện Khoái Châu") or stays a question.
            let names = || fits.iter().map(|&i| self.units[i].name.clone()).collect();
            let parent_only = fits.len() == 1 && self.units[fits[0]].is_parent && kind.is_none();
            match fits.len() {
                0 => {}
                1 if parent_only => return Resolution::Unknown { similar: names() },
                1 => return Resolution::Found(self.units[fits[0]].id),
                _ => return Resolution::Ambiguous(names()),
            }
        }
        Resolution::Unknown {
            similar: self.similar(name),
        }
    }

    /// Units whose name or alias equals `name` once every accent is ignored.
    /// A kind word in `name` must agree ("Thị trấn X" never suggests "Huyện X").
    pub fn similar(&self, name: &str) -> Vec<String> {
        let (kind, bare) = UnitKind::split_prefix(name);
        let fits = |i: usize| kind.is_none_or(|k| self.units[i].kind == k);
        let mut out: Vec<String> = Vec::new();
        let push = |i: usize, out: &mut Vec<String>| {
            if fits(i) && !out.contains(&self.units[i].name) {
                out.push(self.units[i].name.clone());
            }
        };
        for &i in self
            .fuzzy()
            .by_fold
            .get(&text::fold(name))
            .into_iter()
            .flatten()
        {
            push(i, &mut out);
        }
        if out.is_empty() {
            let fb = text::fold(bare);
            for (i, u) in self.units.iter().enumerate() {
                if text::fold(UnitKind::split_prefix(&u.name).1) == fb {
                    push(i, &mut out);
                }
            }
        }
        out
    }

    /// Resolves or explains why not, for commands that take one unit name.
    pub fn require(&self, name: &str) -> Result<&Unit, UnitError> {
        match self.resolve(name) {
            Resolution::Found(id) => Ok(self.get(id).expect("resolved id is in the index")),
            Resolution::Ambiguous(names) => {
                Err(UnitError::Ambiguous(text::show(name), quote_list(&names)))
            }
            Resolution::Unknown { similar } => Err(UnitError::Unknown {
                name: text::show(name),
                hint: if similar.is_empty() {
                    "\n  gợi ý: xem danh sách bằng `chiso units list`".into()
                } else {
                    format!("; có phải {}?", quote_list(&similar))
                },
            }),
        }
    }
}

pub fn quote_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn row_to_unit(r: &rusqlite::Row<'_>) -> rusqlite::Result<Unit> {
    Ok(Unit {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: UnitKind::from_code(r.get_ref(2)?.as_str()?).unwrap_or(UnitKind::Xa),
        is_parent: r.get::<_, i64>(3)? == 1,
    })
}

/// All units: the parent first, then Vietnamese alphabetical order.
pub fn list(conn: &Connection) -> rusqlite::Result<Vec<Unit>> {
    // In index order (units_by_sort holds the rowid too), so SQLite does not
    // sort 10,000 rows; the parent is moved up here.
    let mut st =
        conn.prepare_cached("SELECT id, name, kind, is_parent FROM units ORDER BY sort_key, id")?;
    let mut units: Vec<Unit> = st
        .query_map([], row_to_unit)?
        .collect::<rusqlite::Result<_>>()?;
    if let Some(i) = units.iter().position(|u| u.is_parent) {
        let parent = units.remove(i);
        units.insert(0, parent);
    }
    Ok(units)
}

/// Aliases of every unit, as (unit id, alias), in alphabetical order.
pub fn aliases(conn: &Connection) -> rusqlite::Result<Vec<(i64, String)>> {
    let mut st =
        conn.prepare_cached("SELECT unit_id, alias FROM unit_aliases ORDER BY alias COLLATE vi")?;
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect()
}

/// Checks a new name and returns it cleaned (NFC, single spaces).
pub fn clean_name(name: &str) -> Result<String, UnitError> {
    if text::find_control(name).is_some() {
        return Err(UnitError::Control(text::show(name)));
    }
    let name = text::clean(name);
    if name.is_empty() {
        return Err(UnitError::Empty);
    }
    Ok(name)
}

/// The kind a new unit gets: given, else from its name, else xã (or huyện
/// for a parent).
pub fn kind_for(name: &str, given: Option<UnitKind>, parent: bool) -> UnitKind {
    given
        .or_else(|| UnitKind::split_prefix(name).0)
        .unwrap_or(if parent {
            UnitKind::Huyen
        } else {
            UnitKind::Xa
        })
}

fn check_free(tx: &Connection, name: &str, except_unit: Option<i64>) -> Result<(), UnitError> {
    let key = text::match_key(name);
    let taken: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, name FROM units WHERE match_key = ?1",
            [&key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok();
    if let Some((id, other)) = taken
        && Some(id) != except_unit
    {
        return Err(UnitError::Taken(other, name.to_owned()));
    }
    let alias: Option<(i64, String)> = tx
        .query_row(
            "SELECT a.unit_id, u.name FROM unit_aliases a JOIN units u ON u.id = a.unit_id WHERE a.match_key = ?1",
            [&key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok();
    if let Some((id, owner)) = alias
        && Some(id) != except_unit
    {
        return Err(UnitError::AliasTaken(name.to_owned(), owner));
    }
    Ok(())
}

/// Adds a unit. The caller has cleaned the name with `clean_name`.
pub fn add(
    tx: &Transaction<'_>,
    changeset: i64,
    name: &str,
    kind: UnitKind,
    is_parent: bool,
) -> Result<Unit, UnitError> {
    check_free(tx, name, None)?;
    tx.prepare_cached(
        "INSERT INTO units (name, kind, is_parent, match_key, sort_key, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        name,
        kind.code(),
        is_parent as i64,
        text::match_key(name),
        text::collation_key(name),
        super::now()
    ])?;
    let id = tx.last_insert_rowid();
    log(tx, changeset, id, "add", None, Some(name))?;
    Ok(Unit {
        id,
        name: name.to_owned(),
        kind,
        is_parent,
    })
}

/// Records another spelling of a unit. Returns false if it was already known.
pub fn add_alias(
    tx: &Transaction<'_>,
    changeset: i64,
    alias: &str,
    unit: &Unit,
) -> Result<bool, UnitError> {
    let key = text::match_key(alias);
    if key == text::match_key(&unit.name) {
        return Ok(false);
    }
    let owner: Option<i64> = tx
        .query_row(
            "SELECT unit_id FROM unit_aliases WHERE match_key = ?1",
            [&key],
            |r| r.get(0),
        )
        .ok();
    if owner == Some(unit.id) {
        return Ok(false);
    }
    check_free(tx, alias, None)?;
    tx.execute(
        "INSERT INTO unit_aliases (match_key, alias, unit_id, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![key, alias, unit.id, super::now()],
    )?;
    log(tx, changeset, unit.id, "alias", None, Some(alias))?;
    Ok(true)
}

/// Renames a unit; the old name stays as an alias so old files still match.
pub fn rename(
    tx: &Transaction<'_>,
    changeset: i64,
    unit: &Unit,
    new_name: &str,
) -> Result<(), UnitError> {
    check_free(tx, new_name, Some(unit.id))?;
    let new_key = text::match_key(new_name);
    // The new name may have been one of this unit's aliases: it is the name now.
    tx.execute("DELETE FROM unit_aliases WHERE match_key = ?1", [&new_key])?;
    tx.execute(
        "UPDATE units SET name = ?1, match_key = ?2, sort_key = ?3 WHERE id = ?4",
        params![new_name, new_key, text::collation_key(new_name), unit.id],
    )?;
    let old_key = text::match_key(&unit.name);
    if old_key != new_key {
        tx.execute(
            "INSERT INTO unit_aliases (match_key, alias, unit_id, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![old_key, unit.name, unit.id, super::now()],
        )?;
    }
    log(
        tx,
        changeset,
        unit.id,
        "rename",
        Some(&unit.name),
        Some(new_name),
    )?;
    Ok(())
}

fn log(
    tx: &Transaction<'_>,
    changeset: i64,
    unit_id: i64,
    action: &str,
    old: Option<&str>,
    new: Option<&str>,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO unit_changes (changeset_id, unit_id, action, old_text, new_text) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![changeset, unit_id, action, old, new])?;
    Ok(())
}
