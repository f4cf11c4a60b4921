//! The analysis of a real two-stage trial from its stages' summaries (n, PE, CV; df and SE
//! when data are missing): the interim decision and stage 2's size, and after stage 2 the
//! final decision. For the inverse-normal method (Power2Stage's `interim.tsd.in` and
//! `final.tsd.in`) the z-scores, the repeated confidence interval and, at the end, the
//! median-unbiased estimate; for Potvin-type methods the interim decision and the pooled
//! final interval with a stage term (Potvin et al. 2008, Example 2). Exact distribution
//! functions throughout (no node rules: one trial, not a million).

use super::inverse_normal::{
    median_unbiased_estimate, repeated_interval_final, repeated_interval_stage1, Interim,
    InterimSettings, StageResult,
};
use super::{pooled_estimate, PreparedTwoStage, StageOne, StageStatistics, TwoStagePlan};
use crate::inference::Hypothesis;
use crate::numerics::t_quantile;
use serde::Serialize;

/// One stage as a report gives it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StageSummary {
    /// Participants (completers) analysed.
    pub n: usize,
    /// Point estimate of the ratio T/R.
    pub ratio: f64,
    /// Within-participant CV.
    pub cv: f64,
    /// Residual df when it is not n - 2 (missing data).
    pub df: Option<f64>,
    /// Standard error of ln PE when it is not the balanced one.
    pub se: Option<f64>,
}

impl StageSummary {
    fn result(&self) -> StageResult {
        StageResult::from_summary(self.n, self.ratio, self.cv, self.df, self.se)
    }

    fn mse(&self) -> f64 {
        (self.cv * self.cv).ln_1p()
    }
}

/// The interim analysis of a real trial.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InterimAnalysis {
    /// `"stop: bioequivalent"`, `"stop: not bioequivalent"`, `"stop: futility (...)"` or
    /// `"continue to stage 2"`.
    pub decision: String,
    /// Whether the trial stops.
    pub stops: bool,
    /// Stage 2's size (0 when the trial stops, except that the inverse-normal method reports
    /// it also when futility stops it, as Power2Stage does).
    pub n2: usize,
    /// Inverse normal: the stage's p-values, z-scores, power and how stage 2 was sized.
    pub combination: Option<Interim>,
    /// Inverse normal: the stage-1 repeated confidence interval (ratio scale).
    pub repeated_ci: Option<[f64; 2]>,
    /// The stage-1 90% confidence interval (ratio scale).
    pub ci90: [f64; 2],
    /// Potvin-type: the stage-1 interval at the adjusted alpha (ratio scale).
    pub adjusted_ci: Option<[f64; 2]>,
}

/// The final analysis of a real trial.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FinalAnalysis {
    /// Whether the trial shows bioequivalence.
    pub bioequivalent: bool,
    /// Inverse normal: the combined z-scores of H01 and H02.
    pub z_scores: Option<[f64; 2]>,
    /// Inverse normal: the repeated confidence interval (ratio scale).
    pub repeated_ci: Option<[f64; 2]>,
    /// Inverse normal: the median-unbiased estimate (ratio).
    pub median_unbiased: Option<f64>,
    /// Potvin-type: the pooled estimate with a stage term (ratio), its df and the
    /// 100 (1 - 2 alpha)% interval.
    pub pooled_ratio: Option<f64>,
    /// Residual df of the pooled analysis (N - 3).
    pub pooled_df: Option<f64>,
    /// The pooled interval (ratio scale).
    pub pooled_ci: Option<[f64; 2]>,
}

/// The analysis of a real two-stage trial: the interim, and the final analysis when stage 2
/// is given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrialAnalysis {
    /// The method's config name.
    pub method: String,
    /// The method in words.
    pub description: String,
    /// The stages as given.
    pub stage1: StageSummary,
    /// Stage 2 as given.
    pub stage2: Option<StageSummary>,
    /// The interim analysis.
    pub interim: InterimAnalysis,
    /// The final analysis.
    pub final_analysis: Option<FinalAnalysis>,
}

fn ratio_interval(lo: f64, hi: f64) -> [f64; 2] {
    [lo.exp(), hi.exp()]
}

/// Analyses a real trial under `plan` (validated for `hypothesis`, an equivalence with
/// margins on the log scale). The caller checks the summaries (n >= 3, ratio and CV > 0).
pub fn analyse_trial(
    plan: &TwoStagePlan,
    hypothesis: Hypothesis,
    stage1: StageSummary,
    stage2: Option<StageSummary>,
) -> TrialAnalysis {
    let (lower, upper) = match hypothesis {
        Hypothesis::Equivalence { lower, upper } => (lower, upper),
        _ => (f64::NEG_INFINITY, f64::INFINITY),
    };
    let s1 = stage1.result();
    let t95 = t_quantile(0.95, s1.df);
    let ci90 = ratio_interval(
        s1.estimate - t95 * s1.standard_error,
        s1.estimate + t95 * s1.standard_error,
    );
    let description = super::describe(plan, stage1.n, true);
    let (interim, final_analysis) = match &plan.combination {
        Some(c) => {
            let settings = InterimSettings {
                plan: c,
                lower,
                upper,
                assumed_effect: plan.assumed_effect,
                target_power: plan.target_power,
                power_method: plan.power_method,
                estimate_futility: plan.estimate_futility,
                min_stage2: plan.min_stage2,
                max_total: plan.max_total,
                nodes: None,
            };
            let decided = settings.decide(&s1, stage1.n, stage1.mse(), t95, true);
            let decision = if decided.bioequivalent {
                "stop: bioequivalent".to_string()
            } else if decided.futile() {
                let mut why = Vec::new();
                if decided.futile_power {
                    why.push("stage-1 power");
                }
                if decided.futile_estimate {
                    why.push("stage-1 estimate");
                }
                if decided.futile_total {
                    why.push("total N");
                }
                format!("stop: futility ({})", why.join(", "))
            } else {
                "continue to stage 2".to_string()
            };
            let rci = repeated_interval_stage1(&c.combination, &s1);
            let interim = InterimAnalysis {
                decision,
                stops: decided.stops(),
                n2: decided.n2,
                combination: Some(decided),
                repeated_ci: Some(ratio_interval(rci[0], rci[1])),
                ci90,
                adjusted_ci: None,
            };
            let final_analysis = stage2.map(|st2| {
                let s2 = st2.result();
                let decided = super::inverse_normal::final_decision(
                    &c.combination,
                    &s1,
                    &s2,
                    lower,
                    upper,
                    None,
                );
                FinalAnalysis {
                    bioequivalent: decided.bioequivalent,
                    z_scores: Some(decided.z_scores),
                    repeated_ci: repeated_interval_final(&c.combination, &s1, &s2)
                        .map(|r| ratio_interval(r[0], r[1])),
                    median_unbiased: median_unbiased_estimate(&c.combination, &s1, &s2)
                        .map(f64::exp),
                    pooled_ratio: None,
                    pooled_df: None,
                    pooled_ci: None,
                }
            });
            (interim, final_analysis)
        }
        None => {
            let prepared = PreparedTwoStage::new(plan, stage1.n, hypothesis);
            let stats1 = StageStatistics::from_summary(stage1.n, s1.estimate, stage1.mse());
            let t = t_quantile(1.0 - plan.alpha, s1.df);
            let adjusted_ci = Some(ratio_interval(
                s1.estimate - t * s1.standard_error,
                s1.estimate + t * s1.standard_error,
            ));
            let (decision, stops, n2) = match prepared.stage_one(&stats1) {
                StageOne::Pass(_) => ("stop: bioequivalent".to_string(), true, 0),
                StageOne::Fail(_) => ("stop: not bioequivalent".to_string(), true, 0),
                StageOne::Futile(_) => ("stop: futility".to_string(), true, 0),
                StageOne::Continue { total, capped } => (
                    if capped {
                        format!("continue to stage 2 (capped at N = {total})")
                    } else {
                        "continue to stage 2".to_string()
                    },
                    false,
                    total - stage1.n,
                ),
            };
            let interim = InterimAnalysis {
                decision,
                stops,
                n2,
                combination: None,
                repeated_ci: None,
                ci90,
                adjusted_ci,
            };
            let final_analysis = stage2.map(|st2| {
                let stats2 = StageStatistics::from_summary(st2.n, st2.ratio.ln(), st2.mse());
                let pooled = pooled_estimate(&[stats1, stats2]);
                match pooled {
                    Some(e) => {
                        let t = t_quantile(1.0 - plan.alpha, e.df);
                        let (lo, hi) = (
                            e.estimate - t * e.standard_error,
                            e.estimate + t * e.standard_error,
                        );
                        FinalAnalysis {
                            bioequivalent: lo >= lower && hi <= upper,
                            z_scores: None,
                            repeated_ci: None,
                            median_unbiased: None,
                            pooled_ratio: Some(e.estimate.exp()),
                            pooled_df: Some(e.df),
                            pooled_ci: Some(ratio_interval(lo, hi)),
                        }
                    }
                    None => FinalAnalysis {
                        bioequivalent: false,
                        z_scores: None,
                        repeated_ci: None,
                        median_unbiased: None,
                        pooled_ratio: None,
                        pooled_df: None,
                        pooled_ci: None,
                    },
                }
            });
            (interim, final_analysis)
        }
    };
    TrialAnalysis {
        method: plan.method.as_str().to_string(),
        description,
        stage1,
        stage2,
        interim,
        final_analysis,
    }
}
