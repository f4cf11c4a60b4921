//! Discrete distributions: the binomial distribution function.

use statrs::distribution::{Binomial, DiscreteCDF};

/// P(X <= k) for X ~ Binomial(n, p) (R: `pbinom(k, n, p)`); `NaN` for p outside [0, 1].
pub fn binomial_cdf(k: u64, n: u64, p: f64) -> f64 {
    Binomial::new(p, n).map_or(f64::NAN, |b| b.cdf(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SciPy: stats.binom.cdf(3, 20, 0.5) = 0.0012884140014648438 (= 1351 / 2^20);
    /// stats.binom.cdf(480, 1000, 0.5) = 0.10872414660207075.
    #[test]
    fn matches_scipy() {
        assert!((binomial_cdf(3, 20, 0.5) - 1351.0 / 1_048_576.0).abs() < 1e-15);
        assert!((binomial_cdf(480, 1000, 0.5) - 0.10872414660207075).abs() < 1e-12);
        assert!(binomial_cdf(1, 2, 1.5).is_nan());
    }
}
