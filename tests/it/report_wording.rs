//! Report wording (issue 23, defects 14 and 15): what `completers` counts, the direction of
//! rejections, SEs on the log scale, notes in words, and williams2018's primary table.

use crate::common::*;
use crossover_sim::report::{markdown, text};

/// Defect 14: Balaam's 2x4x2 (AA, BB, AB, BA) counts participants observed under both T and R,
/// not completers (half of them, with no dropout); a 2x2 keeps "completers".
#[test]
fn completers_say_what_they_count() {
    let r = run(&load(
        "configs/designs/design_2x4x2.toml",
        &["simulation.replicates=200"],
    ));
    assert!(!r.completers_complete_every_period());
    let t = text::render(&r);
    assert!(
        t.contains("participants observed under both T and R"),
        "{t}"
    );
    assert!(!t.contains("completers"), "{t}");
    let md = markdown::render(&r);
    assert!(
        md.contains("participants observed under both T and R at the stop"),
        "{md}"
    );
    assert!(!md.contains("completers at the stop"), "{md}");
    // Half the participants (sequences AB and BA) receive both conditions.
    assert!(r.completers.mean <= r.expected_enrolled.mean / 2.0 + 1e-9);
    let r2 = run(&load(
        "configs/designs/design_2x2.toml",
        &["simulation.replicates=200"],
    ));
    assert!(r2.completers_complete_every_period());
    assert!(text::render(&r2).contains(", completers "));
}

/// Defect 15: the "by direction" line whenever a two-sided test rejected (here every rejection
/// favours T); williams2018's table without the linear model's constants, "— (—)" or a
/// "mean 95.1% confidence limits" that is the last look's level only.
#[test]
fn williams2018_primary_table_and_direction() {
    let r = run(&load(
        "configs/williams2018.toml",
        &["simulation.replicates=300"],
    ));
    assert_eq!(r.primary.rejected_favouring_reference.estimate, 0.0);
    let t = text::render(&r);
    assert!(
        t.contains(
            "by direction: 1.0000 favouring the test condition, 0.0000 favouring the reference"
        ),
        "{t}"
    );
    let md = markdown::render(&r);
    assert!(!md.contains("— (—)"), "{md}");
    assert!(!md.contains("| v | df |"), "{md}");
    assert!(!md.contains("mean 95.1% confidence limits"), "{md}");
    assert!(md.contains("each at its stopping look's nominal level; 95.1% at the last look"));
    assert!(md.contains("The variance factor v and the residual df are not reported: the primary analysis responders_paired does not estimate the contrast."), "{md}");
}

/// Defect 15: fixed designs have no early-stop row or note, and no note names a raw key.
#[test]
fn fixed_design_notes_are_in_words() {
    for config in [
        "configs/validation/paired_d05_n30.toml",
        "configs/bioequivalence/abe_2x2.toml",
    ] {
        let r = run(&load(config, &["simulation.replicates=500"]));
        let md = markdown::render(&r);
        assert!(!md.contains("is missing:"), "{config}:\n{md}");
        assert!(!md.contains("early_stopped"), "{config}:\n{md}");
        assert!(!md.contains("trials stopped early"), "{config}:\n{md}");
        assert!(
            !md.contains("fixed design: no interim look"),
            "{config}:\n{md}"
        );
        assert!(!text::render(&r).contains("early-stopped"), "{config}");
    }
}

/// Defect 15: log-scale standard errors show two significant digits, never "(0.000)" or
/// "± 0.000".
#[test]
fn log_scale_standard_errors_are_not_zero() {
    let r = run(&load(
        "configs/bioequivalence/abe_2x2.toml",
        &["simulation.replicates=20000"],
    ));
    let se = r.primary.mean_estimate_at_stop_se.unwrap();
    assert!(se > 0.0 && se < 0.0005, "{se}");
    let md = markdown::render(&r);
    assert!(
        !md.contains("(0.000)") && !md.contains("± 0.000 ") && !md.contains("| 0.000 |"),
        "{md}"
    );
    let shown = format!("{se:.5}");
    assert!(md.contains(&shown), "{shown} in\n{md}");
}
