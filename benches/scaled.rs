//! Criterion benchmarks of reference-scaled bioequivalence (issue 27): one whole replicate of
//! the EMA configs (draw, look data, the linear model's interval, the reference-only ANOVA, the
//! rule and the tallies), its parts, and two random-number floors:
//!
//! - `floor/…`: exactly the random numbers the model draws for one replicate, in the same order
//!   (class, k latent normals, sequence, p - 1 drifts, withdrawal, p - 1 discontinuations, p
//!   adverse events, p occasion-noise normals per participant), as the other benches' floors;
//!   checked below to leave the generator where the model's draw leaves it;
//! - `floor_normals/…`: only the same count of standard normals (7 per participant in 2x3x3, 9
//!   in 2x2x4), the least any participant-level simulation with this model draws.
//!
//! The group `scaled_two_stage` (issue 29) times one two-stage trial of the shipped two-stage
//! replicate designs (`configs/two_stage/`, Potvin's method B logic with the rule at each stage)
//! beside one single-stage trial of the same rule and design at the two-stage design's mean
//! total N, the per-trial cost a calibration pays against a single-stage simulation.
//!
//! `cargo bench --bench scaled -- --warm-up-time 1 --measurement-time 4`

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use crossover_sim::analysis::replicate::ReplicateNeeds;
use crossover_sim::analysis::{self, LookData, Needs};
use crossover_sim::config::{self, LoadedConfig, Override};
use crossover_sim::engine::seed::replicate_rng;
use crossover_sim::engine::{NoProgress, Simulator};
use crossover_sim::model::{Cohort, CohortModel, Randomization};
use rand::RngCore;
use std::path::Path;

#[path = "support/floors.rs"]
mod floors;

/// The configs benchmarked (issue 27's side-by-side with PowerTOST).
const CONFIGS: [&str; 2] = ["ema_2x3x3", "ema_2x2x4"];

fn load(name: &str) -> LoadedConfig {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("configs/scaled/{name}.toml"));
    config::load(&path, &[]).unwrap()
}

/// The shape of one replicate's draw: (participants, conditions, periods, block size).
fn shape(loaded: &LoadedConfig) -> (usize, usize, usize, usize) {
    let d = &loaded.design;
    let block_size = match d.randomization() {
        Randomization::PermutedBlocks { block_size } => block_size,
        Randomization::Simple => panic!("the floor is written for permuted blocks"),
    };
    let c = d.crossover();
    (
        d.enrolled(),
        c.condition_count(),
        c.period_count(),
        block_size,
    )
}

/// Checks on a few replicates that the floor draws exactly the model's stream: after the
/// model's draw and after the floor, the generators give the same next number.
fn check_floor(loaded: &LoadedConfig) {
    let (n, k, p, block_size) = shape(loaded);
    let model = CohortModel::new(loaded.design.cohort());
    let mut cohort = Cohort::default();
    for j in 0..64 {
        let (mut a, mut b) = (replicate_rng(1, j), replicate_rng(1, j));
        model.draw(&mut a, &mut cohort);
        floors::general_design_from(&mut b, n, k, p, block_size);
        assert_eq!(
            a.next_u64(),
            b.next_u64(),
            "the floor of {} must draw what the model draws",
            loaded.design.name()
        );
    }
}

fn scaled(c: &mut Criterion) {
    let mut group = c.benchmark_group("scaled");
    for name in CONFIGS {
        let loaded = load(name);
        check_floor(&loaded);
        let (n, k, p, block_size) = shape(&loaded);
        let sim = Simulator::new(&loaded.design).unwrap();
        let mut ws = sim.workspace();
        let mut summary = sim.empty_summary();
        let mut j = 0u64;
        group.bench_function(format!("replicate/{name}"), |b| {
            b.iter(|| {
                sim.replicate(j, &mut ws, &mut summary);
                j += 1;
            })
        });
        let mut j = 0u64;
        group.bench_function(format!("floor/{name}"), |b| {
            b.iter(|| {
                j += 1;
                black_box(floors::general_design_in_blocks(j - 1, n, k, p, block_size))
            })
        });
        // Per participant: k latent normals, p - 1 drifts, p occasion-noise normals.
        let mut j = 0u64;
        group.bench_function(format!("floor_normals/{name}"), |b| {
            b.iter(|| {
                j += 1;
                black_box(floors::normals(j - 1, n, k, p))
            })
        });
        // The parts: the draw alone, and the look's analysis of one drawn cohort (look data,
        // the linear model, the reference-only ANOVA; without the rule and the tallies).
        let model = CohortModel::new(loaded.design.cohort());
        let mut cohort = Cohort::default();
        let mut j = 0u64;
        group.bench_function(format!("draw/{name}"), |b| {
            b.iter(|| {
                model.draw(&mut replicate_rng(1, j), &mut cohort);
                j += 1;
                black_box(&cohort);
            })
        });
        model.draw(&mut replicate_rng(1, 0), &mut cohort);
        // The workspace's look data: the analyses' buffers and the rule's ANOVA (EMA's method A
        // reads s²wR from the reference-only ANOVA, not the intra-participant contrasts); a
        // ratio endpoint records no responses or adverse events.
        let d = &loaded.design;
        let needs = Needs::of(d.analysis().all()).union(Needs::REPLICATE);
        let mut look = LookData::new(n, d.crossover(), d.test(), d.reference(), needs);
        look.set_replicate_needs(ReplicateNeeds {
            anova: true,
            isc: false,
            test_variance: false,
        });
        look.set_no_outcomes(d.crossover());
        let primary = loaded.design.analysis().primary();
        group.bench_function(format!("look_and_primary/{name}"), |b| {
            b.iter(|| {
                look.collect(black_box(&cohort), n);
                black_box(analysis::run(primary, &mut look))
            })
        });
    }
    group.finish();
}

/// 100,000 replicates on every core (rayon's pool), as the CLI runs them.
fn engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("scaled_engine_100k_all_cores");
    group.sample_size(10);
    group.throughput(Throughput::Elements(100_000));
    for name in CONFIGS {
        let loaded = load(name);
        let sim = Simulator::new(&loaded.design).unwrap();
        group.bench_function(name, |b| {
            b.iter_batched(
                || (),
                |_| black_box(sim.simulate(0..100_000, &NoProgress)),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

fn load_path(rel: &str, sets: &[&str]) -> LoadedConfig {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    config::load(&path, &overrides).unwrap()
}

/// (two-stage config at its null, the single-stage config of the same rule and design at its
/// null, overrides making it so, the two-stage design's mean total N there (`crossover-sim run`,
/// 10^5 trials), rounded to whole blocks of the sequences).
const TWO_STAGE: [(&str, &str, &[&str], usize); 3] = [
    (
        "ema_2x2x4_null",
        "configs/scaled/ema_2x2x4_null.toml",
        &[],
        N_EMA_2X2X4,
    ),
    (
        "ema_2x3x3_null",
        "configs/scaled/ema_2x3x3_null.toml",
        &[],
        N_EMA_2X3X3,
    ),
    (
        "fda_rsabe_2x2x4_null",
        "configs/scaled/ema_2x2x4_null.toml",
        &[
            "bioequivalence.rule=\"fda_rsabe\"",
            "analysis.primary=\"isc\"",
        ],
        N_FDA_2X2X4,
    ),
];

/// The two-stage null twins' mean total N (10^5 trials, seed of the configs): 41.05, 60.20,
/// 35.39.
const N_EMA_2X2X4: usize = 42;
const N_EMA_2X3X3: usize = 60;
const N_FDA_2X2X4: usize = 36;

/// One two-stage trial against one single-stage trial at the same (mean) N, and 100,000
/// two-stage trials on every core.
fn two_stage(c: &mut Criterion) {
    let mut group = c.benchmark_group("scaled_two_stage");
    for (name, single, sets, n) in TWO_STAGE {
        let loaded = load_path(&format!("configs/two_stage/{name}.toml"), &[]);
        let sim = Simulator::new(&loaded.design).unwrap();
        let mut ws = sim.workspace();
        let mut summary = sim.empty_summary();
        let mut j = 0u64;
        group.bench_function(format!("replicate/{name}"), |b| {
            b.iter(|| {
                sim.replicate(j, &mut ws, &mut summary);
                j += 1;
            })
        });
        let enrolled = format!("design.enrolled={n}");
        let mut sets = sets.to_vec();
        sets.push(&enrolled);
        let loaded = load_path(single, &sets);
        let sim = Simulator::new(&loaded.design).unwrap();
        let mut ws = sim.workspace();
        let mut summary = sim.empty_summary();
        let mut j = 0u64;
        group.bench_function(format!("single_stage_n{n}/{name}"), |b| {
            b.iter(|| {
                sim.replicate(j, &mut ws, &mut summary);
                j += 1;
            })
        });
    }
    group.sample_size(10);
    group.throughput(Throughput::Elements(100_000));
    let loaded = load_path("configs/two_stage/ema_2x2x4_null.toml", &[]);
    let sim = Simulator::new(&loaded.design).unwrap();
    group.bench_function("engine_100k_all_cores/ema_2x2x4_null", |b| {
        b.iter_batched(
            || (),
            |_| black_box(sim.simulate(0..100_000, &NoProgress)),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, scaled, engine, two_stage);
criterion_main!(benches);
