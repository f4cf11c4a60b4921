//! The within-participant linear model of any crossover design ("all effects fixed"):
//!
//! ```text
//! y_ij = s_i + pi_j + phi_c(i,j) [+ lambda_c(i,j-1)] + e_ij
//! ```
//!
//! fitted by least squares on every observed period of every participant, with fixed
//! participant effects s_i. It equals R's
//! `lm(y ~ factor(subject) + factor(period) + factor(treatment) [+ carry dummies])`.
//!
//! Participant effects are eliminated by centring each participant's observations, which
//! leaves normal equations in q = (p - 1) + (k - 1) [+ (k - 1)] unknowns. A participant's
//! contribution to the normal matrix depends only on its sequence and how many periods it
//! completed, so the per-pattern matrices are computed once per run; per replicate the matrix is
//! a count-weighted sum of them, and only the right-hand side and the residuals touch the data.
//! The df are observations - participants - q, as R's residual df.
//!
//! Every column of either model is one indicator (period j, condition c, or condition c in the
//! previous period), so the right-hand side is a set of sums of centred observations, which the
//! look accumulates while it gathers them ([`ColumnSums`]) in the order the fit would add them.
//! The fitted values depend only on the participant's pattern and the period, so the fit
//! computes them once per pattern, and the residual pass reads one of them per observation.

use super::{
    AnalysisOutcome, AnalysisSpec, Estimand, Estimate, LookData, Needs, NotAnalyzable, Scope,
    TestStatistic,
};
use crate::design::{Condition, Contrast, Crossover, MAX_CONDITIONS, MAX_PERIODS};
use crate::numerics::{cholesky_definite_into, cholesky_solve};

/// `anova`: the linear model without a carryover term.
pub static SPEC: AnalysisSpec = AnalysisSpec {
    name: "anova",
    title: "linear model with fixed participant, period and condition effects",
    needs: Needs {
        observations: true,
        ..Needs::NONE
    },
    scope: Scope::AnyDesign,
    needs_response: false,
    t_based: true,
    diagnostic: false,
    estimand: Estimand::ContrastEffect,
    estimate: |data: &mut LookData| data.fit_anova(false),
};

/// `anova_carryover`: the linear model with first-order carryover terms.
pub static SPEC_CARRYOVER: AnalysisSpec = AnalysisSpec {
    name: "anova_carryover",
    title:
        "linear model with fixed participant, period, condition and first-order carryover effects",
    needs: Needs {
        observations: true,
        ..Needs::NONE
    },
    scope: Scope::AnyDesign,
    needs_response: false,
    t_based: true,
    diagnostic: false,
    estimand: Estimand::ContrastEffect,
    estimate: |data: &mut LookData| data.fit_anova(true),
};

/// One observation of a participant with at least two, centred on the participant's mean.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Observation {
    /// y_ij minus the participant's mean over observed periods.
    pub centred: f64,
    /// Where its centred fitted value is (`AnovaModel::fitted_slot`): the participant's pattern
    /// (sequence, periods observed) and the period.
    pub slot: u16,
}

/// `previous` of a first-period observation.
pub const NONE: u8 = u8::MAX;

/// The sums the normal equations' right-hand side is made of, accumulated over the look's
/// observations (those of participants with at least two) in enrollment order, each sum
/// starting from 0 and adding one centred observation at a time as the fit's own loop did.
/// Fixed arrays, so that the look can keep a copy in its loop's locals (sums in a vector could,
/// for all the compiler knows, overlap the observations pushed beside them, and would be
/// reloaded and stored for every one).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ColumnSums {
    /// By period: the sum of the centred observations in that period.
    pub period: [f64; MAX_PERIODS],
    /// By condition: the sum of the centred observations under it.
    pub condition: [f64; MAX_CONDITIONS],
    /// By condition: the sum of the centred observations whose previous period was under it
    /// (first-period observations have none).
    pub previous: [f64; MAX_CONDITIONS],
    /// The sum of the squared centred observations.
    pub squares: f64,
}

impl ColumnSums {
    /// Adds the observed periods of one participant of `pattern` with at least two (their
    /// conditions and values, in period order): the centred observations to `observations`
    /// and to the sums.
    #[inline(always)]
    pub fn add_participant(
        &mut self,
        observations: &mut Vec<Observation>,
        pattern: usize,
        periods: usize,
        conditions: &[Condition],
        values: &[f64],
    ) {
        let m = values.len();
        let mean = values.iter().sum::<f64>() / m as f64;
        // The sum of squares in a local: in the struct it would be loaded and stored for every
        // observation (it sits beside arrays indexed by data), a chain through memory.
        let mut squares = self.squares;
        let mut previous = None;
        for (j, (&y, &c)) in values.iter().zip(conditions).enumerate() {
            let centred = y - mean;
            observations.push(Observation {
                centred,
                slot: AnovaModel::fitted_slot(pattern, periods, j),
            });
            self.period[j] += centred;
            self.condition[c.index()] += centred;
            if let Some(b) = previous {
                self.previous[b] += centred;
            }
            previous = Some(c.index());
            squares += centred * centred;
        }
        self.squares = squares;
    }
}

/// Precomputed normal-equation pieces of one model (with or without carryover) for a design.
#[derive(Debug, Clone)]
pub struct AnovaModel {
    periods: usize,
    conditions: usize,
    carryover: bool,
    q: usize,
    /// Per (sequence, periods completed) pattern, the q x q matrix X_c' X_c of the centred
    /// design rows.
    pattern_matrices: Vec<Vec<f64>>,
    /// Per pattern and period (`fitted_slot`), the period, condition and previous condition of
    /// that observation.
    pattern_cells: Vec<(u8, u8, u8)>,
    /// Per pattern and period, the centred fitted value x_ij' beta minus the participant's mean
    /// of them, of the last fit (the patterns observed in it).
    centred_fitted: Vec<f64>,
    /// The contrasts in parameter space (the first is the one [`AnovaModel::fit`] estimates).
    contrasts: Vec<Vec<f64>>,
    /// Residual mean square and df of the last successful fit, for further contrasts.
    last_fit: Option<(f64, usize, usize)>,
    // Scratch, reused every replicate.
    a: Vec<f64>,
    l: Vec<f64>,
    rhs: Vec<f64>,
    beta: Vec<f64>,
    z: Vec<f64>,
    fitted: Vec<f64>,
}

impl AnovaModel {
    /// Precomputes the model for `design` and the contrast to estimate.
    pub fn new(design: &Crossover, contrast: &Contrast, carryover: bool) -> AnovaModel {
        AnovaModel::with_contrasts(design, std::slice::from_ref(contrast), carryover)
    }

    /// Precomputes the model for `design` and several contrasts, all estimated from one fit
    /// (the first by [`AnovaModel::fit`], the others by [`AnovaModel::contrast_estimate`]).
    pub fn with_contrasts(
        design: &Crossover,
        contrasts: &[Contrast],
        carryover: bool,
    ) -> AnovaModel {
        let p = design.period_count();
        let k = design.condition_count();
        let q = (p - 1) + (k - 1) + if carryover { k - 1 } else { 0 };
        let mut model = AnovaModel {
            periods: p,
            conditions: k,
            carryover,
            q,
            pattern_matrices: Vec::with_capacity(design.sequence_count() * (p + 1)),
            pattern_cells: Vec::with_capacity(design.sequence_count() * (p + 1) * p),
            centred_fitted: vec![0.0; design.sequence_count() * (p + 1) * p],
            contrasts: vec![vec![0.0; q]; contrasts.len()],
            last_fit: None,
            a: vec![0.0; q * q],
            l: vec![0.0; q * q],
            rhs: vec![0.0; q],
            beta: vec![0.0; q],
            z: vec![0.0; q],
            fitted: vec![0.0; p],
        };
        for (i, contrast) in contrasts.iter().enumerate() {
            for c in 1..k {
                let column = model.condition_column(c as u8);
                model.contrasts[i][column] = contrast.weights()[c];
            }
        }
        let mut row = vec![0.0; q];
        for s in design.sequences() {
            for completed in 0..=p {
                let mut rows: Vec<Vec<f64>> = Vec::new();
                for j in 0..p {
                    let prev = if j == 0 {
                        NONE
                    } else {
                        s.condition_in(j - 1).0
                    };
                    model
                        .pattern_cells
                        .push((j as u8, s.condition_in(j).0, prev));
                    if j < completed {
                        row.fill(0.0);
                        model.add_columns(&mut row, j as u8, s.condition_in(j).0, prev, 1.0);
                        rows.push(row.clone());
                    }
                }
                let mut m = vec![0.0; q * q];
                if rows.len() >= 2 {
                    let n = rows.len() as f64;
                    let means: Vec<f64> = (0..q)
                        .map(|c| rows.iter().map(|r| r[c]).sum::<f64>() / n)
                        .collect();
                    for r in &rows {
                        for a in 0..q {
                            for b in 0..q {
                                m[a * q + b] += (r[a] - means[a]) * (r[b] - means[b]);
                            }
                        }
                    }
                }
                model.pattern_matrices.push(m);
            }
        }
        model
    }

    fn condition_column(&self, c: u8) -> usize {
        self.periods - 1 + c as usize - 1
    }

    /// Where the fitted value of period `period` of a participant of `pattern` (index
    /// `sequence * (periods + 1) + periods observed`, as the pattern counts) is kept.
    #[inline]
    pub fn fitted_slot(pattern: usize, periods: usize, period: usize) -> u16 {
        (pattern * periods + period) as u16
    }

    /// Adds `value` times the design row of one observation to `row`.
    #[inline]
    fn add_columns(&self, row: &mut [f64], period: u8, condition: u8, previous: u8, value: f64) {
        if period > 0 {
            row[period as usize - 1] += value;
        }
        if condition > 0 {
            row[self.condition_column(condition)] += value;
        }
        if self.carryover && previous != NONE && previous > 0 {
            row[self.periods - 1 + self.conditions - 1 + previous as usize - 1] += value;
        }
    }

    /// The fitted value x_ij' beta of one observation (before centring).
    #[inline]
    fn predict(&self, period: u8, condition: u8, previous: u8) -> f64 {
        let mut f = 0.0;
        if period > 0 {
            f += self.beta[period as usize - 1];
        }
        if condition > 0 {
            f += self.beta[self.condition_column(condition)];
        }
        if self.carryover && previous != NONE && previous > 0 {
            f += self.beta[self.periods - 1 + self.conditions - 1 + previous as usize - 1];
        }
        f
    }

    /// Fits the model to the look's observations and estimates the contrast. `sums` are the
    /// observations' column sums and `pattern_counts` the participants with at least one
    /// observation by pattern.
    pub fn fit(
        &mut self,
        observations: &[Observation],
        sums: &ColumnSums,
        pattern_counts: &[u32],
        participants: usize,
        total_observations: usize,
    ) -> AnalysisOutcome {
        let q = self.q;
        let (p, k) = (self.periods, self.conditions);
        self.last_fit = None;
        if total_observations < participants + q + 1 {
            return AnalysisOutcome::NotAnalyzable(NotAnalyzable::TooFewParticipants);
        }
        let df = total_observations - participants - q;
        self.a.fill(0.0);
        for (m, &count) in self.pattern_matrices.iter().zip(pattern_counts) {
            if count > 0 {
                let w = f64::from(count);
                for (a, x) in self.a.iter_mut().zip(m) {
                    *a += w * x;
                }
            }
        }
        // The right-hand side X'y: each column's indicator sum (the period columns from period
        // 1, the condition and carryover columns from condition 1; see `add_columns`).
        self.rhs[..p - 1].copy_from_slice(&sums.period[1..p]);
        self.rhs[p - 1..p - 1 + k - 1].copy_from_slice(&sums.condition[1..k]);
        if self.carryover {
            self.rhs[p - 1 + k - 1..].copy_from_slice(&sums.previous[1..k]);
        }
        let yy = sums.squares;
        if !cholesky_definite_into(&self.a, &mut self.l, q) {
            // Some effect is not estimable from the observed periods (e.g. a condition nobody
            // has received yet).
            return AnalysisOutcome::NotAnalyzable(NotAnalyzable::TooFewParticipants);
        }
        self.beta.copy_from_slice(&self.rhs);
        cholesky_solve(&self.l, &mut self.beta, q);
        // Residuals explicitly (not y'y - b'X'y), which loses digits when the fit is close.
        // A participant's residual is its centred value minus its fitted value centred on the
        // participant's mean of fitted values; both depend on its pattern and period only, so
        // they are computed once for each pattern observed with at least two periods.
        let mut fitted = std::mem::take(&mut self.fitted);
        for (pattern, &count) in pattern_counts.iter().enumerate() {
            let m = pattern % (p + 1);
            if count == 0 || m < 2 {
                continue;
            }
            let base = pattern * p;
            for (f, &(period, condition, previous)) in fitted[..m]
                .iter_mut()
                .zip(&self.pattern_cells[base..base + m])
            {
                *f = self.predict(period, condition, previous);
            }
            let mean = fitted[..m].iter().sum::<f64>() / m as f64;
            for (g, f) in self.centred_fitted[base..base + m]
                .iter_mut()
                .zip(&fitted[..m])
            {
                *g = f - mean;
            }
        }
        self.fitted = fitted;
        let centred_fitted = &self.centred_fitted[..];
        let mut rss = 0.0;
        for o in observations {
            let r = o.centred - centred_fitted[usize::from(o.slot)];
            rss += r * r;
        }
        let mse = rss / df as f64;
        if super::is_zero_variance(mse, yy.sqrt()) {
            return AnalysisOutcome::NotAnalyzable(NotAnalyzable::ZeroVariance);
        }
        self.last_fit = Some((mse, df, participants));
        AnalysisOutcome::Analyzed(self.estimate_of(0, mse, df, participants))
    }

    /// Contrast `i` (in the order given to [`AnovaModel::with_contrasts`]) from the last fit:
    /// the same residual mean square and df, its own variance factor. Not analyzable when
    /// the last fit was not.
    pub fn contrast_estimate(&mut self, i: usize) -> AnalysisOutcome {
        match self.last_fit {
            Some((mse, df, participants)) => {
                AnalysisOutcome::Analyzed(self.estimate_of(i, mse, df, participants))
            }
            None => AnalysisOutcome::NotAnalyzable(NotAnalyzable::TooFewParticipants),
        }
    }

    fn estimate_of(&mut self, i: usize, mse: f64, df: usize, participants: usize) -> Estimate {
        let q = self.q;
        let contrast = &self.contrasts[i];
        self.z.copy_from_slice(contrast);
        cholesky_solve(&self.l, &mut self.z, q);
        let variance_factor: f64 = contrast.iter().zip(&self.z).map(|(a, b)| a * b).sum();
        let estimate: f64 = contrast.iter().zip(&self.beta).map(|(a, b)| a * b).sum();
        let standard_error = (mse * variance_factor).sqrt();
        let statistic = estimate / standard_error;
        Estimate {
            estimate,
            standard_error,
            statistic,
            df: df as f64,
            effect_size: estimate / mse.sqrt(),
            n: participants,
            test: TestStatistic::StudentT { t: statistic, df },
        }
    }

    /// Number of parameters besides the participant effects.
    pub fn parameters(&self) -> usize {
        self.q
    }

    /// The design's variance factor v for the contrast: in a balanced complete design of N
    /// participants (the sequences equally filled, every period observed), the estimate's
    /// variance is sigma_w^2 v / N. Derived from the design's own normal matrix.
    pub fn balanced_variance_factor(&mut self, sequences: usize) -> Option<f64> {
        self.balanced_variance_factor_of(0, sequences)
    }

    /// [`AnovaModel::balanced_variance_factor`] of contrast `i`.
    pub fn balanced_variance_factor_of(&mut self, i: usize, sequences: usize) -> Option<f64> {
        let q = self.q;
        let p = self.periods;
        let mut counts = vec![0u32; sequences * (p + 1)];
        for s in 0..sequences {
            counts[s * (p + 1) + p] = 1;
        }
        self.a.fill(0.0);
        for (m, &count) in self.pattern_matrices.iter().zip(&counts) {
            let w = f64::from(count);
            for (a, x) in self.a.iter_mut().zip(m) {
                *a += w * x;
            }
        }
        if !cholesky_definite_into(&self.a, &mut self.l, q) {
            return None;
        }
        self.z.copy_from_slice(&self.contrasts[i]);
        cholesky_solve(&self.l, &mut self.z, q);
        let v: f64 = self.contrasts[i]
            .iter()
            .zip(&self.z)
            .map(|(a, b)| a * b)
            .sum();
        // One participant per sequence: Var = sigma^2 v; with n per sequence it is v / n, and
        // N = n * sequences, so the factor relative to N is v * sequences.
        Some(v * sequences as f64)
    }
}
