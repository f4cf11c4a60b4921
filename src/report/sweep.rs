//! Writing a sweep: `sweep-<param>.csv`, `sweep-<param>.json` and SVG plots of power (with its
//! 95% band), and for sequential designs the probability of stopping early and the expected N.
//! Both files record the config path, the `--set` overrides and the reproducing command. The
//! CSV is tidy (long): one row per grid point and observation, the swept keys as named columns.

use super::csv_export::{self, Observation};
use super::plot::{heat_map, line_chart, Chart, HeatMap, Series};
use super::{write_atomic, ReportError};
use crate::sweep::{numeric, SweepPoint, SweepResult};
use std::path::{Path, PathBuf};

/// The observation columns of the sweep CSV (a sweep has no per-condition or per-count rows).
pub const SWEEP_OBSERVATION_COLUMNS: [&str; 8] = [
    "quantity", "analysis", "look", "reason", "estimate", "se", "ci_low", "ci_high",
];

/// A grid value as a CSV cell: numbers as every CSV writes them, booleans as TRUE/FALSE,
/// strings bare, arrays and tables in TOML.
fn value_cell(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => csv_export::text(s),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => csv_export::number(Some(*f)),
        toml::Value::Boolean(b) => csv_export::boolean(*b),
        other => csv_export::text(&other.to_string()),
    }
}

fn text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The observations of one grid point: power, the exact power where there is one, stopping
/// (early, and per look and reason), enrollment, responders and the primary estimate.
pub fn point_observations(p: &SweepPoint, replicates: u64) -> Vec<Observation> {
    let primary = p.primary.as_str();
    let of_primary = |o: Observation| {
        if primary.is_empty() {
            o
        } else {
            o.analysis(primary)
        }
    };
    let mut out = vec![of_primary(Observation::proportion("power", &p.power))];
    if let Some(exact) = p.exact_power {
        out.push(of_primary(Observation::value("exact_power", Some(exact))));
    }
    out.push(Observation::proportion(
        "p_stop_early",
        &csv_export::share(p.p_stop_early, replicates),
    ));
    for k in 0..p.p_stop_efficacy.len() {
        for (reason, per_look) in [
            ("efficacy", &p.p_stop_efficacy),
            ("futility", &p.p_stop_futility),
            ("harm", &p.p_stop_harm),
        ] {
            let x = per_look.get(k).copied().unwrap_or(0.0);
            out.push(
                Observation::proportion("p_stop", &csv_export::share(x, replicates))
                    .look(k + 1)
                    .reason(reason),
            );
        }
    }
    out.push(Observation::mean(
        "expected_enrolled",
        Some(p.expected_enrolled.mean),
        Some(p.expected_enrolled.se),
    ));
    out.push(Observation::mean(
        "completers",
        Some(p.completers.mean),
        Some(p.completers.se),
    ));
    if let Some(m) = p.responders_mean {
        out.push(Observation::value("responders_mean", Some(m)));
    }
    if let Some(x) = p.p_responders_at_least_target {
        out.push(Observation::proportion(
            "p_responders_at_least_target",
            &csv_export::share(x, replicates),
        ));
    }
    out.push(of_primary(Observation::value(
        "not_analyzable",
        Some(p.primary_not_analyzable as f64),
    )));
    out.push(of_primary(Observation::value(
        "mean_estimate_at_stop",
        p.mean_estimate_at_stop,
    )));
    out
}

/// The header of a sweep's CSV: the swept keys (named as written, e.g. `design.enrolled`), the
/// observation columns, `under_null` and the provenance.
pub fn csv_header(sweep: &SweepResult) -> Vec<String> {
    std::iter::once(sweep.param.clone())
        .chain(sweep.param2.clone())
        .chain(
            SWEEP_OBSERVATION_COLUMNS
                .iter()
                .chain(&["under_null"])
                .chain(csv_export::PROVENANCE_COLUMNS.iter())
                .map(|c| c.to_string()),
        )
        .collect()
}

/// A sweep's CSV as bytes: one row per grid point and observation (long format).
pub fn render_csv(sweep: &SweepResult) -> Result<Vec<u8>, ReportError> {
    let provenance = csv_export::Provenance {
        name: sweep.name.clone(),
        config_file: sweep.config_file.clone(),
        overrides: sweep.overrides.clone(),
        seed: sweep.seed,
        replicates: sweep.replicates,
        version: sweep.version.clone(),
        command: sweep.command.clone(),
    }
    .cells();
    let mut rows = Vec::new();
    for p in &sweep.points {
        let keys: Vec<String> = std::iter::once(value_cell(&p.value))
            .chain(
                sweep
                    .param2
                    .as_ref()
                    .map(|_| p.value2.as_ref().map(value_cell).unwrap_or_default()),
            )
            .collect();
        for o in point_observations(p, sweep.replicates) {
            rows.push(
                keys.iter()
                    .cloned()
                    .chain(SWEEP_OBSERVATION_COLUMNS.iter().map(|c| o.cell(c)))
                    .chain(std::iter::once(csv_export::boolean(p.under_null)))
                    .chain(provenance.iter().cloned())
                    .collect(),
            );
        }
    }
    csv_export::write_table("sweep csv", &csv_header(sweep), &rows)
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
    let mut written = Vec::new();
    let ser = |what: &str, e: String| ReportError::Serialize {
        what: what.to_string(),
        message: e,
    };
    let csv_bytes = render_csv(sweep)?;
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
