//! Adaptive two-stage designs with sample-size re-estimation on a 2x2 crossover: Potvin's
//! methods B and C, Montague's method D, and re-estimation from the interim variance for
//! superiority and non-inferiority. Owns the stage statistics (period differences by sequence),
//! their pooled analysis with a fixed stage term, the stage-1 decision and the thresholds that
//! turn the stage-1 variance into a decision and a total N without evaluating a distribution
//! function per replicate.
//!
//! On a 2x2 every completer's period difference pd = (y_2 - y_1) / 2 has mean
//! +delta/2 + pi/2 in sequence RT and -delta/2 + pi/2 in TR. The analysis of one stage is the
//! two-sample comparison of the two sequences (Hills-Armitage, df n - 2); pooling stages with a
//! stage term gives each stage its own period effect and the stages one common delta:
//!
//! ```text
//! delta = sum_k w_k d_k / sum_k w_k,  w_k = n_RT,k n_TR,k / n_k,
//! RSS   = sum_k W_k + sum_k w_k (d_k - delta)^2,  df = N - (stages) - 1,
//! SE    = sqrt(RSS / df / sum_k w_k),
//! ```
//!
//! with d_k the stage's difference of sequence means and W_k its within-sequence sum of
//! squares (on the period-difference scale; the ANOVA's MSE is twice RSS / df).

use crate::analysis::{Estimate, TestStatistic};
use crate::inference::{Better, CriticalValues, Hypothesis};
use crate::numerics::{
    last_holding, norm_cdf, normal_quantile, normal_upper_quantile, t_cdf, t_quantile,
};
use crate::power::t_tests::{one_sided_power, tost_power, two_sided_power};
use std::sync::OnceLock;

pub mod inverse_normal;
mod methods;
pub mod scaled;
pub mod trial;
pub use inverse_normal::{CombinationPlan, EstimateFutility};
use inverse_normal::{InterimSettings, StageResult};
pub use methods::{InterimRule, Method, MethodScope, MethodSpec, PowerMethod, METHODS};

/// A two-stage plan, validated by `config` against the design and the analysis. Stage 1
/// enrolls `design.enrolled` participants.
///
/// The fields are visible to the crate only, so code outside it cannot build an unvalidated
/// plan; they are read through the accessors.
#[derive(Debug, Clone, PartialEq)]
pub struct TwoStagePlan {
    /// The method.
    pub(crate) method: Method,
    /// The adjusted alpha of the stage-1 test (B, C, D) and of the final test.
    pub(crate) alpha: f64,
    /// The level of the stage-1 test when stage 1 is already powered (C and D; 0.05).
    pub(crate) alpha_powered: f64,
    /// The assumed effect on the analysis scale (ln GMR for ratio endpoints).
    pub(crate) assumed_effect: f64,
    /// Target power of the interim power check and of the re-estimated N.
    pub(crate) target_power: f64,
    /// The power method.
    pub(crate) power_method: PowerMethod,
    /// Largest total N: a larger required N is capped here.
    pub(crate) max_total: usize,
    /// Stop for futility (fail) when the required stage-2 size exceeds this.
    pub(crate) max_stage2: Option<usize>,
    /// Whether stage 2 enrolls more to make up for stage 1's observed dropout (the required N
    /// counts completers).
    pub(crate) inflate_for_dropout: bool,
    /// Futility on the stage-1 estimate (CI or PE) for trials that would go on.
    pub(crate) estimate_futility: Option<EstimateFutility>,
    /// The smallest stage 2 (0: none).
    pub(crate) min_stage2: usize,
    /// The inverse-normal method's own settings.
    pub(crate) combination: Option<CombinationPlan>,
    /// Group-sequential: the planned stage-2 size n2.
    pub(crate) fixed_stage2: Option<usize>,
    /// Re-estimation: size stage 2 from the blinded variance (the period differences of all
    /// participants as one sample, ignoring sequence) instead of the ANOVA MSE.
    pub(crate) blinded: bool,
}

impl TwoStagePlan {
    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The adjusted alpha of the stage-1 test (B, C, D) and of the final test.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// The level of the stage-1 test when stage 1 is already powered (C and D).
    pub fn alpha_powered(&self) -> f64 {
        self.alpha_powered
    }

    /// The assumed effect on the analysis scale (ln GMR for ratio endpoints).
    pub fn assumed_effect(&self) -> f64 {
        self.assumed_effect
    }

    /// Target power of the interim power check and of the re-estimated N.
    pub fn target_power(&self) -> f64 {
        self.target_power
    }

    /// The power method.
    pub fn power_method(&self) -> PowerMethod {
        self.power_method
    }

    /// Largest total N: a larger required N is capped here.
    pub fn max_total(&self) -> usize {
        self.max_total
    }

    /// The required stage-2 size above which stage 1 stops for futility, if any.
    pub fn max_stage2(&self) -> Option<usize> {
        self.max_stage2
    }

    /// Whether stage 2 enrolls more to make up for stage 1's observed dropout.
    pub fn inflate_for_dropout(&self) -> bool {
        self.inflate_for_dropout
    }

    /// Futility on the stage-1 estimate, if any.
    pub fn estimate_futility(&self) -> Option<EstimateFutility> {
        self.estimate_futility
    }

    /// The smallest stage 2 (0: none).
    pub fn min_stage2(&self) -> usize {
        self.min_stage2
    }

    /// The inverse-normal method's own settings.
    pub fn combination(&self) -> Option<&CombinationPlan> {
        self.combination.as_ref()
    }

    /// Group-sequential: the planned stage-2 size n2.
    pub fn fixed_stage2(&self) -> Option<usize> {
        self.fixed_stage2
    }

    /// Re-estimation: whether stage 2 is sized from the blinded variance.
    pub fn blinded(&self) -> bool {
        self.blinded
    }
}

/// The sufficient statistics of one stage: per sequence (0: test in period 2, 1: test in
/// period 1) the completers, the sum and the sum of squares of their period differences.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageStatistics {
    /// Completers per sequence group.
    pub count: [usize; 2],
    /// Sum of period differences per group.
    pub sum: [f64; 2],
    /// Sum of squared period differences per group.
    pub sum_squares: [f64; 2],
}

impl StageStatistics {
    /// Adds one completer's period difference (y_2 - y_1) / 2 to `group`.
    #[inline]
    pub fn add(&mut self, group: usize, period_difference: f64) {
        self.count[group] += 1;
        self.sum[group] += period_difference;
        self.sum_squares[group] += period_difference * period_difference;
    }

    /// The statistics of a stage given by its summary: n (split evenly), the estimate d on the
    /// analysis scale and the ANOVA MSE (e.g. ln(1 + CV^2) for a ratio endpoint).
    pub fn from_summary(n: usize, estimate: f64, mse: f64) -> StageStatistics {
        let n_rt = n.div_ceil(2);
        let n_tr = n / 2;
        // Group means +d/2 and -d/2; within-group SS (n - 2) mse / 2 on the pd scale, split
        // between the groups (only its total matters).
        let within = (n as f64 - 2.0) * mse / 2.0;
        let mean = [estimate / 2.0, -estimate / 2.0];
        let count = [n_rt, n_tr];
        let mut s = StageStatistics::default();
        for g in 0..2 {
            let c = count[g] as f64;
            s.count[g] = count[g];
            s.sum[g] = c * mean[g];
            s.sum_squares[g] = c * mean[g] * mean[g] + within * c / n as f64;
        }
        s
    }

    /// Completers.
    pub fn n(&self) -> usize {
        self.count[0] + self.count[1]
    }

    /// (d, w, W): difference of group means, weight n_RT n_TR / n, within-group SS.
    fn parts(&self) -> Option<(f64, f64, f64)> {
        let [a, b] = self.count;
        if a == 0 || b == 0 {
            return None;
        }
        let (af, bf) = (a as f64, b as f64);
        let (ma, mb) = (self.sum[0] / af, self.sum[1] / bf);
        let within = (self.sum_squares[0] - af * ma * ma).max(0.0)
            + (self.sum_squares[1] - bf * mb * mb).max(0.0);
        Some((ma - mb, af * bf / (af + bf), within))
    }
}

/// The pooled analysis of the stages with a fixed stage term (one stage: Hills-Armitage).
/// `None` when a stage lacks a sequence group or no residual df remain.
pub fn pooled_estimate(stages: &[StageStatistics]) -> Option<Estimate> {
    let mut parts = Vec::with_capacity(stages.len());
    let mut n = 0;
    for s in stages.iter().filter(|s| s.n() > 0) {
        parts.push(s.parts()?);
        n += s.n();
    }
    let df = n as isize - parts.len() as isize - 1;
    if parts.is_empty() || df < 1 {
        return None;
    }
    let weight: f64 = parts.iter().map(|p| p.1).sum();
    let delta = parts.iter().map(|p| p.1 * p.0).sum::<f64>() / weight;
    let rss: f64 = parts
        .iter()
        .map(|&(d, w, within)| within + w * (d - delta) * (d - delta))
        .sum();
    let se = (rss / df as f64 / weight).sqrt();
    if se.is_nan() || se <= 0.0 {
        return None;
    }
    let t = delta / se;
    Some(Estimate {
        estimate: delta,
        standard_error: se,
        statistic: t,
        df: df as f64,
        effect_size: 0.0,
        n,
        test: TestStatistic::StudentT { t, df: df as usize },
    })
}

/// The ANOVA MSE (within-participant variance) of one stage, 2 W / (n - 2).
pub fn stage_mse(s: &StageStatistics) -> Option<f64> {
    let (_, _, within) = s.parts()?;
    let n = s.n();
    (n > 2).then(|| 2.0 * within / (n - 2) as f64)
}

/// The blinded variance of one stage on the MSE scale: twice the one-sample variance of the
/// period differences of all its completers, ignoring sequence, 2 (W + w d^2) / (n - 1). The
/// sequences' difference d (the treatment effect) stays in it, so it overestimates the MSE by
/// about d^2 / 2; Power2Stage's `power.tsd.ssr(blind = TRUE)` uses the same,
/// ((n - 2) MSE + n PE^2 / 2) / (n - 1) on a balanced stage.
pub fn blinded_mse(s: &StageStatistics) -> Option<f64> {
    let (d, w, within) = s.parts()?;
    let n = s.n();
    (n > 2).then(|| 2.0 * (within + w * d * d) / (n - 1) as f64)
}

/// Power of `hypothesis` with N participants (balanced 2x2), MSE `mse`, `df` residual df, at
/// level `alpha`, under the assumed effect, by `method`.
pub fn planning_power(
    hypothesis: Hypothesis,
    method: PowerMethod,
    alpha: f64,
    effect: f64,
    mse: f64,
    n: usize,
    df: f64,
) -> f64 {
    let se = (2.0 * mse / n as f64).sqrt();
    let central = |x: f64| t_cdf(x, df);
    match hypothesis {
        Hypothesis::Equivalence { lower, upper } => match method {
            PowerMethod::Exact => tost_power(alpha, lower, upper, effect, se, df),
            PowerMethod::LargeSample => {
                let z = normal_upper_quantile(alpha);
                (norm_cdf((effect - lower) / se - z) + norm_cdf((upper - effect) / se - z) - 1.0)
                    .max(0.0)
            }
            PowerMethod::Nct => (one_sided_power(alpha, lower, effect, se, df)
                + one_sided_power(alpha, -upper, -effect, se, df)
                - 1.0)
                .max(0.0),
            PowerMethod::Shifted => {
                let t = t_quantile(1.0 - alpha, df);
                let (d1, d2) = ((effect - lower) / se, (effect - upper) / se);
                (central(-t - d2) - central(t - d1)).max(0.0)
            }
        },
        Hypothesis::TwoSided => match method {
            PowerMethod::Shifted => {
                let t = t_quantile(1.0 - alpha / 2.0, df);
                1.0 - central(t - effect.abs() / se) + central(-t - effect.abs() / se)
            }
            _ => two_sided_power(alpha, effect, se, df),
        },
        Hypothesis::Superiority { better } => {
            one_sided(method, alpha, 0.0, effect, se, df, better, &central)
        }
        Hypothesis::NonInferiority { margin, better } => {
            one_sided(method, alpha, margin, effect, se, df, better, &central)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn one_sided(
    method: PowerMethod,
    alpha: f64,
    margin: f64,
    effect: f64,
    se: f64,
    df: f64,
    better: Better,
    central: &dyn Fn(f64) -> f64,
) -> f64 {
    let (margin, effect) = match better {
        Better::Higher => (margin, effect),
        Better::Lower => (-margin, -effect),
    };
    match method {
        PowerMethod::Shifted => 1.0 - central(t_quantile(1.0 - alpha, df) - (effect - margin) / se),
        _ => one_sided_power(alpha, margin, effect, se, df),
    }
}

/// The largest MSE at which `power(mse)` still reaches `target` (power falls as MSE grows):
/// 0 when even a vanishing MSE misses it, +inf when any MSE reaches it.
fn largest_mse(target: f64, power: impl Fn(f64) -> f64) -> f64 {
    let (lo, hi) = (-30.0f64, 10.0f64); // ln MSE
    if power(lo.exp()).partial_cmp(&target) == Some(std::cmp::Ordering::Less)
        || power(lo.exp()).is_nan()
    {
        return 0.0;
    }
    if power(hi.exp()) >= target {
        return f64::INFINITY;
    }
    last_holding(lo, hi, 60, |ln_mse| power(ln_mse.exp()) >= target).exp()
}

/// What stage 1 decided.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StageOne {
    /// Stop: the test passed (bioequivalent, or H0 rejected).
    Pass(Estimate),
    /// Stop: failed (stage 1 powered but not passing, or not analysable).
    Fail(Option<Estimate>),
    /// Stop: the required stage-2 size exceeds `max_stage2`.
    Futile(Option<Estimate>),
    /// Go on to a total of this many participants (capped at `max_total`).
    Continue {
        /// Total participants after stage 2.
        total: usize,
        /// Whether the required total was capped.
        capped: bool,
    },
}

/// The largest total N whose critical values are tabled at the start of a run.
const TABLED_TOTAL: usize = 1000;

/// A plan prepared for simulation: critical values and MSE thresholds computed once.
#[derive(Debug, Clone)]
pub struct PreparedTwoStage {
    /// The plan.
    pub plan: TwoStagePlan,
    /// Stage-1 size n1.
    pub n1: usize,
    hypothesis: Hypothesis,
    /// Critical values at the adjusted alpha and at `alpha_powered`.
    critical: CriticalValues,
    critical_powered: CriticalValues,
    /// By completers n: the largest stage-1 MSE at which stage 1 counts as powered, at the
    /// adjusted alpha (B) and at `alpha_powered` (C, D).
    powered_mse: Vec<f64>,
    powered_mse_at_powered_alpha: Vec<f64>,
    /// For even N = 4, 6, ..., `max_total` (index (N - 4) / 2): the largest MSE at which N
    /// reaches the target power with df N - 3, increasing with N. Each is computed once, when
    /// a replicate's search first needs it (a search touches about log2 of their number), so
    /// a run pays for the few it uses and never evaluates a power per replicate.
    required_mse: Vec<OnceLock<f64>>,
    /// t_{0.95, df} by df = 0..=n1, for the stage-1 90% CI of the futility rule.
    t95: Vec<f64>,
    /// The inverse-normal method's node rules by df (t and noncentral t at each trial's own
    /// levels), built when first used.
    nodes: Option<std::sync::Arc<crate::numerics::ChiNodeTable>>,
}

impl PreparedTwoStage {
    /// Precomputes everything for `plan` with stage-1 size `n1` testing `hypothesis`.
    pub fn new(plan: &TwoStagePlan, n1: usize, hypothesis: Hypothesis) -> PreparedTwoStage {
        let p = plan;
        let power_at = |alpha: f64, n: usize, df: f64| {
            let p = p.clone();
            move |mse: f64| {
                planning_power(
                    hypothesis,
                    p.power_method,
                    alpha,
                    p.assumed_effect,
                    mse,
                    n,
                    df,
                )
            }
        };
        let powered = |alpha: f64| -> Vec<f64> {
            (0..=n1)
                .map(|n| {
                    if n < 3 {
                        0.0
                    } else {
                        largest_mse(p.target_power, power_at(alpha, n, n as f64 - 2.0))
                    }
                })
                .collect()
        };
        let powered_mse = powered(p.alpha);
        let powered_mse_at_powered_alpha =
            if p.method.spec().interim == InterimRule::PowerCheckThenTest {
                powered(p.alpha_powered)
            } else {
                Vec::new()
            };
        let required_mse = (4..=p.max_total)
            .step_by(2)
            .map(|_| OnceLock::new())
            .collect();
        // The tables cover the totals a run meets; beyond them `CriticalValues` computes the
        // quantile on demand, so a large cap (matching Power2Stage's unlimited N) costs no
        // start-up: tables up to 100,000 cost 5.5 s, these 0.03 s.
        let table = |alpha: f64| {
            CriticalValues::new(hypothesis.table_level(alpha), p.max_total.min(TABLED_TOTAL))
        };
        let t95 = (0..=n1)
            .map(|df| {
                if df == 0 {
                    f64::INFINITY
                } else {
                    t_quantile(0.95, df as f64)
                }
            })
            .collect();
        PreparedTwoStage {
            plan: p.clone(),
            n1,
            hypothesis,
            critical: table(p.alpha),
            critical_powered: table(p.alpha_powered),
            powered_mse,
            powered_mse_at_powered_alpha,
            required_mse,
            t95,
            nodes: p
                .combination
                .as_ref()
                .map(|_| std::sync::Arc::new(crate::numerics::ChiNodeTable::new(p.max_total))),
        }
    }

    /// The smallest even total N >= 4 whose power reaches the target at `mse` (None: not even
    /// `max_total`).
    pub fn required_total(&self, mse: f64) -> Option<usize> {
        if self.plan.power_method == PowerMethod::LargeSample {
            if let Hypothesis::Equivalence { lower, upper } = self.hypothesis {
                return large_sample_total(
                    self.plan.alpha,
                    self.plan.target_power,
                    self.plan.assumed_effect,
                    lower,
                    upper,
                    mse,
                )
                .filter(|&n| n <= self.plan.max_total);
            }
        }
        // Binary search for the first N whose threshold reaches `mse`.
        let (mut lo, mut hi) = (0, self.required_mse.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.required_threshold(mid) < mse {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        (lo < self.required_mse.len()).then_some(4 + 2 * lo)
    }

    /// The largest MSE at which N = 4 + 2 i reaches the target power (df N - 3).
    fn required_threshold(&self, i: usize) -> f64 {
        *self.required_mse[i].get_or_init(|| {
            let n = 4 + 2 * i;
            let p = &self.plan;
            largest_mse(p.target_power, |mse| {
                planning_power(
                    self.hypothesis,
                    p.power_method,
                    p.alpha,
                    p.assumed_effect,
                    mse,
                    n,
                    (n - p.method.spec().sizing_df_lost) as f64,
                )
            })
        })
    }

    /// Whether `e` passes the test at the adjusted alpha.
    pub fn passes(&self, e: &Estimate) -> bool {
        self.hypothesis.rejects(e, &self.critical)
    }

    /// The stage-1 decision on the stage-1 statistics.
    pub fn stage_one(&self, s: &StageStatistics) -> StageOne {
        let Some(e) = pooled_estimate(std::slice::from_ref(s)) else {
            return StageOne::Fail(None);
        };
        let variance = if self.plan.blinded {
            blinded_mse(s)
        } else {
            stage_mse(s)
        };
        let Some(mse) = variance else {
            return StageOne::Fail(Some(e));
        };
        let n = s.n().min(self.n1);
        if let Some(c) = &self.plan.combination {
            return self.combination_interim(c, &e, mse);
        }
        match self.plan.method.spec().interim {
            InterimRule::TestThenPowerCheck => {
                if self.passes(&e) {
                    return StageOne::Pass(e);
                }
                if mse <= self.powered_mse[n] {
                    return StageOne::Fail(Some(e));
                }
            }
            InterimRule::PowerCheckThenTest => {
                if mse <= self.powered_mse_at_powered_alpha[n] {
                    return if self.hypothesis.rejects(&e, &self.critical_powered) {
                        StageOne::Pass(e)
                    } else {
                        StageOne::Fail(Some(e))
                    };
                }
                if self.passes(&e) {
                    return StageOne::Pass(e);
                }
            }
            InterimRule::FixedStages => {
                if self.passes(&e) {
                    return StageOne::Pass(e);
                }
                if let Some(f) = self.plan.estimate_futility {
                    if f.futile(e.estimate, e.standard_error, self.t95_at(e.df)) {
                        return StageOne::Futile(Some(e));
                    }
                }
                let n2 = self.plan.fixed_stage2.unwrap_or(0);
                return StageOne::Continue {
                    total: self.n1 + n2,
                    capped: false,
                };
            }
            InterimRule::NoTest | InterimRule::Combination => {}
        }
        if let Some(f) = self.plan.estimate_futility {
            if f.futile(e.estimate, e.standard_error, self.t95_at(e.df)) {
                return StageOne::Futile(Some(e));
            }
        }
        self.go_on(mse, e, s.n())
    }

    /// t_{0.95, df} for the stage-1 90% CI.
    fn t95_at(&self, df: f64) -> f64 {
        let i = df as usize;
        match self.t95.get(i) {
            Some(&t) if i as f64 == df => t,
            _ => t_quantile(0.95, df),
        }
    }

    /// The settings the inverse-normal interim decision reads.
    pub fn combination_settings<'a>(&'a self, c: &'a CombinationPlan) -> InterimSettings<'a> {
        let (lower, upper) = match self.hypothesis {
            Hypothesis::Equivalence { lower, upper } => (lower, upper),
            // Validation admits the method for equivalence only.
            _ => (f64::NEG_INFINITY, f64::INFINITY),
        };
        InterimSettings {
            plan: c,
            lower,
            upper,
            assumed_effect: self.plan.assumed_effect,
            target_power: self.plan.target_power,
            power_method: self.plan.power_method,
            estimate_futility: self.plan.estimate_futility,
            min_stage2: self.plan.min_stage2,
            max_total: self.plan.max_total,
            nodes: self.nodes.as_deref(),
        }
    }

    /// The inverse-normal interim: stage 1 alone, its z-scores against c, futility, and stage
    /// 2 from the conditional error.
    fn combination_interim(&self, c: &CombinationPlan, e: &Estimate, mse: f64) -> StageOne {
        let stage = StageResult::from(e);
        let interim =
            self.combination_settings(c)
                .decide(&stage, self.n1, mse, self.t95_at(e.df), false);
        if interim.bioequivalent {
            StageOne::Pass(*e)
        } else if interim.futile() {
            StageOne::Futile(Some(*e))
        } else {
            StageOne::Continue {
                total: self.n1 + interim.n2,
                capped: interim.capped,
            }
        }
    }

    /// The final analysis after stage 2: the estimate reported (pooled with a stage term) and
    /// whether the trial passed (the pooled test at the adjusted alpha, or the inverse-normal
    /// combination of the stages analysed on their own).
    pub fn final_decision(
        &self,
        stage1: &StageStatistics,
        stage2: &StageStatistics,
    ) -> (Option<Estimate>, bool) {
        let pooled = pooled_estimate(&[*stage1, *stage2]);
        let Some(c) = &self.plan.combination else {
            let passed = pooled.as_ref().is_some_and(|e| self.passes(e));
            return (pooled, passed);
        };
        let settings = self.combination_settings(c);
        let stages = (
            pooled_estimate(std::slice::from_ref(stage1)),
            pooled_estimate(std::slice::from_ref(stage2)),
        );
        let passed = match stages {
            (Some(a), Some(b)) => {
                inverse_normal::final_decision(
                    &c.combination,
                    &StageResult::from(&a),
                    &StageResult::from(&b),
                    settings.lower,
                    settings.upper,
                    settings.nodes,
                )
                .bioequivalent
            }
            _ => false,
        };
        (pooled, passed)
    }

    /// Inverse normal: the median-unbiased estimate of a trial that went on to stage 2, each
    /// stage analysed on its own (`None` for other methods, or when a stage cannot be analysed
    /// or the root is not bracketed).
    pub fn median_unbiased(
        &self,
        stage1: &StageStatistics,
        stage2: &StageStatistics,
    ) -> Option<f64> {
        let c = self.plan.combination.as_ref()?;
        let a = pooled_estimate(std::slice::from_ref(stage1))?;
        let b = pooled_estimate(std::slice::from_ref(stage2))?;
        inverse_normal::median_unbiased_estimate_fast(
            &c.combination,
            &StageResult::from(&a),
            &StageResult::from(&b),
        )
    }

    /// Stage 2 from the stage-1 MSE; `completers` of the n1 enrolled completed stage 1.
    fn go_on(&self, mse: f64, e: Estimate, completers: usize) -> StageOne {
        let required = self.required_total(mse).map(|n| {
            if self.plan.inflate_for_dropout && completers < self.n1 && completers > 0 {
                // Enrol enough that the expected completers reach the required N, at the
                // completion rate stage 1 showed.
                let missing = n.saturating_sub(completers) as f64;
                let rate = completers as f64 / self.n1 as f64;
                let n2 = (missing / rate).ceil() as usize;
                let total = self.n1 + n2 + n2 % 2;
                total.max(n)
            } else {
                n
            }
        });
        let (total, capped) = match required {
            Some(t) if t <= self.plan.max_total => (t, false),
            _ => (self.plan.max_total, true),
        };
        let mut n2 = total.saturating_sub(self.n1);
        let (total, capped) = if n2 < self.plan.min_stage2 {
            // Power2Stage's min.n2: even a stage 1 that already has its N enrolls this many.
            n2 = self.plan.min_stage2;
            let t = (self.n1 + n2).min(self.plan.max_total);
            n2 = t - self.n1;
            (t, capped)
        } else {
            (total, capped)
        };
        if let Some(limit) = self.plan.max_stage2 {
            if capped || n2 > limit {
                return StageOne::Futile(Some(e));
            }
        }
        if n2 == 0 {
            // The required N is already reached: decide on stage 1 at the adjusted alpha.
            return if self.passes(&e) {
                StageOne::Pass(e)
            } else {
                StageOne::Fail(Some(e))
            };
        }
        StageOne::Continue { total, capped }
    }
}

/// The method's steps in words.
pub fn describe(plan: &TwoStagePlan, n1: usize, ratio: bool) -> String {
    let assumed = if ratio {
        format!("GMR {:.2}", plan.assumed_effect.exp())
    } else {
        format!("effect {}", plan.assumed_effect)
    };
    let power = format!(
        "power ({} method, {assumed}, the stage-1 variance)",
        plan.power_method.as_str()
    );
    let n2 = format!(
        "stage 2 enrolls the smallest even total N (df N - 3) whose {power} at alpha {} reaches {}, minus n1 = {n1}{}{}; the final analysis pools both stages with a stage term at alpha {}",
        plan.alpha,
        plan.target_power,
        format_args!(", capped at N = {}", plan.max_total),
        plan.max_stage2
            .map(|m| format!(", failing when more than {m} are needed"))
            .unwrap_or_default(),
        plan.alpha
    );
    let title = plan.method.spec().title;
    match plan.method.spec().interim {
        InterimRule::TestThenPowerCheck => format!(
            "{title}: test stage 1 at alpha {a}; pass: stop. Otherwise compute the {power} at alpha {a}; at least {t}: stop, fail. Otherwise {n2}.",
            a = plan.alpha,
            t = plan.target_power
        ),
        InterimRule::PowerCheckThenTest => format!(
            "{title}: compute the {power} at alpha {p}; at least {t}: test stage 1 at alpha {p} and stop (pass or fail). Otherwise test stage 1 at alpha {a}; pass: stop. Otherwise {n2}.",
            p = plan.alpha_powered,
            a = plan.alpha,
            t = plan.target_power
        ),
        InterimRule::NoTest => format!(
            "{title}: no test at the interim; from the {} {n2}.",
            if plan.blinded {
                "blinded stage-1 variance (period differences ignoring sequence)"
            } else {
                "stage-1 variance"
            }
        ),
        InterimRule::FixedStages => format!(
            "{title}: test stage 1 at alpha {a}; pass: stop. Otherwise{} stage 2 enrolls the planned n2 = {n2f}, and the final analysis pools both stages (N = {total}) with a stage term at alpha {a}.",
            if plan.estimate_futility.is_some() {
                " (unless the stage-1 estimate is futile)"
            } else {
                ""
            },
            a = plan.alpha,
            n2f = plan.fixed_stage2.unwrap_or(0),
            total = n1 + plan.fixed_stage2.unwrap_or(0),
        ),
        InterimRule::Combination => match &plan.combination {
            Some(c) => inverse_normal::describe(plan, c, n1),
            None => title.to_string(),
        },
    }
}

/// The steps of a two-stage design whose stages are decided by `rule`, in words.
pub fn describe_ruled(
    plan: &TwoStagePlan,
    n1: usize,
    rule: &crate::inference::scaled::BioequivalenceRule,
) -> String {
    scaled::describe(plan, n1, rule)
}

/// Power2Stage's large-sample total N (`.sampleN00` with `diffmthreshold = 0`, its
/// `pmethod = "ls"`): N = 2 MSE (z_{1-alpha} + z_beta)^2 / dn^2 rounded up to even, with dn the
/// distance of the assumed effect to the nearer margin and z_beta = z_{target} (or
/// z_{1-(1-target)/2} when the effect lies exactly midway between the margins, where both tests
/// bind). The midpoint is computed as Power2Stage computes it, effect - (lower + upper) / 2: for
/// the margins ln 0.8 and ln 1.25 and a GMR of 1 that is 2.8e-17, not 0, in R as here, so
/// Power2Stage (and this) use z_{target} there. No smallest N: a total at or below n1 means no
/// stage 2. `None` when the effect is at a margin.
pub fn large_sample_total(
    alpha: f64,
    target: f64,
    effect: f64,
    lower: f64,
    upper: f64,
    mse: f64,
) -> Option<usize> {
    let dn = (effect - lower).min(upper - effect);
    // Power2Stage's own tolerance for an effect on a margin.
    if effect - lower < 1.25e-5 || upper - effect < 1.25e-5 {
        return None;
    }
    let centred = effect - (lower + upper) / 2.0;
    let z_beta = if centred.abs() > 0.0 {
        normal_quantile(target)
    } else {
        normal_quantile(1.0 - (1.0 - target) / 2.0)
    };
    let z = normal_upper_quantile(alpha) + z_beta;
    let n0 = 2.0 * mse * z * z / (dn * dn);
    if !n0.is_finite() {
        return None;
    }
    Some(2 * ((n0 / 2.0).ceil() as usize))
}

/// Per-run counts of a two-stage design's paths.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TwoStageTally {
    /// Stopped after stage 1, passing.
    pub stage1_pass: u64,
    /// Stopped after stage 1, failing.
    pub stage1_fail: u64,
    /// Stopped after stage 1 because the required stage 2 was too large.
    pub futile: u64,
    /// Went on to stage 2.
    pub stage2: u64,
    /// Passed after stage 2.
    pub stage2_pass: u64,
    /// Stage 2 capped at the maximum total N.
    pub capped: u64,
    /// Trials by total N enrolled (index N).
    pub total_histogram: Vec<u64>,
    /// The final estimate of each trial with one (analysis scale): the stage-1 estimate at a
    /// stage-1 stop, the pooled estimate with a stage term after stage 2.
    #[serde(default)]
    pub final_naive: EstimateMoments,
    /// Inverse normal: the median-unbiased estimate after stage 2 (the stage-1 estimate at a
    /// stage-1 stop).
    #[serde(default)]
    pub final_median_unbiased: EstimateMoments,
    /// Several test formulations against one reference: each comparison's paths (empty with
    /// one comparison).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comparisons: Vec<ComparisonPaths>,
    /// Several comparisons: trials where at least one comparison succeeded.
    #[serde(default)]
    pub at_least_one: u64,
    /// Several comparisons: trials where every comparison succeeded.
    #[serde(default)]
    pub all: u64,
}

/// The paths of one comparison (one test formulation against the reference) of a two-stage
/// design with several: how it was closed at stage 1 or decided by the pooled analysis.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ComparisonPaths {
    /// Passed at stage 1 (closed, success).
    pub stage1_pass: u64,
    /// Failed at stage 1 with the target power (or not analysable; closed, failure).
    pub stage1_fail: u64,
    /// Its required stage 2 exceeded `adaptive.max_stage2` (closed, failure).
    pub futile: u64,
    /// Went on to the pooled analysis.
    pub stage2: u64,
    /// Passed in the pooled analysis.
    pub stage2_pass: u64,
}

impl ComparisonPaths {
    /// Counts the comparison's stage-1 decision; `true` when it goes on to stage 2.
    pub fn count_stage_one(&mut self, d: &StageOne) -> bool {
        match d {
            StageOne::Pass(_) => self.stage1_pass += 1,
            StageOne::Fail(_) => self.stage1_fail += 1,
            StageOne::Futile(_) => self.futile += 1,
            StageOne::Continue { .. } => {
                self.stage2 += 1;
                return true;
            }
        }
        false
    }

    fn merge(&mut self, o: &ComparisonPaths) {
        self.stage1_pass += o.stage1_pass;
        self.stage1_fail += o.stage1_fail;
        self.futile += o.futile;
        self.stage2 += o.stage2;
        self.stage2_pass += o.stage2_pass;
    }
}

/// The stage 2 of a trial with several comparisons, from each comparison's stage-1 decision
/// (Potvin's method B per comparison): none when no comparison continues; otherwise the
/// largest total N any continuing comparison requires (the harder comparison drives it), capped
/// when a continuing comparison's total was. Closed comparisons (passed, failed, futile) do not
/// size stage 2 and are not re-tested.
pub fn joint_stage_two(decisions: &[StageOne]) -> Option<StageOne> {
    decisions
        .iter()
        .filter_map(|d| match *d {
            StageOne::Continue { total, capped } => Some((total, capped)),
            _ => None,
        })
        .reduce(|(a, ca), (b, cb)| (a.max(b), ca || cb))
        .map(|(total, capped)| StageOne::Continue { total, capped })
}

/// The trial's stage-1 decision when several comparisons share it: stage 2 when any
/// comparison continues ([`joint_stage_two`]); otherwise a stop, passing when any comparison
/// passed (the trial's success is at least one success), futile when none passed and one was
/// futile, failing otherwise. With one comparison, that comparison's decision.
pub fn joint_stage_one(decisions: &[StageOne]) -> StageOne {
    if let [one] = decisions {
        return *one;
    }
    if let Some(go_on) = joint_stage_two(decisions) {
        return go_on;
    }
    let first_estimate = |d: &StageOne| match *d {
        StageOne::Pass(e) => Some(e),
        StageOne::Fail(e) | StageOne::Futile(e) => e,
        StageOne::Continue { .. } => None,
    };
    if let Some(StageOne::Pass(e)) = decisions.iter().find(|d| matches!(d, StageOne::Pass(_))) {
        return StageOne::Pass(*e);
    }
    let e = decisions.first().and_then(first_estimate);
    if decisions.iter().any(|d| matches!(d, StageOne::Futile(_))) {
        StageOne::Futile(e)
    } else {
        StageOne::Fail(e)
    }
}

/// Running sums of one kind of estimate over trials, on the analysis scale and as a ratio
/// (exp), from which the mean, SD and bias follow.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EstimateMoments {
    /// Trials with the estimate.
    pub count: u64,
    /// Sum of the estimates.
    pub sum: f64,
    /// Sum of their squares.
    pub sum_squares: f64,
    /// Sum of exp(estimate).
    pub ratio_sum: f64,
    /// Sum of exp(estimate)^2.
    pub ratio_sum_squares: f64,
}

impl EstimateMoments {
    /// Adds one trial's estimate.
    pub fn record(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        let r = x.exp();
        self.count += 1;
        self.sum += x;
        self.sum_squares += x * x;
        self.ratio_sum += r;
        self.ratio_sum_squares += r * r;
    }

    /// Adds another's sums.
    pub fn merge(&mut self, o: &EstimateMoments) {
        self.count += o.count;
        self.sum += o.sum;
        self.sum_squares += o.sum_squares;
        self.ratio_sum += o.ratio_sum;
        self.ratio_sum_squares += o.ratio_sum_squares;
    }

    /// (mean, SD) on the analysis scale (`ratio` false) or as a ratio; `None` without trials.
    pub fn mean_sd(&self, ratio: bool) -> Option<(f64, f64)> {
        if self.count == 0 {
            return None;
        }
        let n = self.count as f64;
        let (sum, squares) = if ratio {
            (self.ratio_sum, self.ratio_sum_squares)
        } else {
            (self.sum, self.sum_squares)
        };
        let mean = sum / n;
        let var = if self.count > 1 {
            ((squares - n * mean * mean) / (n - 1.0)).max(0.0)
        } else {
            0.0
        };
        Some((mean, var.sqrt()))
    }
}

impl TwoStageTally {
    /// Counts stage 1's decision: a stop gives `Ok((estimate, passed))`; going on counts a
    /// stage 2 (and whether it was capped) and gives `Err(total)`.
    pub fn count_stage_one(&mut self, d: StageOne) -> Result<(Option<Estimate>, bool), usize> {
        match d {
            StageOne::Pass(e) => {
                self.stage1_pass += 1;
                Ok((Some(e), true))
            }
            StageOne::Fail(e) => {
                self.stage1_fail += 1;
                Ok((e, false))
            }
            StageOne::Futile(e) => {
                self.futile += 1;
                Ok((e, false))
            }
            StageOne::Continue { total, capped } => {
                self.stage2 += 1;
                self.capped += u64::from(capped);
                Err(total)
            }
        }
    }

    /// Adds another tally.
    pub fn merge(&mut self, o: &TwoStageTally) {
        self.stage1_pass += o.stage1_pass;
        self.stage1_fail += o.stage1_fail;
        self.futile += o.futile;
        self.stage2 += o.stage2;
        self.stage2_pass += o.stage2_pass;
        self.capped += o.capped;
        if self.total_histogram.len() < o.total_histogram.len() {
            self.total_histogram.resize(o.total_histogram.len(), 0);
        }
        for (a, b) in self.total_histogram.iter_mut().zip(&o.total_histogram) {
            *a += b;
        }
        self.final_naive.merge(&o.final_naive);
        self.final_median_unbiased.merge(&o.final_median_unbiased);
        if self.comparisons.len() < o.comparisons.len() {
            self.comparisons
                .resize(o.comparisons.len(), ComparisonPaths::default());
        }
        for (a, b) in self.comparisons.iter_mut().zip(&o.comparisons) {
            a.merge(b);
        }
        self.at_least_one += o.at_least_one;
        self.all += o.all;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn equivalence() -> Hypothesis {
        Hypothesis::Equivalence {
            lower: 0.8f64.ln(),
            upper: 1.25f64.ln(),
        }
    }

    fn mse_of(cv: f64) -> f64 {
        (cv * cv).ln_1p()
    }

    /// A plan of `method` with its published defaults and no futility.
    fn plan(method: Method, alpha: f64, gmr: f64, target: f64, power: PowerMethod) -> TwoStagePlan {
        TwoStagePlan {
            method,
            alpha,
            alpha_powered: 0.05,
            assumed_effect: gmr.ln(),
            target_power: target,
            power_method: power,
            max_total: 4000,
            max_stage2: None,
            inflate_for_dropout: false,
            estimate_futility: None,
            min_stage2: 0,
            combination: None,
            fixed_stage2: None,
            blinded: false,
        }
    }

    /// Group-sequential, power.tsd.GS's defaults: alpha 0.0294 at both looks, n = c(12, 12).
    fn group_sequential() -> TwoStagePlan {
        TwoStagePlan {
            fixed_stage2: Some(12),
            ..plan(
                Method::GROUP_SEQUENTIAL,
                0.0294,
                0.95,
                0.8,
                PowerMethod::Nct,
            )
        }
    }

    fn stage(n: usize, ratio: f64, cv: f64) -> StageStatistics {
        StageStatistics::from_summary(n, ratio.ln(), mse_of(cv))
    }

    /// Every branch of the group-sequential interim on hand-made stages of n1 = 12: PE 1.0 at
    /// CV 0.05 passes at alpha 0.0294 (90% CI far inside the margins); PE 0.95 at CV 0.30 does
    /// not and goes on to the planned N = 24; PE 1.22 at CV 0.05 fails the upper test though
    /// stage 1 is powered, where Potvin B would stop and fail, and still goes on (no power
    /// check); with CI futility at 0.95-1/0.95 a PE of 1.3 at CV 0.1 (90% CI 1.22-1.39) stops;
    /// a stage lacking a sequence cannot be analysed and fails.
    #[test]
    fn group_sequential_interim_every_branch() {
        let p = PreparedTwoStage::new(&group_sequential(), 12, equivalence());
        assert!(matches!(
            p.stage_one(&stage(12, 1.0, 0.05)),
            StageOne::Pass(_)
        ));
        let go_on = StageOne::Continue {
            total: 24,
            capped: false,
        };
        assert_eq!(p.stage_one(&stage(12, 0.95, 0.30)), go_on);
        assert_eq!(p.stage_one(&stage(12, 1.22, 0.05)), go_on);
        let b = PreparedTwoStage::new(
            &plan(Method::POTVIN_B, 0.0294, 0.95, 0.8, PowerMethod::Shifted),
            12,
            equivalence(),
        );
        assert!(matches!(
            b.stage_one(&stage(12, 1.22, 0.05)),
            StageOne::Fail(Some(_))
        ));
        let futility = TwoStagePlan {
            estimate_futility: Some(EstimateFutility::Interval {
                lower: 0.95f64.ln(),
                upper: -(0.95f64.ln()),
            }),
            ..group_sequential()
        };
        let f = PreparedTwoStage::new(&futility, 12, equivalence());
        assert!(matches!(
            f.stage_one(&stage(12, 1.3, 0.1)),
            StageOne::Futile(Some(_))
        ));
        assert_eq!(f.stage_one(&stage(12, 0.95, 0.30)), go_on);
        let mut one_sequence = StageStatistics::default();
        for x in [0.1, -0.2, 0.05] {
            one_sequence.add(0, x);
        }
        assert_eq!(p.stage_one(&one_sequence), StageOne::Fail(None));
    }

    /// The final analysis pools both stages with a stage term (df 24 - 3 = 21) and tests at
    /// 0.0294: two stages of PE 1.0 at CV 0.2 pass; at PE 1.15 the upper limit,
    /// 1.15 exp(t_{0.9706, 21} sqrt(2 MSE / 24)) = 1.27, fails.
    #[test]
    fn group_sequential_final_analysis() {
        let p = PreparedTwoStage::new(&group_sequential(), 12, equivalence());
        let (e, passed) = p.final_decision(&stage(12, 1.0, 0.2), &stage(12, 1.0, 0.2));
        let e = e.unwrap();
        assert_eq!((e.df, e.n), (21.0, 24));
        assert!(passed);
        let (_, passed) = p.final_decision(&stage(12, 1.15, 0.2), &stage(12, 1.15, 0.2));
        assert!(!passed);
    }

    /// The blinded variance against power.tsd.ssr's s2os = ((n1 - 2) MSE + n1 PE^2 / 2) /
    /// (n1 - 1), on a balanced stage of 10 with PE 1.2 and CV 0.1.
    #[test]
    fn blinded_variance_is_power2stage_s2os() {
        let s = stage(10, 1.2, 0.1);
        let expected = (8.0 * mse_of(0.1) + 10.0 * 1.2f64.ln().powi(2) / 2.0) / 9.0;
        assert!((blinded_mse(&s).unwrap() - expected).abs() < 1e-14);
        assert!((stage_mse(&s).unwrap() - mse_of(0.1)).abs() < 1e-14);
    }

    /// The large-sample total N against Power2Stage 0.5-4's `.sampleN00(alpha = 0.05,
    /// targetpower, se = sqrt(mse), diffm, ltheta1 = log(0.8), ltheta2 = log(1.25), bk = 2,
    /// steps = 2, diffmthreshold = 0)` at mse 0.01, 0.0556, 0.2, 0.3: GMR 1, target 0.9:
    /// 4, 20, 70, 104; GMR 0.95, target 0.8: 6, 24, 84, 126.
    #[test]
    fn large_sample_total_is_power2stage_sample_n00() {
        let (lower, upper) = (0.8f64.ln(), 1.25f64.ln());
        let mses = [0.01, 0.0556, 0.2, 0.3];
        let n = |gmr: f64, target: f64| -> Vec<usize> {
            mses.iter()
                .map(|&m| large_sample_total(0.05, target, gmr.ln(), lower, upper, m).unwrap())
                .collect()
        };
        assert_eq!(n(1.0, 0.9), [4, 20, 70, 104]);
        assert_eq!(n(0.95, 0.8), [6, 24, 84, 126]);
        assert_eq!(
            large_sample_total(0.05, 0.8, upper, lower, upper, 0.1),
            None
        );
    }

    /// The noncentral-t total of `ssr` (df N - 2) against Power2Stage 0.5-4's
    /// `.sampleN2(alpha = 0.03505, targetpower = 0.9, ltheta0 = 0, mse, method = "nct",
    /// dfc = "n-2")` at mse 0.01, 0.0556, 0.2, 0.3: 8, 30, 98, 146.
    #[test]
    fn ssr_noncentral_total_is_power2stage_sample_n2() {
        let p = PreparedTwoStage::new(
            &plan(Method::SSR, 0.03505, 1.0, 0.9, PowerMethod::Nct),
            10,
            equivalence(),
        );
        let totals: Vec<usize> = [0.01, 0.0556, 0.2, 0.3]
            .iter()
            .map(|&m| p.required_total(m).unwrap())
            .collect();
        assert_eq!(totals, [8, 30, 98, 146]);
    }

    /// Every branch of the `ssr` interim (large-sample N, target 0.9, GMR 1, n1 = 10), the
    /// totals from `.sampleN00` as above: PE 1.0 at CV 0.1 needs N 4 <= n1 (R: 4): no stage 2,
    /// stage 1 is tested at alpha and passes; PE 1.25 at CV 0.1 needs 4 unblinded: no stage 2,
    /// and fails. Blinded the same stage's variance (8 MSE + 10 ln(1.25)^2 / 2) / 9 = 0.0365
    /// needs 14 (R: 14): stage 2; blinded PE 1.2 (0.0273) needs 10 (R: 10) = n1: no stage 2,
    /// fails. A cap below the required N caps it.
    #[test]
    fn ssr_interim_every_branch() {
        let unblinded = plan(Method::SSR, 0.05, 1.0, 0.9, PowerMethod::LargeSample);
        let p = PreparedTwoStage::new(&unblinded, 10, equivalence());
        assert!(matches!(
            p.stage_one(&stage(10, 1.0, 0.1)),
            StageOne::Pass(_)
        ));
        assert!(matches!(
            p.stage_one(&stage(10, 1.25, 0.1)),
            StageOne::Fail(Some(_))
        ));
        let blinded = TwoStagePlan {
            blinded: true,
            ..unblinded.clone()
        };
        let b = PreparedTwoStage::new(&blinded, 10, equivalence());
        assert_eq!(
            b.stage_one(&stage(10, 1.25, 0.1)),
            StageOne::Continue {
                total: 14,
                capped: false
            }
        );
        assert!(matches!(
            b.stage_one(&stage(10, 1.2, 0.1)),
            StageOne::Fail(Some(_))
        ));
        assert!(matches!(
            b.stage_one(&stage(10, 1.0, 0.1)),
            StageOne::Pass(_)
        ));
        let capped = TwoStagePlan {
            max_total: 20,
            ..unblinded
        };
        let c = PreparedTwoStage::new(&capped, 10, equivalence());
        assert_eq!(
            c.stage_one(&stage(10, 1.0, 0.4)),
            StageOne::Continue {
                total: 20,
                capped: true
            }
        );
    }
}
