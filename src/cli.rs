//! Command-line arguments (clap derive), their checks, and the terminal progress bar.
//!
//! Everything an argument alone can get wrong (thread counts, shard specs, `--values`, `--set`
//! strings, boundary options) is checked by [`Cli::check`] before any file is read, so that the
//! property tests and the fuzz target can exercise every argument without running a
//! simulation.

// The doc comments below are the command-line help, where `<name>` is a placeholder for the
// config's name, not an HTML tag.
#![allow(rustdoc::invalid_html_tags)]

use crate::boundary_request::{self, BoundaryLabels};
pub use crate::boundary_request::{BoundaryRequest, MAX_BOUNDARY_LOOKS};
use crate::config::template::TemplateLabels;
use crate::config::{self, Override};
use crate::engine::Progress;
use crate::error::Error;
use crate::interrupt;
use crate::sequential::boundaries::{BoundaryFamily, Sided};
use crate::shard::ShardSpec;
use crate::sweep::{self, SweepLabels, SweepSpec};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Monte Carlo operating characteristics of crossover trials with interim analyses.
#[derive(Debug, Parser)]
#[command(name = "crossover-sim", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by commands that run simulations.
#[derive(Debug, clap::Args)]
pub struct RunOptions {
    /// Override simulation.replicates.
    #[arg(long, allow_negative_numbers = true)]
    pub replicates: Option<u64>,
    /// Override simulation.seed (0 to 18446744073709551615).
    #[arg(long, allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Results folder; each config writes to OUT/<name>/.
    #[arg(long, default_value = "results")]
    pub out: PathBuf,
    /// Override any config key, e.g. --set design.enrolled=40 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    /// Worker threads, from 1 to 4 per available core (default: all cores). Results do not
    /// depend on it.
    #[arg(long, allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// No progress bar and no summary on stdout.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate one or more configs and write results/<name>/summary.{json,csv,md}.
    Run {
        /// Config files.
        #[arg(required = true)]
        configs: Vec<PathBuf>,
        /// Run only shard K of N (contiguous replicate ranges) and write
        /// OUT/<name>/shards/shard-K-of-N.json for `merge`.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Options shared by the commands that simulate.
        #[command(flatten)]
        options: RunOptions,
    },
    /// Merge shard files into the summary (or sweep) files of a single run.
    Merge {
        /// Shard files written by `run --shard` or `sweep --shard`.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Results folder.
        #[arg(long, default_value = "results")]
        out: PathBuf,
        /// Print nothing on success.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Run a config at every point of a grid of one or two dotted keys (common random numbers).
    Sweep {
        /// Config file.
        config: PathBuf,
        /// Dotted key to vary, e.g. design.enrolled.
        #[arg(long)]
        param: String,
        /// Values: start:end:step (inclusive) or a comma-separated list.
        #[arg(long)]
        values: String,
        /// Optional second key (a grid).
        #[arg(long, requires = "values2")]
        param2: Option<String>,
        /// Values of the second key.
        #[arg(long, requires = "param2")]
        values2: Option<String>,
        /// Report the smallest grid value whose power reaches this target.
        #[arg(long, allow_negative_numbers = true)]
        target_power: Option<f64>,
        /// Run only shard K of N of every grid point's replicates (for `merge`).
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Options shared by the commands that simulate.
        #[command(flatten)]
        options: RunOptions,
    },
    /// Run every config in folders or files; a failing config does not stop the others.
    Batch {
        /// Folders (searched for *.toml) and config files.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Options shared by the commands that simulate.
        #[command(flatten)]
        options: RunOptions,
    },
    /// The smallest balanced N whose exact power reaches a target (designs whose power is
    /// known in closed form), confirmed by simulating it and the N below; writes
    /// OUT/<name>/samplesize.json.
    Samplesize {
        /// Config file.
        config: PathBuf,
        /// Target power.
        #[arg(long, default_value_t = 0.8, allow_negative_numbers = true)]
        target_power: f64,
        /// For a reference-scaled rule: adjust the alpha at each N (as `adjust-alpha`) and
        /// take the power there.
        #[arg(long)]
        adjust_alpha: bool,
        /// Options shared by the commands that simulate.
        #[command(flatten)]
        options: RunOptions,
    },
    /// The largest alpha whose type I error at the expanded limit stays at or below nominal
    /// for the config's reference-scaled rule (common random numbers), with the power there;
    /// writes OUT/<name>/alpha-adjustment.{json,md,html}.
    AdjustAlpha {
        /// Config file (with a reference-scaled rule in `[bioequivalence]`).
        config: PathBuf,
        /// Check this pre-specified alpha (e.g. 0.025) beside the search.
        #[arg(long, allow_negative_numbers = true)]
        alpha: Option<f64>,
        /// Options shared by the commands that simulate.
        #[command(flatten)]
        options: RunOptions,
    },
    /// The adjusted alpha over a grid: the largest alpha at which the type I error at every
    /// grid point (each simulated at its least favourable null, common random numbers across
    /// candidates) stays at or below nominal, with the type I error and power surfaces there;
    /// writes OUT/<name>/calibration.{json,csv,md,html} and two heat maps.
    Calibrate {
        /// Config file (a two-stage method, a scaled rule, or any test with a level).
        config: PathBuf,
        /// First grid key (default log_normal.cv_within, with --param2 design.enrolled: CV
        /// 0.1 to 1.0 by n1 12 to 60, Potvin's grid).
        #[arg(long, requires = "values")]
        param: Option<String>,
        /// Its values: start:end:step (inclusive) or a comma-separated list.
        #[arg(long, requires = "param")]
        values: Option<String>,
        /// Second grid key.
        #[arg(long, requires_all = ["values2", "param"])]
        param2: Option<String>,
        /// Its values.
        #[arg(long, requires = "param2")]
        values2: Option<String>,
        /// The level the type I error must not exceed (default: analysis.alpha).
        #[arg(long, allow_negative_numbers = true)]
        nominal: Option<f64>,
        /// The key the candidate alpha is written to (default: adaptive.alpha for a two-stage
        /// design, else analysis.alpha).
        #[arg(long)]
        alpha_key: Option<String>,
        /// Search range LOW:HIGH (default: half the nominal to the nominal).
        #[arg(long, value_name = "LOW:HIGH")]
        range: Option<String>,
        /// Stop the bisection when the range is this narrow.
        #[arg(long, default_value_t = 1e-4, allow_negative_numbers = true)]
        tolerance: f64,
        /// Also report the whole grid at this alpha (e.g. a published one).
        #[arg(long, allow_negative_numbers = true)]
        check_alpha: Option<f64>,
        /// Options shared by the commands that simulate.
        #[command(flatten)]
        options: RunOptions,
    },
    /// Analyse a real two-stage bioequivalence trial from its stages' summaries under the
    /// config's `[adaptive]` method: the interim decision and n2 (inverse normal: z-scores and
    /// repeated CI), and after stage 2 the final decision (inverse normal: repeated CI and
    /// median-unbiased estimate; Potvin-type: the pooled CI). Prints a table, or JSON.
    AnalyseTrial {
        /// Config file with the two-stage method in `[adaptive]`.
        config: PathBuf,
        /// Stage 1 as n=..,pe=..,cv=.. (optionally df=.. and se=.. of ln PE for missing data).
        #[arg(long, value_name = "n=N,pe=PE,cv=CV")]
        stage1: String,
        /// Stage 2, for the final analysis.
        #[arg(long, value_name = "n=N,pe=PE,cv=CV")]
        stage2: Option<String>,
        /// Override any config key, e.g. --set adaptive.power_method=exact (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        overrides: Vec<String>,
        /// Print JSON instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Check the seed trial's published design claims and write claim.md with plots.
    Claim {
        /// The williams2018 config.
        config: PathBuf,
        /// Options shared by the commands that simulate.
        #[command(flatten)]
        options: RunOptions,
    },
    /// Check configs without running them.
    Validate {
        /// Config files.
        #[arg(required = true)]
        configs: Vec<PathBuf>,
        /// Override any config key before validating.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        overrides: Vec<String>,
        /// Override simulation.replicates, as `run` would.
        #[arg(long, allow_negative_numbers = true)]
        replicates: Option<u64>,
        /// Override simulation.seed, as `run` would.
        #[arg(long, allow_negative_numbers = true)]
        seed: Option<u64>,
    },
    /// Write a commented starting config for a named design (never overwrites a file).
    Init {
        /// The named design: 2x2, 3x3, 3x6x3, 4x4, williams, 2x2x3, 2x2x4, 2x3x3, 2x4x4 or
        /// 2x4x2.
        #[arg(long)]
        design: String,
        /// Condition names, the reference first (default: R,T; R,T1,T2,... for more; a
        /// Williams design takes any number, 3 by default).
        #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
        conditions: Option<Vec<String>>,
        /// normal (a score on its own scale) or log_normal (a ratio endpoint such as AUC).
        #[arg(long, default_value = "normal")]
        endpoint: String,
        /// The file to write (default: trial_<design>.toml); the config's name is its stem.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Print group-sequential efficacy boundaries.
    Boundaries {
        /// Information fractions ending at 1 (e.g. 0.5,1), or enrollment counts (e.g. 15,30).
        #[arg(
            long,
            value_delimiter = ',',
            required = true,
            allow_negative_numbers = true
        )]
        looks: Vec<f64>,
        /// The boundary family: Lan-DeMets spending (obrien_fleming, pocock, hwang_shih_decani,
        /// kim_demets, obrien_fleming_total_alpha) or classical (classical_obrien_fleming,
        /// classical_pocock, haybittle_peto).
        #[arg(long, value_parser = family_parser(), default_value = "obrien_fleming")]
        spending: BoundaryFamily,
        /// Overall alpha.
        #[arg(long, default_value_t = 0.05, allow_negative_numbers = true)]
        alpha: f64,
        /// 1 or 2.
        #[arg(long, value_parser = sided_parser(), default_value = "2")]
        sided: Sided,
        /// Hwang-Shih-DeCani gamma (only with --spending hwang_shih_decani), e.g. -4.
        #[arg(long, allow_negative_numbers = true)]
        gamma: Option<f64>,
        /// Kim-DeMets rho (only with --spending kim_demets), e.g. 3.
        #[arg(long, allow_negative_numbers = true)]
        rho: Option<f64>,
        /// Haybittle-Peto interim z (only with --spending haybittle_peto; default 3).
        #[arg(long, allow_negative_numbers = true)]
        interim_z: Option<f64>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub use crate::run::{max_threads, THREADS_PER_CORE};

/// Checks `--threads`: a whole number from 1 to [`max_threads`].
pub fn check_threads(threads: Option<usize>) -> Result<Option<usize>, Error> {
    crate::run::check_threads_as("--threads", threads)
}

/// `--spending`: the boundary families by their names, from the library's one list.
fn family_parser() -> impl TypedValueParser<Value = BoundaryFamily> {
    PossibleValuesParser::new(BoundaryFamily::ALL.map(BoundaryFamily::name))
        .try_map(|name| name.parse::<BoundaryFamily>())
}

/// `--sided`: 1 or 2.
fn sided_parser() -> impl TypedValueParser<Value = Sided> {
    PossibleValuesParser::new(["1", "2"]).try_map(|s| s.parse::<Sided>())
}

/// The worker pool for `--threads` (checked first).
pub fn thread_pool(threads: Option<usize>) -> Result<crate::engine::ThreadPool, Error> {
    crate::run::thread_pool_as("--threads", threads)
}

/// The flag of a `KEY=VALUE` override, which names it in errors (`--set design.enrolled=40:
/// ...`).
pub const SET_FLAG: &str = "--set";

/// `--set` strings plus `--replicates`/`--seed`, as overrides validated like the file.
pub fn overrides(options: &RunOptions) -> Result<Vec<Override>, Error> {
    overrides_of(&options.overrides, options.replicates, options.seed)
}

/// The overrides of `--set` arguments, `--replicates` and `--seed`, in that order.
pub fn overrides_of(
    sets: &[String],
    replicates: Option<u64>,
    seed: Option<u64>,
) -> Result<Vec<Override>, Error> {
    let mut list = sets
        .iter()
        .map(|s| Override::parse_as(SET_FLAG, s))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(r) = replicates {
        list.push(Override::replicates(r)?.from_argument(format!("--replicates {r}")));
    }
    if let Some(s) = seed {
        list.push(Override::seed(s)?.from_argument(format!("--seed {s}")));
    }
    Ok(list)
}

/// The sweep's flags, which its errors name.
pub const SWEEP_FLAGS: SweepLabels = SweepLabels {
    param: "--param",
    values: "--values",
    param2: "--param2",
    values2: "--values2",
    target_power: "--target-power",
    set: SET_FLAG,
};

/// `--target-power T` of `samplesize`: a power in (0, 1).
pub fn target_power_arg(target: f64) -> Result<f64, Error> {
    if target > 0.0 && target < 1.0 {
        Ok(target)
    } else {
        Err(Error::argument(
            SWEEP_FLAGS.target_power,
            &target.to_string(),
            "must be a power in (0, 1), e.g. 0.8",
        ))
    }
}

/// `--out DIR`: a folder, or a path where one can be created; never an existing file.
pub fn out_arg(out: &std::path::Path) -> Result<(), Error> {
    match out.ancestors().find(|a| a.exists() && !a.is_dir()) {
        Some(file) => Err(Error::argument(
            "--out",
            &out.display().to_string(),
            format!(
                "{} is a file, not a folder; --out takes the folder the results go into (created when missing), e.g. --out results",
                file.display()
            ),
        )),
        None => Ok(()),
    }
}

/// `--shard K/N`.
pub fn shard_spec(text: &str) -> Result<ShardSpec, Error> {
    ShardSpec::parse_as("--shard", text)
}

/// The sweep the arguments describe.
pub fn sweep_spec(
    param: &str,
    values: &str,
    param2: Option<&str>,
    values2: Option<&str>,
    target_power: Option<f64>,
) -> Result<SweepSpec, Error> {
    let mut spec = SweepSpec::new(param, sweep::parse_values_of(SWEEP_FLAGS.values, values)?);
    spec.labels = SWEEP_FLAGS;
    spec.values_arg = Some(values.to_string());
    if let (Some(k), Some(v)) = (param2, values2) {
        spec.second = Some((
            k.to_string(),
            sweep::parse_values_of(SWEEP_FLAGS.values2, v)?,
        ));
        spec.values2_arg = Some(v.to_string());
    }
    spec.target_power = target_power;
    spec.check()?;
    Ok(spec)
}

/// The flags of `calibrate`, which its errors name.
pub const CALIBRATE_FLAGS: crate::calibration::CalibrationLabels =
    crate::calibration::CalibrationLabels {
        nominal: "--nominal",
        range: "--range",
        tolerance: "--tolerance",
        alpha_key: "--alpha-key",
        check_alpha: "--check-alpha",
    };

/// The calibration the arguments describe (Potvin's grid without `--param`).
#[allow(clippy::too_many_arguments)]
pub fn calibration_request(
    param: Option<&str>,
    values: Option<&str>,
    param2: Option<&str>,
    values2: Option<&str>,
    nominal: Option<f64>,
    alpha_key: Option<&str>,
    range: Option<&str>,
    tolerance: f64,
    check_alpha: Option<f64>,
) -> Result<crate::calibration::CalibrationRequest, Error> {
    let (p, v, p2, v2) = crate::calibration::DEFAULT_GRID;
    let grid = match (param, values) {
        (Some(param), Some(values)) => sweep_spec(param, values, param2, values2, None)?,
        _ => sweep_spec(p, v, Some(p2), Some(v2), None)?,
    };
    let range = match range {
        None => None,
        Some(text) => {
            let parsed = text.split_once(':').and_then(|(lo, hi)| {
                Some((
                    lo.trim().parse::<f64>().ok()?,
                    hi.trim().parse::<f64>().ok()?,
                ))
            });
            Some(parsed.ok_or_else(|| {
                Error::argument(
                    "--range",
                    text,
                    "must be LOW:HIGH, two levels, e.g. 0.02:0.05",
                )
            })?)
        }
    };
    let mut request = crate::calibration::CalibrationRequest::new(grid);
    request.nominal = nominal;
    request.alpha_key = alpha_key.map(str::to_string);
    request.range = range;
    request.tolerance = tolerance;
    request.check_alpha = check_alpha;
    request.labels = CALIBRATE_FLAGS;
    Ok(request)
}

/// The flags of `init`, which its errors name.
pub const INIT_FLAGS: TemplateLabels = TemplateLabels {
    design: "--design",
    conditions: "--conditions",
    endpoint: "--endpoint",
    file: "--out",
};

/// The file `init` writes and the template it writes there, checked.
pub fn init_template(
    design: &str,
    conditions: Option<&[String]>,
    endpoint: &str,
    out: Option<&std::path::Path>,
) -> Result<(PathBuf, config::template::Template), Error> {
    let path = out.map_or_else(|| config::template::default_file(design), PathBuf::from);
    let name = config::template::name_for(&path);
    let template =
        config::template::Template::new_as(&INIT_FLAGS, design, conditions, endpoint, &name)
            .map_err(Error::Usage)?;
    Ok((path, template))
}

/// The flags of `boundaries`, which its errors name.
pub const BOUNDARY_FLAGS: BoundaryLabels = BoundaryLabels {
    looks: "--looks",
    spending: "--spending",
    alpha: "--alpha",
    sided: "--sided",
    gamma: "--gamma",
    rho: "--rho",
    interim_z: "--interim-z",
};

/// Checks the `boundaries` options ([`boundary_request::request`] with the flags as labels).
#[allow(clippy::too_many_arguments)]
pub fn boundary_request(
    looks: &[f64],
    spending: BoundaryFamily,
    alpha: f64,
    sided: Sided,
    gamma: Option<f64>,
    rho: Option<f64>,
    interim_z: Option<f64>,
) -> Result<BoundaryRequest, Error> {
    boundary_request::request(
        &BOUNDARY_FLAGS,
        looks,
        spending,
        alpha,
        sided,
        gamma,
        rho,
        interim_z,
    )
}

impl Cli {
    /// Checks every argument that can be checked without reading a file: `--threads`,
    /// `--shard`, `--values`/`--values2`, `--param`/`--param2`, `--target-power`, `--set`
    /// strings and the `boundaries` options.
    pub fn check(&self) -> Result<(), Error> {
        let run = |options: &RunOptions| -> Result<(), Error> {
            check_threads(options.threads)?;
            out_arg(&options.out)?;
            overrides(options)?;
            Ok(())
        };
        match &self.command {
            Command::AnalyseTrial {
                stage1,
                stage2,
                overrides,
                ..
            } => {
                stage_summary("--stage1", stage1)?;
                if let Some(s) = stage2 {
                    stage_summary("--stage2", s)?;
                }
                overrides_of(overrides, None, None)?;
                Ok(())
            }
            Command::Calibrate {
                param,
                values,
                param2,
                values2,
                nominal,
                alpha_key,
                range,
                tolerance,
                check_alpha,
                options,
                ..
            } => {
                calibration_request(
                    param.as_deref(),
                    values.as_deref(),
                    param2.as_deref(),
                    values2.as_deref(),
                    *nominal,
                    alpha_key.as_deref(),
                    range.as_deref(),
                    *tolerance,
                    *check_alpha,
                )?;
                run(options)
            }
            Command::Run { shard, options, .. } => {
                if let Some(s) = shard {
                    shard_spec(s)?;
                }
                run(options)
            }
            Command::Sweep {
                param,
                values,
                param2,
                values2,
                target_power,
                shard,
                options,
                ..
            } => {
                sweep_spec(
                    param,
                    values,
                    param2.as_deref(),
                    values2.as_deref(),
                    *target_power,
                )?;
                if let Some(s) = shard {
                    shard_spec(s)?;
                }
                run(options)
            }
            Command::Samplesize {
                target_power,
                options,
                ..
            } => {
                target_power_arg(*target_power)?;
                run(options)
            }
            Command::Batch { options, .. }
            | Command::Claim { options, .. }
            | Command::AdjustAlpha { options, .. } => run(options),
            Command::Validate {
                overrides,
                replicates,
                seed,
                ..
            } => overrides_of(overrides, *replicates, *seed).map(|_| ()),
            Command::Merge { out, .. } => out_arg(out),
            Command::Init {
                design,
                conditions,
                endpoint,
                out,
            } => init_template(design, conditions.as_deref(), endpoint, out.as_deref()).map(|_| ()),
            Command::Boundaries {
                looks,
                spending,
                alpha,
                sided,
                gamma,
                rho,
                interim_z,
                ..
            } => boundary_request(looks, *spending, *alpha, *sided, *gamma, *rho, *interim_z)
                .map(|_| ()),
        }
    }
}

/// Parses and checks a command line (`args` without the program name) as the binary does,
/// without reading a file or simulating; a `boundaries` request is also computed. The error is
/// the message the user would see. Used by the property tests and the fuzz target: no
/// argument may panic or hang.
pub fn dry_run<I, T>(args: I) -> Result<(), String>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let argv = std::iter::once(std::ffi::OsString::from("crossover-sim"))
        .chain(args.into_iter().map(Into::into));
    let cli = Cli::try_parse_from(argv).map_err(|e| e.render().to_string())?;
    cli.check().map_err(|e| e.to_string())?;
    if let Command::Boundaries {
        looks,
        spending,
        alpha,
        sided,
        gamma,
        rho,
        interim_z,
        ..
    } = &cli.command
    {
        boundary_request(looks, *spending, *alpha, *sided, *gamma, *rho, *interim_z)
            .and_then(|r| r.compute())
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A rate for the progress bar with three significant digits: "950/s", "78.1k/s", "1.23M/s".
pub fn rate(per_second: f64) -> String {
    let three = |x: f64| {
        if x >= 100.0 {
            format!("{x:.0}")
        } else if x >= 10.0 {
            format!("{x:.1}")
        } else {
            format!("{x:.2}")
        }
    };
    if !per_second.is_finite() || per_second <= 0.0 {
        "0/s".to_string()
    } else if per_second < 1000.0 {
        format!("{per_second:.0}/s")
    } else if per_second < 999_500.0 {
        format!("{}k/s", three(per_second / 1e3))
    } else {
        format!("{}M/s", three(per_second / 1e6))
    }
}

/// A progress bar on a terminal, nothing otherwise; also relays interruption to the engine.
pub struct Bar(pub ProgressBar);

impl Bar {
    /// A bar for `total` replicates, hidden when stderr is not a terminal or `quiet`.
    pub fn new(total: u64, label: &str, quiet: bool) -> Bar {
        if quiet || !std::io::stderr().is_terminal() {
            return Bar(ProgressBar::hidden());
        }
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(
                "{msg} [{bar:40}] {human_pos}/{human_len} replicates ({rate}, eta {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            // indicatif's {per_sec} prints every digit of the rate ("78,135.9366/s").
            .with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = w.write_str(&rate(state.per_sec()));
                },
            )
            .progress_chars("=> "),
        );
        bar.set_message(label.to_string());
        Bar(bar)
    }
}

impl Progress for Bar {
    fn replicates_done(&self, n: u64) {
        self.0.inc(n);
    }

    fn cancelled(&self) -> bool {
        interrupt::interrupted()
    }
}

/// No display, but interruptible (batch and claim runs).
pub struct Interruptible;

impl Progress for Interruptible {
    fn cancelled(&self) -> bool {
        interrupt::interrupted()
    }
}

/// A stage summary from `n=12,pe=1.0876,cv=0.18213[,df=..,se=..]`, for `flag`.
pub fn stage_summary(
    flag: &str,
    text: &str,
) -> Result<crate::adaptive::trial::StageSummary, Error> {
    let usage = |why: String| Error::Usage(format!("{flag} {text}: {why}"));
    let (mut n, mut pe, mut cv, mut df, mut se) = (None, None, None, None, None);
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = part
            .split_once('=')
            .ok_or_else(|| usage(format!("`{part}` is not KEY=VALUE")))?;
        let number = |v: &str| -> Result<f64, Error> {
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x > 0.0)
                .ok_or_else(|| usage(format!("{key} = {v} must be a positive number")))
        };
        match key.trim() {
            "n" => {
                let v = value.trim();
                n = Some(
                    v.parse::<usize>()
                        .ok()
                        .filter(|&k| (3..=100_000).contains(&k))
                        .ok_or_else(|| {
                            usage(format!("n = {v} must be a whole number from 3 to 100000"))
                        })?,
                )
            }
            "pe" => pe = Some(number(value)?),
            "cv" => cv = Some(number(value)?),
            "df" => df = Some(number(value)?),
            "se" => se = Some(number(value)?),
            other => {
                return Err(usage(format!(
                    "unknown key `{other}`: the keys are n, pe, cv, df and se"
                )))
            }
        }
    }
    let missing = |k: &str| usage(format!("{k} is missing (give n, pe and cv)"));
    Ok(crate::adaptive::trial::StageSummary {
        n: n.ok_or_else(|| missing("n"))?,
        ratio: pe.ok_or_else(|| missing("pe"))?,
        cv: cv.ok_or_else(|| missing("cv"))?,
        df,
        se,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_rates_have_three_significant_digits() {
        assert_eq!(rate(78_135.936_6), "78.1k/s");
        assert_eq!(rate(950.4), "950/s");
        assert_eq!(rate(1_234.5), "1.23k/s");
        assert_eq!(rate(312_345.0), "312k/s");
        assert_eq!(rate(2_345_678.0), "2.35M/s");
        assert_eq!(rate(0.0), "0/s");
        assert_eq!(rate(f64::NAN), "0/s");
    }

    #[test]
    fn thread_counts_are_bounded() {
        let max = max_threads();
        assert!(max >= THREADS_PER_CORE);
        assert_eq!(check_threads(Some(1)).unwrap(), Some(1));
        assert_eq!(check_threads(Some(max)).unwrap(), Some(max));
        for n in [0, max + 1, 100_000, usize::MAX] {
            let e = check_threads(Some(n)).unwrap_err().to_string();
            assert!(
                e.contains(&format!("--threads {n}")) && e.contains(&format!("from 1 to {max}")),
                "{e}"
            );
        }
    }

    #[test]
    fn boundary_looks_are_fractions_ending_at_one_or_counts() {
        let req = |looks: &[f64]| {
            boundary_request(
                looks,
                BoundaryFamily::ObrienFleming,
                0.05,
                Sided::Two,
                None,
                None,
                None,
            )
        };
        assert_eq!(req(&[0.5, 1.0]).unwrap().rates, vec![0.5, 1.0]);
        assert_eq!(req(&[15.0, 30.0]).unwrap().rates, vec![0.5, 1.0]);
        for bad in [
            &[0.5, 0.8][..],
            &[0.5, 30.0],
            &[1.0, 0.5],
            &[-1.0, 1.0],
            &[f64::NAN],
        ] {
            assert!(req(bad).is_err(), "{bad:?}");
        }
        let e = boundary_request(
            &[0.5, 1.0],
            BoundaryFamily::Pocock,
            0.05,
            Sided::Two,
            Some(-4.0),
            None,
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("--gamma -4") && e.contains("pocock"), "{e}");
    }
}
