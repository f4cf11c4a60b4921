//! Parameter sweeps: run one config at every point of a one- or two-parameter grid of dotted
//! keys, with common random numbers (replicate j uses the same generator at every point), and
//! find the smallest grid value reaching a target power.

use crate::config::{self, LoadedConfig, Override};
use crate::engine::Progress;
use crate::error::Error;
pub use crate::report::sweep_result::{numeric, SweepPoint, SweepResult, TargetResult};
use serde::{Deserialize, Serialize};

/// Parses `a:b:step` (inclusive, integers stay integers) or a comma-separated list of TOML values.
/// Errors name the parameter `values`; [`parse_values_of`] takes the caller's name for it.
pub fn parse_values(spec: &str) -> Result<Vec<toml::Value>, Error> {
    parse_values_of(SweepLabels::default().values, spec)
}

const VALUES_SYNTAX: &str =
    "write a range as start:end:step (e.g. 20:60:10) or a comma-separated list (e.g. 20,40,60)";

/// [`parse_values`] for the parameter the caller calls `name` (the command line passes
/// `--values` or `--values2`), named in errors.
pub fn parse_values_of(name: &str, spec: &str) -> Result<Vec<toml::Value>, Error> {
    let bad = |why: &str| Error::argument(name, spec, why);
    let spec = spec.trim();
    if spec.is_empty() {
        return Err(bad(&format!("no values given; {VALUES_SYNTAX}")));
    }
    let parts: Vec<&str> = spec.split(':').collect();
    match parts.len() {
        1 => {}
        3 => return parse_range(&parts).map_err(|why| bad(&format!("{why}; {VALUES_SYNTAX}"))),
        _ => {
            return Err(bad(&format!(
                "a range needs exactly three parts; {VALUES_SYNTAX}"
            )))
        }
    }
    spec.split(',')
        .map(|item| {
            let item = item.trim();
            if looks_like_dash_range(item) {
                return Err(bad(&format!("`{item}` is not a value; {VALUES_SYNTAX}")));
            }
            match format!("v = {item}").parse::<toml::Table>() {
                Ok(mut t) if t.len() == 1 => {
                    Ok(t.remove("v").unwrap_or(toml::Value::String(item.into())))
                }
                _ if item.is_empty() => {
                    Err(bad(&format!("empty value in the list; {VALUES_SYNTAX}")))
                }
                _ if item.contains(['=', '"', '\'', '[', ']', '{', '}']) => Err(bad(&format!(
                    "`{item}` is neither a TOML value nor a bare word; {VALUES_SYNTAX}"
                ))),
                _ => Ok(toml::Value::String(item.to_string())),
            }
        })
        .collect()
}

/// `20-60` or `0.2-0.8`: numbers joined by a dash, which users write for ranges.
fn looks_like_dash_range(item: &str) -> bool {
    let body = item.strip_prefix('-').unwrap_or(item);
    match body.split_once('-') {
        Some((a, b)) => {
            let number = |x: &str| !x.is_empty() && x.parse::<f64>().is_ok_and(f64::is_finite);
            number(a) && number(b.strip_prefix('-').unwrap_or(b)) && !body.contains(['e', 'E'])
        }
        None => false,
    }
}

/// The most grid points a range may give.
const MAX_POINTS: u64 = 10_000;

fn parse_range(parts: &[&str]) -> Result<Vec<toml::Value>, String> {
    let ints: Option<Vec<i64>> = parts.iter().map(|p| p.trim().parse::<i64>().ok()).collect();
    if let Some(v) = ints {
        let (a, b, step) = (v[0], v[1], v[2]);
        if step <= 0 || b < a {
            return Err("use start:end:step with step > 0 and end >= start".into());
        }
        // In i128 so that extreme ends cannot overflow.
        let count = (i128::from(b) - i128::from(a)) / i128::from(step);
        if count >= i128::from(MAX_POINTS) {
            return Err(format!("more than {MAX_POINTS} grid points"));
        }
        return Ok((0..=count as i64)
            .map(|i| toml::Value::Integer(a + i * step))
            .collect());
    }
    let floats: Option<Vec<f64>> = parts.iter().map(|p| p.trim().parse::<f64>().ok()).collect();
    let Some(v) = floats else {
        return Err("start:end:step needs numbers".into());
    };
    let (a, b, step) = (v[0], v[1], v[2]);
    if !(step > 0.0 && b >= a && a.is_finite() && b.is_finite() && step.is_finite()) {
        return Err("use start:end:step with finite numbers, step > 0 and end >= start".into());
    }
    let n = ((b - a) / step + 1e-9).floor();
    if n >= MAX_POINTS as f64 {
        return Err(format!("more than {MAX_POINTS} grid points"));
    }
    // Round to 12 decimals so 0.1:0.5:0.1 gives 0.3, not 0.30000000000000004.
    Ok((0..=n as i64)
        .map(|i| {
            let x = a + i as f64 * step;
            let rounded = (x * 1e12).round() / 1e12;
            toml::Value::Float(if rounded.is_finite() { rounded } else { x })
        })
        .collect())
}

/// The values as a list that [`parse_values`] parses back to them (recorded commands use it).
pub fn render_values(values: &[toml::Value]) -> String {
    values
        .iter()
        .map(|v| match v {
            toml::Value::String(s) => {
                let bare = parse_values(s).ok() == Some(vec![toml::Value::String(s.clone())]);
                if bare {
                    s.clone()
                } else {
                    v.to_string()
                }
            }
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// What the caller calls a sweep's parameters, in error messages: by default the names of
/// [`SweepSpec`]'s fields; the command line gives its flags (`--param`, `--values`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepLabels {
    /// The swept key.
    pub param: &'static str,
    /// Its values.
    pub values: &'static str,
    /// The second swept key.
    pub param2: &'static str,
    /// Its values.
    pub values2: &'static str,
    /// The target power.
    pub target_power: &'static str,
    /// What a `KEY=VALUE` override of the base config is called (the command line's `--set`).
    pub set: &'static str,
}

impl Default for SweepLabels {
    fn default() -> SweepLabels {
        SweepLabels {
            param: "param",
            values: "values",
            param2: "param2",
            values2: "values2",
            target_power: "target_power",
            set: config::overrides::OVERRIDE_LABEL,
        }
    }
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
    /// `--values` as given on the command line, for the recorded command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_arg: Option<String>,
    /// `--values2` as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values2_arg: Option<String>,
    /// The parameters' names in error messages (not stored in shard files).
    #[serde(skip)]
    pub labels: SweepLabels,
}

impl SweepSpec {
    /// A sweep of `param` over `values`, without a second parameter or target.
    pub fn new(param: impl Into<String>, values: Vec<toml::Value>) -> SweepSpec {
        SweepSpec {
            param: param.into(),
            values,
            second: None,
            target_power: None,
            values_arg: None,
            values2_arg: None,
            labels: SweepLabels::default(),
        }
    }

    /// Checks what can be checked without a config: keys that parse, two different keys, a
    /// target power in (0, 1).
    pub fn check(&self) -> Result<(), Error> {
        let names = self.labels;
        let key = |name: &str, k: &str| {
            Override::with_value(k, toml::Value::Boolean(true))
                .map(|_| ())
                .map_err(|e| match e {
                    config::ConfigError::Override { reason, .. } => {
                        Error::argument(name, k, reason)
                    }
                    other => Error::Config(other),
                })
        };
        key(names.param, &self.param)?;
        if let Some((k2, _)) = &self.second {
            key(names.param2, k2)?;
            if config::overrides::same_key(&self.param, k2) {
                return Err(Error::argument(
                    names.param2,
                    k2,
                    format!(
                        "the same key as {} {}; a two-parameter grid needs two different keys",
                        names.param, self.param
                    ),
                ));
            }
        }
        let mut lists = vec![(names.values, &self.values, self.values_arg.as_deref())];
        if let Some((_, v2)) = &self.second {
            lists.push((names.values2, v2, self.values2_arg.as_deref()));
        }
        for (name, values, given) in lists {
            let same = |a: &toml::Value, b: &toml::Value| {
                a == b || matches!((numeric(a), numeric(b)), (Some(x), Some(y)) if x == y)
            };
            if let Some(i) =
                (1..values.len()).find(|&i| values[..i].iter().any(|w| same(w, &values[i])))
            {
                return Err(Error::argument(
                    name,
                    &given.map_or_else(|| render_values(values), str::to_string),
                    format!(
                        "lists {} more than once; each grid value is simulated once, so give each value once",
                        render_values(&values[i..=i])
                    ),
                ));
            }
        }
        if let Some(t) = self.target_power {
            if !(t > 0.0 && t < 1.0) {
                return Err(Error::argument(
                    names.target_power,
                    &config::tidy_numbers(&t.to_string()),
                    "must be a power in (0, 1), e.g. 0.8",
                ));
            }
        }
        Ok(())
    }

    /// `--param P --values V [--param2 P2 --values2 V2] [--target-power T]`.
    pub fn args(&self) -> Vec<String> {
        let mut args = vec![
            "--param".to_string(),
            self.param.clone(),
            "--values".to_string(),
            self.values_arg
                .clone()
                .unwrap_or_else(|| render_values(&self.values)),
        ];
        if let Some((k2, v2)) = &self.second {
            args.extend([
                "--param2".to_string(),
                k2.clone(),
                "--values2".to_string(),
                self.values2_arg
                    .clone()
                    .unwrap_or_else(|| render_values(v2)),
            ]);
        }
        if let Some(t) = self.target_power {
            args.extend(["--target-power".to_string(), t.to_string()]);
        }
        args
    }
}

/// `crossover-sim sweep CONFIG --param ... [--set ...] --seed S --replicates R`.
pub fn sweep_command(base: &LoadedConfig, spec: &SweepSpec) -> String {
    let config_args = crate::report::reproduce::config_args(base);
    let mut args = vec!["sweep".to_string(), config_args[0].clone()];
    args.extend(spec.args());
    args.extend(config_args[1..].iter().cloned());
    crate::report::reproduce::command(&args)
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
    let names = spec.labels;
    let label = |param: &str, values: &str, k: &str, v: &toml::Value| {
        format!(
            "{param} {k} at the value {} of {values}",
            config::tidy_numbers(&v.to_string()),
        )
    };
    let mut o = vec![
        Override::with_value(&spec.param, v.clone())?.from_argument(label(
            names.param,
            names.values,
            &spec.param,
            v,
        )),
    ];
    if let (Some((k2, _)), Some(v2)) = (&spec.second, v2) {
        o.push(Override::with_value(k2, v2.clone())?.from_argument(label(
            names.param2,
            names.values2,
            k2,
            v2,
        )));
    }
    Ok(config::with_overrides(base, &o)?)
}

/// Refuses a sweep whose base config has a user's override of a swept key (`--set
/// design.enrolled=50` with `--param design.enrolled`): the sweep would replace it at every
/// grid point, silently. Studies that sweep a key of a config on purpose (the claim's sweep
/// over enrollment) do not call it.
pub fn check_overrides(base: &LoadedConfig, spec: &SweepSpec) -> Result<(), Error> {
    let names = spec.labels;
    let mut swept = vec![(names.param, spec.param.as_str())];
    if let Some((k2, _)) = &spec.second {
        swept.push((names.param2, k2.as_str()));
    }
    for (flag, key) in swept {
        if let Some(set) = base.overrides.iter().find(|text| {
            text.split_once('=')
                .is_some_and(|(k, _)| config::overrides::overlap(k, key))
        }) {
            return Err(Error::argument(
                flag,
                key,
                format!(
                    "is also set by {} {set}, which the sweep would replace at every grid point; drop the {}, or put its value into the swept values",
                    names.set, names.set
                ),
            ));
        }
    }
    Ok(())
}

/// Every grid point's config, validated, before any simulation time is spent.
pub fn point_configs(base: &LoadedConfig, spec: &SweepSpec) -> Result<Vec<LoadedConfig>, Error> {
    spec.check()?;
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
        name: base.design.name().to_string(),
        param: spec.param.clone(),
        param2: spec.second.as_ref().map(|(k, _)| k.clone()),
        seed: base.design.seed(),
        replicates: base.design.replicates(),
        looks,
        points,
        target,
        version: env!("CARGO_PKG_VERSION").to_string(),
        config_file: base.origin.clone(),
        overrides: base.overrides.clone(),
        command: sweep_command(base, spec),
        config: base.resolved.clone(),
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
        assert!(parse_values("-9223372036854775808:9223372036854775807:1").is_err());
        for dash in ["20-60", "0.2-0.8", "-5--1"] {
            let e = parse_values(dash).unwrap_err().to_string();
            assert!(e.contains("start:end:step"), "{e}");
        }
        assert!(parse_values("20:60").is_err());
        assert_eq!(parse_values("-5").unwrap(), vec![toml::Value::Integer(-5)]);
        assert_eq!(
            parse_values("1e-3").unwrap(),
            vec![toml::Value::Float(1e-3)]
        );
    }

    #[test]
    fn rendered_values_parse_back() {
        for spec in [
            "10:16:2",
            "0.1:0.5:0.1",
            "obrien_fleming,pocock",
            "\"a b\",true,-2.5",
        ] {
            let v = parse_values(spec).unwrap();
            assert_eq!(parse_values(&render_values(&v)).unwrap(), v, "{spec}");
        }
    }
}
