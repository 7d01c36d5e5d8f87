//! Synthetic national-scale data for benchmarks: unit names and month files
//! in chiso's CSV export layout. Deterministic (seeded), no external RNG.
//!
//! Every name contains "Giả Lập" ("simulated") so no one mistakes a row for
//! a real commune.

use std::fmt::Write as _;

/// Communes (xã, phường, thị trấn) nationwide before the 7/2025 merger.
pub const NATIONAL_UNITS: usize = 10_035;

/// Parent name the generated files are written for.
pub const PARENT: &str = "Tỉnh Giả Lập";

/// Labels of the seven seed metrics, in export order (schema.sql `metrics`).
pub const METRIC_LABELS: [&str; 7] = [
    "Kết quả xử lý hồ sơ (%)",
    "Tỷ lệ mức độ hài lòng (%)",
    "Tỷ lệ hồ sơ thanh toán trực tuyến (%)",
    "Điểm tổng hợp",
    "Kết quả tỷ lệ số hoá (%)",
    "Kết quả cấp bản sao điện tử",
    "Kết quả đánh giá",
];

/// Ratings best first, as in the schema's `labels`.
pub const RATINGS: [&str; 5] = ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"];

/// SplitMix64: tiny, fast, good enough for test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

/// FNV-1a, to give each unit a stable character across months.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `n` unique names: mostly "Xã Giả Lập 00001", some "Phường Giả Lập …"
/// and "Thị trấn Giả Lập …" (roughly the national mix), numbered from 1.
pub fn unit_names(n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| {
            let prefix = match i % 20 {
                5 | 10 | 15 => "Phường",
                0 => "Thị trấn",
                _ => "Xã",
            };
            format!("{prefix} Giả Lập {i:05}")
        })
        .collect()
}

/// One unit's seven values for a month.
struct Row {
    processing: f64,
    satisfaction: f64,
    online_payment: f64,
    score: f64,
    digitization: f64,
    e_copies: u64,
}

/// Two decimals, within 0–100, so the printed text stays in range.
fn pct(x: f64) -> f64 {
    ((x * 100.0).round() / 100.0).clamp(0.0, 100.0)
}

fn rating(score: f64) -> &'static str {
    match score {
        s if s >= 90.0 => RATINGS[0],
        s if s >= 80.0 => RATINGS[1],
        s if s >= 70.0 => RATINGS[2],
        s if s >= 50.0 => RATINGS[3],
        _ => RATINGS[4],
    }
}

fn unit_row(name: &str, month_seed: u64) -> Row {
    // The unit's character (how digital it is) is fixed; the month adds noise.
    let mut own = Rng::new(fnv(name.as_bytes()));
    let quality = own.unit();
    let mut r = Rng::new(fnv(name.as_bytes()) ^ month_seed);

    // Processing: most units handle every file on time.
    let processing = match r.unit() {
        u if u < 0.80 => 100.0,
        u if u < 0.97 => r.range(90.0, 100.0),
        _ => r.range(50.0, 90.0),
    };
    let satisfaction = match r.unit() {
        u if u < 0.60 => 100.0,
        _ => r.range(80.0 + 10.0 * quality, 100.0),
    };
    let online_payment = if r.unit() < 0.05 {
        100.0
    } else {
        (20.0 + 70.0 * quality + r.range(-15.0, 15.0)).clamp(0.0, 100.0)
    };
    let digitization = if r.unit() < 0.08 {
        100.0
    } else {
        (30.0 + 60.0 * quality + r.range(-20.0, 20.0)).clamp(0.0, 100.0)
    };
    // Counts are heavy-tailed; some communes issue none.
    let e_copies = if r.unit() < 0.10 {
        0
    } else {
        (10f64.powf(r.range(0.5, 3.5) * (0.5 + quality / 2.0))).round() as u64
    };
    let (processing, satisfaction) = (pct(processing), pct(satisfaction));
    let (online_payment, digitization) = (pct(online_payment), pct(digitization));
    let copies_part = if e_copies > 0 { 100.0 } else { 40.0 };
    let score = pct(0.25 * processing
        + 0.2 * satisfaction
        + 0.2 * online_payment
        + 0.25 * digitization
        + 0.1 * copies_part
        + r.range(-3.0, 3.0));
    Row {
        processing,
        satisfaction,
        online_payment,
        score,
        digitization,
        e_copies,
    }
}

fn push_row(out: &mut String, ordinal: Option<usize>, name: &str, row: &Row) {
    if let Some(n) = ordinal {
        let _ = write!(out, "{n}");
    }
    let _ = write!(
        out,
        ",{name},{:.2},{:.2},{:.2},{:.2},{:.2},{},{}\r\n",
        row.processing,
        row.satisfaction,
        row.online_payment,
        row.score,
        row.digitization,
        row.e_copies,
        rating(row.score)
    );
}

/// A month as chiso's CSV export writes it: header, the parent's row (no
/// ordinal; averages, and the total of e-copies), then one row per unit.
/// Names must not contain commas or quotes (those from `unit_names` don't).
pub fn month_csv(names: &[String], parent: &str, period: (u16, u8), seed: u64) -> String {
    let month_seed = Rng::new(seed ^ (u64::from(period.0) << 8 | u64::from(period.1))).next_u64();
    let rows: Vec<Row> = names.iter().map(|n| unit_row(n, month_seed)).collect();

    let n = rows.len().max(1) as f64;
    let mean = |f: fn(&Row) -> f64| pct(rows.iter().map(f).sum::<f64>() / n);
    let parent_row = Row {
        processing: mean(|r| r.processing),
        satisfaction: mean(|r| r.satisfaction),
        online_payment: mean(|r| r.online_payment),
        score: mean(|r| r.score),
        digitization: mean(|r| r.digitization),
        e_copies: rows.iter().map(|r| r.e_copies).sum(),
    };

    let mut out = String::with_capacity(96 * (names.len() + 2));
    out.push_str("STT,Đơn vị");
    for label in METRIC_LABELS {
        out.push(',');
        out.push_str(label);
    }
    out.push_str("\r\n");
    push_row(&mut out, None, parent, &parent_row);
    for (i, (name, row)) in names.iter().zip(&rows).enumerate() {
        push_row(&mut out, Some(i + 1), name, row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_and_marked_synthetic() {
        let names = unit_names(NATIONAL_UNITS);
        assert_eq!(names.len(), NATIONAL_UNITS);
        let keys: HashSet<String> = names.iter().map(|n| crate::text::match_key(n)).collect();
        assert_eq!(keys.len(), names.len());
        assert!(names.iter().all(|n| n.contains("Giả Lập")));
        for prefix in ["Xã ", "Phường ", "Thị trấn "] {
            assert!(names.iter().any(|n| n.starts_with(prefix)), "{prefix}");
        }
    }

    #[test]
    fn csv_has_every_row_and_values_in_range() {
        let names = unit_names(500);
        let csv = month_csv(&names, PARENT, (2024, 8), 7);
        assert_eq!(
            csv,
            month_csv(&names, PARENT, (2024, 8), 7),
            "deterministic"
        );
        assert_ne!(
            csv,
            month_csv(&names, PARENT, (2024, 9), 7),
            "months differ"
        );
        let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 1 + 1 + names.len());
        assert!(lines[1].starts_with(&format!(",{PARENT},")));
        let mut hundred = 0;
        for (i, line) in lines[1..].iter().enumerate() {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), 9, "{line}");
            if i > 0 {
                assert_eq!(f[0], i.to_string());
                assert_eq!(f[1], names[i - 1]);
            }
            for &p in &[f[2], f[3], f[4], f[5], f[6]] {
                let x: f64 = p.parse().unwrap();
                assert!((0.0..=100.0).contains(&x), "{line}");
                assert_eq!(p.split_once('.').unwrap().1.len(), 2, "{line}");
            }
            hundred += usize::from(f[2] == "100.00");
            f[7].parse::<u64>().unwrap();
            assert!(RATINGS.contains(&f[8]), "{line}");
        }
        assert!(hundred > names.len() / 2, "processing is mostly 100");
    }

    #[test]
    fn header_matches_schema_and_imports_cleanly() {
        use crate::db::{self, Actor, Db, units};
        use crate::import::{self, Input, Options};
        use crate::model::{Period, UnitKind};

        let dir = tempfile::tempdir().unwrap();
        let mut db = Db::create(&dir.path().join("t.db")).unwrap();
        let labels: Vec<String> = db
            .metrics()
            .unwrap()
            .into_iter()
            .take(7)
            .map(|m| m.label)
            .collect();
        assert_eq!(labels, METRIC_LABELS);
        let actor = Actor {
            os_user: "t".into(),
            ssh_client: None,
        };
        db.write(|tx| -> anyhow::Result<()> {
            let cs = db::begin_changeset(tx, &actor, "init", "test")?;
            units::add(tx, cs, PARENT, UnitKind::Tinh, true)?;
            Ok(())
        })
        .unwrap();

        let names = unit_names(60);
        let csv = month_csv(&names, PARENT, (2024, 8), 1);
        let opts = Options {
            period: Period::parse("2024-08"),
            create_units: true,
            replace: false,
            sheet: None,
            encoding: None,
            kind: None,
            cmd: "chiso".into(),
        };
        let inputs = [Input {
            name: "m.csv".into(),
            bytes: csv.into_bytes(),
        }];
        let actor = crate::db::Actor {
            os_user: "test".into(),
            ssh_client: None,
        };
        let plan = import::run(&mut db, &inputs, &opts, &actor, "test", true)
            .map_err(|e| format!("{e:?}"))
            .unwrap();
        assert_eq!(plan.new_units.len(), names.len());
        assert_eq!(plan.changes.len(), (names.len() + 1) * 7);
        assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    }
}
