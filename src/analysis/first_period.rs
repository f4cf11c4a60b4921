//! The parallel-group analysis of the first period only (Welch t, test vs reference), free of
//! carryover by construction. Defined for the 2x2, where half the participants start on each
//! condition.

use super::welch::welch;
use super::{AnalysisSpec, Estimand, LookData, Needs, Scope};

/// `first_period`: Welch t on period-1 changes.
pub static SPEC: AnalysisSpec = AnalysisSpec {
    name: "first_period",
    title: "Welch t test on period-1 changes, test vs reference (2x2 only)",
    needs: Needs {
        first_period_change: true,
        ..Needs::NONE
    },
    scope: Scope::TwoByTwoOnly,
    needs_response: false,
    t_based: true,
    diagnostic: false,
    estimand: Estimand::ContrastEffect,
    estimate: |data: &mut LookData| {
        let (t, r) = (data.test().index(), data.reference().index());
        welch(&data.first_period_change[t], &data.first_period_change[r])
    },
};
