//! Student's t quantile at one probability as a function of a fractional df, tabulated once and
//! interpolated: Welch's interval needs t_{p, df} at a new df in every replicate, and the exact
//! quantile (an inverse incomplete beta) costs about 3 µs, more than the rest of the replicate.

use super::{normal_quantile, t_quantile};

/// Cells per unit of u = 1/df. With six-point interpolation the table's own error is below
/// 1e-13 (the tests measure it), under the 1e-13 to 3e-12 by which statrs' exact quantile
/// itself differs from R's `qt`.
const CELLS: usize = 1024;

/// Nodes beyond u = 1 (df just below 1), so that every df >= 1 has a centred stencil.
const NODES_PAST_ONE: usize = 3;

/// t_{p, df} for every df >= 1 from a table in u = 1/df on [0, 1 + 3/1024].
///
/// In u the quantile is smooth up to u = 0, where it is the normal quantile, so a uniform grid
/// covers all df from 1 to infinity with one table of about 1,000 values (8 KB).
#[derive(Debug, Clone)]
pub struct TQuantileCurve {
    p: f64,
    /// nodes[i] = t_{p, CELLS / i} (nodes[0] = z_p).
    nodes: Vec<f64>,
}

impl TQuantileCurve {
    /// Tabulates t_{p, df} for p in (0, 1) (about 1,000 exact quantiles, 1.5 ms).
    pub fn new(p: f64) -> TQuantileCurve {
        let nodes = (0..=CELLS + NODES_PAST_ONE)
            .map(|i| {
                if i == 0 {
                    normal_quantile(p)
                } else {
                    t_quantile(p, CELLS as f64 / i as f64)
                }
            })
            .collect();
        TQuantileCurve { p, nodes }
    }

    /// The probability this curve belongs to.
    pub fn probability(&self) -> f64 {
        self.p
    }

    /// t_{p, df}: interpolated for df >= 1, the exact quantile below (NaN df gives +inf, as the
    /// exact quantile does for an invalid df).
    #[inline]
    pub fn at(&self, df: f64) -> f64 {
        if df.is_nan() || df < 1.0 {
            return t_quantile(self.p, df);
        }
        let x = CELLS as f64 / df; // in [0, CELLS]
        let cell = x as usize;
        // Six nodes around the cell; near u = 0 (df above about 340) the stencil starts at 0.
        let start = cell.saturating_sub(2);
        lagrange_six(&self.nodes[start..start + 6], x - start as f64)
    }
}

/// The degree-5 polynomial through (j, y[j]) for j = 0..5, at t.
#[inline]
fn lagrange_six(y: &[f64], t: f64) -> f64 {
    let d = [t, t - 1.0, t - 2.0, t - 3.0, t - 4.0, t - 5.0];
    // prefix[j] = d0 ... d(j-1), suffix[j] = d(j+1) ... d5
    let mut prefix = [1.0; 6];
    let mut suffix = [1.0; 6];
    for j in 1..6 {
        prefix[j] = prefix[j - 1] * d[j - 1];
        suffix[5 - j] = suffix[6 - j] * d[6 - j];
    }
    // prod_{k != j} (j - k) = (-1)^(5 - j) j! (5 - j)!
    const DENOMINATOR: [f64; 6] = [-120.0, 24.0, -12.0, 12.0, -24.0, 120.0];
    let mut sum = 0.0;
    for j in 0..6 {
        sum += y[j] * prefix[j] * suffix[j] / DENOMINATOR[j];
    }
    sum
}

#[cfg(test)]
// R's values are kept as R printed them (17 significant digits).
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;

    #[test]
    fn matches_r_qt_at_fractional_df() {
        // R 4.2.2: df <- c(1, 1.0001, 1.37, 2.5, 3.3, 7.4, 12.77, 27.3, 58.1, 100.5, 1234.5)
        //          print(cbind(qt(0.975, df), qt(0.95, df)), digits = 17)
        let r = [
            (1.0, 12.706204736174694, 6.3137515146750376),
            (1.0001, 12.703202820451466, 6.31268144796055),
            (1.37, 6.8850731566417194, 4.0774754131079289),
            (2.5, 3.5746548420036919, 2.5582186141359453),
            (3.3, 3.0248744618408065, 2.2686545667554645),
            (7.4, 2.3389583950914727, 1.879283973648517),
            (12.77, 2.1643306820623849, 1.7733757463224018),
            (27.3, 2.0507760093868259, 1.702624025316142),
            (58.1, 2.0016441319220757, 1.6715060658079686),
            (100.5, 1.9838506553357993, 1.6601570923679898),
            (1234.5, 1.9618874833313451, 1.6460888802690186),
        ];
        let (c975, c95) = (TQuantileCurve::new(0.975), TQuantileCurve::new(0.95));
        for (df, q975, q95) in r {
            // statrs' exact quantile is itself within 3.1e-12 of these (at df 1234.5, p 0.95).
            assert!(
                (c975.at(df) - q975).abs() < 5e-12,
                "df {df}: {}",
                c975.at(df)
            );
            assert!((c95.at(df) - q95).abs() < 5e-12, "df {df}: {}", c95.at(df));
        }
        // R: qt(0.975, Inf) = qnorm(0.975)
        assert_eq!(c975.at(f64::INFINITY), normal_quantile(0.975));
    }

    #[test]
    fn interpolation_error_is_below_the_exact_quantiles_own() {
        // Against statrs' exact quantile on a dense grid, 1 <= df <= 11 in steps of 0.0137,
        // where the curve is steepest: within 2e-13.
        let curve = TQuantileCurve::new(0.975);
        let mut worst: f64 = 0.0;
        for i in 0..730 {
            let df = 1.0 + 0.0137 * i as f64;
            worst = worst.max((curve.at(df) - t_quantile(0.975, df)).abs());
        }
        assert!(worst < 2e-13, "1 <= df <= 11: {worst:e}");
        // At large df statrs drifts by up to 3e-12 (11 <= df <= 5000 in steps of 3.7) while the
        // table, anchored at z, stays within 1e-12 of R. R 4.2.2:
        //   print(qt(0.975, c(1000.6, 2000.1, 3640.7, 4846.9, 4909.8)), digits = 17)
        let r = [
            (1000.6, 1.962337654928624),
            (2000.1, 1.9611507667250168),
            (3640.7, 1.9606157950945557),
            (4846.9, 1.9604535456347321),
            (4909.8, 1.9604472722924513),
        ];
        for (df, q) in r {
            let table = (curve.at(df) - q).abs();
            assert!(table < 1e-12, "df {df}: {table:e} from R");
        }
        let mut worst: f64 = 0.0;
        for i in 0..1350 {
            let df = 11.0 + 3.7 * i as f64;
            worst = worst.max((curve.at(df) - t_quantile(0.975, df)).abs());
        }
        assert!(worst < 5e-12, "11 <= df <= 5000: {worst:e}");
    }

    #[test]
    fn below_one_df_the_exact_quantile_is_used() {
        let curve = TQuantileCurve::new(0.975);
        assert_eq!(curve.at(0.5), t_quantile(0.975, 0.5));
        assert_eq!(curve.at(f64::NAN), t_quantile(0.975, f64::NAN));
        // the nodes are the exact quantiles
        assert_eq!(curve.at(2.0), t_quantile(0.975, 2.0));
    }
}
