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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inference::{CriticalValues, Hypothesis};

    fn rejects(o: &AnalysisOutcome, cv: &CriticalValues) -> bool {
        Hypothesis::TwoSided.decide(o, cv).rejected()
    }

    #[test]
    fn matches_r_paired_t_test() {
        // R 4.2.2:
        //   x <- c(-22, -25, -18, -20, -24, -19, -28); y <- c(-4, -9, 2, -11, -6, -3, -8)
        //   t.test(y, x, paired = TRUE)
        //   t = 11.71954889, df = 6, p-value = 2.328454685e-05, mean difference 16.71428571
        //   sd(y - x) = 3.773340064; se = 1.426188489
        let reference = [-22.0, -25.0, -18.0, -20.0, -24.0, -19.0, -28.0];
        let test = [-4.0, -9.0, 2.0, -11.0, -6.0, -3.0, -8.0];
        let d: Vec<f64> = test.iter().zip(&reference).map(|(t, r)| t - r).collect();
        let cv = CriticalValues::new(0.05, 10);
        let outcome = paired_t(&d);
        let AnalysisOutcome::Analyzed(r) = outcome else {
            panic!("not analyzed")
        };
        assert!((r.estimate - 16.71428571).abs() < 1e-8);
        assert!((r.standard_error - 1.426188489).abs() < 1e-8);
        assert!((r.statistic - 11.71954889).abs() < 1e-7);
        assert_eq!(r.df, 6.0);
        assert!((r.effect_size - 16.71428571 / 3.773340064).abs() < 1e-8);
        assert!(rejects(&outcome, &cv));
        // p = 2.328e-05: not rejected at 2.3e-5, rejected at 2.4e-5
        assert!(!rejects(&outcome, &CriticalValues::new(2.3e-5, 10)));
        assert!(rejects(&outcome, &CriticalValues::new(2.4e-5, 10)));
    }

    #[test]
    fn degenerate_inputs_are_not_analyzable() {
        assert_eq!(
            paired_t(&[1.0]),
            AnalysisOutcome::NotAnalyzable(NotAnalyzable::TooFewParticipants)
        );
        assert_eq!(
            paired_t(&[2.0, 2.0, 2.0]),
            AnalysisOutcome::NotAnalyzable(NotAnalyzable::ZeroVariance)
        );
    }
}
