//! Drawing one simulated cohort from a validated design (SPEC section 3).
//!
//! `CohortModel::new` precomputes everything that does not change between replicates;
//! `draw` fills a reusable [`Cohort`] from an RNG it is handed and never constructs one.
//! Every participant consumes the same random numbers in the same order whatever the
//! branch taken (apart from the baseline's rejection loop), so that changing a dropout
//! or adverse-event probability does not shift the stream for later participants and a
//! larger enrollment extends, rather than reshuffles, a smaller one.

mod cohort;

pub use cohort::{Cohort, Completion, Participant};

use crate::config::{Randomization, TrialDesign, REFERENCE, TEST};
use rand::Rng;
use rand_distr::StandardNormal;

/// Rounds to the nearest integer, ties to even (IEC 60559, as R's `round()` does). Adding and
/// subtracting 1.5 x 2^52 makes the FPU round in two additions; `f64::round` is a libm call on
/// x86-64 without SSE4.1 and a saturating `as` cast costs compares, and rounding was over a
/// quarter of the time to draw a cohort. Ties (an exact .5) have probability ~0 for continuous
/// changes, so the convention matters only for documented behaviour.
#[inline]
pub fn round_to_integer(x: f64) -> f64 {
    const MAGIC: f64 = 6_755_399_441_055_744.0; // 1.5 * 2^52
    if x.abs() < 2_251_799_813_685_248.0 {
        // |x| < 2^51: exact
        (x + MAGIC) - MAGIC
    } else {
        x // already an integer (or NaN / infinite)
    }
}

/// Upper bound on baseline rejection draws; validation guarantees an acceptance rate of at
/// least 1e-4, so reaching it has probability below e^-100.
const MAX_BASELINE_DRAWS: usize = 1_000_000;

/// Precomputed sampling constants for one design.
#[derive(Debug, Clone)]
pub struct CohortModel {
    design: TrialDesign,
    class_cumulative: Vec<f64>,
    /// sqrt(1 - rho^2), the weight of the test condition's own noise.
    innovation_weight: f64,
}

impl CohortModel {
    /// Prepares the sampler for `design`.
    pub fn new(design: &TrialDesign) -> CohortModel {
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
        let rho = design.population.correlation;
        CohortModel {
            design: design.clone(),
            class_cumulative,
            innovation_weight: (1.0 - rho * rho).sqrt(),
        }
    }

    /// The design this model draws from.
    pub fn design(&self) -> &TrialDesign {
        &self.design
    }

    /// Fills `cohort` with one simulated trial of `design.enrolled` participants.
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R, cohort: &mut Cohort) {
        let d = &self.design;
        let pop = &d.population;
        cohort
            .participants
            .resize(d.enrolled, Participant::default());
        let n_sequences = d.sequences.len();
        let mut block_remaining = [0usize; 2];
        for (i, p) in cohort.participants.iter_mut().enumerate() {
            // 1. latent class
            let u_class: f64 = rng.random();
            // The number of cumulative probabilities at or below u is the class index; counting
            // is branch-free, where a search mispredicts on every other participant.
            let class = self
                .class_cumulative
                .iter()
                .map(|&c| usize::from(u_class >= c))
                .sum::<usize>();
            let k = &pop.classes[class];
            // 2. correlated potential changes
            let z_reference: f64 = rng.sample(StandardNormal);
            let z_own: f64 = rng.sample(StandardNormal);
            let z_test = pop.correlation * z_reference + self.innovation_weight * z_own;
            let potential = [
                k.change_mean[REFERENCE] + k.change_sd[REFERENCE] * z_reference,
                k.change_mean[TEST] + k.change_sd[TEST] * z_test,
            ];
            // 3. sequence
            let sequence = match d.randomization {
                Randomization::Simple => rng.random_range(0..n_sequences),
                Randomization::PermutedBlocks { block_size } => {
                    if i % block_size == 0 {
                        block_remaining = [block_size / n_sequences; 2];
                    }
                    let left = block_remaining[0] + block_remaining[1];
                    let s = usize::from(rng.random_range(0..left) >= block_remaining[0]);
                    block_remaining[s] -= 1;
                    s
                }
            };
            let conditions = d.sequences[sequence];
            // 5. baselines
            let drift: f64 = rng.sample(StandardNormal);
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
            let u_discontinue: f64 = rng.random();
            let u_event: [f64; 2] = [rng.random(), rng.random()];

            p.class = class as u16;
            p.sequence = sequence as u8;
            p.condition_in_period = [conditions[0] as u8, conditions[1] as u8];
            p.completion = if u_withdraw < d.dropout.before_first_period {
                Completion::Withdrawn
            } else if u_discontinue < d.dropout.after_first_period[conditions[0]] {
                Completion::FirstPeriodOnly
            } else {
                Completion::Completed
            };
            let period_baseline = match baseline {
                None => [0.0, 0.0],
                Some(b1) => {
                    let b2 = self.on_scale(b1 + pop.rebaseline_sd * drift);
                    [b1, b2]
                }
            };
            p.period_baseline = period_baseline;
            for period in 0..2 {
                let c = conditions[period];
                let mut change = potential[c] + d.period_effect[period];
                if period == 1 {
                    change += d.carryover[conditions[0]];
                }
                let (change, responded, remitted) = match baseline {
                    None => (change, false, false),
                    Some(_) => {
                        let start = period_baseline[period];
                        let score = self.on_scale(start + change);
                        let change = score - start;
                        let responded = change <= -d.response.reduction * start;
                        let remitted = d.response.remission_max.is_some_and(|m| score <= m);
                        (change, responded, remitted)
                    }
                };
                p.change_in_period[period] = change;
                p.change[c] = change;
                p.responded[c] = responded;
                p.remitted[c] = remitted;
                let event_probability =
                    d.adverse_event.as_ref().map_or(0.0, |ae| ae.probability[c]);
                p.adverse_event[c] = u_event[period] < event_probability;
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
