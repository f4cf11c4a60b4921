//! `[population]`, `[log_normal]`, `[effects]`, `[dropout]` and `[response]`: the cohort the
//! model draws.

use super::*;

/// Reads a per-condition table: every key must be a condition; a missing condition takes
/// `default` or is an error when there is none.
pub(super) fn per_condition(
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

pub(super) fn correlation(spec: &CorrelationSpec, k: usize) -> Result<Vec<f64>> {
    correlation_at(
        "population.correlation",
        "conditions",
        "design.conditions",
        spec,
        k,
    )
}

/// A correlation matrix over `k` things (`what`, listed in the order `order` gives) read from
/// `key`.
pub(super) fn correlation_at(
    key: &str,
    what: &str,
    order: &str,
    spec: &CorrelationSpec,
    k: usize,
) -> Result<Vec<f64>> {
    let matrix = match spec {
        CorrelationSpec::Common(rho) => {
            let rho = *rho;
            if !(rho.is_finite() && rho > -1.0 && rho <= 1.0) {
                return Err(invalid(
                    key,
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
                    key,
                    rho,
                    format!(
                        "one correlation for all {k} {what} must exceed -1/(k - 1) = {:.4} to be a valid (positive semidefinite) correlation matrix",
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
                    key,
                    shown,
                    format!("a correlation matrix needs {k} rows of {k} values (one per {}, in {order} order)", what.trim_end_matches('s')),
                ));
            }
            let mut m = vec![0.0; k * k];
            for i in 0..k {
                for j in 0..k {
                    let v = rows[i][j];
                    let key = format!("{key}[{i}][{j}]");
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
                    key,
                    shown,
                    "is not positive semidefinite (no participant-level distribution has these correlations); lower the correlations that contradict each other",
                ));
            }
            m
        }
    };
    Ok(matrix)
}

pub(super) fn population(p: &PopulationSection, crossover: &Crossover) -> Result<Population> {
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

pub(super) fn effects(e: &EffectsSection, crossover: &Crossover) -> Result<(Vec<f64>, Vec<f64>)> {
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

pub(super) fn dropout(d: &DropoutSection, crossover: &Crossover) -> Result<Dropout> {
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

pub(super) fn response(r: &ResponseSection, population: &Population) -> Result<ResponseRule> {
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

/// `[log_normal]` as a population on the log scale: one class with the log geometric means,
/// the participant level and interaction in its latent SDs and correlation, the
/// within-participant CV as occasion noise.
pub(super) fn log_normal(l: &LogNormalSection, crossover: &Crossover) -> Result<Population> {
    log_normal_metric(
        "log_normal",
        MetricParts {
            gmr: &l.gmr,
            geometric_mean: &l.geometric_mean,
            cv_within: &l.cv_within,
            cv_between: l.cv_between,
            interaction_sd: l.interaction_sd,
        },
        crossover,
    )
}

/// The further PK metrics of `[log_normal]` (`metrics`, `metric_correlation`), if any: each
/// metric's population as `[log_normal]`'s is built, and the two correlation matrices over
/// all metrics (the section's own first).
pub(super) fn pk_metrics(
    l: &LogNormalSection,
    crossover: &Crossover,
) -> Result<Option<crate::model::PkMetrics>> {
    if l.metrics.is_empty() {
        if l.metric_correlation.is_some() {
            return Err(invalid(
                "log_normal.metric_correlation",
                "(given without log_normal.metrics)",
                "correlates several PK metrics: add [[log_normal.metrics]] entries or remove it",
            ));
        }
        return Ok(None);
    }
    let most = crate::model::MAX_METRICS - 1;
    if l.metrics.len() > most {
        return Err(invalid(
            "log_normal.metrics",
            format!("({} entries)", l.metrics.len()),
            format!("at most {most} further metrics ({} in all)", most + 1),
        ));
    }
    let first = l.metric.clone().unwrap_or_else(|| "metric 1".to_string());
    let mut names = vec![first];
    let mut populations = Vec::new();
    for (q, m) in l.metrics.iter().enumerate() {
        let key = format!("log_normal.metrics[{q}]");
        let name = m.name.trim();
        if name.is_empty() || name.len() > 40 {
            return Err(invalid(
                format!("{key}.name"),
                format!("{:?}", m.name),
                "must be a non-empty name of at most 40 characters (e.g. \"Cmax\")",
            ));
        }
        if names.iter().any(|n| n == name) {
            return Err(invalid(
                format!("{key}.name"),
                format!("{name:?}"),
                format!("must differ from the other metrics' names ({names:?}); name the first with log_normal.metric"),
            ));
        }
        names.push(name.to_string());
        populations.push(log_normal_metric(
            &key,
            MetricParts {
                gmr: &m.gmr,
                geometric_mean: &m.geometric_mean,
                cv_within: &m.cv_within,
                cv_between: m.cv_between,
                interaction_sd: m.interaction_sd,
            },
            crossover,
        )?);
    }
    let Some(c) = &l.metric_correlation else {
        return Err(invalid(
            "log_normal.metric_correlation",
            "(missing)",
            "several PK metrics need their correlations: metric_correlation = { between = 0.6, within = 0.75 } (participant levels; occasion noise in the same period)",
        ));
    };
    let m = names.len();
    let order = "the order log_normal.metric, then log_normal.metrics";
    let between = correlation_at(
        "log_normal.metric_correlation.between",
        "metrics",
        order,
        &c.between,
        m,
    )?;
    let within = correlation_at(
        "log_normal.metric_correlation.within",
        "metrics",
        order,
        &c.within,
        m,
    )?;
    Ok(Some(crate::model::PkMetrics {
        names,
        populations,
        between,
        within,
    }))
}

/// The keys of one ratio-endpoint metric.
struct MetricParts<'a> {
    gmr: &'a BTreeMap<String, f64>,
    geometric_mean: &'a BTreeMap<String, f64>,
    cv_within: &'a CvSpec,
    cv_between: f64,
    interaction_sd: f64,
}

/// One metric's population on the log scale, its keys under `prefix`.
fn log_normal_metric(
    prefix: &str,
    l: MetricParts<'_>,
    crossover: &Crossover,
) -> Result<Population> {
    let key = |name: &str| format!("{prefix}.{name}");
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
                key("geometric_mean"),
                format!("(given with {})", key("gmr")),
                "give the geometric mean ratios (gmr) or the geometric means, not both",
            ))
        }
        (true, false) => per_condition(
            &key("geometric_mean"),
            l.geometric_mean,
            conditions,
            None,
            ratio,
        )?
        .iter()
        .map(|g| g.ln())
        .collect::<Vec<f64>>(),
        _ => {
            let gmr = per_condition(&key("gmr"), l.gmr, conditions, Some(1.0), ratio)?;
            if gmr[reference] != 1.0 {
                let name = &conditions[reference];
                return Err(invalid(
                    format!("{}.\"{name}\"", key("gmr")),
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
    let cv_within = match l.cv_within {
        CvSpec::Common(c) => vec![cv(&key("cv_within"), *c)?; k],
        CvSpec::PerCondition(t) => per_condition(&key("cv_within"), t, conditions, None, cv)?,
    };
    if !(l.cv_between.is_finite() && (0.0..=100.0).contains(&l.cv_between)) {
        return Err(invalid(
            key("cv_between"),
            l.cv_between,
            "must be a coefficient of variation in [0, 100]",
        ));
    }
    if !(l.interaction_sd.is_finite() && (0.0..=10.0).contains(&l.interaction_sd)) {
        return Err(invalid(
            key("interaction_sd"),
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
