//! Hills-Armitage period-adjusted analysis of the 2x2 crossover: a two-sample t test between
//! sequences on the half period differences (period 1 - period 2) / 2. Period effects cancel;
//! first-order carryover biases it by (lambda_R - lambda_T) / 2, as it does the paired analysis.
//! Reference: Hills & Armitage (1979), Br J Clin Pharmacol 8:7-20; Senn, Cross-over Trials in
//! Clinical Research, 2nd ed., ch. 3.

use super::two_sample::pooled_t;
use super::{AnalysisOutcome, AnalysisSpec, Estimand, LookData, Needs, Scope};

/// `period_adjusted`: Hills-Armitage on the 2x2.
pub static SPEC: AnalysisSpec = AnalysisSpec {
    name: "period_adjusted",
    title: "Hills-Armitage two-sample t on half period differences (2x2 only)",
    needs: Needs {
        half_period_differences: true,
        ..Needs::NONE
    },
    scope: Scope::TwoByTwoOnly,
    needs_response: false,
    t_based: true,
    diagnostic: false,
    estimand: Estimand::ContrastEffect,
    estimate: |data: &mut LookData| {
        period_adjusted(
            &data.half_period_differences[0],
            &data.half_period_differences[1],
        )
    },
};

/// `reference_first`: half period differences of sequence R-T (AB); `test_first`: of T-R (BA).
/// The estimate mean(test_first) - mean(reference_first) estimates T - R; the effect size is
/// scaled to d_z (the half differences have half the SD of D).
pub fn period_adjusted(reference_first: &[f64], test_first: &[f64]) -> AnalysisOutcome {
    pooled_t(reference_first, test_first, 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_effect_cancels() {
        // Same participants with and without a period-2 shift of +10 in every change:
        // each half difference moves by -5 in both sequences, so the estimate is unchanged.
        let ab = [(-20.0, -5.0), (-18.0, -2.0), (-25.0, -7.0)];
        let ba = [(-4.0, -21.0), (-6.0, -15.0), (-1.0, -19.0)];
        let half = |v: &[(f64, f64)], shift: f64| -> Vec<f64> {
            v.iter().map(|(p1, p2)| (p1 - (p2 + shift)) / 2.0).collect()
        };
        let r0 = period_adjusted(&half(&ab, 0.0), &half(&ba, 0.0));
        let r1 = period_adjusted(&half(&ab, 10.0), &half(&ba, 10.0));
        let (r0, r1) = (r0.result().unwrap(), r1.result().unwrap());
        assert!((r0.estimate - r1.estimate).abs() < 1e-12);
        assert!((r0.statistic - r1.statistic).abs() < 1e-12);
        // By hand: AB half differences -7.5, -8, -9 (mean -8.1667); BA 8.5, 4.5, 9 (mean 7.3333);
        // estimate of T - R = 7.3333 - (-8.1667) = 15.5
        assert!((r0.estimate - 15.5).abs() < 1e-12);
    }
}
