//! The subcommands: each parses nothing itself, calls the library and prints.

use crate::cli::{Bar, Cli, Command, Interruptible, RunOptions};
use crossover_sim::config::{self, LoadedConfig, Override};
use crossover_sim::error::Error;
use crossover_sim::report;
use crossover_sim::sequential::boundaries::{
    compute_boundaries, BoundaryKind, Sided, SpendingFunction,
};
use crossover_sim::shard::{self, Merged, ShardSpec, SweepSpec};
use crossover_sim::sweep;
use std::path::Path;

/// Runs the chosen subcommand.
pub fn dispatch(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Run {
            configs,
            shard,
            options,
        } => match shard {
            None => run(&configs, &options),
            Some(shard) => run_shards(&configs, &ShardSpec::parse(&shard)?, None, &options),
        },
        Command::Merge { shards, out, quiet } => merge(&shards, &out, quiet),
        Command::Validate { configs, overrides } => validate(&configs, &overrides),
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
            if let Some(t) = target_power {
                if !(t > 0.0 && t < 1.0) {
                    return Err(Error::Usage(format!(
                        "--target-power {t}: must be in (0, 1)"
                    )));
                }
            }
            let spec = SweepSpec {
                param,
                values: sweep::parse_values(&values)?,
                second: match (param2, values2) {
                    (Some(k), Some(v)) => Some((k, sweep::parse_values(&v)?)),
                    _ => None,
                },
                target_power,
            };
            match shard {
                None => run_sweep(&config, &spec, &options),
                Some(shard) => {
                    run_shards(&[config], &ShardSpec::parse(&shard)?, Some(spec), &options)
                }
            }
        }
        Command::Batch { inputs, options } => batch(&inputs, &options),
        Command::Claim { config, options } => claim(&config, &options),
        Command::Boundaries {
            looks,
            spending,
            alpha,
            sided,
            gamma,
            rho,
            interim_z,
            json,
        } => boundaries(&looks, &spending, alpha, sided, gamma, rho, interim_z, json),
    }
}

/// `--set` strings plus `--replicates`/`--seed`, as overrides validated like the file.
pub fn overrides(options: &RunOptions) -> Result<Vec<Override>, Error> {
    let mut list = options
        .overrides
        .iter()
        .map(|s| Override::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(r) = options.replicates {
        list.push(Override::with_value(
            "simulation.replicates",
            toml::Value::Integer(i64::try_from(r).unwrap_or(i64::MAX)),
        )?);
    }
    if let Some(s) = options.seed {
        // TOML integers are signed 64-bit; larger seeds are written as their bit pattern.
        list.push(Override::with_value(
            "simulation.seed",
            toml::Value::Integer(s as i64),
        )?);
    }
    Ok(list)
}

fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Error> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        if n == 0 {
            return Err(Error::Usage("--threads must be at least 1".into()));
        }
        builder = builder.num_threads(n);
    }
    builder
        .build()
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))
}

fn run_one(path: &Path, options: &RunOptions, pool: &rayon::ThreadPool) -> Result<(), Error> {
    let loaded: LoadedConfig = config::load(path, &overrides(options)?)?;
    let dir = report::prepare_dir(&options.out, &loaded.design.name)?;
    // Build the simulator (and its boundaries) before the bar appears, so errors come first.
    crossover_sim::run::simulator(&loaded)?;
    let bar = Bar::new(loaded.design.replicates, &loaded.design.name, options.quiet);
    let result = pool.install(|| crossover_sim::run::simulate(&loaded, &bar))?;
    bar.0.finish_and_clear();
    let written = report::write_all(&dir, &result)?;
    if !options.quiet {
        print!("{}", report::text::render(&result));
        let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        println!("  wrote {}", names.join(", "));
    }
    Ok(())
}

fn run(configs: &[std::path::PathBuf], options: &RunOptions) -> Result<(), Error> {
    let pool = thread_pool(options.threads)?;
    let mut failures = Vec::new();
    for path in configs {
        if let Err(e) = run_one(path, options, &pool) {
            if configs.len() == 1 || matches!(e, Error::Interrupted) {
                return Err(e);
            }
            eprintln!("error: {e}");
            failures.push((path.display().to_string(), e.exit_code()));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        let names: Vec<&str> = failures.iter().map(|(n, _)| n.as_str()).collect();
        Err(Error::Other(format!(
            "{} of {} configs failed: {}",
            failures.len(),
            configs.len(),
            names.join(", ")
        )))
    }
}

fn run_sweep(path: &Path, spec: &SweepSpec, options: &RunOptions) -> Result<(), Error> {
    let pool = thread_pool(options.threads)?;
    let base = config::load(path, &overrides(options)?)?;
    // Validate every grid point before spending simulation time.
    let points = sweep::point_configs(&base, spec)?.len();
    let dir = report::prepare_dir(&options.out, &base.design.name)?;
    let bar = Bar::new(
        points as u64 * base.design.replicates,
        &base.design.name,
        options.quiet,
    );
    let result = pool.install(|| sweep::run_sweep(&base, spec, &bar))?;
    bar.0.finish_and_clear();
    let written = report::sweep::write_sweep(&dir, &result)?;
    if !options.quiet {
        println!(
            "{}: sweep of {} over {} points, {} replicates each, seed {} (common random numbers)",
            result.name,
            spec.param,
            result.points.len(),
            result.replicates,
            result.seed
        );
        println!(
            "  {:<14} {:<10} power ± SE        95% CI             P(stop early)  E[enrolled]",
            "value", "value2"
        );
        for p in &result.points {
            println!(
                "  {:<14} {:<10} {:.4} ± {:.4}  [{:.4}, {:.4}]   {:.4}         {:.2}",
                p.value.to_string(),
                p.value2.as_ref().map(|v| v.to_string()).unwrap_or_default(),
                p.power.estimate,
                p.power.se,
                p.power.ci_low,
                p.power.ci_high,
                p.p_stop_early,
                p.expected_enrolled.mean
            );
        }
        for t in &result.target {
            let at = t
                .value2
                .as_ref()
                .map(|v| format!(" (at {v})"))
                .unwrap_or_default();
            println!("  target power {}{at}: {}", t.target, t.note);
        }
        let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        println!("  wrote {}", names.join(", "));
    }
    Ok(())
}

fn batch(inputs: &[std::path::PathBuf], options: &RunOptions) -> Result<(), Error> {
    let pool = thread_pool(options.threads)?;
    let configs = crossover_sim::batch::collect_configs(inputs);
    if configs.is_empty() {
        return Err(Error::Usage(
            "batch: no *.toml configs found in the inputs".into(),
        ));
    }
    let bar = if options.quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(configs.len() as u64)
    };
    let quiet = RunOptions {
        quiet: true,
        overrides: options.overrides.clone(),
        replicates: options.replicates,
        seed: options.seed,
        out: options.out.clone(),
        threads: options.threads,
    };
    let mut rows = Vec::new();
    for path in &configs {
        bar.set_message(path.display().to_string());
        let outcome = (|| -> Result<_, Error> {
            let loaded = config::load(path, &overrides(&quiet)?)?;
            let dir = report::prepare_dir(&quiet.out, &loaded.design.name)?;
            let result = pool.install(|| crossover_sim::run::simulate(&loaded, &Interruptible))?;
            report::write_all(&dir, &result)?;
            Ok(result)
        })();
        match outcome {
            Ok(r) => {
                if !options.quiet {
                    bar.suspend(|| {
                        println!(
                            "ok     {}: {} = {:.4} ± {:.4}",
                            path.display(),
                            if r.true_effect == 0.0 {
                                "type I error"
                            } else {
                                "power"
                            },
                            r.primary.power.estimate,
                            r.primary.power.se
                        )
                    });
                }
                rows.push(crossover_sim::batch::BatchRow::ok(path, &r));
            }
            Err(Error::Interrupted) => return Err(Error::Interrupted),
            Err(e) => {
                bar.suspend(|| eprintln!("failed {}: {e}", path.display()));
                rows.push(crossover_sim::batch::BatchRow::failed(path, &e.to_string()));
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let written = crossover_sim::batch::write_summary(&options.out, &rows)?;
    let failed = rows.iter().filter(|r| r.status != "ok").count();
    if !options.quiet {
        let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        println!(
            "{} of {} configs ran; wrote {}",
            rows.len() - failed,
            rows.len(),
            names.join(", ")
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

fn run_shards(
    configs: &[std::path::PathBuf],
    spec: &ShardSpec,
    sweep: Option<SweepSpec>,
    options: &RunOptions,
) -> Result<(), Error> {
    let pool = thread_pool(options.threads)?;
    for path in configs {
        let loaded = config::load(path, &overrides(options)?)?;
        let dir = report::prepare_dir(&options.out, &loaded.design.name)?;
        std::fs::create_dir_all(dir.join("shards")).map_err(|e| {
            Error::Report(report::ReportError::Io {
                path: dir.join("shards").display().to_string(),
                source: e,
            })
        })?;
        let range = spec.range(loaded.design.replicates);
        let points = sweep.as_ref().map_or(1, |s| {
            s.values.len() * s.second.as_ref().map_or(1, |(_, v)| v.len())
        });
        let bar = Bar::new(
            (range.end - range.start) * points as u64,
            &spec.stem(),
            options.quiet,
        );
        let file = pool.install(|| shard::run_shard(&loaded, *spec, sweep.clone(), &bar))?;
        bar.0.finish_and_clear();
        let target = shard::shard_path(&dir, &file);
        let bytes = serde_json::to_vec_pretty(&file).map_err(|e| Error::Other(e.to_string()))?;
        report::write_atomic(&target, &bytes)?;
        if !options.quiet {
            println!(
                "{}: shard {}/{} = replicates {}..{} of {}; wrote {}",
                loaded.design.name,
                spec.index,
                spec.count,
                range.start,
                range.end,
                loaded.design.replicates,
                target.display()
            );
        }
    }
    Ok(())
}

fn merge(shards: &[std::path::PathBuf], out: &Path, quiet: bool) -> Result<(), Error> {
    match shard::merge(shards)? {
        Merged::Run(boxed) => {
            let (loaded, result) = *boxed;
            let dir = report::prepare_dir(out, &loaded.design.name)?;
            let written = report::write_all(&dir, &result)?;
            if !quiet {
                print!("{}", report::text::render(&result));
                let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
                println!(
                    "  merged {} shards; wrote {}",
                    shards.len(),
                    names.join(", ")
                );
            }
        }
        Merged::Sweep(boxed) => {
            let (loaded, result) = *boxed;
            let dir = report::prepare_dir(out, &loaded.design.name)?;
            let written = report::sweep::write_sweep(&dir, &result)?;
            if !quiet {
                let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
                println!(
                    "merged {} sweep shards ({} points); wrote {}",
                    shards.len(),
                    result.points.len(),
                    names.join(", ")
                );
            }
        }
    }
    Ok(())
}

fn validate(configs: &[std::path::PathBuf], overrides: &[String]) -> Result<(), Error> {
    let overrides = overrides
        .iter()
        .map(|s| Override::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    let mut first_error = None;
    for path in configs {
        let checked = config::load(path, &overrides)
            .map_err(Error::from)
            .and_then(|loaded| crossover_sim::run::simulator(&loaded).map(|_| loaded));
        match checked {
            Ok(loaded) => println!(
                "ok: {} ({}, N = {}, {} look(s), primary {})",
                path.display(),
                loaded.design.name,
                loaded.design.enrolled,
                loaded.design.sequential.looks.len(),
                loaded.design.analysis.primary.as_str()
            ),
            Err(e) => {
                eprintln!("error: {e}");
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        None => Ok(()),
        Some(e) if configs.len() == 1 => Err(e),
        Some(e) => Err(Error::Config(config::ConfigError::Parse {
            file: "(several configs)".into(),
            message: format!("at least one config is invalid; first: {e}"),
        })),
    }
}

#[allow(clippy::too_many_arguments)]
fn boundaries(
    looks: &[f64],
    spending: &str,
    alpha: f64,
    sided: u8,
    gamma: Option<f64>,
    rho: Option<f64>,
    interim_z: f64,
    json: bool,
) -> Result<(), Error> {
    let usage = |msg: String| Error::Usage(format!("boundaries: {msg}"));
    let sided = match sided {
        1 => Sided::One,
        2 => Sided::Two,
        other => return Err(usage(format!("--sided {other}: must be 1 or 2"))),
    };
    let last = *looks.last().unwrap_or(&1.0);
    if !(last.is_finite() && last > 0.0) {
        return Err(usage(format!(
            "--looks: the last look must be > 0, got {last}"
        )));
    }
    let rates: Vec<f64> = looks.iter().map(|x| x / last).collect();
    let kind = match spending {
        "obrien_fleming" => BoundaryKind::Spending(SpendingFunction::ObrienFleming),
        "pocock" => BoundaryKind::Spending(SpendingFunction::Pocock),
        "hwang_shih_decani" => BoundaryKind::Spending(SpendingFunction::HwangShihDeCani {
            gamma: gamma.ok_or_else(|| usage("hwang_shih_decani needs --gamma".into()))?,
        }),
        "kim_demets" => BoundaryKind::Spending(SpendingFunction::KimDeMets {
            rho: rho.ok_or_else(|| usage("kim_demets needs --rho".into()))?,
        }),
        "obrien_fleming_total_alpha" => BoundaryKind::ObrienFlemingTotalAlpha,
        "classical_obrien_fleming" => BoundaryKind::ObrienFlemingClassical,
        "classical_pocock" => BoundaryKind::PocockClassical,
        "haybittle_peto" => BoundaryKind::HaybittlePeto { interim_z },
        other => {
            return Err(usage(format!(
                "--spending {other}: choose obrien_fleming, pocock, hwang_shih_decani, kim_demets, obrien_fleming_total_alpha, classical_obrien_fleming, classical_pocock or haybittle_peto"
            )))
        }
    };
    let b = compute_boundaries(&rates, alpha, sided, &kind).map_err(|e| usage(e.to_string()))?;
    if json {
        let value = serde_json::json!({
            "spending": spending,
            "alpha": alpha,
            "sided": if sided == Sided::Two { 2 } else { 1 },
            "convention": convention(sided),
            "information_rates": b.information_rates,
            "critical_z": b.critical_z,
            "nominal_level": b.nominal_level,
            "cumulative_alpha": b.cumulative_alpha,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
        return Ok(());
    }
    println!(
        "{spending}, alpha {alpha}, {}-sided",
        if sided == Sided::Two { 2 } else { 1 }
    );
    println!("{}", convention(sided));
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

fn convention(sided: Sided) -> &'static str {
    match sided {
        Sided::Two => "Two-sided symmetric boundaries; spending functions spend alpha/2 per side with the one-sided function (rpact sided = 2, gsDesign test.type = 2). Nominal level = 2(1 - Phi(c_k)).",
        Sided::One => "One-sided upper boundaries. Nominal level = 1 - Phi(c_k).",
    }
}

fn claim(path: &Path, options: &RunOptions) -> Result<(), Error> {
    let pool = thread_pool(options.threads)?;
    let base = config::load(path, &overrides(options)?)?;
    let dir = report::prepare_dir(&options.out, &base.design.name)?;
    let quiet = options.quiet;
    let log = |line: &str| {
        if !quiet {
            eprintln!("{line}");
        }
    };
    let claim = pool.install(|| crossover_sim::claim::check_claims(&base, &log, &Interruptible))?;
    let written = crossover_sim::claim::write(&dir, &claim)?;
    if !quiet {
        for v in &claim.verdicts {
            println!("{v}");
        }
        let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        println!("wrote {}", names.join(", "));
    }
    Ok(())
}
