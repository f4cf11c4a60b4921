//! Splitting a run or a sweep into shards that any scheduler can run anywhere, and merging
//! them into exactly the result of a single run.
//!
//! Shard K of N simulates the K-th of N contiguous ranges of replicate indices (aligned to the
//! engine's blocks) and stores the exact aggregation state. Because that state adds exactly
//! (integer counts and fixed-point sums), the merge equals the single run bit for bit.

use crate::config::{self, ConfigFile, LoadedConfig};
use crate::engine::{Progress, Summary, BLOCK};
use crate::error::Error;
use crate::facts::DesignFacts;
use crate::report::export::{Exporter, JsonFile};
pub use crate::report::reproduce::fnv1a;
use crate::report::{build_report, RunMetadata, RunReport};
pub use crate::sweep::SweepSpec;
use crate::sweep::{self, grid, point_config, SweepPoint, SweepResult};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Format version of shard files.
pub const SHARD_FORMAT: u32 = 1;

/// `K/N`, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardSpec {
    /// This shard, 1..=count.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

impl ShardSpec {
    /// Parses `K/N` with 1 <= K <= N; errors name the parameter `shard`.
    pub fn parse(text: &str) -> Result<ShardSpec, Error> {
        ShardSpec::parse_as("shard", text)
    }

    /// [`ShardSpec::parse`] for the parameter the caller calls `name` (the command line
    /// passes `--shard`), named in errors.
    pub fn parse_as(name: &str, text: &str) -> Result<ShardSpec, Error> {
        let bad = || Error::argument(name, text, "expected K/N with 1 <= K <= N, e.g. 2/8");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(ShardSpec { index, count })
    }

    /// The replicate indices of this shard out of `replicates`, aligned to engine blocks.
    pub fn range(&self, replicates: u64) -> Range<u64> {
        let blocks = replicates.div_ceil(BLOCK);
        let lo = blocks * (self.index - 1) / self.count;
        let hi = blocks * self.index / self.count;
        (lo * BLOCK).min(replicates)..(hi * BLOCK).min(replicates)
    }

    /// `shard-K-of-N`.
    pub fn stem(&self) -> String {
        format!("shard-{}-of-{}", self.index, self.count)
    }
}

/// Hash of a resolved config (its canonical JSON).
pub fn config_hash(config: &ConfigFile) -> String {
    fnv1a(serde_json::to_string(config).unwrap_or_default().as_bytes())
}

/// The partial state of one grid point (a plain run is a single point without values).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointState {
    /// First parameter's value (sweeps).
    pub value: Option<toml::Value>,
    /// Second parameter's value (two-parameter sweeps).
    pub value2: Option<toml::Value>,
    /// Exact aggregation state of this shard's replicates.
    pub summary: Summary,
}

/// One shard file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardFile {
    /// Shard file format.
    pub format: u32,
    /// Tool version that wrote it.
    pub version: String,
    /// Config path as given.
    pub config_file: String,
    /// The `--set` arguments applied, as given and in order.
    #[serde(default)]
    pub overrides: Vec<String>,
    /// The command that wrote this shard.
    #[serde(default)]
    pub command: String,
    /// Hash of the resolved config.
    pub config_hash: String,
    /// The resolved config.
    pub config: ConfigFile,
    /// Master seed.
    pub seed: u64,
    /// Total replicates of the whole run (per grid point).
    pub replicates: u64,
    /// Which shard.
    pub shard: ShardSpec,
    /// Replicate indices simulated here.
    pub replicate_range: Range<u64>,
    /// Sweep definition, for sweep shards.
    pub sweep: Option<SweepSpec>,
    /// One state per grid point (one for a plain run).
    pub points: Vec<PointState>,
    /// Wall time of this shard.
    pub elapsed_seconds: f64,
    /// Worker threads of this shard.
    pub threads: usize,
    /// Hash of `points`, to detect corruption.
    pub checksum: String,
}

fn points_checksum(points: &[PointState]) -> String {
    fnv1a(serde_json::to_string(points).unwrap_or_default().as_bytes())
}

/// Simulates shard `shard` of `base` (a run, or a sweep when `sweep` is given).
pub fn run_shard(
    base: &LoadedConfig,
    shard: ShardSpec,
    sweep: Option<SweepSpec>,
    progress: &dyn Progress,
) -> Result<ShardFile, Error> {
    let replicates = base.design.replicates();
    let range = shard.range(replicates);
    let start = Instant::now();
    let mut points = Vec::new();
    let cells: Vec<(Option<toml::Value>, Option<toml::Value>, LoadedConfig)> = match &sweep {
        None => vec![(None, None, base.clone())],
        Some(spec) => grid(spec)
            .into_iter()
            .map(|(v, v2)| point_config(base, spec, &v, &v2).map(|l| (Some(v), v2, l)))
            .collect::<Result<_, _>>()?,
    };
    for (value, value2, loaded) in cells {
        let sim = crate::run::simulator(&loaded)?;
        let summary = sim.simulate(range.clone(), progress);
        if progress.cancelled() {
            return Err(Error::Interrupted);
        }
        points.push(PointState {
            value,
            value2,
            summary,
        });
    }
    let checksum = points_checksum(&points);
    let whole = match &sweep {
        None => crate::report::reproduce::run_command(base),
        Some(spec) => sweep::sweep_command(base, spec),
    };
    Ok(ShardFile {
        format: SHARD_FORMAT,
        version: env!("CARGO_PKG_VERSION").to_string(),
        config_file: base.origin.clone(),
        overrides: base.overrides.clone(),
        command: format!("{whole} --shard {}/{}", shard.index, shard.count),
        config_hash: config_hash(&base.resolved),
        config: base.resolved.clone(),
        seed: base.design.seed(),
        replicates,
        shard,
        replicate_range: range,
        sweep,
        points,
        elapsed_seconds: start.elapsed().as_secs_f64(),
        threads: crate::engine::threads_in_use(),
        checksum,
    })
}

/// Where a shard file goes: `<dir>/shards/shard-K-of-N.json` for a run, and
/// `<dir>/shards/<sweep stem>-shard-K-of-N.json` for a sweep. With `--set` overrides a run's
/// name ends in `-set-<hash>` (a sweep's stem has it already), so shards of different
/// variants never overwrite each other, nor match each other's `shard-*-of-N.json`.
pub fn shard_path(dir: &Path, file: &ShardFile) -> PathBuf {
    shards_dir(dir).join(shard_file_name(file))
}

/// The name of the folder of shard files inside a results folder.
pub const SHARDS_FOLDER: &str = "shards";

/// The folder of a results folder's shard files, `<dir>/shards`.
pub fn shards_dir(dir: &Path) -> PathBuf {
    dir.join(SHARDS_FOLDER)
}

/// The name of a shard file in the shards folder (see [`shard_path`]).
pub fn shard_file_name(file: &ShardFile) -> String {
    match &file.sweep {
        Some(spec) => format!(
            "{}-{}.json",
            crate::report::sweep::stem(
                &spec.param,
                spec.second.as_ref().map(|(k, _)| k.as_str()),
                &file.overrides
            ),
            file.shard.stem()
        ),
        None => match crate::report::reproduce::overrides_tag(&file.overrides) {
            Some(tag) => format!("{}-{tag}.json", file.shard.stem()),
            None => format!("{}.json", file.shard.stem()),
        },
    }
}

/// The exporter of a shard file (JSON, named by [`shard_file_name`]), written into
/// [`shards_dir`].
pub fn exporters(file: &ShardFile) -> Vec<Box<dyn Exporter<ShardFile>>> {
    vec![Box::new(JsonFile::new(shard_file_name(file)))]
}

/// Reads and checks one shard file.
pub fn read_shard(path: &Path) -> Result<ShardFile, Error> {
    let name = path.display();
    let bytes =
        std::fs::read(path).map_err(|e| Error::Usage(format!("cannot read shard {name}: {e}")))?;
    let file: ShardFile = serde_json::from_slice(&bytes).map_err(|e| {
        Error::Usage(format!(
            "shard {name} is not a valid shard file (corrupted or truncated?): {e}"
        ))
    })?;
    if file.format != SHARD_FORMAT {
        return Err(Error::Usage(format!(
            "shard {name} has format {}, this tool reads {SHARD_FORMAT}",
            file.format
        )));
    }
    if points_checksum(&file.points) != file.checksum {
        return Err(Error::Usage(format!(
            "shard {name} is corrupted: its checksum does not match its contents"
        )));
    }
    if config_hash(&file.config) != file.config_hash {
        return Err(Error::Usage(format!(
            "shard {name} is corrupted: its config does not match its config hash"
        )));
    }
    if file.replicate_range != file.shard.range(file.replicates) {
        return Err(Error::Usage(format!(
            "shard {name} is corrupted: its replicate range does not match {}",
            file.shard.stem()
        )));
    }
    Ok(file)
}

/// A merged run or sweep.
#[derive(Debug, Clone)]
pub enum Merged {
    /// A plain run.
    Run(Box<(LoadedConfig, RunReport)>),
    /// A sweep.
    Sweep(Box<(LoadedConfig, SweepResult)>),
}

/// Checks that `paths` are exactly the shards of one run and merges them.
pub fn merge(paths: &[PathBuf]) -> Result<Merged, Error> {
    merge_named(paths, "overrides")
}

/// [`merge`], naming the config overrides as the caller calls them (the command line passes
/// `--set overrides`) when two shards differ in them.
pub fn merge_named(paths: &[PathBuf], overrides_name: &str) -> Result<Merged, Error> {
    let mut files = Vec::new();
    for p in paths {
        files.push((p.clone(), read_shard(p)?));
    }
    let Some((first_path, first)) = files.first().cloned() else {
        return Err(Error::Usage("merge: no shard files given".into()));
    };
    let n = first.shard.count;
    let mut seen: Vec<Option<PathBuf>> = vec![None; n as usize];
    for (path, f) in &files {
        let clash = |what: &str| {
            Error::Usage(format!(
                "shard {} does not belong with {}: different {what}",
                path.display(),
                first_path.display()
            ))
        };
        if f.seed != first.seed {
            return Err(clash("seed"));
        }
        if f.replicates != first.replicates {
            return Err(clash("replicate count"));
        }
        if f.version != first.version {
            return Err(clash("tool version"));
        }
        if f.shard.count != n {
            return Err(clash("shard count N"));
        }
        if f.sweep != first.sweep {
            return Err(clash("sweep definition"));
        }
        if f.overrides != first.overrides {
            return Err(clash(overrides_name));
        }
        // Checked last: the hash covers the seed and replicate count named above.
        if f.config_hash != first.config_hash {
            return Err(clash("config (hash)"));
        }
        let slot = &mut seen[(f.shard.index - 1) as usize];
        if let Some(other) = slot {
            return Err(Error::Usage(format!(
                "shard {}/{n} given twice: {} and {}",
                f.shard.index,
                other.display(),
                path.display()
            )));
        }
        *slot = Some(path.clone());
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none())
        .map(|(i, _)| format!("{}/{n}", i + 1))
        .collect();
    if !missing.is_empty() {
        return Err(Error::Usage(format!(
            "merge: missing shard(s) {}",
            missing.join(", ")
        )));
    }
    // Merge in shard order (the result does not depend on it, but this keeps it obvious).
    files.sort_by_key(|(_, f)| f.shard.index);
    let text = toml::to_string(&first.config)
        .map_err(|e| Error::Other(format!("cannot re-read the shards' config: {e}")))?;
    let mut base = config::parse(&text, &first.config_file, &[])?;
    base.overrides = first.overrides.clone();
    let mut states = first.points.clone();
    for s in &mut states {
        s.summary = Summary::new(
            s.summary.looks.len(),
            s.summary.responders_histogram.len() - 1,
            s.summary.treated.len(),
        );
    }
    let (mut longest, mut total) = (0.0f64, 0.0);
    let mut threads = 0;
    for (path, f) in &files {
        if f.points.len() != states.len() {
            return Err(Error::Usage(format!(
                "shard {} has a different number of grid points",
                path.display()
            )));
        }
        for (acc, p) in states.iter_mut().zip(&f.points) {
            if !acc.summary.compatible(&p.summary) || acc.value != p.value || acc.value2 != p.value2
            {
                return Err(Error::Usage(format!(
                    "shard {} does not match the others' grid",
                    path.display()
                )));
            }
            acc.summary.merge(&p.summary);
        }
        longest = longest.max(f.elapsed_seconds);
        total += f.elapsed_seconds;
        threads = threads.max(f.threads);
    }
    // The shards may have run one after another or side by side, so the merge's wall time is
    // unknown: report the longest shard (the wall time side by side) and the total apart.
    let meta = RunMetadata {
        threads,
        elapsed_seconds: longest,
        shards: Some((files.len() as u64, total)),
    };
    match &first.sweep {
        None => {
            let sim = crate::run::simulator(&base)?;
            let facts = DesignFacts::of(&base.design);
            let report = build_report(&base, sim.rules(), &facts, &states[0].summary, meta);
            Ok(Merged::Run(Box::new((base, report))))
        }
        Some(spec) => {
            let mut points = Vec::new();
            let mut looks = 0;
            for s in &states {
                let value = s.value.clone().unwrap_or(toml::Value::Boolean(false));
                let loaded = point_config(&base, spec, &value, &s.value2)?;
                let sim = crate::run::simulator(&loaded)?;
                let facts = DesignFacts::of(&loaded.design);
                let report = build_report(&loaded, sim.rules(), &facts, &s.summary, meta);
                looks = looks.max(report.looks.len());
                points.push(SweepPoint::from_report(value, s.value2.clone(), &report));
            }
            let result = sweep::assemble(&base, spec, points, looks);
            Ok(Merged::Sweep(Box::new((base, result))))
        }
    }
}
