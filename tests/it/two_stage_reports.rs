//! Reports of two-stage runs (issue 23, defects 1 and 3): every per-participant summary covers
//! both stages, and the report describes the stages, not the look table of a fixed design.

use crate::common::*;
use crossover_sim::report::{markdown, text, RunReport};

const REESTIMATE: &str = "configs/two_stage/reestimate_superiority.toml";

fn reestimate(replicates: u64) -> RunReport {
    let r = format!("simulation.replicates={replicates}");
    run(&load(REESTIMATE, &[&r]))
}

/// Defect 1: responders, adverse events and completers count the participants of both stages.
#[test]
fn per_participant_summaries_cover_both_stages() {
    let r = reestimate(2000);
    let ts = r.two_stage.as_ref().unwrap();
    let n1 = 12usize;
    // Responders: a real distribution, reaching past n1 (most trials enrol a second stage).
    let resp = r
        .responders
        .as_ref()
        .expect("the config has a responder endpoint");
    let total: f64 = resp.distribution.iter().sum();
    assert!((total - 1.0).abs() < 1e-9, "distribution sums to {total}");
    assert!(resp.distribution.len() > n1 + 1);
    let beyond_n1: f64 = resp.distribution[n1 + 1..].iter().sum();
    assert!(
        ts.p_stage2.estimate > 0.9 && beyond_n1 > 0.05,
        "{beyond_n1}"
    );
    assert!(resp.mean > 0.0 && resp.mean < r.completers.mean);
    let mean_from_distribution: f64 = resp
        .distribution
        .iter()
        .enumerate()
        .map(|(k, p)| k as f64 * p)
        .sum();
    assert!((mean_from_distribution - resp.mean).abs() < 1e-9);
    assert!(resp.quantiles.p05 <= resp.quantiles.p50 && resp.quantiles.p50 <= resp.quantiles.p95);
    assert!(
        resp.quantiles.p05 < resp.quantiles.p95,
        "{:?}",
        resp.quantiles
    );
    // The share of completers responding under the reference does not depend on the stage:
    // it matches the fixed seed trial's (same population). Participants are independent, so
    // each share's SE is binomial over the completers; tolerance 4 SE of the difference.
    let fixed = run(&load(
        "configs/williams2018.toml",
        &["simulation.replicates=2000"],
    ));
    let fixed_resp = fixed.responders.as_ref().unwrap();
    let share = |resp_mean: f64, completers: f64, replicates: f64| {
        let p = resp_mean / completers;
        (p, (p * (1.0 - p) / (completers * replicates)).sqrt())
    };
    let (p2, se2) = share(resp.mean, r.completers.mean, r.replicates as f64);
    let (p1, se1) = share(
        fixed_resp.mean,
        fixed.completers.mean,
        fixed.replicates as f64,
    );
    assert_within(
        p2,
        p1,
        (se1 * se1 + se2 * se2).sqrt(),
        4.0,
        "share of completers responding under the reference",
    );
    // Adverse events: per treated period at the configured probabilities (0.25 and 0.58).
    // Each treated period is an independent draw; ~2000 x 45 periods per condition, so a
    // binomial SE; tolerance 4 SE.
    let ae = r.adverse_events.as_ref().unwrap();
    assert_eq!(ae.rate.len(), 2, "{:?}", ae.rate);
    for (condition, want) in [("ketamine+placebo", 0.25), ("ketamine+naltrexone", 0.58)] {
        let p = &ae.rate[condition];
        assert!(p.se > 0.0);
        assert_within(p.estimate, want, p.se, 4.0, condition);
    }
    assert!(!r
        .primary
        .missing
        .keys()
        .any(|k| k.starts_with("adverse_events")));
    // The terminal summary and summary.md say so.
    let t = text::render(&r);
    assert!(t.contains("nausea rate: ketamine+naltrexone 0.5"), "{t}");
    assert!(
        t.contains("responders under reference (both stages)"),
        "{t}"
    );
    let md = markdown::render(&r);
    assert!(!md.contains("no participant was treated"), "{md}");
    assert!(md.contains("| ketamine+placebo | 0.2"), "{md}");
}

/// Defect 3: no look table, no "fixed design" note, no fixed-N constants; the early-stopped
/// figures are those of the trials that stopped after stage 1.
#[test]
fn two_stage_reports_show_stages_not_looks() {
    for config in [REESTIMATE, "configs/two_stage/potvin_b.toml"] {
        let r = run(&load(config, &["simulation.replicates=2000"]));
        let ts = r.two_stage.as_ref().unwrap();
        assert!(r.looks.is_empty(), "{config}: {:?}", r.looks);
        let md = markdown::render(&r);
        assert!(!md.contains("## Looks"), "{config}:\n{md}");
        assert!(!md.contains("fixed design"), "{config}:\n{md}");
        assert!(!md.contains("critical z"), "{config}:\n{md}");
        assert!(!md.contains("is missing:"), "{config}:\n{md}");
        assert!(md.contains("## Two-stage design"), "{config}");
        let t = text::render(&r);
        assert!(!t.contains("early-stopped"), "{config}: {t}");
        // Stopped after stage 1 = pass + fail + futility at the interim.
        let stage1 = ts.p_stop_stage1_pass.estimate
            + ts.p_stop_stage1_fail.estimate
            + ts.p_stop_stage1_futility.estimate;
        assert_eq!(
            r.primary.early_stopped,
            (stage1 * r.replicates as f64).round() as u64,
            "{config}"
        );
        assert!(r.primary.mean_estimate_early_stopped.is_some(), "{config}");
        assert!(md.contains("trials stopped after stage 1"), "{config}");
        // No fixed-N constants (v, df) and no effect size of the pooled estimate.
        for c in &r.contrasts {
            assert!(c.variance_factor.is_none() && c.df.is_none(), "{config}");
            assert!(c.missing["variance_factor"].contains("two-stage"));
        }
        assert!(r.primary.mean_effect_size_at_stop.is_none());
        for a in r.analyses.values() {
            assert!(a.mean_effect_size.is_none(), "{config}");
        }
    }
}
