//! Validated domain types: what a config means once every field has been checked.
//!
//! Only these types reach `model`, `sequential` and `engine`. Condition index 0 is
//! the reference R and index 1 the test T everywhere below.

pub use super::schema::AnalysisName;

/// Index of the reference condition R.
pub const REFERENCE: usize = 0;
/// Index of the test condition T.
pub const TEST: usize = 1;

/// A fully validated crossover trial design plus its simulation settings.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialDesign {
    /// Config name (used for the results folder).
    pub name: String,
    /// Condition names, `[reference, test]`.
    pub conditions: [String; 2],
    /// For each sequence, the condition index given in period 1 and period 2.
    pub sequences: Vec<[usize; 2]>,
    /// Sequence labels as written in the config ("AB", "BA").
    pub sequence_labels: Vec<String>,
    /// Planned enrollment N.
    pub enrolled: usize,
    /// Sequence randomization scheme.
    pub randomization: Randomization,
    /// The population participants are drawn from.
    pub population: Population,
    /// Additive period effects tau_1, tau_2.
    pub period_effect: [f64; 2],
    /// First-order carryover lambda_c into period 2, by condition of period 1.
    pub carryover: [f64; 2],
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
    /// Number of simulated trials.
    pub replicates: u64,
    /// Master seed.
    pub seed: u64,
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
    /// Mean potential change, `[reference, test]`.
    pub change_mean: [f64; 2],
    /// SD of the potential change, `[reference, test]`.
    pub change_sd: [f64; 2],
}

/// The population model.
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// Within-participant correlation of the potential changes.
    pub correlation: f64,
    /// Baseline distribution, if scores are modelled.
    pub baseline: Option<TruncatedNormal>,
    /// SD of the normal drift of the period-2 baseline.
    pub rebaseline_sd: f64,
    /// Scale range and rounding, if any.
    pub scale: Option<Scale>,
    /// Latent classes (probabilities sum to 1).
    pub classes: Vec<LatentClass>,
}

impl Population {
    /// The population average effect E[X_T - X_R] before rounding and clamping.
    pub fn average_effect(&self) -> f64 {
        self.classes
            .iter()
            .map(|c| c.probability * (c.change_mean[TEST] - c.change_mean[REFERENCE]))
            .sum()
    }
}

/// Dropout probabilities.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dropout {
    /// Withdrawal before any treatment.
    pub before_first_period: f64,
    /// Discontinuation after period 1, by the condition received in period 1.
    pub after_first_period: [f64; 2],
}

/// The adverse event of interest.
#[derive(Debug, Clone, PartialEq)]
pub struct AdverseEvent {
    /// Event name.
    pub name: String,
    /// Probability per treated period, `[reference, test]`.
    pub probability: [f64; 2],
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
    /// Overall two-sided level.
    pub alpha: f64,
    /// Level of the carryover diagnostic.
    pub carryover_alpha: f64,
}

impl AnalysisPlan {
    /// Primary followed by the secondaries.
    pub fn all(&self) -> impl Iterator<Item = AnalysisName> + '_ {
        std::iter::once(self.primary).chain(self.secondary.iter().copied())
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
