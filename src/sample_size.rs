//! The `samplesize` job: the smallest balanced N whose exact power reaches a target (the
//! analytic fast path of [`crate::closed_form`]), confirmed by simulating that N and the next
//! smaller balanced N with the config's seed.

use crate::config::{self, LoadedConfig, Override};
use crate::engine::Progress;
use crate::error::Error;
use crate::power::design::PowerModel;
use crate::report::export::{Exporter, JsonFile};
use crate::report::{Proportion, RunReport};
use serde::Serialize;

/// One sample size, exact and simulated.
#[derive(Debug, Clone, Serialize)]
pub struct SampleSizeRow {
    /// Total participants.
    pub enrolled: usize,
    /// Exact power.
    pub exact_power: f64,
    /// Simulated power with its Monte Carlo SE and Wilson interval.
    pub simulated: Proportion,
}

/// The answer of `samplesize`.
#[derive(Debug, Clone, Serialize)]
pub struct SampleSizeResult {
    /// Config name.
    pub name: String,
    /// Config path as given.
    pub config_file: String,
    /// The `--set` arguments applied.
    pub overrides: Vec<String>,
    /// The hypothesis, in words.
    pub hypothesis: String,
    /// Target power.
    pub target_power: f64,
    /// The smallest N (a multiple of the number of sequences) reaching the target exactly.
    pub sample_size: usize,
    /// Its exact power.
    pub exact_power: f64,
    /// The simulated confirmation: the N below and the N found.
    pub rows: Vec<SampleSizeRow>,
    /// Replicates per simulated N.
    pub replicates: u64,
    /// Seed.
    pub seed: u64,
}

/// The exporter of samplesize.json, the whole [`SampleSizeResult`].
pub fn exporters() -> Vec<Box<dyn Exporter<SampleSizeResult>>> {
    vec![Box::new(JsonFile::new("samplesize.json"))]
}

/// Finds the smallest N reaching `target` exactly and simulates it and the balanced N below,
/// each with one permuted block per set of sequences so the allocation is balanced.
pub fn sample_size(
    loaded: &LoadedConfig,
    target: f64,
    progress: &dyn Progress,
) -> Result<SampleSizeResult, Error> {
    if !(target > 0.0 && target < 1.0) {
        return Err(Error::argument(
            "target_power",
            &target.to_string(),
            "must be a power in (0, 1), e.g. 0.8",
        ));
    }
    let model = PowerModel::of(&loaded.design).map_err(|why| Error::NoExactPower {
        origin: loaded.origin.clone(),
        reason: why,
        target,
    })?;
    let Some((n, exact)) = model.sample_size(target) else {
        return Err(Error::Usage(format!(
            "{}: no N up to {} reaches power {target} (the true effect may lie in H0)",
            loaded.origin,
            crate::power::design::MAX_SAMPLE_SIZE
        )));
    };
    let s = model.sequences();
    let candidates: Vec<usize> = [n.checked_sub(s), Some(n)]
        .into_iter()
        .flatten()
        .filter(|&m| model.df(m) >= 1.0)
        .collect();
    let mut rows = Vec::new();
    for m in candidates {
        let point = at_size(loaded, m, s)?;
        let report: RunReport = crate::run::simulate(&point, progress)?;
        rows.push(SampleSizeRow {
            enrolled: m,
            exact_power: model.at(m).power,
            simulated: report.primary.power,
        });
    }
    Ok(SampleSizeResult {
        name: loaded.design.name().to_string(),
        config_file: loaded.origin.clone(),
        overrides: loaded.overrides.clone(),
        hypothesis: crate::report::build::describe(loaded.design.analysis().primary, loaded),
        target_power: target,
        sample_size: n,
        exact_power: exact,
        rows,
        replicates: loaded.design.replicates(),
        seed: loaded.design.seed(),
    })
}

/// `loaded` with `n` participants, randomized in blocks of one of each sequence.
fn at_size(loaded: &LoadedConfig, n: usize, sequences: usize) -> Result<LoadedConfig, Error> {
    let o = [
        Override::with_value("design.enrolled", toml::Value::Integer(n as i64))?
            .from_argument(format!("samplesize: design.enrolled = {n}")),
        Override::with_value(
            "design.randomization",
            toml::Value::try_from(config::schema::RandomizationSection {
                kind: config::schema::RandomizationKind::PermutedBlocks,
                block_size: Some(sequences as i64),
            })
            .map_err(|e| Error::Other(e.to_string()))?,
        )?
        .from_argument("samplesize: one block per set of sequences"),
    ];
    Ok(config::with_overrides(loaded, &o)?)
}
