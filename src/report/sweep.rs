//! Writing a sweep: `sweep-<param>.csv`, `sweep-<param>.json`, SVG plots of power (with its
//! 95% band), and for sequential designs the probability of stopping early and the expected N,
//! and `sweep-<param>.html`, the table and plots on one page. Every file records the config
//! path, the `--set` overrides and the reproducing command. The CSV is tidy (long): one row per
//! grid point and observation, the swept keys as named columns.

use super::csv_export::{self, Observation};
use super::plot::{heat_map_svg, line_chart_svg, write_svg, Chart, HeatMap, RefLine, Series};
use super::sweep_result::{numeric, SweepPoint, SweepResult};
use super::{write_atomic, ReportError};
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

/// A swept key in words, for axis titles and table headings: known keys get a phrase
/// ("participants enrolled"), a class's mean or SD names its condition, any other key is shown
/// as written.
pub fn param_label(key: &str) -> String {
    let known = [
        ("design.enrolled", "participants enrolled"),
        ("population.correlation", "within-participant correlation"),
        ("log_normal.cv_within", "within-participant CV"),
        ("log_normal.cv_between", "between-participant CV"),
        ("log_normal.interaction_sd", "subject-by-formulation SD"),
        ("analysis.alpha", "significance level α"),
        ("dropout.before_first_period", "withdrawal before period 1"),
        ("effects.carryover", "carryover"),
        ("adaptive.max_total", "maximum total N"),
        ("adaptive.max_stage2", "maximum stage-2 N"),
        ("adaptive.target_power", "target power of stage 2"),
        ("simulation.replicates", "replicates"),
    ];
    if let Some((_, words)) = known.iter().find(|(k, _)| *k == key) {
        return words.to_string();
    }
    // population.classes[K].change."C".mean / .sd
    if let Some(rest) = key.strip_prefix("population.classes[") {
        if let Some((k, tail)) = rest.split_once("].") {
            if let Some(change) = tail.strip_prefix("change.") {
                if let Some((condition, field)) = change.rsplit_once('.') {
                    let condition = condition.trim_matches('"');
                    let what = match field {
                        "mean" => "mean change",
                        "sd" => "SD of change",
                        _ => return key.to_string(),
                    };
                    return format!("{what} under {condition} (class {k})");
                }
            }
            if tail == "probability" {
                return format!("probability of class {k}");
            }
        }
    }
    key.to_string()
}

/// Whether every value of the first swept key is a whole number (an integer axis).
fn integer_values(sweep: &SweepResult) -> bool {
    sweep
        .points
        .iter()
        .all(|p| matches!(p.value, toml::Value::Integer(_)))
}

fn percent(x: f64) -> String {
    let s = format!("{:.1}", 100.0 * x);
    format!("{}%", s.trim_end_matches(".0"))
}

/// The reference lines of a power plot: the target power (where given) and the level alpha.
fn power_lines(sweep: &SweepResult) -> Vec<RefLine> {
    let alpha = sweep.config.analysis.alpha;
    let mut lines: Vec<RefLine> = sweep
        .target
        .iter()
        .map(|t| t.target)
        .take(1)
        .map(|t| RefLine::new(t, format!("target {}", percent(t))))
        .collect();
    lines.push(RefLine::new(alpha, format!("α = {alpha}")));
    lines
}

/// The sweep as Markdown: what was run, a table of every grid point (headed by the swept keys'
/// names), the target answers, the files, the command and the resolved config. The HTML
/// report is made from it.
pub fn render_markdown(sweep: &SweepResult, plots: &[String]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let null = !sweep.points.is_empty() && sweep.points.iter().all(|p| p.under_null);
    let rate = if null { "type I error" } else { "power" };
    let keys = match &sweep.param2 {
        Some(p2) => format!("`{}` and `{p2}`", sweep.param),
        None => format!("`{}`", sweep.param),
    };
    let _ = writeln!(
        s,
        "# {}: sweep of {}\n",
        sweep.name,
        param_label(&sweep.param)
    );
    let overrides: String = sweep
        .overrides
        .iter()
        .map(|o| format!(", with `--set {o}`"))
        .collect();
    let _ = writeln!(
        s,
        "Sweep of {keys} over {} grid points, {} replicates per point, seed {} (common random numbers: replicate j is the same simulated trial at every point), crossover-sim {} (config `{}`{overrides}). Every figure is a Monte Carlo estimate; SE is its Monte Carlo standard error.\n",
        sweep.points.len(),
        sweep.replicates,
        sweep.seed,
        sweep.version,
        sweep.config_file
    );
    let _ = writeln!(s, "## {} at each grid point\n", capitalized(rate));
    let mut header = vec![sweep.param.clone()];
    header.extend(sweep.param2.clone());
    header.extend(
        [
            &format!("{rate} ± SE"),
            "95% interval (Wilson)",
            "P(stop early) ± SE",
            "expected enrolled ± SE",
            "exact",
        ]
        .map(String::from),
    );
    let _ = writeln!(s, "| {} |", header.join(" | "));
    let _ = writeln!(s, "|{}", "---|".repeat(header.len()));
    for p in &sweep.points {
        let mut row = vec![text(&p.value)];
        if sweep.param2.is_some() {
            row.push(p.value2.as_ref().map(text).unwrap_or_default());
        }
        row.push(format!("{:.4} ± {:.4}", p.power.estimate, p.power.se));
        row.push(format!("[{:.4}, {:.4}]", p.power.ci_low, p.power.ci_high));
        row.push(format!("{:.4} ± {:.4}", p.p_stop_early, p.p_stop_early_se));
        row.push(format!(
            "{:.2} ± {:.2}",
            p.expected_enrolled.mean, p.expected_enrolled.se
        ));
        row.push(p.exact_power.map_or("—".into(), |x| format!("{x:.4}")));
        let _ = writeln!(s, "| {} |", row.join(" | "));
    }
    if !sweep.target.is_empty() {
        let _ = writeln!(s, "\n## Target power\n");
        for t in &sweep.target {
            let at = t
                .value2
                .as_ref()
                .map(|v| {
                    format!(
                        " (at {} = {})",
                        sweep.param2.as_deref().unwrap_or(""),
                        text(v)
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(s, "- target {}{at}: {}", t.target, t.note);
        }
    }
    if !plots.is_empty() {
        let _ = writeln!(s, "\n## Plots\n");
        for p in plots {
            let _ = writeln!(s, "![{p}]({p})\n");
        }
    }
    let _ = writeln!(s, "## Reproduce\n");
    let _ = writeln!(
        s,
        "`{}`\n\nrun from the same folder with crossover-sim {}, gives these results byte for byte.",
        sweep.command, sweep.version
    );
    let toml_text = toml::to_string(&sweep.config).unwrap_or_default();
    let _ = writeln!(
        s,
        "\nResolved config the grid is applied to (defaults filled in):\n\n```toml\n{toml_text}```"
    );
    s
}

/// The sweep's table for the terminal: one line per grid point, headed by the swept keys'
/// names, then the rate with its SE and interval, P(stop early), the expected enrollment and the exact rate.
pub fn terminal_table(sweep: &SweepResult) -> String {
    use std::fmt::Write;
    let null = !sweep.points.is_empty() && sweep.points.iter().all(|p| p.under_null);
    let rate = if null { "type I error" } else { "power" };
    let mut keys: Vec<(String, Vec<String>)> = vec![(
        sweep.param.clone(),
        sweep.points.iter().map(|p| text(&p.value)).collect(),
    )];
    if let Some(p2) = &sweep.param2 {
        keys.push((
            p2.clone(),
            sweep
                .points
                .iter()
                .map(|p| p.value2.as_ref().map(text).unwrap_or_default())
                .collect(),
        ));
    }
    let widths: Vec<usize> = keys
        .iter()
        .map(|(k, vs)| {
            vs.iter()
                .map(|v| v.chars().count())
                .chain(std::iter::once(k.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut s = String::from(" ");
    for ((k, _), w) in keys.iter().zip(&widths) {
        let _ = write!(s, " {k:<w$}");
    }
    let rate_head = format!("{rate} ± SE");
    let _ = writeln!(
        s,
        "  {rate_head:<16} 95% CI            P(stop early)  E[enrolled]  exact"
    );
    for (i, p) in sweep.points.iter().enumerate() {
        s.push(' ');
        for ((_, vs), w) in keys.iter().zip(&widths) {
            let _ = write!(s, " {:<w$}", vs[i]);
        }
        let _ = writeln!(
            s,
            "  {:<16} [{:.4}, {:.4}]  {:<13.4}  {:<11.2}  {}",
            format!("{:.4} ± {:.4}", p.power.estimate, p.power.se),
            p.power.ci_low,
            p.power.ci_high,
            p.p_stop_early,
            p.expected_enrolled.mean,
            p.exact_power
                .map(|x| format!("{x:.4}"))
                .unwrap_or_else(|| "—".to_string())
        );
    }
    s
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Writes the sweep's files into `dir`: the CSV, the JSON, the plots and `<stem>.html`, the
/// report with the plots inlined; returns the paths written.
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
    let mut plots: Vec<(String, String)> = Vec::new();
    for (file, svg) in sweep_plots(sweep, &stem)? {
        let path = dir.join(&file);
        write_svg(&path, &svg)?;
        written.push(path);
        plots.push((file, svg));
    }
    let names: Vec<String> = plots.iter().map(|p| p.0.clone()).collect();
    let html = super::html::render_markdown_page(
        &format!("{}: sweep of {}", sweep.name, param_label(&sweep.param)),
        &render_markdown(sweep, &names),
        &plots,
    );
    let html_path = dir.join(format!("{stem}.html"));
    write_atomic(&html_path, html.as_bytes())?;
    written.push(html_path);
    Ok(written)
}

/// The sweep's plots as (file name, SVG): the heat map of a two-key grid, and for a numeric
/// first key power against it, and for sequential designs the probability of stopping early
/// and the expected N.
pub fn sweep_plots(sweep: &SweepResult, stem: &str) -> Result<Vec<(String, String)>, ReportError> {
    let mut out = Vec::new();
    let null = !sweep.points.is_empty() && sweep.points.iter().all(|p| p.under_null);
    let rate = if null { "type I error" } else { "power" };
    let x_label = param_label(&sweep.param);
    // A two-parameter grid: the rate over the grid, with its reference level marked (alpha when
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
            sweep.config.analysis.alpha
        } else {
            sweep.target.first().map_or(0.8, |t| t.target)
        };
        let file = format!("{stem}-grid.svg");
        let svg = heat_map_svg(
            &file,
            &HeatMap {
                title: format!(
                    "{}: {rate}, {} replicates per cell",
                    sweep.name, sweep.replicates
                ),
                x_label: x_label.clone(),
                y_label: param_label(param2),
                columns: columns.iter().map(|v| text(v)).collect(),
                rows: rows.iter().map(|v| text(v)).collect(),
                values,
                level,
            },
        )?;
        out.push((file, svg));
    }
    // Line plots need a numeric first parameter.
    if sweep.points.iter().any(|p| numeric(&p.value).is_none()) {
        return Ok(out);
    }
    let x_integer = integer_values(sweep);
    let mut groups: Vec<(Option<toml::Value>, Vec<&SweepPoint>)> = Vec::new();
    for p in &sweep.points {
        match groups.iter_mut().find(|(v, _)| v == &p.value2) {
            Some((_, list)) => list.push(p),
            None => groups.push((p.value2.clone(), vec![p])),
        }
    }
    let label = |v2: &Option<toml::Value>| match (&sweep.param2, v2) {
        (Some(k), Some(v)) => format!("{} = {}", param_label(k), text(v)),
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
    // A type I error near alpha would be a flat line at the bottom of a 0-1 axis.
    let y_range = if null {
        let top = power
            .iter()
            .flat_map(|s| s.band.iter().map(|b| b.2))
            .fold(2.0 * sweep.config.analysis.alpha, f64::max);
        Some((0.0, (top * 1.25).min(1.0)))
    } else {
        Some((0.0, 1.0))
    };
    let file = format!("{stem}-power.svg");
    let svg = line_chart_svg(
        &file,
        &Chart {
            title: format!(
                "{}: {rate} by {x_label} ({} replicates per point)",
                sweep.name, sweep.replicates
            ),
            x_label: x_label.clone(),
            y_label: rate.into(),
            hlines: power_lines(sweep),
            vlines: vec![],
            y_range,
            x_integer,
            y_nonnegative: true,
        },
        &power,
    )?;
    out.push((file, svg));
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
        let file = format!("{stem}-stop-early.svg");
        let svg = line_chart_svg(
            &file,
            &Chart {
                title: format!(
                    "{}: probability of stopping before the last look",
                    sweep.name
                ),
                x_label: x_label.clone(),
                y_label: "probability of stopping early".into(),
                hlines: vec![],
                vlines: vec![],
                y_range: Some((0.0, 1.0)),
                x_integer,
                y_nonnegative: true,
            },
            &early,
        )?;
        out.push((file, svg));
        let expected: Vec<Series> = groups
            .iter()
            .map(|(v2, pts)| Series {
                label: label(v2),
                points: pts
                    .iter()
                    .map(|p| (numeric(&p.value).unwrap_or(0.0), p.expected_enrolled.mean))
                    .collect(),
                band: pts
                    .iter()
                    .map(|p| {
                        let x = numeric(&p.value).unwrap_or(0.0);
                        let (m, se) = (p.expected_enrolled.mean, p.expected_enrolled.se);
                        (x, (m - 1.96 * se).max(0.0), m + 1.96 * se)
                    })
                    .collect(),
            })
            .collect();
        let file = format!("{stem}-expected-n.svg");
        let svg = line_chart_svg(
            &file,
            &Chart {
                title: format!("{}: expected participants enrolled at the stop", sweep.name),
                x_label,
                y_label: "expected participants enrolled".into(),
                hlines: vec![],
                vlines: vec![],
                y_range: None,
                x_integer,
                y_nonnegative: true,
            },
            &expected,
        )?;
        out.push((file, svg));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::param_label;

    #[test]
    fn swept_keys_are_named_in_words_or_as_written() {
        assert_eq!(param_label("design.enrolled"), "participants enrolled");
        assert_eq!(
            param_label("population.classes[0].change.\"ketamine+naltrexone\".mean"),
            "mean change under ketamine+naltrexone (class 0)"
        );
        assert_eq!(
            param_label("population.classes[1].probability"),
            "probability of class 1"
        );
        assert_eq!(param_label("effects.period[1]"), "effects.period[1]");
    }
}
