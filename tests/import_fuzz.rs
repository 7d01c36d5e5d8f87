//! A bounded fuzz run over the importers, through the real binary: CSV
//! (`,` and `;`), TSV, UTF-16, XLSX and chiso's JSON, built from the seed's
//! files and mutated at random (bytes flipped, inserted, cut; lines
//! repeated; control characters, huge numbers, long cells). For every
//! case: the exit code is 0, 1 or 2 (never a panic or an abort), a failed
//! import leaves the database exactly as it was, a successful one leaves it
//! consistent, stderr never carries a raw control character, and the
//! process's peak memory stays under 200 MB.
//!
//! Time-bounded: `CHISO_FUZZ_SECS` (default 8 s) and `CHISO_FUZZ_SEED`
//! (default: fixed, so a CI run is repeatable; set another to explore).

mod common;

use std::time::{Duration, Instant};

use common::*;

/// xorshift64*: a few lines, no dependency, repeatable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, in_: usize) -> bool {
        self.below(in_) == 0
    }
}

const NASTY: &[&str] = &[
    "\u{1b}[31m",
    "\u{7}",
    "\u{0}",
    "\u{200b}",
    "\u{feff}",
    "9007199254740993",
    "1e308",
    "-0",
    "NaN",
    "=HYPERLINK(\"x\")",
    "'",
    "\"",
    "\"\"",
    ";",
    ",",
    "\t",
    "\r",
    "100,5",
    "99.999999999999999999",
    "Đồng Tiến",
    "Đông Tiến",
    "tháng 13/2024",
    "tháng 8/2024",
    "Huyện Khoái Châu",
    "Xã",
    "   ",
];

fn mutate_text(rng: &mut Rng, text: &str) -> Vec<u8> {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for _ in 0..=rng.below(4) {
        if lines.is_empty() {
            break;
        }
        let i = rng.below(lines.len());
        match rng.below(8) {
            0 => {
                let l = lines[i].clone();
                for _ in 0..rng.below(50) {
                    lines.insert(i, l.clone());
                }
            }
            1 => {
                lines.remove(i);
            }
            2 => {
                let at = rng.below(lines[i].len() + 1);
                let at = (0..=at)
                    .rev()
                    .find(|&k| lines[i].is_char_boundary(k))
                    .unwrap_or(0);
                let s = NASTY[rng.below(NASTY.len())];
                lines[i].insert_str(at, s);
            }
            3 => {
                let cells: Vec<&str> = lines[i].split('\t').collect();
                let n = rng.below(cells.len());
                let mut cells: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
                cells[n] = NASTY[rng.below(NASTY.len())].to_owned();
                lines[i] = cells.join("\t");
            }
            4 => lines[i] = "x".repeat(rng.below(5000)),
            5 => lines[i] = lines[i].replace('\t', if rng.chance(2) { ";" } else { "," }),
            6 => lines[i] = lines[i].replace('.', ","),
            _ => lines.truncate(i),
        }
    }
    let mut bytes = lines
        .join(if rng.chance(3) { "\r\n" } else { "\n" })
        .into_bytes();
    // Raw byte damage now and then.
    for _ in 0..rng.below(3) {
        if bytes.is_empty() {
            break;
        }
        let i = rng.below(bytes.len());
        match rng.below(3) {
            0 => bytes[i] = rng.next() as u8,
            1 => bytes.insert(i, rng.next() as u8),
            _ => bytes.truncate(i),
        }
    }
    if rng.chance(10) {
        // UTF-16 LE with a BOM, as Excel's "Unicode text".
        let s = String::from_utf8_lossy(&bytes).into_owned();
        let mut out = vec![0xFF, 0xFE];
        for u in s.encode_utf16() {
            out.extend_from_slice(&u.to_le_bytes());
        }
        return out;
    }
    bytes
}

fn xlsx(rng: &mut Rng, text: &str) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, line) in text.lines().enumerate() {
        for (c, cell) in line.split('\t').enumerate() {
            let (r, c) = (r as u32, c as u16);
            if rng.chance(15) {
                let _ = sheet.write_string(r, c, NASTY[rng.below(NASTY.len())]);
            } else if let Ok(x) = cell.parse::<f64>() {
                let x = if rng.chance(20) { x / 100.0 } else { x };
                let _ = sheet.write_number(r, c, x);
            } else {
                let _ = sheet.write_string(r, c, cell);
            }
        }
    }
    if rng.chance(5) {
        // A stray cell far away from the table.
        let _ = sheet.write_string(
            rng.below(5000) as u32 + 100,
            rng.below(200) as u16 + 20,
            "x",
        );
    }
    book.save_to_buffer().expect("xlsx in memory")
}

#[test]
fn importers_never_panic_never_half_write_and_stay_small() {
    let secs: u64 = std::env::var("CHISO_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8);
    let seed: u64 = std::env::var("CHISO_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_c0de);
    let mut rng = Rng(seed | 1);
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let seeds: Vec<String> = [
        p1(),
        p2(),
        example("khoai-chau-2024-07-synthetic.tsv"),
        example("khoai-chau-2024-08-huyen.tsv"),
    ]
    .iter()
    .map(|p| std::fs::read_to_string(p).unwrap())
    .collect();
    let json = ok(&db, &["export", "--period", "2024-08", "--format", "json"]).stdout;
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut cases = 0;
    let mut by_code = [0usize; 3];
    while Instant::now() < deadline {
        let base = &seeds[rng.below(seeds.len())];
        let (name, bytes) = match rng.below(6) {
            0 => ("f.xlsx", xlsx(&mut rng, base)),
            1 => ("f.json", mutate_text(&mut rng, &json)),
            _ => ("f.tsv", mutate_text(&mut rng, base)),
        };
        let f = write(dir.path(), name, &bytes);
        let before = snapshot(&db);
        let mut args = vec!["import", s(&f), "--period", "2024-08"];
        if rng.chance(2) {
            args.push("--replace");
        }
        if rng.chance(3) {
            args.push("--create-units");
        }
        if rng.chance(4) {
            args.push("--dry-run");
        }
        let (code, err, peak_mb) = measured(&db, &args);
        let keep = || {
            let _ = std::fs::copy(
                &f,
                std::env::temp_dir().join(format!("chiso-fuzz-{cases}-{name}")),
            );
        };
        if !(0..=2).contains(&code) || err.contains("panicked") {
            keep();
            panic!("case {cases} ({name}, seed {seed}): exit {code}\n{err}");
        }
        by_code[code as usize] += 1;
        if err.contains('\u{1b}') || err.contains('\u{7}') {
            keep();
            panic!("case {cases}: raw control character on stderr: {err:?}");
        }
        assert!(
            peak_mb < 200.0,
            "case {cases} ({name}): peak memory {peak_mb:.0} MB"
        );
        if code != 0 || args.contains(&"--dry-run") {
            assert_eq!(
                snapshot(&db),
                before,
                "case {cases} ({name}): a refused or dry run changed the database"
            );
        }
        cases += 1;
    }
    let conn = rusqlite::Connection::open(&db).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let fk: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk, 0);
    eprintln!(
        "import fuzz: {cases} cases in {secs} s (seed {seed}): {} imported, {} refused, {} usage errors",
        by_code[0], by_code[1], by_code[2]
    );
    assert!(cases >= 20, "too few cases ran: {cases}");
}
