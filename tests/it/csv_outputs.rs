//! Every CSV the tool writes is tidy (issue 15): read back with the `csv` crate into typed rows,
//! its columns are exactly the documented ones, its values equal the JSON written beside it,
//! numbers carry no rounding residue, booleans are TRUE/FALSE and text is on one line. An
//! `insta` snapshot of each format on a small fixed-seed run guards the layout.

use crate::common::*;
use serde::Deserialize;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

/// TRUE/FALSE, as R writes and reads logicals.
fn logical<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    match String::deserialize(d)?.as_str() {
        "TRUE" => Ok(true),
        "FALSE" => Ok(false),
        other => Err(serde::de::Error::custom(format!(
            "expected TRUE or FALSE, got {other:?}"
        ))),
    }
}

fn optional_logical<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match String::deserialize(d)?.as_str() {
        "" => Ok(None),
        "TRUE" => Ok(Some(true)),
        "FALSE" => Ok(Some(false)),
        other => Err(serde::de::Error::custom(format!(
            "expected TRUE, FALSE or blank, got {other:?}"
        ))),
    }
}

/// A row of summary.csv.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SummaryRow {
    quantity: String,
    analysis: Option<String>,
    contrast: Option<String>,
    metric: Option<String>,
    day: Option<u32>,
    condition: Option<String>,
    look: Option<usize>,
    reason: Option<String>,
    responders: Option<usize>,
    estimate: Option<f64>,
    se: Option<f64>,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
    #[serde(deserialize_with = "logical")]
    under_null: bool,
    name: String,
    config_file: String,
    overrides: String,
    seed: u64,
    replicates: u64,
    version: String,
    command: String,
}

/// A row of the sweep CSV of `--param design.enrolled`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepRow {
    #[serde(rename = "design.enrolled")]
    enrolled: u64,
    quantity: String,
    analysis: Option<String>,
    look: Option<usize>,
    reason: Option<String>,
    estimate: Option<f64>,
    se: Option<f64>,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
    #[serde(deserialize_with = "logical")]
    under_null: bool,
    name: String,
    config_file: String,
    overrides: String,
    seed: u64,
    replicates: u64,
    version: String,
    command: String,
}

/// A row of batch-summary.csv.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchRow {
    config_file: String,
    name: String,
    status: String,
    error: String,
    quantity: String,
    analysis: Option<String>,
    estimate: Option<f64>,
    se: Option<f64>,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
    #[serde(deserialize_with = "optional_logical")]
    under_null: Option<bool>,
    overrides: String,
    seed: Option<u64>,
    replicates: Option<u64>,
    version: String,
    command: String,
}

const SUMMARY_HEADER: &str = "quantity,analysis,contrast,metric,day,condition,look,reason,responders,estimate,se,ci_low,ci_high,under_null,name,config_file,overrides,seed,replicates,version,command";
const SWEEP_HEADER: &str = "design.enrolled,quantity,analysis,look,reason,estimate,se,ci_low,ci_high,under_null,name,config_file,overrides,seed,replicates,version,command";
const BATCH_HEADER: &str = "config_file,name,status,error,quantity,analysis,estimate,se,ci_low,ci_high,under_null,overrides,seed,replicates,version,command";

fn read_rows<T: serde::de::DeserializeOwned>(path: &Path, header: &str) -> Vec<T> {
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(text.lines().next().unwrap(), header, "{}", path.display());
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader
        .deserialize()
        .map(|r| r.unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .collect()
}

fn f(v: &Json) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

/// The one row of `quantity` with the given qualifiers.
fn row<'a>(
    rows: &'a [SummaryRow],
    quantity: &str,
    analysis: Option<&str>,
    look: Option<usize>,
    reason: Option<&str>,
) -> &'a SummaryRow {
    let found: Vec<&SummaryRow> = rows
        .iter()
        .filter(|r| {
            r.quantity == quantity
                && r.analysis.as_deref() == analysis
                && r.look == look
                && r.reason.as_deref() == reason
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{quantity} {analysis:?} {look:?} {reason:?}"
    );
    found[0]
}

/// The row's estimate, SE and interval equal the JSON proportion.
fn same_proportion(r: &SummaryRow, p: &Json) {
    assert_eq!(r.estimate, Some(f(&p["estimate"])), "{r:?}");
    assert_eq!(r.se, Some(f(&p["se"])), "{r:?}");
    assert_eq!(r.ci_low, Some(f(&p["ci_low"])), "{r:?}");
    assert_eq!(r.ci_high, Some(f(&p["ci_high"])), "{r:?}");
}

/// A proportion of `replicates` trials has at most as many decimals as `replicates` has
/// digits: anything longer is the residue of arithmetic on rounded values.
fn assert_no_residue(estimate_text: &str, replicates: u64) {
    let decimals = estimate_text.split('.').nth(1).map_or(0, str::len);
    assert!(
        decimals <= replicates.to_string().len(),
        "{estimate_text} of {replicates} replicates has a rounding residue"
    );
}

#[test]
fn summary_csv_is_tidy_and_equals_summary_json() {
    let out = tempfile::tempdir().unwrap();
    run_cli(
        &[
            "run",
            "configs/williams2018.toml",
            "--replicates",
            "2000",
            "--set",
            "population.correlation=0.4",
        ],
        out.path(),
    );
    let dir = out.path().join("williams2018");
    let rows: Vec<SummaryRow> = read_rows(&dir.join("summary.csv"), SUMMARY_HEADER);
    let j = json(&dir.join("summary.json"));
    let primary = j["primary"]["analysis"].as_str().unwrap();
    same_proportion(
        row(&rows, "power", Some(primary), None, None),
        &j["primary"]["power"],
    );
    for (name, a) in j["analyses"].as_object().unwrap() {
        same_proportion(
            row(&rows, "rejection_rate", Some(name), None, None),
            &a["rejection_rate"],
        );
        let mean = row(&rows, "mean_estimate", Some(name), None, None);
        // The rows of an analysis name the contrast it tests; the carryover diagnostic's none.
        assert_eq!(mean.contrast.as_deref(), a["contrast"].as_str(), "{name}");
        assert_eq!(
            mean.contrast.is_none(),
            name == "carryover",
            "{name}: {:?}",
            mean.contrast
        );
        assert_eq!(mean.estimate, a["mean_estimate"].as_f64());
        assert_eq!(mean.se, a["mean_estimate_se"].as_f64());
        assert_eq!(
            row(&rows, "not_analyzable", Some(name), None, None).estimate,
            a["not_analyzable"].as_f64()
        );
    }
    for look in j["looks"].as_array().unwrap() {
        let k = look["look"].as_u64().unwrap() as usize;
        assert_eq!(
            row(&rows, "enrolled", None, Some(k), None).estimate,
            look["enrolled"].as_f64()
        );
        assert_eq!(
            row(&rows, "critical_z", None, Some(k), None).estimate,
            look["critical_z"].as_f64()
        );
        for reason in ["efficacy", "futility", "harm"] {
            let r = row(&rows, "p_stop", None, Some(k), Some(reason));
            assert_eq!(r.estimate, look[format!("p_stop_{reason}")].as_f64());
            assert_eq!(r.se, look[format!("p_stop_{reason}_se")].as_f64());
        }
    }
    let enrolled = row(&rows, "expected_enrolled", None, None, None);
    assert_eq!(enrolled.estimate, j["expected_enrolled"]["mean"].as_f64());
    assert_eq!(enrolled.se, j["expected_enrolled"]["se"].as_f64());
    let responders = &j["responders"];
    let at_least = row(&rows, "p_responders_at_least_target", None, None, None);
    assert_eq!(
        at_least.responders,
        responders["target"].as_u64().map(|t| t as usize)
    );
    assert_eq!(at_least.estimate, responders["p_at_least_target"].as_f64());
    let distribution: Vec<&SummaryRow> = rows
        .iter()
        .filter(|r| r.quantity == "p_responders")
        .collect();
    for r in &distribution {
        let k = r.responders.unwrap();
        assert_eq!(r.estimate, responders["distribution"][k].as_f64());
    }
    let total: f64 = distribution.iter().map(|r| r.estimate.unwrap()).sum();
    assert!((total - 1.0).abs() < 1e-9, "{total}");
    for (condition, rate) in j["adverse_events"]["rate"].as_object().unwrap() {
        let r: Vec<&SummaryRow> = rows
            .iter()
            .filter(|r| {
                r.quantity == "adverse_event_rate" && r.condition.as_deref() == Some(condition)
            })
            .collect();
        assert_eq!(r.len(), 1);
        same_proportion(r[0], rate);
    }
    // The config's average effect 0.58 x 16.7 - 0.42 is reported as written, 9.266.
    assert_eq!(
        row(&rows, "true_effect", None, None, None).estimate,
        Some(9.266)
    );
    // One row per observation: no two rows share a quantity and its qualifiers.
    let mut seen = std::collections::BTreeSet::new();
    for r in &rows {
        let key = (
            r.quantity.clone(),
            r.analysis.clone(),
            r.condition.clone(),
            r.look,
            r.reason.clone(),
            r.responders,
        );
        assert!(seen.insert(key.clone()), "two rows for {key:?}");
    }
    // Provenance on every row, and no row without a quantity.
    for r in &rows {
        assert!(!r.quantity.is_empty());
        assert!(!r.under_null);
        assert_eq!(r.name, "williams2018");
        assert_eq!(r.config_file, "configs/williams2018.toml");
        assert_eq!(r.overrides, r#"["population.correlation=0.4"]"#);
        assert_eq!(r.seed, j["seed"].as_u64().unwrap());
        assert_eq!(r.replicates, 2000);
        assert_eq!(r.version, j["tool"]["version"].as_str().unwrap());
        assert_eq!(r.command, j["command"].as_str().unwrap());
    }
    // Proportions are counts over 2000 replicates, printed without residue.
    let text = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for record in reader.records() {
        let record = record.unwrap();
        if [
            "power",
            "rejection_rate",
            "p_stop",
            "p_stop_early",
            "p_responders",
        ]
        .contains(&&record[0])
        {
            assert_no_residue(&record[6], 2000);
        }
    }
}

#[test]
fn summary_csv_of_a_ratio_endpoint_has_the_exact_power_and_the_ratios() {
    let out = tempfile::tempdir().unwrap();
    run_cli(
        &[
            "run",
            "configs/bioequivalence/abe_2x2.toml",
            "--replicates",
            "2000",
        ],
        out.path(),
    );
    let dir = out.path().join("abe_2x2");
    let rows: Vec<SummaryRow> = read_rows(&dir.join("summary.csv"), SUMMARY_HEADER);
    let j = json(&dir.join("summary.json"));
    let exact = row(&rows, "exact_power", Some("anova"), None, None);
    assert_eq!(exact.estimate, j["closed_form"]["power"].as_f64());
    assert!(exact.se.is_none() && exact.ci_low.is_none());
    let ratio = &j["primary"]["ratio"];
    assert_eq!(
        row(&rows, "true_ratio", Some("anova"), None, None).estimate,
        ratio["true_ratio"].as_f64()
    );
    assert_eq!(
        row(&rows, "geometric_mean_ratio", Some("anova"), None, None).estimate,
        ratio["geometric_mean_ratio"].as_f64()
    );
    assert_eq!(
        row(&rows, "ratio_interval_lower", Some("anova"), None, None).estimate,
        ratio["interval"]["lower"].as_f64()
    );
    assert_eq!(
        row(&rows, "mean_interval_level", Some("anova"), None, None).estimate,
        Some(0.9)
    );
    // No responder endpoint, no adverse events: no such rows.
    assert!(rows
        .iter()
        .all(|r| !r.quantity.contains("responders") && r.condition.is_none()));
}

#[test]
fn a_null_config_is_flagged_under_null() {
    let out = tempfile::tempdir().unwrap();
    run_cli(
        &[
            "run",
            "configs/validation/gs_d05_n30_null.toml",
            "--replicates",
            "1000",
        ],
        out.path(),
    );
    let rows: Vec<SummaryRow> = read_rows(
        &out.path().join("gs_d05_n30_null/summary.csv"),
        SUMMARY_HEADER,
    );
    assert!(rows.iter().all(|r| r.under_null));
}

#[test]
fn sweep_csv_is_long_with_the_swept_key_as_a_column() {
    let out = tempfile::tempdir().unwrap();
    run_cli(
        &[
            "sweep",
            "configs/williams2018.toml",
            "--param",
            "design.enrolled",
            "--values",
            "20:40:10",
            "--replicates",
            "1000",
        ],
        out.path(),
    );
    let dir = out.path().join("williams2018");
    let rows: Vec<SweepRow> = read_rows(&dir.join("sweep-design.enrolled.csv"), SWEEP_HEADER);
    let j = json(&dir.join("sweep-design.enrolled.json"));
    let points = j["points"].as_array().unwrap();
    assert_eq!(points.len(), 3);
    for p in points {
        let n = p["value"].as_u64().unwrap();
        let at: Vec<&SweepRow> = rows.iter().filter(|r| r.enrolled == n).collect();
        let one = |quantity: &str, look: Option<usize>, reason: Option<&str>| -> &SweepRow {
            let found: Vec<&&SweepRow> = at
                .iter()
                .filter(|r| {
                    r.quantity == quantity && r.look == look && r.reason.as_deref() == reason
                })
                .collect();
            assert_eq!(found.len(), 1, "{n}: {quantity} {look:?} {reason:?}");
            found[0]
        };
        let power = one("power", None, None);
        assert_eq!(power.analysis.as_deref(), Some("responders_paired"));
        assert_eq!(power.estimate, p["power"]["estimate"].as_f64());
        assert_eq!(power.se, p["power"]["se"].as_f64());
        assert_eq!(power.ci_low, p["power"]["ci_low"].as_f64());
        assert_eq!(power.ci_high, p["power"]["ci_high"].as_f64());
        let early = one("p_stop_early", None, None);
        assert_eq!(early.estimate, p["p_stop_early"].as_f64());
        assert_eq!(early.se, p["p_stop_early_se"].as_f64());
        // Every look's stopping probabilities, for every reason (the old file had efficacy
        // only, packed into one cell).
        for reason in ["efficacy", "futility", "harm"] {
            let per_look = p[format!("p_stop_{reason}")].as_array().unwrap();
            assert_eq!(per_look.len(), 2);
            for (k, x) in per_look.iter().enumerate() {
                assert_eq!(
                    one("p_stop", Some(k + 1), Some(reason)).estimate,
                    x.as_f64()
                );
            }
        }
        let enrolled = one("expected_enrolled", None, None);
        assert_eq!(enrolled.estimate, p["expected_enrolled"]["mean"].as_f64());
        assert_eq!(
            one("p_responders_at_least_target", None, None).estimate,
            p["p_responders_at_least_target"].as_f64()
        );
    }
    for r in &rows {
        assert!(!r.under_null);
        assert_eq!(r.name, "williams2018");
        assert_eq!(r.config_file, "configs/williams2018.toml");
        assert_eq!(r.overrides, "[]");
        assert_eq!(r.seed, j["seed"].as_u64().unwrap());
        assert_eq!(r.replicates, 1000);
        assert_eq!(r.version, j["version"].as_str().unwrap());
        assert_eq!(r.command, j["command"].as_str().unwrap());
    }
}

/// The sweep CSV leaves out the condition and responder-count columns: no observation of a
/// grid point may have a value there.
#[test]
fn sweep_rows_leave_out_only_blank_columns() {
    let loaded = load("configs/williams2018.toml", &["simulation.replicates=500"]);
    let report = run(&loaded);
    let point =
        crossover_sim::sweep::SweepPoint::from_report(toml::Value::Integer(30), None, &report);
    let observations = crossover_sim::report::sweep::point_observations(&point, 500);
    assert!(observations.len() > 5);
    for o in observations {
        assert!(!o.has("condition") && !o.has("responders"), "{o:?}");
    }
}

#[test]
fn batch_csv_has_a_row_per_config_and_quantity_and_one_line_errors() {
    let configs = tempfile::tempdir().unwrap();
    let broken = std::fs::read_to_string(crate_path("configs/validation/paired_d05_n30.toml"))
        .unwrap()
        .replace("enrolled = 30", "enroled = 30");
    let broken_path = configs.path().join("broken.toml");
    std::fs::write(&broken_path, broken).unwrap();
    let out = tempfile::tempdir().unwrap();
    crossover_sim()
        .args([
            "batch",
            "configs/validation/paired_d05_n15.toml",
            "configs/validation/gs_d05_n30_null.toml",
        ])
        .arg(&broken_path)
        .args(["--replicates", "1000", "--quiet", "--out"])
        .arg(out.path())
        .current_dir(crate_path(""))
        .assert()
        .code(1);
    let rows: Vec<BatchRow> = read_rows(&out.path().join("batch-summary.csv"), BATCH_HEADER);
    for (config, null) in [
        ("configs/validation/paired_d05_n15.toml", false),
        ("configs/validation/gs_d05_n30_null.toml", true),
    ] {
        let name = Path::new(config).file_stem().unwrap().to_str().unwrap();
        let j = json(&out.path().join(name).join("summary.json"));
        let of: Vec<&BatchRow> = rows.iter().filter(|r| r.config_file == config).collect();
        let quantities: Vec<&str> = of.iter().map(|r| r.quantity.as_str()).collect();
        assert_eq!(
            quantities,
            ["power", "p_stop_early", "expected_enrolled", "completers"]
        );
        let power = of[0];
        assert_eq!(power.analysis.as_deref(), Some("completers_paired"));
        assert_eq!(power.estimate, j["primary"]["power"]["estimate"].as_f64());
        assert_eq!(power.se, j["primary"]["power"]["se"].as_f64());
        assert_eq!(power.ci_low, j["primary"]["power"]["ci_low"].as_f64());
        assert_eq!(power.ci_high, j["primary"]["power"]["ci_high"].as_f64());
        assert_eq!(of[2].estimate, j["expected_enrolled"]["mean"].as_f64());
        for r in &of {
            assert_eq!(r.status, "ok");
            assert_eq!(r.name, name);
            assert!(r.error.is_empty());
            assert_eq!(r.under_null, Some(null));
            assert_eq!(r.seed, j["seed"].as_u64());
            assert_eq!(r.replicates, Some(1000));
            assert_eq!(r.overrides, "[]");
            assert_eq!(r.version, j["tool"]["version"].as_str().unwrap());
            assert_eq!(r.command, j["command"].as_str().unwrap());
        }
    }
    let failed: Vec<&BatchRow> = rows.iter().filter(|r| r.status == "failed").collect();
    assert_eq!(failed.len(), 1);
    let f = failed[0];
    assert_eq!(f.config_file, broken_path.display().to_string());
    assert!(f.quantity.is_empty() && f.estimate.is_none() && f.under_null.is_none());
    assert!(
        f.error
            .starts_with("line 10, column 1: unknown key `enroled` in [design]; allowed:"),
        "{}",
        f.error
    );
    assert!(
        !f.error.contains('^') && !f.error.contains('\n'),
        "{}",
        f.error
    );
    assert!(f.command.starts_with("crossover-sim run "), "{}", f.command);
}

#[test]
fn a_merged_run_writes_the_same_tidy_summary_csv() {
    let single = tempfile::tempdir().unwrap();
    run_cli(
        &["run", "configs/williams2018.toml", "--replicates", "3000"],
        single.path(),
    );
    let sharded = tempfile::tempdir().unwrap();
    let mut shards: Vec<PathBuf> = Vec::new();
    for k in 1..=2 {
        run_cli(
            &[
                "run",
                "configs/williams2018.toml",
                "--replicates",
                "3000",
                "--shard",
                &format!("{k}/2"),
            ],
            sharded.path(),
        );
        shards.push(
            sharded
                .path()
                .join(format!("williams2018/shards/shard-{k}-of-2.json")),
        );
    }
    crossover_sim()
        .arg("merge")
        .args(&shards)
        .args(["--quiet", "--out"])
        .arg(sharded.path())
        .assert()
        .success();
    let merged = sharded.path().join("williams2018/summary.csv");
    let rows: Vec<SummaryRow> = read_rows(&merged, SUMMARY_HEADER);
    assert!(rows.len() > 50);
    assert_eq!(
        std::fs::read_to_string(&merged).unwrap(),
        std::fs::read_to_string(single.path().join("williams2018/summary.csv")).unwrap()
    );
}

// ---------------------------------------------------------------------------------------------
// Snapshots of each format on a small fixed-seed run
// ---------------------------------------------------------------------------------------------

/// The CSV with the version column (which changes with every release) and the temporary
/// folder replaced by placeholders. The files have no timing column to strip.
fn normalized(path: &Path, tmp: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let version = headers.iter().position(|h| h == "version").unwrap();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&headers).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        let cells: Vec<String> = record
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == version {
                    "VERSION".to_string()
                } else {
                    c.replace(&tmp.display().to_string(), "TMP")
                }
            })
            .collect();
        w.write_record(&cells).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

#[test]
fn snapshot_of_summary_csv() {
    let out = tempfile::tempdir().unwrap();
    run_cli(
        &[
            "run",
            "configs/williams2018.toml",
            "--replicates",
            "300",
            "--seed",
            "15",
        ],
        out.path(),
    );
    insta::assert_snapshot!(
        "summary_csv",
        normalized(&out.path().join("williams2018/summary.csv"), out.path())
    );
}

#[test]
fn snapshot_of_sweep_csv() {
    let out = tempfile::tempdir().unwrap();
    run_cli(
        &[
            "sweep",
            "configs/validation/gs_d05_n30.toml",
            "--param",
            "design.enrolled",
            "--values",
            "20,30",
            "--param2",
            "population.correlation",
            "--values2",
            "0.2,0.5",
            "--replicates",
            "300",
            "--seed",
            "15",
        ],
        out.path(),
    );
    insta::assert_snapshot!(
        "sweep_csv",
        normalized(
            &out.path()
                .join("gs_d05_n30/sweep-design.enrolled-population.correlation.csv"),
            out.path()
        )
    );
}

#[test]
fn snapshot_of_batch_csv() {
    let configs = tempfile::tempdir().unwrap();
    let broken = std::fs::read_to_string(crate_path("configs/validation/paired_d05_n30.toml"))
        .unwrap()
        .replace("correlation = 0.5", "correlation = 2.5");
    std::fs::write(configs.path().join("broken.toml"), broken).unwrap();
    let out = tempfile::tempdir().unwrap();
    crossover_sim()
        .args([
            "batch",
            "configs/validation/paired_d05_n15.toml",
            "configs/bioequivalence/abe_2x2_null.toml",
        ])
        .arg(configs.path().join("broken.toml"))
        .args(["--replicates", "300", "--seed", "15", "--quiet", "--out"])
        .arg(out.path())
        .current_dir(crate_path(""))
        .assert()
        .code(1);
    insta::assert_snapshot!(
        "batch_csv",
        normalized(&out.path().join("batch-summary.csv"), configs.path())
    );
}

/// Several PK metrics: one row per metric and quantity, named in the `metric` column, equal to
/// summary.json's `metrics`; the rows of the whole trial leave the column blank.
#[test]
fn summary_csv_names_the_metric_of_each_metric_row() {
    let out = tempfile::tempdir().unwrap();
    run_cli(
        &[
            "run",
            "configs/scaled/two_metrics_2x2.toml",
            "--replicates",
            "2000",
        ],
        out.path(),
    );
    let dir = out.path().join("two_metrics_2x2");
    let rows: Vec<SummaryRow> = read_rows(&dir.join("summary.csv"), SUMMARY_HEADER);
    let j = json(&dir.join("summary.json"));
    let metrics = j["metrics"]["metrics"].as_array().unwrap();
    for m in metrics {
        let name = m["name"].as_str().unwrap();
        let passed: Vec<&SummaryRow> = rows
            .iter()
            .filter(|r| r.quantity == "p_metric_pass" && r.metric.as_deref() == Some(name))
            .collect();
        assert_eq!(passed.len(), 1, "{name}");
        assert_eq!(passed[0].estimate, m["passed"]["estimate"].as_f64());
    }
    let all = row(&rows, "p_all_metrics_pass", Some("anova"), None, None);
    assert_eq!(all.estimate, j["metrics"]["all_pass"]["estimate"].as_f64());
    assert!(all.metric.is_none());
    assert_eq!(all.estimate, j["primary"]["power"]["estimate"].as_f64());
    // No time course: no row names a day.
    assert!(rows.iter().all(|r| r.day.is_none()));
}
