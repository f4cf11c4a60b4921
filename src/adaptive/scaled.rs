//! Two-stage replicate designs decided by a bioequivalence rule at each stage (the rule table
//! of `inference::scaled`: EMA ABEL, FDA RSABE, NTID, ..., and average bioequivalence), with
//! Potvin's method B logic: stage 1 decided by the rule at the adjusted alpha; a stage 1 that
//! fails but already had the (approximate) target power stops and fails; otherwise stage 2 is
//! sized from the stage-1 estimates and the pooled data, with a stage term, are decided by the
//! same rule at the same adjusted alpha.
//!
//! **Estimation with a stage term.** Each stage has its own period effects (the period factor
//! is nested in the stage, as Potvin's model), participants are fixed:
//! - *all-fixed linear model* (EMA method A): `y ~ participant + stage:period + formulation`
//!   on all data; s²wR (s²wT) from `y ~ participant + stage:period` on the reference (test)
//!   observations only;
//! - *intra-participant contrasts* (FDA): each stage's estimate is the unweighted mean of its
//!   sequences' mean contrast (which cancels that stage's period effects, as the single-stage
//!   ISC does); the stages are combined with weights inversely proportional to their
//!   variance factors (sum over sequences of 1/n, over the squared number of sequences); the
//!   variance is pooled within stage-by-sequence cells (df = participants - cells), and s²wR
//!   is the pooled within-cell variance of R1 - R2 over 2.
//!
//! With one stage both reduce to the single-stage estimators of `analysis::replicate` and the
//! linear model; on a 2x2 the linear model with a stage term is Potvin's pooled analysis
//! (df N - 3).
//!
//! **Interim power and N (an approximation).** A scaled rule's power has no closed form. The
//! interim uses the power of average bioequivalence (TOST, the plan's power method) on the
//! limits the rule would apply at the stage-1 estimate of CVwR (the widened limits, or the
//! limits exp(-/+ k swR) implied by a scaled criterion; 0.80-1.25 when the rule does not
//! scale), under the assumed GMR, with the standard error the replicate design gives: the
//! stage-1 SE of T - R scaled by n1 / N (so the design constant and any CVwT != CVwR are the
//! observed ones), and the df of the pooled analysis at N. A scaled criterion (FDA RSABE),
//! whose Hyslop bound carries the uncertainty of s²wR, instead integrates its own decision
//! over s²wR at the stage-1 swR (`ScaledCriterionPower`). The half-width of the limits is
//! rounded down to a multiple of [`LIMIT_STEP`] (never overstating the power), the swR to
//! [`SWR_STEP`], and for each rounded value and each N the largest variance reaching the
//! target power is computed once (on first use) and reused: no distribution function is
//! evaluated per replicate.

use super::{largest_mse, planning_power, PowerMethod, StageOne, TwoStagePlan};
use crate::analysis::{Estimate, TestStatistic};
use crate::design::{Condition, Crossover};
use crate::inference::scaled::{
    BioequivalenceRule, Criterion, Estimation, RuleInputs, RuleOutcome,
};
use crate::inference::Hypothesis;
use crate::model::Cohort;
use crate::numerics::{chi_square_quantile, solve_semidefinite, t_cdf, t_quantile};
use std::sync::OnceLock;

/// The quantiles a power evaluation needs at one df: t_{1-alpha, df} and, for a scaled
/// criterion, (dfR, dfR / chi²_{1-alpha, dfR}).
#[derive(Debug, Clone, Copy)]
struct Quantiles {
    t: f64,
    reference: Option<(f64, f64)>,
}

/// Two stages: the period columns of stage k are `k * periods + j`.
const STAGES: usize = 2;

/// The grid of the limits' half-width on the log scale: a limit is rounded down to it.
pub const LIMIT_STEP: f64 = 0.0005;

/// The largest half-width tabulated (limits 0.135-7.39); wider limits are rounded down to it.
const LIMIT_MAX: f64 = 2.0;

/// The normal equations of a least-squares fit with participants eliminated by centring
/// (each participant's observations centred on their own mean): period-by-stage columns and,
/// when `treatment`, a last column for the formulation.
#[derive(Debug, Clone)]
struct CentredFit {
    /// Period columns (stages x periods).
    periods: usize,
    /// Columns: `periods` (+ 1 with the formulation).
    columns: usize,
    xx: Vec<f64>,
    xy: Vec<f64>,
    yy: f64,
    /// Observations minus participants (over participants with at least two).
    df: usize,
    /// Participants with at least two observations.
    participants: usize,
    // Scratch for the solves.
    block: Vec<f64>,
    factor: Vec<f64>,
    solution: Vec<f64>,
    cross: Vec<f64>,
}

impl CentredFit {
    fn new(periods: usize, treatment: bool) -> CentredFit {
        let columns = periods + usize::from(treatment);
        CentredFit {
            periods,
            columns,
            xx: vec![0.0; columns * columns],
            xy: vec![0.0; columns],
            yy: 0.0,
            df: 0,
            participants: 0,
            block: vec![0.0; periods * periods],
            factor: vec![0.0; periods * periods],
            solution: vec![0.0; periods],
            cross: vec![0.0; periods],
        }
    }

    fn reset(&mut self) {
        self.xx.fill(0.0);
        self.xy.fill(0.0);
        self.yy = 0.0;
        self.df = 0;
        self.participants = 0;
    }

    /// Adds one participant's observations `(column, is_test, y)` (distinct columns). With
    /// centred rows d_j = e_j - mean(e) (period dummies) and t_j - mean(t) (formulation), the
    /// participant adds, in O(k²) rather than per cell and column pair:
    /// sum_j d_j d_j' = I - 1/k over its columns, sum_j d_j (t_j - mean t) = the centred t at
    /// its columns, and X'y the centred y at its columns (the mean(e) terms vanish against
    /// centred sums).
    fn add(&mut self, cells: &[(usize, bool, f64)]) {
        let k = cells.len();
        if k < 2 {
            return;
        }
        let kf = k as f64;
        let y_mean = cells.iter().map(|c| c.2).sum::<f64>() / kf;
        let t_mean = cells.iter().filter(|c| c.1).count() as f64 / kf;
        let (p, q) = (self.periods, self.columns);
        let treatment = q > p;
        for &(a, is_test, y) in cells {
            for &(b, _, _) in cells {
                self.xx[a * q + b] += f64::from(u8::from(a == b)) - 1.0 / kf;
            }
            let yc = y - y_mean;
            self.xy[a] += yc;
            self.yy += yc * yc;
            if treatment {
                let tc = f64::from(u8::from(is_test)) - t_mean;
                self.xx[a * q + p] += tc;
                self.xx[p * q + a] += tc;
                self.xx[p * q + p] += tc * tc;
                self.xy[p] += tc * yc;
            }
        }
        self.df += k - 1;
        self.participants += 1;
    }

    /// Solves the period block against its column `column` of X'X (`None`: X'y) into
    /// `solution`, returning the rank.
    fn solve_periods(&mut self, column: Option<usize>) -> usize {
        let (p, q) = (self.periods, self.columns);
        for a in 0..p {
            for b in 0..p {
                self.block[a * p + b] = self.xx[a * q + b];
            }
            self.solution[a] = match column {
                Some(c) => self.xx[a * q + c],
                None => self.xy[a],
            };
        }
        solve_semidefinite(&self.block, &mut self.factor, &mut self.solution, p)
    }

    /// The residual mean square of the fit without the formulation, with its df.
    fn variance(&mut self) -> Option<(f64, usize)> {
        let rank = self.solve_periods(None);
        let explained = dot(&self.solution, &self.xy[..self.periods]);
        let df = self.df.checked_sub(rank).filter(|&d| d > 0)?;
        Some(((self.yy - explained).max(0.0) / df as f64, df))
    }

    /// The formulation effect (test - reference), its SE and df (Frisch-Waugh: the
    /// formulation column and the response each adjusted for the period columns).
    fn treatment(&mut self) -> Option<(f64, f64, usize)> {
        let (p, q) = (self.periods, self.columns);
        self.solve_periods(Some(p));
        self.cross.copy_from_slice(&self.solution);
        let rank = self.solve_periods(None);
        // x_t' M x_t, x_t' M y and y' M y with M the projection off the period columns.
        let (mut t_t, mut t_y, mut y_y) = (self.xx[p * q + p], self.xy[p], self.yy);
        for a in 0..p {
            let x_t = self.xx[a * q + p];
            t_t -= x_t * self.cross[a];
            t_y -= x_t * self.solution[a];
            y_y -= self.xy[a] * self.solution[a];
        }
        if t_t <= 1e-12 {
            return None;
        }
        let df = self.df.checked_sub(rank + 1).filter(|&d| d > 0)?;
        let rss = (y_y - t_y * t_y / t_t).max(0.0);
        let se = (rss / df as f64 / t_t).sqrt();
        (se > 0.0 && se.is_finite()).then_some((t_y / t_t, se, df))
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// n, sum and sum of squares of a per-participant contrast in one stage-by-sequence cell.
#[derive(Debug, Clone, Copy, Default)]
struct Moments {
    n: usize,
    sum: f64,
    sum_squares: f64,
}

impl Moments {
    fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        self.sum_squares += x * x;
    }

    fn deviance(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            (self.sum_squares - self.sum * self.sum / self.n as f64).max(0.0)
        }
    }
}

/// The pooled within-cell variance and its df (participants - non-empty cells).
fn pooled(cells: &[Moments]) -> Option<(f64, usize)> {
    let n: usize = cells.iter().map(|m| m.n).sum();
    let groups = cells.iter().filter(|m| m.n > 0).count();
    let df = n.checked_sub(groups).filter(|&d| d > 0)?;
    Some((
        cells.iter().map(Moments::deviance).sum::<f64>() / df as f64,
        df,
    ))
}

/// The estimators of a two-stage replicate design with a stage term, fed participant by
/// participant (stage 1 first); [`StagedReplicate::inputs`] gives the rule's inputs for the
/// participants added so far. One per worker thread.
#[derive(Debug, Clone)]
pub struct StagedReplicate {
    test: Condition,
    reference: Condition,
    periods: usize,
    sequences: usize,
    estimation: Estimation,
    test_variance: bool,
    all: CentredFit,
    reference_fit: CentredFit,
    test_fit: CentredFit,
    /// By stage * sequences + sequence.
    contrast: Vec<Moments>,
    reference_differences: Vec<Moments>,
    test_differences: Vec<Moments>,
    /// Scratch: one participant's observed cells (column, is test, y), and a subset of them.
    cells: Vec<(usize, bool, f64)>,
    subset: Vec<(usize, bool, f64)>,
}

impl StagedReplicate {
    /// The estimators `rule` reads for `test` against `reference` on `design`.
    pub fn new(
        design: &Crossover,
        test: Condition,
        reference: Condition,
        rule: &BioequivalenceRule,
    ) -> StagedReplicate {
        let periods = design.period_count();
        let cells = STAGES * design.sequence_count();
        StagedReplicate {
            test,
            reference,
            periods,
            sequences: design.sequence_count(),
            estimation: rule.spec().estimation,
            test_variance: rule.needs_test_variance(),
            all: CentredFit::new(STAGES * periods, true),
            reference_fit: CentredFit::new(STAGES * periods, false),
            test_fit: CentredFit::new(STAGES * periods, false),
            contrast: vec![Moments::default(); cells],
            reference_differences: vec![Moments::default(); cells],
            test_differences: vec![Moments::default(); cells],
            cells: Vec::with_capacity(periods),
            subset: Vec::with_capacity(periods),
        }
    }

    /// Forgets every participant.
    pub fn reset(&mut self) {
        self.all.reset();
        self.reference_fit.reset();
        self.test_fit.reset();
        for m in self
            .contrast
            .iter_mut()
            .chain(&mut self.reference_differences)
            .chain(&mut self.test_differences)
        {
            *m = Moments::default();
        }
    }

    /// Adds participants `range` of `cohort` to stage `stage` (0 or 1).
    pub fn add_participants(
        &mut self,
        cohort: &Cohort,
        range: std::ops::Range<usize>,
        stage: usize,
    ) {
        for i in range {
            self.add(cohort, i, stage);
        }
    }

    /// Adds participant `i` of `cohort` to stage `stage`: their observed periods (dropout is
    /// monotone, so the first `periods_completed`).
    pub fn add(&mut self, cohort: &Cohort, i: usize, stage: usize) {
        let completed = usize::from(cohort.periods_completed[i]);
        let offset = stage * self.periods;
        self.cells.clear();
        for j in 0..completed {
            let cell = cohort.cell(i, j);
            let c = cohort.condition[cell];
            if c == self.test || c == self.reference {
                self.cells
                    .push((offset + j, c == self.test, cohort.change[cell]));
            }
        }
        let cell_index = stage * self.sequences + cohort.sequence[i].index();
        let (mut t_sum, mut t_n, mut r_sum, mut r_n) = (0.0, 0usize, 0.0, 0usize);
        let (mut r_first, mut t_first) = (None, None);
        let mut r_pair = None;
        let mut t_pair = None;
        for &(_, is_test, y) in &self.cells {
            if is_test {
                t_sum += y;
                t_n += 1;
                match t_first {
                    None => t_first = Some(y),
                    Some(a) if t_pair.is_none() => t_pair = Some(a - y),
                    _ => {}
                }
            } else {
                r_sum += y;
                r_n += 1;
                match r_first {
                    None => r_first = Some(y),
                    Some(a) if r_pair.is_none() => r_pair = Some(a - y),
                    _ => {}
                }
            }
        }
        match self.estimation {
            Estimation::Anova => {
                self.all.add(&self.cells);
                self.subset.clear();
                self.subset
                    .extend(self.cells.iter().copied().filter(|c| !c.1));
                self.reference_fit.add(&self.subset);
                if self.test_variance {
                    self.subset.clear();
                    self.subset
                        .extend(self.cells.iter().copied().filter(|c| c.1));
                    self.test_fit.add(&self.subset);
                }
            }
            Estimation::Isc => {
                if completed == self.periods && t_n > 0 && r_n > 0 {
                    self.contrast[cell_index].add(t_sum / t_n as f64 - r_sum / r_n as f64);
                }
                if let Some(d) = r_pair {
                    self.reference_differences[cell_index].add(d);
                }
                if let (true, Some(d)) = (self.test_variance, t_pair) {
                    self.test_differences[cell_index].add(d);
                }
            }
        }
    }

    /// The rule's inputs for the participants added so far (None: not estimable).
    pub fn inputs(&mut self) -> Option<RuleInputs> {
        let (estimate, se, df, (s2_reference, df_reference), (s2_test, df_test)) = match self
            .estimation
        {
            Estimation::Anova => {
                let (e, se, df) = self.all.treatment()?;
                let r = self.reference_fit.variance().unwrap_or((f64::NAN, 0));
                let t = if self.test_variance {
                    self.test_fit.variance().unwrap_or((f64::NAN, 0))
                } else {
                    (f64::NAN, 0)
                };
                (e, se, df, r, t)
            }
            Estimation::Isc => {
                let (variance, df) = pooled(&self.contrast)?;
                // Each stage: the unweighted mean of its sequences' means; the stages
                // weighted by the inverse of their variance factors.
                let (mut weighted, mut weights) = (0.0, 0.0);
                for stage in self.contrast.chunks(self.sequences) {
                    let g = stage.iter().filter(|m| m.n > 0).count() as f64;
                    if g == 0.0 {
                        continue;
                    }
                    let mean = stage
                        .iter()
                        .filter(|m| m.n > 0)
                        .map(|m| m.sum / m.n as f64)
                        .sum::<f64>()
                        / g;
                    let factor = stage
                        .iter()
                        .filter(|m| m.n > 0)
                        .map(|m| 1.0 / m.n as f64)
                        .sum::<f64>()
                        / (g * g);
                    weighted += mean / factor;
                    weights += 1.0 / factor;
                }
                let se = (variance / weights).sqrt();
                if !(se > 0.0 && se.is_finite()) {
                    return None;
                }
                let half = |m: &[Moments]| pooled(m).map_or((f64::NAN, 0), |(v, df)| (v / 2.0, df));
                let r = half(&self.reference_differences);
                let t = if self.test_variance {
                    half(&self.test_differences)
                } else {
                    (f64::NAN, 0)
                };
                (weighted / weights, se, df, r, t)
            }
        };
        Some(RuleInputs {
            estimate,
            se,
            df,
            s2_reference,
            df_reference,
            s2_test,
            df_test,
        })
    }

    /// Participants the T - R estimate uses (for the interim's variance per participant).
    pub fn participants(&self) -> usize {
        match self.estimation {
            Estimation::Anova => self.all.participants,
            Estimation::Isc => self.contrast.iter().map(|m| m.n).sum(),
        }
    }
}

/// The estimate a rule decided on, as the engine reports it.
pub fn estimate_of(x: &RuleInputs, n: usize) -> Estimate {
    let t = x.estimate / x.se;
    Estimate {
        estimate: x.estimate,
        standard_error: x.se,
        statistic: t,
        df: x.df as f64,
        effect_size: 0.0,
        n,
        test: TestStatistic::StudentT { t, df: x.df },
    }
}

/// A scaled two-stage plan prepared for simulation: the interim's variance thresholds by
/// rounded limit and total N, each computed on first use.
#[derive(Debug)]
pub struct ScaledInterim {
    plan: TwoStagePlan,
    n1: usize,
    /// N grows in steps of the number of sequences (balanced stages).
    step: usize,
    /// The average-bioequivalence margins (log scale).
    margins: (f64, f64),
    criterion: Criterion,
    /// The nominal df of the stage-1 analysis of n1 complete participants.
    stage1_df: f64,
    /// df of the pooled analysis of N complete participants: N a - b.
    pooled_df: (f64, f64),
    /// By limit index: the largest stage-1 SE² at which stage 1 already has the target power.
    powered: Vec<OnceLock<f64>>,
    /// By limit index, then by N index (N = step (i + 2)): the largest variance per
    /// participant (N SE²) at which N reaches the target power.
    required: Vec<OnceLock<Box<[OnceLock<f64>]>>>,
    /// A scaled criterion (FDA RSABE): its power is approximated by integrating over s²wR, and
    /// the index is the stage-1 swR rounded down to [`SWR_STEP`].
    scaled_criterion: Option<ScaledCriterionPower>,
}

/// The grid of the stage-1 swR for a scaled criterion's interim (its power is smooth in swR;
/// a coarser grid than the limits' keeps the tabulation fast).
pub const SWR_STEP: f64 = 0.005;

/// Probability nodes of the integral over s²wR (the midpoint rule in probability).
const REFERENCE_NODES: usize = 32;

/// The approximate power of a scaled criterion (FDA RSABE's Hyslop bound with the point
/// estimate constraint, average bioequivalence below the switch): the estimate is normal with
/// its SE, the interval's half-width is t_{1-alpha, df} SE (SE at its expectation), and s²wR
/// is sigma²wR chi²_dfR / dfR, integrated over by the midpoint rule in probability with
/// Wilson-Hilferty quantiles. Checked against PowerTOST's `power.RSABE` (unit tests).
#[derive(Debug, Clone)]
struct ScaledCriterionPower {
    rule: BioequivalenceRule,
    /// theta = k².
    theta: f64,
    /// The average-bioequivalence margins (log scale), applied below the switch.
    margins: (f64, f64),
    /// The point-estimate constraint's limits (log scale), when the rule applies it.
    point_estimate: Option<(f64, f64)>,
    /// Sequences giving the reference twice, of `sequences`: s²wR's df are N r / s - r per
    /// stage-by-sequence cell pooled.
    repeating: f64,
    sequences: f64,
    /// Standard normal quantiles at the nodes' probabilities.
    z: [f64; REFERENCE_NODES],
}

impl ScaledCriterionPower {
    fn new(rule: &BioequivalenceRule, design: &Crossover, margins: (f64, f64)) -> Self {
        let reference = design.reference();
        let repeating = design
            .sequences()
            .iter()
            .filter(|q| q.conditions().iter().filter(|&&c| c == reference).count() >= 2)
            .count() as f64;
        let mut z = [0.0; REFERENCE_NODES];
        for (k, z) in z.iter_mut().enumerate() {
            *z = crate::numerics::normal_quantile((k as f64 + 0.5) / REFERENCE_NODES as f64);
        }
        let c = rule.constants();
        ScaledCriterionPower {
            rule: *rule,
            theta: c.k * c.k,
            margins,
            point_estimate: c.pe_constraint.then_some(margins),
            repeating,
            sequences: design.sequence_count() as f64,
            z,
        }
    }

    /// The df of s²wR with `n` participants in `stages` stages (complete, balanced).
    fn reference_df(&self, n: usize, stages: usize) -> f64 {
        (n as f64 * self.repeating / self.sequences - stages as f64 * self.repeating).max(1.0)
    }

    /// The approximate power at true swR `sw`, assumed log ratio `delta`, SE² `se2`, with the
    /// interval's t quantile `t` and `reference` = (s²wR's df dfR, dfR / chi²_{1-alpha, dfR}).
    fn power(&self, sw: f64, delta: f64, se2: f64, t: f64, reference: (f64, f64)) -> f64 {
        let (df_reference, chi_ratio) = reference;
        let margins = self.margins;
        let se = se2.sqrt();
        let hw = t * se;
        // Wilson-Hilferty: chi²_df / df at a normal quantile z.
        let a = 2.0 / (9.0 * df_reference);
        let mut total = 0.0;
        for &z in &self.z {
            let ratio = (1.0 - a + z * a.sqrt()).max(0.0).powi(3);
            let s2 = sw * sw * ratio;
            let (lo, hi) = if self.rule.scales_at(s2) {
                let es = self.theta * s2;
                let cs_es = es * (chi_ratio - 1.0);
                // The Hyslop bound as a function of u = |PE| (`hyslop_bound`): convex and
                // increasing on u >= 0, so Newton's method from a point where it is positive
                // descends monotonically onto its root, the largest |PE| that passes.
                let bound = |u: f64| {
                    let a = 2.0 * u * hw + hw * hw + se2;
                    let r = (a * a + cs_es * cs_es).sqrt();
                    (u * u - se2 - es + r, 2.0 * u + 2.0 * hw * a / r)
                };
                if bound(0.0).0 > 0.0 {
                    continue;
                }
                let mut good = (es + se2).sqrt();
                for _ in 0..30 {
                    let (f, slope) = bound(good);
                    let step = f / slope;
                    good -= step;
                    if step.abs() <= 1e-12 * good.max(1e-3) {
                        break;
                    }
                }
                match self.point_estimate {
                    Some((l, u)) => ((-good).max(l), good.min(u)),
                    None => (-good, good),
                }
            } else {
                (margins.0 + hw, margins.1 - hw)
            };
            if hi > lo {
                total += crate::numerics::normal_between((lo - delta) / se, (hi - delta) / se);
            }
        }
        total / REFERENCE_NODES as f64
    }
}

impl ScaledInterim {
    /// Prepares `plan` with stage-1 size `n1` on `design`, decided by `rule` (whose alpha is
    /// the plan's adjusted alpha) with the equivalence `margins` (log scale).
    pub fn new(
        plan: &TwoStagePlan,
        n1: usize,
        design: &Crossover,
        rule: &BioequivalenceRule,
        margins: (f64, f64),
    ) -> ScaledInterim {
        ScaledInterim::with_observations(
            plan,
            n1,
            design,
            design.period_count() as f64,
            rule,
            margins,
        )
    }

    /// As [`ScaledInterim::new`] for the comparison of `test` with `reference` on a design
    /// with more conditions, analysed on the data of its two conditions only: the df follow
    /// from their observations per participant (the mean over the sequences).
    pub fn for_pair(
        plan: &TwoStagePlan,
        n1: usize,
        design: &Crossover,
        (test, reference): (Condition, Condition),
        rule: &BioequivalenceRule,
        margins: (f64, f64),
    ) -> ScaledInterim {
        let sequences = design.sequences();
        let observations = sequences
            .iter()
            .map(|q| {
                (0..design.period_count())
                    .filter(|&j| {
                        let c = q.condition_in(j);
                        c == test || c == reference
                    })
                    .count()
            })
            .sum::<usize>() as f64
            / sequences.len().max(1) as f64;
        ScaledInterim::with_observations(plan, n1, design, observations, rule, margins)
    }

    /// `observations`: the pair's observations per complete participant (the periods on a
    /// design of two conditions).
    fn with_observations(
        plan: &TwoStagePlan,
        n1: usize,
        design: &Crossover,
        observations: f64,
        rule: &BioequivalenceRule,
        margins: (f64, f64),
    ) -> ScaledInterim {
        let p = design.period_count() as f64;
        let q = observations;
        let s = design.sequence_count();
        let (stage1_df, pooled_df) = match rule.spec().estimation {
            // Observations N q minus participants, periods of each stage and the formulation.
            Estimation::Anova => (n1 as f64 * (q - 1.0) - p, (q - 1.0, 2.0 * (p - 1.0) + 1.0)),
            // Participants minus stage-by-sequence cells.
            Estimation::Isc => ((n1 - s.min(n1)) as f64, (1.0, 2.0 * s as f64)),
        };
        let limits = (LIMIT_MAX / LIMIT_STEP) as usize + 1;
        ScaledInterim {
            plan: plan.clone(),
            n1,
            step: s,
            margins,
            criterion: rule.spec().criterion,
            stage1_df: stage1_df.max(1.0),
            pooled_df,
            powered: (0..=limits).map(|_| OnceLock::new()).collect(),
            required: (0..=limits).map(|_| OnceLock::new()).collect(),
            scaled_criterion: (rule.spec().criterion == Criterion::Scaled)
                .then(|| ScaledCriterionPower::new(rule, design, margins)),
        }
    }

    /// The index of the interim's tables for a stage 1 with inputs `x` and rule outcome `o`:
    /// for a scaled criterion the stage-1 swR rounded down to [`SWR_STEP`] (at least 1), else
    /// [`ScaledInterim::limit_index`].
    pub fn index_of(&self, x: &RuleInputs, o: &RuleOutcome) -> usize {
        if self.scaled_criterion.is_some() {
            self.reference_index(x.s2_reference.sqrt())
        } else {
            self.limit_index(o)
        }
    }

    /// A scaled criterion's index of a stage-1 swR `sw`.
    pub fn reference_index(&self, sw: f64) -> usize {
        if !sw.is_finite() {
            return 1;
        }
        ((sw.min(LIMIT_MAX) / SWR_STEP).floor() as usize).clamp(1, self.powered.len() - 1)
    }

    /// The limits' index of a stage-1 outcome: 0 for the average-bioequivalence margins (the
    /// rule did not scale), otherwise the half-width rounded down to the grid.
    pub fn limit_index(&self, o: &RuleOutcome) -> usize {
        let scales = o.scaled
            && matches!(
                self.criterion,
                Criterion::WidenedLimits | Criterion::Scaled | Criterion::NarrowTherapeuticIndex
            );
        if !scales {
            return 0;
        }
        let mut w = o.upper_limit.ln();
        if self.criterion == Criterion::NarrowTherapeuticIndex {
            // It tests average bioequivalence as well: the narrower limits bind.
            w = w.min(self.margins.1);
        }
        ((w.min(LIMIT_MAX) / LIMIT_STEP).floor() as usize).clamp(1, self.powered.len() - 1)
    }

    /// The limits (log scale) of an index.
    fn limits(&self, index: usize) -> (f64, f64) {
        if index == 0 {
            self.margins
        } else {
            let w = index as f64 * LIMIT_STEP;
            (-w, w)
        }
    }

    /// The interim's power with SE² `se2` and `df` at `index`: average bioequivalence on the
    /// limits of `index`, or for a scaled criterion its approximation at the index's swR with
    /// s²wR's df those of `n` participants in `stages` stages.
    pub fn power(&self, index: usize, se2: f64, df: f64, n: usize, stages: usize) -> f64 {
        let q = self.quantiles(df, n, stages);
        self.power_given(index, se2, df, q)
    }

    /// t_{1-alpha, df} and, for a scaled criterion, s²wR's df and dfR / chi²_{1-alpha, dfR}
    /// with `n` participants in `stages` stages.
    fn quantiles(&self, df: f64, n: usize, stages: usize) -> Quantiles {
        let t = t_quantile(1.0 - self.plan.alpha, df);
        let reference = self.scaled_criterion.as_ref().map(|c| {
            let df_r = c.reference_df(n, stages);
            (
                df_r,
                df_r / chi_square_quantile(1.0 - self.plan.alpha, df_r),
            )
        });
        Quantiles { t, reference }
    }

    /// As [`ScaledInterim::power`] with the quantiles given: a threshold's bisection
    /// evaluates the power some sixty times at one df, and the quantiles dominate its cost.
    fn power_given(&self, index: usize, se2: f64, df: f64, q: Quantiles) -> f64 {
        if let (Some(c), Some(reference)) = (&self.scaled_criterion, q.reference) {
            return c.power(
                index as f64 * SWR_STEP,
                self.plan.assumed_effect,
                se2,
                q.t,
                reference,
            );
        }
        let t = q.t;
        let (lower, upper) = self.limits(index);
        if self.plan.power_method == PowerMethod::Shifted {
            // planning_power's shifted central t, with the quantile hoisted.
            let se = se2.sqrt();
            let theta = self.plan.assumed_effect;
            let (d1, d2) = ((theta - lower) / se, (theta - upper) / se);
            return (t_cdf(-t - d2, df) - t_cdf(t - d1, df)).max(0.0);
        }
        // planning_power's SE is sqrt(2 mse / n): n = 2 makes its mse the SE².
        planning_power(
            Hypothesis::Equivalence { lower, upper },
            self.plan.power_method,
            self.plan.alpha,
            self.plan.assumed_effect,
            se2,
            2,
            df,
        )
    }

    fn powered_threshold(&self, index: usize) -> f64 {
        *self.powered[index].get_or_init(|| {
            let df = self.stage1_df;
            let q = self.quantiles(df, self.n1, 1);
            largest_mse(self.plan.target_power, |se2| {
                self.power_given(index, se2, df, q)
            })
        })
    }

    /// The df of the pooled analysis of `n` complete participants.
    pub fn pooled_df(&self, n: usize) -> f64 {
        (n as f64 * self.pooled_df.0 - self.pooled_df.1).max(1.0)
    }

    fn required_threshold(&self, index: usize, i: usize) -> f64 {
        let table = self.required[index].get_or_init(|| {
            (0..self.totals())
                .map(|_| OnceLock::new())
                .collect::<Vec<_>>()
                .into_boxed_slice()
        });
        *table[i].get_or_init(|| {
            let n = self.step * (i + 2);
            let df = self.pooled_df(n);
            let q = self.quantiles(df, n, STAGES);
            largest_mse(self.plan.target_power, |v| {
                self.power_given(index, v / n as f64, df, q)
            })
        })
    }

    /// The totals tabulated: step * 2, step * 3, ..., up to `max_total`.
    fn totals(&self) -> usize {
        (self.plan.max_total / self.step).saturating_sub(1)
    }

    /// The smallest total N (a multiple of the number of sequences, at least twice it) whose
    /// approximate power on the limits of `index` reaches the target at variance per
    /// participant `v` (N SE² of T - R); None: not even `max_total`.
    pub fn required_total(&self, index: usize, v: f64) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.totals());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.required_threshold(index, mid) < v {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        (lo < self.totals()).then_some(self.step * (lo + 2))
    }

    /// The interim decision (method B logic) on stage 1's rule outcome `o` (None: not
    /// decidable), its inputs `x` and the participants `n` of its estimate.
    pub fn stage_one(&self, x: Option<&RuleInputs>, o: Option<&RuleOutcome>, n: usize) -> StageOne {
        let (Some(x), Some(o)) = (x, o) else {
            return StageOne::Fail(x.map(|x| estimate_of(x, n)));
        };
        let e = estimate_of(x, n);
        if o.bioequivalent {
            return StageOne::Pass(e);
        }
        let index = self.index_of(x, o);
        if x.se * x.se <= self.powered_threshold(index) {
            return StageOne::Fail(Some(e));
        }
        let required = self.required_total(index, x.se * x.se * n as f64);
        // The largest total of whole blocks of the sequences.
        let most = self.plan.max_total - self.plan.max_total % self.step;
        let (total, capped) = match required {
            Some(t) if t <= most => (t, false),
            _ => (most, true),
        };
        let mut n2 = total.saturating_sub(self.n1);
        if n2 < self.plan.min_stage2 {
            n2 = self.plan.min_stage2.div_ceil(self.step) * self.step;
        }
        let total = (self.n1 + n2).min(most).max(self.n1);
        let n2 = total - self.n1;
        if let Some(limit) = self.plan.max_stage2 {
            if capped || n2 > limit {
                return StageOne::Futile(Some(e));
            }
        }
        if n2 == 0 {
            // The pooled df made N <= n1 suffice where stage 1's did not: stage 1 has failed.
            return StageOne::Fail(Some(e));
        }
        StageOne::Continue { total, capped }
    }

    /// The plan.
    pub fn plan(&self) -> &TwoStagePlan {
        &self.plan
    }
}

/// The method's steps in words, with the rule.
pub fn describe(plan: &TwoStagePlan, n1: usize, rule: &BioequivalenceRule) -> String {
    format!(
        "{title} with the rule {rule:?} ({rule_title}) at each stage: decide stage 1 by the rule at alpha {a}; pass: stop. Otherwise the approximate power (average bioequivalence on the limits the stage-1 CVwR implies, GMR {gmr:.2}, the stage-1 SE of T - R, {pm} method) at alpha {a}; at least {t}: stop, fail. Otherwise stage 2 enrolls the smallest total N (a multiple of the sequences) whose approximate power with the pooled df reaches {t}, minus n1 = {n1}, capped at N = {max}{futile}; the final analysis pools both stages with a stage term and is decided by the rule at alpha {a}.",
        title = plan.method.spec().title,
        rule = rule.spec().name,
        rule_title = rule.spec().title,
        a = plan.alpha,
        gmr = plan.assumed_effect.exp(),
        pm = plan.power_method.as_str(),
        t = plan.target_power,
        max = plan.max_total,
        futile = plan
            .max_stage2
            .map(|m| format!(", failing when more than {m} are needed"))
            .unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    //! Estimators against R 4.2.2 `lm` on data typed here; the interim power and N against
    //! PowerTOST 1.5-7 (`power.TOST` and its internal `.calc.power`), each call quoted.
    use super::*;
    use crate::adaptive::Method;
    use crate::design::SequenceId;
    use crate::inference::scaled::{RuleConstants, RuleName};

    fn design() -> Crossover {
        let names = ["R".to_string(), "T".to_string()];
        Crossover::new(&names, 0, &["ABAB".to_string(), "BABA".to_string()]).unwrap()
    }

    /// Stage 1: RTRT x 3, TRTR x 3; stage 2: RTRT x 2, TRTR x 2, the last participant
    /// dropping out after period 3.
    const ROWS: [(usize, u8, u8, [f64; 4]); 10] = [
        (0, 0, 4, [4.60, 5.02, 5.21, 4.95]),
        (0, 0, 4, [5.35, 5.10, 4.88, 5.22]),
        (0, 0, 4, [4.72, 4.98, 5.05, 4.81]),
        (0, 1, 4, [4.90, 4.55, 5.06, 5.14]),
        (0, 1, 4, [5.27, 5.49, 5.15, 4.96]),
        (0, 1, 4, [4.66, 4.98, 4.79, 4.51]),
        (1, 0, 4, [5.48, 5.30, 5.12, 5.41]),
        (1, 0, 4, [4.83, 5.27, 5.02, 5.36]),
        (1, 1, 4, [5.12, 4.83, 5.20, 5.32]),
        (1, 1, 3, [4.95, 5.21, 4.70, 0.0]),
    ];

    fn cohort(d: &Crossover) -> Cohort {
        let mut c = Cohort::new(ROWS.len(), 4);
        for (i, &(_, s, completed, y)) in ROWS.iter().enumerate() {
            c.sequence[i] = SequenceId(s);
            c.periods_completed[i] = completed;
            for (j, &value) in y.iter().enumerate() {
                let cell = c.cell(i, j);
                c.condition[cell] = d.sequences()[usize::from(s)].condition_in(j);
                c.change[cell] = value;
            }
        }
        c
    }

    fn estimates(rule: RuleName, stages: usize) -> RuleInputs {
        let d = design();
        // A variability-ratio limit makes the estimators read s²wT too (as an NTID rule's).
        let constants = RuleConstants {
            ratio_limit: Some(2.5),
            ..rule.spec().defaults
        };
        let r = BioequivalenceRule::new(rule, constants, 0.05);
        let mut m = StagedReplicate::new(&d, Condition(1), Condition(0), &r);
        let c = cohort(&d);
        for (i, row) in ROWS.iter().enumerate() {
            if row.0 < stages {
                m.add(&c, i, row.0);
            }
        }
        m.inputs().unwrap()
    }

    fn close(a: f64, b: f64, what: &str) {
        assert!(
            (a - b).abs() <= 1e-9 * b.abs().max(1e-3),
            "{what}: {a} vs R {b}"
        );
    }

    /// `lm(y ~ factor(subj) + factor(stage):factor(period) + trt)`: T - R 0.040988372093, SE
    /// 0.0732196314046, 22 df; on the R observations only `lm(y ~ factor(subj) +
    /// factor(stage):factor(period))` s²wR 0.157338333333 on 5 df, on T only s²wT
    /// 0.0121097222222 on 6 df. Stage 1 alone, `lm(y ~ factor(subj) + factor(period) + trt)`:
    /// 0.0391666666667, SE 0.096909076188, 14 df.
    #[test]
    fn linear_model_with_a_stage_term_equals_r() {
        let x = estimates(RuleName::EMA, 2);
        close(x.estimate, 0.040988372093, "PE");
        close(x.se, 0.0732196314046, "SE");
        assert_eq!(x.df, 22);
        close(x.s2_reference, 0.157338333333, "s2wR");
        assert_eq!(x.df_reference, 5);
        close(x.s2_test, 0.0121097222222, "s2wT");
        assert_eq!(x.df_test, 6);
        let x1 = estimates(RuleName::EMA, 1);
        close(x1.estimate, 0.0391666666667, "stage-1 PE");
        close(x1.se, 0.096909076188, "stage-1 SE");
        assert_eq!(x1.df, 14);
    }

    /// The ISC with stage-by-sequence cells, by R on the same data: per participant with
    /// every period I = mean(T) - mean(R); `lm(I ~ factor(stage):factor(seq) - 1)` gives the
    /// pooled variance (5 df); each stage's unweighted mean of its cell means, the stages
    /// weighted by the inverse of sum(1/n)/g²: PE 0.0744230769231, SE 0.0413463327366;
    /// `lm(D ~ factor(stage):factor(seq) - 1)` of D = R1 - R2: s²wR 0.157338333333 (sigma² /
    /// 2) on 5 df.
    #[test]
    fn contrasts_with_a_stage_term_equal_r() {
        let x = estimates(RuleName::FDA_RSABE, 2);
        close(x.estimate, 0.0744230769231, "PE");
        close(x.se, 0.0413463327366, "SE");
        assert_eq!(x.df, 5);
        close(x.s2_reference, 0.157338333333, "s2wR");
        assert_eq!(x.df_reference, 5);
    }

    fn plan(alpha: f64, max_total: usize, max_stage2: Option<usize>) -> TwoStagePlan {
        TwoStagePlan {
            method: Method::POTVIN_B,
            alpha,
            alpha_powered: 0.05,
            assumed_effect: 0.9f64.ln(),
            target_power: 0.8,
            power_method: PowerMethod::Shifted,
            max_total,
            max_stage2,
            inflate_for_dropout: false,
            estimate_futility: None,
            min_stage2: 0,
            combination: None,
            fixed_stage2: None,
            blinded: false,
        }
    }

    fn interim(alpha: f64, max_total: usize, max_stage2: Option<usize>) -> ScaledInterim {
        let rule = BioequivalenceRule::new(RuleName::EMA, RuleName::EMA.spec().defaults, alpha);
        ScaledInterim::new(
            &plan(alpha, max_total, max_stage2),
            24,
            &design(),
            &rule,
            (0.8f64.ln(), 1.25f64.ln()),
        )
    }

    /// A stage-1 outcome at CV 0.35 (EMA limits 0.7723-1.2948: ln 0.258353, index 516 on the
    /// 0.0005 grid), not bioequivalent.
    fn outcome(bioequivalent: bool, scaled: bool) -> RuleOutcome {
        RuleOutcome {
            bioequivalent,
            scaled,
            upper_limit: if scaled {
                0.258353435337f64.exp()
            } else {
                1.25
            },
            ..RuleOutcome::default()
        }
    }

    fn inputs(se2: f64) -> RuleInputs {
        RuleInputs {
            estimate: -0.1,
            se: se2.sqrt(),
            df: 68,
            s2_reference: 0.35f64.mul_add(0.35, 1.0).ln(),
            df_reference: 22,
            s2_test: f64::NAN,
            df_test: 0,
        }
    }

    /// PowerTOST: `power.TOST(alpha = 0.0294, theta0 = 0.9, theta1 = exp(-0.258), theta2 =
    /// exp(0.258), CV = 0.35, n = 24, design = "2x2x4", method = "shifted")` = 0.608245769568
    /// (SE² = ln(1 + CV²) / 24, df 3n - 4 = 68).
    #[test]
    fn interim_power_equals_powertost() {
        let i = interim(0.0294, 1000, None);
        let index = i.limit_index(&outcome(false, true));
        assert_eq!(index, 516);
        let mse = 0.35f64.mul_add(0.35, 1.0).ln();
        let p = i.power(index, mse / 24.0, 68.0, 24, 1);
        assert!((p - 0.608245769568).abs() < 1e-6, "{p}");
        assert_eq!(i.limit_index(&outcome(false, false)), 0);
    }

    /// The re-estimated N: the smallest even N from 4 with `PowerTOST:::.calc.power(alpha,
    /// ltheta1 = -0.258, ltheta2 = 0.258, diffm = log(0.9), sem = sqrt(mse / N), df = 3 N - 7,
    /// method = "shifted") >= 0.8`, mse = ln(1 + 0.35²): alpha 0.0294 38, alpha 0.05 32 (CV
    /// 0.45, limit ln 0.326: 26; CV 0.6, 0.359: 32); unscaled (0.80-1.25) at CV 0.25 and alpha
    /// 0.0294: 34.
    #[test]
    fn re_estimated_n_equals_the_powertost_search() {
        let i = interim(0.0294, 1000, None);
        let mse = |cv: f64| cv.mul_add(cv, 1.0).ln();
        assert_eq!(i.required_total(516, mse(0.35)), Some(38));
        assert_eq!(i.required_total(0, mse(0.25)), Some(34));
        let i5 = interim(0.05, 1000, None);
        assert_eq!(i5.required_total(516, mse(0.35)), Some(32));
        assert_eq!(i5.required_total(652, mse(0.45)), Some(26));
        assert_eq!(i5.required_total(718, mse(0.6)), Some(32));
    }

    /// Every branch of the interim on hand-made stage-1 results (n1 = 24, CV 0.35, alpha
    /// 0.0294): the stage-1 power 0.608 at SE² = mse / 24 is below 0.8, and N = 38 reaches it
    /// (the cases above).
    #[test]
    fn interim_decides_every_branch() {
        let mse = 0.35f64.mul_add(0.35, 1.0).ln();
        let i = interim(0.0294, 1000, None);
        let x = inputs(mse / 24.0);
        // Bioequivalent at stage 1: stop, pass.
        assert!(matches!(
            i.stage_one(Some(&x), Some(&outcome(true, true)), 24),
            StageOne::Pass(_)
        ));
        // Not bioequivalent but already powered (a small SE): stop, fail.
        let small = inputs(0.0004);
        assert!(matches!(
            i.stage_one(Some(&small), Some(&outcome(false, true)), 24),
            StageOne::Fail(Some(_))
        ));
        // Underpowered: stage 2 to N = 38.
        assert_eq!(
            i.stage_one(Some(&x), Some(&outcome(false, true)), 24),
            StageOne::Continue {
                total: 38,
                capped: false
            }
        );
        // A required stage 2 (14) above max_stage2: futility.
        let futile = interim(0.0294, 1000, Some(12));
        assert!(matches!(
            futile.stage_one(Some(&x), Some(&outcome(false, true)), 24),
            StageOne::Futile(Some(_))
        ));
        // Capped at max_total.
        let capped = interim(0.0294, 30, None);
        assert_eq!(
            capped.stage_one(Some(&x), Some(&outcome(false, true)), 24),
            StageOne::Continue {
                total: 30,
                capped: true
            }
        );
        // Not decidable: fail.
        assert_eq!(i.stage_one(None, None, 24), StageOne::Fail(None));
    }

    fn rsabe_interim(alpha: f64) -> ScaledInterim {
        let rule = BioequivalenceRule::new(
            RuleName::FDA_RSABE,
            RuleName::FDA_RSABE.spec().defaults,
            alpha,
        );
        ScaledInterim::new(
            &plan(alpha, 1000, None),
            24,
            &design(),
            &rule,
            (0.8f64.ln(), 1.25f64.ln()),
        )
    }

    /// The scaled criterion's approximate power against PowerTOST 1.5-7 `power.RSABE(CV, n,
    /// theta0 = 0.9, design = "2x2x4", nsims = 1e6)` (SE 0.0004; a single stage: df n - 2,
    /// s²wR on n - 2 df): 0.574596 (CV 0.3, n 16), 0.816256 (0.3, 32), 0.766183 (0.35, 24),
    /// 0.820346 (0.35, 28), 0.758527 (0.45, 20), 0.825633 (0.45, 24), 0.820668 (0.6, 24),
    /// 0.87811 (0.6, 32). The approximation (a normal estimate with its expected SE, 32 nodes
    /// over s²wR) agrees within 0.012 everywhere (within 0.008 at these points when it was
    /// prototyped in SciPy).
    #[test]
    fn scaled_criterion_power_against_powertost() {
        let i = rsabe_interim(0.05);
        let c = i.scaled_criterion.as_ref().unwrap();
        for (cv, n, reference) in [
            (0.3, 16, 0.574596),
            (0.3, 32, 0.816256),
            (0.35, 24, 0.766183),
            (0.35, 28, 0.820346),
            (0.45, 20, 0.758527),
            (0.45, 24, 0.825633),
            (0.6, 24, 0.820668),
            (0.6, 32, 0.87811),
        ] {
            let mse = f64::ln(1.0 + cv * cv);
            let df = (n - 2) as f64;
            let df_r = c.reference_df(n, 1);
            assert_eq!(df_r, df);
            let chi_ratio = df_r / chi_square_quantile(0.95, df_r);
            let t = t_quantile(0.95, df);
            let p = c.power(
                mse.sqrt(),
                0.9f64.ln(),
                mse / n as f64,
                t,
                (df_r, chi_ratio),
            );
            println!("CV {cv}, n {n}: approximate {p:.4}, power.RSABE {reference}");
            assert!(
                (p - reference).abs() < 0.012,
                "CV {cv}, n {n}: {p} vs {reference}"
            );
        }
    }

    /// The re-estimated N of a two-stage RSABE design against PowerTOST's single-stage
    /// `sampleN.RSABE(CV, theta0 = 0.9, design = "2x2x4", targetpower = 0.8)`: 32 (CV 0.3), 28
    /// (0.35), 24 (0.45), 24 (0.6). The pooled analysis has a stage term (df N - 4 against N - 2),
    /// and the swR is rounded down to the 0.005 grid: within one block of 2 either way.
    #[test]
    fn scaled_criterion_n_against_sample_n_rsabe() {
        let i = rsabe_interim(0.05);
        for (cv, reference) in [(0.3, 32), (0.35, 28), (0.45, 24), (0.6, 24)] {
            let mse = f64::ln(1.0 + cv * cv);
            let index = i.reference_index(mse.sqrt());
            let n = i.required_total(index, mse).unwrap();
            println!("CV {cv}: approximate N {n}, sampleN.RSABE {reference}");
            assert!(n.abs_diff(reference) <= 2, "CV {cv}: {n} vs {reference}");
        }
        // The stage-1 swR sets the index whatever the stage-1 rule did.
        let x = RuleInputs {
            s2_reference: 0.1,
            ..inputs(0.01)
        };
        assert_eq!(i.index_of(&x, &outcome(false, false)), 63);
    }

    /// Several comparisons (Potvin's method B per comparison; `joint_stage_one`), each
    /// comparison's stage 1 decided by the interim above (n1 = 24, alpha 0.0294) on hand-made
    /// results: A (CV 0.35, EMA limits) asks for N = 38, B (CV 0.25, unscaled 0.80-1.25) for
    /// N = 34 (the PowerTOST searches of `re_estimated_n_equals_the_powertost_search`).
    #[test]
    fn several_comparisons_decide_stage_two_together() {
        use crate::adaptive::{joint_stage_one, joint_stage_two};
        let mse = |cv: f64| cv.mul_add(cv, 1.0).ln();
        let i = interim(0.0294, 1000, None);
        let pass = i.stage_one(
            Some(&inputs(mse(0.35) / 24.0)),
            Some(&outcome(true, true)),
            24,
        );
        let powered_fail = i.stage_one(Some(&inputs(0.0004)), Some(&outcome(false, true)), 24);
        let a = i.stage_one(
            Some(&inputs(mse(0.35) / 24.0)),
            Some(&outcome(false, true)),
            24,
        );
        let b = i.stage_one(
            Some(&inputs(mse(0.25) / 24.0)),
            Some(&outcome(false, false)),
            24,
        );
        let go_on = |total| StageOne::Continue {
            total,
            capped: false,
        };
        assert!(matches!(pass, StageOne::Pass(_)));
        assert!(matches!(powered_fail, StageOne::Fail(Some(_))));
        assert_eq!(a, go_on(38));
        assert_eq!(b, go_on(34));
        // Pass / pass: no stage 2, the trial stops passing.
        assert_eq!(joint_stage_two(&[pass, pass]), None);
        assert!(matches!(joint_stage_one(&[pass, pass]), StageOne::Pass(_)));
        // Pass / continue: stage 2 to the continuing comparison's N (the passed one closed).
        assert_eq!(joint_stage_one(&[pass, b]), go_on(34));
        // Powered fail / continue: likewise.
        assert_eq!(joint_stage_one(&[powered_fail, a]), go_on(38));
        // Both continue with different N: the larger wins, in either order.
        assert_eq!(joint_stage_one(&[a, b]), go_on(38));
        assert_eq!(joint_stage_one(&[b, a]), go_on(38));
        // Futility of one (A's stage 2 of 14 exceeds max_stage2 = 12; B's 10 does not): B alone
        // sizes stage 2.
        let f = interim(0.0294, 1000, Some(12));
        let a_futile = f.stage_one(
            Some(&inputs(mse(0.35) / 24.0)),
            Some(&outcome(false, true)),
            24,
        );
        let b_on = f.stage_one(
            Some(&inputs(mse(0.25) / 24.0)),
            Some(&outcome(false, false)),
            24,
        );
        assert!(matches!(a_futile, StageOne::Futile(Some(_))));
        assert_eq!(joint_stage_one(&[a_futile, b_on]), go_on(34));
        // None continues: stop; passing when one passed, futile when none passed and one was
        // futile, failing otherwise.
        assert!(matches!(
            joint_stage_one(&[powered_fail, pass]),
            StageOne::Pass(_)
        ));
        assert!(matches!(
            joint_stage_one(&[powered_fail, a_futile]),
            StageOne::Futile(_)
        ));
        assert!(matches!(
            joint_stage_one(&[powered_fail, powered_fail]),
            StageOne::Fail(_)
        ));
        // A capped comparison's stage 2 is capped (max_total 30: A's 38 capped to 30).
        let c = interim(0.0294, 30, None);
        let a_capped = c.stage_one(
            Some(&inputs(mse(0.35) / 24.0)),
            Some(&outcome(false, true)),
            24,
        );
        assert_eq!(
            joint_stage_one(&[pass, a_capped]),
            StageOne::Continue {
                total: 30,
                capped: true
            }
        );
        // One comparison: its own decision.
        assert_eq!(joint_stage_one(&[a]), a);
    }

    /// The df of one comparison on a design with more conditions, analysed on its two
    /// conditions only: on the 3x6x3 (ABC, ACB, BAC, BCA, CAB, CBA) each participant gives T1
    /// and R once, so `lm(y ~ subject + period + treatment)` on those 2 n observations has
    /// 2 n - n - (3 - 1) - 1 = n - 3 df (21 at n1 = 24); pooled with a stage term (each stage
    /// its own periods), 2 N - N - 2 (3 - 1) - 1 = N - 5. On a design of two conditions the
    /// pair's interim is the design's.
    #[test]
    fn pairwise_interim_has_the_df_of_the_pairwise_analysis() {
        let names = ["R".to_string(), "T1".to_string(), "T2".to_string()];
        let sequences: Vec<String> = ["ABC", "ACB", "BAC", "BCA", "CAB", "CBA"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let d = Crossover::new(&names, 0, &sequences).unwrap();
        let rule = BioequivalenceRule::new(RuleName::ABE, RuleName::ABE.spec().defaults, 0.0147);
        let margins = (0.8f64.ln(), 1.25f64.ln());
        let p = plan(0.0147, 1000, None);
        for test in [Condition(1), Condition(2)] {
            let i = ScaledInterim::for_pair(&p, 24, &d, (test, Condition(0)), &rule, margins);
            assert_eq!(i.stage1_df, 21.0);
            assert_eq!(i.pooled_df(48), 43.0);
        }
        let two = design();
        let whole = ScaledInterim::new(&p, 24, &two, &rule, margins);
        let pair =
            ScaledInterim::for_pair(&p, 24, &two, (Condition(1), Condition(0)), &rule, margins);
        assert_eq!(
            (whole.stage1_df, whole.pooled_df(40)),
            (pair.stage1_df, pair.pooled_df(40))
        );
        assert_eq!(whole.stage1_df, 68.0);
    }
}
