//! The analytic fast path: whether a configured design's power is known exactly, its value,
//! and the smallest sample size reaching a target power.
//!
//! Power is exact when the primary analysis is the within-participant linear model of a
//! balanced, complete design with a homogeneous normal model on the analysis scale: one latent
//! class, no dropout, no carryover (or carryover with the model's carryover terms,
//! `anova_carryover`), no rounding or clamping, a single look and an allocation that fills the
//! sequences equally. The contrast estimate is then normal with variance
//! sigma_e^2 v / N (v the design's variance factor from its own normal matrix, PowerTOST's
//! bk) and independent of its residual variance on N (p - 1) - (p - 1) - (k - 1) df (less
//! k - 1 with carryover terms), so the
//! power of every hypothesis is a noncentral-t or Owen's Q integral ([`crate::power::t_tests`]).
//! Anything else (dropout, carryover, latent subgroups, interim looks) is what the simulation
//! is for, and [`ClosedForm::Unavailable`] says which feature rules the formula out.

use crate::analysis::anova::AnovaModel;
use crate::analysis::AnalysisName;
use crate::config::design::{Randomization, TrialDesign};
use crate::inference::{bonferroni_level, Better, Hypothesis, Multiplicity};
use crate::power::t_tests::{one_sided_power, smallest_sample_size, tost_power, two_sided_power};

/// Largest total sample size the analytic search considers.
pub const MAX_SAMPLE_SIZE: usize = 100_000;

/// The closed-form power of a design, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum ClosedForm {
    /// The exact power and what it was computed from.
    Exact(ExactPower),
    /// The design has a feature the formula does not cover.
    Unavailable(String),
}

/// The exact power of a design and the quantities behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExactPower {
    /// Power (or size, under the null) of the primary hypothesis.
    pub power: f64,
    /// Standard error of the contrast estimate, sigma_e sqrt(v / N).
    pub standard_error: f64,
    /// Residual degrees of freedom.
    pub df: f64,
    /// The design's variance factor v.
    pub variance_factor: f64,
    /// Residual SD sigma_e of one observation.
    pub residual_sd: f64,
    /// The true contrast.
    pub effect: f64,
}

/// What the formula needs of a design, independent of N.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PowerModel {
    hypothesis: Hypothesis,
    alpha: f64,
    effect: f64,
    residual_sd: f64,
    variance_factor: f64,
    periods: usize,
    /// Parameters of the linear model besides the participants' effects: (p - 1) periods,
    /// (k - 1) conditions and, with carryover terms, (k - 1) carryovers.
    parameters: usize,
    sequences: usize,
}

impl PowerModel {
    /// The model of `design`, or why its power has no closed form.
    pub fn of(design: &TrialDesign) -> Result<PowerModel, String> {
        let d = design;
        let primary = d.analysis().primary();
        let carryover_terms = primary == AnalysisName::ANOVA_CARRYOVER;
        let linear_model = primary == AnalysisName::ANOVA
            || carryover_terms
            || (primary == AnalysisName::PERIOD_ADJUSTED && d.crossover().is_two_by_two());
        if !linear_model {
            return Err(format!(
                "the primary analysis {} is not the linear model (anova or anova_carryover)",
                primary.as_str()
            ));
        }
        if d.sequential().looks().len() > 1 {
            return Err("the design has interim looks".to_string());
        }
        if d.two_stage().is_some() {
            return Err("the design has two stages".to_string());
        }
        if let Some(m) = d.metrics() {
            return Err(format!(
                "the trial passes only when each of its {} PK metrics passes (an intersection of correlated tests, simulated)",
                m.count()
            ));
        }
        if let Some(rule) = d.bioequivalence() {
            if rule.spec().name != "abe" {
                return Err(format!(
                    "its bioequivalence rule {:?} has no closed form (the limits or the criterion depend on the estimated within-reference variability)",
                    rule.spec().name
                ));
            }
        }
        let m = d.contrasts().len();
        let alpha = match d.analysis().multiplicity() {
            _ if m < 2 => d.analysis().alpha(),
            Multiplicity::None => d.analysis().alpha(),
            Multiplicity::Bonferroni => bonferroni_level(d.analysis().alpha(), m),
            Multiplicity::Holm => {
                return Err("Holm's procedure rejects a contrast depending on the others' p-values (no closed form per contrast)".to_string())
            }
            Multiplicity::Hierarchical => {
                return Err("the fixed sequence rejects a contrast only after the earlier ones (no closed form per contrast)".to_string())
            }
        };
        let pop = &d.population();
        if pop.classes.len() != 1 {
            return Err("the population has latent classes".to_string());
        }
        if pop.scale.is_some() {
            return Err("scores are rounded or clamped to a scale".to_string());
        }
        if d.dropout().before_first_period > 0.0
            || d.dropout().after_period.iter().flatten().any(|&p| p > 0.0)
        {
            return Err("participants drop out".to_string());
        }
        // The model with carryover terms estimates the direct effect whatever the (first-order)
        // carryover; the model without them is biased by it.
        if !carryover_terms && d.carryover().iter().any(|&c| c != 0.0) {
            return Err("the design has carryover".to_string());
        }
        let class = &pop.classes[0];
        let k = d.crossover().condition_count();
        let sd = class.change_sd[0];
        let w = pop.within_sd[0];
        if class.change_sd.iter().any(|&s| s != sd) || pop.within_sd.iter().any(|&s| s != w) {
            return Err("the SDs differ between conditions".to_string());
        }
        let rho = pop.correlation.get(1).copied().unwrap_or(1.0);
        let compound_symmetric = (0..k)
            .flat_map(|a| (0..k).filter(move |&b| b != a).map(move |b| (a, b)))
            .all(|(a, b)| pop.correlation[a * k + b] == rho);
        if !compound_symmetric {
            return Err("the correlation between conditions is not one common value".to_string());
        }
        let interaction_variance = sd * sd * (1.0 - rho);
        let replicated = d.crossover().conditions().any(|c| d.crossover().repeats(c));
        if replicated && interaction_variance > 0.0 {
            return Err(
                "a replicate design with a participant-by-condition interaction (correlation below 1)"
                    .to_string(),
            );
        }
        let mut model = AnovaModel::new(d.crossover(), d.contrast(), carryover_terms);
        let variance_factor = model
            .balanced_variance_factor(d.crossover().sequence_count())
            .ok_or_else(|| "the design cannot estimate the contrast".to_string())?;
        // Residual df = N p - N - (the model's period, condition and carryover parameters).
        let parameters = model.parameters();
        Ok(PowerModel {
            hypothesis: d.analysis().hypothesis(),
            alpha,
            effect: pop.average_effect(d.contrast()),
            residual_sd: (interaction_variance + w * w).sqrt(),
            variance_factor,
            periods: d.crossover().period_count(),
            parameters,
            sequences: d.crossover().sequence_count(),
        })
    }

    /// The number of sequences: balanced sample sizes are its multiples.
    pub fn sequences(&self) -> usize {
        self.sequences
    }

    /// Residual df of the linear model with N participants, all periods observed:
    /// N (p - 1) - (p - 1) - (k - 1), less (k - 1) more with carryover terms.
    pub fn df(&self, n: usize) -> f64 {
        n as f64 * (self.periods as f64 - 1.0) - self.parameters as f64
    }

    /// The exact power with `n` participants, equally many per sequence.
    pub fn at(&self, n: usize) -> ExactPower {
        let se = self.residual_sd * (self.variance_factor / n as f64).sqrt();
        let df = self.df(n);
        let (alpha, delta) = (self.alpha, self.effect);
        let power = if df < 1.0 {
            f64::NAN
        } else {
            match self.hypothesis {
                Hypothesis::TwoSided => two_sided_power(alpha, delta, se, df),
                Hypothesis::Superiority { better } => match better {
                    Better::Higher => one_sided_power(alpha, 0.0, delta, se, df),
                    Better::Lower => one_sided_power(alpha, 0.0, -delta, se, df),
                },
                Hypothesis::NonInferiority { margin, better } => match better {
                    Better::Higher => one_sided_power(alpha, margin, delta, se, df),
                    Better::Lower => one_sided_power(alpha, -margin, -delta, se, df),
                },
                Hypothesis::Equivalence { lower, upper } => {
                    tost_power(alpha, lower, upper, delta, se, df)
                }
            }
        };
        ExactPower {
            power,
            standard_error: se,
            df,
            variance_factor: self.variance_factor,
            residual_sd: self.residual_sd,
            effect: delta,
        }
    }

    /// The same model with another true contrast on the analysis scale (a power curve's
    /// point).
    pub fn with_effect(&self, effect: f64) -> PowerModel {
        PowerModel { effect, ..*self }
    }

    /// The smallest N, a multiple of the number of sequences with at least one residual df,
    /// whose exact power reaches `target`, and that power (None beyond
    /// [`MAX_SAMPLE_SIZE`]).
    pub fn sample_size(&self, target: f64) -> Option<(usize, f64)> {
        let s = self.sequences;
        let mut minimum = s;
        while self.df(minimum) < 1.0 {
            minimum += s;
        }
        smallest_sample_size(s, minimum, MAX_SAMPLE_SIZE, target, |n| self.at(n).power)
    }
}

/// The exact power of `design` at each true contrast of `effects` (analysis scale), all else as
/// configured; `None` where [`closed_form`] has no exact power.
pub fn power_curve(design: &TrialDesign, effects: &[f64]) -> Option<Vec<f64>> {
    let ClosedForm::Exact(_) = closed_form(design) else {
        return None;
    };
    let model = PowerModel::of(design).ok()?;
    let n = design.enrolled();
    Some(
        effects
            .iter()
            .map(|&e| model.with_effect(e).at(n).power)
            .collect(),
    )
}

/// The closed-form power of `design` as configured.
pub fn closed_form(design: &TrialDesign) -> ClosedForm {
    let model = match PowerModel::of(design) {
        Ok(m) => m,
        Err(why) => return ClosedForm::Unavailable(why),
    };
    let n = design.enrolled();
    let balanced = match design.randomization() {
        Randomization::PermutedBlocks { block_size } => n % block_size == 0,
        Randomization::Simple => false,
    };
    if !balanced {
        return ClosedForm::Unavailable(match design.randomization() {
            Randomization::Simple => {
                "simple randomization does not fill the sequences equally".to_string()
            }
            Randomization::PermutedBlocks { block_size } => format!(
                "N = {n} is not a multiple of the block size {block_size}, so the sequences are not filled equally"
            ),
        });
    }
    ClosedForm::Exact(model.at(n))
}
