//! Every shipped config (configs/**.toml) through `run`, `sweep` (one small grid) and `batch`
//! (issue 23): no report contains a figure that contradicts another. A two-stage run has no
//! look table; a responder summary needs a responder endpoint; adverse-event rates are there
//! whenever the section is; a rate is called a type I error exactly when the report's true
//! value is null; under a null the mean estimate lies within 4 SE of the true value (fixed
//! designs and symmetric two-sided tests, whose mean at the stop is unbiased under the null);
//! the sweep and batch figures of a config equal its run's at the same seed and replicates;
//! a two-stage sweep carries the stage-1 stops and the total N. Small replicate counts (300
//! per run, per grid point and per batch config) keep it fast; the comparisons between
//! commands are exact (common random numbers), the null check is 4 Monte Carlo SE.

use crate::common::*;
use crossover_sim::report::{markdown, text, RunReport};
use std::path::{Path, PathBuf};

const REPLICATES: u64 = 300;

fn shipped_configs() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "toml") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&crate_path("configs"), &mut out);
    out.sort();
    out
}

fn rel(path: &Path) -> String {
    path.strip_prefix(crate_path(""))
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// The checks on one run's report and its rendered pages.
fn check_run(config: &str, r: &RunReport) {
    let md = markdown::render(r);
    let t = text::render(r);
    let two_stage = r.two_stage.is_some();
    // One description of the design: its stages, or its looks.
    assert_eq!(two_stage, r.config.adaptive.is_some(), "{config}");
    if two_stage {
        assert!(
            r.looks.is_empty(),
            "{config}: a two-stage run with a look table"
        );
        assert!(
            !md.contains("## Looks") && !md.contains("fixed design"),
            "{config}"
        );
        let ts = r.two_stage.as_ref().unwrap();
        let stage1 = ts.p_stop_stage1_pass.estimate
            + ts.p_stop_stage1_fail.estimate
            + ts.p_stop_stage1_futility.estimate;
        assert!(
            (stage1 + ts.p_stage2.estimate - 1.0).abs() < 1e-9,
            "{config}"
        );
        assert!(
            (r.stopped_early().estimate - stage1).abs() < 1e-9,
            "{config}"
        );
        assert!((ts.total_enrolled.mean - r.expected_enrolled.mean).abs() < 1e-9);
    } else {
        assert!(!r.looks.is_empty() && md.contains("## Looks"), "{config}");
    }
    // A responder summary only with a responder endpoint, and then a real distribution.
    assert_eq!(
        r.responders.is_some(),
        r.config.response.is_some()
            && r.config
                .population
                .as_ref()
                .is_some_and(|p| p.baseline.is_some()),
        "{config}"
    );
    assert_eq!(
        r.responders.is_some(),
        md.contains("## Responders"),
        "{config}"
    );
    if let Some(resp) = &r.responders {
        let total: f64 = resp.distribution.iter().sum();
        assert!(
            (total - 1.0).abs() < 1e-9,
            "{config}: responders distribution {total}"
        );
        assert!(resp.mean <= r.completers.mean + 1e-9, "{config}");
    }
    // Adverse-event rates for every condition whenever the section is there.
    if let Some(ae) = &r.adverse_events {
        assert_eq!(ae.rate.len(), r.config.design.conditions.len(), "{config}");
        assert!(!t.contains("rate: \n"), "{config}");
    }
    // "type I error" exactly when the true value is null; the primary's rate is its analysis's.
    assert_eq!(
        md.contains("type I error"),
        r.under_null || r.contrasts.iter().any(|c| c.under_null),
        "{config}"
    );
    let primary = &r.analyses[&r.primary.analysis];
    assert_eq!(primary.rejection_rate, r.primary.power, "{config}");
    assert!(
        !md.contains("is missing:"),
        "{config}: a note with a raw key"
    );
    // Under a null the true value is the analysed quantity's mean (within 4 SE) where the mean
    // at the stop is unbiased: fixed designs, and two-sided tests (symmetric stopping).
    let fixed = r.looks.len() == 1 && !two_stage;
    if r.under_null && (fixed || r.config.analysis.hypothesis.is_two_sided()) {
        if let (Some(truth), Some(mean), Some(se)) = (
            r.primary.true_value,
            r.primary.mean_estimate_at_stop,
            r.primary.mean_estimate_at_stop_se,
        ) {
            assert_within(
                mean,
                truth,
                se,
                4.0,
                &format!("{config}: null mean estimate"),
            );
        }
    }
}

#[test]
fn every_shipped_config_reports_without_contradiction() {
    let configs = shipped_configs();
    assert!(configs.len() > 30, "{}", configs.len());
    let out = tempfile::tempdir().unwrap();
    let reps = format!("simulation.replicates={REPLICATES}");
    let mut runs = Vec::new();
    for path in &configs {
        let config = rel(path);
        let r = run(&load(&config, &[&reps]));
        check_run(&config, &r);
        // One small grid: the config's own N and twice it (balanced for every block size).
        let n = r.config.design.enrolled;
        crossover_sim()
            .current_dir(crate_path(""))
            .args(["sweep", &config, "--param", "design.enrolled", "--quiet"])
            .args(["--values", &format!("{n},{}", 2 * n)])
            .args(["--replicates", &REPLICATES.to_string()])
            .arg("--out")
            .arg(out.path())
            .assert()
            .success();
        let json = out.path().join(&r.name).join("sweep-design.enrolled.json");
        let sweep: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        let points = sweep["points"].as_array().unwrap();
        assert_eq!(points.len(), 2, "{config}");
        let own = &points[0];
        // Common random numbers: the grid point at the config's own N is its run.
        assert_eq!(
            own["power"]["estimate"].as_f64().unwrap(),
            r.primary.power.estimate,
            "{config}: sweep and run disagree"
        );
        assert_eq!(
            own["p_stop_early"].as_f64().unwrap(),
            r.stopped_early().estimate,
            "{config}"
        );
        assert_eq!(
            own["two_stage"].is_object(),
            r.two_stage.is_some(),
            "{config}"
        );
        if let Some(ts) = &r.two_stage {
            assert_eq!(
                own["two_stage"]["total_enrolled"]["mean"].as_f64().unwrap(),
                ts.total_enrolled.mean,
                "{config}"
            );
            let html = std::fs::read_to_string(json.with_extension("html")).unwrap();
            assert!(html.contains("P(stop after stage 1)"), "{config}");
            assert!(!html.contains("participants enrolled"), "{config}");
        }
        let sweep_md_null = points.iter().all(|p| p["under_null"].as_bool().unwrap());
        let html = std::fs::read_to_string(json.with_extension("html")).unwrap();
        assert_eq!(
            html.contains("Type I error at each grid point"),
            sweep_md_null,
            "{config}"
        );
        runs.push((r.name.clone(), r));
    }
    // Batch over every shipped folder: each config's figures are its run's.
    let batch_out = out.path().join("batch");
    crossover_sim()
        .current_dir(crate_path(""))
        .args([
            "batch",
            "configs",
            "--quiet",
            "--replicates",
            &REPLICATES.to_string(),
        ])
        .arg("--out")
        .arg(&batch_out)
        .assert()
        .success();
    let csv = std::fs::read_to_string(batch_out.join("batch-summary.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (q, est, name) = (col("quantity"), col("estimate"), col("name"));
    let mut checked = 0;
    for row in reader.records() {
        let row = row.unwrap();
        let Some((_, r)) = runs.iter().find(|(n, _)| n == &row[name]) else {
            panic!("batch ran a config the walk did not find: {}", &row[name]);
        };
        let value: f64 = match row[est].parse() {
            Ok(v) => v,
            Err(_) => continue,
        };
        let want = match &row[q] {
            "power" => r.primary.power.estimate,
            "p_stop_early" => r.stopped_early().estimate,
            "expected_enrolled" => r.expected_enrolled.mean,
            _ => continue,
        };
        assert!(
            (value - want).abs() <= 1e-12 * want.abs().max(1.0),
            "{}: batch {} {value} against run {want}",
            r.name,
            &row[q]
        );
        checked += 1;
    }
    assert!(checked >= 3 * runs.len(), "{checked} batch figures checked");
}
