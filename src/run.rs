//! One config end to end: validate, prepare the results folder, simulate, build the report,
//! write it. The load → prepare → simulate → write pipeline that `run`, `batch`, `merge` and
//! the other commands share: [`run_into`] does all of it, and its steps ([`results_dir`],
//! [`prepare`], [`simulate`], [`write_run`], [`export`], [`write_phase`]) serve commands that
//! show progress between them. Every command writes its files through [`export`] (or
//! [`write_phase`] around a job's own writer built on [`report::write_files`]).

use crate::config::LoadedConfig;
use crate::engine::{Progress, Simulator, ThreadPool};
use crate::error::Error;
use crate::facts::DesignFacts;
use crate::interrupt;
use crate::report::export::Exporter;
use crate::report::{self, build_report, RunMetadata, RunReport};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Creates `out/name` (and checks it is writable) as a write phase, so that a signal cannot
/// leave the probe file behind.
pub fn results_dir(out: &Path, name: &str) -> Result<PathBuf, Error> {
    let _writing = interrupt::writing()?;
    Ok(report::prepare_dir(out, name)?)
}

/// Writes a set of result files as one write phase (a signal meanwhile lets it complete),
/// then stops with [`Error::Interrupted`] if a signal came.
pub fn write_phase<T>(write: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    let written = {
        let _writing = interrupt::writing()?;
        write()?
    };
    interrupt::check()?;
    Ok(written)
}

/// Prepares a config's results folder `out/<name>` and builds its simulator (and its
/// boundaries), so that every error comes before any simulation time is spent; returns the
/// folder.
pub fn prepare(loaded: &LoadedConfig, out: &Path) -> Result<PathBuf, Error> {
    let dir = results_dir(out, loaded.design.name())?;
    simulator(loaded)?;
    Ok(dir)
}

/// Writes the files `exporters` render from `value` into `dir` (by [`report::write_files`]:
/// all rendered first, then each written atomically in order) as one write phase; returns the
/// paths written.
pub fn export<T: ?Sized>(
    dir: &Path,
    value: &T,
    exporters: &[Box<dyn Exporter<T>>],
) -> Result<Vec<PathBuf>, Error> {
    write_phase(|| Ok(report::write_files(dir, value, exporters)?))
}

/// Writes a run's files into `dir` as one write phase; returns the paths written.
pub fn write_run(dir: &Path, report: &RunReport) -> Result<Vec<PathBuf>, Error> {
    export(dir, report, &report::export::run_exporters(report))
}

/// One config end to end: [`prepare`], [`simulate`] on the current rayon pool, [`write_run`].
/// Returns the report and the paths written.
pub fn run_into(
    loaded: &LoadedConfig,
    out: &Path,
    progress: &dyn Progress,
) -> Result<(RunReport, Vec<PathBuf>), Error> {
    let dir = prepare(loaded, out)?;
    let report = simulate(loaded, progress)?;
    let written = write_run(&dir, &report)?;
    Ok((report, written))
}

/// Builds the simulator for a loaded config.
pub fn simulator(loaded: &LoadedConfig) -> Result<Simulator, Error> {
    Simulator::new(&loaded.design).map_err(|source| Error::Boundary {
        origin: loaded.origin.clone(),
        source,
    })
}

/// Simulates every replicate of `loaded` on the current rayon pool and builds its report.
pub fn simulate(loaded: &LoadedConfig, progress: &dyn Progress) -> Result<RunReport, Error> {
    let sim = simulator(loaded)?;
    let start = Instant::now();
    let summary = sim.simulate(0..loaded.design.replicates(), progress);
    if progress.cancelled() || summary.replicates != loaded.design.replicates() {
        return Err(Error::Interrupted);
    }
    let meta = RunMetadata::single(
        crate::engine::threads_in_use(),
        start.elapsed().as_secs_f64(),
    );
    let facts = DesignFacts::of(&loaded.design);
    Ok(build_report(loaded, sim.rules(), &facts, &summary, meta))
}

/// The most worker threads per available core: more only adds start-up time and memory (each
/// thread has its own stack), and 100,000 threads exhaust the machine.
pub const THREADS_PER_CORE: usize = 4;

/// The largest thread count accepted: [`THREADS_PER_CORE`] times the available cores.
pub fn max_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.saturating_mul(THREADS_PER_CORE)
}

/// Checks a thread count, which errors call `label` (the command line's `--threads`): a whole
/// number from 1 to [`max_threads`]; None is one thread per core.
pub fn check_threads_as(label: &str, threads: Option<usize>) -> Result<Option<usize>, Error> {
    let Some(n) = threads else {
        return Ok(None);
    };
    let max = max_threads();
    if (1..=max).contains(&n) {
        Ok(Some(n))
    } else {
        let cores = max / THREADS_PER_CORE;
        Err(Error::Usage(format!(
            "{label} {n}: must be a whole number from 1 to {max} ({THREADS_PER_CORE} per available core; this machine has {cores}); results do not depend on it"
        )))
    }
}

/// The worker pool of `threads` threads (checked first by [`check_threads_as`]).
pub fn thread_pool_as(label: &str, threads: Option<usize>) -> Result<ThreadPool, Error> {
    crate::engine::thread_pool(check_threads_as(label, threads)?)
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))
}
