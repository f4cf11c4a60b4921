//! What the data-generating model needs to know about a trial: who is enrolled, how they are
//! randomized to sequences, the population they come from (latent classes, correlation,
//! baseline, scale), period effects, carryover, dropout, adverse events and the responder
//! definition. `config` validates a TOML file into a [`CohortSpec`]; `CohortModel` draws from it.

use crate::design::{Condition, Contrast, Crossover};

/// Everything the cohort draw depends on, validated by `config`.
///
/// The fields are visible to the crate only, so code outside it cannot build an unvalidated
/// spec; `config::TrialDesign` exposes each through an accessor.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortSpec {
    /// Conditions, periods and sequences.
    pub(crate) crossover: Crossover,
    /// Planned enrollment N.
    pub(crate) enrolled: usize,
    /// Sequence randomization scheme.
    pub(crate) randomization: Randomization,
    /// The population participants are drawn from (on the log scale for ratio endpoints).
    pub(crate) population: Population,
    /// Additive period effect tau_j, one per period.
    pub(crate) period_effect: Vec<f64>,
    /// First-order carryover lambda_c into the next period, by the condition given before.
    pub(crate) carryover: Vec<f64>,
    /// Dropout probabilities.
    pub(crate) dropout: Dropout,
    /// The adverse event monitored, if any.
    pub(crate) adverse_event: Option<AdverseEvent>,
    /// Responder and remission definitions.
    pub(crate) response: ResponseRule,
    /// Further PK metrics measured beside the population's (ratio endpoints only).
    pub(crate) metrics: Option<PkMetrics>,
    /// Assessments on several days of each period, if the trial has them.
    pub(crate) time_course: Option<TimeCourse>,
}

/// Assessments on several days within each period (the seed trial's days 0, 1, 3, 5, 7, 14).
///
/// Day 0 is the period's pre-treatment score (the period baseline) and the first day after it
/// is the primary day, whose change is the one every analysis reads (`Cohort::change`), drawn
/// exactly as without a time course. Each later day's change in period j under condition c for
/// a participant of class k is `mean[k][c][d] + sd[k][c][d] W_d + within_sd[c] e_d` plus the
/// period's effect and carryover, put on the scale like the primary day's. The standardized
/// values W over the post-baseline days of a period are jointly normal with correlation
/// `correlation`; the primary day's W is the participant's latent value for c, so later days
/// correlate across conditions only through it (the cross-condition correlation of day d is
/// rho times the squared correlation of day d with the primary day). The occasion noise e_d is
/// independent across days.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeCourse {
    /// Every assessment day: 0, the primary day, then the later days in increasing order.
    pub days: Vec<u32>,
    /// The mean change of each later day, `(class * k + condition) * later + day`.
    pub mean: Vec<f64>,
    /// The SD of each later day's change, indexed as `mean`.
    pub sd: Vec<f64>,
    /// The probability that a later day's score is missing, per later day.
    pub missing: Vec<f64>,
    /// The correlation between the standardized changes of the post-baseline days (the primary
    /// day first), row-major, `days.len() - 1` square.
    pub correlation: Vec<f64>,
    /// With a relapse-gated crossover: when period 2 starts, if at all.
    pub relapse: Option<Relapse>,
}

/// The crossover gated by relapse (two periods only): after period 1 each participant's time
/// to relapse T (days from the end of period 1) has the distribution of their latent class and
/// period-1 condition; it is observed at follow-up visits on days `visit_interval`,
/// 2 `visit_interval`, ... up to `max_days`. Period 2 starts at the first visit on or after both
/// T and `min_washout` (the interval between the periods); a participant not relapsed by the
/// last visit never starts it. Visits before the washout only observe, so the first eligible
/// visit v_1 takes P(T <= v_1) and each later one v_j takes F(v_j) - F(v_{j-1}).
#[derive(Debug, Clone, PartialEq)]
pub struct Relapse {
    /// The distribution of every class's and condition's time to relapse.
    pub distribution: RelapseDistribution,
    /// Days between follow-up visits.
    pub visit_interval: u32,
    /// The last day a visit can fall on.
    pub max_days: u32,
    /// The shortest interval between the periods.
    pub min_washout: u32,
    /// The median time to relapse, `class * conditions + condition` (period 1's condition).
    pub median: Vec<f64>,
    /// The Weibull shape or the log-normal sdlog, indexed as `median`.
    pub spread: Vec<f64>,
}

/// The family of the time to relapse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelapseDistribution {
    /// Weibull with shape k: F(t) = 1 - exp(-ln 2 (t / median)^k).
    Weibull,
    /// Log-normal: F(t) = Phi((ln t - ln median) / sdlog).
    LogNormal,
}

impl Relapse {
    /// The days period 2 can start on: the visits from the minimum washout to the maximum.
    pub fn visit_days(&self) -> Vec<u32> {
        (1..)
            .map(|j| j * self.visit_interval)
            .take_while(|&v| v <= self.max_days)
            .filter(|&v| v >= self.min_washout)
            .collect()
    }

    /// The day period 2 starts for a participant who relapses `t` days after period 1: the
    /// first visit on or after both `t` and the washout, or None when `t` is after the last
    /// visit. (The draw applies the same rule to F(T) = u, comparing u with F at each visit.)
    pub fn start_of(&self, t: f64) -> Option<u32> {
        self.visit_days().into_iter().find(|&v| f64::from(v) >= t)
    }

    /// The position of visit `day` among [`Relapse::visit_days`] (the visits are consecutive
    /// multiples of the interval from the first on or after the washout).
    pub fn visit_index(&self, day: u32) -> usize {
        let first = self.min_washout.div_ceil(self.visit_interval) * self.visit_interval;
        ((day - first) / self.visit_interval) as usize
    }

    /// P(T <= t) for latent class `class` after `condition` in period 1 (of `conditions`).
    pub fn cdf(&self, class: usize, condition: usize, conditions: usize, t: f64) -> f64 {
        let at = class * conditions + condition;
        let (median, spread) = (self.median[at], self.spread[at]);
        if t <= 0.0 {
            return 0.0;
        }
        match self.distribution {
            // The Weibull scale is median / (ln 2)^(1/k), so (t / scale)^k = ln 2 (t / median)^k.
            RelapseDistribution::Weibull => {
                -(-std::f64::consts::LN_2 * (t / median).powf(spread)).exp_m1()
            }
            RelapseDistribution::LogNormal => crate::numerics::norm_cdf((t / median).ln() / spread),
        }
    }
}

impl TimeCourse {
    /// The number of days after the primary day.
    pub fn later_days(&self) -> usize {
        self.days.len() - 2
    }

    /// The primary day.
    pub fn primary_day(&self) -> u32 {
        self.days[1]
    }
}

/// Several PK metrics (e.g. AUC and Cmax) measured on every participant in every period.
///
/// Metric 0 is the population's own. Each further metric q draws its latent values from
/// `z_q = sum over l <= q of B[q][l] u_l`, where `u_l` are the independent normals behind metric
/// l's latent values and B the Cholesky factor of `between`, and its occasion noise likewise
/// from `within`. A participant's further metrics are drawn after all of metric 0's draws, so
/// metric 0's distribution is the one-metric model's (the stream of later participants moves).
#[derive(Debug, Clone, PartialEq)]
pub struct PkMetrics {
    /// Every metric's name, metric 0 first.
    pub names: Vec<String>,
    /// The populations of metrics 1, 2, ... (one latent class each, on the log scale).
    pub populations: Vec<Population>,
    /// Correlation between the metrics' latent participant values (m x m, row-major).
    pub between: Vec<f64>,
    /// Correlation between the metrics' occasion noise in the same period (m x m).
    pub within: Vec<f64>,
}

impl PkMetrics {
    /// The number of metrics, metric 0 included.
    pub fn count(&self) -> usize {
        self.names.len()
    }
}

/// How sequences are assigned in enrollment order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Randomization {
    /// Each participant's sequence drawn independently with equal probabilities.
    Simple,
    /// Blocks with an equal count of each sequence, in random order within the block.
    PermutedBlocks {
        /// Participants per block.
        block_size: usize,
    },
}

/// Baseline distribution: normal truncated to the entry range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TruncatedNormal {
    /// Mean of the untruncated normal.
    pub mean: f64,
    /// Standard deviation of the untruncated normal.
    pub sd: f64,
    /// Lower truncation point.
    pub min: f64,
    /// Upper truncation point.
    pub max: f64,
}

/// A rating scale's range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    /// Lowest score.
    pub min: f64,
    /// Highest score.
    pub max: f64,
    /// Whether scores are rounded to whole numbers.
    pub integer: bool,
}

/// A latent class with its potential-outcome distribution per condition.
#[derive(Debug, Clone, PartialEq)]
pub struct LatentClass {
    /// Class name.
    pub name: String,
    /// Probability of membership.
    pub probability: f64,
    /// Mean potential change, per condition.
    pub change_mean: Vec<f64>,
    /// SD of the potential change, per condition.
    pub change_sd: Vec<f64>,
}

/// The scale an endpoint is simulated, analysed and reported on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Endpoint {
    /// A normal endpoint on its own scale; contrasts are differences.
    #[default]
    Normal,
    /// A ratio endpoint: simulated and analysed on the log scale, contrasts and margins
    /// reported back-transformed as ratios.
    LogNormal,
}

impl Endpoint {
    /// Whether results are reported as ratios.
    pub fn is_ratio(self) -> bool {
        self == Endpoint::LogNormal
    }

    /// A value on the analysis scale as reported: exp(x) for ratio endpoints.
    pub fn reported(self, x: f64) -> f64 {
        match self {
            Endpoint::Normal => x,
            Endpoint::LogNormal => x.exp(),
        }
    }
}

/// The population model.
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// Correlation matrix of the latent values across conditions (k x k, row-major;
    /// positive definite).
    pub correlation: Vec<f64>,
    /// SD of the occasion-to-occasion noise added to every observation, per condition.
    pub within_sd: Vec<f64>,
    /// Baseline distribution, if scores are modelled.
    pub baseline: Option<TruncatedNormal>,
    /// SD of the normal drift of each later period's baseline from the first.
    pub rebaseline_sd: f64,
    /// Scale range and rounding, if any.
    pub scale: Option<Scale>,
    /// Latent classes (probabilities sum to 1).
    pub classes: Vec<LatentClass>,
}

impl Population {
    /// The population average of `contrast` over the latent means, before rounding and
    /// clamping (E[X_T - X_R] for a difference).
    pub fn average_effect(&self, contrast: &Contrast) -> f64 {
        self.classes
            .iter()
            .map(|c| c.probability * contrast.apply(&c.change_mean))
            .sum()
    }

    /// The correlation between conditions `a` and `b`.
    pub fn correlation_between(&self, a: Condition, b: Condition) -> f64 {
        let k = self.within_sd.len();
        self.correlation[a.index() * k + b.index()]
    }
}

/// Dropout probabilities.
#[derive(Debug, Clone, PartialEq)]
pub struct Dropout {
    /// Withdrawal before any treatment.
    pub before_first_period: f64,
    /// Discontinuation after period j (for every period but the last), by the condition
    /// received in period j: `after_period[j][condition]`.
    pub after_period: Vec<Vec<f64>>,
}

/// The adverse event of interest.
#[derive(Debug, Clone, PartialEq)]
pub struct AdverseEvent {
    /// Event name.
    pub name: String,
    /// Probability per treated period, per condition.
    pub probability: Vec<f64>,
}

/// Response and remission definitions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResponseRule {
    /// Minimum fractional reduction from the period baseline.
    pub reduction: f64,
    /// Remission when the day-1 score is at most this.
    pub remission_max: Option<f64>,
    /// Target count of reference-condition responders among completers.
    pub target_responders: usize,
}

/// The value of a contrast of mean changes as the analyses see it: after the baseline's
/// truncation and rounding and the scale's rounding and clamping.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AnalysedEffect {
    /// No scale applies (no baseline scores): the analysed changes are the latent ones and the
    /// population average effect is their mean.
    Latent,
    /// Computed numerically under the model: the mean of the contrast of the changes on the
    /// scale (equal to the latent value only when the scale leaves the means alone).
    OnScale(f64),
    /// A scale applies but its effect on the mean was not computed (the reason).
    NotComputed(&'static str),
}

impl CohortSpec {
    /// The assessments within each period, if the trial has several.
    pub fn time_course(&self) -> Option<&TimeCourse> {
        self.time_course.as_ref()
    }

    /// Whether a participant can respond or remit: only with a baseline (a rating scale), the
    /// reference of the responder definition; without one every period records neither.
    pub fn records_responses(&self) -> bool {
        self.population.baseline.is_some()
    }

    /// Whether an adverse event is modelled (without one every period records none).
    pub fn records_adverse_events(&self) -> bool {
        self.adverse_event.is_some()
    }

    /// The expected contrast of the analysed changes, E[sum_c w_c change_c], on the scale.
    ///
    /// Per latent class and condition, the change is S - B with B the baseline (normal truncated
    /// to its entry range, rounded on an integer scale) and S = the scale's rounding and
    /// clamping of B + X, X ~ N(mean, sd^2 + within_sd^2). On an integer scale E[S | B = b] is
    /// lo + sum_{k = lo + 1}^{hi} P(b + X >= k - 1/2), a sum of normal CDFs; on a continuous
    /// scale it is the closed-form mean of a clamped normal. The baseline is summed over its
    /// integer values, or integrated by Simpson's rule (4000 intervals) when continuous.
    /// Linearity of expectation makes the correlation between conditions irrelevant. Period
    /// effects, carryover and baseline drift would make the value depend on the design's
    /// balance, so with any of them the value is not computed.
    pub fn analysed_effect(&self, contrast: &Contrast) -> AnalysedEffect {
        let pop = &self.population;
        let (Some(baseline), Some(scale)) = (pop.baseline, pop.scale) else {
            return AnalysedEffect::Latent;
        };
        if self.period_effect.iter().any(|&t| t != 0.0) {
            return AnalysedEffect::NotComputed("period effects on a rating scale");
        }
        if self.carryover.iter().any(|&l| l != 0.0) {
            return AnalysedEffect::NotComputed("carryover on a rating scale");
        }
        if pop.rebaseline_sd != 0.0 {
            return AnalysedEffect::NotComputed("baselines that drift between periods");
        }
        let points = baseline_points(baseline, scale.integer);
        let mut total = 0.0;
        for class in &pop.classes {
            let mut value = 0.0;
            for (c, &w) in contrast.weights().iter().enumerate() {
                if w == 0.0 {
                    continue;
                }
                let mean = class.change_mean[c];
                let sd = class.change_sd[c].hypot(pop.within_sd[c]);
                let change: f64 = points
                    .iter()
                    .map(|&(b, p)| p * (expected_on_scale(b + mean, sd, scale) - b))
                    .sum();
                value += w * change;
            }
            total += class.probability * value;
        }
        AnalysedEffect::OnScale(total)
    }
}

/// The baseline's distribution as (value, probability) points: its integer values on an
/// integer scale (the model rounds, then clamps to the whole numbers of the entry range),
/// Simpson's weights on a grid otherwise.
fn baseline_points(b: TruncatedNormal, integer: bool) -> Vec<(f64, f64)> {
    let z = |x: f64| crate::numerics::norm_cdf((x - b.mean) / b.sd);
    let mass = z(b.max) - z(b.min);
    if integer {
        let (lo, hi) = (b.min.ceil(), b.max.floor());
        let mut points = Vec::new();
        let mut v = lo;
        while v <= hi {
            let from = if v == lo { b.min } else { v - 0.5 };
            let to = if v == hi { b.max } else { v + 0.5 };
            points.push((v, (z(to) - z(from)) / mass));
            v += 1.0;
        }
        points
    } else {
        const INTERVALS: usize = 4000;
        let h = (b.max - b.min) / INTERVALS as f64;
        let density = |x: f64| crate::numerics::norm_pdf((x - b.mean) / b.sd) / (b.sd * mass);
        (0..=INTERVALS)
            .map(|i| {
                let x = b.min + i as f64 * h;
                let simpson = if i == 0 || i == INTERVALS {
                    1.0
                } else if i % 2 == 1 {
                    4.0
                } else {
                    2.0
                };
                (x, simpson * h / 3.0 * density(x))
            })
            .collect()
    }
}

/// E[the scale's value of Y], Y ~ N(mean, sd^2): rounded (integer scale) and clamped.
fn expected_on_scale(mean: f64, sd: f64, scale: Scale) -> f64 {
    let (lo, hi) = (scale.min, scale.max);
    if sd == 0.0 {
        let y = if scale.integer {
            crate::numerics::round_ties_even(mean)
        } else {
            mean
        };
        return y.clamp(lo, hi);
    }
    if scale.integer {
        // Integer bounds (validation): E[S] = lo + sum_{k = lo + 1}^{hi} P(Y >= k - 1/2).
        let mut e = lo;
        let mut k = lo + 1.0;
        while k <= hi {
            e += crate::numerics::norm_cdf((mean - (k - 0.5)) / sd);
            k += 1.0;
        }
        e
    } else {
        let (a, b) = ((lo - mean) / sd, (hi - mean) / sd);
        let (fa, fb) = (crate::numerics::norm_cdf(a), crate::numerics::norm_cdf(b));
        lo * fa
            + hi * (1.0 - fb)
            + mean * (fb - fa)
            + sd * (crate::numerics::norm_pdf(a) - crate::numerics::norm_pdf(b))
    }
}
