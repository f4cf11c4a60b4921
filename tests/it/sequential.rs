//! Interim looks and stopping rules against exact and rpact references.

use crate::common::*;
use crossover_sim::numerics::noncentral_t_two_sided_tail;
use crossover_sim::numerics::t_quantile;
use statrs::distribution::{ContinuousCDF, Discrete, Normal};

/// gs_d05_n30: the trial stops at look 1 exactly when the paired t on the first 15 pairs
/// reaches the critical value of look 1's nominal level. With no dropout that probability is
/// P(|T| >= t_{1 - a1/2, 14}) for T ~ noncentral t(14, 0.5 sqrt(15)), computed here by
/// numerical integration (about 0.095; rpact's getPowerMeans(normalApproximation = FALSE)
/// gives 0.138 there, an approximation that is not a small-sample reference).
#[test]
fn stop_at_look_one_matches_the_exact_noncentral_t_probability() {
    let replicates = 100_000u64;
    let report = run(&load(
        "configs/validation/gs_d05_n30.toml",
        &[&format!("simulation.replicates={replicates}")],
    ));
    let look1 = &report.looks[0];
    // rpact getDesignGroupSequential(kMax = 2, alpha = 0.05, sided = 2, typeOfDesign = "asOF"):
    // c_1 = 2.9626, nominal two-sided level 0.003051.
    assert!((look1.critical_z - 2.9626).abs() < 1e-4);
    assert!((look1.nominal_level - 0.003051).abs() < 1e-6);
    let crit = t_quantile(1.0 - look1.nominal_level / 2.0, 14.0);
    let exact = noncentral_t_two_sided_tail(crit, 14.0, 0.5 * 15f64.sqrt());
    assert!((exact - 0.095).abs() < 0.005, "exact {exact}");
    let se = binomial_se(exact, replicates as f64);
    assert_within(look1.p_stop_efficacy, exact, se, 3.0, "P(stop at look 1)");
    // Early-stopped estimates overstate the effect (the bias the report exists to show).
    let early = report.primary.mean_estimate_early_stopped.unwrap();
    assert!(early > 0.5 + 0.2, "early-stopped mean estimate {early}");
}

/// Large-sample twin (looks at 300 and 600 pairs, d = 0.1), where t and z agree. Reference:
/// rpact 3.3.4 getPowerMeans(getDesignGroupSequential(kMax = 2, alpha = 0.05, sided = 2,
/// typeOfDesign = "asOF"), groups = 1, normalApproximation = TRUE, alternative = 0.1,
/// stDev = 1, maxNumberOfSubjects = 600): rejectPerStage 0.1092493316, 0.5767848613;
/// overall power 0.6860341929; earlyStop 0.1092493316; expected N = 600 - 300 * 0.1092493 =
/// 567.2252. Tolerance: 3 MC SE plus 0.003 for the t/z difference.
#[test]
fn large_sample_twin_matches_rpact_normal_approximation() {
    let replicates = 30_000u64;
    let report = run(&load(
        "configs/validation/gs_d05_n30.toml",
        &[
            "design.enrolled=600",
            "sequential.looks=[300, 600]",
            "population.classes[0].change.test.mean=0.1",
            "analysis.secondary=[]",
            &format!("simulation.replicates={replicates}"),
        ],
    ));
    let r = replicates as f64;
    let (power, early) = (0.6860341929, 0.1092493316);
    assert!((report.primary.power.estimate - power).abs() <= 3.0 * binomial_se(power, r) + 0.003);
    assert!((report.looks[0].p_stop_efficacy - early).abs() <= 3.0 * binomial_se(early, r) + 0.003);
    // SE of the mean enrolled: 300 * sqrt(p (1 - p) / R)
    let expected_n = 600.0 - 300.0 * early;
    assert!(
        (report.expected_enrolled.mean - expected_n).abs()
            <= 3.0 * report.expected_enrolled.se + 300.0 * 0.003
    );
}

/// Null twins: the simulated type I error of the sequential design is at most alpha + 3 SE.
#[test]
fn null_twins_keep_the_type_one_error() {
    let replicates = 200_000u64;
    let se = binomial_se(0.05, replicates as f64);
    for config in [
        "configs/validation/gs_d05_n30_null.toml",
        "configs/williams2018_null.toml",
    ] {
        let report = run(&load(
            config,
            &[&format!("simulation.replicates={replicates}")],
        ));
        let rate = report.primary.power.estimate;
        assert!(rate <= 0.05 + 3.0 * se, "{config}: type I error {rate}");
    }
    // The normal model has an exact answer: 0.05 within 3 SE.
    let report = run(&load(
        "configs/validation/gs_d05_n30_null.toml",
        &[&format!("simulation.replicates={replicates}")],
    ));
    assert_within(
        report.primary.power.estimate,
        0.05,
        se,
        3.0,
        "gs_d05_n30_null type I error",
    );
    // Look 1 spends exactly the design's alpha: 0.003051 (rpact asOF, two looks).
    let p1 = report.looks[0].p_stop_efficacy;
    assert_within(
        p1,
        0.003051,
        (0.003051f64 * 0.997 / replicates as f64).sqrt(),
        3.0,
        "null stop at look 1",
    );
}

/// A design with a single look is the fixed design, replicate by replicate.
#[test]
fn one_look_equals_the_fixed_design() {
    let fixed = load(
        "configs/validation/paired_d05_n30.toml",
        &["simulation.replicates=20000"],
    );
    let one_look = load(
        "configs/validation/paired_d05_n30.toml",
        &["simulation.replicates=20000", "sequential.looks=[30]"],
    );
    let (a, b) = (run(&fixed), run(&one_look));
    assert_eq!(a.primary.power, b.primary.power);
    assert_eq!(a.analyses, b.analyses);
    assert_eq!(a.looks, b.looks);
    assert_eq!(a.expected_enrolled, b.expected_enrolled);
}

/// Non-binding futility on |z| < 0.5 at look 1. Under H0 with normal data the futility
/// threshold on |t| is the t quantile with the same tail area, so P(stop for futility at
/// look 1) = P(|Z| < 0.5) - P(reject at look 1 and |t| < q), where the second term is zero:
/// 2 Phi(0.5) - 1 = 0.382925 exactly.
#[test]
fn futility_on_z_stops_with_the_exact_null_probability() {
    let replicates = 100_000u64;
    let report = run(&load(
        "configs/validation/gs_d05_n30_null.toml",
        &[
            "sequential.futility={ z = [0.5] }",
            &format!("simulation.replicates={replicates}"),
        ],
    ));
    let n = Normal::standard();
    let exact = 2.0 * n.cdf(0.5) - 1.0;
    let se = binomial_se(exact, replicates as f64);
    assert_within(
        report.looks[0].p_stop_futility,
        exact,
        se,
        3.0,
        "futility z",
    );
    // Non-binding futility can only lower the type I error.
    assert!(report.primary.power.estimate < 0.05);
}

/// Conditional power under the current trend below 0.2 at t = 1/2 is |Z_1| < sqrt(t) (c_2 -
/// sqrt(1 - t) z_0.8) with c_2 = 1.9686 (rpact asOF), so under H0 P(stop) = 2 Phi(that) - 1.
#[test]
fn futility_on_conditional_power_matches_its_z_threshold() {
    let replicates = 100_000u64;
    let report = run(&load(
        "configs/validation/gs_d05_n30_null.toml",
        &[
            "sequential.futility={ conditional_power = 0.2 }",
            &format!("simulation.replicates={replicates}"),
        ],
    ));
    let n = Normal::standard();
    let t: f64 = 0.5;
    let threshold = t.sqrt() * (1.9686 - (1.0 - t).sqrt() * n.inverse_cdf(0.8));
    assert!((report.looks[0].futility_z.unwrap() - threshold).abs() < 1e-3);
    let exact = 2.0 * n.cdf(threshold) - 1.0;
    let se = binomial_se(exact, replicates as f64);
    assert_within(
        report.looks[0].p_stop_futility,
        exact,
        se,
        3.0,
        "futility CP",
    );
}

/// Harm: stop at look 1 when (AE under T - AE under R) / completers >= 0.3. With 15 completers,
/// AE ~ Bernoulli(0.58) under T and Bernoulli(0.25) under R independently, the rule fires when
/// S_T - S_R >= 5 (4.5 rounded up), with S_T ~ Bin(15, 0.58), S_R ~ Bin(15, 0.25) (exact
/// convolution below). Efficacy is checked first and under H0 is independent of the events, so
/// P(stop for harm at look 1) = (1 - 0.003051) * P(S_T - S_R >= 5).
#[test]
fn harm_rule_fires_with_the_exact_probability() {
    let replicates = 100_000u64;
    let report = run(&load(
        "configs/validation/gs_d05_n30_null.toml",
        &[
            "adverse_events={ name = \"nausea\", probability = { reference = 0.25, test = 0.58 } }",
            "sequential.harm={ max_difference = 0.3 }",
            &format!("simulation.replicates={replicates}"),
        ],
    ));
    let bt = statrs::distribution::Binomial::new(0.58, 15).unwrap();
    let br = statrs::distribution::Binomial::new(0.25, 15).unwrap();
    let mut p_harm = 0.0;
    for st in 0..=15u64 {
        for sr in 0..=15u64 {
            if st as i64 - sr as i64 >= 5 {
                p_harm += bt.pmf(st) * br.pmf(sr);
            }
        }
    }
    let exact = (1.0 - 0.003051) * p_harm;
    let se = binomial_se(exact, replicates as f64);
    assert_within(
        report.looks[0].p_stop_harm,
        exact,
        se,
        3.0,
        "harm at look 1",
    );
    assert_eq!(
        report.looks[1].p_stop_harm, 0.0,
        "harm is checked at interim looks only"
    );
}
