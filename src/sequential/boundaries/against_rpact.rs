//! The boundaries against published tables and rpact 3.3.4 (R 4.2.2), value by value.

use super::tests::*;
use super::*;

/// Rows of the published tables, "Group-sequential efficacy boundaries": rpact 3.3.4
/// `getDesignGroupSequential(kMax, alpha, sided, typeOfDesign, [gammaA], [informationRates])`
/// (R 4.2.2), printed to 4 decimals (c_k) and 6 decimals (alpha); tolerances 1e-4 and 1e-5.
#[allow(clippy::too_many_arguments)] // a reference row: design, then its three vectors
fn ref_row(
    label: &str,
    rates: &[f64],
    alpha: f64,
    sided: Sided,
    kind: BoundaryKind,
    c: &[f64],
    cum: &[f64],
    nominal: &[f64],
) {
    check(
        label, rates, alpha, sided, kind, c, cum, nominal, 1e-4, 1e-5,
    );
}

#[rustfmt::skip]
#[test]
fn references_md_two_sided_two_looks() {
    use SpendingFunction::*;
    let (a, s) = (0.05, Sided::Two);
    ref_row("2s_a0.05_K2_OF", &HALVES, a, s, BoundaryKind::ObrienFlemingClassical,
        &[2.7965, 1.9774],
        &[0.005166, 0.050000],
        &[0.005166, 0.047993]);
    ref_row("2s_a0.05_K2_P", &HALVES, a, s, BoundaryKind::PocockClassical,
        &[2.1783, 2.1783],
        &[0.029386, 0.050000],
        &[0.029386, 0.029386]);
    ref_row("2s_a0.05_K2_asOF", &HALVES, a, s, sf(ObrienFleming),
        &[2.9626, 1.9686],
        &[0.003051, 0.050000],
        &[0.003051, 0.049000]);
    ref_row("2s_a0.05_K2_asP", &HALVES, a, s, sf(Pocock),
        &[2.1570, 2.2010],
        &[0.031006, 0.050000],
        &[0.031006, 0.027738]);
    ref_row("2s_a0.05_K2_HP", &HALVES, a, s, hp3(),
        &[3.0000, 1.9673],
        &[0.002700, 0.050000],
        &[0.002700, 0.049149]);
    ref_row("2s_a0.05_K2_asHSD_g-4", &HALVES, a, s, sf(HwangShihDeCani { gamma: -4.0 }),
        &[2.7500, 1.9811],
        &[0.005960, 0.050000],
        &[0.005960, 0.047577]);
    ref_row("2s_a0.05_K2_asHSD_g-2", &HALVES, a, s, sf(HwangShihDeCani { gamma: -2.0 }),
        &[2.4717, 2.0247],
        &[0.013447, 0.050000],
        &[0.013447, 0.042903]);
    ref_row("2s_a0.05_K2_asKD_g2", &HALVES, a, s, sf(KimDeMets { rho: 2.0 }),
        &[2.4977, 2.0183],
        &[0.012500, 0.050000],
        &[0.012500, 0.043559]);
    ref_row("2s_a0.05_IR(0.4,1.0)_asOF", &[0.4, 1.0], a, s, sf(ObrienFleming),
        &[3.3569, 1.9623],
        &[0.000788, 0.050000],
        &[0.000788, 0.049731]);
    ref_row("2s_a0.05_IR(0.4,1.0)_asP", &[0.4, 1.0], a, s, sf(Pocock),
        &[2.2239, 2.1651],
        &[0.026157, 0.050000],
        &[0.026157, 0.030378]);
}

#[rustfmt::skip]
#[test]
fn references_md_two_sided_three_looks() {
    use SpendingFunction::*;
    let (a, s) = (0.05, Sided::Two);
    ref_row("2s_a0.05_K3_OF", &THIRDS, a, s, BoundaryKind::ObrienFlemingClassical,
        &[3.4711, 2.4544, 2.0040],
        &[0.000518, 0.014320, 0.050000],
        &[0.000518, 0.014111, 0.045066]);
    ref_row("2s_a0.05_K3_P", &THIRDS, a, s, BoundaryKind::PocockClassical,
        &[2.2895, 2.2895, 2.2895],
        &[0.022052, 0.037938, 0.050000],
        &[0.022052, 0.022052, 0.022052]);
    ref_row("2s_a0.05_K3_asOF", &THIRDS, a, s, sf(ObrienFleming),
        &[3.7103, 2.5114, 1.9930],
        &[0.000207, 0.012097, 0.050000],
        &[0.000207, 0.012024, 0.046256]);
    ref_row("2s_a0.05_K3_asP", &THIRDS, a, s, sf(Pocock),
        &[2.2794, 2.2949, 2.2959],
        &[0.022642, 0.038169, 0.050000],
        &[0.022642, 0.021738, 0.021679]);
    ref_row("2s_a0.05_K3_HP", &THIRDS, a, s, hp3(),
        &[3.0000, 3.0000, 1.9751],
        &[0.002700, 0.004923, 0.050000],
        &[0.002700, 0.002700, 0.048257]);
    ref_row("2s_a0.05_K3_asHSD_g-4", &THIRDS, a, s, sf(HwangShihDeCani { gamma: -4.0 }),
        &[3.0107, 2.5465, 1.9992],
        &[0.002606, 0.012493, 0.050000],
        &[0.002606, 0.010880, 0.045584]);
    ref_row("2s_a0.05_K3_asHSD_g-2", &THIRDS, a, s, sf(HwangShihDeCani { gamma: -2.0 }),
        &[2.6775, 2.3854, 2.0637],
        &[0.007417, 0.021863, 0.050000],
        &[0.007417, 0.017060, 0.039042]);
    ref_row("2s_a0.05_K3_asKD_g2", &THIRDS, a, s, sf(KimDeMets { rho: 2.0 }),
        &[2.7729, 2.3473, 2.0619],
        &[0.005556, 0.022222, 0.050000],
        &[0.005556, 0.018911, 0.039216]);
    ref_row("2s_a0.05_IR(0.25,0.60,1.00)_asOF", &[0.25, 0.6, 1.0], a, s, sf(ObrienFleming),
        &[4.3326, 2.6689, 1.9810],
        &[0.000015, 0.007616, 0.050000],
        &[0.000015, 0.007611, 0.047594]);
    ref_row("2s_a0.05_IR(0.25,0.60,1.00)_asP", &[0.25, 0.6, 1.0], a, s, sf(Pocock),
        &[2.3683, 2.2921, 2.2670],
        &[0.017869, 0.035426, 0.050000],
        &[0.017869, 0.021901, 0.023388]);
}

#[rustfmt::skip]
#[test]
fn references_md_one_sided() {
    use SpendingFunction::*;
    let (a, s) = (0.025, Sided::One);
    ref_row("1s_a0.025_K2_asOF", &HALVES, a, s, sf(ObrienFleming),
        &[2.9626, 1.9686],
        &[0.001525, 0.025000],
        &[0.001525, 0.024500]);
    ref_row("1s_a0.025_K2_asP", &HALVES, a, s, sf(Pocock),
        &[2.1570, 2.2010],
        &[0.015503, 0.025000],
        &[0.015503, 0.013869]);
    ref_row("1s_a0.025_K3_asOF", &THIRDS, a, s, sf(ObrienFleming),
        &[3.7103, 2.5114, 1.9930],
        &[0.000104, 0.006048, 0.025000],
        &[0.000104, 0.006012, 0.023128]);
    ref_row("1s_a0.025_K3_asP", &THIRDS, a, s, sf(Pocock),
        &[2.2794, 2.2949, 2.2959],
        &[0.011321, 0.019085, 0.025000],
        &[0.011321, 0.010869, 0.010840]);
}

/// Textbook constants, quoted in the published tables (O'Brien-Fleming and
/// Pocock, two-sided 0.05, equally spaced looks; Jennison & Turnbull 2000 tables 2.1 and 2.3):
/// OF K=2 2.797, 1.977; P K=2 2.178; OF K=3 3.471, 2.454, 2.004; P K=3 2.289.
#[test]
fn textbook_constants_to_three_decimals() {
    let r3 = |x: f64| (x * 1000.0).round() / 1000.0;
    let z = |rates: &[f64], kind: BoundaryKind| -> Vec<f64> {
        compute_boundaries(rates, 0.05, Sided::Two, &kind)
            .unwrap()
            .critical_z
            .into_iter()
            .map(r3)
            .collect()
    };
    assert_eq!(
        z(&HALVES, BoundaryKind::ObrienFlemingClassical),
        [2.797, 1.977]
    );
    assert_eq!(z(&HALVES, BoundaryKind::PocockClassical), [2.178, 2.178]);
    assert_eq!(
        z(&THIRDS, BoundaryKind::ObrienFlemingClassical),
        [3.471, 2.454, 2.004]
    );
    assert_eq!(
        z(&THIRDS, BoundaryKind::PocockClassical),
        [2.289, 2.289, 2.289]
    );
}

// Further rpact references generated for this module with rpact 3.3.4 on R 4.2.2 Patched
// (2022-11-10 r83330), printed with
//   cat(sprintf("%.10f", d$criticalValues)); cat(sprintf("%.12g", d$alphaSpent));
//   cat(sprintf("%.12g", d$stageLevels * ifelse(d$sided == 2, 2, 1)))
// (rpact's stageLevels are one-sided, hence the doubling for sided = 2). rpact reports the final
// cumulative alpha of spending designs as alpha - 1e-8 (e.g. 0.04999999), so alpha is checked to
// 1e-7 and z to 1e-6 (the agreement found is about 2e-8 in z).
#[allow(clippy::too_many_arguments)] // a reference row: design, then its three vectors
fn rpact_row(
    label: &str,
    rates: &[f64],
    alpha: f64,
    sided: Sided,
    kind: BoundaryKind,
    c: &[f64],
    cum: &[f64],
    nominal: &[f64],
) {
    check(
        label, rates, alpha, sided, kind, c, cum, nominal, 1e-5, 1e-7,
    );
}

/// getDesignGroupSequential(kMax=4, alpha=0.05, sided=2, typeOfDesign="asOF",
///     informationRates=c(0.2,0.45,0.7,1))
#[rustfmt::skip]
#[test]
fn rpact_four_looks_unequal_as_of_two_sided() {
    rpact_row("asOF 2s K4", &IR4, 0.05, Sided::Two, sf(SpendingFunction::ObrienFleming),
        &[4.8768849488, 3.1438483819, 2.4515350834, 2.0010886863],
        &[1.07774252585e-06, 0.00166782603109, 0.0147689786272, 0.04999999],
        &[1.07774252589e-06, 0.00166741807426, 0.0142248318945, 0.0453828333612]);
}

/// getDesignGroupSequential(kMax=4, alpha=0.05, sided=2, typeOfDesign="asP",
///     informationRates=c(0.2,0.45,0.7,1))
#[rustfmt::skip]
#[test]
fn rpact_four_looks_unequal_as_p_two_sided() {
    rpact_row("asP 2s K4", &IR4, 0.05, Sided::Two, sf(SpendingFunction::Pocock),
        &[2.4379766881, 2.3765097782, 2.3630536124, 2.3265039995],
        &[0.014769726456, 0.0286400478298, 0.0394864022684, 0.04999999],
        &[0.014769726456, 0.0174772981623, 0.0181250473288, 0.0199916793536]);
}

/// getDesignGroupSequential(kMax=4, alpha=0.025, sided=1, typeOfDesign="asKD", gammaA=3,
///     informationRates=c(0.2,0.45,0.7,1))
#[rustfmt::skip]
#[test]
fn rpact_four_looks_as_kd_rho3_one_sided() {
    rpact_row("asKD rho=3 1s K4", &IR4, 0.025, Sided::One, sf(SpendingFunction::KimDeMets { rho: 3.0 }),
        &[3.5400837992, 2.8560928330, 2.4320673272, 2.0173219070],
        &[0.0002, 0.00227812501099, 0.00857499992023, 0.02499999],
        &[0.0002, 0.00214444856324, 0.00750645818631, 0.0218309654566]);
}

/// getDesignGroupSequential(kMax=4, alpha=0.025, sided=1, typeOfDesign="asHSD", gammaA=1,
///     informationRates=c(0.2,0.45,0.7,1))
#[rustfmt::skip]
#[test]
fn rpact_four_looks_as_hsd_gamma1_one_sided() {
    rpact_row("asHSD gamma=1 1s K4", &IR4, 0.025, Sided::One, sf(SpendingFunction::HwangShihDeCani { gamma: 1.0 }),
        &[2.4486772497, 2.3673149869, 2.3528971598, 2.3325761333],
        &[0.00716909315756, 0.0143315956501, 0.0199097580787, 0.02499999],
        &[0.00716909315756, 0.00895883802836, 0.00931389257346, 0.00983520139219]);
}

/// getDesignGroupSequential(kMax=5, alpha=0.05, sided=2, typeOfDesign="OF"),
/// getDesignGroupSequential(kMax=5, alpha=0.05, sided=2, typeOfDesign="P") and
/// getDesignGroupSequential(kMax=5, alpha=0.05, sided=2, typeOfDesign="asOF")
#[rustfmt::skip]
#[test]
fn rpact_five_looks_equal_spacing() {
    let ir5 = [0.2, 0.4, 0.6, 0.8, 1.0];
    rpact_row("OF 2s K5", &ir5, 0.05, Sided::Two, BoundaryKind::ObrienFlemingClassical,
        &[4.5617422989, 3.2256389136, 2.6337231442, 2.2808711494, 2.0400731752],
        &[5.07308883615e-06, 0.00125905981762, 0.00890361245898, 0.0255845986473, 0.05],
        &[5.07308883613e-06, 0.0012569182311, 0.00844543205072, 0.0225560726109, 0.0413430380107]);
    rpact_row("P 2s K5", &ir5, 0.05, Sided::Two, BoundaryKind::PocockClassical,
        &[2.4131762202; 5],
        &[0.0158141715582, 0.0275259764767, 0.0365446445632, 0.0438548312571, 0.05],
        &[0.0158141715582; 5]);
    rpact_row("asOF 2s K5", &ir5, 0.05, Sided::Two, sf(SpendingFunction::ObrienFleming),
        &[4.8768849488, 3.3570119217, 2.6802800670, 2.2898167744, 2.0310320482],
        &[1.07774252585e-06, 0.000788303515203, 0.0076161265658, 0.0244235803118, 0.04999999],
        &[1.07774252589e-06, 0.000787897152742, 0.00735605857086, 0.0220319403394, 0.0422517436901]);
}

/// getDesignGroupSequential(kMax=5, alpha=0.05, sided=2, typeOfDesign="asHSD", gammaA=-4,
///     informationRates=c(0.1,0.3,0.55,0.8,1)),
/// getDesignGroupSequential(kMax=4, alpha=0.025, sided=1, typeOfDesign="OF",
///     informationRates=c(0.2,0.45,0.7,1))
#[rustfmt::skip]
#[test]
fn rpact_unequal_hsd_five_looks_and_one_sided_classical_of() {
    rpact_row("asHSD g=-4 2s K5", &[0.1, 0.3, 0.55, 0.8, 1.0], 0.05, Sided::Two, sf(SpendingFunction::HwangShihDeCani { gamma: -4.0 }),
        &[3.5037199812, 3.1276497468, 2.7482781187, 2.3590018079, 2.0237044916],
        &[0.000458807530985, 0.00216436285001, 0.00748627854615, 0.021952744562, 0.04999999],
        &[0.000458807530985, 0.00176210030859, 0.00599091678625, 0.0183241664967, 0.0430005661752]);
    rpact_row("OF 1s K4", &IR4, 0.025, Sided::One, BoundaryKind::ObrienFlemingClassical,
        &[4.5028109030, 3.0018739353, 2.4068536680, 2.0137182538],
        &[3.35302739707e-06, 0.00134305535199, 0.00853327306782, 0.02499999],
        &[3.35302739707e-06, 0.00134161634011, 0.00804530786157, 0.0220195612222]);
}

/// getDesignGroupSequential(kMax=4, alpha=0.05, sided=2, typeOfDesign="HP",
///     informationRates=c(0.2,0.45,0.7,1)) and
/// getDesignGroupSequential(kMax=3, alpha=0.025, sided=1, typeOfDesign="HP")
/// (rpact default constantBoundsHP = 3)
#[rustfmt::skip]
#[test]
fn rpact_haybittle_peto() {
    rpact_row("HP 2s K4", &IR4, 0.05, Sided::Two, hp3(),
        &[3.0, 3.0, 3.0, 1.9867253114],
        &[0.00269979606326, 0.00500895541349, 0.00688993847733, 0.05],
        &[0.00269979606326, 0.00269979606326, 0.00269979606326, 0.0469528452969]);
    rpact_row("HP 1s K3", &THIRDS, 0.025, Sided::One, hp3(),
        &[3.0, 3.0, 1.9750976334],
        &[0.00134989803163, 0.00246174161102, 0.02499999],
        &[0.00134989803163, 0.00134989803163, 0.0241285346832]);
}

/// rpact 3.3.4:
///   d <- getDesignGroupSequential(kMax=2, alpha=0.05, sided=2, typeOfDesign="asOF")
///   p <- getPowerMeans(d, groups=1, normalApproximation=TRUE, alternative=0.1, stDev=1,
///                      maxNumberOfSubjects=600)
///   p$rejectPerStage = 0.1092493316, 0.5767848613; p$overallReject = 0.6860341929;
///   p$earlyStop = 0.1092493316
/// Drift = 0.1 * sqrt(600); crossings of either side counted, as rpact does (the lower side adds
/// 1.3e-6 at look 1 and 4.8e-6 at look 2).
#[test]
fn rpact_power_two_looks_as_of() {
    let b = compute_boundaries(
        &HALVES,
        0.05,
        Sided::Two,
        &sf(SpendingFunction::ObrienFleming),
    )
    .unwrap();
    let lower: Vec<f64> = b.critical_z.iter().map(|c| -c).collect();
    let p = crossing_probabilities(&HALVES, &b.critical_z, Some(&lower), 0.1 * 600f64.sqrt());
    let per_stage: Vec<f64> = p.upper.iter().zip(&p.lower).map(|(u, l)| u + l).collect();
    assert!((per_stage[0] - 0.1092493316).abs() < 1e-4, "{per_stage:?}");
    assert!((per_stage[1] - 0.5767848613).abs() < 1e-4, "{per_stage:?}");
    assert!((per_stage.iter().sum::<f64>() - 0.6860341929).abs() < 1e-4);
    // Much tighter in fact: rpact counts both sides (look 1: upper 0.1092479962 plus lower
    // 0.0000013354, i.e. 1 - pnorm(c1 - m) + pnorm(-c1 - m), m = 0.1 * sqrt(300)).
    assert!((per_stage[0] - 0.1092493316).abs() < 1e-9, "{per_stage:?}");
    assert!((per_stage[1] - 0.5767848613).abs() < 1e-8, "{per_stage:?}");
    assert!((p.upper[0] - 0.1092479962).abs() < 1e-9, "{:?}", p.upper);
    assert!((p.lower[0] - 0.0000013354).abs() < 1e-10, "{:?}", p.lower);
}

/// rpact 3.3.4:
///   d3 <- getDesignGroupSequential(kMax=3, alpha=0.025, sided=1, typeOfDesign="asOF",
///                                  informationRates=c(0.3,0.6,1))
///   p3 <- getPowerMeans(d3, groups=1, normalApproximation=TRUE, alternative=0.12, stDev=1,
///                       maxNumberOfSubjects=500)
///   d3$criticalValues = 3.9285725426, 2.6699720100, 1.9810244963
///   p3$rejectPerStage = 0.0069685850, 0.2703294333, 0.4843442985 (overall 0.7616423167)
#[test]
fn rpact_power_three_looks_one_sided() {
    let rates = [0.3, 0.6, 1.0];
    let b = compute_boundaries(
        &rates,
        0.025,
        Sided::One,
        &sf(SpendingFunction::ObrienFleming),
    )
    .unwrap();
    for (got, want) in b
        .critical_z
        .iter()
        .zip([3.9285725426, 2.6699720100, 1.9810244963])
    {
        assert!((got - want).abs() < 1e-5, "{got} vs {want}");
    }
    let p = crossing_probabilities(&rates, &b.critical_z, None, 0.12 * 500f64.sqrt());
    for (got, want) in p
        .upper
        .iter()
        .zip([0.0069685850, 0.2703294333, 0.4843442985])
    {
        assert!((got - want).abs() < 1e-6, "{got} vs {want}");
    }
    assert!(p.lower.iter().all(|&l| l == 0.0));
}
