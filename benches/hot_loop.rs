//! Criterion benchmarks of the hot loop: drawing a cohort, each analysis, one whole replicate,
//! the engine over 100,000 replicates, and the floor set by the random numbers alone.

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use crossover_sim::analysis::{self, AnalysisName, LookData, Needs};
use crossover_sim::config::{self, LoadedConfig, Override};
use crossover_sim::engine::seed::replicate_rng;
use crossover_sim::engine::{NoProgress, Simulator};
use crossover_sim::inference::{CriticalValues, Hypothesis};
use crossover_sim::model::{Cohort, CohortModel};
use std::path::Path;

#[path = "support/floors.rs"]
mod floors;

fn williams(sets: &[&str]) -> LoadedConfig {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/williams2018.toml");
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    config::load(&path, &overrides).unwrap()
}

fn draw_cohort(c: &mut Criterion) {
    let loaded = williams(&[]);
    let model = CohortModel::new(loaded.design.cohort());
    let mut cohort = Cohort::new(30, 2);
    let mut j = 0u64;
    c.bench_function("draw_cohort/williams2018", |b| {
        b.iter(|| {
            let mut rng = replicate_rng(1, j);
            j += 1;
            model.draw(&mut rng, &mut cohort);
            black_box(&cohort);
        })
    });
}

/// The random numbers one williams2018 replicate consumes, in the same order, and nothing else.
fn random_number_floor(c: &mut Criterion) {
    let mut j = 0u64;
    c.bench_function("floor/williams2018_random_numbers", |b| {
        b.iter(|| {
            j += 1;
            black_box(floors::williams2018(j - 1))
        })
    });
}

fn load_config(rel: &str, sets: &[&str]) -> LoadedConfig {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    config::load(&path, &overrides).unwrap()
}

/// The general designs (N = 24, primary `anova`): one whole replicate, and the floor set by
/// exactly the random numbers one replicate draws (class, k latent normals, sequence, p - 1
/// drifts, withdrawal, p - 1 discontinuations, p adverse events, p occasion-noise normals).
fn general_designs(c: &mut Criterion) {
    let mut group = c.benchmark_group("design_n24");
    for preset in ["4x4", "2x2x4"] {
        let loaded = load_config(&format!("configs/designs/design_{preset}.toml"), &[]);
        let d = &loaded.design;
        let (k, p, n) = (
            d.crossover().condition_count(),
            d.crossover().period_count(),
            d.enrolled(),
        );
        // 4x4 tests its three contrasts against the reference together by default; the
        // single-contrast run shows what the family costs.
        if preset == "4x4" {
            let single = load_config(
                "configs/designs/design_4x4.toml",
                &["analysis.contrast=\"B - A\""],
            );
            let sim = Simulator::new(&single.design).unwrap();
            let mut ws = sim.workspace();
            let mut summary = sim.empty_summary();
            let mut j = 0u64;
            group.bench_function("replicate/4x4_one_contrast", |b| {
                b.iter(|| {
                    sim.replicate(j, &mut ws, &mut summary);
                    j += 1;
                })
            });
        }
        let sim = Simulator::new(d).unwrap();
        let mut ws = sim.workspace();
        let mut summary = sim.empty_summary();
        let mut j = 0u64;
        group.bench_function(format!("replicate/{preset}"), |b| {
            b.iter(|| {
                sim.replicate(j, &mut ws, &mut summary);
                j += 1;
            })
        });
        let mut j = 0u64;
        group.bench_function(format!("floor/{preset}"), |b| {
            b.iter(|| {
                j += 1;
                black_box(floors::general_design(j - 1, n, k, p))
            })
        });
    }
    group.finish();
}

fn analyses(c: &mut Criterion) {
    let loaded = williams(&["sequential.looks=[30]"]);
    let model = CohortModel::new(loaded.design.cohort());
    let mut cohort = Cohort::new(30, 2);
    model.draw(&mut replicate_rng(1, 0), &mut cohort);
    let d = &loaded.design;
    let mut look = LookData::new(30, d.crossover(), d.test(), d.reference(), Needs::ALL);
    look.collect(&cohort, 30);
    let critical = CriticalValues::new(0.05, 30);
    let mut group = c.benchmark_group("analysis_n30");
    group.bench_function("collect_look_data", |b| {
        b.iter(|| look.collect(black_box(&cohort), 30))
    });
    for name in AnalysisName::all() {
        group.bench_function(name.as_str(), |b| {
            b.iter(|| {
                let outcome = analysis::run(name, &mut look);
                black_box(Hypothesis::TwoSided.decide(&outcome, &critical))
            })
        });
    }
    group.finish();
}

fn replicate(c: &mut Criterion) {
    let mut group = c.benchmark_group("replicate");
    for (label, sets) in [
        ("williams2018_all_analyses", vec![]),
        ("williams2018_primary_only", vec!["analysis.secondary=[]"]),
    ] {
        let loaded = williams(&sets);
        let sim = Simulator::new(&loaded.design).unwrap();
        let mut ws = sim.workspace();
        let mut summary = sim.empty_summary();
        let mut j = 0u64;
        group.bench_function(label, |b| {
            b.iter(|| {
                sim.replicate(j, &mut ws, &mut summary);
                j += 1;
            })
        });
    }
    group.finish();
}

fn engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine_100k_replicates_all_cores");
    group.sample_size(10);
    group.throughput(Throughput::Elements(100_000));
    for (label, sets) in [
        ("williams2018_all_analyses", vec![]),
        ("williams2018_primary_only", vec!["analysis.secondary=[]"]),
    ] {
        let loaded = williams(&sets);
        let sim = Simulator::new(&loaded.design).unwrap();
        group.bench_function(label, |b| {
            b.iter_batched(
                || (),
                |_| black_box(sim.simulate(0..100_000, &NoProgress)),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

/// One Potvin B trial (2x2, n1 = 12, CV 0.20) at the margin, participants simulated one by
/// one, and the random numbers of the same expected number of participants alone.
fn two_stage(c: &mut Criterion) {
    let mut group = c.benchmark_group("two_stage");
    let loaded = load_config("configs/two_stage/potvin_b_null.toml", &[]);
    let sim = Simulator::new(&loaded.design).unwrap();
    let mut ws = sim.workspace();
    let mut summary = sim.empty_summary();
    let mut j = 0u64;
    group.bench_function("replicate/potvin_b_null", |b| {
        b.iter(|| {
            sim.replicate(j, &mut ws, &mut summary);
            j += 1;
        })
    });
    // The new two-stage methods at their null twins: the inverse-normal method (Power2Stage's
    // power.tsd.in design point) and Potvin B with futility on the stage-1 CI (power.tsd.fC).
    for config in ["inverse_normal_null", "potvin_b_futility_null"] {
        let loaded = load_config(&format!("configs/two_stage/{config}.toml"), &[]);
        let sim = Simulator::new(&loaded.design).unwrap();
        let mut ws = sim.workspace();
        let mut summary = sim.empty_summary();
        let mut j = 0u64;
        group.bench_function(format!("replicate/{config}"), |b| {
            b.iter(|| {
                sim.replicate(j, &mut ws, &mut summary);
                j += 1;
            })
        });
    }
    // The run's mean total N is 23.3 participants; 23 participants' random numbers.
    let mut j = 0u64;
    group.bench_function("floor/potvin_b_null_23_participants", |b| {
        b.iter(|| {
            j += 1;
            black_box(floors::potvin_b_23_participants(j - 1))
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    two_stage,
    draw_cohort,
    random_number_floor,
    analyses,
    replicate,
    engine,
    general_designs
);
criterion_main!(benches);
