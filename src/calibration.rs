//! The `calibrate` job: the adjusted alpha of a design whose type I error has no closed form
//! (a two-stage method, a scaled rule), found over a grid of nuisance parameters so that the
//! largest type I error anywhere on the grid is at most the nominal level.
//!
//! Every grid point is simulated at its least favourable null
//! ([`TrialDesign::at_least_favourable_null`](crate::config::TrialDesign::at_least_favourable_null))
//! with the config's seed at every candidate alpha, so the candidates share their random
//! numbers (the same participants in every trial; a stage 2 of another size shares its first
//! participants). The type I error at a point is then a step function of alpha over fixed
//! trials, and bisection over the search range finds the largest alpha at which no point's
//! count of passes exceeds nominal times the replicates, to the tolerance asked.
//!
//! A candidate is rejected as soon as one point exceeds nominal; the points are tried in the
//! order of their last type I error, largest first, so a rejection usually costs one point.
//! An accepted candidate has run every point.

use crate::config::{self, LoadedConfig, Override};
use crate::engine::Progress;
use crate::error::Error;
use crate::report::export::{Exporter, JsonFile};
use crate::report::plot::{heat_map_svg, HeatMap};
use crate::report::{csv_export, html, reproduce, Proportion, ReportError, RunReport, ToolInfo};
use crate::sweep::{self, SweepSpec};
use serde::Serialize;
use std::fmt::Write;

/// What the caller calls the calibration's settings in error messages (the command line's
/// flags; by default the names of [`CalibrationRequest`]'s fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalibrationLabels {
    /// The nominal level.
    pub nominal: &'static str,
    /// The search range.
    pub range: &'static str,
    /// The tolerance of the search.
    pub tolerance: &'static str,
    /// The key that holds the alpha.
    pub alpha_key: &'static str,
    /// A level checked beside the search.
    pub check_alpha: &'static str,
}

impl Default for CalibrationLabels {
    fn default() -> CalibrationLabels {
        CalibrationLabels {
            nominal: "nominal",
            range: "range",
            tolerance: "tolerance",
            alpha_key: "alpha_key",
            check_alpha: "check_alpha",
        }
    }
}

/// The grid of a calibration when none is given: Potvin et al.'s (2008), CV 0.1 to 1.0 by
/// stage-1 size 12 to 60.
pub const DEFAULT_GRID: (&str, &str, &str, &str) = (
    "log_normal.cv_within",
    "0.1:1.0:0.1",
    "design.enrolled",
    "12,24,36,48,60",
);

/// A calibration's definition.
#[derive(Debug, Clone)]
pub struct CalibrationRequest {
    /// The grid (one or two keys).
    pub grid: SweepSpec,
    /// The level the type I error must not exceed (default: the config's `analysis.alpha`).
    pub nominal: Option<f64>,
    /// The dotted key the candidate alpha is written to (default: `adaptive.alpha` for a
    /// two-stage design, else `analysis.alpha`).
    pub alpha_key: Option<String>,
    /// The search range (lowest, highest candidate; default: half the nominal, the nominal).
    pub range: Option<(f64, f64)>,
    /// The search stops when the range is this narrow.
    pub tolerance: f64,
    /// A level whose whole surface is reported beside the search (e.g. a published alpha).
    pub check_alpha: Option<f64>,
    /// Names of the settings in errors.
    pub labels: CalibrationLabels,
}

impl CalibrationRequest {
    /// A calibration over `grid` with the defaults.
    pub fn new(grid: SweepSpec) -> CalibrationRequest {
        CalibrationRequest {
            grid,
            nominal: None,
            alpha_key: None,
            range: None,
            tolerance: 1e-4,
            check_alpha: None,
            labels: CalibrationLabels::default(),
        }
    }
}

/// One grid point at one alpha.
#[derive(Debug, Clone, Serialize)]
pub struct CalibrationPoint {
    /// The first key's value.
    pub value: toml::Value,
    /// The second key's value.
    pub value2: Option<toml::Value>,
    /// The pass rate at the least favourable null.
    pub type_one_error: Proportion,
    /// The pass rate at the config's own effect (surfaces only).
    pub power: Option<Proportion>,
    /// The mean total N at the config's own effect (two-stage designs, surfaces only).
    pub expected_total: Option<f64>,
    /// The probability of a stage 2 at the config's own effect (two-stage designs).
    pub p_stage2: Option<Proportion>,
}

/// One candidate alpha of the search.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// The candidate.
    pub alpha: f64,
    /// Whether every point's type I error is at most nominal.
    pub holds: bool,
    /// The largest type I error among the points run (all of them when it holds; the first
    /// that exceeded nominal otherwise).
    pub largest_type_one_error: Proportion,
    /// Where: the first key's value.
    pub at_value: toml::Value,
    /// The second key's value.
    pub at_value2: Option<toml::Value>,
    /// Points simulated for this candidate.
    pub points_run: usize,
}

/// The whole grid at one alpha.
#[derive(Debug, Clone, Serialize)]
pub struct Surface {
    /// The alpha.
    pub alpha: f64,
    /// Every point, in grid order (second key outer).
    pub points: Vec<CalibrationPoint>,
    /// The largest type I error on the grid.
    pub max_type_one_error: Proportion,
    /// Its point's index in `points`.
    pub max_at: usize,
}

/// The answer of `calibrate`.
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    /// Tool identity.
    pub tool: ToolInfo,
    /// Config name.
    pub name: String,
    /// Config path as given.
    pub config_file: String,
    /// The `--set` arguments applied to the base config.
    pub overrides: Vec<String>,
    /// The two-stage method, if any.
    pub method: Option<String>,
    /// The reference-scaled rule, if any.
    pub rule: Option<String>,
    /// The key the candidate alpha was written to.
    pub alpha_key: String,
    /// The first grid key and its values.
    pub param: String,
    /// Its values.
    pub values: Vec<toml::Value>,
    /// The second grid key, if any.
    pub param2: Option<String>,
    /// Its values.
    pub values2: Vec<toml::Value>,
    /// The level the type I error must not exceed.
    pub nominal: f64,
    /// The search range.
    pub range: (f64, f64),
    /// The search's tolerance.
    pub tolerance: f64,
    /// Every candidate, in the order tried.
    pub search: Vec<Evaluation>,
    /// Whether the type I error at the top of the range exceeds nominal somewhere.
    pub adjustment_needed: bool,
    /// The largest candidate found at which every point holds (the top of the range when no
    /// adjustment is needed).
    pub adjusted_alpha: f64,
    /// Its Monte Carlo SE by the delta method: the SE of the largest type I error over its
    /// slope in alpha (a central difference at the point of the maximum on the same trials).
    pub adjusted_alpha_se: f64,
    /// That slope.
    pub slope: f64,
    /// The grid at the adjusted alpha: type I error, power, total N.
    pub adjusted: Surface,
    /// The grid at `check_alpha`, if asked.
    pub checked: Option<Surface>,
    /// Replicates per point and candidate.
    pub replicates: u64,
    /// Seed (the same at every point and candidate).
    pub seed: u64,
    /// Trials simulated in all.
    pub trials_simulated: u64,
    /// Wall time.
    pub elapsed_seconds: f64,
    /// The command that reproduces these files.
    pub command: String,
}

/// `crossover-sim calibrate CONFIG --param .. --values .. [--param2 .. --values2 ..] ...`.
pub fn command(base: &LoadedConfig, request: &CalibrationRequest) -> String {
    let config_args = reproduce::config_args(base);
    let mut args = vec!["calibrate".to_string(), config_args[0].clone()];
    let grid: Vec<String> = request
        .grid
        .args()
        .into_iter()
        .filter(|a| a != "--target-power")
        .collect();
    args.extend(grid);
    if let Some(n) = request.nominal {
        args.extend(["--nominal".to_string(), n.to_string()]);
    }
    if let Some(k) = &request.alpha_key {
        args.extend(["--alpha-key".to_string(), k.clone()]);
    }
    if let Some((lo, hi)) = request.range {
        args.extend(["--range".to_string(), format!("{lo}:{hi}")]);
    }
    args.extend(["--tolerance".to_string(), request.tolerance.to_string()]);
    if let Some(a) = request.check_alpha {
        args.extend(["--check-alpha".to_string(), a.to_string()]);
    }
    args.extend(config_args[1..].iter().cloned());
    reproduce::command(&args)
}

/// A grid point's config (grid values applied), validated.
struct GridPoint {
    value: toml::Value,
    value2: Option<toml::Value>,
    config: LoadedConfig,
}

/// The checked settings.
struct Settings {
    nominal: f64,
    alpha_key: String,
    range: (f64, f64),
}

fn level(label: &str, x: f64, what: &str) -> Result<f64, Error> {
    if x.is_finite() && x > 0.0 && x < 0.5 {
        Ok(x)
    } else {
        Err(Error::argument(
            label,
            &config::tidy_numbers(&x.to_string()),
            format!("{what} must be a level in (0, 0.5), e.g. 0.05"),
        ))
    }
}

fn settings(base: &LoadedConfig, r: &CalibrationRequest) -> Result<Settings, Error> {
    let l = r.labels;
    let design = &base.design;
    let nominal = match r.nominal {
        Some(x) => level(l.nominal, x, "the nominal level")?,
        None => design.analysis().alpha(),
    };
    let alpha_key = r.alpha_key.clone().unwrap_or_else(|| {
        if design.two_stage().is_some() {
            "adaptive.alpha".to_string()
        } else {
            "analysis.alpha".to_string()
        }
    });
    let range = match r.range {
        Some((lo, hi)) => {
            level(l.range, lo, "the lowest candidate")?;
            level(l.range, hi, "the highest candidate")?;
            if lo >= hi {
                return Err(Error::argument(
                    l.range,
                    &format!("{lo}:{hi}"),
                    "must be LOW:HIGH with LOW below HIGH, e.g. 0.02:0.05",
                ));
            }
            (lo, hi)
        }
        None => (nominal / 2.0, nominal),
    };
    if !(r.tolerance.is_finite() && r.tolerance > 0.0 && r.tolerance < range.1 - range.0) {
        return Err(Error::argument(
            l.tolerance,
            &config::tidy_numbers(&r.tolerance.to_string()),
            format!(
                "must be positive and narrower than the search range {}:{}, e.g. 0.0001",
                range.0, range.1
            ),
        ));
    }
    if let Some(a) = r.check_alpha {
        level(l.check_alpha, a, "the checked alpha")?;
    }
    Ok(Settings {
        nominal,
        alpha_key,
        range,
    })
}

/// The point's config with `alpha` written to the alpha key.
fn at_alpha(
    point: &LoadedConfig,
    key: &str,
    label: &str,
    alpha: f64,
) -> Result<LoadedConfig, Error> {
    let o = Override::with_value(key, toml::Value::Float(alpha))?
        .from_argument(format!("{label} {key} at the candidate alpha {alpha}"));
    Ok(config::with_overrides(point, &[o])?)
}

/// The same config at its least favourable null.
fn null_of(loaded: &LoadedConfig) -> Result<LoadedConfig, Error> {
    let design = loaded.design.at_least_favourable_null().map_err(|why| {
        Error::Usage(format!(
            "{}: calibrate simulates each grid point at its least favourable null, and this config has none: {why}",
            loaded.origin
        ))
    })?;
    Ok(LoadedConfig {
        design,
        ..loaded.clone()
    })
}

/// The pass rate a calibration controls: the primary's, or with several comparisons of a
/// two-stage design the rate of at least one success (under the global null, the familywise
/// error).
fn familywise(r: &RunReport) -> Proportion {
    r.two_stage
        .as_ref()
        .and_then(|t| t.at_least_one)
        .unwrap_or(r.primary.power)
}

/// What the search and the surfaces simulate: one report per (point, alpha, null or not).
struct Simulations<'a> {
    settings: &'a Settings,
    labels: CalibrationLabels,
    progress: &'a dyn Progress,
    replicates: u64,
    trials: u64,
}

impl Simulations<'_> {
    fn report(&mut self, point: &LoadedConfig, alpha: f64, null: bool) -> Result<RunReport, Error> {
        let at = at_alpha(
            point,
            &self.settings.alpha_key,
            self.labels.alpha_key,
            alpha,
        )?;
        let at = if null { null_of(&at)? } else { at };
        let report = crate::run::simulate(&at, self.progress)?;
        self.trials += report.replicates;
        Ok(report)
    }

    /// The type I error at `point` and `alpha`, and its count of passes.
    fn type_one_error(
        &mut self,
        point: &LoadedConfig,
        alpha: f64,
    ) -> Result<(Proportion, u64), Error> {
        let r = self.report(point, alpha, true)?;
        let p = familywise(&r);
        Ok((p, (p.estimate * self.replicates as f64).round() as u64))
    }

    /// Whether `hits` passes out of the replicates stay at or below nominal.
    fn holds(&self, hits: u64) -> bool {
        hits as f64 <= self.settings.nominal * self.replicates as f64 + 1e-9
    }

    fn surface(
        &mut self,
        points: &[GridPoint],
        alpha: f64,
        with_power: bool,
    ) -> Result<Surface, Error> {
        let mut out = Vec::with_capacity(points.len());
        for p in points {
            let (type_one_error, _) = self.type_one_error(&p.config, alpha)?;
            let (power, expected_total, p_stage2) = if with_power {
                let r = self.report(&p.config, alpha, false)?;
                let ts = r.two_stage.as_ref();
                (
                    Some(familywise(&r)),
                    ts.map(|t| t.total_enrolled.mean),
                    ts.map(|t| t.p_stage2),
                )
            } else {
                (None, None, None)
            };
            out.push(CalibrationPoint {
                value: p.value.clone(),
                value2: p.value2.clone(),
                type_one_error,
                power,
                expected_total,
                p_stage2,
            });
        }
        let max_at = (0..out.len())
            .max_by(|&a, &b| {
                out[a]
                    .type_one_error
                    .estimate
                    .total_cmp(&out[b].type_one_error.estimate)
                    .then(b.cmp(&a))
            })
            .unwrap_or(0);
        Ok(Surface {
            alpha,
            max_type_one_error: out[max_at].type_one_error,
            max_at,
            points: out,
        })
    }
}

/// Calibrates `base`'s alpha over `request`'s grid. `log` receives a line per candidate;
/// `progress` counts replicates and can stop the job.
pub fn calibrate(
    base: &LoadedConfig,
    request: &CalibrationRequest,
    log: &dyn Fn(&str),
    progress: &dyn Progress,
) -> Result<Calibration, Error> {
    let start = std::time::Instant::now();
    request.grid.check()?;
    sweep::check_overrides(base, &request.grid)?;
    let s = settings(base, request)?;
    // Every point, its alpha override and its null are validated before any simulation.
    let points: Vec<GridPoint> = sweep::grid(&request.grid)
        .into_iter()
        .map(|(value, value2)| {
            let config = sweep::point_config(base, &request.grid, &value, &value2)?;
            null_of(&at_alpha(
                &config,
                &s.alpha_key,
                request.labels.alpha_key,
                s.range.1,
            )?)?;
            Ok(GridPoint {
                value,
                value2,
                config,
            })
        })
        .collect::<Result<_, Error>>()?;
    let replicates = base.design.replicates();
    let mut sims = Simulations {
        settings: &s,
        labels: request.labels,
        progress,
        replicates,
        trials: 0,
    };
    let mut last = vec![f64::INFINITY; points.len()];
    let mut search = Vec::new();
    let describe = |e: &Evaluation| {
        let at = match &e.at_value2 {
            Some(v2) => format!(
                "{} = {}, {} = {}",
                request.grid.param,
                e.at_value,
                request.grid.second.as_ref().map_or("", |(k, _)| k.as_str()),
                v2
            ),
            None => format!("{} = {}", request.grid.param, e.at_value),
        };
        format!(
            "  alpha {:.6}: {} (type I error {:.5} ± {:.5} at {at}; {} of {} points run)",
            e.alpha,
            if e.holds { "holds" } else { "exceeds nominal" },
            e.largest_type_one_error.estimate,
            e.largest_type_one_error.se,
            e.points_run,
            points.len()
        )
    };
    let mut evaluate = |alpha: f64, sims: &mut Simulations| -> Result<Evaluation, Error> {
        let mut order: Vec<usize> = (0..points.len()).collect();
        order.sort_by(|&a, &b| last[b].total_cmp(&last[a]).then(a.cmp(&b)));
        let mut largest: Option<(Proportion, usize)> = None;
        let mut run = 0;
        let mut holds = true;
        for i in order {
            let (p, hits) = sims.type_one_error(&points[i].config, alpha)?;
            run += 1;
            last[i] = p.estimate;
            if largest.map_or(true, |(q, _)| p.estimate > q.estimate) {
                largest = Some((p, i));
            }
            if !sims.holds(hits) {
                holds = false;
                largest = Some((p, i));
                break;
            }
        }
        let (p, i) = largest.unwrap_or((Proportion::zero(), 0));
        let e = Evaluation {
            alpha,
            holds,
            largest_type_one_error: p,
            at_value: points[i].value.clone(),
            at_value2: points[i].value2.clone(),
            points_run: run,
        };
        log(&describe(&e));
        Ok(e)
    };
    let (lo, hi) = s.range;
    let top = evaluate(hi, &mut sims)?;
    let adjustment_needed = !top.holds;
    search.push(top);
    let adjusted = if adjustment_needed {
        let bottom = evaluate(lo, &mut sims)?;
        let bottom_holds = bottom.holds;
        let worst = bottom.largest_type_one_error;
        search.push(bottom);
        if !bottom_holds {
            return Err(Error::argument(
                request.labels.range,
                &format!("{lo}:{hi}"),
                format!(
                    "even its lowest candidate {lo} gives a type I error of {:.5} (above the nominal {}) at some grid point; lower the range's start",
                    worst.estimate, s.nominal
                ),
            ));
        }
        let (mut lo, mut hi) = (lo, hi);
        while hi - lo > request.tolerance {
            let mid = 0.5 * (lo + hi);
            let e = evaluate(mid, &mut sims)?;
            if e.holds {
                lo = mid;
            } else {
                hi = mid;
            }
            search.push(e);
        }
        lo
    } else {
        hi
    };
    let adjusted_surface = sims.surface(&points, adjusted, true)?;
    // The slope of the largest type I error in alpha, on the same trials at its point.
    let h = 0.001f64.min(adjusted / 2.0);
    let at_max = &points[adjusted_surface.max_at].config;
    let (up, _) = sims.type_one_error(at_max, adjusted + h)?;
    let (down, _) = sims.type_one_error(at_max, adjusted - h)?;
    let slope = (up.estimate - down.estimate) / (2.0 * h);
    let adjusted_alpha_se = if slope > 0.0 {
        adjusted_surface.max_type_one_error.se / slope
    } else {
        f64::NAN
    };
    let checked = match request.check_alpha {
        Some(a) => Some(sims.surface(&points, a, true)?),
        None => None,
    };
    let design = &base.design;
    Ok(Calibration {
        tool: ToolInfo::current(),
        name: design.name().to_string(),
        config_file: base.origin.clone(),
        overrides: base.overrides.clone(),
        method: design.two_stage().map(|p| p.method().as_str().to_string()),
        rule: design
            .bioequivalence()
            .map(|r| r.name().as_str().to_string()),
        alpha_key: s.alpha_key.clone(),
        param: request.grid.param.clone(),
        values: request.grid.values.clone(),
        param2: request.grid.second.as_ref().map(|(k, _)| k.clone()),
        values2: request
            .grid
            .second
            .as_ref()
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
        nominal: s.nominal,
        range: s.range,
        tolerance: request.tolerance,
        search,
        adjustment_needed,
        adjusted_alpha: adjusted,
        adjusted_alpha_se,
        slope,
        adjusted: adjusted_surface,
        checked,
        replicates,
        seed: design.seed(),
        trials_simulated: sims.trials,
        elapsed_seconds: start.elapsed().as_secs_f64(),
        command: command(base, request),
    })
}

fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => config::tidy_numbers(&other.to_string()),
    }
}

fn point_label(c: &Calibration, p: &CalibrationPoint) -> String {
    match (&c.param2, &p.value2) {
        (Some(k2), Some(v2)) => format!(
            "{} = {}, {k2} = {}",
            c.param,
            value_text(&p.value),
            value_text(v2)
        ),
        _ => format!("{} = {}", c.param, value_text(&p.value)),
    }
}

fn percent(p: &Proportion) -> String {
    format!("{:.5} ± {:.5}", p.estimate, p.se)
}

fn surface_table(s: &mut String, c: &Calibration, surface: &Surface) {
    let second = c.param2.as_deref();
    let _ = write!(s, "| {} |", c.param);
    if let Some(k2) = second {
        let _ = write!(s, " {k2} |");
    }
    let _ = writeln!(s, " type I error | power | mean total N | P(stage 2) |");
    let _ = write!(s, "|---|");
    if second.is_some() {
        let _ = write!(s, "---|");
    }
    let _ = writeln!(s, "---|---|---|---|");
    for (i, p) in surface.points.iter().enumerate() {
        let mark = if i == surface.max_at {
            " (largest)"
        } else {
            ""
        };
        let _ = write!(s, "| {} |", value_text(&p.value));
        if let Some(v2) = &p.value2 {
            let _ = write!(s, " {} |", value_text(v2));
        }
        let _ = writeln!(
            s,
            " {}{mark} | {} | {} | {} |",
            percent(&p.type_one_error),
            p.power.as_ref().map(percent).unwrap_or_default(),
            p.expected_total
                .map(|n| format!("{n:.2}"))
                .unwrap_or_default(),
            p.p_stage2.as_ref().map(percent).unwrap_or_default()
        );
    }
}

/// The Markdown report of a calibration.
pub fn render_markdown(c: &Calibration) -> String {
    let mut s = String::new();
    let what = c
        .method
        .as_deref()
        .or(c.rule.as_deref())
        .unwrap_or("the config's test");
    let _ = writeln!(s, "# {}: alpha calibrated over a grid ({what})\n", c.name);
    let grid = match &c.param2 {
        Some(k2) => format!(
            "{} ({} values) by {k2} ({} values)",
            c.param,
            c.values.len(),
            c.values2.len()
        ),
        None => format!("{} ({} values)", c.param, c.values.len()),
    };
    let _ = writeln!(
        s,
        "Each grid point of {grid} was simulated at its least favourable null with {} replicates and seed {} at every candidate alpha (written to `{}`), the same trials at every candidate. The search range was {} to {}; bisection stopped at a width of {}.\n",
        c.replicates, c.seed, c.alpha_key, c.range.0, c.range.1, c.tolerance
    );
    let max = &c.adjusted.max_type_one_error;
    let at = point_label(c, &c.adjusted.points[c.adjusted.max_at]);
    if c.adjustment_needed {
        let _ = writeln!(
            s,
            "**Adjusted alpha: {:.6}** (Monte Carlo SE {:.6}). There the largest type I error on the grid is {} at {at} (nominal {}).\n",
            c.adjusted_alpha, c.adjusted_alpha_se, percent(max), c.nominal
        );
    } else {
        let _ = writeln!(
            s,
            "**No adjustment needed within the range:** at alpha {} the largest type I error on the grid is {} at {at} (nominal {}).\n",
            c.adjusted_alpha, percent(max), c.nominal
        );
    }
    let _ = writeln!(
        s,
        "The SE is the delta method's: the SE of the largest type I error over its slope in alpha ({:.4} per unit alpha, a central difference on the same trials at that point). It does not include the upward bias of a maximum over many noisy points.\n",
        c.slope
    );
    let _ = writeln!(s, "## The search\n");
    let _ = writeln!(
        s,
        "| alpha | holds | largest type I error | at | points run |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|");
    for e in &c.search {
        let at = match (&c.param2, &e.at_value2) {
            (Some(k2), Some(v2)) => format!(
                "{} = {}, {k2} = {}",
                c.param,
                value_text(&e.at_value),
                value_text(v2)
            ),
            _ => format!("{} = {}", c.param, value_text(&e.at_value)),
        };
        let _ = writeln!(
            s,
            "| {:.6} | {} | {} | {at} | {} |",
            e.alpha,
            if e.holds { "yes" } else { "no" },
            percent(&e.largest_type_one_error),
            e.points_run
        );
    }
    let _ = writeln!(s, "\n## At the adjusted alpha {:.6}\n", c.adjusted_alpha);
    surface_table(&mut s, c, &c.adjusted);
    if let Some(checked) = &c.checked {
        let _ = writeln!(s, "\n## At the checked alpha {}\n", checked.alpha);
        let _ = writeln!(
            s,
            "Largest type I error {} at {}.\n",
            percent(&checked.max_type_one_error),
            point_label(c, &checked.points[checked.max_at])
        );
        surface_table(&mut s, c, checked);
    }
    let _ = writeln!(
        s,
        "\n{} trials simulated in {:.1} s.\n\nReproduce: `{}` (crossover-sim {}).",
        c.trials_simulated, c.elapsed_seconds, c.command, c.tool.version
    );
    s
}

/// The points of `surface` as a heat map of `what` (first key across, second key down).
fn heat_map(
    c: &Calibration,
    surface: &Surface,
    title: &str,
    level: f64,
    rate: fn(&CalibrationPoint) -> Option<Proportion>,
) -> HeatMap {
    let rows: Vec<Option<&toml::Value>> = if c.values2.is_empty() {
        vec![None]
    } else {
        c.values2.iter().map(Some).collect()
    };
    HeatMap {
        title: title.to_string(),
        x_label: c.param.clone(),
        y_label: c.param2.clone().unwrap_or_default(),
        columns: c.values.iter().map(value_text).collect(),
        rows: rows
            .iter()
            .map(|v| v.map(value_text).unwrap_or_default())
            .collect(),
        values: rows
            .iter()
            .map(|&v2| {
                c.values
                    .iter()
                    .map(|v| {
                        surface
                            .points
                            .iter()
                            .find(|p| &p.value == v && p.value2.as_ref() == v2)
                            .and_then(rate)
                            .map(|q| (q.estimate, q.se))
                    })
                    .collect()
            })
            .collect(),
        level,
    }
}

/// The figures of a calibration: (file name, SVG).
pub fn figures(c: &Calibration) -> Result<Vec<(String, String)>, ReportError> {
    let tie = heat_map(
        c,
        &c.adjusted,
        &format!(
            "{}: type I error at alpha {:.5}, {} replicates per cell",
            c.name, c.adjusted_alpha, c.replicates
        ),
        c.nominal,
        |p| Some(p.type_one_error),
    );
    let power = heat_map(
        c,
        &c.adjusted,
        &format!(
            "{}: power at alpha {:.5} (orange: above 0.8)",
            c.name, c.adjusted_alpha
        ),
        0.8,
        |p| p.power,
    );
    Ok(vec![
        (
            "calibration-type-one-error.svg".to_string(),
            heat_map_svg("calibration-type-one-error.svg", &tie)?,
        ),
        (
            "calibration-power.svg".to_string(),
            heat_map_svg("calibration-power.svg", &power)?,
        ),
    ])
}

/// One row of calibration.csv.
struct CsvRow<'a> {
    point: &'a CalibrationPoint,
    alpha_role: &'static str,
    alpha: f64,
    quantity: &'static str,
    rate: Option<Proportion>,
    mean: Option<f64>,
    provenance: &'a csv_export::Provenance,
}

impl csv_export::ProvenanceRow for CsvRow<'_> {
    fn provenance(&self) -> &csv_export::Provenance {
        self.provenance
    }
}

fn value_cell(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => csv_export::text(s),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => csv_export::number(Some(*f)),
        other => csv_export::text(&other.to_string()),
    }
}

/// calibration.csv: one row per grid point, surface (adjusted or checked alpha) and quantity
/// (`type_one_error`, `power`, `expected_total_n`, `p_stage2`), tidy, with the provenance.
pub fn render_csv(c: &Calibration) -> Result<Vec<u8>, ReportError> {
    let provenance = csv_export::Provenance {
        name: c.name.clone(),
        config_file: c.config_file.clone(),
        overrides: c.overrides.clone(),
        seed: c.seed,
        replicates: c.replicates,
        version: c.tool.version.clone(),
        command: c.command.clone(),
    };
    let mut columns: Vec<csv_export::Column<CsvRow>> =
        vec![csv_export::Column::named(c.param.clone(), |r: &CsvRow| {
            value_cell(&r.point.value)
        })];
    if let Some(k2) = &c.param2 {
        columns.push(csv_export::Column::named(k2.clone(), |r: &CsvRow| {
            r.point.value2.as_ref().map(value_cell).unwrap_or_default()
        }));
    }
    columns.extend([
        csv_export::Column::new("alpha_role", |r: &CsvRow| r.alpha_role.to_string()),
        csv_export::Column::new("alpha", |r: &CsvRow| csv_export::number(Some(r.alpha))),
        csv_export::Column::new("quantity", |r: &CsvRow| r.quantity.to_string()),
        csv_export::Column::new("estimate", |r: &CsvRow| {
            csv_export::number(r.rate.map(|p| p.estimate).or(r.mean))
        }),
        csv_export::Column::new("se", |r: &CsvRow| csv_export::number(r.rate.map(|p| p.se))),
        csv_export::Column::new("ci_low", |r: &CsvRow| {
            csv_export::number(r.rate.map(|p| p.ci_low))
        }),
        csv_export::Column::new("ci_high", |r: &CsvRow| {
            csv_export::number(r.rate.map(|p| p.ci_high))
        }),
    ]);
    columns.extend(csv_export::provenance_columns());
    let mut surfaces = vec![("adjusted", &c.adjusted)];
    if let Some(checked) = &c.checked {
        surfaces.push(("checked", checked));
    }
    let mut rows = Vec::new();
    for (role, surface) in surfaces {
        for point in &surface.points {
            let row = |quantity, rate, mean| CsvRow {
                point,
                alpha_role: role,
                alpha: surface.alpha,
                quantity,
                rate,
                mean,
                provenance: &provenance,
            };
            rows.push(row("type_one_error", Some(point.type_one_error), None));
            if point.power.is_some() {
                rows.push(row("power", point.power, None));
            }
            if point.expected_total.is_some() {
                rows.push(row("expected_total_n", None, point.expected_total));
            }
            if point.p_stage2.is_some() {
                rows.push(row("p_stage2", point.p_stage2, None));
            }
        }
    }
    csv_export::render_rows("calibration.csv", &columns, rows)
}

/// The report with its two heat maps (calibration.md and the HTML page).
fn page_markdown(c: &Calibration) -> String {
    let mut md = render_markdown(c);
    md.push_str(
        "\n![type I error](calibration-type-one-error.svg)\n\n![power](calibration-power.svg)\n",
    );
    md
}

/// calibration.md.
#[derive(Debug, Clone, Copy, Default)]
pub struct CalibrationMarkdown;

impl Exporter<Calibration> for CalibrationMarkdown {
    fn file_name(&self) -> &str {
        "calibration.md"
    }

    fn render(&self, c: &Calibration) -> Result<Vec<u8>, ReportError> {
        Ok(page_markdown(c).into_bytes())
    }
}

/// calibration.csv.
#[derive(Debug, Clone, Copy, Default)]
pub struct CalibrationCsv;

impl Exporter<Calibration> for CalibrationCsv {
    fn file_name(&self) -> &str {
        "calibration.csv"
    }

    fn render(&self, c: &Calibration) -> Result<Vec<u8>, ReportError> {
        render_csv(c)
    }
}

/// One heat map of a calibration.
#[derive(Debug, Clone, Copy)]
pub struct CalibrationSvg {
    index: usize,
    file: &'static str,
}

impl Exporter<Calibration> for CalibrationSvg {
    fn file_name(&self) -> &str {
        self.file
    }

    fn render(&self, c: &Calibration) -> Result<Vec<u8>, ReportError> {
        Ok(figures(c)?.swap_remove(self.index).1.into_bytes())
    }
}

/// calibration.html: the report and its heat maps as one self-contained page.
#[derive(Debug, Clone, Copy, Default)]
pub struct CalibrationHtml;

impl Exporter<Calibration> for CalibrationHtml {
    fn file_name(&self) -> &str {
        "calibration.html"
    }

    fn render(&self, c: &Calibration) -> Result<Vec<u8>, ReportError> {
        Ok(html::render_markdown_page(
            &format!("{}: alpha calibration", c.name),
            &page_markdown(c),
            &figures(c)?,
        )
        .into_bytes())
    }
}

/// The exporters of a calibration, in the order written.
pub fn exporters() -> Vec<Box<dyn Exporter<Calibration>>> {
    vec![
        Box::new(JsonFile::new("calibration.json")),
        Box::new(CalibrationCsv),
        Box::new(CalibrationMarkdown),
        Box::new(CalibrationSvg {
            index: 0,
            file: "calibration-type-one-error.svg",
        }),
        Box::new(CalibrationSvg {
            index: 1,
            file: "calibration-power.svg",
        }),
        Box::new(CalibrationHtml),
    ]
}
