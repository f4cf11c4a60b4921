//! The serde mirror of a crossover-sim TOML config: field names, defaults, and how the config
//! spells the names of domain types that cannot spell themselves (the boundary families of
//! `sequential.efficacy`); nothing else.
//!
//! Every struct rejects unknown keys. Defaults live here so that the resolved
//! config written into the results carries them explicitly. Domain types whose TOML spelling is
//! their own deserialize themselves (`AnalysisName`, `Better`, `Multiplicity`, the two-stage
//! `Method` and `PowerMethod`). Validation and the conversion into domain types live in
//! `validate/`.

pub use crate::analysis::AnalysisName;
use crate::inference::Better;
use crate::sequential::boundaries::BoundaryFamily;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// A whole config file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Short name; results go to `<out>/<name>/`.
    pub name: String,
    /// Free text describing the design.
    #[serde(default)]
    pub description: String,
    /// Conditions, sequences, sample size and randomization.
    pub design: DesignSection,
    /// The population the participants are drawn from (a normal endpoint on its own scale).
    /// Exactly one of `[population]` and `[log_normal]` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<PopulationSection>,
    /// A ratio endpoint (AUC, Cmax): simulated and analysed on the log scale, reported as
    /// ratios.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_normal: Option<LogNormalSection>,
    /// Period effects and first-order carryover.
    #[serde(default)]
    pub effects: EffectsSection,
    /// Withdrawal before the first period and discontinuation after it.
    #[serde(default)]
    pub dropout: DropoutSection,
    /// The adverse event monitored for harm.
    #[serde(default)]
    pub adverse_events: Option<AdverseEventsSection>,
    /// Responder and remission definitions. Absent means no responder endpoint: nothing about
    /// responders is reported (it is filled with its defaults when an analysis needs it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseSection>,
    /// Primary and secondary analyses and the significance level.
    pub analysis: AnalysisSection,
    /// Interim looks and stopping rules; absent means a fixed design.
    #[serde(default)]
    pub sequential: Option<SequentialSection>,
    /// A two-stage design with sample-size re-estimation (stage 1: `design.enrolled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adaptive: Option<AdaptiveSection>,
    /// A bioequivalence decision rule (average, or reference-scaled for highly variable and
    /// narrow-therapeutic-index drugs) deciding the primary contrast.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bioequivalence: Option<BioequivalenceSection>,
    /// Assessments on several days within each period (day 0 before the treatment, then the
    /// primary day and later days tested in a fixed sequence); absent means one post-treatment
    /// assessment per period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_course: Option<TimeCourseSection>,
    /// Replicate count and seed.
    #[serde(default)]
    pub simulation: SimulationSection,
}

/// `[time_course]`: the assessment days of each period and how the change moves over them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TimeCourseSection {
    /// Assessment days in increasing order: 0 (the period's pre-treatment score), the primary
    /// day, then the later days, e.g. [0, 1, 3, 5, 7, 14].
    pub days: Vec<i64>,
    /// The day every analysis reads (the first day after 0).
    pub primary_day: i64,
    /// Correlation of the standardized changes of two post-baseline days d and e of one period,
    /// exp(-|d - e| / range). Exactly one of `correlation_range` and `correlation` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_range: Option<f64>,
    /// The full correlation matrix of the post-baseline days' standardized changes (rows in
    /// the order of `days` without day 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation: Option<Vec<Vec<f64>>>,
    /// Probability that a later day's score is missing, one per day after the primary day
    /// (default none missing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<Vec<f64>>,
    /// Per latent class (by name) and condition, the change on each post-baseline day; the
    /// primary day's entry repeats the class's `change`.
    pub change: BTreeMap<String, BTreeMap<String, DayChangeSection>>,
    /// `[time_course.relapse]`: period 2 starts only after relapse (default: always, at once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relapse: Option<RelapseSection>,
}

/// `[time_course.relapse]`: the crossover gated by relapse after period 1.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RelapseSection {
    /// `weibull` or `log_normal`: the family of the time to relapse.
    pub distribution: String,
    /// Days between follow-up visits after period 1 (the seed: 14).
    pub visit_interval_days: i64,
    /// The last day a follow-up visit can fall on (the seed: 120).
    pub max_days: i64,
    /// The shortest interval between the periods (the seed: 14).
    pub min_washout_days: i64,
    /// Per latent class (by name) and period-1 condition, the time to relapse.
    pub time: BTreeMap<String, BTreeMap<String, RelapseTimeSection>>,
}

/// One class's time to relapse after one condition.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RelapseTimeSection {
    /// The median time to relapse in days.
    pub median_days: f64,
    /// The Weibull shape (with `distribution = "weibull"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<f64>,
    /// The log-normal SD of log T (with `distribution = "log_normal"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdlog: Option<f64>,
}

/// The change of one class under one condition on each post-baseline day.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DayChangeSection {
    /// Mean change from day 0, one per post-baseline day.
    pub mean: Vec<f64>,
    /// SD of the change, one per post-baseline day.
    pub sd: Vec<f64>,
}

/// `[bioequivalence]`: the decision rule and its constants; a constant not given takes the
/// regulator's default (the rule table, `inference::scaled::RULES`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BioequivalenceSection {
    /// `abe`, `ema`, `hc`, `gcc`, `fda_rsabe`, `fda_ntid`, `hv_ntid` or `user`.
    pub rule: crate::inference::scaled::RuleName,
    /// Scale when the estimated CVwR exceeds this (EMA, HC, GCC, PowerTOST's FDA switch 0.30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub switch_cv: Option<f64>,
    /// Scale when the estimated swR is at least this (the FDA's text: 0.294).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub switch_swr: Option<f64>,
    /// The CVwR above which the limits stop widening (`inf`: no cap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap_cv: Option<f64>,
    /// The regulatory constant k of exp(k swR) (EMA 0.760), or sqrt(theta) of a scaled
    /// criterion (FDA RSABE ln(1.25)/0.25, NTID ln(1/0.9)/0.10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k: Option<f64>,
    /// Whether the point estimate must lie within `analysis.margins`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pe_constraint: Option<bool>,
    /// The largest upper 90% confidence limit of sigma_wT / sigma_wR (NTID rules: 2.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio_limit: Option<f64>,
    /// `"expanded_limit"`: the test's true GMR is the upper limit that the true CVwR implies for
    /// the rule (its least favourable null: the rate is the type I error); instead of
    /// `log_normal.gmr` for the test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub true_ratio: Option<TrueRatio>,
}

/// `bioequivalence.true_ratio`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TrueRatio {
    /// The upper limit the true CVwR implies for the rule.
    ExpandedLimit,
}

/// `[design]`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DesignSection {
    /// Condition names (2 to 26); the first is the reference unless `reference` names another.
    pub conditions: Vec<String>,
    /// The reference condition's name (default: the first condition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// A named design whose sequences are used (`2x2`, `3x3`, `3x6x3`, `4x4`, `williams`,
    /// `2x2x3`, `2x2x4`, `2x3x3`, `2x4x4`, `2x4x2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// Sequences as letter strings of one common length (A = first condition, B = second,
    /// ...). Default: the preset's, or AB and BA for two conditions.
    #[serde(default)]
    pub sequences: Vec<String>,
    /// Number of participants enrolled (randomized).
    pub enrolled: i64,
    /// How sequences are assigned.
    #[serde(default)]
    pub randomization: RandomizationSection,
}

/// Kind of sequence randomization.
///
/// A mirror of [`crate::model::Randomization`] that stays: the domain's permuted blocks carry
/// their block size, which the config gives in a key of its own (`block_size`, checked against
/// `kind` with messages that name both) and whose default depends on the design's sequences,
/// unknown while the TOML is read. This enum only says which arm validation builds.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RandomizationKind {
    /// Independent equiprobable assignment.
    Simple,
    /// Permuted blocks with an equal number of each sequence per block.
    PermutedBlocks,
}

/// `design.randomization`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RandomizationSection {
    /// `simple` or `permuted_blocks`.
    pub kind: RandomizationKind,
    /// Block size for permuted blocks (a multiple of the number of sequences; default the
    /// smallest multiple that is at least 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_size: Option<i64>,
}

impl Default for RandomizationSection {
    fn default() -> Self {
        RandomizationSection {
            kind: RandomizationKind::PermutedBlocks,
            block_size: None,
        }
    }
}

/// `[population]`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PopulationSection {
    /// Correlation between one participant's latent values under different conditions: one
    /// number (the same for every pair) or the full k x k matrix.
    pub correlation: CorrelationSpec,
    /// SD of the occasion-to-occasion noise of each observation, per condition (default 0).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub within_sd: BTreeMap<String, f64>,
    /// Baseline score distribution (normal truncated to [min, max]); needed for response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineSection>,
    /// Standard deviation of the normal drift of each later period's baseline from the first.
    #[serde(default)]
    pub rebaseline_sd: f64,
    /// Rating scale: scores are clamped to [min, max] and rounded when `integer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<ScaleSection>,
    /// Latent classes (one class = a homogeneous population).
    pub classes: Vec<ClassSection>,
}

/// `population.correlation`: one value for every pair of conditions, or the whole matrix.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(
    untagged,
    expecting = "must be a number (one correlation for every pair of conditions) or the k x k matrix as an array of rows of numbers"
)]
pub enum CorrelationSpec {
    /// Compound symmetry: this correlation between every pair of conditions.
    Common(f64),
    /// The full correlation matrix, rows and columns in condition order.
    Matrix(Vec<Vec<f64>>),
}

/// `[log_normal]`: a ratio endpoint. Each observation is exp(mu_c + b_i + s_ic + e_ij) with
/// mu_c the log geometric mean of condition c, b_i the participant's level (SD from
/// `cv_between`), s_ic the participant-by-condition interaction (SD `interaction_sd`) and e_ij
/// the occasion noise (SD from `cv_within`); period effects and carryover from `[effects]` add
/// on the log scale.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LogNormalSection {
    /// Geometric mean ratio of each condition to the reference (the reference's is 1; missing
    /// conditions 1). Give this or `geometric_mean`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub gmr: BTreeMap<String, f64>,
    /// Geometric mean of each condition (every condition), as an alternative to `gmr`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub geometric_mean: BTreeMap<String, f64>,
    /// Within-participant (occasion-to-occasion) coefficient of variation: one value, or one per
    /// condition. sigma_w = sqrt(ln(1 + CV^2)).
    pub cv_within: CvSpec,
    /// Between-participant coefficient of variation (default 0: it cancels in every
    /// within-participant contrast).
    #[serde(default)]
    pub cv_between: f64,
    /// SD of the participant-by-condition interaction on the log scale (default 0).
    #[serde(default)]
    pub interaction_sd: f64,
    /// The name of the PK metric this section describes (e.g. `"AUC"`); named in the reports
    /// when `metrics` adds others (default `"metric 1"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    /// Further PK metrics measured on every participant in every period (e.g. Cmax beside
    /// AUC), each with its own ratios and CVs; the trial passes when every metric passes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<MetricSection>,
    /// How the metrics' participant levels and occasion noise correlate (needed with `metrics`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_correlation: Option<MetricCorrelationSection>,
}

/// `[[log_normal.metrics]]`: one more PK metric, with the keys of `[log_normal]` for its own
/// ratios and variability.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MetricSection {
    /// The metric's name (e.g. `"Cmax"`).
    pub name: String,
    /// Geometric mean ratio of each condition to the reference (missing conditions 1).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub gmr: BTreeMap<String, f64>,
    /// Geometric mean of each condition, as an alternative to `gmr`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub geometric_mean: BTreeMap<String, f64>,
    /// Within-participant CV: one value, or one per condition.
    pub cv_within: CvSpec,
    /// Between-participant CV (default 0).
    #[serde(default)]
    pub cv_between: f64,
    /// SD of the participant-by-condition interaction on the log scale (default 0).
    #[serde(default)]
    pub interaction_sd: f64,
    /// The rule deciding this metric, if not `[bioequivalence]`'s (e.g. `"abe"` for AUC
    /// beside EMA's widened limits for Cmax), with the regulator's constants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<crate::inference::scaled::RuleName>,
}

/// `log_normal.metric_correlation`: correlations between the metrics (one number for every
/// pair, or the matrix over `[log_normal]`'s metric followed by `metrics` in order).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MetricCorrelationSection {
    /// Between the metrics' participant levels (and interactions), per condition.
    pub between: CorrelationSpec,
    /// Between the metrics' occasion noise in the same period (for a 2x2 this is the
    /// correlation of the metrics' estimated ratios, PowerTOST's `rho` of `power.2TOST`).
    pub within: CorrelationSpec,
}

/// `log_normal.cv_within`: one CV for every condition, or one per condition.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(
    untagged,
    expecting = "must be a coefficient of variation (e.g. 0.3) or a table of one per condition (e.g. { R = 0.3, T = 0.35 })"
)]
pub enum CvSpec {
    /// The same CV for every condition.
    Common(f64),
    /// One CV per condition name.
    PerCondition(BTreeMap<String, f64>),
}

/// `population.baseline`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BaselineSection {
    /// Mean of the untruncated normal.
    pub mean: f64,
    /// Standard deviation of the untruncated normal.
    pub sd: f64,
    /// Entry minimum.
    pub min: f64,
    /// Entry maximum.
    pub max: f64,
}

/// `population.scale`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScaleSection {
    /// Lowest possible score.
    pub min: f64,
    /// Highest possible score.
    pub max: f64,
    /// Whether scores are whole numbers.
    #[serde(default = "default_true")]
    pub integer: bool,
}

fn default_true() -> bool {
    true
}

/// `[[population.classes]]`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ClassSection {
    /// Class name, e.g. "responsive".
    pub name: String,
    /// Probability that a participant belongs to this class.
    pub probability: f64,
    /// Potential change score per condition.
    pub change: BTreeMap<String, ChangeSection>,
}

/// Normal distribution of a potential change score.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChangeSection {
    /// Mean change.
    pub mean: f64,
    /// Standard deviation of the change.
    pub sd: f64,
}

/// `[effects]`
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EffectsSection {
    /// Additive period effects tau_j, one per period (default: all 0).
    #[serde(default)]
    pub period: Vec<f64>,
    /// First-order carryover lambda_c added in a period by the condition of the period before.
    #[serde(default)]
    pub carryover: BTreeMap<String, f64>,
}

/// `[dropout]`
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DropoutSection {
    /// Probability of withdrawal before the first period (no data).
    #[serde(default)]
    pub before_first_period: f64,
    /// Probability of discontinuing after period 1 (period-1 data only).
    #[serde(default)]
    pub after_first_period: f64,
    /// Per-condition-of-period-1 discontinuation probabilities; overrides `after_first_period`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_first_period_by_condition: Option<BTreeMap<String, f64>>,
    /// Probability of discontinuing after each period but the last (one value per period
    /// boundary); replaces `after_first_period` for designs with more than two periods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_period: Option<Vec<f64>>,
    /// The same per condition received in the period just completed; overrides `after_period`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_period_by_condition: Option<BTreeMap<String, Vec<f64>>>,
}

/// `[adverse_events]`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AdverseEventsSection {
    /// Name of the event, e.g. "nausea".
    #[serde(default = "default_ae_name")]
    pub name: String,
    /// Probability of the event per treated period, by condition.
    pub probability: BTreeMap<String, f64>,
}

fn default_ae_name() -> String {
    "adverse event".to_string()
}

/// `[response]`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ResponseSection {
    /// A response is a reduction of at least this fraction of the period baseline.
    #[serde(default = "default_reduction")]
    pub reduction: f64,
    /// Remission: day-1 score at most this value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remission_max: Option<f64>,
    /// Target number of responders under the reference condition among completers.
    #[serde(default = "default_target")]
    pub target_responders: i64,
}

fn default_reduction() -> f64 {
    0.5
}
fn default_target() -> i64 {
    15
}

impl Default for ResponseSection {
    fn default() -> Self {
        ResponseSection {
            reduction: default_reduction(),
            remission_max: None,
            target_responders: default_target(),
        }
    }
}

/// `[analysis]`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AnalysisSection {
    /// The analysis that drives stopping and power.
    pub primary: AnalysisName,
    /// Analyses reported alongside, each with its own rejection rate.
    #[serde(default)]
    pub secondary: Vec<AnalysisName>,
    /// Significance level: two-sided for `hypothesis = "two_sided"`, of each one-sided test
    /// otherwise (so 0.05 gives a 90% interval for equivalence).
    #[serde(default = "default_alpha")]
    pub alpha: f64,
    /// The hypothesis tested on the primary contrast.
    #[serde(default, skip_serializing_if = "HypothesisKind::is_two_sided")]
    pub hypothesis: HypothesisKind,
    /// The good direction of the contrast (superiority and non-inferiority).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub better: Option<Better>,
    /// The non-inferiority margin (a ratio for ratio endpoints).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margin: Option<f64>,
    /// The equivalence margins `[lower, upper]` (ratios for ratio endpoints, e.g. [0.80, 1.25]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margins: Option<Vec<f64>>,
    /// Level of the carryover test when it is secondary (conventionally 0.10).
    #[serde(default = "default_carryover_alpha")]
    pub carryover_alpha: f64,
    /// The primary contrast: `"B - A"` (letters or condition names), or named weights over the
    /// conditions summing to zero. Default: the first condition other than the reference,
    /// minus the reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contrast: Option<ContrastSpec>,
    /// Several primary contrasts tested together (fixed designs, primary `anova` or
    /// `anova_carryover`), in priority order; instead of `contrast`. Default with three or more
    /// conditions in a fixed design analysed by the linear model: each condition against the
    /// reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contrasts: Option<Vec<ContrastSpec>>,
    /// How several primary contrasts share alpha: `none`, `bonferroni`, `holm` or
    /// `hierarchical` (default `none`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiplicity: Option<crate::inference::Multiplicity>,
}

/// `analysis.hypothesis`.
///
/// A mirror of [`crate::inference::Hypothesis`] that stays: the domain's hypotheses carry their
/// direction and margins on the analysis scale, which the config gives in keys of their own
/// (`better`, `margin`, `margins`; ratios for ratio endpoints, converted to the log scale) and
/// validation checks across keys with messages that name each. This enum only says which arm
/// validation builds.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HypothesisKind {
    /// No difference, rejected in either direction (the default).
    #[default]
    TwoSided,
    /// One-sided: the test condition is better in the `better` direction.
    Superiority,
    /// One-sided: the test condition is not worse than the reference by `margin` or more.
    NonInferiority,
    /// Two one-sided tests: the contrast lies within `margins`.
    Equivalence,
}

impl HypothesisKind {
    /// Whether this is the default.
    pub fn is_two_sided(&self) -> bool {
        *self == HypothesisKind::TwoSided
    }

    /// The config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            HypothesisKind::TwoSided => "two_sided",
            HypothesisKind::Superiority => "superiority",
            HypothesisKind::NonInferiority => "non_inferiority",
            HypothesisKind::Equivalence => "equivalence",
        }
    }
}

/// `analysis.contrast`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(
    untagged,
    expecting = "must be a difference of two conditions such as \"B - A\", or a table { name = \"...\", weights = { A = 1, B = -1 } }"
)]
pub enum ContrastSpec {
    /// `"T - R"`: a difference of two conditions, by letter or name.
    Difference(String),
    /// Named weights, e.g. the interaction of a 2x2 factorial.
    Weights {
        /// The contrast's name in reports.
        name: String,
        /// Weight per condition name (missing conditions weigh 0); they must sum to 0.
        weights: BTreeMap<String, f64>,
    },
}

fn default_alpha() -> f64 {
    0.05
}
fn default_carryover_alpha() -> f64 {
    0.10
}

/// `[sequential]`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SequentialSection {
    /// Looks as enrollment counts (whole numbers >= 1) or fractions of `design.enrolled` (all in (0, 1]).
    pub looks: Vec<f64>,
    /// Efficacy boundary.
    #[serde(default)]
    pub efficacy: EfficacySection,
    /// Optional non-binding futility rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub futility: Option<FutilitySection>,
    /// Optional harm rule on the adverse-event difference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub harm: Option<HarmSection>,
}

/// `sequential.efficacy`: exactly one of `spending`, `classical`, `z`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EfficacySection {
    /// Alpha-spending function: a spending family of [`BoundaryFamily`], by its name
    /// ([`spending_names`]).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "spending_family"
    )]
    pub spending: Option<BoundaryFamily>,
    /// Hwang-Shih-DeCani gamma.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gamma: Option<f64>,
    /// Kim-DeMets rho.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rho: Option<f64>,
    /// Classical boundary shape: a classical family of [`BoundaryFamily`], by its name without
    /// the `classical_` prefix ([`classical_names`]).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "classical_family"
    )]
    pub classical: Option<BoundaryFamily>,
    /// Haybittle-Peto interim z (default 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interim_z: Option<f64>,
    /// User-given z critical values, one per look.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub z: Option<Vec<f64>>,
}

/// The two keys of `sequential.efficacy` that name a [`BoundaryFamily`], and how each spells
/// the families it accepts: `spending` the alpha-spending families by their names, `classical`
/// the classical ones by their names without the `classical_` prefix (`classical = "pocock"`).
/// The families and their names are the domain's ([`BoundaryFamily::ALL`]); only the split
/// into two keys and the prefix are the config's.
#[derive(Debug, Clone, Copy)]
enum FamilyKey {
    Spending,
    Classical,
}

/// The names `sequential.efficacy.spending` accepts, in [`BoundaryFamily::ALL`] order.
static SPENDING_NAMES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| FamilyKey::Spending.names_in_order());

/// The names `sequential.efficacy.classical` accepts, in [`BoundaryFamily::ALL`] order.
static CLASSICAL_NAMES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| FamilyKey::Classical.names_in_order());

/// The names `sequential.efficacy.spending` accepts: the alpha-spending families of
/// [`BoundaryFamily`].
pub fn spending_names() -> &'static [&'static str] {
    SPENDING_NAMES.as_slice()
}

/// The names `sequential.efficacy.classical` accepts: the classical families of
/// [`BoundaryFamily`] without their `classical_` prefix.
pub fn classical_names() -> &'static [&'static str] {
    CLASSICAL_NAMES.as_slice()
}

impl FamilyKey {
    fn accepts(self, family: BoundaryFamily) -> bool {
        family.is_classical() == matches!(self, FamilyKey::Classical)
    }

    /// `family` as this key writes it.
    fn spell(self, family: BoundaryFamily) -> &'static str {
        match self {
            FamilyKey::Spending => family.name(),
            FamilyKey::Classical => {
                let name = family.name();
                name.strip_prefix("classical_").unwrap_or(name)
            }
        }
    }

    fn names_in_order(self) -> Vec<&'static str> {
        BoundaryFamily::ALL
            .into_iter()
            .filter(|&f| self.accepts(f))
            .map(|f| self.spell(f))
            .collect()
    }

    fn names(self) -> &'static [&'static str] {
        match self {
            FamilyKey::Spending => spending_names(),
            FamilyKey::Classical => classical_names(),
        }
    }

    fn family(self, name: &str) -> Option<BoundaryFamily> {
        BoundaryFamily::ALL
            .into_iter()
            .find(|&f| self.accepts(f) && self.spell(f) == name)
    }

    fn serialize<S: serde::Serializer>(
        self,
        family: &Option<BoundaryFamily>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match family {
            Some(f) => s.serialize_str(self.spell(*f)),
            None => s.serialize_none(),
        }
    }

    fn deserialize<'de, D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> Result<Option<BoundaryFamily>, D::Error> {
        d.deserialize_option(FamilyVisitor(self))
    }
}

/// Reads a family the way serde's derive reads an optional enum of unit variants (an option,
/// then an enum whose variant is a name), so that a wrong name or type gets serde's usual
/// messages, which validation rewrites in the config's words ("not a known name; allowed:
/// ...", "must be a name in quotes").
struct FamilyVisitor(FamilyKey);

impl<'de> serde::de::Visitor<'de> for FamilyVisitor {
    type Value = Option<BoundaryFamily>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        // serde's derive says "enum <Name>", which the messages read as "a name in quotes".
        f.write_str("enum BoundaryFamily")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        let names = self.0.names();
        d.deserialize_enum("BoundaryFamily", names, self)
    }

    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        use serde::de::{Error, VariantAccess};
        let (name, variant): (String, A::Variant) = data.variant()?;
        let family = self
            .0
            .family(&name)
            .ok_or_else(|| A::Error::unknown_variant(&name, self.0.names()))?;
        variant.unit_variant()?;
        Ok(Some(family))
    }
}

/// serde of `sequential.efficacy.spending` (see [`FamilyKey`]).
mod spending_family {
    use super::{BoundaryFamily, FamilyKey};

    pub fn serialize<S: serde::Serializer>(
        family: &Option<BoundaryFamily>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        FamilyKey::Spending.serialize(family, s)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Option<BoundaryFamily>, D::Error> {
        FamilyKey::Spending.deserialize(d)
    }
}

/// serde of `sequential.efficacy.classical` (see [`FamilyKey`]).
mod classical_family {
    use super::{BoundaryFamily, FamilyKey};

    pub fn serialize<S: serde::Serializer>(
        family: &Option<BoundaryFamily>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        FamilyKey::Classical.serialize(family, s)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Option<BoundaryFamily>, D::Error> {
        FamilyKey::Classical.deserialize(d)
    }
}

/// `sequential.futility` (non-binding; checked at interim looks only).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FutilitySection {
    /// Stop for futility when |z| of the primary analysis is below this value, one per interim look.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub z: Option<Vec<f64>>,
    /// Stop for futility when the conditional power under the current trend is below this value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditional_power: Option<f64>,
}

/// `sequential.harm`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HarmSection {
    /// Stop when the adverse-event proportion under the test condition minus that under the
    /// reference, among participants treated with both, reaches this value.
    pub max_difference: f64,
}

/// `[simulation]`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SimulationSection {
    /// Number of simulated trials.
    #[serde(default = "default_replicates")]
    pub replicates: i64,
    /// Master seed, a whole number from 0 to 2^64 - 1; replicate j uses a generator seeded
    /// from (seed, j). TOML integers are signed 64-bit, so a seed above 2^63 - 1 is written as a
    /// string of digits (`seed = "18446744073709551615"`), as the resolved config records it.
    #[serde(default = "default_seed", with = "seed_repr")]
    pub seed: u64,
}

/// The largest seed a TOML integer can hold; larger seeds are written as strings.
const LARGEST_INTEGER_SEED: u64 = i64::MAX as u64;

/// `seed` as a TOML value: an integer when it fits, otherwise a string of digits.
pub fn seed_value(seed: u64) -> toml::Value {
    match i64::try_from(seed) {
        Ok(i) => toml::Value::Integer(i),
        Err(_) => toml::Value::String(seed.to_string()),
    }
}

/// Reads and writes seeds as [`seed_value`] does. A negative integer is an error, never a bit
/// pattern: `seed = -1` is a mistake, not the seed 2^64 - 1.
mod seed_repr {
    use super::LARGEST_INTEGER_SEED;
    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};
    use std::fmt;

    const ALLOWED: &str = "must be a whole number from 0 to 18446744073709551615 (seeds above 9223372036854775807 are written as a string of digits, e.g. seed = \"18446744073709551615\")";

    pub fn serialize<S: Serializer>(seed: &u64, s: S) -> Result<S::Ok, S::Error> {
        if *seed <= LARGEST_INTEGER_SEED {
            s.serialize_u64(*seed)
        } else {
            s.serialize_str(&seed.to_string())
        }
    }

    struct SeedVisitor;

    impl Visitor<'_> for SeedVisitor {
        type Value = u64;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a whole number from 0 to 18446744073709551615")
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::custom(ALLOWED))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
            let digits = v.trim();
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(E::custom(ALLOWED));
            }
            digits.parse::<u64>().map_err(|_| E::custom(ALLOWED))
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        d.deserialize_any(SeedVisitor)
    }
}

fn default_replicates() -> i64 {
    100_000
}
fn default_seed() -> u64 {
    1
}

impl Default for SimulationSection {
    fn default() -> Self {
        SimulationSection {
            replicates: default_replicates(),
            seed: default_seed(),
        }
    }
}

/// `[adaptive]`: a two-stage design on a 2x2. Stage 1 enrolls `design.enrolled` (n1).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AdaptiveSection {
    /// `potvin_b`, `potvin_c`, `montague_d`, `inverse_normal`, `group_sequential`, `ssr`
    /// (bioequivalence, TOST) or `reestimate` (re-estimation of N from the stage-1 variance for
    /// the analysis's hypothesis).
    pub method: crate::adaptive::Method,
    /// The adjusted alpha of the stage-1 and final tests (default: B and C 0.0294, D 0.028,
    /// re-estimation analysis.alpha).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha: Option<f64>,
    /// C and D: the level of the stage-1 test when stage 1 is already powered (default
    /// analysis.alpha).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha_powered: Option<f64>,
    /// Ratio endpoints: the GMR assumed for power and sample size (default: B and C 0.95,
    /// D 0.90).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumed_gmr: Option<f64>,
    /// Normal endpoints: the effect (contrast) assumed for the re-estimated N.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumed_effect: Option<f64>,
    /// Target power of the interim power check and of the re-estimated N (default 0.80).
    #[serde(default = "default_target_power")]
    pub target_power: f64,
    /// `shifted` (central t, Potvin's paper; the default of B, C, D and re-estimation), `nct`
    /// (the default of the inverse-normal method and `ssr`, as Power2Stage's), `exact` or
    /// `large_sample` (`ssr` only: Power2Stage's `pmethod = "ls"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_method: Option<crate::adaptive::PowerMethod>,
    /// Largest total N; a larger required N is capped here (default 1000).
    #[serde(default = "default_max_total")]
    pub max_total: i64,
    /// Fail at the interim when the required stage-2 size exceeds this (default: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_stage2: Option<i64>,
    /// Count the required N in completers and enrol enough in stage 2 to make up for the
    /// completion rate stage 1 showed (default false: the published methods ignore dropout).
    #[serde(default)]
    pub inflate_for_dropout: bool,
    /// Inverse normal: the stage-1 weight(s) of the combination: one (standard combination) or
    /// two (maximum combination test; default [0.5, 0.25]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<Vec<f64>>,
    /// Futility on the stage-1 estimate for trials that would go on: `ci` (the 90% CI entirely
    /// outside `futility_bounds`; the inverse-normal default), `pe` (the PE outside them) or
    /// `none` (the default of B, C and D).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub futility: Option<FutilityKind>,
    /// The bounds of `futility` as ratios (default: `ci` inverse normal 0.95-1/0.95, B and C
    /// 0.925-1/0.925; `pe` the margins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub futility_bounds: Option<[f64; 2]>,
    /// Inverse normal: stop for futility when stage 1 did not pass but already had this power
    /// (default: the target power; 1 switches it off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub futility_power: Option<f64>,
    /// Inverse normal: stop for futility when n1 + n2 would exceed this total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub futility_max_total: Option<i64>,
    /// The smallest stage 2 (default: inverse normal 4, others none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_stage2: Option<i64>,
    /// Inverse normal: how stage 2 is sized: `error_power` (the conditional error levels and
    /// the estimated conditional target power; default), `error` (conditional error levels,
    /// the target power) or `none` (the local level, as a total N).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sizing: Option<crate::adaptive::inverse_normal::ConditionalSizing>,
    /// Inverse normal: size stage 2 for the observed stage-1 PE instead of the assumed GMR.
    #[serde(default)]
    pub use_estimate: bool,
    /// Group-sequential (`group_sequential`, required there): the planned stage-2 size n2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage2: Option<i64>,
    /// Re-estimation (`ssr`, `reestimate`): size stage 2 from the blinded variance, the period
    /// differences of all stage-1 completers as one sample ignoring sequence (default false:
    /// the ANOVA MSE).
    #[serde(default)]
    pub blinded: bool,
}

/// `adaptive.futility`: the stage-1 futility rule on the estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FutilityKind {
    /// The 90% CI entirely outside the bounds.
    Ci,
    /// The point estimate outside the bounds.
    Pe,
    /// No futility on the estimate.
    None,
}

fn default_target_power() -> f64 {
    0.8
}

fn default_max_total() -> i64 {
    1000
}

#[cfg(test)]
mod tests {
    use super::*;

    fn efficacy(text: &str) -> Result<EfficacySection, String> {
        toml::from_str(text).map_err(|e| e.message().to_string())
    }

    #[test]
    fn each_boundary_family_is_named_by_one_key_and_reads_back_as_written() {
        assert_eq!(
            spending_names(),
            [
                "obrien_fleming",
                "pocock",
                "hwang_shih_decani",
                "kim_demets",
                "obrien_fleming_total_alpha"
            ]
        );
        assert_eq!(
            classical_names(),
            ["obrien_fleming", "pocock", "haybittle_peto"]
        );
        for family in BoundaryFamily::ALL {
            let section = if family.is_classical() {
                EfficacySection {
                    classical: Some(family),
                    ..EfficacySection::default()
                }
            } else {
                EfficacySection {
                    spending: Some(family),
                    ..EfficacySection::default()
                }
            };
            let text = toml::to_string(&section).unwrap();
            assert_eq!(efficacy(&text), Ok(section), "{text}");
        }
        let classical = efficacy("classical = \"pocock\"").unwrap();
        assert_eq!(classical.classical, Some(BoundaryFamily::ClassicalPocock));
        assert_eq!(efficacy("").unwrap(), EfficacySection::default());
    }

    #[test]
    fn a_family_under_the_other_key_is_an_unknown_name() {
        assert_eq!(
            efficacy("spending = \"haybittle_peto\"").unwrap_err(),
            "unknown variant `haybittle_peto`, expected one of `obrien_fleming`, `pocock`, `hwang_shih_decani`, `kim_demets`, `obrien_fleming_total_alpha`"
        );
        assert_eq!(
            efficacy("classical = \"classical_pocock\"").unwrap_err(),
            "unknown variant `classical_pocock`, expected one of `obrien_fleming`, `pocock`, `haybittle_peto`"
        );
    }
}
