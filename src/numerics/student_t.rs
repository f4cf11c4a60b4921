//! Student's t distribution: its quantile (one implementation, Newton-polished, with a
//! Cornish-Fisher expansion for very large df) and its distribution function.

use super::normal::normal_quantile;
use statrs::distribution::{Continuous, ContinuousCDF, StudentsT};

/// `x` in the open interval (0, 1) (false for NaN).
pub fn in_unit_interval(x: f64) -> bool {
    x > 0.0 && x < 1.0
}

/// `t_{1-p, df}`: statrs' Student t quantile, polished with Newton steps on the upper tail; for
/// `df > 1e5` (where statrs' incomplete-beta inversion loses accuracy, and at `df ~ 1e9` hangs) the
/// Cornish-Fisher expansion in 1/df to the 1/df^4 term (Hill 1970, ACM Algorithm 396), whose
/// first omitted term is below 1e-15 there for levels down to 1e-7. Accuracy about 1e-10 or better.
pub fn t_upper_quantile(p: f64, df: f64) -> f64 {
    if !in_unit_interval(p) || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if df > 1e5 {
        let z = -normal_quantile(p);
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
        x = -normal_quantile(p);
    }
    for _ in 0..4 {
        let dens = t.pdf(x);
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

/// Quantile `t_{p, df}` of Student's t (R: `qt(p, df)`), by [`t_upper_quantile`] at `1 - p`;
/// `+inf` when `df` is not positive (no test is possible without residual degrees of freedom).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if df.is_nan() || df <= 0.0 || p >= 1.0 {
        return f64::INFINITY;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    t_upper_quantile(1.0 - p, df)
}

/// Distribution function of Student's t with `df` degrees of freedom (R: `pt(x, df)`); `NaN` for
/// an invalid df.
pub fn t_cdf(x: f64, df: f64) -> f64 {
    StudentsT::new(0.0, 1.0, df)
        .map(|t| t.cdf(x))
        .unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// SciPy 1.x: stats.t.ppf(0.95, 10) = 1.8124611228116756, stats.t.ppf(0.025, 5) =
    /// -2.5705818356363155, stats.t.ppf(0.975, 3.5) = 2.9400886379827282; stats.t.cdf(1.5, 7) =
    /// 0.911350756505015, stats.t.cdf(-2.2, 4.5) = 0.04255765951183327.
    #[test]
    fn lower_quantile_and_cdf_match_scipy() {
        for (p, df, want) in [
            (0.95, 10.0, 1.8124611228116756),
            (0.025, 5.0, -2.5705818356363155),
            (0.975, 3.5, 2.9400886379827282),
        ] {
            let got = t_quantile(p, df);
            assert!(
                (got - want).abs() < 1e-10,
                "qt({p}, {df}) = {got}, want {want}"
            );
        }
        assert!((t_cdf(1.5, 7.0) - 0.911350756505015).abs() < 1e-12);
        assert!((t_cdf(-2.2, 4.5) - 0.04255765951183327).abs() < 1e-12);
        // No residual df: no test is possible, the critical value is infinite.
        assert_eq!(t_quantile(0.975, 0.0), f64::INFINITY);
        assert_eq!(t_quantile(1.0, 5.0), f64::INFINITY);
        assert_eq!(t_quantile(0.0, 5.0), f64::NEG_INFINITY);
        assert!(t_cdf(1.0, -1.0).is_nan());
    }
}
