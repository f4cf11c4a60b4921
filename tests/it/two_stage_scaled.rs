//! Two-stage replicate designs decided by a bioequivalence rule at each stage
//! (`adaptive::scaled`): the special cases that must reproduce known results, the interim
//! approximation against simulated power, and the refusals.
//!
//! References (R 4.2.2):
//! - Power2Stage 0.5-4 `power.tsd(method = "B", CV = 0.2, n1 = 12, GMR = 0.95, pmethod =
//!   "shifted", nsims = 1e6)`: power 0.84424 (published from 10^5 trials: 0.84454), at
//!   `theta0 = 1.25` type I error 0.046352.
//! - PowerTOST 1.5-7 `power.scABEL(CV = 0.35, n = 34, design = "2x2x4", theta0 =
//!   scABEL(0.35)[2])` = 0.065566 (10^6 trials).
//! - PowerTOST `sampleN.scABEL(CV, theta0 = 0.9, design = "2x2x4", targetpower = 0.8)`: 34 at
//!   CV 0.35, 28 at 0.45, 32 at 0.6; `power.scABEL(CV, n, theta0 = 0.9, design = "2x2x4")` at
//!   the interim's approximate N: 0.79285 (CV 0.35, n 32), 0.78458 (0.45, 26), 0.81008 (0.6,
//!   32).
//!
//! Monte Carlo tolerances: 3 SE of the difference, sqrt(SE_ours² + SE_reference²).

use crate::common::*;
use crossover_sim::adaptive::scaled::ScaledInterim;
use crossover_sim::engine::Summary;
use crossover_sim::inference::scaled::cv_to_sw;
use crossover_sim::inference::Hypothesis;

fn pass_rate(s: &Summary) -> f64 {
    rate(s.analyses.iter().map(|a| a.rejected).sum(), s)
}

fn within(ours: f64, replicates: f64, theirs: f64, their_replicates: f64, what: &str) {
    let se = (binomial_se(ours, replicates).powi(2)
        + binomial_se(theirs, their_replicates).powi(2))
    .sqrt();
    assert_within(ours, theirs, se, 3.0, what);
    println!("{what}: {ours:.5} vs {theirs} (3 SE {:.5})", 3.0 * se);
}

/// Scaling switched off (the `abe` rule) on the 2x2: Potvin's method B, trial by trial the
/// same as the 2x2 engine (same seed, same paths), and within Monte Carlo error of
/// Power2Stage.
#[test]
fn abe_rule_on_a_two_by_two_is_potvin_b() {
    for (config, replicates, reference, what) in [
        (
            "configs/two_stage/potvin_b.toml",
            100_000u64,
            0.84424,
            "power",
        ),
        (
            "configs/two_stage/potvin_b_null.toml",
            200_000,
            0.046352,
            "type I error",
        ),
    ] {
        let mut ruled = simulate_summary(config, &["bioequivalence.rule=abe"], replicates);
        let mut plain = simulate_summary(config, &[], replicates);
        // The paths must agree trial for trial; the final-estimate sums come from two
        // estimators (the rule's linear model, the period-difference formula) that agree only
        // to rounding, so they are compared to 1e-9 instead of exactly.
        let (a, b) = (ruled.two_stage.final_naive, plain.two_stage.final_naive);
        assert_eq!(a.count, b.count, "{what}: trials with a final estimate");
        assert!(
            (a.sum - b.sum).abs() < 1e-9 * a.count as f64,
            "{what}: {} vs {}",
            a.sum,
            b.sum
        );
        ruled.two_stage.final_naive = Default::default();
        plain.two_stage.final_naive = Default::default();
        assert_eq!(ruled.two_stage, plain.two_stage, "{what}: the paths");
        assert_eq!(pass_rate(&ruled), pass_rate(&plain), "{what}");
        within(pass_rate(&ruled), replicates as f64, reference, 1e6, what);
    }
}

/// No stage 2 (a target power any stage 1 reaches, so a failing stage 1 stops): the design is
/// the single-stage EMA rule at the stage-1 alpha. At alpha 0.05, n 34, CV 0.35 and the true
/// GMR at the expanded limit: the same trials pass as in the single-stage engine, and the type
/// I error is PowerTOST's 0.065566.
#[test]
fn without_stage_two_it_is_the_single_stage_rule() {
    let replicates = 100_000;
    let two_stage = simulate_summary(
        "configs/two_stage/ema_2x2x4_null.toml",
        &[
            "design.enrolled=34",
            "adaptive.alpha=0.05",
            "adaptive.target_power=0.000001",
            "simulation.seed=7",
        ],
        replicates,
    );
    assert_eq!(two_stage.two_stage.stage2, 0);
    let single = simulate_summary(
        "configs/scaled/ema_2x2x4_null.toml",
        &[
            "design.randomization.kind=permuted_blocks",
            "design.randomization.block_size=2",
            "simulation.seed=7",
        ],
        replicates,
    );
    let (a, b) = (&two_stage.bioequivalence, &single.bioequivalence);
    assert_eq!(
        (
            a.decided,
            a.bioequivalent,
            a.criterion,
            a.point_estimate,
            a.scaled
        ),
        (
            b.decided,
            b.bioequivalent,
            b.criterion,
            b.point_estimate,
            b.scaled
        ),
        "the same trials pass, scale and meet each criterion"
    );
    within(
        pass_rate(&two_stage),
        replicates as f64,
        0.065566,
        1e6,
        "EMA type I error without stage 2",
    );
}

/// The interim's approximate N at the true CVwR (the variance per participant of the 2x2x4's
/// T - R estimate, ln(1 + CV²), alpha 0.05) against PowerTOST's simulated sample size and the
/// simulated power at the approximate N: within 2 participants of `sampleN.scABEL`, and its
/// power within 0.025 of the 0.80 target.
#[test]
fn approximate_n_against_simulated_power() {
    let loaded = load("configs/two_stage/ema_2x2x4.toml", &["adaptive.alpha=0.05"]);
    let d = &loaded.design;
    let Hypothesis::Equivalence { lower, upper } = d.analysis().hypothesis() else {
        panic!("equivalence");
    };
    let rule = d.bioequivalence().unwrap();
    let interim = ScaledInterim::new(
        d.two_stage().unwrap(),
        d.enrolled(),
        d.crossover(),
        rule,
        (lower, upper),
    );
    for (cv, simulated_n, power_at_approximate) in
        [(0.35, 34, 0.79285), (0.45, 28, 0.78458), (0.6, 32, 0.81008)]
    {
        let sw = cv_to_sw(cv);
        let outcome = crossover_sim::inference::scaled::RuleOutcome {
            scaled: true,
            upper_limit: rule.implied_upper_limit(sw),
            ..Default::default()
        };
        let n = interim
            .required_total(interim.limit_index(&outcome), sw * sw)
            .unwrap();
        println!("CV {cv}: approximate N {n}, sampleN.scABEL {simulated_n}");
        assert!(
            n.abs_diff(simulated_n) <= 2,
            "CV {cv}: {n} vs {simulated_n}"
        );
        assert!((power_at_approximate - 0.80f64).abs() <= 0.025);
        // Our own simulation of the single-stage rule at that N agrees with PowerTOST's.
        let s = simulate_summary(
            "configs/scaled/ema_2x2x4.toml",
            &[
                &format!("log_normal.cv_within={cv}"),
                &format!("design.enrolled={n}"),
            ],
            20_000,
        );
        within(
            pass_rate(&s),
            2e4,
            power_at_approximate,
            1e5,
            "power at the approximate N",
        );
    }
}

/// Options the scaled interim does not implement, and designs it cannot balance, are refused
/// with the key, the value and what is allowed.
#[test]
fn refuses_what_it_does_not_implement() {
    assert_refused(
        "configs/two_stage/ema_2x2x4.toml",
        &[
            (&["adaptive.method=potvin_c"], "method B logic"),
            (&["design.enrolled=25"], "multiple of 2"),
            (&["adaptive.futility=ci"], "adaptive.futility"),
            (
                &["adaptive.inflate_for_dropout=true"],
                "adaptive.inflate_for_dropout",
            ),
        ],
    );
}

/// Average bioequivalence estimates no CVwR: the reports say so instead of a distribution of
/// zeros and NaN (the two-formulation config decides each stage by `abe`).
#[test]
fn average_bioequivalence_reports_no_cvwr_distribution() {
    use predicates::prelude::PredicateBooleanExt;
    let out = tempfile::tempdir().unwrap();
    crossover_sim()
        .args([
            "run",
            "configs/two_stage/two_formulations.toml",
            "--replicates",
            "500",
            "--out",
        ])
        .arg(out.path())
        .current_dir(crate_path(""))
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "estimated CVwR: none (the rule does not estimate it)",
        ))
        .stdout(predicates::str::contains("NaN").not());
    let md =
        std::fs::read_to_string(out.path().join("two_stage_two_formulations/summary.md")).unwrap();
    assert!(!md.contains("| estimated CVwR |") && md.contains("| applied upper limit |"));
    assert!(!md.contains("NaN"), "{md}");
}
