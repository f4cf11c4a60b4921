//! What the reference-scaled rules estimate from one replicate design's observed data, beside
//! the linear model's T/R interval: the within-participant variance of the reference (and of
//! the test) by EMA's method A, and the FDA's intra-participant contrasts (ISC).
//!
//! - *Within-condition ANOVA* (EMA): the observations of one condition only, fitted by
//!   `lm(y ~ factor(subject) + factor(period))`; its residual mean square is s²wR (or s²wT) on
//!   observations - participants - rank(period) df. Participants are eliminated by centring, so
//!   the normal matrix is over period dummies only and depends on the participants' patterns
//!   (sequence, periods completed), precomputed once; a singular matrix (a period never seen
//!   twice with the condition) is solved on its independent columns.
//! - *ISC* (FDA): per participant with every period observed, I = mean(T) - mean(R); per
//!   participant with both R administrations, D = R1 - R2 (and T1 - T2). The point estimate is
//!   the unweighted mean of the sequences' mean I, its SE from the pooled within-sequence
//!   variance, on participants - sequences df; s²wR is the pooled within-sequence variance of D
//!   over 2, on its own df (the FDA's SAS code: `PROC MIXED; CLASS seq; MODEL ilat = seq`).
//!
//! Dropout in the model is monotone (a participant completes the first periods), so a
//! participant's observed cells are the first `periods_completed` of their sequence.

use super::{
    AnalysisOutcome, AnalysisSpec, Estimand, Estimate, LookData, Needs, NotAnalyzable, Scope,
    TestStatistic,
};
use crate::design::{Condition, Crossover, MAX_PERIODS};
use crate::model::Cohort;
use crate::numerics::solve_semidefinite;

/// `isc`: the FDA's intra-participant contrasts of a replicate design (T - R from the
/// participants with every period, by sequence), the estimate of the FDA's rules.
pub static SPEC_ISC: AnalysisSpec = AnalysisSpec {
    name: "isc",
    title: "intra-participant contrasts (FDA): mean T - mean R per participant, by sequence",
    needs: Needs {
        replicate: true,
        ..Needs::NONE
    },
    scope: Scope::PairedContrast,
    needs_response: false,
    t_based: true,
    diagnostic: false,
    estimand: Estimand::ContrastEffect,
    estimate: |data: &mut LookData| match data.replicate.isc {
        Some(c) if c.se > 0.0 && c.se.is_finite() => {
            let statistic = c.estimate / c.se;
            AnalysisOutcome::Analyzed(Estimate {
                estimate: c.estimate,
                standard_error: c.se,
                statistic,
                df: c.df as f64,
                // The SD of the per-participant contrast, as the paired t's d_z.
                effect_size: c.estimate / (c.se * (c.participants as f64).sqrt()),
                n: c.participants,
                test: TestStatistic::StudentT {
                    t: statistic,
                    df: c.df,
                },
            })
        }
        Some(_) => AnalysisOutcome::NotAnalyzable(NotAnalyzable::ZeroVariance),
        None => AnalysisOutcome::NotAnalyzable(NotAnalyzable::TooFewParticipants),
    },
};

/// A variance estimate with its degrees of freedom (`df` 0: not estimable).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct VarianceEstimate {
    /// The mean square (NaN when not estimable).
    pub variance: f64,
    /// Residual degrees of freedom.
    pub df: usize,
}

impl VarianceEstimate {
    /// Whether there was at least one degree of freedom.
    pub fn is_estimable(&self) -> bool {
        self.df > 0 && self.variance.is_finite()
    }

    fn none() -> VarianceEstimate {
        VarianceEstimate {
            variance: f64::NAN,
            df: 0,
        }
    }
}

/// The ISC estimate of mu_T - mu_R on the log scale.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ContrastEstimate {
    /// Point estimate.
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// Degrees of freedom (participants with the contrast minus sequences with such participants).
    pub df: usize,
    /// Participants with the contrast (every period observed).
    pub participants: usize,
}

/// Everything the scaled rules read from one replicate, besides the linear model's interval.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ReplicateStatistics {
    /// s²wR from the ANOVA of the reference observations only (EMA method A).
    pub reference_anova: VarianceEstimate,
    /// s²wT from the ANOVA of the test observations only (designs that repeat T).
    pub test_anova: VarianceEstimate,
    /// The ISC point estimate and SE (None without residual df).
    pub isc: Option<ContrastEstimate>,
    /// s²wR from the R1 - R2 differences (ISC).
    pub isc_reference: VarianceEstimate,
    /// s²wT from the T1 - T2 differences (ISC).
    pub isc_test: VarianceEstimate,
}

/// Which of the statistics a rule reads (the others are not computed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReplicateNeeds {
    /// The within-condition ANOVAs of EMA's method A (s²wR, and s²wT when `test_variance`).
    pub anova: bool,
    /// The intra-participant contrasts.
    pub isc: bool,
    /// s²wT as well as s²wR.
    pub test_variance: bool,
}

/// Where one (sequence, periods completed) pattern has its observations of T and R.
#[derive(Debug, Clone, Default)]
struct Pattern {
    /// Periods with an observed R, in order.
    reference: Periods,
    /// Periods with an observed T, in order.
    test: Periods,
    /// Every period observed.
    complete: bool,
}

/// A short list of periods in place (read for every participant: no pointer to follow).
#[derive(Debug, Clone, Copy, Default)]
struct Periods {
    len: u8,
    periods: [u8; MAX_PERIODS],
}

impl Periods {
    fn push(&mut self, j: u8) {
        self.periods[usize::from(self.len)] = j;
        self.len += 1;
    }

    #[inline]
    fn as_slice(&self) -> &[u8] {
        &self.periods[..usize::from(self.len)]
    }
}

/// Accumulators of one sequence's per-participant contrast (n, sum, sum of squares).
#[derive(Debug, Clone, Copy, Default)]
struct Moments {
    n: usize,
    sum: f64,
    sum_squares: f64,
}

impl Moments {
    #[inline]
    fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        self.sum_squares += x * x;
    }

    /// Sum of squared deviations from the mean.
    fn deviance(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            (self.sum_squares - self.sum * self.sum / self.n as f64).max(0.0)
        }
    }
}

/// Pooled within-sequence variance of a per-participant contrast.
fn pooled(moments: &[Moments]) -> (f64, usize) {
    let groups = moments.iter().filter(|m| m.n > 0).count();
    let n: usize = moments.iter().map(|m| m.n).sum();
    let df = n.saturating_sub(groups);
    let ss: f64 = moments.iter().map(Moments::deviance).sum();
    (if df > 0 { ss / df as f64 } else { f64::NAN }, df)
}

/// The ANOVA of one condition's observations: per-pattern normal matrices and the per-replicate
/// accumulators.
#[derive(Debug, Clone)]
struct WithinAnova {
    /// Per pattern: the p x p normal matrix of its centred period dummies.
    pattern_matrix: Vec<Vec<f64>>,
    normal: Vec<f64>,
    factor: Vec<f64>,
    /// Scratch for the solution (the sums are kept for the next look).
    solution: Vec<f64>,
    periods: usize,
    /// The sums, added to participant by participant: kept in place (not behind a pointer) so
    /// that the compiler sees they do not overlap the data they are added from.
    sums: WithinSums,
}

/// The accumulators of one condition's ANOVA.
#[derive(Debug, Clone, Copy, Default)]
struct WithinSums {
    /// The observations centred on their participant's mean of the condition, summed by period
    /// (X'y).
    by_period: [f64; MAX_PERIODS],
    /// Their sum of squares.
    squares: f64,
    /// Observations minus participants, over the participants with at least two.
    df: usize,
}

impl WithinSums {
    /// Adds one participant's observations `y` of the condition in `cells` (at least two).
    #[inline(always)]
    fn add(&mut self, cells: &[u8], y: &[f64]) {
        let m = mean_of(cells, y);
        // In a local, not stored and reloaded beside the sums indexed by period for every cell.
        let mut squares = self.squares;
        for &j in cells {
            let d = y[usize::from(j)] - m;
            self.by_period[usize::from(j)] += d;
            squares += d * d;
        }
        self.squares = squares;
        self.df += cells.len() - 1;
    }
}

/// The mean of `y` over `cells`.
#[inline(always)]
fn mean_of(cells: &[u8], y: &[f64]) -> f64 {
    cells.iter().map(|&j| y[usize::from(j)]).sum::<f64>() / cells.len() as f64
}

impl WithinAnova {
    fn new(patterns: &[Pattern], periods: usize, of_reference: bool) -> WithinAnova {
        let pattern_matrix = patterns
            .iter()
            .map(|pattern| {
                let cells = if of_reference {
                    pattern.reference.as_slice()
                } else {
                    pattern.test.as_slice()
                };
                let mut m = vec![0.0; periods * periods];
                let k = cells.len();
                if k >= 2 {
                    for &a in cells {
                        for &b in cells {
                            let (a, b) = (usize::from(a), usize::from(b));
                            m[a * periods + b] += f64::from(u8::from(a == b)) - 1.0 / k as f64;
                        }
                    }
                }
                m
            })
            .collect();
        WithinAnova {
            pattern_matrix,
            normal: vec![0.0; periods * periods],
            factor: vec![0.0; periods * periods],
            solution: vec![0.0; periods],
            periods,
            sums: WithinSums::default(),
        }
    }

    /// The residual mean square, from the pattern counts and the sums.
    fn finish(&mut self, counts: &[u32]) -> VarianceEstimate {
        let p = self.periods;
        let WithinSums {
            by_period: ref rhs,
            squares: sum_squares,
            df: observation_df,
        } = self.sums;
        let rhs = &rhs[..p];
        self.normal.fill(0.0);
        for (matrix, &count) in self.pattern_matrix.iter().zip(counts) {
            if count > 0 {
                let c = f64::from(count);
                for (n, m) in self.normal.iter_mut().zip(matrix) {
                    *n += c * m;
                }
            }
        }
        let b = &mut self.solution;
        b.copy_from_slice(rhs);
        let rank = solve_semidefinite(&self.normal, &mut self.factor, b, p);
        let explained: f64 = b.iter().zip(rhs).map(|(x, y)| x * y).sum();
        let df = observation_df.saturating_sub(rank);
        if df == 0 {
            return VarianceEstimate::none();
        }
        VarianceEstimate {
            variance: (sum_squares - explained).max(0.0) / df as f64,
            df,
        }
    }
}

/// The replicate-design estimators prepared for one design, with their per-replicate buffers
/// (one per worker thread).
///
/// Participants are added one at a time in enrollment order ([`ReplicateModel::add`]) and
/// [`ReplicateModel::finish`] gives the statistics of those added so far, so that a look's
/// data gathering feeds it in the same pass and a later look continues the sums (the same
/// additions in the same order as recomputing them over all its participants).
#[derive(Debug, Clone)]
pub struct ReplicateModel {
    needs: ReplicateNeeds,
    test: Condition,
    reference: Condition,
    periods: usize,
    /// Indexed by `sequence * (periods + 1) + completed`.
    patterns: Vec<Pattern>,
    reference_anova: WithinAnova,
    test_anova: WithinAnova,
    counts: Vec<u32>,
    isc: Vec<Moments>,
    reference_differences: Vec<Moments>,
    test_differences: Vec<Moments>,
}

impl ReplicateModel {
    /// Prepares the estimators of `test` against `reference` in `design`.
    pub fn new(
        design: &Crossover,
        test: Condition,
        reference: Condition,
        needs: ReplicateNeeds,
    ) -> ReplicateModel {
        let periods = design.period_count();
        let mut patterns = Vec::new();
        for sequence in design.sequences() {
            for completed in 0..=periods {
                let mut pattern = Pattern {
                    complete: completed == periods,
                    ..Pattern::default()
                };
                for j in 0..completed {
                    let c = sequence.condition_in(j);
                    if c == reference {
                        pattern.reference.push(j as u8);
                    } else if c == test {
                        pattern.test.push(j as u8);
                    }
                }
                patterns.push(pattern);
            }
        }
        let s = design.sequence_count();
        ReplicateModel {
            needs,
            test,
            reference,
            periods,
            reference_anova: WithinAnova::new(&patterns, periods, true),
            test_anova: WithinAnova::new(&patterns, periods, false),
            counts: vec![0; patterns.len()],
            patterns,
            isc: vec![Moments::default(); s],
            reference_differences: vec![Moments::default(); s],
            test_differences: vec![Moments::default(); s],
        }
    }

    /// The statistics of participants `0..n` of `cohort` (from scratch).
    pub fn estimate(&mut self, cohort: &Cohort, n: usize) -> ReplicateStatistics {
        let p = self.periods;
        self.reset();
        for i in 0..n {
            let first = cohort.cell(i, 0);
            self.add(
                cohort.sequence[i].index(),
                usize::from(cohort.periods_completed[i]),
                &cohort.change[first..first + p],
            );
        }
        self.finish()
    }

    /// Forgets every participant added.
    pub fn reset(&mut self) {
        self.counts.fill(0);
        for m in self
            .isc
            .iter_mut()
            .chain(self.reference_differences.iter_mut())
            .chain(self.test_differences.iter_mut())
        {
            *m = Moments::default();
        }
        self.reference_anova.sums = WithinSums::default();
        self.test_anova.sums = WithinSums::default();
    }

    /// Adds the next participant: of sequence `sequence`, observed in its first `completed`
    /// periods, with `y` its row of responses by period (cells after `completed` are ignored).
    #[inline(always)]
    pub fn add(&mut self, sequence: usize, completed: usize, y: &[f64]) {
        let index = sequence * (self.periods + 1) + completed;
        self.counts[index] += 1;
        let pattern = &self.patterns[index];
        let (r, t) = (pattern.reference.as_slice(), pattern.test.as_slice());
        if self.needs.anova && r.len() >= 2 {
            self.reference_anova.sums.add(r, y);
        }
        if self.needs.anova && self.needs.test_variance && t.len() >= 2 {
            self.test_anova.sums.add(t, y);
        }
        if self.needs.isc {
            if pattern.complete && !r.is_empty() && !t.is_empty() {
                self.isc[sequence].add(mean_of(t, y) - mean_of(r, y));
            }
            if r.len() >= 2 {
                self.reference_differences[sequence]
                    .add(y[usize::from(r[0])] - y[usize::from(r[1])]);
            }
            if self.needs.test_variance && t.len() >= 2 {
                self.test_differences[sequence].add(y[usize::from(t[0])] - y[usize::from(t[1])]);
            }
        }
    }

    /// The statistics of the participants added so far (which stay added).
    pub fn finish(&mut self) -> ReplicateStatistics {
        let anova = self.needs.anova;
        let test_variance = self.needs.test_variance;
        let mut out = ReplicateStatistics::default();
        if anova {
            out.reference_anova = self.reference_anova.finish(&self.counts);
            out.test_anova = if test_variance {
                self.test_anova.finish(&self.counts)
            } else {
                VarianceEstimate::none()
            };
        } else {
            out.reference_anova = VarianceEstimate::none();
            out.test_anova = VarianceEstimate::none();
        }
        out.isc_reference = VarianceEstimate::none();
        out.isc_test = VarianceEstimate::none();
        if self.needs.isc {
            let (variance, df) = pooled(&self.isc);
            let groups = || self.isc.iter().filter(|m| m.n > 0);
            if df > 0 {
                let g = groups().count() as f64;
                let estimate = groups().map(|m| m.sum / m.n as f64).sum::<f64>() / g;
                let inverse_n: f64 = groups().map(|m| 1.0 / m.n as f64).sum();
                out.isc = Some(ContrastEstimate {
                    estimate,
                    se: (variance * inverse_n / (g * g)).sqrt(),
                    df,
                    participants: groups().map(|m| m.n).sum(),
                });
            }
            let (variance, df) = pooled(&self.reference_differences);
            if df > 0 {
                out.isc_reference = VarianceEstimate {
                    variance: variance / 2.0,
                    df,
                };
            }
            if test_variance {
                let (variance, df) = pooled(&self.test_differences);
                if df > 0 {
                    out.isc_test = VarianceEstimate {
                        variance: variance / 2.0,
                        df,
                    };
                }
            }
        }
        out
    }

    /// Computes only what `needs` lists from now on.
    pub fn set_needs(&mut self, needs: ReplicateNeeds) {
        self.needs = needs;
    }

    /// The test condition.
    pub fn test(&self) -> Condition {
        self.test
    }

    /// The reference condition.
    pub fn reference(&self) -> Condition {
        self.reference
    }
}

#[cfg(test)]
mod tests {
    //! Every expected value below was computed by R 4.2.2 on the data typed here, by the
    //! script `tests/reference/scaled_estimation.R` whose calls are quoted in each test:
    //! `lm(y ~ factor(subject) + factor(period), data = subset(d, treatment == "R"))` for the
    //! within-condition ANOVA (residual mean square, `df.residual`), and the FDA's SAS-code
    //! quantities by hand (`ilat = mean(T) - mean(R)` on participants with every period,
    //! `dlat = R1 - R2` on participants with both R; the point estimate the mean of the
    //! sequence means, its SE from the pooled within-sequence variance, `s2wR = pooled var
    //! (dlat) / 2`). Dropout is monotone (a participant completes the first periods), as in the
    //! model.
    use super::*;
    use crate::design::SequenceId;

    /// A cohort of `rows` (sequence index, completed periods, y by period) of `design`.
    fn cohort(design: &Crossover, rows: &[(u8, u8, &[f64])]) -> Cohort {
        let p = design.period_count();
        let mut c = Cohort::new(rows.len(), p);
        for (i, &(s, completed, y)) in rows.iter().enumerate() {
            c.sequence[i] = SequenceId(s);
            c.periods_completed[i] = completed;
            for (j, &value) in y.iter().enumerate().take(p) {
                let cell = c.cell(i, j);
                c.condition[cell] = design.sequences()[usize::from(s)].condition_in(j);
                c.change[cell] = value;
            }
        }
        c
    }

    fn design(sequences: &[&str]) -> Crossover {
        let names = ["R".to_string(), "T".to_string()];
        let seqs: Vec<String> = sequences.iter().map(|s| s.to_string()).collect();
        Crossover::new(&names, 0, &seqs).unwrap()
    }

    fn all_needs() -> ReplicateNeeds {
        ReplicateNeeds {
            anova: true,
            isc: true,
            test_variance: true,
        }
    }

    fn close(a: f64, b: f64, what: &str) {
        assert!(
            (a - b).abs() <= 1e-9 * b.abs().max(1e-3),
            "{what}: {a} vs R {b}"
        );
    }

    /// Data set (a): 2x2x4, RTRT (participants 1-4, "ABAB") and TRTR (5-8, "BABA").
    const A: [(u8, &[f64]); 8] = [
        (0, &[4.60, 5.02, 5.21, 4.95]),
        (0, &[5.35, 5.10, 4.88, 5.22]),
        (0, &[4.72, 4.98, 5.05, 4.81]),
        (0, &[5.48, 5.30, 5.12, 5.41]),
        (1, &[4.90, 4.55, 5.06, 5.14]),
        (1, &[5.27, 5.49, 5.15, 4.96]),
        (1, &[4.66, 4.98, 4.79, 4.51]),
        (1, &[5.12, 4.83, 5.20, 5.32]),
    ];

    /// Data set (c): 2x3x3, RRT ("AAB"), RTR ("ABA"), TRR ("BAA"), three participants each.
    const C: [(u8, &[f64]); 9] = [
        (0, &[4.62, 5.18, 4.95]),
        (0, &[5.31, 4.86, 5.12]),
        (0, &[4.70, 5.02, 4.83]),
        (1, &[5.08, 4.97, 4.55]),
        (1, &[4.66, 4.92, 5.21]),
        (1, &[5.44, 5.30, 5.09]),
        (2, &[4.93, 4.58, 5.11]),
        (2, &[5.16, 5.45, 4.99]),
        (2, &[4.81, 4.64, 4.90]),
    ];

    fn rows<'a>(data: &'a [(u8, &'a [f64])], dropped: &[(usize, u8)]) -> Vec<(u8, u8, &'a [f64])> {
        data.iter()
            .enumerate()
            .map(|(i, &(s, y))| {
                let completed = dropped
                    .iter()
                    .find(|d| d.0 == i + 1)
                    .map_or(y.len() as u8, |d| d.1);
                (s, completed, y)
            })
            .collect()
    }

    /// (a) complete: R-only ANOVA s2wR 0.1597395833 on 6 df; T-only s2wT 0.008995833333 on
    /// 6 df; ISC PE 0.046875, SE 0.02043472841, 6 df; ISC s2wR 0.1597395833 (6 df), s2wT
    /// 0.008995833333 (6 df).
    #[test]
    fn full_replicate_complete_equals_r() {
        let d = design(&["ABAB", "BABA"]);
        let c = cohort(&d, &rows(&A, &[]));
        let mut m = ReplicateModel::new(&d, Condition(1), Condition(0), all_needs());
        let s = m.estimate(&c, 8);
        close(s.reference_anova.variance, 0.1597395833, "s2wR anova");
        assert_eq!(s.reference_anova.df, 6);
        close(s.test_anova.variance, 0.008995833333, "s2wT anova");
        assert_eq!(s.test_anova.df, 6);
        let isc = s.isc.unwrap();
        close(isc.estimate, 0.046875, "ISC PE");
        close(isc.se, 0.02043472841, "ISC SE");
        assert_eq!(isc.df, 6);
        close(s.isc_reference.variance, 0.1597395833, "ISC s2wR");
        assert_eq!(s.isc_reference.df, 6);
        close(s.isc_test.variance, 0.008995833333, "ISC s2wT");
        assert_eq!(s.isc_test.df, 6);
    }

    /// (b) = (a) with participant 2 missing period 4, participant 5 periods 3-4 and
    /// participant 7 period 4: R-only ANOVA s2wR 0.168584375 on 4 df, T-only 0.009408333333
    /// on 4 df; ISC PE 0.04166666667, SE 0.02284711668 on 3 df (5 complete participants);
    /// ISC s2wR 0.168584375 on 4 df (6 participants with both R), s2wT 0.009408333333 on 4.
    #[test]
    fn full_replicate_with_dropout_equals_r() {
        let d = design(&["ABAB", "BABA"]);
        let c = cohort(&d, &rows(&A, &[(2, 3), (5, 2), (7, 3)]));
        let mut m = ReplicateModel::new(&d, Condition(1), Condition(0), all_needs());
        let s = m.estimate(&c, 8);
        close(s.reference_anova.variance, 0.168584375, "s2wR anova");
        assert_eq!(s.reference_anova.df, 4);
        close(s.test_anova.variance, 0.009408333333, "s2wT anova");
        assert_eq!(s.test_anova.df, 4);
        let isc = s.isc.unwrap();
        close(isc.estimate, 0.04166666667, "ISC PE");
        close(isc.se, 0.02284711668, "ISC SE");
        assert_eq!(isc.df, 3);
        close(s.isc_reference.variance, 0.168584375, "ISC s2wR");
        assert_eq!(s.isc_reference.df, 4);
        close(s.isc_test.variance, 0.009408333333, "ISC s2wT");
        assert_eq!(s.isc_test.df, 4);
    }

    /// (c) 2x3x3 complete: R-only ANOVA s2wR 0.1344484127 on 7 df (n - 2); ISC PE
    /// 0.03277777778, SE 0.02353090954 on 6 df (n - 3); ISC s2wR 0.1458555556 on 6 df.
    #[test]
    fn partial_replicate_complete_equals_r() {
        let d = design(&["AAB", "ABA", "BAA"]);
        let c = cohort(&d, &rows(&C, &[]));
        let mut m = ReplicateModel::new(&d, Condition(1), Condition(0), all_needs());
        let s = m.estimate(&c, 9);
        close(s.reference_anova.variance, 0.1344484127, "s2wR anova");
        assert_eq!(s.reference_anova.df, 7);
        let isc = s.isc.unwrap();
        close(isc.estimate, 0.03277777778, "ISC PE");
        close(isc.se, 0.02353090954, "ISC SE");
        assert_eq!(isc.df, 6);
        close(s.isc_reference.variance, 0.1458555556, "ISC s2wR");
        assert_eq!(s.isc_reference.df, 6);
        assert!(!s.test_anova.is_estimable() && !s.isc_test.is_estimable());
    }

    /// (d) = (c) with participant 4 missing period 3 and participant 8 periods 2-3: R-only
    /// ANOVA s2wR 0.114241875 on 5 df; ISC PE 0.03027777778, SE 0.01475624998 on 4 df;
    /// ISC s2wR 0.1247895833 on 4 df.
    #[test]
    fn partial_replicate_with_dropout_equals_r() {
        let d = design(&["AAB", "ABA", "BAA"]);
        let c = cohort(&d, &rows(&C, &[(4, 2), (8, 1)]));
        let mut m = ReplicateModel::new(&d, Condition(1), Condition(0), all_needs());
        let s = m.estimate(&c, 9);
        close(s.reference_anova.variance, 0.114241875, "s2wR anova");
        assert_eq!(s.reference_anova.df, 5);
        let isc = s.isc.unwrap();
        close(isc.estimate, 0.03027777778, "ISC PE");
        close(isc.se, 0.01475624998, "ISC SE");
        assert_eq!(isc.df, 4);
        close(s.isc_reference.variance, 0.1247895833, "ISC s2wR");
        assert_eq!(s.isc_reference.df, 4);
    }

    /// (e) 2x2x3, RTR ("ABA") participants 1-4 and TRT ("BAB") 5-8, complete: R-only ANOVA
    /// s2wR 0.0093125 on 3 df (only RTR repeats R), T-only 0.01256666667 on 3; ISC PE
    /// 0.091875, SE 0.08285513839 on 6 df; ISC s2wR 0.0093125 on 3 df (participants in
    /// RTR - 1).
    #[test]
    fn two_sequence_three_period_equals_r() {
        let d = design(&["ABA", "BAB"]);
        let data: [(u8, &[f64]); 8] = [
            (0, &[4.88, 5.07, 4.73]),
            (0, &[5.19, 5.02, 5.28]),
            (0, &[4.61, 4.84, 4.49]),
            (0, &[5.35, 5.41, 5.12]),
            (1, &[4.97, 4.80, 5.14]),
            (1, &[5.23, 5.31, 5.06]),
            (1, &[4.70, 4.52, 4.86]),
            (1, &[5.09, 5.26, 5.17]),
        ];
        let c = cohort(&d, &rows(&data, &[]));
        let mut m = ReplicateModel::new(&d, Condition(1), Condition(0), all_needs());
        let s = m.estimate(&c, 8);
        close(s.reference_anova.variance, 0.0093125, "s2wR anova");
        assert_eq!(s.reference_anova.df, 3);
        close(s.test_anova.variance, 0.01256666667, "s2wT anova");
        assert_eq!(s.test_anova.df, 3);
        let isc = s.isc.unwrap();
        close(isc.estimate, 0.091875, "ISC PE");
        close(isc.se, 0.08285513839, "ISC SE");
        assert_eq!(isc.df, 6);
        close(s.isc_reference.variance, 0.0093125, "ISC s2wR");
        assert_eq!(s.isc_reference.df, 3);
    }
}
