//! The figures of a sweep as reported: one [`SweepPoint`] per grid point (taken from its run
//! report), the [`TargetResult`] answers to a target power, and the whole [`SweepResult`]
//! that `report::sweep` writes. The sweep job (`crate::sweep`) computes them; this module
//! owns their shape, so that the report layer never imports the jobs layer.

use super::{CountReport, Proportion, RunReport};
use serde::{Deserialize, Serialize};

/// One grid point's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    /// Value of the first parameter.
    pub value: toml::Value,
    /// Value of the second parameter, for two-parameter grids.
    pub value2: Option<toml::Value>,
    /// The primary analysis at this point.
    #[serde(default)]
    pub primary: String,
    /// Whether the true contrast at this point lies in H0, so that `power` is a type I error.
    #[serde(default)]
    pub under_null: bool,
    /// Power of the primary analysis with MC SE and Wilson interval.
    pub power: Proportion,
    /// The exact power where the design has a closed form (see [`crate::power::design`]).
    #[serde(default)]
    pub exact_power: Option<f64>,
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
    /// A two-stage design's own figures at this point: stage-1 stops, stage 2 and the total
    /// N's distribution (as in the run's summary.json); None for other designs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub two_stage: Option<super::TwoStageReport>,
}

impl SweepPoint {
    /// The figures of one point from its run report.
    pub fn from_report(
        value: toml::Value,
        value2: Option<toml::Value>,
        r: &RunReport,
    ) -> SweepPoint {
        let early = r.stopped_early();
        SweepPoint {
            value,
            value2,
            primary: r.primary.analysis.clone(),
            under_null: r.is_null(),
            power: r.primary.power,
            exact_power: r.closed_form.power,
            p_stop_early: early.estimate,
            p_stop_early_se: early.se,
            p_stop_efficacy: r.looks.iter().map(|l| l.p_stop_efficacy).collect(),
            p_stop_futility: r.looks.iter().map(|l| l.p_stop_futility).collect(),
            p_stop_harm: r.looks.iter().map(|l| l.p_stop_harm).collect(),
            expected_enrolled: r.expected_enrolled,
            completers: r.completers,
            responders_mean: r.responders.as_ref().map(|x| x.mean),
            p_responders_at_least_target: r.responders.as_ref().map(|x| x.p_at_least_target),
            primary_not_analyzable: r.primary.not_analyzable,
            mean_estimate_at_stop: r.primary.mean_estimate_at_stop,
            two_stage: r.two_stage.clone(),
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
    /// Config path as given.
    pub config_file: String,
    /// The `--set` arguments applied, as given and in order.
    pub overrides: Vec<String>,
    /// The command that reproduces this sweep (same folder, same version).
    pub command: String,
    /// The config the grid is applied to, resolved (overrides applied, defaults filled in).
    pub config: crate::config::ConfigFile,
}

/// A grid value as a number, for plotting (strings and booleans give None).
pub fn numeric(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        _ => None,
    }
}
