//! The pooled-variance two-sample t test shared by the Hills-Armitage period-adjusted analysis
//! and the Grizzle carryover test (R's `t.test(b, a, var.equal = TRUE)`).

use super::{
    is_zero_variance, mean_and_variance, AnalysisOutcome, Estimate, NotAnalyzable, TestStatistic,
};

/// Two-sample t with pooled variance: estimate mean(b) - mean(a), df n_a + n_b - 2.
/// `effect_size` is the estimate divided by `effect_scale` times the pooled SD.
pub fn pooled_t(a: &[f64], b: &[f64], effect_scale: f64) -> AnalysisOutcome {
    let (na, nb) = (a.len(), b.len());
    if na < 1 || nb < 1 || na + nb < 3 {
        return AnalysisOutcome::NotAnalyzable(NotAnalyzable::TooFewParticipants);
    }
    let (mean_a, var_a) = mean_and_variance(a);
    let (mean_b, var_b) = mean_and_variance(b);
    let df = na + nb - 2;
    let pooled = ((na - 1) as f64 * var_a + (nb - 1) as f64 * var_b) / df as f64;
    let scale = 1.0 + mean_a * mean_a + mean_b * mean_b;
    if is_zero_variance(pooled, scale.sqrt()) {
        return AnalysisOutcome::NotAnalyzable(NotAnalyzable::ZeroVariance);
    }
    let sd = pooled.sqrt();
    let standard_error = sd * (1.0 / na as f64 + 1.0 / nb as f64).sqrt();
    let estimate = mean_b - mean_a;
    let statistic = estimate / standard_error;
    AnalysisOutcome::Analyzed(Estimate {
        estimate,
        standard_error,
        statistic,
        df: df as f64,
        effect_size: estimate / (effect_scale * sd),
        n: na + nb,
        test: TestStatistic::StudentT { t: statistic, df },
    })
}
