//! Fuzzes config loading end to end: bytes (as lossy UTF-8) → `config::parse` → simulator →
//! 20 replicates → report (designs of up to 1000 enrolled). Any panic is a crash; so is a
//! report with a NaN or an unexplained blank (serde_json writes NaN as null, so every null must
//! be documented optional or have its reason in a `missing` map).
//!
//! Run from the crate root on a stable toolchain:
//!     RUSTC_BOOTSTRAP=1 cargo fuzz run config_loader <corpus dir> -- -max_total_time=240 -max_len=4096
//! seeded with a corpus directory holding copies of configs/*.toml and configs/validation/*.toml.

#![no_main]

use crossover_sim::config;
use crossover_sim::engine::NoProgress;
use crossover_sim::report::{build_report, RunMetadata};
use libfuzzer_sys::fuzz_target;

const REPLICATES: u64 = 20;
/// Larger designs are parsed and validated but not simulated: building the simulator's
/// critical-value tables takes time quadratic in the enrollment (about 30 s at N = 20000 in this
/// instrumented build), which would stall the fuzzer without exercising anything new.
const MAX_SIMULATED_ENROLLED: usize = 1000;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(loaded) = config::parse(&text, "fuzz.toml", &[]) else {
        return;
    };
    if loaded.design.enrolled > MAX_SIMULATED_ENROLLED {
        return;
    }
    let Ok(sim) = crossover_sim::run::simulator(&loaded) else {
        return;
    };
    let summary = sim.simulate(0..REPLICATES, &NoProgress);
    assert_eq!(summary.replicates, REPLICATES);
    let meta = RunMetadata::single(1, 1.0);
    let report = build_report(&loaded, sim.rules(), &summary, meta);
    let problems = crossover_sim::report::check::problems(&report, &loaded.design);
    assert!(problems.is_empty(), "{problems:?}");
    let _ = crossover_sim::report::markdown::render(&report);
    let _ = crossover_sim::report::csv_export::render(&report).expect("csv renders");
});
