//! Analytic (non-simulated) power of the paired, i.e. one-sample, t test: the two-sided tail of the
//! noncentral t distribution, power, sample size and detectable effect. These are the closed-form
//! references against which the Monte Carlo results of crossover-sim are checked.
//!
//! The noncentral t tail is computed by numerical integration, not by simulation: with
//! `T = (Z + ncp) / S`, `Z ~ N(0, 1)` independent of `S = sqrt(V / df)`, `V ~ chi^2(df)`,
//!
//! ```text
//! P(|T| >= c) = E_S[ Phi(ncp - c S) + Phi(-ncp - c S) ],
//! ```
//!
//! integrated over `x = ln S` (a smooth, unimodal density for every `df > 0`) with adaptive
//! Gauss-Kronrod (7-15) quadrature to an absolute error of about 1e-13.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
use statrs::function::gamma::ln_gamma;

/// Largest number of pairs [`paired_t_sample_size`] searches (as `pwr.t.test`, which searches
/// `n` in `(2, 1e9)`).
pub const MAX_PAIRS: f64 = 1e9;

/// Degrees of freedom beyond which the t distribution is replaced by its normal limit.
pub(crate) const NORMAL_LIMIT_DF: f64 = 1e15;

/// Lower end of the integration in `x = ln S`; the mass of `S` below `e^-700` is added exactly.
pub(crate) const MIN_LOG_S: f64 = -700.0;

/// Absolute error target of the quadrature.
const QUAD_TOL: f64 = 1e-13;

/// Exact power of the two-sided one-sample/paired t test with n pairs, standardized effect d = mean/sd of differences, level alpha:
/// P(|T| >= t_{1-alpha/2, n-1}) where T ~ noncentral t(df = n-1, ncp = d*sqrt(n)).
///
/// Returns `NaN` when `n < 2`, `alpha` is not in (0, 1) or `d` is NaN.
pub fn paired_t_power(n: usize, d: f64, alpha: f64) -> f64 {
    if n < 2 {
        return f64::NAN;
    }
    power_fractional(n as f64, d, alpha)
}

/// The same for a given critical value of |T| (used for interim looks at a nominal level): P(|T| >= crit) with df, ncp.
///
/// `df` may be fractional. `crit <= 0` gives 1, `crit = +inf` gives 0, `df > 1e15` (including
/// `+inf`) gives the normal limit. Absolute accuracy about 1e-12 (checked against R's `pt`).
/// Returns `NaN` when any argument is NaN or `df <= 0`.
pub fn noncentral_t_two_sided_tail(crit: f64, df: f64, ncp: f64) -> f64 {
    if crit.is_nan() || df.is_nan() || ncp.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if crit <= 0.0 {
        return 1.0;
    }
    if crit == f64::INFINITY {
        return 0.0;
    }
    if ncp.is_infinite() {
        return 1.0;
    }
    if df > NORMAL_LIMIT_DF {
        // T - N(ncp, 1) is O(1/df): below 1e-15 here.
        return (norm_sf(crit - ncp) + norm_cdf(-crit - ncp)).min(1.0);
    }
    let nu = df;
    // Density of x = ln S: with v = nu e^{2x},
    //   g(x) = 2 v^{nu/2} e^{-v/2} / (2^{nu/2} Gamma(nu/2)) = exp(log_mode - (nu/2) (e^{2x} - 1 - 2x)),
    // mode at x = 0, sd about 1/sqrt(2 nu); left tail ~ e^{nu x}, right tail super-exponential.
    let log_mode = log_chi_mode(nu);
    let tail_factor = |x: f64| -> f64 {
        let cs = crit * x.exp();
        norm_cdf(ncp - cs) + norm_cdf(-ncp - cs)
    };
    let integrand = |x: f64| -> f64 {
        let g = (log_mode - 0.5 * nu * exp_m1_minus_x(2.0 * x)).exp();
        if g == 0.0 {
            return 0.0;
        }
        g * tail_factor(x)
    };
    // Range in u = 2x outside which the density of S is below e^{-40} of its mode; for tiny df the
    // left end is cut at x = -700 (S = 1e-304) and the mass below it added in closed form.
    let su = (2.0 / nu).sqrt();
    let u_lo = -(80.0 / nu + 12.0 * su);
    let u_hi = (1.0 + 100.0 / nu).ln() + 12.0 * su;
    let (x_lo, x_hi) = ((0.5 * u_lo).max(MIN_LOG_S), (0.5 * u_hi).min(-MIN_LOG_S));
    let mut total = 0.0;
    if x_lo == MIN_LOG_S {
        // P(S < e^x_lo) = P(V < y), y = nu e^{2 x_lo} (underflows to 0 in floating point):
        // y is tiny, so P = (y/2)^{nu/2} / Gamma(nu/2 + 1) to relative error y, computed in logs;
        // the normal factor is constant there.
        let a = 0.5 * nu;
        let log_below = a * ((0.5 * nu).ln() + 2.0 * MIN_LOG_S) - ln_gamma(a + 1.0);
        total += log_below.exp() * tail_factor(MIN_LOG_S);
    }
    // Break points: the mode, and where the normal factors switch from 1 to 0 (c S = |ncp|).
    let mut breaks = vec![x_lo, 0.0, x_hi];
    if ncp != 0.0 {
        let xt = (ncp.abs() / crit).ln();
        if xt > x_lo && xt < x_hi {
            breaks.push(xt);
        }
    }
    breaks.sort_by(f64::total_cmp);
    for w in breaks.windows(2) {
        if w[1] > w[0] {
            total += integrate(&integrand, w[0], w[1], 8);
        }
    }
    if total.is_nan() {
        return f64::NAN;
    }
    total.clamp(0.0, 1.0)
}

/// `e^u - 1 - u` without cancellation for small `u`.
pub(crate) fn exp_m1_minus_x(u: f64) -> f64 {
    if u.abs() < 1e-2 {
        // Taylor series; the first omitted term u^7/5040 is below 2e-18 u^2.
        u * u * (0.5 + u * (1.0 / 6.0 + u * (1.0 / 24.0 + u * (1.0 / 120.0 + u / 720.0))))
    } else {
        u.exp_m1() - u
    }
}

/// smallest n with paired_t_power >= target (n >= 2), and the fractional n solving power = target by interpolation/root finding (like pwr.t.test)
///
/// The fractional n solves `power(n) = target` with the power evaluated at non-integer `n`
/// (df = n - 1, fractional t quantile), as `pwr.t.test(d=, power=, type="paired")` does. When
/// the power at `n = 2` already reaches `target` the result is `(2, 2.0)`. Returns `(0, NaN)` when
/// `d` is zero or not finite, `alpha` is not in (0, 1), `target` is not in (0, 1), or more than
/// [`MAX_PAIRS`] pairs would be needed.
pub fn paired_t_sample_size(d: f64, alpha: f64, target: f64) -> (usize, f64) {
    const INVALID: (usize, f64) = (0, f64::NAN);
    let valid = d.is_finite() && d != 0.0 && in_unit_interval(alpha) && in_unit_interval(target);
    if !valid {
        return INVALID;
    }
    let power = |n: f64| power_fractional(n, d, alpha);
    if power(2.0) >= target {
        return (2, 2.0);
    }
    // Bracket by doubling, then bisect (power is increasing in n for d != 0).
    let mut lo = 2.0;
    let mut hi = 4.0;
    loop {
        let p = power(hi);
        if p.is_nan() {
            return INVALID;
        }
        if p >= target {
            break;
        }
        if hi >= MAX_PAIRS {
            return INVALID;
        }
        lo = hi;
        hi = (hi * 2.0).min(MAX_PAIRS);
    }
    let n_frac = bisect(|n| power(n) - target, lo, hi, 1e-10);
    // Smallest integer n with power >= target (guarding against rounding at integer roots).
    let mut n_int = (n_frac.ceil() as usize).max(2);
    while (n_int as f64) < MAX_PAIRS && paired_t_power(n_int, d, alpha) < target {
        n_int += 1;
    }
    while n_int > 2 && paired_t_power(n_int - 1, d, alpha) >= target {
        n_int -= 1;
    }
    (n_int, n_frac)
}

/// d at which power reaches target for given n
///
/// The positive effect size solving `paired_t_power(n, d, alpha) = target`. Returns 0 when
/// `target <= alpha` (the power at d = 0 is alpha), and `NaN` when `n < 2`, `alpha` is not in
/// (0, 1) or `target` is not in (0, 1).
pub fn paired_t_detectable_effect(n: usize, alpha: f64, target: f64) -> f64 {
    if n < 2 || !in_unit_interval(alpha) || !in_unit_interval(target) {
        return f64::NAN;
    }
    if target <= alpha {
        return 0.0;
    }
    let power = |d: f64| paired_t_power(n, d, alpha);
    let mut lo = 0.0;
    let mut hi = 1.0;
    while power(hi) < target {
        lo = hi;
        hi *= 2.0;
        if hi > 1e12 {
            return f64::NAN;
        }
    }
    bisect(|d| power(d) - target, lo, hi, 1e-13)
}

/// Log of the density of `ln S`, `S = sqrt(chi^2(nu) / nu)`, at its mode `S = 1`:
/// `ln 2 - ln Gamma(z) + z (ln z - 1)` with `z = nu / 2`, by Stirling's series for large `z` (where
/// the direct form cancels catastrophically).
pub(crate) fn log_chi_mode(nu: f64) -> f64 {
    let z = 0.5 * nu;
    if z < 20.0 {
        std::f64::consts::LN_2 - ln_gamma(z) + z * (z.ln() - 1.0)
    } else {
        let z2 = z * z;
        let series = (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / (1260.0 * z2)) / z2) / z;
        std::f64::consts::LN_2 + 0.5 * z.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln() - series
    }
}

/// Power at a possibly fractional number of pairs `n >= 2` (df = n - 1).
fn power_fractional(n: f64, d: f64, alpha: f64) -> f64 {
    if n.is_nan() || n < 2.0 || !in_unit_interval(alpha) || d.is_nan() {
        return f64::NAN;
    }
    let df = n - 1.0;
    let crit = t_upper_quantile(alpha / 2.0, df);
    noncentral_t_two_sided_tail(crit, df, d * n.sqrt())
}

/// `t_{1-p, df}`: statrs' Student t quantile, polished with Newton steps on the upper tail; for
/// `df > 1e5` (where statrs' incomplete-beta inversion loses accuracy, and at `df ~ 1e9` hangs) the
/// Cornish-Fisher expansion in 1/df to the 1/df^4 term (Hill 1970, ACM Algorithm 396), whose
/// first omitted term is below 1e-15 there for levels down to 1e-7. Accuracy about 1e-10 or better.
pub(crate) fn t_upper_quantile(p: f64, df: f64) -> f64 {
    let normal = Normal::standard();
    if !in_unit_interval(p) || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if df > 1e5 {
        let z = -normal.inverse_cdf(p);
        let z2 = z * z;
        let g1 = (z2 + 1.0) * z / 4.0;
        let g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
        let g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
        let g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
        return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
    }
    let Ok(t) = StudentsT::new(0.0, 1.0, df) else {
        return f64::NAN;
    };
    let mut x = t.inverse_cdf(1.0 - p);
    if !x.is_finite() {
        x = -normal.inverse_cdf(p);
    }
    for _ in 0..4 {
        let dens = statrs::distribution::Continuous::pdf(&t, x);
        if dens.is_nan() || dens <= 0.0 {
            break;
        }
        let step = (t.sf(x) - p) / dens;
        if !step.is_finite() {
            break;
        }
        x += step;
        if step.abs() < 1e-14 * x.abs().max(1.0) {
            break;
        }
    }
    x
}

/// Bisection for an increasing function with f(lo) < 0 <= f(hi); relative tolerance `rel_tol`.
fn bisect(f: impl Fn(f64) -> f64, mut lo: f64, mut hi: f64, rel_tol: f64) -> f64 {
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= rel_tol * hi.abs().max(1e-300) {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// `x` in the open interval (0, 1) (false for NaN).
fn in_unit_interval(x: f64) -> bool {
    x > 0.0 && x < 1.0
}

pub(crate) fn norm_cdf(x: f64) -> f64 {
    if x == f64::INFINITY {
        1.0
    } else if x == f64::NEG_INFINITY {
        0.0
    } else {
        Normal::standard().cdf(x)
    }
}

pub(crate) fn norm_sf(x: f64) -> f64 {
    norm_cdf(-x)
}

// Gauss-Kronrod 7-15 nodes (non-negative half) and weights.
const XGK: [f64; 8] = [
    0.991_455_371_120_812_6,
    0.949_107_912_342_758_5,
    0.864_864_423_359_769_1,
    0.741_531_185_599_394_4,
    0.586_087_235_467_691_1,
    0.405_845_151_377_397_2,
    0.207_784_955_007_898_5,
    0.0,
];
const WGK: [f64; 8] = [
    0.022_935_322_010_529_22,
    0.063_092_092_629_978_55,
    0.104_790_010_322_250_2,
    0.140_653_259_715_525_9,
    0.169_004_726_639_267_9,
    0.190_350_578_064_785_4,
    0.204_432_940_075_298_9,
    0.209_482_141_084_727_8,
];
// Gauss weights for the nodes XGK[1], XGK[3], XGK[5], XGK[7].
const WG: [f64; 4] = [
    0.129_484_966_168_869_7,
    0.279_705_391_489_276_7,
    0.381_830_050_505_118_9,
    0.417_959_183_673_469_4,
];

/// One Gauss-Kronrod 7-15 panel: (Kronrod estimate, |Kronrod - Gauss|).
fn gk15(f: &impl Fn(f64) -> f64, a: f64, b: f64) -> (f64, f64) {
    let c = 0.5 * (a + b);
    let h = 0.5 * (b - a);
    let fc = f(c);
    let mut k = WGK[7] * fc;
    let mut g = WG[3] * fc;
    for i in 0..7 {
        let s = f(c - h * XGK[i]) + f(c + h * XGK[i]);
        k += WGK[i] * s;
        if i % 2 == 1 {
            g += WG[i / 2] * s;
        }
    }
    (k * h, ((k - g) * h).abs())
}

/// Adaptive Gauss-Kronrod integration of `f` over [a, b], starting from `pieces` equal panels.
pub(crate) fn integrate(f: &impl Fn(f64) -> f64, a: f64, b: f64, pieces: usize) -> f64 {
    const MAX_PANELS: usize = 20_000;
    let width = b - a;
    let mut stack: Vec<(f64, f64, usize)> = (0..pieces)
        .map(|i| {
            let lo = a + width * i as f64 / pieces as f64;
            let hi = a + width * (i + 1) as f64 / pieces as f64;
            (lo, hi, 0)
        })
        .collect();
    let mut total = 0.0;
    let mut panels = 0;
    while let Some((lo, hi, depth)) = stack.pop() {
        let (val, err) = gk15(f, lo, hi);
        panels += 1;
        let local_tol = QUAD_TOL * ((hi - lo) / width).max(1e-3);
        if err <= local_tol || depth >= 40 || panels >= MAX_PANELS {
            total += val;
        } else {
            let mid = 0.5 * (lo + hi);
            stack.push((lo, mid, depth + 1));
            stack.push((mid, hi, depth + 1));
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The project's reference values, "Paired t test power":
    /// `pwr.t.test(n, d, sig.level=0.05, type="paired", alternative="two.sided")` (pwr 1.3.0,
    /// R 4.2.2), cross-checked there with scipy.stats.nct; printed to 4 decimals, checked to 1e-4
    /// (5e-5 rounding + margin).
    #[test]
    fn power_matches_pwr_table() {
        let ds = [0.3, 0.5, 0.8, 1.0, 1.5, 2.5];
        let table: [(usize, [f64; 6]); 9] = [
            (5, [0.0823, 0.1405, 0.2810, 0.4014, 0.7107, 0.9817]),
            (7, [0.1035, 0.2013, 0.4285, 0.6005, 0.9077, 0.9997]),
            (10, [0.1361, 0.2932, 0.6162, 0.8031, 0.9873, 1.0000]),
            (12, [0.1582, 0.3528, 0.7137, 0.8829, 0.9970, 1.0000]),
            (15, [0.1915, 0.4379, 0.8213, 0.9491, 0.9997, 1.0000]),
            (20, [0.2471, 0.5645, 0.9239, 0.9886, 1.0000, 1.0000]),
            (25, [0.3020, 0.6697, 0.9696, 0.9977, 1.0000, 1.0000]),
            (30, [0.3555, 0.7540, 0.9885, 0.9996, 1.0000, 1.0000]),
            (40, [0.4565, 0.8694, 0.9985, 1.0000, 1.0000, 1.0000]),
        ];
        for (n, row) in table {
            for (d, want) in ds.iter().zip(row) {
                let got = paired_t_power(n, *d, 0.05);
                assert!(
                    (got - want).abs() <= 6e-5,
                    "n={n} d={d}: {got} vs pwr.t.test {want}"
                );
            }
        }
    }

    /// The project's reference sample-size table (pwr.t.test(d=, power=, sig.level=0.05,
    /// type="paired")): 33.367/34, 43.995/44, 14.303/15, 18.446/19; fractional n to 1e-3.
    /// More digits from R 4.2.2 base (`uniroot` over the exact power with `pt(q, df, ncp)`,
    /// tol 1e-12): 33.36712895, 43.99548091, 14.30276449, 18.44622608, 264.61368538 (d = 0.2, 0.9).
    #[test]
    fn sample_size_matches_pwr() {
        let cases = [
            (0.5, 0.8, 34, 33.36712895, 0.8078),
            (0.5, 0.9, 44, 43.99548091, 0.9000),
            (0.8, 0.8, 15, 14.30276449, 0.8213),
            (0.8, 0.9, 19, 18.44622608, 0.9092),
        ];
        for (d, target, n_ref, frac_ref, power_at_ceiling) in cases {
            let (n, frac) = paired_t_sample_size(d, 0.05, target);
            assert_eq!(n, n_ref, "d={d} power={target}");
            assert!(
                (frac - frac_ref).abs() < 1e-6,
                "d={d} power={target}: {frac} vs {frac_ref}"
            );
            let p = paired_t_power(n, d, 0.05);
            assert!(
                (p - power_at_ceiling).abs() <= 6e-5,
                "{p} vs {power_at_ceiling}"
            );
            assert!(paired_t_power(n - 1, d, 0.05) < target);
        }
        let (n, frac) = paired_t_sample_size(0.2, 0.05, 0.9);
        assert_eq!(n, 265);
        assert!((frac - 264.61368538).abs() < 1e-5, "{frac}");
        // Negative effects need the same n.
        assert_eq!(paired_t_sample_size(-0.5, 0.05, 0.8).0, 34);
    }

    /// R 4.2.2 base, exact noncentral t (`pt` with ncp, algorithm AS 243):
    ///   pw <- function(n, d, a=0.05) { df <- n-1; q <- qt(1-a/2, df); ncp <- d*sqrt(n)
    ///     pt(q, df, ncp, lower.tail=FALSE) + pt(-q, df, ncp) }
    #[test]
    fn power_matches_r_pt_to_1e9() {
        let cases = [
            (2, 0.1, 0.050497107911),
            (2, 0.5, 0.061948606687),
            (2, 2.0, 0.175707411099),
            (3, 0.1, 0.051388359515),
            (3, 0.5, 0.084107055897),
            (3, 2.0, 0.470749431279),
            (5, 0.1, 0.053555437874),
            (5, 0.5, 0.140516689990),
            (5, 2.0, 0.908884868101),
            (50, 0.1, 0.106629064195),
            (50, 0.5, 0.933897581262),
            (200, 0.1, 0.290657617662),
            (200, 0.5, 0.999999807956),
            (1000, 0.1, 0.884789098891),
        ];
        for (n, d, want) in cases {
            let got = paired_t_power(n, d, 0.05);
            assert!((got - want).abs() < 1e-9, "n={n} d={d}: {got} vs {want}");
        }
    }

    /// R 4.2.2: pt(3, 4.5, 1.7, lower.tail=FALSE) + pt(-3, 4.5, 1.7) = 0.209132985164;
    /// pt(2.5, 1, -0.8, lower.tail=FALSE) + pt(-2.5, 1, -0.8) = 0.307985825719.
    #[test]
    fn two_sided_tail_matches_r() {
        let got = noncentral_t_two_sided_tail(3.0, 4.5, 1.7);
        assert!((got - 0.209132985164).abs() < 1e-10, "{got}");
        let got = noncentral_t_two_sided_tail(2.5, 1.0, -0.8);
        assert!((got - 0.307985825719).abs() < 1e-10, "{got}");
        // Central t: the tail is the two-sided level of its own quantile.
        let got = noncentral_t_two_sided_tail(2.262157162798, 9.0, 0.0);
        assert!((got - 0.05).abs() < 1e-11, "{got}");
    }

    /// R 4.2.2: qt(0.975, 9) = 2.262157162798, qt(0.975, 2.5) = 3.574654842004.
    #[test]
    fn t_quantile_fractional_df() {
        assert!((t_upper_quantile(0.025, 9.0) - 2.262157162798).abs() < 1e-10);
        assert!((t_upper_quantile(0.025, 2.5) - 3.574654842004).abs() < 1e-10);
        assert!((t_upper_quantile(0.025, 1e13) - 1.959963984540054).abs() < 1e-10);
        // Both sides of the switch to the Cornish-Fisher expansion at df = 1e5 agree with R 4.2.2:
        // sprintf("%.15f", qt(c(0.975, 0.9999995), 1e5)) = 1.959987707534609, 4.891943340731303
        for (p, want) in [(0.025, 1.959987707534609), (5e-7, 4.891943340731303)] {
            let below = t_upper_quantile(p, 1e5);
            let above = t_upper_quantile(p, 1e5 * (1.0 + 1e-15));
            assert!((below - want).abs() < 1e-10, "{below} vs {want}");
            assert!((above - want).abs() < 1e-10, "{above} vs {want}");
        }
        // R 4.2.2: sprintf("%.15f", qt(0.975, 1e4)) = 1.960201239890626 (statrs path).
        assert!((t_upper_quantile(0.025, 1e4) - 1.960201239890626).abs() < 1e-10);
    }

    /// R 4.2.2 base: uniroot(function(d) pw(20, d) - 0.8, c(0.01, 5), tol=1e-13)$root = 0.6604416546.
    #[test]
    fn detectable_effect_matches_r() {
        let d = paired_t_detectable_effect(20, 0.05, 0.8);
        assert!((d - 0.6604416546).abs() < 1e-8, "{d}");
        assert!((paired_t_power(20, d, 0.05) - 0.8).abs() < 1e-10);
        assert_eq!(paired_t_detectable_effect(20, 0.05, 0.05), 0.0);
        assert_eq!(paired_t_detectable_effect(20, 0.05, 0.01), 0.0);
    }

    #[test]
    fn limits_and_invalid_inputs() {
        // Normal limit for large df.
        let normal = norm_sf(1.96 - 1.0) + norm_cdf(-1.96 - 1.0);
        assert!((noncentral_t_two_sided_tail(1.96, f64::INFINITY, 1.0) - normal).abs() < 1e-15);
        assert!((noncentral_t_two_sided_tail(1.96, 1e8, 1.0) - normal).abs() < 1e-6);
        assert_eq!(noncentral_t_two_sided_tail(0.0, 5.0, 1.0), 1.0);
        assert_eq!(noncentral_t_two_sided_tail(-1.0, 5.0, 1.0), 1.0);
        assert_eq!(noncentral_t_two_sided_tail(f64::INFINITY, 5.0, 1.0), 0.0);
        assert_eq!(noncentral_t_two_sided_tail(2.0, 5.0, f64::INFINITY), 1.0);
        // Very small df and very large ncp stay finite and in [0, 1].
        // R 4.2.2: pt(c, df, ncp, lower.tail=FALSE) + pt(-c, df, ncp) printed with %.15f.
        for (c, df, ncp, want, tol) in [
            (2.0, 0.05, 0.0, 0.866428758463905, 1e-12),
            (1.96, 1e8, 1.0, 0.170065806398156, 1e-10),
            (2.0, 1e6, 3.0, 0.841344911743141, 1e-10),
            (1.5, 0.5, -30.0, 1.0, 1e-12),
        ] {
            let p = noncentral_t_two_sided_tail(c, df, ncp);
            assert!((p - want).abs() < tol, "{c} {df} {ncp}: {p} vs {want}");
        }
        // df = 1, ncp = 79: R's pt switches to a normal approximation for ncp > 37.62 and gives
        // 0.999999999999993; here T = (Z + 79) / |N(0, 1)| and P(|T| < 12.7) is about
        // P(|N(0,1)| > 79 / 12.7) = 5e-10, which the integration resolves.
        let p = noncentral_t_two_sided_tail(12.7, 1.0, 79.0);
        assert!(p < 1.0 - 1e-10 && p > 1.0 - 1e-9, "{p}");
        // Extreme degrees of freedom: the normal limit is approached continuously.
        for df in [1e9, 1e14, 1e15, 1e16, 1e300] {
            let p = noncentral_t_two_sided_tail(1.96, df, 1.0);
            assert!((p - normal).abs() < 1e-8, "df={df}: {p} vs {normal}");
        }
        // Tiny df: S = sqrt(V / df) is mostly near 0, so |T| is almost surely huge. R 4.2.2:
        // sprintf("%.15f", pt(2, 0.01, 1, lower.tail=FALSE) + pt(-2, 0.01, 1)) = 0.967926332799814
        let p = noncentral_t_two_sided_tail(2.0, 0.01, 1.0);
        assert!((p - 0.967926332799814).abs() < 1e-9, "{p}");
        let p = noncentral_t_two_sided_tail(2.0, 1e-300, 1.0);
        assert!((0.999..=1.0).contains(&p), "{p}");
        let p = noncentral_t_two_sided_tail(f64::MIN_POSITIVE, f64::MIN_POSITIVE, f64::MAX);
        assert!((0.0..=1.0).contains(&p), "{p}");
        assert!(noncentral_t_two_sided_tail(f64::NAN, 5.0, 1.0).is_nan());
        assert!(noncentral_t_two_sided_tail(2.0, 0.0, 1.0).is_nan());
        assert!(noncentral_t_two_sided_tail(2.0, -1.0, 1.0).is_nan());
        assert!(noncentral_t_two_sided_tail(2.0, 5.0, f64::NAN).is_nan());
        assert!(paired_t_power(1, 0.5, 0.05).is_nan());
        assert!(paired_t_power(0, 0.5, 0.05).is_nan());
        assert!(paired_t_power(10, 0.5, 0.0).is_nan());
        assert!(paired_t_power(10, 0.5, 1.0).is_nan());
        assert!(paired_t_power(10, f64::NAN, 0.05).is_nan());
        // d = 0: the power is the level.
        assert!((paired_t_power(10, 0.0, 0.05) - 0.05).abs() < 1e-12);
        // Sample size: invalid or unreachable.
        assert!(matches!(paired_t_sample_size(0.0, 0.05, 0.8), (0, f) if f.is_nan()));
        assert!(matches!(paired_t_sample_size(f64::NAN, 0.05, 0.8), (0, f) if f.is_nan()));
        assert!(matches!(paired_t_sample_size(0.5, 1.5, 0.8), (0, f) if f.is_nan()));
        assert!(matches!(paired_t_sample_size(0.5, 0.05, 1.0), (0, f) if f.is_nan()));
        assert!(matches!(paired_t_sample_size(1e-6, 0.05, 0.8), (0, f) if f.is_nan()));
        assert_eq!(paired_t_sample_size(50.0, 0.05, 0.8), (2, 2.0));
        assert!(paired_t_detectable_effect(1, 0.05, 0.8).is_nan());
        assert!(paired_t_detectable_effect(10, 0.05, 1.0).is_nan());
        assert!(paired_t_detectable_effect(10, f64::NAN, 0.8).is_nan());
    }
}
