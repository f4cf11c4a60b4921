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
