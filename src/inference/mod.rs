//! Decisions: turning an analysis's [`Estimate`] into "reject H0 or not" under a hypothesis,
//! by comparing its statistic with critical values precomputed once per run and level.
//!
//! Analyses estimate; this layer decides. A hypothesis never evaluates a distribution function
//! per replicate: every threshold comes from [`CriticalValues`].

#[cfg(test)]
mod analyses_against_r;
pub mod critical;
pub mod multiplicity;
pub mod scaled;

pub use critical::CriticalValues;
pub use multiplicity::{bonferroni_level, FamilyTest, Multiplicity};

use crate::analysis::{AnalysisOutcome, Estimate, TestStatistic};

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

/// Which direction of the contrast is the good one, for one-sided hypotheses. A config names it
/// `analysis.better = "higher"` or `"lower"` (serde, as [`Better::as_str`] spells it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// Larger values of the contrast (test minus reference) favour the test condition.
    Higher,
    /// Smaller values favour the test condition (e.g. a fall in a depression score).
    Lower,
}

impl Better {
    /// +1 for `Higher`, -1 for `Lower`: multiplying a statistic by it points it towards "better".
    fn sign(self) -> f64 {
        match self {
            Better::Higher => 1.0,
            Better::Lower => -1.0,
        }
    }

    /// "higher" or "lower".
    pub fn as_str(self) -> &'static str {
        match self {
            Better::Higher => "higher",
            Better::Lower => "lower",
        }
    }
}

/// The hypothesis an analysis tests, with its margins on the analysis scale (the log scale for
/// ratio endpoints). `alpha` means the two-sided level for [`Hypothesis::TwoSided`] and the
/// level of each one-sided test for the others.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Hypothesis {
    /// H0: no difference, rejected in either direction at two-sided level alpha.
    #[default]
    TwoSided,
    /// H0: the test condition is not better; one-sided at alpha.
    Superiority {
        /// The good direction.
        better: Better,
    },
    /// H0: the test condition is worse than the reference by the margin or more; rejected when
    /// the one-sided (1 - alpha) confidence bound lies on the good side of the margin.
    NonInferiority {
        /// The margin (a contrast value on the bad side of 0).
        margin: f64,
        /// The good direction.
        better: Better,
    },
    /// H0: the contrast lies outside (lower, upper); two one-sided tests at alpha each, i.e. the
    /// (1 - 2 alpha) confidence interval lies within the margins.
    Equivalence {
        /// Lower margin.
        lower: f64,
        /// Upper margin.
        upper: f64,
    },
}

impl Hypothesis {
    /// Whether the hypothesis is tested one-sided (TOST counts as two one-sided tests).
    pub fn is_one_sided(&self) -> bool {
        !matches!(self, Hypothesis::TwoSided)
    }

    /// The two-sided level at which [`CriticalValues`] are tabulated for a test at `alpha`: a
    /// one-sided test at alpha uses the upper critical value of the two-sided test at 2 alpha.
    pub fn table_level(&self, alpha: f64) -> f64 {
        if self.is_one_sided() {
            (2.0 * alpha).min(1.0)
        } else {
            alpha
        }
    }

    /// The confidence level of the interval that corresponds to the test at `alpha`: 1 - alpha
    /// for two-sided tests, 1 - 2 alpha for one-sided tests and TOST.
    pub fn interval_level(&self, alpha: f64) -> f64 {
        1.0 - self.table_level(alpha)
    }

    /// Whether the hypothesis has margins, which need an estimate with a standard error.
    pub fn has_margins(&self) -> bool {
        matches!(
            self,
            Hypothesis::NonInferiority { .. } | Hypothesis::Equivalence { .. }
        )
    }

    /// Whether a true contrast value `effect` lies in H0, so that the rejection rate at it is a
    /// type I error. Values within 1e-9 of a boundary count as on it (the boundary is the
    /// least favourable null).
    pub fn is_null(&self, effect: f64) -> bool {
        const ON: f64 = 1e-9;
        match *self {
            Hypothesis::TwoSided => effect.abs() <= ON,
            Hypothesis::Superiority { better } => better.sign() * effect <= ON,
            Hypothesis::NonInferiority { margin, better } => {
                better.sign() * (effect - margin) <= ON
            }
            Hypothesis::Equivalence { lower, upper } => {
                effect <= lower + ON || effect >= upper - ON
            }
        }
    }

    /// The statistic pointed towards rejection: the larger, the stronger the evidence against
    /// H0 (|t| for two-sided tests, the smaller of the two one-sided t's for TOST). `None` for
    /// tests without an estimate and standard error.
    pub fn oriented_t(&self, e: &Estimate) -> Option<f64> {
        if !matches!(
            e.test,
            TestStatistic::StudentT { .. } | TestStatistic::WelchT { .. }
        ) || e.standard_error.is_nan()
            || e.standard_error <= 0.0
        {
            return None;
        }
        let se = e.standard_error;
        Some(match *self {
            Hypothesis::TwoSided => (e.estimate / se).abs(),
            Hypothesis::Superiority { better } => better.sign() * e.estimate / se,
            Hypothesis::NonInferiority { margin, better } => {
                better.sign() * (e.estimate - margin) / se
            }
            Hypothesis::Equivalence { lower, upper } => {
                ((e.estimate - lower) / se).min((upper - e.estimate) / se)
            }
        })
    }

    /// Whether `estimate` rejects this hypothesis at the level of `critical` (tabulated at
    /// [`Hypothesis::table_level`]).
    #[inline]
    pub fn rejects(self, estimate: &Estimate, critical: &CriticalValues) -> bool {
        match self {
            Hypothesis::TwoSided => two_sided_rejects(&estimate.test, critical),
            Hypothesis::Superiority { better } => {
                one_sided_rejects(&estimate.test, better, critical)
            }
            Hypothesis::NonInferiority { .. } | Hypothesis::Equivalence { .. } => {
                match (self.oriented_t(estimate), estimate.test) {
                    (Some(t), TestStatistic::StudentT { df, .. }) => t >= critical.t(df),
                    (Some(t), TestStatistic::WelchT { df, .. }) => {
                        critical.t_rejects_fractional(t, df)
                    }
                    _ => false,
                }
            }
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

    /// The confidence interval that matches the test (level [`Hypothesis::interval_level`]):
    /// estimate -/+ t * SE, for t-based estimates only.
    #[inline]
    pub fn interval(&self, e: &Estimate, critical: &CriticalValues) -> Option<(f64, f64)> {
        let t = match e.test {
            TestStatistic::StudentT { df, .. } => critical.t(df),
            TestStatistic::WelchT { df, .. } => critical.t_fractional(df),
            _ => return None,
        };
        let half = t * e.standard_error;
        half.is_finite()
            .then_some((e.estimate - half, e.estimate + half))
    }

    /// The hypothesis in words, e.g. "equivalence: 90% CI of T/R within 0.80-1.25".
    /// `contrast` names the contrast ("T - R"); `ratio` is `Some("T/R")` for ratio endpoints,
    /// whose margins are shown back-transformed.
    pub fn describe(&self, contrast: &str, ratio: Option<&str>, alpha: f64) -> String {
        let level = format_percent(self.interval_level(alpha));
        let shown = |x: f64| -> String {
            match ratio {
                Some(_) => format_number(x.exp()),
                None => format_number(x),
            }
        };
        let what = ratio.unwrap_or(contrast);
        let null = if ratio.is_some() { "1" } else { "0" };
        match *self {
            Hypothesis::TwoSided => format!(
                "two-sided: {what} differs from {null} (two-sided level {})",
                format_number(alpha)
            ),
            Hypothesis::Superiority { better } => format!(
                "superiority: {what} {} than {null} (one-sided level {}; {level} CI bound beyond {null})",
                if better == Better::Higher { "higher" } else { "lower" },
                format_number(alpha)
            ),
            Hypothesis::NonInferiority { margin, better } => format!(
                "non-inferiority: one-sided {} confidence bound of {what} {} {} (level {})",
                format_percent(1.0 - alpha),
                if better == Better::Higher { "above" } else { "below" },
                shown(margin),
                format_number(alpha)
            ),
            Hypothesis::Equivalence { lower, upper } => format!(
                "equivalence: {level} CI of {what} within {}-{} (two one-sided tests at {} each)",
                shown(lower),
                shown(upper),
                format_number(alpha)
            ),
        }
    }
}

/// `0.9` as "90%", `0.95` as "95%", `0.9412` as "94.12%".
fn format_percent(p: f64) -> String {
    let pct = (p * 1e4).round() / 100.0;
    format!("{pct}%")
}

/// A margin or level with at most 4 decimals and no trailing zeros beyond 2 ("0.80", "1.25").
fn format_number(x: f64) -> String {
    let s = format!("{:.4}", x);
    let s = s.trim_end_matches('0');
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if frac.len() < 2 {
        format!("{int}.{frac:0<2}")
    } else {
        format!("{int}.{frac}")
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

/// The one-sided test at alpha in the `better` direction, with `critical` tabulated at 2 alpha.
fn one_sided_rejects(test: &TestStatistic, better: Better, critical: &CriticalValues) -> bool {
    let sign = better.sign();
    match *test {
        TestStatistic::StudentT { t, df } => sign * t >= critical.t(df),
        TestStatistic::WelchT { t, df } => critical.t_rejects_fractional(sign * t, df),
        TestStatistic::SignedRankExact { v, n } => {
            let lower = critical.wilcoxon_lower(n).unwrap_or(-1) as f64;
            let nf = n as f64;
            let max = nf * (nf + 1.0) / 2.0;
            match better {
                Better::Higher => v >= max - lower,
                Better::Lower => v <= lower,
            }
        }
        TestStatistic::SignedRankNormal { deviation, sigma } => {
            // R's one-sided continuity correction moves V half a unit towards H0.
            sigma > 0.0 && (sign * deviation - 0.5) / sigma >= critical.z()
        }
        TestStatistic::DiscordantPairs {
            reference_only,
            test_only,
        } => {
            let against = match better {
                Better::Higher => reference_only,
                Better::Lower => test_only,
            };
            (against as i64) <= critical.mcnemar_lower(reference_only + test_only)
        }
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
