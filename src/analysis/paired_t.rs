//! Paired t test on within-participant differences D = change under T - change under R
//! (R's `t.test(x, y, paired = TRUE)`; the paper's primary analysis when applied to responders).

use super::{
    is_zero_variance, mean_and_variance, AnalysisOutcome, AnalysisSpec, Estimand, Estimate,
    LookData, Needs, NotAnalyzable, Scope, TestStatistic,
};

/// `completers_paired`: the paired t on everyone who received both conditions.
pub static SPEC: AnalysisSpec = AnalysisSpec {
    name: "completers_paired",
    title: "paired t test on everyone who received both conditions",
    needs: Needs {
        differences: true,
        ..Needs::NONE
    },
    scope: Scope::PairedContrast,
    needs_response: false,
    t_based: true,
    diagnostic: false,
    estimand: Estimand::ContrastEffect,
    estimate: |data: &mut LookData| paired_t(&data.differences),
};

/// Paired t on the differences: estimate mean(D), SE sd(D)/sqrt(n), df n - 1, effect size d_z = mean/sd.
pub fn paired_t(differences: &[f64]) -> AnalysisOutcome {
    let n = differences.len();
    if n < 2 {
        return AnalysisOutcome::NotAnalyzable(NotAnalyzable::TooFewParticipants);
    }
    let (mean, variance) = mean_and_variance(differences);
    if is_zero_variance(variance, mean) {
        return AnalysisOutcome::NotAnalyzable(NotAnalyzable::ZeroVariance);
    }
    let sd = variance.sqrt();
    let standard_error = sd / (n as f64).sqrt();
    let statistic = mean / standard_error;
    let df = n - 1;
    AnalysisOutcome::Analyzed(Estimate {
        estimate: mean,
        standard_error,
        statistic,
        df: df as f64,
        effect_size: mean / sd,
        n,
        test: TestStatistic::StudentT { t: statistic, df },
    })
}
