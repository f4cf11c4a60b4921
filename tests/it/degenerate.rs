//! Degenerate designs run and report sensibly. Each test pins the behaviour that follows from
//! the design: counts of not-analyzable trials, expected enrollment, completers, and which
//! figures are missing and why. Every report is also checked for the rule that a quantity
//! whose denominator is zero is reported as missing with a reason, never as NaN or 0: all
//! numbers in summary.json are finite and every null has its reason in a `missing` map.

use crate::common::*;

use crossover_sim::config::{self, ConfigError, LoadedConfig, Override};
use crossover_sim::report::RunReport;
use serde_json::Value as Json;
use std::collections::BTreeMap;

const WILLIAMS: &str = "configs/williams2018.toml";
const REPLICATES: u64 = 2000;
const ALL_ANALYSES: [&str; 7] = [
    "responders_paired",
    "completers_paired",
    "period_adjusted",
    "first_period",
    "carryover",
    "wilcoxon_paired",
    "responder_mcnemar",
];

/// williams2018 with `sets` and a small replicate count.
fn williams(sets: &[&str]) -> LoadedConfig {
    let replicates = format!("simulation.replicates={REPLICATES}");
    let mut all = vec![replicates.as_str()];
    all.extend_from_slice(sets);
    load(WILLIAMS, &all)
}

/// Runs, checks the JSON for NaN and unexplained blanks, and returns the report.
fn run_checked(loaded: &LoadedConfig) -> RunReport {
    let report = run(loaded);
    assert_eq!(report.replicates, loaded.design.replicates());
    assert_sensible_json(&report, loaded);
    for (name, a) in &report.analyses {
        assert_eq!(
            a.analyzed + a.not_analyzable,
            report.replicates,
            "{name}: analysed + not analyzable must be every trial"
        );
        assert_eq!(
            a.not_analyzable_reasons.values().sum::<u64>(),
            a.not_analyzable,
            "{name}"
        );
    }
    report
}

/// Every number in the JSON is finite; every null is documented optional or explained in a
/// `missing` map; every adverse-event rate is reported or explained.
fn assert_sensible_json(report: &RunReport, loaded: &LoadedConfig) {
    let problems = crossover_sim::report::check::problems(report, &loaded.design);
    assert!(problems.is_empty(), "{problems:?}");
}

/// `missing[key]` exists and contains `words`.
fn assert_missing(missing: &BTreeMap<String, String>, key: &str, words: &str) {
    let why = missing
        .get(key)
        .unwrap_or_else(|| panic!("no reason for `{key}` in {missing:?}"));
    assert!(why.contains(words), "`{key}`: {why:?} lacks {words:?}");
}

/// The analysis was computed on no trial: rejection 0, the mean estimate and its companions
/// missing with a reason, and every trial counted under `reason`.
fn assert_never_analyzable(report: &RunReport, name: &str, reasons: &[&str]) {
    let a = &report.analyses[name];
    assert_eq!(a.analyzed, 0, "{name}");
    assert_eq!(a.not_analyzable, report.replicates, "{name}");
    assert_eq!(a.rejection_rate.estimate, 0.0, "{name}");
    let counted: u64 = reasons
        .iter()
        .map(|r| a.not_analyzable_reasons.get(*r).copied().unwrap_or(0))
        .sum();
    assert_eq!(
        counted, report.replicates,
        "{name}: {:?}",
        a.not_analyzable_reasons
    );
    assert_eq!(a.mean_estimate, None, "{name}");
    for field in [
        "mean_estimate",
        "mean_estimate_se",
        "mean_standard_error",
        "mean_effect_size",
    ] {
        assert_missing(&a.missing, field, "not analyzable on any trial");
    }
}

/// design.enrolled = 2 (one look at 2): the between-sequence analyses need three completers,
/// Welch two per group, so they are never analysable; enrollment is exactly 2 in every trial.
#[test]
fn two_participants() {
    let loaded = williams(&["design.enrolled=2", "sequential.looks=[2]"]);
    let report = run_checked(&loaded);
    assert_eq!(report.looks.len(), 1);
    assert_eq!(
        (report.expected_enrolled.mean, report.expected_enrolled.se),
        (2.0, 0.0)
    );
    assert!(report.completers.mean <= 2.0);
    for name in ["period_adjusted", "carryover", "first_period"] {
        assert_never_analyzable(&report, name, &["too few participants"]);
    }
    // A paired analysis needs both participants to complete with different differences.
    assert!(report.analyses["completers_paired"].not_analyzable > 0);
    assert_eq!(report.responders.as_ref().unwrap().distribution.len(), 3);
    assert_missing(
        &report.primary.missing,
        "mean_estimate_early_stopped",
        "fixed design",
    );
}

/// Everyone withdraws before the first period: no data at all. Nothing is analysable, no trial
/// can stop early, every trial enrolls 30 and has 0 completers; the adverse-event rates have no
/// denominator and are missing with a reason; the responder count is a genuine 0 (a count per
/// trial, averaged over trials), not a 0/0.
#[test]
fn everyone_withdraws_before_the_first_period() {
    let loaded = williams(&["dropout.before_first_period=1"]);
    let report = run_checked(&loaded);
    let r = report.replicates;
    assert_eq!((report.completers.mean, report.completers.se), (0.0, 0.0));
    assert_eq!(
        (report.expected_enrolled.mean, report.expected_enrolled.se),
        (30.0, 0.0)
    );
    let p = &report.primary;
    assert_eq!(p.power.estimate, 0.0);
    assert_eq!(p.not_analyzable, r);
    assert_eq!(p.early_stopped, 0);
    for look in &report.looks {
        assert_eq!(
            (look.p_stop_efficacy, look.p_stop_futility, look.p_stop_harm),
            (0.0, 0.0, 0.0)
        );
        assert_eq!(look.mean_estimate_at_stop, None);
    }
    for name in ALL_ANALYSES {
        assert_never_analyzable(&report, name, &["too few participants"]);
    }
    assert_eq!(p.mean_estimate_at_stop, None);
    assert_missing(&p.missing, "mean_estimate_at_stop", "not analyzable");
    assert_missing(&p.missing, "mean_estimate_at_stop_se", "not analyzable");
    assert_missing(&p.missing, "mean_effect_size_at_stop", "not analyzable");
    assert_missing(
        &p.missing,
        "mean_estimate_early_stopped",
        "no trial stopped early",
    );
    assert_missing(
        &p.missing,
        "looks[0].mean_estimate_at_stop",
        "no trial stopped at look 1",
    );
    assert_missing(
        &p.missing,
        "looks[1].mean_estimate_at_stop",
        "not analyzable on any trial that stopped at look 2",
    );
    let ae = report.adverse_events.as_ref().unwrap();
    assert!(ae.rate.is_empty(), "{:?}", ae.rate);
    for c in loaded.design.condition_names() {
        assert_missing(
            &p.missing,
            &format!("adverse_events.rate.\"{c}\""),
            "no participant was treated",
        );
    }
    let responders = report.responders.as_ref().unwrap();
    assert_eq!((responders.mean, responders.se), (0.0, 0.0));
    assert_eq!(responders.p_at_least_target, 0.0);
    assert_eq!(responders.distribution[0], 1.0);
}

/// The single-class override used by the two class tests: williams2018's non-responsive class.
const NON_RESPONSIVE_ONLY: &str = "population.classes=[{name=\"non-responsive\", probability=1.0, \
     change={\"ketamine+placebo\"={mean=-2.9, sd=4.9}, \"ketamine+naltrexone\"={mean=-3.9, sd=8.7}}}]";

/// The figures of a report that depend on the simulated data (not on names or timing).
fn figures(report: &RunReport) -> Json {
    let mut json = serde_json::to_value(report).unwrap();
    let o = json.as_object_mut().unwrap();
    for volatile in [
        "config",
        "command",
        "overrides",
        "name",
        "elapsed_seconds",
        "replicates_per_second",
        "threads",
    ] {
        o.remove(volatile);
    }
    json
}

/// A homogeneous population (one class with probability 1) runs; its true effect is that
/// class's T - R difference, -3.9 - (-2.9) = -1 (on the latent scale).
#[test]
fn a_single_class_with_probability_one() {
    let loaded = williams(&[NON_RESPONSIVE_ONLY]);
    assert_eq!(loaded.design.population().classes.len(), 1);
    let report = run_checked(&loaded);
    assert!(
        (report.true_effect + 1.0).abs() < 1e-12,
        "{}",
        report.true_effect
    );
    // On the rating scale the analysed changes' mean contrast differs a little from the
    // latent -1 (clamping at the floor with unequal SDs, 4.9 and 8.7): issue 23, defect 2.
    let analysed = report.analyses["completers_paired"].true_value.unwrap();
    assert!(
        analysed != report.true_effect && (analysed - report.true_effect).abs() < 0.05,
        "{analysed}"
    );
    assert!(report
        .true_value_basis
        .contains("rounding and clamping move it"));
    assert!(report.analyses["completers_paired"].analyzed > 0);
}

/// A class with probability 0 is never drawn: the run is bit-identical to the run with that
/// class removed (the class draw consumes the same random number either way).
#[test]
fn a_class_with_probability_zero_is_never_drawn() {
    let with_empty_class = williams(&[
        "population.classes[0].probability=0",
        "population.classes[1].probability=1",
    ]);
    let report = run_checked(&with_empty_class);
    let single = run_checked(&williams(&[NON_RESPONSIVE_ONLY]));
    assert_eq!(figures(&report), figures(&single));
    assert!((report.true_effect + 1.0).abs() < 1e-12);
}

/// Looks [1, 30]: one participant at the first look cannot be analysed, so no trial stops
/// there, not even with a (non-binding) futility rule; every trial enrolls 30.
#[test]
fn a_first_look_below_two_participants_never_stops() {
    let loaded = williams(&[
        "sequential.looks=[1, 30]",
        "sequential.futility={z=[0.5]}",
        "analysis.primary=completers_paired",
        "analysis.secondary=[\"responders_paired\"]",
    ]);
    assert_eq!(loaded.design.sequential().looks(), vec![1, 30]);
    let report = run_checked(&loaded);
    let first = &report.looks[0];
    assert!(first.critical_z.is_finite() && first.critical_z > 3.0);
    assert_eq!(
        (
            first.p_stop_efficacy,
            first.p_stop_futility,
            first.p_stop_harm
        ),
        (0.0, 0.0, 0.0)
    );
    assert_eq!(first.mean_estimate_at_stop, None);
    assert_eq!(report.primary.early_stopped, 0);
    assert_eq!(
        (report.expected_enrolled.mean, report.expected_enrolled.se),
        (30.0, 0.0)
    );
    let p = &report.primary.missing;
    assert_missing(
        p,
        "looks[0].mean_estimate_at_stop",
        "no trial stopped at look 1",
    );
    assert_missing(p, "mean_estimate_early_stopped", "no trial stopped early");
    assert!(report.primary.mean_estimate_at_stop.is_some());
}

/// Overrides under which nobody can respond: scores cannot fall below 1, and a response needs
/// a 100% reduction (a score of 0).
const NO_ONE_RESPONDS: [&str; 2] = [
    "population.scale={min=1, max=52, integer=true}",
    "response.reduction=1.0",
];

/// A responder definition no one meets: responders_paired (the primary) is never analysable
/// (power 0, not analyzable on every trial, mean estimate missing with its reason), McNemar has
/// no discordant pair, no trial stops early, and the responder count is 0 in every trial.
#[test]
fn a_responder_definition_no_one_meets() {
    let loaded = williams(&NO_ONE_RESPONDS);
    let report = run_checked(&loaded);
    let p = &report.primary;
    assert_eq!(p.analysis, "responders_paired");
    assert_eq!(p.power.estimate, 0.0);
    assert_eq!(p.not_analyzable, report.replicates);
    assert_eq!(p.mean_estimate_at_stop, None);
    assert_missing(
        &p.missing,
        "mean_estimate_at_stop",
        "not analyzable on any trial",
    );
    assert_never_analyzable(&report, "responders_paired", &["too few participants"]);
    assert_never_analyzable(
        &report,
        "responder_mcnemar",
        &["no discordant pairs", "too few participants"],
    );
    assert_eq!(
        (report.expected_enrolled.mean, report.expected_enrolled.se),
        (30.0, 0.0)
    );
    let responders = report.responders.as_ref().unwrap();
    assert_eq!(responders.mean, 0.0);
    assert_eq!(responders.distribution[0], 1.0);
    // The other analyses are unaffected.
    assert!(report.analyses["completers_paired"].analyzed > 0);
    assert_eq!(report.adverse_events.as_ref().unwrap().rate.len(), 2);
}

/// A trial stopped early for harm whose primary analysis was not analysable: the early-stopped
/// mean estimate is missing because nothing was analysable, not because nothing stopped early.
#[test]
fn harm_stops_with_an_unanalysable_primary_explain_the_missing_estimate() {
    let mut sets = NO_ONE_RESPONDS.to_vec();
    sets.extend([
        "adverse_events.probability={\"ketamine+placebo\"=0.0, \"ketamine+naltrexone\"=1.0}",
        "sequential.harm={max_difference=0.5}",
    ]);
    let report = run_checked(&williams(&sets));
    let p = &report.primary;
    // At look 1 (15 enrolled) any completer makes the event difference 1 >= 0.5; 15 participants
    // with no completer has probability 0.25^15.
    assert_eq!(report.looks[0].p_stop_harm, 1.0);
    assert_eq!(p.early_stopped, report.replicates);
    assert_eq!(p.mean_estimate_early_stopped, None);
    assert_missing(
        &p.missing,
        "mean_estimate_early_stopped",
        "not analyzable on any trial that stopped early",
    );
    assert_missing(
        &p.missing,
        "looks[0].mean_estimate_at_stop",
        "not analyzable on any trial that stopped at look 1",
    );
    assert_missing(
        &p.missing,
        "looks[1].mean_estimate_at_stop",
        "no trial stopped at look 2",
    );
    assert_eq!(
        (report.expected_enrolled.mean, report.expected_enrolled.se),
        (15.0, 0.0)
    );
    let rates = &report.adverse_events.as_ref().unwrap().rate;
    assert_eq!(rates["ketamine+placebo"].estimate, 0.0);
    assert_eq!(rates["ketamine+naltrexone"].estimate, 1.0);
}

/// One replicate: every mean is over a single trial, so its Monte Carlo SE has a zero
/// denominator (n - 1) and is missing with that reason.
#[test]
fn a_single_replicate_has_no_monte_carlo_se() {
    let loaded = load(
        "configs/validation/paired_d05_n15.toml",
        &["simulation.replicates=1"],
    );
    let report = run_checked(&loaded);
    let p = &report.primary;
    assert!(p.mean_estimate_at_stop.is_some());
    assert_eq!(p.mean_estimate_at_stop_se, None);
    assert_missing(&p.missing, "mean_estimate_at_stop_se", "single trial");
    let a = &report.analyses["completers_paired"];
    assert!(a.mean_estimate.is_some());
    assert_eq!(a.mean_estimate_se, None);
    assert_missing(&a.missing, "mean_estimate_se", "single trial");
    assert_eq!(report.responders, None);
    assert_eq!(report.adverse_events, None);
}

/// Loads williams2018 with `sets` and expects a range error naming `key`.
fn rejected(sets: &[&str], key: &str, words: &str) {
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    let err = config::load(&crate_path(WILLIAMS), &overrides).unwrap_err();
    let shown = err.to_string();
    match &err {
        ConfigError::Invalid { key: k, .. } => assert_eq!(k, key, "{shown}"),
        other => panic!("expected a range error naming {key}, got {other:?}"),
    }
    assert!(shown.contains(WILLIAMS), "{shown}");
    assert!(shown.contains(key) && shown.contains(words), "{shown}");
}

/// A scale range the baseline cannot fit is rejected at validation, naming the key.
#[test]
fn a_scale_the_baseline_cannot_fit_is_rejected() {
    // The entry range [20, 52] lies outside a 0-10 scale.
    rejected(
        &["population.scale={min=0, max=10, integer=true}"],
        "population.baseline",
        "within the scale range [0, 10]",
    );
    // An integer scale and an entry range without a whole number.
    rejected(
        &["population.baseline={mean=20.5, sd=1.0, min=20.2, max=20.8}"],
        "population.baseline",
        "no whole-number score",
    );
    // An entry range that holds almost none of the baseline distribution.
    rejected(
        &["population.baseline={mean=0.0, sd=1.0, min=20, max=52}"],
        "population.baseline",
        "holds only",
    );
}
