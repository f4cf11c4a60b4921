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
//! occasion noise draws exactly what the seed trial's bivariate model drew). With a time course
//! (`TimeCourse`), each participant then draws, after everything above (the further PK metrics
//! included), per period and per day after the primary day: a normal for the day's latent value,
//! a normal for its occasion noise and a uniform for a missing score; without one nothing more
//! is drawn, so the stream is the same as before time courses existed. With a relapse-gated
//! crossover ([`Relapse`]) one more uniform, last, decides when (if at all) period 2 starts: the
//! time to relapse T is observed by visit v when F(v) >= u, so the draw compares u with the
//! distribution function at the visits and never inverts it.

mod cohort;
mod spec;

pub use cohort::Cohort;
pub use spec::{
    AdverseEvent, AnalysedEffect, CohortSpec, Dropout, Endpoint, LatentClass, PkMetrics,
    Population, Randomization, Relapse, RelapseDistribution, ResponseRule, Scale, TimeCourse,
    TruncatedNormal,
};

use crate::design::{Condition, SequenceId, MAX_CONDITIONS, MAX_PERIODS, MAX_SEQUENCES};
use rand::distr::uniform::{UniformSampler, UniformUsize};
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
    /// Per class (class-major, k entries each), the mean and the SD of the potential change.
    class_mean: Vec<f64>,
    class_sd: Vec<f64>,
    /// Per sequence and period, sequence-major with p entries each: one record, so that a
    /// participant's sequence is one bounds-checked slice of adjacent memory.
    sequence_periods: Vec<PlannedPeriod>,
    /// Whether the baseline is rounded (an integer scale), and the range it is then clamped to.
    baseline_rounded: bool,
    baseline_range: (f64, f64),
    /// The further PK metrics' sampling constants (empty with one metric).
    metrics: Vec<MetricDraw>,
    /// Lower Cholesky factors of the metrics' between and within correlations (m x m).
    metric_between: Vec<f64>,
    metric_within: Vec<f64>,
    /// With a time course: the lower Cholesky factor of the post-baseline days' correlation
    /// (the primary day first), q x q.
    day_cholesky: Vec<f64>,
    /// With a relapse-gated crossover: the days period 2 can start on, and P(T <= day) at each,
    /// per class and period-1 condition (`(class * k + condition) * visits + visit`).
    relapse_visits: Vec<u32>,
    relapse_cdf: Vec<f64>,
}

/// The first of `visits` whose distribution-function value in `cdf` is at least `u`, or 0
/// when there is none (not relapsed by the last visit).
fn interval_from(cdf: &[f64], visits: &[u32], u: f64) -> u16 {
    cdf.iter()
        .position(|&f| u <= f)
        .map_or(0, |v| visits[v] as u16)
}

/// The relapse gate of `design`, if it has one.
fn relapse_of(design: &CohortSpec) -> Option<&Relapse> {
    design.time_course.as_ref().and_then(|t| t.relapse.as_ref())
}

/// The most days after the primary day a period can have.
pub const MAX_LATER_DAYS: usize = 16;

/// What a participant's later days are drawn from beside the time course itself.
struct DayInputs<'a> {
    /// The participant's latent class.
    class: usize,
    /// The standardized latent value of each condition (the primary day's W).
    standardized: &'a [f64],
    /// Each period's day-0 score, when the trial has a baseline (a rating scale).
    period_baseline: Option<&'a [f64]>,
}

/// What the draw needs about one further PK metric.
#[derive(Debug, Clone)]
struct MetricDraw {
    /// Lower Cholesky factor of its latent correlation across conditions (k x k).
    cholesky: Vec<f64>,
    /// Its latent mean and SD per condition (log scale).
    mean: Vec<f64>,
    sd: Vec<f64>,
    /// Its occasion-noise SD per condition.
    within_sd: Vec<f64>,
}

/// The most PK metrics a trial measures.
pub const MAX_METRICS: usize = 8;

/// What the draw needs about one period of one sequence.
#[derive(Debug, Clone, Copy)]
struct PlannedPeriod {
    /// The condition given.
    condition: Condition,
    /// The occasion-noise SD of that condition.
    within_sd: f64,
    /// The period effect.
    period_effect: f64,
    /// The carryover of the previous period's condition (0 in period 0, where it is not added).
    carryover: f64,
    /// The adverse-event probability (0 without an adverse event).
    event_probability: f64,
    /// The probability of discontinuing after this period (0 in the last period, unused).
    discontinue: f64,
}

fn sequence_periods(design: &CohortSpec) -> Vec<PlannedPeriod> {
    let crossover = &design.crossover;
    let p = crossover.period_count();
    let mut plan = Vec::with_capacity(crossover.sequence_count() * p);
    for s in 0..crossover.sequence_count() {
        let order = crossover.sequence(SequenceId(s as u8)).conditions();
        for j in 0..p {
            let c = order[j].index();
            plan.push(PlannedPeriod {
                condition: order[j],
                within_sd: design.population.within_sd[c],
                period_effect: design.period_effect[j],
                carryover: if j > 0 {
                    design.carryover[order[j - 1].index()]
                } else {
                    0.0
                },
                event_probability: design
                    .adverse_event
                    .as_ref()
                    .map_or(0.0, |ae| ae.probability[c]),
                discontinue: if j + 1 < p {
                    design.dropout.after_period[j][c]
                } else {
                    0.0
                },
            });
        }
    }
    plan
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
        let classes = &design.population.classes;
        let baseline_range = design
            .population
            .baseline
            .map_or((0.0, 0.0), |b| (b.min.ceil(), b.max.floor()));
        CohortModel {
            design: design.clone(),
            class_cumulative,
            cholesky,
            // Further metrics correlate with metric 0's occasion noise, so it is drawn.
            occasion_noise: design.population.within_sd.iter().any(|&s| s > 0.0)
                || design.metrics.is_some(),
            class_mean: classes
                .iter()
                .flat_map(|c| c.change_mean[..k].iter().copied())
                .collect(),
            class_sd: classes
                .iter()
                .flat_map(|c| c.change_sd[..k].iter().copied())
                .collect(),
            sequence_periods: sequence_periods(design),
            baseline_rounded: design.population.scale.is_some_and(|s| s.integer),
            baseline_range,
            metrics: design
                .metrics
                .iter()
                .flat_map(|m| &m.populations)
                .map(|p| MetricDraw {
                    cholesky: crate::numerics::cholesky(&p.correlation, k)
                        .expect("validation checks the metric's correlation"),
                    mean: p.classes[0].change_mean.clone(),
                    sd: p.classes[0].change_sd.clone(),
                    within_sd: p.within_sd.clone(),
                })
                .collect(),
            metric_between: design.metrics.as_ref().map_or(Vec::new(), |m| {
                crate::numerics::cholesky(&m.between, m.count())
                    .expect("validation checks the metrics' correlation")
            }),
            metric_within: design.metrics.as_ref().map_or(Vec::new(), |m| {
                crate::numerics::cholesky(&m.within, m.count())
                    .expect("validation checks the metrics' correlation")
            }),
            day_cholesky: design.time_course.as_ref().map_or(Vec::new(), |t| {
                crate::numerics::cholesky(&t.correlation, t.days.len() - 1)
                    .expect("validation checks the days' correlation")
            }),
            relapse_visits: relapse_of(design).map_or(Vec::new(), Relapse::visit_days),
            relapse_cdf: relapse_of(design).map_or(Vec::new(), |r| {
                let visits = r.visit_days();
                let mut table = Vec::with_capacity(classes.len() * k * visits.len());
                for class in 0..classes.len() {
                    for c in 0..k {
                        table.extend(visits.iter().map(|&v| r.cdf(class, c, k, f64::from(v))));
                    }
                }
                table
            }),
        }
    }

    /// The design this model draws from.
    pub fn design(&self) -> &CohortSpec {
        &self.design
    }

    /// Fills `cohort` with one simulated trial of `design.enrolled` participants.
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R, cohort: &mut Cohort) {
        let d = &self.design;
        cohort.set_further_metrics(self.metrics.len());
        cohort.set_later_days(d.time_course.as_ref().map_or(0, TimeCourse::later_days));
        cohort.set_gated(relapse_of(d).is_some());
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
        // The common shapes get their own copy of the loop with k and p known at compile time
        // (unrolled inner loops, no bounds checks); the arithmetic is the same in every copy.
        match (
            self.design.crossover.condition_count(),
            self.design.crossover.period_count(),
        ) {
            (2, 2) => self.draw_shaped::<R, 2, 2>(rng, cohort, range, allocation),
            // The partial replicates (2x3x3, 2x2x3) of reference-scaled bioequivalence.
            (2, 3) => self.draw_shaped::<R, 2, 3>(rng, cohort, range, allocation),
            (2, 4) => self.draw_shaped::<R, 2, 4>(rng, cohort, range, allocation),
            (4, 4) => self.draw_shaped::<R, 4, 4>(rng, cohort, range, allocation),
            _ => self.draw_shaped::<R, 0, 0>(rng, cohort, range, allocation),
        }
    }

    /// [`CohortModel::draw_participants`] for `K` conditions and `P` periods (0: the design's,
    /// not known at compile time).
    #[inline(never)]
    fn draw_shaped<R: Rng + ?Sized, const K: usize, const P: usize>(
        &self,
        rng: &mut R,
        cohort: &mut Cohort,
        range: std::ops::Range<usize>,
        allocation: &mut Allocation,
    ) {
        let d = &self.design;
        let pop = &d.population;
        let design = &d.crossover;
        let k = if K == 0 { design.condition_count() } else { K };
        let periods = if P == 0 { design.period_count() } else { P };
        assert!(
            (1..=MAX_CONDITIONS).contains(&k) && (1..=MAX_PERIODS).contains(&periods),
            "validation bounds the design's shape"
        );
        let n_sequences = design.sequence_count();
        let block_remaining = &mut allocation.block_remaining;
        let cholesky = &self.cholesky[..k * k];
        let before_first_period = d.dropout.before_first_period;
        let reduction = d.response.reduction;
        // No score is -infinity (the inputs are finite), so "at or below -infinity" is never
        // true: the same as having no remission threshold.
        let remission_limit = d.response.remission_max.unwrap_or(f64::NEG_INFINITY);
        let baseline_model = pop.baseline;
        let rebaseline_sd = pop.rebaseline_sd;
        let (baseline_rounded, baseline_low, baseline_high) = (
            self.baseline_rounded,
            self.baseline_range.0,
            self.baseline_range.1,
        );
        let occasion_noise = self.occasion_noise;
        // The scale read once: without one, clamping to the whole line leaves every
        // non-NaN value (and NaN) as it is, exactly as no clamping.
        let (scale_rounded, scale_min, scale_max) = match pop.scale {
            Some(s) => (s.integer, s.min, s.max),
            None => (false, f64::NEG_INFINITY, f64::INFINITY),
        };
        // An integer scale has whole-number bounds (validation), so rounding and clamping
        // commute; clamped first, a value within bounds inside the exact range rounds by the two
        // additions alone, one range test fewer on the path from the draw to the response.
        let clamp_then_round = scale_rounded
            && scale_min.abs() < crate::numerics::EXACT_ROUNDING_LIMIT
            && scale_max.abs() < crate::numerics::EXACT_ROUNDING_LIMIT;
        let on_scale = |score: f64| {
            if clamp_then_round {
                crate::numerics::round_ties_even_within_limit(score.clamp(scale_min, scale_max))
            } else if scale_rounded {
                round_to_integer(score).clamp(scale_min, scale_max)
            } else {
                score.clamp(scale_min, scale_max)
            }
        };
        let mut normals = [0.0f64; MAX_CONDITIONS];
        let mut standardized = [0.0f64; MAX_CONDITIONS];
        let mut potential = [0.0f64; MAX_CONDITIONS];
        let mut drift = [0.0f64; MAX_PERIODS];
        let mut u_discontinue = [0.0f64; MAX_PERIODS];
        let mut u_event = [0.0f64; MAX_PERIODS];
        let mut noise = [0.0f64; MAX_PERIODS];
        let mut period_baseline = [0.0f64; MAX_PERIODS];
        // Each metric's independent latent and noise normals (metric 0's are `normals` and
        // `noise`), kept so later metrics can combine them.
        let mut metric_normals = [[0.0f64; MAX_CONDITIONS]; MAX_METRICS];
        let mut metric_noise = [[0.0f64; MAX_PERIODS]; MAX_METRICS];
        let (mut in_block, mut left) = match d.randomization {
            Randomization::PermutedBlocks { block_size } => (
                range.start % block_size,
                block_remaining[..n_sequences].iter().sum::<usize>(),
            ),
            Randomization::Simple => (0, 0),
        };
        // The output rows of the participants drawn, taken once: each participant's row is
        // then a chunk of known length rather than six bounds-checked slices.
        let cells = range.start * periods..range.end * periods;
        let participant_rows = cohort.class[range.clone()]
            .iter_mut()
            .zip(&mut cohort.sequence[range.clone()])
            .zip(&mut cohort.periods_completed[range.clone()]);
        let cell_rows = cohort.condition[cells.clone()]
            .chunks_exact_mut(periods)
            .zip(cohort.baseline[cells.clone()].chunks_exact_mut(periods))
            .zip(cohort.change[cells.clone()].chunks_exact_mut(periods))
            .zip(cohort.responded[cells.clone()].chunks_exact_mut(periods))
            .zip(cohort.remitted[cells.clone()].chunks_exact_mut(periods))
            .zip(cohort.adverse_event[cells].chunks_exact_mut(periods));
        for (
            participant,
            (
                ((out_class, out_sequence), out_completed),
                (
                    ((((out_condition, out_baseline), out_change), out_responded), out_remitted),
                    out_event,
                ),
            ),
        ) in range.clone().zip(participant_rows.zip(cell_rows))
        {
            // 1. latent class
            let u_class: f64 = rng.random();
            // The number of cumulative probabilities at or below u is the class index; counting
            // is branch-free, where a search mispredicts on every other participant.
            let class = self
                .class_cumulative
                .iter()
                .map(|&c| usize::from(u_class >= c))
                .sum::<usize>();
            let mean = &self.class_mean[class * k..class * k + k];
            let sd = &self.class_sd[class * k..class * k + k];
            // 2. correlated latent values L = mu + sd * (Cholesky factor x independent normals)
            let normals = &mut normals[..k];
            for z in normals.iter_mut() {
                *z = rng.sample(StandardNormal);
            }
            let potential = &mut potential[..k];
            for c in 0..k {
                let row = &cholesky[c * k..c * k + c + 1];
                let mut z = 0.0;
                for (l, n) in row.iter().zip(normals.iter()) {
                    z += l * n;
                }
                potential[c] = mean[c] + sd[c] * z;
                standardized[c] = z;
            }
            // 3. sequence
            let sequence = match d.randomization {
                Randomization::Simple => rng.random_range(0..n_sequences),
                Randomization::PermutedBlocks { block_size } => {
                    // in_block is i % block_size and left the sum of block_remaining, both
                    // kept up to date instead of recomputed.
                    if in_block == 0 {
                        block_remaining[..n_sequences].fill(block_size / n_sequences);
                        left = block_remaining[..n_sequences].iter().sum();
                    }
                    in_block += 1;
                    if in_block == block_size {
                        in_block = 0;
                    }
                    // The sampler `random_range(0..left)` calls after its range check, called
                    // directly (one call layer and the caller-location argument fewer): the
                    // same sampler, so the same numbers.
                    let r = UniformUsize::sample_single(0, left, rng)
                        .expect("a block has a place left until it is refilled");
                    // The sequence is the first s whose cumulative count exceeds r, i.e. the
                    // number of cumulative counts at or below r: counted without branching on r
                    // (a search mispredicts on about every other participant).
                    let mut s = 0;
                    let mut cumulative = 0;
                    for &count in &block_remaining[..n_sequences] {
                        cumulative += count;
                        s += usize::from(cumulative <= r);
                    }
                    block_remaining[s] -= 1;
                    left -= 1;
                    s
                }
            };
            let plan = &self.sequence_periods[sequence * periods..][..periods];
            // 5. baselines
            for x in drift[..periods].iter_mut().skip(1) {
                *x = rng.sample(StandardNormal);
            }
            let baseline = baseline_model.map(|b| {
                let mut value = b.mean;
                for _ in 0..MAX_BASELINE_DRAWS {
                    let z: f64 = rng.sample(StandardNormal);
                    value = b.mean + b.sd * z;
                    if value >= b.min && value <= b.max {
                        break;
                    }
                }
                let value = value.clamp(b.min, b.max);
                if clamp_then_round {
                    // The entry range lies within the scale's (validation).
                    crate::numerics::round_ties_even_within_limit(value)
                        .clamp(baseline_low, baseline_high)
                } else if baseline_rounded {
                    round_to_integer(value).clamp(baseline_low, baseline_high)
                } else {
                    value
                }
            });
            // 6. dropout and 7. adverse events: always drawn, used only if reached
            let u_withdraw: f64 = rng.random();
            for u in u_discontinue[..periods - 1].iter_mut() {
                *u = rng.random();
            }
            for u in u_event[..periods].iter_mut() {
                *u = rng.random();
            }
            if occasion_noise {
                for e in noise[..periods].iter_mut() {
                    *e = rng.sample(StandardNormal);
                }
            }

            *out_class = class as u16;
            *out_sequence = SequenceId(sequence as u8);
            // The first period after which the participant discontinued (scanning backwards
            // with selects instead of breaking out of a loop on random data).
            let mut completed = periods;
            for j in (0..periods - 1).rev() {
                if u_discontinue[j] < plan[j].discontinue {
                    completed = j + 1;
                }
            }
            if u_withdraw < before_first_period {
                completed = 0;
            }
            *out_completed = completed as u8;
            if let Some(b1) = baseline {
                period_baseline[0] = b1;
                for j in 1..periods {
                    period_baseline[j] = on_scale(b1 + rebaseline_sd * drift[j]);
                }
            }
            for j in 0..periods {
                let period = &plan[j];
                let c = period.condition;
                let mut change = potential[c.index()];
                if occasion_noise {
                    change += period.within_sd * noise[j];
                }
                change += period.period_effect;
                if j > 0 {
                    change += period.carryover;
                }
                let (start, change, responded, remitted) = match baseline {
                    None => (0.0, change, false, false),
                    Some(_) => {
                        let start = period_baseline[j];
                        let score = on_scale(start + change);
                        let change = score - start;
                        let responded = change <= -reduction * start;
                        let remitted = score <= remission_limit;
                        (start, change, responded, remitted)
                    }
                };
                out_condition[j] = c;
                out_baseline[j] = start;
                out_change[j] = change;
                out_responded[j] = responded;
                out_remitted[j] = remitted;
                out_event[j] = u_event[j] < period.event_probability;
            }
            if !self.metrics.is_empty() {
                metric_normals[0][..k].copy_from_slice(normals);
                metric_noise[0][..periods].copy_from_slice(&noise[..periods]);
                self.draw_further_metrics(
                    rng,
                    &mut cohort.metric_change,
                    participant,
                    plan,
                    (k, periods),
                    &mut metric_normals,
                    &mut metric_noise,
                );
            }
            if let Some(tc) = &d.time_course {
                let days = DayInputs {
                    class,
                    standardized: &standardized[..k],
                    period_baseline: baseline.map(|_| &period_baseline[..periods]),
                };
                let first = participant * periods * tc.later_days();
                let out = &mut cohort.day_change[first..first + periods * tc.later_days()];
                self.draw_later_days(rng, tc, out, plan, &days, &on_scale);
                if tc.relapse.is_some() {
                    let u: f64 = rng.random();
                    let first = plan[0].condition.index();
                    let interval = self.relapse_interval(class * k + first, u);
                    cohort.interval[participant] = interval;
                    // Not relapsed by the last visit: period 2 never starts (a participant
                    // who left earlier stays as they were).
                    if interval == 0 && *out_completed > 1 {
                        *out_completed = 1;
                    }
                }
            }
        }
    }

    /// The day period 2 starts for a participant of class-and-condition cell `cell` whose
    /// relapse uniform is `u`: the first eligible visit with P(T <= visit) >= u (T <= visit
    /// exactly when F(visit) >= F(T) = u), or 0 when T is after the last visit.
    fn relapse_interval(&self, cell: usize, u: f64) -> u16 {
        let visits = self.relapse_visits.len();
        let cdf = &self.relapse_cdf[cell * visits..(cell + 1) * visits];
        interval_from(cdf, &self.relapse_visits, u)
    }

    /// Draws one participant's changes on the days after the primary day, period by period
    /// (see [`TimeCourse`]): per day a normal for its latent value given the primary day's, a
    /// normal for its occasion noise and a uniform for a missing score, all drawn whether or
    /// not the participant reaches the period, so dropout does not shift the stream.
    fn draw_later_days<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        tc: &TimeCourse,
        out: &mut [f64],
        plan: &[PlannedPeriod],
        inputs: &DayInputs,
        on_scale: &impl Fn(f64) -> f64,
    ) {
        let later = tc.later_days();
        let q = later + 1;
        let k = inputs.standardized.len();
        let l = &self.day_cholesky;
        let mut fresh = [0.0f64; MAX_LATER_DAYS + 1];
        let mut noise = [0.0f64; MAX_LATER_DAYS];
        let mut u_missing = [0.0f64; MAX_LATER_DAYS];
        for (j, period) in plan.iter().enumerate() {
            for s in 0..later {
                fresh[s + 1] = rng.sample(StandardNormal);
                noise[s] = rng.sample(StandardNormal);
                u_missing[s] = rng.random();
            }
            let c = period.condition.index();
            // The primary day's standardized value is the latent value the primary change
            // was drawn from; the factor's first column carries it into the later days.
            fresh[0] = inputs.standardized[c];
            let base = (inputs.class * k + c) * later;
            for s in 0..later {
                let row = &l[(s + 1) * q..(s + 1) * q + s + 2];
                let w: f64 = row.iter().zip(&fresh).map(|(a, b)| a * b).sum();
                let mut change = tc.mean[base + s] + tc.sd[base + s] * w;
                change += period.within_sd * noise[s];
                change += period.period_effect;
                if j > 0 {
                    change += period.carryover;
                }
                if let Some(start) = inputs.period_baseline.map(|b| b[j]) {
                    change = on_scale(start + change) - start;
                }
                out[j * later + s] = if u_missing[s] < tc.missing[s] {
                    f64::NAN
                } else {
                    change
                };
            }
        }
    }

    /// Draws the further PK metrics of participant `i` after metric 0: fresh normals for each
    /// metric q, combined with those of metrics 0..q by the Cholesky factors of the metrics'
    /// correlations, then the metric's own latent correlation and SDs; period effects and
    /// carryover as metric 0's. Only log-normal endpoints have metrics (no scale, no baseline).
    #[allow(clippy::too_many_arguments)]
    fn draw_further_metrics<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        out: &mut [Vec<f64>],
        i: usize,
        plan: &[PlannedPeriod],
        (k, periods): (usize, usize),
        normals: &mut [[f64; MAX_CONDITIONS]; MAX_METRICS],
        noise: &mut [[f64; MAX_PERIODS]; MAX_METRICS],
    ) {
        let m = self.metrics.len() + 1;
        for (q, metric) in self.metrics.iter().enumerate() {
            let q = q + 1;
            for z in normals[q][..k].iter_mut() {
                *z = rng.sample(StandardNormal);
            }
            for e in noise[q][..periods].iter_mut() {
                *e = rng.sample(StandardNormal);
            }
            let between = &self.metric_between[q * m..q * m + q + 1];
            let within = &self.metric_within[q * m..q * m + q + 1];
            let mut z = [0.0f64; MAX_CONDITIONS];
            for (c, zc) in z[..k].iter_mut().enumerate() {
                *zc = between
                    .iter()
                    .zip(normals.iter())
                    .map(|(b, u)| b * u[c])
                    .sum();
            }
            let mut potential = [0.0f64; MAX_CONDITIONS];
            for (c, value) in potential[..k].iter_mut().enumerate() {
                let row = &metric.cholesky[c * k..c * k + c + 1];
                let latent: f64 = row.iter().zip(&z).map(|(l, x)| l * x).sum();
                *value = metric.mean[c] + metric.sd[c] * latent;
            }
            let values = &mut out[q - 1][i * periods..(i + 1) * periods];
            for (j, value) in values.iter_mut().enumerate() {
                let period = &plan[j];
                let c = period.condition.index();
                let e: f64 = within.iter().zip(noise.iter()).map(|(w, u)| w * u[j]).sum();
                let mut change = potential[c] + metric.within_sd[c] * e;
                change += period.period_effect;
                if j > 0 {
                    change += period.carryover;
                }
                *value = change;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::round_to_integer;

    /// The two families' distribution functions against R 4.2.2:
    /// `pweibull(c(14, 28, 60, 100), shape = 2, scale = 60 / log(2)^(1/2))` and
    /// `plnorm(c(14, 28, 33, 100), meanlog = log(33), sdlog = 0.6)`.
    #[test]
    fn relapse_distribution_functions_match_r() {
        use super::{Relapse, RelapseDistribution};
        let gate = |distribution, median, spread| Relapse {
            distribution,
            visit_interval: 14,
            max_days: 120,
            min_washout: 14,
            median: vec![median],
            spread: vec![spread],
        };
        let weibull = gate(RelapseDistribution::Weibull, 60.0, 2.0);
        let log_normal = gate(RelapseDistribution::LogNormal, 33.0, 0.6);
        let cases = [
            (&weibull, 14.0, 0.037034807949),
            (&weibull, 28.0, 0.140111072938),
            (&weibull, 60.0, 0.5),
            (&weibull, 100.0, 0.854183870053),
            (&log_normal, 14.0, 0.076490086086),
            (&log_normal, 28.0, 0.392104398863),
            (&log_normal, 33.0, 0.5),
            (&log_normal, 100.0, 0.967682264038),
        ];
        for (g, t, want) in cases {
            assert!(
                (g.cdf(0, 0, 1, t) - want).abs() < 1e-11,
                "{t}: {}",
                g.cdf(0, 0, 1, t)
            );
        }
        assert_eq!(weibull.cdf(0, 0, 1, 0.0), 0.0);
        assert_eq!(weibull.visit_days(), [14, 28, 42, 56, 70, 84, 98, 112]);
    }

    /// The draw's rule (the first eligible visit with F(visit) >= u) is the gate's rule on the
    /// time T = F^-1(u): for the Weibull, T = median (-ln(1 - u) / ln 2)^(1 / k). Visits every
    /// 14 days to day 90 with a 28-day washout (eligible: 28, ..., 84).
    #[test]
    fn the_drawn_interval_is_the_gate_applied_to_the_inverted_time() {
        use super::{Relapse, RelapseDistribution};
        for (median, shape) in [(60.0, 2.0), (20.0, 1.5), (15.0, 1.5), (40.0, 3.0)] {
            let gate = Relapse {
                distribution: RelapseDistribution::Weibull,
                visit_interval: 14,
                max_days: 90,
                min_washout: 28,
                median: vec![median],
                spread: vec![shape],
            };
            let visits = gate.visit_days();
            assert_eq!(visits, [28, 42, 56, 70, 84]);
            let cdf: Vec<f64> = visits
                .iter()
                .map(|&v| gate.cdf(0, 0, 1, f64::from(v)))
                .collect();
            for i in 1..2000 {
                let u = f64::from(i) / 2000.0;
                let t = median * (-(-u).ln_1p() / std::f64::consts::LN_2).powf(1.0 / shape);
                let want = gate.start_of(t).map_or(0, |v| v as u16);
                assert_eq!(
                    super::interval_from(&cdf, &visits, u),
                    want,
                    "median {median}, u {u}, T {t}"
                );
            }
        }
    }

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
