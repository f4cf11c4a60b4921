//! Validated domain types: what a config means once every field has been checked.
//!
//! The validated parts are owned by the layers that use them (`model::CohortSpec`,
//! `sequential::SequentialPlan`, `adaptive::TwoStagePlan`, `inference::Hypothesis`); this
//! module assembles them into a [`TrialDesign`] and re-exports them. Per-condition tables are indexed
//! by [`Condition`] and sized by the design's number of conditions; per-period tables by period.

pub use crate::adaptive::TwoStagePlan;
pub use crate::analysis::AnalysisName;
pub use crate::design::{Condition, Contrast, Crossover, Period, SequenceId};
pub use crate::inference::scaled::{BioequivalenceRule, Switch};
pub use crate::inference::{Better, Hypothesis, Multiplicity};
pub use crate::model::{
    AdverseEvent, CohortSpec, Dropout, Endpoint, LatentClass, Population, Randomization,
    ResponseRule, Scale, TruncatedNormal,
};
pub use crate::sequential::SequentialPlan;

/// A fully validated crossover trial design plus its simulation settings.
///
/// Only `config` builds one (by validating a TOML file and its overrides), so every
/// `TrialDesign` has passed validation; the fields are read through accessors.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialDesign {
    /// Config name (used for the results folder).
    pub(super) name: String,
    /// What the cohort draw needs: conditions, periods, sequences, enrollment, randomization,
    /// population, period effects, carryover, dropout, adverse events, response.
    pub(super) cohort: CohortSpec,
    /// Every primary contrast, in priority order (one, except in fixed designs analysed by
    /// the linear model), tested together under `analysis.multiplicity`; never empty.
    pub(super) contrasts: Vec<Contrast>,
    /// The scale of the endpoint.
    pub(super) endpoint: Endpoint,
    /// Which analyses run and at which level.
    pub(super) analysis: AnalysisPlan,
    /// Looks and stopping rules (a fixed design is a single look at `enrolled`).
    pub(super) sequential: SequentialPlan,
    /// A two-stage design (stage 1 enrolls `enrolled`), if any.
    pub(super) two_stage: Option<TwoStagePlan>,
    /// The bioequivalence rule deciding the primary contrast, if any.
    pub(super) bioequivalence: Option<BioequivalenceRule>,
    /// With several PK metrics: the rule deciding each further metric (None: the hypothesis).
    pub(super) metric_rules: Vec<Option<BioequivalenceRule>>,
    /// Number of simulated trials.
    pub(super) replicates: u64,
    /// Master seed.
    pub(super) seed: u64,
}

impl TrialDesign {
    /// Config name (used for the results folder).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the cohort draw needs.
    pub fn cohort(&self) -> &CohortSpec {
        &self.cohort
    }

    /// Conditions, periods and sequences.
    pub fn crossover(&self) -> &Crossover {
        &self.cohort.crossover
    }

    /// Planned enrollment N.
    pub fn enrolled(&self) -> usize {
        self.cohort.enrolled
    }

    /// Sequence randomization scheme.
    pub fn randomization(&self) -> Randomization {
        self.cohort.randomization
    }

    /// The population participants are drawn from (on the log scale for ratio endpoints).
    pub fn population(&self) -> &Population {
        &self.cohort.population
    }

    /// Additive period effect tau_j, one per period.
    pub fn period_effect(&self) -> &[f64] {
        &self.cohort.period_effect
    }

    /// First-order carryover lambda_c into the next period, by the condition given before.
    pub fn carryover(&self) -> &[f64] {
        &self.cohort.carryover
    }

    /// Dropout probabilities.
    pub fn dropout(&self) -> &Dropout {
        &self.cohort.dropout
    }

    /// The adverse event monitored, if any.
    pub fn adverse_event(&self) -> Option<&AdverseEvent> {
        self.cohort.adverse_event.as_ref()
    }

    /// Responder and remission definitions.
    pub fn response(&self) -> &ResponseRule {
        &self.cohort.response
    }

    /// The primary contrast (test minus reference for two conditions): `contrasts()[0]`.
    pub fn contrast(&self) -> &Contrast {
        &self.contrasts[0]
    }

    /// Every primary contrast, in priority order.
    pub fn contrasts(&self) -> &[Contrast] {
        &self.contrasts
    }

    /// The same design with primary contrast `i` (an index into [`TrialDesign::contrasts`])
    /// in first place, swapped with the first: what the single-contrast figures of contrast `i`
    /// (its exact power) are computed on. The family keeps its size.
    pub fn with_primary_contrast(&self, i: usize) -> TrialDesign {
        let mut d = self.clone();
        d.contrasts.swap(0, i);
        d
    }

    /// The scale of the endpoint.
    pub fn endpoint(&self) -> Endpoint {
        self.endpoint
    }

    /// Which analyses run and at which level.
    pub fn analysis(&self) -> &AnalysisPlan {
        &self.analysis
    }

    /// Looks and stopping rules.
    pub fn sequential(&self) -> &SequentialPlan {
        &self.sequential
    }

    /// The two-stage design, if any.
    pub fn two_stage(&self) -> Option<&TwoStagePlan> {
        self.two_stage.as_ref()
    }

    /// The bioequivalence rule deciding the primary contrast, if any.
    pub fn bioequivalence(&self) -> Option<&BioequivalenceRule> {
        self.bioequivalence.as_ref()
    }

    /// The trial's PK metrics when it measures several (metric 0 is the population's).
    pub fn metrics(&self) -> Option<&crate::model::PkMetrics> {
        self.cohort.metrics.as_ref()
    }

    /// With several PK metrics: the rule deciding each further metric (metrics 1, 2, ...;
    /// None where the hypothesis decides).
    pub fn metric_rules(&self) -> &[Option<BioequivalenceRule>] {
        &self.metric_rules
    }

    /// The same trial with every non-reference condition's true GMR at the upper limit that
    /// the true CVwR implies for its bioequivalence rule (the rule's least favourable null);
    /// `None` without a rule.
    pub fn at_expanded_limit(&self) -> Option<TrialDesign> {
        let rule = self.bioequivalence.as_ref()?;
        let mut d = self.clone();
        place_at_limit(rule, &self.cohort.crossover, &mut d.cohort.population);
        Some(d)
    }

    /// The same trial at the least favourable point of its primary null, where the rejection
    /// rate is the type I error a level must control: a reference-scaled rule's expanded limit
    /// ([`Self::at_expanded_limit`]); an equivalence hypothesis's upper margin; a
    /// non-inferiority margin; no difference for superiority. Every non-reference condition's
    /// mean is moved in every latent class, so the primary contrast (a difference of two
    /// conditions) sits exactly there. `Err` says why a design has no single such point.
    pub fn at_least_favourable_null(&self) -> Result<TrialDesign, String> {
        if self.metrics().is_some() {
            return Err("it decides several PK metrics (log_normal.metrics), whose type I error has no single least favourable point; calibrate on a config of one metric".to_string());
        }
        if self.cohort.time_course().is_some() {
            return Err("it has assessments over days ([time_course]); its null is the time-course config's null twin".to_string());
        }
        // Several test formulations of a two-stage design decided by a rule: the global null,
        // every test at its limit (at_expanded_limit), where "at least one" is the familywise
        // error.
        let comparisons = self.two_stage.is_some()
            && self.bioequivalence.is_some()
            && self.contrasts.iter().all(|c| c.as_pair().is_some());
        if !comparisons && (self.contrasts.len() > 1 || self.contrast().as_pair().is_none()) {
            return Err(
                "its primary hypothesis is not about one difference of two conditions".to_string(),
            );
        }
        if let Some(d) = self.at_expanded_limit() {
            return Ok(d);
        }
        let shift = match self.analysis.hypothesis() {
            Hypothesis::Equivalence { upper, .. } => upper,
            Hypothesis::NonInferiority { margin, .. } => margin,
            Hypothesis::Superiority { .. } => 0.0,
            Hypothesis::TwoSided => 0.0,
        };
        let mut d = self.clone();
        let reference = self.reference().index();
        let test = self.test().index();
        for class in &mut d.cohort.population.classes {
            class.change_mean[test] = class.change_mean[reference] + shift;
        }
        Ok(d)
    }

    /// Number of simulated trials.
    pub fn replicates(&self) -> u64 {
        self.replicates
    }

    /// Master seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The primary contrast's test condition T (for a two-condition contrast; otherwise the
    /// first condition with a positive weight).
    pub fn test(&self) -> Condition {
        match self.contrast().as_pair() {
            Some((t, _)) => t,
            None => Condition(
                self.contrast()
                    .weights()
                    .iter()
                    .position(|&w| w > 0.0)
                    .unwrap_or(0) as u8,
            ),
        }
    }

    /// The reference condition R.
    pub fn reference(&self) -> Condition {
        match self.contrast().as_pair() {
            Some((_, r)) => r,
            None => self.crossover().reference(),
        }
    }

    /// Condition names in index order.
    pub fn condition_names(&self) -> &[String] {
        self.crossover().condition_names()
    }
}

/// Analyses and levels, validated together with the hypothesis (only `config` builds one; the
/// fields are read through accessors).
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisPlan {
    /// Primary analysis.
    pub(super) primary: AnalysisName,
    /// Secondary analyses (never containing the primary).
    pub(super) secondary: Vec<AnalysisName>,
    /// Significance level (two-sided for a two-sided hypothesis, else of each one-sided test).
    pub(super) alpha: f64,
    /// Level of the carryover diagnostic.
    pub(super) carryover_alpha: f64,
    /// The hypothesis on the primary contrast, margins on the analysis scale.
    pub(super) hypothesis: Hypothesis,
    /// How several primary contrasts share alpha.
    pub(super) multiplicity: Multiplicity,
}

impl AnalysisPlan {
    /// Primary analysis.
    pub fn primary(&self) -> AnalysisName {
        self.primary
    }

    /// Secondary analyses (never containing the primary).
    pub fn secondary(&self) -> &[AnalysisName] {
        &self.secondary
    }

    /// Significance level (two-sided for a two-sided hypothesis, else of each one-sided test).
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Level of the carryover diagnostic.
    pub fn carryover_alpha(&self) -> f64 {
        self.carryover_alpha
    }

    /// The hypothesis on the primary contrast, margins on the analysis scale.
    pub fn hypothesis(&self) -> Hypothesis {
        self.hypothesis
    }

    /// How several primary contrasts share alpha.
    pub fn multiplicity(&self) -> Multiplicity {
        self.multiplicity
    }

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

/// Sets every non-reference condition's log mean to the reference's plus ln of the upper limit
/// the true within-reference SD implies for `rule`.
pub(super) fn place_at_limit(
    rule: &BioequivalenceRule,
    crossover: &Crossover,
    population: &mut Population,
) {
    let reference = crossover.reference().index();
    let limit = rule.implied_upper_limit(population.within_sd[reference]);
    for class in &mut population.classes {
        let base = class.change_mean[reference];
        for (c, mean) in class.change_mean.iter_mut().enumerate() {
            if c != reference {
                *mean = base + limit.ln();
            }
        }
    }
}
