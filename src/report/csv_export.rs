//! summary.csv: one row per reported quantity (name, estimate, se, ci_low, ci_high); a missing
//! value is an empty cell. The last rows record what reproduces the run (config path, each
//! `--set` override, seed, replicates, tool version, command) in the `text` column.

use super::{Proportion, ReportError, RunReport};
use serde::Serialize;

/// One row of summary.csv.
#[derive(Debug, Serialize)]
pub struct Row {
    /// Dotted name, matching the summary.json path where there is one.
    pub name: String,
    /// The estimate.
    pub estimate: Option<f64>,
    /// Monte Carlo standard error.
    pub se: Option<f64>,
    /// Lower end of the 95% interval (proportions: Wilson).
    pub ci_low: Option<f64>,
    /// Upper end.
    pub ci_high: Option<f64>,
    /// The value of a non-numeric row (config path, overrides, command).
    pub text: Option<String>,
}

fn text(name: &str, value: String) -> Row {
    Row {
        name: name.to_string(),
        estimate: None,
        se: None,
        ci_low: None,
        ci_high: None,
        text: Some(value),
    }
}

fn proportion(name: String, p: &Proportion) -> Row {
    Row {
        name,
        estimate: Some(p.estimate),
        se: Some(p.se),
        ci_low: Some(p.ci_low),
        ci_high: Some(p.ci_high),
        text: None,
    }
}

fn value(name: String, estimate: Option<f64>, se: Option<f64>) -> Row {
    let ci = |sign: f64| match (estimate, se) {
        (Some(e), Some(s)) => Some(e + sign * 1.959_963_984_540_054 * s),
        _ => None,
    };
    Row {
        name,
        estimate,
        se,
        ci_low: ci(-1.0),
        ci_high: ci(1.0),
        text: None,
    }
}

/// All rows, in report order.
pub fn rows(report: &RunReport) -> Vec<Row> {
    let mut rows = vec![proportion("primary.power".into(), &report.primary.power)];
    rows.push(value(
        "primary.mean_estimate_at_stop".into(),
        report.primary.mean_estimate_at_stop,
        report.primary.mean_estimate_at_stop_se,
    ));
    rows.push(value(
        "primary.mean_estimate_early_stopped".into(),
        report.primary.mean_estimate_early_stopped,
        report.primary.mean_estimate_early_stopped_se,
    ));
    rows.push(value(
        "primary.true_value".into(),
        report.primary.true_value,
        None,
    ));
    for look in &report.looks {
        let k = look.look - 1;
        for (what, p, se) in [
            (
                "p_stop_efficacy",
                look.p_stop_efficacy,
                look.p_stop_efficacy_se,
            ),
            (
                "p_stop_futility",
                look.p_stop_futility,
                look.p_stop_futility_se,
            ),
            ("p_stop_harm", look.p_stop_harm, look.p_stop_harm_se),
        ] {
            let n = report.replicates as f64;
            let p_ = Proportion::new((p * n).round() as u64, report.replicates);
            let mut row = proportion(format!("looks[{k}].{what}"), &p_);
            row.se = Some(se);
            rows.push(row);
        }
    }
    for (name, a) in &report.analyses {
        rows.push(proportion(
            format!("analyses.{name}.rejection_rate"),
            &a.rejection_rate,
        ));
        rows.push(value(
            format!("analyses.{name}.mean_estimate"),
            a.mean_estimate,
            a.mean_estimate_se,
        ));
        rows.push(value(
            format!("analyses.{name}.true_value"),
            a.true_value,
            None,
        ));
        rows.push(value(
            format!("analyses.{name}.not_analyzable"),
            Some(a.not_analyzable as f64),
            None,
        ));
    }
    rows.push(value(
        "expected_enrolled".into(),
        Some(report.expected_enrolled.mean),
        Some(report.expected_enrolled.se),
    ));
    rows.push(value(
        "completers.mean".into(),
        Some(report.completers.mean),
        Some(report.completers.se),
    ));
    if let Some(r) = &report.responders {
        rows.push(value("responders.mean".into(), Some(r.mean), Some(r.se)));
        let p = Proportion::new(
            (r.p_at_least_target * report.replicates as f64).round() as u64,
            report.replicates,
        );
        rows.push(proportion("responders.p_at_least_target".into(), &p));
    }
    if let Some(ae) = &report.adverse_events {
        for (cond, p) in &ae.rate {
            rows.push(proportion(format!("adverse_events.{}.{cond}", ae.name), p));
        }
    }
    rows.push(text("config_file", report.config_file.clone()));
    for (i, o) in report.overrides.iter().enumerate() {
        rows.push(text(&format!("overrides[{i}]"), o.clone()));
    }
    rows.push(text("seed", report.seed.to_string()));
    rows.push(text("replicates", report.replicates.to_string()));
    rows.push(text("tool.version", report.tool.version.clone()));
    rows.push(text("command", report.command.clone()));
    rows
}

/// summary.csv as bytes.
pub fn render(report: &RunReport) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows(report) {
        w.serialize(&row).map_err(|e| ReportError::Serialize {
            what: "summary.csv".into(),
            message: e.to_string(),
        })?;
    }
    w.into_inner().map_err(|e| ReportError::Serialize {
        what: "summary.csv".into(),
        message: e.to_string(),
    })
}
