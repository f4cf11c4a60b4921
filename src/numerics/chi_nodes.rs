//! A fixed quadrature rule for expectations over `S = sqrt(V / df)`, `V ~ chi^2(df)`, for the
//! hot loop of a simulation that needs t and noncentral t probabilities at levels that change
//! from replicate to replicate (the inverse-normal method sizes stage 2 at each trial's own
//! conditional error). [`super::expect_over_s`] integrates adaptively to 1e-13 and costs tens
//! of microseconds; this rule, built once per df, costs one normal CDF per node.
//!
//! The rule is the trapezoid rule in `u = ln S`, whose density is smooth and decays doubly
//! exponentially to the right and exponentially to the left: for such integrands the trapezoid
//! rule converges geometrically in 1/h. The step is 0.55 of the density's scale 1/sqrt(2 df)
//! (at most 0.12: 27-30 nodes from df 17 on, 134 at df 2), and nodes run until the density
//! falls below 1e-12 of its mode; the weights are normalised to sum to 1. Against the adaptive
//! integrals the noncentral t tail agrees to 5e-9 at df 10 and 1e-11 from df 30 on (tests
//! below): the simulation's stage-2 sizes move only when a power lies that close to its target.

use super::normal::norm_pdf;
use super::scaled_chi::{exp_m1_minus_x, log_chi_mode};
use statrs::function::erf::erfc;
use std::sync::OnceLock;

const H_FACTOR: f64 = 0.55;
const H_MAX: f64 = 0.12;

/// Nodes `s_i` and weights `w_i` with `E[f(S)] ~ sum_i w_i f(s_i)` for one df.
#[derive(Debug, Clone)]
pub struct ChiNodes {
    df: f64,
    s: Vec<f64>,
    w: Vec<f64>,
}

impl ChiNodes {
    /// The rule for `df >= 1`.
    pub fn new(df: f64) -> ChiNodes {
        let nu = df;
        let log_mode = log_chi_mode(nu);
        let log_density = |u: f64| log_mode - 0.5 * nu * exp_m1_minus_x(2.0 * u);
        let h = (H_FACTOR / (2.0 * nu).sqrt()).min(H_MAX);
        let floor = log_mode - 12.0 * std::f64::consts::LN_10;
        let mut s = Vec::new();
        let mut w = Vec::new();
        for direction in [-1.0, 1.0] {
            let mut k = if direction < 0.0 { 0 } else { 1 };
            loop {
                let u = direction * k as f64 * h;
                let ld = log_density(u);
                if ld < floor || k > 100_000 {
                    break;
                }
                s.push(u.exp());
                w.push(ld.exp());
                k += 1;
            }
        }
        let total: f64 = w.iter().sum();
        w.iter_mut().for_each(|x| *x /= total);
        ChiNodes { df, s, w }
    }

    /// `E[f(S)]`.
    #[inline]
    pub fn expect(&self, f: impl Fn(f64) -> f64) -> f64 {
        self.s.iter().zip(&self.w).map(|(&s, &w)| w * f(s)).sum()
    }

    /// `P(T <= x)` for Student's t with this df.
    pub fn t_cdf(&self, x: f64) -> f64 {
        self.expect(|s| norm_cdf(x * s))
    }

    /// `P(T' >= t)` for the noncentral t with this df and noncentrality `ncp`:
    /// `E[Phi(ncp - t S)]`.
    pub fn noncentral_upper(&self, t: f64, ncp: f64) -> f64 {
        self.expect(|s| norm_cdf(ncp - t * s))
    }

    /// `t_{1-p}`: the t with `P(T > t) = p`, `p` in (0, 1), by Newton's method on this rule
    /// from the normal quantile (consistent with [`ChiNodes::t_cdf`] to 1e-12).
    pub fn t_upper_quantile(&self, p: f64, z: f64) -> f64 {
        // z = Phi^-1(1 - p) is the df = inf limit; the first Cornish-Fisher term moves it
        // most of the way.
        let mut t = cornish_fisher(z, self.df);
        for _ in 0..20 {
            let (mut tail, mut density) = (0.0, 0.0);
            for (&s, &w) in self.s.iter().zip(&self.w) {
                tail += w * norm_cdf(-t * s);
                density += w * s * norm_pdf(t * s);
            }
            if density.is_nan() || density <= 0.0 {
                break;
            }
            let step = (tail - p) / density;
            t += step;
            // Newton converges quadratically: after a step this small the error is of the
            // order of its square.
            if step.abs() < 1e-7 * t.abs().max(1.0) {
                break;
            }
        }
        t
    }
}

/// The Cornish-Fisher expansion of the t quantile in 1/df to the 1/df^4 term (Hill 1970, ACM
/// Algorithm 396), from the normal quantile `z`: about 1e-7 at df 10 for |z| < 3, a start for
/// Newton's method below.
pub fn cornish_fisher(z: f64, df: f64) -> f64 {
    let z2 = z * z;
    let g1 = (z2 + 1.0) * z / 4.0;
    let g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
    let g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
    let g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
    z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df
}

/// Phi(x) as 0.5 erfc(-x / sqrt 2), without the distribution object's checks (the hot loop).
#[inline]
fn norm_cdf(x: f64) -> f64 {
    0.5 * erfc(-x * std::f64::consts::FRAC_1_SQRT_2)
}

/// [`ChiNodes`] for integer df 1..=`max_df`, each built when first used, shared by every
/// worker.
#[derive(Debug)]
pub struct ChiNodeTable {
    by_df: Vec<OnceLock<ChiNodes>>,
}

impl ChiNodeTable {
    /// A table for df up to `max_df` (nothing is built yet).
    pub fn new(max_df: usize) -> ChiNodeTable {
        ChiNodeTable {
            by_df: (0..=max_df).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The rule for `df` (>= 1), built on first use; `None` beyond the table.
    pub fn get(&self, df: usize) -> Option<&ChiNodes> {
        let cell = self.by_df.get(df.max(1))?;
        Some(cell.get_or_init(|| ChiNodes::new(df.max(1) as f64)))
    }
}

impl Clone for ChiNodeTable {
    fn clone(&self) -> Self {
        ChiNodeTable::new(self.by_df.len().saturating_sub(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numerics::{
        expect_over_s, norm_cdf, normal_upper_quantile, t_cdf, t_upper_quantile,
    };

    /// Against the adaptive integral (1e-13) and statrs' t: the noncentral t tail, the t CDF
    /// and the t quantile, over df 1-400 and the levels and noncentralities stage 2 meets.
    #[test]
    fn matches_the_adaptive_integrals() {
        let mut worst = 0.0f64;
        for df in [1usize, 2, 3, 4, 6, 10, 17, 30, 60, 120, 400] {
            let nodes = ChiNodes::new(df as f64);
            for &t in &[-3.0, -0.5, 0.0, 1.0, 1.9, 2.5, 4.0, 8.0] {
                for &ncp in &[-2.0, 0.0, 1.5, 3.0, 6.0] {
                    let exact = expect_over_s(df as f64, f64::INFINITY, [f64::NAN; 2], |s| {
                        norm_cdf(ncp - t * s)
                    });
                    let fast = nodes.noncentral_upper(t, ncp);
                    worst = worst.max((fast - exact).abs());
                    assert!(
                        (fast - exact).abs() < 1e-8,
                        "df {df} t {t} ncp {ncp}: {fast} vs {exact}"
                    );
                }
                let c = nodes.t_cdf(t);
                assert!((c - t_cdf(t, df as f64)).abs() < 1e-9, "df {df} t {t}");
            }
            for &p in &[1e-6, 0.001, 0.02635, 0.2, 0.64, 0.95] {
                let q = nodes.t_upper_quantile(p, normal_upper_quantile(p));
                let r = t_upper_quantile(p, df as f64);
                assert!(
                    (q - r).abs() < 1e-6 * r.abs().max(1.0),
                    "df {df} p {p}: {q} vs {r}"
                );
            }
        }
        assert!(worst < 1e-8, "{worst}");
    }

    #[test]
    fn table_builds_on_first_use() {
        let table = ChiNodeTable::new(10);
        assert!(table.get(11).is_none());
        let a = table.get(5).unwrap().t_cdf(1.0);
        assert!((a - t_cdf(1.0, 5.0)).abs() < 1e-9);
    }
}
