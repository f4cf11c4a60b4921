//! The standard normal distribution: distribution function, survival function, density and
//! quantiles (statrs' erfc-based CDF and Acklam/Wichura-type inverse, with the infinite limits
//! made exact). Every layer that needs the normal distribution calls these.

use statrs::distribution::{ContinuousCDF, Normal};

/// Phi(x); exact 0 and 1 at the infinities.
pub fn norm_cdf(x: f64) -> f64 {
    if x == f64::INFINITY {
        1.0
    } else if x == f64::NEG_INFINITY {
        0.0
    } else {
        Normal::standard().cdf(x)
    }
}

/// 1 - Phi(x), computed as Phi(-x) so that the upper tail keeps its digits.
pub fn norm_sf(x: f64) -> f64 {
    norm_cdf(-x)
}

/// The standard normal density.
pub fn norm_pdf(x: f64) -> f64 {
    const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;
    FRAC_1_SQRT_2PI * (-0.5 * x * x).exp()
}

/// Quantile of the standard normal (R: `qnorm(p)`).
pub fn normal_quantile(p: f64) -> f64 {
    Normal::standard().inverse_cdf(p)
}

/// z with upper-tail probability p (p in (0, 1); clamped to avoid infinities).
pub fn normal_upper_quantile(p: f64) -> f64 {
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    -Normal::standard().inverse_cdf(p)
}

/// `max(0, Phi(hi) - Phi(lo))`, taking the difference in the tail where both are small so that
/// a power near 0 keeps its digits when both arguments are large.
pub fn normal_between(lo: f64, hi: f64) -> f64 {
    if hi <= lo {
        0.0
    } else if lo > 0.0 {
        norm_sf(lo) - norm_sf(hi)
    } else {
        norm_cdf(hi) - norm_cdf(lo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SciPy 1.x: stats.norm.ppf(0.999) = 3.090232306167813, stats.norm.sf(5.0) =
    /// 2.866515718791933e-07; the density at 0 is 1/sqrt(2 pi).
    #[test]
    fn match_scipy() {
        assert!((normal_quantile(0.999) - 3.090232306167813).abs() < 1e-12);
        assert!((normal_upper_quantile(0.001) - 3.090232306167813).abs() < 1e-12);
        assert!((norm_sf(5.0) / 2.866515718791933e-07 - 1.0).abs() < 1e-9);
        assert!((norm_pdf(0.0) - 0.398_942_280_401_432_7).abs() < 1e-16);
        assert_eq!(norm_cdf(f64::INFINITY), 1.0);
        assert_eq!(norm_cdf(f64::NEG_INFINITY), 0.0);
        // The difference in the upper tail keeps its digits where 1 - Phi would cancel.
        let between = normal_between(9.0, 10.0);
        assert!((between - (norm_sf(9.0) - norm_sf(10.0))).abs() < 1e-30);
        assert!(between > 1e-19);
        assert_eq!(normal_between(1.0, 0.5), 0.0);
    }
}
