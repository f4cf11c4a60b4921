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

use super::{
    AnalysisOutcome, AnalysisSpec, Estimand, Estimate, LookData, Needs, NotAnalyzable, Scope,
    TestStatistic,
};
use crate::design::{Contrast, Crossover};
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
    /// Period index.
    pub period: u8,
    /// Condition received.
    pub condition: u8,
    /// Condition of the previous period (`NONE` in the first period).
    pub previous: u8,
    /// Index of the participant's first observation in the buffer (for re-centring fitted
    /// values).
    pub first: u32,
    /// Number of observations of the participant.
    pub count: u8,
}

/// `previous` of a first-period observation.
pub const NONE: u8 = u8::MAX;

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
            contrasts: vec![vec![0.0; q]; contrasts.len()],
            last_fit: None,
            a: vec![0.0; q * q],
            l: vec![0.0; q * q],
            rhs: vec![0.0; q],
            beta: vec![0.0; q],
            z: vec![0.0; q],
            fitted: Vec::new(),
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
                for j in 0..completed {
                    row.fill(0.0);
                    let prev = if j == 0 {
                        NONE
                    } else {
                        s.condition_in(j - 1).0
                    };
                    model.add_columns(&mut row, j as u8, s.condition_in(j).0, prev, 1.0);
                    rows.push(row.clone());
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
    fn predict(&self, o: &Observation) -> f64 {
        let mut f = 0.0;
        if o.period > 0 {
            f += self.beta[o.period as usize - 1];
        }
        if o.condition > 0 {
            f += self.beta[self.condition_column(o.condition)];
        }
        if self.carryover && o.previous != NONE && o.previous > 0 {
            f += self.beta[self.periods - 1 + self.conditions - 1 + o.previous as usize - 1];
        }
        f
    }

    /// Fits the model to the look's observations and estimates the contrast.
    pub fn fit(
        &mut self,
        observations: &[Observation],
        pattern_counts: &[u32],
        participants: usize,
        total_observations: usize,
    ) -> AnalysisOutcome {
        let q = self.q;
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
        let mut rhs = std::mem::take(&mut self.rhs);
        rhs.fill(0.0);
        let mut yy = 0.0;
        for o in observations {
            self.add_columns(&mut rhs, o.period, o.condition, o.previous, o.centred);
            yy += o.centred * o.centred;
        }
        self.rhs = rhs;
        if !cholesky_definite_into(&self.a, &mut self.l, q) {
            // Some effect is not estimable from the observed periods (e.g. a condition nobody
            // has received yet).
            return AnalysisOutcome::NotAnalyzable(NotAnalyzable::TooFewParticipants);
        }
        self.beta.copy_from_slice(&self.rhs);
        cholesky_solve(&self.l, &mut self.beta, q);
        // Residuals explicitly (not y'y - b'X'y), which loses digits when the fit is close.
        let mut fitted = std::mem::take(&mut self.fitted);
        fitted.clear();
        fitted.extend(observations.iter().map(|o| self.predict(o)));
        self.fitted = fitted;
        let mut rss = 0.0;
        let mut i = 0;
        while i < observations.len() {
            let n = observations[i].count as usize;
            let group = &self.fitted[i..i + n];
            let mean = group.iter().sum::<f64>() / n as f64;
            for (o, f) in observations[i..i + n].iter().zip(group) {
                let r = o.centred - (f - mean);
                rss += r * r;
            }
            i += n;
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
