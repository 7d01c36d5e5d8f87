//! Streaks counted back month by month: for every (rule, unit, metric)
//! that fired in the month evaluated, how many months in a row it fired
//! before, stopping at a month whose streaks are cached, at a month
//! without data, or at the first month of the file.

use std::borrow::Cow;

use rusqlite::Connection;
use rustc_hash::{FxHashMap, FxHashSet};

use super::month::Scope;
use super::{Hit, Month, Rule, RuleError, RuleKind, cache, still_firing};
use crate::db::Catalog;
use crate::model::Period;

/// A rule that fired in the month evaluated, and how far back each hit goes.
pub(super) struct Open {
    pub rule: usize,
    pub hits: Vec<Hit>,
    pub streak: FxHashMap<(i64, usize), u32>,
    /// The (unit, metric) keys still firing as the walk goes back.
    pub alive: FxHashSet<(i64, usize)>,
}

/// What a walk reads with.
pub(super) struct Walk<'a> {
    pub conn: &'a Connection,
    pub scope: &'a Scope,
    pub cat: &'a Catalog,
    pub rules: &'a [Rule],
    pub stamp: &'a str,
    pub earliest: Period,
    /// Only units with ids in this range are followed (a split walk).
    pub range: Option<(i64, i64)>,
}

/// A drop rule comparing with the same period a year before.
fn yearly(rule: &Rule) -> bool {
    rule.kind == RuleKind::Drop && rule.compares_last_year()
}

/// The units the rules still follow, and the metrics they look at.
fn following(open: &[Open], metrics: usize) -> (FxHashSet<i64>, Vec<bool>) {
    let mut keep = FxHashSet::default();
    let mut wanted = vec![false; metrics];
    for &(unit, metric) in open.iter().flat_map(|o| &o.alive) {
        keep.insert(unit);
        wanted[metric] = true;
    }
    (keep, wanted)
}

/// Walks back from `from` (the month before the one evaluated; `first` is
/// that month if already read), adding to each alive key's streak every
/// month it still fires. Every rule together, a month at a time, reading
/// only the units still followed.
pub(super) fn walk(
    w: &Walk<'_>,
    open: &mut [Open],
    from: Period,
    first: Option<Cow<'_, Month>>,
) -> Result<(), RuleError> {
    let (conn, scope, cat, rules) = (w.conn, w.scope, w.cat, w.rules);
    let n = cat.metrics.len();
    let mut p = from;
    let mut month = first;
    while p >= w.earliest && open.iter().any(|o| !o.alive.is_empty()) {
        if scope.have.contains(&p)
            && let Some(c) = cache::load(conn, p, w.stamp)?
        {
            for o in open.iter_mut() {
                for k in o.alive.drain() {
                    let before = c.get(&(o.rule, k.0, k.1)).copied().unwrap_or(0);
                    *o.streak.get_mut(&k).expect("alive keys have streaks") += before;
                }
            }
            break;
        }
        let this = match month.take() {
            Some(m) => m,
            None => {
                let (keep, wanted) = following(open, n);
                Cow::Owned(scope.read_some(conn, cat, p, &keep, &wanted, w.range)?)
            }
        };
        if this.is_empty() {
            break;
        }
        // A unit that did not exist this month has no streak in it; one
        // formed or changed in it has no month before to fall against.
        let fresh = scope.fresh_in(p);
        if !scope.simple {
            let fresh_yearly = if open.iter().any(|o| yearly(&rules[o.rule])) {
                scope.fresh_since(p.year_before(), p)
            } else {
                Default::default()
            };
            for o in open.iter_mut() {
                let rule = &rules[o.rule];
                let unlike = match (rule.kind, yearly(rule)) {
                    (RuleKind::Drop, false) => Some(&fresh),
                    (RuleKind::Drop, true) => Some(&fresh_yearly),
                    _ => None,
                };
                o.alive.retain(|&(u, _)| {
                    scope.exists(u, p) && !unlike.is_some_and(|f| f.contains(&u))
                });
            }
        }
        // Rules that need no period before go first: the period before is
        // then read only for the units still followed.
        let drop = |o: &Open| rules[o.rule].kind == RuleKind::Drop;
        let judge_month = |o: &mut Open, prev: Option<&Month>| {
            still_firing(&rules[o.rule], cat, &this, prev, p, &mut o.alive);
            for k in &o.alive {
                *o.streak.get_mut(k).expect("alive keys have streaks") += 1;
            }
        };
        for o in open.iter_mut().filter(|o| !o.alive.is_empty() && !drop(o)) {
            judge_month(o, None);
        }
        // Each way of comparing reads its own period.
        let mut prev = None;
        for by_year in [false, true] {
            let these =
                |o: &Open| !o.alive.is_empty() && drop(o) && yearly(&rules[o.rule]) == by_year;
            if !open.iter().any(these) {
                continue;
            }
            let (keep, wanted) = following(open, n);
            let before = if by_year {
                p.year_before()
            } else {
                p.previous()
            };
            let m = scope.read_some(conn, cat, before, &keep, &wanted, w.range)?;
            for o in open.iter_mut().filter(|o| these(o)) {
                judge_month(o, Some(&m).filter(|m| !m.is_empty()));
            }
            if !by_year {
                prev = Some(m);
            }
        }
        // A unit formed or changed this month starts its streaks in it.
        if !fresh.is_empty() {
            for o in open.iter_mut() {
                o.alive.retain(|(u, _)| !fresh.contains(u));
            }
        }
        // Read for the units followed then (a superset of what stays alive).
        month = prev.map(Cow::Owned);
        p = p.previous();
    }
    Ok(())
}

thread_local! {
    /// Below this many units followed, one thread walks alone (tests of
    /// this thread lower it).
    pub(super) static SPLIT_AT: std::cell::Cell<usize> = const { std::cell::Cell::new(2_000) };
    /// Walks this thread split and had merged (what tests look at).
    pub(super) static SPLITS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The helper's half of a split walk, with all it reads with.
struct Job {
    scope: Scope,
    cat: Catalog,
    rules: Vec<Rule>,
    stamp: String,
    earliest: Period,
    from: Period,
    range: (i64, i64),
    open: Vec<Open>,
}

type Done = Result<Vec<Open>, RuleError>;

/// A second connection on its own thread, its read transaction begun
/// before the caller's: when nothing was written in between (the caller
/// checks `PRAGMA data_version`), both read the same state of the file,
/// and a long streak walk goes in two halves, one on each core.
pub(super) struct Helper {
    jobs: Option<std::sync::mpsc::Sender<Job>>,
    done: std::sync::mpsc::Receiver<Done>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Helper {
    /// None if the file cannot be opened a second time.
    pub(super) fn start(path: &str) -> Option<Helper> {
        use rusqlite::OpenFlags;
        let path = path.to_owned();
        let (ready_tx, ready) = std::sync::mpsc::channel();
        let (jobs, job_rx) = std::sync::mpsc::channel::<Job>();
        let (done_tx, done) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let opened = Connection::open_with_flags(
                &path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .and_then(|c| {
                c.busy_timeout(crate::db::BUSY_TIMEOUT)?;
                c.execute_batch("BEGIN")?;
                // The read transaction starts at its first read.
                c.query_row("SELECT count(*) FROM periods", [], |r| r.get::<_, i64>(0))?;
                Ok(c)
            });
            let Ok(conn) = opened else {
                let _ = ready_tx.send(false);
                return;
            };
            let _ = ready_tx.send(true);
            // One job at most; the read ends as soon as it is done, so it
            // never holds up the caller's commit.
            if let Ok(mut job) = job_rx.recv() {
                let w = Walk {
                    conn: &conn,
                    scope: &job.scope,
                    cat: &job.cat,
                    rules: &job.rules,
                    stamp: &job.stamp,
                    earliest: job.earliest,
                    range: Some(job.range),
                };
                let result = walk(&w, &mut job.open, job.from, None).map(|()| job.open);
                let _ = conn.execute_batch("ROLLBACK");
                let _ = done_tx.send(result);
            }
            let _ = conn.execute_batch("ROLLBACK");
        });
        if ready.recv() == Ok(true) {
            Some(Helper {
                jobs: Some(jobs),
                done,
                thread: Some(thread),
            })
        } else {
            let _ = thread.join();
            None
        }
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        // No more jobs: the thread ends its transaction and returns.
        self.jobs = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// `walk`, in two halves by unit id when a helper is given and enough
/// units are followed: the helper's connection walks the upper half
/// while this one walks the lower. Streaks are per unit, so the halves
/// never need each other.
pub(super) fn walk_split(
    w: &Walk<'_>,
    open: &mut [Open],
    from: Period,
    first: Option<Cow<'_, Month>>,
    helper: Option<&Helper>,
) -> Result<(), RuleError> {
    let mut ids: Vec<i64> = open
        .iter()
        .flat_map(|o| o.alive.iter().map(|k| k.0))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let split_at = SPLIT_AT.get();
    let (Some(helper), Some(jobs)) = (helper, helper.and_then(|h| h.jobs.as_ref())) else {
        return walk(w, open, from, first);
    };
    if ids.len() < split_at.max(2) {
        return walk(w, open, from, first);
    }
    let mid = ids[ids.len() / 2];
    let theirs: Vec<Open> = open
        .iter_mut()
        .map(|o| {
            let alive: FxHashSet<(i64, usize)> = o.alive.extract_if(|k| k.0 >= mid).collect();
            let streak = alive.iter().map(|k| (*k, o.streak[k])).collect();
            Open {
                rule: o.rule,
                hits: Vec::new(),
                streak,
                alive,
            }
        })
        .collect();
    let job = Job {
        scope: w.scope.clone(),
        cat: w.cat.clone(),
        rules: w.rules.to_vec(),
        stamp: w.stamp.to_owned(),
        earliest: w.earliest,
        from,
        range: (mid, i64::MAX),
        open: theirs,
    };
    // Kept to walk them here should the helper be gone.
    let their_keys: Vec<FxHashSet<(i64, usize)>> =
        job.open.iter().map(|o| o.alive.clone()).collect();
    let sent = jobs.send(job).is_ok();
    let mine = Walk {
        range: Some((i64::MIN, mid - 1)),
        ..*w
    };
    walk(&mine, open, from, first)?;
    match helper.done.recv() {
        Ok(theirs) if sent => {
            for (o, t) in open.iter_mut().zip(theirs?) {
                o.streak.extend(t.streak);
            }
            SPLITS.set(SPLITS.get() + 1);
            Ok(())
        }
        // The helper's thread ended: its half is walked here, from the start.
        _ => {
            for (o, keys) in open.iter_mut().zip(their_keys) {
                o.alive = keys;
            }
            walk(w, open, from, None)
        }
    }
}
