//! The TUI's state and `update`: an action in, the state changed. No
//! drawing and no terminal here; data comes from the library (db, rules).

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;

use super::action::Action;
use super::columns;
use super::editing::{Confirm, Editor};
use super::filter::{self, Filter};
use super::pasting::{PathPrompt, PreviewState};
use crate::db::{self, Actor, Catalog, Db, audit};
use crate::edit;
use crate::model::{Group, MetricKind, Period, PeriodKind, Unit, Value};
use crate::rules::month::{self, MonthTable, Scope, Stretch};
use crate::rules::{self, CompareWith, Findings, Rule, Severity};
use crate::text;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Month,
    Findings,
    Unit(i64),
    Help,
    /// The change history of one cell.
    Log,
    /// What a paste or an import would change, before `y` writes it.
    Preview,
    /// The month's công văn as text (`r`).
    Report,
}

/// Keys that move the cursor between rows.
fn is_move(a: Action) -> bool {
    matches!(
        a,
        Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::Home | Action::End
    )
}

/// What `L` shows: one cell's changes, oldest first.
pub struct CellLog {
    pub title: String,
    pub kind: MetricKind,
    pub entries: Vec<audit::Entry>,
    /// The zone its times are shown in (the `timezone` setting, else the
    /// machine's; +07:00 on a machine on UTC), as `chiso log` shows them.
    pub zone: crate::db::local_time::Zone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortCol {
    Name,
    Metric(usize),
    Findings,
}

/// The rules one unit breaks this month.
#[derive(Debug, Clone, Default)]
pub struct Mark {
    pub rules: Vec<usize>,
    pub worst: Option<Severity>,
}

/// The month on screen.
pub struct MonthState {
    pub table: MonthTable,
    /// Catalog indices of the metrics with data this month, in order.
    pub columns: Vec<usize>,
    /// Per unit (index into `table.units`): the rules it breaks.
    pub marks: Vec<Mark>,
    /// Units passing the filter, in display order.
    pub visible: Vec<usize>,
    /// Units with a value for every metric shown.
    pub complete: usize,
    /// `PRAGMA data_version` before the table was read, if every month in
    /// it was read since: the findings view borrows the table only then.
    pub read_at: Option<i64>,
    /// Per unit (index into `table.units`): its name folded, for the filter.
    pub folded: Arc<Vec<String>>,
    /// Units formed or changed this period (took in another unit or a
    /// part of one): marked, and never compared with the period before.
    pub fresh: rustc_hash::FxHashSet<i64>,
    /// The same period a year before, read when `d` compares with it.
    pub last_year: Option<LastYear>,
    /// The groups of units this month, in display order.
    pub groups: Vec<Group>,
    /// The units of the scope it was read with: a month read with other
    /// units is not lent to the next.
    scope_units: Arc<Vec<Unit>>,
}

/// The same period a year before (cùng kỳ năm trước), what `d` compares
/// with in its second state.
pub struct LastYear {
    pub month: rules::Month,
    /// Units formed or changed since then: nothing to compare with there
    /// (a commune formed in 7/2025 has no quý III/2024).
    pub fresh: rustc_hash::FxHashSet<i64>,
}

/// The units as last read, shared by every month until the file changes:
/// moving between months reads neither them nor their names again.
struct Units {
    scope: Scope,
    /// Per unit (index into `scope.units`): its name folded, for the filter.
    folded: Arc<Vec<String>>,
    /// Display width of the longest name, parent and former names
    /// included, with room for the mark of a new unit.
    longest_name: usize,
    /// Unit id → index into `scope.units`.
    position: rustc_hash::FxHashMap<i64, usize>,
    /// `PRAGMA data_version` just before they were read.
    read_at: i64,
}

impl Units {
    fn load(conn: &rusqlite::Connection, read_at: i64) -> rusqlite::Result<Units> {
        let scope = Scope::load(conn)?;
        let folded = Arc::new(scope.units.iter().map(|u| text::fold(&u.name)).collect());
        let width = |s: &str| ratatui::text::Line::from(s).width();
        let former = scope.lineage.former.iter().map(|(_, _, n)| width(n));
        let mark = if scope.simple { 0 } else { NEW_MARK.len() };
        let longest_name = scope
            .units
            .iter()
            .chain(&scope.parent)
            .map(|u| width(&u.name) + mark)
            .chain(former)
            .max()
            .unwrap_or(0);
        let position = scope
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id, i))
            .collect();
        Ok(Units {
            scope,
            folded,
            longest_name,
            position,
            read_at,
        })
    }
}

/// After the name of a unit formed or changed in the month shown.
pub const NEW_MARK: &str = " *";

/// How the help and the footer explain `NEW_MARK`.
pub const NEW_MARK_HELP: &str = "đơn vị mới lập hoặc vừa nhận thêm đơn vị sau kỳ được so sánh (kỳ trước, hoặc cùng kỳ năm trước khi d chọn): không so sánh";

/// "Cơ quan", "Huyện", "Xã": a group in a narrow column.
pub fn group_short(g: Group) -> &'static str {
    match g {
        Group::CoQuan => "Cơ quan",
        Group::Huyen => "Huyện",
        Group::Xa => "Xã",
    }
}

impl MonthState {
    pub fn value(&self, unit: usize, metric: usize) -> Option<&Value> {
        let id = self.table.units[unit].id;
        self.table
            .current
            .units
            .get(&id)
            .and_then(|r| r[metric].as_ref())
    }

    /// The unit's value the period before; none for a unit formed or
    /// changed this period (a predecessor's figure is another unit's).
    pub fn before(&self, unit: usize, metric: usize) -> Option<&Value> {
        self.compared(unit, metric, CompareWith::Previous)
    }

    /// The unit's value in the period `with` names (the one before, or
    /// the same a year before if read); none for a unit formed or changed
    /// since then: like for like across a merge.
    pub fn compared(&self, unit: usize, metric: usize, with: CompareWith) -> Option<&Value> {
        let id = self.table.units[unit].id;
        let (month, fresh) = self.base(with)?;
        if fresh.contains(&id) {
            return None;
        }
        month.units.get(&id).and_then(|r| r[metric].as_ref())
    }

    /// The parent's value in the period `with` names.
    pub fn parent_compared(&self, metric: usize, with: CompareWith) -> Option<&Value> {
        let (month, _) = self.base(with)?;
        month.parent.as_ref().and_then(|r| r[metric].as_ref())
    }

    /// The period compared with, its figures and the units not comparable
    /// with it; None: the year before is not read.
    fn base(&self, with: CompareWith) -> Option<(&rules::Month, &rustc_hash::FxHashSet<i64>)> {
        match with {
            CompareWith::Previous => Some((&self.table.before, &self.fresh)),
            CompareWith::LastYear => self.last_year.as_ref().map(|l| (&l.month, &l.fresh)),
        }
    }

    /// The units marked new: formed or changed this period, or since the
    /// same period a year before when the change shown is against it.
    pub fn marked(&self, change: Option<CompareWith>) -> &rustc_hash::FxHashSet<i64> {
        match (change, &self.last_year) {
            (Some(CompareWith::LastYear), Some(l)) => &l.fresh,
            _ => &self.fresh,
        }
    }

    /// The period `with` names for the period shown.
    pub fn compared_period(&self, with: CompareWith) -> Period {
        with.period(self.table.period)
    }

    /// Does the period compared with have any figure?
    pub fn compared_has_data(&self, with: CompareWith) -> bool {
        self.base(with).is_some_and(|(m, _)| !m.is_empty())
    }
}

pub struct UnitDetail {
    pub unit: Unit,
    /// The kind of period shown: its months, quarters or years.
    pub kind: PeriodKind,
    /// Its own periods, then those of the units it was formed from.
    pub stretches: Vec<Stretch>,
}

pub struct App {
    pub(super) db: Db,
    /// Who edits, for the audit trail.
    pub(super) actor: Actor,
    /// The session's edits, for undo and redo.
    pub(super) history: edit::History,
    /// The cell being typed into, if any.
    pub editor: Option<Editor>,
    /// A question on the footer waiting for y.
    pub confirm: Option<Confirm>,
    /// A month opened with `n` that has no data yet.
    pub pending: Option<Period>,
    pub log: Option<CellLog>,
    /// A paste or import waiting for `y`.
    pub preview: Option<PreviewState>,
    /// The path prompt of `i` and `w`.
    pub prompt: Option<PathPrompt>,
    /// Files read by `i` while their month is asked.
    pub pending_import: Option<super::pasting::PendingImport>,
    pub report: Option<super::reporting::ReportView>,
    pub cat: Catalog,
    pub rules: Vec<Rule>,
    /// Periods with data, of every kind, in key order: each kind's in
    /// time order, the kinds interleaved (a year before its months,
    /// quarters after them): filter by kind.
    pub periods: Vec<Period>,
    pub month: Option<MonthState>,
    /// None until first needed and after the file changed.
    units: Option<Units>,
    /// Views stacked: the month table at the bottom, the one shown last.
    pub views: Vec<View>,
    pub filter_input: String,
    pub filter_editing: bool,
    pub filter_error: Option<String>,
    pub filter: Filter,
    /// The group shown (`g`); None: every unit.
    pub group: Option<Group>,
    /// Sort keys, first is primary: (column, descending).
    pub sort: Vec<(SortCol, bool)>,
    /// The change shown in each cell (`d`): against the period before or
    /// the same period a year before; None: no change.
    pub change: Option<CompareWith>,
    pub cursor: usize,
    /// The cursor is on the parent's row (above the first unit), to type
    /// the parent's own figures.
    pub on_parent: bool,
    pub top: usize,
    /// Selected column: 0 name, 1..=n metric columns, n+1 findings.
    pub col: usize,
    /// First metric column drawn (the name column stays).
    pub col_offset: usize,
    /// Metric columns that fit on screen, and rows per page (set by `resize`).
    pub fit_cols: usize,
    pub page: usize,
    /// The screen's width (set by `terminal::fit`): how far the unit's
    /// columns scroll.
    pub width: usize,
    pub findings: Option<Findings>,
    /// Index into the findings of the one selected.
    pub findings_cursor: usize,
    /// The findings in the order shown: by group when there are several
    /// (indices into the findings), with each group's own findings for
    /// the rules' sentences. Empty: one group, in their order.
    pub findings_groups: Vec<(Group, Findings, Vec<usize>)>,
    /// Display width of the longest unit name among the findings.
    pub findings_longest_name: usize,
    pub unit: Option<UnitDetail>,
    pub scroll: usize,
    /// Columns scrolled sideways in the letter (`r`): its annexes are wide.
    pub scroll_x: usize,
    pub message: Option<String>,
    pub quit: bool,
    data_version: i64,
    /// The file or its folder is not writable: edits are refused.
    pub read_only: bool,
    /// A write waiting for another process's write (`waiting`).
    pub waiting: Option<super::waiting::Waiting>,
    /// How long a write waits for another in all (`db::wait_limit`).
    pub wait_limit: std::time::Duration,
    /// While a waiting write is tried again: when it first waited.
    pub(super) wait_started: Option<std::time::Instant>,
}

impl App {
    /// Opens the database and the latest month with data.
    pub fn open(path: &Path) -> anyhow::Result<App> {
        let mut db = Db::open(path)?;
        let read_only = db.read_only();
        if !read_only {
            // The screen must keep answering: a save waits a moment, then
            // is tried again from the event loop (`waiting`).
            db.set_wait(db::Wait::Brief(super::waiting::ATTEMPT))?;
        }
        // A session reads many months over hours: mapped pages it touched
        // would stay resident; the page cache is bounded (14 MB less on a
        // national file, `cargo bench --bench tui`).
        db.conn().pragma_update(None, "mmap_size", 0)?;
        // Before anything is read: what is read after is at least as new.
        let version = db::data_version(db.conn())?;
        let cat = Catalog::load(db.conn())?;
        let rules = rules::load_rules(db.conn())?;
        let mut app = App {
            db,
            actor: Actor::from_env(),
            history: edit::History::default(),
            editor: None,
            confirm: None,
            pending: None,
            log: None,
            preview: None,
            prompt: None,
            pending_import: None,
            report: None,
            cat,
            rules,
            periods: Vec::new(),
            month: None,
            units: None,
            views: vec![View::Month],
            filter_input: String::new(),
            filter_editing: false,
            filter_error: None,
            filter: Filter::default(),
            group: None,
            sort: Vec::new(),
            change: None,
            cursor: 0,
            on_parent: false,
            top: 0,
            col: 0,
            col_offset: 0,
            fit_cols: 5,
            page: 20,
            width: 80,
            findings: None,
            findings_cursor: 0,
            findings_groups: Vec::new(),
            findings_longest_name: 0,
            unit: None,
            scroll: 0,
            scroll_x: 0,
            message: None,
            quit: false,
            data_version: version,
            read_only,
            waiting: None,
            wait_limit: db::wait_limit(),
            wait_started: None,
        };
        app.periods = app.load_periods()?;
        if let Some(first) = app.opening() {
            app.load_month(first)?;
        }
        Ok(app)
    }

    pub fn db_path(&self) -> &Path {
        self.db.path()
    }

    pub fn view(&self) -> View {
        *self.views.last().unwrap_or(&View::Month)
    }

    fn db_version(&self) -> rusqlite::Result<i64> {
        db::data_version(self.db.conn())
    }

    /// The kind of period shown (months in a file without data).
    pub fn kind(&self) -> PeriodKind {
        self.month
            .as_ref()
            .map_or(PeriodKind::Month, |m| m.table.period.kind())
    }

    /// The latest period of `kind` with data.
    pub(super) fn latest(&self, kind: PeriodKind) -> Option<Period> {
        self.periods
            .iter()
            .rev()
            .copied()
            .find(|p| p.kind() == kind)
    }

    /// Where a file opens: its latest month, else its latest quarter,
    /// else its latest year.
    fn opening(&self) -> Option<Period> {
        PeriodKind::ALL.into_iter().find_map(|k| self.latest(k))
    }

    fn load_periods(&self) -> rusqlite::Result<Vec<Period>> {
        Ok(db::periods_with_data(self.db.conn())?
            .iter()
            .filter_map(|p| Period::parse(p))
            .collect())
    }

    pub(super) fn load_month(&mut self, period: Period) -> anyhow::Result<()> {
        let keep = self.cursor_unit();
        // Before anything is read: what is read after is at least as new.
        let version = self.db_version()?;
        if self.units.is_none() {
            self.units = Some(Units::load(self.db.conn(), version)?);
        }
        let units = self.units.as_ref().expect("loaded above");
        // The month shown lends the month it shares with the new one; the
        // rest of it goes before anything is read.
        let old = self
            .month
            .take()
            .map(|m| (m.table, m.read_at, m.scope_units));
        let shown = old.as_ref().map(|(t, _, _)| t.period);
        // Read after a change to the file: the old month is stale.
        let old = old
            .filter(|(_, _, s)| Arc::ptr_eq(s, &units.scope.units))
            .map(|(t, r, _)| (t, r));
        // Lent on to the findings only if the catalog, the units and any
        // month kept from before were all read at this version: a write by
        // another process not yet noticed makes them differ.
        let read_at = Some(version).filter(|_| {
            self.data_version == version
                && units.read_at == version
                && old.as_ref().is_none_or(|o| o.1 == Some(version))
        });
        let old = old.map(|(t, _)| t);
        let conn = self.db.conn();
        let read =
            |old| month::month_table_in(conn, &self.cat, &self.rules, &units.scope, period, old);
        let table = match read(old) {
            Ok(t) => t,
            Err(e) => {
                // Put the month shown back, if it can still be read.
                if let Some(p) = shown
                    && let Ok(t) =
                        month::month_table_in(conn, &self.cat, &self.rules, &units.scope, p, None)
                {
                    self.month = Some(self.month_state(t));
                    self.refresh(keep);
                }
                return Err(e).with_context(|| format!("đọc số liệu {}", period.label_vi()));
            }
        };
        self.month = Some(MonthState {
            read_at,
            ..self.month_state(table)
        });
        if self.change == Some(CompareWith::LastYear) {
            self.read_last_year()?;
        }
        self.findings = None;
        self.findings_groups.clear();
        // A group the month does not have (districts after 7/2025).
        if let Some(g) = self.group
            && let Some(m) = &self.month
            && !m.groups.contains(&g)
        {
            self.group = None;
            self.message = Some(format!(
                "{} không có {}: hiện mọi đơn vị.",
                text::capitalize(&period.label_vi()),
                g.label_vi()
            ));
        }
        // The filter's metrics may differ this month: parse it again.
        self.apply_filter_input();
        self.refresh(keep);
        Ok(())
    }

    /// What the screen needs of a month table, counted once.
    fn month_state(&self, table: MonthTable) -> MonthState {
        // The month's metrics and last month's: a month being typed in
        // shows every column it will need, empty cells as dots.
        let has = |month: &rules::Month, m: usize| month.present.get(m).copied().unwrap_or(false);
        let mut columns: Vec<usize> = (0..self.cat.metrics.len())
            .filter(|&m| has(&table.current, m) || has(&table.before, m))
            .collect();
        // With no month before to follow (the first month of a file), the
        // month's columns are the annexes' metrics, so that they stay put
        // as the first values arrive.
        if table.before.is_empty() {
            for code in crate::report::ANNEX_1.iter().chain(&crate::report::ANNEX_2) {
                if let Some(m) = self.cat.index_of(code)
                    && !columns.contains(&m)
                {
                    columns.push(m);
                }
            }
            columns.sort_unstable();
        }
        if columns.is_empty() {
            columns = (0..self.cat.metrics.len()).collect();
        }
        // The month's units are the scope's (the same list) unless some
        // unit starts, ends or is renamed: then they are looked up anew.
        let units = self.units.as_ref().expect("read with the month");
        let same = Arc::ptr_eq(&table.units, &units.scope.units);
        let own: rustc_hash::FxHashMap<i64, usize>;
        let position = if same {
            &units.position
        } else {
            own = table
                .units
                .iter()
                .enumerate()
                .map(|(i, u)| (u.id, i))
                .collect();
            &own
        };
        let folded = if same {
            Arc::clone(&units.folded)
        } else {
            Arc::new(table.units.iter().map(|u| text::fold(&u.name)).collect())
        };
        let groups: Vec<Group> = Group::ALL
            .into_iter()
            .filter(|g| table.units.iter().any(|u| u.group() == *g))
            .collect();
        let fresh = units.scope.fresh_in(table.period);
        // Straight into each unit's slot: no map of lists in between.
        let mut marks = vec![Mark::default(); table.units.len()];
        for (ri, unit) in &table.hits {
            let Some(&at) = position.get(unit) else {
                continue;
            };
            let mark = &mut marks[at];
            if !mark.rules.contains(ri) {
                mark.rules.push(*ri);
                let sev = self.rules[*ri].severity;
                mark.worst = Some(mark.worst.map_or(sev, |w| w.min(sev)));
            }
        }
        // Counted once here, not on every frame: 10,000 units nationally.
        let complete = table
            .units
            .iter()
            .filter(|u| {
                let row = table.current.units.get(&u.id);
                columns.iter().all(|&m| row.is_some_and(|r| r[m].is_some()))
            })
            .count();
        MonthState {
            scope_units: Arc::clone(&units.scope.units),
            table,
            columns,
            marks,
            visible: Vec::new(),
            complete,
            read_at: None,
            folded,
            fresh,
            last_year: None,
            groups,
        }
    }

    /// Reads the same period a year before for the month shown, unless
    /// it is read already.
    fn read_last_year(&mut self) -> anyhow::Result<()> {
        let (Some(m), Some(units)) = (self.month.as_mut(), self.units.as_ref()) else {
            return Ok(());
        };
        if m.last_year.is_some() {
            return Ok(());
        }
        let shown = m.table.period;
        let period = shown.year_before();
        let month = units
            .scope
            .read(self.db.conn(), &self.cat, period, &|_| true, None, None)
            .with_context(|| format!("đọc số liệu {}", period.label_vi()))?;
        let fresh = units.scope.fresh_since(period, shown);
        m.last_year = Some(LastYear { month, fresh });
        Ok(())
    }

    /// Periods of `kind` to step through: those with data and a new one
    /// being typed.
    fn steps(&self, kind: PeriodKind) -> Vec<Period> {
        let mut all: Vec<Period> = self
            .periods
            .iter()
            .copied()
            .filter(|p| p.kind() == kind)
            .collect();
        if let Some(p) = self
            .pending
            .filter(|p| p.kind() == kind && !all.contains(p))
        {
            all.push(p);
            all.sort();
        }
        all
    }

    /// Where a unit is among the visible rows.
    pub(super) fn visible_position(&self, id: i64) -> Option<usize> {
        let m = self.month.as_ref()?;
        m.visible.iter().position(|&u| m.table.units[u].id == id)
    }

    pub(super) fn cursor_down(&mut self) {
        let n = self.month.as_ref().map_or(0, |m| m.visible.len());
        self.cursor = (self.cursor + 1).min(n.saturating_sub(1));
    }

    pub(super) fn after_move(&mut self) {
        self.clamp_scroll();
        self.clamp_columns();
    }

    /// After our own write (which `data_version` does not report): read
    /// the units, months and the written month again; the cursor stays on
    /// its unit.
    pub(super) fn show_written(&mut self, period: Period, unit_id: i64) -> anyhow::Result<()> {
        self.units = None;
        self.findings = None;
        self.periods = self.load_periods()?;
        if self.pending.is_some_and(|p| self.periods.contains(&p)) {
            self.pending = None;
        }
        self.load_month(period)?;
        if let Some(d) = &self.unit
            && d.unit.id == unit_id
        {
            let stretches =
                month::history_across(self.db.conn(), &self.cat, &self.rules, unit_id, d.kind)?;
            if let Some(d) = &mut self.unit {
                d.stretches = stretches;
            }
        }
        Ok(())
    }

    /// Id of the unit under the cursor in the month table.
    fn cursor_unit(&self) -> Option<i64> {
        let m = self.month.as_ref()?;
        if self.on_parent {
            return m.table.parent.as_ref().map(|p| p.id);
        }
        m.visible.get(self.cursor).map(|&u| m.table.units[u].id)
    }

    /// Recomputes the visible rows (filter, sort) and puts the cursor back
    /// on `keep` if it is still there.
    fn refresh(&mut self, keep: Option<i64>) {
        let Some(m) = self.month.as_mut() else {
            return;
        };
        let f = &self.filter;
        let group = self.group;
        let mut visible: Vec<usize> = (0..m.table.units.len())
            .filter(|&u| {
                let unit = &m.table.units[u];
                let row = m.table.current.units.get(&unit.id);
                group.is_none_or(|g| unit.group() == g)
                    && f.matches_group(unit.group())
                    && f.matches(
                        &m.folded[u],
                        |metric| row.and_then(|r| r[metric].as_ref()),
                        !m.marks[u].rules.is_empty(),
                    )
            })
            .collect();
        // Units are in name order; stable sorts keep it for ties.
        for &(col, desc) in self.sort.iter().rev() {
            sort_by(&mut visible, m, &self.cat, col, desc);
        }
        // Agencies, districts, communes, as a province's letter has them;
        // the sort within each.
        if m.groups.len() > 1 {
            let units = &m.table.units;
            visible.sort_by_key(|&u| units[u].group());
        }
        m.visible = visible;
        let n = m.visible.len();
        self.cursor = keep
            .and_then(|id| m.visible.iter().position(|&u| m.table.units[u].id == id))
            .unwrap_or(self.cursor.min(n.saturating_sub(1)));
        self.clamp_scroll();
    }

    fn clamp_scroll(&mut self) {
        let page = self.page.max(1);
        if self.cursor < self.top {
            self.top = self.cursor;
        } else if self.cursor >= self.top + page {
            self.top = self.cursor + 1 - page;
        }
        // After the rows change (a filter, a sort, a month, a group) the
        // screen fills: no rows left hidden above empty lines.
        let n = self.month.as_ref().map_or(0, |m| m.visible.len());
        self.top = self.top.min(n.saturating_sub(page));
    }

    fn apply_filter_input(&mut self) {
        let columns = self
            .month
            .as_ref()
            .map(|m| m.columns.clone())
            .unwrap_or_default();
        let cat = &self.cat;
        match filter::parse(&self.filter_input, cat, &columns, |i| {
            columns::title(&cat.metrics[i])
        }) {
            Ok(f) => {
                self.filter = f;
                self.filter_error = None;
            }
            Err(e) => self.filter_error = Some(e),
        }
    }

    /// Number of columns in the month table besides STT: name, metrics,
    /// findings.
    pub fn column_count(&self) -> usize {
        self.month.as_ref().map_or(0, |m| m.columns.len()) + 2
    }

    pub fn column_at(&self, col: usize) -> SortCol {
        let n = self.month.as_ref().map_or(0, |m| m.columns.len());
        match col {
            0 => SortCol::Name,
            c if c <= n => SortCol::Metric(self.month.as_ref().map_or(0, |m| m.columns[c - 1])),
            _ => SortCol::Findings,
        }
    }

    /// The worst severity among `broken` rules that judge `metric`: it
    /// colours that metric's cell.
    pub fn worst_on_metric(&self, broken: &[usize], metric: usize) -> Option<Severity> {
        broken
            .iter()
            .map(|&r| &self.rules[r])
            .filter(|r| r.metric.as_deref().and_then(|c| self.cat.index_of(c)) == Some(metric))
            .map(|r| r.severity)
            .min()
    }

    /// Does the month table show a group column (a province's month with
    /// more than one group)?
    pub fn group_column(&self) -> bool {
        self.month.as_ref().is_some_and(|m| m.groups.len() > 1)
    }

    /// Width of the longest unit name, parent included (the name column).
    pub fn longest_name(&self) -> usize {
        self.units.as_ref().map_or(0, |u| u.longest_name)
    }

    /// Tells the app the size of the area the month table gets.
    pub fn resize(&mut self, rows: usize, metric_cols: usize) {
        self.page = rows.max(1);
        self.fit_cols = metric_cols.max(1);
        self.clamp_scroll();
        self.clamp_columns();
    }

    fn clamp_columns(&mut self) {
        let n = self.month.as_ref().map_or(0, |m| m.columns.len());
        if self.col >= 1 && self.col <= n {
            let i = self.col - 1;
            if i < self.col_offset {
                self.col_offset = i;
            } else if i >= self.col_offset + self.fit_cols {
                self.col_offset = i + 1 - self.fit_cols;
            }
        } else if self.col > n {
            self.col_offset = n.saturating_sub(self.fit_cols);
        }
    }

    /// Typed text while the filter prompt is open.
    pub fn filter_key(&mut self, key: FilterKey) {
        match key {
            FilterKey::Char(c) => {
                if !c.is_control() {
                    self.filter_input.push(c);
                }
            }
            FilterKey::Paste(t) => {
                // One line: a filter has no line breaks.
                let line = t.lines().next().unwrap_or_default();
                self.filter_input.push_str(line);
            }
            FilterKey::Backspace => {
                self.filter_input.pop();
            }
            FilterKey::Accept => {
                self.filter_editing = false;
                if self.filter_error.is_some() {
                    self.message = self.filter_error.clone();
                }
            }
            FilterKey::Cancel => {
                self.filter_editing = false;
                self.filter_input.clear();
            }
        }
        let keep = self.cursor_unit();
        self.apply_filter_input();
        self.refresh(keep);
    }

    /// Applies one action.
    pub fn update(&mut self, action: Action) -> anyhow::Result<()> {
        self.message = None;
        match (self.view(), action) {
            (_, Action::Quit) => self.quit = true,
            (View::Help, Action::Help) => {
                self.views.pop();
            }
            (_, Action::Help) => {
                self.views.push(View::Help);
                self.scroll = 0;
            }
            (View::Month, a) => self.month_action(a)?,
            (View::Findings, a) => self.findings_action(a)?,
            (View::Preview, a) => self.preview_action(a),
            (View::Report, Action::WriteDocx) => self.ask_docx_path(),
            (View::Unit(_) | View::Help | View::Log | View::Report, a) => self.scroll_action(a)?,
        }
        Ok(())
    }

    fn month_action(&mut self, a: Action) -> anyhow::Result<()> {
        let n = self.month.as_ref().map_or(0, |m| m.visible.len());
        let page = self.page.max(1);
        let has_parent = self
            .month
            .as_ref()
            .is_some_and(|m| m.table.parent.is_some());
        if !matches!(a, Action::Up | Action::Down) && self.on_parent && is_move(a) {
            self.on_parent = false;
        }
        match a {
            Action::Up if self.cursor == 0 && has_parent => self.on_parent = true,
            Action::Up => self.cursor = self.cursor.saturating_sub(1),
            Action::Down if self.on_parent => self.on_parent = false,
            Action::Down => self.cursor = (self.cursor + 1).min(n.saturating_sub(1)),
            Action::PageUp => self.cursor = self.cursor.saturating_sub(page),
            Action::PageDown => self.cursor = (self.cursor + page).min(n.saturating_sub(1)),
            Action::Home => self.cursor = 0,
            Action::End => self.cursor = n.saturating_sub(1),
            Action::Left => self.col = self.col.saturating_sub(1),
            Action::Right => self.col = (self.col + 1).min(self.column_count().saturating_sub(1)),
            Action::Open => {
                if self.selected_cell().is_some() {
                    self.start_edit(None);
                } else {
                    self.open_unit(self.cursor_unit())?;
                }
            }
            Action::Edit => self.start_edit(None),
            Action::EditWith(c) => self.start_edit(Some(c)),
            Action::Clear => self.ask_clear(),
            Action::Undo => self.undo(false),
            Action::Redo => self.undo(true),
            Action::NewMonth => self.new_month()?,
            Action::CellLog => self.cell_log()?,
            Action::Import => self.ask_import(),
            Action::Report => self.show_report()?,
            Action::WriteDocx => self.ask_docx_path(),
            Action::Accept | Action::Apply | Action::CreateUnits => {}
            Action::Back => {
                if !self.filter_input.is_empty() || self.group.is_some() {
                    self.filter_input.clear();
                    self.filter_error = None;
                    self.filter = Filter::default();
                    self.group = None;
                    let keep = self.cursor_unit();
                    self.refresh(keep);
                }
            }
            Action::Group => self.next_group(),
            Action::OnlyFindings => self.toggle_only_findings(),
            Action::Filter => {
                if self.month.is_some() {
                    self.filter_editing = true;
                }
            }
            Action::Sort | Action::SortAdd => {
                let col = self.column_at(self.col);
                if a == Action::Sort {
                    match self.sort.first() {
                        Some(&(c, desc)) if c == col => self.sort = vec![(c, !desc)],
                        _ => self.sort = vec![(col, false)],
                    }
                } else if let Some(k) = self.sort.iter_mut().find(|(c, _)| *c == col) {
                    k.1 = !k.1;
                } else {
                    self.sort.push((col, false));
                }
                let keep = self.cursor_unit();
                self.refresh(keep);
            }
            Action::PrevPeriod | Action::NextPeriod => {
                let Some(cur) = self.month.as_ref().map(|m| m.table.period) else {
                    return Ok(());
                };
                // Within the kind shown: a quarter steps to quarters.
                let steps = self.steps(cur.kind());
                let next = if a == Action::PrevPeriod {
                    steps.iter().rev().find(|p| **p < cur)
                } else {
                    steps.iter().find(|p| **p > cur)
                };
                let word = cur.kind().word_vi();
                match next.copied() {
                    Some(p) => self.load_month(p)?,
                    None => {
                        self.message = Some(if a == Action::PrevPeriod {
                            format!("Đây là {word} đầu tiên có số liệu.")
                        } else {
                            format!("Đây là {word} mới nhất có số liệu.")
                        })
                    }
                }
            }
            Action::NextKind => self.switch_kind()?,
            Action::Findings => {
                if let Some(p) = self.month.as_ref().map(|m| m.table.period) {
                    if self.findings.is_none() {
                        self.set_findings(self.evaluate(p)?);
                    }
                    // The first of those shown (of the group chosen with
                    // `g`); none selected when there are none.
                    self.findings_cursor =
                        self.findings_order().first().copied().unwrap_or(usize::MAX);
                    self.scroll = 0;
                    self.views.push(View::Findings);
                }
            }
            Action::ToggleChange => self.next_change()?,
            Action::Help | Action::Quit => {}
        }
        self.clamp_scroll();
        self.clamp_columns();
        Ok(())
    }

    /// The kind `K` goes to: the next of months, quarters, years that
    /// has data, other than the one shown.
    pub fn next_kind(&self) -> Option<PeriodKind> {
        let from = self.month.as_ref()?.table.period.kind();
        [from.cycle(), from.cycle().cycle()]
            .into_iter()
            .find(|k| self.latest(*k).is_some())
    }

    /// `K`: months, quarters, years in turn, skipping a kind without
    /// data; to the period of the new kind that holds the last month of
    /// the one shown, or the latest of that kind with data.
    fn switch_kind(&mut self) -> anyhow::Result<()> {
        let Some(cur) = self.month.as_ref().map(|m| m.table.period) else {
            self.message = Some("Chưa có kỳ nào có số liệu.".into());
            return Ok(());
        };
        let from = cur.kind();
        let Some(to) = self.next_kind() else {
            let others: Vec<&str> = PeriodKind::ALL
                .into_iter()
                .filter(|k| *k != from)
                .map(PeriodKind::word_vi)
                .collect();
            self.message = Some(format!(
                "Chỉ có số liệu theo {}, chưa có {} nào: K không có gì để chuyển.",
                from.word_vi(),
                others.join(" hay ")
            ));
            return Ok(());
        };
        let same = cur.as_kind(to);
        let target = if self.periods.contains(&same) {
            same
        } else {
            self.latest(to).expect("found above")
        };
        self.load_month(target)?;
        if target != same {
            self.message = Some(format!(
                "{} chưa có số liệu: hiện {} mới nhất có số liệu, {}.",
                text::capitalize(&same.label_vi()),
                to.word_vi(),
                target.label_vi()
            ));
        }
        Ok(())
    }

    /// `d`: no change, then against the period before, then against the
    /// same period a year before (the status line says which, and when
    /// that period has no figures).
    fn next_change(&mut self) -> anyhow::Result<()> {
        self.change = match self.change {
            None => Some(CompareWith::Previous),
            Some(CompareWith::Previous) => Some(CompareWith::LastYear),
            Some(CompareWith::LastYear) => None,
        };
        if self.change == Some(CompareWith::LastYear) {
            self.read_last_year()?;
        }
        Ok(())
    }

    /// `g`: every unit, then each group the month has, in turn.
    fn next_group(&mut self) {
        let Some(m) = &self.month else { return };
        if m.groups.len() < 2 {
            self.message = Some(match m.groups.first() {
                Some(g) => format!(
                    "Chỉ có một nhóm đơn vị ({}): g không có gì để chuyển.",
                    g.label_vi()
                ),
                None => format!(
                    "{} chưa có đơn vị nào.",
                    text::capitalize(&m.table.period.label_vi())
                ),
            });
            return;
        }
        self.group = match self.group {
            None => m.groups.first().copied(),
            Some(g) => m.groups.iter().copied().find(|x| *x > g),
        };
        let keep = self.cursor_unit();
        self.refresh(keep);
    }

    /// `!`: adds "!" to the filter (only units needing directives), or
    /// takes it out; the filter's other parts stay.
    fn toggle_only_findings(&mut self) {
        if self.month.is_none() {
            return;
        }
        let parts: Vec<&str> = self
            .filter_input
            .split('&')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let rest: Vec<&str> = parts
            .iter()
            .copied()
            .filter(|p| !filter::is_findings_word(p))
            .collect();
        let on = rest.len() == parts.len();
        let mut input = rest.join(" & ");
        if on {
            if !input.is_empty() {
                input.push_str(" & ");
            }
            input.push('!');
        }
        self.filter_input = input;
        let keep = self.cursor_unit();
        self.apply_filter_input();
        self.refresh(keep);
        let shown = self.month.as_ref().map_or(0, |m| m.visible.len());
        self.message = Some(if on {
            format!("Đã lọc: {shown} đơn vị cần chỉ đạo (! lần nữa: bỏ lọc này).")
        } else {
            "Đã bỏ lọc đơn vị cần chỉ đạo.".into()
        });
    }

    fn preview_action(&mut self, a: Action) {
        let page = self.page.max(1) as isize;
        match a {
            Action::Up => self.preview_move(-1),
            Action::Down => self.preview_move(1),
            Action::PageUp => self.preview_move(-page),
            Action::PageDown => self.preview_move(page),
            Action::Home => self.preview_move(isize::MIN / 2),
            Action::End => self.preview_move(isize::MAX / 2),
            Action::Accept => self.accept_suggestion(),
            Action::Apply => self.apply_preview(),
            Action::Clear => self.drop_preview_row(),
            Action::CreateUnits => self.ask_create_units(),
            Action::Back => {
                self.preview = None;
                self.views.pop();
                self.message = Some("Đã bỏ, không ghi gì.".into());
            }
            _ => {}
        }
    }

    /// Holds a month's findings and, when they cover several groups, each
    /// group's part (the view shows one section per group, as the letter).
    fn set_findings(&mut self, fs: Findings) {
        let groups: Vec<Group> = Group::ALL
            .into_iter()
            .filter(|g| fs.context.units.iter().any(|u| u.group() == *g))
            .collect();
        self.findings_groups = if groups.len() > 1 {
            groups
                .into_iter()
                .map(|g| {
                    let mut mine = fs.clone();
                    mine.keep_group(g);
                    let at: Vec<usize> = (0..fs.findings.len())
                        .filter(|&i| fs.findings[i].group == g)
                        .collect();
                    (g, mine, at)
                })
                .collect()
        } else {
            Vec::new()
        };
        self.findings_longest_name = fs
            .findings
            .iter()
            .map(|x| super::textfit::width(&x.unit))
            .max()
            .unwrap_or(0);
        self.findings = Some(fs);
    }

    /// The findings (indices) in the order the view shows them.
    pub fn findings_order(&self) -> Vec<usize> {
        if self.findings_groups.is_empty() {
            let n = self.findings.as_ref().map_or(0, |f| f.findings.len());
            return (0..n).collect();
        }
        // The group chosen with `g` only, as the view shows it.
        self.findings_groups
            .iter()
            .filter(|(g, _, _)| self.group.is_none_or(|shown| shown == *g))
            .flat_map(|(_, _, at)| at.iter().copied())
            .collect()
    }

    fn findings_action(&mut self, a: Action) -> anyhow::Result<()> {
        let order = self.findings_order();
        let n = order.len();
        let page = self.page.max(1);
        let pos = order
            .iter()
            .position(|&i| i == self.findings_cursor)
            .unwrap_or(0);
        // Past the last finding the list scrolls on: the units a rule
        // could not judge are listed below it.
        let last = pos + 1 >= n;
        match a {
            Action::Down | Action::PageDown if last => {
                self.scroll += if a == Action::Down { 1 } else { page };
                return Ok(());
            }
            Action::Up | Action::PageUp if self.scroll > 0 => {
                let by = if a == Action::Up { 1 } else { page };
                self.scroll = self.scroll.saturating_sub(by);
                return Ok(());
            }
            Action::Home => self.scroll = 0,
            _ => {}
        }
        let to = match a {
            Action::Up => Some(pos.saturating_sub(1)),
            Action::Down => Some((pos + 1).min(n.saturating_sub(1))),
            Action::PageUp => Some(pos.saturating_sub(page)),
            Action::PageDown => Some((pos + page).min(n.saturating_sub(1))),
            Action::Home => Some(0),
            Action::End => Some(n.saturating_sub(1)),
            _ => None,
        };
        if let Some(&i) = to.and_then(|p| order.get(p)) {
            self.findings_cursor = i;
        }
        match a {
            Action::Open => {
                let id = self
                    .findings
                    .as_ref()
                    .and_then(|f| f.findings.get(self.findings_cursor))
                    .map(|f| f.unit_id);
                self.open_unit(id)?;
            }
            Action::Back | Action::Findings => {
                self.views.pop();
            }
            _ => {}
        }
        Ok(())
    }

    fn scroll_action(&mut self, a: Action) -> anyhow::Result<()> {
        let page = self.page.max(1);
        match a {
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::Down => self.scroll += 1,
            Action::PageUp => self.scroll = self.scroll.saturating_sub(page),
            Action::PageDown => self.scroll += page,
            Action::Home => {
                self.scroll = 0;
                self.scroll_x = 0;
            }
            // The unit's metric columns, one at a time; the letter by 8.
            Action::Left if matches!(self.view(), View::Unit(_)) => {
                self.scroll_x = self.scroll_x.saturating_sub(1);
            }
            Action::Right if matches!(self.view(), View::Unit(_)) => {
                let last = super::views::unit::last_offset(self, self.width);
                self.scroll_x = (self.scroll_x + 1).min(last);
            }
            Action::Left => self.scroll_x = self.scroll_x.saturating_sub(8),
            Action::Right if self.view() == View::Report => self.scroll_x += 8,
            Action::Back => {
                self.views.pop();
                self.scroll = 0;
                self.scroll_x = 0;
            }
            _ => {}
        }
        Ok(())
    }

    fn open_unit(&mut self, id: Option<i64>) -> anyhow::Result<()> {
        let Some(id) = id else { return Ok(()) };
        let Some(unit) = self.month.as_ref().and_then(|m| {
            m.table
                .units
                .iter()
                .chain(&m.table.parent)
                .find(|u| u.id == id)
                .cloned()
        }) else {
            return Ok(());
        };
        let kind = self.kind();
        let stretches = month::history_across(self.db.conn(), &self.cat, &self.rules, id, kind)?;
        self.unit = Some(UnitDetail {
            unit,
            kind,
            stretches,
        });
        self.scroll = 0;
        self.scroll_x = 0;
        self.views.push(View::Unit(id));
        Ok(())
    }

    /// The findings of `period`, borrowing the month shown when it is that
    /// month and nothing was written since it was read.
    fn evaluate(&self, period: Period) -> Result<rules::Findings, rules::RuleError> {
        let lent = self
            .month
            .as_ref()
            .zip(self.units.as_ref())
            .and_then(|(m, u)| {
                Some(rules::Lent {
                    scope: &u.scope,
                    table: &m.table,
                    data_version: m.read_at?,
                })
            });
        rules::evaluate_lean_lent(self.db.conn(), period, lent)
    }

    /// Reloads if another process changed the database; true if it did.
    pub fn check_for_changes(&mut self) -> anyhow::Result<bool> {
        // An immutable connection never sees another program's writes:
        // once one appears, open the file again the ordinary way.
        if self.db.stale() {
            match Db::open(self.db.path()) {
                Ok(db) if !db.stale() => {
                    self.db = db;
                    self.data_version = self.db_version()?;
                    self.reload()?;
                    return Ok(true);
                }
                _ => {
                    self.message = Some(
                        "Tệp vừa được ghi ở nơi khác; màn hình này không đọc được thay đổi (chỉ đọc). Thoát (q) rồi mở lại chiso.".into(),
                    );
                    return Ok(false);
                }
            }
        }
        let v = self.db_version()?;
        if v == self.data_version {
            return Ok(false);
        }
        self.data_version = v;
        self.reload()?;
        Ok(true)
    }

    fn reload(&mut self) -> anyhow::Result<()> {
        self.cat = Catalog::load(self.db.conn())?;
        self.rules = rules::load_rules(self.db.conn())?;
        self.periods = self.load_periods()?;
        let shown = self.month.as_ref().map(|m| m.table.period);
        // Nothing read before the change is reused.
        self.units = None;
        // Stay on the period shown if it still has data, else the latest
        // of its kind; an empty database that gains data opens on its
        // latest month. A new period opened with `n` stays shown though it
        // has no data.
        let target = shown
            .filter(|p| self.periods.contains(p) || self.pending == Some(*p))
            .or_else(|| shown.and_then(|p| self.latest(p.kind())))
            .or_else(|| self.opening());
        match target {
            Some(p) => self.load_month(p)?,
            None => self.month = None,
        }
        if let Some(d) = &self.unit {
            let (id, kind) = (d.unit.id, d.kind);
            let stretches =
                month::history_across(self.db.conn(), &self.cat, &self.rules, id, kind)?;
            if let Some(d) = &mut self.unit {
                d.stretches = stretches;
            }
        }
        if self.view() == View::Findings
            && let Some(p) = self.month.as_ref().map(|m| m.table.period)
        {
            self.set_findings(self.evaluate(p)?);
            let order = self.findings_order();
            if !order.contains(&self.findings_cursor) {
                self.findings_cursor = order.first().copied().unwrap_or(usize::MAX);
            }
        }
        Ok(())
    }
}

/// Keys the filter prompt takes.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterKey {
    Char(char),
    /// Pasted text, already cleaned.
    Paste(String),
    Backspace,
    Accept,
    Cancel,
}

/// Stable sort of unit indices by one column; missing values last in
/// either direction.
fn sort_by(visible: &mut [usize], m: &MonthState, cat: &Catalog, col: SortCol, desc: bool) {
    match col {
        SortCol::Name => {
            // Units are stored in Vietnamese order: their index is the key.
            visible.sort_by(|a, b| if desc { b.cmp(a) } else { a.cmp(b) });
        }
        SortCol::Findings => {
            // Worst first ascending: critical, then more findings.
            let key = |u: usize| {
                let mark = &m.marks[u];
                let sev = match mark.worst {
                    Some(Severity::Critical) => 0,
                    Some(Severity::Warning) => 1,
                    None => 2,
                };
                (sev, std::cmp::Reverse(mark.rules.len()))
            };
            visible.sort_by(|&a, &b| {
                let o = key(a).cmp(&key(b));
                if desc { o.reverse() } else { o }
            });
        }
        SortCol::Metric(metric) => {
            let labels = &cat.metrics[metric].labels;
            let kind = cat.metrics[metric].kind;
            // Labels rank worst first ascending, like low numbers.
            let num = |u: usize| -> Option<f64> {
                match m.value(u, metric)? {
                    Value::Num(x) => Some(*x),
                    Value::Label(l) if kind == MetricKind::Label => {
                        labels.iter().position(|x| x == l).map(|r| -(r as f64))
                    }
                    Value::Label(_) => None,
                }
            };
            // Each unit's key looked up once, not at every comparison: a
            // national month is 10,000 rows, ~140,000 comparisons.
            let mut keyed: Vec<(Option<f64>, usize)> =
                visible.iter().map(|&u| (num(u), u)).collect();
            keyed.sort_by(|a, b| match (a.0, b.0) {
                (Some(x), Some(y)) => {
                    let o = x.total_cmp(&y);
                    if desc { o.reverse() } else { o }
                }
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            });
            for (slot, (_, u)) in visible.iter_mut().zip(keyed) {
                *slot = u;
            }
        }
    }
}
