//! The subcommands: each checks its arguments, calls the library and prints.

use crossover_sim::cli::{self, Bar, Cli, Command, Interruptible, RunOptions};
use crossover_sim::config::{self, LoadedConfig, Override};
use crossover_sim::engine::{Progress, BLOCK};
use crossover_sim::error::Error;
use crossover_sim::report::{self, reproduce};
use crossover_sim::sequential::boundaries::Sided;
use crossover_sim::shard::{self, Merged, ShardSpec, SweepSpec};
use crossover_sim::{batch, run, sweep};
use std::path::{Path, PathBuf};

/// Runs the chosen subcommand.
pub fn dispatch(cli: Cli) -> Result<(), Error> {
    // Every argument is checked before any file is read or any thread started.
    cli.check()?;
    match cli.command {
        Command::Run {
            configs,
            shard,
            options,
        } => match shard {
            None => run(&configs, &options),
            Some(shard) => run_shards(&configs, &cli::shard_spec(&shard)?, None, &options),
        },
        Command::Merge { shards, out, quiet } => merge(&shards, &out, quiet),
        Command::Validate {
            configs,
            overrides,
            replicates,
            seed,
        } => validate(&configs, &cli::overrides_of(&overrides, replicates, seed)?),
        Command::Sweep {
            config,
            param,
            values,
            param2,
            values2,
            target_power,
            shard,
            options,
        } => {
            let spec = cli::sweep_spec(
                &param,
                &values,
                param2.as_deref(),
                values2.as_deref(),
                target_power,
            )?;
            match shard {
                None => run_sweep(&config, &spec, &options),
                Some(shard) => {
                    run_shards(&[config], &cli::shard_spec(&shard)?, Some(spec), &options)
                }
            }
        }
        Command::Batch { inputs, options } => batch(&inputs, &options),
        Command::Claim { config, options } => claim(&config, &options),
        Command::AnalyseTrial {
            config,
            stage1,
            stage2,
            overrides,
            json,
        } => analyse_trial(&config, &stage1, stage2.as_deref(), &overrides, json),
        Command::Samplesize {
            config,
            target_power,
            adjust_alpha,
            options,
        } => samplesize(&config, target_power, adjust_alpha, &options),
        Command::Calibrate {
            config,
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
        } => {
            let request = cli::calibration_request(
                param.as_deref(),
                values.as_deref(),
                param2.as_deref(),
                values2.as_deref(),
                nominal,
                alpha_key.as_deref(),
                range.as_deref(),
                tolerance,
                check_alpha,
            )?;
            calibrate(&config, &request, &options)
        }
        Command::AdjustAlpha {
            config,
            alpha,
            options,
        } => adjust_alpha(&config, alpha, &options),
        Command::Init {
            design,
            conditions,
            endpoint,
            out,
        } => init(&design, conditions.as_deref(), &endpoint, out.as_deref()),
        Command::Boundaries {
            looks,
            spending,
            alpha,
            sided,
            gamma,
            rho,
            interim_z,
            json,
        } => {
            let request =
                cli::boundary_request(&looks, spending, alpha, sided, gamma, rho, interim_z)?;
            boundaries(&request, spending.name(), json)
        }
    }
}

/// The results folder when `--out` is not given (the default of `RunOptions::out`).
const DEFAULT_OUT: &str = "results";

fn names(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `--set ...`, `--seed`, `--replicates` as given, for recorded commands.
fn option_args(options: &RunOptions) -> Vec<String> {
    let mut args = reproduce::set_args(&options.overrides);
    if let Some(s) = options.seed {
        args.extend(["--seed".to_string(), s.to_string()]);
    }
    if let Some(r) = options.replicates {
        args.extend(["--replicates".to_string(), r.to_string()]);
    }
    args
}

/// Prints the config's hints (values that look like percentages) on stderr.
fn print_hints(loaded: &LoadedConfig) {
    for hint in loaded.hints() {
        eprintln!("hint: {hint}");
    }
}

fn run_one(
    loaded: &LoadedConfig,
    options: &RunOptions,
    pool: &crossover_sim::engine::ThreadPool,
) -> Result<(), Error> {
    print_hints(loaded);
    // `run` validated the config and built its simulator (and boundaries) before simulating
    // any config; here only the folder is checked again.
    let dir = run::results_dir(&options.out, loaded.design.name())?;
    let bar = Bar::new(
        loaded.design.replicates(),
        loaded.design.name(),
        options.quiet,
    );
    let result = pool.install(|| run::simulate(loaded, &bar))?;
    bar.0.finish_and_clear();
    let written = run::write_run(&dir, &result)?;
    if !options.quiet {
        print!("{}", report::text::render(&result));
        println!("  wrote {}", names(&written));
    }
    if let Some(warning) = result.primary_warning() {
        eprintln!("warning: {warning}");
    }
    Ok(())
}

fn run(configs: &[PathBuf], options: &RunOptions) -> Result<(), Error> {
    let overrides = cli::overrides(options)?;
    let configs = batch::dedup_files(configs.to_vec());
    let batch::LoadedConfigs { loaded, clashes } =
        batch::load_all(&configs, &overrides, &options.out);
    if !clashes.is_empty() {
        // One message per folder: each names every config that would write it.
        let mut seen = std::collections::HashSet::new();
        let messages: Vec<&String> = clashes
            .iter()
            .filter(|(i, _)| {
                let name = loaded[**i]
                    .as_ref()
                    .map_or(String::new(), |l| l.design.name().to_lowercase());
                seen.insert(name)
            })
            .map(|(_, m)| m)
            .collect();
        return Err(Error::Usage(format!(
            "nothing was run: {}",
            messages
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    // Every config is validated (and its folder checked) before any is simulated: an invalid
    // one stops the command at once, with every error, and nothing is run.
    let checked: Vec<Result<LoadedConfig, Error>> = loaded
        .into_iter()
        .map(|l| l.and_then(|l| run::prepare(&l, &options.out).map(|_| l)))
        .collect();
    let invalid: Vec<(&PathBuf, &Error)> = configs
        .iter()
        .zip(&checked)
        .filter_map(|(p, c)| c.as_ref().err().map(|e| (p, e)))
        .collect();
    if configs.len() > 1 && !invalid.is_empty() {
        for (_, e) in &invalid {
            eprintln!("error: {}", config::tidy_numbers(&e.to_string()));
        }
        let paths: Vec<PathBuf> = invalid.iter().map(|(p, _)| (*p).clone()).collect();
        let message = format!(
            "nothing was run: {} of {} configs are invalid: {}",
            invalid.len(),
            configs.len(),
            names(&paths)
        );
        return Err(if invalid.iter().all(|(_, e)| e.exit_code() == 2) {
            Error::Usage(message)
        } else {
            Error::Other(message)
        });
    }
    let pool = cli::thread_pool(options.threads)?;
    let mut failures = Vec::new();
    for (path, loaded) in configs.iter().zip(checked) {
        let outcome = loaded.and_then(|l| run_one(&l, options, &pool));
        if let Err(e) = outcome {
            if configs.len() == 1 || matches!(e, Error::Interrupted) {
                return Err(e);
            }
            eprintln!("error: {}", config::tidy_numbers(&e.to_string()));
            failures.push(path.clone());
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Error::Other(format!(
            "{} of {} configs failed: {}",
            failures.len(),
            configs.len(),
            names(&failures)
        )))
    }
}

fn run_sweep(path: &Path, spec: &SweepSpec, options: &RunOptions) -> Result<(), Error> {
    let base = config::load(path, &cli::overrides(options)?)?;
    print_hints(&base);
    sweep::check_overrides(&base, spec)?;
    // Validate every grid point before spending simulation time.
    let points = sweep::point_configs(&base, spec)?.len();
    let dir = run::results_dir(&options.out, base.design.name())?;
    let pool = cli::thread_pool(options.threads)?;
    let bar = Bar::new(
        points as u64 * base.design.replicates(),
        base.design.name(),
        options.quiet,
    );
    let result = pool.install(|| sweep::run_sweep(&base, spec, &bar))?;
    bar.0.finish_and_clear();
    let written = run::write_phase(|| Ok(report::sweep::write_sweep(&dir, &result)?))?;
    if !options.quiet {
        println!(
            "{}: sweep of {} over {} points, {} replicates each, seed {} (common random numbers)",
            result.name,
            spec.param,
            result.points.len(),
            result.replicates,
            result.seed
        );
        print!("{}", report::sweep::terminal_table(&result));
        for t in &result.target {
            let at = t
                .value2
                .as_ref()
                .map(|v| format!(" (at {v})"))
                .unwrap_or_default();
            println!("  target power {}{at}: {}", t.target, t.note);
        }
        println!("  wrote {}", names(&written));
    }
    Ok(())
}

fn batch(inputs: &[PathBuf], options: &RunOptions) -> Result<(), Error> {
    let overrides = cli::overrides(options)?;
    let batch_options = batch::BatchOptions {
        out: options.out.clone(),
        recorded_args: option_args(options),
    };
    let pool = cli::thread_pool(options.threads)?;
    let shown = BatchLines::new(options.quiet);
    let summary = pool.install(|| batch::run_batch(inputs, &overrides, &batch_options, &shown))?;
    shown.bar().finish_and_clear();
    let written = run::write_phase(|| Ok(batch::write_summary(&options.out, &summary)?))?;
    let rows = summary.rows;
    let failed = rows
        .iter()
        .filter(|r| r.status != batch::BatchStatus::Ok)
        .count();
    if !options.quiet {
        println!(
            "{} of {} configs ran; wrote {}",
            rows.len() - failed,
            rows.len(),
            names(&written)
        );
    }
    if failed > 0 {
        return Err(Error::Other(format!(
            "{failed} of {} configs failed (see batch-summary.md)",
            rows.len()
        )));
    }
    Ok(())
}

/// What a batch shows while it runs: a bar of configs (on a terminal, unless quiet), a line per
/// config on stdout (unless quiet), its hints, warnings and errors on stderr; Ctrl-C stops it.
struct BatchLines {
    /// Made when the batch knows how many configs it has, so that a batch without any shows no
    /// bar.
    bar: std::sync::OnceLock<indicatif::ProgressBar>,
    quiet: bool,
}

impl BatchLines {
    fn new(quiet: bool) -> BatchLines {
        BatchLines {
            bar: std::sync::OnceLock::new(),
            quiet,
        }
    }

    fn bar(&self) -> &indicatif::ProgressBar {
        self.bar.get_or_init(indicatif::ProgressBar::hidden)
    }
}

impl Progress for BatchLines {
    fn cancelled(&self) -> bool {
        Interruptible.cancelled()
    }
}

impl batch::BatchObserver for BatchLines {
    fn planned(&self, configs: &[PathBuf]) {
        self.bar.get_or_init(|| {
            if self.quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                indicatif::ProgressBar::hidden()
            } else {
                indicatif::ProgressBar::new(configs.len() as u64)
            }
        });
    }

    fn starting(&self, config: &Path) {
        self.bar().set_message(config.display().to_string());
    }

    fn hints(&self, _config: &Path, hints: &[String]) {
        self.bar().suspend(|| {
            for hint in hints {
                eprintln!("hint: {hint}");
            }
        });
    }

    fn warning(&self, _config: &Path, warning: &str) {
        self.bar().suspend(|| eprintln!("warning: {warning}"));
    }

    fn ran(&self, config: &Path, report: &report::RunReport) {
        if !self.quiet {
            self.bar().suspend(|| {
                println!(
                    "ok     {}: {} = {:.4} ± {:.4}",
                    config.display(),
                    report.rate_label(),
                    report.primary.power.estimate,
                    report.primary.power.se
                )
            });
        }
    }

    fn failed(&self, config: &Path, error: &str) {
        self.bar()
            .suspend(|| eprintln!("failed {}: {error}", config.display()));
    }

    fn finished(&self, _config: &Path) {
        self.bar().inc(1);
    }
}

fn run_shards(
    configs: &[PathBuf],
    spec: &ShardSpec,
    sweep: Option<SweepSpec>,
    options: &RunOptions,
) -> Result<(), Error> {
    let overrides = cli::overrides(options)?;
    let configs = batch::dedup_files(configs.to_vec());
    let batch::LoadedConfigs { loaded, clashes } =
        batch::load_all(&configs, &overrides, &options.out);
    if let Some(clash) = clashes.values().next() {
        return Err(Error::Usage(format!("nothing was run: {clash}")));
    }
    let pool = cli::thread_pool(options.threads)?;
    for loaded in loaded {
        let loaded = loaded?;
        if let Some(s) = &sweep {
            sweep::check_overrides(&loaded, s)?;
            sweep::point_configs(&loaded, s)?;
        }
        let dir = run::results_dir(&options.out, loaded.design.name())?;
        // Checked as writable now, created when the shard file is written.
        let shards_dir = run::results_dir(&dir, shard::SHARDS_FOLDER)?;
        let range = spec.range(loaded.design.replicates());
        let points = sweep.as_ref().map_or(1, |s| sweep::grid(s).len());
        let bar = Bar::new(
            (range.end - range.start) * points as u64,
            &spec.stem(),
            options.quiet,
        );
        let file = pool.install(|| shard::run_shard(&loaded, *spec, sweep.clone(), &bar))?;
        bar.0.finish_and_clear();
        let written = run::export(&shards_dir, &file, &shard::exporters(&file))?;
        if !options.quiet {
            let holds = if range.is_empty() {
                let blocks = loaded.design.replicates().div_ceil(BLOCK);
                format!(
                    "holds no replicates ({} replicates make {blocks} block(s) of {BLOCK}, shared among {} shards; its file is written because merge takes all {} shard files)",
                    loaded.design.replicates(),
                    spec.count,
                    spec.count
                )
            } else {
                format!(
                    "= replicates {}..{} of {}",
                    range.start,
                    range.end,
                    loaded.design.replicates()
                )
            };
            println!(
                "{}: shard {}/{} {holds}; wrote {}",
                loaded.design.name(),
                spec.index,
                spec.count,
                names(&written)
            );
        }
    }
    Ok(())
}

fn merge(shards: &[PathBuf], out: &Path, quiet: bool) -> Result<(), Error> {
    match shard::merge_named(shards, "--set overrides")? {
        Merged::Run(boxed) => {
            let (loaded, result) = *boxed;
            let dir = run::results_dir(out, loaded.design.name())?;
            let written = run::write_run(&dir, &result)?;
            if !quiet {
                print!("{}", report::text::render(&result));
                println!(
                    "  merged {} shards; wrote {}",
                    shards.len(),
                    names(&written)
                );
            }
        }
        Merged::Sweep(boxed) => {
            let (loaded, result) = *boxed;
            let dir = run::results_dir(out, loaded.design.name())?;
            let written = run::write_phase(|| Ok(report::sweep::write_sweep(&dir, &result)?))?;
            if !quiet {
                println!(
                    "merged {} sweep shards ({} points); wrote {}",
                    shards.len(),
                    result.points.len(),
                    names(&written)
                );
            }
        }
    }
    Ok(())
}

fn init(
    design: &str,
    conditions: Option<&[String]>,
    endpoint: &str,
    out: Option<&Path>,
) -> Result<(), Error> {
    let (path, template) = cli::init_template(design, conditions, endpoint, out)?;
    let text = template.render();
    // The template must be a config that runs: check it as `validate` would before writing.
    let loaded = config::parse(&text, &path.display().to_string(), &[])?;
    run::simulator(&loaded)?;
    config::template::write_new_as(cli::INIT_FLAGS.file, &path, &text).map_err(|e| match e {
        config::template::WriteError::Exists(m) => Error::Usage(m),
        config::template::WriteError::Io(m) => Error::Other(m),
    })?;
    let shown = reproduce::quote(&path.display().to_string());
    println!(
        "wrote {shown}: the {design} design (sequences {}), {} endpoint, {} conditions ({})",
        template.sequences().join(", "),
        endpoint,
        template.conditions.len(),
        template.conditions.join(", ")
    );
    println!("  check it with `crossover-sim validate {shown}` and run it with `crossover-sim run {shown}`");
    Ok(())
}

fn validate(configs: &[PathBuf], overrides: &[Override]) -> Result<(), Error> {
    let configs = batch::dedup_files(configs.to_vec());
    let mut checked: Vec<Result<LoadedConfig, Error>> = configs
        .iter()
        .map(|path| {
            config::load(path, overrides)
                .map_err(Error::from)
                .and_then(|loaded| run::simulator(&loaded).map(|_| loaded))
        })
        .collect();
    // Configs that `run` would refuse together: two that would write the same results folder.
    let named: Vec<(usize, &Path, String)> = configs
        .iter()
        .zip(&checked)
        .enumerate()
        .filter_map(|(i, (p, l))| {
            l.as_ref()
                .ok()
                .map(|l| (i, p.as_path(), l.design.name().to_string()))
        })
        .collect();
    let pairs: Vec<(&Path, &str)> = named.iter().map(|(_, p, n)| (*p, n.as_str())).collect();
    let clashes = batch::name_collisions(&pairs, Path::new(DEFAULT_OUT));
    for (k, message) in clashes {
        checked[named[k].0] = Err(Error::Usage(format!(
            "{message} (`run` and `batch` refuse such configs together)"
        )));
    }
    let mut invalid = Vec::new();
    for (path, checked) in configs.iter().zip(checked) {
        match checked {
            Ok(loaded) => {
                print_hints(&loaded);
                println!(
                    "ok: {} ({}, N = {}, {} look(s) at {:?}, primary {})",
                    path.display(),
                    loaded.design.name(),
                    loaded.design.enrolled(),
                    loaded.design.sequential().looks().len(),
                    loaded.design.sequential().looks(),
                    loaded.design.analysis().primary().as_str()
                )
            }
            // A single config's error is printed once, by main.
            Err(e) if configs.len() == 1 => return Err(e),
            Err(e) => {
                eprintln!("error: {}", config::tidy_numbers(&e.to_string()));
                invalid.push(path.clone());
            }
        }
    }
    if invalid.is_empty() {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "{} of {} configs are invalid: {}",
            invalid.len(),
            configs.len(),
            names(&invalid)
        )))
    }
}

fn boundaries(request: &cli::BoundaryRequest, spending: &str, json: bool) -> Result<(), Error> {
    let b = request.compute()?;
    let sided = request.sided;
    if json {
        let value = request.json(spending, &b);
        println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
        return Ok(());
    }
    println!(
        "{spending}, alpha {}, {}-sided",
        request.alpha,
        if sided == Sided::Two { 2 } else { 1 }
    );
    println!("{}", request.kind.convention(sided));
    println!("look  information  critical z  nominal level  cumulative alpha");
    for k in 0..b.critical_z.len() {
        println!(
            "{:>4}  {:>11.4}  {:>10.4}  {:>13.6}  {:>16.6}",
            k + 1,
            b.information_rates[k],
            b.critical_z[k],
            b.nominal_level[k],
            b.cumulative_alpha[k]
        );
    }
    Ok(())
}

fn samplesize(
    path: &Path,
    target: f64,
    adjust_alpha: bool,
    options: &RunOptions,
) -> Result<(), Error> {
    let base = config::load(path, &cli::overrides(options)?)?;
    print_hints(&base);
    let pool = cli::thread_pool(options.threads)?;
    let bar = Bar::new(
        2 * base.design.replicates(),
        base.design.name(),
        options.quiet,
    );
    let result = pool
        .install(|| {
            if adjust_alpha {
                crossover_sim::sample_size::sample_size_adjusting_alpha(&base, target, &bar)
            } else {
                crossover_sim::sample_size::sample_size(&base, target, &bar)
            }
        })
        .map_err(|e| match e {
            Error::NoExactPower {
                origin,
                reason,
                target,
            } => Error::Usage(format!(
                "{origin}: samplesize needs a design whose power is known exactly, but {reason}; use `sweep --param design.enrolled --target-power {target}` to find N by simulation"
            )),
            Error::Argument { name, value, reason } if name == "adjust_alpha" => {
                let _ = value;
                Error::Usage(format!("--adjust-alpha: {reason}"))
            }
            other => other,
        })?;
    bar.0.finish_and_clear();
    let dir = run::results_dir(&options.out, base.design.name())?;
    let written = run::export(&dir, &result, &crossover_sim::sample_size::exporters())?;
    if !options.quiet {
        println!(
            "{}: {}; target power {}",
            result.name, result.hypothesis, result.target_power
        );
        match result.exact_power {
            Some(exact) => println!(
                "  smallest balanced N with exact power >= {}: N = {} (exact power {:.6})",
                result.target_power, result.sample_size, exact
            ),
            None => println!(
                "  no closed form: smallest balanced N with simulated power >= {}: N = {}",
                result.target_power, result.sample_size
            ),
        }
        println!(
            "  {:>6}  {:>10}  simulated ({} replicates, seed {})",
            "N", "exact", result.replicates, result.seed
        );
        for row in &result.rows {
            println!(
                "  {:>6}  {:>10}  {:.4} ± {:.4} [{:.4}, {:.4}]",
                row.enrolled,
                match (row.exact_power, row.adjusted_alpha) {
                    (Some(p), _) => format!("{p:.6}"),
                    (None, Some(a)) => format!("alpha {a:.5}"),
                    (None, None) => "—".to_string(),
                },
                row.simulated.estimate,
                row.simulated.se,
                row.simulated.ci_low,
                row.simulated.ci_high
            );
        }
        println!("  wrote {}", names(&written));
    }
    Ok(())
}

fn adjust_alpha(path: &Path, alpha: Option<f64>, options: &RunOptions) -> Result<(), Error> {
    let base = config::load(path, &cli::overrides(options)?)?;
    print_hints(&base);
    let pool = cli::thread_pool(options.threads)?;
    let result = pool
        .install(|| crossover_sim::alpha_adjustment::adjust_alpha(&base, alpha))
        .map_err(|e| match e {
            Error::Argument { value, reason, .. } => {
                Error::Usage(format!("--alpha {value}: {reason}"))
            }
            other => other,
        })?;
    let dir = run::results_dir(&options.out, base.design.name())?;
    let written = run::export(&dir, &result, &crossover_sim::alpha_adjustment::exporters())?;
    if !options.quiet {
        println!(
            "{}: rule {}, true CVwR {:.4}, expanded limit {:.6}, {} replicates, seed {}",
            result.name,
            result.rule,
            result.cv_reference,
            result.expanded_limit,
            result.replicates,
            result.seed
        );
        let row = |label: &str, a: &crossover_sim::alpha_adjustment::AtAlpha| {
            println!(
                "  {label:<13} alpha {:.6}: type I error {:.5} ± {:.5}, power {:.5} ± {:.5}",
                a.alpha,
                a.type_one_error.estimate,
                a.type_one_error.se,
                a.power.estimate,
                a.power.se
            );
        };
        row("nominal", &result.at_nominal);
        if result.adjustment_needed {
            row("adjusted", &result.at_adjusted);
            println!(
                "  adjusted alpha {:.6} (Monte Carlo SE {:.6})",
                result.adjusted_alpha, result.adjusted_alpha_se
            );
        } else {
            println!("  no adjustment needed");
        }
        if let Some(p) = &result.prespecified {
            row("pre-specified", p);
        }
        println!("  wrote {}", names(&written));
    }
    Ok(())
}

fn calibrate(
    path: &Path,
    request: &crossover_sim::calibration::CalibrationRequest,
    options: &RunOptions,
) -> Result<(), Error> {
    let base = config::load(path, &cli::overrides(options)?)?;
    print_hints(&base);
    let pool = cli::thread_pool(options.threads)?;
    let quiet = options.quiet;
    let log = |line: &str| {
        if !quiet {
            eprintln!("{line}");
        }
    };
    if !quiet {
        eprintln!(
            "{}: calibrating alpha over {} grid points, {} replicates each per candidate",
            base.design.name(),
            crossover_sim::sweep::grid(&request.grid).len(),
            base.design.replicates()
        );
    }
    let result = pool.install(|| {
        crossover_sim::calibration::calibrate(&base, request, &log, &cli::Interruptible)
    })?;
    let dir = run::results_dir(&options.out, base.design.name())?;
    let written = run::export(&dir, &result, &crossover_sim::calibration::exporters())?;
    if !options.quiet {
        let max = &result.adjusted.max_type_one_error;
        if result.adjustment_needed {
            println!(
                "{}: adjusted alpha {:.6} (Monte Carlo SE {:.6}); largest type I error there {:.5} ± {:.5} (nominal {})",
                result.name, result.adjusted_alpha, result.adjusted_alpha_se, max.estimate, max.se, result.nominal
            );
        } else {
            println!(
                "{}: no adjustment needed: at alpha {} the largest type I error is {:.5} ± {:.5} (nominal {})",
                result.name, result.adjusted_alpha, max.estimate, max.se, result.nominal
            );
        }
        if let Some(c) = &result.checked {
            println!(
                "  at the checked alpha {}: largest type I error {:.5} ± {:.5}",
                c.alpha, c.max_type_one_error.estimate, c.max_type_one_error.se
            );
        }
        println!(
            "  {} trials in {:.1} s; wrote {}",
            result.trials_simulated,
            result.elapsed_seconds,
            names(&written)
        );
    }
    Ok(())
}

fn claim(path: &Path, options: &RunOptions) -> Result<(), Error> {
    let base = config::load(path, &cli::overrides(options)?)?;
    let dir = run::results_dir(&options.out, base.design.name())?;
    let pool = cli::thread_pool(options.threads)?;
    let quiet = options.quiet;
    let log = |line: &str| {
        if !quiet {
            eprintln!("{line}");
        }
    };
    let claim = pool.install(|| {
        crossover_sim::studies::williams2018::check_claims(&base, &log, &Interruptible)
    })?;
    let written =
        run::write_phase(|| Ok(crossover_sim::studies::williams2018::write(&dir, &claim)?))?;
    if !quiet {
        for v in &claim.verdicts {
            println!("{v}");
        }
        println!("wrote {}", names(&written));
    }
    Ok(())
}

fn analyse_trial(
    path: &Path,
    stage1: &str,
    stage2: Option<&str>,
    overrides: &[String],
    json: bool,
) -> Result<(), Error> {
    let stage1 = cli::stage_summary("--stage1", stage1)?;
    let stage2 = stage2
        .map(|s| cli::stage_summary("--stage2", s))
        .transpose()?;
    let loaded = config::load(path, &cli::overrides_of(overrides, None, None)?)?;
    let a = crossover_sim::two_stage_trial::analyse(&loaded, stage1, stage2)?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&a).map_err(|e| Error::Usage(e.to_string()))?
        );
        return Ok(());
    }
    let r = &a.analysis;
    let interval = |c: [f64; 2]| format!("{:.5}-{:.5}", c[0], c[1]);
    println!("{} ({}): {}", a.config, r.method, r.description);
    let s = &r.stage1;
    println!("stage 1: n {}, PE {}, CV {}", s.n, s.ratio, s.cv);
    let i = &r.interim;
    println!("  decision        {}", i.decision);
    println!("  90% CI          {}", interval(i.ci90));
    if let Some(c) = &i.combination {
        println!(
            "  z-scores        {:.5} {:.5}",
            c.z_scores[0], c.z_scores[1]
        );
        println!(
            "  p-values        {:.6} {:.6}",
            c.p_values[0], c.p_values[1]
        );
        println!("  stage-1 power   {:.5}", c.stage1_power);
        println!(
            "  stage-2 sizing  levels {:.5} {:.5}, target power {:.5}, GMR {:.4}",
            c.sizing_levels[0],
            c.sizing_levels[1],
            c.sizing_power,
            c.sizing_effect.exp()
        );
    }
    if let Some(c) = i.repeated_ci {
        println!("  repeated CI     {}", interval(c));
    }
    if let Some(c) = i.adjusted_ci {
        println!("  adjusted CI     {}", interval(c));
    }
    println!("  n2              {}", i.n2);
    if let (Some(s2), Some(f)) = (&r.stage2, &r.final_analysis) {
        println!("stage 2: n {}, PE {}, CV {}", s2.n, s2.ratio, s2.cv);
        if let Some(z) = f.z_scores {
            println!("  z-scores        {:.5} {:.5}", z[0], z[1]);
        }
        if let Some(c) = f.repeated_ci {
            println!("  repeated CI     {}", interval(c));
        }
        if let Some(m) = f.median_unbiased {
            println!("  median-unbiased {m:.5}");
        }
        if let (Some(pe), Some(df), Some(c)) = (f.pooled_ratio, f.pooled_df, f.pooled_ci) {
            println!("  pooled PE       {pe:.5} (df {df})");
            println!("  pooled CI       {}", interval(c));
        }
        println!(
            "  decision        {}",
            if f.bioequivalent {
                "bioequivalent"
            } else {
                "not bioequivalent"
            }
        );
    }
    println!("reproduce: {}", a.command);
    Ok(())
}
