//! The random-number floors: exactly the random numbers one replicate of a benchmarked config
//! draws, in the same order, and nothing else. Shared by `hot_loop` (criterion) and
//! `ratio_to_floor` (minimum thread CPU time over rounds).

// Each bench binary includes this file and uses some of the floors.
#![allow(dead_code)]

use crossover_sim::engine::seed::replicate_rng;
use rand::Rng;
use rand_distr::StandardNormal;

/// The sequence draw of participant `i` under permuted blocks of `block_size`: a position among
/// the block's `block_size - i % block_size` places left, as the model draws it.
fn block_position<R: Rng>(rng: &mut R, i: usize, block_size: usize) -> f64 {
    rng.random_range(0..block_size - i % block_size) as f64
}

/// One williams2018 replicate's random numbers (30 participants, 2x2, truncated baseline,
/// blocks of 4).
pub fn williams2018(j: u64) -> f64 {
    let mut rng = replicate_rng(1, j);
    let mut acc = 0.0f64;
    for i in 0..30 {
        acc += rng.random::<f64>();
        acc += rng.sample::<f64, _>(StandardNormal);
        acc += rng.sample::<f64, _>(StandardNormal);
        acc += block_position(&mut rng, i, 4);
        acc += rng.sample::<f64, _>(StandardNormal);
        loop {
            let z: f64 = rng.sample(StandardNormal);
            let v = 26.7 + 5.4 * z;
            if (20.0..=52.0).contains(&v) {
                acc += v;
                break;
            }
        }
        for _ in 0..4 {
            acc += rng.random::<f64>();
        }
    }
    acc
}

/// One replicate's random numbers of a general design with `n` participants, `k` conditions
/// and `p` periods in blocks of 4: class, k latent normals, sequence, p - 1 drifts, withdrawal,
/// p - 1 discontinuations, p adverse events, p occasion-noise normals.
pub fn general_design(j: u64, n: usize, k: usize, p: usize) -> f64 {
    general_design_in_blocks(j, n, k, p, 4)
}

/// [`general_design`] with permuted blocks of `block_size` (the default is the smallest
/// multiple of the number of sequences that is at least 4: 6 for three sequences).
pub fn general_design_in_blocks(j: u64, n: usize, k: usize, p: usize, block_size: usize) -> f64 {
    general_design_from(&mut replicate_rng(1, j), n, k, p, block_size)
}

/// [`general_design_in_blocks`] from `rng` (left where the model's draw would leave it, which
/// the benchmarks check).
pub fn general_design_from<R: Rng>(
    rng: &mut R,
    n: usize,
    k: usize,
    p: usize,
    block_size: usize,
) -> f64 {
    let mut acc = 0.0f64;
    for i in 0..n {
        acc += rng.random::<f64>();
        for _ in 0..k {
            acc += rng.sample::<f64, _>(StandardNormal);
        }
        acc += block_position(rng, i, block_size);
        for _ in 1..p {
            acc += rng.sample::<f64, _>(StandardNormal);
        }
        for _ in 0..(1 + (p - 1) + p) {
            acc += rng.random::<f64>();
        }
        for _ in 0..p {
            acc += rng.sample::<f64, _>(StandardNormal);
        }
    }
    acc
}

/// The random numbers of 23 participants of a 2x2 two-stage design (Potvin B at the margin:
/// the run's mean total N is 23.3; blocks of 2).
pub fn potvin_b_23_participants(j: u64) -> f64 {
    let mut rng = replicate_rng(1, j);
    let mut acc = 0.0f64;
    for i in 0..23 {
        acc += rng.random::<f64>();
        for _ in 0..3 {
            acc += rng.sample::<f64, _>(StandardNormal);
        }
        acc += block_position(&mut rng, i, 2);
        for _ in 0..4 {
            acc += rng.random::<f64>();
        }
        for _ in 0..2 {
            acc += rng.sample::<f64, _>(StandardNormal);
        }
    }
    acc
}

/// Only the standard normals of [`general_design_in_blocks`] (k latent, p - 1 drifts and p
/// occasion-noise normals per participant), from the engine's generator and sampler: the
/// normal draws a participant-level simulation of the same model cannot avoid, a lower floor
/// than the model's whole stream, which also draws uniforms (sequence, dropout, adverse
/// events). Written per participant as the model draws them: as one flat loop, the build's
/// inliner left the sampler out of line and the "floor" cost 1.7 times as much.
pub fn normals(j: u64, n: usize, k: usize, p: usize) -> f64 {
    let mut rng = replicate_rng(1, j);
    let mut acc = 0.0f64;
    for _ in 0..n {
        for _ in 0..k {
            acc += rng.sample::<f64, _>(StandardNormal);
        }
        for _ in 1..p {
            acc += rng.sample::<f64, _>(StandardNormal);
        }
        for _ in 0..p {
            acc += rng.sample::<f64, _>(StandardNormal);
        }
    }
    acc
}
