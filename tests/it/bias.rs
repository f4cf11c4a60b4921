//! Bias of the crossover analyses under period effects and carryover, against the values the
//! model implies (Senn, Cross-over Trials in Clinical Research, ch. 3).

use crate::common::*;

const REPLICATES: u64 = 100_000;

/// Period effects cancel in the Hills-Armitage analysis: with tau = (0, 3) and no carryover its
/// mean estimate equals the true effect 0.5 within 3 MC SE.
#[test]
fn period_adjusted_is_unbiased_under_a_period_effect() {
    let loaded = load(
        "configs/validation/paired_d05_n30.toml",
        &[
            "effects.period=[0.0, 3.0]",
            &format!("simulation.replicates={REPLICATES}"),
        ],
    );
    let report = run(&loaded);
    let a = &report.analyses["period_adjusted"];
    assert_within(
        a.mean_estimate.unwrap(),
        0.5,
        a.mean_estimate_se.unwrap(),
        3.0,
        "period_adjusted",
    );
    assert_eq!(a.true_value, Some(0.5));
}

/// First-order carryover lambda_R = 2, lambda_T = -1 enters period 2 only. For sequence RT the
/// difference D gains +lambda_R, for TR it loses lambda_T; with sequences equally likely,
/// E[mean D] = effect + (lambda_R - lambda_T) / 2 = 0.5 + 1.5 = 2.0. The Hills-Armitage estimate
/// carries the same bias, and the Grizzle carryover estimate targets lambda_T - lambda_R = -3.
#[test]
fn completers_paired_is_biased_by_the_carryover_contrast() {
    let loaded = load(
        "configs/validation/paired_d05_n30.toml",
        &[
            "effects.carryover={ reference = 2.0, test = -1.0 }",
            &format!("simulation.replicates={REPLICATES}"),
        ],
    );
    let report = run(&loaded);
    let paired = &report.analyses["completers_paired"];
    assert_within(
        paired.mean_estimate.unwrap(),
        2.0,
        paired.mean_estimate_se.unwrap(),
        3.0,
        "completers_paired",
    );
    let adjusted = &report.analyses["period_adjusted"];
    assert_within(
        adjusted.mean_estimate.unwrap(),
        2.0,
        adjusted.mean_estimate_se.unwrap(),
        3.0,
        "period_adjusted",
    );
    let carry = &report.analyses["carryover"];
    assert_eq!(carry.true_value, Some(-3.0));
    assert_within(
        carry.mean_estimate.unwrap(),
        -3.0,
        carry.mean_estimate_se.unwrap(),
        3.0,
        "carryover",
    );
    // The first period is free of carryover.
    let first = &report.analyses["first_period"];
    assert_within(
        first.mean_estimate.unwrap(),
        0.5,
        first.mean_estimate_se.unwrap(),
        3.0,
        "first_period",
    );
}
