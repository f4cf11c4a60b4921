//! Properties and edge cases of the boundaries; the shared helpers of the reference tests.

use super::*;

pub(super) const THIRDS: [f64; 3] = [1.0 / 3.0, 2.0 / 3.0, 1.0];
pub(super) const HALVES: [f64; 2] = [0.5, 1.0];
pub(super) const IR4: [f64; 4] = [0.2, 0.45, 0.7, 1.0];

pub(super) fn sf(f: SpendingFunction) -> BoundaryKind {
    BoundaryKind::Spending(f)
}

pub(super) fn hp3() -> BoundaryKind {
    BoundaryKind::HaybittlePeto { interim_z: 3.0 }
}

/// Compares a design with reference critical values, cumulative alpha and nominal levels.
#[allow(clippy::too_many_arguments)]
pub(super) fn check(
    label: &str,
    rates: &[f64],
    alpha: f64,
    sided: Sided,
    kind: BoundaryKind,
    c: &[f64],
    cum: &[f64],
    nominal: &[f64],
    tol_z: f64,
    tol_p: f64,
) {
    let b = compute_boundaries(rates, alpha, sided, &kind)
        .unwrap_or_else(|e| panic!("{label}: unexpected error {e}"));
    assert_eq!(b.critical_z.len(), c.len(), "{label}");
    for k in 0..c.len() {
        let (got_c, got_a, got_n) = (b.critical_z[k], b.cumulative_alpha[k], b.nominal_level[k]);
        assert!(
            (got_c - c[k]).abs() <= tol_z,
            "{label}: c_{} = {got_c}, reference {}",
            k + 1,
            c[k]
        );
        assert!(
            (got_a - cum[k]).abs() <= tol_p,
            "{label}: cumulative alpha {} = {got_a}, reference {}",
            k + 1,
            cum[k]
        );
        assert!(
            (got_n - nominal[k]).abs() <= tol_p,
            "{label}: nominal level {} = {got_n}, reference {}",
            k + 1,
            nominal[k]
        );
    }
    assert_eq!(b.information_rates, rates);
    assert_eq!(b.sided, sided);
    assert_eq!(b.alpha, alpha);
}

/// Lower (futility) bounds, checked against the bivariate normal: R 4.2.2, mvtnorm 1.1.3,
///   t <- c(0.4, 1); drift <- 1.5; up <- c(2.5, 2.0); lo <- c(0.0, 2.0)
///   S <- matrix(c(1, sqrt(0.4), sqrt(0.4), 1), 2); m <- drift * sqrt(t)
///   pmvnorm(lower=c(lo[1], up[2]), upper=c(up[1], Inf), mean=m, sigma=S)    # 0.2520605718
///   pmvnorm(lower=c(lo[1], -Inf), upper=c(up[1], lo[2]), mean=m, sigma=S)   # 0.5161356696
///   1 - pnorm(up[1] - m[1]) = 0.0604129031; pnorm(lo[1] - m[1]) = 0.1713908556
#[test]
fn crossing_with_lower_bounds_matches_bivariate_normal() {
    let p = crossing_probabilities(&[0.4, 1.0], &[2.5, 2.0], Some(&[0.0, 2.0]), 1.5);
    let want_u = [0.0604129031, 0.2520605718];
    let want_l = [0.1713908556, 0.5161356696];
    for k in 0..2 {
        assert!((p.upper[k] - want_u[k]).abs() < 1e-8, "{:?}", p.upper);
        assert!((p.lower[k] - want_l[k]).abs() < 1e-8, "{:?}", p.lower);
    }
    // lower == upper at the final look: every path still in play stops there.
    let total: f64 = p.upper.iter().chain(&p.lower).sum();
    assert!((total - 1.0).abs() < 1e-8, "{total}");
}

/// ObrienFlemingTotalAlpha, two-sided 0.05 at t = (0.5, 1). Reference computed independently in
/// base R 4.2.2 (no package): F(t) = 2 - 2*pnorm(qnorm(0.975)/sqrt(t)); c1 = qnorm(1 - F(0.5)/2);
/// c2 = uniroot(c2 -> integrate(dnorm(z1) * P(|Z2| >= c2 | Z1 = z1), -c1, c1) - (0.05 - F(0.5)))
/// with rel.tol = 1e-13: c1 = 2.7718076487, c2 = 1.9793113427, F(0.5) = 0.00557459668078.
#[test]
fn obrien_fleming_total_alpha_convention() {
    let b = compute_boundaries(
        &HALVES,
        0.05,
        Sided::Two,
        &BoundaryKind::ObrienFlemingTotalAlpha,
    )
    .unwrap();
    assert!(
        (b.critical_z[0] - 2.7718076487).abs() < 1e-7,
        "{:?}",
        b.critical_z
    );
    assert!(
        (b.critical_z[1] - 1.9793113427).abs() < 1e-6,
        "{:?}",
        b.critical_z
    );
    assert!((b.cumulative_alpha[0] - 0.00557459668078).abs() < 1e-9);
    assert!((b.cumulative_alpha[1] - 0.05).abs() < 1e-9);
    // Brief's rounded values: 2.772, 1.979.
    assert_eq!((b.critical_z[0] * 1000.0).round() / 1000.0, 2.772);
    assert_eq!((b.critical_z[1] * 1000.0).round() / 1000.0, 1.979);
    // One-sided, it is the ordinary one-sided Lan-DeMets O'Brien-Fleming design.
    let one = compute_boundaries(
        &THIRDS,
        0.025,
        Sided::One,
        &BoundaryKind::ObrienFlemingTotalAlpha,
    )
    .unwrap();
    let asof = compute_boundaries(
        &THIRDS,
        0.025,
        Sided::One,
        &sf(SpendingFunction::ObrienFleming),
    )
    .unwrap();
    assert_eq!(one, asof);
}

#[test]
fn single_look_is_the_fixed_design() {
    let kinds = [
        sf(SpendingFunction::ObrienFleming),
        sf(SpendingFunction::Pocock),
        sf(SpendingFunction::HwangShihDeCani { gamma: 0.0 }),
        sf(SpendingFunction::KimDeMets { rho: 1.0 }),
        BoundaryKind::ObrienFlemingTotalAlpha,
        BoundaryKind::ObrienFlemingClassical,
        BoundaryKind::PocockClassical,
        hp3(),
    ];
    for kind in &kinds {
        let two = compute_boundaries(&[1.0], 0.05, Sided::Two, kind).unwrap();
        assert!(
            (two.critical_z[0] - 1.959963984540054).abs() < 1e-9,
            "{kind:?}"
        );
        let one = compute_boundaries(&[1.0], 0.025, Sided::One, kind).unwrap();
        assert!(
            (one.critical_z[0] - 1.959963984540054).abs() < 1e-9,
            "{kind:?}"
        );
    }
}

#[test]
fn user_boundaries_report_what_they_spend() {
    // The rpact asOF K2 critical values give back its alpha spending.
    let b = compute_boundaries(
        &HALVES,
        0.05,
        Sided::Two,
        &BoundaryKind::User(vec![2.9626, 1.9686]),
    )
    .unwrap();
    assert_eq!(b.critical_z, [2.9626, 1.9686]);
    assert!((b.cumulative_alpha[0] - 0.003051).abs() < 1e-6);
    assert!((b.cumulative_alpha[1] - 0.05).abs() < 1e-5);
    // No efficacy stop at the interim.
    let b = compute_boundaries(
        &HALVES,
        0.05,
        Sided::Two,
        &BoundaryKind::User(vec![f64::INFINITY, 1.959963984540054]),
    )
    .unwrap();
    assert_eq!(b.cumulative_alpha[0], 0.0);
    assert_eq!(b.nominal_level[0], 0.0);
    assert!((b.cumulative_alpha[1] - 0.05).abs() < 1e-8);
}

#[test]
fn hsd_gamma_zero_is_linear_and_extreme_gammas_are_finite() {
    let lin = compute_boundaries(
        &THIRDS,
        0.05,
        Sided::Two,
        &sf(SpendingFunction::HwangShihDeCani { gamma: 0.0 }),
    )
    .unwrap();
    let kd1 = compute_boundaries(
        &THIRDS,
        0.05,
        Sided::Two,
        &sf(SpendingFunction::KimDeMets { rho: 1.0 }),
    )
    .unwrap();
    for k in 0..3 {
        assert!((lin.critical_z[k] - kd1.critical_z[k]).abs() < 1e-9);
    }
    for gamma in [-800.0, -40.0, 40.0, 800.0] {
        let b = compute_boundaries(
            &IR4,
            0.05,
            Sided::Two,
            &sf(SpendingFunction::HwangShihDeCani { gamma }),
        )
        .unwrap();
        assert!(
            b.critical_z.iter().all(|c| c.is_finite() && *c > 0.0),
            "{gamma}: {b:?}"
        );
        assert!(
            (b.cumulative_alpha[3] - 0.05).abs() < 1e-9,
            "{gamma}: {b:?}"
        );
    }
}

/// Tiny increments cap the bound at BOUNDARY_CAP without panicking; the cap's (tiny) actual
/// spending is what is reported, and the last look still brings the total to alpha.
#[test]
fn tiny_spending_increments_are_capped() {
    let rates = [1e-6, 1e-3, 0.01, 0.5, 1.0];
    for kind in [
        sf(SpendingFunction::ObrienFleming),
        sf(SpendingFunction::KimDeMets { rho: 50.0 }),
        sf(SpendingFunction::HwangShihDeCani { gamma: -800.0 }),
    ] {
        let b = compute_boundaries(&rates, 0.05, Sided::Two, &kind).unwrap();
        assert_eq!(b.critical_z[0], BOUNDARY_CAP, "{kind:?}");
        assert!(b
            .critical_z
            .iter()
            .all(|c| c.is_finite() && *c > 0.0 && *c <= BOUNDARY_CAP));
        assert!(b.cumulative_alpha[0] < 1e-14);
        assert!(
            (b.cumulative_alpha[4] - 0.05).abs() < 1e-8,
            "{kind:?}: {b:?}"
        );
    }
    // Very small alpha still works.
    let b = compute_boundaries(&HALVES, 1e-12, Sided::One, &sf(SpendingFunction::Pocock)).unwrap();
    assert!((b.cumulative_alpha[1] - 1e-12).abs() < 1e-15, "{b:?}");
    let b = compute_boundaries(&HALVES, 1e-12, Sided::Two, &BoundaryKind::PocockClassical).unwrap();
    assert!((b.cumulative_alpha[1] - 1e-12).abs() < 1e-15, "{b:?}");
}

#[test]
fn large_alpha_one_and_two_sided() {
    let b = compute_boundaries(&IR4, 0.49, Sided::One, &sf(SpendingFunction::Pocock)).unwrap();
    assert!((b.cumulative_alpha[3] - 0.49).abs() < 1e-8, "{b:?}");
    let b = compute_boundaries(
        &IR4,
        0.99,
        Sided::Two,
        &BoundaryKind::ObrienFlemingClassical,
    )
    .unwrap();
    assert!((b.cumulative_alpha[3] - 0.99).abs() < 1e-8, "{b:?}");
}

#[test]
fn two_sided_is_one_sided_at_half_alpha_for_spending() {
    // Each side spends alpha/2: for small alpha the two-sided bounds are almost the one-sided
    // bounds at alpha/2 (they differ only by paths that cross one side after the other).
    let two =
        compute_boundaries(&IR4, 0.05, Sided::Two, &sf(SpendingFunction::ObrienFleming)).unwrap();
    let one = compute_boundaries(
        &IR4,
        0.025,
        Sided::One,
        &sf(SpendingFunction::ObrienFleming),
    )
    .unwrap();
    for k in 0..4 {
        assert!((two.critical_z[k] - one.critical_z[k]).abs() < 1e-3);
    }
}

#[test]
fn crossing_probabilities_edge_cases() {
    // No bounds at all: nothing crosses.
    let inf = f64::INFINITY;
    let p = crossing_probabilities(&[0.5, 1.0], &[inf, inf], None, 1.0);
    assert_eq!(p.upper, [0.0, 0.0]);
    assert_eq!(p.lower, [0.0, 0.0]);
    // One look: the normal tail.
    let p = crossing_probabilities(&[1.0], &[1.96], None, 0.5);
    assert!((p.upper[0] - norm_sf(1.46)).abs() < 1e-15);
    // Only the final bound: its marginal.
    let p = crossing_probabilities(&[0.3, 0.7, 1.0], &[inf, inf, 2.0], None, 1.0);
    assert!((p.upper[2] - norm_sf(1.0)).abs() < 1e-8, "{p:?}");
    // Information need not end at 1: Z_k ~ N(drift sqrt(I_k), 1).
    let p = crossing_probabilities(&[2.0, 4.0], &[inf, 2.0], None, 0.5);
    assert!(
        (p.upper[1] - norm_sf(2.0 - 0.5 * 2.0)).abs() < 1e-8,
        "{p:?}"
    );
    // Invalid input: NaN vectors, never a panic; the reason from try_crossing_probabilities.
    let bad = crossing_probabilities(&[0.5, 0.4], &[2.0, 2.0], None, 0.0);
    assert!(bad.upper.len() == 2 && bad.upper.iter().all(|x| x.is_nan()));
    assert!(matches!(
        try_crossing_probabilities(&[0.5, 0.4], &[2.0, 2.0], None, 0.0),
        Err(BoundaryError::InvalidInformation(_))
    ));
    assert!(matches!(
        try_crossing_probabilities(&[0.5, 1.0], &[2.0], None, 0.0),
        Err(BoundaryError::BoundLengthMismatch { which: "upper", .. })
    ));
    assert!(matches!(
        try_crossing_probabilities(&[0.5, 1.0], &[2.0, 2.0], Some(&[0.0]), 0.0),
        Err(BoundaryError::BoundLengthMismatch { which: "lower", .. })
    ));
    assert!(matches!(
        try_crossing_probabilities(&[0.5, 1.0], &[2.0, 2.0], Some(&[3.0, 0.0]), 0.0),
        Err(BoundaryError::InvalidBounds { look: 1, .. })
    ));
    assert!(matches!(
        try_crossing_probabilities(&[0.5, 1.0], &[2.0, f64::NAN], None, 0.0),
        Err(BoundaryError::InvalidBounds { look: 2, .. })
    ));
    assert!(matches!(
        try_crossing_probabilities(&[0.5, 1.0], &[2.0, 2.0], None, f64::NAN),
        Err(BoundaryError::InvalidDrift(_))
    ));
    assert!(matches!(
        try_crossing_probabilities(&[], &[], None, 0.0),
        Err(BoundaryError::NoLooks)
    ));
    // Close looks: the grid is refined so the narrow kernel is resolved. With no bound before
    // look 2 (t = 0.51) its crossing probability is the marginal tail.
    let p = crossing_probabilities(&[0.5, 0.51, 1.0], &[inf, 2.0, inf], None, 0.0);
    assert!((p.upper[1] - norm_sf(2.0)).abs() < 1e-8, "{p:?}");
    let p = crossing_probabilities(&[0.5, 0.5005, 1.0], &[inf, inf, 2.0], None, 0.0);
    assert!((p.upper[2] - norm_sf(2.0)).abs() < 1e-8, "{p:?}");
    // Large drift, very close looks, empty continuation region: finite probabilities.
    let p = crossing_probabilities(
        &[0.5, 0.500001, 1.0],
        &[2.0, 2.0, 2.0],
        Some(&[2.0, -1.0, 2.0]),
        30.0,
    );
    assert!(
        p.upper.iter().chain(&p.lower).all(|x| x.is_finite()),
        "{p:?}"
    );
}

/// A sweep of awkward but valid inputs: every result is either an error or finite bounds whose
/// total H0 crossing probability is alpha (up to what a capped look spends).
#[test]
fn awkward_inputs_never_panic() {
    let rates: [&[f64]; 4] = [
        &[1.0],
        &[1e-9, 1.0],
        &[0.01, 0.02, 0.03, 0.04, 1.0],
        &[0.5, 0.5000001, 1.0],
    ];
    let kinds = [
        sf(SpendingFunction::ObrienFleming),
        sf(SpendingFunction::Pocock),
        sf(SpendingFunction::HwangShihDeCani { gamma: -30.0 }),
        sf(SpendingFunction::HwangShihDeCani { gamma: 30.0 }),
        sf(SpendingFunction::KimDeMets { rho: 0.01 }),
        sf(SpendingFunction::KimDeMets { rho: 100.0 }),
        BoundaryKind::ObrienFlemingTotalAlpha,
        BoundaryKind::ObrienFlemingClassical,
        BoundaryKind::PocockClassical,
        BoundaryKind::HaybittlePeto { interim_z: 3.0 },
        BoundaryKind::HaybittlePeto { interim_z: 0.5 },
        BoundaryKind::User(vec![]),
    ];
    for t in rates {
        for alpha in [1e-10, 0.05, 0.4999, 0.9999] {
            for sided in [Sided::One, Sided::Two] {
                for kind in &kinds {
                    let kind = match kind {
                        BoundaryKind::User(_) => BoundaryKind::User(vec![2.5; t.len()]),
                        // (Each root-finding step of a classical design integrates over all
                        // looks; on the finest grids that is slow in a debug build.)
                        BoundaryKind::ObrienFlemingClassical | BoundaryKind::PocockClassical
                            if t[0] == 0.5 =>
                        {
                            continue
                        }
                        k => k.clone(),
                    };
                    let Ok(b) = compute_boundaries(t, alpha, sided, &kind) else {
                        continue;
                    };
                    assert!(
                        b.critical_z.iter().all(|c| c.is_finite()),
                        "{t:?} {alpha} {kind:?}"
                    );
                    if !matches!(kind, BoundaryKind::User(_)) {
                        let last = b.cumulative_alpha[t.len() - 1];
                        // A look capped at BOUNDARY_CAP spends up to 2 * (1 - Phi(8)) = 1.2e-15.
                        let tol = 1e-6 * alpha + 1e-14;
                        assert!((last - alpha).abs() <= tol, "{t:?} {alpha} {kind:?}: {b:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn errors_not_panics() {
    let of = sf(SpendingFunction::ObrienFleming);
    let e = |rates: &[f64], alpha: f64, sided: Sided, kind: &BoundaryKind| {
        compute_boundaries(rates, alpha, sided, kind).unwrap_err()
    };
    // Information rates.
    for rates in [
        &[0.5, 0.5, 1.0][..],
        &[0.6, 0.4, 1.0],
        &[0.5, 0.9],
        &[0.0, 1.0],
        &[-0.5, 1.0],
        &[0.5, 1.5],
        &[f64::NAN, 1.0],
        &[0.5, f64::INFINITY],
    ] {
        assert!(
            matches!(
                e(rates, 0.05, Sided::Two, &of),
                BoundaryError::InvalidInformationRates(_)
            ),
            "{rates:?}"
        );
    }
    assert_eq!(e(&[], 0.05, Sided::Two, &of), BoundaryError::NoLooks);
    let many: Vec<f64> = (1..=101).map(|i| i as f64 / 101.0).collect();
    assert_eq!(
        e(&many, 0.05, Sided::Two, &of),
        BoundaryError::TooManyLooks(101)
    );
    // Alpha.
    for (alpha, sided) in [
        (0.0, Sided::Two),
        (1.0, Sided::Two),
        (-0.1, Sided::Two),
        (f64::NAN, Sided::Two),
        (0.5, Sided::One),
        (0.7, Sided::One),
        (0.0, Sided::One),
    ] {
        assert!(
            matches!(
                e(&HALVES, alpha, sided, &of),
                BoundaryError::InvalidAlpha { .. }
            ),
            "{alpha} {sided:?}"
        );
    }
    // User values.
    assert_eq!(
        e(&HALVES, 0.05, Sided::Two, &BoundaryKind::User(vec![2.0])),
        BoundaryError::UserLengthMismatch { given: 1, looks: 2 }
    );
    assert_eq!(
        e(
            &HALVES,
            0.05,
            Sided::Two,
            &BoundaryKind::User(vec![2.0, 2.0, 2.0])
        ),
        BoundaryError::UserLengthMismatch { given: 3, looks: 2 }
    );
    assert_eq!(
        e(
            &HALVES,
            0.05,
            Sided::Two,
            &BoundaryKind::User(vec![2.0, -1.0])
        ),
        BoundaryError::InvalidUserBoundary {
            look: 2,
            value: -1.0
        }
    );
    assert!(matches!(
        e(
            &HALVES,
            0.05,
            Sided::Two,
            &BoundaryKind::User(vec![f64::NAN, 2.0])
        ),
        BoundaryError::InvalidUserBoundary { look: 1, .. }
    ));
    // Spending parameters.
    for rho in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            e(
                &HALVES,
                0.05,
                Sided::Two,
                &sf(SpendingFunction::KimDeMets { rho })
            ),
            BoundaryError::InvalidRho(_)
        ));
    }
    for gamma in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert!(matches!(
            e(
                &HALVES,
                0.05,
                Sided::Two,
                &sf(SpendingFunction::HwangShihDeCani { gamma })
            ),
            BoundaryError::InvalidGamma(_)
        ));
    }
    // Haybittle-Peto.
    for interim_z in [0.0, -3.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            e(
                &HALVES,
                0.05,
                Sided::Two,
                &BoundaryKind::HaybittlePeto { interim_z }
            ),
            BoundaryError::InvalidInterimZ(_)
        ));
    }
    assert!(matches!(
        e(
            &IR4,
            0.01,
            Sided::Two,
            &BoundaryKind::HaybittlePeto { interim_z: 1.0 }
        ),
        BoundaryError::HaybittlePetoExhausted { .. }
    ));
    // Messages are informative.
    let msg = e(&[0.6, 0.4, 1.0], 0.05, Sided::Two, &of).to_string();
    assert!(msg.contains("strictly increasing"), "{msg}");
    let msg = e(&HALVES, 0.6, Sided::One, &of).to_string();
    assert!(msg.contains("(0, 0.5)"), "{msg}");
}
