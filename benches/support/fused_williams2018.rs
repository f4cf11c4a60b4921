//! A reference point below the library: one williams2018 replicate, primary analysis only,
//! written as a single fused function for this one config. It draws exactly the library's
//! random numbers and cohort, keeps no cohort (each participant's scores go straight into the
//! look's running totals), and has every constant of the config compiled in. What it costs
//! over the random-number floor is the arithmetic any implementation must do; what the library
//! costs over it is the price of generality (any design, analysis and stopping rule) and of
//! the layers. `ratio_to_floor` checks, before timing it, that it reaches the library's
//! stops, rejections, estimates and adverse-event counts.

use crossover_sim::engine::seed::replicate_rng;
use crossover_sim::numerics::round_ties_even_within_limit as round_ties_even;
use rand::Rng;
use rand_distr::StandardNormal;

/// The config's constants (configs/williams2018.toml), on the model's scale.
const RESPONSIVE_PROBABILITY: f64 = 0.58;
/// Mean and SD of the potential change, by class (responsive, non-responsive) and condition
/// (reference, test).
const CHANGE_MEAN: [[f64; 2]; 2] = [[-22.3, -5.6], [-2.9, -3.9]];
const CHANGE_SD: [[f64; 2]; 2] = [[3.2, 5.7], [4.9, 8.7]];
const CORRELATION: f64 = 0.3;
const BASELINE: (f64, f64, f64, f64) = (26.7, 5.4, 20.0, 52.0);
const SCALE_MAX: f64 = 52.0;
const WITHDRAWN_BEFORE_FIRST: f64 = 0.125;
const DISCONTINUED_AFTER_FIRST: f64 = 0.143;
/// Nausea probability by condition (reference, test).
const NAUSEA: [f64; 2] = [0.25, 0.58];
const REDUCTION: f64 = 0.5;
const BLOCK_SIZE: usize = 4;
const LOOKS: [usize; 2] = [15, 30];

/// What one fused replicate leaves behind, for the check against the library and so that
/// nothing is optimized away.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FusedReplicate {
    /// The responder differences (T - R among the reference's responders who completed both
    /// periods) at the stopping look, in enrollment order.
    pub responder_differences: Vec<f64>,
    /// The look the replicate stopped at (0 or 1).
    pub stopped_at: usize,
    /// Whether the primary analysis crossed the efficacy boundary.
    pub rejected: bool,
    /// The primary estimate (mean responder difference) at the stopping look, if analysable.
    pub estimate: Option<f64>,
    /// Participants treated and nausea events, by condition, up to the stopping look.
    pub treated: [usize; 2],
    pub nausea: [usize; 2],
}

/// The fused replicate `j` (random stream `replicate_rng(seed, j)`), with the efficacy
/// boundary's t critical values by look and df (`critical_t[look][df]`). `out`'s buffer is
/// reused.
pub fn replicate(seed: u64, j: u64, critical_t: &[Vec<f64>; 2], out: &mut FusedReplicate) {
    let mut rng = replicate_rng(seed, j);
    let l11 = (1.0 - CORRELATION * CORRELATION).sqrt();
    let (b_mean, b_sd, b_min, b_max) = BASELINE;
    let mut block = [0usize; 2];
    let mut left = 0;
    out.responder_differences.clear();
    out.treated = [0; 2];
    out.nausea = [0; 2];
    out.rejected = false;
    let mut look = 0;
    // Like the library, the whole cohort is drawn and scored whatever the looks decide; what
    // the looks see stops at the stopping look.
    let mut stopped = false;
    for i in 0..LOOKS[1] {
        let class = usize::from(rng.random::<f64>() >= RESPONSIVE_PROBABILITY);
        let n0: f64 = rng.sample(StandardNormal);
        let n1: f64 = rng.sample(StandardNormal);
        let (mean, sd) = (CHANGE_MEAN[class], CHANGE_SD[class]);
        let potential = [
            mean[0] + sd[0] * (1.0 * n0),
            mean[1] + sd[1] * (CORRELATION * n0 + l11 * n1),
        ];
        if i % BLOCK_SIZE == 0 {
            block = [BLOCK_SIZE / 2; 2];
            left = BLOCK_SIZE;
        }
        let r = rng.random_range(0..left);
        let sequence = usize::from(block[0] <= r); // 0: reference first
        block[sequence] -= 1;
        left -= 1;
        let _drift: f64 = rng.sample(StandardNormal); // times a re-baseline SD of 0
        let value = loop {
            let z: f64 = rng.sample(StandardNormal);
            let value = b_mean + b_sd * z;
            if value >= b_min && value <= b_max {
                break value;
            }
        };
        let start = round_ties_even(value.clamp(b_min, b_max)).clamp(b_min, b_max);
        let withdrawn = rng.random::<f64>() < WITHDRAWN_BEFORE_FIRST;
        let discontinued = rng.random::<f64>() < DISCONTINUED_AFTER_FIRST;
        let u_event = [rng.random::<f64>(), rng.random::<f64>()];
        let completed = if withdrawn {
            0
        } else {
            1 + usize::from(!discontinued)
        };
        // Condition of period 0 and 1, and each condition's score change and response.
        let order = [sequence, 1 - sequence];
        let mut change = [0.0; 2];
        let mut responded = [false; 2];
        for (period, &c) in order.iter().enumerate() {
            let score = round_ties_even(start + potential[c]).clamp(0.0, SCALE_MAX);
            change[c] = score - start;
            responded[c] = change[c] <= -REDUCTION * start;
            let observed = !stopped & (period < completed);
            out.treated[c] += usize::from(observed);
            out.nausea[c] += usize::from(observed & (u_event[period] < NAUSEA[order[period]]));
        }
        if !stopped && completed == 2 && responded[0] {
            out.responder_differences.push(change[1] - change[0]);
        }
        if !stopped && i + 1 == LOOKS[look] {
            let d = &out.responder_differences;
            let n = d.len();
            out.estimate = None;
            if n >= 2 {
                let mean = d.iter().sum::<f64>() / n as f64;
                let ss = d.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>();
                let t = mean / (ss / ((n - 1) * n) as f64).sqrt();
                // Differences without spread are not analysable (no decision), as in the library.
                if ss > 0.0 {
                    out.estimate = Some(mean);
                }
                if ss > 0.0 && t.abs() > critical_t[look][n - 1] {
                    out.rejected = true;
                    stopped = true;
                }
            }
            if !stopped {
                look += 1;
            }
        }
    }
    out.stopped_at = look.min(1);
}
