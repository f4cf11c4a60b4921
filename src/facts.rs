//! What a validated design implies before any simulation, for the report: the exact power of
//! the primary hypothesis and of each primary contrast, with a bioequivalence design's power
//! curve (`power::design`); the linear model's variance factor and residual df of each
//! contrast (`analysis::anova`); the value each analysis estimates (the model's analysed
//! effect) and whether it lies in H0; each analysis's hypothesis in words; and the fixed
//! design's critical value (`sequential`).
//!
//! A job computes them once per report ([`DesignFacts::of`]) and hands them to
//! `report::build_report` with the simulated summary, so that the report only reads figures
//! and imports no statistics module (`tests/it/architecture.rs` holds it to that).

use crate::analysis::anova::AnovaModel;
use crate::analysis::{AnalysisName, Estimand};
use crate::config::design::TrialDesign;
use crate::design::Contrast;
use crate::inference::Hypothesis;
use crate::model::{AnalysedEffect, Endpoint};
use crate::numerics::tidy_decimal;
use crate::power::design::{closed_form, power_curve, ClosedForm, ExactPower};
use crate::sequential::fixed_critical_z;

/// What the report states about a design without simulating it.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignFacts {
    /// The exact power of the primary hypothesis as configured (and what it was computed
    /// from), or why the design has no closed form.
    pub exact_power: Result<ExactPower, String>,
    /// Bioequivalence on a ratio endpoint with exact power: (true ratio T/R, exact power) at
    /// [`POWER_CURVE_POINTS`] ratios from the lower limit less 0.05 to the upper limit plus
    /// 0.05, all else as configured; empty otherwise.
    pub power_curve: Vec<(f64, f64)>,
    /// Every primary contrast, in priority order (the first is the primary contrast).
    pub contrasts: Vec<ContrastFacts>,
    /// Every analysis of the plan, primary first.
    pub analyses: Vec<AnalysisFacts>,
    /// Whether the primary analysis estimates the contrast's population value, so that its
    /// mean estimate and the linear model's constants describe the contrast.
    pub primary_estimates_contrast: bool,
    /// The population average of the primary contrast (the log ratio for ratio endpoints),
    /// without the residue of binary arithmetic.
    pub true_effect: f64,
    /// The fixed design's critical z of the primary test at `analysis.alpha`: the reference
    /// line of the boundary plot.
    pub fixed_critical_z: f64,
    /// A bioequivalence rule's limits at the true CVwR, if the design has a rule.
    pub bioequivalence: Option<RuleFacts>,
    /// With several PK metrics: what each implies, metric 0 first (empty otherwise).
    pub metrics: Vec<MetricFacts>,
    /// With a relapse-gated crossover: P(entering period 2) and the interval's distribution.
    pub relapse: Option<RelapseFacts>,
}

/// The closed form of a relapse-gated crossover: mixtures over latent classes (their
/// probabilities) and period-1 conditions (each sequence is equally likely under either
/// randomization) of the time to relapse's distribution function F at the eligible visits.
#[derive(Debug, Clone, PartialEq)]
pub struct RelapseFacts {
    /// P(entering period 2 | treated in period 1): the mixture of (1 - the discontinuation
    /// probability after the period-1 condition) F(last visit).
    pub p_enter: f64,
    /// The eligible visits (days after period 1).
    pub visit_days: Vec<u32>,
    /// P(interval = visit | entering period 2) at each: F(v_1) at the first eligible visit (the
    /// washout floor), F(v_j) - F(v_{j-1}) after it, mixed as `p_enter` and divided by it.
    pub interval_mass: Vec<f64>,
    /// The mean interval among those entering period 2.
    pub mean_interval: f64,
    /// Its SD.
    pub sd_interval: f64,
    /// The completers' expected test-minus-reference change, E[d | entering period 2]: the
    /// class means' difference mixed by class and period-1 condition with weights (1 - the
    /// discontinuation probability) F(last visit). Given only where the analysed changes are the
    /// latent ones (no rating scale) and no period effect or carryover enters the difference
    /// (the gate unbalances the completers' sequences); the population's is `true_effect`.
    pub completers_effect: Option<f64>,
}

/// The closed form of `d`'s relapse gate, if it has one.
pub fn relapse_facts(d: &TrialDesign) -> Option<RelapseFacts> {
    let gate = d.cohort().time_course()?.relapse.as_ref()?;
    let crossover = d.crossover();
    let k = crossover.condition_count();
    let sequences = crossover.sequence_count();
    let visit_days = gate.visit_days();
    let mut mass = vec![0.0; visit_days.len()];
    let (test, reference) = d.contrast().as_pair()?;
    let mut completers_total = 0.0;
    for (class, c) in d.population().classes.iter().enumerate() {
        let difference = c.change_mean[test.index()] - c.change_mean[reference.index()];
        for s in 0..sequences {
            let first = crossover
                .sequence(crate::design::SequenceId(s as u8))
                .conditions()[0];
            let stays = 1.0 - d.dropout().after_period[0][first.index()];
            let weight = c.probability / sequences as f64 * stays;
            let mut below = 0.0;
            for (m, &v) in mass.iter_mut().zip(&visit_days) {
                let f = gate.cdf(class, first.index(), k, f64::from(v));
                *m += weight * (f - below);
                below = f;
            }
            completers_total += weight * below * difference;
        }
    }
    let p_enter: f64 = mass.iter().sum();
    // Nobody enters period 2 when F is 0 at every visit: no interval, its moments undefined.
    let interval_mass: Vec<f64> = mass
        .iter()
        .map(|m| if p_enter > 0.0 { m / p_enter } else { 0.0 })
        .collect();
    let mean_interval: f64 = interval_mass
        .iter()
        .zip(&visit_days)
        .map(|(m, &v)| m * f64::from(v))
        .sum();
    let second: f64 = interval_mass
        .iter()
        .zip(&visit_days)
        .map(|(m, &v)| m * f64::from(v) * f64::from(v))
        .sum();
    let mean_interval = if p_enter > 0.0 {
        mean_interval
    } else {
        f64::NAN
    };
    Some(RelapseFacts {
        p_enter,
        visit_days,
        interval_mass,
        mean_interval,
        sd_interval: (second - mean_interval * mean_interval).max(0.0).sqrt(),
        completers_effect: (p_enter > 0.0
            && d.population().scale.is_none()
            && d.population().baseline.is_none()
            && d.period_effect().iter().all(|&t| t == 0.0)
            && d.carryover().iter().all(|&l| l == 0.0))
        .then(|| completers_total / p_enter),
    })
}

/// One PK metric of a trial that measures several, at the design's true values.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricFacts {
    /// The metric's name.
    pub name: String,
    /// The true value of the primary contrast (log ratio).
    pub true_effect: f64,
    /// The true within-participant CV of the reference.
    pub cv_reference: f64,
    /// What decides it: a rule's name, or `hypothesis`.
    pub decided_by: String,
    /// Whether its true ratio lies in its null (a pass of the trial is then a type I error).
    pub under_null: bool,
    /// The correlation of its estimate with metric 0's that the model implies, where derived
    /// (two conditions, every sequence giving each condition equally often, no dropout).
    pub expected_correlation: Option<f64>,
}

/// A bioequivalence rule at the design's true values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuleFacts {
    /// The true within-participant CV of the reference.
    pub cv_reference: f64,
    /// The limits (ratio scale) the true CVwR implies: widened, implied by a scaled criterion,
    /// or the average-bioequivalence limits where the rule does not scale there.
    pub limits: (f64, f64),
    /// Whether the rule scales at the true CVwR.
    pub scales: bool,
}

/// What a design implies about one primary contrast.
#[derive(Debug, Clone, PartialEq)]
pub struct ContrastFacts {
    /// The population average effect, before rounding and clamping to a scale.
    pub latent_effect: f64,
    /// What the analyses estimate on a rating scale, computed numerically from the model (or
    /// why not, or that there is no scale).
    pub analysed_effect: AnalysedEffect,
    /// The value the analyses estimate: the analysed effect where it was computed on a scale,
    /// else the population average; without the residue of binary arithmetic.
    pub true_value: f64,
    /// Whether the value lies in the primary hypothesis's H0, so that a rejection is a type I
    /// error.
    pub under_null: bool,
    /// The exact power of the primary hypothesis on this contrast (as if it were the only
    /// primary), or why the design has no closed form.
    pub exact_power: Result<f64, String>,
    /// The linear model's variance factor v of the contrast in a balanced design (None: the
    /// model cannot estimate the contrast from the design).
    pub variance_factor: Option<f64>,
    /// The linear model's residual df with `design.enrolled` participants (None: none left).
    pub df: Option<f64>,
}

/// What a design implies about one analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisFacts {
    /// The analysis.
    pub name: AnalysisName,
    /// The value its estimate targets under the config (None: no closed form).
    pub true_value: Option<f64>,
    /// Its hypothesis in words, on the ratio scale for ratio endpoints, at its level.
    pub hypothesis: String,
}

/// Points of a bioequivalence design's exact power curve.
pub const POWER_CURVE_POINTS: usize = 81;

impl DesignFacts {
    /// The facts of `d`.
    pub fn of(d: &TrialDesign) -> DesignFacts {
        let contrasts = contrast_facts(d);
        let analyses = d
            .analysis()
            .all()
            .map(|name| AnalysisFacts {
                name,
                true_value: true_value(d, name, &contrasts[0]),
                hypothesis: describe_hypothesis(d, name),
            })
            .collect();
        DesignFacts {
            relapse: relapse_facts(d),
            metrics: metric_facts(d),
            exact_power: exact(closed_form(d)),
            power_curve: bioequivalence_power_curve(d),
            analyses,
            primary_estimates_contrast: estimates_contrast(d.analysis().primary()),
            true_effect: tidy_decimal(contrasts[0].latent_effect),
            fixed_critical_z: fixed_critical_z(d.analysis().alpha(), d.analysis().hypothesis()),
            contrasts,
            bioequivalence: d.bioequivalence().map(|rule| {
                let sw = d.population().within_sd[d.crossover().reference().index()];
                RuleFacts {
                    cv_reference: crate::inference::scaled::sw_to_cv(sw),
                    limits: (rule.implied_lower_limit(sw), rule.implied_upper_limit(sw)),
                    scales: rule.scales_at(sw * sw),
                }
            }),
        }
    }

    /// The facts of analysis `name`, one of the plan's.
    pub fn analysis(&self, name: AnalysisName) -> &AnalysisFacts {
        self.analyses
            .iter()
            .find(|a| a.name == name)
            .expect("an analysis of the plan")
    }

    /// The facts of the primary contrast.
    pub fn primary_contrast(&self) -> &ContrastFacts {
        &self.contrasts[0]
    }
}

/// Whether `name` estimates the contrast's population value.
fn estimates_contrast(name: AnalysisName) -> bool {
    name.spec().estimand == Estimand::ContrastEffect
}

fn exact(c: ClosedForm) -> Result<ExactPower, String> {
    match c {
        ClosedForm::Exact(e) => Ok(e),
        ClosedForm::Unavailable(why) => Err(why),
    }
}

/// Every primary contrast's value, null status, exact power and linear-model constants.
fn contrast_facts(d: &TrialDesign) -> Vec<ContrastFacts> {
    let hypothesis = d.analysis().hypothesis();
    let carryover = d.analysis().primary() == AnalysisName::ANOVA_CARRYOVER;
    let mut model = AnovaModel::with_contrasts(d.crossover(), d.contrasts(), carryover);
    let periods = d.crossover().period_count();
    let df = (d.enrolled() * periods)
        .checked_sub(d.enrolled() + model.parameters())
        .filter(|&df| df > 0)
        .map(|df| df as f64);
    d.contrasts()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let latent_effect = d.population().average_effect(c);
            let analysed_effect = d.cohort().analysed_effect(c);
            let true_value = tidy_decimal(match analysed_effect {
                AnalysedEffect::OnScale(v) => v,
                AnalysedEffect::Latent | AnalysedEffect::NotComputed(_) => latent_effect,
            });
            ContrastFacts {
                latent_effect,
                analysed_effect,
                true_value,
                under_null: is_null(d, c, true_value, analysed_effect, hypothesis),
                exact_power: exact(closed_form(&d.with_primary_contrast(i))).map(|e| e.power),
                variance_factor: model
                    .balanced_variance_factor_of(i, d.crossover().sequence_count()),
                df,
            }
        })
        .collect()
}

/// Whether `contrast`'s value lies in `hypothesis`'s H0 (or a bioequivalence rule's null),
/// so that a rejection is a type I error. When the value on a scale was not computed, only a contrast of two conditions with
/// equal distributions (means, SDs, occasion noise, carryover) in every class is null.
fn is_null(
    d: &TrialDesign,
    contrast: &Contrast,
    value: f64,
    analysed: AnalysedEffect,
    hypothesis: Hypothesis,
) -> bool {
    if d.metrics().is_some() {
        // The trial passes when every metric passes: it is in H0 when any metric is.
        return metric_facts(d).iter().any(|m| m.under_null);
    }
    if let Some(rule) = d.bioequivalence() {
        // The rule's null: a true ratio at or beyond the limit the true CVwR implies.
        let sw = d.population().within_sd[d.crossover().reference().index()];
        return rule.is_null(value, sw);
    }
    if !matches!(analysed, AnalysedEffect::NotComputed(_)) {
        return hypothesis.is_null(value);
    }
    let Some((t, r)) = contrast.as_pair() else {
        return false;
    };
    let (t, r) = (t.index(), r.index());
    let pop = d.population();
    hypothesis.is_null(value)
        && pop.within_sd[t] == pop.within_sd[r]
        && d.carryover()[t] == d.carryover()[r]
        && pop
            .classes
            .iter()
            .all(|c| c.change_mean[t] == c.change_mean[r] && c.change_sd[t] == c.change_sd[r])
}

/// The value analysis `name`'s estimate targets under the config (`primary`: the primary
/// contrast's facts).
fn true_value(d: &TrialDesign, name: AnalysisName, primary: &ContrastFacts) -> Option<f64> {
    match name.spec().estimand {
        // Values implied by decimal inputs are reported without the residue of binary
        // arithmetic.
        Estimand::CarryoverDifference => Some(tidy_decimal(
            d.carryover()[d.test().index()] - d.carryover()[d.reference().index()],
        )),
        // A subgroup selected on its own response under R, and a difference in response
        // probabilities, have no closed-form value under the config.
        Estimand::NoClosedForm => None,
        Estimand::ContrastEffect => Some(primary.true_value),
    }
}

/// Analysis `name`'s hypothesis in words, on the ratio scale for ratio endpoints, at the level
/// it is tested at.
pub fn describe_hypothesis(d: &TrialDesign, name: AnalysisName) -> String {
    let contrast = d.contrast().name().to_string();
    let ratio = d
        .endpoint()
        .is_ratio()
        .then(|| match d.contrast().as_pair() {
            Some((t, r)) => format!(
                "{}/{}",
                d.crossover().condition_name(t),
                d.crossover().condition_name(r)
            ),
            None => format!("exp({contrast})"),
        });
    // A two-stage method tests its primary at its own adjusted level, not analysis.alpha; a
    // rule deciding its stages at the level of each comparison (adjusted alpha / m under
    // Bonferroni with several test formulations).
    let level = match (d.two_stage(), d.bioequivalence()) {
        (Some(_), Some(rule)) if name == d.analysis().primary() => rule.alpha(),
        (Some(plan), _) if name == d.analysis().primary() => plan.alpha(),
        _ => d.analysis().level_of(name),
    };
    let described = d
        .analysis()
        .hypothesis_of(name)
        .describe(&contrast, ratio.as_deref(), level);
    let described = match d.bioequivalence() {
        // The primary is decided by the rule, whose limits may widen or tighten with the
        // estimated variability: the fixed-margin words alone would misstate it.
        Some(rule) if name == d.analysis().primary() && rule.spec().name != "abe" => format!(
            "bioequivalence by the {} rule ({}), with {} for CVwR at or below its switch",
            rule.spec().name,
            rule.spec().title,
            described
        ),
        _ => described,
    };
    match d.metrics() {
        Some(m) if name == d.analysis().primary() => format!(
            "{described}, for every PK metric ({}): the trial passes when each passes",
            m.names.join(", ")
        ),
        _ => described,
    }
}

/// The exact power by true ratio of a bioequivalence design on a ratio endpoint with exact
/// power: [`POWER_CURVE_POINTS`] ratios from the lower limit less 0.05 to the upper limit plus
/// 0.05.
fn bioequivalence_power_curve(d: &TrialDesign) -> Vec<(f64, f64)> {
    let Hypothesis::Equivalence { lower, upper } = d.analysis().hypothesis() else {
        return Vec::new();
    };
    if d.endpoint() != Endpoint::LogNormal {
        return Vec::new();
    }
    let (from, to) = ((lower.exp() - 0.05).max(0.01), upper.exp() + 0.05);
    let ratios: Vec<f64> = (0..POWER_CURVE_POINTS)
        .map(|i| from + (to - from) * i as f64 / (POWER_CURVE_POINTS - 1) as f64)
        .collect();
    let effects: Vec<f64> = ratios.iter().map(|r| r.ln()).collect();
    power_curve(d, &effects)
        .map_or_else(Vec::new, |powers| ratios.into_iter().zip(powers).collect())
}

/// What each PK metric implies (empty with one metric).
fn metric_facts(d: &TrialDesign) -> Vec<MetricFacts> {
    let Some(metrics) = d.metrics() else {
        return Vec::new();
    };
    let contrast = d.contrast();
    let reference = d.crossover().reference().index();
    let populations: Vec<&crate::model::Population> = std::iter::once(d.population())
        .chain(metrics.populations.iter())
        .collect();
    let rules: Vec<Option<&crate::inference::scaled::BioequivalenceRule>> =
        std::iter::once(d.bioequivalence())
            .chain(d.metric_rules().iter().map(Option::as_ref))
            .collect();
    let hypothesis = d.analysis().hypothesis();
    let m = metrics.count();
    populations
        .iter()
        .zip(&rules)
        .enumerate()
        .map(|(q, (pop, rule))| {
            let true_effect = tidy_decimal(pop.average_effect(contrast));
            let sw = pop.within_sd[reference];
            MetricFacts {
                name: metrics.names[q].clone(),
                true_effect,
                cv_reference: crate::inference::scaled::sw_to_cv(sw),
                decided_by: rule.map_or("hypothesis".to_string(), |r| r.spec().name.to_string()),
                under_null: match rule {
                    Some(r) => r.is_null(true_effect, sw),
                    None => hypothesis.is_null(true_effect),
                },
                expected_correlation: (q > 0)
                    .then(|| {
                        expected_correlation(
                            d,
                            populations[0],
                            pop,
                            metrics.between[q * m],
                            metrics.within[q * m],
                        )
                    })
                    .flatten(),
            }
        })
        .collect()
}

/// The correlation of two metrics' estimated T - R effects implied by the model, for designs
/// where each participant's contribution is the mean over its T periods less the mean over its
/// R periods (two conditions, every sequence giving T n_T times and R n_R times, no dropout):
/// cov = B sd_a sd_b v'(L_a L_b')v + W sum_j u_j^2 sigma_wa sigma_wb, with v = (+1, -1) over
/// the conditions, u_j = +1/n_T or -1/n_R over the periods, L each metric's Cholesky factor of
/// its latent correlation, B and W the metrics' between and within correlations.
fn expected_correlation(
    d: &TrialDesign,
    a: &crate::model::Population,
    b: &crate::model::Population,
    between: f64,
    within: f64,
) -> Option<f64> {
    let crossover = d.crossover();
    let (t, r) = d.contrast().as_pair()?;
    let dropout = d.dropout();
    let may_drop = dropout.before_first_period > 0.0
        || dropout.after_period.iter().flatten().any(|&p| p > 0.0);
    if crossover.condition_count() != 2 || may_drop {
        return None;
    }
    let counts = |s: &crate::design::Sequence| {
        let n_t = s.conditions().iter().filter(|&&c| c == t).count();
        (n_t, s.conditions().len() - n_t)
    };
    let first = counts(crossover.sequence(crate::design::SequenceId(0)));
    if first.0 == 0
        || first.1 == 0
        || (0..crossover.sequence_count())
            .any(|s| counts(crossover.sequence(crate::design::SequenceId(s as u8))) != first)
    {
        return None;
    }
    let (n_t, n_r) = (first.0 as f64, first.1 as f64);
    let (ti, ri) = (t.index(), r.index());
    // The model's Cholesky factor of the latent correlation, in condition-index order (the
    // order the draw applies it in), with each condition's latent SD.
    let latent = |p: &crate::model::Population| {
        let rho = p.correlation[1];
        let l = [[1.0, 0.0], [rho, (1.0 - rho * rho).max(0.0).sqrt()]];
        (l, [p.classes[0].change_sd[0], p.classes[0].change_sd[1]])
    };
    let mut v = [0.0; 2];
    v[ti] = 1.0;
    v[ri] = -1.0;
    let cov_latent = |x: &crate::model::Population, y: &crate::model::Population| {
        let (lx, sd_x) = latent(x);
        let (ly, sd_y) = latent(y);
        // sum over conditions c, e of v_c v_e sd_x[c] sd_y[e] (L_x L_y')[c][e]
        let mut total = 0.0;
        for c in 0..2 {
            for e in 0..2 {
                let lly: f64 = (0..2).map(|h| lx[c][h] * ly[e][h]).sum();
                total += v[c] * v[e] * sd_x[c] * sd_y[e] * lly;
            }
        }
        total
    };
    let noise = |x: &crate::model::Population, y: &crate::model::Population| {
        x.within_sd[ti] * y.within_sd[ti] / n_t + x.within_sd[ri] * y.within_sd[ri] / n_r
    };
    let cov = between * cov_latent(a, b) + within * noise(a, b);
    let var_a = cov_latent(a, a) + noise(a, a);
    let var_b = cov_latent(b, b) + noise(b, b);
    (var_a > 0.0 && var_b > 0.0).then(|| cov / (var_a * var_b).sqrt())
}
