//! docs/outputs.md documents every output (issue 15): every key of real summary.json files
//! (the seed trial with a futility rule, and a bioequivalence study with its ratios and exact
//! power), of a sweep's JSON, samplesize.json and a shard file, and every column and quantity of
//! every CSV, each in its own section of the document.

use crate::common::*;
use serde_json::Value as Json;
use std::collections::BTreeSet;
use std::path::Path;

fn outputs_md() -> String {
    std::fs::read_to_string(crate_path("docs/outputs.md")).unwrap()
}

/// The `## ` section of the document whose heading contains `title`.
fn section(doc: &str, title: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in doc.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            inside = heading.contains(title);
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(!out.is_empty(), "docs/outputs.md has no section {title:?}");
    out
}

fn is_proportion(map: &serde_json::Map<String, Json>) -> bool {
    let keys: BTreeSet<&str> = map.keys().map(String::as_str).collect();
    keys == BTreeSet::from(["estimate", "se", "ci_low", "ci_high"])
}

/// Key paths of a JSON output: arrays of objects give their keys under the array's path,
/// proportions are leaves (documented once as a type), maps keyed by analysis or condition
/// names give `<analysis>` and `<condition>`, maps of reasons are leaves, and the resolved
/// config and a shard's aggregation state are not descended into (config.md documents the one,
/// the other is internal).
fn key_paths(value: &Json, path: &str, out: &mut BTreeSet<String>) {
    match value {
        Json::Object(map) if !is_proportion(map) => {
            for (k, child) in map {
                let segment = match path {
                    "analyses" => "<analysis>",
                    "adverse_events.rate" | "contrasts.weights" => "<condition>",
                    _ => k.as_str(),
                };
                let p = if path.is_empty() {
                    segment.to_string()
                } else {
                    format!("{path}.{segment}")
                };
                out.insert(p.clone());
                let opaque = p == "config"
                    || p == "points.summary"
                    || p.ends_with(".missing")
                    || p == "primary.missing"
                    || p.ends_with(".not_analyzable_reasons");
                if !opaque {
                    key_paths(child, &p, out);
                }
            }
        }
        Json::Array(items) => {
            for item in items.iter().filter(|i| i.is_object()) {
                key_paths(item, path, out);
            }
        }
        _ => {}
    }
}

fn assert_documented(keys: &BTreeSet<String>, doc: &str, what: &str) {
    let missing: Vec<&String> = keys
        .iter()
        .filter(|k| !doc.contains(&format!("`{k}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/outputs.md ({what}) does not document: {missing:?}"
    );
}

/// The header of a CSV and the distinct values of its `quantity` column.
fn columns_and_quantities(path: &Path) -> (Vec<String>, BTreeSet<String>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let q = headers.iter().position(|h| h == "quantity").unwrap();
    let quantities = reader
        .records()
        .map(|r| r.unwrap()[q].to_string())
        .filter(|q| !q.is_empty())
        .collect();
    (headers, quantities)
}

#[test]
fn every_key_of_summary_json_and_every_column_of_summary_csv_is_documented() {
    let doc = outputs_md();
    let out = tempfile::tempdir().unwrap();
    // The seed trial with a futility rule (for the futility bound), and a bioequivalence study.
    cli_with_out(
        &[
            "run",
            "configs/williams2018.toml",
            "--replicates",
            "1000",
            "--set",
            "sequential.futility={ z = [0.5] }",
        ],
        out.path(),
    )
    .success();
    cli_with_out(
        &[
            "run",
            "configs/bioequivalence/abe_2x2.toml",
            "--replicates",
            "1000",
        ],
        out.path(),
    )
    .success();
    cli_with_out(
        &[
            "run",
            "configs/two_stage/potvin_b.toml",
            "--replicates",
            "1000",
        ],
        out.path(),
    )
    .success();
    // The inverse-normal method adds the median-unbiased estimate.
    cli_with_out(
        &[
            "run",
            "configs/two_stage/inverse_normal.toml",
            "--replicates",
            "1000",
        ],
        out.path(),
    )
    .success();
    // A 3x3 Latin square with two primary contrasts under Holm's procedure.
    cli_with_out(
        &[
            "run",
            "configs/designs/design_3x3.toml",
            "--replicates",
            "1000",
            "--set",
            "analysis.multiplicity=\"holm\"",
        ],
        out.path(),
    )
    .success();
    // A reference-scaled rule with every component (the NTID rule has the variability ratio).
    cli_with_out(
        &[
            "run",
            "configs/scaled/fda_ntid_2x2x4.toml",
            "--replicates",
            "1000",
        ],
        out.path(),
    )
    .success();
    // Two test formulations in a two-stage design decided by a rule (per-comparison paths).
    cli_with_out(
        &[
            "run",
            "configs/two_stage/two_formulations.toml",
            "--replicates",
            "1000",
        ],
        out.path(),
    )
    .success();
    // Assessments over days.
    cli_with_out(
        &[
            "run",
            "configs/williams2018_timecourse.toml",
            "--replicates",
            "1000",
        ],
        out.path(),
    )
    .success();
    let mut keys = BTreeSet::new();
    let mut columns = BTreeSet::new();
    let mut quantities = BTreeSet::new();
    for name in [
        "williams2018",
        "abe_2x2",
        "potvin_b",
        "inverse_normal",
        "design_3x3",
        "fda_ntid_2x2x4",
        "williams2018_timecourse",
        "two_stage_two_formulations",
    ] {
        let dir = out.path().join(name);
        key_paths(&json(&dir.join("summary.json")), "", &mut keys);
        let (h, q) = columns_and_quantities(&dir.join("summary.csv"));
        columns.extend(h);
        quantities.extend(q);
    }
    // Both kinds of report were exercised: responders, adverse events, a futility bound,
    // ratios and an exact power.
    for k in [
        "responders.quantiles.p50",
        "adverse_events.rate.<condition>",
        "primary.ratio.interval.lower",
        "closed_form.power",
        "closed_form.missing",
        "two_stage.total_enrolled.p_at_cap",
        "two_stage.comparisons.success_stage2",
        "two_stage.at_least_one",
        "two_stage.final_estimate.median_unbiased.bias_ratio",
        "analyses.<analysis>.rejection_rate",
        "contrasts.variance_factor",
        "family.familywise_error",
        "bioequivalence.variability_ratio",
        "bioequivalence.cv_reference.p95",
        "time_course.trajectory.sd",
    ] {
        assert!(keys.contains(k), "{k} not in {keys:?}");
    }
    for q in [
        "futility_z",
        "exact_power",
        "p_success",
        "total_enrolled_p95",
        "median_unbiased_bias",
        "p_responders",
        "responders_p50",
        "adverse_event_rate",
        "contrast_rejection_rate",
        "familywise_error",
        "p_bioequivalent",
        "p_variability_ratio",
        "upper_limit_p95",
    ] {
        assert!(quantities.contains(q), "{q} not in {quantities:?}");
    }
    assert_documented(&keys, &section(&doc, "summary.json"), "summary.json");
    let csv_section = section(&doc, "summary.csv");
    assert_documented(&columns, &csv_section, "summary.csv columns");
    assert_documented(&quantities, &csv_section, "summary.csv quantities");
}

#[test]
fn every_key_and_column_of_a_sweep_is_documented() {
    let doc = outputs_md();
    let out = tempfile::tempdir().unwrap();
    cli_with_out(
        &[
            "sweep",
            "configs/williams2018.toml",
            "--param",
            "design.enrolled",
            "--values",
            "20,30",
            "--param2",
            "population.correlation",
            "--values2",
            "0.2,0.5",
            "--target-power",
            "0.8",
            "--replicates",
            "500",
        ],
        out.path(),
    )
    .success();
    let stem = "sweep-design.enrolled-population.correlation";
    let dir = out.path().join("williams2018");
    let mut keys = BTreeSet::new();
    key_paths(&json(&dir.join(format!("{stem}.json"))), "", &mut keys);
    assert!(keys.contains("target.smallest_value") && keys.contains("points.p_stop_harm"));
    assert_documented(&keys, &section(&doc, "sweep-\\<stem\\>.json"), "sweep JSON");
    let (headers, quantities) = columns_and_quantities(&dir.join(format!("{stem}.csv")));
    // The swept keys name the first columns; the document calls them <param> and <param2>.
    assert_eq!(&headers[..2], ["design.enrolled", "population.correlation"]);
    let columns: BTreeSet<String> = ["<param>".to_string(), "<param2>".to_string()]
        .into_iter()
        .chain(headers[2..].iter().cloned())
        .collect();
    let csv_section = section(&doc, "sweep-\\<stem\\>.csv");
    assert_documented(&columns, &csv_section, "sweep CSV columns");
    assert_documented(&quantities, &csv_section, "sweep CSV quantities");
}

#[test]
fn every_column_of_the_batch_summary_is_documented() {
    let doc = outputs_md();
    let out = tempfile::tempdir().unwrap();
    cli_with_out(
        &[
            "batch",
            "configs/validation/gs_d05_n30.toml",
            "configs/bioequivalence/abe_2x2.toml",
            "--replicates",
            "500",
        ],
        out.path(),
    )
    .success();
    let (headers, quantities) = columns_and_quantities(&out.path().join("batch-summary.csv"));
    assert!(quantities.contains("exact_power"));
    let csv_section = section(&doc, "batch-summary.csv");
    assert_documented(
        &headers.into_iter().collect(),
        &csv_section,
        "batch columns",
    );
    assert_documented(&quantities, &csv_section, "batch quantities");
}

#[test]
fn every_key_of_samplesize_json_and_of_a_shard_file_is_documented() {
    let doc = outputs_md();
    let out = tempfile::tempdir().unwrap();
    cli_with_out(
        &[
            "samplesize",
            "configs/bioequivalence/abe_2x2.toml",
            "--replicates",
            "500",
        ],
        out.path(),
    )
    .success();
    let mut keys = BTreeSet::new();
    key_paths(
        &json(&out.path().join("abe_2x2/samplesize.json")),
        "",
        &mut keys,
    );
    assert_documented(&keys, &section(&doc, "samplesize.json"), "samplesize.json");
    cli_with_out(
        &[
            "sweep",
            "configs/validation/paired_d05_n15.toml",
            "--param",
            "design.enrolled",
            "--values",
            "10,20",
            "--target-power",
            "0.5",
            "--replicates",
            "3000",
            "--shard",
            "1/2",
        ],
        out.path(),
    )
    .success();
    let shard = out
        .path()
        .join("paired_d05_n15/shards/sweep-design.enrolled-shard-1-of-2.json");
    let mut keys = BTreeSet::new();
    key_paths(&json(&shard), "", &mut keys);
    assert!(keys.contains("sweep.values_arg") && keys.contains("replicate_range.end"));
    assert_documented(&keys, &section(&doc, "Shard files"), "shard files");
}

#[test]
fn every_key_of_calibration_json_is_documented() {
    let doc = outputs_md();
    let out = tempfile::tempdir().unwrap();
    cli_with_out(
        &[
            "calibrate",
            "configs/two_stage/potvin_b.toml",
            "--param",
            "log_normal.cv_within",
            "--values",
            "0.2",
            "--param2",
            "design.enrolled",
            "--values2",
            "12",
            "--range",
            "0.02:0.04",
            "--tolerance",
            "0.005",
            "--check-alpha",
            "0.0294",
            "--replicates",
            "2000",
        ],
        out.path(),
    )
    .success();
    let mut keys = BTreeSet::new();
    key_paths(
        &json(&out.path().join("potvin_b/calibration.json")),
        "",
        &mut keys,
    );
    assert!(keys.contains("checked.points.power") && keys.contains("search.at_value2"));
    assert_documented(
        &keys,
        &section(&doc, "calibration.json"),
        "calibration.json",
    );
    let (columns, quantities) =
        columns_and_quantities(&out.path().join("potvin_b/calibration.csv"));
    let listed = &doc;
    for q in quantities {
        assert!(listed.contains(&format!("`{q}`")), "quantity {q}");
    }
    for c in columns.iter().filter(|c| !c.contains('.')) {
        assert!(
            doc.contains(&format!("`{c}`")),
            "calibration.csv column {c} is not documented"
        );
    }
}
