//! The three user jobs: sweeps, batch runs and the claim report.

use crate::common::*;
use crossover_sim::engine::NoProgress;
use crossover_sim::sweep::{parse_values, run_sweep, SweepSpec};
use predicates::prelude::*;

/// With common random numbers (replicate j identical at every N, and a larger cohort extending
/// a smaller one) the power curve of the analytic config is non-decreasing in N.
#[test]
fn power_is_non_decreasing_in_enrollment() {
    let base = load(
        "configs/validation/paired_d05_n15.toml",
        &["simulation.replicates=20000"],
    );
    let values = parse_values("10:60:2").unwrap();
    let spec = SweepSpec::new("design.enrolled", values);
    let sweep = run_sweep(&base, &spec, &NoProgress).unwrap();
    let powers: Vec<f64> = sweep.points.iter().map(|p| p.power.estimate).collect();
    for w in powers.windows(2) {
        assert!(w[1] >= w[0], "power decreased: {powers:?}");
    }
    assert_eq!(sweep.points.len(), 26);
}

/// pwr.t.test(d = 0.5, power = 0.8, type = "paired") gives n = 33.37, so 34 pairs:
/// power 0.8078 at 34 and 0.7970 at 33 (power::paired_t::paired_t_power). At 100,000 replicates
/// (SE 0.0013) the sweep must pick 34.
#[test]
fn target_power_finds_the_known_sample_size() {
    let out = tempfile::tempdir().unwrap();
    crossover_sim()
        .args([
            "sweep",
            "configs/validation/paired_d05_n15.toml",
            "--param",
            "design.enrolled",
            "--values",
            "30:38:1",
            "--target-power",
            "0.8",
            "--replicates",
            "100000",
            "--out",
        ])
        .arg(out.path())
        .current_dir(crate_path(""))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "target power 0.8: 34 is the smallest grid value",
        ));
    let dir = out.path().join("paired_d05_n15");
    for f in [
        "sweep-design.enrolled.csv",
        "sweep-design.enrolled.json",
        "sweep-design.enrolled-power.svg",
    ] {
        assert!(dir.join(f).exists(), "{f} missing");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("sweep-design.enrolled.json")).unwrap())
            .unwrap();
    assert_eq!(json["target"][0]["smallest_value"], 34);
}

#[test]
fn two_parameter_sweep_of_a_sequential_design_draws_its_plots() {
    let out = tempfile::tempdir().unwrap();
    crossover_sim()
        .args([
            "sweep",
            "configs/validation/gs_d05_n30.toml",
            "--param",
            "population.classes[0].change.test.mean",
            "--values",
            "0.0,0.5,1.0",
            "--param2",
            "population.correlation",
            "--values2",
            "0.2,0.6",
            "--replicates",
            "2000",
            "--out",
        ])
        .arg(out.path())
        .current_dir(crate_path(""))
        .assert()
        .success();
    let dir = out.path().join("gs_d05_n30");
    let stem = "sweep-population.classes_0_.change.test.mean-population.correlation";
    for suffix in [
        ".csv",
        ".json",
        "-power.svg",
        "-stop-early.svg",
        "-expected-n.svg",
    ] {
        assert!(
            dir.join(format!("{stem}{suffix}")).exists(),
            "{stem}{suffix} missing"
        );
    }
    // Long format: the swept keys as named columns, one power row per grid point.
    let mut reader = csv::Reader::from_path(dir.join(format!("{stem}.csv"))).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        &headers.iter().take(3).collect::<Vec<_>>(),
        &[
            "population.classes[0].change.test.mean",
            "population.correlation",
            "quantity"
        ]
    );
    let power: Vec<(String, String)> = reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[2] == "power")
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect();
    assert_eq!(power.len(), 6, "{power:?}");
    assert_eq!(power[0], ("0".to_string(), "0.2".to_string()));
}

#[test]
fn a_bad_sweep_value_is_rejected_before_simulating() {
    crossover_sim()
        .args([
            "sweep",
            "configs/validation/paired_d05_n15.toml",
            "--param",
            "population.correlation",
            "--values",
            "0.5,1.5",
        ])
        .current_dir(crate_path(""))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "population.correlation = 1.5: must be in (-1, 1]",
        ));
}

/// A folder with one broken config and two good ones: two results, the third's error, exit 1.
#[test]
fn batch_isolates_a_broken_config() {
    let configs = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    for (file, src) in [
        ("a.toml", "configs/validation/paired_d05_n15.toml"),
        ("c.toml", "configs/validation/gs_d05_n30_null.toml"),
    ] {
        std::fs::copy(crate_path(src), configs.path().join(file)).unwrap();
    }
    let broken = std::fs::read_to_string(crate_path("configs/validation/paired_d05_n30.toml"))
        .unwrap()
        .replace("correlation = 0.5", "correlation = 2.5");
    std::fs::write(configs.path().join("b.toml"), broken).unwrap();
    crossover_sim()
        .args(["batch", "--replicates", "2000", "--out"])
        .arg(out.path())
        .arg(configs.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "b.toml: population.correlation = 2.5",
        ));
    assert!(out.path().join("paired_d05_n15/summary.json").exists());
    assert!(out.path().join("gs_d05_n30_null/summary.json").exists());
    // Long format: one row per config and quantity, one row with the error for a failed one.
    let mut reader = csv::Reader::from_path(out.path().join("batch-summary.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let power: Vec<csv::StringRecord> = reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[column("quantity")] == "power" || &r[column("status")] == "failed")
        .collect();
    assert_eq!(power.len(), 3, "{power:?}");
    assert!(power[0][column("config_file")].ends_with("a.toml"));
    assert_eq!(&power[0][column("status")], "ok");
    assert!(power[1][column("config_file")].ends_with("b.toml"));
    assert_eq!(&power[1][column("status")], "failed");
    assert!(power[1][column("error")].contains("population.correlation = 2.5"));
    // The null config's rejection rate is flagged as a type I error, not as power.
    assert_eq!(&power[2][column("name")], "gs_d05_n30_null");
    assert_eq!(&power[2][column("under_null")], "TRUE");
    assert_eq!(&power[0][column("under_null")], "FALSE");
    let md = std::fs::read_to_string(out.path().join("batch-summary.md")).unwrap();
    assert!(md.contains("failed: ") && md.contains("type I error"));
}

#[test]
fn claim_runs_end_to_end_and_writes_every_section() {
    let out = tempfile::tempdir().unwrap();
    crossover_sim()
        .args([
            "claim",
            "configs/williams2018.toml",
            "--replicates",
            "1000",
            "--out",
        ])
        .arg(out.path())
        .current_dir(crate_path(""))
        .assert()
        .success()
        .stdout(predicate::str::contains("(a) ").and(predicate::str::contains("(f) ")));
    let dir = out.path().join("williams2018");
    let md = std::fs::read_to_string(dir.join("claim.md")).unwrap();
    for heading in [
        "## (a)",
        "## (b)",
        "## (c)",
        "## (d)",
        "## (e)",
        "## (f)",
        "**Verdict.**",
    ] {
        assert!(md.contains(heading), "claim.md lacks {heading}");
    }
    assert!(!md.contains("NaN"));
    // claim.html: the same report with both plots inlined, self-contained.
    let html = std::fs::read_to_string(dir.join("claim.html")).unwrap();
    for plot in ["claim-responders.svg", "claim-power-vs-enrolled.svg"] {
        let svg = std::fs::read_to_string(dir.join(plot)).unwrap();
        assert!(
            html.contains(svg.trim()),
            "{plot} is not inlined in claim.html"
        );
    }
    for line in md.lines().filter(|l| l.starts_with("## ")) {
        let heading = line[3..].replace('\'', "&#39;");
        assert!(
            html.contains(&format!("{heading}</h2>")),
            "claim.html lacks {line}"
        );
    }
    assert!(!html.contains("<script") && !html.contains("src="));
    // The responder distribution is drawn as bars with the target marked.
    let bars = std::fs::read_to_string(dir.join("claim-responders.svg")).unwrap();
    assert!(bars.matches("<rect").count() > 40 && bars.contains("target 15"));
}
