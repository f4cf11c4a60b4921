//! Sweeps of two-stage designs (issue 23, defects 4, 5 and 6): the stage-1 stops and the
//! total N in the table, CSV and JSON; `design.enrolled` labelled as n1; the heat map's legend
//! and the docs describe the same outlines.

use crate::common::*;

fn sweep(out: &std::path::Path, config: &str, args: &[&str]) {
    crossover_sim()
        .current_dir(crate_path(""))
        .args(["sweep", config, "--quiet"])
        .args(args)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

/// Defect 4: at CV 0.1 almost every potvin_b trial stops after stage 1 (E[N] about 12.04);
/// the sweep says so in its JSON, CSV and table.
#[test]
fn two_stage_sweep_carries_stage_one_stops_and_total_n() {
    let out = tempfile::tempdir().unwrap();
    sweep(
        out.path(),
        "configs/two_stage/potvin_b.toml",
        &[
            "--param",
            "log_normal.cv_within",
            "--values",
            "0.1,0.3",
            "--replicates",
            "2000",
        ],
    );
    let dir = out.path().join("potvin_b");
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("sweep-log_normal.cv_within.json")).unwrap(),
    )
    .unwrap();
    let p = &json["points"][0];
    let ts = &p["two_stage"];
    let stage1: f64 = [
        "p_stop_stage1_pass",
        "p_stop_stage1_fail",
        "p_stop_stage1_futility",
    ]
    .iter()
    .map(|k| ts[k]["estimate"].as_f64().unwrap())
    .sum();
    let early = p["p_stop_early"].as_f64().unwrap();
    assert!(
        (early - stage1).abs() < 1e-9 && early > 0.95,
        "{early} {stage1}"
    );
    let mean_n = ts["total_enrolled"]["mean"].as_f64().unwrap();
    assert!(
        mean_n < 12.5 && ts["total_enrolled"]["p50"] == 12,
        "{mean_n}"
    );
    // At CV 0.3 most trials need stage 2.
    let later = &json["points"][1]["two_stage"];
    assert!(later["p_stage2"]["estimate"].as_f64().unwrap() > 0.5);
    let csv = std::fs::read_to_string(dir.join("sweep-log_normal.cv_within.csv")).unwrap();
    for quantity in [
        "p_stop_stage1",
        "p_stage2",
        "total_n",
        "total_n_p95",
        "total_n_max",
    ] {
        assert!(
            csv.lines().any(|l| l.contains(&format!(",{quantity},"))),
            "{quantity} missing from\n{csv}"
        );
    }
    assert!(csv.contains(",pass,") && csv.contains(",futility,"));
    let html = std::fs::read_to_string(dir.join("sweep-log_normal.cv_within.html")).unwrap();
    assert!(html.contains("P(stop after stage 1) ± SE"));
    assert!(html.contains("E[total N] ± SE"));
    assert!(html.contains("total N 5%, 50%, 95%, max"));
    assert!(dir
        .join("sweep-log_normal.cv_within-stop-early.svg")
        .exists());
}

/// Defect 5: in a two-stage sweep `design.enrolled` is the stage-1 size n1.
#[test]
fn two_stage_sweep_labels_enrolled_as_n1() {
    let out = tempfile::tempdir().unwrap();
    sweep(
        out.path(),
        "configs/two_stage/potvin_b.toml",
        &[
            "--param",
            "design.enrolled",
            "--values",
            "12,24",
            "--replicates",
            "300",
        ],
    );
    let dir = out.path().join("potvin_b");
    for file in [
        "sweep-design.enrolled-power.svg",
        "sweep-design.enrolled-expected-n.svg",
        "sweep-design.enrolled.html",
    ] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        assert!(text.contains("stage-1 size n1"), "{file}");
        assert!(!text.contains("participants enrolled"), "{file}");
    }
}

/// Defect 6: the heat map's legend names the outlines the cells get, and the docs say the same.
#[test]
fn heat_map_legend_matches_docs() {
    let out = tempfile::tempdir().unwrap();
    sweep(
        out.path(),
        "configs/two_stage/potvin_c_null.toml",
        &[
            "--param",
            "log_normal.cv_within",
            "--values",
            "0.2,0.3",
            "--param2",
            "design.enrolled",
            "--values2",
            "12,24",
            "--replicates",
            "300",
        ],
    );
    let svg = std::fs::read_to_string(
        out.path()
            .join("potvin_c_null")
            .join("sweep-log_normal.cv_within-design.enrolled-grid.svg"),
    )
    .unwrap();
    let legend = "outline: thin vermillion above 0.05, thick black more than 2 SE above 0.05";
    assert!(svg.contains(legend), "{svg}");
    assert!(!svg.contains("thick black: by more than 2 SE"));
    for doc in ["docs/two_stage.md", "docs/outputs.md"] {
        let text = std::fs::read_to_string(crate_path(doc))
            .unwrap()
            .replace('\n', " ");
        assert!(text.contains("thin vermillion"), "{doc}");
        assert!(
            text.contains("a thick black one when it is more than 2 SE above"),
            "{doc}"
        );
        assert!(!text.contains("red when more than 2 SE"), "{doc}");
    }
}
