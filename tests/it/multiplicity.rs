//! Several primary contrasts and the multiplicity procedures (issue 11), on the 3-condition
//! Williams design (all six orders of ABC, configs/designs/design_3x6x3.toml: N = 24, sigma_w =
//! 1, no participant-by-condition interaction, period effects), contrasts B - A and C - A.
//!
//! Reference values, from R 4.2.2 with mvtnorm 1.1-3 (script: build the 24-participant design,
//! `fit <- lm(y ~ factor(subject) + factor(period) + factor(treatment))`, take the treatment
//! block of `vcov(fit) / sigma^2`):
//! - v = 2 for both contrasts (24 * var / sigma^2), their correlation 0.5, residual df 44;
//! - under the global null, two-sided alpha = 0.05, the familywise error
//!   `1 - pmvt(lower = -c, upper = c, df = 44, corr = R)`: with c = qt(0.975, 44) (no
//!   adjustment) 0.09011219185; with c = qt(1 - 0.0125, 44) (Bonferroni) 0.04610173516. Holm's
//!   first step is Bonferroni's test, so under the global null its familywise error is the same
//!   0.04610173516; the fixed sequence rejects anything only if it rejects B - A, so its
//!   familywise error is exactly alpha = 0.05;
//! - one-sided superiority at 0.025 each: no adjustment 0.04506883855, Bonferroni and Holm
//!   0.02305256377 (`pmvt(lower = -Inf, upper = c)`);
//! - with B - A = 0.6 and C - A = 0.4 (SE = sqrt(2 / 24)), the two-sided power of one contrast,
//!   `1 - pt(c, 44, ncp) + pt(-c, 44, ncp)`: B - A 0.5291383989 at 0.05 and 0.4120894025 at
//!   0.025; C - A 0.2732163347 and 0.1855483204; P(both rejected, no adjustment) from the
//!   noncentral bivariate t (`pmvt(..., delta = ncp, type = "Kshirsagar")`, four sign
//!   orthants) 0.2144673816.
//!
//! Each run has 200,000 replicates (seed 20240601); tolerances are 3.5 Monte Carlo SE,
//! sqrt(p (1 - p) / R) at the reference p (at most 0.0011 here). The procedures run on the same
//! simulated trials (common random numbers), so their orderings hold trial by trial and are
//! asserted exactly.

use crate::common::*;
use crossover_sim::analysis::{AnalysisOutcome, Estimate, TestStatistic};
use crossover_sim::inference::{Decision, FamilyTest, Hypothesis, Multiplicity};
use crossover_sim::report::RunReport;
use proptest::prelude::*;

const CONFIG: &str = "configs/designs/design_3x6x3.toml";
const REPLICATES: u64 = 200_000;
const K: f64 = 3.5;

fn run_family(effects: (f64, f64), multiplicity: &str, extra: &[&str]) -> RunReport {
    let test = format!("population.classes[0].change.test.mean={}", effects.0);
    let second = format!(
        "population.classes[0].change.second_test.mean={}",
        effects.1
    );
    let m = format!("analysis.multiplicity=\"{multiplicity}\"");
    let replicates = format!("simulation.replicates={REPLICATES}");
    let mut sets = vec![
        test.as_str(),
        second.as_str(),
        m.as_str(),
        replicates.as_str(),
    ];
    sets.extend_from_slice(extra);
    run(&load(CONFIG, &sets))
}

fn se(p: f64) -> f64 {
    binomial_se(p, REPLICATES as f64)
}

fn rejected(r: &RunReport, i: usize) -> u64 {
    (r.contrasts[i].rejection_rate.estimate * r.replicates as f64).round() as u64
}

#[test]
fn the_default_family_is_each_condition_against_the_reference_with_design_constants() {
    let r = run_family((0.0, 0.0), "none", &["simulation.replicates=1000"]);
    let names: Vec<&str> = r.contrasts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["test - reference", "second_test - reference"]);
    assert_eq!(r.sequences, ["ABC", "ACB", "BAC", "BCA", "CAB", "CBA"]);
    for c in &r.contrasts {
        // R: 24 * vcov / sigma^2 = 2 on 44 residual df.
        assert!((c.variance_factor.unwrap() - 2.0).abs() < 1e-12, "{c:?}");
        assert_eq!(c.df, Some(44.0));
        assert!(c.under_null);
    }
    let f = r.family.as_ref().unwrap();
    assert_eq!(f.multiplicity, "none");
    assert_eq!(f.true_nulls.len(), 2);
}

#[test]
fn familywise_error_under_the_global_null_two_sided() {
    for (procedure, expected) in [
        ("none", 0.09011219185),
        ("bonferroni", 0.04610173516),
        ("holm", 0.04610173516),
        ("hierarchical", 0.05),
    ] {
        let r = run_family((0.0, 0.0), procedure, &[]);
        let f = r.family.as_ref().unwrap();
        let fwe = f.familywise_error.as_ref().unwrap().estimate;
        assert_within(fwe, expected, se(expected), K, procedure);
        // Under the global null every rejection is an error.
        assert_eq!(fwe, f.p_any_rejected.estimate, "{procedure}");
    }
}

#[test]
fn familywise_error_under_the_global_null_one_sided() {
    let extra = [
        "analysis.hypothesis=\"superiority\"",
        "analysis.better=\"higher\"",
        "analysis.alpha=0.025",
    ];
    for (procedure, expected) in [
        ("none", 0.04506883855),
        ("bonferroni", 0.02305256377),
        ("holm", 0.02305256377),
    ] {
        let r = run_family((0.0, 0.0), procedure, &extra);
        let fwe = r
            .family
            .as_ref()
            .unwrap()
            .familywise_error
            .as_ref()
            .unwrap()
            .estimate;
        assert_within(fwe, expected, se(expected), K, procedure);
    }
}

#[test]
fn power_per_contrast_and_jointly_under_the_alternative() {
    let none = run_family((0.6, 0.4), "none", &[]);
    let bonferroni = run_family((0.6, 0.4), "bonferroni", &[]);
    let holm = run_family((0.6, 0.4), "holm", &[]);
    let hierarchical = run_family((0.6, 0.4), "hierarchical", &[]);
    for (r, expected, what) in [
        (&none, [0.5291383989, 0.2732163347], "none"),
        (&bonferroni, [0.4120894025, 0.1855483204], "bonferroni"),
    ] {
        for (c, &p) in r.contrasts.iter().zip(&expected) {
            assert_within(
                c.rejection_rate.estimate,
                p,
                se(p),
                K,
                &format!("{what}: {}", c.name),
            );
            // The report's exact power is the same noncentral t.
            assert!((c.exact_power.unwrap() - p).abs() < 1e-8, "{c:?}");
            assert!(!c.under_null);
        }
    }
    let both = none.family.as_ref().unwrap().p_all_rejected.estimate;
    assert_within(both, 0.2144673816, se(0.2144673816), K, "P(both), none");
    assert!(none.family.as_ref().unwrap().familywise_error.is_none());
    // Trial by trial: Bonferroni's rejections are Holm's, Holm's are the unadjusted ones.
    for i in 0..2 {
        assert!(rejected(&bonferroni, i) <= rejected(&holm, i));
        assert!(rejected(&holm, i) <= rejected(&none, i));
    }
    assert!(
        rejected(&bonferroni, 0) < rejected(&holm, 0),
        "Holm gains power"
    );
    // The primary's power, its rejection rate and the look's efficacy stops are the first
    // contrast's adjusted decisions.
    for r in [&bonferroni, &holm] {
        assert_eq!(r.primary.power, r.contrasts[0].rejection_rate);
        assert_eq!(r.looks[0].p_stop_efficacy, r.primary.power.estimate);
    }
    // The fixed sequence tests B - A at the full level, like no adjustment ...
    assert_eq!(rejected(&hierarchical, 0), rejected(&none, 0));
    // ... and rejects C - A only after B - A: rejecting the second means rejecting both.
    let h = hierarchical.family.as_ref().unwrap();
    let all = (h.p_all_rejected.estimate * REPLICATES as f64).round() as u64;
    assert_eq!(rejected(&hierarchical, 1), all);
    assert!(rejected(&hierarchical, 1) < rejected(&none, 1));
}

#[test]
fn a_true_null_among_alternatives_is_counted_as_familywise_error() {
    // B - A = 0.6, C - A = 0: the familywise error is C - A's rejection rate alone.
    let r = run_family((0.6, 0.0), "holm", &[]);
    let f = r.family.as_ref().unwrap();
    assert_eq!(f.true_nulls, ["second_test - reference"]);
    let fwe = f.familywise_error.as_ref().unwrap().estimate;
    assert_eq!(fwe, r.contrasts[1].rejection_rate.estimate);
    // Holm controls it at alpha in the strong sense, and tests a null contrast at least at
    // Bonferroni's alpha / 2 (whose rate is exactly 0.025 two-sided).
    assert!(fwe <= 0.05 + K * se(0.05), "{fwe}");
    assert!(fwe >= 0.025 - K * se(0.025), "{fwe}");
}

#[test]
fn several_contrasts_are_refused_where_they_cannot_be_tested() {
    assert_refused(
        CONFIG,
        &[
            (
                &["analysis.contrast=\"B - A\"", "analysis.contrasts=[\"C - A\"]"],
                "give analysis.contrast (one primary contrast) or analysis.contrasts (several), not both",
            ),
            (&["analysis.contrasts=[]"], "must list at least one contrast"),
            (
                &["analysis.contrasts=[\"B - A\", \"test - reference\"]"],
                "repeats analysis.contrasts[0]",
            ),
            (
                &["analysis.contrasts=[\"B - A\", \"D - A\"]"],
                "analysis.contrasts[1]",
            ),
            (
                &["analysis.primary=\"completers_paired\"", "analysis.contrasts=[\"B - A\", \"C - A\"]"],
                "analysis.primary must be anova or anova_carryover, not completers_paired",
            ),
            (
                &["sequential.looks=[0.5, 1.0]", "analysis.contrasts=[\"B - A\", \"C - A\"]"],
                "interim looks and two-stage designs test one primary contrast",
            ),
            (
                &["analysis.contrasts=[\"B - A\"]", "analysis.multiplicity=\"holm\""],
                "adjusts for several primary contrasts; this config tests one",
            ),
            (
                &["analysis.multiplicity=\"sidak\""],
                "analysis.multiplicity",
            ),
        ],
    );
}

fn outcome(t: f64) -> AnalysisOutcome {
    AnalysisOutcome::Analyzed(Estimate {
        estimate: t,
        standard_error: 1.0,
        statistic: t,
        df: 30.0,
        effect_size: t,
        n: 32,
        test: TestStatistic::StudentT { t, df: 30 },
    })
}

fn decide(procedure: Multiplicity, ts: &[f64]) -> Vec<bool> {
    let test = FamilyTest::new(procedure, Hypothesis::TwoSided, 0.05, ts.len(), 100);
    let outcomes: Vec<AnalysisOutcome> = ts.iter().map(|&t| outcome(t)).collect();
    let mut order = vec![0; ts.len()];
    let mut decisions = vec![Decision::NotAnalyzable; ts.len()];
    test.decide(&outcomes, &mut order, &mut decisions);
    decisions.iter().map(|d| d.rejected()).collect()
}

#[test]
fn holm_steps_down_at_alpha_over_the_remaining_count() {
    // df 30: t(1 - 0.05/6) = 2.5357, t(1 - 0.05/4) = 2.3596, t(1 - 0.05/2) = 2.0423
    // (R: qt(1 - c(0.05/6, 0.05/4, 0.05/2), 30)).
    assert_eq!(
        decide(Multiplicity::Holm, &[2.4, -2.6, 2.1]),
        [true, true, true]
    );
    assert_eq!(
        decide(Multiplicity::Bonferroni, &[2.4, -2.6, 2.1]),
        [false, true, false]
    );
    // The strongest fails its step: nothing is rejected, however strong the others look.
    assert_eq!(
        decide(Multiplicity::Holm, &[2.5, 2.45, 2.3]),
        [false, false, false]
    );
    // The second step fails: the third is not tested.
    assert_eq!(
        decide(Multiplicity::Holm, &[2.6, 2.3, 2.2]),
        [true, false, false]
    );
    assert_eq!(
        decide(Multiplicity::None, &[2.6, 2.3, 2.2]),
        [true, true, true]
    );
    assert_eq!(
        decide(Multiplicity::Hierarchical, &[2.6, 1.0, 2.2]),
        [true, false, false]
    );
}

proptest! {
    #[test]
    fn the_procedures_nest_and_the_fixed_sequence_keeps_its_order(
        ts in proptest::collection::vec(-4.0f64..4.0, 1..6)
    ) {
        let none = decide(Multiplicity::None, &ts);
        let bonferroni = decide(Multiplicity::Bonferroni, &ts);
        let holm = decide(Multiplicity::Holm, &ts);
        let hierarchical = decide(Multiplicity::Hierarchical, &ts);
        for i in 0..ts.len() {
            prop_assert!(!bonferroni[i] || holm[i]);
            prop_assert!(!holm[i] || none[i]);
            prop_assert!(!hierarchical[i] || none[i]);
            // Never a later contrast without every earlier one.
            if hierarchical[i] {
                prop_assert!(hierarchical[..i].iter().all(|&r| r));
            }
        }
        // Holm rejects something exactly when Bonferroni does (its first step).
        prop_assert_eq!(holm.iter().any(|&r| r), bonferroni.iter().any(|&r| r));
    }
}
