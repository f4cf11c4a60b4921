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
    let (endpoint, population) = match (&file.population, &file.log_normal) {
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
    let mut analysis = analysis(&file.analysis, population.baseline.is_some(), &crossover)?;
    analysis.hypothesis = hypothesis(&file.analysis, endpoint)?;
    let fixed = file.sequential.is_none() && file.adaptive.is_none();
    let contrasts = contrasts(&file.analysis, &crossover, analysis.primary, fixed)?;
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
    analysis.multiplicity = file.analysis.multiplicity.unwrap_or_default();
    let two_stage = match &file.adaptive {
        None => None,
        Some(a) => Some(two_stage(
            a, file, &crossover, endpoint, &analysis, enrolled,
        )?),
    };
    let mut sequential = match &file.sequential {
        None => SequentialPlan::fixed(enrolled),
        Some(s) => sequential(s, enrolled, adverse_event.is_some(), analysis.primary)?,
    };
    sequential.periods = crossover.period_count();
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
        },
        contrasts,
        endpoint,
        analysis,
        sequential,
        two_stage,
        replicates: replicates as u64,
        seed: file.simulation.seed,
    })
}

fn crossover(d: &DesignSection) -> Result<Crossover> {
    let names = &d.conditions;
    let reference = match &d.reference {
        None => 0,
        Some(r) => names.iter().position(|n| n == r).ok_or_else(|| {
            invalid(
                "design.reference",
                format!("{r:?}"),
                format!("must be one of design.conditions {names:?}"),
            )
        })?,
    };
    let labels: Vec<String> = match (&d.preset, d.sequences.is_empty()) {
        (None, true) if names.len() == 2 => vec!["AB".to_string(), "BA".to_string()],
        (None, true) => {
            return Err(invalid(
                "design.sequences",
                "(missing)",
                format!(
                    "with {} conditions give the sequences (e.g. [\"ABC\", \"BCA\", \"CAB\"]) or a design.preset ({})",
                    names.len(),
                    crate::design::preset_names().join(", ")
                ),
            ))
        }
        (None, false) => d.sequences.clone(),
        (Some(p), _) => {
            let expanded = crate::design::preset_sequences(p, names.len())
                .map_err(|why| invalid("design.preset", format!("{p:?}"), why))?;
            if !d.sequences.is_empty() && d.sequences != expanded {
                return Err(invalid(
                    "design.sequences",
                    format!("{:?}", d.sequences),
                    format!("design.preset = {p:?} already sets the sequences {expanded:?}; give one or the other"),
                ));
            }
            expanded
        }
    };
    Crossover::new(names, reference, &labels).map_err(|e| match e {
        crate::design::DesignError::Conditions(why) => {
            invalid("design.conditions", format!("{names:?}"), why)
        }
        crate::design::DesignError::Sequence(why) => {
            invalid("design.sequences", format!("{labels:?}"), why)
        }
    })
}

/// The primary contrast: the first condition other than the reference, minus the reference.
fn primary_contrast(crossover: &Crossover) -> Contrast {
    let reference = crossover.reference();
    let test = crossover
        .conditions()
        .find(|&c| c != reference)
        .expect("a crossover has at least two conditions");
    Contrast::difference(crossover, test, reference)
}

fn condition_by_letter_or_name(crossover: &Crossover, text: &str) -> Option<Condition> {
    let t = text.trim();
    crossover.condition_named(t).or_else(|| {
        let mut chars = t.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_uppercase() => {
                crossover.conditions().find(|x| x.letter() == c)
            }
            _ => None,
        }
    })
}

fn contrast(key: &str, spec: &ContrastSpec, crossover: &Crossover) -> Result<Contrast> {
    let names = crossover.condition_names();
    match spec {
        ContrastSpec::Difference(text) => {
            let parts: Vec<&str> = text.splitn(2, " - ").collect();
            let pair = match parts[..] {
                [t, r] => condition_by_letter_or_name(crossover, t)
                    .zip(condition_by_letter_or_name(crossover, r)),
                _ => None,
            };
            match pair {
                Some((t, r)) if t != r && crossover.compares(t, r) => {
                    Ok(Contrast::difference(crossover, t, r))
                }
                Some((t, r)) if t != r => Err(invalid(
                    key,
                    format!("{text:?}"),
                    format!("no sequence gives both {} and {}, so they cannot be compared within participants", crossover.condition_name(t), crossover.condition_name(r)),
                )),
                _ => Err(invalid(
                    key,
                    format!("{text:?}"),
                    format!("write \"T - R\" with two different conditions, by letter (A, B, ...) or by name {names:?}"),
                )),
            }
        }
        ContrastSpec::Weights { name, weights } => {
            let mut w = vec![0.0; names.len()];
            for (condition, &value) in weights {
                let Some(c) = crossover.condition_named(condition) else {
                    return Err(invalid(
                        format!("{key}.weights.\"{condition}\""),
                        format!("{condition:?}"),
                        format!("is not a condition; the conditions are {names:?}"),
                    ));
                };
                w[c.index()] = finite(&format!("{key}.weights.\"{condition}\""), value)?;
            }
            let sum: f64 = w.iter().sum();
            let scale: f64 = w.iter().map(|x| x.abs()).sum();
            if scale == 0.0 || sum.abs() > 1e-9 * scale {
                return Err(invalid(
                    format!("{key}.weights"),
                    format!("{weights:?}"),
                    format!(
                        "a contrast's weights must sum to 0 and not all be 0 (they sum to {sum})"
                    ),
                ));
            }
            Ok(Contrast::weighted(name.clone(), w))
        }
    }
}

/// The primary contrasts: `analysis.contrasts`, or `analysis.contrast`, or the default (each
/// condition against the reference in a fixed design analysed by the linear model, else the
/// first condition other than the reference against it).
fn contrasts(
    a: &AnalysisSection,
    crossover: &Crossover,
    primary: AnalysisName,
    fixed: bool,
) -> Result<Vec<Contrast>> {
    let linear_model = primary == AnalysisName::ANOVA || primary == AnalysisName::ANOVA_CARRYOVER;
    let family = match (&a.contrast, &a.contrasts) {
        (Some(_), Some(list)) => {
            return Err(invalid(
                "analysis.contrasts",
                format!("{} contrasts", list.len()),
                "give analysis.contrast (one primary contrast) or analysis.contrasts (several), not both",
            ))
        }
        (Some(spec), None) => vec![contrast("analysis.contrast", spec, crossover)?],
        (None, Some(list)) => {
            if list.is_empty() {
                return Err(invalid(
                    "analysis.contrasts",
                    "[]",
                    "must list at least one contrast, e.g. [\"B - A\", \"C - A\"]",
                ));
            }
            let mut family: Vec<Contrast> = Vec::with_capacity(list.len());
            for (i, spec) in list.iter().enumerate() {
                let key = format!("analysis.contrasts[{i}]");
                let c = contrast(&key, spec, crossover)?;
                if let Some(j) = family.iter().position(|f| f.name() == c.name()) {
                    return Err(invalid(
                        key,
                        format!("{:?}", c.name()),
                        format!("repeats analysis.contrasts[{j}]; each contrast is listed once"),
                    ));
                }
                family.push(c);
            }
            family
        }
        (None, None) if fixed && linear_model && crossover.condition_count() > 2 => {
            let reference = crossover.reference();
            crossover
                .conditions()
                .filter(|&c| c != reference && crossover.compares(c, reference))
                .map(|c| Contrast::difference(crossover, c, reference))
                .collect()
        }
        (None, None) => vec![primary_contrast(crossover)],
    };
    if family.len() > 1 {
        if !fixed {
            return Err(invalid(
                "analysis.contrasts",
                format!("{} contrasts", family.len()),
                "interim looks and two-stage designs test one primary contrast; give one (analysis.contrast) or remove [sequential]/[adaptive]",
            ));
        }
        if !linear_model {
            return Err(invalid(
                "analysis.contrasts",
                format!("{} contrasts", family.len()),
                format!("several primary contrasts are estimated from one linear-model fit: analysis.primary must be anova or anova_carryover, not {}", primary.as_str()),
            ));
        }
    }
    if let Some(m) = a.multiplicity {
        if family.len() < 2 && m != crate::inference::Multiplicity::None {
            return Err(invalid(
                "analysis.multiplicity",
                format!("{:?}", m.as_str()),
                "adjusts for several primary contrasts; this config tests one (list them in analysis.contrasts)",
            ));
        }
    }
    Ok(family)
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

/// The smallest multiple of the number of sequences that is at least 4 (4 for the 2x2, as
/// before designs had more sequences).
fn default_block_size(n_sequences: usize) -> usize {
    n_sequences * 4usize.div_ceil(n_sequences.max(1))
}

fn randomization(r: &RandomizationSection, n_sequences: usize) -> Result<Randomization> {
    match (r.kind, r.block_size) {
        (RandomizationKind::Simple, None) => Ok(Randomization::Simple),
        (RandomizationKind::Simple, Some(b)) => Err(invalid(
            "design.randomization.block_size",
            b,
            "applies only to kind = \"permuted_blocks\"; remove it for simple randomization",
        )),
        (RandomizationKind::PermutedBlocks, None) => Ok(Randomization::PermutedBlocks {
            block_size: default_block_size(n_sequences),
        }),
        (RandomizationKind::PermutedBlocks, Some(b)) => {
            if b < n_sequences as i64 || b % n_sequences as i64 != 0 || b > 10_000 {
                Err(invalid(
                    "design.randomization.block_size",
                    b,
                    format!("must be a positive multiple of the number of sequences ({n_sequences}), at most 10000"),
                ))
            } else {
                Ok(Randomization::PermutedBlocks {
                    block_size: b as usize,
                })
            }
        }
    }
}

/// Reads a per-condition table: every key must be a condition; a missing condition takes
/// `default` or is an error when there is none.
fn per_condition(
    key: &str,
    table: &BTreeMap<String, f64>,
    conditions: &[String],
    default: Option<f64>,
    check: fn(&str, f64) -> Result<f64>,
) -> Result<Vec<f64>> {
    for name in table.keys() {
        if !conditions.contains(name) {
            return Err(invalid(
                format!("{key}.\"{name}\""),
                format!("{name:?}"),
                format!("is not a condition; the conditions are {conditions:?}"),
            ));
        }
    }
    let mut out = vec![0.0; conditions.len()];
    for (i, c) in conditions.iter().enumerate() {
        let sub = format!("{key}.\"{c}\"");
        out[i] = match (table.get(c), default) {
            (Some(&v), _) => check(&sub, v)?,
            (None, Some(d)) => d,
            (None, None) => return Err(invalid(sub, "(missing)", "every condition needs a value")),
        };
    }
    Ok(out)
}

fn correlation(spec: &CorrelationSpec, k: usize) -> Result<Vec<f64>> {
    let matrix = match spec {
        CorrelationSpec::Common(rho) => {
            let rho = *rho;
            if !(rho.is_finite() && rho > -1.0 && rho <= 1.0) {
                return Err(invalid(
                    "population.correlation",
                    rho,
                    "must be in (-1, 1] (1: identical latent values, no participant-by-condition interaction)",
                ));
            }
            let mut m = vec![rho; k * k];
            for i in 0..k {
                m[i * k + i] = 1.0;
            }
            if crate::numerics::cholesky(&m, k).is_none() {
                return Err(invalid(
                    "population.correlation",
                    rho,
                    format!(
                        "one correlation for all {k} conditions must exceed -1/(k - 1) = {:.4} to be a valid (positive semidefinite) correlation matrix",
                        -1.0 / (k as f64 - 1.0)
                    ),
                ));
            }
            m
        }
        CorrelationSpec::Matrix(rows) => {
            let shown = format!("{rows:?}");
            if rows.len() != k || rows.iter().any(|r| r.len() != k) {
                return Err(invalid(
                    "population.correlation",
                    shown,
                    format!("a correlation matrix needs {k} rows of {k} values (one per condition, in design.conditions order)"),
                ));
            }
            let mut m = vec![0.0; k * k];
            for i in 0..k {
                for j in 0..k {
                    let v = rows[i][j];
                    let key = format!("population.correlation[{i}][{j}]");
                    if i == j && v != 1.0 {
                        return Err(invalid(key, v, "the diagonal of a correlation matrix is 1"));
                    }
                    if !(v.is_finite() && (-1.0..=1.0).contains(&v)) {
                        return Err(invalid(key, v, "must be in [-1, 1]"));
                    }
                    if v != rows[j][i] {
                        return Err(invalid(
                            key,
                            v,
                            format!(
                                "the matrix must be symmetric, but [{j}][{i}] = {}",
                                rows[j][i]
                            ),
                        ));
                    }
                    m[i * k + j] = v;
                }
            }
            if crate::numerics::cholesky(&m, k).is_none() {
                return Err(invalid(
                    "population.correlation",
                    shown,
                    "is not positive semidefinite (no participant-level distribution has these correlations); lower the correlations that contradict each other",
                ));
            }
            m
        }
    };
    Ok(matrix)
}

fn population(p: &PopulationSection, crossover: &Crossover) -> Result<Population> {
    let conditions = crossover.condition_names();
    let k = conditions.len();
    let correlation = correlation(&p.correlation, k)?;
    let within_sd = per_condition(
        "population.within_sd",
        &p.within_sd,
        conditions,
        Some(0.0),
        |key, v| {
            if v.is_finite() && (0.0..=MAX_MAGNITUDE).contains(&v) {
                Ok(v)
            } else {
                Err(invalid(key, v, "must be a number in [0, 1e6]"))
            }
        },
    )?;
    for c in crossover.conditions() {
        if crossover.repeats(c) && within_sd[c.index()] == 0.0 {
            let name = crossover.condition_name(c);
            return Err(invalid(
                format!("population.within_sd.\"{name}\""),
                0,
                format!(
                    "design.sequences give {name:?} more than once to the same participant, so its occasion-to-occasion noise must be > 0 (otherwise both administrations are identical)"
                ),
            ));
        }
    }
    let scale = match &p.scale {
        None => None,
        Some(s) => {
            finite("population.scale.min", s.min)?;
            finite("population.scale.max", s.max)?;
            if s.min >= s.max {
                return Err(invalid(
                    "population.scale.max",
                    s.max,
                    format!("must be greater than population.scale.min = {}", s.min),
                ));
            }
            if s.integer && (s.min.fract() != 0.0 || s.max.fract() != 0.0) {
                return Err(invalid(
                    "population.scale",
                    format!("[{}, {}]", s.min, s.max),
                    "an integer scale needs whole-number min and max",
                ));
            }
            Some(Scale {
                min: s.min,
                max: s.max,
                integer: s.integer,
            })
        }
    };
    let baseline = match &p.baseline {
        None => None,
        Some(b) => {
            finite("population.baseline.mean", b.mean)?;
            positive("population.baseline.sd", b.sd)?;
            finite("population.baseline.min", b.min)?;
            finite("population.baseline.max", b.max)?;
            if b.min >= b.max {
                return Err(invalid(
                    "population.baseline.max",
                    b.max,
                    format!("must be greater than population.baseline.min = {}", b.min),
                ));
            }
            if let Some(s) = &scale {
                if b.min < s.min || b.max > s.max {
                    return Err(invalid(
                        "population.baseline",
                        format!("[{}, {}]", b.min, b.max),
                        format!(
                            "the baseline entry range must lie within the scale range [{}, {}]",
                            s.min, s.max
                        ),
                    ));
                }
                if s.integer && (b.min.ceil() > b.max.floor()) {
                    return Err(invalid(
                        "population.baseline",
                        format!("[{}, {}]", b.min, b.max),
                        "the entry range contains no whole-number score of the integer scale",
                    ));
                }
            }
            if !(b.mean.is_finite() && b.sd.is_finite() && b.sd > 0.0) {
                return Err(invalid(
                    "population.baseline",
                    format!("mean {} sd {}", b.mean, b.sd),
                    "the mean must be finite and the standard deviation positive and finite",
                ));
            }
            let mass = crate::numerics::norm_cdf((b.max - b.mean) / b.sd)
                - crate::numerics::norm_cdf((b.min - b.mean) / b.sd);
            if mass.is_nan() || mass < MIN_BASELINE_MASS {
                return Err(invalid(
                    "population.baseline",
                    format!("mean {} sd {} in [{}, {}]", b.mean, b.sd, b.min, b.max),
                    format!(
                        "the entry range holds only {mass:.2e} of the baseline distribution; it must hold at least {MIN_BASELINE_MASS:e} (move the mean into the range or widen it)"
                    ),
                ));
            }
            Some(TruncatedNormal {
                mean: b.mean,
                sd: b.sd,
                min: b.min,
                max: b.max,
            })
        }
    };
    if !(p.rebaseline_sd.is_finite() && (0.0..=MAX_MAGNITUDE).contains(&p.rebaseline_sd)) {
        return Err(invalid(
            "population.rebaseline_sd",
            p.rebaseline_sd,
            "must be a number in [0, 1e6]",
        ));
    }
    if p.classes.is_empty() {
        return Err(invalid(
            "population.classes",
            "[]",
            "at least one [[population.classes]] is needed",
        ));
    }
    let mut classes = Vec::with_capacity(p.classes.len());
    let mut total = 0.0;
    for (i, c) in p.classes.iter().enumerate() {
        let key = format!("population.classes[{i}]");
        if p.classes[..i].iter().any(|o| o.name == c.name) {
            return Err(invalid(
                format!("{key}.name"),
                format!("{:?}", c.name),
                "class names must be unique",
            ));
        }
        let probability = probability(&format!("{key}.probability"), c.probability)?;
        total += probability;
        for name in c.change.keys() {
            if !conditions.contains(name) {
                return Err(invalid(
                    format!("{key}.change.\"{name}\""),
                    format!("{name:?}"),
                    format!("is not a condition; the conditions are {conditions:?}"),
                ));
            }
        }
        let mut change_mean = vec![0.0; k];
        let mut change_sd = vec![0.0; k];
        for (ci, cname) in conditions.iter().enumerate() {
            let ckey = format!("{key}.change.\"{cname}\"");
            let Some(ch) = c.change.get(cname) else {
                return Err(invalid(
                    ckey,
                    "(missing)",
                    "every class needs a change distribution { mean, sd } for every condition",
                ));
            };
            change_mean[ci] = finite(&format!("{ckey}.mean"), ch.mean)?;
            change_sd[ci] = positive(&format!("{ckey}.sd"), ch.sd)?;
        }
        classes.push(LatentClass {
            name: c.name.clone(),
            probability,
            change_mean,
            change_sd,
        });
    }
    if (total - 1.0).abs() > 1e-9 {
        // Twelve significant digits: 0.7 + 0.3 + 0.12 is shown as 1.12, not 1.1199999999999999.
        let shown = |x: f64| format!("{}", format!("{x:.12e}").parse::<f64>().unwrap_or(x));
        let terms = classes
            .iter()
            .map(|c| shown(c.probability))
            .collect::<Vec<_>>()
            .join(" + ");
        return Err(invalid(
            "population.classes[*].probability",
            format!("{terms} = {}", shown(total)),
            "class probabilities must sum to 1",
        ));
    }
    Ok(Population {
        correlation,
        within_sd,
        baseline,
        rebaseline_sd: p.rebaseline_sd,
        scale,
        classes,
    })
}

fn effects(e: &EffectsSection, crossover: &Crossover) -> Result<(Vec<f64>, Vec<f64>)> {
    let p = crossover.period_count();
    let period = if e.period.is_empty() {
        vec![0.0; p]
    } else if e.period.len() != p {
        return Err(invalid(
            "effects.period",
            format!("{:?}", e.period),
            format!("must give one period effect per period ({p} values; the sequences have {p} periods)"),
        ));
    } else {
        e.period.clone()
    };
    for (i, &v) in period.iter().enumerate() {
        finite(&format!("effects.period[{i}]"), v)?;
    }
    let carryover = per_condition(
        "effects.carryover",
        &e.carryover,
        crossover.condition_names(),
        Some(0.0),
        finite,
    )?;
    Ok((period, carryover))
}

fn dropout(d: &DropoutSection, crossover: &Crossover) -> Result<Dropout> {
    let conditions = crossover.condition_names();
    let boundaries = crossover.period_count() - 1;
    let before = probability("dropout.before_first_period", d.before_first_period)?;
    let after = probability("dropout.after_first_period", d.after_first_period)?;
    let uses_first_keys =
        d.after_first_period != 0.0 || d.after_first_period_by_condition.is_some();
    let uses_period_keys = d.after_period.is_some() || d.after_period_by_condition.is_some();
    if uses_first_keys && uses_period_keys {
        return Err(invalid(
            "dropout.after_period",
            format!("{:?}", d.after_period),
            "give either dropout.after_first_period(_by_condition) or dropout.after_period(_by_condition), not both",
        ));
    }
    // after_period[j][c]: discontinuation after period j given condition c in period j.
    let mut after_period = vec![vec![0.0; conditions.len()]; boundaries];
    if uses_first_keys {
        let first = match &d.after_first_period_by_condition {
            None => vec![after; conditions.len()],
            Some(t) => per_condition(
                "dropout.after_first_period_by_condition",
                t,
                conditions,
                Some(after),
                probability,
            )?,
        };
        after_period[0] = first;
    }
    let per_boundary = |key: &str, v: &[f64]| -> Result<Vec<f64>> {
        if v.len() != boundaries {
            return Err(invalid(
                key,
                format!("{v:?}"),
                format!("needs one probability per period but the last ({boundaries} values)"),
            ));
        }
        v.iter()
            .enumerate()
            .map(|(j, &x)| probability(&format!("{key}[{j}]"), x))
            .collect()
    };
    if let Some(v) = &d.after_period {
        let v = per_boundary("dropout.after_period", v)?;
        for (j, row) in after_period.iter_mut().enumerate() {
            row.fill(v[j]);
        }
    }
    if let Some(t) = &d.after_period_by_condition {
        for name in t.keys() {
            if !conditions.contains(name) {
                return Err(invalid(
                    format!("dropout.after_period_by_condition.\"{name}\""),
                    format!("{name:?}"),
                    format!("is not a condition; the conditions are {conditions:?}"),
                ));
            }
        }
        for (c, name) in conditions.iter().enumerate() {
            if let Some(v) = t.get(name) {
                let v = per_boundary(&format!("dropout.after_period_by_condition.\"{name}\""), v)?;
                for (j, row) in after_period.iter_mut().enumerate() {
                    row[c] = v[j];
                }
            }
        }
    }
    Ok(Dropout {
        before_first_period: before,
        after_period,
    })
}

fn response(r: &ResponseSection, population: &Population) -> Result<ResponseRule> {
    if !(r.reduction.is_finite() && r.reduction > 0.0 && r.reduction <= 1.0) {
        return Err(invalid(
            "response.reduction",
            r.reduction,
            "must be a fraction in (0, 1], e.g. 0.5 for a 50% reduction",
        ));
    }
    if let Some(m) = r.remission_max {
        finite("response.remission_max", m)?;
        if population.baseline.is_none() {
            return Err(invalid(
                "response.remission_max",
                m,
                "remission needs scores: add population.baseline",
            ));
        }
    }
    if !(0..=MAX_ENROLLED).contains(&r.target_responders) {
        return Err(invalid(
            "response.target_responders",
            r.target_responders,
            format!("must be a whole number from 0 to {MAX_ENROLLED}"),
        ));
    }
    Ok(ResponseRule {
        reduction: r.reduction,
        remission_max: r.remission_max,
        target_responders: r.target_responders as usize,
    })
}

/// The smallest significance level accepted.
const MIN_ALPHA: f64 = 1e-9;

fn analysis(
    a: &AnalysisSection,
    has_baseline: bool,
    crossover: &Crossover,
) -> Result<AnalysisPlan> {
    // Below 1e-9 the critical values run beyond what the t and normal quantiles resolve in
    // double precision; no trial plans at such a level.
    for (key, level) in [
        ("analysis.alpha", a.alpha),
        ("analysis.carryover_alpha", a.carryover_alpha),
    ] {
        if !(level.is_finite() && (MIN_ALPHA..1.0).contains(&level)) {
            return Err(invalid(key, level, "must be in [1e-9, 1)"));
        }
    }
    let mut secondary: Vec<AnalysisName> = Vec::new();
    for (i, &s) in a.secondary.iter().enumerate() {
        if s == a.primary {
            return Err(invalid(
                format!("analysis.secondary[{i}]"),
                s.as_str(),
                "is already the primary analysis; list it only once",
            ));
        }
        if secondary.contains(&s) {
            return Err(invalid(
                format!("analysis.secondary[{i}]"),
                s.as_str(),
                "is listed twice",
            ));
        }
        secondary.push(s);
    }
    let plan = AnalysisPlan {
        primary: a.primary,
        secondary,
        alpha: a.alpha,
        carryover_alpha: a.carryover_alpha,
        hypothesis: Hypothesis::TwoSided,
        multiplicity: crate::inference::Multiplicity::None,
    };
    if !has_baseline {
        if let Some(n) = plan.all().find(|n| n.needs_response()) {
            return Err(invalid(
                if n == plan.primary {
                    "analysis.primary"
                } else {
                    "analysis.secondary"
                },
                n.as_str(),
                "needs response status, which needs baseline scores: add population.baseline",
            ));
        }
    }
    for (i, n) in plan.all().enumerate() {
        if let Err(why) = crate::analysis::applies_to(n, crossover) {
            let key = if i == 0 {
                "analysis.primary".to_string()
            } else {
                format!(
                    "analysis.secondary[{}]",
                    a.secondary.iter().position(|&s| s == n).unwrap_or(0)
                )
            };
            return Err(invalid(key, n.as_str(), why));
        }
    }
    Ok(plan)
}

/// `analysis.hypothesis` and its parameters, margins converted to the analysis scale.
fn hypothesis(a: &AnalysisSection, endpoint: Endpoint) -> Result<Hypothesis> {
    let ratio = endpoint.is_ratio();
    let null = if ratio { "1" } else { "0" };
    let kind = a.hypothesis.as_str();
    let unused = |key: &str, given: bool| -> Result<()> {
        if given {
            Err(invalid(
                format!("analysis.{key}"),
                "(given)",
                format!("does not apply to analysis.hypothesis = {kind:?}"),
            ))
        } else {
            Ok(())
        }
    };
    let better = || -> Result<Better> {
        match a.better {
            Some(BetterDirection::Higher) => Ok(Better::Higher),
            Some(BetterDirection::Lower) => Ok(Better::Lower),
            None => Err(invalid(
                "analysis.better",
                "(missing)",
                format!("analysis.hypothesis = {kind:?} needs the good direction of the contrast: \"higher\" or \"lower\""),
            )),
        }
    };
    // A margin as given, on the analysis scale.
    let scale = |key: &str, m: f64| -> Result<f64> {
        if ratio {
            if m.is_finite() && m > 0.0 {
                Ok(m.ln())
            } else {
                Err(invalid(
                    key,
                    m,
                    "must be a ratio > 0 (the endpoint is log-normal)",
                ))
            }
        } else {
            finite(key, m)
        }
    };
    let h = match a.hypothesis {
        HypothesisKind::TwoSided => {
            unused("better", a.better.is_some())?;
            unused("margin", a.margin.is_some())?;
            unused("margins", a.margins.is_some())?;
            Hypothesis::TwoSided
        }
        HypothesisKind::Superiority => {
            unused("margin", a.margin.is_some())?;
            unused("margins", a.margins.is_some())?;
            Hypothesis::Superiority { better: better()? }
        }
        HypothesisKind::NonInferiority => {
            unused("margins", a.margins.is_some())?;
            let better = better()?;
            let Some(given) = a.margin else {
                return Err(invalid(
                    "analysis.margin",
                    "(missing)",
                    format!(
                        "analysis.hypothesis = \"non_inferiority\" needs a margin (e.g. {})",
                        if ratio { "0.80" } else { "-2" }
                    ),
                ));
            };
            let margin = scale("analysis.margin", given)?;
            let bad_side = match better {
                Better::Higher => margin < 0.0,
                Better::Lower => margin > 0.0,
            };
            if !bad_side {
                return Err(invalid(
                    "analysis.margin",
                    given,
                    format!(
                        "with better = {:?} the margin must lie {} {null} (how much worse the test condition may be)",
                        better.as_str(),
                        if better == Better::Higher { "below" } else { "above" }
                    ),
                ));
            }
            Hypothesis::NonInferiority { margin, better }
        }
        HypothesisKind::Equivalence => {
            unused("better", a.better.is_some())?;
            unused("margin", a.margin.is_some())?;
            let given = match &a.margins {
                Some(m) if m.len() == 2 => m.clone(),
                Some(m) => {
                    return Err(invalid(
                        "analysis.margins",
                        format!("{m:?}"),
                        "must be two numbers [lower, upper]",
                    ))
                }
                None => {
                    return Err(invalid(
                        "analysis.margins",
                        "(missing)",
                        format!("analysis.hypothesis = \"equivalence\" needs margins [lower, upper] (e.g. {})", if ratio { "[0.80, 1.25]" } else { "[-2, 2]" }),
                    ))
                }
            };
            let lower = scale("analysis.margins[0]", given[0])?;
            let upper = scale("analysis.margins[1]", given[1])?;
            if lower >= upper {
                return Err(invalid(
                    "analysis.margins",
                    format!("{given:?}"),
                    "the lower margin must be below the upper one",
                ));
            }
            Hypothesis::Equivalence { lower, upper }
        }
    };
    if h.has_margins() && !a.primary.spec().t_based {
        return Err(invalid(
            "analysis.primary",
            format!("{:?}", a.primary.as_str()),
            format!("analysis.hypothesis = {kind:?} needs an estimate with a standard error: choose a t-based primary analysis (completers_paired, period_adjusted, first_period, anova or anova_carryover)"),
        ));
    }
    Ok(h)
}

/// `[log_normal]` as a population on the log scale: one class with the log geometric means,
/// the participant level and interaction in its latent SDs and correlation, the
/// within-participant CV as occasion noise.
fn log_normal(l: &LogNormalSection, crossover: &Crossover) -> Result<Population> {
    let conditions = crossover.condition_names();
    let k = conditions.len();
    let reference = crossover.reference().index();
    let ratio = |key: &str, x: f64| -> Result<f64> {
        if x.is_finite() && x > 0.0 && x <= MAX_MAGNITUDE {
            Ok(x)
        } else {
            Err(invalid(key, x, "must be a number > 0"))
        }
    };
    let log_mean = match (l.gmr.is_empty(), l.geometric_mean.is_empty()) {
        (false, false) => {
            return Err(invalid(
                "log_normal.geometric_mean",
                "(given with log_normal.gmr)",
                "give the geometric mean ratios (gmr) or the geometric means, not both",
            ))
        }
        (true, false) => per_condition(
            "log_normal.geometric_mean",
            &l.geometric_mean,
            conditions,
            None,
            ratio,
        )?
        .iter()
        .map(|g| g.ln())
        .collect::<Vec<f64>>(),
        _ => {
            let gmr = per_condition("log_normal.gmr", &l.gmr, conditions, Some(1.0), ratio)?;
            if gmr[reference] != 1.0 {
                let name = &conditions[reference];
                return Err(invalid(
                    format!("log_normal.gmr.\"{name}\""),
                    gmr[reference],
                    format!("{name:?} is the reference: its ratio to itself is 1 (leave it out)"),
                ));
            }
            gmr.iter().map(|g| g.ln()).collect()
        }
    };
    let cv = |key: &str, x: f64| -> Result<f64> {
        if x.is_finite() && x > 0.0 && x <= 100.0 {
            Ok(x)
        } else {
            Err(invalid(
                key,
                x,
                "must be a coefficient of variation in (0, 100]",
            ))
        }
    };
    let cv_within = match &l.cv_within {
        CvSpec::Common(c) => vec![cv("log_normal.cv_within", *c)?; k],
        CvSpec::PerCondition(t) => per_condition("log_normal.cv_within", t, conditions, None, cv)?,
    };
    if !(l.cv_between.is_finite() && (0.0..=100.0).contains(&l.cv_between)) {
        return Err(invalid(
            "log_normal.cv_between",
            l.cv_between,
            "must be a coefficient of variation in [0, 100]",
        ));
    }
    if !(l.interaction_sd.is_finite() && (0.0..=10.0).contains(&l.interaction_sd)) {
        return Err(invalid(
            "log_normal.interaction_sd",
            l.interaction_sd,
            "must be an SD on the log scale in [0, 10]",
        ));
    }
    let between = crate::power::t_tests::cv_to_sigma(l.cv_between);
    let interaction = l.interaction_sd;
    let latent_variance = between * between + interaction * interaction;
    let rho = if latent_variance > 0.0 {
        between * between / latent_variance
    } else {
        1.0
    };
    let mut correlation = vec![rho; k * k];
    for i in 0..k {
        correlation[i * k + i] = 1.0;
    }
    Ok(Population {
        correlation,
        within_sd: cv_within
            .iter()
            .map(|&c| crate::power::t_tests::cv_to_sigma(c))
            .collect(),
        baseline: None,
        rebaseline_sd: 0.0,
        scale: None,
        classes: vec![LatentClass {
            name: "all".to_string(),
            probability: 1.0,
            change_mean: log_mean,
            change_sd: vec![latent_variance.sqrt(); k],
        }],
    })
}

fn sequential(
    s: &SequentialSection,
    enrolled: usize,
    has_ae: bool,
    primary: AnalysisName,
) -> Result<SequentialPlan> {
    if s.looks.is_empty() {
        return Err(invalid("sequential.looks", "[]", "needs at least one look"));
    }
    let fractions = s.looks.iter().all(|&x| x > 0.0 && x <= 1.0);
    let mut looks = Vec::with_capacity(s.looks.len());
    for (i, &x) in s.looks.iter().enumerate() {
        let key = format!("sequential.looks[{i}]");
        let n = if fractions {
            (x * enrolled as f64).round()
        } else if x.is_finite() && x >= 1.0 && x.fract() == 0.0 {
            x
        } else {
            return Err(invalid(
                key,
                x,
                "looks are either all fractions of design.enrolled in (0, 1] or all whole enrollment counts >= 1",
            ));
        };
        if n < 1.0 {
            return Err(invalid(key, x, "the look would analyse no participant"));
        }
        let n = n as usize;
        if looks.last().is_some_and(|&prev| n <= prev) {
            return Err(invalid(
                key,
                x,
                "looks must be strictly increasing enrollment counts",
            ));
        }
        looks.push(n);
    }
    let last = *looks.last().expect("non-empty");
    if last != enrolled {
        return Err(invalid(
            format!("sequential.looks[{}]", looks.len() - 1),
            s.looks[looks.len() - 1],
            format!("the last look must be at design.enrolled = {enrolled} (or the fraction 1)"),
        ));
    }
    let e = &s.efficacy;
    let chosen = [e.spending.is_some(), e.classical.is_some(), e.z.is_some()]
        .iter()
        .filter(|&&b| b)
        .count();
    if chosen > 1 {
        return Err(invalid(
            "sequential.efficacy",
            "several of spending, classical, z",
            "give exactly one of `spending`, `classical` or `z`",
        ));
    }
    let check_unused = |key: &str, used: bool, v: Option<f64>| -> Result<()> {
        match v {
            Some(v) if !used => Err(invalid(
                format!("sequential.efficacy.{key}"),
                v,
                "does not apply to the chosen boundary",
            )),
            _ => Ok(()),
        }
    };
    let efficacy = match (e.spending, e.classical, &e.z) {
        (None, None, Some(z)) => {
            if z.len() != looks.len() {
                return Err(invalid(
                    "sequential.efficacy.z",
                    format!("{z:?}"),
                    format!("needs one z value per look ({})", looks.len()),
                ));
            }
            for (i, &v) in z.iter().enumerate() {
                positive(&format!("sequential.efficacy.z[{i}]"), v)?;
            }
            for (key, v) in [
                ("gamma", e.gamma),
                ("rho", e.rho),
                ("interim_z", e.interim_z),
            ] {
                check_unused(key, false, v)?;
            }
            BoundaryKind::User(z.clone())
        }
        (spending, classical, _) => {
            let family = match (spending, classical) {
                (Some(s), _) => s.family(),
                (None, Some(c)) => c.family(),
                (None, None) => BoundaryFamily::ObrienFleming,
            };
            let uses = family.parameter();
            check_unused("gamma", uses == Some(BoundaryParameter::Gamma), e.gamma)?;
            check_unused("rho", uses == Some(BoundaryParameter::Rho), e.rho)?;
            check_unused(
                "interim_z",
                uses == Some(BoundaryParameter::InterimZ),
                e.interim_z,
            )?;
            let value = match uses {
                Some(BoundaryParameter::Gamma) => {
                    let gamma = e.gamma.ok_or_else(|| invalid(
                        "sequential.efficacy.gamma",
                        "(missing)",
                        "hwang_shih_decani needs gamma (e.g. -4 for O'Brien-Fleming-like, 1 for Pocock-like)",
                    ))?;
                    Some(finite("sequential.efficacy.gamma", gamma)?)
                }
                Some(BoundaryParameter::Rho) => {
                    let rho = e.rho.ok_or_else(|| invalid(
                        "sequential.efficacy.rho",
                        "(missing)",
                        "kim_demets needs rho > 0 (e.g. 3 for O'Brien-Fleming-like, 1 for Pocock-like)",
                    ))?;
                    Some(positive("sequential.efficacy.rho", rho)?)
                }
                Some(BoundaryParameter::InterimZ) => Some(positive(
                    "sequential.efficacy.interim_z",
                    e.interim_z.unwrap_or(HAYBITTLE_PETO_DEFAULT_Z),
                )?),
                None => None,
            };
            family
                .with(value)
                .expect("the family's required parameter was checked above")
        }
    };
    let (mut futility_z, mut futility_conditional_power) = (None, None);
    if let Some(f) = &s.futility {
        if !primary.spec().t_based && (f.z.is_some() || f.conditional_power.is_some()) {
            return Err(invalid(
                "analysis.primary",
                format!("{:?}", primary.as_str()),
                "a futility rule (sequential.futility) needs a t-based primary analysis: responders_paired, completers_paired, period_adjusted, first_period, anova or anova_carryover",
            ));
        }
        if let Some(z) = &f.z {
            if z.len() != looks.len() - 1 {
                return Err(invalid(
                    "sequential.futility.z",
                    format!("{z:?}"),
                    format!(
                        "needs one z value per interim look ({}); the final look has none",
                        looks.len() - 1
                    ),
                ));
            }
            for (i, &v) in z.iter().enumerate() {
                let v = finite(&format!("sequential.futility.z[{i}]"), v)?;
                if v < 0.0 {
                    return Err(invalid(
                        format!("sequential.futility.z[{i}]"),
                        v,
                        "must be >= 0: the trial stops for futility when |z| falls below it",
                    ));
                }
            }
            futility_z = Some(z.clone());
        }
        if let Some(cp) = f.conditional_power {
            if !(cp.is_finite() && cp > 0.0 && cp < 1.0) {
                return Err(invalid(
                    "sequential.futility.conditional_power",
                    cp,
                    "must be a probability in (0, 1)",
                ));
            }
            futility_conditional_power = Some(cp);
        }
    }
    let harm_max_difference = match &s.harm {
        None => None,
        Some(h) => {
            if !has_ae {
                return Err(invalid(
                    "sequential.harm.max_difference",
                    h.max_difference,
                    "a harm rule needs an [adverse_events] section",
                ));
            }
            if !(h.max_difference.is_finite() && h.max_difference > 0.0 && h.max_difference <= 1.0)
            {
                return Err(invalid(
                    "sequential.harm.max_difference",
                    h.max_difference,
                    "must be a difference of proportions in (0, 1]",
                ));
            }
            Some(h.max_difference)
        }
    };
    Ok(SequentialPlan {
        looks,
        periods: 2,
        efficacy,
        futility_z,
        futility_conditional_power,
        harm_max_difference,
    })
}

/// `a, b and c` (or `a, b or c`): names listed in a sentence.
fn in_words(names: &[&str], conjunction: &str) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} {conjunction} {last}", rest.join(", ")),
    }
}

/// `[adaptive]` as a two-stage plan, checked against the design and the analysis.
fn two_stage(
    a: &AdaptiveSection,
    file: &ConfigFile,
    crossover: &Crossover,
    endpoint: Endpoint,
    plan: &AnalysisPlan,
    enrolled: usize,
) -> Result<TwoStagePlan> {
    use crate::adaptive::{InterimRule, MethodScope};
    let method = a.method;
    let name = method.as_str();
    if !crossover.is_two_by_two() {
        return Err(invalid(
            "adaptive.method",
            format!("{name:?}"),
            "two-stage designs are simulated on the 2x2 (two conditions, sequences AB and BA)",
        ));
    }
    if file.sequential.is_some() {
        return Err(invalid(
            "sequential",
            "(given with [adaptive])",
            "a two-stage design has its own interim analysis: remove [sequential]",
        ));
    }
    if !(plan.primary == AnalysisName::ANOVA || plan.primary == AnalysisName::PERIOD_ADJUSTED) {
        return Err(invalid(
            "analysis.primary",
            format!("{:?}", plan.primary.as_str()),
            "a two-stage design is analysed by the linear model with a stage term: choose anova (or period_adjusted, the same on a 2x2)",
        ));
    }
    if !plan.secondary.is_empty() {
        return Err(invalid(
            "analysis.secondary",
            format!("{:?}", plan.secondary.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
            "a two-stage design reports its pooled primary analysis only: remove analysis.secondary",
        ));
    }
    let equivalence = matches!(plan.hypothesis, Hypothesis::Equivalence { .. });
    match (method.spec().scope, equivalence) {
        (MethodScope::OneOrTwoSided, true) => {
            return Err(invalid(
                "adaptive.method",
                format!("{name:?}"),
                format!(
                    "for equivalence choose {}",
                    in_words(
                        &crate::adaptive::Method::names_with_scope(MethodScope::Equivalence),
                        "or"
                    )
                ),
            ))
        }
        (MethodScope::Equivalence, false) => {
            return Err(invalid(
                "analysis.hypothesis",
                format!("{:?}", file.analysis.hypothesis.as_str()),
                format!("adaptive.method = {name:?} is a bioequivalence method: set analysis.hypothesis = \"equivalence\" with margins"),
            ))
        }
        _ => {}
    }
    let level = |key: &str, x: f64| -> Result<f64> {
        if x.is_finite() && x > 0.0 && x < 0.5 {
            Ok(x)
        } else {
            Err(invalid(key, x, "must be a level in (0, 0.5)"))
        }
    };
    let alpha = match a.alpha {
        Some(x) => level("adaptive.alpha", x)?,
        None => method.default_alpha().unwrap_or(plan.alpha),
    };
    let powered_method = method.spec().interim == InterimRule::PowerCheckThenTest;
    let alpha_powered = match (a.alpha_powered, powered_method) {
        (Some(x), true) => level("adaptive.alpha_powered", x)?,
        (None, _) => plan.alpha,
        (Some(x), false) => {
            return Err(invalid(
                "adaptive.alpha_powered",
                x,
                format!(
                    "applies to {} only, not {name:?}",
                    in_words(
                        &crate::adaptive::Method::all()
                            .filter(|m| m.spec().interim == InterimRule::PowerCheckThenTest)
                            .map(|m| m.as_str())
                            .collect::<Vec<_>>(),
                        "and"
                    )
                ),
            ))
        }
    };
    let assumed_effect = match (endpoint, a.assumed_gmr, a.assumed_effect) {
        (Endpoint::LogNormal, Some(g), None) => {
            if g.is_finite() && g > 0.0 {
                g.ln()
            } else {
                return Err(invalid("adaptive.assumed_gmr", g, "must be a ratio > 0"));
            }
        }
        (Endpoint::LogNormal, None, None) => match method.default_gmr() {
            Some(g) => g.ln(),
            None => {
                return Err(invalid(
                    "adaptive.assumed_gmr",
                    "(missing)",
                    "re-estimation needs the GMR to power the trial for",
                ))
            }
        },
        (Endpoint::Normal, None, Some(e)) => finite("adaptive.assumed_effect", e)?,
        (Endpoint::Normal, _, None) => {
            return Err(invalid(
                "adaptive.assumed_effect",
                "(missing)",
                "a normal endpoint needs the effect (contrast) to power the trial for",
            ))
        }
        (Endpoint::LogNormal, _, Some(e)) => {
            return Err(invalid(
                "adaptive.assumed_effect",
                e,
                "a ratio endpoint takes adaptive.assumed_gmr instead",
            ))
        }
        (Endpoint::Normal, Some(g), Some(_)) => {
            return Err(invalid(
                "adaptive.assumed_gmr",
                g,
                "a normal endpoint takes adaptive.assumed_effect only",
            ))
        }
    };
    if !(a.target_power > 0.0 && a.target_power < 1.0) {
        return Err(invalid(
            "adaptive.target_power",
            a.target_power,
            "must be a power in (0, 1), e.g. 0.8",
        ));
    }
    let max_total = a.max_total;
    if max_total < enrolled as i64 + 2 || max_total > 100_000 {
        return Err(invalid(
            "adaptive.max_total",
            max_total,
            format!(
                "must be a whole number from n1 + 2 = {} (design.enrolled is n1) to 100000",
                enrolled + 2
            ),
        ));
    }
    let max_stage2 = match a.max_stage2 {
        None => None,
        Some(m) if (2..=100_000).contains(&m) => Some(m as usize),
        Some(m) => {
            return Err(invalid(
                "adaptive.max_stage2",
                m,
                "must be a whole number from 2 to 100000",
            ))
        }
    };
    Ok(TwoStagePlan {
        method,
        alpha,
        alpha_powered,
        assumed_effect,
        target_power: a.target_power,
        power_method: a.power_method,
        max_total: max_total as usize,
        max_stage2,
        inflate_for_dropout: a.inflate_for_dropout,
    })
}
