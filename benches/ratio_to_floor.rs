//! Each benchmarked replicate's ratio to its random-number floor, as the minimum thread CPU
//! time over interleaved rounds.
//!
//! On a shared virtual machine criterion's wall-clock estimates of one binary moved by up to
//! 2x between runs, and the floor and the replicate, measured seconds apart, moved separately.
//! Here every round times each body (4,000 calls) back to back, in the calling thread's CPU
//! time (`CLOCK_THREAD_CPUTIME_ID`: time descheduled is not counted), and the minimum over the
//! rounds is kept: the least disturbed measurement of each. Because the machine's speed also
//! drifts from second to second, each replicate is also divided by its floor *in the same
//! round* (measured just before it), and the median of those per-round ratios is printed beside
//! the ratio of the minima. Run with `cargo bench --bench ratio_to_floor` (add a number of
//! rounds, default 15, and a word to keep only the bodies whose name contains it, e.g.
//! `cargo bench --bench ratio_to_floor -- 15 ema`).
//!
//! The scaled-bioequivalence replicates (issue 27) have two floors: `floor/ema_*`, the model's
//! whole stream as for the other configs, and `floor_normals/ema_*`, only its standard normals
//! (the least a participant-level simulation of the same model draws); they are printed with a
//! ratio to each.
//!
//! Beside the library's replicates, `fused/williams2018_primary_only` times the same replicate
//! written as one function for that one config (`support/fused_williams2018.rs`): the floor
//! says what the random numbers cost, the fused replicate what the unavoidable arithmetic adds,
//! and the library's replicate what generality and the layers add on top. `draw/williams2018`
//! is the library's cohort draw alone.

use crossover_sim::analysis::replicate::ReplicateNeeds;
use crossover_sim::analysis::{self, LookData, Needs};
use crossover_sim::config::{self, LoadedConfig, Override};
use crossover_sim::engine::seed::replicate_rng;
use crossover_sim::engine::Simulator;
use crossover_sim::model::{Cohort, CohortModel, Randomization};
use std::hint::black_box;
use std::path::Path;

#[path = "support/floors.rs"]
mod floors;
#[path = "support/fused_williams2018.rs"]
mod fused_williams2018;

/// Calls per body per round.
const CALLS: u64 = 4_000;

fn thread_cpu_nanoseconds() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for clock_gettime to write.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(status, 0, "CLOCK_THREAD_CPUTIME_ID is available on Linux");
    t.tv_sec as f64 * 1e9 + t.tv_nsec as f64
}

fn load(rel: &str, sets: &[&str]) -> LoadedConfig {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    config::load(&path, &overrides).unwrap()
}

/// A timed body: `call(j)` runs call number j.
struct Body {
    name: &'static str,
    call: Box<dyn FnMut(u64)>,
    best: f64,
    /// Time per call in each round.
    rounds: Vec<f64>,
}

fn replicate_body(name: &'static str, rel: &str, sets: &[&str]) -> Body {
    let sim = Simulator::new(&load(rel, sets).design).unwrap();
    let mut ws = sim.workspace();
    let mut summary = sim.empty_summary();
    Body {
        name,
        call: Box::new(move |j| {
            sim.replicate(j, &mut ws, &mut summary);
            black_box(&summary);
        }),
        best: f64::INFINITY,
        rounds: Vec::new(),
    }
}

/// The cohort draw alone (no looks, no analysis) of the config at `rel`.
fn draw_body(name: &'static str, rel: &str) -> Body {
    let loaded = load(rel, &[]);
    let model = CohortModel::new(loaded.design.cohort());
    let mut cohort = Cohort::default();
    Body {
        name,
        call: Box::new(move |j| {
            model.draw(&mut replicate_rng(1, j), &mut cohort);
            black_box(&cohort);
        }),
        best: f64::INFINITY,
        rounds: Vec::new(),
    }
}

fn floor_body(name: &'static str, floor: impl Fn(u64) -> f64 + 'static) -> Body {
    Body {
        name,
        call: Box::new(move |j| {
            black_box(floor(j));
        }),
        best: f64::INFINITY,
        rounds: Vec::new(),
    }
}

/// The fused williams2018 replicate as a timed body, after checking on 2,000 replicates that it
/// reaches the library's decisions and counts from the same random numbers (seed 1).
fn fused_body() -> Body {
    let loaded = load(
        "configs/williams2018.toml",
        &["analysis.secondary=[]", "simulation.seed=1"],
    );
    let sim = Simulator::new(&loaded.design).unwrap();
    let critical_t: [Vec<f64>; 2] = [0, 1].map(|look| {
        (0..=30)
            .map(|df| sim.rules().efficacy_critical(look).t(df))
            .collect()
    });
    let mut ws = sim.workspace();
    let mut summary = sim.empty_summary();
    let mut out = fused_williams2018::FusedReplicate::default();
    let (mut stopped_first, mut rejected, mut treated, mut nausea) =
        (0u64, 0u64, [0u64; 2], [0u64; 2]);
    let (mut analyzed, mut sum_estimate) = (0u64, 0.0);
    for j in 0..2_000 {
        sim.replicate(j, &mut ws, &mut summary);
        fused_williams2018::replicate(1, j, &critical_t, &mut out);
        stopped_first += u64::from(out.stopped_at == 0);
        rejected += u64::from(out.rejected);
        if let Some(estimate) = out.estimate {
            analyzed += 1;
            sum_estimate += estimate;
        }
        for c in 0..2 {
            treated[c] += out.treated[c] as u64;
            nausea[c] += out.nausea[c] as u64;
        }
    }
    let primary = &summary.analyses[loaded.design.analysis().primary().index()];
    assert_eq!(
        (stopped_first, rejected, analyzed, &treated[..], &nausea[..]),
        (
            summary.looks[0].stops.iter().sum::<u64>(),
            primary.rejected,
            primary.analyzed,
            &summary.treated[..],
            &summary.adverse_events[..]
        ),
        "the fused williams2018 replicate must reach the library's results"
    );
    // The library sums estimates exactly in fixed point (2^-32); the fused sum is in doubles.
    assert!(
        (sum_estimate - primary.sum_estimate.value()).abs() < 1e-6,
        "fused sum of estimates {sum_estimate} against the library's {}",
        primary.sum_estimate.value()
    );
    Body {
        name: "fused/williams2018_primary_only",
        call: Box::new(move |j| {
            fused_williams2018::replicate(1, j, &critical_t, &mut out);
            black_box(&out);
        }),
        best: f64::INFINITY,
        rounds: Vec::new(),
    }
}

/// The shape of one replicate's draw of the scaled config `name`: (participants, conditions,
/// periods, block size).
fn scaled_shape(name: &str) -> (usize, usize, usize, usize) {
    let loaded = load(&format!("configs/scaled/{name}.toml"), &[]);
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

/// The look's data and the primary analysis of the scaled config at `rel` (with the rule's
/// reference-only ANOVA, set up as the engine's workspace; without the rule's decision and the
/// tallies), on 64 cohorts drawn
/// beforehand and taken in turn (one cohort only would let the branch predictors learn it).
fn look_body(name: &'static str, rel: &str) -> Body {
    let loaded = load(rel, &[]);
    let d = &loaded.design;
    let model = CohortModel::new(d.cohort());
    let cohorts: Vec<Cohort> = (0..64)
        .map(|j| {
            let mut cohort = Cohort::default();
            model.draw(&mut replicate_rng(1, j), &mut cohort);
            cohort
        })
        .collect();
    let needs = Needs::of(d.analysis().all()).union(Needs::REPLICATE);
    let mut look = LookData::new(d.enrolled(), d.crossover(), d.test(), d.reference(), needs);
    look.set_replicate_needs(ReplicateNeeds {
        anova: true,
        isc: false,
        test_variance: false,
    });
    // As the engine's workspace: a ratio endpoint records no responses or adverse events.
    look.set_no_outcomes(d.crossover());
    let (primary, n) = (d.analysis().primary(), d.enrolled());
    Body {
        name,
        call: Box::new(move |j| {
            look.collect(&cohorts[(j % 64) as usize], n);
            black_box(analysis::run(primary, &mut look));
        }),
        best: f64::INFINITY,
        rounds: Vec::new(),
    }
}

/// The floors, the replicate and the draw of one scaled config (see the module's comment).
fn scaled_bodies(name: &'static str) -> Vec<Body> {
    let (n, k, p, block_size) = scaled_shape(name);
    let rel = format!("configs/scaled/{name}.toml");
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    vec![
        floor_body(leak(format!("floor_normals/{name}")), move |j| {
            floors::normals(j, n, k, p)
        }),
        floor_body(leak(format!("floor/{name}")), move |j| {
            floors::general_design_in_blocks(j, n, k, p, block_size)
        }),
        replicate_body(leak(format!("replicate/{name}")), &rel, &[]),
        draw_body(leak(format!("draw/{name}")), &rel),
        look_body(leak(format!("look_and_primary/{name}")), &rel),
    ]
}

/// Builds one body (see `main`).
type Build = Box<dyn Fn() -> Body>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rounds: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(15);
    // The first argument that is neither a number nor an option filters the bodies by name.
    let filter = args
        .iter()
        .find(|a| a.parse::<usize>().is_err() && !a.starts_with('-'))
        .cloned();
    let williams = "configs/williams2018.toml";
    // The bodies by name, each built only if the filter keeps it: building one runs a
    // simulator's setup, and the fused replicate's check 2,000 replicates of the library.
    let builds: Vec<(&'static str, Build)> = vec![
        (
            "floor/williams2018",
            Box::new(|| floor_body("floor/williams2018", floors::williams2018)),
        ),
        (
            "replicate/williams2018_primary_only",
            Box::new(|| {
                replicate_body(
                    "replicate/williams2018_primary_only",
                    williams,
                    &["analysis.secondary=[]"],
                )
            }),
        ),
        ("fused/williams2018_primary_only", Box::new(fused_body)),
        (
            "draw/williams2018",
            Box::new(|| draw_body("draw/williams2018", williams)),
        ),
        (
            "replicate/williams2018_all_analyses",
            Box::new(|| replicate_body("replicate/williams2018_all_analyses", williams, &[])),
        ),
        (
            "floor/4x4",
            Box::new(|| floor_body("floor/4x4", |j| floors::general_design(j, 24, 4, 4))),
        ),
        (
            "replicate/4x4",
            Box::new(|| replicate_body("replicate/4x4", "configs/designs/design_4x4.toml", &[])),
        ),
        (
            "replicate/4x4_one_contrast",
            Box::new(|| {
                replicate_body(
                    "replicate/4x4_one_contrast",
                    "configs/designs/design_4x4.toml",
                    &["analysis.contrast=\"B - A\""],
                )
            }),
        ),
        (
            "floor/2x2x4",
            Box::new(|| floor_body("floor/2x2x4", |j| floors::general_design(j, 24, 2, 4))),
        ),
        (
            "replicate/2x2x4",
            Box::new(|| {
                replicate_body("replicate/2x2x4", "configs/designs/design_2x2x4.toml", &[])
            }),
        ),
        (
            "floor/potvin_b_23",
            Box::new(|| floor_body("floor/potvin_b_23", floors::potvin_b_23_participants)),
        ),
        (
            "replicate/potvin_b_null",
            Box::new(|| {
                replicate_body(
                    "replicate/potvin_b_null",
                    "configs/two_stage/potvin_b_null.toml",
                    &[],
                )
            }),
        ),
    ];
    let keep = |name: &str| filter.as_ref().map_or(true, |w| name.contains(w.as_str()));
    let mut bodies: Vec<Body> = builds
        .iter()
        .filter(|(name, _)| keep(name))
        .map(|(_, build)| build())
        .collect();
    for config in ["ema_2x3x3", "ema_2x2x4"] {
        bodies.extend(scaled_bodies(config).into_iter().filter(|b| keep(b.name)));
    }
    let mut j = 0u64;
    for _ in 0..rounds {
        for body in bodies.iter_mut() {
            let started = thread_cpu_nanoseconds();
            for _ in 0..CALLS {
                (body.call)(j);
                j += 1;
            }
            let per_call = (thread_cpu_nanoseconds() - started) / CALLS as f64;
            body.best = body.best.min(per_call);
            body.rounds.push(per_call);
        }
    }
    println!(
        "minimum thread CPU time per call over {rounds} rounds of {CALLS} calls; ratio of the \
         minima, and median of the per-round ratios"
    );
    let mut floor: Option<&Body> = None;
    let mut normals_floor: Option<&Body> = None;
    for body in &bodies {
        if body.name.starts_with("floor_normals/") {
            normals_floor = Some(body);
            println!("{:<40} {:>9.0} ns", body.name, body.best);
            continue;
        }
        match floor {
            Some(f) if !body.name.starts_with("floor/") => {
                print!(
                    "{:<40} {:>9.0} ns  {:.2}x its floor  (median per round {:.2}x)",
                    body.name,
                    body.best,
                    body.best / f.best,
                    median_ratio(body, f)
                );
                // The normals-only floor of the same config, if it has one.
                let config = body.name.split('/').nth(1);
                match normals_floor {
                    Some(nf) if nf.name.split('/').nth(1) == config => println!(
                        "; {:.2}x its normals (median {:.2}x)",
                        body.best / nf.best,
                        median_ratio(body, nf)
                    ),
                    _ => println!(),
                }
            }
            _ => {
                floor = Some(body);
                println!("{:<40} {:>9.0} ns", body.name, body.best);
            }
        }
    }
}

/// The median over rounds of `body`'s time divided by `floor`'s in the same round.
fn median_ratio(body: &Body, floor: &Body) -> f64 {
    let mut per_round: Vec<f64> = body
        .rounds
        .iter()
        .zip(&floor.rounds)
        .map(|(b, f)| b / f)
        .collect();
    per_round.sort_by(f64::total_cmp);
    per_round[per_round.len() / 2]
}
