//! Batch runs: the configs to run, and the side-by-side summary of their results. A config
//! that fails is recorded with its error and the others still run.

use crate::report::{write_atomic, ReportError, RunReport};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Expands folders into their `*.toml` files (sorted, recursively); files are kept as given. A
/// file reached twice (given twice, or also inside a given folder) is kept once.
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
    dedup_files(out)
}

/// `paths` without repeats of the same file (compared by canonical path when it exists).
pub fn dedup_files(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut seen = std::collections::HashSet::new();
    paths
        .into_iter()
        .filter(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())))
        .collect()
}

/// For configs run by one command, given as (path, name): the ones whose results would land in
/// the same folder `out/<name>/` as another's, each with a message naming the other files.
/// Names are compared ignoring case, because case-insensitive file systems (macOS, Windows)
/// would merge such folders.
pub fn name_collisions(configs: &[(&Path, &str)], out: &Path) -> BTreeMap<usize, String> {
    let mut clashes = BTreeMap::new();
    for (i, (path, name)) in configs.iter().enumerate() {
        let others: Vec<String> = configs
            .iter()
            .enumerate()
            .filter(|(j, (_, other))| *j != i && other.eq_ignore_ascii_case(name))
            .map(|(_, (p, n))| format!("{} (name = {n:?})", p.display()))
            .collect();
        if !others.is_empty() {
            clashes.insert(
                i,
                format!(
                    "{}: name = {name:?} is also the name of {}; both would write {}, and one would overwrite the other: give each config its own `name`",
                    path.display(),
                    others.join(", "),
                    out.join(name).display()
                ),
            );
        }
    }
    clashes
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
    /// Config name (empty when the config could not be loaded).
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
    /// Seed.
    pub seed: Option<u64>,
    /// The `--set` arguments applied, as a JSON array of strings.
    pub overrides: String,
    /// The command that reproduces this config's results (failed configs: its error).
    pub command: String,
}

impl BatchRow {
    /// A successful run.
    pub fn ok(config: &Path, r: &RunReport) -> BatchRow {
        let null = r.is_null();
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
            seed: Some(r.seed),
            overrides: serde_json::to_string(&r.overrides).unwrap_or_default(),
            command: r.command.clone(),
        }
    }

    /// A config that failed, with its error; `command` shows the failure again.
    pub fn failed(config: &Path, error: &str, overrides: &[String], command: &str) -> BatchRow {
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
            seed: None,
            overrides: serde_json::to_string(overrides).unwrap_or_default(),
            command: command.to_string(),
        }
    }
}

/// Writes `out/batch-summary.csv` and `out/batch-summary.md`; `command` is the batch command
/// that reproduces them.
pub fn write_summary(
    out: &Path,
    rows: &[BatchRow],
    command: &str,
) -> Result<Vec<PathBuf>, ReportError> {
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
    let mut md = format!("# Batch summary\n\nProduced by `{command}` ({} {}); each config's own command is in the last column and in batch-summary.csv.\n\n| config | name | status | primary | power | type I error | ± SE | P(stop early) | expected enrolled | completers | replicates | seed | reproduce |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"));
    for r in rows {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | `{}` |",
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
            r.replicates.map_or(String::new(), |n| n.to_string()),
            r.seed.map_or(String::new(), |n| n.to_string()),
            r.command.replace('|', "\\|")
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
