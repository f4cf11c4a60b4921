//! Decisions: turning an analysis's [`Estimate`] into "reject H0 or not" under a hypothesis,
//! by comparing its statistic with critical values precomputed once per run and level.
//!
//! Analyses estimate; this layer decides. A hypothesis never evaluates a distribution function
//! per replicate: every threshold comes from [`CriticalValues`].

pub mod critical;

pub use critical::CriticalValues;

use crate::analysis::{AnalysisOutcome, Estimate, TestStatistic};

/// The hypothesis an analysis tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Hypothesis {
    /// H0: no difference, rejected in either direction at two-sided level alpha.
    #[default]
    TwoSided,
}

/// The direction an effect points in, for power split by direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The estimate favours the test condition (positive test - reference).
    Positive,
    /// The estimate favours the reference condition.
    Negative,
}

/// The decision on one simulated trial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// H0 rejected; the statistic points in this direction.
    Rejected(Direction),
    /// H0 not rejected.
    NotRejected,
    /// The analysis could not be computed.
    NotAnalyzable,
}

impl Decision {
    /// Whether H0 was rejected.
    #[inline]
    pub fn rejected(self) -> bool {
        matches!(self, Decision::Rejected(_))
    }
}

impl Hypothesis {
    /// Whether `estimate` rejects this hypothesis at the level of `critical`.
    #[inline]
    pub fn rejects(self, estimate: &Estimate, critical: &CriticalValues) -> bool {
        match self {
            Hypothesis::TwoSided => two_sided_rejects(&estimate.test, critical),
        }
    }

    /// The decision on an analysis outcome.
    #[inline]
    pub fn decide(self, outcome: &AnalysisOutcome, critical: &CriticalValues) -> Decision {
        match outcome {
            AnalysisOutcome::NotAnalyzable(_) => Decision::NotAnalyzable,
            AnalysisOutcome::Analyzed(e) => {
                if self.rejects(e, critical) {
                    Decision::Rejected(direction(&e.test))
                } else {
                    Decision::NotRejected
                }
            }
        }
    }
}

/// The direction the statistic points in (ties count as positive; they never reject).
fn direction(test: &TestStatistic) -> Direction {
    let positive = match *test {
        TestStatistic::StudentT { t, .. } | TestStatistic::WelchT { t, .. } => t >= 0.0,
        TestStatistic::SignedRankExact { v, n } => v >= (n * (n + 1)) as f64 / 4.0,
        TestStatistic::SignedRankNormal { deviation, .. } => deviation >= 0.0,
        TestStatistic::DiscordantPairs {
            reference_only,
            test_only,
        } => test_only >= reference_only,
    };
    if positive {
        Direction::Positive
    } else {
        Direction::Negative
    }
}

fn two_sided_rejects(test: &TestStatistic, critical: &CriticalValues) -> bool {
    match *test {
        TestStatistic::StudentT { t, df } => t.abs() >= critical.t(df),
        TestStatistic::WelchT { t, df } => critical.t_rejects_fractional(t.abs(), df),
        TestStatistic::SignedRankExact { v, n } => {
            let lower = critical.wilcoxon_lower(n).unwrap_or(-1) as f64;
            let nf = n as f64;
            let max = nf * (nf + 1.0) / 2.0;
            v <= lower || v >= max - lower
        }
        TestStatistic::SignedRankNormal { deviation, sigma } => {
            // R's continuity correction for the two-sided test moves V towards its centre.
            let correction = if deviation > 0.0 {
                0.5
            } else if deviation < 0.0 {
                -0.5
            } else {
                0.0
            };
            sigma > 0.0 && ((deviation - correction) / sigma).abs() >= critical.z()
        }
        TestStatistic::DiscordantPairs {
            reference_only,
            test_only,
        } => {
            let minority = reference_only.min(test_only) as i64;
            minority <= critical.mcnemar_lower(reference_only + test_only)
        }
    }
}

/// The two-sided decision as a method, for code that tests one analysis at one level.
pub trait TwoSidedDecision {
    /// Whether H0 of no difference is rejected at the two-sided level of `critical`.
    fn rejects_two_sided(&self, critical: &CriticalValues) -> bool;
}

impl TwoSidedDecision for AnalysisOutcome {
    fn rejects_two_sided(&self, critical: &CriticalValues) -> bool {
        Hypothesis::TwoSided.decide(self, critical).rejected()
    }
}

impl TwoSidedDecision for Estimate {
    fn rejects_two_sided(&self, critical: &CriticalValues) -> bool {
        Hypothesis::TwoSided.rejects(self, critical)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t_estimate(t: f64, df: usize) -> Estimate {
        Estimate {
            estimate: t,
            standard_error: 1.0,
            statistic: t,
            df: df as f64,
            effect_size: 0.0,
            n: df + 1,
            test: TestStatistic::StudentT { t, df },
        }
    }

    #[test]
    fn two_sided_t_rejects_beyond_the_quantile_in_both_directions() {
        // R 4.2.2: qt(0.975, 10) = 2.228138852
        let cv = CriticalValues::new(0.05, 20);
        let h = Hypothesis::TwoSided;
        assert!(h.rejects(&t_estimate(2.2282, 10), &cv));
        assert!(!h.rejects(&t_estimate(2.2281, 10), &cv));
        assert!(h.rejects(&t_estimate(-2.2282, 10), &cv));
        let out = AnalysisOutcome::Analyzed(t_estimate(-3.0, 10));
        assert_eq!(h.decide(&out, &cv), Decision::Rejected(Direction::Negative));
        let out = AnalysisOutcome::Analyzed(t_estimate(3.0, 10));
        assert_eq!(h.decide(&out, &cv), Decision::Rejected(Direction::Positive));
    }
}
