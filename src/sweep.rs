//! Parameter sweeps: run one config at every point of a one- or two-parameter grid of dotted
//! keys, with common random numbers (replicate j uses the same generator at every point), and
//! find the smallest grid value reaching a target power.

use crate::config::{self, LoadedConfig, Override};
use crate::engine::Progress;
use crate::error::Error;
use crate::report::{CountReport, Proportion, RunReport};
use serde::{Deserialize, Serialize};

/// Parses `a:b:step` (inclusive, integers stay integers) or a comma-separated list of TOML values.
pub fn parse_values(spec: &str) -> Result<Vec<toml::Value>, Error> {
    let bad = |why: &str| Error::Usage(format!("--values {spec}: {why}"));
    let spec = spec.trim();
    if spec.is_empty() {
        return Err(bad("no values given"));
    }
    let parts: Vec<&str> = spec.split(':').collect();
    if parts.len() == 3 {
        let ints: Option<Vec<i64>> = parts.iter().map(|p| p.trim().parse::<i64>().ok()).collect();
        if let Some(v) = ints {
            let (a, b, step) = (v[0], v[1], v[2]);
            if step <= 0 || b < a {
                return Err(bad("use start:end:step with step > 0 and end >= start"));
            }
            if (b - a) / step > 10_000 {
                return Err(bad("more than 10000 grid points"));
            }
            return Ok((0..=(b - a) / step)
                .map(|i| toml::Value::Integer(a + i * step))
                .collect());
        }
        let floats: Option<Vec<f64>> = parts.iter().map(|p| p.trim().parse::<f64>().ok()).collect();
        let Some(v) = floats else {
            return Err(bad("start:end:step needs numbers"));
        };
        let (a, b, step) = (v[0], v[1], v[2]);
        if !(step > 0.0 && b >= a && a.is_finite() && b.is_finite()) {
            return Err(bad("use start:end:step with step > 0 and end >= start"));
        }
        let n = ((b - a) / step + 1e-9).floor() as i64;
        if n > 10_000 {
            return Err(bad("more than 10000 grid points"));
        }
        // Round to the step's decimals so 0.1:0.5:0.1 gives 0.3, not 0.30000000000000004.
        return Ok((0..=n)
            .map(|i| toml::Value::Float(((a + i as f64 * step) * 1e12).round() / 1e12))
            .collect());
    }
    spec.split(',')
        .map(|item| {
            let item = item.trim();
            match format!("v = {item}").parse::<toml::Table>() {
                Ok(mut t) => Ok(t.remove("v").unwrap_or(toml::Value::String(item.into()))),
                Err(_) if !item.is_empty() => Ok(toml::Value::String(item.to_string())),
                Err(_) => Err(bad("empty value in list")),
            }
        })
        .collect()
}

/// One grid point's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    /// Value of the first parameter.
    pub value: toml::Value,
    /// Value of the second parameter, for two-parameter grids.
    pub value2: Option<toml::Value>,
    /// Power of the primary analysis with MC SE and Wilson interval.
    pub power: Proportion,
    /// Probability of stopping before the last look (any reason).
    pub p_stop_early: f64,
    /// Its MC SE.
    pub p_stop_early_se: f64,
    /// P(stop for efficacy) at each look.
    pub p_stop_efficacy: Vec<f64>,
    /// P(stop for futility) at each look.
    pub p_stop_futility: Vec<f64>,
    /// P(stop for harm) at each look.
    pub p_stop_harm: Vec<f64>,
    /// Expected enrollment at the stop.
    pub expected_enrolled: CountReport,
    /// Completers at the stop.
    pub completers: CountReport,
    /// Mean responders under the reference condition (None without a baseline).
    pub responders_mean: Option<f64>,
    /// P(responders >= target).
    pub p_responders_at_least_target: Option<f64>,
    /// Primary analysis not analyzable.
    pub primary_not_analyzable: u64,
    /// Mean primary estimate at the stop.
    pub mean_estimate_at_stop: Option<f64>,
}

impl SweepPoint {
    /// The figures of one point from its run report.
    pub fn from_report(
        value: toml::Value,
        value2: Option<toml::Value>,
        r: &RunReport,
    ) -> SweepPoint {
        let early_stops = r.p_stop_early();
        let n = r.replicates.max(1) as f64;
        SweepPoint {
            value,
            value2,
            power: r.primary.power,
            p_stop_early: early_stops,
            p_stop_early_se: (early_stops * (1.0 - early_stops) / n).sqrt(),
            p_stop_efficacy: r.looks.iter().map(|l| l.p_stop_efficacy).collect(),
            p_stop_futility: r.looks.iter().map(|l| l.p_stop_futility).collect(),
            p_stop_harm: r.looks.iter().map(|l| l.p_stop_harm).collect(),
            expected_enrolled: r.expected_enrolled,
            completers: r.completers,
            responders_mean: r.responders.as_ref().map(|x| x.mean),
            p_responders_at_least_target: r.responders.as_ref().map(|x| x.p_at_least_target),
            primary_not_analyzable: r.primary.not_analyzable,
            mean_estimate_at_stop: r.primary.mean_estimate_at_stop,
        }
    }
}

/// The answer to `--target-power`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetResult {
    /// The target power.
    pub target: f64,
    /// Value of the second parameter this answer is for (two-parameter grids).
    pub value2: Option<toml::Value>,
    /// The smallest grid value whose estimated power reaches the target (None: none does).
    pub smallest_value: Option<toml::Value>,
    /// Its power.
    pub power: Option<Proportion>,
    /// Whether the answer is uncertain: the found point's 95% interval, or the previous
    /// point's, contains the target.
    pub uncertain: bool,
    /// Plain-words explanation.
    pub note: String,
}

/// A whole sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepResult {
    /// Config name.
    pub name: String,
    /// Swept key.
    pub param: String,
    /// Second swept key.
    pub param2: Option<String>,
    /// Seed (the same at every point: common random numbers).
    pub seed: u64,
    /// Replicates per point.
    pub replicates: u64,
    /// Number of looks of the design (at the first point).
    pub looks: usize,
    /// Grid points in order (param2 outer, param inner).
    pub points: Vec<SweepPoint>,
    /// `--target-power` answers (one per value of the second parameter).
    pub target: Vec<TargetResult>,
    /// Tool version.
    pub version: String,
}

/// A sweep's definition: one or two dotted keys with their values, and an optional target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepSpec {
    /// Swept key.
    pub param: String,
    /// Its values.
    pub values: Vec<toml::Value>,
    /// Second key and values.
    pub second: Option<(String, Vec<toml::Value>)>,
    /// Target power.
    pub target_power: Option<f64>,
}

/// The grid points in order (second parameter outer, first inner).
pub fn grid(spec: &SweepSpec) -> Vec<(toml::Value, Option<toml::Value>)> {
    let outer: Vec<Option<toml::Value>> = match &spec.second {
        None => vec![None],
        Some((_, v)) => v.iter().cloned().map(Some).collect(),
    };
    outer
        .iter()
        .flat_map(|v2| spec.values.iter().map(move |v| (v.clone(), v2.clone())))
        .collect()
}

/// `base` with the grid point's values applied and validated.
pub fn point_config(
    base: &LoadedConfig,
    spec: &SweepSpec,
    v: &toml::Value,
    v2: &Option<toml::Value>,
) -> Result<LoadedConfig, Error> {
    let mut o = vec![Override::with_value(&spec.param, v.clone())?];
    if let (Some((k2, _)), Some(v2)) = (&spec.second, v2) {
        o.push(Override::with_value(k2, v2.clone())?);
    }
    config::with_overrides(base, &o)
        .map_err(|e| Error::Usage(format!("sweep point {} = {v}: {e}", spec.param)))
}

/// Every grid point's config, validated, before any simulation time is spent.
pub fn point_configs(base: &LoadedConfig, spec: &SweepSpec) -> Result<Vec<LoadedConfig>, Error> {
    grid(spec)
        .iter()
        .map(|(v, v2)| point_config(base, spec, v, v2))
        .collect()
}

/// Runs `base` at every grid point. `progress` receives replicate counts across all points.
pub fn run_sweep(
    base: &LoadedConfig,
    spec: &SweepSpec,
    progress: &dyn Progress,
) -> Result<SweepResult, Error> {
    let configs = point_configs(base, spec)?;
    let mut points = Vec::new();
    let mut looks = 0;
    for ((v, v2), loaded) in grid(spec).into_iter().zip(&configs) {
        let report = crate::run::simulate(loaded, progress)?;
        looks = looks.max(report.looks.len());
        points.push(SweepPoint::from_report(v, v2, &report));
    }
    Ok(assemble(base, spec, points, looks))
}

/// Builds a [`SweepResult`] from computed points (also used when merging sweep shards).
pub fn assemble(
    base: &LoadedConfig,
    spec: &SweepSpec,
    points: Vec<SweepPoint>,
    looks: usize,
) -> SweepResult {
    let outer: Vec<Option<toml::Value>> = match &spec.second {
        None => vec![None],
        Some((_, v)) => v.iter().cloned().map(Some).collect(),
    };
    let target = match spec.target_power {
        None => Vec::new(),
        Some(t) => outer
            .iter()
            .map(|v2| {
                let series: Vec<&SweepPoint> = points.iter().filter(|p| &p.value2 == v2).collect();
                find_target(&series, t, v2.clone())
            })
            .collect(),
    };
    SweepResult {
        name: base.design.name.clone(),
        param: spec.param.clone(),
        param2: spec.second.as_ref().map(|(k, _)| k.clone()),
        seed: base.design.seed,
        replicates: base.design.replicates,
        looks,
        points,
        target,
        version: env!("CARGO_PKG_VERSION").to_string(),
    }
}

/// The smallest grid value whose power reaches `target`, and whether the call is uncertain.
pub fn find_target(
    series: &[&SweepPoint],
    target: f64,
    value2: Option<toml::Value>,
) -> TargetResult {
    let found = series.iter().position(|p| p.power.estimate >= target);
    match found {
        None => TargetResult {
            target,
            value2,
            smallest_value: None,
            power: None,
            uncertain: series.last().is_some_and(|p| p.power.ci_high >= target),
            note: format!("no grid value reaches power {target}; extend the grid"),
        },
        Some(i) => {
            let p = series[i];
            let previous_straddles = i > 0 && series[i - 1].power.ci_high >= target;
            let own_straddles = p.power.ci_low < target;
            let uncertain = previous_straddles || own_straddles;
            let note = if uncertain {
                format!(
                    "{} is the smallest grid value with estimated power >= {target}, but {} 95% interval contains the target: add replicates to separate them",
                    p.value,
                    if previous_straddles { "the previous point's" } else { "its" }
                )
            } else {
                format!(
                    "{} is the smallest grid value with power >= {target}; the intervals of it and the previous point exclude the target",
                    p.value
                )
            };
            TargetResult {
                target,
                value2,
                smallest_value: Some(p.value.clone()),
                power: Some(p.power),
                uncertain,
                note,
            }
        }
    }
}

/// A grid value as a number, for plotting (strings and booleans give None).
pub fn numeric(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ranges_and_lists() {
        let v = parse_values("10:16:2").unwrap();
        assert_eq!(
            v,
            vec![10, 12, 14, 16]
                .into_iter()
                .map(toml::Value::Integer)
                .collect::<Vec<_>>()
        );
        let v = parse_values("0.1:0.5:0.1").unwrap();
        assert_eq!(v.len(), 5);
        assert_eq!(v[2], toml::Value::Float(0.3));
        let v = parse_values("0.2, 0.5,obrien_fleming").unwrap();
        assert_eq!(v[2], toml::Value::String("obrien_fleming".into()));
        assert!(parse_values("10:5:1").is_err());
        assert!(parse_values("1:5:0").is_err());
        assert!(parse_values("").is_err());
    }
}
