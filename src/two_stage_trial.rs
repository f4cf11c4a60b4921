//! The job behind `analyse-trial`: a real two-stage bioequivalence trial analysed from its
//! stages' summaries under a config's `[adaptive]` method (`adaptive::trial` does the
//! statistics), with the command that reproduces it.

use crate::adaptive::trial::{analyse_trial, StageSummary, TrialAnalysis};
use crate::config::LoadedConfig;
use crate::error::Error;
use crate::inference::Hypothesis;
use crate::report::reproduce;
use serde::Serialize;

/// A trial's analysis with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrialReport {
    /// The config's name.
    pub config: String,
    /// The command that reproduces this analysis.
    pub command: String,
    /// crossover-sim's version.
    pub version: String,
    /// The analysis.
    pub analysis: TrialAnalysis,
}

fn stage_args(s: &StageSummary) -> String {
    let mut text = format!("n={},pe={},cv={}", s.n, s.ratio, s.cv);
    if let Some(df) = s.df {
        text.push_str(&format!(",df={df}"));
    }
    if let Some(se) = s.se {
        text.push_str(&format!(",se={se}"));
    }
    text
}

/// Analyses the trial whose stages are `stage1` (and `stage2`) under `loaded`'s two-stage
/// method. Fails, naming the parameter, when the config has no two-stage bioequivalence
/// method or a stage summary is out of range.
pub fn analyse(
    loaded: &LoadedConfig,
    stage1: StageSummary,
    stage2: Option<StageSummary>,
) -> Result<TrialReport, Error> {
    let design = &loaded.design;
    let plan = design.two_stage().ok_or_else(|| {
        Error::argument(
            "config",
            &loaded.origin,
            "has no [adaptive] section: give a two-stage bioequivalence config (e.g. configs/two_stage/inverse_normal.toml)",
        )
    })?;
    if design.bioequivalence().is_some() {
        return Err(Error::argument(
            "config",
            &loaded.origin,
            "decides each stage by a [bioequivalence] rule, which needs the stages' replicate data, not their summaries: analyse-trial takes a two-stage config without [bioequivalence] (e.g. configs/two_stage/potvin_b.toml)",
        ));
    }
    let hypothesis = design.analysis().hypothesis();
    if !matches!(hypothesis, Hypothesis::Equivalence { .. }) {
        return Err(Error::argument(
            "config",
            &loaded.origin,
            "analyses bioequivalence trials only: analysis.hypothesis must be \"equivalence\"",
        ));
    }
    for (name, s) in [("stage1", Some(&stage1)), ("stage2", stage2.as_ref())] {
        let Some(s) = s else { continue };
        let ok = s.n >= 3
            && s.ratio.is_finite()
            && s.ratio > 0.0
            && s.cv.is_finite()
            && s.cv > 0.0
            && s.df.map_or(true, |d| d.is_finite() && d >= 1.0)
            && s.se.map_or(true, |e| e.is_finite() && e > 0.0);
        if !ok {
            return Err(Error::argument(
                name,
                &stage_args(s),
                "needs n >= 3, pe > 0, cv > 0 (and df >= 1, se > 0 when given)",
            ));
        }
    }
    let mut args = vec!["analyse-trial".to_string(), loaded.origin.clone()];
    args.extend(reproduce::set_args(&loaded.overrides));
    args.extend(["--stage1".to_string(), stage_args(&stage1)]);
    if let Some(s) = &stage2 {
        args.extend(["--stage2".to_string(), stage_args(s)]);
    }
    Ok(TrialReport {
        config: design.name().to_string(),
        command: reproduce::command(&args),
        version: env!("CARGO_PKG_VERSION").to_string(),
        analysis: analyse_trial(plan, hypothesis, stage1, stage2),
    })
}
