//! Expectations over the sample standard deviation's ratio to its true value,
//! `S = sqrt(V / df)` with `V ~ chi^2(df)`: the noncentral t tails and the integrals behind
//! TOST's Owen's Q. Each is an adaptive Gauss-Kronrod integral over `x = ln S`, whose density is
//! smooth and unimodal for every `df > 0`.

use super::normal::{norm_cdf, norm_sf};
use super::quadrature::integrate;
use statrs::function::gamma::ln_gamma;

/// Degrees of freedom beyond which the t distribution is replaced by its normal limit.
pub const NORMAL_LIMIT_DF: f64 = 1e15;
/// Lower end of the integration in `x = ln S`; the mass of `S` below `e^-700` is added exactly.
pub const MIN_LOG_S: f64 = -700.0;

/// Log of the density of `ln S`, `S = sqrt(chi^2(nu) / nu)`, at its mode `S = 1`:
/// `ln 2 - ln Gamma(z) + z (ln z - 1)` with `z = nu / 2`, by Stirling's series for large `z` (where
/// the direct form cancels catastrophically).
pub fn log_chi_mode(nu: f64) -> f64 {
    let z = 0.5 * nu;
    if z < 20.0 {
        std::f64::consts::LN_2 - ln_gamma(z) + z * (z.ln() - 1.0)
    } else {
        let z2 = z * z;
        let series = (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / (1260.0 * z2)) / z2) / z;
        std::f64::consts::LN_2 + 0.5 * z.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln() - series
    }
}

/// `e^u - 1 - u` without cancellation for small `u`.
pub fn exp_m1_minus_x(u: f64) -> f64 {
    if u.abs() < 1e-2 {
        // Taylor series; the first omitted term u^7/5040 is below 2e-18 u^2.
        u * u * (0.5 + u * (1.0 / 6.0 + u * (1.0 / 24.0 + u * (1.0 / 120.0 + u / 720.0))))
    } else {
        u.exp_m1() - u
    }
}

/// The two-sided tail `P(|T| >= crit)` of the noncentral t with `df` degrees of freedom and
/// noncentrality `ncp` (R: `pt(crit, df, ncp, lower.tail = FALSE) + pt(-crit, df, ncp)`).
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

/// `E[f(S) 1(S < s_max)]` for `S = sqrt(V / df)`, `V ~ chi^2(df)`, and `f` with values in
/// `[0, 1]` that changes fastest near the points `kinks` (non-positive, NaN or infinite ones are
/// ignored). The same integral over `x = ln S` as [`noncentral_t_two_sided_tail`], with
/// the cut at `s_max` as a break point so that no panel straddles the kink of the TOST integrand.
pub fn expect_over_s(df: f64, s_max: f64, kinks: [f64; 2], f: impl Fn(f64) -> f64) -> f64 {
    if df > NORMAL_LIMIT_DF {
        // E[S] - 1 and Var(S) are O(1/df), so E[f(S)] - f(1) is O(1/df) for a smooth f: below
        // 1e-14 here.
        return if 1.0 < s_max { f(1.0) } else { 0.0 };
    }
    let nu = df;
    // Density of x = ln S (see [`noncentral_t_two_sided_tail`]): exp(log_mode - (nu/2)(e^{2x} - 1 - 2x)).
    let log_mode = log_chi_mode(nu);
    let integrand = |x: f64| -> f64 {
        let g = (log_mode - 0.5 * nu * exp_m1_minus_x(2.0 * x)).exp();
        if g == 0.0 {
            return 0.0;
        }
        g * f(x.exp())
    };
    // Outside this range in u = 2x the density is below e^-40 of its mode.
    let su = (2.0 / nu).sqrt();
    let u_lo = -(80.0 / nu + 12.0 * su);
    let u_hi = (1.0 + 100.0 / nu).ln() + 12.0 * su;
    let x_lo = (0.5 * u_lo).max(MIN_LOG_S);
    let x_end = (0.5 * u_hi).min(-MIN_LOG_S).min(s_max.ln());
    let mut total = 0.0;
    if x_lo == MIN_LOG_S {
        // Tiny df: the mass of S below e^-700 (or below s_max if that is smaller), where f is
        // constant, in closed form: P(V < y) = (y/2)^{nu/2} / Gamma(nu/2 + 1) for tiny y.
        let x_b = x_lo.min(x_end);
        let a = 0.5 * nu;
        let log_below = a * ((0.5 * nu).ln() + 2.0 * x_b) - ln_gamma(a + 1.0);
        total += log_below.exp() * f(x_b.exp());
    }
    if x_end > x_lo {
        let mut breaks = vec![x_lo, x_end];
        let inner = kinks
            .iter()
            .filter(|k| **k > 0.0 && k.is_finite())
            .map(|k| k.ln())
            .chain(std::iter::once(0.0));
        breaks.extend(inner.filter(|x| *x > x_lo && *x < x_end));
        breaks.sort_by(f64::total_cmp);
        for w in breaks.windows(2) {
            if w[1] > w[0] {
                total += integrate(&integrand, w[0], w[1], 8);
            }
        }
    }
    if total.is_nan() {
        return f64::NAN;
    }
    total.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
