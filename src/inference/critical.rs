//! Critical values precomputed once per run and per significance level, so that the hot loop
//! decides significance by comparison and never evaluates a distribution function.

use crate::analysis::wilcoxon::WILCOXON_EXACT_MAX_N;
pub use crate::numerics::t_quantile;
use crate::numerics::TQuantileCurve;

/// Critical values of every test family at one two-sided level.
#[derive(Debug, Clone)]
pub struct CriticalValues {
    level: f64,
    /// t_{1-level/2, df} for df = 0..=max_df (index 0 unused, +inf).
    t_by_df: Vec<f64>,
    /// t_{1-level/2, df} for fractional df (Welch), interpolated.
    t_fractional: TQuantileCurve,
    /// z_{1-level/2}.
    z: f64,
    /// For n = 0..=49: the largest V with 2 P(V <= v) <= level, or -1 when no V rejects.
    wilcoxon_lower: Vec<i64>,
    /// For n = 0..=max_n discordant pairs: the largest k with 2 P(X <= k) <= level
    /// for X ~ Binomial(n, 1/2), or -1 when none.
    mcnemar_lower: Vec<i64>,
}

impl CriticalValues {
    /// Tables for samples of up to `max_n` participants at two-sided `level` in (0, 1).
    pub fn new(level: f64, max_n: usize) -> CriticalValues {
        let level = level.clamp(1e-300, 1.0);
        let max_df = max_n.max(2);
        let t_by_df = (0..=max_df)
            .map(|df| {
                if df == 0 {
                    f64::INFINITY
                } else {
                    t_quantile(1.0 - level / 2.0, df as f64)
                }
            })
            .collect();
        let z = crate::numerics::normal_quantile(1.0 - level / 2.0);
        let wilcoxon_lower = (0..=WILCOXON_EXACT_MAX_N)
            .map(|n| signed_rank_lower_critical(n, level))
            .collect();
        let mcnemar_lower = (0..=max_n.max(1))
            .map(|n| binomial_half_lower_critical(n, level))
            .collect();
        CriticalValues {
            level,
            t_by_df,
            t_fractional: TQuantileCurve::new(1.0 - level / 2.0),
            z,
            wilcoxon_lower,
            mcnemar_lower,
        }
    }

    /// The two-sided level these values belong to.
    pub fn level(&self) -> f64 {
        self.level
    }

    /// t_{1-level/2, df} for an integer df.
    pub fn t(&self, df: usize) -> f64 {
        match self.t_by_df.get(df) {
            Some(&t) => t,
            None => t_quantile(1.0 - self.level / 2.0, df as f64),
        }
    }

    /// Whether |t| reaches the critical value for a possibly fractional df (Welch). The
    /// fractional quantile is needed only when |t| falls between the neighbouring integer dfs'
    /// values; it is the one the interval uses, so test and interval agree.
    pub fn t_rejects_fractional(&self, t_abs: f64, df: f64) -> bool {
        let lo = df.floor().max(1.0) as usize;
        let hi = df.ceil().max(1.0) as usize;
        let (crit_lo_df, crit_hi_df) = (self.t(lo), self.t(hi));
        if t_abs >= crit_lo_df {
            true
        } else if t_abs < crit_hi_df {
            false
        } else {
            t_abs >= self.t_fractional(df)
        }
    }

    /// t_{1-level/2, df} for a possibly fractional df (Welch): the table at integer df, else
    /// interpolated in 1/df to within 1e-12 of the exact quantile ([`TQuantileCurve`]).
    #[inline]
    pub fn t_fractional(&self, df: f64) -> f64 {
        if df.fract() == 0.0 && df >= 1.0 {
            self.t(df as usize)
        } else {
            self.t_fractional.at(df)
        }
    }

    /// z_{1-level/2}.
    pub fn z(&self) -> f64 {
        self.z
    }

    /// Exact signed-rank lower critical value for n < 50 (see field docs).
    pub fn wilcoxon_lower(&self, n: usize) -> Option<i64> {
        self.wilcoxon_lower.get(n).copied()
    }

    /// Exact binomial(n, 1/2) lower critical value.
    pub fn mcnemar_lower(&self, n: usize) -> i64 {
        match self.mcnemar_lower.get(n) {
            Some(&k) => k,
            None => binomial_half_lower_critical(n, self.level),
        }
    }
}

/// Number of subsets of {1..n} with each rank sum, i.e. 2^n times the null pmf of V.
fn signed_rank_counts(n: usize) -> Vec<f64> {
    let max = n * (n + 1) / 2;
    let mut counts = vec![0.0f64; max + 1];
    counts[0] = 1.0;
    for k in 1..=n {
        for v in (k..=max).rev() {
            counts[v] += counts[v - k];
        }
    }
    counts
}

fn signed_rank_lower_critical(n: usize, level: f64) -> i64 {
    if n == 0 {
        return -1;
    }
    let counts = signed_rank_counts(n);
    let total = 2f64.powi(n as i32);
    let mut cdf = 0.0;
    let mut lower = -1i64;
    for (v, c) in counts.iter().enumerate() {
        cdf += c / total;
        if 2.0 * cdf <= level * (1.0 + 1e-12) {
            lower = v as i64;
        } else {
            break;
        }
    }
    lower
}

/// Above this many discordant pairs the critical value is found by bisection on the binomial
/// CDF (regularized incomplete beta) instead of summing the pmf, which would make the table
/// quadratic in the enrollment.
const BINOMIAL_EXACT_SUM_MAX_N: usize = 1000;

fn binomial_half_lower_critical(n: usize, level: f64) -> i64 {
    if n == 0 {
        return -1;
    }
    if n > BINOMIAL_EXACT_SUM_MAX_N {
        return binomial_half_lower_critical_bisection(n, level);
    }
    // log-space pmf to stay finite for large n
    let ln_half_n = n as f64 * 0.5f64.ln();
    let mut ln_choose = 0.0f64;
    let mut cdf = 0.0f64;
    let mut lower = -1i64;
    for k in 0..=n {
        if k > 0 {
            ln_choose += ((n - k + 1) as f64).ln() - (k as f64).ln();
        }
        cdf += (ln_choose + ln_half_n).exp();
        if 2.0 * cdf <= level * (1.0 + 1e-12) {
            lower = k as i64;
        } else {
            break;
        }
    }
    lower
}

fn binomial_half_lower_critical_bisection(n: usize, level: f64) -> i64 {
    let rejects =
        |k: u64| 2.0 * crate::numerics::binomial_cdf(k, n as u64, 0.5) <= level * (1.0 + 1e-12);
    if !rejects(0) {
        return -1;
    }
    // 2 P(X <= k) is increasing in k: find the largest k that still rejects.
    let (mut lo, mut hi) = (0u64, n as u64 / 2 + 1);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if rejects(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_r_qt() {
        // R 4.2.2: qt(0.975, c(1, 5, 14, 29)) = 12.706204736 2.570581836 2.144786688 2.045229642
        let cv = CriticalValues::new(0.05, 30);
        for (df, want) in [
            (1, 12.706205),
            (5, 2.570582),
            (14, 2.144787),
            (29, 2.045230),
        ] {
            assert!((cv.t(df) - want).abs() < 1e-5, "df {df}: {}", cv.t(df));
        }
        assert!((cv.z() - 1.959964).abs() < 1e-6);
    }

    #[test]
    fn signed_rank_critical_values_match_r_psignrank() {
        // Two-sided 0.05: the lower critical value is the largest v with 2*psignrank(v, n) <= 0.05.
        // R 4.2.2: sapply(c(5, 6, 10, 20, 30), function(n) { v <- 0:(n*(n+1)/2);
        //   ok <- which(2*psignrank(v, n) <= 0.05); if (length(ok)) max(v[ok]) else -1 })
        //   = -1 0 8 52 137
        let cv = CriticalValues::new(0.05, 30);
        assert_eq!(cv.wilcoxon_lower(5), Some(-1));
        assert_eq!(cv.wilcoxon_lower(6), Some(0));
        assert_eq!(cv.wilcoxon_lower(10), Some(8));
        assert_eq!(cv.wilcoxon_lower(20), Some(52));
        assert_eq!(cv.wilcoxon_lower(30), Some(137));
        assert_eq!(cv.wilcoxon_lower(50), None);
    }

    #[test]
    fn binomial_critical_values_match_r_pbinom() {
        // R 4.2.2: sapply(c(5, 6, 10, 20), function(n) { k <- 0:n;
        //   ok <- which(2*pbinom(k, n, 0.5) <= 0.05); if (length(ok)) max(k[ok]) else -1 })
        //   = -1 0 1 5
        let cv = CriticalValues::new(0.05, 30);
        assert_eq!(cv.mcnemar_lower(5), -1);
        assert_eq!(cv.mcnemar_lower(6), 0);
        assert_eq!(cv.mcnemar_lower(10), 1);
        assert_eq!(cv.mcnemar_lower(20), 5);
        assert_eq!(cv.mcnemar_lower(0), -1);
    }

    #[test]
    fn large_n_binomial_critical_values_match_r_and_the_exact_sum() {
        // R 4.2.2: 2*pbinom(c(469, 470), 1001, .5) = 0.049985 0.057851 and
        //          2*pbinom(c(2430, 2431), 5000, .5) = 0.049316 0.052677,
        //   so the largest rejecting k is 469 for n = 1001 and 2430 for n = 5000.
        let cv = CriticalValues::new(0.05, 10);
        assert_eq!(cv.mcnemar_lower(1001), 469);
        assert_eq!(cv.mcnemar_lower(5000), 2430);
        // The bisection agrees with the exact sum where both apply.
        for n in [20, 101, 500, 999, 1000] {
            assert_eq!(
                binomial_half_lower_critical_bisection(n, 0.05),
                binomial_half_lower_critical(n, 0.05),
                "n = {n}"
            );
        }
    }

    #[test]
    fn welch_bracketing_agrees_with_the_exact_quantile() {
        let cv = CriticalValues::new(0.05, 30);
        let df = 7.4;
        let exact = t_quantile(0.975, df);
        assert!(cv.t_rejects_fractional(exact + 1e-9, df));
        assert!(!cv.t_rejects_fractional(exact - 1e-9, df));
        assert!(cv.t_rejects_fractional(cv.t(7) + 1e-9, df));
        assert!(!cv.t_rejects_fractional(cv.t(8) - 1e-9, df));
        // The test rejects exactly where the interval's bound is reached.
        let bound = cv.t_fractional(df);
        assert!((bound - exact).abs() < 1e-12);
        assert!(cv.t_rejects_fractional(bound, df));
        assert!(!cv.t_rejects_fractional(bound * (1.0 - f64::EPSILON), df));
    }
}
