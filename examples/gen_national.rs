//! Writes synthetic month files at national scale (10,035 communes by
//! default), for benchmarks and load tests. Names all contain "Giả Lập".
//!
//!   cargo run --release --example gen_national -- OUTDIR [--units 10035] [--months 13] [--last 2024-08] [--seed 1]

use std::path::PathBuf;
use std::process::ExitCode;

use chiso::import::shell_quote;
use chiso::model::Period;
use chiso::synthetic;

const USAGE: &str =
    "usage: gen_national OUTDIR [--units 10035] [--months 13] [--last 2024-08] [--seed 1]";

struct Args {
    out: PathBuf,
    units: usize,
    months: usize,
    last: Period,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut out = None;
    let mut units = synthetic::NATIONAL_UNITS;
    let mut months = 13;
    let mut last = Period::month(2024, 8).expect("a month");
    let mut seed = 1;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |flag: &str| args.next().ok_or(format!("{flag} needs a value"));
        match a.as_str() {
            "-h" | "--help" => return Err(String::new()),
            "--units" => units = value(&a)?.parse().map_err(|e| format!("--units: {e}"))?,
            "--months" => months = value(&a)?.parse().map_err(|e| format!("--months: {e}"))?,
            "--seed" => seed = value(&a)?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--last" => {
                let v = value(&a)?;
                last = Period::parse_month(&v).ok_or(format!("--last: not YYYY-MM: {v}"))?;
            }
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            _ if out.is_none() => out = Some(PathBuf::from(a)),
            _ => return Err(format!("unexpected argument {a}")),
        }
    }
    let out = out.ok_or("missing OUTDIR")?;
    if units == 0 || months == 0 {
        return Err("--units and --months must be at least 1".into());
    }
    Ok(Args {
        out,
        units,
        months,
        last,
        seed,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("error: cannot create {}: {e}", args.out.display());
        return ExitCode::FAILURE;
    }
    let mut periods = vec![args.last];
    while periods.len() < args.months {
        periods.push(periods.last().unwrap().previous());
    }
    periods.reverse();

    let names = synthetic::unit_names(args.units);
    let mut files = Vec::new();
    for p in &periods {
        let path = args.out.join(format!("national-{p}.csv"));
        let csv = synthetic::month_csv(&names, synthetic::PARENT, p.year_month(), args.seed);
        if let Err(e) = std::fs::write(&path, csv) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        files.push(path);
    }
    println!(
        "Wrote {} files of {} synthetic units to {}.",
        files.len(),
        args.units,
        args.out.display()
    );
    println!("Parent: \"{}\"", synthetic::PARENT);
    println!("To load them:");
    let q = |p: &std::path::Path| shell_quote(&p.display().to_string());
    let db = q(&args.out.join("national.db"));
    println!(
        "  chiso --db {db} init --parent {}",
        shell_quote(synthetic::PARENT)
    );
    for (i, (p, f)) in periods.iter().zip(&files).enumerate() {
        let create = if i == 0 { " --create-units" } else { "" };
        println!("  chiso --db {db} import {} --period {p}{create}", q(f));
    }
    ExitCode::SUCCESS
}
