//! The R package's native side: each R function's arguments in, the core library's
//! `crossover_sim::bindings` entry point called, and its files (JSON and CSV text, the command
//! line's exactly) or its error handed back as `list(ok = ...)` or `list(error = "...")`. The R
//! wrappers (R/crossoversim.R) turn the first into data frames and the second into an R
//! condition: an error never crosses into R as a Rust panic.
//!
//! While a simulation runs on worker threads, R's own thread polls (entrypoint.c): Ctrl-C
//! cancels the run, and interactive sessions see how many replicates are done.

use crossover_sim::bindings::{self, Poll, RunArgs, SweepArgs};
use crossover_sim::Error;
use extendr_api::prelude::*;
use std::os::raw::c_int;
use std::path::Path;

/// A result of the core library (extendr's prelude has a `Result` of its own).
type Outcome<T> = std::result::Result<T, Error>;

extern "C" {
    /// Whether the user pressed Ctrl-C (R_CheckUserInterrupt, caught by R_ToplevelExec so
    /// that R never jumps across Rust frames).
    fn crossoversim_interrupt_pending() -> c_int;
    /// Shows replicates done of total on R's console; `finished` ends the line.
    fn crossoversim_show_progress(done: f64, total: f64, finished: c_int);
}

/// `list(ok = value)` or `list(error = message)`.
fn outcome(result: Outcome<Robj>) -> Robj {
    match result {
        Ok(value) => list!(ok = value).into(),
        Err(e) => list!(error = bindings::message(&e)).into(),
    }
}

/// An argument R gives as NULL or a number, as a whole number of `name`.
fn whole(name: &str, x: &Robj) -> Outcome<Option<u64>> {
    if x.is_null() {
        return Ok(None);
    }
    let refuse = |shown: String| {
        Error::argument(
            name,
            &shown,
            "must be one whole number of at least 0 (or NULL)",
        )
    };
    match x.as_real().or_else(|| x.as_integer().map(f64::from)) {
        Some(v) if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 2f64.powi(63) => {
            Ok(Some(v as u64))
        }
        Some(v) => Err(refuse(v.to_string())),
        None => Err(refuse(format!("{x:?}"))),
    }
}

/// An argument R gives as NULL or a number.
fn number(name: &str, x: &Robj) -> Outcome<Option<f64>> {
    if x.is_null() {
        return Ok(None);
    }
    x.as_real()
        .or_else(|| x.as_integer().map(f64::from))
        .map(Some)
        .ok_or_else(|| Error::argument(name, &format!("{x:?}"), "must be one number (or NULL)"))
}

/// The options of every simulating function: `set` as `KEY=VALUE` strings (the wrapper turns
/// `list(design.enrolled = 40)` into them), replicates, seed, threads.
fn run_args(set: &Robj, replicates: &Robj, seed: &Robj, threads: &Robj) -> Outcome<RunArgs> {
    let set = if set.is_null() {
        Vec::new()
    } else {
        set.as_string_vector().ok_or_else(|| {
            Error::argument("set", &format!("{set:?}"), "must be KEY=VALUE strings")
        })?
    };
    Ok(RunArgs {
        set,
        replicates: whole("replicates", replicates)?,
        seed: whole("seed", seed)?,
        threads: whole("threads", threads)?.map(|n| n as usize),
    })
}

/// Runs `job` with R's thread polling for Ctrl-C, showing progress when `progress` is true.
fn with_poll<T>(progress: bool, job: impl FnOnce(Poll) -> Outcome<T>) -> Outcome<T> {
    let mut last = (0, 0);
    let mut poll = |done: u64, total: u64| {
        last = (done, total);
        if progress {
            // SAFETY: called on R's main thread, which is the thread that called into Rust.
            unsafe { crossoversim_show_progress(done as f64, total as f64, 0) };
        }
        // SAFETY: as above; the check cannot jump out of this frame (entrypoint.c).
        unsafe { crossoversim_interrupt_pending() != 0 }
    };
    let result = job(&mut poll);
    if progress {
        // SAFETY: R's main thread.
        unsafe { crossoversim_show_progress(last.0 as f64, last.1 as f64, 1) };
    }
    result
}

/// A run's summary.json and summary.csv texts, hints and warning.
#[extendr]
fn xo_run_files(
    config: &str,
    set: Robj,
    replicates: Robj,
    seed: Robj,
    threads: Robj,
    progress: bool,
) -> Robj {
    outcome((|| {
        let args = run_args(&set, &replicates, &seed, &threads)?;
        let files = with_poll(progress, |poll| bindings::run(config, &args, poll))?;
        Ok(list!(
            json = files.json,
            csv = files.csv,
            hints = files.hints,
            warning = files.warning.unwrap_or_default()
        )
        .into())
    })())
}

/// A sweep's `<stem>.json` and `<stem>.csv` texts and hints.
#[extendr]
#[allow(clippy::too_many_arguments)]
fn xo_sweep_files(
    config: &str,
    param: &str,
    values: &str,
    param2: Robj,
    values2: Robj,
    target_power: Robj,
    set: Robj,
    replicates: Robj,
    seed: Robj,
    threads: Robj,
    progress: bool,
) -> Robj {
    outcome((|| {
        let args = run_args(&set, &replicates, &seed, &threads)?;
        let grid = SweepArgs {
            param: param.to_string(),
            values: values.to_string(),
            param2: param2.as_str().map(str::to_string),
            values2: values2.as_str().map(str::to_string),
            target_power: number("target_power", &target_power)?,
        };
        let files = with_poll(progress, |poll| bindings::sweep(config, &args, &grid, poll))?;
        Ok(list!(json = files.json, csv = files.csv, hints = files.hints).into())
    })())
}

/// What `validate` found: name, N, looks, primary analysis, replicates, seed, hints, and the
/// resolved config as JSON.
#[extendr]
fn xo_validate_config(config: &str, set: Robj, replicates: Robj, seed: Robj) -> Robj {
    outcome((|| {
        let args = run_args(&set, &replicates, &seed, &Robj::from(()))?;
        let v = bindings::validate(config, &args)?;
        Ok(list!(
            name = v.name,
            enrolled = v.enrolled as f64,
            looks = v.looks.iter().map(|&k| k as f64).collect::<Vec<f64>>(),
            primary = v.primary,
            replicates = v.replicates as f64,
            seed = v.seed as f64,
            hints = v.hints,
            resolved = v.resolved
        )
        .into())
    })())
}

/// The boundary table as `boundaries --json` prints it.
#[extendr]
fn xo_boundaries_json(
    looks: &[f64],
    spending: &str,
    alpha: f64,
    sided: f64,
    gamma: Robj,
    rho: Robj,
    interim_z: Robj,
) -> Robj {
    outcome((|| {
        let sides = if sided == 1.0 || sided == 2.0 {
            sided as u8
        } else {
            return Err(Error::argument("sided", &sided.to_string(), "use 1 or 2"));
        };
        let json = bindings::boundaries(
            looks,
            spending,
            alpha,
            sides,
            number("gamma", &gamma)?,
            number("rho", &rho)?,
            number("interim_z", &interim_z)?,
        )?;
        Ok(json.into())
    })())
}

/// samplesize.json.
#[extendr]
#[allow(clippy::too_many_arguments)]
fn xo_samplesize_json(
    config: &str,
    target_power: f64,
    adjust_alpha: bool,
    set: Robj,
    replicates: Robj,
    seed: Robj,
    threads: Robj,
    progress: bool,
) -> Robj {
    outcome((|| {
        let args = run_args(&set, &replicates, &seed, &threads)?;
        let json = with_poll(progress, |poll| {
            bindings::samplesize(config, &args, target_power, adjust_alpha, poll)
        })?;
        Ok(json.into())
    })())
}

/// The starting config of a named design, written to `file` when it is not NULL.
#[extendr]
fn xo_init_text(design: &str, conditions: Robj, endpoint: &str, file: Robj) -> Robj {
    outcome((|| {
        let conditions = conditions.as_string_vector();
        let file = file.as_str().map(Path::new);
        Ok(bindings::init(design, conditions.as_deref(), endpoint, file)?.into())
    })())
}

extendr_module! {
    mod crossoversim;
    fn xo_run_files;
    fn xo_sweep_files;
    fn xo_validate_config;
    fn xo_boundaries_json;
    fn xo_samplesize_json;
    fn xo_init_text;
}
