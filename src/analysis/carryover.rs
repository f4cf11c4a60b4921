//! Grizzle's carryover test for the 2x2 crossover: a two-sample t test between sequences on the
//! participant sums (period 1 + period 2), conventionally at level 0.10. A diagnostic, never a
//! stopping test. Reference: Grizzle (1965), Biometrics 21:467-480.

use super::two_sample::pooled_t;
use super::{AnalysisOutcome, AnalysisSpec, Estimand, LookData, Needs, Scope};

/// `carryover`: Grizzle's test on the 2x2, a diagnostic at `analysis.carryover_alpha`.
pub static SPEC: AnalysisSpec = AnalysisSpec {
    name: "carryover",
    title: "Grizzle carryover test: two-sample t on participant sums (2x2 only)",
    needs: Needs {
        participant_sums: true,
        ..Needs::NONE
    },
    scope: Scope::TwoByTwoOnly,
    needs_response: false,
    t_based: true,
    diagnostic: true,
    estimand: Estimand::CarryoverDifference,
    estimate: |data: &mut LookData| carryover(&data.participant_sums[0], &data.participant_sums[1]),
};

/// Estimate mean(sum | test first) - mean(sum | reference first) = lambda_T - lambda_R.
pub fn carryover(reference_first_sums: &[f64], test_first_sums: &[f64]) -> AnalysisOutcome {
    pooled_t(reference_first_sums, test_first_sums, 1.0)
}
