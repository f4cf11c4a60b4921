//! Several PK metrics per participant (`log_normal.metrics`): the intersection-union decision
//! against PowerTOST's `power.2TOST`/`sampleN.2TOST` (1.5-7), each metric's own pass rate
//! against the exact one-metric power, a metric decided by its own rule, the correlation of
//! the metrics' estimates against the value the model implies (`facts`), and the refusals.
//!
//! Tolerances are 4 combined Monte Carlo SEs: ours sqrt(p (1 - p) / R) at our replicates R,
//! PowerTOST's sqrt(p (1 - p) / nsims) at its simulation count.

use crate::common::*;
use crossover_sim::engine::{NoProgress, Summary};

fn simulate(config: &str, sets: &[&str], replicates: u64) -> Summary {
    simulate_summary(config, sets, replicates)
}

fn check(observed: f64, replicates: u64, reference: f64, reference_se: f64, what: &str) {
    let se = (binomial_se(reference, replicates as f64).powi(2) + reference_se.powi(2)).sqrt();
    assert_within(observed, reference, se, 4.0, what);
}

/// `power.2TOST(theta0 = c(1.05, 1.05), CV = se2CV(c(0.3, 0.3)), n = 24, rho = 0.75)`:
/// 0.38849 (1e5 simulations, seed 1234567); with `nsims = 4e6, setseed = FALSE` 0.3883483
/// (SE 0.00024), the reference used. Each metric alone: `power.TOST(CV = se2CV(0.3),
/// theta0 = 1.05, n = 24)` = 0.5389017 (exact). In a 2x2 the participant levels cancel in each
/// estimate, so the estimates correlate as the occasion noise does: 0.75. 400,000 replicates:
/// SE 0.00077 for the joint rate, and about (1 - 0.75²)/sqrt(R) = 0.0007 for the correlation.
#[test]
fn two_metrics_match_power_2tost() {
    let s = simulate("configs/scaled/two_metrics_2x2.toml", &[], 400_000);
    let all = s.looks[0].primary_at_stop.rejected;
    check(
        rate(all, &s),
        s.replicates,
        0.3883483,
        0.00024,
        "P(both pass)",
    );
    for (m, name) in s.metrics.iter().zip(["AUC", "Cmax"]) {
        check(
            rate(m.analysis.rejected, &s),
            s.replicates,
            0.5389017,
            0.0,
            name,
        );
    }
    let r = s.metrics[1].correlation_with_first().unwrap();
    assert_within(r, 0.75, 0.0007, 5.0, "correlation of the two estimates");
    // Both must pass: the joint rate is at most either metric's.
    assert!(all <= s.metrics[0].analysis.rejected && all <= s.metrics[1].analysis.rejected);
}

/// The null twin: AUC at 1.25, Cmax at 1.05. `power.2TOST(theta0 = c(1.25, 1.05), CV =
/// se2CV(c(0.3, 0.3)), n = 24, rho = 0.75, nsims = 1e6)` = 0.02539 (SE 0.00016). The report
/// calls the rate a type I error (a metric's true ratio is in its null).
#[test]
fn two_metrics_null_twin_is_a_type_one_error() {
    let loaded = load(
        "configs/scaled/two_metrics_2x2_null.toml",
        &["simulation.replicates=200000"],
    );
    let report = run(&loaded);
    assert_eq!(report.rate_label(), "type I error");
    let m = report.metrics.as_ref().unwrap();
    check(
        m.all_pass.estimate,
        200_000,
        0.02539,
        0.00016,
        "type I error",
    );
    assert!(m.metrics[0].under_null && !m.metrics[1].under_null);
    assert_eq!(m.all_pass, report.primary.power);
    assert!(
        report.closed_form.power.is_none(),
        "no exact power is claimed"
    );
}

/// `sampleN.2TOST(theta0 = c(0.95, 0.95), CV = c(0.3, 0.3), rho = 0.9)`: N 44 (power 0.80879
/// at 1e5; `power.2TOST(..., n = 44, nsims = 1e6)` 0.807212 and n = 42 0.787238). The
/// simulated search at the config's 100,000 replicates finds the same N (42 lies 0.013, about
/// 10 SEs, below the target; 44 0.0072 above it).
#[test]
fn two_metrics_sample_size_matches_samplesize_2tost() {
    let loaded = load(
        "configs/scaled/two_metrics_2x2.toml",
        &[
            "log_normal.gmr={T=0.95}",
            "log_normal.cv_within=0.3",
            "log_normal.metric_correlation={between=0.6, within=0.9}",
            "log_normal.metrics=[{name=\"Cmax\", gmr={T=0.95}, cv_within=0.3, cv_between=0.45}]",
        ],
    );
    let r = crossover_sim::sample_size::sample_size(&loaded, 0.8, &NoProgress).unwrap();
    assert_eq!(r.sample_size, 44);
    assert_eq!(r.search, "simulation");
    let at = |n: usize| r.rows.iter().find(|row| row.enrolled == n).unwrap();
    check(
        at(44).simulated.estimate,
        100_000,
        0.807212,
        0.0004,
        "power at 44",
    );
    check(
        at(42).simulated.estimate,
        100_000,
        0.787238,
        0.0004,
        "power at 42",
    );
}

/// A metric decided by its own rule: on the 2x2x4 of `ema_2x2x4.toml`, Cmax (CV 0.35, GMR 0.90)
/// by EMA's widened limits and AUC (CV 0.30, GMR 0.88) by average bioequivalence. Each metric's
/// pass rate is its one-metric value: Cmax the exact EMA power 0.813720 (the value of
/// `scaled.rs`), AUC `power.TOST(CV = 0.3, theta0 = 0.88, n = 34, design = "2x2x4")` =
/// 0.59296828. Only Cmax's rule scales. 200,000 replicates: SE 0.0011 at most.
#[test]
fn each_metric_is_decided_by_its_own_rule() {
    let sets = [
        "log_normal.metric=\"Cmax\"",
        "log_normal.metrics=[{name=\"AUC\", gmr={T=0.88}, cv_within=0.30, cv_between=0.5, rule=\"abe\"}]",
        "log_normal.metric_correlation={between=0.7, within=0.6}",
    ];
    let s = simulate("configs/scaled/ema_2x2x4.toml", &sets, 200_000);
    let (cmax, auc) = (&s.metrics[0], &s.metrics[1]);
    check(
        rate(cmax.analysis.rejected, &s),
        s.replicates,
        0.813720,
        0.0,
        "Cmax by EMA",
    );
    check(
        rate(auc.analysis.rejected, &s),
        s.replicates,
        0.59296828,
        0.0,
        "AUC by ABE",
    );
    assert!(cmax.bioequivalence.scaled > s.replicates / 2);
    assert_eq!(
        auc.bioequivalence.scaled, 0,
        "average bioequivalence never scales"
    );
    assert_eq!(cmax.bioequivalence.decided, s.replicates);
    // The section's tally is Cmax's (metric 0's) own.
    assert_eq!(
        s.bioequivalence.bioequivalent,
        cmax.bioequivalence.bioequivalent
    );
    let all = s.looks[0].primary_at_stop.rejected;
    assert!(all <= cmax.analysis.rejected.min(auc.analysis.rejected));
    // Positively correlated estimates pass together more often than independent ones would.
    assert!(rate(all, &s) > rate(cmax.analysis.rejected, &s) * rate(auc.analysis.rejected, &s));
}

/// The correlation of the metrics' estimates with a participant-by-formulation interaction,
/// on a 2x2x4 (each participant: mean T - mean R over two periods each), against the model's
/// value derived by hand. Both metrics have cv_between 0.40 and interaction SD sI = 0.12, so
/// their latent correlations across formulations are equal and the interaction parts
/// correlate B: the per-participant difference has cov = B 2 sI² + W sa sb (1/2 + 1/2) and
/// var = 2 sI² + s² (1/2 + 1/2), so corr = (0.6 * 2 * 0.0144 + 0.5 sa sb) /
/// sqrt((0.0288 + sa²)(0.0288 + sb²)) with sa = sw(0.25) = 0.246221, sb = sw(0.35) = 0.339939:
/// 0.520425 (computed in Python:
/// sa=math.sqrt(math.log(1+.25**2)); sb=math.sqrt(math.log(1+.35**2));
/// (0.6*2*0.0144+0.5*sa*sb)/math.sqrt((0.0288+sa*sa)*(0.0288+sb*sb))).
/// 100,000 replicates: SE of the correlation about (1 - r²)/sqrt(R) = 0.0024.
#[test]
fn estimate_correlation_with_interaction_matches_the_model() {
    let loaded = load(
        "configs/scaled/two_metrics_2x2.toml",
        &[
            "design.preset=\"2x2x4\"",
            "design.enrolled=34",
            "log_normal.cv_within=0.25",
            "log_normal.interaction_sd=0.12",
            "log_normal.metrics=[{name=\"Cmax\", gmr={T=1.05}, cv_within=0.35, cv_between=0.40, interaction_sd=0.12}]",
            "log_normal.metric_correlation={between=0.6, within=0.5}",
            "simulation.replicates=100000",
        ],
    );
    let report = run(&loaded);
    let cmax = &report.metrics.as_ref().unwrap().metrics[1];
    let expected = cmax.expected_correlation.unwrap();
    assert!((expected - 0.520425).abs() < 5e-6, "model value {expected}");
    assert_within(
        cmax.correlation_with_first.unwrap(),
        expected,
        0.0024,
        4.0,
        "estimate correlation",
    );
}

/// What several metrics refuse, each naming the key.
#[test]
fn several_metrics_refuse_what_they_cannot_decide() {
    assert_refused(
        "configs/scaled/two_metrics_2x2.toml",
        &[
            (
                &["log_normal.metric_correlation={within=0.5}"],
                "log_normal.metric_correlation",
            ),
            (
                &["log_normal.metrics=[{name=\"AUC\", cv_within=0.3}]"],
                "log_normal.metrics[0].name",
            ),
            (
                &["log_normal.metrics=[{name=\"Cmax\", cv_within=0.3, rule=\"ema\"}]"],
                "log_normal.metrics[0].rule",
            ),
            (
                &["log_normal.metric_correlation={between=[[1, 0.5], [0.5, 1], [0, 0]], within=0.5}"],
                "log_normal.metric_correlation.between",
            ),
            (
                &["log_normal.metrics=[{name=\"Cmax\", cv_within=-0.3}]"],
                "log_normal.metrics[0].cv_within",
            ),
            (
                &["sequential.looks=[12, 24]"],
                "log_normal.metrics",
            ),
        ],
    );
    assert_refused(
        "configs/scaled/ema_2x2x4.toml",
        &[(
            &["log_normal.metric_correlation={between=0.5, within=0.5}"],
            "log_normal.metric_correlation",
        )],
    );
}
