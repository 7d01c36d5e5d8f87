//! What both benchmarks need: the sample count and running a setup step.

use std::process::Command;

/// `CHISO_BENCH_RUNS`, a positive integer, else `default`.
pub fn runs(default: usize) -> usize {
    match std::env::var("CHISO_BENCH_RUNS") {
        Ok(s) => s
            .trim()
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .expect("CHISO_BENCH_RUNS: a positive integer"),
        Err(_) => default,
    }
}

/// Runs an untimed setup step, requiring success.
pub fn run_ok(mut cmd: Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
