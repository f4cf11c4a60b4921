//! `[time_course]`: assessment days within each period, the change on each, the days'
//! correlation and missing scores; `[time_course.relapse]`: the crossover gated by relapse.

use super::population::correlation_at;
use super::*;
use crate::analysis::AnalysisName;
use crate::model::{Population, Relapse, RelapseDistribution, TimeCourse, MAX_LATER_DAYS};

/// The latest assessment day accepted (a period of about three years).
const MAX_DAY: i64 = 1000;

/// The longest follow-up after period 1 (about three years; intervals are kept in 16 bits).
const MAX_FOLLOW_UP: i64 = 1000;

/// What the rest of the config must be for a time course: a normal endpoint in a fixed or
/// group-sequential two-condition comparison decided by a paired t.
pub(super) struct TimeCourseContext<'a> {
    pub file: &'a ConfigFile,
    pub population: &'a Population,
    pub conditions: &'a [String],
    pub primary: AnalysisName,
    pub single_pair: bool,
    pub periods: usize,
}

pub(super) fn time_course(t: &TimeCourseSection, cx: &TimeCourseContext) -> Result<TimeCourse> {
    let file = cx.file;
    if file.log_normal.is_some() || file.bioequivalence.is_some() || file.adaptive.is_some() {
        return Err(invalid(
            "time_course",
            "(given)",
            "a time course needs a [population] endpoint, and no [log_normal], [bioequivalence] or [adaptive]",
        ));
    }
    if !cx.single_pair {
        return Err(invalid(
            "time_course",
            "(given)",
            "later days are compared on one pair of conditions: give analysis.contrast, not analysis.contrasts",
        ));
    }
    if ![
        AnalysisName::COMPLETERS_PAIRED,
        AnalysisName::RESPONDERS_PAIRED,
    ]
    .contains(&cx.primary)
    {
        return Err(invalid(
            "analysis.primary",
            cx.primary.as_str(),
            "with [time_course] the primary is completers_paired or responders_paired (later days are tested by the same paired t on the same participants)",
        ));
    }
    let days = &t.days;
    let q = days.len().saturating_sub(1);
    if !(3..=MAX_LATER_DAYS + 2).contains(&days.len()) {
        return Err(invalid(
            "time_course.days",
            format!("{days:?}"),
            format!("lists day 0, the primary day and 1 to {MAX_LATER_DAYS} later days"),
        ));
    }
    if days[0] != 0 {
        return Err(invalid(
            "time_course.days[0]",
            days[0],
            "must be 0 (the period's pre-treatment score)",
        ));
    }
    for i in 1..days.len() {
        if days[i] <= days[i - 1] || days[i] > MAX_DAY {
            return Err(invalid(
                format!("time_course.days[{i}]"),
                days[i],
                format!(
                    "days increase strictly and end by day {MAX_DAY}; the day before is {}",
                    days[i - 1]
                ),
            ));
        }
    }
    if t.primary_day != days[1] {
        return Err(invalid(
            "time_course.primary_day",
            t.primary_day,
            format!(
                "must be the first day after 0 ({}); later days are tested only after it",
                days[1]
            ),
        ));
    }
    let correlation = match (t.correlation_range, &t.correlation) {
        (Some(range), None) => {
            let range = positive("time_course.correlation_range", range)?;
            let post = &days[1..];
            let mut m = vec![0.0; q * q];
            for i in 0..q {
                for j in 0..q {
                    m[i * q + j] = (-((post[i] - post[j]).abs() as f64) / range).exp();
                }
            }
            m
        }
        (None, Some(rows)) => correlation_at(
            "time_course.correlation",
            "post-baseline days",
            "time_course.days (without day 0)",
            &CorrelationSpec::Matrix(rows.clone()),
            q,
        )?,
        _ => {
            return Err(invalid(
                "time_course.correlation_range",
                format!("{:?}", t.correlation_range),
                "give exactly one of correlation_range (exp(-|d - e| / range)) and correlation (a matrix)",
            ))
        }
    };
    let later = q - 1;
    let missing = match &t.missing {
        None => vec![0.0; later],
        Some(m) if m.len() == later => m
            .iter()
            .enumerate()
            .map(|(s, &p)| probability(&format!("time_course.missing[{s}]"), p))
            .collect::<Result<Vec<_>>>()?,
        Some(m) => {
            return Err(invalid(
                "time_course.missing",
                format!("{m:?}"),
                format!("one probability per day after the primary day ({later})"),
            ))
        }
    };
    let classes = &cx.population.classes;
    for name in t.change.keys() {
        if !classes.iter().any(|c| &c.name == name) {
            return Err(invalid(
                format!("time_course.change.\"{name}\""),
                format!("{name:?}"),
                format!(
                    "is not a latent class; the classes are {:?}",
                    classes.iter().map(|c| &c.name).collect::<Vec<_>>()
                ),
            ));
        }
    }
    let k = cx.conditions.len();
    let mut mean = vec![0.0; classes.len() * k * later];
    let mut sd = vec![0.0; classes.len() * k * later];
    for (ci, class) in classes.iter().enumerate() {
        let key = format!("time_course.change.\"{}\"", class.name);
        let Some(table) = t.change.get(&class.name) else {
            return Err(invalid(
                key,
                "(missing)",
                "every latent class needs its change by day",
            ));
        };
        for name in table.keys() {
            if !cx.conditions.contains(name) {
                return Err(invalid(
                    format!("{key}.\"{name}\""),
                    format!("{name:?}"),
                    format!("is not a condition; the conditions are {:?}", cx.conditions),
                ));
            }
        }
        for (c, condition) in cx.conditions.iter().enumerate() {
            let key = format!("{key}.\"{condition}\"");
            let Some(day) = table.get(condition) else {
                return Err(invalid(
                    key,
                    "(missing)",
                    "every condition needs its change by day",
                ));
            };
            for (field, values) in [("mean", &day.mean), ("sd", &day.sd)] {
                if values.len() != q {
                    return Err(invalid(
                        format!("{key}.{field}"),
                        format!("{values:?}"),
                        format!(
                            "one value per post-baseline day ({q}: days {:?})",
                            &days[1..]
                        ),
                    ));
                }
            }
            for (field, value, given) in [
                ("mean", day.mean[0], class.change_mean[c]),
                ("sd", day.sd[0], class.change_sd[c]),
            ] {
                if value != given {
                    return Err(invalid(
                        format!("{key}.{field}[0]"),
                        value,
                        format!("the primary day's change is the class's change.\"{condition}\".{field} = {given}"),
                    ));
                }
            }
            for s in 0..later {
                let at = (ci * k + c) * later + s;
                mean[at] = finite(&format!("{key}.mean[{}]", s + 1), day.mean[s + 1])?;
                let v = day.sd[s + 1];
                if !(v.is_finite() && (0.0..=MAX_MAGNITUDE).contains(&v)) {
                    return Err(invalid(
                        format!("{key}.sd[{}]", s + 1),
                        v,
                        "must be a number in [0, 1e6]",
                    ));
                }
                sd[at] = v;
            }
        }
    }
    let relapse = match &t.relapse {
        None => None,
        Some(r) => Some(relapse(r, cx)?),
    };
    Ok(TimeCourse {
        days: days.iter().map(|&d| d as u32).collect(),
        mean,
        sd,
        missing,
        correlation,
        relapse,
    })
}

/// `[time_course.relapse]`: the visit schedule and each class's time to relapse after each
/// period-1 condition.
fn relapse(r: &RelapseSection, cx: &TimeCourseContext) -> Result<Relapse> {
    if cx.periods != 2 {
        return Err(invalid(
            "time_course.relapse",
            "(given)",
            format!(
                "gates period 2 after period 1: the design needs exactly 2 periods, not {}",
                cx.periods
            ),
        ));
    }
    let distribution = match r.distribution.as_str() {
        "weibull" => RelapseDistribution::Weibull,
        "log_normal" => RelapseDistribution::LogNormal,
        other => {
            return Err(invalid(
                "time_course.relapse.distribution",
                format!("{other:?}"),
                "\"weibull\" or \"log_normal\"",
            ))
        }
    };
    let days = |key: &str, v: i64| {
        if (1..=MAX_FOLLOW_UP).contains(&v) {
            Ok(v as u32)
        } else {
            Err(invalid(
                format!("time_course.relapse.{key}"),
                v,
                format!("a whole number of days from 1 to {MAX_FOLLOW_UP}"),
            ))
        }
    };
    let visit_interval = days("visit_interval_days", r.visit_interval_days)?;
    let max_days = days("max_days", r.max_days)?;
    let min_washout = days("min_washout_days", r.min_washout_days)?;
    if visit_interval > max_days {
        return Err(invalid(
            "time_course.relapse.visit_interval_days",
            visit_interval,
            format!("at most max_days ({max_days}): there must be a visit"),
        ));
    }
    let last_visit = max_days / visit_interval * visit_interval;
    if min_washout > last_visit {
        return Err(invalid(
            "time_course.relapse.min_washout_days",
            min_washout,
            format!("at most the last visit (day {last_visit}), or period 2 could never start"),
        ));
    }
    let classes = &cx.population.classes;
    for name in r.time.keys() {
        if !classes.iter().any(|c| &c.name == name) {
            return Err(invalid(
                format!("time_course.relapse.time.\"{name}\""),
                format!("{name:?}"),
                format!(
                    "is not a latent class; the classes are {:?}",
                    classes.iter().map(|c| &c.name).collect::<Vec<_>>()
                ),
            ));
        }
    }
    let (spread_key, other_key) = match distribution {
        RelapseDistribution::Weibull => ("shape", "sdlog"),
        RelapseDistribution::LogNormal => ("sdlog", "shape"),
    };
    let mut median = Vec::new();
    let mut spread = Vec::new();
    for class in classes {
        let key = format!("time_course.relapse.time.\"{}\"", class.name);
        let Some(table) = r.time.get(&class.name) else {
            return Err(invalid(
                key,
                "(missing)",
                "every latent class needs its time to relapse",
            ));
        };
        for name in table.keys() {
            if !cx.conditions.contains(name) {
                return Err(invalid(
                    format!("{key}.\"{name}\""),
                    format!("{name:?}"),
                    format!("is not a condition; the conditions are {:?}", cx.conditions),
                ));
            }
        }
        for condition in cx.conditions {
            let key = format!("{key}.\"{condition}\"");
            let Some(time) = table.get(condition) else {
                return Err(invalid(
                    key,
                    "(missing)",
                    "every condition given in period 1 needs its time to relapse",
                ));
            };
            median.push(positive(&format!("{key}.median_days"), time.median_days)?);
            let (given, other) = match distribution {
                RelapseDistribution::Weibull => (time.shape, time.sdlog),
                RelapseDistribution::LogNormal => (time.sdlog, time.shape),
            };
            if let Some(v) = other {
                return Err(invalid(
                    format!("{key}.{other_key}"),
                    v,
                    format!(
                        "belongs to the other distribution; with distribution = {:?} give {spread_key}",
                        r.distribution
                    ),
                ));
            }
            let Some(v) = given else {
                return Err(invalid(
                    format!("{key}.{spread_key}"),
                    "(missing)",
                    format!("distribution = {:?} needs {spread_key}", r.distribution),
                ));
            };
            // Shapes and sdlogs far outside (0, 100] put all the mass at the median or nowhere
            // useful; the bound only keeps the arithmetic finite.
            if !(v.is_finite() && v > 0.0 && v <= 100.0) {
                return Err(invalid(
                    format!("{key}.{spread_key}"),
                    v,
                    "must be a number in (0, 100]",
                ));
            }
            spread.push(v);
        }
    }
    Ok(Relapse {
        distribution,
        visit_interval,
        max_days,
        min_washout,
        median,
        spread,
    })
}
