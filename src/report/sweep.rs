//! Writing a sweep: `sweep-<param>.csv`, `sweep-<param>.json`, SVG plots of power (with its
//! 95% band), and for sequential designs the probability of stopping early and the expected N,
//! and `sweep-<param>.html`, the table and plots on one page. Every file records the config
//! path, the `--set` overrides and the reproducing command. The CSV is tidy (long): one row per
//! grid point and observation, the swept keys as named columns.

use super::csv_export::{self, Column, Observation, ObservationRow, Provenance, ProvenanceRow};
use super::export::{Exporter, JsonFile};
use super::plot::{heat_map_svg, line_chart_svg, Chart, HeatMap, RefLine, Series};
use super::sweep_result::{numeric, SweepPoint, SweepResult};
use super::{write_files, ReportError};
use crate::numerics::Z_95;
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
    if let Some(ts) = &p.two_stage {
        for (reason, x) in [
            ("pass", &ts.p_stop_stage1_pass),
            ("fail", &ts.p_stop_stage1_fail),
            ("futility", &ts.p_stop_stage1_futility),
        ] {
            out.push(Observation::proportion("p_stop_stage1", x).reason(reason));
        }
        out.push(Observation::proportion("p_stage2", &ts.p_stage2));
        out.push(Observation::proportion("p_pass_stage2", &ts.p_pass_stage2));
        let n = &ts.total_enrolled;
        out.push(Observation::mean("total_n", Some(n.mean), Some(n.se)));
        for (q, v) in [
            ("total_n_p05", n.p05),
            ("total_n_p50", n.p50),
            ("total_n_p95", n.p95),
            ("total_n_max", n.max),
        ] {
            out.push(Observation::value(q, Some(v as f64)));
        }
        out.push(Observation::proportion("p_total_n_capped", &n.p_at_cap));
        // Several test formulations (each comparison's figures are in the sweep's JSON).
        for (quantity, p) in [("p_at_least_one", &ts.at_least_one), ("p_all", &ts.all)] {
            if let Some(p) = p {
                out.push(Observation::proportion(quantity, p));
            }
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

/// A row of a sweep's CSV: one observation at one grid point, with the sweep's provenance.
pub struct SweepCsvRow<'a> {
    /// The grid point.
    pub point: &'a SweepPoint,
    /// The observation.
    pub observation: &'a Observation,
    /// The sweep's provenance.
    pub provenance: &'a Provenance,
}

impl ObservationRow for SweepCsvRow<'_> {
    fn observation(&self) -> &Observation {
        self.observation
    }
}

impl ProvenanceRow for SweepCsvRow<'_> {
    fn provenance(&self) -> &Provenance {
        self.provenance
    }
}

/// The columns of a sweep's CSV: the swept keys (named as written, e.g. `design.enrolled`),
/// the observation columns, `under_null` and the provenance.
pub fn csv_columns<'a>(sweep: &SweepResult) -> Vec<Column<SweepCsvRow<'a>>> {
    let mut columns = vec![Column::named(sweep.param.clone(), |r: &SweepCsvRow| {
        value_cell(&r.point.value)
    })];
    if let Some(param2) = &sweep.param2 {
        columns.push(Column::named(param2.clone(), |r: &SweepCsvRow| {
            r.point.value2.as_ref().map(value_cell).unwrap_or_default()
        }));
    }
    columns.extend(csv_export::observation_columns_of(
        &SWEEP_OBSERVATION_COLUMNS,
    ));
    columns.push(Column::new("under_null", |r: &SweepCsvRow| {
        csv_export::boolean(r.point.under_null)
    }));
    columns.extend(csv_export::provenance_columns());
    columns
}

/// The header of a sweep's CSV (see [`csv_columns`]).
pub fn csv_header(sweep: &SweepResult) -> Vec<String> {
    csv_export::header_of(&csv_columns(sweep))
}

/// What reproduces a sweep, on every row of its CSV.
fn provenance(sweep: &SweepResult) -> Provenance {
    Provenance {
        name: sweep.name.clone(),
        config_file: sweep.config_file.clone(),
        overrides: sweep.overrides.clone(),
        seed: sweep.seed,
        replicates: sweep.replicates,
        version: sweep.version.clone(),
        command: sweep.command.clone(),
    }
}

/// A sweep's CSV as bytes: one row per grid point and observation (long format).
pub fn render_csv(sweep: &SweepResult) -> Result<Vec<u8>, ReportError> {
    let provenance = provenance(sweep);
    let observed: Vec<(&SweepPoint, Vec<Observation>)> = sweep
        .points
        .iter()
        .map(|p| (p, point_observations(p, sweep.replicates)))
        .collect();
    let rows = observed.iter().flat_map(|(point, observations)| {
        observations.iter().map(|observation| SweepCsvRow {
            point,
            observation,
            provenance: &provenance,
        })
    });
    csv_export::render_rows("sweep csv", &csv_columns(sweep), rows)
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
    param_label_of(key, false)
}

/// A swept key of `sweep` in words: for a two-stage config `design.enrolled` is the stage-1
/// size n1, not the participants enrolled.
fn sweep_label(sweep: &SweepResult, key: &str) -> String {
    param_label_of(key, sweep.config.adaptive.is_some())
}

/// [`param_label`], for a two-stage config when `two_stage`.
pub fn param_label_of(key: &str, two_stage: bool) -> String {
    if two_stage && key == "design.enrolled" {
        return "stage-1 size n1".to_string();
    }
    if let Some(condition) = key.strip_prefix("log_normal.gmr.") {
        return format!(
            "true GMR of {} (test/reference)",
            condition.trim_matches('"')
        );
    }
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
        sweep_label(sweep, &sweep.param)
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
    let two_stage = sweep.points.iter().any(|p| p.two_stage.is_some());
    let mut header = vec![sweep.param.clone()];
    header.extend(sweep.param2.clone());
    header.extend(
        [
            format!("{rate} ± SE").as_str(),
            "95% interval (Wilson)",
            if two_stage {
                "P(stop after stage 1) ± SE"
            } else {
                "P(stop early) ± SE"
            },
            if two_stage {
                "E[total N] ± SE"
            } else {
                "expected enrolled ± SE"
            },
            "exact",
        ]
        .map(String::from),
    );
    if two_stage {
        header.extend(
            [
                "P(stop after stage 1: pass / fail / futility)",
                "total N 5%, 50%, 95%, max",
            ]
            .map(String::from),
        );
    }
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
        if two_stage {
            match &p.two_stage {
                Some(ts) => {
                    let n = &ts.total_enrolled;
                    row.push(format!(
                        "{:.4} / {:.4} / {:.4}",
                        ts.p_stop_stage1_pass.estimate,
                        ts.p_stop_stage1_fail.estimate,
                        ts.p_stop_stage1_futility.estimate
                    ));
                    row.push(format!("{}, {}, {}, {}", n.p05, n.p50, n.p95, n.max));
                }
                None => row.extend(["—".to_string(), "—".to_string()]),
            }
        }
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
    let two_stage = sweep.points.iter().any(|p| p.two_stage.is_some());
    let _ = writeln!(
        s,
        "  {rate_head:<16} 95% CI            {}  exact{}",
        if two_stage {
            "P(stop st.1)   E[total N]"
        } else {
            "P(stop early)  E[enrolled]"
        },
        if two_stage { "  total N 5/50/95%" } else { "" }
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
        if let Some(n) = p.two_stage.as_ref().map(|ts| &ts.total_enrolled) {
            s.pop();
            let _ = writeln!(s, "  {}/{}/{}", n.p05, n.p50, n.p95);
        }
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

/// The exporters of a sweep's files, in the order they are written: `<stem>.csv`,
/// `<stem>.json`, the plots ([`SweepFigure::of`]) and `<stem>.html`, the report with the plots
/// inlined (the stem is [`stem`]).
pub fn exporters(sweep: &SweepResult) -> Vec<Box<dyn Exporter<SweepResult>>> {
    let stem = stem(&sweep.param, sweep.param2.as_deref(), &sweep.overrides);
    let mut out: Vec<Box<dyn Exporter<SweepResult>>> = vec![
        Box::new(SweepCsv {
            file: format!("{stem}.csv"),
        }),
        Box::new(JsonFile::new(format!("{stem}.json"))),
    ];
    out.extend(SweepFigure::of(sweep).into_iter().map(|figure| {
        Box::new(SweepSvg {
            file: figure.file_name(&stem),
            figure,
        }) as Box<dyn Exporter<SweepResult>>
    }));
    out.push(Box::new(SweepHtml {
        file: format!("{stem}.html"),
        stem,
    }));
    out
}

/// Writes the sweep's files into `dir` (see [`exporters`]); returns the paths written.
pub fn write_sweep(dir: &Path, sweep: &SweepResult) -> Result<Vec<PathBuf>, ReportError> {
    write_files(dir, sweep, &exporters(sweep))
}

/// `<stem>.csv`: one row per grid point and observation (see [`render_csv`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepCsv {
    file: String,
}

impl Exporter<SweepResult> for SweepCsv {
    fn file_name(&self) -> &str {
        &self.file
    }

    fn render(&self, sweep: &SweepResult) -> Result<Vec<u8>, ReportError> {
        render_csv(sweep)
    }
}

/// One plot of a sweep, as SVG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepSvg {
    file: String,
    figure: SweepFigure,
}

impl Exporter<SweepResult> for SweepSvg {
    fn file_name(&self) -> &str {
        &self.file
    }

    fn render(&self, sweep: &SweepResult) -> Result<Vec<u8>, ReportError> {
        Ok(self.figure.render(sweep, &self.file)?.into_bytes())
    }
}

/// `<stem>.html`: the sweep's Markdown report with its plots inlined, on one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepHtml {
    file: String,
    stem: String,
}

impl Exporter<SweepResult> for SweepHtml {
    fn file_name(&self) -> &str {
        &self.file
    }

    fn render(&self, sweep: &SweepResult) -> Result<Vec<u8>, ReportError> {
        let plots = sweep_plots(sweep, &self.stem)?;
        let names: Vec<String> = plots.iter().map(|p| p.0.clone()).collect();
        let html = super::html::render_markdown_page(
            &format!(
                "{}: sweep of {}",
                sweep.name,
                sweep_label(sweep, &sweep.param)
            ),
            &render_markdown(sweep, &names),
            &plots,
        );
        Ok(html.into_bytes())
    }
}

/// A plot of a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepFigure {
    /// `<stem>-grid.svg`: the rate over a two-key grid, as a heat map.
    Grid,
    /// `<stem>-power.svg`: the rate against a numeric first key, with its 95% band.
    Power,
    /// `<stem>-stop-early.svg`: the probability of stopping before the last look (sequential
    /// designs).
    StopEarly,
    /// `<stem>-expected-n.svg`: the expected enrollment at the stop (sequential designs).
    ExpectedN,
}

impl SweepFigure {
    /// The plots a sweep has, in order: the heat map of a two-key grid; for a numeric first
    /// key, the rate against it, and for sequential designs the probability of stopping early
    /// and the expected N.
    pub fn of(sweep: &SweepResult) -> Vec<SweepFigure> {
        let mut out = Vec::new();
        if sweep.param2.is_some() {
            out.push(SweepFigure::Grid);
        }
        // Line plots need a numeric first parameter.
        if sweep.points.iter().any(|p| numeric(&p.value).is_none()) {
            return out;
        }
        out.push(SweepFigure::Power);
        // A two-stage design stops early after stage 1 and has a random total N too.
        if sweep.looks > 1 || sweep.points.iter().any(|p| p.two_stage.is_some()) {
            out.extend([SweepFigure::StopEarly, SweepFigure::ExpectedN]);
        }
        out
    }

    /// The plot's file name for the sweep's file stem.
    pub fn file_name(self, stem: &str) -> String {
        let suffix = match self {
            SweepFigure::Grid => "grid",
            SweepFigure::Power => "power",
            SweepFigure::StopEarly => "stop-early",
            SweepFigure::ExpectedN => "expected-n",
        };
        format!("{stem}-{suffix}.svg")
    }

    /// The plot as SVG; `file` names it in errors.
    pub fn render(self, sweep: &SweepResult, file: &str) -> Result<String, ReportError> {
        match self {
            SweepFigure::Grid => grid_svg(sweep, file),
            SweepFigure::Power => power_svg(sweep, file),
            SweepFigure::StopEarly => stop_early_svg(sweep, file),
            SweepFigure::ExpectedN => expected_n_svg(sweep, file),
        }
    }
}

/// The sweep's plots as (file name, SVG), in the order of [`SweepFigure::of`].
pub fn sweep_plots(sweep: &SweepResult, stem: &str) -> Result<Vec<(String, String)>, ReportError> {
    SweepFigure::of(sweep)
        .into_iter()
        .map(|f| {
            let file = f.file_name(stem);
            let svg = f.render(sweep, &file)?;
            Ok((file, svg))
        })
        .collect()
}

/// Whether every point is a null, so that the rate is a type I error.
fn all_null(sweep: &SweepResult) -> bool {
    !sweep.points.is_empty() && sweep.points.iter().all(|p| p.under_null)
}

fn rate_name(sweep: &SweepResult) -> &'static str {
    if all_null(sweep) {
        "type I error"
    } else {
        "power"
    }
}

/// A two-parameter grid: the rate over the grid, with its reference level marked (alpha when
/// every point is a null, so the rate is a type I error; else the target power, or 0.8).
fn grid_svg(sweep: &SweepResult, file: &str) -> Result<String, ReportError> {
    let null = all_null(sweep);
    let rate = rate_name(sweep);
    let param2 = sweep.param2.as_deref().unwrap_or_default();
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
    heat_map_svg(
        file,
        &HeatMap {
            title: format!(
                "{}: {rate}, {} replicates per cell",
                sweep.name, sweep.replicates
            ),
            x_label: sweep_label(sweep, &sweep.param),
            y_label: sweep_label(sweep, param2),
            columns: columns.iter().map(|v| text(v)).collect(),
            rows: rows.iter().map(|v| text(v)).collect(),
            values,
            level,
        },
    )
}

/// The points grouped by the second key's value (one group without a second key), in order.
fn groups(sweep: &SweepResult) -> Vec<(Option<toml::Value>, Vec<&SweepPoint>)> {
    let mut groups: Vec<(Option<toml::Value>, Vec<&SweepPoint>)> = Vec::new();
    for p in &sweep.points {
        match groups.iter_mut().find(|(v, _)| v == &p.value2) {
            Some((_, list)) => list.push(p),
            None => groups.push((p.value2.clone(), vec![p])),
        }
    }
    groups
}

/// A line's label: the second key's value (empty without a second key).
fn group_label(sweep: &SweepResult, v2: &Option<toml::Value>) -> String {
    match (&sweep.param2, v2) {
        (Some(k), Some(v)) => format!("{} = {}", sweep_label(sweep, k), text(v)),
        _ => String::new(),
    }
}

/// One line per value of the second key, with `y` and its 95% band `(low, high)` at each
/// point.
fn lines(
    sweep: &SweepResult,
    y: impl Fn(&SweepPoint) -> f64,
    band: impl Fn(&SweepPoint) -> (f64, f64),
) -> Vec<Series> {
    groups(sweep)
        .iter()
        .map(|(v2, pts)| Series {
            label: group_label(sweep, v2),
            points: pts
                .iter()
                .map(|p| (numeric(&p.value).unwrap_or(0.0), y(p)))
                .collect(),
            band: pts
                .iter()
                .map(|p| {
                    let (low, high) = band(p);
                    (numeric(&p.value).unwrap_or(0.0), low, high)
                })
                .collect(),
        })
        .collect()
}

/// The rate against the first key, with its Wilson 95% band.
fn power_svg(sweep: &SweepResult, file: &str) -> Result<String, ReportError> {
    let rate = rate_name(sweep);
    let x_label = sweep_label(sweep, &sweep.param);
    let mut power = lines(
        sweep,
        |p| p.power.estimate,
        |p| (p.power.ci_low, p.power.ci_high),
    );
    // The exact power the table prints, as its own curve (no band: it has no Monte Carlo
    // error), wherever the design has a closed form.
    if sweep.points.iter().any(|p| p.exact_power.is_some()) {
        let exact: Vec<Series> = groups(sweep)
            .iter()
            .map(|(v2, pts)| {
                let label = group_label(sweep, v2);
                Series {
                    label: if label.is_empty() {
                        format!("exact {rate}")
                    } else {
                        format!("{label}, exact {rate}")
                    },
                    points: pts
                        .iter()
                        .filter_map(|p| Some((numeric(&p.value)?, p.exact_power?)))
                        .collect(),
                    band: vec![],
                }
            })
            .filter(|s| !s.points.is_empty())
            .collect();
        for s in &mut power {
            if s.label.is_empty() {
                s.label = format!("simulated {rate}");
            }
        }
        power.extend(exact);
    }
    // A type I error near alpha would be a flat line at the bottom of a 0-1 axis.
    let y_range = if all_null(sweep) {
        let top = power
            .iter()
            .flat_map(|s| s.band.iter().map(|b| b.2))
            .fold(2.0 * sweep.config.analysis.alpha, f64::max);
        Some((0.0, (top * 1.25).min(1.0)))
    } else {
        Some((0.0, 1.0))
    };
    line_chart_svg(
        file,
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
            x_integer: integer_values(sweep),
            y_nonnegative: true,
            band_label: None,
        },
        &power,
    )
}

/// The probability of stopping before the last look, with its normal 95% band.
fn stop_early_svg(sweep: &SweepResult, file: &str) -> Result<String, ReportError> {
    let early = lines(
        sweep,
        |p| p.p_stop_early,
        |p| {
            (
                (p.p_stop_early - Z_95 * p.p_stop_early_se).max(0.0),
                (p.p_stop_early + Z_95 * p.p_stop_early_se).min(1.0),
            )
        },
    );
    line_chart_svg(
        file,
        &Chart {
            title: if sweep.config.adaptive.is_some() {
                format!("{}: probability of stopping after stage 1", sweep.name)
            } else {
                format!(
                    "{}: probability of stopping before the last look",
                    sweep.name
                )
            },
            x_label: sweep_label(sweep, &sweep.param),
            y_label: if sweep.config.adaptive.is_some() {
                "probability of stopping after stage 1".into()
            } else {
                "probability of stopping early".into()
            },
            hlines: vec![],
            vlines: vec![],
            y_range: Some((0.0, 1.0)),
            x_integer: integer_values(sweep),
            y_nonnegative: true,
            band_label: None,
        },
        &early,
    )
}

/// The expected enrollment at the stop, with its normal 95% band.
fn expected_n_svg(sweep: &SweepResult, file: &str) -> Result<String, ReportError> {
    let expected = lines(
        sweep,
        |p| p.expected_enrolled.mean,
        |p| {
            let (m, se) = (p.expected_enrolled.mean, p.expected_enrolled.se);
            ((m - Z_95 * se).max(0.0), m + Z_95 * se)
        },
    );
    line_chart_svg(
        file,
        &Chart {
            title: if sweep.config.adaptive.is_some() {
                format!("{}: expected total N (both stages)", sweep.name)
            } else {
                format!("{}: expected participants enrolled at the stop", sweep.name)
            },
            x_label: sweep_label(sweep, &sweep.param),
            y_label: if sweep.config.adaptive.is_some() {
                "expected total N".into()
            } else {
                "expected participants enrolled".into()
            },
            hlines: vec![],
            vlines: vec![],
            y_range: None,
            x_integer: integer_values(sweep),
            y_nonnegative: true,
            band_label: None,
        },
        &expected,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{CountReport, Proportion};

    /// A small sweep, built by hand: `design.enrolled` at 20 and 40 (with `second`, also
    /// `population.correlation` at 0.2 and 0.5), `looks` looks.
    fn sweep(looks: usize, second: bool) -> SweepResult {
        let text = "name = \"small\"\n[design]\nconditions = [\"R\", \"T\"]\nenrolled = 20\n[population]\ncorrelation = 0.5\n[[population.classes]]\nname = \"all\"\nprobability = 1.0\nchange.R = { mean = 0.0, sd = 1.0 }\nchange.T = { mean = 0.5, sd = 1.0 }\n[analysis]\nprimary = \"completers_paired\"\n";
        let config = crate::config::parse(text, "small.toml", &[])
            .unwrap()
            .resolved;
        let seconds = if second {
            vec![Some(toml::Value::Float(0.2)), Some(toml::Value::Float(0.5))]
        } else {
            vec![None]
        };
        let mut points = Vec::new();
        for v2 in &seconds {
            for (n, hits) in [(20, 30), (40, 60)] {
                points.push(SweepPoint {
                    value: toml::Value::Integer(n),
                    value2: v2.clone(),
                    primary: "completers_paired".into(),
                    under_null: false,
                    power: Proportion::new(hits, 100),
                    exact_power: None,
                    p_stop_early: 0.1,
                    p_stop_early_se: 0.03,
                    p_stop_efficacy: vec![0.1; looks],
                    p_stop_futility: vec![0.0; looks],
                    p_stop_harm: vec![0.0; looks],
                    expected_enrolled: CountReport {
                        mean: n as f64 * 0.95,
                        se: 0.2,
                    },
                    completers: CountReport {
                        mean: n as f64 * 0.9,
                        se: 0.2,
                    },
                    responders_mean: None,
                    p_responders_at_least_target: None,
                    primary_not_analyzable: 0,
                    mean_estimate_at_stop: Some(0.5),
                    two_stage: None,
                });
            }
        }
        SweepResult {
            name: "small".into(),
            param: "design.enrolled".into(),
            param2: second.then(|| "population.correlation".into()),
            seed: 1,
            replicates: 100,
            looks,
            points,
            target: vec![],
            version: "0.0.0".into(),
            config_file: "small.toml".into(),
            overrides: vec![],
            command: "crossover-sim sweep small.toml --param design.enrolled --values 20,40".into(),
            config,
        }
    }

    fn names(s: &SweepResult) -> String {
        exporters(s)
            .iter()
            .map(|e| e.file_name().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The first `n` lines of what `e` renders.
    fn head(e: &dyn Exporter<SweepResult>, s: &SweepResult, n: usize) -> String {
        let text = String::from_utf8(e.render(s).unwrap()).unwrap();
        text.lines().take(n).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn a_sweep_writes_its_files_in_order() {
        insta::assert_snapshot!(names(&sweep(1, false)), @r#"
            sweep-design.enrolled.csv
            sweep-design.enrolled.json
            sweep-design.enrolled-power.svg
            sweep-design.enrolled.html
        "#);
        insta::assert_snapshot!(names(&sweep(2, false)), @r#"
            sweep-design.enrolled.csv
            sweep-design.enrolled.json
            sweep-design.enrolled-power.svg
            sweep-design.enrolled-stop-early.svg
            sweep-design.enrolled-expected-n.svg
            sweep-design.enrolled.html
        "#);
        insta::assert_snapshot!(names(&sweep(1, true)), @r#"
            sweep-design.enrolled-population.correlation.csv
            sweep-design.enrolled-population.correlation.json
            sweep-design.enrolled-population.correlation-grid.svg
            sweep-design.enrolled-population.correlation-power.svg
            sweep-design.enrolled-population.correlation.html
        "#);
    }

    #[test]
    fn each_sweep_exporter_renders_its_format() {
        let s = sweep(2, true);
        let e = exporters(&s);
        let openings: Vec<String> = e.iter().map(|e| head(e.as_ref(), &s, 1)).collect();
        insta::assert_snapshot!(openings.join("\n"), @r#"
            design.enrolled,population.correlation,quantity,analysis,look,reason,estimate,se,ci_low,ci_high,under_null,name,config_file,overrides,seed,replicates,version,command
            {
            <svg width="900" height="312" viewBox="0 0 900 312" xmlns="http://www.w3.org/2000/svg">
            <svg width="900" height="580" viewBox="0 0 900 580" xmlns="http://www.w3.org/2000/svg">
            <svg width="900" height="580" viewBox="0 0 900 580" xmlns="http://www.w3.org/2000/svg">
            <svg width="900" height="580" viewBox="0 0 900 580" xmlns="http://www.w3.org/2000/svg">
            <!DOCTYPE html>
        "#);
        insta::assert_snapshot!(head(e[1].as_ref(), &s, 3), @r#"
            {
              "name": "small",
              "param": "design.enrolled",
        "#);
    }

    #[test]
    fn write_sweep_writes_what_the_exporters_render() {
        let s = sweep(2, true);
        let dir = std::env::temp_dir().join(format!("sweep-export-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let written = write_sweep(&dir, &s).unwrap();
        crate::report::export::assert_written_as_rendered(&written, &exporters(&s), &s);
        std::fs::remove_dir_all(&dir).unwrap();
    }

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
