//! Grizzle's carryover test for the 2x2 crossover: a two-sample t test between sequences on the
//! participant sums (period 1 + period 2), conventionally at level 0.10. A diagnostic, never a
//! stopping test. Reference: Grizzle (1965), Biometrics 21:467-480.

use super::two_sample::pooled_t;
use super::{AnalysisOutcome, CriticalValues};

/// Estimate mean(sum | test first) - mean(sum | reference first) = lambda_T - lambda_R.
pub fn carryover(
    reference_first_sums: &[f64],
    test_first_sums: &[f64],
    critical: &CriticalValues,
) -> AnalysisOutcome {
    pooled_t(reference_first_sums, test_first_sums, 1.0, critical)
}
