//! `[adaptive]`: the two-stage plan, checked against the design and the analysis.

use super::*;

/// `a, b and c` (or `a, b or c`): names listed in a sentence.
pub(super) fn in_words(names: &[&str], conjunction: &str) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} {conjunction} {last}", rest.join(", ")),
    }
}

/// `[adaptive]` as a two-stage plan, checked against the design and the analysis.
pub(super) fn two_stage(
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
