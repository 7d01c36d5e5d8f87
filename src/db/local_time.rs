//! When a change was made, as the office reads its clock. Times are stored
//! in UTC (`db::now`); the log (`chiso log`, the TUI's `L`) shows them in
//! local time: the `timezone` setting when the office set one, else the
//! machine's zone, else, on a machine that runs on UTC as servers do,
//! +07:00 (Việt Nam).

use chrono::{DateTime, FixedOffset, Local, NaiveDateTime, Offset, TimeZone, Utc};
use rusqlite::Connection;

/// Việt Nam's offset, for a machine that keeps UTC.
const DEFAULT_OFFSET_SECONDS: i32 = 7 * 3600;

/// The zone stored times are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// The machine's own zone (with its summer time, if any).
    Machine,
    Fixed(FixedOffset),
}

impl Zone {
    /// The office's `timezone` setting, else the machine's zone unless it
    /// is UTC, else +07:00.
    pub fn load(conn: &Connection) -> rusqlite::Result<Zone> {
        let setting = super::settings::get(conn, "timezone")?;
        Ok(Zone::choose(setting.as_deref(), machine_is_utc()))
    }

    fn choose(setting: Option<&str>, machine_utc: bool) -> Zone {
        if let Some(offset) = setting.and_then(parse_offset) {
            return Zone::Fixed(offset);
        }
        if machine_utc {
            Zone::Fixed(FixedOffset::east_opt(DEFAULT_OFFSET_SECONDS).expect("in range"))
        } else {
            Zone::Machine
        }
    }

    /// "+07:00": the offset now, for a column's heading.
    pub fn label(&self) -> String {
        self.offset_at(Utc::now()).to_string()
    }

    fn offset_at(&self, t: DateTime<Utc>) -> FixedOffset {
        match self {
            Zone::Machine => Local.offset_from_utc_datetime(&t.naive_utc()).fix(),
            Zone::Fixed(o) => *o,
        }
    }
}

/// Is the machine's zone UTC all year (a server's)? A zone that is UTC
/// only in winter (London) is a real local zone.
fn machine_is_utc() -> bool {
    let year = chrono::Datelike::year(&Utc::now());
    [1, 7].iter().all(|&month| {
        let at = chrono::NaiveDate::from_ymd_opt(year, month, 1)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .expect("a valid date");
        Local.offset_from_utc_datetime(&at).fix().local_minus_utc() == 0
    })
}

/// "+07:00", "+7", "-05:30", "UTC+7", "UTC": an offset from UTC, up to
/// 14 hours either way.
pub fn parse_offset(s: &str) -> Option<FixedOffset> {
    let s = s.trim();
    let s = s
        .strip_prefix("UTC")
        .or_else(|| s.strip_prefix("utc"))
        .or_else(|| s.strip_prefix("GMT"))
        .unwrap_or(s)
        .trim();
    if s.is_empty() {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match s.as_bytes()[0] {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
    let digits = |t: &str| !t.is_empty() && t.len() <= 2 && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(m) {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if h > 14 || m >= 60 || (h == 14 && m > 0) {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// A stored time ("2024-08-10T04:10:00Z", UTC) as the log shows it, in
/// `zone`: "2024-08-10 11:10:00" at +07:00. Text that is not such a time
/// is shown as it is, without the "T" and "Z".
pub fn shown_at(at: &str, zone: &Zone) -> String {
    let Ok(naive) = NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M:%SZ") else {
        return at.replace('T', " ").trim_end_matches('Z').to_owned();
    };
    let utc = naive.and_utc();
    utc.with_timezone(&zone.offset_at(utc))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_read_as_people_write_them() {
        let east = |s| FixedOffset::east_opt(s).unwrap();
        assert_eq!(parse_offset("+07:00"), Some(east(7 * 3600)));
        assert_eq!(parse_offset("+7"), Some(east(7 * 3600)));
        assert_eq!(parse_offset("UTC+7"), Some(east(7 * 3600)));
        assert_eq!(parse_offset("-05:30"), Some(east(-(5 * 3600 + 1800))));
        assert_eq!(parse_offset("UTC"), Some(east(0)));
        for bad in ["7", "+7h", "+15", "+07:60", "Asia/Ho_Chi_Minh", "+", "++7"] {
            assert_eq!(parse_offset(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_stored_time_is_shown_in_the_zone() {
        let plus7 = Zone::Fixed(FixedOffset::east_opt(7 * 3600).unwrap());
        assert_eq!(
            shown_at("2024-08-10T04:10:00Z", &plus7),
            "2024-08-10 11:10:00"
        );
        // Across midnight, and a month's end.
        assert_eq!(
            shown_at("2024-08-31T20:00:05Z", &plus7),
            "2024-09-01 03:00:05"
        );
        assert_eq!(shown_at("not a time", &plus7), "not a time");
    }

    #[test]
    fn the_setting_wins_then_the_machine_then_plus_seven() {
        let plus = |h| Zone::Fixed(FixedOffset::east_opt(h * 3600).unwrap());
        assert_eq!(Zone::choose(Some("+08:00"), false), plus(8));
        assert_eq!(Zone::choose(Some("+08:00"), true), plus(8));
        assert_eq!(Zone::choose(None, false), Zone::Machine);
        assert_eq!(Zone::choose(None, true), plus(7));
        // A setting that is not an offset (written with sqlite3) is ignored.
        assert_eq!(Zone::choose(Some("Hà Nội"), true), plus(7));
    }
}
