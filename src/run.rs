//! One config end to end: validate, prepare the results folder, simulate, build the report.

use crate::config::LoadedConfig;
use crate::engine::{Progress, Simulator};
use crate::error::Error;
use crate::report::{build_report, RunMetadata, RunReport};
use std::time::Instant;

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
    let summary = sim.simulate(0..loaded.design.replicates, progress);
    if progress.cancelled() || summary.replicates != loaded.design.replicates {
        return Err(Error::Interrupted);
    }
    let meta = RunMetadata::single(rayon::current_num_threads(), start.elapsed().as_secs_f64());
    Ok(build_report(loaded, sim.rules(), &summary, meta))
}
