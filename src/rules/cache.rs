//! Streaks already counted, kept per month in `streak_cache`.
//!
//! A streak at month P is 1 + the streak of the same rule, unit and metric
//! at P-1. Storing every hit of a month with its streak lets the next
//! month stop walking back there instead of reading two years of values.
//! Rows are derived data: writing a month's values deletes its row and all
//! later ones (`db::begin_period_write`), and `stamp` hashes everything
//! else a streak depends on, so a stale row is never used, only replaced.

use rusqlite::{Connection, OptionalExtension, params};
use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};

use super::Rule;
use crate::db::Catalog;
use crate::model::Period;

/// Bumped when the encoding or the meaning of a streak changes.
const FORMAT: &str = "streaks-1";

/// (rule index in the loaded rules, unit id, catalog metric index) → streak.
pub type Streaks = FxHashMap<(usize, i64, usize), u32>;

/// What streaks depend on besides the months' values.
pub fn stamp(
    rules: &[Rule],
    cat: &Catalog,
    parent: Option<i64>,
    children: &[i64],
    lineage: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(FORMAT);
    h.update(lineage);
    for m in &cat.metrics {
        h.update(format!(
            "\0m{}\0{:?}\0{}",
            m.code,
            m.kind,
            m.labels.join("\u{1}")
        ));
    }
    for r in rules {
        h.update(format!(
            "\0r{}\0{}\0{:?}\0{:?}\0{:?}\0{:?}\0{}\0{:?}\0{}",
            r.code,
            r.kind.code(),
            r.metric,
            r.threshold.map(f64::to_bits),
            r.upper.map(f64::to_bits),
            r.label,
            r.enabled,
            r.group,
            r.compare.code()
        ));
    }
    h.update(format!("\0p{parent:?}\0c"));
    let mut ids = children.to_vec();
    ids.sort_unstable();
    for id in ids {
        h.update(id.to_le_bytes());
    }
    let digest = h.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether streaks are stored for `period` or the month before (under any
/// stamp): then a walk is likely short.
pub fn near(conn: &Connection, period: Period) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM streak_cache WHERE period_id IN (?1, ?2))")?
        .query_row(params![period.key(), period.previous().key()], |r| r.get(0))
}

/// The month's streaks, if stored under this stamp.
pub fn load(conn: &Connection, period: Period, stamp: &str) -> rusqlite::Result<Option<Streaks>> {
    let data: Option<Vec<u8>> = conn
        .prepare_cached("SELECT data FROM streak_cache WHERE period_id = ?1 AND stamp = ?2")?
        .query_row(params![period.key(), stamp], |r| r.get(0))
        .optional()?;
    Ok(data.and_then(|d| decode(&d)))
}

/// Stores a month's streaks unless they are there already. Called inside
/// the read transaction the streaks were counted in: in WAL mode the write
/// then fails if anyone wrote since those reads, so a stale row is never
/// stored. Best effort: the cache only saves time, so a busy or read-only
/// database is left alone, and never waited for.
pub fn store(conn: &Connection, period: Period, stamp: &str, streaks: &Streaks) {
    let fresh = conn
        .prepare_cached("SELECT 1 FROM streak_cache WHERE period_id = ?1 AND stamp = ?2")
        .and_then(|mut st| st.exists(params![period.key(), stamp]));
    if !matches!(fresh, Ok(false)) {
        return;
    }
    // Inside the read transaction SQLite never calls the busy handler to
    // turn it into a write (it could deadlock): another writer makes the
    // insert fail at once, with no wait. Outside one, nothing is stored.
    if conn.is_autocommit() || conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(true) {
        return;
    }
    let _ = conn
        .prepare_cached(
            "INSERT OR REPLACE INTO streak_cache (period_id, stamp, data) VALUES (?1, ?2, ?3)",
        )
        .and_then(|mut st| st.execute(params![period.key(), stamp, encode(streaks)]));
}

/// 8-byte unit id, 2-byte rule, 2-byte metric, 4-byte streak, little endian.
fn encode(streaks: &Streaks) -> Vec<u8> {
    let mut out = Vec::with_capacity(streaks.len() * 16);
    for (&(rule, unit, metric), &streak) in streaks {
        out.extend_from_slice(&unit.to_le_bytes());
        out.extend_from_slice(&(rule as u16).to_le_bytes());
        out.extend_from_slice(&(metric as u16).to_le_bytes());
        out.extend_from_slice(&streak.to_le_bytes());
    }
    out
}

fn decode(data: &[u8]) -> Option<Streaks> {
    if !data.len().is_multiple_of(16) {
        return None;
    }
    let mut out = Streaks::default();
    out.reserve(data.len() / 16);
    for rec in data.chunks_exact(16) {
        let unit = i64::from_le_bytes(rec[0..8].try_into().ok()?);
        let rule = u16::from_le_bytes(rec[8..10].try_into().ok()?) as usize;
        let metric = u16::from_le_bytes(rec[10..12].try_into().ok()?) as usize;
        let streak = u32::from_le_bytes(rec[12..16].try_into().ok()?);
        out.insert((rule, unit, metric), streak);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_round_trips() {
        let mut s = Streaks::default();
        s.insert((0, 42, 3), 7);
        s.insert((5, -1, 0), 1);
        s.insert((65535, i64::MAX, 12), u32::MAX);
        assert_eq!(decode(&encode(&s)), Some(s));
        assert_eq!(decode(&[1, 2, 3]), None);
    }
}
