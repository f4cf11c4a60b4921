//! Decisions on a family of primary contrasts tested together: no adjustment, Bonferroni,
//! Holm's step-down procedure, or a fixed-sequence (hierarchical) test.
//!
//! Every procedure reads precomputed critical values. Holm needs the contrasts ordered by
//! their p-values; the contrasts of a family come from one linear-model fit and share its
//! residual df, so ordering by the statistic pointed towards rejection
//! ([`Hypothesis::oriented_t`]) is ordering by p-value, and no distribution function is
//! evaluated per replicate.

use super::{CriticalValues, Decision, Hypothesis};
use crate::analysis::AnalysisOutcome;
use serde::{Deserialize, Serialize};

/// How several primary contrasts share the significance level (`analysis.multiplicity`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Multiplicity {
    /// Each contrast at the full level; the familywise error is not controlled.
    #[default]
    None,
    /// Each of the m contrasts at level alpha / m.
    Bonferroni,
    /// Holm's step-down procedure: the contrast with the smallest p-value at alpha / m, the
    /// next at alpha / (m - 1), ..., stopping at the first that is not rejected.
    Holm,
    /// Fixed sequence: the contrasts in the order listed, each at the full level, stopping at
    /// the first that is not rejected.
    Hierarchical,
}

impl Multiplicity {
    /// Every procedure, in the order the docs list them.
    pub const ALL: [Multiplicity; 4] = [
        Multiplicity::None,
        Multiplicity::Bonferroni,
        Multiplicity::Holm,
        Multiplicity::Hierarchical,
    ];

    /// The config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Multiplicity::None => "none",
            Multiplicity::Bonferroni => "bonferroni",
            Multiplicity::Holm => "holm",
            Multiplicity::Hierarchical => "hierarchical",
        }
    }

    /// Whether the procedure controls the familywise error in the strong sense.
    pub fn controls_familywise_error(self) -> bool {
        self != Multiplicity::None
    }

    /// The level of the intervals reported with each of `contrasts` contrasts tested at
    /// `alpha`: Bonferroni's alpha / m, so that they are simultaneous; `alpha` under the other
    /// procedures, whose steps have no interval of their own.
    pub fn interval_alpha(self, alpha: f64, contrasts: usize) -> f64 {
        if contrasts > 1 && self == Multiplicity::Bonferroni {
            bonferroni_level(alpha, contrasts)
        } else {
            alpha
        }
    }

    /// The procedure in words, for reports.
    pub fn describe(self, contrasts: usize, alpha: f64) -> String {
        match self {
            Multiplicity::None => format!(
                "no multiplicity adjustment: each of the {contrasts} contrasts at level {alpha}"
            ),
            Multiplicity::Bonferroni => format!(
                "Bonferroni: each of the {contrasts} contrasts at level {alpha}/{contrasts} = {}",
                crate::numerics::tidy_decimal(bonferroni_level(alpha, contrasts))
            ),
            Multiplicity::Holm => format!(
                "Holm step-down over {contrasts} contrasts: levels {alpha}/{contrasts}, ..., {alpha} in order of p-value"
            ),
            Multiplicity::Hierarchical => format!(
                "hierarchical (fixed sequence) over {contrasts} contrasts in the order listed, each at level {alpha}"
            ),
        }
    }
}

/// Bonferroni's level for each of `contrasts` tests at familywise level `alpha`: `alpha / m`
/// (the only place the rule is written; `m` is at least 1).
pub fn bonferroni_level(alpha: f64, contrasts: usize) -> f64 {
    alpha / contrasts.max(1) as f64
}

impl std::fmt::Display for Multiplicity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A multiplicity procedure prepared for one family size, hypothesis and level.
#[derive(Debug, Clone)]
pub struct FamilyTest {
    procedure: Multiplicity,
    hypothesis: Hypothesis,
    /// Critical values per step: `levels[j]` is the level of the j-th test (Holm: alpha / (m -
    /// j)); a single entry for the other procedures.
    levels: Vec<CriticalValues>,
}

impl FamilyTest {
    /// Precomputes the critical values for `contrasts` contrasts tested at `alpha` (the level
    /// of each one-sided test for one-sided hypotheses) with samples of up to `max_df` df.
    pub fn new(
        procedure: Multiplicity,
        hypothesis: Hypothesis,
        alpha: f64,
        contrasts: usize,
        max_df: usize,
    ) -> FamilyTest {
        let m = contrasts.max(1);
        let at = |a: f64| CriticalValues::new(hypothesis.table_level(a), max_df);
        let levels = match procedure {
            Multiplicity::None | Multiplicity::Hierarchical => vec![at(alpha)],
            Multiplicity::Bonferroni => vec![at(bonferroni_level(alpha, m))],
            Multiplicity::Holm => (0..m).map(|j| at(alpha / (m - j) as f64)).collect(),
        };
        FamilyTest {
            procedure,
            hypothesis,
            levels,
        }
    }

    /// The procedure.
    pub fn procedure(&self) -> Multiplicity {
        self.procedure
    }

    /// The critical values whose intervals go with the decisions: Bonferroni's adjusted level
    /// (simultaneous intervals), else the unadjusted level (Holm and the fixed sequence have no
    /// simple compatible intervals).
    pub fn interval_critical(&self) -> &CriticalValues {
        match self.procedure {
            Multiplicity::Holm => self.levels.last().unwrap_or(&self.levels[0]),
            _ => &self.levels[0],
        }
    }

    /// Decides every contrast of a family at once. `order` is scratch of the family's size
    /// (so that the hot loop allocates nothing); `decisions` receives one decision per outcome.
    pub fn decide(
        &self,
        outcomes: &[AnalysisOutcome],
        order: &mut [usize],
        decisions: &mut [Decision],
    ) {
        let h = self.hypothesis;
        match self.procedure {
            Multiplicity::None | Multiplicity::Bonferroni => {
                for (d, o) in decisions.iter_mut().zip(outcomes) {
                    *d = h.decide(o, &self.levels[0]);
                }
            }
            Multiplicity::Hierarchical => {
                let mut open = true;
                for (d, o) in decisions.iter_mut().zip(outcomes) {
                    *d = h.decide(o, &self.levels[0]);
                    if !open && d.rejected() {
                        *d = Decision::NotRejected;
                    }
                    open &= d.rejected();
                }
            }
            Multiplicity::Holm => {
                let strength = |i: usize| match &outcomes[i] {
                    AnalysisOutcome::Analyzed(e) => h.oriented_t(e).unwrap_or(f64::NEG_INFINITY),
                    AnalysisOutcome::NotAnalyzable(_) => f64::NEG_INFINITY,
                };
                for (j, slot) in order.iter_mut().enumerate() {
                    *slot = j;
                }
                // Strongest first, ties in the listed order (an unstable sort with the index
                // as tie-break never allocates).
                order
                    .sort_unstable_by(|&a, &b| strength(b).total_cmp(&strength(a)).then(a.cmp(&b)));
                let mut open = true;
                for (step, &i) in order.iter().enumerate() {
                    let level = &self.levels[step.min(self.levels.len() - 1)];
                    decisions[i] = h.decide(&outcomes[i], level);
                    if !open && decisions[i].rejected() {
                        decisions[i] = Decision::NotRejected;
                    }
                    open &= decisions[i].rejected();
                }
            }
        }
    }
}
