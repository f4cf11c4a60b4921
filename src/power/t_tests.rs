//! Exact (non-simulated) power of the t-based tests of balanced, complete crossover designs under
//! a homogeneous normal model on the analysis (log) scale: TOST, one-sided and two-sided tests,
//! plus a sample-size search. These are the analytic fast path printed next to simulated power
//! and the references of the Monte Carlo tests.
//!
//! The contrast estimate is `d ~ N(delta, se^2)` and its standard error `se_hat = se S` with
//! `S = sqrt(V / df)`, `V ~ chi^2(df)` independent of `d` (for PowerTOST's design constant `bk`,
//! `se = sigma_w sqrt(bk / n)`). Every power here is an expectation over `S`:
//!
//! ```text
//! TOST:       P = E_S[ max(0, Phi(a - t S) - Phi(b + t S)) ],  a = (upper - delta) / se,
//!                 b = (lower - delta) / se, t = t_{1-alpha, df}; zero for S > (a - b) / (2 t)
//!                 (Owen's Q difference, PowerTOST's power.TOST(method = "exact"))
//! one-sided:  P = E_S[ Phi(ncp - t S) ] = P(T >= t),  T ~ noncentral t(df, ncp = (delta - margin) / se)
//! ```
//!
//! integrated over `x = ln S` by [`crate::numerics::expect_over_s`] (adaptive Gauss-Kronrod,
//! quadrature error about 1e-13). The two-sided power is
//! [`crate::numerics::noncentral_t_two_sided_tail`].
//! The absolute accuracy, about 1e-11, is bounded by statrs' normal CDF, whose error reaches
//! 1.4e-11 (at x = -1, against R's `pnorm`); checked against PowerTOST and R to 1e-9.

use crate::numerics::{
    expect_over_s, noncentral_t_two_sided_tail, norm_cdf, normal_between, t_upper_quantile,
};

/// Probability that the `(1 - 2 alpha)` confidence interval of a t-based estimate lies within
/// `[lower, upper]`: `P(d - t se_hat >= lower and d + t se_hat <= upper)`, `t = t_{1-alpha, df}`,
/// i.e. the power of the two one-sided tests at level `alpha` each (PowerTOST's
/// `power.TOST(method = "exact")`, Owen's Q). Absolute accuracy about 1e-11.
///
/// `alpha` is the one-sided level, in `(0, 0.5]`; `se` the true standard error of the contrast
/// estimate (finite, `>= 0`); `df` the residual degrees of freedom (`> 0`, fractional allowed,
/// `+inf` gives the normal limit). A margin may be infinite: `lower = -inf` leaves only the upper
/// one-sided test. Returns:
/// - `NaN` when any argument is NaN, `alpha` is outside `(0, 0.5]`, `se` is negative or
///   infinite, `df <= 0` or `delta` is infinite;
/// - 0 when `lower >= upper` (an interval of positive width never fits; a swapped pair of
///   margins therefore reads as zero power, not as an error);
/// - for `se = 0`, the limit `se -> 0`: 1 for `delta` strictly inside, 0 strictly outside, and
///   `alpha` on a margin (there the test of that margin is at its boundary, of size `alpha`).
pub fn tost_power(alpha: f64, lower: f64, upper: f64, delta: f64, se: f64, df: f64) -> f64 {
    let valid = alpha > 0.0
        && alpha <= 0.5
        && se >= 0.0
        && se.is_finite()
        && df > 0.0
        && delta.is_finite()
        && !lower.is_nan()
        && !upper.is_nan();
    if !valid {
        return f64::NAN;
    }
    if lower >= upper {
        return 0.0;
    }
    if se == 0.0 {
        return if delta > lower && delta < upper {
            1.0
        } else if delta == lower || delta == upper {
            alpha
        } else {
            0.0
        };
    }
    let t = t_upper_quantile(alpha, df);
    if t.is_nan() {
        return f64::NAN;
    }
    let a = (upper - delta) / se;
    let b = (lower - delta) / se;
    // Beyond this S the interval is wider than the region; for alpha = 0.5 (t = 0) it is +inf.
    let s_max = (upper - lower) / (2.0 * t * se);
    let conditional = |s: f64| normal_between(b + t * s, a - t * s);
    // The factors switch from 1 to 0 where t S crosses a and -b.
    expect_over_s(df, s_max, [a / t, -b / t], conditional)
}

/// [`tost_power`] with its own level for each one-sided test: `alpha_lower` for `H0: mu <= lower`
/// and `alpha_upper` for `H0: mu >= upper` (PowerTOST's `power.TOST` with two alphas, Owen's Q;
/// what an inverse-normal design's conditional error levels give stage 2). Each level in
/// `(0, 1)`: above 0.5 the critical t is negative, and when the two critical values sum to a
/// non-positive number every interval fits and the power is the difference of the two
/// noncentral t probabilities, as Owen's Q with an infinite upper limit gives it.
pub fn tost_power_levels(
    alpha_lower: f64,
    alpha_upper: f64,
    lower: f64,
    upper: f64,
    delta: f64,
    se: f64,
    df: f64,
) -> f64 {
    let valid = alpha_lower > 0.0
        && alpha_lower < 1.0
        && alpha_upper > 0.0
        && alpha_upper < 1.0
        && se > 0.0
        && se.is_finite()
        && df > 0.0
        && delta.is_finite()
        && lower < upper;
    if !valid {
        return f64::NAN;
    }
    let t_lower = t_upper_quantile(alpha_lower, df);
    let t_upper = t_upper_quantile(alpha_upper, df);
    let a = (upper - delta) / se;
    let b = (lower - delta) / se;
    let sum = t_lower + t_upper;
    let s_max = if sum > 0.0 {
        (a - b) / sum
    } else {
        f64::INFINITY
    };
    let conditional = |s: f64| normal_between(b + t_lower * s, a - t_upper * s);
    let kink = |x: f64, t: f64| if t > 0.0 { x / t } else { f64::NAN };
    expect_over_s(
        df,
        s_max,
        [kink(a, t_upper), kink(-b, t_lower)],
        conditional,
    )
}

/// Power of the one-sided test of `H0: mu <= margin` against `mu > margin` at level `alpha`:
/// `P(T >= t_{1-alpha, df})` with `T ~ noncentral t(df, ncp = (delta - margin) / se)` (PowerTOST's
/// `power.noninf` for a margin below 1 on the ratio scale). For "lower is better"
/// (`H0: mu >= margin`) call it with `-margin` and `-delta`. Absolute accuracy about 1e-11.
///
/// `alpha` is in `(0, 1)`, `se` finite and `>= 0`, `df > 0` (fractional allowed, `+inf` gives the
/// normal limit); `margin` may be infinite (`-inf`: power 1). Returns `NaN` when any argument is
/// NaN or out of these ranges or `delta` is infinite. For `se = 0` it is the limit `se -> 0`: 1
/// above the margin, 0 below, `alpha` on it.
pub fn one_sided_power(alpha: f64, margin: f64, delta: f64, se: f64, df: f64) -> f64 {
    let valid = alpha > 0.0
        && alpha < 1.0
        && se >= 0.0
        && se.is_finite()
        && df > 0.0
        && delta.is_finite()
        && !margin.is_nan();
    if !valid {
        return f64::NAN;
    }
    if se == 0.0 || margin.is_infinite() {
        return if delta > margin {
            1.0
        } else if delta < margin {
            0.0
        } else {
            alpha
        };
    }
    let t = t_upper_quantile(alpha, df);
    if t.is_nan() {
        return f64::NAN;
    }
    let ncp = (delta - margin) / se;
    if ncp.is_infinite() {
        return if ncp > 0.0 { 1.0 } else { 0.0 };
    }
    expect_over_s(df, f64::INFINITY, [ncp / t, f64::NAN], |s| {
        norm_cdf(ncp - t * s)
    })
}

/// Power of the two-sided test of `H0: mu = 0` at two-sided level `alpha`:
/// `P(|T| >= t_{1-alpha/2, df})` with `T ~ noncentral t(df, ncp = delta / se)`, from
/// [`crate::numerics::noncentral_t_two_sided_tail`] (absolute accuracy about 1e-11).
///
/// `alpha` is in `(0, 1)`, `se` finite and `>= 0`, `df > 0` (fractional allowed, `+inf` gives
/// the normal limit). Returns `NaN` when any argument is NaN or out of these ranges or `delta`
/// is infinite. For `se = 0` it is the limit `se -> 0`: 1 for `delta != 0`, `alpha` for 0.
pub fn two_sided_power(alpha: f64, delta: f64, se: f64, df: f64) -> f64 {
    let valid =
        alpha > 0.0 && alpha < 1.0 && se >= 0.0 && se.is_finite() && df > 0.0 && delta.is_finite();
    if !valid {
        return f64::NAN;
    }
    if se == 0.0 {
        return if delta == 0.0 { alpha } else { 1.0 };
    }
    let crit = t_upper_quantile(0.5 * alpha, df);
    noncentral_t_two_sided_tail(crit, df, delta / se)
}

/// The smallest `n` that is a positive multiple of `step` with `minimum <= n <= maximum` and
/// `power_at(n) >= target`, with that power; `None` when even the largest such multiple does not
/// reach `target` (a NaN power or target never does), when there is no such multiple, or when
/// `step` is 0.
///
/// Assumes that `power_at` is nondecreasing in `n`, as the power of a fixed test at a fixed true
/// effect is for growing `n` (standard error shrinking as `1/sqrt(n)`, degrees of freedom
/// growing). The search doubles the number of steps from the smallest candidate until the target
/// is reached, then bisects on multiples of `step`: about `2 log2(n / minimum)` evaluations.
/// Were the power not monotone, the `n` returned still reaches `target` but a smaller one might
/// too.
pub fn smallest_sample_size(
    step: usize,
    minimum: usize,
    maximum: usize,
    target: f64,
    power_at: impl Fn(usize) -> f64,
) -> Option<(usize, f64)> {
    if step == 0 {
        return None;
    }
    // Candidates are n = k step for k in [k_min, k_max].
    let k_min = minimum.div_ceil(step).max(1);
    let k_max = maximum / step;
    if k_min > k_max {
        return None;
    }
    let reaches = |k: usize| -> (bool, f64) {
        let p = power_at(k * step);
        (p >= target, p)
    };
    let (ok, p) = reaches(k_min);
    if ok {
        return Some((k_min * step, p));
    }
    // Doubling: invariant `lo` fails; stop at the first `hi` that reaches the target.
    let mut lo = k_min;
    let (mut hi, mut p_hi) = loop {
        let k = lo.saturating_mul(2).min(k_max);
        let (ok, p) = reaches(k);
        if ok {
            break (k, p);
        }
        if k == k_max {
            return None;
        }
        lo = k;
    };
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let (ok, p) = reaches(mid);
        if ok {
            hi = mid;
            p_hi = p;
        } else {
            lo = mid;
        }
    }
    Some((hi * step, p_hi))
}

/// Standard deviation on the log scale of a log-normal variable with coefficient of variation
/// `cv`: `sqrt(ln(1 + cv^2))`. `NaN` for a negative or NaN `cv`.
pub fn cv_to_sigma(cv: f64) -> f64 {
    if cv.is_nan() || cv < 0.0 {
        return f64::NAN;
    }
    (cv * cv).ln_1p().sqrt()
}

/// Coefficient of variation of a log-normal variable whose logarithm has standard deviation
/// `sigma`: `sqrt(exp(sigma^2) - 1)`, the inverse of [`cv_to_sigma`]. `NaN` for a negative or NaN
/// `sigma`.
pub fn sigma_to_cv(sigma: f64) -> f64 {
    if sigma.is_nan() || sigma < 0.0 {
        return f64::NAN;
    }
    (sigma * sigma).exp_m1().sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A design's constants as PowerTOST 1.5-7's `known.designs()` gives them (listed in
    /// the published tables): sequences (the sample-size step), `bk` (variance factor for
    /// total n) and the residual df of the ANOVA without carryover.
    struct Design {
        name: &'static str,
        sequences: usize,
        bk: f64,
        df: fn(f64) -> f64,
    }

    const D2X2: Design = Design {
        name: "2x2",
        sequences: 2,
        bk: 2.0,
        df: |n| n - 2.0,
    };
    const D3X3: Design = Design {
        name: "3x3",
        sequences: 3,
        bk: 2.0,
        df: |n| 2.0 * n - 4.0,
    };
    const D3X6X3: Design = Design {
        name: "3x6x3",
        sequences: 6,
        bk: 2.0,
        df: |n| 2.0 * n - 4.0,
    };
    const D4X4: Design = Design {
        name: "4x4",
        sequences: 4,
        bk: 2.0,
        df: |n| 3.0 * n - 6.0,
    };
    const D2X2X3: Design = Design {
        name: "2x2x3",
        sequences: 2,
        bk: 1.5,
        df: |n| 2.0 * n - 3.0,
    };
    const D2X2X4: Design = Design {
        name: "2x2x4",
        sequences: 2,
        bk: 1.0,
        df: |n| 3.0 * n - 4.0,
    };
    const D2X3X3: Design = Design {
        name: "2x3x3",
        sequences: 3,
        bk: 1.5,
        df: |n| 2.0 * n - 3.0,
    };

    /// power.TOST(CV, n, design, theta0) with alpha 0.05 and limits 0.80-1.25, balanced n.
    fn be_power(design: &Design, cv: f64, theta0: f64, n: usize) -> f64 {
        let n = n as f64;
        let se = cv_to_sigma(cv) * (design.bk / n).sqrt();
        tost_power(
            0.05,
            0.8f64.ln(),
            1.25f64.ln(),
            theta0.ln(),
            se,
            (design.df)(n),
        )
    }

    /// PowerTOST's convention for n per sequence group: `se = sigma sqrt(bkni sum(1/n_i))` with
    /// `bkni = bk / sequences^2` (equal to `bk / n` when balanced), and df from the total n.
    fn be_power_groups(design: &Design, cv: f64, theta0: f64, groups: &[usize]) -> f64 {
        let k = design.sequences as f64;
        let inverse_sum: f64 = groups.iter().map(|&m| 1.0 / m as f64).sum();
        let total: usize = groups.iter().sum();
        let se = cv_to_sigma(cv) * (design.bk / (k * k) * inverse_sum).sqrt();
        tost_power(
            0.05,
            0.8f64.ln(),
            1.25f64.ln(),
            theta0.ln(),
            se,
            (design.df)(total as f64),
        )
    }

    fn assert_close(got: f64, want: f64, tol: f64, what: &str) {
        assert!(
            (got - want).abs() <= tol,
            "{what}: {got:.12} vs {want:.12} (error {:.2e})",
            (got - want).abs()
        );
    }

    /// Published in PowerTOST's ABE vignette and README and collected in the project's reference notes
    /// ("Average bioequivalence (TOST) power"), 7 digits; checked to 1e-6 as they are given.
    #[test]
    fn tost_matches_published_powertost_values() {
        let cases = [
            (&D2X2, 0.30, 0.95, 40, 0.8158453),
            (&D2X2X3, 0.30, 0.95, 30, 0.8204004),
            (&D2X3X3, 0.30, 0.95, 30, 0.8204004),
            (&D2X2X4, 0.30, 0.95, 20, 0.8202398),
            (&D3X6X3, 0.20, 0.95, 18, 0.8089486),
            (&D4X4, 0.20, 0.95, 20, 0.8527970),
            (&D2X2, 0.30, 0.95, 24, 0.5576574),
            (&D3X3, 0.30, 0.95, 24, 0.5760724),
            (&D4X4, 0.30, 0.95, 24, 0.5820231),
            (&D2X2X4, 0.30, 0.95, 24, 0.8818840),
            // Type I error at the upper limit.
            (&D2X2, 0.30, 1.25, 24, 0.0497220),
            (&D3X3, 0.30, 1.25, 24, 0.0497988),
            (&D4X4, 0.30, 1.25, 24, 0.0498192),
            (&D2X2X4, 0.30, 1.25, 24, 0.0500000),
        ];
        for (design, cv, theta0, n, want) in cases {
            let got = be_power(design, cv, theta0, n);
            let what = format!("{} CV {cv} theta0 {theta0} n {n}", design.name);
            assert_close(got, want, 1e-6, &what);
        }
        // Unbalanced: power.TOST(CV = 0.3, n = 39) splits n as 20/19 (PowerTOST's nvec) and uses
        // se = sigma sqrt(bk / 4 (1/20 + 1/19)), df = 37. PowerTOST: 0.8056171; and
        // power.TOST(CV = 0.25, theta0 = 0.9, n = c(13, 12)) = 0.4963175.
        assert_close(
            be_power_groups(&D2X2, 0.30, 0.95, &[20, 19]),
            0.8056171,
            1e-6,
            "2x2 20/19",
        );
        assert_close(
            be_power_groups(&D2X2, 0.25, 0.90, &[13, 12]),
            0.4963175,
            1e-6,
            "2x2 13/12",
        );
    }

    /// The same cases to 12 digits, PowerTOST 1.5-7 built from its source on R 4.2.2, e.g.
    /// `sprintf("%.12f", power.TOST(CV = 0.3, n = 40, design = "2x2"))`. PowerTOST integrates
    /// Owen's Q with `integrate(rel.tol = 1e-8)`; an independent `integrate()` over se_hat with
    /// rel.tol 1e-13 (`tostR` in the next test) agrees with each to 1e-12.
    #[test]
    fn tost_matches_powertost_to_1e9() {
        let cases = [
            (&D2X2, 0.30, 0.95, 40, 0.815845280273),
            (&D2X2X3, 0.30, 0.95, 30, 0.820400414711),
            (&D2X3X3, 0.30, 0.95, 30, 0.820400414711),
            (&D2X2X4, 0.30, 0.95, 20, 0.820239829665),
            (&D3X6X3, 0.20, 0.95, 18, 0.808948591693),
            (&D4X4, 0.20, 0.95, 20, 0.852797043489),
            (&D2X2, 0.30, 0.95, 24, 0.557657438599),
            (&D3X3, 0.30, 0.95, 24, 0.576072372841),
            (&D4X4, 0.30, 0.95, 24, 0.582023102556),
            (&D2X2X4, 0.30, 0.95, 24, 0.881884027066),
            (&D2X2, 0.30, 1.25, 24, 0.049722026690),
            (&D3X3, 0.30, 1.25, 24, 0.049798778346),
            (&D4X4, 0.30, 1.25, 24, 0.049819169536),
            (&D2X2X4, 0.30, 1.25, 24, 0.049999994886),
            // power.TOST(CV = 0.2, theta0 = 1.25, n = 20, design = "4x4")
            (&D4X4, 0.20, 1.25, 20, 0.049999964652),
            // Large df: power.TOST(CV = 2.5, n = 400) (df 398).
            (&D2X2, 2.5, 0.95, 400, 0.397516167042),
            // Tiny df: power.TOST(CV = 0.3, n = 4) and power.TOST(CV = 0.1, n = 4) (df 2).
            (&D2X2, 0.30, 0.95, 4, 0.034248597194),
            (&D2X2, 0.10, 0.95, 4, 0.427436157714),
            // Delta outside the limits: power.TOST(CV = 0.3, theta0 = 1.3 | 0.78, n = 24, design).
            (&D2X2, 0.30, 1.30, 24, 0.018093547295),
            (&D2X2, 0.30, 0.78, 24, 0.026428129733),
            (&D2X2X4, 0.30, 1.30, 24, 0.010926535658),
            // power.TOST(CV = 0.45, theta0 = 0.9, n = 36, design = "3x3"),
            // power.TOST(CV = 0.5, theta0 = 1.05, n = 60, design = "2x2x3")
            (&D3X3, 0.45, 0.90, 36, 0.252679980939),
            (&D2X2X3, 0.50, 1.05, 60, 0.726327322493),
        ];
        for (design, cv, theta0, n, want) in cases {
            let got = be_power(design, cv, theta0, n);
            let what = format!("{} CV {cv} theta0 {theta0} n {n}", design.name);
            assert_close(got, want, 1e-9, &what);
        }
        // sprintf("%.12f", power.TOST(CV = 0.3, n = 39)) (20/19) and n = c(13, 12).
        let got = be_power_groups(&D2X2, 0.30, 0.95, &[20, 19]);
        assert_close(got, 0.805617105833, 1e-9, "2x2 20/19");
        let got = be_power_groups(&D2X2, 0.25, 0.90, &[13, 12]);
        assert_close(got, 0.496317457884, 1e-9, "2x2 13/12");
        // Other level and limits: power.TOST(alpha = 0.1, theta1 = 0.9, theta2 = 1/0.9,
        // theta0 = 1.02, CV = 0.12, n = 30) = 0.922893584474 (df 28);
        // power.TOST(theta1 = 0.75, theta2 = 1.33, theta0 = 1.1, CV = 0.35, n = 16,
        // design = "2x2x4") = 0.707834423286 (df 44).
        let se = cv_to_sigma(0.12) * (2.0f64 / 30.0).sqrt();
        let got = tost_power(0.1, 0.9f64.ln(), -(0.9f64.ln()), 1.02f64.ln(), se, 28.0);
        assert_close(got, 0.922893584474, 1e-9, "alpha 0.1, 0.9-1.111");
        let se = cv_to_sigma(0.35) * (1.0f64 / 16.0).sqrt();
        let got = tost_power(0.05, 0.75f64.ln(), 1.33f64.ln(), 1.1f64.ln(), se, 44.0);
        assert_close(got, 0.707834423286, 1e-9, "0.75-1.33");
    }

    /// Beyond PowerTOST's exact range (it switches to approximations above df 5000): R 4.2.2 base,
    /// an independent integral over s = se_hat / se with QUADPACK,
    ///   tostR <- function(alpha, lo, up, delta, se, df) {
    ///     t <- qt(1 - alpha, df); smax <- (up - lo) / (2 * t * se)
    ///     f <- function(s) pmax(pnorm((up - delta)/se - t*s) - pnorm((lo - delta)/se + t*s), 0) *
    ///                      dchisq(df*s^2, df) * 2*df*s
    ///     (integrate f over [0, smax] split at 1 +- 3, 10, 40 sd of S, rel.tol 1e-13) }
    /// (it reproduces every PowerTOST value above to 1e-12):
    /// tostR(0.05, log(0.8), log(1.25), log(0.95), 0.1, df) = 0.393539997191 (df 20000),
    /// 0.393582485196 (df 1e6); tostR(0.05, -0.2, 0.25, 0.05, 0.1, 7.5) = 0.338792629252.
    #[test]
    fn tost_matches_independent_integral_for_large_and_fractional_df() {
        let (lo, up, delta) = (0.8f64.ln(), 1.25f64.ln(), 0.95f64.ln());
        let got = tost_power(0.05, lo, up, delta, 0.1, 20000.0);
        assert_close(got, 0.393539997191, 1e-9, "df 20000");
        let got = tost_power(0.05, lo, up, delta, 0.1, 1e6);
        assert_close(got, 0.393582485196, 1e-9, "df 1e6");
        let got = tost_power(0.05, -0.2, 0.25, 0.05, 0.1, 7.5);
        assert_close(got, 0.338792629252, 1e-9, "df 7.5");
        // Normal limit (S = 1): Phi(a - z) - Phi(b + z), z = qnorm(0.95).
        let z = 1.6448536269514722;
        let want = norm_cdf((up - delta) / 0.1 - z) - norm_cdf((lo - delta) / 0.1 + z);
        let got = tost_power(0.05, lo, up, delta, 0.1, f64::INFINITY);
        assert_close(got, want, 1e-12, "df inf");
        assert_close(
            tost_power(0.05, lo, up, delta, 0.1, 1e13),
            want,
            1e-9,
            "1e13",
        );
    }

    /// sampleN.TOST(CV, theta0 = 0.95, targetpower = 0.8, design) from the published tables,
    /// rerun with PowerTOST 1.5-7 (identical). n steps by the number of sequences, starting at
    /// PowerTOST's minimum: the smallest multiple of the step with df >= 1 (4 for 2x2, 2 for
    /// 2x2x4), below which there is no variance estimate.
    #[test]
    fn sample_size_matches_sampletost() {
        let table: [(&Design, [(usize, f64); 3]); 7] = [
            (&D2X2, [(20, 0.834680), (40, 0.815845), (66, 0.805252)]),
            (&D3X3, [(18, 0.808949), (39, 0.813047), (66, 0.809372)]),
            (&D3X6X3, [(18, 0.808949), (42, 0.840318), (66, 0.809372)]),
            (&D4X4, [(20, 0.852797), (40, 0.824834), (68, 0.821942)]),
            (&D2X2X3, [(14, 0.817926), (30, 0.820400), (50, 0.811886)]),
            (&D2X2X4, [(10, 0.843312), (20, 0.820240), (34, 0.819344)]),
            (&D2X3X3, [(15, 0.844011), (30, 0.820400), (51, 0.819396)]),
        ];
        for (design, row) in table {
            for (cv, (n_want, p_want)) in [0.2, 0.3, 0.4].into_iter().zip(row) {
                let (n, p) = be_sample_size(design, cv, 0.95, 0.8).unwrap();
                assert_eq!(n, n_want, "{} CV {cv}", design.name);
                assert_close(p, p_want, 1e-6, &format!("{} CV {cv}", design.name));
            }
        }
        // At the minimum: sampleN.TOST(CV = 0.05, design = "2x2x4") gives n = 2 and
        // sampleN.TOST(CV = 0.05) n = 4, both with power 0.903785783538 (df 2, se equal).
        for (design, n_want) in [(&D2X2X4, 2), (&D2X2, 4)] {
            let (n, p) = be_sample_size(design, 0.05, 0.95, 0.8).unwrap();
            assert_eq!(n, n_want);
            assert_close(p, 0.903785783538, 1e-9, design.name);
        }
        // sampleN.TOST(CV = 0.3, theta0 = 0.9, targetpower = 0.9) = 108 (0.900537019162).
        let (n, p) = be_sample_size(&D2X2, 0.3, 0.9, 0.9).unwrap();
        assert_eq!(n, 108);
        assert_close(p, 0.900537019162, 1e-9, "theta0 0.9 target 0.9");
        // Unreachable: theta0 outside the limits.
        assert!(be_sample_size(&D2X2, 0.3, 1.3, 0.8).is_none());
    }

    fn be_sample_size(design: &Design, cv: f64, theta0: f64, target: f64) -> Option<(usize, f64)> {
        let step = design.sequences;
        let first_with_df = (1..).find(|&n| (design.df)(n as f64) >= 1.0).unwrap();
        smallest_sample_size(step, first_with_df, 10_000, target, |n| {
            be_power(design, cv, theta0, n)
        })
    }

    /// PowerTOST 1.5-7 `power.noninf` (default alpha 0.025; margin 0.8 below 1, so
    /// H0: ratio <= margin; `sprintf("%.12f", ...)`), computed there with R's `pt(q, df, ncp)`.
    #[test]
    fn one_sided_matches_powertost_noninf() {
        let noninf = |alpha: f64, design: &Design, n: usize, margin: f64, theta0: f64| {
            let se = cv_to_sigma(0.25) * (design.bk / n as f64).sqrt();
            let df = (design.df)(n as f64);
            one_sided_power(alpha, margin.ln(), theta0.ln(), se, df)
        };
        let cases = [
            // power.noninf(margin = 0.8, theta0 = 0.95, CV = 0.25, n = n, design = d)
            (0.025, &D2X2, 24, 0.637343788866),
            (0.025, &D2X2, 36, 0.820330070623),
            (0.025, &D2X2X4, 24, 0.920820450821),
            (0.025, &D2X2X4, 36, 0.985693601422),
            // power.noninf(alpha = 0.05, margin = 0.8, theta0 = 0.95, CV = 0.25, n = 24)
            (0.05, &D2X2, 24, 0.757258614650),
        ];
        for (alpha, design, n, want) in cases {
            let got = noninf(alpha, design, n, 0.8, 0.95);
            assert_close(
                got,
                want,
                1e-9,
                &format!("{} n {n} alpha {alpha}", design.name),
            );
        }
        // Lower is better: power.noninf(margin = 1.25, theta0 = 1.05, CV = 0.25, n = 24)
        // = 0.649874152715 (PowerTOST flips the test for a margin above 1); here by negating.
        let got = noninf(0.025, &D2X2, 24, 1.0 / 1.25, 1.0 / 1.05);
        assert_close(got, 0.649874152715, 1e-9, "margin 1.25");
        // Unbalanced n = 25 (13/12): se = sigma sqrt(bk/4 (1/13 + 1/12)), df 23;
        // power.noninf(margin = 0.8, theta0 = 0.95, CV = 0.25, n = 25) = 0.656092535893.
        let se = cv_to_sigma(0.25) * (0.5 * (1.0 / 13.0 + 1.0 / 12.0f64)).sqrt();
        let got = one_sided_power(0.025, 0.8f64.ln(), 0.95f64.ln(), se, 23.0);
        assert_close(got, 0.656092535893, 1e-9, "13/12");
    }

    /// R 4.2.2 base, `sprintf("%.12f", pt(qt(1 - alpha, df), df, ncp, lower.tail = FALSE))`.
    #[test]
    fn one_sided_matches_r_pt() {
        // Superiority, 2x2 n 24, sigma 0.4, difference 0.3:
        // pt(qt(0.975, 22), 22, ncp = 0.3/(0.4*sqrt(2/24)), lower.tail = FALSE) = 0.699665740602
        let se = 0.4 * (2.0f64 / 24.0).sqrt();
        assert_close(
            one_sided_power(0.025, 0.0, 0.3, se, 22.0),
            0.699665740602,
            1e-9,
            "superiority",
        );
        // pt(qt(0.95, 1.5), 1.5, ncp = 2, lower.tail = FALSE) = 0.323774462917
        assert_close(
            one_sided_power(0.05, 0.0, 2.0, 1.0, 1.5),
            0.323774462917,
            1e-9,
            "df 1.5",
        );
        // Below the margin: pt(qt(0.95, 10), 10, ncp = -1, lower.tail = FALSE) = 0.004920643491
        assert_close(
            one_sided_power(0.05, 0.5, 0.3, 0.2, 10.0),
            0.004920643491,
            1e-9,
            "ncp -1",
        );
        // Central: the level.
        assert_close(
            one_sided_power(0.05, 0.1, 0.1, 0.3, 7.0),
            0.05,
            1e-11,
            "ncp 0",
        );
    }

    /// R 4.2.2 base: q <- qt(1 - alpha/2, df);
    /// sprintf("%.12f", pt(q, df, ncp, lower.tail = FALSE) + pt(-q, df, ncp)).
    #[test]
    fn two_sided_matches_r_pt() {
        // alpha 0.05, df 30, ncp 2.5: 0.677031512813
        assert_close(
            two_sided_power(0.05, 0.25, 0.1, 30.0),
            0.677031512813,
            1e-9,
            "ncp 2.5",
        );
        // alpha 0.1, df 12, ncp -1.2: 0.306919880425
        assert_close(
            two_sided_power(0.1, -0.6, 0.5, 12.0),
            0.306919880425,
            1e-9,
            "ncp -1.2",
        );
        assert_close(two_sided_power(0.05, 0.0, 0.5, 12.0), 0.05, 1e-11, "ncp 0");
    }

    /// Identities between the three functions, which share no code path beyond the quadrature
    /// rule: TOST with one margin at infinity is the one-sided test; the two-sided tail is the
    /// sum of two one-sided tails; TOST is mirror-symmetric and bounded by the one-sided powers.
    #[test]
    fn identities_hold_on_a_grid() {
        for df in [0.5, 2.0, 5.5, 22.0, 150.0, 5e4] {
            for se in [0.03, 0.1, 0.4] {
                for delta in [-0.3, -0.05, 0.0, 0.08, 0.22] {
                    let (lo, up) = (-0.2, 0.25);
                    let upper_only = one_sided_power(0.05, -up, -delta, se, df);
                    let lower_only = one_sided_power(0.05, lo, delta, se, df);
                    let what = format!("df {df} se {se} delta {delta}");
                    let p = tost_power(0.05, f64::NEG_INFINITY, up, delta, se, df);
                    assert_close(p, upper_only, 1e-11, &what);
                    let p = tost_power(0.05, lo, f64::INFINITY, delta, se, df);
                    assert_close(p, lower_only, 1e-11, &what);
                    let both = tost_power(0.05, lo, up, delta, se, df);
                    let mirror = tost_power(0.05, -up, -lo, -delta, se, df);
                    assert_close(both, mirror, 1e-12, &what);
                    assert!(both <= upper_only.min(lower_only) + 1e-12, "{what}");
                    assert!(both >= upper_only + lower_only - 1.0 - 1e-12, "{what}");
                    let two = two_sided_power(0.1, delta, se, df);
                    let sum = one_sided_power(0.05, 0.0, delta, se, df)
                        + one_sided_power(0.05, 0.0, -delta, se, df);
                    assert_close(two, sum, 1e-10, &what);
                }
            }
        }
        // Power grows with n and is continuous towards se = 0.
        let powers: Vec<f64> = (4..=80)
            .step_by(2)
            .map(|n| be_power(&D2X2, 0.3, 0.95, n))
            .collect();
        assert!(powers.windows(2).all(|w| w[1] > w[0]), "{powers:?}");
        assert_close(
            tost_power(0.05, -0.2, 0.25, -0.2, 1e-9, 20.0),
            0.05,
            1e-9,
            "se -> 0",
        );
        assert_close(
            tost_power(0.05, -0.2, 0.25, 0.0, 1e-9, 20.0),
            1.0,
            1e-12,
            "inside",
        );
    }

    #[test]
    fn degenerate_and_invalid_inputs() {
        let (lo, up) = (-0.2, 0.25);
        // se = 0: the limit se -> 0.
        assert_eq!(tost_power(0.05, lo, up, 0.1, 0.0, 10.0), 1.0);
        assert_eq!(tost_power(0.05, lo, up, 0.3, 0.0, 10.0), 0.0);
        assert_eq!(tost_power(0.05, lo, up, -0.3, 0.0, 10.0), 0.0);
        assert_eq!(tost_power(0.05, lo, up, up, 0.0, 10.0), 0.05);
        assert_eq!(one_sided_power(0.05, 0.0, 0.1, 0.0, 10.0), 1.0);
        assert_eq!(one_sided_power(0.05, 0.0, -0.1, 0.0, 10.0), 0.0);
        assert_eq!(one_sided_power(0.05, 0.0, 0.0, 0.0, 10.0), 0.05);
        assert_eq!(two_sided_power(0.05, 0.1, 0.0, 10.0), 1.0);
        assert_eq!(two_sided_power(0.05, 0.0, 0.0, 10.0), 0.05);
        // An empty region.
        assert_eq!(tost_power(0.05, up, lo, 0.0, 0.1, 10.0), 0.0);
        assert_eq!(tost_power(0.05, 0.1, 0.1, 0.1, 0.1, 10.0), 0.0);
        assert_eq!(tost_power(0.05, 0.1, 0.1, 0.1, 0.0, 10.0), 0.0);
        // No margins at all; alpha 0.5 is a zero-width interval: P(lo <= d <= up).
        let p = tost_power(0.05, f64::NEG_INFINITY, f64::INFINITY, 0.0, 0.1, 10.0);
        assert_close(p, 1.0, 1e-13, "no margins");
        let p = tost_power(0.5, lo, up, 0.0, 0.1, 10.0);
        assert_close(p, norm_cdf(2.5) - norm_cdf(-2.0), 1e-12, "alpha 0.5");
        assert_eq!(
            one_sided_power(0.05, f64::NEG_INFINITY, 0.0, 0.1, 10.0),
            1.0
        );
        assert_eq!(one_sided_power(0.05, f64::INFINITY, 0.0, 0.1, 10.0), 0.0);
        // Extreme but valid: tiny df and se, huge df; all finite and in [0, 1].
        for (se, df) in [
            (1e-300, 5.0),
            (0.1, 1e-300),
            (1e-3, 1e-8),
            (10.0, 0.01),
            (0.1, 1e300),
        ] {
            for p in [
                tost_power(0.05, lo, up, 0.0, se, df),
                one_sided_power(0.05, lo, 0.0, se, df),
                two_sided_power(0.05, 0.01, se, df),
            ] {
                assert!((0.0..=1.0).contains(&p), "se {se} df {df}: {p}");
            }
        }
        let nan = f64::NAN;
        let inf = f64::INFINITY;
        for args in [
            [nan, lo, up, 0.0, 0.1, 10.0],
            [0.05, nan, up, 0.0, 0.1, 10.0],
            [0.05, lo, nan, 0.0, 0.1, 10.0],
            [0.05, lo, up, nan, 0.1, 10.0],
            [0.05, lo, up, 0.0, nan, 10.0],
            [0.05, lo, up, 0.0, 0.1, nan],
            [0.0, lo, up, 0.0, 0.1, 10.0],
            [0.6, lo, up, 0.0, 0.1, 10.0],
            [0.05, lo, up, 0.0, -0.1, 10.0],
            [0.05, lo, up, 0.0, inf, 10.0],
            [0.05, lo, up, 0.0, 0.1, 0.0],
            [0.05, lo, up, 0.0, 0.1, -1.0],
            [0.05, lo, up, inf, 0.1, 10.0],
        ] {
            let [alpha, lower, upper, delta, se, df] = args;
            assert!(
                tost_power(alpha, lower, upper, delta, se, df).is_nan(),
                "{args:?}"
            );
            if !lower.is_nan() && !upper.is_nan() && alpha != 0.6 {
                assert!(
                    one_sided_power(alpha, lower, delta, se, df).is_nan(),
                    "{args:?}"
                );
                assert!(two_sided_power(alpha, delta, se, df).is_nan(), "{args:?}");
            }
        }
        assert!(one_sided_power(1.0, 0.0, 0.1, 0.1, 5.0).is_nan());
        assert!(one_sided_power(0.05, nan, 0.1, 0.1, 5.0).is_nan());
        assert!(two_sided_power(1.0, 0.1, 0.1, 5.0).is_nan());
        // The one-sided test takes any level below 1.
        assert!((0.0..=1.0).contains(&one_sided_power(0.6, 0.0, 0.1, 0.1, 5.0)));
    }

    #[test]
    fn sample_size_search() {
        use std::cell::Cell;
        // A step function reaching 0.8 at n = 1234: multiples of 7 from 10.
        let calls = Cell::new(0);
        let power = |n: usize| {
            calls.set(calls.get() + 1);
            if n >= 1234 {
                0.9
            } else {
                0.1
            }
        };
        assert_eq!(
            smallest_sample_size(7, 10, 100_000, 0.8, power),
            Some((1239, 0.9))
        );
        assert!(calls.get() <= 20, "{} calls", calls.get());
        calls.set(0);
        let far = smallest_sample_size(1, 1, usize::MAX, 0.8, |n| {
            calls.set(calls.get() + 1);
            if n >= 1 << 40 {
                1.0
            } else {
                0.0
            }
        });
        assert_eq!(far, Some((1 << 40, 1.0)));
        assert!(calls.get() <= 90, "{} calls", calls.get());
        // The first candidate already reaches; minimum rounds up to a multiple of step.
        assert_eq!(
            smallest_sample_size(4, 5, 100, 0.5, |_| 0.6),
            Some((8, 0.6))
        );
        assert_eq!(
            smallest_sample_size(4, 0, 100, 0.5, |_| 0.6),
            Some((4, 0.6))
        );
        // Reaching only at the maximum, and not at all.
        assert_eq!(
            smallest_sample_size(3, 3, 100, 0.5, |n| n as f64 / 99.0),
            Some((51, 51.0 / 99.0))
        );
        assert_eq!(
            smallest_sample_size(3, 3, 100, 0.995, |n| n as f64 / 100.0),
            None
        );
        assert_eq!(smallest_sample_size(1, 2, 50, 0.8, |_| f64::NAN), None);
        assert_eq!(smallest_sample_size(1, 2, 50, f64::NAN, |_| 1.0), None);
        // No candidate.
        assert_eq!(smallest_sample_size(0, 2, 50, 0.8, |_| 1.0), None);
        assert_eq!(smallest_sample_size(10, 41, 49, 0.8, |_| 1.0), None);
        assert_eq!(smallest_sample_size(10, 60, 50, 0.8, |_| 1.0), None);
        // Every n between minimum and maximum agrees with a linear scan.
        for target in [0.05, 0.3, 0.8, 0.95] {
            let f = |n: usize| 1.0 - (-(n as f64) / 40.0).exp();
            let scan = (2..=300)
                .step_by(2)
                .find(|&n| f(n) >= target)
                .map(|n| (n, f(n)));
            assert_eq!(smallest_sample_size(2, 1, 300, target, f), scan, "{target}");
        }
    }

    /// R 4.2.2: sqrt(log(1 + 0.3^2)) = 0.293560379208524 (sprintf "%.15f").
    #[test]
    fn cv_and_sigma() {
        assert_close(cv_to_sigma(0.3), 0.293560379208524, 1e-15, "cv 0.3");
        for cv in [0.0, 1e-9, 0.05, 0.3, 2.5, 40.0] {
            assert_close(
                sigma_to_cv(cv_to_sigma(cv)),
                cv,
                1e-12 * cv.max(1.0),
                "round trip",
            );
        }
        assert!(cv_to_sigma(-0.1).is_nan() && cv_to_sigma(f64::NAN).is_nan());
        assert!(sigma_to_cv(-0.1).is_nan() && sigma_to_cv(f64::NAN).is_nan());
    }
}

#[cfg(test)]
mod two_levels {
    use super::*;

    /// Power2Stage 0.5-4 (R 4.2.2), its Owen's Q power with one level per test:
    /// `Power2Stage:::.power.TOST(matrix(c(a1, a2), ncol = 2), log(0.8), log(1.25), diffm, sem, df)`.
    /// The interim example's conditional error levels a1 = 0.640613432694, a2 = 0.149993824965
    /// (both critical t of opposite sign), diffm = log(1/0.95), sem = sqrt(log(1 + 0.18213^2))
    /// sqrt(2 / n), df = n - 2: n 4 0.539237448956862, n 6 0.687648847709341, n 8
    /// 0.780872936383207; a1 = 0.01, a2 = 0.03, diffm = log(0.95), sem 0.1, df 20:
    /// 0.08486107351573002.
    #[test]
    fn against_power2stage_owens_q() {
        let (lo, hi) = (0.8f64.ln(), 1.25f64.ln());
        let mse = (1.0f64 + 0.18213 * 0.18213).ln();
        for (n, expected) in [
            (4.0, 0.539237448956862),
            (6.0, 0.687648847709341),
            (8.0, 0.780872936383207),
        ] {
            let se = mse.sqrt() * (2.0f64 / n).sqrt();
            let p = tost_power_levels(
                0.640613432694,
                0.149993824965,
                lo,
                hi,
                (1.0f64 / 0.95).ln(),
                se,
                n - 2.0,
            );
            assert!((p - expected).abs() < 1e-8, "n {n}: {p} vs {expected}");
        }
        let p = tost_power_levels(0.01, 0.03, lo, hi, 0.95f64.ln(), 0.1, 20.0);
        assert!((p - 0.08486107351573002).abs() < 1e-9, "{p}");
        // One level for both: the same as tost_power.
        let same = tost_power_levels(0.05, 0.05, lo, hi, 0.95f64.ln(), 0.1, 20.0);
        assert!((same - tost_power(0.05, lo, hi, 0.95f64.ln(), 0.1, 20.0)).abs() < 1e-12);
    }
}
