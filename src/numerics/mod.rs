//! Numerical building blocks shared by every layer above, each written once: the normal and t
//! distributions and their quantiles, expectations over a sample SD (noncentral t, Owen's Q),
//! quadrature, root finding, small dense linear algebra and the rounding trick of the hot loop.
//! Nothing here knows about trials; statrs is named only below this module.

mod chi_f;
mod chi_nodes;
mod combination;
mod discrete;
mod linalg;
mod normal;
mod quadrature;
mod roots;
mod scaled_chi;
mod student_t;
mod t_curve;

pub use chi_f::{chi_square_quantile, f_quantile};
pub use chi_nodes::{cornish_fisher, ChiNodeTable, ChiNodes};
pub use combination::{
    combination_critical_value, combination_no_rejection, local_level, stage_two_bound,
};
pub use discrete::binomial_cdf;
pub use linalg::{cholesky, cholesky_definite_into, cholesky_solve, solve_semidefinite};
pub use normal::{
    norm_cdf, norm_pdf, norm_sf, normal_between, normal_quantile, normal_upper_quantile,
};
pub use quadrature::integrate;
pub use roots::{bisect, brent, last_holding};
pub use scaled_chi::{
    exp_m1_minus_x, expect_over_s, log_chi_mode, noncentral_t_two_sided_tail, MIN_LOG_S,
    NORMAL_LIMIT_DF,
};
/// ln Gamma(x), for the callers that need it beside the distributions here.
pub use statrs::function::gamma::ln_gamma;
pub use student_t::{in_unit_interval, t_cdf, t_quantile, t_upper_quantile};
pub use t_curve::TQuantileCurve;

/// 2^51: below this magnitude adding and subtracting 1.5 x 2^52 rounds a double to an integer
/// exactly; above it every double is already an integer.
pub const EXACT_ROUNDING_LIMIT: f64 = 2_251_799_813_685_248.0;

/// Rounds to the nearest integer, ties to even (IEC 60559, as R's `round()` does). Adding and
/// subtracting 1.5 x 2^52 makes the FPU round in two additions; `f64::round` is a libm call on
/// x86-64 without SSE4.1 and a saturating `as` cast costs compares, and rounding was over a
/// quarter of the time to draw a cohort.
#[inline]
pub fn round_ties_even(x: f64) -> f64 {
    if x.abs() < EXACT_ROUNDING_LIMIT {
        round_ties_even_within_limit(x)
    } else {
        x // already an integer (or NaN / infinite)
    }
}

/// [`round_ties_even`] for `x` known to lie within ±[`EXACT_ROUNDING_LIMIT`] (or NaN, returned
/// as NaN): the two additions alone, without the range test.
#[inline]
pub fn round_ties_even_within_limit(x: f64) -> f64 {
    const MAGIC: f64 = 6_755_399_441_055_744.0; // 1.5 * 2^52
    debug_assert!(
        x.is_nan() || x.abs() < EXACT_ROUNDING_LIMIT,
        "{x} is outside the exact range"
    );
    (x + MAGIC) - MAGIC
}

/// `x` rounded to 15 significant digits: removes the binary residue that arithmetic on decimal
/// inputs leaves (0.58 x 16.7 - 0.42 gives 9.266000000000002, reported as 9.266), at a relative
/// change below 5e-16. Non-finite values are returned as they are.
pub fn tidy_decimal(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    format!("{x:.14e}").parse().unwrap_or(x)
}

/// The 97.5% quantile of the standard normal, z such that [-z, z] holds 95% of it: the half-width
/// in standard errors of every 95% normal interval and band (R: `qnorm(0.975)`). Written out
/// because `f64` functions cannot be evaluated in a `const`; the test checks it against
/// [`normal_quantile`].
pub const Z_95: f64 = 1.959_963_984_540_054;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The cohort draw clamps before rounding on integer scales: with whole-number bounds the
    /// two orders give the same double, signed zeros and ties included.
    fn clamp_then_round_is_round_then_clamp(x: f64, lo: f64, hi: f64) {
        let round_first = round_ties_even(x).clamp(lo, hi);
        let clamp_first = round_ties_even_within_limit(x.clamp(lo, hi));
        assert_eq!(
            round_first.to_bits(),
            clamp_first.to_bits(),
            "x = {x:e}, bounds [{lo}, {hi}]: {round_first:e} vs {clamp_first:e}"
        );
    }

    #[test]
    fn clamping_and_rounding_commute_on_whole_number_bounds() {
        let bounds = [
            (0.0, 52.0),
            (-5.0, 7.0),
            (-60.0, -3.0),
            (0.0, 1.0),
            (-1e15, 1e15),
        ];
        let xs = [
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            0.49999999999999994,
            -0.3,
            51.5,
            52.5,
            52.7,
            -5.5,
            -4.5,
            6.5,
            7.5,
            1e300,
            -1e300,
            3e15,
            -3e15,
            4.5e15,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for (lo, hi) in bounds {
            for x in xs {
                clamp_then_round_is_round_then_clamp(x, lo, hi);
            }
        }
    }

    proptest! {
        #[test]
        fn clamping_and_rounding_commute_for_any_score(
            x in -1e6f64..1e6,
            lo in -100i32..0,
            width in 1i32..200,
        ) {
            clamp_then_round_is_round_then_clamp(x, f64::from(lo), f64::from(lo + width));
            clamp_then_round_is_round_then_clamp(x.round() + 0.5, f64::from(lo), f64::from(lo + width));
        }
    }

    #[test]
    fn definite_cholesky_and_solve_match_r() {
        // R 4.2.2: A <- matrix(c(4, 2, 2, 2, 5, 1, 2, 1, 6), 3); solve(A, c(1, 2, 3))
        //   = -0.1875 0.3750 0.5000 (exactly -3/16, 3/8, 1/2)
        let a = [4.0, 2.0, 2.0, 2.0, 5.0, 1.0, 2.0, 1.0, 6.0];
        let mut l = [0.0; 9];
        assert!(cholesky_definite_into(&a, &mut l, 3));
        assert_eq!(l.to_vec(), cholesky(&a, 3).unwrap());
        let mut x = [1.0, 2.0, 3.0];
        cholesky_solve(&l, &mut x, 3);
        for (got, want) in x.iter().zip([-3.0 / 16.0, 3.0 / 8.0, 0.5]) {
            assert!((got - want).abs() < 1e-15, "{x:?}");
        }
        // Singular: the third column is the sum of the first two.
        let singular = [1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 2.0];
        assert!(!cholesky_definite_into(&singular, &mut l, 3));
        // Semidefinite is not definite: an all-zero matrix.
        assert!(!cholesky_definite_into(&[0.0; 4], &mut l[..4], 2));
    }

    #[test]
    fn the_95_percent_normal_quantile_is_r_qnorm() {
        // R 4.2.2: sprintf("%.15f", qnorm(0.975)) = 1.959963984540054
        assert_eq!(Z_95, 1.959963984540054);
        assert!((normal_quantile(0.975) - Z_95).abs() < 1e-15);
        assert!((normal_quantile(0.025) + Z_95).abs() < 1e-15);
    }

    #[test]
    fn cholesky_of_a_known_matrix() {
        // R 4.2.2: t(chol(matrix(c(4, 2, 2, 2, 5, 1, 2, 1, 6), 3)))
        //   2 0 0; 1 2 0; 1 0 2.236068 (sqrt(5))
        let l = cholesky(&[4.0, 2.0, 2.0, 2.0, 5.0, 1.0, 2.0, 1.0, 6.0], 3).unwrap();
        let want = [2.0, 0.0, 0.0, 1.0, 2.0, 0.0, 1.0, 0.0, 5f64.sqrt()];
        for (a, b) in l.iter().zip(want) {
            assert!((a - b).abs() < 1e-15, "{l:?}");
        }
        // Compound symmetry with rho = -0.6 for 3 conditions: below -1/2, not positive
        // semidefinite (eigenvalue 1 + 2 rho < 0).
        assert!(cholesky(&[1.0, -0.6, -0.6, -0.6, 1.0, -0.6, -0.6, -0.6, 1.0], 3).is_none());
        assert!(cholesky(&[1.0, -0.4, -0.4, -0.4, 1.0, -0.4, -0.4, -0.4, 1.0], 3).is_some());
        // Correlation 1 (identical latent values): semidefinite, the second column is zero.
        assert_eq!(
            cholesky(&[1.0, 1.0, 1.0, 1.0], 2).unwrap(),
            vec![1.0, 0.0, 1.0, 0.0]
        );
        // [[1, 1, 0], [1, 1, 0.5], [0, 0.5, 1]] is not PSD (determinant -0.25).
        assert!(cholesky(&[1.0, 1.0, 0.0, 1.0, 1.0, 0.5, 0.0, 0.5, 1.0], 3).is_none());
    }

    #[test]
    fn two_condition_factor_is_the_bivariate_construction() {
        // The model's 2x2 stream relies on L = [[1, 0], [rho, sqrt(1 - rho^2)]] bit for bit.
        for rho in [0.3, -0.7, 0.0, 0.95] {
            let l = cholesky(&[1.0, rho, rho, 1.0], 2).unwrap();
            assert_eq!(l, vec![1.0, 0.0, rho, (1.0 - rho * rho).sqrt()]);
        }
    }
}
