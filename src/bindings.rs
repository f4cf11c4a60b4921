//! What the R and Python packages call (`bindings/r`, `bindings/python`): the commands `run`,
//! `sweep`, `validate`, `boundaries`, `samplesize` and `init` with plain arguments, returning
//! the files the command line writes, rendered by the same exporters, so that a package's
//! numbers at a seed are the command line's, byte for byte.
//!
//! A package's own thread is the only one that may call into R or Python, so simulations run
//! on a worker pool from a second thread while the caller's thread polls ([`Poll`]) every
//! [`POLL_INTERVAL`]: it shows progress and relays Ctrl-C, which cancels the run through the
//! engine's [`Watch`] and ends it with [`Error::Interrupted`].
//!
//! Parameters are named in errors as the packages name their arguments (`set`, `replicates`,
//! `threads`, `param`, `looks`, ...); config errors are the command line's, word for word.

use crate::boundary_request::{self, BoundaryLabels};
use crate::config::{self, template::Template, LoadedConfig, Override};
use crate::engine::{Progress, Watch};
use crate::error::Error;
use crate::report::export::{run_exporters, Exporter};
use crate::sequential::boundaries::{BoundaryFamily, Sided};
use crate::sweep::{self, SweepLabels, SweepSpec};
use crate::{run, sample_size};
use std::path::Path;
use std::time::Duration;

/// How often the caller's thread is polled while a simulation runs: short enough that Ctrl-C
/// feels immediate, long enough to cost nothing.
pub const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// What a config given as text (not a path) is called in errors and recorded results.
pub const CONFIG_TEXT_ORIGIN: &str = "<config text>";

/// What a `KEY=VALUE` override is called in errors: the packages' `set` argument.
pub const SET_LABEL: &str = "set";

/// Called on the caller's thread every [`POLL_INTERVAL`] with the replicates done and the
/// total; returns true to stop the run (the user pressed Ctrl-C).
pub type Poll<'a> = &'a mut dyn FnMut(u64, u64) -> bool;

/// The options every simulating command takes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunArgs {
    /// `KEY=VALUE` overrides, in order.
    pub set: Vec<String>,
    /// `simulation.replicates`, when given.
    pub replicates: Option<u64>,
    /// `simulation.seed`, when given.
    pub seed: Option<u64>,
    /// Worker threads (None: one per core); results do not depend on it.
    pub threads: Option<usize>,
}

/// Reads `config`: the path of a TOML file, or TOML text itself. Text is recognised by a line
/// break or an `=` when no file of that name exists, so that a mistyped path still gets the
/// command line's "cannot read" error.
pub fn load(config: &str, args: &RunArgs) -> Result<LoadedConfig, Error> {
    let mut overrides = args
        .set
        .iter()
        .map(|s| Override::parse_as(SET_LABEL, s))
        .collect::<Result<Vec<_>, _>>()?;
    // As the command line's --replicates and --seed: values in hand, not recorded overrides.
    if let Some(r) = args.replicates {
        overrides.push(Override::replicates(r)?);
    }
    if let Some(s) = args.seed {
        overrides.push(Override::seed(s)?);
    }
    let path = Path::new(config);
    let is_text = !path.exists() && (config.contains('\n') || config.contains('='));
    Ok(if is_text {
        config::parse(config, CONFIG_TEXT_ORIGIN, &overrides)?
    } else {
        config::load(path, &overrides)?
    })
}

/// Runs `job` on a pool of `threads` workers from a second thread, polling on this one until
/// it ends; a poll that returns true cancels it.
pub fn polled<T: Send>(
    threads: Option<usize>,
    total: u64,
    poll: Poll,
    job: impl FnOnce(&Watch) -> Result<T, Error> + Send,
) -> Result<T, Error> {
    let pool = run::thread_pool_as("threads", threads)?;
    let watch = Watch::new();
    std::thread::scope(|scope| {
        let worker = scope.spawn(|| pool.install(|| job(&watch)));
        while !worker.is_finished() {
            if !watch.cancelled() && poll(watch.done(), total) {
                watch.cancel();
            }
            std::thread::park_timeout(POLL_INTERVAL);
        }
        poll(watch.done(), total);
        worker
            .join()
            .unwrap_or_else(|_| Err(Error::Other("the simulation failed unexpectedly".into())))
    })
}

/// A run's results: the command line's summary.json and summary.csv, with its hints and
/// warning.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFiles {
    /// summary.json.
    pub json: String,
    /// summary.csv (tidy: one observation per row).
    pub csv: String,
    /// Hints about values that look like percentages.
    pub hints: Vec<String>,
    /// The warning the command line prints about the primary analysis, if any.
    pub warning: Option<String>,
}

/// The text of the file `name` of a list of exporters rendered from `value`.
fn rendered<T: ?Sized>(
    value: &T,
    exporters: &[Box<dyn Exporter<T>>],
    name: impl Fn(&str) -> bool,
) -> Result<String, Error> {
    let exporter = exporters
        .iter()
        .find(|e| name(e.file_name()))
        .ok_or_else(|| Error::Other("no such output file".into()))?;
    let bytes = exporter.render(value)?;
    String::from_utf8(bytes).map_err(|e| Error::Other(e.to_string()))
}

/// `crossover-sim run CONFIG [--set ...] [--replicates R] [--seed S]`, without writing files.
pub fn run(config: &str, args: &RunArgs, poll: Poll) -> Result<RunFiles, Error> {
    let loaded = load(config, args)?;
    // Every error comes before simulation time is spent, as the command line's `prepare`.
    run::simulator(&loaded)?;
    let report = polled(args.threads, loaded.design.replicates(), poll, |watch| {
        run::simulate(&loaded, watch)
    })?;
    let exporters = run_exporters(&report);
    Ok(RunFiles {
        json: rendered(&report, &exporters, |f| f == "summary.json")?,
        csv: rendered(&report, &exporters, |f| f == "summary.csv")?,
        hints: loaded.hints(),
        warning: report.primary_warning(),
    })
}

/// What a sweep varies: as `sweep --param --values [--param2 --values2] [--target-power]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SweepArgs {
    /// The swept key.
    pub param: String,
    /// Its values: `a,b,c` or `from:to:step`.
    pub values: String,
    /// A second swept key.
    pub param2: Option<String>,
    /// Its values.
    pub values2: Option<String>,
    /// The power to find the smallest value for.
    pub target_power: Option<f64>,
}

/// A sweep's results: the command line's `<stem>.json` and `<stem>.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepFiles {
    /// `<stem>.json`.
    pub json: String,
    /// `<stem>.csv` (tidy: one observation per row and grid point).
    pub csv: String,
    /// Hints about values that look like percentages.
    pub hints: Vec<String>,
}

/// `crossover-sim sweep CONFIG --param K --values V ...`, without writing files.
pub fn sweep(
    config: &str,
    args: &RunArgs,
    grid: &SweepArgs,
    poll: Poll,
) -> Result<SweepFiles, Error> {
    let labels = SweepLabels {
        set: SET_LABEL,
        ..SweepLabels::default()
    };
    let mut spec = SweepSpec::new(
        grid.param.clone(),
        sweep::parse_values_of(labels.values, &grid.values)?,
    );
    spec.labels = labels;
    spec.values_arg = Some(grid.values.clone());
    if let Some(k) = &grid.param2 {
        let v = grid.values2.as_deref().ok_or_else(|| {
            Error::argument(labels.param2, k, format!("needs {} too", labels.values2))
        })?;
        spec.second = Some((k.clone(), sweep::parse_values_of(labels.values2, v)?));
        spec.values2_arg = Some(v.to_string());
    }
    spec.target_power = grid.target_power;
    spec.check()?;
    let base = load(config, args)?;
    sweep::check_overrides(&base, &spec)?;
    // Every grid point is validated before simulation time is spent.
    let points = sweep::point_configs(&base, &spec)?.len() as u64;
    let result = polled(
        args.threads,
        points * base.design.replicates(),
        poll,
        |watch| sweep::run_sweep(&base, &spec, watch),
    )?;
    let exporters = crate::report::sweep::exporters(&result);
    Ok(SweepFiles {
        json: rendered(&result, &exporters, |f| f.ends_with(".json"))?,
        csv: rendered(&result, &exporters, |f| f.ends_with(".csv"))?,
        hints: base.hints(),
    })
}

/// What `validate` found in a valid config.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    /// The config's name (its results folder).
    pub name: String,
    /// Participants enrolled.
    pub enrolled: usize,
    /// The looks, as enrollment counts.
    pub looks: Vec<usize>,
    /// The primary analysis.
    pub primary: String,
    /// Replicates and seed, as they would run.
    pub replicates: u64,
    /// The seed.
    pub seed: u64,
    /// Hints about values that look like percentages.
    pub hints: Vec<String>,
    /// The config with every default filled in, as JSON (as summary.json records it).
    pub resolved: String,
}

/// `crossover-sim validate CONFIG`: the config loads, validates and its boundaries compute.
pub fn validate(config: &str, args: &RunArgs) -> Result<Validated, Error> {
    let loaded = load(config, args)?;
    run::simulator(&loaded)?;
    let d = &loaded.design;
    Ok(Validated {
        name: d.name().to_string(),
        enrolled: d.enrolled(),
        looks: d.sequential().looks().to_vec(),
        primary: d.analysis().primary().as_str().to_string(),
        replicates: d.replicates(),
        seed: loaded.resolved.simulation.seed,
        hints: loaded.hints(),
        resolved: serde_json::to_string(&loaded.resolved)
            .map_err(|e| Error::Other(e.to_string()))?,
    })
}

/// `crossover-sim boundaries --json`: the boundary table of a family at information rates (or
/// enrollment counts) `looks`, as JSON.
#[allow(clippy::too_many_arguments)]
pub fn boundaries(
    looks: &[f64],
    spending: &str,
    alpha: f64,
    sided: u8,
    gamma: Option<f64>,
    rho: Option<f64>,
    interim_z: Option<f64>,
) -> Result<String, Error> {
    let labels = BoundaryLabels::default();
    let family: BoundaryFamily = spending
        .parse()
        .map_err(|reason: String| Error::argument(labels.spending, spending, reason))?;
    let sides: Sided = sided
        .to_string()
        .parse()
        .map_err(|reason: String| Error::argument(labels.sided, &sided.to_string(), reason))?;
    let request =
        boundary_request::request(&labels, looks, family, alpha, sides, gamma, rho, interim_z)?;
    let table = request.compute()?;
    serde_json::to_string(&request.json(family.name(), &table))
        .map_err(|e| Error::Other(e.to_string()))
}

/// `crossover-sim samplesize CONFIG --target-power T [--adjust-alpha]`: samplesize.json.
pub fn samplesize(
    config: &str,
    args: &RunArgs,
    target_power: f64,
    adjust_alpha: bool,
    poll: Poll,
) -> Result<String, Error> {
    let base = load(config, args)?;
    let result = polled(args.threads, 2 * base.design.replicates(), poll, |watch| {
        if adjust_alpha {
            sample_size::sample_size_adjusting_alpha(&base, target_power, watch)
        } else {
            sample_size::sample_size(&base, target_power, watch)
        }
    })?;
    rendered(&result, &sample_size::exporters(), |f| {
        f == "samplesize.json"
    })
}

/// `crossover-sim init`: the commented starting config of a named design, checked to validate
/// as written. Written to `file` when given (never over an existing file); its `name` is the
/// file's stem (`trial_<design>` without a file).
pub fn init(
    design: &str,
    conditions: Option<&[String]>,
    endpoint: &str,
    file: Option<&Path>,
) -> Result<String, Error> {
    let path = file.map_or_else(|| config::template::default_file(design), Path::to_path_buf);
    let name = config::template::name_for(&path);
    let template = Template::new(design, conditions, endpoint, &name).map_err(Error::Usage)?;
    let text = template.render();
    let loaded = config::parse(&text, &path.display().to_string(), &[])?;
    run::simulator(&loaded)?;
    if let Some(file) = file {
        config::template::write_new(file, &text).map_err(|e| match e {
            config::template::WriteError::Exists(m) => Error::Usage(m),
            config::template::WriteError::Io(m) => Error::Other(m),
        })?;
    }
    Ok(text)
}

/// An error as the command line prints it after `error: ` (numbers tidied).
pub fn message(e: &Error) -> String {
    config::tidy_numbers(&e.to_string())
}
