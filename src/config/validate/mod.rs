//! Stage two of loading a config: schema structs → validated domain types.
//!
//! Every rejection names the dotted key, the offending value and what is allowed.

use super::design::*;
use super::schema::*;
use super::ConfigError;
use crate::sequential::boundaries::{
    BoundaryFamily, BoundaryKind, BoundaryParameter, HAYBITTLE_PETO_DEFAULT_Z,
};
use std::collections::BTreeMap;

mod adaptive;
mod analysis_plan;
mod bioequivalence;
mod crossover;
mod population;
mod stopping;
mod time_course;

use adaptive::two_stage;
use analysis_plan::analysis;
use crossover::{contrasts, crossover, randomization, ContrastScope};
use population::{dropout, effects, log_normal, per_condition, pk_metrics, population, response};
use stopping::sequential;

/// The largest enrollment accepted (keeps per-trial buffers and histograms small).
pub const MAX_ENROLLED: i64 = 100_000;
/// The largest replicate count accepted.
pub const MAX_REPLICATES: i64 = 10_000_000_000;
/// The smallest share of the baseline normal that must fall in the entry range.
const MIN_BASELINE_MASS: f64 = 1e-4;

type Result<T> = std::result::Result<T, ConfigError>;

fn invalid(
    key: impl Into<String>,
    value: impl ToString,
    allowed: impl Into<String>,
) -> ConfigError {
    ConfigError::Invalid {
        file: String::new(),
        key: key.into(),
        value: value.to_string(),
        allowed: allowed.into(),
    }
}

fn probability(key: &str, p: f64) -> Result<f64> {
    if p.is_finite() && (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(invalid(key, p, "must be a probability in [0, 1]"))
    }
}

/// Magnitude limit for means, SDs and effects: keeps the engine's exact fixed-point sums in range.
pub const MAX_MAGNITUDE: f64 = 1e6;

fn finite(key: &str, x: f64) -> Result<f64> {
    if x.is_finite() && x.abs() <= MAX_MAGNITUDE {
        Ok(x)
    } else {
        Err(invalid(
            key,
            x,
            "must be a finite number with |value| <= 1e6",
        ))
    }
}

fn positive(key: &str, x: f64) -> Result<f64> {
    if x.is_finite() && x > 0.0 && x <= MAX_MAGNITUDE {
        Ok(x)
    } else {
        Err(invalid(key, x, "must be a number in (0, 1e6]"))
    }
}

/// Converts the schema into a [`TrialDesign`], checking every field.
pub fn validate(file: &ConfigFile) -> Result<TrialDesign> {
    if file.name.is_empty()
        || !file
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        || file.name.starts_with('.')
    {
        return Err(invalid(
            "name",
            format!("{:?}", file.name),
            "must be non-empty, not start with '.', and use only letters, digits, '_', '-' and '.' (it names the results folder)",
        ));
    }
    let crossover = crossover(&file.design)?;
    let conditions = crossover.condition_names().to_vec();
    let enrolled = file.design.enrolled;
    if !(2..=MAX_ENROLLED).contains(&enrolled) {
        return Err(invalid(
            "design.enrolled",
            enrolled,
            format!("must be a whole number from 2 to {MAX_ENROLLED}"),
        ));
    }
    let enrolled = enrolled as usize;
    let randomization = randomization(&file.design.randomization, crossover.sequence_count())?;
    let (endpoint, mut population) = match (&file.population, &file.log_normal) {
        (Some(p), None) => (Endpoint::Normal, population(p, &crossover)?),
        (None, Some(l)) => (Endpoint::LogNormal, log_normal(l, &crossover)?),
        (Some(_), Some(_)) => {
            return Err(invalid(
                "log_normal",
                "(given with [population])",
                "give [population] for a normal endpoint or [log_normal] for a ratio endpoint, not both",
            ))
        }
        (None, None) => {
            return Err(invalid(
                "population",
                "(missing)",
                "the config needs [population] (a normal endpoint on its own scale) or [log_normal] (a ratio endpoint such as AUC or Cmax)",
            ))
        }
    };
    let (period_effect, carryover) = effects(&file.effects, &crossover)?;
    let dropout = dropout(&file.dropout, &crossover)?;
    let adverse_event = match &file.adverse_events {
        None => None,
        Some(ae) => Some(AdverseEvent {
            name: ae.name.clone(),
            probability: per_condition(
                "adverse_events.probability",
                &ae.probability,
                &conditions,
                None,
                probability,
            )?,
        }),
    };
    let response = response(
        file.response
            .as_ref()
            .unwrap_or(&ResponseSection::default()),
        &population,
    )?;
    let analysis = analysis(
        &file.analysis,
        population.baseline.is_some(),
        &crossover,
        endpoint,
    )?;
    let scope = match (&file.sequential, &file.adaptive, &file.bioequivalence) {
        (None, None, _) => ContrastScope::Fixed,
        (None, Some(_), Some(_)) => ContrastScope::RuledTwoStage,
        _ => ContrastScope::One,
    };
    let contrasts = contrasts(&file.analysis, &crossover, analysis.primary, scope)?;
    let contrast = contrasts[0].clone();
    for n in analysis.all() {
        if n.spec().scope != crate::analysis::Scope::AnyDesign && contrast.as_pair().is_none() {
            return Err(invalid(
                if file.analysis.contrasts.is_some() { "analysis.contrasts[0]" } else { "analysis.contrast" },
                contrast.name(),
                format!("{} compares two conditions; a weighted contrast needs anova or anova_carryover", n.as_str()),
            ));
        }
    }
    let tests: Vec<crate::design::Condition> = contrasts
        .iter()
        .filter_map(|c| c.as_pair().map(|p| p.0))
        .collect();
    let bioequivalence = match &file.bioequivalence {
        None => None,
        Some(b) => {
            let rule = bioequivalence::bioequivalence(
                b,
                file,
                &crossover,
                endpoint,
                analysis.primary(),
                analysis.hypothesis(),
                analysis.alpha(),
                &tests,
            )?;
            bioequivalence::place_at_expanded_limit(b, file, &rule, &crossover, &mut population)?;
            Some(rule)
        }
    };
    let metrics = match &file.log_normal {
        Some(l) => pk_metrics(l, &crossover)?,
        None => None,
    };
    let mut metric_rules = Vec::new();
    if let (Some(m), Some(l)) = (&metrics, &file.log_normal) {
        if file.sequential.is_some() || file.adaptive.is_some() {
            return Err(invalid(
                "log_normal.metrics",
                format!("{:?}", m.names),
                "several PK metrics are decided together in a fixed design: remove [sequential] and [adaptive]",
            ));
        }
        if contrasts.len() > 1 {
            return Err(invalid(
                "log_normal.metrics",
                format!("{:?}", m.names),
                "several PK metrics are decided on one contrast: give analysis.contrast, not analysis.contrasts",
            ));
        }
        let section = file.bioequivalence.as_ref().zip(bioequivalence.as_ref());
        for (q, metric) in l.metrics.iter().enumerate() {
            metric_rules.push(bioequivalence::metric_rule(
                metric.rule,
                &format!("log_normal.metrics[{q}].rule"),
                section,
                file,
                &crossover,
                analysis.primary(),
                analysis.hypothesis(),
                analysis.alpha(),
                &tests,
            )?);
        }
    }
    let time_course = match &file.time_course {
        None => None,
        Some(t) => Some(time_course::time_course(
            t,
            &time_course::TimeCourseContext {
                file,
                population: &population,
                conditions: &conditions,
                primary: analysis.primary(),
                single_pair: contrasts.len() == 1 && contrast.as_pair().is_some(),
                periods: crossover.period_count(),
            },
        )?),
    };
    let two_stage = match &file.adaptive {
        None => None,
        Some(a) => Some(two_stage(
            a, file, &crossover, endpoint, &analysis, enrolled,
        )?),
    };
    // A two-stage design decides each stage by its rule at the adjusted alpha; with several
    // comparisons under Bonferroni, each at the adjusted alpha over their number.
    let bioequivalence = match (&two_stage, bioequivalence) {
        (Some(ts), Some(rule)) => {
            let alpha = match analysis.multiplicity() {
                crate::inference::Multiplicity::Bonferroni => {
                    crate::inference::bonferroni_level(ts.alpha(), contrasts.len())
                }
                _ => ts.alpha(),
            };
            Some(rule.with_alpha(alpha))
        }
        (_, rule) => rule,
    };
    let periods = crossover.period_count();
    let sequential = match &file.sequential {
        None => SequentialPlan::fixed(enrolled, periods),
        Some(s) => sequential(
            s,
            enrolled,
            periods,
            adverse_event.is_some(),
            analysis.primary,
        )?,
    };
    let replicates = file.simulation.replicates;
    if !(1..=MAX_REPLICATES).contains(&replicates) {
        return Err(invalid(
            "simulation.replicates",
            replicates,
            format!("must be a whole number from 1 to {MAX_REPLICATES}"),
        ));
    }
    Ok(TrialDesign {
        name: file.name.clone(),
        cohort: CohortSpec {
            crossover,
            enrolled,
            randomization,
            population,
            period_effect,
            carryover,
            dropout,
            adverse_event,
            response,
            metrics,
            time_course,
        },
        metric_rules,
        contrasts,
        endpoint,
        analysis,
        sequential,
        two_stage,
        bioequivalence,
        replicates: replicates as u64,
        seed: file.simulation.seed,
    })
}

/// Fills the defaults that depend on the design (its sequences and per-period tables) into the
/// resolved config, so that the config written with the results states them.
pub fn resolve_defaults(file: &mut ConfigFile, design: &TrialDesign) {
    file.design.sequences = design.crossover().sequence_labels();
    if let (RandomizationKind::PermutedBlocks, None, Randomization::PermutedBlocks { block_size }) = (
        file.design.randomization.kind,
        file.design.randomization.block_size,
        design.randomization(),
    ) {
        file.design.randomization.block_size = Some(block_size as i64);
    }
    if file.effects.period.is_empty() {
        file.effects.period = vec![0.0; design.crossover().period_count()];
    }
}
