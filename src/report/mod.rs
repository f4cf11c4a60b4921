//! Turning a run's [`Summary`](crate::engine::Summary) into a [`RunReport`] with Monte Carlo errors, and writing it to
//! the results folder as JSON, CSV, Markdown, SVG figures and a self-contained HTML page. The only writer of `results/`; every file is
//! written to a temporary name and renamed, so an existing result is never half-overwritten.

pub mod build;
pub mod check;
pub mod csv_export;
pub mod export;
pub mod figures;
pub mod html;
pub mod markdown;
pub mod plot;
pub mod reproduce;
pub mod sweep;
pub mod sweep_result;
pub mod text;

pub use build::{build_report, RunMetadata};

use crate::config::ConfigFile;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A proportion with its Monte Carlo standard error and Wilson 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Proportion {
    /// Estimated probability.
    pub estimate: f64,
    /// Monte Carlo standard error sqrt(p(1-p)/R).
    pub se: f64,
    /// Wilson 95% interval, lower end.
    pub ci_low: f64,
    /// Wilson 95% interval, upper end.
    pub ci_high: f64,
}

impl Proportion {
    /// 0 out of 1, for reports written before a field existed.
    pub fn zero() -> Proportion {
        Proportion::new(0, 1)
    }

    /// `hits` out of `trials` (trials > 0).
    pub fn new(hits: u64, trials: u64) -> Proportion {
        let n = trials.max(1) as f64;
        let p = hits as f64 / n;
        let z = crate::numerics::Z_95;
        let z2 = z * z;
        let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
        let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
        // At 0 and at all hits the Wilson interval ends exactly at 0 and 1; the formula's
        // rounding would give 1e-19 and 0.9999999999999998.
        Proportion {
            estimate: p,
            se: (p * (1.0 - p) / n).sqrt(),
            ci_low: if hits == 0 {
                0.0
            } else {
                (centre - half).max(0.0)
            },
            ci_high: if hits >= trials {
                1.0
            } else {
                (centre + half).min(1.0)
            },
        }
    }
}

/// A mean with its Monte Carlo standard error; `None` when nothing was averaged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Mean {
    /// The mean.
    pub estimate: f64,
    /// Its Monte Carlo standard error.
    pub se: f64,
}

/// Tool identity, for reproducibility.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolInfo {
    /// "crossover-sim".
    pub name: String,
    /// Crate version.
    pub version: String,
}

impl ToolInfo {
    /// This build's name and version, as every output records them.
    pub fn current() -> ToolInfo {
        ToolInfo {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// The primary analysis's headline figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrimaryReport {
    /// Analysis name.
    pub analysis: String,
    /// Probability of rejecting H0 at any look (type I error when the config is a null).
    pub power: Proportion,
    /// Trials on which the primary analysis could not be computed at the stopping look.
    pub not_analyzable: u64,
    /// The effect the config implies (population average T - R, before rounding and clamping).
    pub true_value: Option<f64>,
    /// Mean estimate at the stop over all analysable trials.
    pub mean_estimate_at_stop: Option<f64>,
    /// Its Monte Carlo SE.
    pub mean_estimate_at_stop_se: Option<f64>,
    /// Mean estimate among trials stopped before the last look.
    pub mean_estimate_early_stopped: Option<f64>,
    /// Its Monte Carlo SE.
    pub mean_estimate_early_stopped_se: Option<f64>,
    /// Mean effect size (d_z for paired analyses) at the stop, over analysable trials.
    pub mean_effect_size_at_stop: Option<f64>,
    /// Mean effect size among trials stopped before the last look.
    pub mean_effect_size_early_stopped: Option<f64>,
    /// Trials stopped before the last look.
    pub early_stopped: u64,
    /// The hypothesis tested, in words.
    #[serde(default)]
    pub hypothesis: String,
    /// Rejections with the estimate favouring the test condition (contrast > 0), as a share of
    /// all trials; with `rejected_favouring_reference` it splits `power`.
    #[serde(default = "Proportion::zero")]
    pub rejected_favouring_test: Proportion,
    /// Rejections with the estimate favouring the reference (contrast < 0).
    #[serde(default = "Proportion::zero")]
    pub rejected_favouring_reference: Proportion,
    /// The confidence interval matching the test (1 - alpha two-sided, 1 - 2 alpha otherwise),
    /// averaged over trials: mean lower and upper limits on the analysis scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_interval: Option<Interval>,
    /// For ratio endpoints: the estimates back-transformed to the ratio scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio: Option<RatioReport>,
    /// Why a missing value is missing.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub missing: BTreeMap<String, String>,
}

/// The analytic fast path's answer for the configured design.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClosedFormReport {
    /// Exact power (type I error under the null) of the primary hypothesis.
    pub power: Option<f64>,
    /// Standard error of the contrast estimate in the formula.
    pub standard_error: Option<f64>,
    /// Residual degrees of freedom in the formula.
    pub df: Option<f64>,
    /// The method, or why the design has no closed form.
    pub note: String,
    /// Bioequivalence on a ratio endpoint with exact power: the exact power by true ratio
    /// (T/R), all else as configured, from the lower limit less 0.05 to the upper limit plus
    /// 0.05 (empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub power_curve: Vec<PowerCurvePoint>,
    /// Why a missing value is missing.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub missing: BTreeMap<String, String>,
}

/// One point of the exact power curve of a bioequivalence design.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PowerCurvePoint {
    /// The true ratio T/R.
    pub true_ratio: f64,
    /// The exact power at it (the type I error at a limit).
    pub power: f64,
}

/// A two-stage design's operating characteristics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TwoStageReport {
    /// The method's config name.
    pub method: String,
    /// The method's steps in words.
    pub steps: String,
    /// Probability of success: passing (bioequivalence) or rejecting H0, at either stage.
    pub p_success: Proportion,
    /// Stopped after stage 1, passing.
    pub p_stop_stage1_pass: Proportion,
    /// Stopped after stage 1, failing (stage 1 powered but not passing, or not analysable).
    pub p_stop_stage1_fail: Proportion,
    /// Stopped after stage 1 because the required stage 2 exceeded adaptive.max_stage2.
    pub p_stop_stage1_futility: Proportion,
    /// Went on to stage 2.
    pub p_stage2: Proportion,
    /// Passed after stage 2 (share of all trials).
    pub p_pass_stage2: Proportion,
    /// The distribution of the total N enrolled.
    pub total_enrolled: TotalEnrolledReport,
    /// The final estimates of the trials, against the truth (absent when no trial had one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_estimate: Option<FinalEstimatesReport>,
    /// Several test formulations against one reference: the alpha each comparison is decided
    /// and powered at (adaptive.alpha / m under Bonferroni, adaptive.alpha under none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison_alpha: Option<f64>,
    /// Several test formulations: each comparison's success and paths (empty with one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comparisons: Vec<FormulationReport>,
    /// Several test formulations: probability that at least one succeeds (the familywise
    /// error under the global null).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least_one: Option<Proportion>,
    /// Several test formulations: probability that every one succeeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<Proportion>,
}

/// One comparison (a test formulation against the reference) of a two-stage design with
/// several: its success, split by the stage it passed at, and how it was closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormulationReport {
    /// The contrast, e.g. `T1 - R`.
    pub name: String,
    /// Probability of success (pass at stage 1 or in the pooled analysis).
    pub success: Proportion,
    /// Passed at stage 1.
    pub success_stage1: Proportion,
    /// Passed in the pooled analysis after stage 2.
    pub success_stage2: Proportion,
    /// Failed at stage 1 with the target power (or not analysable).
    pub fail_stage1: Proportion,
    /// Futile at stage 1 (its stage 2 would exceed adaptive.max_stage2).
    pub futile: Proportion,
    /// Went on to the pooled analysis.
    pub stage2: Proportion,
}

/// The final estimates of a two-stage design's trials: the stage-1 estimate at a stage-1 stop,
/// otherwise the pooled one with a stage term (naive), and for the inverse-normal method the
/// median-unbiased one, with their bias against the true effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinalEstimatesReport {
    /// The true effect on the analysis scale (ln of the true GMR for ratio endpoints).
    pub true_effect: f64,
    /// The true ratio (ratio endpoints).
    pub true_ratio: Option<f64>,
    /// The naive estimate.
    pub naive: EstimateDistribution,
    /// Inverse normal: the median-unbiased estimate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_unbiased: Option<EstimateDistribution>,
}

/// The distribution of one kind of final estimate over the trials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateDistribution {
    /// Trials with the estimate.
    pub trials: u64,
    /// Mean estimate on the analysis scale (ln ratio for ratio endpoints).
    pub mean: f64,
    /// Its SD across trials.
    pub sd: f64,
    /// Mean minus the true effect.
    pub bias: f64,
    /// The bias's Monte Carlo SE, SD / sqrt(trials).
    pub bias_se: f64,
    /// Ratio endpoints: mean of the estimated ratio exp(estimate).
    pub mean_ratio: Option<f64>,
    /// Ratio endpoints: its SD across trials.
    pub sd_ratio: Option<f64>,
    /// Ratio endpoints: mean ratio minus the true ratio.
    pub bias_ratio: Option<f64>,
}

/// The distribution of a two-stage design's total N.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TotalEnrolledReport {
    /// Mean total N.
    pub mean: f64,
    /// Its Monte Carlo SE.
    pub se: f64,
    /// 5% quantile.
    pub p05: usize,
    /// Median.
    pub p50: usize,
    /// 95% quantile.
    pub p95: usize,
    /// Largest total N reached.
    pub max: usize,
    /// Probability that stage 2 was capped at the maximum total N.
    pub p_at_cap: Proportion,
}

/// A confidence interval averaged over simulated trials.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Confidence level, e.g. 0.90.
    pub level: f64,
    /// Mean lower limit.
    pub lower: f64,
    /// Mean upper limit.
    pub upper: f64,
}

/// A log-scale contrast back-transformed to a ratio (test / reference).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RatioReport {
    /// The true ratio the config implies, exp(true log contrast).
    pub true_ratio: f64,
    /// exp(mean log estimate): the geometric mean of the estimated ratios.
    pub geometric_mean_ratio: Option<f64>,
    /// exp of the mean confidence limits: the geometric means of the limits.
    pub interval: Option<Interval>,
}

/// One analysis's operating characteristics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisReport {
    /// "primary" or "secondary".
    pub role: String,
    /// Level of its decisions (the final look's nominal level for the primary): two-sided for a
    /// two-sided hypothesis, of each one-sided test otherwise.
    pub level: f64,
    /// Its hypothesis, in words.
    #[serde(default)]
    pub hypothesis: String,
    /// The contrast it estimates and tests (the primary contrast; absent for the carryover
    /// diagnostic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contrast: Option<String>,
    /// Share of all trials on which it rejected (not analyzable counts as not rejected).
    pub rejection_rate: Proportion,
    /// Trials on which it was computed.
    pub analyzed: u64,
    /// Trials on which it could not be computed.
    pub not_analyzable: u64,
    /// Not-analyzable counts by reason.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub not_analyzable_reasons: BTreeMap<String, u64>,
    /// Mean estimate over analysed trials.
    pub mean_estimate: Option<f64>,
    /// Its Monte Carlo SE.
    pub mean_estimate_se: Option<f64>,
    /// The value the estimate targets, implied by the config.
    pub true_value: Option<f64>,
    /// Mean of the per-trial standard errors.
    pub mean_standard_error: Option<f64>,
    /// Mean effect size (d_z for paired analyses).
    pub mean_effect_size: Option<f64>,
    /// Why a missing value is missing.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub missing: BTreeMap<String, String>,
}

/// One primary contrast of the design (all of them when several are tested together).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContrastReport {
    /// Its name, e.g. "B - A" or a weighted contrast's own name.
    pub name: String,
    /// Its weights by condition (conditions with weight 0 left out).
    pub weights: BTreeMap<String, f64>,
    /// The population value the config implies (the log ratio for ratio endpoints).
    pub true_value: f64,
    /// Whether the true value lies in the hypothesis's H0 (its rejection is a type I error).
    pub under_null: bool,
    /// Share of trials on which the primary analysis rejected it, after the multiplicity
    /// adjustment (its power, or its type I error under H0).
    pub rejection_rate: Proportion,
    /// Mean estimate over analysed trials.
    pub mean_estimate: Option<f64>,
    /// Its Monte Carlo SE.
    pub mean_estimate_se: Option<f64>,
    /// The confidence interval that goes with the decisions, averaged over trials
    /// (Bonferroni: the adjusted level; otherwise the unadjusted level).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_interval: Option<Interval>,
    /// Exact power at the level the procedure gives this contrast, where the design has a
    /// closed form.
    pub exact_power: Option<f64>,
    /// The linear model's variance factor v for the balanced complete design: the estimate's
    /// variance is sigma_w^2 v / N.
    pub variance_factor: Option<f64>,
    /// The linear model's residual df with `design.enrolled` participants, all periods observed.
    pub df: Option<f64>,
    /// Why a missing value is missing.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub missing: BTreeMap<String, String>,
}

/// Joint operating characteristics of several primary contrasts tested together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyReport {
    /// The procedure's config name: none, bonferroni, holm or hierarchical.
    pub multiplicity: String,
    /// The procedure in words.
    pub procedure: String,
    /// Probability of rejecting at least one contrast.
    pub p_any_rejected: Proportion,
    /// Probability of rejecting every contrast.
    pub p_all_rejected: Proportion,
    /// Mean number of contrasts rejected.
    pub mean_rejections: f64,
    /// The contrasts whose true value lies in H0.
    pub true_nulls: Vec<String>,
    /// Probability of rejecting at least one true-null contrast (None when no contrast is a
    /// true null).
    pub familywise_error: Option<Proportion>,
}

/// One interim or final look.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LookReport {
    /// 1-based look number.
    pub look: usize,
    /// Participants enrolled at the look.
    pub enrolled: usize,
    /// Information fraction n_k / N.
    pub information_rate: f64,
    /// Efficacy critical value on the z scale.
    pub critical_z: f64,
    /// Two-sided nominal level used by the primary analysis at this look.
    pub nominal_level: f64,
    /// Cumulative alpha spent through this look (design value).
    pub cumulative_alpha: f64,
    /// Futility bound on |z| (None: no futility rule at this look).
    pub futility_z: Option<f64>,
    /// Probability of stopping here for efficacy.
    pub p_stop_efficacy: f64,
    /// Its Monte Carlo SE.
    pub p_stop_efficacy_se: f64,
    /// Probability of stopping here for futility.
    pub p_stop_futility: f64,
    /// Its Monte Carlo SE.
    pub p_stop_futility_se: f64,
    /// Probability of stopping here for harm.
    pub p_stop_harm: f64,
    /// Its Monte Carlo SE.
    pub p_stop_harm_se: f64,
    /// Mean primary estimate among trials that stopped at this look.
    pub mean_estimate_at_stop: Option<f64>,
}

/// A bioequivalence rule's pass rate and its components, each over all replicates with its
/// Monte Carlo SE, and the distributions of the estimated CVwR and of the applied limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BioequivalenceReport {
    /// The rule's name (`bioequivalence.rule`).
    pub rule: String,
    /// With several PK metrics: the metric this section describes (the first; the others are
    /// in `metrics`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    /// The rule in words.
    pub title: String,
    /// Where it is defined.
    pub source: String,
    /// How it estimates (`anova`: EMA method A; `isc`: intra-participant contrasts).
    pub estimation: String,
    /// Its constants in words.
    pub constants: String,
    /// The level of each one-sided test.
    pub alpha: f64,
    /// The true CVwR.
    pub true_cv_reference: f64,
    /// The limits the true CVwR implies (ratio scale).
    pub true_limits: [f64; 2],
    /// Bioequivalent under the whole rule (the primary's power or type I error).
    pub bioequivalent: Proportion,
    /// The widened-limit or scaled criterion alone (average bioequivalence where the rule did
    /// not scale).
    pub criterion: Proportion,
    /// The point estimate within the average-bioequivalence limits.
    pub point_estimate: Proportion,
    /// Average bioequivalence alone.
    pub average: Proportion,
    /// The variability ratio within its bound (NTID rules).
    pub variability_ratio: Option<Proportion>,
    /// The rule scaled (the estimated CVwR above its switch).
    pub scaled: Proportion,
    /// Trials the rule could not decide (no df).
    pub not_decided: u64,
    /// The estimated CVwR over the decided trials.
    pub cv_reference: DistributionReport,
    /// The applied upper limit (widened, implied or 1.25) over the decided trials.
    pub upper_limit: DistributionReport,
}

/// A trial that measures several PK metrics and passes when every metric passes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricsReport {
    /// Every metric passed (the primary's power or type I error).
    pub all_pass: Proportion,
    /// Each metric, the first (`[log_normal]`'s) first.
    pub metrics: Vec<MetricReport>,
}

/// Assessments over days within each period: the fixed sequence of days and the trajectories.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeCourseReport {
    /// The assessment days (0 first, then the primary day).
    pub days: Vec<u32>,
    /// The primary day.
    pub primary_day: u32,
    /// One row per post-baseline day, the primary day first.
    pub tests: Vec<DayTestReport>,
    /// Mean and SD of the scores of each day under each condition, over every observed period
    /// of every simulated participant (day-major).
    pub trajectory: Vec<TrajectoryPoint>,
    /// With a relapse-gated crossover: who entered period 2, when, and the completers' bias.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relapse: Option<RelapseReport>,
}

/// A relapse-gated crossover, simulated beside its closed form, over each trial's planned
/// enrollment (whether or not it stopped early: the stopping look depends on the completers'
/// estimate, which would mix the stopping rule's bias into the gate's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelapseReport {
    /// P(entering period 2 | treated in period 1), simulated over participants.
    pub p_enter: Proportion,
    /// Its closed form.
    pub p_enter_closed_form: f64,
    /// The interval between the periods at each eligible visit.
    pub intervals: Vec<IntervalRow>,
    /// The mean interval among participants entering period 2, simulated and closed form.
    pub mean_interval: Option<f64>,
    /// Its closed form.
    pub mean_interval_closed_form: Option<f64>,
    /// The SD of the interval across participants, simulated.
    pub sd_interval: Option<f64>,
    /// Its closed form.
    pub sd_interval_closed_form: Option<f64>,
    /// The mean over trials of a trial's shortest interval (the low end of the range a trial
    /// reports).
    pub mean_shortest_interval: Option<f64>,
    /// The mean over trials of a trial's longest interval.
    pub mean_longest_interval: Option<f64>,
    /// Trials with at least one participant completing both periods (the rest have no interval
    /// and no completers' estimate).
    pub completed_trials: u64,
    /// The completers' mean test-minus-reference change, averaged over trials.
    pub completers_mean_difference: Option<f64>,
    /// Its closed form, E[difference | entering period 2], where derived (no rating scale, no
    /// period effect or carryover); the population's is the report's `true_effect`.
    pub completers_mean_difference_closed_form: Option<f64>,
    /// Every participant's (the same trials, both periods as drawn whether observed or not).
    pub everyone_mean_difference: Option<f64>,
    /// The completers' less every participant's: the bias of analysing completers.
    pub completers_bias: Option<f64>,
    /// Its Monte Carlo standard error.
    pub completers_bias_se: Option<f64>,
}

/// One eligible visit of a relapse-gated crossover.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntervalRow {
    /// The visit (days after period 1).
    pub day: u32,
    /// The share of participants entering period 2 who entered on it, simulated.
    pub simulated: Option<f64>,
    /// Its closed form.
    pub closed_form: f64,
    /// Participants entering period 2 on it, over all trials.
    pub participants: u64,
}

/// One post-baseline day's test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayTestReport {
    /// The day.
    pub day: u32,
    /// It and every earlier day (the primary first) rejected: the probability of reaching and
    /// rejecting it in the fixed sequence.
    pub rejected_in_sequence: Proportion,
    /// It rejected, whatever the earlier days did.
    pub rejected: Proportion,
    /// Mean estimate (test minus reference change from day 0) over the analysed trials.
    pub mean_estimate: Option<f64>,
    /// Mean standard error over the analysed trials.
    pub mean_standard_error: Option<f64>,
    /// Trials in which the day could be analysed.
    pub analysed_trials: u64,
}

/// The scores of one day under one condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrajectoryPoint {
    /// The day.
    pub day: u32,
    /// The condition.
    pub condition: String,
    /// Scores observed, over all replicates.
    pub scores: u64,
    /// Their mean (the change from day 0 without a baseline).
    pub mean: Option<f64>,
    /// Their SD across participants (the band of the trajectory plot).
    pub sd: Option<f64>,
}

/// One PK metric of a trial that measures several.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricReport {
    /// The metric's name.
    pub name: String,
    /// Its true ratio of the primary contrast.
    pub true_ratio: f64,
    /// Its true within-participant CV of the reference.
    pub true_cv_reference: f64,
    /// What decides it: a rule's name, or `hypothesis` (`analysis.hypothesis`).
    pub decided_by: String,
    /// Whether its true ratio lies in its null.
    pub under_null: bool,
    /// It passed (over all replicates).
    pub passed: Proportion,
    /// Its rule scaled, if a scaled rule decides it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaled: Option<Proportion>,
    /// exp of the mean estimated log ratio over the analysed trials.
    pub mean_ratio: Option<f64>,
    /// Mean 90% (the test's level) confidence limits of the ratio.
    pub mean_interval: Option<[f64; 2]>,
    /// The correlation of its estimate with the first metric's across the simulated trials.
    pub correlation_with_first: Option<f64>,
    /// The correlation the model implies, where derived.
    pub expected_correlation: Option<f64>,
}

/// Mean, SD and quantiles of a reported quantity over the simulated trials (quantiles at the
/// resolution of the tally's bins).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DistributionReport {
    /// Mean.
    pub mean: f64,
    /// Standard deviation across trials.
    pub sd: f64,
    /// 5% quantile.
    pub p05: f64,
    /// Median.
    pub p50: f64,
    /// 95% quantile.
    pub p95: f64,
}

/// Counts of participants.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CountReport {
    /// Mean over trials.
    pub mean: f64,
    /// Monte Carlo SE of the mean.
    pub se: f64,
}

/// Quantiles of a count distribution (the smallest count whose CDF reaches q).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quantiles {
    /// 5%.
    pub p05: u64,
    /// 25%.
    pub p25: u64,
    /// 50%.
    pub p50: u64,
    /// 75%.
    pub p75: u64,
    /// 95%.
    pub p95: u64,
}

/// Completers who responded under the reference condition, at the stop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RespondersReport {
    /// Mean count.
    pub mean: f64,
    /// Its Monte Carlo SE.
    pub se: f64,
    /// Quantiles of the count.
    pub quantiles: Quantiles,
    /// The target count.
    pub target: usize,
    /// Probability of at least `target` responders.
    pub p_at_least_target: f64,
    /// Its Monte Carlo SE.
    pub p_at_least_target_se: f64,
    /// Probability of each count 0..=N.
    pub distribution: Vec<f64>,
}

/// Adverse-event rates per treated period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdverseEventReport {
    /// Event name.
    pub name: String,
    /// Rate per condition (events / participants treated with it).
    pub rate: BTreeMap<String, Proportion>,
}

/// Everything a run reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// Tool identity.
    pub tool: ToolInfo,
    /// Config name.
    pub name: String,
    /// Config description.
    pub description: String,
    /// Config path as given.
    pub config_file: String,
    /// The `--set` arguments applied, as given and in order.
    pub overrides: Vec<String>,
    /// The command that reproduces this result (same folder, same version).
    pub command: String,
    /// Master seed.
    pub seed: u64,
    /// Replicates simulated.
    pub replicates: u64,
    /// Worker threads used (does not affect results); for a merge, the most any shard used.
    pub threads: usize,
    /// Wall time of the simulation; for a merge, that of the longest shard (the wall time when
    /// the shards run side by side).
    pub elapsed_seconds: f64,
    /// Throughput: replicates / elapsed_seconds.
    pub replicates_per_second: f64,
    /// For a merge: the number of shards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_shards: Option<u64>,
    /// For a merge: the shards' times added up (compute time, not wall time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard_seconds_total: Option<f64>,
    /// Population average of the primary contrast implied by the config (the log ratio for
    /// ratio endpoints).
    pub true_effect: f64,
    /// Whether the true contrast lies in the primary hypothesis's H0 (on a margin for
    /// equivalence and non-inferiority), so that its rejection rate is a type I error.
    #[serde(default)]
    pub under_null: bool,
    /// What the true values are: the population average, or the mean of the analysed changes
    /// on a rating scale computed numerically from the model (rounding and clamping move it).
    #[serde(default)]
    pub true_value_basis: String,
    /// The exact power of the primary hypothesis where the design has a closed form
    /// (balanced, complete, homogeneous normal on the analysis scale), else why not.
    #[serde(default)]
    pub closed_form: ClosedFormReport,
    /// A two-stage design's paths and total N (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub two_stage: Option<TwoStageReport>,
    /// A bioequivalence rule's decisions and components (absent without `[bioequivalence]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bioequivalence: Option<BioequivalenceReport>,
    /// With several PK metrics: each metric's pass rate and estimates (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<MetricsReport>,
    /// With assessments over days (`[time_course]`): each day's rejection rates within the
    /// fixed sequence and alone, its mean estimate, and the trajectories (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_course: Option<TimeCourseReport>,
    /// The design's sequences, e.g. ["ABC", "BCA", "CAB"].
    #[serde(default)]
    pub sequences: Vec<String>,
    /// Every primary contrast, in priority order (the first is the one `primary` reports).
    #[serde(default)]
    pub contrasts: Vec<ContrastReport>,
    /// With several primary contrasts: their joint rejections and familywise error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<FamilyReport>,
    /// Primary analysis.
    pub primary: PrimaryReport,
    /// Every analysis run, by name.
    pub analyses: BTreeMap<String, AnalysisReport>,
    /// Each look.
    pub looks: Vec<LookReport>,
    /// Expected enrollment at the stop.
    pub expected_enrolled: CountReport,
    /// Completers at the stop.
    pub completers: CountReport,
    /// Responders under the reference condition at the stop (None without a baseline).
    pub responders: Option<RespondersReport>,
    /// Adverse events (None without an `[adverse_events]` section).
    pub adverse_events: Option<AdverseEventReport>,
    /// The config as run, with every default filled in.
    pub config: ConfigFile,
    /// The fixed design's critical z of the primary test at `analysis.alpha`, from the
    /// design's facts: the reference line of the boundary plot. Not written to summary.json
    /// (whose looks carry the boundaries), so a report read back from it has none and its
    /// boundary plot no reference line.
    #[serde(skip)]
    pub fixed_critical_z: Option<f64>,
}

impl RunReport {
    /// Whether the config is a null (the true contrast lies in H0, e.g. at an equivalence
    /// margin), so that its rejection rate is a type I error rather than power.
    pub fn is_null(&self) -> bool {
        self.under_null
    }

    /// A warning when the primary analysis could not be computed in most trials (or in none):
    /// its rate would otherwise read as a finding about the test.
    pub fn primary_warning(&self) -> Option<String> {
        let p = &self.primary;
        if self.replicates == 0 || p.not_analyzable * 2 <= self.replicates {
            return None;
        }
        let reasons = self
            .analyses
            .get(&p.analysis)
            .map(|a| {
                a.not_analyzable_reasons
                    .iter()
                    .filter(|(_, n)| **n > 0)
                    .map(|(why, n)| format!("{why}: {n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .filter(|r| !r.is_empty())
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        let advice =
            "enroll more participants (design.enrolled) or choose an analysis the design supports";
        Some(if p.not_analyzable == self.replicates {
            format!(
                "{}: the primary analysis {} could not be computed in any of the {} trials{reasons}, so its {} of 0 means that no trial could be analysed, not that the test has no power; {advice}",
                self.name,
                p.analysis,
                self.replicates,
                self.rate_label()
            )
        } else {
            format!(
                "{}: the primary analysis {} could not be computed in {} of the {} trials{reasons}; they count as not rejected, so its {} mostly reflects trials that could not be analysed; {advice}",
                self.name,
                p.analysis,
                p.not_analyzable,
                self.replicates,
                self.rate_label()
            )
        })
    }

    /// "type I error" for a null config, "power" otherwise.
    pub fn rate_label(&self) -> &'static str {
        if self.is_null() {
            "type I error"
        } else {
            "power"
        }
    }

    /// Whether `completers` counts participants who completed every period: a design of two
    /// periods whose every sequence gives both conditions. Otherwise (Balaam's AA and BB, three or
    /// more periods) it counts the participants observed under both T and R.
    pub fn completers_complete_every_period(&self) -> bool {
        !self.sequences.is_empty()
            && self.sequences.iter().all(|q| {
                let c: Vec<char> = q.chars().collect();
                c.len() == 2 && c[0] != c[1]
            })
    }

    /// What `completers` counts, in words ("completers" or "participants observed under both
    /// T and R").
    pub fn completers_label(&self) -> &'static str {
        if self.completers_complete_every_period() {
            "completers"
        } else {
            "participants observed under both T and R"
        }
    }

    /// The timing line of the reports: one run, or the shards of a merge.
    pub fn timing(&self) -> String {
        match (self.merged_shards, self.shard_seconds_total) {
            (Some(n), Some(total)) => format!(
                "merged from {n} shards: {:.2} s for the longest shard, {total:.2} s in all, {} threads at most per shard",
                self.elapsed_seconds, self.threads
            ),
            _ => format!(
                "{:.2} s, {:.0} replicates/s on {} threads",
                self.elapsed_seconds, self.replicates_per_second, self.threads
            ),
        }
    }

    /// Probability of stopping before the last look, for any reason.
    pub fn p_stop_early(&self) -> f64 {
        self.stopped_early().estimate
    }

    /// The share of trials that stopped before the last look, for any reason, with its SE and
    /// Wilson interval. Counted from the looks' stop counts rather than by adding their
    /// proportions, whose rounding would show (0.25639999999999996 for 0.2564).
    /// A two-stage design's early stop is its stop after stage 1 (passing, failing or futile).
    pub fn stopped_early(&self) -> Proportion {
        let n = self.replicates;
        let count = |p: f64| (p * n as f64).round().max(0.0) as u64;
        if let Some(ts) = &self.two_stage {
            let stopped = count(ts.p_stop_stage1_pass.estimate)
                + count(ts.p_stop_stage1_fail.estimate)
                + count(ts.p_stop_stage1_futility.estimate);
            return Proportion::new(stopped.min(n), n);
        }
        let stopped: u64 = self.looks[..self.looks.len().saturating_sub(1)]
            .iter()
            .map(|l| count(l.p_stop_efficacy) + count(l.p_stop_futility) + count(l.p_stop_harm))
            .sum();
        Proportion::new(stopped.min(n), n)
    }
}

/// Errors writing results.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The results folder cannot be created or written.
    #[error("cannot write results to {path}: {source}")]
    Io {
        /// The path involved.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Serialization failed.
    #[error("cannot serialize {what}: {message}")]
    Serialize {
        /// What was being serialized.
        what: String,
        /// The serializer's message.
        message: String,
    },
}

fn io_error(path: &Path, source: std::io::Error) -> ReportError {
    ReportError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Checks that files can be written in `out/name` before any simulation time is spent: the
/// folder is created and a file written and removed there. Folders this check created are
/// removed again, so a run that is interrupted or fails before writing leaves no empty folder
/// behind; [`write_atomic`] creates the folder when the results are written.
pub fn prepare_dir(out: &Path, name: &str) -> Result<PathBuf, ReportError> {
    let dir = out.join(name);
    // The folders that do not exist yet, deepest first.
    let created: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
        .map(Path::to_path_buf)
        .collect();
    let check = (|| {
        let probe = dir.join(format!(".write-test-{}", std::process::id()));
        // Shards started together check the same new folder: another process may remove the
        // empty folder it created between our creating it and writing the probe, so a
        // vanished folder is created again (a few times) before it counts as unwritable.
        let mut attempts = 0;
        loop {
            std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
            match std::fs::write(&probe, b"ok") {
                Ok(()) => break,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && attempts < 10 => {
                    attempts += 1;
                }
                Err(e) => return Err(io_error(&probe, e)),
            }
        }
        std::fs::remove_file(&probe).map_err(|e| io_error(&probe, e))
    })();
    for folder in &created {
        // Only empty folders are removed: anything another process wrote there stays.
        let _ = std::fs::remove_dir(folder);
    }
    check.map(|()| dir)
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    if !dir.as_os_str().is_empty() {
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    }
    let file_name = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_string());
    let tmp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_error(path, e));
    }
    Ok(())
}

/// Renders every exporter's file from `value`, then writes each into `dir` atomically, in the
/// exporters' order; returns the paths written. Nothing is written when a file cannot be
/// rendered, and a file written is never lost: a later failure leaves it in place.
pub fn write_files<T: ?Sized>(
    dir: &Path,
    value: &T,
    exporters: &[Box<dyn export::Exporter<T>>],
) -> Result<Vec<PathBuf>, ReportError> {
    let files = exporters
        .iter()
        .map(|e| Ok((e.file_name().to_string(), e.render(value)?)))
        .collect::<Result<Vec<(String, Vec<u8>)>, ReportError>>()?;
    let mut written = Vec::new();
    for (file, bytes) in files {
        let path = dir.join(file);
        write_atomic(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// Writes summary.json, summary.csv, summary.md, the figures (boundaries.svg for a design with
/// interim looks, responders.svg with a responder endpoint) and report.html into `dir`; returns
/// the paths written.
/// Every file is rendered (by [`export::run_exporters`], in that order) before any is written.
pub fn write_all(dir: &Path, report: &RunReport) -> Result<Vec<PathBuf>, ReportError> {
    write_files(dir, report, &export::run_exporters(report))
}

/// The decimals that show a standard error `se` with at least two significant digits (never
/// fewer than `digits`): a log-scale SE of 0.00042 prints as 0.00042, not 0.000.
pub(crate) fn se_digits(se: Option<f64>, digits: usize) -> usize {
    match se {
        Some(v) if v > 0.0 && v.is_finite() => {
            let needed = 1 - v.log10().floor() as i64;
            (needed.max(digits as i64) as usize).min(12)
        }
        _ => digits,
    }
}

/// A missing figure's key (`mean_estimate_early_stopped`, `looks[0].mean_estimate_at_stop`,
/// `adverse_events.rate."T"`) in words, for the notes of summary.md.
pub(crate) fn missing_key_words(key: &str) -> String {
    let known = [
        (
            "mean_estimate_at_stop_se",
            "the SE of the mean estimate at the stop",
        ),
        ("mean_estimate_at_stop", "the mean estimate at the stop"),
        (
            "mean_estimate_early_stopped_se",
            "the SE of the mean estimate of trials stopped early",
        ),
        (
            "mean_estimate_early_stopped",
            "the mean estimate of trials stopped early",
        ),
        (
            "mean_effect_size_at_stop",
            "the mean effect size at the stop",
        ),
        (
            "mean_effect_size_early_stopped",
            "the mean effect size of trials stopped early",
        ),
        ("mean_estimate_se", "the SE of the mean estimate"),
        ("mean_estimate", "the mean estimate"),
        ("mean_standard_error", "the mean standard error"),
        ("mean_effect_size", "the mean effect size"),
        ("true_value", "the true value"),
        ("exact_power", "the exact power"),
        ("variance_factor", "the variance factor v"),
        ("df", "the residual df"),
    ];
    if let Some((_, words)) = known.iter().find(|(k, _)| *k == key) {
        return words.to_string();
    }
    if let Some(rest) = key.strip_prefix("looks[") {
        if let Some((k, field)) = rest.split_once("].") {
            let look = k.parse::<usize>().map(|k| k + 1).unwrap_or(0);
            return format!("{} at look {look}", missing_key_words(field));
        }
    }
    if let Some(condition) = key.strip_prefix("adverse_events.rate.") {
        return format!("the adverse-event rate under {condition}");
    }
    key.replace('_', " ")
}

/// Formats an optional number for text output.
pub(crate) fn fmt_opt(x: Option<f64>, digits: usize) -> String {
    match x {
        Some(v) => format!("{v:.digits$}"),
        None => "—".to_string(),
    }
}
