//! Shared helpers for the integration tests: load a shipped config with overrides, run it on a
//! pool with a chosen thread count, and call the binary.

use crossover_sim::config::{self, LoadedConfig, Override};
use crossover_sim::engine::{NoProgress, Simulator, Summary};
use crossover_sim::report::RunReport;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

/// Path of a file in the crate.
pub fn crate_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Loads a shipped config with `--set`-style overrides.
pub fn load(rel: &str, sets: &[&str]) -> LoadedConfig {
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    config::load(&crate_path(rel), &overrides).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a loaded config on a pool of `threads` threads.
pub fn run_with_threads(loaded: &LoadedConfig, threads: usize) -> RunReport {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| crossover_sim::run::simulate(loaded, &NoProgress).unwrap())
}

/// Runs on the default pool.
pub fn run(loaded: &LoadedConfig) -> RunReport {
    crossover_sim::run::simulate(loaded, &NoProgress).unwrap()
}

/// The binary under test.
pub fn crossover_sim() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("crossover-sim").unwrap()
}

/// |observed - expected| <= k standard errors, with a message.
pub fn assert_within(observed: f64, expected: f64, se: f64, k: f64, what: &str) {
    let diff = (observed - expected).abs();
    assert!(
        diff <= k * se,
        "{what}: observed {observed:.5}, expected {expected:.5}, |diff| {diff:.5} > {k} x SE {se:.5}"
    );
}

/// `crossover-sim validate config --set ...` for each case must fail with exit status 2 and a
/// message containing the case's text.
#[allow(dead_code)] // not every test binary uses every helper
pub fn assert_refused(config: &str, cases: &[(&[&str], &str)]) {
    for (sets, expected) in cases {
        let mut cmd = crossover_sim();
        cmd.args(["validate", config]).current_dir(crate_path(""));
        for s in *sets {
            cmd.args(["--set", s]);
        }
        cmd.assert()
            .code(2)
            .stderr(predicates::str::contains(*expected));
    }
}

/// Monte Carlo standard error of a proportion `p` estimated from `replicates` independent
/// trials: sqrt(p (1 - p) / replicates).
pub fn binomial_se(p: f64, replicates: f64) -> f64 {
    (p * (1.0 - p) / replicates).sqrt()
}

/// A JSON file, parsed.
pub fn json(path: &Path) -> Json {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The binary run from the crate root (so that config paths read `configs/...`) with
/// `--quiet --out <out>`, its outcome to be asserted by the caller.
pub fn cli_with_out(args: &[&str], out: &Path) -> assert_cmd::assert::Assert {
    crossover_sim()
        .args(args)
        .args(["--quiet", "--out"])
        .arg(out)
        .current_dir(crate_path(""))
        .assert()
}

/// [`cli_with_out`], which must succeed.
pub fn run_cli(args: &[&str], out: &Path) {
    cli_with_out(args, out).success();
}

/// The summary of `replicates` trials of a shipped config at its seed, with `sets` applied.
pub fn simulate_summary(config: &str, sets: &[&str], replicates: u64) -> Summary {
    let mut all: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    all.push(format!("simulation.replicates={replicates}"));
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    let loaded = load(config, &refs);
    let sim = Simulator::new(&loaded.design).unwrap();
    sim.simulate(0..replicates, &NoProgress)
}

/// `count` as a share of the summary's replicates.
pub fn rate(count: u64, s: &Summary) -> f64 {
    count as f64 / s.replicates as f64
}
