//! Welch's unequal-variance t test on period-1 changes, test vs reference (R's
//! `t.test(test, reference)`): the parallel-group analysis of the first period only, free of
//! carryover. Its df are fractional (Welch-Satterthwaite); the decision brackets the critical
//! value between the neighbouring integer dfs and computes it exactly only in between.

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inference::{CriticalValues, TwoSidedDecision};

    #[test]
    fn matches_r_welch_t_test() {
        // R 4.2.2: tt <- c(-5, -9, 1, -12, -3, -6); rr <- c(-22, -14, -25, -18, -30)
        //   t.test(tt, rr): t = 4.845818475, df = 7.242155856, p-value = 0.001695000425
        //   mean of x - mean of y = -5.666667 - (-21.8) = 16.13333
        let tt = [-5.0, -9.0, 1.0, -12.0, -3.0, -6.0];
        let rr = [-22.0, -14.0, -25.0, -18.0, -30.0];
        let r = *welch(&tt, &rr).result().unwrap();
        assert!((r.estimate - 16.133333).abs() < 1e-5);
        assert!((r.statistic - 4.845818475).abs() < 1e-8, "{}", r.statistic);
        assert!((r.df - 7.242155856).abs() < 1e-8, "{}", r.df);
        assert!(r.rejects_two_sided(&CriticalValues::new(0.05, 20)));
        // p = 0.001695: rejected at 0.0017, not at 0.0016 (the fractional-df path decides)
        assert!(r.rejects_two_sided(&CriticalValues::new(0.0017, 20)));
        assert!(!r.rejects_two_sided(&CriticalValues::new(0.0016, 20)));
    }

    #[test]
    fn one_constant_group_is_still_analyzable() {
        let r = welch(&[1.0, 2.0, 3.0], &[0.0, 0.0]);
        let r = r.result().unwrap();
        assert!(r.df.is_finite() && (r.df - 2.0).abs() < 1e-12);
        assert!(matches!(
            welch(&[1.0, 1.0], &[1.0, 1.0]),
            AnalysisOutcome::NotAnalyzable(NotAnalyzable::ZeroVariance)
        ));
    }
}
