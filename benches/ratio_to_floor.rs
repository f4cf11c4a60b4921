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
//! rounds, default 15).
//!
//! Beside the library's replicates, `fused/williams2018_primary_only` times the same replicate
//! written as one function for that one config (`support/fused_williams2018.rs`): the floor
//! says what the random numbers cost, the fused replicate what the unavoidable arithmetic adds,
//! and the library's replicate what generality and the layers add on top. `draw/williams2018`
//! is the library's cohort draw alone.

use crossover_sim::config::{self, LoadedConfig, Override};
use crossover_sim::engine::seed::replicate_rng;
use crossover_sim::engine::Simulator;
use crossover_sim::model::{Cohort, CohortModel};
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

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(15);
    let williams = "configs/williams2018.toml";
    let mut bodies = vec![
        floor_body("floor/williams2018", floors::williams2018),
        replicate_body(
            "replicate/williams2018_primary_only",
            williams,
            &["analysis.secondary=[]"],
        ),
        fused_body(),
        draw_body("draw/williams2018", williams),
        replicate_body("replicate/williams2018_all_analyses", williams, &[]),
        floor_body("floor/4x4", |j| floors::general_design(j, 24, 4, 4)),
        replicate_body("replicate/4x4", "configs/designs/design_4x4.toml", &[]),
        replicate_body(
            "replicate/4x4_one_contrast",
            "configs/designs/design_4x4.toml",
            &["analysis.contrast=\"B - A\""],
        ),
        floor_body("floor/2x2x4", |j| floors::general_design(j, 24, 2, 4)),
        replicate_body("replicate/2x2x4", "configs/designs/design_2x2x4.toml", &[]),
        floor_body("floor/potvin_b_23", floors::potvin_b_23_participants),
        replicate_body(
            "replicate/potvin_b_null",
            "configs/two_stage/potvin_b_null.toml",
            &[],
        ),
    ];
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
    for body in &bodies {
        match floor {
            Some(f) if !body.name.starts_with("floor/") => {
                let mut per_round: Vec<f64> = body
                    .rounds
                    .iter()
                    .zip(&f.rounds)
                    .map(|(b, f)| b / f)
                    .collect();
                per_round.sort_by(f64::total_cmp);
                println!(
                    "{:<40} {:>9.0} ns  {:.2}x its floor  (median per round {:.2}x)",
                    body.name,
                    body.best,
                    body.best / f.best,
                    per_round[per_round.len() / 2]
                );
            }
            _ => {
                floor = Some(body);
                println!("{:<40} {:>9.0} ns", body.name, body.best);
            }
        }
    }
}
