//! Shared helpers for the integration tests: load a shipped config with overrides, run it on a
//! pool with a chosen thread count, and call the binary.

use crossover_sim::config::{self, LoadedConfig, Override};
use crossover_sim::engine::NoProgress;
use crossover_sim::report::RunReport;
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
