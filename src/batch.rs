//! Batch runs: the configs to run, and the side-by-side summary of their results. A config
//! that fails is recorded with its error and the others still run.

use crate::report::{write_atomic, ReportError, RunReport};
use serde::Serialize;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Expands folders into their `*.toml` files (sorted, recursively); files are kept as given.
pub fn collect_configs(inputs: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found = Vec::new();
            walk(input, &mut found);
            found.sort();
            out.extend(found);
        } else {
            out.push(input.clone());
        }
    }
    out
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, found);
        } else if path.extension().is_some_and(|e| e == "toml") {
            found.push(path);
        }
    }
}

/// One config's line in batch-summary.csv.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BatchRow {
    /// Config path.
    pub config: String,
    /// Config name (empty when it could not be read).
    pub name: String,
    /// "ok" or "failed".
    pub status: String,
    /// The error, for failed configs.
    pub error: String,
    /// Primary analysis.
    pub primary: String,
    /// Whether the config is a null (true effect 0).
    pub null: Option<bool>,
    /// Power (non-null configs).
    pub power: Option<f64>,
    /// Type I error (null configs).
    pub type_one_error: Option<f64>,
    /// MC SE of the rejection rate.
    pub rejection_se: Option<f64>,
    /// Probability of stopping before the last look.
    pub p_stop_early: Option<f64>,
    /// Expected enrolled.
    pub expected_enrolled: Option<f64>,
    /// Mean completers.
    pub completers: Option<f64>,
    /// Replicates.
    pub replicates: Option<u64>,
}

impl BatchRow {
    /// A successful run.
    pub fn ok(config: &Path, r: &RunReport) -> BatchRow {
        let null = r.true_effect == 0.0;
        let rate = r.primary.power.estimate;
        let early = r.p_stop_early();
        BatchRow {
            config: config.display().to_string(),
            name: r.name.clone(),
            status: "ok".into(),
            error: String::new(),
            primary: r.primary.analysis.clone(),
            null: Some(null),
            power: (!null).then_some(rate),
            type_one_error: null.then_some(rate),
            rejection_se: Some(r.primary.power.se),
            p_stop_early: Some(early),
            expected_enrolled: Some(r.expected_enrolled.mean),
            completers: Some(r.completers.mean),
            replicates: Some(r.replicates),
        }
    }

    /// A config that failed, with its error.
    pub fn failed(config: &Path, error: &str) -> BatchRow {
        BatchRow {
            config: config.display().to_string(),
            name: String::new(),
            status: "failed".into(),
            error: error.to_string(),
            primary: String::new(),
            null: None,
            power: None,
            type_one_error: None,
            rejection_se: None,
            p_stop_early: None,
            expected_enrolled: None,
            completers: None,
            replicates: None,
        }
    }
}

/// Writes `out/batch-summary.csv` and `out/batch-summary.md`.
pub fn write_summary(out: &Path, rows: &[BatchRow]) -> Result<Vec<PathBuf>, ReportError> {
    std::fs::create_dir_all(out).map_err(|e| ReportError::Io {
        path: out.display().to_string(),
        source: e,
    })?;
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.serialize(row).map_err(|e| ReportError::Serialize {
            what: "batch-summary.csv".into(),
            message: e.to_string(),
        })?;
    }
    let csv = w.into_inner().map_err(|e| ReportError::Serialize {
        what: "batch-summary.csv".into(),
        message: e.to_string(),
    })?;
    let opt = |x: Option<f64>, d: usize| x.map_or(String::new(), |v| format!("{v:.d$}"));
    let mut md = String::from("# Batch summary\n\n| config | name | status | primary | power | type I error | ± SE | P(stop early) | expected enrolled | completers | replicates |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    for r in rows {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.config,
            r.name,
            if r.status == "ok" {
                "ok".to_string()
            } else {
                format!("failed: {}", r.error.replace('|', "/").replace('\n', " "))
            },
            r.primary,
            opt(r.power, 4),
            opt(r.type_one_error, 4),
            opt(r.rejection_se, 4),
            opt(r.p_stop_early, 4),
            opt(r.expected_enrolled, 2),
            opt(r.completers, 2),
            r.replicates.map_or(String::new(), |n| n.to_string())
        );
    }
    let mut written = Vec::new();
    for (file, bytes) in [
        ("batch-summary.csv", csv),
        ("batch-summary.md", md.into_bytes()),
    ] {
        let path = out.join(file);
        write_atomic(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}
