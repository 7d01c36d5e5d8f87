//! TUI benchmark on a national database (10,035 units, 24 months).
//!
//!   cargo bench --bench tui
//!   CHISO_BENCH_DB=/path/run.db cargo bench --bench tui   reuse a database
//!   CHISO_BENCH_RUNS=30 …                                 more samples
//!
//! Measures, in this process through the same code the terminal loop runs
//! (`App`, `handle_key`, `ui::draw`):
//! - start to first frame: open the database, load the latest month, draw;
//! - a key press to the next frame: cursor move, a filter keystroke, a sort
//!   of all rows, a month change;
//! - bytes written to the terminal for a one-row cursor move (crossterm
//!   backend into a byte counter, 120×40);
//!
//! and, in a child process doing the same, peak resident memory (VmHWM).
//! Prints figures; never asserts on time.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

mod common;

use chiso::model::Period;
use chiso::synthetic;
use chiso::tui::app::App;
use chiso::tui::terminal::{fit, handle_key};
use chiso::tui::theme::Theme;
use chiso::tui::ui;
use common::{run_ok, runs};
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

const CHISO: &str = env!("CARGO_BIN_EXE_chiso");
const MONTHS: usize = 24;
const TARGET_FIRST_MS: f64 = 150.0;
const TARGET_KEY_MS: f64 = 15.0;
const TARGET_RSS_MB: f64 = 40.0;
const TARGET_MOVE_BYTES: usize = 1024;
const W: u16 = 120;
const H: u16 = 40;

/// A database of 10,035 units and 24 synthetic months, made with the real
/// binary (init + 24 imports).
fn national_db(dir: &Path) -> PathBuf {
    let db = dir.join("national.db");
    let names = synthetic::unit_names(synthetic::NATIONAL_UNITS);
    let mut init = Command::new(CHISO);
    init.arg("--db")
        .arg(&db)
        .args(["init", "--parent", synthetic::PARENT]);
    run_ok(init);
    let mut p = Period::month(2023, 8).expect("a month");
    for i in 0..MONTHS {
        let file = dir.join(format!("m-{p}.csv"));
        std::fs::write(
            &file,
            synthetic::month_csv(&names, synthetic::PARENT, p.year_month(), 1),
        )
        .unwrap();
        let mut c = Command::new(CHISO);
        c.arg("--db").arg(&db).arg("import").arg(&file);
        c.args(["--period", &p.to_string()]);
        if i == 0 {
            c.arg("--create-units");
        }
        run_ok(c);
        let _ = std::fs::remove_file(&file);
        p = p.next();
    }
    db
}

fn draw(t: &mut Terminal<TestBackend>, app: &mut App, theme: &Theme) {
    fit(app, Rect::new(0, 0, W, H));
    t.draw(|f| ui::draw(f, app, theme)).unwrap();
}

fn key(app: &mut App, k: KeyCode) {
    handle_key(app, KeyEvent::from(k));
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Counts what the backend writes (shared: the backend owns the writer).
struct Counter(std::rc::Rc<std::cell::Cell<usize>>);

impl Write for Counter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.set(self.0.get() + b.len());
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The child: what a TUI session holds at its largest (a month loaded,
/// sorted, filtered, the month before, the findings view), then VmHWM.
fn child(db: &Path) {
    let theme = Theme { color: true };
    let mut t = Terminal::new(TestBackend::new(W, H)).unwrap();
    let mut app = App::open(db).unwrap();
    draw(&mut t, &mut app, &theme);
    for k in "lllllsS/1".chars() {
        key(&mut app, KeyCode::Char(k));
        draw(&mut t, &mut app, &theme);
    }
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('['));
    draw(&mut t, &mut app, &theme);
    eprintln!("month table, sorted, filtered, month changed: {}", vm_hwm());
    key(&mut app, KeyCode::Char('f'));
    draw(&mut t, &mut app, &theme);
    println!("{}", vm_hwm());
}

/// "VmHWM:  48448 kB": this process's peak resident memory.
fn vm_hwm() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .unwrap()
        .to_owned()
}

fn main() {
    if let Ok(db) = std::env::var("CHISO_TUI_BENCH_CHILD") {
        child(Path::new(&db));
        return;
    }
    let n = runs(15);
    let tmp = tempfile::tempdir().unwrap();
    let db = match std::env::var("CHISO_BENCH_DB") {
        Ok(p) => PathBuf::from(p),
        Err(_) => {
            let t = Instant::now();
            let db = national_db(tmp.path());
            println!(
                "setup: {} units × {MONTHS} months imported in {:.1} s",
                synthetic::NATIONAL_UNITS,
                t.elapsed().as_secs_f64()
            );
            db
        }
    };
    let theme = Theme { color: true };

    // Start to first frame.
    let mut first: Vec<f64> = (0..n)
        .map(|_| {
            let t0 = Instant::now();
            let mut app = App::open(&db).unwrap();
            let mut t = Terminal::new(TestBackend::new(W, H)).unwrap();
            draw(&mut t, &mut app, &theme);
            ms(t0.elapsed())
        })
        .collect();

    // Key presses, each followed by a frame.
    let mut app = App::open(&db).unwrap();
    let units = app.month.as_ref().unwrap().table.units.len();
    let mut t = Terminal::new(TestBackend::new(W, H)).unwrap();
    draw(&mut t, &mut app, &theme);
    let timed = |app: &mut App, t: &mut Terminal<TestBackend>, k: KeyCode| {
        let t0 = Instant::now();
        key(app, k);
        draw(t, app, &theme);
        ms(t0.elapsed())
    };
    let mut moves: Vec<f64> = (0..n)
        .map(|_| timed(&mut app, &mut t, KeyCode::Down))
        .collect();
    // Sort all rows by a metric column (digitization), alternating order.
    for _ in 0..5 {
        key(&mut app, KeyCode::Char('l'));
    }
    let mut sorts: Vec<f64> = (0..n)
        .map(|_| timed(&mut app, &mut t, KeyCode::Char('s')))
        .collect();
    app.sort.clear();
    // Filter keystrokes: type "giả lập 1" and back, one key at a time.
    key(&mut app, KeyCode::Char('/'));
    let typed = "giả lập 1";
    let mut filters = Vec::new();
    while filters.len() < n {
        for c in typed.chars() {
            filters.push(timed(&mut app, &mut t, KeyCode::Char(c)));
        }
        for _ in typed.chars() {
            filters.push(timed(&mut app, &mut t, KeyCode::Backspace));
        }
    }
    key(&mut app, KeyCode::Esc);
    // Month changes, back and forth.
    let mut months: Vec<f64> = (0..n)
        .map(|i| {
            let k = if i % 2 == 0 { '[' } else { ']' };
            timed(&mut app, &mut t, KeyCode::Char(k))
        })
        .collect();

    // Bytes for a one-row move, through the crossterm backend.
    let written = std::rc::Rc::new(std::cell::Cell::new(0));
    let mut ct = Terminal::with_options(
        CrosstermBackend::new(Counter(written.clone())),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, W, H)),
        },
    )
    .unwrap();
    let mut app = App::open(&db).unwrap();
    fit(&mut app, Rect::new(0, 0, W, H));
    ct.draw(|f| ui::draw(f, &app, &theme)).unwrap();
    let full = written.get();
    key(&mut app, KeyCode::Down);
    written.set(0);
    ct.draw(|f| ui::draw(f, &app, &theme)).unwrap();
    let move_bytes = written.get();

    // Peak memory of a session, in a fresh process.
    let out = Command::new(std::env::current_exe().unwrap())
        .env("CHISO_TUI_BENCH_CHILD", &db)
        .output()
        .expect("child");
    let hwm = String::from_utf8_lossy(&out.stdout);
    print!("{}", String::from_utf8_lossy(&out.stderr));
    let kib: f64 = hwm
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("child said: {hwm} {}", String::from_utf8_lossy(&out.stderr)));
    let rss_mb = kib / 1024.0;

    let verdict = |ok: bool| if ok { "PASS" } else { "MISS" };
    println!("\n{units} units, {MONTHS} months, {W}×{H}, {n} samples each");
    println!("{:<28} {:>9} {:>9}   target", "", "median ms", "max ms");
    let line = |name: &str, v: &mut Vec<f64>, target: f64| {
        let max = v.iter().copied().fold(0.0, f64::max);
        let med = median(v);
        println!(
            "{name:<28} {med:>9.2} {max:>9.2}   < {target:.0} ms {}",
            verdict(med < target)
        );
    };
    line("start to first frame", &mut first, TARGET_FIRST_MS);
    line("key: cursor move", &mut moves, TARGET_KEY_MS);
    line("key: filter keystroke", &mut filters, TARGET_KEY_MS);
    line("key: sort all rows", &mut sorts, TARGET_KEY_MS);
    line("key: month change", &mut months, TARGET_KEY_MS);
    println!(
        "{:<28} {move_bytes:>9} B              < {TARGET_MOVE_BYTES} B {} (first full frame: {full} B)",
        "bytes for a one-row move",
        verdict(move_bytes < TARGET_MOVE_BYTES)
    );
    println!(
        "{:<28} {rss_mb:>9.1} MB             < {TARGET_RSS_MB:.0} MB {}",
        "peak resident memory",
        verdict(rss_mb < TARGET_RSS_MB)
    );
}
