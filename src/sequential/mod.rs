//! Interim looks and stopping rules , all turned into critical values before
//! the run: efficacy boundaries on the z scale become nominal levels and t critical values per
//! look; futility bounds and conditional-power thresholds become |t| thresholds per look and df.

pub mod boundaries;

use crate::analysis::{AnalysisOutcome, LookData};
use crate::inference::{CriticalValues, Decision, Hypothesis};
use crate::numerics::{norm_cdf, normal_quantile, t_quantile};
use boundaries::{compute_boundaries, BoundaryError, BoundaryKind, Sided, SpendingFunction};
use serde::{Deserialize, Serialize};

/// Why a simulated trial ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The primary analysis crossed the efficacy boundary.
    Efficacy,
    /// A futility rule fired at an interim look.
    Futility,
    /// The harm rule fired at an interim look.
    Harm,
    /// Ran to the final look without rejecting.
    Completed,
}

impl StopReason {
    /// All reasons, in report order.
    pub const ALL: [StopReason; 4] = [
        StopReason::Efficacy,
        StopReason::Futility,
        StopReason::Harm,
        StopReason::Completed,
    ];

    /// Position in [`StopReason::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Plain-words name.
    pub fn text(self) -> &'static str {
        match self {
            StopReason::Efficacy => "efficacy",
            StopReason::Futility => "futility",
            StopReason::Harm => "harm",
            StopReason::Completed => "ran to the end",
        }
    }
}

/// Interim looks and stopping rules, validated by `config` (or [`SequentialPlan::fixed`]).
///
/// The fields are visible to the crate only, so code outside it cannot build an unvalidated
/// plan; they are read through the accessors.
#[derive(Debug, Clone, PartialEq)]
pub struct SequentialPlan {
    /// Enrollment count analysed at each look; the last equals `enrolled`.
    pub(crate) looks: Vec<usize>,
    /// Periods per participant (sizes the critical-value tables by the largest df).
    pub(crate) periods: usize,
    /// Efficacy boundary.
    pub(crate) efficacy: BoundaryKind,
    /// Futility: stop when |z| is below this at interim look k.
    pub(crate) futility_z: Option<Vec<f64>>,
    /// Futility: stop when conditional power under the current trend is below this.
    pub(crate) futility_conditional_power: Option<f64>,
    /// Harm: stop when the adverse-event difference T - R reaches this.
    pub(crate) harm_max_difference: Option<f64>,
}

impl SequentialPlan {
    /// A fixed design: one look at `enrolled` participants with `periods` periods each.
    pub fn fixed(enrolled: usize, periods: usize) -> SequentialPlan {
        SequentialPlan {
            looks: vec![enrolled],
            periods,
            efficacy: BoundaryKind::Spending(SpendingFunction::ObrienFleming),
            futility_z: None,
            futility_conditional_power: None,
            harm_max_difference: None,
        }
    }

    /// Enrollment count analysed at each look; the last equals `enrolled`.
    pub fn looks(&self) -> &[usize] {
        &self.looks
    }

    /// Periods per participant.
    pub fn periods(&self) -> usize {
        self.periods
    }

    /// Efficacy boundary.
    pub fn efficacy(&self) -> &BoundaryKind {
        &self.efficacy
    }

    /// Futility: the |z| below which the trial stops at each interim look, if given.
    pub fn futility_z(&self) -> Option<&[f64]> {
        self.futility_z.as_deref()
    }

    /// Futility: the conditional power under the current trend below which the trial stops.
    pub fn futility_conditional_power(&self) -> Option<f64> {
        self.futility_conditional_power
    }

    /// Harm: the adverse-event difference T - R at which the trial stops.
    pub fn harm_max_difference(&self) -> Option<f64> {
        self.harm_max_difference
    }

    /// Information fractions n_k / N.
    pub fn information_rates(&self) -> Vec<f64> {
        let n = *self.looks.last().unwrap_or(&1) as f64;
        self.looks.iter().map(|&k| k as f64 / n).collect()
    }
}

/// The critical z of the fixed design (a single look) testing `hypothesis` at `alpha`: the
/// normal quantile at 1 - alpha/2 for a two-sided hypothesis, at 1 - alpha for the one-sided
/// tests (each of TOST's two).
pub fn fixed_critical_z(alpha: f64, hypothesis: Hypothesis) -> f64 {
    normal_quantile(1.0 - z_level(alpha, hypothesis))
}

/// The one-sided tail probability of each efficacy bound at overall `alpha`.
fn z_level(alpha: f64, hypothesis: Hypothesis) -> f64 {
    if hypothesis.is_one_sided() {
        alpha
    } else {
        alpha / 2.0
    }
}

/// Everything the engine needs to decide at each look.
#[derive(Debug, Clone)]
pub struct StoppingRules {
    /// Enrollment count of each look.
    pub looks: Vec<usize>,
    /// Information fractions n_k / N.
    pub information_rates: Vec<f64>,
    /// Efficacy critical z per look.
    pub critical_z: Vec<f64>,
    /// Nominal level per look: two-sided for a two-sided hypothesis, one-sided otherwise.
    pub nominal_level: Vec<f64>,
    /// Cumulative alpha spent through each look.
    pub cumulative_alpha: Vec<f64>,
    /// Combined futility bound on |z| per interim look (None: no futility rule at that look).
    pub futility_z: Vec<Option<f64>>,
    /// Harm threshold on the adverse-event difference.
    pub harm_max_difference: Option<f64>,
    efficacy_critical: Vec<CriticalValues>,
    /// Per interim look, |t| below `futility_t[k][df]` stops for futility.
    futility_t: Vec<Option<Vec<f64>>>,
    /// The primary hypothesis.
    hypothesis: Hypothesis,
}

impl StoppingRules {
    /// Precomputes boundaries and critical values for `plan` testing `hypothesis` at overall
    /// `alpha` (two-sided for a two-sided hypothesis; one-sided boundaries, rpact's
    /// `sided = 1`, for the others, TOST applying them to each of its two tests). A single
    /// look uses `alpha` itself, so a one-look design equals the fixed design exactly.
    pub fn new(
        plan: &SequentialPlan,
        alpha: f64,
        hypothesis: Hypothesis,
    ) -> Result<StoppingRules, BoundaryError> {
        let sided = if hypothesis.is_one_sided() {
            Sided::One
        } else {
            Sided::Two
        };
        let information_rates = plan.information_rates();
        let k = plan.looks.len();
        // Critical values are tabulated up to the largest df any analysis can have: the linear
        // model of a p-period design has up to N (p - 1) df.
        let max_n = plan.looks.last().copied().unwrap_or(2) * plan.periods.max(1);
        let (critical_z, nominal_level, cumulative_alpha) =
            if k == 1 && !matches!(plan.efficacy, BoundaryKind::User(_)) {
                let z = fixed_critical_z(alpha, hypothesis);
                (vec![z], vec![alpha], vec![alpha])
            } else {
                let b = compute_boundaries(&information_rates, alpha, sided, &plan.efficacy)?;
                (b.critical_z, b.nominal_level, b.cumulative_alpha)
            };
        let efficacy_critical = nominal_level
            .iter()
            .map(|&level| CriticalValues::new(hypothesis.table_level(level), max_n))
            .collect();
        let final_z = critical_z.last().copied().unwrap_or(f64::INFINITY);
        let mut futility_z = vec![None; k];
        let mut futility_t = vec![None; k];
        for look in 0..k.saturating_sub(1) {
            let mut bound: Option<f64> = plan.futility_z.as_ref().map(|z| z[look]);
            if let Some(gamma) = plan.futility_conditional_power {
                // Conditional power under the current trend, CP = 1 - Phi((c_K - |Z_k|/sqrt(t_k)) / sqrt(1 - t_k)),
                // is below gamma exactly when |Z_k| < sqrt(t_k) (c_K - sqrt(1 - t_k) z_{1-gamma}).
                let t = information_rates[look];
                let z_cp = t.sqrt() * (final_z - (1.0 - t).sqrt() * normal_quantile(1.0 - gamma));
                bound = Some(bound.map_or(z_cp, |b| b.max(z_cp)));
            }
            if let Some(b) = bound {
                futility_z[look] = Some(b);
                // The |t| with the same one-sided tail probability as |z| = b, per df.
                let p = norm_cdf(b);
                let per_df = (0..=max_n)
                    .map(|df| {
                        if df == 0 || b <= 0.0 {
                            b.max(0.0)
                        } else {
                            t_quantile(p, df as f64)
                        }
                    })
                    .collect();
                futility_t[look] = Some(per_df);
            }
        }
        Ok(StoppingRules {
            looks: plan.looks.clone(),
            information_rates,
            critical_z,
            nominal_level,
            cumulative_alpha,
            futility_z,
            harm_max_difference: plan.harm_max_difference,
            efficacy_critical,
            futility_t,
            hypothesis,
        })
    }

    /// Critical values of the primary analysis at look `k`.
    pub fn efficacy_critical(&self, k: usize) -> &CriticalValues {
        &self.efficacy_critical[k]
    }

    /// Applies efficacy, then futility, then harm (the last two at interim looks only), to the
    /// primary analysis's outcome and decision at look `k`; `None` means go on (or, at the last
    /// look, run to the end).
    pub fn decide(
        &self,
        k: usize,
        primary: &AnalysisOutcome,
        decision: Decision,
        data: &LookData,
    ) -> Option<StopReason> {
        if decision.rejected() {
            return Some(StopReason::Efficacy);
        }
        if k + 1 >= self.looks.len() {
            return None;
        }
        if let (Some(per_df), Some(r)) = (&self.futility_t[k], primary.result()) {
            let df = (r.df.floor().max(0.0) as usize).min(per_df.len() - 1);
            // Futility looks at the statistic pointed towards rejection: |t| for a two-sided
            // test, the signed t in the good direction (or TOST's smaller t) for the others.
            let evidence = match self.hypothesis {
                Hypothesis::TwoSided => r.statistic.abs(),
                h => h.oriented_t(r).unwrap_or(f64::NEG_INFINITY),
            };
            if evidence < per_df[df] {
                return Some(StopReason::Futility);
            }
        }
        if let Some(limit) = self.harm_max_difference {
            let both = data.completers();
            if both > 0 {
                let [reference, test] = data.paired_adverse_events;
                let difference = (test as f64 - reference as f64) / both as f64;
                if difference >= limit {
                    return Some(StopReason::Harm);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inference::Better;

    #[test]
    fn fixed_critical_values() {
        let one_sided = Hypothesis::Superiority {
            better: Better::Higher,
        };
        assert!((fixed_critical_z(0.05, Hypothesis::TwoSided) - 1.959_964).abs() < 1e-6);
        assert!((fixed_critical_z(0.025, one_sided) - 1.959_964).abs() < 1e-6);
        assert!((fixed_critical_z(0.05, one_sided) - 1.644_854).abs() < 1e-6);
    }
}
