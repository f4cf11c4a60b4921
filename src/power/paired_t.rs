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

use crate::numerics::{bisect, in_unit_interval, noncentral_t_two_sided_tail, t_upper_quantile};

/// Largest number of pairs [`paired_t_sample_size`] searches (as `pwr.t.test`, which searches
/// `n` in `(2, 1e9)`).
pub const MAX_PAIRS: f64 = 1e9;

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

/// Power at a possibly fractional number of pairs `n >= 2` (df = n - 1).
fn power_fractional(n: f64, d: f64, alpha: f64) -> f64 {
    if n.is_nan() || n < 2.0 || !in_unit_interval(alpha) || d.is_nan() {
        return f64::NAN;
    }
    let df = n - 1.0;
    let crit = t_upper_quantile(alpha / 2.0, df);
    noncentral_t_two_sided_tail(crit, df, d * n.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numerics::{norm_cdf, norm_sf};

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
