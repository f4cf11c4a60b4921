//! Stage two of loading a config: schema structs → validated domain types.
//!
//! Every rejection names the dotted key, the offending value and what is allowed.

use super::design::*;
use super::schema::*;
use super::ConfigError;
use statrs::distribution::{ContinuousCDF, Normal};
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
    let conditions = conditions(&file.design.conditions)?;
    let (sequences, sequence_labels) = sequences(&file.design.sequences)?;
    let enrolled = file.design.enrolled;
    if !(2..=MAX_ENROLLED).contains(&enrolled) {
        return Err(invalid(
            "design.enrolled",
            enrolled,
            format!("must be a whole number from 2 to {MAX_ENROLLED}"),
        ));
    }
    let enrolled = enrolled as usize;
    let randomization = randomization(&file.design.randomization, sequences.len())?;
    let population = population(&file.population, &conditions)?;
    let (period_effect, carryover) = effects(&file.effects, &conditions)?;
    let dropout = dropout(&file.dropout, &conditions)?;
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
    let analysis = analysis(&file.analysis, population.baseline.is_some())?;
    let sequential = match &file.sequential {
        None => SequentialPlan::fixed(enrolled),
        Some(s) => sequential(s, enrolled, adverse_event.is_some(), analysis.primary)?,
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
        conditions,
        sequences,
        sequence_labels,
        enrolled,
        randomization,
        population,
        period_effect,
        carryover,
        dropout,
        adverse_event,
        response,
        analysis,
        sequential,
        replicates: replicates as u64,
        seed: file.simulation.seed,
    })
}

fn conditions(names: &[String]) -> Result<[String; 2]> {
    if names.len() != 2 {
        return Err(invalid(
            "design.conditions",
            format!("{names:?}"),
            "must name exactly two conditions: the reference first, then the test",
        ));
    }
    if names[0].is_empty() || names[1].is_empty() || names[0] == names[1] {
        return Err(invalid(
            "design.conditions",
            format!("{names:?}"),
            "the two condition names must be non-empty and different",
        ));
    }
    Ok([names[0].clone(), names[1].clone()])
}

fn sequences(labels: &[String]) -> Result<(Vec<[usize; 2]>, Vec<String>)> {
    let mut seqs = Vec::new();
    for (i, label) in labels.iter().enumerate() {
        let seq = match label.as_str() {
            "AB" => [REFERENCE, TEST],
            "BA" => [TEST, REFERENCE],
            _ => return Err(invalid(
                format!("design.sequences[{i}]"),
                format!("{label:?}"),
                "must be \"AB\" or \"BA\" (A = the first condition, B = the second; two periods)",
            )),
        };
        if seqs.contains(&seq) {
            return Err(invalid(
                format!("design.sequences[{i}]"),
                format!("{label:?}"),
                "each sequence may appear only once",
            ));
        }
        seqs.push(seq);
    }
    if seqs.len() != 2 {
        return Err(invalid(
            "design.sequences",
            format!("{labels:?}"),
            "a two-condition crossover needs both sequences [\"AB\", \"BA\"]",
        ));
    }
    Ok((seqs, labels.to_vec()))
}

fn randomization(r: &RandomizationSection, n_sequences: usize) -> Result<Randomization> {
    match (r.kind, r.block_size) {
        (RandomizationKind::Simple, None) => Ok(Randomization::Simple),
        (RandomizationKind::Simple, Some(b)) => Err(invalid(
            "design.randomization.block_size",
            b,
            "applies only to kind = \"permuted_blocks\"; remove it for simple randomization",
        )),
        (RandomizationKind::PermutedBlocks, None) => Err(invalid(
            "design.randomization.block_size",
            "(missing)",
            format!("permuted_blocks needs a block_size, a positive multiple of the number of sequences ({n_sequences})"),
        )),
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
    conditions: &[String; 2],
    default: Option<f64>,
    check: fn(&str, f64) -> Result<f64>,
) -> Result<[f64; 2]> {
    for name in table.keys() {
        if !conditions.contains(name) {
            return Err(invalid(
                format!("{key}.\"{name}\""),
                format!("{name:?}"),
                format!("is not a condition; the conditions are {conditions:?}"),
            ));
        }
    }
    let mut out = [0.0; 2];
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

fn population(p: &PopulationSection, conditions: &[String; 2]) -> Result<Population> {
    let rho = p.correlation;
    if !(rho.is_finite() && rho > -1.0 && rho < 1.0) {
        return Err(invalid(
            "population.correlation",
            rho,
            "must be in (-1, 1) (exclusive)",
        ));
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
            let normal = Normal::new(b.mean, b.sd).map_err(|e| {
                invalid(
                    "population.baseline",
                    format!("mean {} sd {}", b.mean, b.sd),
                    e.to_string(),
                )
            })?;
            let mass = normal.cdf(b.max) - normal.cdf(b.min);
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
        let mut change_mean = [0.0; 2];
        let mut change_sd = [0.0; 2];
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
        return Err(invalid(
            "population.classes[*].probability",
            format!("sum {total}"),
            "class probabilities must sum to 1",
        ));
    }
    Ok(Population {
        correlation: rho,
        baseline,
        rebaseline_sd: p.rebaseline_sd,
        scale,
        classes,
    })
}

fn effects(e: &EffectsSection, conditions: &[String; 2]) -> Result<([f64; 2], [f64; 2])> {
    if e.period.len() != 2 {
        return Err(invalid(
            "effects.period",
            format!("{:?}", e.period),
            "must give one period effect per period (two values)",
        ));
    }
    for (i, &v) in e.period.iter().enumerate() {
        finite(&format!("effects.period[{i}]"), v)?;
    }
    let carryover = per_condition(
        "effects.carryover",
        &e.carryover,
        conditions,
        Some(0.0),
        finite,
    )?;
    Ok(([e.period[0], e.period[1]], carryover))
}

fn dropout(d: &DropoutSection, conditions: &[String; 2]) -> Result<Dropout> {
    let before = probability("dropout.before_first_period", d.before_first_period)?;
    let after = probability("dropout.after_first_period", d.after_first_period)?;
    let after_first_period = match &d.after_first_period_by_condition {
        None => [after, after],
        Some(t) => per_condition(
            "dropout.after_first_period_by_condition",
            t,
            conditions,
            Some(after),
            probability,
        )?,
    };
    Ok(Dropout {
        before_first_period: before,
        after_first_period,
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

fn analysis(a: &AnalysisSection, has_baseline: bool) -> Result<AnalysisPlan> {
    if !(a.alpha.is_finite() && a.alpha > 0.0 && a.alpha < 1.0) {
        return Err(invalid("analysis.alpha", a.alpha, "must be in (0, 1)"));
    }
    if !(a.carryover_alpha.is_finite() && a.carryover_alpha > 0.0 && a.carryover_alpha < 1.0) {
        return Err(invalid(
            "analysis.carryover_alpha",
            a.carryover_alpha,
            "must be in (0, 1)",
        ));
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
    Ok(plan)
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
        (None, None, None) | (Some(SpendingName::ObrienFleming), _, _) => {
            EfficacyRule::SpendingObrienFleming
        }
        (Some(SpendingName::Pocock), _, _) => EfficacyRule::SpendingPocock,
        (Some(SpendingName::ObrienFlemingTotalAlpha), _, _) => {
            EfficacyRule::SpendingObrienFlemingTotalAlpha
        }
        (Some(SpendingName::HwangShihDecani), _, _) => {
            let Some(gamma) = e.gamma else {
                return Err(invalid(
                    "sequential.efficacy.gamma",
                    "(missing)",
                    "hwang_shih_decani needs gamma (e.g. -4 for O'Brien-Fleming-like, 1 for Pocock-like)",
                ));
            };
            EfficacyRule::SpendingHwangShihDeCani {
                gamma: finite("sequential.efficacy.gamma", gamma)?,
            }
        }
        (Some(SpendingName::KimDemets), _, _) => {
            let Some(rho) = e.rho else {
                return Err(invalid(
                    "sequential.efficacy.rho",
                    "(missing)",
                    "kim_demets needs rho > 0 (e.g. 3 for O'Brien-Fleming-like, 1 for Pocock-like)",
                ));
            };
            EfficacyRule::SpendingKimDeMets {
                rho: positive("sequential.efficacy.rho", rho)?,
            }
        }
        (None, Some(ClassicalName::ObrienFleming), _) => EfficacyRule::ClassicalObrienFleming,
        (None, Some(ClassicalName::Pocock), _) => EfficacyRule::ClassicalPocock,
        (None, Some(ClassicalName::HaybittlePeto), _) => {
            let z = e.interim_z.unwrap_or(3.0);
            EfficacyRule::HaybittlePeto {
                interim_z: positive("sequential.efficacy.interim_z", z)?,
            }
        }
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
            EfficacyRule::UserZ(z.clone())
        }
    };
    check_unused(
        "gamma",
        matches!(efficacy, EfficacyRule::SpendingHwangShihDeCani { .. }),
        e.gamma,
    )?;
    check_unused(
        "rho",
        matches!(efficacy, EfficacyRule::SpendingKimDeMets { .. }),
        e.rho,
    )?;
    check_unused(
        "interim_z",
        matches!(efficacy, EfficacyRule::HaybittlePeto { .. }),
        e.interim_z,
    )?;
    let (mut futility_z, mut futility_conditional_power) = (None, None);
    if let Some(f) = &s.futility {
        if matches!(
            primary,
            AnalysisName::WilcoxonPaired | AnalysisName::ResponderMcnemar
        ) && (f.z.is_some() || f.conditional_power.is_some())
        {
            return Err(invalid(
                "analysis.primary",
                format!("{:?}", primary.as_str()),
                "a futility rule (sequential.futility) needs a t-based primary analysis: responders_paired, completers_paired, period_adjusted or first_period",
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
        efficacy,
        futility_z,
        futility_conditional_power,
        harm_max_difference,
    })
}
