//! Periods of three kinds: a month, a quarter, a year. The portal publishes
//! the index for each, and a quarter's or a year's figures are its own
//! (ratios over the period's files), never the months' average: chiso
//! stores each kind apart and compares a period only with periods of its
//! kind.

use std::fmt;

/// What a period spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
}

impl PeriodKind {
    pub const ALL: [PeriodKind; 3] = [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Year];

    /// "tháng", "quý", "năm".
    pub fn word_vi(self) -> &'static str {
        match self {
            PeriodKind::Month => "tháng",
            PeriodKind::Quarter => "quý",
            PeriodKind::Year => "năm",
        }
    }

    /// The kind after this one, round (the TUI's key).
    pub fn cycle(self) -> PeriodKind {
        match self {
            PeriodKind::Month => PeriodKind::Quarter,
            PeriodKind::Quarter => PeriodKind::Year,
            PeriodKind::Year => PeriodKind::Month,
        }
    }
}

/// Sub-keys of a quarter: `key() % 100` is 21..=24. A year's is 0, a
/// month's 1..=12, so a key says its kind and keys of one kind sort in time.
const QUARTER_BASE: u8 = 20;

/// A month (`2024-08`), a quarter (`2025-Q3`) or a year (`2025`).
///
/// Ordered by year, then the year itself, its months, its quarters: only
/// periods of one kind are compared in time (`Unit::exists_in` and the
/// lineage look at a period's last month).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    year: u16,
    /// 1..=12 a month, 21..=24 a quarter, 0 the whole year.
    sub: u8,
}

const YEARS: std::ops::RangeInclusive<u16> = 1900..=2999;

impl Period {
    /// January 1900, the earliest period a key can hold.
    pub const FIRST: Period = Period { year: 1900, sub: 1 };

    /// A month; None out of range.
    pub const fn month(year: u16, month: u8) -> Option<Period> {
        if month >= 1 && month <= 12 && year >= 1900 && year <= 2999 {
            Some(Period { year, sub: month })
        } else {
            None
        }
    }

    /// (year, month) of a month; a quarter's or a year's last month.
    pub fn year_month(self) -> (u16, u8) {
        let m = self.last_month();
        (m.year, m.sub)
    }

    pub fn quarter(year: u16, q: u8) -> Option<Period> {
        ((1..=4).contains(&q) && YEARS.contains(&year)).then_some(Period {
            year,
            sub: QUARTER_BASE + q,
        })
    }

    pub fn whole_year(year: u16) -> Option<Period> {
        YEARS.contains(&year).then_some(Period { year, sub: 0 })
    }

    pub fn kind(self) -> PeriodKind {
        match self.sub {
            0 => PeriodKind::Year,
            1..=12 => PeriodKind::Month,
            _ => PeriodKind::Quarter,
        }
    }

    pub fn year(self) -> u16 {
        self.year
    }

    /// The month number of a month (1..=12).
    pub fn month_number(self) -> Option<u8> {
        (self.kind() == PeriodKind::Month).then_some(self.sub)
    }

    /// The quarter number of a quarter (1..=4).
    pub fn quarter_number(self) -> Option<u8> {
        (self.kind() == PeriodKind::Quarter).then_some(self.sub - QUARTER_BASE)
    }

    pub fn is_month(self) -> bool {
        self.kind() == PeriodKind::Month
    }

    /// The first month the period spans.
    pub fn first_month(self) -> Period {
        let m = match self.kind() {
            PeriodKind::Month => self.sub,
            PeriodKind::Quarter => (self.sub - QUARTER_BASE - 1) * 3 + 1,
            PeriodKind::Year => 1,
        };
        Period {
            year: self.year,
            sub: m,
        }
    }

    /// The last month the period spans: a quarter's or a year's units are
    /// those that exist at its end, named as they were then.
    pub fn last_month(self) -> Period {
        let m = match self.kind() {
            PeriodKind::Month => self.sub,
            PeriodKind::Quarter => (self.sub - QUARTER_BASE) * 3,
            PeriodKind::Year => 12,
        };
        Period {
            year: self.year,
            sub: m,
        }
    }

    /// The months the period spans, in order.
    pub fn months(self) -> impl Iterator<Item = Period> {
        let (first, last) = (self.first_month().sub, self.last_month().sub);
        let year = self.year;
        (first..=last).map(move |sub| Period { year, sub })
    }

    /// The quarter a month is in (a quarter or a year: itself).
    fn quarter_of(self) -> Period {
        match self.kind() {
            PeriodKind::Month => Period {
                year: self.year,
                sub: QUARTER_BASE + (self.sub - 1) / 3 + 1,
            },
            _ => self,
        }
    }

    /// The period of `kind` that holds this one's last month.
    pub fn as_kind(self, kind: PeriodKind) -> Period {
        let m = self.last_month();
        match kind {
            PeriodKind::Month => m,
            PeriodKind::Quarter => m.quarter_of(),
            PeriodKind::Year => Period {
                year: self.year,
                sub: 0,
            },
        }
    }

    /// Parses every spelling an operator types or a file's title holds:
    /// a month `2024-08`, `2024-8`, `8/2024`, `tháng 8/2024`, `tháng 8 năm
    /// 2024`; a quarter `2025-Q3`, `Q3/2025`, `quý 3/2025`, `quý III/2025`,
    /// `quý III năm 2025`; a year `2025`, `năm 2025`. Case and accents do
    /// not matter.
    pub fn parse(s: &str) -> Option<Period> {
        let f = crate::text::fold(s);
        let f = f.trim();
        // "2025-q3", "2025 q3"
        if let Some((y, q)) = f.split_once(['-', ' ']).filter(|(y, _)| is_year(y))
            && let Some(q) = q.trim().strip_prefix('q')
        {
            return Period::quarter(y.parse().ok()?, number(q)?);
        }
        let (head, year) = split_year(f)?;
        let head = head.trim();
        if head.is_empty() {
            return Period::whole_year(year);
        }
        if head == "nam" {
            return Period::whole_year(year);
        }
        let q = head
            .strip_prefix("quy")
            .or_else(|| head.strip_prefix('q'))
            .map(str::trim);
        if let Some(q) = q {
            let n = number(q).or_else(|| quarter_numeral(q))?;
            return Period::quarter(year, n);
        }
        let m = head
            .strip_prefix("thang")
            .or_else(|| head.strip_prefix('t'))
            .unwrap_or(head)
            .trim();
        if m.is_empty() || m.len() > 2 {
            return None;
        }
        Period::month(year, number(m)?)
    }

    /// A month only (what a unit's start, end or rename is given in).
    pub fn parse_month(s: &str) -> Option<Period> {
        Period::parse(s).filter(|p| p.is_month())
    }

    /// From a database key: YYYYMM for a month, YYYY2q for a quarter,
    /// YYYY00 for a year.
    pub fn from_key(k: i64) -> Option<Period> {
        let year = u16::try_from(k / 100).ok()?;
        let sub = (k % 100) as u8;
        match sub {
            0 => Period::whole_year(year),
            1..=12 => Period::month(year, sub),
            21..=24 => Period::quarter(year, sub - QUARTER_BASE),
            _ => None,
        }
    }

    /// The database key (`periods.id`).
    pub fn key(self) -> i64 {
        self.year as i64 * 100 + self.sub as i64
    }

    /// The calendar month of the local date.
    pub fn today() -> Period {
        use chrono::Datelike;
        let d = chrono::Local::now().date_naive();
        Period {
            year: d.year() as u16,
            sub: d.month() as u8,
        }
    }

    /// The period before, of the same kind (quý II before quý III).
    pub fn previous(self) -> Period {
        match self.kind() {
            PeriodKind::Year => Period {
                year: self.year - 1,
                sub: 0,
            },
            PeriodKind::Month if self.sub == 1 => Period {
                year: self.year - 1,
                sub: 12,
            },
            PeriodKind::Quarter if self.sub == QUARTER_BASE + 1 => Period {
                year: self.year - 1,
                sub: QUARTER_BASE + 4,
            },
            _ => Period {
                year: self.year,
                sub: self.sub - 1,
            },
        }
    }

    /// The period after, of the same kind.
    pub fn next(self) -> Period {
        match self.kind() {
            PeriodKind::Year => Period {
                year: self.year + 1,
                sub: 0,
            },
            PeriodKind::Month if self.sub == 12 => Period {
                year: self.year + 1,
                sub: 1,
            },
            PeriodKind::Quarter if self.sub == QUARTER_BASE + 4 => Period {
                year: self.year + 1,
                sub: QUARTER_BASE + 1,
            },
            _ => Period {
                year: self.year,
                sub: self.sub + 1,
            },
        }
    }

    /// The same period a year before (cùng kỳ năm trước); for a year, the
    /// year before.
    pub fn year_before(self) -> Period {
        Period {
            year: self.year - 1,
            sub: self.sub,
        }
    }

    /// "tháng 8/2024", "quý III/2025", "năm 2025", as Vietnamese documents
    /// write them.
    pub fn label_vi(self) -> String {
        format!("{} {}", self.kind().word_vi(), self.short_vi())
    }

    /// How a document names `self` next to `now`: "tháng 7", "quý II" in
    /// the same year, else the whole label ("tháng 8/2024", "năm 2024").
    pub fn relative_vi(self, now: Period) -> String {
        if self.year == now.year && self.kind() != PeriodKind::Year {
            let l = self.label_vi();
            l.rsplit_once('/').map_or(l.clone(), |(h, _)| h.to_owned())
        } else {
            self.label_vi()
        }
    }

    /// "8/2024", "III/2025", "2025": the label without its kind word, for
    /// narrow columns.
    pub fn short_vi(self) -> String {
        match self.kind() {
            PeriodKind::Month => format!("{}/{}", self.sub, self.year),
            PeriodKind::Quarter => format!(
                "{}/{}",
                ROMAN[(self.sub - QUARTER_BASE - 1) as usize],
                self.year
            ),
            PeriodKind::Year => self.year.to_string(),
        }
    }
}

/// Why `s` is not a period, when it looks like one that is out of range:
/// "quý chỉ từ 1 (I) đến 4 (IV)", "tháng chỉ từ 1 đến 12".
pub fn period_problem(s: &str) -> Option<&'static str> {
    let f = crate::text::fold(s);
    let has_year = f.split(|c: char| !c.is_ascii_digit()).any(|w| w.len() == 4);
    if !has_year {
        return f
            .split(|c: char| !c.is_ascii_digit())
            .any(|w| !w.is_empty())
            .then_some("năm viết đủ 4 chữ số");
    }
    let out_of_range = f
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 4)
        .any(|w| w.parse().is_ok_and(|y: u16| !YEARS.contains(&y)));
    if out_of_range {
        return Some("năm chỉ từ 1900 đến 2999");
    }
    if f.contains('q') {
        Some("quý chỉ từ 1 (I) đến 4 (IV)")
    } else if f
        .split(|c: char| !c.is_ascii_digit())
        .any(|w| !w.is_empty() && w.len() <= 2)
    {
        Some("tháng chỉ từ 1 đến 12")
    } else {
        None
    }
}

const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];

fn is_year(s: &str) -> bool {
    s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A small decimal number (no sign, no spaces).
fn number(s: &str) -> Option<u8> {
    let s = s.trim();
    if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// "III" (any case) as 3: a quarter's Roman numeral.
pub(crate) fn quarter_numeral(s: &str) -> Option<u8> {
    ROMAN
        .iter()
        .position(|r| r.eq_ignore_ascii_case(s.trim()))
        .map(|i| i as u8 + 1)
}

/// Splits "… 2025" (after "/", " năm " or a space) into what comes before
/// and the year; a bare year has an empty head. "2024-08" is turned round.
fn split_year(f: &str) -> Option<(&str, u16)> {
    if is_year(f) {
        return Some(("", f.parse().ok()?));
    }
    // "2024-08", "2024-8"; "2025-" is nothing.
    if let Some((y, m)) = f.split_once('-')
        && is_year(y)
    {
        return (!m.trim().is_empty()).then_some((m, y.parse().ok()?));
    }
    // "8/2024", "quý III năm 2025", "năm 2025"; "/2025" is nothing.
    for sep in ["/", " nam ", "-", " "] {
        if let Some((head, y)) = f.rsplit_once(sep)
            && is_year(y.trim())
        {
            return (!head.trim().is_empty()).then_some((head, y.trim().parse().ok()?));
        }
    }
    None
}

impl fmt::Display for Period {
    /// `2024-08`, `2025-Q3`, `2025`: how files, options and JSON write it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind() {
            PeriodKind::Month => write!(f, "{:04}-{:02}", self.year, self.sub),
            PeriodKind::Quarter => write!(f, "{:04}-Q{}", self.year, self.sub - QUARTER_BASE),
            PeriodKind::Year => write!(f, "{:04}", self.year),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap_or_else(|| panic!("{s}"))
    }

    #[test]
    fn months_parse_and_step() {
        let m = p("2024-08");
        assert_eq!(m.to_string(), "2024-08");
        for s in [
            "8/2024",
            "08/2024",
            "2024-8",
            "tháng 8/2024",
            "Tháng 8 năm 2024",
            "T8/2024",
        ] {
            assert_eq!(Period::parse(s), Some(m), "{s}");
        }
        assert_eq!(m.previous().to_string(), "2024-07");
        assert_eq!(p("2024-01").previous().to_string(), "2023-12");
        assert_eq!(p("2024-12").next().to_string(), "2025-01");
        assert_eq!(m.year_before().to_string(), "2023-08");
        assert_eq!(m.label_vi(), "tháng 8/2024");
    }

    #[test]
    fn quarters_parse_and_step() {
        let q = p("2025-Q3");
        assert_eq!(q.kind(), PeriodKind::Quarter);
        assert_eq!(q.to_string(), "2025-Q3");
        for s in [
            "2025-q3",
            "Q3/2025",
            "q3/2025",
            "quý 3/2025",
            "Quý III/2025",
            "quý III năm 2025",
            "QUÝ iii/2025",
            "quy 3/2025",
            "Q3 2025",
        ] {
            assert_eq!(Period::parse(s), Some(q), "{s}");
        }
        assert_eq!(q.label_vi(), "quý III/2025");
        assert_eq!(q.previous().to_string(), "2025-Q2");
        assert_eq!(p("2025-Q1").previous().to_string(), "2024-Q4");
        assert_eq!(p("2024-Q4").next().to_string(), "2025-Q1");
        assert_eq!(q.year_before().to_string(), "2024-Q3");
        assert_eq!(q.first_month().to_string(), "2025-07");
        assert_eq!(q.last_month().to_string(), "2025-09");
        let months: Vec<String> = q.months().map(|m| m.to_string()).collect();
        assert_eq!(months, ["2025-07", "2025-08", "2025-09"]);
        assert_eq!(p("2025-08").quarter_of(), q);
    }

    #[test]
    fn years_parse_and_step() {
        let y = p("2025");
        assert_eq!(y.kind(), PeriodKind::Year);
        assert_eq!(Period::parse("năm 2025"), Some(y));
        assert_eq!(Period::parse("Năm 2025"), Some(y));
        assert_eq!(y.label_vi(), "năm 2025");
        assert_eq!(y.previous().to_string(), "2024");
        assert_eq!(y.months().count(), 12);
        assert_eq!(y.last_month().to_string(), "2025-12");
        assert_eq!(p("2025-Q2").as_kind(PeriodKind::Year), y);
        assert_eq!(y.as_kind(PeriodKind::Quarter).to_string(), "2025-Q4");
    }

    #[test]
    fn keys_round_trip_and_keep_kinds_apart() {
        for s in [
            "2024-08", "2025-Q1", "2025-Q4", "2025", "1900-01", "2999-12",
        ] {
            let x = p(s);
            assert_eq!(Period::from_key(x.key()), Some(x), "{s}");
            assert_eq!(p(&x.to_string()), x);
        }
        assert_eq!(p("2025").key(), 202500);
        assert_eq!(p("2025-Q3").key(), 202523);
        for bad in [202513, 202520, 202525, 202599, 189912, 300001] {
            assert_eq!(Period::from_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn bad_spellings_are_refused() {
        for bad in [
            "2025-Q5",
            "2025-Q0",
            "quý 0/2025",
            "quý V/2025",
            "quý 5/2025",
            "13/2025",
            "0/2025",
            "2024-13",
            "2024-00",
            "24-08",
            "",
            "2024-08-01",
            "abcd-ef",
            "tháng /2025",
            "năm",
            "20255",
            "1899",
            "quý III",
            "2025-",
            "/2025",
            "-2025",
            "nam",
        ] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        assert_eq!(period_problem("1/3000"), Some("năm chỉ từ 1900 đến 2999"));
        assert_eq!(period_problem("9999"), Some("năm chỉ từ 1900 đến 2999"));
        assert_eq!(period_problem("13/2025"), Some("tháng chỉ từ 1 đến 12"));
        assert_eq!(
            period_problem("quý 0/2025"),
            Some("quý chỉ từ 1 (I) đến 4 (IV)")
        );
        assert_eq!(Period::parse_month("2025-Q3"), None);
        assert_eq!(Period::parse_month("2025"), None);
    }
}
