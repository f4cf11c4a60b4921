//! The tidy CSV files: one row per observation (a quantity with its qualifiers: analysis,
//! condition, look, stop reason, responder count), explicit columns, a blank cell where a
//! qualifier does not apply. Owns summary.csv and the cell formats every CSV of the tool shares
//! (the sweep and batch files build their rows from the same [`Observation`]):
//!
//! - numbers in the shortest form that reads back as the same `f64` (`0.2564`, never
//!   `0.25639999999999996`: proportions are computed from their counts, not by arithmetic on
//!   rounded values), in exponent form only outside [1e-7, 1e16);
//! - booleans as `TRUE`/`FALSE`, which R's `read.csv` reads as logical (pandas: pass
//!   `true_values=["TRUE"], false_values=["FALSE"]`, or compare with the strings);
//! - text on one line (an error's caret diagram is dropped, its lines joined by "; "), so that a
//!   spreadsheet or `read.csv` shows one row per record.
//!
//! Each file's columns are one list of [`Column`]s (a name and the function that fills the
//! cell from a row), from which both its header and every row are written ([`render_rows`]);
//! the observation and provenance columns that several files share are written once here
//! ([`observation_columns`], [`provenance_columns`]). The column dictionary of every CSV is in
//! docs/outputs.md.

use super::{Proportion, ReportError, RunReport};

use crate::numerics::Z_95;
use std::borrow::Cow;

/// One column of a CSV file: its name in the header and how a row of type `R` fills its cell.
/// A file's columns are one list of these, and its header and every row are written from that
/// list, so a column cannot be named in the header and forgotten in the rows.
pub struct Column<R> {
    /// The name in the header.
    pub name: Cow<'static, str>,
    /// The cell of a row.
    pub cell: fn(&R) -> String,
}

impl<R> Column<R> {
    /// A column of a fixed name.
    pub fn new(name: &'static str, cell: fn(&R) -> String) -> Column<R> {
        Column {
            name: Cow::Borrowed(name),
            cell,
        }
    }

    /// A column whose name is known only when the file is written (a sweep's swept keys).
    pub fn named(name: String, cell: fn(&R) -> String) -> Column<R> {
        Column {
            name: Cow::Owned(name),
            cell,
        }
    }
}

// By hand: a derive would ask `R: Clone`, which a column never needs.
impl<R> Clone for Column<R> {
    fn clone(&self) -> Self {
        Column {
            name: self.name.clone(),
            cell: self.cell,
        }
    }
}

impl<R> std::fmt::Debug for Column<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Column").field(&self.name).finish()
    }
}

/// The header of a file of `columns`: their names, in order.
pub fn header_of<R>(columns: &[Column<R>]) -> Vec<String> {
    columns.iter().map(|c| c.name.to_string()).collect()
}

/// A CSV file as bytes: the header of `columns`, then one line per row with each column's cell;
/// `what` names the file in errors.
pub fn render_rows<R>(
    what: &str,
    columns: &[Column<R>],
    rows: impl IntoIterator<Item = R>,
) -> Result<Vec<u8>, ReportError> {
    let table: Vec<Vec<String>> = rows
        .into_iter()
        .map(|row| columns.iter().map(|c| (c.cell)(&row)).collect())
        .collect();
    write_table(what, &header_of(columns), &table)
}

/// A row of a tidy file: one observation, with what it is about.
pub trait ObservationRow {
    /// The row's observation.
    fn observation(&self) -> &Observation;
}

impl ObservationRow for Observation {
    fn observation(&self) -> &Observation {
        self
    }
}

/// A row that ends with the provenance of the result it belongs to.
pub trait ProvenanceRow {
    /// The result's provenance.
    fn provenance(&self) -> &Provenance;
}

fn whole(x: Option<usize>) -> String {
    x.map_or(String::new(), |v| v.to_string())
}

/// Every column an [`Observation`] can fill, in the order the files use: the one place that
/// says how each is written. A file whose observations never have some qualifier leaves its
/// column out ([`observation_columns_of`]).
pub fn observation_columns<R: ObservationRow>() -> Vec<Column<R>> {
    vec![
        Column::new("quantity", |r| r.observation().quantity.to_string()),
        Column::new("analysis", |r| {
            r.observation().analysis.clone().unwrap_or_default()
        }),
        Column::new("contrast", |r| {
            r.observation()
                .contrast
                .as_deref()
                .map(text)
                .unwrap_or_default()
        }),
        Column::new("metric", |r| {
            r.observation()
                .metric
                .as_deref()
                .map(text)
                .unwrap_or_default()
        }),
        Column::new("day", |r| {
            r.observation()
                .day
                .map(|d| d.to_string())
                .unwrap_or_default()
        }),
        Column::new("condition", |r| {
            r.observation()
                .condition
                .as_deref()
                .map(text)
                .unwrap_or_default()
        }),
        Column::new("look", |r| whole(r.observation().look)),
        Column::new("reason", |r| {
            r.observation().reason.clone().unwrap_or_default()
        }),
        Column::new("responders", |r| whole(r.observation().responders)),
        Column::new("estimate", |r| number(r.observation().estimate)),
        Column::new("se", |r| number(r.observation().se)),
        Column::new("ci_low", |r| number(r.observation().ci_low)),
        Column::new("ci_high", |r| number(r.observation().ci_high)),
    ]
}

/// The observation columns called `names`, in that order (a file that leaves some out).
///
/// # Panics
/// When a name is not one of [`observation_columns`]: the lists are constants of the files,
/// so every test that writes the file finds the mistake.
pub fn observation_columns_of<R: ObservationRow>(names: &[&str]) -> Vec<Column<R>> {
    let all = observation_columns::<R>();
    names
        .iter()
        .map(|name| {
            all.iter()
                .find(|c| c.name == *name)
                .unwrap_or_else(|| panic!("{name:?} is not an observation column"))
                .clone()
        })
        .collect()
}

/// The provenance columns that end every row of summary.csv and the sweep CSV.
pub fn provenance_columns<R: ProvenanceRow>() -> Vec<Column<R>> {
    vec![
        Column::new("name", |r| text(&r.provenance().name)),
        Column::new("config_file", |r| text(&r.provenance().config_file)),
        Column::new("overrides", |r| overrides_cell(&r.provenance().overrides)),
        Column::new("seed", |r| r.provenance().seed.to_string()),
        Column::new("replicates", |r| r.provenance().replicates.to_string()),
        Column::new("version", |r| r.provenance().version.clone()),
        Column::new("command", |r| text(&r.provenance().command)),
    ]
}

/// One observation: a quantity, what it is about, and its value with Monte Carlo error.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Observation {
    /// What is measured, e.g. `power`, `p_stop`, `mean_estimate` (see docs/outputs.md).
    pub quantity: &'static str,
    /// The analysis it belongs to.
    pub analysis: Option<String>,
    /// The contrast it is about (e.g. `B - A`), for figures of a contrast's estimate or test.
    pub contrast: Option<String>,
    /// The PK metric it is about, in a trial that measures several.
    pub metric: Option<String>,
    /// The assessment day it is about, in a trial with a time course.
    pub day: Option<u32>,
    /// The condition it belongs to (adverse-event rates).
    pub condition: Option<String>,
    /// The 1-based look it belongs to.
    pub look: Option<usize>,
    /// The stop reason (`efficacy`, `futility`, `harm`) or the not-analyzable reason.
    pub reason: Option<String>,
    /// The responder count it is evaluated at (`p_responders`, `p_responders_at_least_target`).
    pub responders: Option<usize>,
    /// The value.
    pub estimate: Option<f64>,
    /// Its Monte Carlo standard error.
    pub se: Option<f64>,
    /// Lower end of its 95% Monte Carlo interval (Wilson for proportions, normal for means).
    pub ci_low: Option<f64>,
    /// Upper end.
    pub ci_high: Option<f64>,
}

impl Observation {
    /// A value without Monte Carlo error (a design value, a count, an exact figure).
    pub fn value(quantity: &'static str, x: Option<f64>) -> Observation {
        Observation {
            quantity,
            estimate: x,
            ..Observation::default()
        }
    }

    /// A proportion with its SE and Wilson interval.
    pub fn proportion(quantity: &'static str, p: &Proportion) -> Observation {
        Observation {
            quantity,
            estimate: Some(p.estimate),
            se: Some(p.se),
            ci_low: Some(p.ci_low),
            ci_high: Some(p.ci_high),
            ..Observation::default()
        }
    }

    /// A Monte Carlo mean with its SE and normal 95% interval (blank when either is missing).
    pub fn mean(quantity: &'static str, estimate: Option<f64>, se: Option<f64>) -> Observation {
        let ci = |sign: f64| match (estimate, se) {
            (Some(e), Some(s)) => Some(e + sign * Z_95 * s),
            _ => None,
        };
        Observation {
            quantity,
            estimate,
            se,
            ci_low: ci(-1.0),
            ci_high: ci(1.0),
            ..Observation::default()
        }
    }

    /// The same observation for `analysis`.
    pub fn analysis(mut self, analysis: &str) -> Observation {
        self.analysis = Some(analysis.to_string());
        self
    }

    /// The same observation for PK metric `metric`.
    pub fn metric(mut self, metric: &str) -> Observation {
        self.metric = Some(metric.to_string());
        self
    }

    /// The same observation for assessment day `day`.
    pub fn day(mut self, day: u32) -> Observation {
        self.day = Some(day);
        self
    }

    /// The same observation for `contrast`.
    pub fn contrast(mut self, contrast: &str) -> Observation {
        self.contrast = Some(contrast.to_string());
        self
    }

    /// The same observation at look `look` (1-based).
    pub fn look(mut self, look: usize) -> Observation {
        self.look = Some(look);
        self
    }

    /// The same observation for `reason`.
    pub fn reason(mut self, reason: &str) -> Observation {
        self.reason = Some(reason.to_string());
        self
    }

    /// The same observation for `condition`.
    pub fn condition(mut self, condition: &str) -> Observation {
        self.condition = Some(condition.to_string());
        self
    }

    /// The same observation at a responder count.
    pub fn responders(mut self, count: usize) -> Observation {
        self.responders = Some(count);
        self
    }

    /// The cell of `column`, one of [`observation_columns`] (blank for any other name).
    pub fn cell(&self, column: &str) -> String {
        observation_columns::<Observation>()
            .iter()
            .find(|c| c.name == column)
            .map_or(String::new(), |c| (c.cell)(self))
    }

    /// Whether `column` has a value: a writer that leaves a column out must only drop blank
    /// ones (checked by the tests).
    pub fn has(&self, column: &str) -> bool {
        !self.cell(column).is_empty()
    }
}

/// What reproduces a result, repeated on every row so that files of several runs can be
/// stacked (`rbind`, `pd.concat`) and each row still says where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    /// Config name.
    pub name: String,
    /// Config path as given.
    pub config_file: String,
    /// The `--set` arguments, as given and in order.
    pub overrides: Vec<String>,
    /// Master seed.
    pub seed: u64,
    /// Replicates (per grid point for a sweep).
    pub replicates: u64,
    /// Tool version.
    pub version: String,
    /// The command that reproduces the file.
    pub command: String,
}

/// The `--set` arguments as one cell: a JSON array of strings (empty array without any).
pub fn overrides_cell(overrides: &[String]) -> String {
    serde_json::to_string(overrides).unwrap_or_else(|_| "[]".to_string())
}

/// A number in its shortest round-trip form; blank for `None` and for a non-finite value
/// (reports never hold one). Plain decimals in [1e-7, 1e16), exponent form (`1.5e-9`) outside,
/// which R and pandas read alike; `-0` is written `0`.
pub fn number(x: Option<f64>) -> String {
    let Some(v) = x.filter(|v| v.is_finite()) else {
        return String::new();
    };
    if v == 0.0 {
        "0".to_string()
    } else if (1e-7..1e16).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// `TRUE` or `FALSE`.
pub fn boolean(b: bool) -> String {
    if b { "TRUE" } else { "FALSE" }.to_string()
}

/// `text` on one line: the source-line diagrams of located errors (lines made of a gutter `|`
/// and carets) are dropped and the remaining lines joined with "; ".
pub fn text(s: &str) -> String {
    if !s.contains(['\n', '\r']) {
        return s.to_string();
    }
    s.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !is_diagram_line(line))
        .collect::<Vec<_>>()
        .join("; ")
}

/// `|`, `12 | enroled = 30` or `| ^^^^`: a line of a caret diagram.
fn is_diagram_line(line: &str) -> bool {
    let rest = line.trim_start_matches(|c: char| c.is_ascii_digit());
    rest.trim_start().starts_with('|')
}

/// The proportion `p` of `trials` recovered from its count, so that the estimate is the count
/// divided by the trials (exactly what summary.json holds) and the interval is Wilson's.
pub fn share(p: f64, trials: u64) -> Proportion {
    let hits = (p * trials as f64).round().clamp(0.0, trials as f64) as u64;
    Proportion::new(hits, trials)
}

/// Writes a header and rows as CSV bytes; `what` names the file in errors.
fn write_table(
    what: &str,
    header: &[String],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, ReportError> {
    let error = |e: csv::Error| ReportError::Serialize {
        what: what.to_string(),
        message: e.to_string(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(error)?;
    for row in rows {
        w.write_record(row).map_err(error)?;
    }
    w.into_inner().map_err(|e| ReportError::Serialize {
        what: what.to_string(),
        message: e.to_string(),
    })
}

/// Each primary contrast's figures and, with several, their joint figures.
fn contrast_observations(report: &RunReport, out: &mut Vec<Observation>) {
    let primary = report.primary.analysis.as_str();
    for c in &report.contrasts {
        let of = |o: Observation| o.analysis(primary).contrast(&c.name);
        out.push(of(Observation::proportion(
            "contrast_rejection_rate",
            &c.rejection_rate,
        )));
        out.push(of(Observation::value(
            "contrast_true_value",
            Some(c.true_value),
        )));
        out.push(of(Observation::mean(
            "contrast_mean_estimate",
            c.mean_estimate,
            c.mean_estimate_se,
        )));
        out.push(of(Observation::value(
            "contrast_exact_power",
            c.exact_power,
        )));
        out.push(Observation::value("variance_factor", c.variance_factor).contrast(&c.name));
        out.push(Observation::value("residual_df", c.df).contrast(&c.name));
    }
    if let Some(f) = &report.family {
        let of = |o: Observation| o.analysis(primary);
        out.push(of(Observation::proportion(
            "p_any_rejected",
            &f.p_any_rejected,
        )));
        out.push(of(Observation::proportion(
            "p_all_rejected",
            &f.p_all_rejected,
        )));
        out.push(of(Observation::value(
            "mean_rejections",
            Some(f.mean_rejections),
        )));
        if let Some(fwe) = &f.familywise_error {
            out.push(of(Observation::proportion("familywise_error", fwe)));
        }
    }
}

/// Every observation of a run, in report order: the primary analysis's headline figures, each
/// analysis, each look, enrollment, responders and adverse events.
pub fn observations(report: &RunReport) -> Vec<Observation> {
    let r = report.replicates;
    let p = &report.primary;
    let primary = p.analysis.as_str();
    let mut out = vec![
        Observation::proportion("power", &p.power).analysis(primary),
        Observation::proportion("rejected_favouring_test", &p.rejected_favouring_test)
            .analysis(primary),
        Observation::proportion(
            "rejected_favouring_reference",
            &p.rejected_favouring_reference,
        )
        .analysis(primary),
    ];
    if let Some(exact) = report.closed_form.power {
        out.push(Observation::value("exact_power", Some(exact)).analysis(primary));
    }
    if let Some(b) = &report.bioequivalence {
        let mut rates = vec![
            ("p_bioequivalent", &b.bioequivalent),
            ("p_criterion", &b.criterion),
            ("p_point_estimate", &b.point_estimate),
            ("p_average_bioequivalence", &b.average),
            ("p_scaled", &b.scaled),
        ];
        if let Some(v) = &b.variability_ratio {
            rates.push(("p_variability_ratio", v));
        }
        for (quantity, p) in rates {
            out.push(Observation::proportion(quantity, p).analysis(primary));
        }
        let (c, u) = (&b.cv_reference, &b.upper_limit);
        for (quantity, x) in [
            ("cv_reference_mean", c.mean),
            ("cv_reference_sd", c.sd),
            ("cv_reference_p05", c.p05),
            ("cv_reference_p50", c.p50),
            ("cv_reference_p95", c.p95),
            ("upper_limit_mean", u.mean),
            ("upper_limit_sd", u.sd),
            ("upper_limit_p05", u.p05),
            ("upper_limit_p50", u.p50),
            ("upper_limit_p95", u.p95),
        ] {
            out.push(Observation::value(quantity, Some(x)).analysis(primary));
        }
    }
    if let Some(m) = &report.metrics {
        out.push(Observation::proportion("p_all_metrics_pass", &m.all_pass).analysis(primary));
        for x in &m.metrics {
            let at = |o: Observation| o.analysis(primary).metric(&x.name);
            out.push(at(Observation::value("true_ratio", Some(x.true_ratio))));
            out.push(at(Observation::proportion("p_metric_pass", &x.passed)));
            if let Some(p) = &x.scaled {
                out.push(at(Observation::proportion("p_scaled", p)));
            }
            out.push(at(Observation::value("mean_ratio", x.mean_ratio)));
            if let Some([l, u]) = x.mean_interval {
                out.push(at(Observation::value("mean_ci_lower", Some(l))));
                out.push(at(Observation::value("mean_ci_upper", Some(u))));
            }
            if x.correlation_with_first.is_some() {
                out.push(at(Observation::value(
                    "estimate_correlation_with_first",
                    x.correlation_with_first,
                )));
                out.push(at(Observation::value(
                    "expected_correlation_with_first",
                    x.expected_correlation,
                )));
            }
        }
    }
    if let Some(tc) = &report.time_course {
        for t in &tc.tests {
            let at = |o: Observation| o.analysis(primary).day(t.day);
            out.push(at(Observation::proportion(
                "p_reject_in_sequence",
                &t.rejected_in_sequence,
            )));
            out.push(at(Observation::proportion("p_reject_day", &t.rejected)));
            out.push(at(Observation::value("day_mean_estimate", t.mean_estimate)));
            out.push(at(Observation::value("day_mean_se", t.mean_standard_error)));
        }
        for p in &tc.trajectory {
            let at = |o: Observation| o.day(p.day).condition(&p.condition);
            out.push(at(Observation::value("mean_score", p.mean)));
            out.push(at(Observation::value("sd_score", p.sd)));
        }
        if let Some(r) = &tc.relapse {
            out.push(Observation::proportion("p_enter_period_2", &r.p_enter));
            out.push(Observation::value(
                "p_enter_period_2_closed_form",
                Some(r.p_enter_closed_form),
            ));
            for row in &r.intervals {
                let at = |o: Observation| o.day(row.day);
                out.push(at(Observation::value("p_interval", row.simulated)));
                out.push(at(Observation::value(
                    "p_interval_closed_form",
                    Some(row.closed_form),
                )));
            }
            out.push(Observation::value("mean_interval", r.mean_interval));
            out.push(Observation::value(
                "mean_interval_closed_form",
                r.mean_interval_closed_form,
            ));
            out.push(Observation::value("sd_interval", r.sd_interval));
            out.push(Observation::value(
                "sd_interval_closed_form",
                r.sd_interval_closed_form,
            ));
            out.push(Observation::value(
                "mean_shortest_interval",
                r.mean_shortest_interval,
            ));
            out.push(Observation::value(
                "mean_longest_interval",
                r.mean_longest_interval,
            ));
            out.push(Observation::value(
                "completers_mean_difference",
                r.completers_mean_difference,
            ));
            out.push(Observation::value(
                "completers_mean_difference_closed_form",
                r.completers_mean_difference_closed_form,
            ));
            out.push(Observation::value(
                "everyone_mean_difference",
                r.everyone_mean_difference,
            ));
            out.push(Observation::mean(
                "completers_bias",
                r.completers_bias,
                r.completers_bias_se,
            ));
        }
    }
    if let Some(ts) = &report.two_stage {
        for (quantity, p) in [
            ("p_success", &ts.p_success),
            ("p_stop_stage1_pass", &ts.p_stop_stage1_pass),
            ("p_stop_stage1_fail", &ts.p_stop_stage1_fail),
            ("p_stop_stage1_futility", &ts.p_stop_stage1_futility),
            ("p_stage2", &ts.p_stage2),
            ("p_pass_stage2", &ts.p_pass_stage2),
            ("p_total_enrolled_at_cap", &ts.total_enrolled.p_at_cap),
        ] {
            // With several test formulations the trial's paths are about every comparison
            // (success: at least one), not the primary's contrast.
            let o = Observation::proportion(quantity, p);
            out.push(if ts.comparisons.is_empty() {
                o.analysis(primary)
            } else {
                o
            });
        }
        for c in &ts.comparisons {
            for (quantity, p) in [
                ("comparison_success", &c.success),
                ("comparison_success_stage1", &c.success_stage1),
                ("comparison_success_stage2", &c.success_stage2),
                ("comparison_fail_stage1", &c.fail_stage1),
                ("comparison_futile", &c.futile),
                ("comparison_stage2", &c.stage2),
            ] {
                out.push(
                    Observation::proportion(quantity, p)
                        .analysis(primary)
                        .contrast(&c.name),
                );
            }
        }
        for (quantity, p) in [("p_at_least_one", &ts.at_least_one), ("p_all", &ts.all)] {
            if let Some(p) = p {
                out.push(Observation::proportion(quantity, p));
            }
        }
        let n = &ts.total_enrolled;
        out.push(Observation::mean(
            "total_enrolled_mean",
            Some(n.mean),
            Some(n.se),
        ));
        for (quantity, x) in [
            ("total_enrolled_p05", n.p05),
            ("total_enrolled_p50", n.p50),
            ("total_enrolled_p95", n.p95),
            ("total_enrolled_max", n.max),
        ] {
            out.push(Observation::value(quantity, Some(x as f64)));
        }
        if let Some(f) = &ts.final_estimate {
            let kinds = [
                (
                    [
                        "final_estimate_mean",
                        "final_estimate_sd",
                        "final_estimate_bias",
                        "final_ratio_mean",
                        "final_ratio_sd",
                        "final_ratio_bias",
                    ],
                    Some(&f.naive),
                ),
                (
                    [
                        "median_unbiased_mean",
                        "median_unbiased_sd",
                        "median_unbiased_bias",
                        "median_unbiased_ratio_mean",
                        "median_unbiased_ratio_sd",
                        "median_unbiased_ratio_bias",
                    ],
                    f.median_unbiased.as_ref(),
                ),
            ];
            for (names, e) in kinds {
                let Some(e) = e else { continue };
                let se = e.bias_se;
                out.push(Observation::mean(names[0], Some(e.mean), Some(se)).analysis(primary));
                out.push(Observation::value(names[1], Some(e.sd)).analysis(primary));
                out.push(Observation::mean(names[2], Some(e.bias), Some(se)).analysis(primary));
                if e.mean_ratio.is_some() {
                    out.push(Observation::value(names[3], e.mean_ratio).analysis(primary));
                    out.push(Observation::value(names[4], e.sd_ratio).analysis(primary));
                    out.push(Observation::value(names[5], e.bias_ratio).analysis(primary));
                }
            }
        }
    }
    // The primary's `true_value` is in its analysis block below, with every analysis's.
    out.push(Observation::value("true_effect", Some(report.true_effect)));
    out.push(
        Observation::mean(
            "mean_estimate_at_stop",
            p.mean_estimate_at_stop,
            p.mean_estimate_at_stop_se,
        )
        .analysis(primary),
    );
    out.push(
        Observation::mean(
            "mean_estimate_early_stopped",
            p.mean_estimate_early_stopped,
            p.mean_estimate_early_stopped_se,
        )
        .analysis(primary),
    );
    out.push(
        Observation::value("mean_effect_size_at_stop", p.mean_effect_size_at_stop)
            .analysis(primary),
    );
    out.push(
        Observation::value(
            "mean_effect_size_early_stopped",
            p.mean_effect_size_early_stopped,
        )
        .analysis(primary),
    );
    out.push(Observation::proportion(
        "p_stop_early",
        &report.stopped_early(),
    ));
    if let Some(i) = &p.mean_interval {
        out.push(Observation::value("mean_interval_level", Some(i.level)).analysis(primary));
        out.push(Observation::value("mean_interval_lower", Some(i.lower)).analysis(primary));
        out.push(Observation::value("mean_interval_upper", Some(i.upper)).analysis(primary));
    }
    if let Some(ratio) = &p.ratio {
        out.push(Observation::value("true_ratio", Some(ratio.true_ratio)).analysis(primary));
        out.push(
            Observation::value("geometric_mean_ratio", ratio.geometric_mean_ratio)
                .analysis(primary),
        );
        if let Some(i) = &ratio.interval {
            out.push(Observation::value("ratio_interval_lower", Some(i.lower)).analysis(primary));
            out.push(Observation::value("ratio_interval_upper", Some(i.upper)).analysis(primary));
        }
    }
    contrast_observations(report, &mut out);
    for (name, a) in &report.analyses {
        let of = |o: Observation| o.analysis(name);
        out.push(of(Observation::proportion(
            "rejection_rate",
            &a.rejection_rate,
        )));
        out.push(of(Observation::value("level", Some(a.level))));
        out.push(of(Observation::mean(
            "mean_estimate",
            a.mean_estimate,
            a.mean_estimate_se,
        )));
        out.push(of(Observation::value("true_value", a.true_value)));
        out.push(of(Observation::value(
            "mean_standard_error",
            a.mean_standard_error,
        )));
        out.push(of(Observation::value(
            "mean_effect_size",
            a.mean_effect_size,
        )));
        out.push(of(Observation::value("analyzed", Some(a.analyzed as f64))));
        out.push(of(Observation::value(
            "not_analyzable",
            Some(a.not_analyzable as f64),
        )));
        for (reason, count) in &a.not_analyzable_reasons {
            out.push(of(Observation::value(
                "not_analyzable",
                Some(*count as f64),
            )
            .reason(reason)));
        }
    }
    for look in &report.looks {
        let at = |o: Observation| o.look(look.look);
        out.push(at(Observation::value(
            "enrolled",
            Some(look.enrolled as f64),
        )));
        out.push(at(Observation::value(
            "information_rate",
            Some(look.information_rate),
        )));
        out.push(at(Observation::value("critical_z", Some(look.critical_z))));
        out.push(at(Observation::value(
            "nominal_level",
            Some(look.nominal_level),
        )));
        out.push(at(Observation::value(
            "cumulative_alpha",
            Some(look.cumulative_alpha),
        )));
        if let Some(z) = look.futility_z {
            out.push(at(Observation::value("futility_z", Some(z))));
        }
        for (reason, p) in [
            ("efficacy", look.p_stop_efficacy),
            ("futility", look.p_stop_futility),
            ("harm", look.p_stop_harm),
        ] {
            out.push(at(
                Observation::proportion("p_stop", &share(p, r)).reason(reason)
            ));
        }
        out.push(at(Observation::value(
            "mean_estimate_at_stop",
            look.mean_estimate_at_stop,
        )
        .analysis(primary)));
    }
    out.push(Observation::mean(
        "expected_enrolled",
        Some(report.expected_enrolled.mean),
        Some(report.expected_enrolled.se),
    ));
    out.push(Observation::mean(
        "completers",
        Some(report.completers.mean),
        Some(report.completers.se),
    ));
    if let Some(resp) = &report.responders {
        out.push(Observation::mean(
            "responders_mean",
            Some(resp.mean),
            Some(resp.se),
        ));
        let q = &resp.quantiles;
        for (quantity, k) in [
            ("responders_p05", q.p05),
            ("responders_p25", q.p25),
            ("responders_p50", q.p50),
            ("responders_p75", q.p75),
            ("responders_p95", q.p95),
        ] {
            out.push(Observation::value(quantity, Some(k as f64)));
        }
        out.push(
            Observation::proportion(
                "p_responders_at_least_target",
                &share(resp.p_at_least_target, r),
            )
            .responders(resp.target),
        );
        // Counts that never occurred are left out: the distribution of a trial of N
        // participants has N + 1 counts, most of them impossible in practice.
        for (k, &pk) in resp.distribution.iter().enumerate() {
            if pk > 0.0 {
                out.push(Observation::proportion("p_responders", &share(pk, r)).responders(k));
            }
        }
    }
    if let Some(ae) = &report.adverse_events {
        for (condition, rate) in &ae.rate {
            out.push(Observation::proportion("adverse_event_rate", rate).condition(condition));
        }
    }
    // Rows of an analysis that tests the primary contrast name it.
    for o in &mut out {
        if o.contrast.is_none() {
            o.contrast = o
                .analysis
                .as_ref()
                .and_then(|a| report.analyses.get(a))
                .and_then(|a| a.contrast.clone());
        }
    }
    out
}

/// The provenance of a run.
pub fn provenance(report: &RunReport) -> Provenance {
    Provenance {
        name: report.name.clone(),
        config_file: report.config_file.clone(),
        overrides: report.overrides.clone(),
        seed: report.seed,
        replicates: report.replicates,
        version: report.tool.version.clone(),
        command: report.command.clone(),
    }
}

/// A row of summary.csv: one observation of a run, with the run's provenance.
pub struct SummaryCsvRow<'a> {
    /// The observation.
    pub observation: &'a Observation,
    /// Whether the run is a null (its rejection rate is a type I error).
    pub under_null: bool,
    /// The run's provenance.
    pub provenance: &'a Provenance,
}

impl ObservationRow for SummaryCsvRow<'_> {
    fn observation(&self) -> &Observation {
        self.observation
    }
}

impl ProvenanceRow for SummaryCsvRow<'_> {
    fn provenance(&self) -> &Provenance {
        self.provenance
    }
}

/// The columns of summary.csv: every observation column, `under_null` and the provenance.
pub fn columns<'a>() -> Vec<Column<SummaryCsvRow<'a>>> {
    let mut columns = observation_columns();
    columns.push(Column::new("under_null", |r: &SummaryCsvRow| {
        boolean(r.under_null)
    }));
    columns.extend(provenance_columns());
    columns
}

/// The header of summary.csv.
pub fn header() -> Vec<String> {
    header_of(&columns())
}

/// summary.csv as bytes: [`header`], then one row per [`observations`] entry, each ending with
/// `under_null` and the provenance.
pub fn render(report: &RunReport) -> Result<Vec<u8>, ReportError> {
    let under_null = report.is_null();
    let provenance = provenance(report);
    let observations = observations(report);
    render_rows(
        "summary.csv",
        &columns(),
        observations.iter().map(|observation| SummaryCsvRow {
            observation,
            under_null,
            provenance: &provenance,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_shortest_round_trip_and_never_noisy_or_negative_zero() {
        assert_eq!(number(Some(0.2564)), "0.2564");
        assert_eq!(number(Some(-0.0)), "0");
        assert_eq!(number(Some(20.0)), "20");
        assert_eq!(number(Some(1.5e-9)), "1.5e-9");
        assert_eq!(number(Some(f64::NAN)), "");
        assert_eq!(number(None), "");
        for x in [0.1 + 0.2, 1.0 / 3.0, 2.963_237, 1e-7, 123456.789] {
            assert_eq!(number(Some(x)).parse::<f64>().unwrap(), x);
        }
        // 2564 of 10000 is 0.2564, whatever the rounding of a product would give.
        assert_eq!(share(0.2564, 10_000).estimate, 0.2564);
        assert_eq!(
            number(Some(share(2564.0 / 10_000.0, 10_000).estimate)),
            "0.2564"
        );
    }

    #[test]
    fn every_observation_column_reads_a_field_of_its_own() {
        let full = Observation::proportion("power", &Proportion::new(8, 10))
            .analysis("anova")
            .contrast("B - A")
            .metric("Cmax")
            .day(3)
            .condition("B")
            .look(1)
            .reason("efficacy")
            .responders(3);
        let columns = observation_columns::<Observation>();
        let cells: Vec<String> = columns.iter().map(|c| (c.cell)(&full)).collect();
        assert!(cells.iter().all(|c| !c.is_empty()), "{cells:?}");
        let names = header_of(&columns);
        let mut distinct = names.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), names.len(), "{names:?}");
        assert_eq!(full.cell("look"), "1");
        assert_eq!(full.cell("no such column"), "");
    }

    #[test]
    #[should_panic(expected = "\"lok\" is not an observation column")]
    fn a_file_can_leave_out_only_columns_that_exist() {
        observation_columns_of::<Observation>(&["quantity", "lok"]);
    }

    #[test]
    fn text_is_one_line_without_the_caret_diagram() {
        let located = "configs/x.toml: line 3, column 1: unknown key `enroled` in [design]\n  |\n3 | enroled = 30\n  | ^^^^^^^";
        assert_eq!(
            text(located),
            "configs/x.toml: line 3, column 1: unknown key `enroled` in [design]"
        );
        let parse = "TOML parse error at line 2, column 9\n  |\n2 | enrolled =\n  |         ^\ninvalid string\nexpected `\"`";
        assert_eq!(
            text(parse),
            "TOML parse error at line 2, column 9; invalid string; expected `\"`"
        );
        assert_eq!(text("one | two"), "one | two");
        assert_eq!(boolean(true), "TRUE");
    }
}
