//! Validated domain types: what a config means once every field has been checked.
//!
//! Only these types reach `model`, `sequential` and `engine`. Per-condition tables are indexed
//! by [`Condition`] and sized by the design's number of conditions; per-period tables by period.

pub use super::schema::AnalysisName;
pub use crate::adaptive::TwoStagePlan;
pub use crate::design::{Condition, Contrast, Crossover, Period, SequenceId};
pub use crate::inference::{Better, Hypothesis};

/// A fully validated crossover trial design plus its simulation settings.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialDesign {
    /// Config name (used for the results folder).
    pub name: String,
    /// Conditions, periods and sequences.
    pub crossover: Crossover,
    /// The primary contrast (test minus reference for two conditions): `contrasts[0]`.
    pub contrast: Contrast,
    /// Every primary contrast, in priority order (one, except in fixed designs analysed by
    /// the linear model), tested together under `analysis.multiplicity`.
    pub contrasts: Vec<Contrast>,
    /// Planned enrollment N.
    pub enrolled: usize,
    /// Sequence randomization scheme.
    pub randomization: Randomization,
    /// The scale of the endpoint.
    pub endpoint: Endpoint,
    /// The population participants are drawn from (on the log scale for ratio endpoints).
    pub population: Population,
    /// Additive period effect tau_j, one per period.
    pub period_effect: Vec<f64>,
    /// First-order carryover lambda_c into the next period, by the condition given before.
    pub carryover: Vec<f64>,
    /// Dropout probabilities.
    pub dropout: Dropout,
    /// The adverse event monitored, if any.
    pub adverse_event: Option<AdverseEvent>,
    /// Responder and remission definitions.
    pub response: ResponseRule,
    /// Which analyses run and at which level.
    pub analysis: AnalysisPlan,
    /// Looks and stopping rules (a fixed design is a single look at `enrolled`).
    pub sequential: SequentialPlan,
    /// A two-stage design (stage 1 enrolls `enrolled`), if any.
    pub two_stage: Option<TwoStagePlan>,
    /// Number of simulated trials.
    pub replicates: u64,
    /// Master seed.
    pub seed: u64,
}

impl TrialDesign {
    /// The primary contrast's test condition T (for a two-condition contrast; otherwise the
    /// first condition with a positive weight).
    pub fn test(&self) -> Condition {
        match self.contrast.as_pair() {
            Some((t, _)) => t,
            None => Condition(
                self.contrast
                    .weights()
                    .iter()
                    .position(|&w| w > 0.0)
                    .unwrap_or(0) as u8,
            ),
        }
    }

    /// The reference condition R.
    pub fn reference(&self) -> Condition {
        match self.contrast.as_pair() {
            Some((_, r)) => r,
            None => self.crossover.reference(),
        }
    }

    /// Condition names in index order.
    pub fn condition_names(&self) -> &[String] {
        self.crossover.condition_names()
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

/// Analyses and levels.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisPlan {
    /// Primary analysis.
    pub primary: AnalysisName,
    /// Secondary analyses (never containing the primary).
    pub secondary: Vec<AnalysisName>,
    /// Significance level (two-sided for a two-sided hypothesis, else of each one-sided test).
    pub alpha: f64,
    /// Level of the carryover diagnostic.
    pub carryover_alpha: f64,
    /// The hypothesis on the primary contrast, margins on the analysis scale.
    pub hypothesis: Hypothesis,
    /// How several primary contrasts share alpha.
    pub multiplicity: crate::inference::Multiplicity,
}

impl AnalysisPlan {
    /// Primary followed by the secondaries.
    pub fn all(&self) -> impl Iterator<Item = AnalysisName> + '_ {
        std::iter::once(self.primary).chain(self.secondary.iter().copied())
    }

    /// The hypothesis `name` tests: the primary's for the primary and for every t-based
    /// secondary estimate of the same contrast; two-sided for the others (rank and responder
    /// tests, whose direction and scale differ, and the carryover diagnostic).
    pub fn hypothesis_of(&self, name: AnalysisName) -> Hypothesis {
        let spec = name.spec();
        if name == self.primary || (spec.t_based && !spec.diagnostic) {
            self.hypothesis
        } else {
            Hypothesis::TwoSided
        }
    }

    /// The significance level of `name`'s test.
    pub fn level_of(&self, name: AnalysisName) -> f64 {
        if name.spec().diagnostic {
            self.carryover_alpha
        } else {
            self.alpha
        }
    }

    /// Whether any analysis needs response status.
    pub fn needs_response(&self) -> bool {
        self.all().any(AnalysisName::needs_response)
    }
}

/// The efficacy boundary family as configured.
#[derive(Debug, Clone, PartialEq)]
pub enum EfficacyRule {
    /// Lan-DeMets O'Brien-Fleming-type spending (alpha/2 per side).
    SpendingObrienFleming,
    /// Lan-DeMets Pocock-type spending.
    SpendingPocock,
    /// Hwang-Shih-DeCani spending.
    SpendingHwangShihDeCani {
        /// Shape parameter.
        gamma: f64,
    },
    /// Kim-DeMets power spending.
    SpendingKimDeMets {
        /// Power.
        rho: f64,
    },
    /// O'Brien-Fleming-type spending of the total two-sided alpha.
    SpendingObrienFlemingTotalAlpha,
    /// Classical O'Brien-Fleming.
    ClassicalObrienFleming,
    /// Classical Pocock.
    ClassicalPocock,
    /// Haybittle-Peto.
    HaybittlePeto {
        /// z at every interim look.
        interim_z: f64,
    },
    /// User-given z values.
    UserZ(Vec<f64>),
}

/// Interim looks and stopping rules.
#[derive(Debug, Clone, PartialEq)]
pub struct SequentialPlan {
    /// Enrollment count analysed at each look; the last equals `enrolled`.
    pub looks: Vec<usize>,
    /// Periods per participant (sizes the critical-value tables by the largest df).
    pub periods: usize,
    /// Efficacy boundary.
    pub efficacy: EfficacyRule,
    /// Futility: stop when |z| is below this at interim look k.
    pub futility_z: Option<Vec<f64>>,
    /// Futility: stop when conditional power under the current trend is below this.
    pub futility_conditional_power: Option<f64>,
    /// Harm: stop when the adverse-event difference T - R reaches this.
    pub harm_max_difference: Option<f64>,
}

impl SequentialPlan {
    /// A fixed design: one look at `enrolled`.
    pub fn fixed(enrolled: usize) -> SequentialPlan {
        SequentialPlan {
            looks: vec![enrolled],
            periods: 2,
            efficacy: EfficacyRule::SpendingObrienFleming,
            futility_z: None,
            futility_conditional_power: None,
            harm_max_difference: None,
        }
    }

    /// Information fractions n_k / N.
    pub fn information_rates(&self) -> Vec<f64> {
        let n = *self.looks.last().unwrap_or(&1) as f64;
        self.looks.iter().map(|&k| k as f64 / n).collect()
    }
}
