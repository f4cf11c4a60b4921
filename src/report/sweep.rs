//! Writing a sweep: `sweep-<param>.csv`, `sweep-<param>.json` and SVG plots of power (with its
//! 95% band), and for sequential designs the probability of stopping early and the expected N.
//! Both files record the config path, the `--set` overrides and the reproducing command.

use super::plot::{heat_map, line_chart, Chart, HeatMap, Series};
use super::{write_atomic, ReportError};
use crate::sweep::{numeric, SweepResult};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One row of sweep-<param>.csv.
#[derive(Debug, Serialize)]
struct Row {
    param: String,
    value: String,
    param2: String,
    value2: String,
    power: f64,
    power_se: f64,
    power_ci_low: f64,
    power_ci_high: f64,
    exact_power: Option<f64>,
    p_stop_early: f64,
    p_stop_early_se: f64,
    p_stop_efficacy_by_look: String,
    expected_enrolled: f64,
    expected_enrolled_se: f64,
    completers: f64,
    responders_mean: Option<f64>,
    p_responders_at_least_target: Option<f64>,
    primary_not_analyzable: u64,
    mean_estimate_at_stop: Option<f64>,
    config_file: String,
    overrides: String,
    seed: u64,
    replicates: u64,
    command: String,
}

fn text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// File-name form of a dotted key.
pub fn slug(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `sweep-<param>[-<param2>][-set-<hash>]`: the file stem of a sweep's outputs. Sweeps of the
/// same keys under different `--set` overrides get different stems, so neither overwrites the
/// other.
pub fn stem(param: &str, param2: Option<&str>, overrides: &[String]) -> String {
    let mut stem = format!("sweep-{}", slug(param));
    if let Some(p2) = param2 {
        stem.push('-');
        stem.push_str(&slug(p2));
    }
    if let Some(tag) = super::reproduce::overrides_tag(overrides) {
        stem.push('-');
        stem.push_str(&tag);
    }
    stem
}

/// Writes the sweep's files into `dir`; returns the paths written.
pub fn write_sweep(dir: &Path, sweep: &SweepResult) -> Result<Vec<PathBuf>, ReportError> {
    let stem = stem(&sweep.param, sweep.param2.as_deref(), &sweep.overrides);
    let overrides = serde_json::to_string(&sweep.overrides).unwrap_or_default();
    let mut written = Vec::new();
    let ser = |what: &str, e: String| ReportError::Serialize {
        what: what.to_string(),
        message: e,
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    for p in &sweep.points {
        w.serialize(Row {
            param: sweep.param.clone(),
            value: text(&p.value),
            param2: sweep.param2.clone().unwrap_or_default(),
            value2: p.value2.as_ref().map(text).unwrap_or_default(),
            power: p.power.estimate,
            power_se: p.power.se,
            power_ci_low: p.power.ci_low,
            power_ci_high: p.power.ci_high,
            exact_power: p.exact_power,
            p_stop_early: p.p_stop_early,
            p_stop_early_se: p.p_stop_early_se,
            p_stop_efficacy_by_look: p
                .p_stop_efficacy
                .iter()
                .map(|x| format!("{x}"))
                .collect::<Vec<_>>()
                .join(";"),
            expected_enrolled: p.expected_enrolled.mean,
            expected_enrolled_se: p.expected_enrolled.se,
            completers: p.completers.mean,
            responders_mean: p.responders_mean,
            p_responders_at_least_target: p.p_responders_at_least_target,
            primary_not_analyzable: p.primary_not_analyzable,
            mean_estimate_at_stop: p.mean_estimate_at_stop,
            config_file: sweep.config_file.clone(),
            overrides: overrides.clone(),
            seed: sweep.seed,
            replicates: sweep.replicates,
            command: sweep.command.clone(),
        })
        .map_err(|e| ser("sweep csv", e.to_string()))?;
    }
    let csv_bytes = w
        .into_inner()
        .map_err(|e| ser("sweep csv", e.to_string()))?;
    let csv_path = dir.join(format!("{stem}.csv"));
    write_atomic(&csv_path, &csv_bytes)?;
    written.push(csv_path);
    let json = serde_json::to_vec_pretty(sweep).map_err(|e| ser("sweep json", e.to_string()))?;
    let json_path = dir.join(format!("{stem}.json"));
    write_atomic(&json_path, &json)?;
    written.push(json_path);

    // A two-parameter grid: the rate over the grid, with its reference level marked (0.05 when
    // every point is a null, so the rate is a type I error; else the target power, or 0.8).
    if let Some(param2) = &sweep.param2 {
        let mut columns: Vec<&toml::Value> = Vec::new();
        let mut rows: Vec<&toml::Value> = Vec::new();
        for p in &sweep.points {
            if !columns.contains(&&p.value) {
                columns.push(&p.value);
            }
            if let Some(v2) = &p.value2 {
                if !rows.contains(&v2) {
                    rows.push(v2);
                }
            }
        }
        let null = sweep.points.iter().all(|p| p.under_null);
        let rate = if null { "type I error" } else { "power" };
        let values = rows
            .iter()
            .map(|&r| {
                columns
                    .iter()
                    .map(|&c| {
                        sweep
                            .points
                            .iter()
                            .find(|p| &p.value == c && p.value2.as_ref() == Some(r))
                            .map(|p| (p.power.estimate, p.power.se))
                    })
                    .collect()
            })
            .collect();
        let level = if null {
            0.05
        } else {
            sweep.target.first().map_or(0.8, |t| t.target)
        };
        let path = dir.join(format!("{stem}-grid.svg"));
        heat_map(
            &path,
            &HeatMap {
                title: format!(
                    "{}: {rate}, {} replicates per cell; cells above {level} outlined",
                    sweep.name, sweep.replicates
                ),
                x_label: sweep.param.clone(),
                y_label: param2.clone(),
                columns: columns.iter().map(|v| text(v)).collect(),
                rows: rows.iter().map(|v| text(v)).collect(),
                values,
                level,
            },
        )?;
        written.push(path);
    }
    // Plots need a numeric first parameter.
    if sweep.points.iter().any(|p| numeric(&p.value).is_none()) {
        return Ok(written);
    }
    let mut groups: Vec<(Option<toml::Value>, Vec<&crate::sweep::SweepPoint>)> = Vec::new();
    for p in &sweep.points {
        match groups.iter_mut().find(|(v, _)| v == &p.value2) {
            Some((_, list)) => list.push(p),
            None => groups.push((p.value2.clone(), vec![p])),
        }
    }
    let label = |v2: &Option<toml::Value>| match (&sweep.param2, v2) {
        (Some(k), Some(v)) => format!("{k} = {}", text(v)),
        _ => String::new(),
    };
    let power: Vec<Series> = groups
        .iter()
        .map(|(v2, pts)| Series {
            label: label(v2),
            points: pts
                .iter()
                .map(|p| (numeric(&p.value).unwrap_or(0.0), p.power.estimate))
                .collect(),
            band: pts
                .iter()
                .map(|p| {
                    (
                        numeric(&p.value).unwrap_or(0.0),
                        p.power.ci_low,
                        p.power.ci_high,
                    )
                })
                .collect(),
        })
        .collect();
    let hlines: Vec<f64> = sweep.target.iter().map(|t| t.target).take(1).collect();
    let path = dir.join(format!("{stem}-power.svg"));
    line_chart(
        &path,
        &Chart {
            title: format!(
                "{}: power against {} ({} replicates per point)",
                sweep.name, sweep.param, sweep.replicates
            ),
            x_label: sweep.param.clone(),
            y_label: "power (95% interval)".into(),
            hlines,
            y_range: Some((0.0, 1.0)),
        },
        &power,
    )?;
    written.push(path);
    if sweep.looks > 1 {
        let early: Vec<Series> = groups
            .iter()
            .map(|(v2, pts)| Series {
                label: label(v2),
                points: pts
                    .iter()
                    .map(|p| (numeric(&p.value).unwrap_or(0.0), p.p_stop_early))
                    .collect(),
                band: pts
                    .iter()
                    .map(|p| {
                        let x = numeric(&p.value).unwrap_or(0.0);
                        (
                            x,
                            (p.p_stop_early - 1.96 * p.p_stop_early_se).max(0.0),
                            (p.p_stop_early + 1.96 * p.p_stop_early_se).min(1.0),
                        )
                    })
                    .collect(),
            })
            .collect();
        let path = dir.join(format!("{stem}-stop-early.svg"));
        line_chart(
            &path,
            &Chart {
                title: format!(
                    "{}: probability of stopping before the last look",
                    sweep.name
                ),
                x_label: sweep.param.clone(),
                y_label: "P(stop early)".into(),
                hlines: vec![],
                y_range: Some((0.0, 1.0)),
            },
            &early,
        )?;
        written.push(path);
        let expected: Vec<Series> = groups
            .iter()
            .map(|(v2, pts)| Series {
                label: label(v2),
                points: pts
                    .iter()
                    .map(|p| (numeric(&p.value).unwrap_or(0.0), p.expected_enrolled.mean))
                    .collect(),
                band: vec![],
            })
            .collect();
        let path = dir.join(format!("{stem}-expected-n.svg"));
        line_chart(
            &path,
            &Chart {
                title: format!("{}: expected enrolled at the stop", sweep.name),
                x_label: sweep.param.clone(),
                y_label: "expected enrolled".into(),
                hlines: vec![],
                y_range: None,
            },
            &expected,
        )?;
        written.push(path);
    }
    Ok(written)
}
