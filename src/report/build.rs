//! Computes the reported quantities and their Monte Carlo errors from a run's [`Summary`],
//! its [`StoppingRules`] and the design's facts ([`DesignFacts`]: exact power, the linear
//! model's constants, true values, the hypotheses in words), one builder per report section.
//! Nothing here computes a statistic of the design: the layers that own them hand them over.

use super::*;
use crate::adaptive::TwoStagePlan;
use crate::config::design::TrialDesign;
use crate::config::LoadedConfig;
use crate::engine::exact_sum::ExactSum;
use crate::engine::summary::AnalysisTally;
use crate::engine::{StopReason, Summary};
use crate::facts::{AnalysisFacts, ContrastFacts, DesignFacts};
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

/// Builds the report of a finished run from its summary and the design's facts (computed
/// before the run by [`DesignFacts::of`]): one builder per section, each reading what it needs.
pub fn build_report(
    loaded: &LoadedConfig,
    rules: &StoppingRules,
    facts: &DesignFacts,
    summary: &Summary,
    meta: RunMetadata,
) -> RunReport {
    let d = &loaded.design;
    let level = primary_level(d, rules);
    let contrasts = contrasts(d, facts, summary, level);
    let mut report = RunReport {
        tool: ToolInfo::current(),
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
        true_effect: facts.true_effect,
        under_null: facts.primary_contrast().under_null,
        true_value_basis: true_value_basis(facts.primary_contrast()),
        closed_form: closed_form(d, facts),
        two_stage: d
            .two_stage()
            .map(|plan| two_stage(plan, d, summary, facts.true_effect)),
        bioequivalence: bioequivalence(d, facts, summary),
        metrics: metrics(facts, summary),
        time_course: time_course(d, facts, summary),
        sequences: d.crossover().sequence_labels(),
        family: family(d, summary, &contrasts),
        contrasts,
        primary: primary(d, rules, facts, summary, level),
        analyses: analyses(d, facts, summary, level),
        looks: looks(d, rules, summary),
        expected_enrolled: count(
            summary.enrolled_sum,
            summary.enrolled_squared_sum,
            summary.replicates,
        ),
        completers: count(
            summary.completers_sum,
            summary.completers_squared_sum,
            summary.replicates,
        ),
        responders: responders(loaded, summary),
        adverse_events: adverse_events(d, summary),
        config: loaded.resolved.clone(),
        fixed_critical_z: Some(facts.fixed_critical_z),
    };
    explain_missing(&mut report, summary, loaded);
    report
}

/// The level of the primary test at the end: a two-stage method's adjusted level, else the
/// nominal level of the last look (analysis.alpha in a fixed design).
fn primary_level(d: &TrialDesign, rules: &StoppingRules) -> f64 {
    match d.two_stage() {
        Some(plan) => plan.alpha(),
        None => *rules.nominal_level.last().unwrap_or(&d.analysis().alpha()),
    }
}

/// The confidence level of the intervals reported with the primary contrasts: the primary's
/// level, adjusted by the multiplicity procedure with several contrasts (Bonferroni's
/// simultaneous intervals).
fn interval_level(d: &TrialDesign, primary_level: f64) -> f64 {
    let alpha = d
        .analysis()
        .multiplicity()
        .interval_alpha(primary_level, d.contrasts().len());
    d.analysis().hypothesis().interval_level(alpha)
}

/// What the primary contrast's true value is, in words (`true_value_basis`).
fn true_value_basis(primary: &ContrastFacts) -> String {
    let latent = primary.latent_effect;
    match primary.analysed_effect {
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

/// The exact power of the primary hypothesis (`closed_form`), its method or why there is none,
/// and a bioequivalence design's power curve.
fn closed_form(d: &TrialDesign, facts: &DesignFacts) -> ClosedFormReport {
    match &facts.exact_power {
        Ok(e) => ClosedFormReport {
            power: Some(e.power),
            standard_error: Some(e.standard_error),
            df: Some(e.df),
            note: match d.analysis().hypothesis() {
                Hypothesis::Equivalence { .. } => {
                    "Owen's Q integral; the design is balanced, complete and homogeneous normal on the analysis scale"
                }
                _ => "noncentral t; the design is balanced, complete and homogeneous normal on the analysis scale",
            }
            .to_string(),
            power_curve: facts
                .power_curve
                .iter()
                .map(|&(true_ratio, power)| PowerCurvePoint { true_ratio, power })
                .collect(),
            missing: BTreeMap::new(),
        },
        Err(why) => {
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

/// A two-stage design's paths (`two_stage`): how often it passed or stopped at each stage, and
/// the distribution of its total N.
fn two_stage(
    plan: &TwoStagePlan,
    d: &TrialDesign,
    summary: &Summary,
    true_effect: f64,
) -> TwoStageReport {
    let t = &summary.two_stage;
    let ratio = d.endpoint().is_ratio();
    let distribution = |m: &crate::adaptive::EstimateMoments| {
        let (mean, sd) = m.mean_sd(false)?;
        let on_ratio = m.mean_sd(true).filter(|_| ratio);
        Some(EstimateDistribution {
            trials: m.count,
            mean,
            sd,
            bias: mean - true_effect,
            bias_se: sd / (m.count as f64).sqrt(),
            mean_ratio: on_ratio.map(|r| r.0),
            sd_ratio: on_ratio.map(|r| r.1),
            bias_ratio: on_ratio.map(|r| r.0 - true_effect.exp()),
        })
    };
    let final_estimate = distribution(&t.final_naive).map(|naive| FinalEstimatesReport {
        true_effect,
        true_ratio: ratio.then(|| true_effect.exp()),
        naive,
        median_unbiased: distribution(&t.final_median_unbiased),
    });
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
        steps: match d.bioequivalence() {
            // Each stage decided by the rule: the scaled interim's steps.
            Some(rule) if d.contrasts().len() > 1 => {
                let per_comparison = TwoStagePlan {
                    alpha: rule.alpha(),
                    ..plan.clone()
                };
                format!(
                    "Each of the {m} comparisons ({names}) on the data of its two conditions only, {how}: {steps} A comparison that passes, fails with the target power or is futile at stage 1 is closed and never re-tested; stage 2 (when any comparison goes on) enrolls the largest total N any continuing comparison requires, with the same sequences, and the pooled analysis decides the continuing comparisons.",
                    m = d.contrasts().len(),
                    names = d
                        .contrasts()
                        .iter()
                        .map(|c| c.name())
                        .collect::<Vec<_>>()
                        .join(", "),
                    how = match d.analysis().multiplicity().as_str() {
                        "bonferroni" => format!(
                            "at Bonferroni's alpha {} / {} = {}",
                            plan.alpha(),
                            d.contrasts().len(),
                            rule.alpha()
                        ),
                        _ => format!("each at the full alpha {} (no multiplicity adjustment)", rule.alpha()),
                    },
                    steps = crate::adaptive::describe_ruled(&per_comparison, d.enrolled(), rule),
                )
            }
            Some(rule) => crate::adaptive::describe_ruled(plan, d.enrolled(), rule),
            None => crate::adaptive::describe(plan, d.enrolled(), d.endpoint().is_ratio()),
        },
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
        final_estimate,
        comparison_alpha: (!t.comparisons.is_empty())
            .then(|| d.bioequivalence().map(|rule| rule.alpha()))
            .flatten(),
        comparisons: t
            .comparisons
            .iter()
            .zip(d.contrasts())
            .map(|(c, contrast)| FormulationReport {
                name: contrast.name().to_string(),
                success: Proportion::new(c.stage1_pass + c.stage2_pass, r),
                success_stage1: Proportion::new(c.stage1_pass, r),
                success_stage2: Proportion::new(c.stage2_pass, r),
                fail_stage1: Proportion::new(c.stage1_fail, r),
                futile: Proportion::new(c.futile, r),
                stage2: Proportion::new(c.stage2, r),
            })
            .collect(),
        at_least_one: (!t.comparisons.is_empty()).then(|| Proportion::new(t.at_least_one, r)),
        all: (!t.comparisons.is_empty()).then(|| Proportion::new(t.all, r)),
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

/// Every primary contrast (`contrasts`): its rejection rate (from the family's tallies with
/// several, from the primary analysis with one), its true value, its exact power and the linear
/// model's design constants.
fn contrasts(
    d: &TrialDesign,
    facts: &DesignFacts,
    summary: &Summary,
    primary_level: f64,
) -> Vec<ContrastReport> {
    let r = summary.replicates.max(1);
    let interval_level = interval_level(d, primary_level);
    d.contrasts()
        .iter()
        .zip(&facts.contrasts)
        .enumerate()
        .map(|(i, (c, f))| {
            let tally = if d.contrasts().len() > 1 {
                &summary.contrasts[i]
            } else {
                &summary.analyses[d.analysis().primary().index()]
            };
            // A primary analysis that targets something else than the contrast's population
            // value (responders_paired) has no mean estimate of the contrast.
            let (mean, mean_se) = if facts.primary_estimates_contrast {
                mean_and_se(tally)
            } else {
                (None, None)
            };
            // The linear model's design constants describe the primary only when the primary
            // estimates the contrast in a fixed design.
            let constants_apply = facts.primary_estimates_contrast && d.two_stage().is_none();
            let variance_factor = f.variance_factor.filter(|_| constants_apply);
            let df = f.df.filter(|_| constants_apply);
            ContrastReport {
                name: c.name().to_string(),
                weights: d
                    .condition_names()
                    .iter()
                    .zip(c.weights())
                    .filter(|(_, &w)| w != 0.0)
                    .map(|(n, &w)| (n.clone(), w))
                    .collect(),
                true_value: f.true_value,
                under_null: f.under_null,
                rejection_rate: Proportion::new(tally.rejected, r),
                mean_estimate: mean,
                mean_estimate_se: mean_se,
                mean_interval: mean.and_then(|_| mean_interval(tally, interval_level)),
                exact_power: f.exact_power.as_ref().ok().copied(),
                variance_factor,
                df,
                missing: contrast_missing(d, facts, f, constants_apply, mean, variance_factor, df),
            }
        })
        .collect()
}

/// Why a primary contrast's blank figures are blank.
fn contrast_missing(
    d: &TrialDesign,
    facts: &DesignFacts,
    f: &ContrastFacts,
    constants_apply: bool,
    mean: Option<f64>,
    variance_factor: Option<f64>,
    df: Option<f64>,
) -> BTreeMap<String, String> {
    let mut missing = BTreeMap::new();
    if let Err(why) = &f.exact_power {
        missing.insert("exact_power".to_string(), format!("no closed form: {why}"));
    }
    if mean.is_none() {
        missing.insert(
            "mean_estimate".to_string(),
            if !facts.primary_estimates_contrast {
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
            "the linear model has no residual df with design.enrolled participants".to_string(),
        );
    }
    missing
}

/// The joint figures of several primary contrasts (`family`; None with one).
fn family(
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
        // A two-stage design shares its adjusted alpha among the comparisons.
        procedure: procedure.describe(
            m,
            d.two_stage().map_or(d.analysis().alpha(), |ts| ts.alpha()),
        ),
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

/// The primary analysis's headline figures (`primary`): its power split by direction, its
/// mean estimate at the stop and among trials stopped early, its mean interval, and for a
/// ratio endpoint the same on the ratio scale.
fn primary(
    d: &TrialDesign,
    rules: &StoppingRules,
    facts: &DesignFacts,
    summary: &Summary,
    primary_level: f64,
) -> PrimaryReport {
    let r = summary.replicates.max(1);
    let name = d.analysis().primary();
    let tally = &summary.analyses[name.index()];
    let early = &summary.primary_early_stopped;
    // The pooled two-stage estimate has no standardized effect size.
    let two_stage = d.two_stage().is_some();
    let (mean_at_stop, mean_at_stop_se) = mean_and_se(tally);
    let (mean_early, mean_early_se) = mean_and_se(early);
    // The level of the primary's intervals: Bonferroni's adjusted level with several contrasts.
    let interval = mean_interval(tally, interval_level(d, primary_level));
    PrimaryReport {
        analysis: name.as_str().to_string(),
        power: Proportion::new(tally.rejected, r),
        not_analyzable: tally.not_analyzable_total(),
        true_value: facts.analysis(name).true_value,
        mean_estimate_at_stop: mean_at_stop,
        mean_estimate_at_stop_se: mean_at_stop_se,
        mean_estimate_early_stopped: mean_early,
        mean_estimate_early_stopped_se: mean_early_se,
        mean_effect_size_at_stop: (tally.analyzed > 0 && !two_stage)
            .then(|| tally.sum_effect_size.value() / tally.analyzed as f64),
        mean_effect_size_early_stopped: (early.analyzed > 0 && !two_stage)
            .then(|| early.sum_effect_size.value() / early.analyzed as f64),
        early_stopped: early.analyzed + early.not_analyzable_total(),
        hypothesis: facts.analysis(name).hypothesis.clone(),
        rejected_favouring_test: Proportion::new(tally.rejected_favouring_test, r),
        rejected_favouring_reference: Proportion::new(
            tally.rejected - tally.rejected_favouring_test,
            r,
        ),
        mean_interval: interval,
        ratio: d.endpoint().is_ratio().then(|| RatioReport {
            true_ratio: facts.true_effect.exp(),
            geometric_mean_ratio: mean_at_stop.map(f64::exp),
            interval: interval.map(|i| Interval {
                level: i.level,
                lower: i.lower.exp(),
                upper: i.upper.exp(),
            }),
        }),
        missing: primary_missing(d, rules, summary, mean_at_stop, mean_early),
    }
}

/// Why the primary's blank figures are blank (the Monte Carlo SEs of a single analysable trial
/// are explained later, by [`explain_missing`]).
fn primary_missing(
    d: &TrialDesign,
    rules: &StoppingRules,
    summary: &Summary,
    mean_at_stop: Option<f64>,
    mean_early: Option<f64>,
) -> BTreeMap<String, String> {
    let mut missing = BTreeMap::new();
    if d.two_stage().is_some() {
        for key in ["mean_effect_size_at_stop", "mean_effect_size_early_stopped"] {
            missing.insert(
                key.to_string(),
                "the pooled two-stage estimate has no standardized effect size".to_string(),
            );
        }
    }
    if mean_at_stop.is_none() {
        missing.insert(
            "mean_estimate_at_stop".to_string(),
            "the primary analysis was not analyzable on any trial".to_string(),
        );
    }
    if mean_early.is_none() {
        let not_analyzable = summary.primary_early_stopped.not_analyzable_total() > 0;
        missing.insert(
            "mean_estimate_early_stopped".to_string(),
            if d.two_stage().is_some() {
                if not_analyzable {
                    "the primary analysis was not analyzable on any trial that stopped after stage 1"
                        .to_string()
                } else {
                    "no trial stopped after stage 1".to_string()
                }
            } else if rules.looks.len() == 1 {
                "fixed design: no interim look".to_string()
            } else if not_analyzable {
                "the primary analysis was not analyzable on any trial that stopped early"
                    .to_string()
            } else {
                "no trial stopped early".to_string()
            },
        );
    }
    missing
}

/// Every analysis run, by name (`analyses`).
fn analyses(
    d: &TrialDesign,
    facts: &DesignFacts,
    summary: &Summary,
    primary_level: f64,
) -> BTreeMap<String, AnalysisReport> {
    d.analysis()
        .all()
        .map(|name| {
            let level = if name == d.analysis().primary() {
                primary_level
            } else {
                d.analysis().level_of(name)
            };
            let report = analysis(d, facts.analysis(name), summary, level);
            (name.as_str().to_string(), report)
        })
        .collect()
}

/// One analysis at `level`: its role, hypothesis, rejection rate, how often it could be
/// computed and why not, and its mean estimate against the true value.
fn analysis(
    d: &TrialDesign,
    facts: &AnalysisFacts,
    summary: &Summary,
    level: f64,
) -> AnalysisReport {
    let name = facts.name;
    let r = summary.replicates.max(1);
    let two_stage = d.two_stage().is_some();
    let tally = &summary.analyses[name.index()];
    let (mean, mean_se) = mean_and_se(tally);
    let analyzed = tally.analyzed;
    let per = |s: ExactSum| (analyzed > 0).then(|| s.value() / analyzed as f64);
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
    if facts.true_value.is_none() {
        missing.insert(
            "true_value".to_string(),
            "the config implies no closed-form value for this estimate".to_string(),
        );
    }
    AnalysisReport {
        role: if name == d.analysis().primary() {
            "primary"
        } else {
            "secondary"
        }
        .to_string(),
        level,
        hypothesis: facts.hypothesis.clone(),
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
        true_value: facts.true_value,
        mean_standard_error: per(tally.sum_standard_error),
        mean_effect_size: per(tally.sum_effect_size).filter(|_| !two_stage),
        missing,
    }
}

/// Each look of a fixed or group-sequential design (`looks`): its boundaries and how often the
/// trial stopped there. A two-stage run reports its stages (`two_stage`) instead.
fn looks(d: &TrialDesign, rules: &StoppingRules, summary: &Summary) -> Vec<LookReport> {
    if d.two_stage().is_some() {
        return Vec::new();
    }
    let r = summary.replicates.max(1);
    rules
        .looks
        .iter()
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
        .collect()
}

/// The mean of a per-trial count over `replicates` trials from its sum and sum of squares, with
/// its Monte Carlo SE (`expected_enrolled`, `completers`).
fn count(sum: u64, squares: u128, replicates: u64) -> CountReport {
    let r = replicates.max(1);
    let rf = r as f64;
    let mean = sum as f64 / rf;
    let var = if r > 1 {
        ((squares as f64 - rf * mean * mean) / (rf - 1.0)).max(0.0)
    } else {
        0.0
    };
    CountReport {
        mean,
        se: (var / rf).sqrt(),
    }
}

/// The distribution of responders under the reference condition at the stop (`responders`),
/// for a config with a responder endpoint (a [response] section, filled in when an analysis
/// needs one) and the baseline scores it needs.
fn responders(loaded: &LoadedConfig, summary: &Summary) -> Option<RespondersReport> {
    let d = &loaded.design;
    if d.population().baseline.is_none() || loaded.resolved.response.is_none() {
        return None;
    }
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
    Some(RespondersReport {
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
    })
}

/// The adverse-event rate per condition among the participants treated with it
/// (`adverse_events`; None without an [adverse_events] section).
fn adverse_events(d: &TrialDesign, summary: &Summary) -> Option<AdverseEventReport> {
    d.adverse_event().map(|ae| AdverseEventReport {
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
    })
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

/// The bioequivalence rule's section: its pass rate and components over all replicates, and
/// the distributions of the estimated CVwR and of the applied upper limit.
fn bioequivalence(
    d: &TrialDesign,
    facts: &DesignFacts,
    summary: &Summary,
) -> Option<super::BioequivalenceReport> {
    let rule = d.bioequivalence()?;
    let truth = facts.bioequivalence?;
    let b = &summary.bioequivalence;
    let n = summary.replicates.max(1);
    let p = |k: u64| Proportion::new(k, n);
    let spec = rule.spec();
    let c = rule.constants();
    let mut constants = Vec::new();
    match c.switch {
        crate::config::design::Switch::AboveCv(cv) => {
            constants.push(format!("scales when CVwR > {cv}"))
        }
        crate::config::design::Switch::AtLeastSwr(sw) => {
            constants.push(format!("scales when swR >= {sw}"))
        }
        crate::config::design::Switch::Never => {}
    }
    if let Some(cap) = c.cap_cv {
        constants.push(format!("cap CVwR {cap}"));
    }
    if c.k > 0.0 {
        // Seven decimals show the derived constants (0.8925742) without binary residue, and
        // trailing zeros go (0.76, not 0.7600000).
        let k = format!("{:.7}", c.k);
        constants.push(format!(
            "k = {}",
            k.trim_end_matches('0').trim_end_matches('.')
        ));
    }
    constants.push(format!(
        "PE constraint {}",
        if c.pe_constraint { "on" } else { "off" }
    ));
    if let Some(r) = c.ratio_limit {
        constants.push(format!("sigma_wT/sigma_wR upper 90% limit <= {r}"));
    }
    let decided = b.decided.max(1) as f64;
    let distribution = |sum: f64, squares: f64, histogram: &[u64], bin: f64, origin: f64| {
        let mean = sum / decided;
        let sd = (squares / decided - mean * mean).max(0.0).sqrt();
        let quantile = |q: f64| {
            let target = q * b.decided as f64;
            let mut cumulative = 0u64;
            for (i, &k) in histogram.iter().enumerate() {
                cumulative += k;
                if cumulative as f64 >= target && k > 0 {
                    return origin + (i as f64 + 0.5) * bin;
                }
            }
            f64::NAN
        };
        super::DistributionReport {
            mean,
            sd,
            p05: quantile(0.05),
            p50: quantile(0.50),
            p95: quantile(0.95),
        }
    };
    use crate::engine::summary::{CV_BIN, LIMIT_BIN};
    Some(super::BioequivalenceReport {
        rule: spec.name.to_string(),
        metric: facts.metrics.first().map(|m| m.name.clone()),
        title: spec.title.to_string(),
        source: spec.source.to_string(),
        estimation: spec.estimation.as_str().to_string(),
        constants: constants.join(", "),
        alpha: rule.alpha(),
        true_cv_reference: truth.cv_reference,
        true_limits: [truth.limits.0, truth.limits.1],
        bioequivalent: p(b.bioequivalent),
        criterion: p(b.criterion),
        point_estimate: p(b.point_estimate),
        average: p(b.average),
        variability_ratio: c.ratio_limit.map(|_| p(b.variability_ratio)),
        scaled: p(b.scaled),
        not_decided: summary.replicates - b.decided,
        cv_reference: distribution(
            b.cv_sum.value(),
            b.cv_squared_sum.value(),
            &b.cv_histogram,
            CV_BIN,
            0.0,
        ),
        upper_limit: distribution(
            b.limit_sum.value(),
            b.limit_squared_sum.value(),
            &b.limit_histogram,
            LIMIT_BIN,
            1.0,
        ),
    })
}

/// With several PK metrics: each metric's pass rate, mean estimate and interval, the
/// correlation of its estimate with the first metric's, and the rate at which all passed.
fn metrics(facts: &DesignFacts, summary: &Summary) -> Option<super::MetricsReport> {
    if facts.metrics.is_empty() || summary.metrics.len() != facts.metrics.len() {
        return None;
    }
    let n = summary.replicates.max(1);
    let all_pass = Proportion::new(summary.analyses_primary_rejected(), n);
    let metrics = facts
        .metrics
        .iter()
        .zip(&summary.metrics)
        .map(|(f, t)| {
            let a = &t.analysis;
            let analysed = a.analyzed as f64;
            let intervals = a.intervals as f64;
            super::MetricReport {
                name: f.name.clone(),
                true_ratio: f.true_effect.exp(),
                true_cv_reference: f.cv_reference,
                decided_by: f.decided_by.clone(),
                under_null: f.under_null,
                passed: Proportion::new(a.rejected, n),
                scaled: (t.bioequivalence.decided > 0 && f.decided_by != "abe")
                    .then(|| Proportion::new(t.bioequivalence.scaled, n)),
                mean_ratio: (a.analyzed > 0).then(|| (a.sum_estimate.value() / analysed).exp()),
                mean_interval: (a.intervals > 0).then(|| {
                    [
                        (a.sum_interval_lower.value() / intervals).exp(),
                        (a.sum_interval_upper.value() / intervals).exp(),
                    ]
                }),
                correlation_with_first: t.correlation_with_first(),
                expected_correlation: f.expected_correlation,
            }
        })
        .collect();
    Some(super::MetricsReport { all_pass, metrics })
}

/// With a time course: each post-baseline day's test (the primary day's is the primary
/// analysis) and the mean score of each day under each condition.
fn time_course(
    d: &TrialDesign,
    facts: &DesignFacts,
    summary: &Summary,
) -> Option<super::TimeCourseReport> {
    let tc = d.cohort().time_course()?;
    if summary.days.len() + 2 != tc.days.len() {
        return None;
    }
    let n = summary.replicates.max(1);
    let primary = &summary.analyses[d.analysis().primary().index()];
    let row = |day: u32, a: &crate::engine::AnalysisTally, in_sequence: u64| {
        let analysed = a.analyzed as f64;
        super::DayTestReport {
            day,
            rejected_in_sequence: Proportion::new(in_sequence, n),
            rejected: Proportion::new(a.rejected, n),
            mean_estimate: (a.analyzed > 0).then(|| a.sum_estimate.value() / analysed),
            mean_standard_error: (a.analyzed > 0).then(|| a.sum_standard_error.value() / analysed),
            analysed_trials: a.analyzed,
        }
    };
    let tests = std::iter::once(row(tc.days[1], primary, primary.rejected))
        .chain(
            summary
                .days
                .iter()
                .zip(&tc.days[2..])
                .map(|(t, &day)| row(day, &t.analysis, t.rejected_in_hierarchy)),
        )
        .collect();
    let names = d.crossover().condition_names();
    let trajectory = summary
        .trajectory
        .iter()
        .enumerate()
        .map(|(at, t)| {
            let count = t.count as f64;
            let mean = (t.count > 0).then(|| t.sum.value() / count);
            let sd = (t.count > 1).then(|| {
                let m = t.sum.value() / count;
                ((t.sum_squared.value() - count * m * m).max(0.0) / (count - 1.0)).sqrt()
            });
            super::TrajectoryPoint {
                day: tc.days[at / names.len()],
                condition: names[at % names.len()].clone(),
                scores: t.count,
                mean,
                sd,
            }
        })
        .collect();
    Some(super::TimeCourseReport {
        days: tc.days.clone(),
        primary_day: tc.primary_day(),
        tests,
        trajectory,
        relapse: summary
            .relapse
            .as_ref()
            .zip(facts.relapse.as_ref())
            .map(|(t, f)| relapse(t, f)),
    })
}

/// A relapse-gated crossover's simulated counts beside the closed form.
fn relapse(
    t: &crate::engine::summary::RelapseTally,
    f: &crate::facts::RelapseFacts,
) -> super::RelapseReport {
    let entered = t.entered as f64;
    let trials = t.completed_trials as f64;
    let mean_interval = (t.entered > 0).then(|| t.interval_sum as f64 / entered);
    let finite = |x: f64| x.is_finite().then_some(x);
    let bias = (t.completed_trials > 0).then(|| t.difference_sum.value() / trials);
    super::RelapseReport {
        p_enter: Proportion::new(t.entered, t.treated_first),
        p_enter_closed_form: f.p_enter,
        intervals: f
            .visit_days
            .iter()
            .zip(&f.interval_mass)
            .zip(&t.interval_histogram)
            .map(|((&day, &closed_form), &participants)| super::IntervalRow {
                day,
                simulated: (t.entered > 0).then(|| participants as f64 / entered),
                closed_form,
                participants,
            })
            .collect(),
        mean_interval,
        mean_interval_closed_form: finite(f.mean_interval),
        sd_interval: mean_interval.filter(|_| t.entered > 1).map(|m| {
            ((t.interval_squared_sum as f64 - entered * m * m).max(0.0) / (entered - 1.0)).sqrt()
        }),
        sd_interval_closed_form: finite(f.sd_interval),
        mean_shortest_interval: (t.completed_trials > 0).then(|| t.shortest_sum as f64 / trials),
        mean_longest_interval: (t.completed_trials > 0).then(|| t.longest_sum as f64 / trials),
        completed_trials: t.completed_trials,
        completers_mean_difference: (t.completed_trials > 0)
            .then(|| t.completers_sum.value() / trials),
        completers_mean_difference_closed_form: f.completers_effect,
        everyone_mean_difference: (t.completed_trials > 0).then(|| t.everyone_sum.value() / trials),
        completers_bias: bias,
        completers_bias_se: bias.filter(|_| t.completed_trials > 1).map(|b| {
            ((t.difference_squared_sum.value() - trials * b * b).max(0.0) / (trials - 1.0) / trials)
                .sqrt()
        }),
    }
}
