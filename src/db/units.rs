//! Units, their aliases, and matching a name as it arrives to a unit.

use rustc_hash::FxHashMap as HashMap;
use std::cell::OnceCell;

use rusqlite::{Connection, Transaction, params};

use crate::model::{Period, Unit, UnitKind};
use crate::text;

use super::lineage::{self, Lineage};

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
    #[error("\"{0}\": {1}")]
    NotInPeriod(String, String),
    #[error("{0}")]
    Lineage(String),
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
    /// The name is a unit's, but the unit does not exist in the month
    /// asked; `why` says what happened to it (merged, split, not yet formed).
    NotInPeriod {
        id: i64,
        why: String,
    },
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
    /// Keys held by more than one unit (a name reused after a merge, a
    /// name before a rename): every holder, told apart by month.
    shared: HashMap<String, Vec<usize>>,
    /// Per unit: does it share a key with another unit? Then its exact name
    /// alone does not say which unit is meant.
    homonym: Vec<bool>,
    lineage: Lineage,
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
            shared: HashMap::default(),
            homonym: Vec::new(),
            lineage: Lineage::load(conn)?,
            fuzzy: OnceCell::new(),
        };
        let mut keys: Vec<(String, usize)> = Vec::new();
        let mut st = conn.prepare_cached(
            "SELECT id, name, kind, is_parent, valid_from, valid_until, match_key FROM units",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let unit = row_to_unit(r)?;
            let i = index.units.len();
            index.by_id.insert(unit.id, i);
            keys.push((r.get(6)?, i));
            index.by_name.insert(unit.name.clone(), i);
            index.units.push(unit);
        }
        index.homonym = vec![false; index.units.len()];
        // Names before a rename find their unit like its name does.
        for (unit_id, _, name) in &index.lineage.former {
            if let Some(&i) = index.by_id.get(unit_id) {
                keys.push((text::match_key(name), i));
                index.by_name.entry(name.clone()).or_insert(i);
            }
        }
        for (key, i) in keys {
            match index.by_key.get(&key) {
                Some(&j) if j != i => {
                    let holders = index.shared.entry(key).or_insert_with(|| vec![j]);
                    if !holders.contains(&i) {
                        holders.push(i);
                    }
                    index.homonym[i] = true;
                    index.homonym[j] = true;
                }
                Some(_) => {}
                None => {
                    index.by_key.insert(key, i);
                }
            }
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

    pub fn lineage(&self) -> &Lineage {
        &self.lineage
    }

    /// Why `unit` has no values in `p` (see `lineage::absence`).
    pub fn absence(&self, unit: &Unit, p: Period) -> String {
        lineage::absence(&self.lineage, &self.by_id, &self.units, unit, p)
    }

    pub fn units(&self) -> &[Unit] {
        &self.units
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
    /// is unique and the kinds agree ("Xã An Vỹ" finds "An Vỹ"). Of units
    /// that share a name, the one that exists now.
    pub fn resolve(&self, name: &str) -> Resolution {
        self.resolve_in(name, None)
    }

    /// `resolve` for a value of month `period`: of units that share a name,
    /// the one that exists that month; a unit that does not is
    /// `NotInPeriod`, with what happened to it.
    pub fn resolve_in(&self, name: &str, period: Option<Period>) -> Resolution {
        if let Some(&i) = self.by_name.get(name)
            && !self.homonym[i]
            && period.is_none_or(|p| self.units[i].exists_in(p))
        {
            return Resolution::Found(self.units[i].id);
        }
        let key = text::match_key(name);
        // Every unit the key names: by name, former name or alias alike.
        let mut holders: Vec<usize> = match self.shared.get(&key) {
            Some(h) => h.clone(),
            None => self.by_key.get(&key).copied().into_iter().collect(),
        };
        if let Some(&i) = self.by_alias.get(&key)
            && !holders.contains(&i)
        {
            holders.push(i);
        }
        if !holders.is_empty() {
            return self.pick(holders, period);
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
            let parent_only = fits.len() == 1 && self.units[fits[0]].is_parent && kind.is_none();
            if parent_only {
                return Resolution::Unknown {
                    similar: vec![self.units[fits[0]].name.clone()],
                };
            }
            if !fits.is_empty() {
                let names = fits.iter().map(|&i| self.units[i].name.clone()).collect();
                return match self.pick(fits, period) {
                    // Only the parent left (its namesake ended): still a question.
                    Resolution::Found(id)
                        if kind.is_none() && self.get(id).is_some_and(|u| u.is_parent) =>
                    {
                        Resolution::Unknown { similar: names }
                    }
                    r => r,
                };
            }
        }
        Resolution::Unknown {
            similar: self.similar(name),
        }
    }

    /// One of the units a name matched: the one that exists in `period`
    /// (now, without one; else the one that ended last). A name is never
    /// given to two units that live at once (`check_free_during`), former
    /// names included, so one month has at most one holder.
    fn pick(&self, holders: Vec<usize>, period: Option<Period>) -> Resolution {
        let names = |v: &[usize]| v.iter().map(|&i| self.units[i].name.clone()).collect();
        let living: Vec<usize> = holders
            .iter()
            .copied()
            .filter(|&i| match period {
                Some(p) => self.units[i].exists_in(p),
                None => self.units[i].until.is_none(),
            })
            .collect();
        match (living.len(), period) {
            (1, _) => Resolution::Found(self.units[living[0]].id),
            (0, None) => {
                let last = holders.iter().map(|&i| self.units[i].until).max().flatten();
                let ended_last: Vec<usize> = holders
                    .iter()
                    .copied()
                    .filter(|&i| self.units[i].until == last)
                    .collect();
                match ended_last.as_slice() {
                    [i] => Resolution::Found(self.units[*i].id),
                    _ => Resolution::Ambiguous(names(&holders)),
                }
            }
            (0, Some(p)) => {
                // The one closest to the month asked: why it is not there.
                let i = holders
                    .iter()
                    .copied()
                    .min_by_key(|&i| {
                        let u = &self.units[i];
                        match (u.from, u.until) {
                            (Some(f), _) if p.last_month() < f => f.key() - p.last_month().key(),
                            (_, Some(t)) => p.last_month().key() - t.key(),
                            _ => i64::MAX,
                        }
                    })
                    .expect("holders are never empty");
                let unit = &self.units[i];
                Resolution::NotInPeriod {
                    id: unit.id,
                    why: lineage::absence(&self.lineage, &self.by_id, &self.units, unit, p),
                }
            }
            _ => Resolution::Ambiguous(names(if living.is_empty() { &holders } else { &living })),
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
        self.require_in(name, None)
    }

    /// `require` for a value of month `period` (see `resolve_in`).
    pub fn require_in(&self, name: &str, period: Option<Period>) -> Result<&Unit, UnitError> {
        match self.resolve_in(name, period) {
            Resolution::NotInPeriod { why, .. } => {
                Err(UnitError::NotInPeriod(text::show(name), why))
            }
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

/// A unit from `id, name, kind, is_parent, valid_from, valid_until`.
fn row_to_unit(r: &rusqlite::Row<'_>) -> rusqlite::Result<Unit> {
    let month = |i: usize| -> rusqlite::Result<Option<Period>> {
        Ok(r.get::<_, Option<i64>>(i)?.and_then(Period::from_key))
    };
    Ok(Unit {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: UnitKind::from_code(r.get_ref(2)?.as_str()?).unwrap_or(UnitKind::Xa),
        is_parent: r.get::<_, i64>(3)? == 1,
        from: month(4)?,
        until: month(5)?,
    })
}

/// All units: the parent first, then Vietnamese alphabetical order.
pub fn list(conn: &Connection) -> rusqlite::Result<Vec<Unit>> {
    // In index order (units_by_sort holds the rowid too), so SQLite does not
    // sort 10,000 rows; the parent is moved up here.
    let mut st = conn.prepare_cached(
        "SELECT id, name, kind, is_parent, valid_from, valid_until FROM units ORDER BY sort_key, id",
    )?;
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
    // A name is one line of a table and of a letter: a 1 MB "name" would
    // pad every row of `units list` to its width.
    const MAX_CHARS: usize = 200;
    let name = text::clean(name);
    if name.is_empty() {
        return Err(UnitError::Empty);
    }
    let chars = name.chars().count();
    if chars > MAX_CHARS {
        return Err(UnitError::Lineage(format!(
            "tên đơn vị dài {chars} ký tự, quá giới hạn {MAX_CHARS} ký tự; hãy rút gọn tên"
        )));
    }
    Ok(name)
}

/// A name as a file may spell it that a letter should not print as it is:
/// all in capitals ("ĐÔNG TẢO"), all in small letters, with doubled spaces
/// or a trailing dot. Returns what is odd, in words, and the name to offer
/// (title case, the kind word as chiso writes it: "Xã Đông Tảo"), which
/// is the cleaned name itself when only spaces were odd.
pub fn odd_name(raw: &str) -> Option<(Vec<&'static str>, String)> {
    let name = text::clean(raw);
    let mut why = Vec::new();
    let letters: Vec<char> = name.chars().filter(|c| c.is_alphabetic()).collect();
    let cased = letters.len() >= 2;
    // One word of plain capitals is an acronym ("BHXH", "VNPT"), as
    // agencies are named: not odd.
    let acronym = !name.contains(' ') && letters.iter().all(|c| c.is_ascii_uppercase());
    let upper = cased && !acronym && letters.iter().all(|c| !c.is_lowercase());
    let lower = cased && letters.iter().all(|c| !c.is_uppercase());
    if upper {
        why.push("viết toàn chữ hoa");
    } else if lower {
        why.push("viết toàn chữ thường");
    }
    if raw.trim().contains("  ") {
        why.push("có khoảng trắng thừa");
    }
    let trimmed = name.trim_end_matches(['.', ',', ';']).trim_end();
    if trimmed.len() < name.len() {
        why.push("có dấu chấm câu ở cuối");
    }
    if why.is_empty() {
        return None;
    }
    let offer = if upper || lower {
        match UnitKind::split_prefix(trimmed) {
            (Some(kind), rest) if kind != UnitKind::CoQuan => {
                format!("{} {}", kind.prefix(), text::title_case(rest))
            }
            _ => text::title_case(trimmed),
        }
    } else {
        trimmed.to_owned()
    };
    Some((why, offer))
}

/// The kind of a new parent (the issuing level): given, else from its
/// name, else huyện.
pub fn parent_kind(name: &str, given: Option<UnitKind>) -> UnitKind {
    given
        .or_else(|| UnitKind::split_prefix(name).0)
        .unwrap_or(UnitKind::Huyen)
}

/// The kind of a new child unit: given, else from its name (a kind word, or
/// under a province an agency's first word: Sở, Ban, Công an …); under a
/// district a bare name is a xã, as the seed's communes are; under a
/// province it is None, never a guess.
pub fn kind_for_child(name: &str, given: Option<UnitKind>, province: bool) -> Option<UnitKind> {
    if given.is_some() {
        return given;
    }
    if let Some(k) = UnitKind::split_prefix(name).0 {
        return Some(k);
    }
    if province {
        UnitKind::is_agency_name(name).then_some(UnitKind::CoQuan)
    } else {
        Some(UnitKind::Xa)
    }
}

/// Why a child of this kind cannot be created under `parent`, if it can't:
/// under a district only communes; under a province also agencies and
/// the districts of before 7/2025, never another province.
pub fn kind_refused(kind: UnitKind, province: bool) -> Option<String> {
    let refused = match kind {
        UnitKind::Tinh => true,
        UnitKind::CoQuan => !province,
        k if k.is_parent_level() => !province,
        _ => false,
    };
    refused.then(|| match kind {
        UnitKind::CoQuan => {
            "không tạo được cơ quan cấp tỉnh (co_quan) dưới đơn vị cấp huyện".to_owned()
        }
        _ => format!(
            "không tạo được đơn vị cấp {} dưới đơn vị cấp trên này",
            kind.prefix().to_lowercase()
        ),
    })
}

/// Is there a unit or alias with this name that would exist at the same
/// time as a new one living `from`..`until`? Two units may share a name
/// only in months that do not overlap.
fn check_free(tx: &Connection, name: &str, except_unit: Option<i64>) -> Result<(), UnitError> {
    check_free_during(tx, name, except_unit, None, None)
}

pub(super) fn check_free_during(
    tx: &Connection,
    name: &str,
    except_unit: Option<i64>,
    from: Option<Period>,
    until: Option<Period>,
) -> Result<(), UnitError> {
    let key = text::match_key(name);
    let mut st = tx.prepare_cached(
        "SELECT id, name, valid_from, valid_until FROM units WHERE match_key = ?1",
    )?;
    let holders: Vec<(i64, String, Option<i64>, Option<i64>)> = st
        .query_map([&key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let (from, until) = (from.map(Period::key), until.map(Period::key));
    for (id, other, f, u) in holders {
        let overlap = from.is_none_or(|a| u.is_none_or(|u| a < u))
            && f.is_none_or(|f| until.is_none_or(|b| f < b));
        if Some(id) != except_unit && overlap {
            return Err(UnitError::Taken(other, name.to_owned()));
        }
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
    // A name another unit had before a rename still finds that unit.
    let former: Option<String> = tx
        .query_row(
            "SELECT u.name FROM unit_names n JOIN units u ON u.id = n.unit_id
             WHERE n.match_key = ?1 AND n.unit_id <> coalesce(?2, -1)",
            params![key, except_unit],
            |r| r.get(0),
        )
        .ok();
    if let Some(owner) = former {
        return Err(UnitError::Lineage(format!(
            "tên \"{name}\" là tên cũ của đơn vị \"{owner}\" (trước khi đổi tên); chọn tên khác"
        )));
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
    add_from(tx, changeset, name, kind, is_parent, None)
}

/// `add` for a unit that exists from month `from` on (formed by a merge
/// or split): it may share a name with a unit that ended before.
pub fn add_from(
    tx: &Transaction<'_>,
    changeset: i64,
    name: &str,
    kind: UnitKind,
    is_parent: bool,
    from: Option<Period>,
) -> Result<Unit, UnitError> {
    check_free_during(tx, name, None, from, None)?;
    tx.prepare_cached(
        "INSERT INTO units (name, kind, is_parent, match_key, sort_key, created_at, valid_from) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        name,
        kind.code(),
        is_parent as i64,
        text::match_key(name),
        text::collation_key(name),
        super::now(),
        from.map(Period::key)
    ])?;
    let id = tx.last_insert_rowid();
    log(tx, changeset, id, "add", None, Some(name))?;
    Ok(Unit {
        id,
        name: name.to_owned(),
        kind,
        is_parent,
        from,
        until: None,
    })
}

/// Adds the units a file or a paste names that the database lacks (the
/// TUI's `c` in a preview, as `import --create-units` does): each name
/// cleaned, its kind from the name (a bare name under a district is a xã;
/// under a province the name must say). All of them or, with the first
/// that cannot be made, none (the caller's transaction).
pub fn add_named(
    tx: &Transaction<'_>,
    changeset: i64,
    names: &[String],
) -> Result<Vec<Unit>, UnitError> {
    let province = UnitIndex::load(tx)?
        .parent()
        .is_some_and(|p| p.is_province());
    names
        .iter()
        .map(|raw| {
            let name = clean_name(raw)?;
            let Some(kind) = kind_for_child(&name, None, province) else {
                return Err(UnitError::Lineage(format!(
                    "không biết \"{name}\" là loại đơn vị nào (xã, phường, cơ quan…): ghi tên kèm \"Xã\", \"Phường\", \"Sở\"…, hoặc chiso units add \"{name}\" --kind LOẠI"
                )));
            };
            if let Some(why) = kind_refused(kind, province) {
                return Err(UnitError::Lineage(format!("\"{name}\": {why}")));
            }
            add(tx, changeset, &name, kind, false)
        })
        .collect()
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
    check_free(tx, alias, Some(unit.id))?;
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

pub(super) fn log(
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

#[cfg(test)]
mod tests {
    use super::odd_name;

    #[test]
    fn odd_names_get_a_title_cased_offer() {
        let offer = |raw: &str| odd_name(raw).map(|(_, o)| o);
        assert_eq!(offer("ĐÔNG TẢO").as_deref(), Some("Đông Tảo"));
        assert_eq!(offer("XÃ ĐÔNG TẢO").as_deref(), Some("Xã Đông Tảo"));
        assert_eq!(
            offer("THỊ TRẤN KHOÁI CHÂU").as_deref(),
            Some("Thị trấn Khoái Châu")
        );
        assert_eq!(offer("đông tảo").as_deref(), Some("Đông Tảo"));
        assert_eq!(offer("Xã Mê Linh.").as_deref(), Some("Xã Mê Linh"));
        let (why, o) = odd_name("Đông  Tảo").unwrap();
        assert_eq!(
            (why, o.as_str()),
            (vec!["có khoảng trắng thừa"], "Đông Tảo")
        );
        // Names as a letter writes them, and short codes, are left alone.
        for fine in [
            "Đông Tảo",
            "Thị trấn Khoái Châu",
            "Sở Tư pháp",
            "Xã 1",
            "A",
            "BHXH",
            "VNPT",
        ] {
            assert_eq!(odd_name(fine), None, "{fine}");
        }
    }
}
