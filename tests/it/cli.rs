//! End-to-end tests of the binary: runs write their files, bad configs fail with the key named
//! and a non-zero exit (never a panic).

use crate::common::*;
use predicates::prelude::*;

#[test]
fn run_writes_summary_files_with_the_documented_keys() {
    let out = tempfile::tempdir().unwrap();
    crossover_sim()
        .args([
            "run",
            "configs/williams2018.toml",
            "--replicates",
            "2000",
            "--out",
        ])
        .arg(out.path())
        .current_dir(crate_path(""))
        .assert()
        .success()
        .stdout(predicate::str::contains("power (responders_paired)"));
    let dir = out.path().join("williams2018");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    for pointer in [
        "/replicates",
        "/seed",
        "/primary/analysis",
        "/primary/power/estimate",
        "/primary/power/se",
        "/analyses/completers_paired/rejection_rate/estimate",
        "/analyses/completers_paired/rejection_rate/se",
        "/analyses/completers_paired/mean_estimate",
        "/analyses/completers_paired/not_analyzable",
        "/completers/mean",
        "/responders/mean",
        "/responders/p_at_least_target",
        "/looks/0/enrolled",
        "/looks/0/p_stop_efficacy",
        "/looks/0/p_stop_futility",
        "/looks/0/p_stop_harm",
        "/expected_enrolled",
        "/primary/mean_estimate_at_stop",
        "/primary/mean_estimate_early_stopped",
        "/tool/version",
        "/config/simulation/replicates",
        "/replicates_per_second",
    ] {
        assert!(
            json.pointer(pointer).is_some(),
            "summary.json lacks {pointer}"
        );
    }
    assert_eq!(json["replicates"], 2000);
    assert_eq!(json["config"]["simulation"]["replicates"], 2000);
    // Defaults are filled into the resolved config.
    assert_eq!(json["config"]["analysis"]["carryover_alpha"], 0.1);
    let csv = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    assert!(csv.starts_with(
        "quantity,analysis,contrast,metric,day,condition,look,reason,responders,estimate,se,ci_low,ci_high,under_null,name,"
    ));
    assert!(csv.lines().nth(1).unwrap().starts_with("power,"));
    let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(md.contains("## Looks") && md.contains("Resolved config"));
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty());
}

/// Each override breaks one rule; the message must name the key and what is allowed.
#[test]
fn invalid_configs_are_rejected_with_the_key_named() {
    let cases: &[(&str, &str)] = &[
        ("population.correlation=1.5", "population.correlation = 1.5: must be in (-1, 1]"),
        ("population.classes[0].probability=1.2", "population.classes[0].probability = 1.2: must be a probability in [0, 1]"),
        ("population.classes[0].probability=0.5", "class probabilities must sum to 1"),
        ("population.classes[1].change.\"ketamine+placebo\".sd=0", "population.classes[1].change.\"ketamine+placebo\".sd = 0"),
        ("design.randomization.block_size=3", "design.randomization.block_size = 3: must be a positive multiple of the number of sequences (2)"),
        ("design.enrolled=1", "design.enrolled = 1: must be a whole number from 2"),
        ("dropout.before_first_period=-0.1", "dropout.before_first_period = -0.1"),
        ("design.conditions=[\"a\", \"b\"]", "is not a condition"),
        ("analysis.primary=nonsense", "analysis.primary = \"nonsense\": not a known name; allowed: responders_paired, completers_paired"),
        ("design.colour=1", "unknown key `colour` in [design]; allowed: conditions, reference, preset, sequences, enrolled, randomization"),
        ("sequential.looks=[15, 25]", "the last look must be at design.enrolled = 30"),
        ("sequential.looks=[20, 15, 30]", "strictly increasing"),
        ("population.baseline.mean=200", "the entry range holds only"),
        ("population.scale.max=40", "must lie within the scale range"),
        ("analysis.alpha=0", "analysis.alpha = 0: must be in [1e-9, 1)"),
        ("simulation.replicates=0", "simulation.replicates = 0"),
        ("sequential.harm={ max_difference = 2.0 }", "sequential.harm.max_difference = 2"),
        ("analysis.secondary=[\"completers_paired\", \"completers_paired\"]", "is listed twice"),
    ];
    for (set, expected) in cases {
        crossover_sim()
            .args(["validate", "configs/williams2018.toml", "--set", set])
            .current_dir(crate_path(""))
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains(*expected)
                    .and(predicate::str::contains("configs/williams2018.toml")),
            )
            .stderr(predicate::str::contains("panicked").not());
    }
}

#[test]
fn unreadable_and_malformed_configs_fail_cleanly() {
    crossover_sim()
        .args(["validate", "configs/does-not-exist.toml"])
        .current_dir(crate_path(""))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read config configs/does-not-exist.toml",
        ));
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "name = \"x\"\n[design\n").unwrap();
    crossover_sim()
        .args(["run"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.toml").and(predicate::str::contains("line 2")));
    crossover_sim()
        .args([
            "run",
            "configs/williams2018.toml",
            "--set",
            "design.enrolled",
        ])
        .current_dir(crate_path(""))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected KEY=VALUE"));
}

#[test]
fn validate_accepts_every_shipped_config() {
    crossover_sim()
        .args([
            "validate",
            "configs/williams2018.toml",
            "configs/williams2018_null.toml",
            "configs/validation/paired_d05_n15.toml",
            "configs/validation/paired_d05_n30.toml",
        ])
        .current_dir(crate_path(""))
        .assert()
        .success();
}
