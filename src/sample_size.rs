//! The `samplesize` job: the smallest balanced N whose exact power reaches a target (the
//! analytic fast path of [`crate::power::design`]), confirmed by simulating that N and the next
//! smaller balanced N with the config's seed.

use crate::config::{self, LoadedConfig, Override};
use crate::engine::Progress;
use crate::error::Error;
use crate::power::design::PowerModel;
use crate::report::export::{Exporter, JsonFile};
use crate::report::{html, reproduce, Proportion, ReportError, RunReport, ToolInfo};
use serde::Serialize;
use std::fmt::Write;

/// One sample size, exact and simulated.
#[derive(Debug, Clone, Serialize)]
pub struct SampleSizeRow {
    /// Total participants.
    pub enrolled: usize,
    /// Exact power (absent when the power has no closed form and N was found by simulation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exact_power: Option<f64>,
    /// Simulated power with its Monte Carlo SE and Wilson interval (at the adjusted alpha
    /// when the search adjusts it at each N).
    pub simulated: Proportion,
    /// The alpha adjusted at this N (searches with `adjust_alpha` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjusted_alpha: Option<f64>,
}

/// The answer of `samplesize`.
#[derive(Debug, Clone, Serialize)]
pub struct SampleSizeResult {
    /// Tool identity (name and version).
    pub tool: ToolInfo,
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
    /// The smallest N (a multiple of the number of sequences) reaching the target: exactly,
    /// or by simulation when the power has no closed form (a reference-scaled rule).
    pub sample_size: usize,
    /// Its exact power (absent when found by simulation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exact_power: Option<f64>,
    /// How N was found: `exact` (the closed form, confirmed by simulation) or `simulation`
    /// (the smallest N whose simulated power reaches the target, common random numbers
    /// across N).
    pub search: String,
    /// Whether the alpha was adjusted at each N (a reference-scaled rule's type I error at
    /// the expanded limit kept at nominal, `adjust-alpha`) and the power taken there.
    pub adjust_alpha: bool,
    /// The simulated confirmation: the N below and the N found.
    pub rows: Vec<SampleSizeRow>,
    /// Replicates per simulated N.
    pub replicates: u64,
    /// Seed.
    pub seed: u64,
    /// The command that reproduces these files.
    pub command: String,
}

impl SampleSizeResult {
    /// The result of a search of `loaded` for `target`: N with its exact power (None when
    /// found by simulation, the `search` then being `simulation`), and the simulated rows.
    fn of(
        loaded: &LoadedConfig,
        target: f64,
        n: usize,
        exact_power: Option<f64>,
        adjust_alpha: bool,
        rows: Vec<SampleSizeRow>,
    ) -> SampleSizeResult {
        SampleSizeResult {
            tool: ToolInfo::current(),
            name: loaded.design.name().to_string(),
            config_file: loaded.origin.clone(),
            overrides: loaded.overrides.clone(),
            hypothesis: crate::facts::describe_hypothesis(
                &loaded.design,
                loaded.design.analysis().primary(),
            ),
            target_power: target,
            sample_size: n,
            exact_power,
            search: if exact_power.is_some() {
                "exact"
            } else {
                "simulation"
            }
            .to_string(),
            adjust_alpha,
            rows,
            replicates: loaded.design.replicates(),
            seed: loaded.design.seed(),
            command: command_with(loaded, target, adjust_alpha),
        }
    }
}

/// samplesize.md: the answer, the exact and simulated power of each N, and the command.
#[derive(Debug, Clone, Copy, Default)]
pub struct SampleSizeMarkdown;

impl Exporter<SampleSizeResult> for SampleSizeMarkdown {
    fn file_name(&self) -> &str {
        "samplesize.md"
    }

    fn render(&self, result: &SampleSizeResult) -> Result<Vec<u8>, ReportError> {
        Ok(render_markdown(result).into_bytes())
    }
}

/// samplesize.html: samplesize.md as one self-contained web page.
#[derive(Debug, Clone, Copy, Default)]
pub struct SampleSizeHtml;

impl Exporter<SampleSizeResult> for SampleSizeHtml {
    fn file_name(&self) -> &str {
        "samplesize.html"
    }

    fn render(&self, result: &SampleSizeResult) -> Result<Vec<u8>, ReportError> {
        Ok(html::render_markdown_page(
            &format!("{}: sample size", result.name),
            &render_markdown(result),
            &[],
        )
        .into_bytes())
    }
}

/// The Markdown report of a sample-size search.
pub fn render_markdown(r: &SampleSizeResult) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {}: sample size\n", r.name);
    let _ = writeln!(
        s,
        "Hypothesis: {}. Target power {}.\n",
        r.hypothesis, r.target_power
    );
    match r.exact_power {
        Some(exact) => {
            let _ = writeln!(
                s,
                "The smallest balanced N whose exact power reaches {}: **N = {}** (exact power {:.6}).\n",
                r.target_power, r.sample_size, exact
            );
        }
        None => {
            let _ = writeln!(
                s,
                "The power has no closed form: the smallest balanced N whose simulated power reaches {} (a pilot search at a tenth of the replicates, then one block at a time at the full replicates; the same seed at every N): **N = {}**.\n",
                r.target_power, r.sample_size
            );
        }
    }
    let _ = writeln!(
        s,
        "{} by simulation: {} replicates per N, seed {}, one permuted block per set of sequences.\n",
        if r.exact_power.is_some() { "Confirmed" } else { "Powers" },
        r.replicates,
        r.seed
    );
    if r.adjust_alpha {
        let _ = writeln!(
            s,
            "The alpha is adjusted at each N (the largest alpha whose type I error at the expanded limit stays at or below nominal, `adjust-alpha`); the power is taken there.\n"
        );
        s.push_str(
            "| N | adjusted alpha | simulated power | MC SE | 95% CI |\n|---|---|---|---|---|\n",
        );
        for row in &r.rows {
            let _ = writeln!(
                s,
                "| {} | {:.6} | {:.4} | {:.4} | [{:.4}, {:.4}] |",
                row.enrolled,
                row.adjusted_alpha.unwrap_or(f64::NAN),
                row.simulated.estimate,
                row.simulated.se,
                row.simulated.ci_low,
                row.simulated.ci_high
            );
        }
    }
    let rows: &[SampleSizeRow] = if r.adjust_alpha { &[] } else { &r.rows };
    if !rows.is_empty() {
        s.push_str(
            "| N | exact power | simulated power | MC SE | 95% CI |\n|---|---|---|---|---|\n",
        );
    }
    for row in rows {
        let _ = writeln!(
            s,
            "| {} | {} | {:.4} | {:.4} | [{:.4}, {:.4}] |",
            row.enrolled,
            row.exact_power
                .map_or("—".to_string(), |p| format!("{p:.6}")),
            row.simulated.estimate,
            row.simulated.se,
            row.simulated.ci_low,
            row.simulated.ci_high
        );
    }
    let overrides = if r.overrides.is_empty() {
        "none".to_string()
    } else {
        r.overrides
            .iter()
            .map(|o| format!("`{o}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        s,
        "\nConfig `{}`; overrides: {overrides}.\n\nReproduce with:\n\n```sh\n{}\n```\n\n{} {}",
        r.config_file, r.command, r.tool.name, r.tool.version
    );
    s
}

/// The exporters of a sample-size search, in the order they are written: samplesize.json (the
/// whole [`SampleSizeResult`]), samplesize.md and samplesize.html.
pub fn exporters() -> Vec<Box<dyn Exporter<SampleSizeResult>>> {
    vec![
        Box::new(JsonFile::new("samplesize.json")),
        Box::new(SampleSizeMarkdown),
        Box::new(SampleSizeHtml),
    ]
}

/// `crossover-sim samplesize CONFIG [--set ...] --seed S --replicates R --target-power T`.
pub fn command(loaded: &LoadedConfig, target: f64) -> String {
    command_with(loaded, target, false)
}

fn command_with(loaded: &LoadedConfig, target: f64, adjust_alpha: bool) -> String {
    let mut args = vec!["samplesize".to_string()];
    args.extend(reproduce::config_args(loaded));
    args.extend(["--target-power".to_string(), target.to_string()]);
    if adjust_alpha {
        args.push("--adjust-alpha".to_string());
    }
    reproduce::command(&args)
}

/// [`sample_size`] with the alpha of a reference-scaled rule adjusted at each N
/// (`adjust_alpha`: the search's power is the power at the alpha that keeps the type I error
/// at the expanded limit at nominal at that N).
pub fn sample_size_adjusting_alpha(
    loaded: &LoadedConfig,
    target: f64,
    progress: &dyn Progress,
) -> Result<SampleSizeResult, Error> {
    if !loaded
        .design
        .bioequivalence()
        .is_some_and(|r| r.spec().name != "abe")
    {
        return Err(Error::argument(
            "adjust_alpha",
            "true",
            "needs a reference-scaled rule in [bioequivalence] (e.g. rule = \"ema\")",
        ));
    }
    check_target(target)?;
    simulated_sample_size(loaded, target, true, progress)
}

fn check_target(target: f64) -> Result<(), Error> {
    if !(target > 0.0 && target < 1.0) {
        return Err(Error::argument(
            "target_power",
            &target.to_string(),
            "must be a power in (0, 1), e.g. 0.8",
        ));
    }
    Ok(())
}

/// Finds the smallest N reaching `target` exactly and simulates it and the balanced N below,
/// each with one permuted block per set of sequences so the allocation is balanced.
pub fn sample_size(
    loaded: &LoadedConfig,
    target: f64,
    progress: &dyn Progress,
) -> Result<SampleSizeResult, Error> {
    check_target(target)?;
    if loaded.design.metrics().is_some()
        || loaded
            .design
            .bioequivalence()
            .is_some_and(|r| r.spec().name != "abe")
    {
        return simulated_sample_size(loaded, target, false, progress);
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
            exact_power: Some(model.at(m).power),
            simulated: report.primary.power,
            adjusted_alpha: None,
        });
    }
    Ok(SampleSizeResult::of(
        loaded,
        target,
        n,
        Some(exact),
        false,
        rows,
    ))
}

/// The smallest balanced N whose simulated power reaches `target`, for designs whose power
/// has no closed form (reference-scaled rules, several PK metrics): the power at N is simulated
/// with the config's seed (the same random numbers for the participants every N shares). A
/// pilot search at a tenth of the replicates (when the config has at least
/// [`PILOT_MIN_REPLICATES`]) brackets N by doubling from 12 participants and bisects over
/// multiples of the number of sequences; the config's replicates then confirm it, stepping one
/// block down while the power stays at or above the target, or up until it reaches it. So the N
/// reported always has full-replicate power at or above the target and the N below it less.
/// The rows are the N found and the balanced N below, at the config's replicates.
fn simulated_sample_size(
    loaded: &LoadedConfig,
    target: f64,
    adjust_alpha: bool,
    progress: &dyn Progress,
) -> Result<SampleSizeResult, Error> {
    let s = loaded.design.crossover().sequence_count();
    let max_k = crate::config::validate::MAX_ENROLLED as usize / s;
    let replicates = loaded.design.replicates();
    let no_n = || {
        Error::Usage(format!(
            "{}: no N up to {} reaches simulated power {target} (the true ratio may lie outside the rule's limits)",
            loaded.origin,
            max_k * s
        ))
    };
    let mut evaluated: Vec<(usize, Proportion, Option<f64>)> = Vec::new();
    let mut power_at = |k: usize, pilot: bool| -> Result<f64, Error> {
        if !pilot {
            if let Some((_, p, _)) = evaluated.iter().find(|(m, _, _)| *m == k * s) {
                return Ok(p.estimate);
            }
        }
        let mut point = at_size(loaded, k * s, s)?;
        if pilot {
            point = crate::config::with_overrides(
                &point,
                &[Override::with_value(
                    "simulation.replicates",
                    toml::Value::Integer((replicates / 10) as i64),
                )?
                .from_argument("samplesize: a pilot search at a tenth of the replicates")],
            )?;
        }
        let (p, alpha) = if adjust_alpha {
            let a = crate::alpha_adjustment::adjust_alpha(&point, None)?;
            (a.at_adjusted.power, Some(a.adjusted_alpha))
        } else {
            let report: RunReport = crate::run::simulate(&point, progress)?;
            (report.primary.power, None)
        };
        if !pilot {
            evaluated.push((k * s, p, alpha));
        }
        Ok(p.estimate)
    };
    // The smallest k with a residual df in every estimate: 2 participants per sequence.
    let min_k = 2;
    let pilot = replicates >= PILOT_MIN_REPLICATES;
    let mut hi = crossing(
        |k| power_at(k, pilot),
        target,
        12usize.div_ceil(s).max(min_k),
        min_k,
        max_k,
    )?
    .ok_or_else(no_n)?;
    if pilot {
        if power_at(hi, false)? >= target {
            while hi > min_k && power_at(hi - 1, false)? >= target {
                hi -= 1;
            }
        } else {
            loop {
                if hi >= max_k {
                    return Err(no_n());
                }
                hi += 1;
                if power_at(hi, false)? >= target {
                    break;
                }
            }
        }
    }
    if hi > min_k {
        power_at(hi - 1, false)?;
    }
    let n = hi * s;
    let mut rows: Vec<SampleSizeRow> = evaluated
        .into_iter()
        .filter(|(m, _, _)| *m == n || *m + s == n)
        .map(|(m, p, alpha)| SampleSizeRow {
            enrolled: m,
            exact_power: None,
            simulated: p,
            adjusted_alpha: alpha,
        })
        .collect();
    rows.sort_by_key(|r| r.enrolled);
    Ok(SampleSizeResult::of(
        loaded,
        target,
        n,
        None,
        adjust_alpha,
        rows,
    ))
}

/// The least replicates for which the simulated search runs a pilot at a tenth of them first.
pub const PILOT_MIN_REPLICATES: u64 = 20_000;

/// A k (participants per sequence) whose power reaches `target` while k - 1's does not (or k =
/// `min_k`): a bracket by doubling from `start` (or halving while the power stays above), then
/// bisection. None when no k up to `max_k` reaches it.
fn crossing(
    mut power_at: impl FnMut(usize) -> Result<f64, Error>,
    target: f64,
    start: usize,
    min_k: usize,
    max_k: usize,
) -> Result<Option<usize>, Error> {
    let mut hi = start;
    let mut lo = min_k - 1;
    if power_at(hi)? >= target {
        while hi > min_k {
            let k = (hi / 2).max(min_k);
            if power_at(k)? >= target {
                hi = k;
                if k == min_k {
                    break;
                }
            } else {
                lo = k;
                break;
            }
        }
    } else {
        loop {
            lo = hi;
            if hi >= max_k {
                return Ok(None);
            }
            hi = (hi * 2).min(max_k);
            if power_at(hi)? >= target {
                break;
            }
        }
    }
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if power_at(mid)? >= target {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(Some(hi))
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
