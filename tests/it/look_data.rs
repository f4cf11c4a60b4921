//! The look's data gathered the fast way equals the look's data gathered participant by
//! participant: `LookData::set_no_outcomes` (the engine's workspace calls it for cohorts that
//! record no responses and no adverse events) takes treated periods and participants with T and
//! R from the pattern counts, and must give exactly the counts, statistics and fits of the
//! general path, look after look, with dropout in every period. And the replicate statistics,
//! extended look by look in the look's own pass, equal those computed from scratch over the
//! look's participants.

use crossover_sim::analysis::replicate::{ReplicateModel, ReplicateNeeds};
use crossover_sim::analysis::{self, LookData, Needs};
use crossover_sim::config::{self, Override};
use crossover_sim::engine::seed::replicate_rng;
use crossover_sim::model::{Cohort, CohortModel};
use std::path::Path;

fn check(rel: &str, sets: &[&str]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    let loaded = config::load(&path, &overrides).unwrap();
    let d = &loaded.design;
    assert!(!d.cohort().records_responses() && !d.cohort().records_adverse_events());
    let needs = Needs::of(d.analysis().all()).union(Needs::REPLICATE);
    let replicate_needs = ReplicateNeeds {
        anova: true,
        isc: true,
        test_variance: d.crossover().repeats(d.test()),
    };
    let look = || {
        let mut look = LookData::new(d.enrolled(), d.crossover(), d.test(), d.reference(), needs);
        look.set_replicate_needs(replicate_needs);
        look
    };
    let mut from_scratch =
        ReplicateModel::new(d.crossover(), d.test(), d.reference(), replicate_needs);
    let (mut general, mut by_pattern) = (look(), look());
    by_pattern.set_no_outcomes(d.crossover());
    let model = CohortModel::new(d.cohort());
    let mut cohort = Cohort::default();
    let n = d.enrolled();
    let primary = d.analysis().primary();
    let mut incomplete = 0;
    for j in 0..400 {
        model.draw(&mut replicate_rng(5, j), &mut cohort);
        incomplete += cohort.periods_completed[..n]
            .iter()
            .filter(|&&m| usize::from(m) < cohort.periods())
            .count();
        general.reset();
        by_pattern.reset();
        for look_n in [n / 3, n / 2 + 1, n] {
            general.extend(&cohort, look_n);
            by_pattern.extend(&cohort, look_n);
            let what = format!("{rel} {sets:?}, replicate {j}, look at {look_n}");
            assert_eq!(general.treated, by_pattern.treated, "treated: {what}");
            assert_eq!(general.completers(), by_pattern.completers(), "{what}");
            assert_eq!(
                (
                    general.reference_responders,
                    general.response_discordant,
                    &general.adverse_events,
                    general.paired_adverse_events
                ),
                (
                    by_pattern.reference_responders,
                    by_pattern.response_discordant,
                    &by_pattern.adverse_events,
                    by_pattern.paired_adverse_events
                ),
                "outcome counts: {what}"
            );
            // Compared as printed (shortest round-trip digits), so that NaN (not estimable)
            // equals NaN.
            assert_eq!(
                format!("{:?}", general.replicate),
                format!("{:?}", by_pattern.replicate),
                "{what}"
            );
            assert_eq!(
                format!("{:?}", general.replicate),
                format!("{:?}", from_scratch.estimate(&cohort, look_n)),
                "replicate statistics from scratch: {what}"
            );
            assert_eq!(
                format!("{:?}", analysis::run(primary, &mut general)),
                format!("{:?}", analysis::run(primary, &mut by_pattern)),
                "primary: {what}"
            );
        }
    }
    assert!(incomplete > 0, "the check needs participants who drop out");
}

#[test]
fn counting_by_pattern_and_look_by_look_equals_counting_everyone_from_scratch() {
    let dropout = [
        "dropout.before_first_period=0.05",
        "dropout.after_period=[0.1, 0.15, 0.1]",
    ];
    check("configs/scaled/ema_2x2x4.toml", &dropout);
    check(
        "configs/scaled/ema_2x3x3.toml",
        &[dropout[0], "dropout.after_period=[0.1, 0.15]"],
    );
    check(
        "configs/scaled/fda_rsabe_2x3x3.toml",
        &[dropout[0], "dropout.after_period=[0.2, 0.1]"],
    );
    check(
        "configs/designs/design_4x4.toml",
        &[dropout[0], "dropout.after_period=[0.1, 0.1, 0.1]"],
    );
}
