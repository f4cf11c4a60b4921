//! Computes the reported quantities and their Monte Carlo errors from a [`Summary`].

use super::*;
use crate::analysis::AnalysisName;
use crate::analysis::Estimand;
use crate::config::design::TrialDesign;
use crate::config::LoadedConfig;
use crate::design::Contrast;
use crate::engine::summary::AnalysisTally;
use crate::engine::{StopReason, Summary};
use crate::inference::Hypothesis;
use crate::model::AnalysedEffect;
use crate::sequential::StoppingRules;

/// Facts about the run that are not in the summary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunMetadata {
    /// Worker threads.
    pub threads: usize,
    /// Wall time of the simulation in seconds (a merge: the longest shard's).
    pub elapsed_seconds: f64,
    /// For a merge: the number of shards and their times added up.
    pub shards: Option<(u64, f64)>,
}

impl RunMetadata {
    /// One run on `threads` threads that took `elapsed_seconds`.
    pub fn single(threads: usize, elapsed_seconds: f64) -> RunMetadata {
        RunMetadata {
            threads,
            elapsed_seconds,
            shards: None,
        }
    }
}

const NOT_ANALYZABLE_REASONS: [&str; 4] = [
    "too few participants",
    "zero variance",
    "no discordant pairs",
    "all differences zero",
];

fn mean_and_se(tally: &AnalysisTally) -> (Option<f64>, Option<f64>) {
    if tally.analyzed == 0 {
        return (None, None);
    }
    let n = tally.analyzed as f64;
    let mean = tally.sum_estimate.value() / n;
    let se = if tally.analyzed > 1 {
        let var = ((tally.sum_estimate_squared.value() - n * mean * mean) / (n - 1.0)).max(0.0);
        Some((var / n).sqrt())
    } else {
        None
    };
    (Some(mean), se)
}

/// The value each analysis's estimate targets under the config.
pub fn true_value(name: AnalysisName, loaded: &LoadedConfig) -> Option<f64> {
    let d = &loaded.design;
    // Values implied by decimal inputs are reported without the residue of binary arithmetic.
    let value = match name.spec().estimand {
        Estimand::CarryoverDifference => {
            Some(d.carryover()[d.test().index()] - d.carryover()[d.reference().index()])
        }
        // A subgroup selected on its own response under R, and a difference in response
        // probabilities, have no closed-form value under the config.
        Estimand::NoClosedForm => None,
        Estimand::ContrastEffect => return Some(contrast_truth(d, d.contrast()).0),
    };
    value.map(crate::numerics::tidy_decimal)
}

/// The value of `contrast` the analyses estimate: the mean of the analysed changes, computed
/// numerically on a rating scale (rounding and clamping move it from the latent population
/// average), else the population average. The second value is why it could not be computed
/// on a scale (the population average is then returned).
pub fn contrast_truth(d: &TrialDesign, contrast: &Contrast) -> (f64, Option<&'static str>) {
    let latent = d.population().average_effect(contrast);
    let tidy = crate::numerics::tidy_decimal;
    match d.cohort().analysed_effect(contrast) {
        AnalysedEffect::Latent => (tidy(latent), None),
        AnalysedEffect::OnScale(v) => (tidy(v), None),
        AnalysedEffect::NotComputed(why) => (tidy(latent), Some(why)),
    }
}

/// Whether `contrast`'s analysed value lies in `hypothesis`'s H0, so that a rejection is a
/// type I error. When the value on a scale was not computed, only a contrast of two conditions
/// with equal distributions (means, SDs, occasion noise, carryover) in every class is null.
pub fn contrast_is_null(d: &TrialDesign, contrast: &Contrast, hypothesis: Hypothesis) -> bool {
    let (value, not_computed) = contrast_truth(d, contrast);
    if not_computed.is_none() {
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

/// What the primary contrast's true value is, in words (`true_value_basis` of the report).
pub fn true_value_basis(d: &TrialDesign) -> String {
    let latent = d.population().average_effect(d.contrast());
    match d.cohort().analysed_effect(d.contrast()) {
        AnalysedEffect::Latent => format!(
            "the population average effect T - R, {latent:.3} (no rating scale: the analysed values are the model's)"
        ),
        AnalysedEffect::OnScale(v) if (v - latent).abs() < 5e-4 => format!(
            "the mean of the analysed changes on the rating scale, computed numerically from the model (equal to the population average effect T - R, {latent:.3}, to 3 decimals)"
        ),
        AnalysedEffect::OnScale(_) => format!(
            "the mean of the analysed changes on the rating scale, computed numerically from the model; rounding and clamping move it from the population average effect T - R, {latent:.3}"
        ),
        AnalysedEffect::NotComputed(why) => format!(
            "the population average effect T - R, {latent:.3}, before rounding and clamping: with {why} the mean of the analysed changes was not computed and may differ"
        ),
    }
}

/// `name`'s hypothesis in words, on the ratio scale for ratio endpoints.
pub fn describe(name: AnalysisName, loaded: &LoadedConfig) -> String {
    let d = &loaded.design;
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
    // A two-stage method tests its primary at its own adjusted level, not analysis.alpha.
    let level = match d.two_stage() {
        Some(plan) if name == d.analysis().primary() => plan.alpha(),
        _ => d.analysis().level_of(name),
    };
    d.analysis()
        .hypothesis_of(name)
        .describe(&contrast, ratio.as_deref(), level)
}

fn closed_form_report(d: &crate::config::design::TrialDesign) -> ClosedFormReport {
    match crate::power::design::closed_form(d) {
        crate::power::design::ClosedForm::Exact(e) => ClosedFormReport {
            power: Some(e.power),
            standard_error: Some(e.standard_error),
            df: Some(e.df),
            note: match d.analysis().hypothesis() {
                crate::inference::Hypothesis::Equivalence { .. } => {
                    "Owen's Q integral; the design is balanced, complete and homogeneous normal on the analysis scale"
                }
                _ => "noncentral t; the design is balanced, complete and homogeneous normal on the analysis scale",
            }
            .to_string(),
            power_curve: bioequivalence_power_curve(d),
            missing: BTreeMap::new(),
        },
        crate::power::design::ClosedForm::Unavailable(why) => {
            let note = format!("no closed form: {why}");
            ClosedFormReport {
                missing: ["power", "standard_error", "df"]
                    .iter()
                    .map(|k| (k.to_string(), note.clone()))
                    .collect(),
                note,
                ..ClosedFormReport::default()
            }
        }
    }
}

/// The exact power by true ratio of a bioequivalence design on a ratio endpoint: 81 ratios
/// from the lower limit less 0.05 to the upper limit plus 0.05.
fn bioequivalence_power_curve(d: &crate::config::design::TrialDesign) -> Vec<PowerCurvePoint> {
    let crate::inference::Hypothesis::Equivalence { lower, upper } = d.analysis().hypothesis()
    else {
        return Vec::new();
    };
    if d.endpoint() != crate::model::Endpoint::LogNormal {
        return Vec::new();
    }
    const POINTS: usize = 81;
    let (from, to) = ((lower.exp() - 0.05).max(0.01), upper.exp() + 0.05);
    let ratios: Vec<f64> = (0..POINTS)
        .map(|i| from + (to - from) * i as f64 / (POINTS - 1) as f64)
        .collect();
    let effects: Vec<f64> = ratios.iter().map(|r| r.ln()).collect();
    crate::power::design::power_curve(d, &effects).map_or_else(Vec::new, |powers| {
        ratios
            .iter()
            .zip(powers)
            .map(|(&true_ratio, power)| PowerCurvePoint { true_ratio, power })
            .collect()
    })
}

fn two_stage_report(
    plan: &crate::adaptive::TwoStagePlan,
    d: &crate::config::design::TrialDesign,
    summary: &Summary,
) -> TwoStageReport {
    let t = &summary.two_stage;
    let r = summary.replicates.max(1);
    let hist = &t.total_histogram;
    let total: u64 = hist.iter().sum::<u64>().max(1);
    let (mut sum, mut squares) = (0.0, 0.0);
    for (n, &c) in hist.iter().enumerate() {
        sum += n as f64 * c as f64;
        squares += (n * n) as f64 * c as f64;
    }
    let mean = sum / total as f64;
    let var = if total > 1 {
        ((squares - total as f64 * mean * mean) / (total as f64 - 1.0)).max(0.0)
    } else {
        0.0
    };
    let quantile = |q: f64| -> usize {
        let need = q * total as f64;
        let mut acc = 0u64;
        for (n, &c) in hist.iter().enumerate() {
            acc += c;
            if acc > 0 && acc as f64 >= need - 1e-9 {
                return n;
            }
        }
        hist.len().saturating_sub(1)
    };
    let max = hist.iter().rposition(|&c| c > 0).unwrap_or(0);
    TwoStageReport {
        method: plan.method().as_str().to_string(),
        steps: crate::adaptive::describe(plan, d.enrolled(), d.endpoint().is_ratio()),
        p_success: Proportion::new(t.stage1_pass + t.stage2_pass, r),
        p_stop_stage1_pass: Proportion::new(t.stage1_pass, r),
        p_stop_stage1_fail: Proportion::new(t.stage1_fail, r),
        p_stop_stage1_futility: Proportion::new(t.futile, r),
        p_stage2: Proportion::new(t.stage2, r),
        p_pass_stage2: Proportion::new(t.stage2_pass, r),
        total_enrolled: TotalEnrolledReport {
            mean,
            se: (var / total as f64).sqrt(),
            p05: quantile(0.05),
            p50: quantile(0.50),
            p95: quantile(0.95),
            max,
            p_at_cap: Proportion::new(t.capped, r),
        },
    }
}

/// The mean confidence limits of an analysis at `level`, if it has intervals.
fn mean_interval(tally: &AnalysisTally, level: f64) -> Option<Interval> {
    (tally.intervals > 0).then(|| {
        let n = tally.intervals as f64;
        Interval {
            level,
            lower: tally.sum_interval_lower.value() / n,
            upper: tally.sum_interval_upper.value() / n,
        }
    })
}

/// The level of the intervals reported with the primary contrasts: alpha / m under Bonferroni
/// (simultaneous intervals), the primary's level otherwise.
fn contrast_interval_alpha(d: &TrialDesign, primary_level: f64) -> f64 {
    let m = d.contrasts().len();
    if m > 1 && d.analysis().multiplicity() == crate::inference::Multiplicity::Bonferroni {
        crate::inference::bonferroni_level(primary_level, m)
    } else {
        primary_level
    }
}

/// Every primary contrast: its rejection rate (from the family's tallies with several, from the
/// primary analysis with one), its true value, and the linear model's design constants.
fn contrast_reports(d: &TrialDesign, summary: &Summary, primary_level: f64) -> Vec<ContrastReport> {
    let r = summary.replicates.max(1);
    let hypothesis = d.analysis().hypothesis();
    let interval_level = hypothesis.interval_level(contrast_interval_alpha(d, primary_level));
    let carryover = d.analysis().primary() == AnalysisName::ANOVA_CARRYOVER;
    // The linear model's constants say nothing about a primary that estimates something else.
    let linear_primary =
        d.analysis().primary().spec().estimand == crate::analysis::Estimand::ContrastEffect;
    let mut model =
        crate::analysis::anova::AnovaModel::with_contrasts(d.crossover(), d.contrasts(), carryover);
    let periods = d.crossover().period_count();
    let df = (d.enrolled() * periods)
        .checked_sub(d.enrolled() + model.parameters())
        .filter(|&df| df > 0)
        .map(|df| df as f64);
    d.contrasts()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let tally = if d.contrasts().len() > 1 {
                &summary.contrasts[i]
            } else {
                &summary.analyses[d.analysis().primary().index()]
            };
            // A primary analysis that targets something else than the contrast's population
            // value (responders_paired) has no mean estimate of the contrast.
            let (mean, mean_se) = if d.analysis().primary().spec().estimand
                == crate::analysis::Estimand::ContrastEffect
            {
                mean_and_se(tally)
            } else {
                (None, None)
            };
            let true_value = contrast_truth(d, c).0;
            // The linear model's design constants describe the primary only when the primary
            // estimates the contrast in a fixed design.
            let constants_apply = linear_primary && d.two_stage().is_none();
            let variance_factor = constants_apply
                .then(|| model.balanced_variance_factor_of(i, d.crossover().sequence_count()))
                .flatten();
            let df = df.filter(|_| constants_apply);
            let exact = crate::power::design::closed_form(&d.with_primary_contrast(i));
            let mut missing = BTreeMap::new();
            let exact_power = match exact {
                crate::power::design::ClosedForm::Exact(e) => Some(e.power),
                crate::power::design::ClosedForm::Unavailable(why) => {
                    missing.insert("exact_power".to_string(), format!("no closed form: {why}"));
                    None
                }
            };
            if mean.is_none() {
                missing.insert(
                    "mean_estimate".to_string(),
                    if d.analysis().primary().spec().estimand
                        != crate::analysis::Estimand::ContrastEffect
                    {
                        format!(
                            "the primary analysis {} does not estimate the contrast's population value",
                            d.analysis().primary().as_str()
                        )
                    } else {
                        "not analyzable on any trial".to_string()
                    },
                );
            }
            if !constants_apply {
                let why = if d.two_stage().is_some() {
                    "a two-stage design has no fixed N: see two_stage for the stages".to_string()
                } else {
                    format!(
                        "the primary analysis {} does not estimate the contrast",
                        d.analysis().primary().as_str()
                    )
                };
                missing.insert("variance_factor".to_string(), why.clone());
                missing.insert("df".to_string(), why);
            } else if variance_factor.is_none() {
                missing.insert(
                    "variance_factor".to_string(),
                    "the linear model cannot estimate this contrast from the design".to_string(),
                );
            }
            if df.is_none() && !missing.contains_key("df") {
                missing.insert(
                    "df".to_string(),
                    "the linear model has no residual df with design.enrolled participants"
                        .to_string(),
                );
            }
            ContrastReport {
                name: c.name().to_string(),
                weights: d
                    .condition_names()
                    .iter()
                    .zip(c.weights())
                    .filter(|(_, &w)| w != 0.0)
                    .map(|(n, &w)| (n.clone(), w))
                    .collect(),
                true_value,
                under_null: contrast_is_null(d, c, hypothesis),
                rejection_rate: Proportion::new(tally.rejected, r),
                mean_estimate: mean,
                mean_estimate_se: mean_se,
                mean_interval: mean
                    .and_then(|_| mean_interval(tally, interval_level)),
                exact_power,
                variance_factor,
                df,
                missing,
            }
        })
        .collect()
}

/// The joint figures of several primary contrasts (None with one).
fn family_report(
    d: &TrialDesign,
    summary: &Summary,
    contrasts: &[ContrastReport],
) -> Option<FamilyReport> {
    let m = d.contrasts().len();
    if m < 2 || summary.family.rejections.len() != m + 1 {
        return None;
    }
    let r = summary.replicates.max(1);
    let counts = &summary.family.rejections;
    let true_nulls: Vec<String> = contrasts
        .iter()
        .filter(|c| c.under_null)
        .map(|c| c.name.clone())
        .collect();
    let procedure = d.analysis().multiplicity();
    Some(FamilyReport {
        multiplicity: procedure.as_str().to_string(),
        procedure: procedure.describe(m, d.analysis().alpha()),
        p_any_rejected: Proportion::new(r - counts[0].min(r), r),
        p_all_rejected: Proportion::new(counts[m], r),
        mean_rejections: counts
            .iter()
            .enumerate()
            .map(|(k, &c)| k as f64 * c as f64)
            .sum::<f64>()
            / r as f64,
        familywise_error: (!true_nulls.is_empty())
            .then(|| Proportion::new(summary.family.familywise_errors, r)),
        true_nulls,
    })
}

/// Builds the report of a finished run.
pub fn build_report(
    loaded: &LoadedConfig,
    rules: &StoppingRules,
    summary: &Summary,
    meta: RunMetadata,
) -> RunReport {
    let d = &loaded.design;
    let r = summary.replicates.max(1);
    let rf = r as f64;
    let primary_name = d.analysis().primary();
    let primary_tally = &summary.analyses[primary_name.index()];
    let primary_hypothesis = d.analysis().hypothesis();
    let primary_level = match d.two_stage() {
        Some(plan) => plan.alpha(),
        None => *rules.nominal_level.last().unwrap_or(&d.analysis().alpha()),
    };
    // The level of the primary's intervals: Bonferroni's adjusted level with several contrasts.
    let interval_alpha = contrast_interval_alpha(d, primary_level);
    let true_effect = crate::numerics::tidy_decimal(d.population().average_effect(d.contrast()));
    let (mean_at_stop, mean_at_stop_se) = mean_and_se(primary_tally);
    let (mean_early, mean_early_se) = mean_and_se(&summary.primary_early_stopped);
    let two_stage = d.two_stage().is_some();
    let mut primary_missing = BTreeMap::new();
    if two_stage {
        for key in ["mean_effect_size_at_stop", "mean_effect_size_early_stopped"] {
            primary_missing.insert(
                key.to_string(),
                "the pooled two-stage estimate has no standardized effect size".to_string(),
            );
        }
    }
    if mean_at_stop.is_none() {
        primary_missing.insert(
            "mean_estimate_at_stop".to_string(),
            "the primary analysis was not analyzable on any trial".to_string(),
        );
    }
    if mean_early.is_none() {
        primary_missing.insert(
            "mean_estimate_early_stopped".to_string(),
            if d.two_stage().is_some() {
                if summary.primary_early_stopped.not_analyzable_total() > 0 {
                    "the primary analysis was not analyzable on any trial that stopped after stage 1"
                        .to_string()
                } else {
                    "no trial stopped after stage 1".to_string()
                }
            } else if rules.looks.len() == 1 {
                "fixed design: no interim look".to_string()
            } else if summary.primary_early_stopped.not_analyzable_total() > 0 {
                "the primary analysis was not analyzable on any trial that stopped early"
                    .to_string()
            } else {
                "no trial stopped early".to_string()
            },
        );
    }
    let primary = PrimaryReport {
        analysis: primary_name.as_str().to_string(),
        power: Proportion::new(primary_tally.rejected, r),
        not_analyzable: primary_tally.not_analyzable_total(),
        true_value: true_value(primary_name, loaded),
        mean_estimate_at_stop: mean_at_stop,
        mean_estimate_at_stop_se: mean_at_stop_se,
        mean_estimate_early_stopped: mean_early,
        mean_estimate_early_stopped_se: mean_early_se,
        mean_effect_size_at_stop: (primary_tally.analyzed > 0 && !two_stage)
            .then(|| primary_tally.sum_effect_size.value() / primary_tally.analyzed as f64),
        mean_effect_size_early_stopped: (summary.primary_early_stopped.analyzed > 0 && !two_stage)
            .then(|| {
                summary.primary_early_stopped.sum_effect_size.value()
                    / summary.primary_early_stopped.analyzed as f64
            }),
        early_stopped: summary.primary_early_stopped.analyzed
            + summary.primary_early_stopped.not_analyzable_total(),
        hypothesis: describe(primary_name, loaded),
        rejected_favouring_test: Proportion::new(primary_tally.rejected_favouring_test, r),
        rejected_favouring_reference: Proportion::new(
            primary_tally.rejected - primary_tally.rejected_favouring_test,
            r,
        ),
        mean_interval: mean_interval(
            primary_tally,
            primary_hypothesis.interval_level(interval_alpha),
        ),
        ratio: d.endpoint().is_ratio().then(|| {
            let interval = mean_interval(
                primary_tally,
                primary_hypothesis.interval_level(interval_alpha),
            );
            RatioReport {
                true_ratio: true_effect.exp(),
                geometric_mean_ratio: mean_at_stop.map(f64::exp),
                interval: interval.map(|i| Interval {
                    level: i.level,
                    lower: i.lower.exp(),
                    upper: i.upper.exp(),
                }),
            }
        }),
        missing: primary_missing,
    };
    let mut analyses = BTreeMap::new();
    for name in d.analysis().all() {
        let tally = &summary.analyses[name.index()];
        let (mean, mean_se) = mean_and_se(tally);
        let analyzed = tally.analyzed;
        let mut missing = BTreeMap::new();
        if analyzed == 0 {
            missing.insert(
                "mean_estimate".to_string(),
                "not analyzable on any trial".to_string(),
            );
        }
        if two_stage {
            missing.insert(
                "mean_effect_size".to_string(),
                "the pooled two-stage estimate has no standardized effect size".to_string(),
            );
        }
        let true_val = true_value(name, loaded);
        if true_val.is_none() {
            missing.insert(
                "true_value".to_string(),
                "the config implies no closed-form value for this estimate".to_string(),
            );
        }
        let level = if name == primary_name {
            primary_level
        } else {
            d.analysis().level_of(name)
        };
        let per = |s: crate::engine::exact_sum::ExactSum| {
            (analyzed > 0).then(|| s.value() / analyzed as f64)
        };
        analyses.insert(
            name.as_str().to_string(),
            AnalysisReport {
                role: if name == primary_name {
                    "primary"
                } else {
                    "secondary"
                }
                .to_string(),
                level,
                hypothesis: describe(name, loaded),
                contrast: (!name.spec().diagnostic).then(|| d.contrast().name().to_string()),
                rejection_rate: Proportion::new(tally.rejected, r),
                analyzed,
                not_analyzable: tally.not_analyzable_total(),
                not_analyzable_reasons: NOT_ANALYZABLE_REASONS
                    .iter()
                    .zip(tally.not_analyzable)
                    .filter(|(_, c)| *c > 0)
                    .map(|(k, c)| (k.to_string(), c))
                    .collect(),
                mean_estimate: mean,
                mean_estimate_se: mean_se,
                true_value: true_val,
                mean_standard_error: per(tally.sum_standard_error),
                mean_effect_size: per(tally.sum_effect_size).filter(|_| !two_stage),
                missing,
            },
        );
    }
    // A two-stage run reports its stages (two_stage), not the look table of a fixed design.
    let looks = rules
        .looks
        .iter()
        .take(if d.two_stage().is_some() {
            0
        } else {
            usize::MAX
        })
        .enumerate()
        .map(|(k, &enrolled)| {
            let t = &summary.looks[k];
            let p = |reason: StopReason| Proportion::new(t.stops[reason.index()], r);
            let (e, f, h) = (
                p(StopReason::Efficacy),
                p(StopReason::Futility),
                p(StopReason::Harm),
            );
            LookReport {
                look: k + 1,
                enrolled,
                information_rate: rules.information_rates[k],
                critical_z: rules.critical_z[k],
                nominal_level: rules.nominal_level[k],
                cumulative_alpha: rules.cumulative_alpha[k],
                futility_z: rules.futility_z[k],
                p_stop_efficacy: e.estimate,
                p_stop_efficacy_se: e.se,
                p_stop_futility: f.estimate,
                p_stop_futility_se: f.se,
                p_stop_harm: h.estimate,
                p_stop_harm_se: h.se,
                mean_estimate_at_stop: mean_and_se(&t.primary_at_stop).0,
            }
        })
        .collect();
    let count = |sum: u64, sq: u128| {
        let mean = sum as f64 / rf;
        let var = if r > 1 {
            ((sq as f64 - rf * mean * mean) / (rf - 1.0)).max(0.0)
        } else {
            0.0
        };
        CountReport {
            mean,
            se: (var / rf).sqrt(),
        }
    };
    // Responders are reported only for a config with a responder endpoint (a [response]
    // section, filled in when an analysis needs one) and the baseline scores they need.
    let has_responders = d.population().baseline.is_some() && loaded.resolved.response.is_some();
    let responders = has_responders.then(|| {
        let hist = &summary.responders_histogram;
        let total: u64 = hist.iter().sum::<u64>().max(1);
        let mean = hist
            .iter()
            .enumerate()
            .map(|(k, &c)| k as f64 * c as f64)
            .sum::<f64>()
            / total as f64;
        let sq = hist
            .iter()
            .enumerate()
            .map(|(k, &c)| (k * k) as f64 * c as f64)
            .sum::<f64>();
        let var = if total > 1 {
            ((sq - total as f64 * mean * mean) / (total as f64 - 1.0)).max(0.0)
        } else {
            0.0
        };
        let quantile = |q: f64| -> u64 {
            let need = q * total as f64;
            let mut acc = 0u64;
            for (k, &c) in hist.iter().enumerate() {
                acc += c;
                if acc as f64 >= need - 1e-9 && acc > 0 {
                    return k as u64;
                }
            }
            (hist.len() - 1) as u64
        };
        let target = d.response().target_responders;
        let hits: u64 = hist.iter().skip(target).sum();
        let reach = Proportion::new(hits, total);
        RespondersReport {
            mean,
            se: (var / total as f64).sqrt(),
            quantiles: Quantiles {
                p05: quantile(0.05),
                p25: quantile(0.25),
                p50: quantile(0.50),
                p75: quantile(0.75),
                p95: quantile(0.95),
            },
            target,
            p_at_least_target: reach.estimate,
            p_at_least_target_se: reach.se,
            distribution: hist.iter().map(|&c| c as f64 / total as f64).collect(),
        }
    });
    let adverse_events = d.adverse_event().as_ref().map(|ae| AdverseEventReport {
        name: ae.name.clone(),
        rate: (0..d.crossover().condition_count())
            .filter(|&c| summary.treated[c] > 0)
            .map(|c| {
                (
                    d.condition_names()[c].clone(),
                    Proportion::new(summary.adverse_events[c], summary.treated[c]),
                )
            })
            .collect(),
    });
    let contrasts = contrast_reports(d, summary, primary_level);
    let mut report = RunReport {
        tool: ToolInfo {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        },
        name: d.name().to_string(),
        description: loaded.resolved.description.clone(),
        config_file: loaded.origin.clone(),
        overrides: loaded.overrides.clone(),
        command: super::reproduce::run_command(loaded),
        seed: d.seed(),
        replicates: summary.replicates,
        threads: meta.threads,
        elapsed_seconds: meta.elapsed_seconds,
        replicates_per_second: if meta.elapsed_seconds > 0.0 {
            summary.replicates as f64 / meta.elapsed_seconds
        } else {
            0.0
        },
        merged_shards: meta.shards.map(|s| s.0),
        shard_seconds_total: meta.shards.map(|s| s.1),
        true_effect,
        under_null: contrast_is_null(d, d.contrast(), primary_hypothesis),
        true_value_basis: true_value_basis(d),
        closed_form: closed_form_report(d),
        two_stage: d
            .two_stage()
            .as_ref()
            .map(|plan| two_stage_report(plan, d, summary)),
        sequences: d.crossover().sequence_labels(),
        family: family_report(d, summary, &contrasts),
        contrasts,
        primary,
        analyses,
        looks,
        expected_enrolled: count(summary.enrolled_sum, summary.enrolled_squared_sum),
        completers: count(summary.completers_sum, summary.completers_squared_sum),
        responders,
        adverse_events,
        config: loaded.resolved.clone(),
    };
    explain_missing(&mut report, summary, loaded);
    report
}

/// Records `why` for `key` when the value is blank (keeping a reason already given).
fn note(missing: &mut BTreeMap<String, String>, key: &str, blank: bool, why: &str) {
    if blank {
        missing
            .entry(key.to_string())
            .or_insert_with(|| why.to_string());
    }
}

/// Gives every blank figure a reason: a quantity whose denominator is zero is reported as
/// missing (None), never as NaN or 0, and a `missing` map says why. Blanks of the looks and of
/// the adverse-event rates, which have no map of their own, are explained in the primary's.
fn explain_missing(report: &mut RunReport, summary: &Summary, loaded: &LoadedConfig) {
    const SINGLE: &str = "a single trial was analysable: no Monte Carlo standard error";
    const NO_TRUE_VALUE: &str = "the config implies no closed-form value for this estimate (responders_paired: the effect in a subgroup selected on its own response under the reference condition; responder_mcnemar: a difference in response probabilities); the population average effect T - R is reported beside it";
    let p = &mut report.primary;
    let reason = |missing: &BTreeMap<String, String>, key: &str, default: &str| {
        missing
            .get(key)
            .cloned()
            .unwrap_or_else(|| default.to_string())
    };
    let at_stop = reason(&p.missing, "mean_estimate_at_stop", SINGLE);
    let early = reason(&p.missing, "mean_estimate_early_stopped", SINGLE);
    let m = &mut p.missing;
    note(
        m,
        "mean_estimate_at_stop_se",
        p.mean_estimate_at_stop_se.is_none(),
        &at_stop,
    );
    note(
        m,
        "mean_effect_size_at_stop",
        p.mean_effect_size_at_stop.is_none(),
        &at_stop,
    );
    note(
        m,
        "mean_estimate_early_stopped_se",
        p.mean_estimate_early_stopped_se.is_none(),
        &early,
    );
    note(
        m,
        "mean_effect_size_early_stopped",
        p.mean_effect_size_early_stopped.is_none(),
        &early,
    );
    note(m, "true_value", p.true_value.is_none(), NO_TRUE_VALUE);
    for (k, look) in report.looks.iter().enumerate() {
        let stopped: u64 = summary.looks[k].stops.iter().sum();
        let why = if stopped == 0 {
            format!("no trial stopped at look {}", k + 1)
        } else {
            format!(
                "the primary analysis was not analyzable on any trial that stopped at look {}",
                k + 1
            )
        };
        let key = format!("looks[{k}].mean_estimate_at_stop");
        note(m, &key, look.mean_estimate_at_stop.is_none(), &why);
    }
    if report.adverse_events.is_some() {
        for (c, name) in loaded.design.condition_names().iter().enumerate() {
            let why = format!("no participant was treated with {name:?} in any trial");
            let key = format!("adverse_events.rate.\"{name}\"");
            note(m, &key, summary.treated[c] == 0, &why);
        }
    }
    for a in report.analyses.values_mut() {
        let none = reason(&a.missing, "mean_estimate", SINGLE);
        let m = &mut a.missing;
        note(m, "mean_estimate_se", a.mean_estimate_se.is_none(), &none);
        note(
            m,
            "mean_standard_error",
            a.mean_standard_error.is_none(),
            &none,
        );
        note(m, "mean_effect_size", a.mean_effect_size.is_none(), &none);
        note(m, "true_value", a.true_value.is_none(), NO_TRUE_VALUE);
    }
    for c in &mut report.contrasts {
        let none = reason(&c.missing, "mean_estimate", SINGLE);
        note(
            &mut c.missing,
            "mean_estimate_se",
            c.mean_estimate_se.is_none(),
            &none,
        );
    }
}
