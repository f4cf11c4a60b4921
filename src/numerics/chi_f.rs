//! Chi-square and F quantiles, for the thresholds of the reference-scaled rules (the Hyslop
//! bound's chi-square quantile of s²wR, the F quantile of the variability ratio of narrow
//! therapeutic index drugs). Both are tabulated by df once per run, never evaluated per
//! replicate.

use statrs::distribution::{ChiSquared, Continuous, ContinuousCDF, FisherSnedecor};

/// Quantile of the chi-square distribution with `df` degrees of freedom at lower-tail
/// probability `p` (R: `qchisq(p, df)`); NaN when `df` is not positive or `p` is outside
/// (0, 1). statrs' inversion is polished with Newton steps on the CDF.
pub fn chi_square_quantile(p: f64, df: f64) -> f64 {
    if !(p > 0.0 && p < 1.0) || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    let Ok(d) = ChiSquared::new(df) else {
        return f64::NAN;
    };
    polish(|x| d.cdf(x), |x| d.pdf(x), d.inverse_cdf(p), p)
}

/// Quantile of the F distribution with (`df1`, `df2`) degrees of freedom at lower-tail
/// probability `p` (R: `qf(p, df1, df2)`); NaN when a df is not positive or `p` is outside
/// (0, 1).
pub fn f_quantile(p: f64, df1: f64, df2: f64) -> f64 {
    if !(p > 0.0 && p < 1.0 && df1 > 0.0 && df2 > 0.0) {
        return f64::NAN;
    }
    let Ok(d) = FisherSnedecor::new(df1, df2) else {
        return f64::NAN;
    };
    polish(|x| d.cdf(x), |x| d.pdf(x), d.inverse_cdf(p), p)
}

/// Newton steps on `cdf(x) = p` from `x`, staying in (0, inf).
fn polish(cdf: impl Fn(f64) -> f64, pdf: impl Fn(f64) -> f64, mut x: f64, p: f64) -> f64 {
    for _ in 0..6 {
        let dens = pdf(x);
        if !(dens.is_finite() && dens > 0.0) {
            break;
        }
        let step = (cdf(x) - p) / dens;
        if !step.is_finite() {
            break;
        }
        // Never step to or below zero: halve towards it instead.
        x = if x - step <= 0.0 { x / 2.0 } else { x - step };
        if step.abs() < 1e-15 * x.abs().max(1e-300) {
            break;
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SciPy 1.17: `scipy.stats.chi2.ppf(p, df)` (R's `qchisq(p, df)`), printed with `repr`.
    #[test]
    fn chi_square_quantiles_equal_r() {
        for &(p, df, r) in &[
            (0.95, 1.0, 3.841458820694124),
            (0.95, 10.0, 18.307038053275146),
            (0.95, 32.0, 46.19425952027847),
            (0.05, 10.0, 3.9402991361190605),
            (0.05, 2.0, 0.10258658877510106),
            (0.95, 200.0, 233.99426889232492),
        ] {
            let q = chi_square_quantile(p, df);
            assert!((q - r).abs() < 1e-9 * r, "qchisq({p}, {df}) = {q}, R {r}");
        }
        assert!(chi_square_quantile(0.95, 0.0).is_nan());
        assert!(chi_square_quantile(1.0, 3.0).is_nan());
    }

    /// SciPy 1.17: `scipy.stats.f.ppf(p, df1, df2)` (R's `qf(p, df1, df2)`): the lower 5% point: the upper 90% confidence limit of a
    /// variance ratio divides by it, and the upper 5% point.
    #[test]
    fn f_quantiles_equal_r() {
        for &(p, d1, d2, r) in &[
            (0.05, 10.0, 10.0, 0.335769112599183),
            (0.05, 22.0, 22.0, 0.48833601875168353),
            (0.05, 10.0, 7.0, 0.31893198052311633),
            (0.95, 10.0, 10.0, 2.9782370160823213),
            (0.95, 3.0, 40.0, 2.8387453980206403),
        ] {
            let q = f_quantile(p, d1, d2);
            assert!((q - r).abs() < 1e-9 * r, "qf({p}, {d1}, {d2}) = {q}, R {r}");
        }
        assert!(f_quantile(0.05, 0.0, 3.0).is_nan());
    }
}
