//! Drawing one simulated cohort from a validated design.
//!
//! `CohortModel::new` precomputes everything that does not change between replicates (class
//! thresholds, the Cholesky factor of the latent correlation); `draw` fills a reusable
//! [`Cohort`] from an RNG it is handed and allocates nothing. Every participant consumes the same
//! random numbers in the same order whatever happens to them (apart from the baseline's
//! rejection loop), so that changing a dropout or adverse-event probability does not shift the
//! stream for later participants and a larger enrollment extends, rather than reshuffles, a
//! smaller one. The order is: class, k latent normals, sequence, p - 1 baseline drifts, the
//! baseline, withdrawal, p - 1 discontinuations, p adverse events, and p occasion-noise normals
//! only when some condition has occasion noise (so a two-condition two-period design without
//! occasion noise draws exactly what the seed trial's bivariate model drew).

mod cohort;
mod spec;

pub use cohort::Cohort;
pub use spec::{
    AdverseEvent, CohortSpec, Dropout, Endpoint, LatentClass, Population, Randomization,
    ResponseRule, Scale, TruncatedNormal,
};

use crate::design::{SequenceId, MAX_CONDITIONS, MAX_PERIODS, MAX_SEQUENCES};
use rand::Rng;
use rand_distr::StandardNormal;

pub use crate::numerics::round_ties_even as round_to_integer;

/// Upper bound on baseline rejection draws; validation guarantees an acceptance rate of at
/// least 1e-4, so reaching it has probability below e^-100.
const MAX_BASELINE_DRAWS: usize = 1_000_000;

/// The state of the sequence allocation between participants: what is left of the current
/// permuted block.
#[derive(Debug, Clone, Copy)]
pub struct Allocation {
    block_remaining: [usize; MAX_SEQUENCES],
}

impl Default for Allocation {
    fn default() -> Self {
        Allocation {
            block_remaining: [0; MAX_SEQUENCES],
        }
    }
}

/// Precomputed sampling constants for one design.
#[derive(Debug, Clone)]
pub struct CohortModel {
    design: CohortSpec,
    class_cumulative: Vec<f64>,
    /// Lower Cholesky factor of the latent correlation matrix, row-major k x k.
    cholesky: Vec<f64>,
    /// Whether any condition has occasion-to-occasion noise.
    occasion_noise: bool,
}

impl CohortModel {
    /// Prepares the sampler for `design`.
    pub fn new(design: &CohortSpec) -> CohortModel {
        let mut acc = 0.0;
        let mut class_cumulative: Vec<f64> = design
            .population
            .classes
            .iter()
            .map(|c| {
                acc += c.probability;
                acc
            })
            .collect();
        // Guard against the sum being 1 - 1e-16: the last class takes everything left.
        if let Some(last) = class_cumulative.last_mut() {
            *last = f64::INFINITY;
        }
        let k = design.crossover.condition_count();
        let cholesky = crate::numerics::cholesky(&design.population.correlation, k)
            .expect("validation checks that the correlation matrix is positive definite");
        CohortModel {
            design: design.clone(),
            class_cumulative,
            cholesky,
            occasion_noise: design.population.within_sd.iter().any(|&s| s > 0.0),
        }
    }

    /// The design this model draws from.
    pub fn design(&self) -> &CohortSpec {
        &self.design
    }

    /// Fills `cohort` with one simulated trial of `design.enrolled` participants.
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R, cohort: &mut Cohort) {
        let d = &self.design;
        cohort.resize(d.enrolled, d.crossover.period_count());
        self.draw_participants(rng, cohort, 0..d.enrolled, &mut Allocation::default());
    }

    /// Draws participants `range` into `cohort` (already sized for them), continuing the
    /// stream and the randomization blocks of `allocation`: drawing 0..n1 and then n1..n
    /// gives exactly the cohort of drawing 0..n at once (a two-stage design's second stage is
    /// the next participants of the same stream).
    pub fn draw_participants<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        cohort: &mut Cohort,
        range: std::ops::Range<usize>,
        allocation: &mut Allocation,
    ) {
        let d = &self.design;
        let pop = &d.population;
        let design = &d.crossover;
        let k = design.condition_count();
        let periods = design.period_count();
        let n_sequences = design.sequence_count();
        let block_remaining = &mut allocation.block_remaining;
        let mut normals = [0.0f64; MAX_CONDITIONS];
        let mut potential = [0.0f64; MAX_CONDITIONS];
        let mut drift = [0.0f64; MAX_PERIODS];
        let mut u_discontinue = [0.0f64; MAX_PERIODS];
        let mut u_event = [0.0f64; MAX_PERIODS];
        let mut noise = [0.0f64; MAX_PERIODS];
        let mut period_baseline = [0.0f64; MAX_PERIODS];
        for i in range {
            // 1. latent class
            let u_class: f64 = rng.random();
            // The number of cumulative probabilities at or below u is the class index; counting
            // is branch-free, where a search mispredicts on every other participant.
            let class = self
                .class_cumulative
                .iter()
                .map(|&c| usize::from(u_class >= c))
                .sum::<usize>();
            let latent = &pop.classes[class];
            // 2. correlated latent values L = mu + sd * (Cholesky factor x independent normals)
            for z in normals.iter_mut().take(k) {
                *z = rng.sample(StandardNormal);
            }
            for (c, value) in potential.iter_mut().enumerate().take(k) {
                let row = &self.cholesky[c * k..c * k + c + 1];
                let mut z = 0.0;
                for (l, n) in row.iter().zip(&normals) {
                    z += l * n;
                }
                *value = latent.change_mean[c] + latent.change_sd[c] * z;
            }
            // 3. sequence
            let sequence = match d.randomization {
                Randomization::Simple => rng.random_range(0..n_sequences),
                Randomization::PermutedBlocks { block_size } => {
                    if i % block_size == 0 {
                        block_remaining[..n_sequences].fill(block_size / n_sequences);
                    }
                    let left: usize = block_remaining[..n_sequences].iter().sum();
                    let mut r = rng.random_range(0..left);
                    let mut s = 0;
                    while r >= block_remaining[s] {
                        r -= block_remaining[s];
                        s += 1;
                    }
                    block_remaining[s] -= 1;
                    s
                }
            };
            let order = design.sequence(SequenceId(sequence as u8)).conditions();
            // 5. baselines
            for x in drift.iter_mut().take(periods).skip(1) {
                *x = rng.sample(StandardNormal);
            }
            let baseline = pop.baseline.map(|b| {
                let mut value = b.mean;
                for _ in 0..MAX_BASELINE_DRAWS {
                    let z: f64 = rng.sample(StandardNormal);
                    value = b.mean + b.sd * z;
                    if value >= b.min && value <= b.max {
                        break;
                    }
                }
                let value = value.clamp(b.min, b.max);
                match pop.scale {
                    Some(s) if s.integer => {
                        round_to_integer(value).clamp(b.min.ceil(), b.max.floor())
                    }
                    _ => value,
                }
            });
            // 6. dropout and 7. adverse events: always drawn, used only if reached
            let u_withdraw: f64 = rng.random();
            for u in u_discontinue.iter_mut().take(periods - 1) {
                *u = rng.random();
            }
            for u in u_event.iter_mut().take(periods) {
                *u = rng.random();
            }
            if self.occasion_noise {
                for e in noise.iter_mut().take(periods) {
                    *e = rng.sample(StandardNormal);
                }
            }

            cohort.class[i] = class as u16;
            cohort.sequence[i] = SequenceId(sequence as u8);
            cohort.periods_completed[i] = if u_withdraw < d.dropout.before_first_period {
                0
            } else {
                let mut completed = periods;
                for j in 0..periods - 1 {
                    if u_discontinue[j] < d.dropout.after_period[j][order[j].index()] {
                        completed = j + 1;
                        break;
                    }
                }
                completed as u8
            };
            if let Some(b1) = baseline {
                period_baseline[0] = b1;
                for j in 1..periods {
                    period_baseline[j] = self.on_scale(b1 + pop.rebaseline_sd * drift[j]);
                }
            }
            let row = cohort.cell(i, 0);
            for j in 0..periods {
                let c = order[j];
                let mut change = potential[c.index()];
                if self.occasion_noise {
                    change += pop.within_sd[c.index()] * noise[j];
                }
                change += d.period_effect[j];
                if j > 0 {
                    change += d.carryover[order[j - 1].index()];
                }
                let (start, change, responded, remitted) = match baseline {
                    None => (0.0, change, false, false),
                    Some(_) => {
                        let start = period_baseline[j];
                        let score = self.on_scale(start + change);
                        let change = score - start;
                        let responded = change <= -d.response.reduction * start;
                        let remitted = d.response.remission_max.is_some_and(|m| score <= m);
                        (start, change, responded, remitted)
                    }
                };
                let cell = row + j;
                cohort.condition[cell] = c;
                cohort.baseline[cell] = start;
                cohort.change[cell] = change;
                cohort.responded[cell] = responded;
                cohort.remitted[cell] = remitted;
                let event_probability = d
                    .adverse_event
                    .as_ref()
                    .map_or(0.0, |ae| ae.probability[c.index()]);
                cohort.adverse_event[cell] = u_event[j] < event_probability;
            }
        }
    }

    /// Rounds and clamps a score to the configured scale.
    fn on_scale(&self, score: f64) -> f64 {
        match self.design.population.scale {
            None => score,
            Some(s) => {
                let v = if s.integer {
                    round_to_integer(score)
                } else {
                    score
                };
                v.clamp(s.min, s.max)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::round_to_integer;

    #[test]
    fn rounding_matches_r_round() {
        // R 4.2.2: round(c(0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 26.7, -22.3, 13.5, -13.5, 0.49999999999999994))
        //   = 0 2 2 0 -2 -2 27 -22 14 -14 0
        let cases = [
            (0.5, 0.0),
            (1.5, 2.0),
            (2.5, 2.0),
            (-0.5, 0.0),
            (-1.5, -2.0),
            (-2.5, -2.0),
            (26.7, 27.0),
            (-22.3, -22.0),
            (13.5, 14.0),
            (-13.5, -14.0),
            (0.49999999999999994, 0.0),
        ];
        for (x, want) in cases {
            assert_eq!(round_to_integer(x), want, "{x}");
        }
        // Away from ties it equals f64::round.
        let mut x: f64 = -60.0;
        while x < 60.0 {
            if (x - x.trunc()).abs() != 0.5 {
                assert_eq!(round_to_integer(x), x.round(), "{x}");
            }
            x += 0.0625 / 3.0;
        }
        for big in [3e15, -3e15, 1e300, f64::INFINITY] {
            assert_eq!(round_to_integer(big), big);
        }
        assert!(round_to_integer(f64::NAN).is_nan());
    }
}
