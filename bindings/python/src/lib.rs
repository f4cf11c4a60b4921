//! The Python package's native module, `crossover_sim._native`: each function's arguments in,
//! the core library's `crossover_sim::bindings` entry point called, and its files (JSON and
//! CSV text, the command line's exactly) returned as a dict; python/crossover_sim/__init__.py
//! turns them into dicts and DataFrames. Errors are `CrossoverSimError` with the command
//! line's text.
//!
//! While a simulation runs on worker threads, Python's thread polls: a pending Ctrl-C
//! (`Python::check_signals`) cancels the run and is raised as the `KeyboardInterrupt` it is,
//! and a progress line is shown on stderr when asked for.

use crossover_sim::bindings::{self, Poll, RunArgs, SweepArgs};
use crossover_sim::Error;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::io::Write as _;
use std::path::PathBuf;

create_exception!(
    _native,
    CrossoverSimError,
    PyException,
    "A crossover-sim error: an invalid config or argument, or a failed run; its message is the command line's."
);

/// A library error as a Python exception.
fn raise(e: Error) -> PyErr {
    CrossoverSimError::new_err(bindings::message(&e))
}

/// Runs `job` with Python's thread polling for Ctrl-C and showing progress when `progress`.
/// A Ctrl-C is raised as Python's own KeyboardInterrupt once the run has stopped.
fn with_poll<T>(
    py: Python<'_>,
    progress: bool,
    job: impl FnOnce(Poll) -> Result<T, Error>,
) -> PyResult<T> {
    let mut signal: Option<PyErr> = None;
    let mut poll = |done: u64, total: u64| {
        if progress && total > 0 {
            let mut err = std::io::stderr();
            let _ = write!(
                err,
                "\rcrossover_sim: {done} of {total} replicates ({:.0}%)",
                100.0 * done as f64 / total as f64
            );
            let _ = err.flush();
        }
        match py.check_signals() {
            Ok(()) => false,
            Err(e) => {
                signal = Some(e);
                true
            }
        }
    };
    let result = job(&mut poll);
    if progress {
        eprintln!();
    }
    match (result, signal) {
        (Err(Error::Interrupted), Some(e)) => Err(e),
        (result, _) => result.map_err(raise),
    }
}

fn run_args(
    set: Vec<String>,
    replicates: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
) -> RunArgs {
    RunArgs {
        set,
        replicates,
        seed,
        threads,
    }
}

/// A run's summary.json and summary.csv texts, hints and warning.
#[pyfunction]
#[pyo3(signature = (config, set, replicates, seed, threads, progress))]
fn run(
    py: Python<'_>,
    config: &str,
    set: Vec<String>,
    replicates: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    progress: bool,
) -> PyResult<Py<PyDict>> {
    let args = run_args(set, replicates, seed, threads);
    let files = with_poll(py, progress, |poll| bindings::run(config, &args, poll))?;
    let d = PyDict::new(py);
    d.set_item("json", files.json)?;
    d.set_item("csv", files.csv)?;
    d.set_item("hints", files.hints)?;
    d.set_item("warning", files.warning)?;
    Ok(d.unbind())
}

/// A sweep's `<stem>.json` and `<stem>.csv` texts and hints.
#[pyfunction]
#[pyo3(signature = (config, param, values, param2, values2, target_power, set, replicates, seed, threads, progress))]
#[allow(clippy::too_many_arguments)]
fn sweep(
    py: Python<'_>,
    config: &str,
    param: String,
    values: String,
    param2: Option<String>,
    values2: Option<String>,
    target_power: Option<f64>,
    set: Vec<String>,
    replicates: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    progress: bool,
) -> PyResult<Py<PyDict>> {
    let args = run_args(set, replicates, seed, threads);
    let grid = SweepArgs {
        param,
        values,
        param2,
        values2,
        target_power,
    };
    let files = with_poll(py, progress, |poll| {
        bindings::sweep(config, &args, &grid, poll)
    })?;
    let d = PyDict::new(py);
    d.set_item("json", files.json)?;
    d.set_item("csv", files.csv)?;
    d.set_item("hints", files.hints)?;
    Ok(d.unbind())
}

/// What `validate` found, with the resolved config as JSON text.
#[pyfunction]
#[pyo3(signature = (config, set, replicates, seed))]
fn validate(
    py: Python<'_>,
    config: &str,
    set: Vec<String>,
    replicates: Option<u64>,
    seed: Option<u64>,
) -> PyResult<Py<PyDict>> {
    let v = bindings::validate(config, &run_args(set, replicates, seed, None)).map_err(raise)?;
    let d = PyDict::new(py);
    d.set_item("name", v.name)?;
    d.set_item("enrolled", v.enrolled)?;
    d.set_item("looks", v.looks)?;
    d.set_item("primary", v.primary)?;
    d.set_item("replicates", v.replicates)?;
    d.set_item("seed", v.seed)?;
    d.set_item("hints", v.hints)?;
    d.set_item("resolved", v.resolved)?;
    Ok(d.unbind())
}

/// The boundary table as `boundaries --json` prints it.
#[pyfunction]
#[pyo3(signature = (looks, spending, alpha, sided, gamma, rho, interim_z))]
fn boundaries(
    looks: Vec<f64>,
    spending: &str,
    alpha: f64,
    sided: u8,
    gamma: Option<f64>,
    rho: Option<f64>,
    interim_z: Option<f64>,
) -> PyResult<String> {
    bindings::boundaries(&looks, spending, alpha, sided, gamma, rho, interim_z).map_err(raise)
}

/// samplesize.json.
#[pyfunction]
#[pyo3(signature = (config, target_power, adjust_alpha, set, replicates, seed, threads, progress))]
#[allow(clippy::too_many_arguments)]
fn samplesize(
    py: Python<'_>,
    config: &str,
    target_power: f64,
    adjust_alpha: bool,
    set: Vec<String>,
    replicates: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    progress: bool,
) -> PyResult<String> {
    let args = run_args(set, replicates, seed, threads);
    with_poll(py, progress, |poll| {
        bindings::samplesize(config, &args, target_power, adjust_alpha, poll)
    })
}

/// The starting config of a named design, written to `file` when given.
#[pyfunction]
#[pyo3(signature = (design, conditions, endpoint, file))]
fn init(
    design: &str,
    conditions: Option<Vec<String>>,
    endpoint: &str,
    file: Option<PathBuf>,
) -> PyResult<String> {
    bindings::init(design, conditions.as_deref(), endpoint, file.as_deref()).map_err(raise)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("CrossoverSimError", m.py().get_type::<CrossoverSimError>())?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(boundaries, m)?)?;
    m.add_function(wrap_pyfunction!(samplesize, m)?)?;
    m.add_function(wrap_pyfunction!(init, m)?)?;
    Ok(())
}
