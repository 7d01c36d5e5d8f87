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
                Cow::Owned(scope.read_some(conn, cat, p, &keep, &wanted)?)
            }
        };
        if this.is_empty() {
            break;
        }
        // Rules that need no month before go first: the month before is
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
        let prev = if open.iter().any(|o| !o.alive.is_empty() && drop(o)) {
            let (keep, wanted) = following(open, n);
            Some(scope.read_some(conn, cat, p.previous(), &keep, &wanted)?)
        } else {
            None
        };
        for o in open.iter_mut().filter(|o| !o.alive.is_empty() && drop(o)) {
            judge_month(o, prev.as_ref().filter(|m| !m.is_empty()));
        }
        // Read for the units followed then (a superset of what stays alive).
        month = prev.map(Cow::Owned);
        p = p.previous();
    }
    Ok(())
}
