//! The null distribution of the inverse-normal combination of two stages' z-scores, standard
//! (one weight) or the maximum combination test (the larger of two weighted combinations;
//! Maurer, Jones and Chen, Stat Med 2018).
//!
//! Under the null the stage z-scores Z1, Z2 are independent standard normals and every
//! combination C_w = sqrt(w) Z1 + sqrt(1 - w) Z2 is linear in them, so the joint distribution
//! of (Z1, C_w, C_w*) is a singular trivariate normal of rank two. Conditioning on Z1 = z
//! leaves one normal, which gives the exact one-dimensional integral
//!
//! ```text
//! P(Z1 <= c, max_k C_k <= c) = integral_{-inf}^{c} phi(z) Phi(min_k (c - sqrt(w_k) z) / sqrt(1 - w_k)) dz,
//! ```
//!
//! evaluated by adaptive Gauss-Kronrod; no general multivariate normal routine is needed
//! (mvtnorm's Miwa algorithm refuses this singular case, Genz-Bretz integrates it by Monte
//! Carlo).

use super::{brent, integrate, norm_cdf, norm_pdf, norm_sf};

/// The z bound on stage 2 that the combination must beat, given stage 1's z: a stage-2 z above
/// `min_k (c - sqrt(w_k) z1) / sqrt(1 - w_k)` makes some combination exceed `c`.
pub fn stage_two_bound(critical: f64, weights: &[f64], z1: f64) -> f64 {
    weights
        .iter()
        .map(|&w| (critical - w.sqrt() * z1) / (1.0 - w).sqrt())
        .fold(f64::INFINITY, f64::min)
}

/// P(Z1 <= c and every combination <= c) for independent standard normal stage z-scores: the
/// probability that neither stage rejects at the common critical value `c`.
pub fn combination_no_rejection(critical: f64, weights: &[f64]) -> f64 {
    let integrand = |z: f64| norm_pdf(z) * norm_cdf(stage_two_bound(critical, weights, z));
    // Below -12 the density is under 1e-32: nothing left to integrate.
    integrate(&integrand, (-12.0f64).min(critical - 1.0), critical, 16)
}

/// The common critical value c of both stages at overall one-sided level `alpha`: P(Z1 > c or
/// some combination > c) = alpha under the null (Power2Stage's `critical.value.2stage`).
/// `weights`: one weight (standard combination) or two (maximum combination test), each in
/// (0, 1). NaN when the arguments are out of range.
pub fn combination_critical_value(alpha: f64, weights: &[f64]) -> f64 {
    let valid = alpha > 0.0
        && alpha < 1.0
        && !weights.is_empty()
        && weights.iter().all(|&w| w > 0.0 && w < 1.0);
    if !valid {
        return f64::NAN;
    }
    let excess = |c: f64| combination_no_rejection(c, weights) - (1.0 - alpha);
    // Bonferroni over the 1 + k statistics bounds c from above, a single test from below.
    let hi = super::normal_upper_quantile(alpha / (1.0 + weights.len() as f64)) + 0.5;
    let lo = super::normal_upper_quantile(alpha) - 0.5;
    brent(excess, lo, hi, 1e-12).unwrap_or(f64::NAN)
}

/// The local one-sided level of a stage at critical value `c`: 1 - Phi(c).
pub fn local_level(critical: f64) -> f64 {
    norm_sf(critical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maximum_correlation(w: [f64; 2]) -> f64 {
        (w[0] * w[1]).sqrt() + ((1.0 - w[0]) * (1.0 - w[1])).sqrt()
    }

    /// R 4.2.2, mvtnorm 1.1-3: with `w <- c(0.5, 0.25)`,
    /// `r <- sqrt(prod(w)) + sqrt(prod(1 - w))`,
    /// `corr <- matrix(c(1, sqrt(w[1]), sqrt(w[2]), sqrt(w[1]), 1, r, sqrt(w[2]), r, 1), 3)`,
    /// `set.seed(1); pmvnorm(upper = rep(x, 3), corr = corr, algorithm = GenzBretz(maxpts = 1e7,
    /// abseps = 1e-9))`: x = 1.93741 gives 0.950001036337 (error 8.9e-10), x = 2 gives
    /// 0.956438636637 (error 6.0e-10). Standard combination, `corr2 <- matrix(c(1, sqrt(0.5),
    /// sqrt(0.5), 1), 2)`, `pmvnorm(upper = rep(1.9, 2), corr = corr2, algorithm = Miwa())`:
    /// 0.952584515141 (GenzBretz as above: 0.952584515314).
    #[test]
    fn no_rejection_probability_against_mvtnorm() {
        let w = [0.5, 0.25];
        assert!(maximum_correlation(w) < 1.0);
        for (c, expected) in [(1.93741, 0.950001036337), (2.0, 0.956438636637)] {
            let p = combination_no_rejection(c, &w);
            assert!((p - expected).abs() < 3e-9, "c {c}: {p} vs {expected}");
        }
        let p = combination_no_rejection(1.9, &[0.5]);
        assert!((p - 0.952584515141).abs() < 1e-9, "{p}");
    }

    /// Power2Stage 0.5-4 `critical.value.2stage(alpha, weight)` solves the same equation with
    /// Genz-Bretz inside `uniroot` at its default tolerance (about 1e-4), so its last digits
    /// vary between calls (1.937410027 and 1.93741043178 in two calls for 0.05, c(0.5, 0.25);
    /// 1.875423996 for 0.05, 0.5). The root to 1e-12 in R 4.2.2, with `w <- c(0.5, 0.25)` and
    /// `g <- function(c) integrate(function(z) dnorm(z) * pnorm(pmin((c - sqrt(w[1]) * z) /
    /// sqrt(1 - w[1]), (c - sqrt(w[2]) * z) / sqrt(1 - w[2]))), -Inf, c, rel.tol = 1e-13)$value
    /// minus 0.95`, is `uniroot(g, c(1.5, 2.5), tol = 1e-13)$root` = 1.93740046762, which
    /// Power2Stage prints as 1.93741 (local level 0.02635 either way).
    #[test]
    fn critical_values_against_power2stage() {
        let c = combination_critical_value(0.05, &[0.5, 0.25]);
        assert!((c - 1.93740046762).abs() < 1e-9, "{c}");
        assert!((c - 1.93741).abs() < 2e-5, "{c}");
        assert!((local_level(c) - 0.02635).abs() < 5e-6);
        let c = combination_critical_value(0.05, &[0.5]);
        assert!((c - 1.875424).abs() < 1e-4, "{c}");
        assert!((local_level(c) - 0.030367).abs() < 5e-6);
        assert!(combination_critical_value(0.05, &[1.0]).is_nan());
    }
}
