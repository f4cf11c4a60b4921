//! Results depend only on (config, seed, replicates): not on threads, and not on how the
//! replicates are split.

use crate::common::*;
use crossover_sim::engine::NoProgress;
use crossover_sim::run::simulator;

fn strip_timing(mut r: crossover_sim::report::RunReport) -> crossover_sim::report::RunReport {
    r.threads = 0;
    r.elapsed_seconds = 0.0;
    r.replicates_per_second = 0.0;
    r
}

#[test]
fn identical_results_on_one_and_several_threads() {
    for config in [
        "configs/williams2018.toml",
        "configs/validation/paired_d05_n15.toml",
    ] {
        let loaded = load(config, &["simulation.replicates=20000"]);
        let one = strip_timing(run_with_threads(&loaded, 1));
        let two = strip_timing(run_with_threads(&loaded, 2));
        let four = strip_timing(run_with_threads(&loaded, 4));
        assert_eq!(one, two, "{config}");
        assert_eq!(one, four, "{config}");
        assert_eq!(
            serde_json::to_string(&one).unwrap(),
            serde_json::to_string(&four).unwrap()
        );
    }
}

#[test]
fn same_seed_same_result_other_seed_other_result() {
    let a = strip_timing(run(&load(
        "configs/williams2018.toml",
        &["simulation.replicates=5000"],
    )));
    let b = strip_timing(run(&load(
        "configs/williams2018.toml",
        &["simulation.replicates=5000"],
    )));
    let c = strip_timing(run(&load(
        "configs/williams2018.toml",
        &["simulation.replicates=5000", "simulation.seed=1"],
    )));
    assert_eq!(a, b);
    assert_ne!(a.primary, c.primary);
}

#[test]
fn any_split_of_the_replicates_merges_to_the_same_summary() {
    let loaded = load(
        "configs/williams2018.toml",
        &["simulation.replicates=10000"],
    );
    let sim = simulator(&loaded).unwrap();
    let whole = sim.simulate(0..10_000, &NoProgress);
    let mut merged = sim.simulate(0..3_333, &NoProgress);
    merged.merge(&sim.simulate(3_333..7_001, &NoProgress));
    merged.merge(&sim.simulate(7_001..10_000, &NoProgress));
    assert_eq!(whole, merged);
}
