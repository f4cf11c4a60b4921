//! Welch's unequal-variance t test on period-1 changes, test vs reference (R's
//! `t.test(test, reference)`): the parallel-group analysis of the first period only, free of
//! carryover. Its df are fractional (Welch-Satterthwaite); the decision (in `inference`) reads
//! the critical value at that df from `numerics::TQuantileCurve`, tabulated once per run.

use super::{
    is_zero_variance, mean_and_variance, AnalysisOutcome, Estimate, NotAnalyzable, TestStatistic,
};

/// Estimate mean(test) - mean(reference); effect size divides by sqrt((s_T^2 + s_R^2) / 2).
pub fn welch(test: &[f64], reference: &[f64]) -> AnalysisOutcome {
    let (nt, nr) = (test.len(), reference.len());
    if nt < 2 || nr < 2 {
        return AnalysisOutcome::NotAnalyzable(NotAnalyzable::TooFewParticipants);
    }
    let (mean_t, var_t) = mean_and_variance(test);
    let (mean_r, var_r) = mean_and_variance(reference);
    let (vt, vr) = (var_t / nt as f64, var_r / nr as f64);
    let se2 = vt + vr;
    let scale = 1.0 + mean_t * mean_t + mean_r * mean_r;
    if is_zero_variance(se2, scale.sqrt()) {
        return AnalysisOutcome::NotAnalyzable(NotAnalyzable::ZeroVariance);
    }
    let standard_error = se2.sqrt();
    let estimate = mean_t - mean_r;
    let statistic = estimate / standard_error;
    // One group may have zero variance; the df formula then reduces to that of the other group.
    let df = se2 * se2 / (vt * vt / (nt - 1) as f64 + vr * vr / (nr - 1) as f64);
    AnalysisOutcome::Analyzed(Estimate {
        estimate,
        standard_error,
        statistic,
        df,
        effect_size: estimate / ((var_t + var_r) / 2.0).sqrt(),
        n: nt + nr,
        test: TestStatistic::WelchT { t: statistic, df },
    })
}
